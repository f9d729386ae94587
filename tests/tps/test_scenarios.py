"""Every TP's checks, graded for real against the proof beside it (source/<tp>/scenarios.py):
the solution earns everything, the untouched release nothing, every realistic mistake loses
exactly the points it should with a hint, and every alternative correct answer keeps them all.

Test ids name the TP and the group (`test_scenario_group[tp05_generative-vae-kl]`). Each
grading starts a sandboxed kernel (seconds): a TP's tests run one after another (the
determinism test, last, regrades what they graded once), and under xdist they stay in one
worker (`--dist loadfile`, split by TP in tests/conftest.py). TPs that train models are
`slow` (the separate CI step); TP01 grades in seconds and stays in the default suite.
"""

from __future__ import annotations

import pytest

from autograder.prove.judge import lost_points
from autograder.prove.leaks import report_leaks
from autograder.results import GradeReport, Status
from tests.tp_harness import (
    REGRADINGS,
    SOLUTION,
    first_grading,
    regraded_groups,
    replacements,
    scenario_problems,
    scenario_set,
    score_differences,
    summary,
    tps_with_scenarios,
)

#: This course's TPs are each out of 20.
EXPECTED_TOTAL = 20.0
#: TPs whose whole proof grades in seconds: they stay in the default suite.
FAST_TPS = {"tp01_gradients"}
TPS = tps_with_scenarios()


def _param(tp: str, *rest: str, marks: tuple = ()) -> pytest.param:
    """One test case of a TP, its id starting with the TP; slow unless the TP is fast."""
    if tp not in FAST_TPS:
        marks += (pytest.mark.slow,)
    return pytest.param(tp, *rest, id="-".join((tp, *rest)), marks=marks)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`tp` alone, or `tp` with one of its wrong-answer groups (`group`), correct groups
    (`correct_group`) or gradings to repeat (`target`): groups differ from TP to TP."""
    names = metafunc.fixturenames
    if "group" in names:
        cases = [_param(tp, g) for tp in TPS for g in sorted(scenario_set(tp).groups)]
        metafunc.parametrize(("tp", "group"), cases)
    elif "correct_group" in names:
        cases = [_param(tp, g) for tp in TPS for g in sorted(scenario_set(tp).correct_groups)]
        metafunc.parametrize(("tp", "correct_group"), cases)
    elif "target" in names:
        sample = metafunc.config.getoption("regrade_groups")
        rotate = metafunc.config.getoption("regrade_rotate")
        cases = [
            _param(tp, t, marks=(pytest.mark.determinism,))
            for tp in TPS
            for t in (SOLUTION, *regraded_groups(sorted(scenario_set(tp).groups), sample, rotate))
        ]
        metafunc.parametrize(("tp", "target"), cases)
    elif "tp" in names:
        metafunc.parametrize("tp", [_param(tp) for tp in TPS])


@pytest.fixture
def solution_report(tp: str, grade_answers) -> GradeReport:
    return first_grading(tp, SOLUTION, grade_answers)


def test_groups_cover_every_scenario_once(tp):
    s = scenario_set(tp)
    assert SOLUTION not in s.groups, f"a group may not be named {SOLUTION!r}"
    grouped = [name for names in s.groups.values() for name in names]
    assert sorted(grouped) == sorted(s.scenarios), "each scenario belongs to exactly one group"
    for group, names in s.groups.items():
        items = [s.scenarios[n].grade_id for n in names]
        assert len(items) == len(set(items)), f"{group}: two scenarios replace the same cell"
        for n in names:
            overlap = set(s.scenarios[n].affects) & set(items)
            assert not overlap, f"{group}: {n} affects {sorted(overlap)}, also replaced in the group"


def test_correct_groups_cover_every_variant_once(tp):
    s = scenario_set(tp)
    assert not set(s.correct_groups) & (set(s.groups) | {SOLUTION}), "group names must differ"
    grouped = [name for names in s.correct_groups.values() for name in names]
    assert sorted(grouped) == sorted(s.correct), "each correct variant belongs to one group"
    for group, names in s.correct_groups.items():
        items = [s.correct[n].grade_id for n in names]
        assert len(items) == len(set(items)), f"{group}: two variants replace the same cell"


def test_solution_earns_full_marks(solution_report):
    report = solution_report
    assert report.max_score == pytest.approx(EXPECTED_TOTAL), summary(report)
    assert report.score == pytest.approx(report.max_score), summary(report)
    assert not report.problems, summary(report)
    assert all(c.status is Status.PASSED for c in report.checks), summary(report)


def test_every_check_has_an_item_and_points(tp, solution_report):
    answer_items = {s.grade_id for s in scenario_set(tp).scenarios.values()}
    items = {c.item for c in solution_report.checks}
    assert items == answer_items, f"items with checks {sorted(items)} vs scenarios {sorted(answer_items)}"
    assert all(c.max_score > 0 for c in solution_report.checks)


def test_untouched_release_earns_nothing(tp, grade_release):
    report = grade_release(tp)
    assert report.max_score == pytest.approx(EXPECTED_TOTAL), summary(report)
    assert report.score == 0, summary(report)
    assert all(c.score == 0 for c in report.checks), summary(report)
    assert not report_leaks(report), "\n".join(report_leaks(report))


def test_scenario_group(tp, group, grade_answers, solution_report):
    s = scenario_set(tp)
    report = first_grading(tp, group, grade_answers)
    assert report.max_score == pytest.approx(solution_report.max_score), summary(report)
    problems = scenario_problems({n: s.scenarios[n] for n in s.groups[group]}, report)
    assert not problems, "\n".join(problems) + "\n" + summary(report)


def test_correct_variants_keep_full_marks(tp, correct_group, grade_answers, solution_report):
    report = first_grading(tp, correct_group, grade_answers)
    lost = [str(f) for f in lost_points(correct_group, report)]
    assert not lost and report.score == pytest.approx(solution_report.max_score), (
        f"correct variants {list(scenario_set(tp).correct_groups[correct_group])} lost points:\n"
        + "\n".join(lost) + "\n" + summary(report)
    )


# Last: in one session it regrades what the tests above graded once.
def test_regrading_gives_identical_scores(tp, target, grade_answers):
    """Graded again, the same notebook gets the same score on every check: the solution
    three times, each group of wrong answers twice (the slow step regrades only a rotating
    sample of the groups, `--regrade-groups`: CI's 90 minutes do not hold them all)."""
    first = first_grading(tp, target, grade_answers)
    for attempt in range(2, REGRADINGS.get(target, 2) + 1):
        again = grade_answers(tp, replacements(tp, target))
        diffs = score_differences(first, again)
        assert not diffs, f"grading {attempt} of {target} differs from the first:\n" + "\n".join(diffs)
