"""The determinism test's sample (`--regrade-groups`, `--regrade-rotate`): which groups a
budgeted slow step regrades, and that successive rotations cover them all."""

from __future__ import annotations

from tests.tp_harness import regraded_groups

GROUPS = ["a", "b", "c", "d", "e"]


def test_without_a_sample_every_group_is_regraded():
    assert regraded_groups(GROUPS, None, 3) == GROUPS
    assert regraded_groups(GROUPS, 9, 3) == GROUPS


def test_a_sample_starts_at_the_rotated_group_and_wraps_around():
    assert regraded_groups(GROUPS, 2, 0) == ["a", "b"]
    assert regraded_groups(GROUPS, 2, 4) == ["e", "a"]
    assert regraded_groups(GROUPS, 2, 12) == ["c", "d"]


def test_successive_rotations_regrade_every_group():
    seen = {g for r in range(0, 5, 2) for g in regraded_groups(GROUPS, 2, r)}
    assert seen == set(GROUPS)


def test_a_zero_sample_or_no_group_regrades_only_the_solution():
    assert regraded_groups(GROUPS, 0, 1) == []
    assert regraded_groups([], 2, 1) == []
