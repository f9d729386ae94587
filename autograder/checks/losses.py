"""Which regression loss a training loop minimised, read from the gradient it sent back.

A loop that trains with another loss than the statement's (L1, a sum instead of a mean, a
binary cross-entropy, Huber) still converges, so its outcome hides the swap. The gradient
that reached the model's output on one batch names the loss: with r = prediction − target
over the n values a mean divides by, the mean squared error sends 2r/n, a sum of squares
2r, (r²)/2 or Huber near 0 r/n, L1 sign(r)/n, Huber clip(r, −1, 1)/n, the binary
cross-entropy r / (p (1 − p) n).
A TP records that gradient in the kernel (a hook on the output) and words the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Float32 rounding leaves a squared loss's gradient about 1e-6 (relative) off proportional
#: to the residual; the other forms are off by 1e-2 and more on residuals of mixed sizes.
FORM_TOLERANCE = 1e-3


@dataclass(frozen=True)
class LossReading:
    """`form`: what the gradient is proportional to: "squared" (r), "sign" (sign(r)), "huber"
    (r clipped to [−1, 1]: F.huber_loss, F.smooth_l1_loss), "bce" (r / (p (1 − p))) or
    "other". `scale`: its factor against the mean over the n values (2r/n for "squared",
    sign(r)/n for "sign", clip(r)/n for "huber", r / (p (1 − p) n) for "bce"): 1 for a mean,
    n for a sum, 0.5 for (r²)/2 or Huber on residuals below 1. `off`: the gradient's relative distance from
    proportional to r, the margin a squared loss is judged on."""

    form: str
    scale: float
    off: float

    def is_mean_squared(self, tolerance: float = 0.05) -> bool:
        return self.form == "squared" and abs(self.scale - 1.0) <= tolerance

    def scaled_by(self, factor: float, tolerance: float = 0.05) -> bool:
        """Whether the scale is `factor` (a sum over `factor` values instead of their mean)."""
        return abs(self.scale / factor - 1.0) <= tolerance


def _fit(grad: np.ndarray, basis: np.ndarray, gnorm: float) -> tuple[float, float]:
    """(the least-squares factor c of grad ≈ c·basis, the relative distance left)."""
    coef = float(np.sum(grad * basis) / max(float(np.sum(basis * basis)), 1e-300))
    return coef, float(np.linalg.norm(grad - coef * basis)) / gnorm


def read_regression_loss(
    prediction: np.ndarray,
    target: np.ndarray,
    grad: np.ndarray,
    *,
    bounded: bool = False,
    tolerance: float = FORM_TOLERANCE,
    mean_tolerance: float = 0.05,
) -> LossReading | None:
    """The loss whose gradient with respect to `prediction` is `grad`, on one batch; n is
    `prediction.size`. `bounded`: the predictions lie in (0, 1) (a sigmoid output), so a
    binary cross-entropy is a candidate. None when nothing can be told: no gradient came
    back, the residual is 0, or a value is not finite.

    Ordering constraint: the mean squared error is recognised first, so that predictions of
    almost one value (an untrained sigmoid output), where 1 / (p (1 − p)) is almost constant
    and a BCE's gradient almost proportional to r, never turn a right loss into a BCE; the
    sign is tried only where the squared form does not fit (a residual of one magnitude fits
    both)."""
    p = np.asarray(prediction, dtype=np.float64)
    r = p - np.asarray(target, dtype=np.float64)
    g = np.asarray(grad, dtype=np.float64)
    if g.shape != r.shape or not (np.all(np.isfinite(g)) and np.all(np.isfinite(r))):
        return None
    gnorm = float(np.linalg.norm(g))
    if gnorm == 0.0 or float(np.linalg.norm(r)) == 0.0:
        return None
    n = r.size
    coef, off = _fit(g, r, gnorm)
    squared = LossReading("squared", coef * n / 2.0, off)
    if off <= tolerance and squared.is_mean_squared(mean_tolerance):
        return squared
    if off > tolerance:
        coef_sign, off_sign = _fit(g, np.sign(r), gnorm)
        if off_sign <= tolerance:
            return LossReading("sign", coef_sign * n, off)
        coef_huber, off_huber = _fit(g, np.clip(r, -1.0, 1.0), gnorm)
        if off_huber <= tolerance:  # residuals beyond 1 too: else it is (r²)/2, "squared"
            return LossReading("huber", coef_huber * n, off)
    if bounded:
        inside = np.clip(p, 1e-6, 1 - 1e-6)
        coef_bce, off_bce = _fit(g, r / (inside * (1.0 - inside)), gnorm)
        if off_bce <= tolerance:
            return LossReading("bce", coef_bce * n, off)
    return squared if off <= tolerance else LossReading("other", squared.scale, off)
