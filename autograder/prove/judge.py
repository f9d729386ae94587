"""What a graded report must show for the answers it was built from: the one judgement shared by
the TP tests (tests/tp_harness.py) and `autograder prove`, so both hold a TP to the same bar.

Pure functions of a GradeReport: no kernel, no file (the leak test renders the report in memory). Each finding is a plain dataclass whose
`str()` is the line the TP tests print.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from autograder.prove.leaks import report_leaks
from autograder.results import CheckResult, GradeReport, Status


@dataclass(frozen=True)
class Scenario:
    """A realistic wrong answer: the answer cell it replaces, and what it must cost."""

    grade_id: str
    source: str
    must_fail: tuple[str, ...]  # checks that must lose points
    message_contains: tuple[str, ...] = ()  # substrings of their French messages
    affects: tuple[str, ...] = ()  # other items allowed to lose points (they call this one)
    #: checks of its item that may lose points or not, depending on the grader's inputs
    #: (evidence that sees the fault on some draws only); must_fail holds what always sees it
    may_fail: tuple[str, ...] = ()


@dataclass(frozen=True)
class Correct:
    """An alternative correct answer, written as a student would: it must keep full marks."""

    grade_id: str
    source: str
    why: str  # what differs from the solution (float32, loops, nn.Sequential, a guard...)


#: Finding kinds. The first three are what `prove` exists to catch across variants.
KEPT_POINTS = "kept-points"  # a wrong answer kept a must_fail check's points
LOST_POINTS = "lost-points"  # a correct answer (or the solution) lost points
UNTOUCHED_LOST = "untouched-lost"  # an item no answer touched lost points
SAME_ITEM_LOST = "same-item-lost"  # another check of the wrong answer's item lost points
NO_CHECK = "no-check"  # must_fail names a check the report does not have
NOT_BILINGUAL = "not-bilingual"  # a failing check without both French and English
NO_HINT = "no-hint"  # no failing message holds the expected hint
PROBLEM = "problem"  # the solution's report holds a grading problem
WRONG_TOTAL = "wrong-total"  # the report's max_score differs from the solution's
GRADER_ERROR = "grader-error"  # the grader itself failed on this grading (no report)
LEAK = "leak"  # a hidden check's message or rendered feedback shows a value it expected


@dataclass(frozen=True)
class Finding:
    """One way a graded report differs from what its answers promise."""

    kind: str
    subject: str  # the scenario, correct variant or group concerned ("" for untouched items)
    item: str = ""
    check: str = ""
    score: float = 0.0
    max_score: float = 0.0
    detail: str = ""  # the hint looked for, a problem code, a message excerpt
    #: What the student would read (the failing check's French message, or the messages a
    #: hint was looked for in): shown so that an author sees why, never compared.
    said: str = field(default="", compare=False)

    def __str__(self) -> str:
        return self._what() + (f" — it said: {_excerpt(self.said)}" if self.said else "")

    def _what(self) -> str:
        s, m = f"{self.score}/{self.max_score}", self.subject
        if self.kind == NO_CHECK:
            return f"{m}: no check named {self.check}"
        if self.kind == KEPT_POINTS:
            return f"{m}: {self.check} should lose points but kept {s}"
        if self.kind == NOT_BILINGUAL:
            return f"{m}: {self.check} fails without a bilingual message"
        if self.kind == NO_HINT:
            return f"{m}: no message of {self.detail}"
        if self.kind == SAME_ITEM_LOST:
            return f"{m}: {self.check} of the same item should keep its points, got {s}"
        if self.kind == UNTOUCHED_LOST:
            return f"untouched item {self.item}: {self.check} lost points ({s})"
        if self.kind == LOST_POINTS:
            return f"{self.item}::{self.check} {s}: {self.detail}"
        if self.kind == PROBLEM:
            return f"{m}: problem {self.detail}"
        if self.kind == LEAK:
            return f"{m}: leak: {self.detail}"
        return f"{m}: {self.kind} {self.detail}"


def _excerpt(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return f"« {text[:limit]}{'…' if len(text) > limit else ''} »"


def _said(check: CheckResult) -> str:
    return check.message.text("fr") if check.message else ""


def scenario_findings(scenarios: Mapping[str, Scenario], report: GradeReport) -> list[Finding]:
    """Every way a report graded with these wrong answers differs from what they promise:
    each must_fail check loses points with a bilingual message holding the hints, the other
    checks of its item keep theirs, and items no scenario touches or affects keep theirs."""
    by_name = {c.name: c for c in report.checks}
    allowed = {s.grade_id for s in scenarios.values()} | {
        i for s in scenarios.values() for i in s.affects
    }
    found: list[Finding] = []
    for name, sc in scenarios.items():
        found += [Finding(NO_CHECK, name, sc.grade_id, c) for c in sc.must_fail if c not in by_name]
        failing = [by_name[c] for c in sc.must_fail if c in by_name]
        for c in failing:
            if c.score >= c.max_score:
                found.append(Finding(KEPT_POINTS, name, c.item, c.name, c.score, c.max_score))
            elif c.message is None or not c.message.fr or not c.message.en:
                found.append(Finding(NOT_BILINGUAL, name, c.item, c.name, c.score, c.max_score))
        messages = [_said(c) for c in failing if c.message]
        for needle in sc.message_contains:
            if not any(needle in m for m in messages):
                found.append(Finding(NO_HINT, name, sc.grade_id, detail=f"{list(sc.must_fail)} contains {needle!r}",
                                     said=" | ".join(messages) or "(no message)"))
        for c in report.checks:
            if c.item == sc.grade_id and c.name not in (*sc.must_fail, *sc.may_fail) and c.score < c.max_score:
                found.append(Finding(SAME_ITEM_LOST, name, c.item, c.name, c.score, c.max_score, said=_said(c)))
    for c in report.checks:
        if c.item not in allowed and c.score < c.max_score:
            found.append(Finding(UNTOUCHED_LOST, "", c.item, c.name, c.score, c.max_score, said=_said(c)))
    return found


def lost_points(subject: str, report: GradeReport) -> list[Finding]:
    """Every check that lost points in a report that must keep full marks (a correct variant)."""
    return [
        Finding(LOST_POINTS, subject, c.item, c.name, c.score, c.max_score, _said(c))
        for c in report.checks
        if c.score < c.max_score
    ]


def solution_findings(report: GradeReport, subject: str = "solution") -> list[Finding]:
    """The solution keeps every point, passes every check and raises no grading problem."""
    found = lost_points(subject, report)
    found += [
        Finding(LOST_POINTS, subject, c.item, c.name, c.score, c.max_score, f"status {c.status.value}")
        for c in report.checks
        if c.status is not Status.PASSED and c.score >= c.max_score
    ]
    found += [Finding(PROBLEM, subject, detail=f"{p.code}: {p.message.fr} ({p.where})") for p in report.problems]
    return found


def leak_findings(subject: str, report: GradeReport) -> list[Finding]:
    """Every hidden check whose message (FR, EN) or rendered feedback shows a value it expected
    on its hidden input: the course seed is the same on every push, so a student could
    hard-code it. Any grading may show one (a wrong answer's hint, a correct variant's
    partial message), so every judgement runs it."""
    return [Finding(LEAK, subject, detail=leak) for leak in report_leaks(report)]


def changed_items(replaced: Iterable[str], affects: Mapping[str, Iterable[str]]) -> set[str]:
    """The items a grading may legitimately change: the replaced cells and what they affect."""
    out: set[str] = set()
    for gid in replaced:
        out.add(gid)
        out.update(affects.get(gid, ()))
    return out
