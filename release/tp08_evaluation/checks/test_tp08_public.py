"""Vérifications publiques du TP08 : formes, comportement de base, petits exemples fixés.

These checks are shipped to students: every expected value here comes from a small fixed
example they can redo by hand. The hidden checks test the same items on grader-chosen
random inputs.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import CheckFailed, as_array, as_float, assert_close, reliability_bins


def _bins(submission, conf, ok, n_bins):
    got = submission.call("fiabilite", conf, ok, n_bins=n_bins)
    if not isinstance(got, dict) or set(got) != {"compte", "confiance", "precision"}:
        raise CheckFailed(
            'fiabilite doit renvoyer un dict de clés "compte", "confiance" et "precision"',
            'fiabilite must return a dict with keys "compte", "confiance" and "precision"',
        )
    return {k: as_array(got[k], f'fiabilite(...)["{k}"]', shape=(n_bins,)) for k in got}


# ---------------------------------------------------------------- 1. calibration


@pytest.mark.item("ece")
@pytest.mark.points(1)
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
    if abs(value - 0.112) > 1e-9:
        raise CheckFailed(
            f"ece {what} = {value:.6g}, attendu 0.112 = 2/10·|0.5 − 0.12| + 4/10·|0.5 − 0.55| "
            "+ 4/10·|1 − 0.96| : chaque bin pèse |B_m|/N",
            f"ece {what} = {value:.6g}, expected 0.112 = 2/10·|0.5 − 0.12| + 4/10·|0.5 − 0.55| "
            "+ 4/10·|1 − 0.96|: each bin weighs |B_m|/N",
        )


# ---------------------------------------------------------------- 2. temperature


@pytest.mark.item("temperature")
@pytest.mark.points(1)
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


@pytest.mark.item("validation")
@pytest.mark.points(0.5)
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


@pytest.mark.item("ood")
@pytest.mark.points(0.5)
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
    for y, s, want in (
        ([1, 1, 0, 0], [0.9, 0.8, 0.3, 0.1], 1.0),
        ([1, 0, 1, 0], [0.5, 0.5, 0.7, 0.2], 0.875),
    ):
        value = as_float(submission.call("auroc", np.array(y), np.array(s)), f"auroc({y}, {s})")
        if abs(value - want) > 1e-9:
            hint = (
                "vous calculez 1 − AUROC : un score élevé doit désigner la classe 1"
                if abs(value - (1 - want)) < 1e-9
                else "fraction des paires (positif, négatif) bien ordonnées, ex æquo = 1/2"
            )
            raise CheckFailed(
                f"auroc({y}, {s}) = {value:.6g}, attendu {want} ; {hint}",
                f"auroc({y}, {s}) = {value:.6g}, expected {want}",
            )


# ---------------------------------------------------------------- 5. bias-variance


@pytest.mark.item("biais_variance")
@pytest.mark.points(0.5)
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
