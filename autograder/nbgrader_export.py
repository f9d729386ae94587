"""Write a class's results into an nbgrader gradebook, for review in formgrader.

Each graded item (an answer cell's grade_id) becomes an nbgrader grade cell worth the
points of its checks; each student's check scores, summed per item, become the
auto_score of that grade. The executed notebooks are placed, sanitised, where formgrader
looks for them (`autograded/<student>/<tp>/`), so the instructor can open and manually adjust.
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from autograder.sanitize import sanitize_notebook


@contextmanager
def _alembic_on_path() -> Iterator[None]:
    """nbgrader's Gradebook runs `alembic` by name: make the venv's copy findable."""
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{old}"
    try:
        yield
    finally:
        os.environ["PATH"] = old


def _items(results: list[dict[str, Any]]) -> dict[str, float]:
    """Item -> max points, from any fully graded student (all students share the checks)."""
    for r in results:
        if r.get("status") == "graded" and r.get("checks"):
            items: dict[str, float] = defaultdict(float)
            for c in r["checks"]:
                items[c["item"]] += float(c["max_score"])
            return dict(items)
    return {}


def _place_autograded(executed: Path, dest: Path) -> None:
    """Where formgrader reads it, sanitised again: a class folder graded by an older grader
    (a rerun skips unchanged students) may hold an executed.ipynb with active outputs."""
    try:
        nb = json.loads(executed.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return
    if not isinstance(nb, dict):
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(sanitize_notebook(nb), ensure_ascii=True, indent=1) + "\n"
    dest.write_text(text, encoding="ascii")


def write_nbgrader_gradebook(out: Path, results: list[dict[str, Any]], *, tp: str, notebook: str) -> Path | None:
    """`out/gradebook.db` (+ autograded/ notebooks); None when no student was graded."""
    from nbgrader.api import Gradebook

    items = _items(results)
    if not items:
        return None
    nb_name = Path(notebook).stem
    db = out / "gradebook.db"
    tmp = out / ".gradebook.db.tmp"
    tmp.unlink(missing_ok=True)
    with _alembic_on_path(), Gradebook(f"sqlite:///{tmp}") as gb:
        gb.update_or_create_assignment(tp)
        gb.update_or_create_notebook(nb_name, tp)
        for item, points in sorted(items.items()):
            gb.update_or_create_grade_cell(item, nb_name, tp, max_score=points, cell_type="code")
        for r in results:
            sid = r["student_id"]
            first, _, last = (r.get("name") or "").partition(" ")
            gb.update_or_create_student(sid, first_name=first or None, last_name=last or None, email=r.get("email") or None)
            gb.add_submission(tp, sid)
            per_item: dict[str, float] = defaultdict(float)
            for c in r.get("checks", []):
                per_item[c["item"]] += float(c["score"])
            for item in items:
                grade = gb.find_grade(item, nb_name, tp, sid)
                grade.auto_score = round(per_item.get(item, 0.0) * (1 - float(r.get("penalty") or 0.0)), 4)
            gb.db.commit()
            _place_autograded(
                out / "students" / sid / "report" / "executed.ipynb",
                out / "autograded" / sid / tp / f"{nb_name}.ipynb",
            )
    tmp.replace(db)
    (out / "nbgrader_config.py").write_text(
        "# Open this class folder in formgrader: `jupyter lab` here, then the Formgrader tab.\n"
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(out)!r}\n"
        f"c.CourseDirectory.db_url = {f'sqlite:///{db}'!r}\n",
        encoding="utf-8",
    )
    return db


def read_back(db: Path, tp: str) -> dict[str, float]:
    """Student id -> total score in the gradebook (used by the tests)."""
    from nbgrader.api import Gradebook

    with _alembic_on_path(), Gradebook(f"sqlite:///{db}") as gb:
        return {s.student.id: s.score for s in gb.assignment_submissions(tp)}


__all__ = ["write_nbgrader_gradebook", "read_back"]
