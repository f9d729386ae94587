"""Grade a TP's own two views, and its proof, before releasing it.

The solution must earn full marks and the untouched release must earn nothing, both
through the same sandboxed path a student submission takes: a check that passes on
the release hands out free points, and a solution that fails its own checks cannot be
released. Then every answer of the TP's scenarios file (source/<tp>/scenarios.py) is graded
in the same kernel pool and judged as `autograder prove` and the TP tests judge it
(`autograder.prove.run.judge_grading`): a correct variant keeps every point, a wrong answer
loses exactly the points it names, with its hint, and no grading (the two views included)
shows a hidden check's expected value. `scenarios=False` (`--skip-scenarios`)
is for drafts, and the result says the proof was skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autograder.config import GradeOptions
from autograder.course import TP
from autograder.grading.grade import grade_notebook_dict, pool_for_tp
from autograder.prove.judge import Finding, leak_findings
from autograder.prove.run import judge_grading, replacements_for, targets_of, with_answers
from autograder.prove.scenarios import ScenarioSet, find_scenarios, load_scenario_set
from autograder.release.files import VerifyResult
from autograder.results import GradeReport, Status


def _failures(report: GradeReport, lang: str) -> list[str]:
    return [
        f"{c.name} [{c.item}] {c.score:g}/{c.max_score:g}: {c.message.text(lang) if c.message else c.status}"
        for c in report.checks
        if c.status is not Status.PASSED
    ]


def _shown(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _load(tp: TP) -> tuple[ScenarioSet | None, str, list[str]]:
    """(the TP's scenarios or None, what the proof will cover, problems): a scenarios file
    that does not load is the author's error, reported as a refusal, not a crash."""
    root = tp.source_dir.parent.parent
    path = find_scenarios(root, tp.id)
    if path is None:
        return None, f"no scenarios (write source/{tp.id}/scenarios.py: `autograder new` shows one)", []
    try:
        chosen = load_scenario_set(path, root)
    except Exception as exc:  # noqa: BLE001 - the author's file, executed: any error is theirs
        return None, "", [f"{_shown(path, root)} does not load: {type(exc).__name__}: {exc}"]
    return chosen, _shown(path, root), []


def _describe(kind: str, group: str, chosen: ScenarioSet, finding: Finding) -> str:
    """A problem line naming the group, its answers and the check (the Finding's own text)."""
    names = chosen.correct_groups[group] if kind == "correct" else chosen.groups[group]
    what = "correct variants" if kind == "correct" else "wrong answers"
    return f"{what} {group} ({', '.join(names)}): {finding}"


def make_verifier(
    options: GradeOptions, out: Callable[[str], object] = print, *, scenarios: bool = True
) -> Callable[[TP, dict, dict], VerifyResult]:
    """A verifier for `release_tp`: the solution, the untouched release and (unless
    `scenarios` is False) every answer of the TP's scenarios, in one kernel pool."""

    def verify(tp: TP, release_nb: dict[str, Any], solution_nb: dict[str, Any]) -> VerifyResult:
        started = time.monotonic()
        problems: list[str] = []
        chosen: ScenarioSet | None = None
        if scenarios:
            chosen, proof, problems = _load(tp)
        else:
            proof = "scenarios SKIPPED (--skip-scenarios): no wrong answer or correct variant graded"
        targets = [t for t in targets_of(chosen) if t[1] != "solution"] if chosen else []
        found: list[str] = []  # what the scenarios' gradings contradict
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
            if sol.score < sol.max_score and targets:  # nothing to judge answers against
                proof, targets, chosen = f"{proof}: not graded, the solution lacks points", [], None
            for k, (group, kind) in enumerate(targets, 1):
                out(f"[release] {tp.id}: {'correct' if kind == 'correct' else 'wrong'} answers {group} ({k}/{len(targets)})")
                try:
                    nb = with_answers(solution_nb, replacements_for(chosen, group, kind))
                except KeyError as exc:  # a grade_id the notebook does not have
                    found.append(f"{group}: {exc.args[0]}")
                    continue
                report = grade_notebook_dict(
                    tp, nb, options=options, instructor_nb=release_nb, label=group, pool=pool
                ).report
                found += [_describe(kind, group, chosen, f)
                             for f in judge_grading(kind, group, chosen, report, sol.max_score)]
        if chosen is not None:
            wrong = sum(1 for _, kind in targets if kind == "wrong")
            proof = (f"{proof}: {len(chosen.scenarios)} wrong answers in {wrong} gradings, "
                     f"{len(chosen.correct)} correct variants in {len(targets) - wrong}")
        if sol.max_score <= 0 and not tp.config.manual:  # a TP of manual items only has no automatic points
            problems.append("the TP has no checks worth points / le TP n'a aucune vérification notée")
        broken = [p for p in sol.problems if p.code == "check-collection-error"]
        if broken:  # its points are out of the total: "full marks" would prove nothing
            problems.append("a check file does not import / un fichier de vérifications ne s'importe pas:")
            problems += [f"  {p.message.text(options.lang)}" for p in broken]
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
        problems += [str(f) for f in leak_findings("solution", sol) + leak_findings("untouched release", rel)]
        problems += found
        return VerifyResult(
            ok=not problems,
            solution_score=sol.score,
            max_score=sol.max_score,
            release_score=rel.score,
            problems=problems,
            manual_points=tp.config.manual_points,
            proof=proof,
            seconds=round(time.monotonic() - started, 1),
        )

    return verify
