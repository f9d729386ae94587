"""TP10's code shared by its public and hidden checks: the ranks guard, and the trusted
kernel-side helpers that build the grader's models and read a model's weights back."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from autograder.checks import (
    SCIPY_RANKS,
    CheckFailed,
    StudentError,
    as_array,
    kernel_side,
    missing_attribute,
    notebook_model_reads,
    sizes_hidden,
    student_failure,
)

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


#: The largest gap to scipy.stats.spearmanr that a correct `spearman` may show, public and
#: hidden checks alike. Correct float32 code (torch.unique then Pearson of the ranks,
#: torch.corrcoef, cosine of the centred ranks, uncentred moments) reaches 1.1e-7 to 3.3e-7
#: on the hidden arrays (400 to 3000 grader seeds); the wrong answers the checks target
#: (Pearson of the values, ordinal, min, max or dense ranks, the 1 − 6 Σ d² formula, values
#: rounded before ranking, float16) are more than 1e-6 away on at least one hidden array, at
#: all but 9 of 2000 seeds (a rounding to 6 or 10 decimals that happens to tie nothing that
#: matters). The hidden rounding premise uses the same 1e-6 as "another value".
SPEARMAN_TOL = 1e-6

#: Said when a Spearman value is close to SciPy's but outside SPEARMAN_TOL, and no rank rule
#: explains it: a loss of precision.
SPEARMAN_PRECISION_HINT = (
    "votre valeur est proche de celle de scipy.stats.spearmanr, mais s'en écarte de plus que "
    "l'arrondi d'un calcul en float32 : la règle des rangs semble juste, c'est la précision "
    "qui manque ; calculez les rangs et la corrélation en float64 (np.asarray(a, dtype=float)), "
    "sans arrondir les valeurs",
    "your value is close to that of scipy.stats.spearmanr, but further from it than the rounding "
    "of a float32 computation: the rank rule looks right, the precision is lacking; compute the "
    "ranks and the correlation in float64 (np.asarray(a, dtype=float)), without rounding the "
    "values",
)
SPEARMAN_CLOSE = 1e-4  # below this gap (and above SPEARMAN_TOL), the precision hint


#: Gradient × input computed with |x| (or x assumed ≥ 0): seen on an image with negative pixels.
SIGNED_INPUT_HINT = (
    "x n'est pas toujours positif (une image standardisée a des pixels négatifs) : le gradient "
    "× entrée est x ⊙ ∂y_c/∂x avec x tel quel, signé, pas |x| ⊙ ∂y_c/∂x ; là où x < 0, le signe "
    "de l'attribution s'inverse",
    "x is not always positive (a standardised image has negative pixels): gradient × input is "
    "x ⊙ ∂y_c/∂x with x as it is, signed, not |x| ⊙ ∂y_c/∂x; where x < 0, the attribution's "
    "sign flips",
)


def as_map_like(value, name: str, x_shape: tuple[int, ...]) -> np.ndarray:
    """The student's attribution map, which must have the shape of the image x: a map that
    lost x's axes of size 1 (the channel axis of a single-channel image, through squeeze())
    is told so, without the shapes."""
    got = as_array(value, name)
    x_shape = tuple(int(d) for d in x_shape)
    if (got.shape != x_shape and 1 in x_shape
            and got.shape == tuple(d for d in x_shape if d != 1)):
        raise CheckFailed(
            f"{name} : sur une image à un seul canal (C = 1), votre carte a perdu l'axe des "
            "canaux, alors qu'elle doit avoir la même forme (C, H, W) que x ; squeeze() enlève "
            "TOUS les axes de taille 1, celui des canaux compris quand C = 1 (g[0, 0] aussi) : "
            "n'enlevez que l'axe du lot (g[0] ou g.squeeze(0)), ou dérivez par rapport à la "
            "copie de x elle-même",
            f"{name}: on a single-channel image (C = 1), your map lost the channel axis, while it "
            "must have the same shape (C, H, W) as x; squeeze() removes EVERY axis of size 1, "
            "the channel axis included when C = 1 (so does g[0, 0]): remove only the batch axis "
            "(g[0] or g.squeeze(0)), or differentiate with respect to the copy of x itself",
        )
    return as_array(got, name, shape=x_shape)


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


# Shape errors, for the premise of a check's own shape cause (GRAD_CAM_CAUSE).
_SHAPE_NEEDLES = ("shape", "size", "broadcast", "einsum", "dimension", "mat1 and mat2")


#: The class names of the models the grader hands in (build_model).
_GRADER_MODELS = ("_TP10CNN", "_TP10Lineaire")

#: What each function may use of the model it receives, as the statement says.
_MODEL_USES = {
    "grad_cam": (
        "Grad-CAM n'utilise que ce que la question 4 donne : A = modele.caracteristiques("
        "x.unsqueeze(0)) (les cartes de la dernière couche convolutive, APRÈS sa ReLU), "
        "y_c = modele.tete(A)[0, c] et torch.autograd.grad(y_c, A), sans crochet (hook) sur "
        "une couche",
        "Grad-CAM uses only what question 4 gives: A = modele.caracteristiques(x.unsqueeze(0)) "
        "(the maps of the last convolutional layer, AFTER its ReLU), y_c = modele.tete(A)[0, c] "
        "and torch.autograd.grad(y_c, A), without a hook on a layer",
    ),
    "randomiser_couches": (
        "n'utilisez que les couches nommées dans noms (getattr(copie, nom)) et les méthodes de "
        "nn.Module",
        "use only the layers named in noms (getattr(copie, nom)) and nn.Module's methods",
    ),
    None: (
        "n'utilisez que modele(x) (les logits (N, K) d'un lot (N, C, H, W)), "
        "modele.caracteristiques(x), modele.tete(A) et les méthodes de nn.Module",
        "use only modele(x) (the (N, K) logits of an (N, C, H, W) batch), "
        "modele.caracteristiques(x), modele.tete(A) and nn.Module's methods",
    ),
}


def _known_cause(name: str, ename: str, evalue: str) -> tuple[str, str, bool] | None:
    """(French cause, English cause, keep the original text) for the errors whose cause this
    TP can name from the text alone, each pattern its own premise; None for the others."""
    text = evalue.lower()
    if "have been used in the graph" in text:
        if name == "grad_cam":
            return (
                "y_c ne dépend pas du tenseur A par rapport auquel vous dérivez : calculez "
                "y_c = modele.tete(A)[0, c] à partir du MÊME A = modele.caracteristiques("
                "x.unsqueeze(0)) ; un nouveau passage modele(x) recalcule d'autres cartes, hors du "
                "graphe de A",
                "y_c does not depend on the tensor A you differentiate with respect to: compute "
                "y_c = modele.tete(A)[0, c] from the SAME A = modele.caracteristiques(x.unsqueeze(0)); "
                "a new pass modele(x) computes other maps, outside A's graph",
                False,
            )
        return (
            "le logit ne dépend pas du tenseur par rapport auquel vous dérivez : passez au modèle "
            "la copie qui demande le gradient elle-même (xx = x.detach().clone().requires_grad_(True), "
            "y_c = modele(xx.unsqueeze(0))[0, c], torch.autograd.grad(y_c, xx)), pas x ni une "
            "autre copie",
            "the logit does not depend on the tensor you differentiate with respect to: pass the "
            "copy that requires the gradient itself to the model (xx = x.detach().clone()."
            "requires_grad_(True), y_c = modele(xx.unsqueeze(0))[0, c], torch.autograd.grad(y_c, "
            "xx)), not x nor another copy",
            False,
        )
    if "one of the differentiated tensors does not require grad" in text:
        # autograd.grad(y, t) with a t that does not require a gradient (blind round 22: A
        # detached before modele.tete, whose English text was shown alone).
        if name == "grad_cam":
            return (
                "les cartes A par rapport auxquelles vous dérivez ne demandent pas de gradient : "
                "elles ont été détachées du graphe (A.detach(), .data, torch.no_grad() autour de "
                "modele.caracteristiques) ; gardez A = modele.caracteristiques(x.unsqueeze(0)) tel "
                "quel (ou A = A.detach().requires_grad_(True)), puis y_c = modele.tete(A)[0, c] "
                "et torch.autograd.grad(y_c, A)",
                "the maps A you differentiate with respect to do not require a gradient: they "
                "were detached from the graph (A.detach(), .data, torch.no_grad() around "
                "modele.caracteristiques); keep A = modele.caracteristiques(x.unsqueeze(0)) as it "
                "is (or A = A.detach().requires_grad_(True)), then y_c = modele.tete(A)[0, c] and "
                "torch.autograd.grad(y_c, A)",
                False,
            )
        return (
            "le tenseur par rapport auquel vous dérivez ne demande pas de gradient (x lui-même, "
            "ou une copie sans requires_grad_) : dérivez par rapport à une copie qui le demande, "
            "xx = x.detach().clone().requires_grad_(True), passée au modèle "
            "(y_c = modele(xx.unsqueeze(0))[0, c], torch.autograd.grad(y_c, xx))",
            "the tensor you differentiate with respect to does not require a gradient (x "
            "itself, or a copy without requires_grad_): differentiate with respect to a copy "
            "that requires it, xx = x.detach().clone().requires_grad_(True), passed to the model "
            "(y_c = modele(xx.unsqueeze(0))[0, c], torch.autograd.grad(y_c, xx))",
            False,
        )
    if "element 0 of tensors does not require grad" in text:
        # The score differentiated was computed without a graph (under torch.no_grad(), or
        # from detached tensors only): the library's generic cause speaks of a loss.
        what = "y_c = modele.tete(A)[0, c]" if name == "grad_cam" else "y_c = modele(xx.unsqueeze(0))[0, c]"
        return (
            "le score que vous dérivez a été calculé sans graphe de calcul (sous torch.no_grad(), "
            "ou à partir de tenseurs détachés) : calculez " + what + " HORS de torch.no_grad(), "
            "à partir du tenseur qui demande le gradient",
            "the score you differentiate was computed without a computation graph (under "
            "torch.no_grad(), or from detached tensors): compute " + what + " OUTSIDE "
            "torch.no_grad(), from the tensor that requires the gradient",
            False,
        )
    if name == "carte_occlusion" and any(n in text for n in (
            "non-empty tensorlist", "non-empty list of tensors", "need at least one array")):
        # torch.stack / torch.cat / np.stack of the occluded images when no window fits
        # (a window wider than the image on one axis; blind round 22).
        return (
            "votre liste d'images occultées est vide, et torch.stack, torch.cat ou np.stack "
            "refusent une liste vide : quand la fenêtre ne tient pas dans l'image (fenetre > H "
            "ou fenetre > W), il n'y a aucune position ; la consigne couvre ce cas (un pixel "
            "qu'aucune fenêtre ne couvre vaut 0) : traitez-le (par exemple un lot qui commence "
            "par x lui-même, x.unsqueeze(0).repeat(len(positions) + 1, 1, 1, 1))",
            "your list of occluded images is empty, and torch.stack, torch.cat or np.stack "
            "refuse an empty list: when the window does not fit in the image (fenetre > H or "
            "fenetre > W), there is no position; the statement covers that case (a pixel no "
            "window covers is 0): handle it (for instance a batch that starts with x itself, "
            "x.unsqueeze(0).repeat(len(positions) + 1, 1, 1, 1))",
            True,
        )
    if "boolean value of tensor" in text:
        arg = "reference" if name == "gradients_integres" else "t"
        return (
            f"un tenseur de plusieurs valeurs n'a pas de valeur de vérité : `{arg} or "
            f"torch.zeros_like(x)`, `if {arg}:` (ou `and`, `not`) l'évaluent ; pour un argument "
            f"qui vaut None par défaut, testez `if {arg} is None:`",
            f"a tensor of several values has no truth value: `{arg} or torch.zeros_like(x)`, "
            f"`if {arg}:` (or `and`, `not`) evaluate it; for an argument that is None by "
            f"default, test `if {arg} is None:`",
            True,
        )
    if "is invalid for input of size" in text:
        # A view or reshape to a shape that has not the tensor's number of entries: a shape
        # written in the code (x.reshape(1, 1, 8, 8), the notebook's digits) or assumed
        # (x.view(1, 1, H, W) with C = 1), on the grader's inputs of other sizes.
        return (
            "vous remodelez (reshape, view) un tenseur vers une forme qui n'a pas son nombre "
            "d'éléments : une forme écrite en dur ou supposée, alors que les entrées du "
            "correcteur ont d'autres tailles ; ne supposez pas C = 1, H = W = 8 (les chiffres du "
            "notebook), ni le nombre de cartes K du notebook : formez le lot avec x.unsqueeze(0) "
            "et lisez les tailles sur les tenseurs eux-mêmes (x.shape, A.shape)",
            "you reshape (reshape, view) a tensor to a shape that does not have its number of "
            "entries: a shape written in the code or assumed, while the grader's inputs have "
            "other sizes; do not assume C = 1, H = W = 8 (the notebook's digits), nor the "
            "notebook's number of maps K: build the batch with x.unsqueeze(0) and read the sizes "
            "on the tensors themselves (x.shape, A.shape)",
            True,
        )
    if "channels, but got" in text:
        # The original text names the grader's hidden sizes: not repeated.
        return (
            "le modèle reçoit un lot dont l'axe 1 n'a pas le nombre de canaux C de l'image : les "
            "images du correcteur ont C > 1 canaux, ne supposez pas C = 1 (les chiffres du "
            "notebook) ; le lot est (N, C, H, W) : x.unsqueeze(0) ajoute l'axe du lot EN TÊTE "
            "(pas unsqueeze(1)), et un lot de m images garde la forme (C, H, W) de x",
            "the model receives a batch whose axis 1 does not have the image's number of "
            "channels C: the grader's images have C > 1 channels, do not assume C = 1 (the "
            "notebook's digits); the batch is (N, C, H, W): x.unsqueeze(0) adds the batch axis IN "
            "FRONT (not unsqueeze(1)), and a batch of m images keeps the shape (C, H, W) of x",
            False,
        )
    missing = missing_attribute(evalue) if ename == "AttributeError" else None
    if missing is not None and missing[0] in _GRADER_MODELS:
        # The original text names the grader's model class: not repeated.
        fr, en = _MODEL_USES.get(name, _MODEL_USES[None])
        attribute = missing[1]
        return (
            f"votre fonction utilise modele.{attribute}, un attribut que l'énoncé ne garantit pas "
            "aux modèles qu'elle reçoit : les modèles du correcteur n'ont pas forcément les "
            "couches du PetitCNN du notebook ; " + fr,
            f"your function uses modele.{attribute}, an attribute the statement does not "
            "guarantee to the models it receives: the grader's models do not necessarily have the "
            "layers of the notebook's PetitCNN; " + en,
            False,
        )
    if ("_tp10cnn.__init__()" in text or "_tp10lineaire.__init__()" in text
            or "error(s) in loading state_dict" in text):
        # The original text names the grader's model class and sizes: not repeated.
        return (
            "le modèle est reconstruit (type(modele)(), PetitCNN(), … puis load_state_dict) au "
            "lieu d'être copié : les modèles du correcteur ont d'autres arguments de construction "
            "et d'autres tailles ; copiez le modèle reçu tel quel, copy.deepcopy(modele)",
            "the model is rebuilt (type(modele)(), PetitCNN(), … then load_state_dict) instead of "
            "copied: the grader's models have other constructor arguments and other sizes; copy "
            "the model received as it is, copy.deepcopy(modele)",
            False,
        )
    return None


def global_model_failure(submission, name: str) -> CheckFailed | None:
    """The failure naming the notebook's nn.Module that the student's `name` reads by global
    name instead of its argument `modele`, when it reads one (its bytecode says so)."""
    names = notebook_model_reads(submission, name).variables[:3]
    if not names:
        return None
    shown = ", ".join(names)
    return CheckFailed(
        f"`{name}` lit la variable globale {shown} du notebook (le modèle entraîné sur les "
        "chiffres) au lieu du modèle reçu en argument : la correction l'appelle avec ses propres "
        "modèles ; utilisez le paramètre modele de la fonction (et passez-le aux fonctions que "
        "vous appelez)",
        f"`{name}` reads the notebook's global variable {shown} (the model trained on the "
        "digits) instead of the model it receives as an argument: the grader calls it with its "
        "own models; use the function's modele parameter (and pass it on to the functions you "
        "call)",
    )


def explained_failure(name: str, exc: StudentError,
                      cause: tuple[str, str] | None = None) -> CheckFailed:
    """The failure for an error raised by the student's `name`: a cause named from the error
    text when it shows one, else the check's own shape `cause` for a shape error, else the
    library's explanation. In a hidden check, the error's text is shown without its sizes
    (`sizes_hidden`): a shape error names the sizes of the grader's hidden inputs (the images'
    C·H·W, the grader CNN's numbers of maps)."""
    exc = sizes_hidden(exc)
    if exc.ename == "NotImplementedError" or (exc.ename == "NameError" and exc.evalue == name):
        return student_failure(name, exc)
    detail = f"{exc.ename}: {exc.evalue[:300]}"
    known = _known_cause(name, exc.ename, exc.evalue)
    if known is not None:
        fr, en, keep = known
        return CheckFailed(
            f"`{name}` s'arrête sur une erreur : {fr}" + (f" (erreur d'origine : {detail})" if keep else ""),
            f"`{name}` stops on an error: {en}" + (f" (original error: {detail})" if keep else ""),
        )
    if cause is not None and any(n in exc.evalue.lower() for n in _SHAPE_NEEDLES):
        return CheckFailed(
            f"`{name}` s'arrête sur une erreur : {cause[0]} (erreur d'origine : {detail})",
            f"`{name}` stops on an error: {cause[1]} (original error: {detail})",
        )
    return student_failure(name, exc)


def call_explained(submission, name: str, *args, cause: tuple[str, str] | None = None, **kwargs):
    """The student's `name(*args)`; an error it raises becomes a French sentence naming the
    function and its likely cause (`explained_failure`)."""
    try:
        return submission.call(name, *args, **kwargs)
    except StudentError as exc:
        # The premise of the global-model hint: the function loads a notebook nn.Module.
        raise (global_model_failure(submission, name) or explained_failure(name, exc, cause)) from None


@contextmanager
def explaining(name: str):
    """Errors of the student's `name` raised in the block (a call through a grader helper)
    said as `call_explained` says them."""
    try:
        yield
    except StudentError as exc:
        raise explained_failure(name, exc) from None
