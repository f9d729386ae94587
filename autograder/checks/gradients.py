"""Gradient checks: relative error, central differences, and torch autograd as the oracle.

Relative error follows CS231n: max over entries of |a - b| / max(1e-8, |a| + |b|).
Rules of thumb in float64:

* > 1e-2: the gradient is most likely wrong;
* 1e-4 .. 1e-2: suspicious (acceptable near kinks such as ReLU at 0 with numerical gradients);
* 1e-7 .. 1e-4: fine for objectives with kinks, too large for smooth ones;
* < 1e-7: good.

In float32, rounding alone gives errors around 1e-4 .. 1e-3, hence looser defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from autograder.checks.device import tolerance_for
from autograder.checks.errors import CheckFailed, show_expected
from autograder.checks.margins import record_expected, record_margin
from autograder.checks.values import (
    as_array,
    as_float,
    fmt_index,
    fmt_order,
    fmt_value,
    reference_array,
    with_hint,
)

_FLOOR = 1e-8  # CS231n's guard against dividing by ~0 when both entries are ~0

# In assert_gradient_close, entries far below the gradient's own scale are compared relative
# to that scale (times this factor): float rounding on near-zero entries, or the O(h²)
# error of a numerical reference there, must not fail a correct answer.
_SCALE_FLOOR = {"float64": 1e-3}
_SCALE_FLOOR_LOW_PRECISION = 3e-2


def _rel_errors(a: np.ndarray, b: np.ndarray, floor: float) -> np.ndarray:
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        rel = np.abs(a - b) / np.maximum(floor, np.abs(a) + np.abs(b))
    # NaN compares False with everything: map it to inf so `rel <= tol` can never pass.
    return np.where(np.isnan(rel), np.inf, rel)


def rel_error(a: Any, b: Any) -> float:
    """CS231n relative error: max of |a - b| / max(1e-8, |a| + |b|); inf if NaN shows up.

    Both sides are validated (shapes must be equal); 0.0 for empty arrays.
    """
    x = as_array(a, "a", allow_nan=True)
    y = as_array(b, "b", allow_nan=True)
    if x.shape != y.shape:
        raise ValueError(f"rel_error: shapes differ, {x.shape} vs {y.shape}")
    if x.size == 0:
        return 0.0
    return float(_rel_errors(x, y, _FLOOR).max())


def _scalar_output(value: Any) -> float:
    """f may be student code: a non-scalar or non-finite output fails the check."""
    if type(value).__module__.startswith("torch") and hasattr(value, "detach"):
        value = value.detach().cpu()
        value = (value.double() if value.is_floating_point() else value).numpy()
    return as_float(value, "f(x)")


def numerical_gradient(f: Callable[[np.ndarray], Any], x: Any, h: float = 1e-5) -> np.ndarray:
    """Central differences (f(x + h·e_i) - f(x - h·e_i)) / 2h of a scalar f, in float64.

    `x` is copied, never mutated. Costs 2·x.size calls to f: keep x small. f may be
    student code: a NaN or non-scalar output fails the check.
    """
    work = np.array(x, dtype=np.float64, copy=True)
    grad = np.zeros_like(work)
    for idx in np.ndindex(work.shape):
        original = work[idx]
        work[idx] = original + h
        f_plus = _scalar_output(f(work))
        work[idx] = original - h
        f_minus = _scalar_output(f(work))
        work[idx] = original
        grad[idx] = (f_plus - f_minus) / (2.0 * h)
    return grad


def _least_precise(*dtypes: np.dtype) -> str:
    floats = [d for d in dtypes if d.kind == "f"]
    if not floats:
        return "float64"
    name = min(floats, key=lambda d: d.itemsize).name
    return name if name in ("float64", "float32", "float16") else "float64"


def assert_gradient_close(
    name: str,
    got: Any,
    expected: Any,
    *,
    tol: float | None = None,
    hint_fr: str = "",
    hint_en: str = "",
    reference_fr: str = "du gradient de référence (autograd)",
    reference_en: str = "autograd",
    show_values: bool = True,
) -> float:
    """Fail unless the student's gradient `got` matches `expected` in relative error.

    The shape is checked first. The default `tol` follows the least precise dtype of the
    two (1e-6 in float64, 1e-3 in float32). Entries far below the gradient's scale are
    compared relative to that scale rather than to themselves. The message names the
    worst entry, with its values in a public check only: in a hidden check the plugin hides
    expected values from every helper's message by itself (`show_expected()`);
    `show_values=False` hides them in a public check too.
    Returns the worst relative error when it passes.
    """
    exp_raw = reference_array(expected, f"{name} (reference)", dtype=None, allow_nan=False)
    record_expected(name, exp_raw)
    got_raw = as_array(got, name, shape=exp_raw.shape, dtype=None)
    precision = _least_precise(got_raw.dtype, exp_raw.dtype)
    if tol is None:
        tol = tolerance_for("cpu", precision)
    if got_raw.size == 0:
        return 0.0
    x = got_raw.astype(np.float64)
    ref = exp_raw.astype(np.float64)

    factor = _SCALE_FLOOR.get(precision, _SCALE_FLOOR_LOW_PRECISION)
    floor = max(_FLOOR, factor * float(np.abs(ref).max()))
    rel = _rel_errors(x, ref, floor)
    flat = int(np.argmax(rel))
    worst = float(rel.reshape(-1)[flat])
    record_margin(f"{name} relative error", worst, tol, higher_is_better=False, kind="tolerance")
    if worst <= tol:
        return worst

    idx = np.unravel_index(flat, rel.shape)
    where_fr = f" en {fmt_index(idx)}" if x.ndim else ""
    where_en = f" at {fmt_index(idx)}" if x.ndim else ""
    fr = f"{name} diffère {reference_fr} : erreur relative {fmt_order(worst)}{where_fr}"
    en = f"{name} differs from {reference_en}: relative error {fmt_order(worst)}{where_en}"
    if show_values and show_expected():
        g, e = fmt_value(x[idx]), fmt_value(ref[idx])
        fr += f" (obtenu {g}, attendu {e})"
        en += f" (got {g}, expected {e})"
    fr += f", tolérance {tol:.0e}"
    en += f", tolerance {tol:.0e}"
    raise CheckFailed(with_hint(fr, hint_fr, " ; "), with_hint(en, hint_en or hint_fr, "; "))


def gradcheck(
    f: Callable[[np.ndarray], Any],
    x: Any,
    analytic: Any,
    h: float = 1e-5,
    tol: float = 1e-6,
    *,
    name: str = "gradient",
    hint_fr: str = "",
    hint_en: str = "",
) -> float:
    """Compare an analytic gradient (array, or callable of x) with central differences.

    Raises CheckFailed beyond `tol`; returns the worst relative error otherwise. Near
    kinks (ReLU at 0) the numerical gradient itself is unreliable: keep x away from them.
    """
    numerical = numerical_gradient(f, x, h)
    got = analytic(np.array(x, dtype=np.float64, copy=True)) if callable(analytic) else analytic
    return assert_gradient_close(
        name,
        got,
        numerical,
        tol=tol,
        hint_fr=hint_fr,
        hint_en=hint_en,
        reference_fr="du gradient numérique (différences centrées)",
        reference_en="the numerical gradient (central differences)",
    )


def torch_grads(
    fn: Callable[..., Any],
    inputs: Mapping[str, Any],
    *,
    device: str = "cpu",
) -> dict[str, np.ndarray]:
    """Gradients of the scalar `fn(**tensors)` w.r.t. every floating input, by torch autograd.

    Floating inputs become float64 tensors with requires_grad (float64 makes autograd a
    reference accurate to ~1e-12); integer inputs (labels, indices) are passed without
    gradient and left out of the result. An unused input gets a zero gradient.
    """
    import torch

    from autograder.checks.determinism import float64

    with float64():
        tensors: dict[str, Any] = {}
        for key, value in inputs.items():
            arr = np.array(value, copy=True)
            if arr.dtype.kind == "f":
                tensors[key] = torch.tensor(
                    arr, dtype=torch.float64, device=device
                ).requires_grad_()
            else:
                tensors[key] = torch.as_tensor(arr, device=device)
        out = fn(**tensors)
        if not isinstance(out, torch.Tensor) or out.numel() != 1:
            raise ValueError("torch_grads: fn must return a scalar tensor")
        leaves = [k for k, t in tensors.items() if t.requires_grad]
        grads = torch.autograd.grad(
            out.reshape(()), [tensors[k] for k in leaves], allow_unused=True
        )
    return {
        k: (
            g.detach().cpu().numpy().copy()
            if g is not None
            else np.zeros(tuple(tensors[k].shape), dtype=np.float64)
        )
        for k, g in zip(leaves, grads, strict=True)
    }
