"""checks.models: the model a student's function builds, seeded, checked to be an nn.Module
and described, in a real kernel."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from autograder.bridge.proxy import Submission
from autograder.checks import (
    CheckFailed,
    Handle,
    built_module,
    describe_module,
    kernel_side,
    module_info,
)
from autograder.sandbox.landlock import exchange_root
from tests.sandbox.test_kernel import start_kernel

NOTEBOOK = """
import torch
from torch import nn

def creer_mlp():
    return nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))

def creer_rien():
    return None

def creer_liste():
    return [nn.Linear(4, 3)]
"""


@kernel_side
def count_linears(modele):
    """A TP's own describer: what the library's does not read."""
    import torch

    if not isinstance(modele, torch.nn.Module):
        return {"module": False, "type": type(modele).__name__}
    return {
        "module": True,
        "linears": sum(isinstance(m, torch.nn.Linear) for m in modele.modules()),
    }


@pytest.fixture(scope="module")
def sub(tmp_path_factory) -> Iterator[Submission]:
    k = start_kernel(tmp_path_factory.mktemp("models"))
    assert k.execute(NOTEBOOK, timeout=120).status == "ok"
    s = Submission.connect(k, exchange_root(k.runtime_dir), call_timeout=30)
    yield s
    s.close()
    k.shutdown()


def test_a_model_is_built_under_the_seed_and_described(sub):
    model, info = built_module(sub, "creer_mlp", 3)
    assert isinstance(model, Handle)
    assert info == {"module": True, "type": "Sequential", "n_params": 4 * 3 + 3 + 3 * 2 + 2}
    _, custom = built_module(sub, "creer_mlp", 3, count_linears)
    assert custom == {"module": True, "linears": 2}


def test_the_seed_makes_the_initial_weights_reproducible(sub):
    first, _ = built_module(sub, "creer_mlp", 7)
    again, _ = built_module(sub, "creer_mlp", 7)
    other, _ = built_module(sub, "creer_mlp", 8)
    read = "lambda m: m[0].weight.detach().numpy().tolist()"
    sub.define("_lire_poids", f"_lire_poids = {read}")
    assert sub.call("_lire_poids", first) == sub.call("_lire_poids", again)
    assert sub.call("_lire_poids", first) != sub.call("_lire_poids", other)


@pytest.mark.parametrize(("name", "kind"), [("creer_rien", "NoneType"), ("creer_liste", "list")])
def test_anything_but_a_module_fails_naming_the_call_and_what_came_back(sub, name, kind):
    with pytest.raises(CheckFailed) as err:
        built_module(sub, name, 0)
    assert err.value.message.fr == f"{name}() doit renvoyer un nn.Module, obtenu {kind}"
    with pytest.raises(CheckFailed) as err:
        module_info(sub, 3.5, "entrainer(...)", describe_module)
    assert "entrainer(...) doit renvoyer un nn.Module, obtenu float" in err.value.message.fr
