"""gradebook: grades.csv (numbers for programs) and moodle.csv written from the class's results."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from autograder.classroom.class_result import (
    CheckScore,
    ClassContext,
    Review,
    Selection,
    StudentResult,
)
from autograder.classroom.gradebook import (
    GRADES_COLUMNS,
    class_out_of,
    grades_csv,
    out_of,
    write_gradebook,
)

CONTEXT = ClassContext(email="ada@x.fr", tp="tp_mini", deadline="2026-12-01T23:59:00+01:00", timezone="+01:00")
LATE = StudentResult(
    "ada", "Ada", "graded", raw_score=7.0, max_score=7.0, final_score=6.3, context=CONTEXT,
    selection=Selection("f" * 40, "2026-12-02T20:00:00+01:00", "committer-date", late_days=1.0, penalty=0.1),
    checks=(CheckScore("test_add", "add", 7.0, 7.0, "passed"),), grading_time_s=0.25,
)
UNREACHABLE = StudentResult("bob", "Bob", "no-submission", context=CONTEXT, selection=Selection(date_source="committer-date"),
                            reason="repository unreachable: x", problems=("no-submission",), grading_time_s=0.0)
DEAD_WORKER = StudentResult("cy", "Cy", "grader-error", reason="worker died", problems=("grader-error",))


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_grades_csv_has_one_row_per_result_in_its_columns():
    rows = _rows(grades_csv([LATE, UNREACHABLE, DEAD_WORKER], 7.0))
    assert list(rows[0]) == GRADES_COLUMNS
    ada, bob, cy = rows
    assert (ada["final_score"], ada["raw_score"], ada["max_score"], ada["penalty"], ada["late_days"]) == ("6.3", "7", "7", "0.1", "1")
    assert (ada["commit"], ada["date_source"], ada["grading_time_s"], ada["auto_final_score"]) == ("f" * 40, "committer-date", "0.25", "6.3")
    # Without a graded notebook: 0, out of the class's maximum, no commit.
    assert (bob["status"], bob["final_score"], bob["max_score"], bob["commit"], bob["problems"]) == ("no-submission", "0", "7", "", "no-submission")
    # A worker that died before its student was known: no lateness, no time, still a row.
    assert (cy["status"], cy["penalty"], cy["late_days"], cy["grading_time_s"], cy["email"]) == ("grader-error", "0", "0", "", "")
    assert {r["final_max_score"] for r in rows} == {"7"}


def test_a_review_keeps_the_automatic_score_beside_the_new_one():
    reviewed = replace(LATE, final_score=5.3, review=Review(6.3, text="add 7 → 6"))
    (row,) = _rows(grades_csv([reviewed], 7.0))
    assert (row["final_score"], row["auto_final_score"], row["review"]) == ("5.3", "6.3", "add 7 → 6")


def test_what_a_final_score_is_out_of_counts_the_points_graded_by_hand():
    manual = StudentResult("dee", "Dee", "graded", max_score=7.0, manual_max_score=2.0)
    assert out_of(manual) == 9.0 and out_of(LATE) == 7.0 and out_of(UNREACHABLE) is None
    assert class_out_of([LATE, UNREACHABLE, manual]) == 9.0 and class_out_of([UNREACHABLE]) is None


def test_write_gradebook_writes_both_files_and_replaces_old_ones(tmp_path):
    (tmp_path / "grades.csv").write_text("old", encoding="utf-8")
    paths = write_gradebook(tmp_path, [LATE, UNREACHABLE], item_name="TP mini", lang="en")
    assert set(paths) == {"grades.csv", "moodle.csv"}
    assert _rows(paths["grades.csv"].read_text(encoding="utf-8"))[1]["max_score"] == "7"
    moodle = list(csv.reader(io.StringIO(paths["moodle.csv"].read_text(encoding="utf-8"))))
    assert moodle[0] == ["ID number", "Email address", "Full name", "TP mini", "TP mini (feedback)"]
    assert moodle[1][:4] == ["ada", "ada@x.fr", "Ada", "6.3"] and moodle[1][4] == "7 / 7, late penalty 10%"
    assert not list(tmp_path.glob(".*"))  # written atomically: no temporary file left
