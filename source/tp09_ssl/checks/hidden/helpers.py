"""TP09's code shared by its hidden checks (never released)."""

from __future__ import annotations

from autograder.checks import (
    CheckFailed,
    KernelSide,
    Ref,
    StudentError,
    SubmissionError,
    kernel_side,
    relabel,
)


def call_marked(submission, helper: KernelSide, *args, name: str, what: str, errors: dict):
    """A trusted kernel helper that runs the student's `name`, given as its first argument: a
    marker of `errors` in the error becomes its (French, English) message after `what`;
    `name` undefined is said so."""
    if not submission.has(name):
        raise CheckFailed(
            f"`{name}` n'est pas définie dans votre notebook",
            f"`{name}` is not defined in your notebook",
        )
    try:
        return helper.call(submission, Ref(name), *args)
    except StudentError as exc:
        for marker, (fr, en) in errors.items():
            if marker in exc.evalue:
                raise CheckFailed(f"{what} : {fr}", f"{what}: {en}") from None
        raise relabel(exc, helper.ref_name, name) from None
    except SubmissionError as exc:
        raise relabel(exc, helper.ref_name, name) from None


# The grader's construire_rotations and entrainer_rotation (the statement's solution): the
# rotation pre-training is graded with the grader's rotations, and the few-labels item
# fine-tunes an encoder pre-trained by the grader's loop, so that a bug costs points once,
# in its own item.
REF_ROTATIONS = '''
def construire_rotations(X):
    import numpy as np
    X = np.asarray(X, dtype=np.float32)
    X_rot = np.stack([np.rot90(X, k, axes=(1, 2)) for k in range(4)], axis=1)
    y_rot = np.tile(np.arange(4), len(X))
    return X_rot.reshape(-1, *X.shape[1:]).copy(), y_rot
'''

REF_ENTRAINER_ROTATION = '''
def entrainer_rotation(encodeur, X, epochs=12, lr=3e-3, batch_size=256, seed=0):
    import torch
    import torch.nn.functional as F
    from torch import nn
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    X_rot, y_rot = construire_rotations(X)
    X_rot = torch.as_tensor(X_rot, dtype=torch.float32)
    y_rot = torch.as_tensor(y_rot, dtype=torch.long)
    tete = nn.Sequential(nn.Linear(encodeur.dim, 64), nn.ReLU(), nn.Linear(64, 4))
    optimiseur = torch.optim.Adam(list(encodeur.parameters()) + list(tete.parameters()), lr=lr)
    for _ in range(epochs):
        ordre = torch.randperm(len(X_rot), generator=g)
        for debut in range(0, len(X_rot), batch_size):
            lot = ordre[debut : debut + batch_size]
            perte = F.cross_entropy(tete(encodeur(X_rot[lot])), y_rot[lot])
            optimiseur.zero_grad()
            perte.backward()
            optimiseur.step()
    return encodeur, tete
'''

ROTATIONS_REF = {"construire_rotations": REF_ROTATIONS}
PRETRAINING_REF = {**ROTATIONS_REF, "entrainer_rotation": REF_ENTRAINER_ROTATION}


# Trusted kernel-side probe: does the student's function modify the arrays or tensors it
# receives? (the statement's functions leave their inputs untouched)
@kernel_side
def modifies_arguments(fonction, X, *args, **kwargs):
    """Calls fonction(X, *args, **kwargs); whether an array or tensor among X and args changed."""
    import numpy as np
    import torch

    def modifie(valeurs, rtol=0.0, atol=0.0):
        entrees = [a for a in valeurs if isinstance(a, (np.ndarray, torch.Tensor))]
        avants = [a.detach().cpu().numpy().copy() if isinstance(a, torch.Tensor) else a.copy()
                  for a in entrees]
        fonction(*valeurs, **kwargs)
        apres = [a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else a for a in entrees]
        return any(
            a.shape != b.shape or not np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)
            for a, b in zip(apres, avants, strict=True)
        )

    def autre_flottant(a):
        """a in the other float dtype (float32 <-> float64), else a itself."""
        if isinstance(a, torch.Tensor) and a.dtype in (torch.float32, torch.float64):
            return a.detach().clone().to(torch.float64 if a.dtype == torch.float32 else torch.float32)
        if isinstance(a, np.ndarray) and a.dtype in (np.float32, np.float64):
            return a.astype(np.float64 if a.dtype == np.float32 else np.float32)
        return a

    if modifie([X, *args]):
        return True
    # np.asarray(X, dtype=np.float32) writes into a float32 X and copies a float64 one: the
    # other float dtype too (its errors are not this probe's business).
    autres = [autre_flottant(a) for a in (X, *args)]
    if all(b is a for a, b in zip((X, *args), autres, strict=True)):
        return False
    try:  # within float32 rounding: an argument touched and restored is not modified
        return modifie(autres, rtol=1e-5, atol=1e-6)
    except Exception:  # noqa: BLE001 - the first call's outcome stands
        return False


def modifies_its_arguments(submission, name: str, X, *args, **kwargs) -> bool:
    """Whether the student's `name`(X, *args, **kwargs) modifies an array or tensor it receives."""
    try:
        return modifies_arguments.call(submission, Ref(name), X, *args, **kwargs)
    except SubmissionError as exc:
        raise relabel(exc, modifies_arguments.ref_name, name) from None


def check_not_in_place(submission, name: str, call: str, X, *args, **kwargs) -> None:
    """The statement's functions leave the arrays and tensors they receive untouched."""
    if modifies_its_arguments(submission, name, X, *args, **kwargs):
        raise CheckFailed(
            f"{call} modifie sur place un tableau ou tenseur qu'on lui passe : le code qui "
            "l'appelle réutilise ses données ensuite ; travaillez sur une copie (ou des "
            "opérations qui renvoient un nouveau tableau, sans `+=`, `/=`, `.div_()`, "
            "`X[...] = ...` sur l'argument) et laissez les entrées intactes",
            f"{call} modifies in place an array or tensor it receives: the calling code reuses "
            "its data afterwards; work on a copy (or operations that return a new array, no "
            "`+=`, `/=`, `.div_()`, `X[...] = ...` on the argument) and leave the inputs "
            "untouched",
        )
