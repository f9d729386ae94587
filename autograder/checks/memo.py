"""Work several checks share, done once per graded submission.

A hidden check that trains the student's model on grader data is worth several checks
(accuracy, margin, "the weights moved"...): training once per check would multiply the
grading time. The result, or the student-facing failure, lives on the `submission`
object, so it dies with it and the next submission starts afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from autograder.bridge.proxy import Submission
from autograder.bridge.values import SubmissionError
from autograder.checks.errors import CheckFailed

T = TypeVar("T")


def once_per_submission(submission: Submission, key: str, compute: Callable[[], T]) -> T:
    """`compute()` the first time `key` is asked for this submission, the kept value after.

    A failure the student caused (`SubmissionError`, `CheckFailed`) is kept too and raised
    again by every check that needs the value, each reporting it; anything else is a grader
    bug and propagates at once. `key` must be unique among a TP's checks ("tp06-trained").
    """
    memo: dict[str, Any] = submission.memo
    if key not in memo:
        try:
            memo[key] = compute()
        except (SubmissionError, CheckFailed) as exc:
            memo[key] = exc
    result = memo[key]
    if isinstance(result, BaseException):
        raise result
    return result
