"""TP09's code shared by its hidden checks (never released)."""

from __future__ import annotations

import numpy as np

from autograder.checks import (
    CheckFailed,
    KernelSide,
    Ref,
    StudentError,
    SubmissionError,
    Tensor,
    changed_argument_names,
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


def modifies_its_arguments(submission, name: str, X, *args, **kwargs) -> bool:
    """Whether the student's `name`(X, *args, **kwargs) modifies an array or tensor it receives
    (the library's probe, which also passes them in the other float dtype)."""
    values = (X, *args)
    watch = {i: str(i) for i, v in enumerate(values) if isinstance(v, (np.ndarray, Tensor))}
    return bool(watch) and bool(changed_argument_names(submission, name, values, watch, kwargs=kwargs))


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
