"""Hidden check, part 3: the student's SGD loop trains the manual MLP on digits.

The grader makes its own split of scikit-learn's bundled `load_digits`, sends only the
training part, and measures test accuracy itself with its own forward pass on the
returned parameters: the test labels never enter the kernel.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import (
    CheckFailed,
    Ref,
    accuracy,
    as_array,
    assert_arguments_untouched,
    check_epoch_batches,
    digits_split,
    kernel_side,
    score_threshold,
    with_references,
)

from ..public.helpers import MLP_REFERENCES

HIDDEN, LR, EPOCHS, BATCH = 48, 0.1, 30, 32
SPLIT_SEED = 2026  # fixed split, different from the notebook's


def _init_params(D: int, H: int, C: int, seed: int) -> dict[str, np.ndarray]:
    """Same as the notebook's given `init_params`: to recognise parameters never updated."""
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.normal(0.0, np.sqrt(2.0 / D), size=(D, H)),
        "b1": np.zeros(H),
        "W2": rng.normal(0.0, np.sqrt(1.0 / H), size=(H, C)),
        "b2": np.zeros(C),
    }


def _logits(params: dict[str, np.ndarray], X: np.ndarray) -> np.ndarray:
    return np.maximum(X @ params["W1"] + params["b1"], 0.0) @ params["W2"] + params["b2"]


def _mean_ce(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray) -> float:
    z = _logits(params, X)
    z = z - z.max(axis=1, keepdims=True)
    log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(y)), y].mean())


_GENERIC_FR = (
    "vérifiez que chaque lot fait un pas θ ← θ − lr · dθ sur les QUATRE paramètres, que "
    "tous les lots de chaque époque sont parcourus et que y_train[lot] correspond à X_train[lot]"
)
_GENERIC_EN = (
    "check that every batch takes a step θ ← θ − lr · dθ on all FOUR parameters, that every "
    "batch of every epoch is visited and that y_train[batch] matches X_train[batch]"
)


@pytest.mark.item("train")
@pytest.mark.points(0.25)
def test_entrainer_uses_its_seed(submission, rng):
    """The same seed gives the same parameters, another seed others (init and shuffling)."""
    X_train, _, y_train, _ = digits_split(SPLIT_SEED)
    idx = rng.choice(len(X_train), size=300, replace=False)
    s = int(rng.integers(0, 2**31 - 1))
    runs = []
    # Runs 0-2: the seed; run 3: another lr, run 4: another number of epochs (same seed): an
    # argument the other checks never vary (a hard-coded lr still reaches the accuracy bar).
    calls = ((s, LR, 2), (s, LR, 2), (s + 1, LR, 2), (s, LR / 2, 2), (s, LR, 1))
    for call_seed, call_lr, call_epochs in calls:
        params = with_references(
            submission, MLP_REFERENCES, "entrainer", X_train[idx], y_train[idx],
            hidden=16, lr=call_lr, epochs=call_epochs, batch_size=BATCH, seed=call_seed, timeout=60,
        )
        if not isinstance(params, dict) or "W1" not in params:
            raise CheckFailed(
                'entrainer doit renvoyer le dictionnaire params {"W1", "b1", "W2", "b2"}',
                'entrainer must return the params dictionary {"W1", "b1", "W2", "b2"}',
            )
        runs.append(as_array(params["W1"], 'params["W1"]', allow_nan=True))
    if not np.array_equal(runs[0], runs[1]):
        raise CheckFailed(
            "deux appels de entrainer avec le même seed donnent des paramètres différents : "
            "mélangez avec rng = np.random.default_rng(seed) (pas np.random.permutation, "
            "qui dépend de l'état global)",
            "two calls of entrainer with the same seed give different parameters: shuffle with "
            "rng = np.random.default_rng(seed) (not np.random.permutation, which depends on "
            "the global state)",
        )
    if np.array_equal(runs[0], runs[2]):
        raise CheckFailed(
            "entrainer donne les mêmes paramètres pour deux seeds différents : passez seed à "
            "init_params et au générateur du mélange",
            "entrainer gives the same parameters for two different seeds: pass seed to "
            "init_params and to the shuffling generator",
        )
    # The statement's rule (arguments not modified): shuffling X_train[:] = X_train[idx] in place
    # trains as well and reorders the caller's data.
    assert_arguments_untouched(
        submission, "entrainer", (X_train[idx], y_train[idx], 16, LR, 1, BATCH, s),
        {0: "X_train", 1: "y_train"}, references=MLP_REFERENCES,
        hint_fr="mélangez des indices (ordre = rng.permutation(N)) et lisez X_train[lot], sans "
        "réordonner X_train ni y_train eux-mêmes",
        hint_en="shuffle indices (ordre = rng.permutation(N)) and read X_train[batch], without "
        "reordering X_train or y_train themselves",
    )
    if np.array_equal(runs[0], _init_params(X_train.shape[1], 16, 10, s)["W1"]):
        return  # parameters never updated: the accuracy check says so, not this one
    varied = ((runs[3], "lr", "deux valeurs de lr", "two values of lr"),
              (runs[4], "epochs", "deux valeurs de epochs", "two values of epochs"))
    for run, arg, values_fr, values_en in varied:
        if np.array_equal(runs[0], run):
            raise CheckFailed(
                f"entrainer donne les mêmes paramètres pour {values_fr} (même seed) : utilisez "
                f"l'argument {arg} reçu, pas une valeur écrite en dur",
                f"entrainer gives the same parameters for {values_en} (same seed): use the {arg} "
                "argument it receives, not a hard-coded value",
            )
    # The seed has two uses, init and shuffling: another seed changes the shuffle alone, so the
    # init is seen apart (blind answer, init_params(D, hidden, 10) with its default seed 0). With
    # lr = 0 no step moves the parameters: they are init_params(D, hidden, 10, seed), exactly.
    still = with_references(
        submission, MLP_REFERENCES, "entrainer", X_train[idx], y_train[idx],
        hidden=16, lr=0.0, epochs=1, batch_size=BATCH, seed=s, timeout=60,
    )
    if not isinstance(still, dict) or "W1" not in still:
        raise CheckFailed(
            'entrainer doit renvoyer le dictionnaire params {"W1", "b1", "W2", "b2"}',
            'entrainer must return the params dictionary {"W1", "b1", "W2", "b2"}',
        )
    w1 = as_array(still["W1"], 'params["W1"]', allow_nan=True)
    init = _init_params(X_train.shape[1], 16, 10, s)["W1"]
    if w1.shape == init.shape and not np.allclose(w1, init, rtol=1e-12, atol=0.0):
        other = np.allclose(w1, _init_params(X_train.shape[1], 16, 10, 0)["W1"], rtol=1e-12, atol=0.0)
        raise CheckFailed(
            "entrainer(…, lr=0, seed=…) : avec lr = 0 les paramètres renvoyés devraient être ceux "
            "de l'initialisation init_params(D, hidden, 10, seed)"
            + (" ; ce sont ceux de seed = 0 : passez seed à init_params" if other else
               " ; initialisez avec init_params(D, hidden, 10, seed), le seed reçu"),
            "entrainer(..., lr=0, seed=...): with lr = 0 the returned parameters should be the "
            "initial ones, init_params(D, hidden, 10, seed)"
            + ("; they are those of seed = 0: pass seed to init_params" if other else
               "; initialise with init_params(D, hidden, 10, seed), the seed received"),
        )


@pytest.mark.item("train")
@pytest.mark.points(1)
def test_entrainer_reaches_test_accuracy(submission, seed):
    X_train, X_test, y_train, y_test = digits_split(SPLIT_SEED)
    train_seed = int(seed % 2**31)
    params = with_references(
        submission,
        MLP_REFERENCES,
        "entrainer",
        X_train,
        y_train,
        hidden=HIDDEN,
        lr=LR,
        epochs=EPOCHS,
        batch_size=BATCH,
        seed=train_seed,
        timeout=90,
    )
    if not isinstance(params, dict) or not {"W1", "b1", "W2", "b2"} <= set(params):
        raise CheckFailed(
            'entrainer doit renvoyer le dictionnaire params {"W1", "b1", "W2", "b2"}',
            'entrainer must return the params dictionary {"W1", "b1", "W2", "b2"}',
        )
    D, C = X_train.shape[1], 10
    shapes = {"W1": (D, HIDDEN), "b1": (HIDDEN,), "W2": (HIDDEN, C), "b2": (C,)}
    got = {
        k: as_array(params[k], f'params["{k}"] (hidden={HIDDEN})', shape=s, allow_nan=True)
        for k, s in shapes.items()
    }
    if not all(np.all(np.isfinite(v)) for v in got.values()):
        raise CheckFailed(
            "les paramètres renvoyés contiennent des nan/inf : l'entraînement a divergé "
            "(signe de la mise à jour θ ← θ − lr · dθ ? gradients divisés par N ?)",
            "the returned parameters hold nan/inf: training diverged "
            "(sign of the update θ ← θ − lr · dθ? gradients divided by N?)",
        )
    acc = accuracy(_logits(got, X_test), y_test)
    what_fr = "précision sur l'ensemble de test du correcteur"
    what_en = "accuracy on the grader's test set"
    init = _init_params(D, HIDDEN, C, train_seed)
    if all(np.allclose(got[k], init[k]) for k in shapes):
        hint_fr = "les paramètres renvoyés sont ceux de l'initialisation : la mise à jour n'est jamais appliquée à params"
        hint_en = (
            "the returned parameters are the initial ones: the update is never applied to params"
        )
    else:
        before, after = _mean_ce(init, X_train, y_train), _mean_ce(got, X_train, y_train)
        if after > before:
            hint_fr = (
                f"la perte d'entraînement a AUGMENTÉ ({before:.3g} → {after:.3g}) : vous montez "
                "le gradient ? le pas est θ ← θ − lr · dθ"
            )
            hint_en = (
                f"the training loss went UP ({before:.3g} → {after:.3g}): are you climbing the "
                "gradient? the step is θ ← θ − lr · dθ"
            )
        else:
            hint_fr, hint_en = _GENERIC_FR, _GENERIC_EN
    score_threshold(
        acc,
        full=0.90,
        partial=[(0.80, 0.5)],
        what_fr=what_fr,
        what_en=what_en,
        hint=(hint_fr, hint_en),
    )


@kernel_side
def record_batches(entrainer, X, y, hidden, lr, epochs, batch_size):
    """Run with the references in place (with_references): wraps the (reference) forward to
    record which training examples each batch holds, read from an index column the grader
    appends to X (index / 1000: an exact round trip). Called without seed: the signature's
    default (seed=0) is what the notebook's own call `entrainer(X_train, y_train)` uses."""
    import numpy as np

    g = entrainer.__globals__  # the notebook's namespace, where entrainer looks forward up
    seen = []
    ref_forward = g["forward"]

    def forward(Xb, params):
        seen.append(np.rint(np.asarray(Xb)[:, -1] * 1000).astype(int).tolist())
        return ref_forward(Xb, params)

    g["forward"] = forward
    try:
        entrainer(X, y, hidden=hidden, lr=lr, epochs=epochs, batch_size=batch_size)
    finally:
        g["forward"] = ref_forward
    return seen


def _epoch_passes(batches: list, n: int) -> list[list[int]]:
    """The batches' examples, a pass over the whole set (evaluation) left out."""
    return [b for b in batches if sorted(b) != list(range(n))] or batches


def _check_one_epoch(batches: object, n: int, what: str, what_en: str) -> None:
    """epochs=1 asked: the examples seen k > 1 times over, each block of n a permutation of the
    set, is the epochs argument ignored (its premise checked before the overlap message)."""
    if not isinstance(batches, list) or not batches:
        return
    seen = [i for b in _epoch_passes(batches, n) for i in b]
    k = len(seen) // n
    if k > 1 and len(seen) == k * n and all(
        sorted(seen[j * n:(j + 1) * n]) == list(range(n)) for j in range(k)
    ):
        raise CheckFailed(
            f"{what} : une seule époque est demandée, mais entrainer parcourt les exemples {k} fois ; "
            "utilisez l'argument epochs reçu (for _ in range(epochs)), pas une valeur écrite en dur",
            f"{what_en}: one epoch is asked for, but entrainer goes over the examples {k} times; "
            "use the epochs argument it receives (for _ in range(epochs)), not a hard-coded value",
        )


def _check_batch_count(batches: object, n: int, bs: int, what: str, what_en: str) -> None:
    """Batches of batch_size examples (np.array_split into ceil(N / batch_size) near-equal parts
    too). A batch_size never used (a hard-coded 32, say) shows as slices of one fixed size other
    than batch_size (its premise: every batch but the last of that size, the last one a
    remainder, not an array_split part), or as more batches than ceil(N / batch_size)."""
    if not isinstance(batches, list) or not batches:
        return
    sizes = [len(b) for b in _epoch_passes(batches, n)]
    count = -(-n // bs)
    b = sizes[0]
    fixed = len(sizes) > 1 and set(sizes[:-1]) == {b} and b != bs and sizes[-1] <= b
    if (fixed and (b > bs or sizes[-1] < b - 1)) or len(sizes) > count:
        raise CheckFailed(
            f"{what} : les lots n'ont pas la taille batch_size demandée ; utilisez l'argument "
            "batch_size reçu (lot = ordre[debut : debut + batch_size]), pas une valeur écrite en dur",
            f"{what_en}: the batches do not have the batch_size asked for; use the batch_size "
            "argument it receives (batch = order[start : start + batch_size]), not a hard-coded value",
        )


# 0.25 + 0.25: the seed and the batches share the half point the seed check had (the TP totals 20).
@pytest.mark.item("train")
@pytest.mark.points(0.25)
def test_entrainer_batches_cover_the_epoch(submission, rng):
    """One epoch: batches of at most batch_size examples, each example exactly once, the
    incomplete last batch included (the statement: every batch of the epoch; n is never a
    multiple of batch_size). Mini-batches that grow (ordre[debut : debut * batch_size]) or overlap still reach the
    accuracy bar; a wrong slice is seen here."""
    X_train, _, y_train, _ = digits_split(SPLIT_SEED)
    n = 300
    idx = rng.choice(len(X_train), size=n, replace=False)
    X = np.hstack([X_train[idx], (np.arange(n) / 1000.0)[:, None]])
    bs = int(rng.integers(20, 40))
    while n % bs == 0 or bs == BATCH:  # an incomplete last batch, always; not the default 32
        bs += 1
    record_batches.install(submission)
    batches = with_references(
        submission, MLP_REFERENCES, "entrainer", Ref("entrainer"), X, y_train[idx], 16, LR, 1, bs,
        via=record_batches.ref_name, timeout=60,
    )
    what = "entrainer(X_train, y_train, epochs=1, batch_size=…) sur des exemples du correcteur"
    what_en = "entrainer(X_train, y_train, epochs=1, batch_size=...) on grader examples"
    _check_one_epoch(batches, n, what, what_en)
    _check_batch_count(batches, n, bs, what, what_en)
    check_epoch_batches(batches, n, bs, what, what_en, ("forward", "forward"), every_example=True)
    # Two epochs: the examples are shuffled, and shuffled again at each epoch (a loop without
    # shuffling, or one permutation drawn before the loop, still reaches the accuracy bar).
    batches = with_references(
        submission, MLP_REFERENCES, "entrainer", Ref("entrainer"), X, y_train[idx], 16, LR, 2, bs,
        via=record_batches.ref_name, timeout=60,
    )
    half = len(batches) // 2
    first = [i for b in batches[:half] for i in b]
    second = [i for b in batches[half:] for i in b]
    if first == sorted(first):
        raise CheckFailed(
            f"{what} : les lots suivent l'ordre des exemples, sans mélange ; mélangez à chaque "
            "époque : ordre = rng.permutation(N) avec rng = np.random.default_rng(seed)",
            f"{what_en}: the batches follow the order of the examples, unshuffled; shuffle at "
            "every epoch: ordre = rng.permutation(N) with rng = np.random.default_rng(seed)",
        )
    if first == second:
        raise CheckFailed(
            "entrainer(X_train, y_train, epochs=2, batch_size=…) : les deux époques voient les "
            "exemples dans le même ordre ; tirez une nouvelle permutation à CHAQUE époque "
            "(rng.permutation(N) dans la boucle des époques)",
            "entrainer(X_train, y_train, epochs=2, batch_size=...): both epochs see the examples "
            "in the same order; draw a new permutation at EVERY epoch (rng.permutation(N) inside "
            "the epoch loop)",
        )
