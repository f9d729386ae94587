"""check_fresh_gradients, assert_one_optimiser and check_seeded_order: a training loop judged
from what a recording stand-in model saw (note_fresh_gradients, watch_optimisers,
watch_draws)."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import (
    CheckFailed,
    KernelSide,
    OptimiserWords,
    assert_one_optimiser,
    assert_seed_used,
    check_fresh_gradients,
    check_seeded_order,
    note_fresh_gradients,
    watch_draws,
    watch_optimisers,
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
    # Another seed drew the same order: the seed is not used.
    with pytest.raises(CheckFailed) as exc:
        check_seeded_order(a, a.copy(), a.copy(), "f(...)", what=("images", "images"), n="len(X)")
    assert exc.value.message.fr.startswith("f(...) ne tire pas l'ordre des images avec son argument seed")
    assert exc.value.message.fr.endswith("torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))")
    assert "does not draw the order of the images from its seed argument" in exc.value.message.en
    # The same seed drew another order: state kept from one call to the next.
    for other in (b, a):
        with pytest.raises(CheckFailed) as exc:
            check_seeded_order(a, b, other, "f(...)", what=("images", "images"), n="len(X)")
        fr = exc.value.message.fr
        assert fr.startswith("f(...) : deux appels avec la même graine ne voient pas les images")
        assert "état conservé d'un appel à l'autre" in fr
        assert fr.endswith("torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))")
        assert "state kept from one call to the next" in exc.value.message.en


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


@pytest.mark.parametrize("recorder", [note_fresh_gradients, watch_optimisers, watch_draws])
def test_recorders_are_kernel_side_and_self_contained(recorder):
    """Recorders use them through `uses=`: their source travels to the kernel alone."""
    assert isinstance(recorder, KernelSide)
    ns: dict = {}
    exec(compile(recorder.install_source(), "<test>", "exec"), {"__builtins__": __builtins__}, ns)
    assert callable(ns[recorder.ref_name])


def _train(module, epochs: int, *, new_each_epoch: bool = False, clear_state: bool = False) -> None:
    """Two batches per epoch with Adam: one optimiser, one per epoch, or one whose state is
    cleared at every epoch."""
    import torch

    opt = torch.optim.Adam(module.parameters(), lr=0.01)
    for _ in range(epochs):
        if new_each_epoch:
            opt = torch.optim.Adam(module.parameters(), lr=0.01)
        if clear_state:
            opt.state.clear()
        for k in range(2):
            opt.zero_grad()
            module(torch.full((4, 2), float(k + 1))).pow(2).sum().backward()
            opt.step()


def _watched(**loop) -> dict:
    torch = pytest.importorskip("torch")
    module = torch.nn.Linear(2, 3)
    stop = watch_optimisers()
    try:
        _train(module, 3, **loop)
    finally:
        note = stop()
    return note


CALL = ("entrainer(…, epochs=3) sur 8 exemples", "entrainer(..., epochs=3) on 8 examples")


def test_one_optimiser_for_the_whole_training_passes():
    note = _watched()
    assert note == {"steps": 6, "behind": 0, "optimisers": 1}
    assert_one_optimiser(note, *CALL)
    assert_one_optimiser({"steps": 0, "behind": 0, "optimisers": 0}, *CALL)  # no step: not judged
    assert_one_optimiser(None, *CALL)  # not a note: the other checks judge the loop


def test_an_optimiser_per_epoch_is_counted_and_named():
    """TP04's wording, byte for byte (its scenarios' messages moved with the helper)."""
    note = _watched(new_each_epoch=True)
    assert note["optimisers"] == 3 and note["steps"] == 6
    with pytest.raises(CheckFailed) as exc:
        assert_one_optimiser(note, *CALL)
    assert exc.value.message.fr == (
        "entrainer(…, epochs=3) sur 8 exemples : les paramètres du modèle ont été mis à jour par 3 "
        "optimiseurs successifs au lieu d'un seul (l'optimiseur est créé dans la boucle des époques "
        "ou des lots) : à chaque nouvel optimiseur, les moyennes mobiles m et v d'Adam et sa "
        "correction de biais repartent de zéro ; créez l'optimiseur UNE fois, avant la boucle des "
        "époques (optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)), et réutilisez-le à "
        "chaque lot (zero_grad, perte, backward, step)"
    )
    assert exc.value.message.en == (
        "entrainer(..., epochs=3) on 8 examples: the model's parameters were updated by 3 "
        "successive optimisers instead of one (the optimiser is created inside the epoch or batch "
        "loop): with every new optimiser, Adam's moving averages m and v and its bias correction "
        "start from zero again; create the optimiser ONCE, before the epoch loop (optimiseur = "
        "torch.optim.Adam(modele.parameters(), lr=lr)), and reuse it at every batch (zero_grad, "
        "loss, backward, step)"
    )


def test_a_cleared_state_is_a_step_count_behind():
    note = _watched(clear_state=True)
    assert note["optimisers"] == 1 and note["behind"] > 0
    with pytest.raises(CheckFailed) as exc:
        assert_one_optimiser(note, *CALL)
    assert exc.value.message.fr == (
        "entrainer(…, epochs=3) sur 8 exemples : l'état de l'optimiseur Adam (son compteur de pas, "
        "ses moyennes mobiles m et v) est remis à zéro en cours d'entraînement : sa correction de "
        "biais repart de zéro ; créez l'optimiseur UNE fois, avant la boucle des époques "
        "(optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)), et réutilisez-le à chaque "
        "lot (zero_grad, perte, backward, step), sans toucher à son état"
    )
    assert exc.value.message.en.endswith("every batch (zero_grad, loss, backward, step), without touching its state")


def test_another_optimiser_is_named_by_its_words():
    sgd = OptimiserWords(
        build="torch.optim.SGD(modele.parameters(), lr=lr, momentum=0.9)",
        restarts=("la vitesse du momentum repart de zéro", "the momentum buffer starts from zero again"),
        reset=("l'état de SGD est remis à zéro", "SGD's state is reset"),
    )
    with pytest.raises(CheckFailed) as exc:
        assert_one_optimiser({"steps": 4, "behind": 0, "optimisers": 2}, *CALL, optimiser=sgd)
    assert "à chaque nouvel optimiseur, la vitesse du momentum repart de zéro ; " in exc.value.message.fr
    assert "(optimiseur = torch.optim.SGD(modele.parameters(), lr=lr, momentum=0.9))" in exc.value.message.en
    assert "Adam" not in exc.value.message.fr + exc.value.message.en


def test_the_hook_is_gone_after_stop():
    torch = pytest.importorskip("torch")
    module = torch.nn.Linear(2, 3)
    stop = watch_optimisers()
    stop()
    _train(module, 1)
    assert stop()["steps"] == 0


def test_watch_draws_records_each_permutation_and_each_generator():
    """The same seed drawn again gives the same digest (a generator made again at every epoch);
    a DataLoader's shuffling draws with torch.randperm."""
    torch = pytest.importorskip("torch")
    stop = watch_draws()
    try:
        for _ in range(2):
            torch.randperm(10, generator=torch.Generator().manual_seed(3))
        np.random.default_rng(5).permutation(10)  # a Generator's method: not watched
        np.random.permutation(np.arange(4))
        loader = torch.utils.data.DataLoader(torch.arange(6), batch_size=3, shuffle=True)
        assert sorted(int(v) for b in loader for v in b) == list(range(6))
    finally:
        note = stop()
    assert note["generators"] == 1
    draws = note["draws"]
    assert len(draws) >= 4 and draws[0] == draws[1] and draws[2] != draws[0]
    assert all(isinstance(d, str) and len(d) == 16 for d in draws)
    assert note["lengths"][:3] == [10, 10, 4] and 6 in note["lengths"][3:]


def test_watch_draws_puts_the_originals_back_even_when_the_call_raised():
    torch = pytest.importorskip("torch")
    originals = (torch.randperm, np.random.permutation, np.random.default_rng)
    stop = watch_draws()
    assert torch.randperm is not originals[0]
    with pytest.raises(ValueError):
        try:
            torch.randperm(3)
            raise ValueError("the student's loop")
        finally:
            note = stop()
    assert (torch.randperm, np.random.permutation, np.random.default_rng) == originals
    assert len(note["draws"]) == 1 and note["generators"] == 0


def test_watch_draws_also_records_the_torch_draws_it_is_asked_for():
    """A loop that draws its batches with torch.randint (TP07's windows): a batch drawn once
    before the loop is one draw, a batch drawn at every step one per step; torch.rand is not
    watched unless asked, and every function is put back."""
    torch = pytest.importorskip("torch")
    originals = (torch.randint, torch.rand, torch.multinomial)
    stop = watch_draws(also=("randint", "multinomial"))
    try:
        g = torch.Generator().manual_seed(0)
        for _ in range(3):
            torch.randint(0, 50, (4,), generator=g)
        torch.rand(3)
        torch.multinomial(torch.ones(5), 2, generator=g)
    finally:
        note = stop()
    assert (torch.randint, torch.rand, torch.multinomial) == originals
    assert len(note["draws"]) == 4 and len(set(note["draws"][:3])) == 3
    assert note["lengths"] == [4, 4, 4, 2]


SEED_WORDS = {"same": ("même graine, autre résultat", "same seed, another result"),
              "ignored": ("graine ignorée", "seed ignored")}


def test_assert_seed_used_wants_the_same_bits_for_the_same_seed_and_others_for_another():
    a = np.arange(4.0)
    assert_seed_used(a, a.copy(), a + 1, **SEED_WORDS)
    assert_seed_used(a, a.copy(), a[:2], **SEED_WORDS)  # another shape is another result
    with pytest.raises(CheckFailed, match="même graine, autre résultat"):
        assert_seed_used(a, a + 1e-12, a + 1, **SEED_WORDS)  # close is not reproducible
    with pytest.raises(CheckFailed, match="même graine, autre résultat"):
        assert_seed_used(a, a[:3], a + 1, **SEED_WORDS)
    with pytest.raises(CheckFailed, match="graine ignorée") as info:
        assert_seed_used(a, a.copy(), a.copy(), **SEED_WORDS)
    assert info.value.message.en == "seed ignored"
