"""TP10's code shared by its public and hidden checks: the ranks guard, and the trusted
kernel-side helpers that build the grader's models and read a model's weights back."""

from __future__ import annotations

from autograder.checks import SCIPY_RANKS, CheckFailed, StudentError, kernel_side, student_failure

# SciPy's own Spearman correlation and ranking, switched off in the kernel while the checks
# call `spearman`, so that the ranks are really computed by hand.
GUARD = SCIPY_RANKS

@kernel_side
def cnn_class():
    """The TP's small CNN (the notebook's architecture): the kernel builds the grader's model
    from it, the hidden checks subclass it as their float64 copy."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    class _TP10CNN(nn.Module):
        def __init__(self, canaux, k1, k2, cache, classes, hauteur, largeur):
            super().__init__()
            self.conv1 = nn.Conv2d(canaux, k1, kernel_size=3, padding=1)
            self.conv2 = nn.Conv2d(k1, k2, kernel_size=3, padding=1)
            self.fc1 = nn.Linear(k2 * (hauteur // 2) * (largeur // 2), cache)
            self.fc2 = nn.Linear(cache, classes)

        def caracteristiques(self, x):
            return torch.relu(self.conv2(F.max_pool2d(torch.relu(self.conv1(x)), 2)))

        def tete(self, A):
            return self.fc2(torch.relu(self.fc1(A.flatten(1))))

        def forward(self, x):
            return self.tete(self.caracteristiques(x))

    return _TP10CNN


@kernel_side(uses=(cnn_class,))
def build_model(genre, dims, poids):
    """Runs in the kernel: the grader's model ("cnn", or a linear one) from the weights it sends."""
    import torch
    import torch.nn as nn

    class _TP10Lineaire(nn.Module):
        def __init__(self, canaux, hauteur, largeur, classes):
            super().__init__()
            self.gain = nn.Parameter(torch.ones(canaux, 1, 1))
            self.fc = nn.Linear(canaux * hauteur * largeur, classes)

        def caracteristiques(self, x):
            return x * self.gain

        def tete(self, A):
            return self.fc(A.flatten(1))

        def forward(self, x):
            return self.tete(self.caracteristiques(x))

    modele = cnn_class()(*dims) if genre == "cnn" else _TP10Lineaire(*dims)
    with torch.no_grad():
        for nom, p in modele.named_parameters():
            p.copy_(poids[nom])
    return modele.eval()


@kernel_side
def model_weights(modele):
    """Runs in the kernel: a model's weights in float64 (a marked error for a non-module)."""
    import torch

    if not isinstance(modele, torch.nn.Module):
        raise TypeError("TP10_PAS_MODULE " + type(modele).__name__)
    return {k: v.detach().cpu().to(torch.float64) for k, v in modele.state_dict().items()}


def spearman_guarded(submission, a, b):
    """The student's `spearman(a, b)` with SciPy's ranks switched off."""
    return GUARD.call(submission, "spearman", a, b)


#: Why a Grad-CAM answer usually stops on a shape error (einsum, broadcasting, view).
GRAD_CAM_CAUSE = (
    "les formes de α et des cartes A ne s'accordent pas : A = modele.caracteristiques("
    "x.unsqueeze(0)) est de forme (1, K, h, w), ∂y_c/∂A aussi ; α_k est la moyenne de "
    "∂y_c/∂A_k sur les deux axes spatiaux (h, w), un vecteur (K,), à remodeler en (K, 1, 1) "
    "pour pondérer A[0] (K, h, w), puis la somme porte sur k",
    "the shapes of α and of the maps A do not agree: A = modele.caracteristiques(x.unsqueeze(0)) "
    "has shape (1, K, h, w), and so has ∂y_c/∂A; α_k is the mean of ∂y_c/∂A_k over the two "
    "spatial axes (h, w), a (K,) vector, reshaped to (K, 1, 1) to weight A[0] (K, h, w), then "
    "the sum runs over k",
)


def call_explained(submission, name: str, *args, cause: tuple[str, str], **kwargs):
    """The student's `name(*args)`; an error it raises becomes a French sentence naming the
    function and the likely `cause`, the original error kept as a detail."""
    try:
        return submission.call(name, *args, **kwargs)
    except StudentError as exc:
        if exc.ename == "NotImplementedError" or (exc.ename == "NameError" and exc.evalue == name):
            raise student_failure(name, exc) from None
        detail = f"{exc.ename}: {exc.evalue[:300]}"
        raise CheckFailed(
            f"`{name}` s'arrête sur une erreur : {cause[0]} (erreur d'origine : {detail})",
            f"`{name}` stops on an error: {cause[1]} (original error: {detail})",
        ) from None
