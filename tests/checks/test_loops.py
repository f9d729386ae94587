"""check_fresh_gradients and check_seeded_order: a training loop judged from what a
recording stand-in model saw."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import (
    CheckFailed,
    KernelSide,
    check_fresh_gradients,
    check_seeded_order,
    note_fresh_gradients,
)


def test_fresh_gradients_pass_and_an_accumulation_names_zero_grad():
    check_fresh_gradients([True, True, True], "entrainer(...)")
    check_fresh_gradients([], "entrainer(...)")  # no step: another check says so
    with pytest.raises(CheckFailed) as exc:
        check_fresh_gradients([True, False], "entrainer(...)", unit="lot")
    assert exc.value.message.fr == (
        "entrainer(...) : les gradients d'un lot s'ajoutent à ceux du lot précédent : appelez "
        "optimiseur.zero_grad() à chaque étape, avant perte.backward()"
    )
    assert "the gradients of a batch are added to those of the previous batch" in exc.value.message.en


def test_fresh_gradients_per_step_wording():
    with pytest.raises(CheckFailed) as exc:
        check_fresh_gradients([False], "f")
    assert "les gradients d'une étape s'ajoutent à ceux de l'étape précédente" in exc.value.message.fr
    assert "the gradients of a step are added to those of the previous step" in exc.value.message.en


def test_an_unknown_unit_is_the_authors_error():
    with pytest.raises(KeyError):
        check_fresh_gradients([True], "f", unit="époque")


def test_seeded_order_same_seed_same_order_other_seed_other_order():
    a, b = np.array([2, 0, 1]), np.array([1, 2, 0])
    check_seeded_order(a, a.copy(), b, "f(...)")
    for again, other in ((b, b), (a, a)):  # the same seed drew another order; another seed the same
        with pytest.raises(CheckFailed) as exc:
            check_seeded_order(a, again, other, "f(...)", what=("images", "images"), n="len(X)")
        assert exc.value.message.fr.startswith("f(...) ne tire pas l'ordre des images avec son argument seed")
        assert exc.value.message.fr.endswith("torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))")
        assert "does not draw the order of the images from its seed argument" in exc.value.message.en


def _steps(module, zero_grad: bool, n: int = 3) -> None:
    import torch

    opt = torch.optim.SGD(module.parameters(), lr=0.1)
    for k in range(n):
        if zero_grad:
            opt.zero_grad()
        module(torch.full((4, 2), float(k + 1))).pow(2).sum().backward()
        opt.step()


def test_note_fresh_gradients_sees_a_loop_without_zero_grad():
    """The hooks say True at every step of a loop that zeroes, False once a loop accumulates;
    judged by check_fresh_gradients, the accumulation names zero_grad."""
    torch = pytest.importorskip("torch")
    for zero_grad in (True, False):
        module, cumuls = torch.nn.Linear(2, 3), []
        fresh = note_fresh_gradients(module, cumuls)
        _steps(module, zero_grad)
        assert len(cumuls) == 3 * 2 and sorted(fresh) == [0, 1]
        if zero_grad:
            check_fresh_gradients(cumuls, "entrainer")
        else:
            assert cumuls[:2] == [True, True] and not all(cumuls)
            with pytest.raises(CheckFailed, match="zero_grad"):
                check_fresh_gradients(cumuls, "entrainer")


def test_note_fresh_gradients_is_kernel_side_and_self_contained():
    """Recorders use it through `uses=`: its source travels to the kernel alone."""
    assert isinstance(note_fresh_gradients, KernelSide)
    ns: dict = {}
    exec(compile(note_fresh_gradients.install_source(), "<test>", "exec"), {"__builtins__": __builtins__}, ns)
    assert callable(ns[note_fresh_gradients.ref_name])
