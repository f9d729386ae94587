"""Grade a TP's own two views before releasing it.

The solution must earn full marks and the untouched release must earn nothing, both
through the same sandboxed path a student submission takes: a check that passes on
the release hands out free points, and a solution that fails its own checks cannot be
released.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograder.config import GradeOptions
from autograder.course import TP
from autograder.grade import grade_notebook_dict, pool_for_tp
from autograder.release import VerifyResult
from autograder.results import GradeReport, Status


def _failures(report: GradeReport, lang: str) -> list[str]:
    return [
        f"{c.name} [{c.item}] {c.score:g}/{c.max_score:g}: {c.message.text(lang) if c.message else c.status}"
        for c in report.checks
        if c.status is not Status.PASSED
    ]


def make_verifier(options: GradeOptions, out: Callable[[str], object] = print) -> Callable[[TP, dict, dict], VerifyResult]:
    def verify(tp: TP, release_nb: dict[str, Any], solution_nb: dict[str, Any]) -> VerifyResult:
        out(f"[release] {tp.id}: grading the solution notebook")
        with pool_for_tp(tp, options) as pool:  # two gradings, one fork server
            sol = grade_notebook_dict(
                tp, solution_nb, options=options, instructor_nb=release_nb, label="solution", pool=pool
            ).report
            out(f"[release] {tp.id}: solution {sol.score:g}/{sol.max_score:g} in {sol.durations.get('total', 0):.1f} s")
            out(f"[release] {tp.id}: grading the untouched release")
            rel = grade_notebook_dict(
                tp, release_nb, options=options, instructor_nb=release_nb, label="release", pool=pool
            ).report
        out(f"[release] {tp.id}: untouched release {rel.score:g}/{rel.max_score:g}")
        problems: list[str] = []
        if sol.max_score <= 0 and not tp.config.manual:  # a TP of manual items only has no automatic points
            problems.append("the TP has no checks worth points / le TP n'a aucune vérification notée")
        if sol.score < sol.max_score:
            problems.append(f"solution earns {sol.score:g}/{sol.max_score:g}, not full marks:")
            problems += ["  " + f for f in _failures(sol, options.lang)]
            problems += [f"  problem: {p.code}: {p.message.text(options.lang)}" for p in sol.problems]
        if rel.score > 0:
            free = [c for c in rel.checks if c.score > 0]
            problems.append(f"the untouched release earns {rel.score:g} points (free points):")
            problems += [f"  {c.name} [{c.item}] gives {c.score:g}" for c in free]
        if any(p.code in ("kernel-died", "kernel-start-failed") for p in rel.problems):
            problems.append("the untouched release crashed the kernel")
        return VerifyResult(
            ok=not problems,
            solution_score=sol.score,
            max_score=sol.max_score,
            release_score=rel.score,
            problems=problems,
            manual_points=tp.config.manual_points,
        )

    return verify
