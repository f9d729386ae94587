"""checks.memo: shared grader-side work done once per submission, failures kept for each check."""

from __future__ import annotations

import pytest

from autograder.bridge.proxy import Submission
from autograder.checks import CheckFailed, once_per_submission
from autograder.results import Message

GONE = Message(fr="pas de noyau", en="no kernel")


def fresh() -> Submission:
    return Submission(None, None, unavailable=GONE)


def test_computes_once_per_key_and_submission():
    calls = []
    a, b = fresh(), fresh()

    def train(tag):
        calls.append(tag)
        return len(calls)

    assert once_per_submission(a, "tp-trained", lambda: train("a")) == 1
    assert once_per_submission(a, "tp-trained", lambda: train("again")) == 1
    assert once_per_submission(a, "tp-data", lambda: train("data")) == 2
    assert once_per_submission(b, "tp-trained", lambda: train("b")) == 3, "the next submission starts afresh"
    assert calls == ["a", "data", "b"]


def test_a_student_failure_is_raised_again_for_every_check_without_recomputing():
    calls = []
    sub = fresh()

    def train():
        calls.append(1)
        raise CheckFailed(Message(fr="les poids n'ont pas bougé", en="the weights did not move"))

    for _ in range(3):
        with pytest.raises(CheckFailed, match="weights did not move|poids"):
            once_per_submission(sub, "tp-trained", train)
    assert calls == [1]


def test_a_grader_bug_is_not_kept():
    sub, calls = fresh(), []

    def broken():
        calls.append(1)
        raise ZeroDivisionError("grader bug")

    for _ in range(2):
        with pytest.raises(ZeroDivisionError):
            once_per_submission(sub, "tp-trained", broken)
    assert calls == [1, 1]
