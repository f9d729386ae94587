"""Hidden checks, part 2: the DDPM on grader-chosen inputs.

The schedule and the closed-form q(x_t | x_0) are compared with references (q_echantillon
also statistically with the step-by-step chain the grader iterates itself). The loss runs
with a grader-defined model. The trained denoiser is measured on grader spiral samples;
the sampler runs with a trusted, exact denoiser of a spiral-shaped Gaussian mixture, and
the grader measures the Chamfer distance of its samples to fresh spiral samples, next to
the score of pure Gaussian noise (the baseline).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograder.checks import (
    CheckFailed,
    Handle,
    OptimiserWords,
    Partial,
    Ref,
    StudentError,
    SubmissionError,
    Tensor,
    as_array,
    as_float,
    assert_arguments_untouched,
    assert_one_optimiser,
    assert_seed_used,
    kernel_side,
    once_per_submission,
    record_expected,
    record_margin,
    relabel,
    score_threshold,
    watch_optimisers,
    with_references,
)

from ..public.helpers import (
    CLIP_HINT,
    REFERENCES,
    piles_at_a_bound,
    q_size_failure,
    sampler_size_failure,
)

T = 1000


def _schedule(T: int = T, b1: float = 1e-4, bT: float = 0.02) -> tuple[np.ndarray, np.ndarray]:
    betas = np.linspace(b1, bT, T)
    return betas, np.cumprod(1.0 - betas)


def _spiral(n: int, rng: np.random.Generator) -> np.ndarray:
    """Same distribution as the notebook's `spirale`."""
    u = np.sqrt(rng.uniform(0.05, 1.0, size=n))
    angle = 3.0 * np.pi * u
    X = 2.0 * np.stack([u * np.cos(angle), u * np.sin(angle)], axis=1)
    return X + 0.03 * rng.normal(size=X.shape)


def _chamfer(A: np.ndarray, B: np.ndarray) -> float:
    D = np.sqrt(((A[:, None, :] - B[None, :, :]) ** 2).sum(-1))
    return float(D.min(axis=1).mean() + D.min(axis=0).mean())


# ---------------------------------------------------------------- schedule

AB_RTOL = 3e-5  # float32 cumprod over <= 500 steps: <= 1.1e-5 relative (3000 grader draws)


@pytest.mark.item("planning_beta", points=1.5)
def test_schedule_matches_reference(submission, rng):
    for _ in range(2):
        T_ = int(rng.integers(50, 500))
        b1, bT = float(rng.uniform(1e-4, 1e-3)), float(rng.uniform(0.01, 0.05))
        betas_ref, ab_ref = _schedule(T_, b1, bT)
        out = submission.call("planning_lineaire", T_, b1, bT)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise CheckFailed(
                "planning_lineaire doit renvoyer le couple (betas, alphas_bar)",
                "planning_lineaire must return the pair (betas, alphas_bar)",
            )
        if np.shape(as_array(out[0], "betas (planning du correcteur)", allow_nan=True)) == (T,) != (T_,):
            raise CheckFailed(
                f"planning_lineaire ignore l'argument T : pour un T du correcteur, betas a la "
                f"longueur {T} du notebook (T écrit en dur ?) ; torch.linspace(beta_1, beta_T, T) "
                "avec l'argument T",
                f"planning_lineaire ignores the T argument: for a grader T, betas has the "
                f"notebook's length {T} (T written in?); torch.linspace(beta_1, beta_T, T) with "
                "the T argument",
            )
        betas = as_array(out[0], "betas (planning du correcteur)", shape=(T_,), allow_nan=True)
        ab = as_array(out[1], "alphas_bar (planning du correcteur)", shape=(T_,), allow_nan=True)
        if not np.allclose(betas, betas_ref, rtol=1e-6, atol=1e-12):
            raise CheckFailed(
                "betas ne correspond pas au planning linéaire pour un T et des bornes du "
                "correcteur : T valeurs régulièrement espacées de beta_1 à beta_T, "
                "bornes comprises",
                "betas does not match the linear schedule for a grader T and bounds: T evenly spaced values from beta_1 to beta_T, bounds included",
            )
        if np.allclose(ab, 1.0 - np.cumsum(betas_ref), rtol=1e-6, atol=1e-12):
            raise CheckFailed(
                "alphas_bar vaut 1 − Σ beta_s (somme cumulée) : c'est le PRODUIT cumulé "
                "Π (1 − beta_s) (torch.cumprod)",
                "alphas_bar equals 1 − Σ beta_s (cumulative sum): it is the cumulative "
                "PRODUCT Π (1 − beta_s) (torch.cumprod)",
            )
        if np.allclose(ab, 1.0 - betas_ref, rtol=1e-6, atol=1e-12):
            raise CheckFailed(
                "alphas_bar vaut 1 − beta_t (alpha_t, un seul facteur par pas) : alphas_bar est le "
                "PRODUIT cumulé Π_(s ≤ t) (1 − beta_s) de tous les facteurs jusqu'à t "
                "(torch.cumprod(1 − betas, 0))",
                "alphas_bar equals 1 − beta_t (alpha_t, one factor per step): alphas_bar is the "
                "cumulative PRODUCT Π_(s ≤ t) (1 − beta_s) of every factor up to t "
                "(torch.cumprod(1 − betas, 0))",
            )
        # A float32 product of up to 500 factors drifts by ~1e-5 relative (the solution's own
        # torch.cumprod): rtol 3e-5, below the 1e-4 of an index shifted by one step.
        if not np.allclose(ab, ab_ref, rtol=AB_RTOL, atol=1e-12):
            raise CheckFailed(
                "alphas_bar ne correspond pas à Π_(s ≤ t) (1 − beta_s) pour un planning du correcteur",
                "alphas_bar does not match Π_(s ≤ t) (1 − beta_s) for a grader schedule",
            )
    # The statement's schedule is Ho et al.'s, the signature's defaults ("sans changer leurs
    # signatures"): called with a grader T and the bounds left out, it must be that schedule.
    # T itself stays passed (another default T is another valid length, see EQUIVALENT).
    T_ = int(rng.integers(50, 500))
    betas_ref, ab_ref = _schedule(T_)
    out = submission.call("planning_lineaire", T_)
    ok = isinstance(out, (tuple, list)) and len(out) == 2
    if ok:
        betas = as_array(out[0], "betas (bornes par défaut)", allow_nan=True)
        ab = as_array(out[1], "alphas_bar (bornes par défaut)", allow_nan=True)
        ok = (betas.shape == ab.shape == (T_,) and np.allclose(betas, betas_ref, rtol=1e-6, atol=1e-12)
              and np.allclose(ab, ab_ref, rtol=AB_RTOL, atol=1e-12))
    if not ok:
        raise Partial(
            0.5,
            "planning_lineaire(T) appelée sans beta_1 ni beta_T (valeurs par défaut) ne donne "
            "pas le planning linéaire de Ho et al. de l'énoncé ; avec les bornes passées la "
            "formule est juste : remettez les valeurs par défaut de la signature de l'énoncé, "
            "def planning_lineaire(T=1000, beta_1=1e-4, beta_T=0.02)",
            "planning_lineaire(T) called without beta_1 or beta_T (default values) does not give "
            "the statement's linear schedule of Ho et al.; with the bounds passed the formula is "
            "right: restore the default values of the statement's signature, "
            "def planning_lineaire(T=1000, beta_1=1e-4, beta_T=0.02)",
        )


# ---------------------------------------------------------------- q(x_t | x_0)


EPS32 = float(np.finfo(np.float32).eps)


def _q_tolerance(x0: np.ndarray, t: np.ndarray, noise: np.ndarray, ab: np.ndarray) -> np.ndarray:
    """Per entry, how far a right q_echantillon may land from the float64 closed form: 1e-6
    relative (float64 code in any order), or what float32 code makes of it (blind round 18: the
    closed form in float32, cast back, is 2e-6 off at t = 0). In float32, alpha_bar_t is rounded
    to EPS32 / 2 relative and 1 − alpha_bar_t ≈ beta_1 keeps that absolute error: sqrt(1 − ᾱ)
    moves by ᾱ · EPS32 / (4 sqrt(1 − ᾱ)), 35 · EPS32 / 2 at the grader's smallest beta_1 (2e-4).
    Eight times the float32 rounding of each term; an index clamped or shifted at t = 0 moves
    sqrt(1 − ᾱ) by a third of itself, 100 times more."""
    a = ab[t][:, None]
    ref = np.sqrt(a) * x0 + np.sqrt(1 - a) * noise
    f32 = 8 * EPS32 * (np.abs(np.sqrt(a) * x0) + np.abs(np.sqrt(1 - a) * noise)
                       + a * np.abs(noise) / (2 * np.sqrt(np.maximum(1 - a, 1e-300))))
    return np.maximum(1e-9 + 1e-6 * np.abs(ref), f32)


def _q_close(got: np.ndarray, expected: np.ndarray, tol: np.ndarray) -> np.ndarray:
    """Entry by entry, whether got is within tol of expected (NaN is not)."""
    return np.abs(got - expected) <= tol


def _q_hint(got: np.ndarray, x0, t, noise, ab) -> tuple[str, str]:
    betas, _ = _schedule()
    a = ab[t][:, None]
    b = betas[t][:, None]
    tol = _q_tolerance(x0, t, noise, ab)
    rows_ok = np.all(_q_close(got, np.sqrt(a) * x0 + np.sqrt(1 - a) * noise, tol), axis=1)
    if np.allclose(got, np.sqrt(ab[t - 1])[:, None] * x0 + np.sqrt(1 - ab[t - 1])[:, None] * noise, rtol=1e-6):
        return (
            "l'indice est décalé : alphas_bar[t] avec t de 0 à T − 1 (indices Python), pas "
            "alphas_bar[t − 1] (la numérotation du cours commence à 1)",
            "the index is shifted: alphas_bar[t] with t from 0 to T − 1 (Python indices), not "
            "alphas_bar[t − 1] (the course numbers steps from 1)",
        )
    # One coefficient wrong (checked before the rows: at late steps 1 − alpha_bar_t ≈ 1, so a
    # missing square root on the noise leaves those rows right, with no index at fault).
    if np.allclose(got, np.sqrt(a) * x0 + (1 - a) * noise, rtol=1e-6):
        return (
            "le coefficient du bruit est sqrt(1 − alpha_bar_t), pas 1 − alpha_bar_t (c'est la "
            "VARIANCE du bruit ajouté ; le coefficient est son écart type)",
            "the coefficient of the noise is sqrt(1 − alpha_bar_t), not 1 − alpha_bar_t (that is "
            "the VARIANCE of the added noise; the coefficient is its standard deviation)",
        )
    if np.allclose(got, a * x0 + np.sqrt(1 - a) * noise, rtol=1e-6):
        return (
            "le coefficient de x0 est sqrt(alpha_bar_t), pas alpha_bar_t",
            "the coefficient of x0 is sqrt(alpha_bar_t), not alpha_bar_t",
        )
    if np.allclose(got, np.sqrt(1 - a) * x0 + np.sqrt(a) * noise, rtol=1e-6):
        return (
            "les deux coefficients sont inversés : sqrt(alpha_bar_t) multiplie x0 et "
            "sqrt(1 − alpha_bar_t) multiplie le bruit",
            "the two coefficients are swapped: sqrt(alpha_bar_t) multiplies x0 and "
            "sqrt(1 − alpha_bar_t) multiplies the noise",
        )
    # One step for every row (t[0], t.max(), a scalar index): the closed form holds with ONE
    # alpha_bar shared by all rows, whereas the grader's t differ from row to row.
    if len(set(int(v) for v in t)) > 1:
        for k in sorted(set(int(v) for v in t)):
            if np.allclose(got, np.sqrt(ab[k]) * x0 + np.sqrt(1 - ab[k]) * noise, rtol=1e-6, atol=1e-9):
                return (
                    "toutes les lignes utilisent le MÊME pas t (t[0] ou un seul indice ?) alors que "
                    "chaque ligne i a son propre pas t[i] : alphas_bar[t] est un vecteur, un "
                    "coefficient par ligne (alphas_bar[t].unsqueeze(1))",
                    "every row uses the SAME step t (t[0] or a single index?) whereas each row i has "
                    "its own step t[i]: alphas_bar[t] is a vector, one coefficient per row "
                    "(alphas_bar[t].unsqueeze(1))",
                )
    # The argument taken for another term of the schedule: a product of alphas_bar again (as if it
    # held the alpha_t), or of 1 − alphas_bar (as if it held the beta_t). Checked before the rows:
    # the first product leaves the rows at t = 0 right, with no index at fault.
    for again, fr, en in (
        (np.cumprod(ab), "vous refaites le produit cumulé de alphas_bar (torch.cumprod(alphas_bar)) : "
         "l'argument alphas_bar EST déjà le produit cumulé ᾱ_t = Π_(s ≤ t) (1 − β_s) ; prenez "
         "alphas_bar[t] tel quel",
         "you take the cumulative product of alphas_bar again (torch.cumprod(alphas_bar)): the "
         "alphas_bar argument IS the cumulative product ᾱ_t = Π_(s ≤ t) (1 − β_s) already; take "
         "alphas_bar[t] as it is"),
        (np.cumprod(1 - ab), "vous prenez le produit cumulé de 1 − alphas_bar, comme si l'argument "
         "contenait les beta_t : alphas_bar contient déjà ᾱ_t ; prenez alphas_bar[t] tel quel",
         "you take the cumulative product of 1 − alphas_bar, as if the argument held the beta_t: "
         "alphas_bar holds ᾱ_t already; take alphas_bar[t] as it is"),
    ):
        a2 = again[t][:, None]
        if np.all(_q_close(got, np.sqrt(a2) * x0 + np.sqrt(1 - a2) * noise, tol)):
            return fr, en
    if rows_ok.any() and not rows_ok.all():
        # Some rows right, others not: the formula holds, the index of some steps does not. The
        # grader's t include the first and the last step on purpose.
        ends = sorted({int(v) for v in t[~rows_ok]} & {0, len(ab) - 1})
        where_fr = (" (entre autres les lignes où t = " + " et t = ".join(
            "0" if v == 0 else "T − 1" for v in ends) + ")") if ends else ""
        where_en = (" (among others the rows with t = " + " and t = ".join(
            "0" if v == 0 else "T − 1" for v in ends) + ")") if ends else ""
        return (
            f"certaines lignes sont justes, d'autres non{where_fr} : vérifiez l'indice, "
            "alphas_bar[t] ligne par ligne pour tout t de 0 à T − 1 (sans clamp ni décalage)",
            f"some rows are right, others not{where_en}: check the index, alphas_bar[t] row by "
            "row for every t from 0 to T − 1 (no clamp or shift)",
        )
    if np.allclose(got, np.sqrt(1 - b) * x0 + np.sqrt(b) * noise, rtol=1e-6):
        return (
            "vous utilisez beta_t à la place de alpha_bar_t : c'est la formule d'UN pas de la "
            "chaîne ; la forme close est sqrt(alpha_bar_t) x0 + sqrt(1 − alpha_bar_t) ε",
            "you use beta_t where alpha_bar_t belongs: that is the formula of ONE step of the "
            "chain; the closed form is sqrt(alpha_bar_t) x0 + sqrt(1 − alpha_bar_t) ε",
        )
    if np.allclose(got, a * x0 + (1 - a) * noise, rtol=1e-6):
        return (
            "racine carrée manquante : les coefficients sont sqrt(alpha_bar_t) et "
            "sqrt(1 − alpha_bar_t), pas alpha_bar_t et 1 − alpha_bar_t",
            "missing square root: the coefficients are sqrt(alpha_bar_t) and "
            "sqrt(1 − alpha_bar_t), not alpha_bar_t and 1 − alpha_bar_t",
        )
    return (
        "x_t = sqrt(alpha_bar[t]) · x0 + sqrt(1 − alpha_bar[t]) · bruit, un t par ligne",
        "x_t = sqrt(alpha_bar[t]) · x0 + sqrt(1 − alpha_bar[t]) · noise, one t per row",
    )


@kernel_side
def q_inplace(q_echantillon, x0, t, bruit, alphas_bar):
    """The student's q_echantillon on tensors of the kernel: which arguments it changed in place."""
    import torch

    args = [torch.tensor(x0, dtype=torch.float64), torch.tensor(t, dtype=torch.long),
            torch.tensor(bruit, dtype=torch.float64), torch.tensor(alphas_bar, dtype=torch.float64)]
    before = [a.clone() for a in args]
    q_echantillon(*args)
    return [not torch.equal(a, b) for a, b in zip(args, before, strict=True)]


@pytest.mark.item("q_echantillon", points=1.5)  # 0.5 from ..._iterated_chain: an in-place change of the caller's data shows here only
def test_q_sample_matches_reference(submission, rng):
    # A schedule of the grader's (not the course's): the global ALPHAS_BAR gives other values.
    _, ab = _schedule(T, float(rng.uniform(2e-4, 1e-3)), float(rng.uniform(0.01, 0.04)))
    n = int(rng.integers(20, 60))
    x0 = _spiral(n, rng)
    # The first and the last step on purpose (a clamp, an index off by one at either end).
    t = rng.permutation(np.concatenate([[0, 0, T - 1, T - 1], rng.integers(0, T, size=n - 4)]))
    noise = rng.normal(size=(n, 2))
    try:
        raw = submission.call("q_echantillon", Tensor(x0), Tensor(t), Tensor(noise), Tensor(ab))
    except SubmissionError as exc:
        raise q_size_failure(submission, exc, n) from None
    got = as_array(
        raw,
        "q_echantillon sur des entrées du correcteur",
        shape=(n, 2),
        allow_nan=True,
    )
    expected = np.sqrt(ab[t])[:, None] * x0 + np.sqrt(1 - ab[t])[:, None] * noise
    tol = _q_tolerance(x0, t, noise, ab)
    record_margin("q_echantillon: largest error over its float32-aware tolerance",
                  float(np.max(np.abs(got - expected) / tol)) if np.all(np.isfinite(got)) else math.inf,
                  1.0, higher_is_better=False, kind="tolerance")
    if not np.all(_q_close(got, expected, tol)):
        _, ab_course = _schedule()
        course = np.sqrt(ab_course[t])[:, None] * x0 + np.sqrt(1 - ab_course[t])[:, None] * noise
        if np.all(_q_close(got, course, _q_tolerance(x0, t, noise, ab_course))):
            raise CheckFailed(
                "q_echantillon ignore l'argument alphas_bar : avec un planning du "
                "correcteur, vos x_t sont ceux du planning du notebook (variable globale "
                "ALPHAS_BAR ?) ; utilisez alphas_bar[t]",
                "q_echantillon ignores the alphas_bar argument: with a grader schedule "
                "your x_t are those of the notebook's schedule (the global ALPHAS_BAR?); use "
                "alphas_bar[t]",
            )
        hint_fr, hint_en = _q_hint(got, x0, t, noise, ab)
        raise CheckFailed(
            "q_echantillon ne correspond pas à la forme close sur des entrées du correcteur "
            f"(pas t et bruit tirés au hasard) ; {hint_fr}",
            "q_echantillon does not match the closed form on grader inputs (random steps t and "
            f"noise); {hint_en}",
        )
    try:
        changed = q_inplace.call(submission, Ref("q_echantillon"), x0.tolist(), t.tolist(),
                                 noise.tolist(), ab.tolist())
    except SubmissionError as exc:
        raise relabel(exc, q_inplace.ref_name, "q_echantillon") from None
    names = ("x0", "t", "bruit", "alphas_bar")
    touched = [nm for nm, c in zip(names, changed, strict=False) if c is True]
    if touched:
        raise CheckFailed(
            f"q_echantillon modifie sur place son argument {', '.join(touched)} (mul_, add_, "
            "*=…) : l'appelant retrouve ses données changées ; calculez x_t dans un nouveau tenseur",
            f"q_echantillon modifies its argument {', '.join(touched)} in place (mul_, add_, "
            "*=...): the caller finds its data changed; compute x_t as a new tensor",
        )


@pytest.mark.item("q_echantillon", points=1)  # 0.5 moved to ..._matches_reference
def test_q_sample_matches_iterated_chain(submission, rng):
    """Same mean and variance as t + 1 steps of x_t = sqrt(1 − β_t) x_{t−1} + sqrt(β_t) ε."""
    betas, ab = _schedule()
    M = 4000
    steps = sorted(
        [int(rng.integers(10, 60)), int(rng.integers(150, 350)), int(rng.integers(600, T))]
    )
    x0 = _spiral(1, rng)[0]
    x = np.tile(x0, (M, 1))
    chain = {}
    for s in range(steps[-1] + 1):
        x = np.sqrt(1 - betas[s]) * x + np.sqrt(betas[s]) * rng.normal(size=x.shape)
        if s in steps:
            chain[s] = x.copy()
    for s in steps:
        noise = rng.normal(size=(M, 2))
        try:
            raw = submission.call(
                "q_echantillon",
                Tensor(np.tile(x0, (M, 1))),
                Tensor(np.full(M, s)),
                Tensor(noise),
                Tensor(ab),
            )
        except SubmissionError as exc:
            raise q_size_failure(submission, exc, M) from None
        got = as_array(
            raw,
            f"q_echantillon ({M} copies de x0, un pas t du correcteur)",
            shape=(M, 2),
            allow_nan=True,
        )
        if not np.all(np.isfinite(got)):
            raise CheckFailed(
                "q_echantillon renvoie des valeurs non finies (pour un pas t du correcteur)",
                "q_echantillon returns non-finite values (for a grader step t)",
            )
        # The closed form itself (float32 included) on these inputs: right whatever the draws.
        # The chain's statistics judge the other answers; a right one would fail them about once
        # in 10^5 gradings, and the draws change at every edit of the notebook.
        xs0, ts = np.tile(x0, (M, 1)), np.full(M, s)
        exact = np.sqrt(ab[s]) * xs0 + np.sqrt(1 - ab[s]) * noise
        if np.all(_q_close(got, exact, _q_tolerance(xs0, ts, noise, ab))):
            continue
        m_c, v_c = chain[s].mean(0), chain[s].var(0)
        m_s, v_s = got.mean(0), got.var(0)
        record_expected(f"mean of the chain at t = {s}", m_c)
        record_expected(f"variance of the chain at t = {s}", v_c)
        record_expected(f"closed-form mean at t = {s}", np.sqrt(ab[s]) * x0)
        record_expected(f"closed-form variance at t = {s}", 1 - ab[s])
        record_margin(
            f"deviation of the mean of x_t from the chain, in 5 standard errors, t = {s}",
            float(np.max(np.abs(m_s - m_c) / (5 * np.sqrt((v_c + v_s) / M) + 1e-12))),
            1.0,
            higher_is_better=False,
        )
        mean_ok = np.all(np.abs(m_s - m_c) <= 5 * np.sqrt((v_c + v_s) / M) + 1e-12)
        record_margin(
            f"relative deviation of the variance of x_t from the chain, t = {s}",
            float(np.max(np.abs(v_s / v_c - 1))),
            5 * math.sqrt(4 / M),
            higher_is_better=False,
        )
        var_ok = np.all(np.abs(v_s / v_c - 1) <= 5 * math.sqrt(4 / M))
        if mean_ok and var_ok:
            continue
        # Hidden input: the student's statistic and its side, never the chain's (the answer).
        if not mean_ok:
            j = int(np.argmax(np.abs(m_s - m_c) / np.sqrt(v_c + v_s)))
            mine, high = f"{m_s[j]:.3f}", bool(abs(m_s[j]) > abs(m_c[j]))
            what, what_en = "la moyenne", "the mean"
        else:
            j = int(np.argmax(np.abs(v_s / v_c - 1)))
            mine, high = f"{v_s[j]:.4f}", bool(v_s[j] > v_c[j])
            what, what_en = "la variance", "the variance"
        side_fr = "trop grande" if high else "trop petite"
        side_en = "too large" if high else "too small"
        raise CheckFailed(
            f"pour un pas t du correcteur, {what} de vos x_t ({M} tirages) diffère de celle de la chaîne pas à "
            f"pas simulée par le correcteur ({what} de la coordonnée {j} : {mine}, {side_fr}"
            f"{' en valeur absolue' if not mean_ok else ''}) ; la forme close a pour "
            "moyenne sqrt(alpha_bar_t) x0 et pour variance 1 − alpha_bar_t : vérifiez les racines "
            "carrées et que vous utilisez alpha_bar_t (pas beta_t)",
            f"for a grader step t, {what_en} of your x_t ({M} draws) differs from the step-by-step chain "
            f"simulated by the grader ({what_en} of coordinate {j}: {mine}, {side_en}"
            f"{' in absolute value' if not mean_ok else ''}); the closed form has mean "
            "sqrt(alpha_bar_t) x0 and variance 1 − alpha_bar_t: check the square roots and that "
            "you use alpha_bar_t (not beta_t)",
        )


# ---------------------------------------------------------------- loss

@kernel_side
def trivial_model():
    """A denoiser the grader can follow: ε = 0.5 x + 0.001 t. It keeps the steps t of its last
    call, so that a loss that hands it another t (t + 1, t / T) is named from what it got."""
    import torch

    class _Tp05ModeleTrivial(torch.nn.Module):
        def forward(self, x, t):
            self.tp05_t_recu = torch.as_tensor(t).detach().double().reshape(-1).tolist()
            return 0.5 * x + 0.001 * t[:, None].to(x.dtype)

    return _Tp05ModeleTrivial()


@kernel_side
def steps_received(model):
    """The steps t the grader's trivial model got at its last call (None before any call)."""
    return getattr(model, "tp05_t_recu", None)


def _steps_hint(submission, model, t: np.ndarray, T_l: int) -> tuple[str, str] | None:
    """The hint when the model was handed other steps than the t perte_debruitage received, read
    from what the model recorded (blind round 20: t / T, a float in [0, 1), got the generic
    formula only); None when it got the same t, or when its last call was not one per row."""
    got = steps_received.call(submission, model)
    if not isinstance(got, list) or len(got) != len(t):
        return None
    seen = np.asarray([v if isinstance(v, (int, float)) else np.nan for v in got], dtype=float)
    if not np.all(np.isfinite(seen)) or np.array_equal(seen, t.astype(float)):
        return None
    if any(np.allclose(seen, t + d) for d in (1, -1)):
        return ("le modèle ne reçoit pas le pas t que perte_debruitage a reçu (t + 1 ou t − 1 ?) : "
                "appelez modele(x_t, t) avec le MÊME t, un indice Python de 0 à T − 1",
                "the model does not get the step t that perte_debruitage received (t + 1 or t − 1?): "
                "call model(x_t, t) with the SAME t, a Python index from 0 to T − 1")
    if seen.min() >= 0 and seen.max() <= 1 and t.max() > 1:
        return ("le modèle reçoit un pas t ramené dans [0, 1] (t / T ?) et non l'entier t que "
                "perte_debruitage a reçu : le Debruiteur du notebook normalise t lui-même ; "
                "appelez modele(x_t, t) avec t tel quel, un indice de 0 à T − 1",
                "the model gets a step t brought into [0, 1] (t / T?) instead of the integer t "
                "perte_debruitage received: the notebook's Debruiteur scales t itself; call "
                "model(x_t, t) with t as it is, an index from 0 to T − 1")
    return ("le modèle ne reçoit pas le pas t que perte_debruitage a reçu (un modèle du correcteur "
            "qui enregistre ses entrées voit d'autres pas) : appelez modele(x_t, t) avec le MÊME t, "
            "tel quel",
            "the model does not get the step t that perte_debruitage received (a grader model that "
            "records its inputs sees other steps): call model(x_t, t) with the SAME t, as it is")


@pytest.mark.item("perte_debruitage", points=0.75)  # 0.25 moved to test_loss_is_differentiable: a loss without a graph trains nothing
def test_loss_matches_reference(submission, rng):
    model = trivial_model.call(submission)
    # A schedule of the grader's, shorter than the notebook's and with other bounds: an x_t
    # built with the global ALPHAS_BAR (the argument ignored) gives another loss, not an error.
    T_l = int(rng.integers(300, 900))
    _, ab = _schedule(T_l, float(rng.uniform(2e-4, 1e-3)), float(rng.uniform(0.03, 0.05)))
    n = int(rng.integers(30, 80))
    x0 = _spiral(n, rng)
    # The first and the last step on purpose (an x_t built inline with a clamped or shifted index).
    t = rng.permutation(np.concatenate([[0, T_l - 1], rng.integers(0, T_l, size=n - 2)]))
    noise = rng.normal(size=(n, 2))
    # Against the grader's q(x_t | x_0): a q_echantillon mistake costs points in its own item.
    got = as_float(
        with_references(
            submission, {"q_echantillon": REFERENCES["q_echantillon"]},
            "perte_debruitage", model, Tensor(x0), Tensor(t), Tensor(noise), Tensor(ab),
        ),
        "perte_debruitage",
    )
    x_t = np.sqrt(ab[t])[:, None] * x0 + np.sqrt(1 - ab[t])[:, None] * noise
    pred = 0.5 * x_t + 0.001 * t[:, None]
    ref = float(np.mean((noise - pred) ** 2))
    if math.isclose(got, ref, rel_tol=1e-6, abs_tol=1e-12):
        # The statement's rule (the TP's introduction), with the grader's q_echantillon: a
        # q_echantillon that modifies its arguments costs points in its own item.
        assert_arguments_untouched(
            submission, "perte_debruitage", (model, Tensor(x0), Tensor(t), Tensor(noise), Tensor(ab)),
            {1: "x0", 2: "t", 3: "bruit", 4: "alphas_bar"},
            references={"q_echantillon": REFERENCES["q_echantillon"]},
            hint_fr="calculez la différence dans un nouveau tenseur (F.mse_loss(modele(x_t, t), bruit)), "
            "sans bruit -= … ni sub_",
            hint_en="compute the difference into a new tensor (F.mse_loss(model(x_t, t), noise)), "
            "without noise -= ... or sub_",
        )
        return
    _, ab_course = _schedule()
    x_t_course = np.sqrt(ab_course[t])[:, None] * x0 + np.sqrt(1 - ab_course[t])[:, None] * noise
    if math.isclose(got, float(np.mean((noise - 0.5 * x_t_course - 0.001 * t[:, None]) ** 2)), rel_tol=1e-6):
        raise CheckFailed(
            "perte_debruitage ignore l'argument alphas_bar : avec un planning du correcteur, la "
            "perte est celle du planning du notebook (variable globale ALPHAS_BAR ?) ; construisez "
            "x_t avec l'argument alphas_bar (q_echantillon(x0, t, bruit, alphas_bar))",
            "perte_debruitage ignores the alphas_bar argument: with a grader schedule, the loss "
            "is that of the notebook's schedule (the global ALPHAS_BAR?); build x_t with the "
            "alphas_bar argument (q_echantillon(x0, t, bruit, alphas_bar))",
        )
    if math.isclose(got, float(np.mean((noise - 0.5 * x0 - 0.001 * t[:, None]) ** 2)), rel_tol=1e-6):
        hint_fr = ("le modèle reçoit x0, la donnée PROPRE : il doit recevoir la donnée bruitée, "
                   "modele(x_t, t) avec x_t = q_echantillon(x0, t, bruit, alphas_bar)")
        hint_en = ("the model gets x0, the CLEAN data: it must get the noisy data, model(x_t, t) "
                   "with x_t = q_echantillon(x0, t, bruit, alphas_bar)")
    elif math.isclose(got, float(np.mean((x0 - pred) ** 2)), rel_tol=1e-6):
        hint_fr = "votre perte compare la prédiction à x0 : le réseau prédit le BRUIT ε, la cible est bruit"
        hint_en = "your loss compares the prediction with x0: the network predicts the NOISE ε, the target is noise"
    elif math.isclose(got, float(np.mean(np.abs(noise - pred))), rel_tol=1e-6):
        hint_fr = ("vous prenez la valeur absolue de l'écart : la perte est l'erreur QUADRATIQUE "
                   "moyenne, (bruit − modele(x_t, t))² (F.mse_loss)")
        hint_en = ("you take the absolute value of the gap: the loss is the mean SQUARED error, "
                   "(noise − model(x_t, t))² (F.mse_loss)")
    elif math.isclose(got, math.sqrt(ref), rel_tol=1e-6):
        hint_fr = "vous prenez la racine de l'erreur quadratique moyenne : la perte est la MSE, sans racine"
        hint_en = "you take the square root of the mean squared error: the loss is the MSE, without a root"
    elif any(math.isclose(got, k * ref, rel_tol=1e-6) for k in (n, 2 * n)):
        hint_fr = "vous sommez sur le lot : la perte est la MOYENNE sur le lot et les coordonnées (F.mse_loss)"
        hint_en = "you sum over the batch: the loss is the MEAN over the batch and the coordinates (F.mse_loss)"
    elif math.isclose(got, 2 * ref, rel_tol=1e-6):
        hint_fr = "vous sommez sur les coordonnées : prenez la moyenne sur le lot ET les coordonnées (F.mse_loss)"
        hint_en = "you sum over the coordinates: take the mean over the batch AND the coordinates (F.mse_loss)"
    elif (steps_hint := _steps_hint(submission, model, t, T_l)) is not None:
        # The grader's model records the t it got: t ± 1, t / T or another step.
        hint_fr, hint_en = steps_hint
    elif math.isclose(got, float(np.mean((noise - 0.5 * (np.sqrt(ab[t - 1])[:, None] * x0 + np.sqrt(
            1 - ab[t - 1])[:, None] * noise) - 0.001 * t[:, None]) ** 2)), rel_tol=1e-7):
        hint_fr = ("x_t est construit avec alphas_bar[t − 1] : l'indice est décalé, alphas_bar[t] avec "
                   "t de 0 à T − 1 (indices Python)")
        hint_en = ("x_t is built with alphas_bar[t − 1]: the index is shifted, alphas_bar[t] with t "
                   "from 0 to T − 1 (Python indices)")
    else:
        hint_fr = "x_t = sqrt(alpha_bar[t]) x0 + sqrt(1 − alpha_bar[t]) bruit, puis moyenne de (bruit − modele(x_t, t))²"
        hint_en = "x_t = sqrt(alpha_bar[t]) x0 + sqrt(1 − alpha_bar[t]) noise, then the mean of (noise − model(x_t, t))²"
    raise CheckFailed(
        f"perte_debruitage ne correspond pas à la référence avec un modèle simple du correcteur ; {hint_fr}",
        f"perte_debruitage does not match the reference with a simple grader model; {hint_en}",
    )


# ---------------------------------------------------------------- trained denoiser

LOSS_FULL, LOSS_PARTIAL = 0.40, 0.60  # solution ≈ 0.24; predicting 0 (or untrained) ≈ 1.0
CHAMFER_TRAINED_FULL, CHAMFER_TRAINED_PARTIAL = 0.32, 0.42  # solution 0.13-0.19; noise ≈ 0.5

@kernel_side
def reference_sampler(modele, n, seed):
    """The grader's DDPM sampler (the course's schedule) run with the student's denoiser."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    betas = torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64)
    alphas = 1.0 - betas
    ab = torch.cumprod(alphas, 0)
    x = torch.randn(n, 2, generator=gen, dtype=torch.float64)
    with torch.no_grad():
        for t in range(999, -1, -1):
            eps = modele(x, torch.full((n,), t, dtype=torch.long)).to(x.dtype)
            x = (x - betas[t] / torch.sqrt(1.0 - ab[t]) * eps) / torch.sqrt(alphas[t])
            if t > 0:
                x = x + torch.sqrt(betas[t]) * torch.randn(n, 2, generator=gen, dtype=torch.float64)
    return x


def _rotation(seed: int) -> np.ndarray:
    """The grader's spiral is the notebook's turned by 90° to 270°: a loop that trains on the
    notebook's X_SPIRALE instead of its `donnees` argument samples the wrong spiral."""
    angle = math.radians(90.0 + 180.0 * np.random.default_rng(seed).random())
    return np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])


def _grader_spiral(n: int, rng: np.random.Generator, seed: int) -> np.ndarray:
    return _spiral(n, rng) @ _rotation(seed).T


def _train(submission, seed: int) -> Handle:
    s = int(seed % 2**31)
    data = _grader_spiral(2000, np.random.default_rng(s + 1), s)
    _, ab = _schedule()
    model = with_references(
        submission,
        REFERENCES,
        "entrainer_debruiteur",
        Tensor(data),
        Tensor(ab),
        n_pas=2000,
        taille_lot=128,
        lr=3e-3,
        seed=s,
        timeout=120,
    )
    if not isinstance(model, Handle):
        raise CheckFailed(
            "entrainer_debruiteur doit renvoyer le modèle (un nn.Module)",
            "entrainer_debruiteur must return the model (an nn.Module)",
        )
    return model


def _denoiser(submission, seed: int) -> Handle:
    """The student's loop trained once per submission on the grader's spiral (with the
    grader's q_echantillon and loss)."""
    return once_per_submission(submission, "tp05-denoiser", lambda: _train(submission, seed))


_TRAIN_HINT_FR = (
    "le correcteur entraîne votre entrainer_debruiteur sur SA spirale (tournée), passée en "
    "argument donnees ; vérifiez la boucle : un lot de points de donnees, des t uniformes dans {0, …, T−1}, un bruit "
    "gaussien, perte_debruitage, puis zero_grad, backward et step à CHAQUE pas"
)
_TRAIN_HINT_EN = (
    "the grader trains your entrainer_debruiteur on ITS (rotated) spiral, passed as the "
    "donnees argument; check the loop: a batch of points of donnees, uniform t in {0, …, T−1}, Gaussian noise, "
    "perte_debruitage, then zero_grad, backward and step at EVERY step"
)


@pytest.mark.item("entrainer_debruiteur", points=0.25)  # 0.25 each to ..._uses_its_seed, ..._draws_uniform_steps, ..._new_model_and_its_loop_arguments
def test_denoiser_test_loss(submission, rng, seed):
    model = _denoiser(submission, seed)
    _, ab = _schedule()
    n = 4000
    x0 = _grader_spiral(n, rng, int(seed % 2**31))
    t = rng.integers(0, T, size=n)
    noise = rng.normal(size=(n, 2))
    x_t = np.sqrt(ab[t])[:, None] * x0 + np.sqrt(1 - ab[t])[:, None] * noise
    pred = as_array(
        model.call("forward", Tensor(x_t), Tensor(t)),
        "debruiteur(x_t, t)",
        shape=(n, 2),
        allow_nan=True,
    )
    loss = float(np.mean((noise - pred) ** 2)) if np.all(np.isfinite(pred)) else math.inf
    score_threshold(
        loss,
        full=LOSS_FULL,
        partial=[(LOSS_PARTIAL, 0.5)],
        higher_is_better=False,
        what_fr=f"perte de débruitage sur {n} points de spirale du correcteur (prédire 0 donne ≈ 1)",
        what_en=f"denoising loss on {n} grader spiral points (predicting 0 gives ≈ 1)",
        hint=(_TRAIN_HINT_FR, _TRAIN_HINT_EN),
    )


@pytest.mark.item("entrainer_debruiteur", points=0.5)  # 0.5 moved to ..._draws_uniform_steps (one batch or noise reused)
def test_denoiser_samples_look_like_the_spiral(submission, rng, seed):
    model = _denoiser(submission, seed)
    samples = as_array(
        reference_sampler.call(submission, model, 400, int(seed % 2**31), timeout=60),
        "échantillons du débruiteur",
        shape=(400, 2),
        allow_nan=True,
    )
    ref = _grader_spiral(1000, rng, int(seed % 2**31))
    dist = _chamfer(samples, ref) if np.all(np.isfinite(samples)) else math.inf
    score_threshold(
        dist,
        full=CHAMFER_TRAINED_FULL,
        partial=[(CHAMFER_TRAINED_PARTIAL, 0.5)],
        higher_is_better=False,
        what_fr="distance de Chamfer entre 400 échantillons de votre débruiteur (échantillonneur "
        "du correcteur) et la spirale (du bruit gaussien donne ≈ 0.5)",
        what_en="Chamfer distance between 400 samples of your denoiser (grader's sampler) and "
        "the spiral (Gaussian noise gives ≈ 0.5)",
        hint=(_TRAIN_HINT_FR, _TRAIN_HINT_EN),
    )


@kernel_side
def train_params(entrainer_debruiteur, donnees, alphas_bar, seed, lr, n_pas):
    """The parameters of the denoiser the student's loop trains (batches of 16)."""
    import torch

    modele = entrainer_debruiteur(donnees, alphas_bar, n_pas=n_pas, taille_lot=16, lr=lr, seed=seed)
    return torch.cat([p.detach().double().flatten() for p in modele.parameters()])


@pytest.mark.item("entrainer_debruiteur", points=0.25)
def test_denoiser_uses_its_seed(submission, rng):
    """The same seed gives the same model (initialisation and batches), another seed another:
    torch.manual_seed(seed) comes before Debruiteur() is built; another lr, another model (an
    Adam left at its default lr only shows, partly, in the outcome). Three steps on 200 points."""
    data = _spiral(200, rng)
    _, ab = _schedule()
    s = int(rng.integers(0, 2**31 - 1))
    train_params.install(submission)
    runs = [
        as_array(
            with_references(
                submission, REFERENCES, "entrainer_debruiteur", Ref("entrainer_debruiteur"),
                Tensor(data), Tensor(ab), call_seed, call_lr, n_pas, via=train_params.ref_name, timeout=60,
            ),
            "paramètres du débruiteur",
            allow_nan=True,
        )
        for call_seed, call_lr, n_pas in ((s, 3e-3, 3), (s, 3e-3, 3), (s + 1, 3e-3, 3), (s, 1.5e-3, 3), (s, 3e-3, 0))
    ]
    changed = runs[0].shape != runs[1].shape or not np.array_equal(runs[0], runs[1])
    if changed and _loop(submission, data, ab, 1, 8, s).get("same_object"):
        raise _shared_model_error()
    assert_seed_used(*runs[:3], same=(
        "deux appels de entrainer_debruiteur avec la même graine donnent deux modèles "
        "différents : appelez torch.manual_seed(seed) AVANT de construire Debruiteur() (son "
        "initialisation est aléatoire) et de tirer les lots",
        "two calls of entrainer_debruiteur with the same seed give two different models: call "
        "torch.manual_seed(seed) BEFORE building Debruiteur() (its initialisation is random) "
        "and drawing the batches",
    ), ignored=(
        "entrainer_debruiteur donne le même modèle pour deux graines différentes : utilisez "
        "l'argument seed (torch.manual_seed(seed))",
        "entrainer_debruiteur gives the same model for two different seeds: use the seed "
        "argument (torch.manual_seed(seed))",
    ))
    if runs[0].shape == runs[4].shape and np.array_equal(runs[0], runs[4]):
        return  # never updated (no optimiser step): the outcome checks say so, not this one
    if runs[0].shape == runs[3].shape and np.array_equal(runs[0], runs[3]):
        raise CheckFailed(
            "entrainer_debruiteur donne le même modèle pour deux valeurs de lr (même graine) : "
            "passez l'argument lr à l'optimiseur (torch.optim.Adam(modele.parameters(), lr=lr)), "
            "pas sa valeur par défaut ni une valeur écrite en dur",
            "entrainer_debruiteur gives the same model for two values of lr (same seed): pass the "
            "lr argument to the optimiser (torch.optim.Adam(modele.parameters(), lr=lr)), not its "
            "default nor a hard-coded value",
        )


@kernel_side(uses=(watch_optimisers,))
def record_loop(entrainer_debruiteur, donnees, alphas_bar, n_pas, taille_lot, seed):
    """Two calls with the notebook's Debruiteur replaced by a subclass that records the batch
    size of every forward under grad: whether each call builds a NEW model, and the steps (how
    many, of which size) the first call takes. The optimisers that step the model during the
    first call are watched too (watch_optimisers: how many, and Adam's step count)."""
    import inspect

    import torch

    # The notebook's namespace, where the loop finds Debruiteur (through a decorator too).
    g = inspect.unwrap(entrainer_debruiteur).__globals__
    base = g["Debruiteur"]
    sizes = []

    class _Enregistreur(base):
        def forward(self, x, t):
            if torch.is_grad_enabled():
                sizes.append(int(torch.as_tensor(x).shape[0]))
            return super().forward(x, t)

    g["Debruiteur"] = _Enregistreur
    optimisers = watch_optimisers()
    try:
        try:
            first = entrainer_debruiteur(donnees, alphas_bar, n_pas=n_pas, taille_lot=taille_lot, lr=3e-3, seed=seed)
        finally:
            note_optimisers = optimisers()
        seen = list(sizes)
        second = entrainer_debruiteur(donnees, alphas_bar, n_pas=n_pas, taille_lot=taille_lot, lr=3e-3, seed=seed)
    finally:
        g["Debruiteur"] = base
    return {"sizes": seen, "same_object": first is second, "recorded": isinstance(first, _Enregistreur),
            "optimisers": note_optimisers}


def _loop(submission, data: np.ndarray, ab: np.ndarray, n_pas: int, lot: int, seed: int) -> dict:
    record_loop.install(submission)
    out = with_references(
        submission, REFERENCES, "entrainer_debruiteur",
        Ref("entrainer_debruiteur"), Tensor(data), Tensor(ab), n_pas, lot, seed,
        via=record_loop.ref_name, timeout=60,
    )
    return out if isinstance(out, dict) else {}


#: The statement's Adam and its loop of n_pas steps (one batch, one step per turn).
STEP_ADAM = OptimiserWords(
    build="torch.optim.Adam(modele.parameters(), lr=lr)",
    restarts=("les moyennes mobiles m et v d'Adam et sa correction de biais repartent de zéro "
              "(chaque pas devient le premier pas d'Adam, lr · signe du gradient)",
              "Adam's moving averages m and v and its bias correction start from zero again "
              "(every step becomes Adam's first step, lr · sign of the gradient)"),
    reset=("l'état de l'optimiseur Adam (son compteur de pas, ses moyennes mobiles m et v) est "
           "remis à zéro en cours d'entraînement : sa correction de biais repart de zéro",
           "the state of the Adam optimiser (its step count, its moving averages m and v) is "
           "reset during training: its bias correction starts from zero again"),
    loop=("la boucle des n_pas pas", "the loop of the n_pas steps"),
    inside=("dans la boucle des pas", "inside the loop of the steps"),
    every=("chacun des n_pas pas (zero_grad, perte, backward, step)",
           "every one of the n_pas steps (zero_grad, loss, backward, step)"),
)


def _shared_model_error() -> CheckFailed:
    return CheckFailed(
        "entrainer_debruiteur renvoie le MÊME modèle à chaque appel : il doit construire un "
        "NOUVEAU Debruiteur() (et son optimiseur) à chaque appel, après torch.manual_seed(seed), "
        "pas reprendre l'entraînement d'un modèle global",
        "entrainer_debruiteur returns the SAME model at every call: it must build a NEW "
        "Debruiteur() (and its optimiser) at every call, after torch.manual_seed(seed), not go "
        "on training a global model",
    )


@pytest.mark.item("entrainer_debruiteur", points=0.25)
def test_denoiser_new_model_and_its_loop_arguments(submission, rng):
    """Each call builds a new Debruiteur and takes n_pas steps on batches of taille_lot points:
    a loop with 2000 steps and batches of 128 written in, or a model shared between calls,
    still learns the spiral (the outcome checks pass). A grader n_pas and taille_lot that no
    default has (7 steps of 23 points)."""
    n_pas, lot = int(rng.integers(5, 10)), int(rng.integers(17, 30))
    out = _loop(submission, _spiral(200, rng), _schedule()[1], n_pas, lot,
                int(rng.integers(0, 2**31 - 1)))
    if out.get("same_object"):
        raise _shared_model_error()
    sizes = [int(v) for v in out.get("sizes", []) if isinstance(v, int)]
    if not out.get("recorded") and not sizes:
        return  # not the notebook's Debruiteur: the outcome checks judge the model
    if sizes and lot not in sizes:
        raise CheckFailed(
            "entrainer_debruiteur ignore l'argument taille_lot : pour une taille de lot du "
            "correcteur, aucun lot passé au modèle n'a cette taille ; tirez taille_lot points "
            "(torch.randint(0, len(donnees), (taille_lot,))), pas une valeur écrite en dur",
            "entrainer_debruiteur ignores the taille_lot argument: for a grader batch size, no "
            "batch given to the model has that size; draw taille_lot points "
            "(torch.randint(0, len(donnees), (taille_lot,))), not a hard-coded value",
        )
    steps = sum(1 for v in sizes if v == lot)
    if not n_pas <= steps <= 2 * n_pas:
        raise CheckFailed(
            "entrainer_debruiteur ne fait pas n_pas pas d'entraînement : pour un n_pas du "
            "correcteur, le modèle est entraîné sur un autre nombre de lots (nombre écrit en dur, "
            "range(n_pas − 1) ?) ; une boucle for _ in range(n_pas), un lot et un pas par tour",
            "entrainer_debruiteur does not take n_pas training steps: for a grader n_pas, the "
            "model is trained on another number of batches (a hard-coded count, range(n_pas − 1)?); "
            "a loop for _ in range(n_pas), one batch and one step per turn",
        )
    # One Adam for the whole training, built before the loop of the n_pas steps (question 8's
    # loop; blind round 22: an Adam built again at every step kept 20/20 — with its moments
    # reset, every step is Adam's first, lr · sign(g), and the small denoiser still learns the
    # spiral). Watched in the kernel during the first call: the optimisers that updated the
    # model's parameters, and Adam's step count against the steps they received.
    assert_one_optimiser(out.get("optimisers"),
                         f"entrainer_debruiteur(…, n_pas={n_pas}, taille_lot={lot}) sur une spirale du correcteur",
                         f"entrainer_debruiteur(..., n_pas={n_pas}, taille_lot={lot}) on a grader spiral",
                         optimiser=STEP_ADAM)
    # The statement's rule (the TP's introduction): donnees and alphas_bar come back as they
    # were given (a schedule of the grader's values, of the notebook's length so that a T
    # written in costs points in the range check only; the grader's loss and q_echantillon).
    assert_arguments_untouched(
        submission, "entrainer_debruiteur",
        (Tensor(_spiral(200, rng)), Tensor(_schedule(T, float(rng.uniform(2e-4, 1e-3)), 0.03)[1]),
         n_pas, lot, 3e-3, int(rng.integers(0, 2**31 - 1))),
        {0: "donnees", 1: "alphas_bar"},
        references=REFERENCES,
        hint_fr="centrez, normalisez ou convertissez dans un nouveau tenseur (x = donnees - m), "
        "sans donnees -= …, sub_ ni div_",
        hint_en="centre, normalise or convert into a new tensor (x = donnees - m), without "
        "donnees -= ..., sub_ or div_",
    )


@kernel_side
def train_steps(entrainer_debruiteur, donnees, alphas_bar, n_pas, taille_lot, seed):
    """The notebook's Debruiteur replaced, for one call of entrainer_debruiteur, by a subclass
    that records the steps t of every training batch (forward under grad), and the loss (the
    grader's, installed for the call) wrapped to record the clean points x0 of every batch."""
    import inspect

    import torch

    # The notebook's globals, where the loop finds both names (through a decorator too).
    g = inspect.unwrap(entrainer_debruiteur).__globals__
    base = g["Debruiteur"]
    base_loss = g["perte_debruitage"]
    seen = []
    heads = []  # per training batch of 2 or more rows: (its first t, whether every t equals it)
    points = []
    noises = []
    asked = []
    other_schedule = []
    mine = torch.as_tensor(alphas_bar).detach().double().flatten()

    def _tp05_perte(modele, x0, *args, **kwargs):
        points.extend(torch.as_tensor(x0).detach().double().reshape(-1, 2).tolist())
        bruit = args[1] if len(args) > 1 else kwargs.get("bruit")
        # Kept in the kernel (a loop of 2000 steps would send megabytes): the first 200 batches.
        if isinstance(bruit, torch.Tensor) and bruit.numel() % 2 == 0 and len(noises) < 200:
            noises.append(bruit.detach().double().reshape(-1, 2).clone())
        t = args[0] if args else kwargs.get("t")
        if t is not None:
            asked.extend(torch.as_tensor(t).detach().long().flatten().tolist())
        # The schedule the loss gets: the alphas_bar argument (any dtype), not the notebook's.
        ab = args[2] if len(args) > 2 else kwargs.get("alphas_bar")
        if ab is not None:
            ab = torch.as_tensor(ab).detach().double().flatten()
            if ab.shape != mine.shape or not torch.allclose(ab, mine, rtol=1e-5, atol=1e-8):
                other_schedule.append(int(ab.numel()))
        return base_loss(modele, x0, *args, **kwargs)

    built = []

    class _Tp05Enregistreur(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            built.append(self)

        def forward(self, x, t):
            if torch.is_grad_enabled():
                ts = torch.as_tensor(t).detach().long().flatten()
                seen.extend(ts.tolist())
                if ts.numel() > 1:
                    heads.append([int(ts[0]), bool((ts == ts[0]).all())])
            return super().forward(x, t)

    g["Debruiteur"] = _Tp05Enregistreur
    g["perte_debruitage"] = _tp05_perte
    T = len(alphas_bar)
    try:
        entrainer_debruiteur(donnees, alphas_bar, n_pas=n_pas, taille_lot=taille_lot, lr=3e-3, seed=seed)
    except IndexError:
        # A step t out of the schedule given (a T written in, the global T): the loss indexing
        # alphas_bar with it fails. Or the loss given another schedule than the argument (the
        # global ALPHAS_BAR, shorter than the grader's) indexed with a right t. Any other
        # IndexError is the student's own, as raised.
        if other_schedule:
            return {"t": seen, "x0": points, "out_of_range": False, "other_schedule": other_schedule[0]}
        if not any(v >= T or v < -T for v in asked):
            raise
        return {"t": seen, "x0": points, "out_of_range": True}
    finally:
        g["Debruiteur"] = base
        g["perte_debruitage"] = base_loss
    distinct_noise = int(torch.unique(torch.cat(noises), dim=0).shape[0]) if noises else None
    moments = None
    if noises:
        # The law of the noise the loop feeds the loss, by its moments over every coordinate:
        # mean, standard deviation, kurtosis (3 for a Gaussian, 1.8 for a uniform law).
        z = torch.cat(noises).flatten()
        m, sd = float(z.mean()), float(z.std(unbiased=False))
        kurt = float(((z - m) ** 4).mean() / sd**4) if sd > 0 else float("nan")
        moments = [m, sd, kurt, float((z >= 0).double().mean()), int(z.numel())]
        # The correlation of the two coordinates of a row: 0 for N(0, I), 1 for one value per
        # point copied to both (torch.randn(taille_lot, 1).expand(taille_lot, 2)).
        rows = torch.cat(noises)
        c = torch.corrcoef(rows.T)[0, 1] if rows.shape[0] > 2 else torch.tensor(float("nan"))
        moments.append(float(c))
    return {"t": seen, "heads": heads, "x0": points, "out_of_range": False, "asked": asked,
            "noise_distinct": distinct_noise, "noise_moments": moments,
            "recorded": any(isinstance(m, _Tp05Enregistreur) for m in built),
            "other_schedule": other_schedule[0] if other_schedule else None}


def _training_steps(submission, data: np.ndarray, ab: np.ndarray, n_pas: int, lot: int,
                    seed: int) -> tuple[dict, np.ndarray]:
    """The student's loop run once with the grader's schedule `ab`: what train_steps recorded
    and the steps t of its training batches."""
    train_steps.install(submission)
    steps = with_references(
        submission, REFERENCES, "entrainer_debruiteur", Ref("entrainer_debruiteur"),
        Tensor(data), Tensor(ab), n_pas, lot, seed, via=train_steps.ref_name, timeout=60,
    )
    if not isinstance(steps, dict):
        raise CheckFailed(
            "entrainer_debruiteur n'a pas pu être suivi par le correcteur",
            "the grader could not follow entrainer_debruiteur",
        )
    other = steps.get("other_schedule")
    if isinstance(other, int) and not isinstance(other, bool):
        same_len = other == len(ab)
        raise CheckFailed(
            "entrainer_debruiteur passe à perte_debruitage un autre planning que son argument "
            "alphas_bar : pour un planning du correcteur, la perte reçoit "
            + ("d'autres valeurs" if same_len else f"un alphas_bar de longueur {other}")
            + " (la variable globale ALPHAS_BAR du notebook ?) ; appelez "
            "perte_debruitage(modele, x0, t, bruit, alphas_bar) avec l'argument alphas_bar",
            "entrainer_debruiteur passes perte_debruitage another schedule than its alphas_bar "
            "argument: for a grader schedule, the loss gets "
            + ("other values" if same_len else f"an alphas_bar of length {other}")
            + " (the notebook's global ALPHAS_BAR?); call "
            "perte_debruitage(modele, x0, t, bruit, alphas_bar) with the alphas_bar argument",
        )
    if steps.get("out_of_range"):
        raise CheckFailed(
            "entrainer_debruiteur tire des pas t hors de {0, …, T − 1} avec T = len(alphas_bar) : "
            "pour un planning du correcteur, un t dépasse la fin de alphas_bar (IndexError) ; "
            "tirez torch.randint(0, len(alphas_bar), (taille_lot,)) : la borne haute est exclue, "
            "et T est la longueur de l'argument alphas_bar (pas 1000 écrit en dur ni la variable "
            "globale T)",
            "entrainer_debruiteur draws steps t outside {0, …, T − 1} with T = len(alphas_bar): "
            "for a grader schedule, a t goes past the end of alphas_bar (IndexError); draw "
            "torch.randint(0, len(alphas_bar), (taille_lot,)): the high bound is excluded, and T "
            "is the length of the alphas_bar argument (not 1000 written in nor the global T)",
        )
    t = as_array(steps.get("t"), "pas t des lots d'entraînement", allow_nan=True).reshape(-1)
    if t.size == 0:
        # No Debruiteur built during the call saw a batch (a model built once, outside the
        # function, never goes through the grader's recording class): the steps the loop gave
        # perte_debruitage instead. A model shared between calls costs points in the checks
        # that see it (test_denoiser_new_model_and_its_loop_arguments, ..._uses_its_seed).
        t = as_array(steps.get("asked") or [], "pas t des lots d'entraînement", allow_nan=True).reshape(-1)
    if t.size == 0:
        if not steps.get("recorded"):
            raise CheckFailed(
                "entrainer_debruiteur n'entraîne aucun Debruiteur() construit pendant l'appel et "
                "n'appelle jamais perte_debruitage : construisez un NOUVEAU Debruiteur() à chaque "
                "appel et calculez perte_debruitage(modele, x0, t, bruit, alphas_bar) à chaque pas",
                "entrainer_debruiteur trains no Debruiteur() built during the call and never calls "
                "perte_debruitage: build a NEW Debruiteur() at every call and compute "
                "perte_debruitage(model, x0, t, noise, alphas_bar) at every step",
            )
        raise CheckFailed(
            "entrainer_debruiteur construit un Debruiteur() mais ne l'appelle jamais sur des lots "
            "d'entraînement (ni perte_debruitage) : à chaque pas, perte_debruitage(modele, x0, t, "
            "bruit, alphas_bar), puis backward et step",
            "entrainer_debruiteur builds a Debruiteur() but never calls it on training batches "
            "(nor perte_debruitage): at every step, perte_debruitage(model, x0, t, noise, "
            "alphas_bar), then backward and step",
        )
    return steps, t


def _independent_steps(steps: dict, t: np.ndarray) -> tuple[np.ndarray, bool]:
    """The independent draws among the recorded steps t, and whether the loop draws ONE step for
    the whole batch (every training batch of two rows or more holds a single t, over 10 batches
    or more: torch.randint(0, T, (1,)).repeat(taille_lot)). Then the draws are one per batch,
    and the tests of uniformity count them so: judged on every t, a batch's t would weigh
    taille_lot times and the verdict would be a matter of luck."""
    heads = steps.get("heads")
    if not isinstance(heads, list) or len(heads) < 10:
        return t, False
    firsts, same = [], True
    for h in heads:
        if not (isinstance(h, list) and len(h) == 2):
            return t, False
        firsts.append(h[0])
        same = same and h[1] is True
    if not same:
        return t, False
    return as_array(firsts, "pas t des lots d'entraînement", allow_nan=True).reshape(-1), True


ENDS_N_PAS, ENDS_LOT = 640, 4  # 2560 draws, and 640 batches for a loop with one t per batch


def _check_step_range_ends(submission, rng, data: np.ndarray) -> None:
    """Both ends of {0, …, T − 1} are drawn: with a SHORT grader schedule (16 to 24 steps),
    640 batches of 4 = 2560 draws reach every step (a given one is missed with probability
    (1 − 1/24)^2560 < 1e-47; with one t per batch, 640 draws: < 1e-11), so t = 0 and t = T − 1
    must both appear. torch.randint(1, T)
    (the course's 1-based habit) never trains the last denoising step, torch.randint(0, T − 1)
    (the high bound is excluded) never the step the sampler starts from: on a long schedule
    both look uniform."""
    T_s = int(rng.integers(16, 25))
    steps, t = _training_steps(submission, data, _schedule(T_s, 1e-3, 0.2)[1], ENDS_N_PAS, ENDS_LOT,
                               int(rng.integers(0, 2**31 - 1)))
    t, _ = _independent_steps(steps, t)
    lo, hi = int(t.min()), int(t.max())
    if lo < 0 or hi > T_s - 1:
        raise CheckFailed(
            f"les pas t des lots d'entraînement ({t.size} tirages) sortent de {{0, …, T − 1}} avec "
            "T = len(alphas_bar) (un t négatif, ou au-delà du dernier pas) ; tirez "
            "torch.randint(0, len(alphas_bar), (taille_lot,))",
            f"the steps t of the training batches ({t.size} draws) leave {{0, …, T − 1}} with "
            "T = len(alphas_bar) (a negative t, or one past the last step); draw "
            "torch.randint(0, len(alphas_bar), (taille_lot,))",
        )
    if lo > 0:
        raise CheckFailed(
            f"le pas t = 0 n'est jamais tiré ({t.size} tirages sur un planning court du correcteur) : "
            "le dernier pas de débruitage n'est jamais entraîné ; en Python les pas vont de 0 à "
            "T − 1 (torch.randint(0, len(alphas_bar), …), pas torch.randint(1, …))",
            f"the step t = 0 is never drawn ({t.size} draws on a short grader schedule): the last "
            "denoising step is never trained; in Python the steps go from 0 to T − 1 "
            "(torch.randint(0, len(alphas_bar), ...), not torch.randint(1, ...))",
        )
    if hi < T_s - 1:
        raise CheckFailed(
            f"le dernier pas t = T − 1 n'est jamais tiré ({t.size} tirages sur un planning court du "
            "correcteur) : le pas d'où part l'échantillonneur n'est jamais entraîné ; la borne "
            "haute de torch.randint est exclue : torch.randint(0, len(alphas_bar), …), pas "
            "len(alphas_bar) − 1",
            f"the last step t = T − 1 is never drawn ({t.size} draws on a short grader schedule): "
            "the step the sampler starts from is never trained; the high bound of torch.randint "
            "is excluded: torch.randint(0, len(alphas_bar), ...), not len(alphas_bar) − 1",
        )


@pytest.mark.item("entrainer_debruiteur", points=0.75)  # 0.5 from ..._samples_look_like_the_spiral: one batch or one noise drawn once trains on nothing new
def test_denoiser_draws_uniform_steps(submission, rng):
    """The steps t of the training batches are uniform on {0, …, T − 1} with T =
    len(alphas_bar): a schedule of the grader's, longer than the notebook's T = 1000, so that
    t drawn up to the global T (or T // 2, or a fixed range) never reaches its last steps.
    160 steps of 16: 2560 draws (160 with one t per batch), the mean within ±5 standard errors. Then both ends, t = 0 and
    t = T − 1, on a short grader schedule (_check_step_range_ends). And a new batch of points
    at every step: 2560 draws from 300 points reach nearly all of them, a batch drawn once
    before the loop only its 64 (the outcome checks do not see it). And a new Gaussian noise at
    every step: 2560 noise rows all distinct, one noise drawn before the loop and reused repeats
    its 64 rows (the outcome checks do not see it either)."""
    T_g = int(rng.integers(1300, 1700))
    data = _spiral(300, rng)
    n_pas, lot = 160, 16
    steps, t = _training_steps(submission, data, _schedule(T_g)[1], n_pas, lot, int(rng.integers(0, 2**31 - 1)))
    t, one_t = _independent_steps(steps, t)
    top = T_g - 1
    mean_dev = abs(float(t.mean()) - top / 2) / (T_g / math.sqrt(12 * t.size))
    record_margin("denoiser steps: |mean − (T − 1)/2| in standard errors", mean_dev, 5.0,
                  higher_is_better=False)
    if t.min() < 0 or t.max() > top or t.max() < 0.9 * top or t.min() > 0.1 * top or mean_dev > 5:
        raise CheckFailed(
            f"les pas t des lots d'entraînement ({t.size} tirages) ne sont pas uniformes sur "
            "{0, …, T − 1} avec T = len(alphas_bar) : avec un planning du correcteur plus long que "
            "celui du notebook, vos t restent dans une partie de l'intervalle (variable globale T, "
            "T // 2 ?) ; tirez torch.randint(0, len(alphas_bar), (taille_lot,))",
            f"the steps t of the training batches ({t.size} draws) are not uniform on "
            "{0, …, T − 1} with T = len(alphas_bar): with a grader schedule longer than the "
            "notebook's, your t stay in part of the range (the global T, T // 2?); draw "
            "torch.randint(0, len(alphas_bar), (taille_lot,))",
        )
    _check_step_range_ends(submission, rng, data)
    x0 = as_array(steps.get("x0"), "points des lots d'entraînement", allow_nan=True)
    if x0.size == 0:
        return  # perte_debruitage never called: the outcome checks judge the loop
    distinct = len(np.unique(x0.reshape(-1, 2), axis=0))
    record_margin("denoiser batches: distinct training points", distinct, 2 * lot, higher_is_better=True)
    if distinct <= 2 * lot:
        raise CheckFailed(
            "les lots d'entraînement reprennent toujours les mêmes points de donnees : le lot est "
            "tiré une seule fois, avant la boucle ; tirez un NOUVEAU lot à chacun des n_pas pas "
            "(x0 = donnees[torch.randint(0, len(donnees), (taille_lot,))] dans la boucle)",
            "the training batches always reuse the same points of donnees: the batch is drawn "
            "once, before the loop; draw a NEW batch at every one of the n_pas steps "
            "(x0 = donnees[torch.randint(0, len(donnees), (taille_lot,))] inside the loop)",
        )
    distinct = steps.get("noise_distinct")
    if not isinstance(distinct, int) or isinstance(distinct, bool):
        return  # no tensor noise handed to the loss: the outcome checks judge the loop
    record_margin("denoiser batches: distinct noise rows", distinct, 2 * lot, higher_is_better=True)
    if distinct <= 2 * lot:
        raise CheckFailed(
            "le bruit gaussien des lots d'entraînement est toujours le même : il est tiré une "
            "seule fois, avant la boucle, et le réseau apprend à prédire ce bruit-là ; tirez un "
            "NOUVEAU bruit à chacun des n_pas pas (bruit = torch.randn_like(x0) dans la boucle)",
            "the Gaussian noise of the training batches is always the same: it is drawn once, "
            "before the loop, and the network learns to predict that noise; draw a NEW noise at "
            "every one of the n_pas steps (bruit = torch.randn_like(x0) inside the loop)",
        )
    _check_noise_law(steps.get("noise_moments"))
    _one_step_per_batch(one_t)


# Bands of the training noise's moments over 2560 rows (5120 coordinates) of the grader's
# recorded loop. For N(0, 1): the mean's standard error 0.014, the standard deviation's 0.010,
# the kurtosis's 0.068 (sqrt(24 / 5120)). Measured on 5000 seeds of torch.randn over 160
# batches of 16 rows: |mean| <= 0.058, std 0.965-1.040, kurtosis 2.77-3.26 (seeds 0, 10-14, 23,
# 24: |mean| <= 0.02, std 0.980-1.011, kurtosis 2.85-3.18). Wrong laws: torch.rand_like mean 0.5, std 0.29; a uniform law scaled
# to unit variance kurtosis 1.8; the noise times 0.5 or 2 std 0.5 or 2. The bars sit at 7 or
# more standard errors from N(0, 1).
NOISE_MEAN_MAX, NOISE_STD_BAND, NOISE_KURT_BAND = 0.1, (0.92, 1.08), (2.5, 3.6)


def _check_noise_law(moments) -> None:
    """The noise the loop hands perte_debruitage follows N(0, I) (question 8: « un bruit
    gaussien »): judged from its moments, recorded in the kernel (blind round 20: a noise drawn
    with torch.rand_like, uniform on [0, 1), lost only part of the outcome checks' points)."""
    if not (isinstance(moments, list) and len(moments) == 6):
        return  # no tensor noise handed to the loss: the outcome checks judge the loop
    corr = moments.pop()
    m, sd, kurt, positive, size = moments
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in moments) or size < 1000:
        return
    record_margin("denoiser training noise: |mean|", abs(m), NOISE_MEAN_MAX, higher_is_better=False)
    record_margin("denoiser training noise: std vs its low bar", sd, NOISE_STD_BAND[0], higher_is_better=True)
    record_margin("denoiser training noise: std vs its high bar", sd, NOISE_STD_BAND[1], higher_is_better=False)
    record_margin("denoiser training noise: kurtosis vs its low bar", kurt, NOISE_KURT_BAND[0], higher_is_better=True)
    record_margin("denoiser training noise: kurtosis vs its high bar", kurt, NOISE_KURT_BAND[1], higher_is_better=False)
    centred = abs(m) <= NOISE_MEAN_MAX
    unit = NOISE_STD_BAND[0] <= sd <= NOISE_STD_BAND[1]
    gaussian = NOISE_KURT_BAND[0] <= kurt <= NOISE_KURT_BAND[1]
    if centred and unit and gaussian:
        _check_noise_coordinates(corr)
        return
    if positive > 0.99 or positive < 0.01:
        how_fr = ("il est toujours du même signe, comme une loi uniforme sur [0, 1) "
                  "(torch.rand_like ?), pas centré")
        how_en = "it always has the same sign, like a uniform law on [0, 1) (torch.rand_like?), not centred"
    elif not centred:
        how_fr, how_en = "il n'est pas centré", "it is not centred"
    elif not unit:
        how_fr = ("il n'est pas de variance 1 (multiplié par un facteur, ou déjà mis à l'échelle "
                  "par sqrt(1 − alpha_bar) ?)")
        how_en = "its variance is not 1 (multiplied by a factor, or already scaled by sqrt(1 − alpha_bar)?)"
    else:
        how_fr = ("sa forme n'est pas celle d'une gaussienne (des queues trop légères ou trop "
                  "lourdes : une loi uniforme, torch.rand_like ?)")
        how_en = ("its shape is not that of a Gaussian (tails too light or too heavy: a uniform law, "
                  "torch.rand_like?)")
    raise CheckFailed(
        "le bruit que la boucle donne à perte_debruitage ne suit pas la loi normale centrée "
        f"réduite N(0, I) : {how_fr} ; le modèle apprend à prédire un bruit GAUSSIEN, "
        "bruit = torch.randn_like(x0) à chaque pas",
        "the noise the loop hands perte_debruitage does not follow the standard normal law "
        f"N(0, I): {how_en}; the model learns to predict a GAUSSIAN noise, "
        "noise = torch.randn_like(x0) at every step",
    )


# The correlation of a noise row's two coordinates over 2560 rows: standard error 1/sqrt(2560)
# = 0.02 for N(0, I) (measured on 2000 seeds of torch.randn(2560, 2): |corr| <= 0.074; seeds
# 0 and 10-14: 0.007-0.026; the solution and the correct variants pass at proof variants 0-2
# and 10-14); one value per point copied to both coordinates gives exactly 1. The bar, 0.5, is
# 25 standard errors from 0.
NOISE_CORR_MAX = 0.5


def _check_noise_coordinates(corr) -> None:
    """The two coordinates of the noise are independent, N(0, I) in 2D (blind round 22: one value
    per point, torch.randn(taille_lot, 1).expand(taille_lot, 2), has every moment of N(0, 1) and
    lost only the outcome checks' points, under a generic hint)."""
    if not (isinstance(corr, (int, float)) and math.isfinite(corr)):
        return
    record_margin("denoiser training noise: |correlation of its two coordinates|", abs(corr),
                  NOISE_CORR_MAX, higher_is_better=False)
    if abs(corr) <= NOISE_CORR_MAX:
        return
    raise CheckFailed(
        "les deux coordonnées du bruit que la boucle donne à perte_debruitage sont liées (la même "
        "valeur copiée sur x et y, torch.randn(taille_lot, 1).expand(…) ?) : le bruit doit être "
        "indépendant sur chaque coordonnée, N(0, I) en 2D ; bruit = torch.randn_like(x0), de la "
        "forme de x0",
        "the two coordinates of the noise the loop hands perte_debruitage are tied (the same value "
        "copied to x and y, torch.randn(taille_lot, 1).expand(...)?): the noise must be "
        "independent on each coordinate, N(0, I) in 2D; noise = torch.randn_like(x0), of x0's shape",
    )


def _one_step_per_batch(one_t: bool) -> None:
    """Question 8 draws, with the batch of points and their noise, "des pas t uniformes": one
    step per example, as perte_debruitage takes them (a t per row) and as DDPM trains. One t for
    the whole batch still gives each example a uniform t (the objective's expectation is the
    same), but every batch is trained at a single noise level: a noisier gradient, and a
    training that depends on luck. Half of this check, judged on what the loop handed the model
    (every batch one t), never on the quality it reaches."""
    if one_t:
        raise Partial(
            0.5,
            "chaque lot d'entraînement reçoit UN seul pas t, répété pour tous ses exemples "
            "(torch.randint(0, T, (1,)).repeat(taille_lot) ?) : la question 8 tire des pas t "
            "uniformes pour les exemples du lot, un par exemple comme le bruit, "
            "torch.randint(0, len(alphas_bar), (taille_lot,)) ; avec un seul t, chaque pas "
            "d'optimisation n'entraîne qu'un niveau de bruit",
            "every training batch gets ONE step t, repeated for all its examples "
            "(torch.randint(0, T, (1,)).repeat(taille_lot)?): question 8 draws uniform steps t "
            "for the examples of the batch, one per example like the noise, "
            "torch.randint(0, len(alphas_bar), (taille_lot,)); with a single t, every "
            "optimisation step trains one noise level only",
        )


# ---------------------------------------------------------------- sampler

@kernel_side
def oracle():
    """Exact ε-predictor of a mixture of K small Gaussians laid along the notebook's spiral:
    ε*(x_t, t) = −sqrt(1 − ᾱ_t) ∇ log p_t(x_t). A correct sampler turns it into spiral samples."""
    import numpy as np
    import torch

    class _Tp05Oracle(torch.nn.Module):
        def __init__(self, betas, K=200, s=0.03):
            super().__init__()
            u = np.sqrt(0.05 + 0.95 * (np.arange(K) + 0.5) / K)
            ang = 3.0 * np.pi * u
            self.m = torch.tensor(2.0 * np.stack([u * np.cos(ang), u * np.sin(ang)], 1))
            self.m2 = (self.m ** 2).sum(1)
            self.s2 = s * s
            self.ab = torch.cumprod(1.0 - torch.as_tensor(betas, dtype=torch.float64), 0)
            self.calls = 0  # how many times the sampler called it (forward_calls)

        def forward(self, x, t):
            self.calls += 1
            x = torch.as_tensor(x, dtype=torch.float64)
            a = self.ab[torch.as_tensor(t).long()][:, None]
            v = a * self.s2 + 1.0 - a
            ra = a.sqrt()
            r = torch.softmax((2.0 * ra * (x @ self.m.T) - a * self.m2[None]) / (2.0 * v), 1)
            return -(1.0 - a).sqrt() * (ra * (r @ self.m) - x) / v

    return _Tp05Oracle(np.linspace(1e-4, 0.02, 1000))

@kernel_side
def forward_calls(model):
    """How many times the oracle was called since it was built (−1: not the oracle)."""
    calls = getattr(model, "calls", -1)
    return calls if isinstance(calls, int) else -1


CHAMFER_FULL, CHAMFER_PARTIAL = 0.08, 0.15  # solution ≈ 0.045 (spiral vs spiral ≈ 0.044)
N_SAMPLES = 400


@pytest.mark.item("echantillonner", points=0.5)
def test_sampler_reaches_the_spiral(submission, rng, seed):
    model = oracle.call(submission)
    betas, _ = _schedule()
    try:
        raw = submission.call(
            "echantillonner", model, N_SAMPLES, Tensor(betas), int(seed % 2**31), timeout=60
        )
    except StudentError as exc:
        sized = sampler_size_failure(submission, exc, N_SAMPLES, len(betas))
        if sized is not exc:
            raise sized from None
        if exc.ename != "IndexError":
            raise
        # The oracle indexes its schedule with the t it is given: a t out of {0, …, T − 1}
        # (t + 1, a loop from T) is a time index fault, not a shape one.
        raise CheckFailed(
            "echantillonner a levé IndexError en appelant le modèle : un pas t sort de "
            "{0, …, len(betas) − 1} ; la boucle va de t = len(betas) − 1 jusqu'à 0 et le modèle "
            f"est appelé comme modele(x, torch.full((n,), t)) (message d'origine : {exc.evalue})",
            "echantillonner raised IndexError when calling the model: a step t falls outside "
            "{0, …, len(betas) − 1}; the loop goes from t = len(betas) − 1 down to 0 and the "
            f"model is called as modele(x, torch.full((n,), t)) (original message: {exc.evalue})",
        ) from None
    samples = as_array(
        raw,
        f"echantillonner(oracle, {N_SAMPLES}, betas, seed)",
        shape=(N_SAMPLES, 2),
        allow_nan=True,
    )
    ref = _spiral(1000, rng)
    baseline = _chamfer(rng.normal(size=(N_SAMPLES, 2)), ref)
    if baseline < 3 * CHAMFER_PARTIAL:  # the threshold must mean something
        raise ValueError(f"baseline Chamfer {baseline:.3f} too close to the thresholds")
    dist = _chamfer(samples, ref) if np.all(np.isfinite(samples)) else math.inf
    hint_fr = (
        "vérifiez le pas arrière : x_(t−1) = (x_t − beta_t / sqrt(1 − alpha_bar_t) · ε) / "
        "sqrt(alpha_t) + sigma_t z avec l'écart type sigma_t = sqrt(beta_t) (la variance est "
        "beta_t), sans bruit au dernier pas"
    )
    hint_en = (
        "check the reverse step: x_(t−1) = (x_t − beta_t / sqrt(1 − alpha_bar_t) · ε) / "
        "sqrt(alpha_t) + sigma_t z with standard deviation sigma_t = sqrt(beta_t) (the "
        "variance is beta_t), no noise at the last step"
    )
    # The samples come from the model the sampler CALLED: a denoiser other than the argument
    # (the notebook's global debruiteur) is no fault of the update formula.
    calls = forward_calls.call(submission, model)
    if calls == 0:
        hint_fr = (
            "le modèle passé en argument (modele, ici le débruiteur exact du correcteur) n'a "
            "jamais été appelé : votre échantillonneur appelle un autre modèle (la variable "
            "globale debruiteur du notebook ?) ; appelez modele(x, torch.full((n,), t))"
        )
        hint_en = (
            "the model passed as argument (modele, here the grader's exact denoiser) was never "
            "called: your sampler calls another model (the notebook's global debruiteur?); call "
            "modele(x, torch.full((n,), t))"
        )
    elif dist > CHAMFER_FULL and piles_at_a_bound(samples):
        hint_fr, hint_en = CLIP_HINT
    elif isinstance(calls, int) and calls > 0 and calls != len(betas):
        hint_fr = (
            f"le modèle passé en argument a été appelé {calls} fois : une fois par pas, de "
            "t = len(betas) − 1 jusqu'à 0, comme modele(x, torch.full((n,), t))"
        )
        hint_en = (
            f"the model passed as argument was called {calls} times: once per step, from "
            "t = len(betas) − 1 down to 0, as modele(x, torch.full((n,), t))"
        )
    score_threshold(
        dist,
        full=CHAMFER_FULL,
        partial=[(CHAMFER_PARTIAL, 0.5)],
        higher_is_better=False,
        what_fr=(
            f"distance de Chamfer entre {N_SAMPLES} de vos échantillons (avec un débruiteur "
            f"exact fourni par le correcteur) et la spirale (du bruit gaussien donne {baseline:.3f})"
        ),
        what_en=(
            f"Chamfer distance between {N_SAMPLES} of your samples (with an exact denoiser "
            f"given by the grader) and the spiral (Gaussian noise gives {baseline:.3f})"
        ),
        hint=(hint_fr, hint_en),
    )
