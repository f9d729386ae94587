"""checks.answers: the kinds of answer a check accepts, and the messages for the others.

`as_module` runs its kernel-side test in a plain namespace standing for the notebook's
globals (a stand-in submission that defines, calls and hands back objects as the agent
does), with real torch modules.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import CheckFailed, Handle, allclose, as_bool, as_module, as_pair, shape_text
from autograder.checks.answers import IS_MODULE


class InProcess:
    """What `submission` does with a kernel, in this process: define, call, keep objects."""

    def __init__(self) -> None:
        self.ns: dict = {}
        self.objects: dict[int, object] = {}

    def handle(self, obj: object) -> Handle:
        self.objects[id(obj)] = obj
        return Handle(self, id(obj), type(obj).__name__)  # type: ignore[arg-type]

    def define(self, name: str, source: str) -> None:
        exec(source, self.ns)

    def call(self, name: str, *args, timeout=None, **kwargs):
        args = tuple(self.objects[a.id] if isinstance(a, Handle) else a for a in args)
        return self.ns[name](*args, **kwargs)


def test_as_bool_takes_true_and_false_only():
    assert as_bool(True, "est_pair") is True
    assert as_bool(False, "est_pair") is False
    for value, kind in ((1, "int"), ("True", "str"), (None, "NoneType"), (1.0, "float")):
        with pytest.raises(CheckFailed) as info:
            as_bool(value, "est_pair")
        assert info.value.message.fr == (
            f"est_pair doit renvoyer True ou False, obtenu une valeur de type {kind}"
        )
        assert info.value.message.en == f"est_pair must return True or False, got a value of type {kind}"


def test_as_pair_takes_two_values_as_a_tuple():
    assert as_pair([1, 2], "f") == (1, 2)
    assert as_pair((np.zeros(2), 3.0), "f")[1] == 3.0
    for value, kind in (((1, 2, 3), "tuple"), (np.zeros(2), "ndarray"), (5, "int")):
        with pytest.raises(CheckFailed) as info:
            as_pair(value, "f")
        assert info.value.message.fr == f"f doit renvoyer un couple (2 valeurs), obtenu {kind}"
        assert info.value.message.en == f"f must return a pair (2 values), got {kind}"


def test_as_module_accepts_a_kernel_side_module_and_names_the_type_of_anything_else():
    torch = pytest.importorskip("torch")
    sub = InProcess()
    model = sub.handle(torch.nn.Linear(2, 3))
    assert as_module(sub, model, "creer()") is model
    assert IS_MODULE in sub.ns, "the library's test is defined under the library's name"

    tensor = sub.handle(torch.zeros(2))
    with pytest.raises(CheckFailed) as info:
        as_module(sub, tensor, "creer()")
    assert info.value.message.fr == "creer() doit être un nn.Module, obtenu une valeur de type Tensor"
    assert info.value.message.en == "creer() must be an nn.Module, got a value of type Tensor"

    with pytest.raises(CheckFailed) as info:
        as_module(
            sub,
            None,
            "entrainer",
            expected=("doit renvoyer le modèle entraîné (un nn.Module)", "must return the trained model (an nn.Module)"),
        )
    assert info.value.message.fr == (
        "entrainer doit renvoyer le modèle entraîné (un nn.Module), obtenu une valeur de type NoneType"
    )


def test_as_module_does_not_trust_a_student_rebinding_of_its_test():
    torch = pytest.importorskip("torch")
    sub = InProcess()
    sub.ns[IS_MODULE] = lambda obj: True  # the student's cell took the name
    with pytest.raises(CheckFailed, match="Tensor"):
        as_module(sub, sub.handle(torch.zeros(2)), "creer()")


def test_shape_text_is_the_shape_as_the_student_writes_it():
    assert shape_text((3, 4)) == "(3, 4)"
    assert shape_text(np.zeros((2, 1, 8, 8)).shape) == "(2, 1, 8, 8)"
    assert shape_text([np.int64(5)]) == "(5)"
    assert shape_text(()) == "()"


def test_allclose_needs_the_same_shape_and_no_nan():
    a = np.array([1.0, 2.0])
    assert allclose(a, a + 1e-9)
    assert not allclose(a, a + 1e-3, rtol=1e-6, atol=1e-9)
    assert not allclose(a, a[None], rtol=1e-6, atol=1e-9), "a broadcastable shape is not the same"
    assert not allclose(np.array([np.nan]), np.array([np.nan]), rtol=1, atol=1)
