"""Hidden checks, part 2: the Spearman rank correlation and the parameter-randomisation
sanity check (Adebayo et al., 2018).

`spearman` is compared with `scipy.stats.spearmanr` on grader arrays full of ties, and
runs through a trusted kernel-side guard that switches SciPy's `spearmanr` and `rankdata`
off during the call. For the randomisation, the grader draws a CNN (the notebook's
architecture on 8×8 digits, its own widths and weights), builds it in the kernel, calls
the student's `randomiser_couches` and reads the returned model's weights back: the named
layers must have been re-drawn, the others kept, the original model untouched. The grader
then measures itself, in float64 with autograd and scipy, the Spearman correlation
between the saliency maps |∂y_c/∂x| of the original and of the randomised models, on
digits it chooses: it must drop. The student's `correlations_cascade` must match the
grader's own computation from the statement's randomised models (it runs with the grader's
saillance, spearman and randomiser_couches, so a bug of one of those costs its own check).

Measured on the solution (300 grader seeds, 16 digits each): mean correlation 0.06–0.35
after re-initialising fc2 only, 0.02–0.32 at the next two stages, −0.02–0.20 after the
whole cascade. The thresholds (0.8 at every stage, 0.5 after the whole cascade) sit far
above; a "randomisation" that only adds N(0, 0.01²) noise to the weights keeps the
correlation above 0.99 after the first stage (0.63–0.88 after the whole cascade).
"""

from __future__ import annotations

import functools
import warnings
from collections import Counter

import numpy as np
import pytest
import torch
from scipy.stats import pearsonr, rankdata, spearmanr

from autograder.checks import (
    CheckFailed,
    Handle,
    Ref,
    StudentError,
    Tensor,
    as_array,
    as_float,
    assert_arguments_untouched,
    kernel_side,
    record_expected,
    record_margin,
    with_references,
)

from ..public.helpers import (
    SPEARMAN_CLOSE,
    SPEARMAN_PRECISION_HINT,
    SPEARMAN_TOL,
    call_explained,
    explaining,
    model_weights,
    spearman_guarded,
)
from .helpers import KernelCNN, RefCNN, assert_model_untouched, draw_weights, leaves_its_arguments

COUCHES = ["fc2", "fc1", "conv2", "conv1"]
DROP_EVERY_STAGE = 0.8  # the mean correlation must fall below this at every cascade stage
DROP_FULL = 0.5  # ... and below this once every layer is re-initialised
DROP_IMAGES = 16
CASCADE_ATOL = 0.02

# The grader's saillance and spearman: correlations_cascade is graded with them, so a bug of
# either costs its own item only (the cascade item is about randomising in a cascade).


@kernel_side
def saillance(modele, x, c):
    import torch

    x = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(modele(x.unsqueeze(0))[0, int(c)], x)
    return g.abs()


@kernel_side
def spearman(a, b):
    import numpy as np
    from scipy.stats import rankdata

    def _np(v):
        return v.detach().cpu().numpy() if hasattr(v, "detach") else v

    r = rankdata(np.asarray(_np(a), dtype=float).reshape(-1))
    s = rankdata(np.asarray(_np(b), dtype=float).reshape(-1))
    r, s = r - r.mean(), s - s.mean()
    return float((r * s).sum() / np.sqrt((r * r).sum() * (s * s).sum()))


CASCADE_REFERENCES = {"saillance": saillance, "spearman": spearman}

# ---------------------------------------------------------------- Spearman


def _spearman_ref(a: np.ndarray, b: np.ndarray) -> float:
    return float(spearmanr(a.ravel(), b.ravel()).statistic)


def _spearman_cases(rng) -> list[tuple[np.ndarray, np.ndarray, str, str]]:
    """(a, b, what_fr, what_en): continuous values, many ties, saliency-like maps with zeros,
    distinct values that agree in their leading digits (a rounding before ranking ties them)."""
    shape3 = tuple(int(v) for v in rng.integers(2, 7, size=3))
    shape2 = tuple(int(v) for v in rng.integers(5, 11, size=2))
    a1 = rng.normal(size=shape3)
    b1 = a1 + rng.normal(scale=float(rng.uniform(0.5, 2.0)), size=shape3)
    a2 = rng.integers(0, 5, size=shape2).astype(float)
    b2 = (a2 + rng.integers(0, 4, size=shape2)).astype(float)
    a3 = np.maximum(rng.normal(size=shape2) - 0.3, 0.0)
    b3 = np.maximum(0.7 * a3 + 0.5 * rng.normal(size=shape2) - 0.2, 0.0)
    a4 = rng.integers(0, 4, size=shape3).astype(float)
    b4 = np.round(-a4 + rng.normal(scale=1.5, size=shape3))
    a5, b5 = _close_values_pair(rng, shape2)
    return [
        (a1, b1, "deux tableaux du correcteur sans ex æquo", "two grader arrays without ties"),
        (a2, b2, "deux tableaux d'entiers du correcteur (beaucoup d'ex æquo)",
         "two grader integer arrays (many ties)"),
        (a3, b3, "deux cartes du correcteur pleines de zéros (ex æquo)",
         "two grader maps full of zeros (ties)"),
        (a4, b4, "deux tableaux anticorrélés du correcteur avec des ex æquo",
         "two anticorrelated grader arrays with ties"),
        (a5, b5, CLOSE_VALUES_FR, CLOSE_VALUES_EN),
    ]


CLOSE_VALUES_FR = ("deux cartes du correcteur aux valeurs toutes distinctes mais proches (de petites "
                   "attributions qui partagent leurs premiers chiffres)")
CLOSE_VALUES_EN = ("two grader maps whose values are all distinct but close (small attributions "
                   "sharing their leading digits)")


def _close_sorted(rng, n: int) -> np.ndarray:
    """n distinct values of attribution size (1e-6 to 1e-4), sorted, in clusters of 2 to 4
    that agree to 4 or 5 significant digits (relative steps 1e-5 to 1e-4): any rounding
    (float16, np.round(v, d) for d ≤ 10) makes false ties, while float32 (relative spacing
    1.2e-7) keeps them all distinct, so a correct float32 answer ranks them as float64 does."""
    while True:
        sizes = []
        while sum(sizes) < n:
            sizes.append(int(rng.integers(2, 5)))
        sizes[-1] -= sum(sizes) - n
        if sizes[-1] < 1:
            continue
        centres = 10.0 ** rng.uniform(-6.0, -4.0, size=len(sizes))
        steps = 10.0 ** rng.uniform(-5.0, -4.0, size=len(sizes))
        v = np.concatenate([c * (1.0 + r * np.arange(k))
                            for c, r, k in zip(centres, steps, sizes, strict=True)])
        if np.unique(v.astype(np.float32)).size == n:
            return np.sort(v)


def _close_values_pair(rng, shape) -> tuple[np.ndarray, np.ndarray]:
    """Two positively correlated maps of distinct close values (`_close_sorted`)."""
    n = int(np.prod(shape))
    va, vb = _close_sorted(rng, n), _close_sorted(rng, n)
    where = rng.permutation(n)
    a, b = np.empty(n), np.empty(n)
    a[where] = va
    b[where] = vb[rankdata(np.arange(n) + rng.normal(scale=n / 4, size=n), method="ordinal") - 1]
    return a.reshape(shape), b.reshape(shape)


def _rounded_variants(a: np.ndarray, b: np.ndarray) -> list[float]:
    """Spearman of the values rounded as a student might before ranking (float16, np.round)."""
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for f in [lambda v: v.astype(np.float16).astype(np.float64),
                  *(lambda v, d=d: np.round(v, d) for d in range(0, 11))]:
            out.append(float(spearmanr(f(a).ravel(), f(b).ravel()).statistic))
    return out


#: Said when the answer merges distinct but close values: it is the Spearman of the values
#: rounded as a student might (float16, np.round), or it is right on the dense ranks of the
#: arrays (the same order, the same ties, values far apart) and wrong on the arrays themselves,
#: while Spearman depends on the order only (np.isclose, a tolerance: blind round 20, where
#: ties by np.isclose were told "Pearson of the ranks" wherever no rounding happened to match).
_MERGED_VALUES_HINT = (
    "des valeurs distinctes, même très proches (mêmes premiers chiffres, comme de petites "
    "attributions), doivent garder des rangs distincts : votre code les confond, en arrondissant "
    "les valeurs avant de les classer (astype(np.float16), np.round…) ou en les comparant avec "
    "une tolérance (np.isclose, abs(u − v) < eps), ce qui crée de faux ex æquo ; deux valeurs ne "
    "sont ex æquo que si elles sont exactement égales : classez les valeurs exactes (float64 ou "
    "float32)",
    "distinct values, even very close ones (the same leading digits, as small attributions "
    "have), must keep distinct ranks: your code merges them, rounding the values before ranking "
    "them (astype(np.float16), np.round…) or comparing them with a tolerance (np.isclose, "
    "abs(u − v) < eps), which makes false ties; two values are tied only when exactly equal: "
    "rank the exact values (float64 or float32)",
)


def _right_on_ranks(submission, a: np.ndarray, b: np.ndarray, want: float) -> bool:
    """Whether the student's spearman gives `want` on the dense ranks of a and b (a transform
    that keeps the order and the ties, hence the same Spearman, with values far apart): a
    premise of _MERGED_VALUES_HINT, tried after the rank rules (Pearson of the values is right
    on the ranks too)."""
    # The ranks shifted to integers of both signs: an answer that loses the sign (|a|, blind
    # round 22) is wrong on them too, and is not told it merges close values.
    ra = rankdata(a.ravel(), method="dense").reshape(a.shape)
    rb = rankdata(b.ravel(), method="dense").reshape(b.shape)
    ra = (ra - (ra.max() + 1) // 2).astype(float)
    rb = (rb - (rb.max() + 1) // 2).astype(float)
    try:
        got = float(spearman_guarded(submission, ra, rb))
    except Exception:  # noqa: BLE001 - no premise, no hint: the check fails on a and b anyway
        return False
    return abs(got - want) <= SPEARMAN_TOL


def _tie_variants(a: np.ndarray, b: np.ndarray) -> list[tuple[float, str, str]]:
    a, b = a.ravel(), b.ravel()
    n = a.size

    def formula(r, s):
        return 1.0 - 6.0 * float(np.sum((r - s) ** 2)) / (n * (n * n - 1))

    ordinal = [np.argsort(np.argsort(v, kind="stable"), kind="stable") + 1.0 for v in (a, b)]
    average = [rankdata(v) for v in (a, b)]
    ties = (
        "les ex æquo doivent recevoir le rang MOYEN des positions qu'ils occupent ([5, 1, 5, 2] a "
        "les rangs [3.5, 1, 3.5, 2]), pas des rangs distincts, ni le plus petit ou le plus grand",
        "ties must get the MEAN rank of the positions they occupy ([5, 1, 5, 2] has the ranks "
        "[3.5, 1, 3.5, 2]), not distinct ranks, nor the smallest or largest one",
    )
    pearson = (
        float(pearsonr(a, b).statistic),
        "c'est la corrélation de Pearson des valeurs : Spearman est la corrélation de Pearson des "
        "RANGS des valeurs",
        "that is the Pearson correlation of the values: Spearman is the Pearson correlation of "
        "the RANKS of the values",
    )
    out = [
        # The ranks of |a| and |b|: negative values ranked by their magnitude (blind round 22,
        # told "merges close values" before). Equal to the right value on arrays ≥ 0.
        (float(spearmanr(np.abs(a), np.abs(b)).statistic),
         "classez les valeurs signées telles quelles, sans valeur absolue : −3 est plus petit "
         "que 1, et deux valeurs opposées ne sont pas ex æquo (np.abs, .abs() avant les rangs "
         "changent l'ordre des valeurs négatives)",
         "rank the signed values as they are, without absolute value: −3 is smaller than 1, "
         "and two opposite values are not tied (np.abs, .abs() before the ranks change the "
         "order of the negative values)"),
        (formula(*average),
         "la formule 1 − 6 Σ d_i² / (n(n² − 1)) n'est exacte que sans ex æquo : calculez la "
         "corrélation de Pearson des rangs moyens",
         "the formula 1 − 6 Σ d_i² / (n(n² − 1)) is only exact without ties: compute the Pearson "
         "correlation of the mean ranks"),
        (formula(*ordinal), *ties),
        (float(np.corrcoef(*ordinal)[0, 1]), *ties),
    ]
    for method in ("min", "max", "dense"):
        r, s = (rankdata(v, method=method) for v in (a, b))
        out.append((float(np.corrcoef(r, s)[0, 1]), *ties))
    # Last: on small integers, dense ranks are the values shifted, so Pearson of the values
    # equals Pearson of the dense ranks; a rank method that fits is the likelier fault.
    return [*out, pearson]


@pytest.mark.item("spearman", points=1.5)
def test_spearman_matches_scipy(submission, rng):
    cases = _spearman_cases(rng)
    for i in rng.permutation(len(cases)):
        a, b, what_fr, what_en = cases[i]
        close_values = what_fr == CLOSE_VALUES_FR
        # On close values, a rounding answer can meet a constant map (NaN): said with its hint.
        got = as_float(spearman_guarded(submission, a, b), f"spearman(a, b) sur {what_fr}",
                       allow_nan=close_values)
        want = _spearman_ref(a, b)
        record_expected("spearman(a, b)", want)
        record_margin("|spearman − scipy|", abs(got - want), SPEARMAN_TOL, higher_is_better=False)
        if abs(got - want) <= SPEARMAN_TOL:
            continue
        hint = (
            "corrélation de Pearson des rangs des valeurs aplaties, les ex æquo recevant le rang moyen",
            "Pearson correlation of the ranks of the flattened values, ties getting their mean rank",
        )
        # The rounding's premise: the answer is the Spearman of the rounded values (on any case:
        # float16 also fails the untied case first when its values reach 65504, variant 15).
        rounded = any(
            (abs(got - value) <= 1e-7 or (np.isnan(got) and np.isnan(value)))
            and not abs(value - want) <= 1e-6 for value in _rounded_variants(a, b))
        if rounded:
            hint = _MERGED_VALUES_HINT
        for value, fr, en in [] if rounded else _tie_variants(a, b):
            if abs(got - value) <= 1e-7 and abs(value - want) > 1e-6:
                hint = (fr, en)
                break
        else:
            # After the rank rules: Pearson of the values is right on the ranks too.
            if not rounded and _right_on_ranks(submission, a, b, want):
                hint = _MERGED_VALUES_HINT
            elif not rounded and abs(got - want) < SPEARMAN_CLOSE:
                hint = SPEARMAN_PRECISION_HINT
        raise CheckFailed(
            f"spearman(a, b) sur {what_fr} renvoie {got:.6g}, ce qui ne correspond pas à "
            f"scipy.stats.spearmanr ; {hint[0]}",
            f"spearman(a, b) on {what_en} returns {got:.6g}, which does not match "
            f"scipy.stats.spearmanr; {hint[1]}",
        )
    # The conventions: the arrays (or tensors, whose memory np.asarray shares) are not
    # modified in place.
    a, b = cases[0][0], cases[0][1]
    for args in ((a, b), (Tensor(a), Tensor(b))):
        assert_arguments_untouched(
            submission, "spearman", args, {0: "a", 1: "b"},
            hint_fr="np.asarray(a) et reshape ne copient pas : centrez ou modifiez une copie "
            "(v = v - v.mean(), np.array(a, dtype=float)), jamais le tableau reçu",
            hint_en="np.asarray(a) and reshape do not copy: centre or modify a copy "
            "(v = v - v.mean(), np.array(a, dtype=float)), never the array received",
        )


# ---------------------------------------------------------------- randomisation


@functools.cache
def _digits() -> np.ndarray:
    from sklearn.datasets import load_digits

    return (load_digits().images / 16.0).astype(np.float32)[:, None]


class ModelCase(KernelCNN):
    """A grader-drawn CNN on 8×8 digits, in float64 here and in float32 in the kernel."""

    def __init__(self, rng: np.random.Generator, n_images: int):
        self.dims = [1, int(rng.integers(6, 11)), int(rng.integers(8, 17)), int(rng.integers(16, 33)),
                     10, 8, 8]
        self.weights = draw_weights(RefCNN(*self.dims), rng)
        images = _digits()
        self.X = images[rng.choice(len(images), size=n_images, replace=False)]
        self.classes = [int(c) for c in rng.integers(0, 10, size=n_images)]
        self.seed = int(rng.integers(0, 2**31 - 1))


def _model64(dims, weights) -> RefCNN:
    model = RefCNN(*dims).double()
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.as_tensor(weights[name], dtype=torch.float64))
    return model


def _saliency_maps(dims, weights, X, classes, signed: bool = False,
                   times_input: bool = False) -> np.ndarray:
    model = _model64(dims, weights)
    xt = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    out = model(xt)
    (g,) = torch.autograd.grad(out[torch.arange(len(classes)), torch.tensor(classes)].sum(), xt)
    g = g.numpy()
    if times_input:
        return g * np.asarray(X, dtype=np.float64)
    return g if signed else np.abs(g)


@kernel_side
def gradient_fois_entree(modele, x, c):
    """Runs in the kernel: the grader's gradient × input, handed to correlations_cascade as
    its `methode` argument."""
    import torch

    x = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(modele(x.unsqueeze(0))[0, int(c)], x)
    return (x * g).detach()


def _mean_spearman(maps_a: np.ndarray, maps_b: np.ndarray, nan_as: float, *,
                   corr: str = "spearman", reduce: str = "mean") -> float:
    """Mean over images of scipy's Spearman correlation; a constant map (NaN) counts as
    `nan_as` (0 when measuring the drop, NaN where the cascade is not comparable). `corr`
    ("pearson") and `reduce` ("median") give the classic wrong variants, for the hints."""
    def one(a, b):
        if corr == "pearson":
            return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])
        return _spearman_ref(a, b)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rhos = np.array([one(a, b) for a, b in zip(maps_a, maps_b, strict=True)])
    if np.isnan(rhos).any():
        if np.isnan(nan_as):
            return float("nan")
        rhos = np.nan_to_num(rhos, nan=nan_as)
    return float(np.median(rhos) if reduce == "median" else np.mean(rhos))


@kernel_side
def statement_redraw(modele, noms, seed=0):
    """Runs in the kernel: the statement's re-draw, one torch.manual_seed(seed) then
    reset_parameters() of each layer in the order of noms, on a copy."""
    import copy

    import torch

    copie = copy.deepcopy(modele)
    torch.manual_seed(int(seed))
    for nom in noms:
        getattr(copie, nom).reset_parameters()
    return copie


# correlations_cascade is graded with the statement's randomiser_couches too: a randomiser
# that forgets the seed or the copy costs its own checks, not the cascade's.
CASCADE_ALL_REFERENCES = {**CASCADE_REFERENCES, "randomiser_couches": statement_redraw}


def _statement_weights(submission, model: Handle, noms: list[str], seed: int) -> dict:
    """The weights of the statement's randomiser_couches(model, noms, seed), read back."""
    return model_weights.call(submission, statement_redraw.call(submission, model, list(noms), seed))


def _student_weights(submission, model: Handle, noms: list[str], seed: int, what: str):
    out = call_explained(submission, "randomiser_couches", model, noms, seed)
    try:
        weights = model_weights.call(submission, out)
    except StudentError as exc:
        if "TP10_PAS_MODULE" in exc.evalue:
            kind = exc.evalue.split()[-1]
            raise CheckFailed(
                f"{what} doit renvoyer un nn.Module (une copie du modèle), obtenu {kind}",
                f"{what} must return an nn.Module (a copy of the model), got {kind}",
            ) from None
        raise
    return weights


def _checked_weights(weights, reference: dict[str, np.ndarray], what: str) -> dict[str, np.ndarray]:
    if not isinstance(weights, dict) or set(weights) != set(reference):
        names = sorted(weights) if isinstance(weights, dict) else []
        raise CheckFailed(
            f"{what} renvoie un modèle dont les paramètres ({', '.join(names)}) ne sont pas ceux du "
            "modèle d'origine : renvoyez une copie du modèle (copy.deepcopy), de même architecture",
            f"{what} returns a model whose parameters ({', '.join(names)}) are not those of the "
            "original model: return a copy of the model (copy.deepcopy), with the same architecture",
        )
    return {k: as_array(weights[k], f"{what} : {k}", shape=reference[k].shape) for k in reference}


def _layers_of(names) -> list[str]:
    return [c for c in COUCHES if any(n.split(".")[0] == c for n in names)]


@pytest.mark.item("randomisation", points=1.5)
def test_randomiser_couches_layers(submission, rng):
    case = ModelCase(rng, n_images=1)
    model = case.kernel(submission)
    reference = {k: v.astype(np.float64) for k, v in case.weights.items()}
    # COUCHES and its reverse: an order of its own (a set, sorted(noms)) differs from one.
    cases = [["fc2"], ["fc2", "fc1", "conv2"], ["conv1"], list(COUCHES), COUCHES[::-1]]
    # Which layers change first, over every case (the most specific fault), then the
    # statement's draw: so the message does not depend on the order of the cases.
    drawn = {}
    for i in rng.permutation(len(cases)):
        noms = cases[i]
        what = f"randomiser_couches(modele, {noms}, seed)"
        new = _checked_weights(_student_weights(submission, model, noms, case.seed, what),
                               reference, what)
        drawn[tuple(noms)] = new
        old = _checked_weights(model_weights.call(submission, model), reference, "modele")
        moved = _layers_of([k for k in reference if not np.array_equal(old[k], reference[k])])
        if moved:
            raise CheckFailed(
                f"{what} modifie le modèle d'origine (couches {', '.join(moved)}) : réinitialisez les "
                "couches d'une copie (copy.deepcopy(modele)) et renvoyez la copie",
                f"{what} modifies the original model (layers {', '.join(moved)}): re-initialise the "
                "layers of a copy (copy.deepcopy(modele)) and return the copy",
            )
        kept = _layers_of([k for k in reference if k.split(".")[0] in noms
                           and np.mean(new[k] == reference[k]) > 0.5])
        changed = _layers_of([k for k in reference if k.split(".")[0] not in noms
                              and not np.array_equal(new[k], reference[k])])
        if kept or changed:
            parts_fr, parts_en = [], []
            if kept:
                parts_fr.append(f"{', '.join(kept)} n'{'a' if len(kept) == 1 else 'ont'} pas été "
                                "réinitialisé(s) (poids ou biais inchangés)")
                parts_en.append(f"{', '.join(kept)} {'was' if len(kept) == 1 else 'were'} not "
                                "re-initialised (weights or biases unchanged)")
            if changed:
                parts_fr.append(f"{', '.join(changed)} a/ont changé sans être dans noms")
                parts_en.append(f"{', '.join(changed)} changed without being in noms")
            raise CheckFailed(
                f"{what} : {' ; '.join(parts_fr)} ; réinitialisez exactement les couches nommées "
                "dans noms (getattr(copie, nom).reset_parameters(), poids et biais), et elles seules",
                f"{what}: {'; '.join(parts_en)}; re-initialise exactly the layers named in noms "
                "(getattr(copie, nom).reset_parameters(), weights and biases), and only them",
            )
    # Reproducible, and from the seed argument (the most specific faults first).
    what = f"randomiser_couches(modele, {COUCHES}, seed)"
    first = _checked_weights(_student_weights(submission, model, COUCHES, case.seed, what), reference, what)
    again = _checked_weights(_student_weights(submission, model, COUCHES, case.seed, what), reference, what)
    other = _checked_weights(
        _student_weights(submission, model, COUCHES, case.seed + 1, what), reference, what
    )
    if not all(np.array_equal(first[k], again[k]) for k in reference):
        raise CheckFailed(
            f"deux appels à {what} donnent des poids différents : appelez torch.manual_seed(seed) "
            "juste avant de réinitialiser les couches, pour que le résultat soit reproductible",
            f"two calls to {what} give different weights: call torch.manual_seed(seed) just "
            "before re-initialising the layers, so that the result is reproducible",
        )
    if all(np.array_equal(first[k], other[k]) for k in reference):
        raise CheckFailed(
            f"{what} et la même chose avec une autre graine donnent les mêmes poids : utilisez "
            "l'argument seed (torch.manual_seed(seed)), pas une graine fixe",
            f"{what} and the same with another seed give the same weights: use the seed "
            "argument (torch.manual_seed(seed)), not a fixed seed",
        )
    # The statement's draw: ONE torch.manual_seed(seed), then reset_parameters() of the layers
    # in noms' order. A single layer drawn otherwise is another initialisation (or no seed);
    # only then are several layers compared, where a seed per layer or another order shows.
    for noms, new in sorted(drawn.items(), key=lambda item: len(item[0])):
        noms = list(noms)
        what = f"randomiser_couches(modele, {noms}, seed)"
        want = _checked_weights(
            model_weights.call(submission, statement_redraw.call(submission, model, noms,
                                                                 case.seed)),
            reference, "modele")
        same = all(np.array_equal(new[k], want[k]) for k in reference)
        if len(noms) == 1 and not same:
            raise CheckFailed(
                f"{what} : les nouvelles valeurs de la couche ne sont pas celles que tire sa "
                "méthode reset_parameters() juste après torch.manual_seed(seed) : réinitialisez "
                "par getattr(copie, nom).reset_parameters() (pas une autre loi, comme "
                "nn.init.normal_ ou des biais à zéro), après torch.manual_seed(seed)",
                f"{what}: the layer's new values are not those its reset_parameters() method "
                "draws just after torch.manual_seed(seed): re-initialise with "
                "getattr(copie, nom).reset_parameters() (not another distribution, such as "
                "nn.init.normal_ or zero biases), after torch.manual_seed(seed)",
            )
        if not same:
            raise CheckFailed(
                f"{what} ne tire pas les couches comme l'énoncé : appelez torch.manual_seed(seed) "
                "UNE fois, juste avant de réinitialiser les couches, puis reset_parameters() de "
                "chaque couche dans l'ordre de noms (pas une graine par couche, ni un autre ordre)",
                f"{what} does not draw the layers as the statement does: call "
                "torch.manual_seed(seed) ONCE, just before re-initialising the layers, then "
                "reset_parameters() of each layer in the order of noms (not one seed per "
                "layer, nor another order)",
            )
    # The conventions: modele itself is not changed (its weights are compared above; its dtype,
    # requires_grad and mode here).
    assert_model_untouched(submission, "randomiser_couches",
                           (case.kernel(submission), list(COUCHES), case.seed))


def _grader_cascade(
    submission, case: ModelCase, model: Handle, stages, *, nan_as: float = float("nan"),
    signed: bool = False, times_input: bool = False, seed: int | None = None,
    corr: str = "spearman", reduce: str = "mean", statement: bool = False,
) -> np.ndarray:
    """Mean correlation of the grader's saliency maps (or gradient × input), original vs each
    model the student's randomiser_couches returns (with `seed`, the case's by default), or the
    statement's (`statement`)."""
    seed = case.seed if seed is None else seed
    maps_of = functools.partial(_saliency_maps, X=case.X, classes=case.classes, signed=signed,
                                times_input=times_input)
    original = maps_of(case.dims, case.weights)
    rhos = []
    for noms in stages:
        what = f"randomiser_couches(modele, {noms}, seed)"
        raw = (_statement_weights(submission, model, noms, seed) if statement
               else _student_weights(submission, model, noms, seed, what))
        weights = _checked_weights(raw, case.weights, what)
        rhos.append(_mean_spearman(original, maps_of(case.dims, weights), nan_as, corr=corr,
                                   reduce=reduce))
    return np.array(rhos)


@pytest.mark.item("randomisation", points=0.5)
def test_saillance_correlation_drops(submission, rng):
    case = ModelCase(rng, n_images=DROP_IMAGES)
    model = case.kernel(submission)
    rhos = _grader_cascade(submission, case, model, [COUCHES[:k] for k in range(1, 5)], nan_as=0.0)
    shown = ", ".join(f"+{c} : {r:.2f}" for c, r in zip(COUCHES, rhos, strict=True))
    shown_en = shown.replace(" : ", ": ")
    record_margin("largest stage correlation", float(rhos.max()), DROP_EVERY_STAGE,
                  higher_is_better=False)
    record_margin("correlation after the whole cascade", float(rhos[-1]), DROP_FULL,
                  higher_is_better=False)
    if rhos.max() <= DROP_EVERY_STAGE and rhos[-1] <= DROP_FULL:
        return
    raise CheckFailed(
        "le correcteur a mesuré la corrélation de Spearman moyenne entre les cartes de saillance "
        "du modèle d'origine et celles des modèles que renvoie votre randomiser_couches, en "
        f"cascade depuis la sortie, sur {DROP_IMAGES} chiffres : {shown} ; elle devrait chuter (au plus "
        f"{DROP_EVERY_STAGE} à chaque étape, au plus {DROP_FULL} une fois toutes les couches "
        "réinitialisées) : les poids doivent être vraiment retirés au hasard par "
        "reset_parameters(), pas seulement perturbés ou remis à l'échelle",
        "the grader measured the mean Spearman correlation between the saliency maps of the "
        "original model and those of the models your randomiser_couches returns, cascading from "
        f"the output, on {DROP_IMAGES} digits: {shown_en}; it should drop (at most {DROP_EVERY_STAGE} at every "
        f"stage, at most {DROP_FULL} once every layer is re-initialised): the weights must really "
        "be re-drawn at random by reset_parameters(), not merely perturbed or rescaled",
    )


@kernel_side
def models_explained(correlations, modele, X, classes, noms, seed):
    """Runs in the kernel: correlations_cascade with a `methode` that records, for each map it
    is asked for, the sum of the explained model's parameters, the class c, the sum of each
    parameter, and the image x (flattened, to tell which image of X it is)."""
    import torch

    vus = []

    def methode(m, x, c):
        with torch.no_grad():
            sums = {n: float(p.detach().double().sum()) for n, p in m.named_parameters()}
            try:
                image = torch.as_tensor(x).detach().double().reshape(-1).cpu().tolist()
            except Exception:  # noqa: BLE001 - not an image: the grader then reads classes only
                image = None
            vus.append([float(sum(sums.values())), int(c), sums, image])
        return x.detach().double() * 1.0 + torch.arange(x.numel(), dtype=torch.float64).reshape(x.shape)

    correlations(modele, X, classes, noms, seed, methode=methode)
    return vus


def _check_models_explained(submission, case: ModelCase, stages) -> None:
    """The maps are those of randomiser_couches(modele, noms[:k], seed) for the images'
    own classes: another cascade (one layer at a time, from the bottom, the default seed,
    chained) or a predicted class gives other models or classes, each named."""
    model = case.kernel(submission)
    try:
        seen = with_references(submission, CASCADE_ALL_REFERENCES, "correlations_cascade",
                               Ref("correlations_cascade"), model, Tensor(case.X), case.classes,
                               list(COUCHES), case.seed,
                               via=models_explained.install(submission).name)
    except StudentError:
        return  # the value comparison below reports the error
    if not isinstance(seen, list) or not seen:
        return
    fresh = case.kernel(submission)

    def total(noms, seed: int) -> float:
        w = _checked_weights(_statement_weights(submission, fresh, noms, seed), case.weights,
                             "randomiser_couches")
        return float(sum(v.sum() for v in w.values()))

    def close(a: float, b: float) -> bool:
        return abs(a - b) <= 1e-6 * (1.0 + abs(b))

    origin = float(sum(v.astype(np.float64).sum() for v in case.weights.values()))
    explained = [(float(t), int(c)) for t, c, *_ in seen if not close(float(t), origin)]
    # Which image of X each explained map is of (None when the answer passed something else).
    images = [_image_index(case.X, entry[3] if len(entry) > 3 else None)
              for entry in seen if not close(float(entry[0]), origin)]
    # The layers each explained model re-drew (a parameter whose sum moved from the origin's).
    origin_sums = {k: float(v.astype(np.float64).sum()) for k, v in case.weights.items()}
    redrawn = [frozenset(k.split(".")[0] for k, v in sums.items()
                         if k in origin_sums and not close(float(v), origin_sums[k]))
               for t, _, sums, *_ in seen if not close(float(t), origin)]
    want = [total(noms, case.seed) for noms in stages]
    if not all(any(close(t, w) for w in want) for t, _ in explained) or not all(
        any(close(t, w) for t, _ in explained) for w in want
    ):
        missing = [noms for noms, w in zip(stages, want, strict=True)
                   if not any(close(t, w) for t, _ in explained)]
        extra = [t for t, _ in explained if not any(close(t, w) for w in want)]
        hint = (_OFF_BY_ONE if not extra and missing == [stages[-1]]
                else _cascade_model_hint(submission, explained, redrawn, case, stages, total,
                                         close))
        raise CheckFailed(
            "correlations_cascade n'explique pas les modèles randomiser_couches(modele, "
            f"noms[:k], seed) ; {hint[0]}",
            "correlations_cascade does not explain the models randomiser_couches(modele, "
            f"noms[:k], seed); {hint[1]}",
        )
    if images and all(n is not None for n in images):
        # The classes' premise first: each map is named by its image, so images left out of
        # the mean are told apart from classes that are not the image's.
        originals = [(_image_index(case.X, entry[3] if len(entry) > 3 else None), int(entry[1]))
                     for entry in seen if close(float(entry[0]), origin)]

        stage_models: dict[int, RefCNN] = {}

        def predicted(stage: int, n: int) -> int:
            """The class the statement's randomised model of `stage` predicts for image n."""
            if stage not in stage_models:
                weights = _checked_weights(_statement_weights(submission, fresh, stages[stage],
                                                              case.seed), case.weights,
                                           "randomiser_couches")
                stage_models[stage] = _model64(case.dims, weights)
            with torch.no_grad():
                logits = stage_models[stage](torch.as_tensor(case.X[n:n + 1], dtype=torch.float64))
            return int(logits.argmax())

        _check_every_image(case, explained, images, want, close, originals, predicted)
        return
    wanted = Counter(int(c) for c in case.classes)
    for w in want:
        got = Counter(c for t, c in explained if close(t, w))
        times = sum(got.values()) // max(1, len(case.classes))
        if times < 1 or got != Counter({c: n * times for c, n in wanted.items()}):
            raise CheckFailed(*_CLASSES_HINT)


def _image_index(X: np.ndarray, values) -> int | None:
    """The index n of the image of X whose values these are, None when none (or several) fits."""
    try:
        v = np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return None
    flat = X.reshape(len(X), -1).astype(np.float64)
    if v.shape != flat.shape[1:]:
        return None
    hits = [n for n in range(len(X)) if np.allclose(flat[n], v, rtol=0.0, atol=1e-6)]
    return hits[0] if len(hits) == 1 else None


_CLASSES_HINT = (
    "correlations_cascade explique les images pour d'autres classes que celles données : la "
    "carte de l'image n est calculée pour c_n = int(classes[n]), la classe de l'image, pour le "
    "modèle d'origine comme pour les modèles randomisés : methode(modele, x_n, c_n) et "
    "methode(modele_k, x_n, c_n)",
    "correlations_cascade explains the images for other classes than the given ones: the map of "
    "image n is computed for c_n = int(classes[n]), the image's class, for the original model as "
    "for the randomised ones: methode(modele, x_n, c_n) and methode(modele_k, x_n, c_n)",
)


def _classes_hint(case: ModelCase, explained, images, want, close, originals,
                  predicted) -> tuple[str, str]:
    """Which other classes the maps were asked for, each premise tested on the (stage, image,
    class) of every map of a randomised model: the class of the stage's index (classes[k],
    k the layer counter, instead of classes[n]), the class the randomised model predicts, or
    other ones. Whether the original model's maps have the wrong classes too is said."""
    classes = [int(c) for c in case.classes]
    calls = []  # (stage, image, class)
    for (t, c), n in zip(explained, images, strict=True):
        stage = next((s for s, w in enumerate(want) if close(t, w)), None)
        if stage is not None:
            calls.append((stage, n, c))
    wrong = [(s, n, c) for s, n, c in calls if c != classes[n]]
    originals_wrong = any(n is not None and c != classes[n] for n, c in originals)
    both_fr = ("pour la carte du modèle d'origine comme pour celle du modèle randomisé"
               if originals_wrong else "pour la carte du modèle randomisé")
    both_en = ("for the original model's map as for the randomised model's"
               if originals_wrong else "for the randomised model's map")
    for shift in (0, 1):
        if wrong and all(s + shift < len(classes) and c == classes[s + shift] for s, n, c in calls):
            return (
                "vous prenez la classe de l'ÉTAPE de la cascade (classes[k], k le compteur des "
                "couches) au lieu de celle de l'IMAGE : la carte de l'image n est calculée pour "
                f"c_n = int(classes[n]), {both_fr} (indexez classes par l'image, n, pas par "
                "l'étape, k)",
                "you take the class of the cascade's STAGE (classes[k], k the layer counter) "
                "instead of the IMAGE's: the map of image n is computed for c_n = int(classes[n]), "
                f"{both_en} (index classes by the image, n, not by the stage, k)",
            )
    if wrong and all(c == predicted(s, n) for s, n, c in calls if c != classes[n]):
        return (
            "correlations_cascade explique les modèles randomisés pour la classe qu'ils prédisent "
            "(argmax) : la carte de l'image n est methode(modele_k, x_n, classes[n]), pour la "
            "classe c_n de l'image (pas la classe que prédit le modèle randomisé)",
            "correlations_cascade explains the randomised models for the class they predict "
            "(argmax): the map of image n is methode(modele_k, x_n, classes[n]), for the image's "
            "class c_n (not the class the randomised model predicts)",
        )
    return (
        "correlations_cascade explique les images pour d'autres classes que celles données : "
        f"la carte de l'image n est calculée pour c_n = int(classes[n]), la classe de l'image, "
        f"{both_fr} : methode(modele, x_n, c_n) et methode(modele_k, x_n, c_n)",
        "correlations_cascade explains the images for other classes than the given ones: the map "
        f"of image n is computed for c_n = int(classes[n]), the image's class, {both_en}: "
        "methode(modele, x_n, c_n) and methode(modele_k, x_n, c_n)",
    )


def _check_every_image(case: ModelCase, explained, images, want, close, originals=(),
                       predicted=None) -> None:
    """At every stage, each image of X explained for its own class: an image left out of the
    mean, or another class than the image's, each named."""
    classes = [int(c) for c in case.classes]
    for w in want:
        seen = [(n, c) for (t, c), n in zip(explained, images, strict=True) if close(t, w)]
        if any(c != classes[n] for n, c in seen):
            raise CheckFailed(*_classes_hint(case, explained, images, want, close, originals,
                                             predicted or (lambda s, n: -1)))
        left_out = sorted(set(range(len(classes))) - {n for n, _ in seen})
        if left_out:
            last = left_out == [len(classes) - 1]
            which_fr = ("la dernière image de X n'est jamais expliquée" if last
                        else f"{len(left_out)} image(s) de X ne sont jamais expliquées")
            which_en = ("the last image of X is never explained" if last
                        else f"{len(left_out)} image(s) of X are never explained")
            raise CheckFailed(
                f"correlations_cascade ne moyenne pas sur TOUTES les images de X : à une étape, "
                f"{which_fr} ; la moyenne porte sur n = 0, …, len(X) − 1 (range(len(X)), ou zip(X, "
                "classes)), pas range(len(X) − 1) ni une partie des images",
                f"correlations_cascade does not average over EVERY image of X: at one stage, "
                f"{which_en}; the mean runs over n = 0, …, len(X) − 1 (range(len(X)), or zip(X, "
                "classes)), not range(len(X) − 1) nor part of the images",
            )


_OFF_BY_ONE = (
    "k va de 1 à len(noms) (range(1, len(noms) + 1)) : la première étape randomise déjà "
    "noms[:1], la dernière TOUTES les couches de noms ; une étape k = 0 (noms[:0]) ne randomise "
    "rien et sa corrélation vaut 1",
    "k runs from 1 to len(noms) (range(1, len(noms) + 1)): the first stage already randomises "
    "noms[:1], the last one EVERY layer of noms; a stage k = 0 (noms[:0]) randomises nothing "
    "and its correlation is 1",
)


def _chained_totals(submission, case: ModelCase, stages) -> list[float]:
    """The parameter sums of a chained cascade: stage k re-draws noms[k − 1] (with the
    statement's randomiser_couches and the seed) on the model of stage k − 1."""
    current = case.kernel(submission)
    totals = []
    for noms in stages:
        current = statement_redraw.call(submission, current, [noms[-1]], case.seed)
        w = model_weights.call(submission, current)
        totals.append(float(sum(as_array(v, "randomiser_couches").sum() for v in w.values())))
    return totals


def _cascade_model_hint(submission, explained, redrawn, case, stages, total,
                        close) -> tuple[str, str]:
    """Which other cascade the explained models come from, each premise tested on the models
    the student's cascade explained."""
    def fits(noms_list, seed):
        refs = [total(noms, seed) for noms in noms_list]
        return all(any(close(t, r) for r in refs) for t, _ in explained)

    if fits(stages, 0):
        return (
            "correlations_cascade ignore son argument seed : passez-le à chaque appel, "
            "randomiser_couches(modele, noms[:k], seed), au lieu de la graine par défaut",
            "correlations_cascade ignores its seed argument: pass it on at every call, "
            "randomiser_couches(modele, noms[:k], seed), instead of the default seed",
        )
    if fits([[c] for c in COUCHES], case.seed):
        return (
            "la randomisation doit être CUMULÉE (en cascade) : à l'étape k, les k premières couches "
            "de noms sont réinitialisées (noms[:k]), pas seulement la k-ième",
            "the randomisation must be CUMULATIVE (a cascade): at stage k, the first k layers of "
            "noms are re-initialised (noms[:k]), not only the k-th one",
        )
    if fits([COUCHES[len(COUCHES) - k:] for k in range(1, 5)], case.seed):
        return (
            "la cascade part de la SORTIE : à l'étape k, randomisez noms[:k] (les k premières "
            "couches de noms), pas les k dernières",
            "the cascade starts from the OUTPUT: at stage k, randomise noms[:k] (the first k "
            "layers of noms), not the last k",
        )
    try:
        chained = _chained_totals(submission, case, stages)
    except CheckFailed:
        chained = []
    if chained and all(any(close(t, r) for r in chained) for t, _ in explained):
        return (
            "à chaque étape k, repartez du modèle d'ORIGINE et randomisez les k premières couches "
            "d'un coup (pas en enchaînant les randomisations d'une étape à l'autre, qui retire "
            "d'autres poids)",
            "at every stage k, start again from the ORIGINAL model and randomise the first k "
            "layers at once (not by chaining one stage's randomisation onto the previous one, "
            "which draws other weights)",
        )
    layer_sets = {frozenset(noms) for noms in stages}
    if redrawn and set(redrawn) == layer_sets:
        return (
            "chaque étape re-tire bien les couches noms[:k], mais pas avec la graine seed : "
            "appelez randomiser_couches(modele, noms[:k], seed) avec la MÊME graine seed à chaque "
            "étape (pas seed + k, ni une nouvelle graine par étape)",
            "every stage re-draws the layers noms[:k], but not with the seed: call "
            "randomiser_couches(modele, noms[:k], seed) with the SAME seed at every stage (not "
            "seed + k, nor a new seed per stage)",
        )
    return (
        "pour k = 1, …, len(noms), expliquez le modèle randomiser_couches(modele, noms[:k], "
        "seed) : à chaque étape, repartez du modèle d'ORIGINE, avec la graine seed",
        "for k = 1, …, len(noms), explain the model randomiser_couches(modele, noms[:k], "
        "seed): at every stage, start again from the ORIGINAL model, with the seed",
    )


@pytest.mark.item("randomisation", points=1.5)  # half a point from the drop check: a wrong cascade cost only 1/20
def test_correlations_cascade_matches_grader(submission, rng):
    case = ModelCase(rng, n_images=6)
    _check_models_explained(submission, case, [COUCHES[:k] for k in range(1, 5)])
    # noms is an argument: the grader also passes 2 or 3 layers of its choice, in its order.
    own = [str(v) for v in rng.permutation(COUCHES)[: int(rng.integers(2, 4))]]
    while own == COUCHES[: len(own)]:
        own = [str(v) for v in rng.permutation(COUCHES)[: len(own)]]
    for with_method, noms in ((False, list(COUCHES)), (True, list(COUCHES)), (False, own)):
        stages = [noms[:k] for k in range(1, len(noms) + 1)]
        # The student's correlations_cascade runs with the grader's saillance, spearman and
        # randomiser_couches.
        extra = {"methode": gradient_fois_entree.install(submission)} if with_method else {}
        what = ("correlations_cascade(modele, X, classes, noms, seed"
                + (", methode=gradient × entrée)" if with_method else ")")
                + ("" if noms == COUCHES else ", avec une liste noms du correcteur"))
        with explaining("correlations_cascade"):
            raw = with_references(submission, CASCADE_ALL_REFERENCES, "correlations_cascade",
                                  case.kernel(submission), Tensor(case.X), case.classes,
                                  list(noms), case.seed, **extra)
        got = as_array(raw, what, allow_nan=True)
        if got.shape != (len(noms),):
            # The student's shape is not printed: with the grader's noms it would tell len(noms).
            global_fr, global_en = ("", "")
            if noms != COUCHES and got.shape == (len(COUCHES),):
                global_fr = (" ; il en a len(COUCHES) : n'utilisez pas la variable globale COUCHES "
                             "du notebook, parcourez l'argument noms")
                global_en = ("; it has len(COUCHES): do not use the notebook's global COUCHES, go "
                             "through the noms argument")
            raise CheckFailed(
                f"{what} doit renvoyer un tableau (len(noms),) de corrélations, une par étape de "
                f"la cascade : le vôtre n'a pas cette forme{global_fr}",
                f"{what} must return a (len(noms),) array of correlations, one per stage of the "
                f"cascade: yours does not have that shape{global_en}",
            )
        model = case.kernel(submission)  # a fresh copy: the student's call may have changed the first
        want = _grader_cascade(submission, case, model, stages, times_input=with_method,
                               statement=True)

        def close(values: np.ndarray, got=got) -> bool:
            """Entries where the grader met a constant map (NaN) are not compared."""
            comparable = np.isfinite(values)
            return bool(np.all(np.abs(got[comparable] - values[comparable]) <= CASCADE_ATOL))

        finite = np.isfinite(want)
        gap = float(np.nan_to_num(np.abs(got[finite] - want[finite]), nan=np.inf).max(initial=0.0))
        record_margin("|correlations_cascade − grader|" + (" (methode)" if with_method else ""),
                      gap, CASCADE_ATOL, higher_is_better=False)
        if close(want):
            continue
        _cascade_failure(submission, case, model, noms, got, what, with_method, close)
    _cascade_leaves_its_arguments(submission, case)


def _cascade_leaves_its_arguments(submission, case: ModelCase) -> None:
    leaves_its_arguments(
        submission, "correlations_cascade",
        (case.kernel(submission), Tensor(case.X), case.classes, list(COUCHES), case.seed), {1: "X"},
        ("calculez chaque carte sur X[n] sans l'écrire (ni X[n] -= …, ni X.requires_grad_())",
         "compute each map from X[n] without writing into it (neither X[n] -= … nor "
         "X.requires_grad_())"),
        # The statement's randomiser_couches too: one that changes modele costs its own checks.
        references=CASCADE_ALL_REFERENCES,
    )


def _cascade_failure(submission, case, model, noms, got, what, with_method, close):
    stages = [noms[:k] for k in range(1, len(noms) + 1)]

    def grader(stages=stages, times_input=with_method, **kwargs) -> np.ndarray:
        return _grader_cascade(submission, case, model, stages, times_input=times_input,
                               statement=True, **kwargs)

    # Each mistake's cascade is computed only when the ones before it did not match.
    mistakes = (
        (lambda: not np.all(np.isfinite(got[np.isfinite(grader())])),
         "votre tableau contient des NaN : vérifiez que chaque carte est calculée pour la "
         "classe c de son image",
         "your array contains NaNs: check that each map is computed for the class c of its "
         "image"),
        (lambda: with_method and close(grader(times_input=False)),
         "correlations_cascade ignore son argument methode : avec methode donné, les cartes "
         "sont methode(modele, x, c) ; saillance n'est que la valeur par défaut (methode=None)",
         "correlations_cascade ignores its methode argument: when methode is given, the maps "
         "are methode(modele, x, c); saillance is only the default (methode=None)"),
        (lambda: close(grader(seed=0)),
         "correlations_cascade ignore son argument seed : passez-le à chaque appel, "
         "randomiser_couches(modele, noms[:k], seed), au lieu de la graine par défaut",
         "correlations_cascade ignores its seed argument: pass it on at every call, "
         "randomiser_couches(modele, noms[:k], seed), instead of the default seed"),
        (lambda: close(grader([noms[:k] for k in range(len(noms))])), *_OFF_BY_ONE),
        (lambda: close(grader([[c] for c in noms])),
         "la randomisation doit être CUMULÉE (en cascade) : à l'étape k, les k premières couches "
         "de noms sont réinitialisées (noms[:k]), pas seulement la k-ième",
         "the randomisation must be CUMULATIVE (a cascade): at stage k, the first k layers of "
         "noms are re-initialised (noms[:k]), not only the k-th one"),
        (lambda: close(grader([noms[len(noms) - k:] for k in range(1, len(noms) + 1)])),
         "la cascade part de la SORTIE : à l'étape k, randomisez noms[:k] (les k premières "
         "couches de noms), pas les k dernières",
         "the cascade starts from the OUTPUT: at stage k, randomise noms[:k] (the first k "
         "layers of noms), not the last k"),
        (lambda: not with_method and close(grader(times_input=False, signed=True)),
         "vos cartes sont signées : avec methode=None, la carte est saillance(modele, x, c), la "
         "VALEUR ABSOLUE |∂y_c/∂x|",
         "your maps are signed: with methode=None, the map is saillance(modele, x, c), the "
         "ABSOLUTE VALUE |∂y_c/∂x|"),
        (lambda: not with_method and close(grader(times_input=True)),
         "methode=None veut dire saillance : avec methode=None, la carte est "
         "saillance(modele, x, c), pas gradient_x_entree",
         "methode=None means saillance: with methode=None, the map is saillance(modele, x, c), "
         "not gradient_x_entree"),
        (lambda: close(grader(corr="pearson")),
         "comparez les cartes avec spearman(a, b), la corrélation des RANGS, pas la corrélation "
         "de Pearson des valeurs (np.corrcoef)",
         "compare the maps with spearman(a, b), the correlation of the RANKS, not the Pearson "
         "correlation of the values (np.corrcoef)"),
        (lambda: close(grader(reduce="median")),
         "chaque étape donne la MOYENNE des corrélations sur les images (np.mean), pas leur "
         "médiane",
         "each stage gives the MEAN of the correlations over the images (np.mean), not their "
         "median"),
    )
    hint = next(
        ((fr, en) for found, fr, en in mistakes if found()),
        ("pour k = 1, …, len(noms) : randomiser_couches(modele, noms[:k], seed), puis la moyenne "
         "sur les images de spearman(methode(modele, x, c), methode(modele_k, x, c))",
         "for k = 1, …, len(noms): randomiser_couches(modele, noms[:k], seed), then the mean over "
         "the images of spearman(methode(modele, x, c), methode(modele_k, x, c))"),
    )
    raise CheckFailed(
        f"{what} renvoie {np.array2string(got, precision=3)}, ce qui ne correspond pas aux "
        "corrélations que le correcteur mesure à partir des modèles randomiser_couches(modele, "
        f"noms[:k], seed) de l'énoncé (écart toléré {CASCADE_ATOL} ; votre fonction est appelée "
        f"avec la saillance, le spearman et le randomiser_couches du correcteur) ; {hint[0]}",
        f"{what} returns {np.array2string(got, precision=3)}, which does not match the "
        "correlations the grader measures from the statement's models randomiser_couches(modele, "
        f"noms[:k], seed) (tolerance {CASCADE_ATOL}; your function is called with the grader's "
        f"saillance, spearman and randomiser_couches); {hint[1]}",
    )
