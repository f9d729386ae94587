"""Hidden checks, part 2: splits and k-fold cross-validation (against scikit-learn's
KFold and Ridge), AUROC (against roc_auc_score, ties included) and the bias-variance
simulation (recomputed here with the same seeds and the notebook's procedure).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.special import softmax
from sklearn.linear_model import Ridge
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import KFold

from autograder.checks import (
    CheckFailed,
    StudentError,
    as_array,
    as_float,
    assert_arguments_untouched,
    assert_close,
    assert_signature_defaults,
    fmt_order,
    kernel_side,
    record_expected,
    record_margin,
)

# ---------------------------------------------------------------- splits and k-fold


def _folds(submission, n: int, k: int) -> list[np.ndarray]:
    got = submission.call("plis_kfold", n, k)
    if not isinstance(got, (list, tuple)) or len(got) != k:
        raise CheckFailed(
            "plis_kfold(n, k) doit renvoyer une liste de k tableaux d'indices",
            "plis_kfold(n, k) must return a list of k index arrays",
        )
    return [
        as_array(p, f"plis_kfold(n, k)[{i}]", shape=(None,), dtype=None)
        for i, p in enumerate(got)
    ]


@pytest.mark.item("validation", points=1)
def test_plis_kfold_matches_sklearn(submission, rng):
    cases = []
    while len(cases) < 5:
        n, k = int(rng.integers(20, 120)), int(rng.integers(3, 9))
        if n % k or len(cases) == 4:
            cases.append((n, k))
    for n, k in cases:
        plis = _folds(submission, n, k)
        call = "plis_kfold(n, k), pour un des (n, k) du correcteur"
        call_en = "plis_kfold(n, k), for one of the grader's (n, k)"
        vus = np.concatenate(plis)
        valeurs, nb = np.unique(vus, return_counts=True)
        if (nb > 1).any():
            raise CheckFailed(
                f"{call} : les plis se recouvrent, un indice apparaît dans plusieurs plis ; les "
                "plis doivent être disjoints (tailles n // k, plus un pour les n % k premiers)",
                f"{call_en}: the folds overlap, an index appears in several folds; folds must be "
                "disjoint (sizes n // k, plus one for the first n % k)",
            )
        if valeurs.tolist() != list(range(n)):
            raise CheckFailed(
                f"{call} : les plis ne couvrent pas exactement les indices 0..n−1",
                f"{call_en}: the folds do not cover exactly the indices 0..n−1",
            )
        ref = [val for _, val in KFold(n_splits=k).split(np.zeros(n))]
        if any(p.tolist() != r.tolist() for p, r in zip(plis, ref, strict=True)):
            raise CheckFailed(
                f"{call} : ce ne sont pas les plis de KFold ; "
                "des plis consécutifs dans l'ordre, les n % k premiers avec un élément de plus",
                f"{call_en}: these are not KFold's folds; "
                "consecutive folds in order, the first n % k with one more element",
            )


def _folds_are_kfold(submission, n: int, k: int) -> bool:
    try:
        plis = _folds(submission, n, k)
    except (CheckFailed, StudentError):
        return False
    ref = [val for _, val in KFold(n_splits=k).split(np.zeros(n))]
    return all(p.tolist() == r.tolist() for p, r in zip(plis, ref, strict=True))


# Relative tolerance of validation_croisee's (mean, std) against scikit-learn's Ridge in float64.
# Correct float32 code (torch.linalg.solve or np.linalg.solve on float32 arrays, MSEs and their
# mean and std in float32) is off by 1.5e-6 at most (seeds 0, 10-14, 100-599 of the inputs
# below); 2e-5 is 13 times that. The wrong answers are off by 9.8e-4 at least on the same
# seeds (the pooled MSE, the closest), then 1.7e-3 (an intercept), 2.5e-3 (alpha unused),
# 2.6e-2 (fitted on all the data), 5.1e-2 (penalty alpha · n), 9.5e-2 (ddof=1).
CV_RTOL = 2e-5


@pytest.mark.item("validation", points=1)
def test_validation_croisee_matches_reference(submission, rng):
    n, d, k = int(rng.integers(40, 90)), int(rng.integers(3, 8)), int(rng.integers(3, 7))
    while n % k in (0, k - 1):
        # Folds of unequal sizes on purpose: the mean of the k fold MSEs then differs from
        # the MSE of all the examples pooled together. Never n % k = k − 1 either: there, folds
        # of size ⌈n/k⌉ with a shorter last one are KFold's, and validation_croisee would hide
        # a plis_kfold that cuts them so (graded with the folds it uses, as plis_kfold's check).
        n += 1
    # Never the signature's default 1.0: an alpha argument left unused must show. Alphas of 3
    # and more: the penalty then moves the MSEs by 2.5e-3 or more (0.1 moved them by 3e-4).
    alpha = float(rng.choice([3.0, 5.0, 8.0, 12.0]))
    X = rng.normal(size=(n, d))
    # The first fold (one of the larger ones, n % k != 0) three times noisier than the others:
    # its MSE stands apart, so the pooled MSE (weighted by fold sizes) is never the mean of the
    # k fold MSEs by chance (relative gap 8e-7 at one of 306 seeds with equal noise).
    noise = np.full(n, 0.5)
    noise[: -(-n // k)] = 1.5
    y = X @ rng.normal(size=d) + noise * rng.normal(size=n)
    scores, squares = [], []
    for app, val in KFold(n_splits=k).split(X):
        model = Ridge(alpha=alpha, fit_intercept=False).fit(X[app], y[app])
        squares.append((model.predict(X[val]) - y[val]) ** 2)
        scores.append(np.mean(squares[-1]))
    got = submission.call("validation_croisee", X, y, k, alpha)
    if not isinstance(got, (list, tuple)) or len(got) != 2:
        raise CheckFailed(
            "validation_croisee doit renvoyer un couple (moyenne, écart-type)",
            "validation_croisee must return a pair (mean, standard deviation)",
        )
    what = "validation_croisee(X, y, k, alpha) sur les données du correcteur"
    mean, std = as_float(got[0], f"{what} : moyenne"), as_float(got[1], f"{what} : écart-type")
    want = np.array([np.mean(scores), np.std(scores)])
    hint = (
        "MSE de validation d'une ridge sans intercept sur chaque pli de plis_kfold, puis "
        "np.mean et np.std (sans correction)",
        "validation MSE of a ridge without intercept on each fold of plis_kfold, then "
        "np.mean and np.std (no correction)",
    )
    if not np.allclose([mean, std], want, rtol=CV_RTOL, atol=1e-8):
        pooled = float(np.mean(np.concatenate(squares)))
        if np.isclose(mean, pooled, rtol=CV_RTOL, atol=1e-8):
            hint = (
                "la moyenne renvoyée est l'erreur de tous les exemples réunis (somme des carrés "
                "/ n) : c'est la moyenne des k MSE de plis qui est demandée, np.mean(erreurs) "
                "sur les k valeurs (différente quand k ne divise pas n)",
                "the mean returned is the error of all the examples pooled together (sum of "
                "squares / n): the mean of the k fold MSEs is asked for, np.mean(errors) over "
                "the k values (different when k does not divide n)",
            )
        elif not _folds_are_kfold(submission, n, k):
            hint = (hint[0] + " ; vos plis_kfold(n, k) ne sont pas ceux de KFold : corrigez "
                    "d'abord plis_kfold", hint[1] + "; your plis_kfold(n, k) are not KFold's "
                    "folds: fix plis_kfold first")
        else:
            hint = _cv_variant_hint(mean, std, X, y, k, alpha) or hint
    assert_close(
        np.array([mean, std]),
        want,
        name=f"{what} (moyenne, écart-type)",
        rtol=CV_RTOL,
        hint_fr=hint[0],
        hint_en=hint[1],
    )
    assert_arguments_untouched(
        submission, "validation_croisee", (X, y, k, alpha), {0: "X", 1: "y"},
        hint_fr="travaillez sur des copies ou des extraits X[app], y[app], sans écrire dans X ni y",
        hint_en="work on copies or slices X[app], y[app], without writing into X or y",
    )
    # The statement's signature: the notebook's demo and a caller without alpha rely on it.
    assert_signature_defaults(submission, "validation_croisee", {"alpha": 1.0})


def _cv(X, y, k, fit, on_train=False, ddof=0):
    """(mean, std) of the k fold MSEs with the ridge `fit(X_app, y_app)` -> predict function."""
    scores = []
    for app, val in KFold(n_splits=k).split(X):
        predict = fit(X[app], y[app])
        idx = app if on_train else val
        scores.append(np.mean((predict(X[idx]) - y[idx]) ** 2))
    return float(np.mean(scores)), float(np.std(scores, ddof=ddof))


def _ridge(alpha, intercept=False):
    def fit(Xa, ya):
        return Ridge(alpha=alpha, fit_intercept=intercept).fit(Xa, ya).predict
    return fit


def _cv_variant_hint(mean, std, X, y, k, alpha) -> tuple[str, str] | None:
    """The usual mistakes of validation_croisee, each recomputed here: which one the student's
    (mean, std) is, said by name (None when none)."""
    def same(pair):
        return bool(np.allclose([mean, std], pair, rtol=CV_RTOL, atol=1e-8))

    whole = Ridge(alpha=alpha, fit_intercept=False).fit(X, y).predict
    variants = (
        (lambda: _cv(X, y, k, _ridge(alpha), ddof=1),
         ("la moyenne est juste, pas l'écart-type : np.std sans correction (ddof=0, le défaut), "
          "pas ddof=1", "the mean is right, not the standard deviation: np.std without "
          "correction (ddof=0, the default), not ddof=1")),
        (lambda: _cv(X, y, k, _ridge(alpha, intercept=True)),
         ("votre ridge a un intercept (Ridge de scikit-learn l'ajoute par défaut) : la consigne "
          "demande une ridge SANS intercept, w = solve(XᵀX + alpha·I, Xᵀy) ou "
          "Ridge(alpha=alpha, fit_intercept=False)", "your ridge has an intercept (scikit-learn's "
          "Ridge adds one by default): the statement asks for a ridge WITHOUT intercept, "
          "w = solve(XᵀX + alpha·I, Xᵀy) or Ridge(alpha=alpha, fit_intercept=False)")),
        (lambda: _cv(X, y, k, _ridge(alpha), on_train=True),
         ("vous mesurez l'erreur sur les exemples d'entraînement de chaque pli : la MSE de "
          "validation se calcule sur le pli mis de côté, X[val], y[val], avec la ridge ajustée "
          "sur les autres", "you measure the error on each fold's training examples: the "
          "validation MSE is computed on the held-out fold, X[val], y[val], with the ridge fitted "
          "on the others")),
        (lambda: _cv(X, y, k, lambda Xa, ya: whole),
         ("votre ridge est ajustée sur toutes les données, pli de validation compris : pour "
          "chaque pli, ajustez-la sur les k − 1 autres plis seulement (X[app], y[app])",
          "your ridge is fitted on all the data, validation fold included: for each fold, fit "
          "it on the k − 1 other folds only (X[app], y[app])")),
        (lambda: _cv(X, y, k, lambda Xa, ya: _ridge(alpha * len(Xa))(Xa, ya)),
         ("votre pénalité est multipliée par le nombre d'exemples d'entraînement du pli (la "
          "perte moyenne (1/n)‖Xw − y‖² + alpha‖w‖², ou Ridge(alpha=alpha · n)) : la consigne "
          "demande w = (XᵀX + alpha·I)⁻¹ Xᵀy, la pénalité alpha telle quelle, sans facteur n",
          "your penalty is multiplied by the fold's number of training examples (the mean "
          "loss (1/n)‖Xw − y‖² + alpha‖w‖², or Ridge(alpha=alpha · n)): the statement asks for "
          "w = (XᵀX + alpha·I)⁻¹ Xᵀy, the penalty alpha as it is, with no factor n")),
        *(
            (lambda a=a: _cv(X, y, k, _ridge(a)),
             ("validation_croisee n'utilise pas son argument alpha (le résultat ne change pas "
              "avec lui) : la ridge résout (XᵀX + alpha·I) w = Xᵀy avec l'alpha reçu",
              "validation_croisee does not use its alpha argument (the result does not change "
              "with it): the ridge solves (XᵀX + alpha·I) w = Xᵀy with the alpha received"))
            for a in (1.0, 1e-12)
        ),
    )
    for compute, hint in variants:
        if same(compute()):
            return hint
    return None


def _blocks_of(perm: np.ndarray, parts: list[np.ndarray]) -> bool:
    """The three parts are consecutive blocks of `perm`, in some order of the blocks (the
    statement names which sizes go where, not which end of the permutation each takes), each
    part compared as a set (a part sorted, or taken in another order, is the same split)."""
    sets = [set(q.tolist()) for q in parts]
    for order in itertools.permutations(range(3)):
        start, ok = 0, True
        for i in order:
            size = len(parts[i])
            if set(perm[start:start + size].tolist()) != sets[i]:
                ok = False
                break
            start += size
        if ok:
            return True
    return False


_NOT_THE_PERMUTATION = (
    "les indices ne sont pas des blocs consécutifs de np.random.default_rng(seed).permutation(n) : "
    "mélangez avec exactement cet appel, puis prenez round(p_val · n) indices de la permutation "
    "pour la validation, les round(p_test · n) suivants pour le test et le reste pour "
    "l'entraînement",
    "the indices are not consecutive blocks of np.random.default_rng(seed).permutation(n): "
    "shuffle with exactly that call, then take round(p_val · n) indices of the permutation for "
    "validation, the next round(p_test · n) for test and the rest for training",
)


def _permutation_hint(n: int, seed: int, parts: list[np.ndarray]) -> tuple[str, str]:
    """Why the parts are not blocks of default_rng(seed).permutation(n): the legacy
    generator seeded with `seed`, when its permutation gives them."""
    legacy = np.random.RandomState(seed % 2**32).permutation(n)
    if _blocks_of(legacy, parts):
        return (
            "vous mélangez avec l'ancien générateur de NumPy (np.random.seed puis "
            "np.random.permutation, ou np.random.RandomState) : la consigne demande "
            "np.random.default_rng(seed).permutation(n), qui donne une autre permutation "
            "(et ne touche pas l'état global de np.random)",
            "you shuffle with NumPy's legacy generator (np.random.seed then "
            "np.random.permutation, or np.random.RandomState): the statement asks for "
            "np.random.default_rng(seed).permutation(n), which gives another permutation "
            "(and leaves np.random's global state alone)",
        )
    return _NOT_THE_PERMUTATION


def _nearest(x: float) -> set[int]:
    """The sizes "rounded to the nearest" of x: round(x), and on an exact tie (x = k + 0.5) both
    neighbours. The statement's round(p_val · n) is written with a product sign, not as Python,
    and names no rule for ties: Python's round (and np.round) goes to the even neighbour,
    int(x + 0.5) or np.floor(x + 0.5) up, and both are "the nearest"."""
    low = int(np.floor(x))
    return {low, low + 1} if x - low == 0.5 else {int(round(x))}


def _train_sizes(n: int, p_val: float, p_test: float) -> set[int]:
    """The training size computed from its own proportion, (1 − p_val − p_test) · n, rounded or
    truncated: the premise of the hint "the rest goes to test (or validation), not to train"."""
    x = (1 - p_val - p_test) * n
    return {int(round(x)), int(x)}


def _size_hint(drawn: list, failed: tuple) -> tuple[str, str]:
    """(fr, en) naming why decouper's sizes are wrong on the case `failed`, from the pattern its
    sizes follow on EVERY drawn case (one case can fit two patterns: a truncated test size and a
    test that takes the rest of a rounded training size agree when p · n ends in .55 to .7)."""
    def sizes(case):
        n, p_val, p_test, _, parts = case
        return n, p_val, p_test, [len(q) for q in parts]

    for ok_index, rest_fr, rest_en in ((1, "le test", "test"), (2, "la validation", "validation")):
        if all(s[0] in _train_sizes(n, pv, pt) and s[ok_index] in _nearest((pv, pt)[ok_index - 1] * n)
               for n, pv, pt, s in map(sizes, drawn)):
            return (
                f"la taille de l'entraînement est calculée à partir de (1 − p_val − p_test) · n et "
                f"{rest_fr} prend le reste : la consigne arrondit la validation, round(p_val · n), "
                "et le test, round(p_test · n), et c'est l'ENTRAÎNEMENT qui prend le reste (les "
                "trois arrondis ne s'additionnent pas toujours à n)",
                f"the training size is computed from (1 − p_val − p_test) · n and {rest_en} takes "
                "the rest: the statement rounds validation, round(p_val · n), and test, "
                "round(p_test · n), and TRAINING takes the rest (the three roundings do not "
                "always add up to n)",
            )
    n, p_val, p_test, s = sizes(failed)
    for index, p, other, name, arg, other_arg in (
        (1, p_val, p_test, "validation", "p_val", "p_test"),
        (2, p_test, p_val, "test", "p_test", "p_val"),
    ):
        if s[index] in _nearest(p * n):
            continue
        if all(c[3][index] == int((c[1], c[2])[index - 1] * c[0]) for c in map(sizes, drawn)):
            why = ("arrondi au plus proche, pas int(p · n) qui tronque",
                   "rounded to the nearest, not int(p · n), which truncates")
        elif s[index] in _nearest(other * n):
            why = (f"sa taille est calculée avec {other_arg} au lieu de {arg}",
                   f"its size is computed from {other_arg} instead of {arg}")
        else:
            why = (f"round({arg} · n) exemples, pas une proportion fixe",
                   f"round({arg} · n) examples, not a fixed proportion")
        return (
            f"le nombre d'exemples en {name} n'est pas round({arg} · n) pour la proportion "
            f"demandée ({why[0]})",
            f"the number of examples in {name} is not round({arg} · n) for the requested "
            f"proportion ({why[1]})",
        )
    return ("les tailles ne sont pas celles de la consigne",
            "the sizes are not the statement's")  # not reached: a size is wrong


def _split_case(rng, case: int) -> tuple[int, float, float]:
    """(n, p_val, p_test) of decouper's case `case`. p_val and p_test at least 0.04 apart (4
    examples or more): a size computed from the other proportion is never the one asked for.
    Drawn on purpose at every variant, not left to the seed:
    0: p · n ending in .55 to .7 for both: round and int differ, and the training size
       (1 − p_val − p_test) · n ends in .6 to .9, so round((1 − p_val − p_test) · n) plus the
       two rounded sizes exceed n by one;
    1: p · n ending in .3 to .45 for both: round and int agree, ceil does not, and the three
       roundings fall one short of n;
    2: free proportions;
    3: p · n ending in exactly .5 for both (p = m/64, n = 32 · q, m and q odd, exact in
       binary): either neighbour is accepted (`_nearest`)."""
    n = int(rng.integers(100, 1000))
    p_val = float(rng.uniform(0.1, 0.2))
    p_test = p_val + float(rng.uniform(0.04, 0.08)) * (1 if p_val < 0.15 else -1)
    if case in (0, 1):
        low, high = ((0.55, 0.7), (0.3, 0.45))[case]
        p_val, p_test = ((int(p * n) + float(rng.uniform(low, high))) / n for p in (p_val, p_test))
    elif case == 3:
        m_val = int(rng.choice([7, 9, 11, 13]))
        m_test = m_val + 4 if m_val < 11 else m_val - 4
        n = 32 * (2 * int(rng.integers(1, 16)) + 1)
        p_val, p_test = m_val / 64, m_test / 64
    return n, p_val, p_test


@pytest.mark.item("validation", points=0.5)
def test_decouper_disjoint_and_proportions(submission, rng):
    drawn = []
    for case in range(4):
        n, p_val, p_test = _split_case(rng, case)
        seed = int(rng.integers(0, 10_000))
        call = "decouper(n, p_val, p_test, seed), pour une des entrées du correcteur"
        call_en = "decouper(n, p_val, p_test, seed), for one of the grader's inputs"
        got = submission.call("decouper", n, p_val, p_test, seed)
        if not isinstance(got, (list, tuple)) or len(got) != 3:
            raise CheckFailed(
                f"{call}, doit renvoyer (train, val, test)",
                f"{call_en}, must return (train, val, test)",
            )
        parts = [as_array(p, f"decouper(n, p_val, p_test, seed)[{i}]", shape=(None,), dtype=None)
                 for i, p in enumerate(got)]
        allidx = np.concatenate(parts)
        if len(allidx) != n or sorted(allidx.tolist()) != list(range(n)):
            raise CheckFailed(
                f"{call} : train, val et test doivent être disjoints et couvrir 0..n−1",
                f"{call_en}: train, val and test must be disjoint and cover 0..n−1",
            )
        drawn.append((n, p_val, p_test, seed, parts))
    # The sizes, judged once every case is in: the hint names the pattern they all follow.
    call = "decouper(n, p_val, p_test, seed), pour une des entrées du correcteur"
    call_en = "decouper(n, p_val, p_test, seed), for one of the grader's inputs"
    for case in drawn:
        n, p_val, p_test, _, parts = case
        if len(parts[1]) in _nearest(p_val * n) and len(parts[2]) in _nearest(p_test * n):
            continue
        why = _size_hint(drawn, case)
        raise CheckFailed(f"{call} : {why[0]}", f"{call_en}: {why[1]}")
    for *_, parts in drawn:
        if all(np.array_equal(np.sort(q), np.arange(q.min(), q.min() + len(q))) for q in parts):
            raise CheckFailed(
                f"{call} : les trois ensembles sont des blocs consécutifs ; mélangez les indices "
                "avec np.random.default_rng(seed).permutation(n)",
                f"{call_en}: the three sets are consecutive blocks; shuffle the indices with "
                "np.random.default_rng(seed).permutation(n)",
            )
    # The split depends on `seed` alone: same seed, same split; another seed, another split.
    n, seed = int(rng.integers(100, 400)), int(rng.integers(0, 10_000))
    splits = [submission.call("decouper", n, 0.15, 0.15, s) for s in (seed, seed, seed + 1)]
    flat = [
        [as_array(p, f"decouper(n, 0.15, 0.15, seed)[{i}]", shape=(None,), dtype=None).tolist()
         for i, p in enumerate(got)]
        if isinstance(got, (list, tuple)) and len(got) == 3 else None
        for got in splits
    ]
    if flat[0] is None or flat[0] != flat[1] or flat[0] == flat[2]:
        raise CheckFailed(
            "decouper(n, 0.15, 0.15, seed) ne dépend pas de sa graine seule : la même graine "
            "doit redonner le même découpage, une autre graine un autre ; mélangez avec "
            "np.random.default_rng(seed).permutation(n), pas avec l'état global de np.random",
            "decouper(n, 0.15, 0.15, seed) does not depend on its seed alone: the same seed "
            "must give the same split again, another seed another one; shuffle with "
            "np.random.default_rng(seed).permutation(n), not with np.random's global state",
        )
    # The statement names the shuffle: the parts are blocks of default_rng(seed).permutation(n)
    # (the legacy np.random.seed + np.random.permutation gives the right sizes and depends on
    # the seed alone, but not these indices).
    for n, _, _, seed, parts in drawn:
        if not _blocks_of(np.random.default_rng(seed).permutation(n), parts):
            why = _permutation_hint(n, seed, parts)
            raise CheckFailed(
                f"decouper(n, p_val, p_test, seed), pour une des entrées du correcteur : {why[0]}",
                f"decouper(n, p_val, p_test, seed), on one of the grader's inputs: {why[1]}",
            )
    assert_signature_defaults(submission, "decouper", {"p_val": 0.15, "p_test": 0.15, "seed": 0})


# ---------------------------------------------------------------- OOD and AUROC


def _auroc_cases(rng):
    """(kind, labels, scores) for test_auroc_matches_sklearn. Every score is a float32 value
    (a float32 copy of them is exact), so that "equal" means the same in both precisions.
    "near" comes before "large", whose pairs may hold near ties too.
    "large" (twice): more than 100,000 (positive, negative) pairs (about 250,000 to 490,000): an
    AUROC estimated from a sample of pairs above some size, exact only on small inputs, is off
    by ~1e-3 there. "near": distinct scores closer than 1e-5 relative (MSP scores crowded under
    1, on a grid of 2**-22 below 1): a comparison with a tolerance (np.isclose, rtol 1e-5)
    counts them as ties, which the statement counts only for s_i = s_j exactly."""
    cases = []
    # The last small case negates the scores: a detector worse than chance (AUROC < 0.5),
    # which must be reported as such, not folded into max(AUROC, 1 − AUROC).
    for decimals, worse in ((None, False), (1, False), (2, False), (1, True)):
        n = int(rng.integers(100, 600))
        y = (rng.uniform(size=n) < rng.uniform(0.2, 0.8)).astype(np.int64)
        y[:2] = [0, 1]
        s = rng.normal(size=n) + rng.uniform(0.3, 1.5) * y
        if decimals is not None:
            s = np.round(s, decimals)
        if worse:
            s = -s
        cases.append(("worse" if worse else ("ties" if decimals else "plain"), y, s))
    n = int(rng.integers(200, 500))
    y = (rng.uniform(size=n) < rng.uniform(0.3, 0.7)).astype(np.int64)
    y[:2] = [0, 1]
    # 1 − k · 2**-22 for k in 1..40: every gap below 1e-5, exact in float32; the positives
    # nearer 1 (the exact AUROC about 0.75 to 0.9, the one with tolerance about 0.5).
    k = np.clip(np.round(rng.normal(size=n) * 8 + 24 - rng.uniform(8, 14) * y), 1, 40)
    s = 1.0 - k * 2.0**-22
    cases.append(("near", y, s))
    # Two large cases: an AUROC estimated from 100,000 random pairs is off by about 1.4e-3
    # (standard deviation), within AUROC_TOL about once in 1,700 per case; on both, never.
    for _ in range(2):
        n = int(rng.integers(1000, 1400))
        y = (rng.uniform(size=n) < rng.uniform(0.4, 0.6)).astype(np.int64)
        y[:2] = [0, 1]
        s = rng.normal(size=n) + rng.uniform(0.3, 1.0) * y
        cases.append(("large", y, s))
    # Scores rounded to float32 values: a float32 copy of them is exact, so no two distinct
    # scores merge into a tie in float32 (nor do near-ties closer than float32's resolution
    # exist) and a float32 computation counts the same pairs.
    return [(kind, y, s.astype(np.float32).astype(np.float64)) for kind, y, s in cases]


# Tolerance of auroc against roc_auc_score (absolute). Correct float32 code counts the same
# pairs (the scores are float32 values) and only rounds its final mean and sum: measured over
# grader seeds 0, 10-14 and 100-400 (every case), torch float32 `(pos > neg).float().mean()
# + 0.5 * (pos == neg).float().mean()` (blind round 21), numpy float32 means and float32
# Mann-Whitney ranks are off by 5.8e-8 at most; 1e-6 is 17 times that. The wrong answers it
# targets are off by far more on the same seeds: ties counted 0 or 1 (a strict or non-strict
# comparison) at least 4.6e-4 on the case rounded to 2 decimals and 5.9e-3 on the one rounded
# to 1 decimal (ties drawn on purpose at every variant), labels flipped (1 − AUROC) at least
# 0.046, a result rounded to 3 decimals at least 1e-6 on one case and 1.9e-5 on another,
# pairs sampled beyond 100,000 (two large cases) at least 9.7e-7 on one, np.isclose ties 6e-3.
AUROC_TOL = 1e-6


def _auroc_ties_as(y: np.ndarray, s: np.ndarray, weight: float) -> float:
    """The AUROC with ties counted `weight` instead of 1/2 (0: a strict comparison only, 1:
    pos >= neg, 1.5: pos >= neg plus half the ties)."""
    pos, neg = s[y == 1][:, None], s[y == 0][None, :]
    return float(np.mean(pos > neg) + weight * np.mean(pos == neg))


def _auroc_with_tolerance(y: np.ndarray, s: np.ndarray) -> float:
    """The AUROC with np.isclose's ties (rtol 1e-5, atol 1e-8): the premise of the hint."""
    pos, neg = s[y == 1][:, None], s[y == 0][None, :]
    close = np.isclose(pos, neg)
    return float(np.mean((pos > neg) & ~close) + 0.5 * np.mean(close))


@pytest.mark.item("ood", points=1)
def test_auroc_matches_sklearn(submission, rng):
    whats = {
        "plain": ("auroc (scores du correcteur)", "auroc (grader scores)"),
        "ties": ("auroc (scores du correcteur, avec des ex æquo)", "auroc (grader scores, with ties)"),
        "worse": ("auroc (scores du correcteur, avec des ex æquo, pires que le hasard)",
                  "auroc (grader scores, with ties, worse than chance)"),
        "large": ("auroc (scores du correcteur, plus de 100 000 paires positif-négatif)",
                  "auroc (grader scores, more than 100,000 positive-negative pairs)"),
        "near": ("auroc (scores du correcteur distincts mais très proches, écarts < 1e-5)",
                 "auroc (grader scores, distinct but very close, gaps < 1e-5)"),
    }
    for kind, y, s in _auroc_cases(rng):
        want = float(roc_auc_score(y, s))
        what, what_en = whats[kind]
        got = as_float(submission.call("auroc", y, s), what)
        record_expected(what, want)
        gap = abs(got - want)
        record_margin(
            "absolute error of auroc vs roc_auc_score",
            gap,
            AUROC_TOL,
            higher_is_better=False,
            kind="tolerance",
        )
        if gap <= AUROC_TOL:
            continue
        tie_weight = next((w for w in (0.0, 1.0, 1.5)
                           if abs(got - _auroc_ties_as(y, s, w)) <= AUROC_TOL), None)
        if kind == "worse" and abs(got - (1 - want)) <= AUROC_TOL:
            # The cases above (AUROC > 0.5) matched: not an inversion, a fold at 0.5.
            hint = (
                "une AUROC sous 0,5 (un score qui classe les négatifs au-dessus des positifs, "
                "pire que le hasard) doit être renvoyée telle quelle : ne la remplacez pas par "
                "max(AUROC, 1 − AUROC), l'étiquette 1 est le positif",
                "an AUROC below 0.5 (a score that ranks negatives above positives, worse than "
                "chance) must be returned as it is: do not replace it with max(AUROC, 1 − AUROC), "
                "label 1 is the positive",
            )
        elif abs(got - (1 - want)) <= AUROC_TOL:
            hint = (
                "votre AUROC est inversée (vous obtenez 1 − AUROC) : un score élevé doit "
                "désigner la classe 1, comptez les paires où le positif a le plus grand score",
                "your AUROC is inverted (you get 1 − AUROC): a high score must point to class "
                "1, count the pairs where the positive has the larger score",
            )
        elif tie_weight is not None:
            # The premise: the student's value is the AUROC with ties counted 0, 1 or 3/2.
            counted = {0.0: ("0 (comparaison stricte s_i > s_j seule)",
                             "0 (a strict comparison s_i > s_j only)"),
                       1.0: ("1 (comparaison large s_i >= s_j)", "1 (s_i >= s_j)"),
                       1.5: ("3/2 (s_i >= s_j, plus la moitié des ex æquo)",
                             "3/2 (s_i >= s_j, plus half the ties)")}[tie_weight]
            hint = (
                # No digit right after "au lieu de" / "instead of": the leak test would read it
                # as an expected value (a one-digit AUROC).
                f"les ex æquo (s_i = s_j exactement) sont comptés {counted[0]}, alors qu'un ex "
                "æquo vaut une demi-paire : pour chaque paire (positif, négatif), comptez 1 si "
                "le positif a le plus grand score, 1/2 si les deux scores sont égaux, 0 sinon",
                f"ties (s_i = s_j exactly) are counted {counted[1]}, whereas a tie is worth half "
                "a pair: for each (positive, negative) pair, count 1 if the positive has the "
                "larger score, 1/2 if both scores are equal, 0 otherwise",
            )
        elif kind == "large":
            # The smaller cases matched: only the number of pairs changed.
            hint = (
                "les petites entrées étaient justes, celle-ci a beaucoup plus de paires : "
                "l'AUROC doit être exacte quelle que soit la taille, pas estimée sur un "
                "échantillon de paires tirées au hasard ni approchée ; comptez toutes les "
                "paires (tri et np.searchsorted, ou rangs, si la matrice des paires est trop "
                "grande)",
                "the smaller inputs were right, this one has many more pairs: the AUROC must "
                "be exact whatever the size, not estimated from a sample of random pairs nor "
                "approximated; count every pair (sorting and np.searchsorted, or ranks, if the "
                "matrix of pairs is too large)",
            )
        elif kind == "near" or abs(got - _auroc_with_tolerance(y, s)) <= AUROC_TOL:
            hint = (
                "des scores presque égaux sont comptés comme ex æquo (comparaison avec "
                "tolérance, np.isclose ?) ou arrondis : seuls des scores exactement égaux "
                "(s_i == s_j) comptent 1/2, deux scores distincts, même très proches, se "
                "comparent avec > ; ne les arrondissez pas",
                "nearly equal scores are counted as ties (a comparison with a tolerance, "
                "np.isclose?) or rounded: only exactly equal scores (s_i == s_j) count 1/2, "
                "two distinct scores, however close, compare with >; do not round them",
            )
        elif gap < 1e-3:
            # Close, but beyond any float32 rounding (AUROC_TOL): a rounded or approximated
            # result, not the definition's count.
            hint = (
                "votre valeur est proche, mais pas exacte : l'AUROC est une fraction exacte de "
                "paires, pas une approximation ; n'arrondissez pas le résultat (round, "
                "np.round) et ne l'approchez pas (aire sous une courbe ROC calculée sur une "
                "grille de seuils)",
                "your value is close, but not exact: the AUROC is an exact fraction of pairs, "
                "not an approximation; do not round the result (round, np.round) nor "
                "approximate it (area under a ROC curve computed on a grid of thresholds)",
            )
        else:
            hint = (
                "fraction des paires (positif, négatif) où le positif a le plus grand score, "
                "les ex æquo comptant 1/2",
                "fraction of (positive, negative) pairs where the positive has the larger "
                "score, ties counting 1/2",
            )
        # The gap to one digit, never the student's value: close to roc_auc_score, its digits
        # would give the expected AUROC back (blind round 21).
        raise CheckFailed(
            f"{what} : écart de l'ordre de {fmt_order(gap)} avec la valeur de roc_auc_score ; "
            f"{hint[0]}",
            f"{what_en}: off by about {fmt_order(gap)} from the value of roc_auc_score; "
            f"{hint[1]}",
        )
    assert_arguments_untouched(
        submission, "auroc", (y, s), {0: "etiquettes", 1: "scores"},
        hint_fr="triez des copies (ordre = np.argsort(scores), puis scores[ordre]) sans écrire "
        "dans les tableaux reçus (pas de scores[:] = ..., ni de scores.sort())",
        hint_en="sort copies (order = np.argsort(scores), then scores[order]) without writing "
        "into the arrays received (no scores[:] = ..., nor scores.sort())",
    )


@pytest.mark.item("ood", points=0.5)
def test_score_msp_matches_softmax(submission, rng):
    n, k = int(rng.integers(20, 80)), int(rng.integers(3, 12))
    z = rng.normal(scale=30.0, size=(n, k))
    got = as_array(submission.call("score_msp", z), "score_msp(logits)", shape=(n,))
    _assert_msp(
        submission, got, z, z, "score_msp(logits du correcteur, de l'ordre de ±30)",
        ("max du softmax de chaque ligne, en soustrayant le max des logits avant exp",
         "max of each row's softmax, subtracting the max logit before exp"),
    )
    # Logits of order ±1000 (the statement): exp overflows unless the max is subtracted.
    big = z + rng.choice([-1000.0, 1000.0], size=(n, 1))
    got = as_array(submission.call("score_msp", big), "score_msp(logits)", shape=(n,),
                   allow_nan=True)
    if not np.isfinite(got).all():
        raise CheckFailed(
            "score_msp renvoie des NaN ou des inf pour des logits de l'ordre de ±1000 : exp "
            "déborde ; soustrayez le maximum de chaque ligne avant l'exponentielle (comme la "
            "fonction softmax donnée)",
            "score_msp returns NaN or inf for logits of order ±1000: exp overflows; subtract "
            "each row's maximum before the exponential (as the given softmax function does)",
        )
    _assert_msp(
        submission, got, big, z, "score_msp(logits du correcteur, de l'ordre de ±1000)",
        ("max du softmax de chaque ligne (probabilités, pas leur logarithme)",
         "max of each row's softmax (probabilities, not their logarithm)"),
    )
    assert_arguments_untouched(
        submission, "score_msp", (big,), {0: "logits"},
        hint_fr="soustrayez le maximum dans une copie, z = logits - logits.max(...), pas "
        "logits -= ...",
        hint_en="subtract the maximum in a copy, z = logits - logits.max(...), not logits -= ...",
    )


def _msp_ok(got: np.ndarray, z: np.ndarray) -> bool:
    want = softmax(z, axis=1).max(axis=1)
    return bool(np.isclose(got, want, rtol=1e-5, atol=_float32_atol(z)).all())


def _right_on_small_logits(submission, rows: np.ndarray) -> bool:
    """Whether score_msp is right on `rows` scaled down to logits of order ±3."""
    small = rows / 10.0
    try:
        got = as_array(submission.call("score_msp", small), "score_msp(logits)",
                       shape=(len(small),))
    except (CheckFailed, StudentError):
        return False
    return _msp_ok(got, small)


def _assert_msp(
    submission, got: np.ndarray, z: np.ndarray, rows: np.ndarray, name: str,
    generic: tuple[str, str],
) -> None:
    """score_msp's answer `got` on logits `z` against scipy's softmax (per-row float32
    tolerance). The hint checks its premise: if the rows `rows` scaled down to logits of order
    ±3 come out right, the formula is right and something done to large logits (a clip
    "against overflow", a rescaling) is what breaks it; otherwise the formula itself is."""
    hint = generic
    if not _msp_ok(got, z) and _right_on_small_logits(submission, rows):
        hint = (
            "vos valeurs sont justes pour de petits logits (de l'ordre de ±3) mais pas pour de "
            "grands : ne coupez pas (np.clip) et ne changez pas l'échelle des logits ; "
            "softmax(z) = softmax(z − max de la ligne), soustraire le max de chaque ligne "
            "avant exp suffit contre le débordement",
            "your values are right for small logits (of order ±3) but not for large ones: do "
            "not clip (np.clip) or rescale the logits; softmax(z) = softmax(z − the row's "
            "max), subtracting each row's max before exp is enough against overflow",
        )
    assert_close(got, softmax(z, axis=1).max(axis=1), name=name, atol=_float32_atol(z),
                 hint_fr=hint[0], hint_en=hint[1])


def _float32_atol(z: np.ndarray) -> np.ndarray:
    """Per-row tolerance of score_msp: a correct answer computed in float32 (torch.softmax on a
    float32 tensor) first rounds logits of order 1000 to ~6e-5, which moves the MSP by up to
    ~1e-4 relative; twice that move, measured on the float32-rounded logits, plus float32's
    own rounding (1e-6 relative) and 1e-9. The wrong answers (log-probabilities, a sum instead
    of a max, another axis) are off by orders of magnitude more."""
    want = softmax(z, axis=1).max(axis=1)
    rounded = softmax(z.astype(np.float32).astype(np.float64), axis=1).max(axis=1)
    return 1e-9 + 1e-6 * want + 2.0 * np.abs(rounded - want)


# ---------------------------------------------------------------- bias-variance


X_EVAL = np.linspace(0.05, 0.95, 40)


def _reference(submission, degree: int, seed: int, n_trials: int, n: int = 30, noise: float = 0.3):
    return _simulate(submission, degree, seed, n_trials, n, noise)[:2]


@kernel_side
def simulate_bias_variance(degree, seed, n_trials, n, noise, x_eval):
    """(bias², variance) of the notebook's procedure, then the usual wrong versions of each
    (bias² as the square of the mean gap; variance with ddof=1, None for one trial)."""
    import warnings

    import numpy as np

    x_eval = np.asarray(x_eval, dtype=float)
    rng = np.random.default_rng(seed)
    preds = np.empty((n_trials, len(x_eval)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.RankWarning)
        for t in range(n_trials):
            x = rng.uniform(0.0, 1.0, size=n)
            y = np.sin(2 * np.pi * x) + noise * rng.normal(size=n)
            preds[t] = np.polyval(np.polyfit(x, y, degree), x_eval)
    mean = preds.mean(axis=0)
    gap = mean - np.sin(2 * np.pi * x_eval)
    return [
        float(np.mean(gap**2)),
        float(np.mean(preds.var(axis=0))),
        float(np.mean(gap) ** 2),
        float(np.mean(preds.var(axis=0, ddof=1))) if n_trials > 1 else None,
        float(np.var(mean)),
    ]


def _simulate(submission, degree: int, seed: int, n_trials: int, n: int = 30, noise: float = 0.3):
    """The reference simulation, run in the student's kernel: a degree-15 fit on 20 to 40
    points is so ill-conditioned that np.polyfit's result depends on the BLAS kernels the
    process runs (1e-5 to 1e-2 relative between two CPU types, measured), so the grader's
    own process may not reproduce a correct answer's values; the kernel runs the same
    np.polyfit as the student's code."""
    b2, var, square_of_mean, ddof1, var_of_mean = simulate_bias_variance.call(
        submission, int(degree), int(seed), int(n_trials), int(n), float(noise), X_EVAL.tolist())
    return (
        b2,
        var,
        {"square_of_mean": square_of_mean},
        {"ddof1": np.nan if ddof1 is None else ddof1, "var_of_mean": var_of_mean},
    )


def _student(
    submission, degree: int, seed: int, n_trials: int, **data: float
) -> tuple[float, float]:
    got = submission.call("biais_variance", degree, seed, n_essais=n_trials, **data)
    if not isinstance(got, dict) or set(got) != {"biais2", "variance"}:
        raise CheckFailed(
            'biais_variance doit renvoyer un dict de clés "biais2" et "variance"',
            'biais_variance must return a dict with keys "biais2" and "variance"',
        )
    extra = "".join(f", {k}" for k in data)
    call = f"biais_variance({degree}, seed, n_essais{extra})"
    return as_float(got["biais2"], f"{call}[biais2]"), as_float(
        got["variance"], f"{call}[variance]"
    )


@pytest.mark.item("biais_variance", points=1)
def test_biais_variance_matches_simulation(submission, rng):
    seed = int(rng.integers(0, 100_000))
    for degree in (1, 3, 9, 15):
        # the arguments n and bruit are used too: grader values for degrees 3 and 15
        data = {}
        if degree in (3, 15):
            data = {"n": int(rng.integers(20, 41)), "bruit": float(rng.uniform(0.1, 0.6))}
        b2, var = _student(submission, degree, seed, 40, **data)
        ref_b2, ref_var = _reference(submission, degree, seed, 40, **{"noise" if k == "bruit" else k: v
                                                          for k, v in data.items()})
        extra = "".join(f", {k}" for k in data)
        call = f"biais_variance({degree}, seed, n_essais{extra}) (valeurs du correcteur)"
        if np.allclose([b2, var], [ref_b2, ref_var], rtol=1e-6, atol=1e-12):
            continue
        if np.allclose([var, b2], [ref_b2, ref_var], rtol=1e-6, atol=1e-12):
            hint = (
                "biais² et variance sont échangés : le biais² est l'écart au carré entre la "
                "prédiction moyenne et f, la variance la dispersion des prédictions autour de "
                "leur moyenne",
                "bias² and variance are swapped: bias² is the squared gap between the mean "
                "prediction and f, variance the spread of the predictions around their mean",
            )
        elif any(
            np.allclose([b2, var], _reference(submission, degree, seed, m, **{"noise" if k == "bruit" else k: v
                                                                for k, v in data.items()}),
                        rtol=1e-6, atol=1e-12)
            for m in (39, 41)
        ):
            hint = (
                "vous simulez un essai de trop ou de moins : exactement n_essais jeux de données "
                "(for essai in range(n_essais))",
                "you simulate one trial too many or too few: exactly n_essais datasets "
                "(for essai in range(n_essais))",
            )
        elif (one := _one_quantity_hint(submission, b2, var, degree, seed, data)) is not None:
            hint = one
        else:
            hint = (
                "suivez la procédure : rng = np.random.default_rng(seed), tirer_donnees(rng, n, "
                "bruit) à chaque essai (avec les arguments n et bruit reçus), np.polyfit puis "
                "np.polyval sur X_EVAL, np.var sans correction",
                "follow the procedure: rng = np.random.default_rng(seed), tirer_donnees(rng, n, "
                "noise) at each trial, np.polyfit then np.polyval on X_EVAL, np.var without "
                "correction",
            )
        raise CheckFailed(
            f"{call} : ce n'est pas le résultat de la simulation de référence ; {hint[0]}",
            f"{call}: not the result of the reference simulation; {hint[1]}",
        )
    # The grader passes n_essais; the notebook's demo (biais_variance(d, seed=0)) does not.
    assert_signature_defaults(submission, "biais_variance", {"n_essais": 100, "n": 30, "bruit": 0.3})


def _close(a: float, b: float) -> bool:
    return bool(np.isclose(a, b, rtol=1e-6, atol=1e-12))


def _one_quantity_hint(submission, b2: float, var: float, degree: int, seed: int,
                       data: dict) -> tuple[str, str] | None:
    """When one of the two values is the simulation's and the other is not: the hint about the
    wrong one (its usual mistakes named), since the shared procedure (rng, data, fits) is right."""
    ref_b2, ref_var, b2_alt, var_alt = _simulate(
        submission, degree, seed, 40, **{"noise" if k == "bruit" else k: v for k, v in data.items()})
    if _close(var, ref_var) and not _close(b2, ref_b2):
        if _close(b2, b2_alt["square_of_mean"]):
            return (
                "la variance est juste, pas le biais² : vous élevez au carré la MOYENNE des "
                "écarts ; le biais² est la moyenne sur X_EVAL des CARRÉS (prédiction moyenne − "
                "f)², np.mean((moyenne − f_vraie(X_EVAL)) ** 2)",
                "the variance is right, not bias²: you square the MEAN of the gaps; bias² is "
                "the mean over X_EVAL of the SQUARES (mean prediction − f)², "
                "np.mean((mean − f_vraie(X_EVAL)) ** 2)",
            )
        return (
            "la variance est juste, pas le biais² : c'est la moyenne sur X_EVAL de (prédiction "
            "moyenne sur les essais − f_vraie)², contre la fonction vraie f_vraie (sans bruit)",
            "the variance is right, not bias²: it is the mean over X_EVAL of (mean prediction "
            "over the trials − f_vraie)², against the true function f_vraie (no noise)",
        )
    if _close(b2, ref_b2) and not _close(var, ref_var):
        if _close(var, var_alt["ddof1"]):
            return (
                "le biais² est juste, pas la variance : np.var sans correction (ddof=0, le "
                "défaut), pas ddof=1",
                "bias² is right, not the variance: np.var without correction (ddof=0, the "
                "default), not ddof=1",
            )
        return (
            "le biais² est juste, pas la variance : pour chaque point de X_EVAL, la variance "
            "des prédictions sur les essais (np.var(preds, axis=0)), puis sa moyenne sur X_EVAL",
            "bias² is right, not the variance: at each point of X_EVAL, the variance of the "
            "predictions over the trials (np.var(preds, axis=0)), then its mean over X_EVAL",
        )
    return None


def _trends_hold(res: dict) -> bool:
    (b1, v1), (b3, v3), (b15, v15) = res[1], res[3], res[15]
    return b1 > b3 and v15 > v3 and b1 > v1 and v15 > b15


def _is_reference(submission, res: dict, seed: int) -> bool:
    """Whether the student's (bias², variance) at degrees 1, 3 and 15 are the reference
    simulation's for this seed (run in the kernel, as test_biais_variance_matches_simulation)."""
    return all(np.allclose(res[d], _reference(submission, d, seed, 40), rtol=1e-6, atol=1e-12)
               for d in res)


@pytest.mark.item("biais_variance", points=0.5)
def test_biais_variance_trends(submission, rng):
    """The four trends on the student's simulation with a grader seed. A random band: the
    seed is drawn again at every edit of the notebook. Measured on the reference simulation over
    50,000 seeds: all four held every time, the tightest ratios bias²(1)/bias²(3) ≥ 21,
    variance(15)/variance(3) ≥ 260, bias²(1)/variance(1) ≥ 4.2, variance(15)/bias²(15) ≥ 8.5
    (normal fits of their logs put the tightest, variance(15)/variance(3), 4.4 standard
    deviations from 1: about 4e-6 per seed). So the reference's own values are accepted outright
    (a seed where the true trends do not show is not the student's fault), and other values
    lose the point only if the trends fail on a second, fresh seed too: a correct answer never
    loses it; a wrong one whose trends fail by the luck of one seed (p ≤ 4e-6) keeps it."""
    seed = int(rng.integers(0, 100_000))
    res = {d: _student(submission, d, seed, 40) for d in (1, 3, 15)}
    (b1, v1), (b3, v3), (b15, v15) = res[1], res[3], res[15]
    record_margin("bias² at degree 1 vs bias² at degree 3", b1, b3, higher_is_better=True)
    record_margin("variance at degree 15 vs variance at degree 3", v15, v3, higher_is_better=True)
    record_margin("bias² vs variance at degree 1", b1, v1, higher_is_better=True)
    record_margin("variance vs bias² at degree 15", v15, b15, higher_is_better=True)
    if not _trends_hold(res) and not _is_reference(submission, res, seed):
        fresh = (seed + 7919) % 100_000
        if _trends_hold({d: _student(submission, d, fresh, 40) for d in (1, 3, 15)}):
            return
        # "Swapped?" only when swapping the two values would give the expected trends.
        swapped = v1 > v3 and b15 > b3 and v1 > b1 and b15 > v15
        ask = (
            ("biais² et variance sont-ils échangés ?", "are bias² and variance swapped?")
            if swapped else
            ("vérifiez le biais², moyenne sur X_EVAL de (prédiction moyenne − f_vraie)², et la "
             "variance, moyenne sur X_EVAL de la variance des prédictions sur les essais",
             "check bias², the mean over X_EVAL of (mean prediction − f_vraie)², and the "
             "variance, the mean over X_EVAL of the predictions' variance over the trials")
        )
        # The trends that fail, in words: the student's six values are not shown (some of
        # them may be right, and their digits would be the reference simulation's).
        failed = [(fr, en) for ok, fr, en in (
            (b1 > b3, "le biais² ne baisse pas du degré 1 au degré 3",
             "bias² does not fall from degree 1 to degree 3"),
            (v15 > v3, "la variance ne monte pas du degré 3 au degré 15",
             "variance does not rise from degree 3 to degree 15"),
            (b1 > v1, "au degré 1, le biais² ne domine pas la variance",
             "at degree 1, bias² does not dominate variance"),
            (v15 > b15, "au degré 15, la variance ne domine pas le biais²",
             "at degree 15, variance does not dominate bias²"),
        ) if not ok]
        raise CheckFailed(
            "tendances avec une graine du correcteur : "
            + " ; ".join(fr for fr, _ in failed)
            + " ; attendu : le biais² domine au degré 1 (sous-apprentissage), la variance au "
            "degré 15 (sur-apprentissage), le biais² baisse de 1 à 3 et la variance monte de 3 à "
            f"15 ; {ask[0]}",
            "trends with one of the grader's seeds: "
            + "; ".join(en for _, en in failed)
            + "; expected: bias² dominates at degree 1 (under-fitting), variance at degree 15 "
            "(over-fitting), bias² falls from 1 to 3 and variance rises from 3 to 15; "
            f"{ask[1]}",
        )
