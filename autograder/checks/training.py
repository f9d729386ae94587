"""The model a student's training function trained: the one it returns, or the one it was
given when it trains in place and returns None (both are allowed by the statements)."""

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
