"""The global random generators: does a student's function draw from them or reseed them?

Statements ask for a generator of the function's own (`np.random.default_rng(seed)`,
`torch.Generator().manual_seed(seed)`): a function that draws from NumPy's or torch's global
generator makes the rest of the notebook depend on the call, and one that reseeds them
(`torch.manual_seed(seed)`) resets the caller's state. Both leave the global state other than
it was; reseeding it first with a value no seed the function receives gives makes the second
visible too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from autograder.checks.kernel_code import kernel_side

#: The generators watched, in the order messages name them.
GENERATORS = ("numpy", "torch")


@kernel_side
def global_generator_digests(reset):
    """Digests of the global generators of NumPy and PyTorch, after seeding both with `reset`
    (None: as they are)."""
    import hashlib

    import numpy as np
    import torch

    if reset is not None:
        torch.manual_seed(int(reset))
        np.random.seed(int(reset) % 2**32)
    state = np.random.get_state()
    return {
        "torch": hashlib.sha256(torch.get_rng_state().numpy().tobytes()).hexdigest(),
        "numpy": hashlib.sha256(np.asarray(state[1]).tobytes() + repr(state[2:]).encode()).hexdigest(),
    }


def moved_generators(before: object, after: object) -> tuple[str, ...]:
    """The generators whose digest differs (none when either side is not a digest map)."""
    if not isinstance(before, Mapping) or not isinstance(after, Mapping):
        return ()
    return tuple(k for k in GENERATORS if before.get(k) != after.get(k))


def global_generators_moved_by(submission: Any, call: Callable[[], object], reset: int) -> tuple[str, ...]:
    """The global generators that `call` (a call of the student's code in `submission`) drew
    from or reseeded, both seeded with `reset` before it. `reset` must differ from any seed
    the call passes: `torch.manual_seed(seed)` on a state already at `seed` would not show."""
    before = global_generator_digests.call(submission, int(reset))
    call()
    return moved_generators(before, global_generator_digests.call(submission, None))


def generators_text(moved: tuple[str, ...]) -> tuple[str, str]:
    """(fr, en) naming the moved generators: "le générateur global de NumPy et de torch"."""
    fr = " et ".join("de NumPy" if k == "numpy" else "de torch" for k in moved)
    en = " and ".join("NumPy's" if k == "numpy" else "torch's" for k in moved)
    return f"le générateur global {fr}", f"{en} global generator"
