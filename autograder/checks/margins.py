"""Record how close a passing check came to failing, for the instructor's margin report.

The helpers (`score_threshold`, `assert_close`, `assert_gradient_close`) record on their
own; a check that compares by hand calls `record_margin`. Recording is a no-op outside a
grading (a plain pytest run of the library's tests), so helpers never depend on it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from autograder.results import Margin

_MARGINS: ContextVar[list[Margin] | None] = ContextVar("autograder_margins", default=None)


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
