"""Reliability bins, ECE and MCE against a hand-computed example."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograder.checks import Bin, CheckFailed, ece, mce, reliability_bins

# 5 bins of width 0.2. By hand:
#   [0.0, 0.2): 0.0, 0.1       -> count 2, confidence 0.05,   accuracy 1/2, gap 0.45
#   [0.2, 0.4): 0.2, 0.3       -> count 2, confidence 0.25,   accuracy 1,   gap 0.75
#   [0.4, 0.6), [0.6, 0.8)     -> empty
#   [0.8, 1.0]: 0.9, 1.0, 1.0, 0.85 -> count 4, confidence 0.9375, accuracy 3/4, gap 0.1875
# ECE = (2·0.45 + 2·0.75 + 4·0.1875) / 8 = 3.15 / 8; MCE = 0.75.
CONF = [0.0, 0.1, 0.2, 0.3, 0.9, 1.0, 1.0, 0.85]
CORRECT = [0, 1, 1, 1, 1, 0, 1, 1]


def test_bins_by_hand_with_edges_empty_bins_and_exact_one():
    bins = reliability_bins(CONF, CORRECT, n_bins=5)
    assert [b.count for b in bins] == [2, 2, 0, 0, 4]
    assert bins[0] == Bin(0.0, 0.2, 2, pytest.approx(0.05), 0.5)
    assert bins[1].mean_confidence == pytest.approx(0.25) and bins[1].accuracy == 1.0
    assert bins[2] == Bin(0.4, pytest.approx(0.6), 0, 0.0, 0.0)
    assert bins[4].lo == 0.8 and bins[4].hi == 1.0
    assert bins[4].mean_confidence == pytest.approx(0.9375) and bins[4].accuracy == 0.75


def test_ece_and_mce_by_hand():
    assert ece(CONF, CORRECT, n_bins=5) == pytest.approx(3.15 / 8)
    assert mce(CONF, CORRECT, n_bins=5) == pytest.approx(0.75)


def test_booleans_and_arrays_give_the_same_result():
    assert ece(np.array(CONF), np.array(CORRECT, dtype=bool), n_bins=5) == pytest.approx(3.15 / 8)


def test_one_bin_ece_is_the_gap_between_mean_confidence_and_accuracy():
    rng = np.random.default_rng(0)
    conf = rng.uniform(size=200)
    correct = rng.uniform(size=200) < conf
    assert ece(conf, correct, n_bins=1) == pytest.approx(abs(conf.mean() - correct.mean()))


def test_a_perfectly_confident_and_right_model_is_calibrated():
    assert ece([1.0, 1.0, 1.0], [1, 1, 1]) == 0.0
    assert reliability_bins([1.0], [1])[-1].count == 1  # default 15 bins, 1.0 in the last


@pytest.mark.parametrize(
    ("conf", "correct", "fragment"),
    [
        ([0.5, 1.2], [1, 0], "outside [0, 1], e.g. 1.2 at [1]"),
        ([0.5, -0.1], [1, 0], "outside [0, 1]"),
        ([0.5, math.nan], [1, 0], "non-finite"),
        ([0.5, 0.6], [1, 2], "0/1"),
        ([0.5, 0.6], [1], "expected shape (2,)"),
        ([[0.5, 0.6]], [[1, 0]], "expected shape (?,)"),
        ([], [], "no predictions"),
    ],
)
def test_hostile_inputs_fail_the_check(conf, correct, fragment):
    with pytest.raises(CheckFailed) as info:
        ece(conf, correct)
    assert fragment in info.value.message.en


def test_bad_bin_count_is_an_author_error():
    with pytest.raises(ValueError):
        ece([0.5], [1], n_bins=0)
