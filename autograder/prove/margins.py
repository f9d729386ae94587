"""How far the solution sits from failing each check, over several grader seeds.

A threshold that the solution clears by 1 % will flip on another seed or another GPU,
and students will rightly contest the grade. `autograder margins <tp>` grades the
solution view once per seed through the normal sandboxed path and keeps, for each
check, the tightest margin its helpers recorded (see `autograder.checks.margins`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from autograder.config import GradeOptions
from autograder.course import TP
from autograder.results import GradeReport, Margin, Status, Visibility

#: Below these, a margin is flagged: a threshold less than 5 % away from what the
#: solution reaches, or an error using more than half of its tolerance.
THRESHOLD_WARN_SLACK = 0.05
TOLERANCE_WARN_SLACK = 0.5


@dataclass(frozen=True)
class CheckMargin:
    """One check over every seed: its tightest recorded margin (None: exact comparisons)."""

    check: str
    item: str
    visibility: Visibility
    passed_every_seed: bool
    tightest: Margin | None
    seed_of_tightest: int | None
    recorded: int  # how many comparisons were recorded across seeds

    @property
    def flagged(self) -> bool:
        if not self.passed_every_seed:
            return True
        if self.tightest is None:
            return False
        warn = TOLERANCE_WARN_SLACK if self.tightest.kind == "tolerance" else THRESHOLD_WARN_SLACK
        return self.tightest.slack < warn


@dataclass(frozen=True)
class MarginReport:
    tp: str
    seeds: tuple[int, ...]
    scores: tuple[float, ...]
    max_score: float
    checks: tuple[CheckMargin, ...]


def seeds_from(base: int, count: int) -> tuple[int, ...]:
    """The course's seed first, then neighbours: reproducible, and the first is the real one."""
    return tuple(base + k for k in range(max(1, count)))


def combine(reports: Sequence[tuple[int, GradeReport]]) -> MarginReport:
    """Fold per-seed reports into one row per check (order of the first report)."""
    if not reports:
        raise ValueError("combine: no report")
    first = reports[0][1]
    rows = []
    for check in first.checks:
        runs = [
            (seed, c) for seed, r in reports for c in r.checks if c.name == check.name and c.item == check.item
        ]
        candidates = [(m.slack, seed, m) for seed, c in runs for m in c.margins]
        tight = min(candidates, key=lambda t: t[0]) if candidates else None
        rows.append(
            CheckMargin(
                check=check.name,
                item=check.item,
                visibility=check.visibility,
                passed_every_seed=len(runs) == len(reports) and all(c.status is Status.PASSED for _, c in runs),
                tightest=tight[2] if tight else None,
                seed_of_tightest=tight[1] if tight else None,
                recorded=len(candidates),
            )
        )
    return MarginReport(
        tp=first.tp,
        seeds=tuple(seed for seed, _ in reports),
        scores=tuple(r.score for _, r in reports),
        max_score=first.max_score,
        checks=tuple(rows),
    )


def margin_report(
    tp: TP,
    options: GradeOptions,
    *,
    seeds: Sequence[int],
    nbgrader_config: Path,
    progress: Callable[[str], object] = lambda _msg: None,
) -> MarginReport:
    """Grade the solution view of `tp` once per seed and fold the margins."""
    from autograder.grading.grade import grade_notebook_dict, pool_for_tp
    from autograder.release.views import build_views

    views = build_views(tp, nbgrader_config=nbgrader_config)
    reports = []
    with pool_for_tp(tp, options) as pool:  # the seed does not change the kernel: one pool
        for seed in seeds:
            progress(f"[margins] {tp.id}: grading the solution with seed {seed}")
            graded = grade_notebook_dict(
                tp, views.solution_nb, options=replace(options, seed=seed), instructor_nb=views.release_nb,
                label="solution", pool=pool,
            )
            report = graded.report
            progress(f"[margins] {tp.id}: {report.score:g}/{report.max_score:g} in {report.durations.get('total', 0):.1f} s")
            reports.append((seed, report))
    return combine(reports)
