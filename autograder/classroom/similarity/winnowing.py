"""Fingerprints: winnowing (Schleimer, Wilkerson & Aiken, SIGMOD 2003).

Hash every k-gram of normalised tokens (blake2b, 64 bits: stable across runs); in every window
of ``w`` consecutive hashes keep the minimum (the rightmost one on ties), recording each
selected position once. Any shared run of at least ``w + k - 1`` tokens is guaranteed to be
found, runs shorter than ``k`` never are."""

from __future__ import annotations

import hashlib
from typing import Any

from autograder.classroom.similarity.tokens import normalize

K = 5  # noise threshold: shared runs shorter than k tokens are ignored


WINDOW = 4  # winnowing window: shared runs of >= WINDOW + K - 1 = 8 tokens are always found


def kgram_hashes(tokens: list[str], k: int = K) -> list[int]:
    """64-bit hash of every k-gram (stable across processes, unlike `hash`)."""
    return [
        int.from_bytes(
            hashlib.blake2b("\x1f".join(tokens[i : i + k]).encode(), digest_size=8).digest(), "big"
        )
        for i in range(len(tokens) - k + 1)
    ]


def winnow(hashes: list[int], w: int = WINDOW) -> dict[int, list[int]]:
    """Selected fingerprints: hash -> k-gram start positions (rightmost minimum per window)."""
    selected: dict[int, list[int]] = {}
    last = -1
    for start in range(max(1, len(hashes) - w + 1) if hashes else 0):
        window = hashes[start : start + w]
        low = min(window)
        pos = start + max(i for i, h in enumerate(window) if h == low)
        if pos != last:
            selected.setdefault(low, []).append(pos)
            last = pos
    return selected


def fingerprints(source: str, k: int = K, w: int = WINDOW) -> dict[int, list[int]]:
    return winnow(kgram_hashes([t.text for t in normalize(source)], k), w)


def jaccard(a: set[int] | dict[int, Any], b: set[int] | dict[int, Any]) -> float:
    a, b = set(a), set(b)
    return len(a & b) / len(a | b) if a | b else 0.0
