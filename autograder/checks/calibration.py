"""Calibration metrics: reliability bins, expected and maximum calibration error."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder.checks.errors import CheckFailed
from autograder.checks.values import as_array, fmt_index, fmt_value


@dataclass(frozen=True)
class Bin:
    """One equal-width confidence bin; an empty bin has count 0 and zero means."""

    lo: float
    hi: float
    count: int
    mean_confidence: float
    accuracy: float


def _inputs(confidences: Any, correct: Any, n_bins: int) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive int, got {n_bins!r}")
    conf = as_array(confidences, "confidences", shape=(None,))
    if conf.size == 0:
        raise CheckFailed("confidences : aucune prédiction", "confidences: no predictions")
    outside = (conf < 0.0) | (conf > 1.0)
    if outside.any():
        i = int(np.argmax(outside))
        raise CheckFailed(
            f"confidences : valeurs hors de [0, 1], p. ex. {fmt_value(conf[i])} en {fmt_index((i,))}",
            f"confidences: values outside [0, 1], e.g. {fmt_value(conf[i])} at {fmt_index((i,))}",
        )
    ok = as_array(correct, "correct", shape=(conf.size,), dtype=None)
    if ok.dtype.kind != "b" and not np.isin(ok, (0, 1)).all():
        raise CheckFailed(
            "correct : valeurs 0/1 ou booléens attendus", "correct: 0/1 or boolean values expected"
        )
    return conf, ok.astype(np.float64)


def reliability_bins(confidences: Any, correct: Any, n_bins: int = 15) -> list[Bin]:
    """Split [0, 1] into `n_bins` equal bins [lo, hi); the last one also holds 1.0.

    A bin's bounds are the edges used to assign it, so a confidence on an edge goes to
    the bin that starts there (0.0 to the first bin, exactly 1.0 to the last).
    """
    conf, ok = _inputs(confidences, correct, n_bins)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    index = np.clip(np.searchsorted(edges, conf, side="right") - 1, 0, n_bins - 1)
    bins = []
    for b in range(n_bins):
        members = index == b
        count = int(members.sum())
        mean_conf = float(conf[members].mean()) if count else 0.0
        accuracy = float(ok[members].mean()) if count else 0.0
        bins.append(Bin(float(edges[b]), float(edges[b + 1]), count, mean_conf, accuracy))
    return bins


def ece(confidences: Any, correct: Any, n_bins: int = 15) -> float:
    """Expected calibration error: Σ (count/N)·|accuracy - mean confidence|; empty bins add 0."""
    bins = reliability_bins(confidences, correct, n_bins)
    total = sum(b.count for b in bins)
    return float(sum(b.count / total * abs(b.accuracy - b.mean_confidence) for b in bins))


def mce(confidences: Any, correct: Any, n_bins: int = 15) -> float:
    """Maximum calibration error: the worst |accuracy - mean confidence| over non-empty bins."""
    bins = reliability_bins(confidences, correct, n_bins)
    return float(max(abs(b.accuracy - b.mean_confidence) for b in bins if b.count))
