"""One student's result in a class (`students/<id>/result.json`): the record `grade-class`
writes and that the gradebook, the summary and the nbgrader export read.

The record is typed here once, and `to_json` / `from_json` are the only places that know
result.json's keys: a key a case never had stays absent (a grader error has no `author`, a
worker that died before its student was known has no deadline), so a file written today is
byte for byte what earlier versions wrote, and keys this version does not know are kept.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from typing import Any

GRADED = "graded"
NO_SUBMISSION = "no-submission"
GRADER_ERROR = "grader-error"


@dataclass(frozen=True)
class CheckScore:
    """One check of a graded notebook, as the class gradebook keeps it."""

    name: str
    item: str | None = None
    score: float = 0.0
    max_score: float = 0.0
    status: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "item": self.item, "score": self.score, "max_score": self.max_score, "status": self.status}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> CheckScore:
        return cls(d["name"], d.get("item"), d.get("score", 0.0), d.get("max_score", 0.0), d.get("status", ""))


@dataclass(frozen=True)
class ManualItem:
    """An item graded by hand in Formgrader (tp.toml's [[manual]]): outside the automatic scores."""

    item: str
    max_score: float
    title_fr: str = ""
    title_en: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"item": self.item, "max_score": self.max_score, "title_fr": self.title_fr, "title_en": self.title_en}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ManualItem:
        return cls(d["item"], d["max_score"], d.get("title_fr", ""), d.get("title_en", ""))


@dataclass(frozen=True)
class ClassContext:
    """What the student was graded against: their repo, the TP, the deadline and its policy."""

    email: str | None = None
    repo: str | None = None
    branch: str | None = None
    tp: str | None = None
    deadline: str | None = None
    timezone: str | None = None  # of the dates in this student's feedback and moodle.csv
    late_policy: dict[str, Any] | None = None
    fingerprint: str | None = None


@dataclass(frozen=True)
class Selection:
    """The commit chosen at the deadline (sha None: nothing to grade) and its lateness."""

    sha: str | None = None
    commit_date: str | None = None
    date_source: str | None = None
    late_days: float = 0.0
    penalty: float = 0.0
    date_note: str = ""


@dataclass(frozen=True)
class Review:
    """What Formgrader reviews changed, applied for the exports (never in result.json)."""

    auto_final_score: float
    items: tuple[dict[str, Any], ...] = ()
    manual_score: float | None = None
    manual_pending_items: dict[str, float] | None = None
    text: str = ""


_CONTEXT = [f.name for f in fields(ClassContext)]
_SELECTION = [f.name for f in fields(Selection)]
_KNOWN = {
    "student_id", "name", "status", "reason", "traceback", "author", "raw_score", "max_score", "final_score",
    "checks", "problems", "sandbox", "manual", "manual_max_score", "grading_time_s", "skipped",
    "auto_final_score", "review", "manual_score", "manual_pending_items", "review_text",
    *_CONTEXT, *_SELECTION,
}


@dataclass(frozen=True)
class StudentResult:
    """A student's outcome in a class: graded, no submission, or a grader error."""

    student_id: str
    name: str | None
    status: str
    raw_score: float = 0.0
    max_score: float | None = None
    final_score: float = 0.0
    checks: tuple[CheckScore, ...] = ()
    problems: tuple[str, ...] = ()
    context: ClassContext | None = None  # None: a worker died before grading its student
    selection: Selection | None = None
    reason: str | None = None  # why there is no grade (written unless graded)
    traceback: str | None = None  # a grader error's, for the instructor
    author: str | None = None  # graded: the commit's author
    sandbox: str | None = None  # graded: the sandbox level the kernel ran at
    manual: tuple[ManualItem, ...] = ()
    manual_max_score: float | None = None
    grading_time_s: float | None = None
    skipped: bool = False  # read back from an earlier run: commit and setup unchanged
    review: Review | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # keys of another version, kept as read

    # -- what the readers ask, with the defaults of a record that lacks the key -------------

    @property
    def graded(self) -> bool:
        return self.status == GRADED

    @property
    def sha(self) -> str | None:
        return self.selection.sha if self.selection else None

    @property
    def commit_date(self) -> str | None:
        return self.selection.commit_date if self.selection else None

    @property
    def date_source(self) -> str | None:
        return self.selection.date_source if self.selection else None

    @property
    def penalty(self) -> float:
        return self.selection.penalty if self.selection else 0.0

    @property
    def late_days(self) -> float:
        return self.selection.late_days if self.selection else 0.0

    @property
    def email(self) -> str | None:
        return self.context.email if self.context else None

    @property
    def tp(self) -> str | None:
        return self.context.tp if self.context else None

    @property
    def deadline(self) -> str | None:
        return self.context.deadline if self.context else None

    @property
    def timezone(self) -> str | None:
        return self.context.timezone if self.context else None

    @property
    def review_text(self) -> str:
        return self.review.text if self.review else ""

    @property
    def manual_score(self) -> float | None:
        return self.review.manual_score if self.review else None

    # -- result.json ----------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """result.json's object: the keys each case has always had, in their order."""
        d: dict[str, Any] = {"student_id": self.student_id, "name": self.name}
        if self.context is not None:
            d.update((k, getattr(self.context, k)) for k in _CONTEXT)
        if self.selection is not None:
            d.update((k, getattr(self.selection, k)) for k in _SELECTION)
        d["status"] = self.status
        if self.status != GRADED:
            d["reason"] = self.reason
        if self.traceback is not None:
            d["traceback"] = self.traceback
        if self.status == GRADED:
            d["author"] = self.author
        d.update(
            raw_score=self.raw_score, max_score=self.max_score, final_score=self.final_score,
            checks=[c.to_json() for c in self.checks], problems=list(self.problems),
        )
        if self.status == GRADED:
            d["sandbox"] = self.sandbox
        if self.manual:
            d["manual"] = [m.to_json() for m in self.manual]
        if self.manual_max_score is not None:
            d["manual_max_score"] = self.manual_max_score
        if self.grading_time_s is not None:
            d["grading_time_s"] = self.grading_time_s
        if self.skipped:
            d["skipped"] = True
        if self.review is not None:
            d["auto_final_score"] = self.review.auto_final_score
            d["review"] = list(self.review.items)
            if self.review.manual_pending_items is not None:
                d["manual_score"] = self.review.manual_score
                d["manual_pending_items"] = dict(self.review.manual_pending_items)
            d["review_text"] = self.review.text
        d.update(self.extra)
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> StudentResult:
        """A record from result.json's object (or a part of one: absent keys take the
        defaults the readers have always assumed)."""
        context = selection = review = None
        if any(k in d for k in _CONTEXT):
            context = ClassContext(**{k: d.get(k) for k in _CONTEXT})
        if any(k in d for k in _SELECTION):
            selection = Selection(**{k: d[k] for k in _SELECTION if k in d})
        if "auto_final_score" in d or "review_text" in d or "manual_score" in d:
            review = Review(
                auto_final_score=d.get("auto_final_score", d.get("final_score", 0.0)),
                items=tuple(d.get("review", ())),
                manual_score=d.get("manual_score"),
                manual_pending_items=d.get("manual_pending_items"),
                text=d.get("review_text", ""),
            )
        return cls(
            student_id=d.get("student_id", ""),
            name=d.get("name"),
            status=d.get("status", ""),
            raw_score=d.get("raw_score", 0.0),
            max_score=d.get("max_score"),
            final_score=d.get("final_score", 0.0),
            checks=tuple(CheckScore.from_json(c) for c in d.get("checks", ())),
            problems=tuple(d.get("problems", ())),
            context=context,
            selection=selection,
            reason=d.get("reason"),
            traceback=d.get("traceback"),
            author=d.get("author"),
            sandbox=d.get("sandbox"),
            manual=tuple(ManualItem.from_json(m) for m in d.get("manual", ())),
            manual_max_score=d.get("manual_max_score"),
            grading_time_s=d.get("grading_time_s"),
            skipped=bool(d.get("skipped", False)),
            review=review,
            extra={k: v for k, v in d.items() if k not in _KNOWN},
        )


# -- the class's items, from its results ----------------------------------------------------


def class_items(results: list[StudentResult]) -> dict[str, float]:
    """Item -> max points, from any fully graded student (all students share the checks)."""
    for r in results:
        if r.status == GRADED and r.checks:
            items: dict[str, float] = defaultdict(float)
            for c in r.checks:
                items[c.item] += float(c.max_score)
            return dict(items)
    return {}


def manual_items(results: list[StudentResult]) -> dict[str, float]:
    """Item graded by hand -> its points, from any graded student (tp.toml's [[manual]]);
    Formgrader shows them as manual grade cells, outside the automatic scores."""
    for r in results:
        if r.status == GRADED and r.manual:
            return {m.item: float(m.max_score) for m in r.manual}
    return {}


def gradebook_items(results: list[StudentResult]) -> dict[str, float]:
    """Every item of the gradebook, scored automatically or by hand, with its points."""
    return {**class_items(results), **manual_items(results)}


def item_scores(result: StudentResult, items: dict[str, float]) -> dict[str, float]:
    """Item -> score after the late penalty, as the gradebook holds it (0 without checks)."""
    per_item: dict[str, float] = defaultdict(float)
    for c in result.checks:
        per_item[c.item] += float(c.score)
    keep = 1 - float(result.penalty or 0.0)
    return {item: round(per_item.get(item, 0.0) * keep, 4) for item in items}
