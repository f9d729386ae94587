"""FR/EN UI strings and the small formatting helpers every renderer shares.

Kept in one place so the Markdown, HTML, JSON and JUnit outputs say the same thing in the
same words, and so a translation fix lands everywhere at once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import TypeVar

from autograder.render.formats import fmt_date, fmt_num
from autograder.results import CellRun, CheckResult, GradeReport, Status

LANGS = ("fr", "en")
T = TypeVar("T")

STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "feedback": "Retour de correction",
        "score_line": "Note : {score} / {max}",
        "commit_line": "Commit analysé : {sha}",
        "commit_date": "du {date}",
        "commit_message": "Message : {message}",
        "notebook": "Notebook : {path}",
        "no_commit": "commit inconnu",
        "results": "Résultats par partie",
        "item": "Partie",
        "check": "Vérification",
        "points": "Points",
        "status": "Statut",
        "pts": "pts",
        "hidden": "cachée",
        "passed": "réussie",
        "partial": "partielle",
        "failed": "échouée",
        "error": "erreur",
        "no_checks": "Aucune vérification n'a pu être exécutée.",
        "no_checks_manual": "Ce TP n'a aucune vérification automatique : toutes ses parties sont corrigées à la main.",
        "all_passed": "Toutes les vérifications sont réussies.",
        "details": "Vérifications à revoir",
        "no_message": "(pas de message)",
        "problems": "Problèmes du notebook",
        "cells": "Cellules en erreur",
        "cell": "Cellule",
        "grade_id": "grade_id",
        "message": "Message",
        "cell_error": "erreur",
        "cell_timeout": "temps dépassé",
        "cell_kernel-died": "noyau arrêté",
        "cell_skipped": "non exécutée",
        "sandbox": "Bac à sable : {level}",
        "memory_tree": "Mémoire : {mb} Mo pour tout le noyau",
        "memory_process": "Mémoire : {mb} Mo par processus du noyau",
        "device": "Calcul : {device}",
        "graded_at": "Corrigé le {date}",
        "version": "autograder {version}",
        "summary": (
            "Note : {score} / {max}. Vérifications : {total} (réussies : {passed}, "
            "partielles : {partial}, échouées : {failed}, en erreur : {error})."
        ),
        "summary_problems": " Problèmes : {n}.",
        "score_bar": "Note en pourcentage",
        "more_rows": "… et {n} de plus, non listés ici",
        "manual": "À corriger à la main",
        "manual_score": "+ {points} pts à corriger à la main",
        "manual_note": "L'enseignant note ces parties ; elles ne comptent pas dans la note ci-dessus.",
        "manual_status": "à corriger",
        "summary_manual": " À corriger à la main : {points} pts.",
    },
    "en": {
        "feedback": "Grading feedback",
        "score_line": "Score: {score} / {max}",
        "commit_line": "Graded commit: {sha}",
        "commit_date": "of {date}",
        "commit_message": "Message: {message}",
        "notebook": "Notebook: {path}",
        "no_commit": "unknown commit",
        "results": "Results by item",
        "item": "Item",
        "check": "Check",
        "points": "Points",
        "status": "Status",
        "pts": "pts",
        "hidden": "hidden",
        "passed": "passed",
        "partial": "partial",
        "failed": "failed",
        "error": "error",
        "no_checks": "No check could be run.",
        "no_checks_manual": "This TP has no automatic check: every item is graded by hand.",
        "all_passed": "All checks passed.",
        "details": "Checks to review",
        "no_message": "(no message)",
        "problems": "Notebook problems",
        "cells": "Cells that failed",
        "cell": "Cell",
        "grade_id": "grade_id",
        "message": "Message",
        "cell_error": "error",
        "cell_timeout": "timed out",
        "cell_kernel-died": "kernel died",
        "cell_skipped": "skipped",
        "sandbox": "Sandbox: {level}",
        "memory_tree": "Memory: {mb} MB for the whole kernel",
        "memory_process": "Memory: {mb} MB per kernel process",
        "device": "Device: {device}",
        "graded_at": "Graded at {date}",
        "version": "autograder {version}",
        "summary": (
            "Score: {score} / {max}. Checks: {total} (passed: {passed}, partial: {partial}, "
            "failed: {failed}, error: {error})."
        ),
        "summary_problems": " Problems: {n}.",
        "score_bar": "Score as a percentage",
        "more_rows": "… and {n} more, not listed here",
        "manual": "To be graded by hand",
        "manual_score": "+ {points} pts to be graded by hand",
        "manual_note": "The instructor grades these items; they are not in the score above.",
        "manual_status": "pending",
        "summary_manual": " To be graded by hand: {points} pts.",
    },
}

# Plain Unicode symbols (no emoji presentation) so they render the same in a terminal,
# GitLab and a browser.
MARKERS: dict[Status, str] = {
    Status.PASSED: "✔",
    Status.PARTIAL: "◐",
    Status.FAILED: "✘",
    Status.ERROR: "⊘",
}

# Cell statuses worth showing to the student.
BAD_CELL_STATUSES = ("error", "timeout", "kernel-died")


def norm_lang(lang: str | None) -> str:
    """Any unknown language falls back to French, the course language."""
    return lang if lang in LANGS else "fr"


def tr(key: str, lang: str, **fields: object) -> str:
    """A UI string in `lang`, formatted with `fields`."""
    text = STRINGS[norm_lang(lang)][key]
    return text.format(**fields) if fields else text


def status_label(status: Status, lang: str) -> str:
    return tr(Status(status).value, lang)


def cell_status_label(status: str, lang: str) -> str:
    key = f"cell_{status}"
    table = STRINGS[norm_lang(lang)]
    return table[key] if key in table else status


_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
_SURROGATES = re.compile("[\ud800-\udfff]")
# Everything XML 1.0 forbids, plus the C1 controls it discourages.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")


def clean(text: object) -> str:
    """Student-influenced text made safe to embed anywhere.

    Strips terminal colour codes (tracebacks carry them) and control characters that are
    illegal in XML 1.0, replaces lone surrogates (undecodable git data) so the text can be
    encoded as UTF-8, and normalises line endings.
    """
    if text is None:
        return ""
    s = str(text)
    s = _ANSI.sub("", s)
    s = _SURROGATES.sub("\ufffd", s)
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL.sub("", s)


def shorten(text: str, limit: int) -> str:
    """Caps a hostile string's length so one huge error cannot drown the feedback."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def clip(text: object, limit: int) -> str:
    """clean + shorten, cutting first: a megabyte string costs no more than a short one."""
    raw = "" if text is None else str(text)
    return shorten(clean(raw[: 4 * limit + 16]), limit)


def first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0].strip() if text else ""


def percent(score: float, max_score: float) -> float:
    """Score as a percentage clamped to [0, 100]; 0 when nothing was gradable."""
    if not max_score or not math.isfinite(score) or not math.isfinite(max_score):
        return 0.0
    return max(0.0, min(100.0, 100.0 * score / max_score))


def short_sha(sha: str | None) -> str:
    return clean(sha)[:8]


def group_by_item(checks: Iterable[CheckResult]) -> list[tuple[str, list[CheckResult]]]:
    """Checks grouped by graded item, items in first-appearance order."""
    groups: dict[str, list[CheckResult]] = {}
    for c in checks:
        groups.setdefault(c.item, []).append(c)
    return list(groups.items())


def needs_review(check: CheckResult) -> bool:
    return Status(check.status) is not Status.PASSED


def bad_cells(cells: Iterable[CellRun]) -> list[CellRun]:
    return [c for c in cells if c.status in BAD_CELL_STATUSES]


#: Rows (problems, cells in error) a student-facing report lists at most: a notebook of
#: 2,000 failing cells must not make a report of megabytes. The rest is counted.
MAX_LISTED = 30


def capped(items: Sequence[T], limit: int = MAX_LISTED) -> tuple[list[T], int]:
    """The first `limit` items, and how many were left out."""
    return list(items[:limit]), max(0, len(items) - limit)


def counts(checks: Iterable[CheckResult]) -> dict[str, int]:
    out = {s.value: 0 for s in Status}
    for c in checks:
        out[Status(c.status).value] += 1
    return out


def summary(report: GradeReport, lang: str) -> str:
    """One-paragraph summary (Gradescope's top-level "output")."""
    n = counts(report.checks)
    text = tr(
        "summary",
        lang,
        score=fmt_num(report.score, lang),
        max=fmt_num(report.max_score, lang),
        total=len(report.checks),
        **n,
    )
    if report.problems:
        text += tr("summary_problems", lang, n=len(report.problems))
    if report.manual:
        text += tr("summary_manual", lang, points=fmt_num(report.manual_pending, lang))
    return text


def manual_score_line(report: GradeReport, lang: str) -> str:
    """"+ 2 pts à corriger à la main" beside the score, or "" without manual items."""
    return tr("manual_score", lang, points=fmt_num(report.manual_pending, lang)) if report.manual else ""


def manual_rows(report: GradeReport, lang: str) -> list[tuple[str, str, str]]:
    """(grade_id, title, "– / 2") for each item graded by hand, cleaned, not escaped."""
    return [
        (clean(m.grade_id), clean(m.title.text(lang)), f"– / {fmt_num(m.points, lang)}")
        for m in report.manual
    ]


def footer_parts(report: GradeReport, lang: str, tz: str | None = None) -> list[str]:
    """Sandbox level, device, date (in zone `tz`) and grader version, cleaned, not escaped."""
    parts = []
    if report.sandbox is not None:
        parts.append(tr("sandbox", lang, level=clean(report.sandbox.level)))
        limits = report.sandbox.limits
        if "tree_memory_mb" in limits:  # the kernel's whole tree in one memory cgroup
            parts.append(tr("memory_tree", lang, mb=int(limits["tree_memory_mb"])))
        elif "memory_mb" in limits:  # RLIMIT_AS: each process on its own
            parts.append(tr("memory_process", lang, mb=int(limits["memory_mb"])))
    parts.append(tr("device", lang, device=clean(report.device)))
    if report.graded_at:
        parts.append(tr("graded_at", lang, date=fmt_date(clean(report.graded_at), lang, tz)))
    if report.grader_version:
        parts.append(tr("version", lang, version=clean(report.grader_version)))
    return parts


def no_checks_line(report: GradeReport, lang: str) -> str:
    """What a report without checks says: a TP made only of items graded by hand has none by
    design, any other lost them (the notebook or the kernel failed)."""
    return tr("no_checks_manual" if report.manual else "no_checks", lang)
