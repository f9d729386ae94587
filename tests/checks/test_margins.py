"""checks.margins: helpers record how close a comparison came to failing, only while asked."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import (
    CheckFailed,
    assert_close,
    assert_gradient_close,
    record_margin,
    score_threshold,
)
from autograder.checks.margins import recording_margins
from autograder.results import Margin


def test_recording_is_a_no_op_outside_a_grading():
    record_margin("accuracy", 0.9, 0.8, higher_is_better=True)  # nothing to record into
    with recording_margins() as sink:
        pass
    assert sink == []


def test_score_threshold_records_value_and_full_bar_even_when_it_fails():
    with recording_margins() as sink:
        score_threshold(0.95, full=0.9, what_fr="précision", what_en="accuracy")
        with pytest.raises(CheckFailed):
            score_threshold(3.0, full=2.0, higher_is_better=False, what_fr="perte", what_en="loss")
    assert [(m.what, m.value, m.threshold) for m in sink] == [("accuracy", 0.95, 0.9), ("loss", 3.0, 2.0)]
    assert sink[0].slack == pytest.approx(0.05 / 0.9)
    assert sink[1].slack == pytest.approx(-0.5)


def test_assert_close_records_the_fraction_of_tolerance_used():
    with recording_margins() as sink:
        assert_close(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 5e-6]), name="x", rtol=1e-5, atol=0.0)
    (m,) = sink
    assert m.kind == "tolerance" and m.threshold == 1.0
    assert m.value == pytest.approx(5e-6 / (1e-5 * (2.0 + 5e-6)))


def test_assert_close_with_nan_where_expected_uses_no_tolerance():
    with recording_margins() as sink:
        assert_close(np.array([np.nan, 1.0]), np.array([np.nan, 1.0]), name="x")
    assert sink[0].value == 0.0


def test_assert_gradient_close_records_the_worst_relative_error():
    ref = np.array([1.0, -2.0, 3.0])
    with recording_margins() as sink:
        assert_gradient_close("dW", ref * (1 + 1e-9), ref)
    (m,) = sink
    assert m.kind == "tolerance" and m.threshold == 1e-6 and m.value < 1e-8


def test_non_numbers_and_nan_are_not_recorded():
    with recording_margins() as sink:
        record_margin("x", float("nan"), 1.0, higher_is_better=True)
        record_margin("x", "abc", 1.0, higher_is_better=True)  # type: ignore[arg-type]
    assert sink == []


def test_slack_sign_follows_the_direction():
    assert Margin("acc", 0.9, 0.8, True).slack == pytest.approx(0.125)
    assert Margin("loss", 0.9, 0.8, False).slack == pytest.approx(-0.125)
    assert Margin("err", 0.25, 1.0, False, "tolerance").slack == pytest.approx(0.75)
