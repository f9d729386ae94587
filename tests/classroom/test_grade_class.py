"""A class of 12 real student repos graded at the deadline: every way of running it gives
the same grades, one student's failure never stops the others, and a kill -9 loses nothing.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.course_builder import (
    FAST,
    MAX_SCORE,
    MINI,
    SOLUTION,
    WRONG,
    StudentRepo,
    build_course,
    student_notebook,
)

DEADLINE = "2026-12-01T23:59:00+01:00"
ON_TIME = "2026-11-30T18:00:00+01:00"
NB = f"{MINI}/{MINI}.ipynb"
CLI = [sys.executable, "-m", "autograder"]


def _class(root: Path) -> tuple[Path, Path, dict[str, float]]:
    """Course + 12 students; returns (course root, roster, expected final score by id)."""
    course = build_course(root / "course").root
    repos = root / "repos"
    expected: dict[str, float] = {}
    rows = ["student_id,name,repo,branch,email"]

    def student(
        sid: str, commits: list[tuple[dict, str]], branch: str = "main", score: float | None = None
    ) -> None:
        repo = StudentRepo(repos / sid)
        repo.commit({NB: student_notebook()}, "sujet", date="2026-11-20T09:00:00+01:00")
        for nb, date in commits:
            repo.commit({NB: nb}, "rendu", date=date)
        rows.append(f"{sid},Élève {sid},{repos / sid},{branch},{sid}@etu.example.fr")
        if score is not None:
            expected[sid] = score

    for k in range(5):  # on time, full marks
        student(f"s{k:02d}-ok", [(student_notebook(SOLUTION), ON_TIME)], score=MAX_SCORE)
    student(
        "s05-partial",
        [(student_notebook({**SOLUTION, "add": WRONG["add"]}), ON_TIME)],
        score=MAX_SCORE - 3,
    )
    # 1 day and 3 days late: 10 % per started day, at most 3 days accepted
    student(
        "s06-late1",
        [(student_notebook(SOLUTION), "2026-12-02T20:00:00+01:00")],
        score=round(MAX_SCORE * 0.9, 4),
    )
    student(
        "s07-toolate",
        [
            (student_notebook(SOLUTION), ON_TIME),
            (student_notebook({}), "2026-12-09T10:00:00+01:00"),
        ],
        score=MAX_SCORE,
    )
    student("s08-nocommit", [], score=0.0)  # only the release commit, before the deadline: 0
    student("s09-broken", [(b'{"cells": [', ON_TIME)], score=0.0)
    student("s10-copy", [(student_notebook(SOLUTION), ON_TIME)], score=MAX_SCORE)
    rows.append(f"s11-unreachable,Élève absent,{repos / 'does-not-exist'},,")
    expected["s11-unreachable"] = 0.0
    roster = root / "roster.csv"
    roster.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return course, roster, expected


def _run(
    course: Path, roster: Path, out: Path, *extra: str, check: bool = True
) -> subprocess.CompletedProcess:
    cmd = [
        *CLI,
        "grade-class",
        "--roster",
        str(roster),
        "--tp",
        MINI,
        "--deadline",
        DEADLINE,
        "--out",
        str(out),
        "--course",
        str(course),
        "--penalty-per-day",
        "0.1",
        "--max-late-days",
        "3",
        "--cell-timeout",
        str(FAST["cell_timeout"]),
        "--total-timeout",
        str(FAST["total_timeout"]),
        "--call-timeout",
        str(FAST["call_timeout"]),
        *extra,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if check:
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return proc


def _errors(out: Path) -> str:
    """Why any student ended in grader-error (shown when grades differ)."""
    lines = []
    for p in sorted(out.glob("students/*/result.json")):
        r = json.loads(p.read_text(encoding="utf-8"))
        if r.get("status") == "grader-error":
            lines.append(f"{r['student_id']}: {r.get('reason')}\n{r.get('traceback', '')[-1500:]}")
    return "\n".join(lines)


def _grades(out: Path) -> dict[str, tuple[str, str, str]]:
    with open(out / "grades.csv", encoding="utf-8") as f:
        return {
            r["student_id"]: (r["final_score"], r["status"], r["commit"]) for r in csv.DictReader(f)
        }


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    course, roster, expected = _class(root)
    out = root / "serial"
    _run(course, roster, out)
    return root, course, roster, expected, out


def test_serial_run_grades_everyone_as_expected(klass):
    _, _, _, expected, out = klass
    grades = _grades(out)
    assert set(grades) == set(expected)
    for sid, score in expected.items():
        assert float(grades[sid][0]) == pytest.approx(score), (sid, grades[sid])
    assert grades["s08-nocommit"][1] == "graded"  # the untouched release was committed: 0, graded
    assert grades["s11-unreachable"][1] == "no-submission"
    assert grades["s09-broken"][1] == "graded"
    broken = json.loads((out / "students" / "s09-broken" / "result.json").read_text())
    assert "invalid-json" in broken["problems"]
    late = json.loads((out / "students" / "s06-late1" / "result.json").read_text())
    assert (
        late["late_days"] == 1
        and late["penalty"] == pytest.approx(0.1)
        and late["date_source"] == "committer-date"
    )
    for name in (
        "grades.csv",
        "moodle.csv",
        "summary.html",
        "scores.png",
        "pass_rates.png",
        "grading_times.png",
    ):
        assert (out / name).is_file(), name
    assert (out / "students" / "s00-ok" / "report" / "feedback.html").is_file()
    from autograder.classroom.nbgrader_export import read_back

    in_db = read_back(out / "gradebook.db", MINI)  # the nbgrader gradebook, for formgrader
    assert {sid: pytest.approx(score) for sid, score in in_db.items()} == {
        sid: float(g[0]) for sid, g in grades.items()
    }
    assert (out / "autograded" / "s00-ok" / MINI / f"{MINI}.ipynb").is_file()
    moodle = (out / "moodle.csv").read_text(encoding="utf-8").splitlines()
    assert moodle[0].startswith("ID number,Email address,Full name,")
    assert any(
        line.startswith("s06-late1,s06-late1@etu.example.fr,") and "10 %" in line for line in moodle
    )
    comments = {row[0]: row[4] for row in csv.reader(moodle[1:])}
    # Each zero says its own reason (result.json's), with French numbers and dates.
    assert comments["s11-unreachable"].startswith("dépôt inaccessible"), comments["s11-unreachable"]
    assert comments["s09-broken"].startswith("0 / 7 — notebook illisible"), comments["s09-broken"]
    assert comments["s05-partial"] == "4 / 7"
    # No timezone in the course: the feedback's dates are in the deadline's zone (+01:00).
    feedback = (out / "students" / "s00-ok" / "report" / "feedback.html").read_text(encoding="utf-8")
    assert "du 30 novembre 2026 à 18:00 (UTC+01:00)" in feedback


def test_parallel_run_gives_identical_grades(klass, tmp_path):
    _, course, roster, _, out = klass
    _run(course, roster, tmp_path / "par", "--jobs", "2")
    assert _grades(tmp_path / "par") == _grades(out), _errors(tmp_path / "par")


def test_shards_then_merge_give_identical_grades(klass, tmp_path):
    _, course, roster, _, out = klass
    shards = []
    for i in (1, 2, 3):
        d = tmp_path / f"shard{i}"
        _run(course, roster, d, "--shard", f"{i}/3")
        shards.append(d)
    sizes = [len(list((d / "students").iterdir())) for d in shards]
    assert sum(sizes) == 12 and max(sizes) - min(sizes) <= 1
    proc = subprocess.run(
        [
            *CLI,
            "merge-class",
            *map(str, shards),
            "--out",
            str(tmp_path / "merged"),
            "--tp",
            MINI,
            "--course",
            str(course),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert _grades(tmp_path / "merged") == _grades(out), _errors(tmp_path / "merged")


def test_rerun_skips_unchanged_students_and_force_regrades(klass, tmp_path):
    _, course, roster, _, out = klass
    before = {p.parent.name: p.stat().st_mtime_ns for p in (out / "students").glob("*/result.json")}
    _run(course, roster, out)
    after = {p.parent.name: p.stat().st_mtime_ns for p in (out / "students").glob("*/result.json")}
    assert before == after, "an unchanged student was graded again"


def test_kill_9_then_resume_loses_nothing(klass, tmp_path):
    _, course, roster, _, out = klass
    target = tmp_path / "killed"
    cmd = [
        *CLI,
        "grade-class",
        "--roster",
        str(roster),
        "--tp",
        MINI,
        "--deadline",
        DEADLINE,
        "--out",
        str(target),
        "--course",
        str(course),
        "--penalty-per-day",
        "0.1",
        "--max-late-days",
        "3",
        "--cell-timeout",
        "4",
        "--total-timeout",
        "30",
        "--call-timeout",
        "3",
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list(target.glob("students/*/result.json"))) < 4:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = {p.parent.name: p.read_bytes() for p in target.glob("students/*/result.json")}
    assert 4 <= len(done_before) < 12
    for data in done_before.values():
        json.loads(data)  # every result written is whole (atomic writes)
    _run(course, roster, target)
    for sid, data in done_before.items():
        assert (target / "students" / sid / "result.json").read_bytes() == data, (
            f"{sid} was graded again"
        )
    assert _grades(target) == _grades(out), _errors(target)


def test_two_graders_on_one_output_dir_refuse_the_second(klass, tmp_path):
    _, course, roster, _, _ = klass
    from autograder.classroom.grade_class import output_lock
    from autograder.config import ConfigError

    target = tmp_path / "locked"
    with output_lock(target):
        proc = _run(course, roster, target, check=False)
        assert proc.returncode == 2, proc.stderr[-1000:]
        assert "déjà utilisé" in proc.stderr
    with pytest.raises(ConfigError):
        with output_lock(target), output_lock(target):
            pass


def test_fingerprint_follows_every_file_that_decides_a_grade(tmp_path):
    """Held-out data beside the hidden checks, and data files, invalidate cached grades too."""
    from datetime import UTC, datetime

    from autograder.classroom.deadline import LatePolicy
    from autograder.classroom.grade_class import ClassJob, fingerprint
    from autograder.config import GradeOptions
    from autograder.release.scaffold import new_tp

    tp_dir = new_tp(tmp_path, "tp00_essai", title_fr="Essai", title_en="Trial")
    (tp_dir / "data").mkdir()
    (tp_dir / "data" / "x.csv").write_text("1\n", encoding="utf-8")
    toml = tp_dir / "tp.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("files = []", 'files = ["data"]'), encoding="utf-8")
    (tp_dir / "checks" / "hidden" / "held_out.txt").write_text("a", encoding="utf-8")
    job = ClassJob(tmp_path, "tp00_essai", datetime(2026, 12, 1, tzinfo=UTC), LatePolicy(), GradeOptions(), tmp_path / "out")
    first = fingerprint(job)
    (tp_dir / "checks" / "hidden" / "held_out.txt").write_text("b", encoding="utf-8")
    second = fingerprint(job)
    (tp_dir / "data" / "x.csv").write_text("2\n", encoding="utf-8")
    third = fingerprint(job)
    assert len({first, second, third}) == 3
    (tp_dir / "checks" / "hidden" / "__pycache__").mkdir()
    (tp_dir / "checks" / "hidden" / "__pycache__" / "t.pyc").write_bytes(b"\0")
    assert fingerprint(job) == third
