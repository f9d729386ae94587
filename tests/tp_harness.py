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
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from autograder.course import Course
from autograder.prove.judge import Correct, Scenario, lost_points, scenario_findings
from autograder.prove.run import replacements_for
from autograder.prove.scenarios import ScenarioSet, find_scenarios, load_scenario_set
from autograder.results import GradeReport, Status
from tests.leaks import report_leaks

ROOT = Path(__file__).resolve().parents[1]

#: The target of the tests that grade the solution itself (no scenario).
SOLUTION = "solution"
#: How many gradings the determinism test compares per target (default 2).
REGRADINGS = {SOLUTION: 3}

__all__ = ["Correct", "Scenario", "scenario_problems", "scenario_set", "tps_with_scenarios"]


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
    expected on its hidden input (tests/leaks.py): each TP's wrong answers are graded here
    anyway, so the leak test costs no kernel time.
    """
    problems = [str(f) for f in scenario_findings(scenarios, report)]
    problems += [f"leak: {leak}" for leak in report_leaks(report)]
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


# --------------------------------------------------------------------------- transition
# tests/tp03 and tests/tp04 keep their own module until their scenarios move to source/ (another
# change is editing them); tests/tps/test_scenarios.py leaves out a TP that still has one.


def has_own_module(tp_id: str, root: Path = ROOT) -> bool:
    short = tp_id.split("_", 1)[0]
    return (root / "tests" / short / f"test_{short}_checks.py").is_file()


def load_scenarios(test_file: str) -> ModuleType:
    """scenarios.py beside `test_file`, under a name unique to its TP folder."""
    path = Path(test_file).with_name("scenarios.py")
    name = f"{path.parent.name}_scenarios"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module



def tp_tests(tp: str, test_file: str, *, expected_total: float = 20.0) -> dict[str, Any]:
    """The standard tests (and their fixture) for one TP, to put in the test module."""
    module = load_scenarios(test_file)
    scenarios_all, groups = module.SCENARIOS, module.GROUPS
    # Alternative correct answers (optional until every TP has them): CORRECT holds the
    # variants, CORRECT_GROUPS the variants graded together (one per answer cell).
    correct_all: dict[str, Correct] = getattr(module, "CORRECT", {})
    correct_groups: dict[str, tuple[str, ...]] = getattr(module, "CORRECT_GROUPS", {})

    def test_groups_cover_every_scenario_once():
        assert SOLUTION not in groups, f"a group may not be named {SOLUTION!r}"
        grouped = [name for names in groups.values() for name in names]
        assert sorted(grouped) == sorted(scenarios_all), (
            "each scenario belongs to exactly one group"
        )
        for group, names in groups.items():
            items = [scenarios_all[n].grade_id for n in names]
            assert len(items) == len(set(items)), f"{group}: two scenarios replace the same cell"
            for n in names:
                overlap = set(scenarios_all[n].affects) & set(items)
                assert not overlap, (
                    f"{group}: {n} affects {sorted(overlap)}, also replaced in the group"
                )

    # The first grading of each notebook, kept so the determinism step only regrades.
    own_first_gradings: dict[str, GradeReport] = {}

    def replacements(target: str) -> dict[str, str]:
        if target == SOLUTION:
            return {}
        if target in correct_groups:
            return {correct_all[n].grade_id: correct_all[n].source for n in correct_groups[target]}
        return {scenarios_all[n].grade_id: scenarios_all[n].source for n in groups[target]}

    def first_grading(target: str, grade_answers) -> GradeReport:
        if target not in own_first_gradings:
            own_first_gradings[target] = grade_answers(tp, replacements(target))
        return own_first_gradings[target]

    @pytest.fixture(scope="module")
    def solution_report(grade_answers) -> GradeReport:
        return first_grading(SOLUTION, grade_answers)

    def test_solution_earns_full_marks(solution_report):
        report = solution_report
        assert report.max_score == pytest.approx(expected_total), summary(report)
        assert report.score == pytest.approx(report.max_score), summary(report)
        assert not report.problems, summary(report)
        assert all(c.status is Status.PASSED for c in report.checks), summary(report)

    def test_every_check_has_an_item_and_points(solution_report):
        answer_items = {s.grade_id for s in scenarios_all.values()}
        items = {c.item for c in solution_report.checks}
        assert items == answer_items, (
            f"items with checks {sorted(items)} vs scenarios {sorted(answer_items)}"
        )
        assert all(c.max_score > 0 for c in solution_report.checks)

    def test_untouched_release_earns_nothing(grade_release):
        report = grade_release(tp)
        assert report.max_score == pytest.approx(expected_total), summary(report)
        assert report.score == 0, summary(report)
        assert all(c.score == 0 for c in report.checks), summary(report)
        assert not report_leaks(report), "\n".join(report_leaks(report))

    @pytest.mark.parametrize("group", sorted(groups))
    def test_scenario_group(group, grade_answers, solution_report):
        chosen = {name: scenarios_all[name] for name in groups[group]}
        report = first_grading(group, grade_answers)
        assert report.max_score == pytest.approx(solution_report.max_score), summary(report)
        problems = scenario_problems(chosen, report)
        assert not problems, "\n".join(problems) + "\n" + summary(report)

    def test_correct_groups_cover_every_variant_once():
        assert not set(correct_groups) & (set(groups) | {SOLUTION}), "group names must differ"
        grouped = [name for names in correct_groups.values() for name in names]
        assert sorted(grouped) == sorted(correct_all), "each correct variant belongs to one group"
        for group, names in correct_groups.items():
            items = [correct_all[n].grade_id for n in names]
            assert len(items) == len(set(items)), f"{group}: two variants replace the same cell"

    @pytest.mark.parametrize("group", sorted(correct_groups) or ["(none)"])
    def test_correct_variants_keep_full_marks(group, grade_answers, solution_report):
        if group == "(none)":
            pytest.skip(f"{tp} declares no alternative correct answers yet")
        report = first_grading(group, grade_answers)
        lost = [str(f) for f in lost_points(group, report)]
        assert not lost and report.score == pytest.approx(solution_report.max_score), (
            f"correct variants {list(correct_groups[group])} lost points:\n" + "\n".join(lost)
            + "\n" + summary(report)
        )

    @pytest.mark.determinism
    @pytest.mark.parametrize("target", [SOLUTION, *sorted(groups)])
    def test_regrading_gives_identical_scores(target, grade_answers):
        """Graded again, the same notebook gets the same score on every check: the solution
        three times, each group of wrong answers twice (CI's 90 minutes hold ~270 gradings;
        `prove` grades every group again under two more variants)."""
        first = first_grading(target, grade_answers)
        for attempt in range(2, REGRADINGS.get(target, 2) + 1):
            again = grade_answers(tp, replacements(target))
            diffs = score_differences(first, again)
            assert not diffs, f"grading {attempt} of {target} differs from the first:\n" + "\n".join(diffs)

    return {
        "solution_report": solution_report,
        "test_groups_cover_every_scenario_once": test_groups_cover_every_scenario_once,
        "test_solution_earns_full_marks": test_solution_earns_full_marks,
        "test_every_check_has_an_item_and_points": test_every_check_has_an_item_and_points,
        "test_untouched_release_earns_nothing": test_untouched_release_earns_nothing,
        "test_scenario_group": test_scenario_group,
        "test_correct_groups_cover_every_variant_once": test_correct_groups_cover_every_variant_once,
        "test_correct_variants_keep_full_marks": test_correct_variants_keep_full_marks,
        # Last: in one session it regrades what the tests above graded once.
        "test_regrading_gives_identical_scores": test_regrading_gives_identical_scores,
    }
