"""grade.json: a superset of Gradescope's results.json.

Gradescope (and any tool that reads its format) only looks at its own keys; the extra keys
keep the whole report machine-readable so a gradebook can be rebuilt without re-grading.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import Any

from autograder.render.strings import capped, clean, clip, norm_lang, summary, tr
from autograder.results import (
    CellRun,
    CheckResult,
    GradeReport,
    ManualItem,
    Problem,
    Status,
    Visibility,
)

#: Caps that keep grade.json under 1 MB whatever the notebook holds: a short field (a name,
#: an id, a path) and a message; rows of problems and cells past their cap are counted.
_ID_LIMIT = 120
_MESSAGE_LIMIT = 2000
MAX_PROBLEMS = 50
MAX_CELLS = 200


def _id(text: object) -> str:
    return clip(text, _ID_LIMIT)


def _msg(text: object) -> str:
    return clip(text, _MESSAGE_LIMIT)


def _cells_kept(cells: tuple[CellRun, ...]) -> list[CellRun]:
    """At most MAX_CELLS, the cells that did not run well first, in notebook order."""
    if len(cells) <= MAX_CELLS:
        return list(cells)
    bad = [i for i, c in enumerate(cells) if c.status != "ok"][:MAX_CELLS]
    good = [i for i, c in enumerate(cells) if c.status == "ok"][: MAX_CELLS - len(bad)]
    return [cells[i] for i in sorted(bad + good)]


def _num(x: float | None) -> float | None:
    """JSON has no NaN/Infinity: non-finite numbers become null."""
    if x is None:
        return None
    x = float(x)
    return round(x, 6) if math.isfinite(x) else None


def _opt(text: str | None) -> str | None:
    return None if text is None else _id(text)


def _test(check: CheckResult, lang: str) -> dict[str, Any]:
    status = Status(check.status)
    test: dict[str, Any] = {
        "name": _id(check.name),
        "score": _num(check.score),
        "max_score": _num(check.max_score),
        # Gradescope knows only these two values.
        "status": "passed" if status is Status.PASSED else "failed",
        "output": _msg(check.message.text(lang)) if check.message else "",
        "visibility": (
            "after_published" if Visibility(check.visibility) is Visibility.HIDDEN else "visible"
        ),
        "item": _id(check.item),
        "autograder_status": status.value,
        "duration_s": _num(check.duration_s),
    }
    if status is Status.PARTIAL:
        test["partial"] = True
    return test


def _manual_test(item: ManualItem, lang: str) -> dict[str, Any]:
    """A test entry for an item graded by hand: 0 of its points until the instructor grades
    it (Formgrader), its points in `manual_pending`, never in the report's `max_score`."""
    return {
        "name": _id(item.grade_id),
        "score": 0.0,
        "max_score": _num(item.points),
        "output": _msg(f"{tr('manual', lang)} : {item.title.text(lang)}" if lang == "fr" else f"{tr('manual', lang)}: {item.title.text(lang)}"),
        "visibility": "visible",
        "item": _id(item.grade_id),
        "autograder_status": "pending-manual",
        "manual": True,
        "duration_s": 0.0,
    }


def _problem(problem: Problem, lang: str) -> dict[str, Any]:
    return {
        "code": _id(problem.code),
        "message": _msg(problem.message.text(lang)),
        "where": _id(problem.where),
    }


def _cell(cell: CellRun, lang: str) -> dict[str, Any]:
    return {
        "index": cell.index,
        "cell_id": _id(cell.cell_id),
        "grade_id": _opt(cell.grade_id),
        "origin": _id(cell.origin),
        "status": _id(cell.status),
        "duration_s": _num(cell.duration_s),
        "error": clip(cell.error.text(lang), 300) if cell.error else None,
    }


def _sandbox(report: GradeReport) -> dict[str, Any] | None:
    if report.sandbox is None:
        return None
    data = asdict(report.sandbox)
    data["limits"] = {k: data["limits"][k] for k in sorted(data["limits"])}
    data["notes"] = [_msg(n) for n in data["notes"]]
    return data


def to_dict(report: GradeReport, lang: str = "fr") -> dict[str, Any]:
    """The report as JSON-ready data, keys in a fixed order."""
    lang = norm_lang(lang)
    c = report.commit
    total = report.durations.get("total")
    problems, problems_left = capped(report.problems, MAX_PROBLEMS)
    cells = _cells_kept(report.cells)
    data: dict[str, Any] = {
        "score": _num(report.score),
        "max_score": _num(report.max_score),
        "output": summary(report, lang),
        "visibility": "visible",
        "execution_time": _num(total if total is not None else sum(report.durations.values())),
        "tests": [_test(check, lang) for check in report.checks] + [_manual_test(m, lang) for m in report.manual],
        # Points graded by hand, not yet graded: outside score and max_score (the automatic total).
        "manual_pending": _num(report.manual_pending),
        "tp": _id(report.tp),
        "title": _id(report.title.text(lang)),
        "commit": {
            "repo": _id(c.repo),
            "ref": _id(c.ref),
            "sha": _opt(c.sha),
            "author": _opt(c.author),
            "committer_date": _opt(c.committer_date),
            "message": _opt(c.message),
            "notebook_path": _opt(c.notebook_path),
        },
        "sandbox": _sandbox(report),
        "device": clean(report.device),
        "durations": {_id(k): _num(v) for k, v in report.durations.items()},
        "problems": [_problem(p, lang) for p in problems],
        "cells": [_cell(cell, lang) for cell in cells],
        "graded_at": clean(report.graded_at),
        "grader_version": clean(report.grader_version),
        "lang": lang,
    }
    if problems_left:
        data["problems_omitted"] = problems_left
    if len(cells) < len(report.cells):
        data["cells_omitted"] = len(report.cells) - len(cells)
    return data


def to_json(report: GradeReport, lang: str = "fr") -> str:
    """grade.json text: UTF-8 (not \\u-escaped), indented, newline-terminated."""
    return json.dumps(to_dict(report, lang), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
