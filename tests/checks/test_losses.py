"""losses: the loss read from the gradient torch's own losses send back (torch is the oracle)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.checks.losses import read_regression_loss

N, D = 16, 12


def sent_back(loss_of, prediction: np.ndarray, target: np.ndarray, dtype=torch.float32) -> np.ndarray:
    p = torch.tensor(prediction, dtype=dtype, requires_grad=True)
    loss_of(p, torch.tensor(target, dtype=dtype)).backward()
    return p.grad.double().numpy()


@pytest.fixture
def batch():
    rng = np.random.default_rng(3)
    prediction = rng.uniform(0.05, 0.95, size=(N, D))
    target = np.clip(prediction + rng.normal(0, 0.2, size=(N, D)), 0.0, 1.0)
    return prediction, target


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_the_mean_squared_error_is_read_as_such(batch, dtype):
    prediction, target = batch
    for loss in (F.mse_loss, lambda p, t: ((p - t) ** 2).mean(), lambda p, t: ((p - t) ** 2).sum() / p.numel()):
        reading = read_regression_loss(prediction, target, sent_back(loss, prediction, target, dtype), bounded=True)
        assert reading is not None and reading.form == "squared" and reading.is_mean_squared(), reading
        assert reading.off < 1e-5


@pytest.mark.parametrize(
    ("loss", "factor"),
    [
        (lambda p, t: F.mse_loss(p, t, reduction="sum"), N * D),
        (lambda p, t: ((p - t) ** 2).sum(dim=1).mean(), D),
        (lambda p, t: ((p - t) ** 2).mean(dim=1).sum(), N),
        (lambda p, t: 0.5 * F.mse_loss(p, t), 0.5),
        (F.smooth_l1_loss, 0.5),  # quadratic with a factor 1/2 on residuals below 1
        (F.huber_loss, 0.5),
    ],
)
def test_a_squared_error_with_another_reduction_gives_its_factor(batch, loss, factor):
    prediction, target = batch
    reading = read_regression_loss(prediction, target, sent_back(loss, prediction, target))
    assert reading is not None and reading.form == "squared" and not reading.is_mean_squared()
    assert reading.scaled_by(factor), reading


def test_l1_and_bce_are_named_by_their_form(batch):
    prediction, target = batch
    l1 = read_regression_loss(prediction, target, sent_back(F.l1_loss, prediction, target))
    assert l1 is not None and l1.form == "sign" and l1.scaled_by(1.0)
    l1_sum = read_regression_loss(
        prediction, target, sent_back(lambda p, t: (p - t).abs().sum(), prediction, target)
    )
    assert l1_sum is not None and l1_sum.form == "sign" and l1_sum.scaled_by(N * D)
    bce = read_regression_loss(prediction, target, sent_back(F.binary_cross_entropy, prediction, target), bounded=True)
    assert bce is not None and bce.form == "bce" and bce.scaled_by(1.0)
    # Unbounded outputs: the BCE is not a candidate, and its gradient is no squared error.
    unbounded = read_regression_loss(prediction, target, sent_back(F.binary_cross_entropy, prediction, target))
    assert unbounded is not None and unbounded.form == "other"


def test_a_gradient_that_follows_another_target_is_no_mean_squared_error(batch):
    prediction, target = batch
    noisy = target + np.random.default_rng(4).normal(0, 0.3, size=target.shape)
    grad = sent_back(F.mse_loss, prediction, noisy)
    assert read_regression_loss(prediction, target, grad).form == "other"
    assert read_regression_loss(prediction, noisy, grad).is_mean_squared()


def test_nothing_is_told_without_a_gradient_or_a_residual(batch):
    prediction, target = batch
    assert read_regression_loss(prediction, target, np.zeros_like(prediction)) is None
    assert read_regression_loss(prediction, prediction, np.ones_like(prediction)) is None
    assert read_regression_loss(prediction, target, np.ones(3)) is None
    assert read_regression_loss(prediction, target, np.full_like(prediction, np.nan)) is None


def test_a_mean_squared_error_on_outputs_of_one_value_is_not_taken_for_a_bce():
    """An untrained sigmoid output is almost constant: the BCE's gradient is then almost
    proportional to r too, and the right loss must still be read as the MSE."""
    rng = np.random.default_rng(5)
    prediction = 0.5 + rng.normal(0, 1e-5, size=(N, D))
    target = rng.uniform(0, 1, size=(N, D))
    reading = read_regression_loss(prediction, target, sent_back(F.mse_loss, prediction, target), bounded=True)
    assert reading is not None and reading.is_mean_squared(), reading


def test_huber_on_residuals_beyond_1_is_named_by_its_form(batch):
    """Below 1 Huber's gradient is r/n, half the MSE's ("squared", scale 0.5, above); with
    larger residuals it is clipped, which neither the squared form nor the sign fits."""
    prediction, target = batch
    far = target + np.where(np.arange(target.size).reshape(target.shape) % 3 == 0, 2.5, 0.3)
    for loss in (F.huber_loss, F.smooth_l1_loss):
        reading = read_regression_loss(prediction, far, sent_back(loss, prediction, far))
        assert reading is not None and reading.form == "huber" and reading.scaled_by(1.0), reading
