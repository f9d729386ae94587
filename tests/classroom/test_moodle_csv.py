"""moodle.csv: the grade column for Moodle, the feedback column for the student, with the
real reason of a zero (what result.json says), French numbers and dates in French."""

from __future__ import annotations

import csv
import io

import pytest

from autograder.classroom.class_result import StudentResult
from autograder.classroom.gradebook import moodle_comment, moodle_csv

DEADLINE = "2026-12-01T23:59:00+01:00"


def _result(**kw) -> StudentResult:
    base = {"student_id": "s1", "name": "Élève", "email": "s1@x.fr", "deadline": DEADLINE,
            "raw_score": 0.0, "final_score": 0.0, "max_score": None, "problems": []}
    return StudentResult.from_json({**base, **kw})


UNREACHABLE = _result(status="no-submission", reason="repository unreachable: fatal: repository '/x' does not exist")
NOTHING_ON_TIME = _result(status="no-submission", reason="no commit on or before the deadline")
NO_BRANCH = _result(status="no-submission", reason="branch rendu not found")
GRADER = _result(status="grader-error", reason="RuntimeError: grader fault, twice: kernel did not start")
KERNEL = _result(status="graded", raw_score=0.0, max_score=7.0, problems=["kernel-died", "cells-skipped"])


def test_an_unreachable_repository_is_not_called_a_missing_submission():
    fr, en = moodle_comment(UNREACHABLE, "fr"), moodle_comment(UNREACHABLE, "en")
    assert "dépôt inaccessible" in fr and "date limite" not in fr
    assert "repository unreachable" in en and "deadline" not in en


def test_nothing_before_the_deadline_says_when_the_deadline_was():
    assert moodle_comment(NOTHING_ON_TIME, "fr") == (
        "aucun rendu avant la date limite (1er décembre 2026 à 23:59 (UTC+01:00))"
    )
    paris = moodle_comment(StudentResult.from_json({**NOTHING_ON_TIME.to_json(), "timezone": "Europe/Paris"}), "en")
    assert paris == "no submission before the deadline (1 December 2026 at 23:59 (Europe/Paris))"


@pytest.mark.parametrize(
    ("result", "fr", "en"),
    [
        (NO_BRANCH, "branche rendu introuvable", "branch rendu not found"),
        (GRADER, "erreur du correcteur", "grader error"),
        (KERNEL, "0 / 7 — le noyau Python s'est arrêté", "0 / 7 — the Python kernel died"),
    ],
    ids=["missing-branch", "grader-error", "kernel-died"],
)
def test_each_zero_says_its_own_reason(result, fr, en):
    assert fr in moodle_comment(result, "fr") and en in moodle_comment(result, "en")


def test_graded_score_and_penalty_in_the_students_language():
    late = _result(status="graded", raw_score=16.5, final_score=14.85, max_score=20.0, penalty=0.1)
    assert moodle_comment(late, "fr") == "16,5 / 20, pénalité de retard 10 %"
    assert moodle_comment(late, "en") == "16.5 / 20, late penalty 10%"


def test_grade_column_keeps_a_dot_for_moodle():
    late = _result(status="graded", raw_score=16.5, final_score=14.85, max_score=20.0, penalty=0.1)
    rows = list(csv.reader(io.StringIO(moodle_csv([late, UNREACHABLE], "TP 1", "fr"))))
    assert rows[0] == ["ID number", "Email address", "Full name", "TP 1", "TP 1 (feedback)"]
    assert rows[1][3] == "14.85" and rows[1][4].startswith("16,5 / 20")
    assert rows[2][3] == "0" and "dépôt inaccessible" in rows[2][4]


def test_summary_html_in_french_numbers_with_each_zeros_reason(tmp_path):
    from autograder.classroom.summary import write_summary

    late = _result(status="graded", raw_score=16.5, final_score=14.85, max_score=20.0, penalty=0.1,
                   checks=[{"name": "test_a", "status": "passed"}])
    page = write_summary(tmp_path, [late, UNREACHABLE], title="TP 1", lang="fr").read_text("utf-8")
    assert '<html lang="fr">' in page
    assert "14,85 / 20" in page and "10 %" in page and "100 %" in page
    assert "mean of graded: 14,85" in page
    assert "no-submission : dépôt inaccessible" in page
    english = write_summary(tmp_path, [late], title="TP 1", lang="en").read_text("utf-8")
    assert "14.85 / 20" in english and "10%" in english


def test_with_items_graded_by_hand_the_maximum_is_the_automatic_plus_the_manual_points():
    from autograder.classroom.gradebook import grades_csv

    # 7 automatic points a day late (10 %), 1.5 of 2 graded by hand (as entered, no penalty).
    late = _result(status="graded", raw_score=7.0, final_score=7.8, max_score=7.0, penalty=0.1,
                   manual_score=1.5, manual_max_score=2.0, review_text="commentaire 1,5 / 2 (à la main)")
    assert moodle_comment(late, "fr") == (
        "8,5 / 9, pénalité de retard 10 % sur la partie automatique — commentaire 1,5 / 2 (à la main)"
    )
    assert moodle_comment(late, "en").startswith("8.5 / 9, late penalty 10% on the automatic part")
    rows = list(csv.DictReader(io.StringIO(grades_csv([late, UNREACHABLE], 7.0))))
    assert [(r["final_score"], r["max_score"], r["final_max_score"]) for r in rows] == [
        ("7.8", "7", "9"), ("0", "7", "9")  # no submission: out of the class's total too
    ]
