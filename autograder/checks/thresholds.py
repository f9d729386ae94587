"""Score measured quantities (accuracy, loss, time) against thresholds, with partial credit."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

from autograder.checks.errors import CheckFailed, Partial
from autograder.checks.hints import hinted
from autograder.checks.margins import record_margin
from autograder.checks.values import as_float


def _validate_levels(
    full: float, partial: Sequence[tuple[float, float]], higher_is_better: bool
) -> list[tuple[float, float]]:
    """Author mistakes (a partial bar above the full one) are bugs in the check: ValueError."""
    levels = []
    for threshold, fraction in partial:
        t, f = float(threshold), float(fraction)
        if not 0.0 <= f <= 1.0:
            raise ValueError(f"score_threshold: fraction {f} not in [0, 1]")
        if (t >= full) if higher_is_better else (t <= full):
            raise ValueError(
                f"score_threshold: partial threshold {t} must be "
                f"{'below' if higher_is_better else 'above'} the full-marks threshold {full}"
            )
        levels.append((t, f))
    return levels


def score_threshold(
    value: Any,
    *,
    full: float,
    partial: Sequence[tuple[float, float]] = (),
    higher_is_better: bool = True,
    what_fr: str,
    what_en: str,
    fmt: str = "{:.3f}",
    hint: tuple[str, str] | None = None,
) -> None:
    """Full marks when `value` reaches `full`, else the best `(threshold, fraction)` reached.

    Returns None for full marks, raises `Partial` for a partial level, `CheckFailed`
    below every level. Thresholds are inclusive. Messages give the measured value and
    the thresholds, e.g. "précision 0.812 : crédit partiel 50 % (seuil ≥ 0.800 atteint)";
    a (French, English) `hint` is appended to them (what usually keeps a model below).
    """
    if hint is None:
        return _score(value, full, partial, higher_is_better, what_fr, what_en, fmt)
    try:
        return _score(value, full, partial, higher_is_better, what_fr, what_en, fmt)
    except (Partial, CheckFailed) as exc:
        raise hinted(exc, *hint) from None


def _score(
    value: Any,
    full: float,
    partial: Sequence[tuple[float, float]],
    higher_is_better: bool,
    what_fr: str,
    what_en: str,
    fmt: str,
) -> None:
    full = float(full)
    if math.isnan(full):
        raise ValueError("score_threshold: full threshold is NaN")
    levels = _validate_levels(full, partial, higher_is_better)
    try:
        v = as_float(value, what_fr)
    except CheckFailed as exc:  # same reason, with the English name
        raise CheckFailed(exc.message.fr, what_en + exc.message.en[len(what_fr) :]) from None

    def reached(threshold: float) -> bool:
        return v >= threshold if higher_is_better else v <= threshold

    record_margin(what_en, v, full, higher_is_better=higher_is_better)
    if reached(full):
        return None
    cmp = "≥" if higher_is_better else "≤"
    shown = fmt.format(v)
    full_s = f"{cmp} {fmt.format(full)}"
    hits = [(f, t) for t, f in levels if reached(t)]
    if hits:
        fraction, threshold = max(hits, key=lambda h: (h[0], h[1] if higher_is_better else -h[1]))
        pct = f"{100 * fraction:.0f}"
        bar = f"{cmp} {fmt.format(threshold)}"
        raise Partial(
            fraction,
            f"{what_fr} {shown} : crédit partiel {pct} % (seuil {bar} atteint) ; {full_s} pour tous les points",
            f"{what_en} {shown}: {pct}% partial credit (threshold {bar} reached); {full_s} for full marks",
        )
    if levels:
        lowest = min(t for t, _ in levels) if higher_is_better else max(t for t, _ in levels)
        bar = f"{cmp} {fmt.format(lowest)}"
        raise CheckFailed(
            f"{what_fr} {shown} : seuil minimal non atteint ({bar} pour un crédit partiel, {full_s} pour tous les points)",
            f"{what_en} {shown}: below the minimum threshold ({bar} for partial credit, {full_s} for full marks)",
        )
    raise CheckFailed(
        f"{what_fr} {shown} : {full_s} attendu",
        f"{what_en} {shown}: {full_s} expected",
    )


class TimeBudget:
    """Measure wall time around grader-side work and fail the check when over budget.

        with TimeBudget(2.0, what_fr="l'entraînement", what_en="training", submission=submission) as budget:
            submission.call("train", ...)
        budget.check()

    `check()` may also be called inside the block (time so far). Uses a monotonic clock; with
    `submission`, the seconds its kernel waited for a CPU that other work held (a loaded
    grading machine) are not counted, as for cell budgets (autograder.sandbox.stall).
    """

    def __init__(
        self,
        seconds: float,
        *,
        what_fr: str = "le calcul",
        what_en: str = "the computation",
        submission: Any = None,
    ) -> None:
        seconds = float(seconds)
        if not (seconds > 0 and math.isfinite(seconds)):
            raise ValueError(
                f"TimeBudget: budget must be a positive number of seconds, got {seconds}"
            )
        self.seconds = seconds
        self.what_fr = what_fr
        self.what_en = what_en
        self._submission = submission
        self._given_back: Callable[[], float] = lambda: 0.0
        self._start: float | None = None
        self._end: float | None = None
        self._given_at_end = 0.0

    def start(self) -> TimeBudget:
        self._start = time.perf_counter()
        if self._submission is not None:
            self._given_back = self._submission.waiting_meter()
        self._end = None
        return self

    def stop(self) -> float:
        if self._start is None:
            raise RuntimeError("TimeBudget.stop() before start()")
        self._end = time.perf_counter()
        self._given_at_end = self._given_back()
        return self.elapsed

    @property
    def elapsed(self) -> float:
        """Seconds since start (until stop, if stopped), less the kernel's CPU waiting."""
        if self._start is None:
            return 0.0
        if self._end is not None:
            end, given = self._end, self._given_at_end
        else:
            end, given = time.perf_counter(), self._given_back()
        return max(0.0, end - self._start - given)

    def __enter__(self) -> TimeBudget:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def check(self) -> float:
        """Raise CheckFailed when over budget; return the elapsed seconds otherwise."""
        if self._start is None:
            raise RuntimeError("TimeBudget.check() before start()")
        taken = self.elapsed
        if taken > self.seconds:
            raise CheckFailed(
                f"{self.what_fr} a pris {taken:.2f} s, au-delà du budget de {self.seconds:.2f} s",
                f"{self.what_en} took {taken:.2f} s, over the {self.seconds:.2f} s budget",
            )
        return taken
