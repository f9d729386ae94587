"""Vérifications publiques du TP08 : formes, comportement de base, petits exemples fixés.

These checks are shipped to students: every expected value here comes from a small fixed
example they can redo by hand. The hidden checks test the same items on grader-chosen
random inputs.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import (
    CheckFailed,
    Handle,
    Tensor,
    as_array,
    as_float,
    assert_close,
    eval_outputs,
    fmt_pair,
    kernel_side,
    reliability_bins,
    returned_model,
)

from .helpers import inspect_model, student_call


def _bins(submission, conf, ok, n_bins):
    got = submission.call("fiabilite", conf, ok, n_bins=n_bins)
    if not isinstance(got, dict) or set(got) != {"compte", "confiance", "precision"}:
        raise CheckFailed(
            'fiabilite doit renvoyer un dict de clés "compte", "confiance" et "precision"',
            'fiabilite must return a dict with keys "compte", "confiance" and "precision"',
        )
    return {k: as_array(got[k], f'fiabilite(...)["{k}"]', shape=(n_bins,)) for k in got}


# ---------------------------------------------------------------- 1. calibration


@pytest.mark.item("ece", points=1)
def test_ece_public_example(submission):
    conf = np.array([0.12, 0.12, 0.55, 0.55, 0.55, 0.55, 0.92, 0.92, 1.0, 1.0])
    ok = np.array([0, 1, 1, 0, 1, 0, 1, 1, 1, 1])
    what = "(10 prédictions, n_bins=10, dont deux de confiance 1.0)"
    got = _bins(submission, conf, ok, 10)
    ref = reliability_bins(conf, ok, 10)
    assert_close(
        got["compte"],
        np.array([b.count for b in ref], dtype=float),
        name=f"fiabilite {what} : compte",
        hint_fr="chaque prédiction va dans le bin de sa confiance, la confiance 1.0 dans le "
        "dernier bin : les comptes somment à N",
        hint_en="each prediction goes to the bin of its confidence, confidence 1.0 to the "
        "last bin: the counts sum to N",
    )
    for key, attr in (("confiance", "mean_confidence"), ("precision", "accuracy")):
        assert_close(
            got[key],
            np.array([getattr(b, attr) for b in ref]),
            name=f'fiabilite {what} : "{key}"',
            atol=1e-9,
            hint_fr="moyenne par bin (0 pour un bin vide)",
            hint_en="per-bin mean (0 for an empty bin)",
        )
    value = as_float(submission.call("ece", conf, ok, n_bins=10), f"ece {what}")
    # bins 1, 5 and 9: 2/10·|0.5 − 0.12| + 4/10·|0.5 − 0.55| + 4/10·|1 − 0.96| = 0.112
    # 1e-6: float32 code gives 0.11199999 (error ~1e-8); the mistakes are off by ≥ 0.028
    # (confidence 1.0 dropped: 0.14; unweighted bins: 0.157; bins on the accuracy: 0.316).
    if abs(value - 0.112) > 1e-6:
        shown, _ = fmt_pair(value, 0.112)
        raise CheckFailed(
            f"ece {what} = {shown}, attendu 0.112 = 2/10·|0.5 − 0.12| + 4/10·|0.5 − 0.55| "
            "+ 4/10·|1 − 0.96| : chaque bin pèse |B_m|/N",
            f"ece {what} = {shown}, expected 0.112 = 2/10·|0.5 − 0.12| + 4/10·|0.5 − 0.55| "
            "+ 4/10·|1 − 0.96|: each bin weighs |B_m|/N",
        )


# ---------------------------------------------------------------- 2. temperature


@pytest.mark.item("temperature", points=1)
def test_appliquer_temperature_example(submission):
    z = np.array([[2.0, 0.0, -1.0, 0.5], [0.0, 0.0, 0.0, 0.0], [10.0, -3.0, 4.0, 1.0]])
    for T in (1.0, 2.0, 0.5):
        got = as_array(
            submission.call("appliquer_temperature", z, T),
            f"appliquer_temperature(z, T={T})",
            shape=z.shape,
        )
        e = np.exp(z / T - (z / T).max(axis=1, keepdims=True))
        hint_fr, hint_en = "softmax(z / T) ligne par ligne", "softmax(z / T) row by row"
        e_mul = np.exp(z * T - (z * T).max(axis=1, keepdims=True))
        if T != 1.0 and np.allclose(got, e_mul / e_mul.sum(axis=1, keepdims=True)):
            hint_fr = "vous multipliez les logits par T : il faut les diviser, softmax(z / T)"
            hint_en = "you multiply the logits by T: divide them, softmax(z / T)"
        assert_close(
            got,
            e / e.sum(axis=1, keepdims=True),
            name=f"appliquer_temperature(z, T={T})",
            atol=1e-9,
            hint_fr=hint_fr,
            hint_en=hint_en,
        )


# ---------------------------------------------------------------- 3. splits


@pytest.mark.item("validation", points=0.5)
def test_plis_kfold_small(submission):
    got = submission.call("plis_kfold", 10, 3)
    if not isinstance(got, (list, tuple)) or len(got) != 3:
        raise CheckFailed(
            "plis_kfold(10, 3) doit renvoyer une liste de 3 tableaux d'indices",
            "plis_kfold(10, 3) must return a list of 3 index arrays",
        )
    plis = [
        as_array(p, f"plis_kfold(10, 3)[{i}]", shape=(None,), dtype=None) for i, p in enumerate(got)
    ]
    vus = np.concatenate(plis)
    if len(vus) != len(np.unique(vus)):
        raise CheckFailed(
            "plis_kfold(10, 3) : les plis se recouvrent (un indice apparaît dans deux plis) ; "
            "les plis doivent être disjoints",
            "plis_kfold(10, 3): the folds overlap (an index appears in two folds); the folds "
            "must be disjoint",
        )
    expected = [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    if [p.tolist() for p in plis] != expected:
        raise CheckFailed(
            f"plis_kfold(10, 3) = {[p.tolist() for p in plis]}, attendu {expected} : des plis "
            "consécutifs, les n % k premiers avec un élément de plus",
            f"plis_kfold(10, 3) = {[p.tolist() for p in plis]}, expected {expected}: consecutive "
            "folds, the first n % k with one more element",
        )


# ---------------------------------------------------------------- 4. OOD


@pytest.mark.item("ood", points=0.5)
def test_ood_basic(submission):
    z = np.array([[3.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    got = as_array(submission.call("score_msp", z), "score_msp(z)", shape=(2,))
    e = np.exp(z - z.max(axis=1, keepdims=True))
    assert_close(
        got,
        (e / e.sum(axis=1, keepdims=True)).max(axis=1),
        name="score_msp([[3, 0, 0], [1, 1, 1]])",
        atol=1e-9,
        hint_fr="la plus grande probabilité softmax de chaque ligne",
        hint_en="the largest softmax probability of each row",
    )
    # The last case is a detector worse than chance: its AUROC (0.25) stays below 0.5.
    for y, s, want in (
        ([1, 1, 0, 0], [0.9, 0.8, 0.3, 0.1], 1.0),
        ([1, 0, 1, 0], [0.5, 0.5, 0.7, 0.2], 0.875),
        ([1, 1, 0, 0], [0.1, 0.6, 0.5, 0.9], 0.25),
    ):
        value = as_float(submission.call("auroc", np.array(y), np.array(s)), f"auroc({y}, {s})")
        if abs(value - want) > 1e-9:
            if want < 0.5 and abs(value - (1 - want)) < 1e-9:
                # The cases above (AUROC >= 0.5) passed: not an inversion, a fold at 0.5.
                hint = (
                    "une AUROC sous 0,5 (pire que le hasard) doit être renvoyée telle quelle, "
                    "pas remplacée par max(AUROC, 1 − AUROC)",
                    "an AUROC below 0.5 (worse than chance) must be returned as it is, not "
                    "replaced with max(AUROC, 1 − AUROC)",
                )
            elif abs(value - (1 - want)) < 1e-9:
                hint = (
                    "vous calculez 1 − AUROC : un score élevé doit désigner la classe 1",
                    "you compute 1 − AUROC: a high score must point to class 1",
                )
            else:
                hint = (
                    "fraction des paires (positif, négatif) bien ordonnées, ex æquo = 1/2",
                    "fraction of well-ordered (positive, negative) pairs, ties = 1/2",
                )
            raise CheckFailed(
                f"auroc({y}, {s}) = {value:.6g}, attendu {want} ; {hint[0]}",
                f"auroc({y}, {s}) = {value:.6g}, expected {want}; {hint[1]}",
            )


# ---------------------------------------------------------------- 5. bias-variance


@pytest.mark.item("biais_variance", points=0.5)
def test_biais_variance_format(submission):
    got = submission.call("biais_variance", 3, 0, n_essais=5)
    if not isinstance(got, dict) or set(got) != {"biais2", "variance"}:
        raise CheckFailed(
            'biais_variance doit renvoyer un dict de clés "biais2" et "variance"',
            'biais_variance must return a dict with keys "biais2" and "variance"',
        )
    for key in ("biais2", "variance"):
        if as_float(got[key], f'biais_variance(3, 0)["{key}"]') < 0:
            raise CheckFailed(
                f'biais_variance(3, 0)["{key}"] est négatif : c\'est une moyenne de carrés',
                f'biais_variance(3, 0)["{key}"] is negative: it is a mean of squares',
            )


# ---------------------------------------------------------------- 6. covariate shift

@kernel_side
def row_sum_model():
    """A linear model whose logit k is the sum of the pixels of row k (rows 0 to 7)."""
    import torch
    from torch import nn

    modele = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    with torch.no_grad():
        modele[1].weight.zero_()
        modele[1].bias.zero_()
        for k in range(8):
            modele[1].weight[k, 8 * k : 8 * k + 8] = 1.0
    return modele


@pytest.mark.item("rotation", points=0.5)
def test_tourner_small_examples(submission, rng):
    images = rng.uniform(size=(3, 1, 8, 8))
    same = as_array(
        submission.call("tourner", images, 0.0), "tourner(images, 0)", shape=(3, 1, 8, 8)
    )
    if not np.allclose(same, images, atol=1e-5):
        raise CheckFailed(
            "tourner(images, 0) doit rendre les images inchangées",
            "tourner(images, 0) must return the images unchanged",
        )
    quarter = as_array(
        submission.call("tourner", images, 90.0), "tourner(images, 90)", shape=(3, 1, 8, 8)
    )
    if not np.allclose(quarter, np.rot90(images, 1, axes=(2, 3)), atol=1e-5):
        raise CheckFailed(
            "tourner(images, 90) doit donner np.rot90(images, 1, axes=(2, 3)) : un quart de tour "
            "dans le sens trigonométrique, image par image, dans le plan des deux derniers axes",
            "tourner(images, 90) must give np.rot90(images, 1, axes=(2, 3)): a quarter turn "
            "counter-clockwise, image by image, in the plane of the last two axes",
        )
    # A model whose logit k is the sum of row k: upright, the brightest row wins.
    rows = row_sum_model.call(submission)
    X = np.zeros((4, 1, 8, 8))
    for i, row in enumerate((1, 3, 5, 6)):
        X[i, 0, row, :] = 1.0
    y = np.array([1, 3, 5, 6])
    got = as_array(
        student_call(submission, "precision_par_angle", rows, X, y, [0, 90]),
        "precision_par_angle(modèle des lignes, 4 images à une ligne allumée, [0, 90])",
        shape=(2,),
    )
    if not np.allclose(got, [1.0, 0.0], atol=1e-9):
        raise CheckFailed(
            f"precision_par_angle(..., [0, 90]) = {got.tolist()}, attendu [1.0, 0.0] : droites, "
            "les images sont bien classées ; tournées d'un quart de tour, leur ligne allumée "
            "devient une colonne",
            f"precision_par_angle(..., [0, 90]) = {got.tolist()}, expected [1.0, 0.0]: upright, "
            "the images are well classified; after a quarter turn their lit row becomes a column",
        )


@pytest.mark.item("modeles_rotation", points=0.5)
def test_models_shapes_and_sizes(submission, rng):
    X = rng.uniform(size=(5, 1, 8, 8)).astype(np.float32)
    counts = {}
    for name in ("creer_mlp", "creer_cnn"):
        model = submission.call(name)
        info = (
            inspect_model.call(submission, model) if isinstance(model, Handle) else None
        )
        if not isinstance(info, dict) or info.get("module") is not True:
            raise CheckFailed(
                f"{name}() doit renvoyer un nn.Module", f"{name}() must return an nn.Module"
            )
        as_array(
            eval_outputs.call(submission, model, Tensor(X)),
            f"logits de {name}() pour un lot (5, 1, 8, 8)",
            shape=(5, 10),
        )
        counts[name] = int(info["n_params"])
        convs = int(info["n_conv"])
        if (name == "creer_cnn") != (convs > 0):
            raise CheckFailed(
                f"{name}() a {convs} couche(s) nn.Conv2d : le CNN en a, le MLP n'en a aucune",
                f"{name}() has {convs} nn.Conv2d layer(s): the CNN has some, the MLP none",
            )
    mlp, cnn = counts["creer_mlp"], counts["creer_cnn"]
    if max(mlp, cnn) > 1.5 * min(mlp, cnn):
        raise CheckFailed(
            f"MLP : {mlp} paramètres, CNN : {cnn} paramètres ; le plus grand dépasse 1,5 fois le "
            "plus petit : la comparaison doit se faire à tailles comparables (voir la question 6b)",
            f"MLP: {mlp} parameters, CNN: {cnn} parameters; the bigger one exceeds 1.5 times the "
            "smaller one: the comparison must be at comparable sizes (see question 6b)",
        )


@pytest.mark.item("entrainer_rotation", points=0.5)
def test_entrainer_moves_the_weights(submission, rng):
    X = rng.uniform(size=(12, 1, 8, 8)).astype(np.float32)
    y = rng.integers(0, 10, size=12)
    model = submission.call("creer_mlp")
    before = as_array(eval_outputs.call(submission, model, Tensor(X)), "logits")
    trained = returned_model(submission, "entrainer", model, Tensor(X), Tensor(y), epochs=2,
                             lr=0.01, batch_size=4, seed=0)
    after = as_array(
        eval_outputs.call(submission, trained, Tensor(X)),
        "logits après entrainer",
        shape=before.shape,
    )
    if np.allclose(before, after):
        raise CheckFailed(
            "entrainer ne change pas les prédictions du modèle : appelez optimiseur.step() après "
            "perte.backward() à chaque mini-lot",
            "entrainer does not change the model's predictions: call optimiseur.step() after "
            "perte.backward() on every mini-batch",
        )
