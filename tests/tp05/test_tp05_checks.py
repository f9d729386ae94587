"""TP05's checks, graded for real: the solution earns everything, the release nothing, and
every realistic mistake in scenarios.py loses exactly the points it should, with a hint.

Each grading starts a sandboxed kernel (several seconds), so scenarios touching
independent items share one graded notebook (see GROUPS in scenarios.py).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from autograder.results import GradeReport, Status

# Every test here grades notebooks that train a denoiser: the slow CI step.
pytestmark = pytest.mark.slow

TP = "tp05_generative"
EXPECTED_TOTAL = 20.0


def _load_scenarios():
    """Loaded under a unique name: other TPs' tests have a scenarios.py of their own."""
    path = Path(__file__).with_name("scenarios.py")
    spec = importlib.util.spec_from_file_location("tp05_scenarios", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


_S = _load_scenarios()
SCENARIOS, GROUPS = _S.SCENARIOS, _S.GROUPS


def _summary(report: GradeReport) -> str:
    lines = [f"score {report.score}/{report.max_score}"]
    for c in report.checks:
        text = c.message.text("fr") if c.message else ""
        lines.append(
            f"  {c.status.value:8} {c.score}/{c.max_score} {c.item}::{c.name} {text[:300]}"
        )
    lines += [f"  problem {p.code}: {p.message.fr} ({p.where})" for p in report.problems]
    return "\n".join(lines)


def test_groups_cover_every_scenario_once():
    grouped = [name for names in GROUPS.values() for name in names]
    assert sorted(grouped) == sorted(SCENARIOS), "each scenario belongs to exactly one group"
    for group, names in GROUPS.items():
        items = [SCENARIOS[n].grade_id for n in names]
        assert len(items) == len(set(items)), f"{group}: two scenarios replace the same cell"


@pytest.fixture(scope="module")
def solution_report(grade_answers) -> GradeReport:
    return grade_answers(TP, {})


def test_solution_earns_full_marks(solution_report):
    report = solution_report
    assert report.max_score == pytest.approx(EXPECTED_TOTAL), _summary(report)
    assert report.score == pytest.approx(report.max_score), _summary(report)
    assert not report.problems, _summary(report)
    assert all(c.status is Status.PASSED for c in report.checks), _summary(report)


def test_every_check_has_an_item_and_points(solution_report):
    answer_items = {s.grade_id for s in SCENARIOS.values()}
    items = {c.item for c in solution_report.checks}
    assert items == answer_items, (
        f"items with checks {sorted(items)} vs scenarios {sorted(answer_items)}"
    )
    assert all(c.max_score > 0 for c in solution_report.checks)


def test_untouched_release_earns_nothing(grade_release):
    report = grade_release(TP)
    assert report.max_score == pytest.approx(EXPECTED_TOTAL), _summary(report)
    assert report.score == 0, _summary(report)
    assert all(c.score == 0 for c in report.checks), _summary(report)


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_scenario_group(group, grade_answers, solution_report):
    names = GROUPS[group]
    scenarios = {name: SCENARIOS[name] for name in names}
    report = grade_answers(TP, {s.grade_id: s.source for s in scenarios.values()})
    summary = _summary(report)
    assert report.max_score == pytest.approx(solution_report.max_score), summary

    by_name = {c.name: c for c in report.checks}
    touched = {s.grade_id for s in scenarios.values()}
    allowed = touched | {item for s in scenarios.values() for item in s.affects}
    problems: list[str] = []

    for name, sc in scenarios.items():
        for check in sc.must_fail:
            if check not in by_name:
                problems.append(f"{name}: no check named {check}")
        failing = [by_name[c] for c in sc.must_fail if c in by_name]
        for c in failing:
            if c.score >= c.max_score:
                problems.append(
                    f"{name}: {c.name} should lose points but kept {c.score}/{c.max_score}"
                )
            elif c.message is None or not c.message.fr or not c.message.en:
                problems.append(f"{name}: {c.name} fails without a bilingual message")
        messages = [c.message.text("fr") for c in failing if c.message]
        for needle in sc.message_contains:
            if not any(needle in m for m in messages):
                problems.append(f"{name}: no message of {list(sc.must_fail)} contains {needle!r}")
        for c in report.checks:
            if c.item == sc.grade_id and c.name not in sc.must_fail and c.score < c.max_score:
                problems.append(
                    f"{name}: {c.name} of the same item should keep its points, got {c.score}/{c.max_score}"
                )

    for c in report.checks:
        if c.item not in allowed and c.score < c.max_score:
            problems.append(
                f"untouched item {c.item}: {c.name} lost points ({c.score}/{c.max_score})"
            )

    assert not problems, "\n".join(problems) + "\n" + summary
