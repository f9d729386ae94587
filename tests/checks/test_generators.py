"""checks.generators: which global generators a student's function draws from or reseeds,
seen in a real kernel; a function with a generator of its own moves none."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import pytest

from autograder.bridge.proxy import Submission
from autograder.checks import generators_text, global_generators_moved_by, moved_generators
from autograder.sandbox.landlock import exchange_root
from tests.sandbox.test_kernel import start_kernel

NOTEBOOK = """
import numpy as np
import torch

def propre(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    return torch.randperm(n, generator=g).tolist() + rng.permutation(n).tolist()

def tire_numpy(n, seed=0):
    return np.random.permutation(n).tolist()

def reseme_torch(n, seed=0):
    torch.manual_seed(seed)
    return list(range(n))

def les_deux(n, seed=0):
    np.random.seed(seed)
    return torch.randperm(n).tolist()
"""


@pytest.fixture(scope="module")
def sub(tmp_path_factory) -> Iterator[Submission]:
    k = start_kernel(tmp_path_factory.mktemp("generators"))
    assert k.execute(NOTEBOOK, timeout=120).status == "ok"
    s = Submission.connect(k, exchange_root(k.runtime_dir), call_timeout=30)
    yield s
    s.close()
    k.shutdown()


@pytest.mark.parametrize(("name", "moved"), [
    ("propre", ()),
    ("tire_numpy", ("numpy",)),
    ("reseme_torch", ("torch",)),
    ("les_deux", ("numpy", "torch")),
])
def test_the_generators_a_call_moves_are_named_in_a_fixed_order(sub, name, moved):
    assert global_generators_moved_by(sub, partial(sub.call, name, 10, seed=7), reset=8) == moved


def test_a_reseed_shows_even_when_the_state_was_already_at_that_seed(sub):
    # The reset differs from the seed passed: torch.manual_seed(7) on a state at 7 would not show.
    for _ in range(2):
        assert global_generators_moved_by(sub, partial(sub.call, "reseme_torch", 3, seed=7), reset=8) == ("torch",)


def test_digests_that_are_not_maps_move_nothing_and_the_text_names_each_generator():
    assert moved_generators(None, {"numpy": "a"}) == ()
    assert moved_generators({"numpy": "a", "torch": "b"}, {"numpy": "a", "torch": "c"}) == ("torch",)
    assert generators_text(("numpy", "torch")) == (
        "le générateur global de NumPy et de torch", "NumPy's and torch's global generator")
