"""Gradebook exports from per-student results: grades.csv for any LMS, and Moodle's import."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from autograder.render import write_atomic

GRADES_COLUMNS = [
    "student_id", "name", "email", "tp", "final_score", "raw_score", "max_score", "penalty",
    "late_days", "status", "commit", "commit_date", "date_source", "problems", "grading_time_s",
]


def _fmt(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return f"{x:.4g}" if abs(x) < 1e4 else f"{x:.6g}"
    return str(x)


def grades_csv(results: list[dict[str, Any]], max_score: float | None) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(GRADES_COLUMNS)
    for r in results:
        w.writerow(
            [
                r.get("student_id"), r.get("name"), r.get("email"), r.get("tp"),
                _fmt(r.get("final_score", 0.0)), _fmt(r.get("raw_score", 0.0)),
                _fmt(r.get("max_score") if r.get("max_score") is not None else max_score),
                _fmt(r.get("penalty", 0.0)), _fmt(r.get("late_days", 0.0)), r.get("status"),
                r.get("sha") or "", r.get("commit_date") or "", r.get("date_source") or "",
                " ".join(r.get("problems", [])), _fmt(r.get("grading_time_s")),
            ]
        )
    return buf.getvalue()


def moodle_csv(results: list[dict[str, Any]], item_name: str, lang: str = "fr") -> str:
    """Moodle 'Import grades > CSV file': map "ID number" (or "Email address") to the user,
    the grade column to the grade item, "Feedback" to its feedback."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["ID number", "Email address", "Full name", item_name, f"{item_name} (feedback)"])
    for r in results:
        status = r.get("status")
        if status == "graded":
            fb = f"{_fmt(r.get('raw_score'))}/{_fmt(r.get('max_score'))}"
            if r.get("penalty"):
                fb += (f", pénalité de retard {r['penalty']:.0%}" if lang == "fr" else f", late penalty {r['penalty']:.0%}")
        elif status == "no-submission":
            fb = "aucun rendu avant la date limite" if lang == "fr" else "no submission before the deadline"
        else:
            fb = "erreur de correction : voir l'enseignant" if lang == "fr" else "grading error: see the instructor"
        w.writerow([r.get("student_id"), r.get("email", ""), r.get("name", ""), _fmt(r.get("final_score", 0.0)), fb])
    return buf.getvalue()


def write_gradebook(out: Path, results: list[dict[str, Any]], *, item_name: str, lang: str = "fr") -> dict[str, Path]:
    max_scores = [r["max_score"] for r in results if r.get("max_score")]
    max_score = max(max_scores) if max_scores else None
    paths = {"grades.csv": out / "grades.csv", "moodle.csv": out / "moodle.csv"}
    write_atomic(paths["grades.csv"], grades_csv(results, max_score).encode("utf-8"))
    write_atomic(paths["moodle.csv"], moodle_csv(results, item_name, lang).encode("utf-8"))
    return paths
