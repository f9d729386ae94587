"""Gradebook exports from per-student results: grades.csv for any LMS, and Moodle's import."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from autograder.classroom.class_result import GRADED, NO_SUBMISSION, StudentResult
from autograder.render import write_atomic
from autograder.render.formats import fmt_date, fmt_percent, fmt_points
from autograder.results import Message

GRADES_COLUMNS = [
    "student_id", "name", "email", "tp", "final_score", "raw_score", "max_score", "penalty",
    "late_days", "status", "commit", "commit_date", "date_source", "problems", "grading_time_s",
    # After a Formgrader review (merge-class): the automatic final score and what changed.
    "auto_final_score", "review",
    # A TP with items graded by hand (tp.toml [[manual]]): their scores so far (in final_score
    # once graded in Formgrader) and their points (not in max_score, the automatic total).
    "manual_score", "manual_max_score",
    # What final_score is out of: max_score plus manual_max_score.
    "final_max_score",
]


def out_of(r: StudentResult) -> float | None:
    """What a result's final_score is out of: the automatic total plus the points of the items
    graded by hand (final_score counts them once scored); None without a graded notebook."""
    if r.max_score is None:
        return None
    return round(float(r.max_score) + float(r.manual_max_score or 0.0), 6)


def class_out_of(results: list[StudentResult]) -> float | None:
    """The class's total (automatic + by hand), from its graded results."""
    return max((t for t in map(out_of, results) if t is not None), default=None)


def _fmt(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return f"{x:.4g}" if abs(x) < 1e4 else f"{x:.6g}"
    return str(x)


def grades_csv(results: list[StudentResult], max_score: float | None) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(GRADES_COLUMNS)
    total = class_out_of(results)
    for r in results:
        top = out_of(r)
        w.writerow(
            [
                r.student_id, r.name, r.email, r.tp,
                _fmt(r.final_score), _fmt(r.raw_score),
                _fmt(r.max_score if r.max_score is not None else max_score),
                _fmt(r.penalty), _fmt(r.late_days), r.status,
                r.sha or "", r.commit_date or "", r.date_source or "",
                " ".join(r.problems), _fmt(r.grading_time_s),
                _fmt(r.review.auto_final_score if r.review else r.final_score), r.review_text,
                _fmt(r.manual_score), _fmt(r.manual_max_score),
                _fmt(top if top is not None else total),
            ]
        )
    return buf.getvalue()


#: Problem codes that explain lost points, as the student reads them in Moodle's feedback.
PROBLEM_LABELS: dict[str, Message] = {
    "kernel-died": Message("le noyau Python s'est arrêté pendant l'exécution du notebook", "the Python kernel died while the notebook ran"),
    "cell-timeout": Message("une cellule a dépassé son temps", "a cell ran past its time limit"),
    "out-of-memory": Message("mémoire dépassée", "out of memory"),
    "missing-notebook": Message("notebook absent du commit", "notebook missing from the commit"),
    "invalid-json": Message("notebook illisible (JSON invalide)", "unreadable notebook (invalid JSON)"),
    "not-a-notebook": Message("le fichier rendu n'est pas un notebook", "the file handed in is not a notebook"),
    "old-nbformat": Message("notebook d'un format trop ancien", "notebook format too old"),
    "notebook-too-large": Message("notebook trop volumineux", "notebook too large"),
    "answer-cell-missing": Message("cellule de réponse supprimée", "answer cell deleted"),
    "unknown-ref": Message("commit introuvable", "commit not found"),
    "check-collection-error": Message("vérifications non exécutées (erreur du correcteur)", "checks not run (grader error)"),
}


def _no_submission_reason(r: StudentResult, lang: str, tz: str | None) -> str:
    """Why nobody's work was graded, from the reason `grade-class` recorded (deadline.py's
    and classroom.py's wording): unreachable repository, missing branch, nothing on time."""
    reason = str(r.reason or "")
    deadline = fmt_date(r.deadline, lang, tz)
    if reason.startswith("repository unreachable"):
        msg = Message(
            "dépôt inaccessible au correcteur (adresse ou droits d'accès) : rien n'a pu être noté, voyez l'enseignant",
            "repository unreachable by the grader (address or access rights): nothing could be graded, see the instructor",
        )
    elif reason.startswith("branch ") and "not found" in reason:
        branch = reason.removeprefix("branch ").split(" not found", 1)[0]
        msg = Message(f"branche {branch} introuvable dans le dépôt", f"branch {branch} not found in the repository")
    elif "not in the clone" in reason:
        msg = Message("le commit poussé est introuvable dans le dépôt", "the pushed commit is missing from the repository")
    elif "no default branch" in reason:
        msg = Message("le projet GitLab n'a pas de branche par défaut", "the GitLab project has no default branch")
    elif reason.startswith(("no commit", "no push")) or not reason:
        when = f" ({deadline})" if deadline else ""
        msg = Message(f"aucun rendu avant la date limite{when}", f"no submission before the deadline{when}")
    else:
        msg = Message(f"aucun rendu noté : {reason[:200]}", f"nothing graded: {reason[:200]}")
    return msg.text(lang)


def moodle_comment(r: StudentResult, lang: str = "fr", tz: str | None = None) -> str:
    """The feedback a student reads in Moodle: the score in their language's numbers, the
    late penalty, and the real reason of a zero (what result.json says), never a guess."""
    tz = tz or r.timezone  # the zone grade-class showed dates in (the deadline's)
    if r.status == NO_SUBMISSION:
        text = _no_submission_reason(r, lang, tz)
    elif r.status == GRADED:
        # Out of the automatic total plus the points graded by hand (in the grade column once
        # scored): Moodle's grade and this comment speak of the same maximum.
        by_hand = float(r.manual_score or 0.0) if r.manual_max_score else 0.0
        text = fmt_points(round(float(r.raw_score or 0.0) + by_hand, 4), out_of(r), lang)
        if r.penalty:
            late = fmt_percent(r.penalty, lang)
            text += f", pénalité de retard {late}" if lang == "fr" else f", late penalty {late}"
            if r.manual_max_score:  # as entered in Formgrader: the instructor's to apply
                text += " sur la partie automatique" if lang == "fr" else " on the automatic part"
        causes = [PROBLEM_LABELS[p].text(lang) for p in r.problems if p in PROBLEM_LABELS]
        if causes:
            text += " — " + "; ".join(dict.fromkeys(causes))
    else:
        text = Message(
            "pas de note : erreur du correcteur, pas de votre fait ; l'enseignant corrigera à nouveau",
            "no grade: a grader error, not your doing; the instructor will grade again",
        ).text(lang)
    if r.review_text:
        text += f" — {r.review_text}"
    return text


def moodle_csv(results: list[StudentResult], item_name: str, lang: str = "fr", tz: str | None = None) -> str:
    """Moodle 'Import grades > CSV file': map "ID number" (or "Email address") to the user,
    the grade column to the grade item, "Feedback" to its feedback. The grade keeps a dot
    (Moodle reads it); the feedback is written for the student (see `moodle_comment`)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["ID number", "Email address", "Full name", item_name, f"{item_name} (feedback)"])
    for r in results:
        w.writerow([r.student_id, r.email or "", r.name or "", _fmt(r.final_score), moodle_comment(r, lang, tz)])
    return buf.getvalue()


def write_gradebook(
    out: Path, results: list[StudentResult], *, item_name: str, lang: str = "fr", tz: str | None = None
) -> dict[str, Path]:
    """grades.csv (numbers for programs) and moodle.csv (feedback in `lang`, dates in `tz`)."""
    max_scores = [r.max_score for r in results if r.max_score]
    max_score = max(max_scores) if max_scores else None
    paths = {"grades.csv": out / "grades.csv", "moodle.csv": out / "moodle.csv"}
    write_atomic(paths["grades.csv"], grades_csv(results, max_score).encode("utf-8"))
    write_atomic(paths["moodle.csv"], moodle_csv(results, item_name, lang, tz).encode("utf-8"))
    return paths
