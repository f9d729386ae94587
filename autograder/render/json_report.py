"""grade.json: a superset of Gradescope's results.json.

Gradescope (and any tool that reads its format) only looks at its own keys; the extra keys
keep the whole report machine-readable so a gradebook can be rebuilt without re-grading.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import Any

from autograder.render.strings import clean, norm_lang, summary
from autograder.results import CellRun, CheckResult, GradeReport, Problem, Status, Visibility


def _num(x: float | None) -> float | None:
    """JSON has no NaN/Infinity: non-finite numbers become null."""
    if x is None:
        return None
    x = float(x)
    return round(x, 6) if math.isfinite(x) else None


def _opt(text: str | None) -> str | None:
    return None if text is None else clean(text)


def _test(check: CheckResult, lang: str) -> dict[str, Any]:
    status = Status(check.status)
    test: dict[str, Any] = {
        "name": clean(check.name),
        "score": _num(check.score),
        "max_score": _num(check.max_score),
        # Gradescope knows only these two values.
        "status": "passed" if status is Status.PASSED else "failed",
        "output": clean(check.message.text(lang)) if check.message else "",
        "visibility": (
            "after_published" if Visibility(check.visibility) is Visibility.HIDDEN else "visible"
        ),
        "item": clean(check.item),
        "autograder_status": status.value,
        "duration_s": _num(check.duration_s),
    }
    if status is Status.PARTIAL:
        test["partial"] = True
    return test


def _problem(problem: Problem, lang: str) -> dict[str, Any]:
    return {
        "code": clean(problem.code),
        "message": clean(problem.message.text(lang)),
        "where": clean(problem.where),
    }


def _cell(cell: CellRun, lang: str) -> dict[str, Any]:
    return {
        "index": cell.index,
        "cell_id": clean(cell.cell_id),
        "grade_id": _opt(cell.grade_id),
        "origin": clean(cell.origin),
        "status": clean(cell.status),
        "duration_s": _num(cell.duration_s),
        "error": clean(cell.error.text(lang)) if cell.error else None,
    }


def _sandbox(report: GradeReport) -> dict[str, Any] | None:
    if report.sandbox is None:
        return None
    data = asdict(report.sandbox)
    data["limits"] = {k: data["limits"][k] for k in sorted(data["limits"])}
    data["notes"] = [clean(n) for n in data["notes"]]
    return data


def to_dict(report: GradeReport, lang: str = "fr") -> dict[str, Any]:
    """The report as JSON-ready data, keys in a fixed order."""
    lang = norm_lang(lang)
    c = report.commit
    total = report.durations.get("total")
    return {
        "score": _num(report.score),
        "max_score": _num(report.max_score),
        "output": summary(report, lang),
        "visibility": "visible",
        "execution_time": _num(total if total is not None else sum(report.durations.values())),
        "tests": [_test(check, lang) for check in report.checks],
        "tp": clean(report.tp),
        "title": clean(report.title.text(lang)),
        "commit": {
            "repo": clean(c.repo),
            "ref": clean(c.ref),
            "sha": _opt(c.sha),
            "author": _opt(c.author),
            "committer_date": _opt(c.committer_date),
            "message": _opt(c.message),
            "notebook_path": _opt(c.notebook_path),
        },
        "sandbox": _sandbox(report),
        "device": clean(report.device),
        "durations": {clean(k): _num(v) for k, v in report.durations.items()},
        "problems": [_problem(p, lang) for p in report.problems],
        "cells": [_cell(cell, lang) for cell in report.cells],
        "graded_at": clean(report.graded_at),
        "grader_version": clean(report.grader_version),
        "lang": lang,
    }


def to_json(report: GradeReport, lang: str = "fr") -> str:
    """grade.json text: UTF-8 (not \\u-escaped), indented, newline-terminated."""
    return json.dumps(to_dict(report, lang), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
