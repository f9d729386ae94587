"""A grader-side fault (the kernel cannot start) is never turned into a student's grade."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from tests.course_builder import MINI, SOLUTION, StudentRepo, build_course, student_notebook

CLI = [sys.executable, "-m", "autograder"]


@pytest.fixture
def broken_kernel_python(tmp_path):
    """Answers the sandbox's probe (-c) like Python, but cannot start ipykernel."""
    script = tmp_path / "bin" / "python-no-kernel"
    script.parent.mkdir()
    script.write_text(
        f'#!/bin/sh\nif [ "$1" = "-c" ]; then exec {sys.executable} "$@"; fi\nexit 1\n',
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC | stat.S_IXGRP | stat.S_IXOTH)
    return script


def test_grade_exits_4_and_says_it_is_no_grade(tmp_path, broken_kernel_python):
    course = build_course(tmp_path / "course").root
    repo = StudentRepo(tmp_path / "repo")
    sha = repo.commit({f"{MINI}/{MINI}.ipynb": student_notebook(SOLUTION)}, "rendu")
    env = {**os.environ, "AUTOGRADER_KERNEL_PYTHON": str(broken_kernel_python)}
    proc = subprocess.run(
        [
            *CLI,
            "grade",
            "--repo",
            str(repo.path),
            "--ref",
            sha,
            "--tp",
            MINI,
            "--out",
            str(tmp_path / "out"),
            "--course",
            str(course),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 4, proc.stderr[-2000:]
    assert "no grade" in proc.stderr
    grade = json.loads((tmp_path / "out" / "grade.json").read_text())
    assert any(p["code"] == "kernel-start-failed" for p in grade["problems"])


def test_grade_class_records_grader_error_not_zero(tmp_path, broken_kernel_python):
    course = build_course(tmp_path / "course").root
    repo = StudentRepo(tmp_path / "repo")
    repo.commit(
        {f"{MINI}/{MINI}.ipynb": student_notebook(SOLUTION)},
        "rendu",
        date="2026-11-30T10:00:00+01:00",
    )
    roster = tmp_path / "roster.csv"
    roster.write_text(f"student_id,name,repo\ns1,Élève Un,{repo.path}\n", encoding="utf-8")
    env = {**os.environ, "AUTOGRADER_KERNEL_PYTHON": str(broken_kernel_python)}
    out = tmp_path / "class"
    proc = subprocess.run(
        [
            *CLI,
            "grade-class",
            "--roster",
            str(roster),
            "--tp",
            MINI,
            "--deadline",
            "2026-12-01T00:00:00+01:00",
            "--out",
            str(out),
            "--course",
            str(course),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads((out / "students" / "s1" / "result.json").read_text())
    assert result["status"] == "grader-error" and "grader fault" in result["reason"]
    # Fixed grader: the rerun grades the student (a grader-error is never kept as final).
    proc = subprocess.run(
        [
            *CLI,
            "grade-class",
            "--roster",
            str(roster),
            "--tp",
            MINI,
            "--deadline",
            "2026-12-01T00:00:00+01:00",
            "--out",
            str(out),
            "--course",
            str(course),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads((out / "students" / "s1" / "result.json").read_text())
    assert result["status"] == "graded" and result["final_score"] == result["max_score"] > 0
