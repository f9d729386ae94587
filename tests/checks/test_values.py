"""Validation of hostile values and the basic comparisons."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograder.checks import (
    MAX_ELEMENTS,
    CheckFailed,
    Partial,
    as_array,
    as_float,
    as_int,
    assert_close,
    assert_equal_int,
)
from autograder.results import Message


def fails(fn, *args, **kwargs) -> Message:
    with pytest.raises(CheckFailed) as info:
        fn(*args, **kwargs)
    return info.value.message


# ---------------------------------------------------------------- errors


def test_check_failed_is_an_assertion_error_with_a_bilingual_message():
    exc = CheckFailed("faux", "wrong")
    assert isinstance(exc, AssertionError)
    assert exc.message == Message("faux", "wrong")
    assert str(exc) == "faux"
    assert exc.message.text("en") == "wrong"


@pytest.mark.parametrize(
    ("fraction", "clamped"), [(0.5, 0.5), (-1.0, 0.0), (3.0, 1.0), (math.nan, 0.0)]
)
def test_partial_clamps_its_fraction(fraction, clamped):
    exc = Partial(fraction, "moitié", "half")
    assert exc.fraction == clamped
    assert exc.message.fr == "moitié"


# ---------------------------------------------------------------- as_array: accepted


def test_lists_scalars_and_arrays_become_owned_float64_arrays():
    src = np.arange(6, dtype=np.int32).reshape(2, 3)
    x = as_array(src, "x")
    assert type(x) is np.ndarray and x.dtype == np.float64
    src[0, 0] = 100  # the student's array changing afterwards must not matter
    assert x[0, 0] == 0
    assert as_array([[1, 2], [3, 4]], "x").shape == (2, 2)
    assert as_array(2.5, "x").shape == ()
    assert as_array(np.float32(1.5), "x") == 1.5
    assert as_array([np.arange(3), np.arange(3)], "x").shape == (2, 3)


def test_dtype_none_keeps_the_numeric_dtype_and_wildcards_match_any_size():
    assert as_array(np.arange(3), "x", dtype=None).dtype.kind == "i"
    assert as_array(np.zeros((7, 4)), "x", shape=(None, 4)).shape == (7, 4)


def test_allow_nan_accepts_non_finite_values():
    x = as_array([1.0, math.nan, math.inf], "x", allow_nan=True)
    assert np.isnan(x[1]) and np.isinf(x[2])


def test_integral_floats_convert_to_an_integer_dtype():
    assert as_array([1.0, 2.0], "y", dtype=np.int64).tolist() == [1, 2]


# ---------------------------------------------------------------- as_array: rejected


def test_wrong_shape_message_gives_both_shapes_and_spots_a_transpose():
    msg = fails(as_array, np.zeros((4, 3)), "W1", shape=(3, 4))
    assert "W1 : forme attendue (3, 4), obtenue (4, 3)" in msg.fr
    assert "W1: expected shape (3, 4), got (4, 3)" in msg.en
    assert "transpos" in msg.fr and "transposed" in msg.en
    msg = fails(as_array, np.zeros(5), "b1", shape=(4,))
    assert "forme attendue (4,), obtenue (5,)" in msg.fr


class Sneaky(np.ndarray):
    """A subclass that would make every comparison succeed."""

    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)


@pytest.mark.parametrize(
    "value",
    [
        np.ma.array([1.0, 2.0], mask=[False, True]),
        np.zeros(3).view(Sneaky),
        np.zeros(3).view(np.recarray),
    ],
    ids=["masked", "custom-subclass", "recarray"],
)
def test_ndarray_subclasses_are_rejected(value):
    msg = fails(as_array, value, "y")
    assert "np.ndarray" in msg.fr and type(value).__name__ in msg.en


def test_subclasses_hidden_inside_lists_are_rejected_too():
    fails(as_array, [np.zeros(3).view(Sneaky)], "y")


class FloatLike:
    def __float__(self):
        return 1.0


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (np.array([1.0, None], dtype=object), "object"),
        (np.array([1 + 2j]), "complex"),
        ([1 + 2j], "complex"),
        (np.array(["1.0"]), "non-numeric"),
        (["1.0"], "str"),
        ("3.0", "str"),
        ([FloatLike()], "FloatLike"),
        ({"a": 1}, "dict"),
        (np.zeros(2, dtype=[("a", "f8")]), "non-numeric"),
        (np.array(["2020-01-01"], dtype="datetime64[D]"), "dtype"),
        ([[1.0, 2.0], [3.0]], "ragged"),
        ([1, 2**70], "out of range"),
    ],
    ids=[
        "object",
        "complex",
        "complex-list",
        "str-array",
        "str-list",
        "str",
        "float-like",
        "dict",
        "structured",
        "datetime",
        "ragged",
        "big-int",
    ],
)
def test_non_numeric_values_are_rejected(value, fragment):
    assert fragment in fails(as_array, value, "y").en


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_values_are_rejected_with_their_index(bad):
    value = np.zeros((2, 3))
    value[1, 2] = bad
    msg = fails(as_array, value, "logits")
    assert "NaN" in msg.fr and "[1, 2]" in msg.fr and "[1, 2]" in msg.en


def test_overflow_when_casting_down_is_caught():
    assert "non-finite" in fails(as_array, [1e300], "y", dtype=np.float32).en


def test_huge_arrays_are_rejected_before_any_copy():
    # A broadcast view costs no memory but reports a huge size: it must not be copied.
    view = np.broadcast_to(np.zeros(1), (MAX_ELEMENTS // 1000 + 1, 1000))
    assert "too large" in fails(as_array, view, "y").en


def test_deeply_nested_lists_are_rejected():
    value: list = [1.0]
    for _ in range(100):
        value = [value]
    assert "nested" in fails(as_array, value, "y").en


def test_non_integral_floats_do_not_cast_to_int():
    assert "integer" in fails(as_array, [1.0, 2.5], "y", dtype=np.int64).en


# ---------------------------------------------------------------- scalars


def test_as_float_accepts_numbers_and_size_one_arrays():
    assert as_float(3, "acc") == 3.0
    assert as_float(np.float32(0.25), "acc") == 0.25
    assert as_float(np.array(0.5), "acc") == 0.5
    assert as_float(np.array([0.5]), "acc") == 0.5  # tensor([0.5]) comes back like this


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (True, "boolean"),
        (np.bool_(False), "boolean"),
        (np.zeros(3), "single number"),
        (math.nan, "non-finite"),
        ("0.5", "str"),
        (None, "NoneType"),
    ],
)
def test_as_float_rejections(value, fragment):
    assert fragment in fails(as_float, value, "acc").en


def test_as_int_accepts_integral_values():
    assert as_int(7, "n") == 7
    assert as_int(np.int64(7), "n") == 7
    assert as_int(7.0, "n") == 7
    assert isinstance(as_int(np.array([7]), "n"), int)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (True, "boolean"),
        (2.5, "integer is expected, got 2.5"),
        (math.nan, "non-finite"),
        (1e300, "out of range"),
        (2**80, "out of range"),
        ([1, 2], "single number"),
    ],
)
def test_as_int_rejections(value, fragment):
    assert fragment in fails(as_int, value, "n").en


# ---------------------------------------------------------------- assert_close


def test_assert_close_passes_within_tolerance():
    expected = np.linspace(-1, 1, 12).reshape(3, 4)
    assert_close(expected * (1 + 1e-7), expected, name="y")
    assert_close(expected.tolist(), expected, name="y")
    assert_close(0.1 + 0.2, 0.3, name="s")


def test_assert_close_message_names_the_worst_entry_and_values():
    expected = np.arange(12, dtype=float).reshape(3, 4)
    got = expected.copy()
    got[2, 1] += 0.5
    got[0, 3] += 0.01
    msg = fails(
        assert_close,
        got,
        expected,
        name="logits",
        hint_fr="vérifiez le biais",
        hint_en="check the bias",
    )
    assert "2 valeur(s) sur 12" in msg.fr
    assert "erreur absolue max 0.5" in msg.fr
    assert "pire écart en [2, 1] : obtenu 9.5, attendu 9" in msg.fr
    assert "[0, 3]" in msg.fr
    assert msg.fr.endswith(" ; vérifiez le biais")
    assert "worst at [2, 1]: got 9.5, expected 9" in msg.en
    assert msg.en.endswith("; check the bias")


def test_assert_close_on_scalars():
    msg = fails(assert_close, 2.5, 2.0, name="loss")
    assert "obtenu 2.5, attendu 2" in msg.fr and "got 2.5, expected 2" in msg.en


def test_assert_close_checks_shape_and_nan_before_comparing():
    assert (
        "expected shape (3,), got (3, 1)"
        in fails(assert_close, np.zeros((3, 1)), np.zeros(3), name="y").en
    )
    assert "non-finite" in fails(assert_close, [0.0, math.nan], [0.0, 0.0], name="y").en
    # No broadcasting: a scalar is not an array of the expected shape.
    fails(assert_close, 0.0, np.zeros(3), name="y")


def test_assert_close_accepts_nan_only_where_the_reference_has_nan():
    assert_close([1.0, math.nan], [1.0, math.nan], name="y")
    fails(assert_close, [math.nan, 1.0], [1.0, math.nan], name="y")


def test_a_bad_reference_is_a_bug_in_the_check_not_a_student_failure():
    with pytest.raises(ValueError, match="invalid reference"):
        assert_close([1.0], np.array(["x"]), name="y")


def test_assert_equal_int():
    assert_equal_int(np.int64(10), 10, name="n")
    msg = fails(assert_equal_int, 9, 10, name="n_classes", hint_fr="comptez", hint_en="count")
    assert msg.fr == "n_classes : obtenu 9, attendu 10 ; comptez"
    assert msg.en == "n_classes: got 9, expected 10; count"
    fails(assert_equal_int, 10.5, 10, name="n")


def test_hidden_checks_never_print_expected_values():
    """Inside a hidden check (the plugin sets this), messages keep only where it is wrong."""
    from autograder.checks.errors import expected_values_shown

    got, expected = np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.5, 3.0])
    with expected_values_shown(False), pytest.raises(CheckFailed) as hidden:
        assert_close(got, expected, name="f(x)")
    assert "2.5" not in hidden.value.message.fr and "2.5" not in hidden.value.message.en
    assert "[1]" in hidden.value.message.fr and "entrées cachées" in hidden.value.message.fr
    with expected_values_shown(False), pytest.raises(CheckFailed) as count:
        assert_equal_int(203264, 203530, name="nombre de paramètres")
    assert "203530" not in count.value.message.fr
    with pytest.raises(CheckFailed) as public:
        assert_close(got, expected, name="f(x)")
    assert "2.5" in public.value.message.fr  # public checks show what was expected


def test_messages_print_enough_digits_to_tell_got_from_expected():
    """A float32 0.11199999 against 0.112 must not read 'obtenu 0.112, attendu 0.112'."""
    from autograder.checks.values import fmt_pair

    g, e = fmt_pair(float(np.float32(0.112)), 0.112)
    assert g != e and e.startswith("0.112")
    assert fmt_pair(0.5, 0.25) == ("0.5", "0.25")  # short when they already differ
    with pytest.raises(CheckFailed) as failed:
        assert_close(float(np.float32(0.112)), 0.112, name="ece", rtol=0, atol=1e-12)
    assert "obtenu 0.112000003, attendu 0.112 " in failed.value.message.fr


def test_hidden_shape_messages_keep_the_expected_shape_out():
    from autograder.checks.errors import expected_values_shown

    with expected_values_shown(False), pytest.raises(CheckFailed) as failed:
        as_array(np.zeros((3, 5)), "y", shape=(3, 4))
    assert "(3, 5)" in failed.value.message.fr and "(3, 4)" not in failed.value.message.fr
    assert "(3, 4)" not in failed.value.message.en


def test_assert_close_takes_per_entry_tolerances_like_isclose():
    """A per-entry atol (np.isclose broadcasts it) must give a value message, not a TypeError
    in the message's own formatting (TP08's score_msp check, blind round 6)."""
    from autograder.checks.errors import expected_values_shown

    expected = np.array([0.5, 0.9, 0.99])
    atol = np.array([1e-9, 1e-6, 1e-4])
    assert_close(expected + atol / 2, expected, name="msp", rtol=0, atol=atol)
    got = expected + np.array([0.0, 1e-3, 0.0])
    msg = fails(assert_close, got, expected, name="msp", rtol=0, atol=atol)
    assert "1 valeur(s) sur 3" in msg.fr and "pire écart en [1]" in msg.fr
    assert "atol=≤0.0001" in msg.fr
    with expected_values_shown(False), pytest.raises(CheckFailed) as hidden:
        assert_close(got, expected, name="msp", rtol=0, atol=atol)
    assert "1 valeur(s) sur 3" in hidden.value.message.fr and "0.9" not in hidden.value.message.fr
