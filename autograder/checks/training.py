"""The model a student's training function trained.

The statements say "entraîne modele et le renvoie", and the notebooks go on with
`modele = entrainer(modele, ...)`: a function that trains in place and returns None breaks
them. One check per TP owns that rule (`returned_model`); the others read the trained model
with `trained_model`, which accepts None (the model given, trained in place), so that a
missing `return` costs points once, where it is named."""

from __future__ import annotations

from typing import Any

from autograder.bridge.proxy import Submission
from autograder.bridge.values import Handle, Ref
from autograder.checks.errors import CheckFailed


def trained_model(
    submission: Submission, fn: str, model: Handle | Ref, *args: Any, **kwargs: Any
) -> Handle | Ref:
    """`fn(model, *args, **kwargs)` called in the kernel (`timeout=` as for `call`), then the
    trained model; anything else than a kernel object or None fails the check naming `fn`."""
    out = submission.call(fn, model, *args, **kwargs)
    if out is not None and not isinstance(out, Handle):
        raise CheckFailed(
            f"{fn} doit renvoyer le modèle entraîné, obtenu {type(out).__name__}",
            f"{fn} must return the trained model, got {type(out).__name__}",
        )
    return out if out is not None else model


def returned_model(
    submission: Submission, fn: str, model: Handle | Ref, *args: Any, **kwargs: Any
) -> Handle:
    """`trained_model` for the check that owns "… et le renvoie": None fails, naming the
    missing `return modele`."""
    out = submission.call(fn, model, *args, **kwargs)
    if out is None:
        raise CheckFailed(
            f"{fn} ne renvoie rien (None) : l'énoncé demande qu'elle entraîne le modèle ET le "
            f"renvoie ; terminez par return modele (le notebook fait modele = {fn}(modele, …))",
            f"{fn} returns nothing (None): the statement asks it to train the model AND return "
            f"it; end with return modele (the notebook does modele = {fn}(modele, ...))",
        )
    if not isinstance(out, Handle):
        raise CheckFailed(
            f"{fn} doit renvoyer le modèle entraîné, obtenu {type(out).__name__}",
            f"{fn} must return the trained model, got {type(out).__name__}",
        )
    return out
