"""Hidden checks, part 1: reliability bins, ECE and temperature scaling on grader inputs.

References: autograder.checks.reliability_bins/ece (equal-width bins, confidence 1.0 in
the last bin) and a scipy NLL minimisation in float64. The over-confident classifier is
built here; its labels only enter the kernel for the validation split.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax

from autograder.checks import (
    CheckFailed,
    StudentError,
    arguments_after_call,
    as_array,
    as_float,
    assert_arguments_untouched,
    changed_argument_names,
    ece,
    fmt_order,
    record_expected,
    record_margin,
    reliability_bins,
)


def _exact_edges(n_bins: int) -> bool:
    """m / n_bins is exact in binary (and in np.linspace) only for a power of two."""
    return n_bins & (n_bins - 1) == 0


def _ece_inputs(rng, n_bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Confidences in [0.3, 1] (a few in [0.01, 0.3), so the first bin is never empty) with
    exact 1.0s and an emptied middle bin, every bin's gap on a drawn side; ON the edges m/M
    (about 15 %) when M is a power of two, where every way of computing m/M agrees; off the
    edges otherwise (m/15 is not exact, so its bin would depend on rounding)."""
    n = int(rng.integers(300, 700))
    conf = rng.uniform(0.3, 1.0, size=n)
    low = rng.uniform(size=n) < 0.06
    conf[low] = rng.uniform(0.01, 0.3, size=int(low.sum()))
    conf[rng.uniform(size=n) < 0.12] = 1.0
    near_edge = (np.abs(conf * n_bins - np.round(conf * n_bins)) < 1e-6) & (conf < 1.0)
    conf[near_edge] -= 0.3 / n_bins
    if _exact_edges(n_bins):
        on_edge = (rng.uniform(size=n) < 0.15) & (conf < 1.0)
        conf[on_edge] = rng.integers(int(0.3 * n_bins) + 1, n_bins, size=int(on_edge.sum())) / n_bins
    conf[:3] = rng.uniform(0.01, 0.9 / n_bins, size=3)  # the first bin [0, 1/M) is never empty
    conf[3:6] = rng.uniform(1.1 / n_bins, 1.9 / n_bins, size=3)  # nor the second
    # An emptied middle bin, never the last two: the last bin must have a full neighbour.
    empty = int(rng.integers(int(0.5 * n_bins), n_bins - 2))
    conf = conf[(conf < empty / n_bins) | (conf >= (empty + 1) / n_bins)]
    # Over-confident in even bins, under-confident in odd ones: the gaps of neighbouring bins
    # have opposite signs, so a prediction put in the wrong neighbour changes the ECE.
    index = np.minimum(np.floor(conf * n_bins), n_bins - 1).astype(int)
    even = index % 2 == 0
    ok = (rng.uniform(size=conf.size) < np.where(even, conf**2, np.sqrt(conf))).astype(np.int64)
    return conf, _opposite_gaps(conf, ok, index)


def _opposite_gaps(conf: np.ndarray, ok: np.ndarray, index: np.ndarray) -> np.ndarray:
    """`ok` with every bin's gap drawn on purpose, not left to chance: a bin of a few
    predictions can come out on the wrong side, or barely off zero, and then merging it with a
    neighbour (an index off by one at the first or last bin) would leave the ECE unchanged.
    Each bin's total gap Σ(correct − confidence) is made at least half a prediction wide
    (or 90 % of the widest it can be, for a bin of small confidences)."""
    ok = ok.copy()
    for m in np.unique(index):
        members = np.flatnonzero(index == m)
        over = m % 2 == 0  # even bins: fewer correct than confident
        room = conf[members].sum() if over else (1 - conf[members]).sum()
        need = min(0.5, 0.9 * room)
        for i in members:
            total = (ok[members] - conf[members]).sum()
            if (-total if over else total) >= need:
                break
            ok[i] = 0 if over else 1
    return ok


def _alt_bins(conf, ok, n_bins, keys):
    """Bins assigned from `keys` (a wrong choice), counts/means over conf and ok."""
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    index = np.clip(np.searchsorted(edges, keys, side="right") - 1, 0, n_bins - 1)
    count = np.bincount(index, minlength=n_bins).astype(float)
    div = np.maximum(count, 1.0)
    return {
        "compte": count,
        "confiance": np.bincount(index, weights=conf, minlength=n_bins) / div,
        "precision": np.bincount(index, weights=ok.astype(float), minlength=n_bins) / div,
    }


def _ece_of(b) -> float:
    return float(np.sum(b["compte"] / b["compte"].sum() * np.abs(b["precision"] - b["confiance"])))


_ON_CORRECT = (
    "vous répartissez les prédictions dans les bins selon leur exactitude (correct) et non "
    "selon leur confiance : le bin d'une prédiction est celui de sa confiance",
    "you assign predictions to bins by their correctness, not by their confidence: a "
    "prediction's bin is the one of its confidence",
)
_WRONG_SIDE = (
    "une confiance égale à un bord m/M va dans le bin qui FINIT là au lieu de celui qui "
    "commence là : les bins sont [m/M, (m+1)/M), fermés à gauche (seul 1.0 va dans le "
    "dernier bin, fermé à droite) ; p. ex. np.searchsorted(bords, confiances, side=\"right\") − 1",
    "a confidence equal to an edge m/M goes to the bin that ENDS there instead of the one "
    "that starts there: the bins are [m/M, (m+1)/M), closed on the left (only 1.0 goes to the "
    "last bin, closed on the right); e.g. np.searchsorted(edges, confidences, side=\"right\") − 1",
)


def _right_closed_bins(conf, ok, n_bins):
    """Bins (m/M, (m+1)/M], the other side: what np.digitize(right=True) or ceil give."""
    index = np.clip(np.ceil(conf * n_bins).astype(int) - 1, 0, n_bins - 1)
    count = np.bincount(index, minlength=n_bins).astype(float)
    div = np.maximum(count, 1.0)
    return {
        "compte": count,
        "confiance": np.bincount(index, weights=conf, minlength=n_bins) / div,
        "precision": np.bincount(index, weights=ok.astype(float), minlength=n_bins) / div,
    }


_DROPS_ONE = (
    "les confiances exactement égales à 1.0 sont perdues : elles vont dans le dernier bin "
    "(fermé à droite), par exemple avec np.clip sur l'indice",
    "confidences of exactly 1.0 are lost: they belong to the last bin (closed on the right), "
    "e.g. with np.clip on the index",
)


@pytest.mark.item("ece", points=1.5)
def test_fiabilite_matches_reference(submission, rng):
    for n_bins in (15, int(rng.choice([8, 16]))):
        conf, ok = _ece_inputs(rng, n_bins)
        what = "(prédictions du correcteur, n_bins donné)"
        # 15 bins through the signature's default, as ece(confiances, correct) is called.
        if n_bins == 15:
            what = "(prédictions du correcteur, n_bins par défaut)"
            got = submission.call("fiabilite", conf, ok)
        else:
            got = submission.call("fiabilite", conf, ok, n_bins=n_bins)
        if not isinstance(got, dict) or set(got) != {"compte", "confiance", "precision"}:
            raise CheckFailed(
                'fiabilite doit renvoyer un dict de clés "compte", "confiance" et "precision"',
                'fiabilite must return a dict with keys "compte", "confiance" and "precision"',
            )
        sizes = {np.size(v) for v in got.values()}
        if n_bins == 15 and sizes != {15}:
            raise CheckFailed(
                f"fiabilite(confiances, correct) sans n_bins renvoie des tableaux de {sorted(sizes)} "
                "bins : n_bins vaut 15 par défaut (def fiabilite(confiances, correct, n_bins=15))",
                f"fiabilite(confiances, correct) without n_bins returns arrays of {sorted(sizes)} "
                "bins: n_bins is 15 by default (def fiabilite(confiances, correct, n_bins=15))",
            )
        if n_bins != 15 and sizes == {15}:
            raise CheckFailed(
                "fiabilite(confiances, correct, n_bins=...) renvoie 15 bins, le défaut, quand on "
                "lui en demande un autre nombre : utilisez l'argument n_bins reçu (bords "
                "np.linspace(0, 1, n_bins + 1), tableaux de longueur n_bins), pas 15 écrit en dur",
                "fiabilite(confiances, correct, n_bins=...) returns 15 bins, the default, when "
                "asked for another number: use the n_bins argument received (edges "
                "np.linspace(0, 1, n_bins + 1), arrays of length n_bins), not a hard-coded 15",
            )
        # The default case's size is checked above against the signature's public default
        # (15); only a drawn n_bins is a shape the grader expects on its own input.
        shape = (None,) if n_bins == 15 else (n_bins,)
        got = {k: as_array(got[k], f'fiabilite {what}["{k}"]', shape=shape) for k in got}
        ref_bins = reliability_bins(conf, ok, n_bins)
        ref = {
            "compte": np.array([b.count for b in ref_bins], dtype=float),
            "confiance": np.array([b.mean_confidence for b in ref_bins]),
            "precision": np.array([b.accuracy for b in ref_bins]),
        }
        # Counts exactly; means within float32 rounding (a fiabilite computed in float32 is
        # off by ~3e-7 relative; the wrong answers move whole bins).
        tols = {"compte": (0.0, 1e-9), "confiance": (1e-5, 1e-7), "precision": (1e-5, 1e-7)}
        if all(np.allclose(got[k], ref[k], rtol=tols[k][0], atol=tols[k][1]) for k in ref):
            continue
        hint = (
            "chaque prédiction va dans le bin [m/M, (m+1)/M) de sa confiance, 1.0 dans le "
            "dernier ; confiance moyenne et fraction correcte par bin, 0 pour un bin vide",
            "each prediction goes to the bin [m/M, (m+1)/M) of its confidence, 1.0 to the "
            "last one; mean confidence and fraction correct per bin, 0 for an empty bin",
        )
        counts_right = np.allclose(got["compte"], ref["compte"], rtol=0.0, atol=1e-9)
        if counts_right:
            # The bins are right (every count): only what is averaged in them can be wrong; the
            # hints about bin edges below would then blame a placement that is correct.
            hint = _per_bin_mean_hint(got, ref, n_bins)
        elif np.allclose(got["compte"], _alt_bins(conf, ok, n_bins, ok.astype(float))["compte"]):
            hint = _ON_CORRECT
        elif np.allclose(got["compte"], _right_closed_bins(conf, ok, n_bins)["compte"]):
            hint = _WRONG_SIDE
        elif np.allclose(
            got["compte"], _alt_bins(conf[conf < 1], ok[conf < 1], n_bins, conf[conf < 1])["compte"]
        ):
            hint = _DROPS_ONE
        elif got["compte"][0] == 0 and ref["compte"][0] > 0:
            hint = (
                "votre premier bin [0, 1/M) est vide alors que des confiances y tombent : "
                "l'indice d'un bin va de 0 à M − 1 (np.clip(indice, 0, n_bins − 1))",
                "your first bin [0, 1/M) is empty although confidences fall in it: a bin's "
                "index runs from 0 to M − 1 (np.clip(index, 0, n_bins − 1))",
            )
        bad = [k for k in ref if not np.allclose(got[k], ref[k], rtol=tols[k][0], atol=tols[k][1])]
        raise CheckFailed(
            f'fiabilite {what} : "{bad[0]}" ne correspond pas à la référence ; {hint[0]}',
            f'fiabilite {what}: "{bad[0]}" does not match the reference; {hint[1]}',
        )


def _per_bin_mean_hint(got: dict, ref: dict, n_bins: int) -> tuple[str, str]:
    """The hint when fiabilite's counts are right but its per-bin means are not: which mean,
    and the usual ways to get it wrong (a bin's centre or edge as its confidence, the two
    means swapped, something left in the empty bins)."""
    full = ref["compte"] > 0
    lo = np.arange(n_bins) / n_bins
    shapes = {
        "centre": (lo + 0.5 / n_bins, "le centre du bin", "the bin's centre"),
        "left": (lo, "le bord gauche du bin", "the bin's left edge"),
        "right": (lo + 1.0 / n_bins, "le bord droit du bin", "the bin's right edge"),
    }
    conf_ok = np.allclose(got["confiance"], ref["confiance"], rtol=1e-5, atol=1e-7)
    prec_ok = np.allclose(got["precision"], ref["precision"], rtol=1e-5, atol=1e-7)
    if not conf_ok and not prec_ok and np.allclose(got["confiance"], ref["precision"], atol=1e-7) \
            and np.allclose(got["precision"], ref["confiance"], atol=1e-7):
        return (
            '"confiance" et "precision" sont échangées : "confiance" est la confiance moyenne '
            'du bin, "precision" la fraction de ses prédictions correctes',
            '"confiance" and "precision" are swapped: "confiance" is the bin\'s mean '
            'confidence, "precision" the fraction of its predictions that are correct',
        )
    if (conf_ok and prec_ok) or (
        np.allclose(got["confiance"][full], ref["confiance"][full], rtol=1e-5, atol=1e-7)
        and np.allclose(got["precision"][full], ref["precision"][full], rtol=1e-5, atol=1e-7)
    ):
        return (
            "les bins non vides sont justes, mais un bin vide doit valoir 0 en confiance et en "
            "précision",
            "the non-empty bins are right, but an empty bin must hold 0 for both its "
            "confidence and its accuracy",
        )
    if not conf_ok:
        for grid, fr, en in shapes.values():
            if np.allclose(got["confiance"][full], grid[full], atol=1e-7):
                return (
                    f'les comptes sont justes, mais votre "confiance" d\'un bin est {fr} : '
                    "c'est la MOYENNE des confiances des prédictions qui y tombent (somme des "
                    "confiances du bin / son compte), 0 pour un bin vide",
                    f'the counts are right, but your "confiance" of a bin is {en}: it is the '
                    "MEAN of the confidences of the predictions that fall in it (sum of the "
                    "bin's confidences / its count), 0 for an empty bin",
                )
        return (
            'les comptes sont justes, mais pas la "confiance" : pour chaque bin, la moyenne '
            "des confiances de SES prédictions (somme des confiances du bin / son compte), 0 "
            "pour un bin vide",
            'the counts are right, but not "confiance": for each bin, the mean of the '
            "confidences of ITS predictions (sum of the bin's confidences / its count), 0 for "
            "an empty bin",
        )
    return (
        'les comptes sont justes, mais pas la "precision" : pour chaque bin, la fraction de '
        "SES prédictions qui sont correctes (somme de correct sur le bin / son compte), 0 pour "
        "un bin vide",
        'the counts are right, but not "precision": for each bin, the fraction of ITS '
        "predictions that are correct (sum of correct over the bin / its count), 0 for an "
        "empty bin",
    )


def _untouched(submission, fn: str, rng) -> None:
    """fn(confiances, correct) leaves both arrays as they were (confidences of exactly 1.0
    included: a clip written into confiances moves them)."""
    conf, ok = _ece_inputs(rng, 15)
    assert_arguments_untouched(
        submission, fn, (conf, ok), {0: "confiances", 1: "correct"},
        hint_fr="travaillez sur une copie (np.array(confiances, dtype=float)) : pas de "
        "np.clip(..., out=confiances), ni de confiances[...] = ...",
        hint_en="work on a copy (np.array(confiances, dtype=float)): no "
        "np.clip(..., out=confiances), nor confiances[...] = ...",
    )


@pytest.mark.item("ece", points=1.5)
def test_ece_matches_reference(submission, rng):
    for n_bins in (15, int(rng.choice([8, 16]))):
        conf, ok = _ece_inputs(rng, n_bins)
        what = ("(prédictions du correcteur, n_bins par défaut)" if n_bins == 15
                else "(prédictions du correcteur, n_bins donné)")
        if n_bins == 15:
            raw = submission.call("ece", conf, ok)
        else:
            raw = submission.call("ece", conf, ok, n_bins=n_bins)
        got = as_float(raw, f"ece {what}")
        want = ece(conf, ok, n_bins)
        record_expected(what, want)
        record_margin(
            f"absolute error of ece vs reference, n_bins={n_bins}",
            abs(got - want),
            1e-7 + 1e-6 * want,
            higher_is_better=False,
            kind="tolerance",
        )
        if abs(got - want) <= 1e-7 + 1e-6 * want:
            continue
        ref = _alt_bins(conf, ok, n_bins, conf)
        full = ref["compte"] > 0
        unweighted = float(np.mean(np.abs(ref["precision"] - ref["confiance"])[full]))
        keep = conf < 1
        if n_bins != 15 and abs(got - ece(conf, ok, 15)) <= 1e-7 + 1e-6 * want:
            hint = (
                f"votre ECE est celle de 15 bins, pas des n_bins = {n_bins} demandés : ece "
                "doit utiliser son argument n_bins (le transmettre à fiabilite)",
                f"your ECE is the one of 15 bins, not of the n_bins = {n_bins} asked for: ece "
                "must use its argument n_bins (pass it on to fiabilite)",
            )
        elif abs(got - unweighted) < 1e-7:
            hint = (
                "votre ECE est la moyenne simple des écarts des bins : chaque bin doit être "
                "pondéré par sa population |B_m|/N",
                "your ECE is the plain mean of the bins' gaps: each bin must be weighted by "
                "its population |B_m|/N",
            )
        elif abs(got - _ece_of(_alt_bins(conf, ok, n_bins, ok.astype(float)))) < 1e-7:
            hint = _ON_CORRECT
        elif abs(got - _ece_of(_right_closed_bins(conf, ok, n_bins))) < 1e-7:
            hint = _WRONG_SIDE
        elif abs(got - _ece_of(_alt_bins(conf[keep], ok[keep], n_bins, conf[keep]))) < 1e-7:
            hint = _DROPS_ONE
        elif abs(got - _ece_of({**ref, "confiance": np.where(
                full, (np.arange(n_bins) + 0.5) / n_bins, 0.0)})) < 1e-7:
            hint = (
                "conf(B_m) est la confiance MOYENNE des prédictions du bin, pas le centre du "
                "bin ; ECE = Σ_m |B_m|/N · |acc(B_m) − conf(B_m)|",
                "conf(B_m) is the MEAN confidence of the bin's predictions, not the bin's "
                "centre; ECE = Σ_m |B_m|/N · |acc(B_m) − conf(B_m)|",
            )
        else:
            hint = (
                "ECE = Σ_m |B_m|/N · |acc(B_m) − conf(B_m)|, bins de même largeur sur la confiance",
                "ECE = Σ_m |B_m|/N · |acc(B_m) − conf(B_m)|, equal-width bins on the confidence",
            )
        # The gap to one digit, never the student's ECE: close to the reference, its digits
        # would give the expected value back (blind round 21).
        gap = fmt_order(abs(got - want))
        raise CheckFailed(
            f"ece {what} : écart de l'ordre de {gap} avec l'ECE de référence ; {hint[0]}",
            f"ece {what}: off by about {gap} from the reference ECE; {hint[1]}",
        )


@pytest.mark.item("ece", points=0.5)
def test_ece_functions_leave_arguments(submission, rng):
    """The statement's rule (no function modifies the arrays it receives), for fiabilite and
    ece: one fault, one check. The value checks above grade what the functions return (the
    kernel receives its own copy of the grader's arrays), so an in-place write that leaves the
    result right costs these points only (blind round 21: 3.5 points for a 1.0 moved by 1e-16)."""
    for fn in ("fiabilite", "ece"):
        _untouched(submission, fn, rng)


# ---------------------------------------------------------------- temperature scaling


def _overconfident(rng, n: int, k: int, t_true: float) -> tuple[np.ndarray, np.ndarray]:
    z = 1.5 * rng.normal(size=(n, k))
    p = softmax(z, axis=1)
    y = np.minimum((rng.uniform(size=(n, 1)) > np.cumsum(p, axis=1)).sum(axis=1), k - 1)
    return t_true * z, y.astype(np.int64)


def _nll_optimum(logits: np.ndarray, y: np.ndarray) -> float:
    rows = np.arange(len(y))

    def nll(log_t: float) -> float:
        return float(-log_softmax(logits / np.exp(log_t), axis=1)[rows, y].mean())

    res = minimize_scalar(
        nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded", options={"xatol": 1e-9}
    )
    return float(np.exp(res.x))


def _setup(rng):
    k = int(rng.integers(5, 11))
    t_true = float(rng.uniform(1.8, 3.5))
    val = _overconfident(rng, 1500, k, t_true)
    test = _overconfident(rng, 2000, k, t_true)
    return k, val, test


# The statement asks for T within 0.1 %; correct code (float32 probabilities, a guarded log, a
# golden section, a fine grid) lands within 0.03 % of the float64 optimum (6 variants, 20 seeds
# per range of T). A grid without the fine step (5 % apart), or a fine step of 0.01 in absolute
# terms (up to 7 % off at T ≈ 0.07), is off by more than 0.5 % on most of these cases.
T_TOLERANCE = 0.005
CLOSE = 0.10  # every case within 10 %: the search is the right one, only its precision is not
# The first classifier's validation examples are sent a second time in the reverse order: the
# mean NLL over the N examples, hence its optimum, does not depend on their order (a correct
# search returns the same T, to its 0.1 % step at worst); a search on part of the examples (the
# first 500, a sample drawn with a fixed seed, a few mini-batches) finds another T.
REVERSED = "trop confiant (ses exemples dans l'ordre inverse)"


@pytest.mark.item("temperature", points=1.5)
def test_temperature_matches_nll_optimum(submission, rng):
    k, (lv, yv), _ = _setup(rng)
    cases = [_temperature_case(submission, lv, yv, "trop confiant")]
    # The whole range of the statement's grid (0.05 to 20), not only T around 2 to 3: a very
    # over-confident, an under-confident and a very under-confident classifier (optimal T far
    # above 5, below 0.5, below 0.1: where a grid step fixed in absolute terms is too coarse).
    for t_true, kind in ((float(rng.uniform(8.0, 12.0)), "très confiant"),
                         (float(rng.uniform(0.2, 0.35)), "peu confiant"),
                         (float(rng.uniform(0.06, 0.1)), "très peu confiant")):
        k2 = int(rng.integers(5, 11))
        lv2, yv2 = _overconfident(rng, 1500, k2, t_true)
        if kind == "très peu confiant":
            # Its optimum moved on purpose (logits scaled) to 0.0625, 0.0675, ... 0.0875: a
            # quarter of 0.01 from the round values, half of 0.001, where a fine grid of
            # absolute step 0.01 (or 0.005, or 0.001) is off by 0.6 % to 4 %.
            target = 0.01 * int(rng.integers(6, 9)) + float(rng.choice([0.0025, 0.0075]))
            lv2 = lv2 * (target / _nll_optimum(lv2, yv2))
        cases.append(_temperature_case(submission, lv2, yv2, kind))
    # Labels of which 30 % are redrawn at random: no T calibrates it exactly, so the NLL's
    # optimum is no longer every calibration measure's (a squared error on the confidence
    # lands 13-15 % lower, measured over 6 seeds).
    k3 = int(rng.integers(5, 11))
    lv3, yv3 = _overconfident(rng, 1500, k3, float(rng.uniform(1.8, 3.5)))
    noisy = rng.uniform(size=len(yv3)) < 0.3
    yv3 = np.where(noisy, rng.integers(0, k3, size=len(yv3)), yv3).astype(np.int64)
    cases.append(_temperature_case(submission, lv3, yv3, "aux étiquettes bruitées"))
    cases.append(_temperature_case(submission, lv[::-1].copy(), yv[::-1].copy(), REVERSED))
    # Every case first: the hint about the search's precision needs all of them.
    for case in cases:
        if case[3] > T_TOLERANCE:
            _fail_temperature(submission, cases, case)
    # The statement: the logits array received is left as it was.
    changed = changed_argument_names(submission, "ajuster_temperature", (lv, yv),
                                     {0: "logits_val", 1: "y_val"})
    if changed:
        if "logits_val" in changed:
            # The write seen where it happens: appliquer_temperature's, or ajuster's own.
            which = _modified_in_place(submission, lv, yv)
            fn, args, arg = ((which[0], (lv, 1.7), "logits") if which and
                             which[0] == "appliquer_temperature" else
                             ("ajuster_temperature", (lv, yv), "logits_val"))
            op = which[1] if which else _in_place_write(submission, fn, args)
            hint = _in_place_hint(op, arg)
            if fn == "appliquer_temperature":
                hint = (f"c'est appliquer_temperature, qu'elle appelle, qui écrit dans logits : "
                        f"{hint[0]}", f"appliquer_temperature, which it calls, writes into "
                        f"logits: {hint[1]}")
        else:
            hint = ("travaillez sur une copie de y_val (np.asarray(y_val).astype(int) en crée "
                    "une), sans rien y écrire", "work on a copy of y_val "
                    "(np.asarray(y_val).astype(int) makes one), writing nothing into it")
        raise CheckFailed(
            f"ajuster_temperature modifie sur place ce qu'on lui passe ({', '.join(changed)}) : la "
            f"consigne demande de ne pas modifier les arguments ; {hint[0]}",
            f"ajuster_temperature modifies what it is given in place ({', '.join(changed)}): the "
            f"statement asks not to modify the arguments; {hint[1]}",
        )


_KINDS = {"trop confiant": "over-confident", "très confiant": "very over-confident",
          "peu confiant": "under-confident", "très peu confiant": "very under-confident",
          "aux étiquettes bruitées": "noisy-label",
          REVERSED: "over-confident (the same examples in the reverse order)"}


def _temperature_case(submission, lv: np.ndarray, yv: np.ndarray, kind: str):
    """(kind, student's T, NLL-optimal T, relative error) on one grader classifier."""
    want = _nll_optimum(lv, yv)
    raw = submission.call("ajuster_temperature", lv, yv)
    if np.ndim(raw) != 0:
        raise CheckFailed(
            f"ajuster_temperature renvoie un tableau de forme {np.shape(raw)} : la consigne "
            "demande un float (float(T), ou grille[i] avec un indice entier, pas grille[[i]])",
            f"ajuster_temperature returns an array of shape {np.shape(raw)}: the statement asks "
            "for a float (float(T), or grid[i] with an integer index, not grid[[i]])",
        )
    got = as_float(raw, "ajuster_temperature")
    record_expected(f"T optimal ({_KINDS[kind]})", want)
    err = abs(got / want - 1)
    record_margin(
        f"relative error of T vs the NLL-optimal T ({_KINDS[kind]})",
        err,
        T_TOLERANCE,
        higher_is_better=False,
        kind="tolerance",
    )
    return kind, got, want, err, lv, yv


def _fail_temperature(submission, cases: list, case) -> None:
    kind, got, want, err, lv, yv = case
    in_place = _modified_in_place(submission, lv, yv)
    # A shift of each row leaves every softmax, hence the NLL and T, as they were: only a
    # write that rescales (or otherwise changes) the logits explains a wrong T.
    if in_place and in_place[1] != "shift":
        fn, op = in_place
        arg = "logits" if fn == "appliquer_temperature" else "logits_val"
        fix = _in_place_hint(op, arg)
        done = {"scale": ("divisés", "divided"), "both": ("décalés et divisés", "shifted and divided")}
        how = done.get(op, ("modifiés", "changed"))
        hint = (
            f"{fn} modifie sur place le tableau de logits qu'on lui passe : chaque calcul de la "
            f"NLL part alors de logits déjà {how[0]} par les essais précédents, et la recherche "
            f"de T se fait sur de mauvaises valeurs ; {fix[0]}",
            f"{fn} modifies the logits array it is given in place: each NLL evaluation then "
            f"starts from logits already {how[1]} by the previous ones, and T is searched on "
            f"wrong values; {fix[1]}",
        )
    elif abs(got * want - 1) < 0.05:
        hint = (
            "vous obtenez environ 1/T : vos logits sont multipliés par T au lieu d'être "
            "divisés, softmax(z / T)",
            "you get about 1/T: your logits are multiplied by T instead of divided, softmax(z / T)",
        )
    elif _overflows(submission, lv) or (got < 0.06 <= 0.5 * want):
        # NaN in the NLL at the small T of the grid: np.argmin stops on the first NaN, which
        # lies at the bottom of the range (T ≈ 0.05), whatever the optimum.
        hint = (
            "aux petites valeurs de T, logits / T est grand et exp(logits / T) déborde : les "
            "probabilités (donc la NLL) deviennent NaN ou inf, et la recherche s'arrête au bas de "
            "la plage (np.argmin renvoie la position d'un NaN) ; soustrayez le maximum de chaque "
            "ligne avant l'exponentielle dans appliquer_temperature (softmax stable)",
            "at small values of T, logits / T is large and exp(logits / T) overflows: the "
            "probabilities (hence the NLL) become NaN or inf, and the search stops at the bottom "
            "of the range (np.argmin returns the position of a NaN); subtract each row's maximum "
            "before the exponential in appliquer_temperature (stable softmax)",
        )
    elif _order_dependent(submission, cases):
        # The premise: the same examples in another order give another T, which no function of
        # the mean NLL over all of them does.
        hint = (
            "votre T dépend de l'ORDRE des exemples de validation : les mêmes exemples, présentés "
            "dans un autre ordre, donnent un autre T, alors que la NLL moyenne sur les N "
            "exemples n'en dépend pas ; votre recherche n'utilise qu'une PARTIE des exemples (les "
            "premiers, un échantillon, quelques mini-lots) et trouve la température optimale de "
            "ce sous-ensemble, pas celle de la validation ; calculez la NLL sur TOUS les exemples "
            "reçus, logits_val et y_val entiers",
            "your T depends on the ORDER of the validation examples: the same examples, in "
            "another order, give another T, whereas the mean NLL over the N examples does not "
            "depend on it; your search uses only PART of the examples (the first ones, a sample, "
            "a few mini-batches) and finds the optimal temperature of that subset, not the "
            "validation split's; compute the NLL on ALL the examples received, the whole "
            "logits_val and y_val",
        )
    elif len(cases) == 6 and all(c[3] <= CLOSE for c in cases):
        # The premise: on every classifier, calibrated or not, T lands near the NLL optimum.
        hint = (
            "votre T est proche de l'optimum sur chacun des classifieurs du correcteur, mais pas "
            "assez précis : la consigne vise 0,1 % ; après la grille grossière, affinez avec une "
            "grille fine autour du meilleur point, de pas RELATIF (p. ex. meilleur · "
            "exp(np.linspace(−0.06, 0.06, 121))), un pas absolu comme 0,01 est trop gros pour "
            "les petits T",
            "your T is close to the optimum on each of the grader's classifiers, but not precise "
            "enough: the statement aims at 0.1 %; after the coarse grid, refine with a fine grid "
            "around the best point, with a RELATIVE step (e.g. best · exp(np.linspace(−0.06, "
            "0.06, 121))); an absolute step such as 0.01 is too coarse for small T",
        )
    else:
        hint = (
            "T minimise la NLL moyenne −(1/N) Σ log softmax(z_i / T)[y_i] sur la validation "
            "(pas une autre mesure de calibration), cherchée sur toute la plage 0,05 à 20 ; "
            "un classifieur trop confiant demande T > 1, un classifieur peu confiant T < 1",
            "T minimises the mean NLL −(1/N) Σ log softmax(z_i / T)[y_i] on the validation "
            "split (not another calibration measure), searched over the whole range 0.05 to "
            "20; an over-confident classifier needs T > 1, an under-confident one T < 1",
        )
    # The student's T only when far from the optimum (off by more than 20 %: "T = 5", the end
    # of a grid, says what went wrong); closer, its digits would give the optimum back, and the
    # relative gap is written to one digit (blind round 21).
    if err > 0.2:
        found = (f"renvoie T = {got:.3g}, loin de l'optimum de la NLL",
                 f"returns T = {got:.3g}, far from the NLL optimum")
    else:
        found = (f"renvoie un T à plus de 0,5 % de l'optimum de la NLL (écart relatif de "
                 f"l'ordre de {fmt_order(err)})", f"returns a T more than 0.5% away from the "
                 f"NLL optimum (relative gap of about {fmt_order(err)})")
    raise CheckFailed(
        f"ajuster_temperature sur un classifieur {kind} du correcteur {found[0]} ; {hint[0]}",
        f"ajuster_temperature on an {_KINDS[kind]} classifier of the grader {found[1]}; "
        f"{hint[1]}",
    )


def _order_dependent(submission, cases: list) -> bool:
    """Whether the student's T on the first classifier changes with the order of its examples
    (the same optimum): `REVERSED`, then, only when a check fails, three shuffles of them. A
    correct search differs by its fine step (0.1 %) at most, float32 rounding included; one on
    part of the examples finds that part's optimum, a few % away, and two parts may happen to
    agree within 0.5 % (the reversed order alone did at one variant), four seldom do."""
    by_kind = {c[0]: c for c in cases}
    if "trop confiant" not in by_kind or REVERSED not in by_kind:
        return False
    _, first, _, _, lv, yv = by_kind["trop confiant"]
    if abs(by_kind[REVERSED][1] / first - 1) > T_TOLERANCE:
        return True
    shuffles = np.random.default_rng([len(yv), 7])
    for _ in range(3):
        order = shuffles.permutation(len(yv))
        try:
            again = as_float(submission.call("ajuster_temperature", lv[order], yv[order]),
                             "ajuster_temperature")
        except (CheckFailed, StudentError):
            return False
        if abs(again / first - 1) > T_TOLERANCE:
            return True
    return False


def _modified_in_place(submission, lv: np.ndarray, yv: np.ndarray) -> tuple[str, str] | None:
    """The hint's premise: the student's function (appliquer_temperature, else
    ajuster_temperature) that writes into the logits it receives, seen in the kernel, and what
    it writes (`_in_place_write`)."""
    for fn, args, names in (
        ("appliquer_temperature", (lv, 1.7), {0: "logits"}),
        ("ajuster_temperature", (lv, yv), {0: "logits_val"}),
    ):
        try:
            if changed_argument_names(submission, fn, args, names):
                return fn, _in_place_write(submission, fn, args)
        except (CheckFailed, StudentError):
            continue
    return None


def _in_place_write(submission, fn: str, args: tuple) -> str:
    """What the student's `fn(*args)` wrote into the logits args[0], seen in the kernel: 'shift'
    (a value subtracted from each row, such as its maximum), 'scale' (the logits multiplied by
    a number, logits /= T), 'both', or 'other' (anything else, or nothing could be read)."""
    z = np.asarray(args[0], dtype=np.float64)
    try:
        # The logits after the call, as given (float64) then in float32: np.asarray(logits,
        # dtype=float) keeps a float64 array and copies a float32 one, so a write shows in one.
        after = arguments_after_call(submission, fn, args)
    except (CheckFailed, StudentError):
        return "other"
    for w in after:
        if w is None:
            continue
        try:
            w = as_array(w[0], "logits après l'appel", shape=z.shape, allow_nan=True)
        except CheckFailed:
            continue
        if not np.isfinite(w).all():
            return "other"
        # float32 rounds logits of a few tens to about 1e-6; the writes told apart below move
        # them by whole units.
        tol = 1e-5 * max(1.0, float(np.abs(z).max()))
        if np.allclose(w, z, rtol=0.0, atol=tol):
            continue  # left as it was at this dtype
        # w = c · z + r_i, a number c and one value r_i per row?
        zc, wc = z - z.mean(axis=1, keepdims=True), w - w.mean(axis=1, keepdims=True)
        c = float((wc * zc).sum() / max(float((zc * zc).sum()), 1e-300))
        scale_tol = tol * max(1.0, abs(c))
        if not np.allclose(wc, c * zc, rtol=0.0, atol=scale_tol):
            return "other"
        scaled = abs(c - 1.0) > 1e-4
        shifted = not np.allclose(w - c * z, 0.0, rtol=0.0, atol=scale_tol)
        if scaled and shifted:
            return "both"
        return "scale" if scaled else "shift" if shifted else "other"
    return "other"


def _in_place_hint(op: str, arg: str) -> tuple[str, str]:
    """(fr, en) naming the write `_in_place_write` saw in the array `arg`, and its fix."""
    copy = (f"np.asarray({arg}, dtype=float) ne copie pas un tableau déjà en float64 (le z "
            f"qu'il renvoie est {arg} lui-même)",
            f"np.asarray({arg}, dtype=float) does not copy an array already in float64 (the z "
            f"it returns is {arg} itself)")
    fix = (f"calculez sur une copie, z = np.asarray({arg}, dtype=float) / T (un nouveau tableau), "
           "puis z = z - z.max(axis=1, keepdims=True)",
           f"compute on a copy, z = np.asarray({arg}, dtype=float) / T (a new array), then "
           "z = z - z.max(axis=1, keepdims=True)")
    what = {
        "shift": (f"une valeur est soustraite sur place de chaque ligne de {arg} (le maximum, "
                  f"pour la stabilité ?), par z -= ... ou {arg} -= ...",
                  f"a value is subtracted in place from each row of {arg} (the maximum, for "
                  f"stability?), by z -= ... or {arg} -= ..."),
        "scale": (f"{arg} est divisé (ou multiplié) sur place par un nombre, par z /= T ou "
                  f"{arg} /= T",
                  f"{arg} is divided (or multiplied) in place by a number, by z /= T or "
                  f"{arg} /= T"),
        "both": (f"{arg} est décalé ligne par ligne et divisé sur place (z -= ... et z /= T)",
                 f"{arg} is shifted row by row and divided in place (z -= ... and z /= T)"),
    }.get(op, (f"une opération en place (-=, /=, out=...) écrit dans {arg}",
               f"an in-place operation (-=, /=, out=...) writes into {arg}"))
    return f"{what[0]} ; {copy[0]} ; {fix[0]}", f"{what[1]}; {copy[1]}; {fix[1]}"


def _overflows(submission, logits: np.ndarray) -> bool:
    """Whether the student's appliquer_temperature gives NaN or inf on these logits at the
    smallest T of the statement's range (0.05), where a softmax without the max subtracted
    overflows for the grader's very confident classifier."""
    try:
        probs = as_array(submission.call("appliquer_temperature", logits, 0.05),
                         "appliquer_temperature(logits, 0.05)", allow_nan=True)
    except (CheckFailed, StudentError):
        return False
    return not np.isfinite(probs).all()


@pytest.mark.item("temperature", points=1)
def test_temperature_lowers_test_ece(submission, rng):
    # appliquer_temperature on its own first: a grader T, and logits / T of several hundreds
    # (a confident network at a small T), where exp overflows unless the max is subtracted.
    n, k = int(rng.integers(30, 80)), int(rng.integers(3, 11))
    for scale, T in ((3.0, float(rng.uniform(0.5, 3.0))), (60.0, float(rng.uniform(0.05, 0.2)))):
        z = rng.normal(scale=scale, size=(n, k))
        got = as_array(
            submission.call("appliquer_temperature", z, T),
            "appliquer_temperature(logits, T)",
            shape=(n, k),
            allow_nan=True,
        )
        want = softmax(z / T, axis=1)
        # float32 code (NumPy or torch.softmax) is off by up to 2e-4 relative here (logits / T
        # of several thousands, rounded to float32) and underflows below 1e-38; the wrong answers
        # (T multiplied, the wrong axis, an overflow) move whole probabilities.
        if np.allclose(got, want, rtol=1e-3, atol=1e-7):
            continue
        if not np.isfinite(got).all():
            raise CheckFailed(
                "appliquer_temperature(logits, T), avec de grands logits / T, renvoie des "
                "NaN ou des inf : exp(logits / T) déborde ; soustrayez le maximum de chaque "
                "ligne avant l'exponentielle (softmax stable)",
                "appliquer_temperature(logits, T), with large logits / T, returns NaN or "
                "inf: exp(logits / T) overflows; subtract each row's maximum before the "
                "exponential (stable softmax)",
            )
        if np.allclose(got, softmax(z * T, axis=1), rtol=1e-3, atol=1e-7):
            raise CheckFailed(
                "appliquer_temperature multiplie les logits par T au lieu de les diviser : "
                "softmax(logits / T)",
                "appliquer_temperature multiplies the logits by T instead of dividing: "
                "softmax(logits / T)",
            )
        raise CheckFailed(
            "appliquer_temperature(logits, T) n'est pas softmax(logits / T) ligne par ligne, "
            "sur une des entrées du correcteur",
            "appliquer_temperature(logits, T) is not softmax(logits / T) row by row, on one of "
            "the grader's inputs",
        )
    # The statement: the logits array it receives is left as it was; the hint names the write
    # seen (a shift of each row, a division, or another in-place operation).
    if changed_argument_names(submission, "appliquer_temperature", (z, 1.5), {0: "logits"}):
        hint = _in_place_hint(_in_place_write(submission, "appliquer_temperature", (z, 1.5)),
                              "logits")
        raise CheckFailed(
            "appliquer_temperature modifie sur place ce qu'on lui passe (logits) : la consigne "
            f"demande de ne pas modifier les arguments ; {hint[0]}",
            "appliquer_temperature modifies what it is given in place (logits): the statement "
            f"asks not to modify the arguments; {hint[1]}",
        )
    k, (lv, yv), (lt, yt) = _setup(rng)
    T = as_float(submission.call("ajuster_temperature", lv, yv), "ajuster_temperature")
    probs = as_array(
        submission.call("appliquer_temperature", lt, T),
        "appliquer_temperature(logits_test, T)",
        shape=lt.shape,
    )
    record_margin("largest deviation from 1 of a row sum of appliquer_temperature",
                  np.abs(probs.sum(axis=1) - 1).max(), 1e-5, higher_is_better=False,
                  kind="tolerance")
    if np.abs(probs.sum(axis=1) - 1).max() > 1e-5 or probs.min() < 0:
        raise CheckFailed(
            "appliquer_temperature(logits_test, T) : chaque ligne doit être une distribution "
            "de probabilité (positive, de somme 1)",
            "appliquer_temperature(logits_test, T): each row must be a probability "
            "distribution (non-negative, summing to 1)",
        )
    before, after = _ece_before_after(probs, lt, yt)
    record_margin("test ECE after temperature scaling vs half the ECE before", after, 0.5 * before,
                  higher_is_better=False)
    if after > 0.5 * before and _confirmed_not_halved(submission, rng):
        # The student's T is shown only when far from the validation's NLL optimum: closer,
        # its digits would give the optimum back (blind round 21).
        optimum = _nll_optimum(lv, yv)
        record_expected("T optimal (validation)", optimum)
        shown = ("", "") if abs(T / optimum - 1) <= 0.2 else (f" (T = {T:.3g})", f" (T = {T:.3g})")
        raise CheckFailed(
            f"sur le test, l'ECE après l'échelle de température{shown[0]} n'est pas "
            "au moins deux fois plus petite qu'avant : ajustez T sur la validation "
            "(minimisez la NLL) et divisez les logits par T",
            f"on the test split, the ECE after temperature scaling{shown[1]} is not at "
            "least halved: fit T on the validation split (minimise the NLL) and "
            "divide the logits by T",
        )


def _ece_before_after(probs: np.ndarray, lt: np.ndarray, yt: np.ndarray) -> tuple[float, float]:
    """The test ECE of the grader's classifier as it is, and with the student's probabilities."""
    before_p = softmax(lt, axis=1)
    before = ece(before_p.max(axis=1), before_p.argmax(axis=1) == yt)
    return before, ece(probs.max(axis=1), probs.argmax(axis=1) == yt)


CONFIRM_K = 2  # fresh classifiers that confirm a test ECE not halved


def _confirmed_not_halved(submission, rng) -> bool:
    """Whether a test ECE found not halved by the student's temperature is their T's fault and
    not the luck of the draw: the grader's classifier (validation and test) is drawn again
    CONFIRM_K times, and the mean of the ratios ECE after / ECE before must exceed 1/2 too.
    With the NLL-optimal T the ratio is 0.107 on average (standard deviation 0.035, largest 0.31
    over 20,000 draws of `_setup`; a normal fit of its log puts 1/2 five standard deviations
    away, a probability of about 3e-7 per draw); the classifiers are drawn again at every edit
    of the notebook, so without this second look a correct answer would lose the point about
    once in 3 million gradings; with it, below 1e-12 (the mean of two fresh ratios above 1/2).
    A wrong T (multiplied, out of the range, overflowing) fails on every draw."""
    ratios = []
    for _ in range(CONFIRM_K):
        _, (lv, yv), (lt, yt) = _setup(rng)
        T = as_float(submission.call("ajuster_temperature", lv, yv), "ajuster_temperature")
        probs = as_array(
            submission.call("appliquer_temperature", lt, T),
            "appliquer_temperature(logits_test, T)",
            shape=lt.shape,
        )
        before, after = _ece_before_after(probs, lt, yt)
        ratios.append(after / max(before, 1e-12))
    mean = float(np.mean(ratios))
    record_margin("mean test ECE ratio after / before on the confirming classifiers", mean, 0.5,
                  higher_is_better=False)
    return mean > 0.5
