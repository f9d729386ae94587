"""Shared fixtures: the real course in this repo, graded through the real sandboxed kernel."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import pytest

from autograder.config import GradeOptions
from autograder.course import Course
from autograder.grade import grade_notebook_dict
from autograder.nbio import grade_id
from autograder.results import GradeReport

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def course() -> Course:
    return Course(ROOT)


@functools.cache
def views(tp_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(release, solution) notebooks of a TP, built from source/ like `autograder release`."""
    from autograder.release import build_views

    v = build_views(Course(ROOT).tp(tp_id), nbgrader_config=ROOT / "nbgrader_config.py")
    return v.release_nb, v.solution_nb


def with_answers(nb: dict[str, Any], replacements: dict[str, str]) -> dict[str, Any]:
    """A copy of `nb` whose answer cells with these grade_ids hold the given source."""
    out = copy.deepcopy(nb)
    seen = set()
    for cell in out["cells"]:
        gid = grade_id(cell)
        if gid in replacements:
            cell["source"] = replacements[gid]
            seen.add(gid)
    missing = set(replacements) - seen
    assert not missing, f"no answer cell with grade_id {sorted(missing)}"
    return out


@pytest.fixture(scope="session")
def grade_answers():
    """grade_answers(tp_id, {grade_id: source}) -> GradeReport, from the solution."""

    def run(tp_id: str, replacements: dict[str, str], **opts: Any) -> GradeReport:
        release, solution = views(tp_id)
        nb = with_answers(solution, replacements)
        tp = Course(ROOT).tp(tp_id)
        return grade_notebook_dict(tp, nb, options=GradeOptions(**opts), instructor_nb=release).report

    return run


@pytest.fixture(scope="session")
def grade_release():
    """grade_release(tp_id) -> GradeReport of the untouched student notebook."""

    def run(tp_id: str, **opts: Any) -> GradeReport:
        release, _ = views(tp_id)
        tp = Course(ROOT).tp(tp_id)
        return grade_notebook_dict(tp, release, options=GradeOptions(**opts), instructor_nb=release).report

    return run
