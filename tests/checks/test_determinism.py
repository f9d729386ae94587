"""Seeding, per-check seed derivation and the float64 context."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import numpy as np
import pytest
import torch

from autograder.checks import derive_seed, float64, seed_everything


def draws() -> tuple[float, float, list[float]]:
    return random.random(), float(np.random.rand()), torch.rand(3).tolist()


def test_seed_everything_makes_every_generator_repeat():
    seed_everything(1234)
    first = draws()
    seed_everything(1234)
    assert draws() == first
    seed_everything(1235)
    assert draws() != first


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, True, "7"])
def test_seed_everything_rejects_bad_seeds(seed):
    with pytest.raises((TypeError, ValueError)):
        seed_everything(seed)


def test_derive_seed_is_stable_distinct_and_in_range():
    seed = derive_seed(42, "test_backward")
    assert seed == derive_seed(42, "test_backward")
    assert seed != derive_seed(42, "test_forward")
    assert seed != derive_seed(43, "test_backward")
    assert 0 <= seed < 2**32
    seed_everything(seed)  # always a valid seed
    # Pinned: a change here silently changes every hidden check's inputs.
    assert seed == 3753605733


def test_derive_seed_does_not_depend_on_the_hash_salt():
    code = "from autograder.checks.determinism import derive_seed; print(derive_seed(7, 'x'))"
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": salt},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for salt in ("1", "2")
    }
    assert outputs == {f"{derive_seed(7, 'x')}\n"}


def test_float64_sets_and_restores_the_default_dtype():
    before = torch.get_default_dtype()
    with float64():
        assert torch.zeros(1).dtype == torch.float64
    assert torch.get_default_dtype() == before
    with pytest.raises(RuntimeError), float64():
        raise RuntimeError("boom")
    assert torch.get_default_dtype() == before
