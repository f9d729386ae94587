"""The mutation score of a TP: the share of its solution's mutants that lose points.

A check suite that lets `x @ w + b` become `x @ w - b` unpunished lets a student's bug
through too. Each mutant replaces one answer cell of the solution. Mutants of different
cells share a grading when their cells are independent as the TP's scenarios declare it
(a cell and the items its scenarios `affect` form its zone; zones in one grading are
disjoint, as in GROUPS); a cell no scenario covers is graded alone. A grading whose
outcome cannot be attributed (a cell timed out, the kernel died, an item outside every
zone lost points) is done again one mutant at a time.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from autograder.results import GradeReport

if TYPE_CHECKING:  # autograder.prove.mutate needs cosmic-ray (the `prove` extra): only --mutants loads it
    from autograder.prove.mutate import Mutant

#: The share of non-equivalent mutants a TP's checks should catch.
TARGET = 0.9

Grade = Callable[[dict[str, str], str], "GradeReport | str"]  # (replacements, label) -> report or error


@dataclass(frozen=True)
class MutantResult:
    """One mutant and what its grading made of it."""

    id: str
    grade_id: str
    operator: str
    line: int
    diff: str
    caught: bool
    lost: tuple[str, ...]  # "item::check score/max" of the zone's checks that lost points
    batch_size: int  # mutants graded in the same notebook


@dataclass(frozen=True)
class ItemScore:
    item: str
    mutants: int
    caught: int

    @property
    def share(self) -> float:
        return self.caught / self.mutants if self.mutants else 1.0


@dataclass(frozen=True)
class MutationScore:
    """The mutants drawn for one TP, graded under its first variant."""

    candidates: int  # non-equivalent mutants of the answer cells
    sample_size: int  # asked for (0: all)
    sample_seed: int
    results: tuple[MutantResult, ...]
    equivalent: tuple[tuple[str, str, bool], ...]  # (id, reason, still a mutant of the cells)
    gradings: int
    seconds: float
    target: float = TARGET
    items: tuple[ItemScore, ...] = field(default=())
    not_graded: tuple[tuple[str, str], ...] = ()  # (mutant id, the grader's error): not scored

    @property
    def caught(self) -> int:
        return sum(r.caught for r in self.results)

    @property
    def share(self) -> float:
        return self.caught / len(self.results) if self.results else 1.0

    @property
    def survivors(self) -> tuple[MutantResult, ...]:
        return tuple(r for r in self.results if not r.caught)

    @property
    def meets_target(self) -> bool:
        return self.share >= self.target


def zone(grade_id: str, affects: Mapping[str, Sequence[str]]) -> frozenset[str]:
    return frozenset((grade_id, *affects.get(grade_id, ())))


def plan_batches(mutants: Sequence[Mutant], affects: Mapping[str, Sequence[str]], *, group: bool = True) -> list[list[Mutant]]:
    """Mutants packed into gradings: greedy, in order; one mutant per cell, zones disjoint,
    cells that no scenario covers (their dependants unknown) alone."""
    batches: list[tuple[list[Mutant], set[str]]] = []
    for m in mutants:
        z = zone(m.grade_id, affects)
        if group and m.grade_id in affects:
            for members, used in batches:
                if members[0].grade_id in affects and not (used & z):
                    members.append(m)
                    used |= z
                    break
            else:
                batches.append(([m], set(z)))
        else:
            batches.append(([m], set(z)))
    return [members for members, _ in batches]


def _lost(report: GradeReport, items: frozenset[str] | None) -> tuple[str, ...]:
    return tuple(
        f"{c.item}::{c.name} {c.score:g}/{c.max_score:g}"
        for c in report.checks
        if c.score < c.max_score and (items is None or c.item in items)
    )


def unattributable(batch: Sequence[Mutant], report: GradeReport, affects: Mapping[str, Sequence[str]],
                   max_score: float) -> str:
    """Why a shared grading cannot say which mutant lost which points ("" when it can)."""
    broken = [f"{c.grade_id or c.index}: {c.status}" for c in report.cells if c.status in ("timeout", "kernel-died")]
    if broken:
        return "cell " + ", ".join(broken)
    if not report.checks or report.max_score != max_score:
        return f"max score {report.max_score:g} instead of {max_score:g}"
    covered = frozenset().union(*(zone(m.grade_id, affects) for m in batch))
    outside = _lost(report, frozenset(c.item for c in report.checks) - covered)
    return f"outside every mutant's zone: {', '.join(outside)}" if outside else ""


def attribute(batch: Sequence[Mutant], report: GradeReport, affects: Mapping[str, Sequence[str]],
              max_score: float) -> list[MutantResult] | None:
    """Which mutants of a grading lost points; None when the grading cannot say (regrade singly)."""
    def result(m: Mutant, lost: tuple[str, ...], caught: bool) -> MutantResult:
        return MutantResult(m.id, m.grade_id, m.operator, m.line, m.diff, caught, lost, len(batch))

    if len(batch) == 1:
        lost = _lost(report, None)
        return [result(batch[0], lost, bool(lost) or report.score < max_score)]
    zones = {m.id: zone(m.grade_id, affects) for m in batch}
    if unattributable(batch, report, affects, max_score):
        return None
    out = []
    for m in batch:
        lost = _lost(report, zones[m.id])
        out.append(result(m, lost, bool(lost)))
    return out


def item_scores(results: Sequence[MutantResult]) -> tuple[ItemScore, ...]:
    items: dict[str, list[bool]] = {}
    for r in results:
        items.setdefault(r.grade_id, []).append(r.caught)
    return tuple(ItemScore(i, len(v), sum(v)) for i, v in items.items())


def culprits(batch: Sequence[Mutant], report: GradeReport) -> list[Mutant]:
    """The mutants whose cell timed out or killed the kernel in a shared grading."""
    bad = {c.grade_id for c in report.cells if c.status in ("timeout", "kernel-died")}
    return [m for m in batch if m.grade_id in bad]


def grade_mutants(
    batches: Sequence[Sequence[Mutant]],
    grade: Grade,
    affects: Mapping[str, Sequence[str]],
    max_score: float,
    progress: Callable[[str], object] = lambda _m: None,
) -> tuple[list[MutantResult], int, list[tuple[str, str]]]:
    """Grade each batch; where a batch cannot be attributed, grade the mutants whose cell
    timed out (or killed the kernel) alone and the others together again, or, with no such
    culprit, every mutant alone.

    Returns the results, how many gradings it took, and the mutants the grader itself failed
    on (id, error): those are left out of the score.
    """
    results: list[MutantResult] = []
    errors: list[tuple[str, str]] = []
    queue: deque[list[Mutant]] = deque(list(b) for b in batches)
    gradings = 0
    while queue:
        batch = queue.popleft()
        gradings += 1
        progress(f"mutants: grading {gradings} ({len(batch)} in one notebook, {len(queue)} batches left): "
                 f"{', '.join(m.id for m in batch)}")
        report = grade({m.grade_id: m.source for m in batch}, f"mutants-{gradings}")
        attributed = None if isinstance(report, str) else attribute(batch, report, affects, max_score)
        if attributed is not None:
            results += attributed
        elif len(batch) == 1:  # a lone mutant is always attributed: the grader failed on it
            errors.append((batch[0].id, str(report)))
        else:
            why = report if isinstance(report, str) else unattributable(batch, report, affects, max_score)
            progress(f"mutants: grading {gradings} cannot be attributed ({why}): regraded apart")
            guilty = [] if isinstance(report, str) else culprits(batch, report)
            if guilty and len(guilty) < len(batch):
                rest = [m for m in batch if m not in guilty]
                queue.extendleft([rest] + [[m] for m in reversed(guilty)])
            else:
                queue.extendleft([[m] for m in reversed(batch)])
    return results, gradings, errors
