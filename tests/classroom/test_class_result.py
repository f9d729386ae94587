"""class_result: result.json's keys per case, written and read back in one place."""

from __future__ import annotations

import json

from autograder.classroom.class_result import (
    CheckScore,
    ClassContext,
    ManualItem,
    Review,
    Selection,
    StudentResult,
)
from autograder.classroom.grade_class import read_result, write_result

CONTEXT = ClassContext(
    email="ada@etu.example.fr", repo="/repos/ada", branch=None, tp="tp_mini", deadline="2026-12-01T23:59:00+01:00",
    timezone="+01:00", late_policy={"cap": 1.0, "grace_minutes": 0.0, "max_late_days": 3.0, "penalty_per_day": 0.1},
    fingerprint="0123456789abcdef",
)
ON_TIME = Selection(sha="a" * 40, commit_date="2026-11-30T18:00:00+01:00", date_source="committer-date")
NOTHING = Selection(date_source="committer-date")
IDENTITY = {"student_id", "name", "email", "repo", "branch", "tp", "deadline", "timezone", "late_policy", "fingerprint",
            "sha", "commit_date", "date_source", "late_days", "penalty", "date_note"}
SCORES = {"status", "raw_score", "max_score", "final_score", "checks", "problems", "grading_time_s"}

GRADED = StudentResult(
    "ada", "Ada L", "graded", raw_score=4.0, max_score=7.0, final_score=4.0, context=CONTEXT, selection=ON_TIME,
    checks=(CheckScore("test_add", "add", 0.0, 3.0, "failed"), CheckScore("test_square", "square", 4.0, 4.0, "passed")),
    problems=("cells-skipped",), author="Ada <ada@x>", sandbox="namespaces", grading_time_s=0.5,
)
WITH_MANUAL = StudentResult(
    "bob", "Bob", "graded", max_score=7.0, context=CONTEXT, selection=ON_TIME, sandbox=None, author="Bob",
    manual=(ManualItem("essay", 2.0, "Rédaction", "Essay"),), manual_max_score=2.0, grading_time_s=0.1,
)
NO_SUBMISSION = StudentResult(
    "cy", "Cy", "no-submission", context=CONTEXT, selection=NOTHING, reason="no commit on or before the deadline",
    problems=("no-submission",), grading_time_s=0.0,
)
GRADER_ERROR = StudentResult(
    "dee", "Dee", "grader-error", context=CONTEXT, selection=ON_TIME, reason="RuntimeError: boom",
    traceback="Traceback ...", problems=("grader-error",), grading_time_s=1.0,
)
DEAD_WORKER = StudentResult("eve", "Eve", "grader-error", reason="worker died", problems=("grader-error",))


def test_each_case_writes_exactly_its_own_keys():
    """The keys result.json has always had for each case: none added, none lost."""
    assert set(GRADED.to_json()) == IDENTITY | SCORES | {"author", "sandbox"}
    assert set(WITH_MANUAL.to_json()) == IDENTITY | SCORES | {"author", "sandbox", "manual", "manual_max_score"}
    assert set(NO_SUBMISSION.to_json()) == IDENTITY | SCORES | {"reason"}
    assert set(GRADER_ERROR.to_json()) == IDENTITY | SCORES | {"reason", "traceback"}
    # A worker that died before its student was known: no deadline, no commit, no time.
    assert set(DEAD_WORKER.to_json()) == {"student_id", "name", "reason"} | SCORES - {"grading_time_s"}
    assert WITH_MANUAL.to_json()["sandbox"] is None  # graded without a sandbox level: null, not absent
    assert GRADED.to_json()["checks"][0] == {"name": "test_add", "item": "add", "score": 0.0, "max_score": 3.0,
                                            "status": "failed"}


def test_written_then_read_back_is_the_same_record_and_the_same_bytes(tmp_path):
    for r in (GRADED, WITH_MANUAL, NO_SUBMISSION, GRADER_ERROR, DEAD_WORKER):
        path = tmp_path / r.student_id / "result.json"
        write_result(path, r)
        back = read_result(path)
        assert back == r
        first = path.read_bytes()
        write_result(path, back)
        assert path.read_bytes() == first


def test_keys_of_another_version_are_kept_as_they_were(tmp_path):
    path = tmp_path / "result.json"
    path.write_text(json.dumps({**GRADED.to_json(), "similarity": {"max": 0.4}}), encoding="utf-8")
    r = read_result(path)
    assert r is not None and r.extra == {"similarity": {"max": 0.4}} and r.to_json()["similarity"] == {"max": 0.4}


def test_a_damaged_or_foreign_file_is_no_result(tmp_path):
    (tmp_path / "cut.json").write_text('{"student_id": "ada", "sta', encoding="utf-8")
    (tmp_path / "list.json").write_text("[1, 2]", encoding="utf-8")
    (tmp_path / "latin1.json").write_bytes(b'{"name": "\xe9"}')
    for name in ("cut.json", "list.json", "latin1.json", "missing.json"):
        assert read_result(tmp_path / name) is None, name


def test_a_record_without_a_commit_reads_as_readers_always_assumed():
    """The defaults of an absent key: no penalty, no lateness, no commit, no review."""
    assert (DEAD_WORKER.penalty, DEAD_WORKER.late_days, DEAD_WORKER.sha, DEAD_WORKER.email) == (0.0, 0.0, None, None)
    assert DEAD_WORKER.review_text == "" and DEAD_WORKER.manual_score is None and not DEAD_WORKER.graded


def test_reviews_shown_in_the_exports_round_trip_but_are_not_part_of_a_plain_result():
    reviewed = StudentResult.from_json({
        **WITH_MANUAL.to_json(), "auto_final_score": 0.0, "final_score": 1.5, "review": [{"item": "essay"}],
        "manual_score": 1.5, "manual_pending_items": {}, "review_text": "essay 1,5 / 2 (à la main)",
    })
    assert reviewed.review == Review(0.0, ({"item": "essay"},), 1.5, {}, "essay 1,5 / 2 (à la main)")
    assert StudentResult.from_json(reviewed.to_json()) == reviewed
    assert "review" not in GRADED.to_json() and "auto_final_score" not in GRADED.to_json()
