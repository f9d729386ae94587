"""Gradient checks against central differences and torch autograd (real torch, float64)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.checks import (
    CheckFailed,
    assert_gradient_close,
    gradcheck,
    numerical_gradient,
    rel_error,
    torch_grads,
)


def mlp_backward(x, y, W1, b1, W2, b2, *, relu_mask=True):
    """A student's manual backprop of a 2-layer ReLU MLP with mean softmax cross-entropy."""
    z = x @ W1 + b1
    h = np.maximum(z, 0)
    s = h @ W2 + b2
    s = s - s.max(axis=1, keepdims=True)
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    n = x.shape[0]
    ds = p.copy()
    ds[np.arange(n), y] -= 1
    ds /= n
    dW2, db2 = h.T @ ds, ds.sum(axis=0)
    dh = ds @ W2.T
    dz = dh * (z > 0) if relu_mask else dh  # the classic bug: forgetting the ReLU mask
    return {"W1": x.T @ dz, "b1": dz.sum(axis=0), "W2": dW2, "b2": db2}


def mlp_loss(x, y, W1, b1, W2, b2):
    return F.cross_entropy(torch.relu(x @ W1 + b1) @ W2 + b2, y)


@pytest.fixture
def mlp():
    rng = np.random.default_rng(0)
    n, d, h, c = 32, 10, 16, 4
    return {
        "x": rng.normal(size=(n, d)),
        "y": rng.integers(0, c, size=n),
        "W1": rng.normal(size=(d, h)) / math.sqrt(d),
        "b1": rng.normal(size=h) * 0.1,
        "W2": rng.normal(size=(h, c)) / math.sqrt(h),
        "b2": np.zeros(c),
    }


def failure(fn, *args, **kwargs):
    with pytest.raises(CheckFailed) as info:
        fn(*args, **kwargs)
    return info.value.message


# ---------------------------------------------------------------- rel_error


def test_rel_error_follows_cs231n():
    assert rel_error([1.0, 2.0], [1.0, 3.0]) == pytest.approx(1 / 5)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0  # the 1e-8 floor avoids 0/0
    assert rel_error([1e-9], [0.0]) == pytest.approx(0.1)  # |a-b| / 1e-8
    assert rel_error([], []) == 0.0


def test_rel_error_never_hides_nan():
    # NaN < tol is False, but so is NaN > tol: a NaN must come out as inf.
    assert rel_error([math.nan], [1.0]) == math.inf


def test_rel_error_requires_equal_shapes():
    with pytest.raises(ValueError, match="shapes differ"):
        rel_error(np.zeros(3), np.zeros((3, 1)))


# ---------------------------------------------------------------- numerical gradient


def test_numerical_gradient_of_a_quadratic_without_mutating_x():
    x = np.array([[1.0, -2.0], [0.5, 3.0]], dtype=np.float32)
    before = x.copy()
    grad = numerical_gradient(lambda v: float(np.sum(v**2 + 3 * v)), x)
    assert grad.dtype == np.float64
    np.testing.assert_allclose(grad, 2 * before + 3, rtol=1e-7)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_accepts_a_torch_scalar():
    x = np.array([0.3, -0.7])
    grad = numerical_gradient(lambda v: torch.tensor(v).sin().sum(), x)
    np.testing.assert_allclose(grad, np.cos(x), rtol=1e-8)


@pytest.mark.parametrize("output", [math.nan, np.ones(2), "1.0"])
def test_numerical_gradient_fails_on_a_bad_output_of_f(output):
    failure(numerical_gradient, lambda v: output, np.ones(2))


def test_gradcheck_accepts_a_correct_gradient_and_rejects_a_wrong_one():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(3, 4))

    def f(w):
        return float(np.sum(np.tanh(a * w)))

    def grad(w):
        return a * (1 - np.tanh(a * w) ** 2)

    w = rng.normal(size=(3, 4))
    assert gradcheck(f, w, grad) < 1e-6
    assert gradcheck(f, w, grad(w), name="dW") < 1e-6
    msg = failure(gradcheck, f, w, lambda v: a * (1 - np.tanh(a * v)), name="dW")
    assert "dW diffère du gradient numérique" in msg.fr
    assert "dW differs from the numerical gradient" in msg.en


# ---------------------------------------------------------------- torch oracle


def test_torch_grads_matches_a_hand_derivative_and_restores_the_dtype(mlp):
    before = torch.get_default_dtype()
    grads = torch_grads(
        lambda a, b: (a * b).sum() + a.pow(2).sum(), {"a": [1.0, 2.0], "b": [3.0, -1.0]}
    )
    np.testing.assert_allclose(grads["a"], [3 + 2, -1 + 4])
    np.testing.assert_allclose(grads["b"], [1.0, 2.0])
    assert torch.get_default_dtype() == before


def test_torch_grads_skips_integer_inputs_and_zero_fills_unused_ones(mlp):
    grads = torch_grads(
        lambda x, y, W1, b1, W2, b2, unused: mlp_loss(x, y, W1, b1, W2, b2),
        {**mlp, "unused": np.ones((2, 2))},
    )
    assert "y" not in grads
    assert grads["W1"].dtype == np.float64 and grads["W1"].shape == mlp["W1"].shape
    np.testing.assert_array_equal(grads["unused"], np.zeros((2, 2)))


def test_torch_grads_requires_a_scalar():
    with pytest.raises(ValueError, match="scalar"):
        torch_grads(lambda a: a * 2, {"a": np.ones(3)})


# ---------------------------------------------------------------- assert_gradient_close


def test_correct_manual_backprop_matches_autograd(mlp):
    reference = torch_grads(mlp_loss, mlp)
    got = mlp_backward(**mlp)
    for key in ("W1", "b1", "W2", "b2"):
        assert assert_gradient_close(f"d{key}", got[key], reference[key]) < 1e-9


def test_missing_relu_mask_gives_a_large_relative_error(mlp):
    reference = torch_grads(mlp_loss, mlp)
    got = mlp_backward(**mlp, relu_mask=False)
    assert rel_error(got["W1"], reference["W1"]) > 1e-2  # "most likely wrong" per CS231n
    msg = failure(
        assert_gradient_close,
        "dW1",
        got["W1"],
        reference["W1"],
        hint_fr="avez-vous appliqué le masque de la ReLU ?",
        hint_en="did you apply the ReLU mask?",
    )
    assert msg.fr.startswith("dW1 diffère du gradient de référence (autograd) : erreur relative ")
    assert msg.fr.endswith(" ; avez-vous appliqué le masque de la ReLU ?")
    assert msg.en.startswith("dW1 differs from autograd: relative error ")
    failure(assert_gradient_close, "db1", got["b1"], reference["b1"])
    # The layer above the ReLU is unaffected by the bug.
    assert_gradient_close("dW2", got["W2"], reference["W2"])


def test_message_names_the_worst_entry():
    rng = np.random.default_rng(2)
    expected = rng.uniform(0.5, 1.5, size=(5, 9))
    got = expected.copy()
    got[3, 7] = expected[3, 7] * 2.4  # relative error (2.4 - 1) / (2.4 + 1) = 0.41
    got[1, 1] *= 1.01
    msg = failure(assert_gradient_close, "dW1", got, expected, hint_fr="indice", hint_en="hint")
    assert (
        "dW1 diffère du gradient de référence (autograd) : erreur relative 0.4 en [3, 7]" in msg.fr
    )
    assert "dW1 differs from autograd: relative error 0.4 at [3, 7]" in msg.en
    assert msg.en.endswith("; hint")


def test_values_can_be_kept_out_of_hidden_messages():
    msg = failure(assert_gradient_close, "db", [1.0, 2.0], [1.0, 3.25], show_values=False)
    assert "3.25" not in msg.fr and "3.25" not in msg.en and "[1]" in msg.fr


def test_shape_is_checked_before_values(mlp):
    reference = torch_grads(mlp_loss, mlp)
    msg = failure(assert_gradient_close, "dW1", reference["W1"].T, reference["W1"])
    assert "dW1 : forme attendue (10, 16), obtenue (16, 10)" in msg.fr
    assert "dW1: expected shape (10, 16), got (16, 10)" in msg.en


def test_nan_gradient_is_rejected():
    assert "NaN" in failure(assert_gradient_close, "db", [math.nan, 1.0], [0.0, 1.0]).fr


def test_default_tolerance_follows_the_dtype(mlp):
    reference = torch_grads(mlp_loss, mlp)
    got32 = mlp_backward(
        **{k: (v.astype(np.float32) if v.dtype.kind == "f" else v) for k, v in mlp.items()}
    )
    assert got32["W1"].dtype == np.float32
    # Float32 rounding is well within 1e-3 but far above the float64 default of 1e-6.
    for key in ("W1", "b1", "W2", "b2"):
        assert_gradient_close(f"d{key}", got32[key], reference[key])
    with pytest.raises(CheckFailed):
        assert_gradient_close("dW1", got32["W1"].astype(np.float64), reference["W1"])


def test_entries_near_zero_are_judged_against_the_gradient_scale():
    # A 1e-13 wobble on an entry that should be 0 is rounding, not a bug.
    expected = np.array([1.0, -2.0, 0.0])
    assert_gradient_close("g", expected + [0.0, 0.0, 1e-13], expected)
    failure(assert_gradient_close, "g", expected + [0.0, 0.0, 1e-3], expected)


def test_hidden_gradient_messages_give_the_error_to_one_digit():
    """A relative error printed to two digits on a hidden input read, in CI, like one of the
    128 expected entries (0.34 for 0.3400879…): one digit is what a student acts on."""
    from autograder.checks.errors import expected_values_shown
    from autograder.prove.leaks import value_leaks

    expected = np.full((4, 3), 0.9)
    expected[0, 0] = 0.3400879588739837
    got = expected.copy()
    got[2, 1] = expected[2, 1] * 2.0303  # relative error (2.0303 - 1) / (2.0303 + 1) = 0.34
    with expected_values_shown(False):
        msg = failure(assert_gradient_close, "dz1", got, expected, show_values=False)
    assert "erreur relative 0.3 en [2, 1]" in msg.fr
    assert "relative error 0.3 at [2, 1]" in msg.en
    assert not value_leaks(msg.fr, expected[0, 0]) and not value_leaks(msg.en, expected[0, 0])
