"""Kinds of answer a check expects from the student: a boolean, a pair, a torch module.

Each helper returns the value once it is the right kind and otherwise fails the check with
a message naming the student's function and the type it got, never an expected value.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autograder.bridge.proxy import Submission
from autograder.bridge.values import Handle
from autograder.checks.errors import CheckFailed

#: Kernel-side test for `as_module`; the name is the library's, not a TP's or the student's.
IS_MODULE = "_ag_est_module"
IS_MODULE_SOURCE = f"""
def {IS_MODULE}(obj):
    import torch
    return isinstance(obj, torch.nn.Module)
"""


#: `as_module(..., expected=RETURNS_MODULE)` for a function that builds or trains the model.
RETURNS_MODULE = (
    "doit renvoyer un modèle PyTorch (un nn.Module)",
    "must return a PyTorch model (an nn.Module)",
)


def as_bool(value: object, name: str) -> bool:
    """`value` when it is True or False; 0/1 or strings are refused.

    A numpy bool returned by the student arrives as a Python bool.
    """
    if not isinstance(value, bool):
        kind = type(value).__name__
        raise CheckFailed(
            f"{name} doit renvoyer True ou False, obtenu une valeur de type {kind}",
            f"{name} must return True or False, got a value of type {kind}",
        )
    return value


def as_pair(value: object, name: str) -> tuple:
    """`value` as a tuple when it is a tuple or list of two values (a function returning two)."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        kind = type(value).__name__
        raise CheckFailed(
            f"{name} doit renvoyer un couple (2 valeurs), obtenu {kind}",
            f"{name} must return a pair (2 values), got {kind}",
        )
    return tuple(value)


def as_module(
    submission: Submission,
    value: object,
    what: str,
    *,
    expected: tuple[str, str] = ("doit être un nn.Module", "must be an nn.Module"),
) -> Handle:
    """`value` when it is a kernel-side `torch.nn.Module` (it comes back as a `Handle`).

    The message reads "{what} {expected}, obtenu une valeur de type …": `expected` says
    what the check wanted, e.g. ("doit renvoyer le modèle entraîné (un nn.Module)",
    "must return the trained model (an nn.Module)").
    """
    if isinstance(value, Handle):
        submission.define(IS_MODULE, IS_MODULE_SOURCE)
        if submission.call(IS_MODULE, value) is True:
            return value
    kind = getattr(value, "type_name", type(value).__name__)
    raise CheckFailed(
        f"{what} {expected[0]}, obtenu une valeur de type {kind}",
        f"{what} {expected[1]}, got a value of type {kind}",
    )


def shape_text(shape: Sequence[int]) -> str:
    """`(3, 4)`, as the student writes a shape; a 1-d shape shows as `(3)`."""
    return "(" + ", ".join(str(int(d)) for d in shape) + ")"


def allclose(a: np.ndarray, b: np.ndarray, *, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """Same shape and close values (a NaN is never close): for recognising a candidate answer
    (the right one, or a known mistake) computed in float64 like the student's."""
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))
