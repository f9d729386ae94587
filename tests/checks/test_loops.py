"""check_fresh_gradients and check_seeded_order: a training loop judged from what a
recording stand-in model saw."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import CheckFailed, check_fresh_gradients, check_seeded_order


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
