"""The leak matcher (autograder/prove/leaks.py) and the recording it relies on (record_expected)."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import CheckFailed, assert_close, assert_equal_int, assert_param_count
from autograder.checks.errors import expected_values_shown
from autograder.checks.margins import record_expected, recording_expected
from autograder.prove.leaks import check_leaks, is_round, leaks, number_tokens, report_leaks
from autograder.results import (
    CheckResult,
    CommitInfo,
    Expected,
    GradeReport,
    Message,
    Status,
    Visibility,
)


def _exp(*values: float, kind: str = "value") -> list[Expected]:
    return [Expected("x", tuple(float(v) for v in values), kind)]


@pytest.mark.parametrize(
    "text",
    [
        "obtenu -1.49, attendu -1.5149",  # repr
        "attendu -1.51",  # :.3g
        "valeur -1.5149 au pas 3",  # no context needed: 5 significant digits
        "obtenu 0.2 au lieu de -1,51",  # French decimal comma
        "expected -1.515e+00",  # :.3e
        "got 1.51 (wrong sign)",  # the magnitude alone is the value
    ],
)
def test_floats_are_found_however_formatted(text):
    assert leaks(text, _exp(-1.5149))


@pytest.mark.parametrize(
    "text, value",
    [
        ("nombre_parametres : obtenu 26000, attendu 26425", 26425),
        ("obtenu 26000 au lieu de 26 425", 26425),  # French thousands separator
        ("got 26000, should be 26,425", 26425),  # English one
        ("ECE = 11.2 %", 0.11199999),  # a percentage
        ("ECE 0.1120 ; 15 intervalles", 0.11199999),  # :.4f
    ],
)
def test_counts_and_percentages_are_found(text, value):
    assert leaks(text, _exp(value))


def test_table_totals_are_found():
    table = "Détail par couche :\n  0.weight  (20, 10)  200\n  0.bias  (20,)  20\n  2.weight  (5, 20)  100\n  2.bias  (5,)  5"
    assert leaks(table, _exp(325))
    assert not leaks(table, _exp(326))
    assert not leaks("a 5\nb 5\nc 4", _exp(14))  # small totals come out of anything


def test_shapes_are_found_as_tuples_or_products():
    for text in ("forme attendue (64, 10)", "sortie 64×10", "torch.Size([64, 10])"):
        assert leaks(text, _exp(64, 10, kind="shape")), text
    # Part of a longer tuple, or the transposed shape, is another shape.
    assert not leaks("forme (3, 64, 10)", _exp(64, 10, kind="shape"))
    assert not leaks("forme (64, 10, 3)", _exp(64, 10, kind="shape"))
    assert not leaks("forme (10, 64)", _exp(64, 10, kind="shape"))


def test_round_values_leak_only_when_stated_as_expected():
    assert is_round(0) and is_round(-1) and is_round(4) and is_round(0.5) and is_round(300)
    assert not is_round(0.25) and not is_round(26425) and not is_round(12)
    assert leaks("taille_sortie(7, 3) : obtenu 5, attendu 4", _exp(4))
    assert leaks("got 5, expected 4", _exp(4))
    assert not leaks("4 valeur(s) sur 12 hors tolérance, pire écart en [4, 1]", _exp(4))
    assert not leaks("p = 0.5 ; 1 valeur sur 3", _exp(0.5, 1, 0, 3))


def test_low_precision_numbers_need_an_expectation_word():
    # "0.1" carries one digit of 0.1234; an index 12 is not the value 12.3.
    assert not leaks("rtol=0.1, pire écart en [12, 3]", _exp(0.1234, 12.3))
    assert leaks("attendu environ 0.1", _exp(0.1234))


def test_numbers_given_to_the_student_are_not_leaks_unless_stated_as_expected():
    given = Expected("given", (163.0, 114.0, 27.0, 0.03220948627612419), "given")
    text = "nombre_parametres([163, 114, 27]) ; descente depuis x0=(0.03221, 2.5)"
    assert not leaks(text, [*_exp(114, 27, 0.03220948627612419), given])
    assert leaks(text, _exp(114, 27, 0.03220948627612419))
    assert leaks("taille_sortie(27, 1) : obtenu 26, attendu 27", [*_exp(27), given])


def test_unrelated_numbers_do_not_match():
    text = "forward : 3 valeur(s) sur 40 hors tolérance (rtol=1e-05, atol=1e-08) ; pire écart en [2, 7]"
    assert not leaks(text, _exp(-1.5149, 26425, 0.11199999, 17.25))
    assert not leaks("obtenu -1.49", _exp(-1.5149))
    assert number_tokens("W1 h_{i+1} 2×3")[0].candidates[0][0] == 1.0


def test_the_helpers_record_what_they_expected():
    with recording_expected() as sink, expected_values_shown(False):
        with pytest.raises(CheckFailed):
            assert_close(np.zeros(3), np.array([1.5, 2.25, -3.125]), name="y")
        with pytest.raises(CheckFailed):
            assert_equal_int(7, 26425, name="n")
        with pytest.raises(CheckFailed):
            assert_param_count(26000, 26425, n_biases=425, name="count")
        record_expected("by hand", 0.75)
        record_expected("a shape", (64, 10), shape=True)
    recorded = {e.what: e for e in sink}
    assert recorded["y"].values == (1.5, 2.25, -3.125)
    assert recorded["y shape"].kind == "shape" and recorded["y shape"].values == (3.0,)
    assert recorded["n"].values == (26425.0,)
    assert recorded["count"].values == (26425.0,) and recorded["count: biases"].values == (425.0,)
    assert recorded["by hand"].values == (0.75,)
    assert recorded["a shape"] == Expected("a shape", (64.0, 10.0), "shape")
    record_expected("outside a grading", 1.0)  # a no-op, never an error


def _hidden(message: Message, expected: list[Expected]) -> CheckResult:
    return CheckResult("test_x", "item", 0.0, 1.0, Status.FAILED, Visibility.HIDDEN, message,
                       expected=tuple(expected))


def test_the_library_messages_of_hidden_checks_do_not_leak():
    """Hidden-mode messages of the helpers, checked by the matcher against their own records."""
    cases = [
        lambda: assert_close(np.array([1.0, 2.0]), np.array([1.0, 2.5149]), name="f(x)"),
        lambda: assert_close(0.2, -1.5149, name="adam"),
        lambda: assert_close(np.zeros((3, 4)), np.ones((4, 3)) * 7.25, name="W"),
        lambda: assert_equal_int(5, 26425, name="n"),
        lambda: assert_param_count(26000, 26425, n_biases=425, name="count"),
        lambda: assert_param_count(
            100, 325, name="count",
            breakdown=[("0.weight", (20, 10), 200), ("0.bias", (20,), 20),
                       ("2.weight", (5, 20), 100), ("2.bias", (5,), 5)],
        ),
    ]
    for case in cases:
        with recording_expected() as sink, expected_values_shown(False):
            with pytest.raises(CheckFailed) as failed:
                case()
        assert sink
        assert not check_leaks(_hidden(failed.value.message, sink)), failed.value.message
        with recording_expected() as sink, expected_values_shown(True):
            with pytest.raises(CheckFailed) as shown:
                case()
        # The same messages in a public check do show the value: the matcher sees it.
        assert check_leaks(_hidden(shown.value.message, sink)), shown.value.message


def test_param_count_without_biases_names_the_mistake_not_the_count():
    with expected_values_shown(False), pytest.raises(CheckFailed) as failed:
        assert_param_count(26000, 26425, n_biases=425, name="count")
    assert "sans les biais" in failed.value.message.fr and "425" not in failed.value.message.fr
    assert "without the biases" in failed.value.message.en and "425" not in failed.value.message.en


def test_report_leaks_reads_messages_and_rendered_feedback():
    leaky = _hidden(Message("adam : obtenu 0.2, attendu -1.51", "adam: got 0.2, expected -1.51"),
                    _exp(-1.5149))
    clean = _hidden(Message("adam : le signe est faux", "adam: wrong sign"), _exp(-1.5149))
    # A public check may show the same number (its own, course-given input).
    public = CheckResult("test_pub", "item", 0.0, 1.0, Status.FAILED, Visibility.VISIBLE,
                         Message("attendu -1.51", "expected -1.51"))
    commit = CommitInfo(repo="r", ref="HEAD")
    report = GradeReport("tp", Message("TP", "TP"), commit, 0.0, 2.0, checks=(leaky, public))
    found = report_leaks(report)
    assert any("[fr]" in f for f in found) and any("[en]" in f for f in found)
    assert any("feedback.html" in f for f in found) and any("junit.xml" in f for f in found)
    assert not report_leaks(replace_checks(report, (clean, public)))


def replace_checks(report: GradeReport, checks: tuple[CheckResult, ...]) -> GradeReport:
    from dataclasses import replace

    return replace(report, checks=checks)


def test_record_given_keeps_the_numbers_sent_to_the_student():
    from autograder.bridge.values import Tensor
    from autograder.checks.margins import record_given

    with recording_expected() as sink:
        record_given(([163, 114, 27], Tensor(np.array([0.5, 2.25]))), {"lr": 0.0606, "name": "x"})
    assert [e.kind for e in sink] == ["given", "given shape"]
    assert set(sink[0].values) == {163.0, 114.0, 27.0, 0.5, 2.25, 0.0606}
    assert sink[1].values == (2.0,)  # the array's shape; a list of numbers has none
    expected_shape = Expected("W", (3.0, 4.0), "shape")
    given_shape = Expected("given", (3.0, 4.0), "given shape")
    assert leaks("W de forme (3, 4)", [expected_shape])
    assert not leaks("W de forme (3, 4)", [expected_shape, given_shape])
    norms = Expected("normes", (29.0,), "shape")  # one norm per step of a (29, N, d) input
    assert leaks("pour T = 29", [norms])
    assert not leaks("pour T = 29", [norms, Expected("given", (29.0, 3.0, 4.0), "given shape")])


def test_an_input_axis_written_in_a_shape_is_not_a_value_rounded_to_one_digit():
    """TP04's KL for ONE example: "renvoie la forme () au lieu de (1,)" names the input's N = 1,
    not the expected KL 1.26 to one digit; the same words with a bare 1 still leak, and so does
    a shape entry that is no input's axis."""
    kl = _exp(1.2642420267524437)
    one_example = Expected("given", (1.0, 4.0), "given shape")
    text = "kl_gaussienne(mu, logvar) pour UN seul exemple renvoie la forme () au lieu de (1,)"
    assert leaks(text, kl)
    assert not leaks(text, [*kl, one_example])
    assert leaks("obtenu 0.9 au lieu de 1", [*kl, one_example])
    assert leaks("forme () au lieu de (1,)", [*kl, Expected("given", (5.0, 4.0), "given shape")])
