"""Winnowing fingerprints: identical runs found, disjoint ones not, with the density and guarantee of the paper."""

from __future__ import annotations

import random

from autograder.classroom.similarity import winnowing
from tests.classroom.similarity.test_tokens import DISGUISED, ORIGINAL


def _random_tokens(rng: random.Random, n: int, alphabet: str) -> list[str]:
    return [rng.choice(alphabet) for _ in range(n)]


def test_winnowing_identical_is_one_and_disjoint_is_zero():
    rng = random.Random(1)
    a = _random_tokens(rng, 300, "abcdefghij")
    b = _random_tokens(rng, 300, "ABCDEFGHIJ")
    fa, fb = winnowing.winnow(winnowing.kgram_hashes(a)), winnowing.winnow(winnowing.kgram_hashes(b))
    assert winnowing.jaccard(fa, winnowing.winnow(winnowing.kgram_hashes(list(a)))) == 1.0
    assert winnowing.jaccard(fa, fb) == 0.0
    # two independent random streams over the same alphabet share almost nothing
    c = _random_tokens(rng, 300, "abcdefghij")
    assert winnowing.jaccard(fa, winnowing.winnow(winnowing.kgram_hashes(c))) < 0.05
    assert winnowing.fingerprints(ORIGINAL) == winnowing.fingerprints(DISGUISED)


def test_winnowing_density_and_guarantee():
    rng = random.Random(2)
    k, w = winnowing.K, winnowing.WINDOW
    for _ in range(50):
        a = _random_tokens(rng, 200, "abcdefghijklmnop")
        b = _random_tokens(rng, 200, "qrstuvwxyz")
        shared = _random_tokens(rng, w + k - 1, "ABCDEFGH")  # the guaranteed length
        i, j = rng.randrange(200), rng.randrange(200)
        fa = winnowing.winnow(winnowing.kgram_hashes(a[:i] + shared + a[i:], k), w)
        fb = winnowing.winnow(winnowing.kgram_hashes(b[:j] + shared + b[j:], k), w)
        assert set(fa) & set(fb), "a shared run of w + k - 1 tokens must be detected"
        n = len(a) + len(shared) - k + 1
        assert len(fa) <= n and sum(len(p) for p in fa.values()) < 0.6 * n  # ~2 / (w + 1)
    assert winnowing.winnow([]) == {} and winnowing.kgram_hashes(["a"] * (k - 1)) == []
    assert winnowing.winnow([7, 3]) == {3: [1]}  # shorter than a window: its minimum


# -- a class folder --------------------------------------------------------------------------
