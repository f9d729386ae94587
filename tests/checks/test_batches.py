"""check_epoch_batches: one epoch of mini-batches, judged from the example ids each call got."""

from __future__ import annotations

import pytest

from autograder.checks import CheckFailed, check_epoch_batches

CALLEE = ("le modèle", "the model")


def judge(batches, n=10, bs=4):
    check_epoch_batches(batches, n, bs, "entrainer", "train", CALLEE)


def test_a_shuffled_epoch_with_an_evaluation_pass_is_accepted():
    judge([[3, 1, 0, 9], [2, 8, 5, 4], [7, 6], list(range(10))])  # the last: an evaluation
    judge([[3, 1, 0, 9], [2, 8, 5, 4]])  # an incomplete last batch dropped


@pytest.mark.parametrize(
    ("batches", "fragment"),
    [
        ([], "le modèle n'est jamais appelé"),
        ([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]], "le modèle reçoit un lot de 5 exemples"),
        ([[0, 1, 2, 3], [3, 4, 5, 6], [7, 8, 9]], "plusieurs lots de la même époque"),
        ([[0, 1, 2, 3]], "6 exemples ne sont vus dans aucun lot"),
    ],
)
def test_each_fault_is_named(batches, fragment):
    with pytest.raises(CheckFailed) as exc:
        judge(batches)
    assert fragment in exc.value.message.fr


def test_every_example_refuses_a_dropped_incomplete_last_batch():
    strict = dict(every_example=True)
    check_epoch_batches([[3, 1, 0, 9], [2, 8, 5, 4], [7, 6], list(range(10))], 10, 4, "e", "t", CALLEE, **strict)
    with pytest.raises(CheckFailed) as info:
        check_epoch_batches([[3, 1, 0, 9], [2, 8, 5, 4]], 10, 4, "entrainer", "train", CALLEE, **strict)
    assert "le dernier lot, incomplet, est sauté" in info.value.message.fr
    assert "incomplete last batch is skipped" in info.value.message.en
    with pytest.raises(CheckFailed) as info:  # one example missing, not the last batch: no claim about it
        check_epoch_batches([[3, 1, 0, 9], [2, 8, 5, 4], [7]], 10, 4, "entrainer", "train", CALLEE, **strict)
    assert "aucun lot" in info.value.message.fr and "sauté" not in info.value.message.fr


def test_two_epochs_must_be_shuffled_and_reshuffled():
    from autograder.checks import check_reshuffled_epochs

    call = "entrainer(X, y, epochs=2, batch_size=2)"
    check_reshuffled_epochs([[3, 0], [1, 2], [2, 1], [0, 3]], "entrainer", "train", call)
    with pytest.raises(CheckFailed) as info:
        check_reshuffled_epochs([[0, 1], [2, 3], [0, 1], [2, 3]], "entrainer", "train", call)
    assert "sans mélange" in info.value.message.fr and "unshuffled" in info.value.message.en
    with pytest.raises(CheckFailed) as info:
        check_reshuffled_epochs([[3, 0], [1, 2], [3, 0], [1, 2]], "entrainer", "train", call)
    assert info.value.message.fr.startswith(f"{call} : les deux époques voient les exemples dans le même ordre")
    assert info.value.message.en.startswith(f"{call}: both epochs see the examples in the same order")
