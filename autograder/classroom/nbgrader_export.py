"""A class's results as an nbgrader course folder, for review in Formgrader, and back.

Each graded item (an answer cell's grade_id) becomes an nbgrader grade cell (and solution
cell, for comments) worth the points of its checks; each student's check scores, summed
per item, become the auto_score of that grade, already reviewed (not "needs manual
grading"). The executed notebooks are placed, sanitised, where Formgrader looks for them
(`autograded/<student>/<tp>/`), their answer cells marked as grade cells so that each shows
a score input and a comment box. `source/<tp>/` exists so that Formgrader lists the
assignment; `nbgrader_config.py` finds the folder from its own location, so the folder can
be moved or unpacked from a CI artifact.

What the instructor changes in Formgrader (a score, extra credit, a comment) is read back
by `read_reviews`, checked against the class (`ReviewError` names the student and item),
applied to the results by `apply_reviews`, and carried over when the gradebook is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from autograder.classroom.class_result import (
    GRADED,
    StudentResult,
    gradebook_items,
    item_scores,
    manual_items,
)
from autograder.classroom.reviews import (
    Reviews,
)
from autograder.grading.sanitize import sanitize_notebook

GRADEBOOK = "gradebook.db"
NO_NOTEBOOK = "graded-by-autograder_nbgrader-must-not-convert-this-folder"
NBGRADER_CONFIG = f"""\
# Open this class folder in Formgrader: `jupyter lab` (or `jupyter server`) here, then the
# Formgrader tab. The course root is this file's folder: the class folder may be moved.
#
# autograder graded these notebooks, not nbgrader: Formgrader is for reviewing them. So
# that no nbgrader step can overwrite them, its converters (Generate, Autograde, Generate
# Feedback, and `nbgrader generate_assignment/autograde/...` run here) match no notebook
# and stop with "No notebooks were matched by '.../{NO_NOTEBOOK}.ipynb'" before writing
# anything; with no course id and no release/ folder, Formgrader offers no Release or
# Collect (no exchange). Rebuild the grades with `autograder merge-class` instead.
import os

c = get_config()  # noqa: F821
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.notebook_id = "{NO_NOTEBOOK}"
c.CourseDirectory.course_id = ""
"""
MANUAL_COMMENT = "À corriger à la main / to be graded by hand (tp.toml [[manual]])"
SOURCE_README = """\
This folder exists so that nbgrader's Formgrader lists the assignment `{tp}`.
The notebooks were graded by autograder (`autograder grade-class`), not by nbgrader:
Formgrader's Generate and Autograde buttons stop with "No notebooks were matched"
(nbgrader_config.py makes them match none, so they cannot overwrite these notebooks),
and it offers no Release or Collect (no exchange).
Review scores and comments in Manage Submissions, then rebuild grades.csv, moodle.csv
and summary.html with `autograder merge-class --tp {tp} --out <this folder>`.
"""


def _stamp_new_gradebook(db: Path) -> None:
    """nbgrader's Gradebook stamps a new database with its schema version by running the
    `alembic` command, found on PATH: stamped here first, read from alembic's own library
    (the same head), so the export needs no PATH and changes no process environment."""
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    head = ScriptDirectory(ALEMBIC_DIR).get_current_head()
    con = sqlite3.connect(db)
    try:
        with con:
            con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
            con.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (head,))
    finally:
        con.close()


def _auto_comment(result: StudentResult, item: str) -> str | None:
    """The checks of one item and their scores: the comment box's placeholder in Formgrader."""
    lines = [
        f"{c.name}: {float(c.score):g}/{float(c.max_score):g} ({c.status})"
        for c in result.checks
        if c.item == item
    ]
    return "\n".join(lines) or None


# -- writing the gradebook ------------------------------------------------------------------


def _grade_cell(item: str, points: float) -> dict[str, Any]:
    return {
        "grade": True, "grade_id": item, "locked": False, "points": points,
        "schema_version": 3, "solution": True, "task": False,
    }


def _place_autograded(executed: Path, dest: Path, items: dict[str, float]) -> None:
    """Where Formgrader reads it, sanitised again (a class folder graded by an older grader
    may hold an executed.ipynb with active outputs), each item's answer cell made a grade
    cell: an item whose cell is missing gets a note cell, so every score has its input."""
    try:
        nb = json.loads(executed.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        nb = None
    nb = sanitize_notebook(nb if isinstance(nb, dict) else {"cells": []})
    placed: set[str] = set()
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader")
        if not meta:
            continue
        gid = meta.get("grade_id")
        if gid in items and gid not in placed and meta.get("solution"):
            cell["metadata"]["nbgrader"] = _grade_cell(gid, items[gid])
            placed.add(gid)
        else:  # only the class's items carry a score input, each once
            meta["grade"] = False
            meta.pop("points", None)
    for item in sorted(set(items) - placed):
        nb["cells"].append({
            "cell_type": "markdown",
            "id": f"missing-{item}"[:64],
            "metadata": {"nbgrader": _grade_cell(item, items[item])},
            "source": f"*Cellule `{item}` absente du rendu / answer cell `{item}` missing from the submission*",
        })
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(nb, ensure_ascii=True, indent=1) + "\n", encoding="ascii")


def _timestamp(result: StudentResult) -> str | None:
    """The graded commit's date, if nbgrader can read it (a forged year 10000 cannot)."""
    from nbgrader.utils import parse_utc

    date = result.commit_date
    if not result.sha or not isinstance(date, str):
        return None
    try:
        parse_utc(date)
    except (ValueError, OverflowError, TypeError):
        return None
    return date


def _mark_submitted(folder: Path, result: StudentResult, stamp: str | None) -> None:
    """Formgrader counts submissions (and links to them) from `submitted/<student>/<tp>/`,
    and lists them as graded when its timestamp.txt matches the gradebook's."""
    if not result.sha:
        shutil.rmtree(folder, ignore_errors=True)
        return
    folder.mkdir(parents=True, exist_ok=True)
    ts = folder / "timestamp.txt"
    if stamp:
        ts.write_text(stamp + "\n", encoding="utf-8")
    else:
        ts.unlink(missing_ok=True)


def stable_id(*parts: str) -> str:
    """An nbgrader row id (32 hex digits) that the same class gives at every export: the
    gradebook is rebuilt from the results each time, and Formgrader's links name these ids."""
    return hashlib.sha256("\0".join(("autograder", *parts)).encode("utf-8")).hexdigest()[:32]


def _add_submission(gb: Any, tp: str, sid: str, stamp: str | None) -> None:
    """nbgrader's `Gradebook.add_submission`, with stable ids in place of random ones: a
    link to a student's notebook (/formgrader/submissions/<id>) and the ids its page saves
    grades and comments to stay valid when grade-class or merge-class rebuilds the gradebook."""
    from nbgrader.api import Comment, Grade, SubmittedAssignment, SubmittedNotebook
    from nbgrader.utils import parse_utc

    extra = {"timestamp": parse_utc(stamp)} if stamp else {}
    submission = SubmittedAssignment(
        id=stable_id("submission", tp, sid), assignment=gb.find_assignment(tp), student=gb.find_student(sid), **extra
    )
    for notebook in submission.assignment.notebooks:
        nb_id = stable_id("notebook", tp, sid, notebook.name)
        nb = SubmittedNotebook(id=nb_id, notebook=notebook, assignment=submission)
        for cell in notebook.grade_cells:
            Grade(id=stable_id("grade", nb_id, cell.name), cell_id=cell.id, notebook=nb)
        for cell in notebook.solution_cells:
            Comment(id=stable_id("comment", nb_id, cell.name), cell_id=cell.id, notebook=nb)
    gb.db.add(submission)
    gb.db.commit()


def write_nbgrader_gradebook(
    out: Path,
    results: list[StudentResult],
    *,
    tp: str,
    notebook: str,
    reviews: Reviews | None = None,
) -> Path | None:
    """`out/gradebook.db` (+ autograded/, source/, nbgrader_config.py), with `reviews` (read
    from the previous gradebook) carried over; None when no student was graded."""
    from nbgrader.api import Gradebook

    manual = manual_items(results)
    items = gradebook_items(results)
    if not items:
        return None
    reviews = reviews or Reviews()
    nb_name = Path(notebook).stem
    db = out / GRADEBOOK
    tmp = out / f".{GRADEBOOK}.tmp"
    tmp.unlink(missing_ok=True)
    _stamp_new_gradebook(tmp)
    with Gradebook(f"sqlite:///{tmp}") as gb:
        gb.update_or_create_assignment(tp)
        gb.update_or_create_notebook(nb_name, tp)
        for item, points in sorted(items.items()):
            kind = "markdown" if item in manual else "code"  # a written answer, usually
            gb.update_or_create_grade_cell(item, nb_name, tp, max_score=points, cell_type=kind)
            gb.update_or_create_solution_cell(item, nb_name, tp)
        for r in results:
            sid = r.student_id
            first, _, last = (r.name or "").partition(" ")
            gb.update_or_create_student(sid, first_name=first or None, last_name=last or None, email=r.email or None)
            stamp = _timestamp(r)
            _add_submission(gb, tp, sid, stamp)
            auto = item_scores(r, items)
            for item in items:
                grade = gb.find_grade(item, nb_name, tp, sid)
                if item in manual:  # no automatic score: Formgrader lists it under Manual Grading
                    grade.auto_score = None
                    grade.needs_manual_grade = r.status == GRADED
                    gb.find_comment(item, nb_name, tp, sid).auto_comment = MANUAL_COMMENT
                    continue
                grade.auto_score = auto[item]
                grade.needs_manual_grade = False
                gb.find_comment(item, nb_name, tp, sid).auto_comment = _auto_comment(r, item)
            for rv in reviews.by_student.get(sid, ()):
                grade = gb.find_grade(rv.item, nb_name, tp, sid)
                grade.manual_score, grade.extra_credit = rv.manual_score, rv.extra_credit
                if rv.item in manual:
                    grade.needs_manual_grade = rv.manual_score is None and r.status == GRADED
                gb.find_comment(rv.item, nb_name, tp, sid).manual_comment = rv.comment
            gb.db.commit()
            _place_autograded(
                out / "students" / sid / "report" / "executed.ipynb",
                out / "autograded" / sid / tp / f"{nb_name}.ipynb",
                items,
            )
            _mark_submitted(out / "submitted" / sid / tp, r, stamp)
    tmp.replace(db)
    source = out / "source" / tp
    source.mkdir(parents=True, exist_ok=True)
    (source / "README.txt").write_text(SOURCE_README.format(tp=tp), encoding="utf-8")
    (out / "nbgrader_config.py").write_text(NBGRADER_CONFIG, encoding="utf-8")
    return db


def read_back(db: Path, tp: str) -> dict[str, float]:
    """Student id -> total score in the gradebook (reviews included)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{db}") as gb:
        return {s.student.id: s.score for s in gb.assignment_submissions(tp)}


__all__ = ["read_back", "write_nbgrader_gradebook"]
