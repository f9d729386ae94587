"""Parameter counting on real torch modules, and the count check's messages."""

from __future__ import annotations

import numpy as np
import pytest
from torch import nn

from autograder.checks import (
    CheckFailed,
    assert_param_count,
    count_parameters,
    mlp_param_count,
    param_breakdown,
)
from autograder.checks.errors import expected_values_shown


def mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))


def failure(fn, *args, **kwargs):
    with pytest.raises(CheckFailed) as info:
        fn(*args, **kwargs)
    return info.value.message


def test_mlp_formula_matches_torch():
    assert mlp_param_count([784, 128, 10]) == 784 * 128 + 128 + 128 * 10 + 10 == 101_770
    assert count_parameters(mlp()) == 101_770
    net = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 5), nn.Linear(5, 2))
    assert count_parameters(net) == mlp_param_count([3, 5, 5, 2])


def test_count_parameters_skips_frozen_and_counts_shared_once():
    net = mlp()
    net[0].weight.requires_grad_(False)
    assert count_parameters(net) == 101_770 - 784 * 128
    shared = nn.Linear(4, 4)
    tied = nn.Sequential(shared, nn.ReLU(), shared)
    assert count_parameters(tied) == 20


@pytest.mark.parametrize("widths", [[10], [], [3, 0, 2], [3, 2.0], [True, 3]])
def test_mlp_param_count_rejects_bad_widths(widths):
    with pytest.raises(ValueError):
        mlp_param_count(widths)


def test_breakdown_of_a_module_and_of_state_dicts():
    expected = [
        ("0.weight", (128, 784), 100_352),
        ("0.bias", (128,), 128),
        ("2.weight", (10, 128), 1_280),
        ("2.bias", (10,), 10),
    ]
    net = mlp()
    assert param_breakdown(net) == expected
    assert param_breakdown(net.state_dict()) == expected
    as_arrays = {k: v.numpy() for k, v in net.state_dict().items()}
    assert param_breakdown(as_arrays) == expected


@pytest.mark.parametrize(
    "state",
    [
        [("W1", np.zeros(3))],
        {1: np.zeros(3)},
        {"W1": np.array([None], dtype=object)},
        {"W1": "zeros"},
    ],
    ids=["not-a-dict", "int-key", "object-array", "string-value"],
)
def test_hostile_state_dicts_fail_the_check(state):
    failure(param_breakdown, state)


def test_assert_param_count_passes_on_the_right_count():
    assert_param_count(101_770, mlp_param_count([784, 128, 10]), name="n_params")
    assert_param_count(np.int64(101_770), 101_770, name="n_params")


def test_the_no_bias_count_is_recognised_from_the_breakdown():
    breakdown = param_breakdown(mlp())
    no_bias = 784 * 128 + 128 * 10
    msg = failure(
        assert_param_count,
        no_bias,
        101_770,
        breakdown=breakdown,
        name="nombre de paramètres",
        hint_fr="comptez poids et biais",
        hint_en="count weights and biases",
    )
    assert msg.fr.startswith("nombre de paramètres : obtenu 101632, attendu 101770")
    assert "sans les biais" in msg.fr and "138 paramètres de biais" in msg.fr
    assert "without the biases" in msg.en and "138 bias parameters" in msg.en
    assert "comptez poids et biais" in msg.fr and "count weights and biases" in msg.en
    # The per-layer table, one line per parameter and a total.
    table = msg.fr.split("\n")
    assert table[1] == "Détail par couche :"
    assert any(line.split() == ["0.weight", "(128,", "784)", "100352"] for line in table)
    assert table[-1].split() == ["total", "101770"]
    assert "Per-layer breakdown:" in msg.en


def test_the_no_bias_count_is_recognised_from_numpy_names_or_an_explicit_count():
    state = {"W1": np.zeros((4, 8)), "b1": np.zeros(8), "W2": np.zeros((8, 3)), "b2": np.zeros(3)}
    msg = failure(
        assert_param_count, 32 + 24, 67, breakdown=param_breakdown(state), name="n_params"
    )
    assert "11 bias parameters are missing" in msg.en
    msg = failure(assert_param_count, 56, 67, n_biases=11, name="n_params")
    assert "without the biases" in msg.en and "\n" not in msg.en


def test_other_wrong_counts_do_not_blame_the_biases():
    msg = failure(assert_param_count, 100_000, 101_770, breakdown=param_breakdown(mlp()), name="n")
    assert "biais" not in msg.fr.split("\n")[0] and "bias" not in msg.en.split("\n")[0]


def test_a_hidden_message_can_leave_the_students_own_count_out():
    """From the student's value on a hidden layer and their formula, the hidden layer (so the
    expected count) can be worked back: show_got=False names neither number, nor the biases'."""
    with expected_values_shown(False):
        kept = failure(assert_param_count, 56, 67, n_biases=11, name="n_params")
        left_out = failure(assert_param_count, 56, 67, n_biases=11, name="n_params", show_got=False)
    assert "obtenu 56" in kept.fr and "got 56" in kept.en
    assert "56" not in left_out.fr + left_out.en and "67" not in left_out.fr + left_out.en
    assert "11" not in left_out.fr + left_out.en
    assert "sans les biais" in left_out.fr and "without the biases" in left_out.en


@pytest.mark.parametrize("value", [101_770.5, True, "101770", np.array([1, 2])])
def test_hostile_counts_are_rejected(value):
    failure(assert_param_count, value, 101_770, name="n")


# ---------------------------------------------------------------- a student's module in the kernel

_SHARED = """
import torch
from torch import nn
class Partage(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(5, 3)
        self.fc2 = nn.Linear(3, 2)
        self.reseau = nn.Sequential(self.fc1, nn.ReLU(), self.fc2)   # the same layers again
        self.alias = self.fc1
    def forward(self, x):
        return self.reseau(x)
class Gele(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        self.fc.bias.requires_grad_(False)
partage, gele = Partage(), Gele()
"""


@pytest.fixture(scope="module")
def kernel_sub(tmp_path_factory):
    from autograder.bridge.proxy import Submission
    from autograder.sandbox.landlock import exchange_root
    from tests.sandbox.test_kernel import start_kernel

    k = start_kernel(tmp_path_factory.mktemp("params"))
    assert k.execute(_SHARED, timeout=60).status == "ok"
    s = Submission.connect(k, exchange_root(k.runtime_dir), call_timeout=20)
    yield s
    s.close()
    k.shutdown()


def test_a_kernel_module_is_counted_as_parameters_counts_it(kernel_sub):
    """A layer reused in an nn.Sequential, or aliased, counts once (its state_dict lists it
    three times); a frozen tensor does not count."""
    from autograder.checks import module_param_breakdown

    model = kernel_sub.get("partage")
    rows = module_param_breakdown(kernel_sub, model, "Partage()")
    assert rows == [("fc1.weight", (3, 5), 15), ("fc1.bias", (3,), 3),
                    ("fc2.weight", (2, 3), 6), ("fc2.bias", (2,), 2)]
    assert sum(c for _, _, c in param_breakdown(model.call("state_dict"))) > sum(c for _, _, c in rows)
    assert module_param_breakdown(kernel_sub, kernel_sub.get("gele"), "Gele()") == [("fc.weight", (2, 4), 8)]
