"""Seeds and dtypes, so that a check gives the same verdict on every run."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

_SEED_LIMIT = 2**32  # np.random.seed accepts [0, 2**32)


def seed_everything(seed: int) -> None:
    """Seed `random`, numpy's global generator and torch (CPU and every CUDA device).

    Student code often draws from the global generators; seeding them before each call
    makes its random initialisations reproducible across grading runs.
    """
    import torch

    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    seed = int(seed)
    if not 0 <= seed < _SEED_LIMIT:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


def derive_seed(secret: int, name: str) -> int:
    """A per-check seed in [0, 2**32) from the grader's secret and the check's name.

    Uses SHA-256 rather than `hash()`, which is salted per process (PYTHONHASHSEED), so
    that a seed is stable across runs and machines; students cannot predict it without
    the secret.
    """
    payload = f"{int(secret)}\x00{name}".encode()
    return int.from_bytes(hashlib.sha256(payload).digest()[:4], "big")


@contextmanager
def float64() -> Iterator[None]:
    """Make float64 torch's default dtype inside the block (references, gradchecks)."""
    import torch

    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)
