"""Threshold scoring with partial credit, and wall-time budgets."""

from __future__ import annotations

import math
import time

import pytest

from autograder.checks import CheckFailed, Partial, TimeBudget, score_threshold

LEVELS = [(0.8, 0.5), (0.7, 0.25)]


def score(value, **kwargs):
    options = {"full": 0.9, "partial": LEVELS, "what_fr": "précision", "what_en": "accuracy"}
    return score_threshold(value, **{**options, **kwargs})


def test_full_marks_return_none_and_thresholds_are_inclusive():
    assert score(0.95) is None
    assert score(0.9) is None


def test_the_best_partial_level_reached_is_given():
    with pytest.raises(Partial) as info:
        score(0.812)
    assert info.value.fraction == 0.5
    assert info.value.message.fr == (
        "précision 0.812 : crédit partiel 50 % (seuil ≥ 0.800 atteint) ; ≥ 0.900 pour tous les points"
    )
    assert info.value.message.en == (
        "accuracy 0.812: 50% partial credit (threshold ≥ 0.800 reached); ≥ 0.900 for full marks"
    )
    with pytest.raises(Partial) as info:
        score(0.7)
    assert info.value.fraction == 0.25


def test_below_every_level_fails_with_the_thresholds():
    with pytest.raises(CheckFailed) as info:
        score(0.612)
    msg = info.value.message
    assert msg.fr.startswith("précision 0.612 : seuil minimal non atteint")
    assert "≥ 0.700" in msg.fr and "≥ 0.900" in msg.fr
    assert msg.en.startswith("accuracy 0.612: below the minimum threshold")
    with pytest.raises(CheckFailed) as info:
        score(0.5, partial=())
    assert info.value.message.en == "accuracy 0.500: ≥ 0.900 expected"


def test_lower_is_better_for_losses():
    kwargs = {
        "full": 0.3,
        "partial": [(0.5, 0.5)],
        "higher_is_better": False,
        "what_fr": "perte",
        "what_en": "loss",
        "fmt": "{:.2f}",
    }
    assert score_threshold(0.25, **kwargs) is None
    with pytest.raises(Partial) as info:
        score_threshold(0.41, **kwargs)
    assert "≤ 0.50" in info.value.message.en and "≤ 0.30 for full marks" in info.value.message.en
    with pytest.raises(CheckFailed):
        score_threshold(0.6, **kwargs)


@pytest.mark.parametrize("value", [math.nan, math.inf, "0.95", True, [0.95, 0.95]])
def test_hostile_values_fail_with_a_bilingual_name(value):
    with pytest.raises(CheckFailed) as info:
        score(value)
    assert info.value.message.fr.startswith("précision : ")
    assert info.value.message.en.startswith("accuracy: ")


@pytest.mark.parametrize("partial", [[(0.95, 0.5)], [(0.8, 1.5)]])
def test_inconsistent_thresholds_are_an_author_error(partial):
    with pytest.raises(ValueError):
        score(0.5, partial=partial)


def test_time_budget_within_and_over():
    with TimeBudget(5.0) as budget:
        pass
    assert 0.0 <= budget.check() < 5.0
    with TimeBudget(0.01, what_fr="l'entraînement", what_en="training") as budget:
        time.sleep(0.03)
    with pytest.raises(CheckFailed) as info:
        budget.check()
    msg = info.value.message
    assert msg.fr.startswith("l'entraînement a pris 0.0") and "budget de 0.01 s" in msg.fr
    assert msg.en.startswith("training took 0.0") and "over the 0.01 s budget" in msg.en


def test_time_budget_elapsed_stops_at_exit_and_can_check_midway():
    budget = TimeBudget(60.0).start()
    assert budget.check() < 60.0
    budget.stop()
    frozen = budget.elapsed
    time.sleep(0.01)
    assert budget.elapsed == frozen


class Waiting:
    """A submission whose kernel waited `per_read` more seconds for a CPU at each reading."""

    def __init__(self, per_read: float) -> None:
        self.per_read, self.waited = per_read, 0.0

    def waiting_meter(self):
        def given_back() -> float:
            self.waited += self.per_read
            return self.waited

        return given_back


def test_time_budget_gives_back_the_kernels_cpu_waiting():
    with TimeBudget(0.01, submission=Waiting(10.0)) as budget:
        time.sleep(0.03)
    assert budget.check() < 0.01  # 0.03 s on the wall, all of it waiting for a CPU
    with TimeBudget(0.01, submission=Waiting(0.0)) as budget:
        time.sleep(0.03)
    with pytest.raises(CheckFailed):
        budget.check()


def test_time_budget_misuse():
    with pytest.raises(RuntimeError):
        TimeBudget(1.0).check()
    for bad in (0, -1, math.inf, math.nan):
        with pytest.raises(ValueError):
            TimeBudget(bad)
