"""The values and errors that cross the bridge (autograder.bridge.values)."""

from __future__ import annotations

import pytest

from autograder.bridge.values import (
    BadValue,
    KernelDied,
    MiB,
    ReadBudget,
    StudentError,
    SubmissionError,
)
from autograder.errors import AutograderError
from autograder.results import Message


def test_a_read_budget_counts_every_read_and_refuses_past_its_total():
    budget = ReadBudget(2 * MiB)
    budget.take(MiB, "f")
    budget.take(MiB, "f")
    with pytest.raises(BadValue) as refused:
        budget.take(1, "g")
    assert "`g`" in refused.value.message.en and "2 MiB" in refused.value.message.en
    assert "2 Mio" in refused.value.message.fr


def test_a_spent_budget_refuses_every_later_read():
    budget = ReadBudget(MiB)
    with pytest.raises(BadValue):
        budget.take(2 * MiB, "big")
    with pytest.raises(BadValue):
        budget.take(1, "small")


def test_submission_errors_share_the_one_base_and_carry_a_message():
    msg = Message(fr="arrêté", en="stopped")
    for exc in (KernelDied(msg), BadValue(msg)):
        assert isinstance(exc, SubmissionError) and isinstance(exc, AutograderError)
        assert exc.message == msg
    err = StudentError(msg, "ValueError", "bad shape")
    assert (err.ename, err.evalue) == ("ValueError", "bad shape")
