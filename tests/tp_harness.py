"""The engine of the TP tests (tests/tps/test_scenarios.py): every TP of source/ with a
scenarios file, graded for real and judged by `autograder.prove.judge`.

A TP's proof lives beside it, in `source/<tp>/scenarios.py` (SCENARIOS: name ->
Scenario(grade_id, source, must_fail, message_contains, affects, may_fail), GROUPS: group ->
scenario names; CORRECT and CORRECT_GROUPS: alternative correct answers). The solution earns
everything, the untouched release nothing, every realistic mistake loses exactly the points it
should with a bilingual hint while untouched items keep theirs, and every correct variant keeps
full marks. Scenarios touching independent items share one graded notebook (a grading starts a
sandboxed kernel: seconds), so GROUPS must not mix a scenario with one it affects.

`autograder release` and `autograder prove` use the same judgement and the same file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from autograder.course import Course
from autograder.prove.judge import Correct, Scenario, leak_findings, scenario_findings
from autograder.prove.run import replacements_for
from autograder.prove.scenarios import ScenarioSet, find_scenarios, load_scenario_set
from autograder.results import GradeReport

ROOT = Path(__file__).resolve().parents[1]

#: The target of the tests that grade the solution itself (no scenario).
SOLUTION = "solution"
#: How many gradings the determinism test compares per target (default 2).
REGRADINGS = {SOLUTION: 3}

__all__ = ["Correct", "Scenario", "scenario_problems", "scenario_set", "tps_with_scenarios"]


def regraded_groups(groups: list[str], sample: int | None, rotate: int) -> list[str]:
    """The groups the determinism test regrades: all of them, or `sample` of them starting at
    the `rotate`-th (modulo their number), so that a budgeted CI run regrades a few and
    successive runs others."""
    if sample is None or sample >= len(groups):
        return groups
    if sample <= 0 or not groups:
        return []
    start = rotate % len(groups)
    return (groups[start:] + groups[:start])[:sample]


def tps_with_scenarios(root: Path = ROOT) -> list[str]:
    """The course's TPs that declare scenarios (source/<tp>/scenarios.py, or the older
    tests/<tpNN>/scenarios.py, which `find_scenarios` still reads), in TP order."""
    return [tp for tp in Course(root).tp_ids() if find_scenarios(root, tp) is not None]


@functools.cache
def scenario_set(tp_id: str) -> ScenarioSet:
    path = find_scenarios(ROOT, tp_id)
    assert path is not None, f"{tp_id} has no scenarios file"
    return load_scenario_set(path, ROOT)


def replacements(tp_id: str, target: str) -> dict[str, str]:
    """grade_id -> source for a target: the solution, a GROUPS name or a CORRECT_GROUPS name."""
    s = scenario_set(tp_id)
    kind = "solution" if target == SOLUTION else "correct" if target in s.correct_groups else "wrong"
    return replacements_for(s, target, kind)


# The first grading of each (TP, target), kept so the determinism test only regrades.
_first_gradings: dict[tuple[str, str], GradeReport] = {}


def first_grading(tp_id: str, target: str, grade_answers: Callable[..., GradeReport]) -> GradeReport:
    key = (tp_id, target)
    if key not in _first_gradings:
        _first_gradings[key] = grade_answers(tp_id, replacements(tp_id, target))
    return _first_gradings[key]


def summary(report: GradeReport) -> str:
    lines = [f"score {report.score}/{report.max_score}"]
    for c in report.checks:
        text = c.message.text("fr") if c.message else ""
        lines.append(
            f"  {c.status.value:8} {c.score}/{c.max_score} {c.item}::{c.name} {text[:300]}"
        )
    lines += [f"  problem {p.code}: {p.message.fr} ({p.where})" for p in report.problems]
    return "\n".join(lines)


def scenario_problems(scenarios: dict[str, Scenario], report: GradeReport) -> list[str]:
    """Every way the graded report differs from what the scenarios promise.

    That includes every hidden check whose message (or rendered feedback) shows a value it
    expected on its hidden input (autograder/prove/leaks.py): each TP's wrong answers are graded here
    anyway, so the leak test costs no kernel time.
    """
    problems = [str(f) for f in scenario_findings(scenarios, report) + leak_findings("", report)]
    return problems


def score_differences(a: GradeReport, b: GradeReport) -> list[str]:
    """Every check whose score or status differs between two gradings of one notebook."""
    left = {c.name: (c.score, c.status) for c in a.checks}
    right = {c.name: (c.score, c.status) for c in b.checks}
    diffs = [f"  {n}: {left.get(n)} then {right.get(n)}" for n in sorted(left.keys() | right.keys())
             if left.get(n) != right.get(n)]
    if a.score != b.score:
        diffs.append(f"  total: {a.score} then {b.score}")
    if [p.code for p in a.problems] != [p.code for p in b.problems]:
        diffs.append(f"  problems: {[p.code for p in a.problems]} then {[p.code for p in b.problems]}")
    return diffs
