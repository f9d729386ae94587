"""Formgrader reviews read back: the scores and comments a teacher changed in gradebook.db,
applied to the class's results (merge-class) with the review text students see."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from autograder.classroom.class_result import (
    GRADED,
    Review,
    StudentResult,
    class_items,
    gradebook_items,
    item_scores,
    manual_items,
)
from autograder.config import ConfigError
from autograder.render.formats import fmt_num, fmt_points
from autograder.results import Message


@dataclass(frozen=True)
class ItemReview:
    """One item of one student as the instructor left it in Formgrader."""

    item: str
    auto_score: float | None  # the automatic score the gradebook held when it was reviewed
    manual_score: float | None
    extra_credit: float | None
    comment: str | None


@dataclass(frozen=True)
class Reviews:
    """Per student id, the items with a manual score, extra credit or comment."""

    by_student: dict[str, tuple[ItemReview, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.by_student)


class ReviewError(ConfigError):
    """The gradebook was edited into a state the class cannot take; nothing was written."""


def _bad_number(x: float | None) -> bool:
    return x is not None and not math.isfinite(x)


def read_reviews(db: Path, tp: str, results: list[StudentResult]) -> Reviews:
    """The instructor's changes in `db` for `tp`, checked against the class's results.

    Raises ReviewError listing every entry that names an unknown student or item, or holds a
    score outside [0, max] (extra credit must be >= 0): those would silently change a grade
    the automatic one does not explain. A missing gradebook has no reviews.
    """
    if not db.is_file():
        return Reviews()
    from nbgrader.api import Gradebook, MissingEntry

    students = {r.student_id for r in results}
    items = gradebook_items(results)
    problems: list[Message] = []
    found: dict[str, tuple[ItemReview, ...]] = {}
    try:
        with Gradebook(f"sqlite:///{db}") as gb:
            try:
                gb.find_assignment(tp)
            except MissingEntry:
                return Reviews()
            for sub in gb.assignment_submissions(tp):
                sid = sub.student.id
                comments: dict[str, str] = {}
                grades: dict[str, Any] = {}
                for nb in sub.notebooks:
                    comments.update({c.name: c.manual_comment for c in nb.comments if c.manual_comment})
                    grades.update({g.name: g for g in nb.grades})
                reviewed: list[ItemReview] = []
                for name in sorted(set(grades) | set(comments)):
                    g = grades.get(name)
                    manual = g.manual_score if g is not None else None
                    extra = g.extra_credit if g is not None else None
                    if manual is None and extra is None and name not in comments:
                        continue
                    where = Message(fr=f"élève {sid!r}, item {name!r}", en=f"student {sid!r}, item {name!r}")
                    if sid not in students:
                        problems.append(Message(
                            fr=f"{where.fr} : cet élève n'est pas dans la classe (aucun résultat dans students/)",
                            en=f"{where.en}: this student is not in the class (no result in students/)",
                        ))
                        continue
                    if name not in items:
                        problems.append(Message(
                            fr=f"{where.fr} : cet item n'est noté par aucune vérification du TP {tp}",
                            en=f"{where.en}: no check of {tp} grades this item",
                        ))
                        continue
                    top = items[name]
                    if _bad_number(manual) or (manual is not None and not 0 <= manual <= top):
                        problems.append(Message(
                            fr=f"{where.fr} : note manuelle {manual:g} hors de [0, {top:g}]",
                            en=f"{where.en}: manual score {manual:g} outside [0, {top:g}]",
                        ))
                        continue
                    if _bad_number(extra) or (extra is not None and extra < 0):
                        problems.append(Message(
                            fr=f"{where.fr} : bonus {extra:g} négatif", en=f"{where.en}: extra credit {extra:g} is negative"
                        ))
                        continue
                    reviewed.append(ItemReview(
                        name, g.auto_score if g is not None else None, manual, extra, comments.get(name)
                    ))
                if reviewed:
                    found[sid] = tuple(reviewed)
    except ReviewError:
        raise
    except Exception as exc:  # noqa: BLE001 - sqlite/alembic errors on a damaged file
        raise ReviewError(Message(
            fr=f"{db} illisible ({type(exc).__name__}: {exc}) ; les résultats automatiques (students/) sont intacts",
            en=f"{db} cannot be read ({type(exc).__name__}: {exc}); the automatic results (students/) are untouched",
        )) from exc
    if problems:
        raise ReviewError(Message(
            fr=f"{db} : corrections Formgrader incohérentes, rien n'a été écrit (les résultats automatiques "
            "et gradebook.db sont intacts) ; corrigez dans Formgrader puis relancez :\n  - "
            + "\n  - ".join(p.fr for p in problems),
            en=f"{db}: inconsistent Formgrader reviews, nothing was written (the automatic results and "
            "gradebook.db are untouched); fix them in Formgrader and run again:\n  - "
            + "\n  - ".join(p.en for p in problems),
        ))
    return Reviews(found)


def review_text(items: tuple[dict[str, Any], ...], pending: dict[str, float] | None, lang: str = "fr") -> str:
    """One line for grades.csv, moodle.csv and summary.html: each reviewed item, its
    automatic score, the instructor's, and the comment (numbers as `lang` writes them),
    then the items still to grade by hand (`pending`)."""
    parts = []
    for rv in items:
        s = rv["item"]
        if rv.get("manual") and rv.get("manual_score") is not None:  # an item graded by hand
            s += f" {fmt_points(rv['score'], rv['max_score'], lang)}"
            s += " (à la main)" if lang == "fr" else " (by hand)"
        elif rv.get("manual_score") is not None or rv.get("extra_credit"):
            s += f" {fmt_num(rv['auto_score'], lang)} → {fmt_num(rv['score'], lang)}"
            was = rv.get("auto_score_when_reviewed")
            if was is not None and abs(was - rv["auto_score"]) > 1e-9:  # regraded since the review
                s += (
                    f" (relu quand l'automatique valait {fmt_num(was, lang)})"
                    if lang == "fr"
                    else f" (reviewed when the automatic score was {fmt_num(was, lang)})"
                )
        if rv.get("comment"):
            text = " ".join(rv["comment"].split())
            s += f" « {text} »" if lang == "fr" else f' "{text}"'
        parts.append(s)
    for item, points in (pending or {}).items():
        pts = fmt_num(points, lang)
        parts.append(f"{item} à corriger à la main ({pts} pts)" if lang == "fr" else f"{item} to be graded by hand ({pts} pts)")
    return "; ".join(parts)


def apply_reviews(results: list[StudentResult], reviews: Reviews, lang: str = "fr") -> list[StudentResult]:
    """Copies of the results with each reviewed item's score replacing the automatic one.

    A manual score is the item's score after the late penalty (Formgrader shows scores
    after it); extra credit is added. The automatic final score stays in `auto_final_score`,
    the per-item detail in `review` and a one-line account in `review_text`.

    Items graded by hand (tp.toml's [[manual]]) count in `final_score` once scored, as
    entered (the late penalty is the instructor's to apply): `manual_score` sums them,
    `manual_max_score` is their points, and `manual_pending_items` names those still to grade.
    """
    items = class_items(results)
    manual = manual_items(results)
    every = {**items, **manual}
    out = []
    for r in results:
        rvs = reviews.by_student.get(r.student_id, ())
        has_manual = bool(manual) and r.status == GRADED
        if not rvs and not has_manual:
            out.append(r)
            continue
        auto = item_scores(r, every)
        delta = 0.0
        detail = []
        by_hand: dict[str, float] = {}
        for rv in rvs:
            score = (rv.manual_score if rv.manual_score is not None else auto[rv.item]) + (rv.extra_credit or 0.0)
            delta += score - auto[rv.item]
            entry = {
                "item": rv.item, "auto_score": auto[rv.item], "manual_score": rv.manual_score,
                "extra_credit": rv.extra_credit, "score": round(score, 4), "comment": rv.comment,
                "auto_score_when_reviewed": rv.auto_score,
            }
            if rv.item in manual:
                entry.update(manual=True, max_score=manual[rv.item])
                if rv.manual_score is not None:
                    by_hand[rv.item] = score
            detail.append(entry)
        pending = {i: p for i, p in manual.items() if i not in by_hand} if has_manual else None
        review = Review(
            auto_final_score=r.final_score,
            items=tuple(detail),
            manual_score=round(sum(by_hand.values()), 4) if has_manual else None,
            manual_pending_items=pending,
            text=review_text(tuple(detail), pending, lang),
        )
        out.append(replace(
            r,
            review=review,
            final_score=round(float(r.final_score or 0.0) + delta, 4),
            manual_max_score=round(sum(manual.values()), 4) if has_manual else r.manual_max_score,
        ))
    return out
