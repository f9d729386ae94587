"""checks.hints: a hint appended to a failure, a partial credit, or a student's error.

`call_with_hint` runs the student's code in a plain namespace standing for the notebook's
globals; its errors come back as the kernel's agent reports them.
"""

from __future__ import annotations

import pytest

from autograder.checks import (
    CheckFailed,
    Partial,
    StudentError,
    call_with_hint,
    hinted,
    score_threshold,
)
from autograder.results import Message

HINT = ("Z1 = X @ W1 + b1", "Z1 = X @ W1 + b1 (en)")


class InProcess:
    """What `submission` does with a kernel, in this process: call a global, report errors."""

    def __init__(self, student: str) -> None:
        self.ns: dict = {}
        exec(student, self.ns)

    def call(self, name: str, *args, timeout=None, **kwargs):
        try:
            return self.ns[name](*args, **kwargs)
        except Exception as exc:
            ename, evalue = type(exc).__name__, str(exc)
            raise StudentError(
                Message(f"`{name}` a levé {ename} : {evalue}", f"`{name}` raised {ename}: {evalue}"),
                ename,
                evalue,
            ) from None


STUDENT = """
def forme(x):
    raise ValueError("shapes (2,3) and (2,3) not aligned")
def cle(p):
    return p["W3"]
def pas_fini(x):
    raise NotImplementedError
def double(x):
    return 2 * x
"""


def test_hinted_keeps_the_kind_and_the_fraction():
    failed = hinted(CheckFailed("précision 0.5", "accuracy 0.5"), "entraînez plus", "train longer")
    assert type(failed) is CheckFailed
    assert failed.message == Message("précision 0.5 ; entraînez plus", "accuracy 0.5; train longer")
    partial = hinted(Partial(0.25, "presque", "almost"), "indice", "hint")
    assert isinstance(partial, Partial) and partial.fraction == 0.25
    assert partial.message == Message("presque ; indice", "almost; hint")


def test_a_shape_error_gets_the_hint_and_other_errors_pass_through():
    sub = InProcess(STUDENT)
    assert call_with_hint(sub, "double", 4, hint=HINT) == 8
    with pytest.raises(CheckFailed) as info:
        call_with_hint(sub, "forme", 1, hint=HINT)
    assert info.value.message.fr == (
        "`forme` a levé ValueError : shapes (2,3) and (2,3) not aligned ; Z1 = X @ W1 + b1"
    )
    assert info.value.message.en.endswith("not aligned; Z1 = X @ W1 + b1 (en)")
    with pytest.raises(CheckFailed, match="KeyError"):
        call_with_hint(sub, "cle", {}, hint=HINT)
    with pytest.raises(StudentError) as raw:
        call_with_hint(sub, "pas_fini", 1, hint=HINT)
    assert raw.value.ename == "NotImplementedError", "not a shape error: reported as usual"


def test_on_none_hints_every_error_and_on_narrows_the_kinds():
    sub = InProcess(STUDENT)
    with pytest.raises(CheckFailed, match="NotImplementedError : .* ; Z1"):
        call_with_hint(sub, "pas_fini", 1, hint=HINT, on=None)
    with pytest.raises(StudentError):
        call_with_hint(sub, "forme", 1, hint=HINT, on=("KeyError",))


def test_score_threshold_appends_the_hint_to_partial_and_failed_scores():
    hint = ("vérifiez la boucle", "check the loop")
    kwargs = dict(full=0.9, partial=[(0.8, 0.5)], what_fr="précision", what_en="accuracy", hint=hint)
    assert score_threshold(0.95, **kwargs) is None
    with pytest.raises(Partial) as partial:
        score_threshold(0.85, **kwargs)
    assert partial.value.fraction == 0.5
    assert partial.value.message.fr.endswith("pour tous les points ; vérifiez la boucle")
    with pytest.raises(CheckFailed) as failed:
        score_threshold(0.1, **kwargs)
    assert failed.value.message.en.endswith("for full marks); check the loop")
    with pytest.raises(CheckFailed) as nan:
        score_threshold(float("nan"), **kwargs)
    assert nan.value.message.fr.endswith(" ; vérifiez la boucle"), "a value that is no number too"
    with pytest.raises(ValueError):
        score_threshold(0.5, full=0.9, partial=[(0.95, 0.5)], what_fr="p", what_en="p", hint=hint)
