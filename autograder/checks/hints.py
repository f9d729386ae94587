"""Hints added to a failure: after a threshold, or after an error the student's code raised.

A check knows what usually goes wrong at its step ("the model takes inputs of shape
(N, 2)"); these helpers append that to the message the library or the kernel gave.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from autograder.bridge.proxy import Submission
from autograder.bridge.values import Handle, StudentError
from autograder.checks.errors import CheckFailed, Partial

#: The errors a wrong shape or a wrong key usually raises in NumPy code.
SHAPE_ERRORS = ("ValueError", "IndexError", "KeyError", "TypeError")


def hinted(exc: CheckFailed | Partial, fr: str, en: str) -> CheckFailed | Partial:
    """`exc` with a hint appended to its message: a `Partial` keeps its fraction."""
    if isinstance(exc, Partial):
        return Partial(exc.fraction, f"{exc.message.fr} ; {fr}", f"{exc.message.en}; {en}")
    return CheckFailed(f"{exc.message.fr} ; {fr}", f"{exc.message.en}; {en}")


def call_with_hint(
    target: Submission | Handle,
    name: str,
    *args: Any,
    hint: tuple[str, str],
    on: Collection[str] | None = SHAPE_ERRORS,
    **kwargs: Any,
) -> Any:
    """`target.call(name, ...)` (a notebook function, or a method of a kernel-side object);
    an error of a kind in `on` (every kind with None) raised by the student's code fails the
    check with its message and the (French, English) hint.

    Other student errors pass through unchanged, for the grader to report as usual.
    """
    try:
        return target.call(name, *args, **kwargs)
    except StudentError as exc:
        if on is None or exc.ename in on:
            raise CheckFailed(
                f"{exc.message.fr} ; {hint[0]}", f"{exc.message.en}; {hint[1]}"
            ) from None
        raise
