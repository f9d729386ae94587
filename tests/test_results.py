"""results: the grade report's values, and the few rules they carry."""

from __future__ import annotations

import json

import pytest

from autograder.results import (
    CheckResult,
    CommitInfo,
    GradeReport,
    ManualItem,
    Margin,
    Message,
    Problem,
    Status,
    Visibility,
    is_grader_fault,
    total_score,
)


def test_a_message_falls_back_to_french_without_an_english_text():
    assert Message("bonjour", "hello").text("en") == "hello"
    assert Message("bonjour").text("en") == "bonjour" and Message("bonjour", "hello").text("fr") == "bonjour"


@pytest.mark.parametrize(
    ("margin", "slack"),
    [
        (Margin("accuracy", 0.9, 0.8, higher_is_better=True), 0.125),
        (Margin("loss", 0.6, 0.8, higher_is_better=False), 0.25),
        (Margin("error", 2e-3, 1e-3, higher_is_better=False, kind="tolerance"), -1.0),
    ],
    ids=["above-a-floor", "below-a-ceiling", "past-a-tolerance"],
)
def test_slack_is_the_signed_distance_to_the_bar(margin, slack):
    assert margin.slack == pytest.approx(slack)


def _check(score: float, max_score: float) -> CheckResult:
    return CheckResult("test_x", "x", score, max_score, Status.PARTIAL, Visibility.HIDDEN)


def test_totals_carry_no_float_noise():
    assert total_score([_check(0.1, 1.0), _check(0.2, 1.0)]) == (0.3, 2.0)
    assert total_score([]) == (0.0, 0.0)


def _report(*problems: str, manual: tuple[ManualItem, ...] = ()) -> GradeReport:
    return GradeReport(
        "tp_x", Message("TP"), CommitInfo("/repo", "HEAD"), 1.0, 2.0, checks=(_check(1.0, 2.0),),
        problems=tuple(Problem(code, Message(code)) for code in problems), manual=manual,
    )


def test_a_kernel_that_did_not_start_or_a_check_file_that_did_not_import_is_the_graders_fault():
    assert is_grader_fault(_report("kernel-start-failed", "cell-timeout"))
    # Its points are out of the score and of the total alike: a partial total is no grade.
    assert is_grader_fault(_report("check-collection-error"))
    assert not is_grader_fault(_report("kernel-died", "cell-timeout", "out-of-memory"))


def test_the_report_lists_what_is_left_to_grade_by_hand_and_serialises():
    report = _report(manual=(ManualItem("essay", 1.5, Message("Rédaction")), ManualItem("plot", 0.25, Message("Courbe"))))
    assert report.manual_pending == 1.75
    data = json.loads(json.dumps(report.to_dict()))
    assert data["checks"][0]["status"] == "partial" and data["manual"][0]["grade_id"] == "essay"
