"""The scheduling of `autograder.prove.run`: the order of a TP's targets and each TP's share
of a time budget (pure functions; the CLI tests grade for real)."""

from __future__ import annotations

import pytest

from autograder.prove.run import fair_deadline, rotated

TARGETS = [("solution", "solution"), ("g1", "wrong"), ("g2", "wrong"), ("c1", "correct")]


@pytest.mark.parametrize(
    ("rotate", "order"),
    [(0, ["g1", "g2", "c1"]), (1, ["g2", "c1", "g1"]), (2, ["c1", "g1", "g2"]), (3, ["g1", "g2", "c1"]),
     (-1, ["c1", "g1", "g2"]), (10**9 + 1, ["c1", "g1", "g2"])],
)
def test_rotation_keeps_the_solution_first_and_every_target_once(rotate, order):
    got = rotated(TARGETS, rotate)
    assert got[0] == ("solution", "solution")
    assert [g for g, _ in got[1:]] == order


def test_rotation_of_a_tp_with_only_its_solution():
    assert rotated(TARGETS[:1], 5) == TARGETS[:1]


def test_one_job_shares_the_time_left_among_the_tps_not_started():
    # 10 TPs, 100 s: the first gets 10 s; the last gets whatever is left
    assert fair_deadline(100.0, 0.0, 0, 10, 1) == pytest.approx(10.0)
    assert fair_deadline(100.0, 50.0, 5, 10, 1) == pytest.approx(60.0)
    assert fair_deadline(100.0, 90.0, 9, 10, 1) == pytest.approx(100.0)


def test_a_tp_that_finished_early_leaves_its_time_to_the_next():
    # the first TP used 2 s of its 10: the second gets 98 / 9 s, more than 10
    assert fair_deadline(100.0, 2.0, 1, 10, 1) - 2.0 == pytest.approx(98 / 9)


def test_two_jobs_give_each_tp_twice_the_share_of_one_slot_and_never_pass_the_end():
    # 10 TPs on 2 slots, 100 s: each gets 100 * 2 / 11 at the start (the other slot's TP counts)
    assert fair_deadline(100.0, 0.0, 0, 10, 2) == pytest.approx(200 / 11)
    assert fair_deadline(100.0, 80.0, 9, 10, 2) == pytest.approx(100.0)
    assert fair_deadline(100.0, 120.0, 3, 10, 2) == pytest.approx(120.0)  # already late: stop at once
