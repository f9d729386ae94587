"""Exceptions a check raises to fail or to give partial credit.

The pytest plugin turns `CheckFailed` into a failed check and `Partial` into partial
credit, and shows their bilingual `.message` to the student.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from autograder.results import Message


class CheckFailed(AssertionError):
    """The student's answer is wrong; `.message` says why, in French and English.

    It subclasses AssertionError so that a plain pytest run (without the plugin) still
    reports it as a failure rather than as an error.
    """

    def __init__(self, fr: str, en: str = "") -> None:
        super().__init__(fr)
        self.message = Message(fr, en)


class Partial(Exception):
    """Partial credit: `fraction` of the check's points, with a message saying what is missing."""

    def __init__(self, fraction: float, fr: str, en: str = "") -> None:
        super().__init__(fr)
        try:
            value = float(fraction)
        except (TypeError, ValueError):
            value = 0.0
        # A NaN fraction would poison the total score; treat it as no credit.
        self.fraction = 0.0 if math.isnan(value) else min(1.0, max(0.0, value))
        self.message = Message(fr, en)


#: False while a hidden check runs: the helpers then leave expected values (and anything
#: they can be computed from) out of their messages. Set by the grader's pytest plugin.
_SHOW_EXPECTED: ContextVar[bool] = ContextVar("autograder_show_expected", default=True)


def show_expected() -> bool:
    """Whether messages may show expected values (public checks) or not (hidden ones)."""
    return _SHOW_EXPECTED.get()


@contextmanager
def expected_values_shown(shown: bool) -> Iterator[None]:
    token = _SHOW_EXPECTED.set(shown)
    try:
        yield
    finally:
        _SHOW_EXPECTED.reset(token)
