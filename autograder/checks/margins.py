"""Record how close a passing check came to failing, and what it expected.

Margins feed the instructor's margin report; expected values feed the leak test (no
hidden message may show a value its check expected). The helpers (`score_threshold`,
`assert_close`, `assert_gradient_close`, `assert_equal_int`, `assert_param_count`)
record on their own; a check that compares by hand calls `record_margin` and
`record_expected`. Recording is a no-op outside a grading (a plain pytest run of the
library's tests), so helpers never depend on it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np

from autograder.results import Expected, Margin

_MARGINS: ContextVar[list[Margin] | None] = ContextVar("autograder_margins", default=None)
_EXPECTED: ContextVar[list[Expected] | None] = ContextVar("autograder_expected", default=None)

#: Entries kept per recorded value, and values per check: a message can only print a few
#: entries of an array, and the leak test compares every kept entry with every number.
MAX_EXPECTED_ENTRIES = 512
_MAX_EXPECTED_RECORDS = 200


def record_margin(
    what: str,
    value: float,
    threshold: float,
    *,
    higher_is_better: bool,
    kind: str = "threshold",
) -> None:
    """Note that `value` was compared with `threshold` (e.g. accuracy 0.93 vs ≥ 0.80)."""
    sink = _MARGINS.get()
    if sink is None:
        return
    try:
        v, t = float(value), float(threshold)
    except (TypeError, ValueError):
        return
    if math.isnan(v) or math.isnan(t) or len(sink) >= 1000:
        return
    sink.append(Margin(str(what)[:200], v, t, bool(higher_is_better), kind))


@contextmanager
def recording_margins() -> Iterator[list[Margin]]:
    """Collect the margins recorded while the block runs (one check)."""
    sink: list[Margin] = []
    token = _MARGINS.set(sink)
    try:
        yield sink
    finally:
        _MARGINS.reset(token)


def record_expected(what: str, value: Any, *, shape: bool = False) -> None:
    """Note that the check expected `value` (a number, an array, or with `shape=True` a shape).

    Call it beside every hand-made comparison of a hidden check, with the reference the
    student's answer is compared with (and any number it is derived from that a message
    could print, e.g. the count of missing biases). Non-numeric values are ignored.
    """
    sink = _EXPECTED.get()
    if sink is None or len(sink) >= _MAX_EXPECTED_RECORDS:
        return
    flat = _flat(value)
    if flat is None:
        return
    values = tuple(float(v) for v in flat[:MAX_EXPECTED_ENTRIES] if math.isfinite(float(v)))
    if values:
        sink.append(Expected(str(what)[:200], values, "shape" if shape else "value"))


def _flat(value: Any) -> np.ndarray | None:
    """The numbers in `value` as a flat float64 array; lists of arrays of any shapes too."""
    if hasattr(value, "detach"):  # a torch tensor computed by the check
        value = value.detach().cpu().numpy()
    try:
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf":
            arr = np.asarray(arr, dtype=np.float64)  # torch scalars, objects
        return arr.reshape(-1)[:MAX_EXPECTED_ENTRIES].astype(np.float64)  # slice, then copy
    except (TypeError, ValueError, RuntimeError):
        pass
    if isinstance(value, (list, tuple)):
        parts = [_flat(v) for v in value[:MAX_EXPECTED_ENTRIES]]
        if all(p is not None for p in parts) and parts:
            return np.concatenate(parts)  # type: ignore[arg-type]
    return None


def record_given(args: tuple, kwargs: dict) -> None:
    """Note the numbers a call sends to the student's code (the proxy calls this).

    The student's code receives them, so a message may name them (an input width, x0)
    even when an expected value coincides with one; see autograder/prove/leaks.py.
    """
    sink = _EXPECTED.get()
    if sink is None or len(sink) >= _MAX_EXPECTED_RECORDS:
        return
    found: list[np.ndarray] = []
    shapes: list[tuple[int, ...]] = []
    stack: list[Any] = [*args, *kwargs.values()]
    while stack and len(found) < 64:
        item = stack.pop()
        item = getattr(item, "array", item)  # proxy.Tensor
        if isinstance(item, (list, tuple)) and len(item) <= 64:
            if all(isinstance(v, (int, float, np.number)) for v in item):
                found.append(np.asarray(item, dtype=np.float64).reshape(-1))
            else:
                stack.extend(item)
        elif isinstance(item, dict) and len(item) <= 64:
            stack.extend(item.values())
        elif isinstance(item, (bool, np.bool_)):
            continue
        elif isinstance(item, (int, float, np.number, np.ndarray)):
            arr = np.asarray(item)
            if arr.dtype.kind in "iuf":
                found.append(arr.reshape(-1)[:MAX_EXPECTED_ENTRIES].astype(np.float64))
                if arr.ndim:
                    shapes.append(arr.shape)
    if found:
        flat = np.concatenate(found)[:MAX_EXPECTED_ENTRIES]
        values = tuple(float(v) for v in flat if math.isfinite(float(v)))
        if values:
            sink.append(Expected("given to the student's code", values, "given"))
    for shape in dict.fromkeys(shapes):  # an input's shape may be named too ("W of shape (3, 4)")
        sink.append(Expected("shape given to the student's code", tuple(map(float, shape)), "given shape"))


@contextmanager
def recording_expected() -> Iterator[list[Expected]]:
    """Collect the expected values recorded while the block runs (one check)."""
    sink: list[Expected] = []
    token = _EXPECTED.set(sink)
    try:
        yield sink
    finally:
        _EXPECTED.reset(token)
