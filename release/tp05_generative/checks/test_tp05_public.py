"""Vérifications publiques du TP05 : formes, comportement de base, petits exemples fixés.

These checks are shipped to students: every expected value here is a small fixed example
they can redo by hand (or a value printed in the notebook). The hidden checks test the
same items on grader-chosen inputs, against references and Monte Carlo / chain estimates.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pytest

from autograder.checks import (
    CheckFailed,
    Handle,
    SubmissionError,
    Tensor,
    as_array,
    as_float,
    as_pair,
    assert_close,
    generators_text,
    global_generators_moved_by,
    kernel_side,
    with_references,
)

from .helpers import GUARD, REFERENCES, q_size_failure, sampler_size_failure


@kernel_side
def zero_model():
    """A denoiser that predicts 0 everywhere."""
    import torch

    class _Tp05ModeleNul(torch.nn.Module):
        def forward(self, x, t):
            return torch.zeros_like(x)

    return _Tp05ModeleNul()


# ---------------------------------------------------------------- 1. likelihood


@pytest.mark.item("mle_gaussienne", points=0.5)
def test_mle_small_example(submission):
    mu, sigma2 = as_pair(
        submission.call("mle_gaussienne", np.array([1.0, 2.0, 3.0, 6.0])), "mle_gaussienne"
    )
    if math.isclose(as_float(mu, "mu"), 3.5, rel_tol=1e-5) and math.isclose(
            as_float(sigma2, "sigma2"), 3.0, rel_tol=1e-5):
        raise CheckFailed(
            "mle_gaussienne(x = (1, 2, 3, 6)) renvoie (3.5, 3.0) : le couple est dans l'ordre "
            "inverse (sigma2, mu) ; renvoyez (mu, sigma2), la moyenne 3.0 d'abord",
            "mle_gaussienne(x = (1, 2, 3, 6)) returns (3.5, 3.0): the pair is in the reverse "
            "order (sigma2, mu); return (mu, sigma2), the mean 3.0 first",
        )
    assert_close(
        as_float(mu, "mu"),
        3.0,
        name="mu pour x = (1, 2, 3, 6)",
        hint_fr="la moyenne empirique (1 + 2 + 3 + 6) / 4",
        hint_en="the sample mean (1 + 2 + 3 + 6) / 4",
    )
    sigma2 = as_float(sigma2, "sigma2")
    # Each hint checks its own premise: N − 1 only when the value IS the corrected variance.
    hint_fr = "le MLE de la variance est (1/N) Σ (x_i − mu)², ici (4 + 1 + 0 + 9) / 4"
    hint_en = "the MLE of the variance is (1/N) Σ (x_i − mu)², here (4 + 1 + 0 + 9) / 4"
    if math.isclose(sigma2, 14.0 / 3.0, rel_tol=1e-5):
        hint_fr = "le MLE de la variance divise par N (ici (4 + 1 + 0 + 9) / 4), pas par N − 1"
        hint_en = "the MLE of the variance divides by N (here (4 + 1 + 0 + 9) / 4), not by N − 1"
    elif math.isclose(sigma2, math.sqrt(3.5), rel_tol=1e-5) or math.isclose(
            sigma2, math.sqrt(14.0 / 3.0), rel_tol=1e-5):
        hint_fr = ("vous renvoyez l'écart type sigma (une racine carrée) : la fonction renvoie la "
                   "VARIANCE sigma², (1/N) Σ (x_i − mu)², ici (4 + 1 + 0 + 9) / 4")
        hint_en = ("you return the standard deviation sigma (a square root): the function returns "
                   "the VARIANCE sigma², (1/N) Σ (x_i − mu)², here (4 + 1 + 0 + 9) / 4")
    assert_close(
        sigma2,
        3.5,
        name="sigma2 pour x = (1, 2, 3, 6)",
        hint_fr=hint_fr,
        hint_en=hint_en,
    )


@pytest.mark.item("entropie_croisee", points=0.5)
def test_cross_entropy_uniform_logits(submission):
    # F.cross_entropy and F.nll_loss switched off during the call: the statement forbids them.
    got = as_float(
        GUARD.call(submission, "entropie_croisee", Tensor(np.zeros((4, 3))), Tensor(np.array([0, 1, 2, 0]))),
        "entropie_croisee",
    )
    hint_fr = "appliquez un log-softmax aux logits"
    hint_en = "apply a log-softmax to the logits"
    if math.isclose(got, math.log(3.0) / 3, rel_tol=1e-4):
        hint_fr = "la moyenne se prend sur les N exemples, pas sur les N × C cases (ici divisée par C = 3 en trop)"
        hint_en = "the mean is over the N examples, not the N × C entries (here divided by C = 3 once too often)"
    elif math.isclose(got, 4 * math.log(3.0), rel_tol=1e-4):
        hint_fr = "la perte est la MOYENNE sur les N exemples, pas leur somme"
        hint_en = "the loss is the MEAN over the N examples, not their sum"
    assert_close(
        got,
        math.log(3.0),
        name="entropie_croisee(logits = 0, N=4, C=3)",
        hint_fr=f"des logits égaux donnent p = 1/3 pour chaque classe : −log(1/3) = log 3 ; {hint_fr}",
        hint_en=f"equal logits give p = 1/3 for every class: −log(1/3) = log 3; {hint_en}",
    )


# ---------------------------------------------------------------- 2. KL


@pytest.mark.item("kl_gaussiennes", points=0.5)
def test_kl_fixed_examples(submission):
    same = as_float(submission.call("kl_gaussiennes", 0.5, 2.0, 0.5, 2.0), "kl_gaussiennes")
    assert_close(
        same,
        0.0,
        name="KL(N(0.5, 2) || N(0.5, 2))",
        hint_fr="la KL d'une distribution avec elle-même est nulle",
        hint_en="the KL of a distribution with itself is zero",
    )
    expected = 0.5 * (math.log(4.0) + (1.0 + 1.0) / 4.0 - 1.0)
    got = as_float(submission.call("kl_gaussiennes", 0.0, 1.0, 1.0, 4.0), "kl_gaussiennes")
    # Each hint checks its own premise: the order only when the value IS KL(p || q).
    hint_fr = "où var_q = σq² et var_p = σp² sont des variances"
    hint_en = "where var_q = σq² and var_p = σp² are variances"
    if math.isclose(got, 0.5 * (math.log(1.0 / 4.0) + (4.0 + 1.0) / 1.0 - 1.0), rel_tol=1e-5):
        hint_fr = "votre valeur est KL(p || q) : vérifiez l'ordre des arguments, la KL n'est pas symétrique"
        hint_en = "your value is KL(p || q): check the order of the arguments, the KL is not symmetric"
    elif math.isclose(got, 0.5 * (0.5 * math.log(4.0) + (1.0 + 1.0) / 4.0 - 1.0), rel_tol=1e-5):
        hint_fr = ("le terme en log est divisé par 2 une fois de trop : ½ log(σp²/σq²) = log(σp/σq), "
                   "pas ½ log(σp/σq)")
        hint_en = ("the log term is halved once too often: ½ log(σp²/σq²) = log(σp/σq), "
                   "not ½ log(σp/σq)")
    elif math.isclose(got, expected - math.log(4.0), rel_tol=1e-5):
        hint_fr = "le rapport dans le log est inversé : log(var_p / var_q), pas log(var_q / var_p)"
        hint_en = "the ratio inside the log is inverted: log(var_p / var_q), not log(var_q / var_p)"
    elif math.isclose(got, expected + 0.5 * math.log(4.0), rel_tol=1e-5):
        hint_fr = ("le terme en log n'est pas multiplié par ½ : le ½ s'applique à toute la "
                   "parenthèse")
        hint_en = "the log term is not multiplied by ½: the ½ applies to the whole bracket"
    elif math.isclose(got, expected + 0.5, rel_tol=1e-5):
        hint_fr = "le terme − 1 manque dans la parenthèse"
        hint_en = "the − 1 term is missing in the bracket"
    elif math.isclose(got, 0.5 * (math.log(16.0) + (1.0 + 1.0) / 16.0 - 1.0), rel_tol=1e-5):
        hint_fr = ("vous élevez var_q et var_p au carré : ce sont déjà des VARIANCES "
                   "(var_q = σq², var_p = σp²), pas des écarts types")
        hint_en = ("you square var_q and var_p: they are VARIANCES already (var_q = σq², "
                   "var_p = σp²), not standard deviations")
    assert_close(
        got,
        expected,
        name="kl_gaussiennes(mu_q=0, var_q=1, mu_p=1, var_p=4) = KL(q || p)",
        hint_fr=f"½ (log(σp²/σq²) + (σq² + (μq − μp)²)/σp² − 1) : {hint_fr}",
        hint_en=f"½ (log(σp²/σq²) + (σq² + (μq − μp)²)/σp² − 1): {hint_en}",
    )
    # Equal variances, different means: the log term and σq²/σp² − 1 cancel, the means' term
    # stays. A branch "equal variances: KL = 0" is wrong here only.
    got = as_float(submission.call("kl_gaussiennes", 0.0, 1.0, 1.0, 1.0), "kl_gaussiennes")
    hint_fr = "le terme des moyennes (μq − μp)²/σp² reste quand les variances sont égales"
    hint_en = "the term of the means (μq − μp)²/σp² stays when the variances are equal"
    if abs(got) <= 1e-9:
        hint_fr = ("votre KL vaut 0 pour deux variances égales : le terme en log et σq²/σp² − 1 "
                   "s'annulent, pas le terme des moyennes (μq − μp)²/σp² ; KL = (0 − 1)² / 2 ici")
        hint_en = ("your KL is 0 for two equal variances: the log term and σq²/σp² − 1 cancel, "
                   "not the term of the means (μq − μp)²/σp²; KL = (0 − 1)² / 2 here")
    assert_close(
        got,
        0.5,
        name="kl_gaussiennes(mu_q=0, var_q=1, mu_p=1, var_p=1) = KL(N(0, 1) || N(1, 1))",
        hint_fr=f"½ (log(σp²/σq²) + (σq² + (μq − μp)²)/σp² − 1) : {hint_fr}",
        hint_en=f"½ (log(σp²/σq²) + (σq² + (μq − μp)²)/σp² − 1): {hint_en}",
    )


@pytest.mark.item("kl_monte_carlo", points=0.5)
def test_kl_monte_carlo_shapes(submission):
    est, se = as_pair(
        submission.call("kl_monte_carlo", 0.5, 2.0, 0.5, 2.0, 1000, 0), "kl_monte_carlo"
    )
    assert_close(
        as_float(est, "estimation"),
        0.0,
        name="estimation de KL(q || q)",
        atol=1e-9,
        hint_fr="si q = p, log q(x) − log p(x) = 0 pour chaque échantillon",
        hint_en="if q = p, log q(x) − log p(x) = 0 for every sample",
    )
    est, se = as_pair(
        submission.call("kl_monte_carlo", 0.0, 1.0, 1.0, 4.0, 1000, 0), "kl_monte_carlo"
    )
    as_float(est, "estimation")
    if not as_float(se, "erreur_type") > 0.0:
        raise CheckFailed(
            "l'erreur type doit être strictement positive quand q ≠ p : std(f) / sqrt(n)",
            "the standard error must be strictly positive when q ≠ p: std(f) / sqrt(n)",
        )


# ---------------------------------------------------------------- 3. DDPM


@pytest.mark.item("planning_beta", points=0.5)
def test_schedule_course_values(submission):
    betas, alphas_bar = as_pair(
        submission.call("planning_lineaire", 1000, 1e-4, 0.02), "planning_lineaire"
    )
    betas = as_array(betas, "betas (T = 1000)", shape=(1000,))
    alphas_bar = as_array(alphas_bar, "alphas_bar (T = 1000)", shape=(1000,))
    assert_close(
        betas[[0, -1]],
        np.array([1e-4, 0.02]),
        name="(betas[0], betas[-1])",
        hint_fr="betas va linéairement de beta_1 = 1e-4 à beta_T = 0.02 (torch.linspace)",
        hint_en="betas goes linearly from beta_1 = 1e-4 to beta_T = 0.02 (torch.linspace)",
    )
    if not (np.all(alphas_bar > 0) and np.all(alphas_bar <= 1) and np.all(np.diff(alphas_bar) < 0)):
        raise CheckFailed(
            "alphas_bar doit être strictement décroissant et dans ]0, 1] : c'est un produit "
            "cumulé de facteurs 1 − beta_s (torch.cumprod), pas une somme",
            "alphas_bar must be strictly decreasing and in (0, 1]: it is a cumulative product "
            "of factors 1 − beta_s (torch.cumprod), not a sum",
        )
    assert_close(
        alphas_bar[0],
        1 - 1e-4,
        name="alphas_bar[0]",
        hint_fr="alphas_bar[0] = 1 − beta_1",
        hint_en="alphas_bar[0] = 1 − beta_1",
    )


@pytest.mark.item("q_echantillon", points=0.5)
def test_q_sample_without_noise(submission):
    x0 = np.array([[1.0, -2.0], [0.5, 0.5], [3.0, 0.0]])
    alphas_bar = np.array([0.81, 0.64, 0.25, 0.04])
    t = np.array([0, 2, 3])
    try:
        got = submission.call(
            "q_echantillon", Tensor(x0), Tensor(t), Tensor(np.zeros_like(x0)), Tensor(alphas_bar)
        )
    except SubmissionError as exc:
        raise q_size_failure(submission, exc, len(x0)) from None
    got = as_array(got, "q_echantillon", shape=(3, 2))
    hint_fr = "prenez la racine de alphas_bar (l'argument, pas betas ni la variable globale)"
    hint_en = "take the square root of alphas_bar (the argument, not betas nor the global variable)"
    rows_ok = np.all(np.isclose(got, np.sqrt(alphas_bar[t])[:, None] * x0, rtol=1e-5, atol=1e-8), axis=1)
    if np.allclose(got, np.sqrt(alphas_bar[t - 1])[:, None] * x0, rtol=1e-5):
        hint_fr = ("l'indice est décalé : alphas_bar[t] avec t de 0 à T − 1 (indices Python), pas "
                   "alphas_bar[t − 1] (la numérotation du cours commence à 1)")
        hint_en = ("the index is shifted: alphas_bar[t] with t from 0 to T − 1 (Python indices), "
                   "not alphas_bar[t − 1] (the course numbers steps from 1)")
    elif any(np.allclose(got, math.sqrt(alphas_bar[k]) * x0, rtol=1e-5) for k in t):
        # One coefficient for every row (t[0], a single index): the rows share one alpha_bar.
        hint_fr = ("toutes les lignes utilisent le MÊME pas t (t[0] ou un seul indice ?) : chaque "
                   "ligne i a son propre pas t[i], alphas_bar[t] est un vecteur (un coefficient par ligne)")
        hint_en = ("every row uses the SAME step t (t[0] or a single index?): each row i has its own "
                   "step t[i], alphas_bar[t] is a vector (one coefficient per row)")
    elif np.allclose(got, np.sqrt(np.cumprod(alphas_bar)[t])[:, None] * x0, rtol=1e-5):
        # Checked before the rows: a product of alphas_bar again leaves the row t = 0 right.
        hint_fr = ("vous refaites le produit cumulé de alphas_bar (torch.cumprod(alphas_bar)) : "
                   "l'argument alphas_bar EST déjà le produit cumulé ; prenez alphas_bar[t] tel quel")
        hint_en = ("you take the cumulative product of alphas_bar again (torch.cumprod(alphas_bar)): "
                   "the alphas_bar argument IS the cumulative product already; take alphas_bar[t] as it is")
    elif rows_ok.any() and not rows_ok.all():
        # Some rows right, others not: the square root and the argument are fine, the index is not.
        bad = ", ".join(str(int(v)) for v in t[~rows_ok])
        hint_fr = (f"certaines lignes sont justes, pas celles où t = {bad} : vérifiez l'indice, "
                   "alphas_bar[t] ligne par ligne pour tout t de 0 à T − 1 (t = 0 compris, sans "
                   "clamp ni décalage)")
        hint_en = (f"some rows are right, not those with t = {bad}: check the index, alphas_bar[t] "
                   "row by row for every t from 0 to T − 1 (t = 0 included, no clamp or shift)")
    elif np.allclose(got, alphas_bar[t][:, None] * x0, rtol=1e-5):
        hint_fr = "racine carrée manquante : le coefficient est sqrt(alphas_bar[t]), pas alphas_bar[t]"
        hint_en = "missing square root: the coefficient is sqrt(alphas_bar[t]), not alphas_bar[t]"
    assert_close(
        got,
        np.sqrt(alphas_bar[t])[:, None] * x0,
        name="q_echantillon(x0, t = (0, 2, 3), bruit = 0, alphas_bar = (0.81, 0.64, 0.25, 0.04))",
        hint_fr=f"sans bruit, x_t = sqrt(alphas_bar[t]) · x0 : {hint_fr}",
        hint_en=f"without noise, x_t = sqrt(alphas_bar[t]) · x0: {hint_en}",
    )


@pytest.mark.item("perte_debruitage", points=0.5)
def test_loss_with_zero_model(submission):
    model = zero_model.call(submission)
    x0 = np.array([[1.0, 2.0], [-1.0, 0.5]])
    bruit = np.array([[0.5, -1.0], [2.0, 0.0]])
    # With the grader's q_echantillon: a mistake there costs points in its own item only.
    got = as_float(with_references(
        submission, {"q_echantillon": REFERENCES["q_echantillon"]},
        "perte_debruitage",
        model,
        Tensor(x0),
        Tensor(np.array([0, 1])),
        Tensor(bruit),
        Tensor(np.array([0.9, 0.5])),
    ), "perte_debruitage")
    expected = float(np.mean(bruit**2))
    # Each hint checks its own premise on this example.
    hint_fr = "la cible est le BRUIT, la moyenne de (bruit − modele(x_t, t))² sur le lot et les coordonnées"
    hint_en = "the target is the NOISE, the mean of (noise − model(x_t, t))² over the batch and the coordinates"
    if math.isclose(got, float(np.mean(np.abs(bruit))), rel_tol=1e-5):
        hint_fr = ("vous prenez la valeur absolue de l'écart : la perte est l'erreur QUADRATIQUE "
                   "moyenne, (bruit − prédiction)² (F.mse_loss)")
        hint_en = ("you take the absolute value of the gap: the loss is the mean SQUARED error, "
                   "(noise − prediction)² (F.mse_loss)")
    elif math.isclose(got, float(np.sum(bruit**2)), rel_tol=1e-5):
        hint_fr = "vous sommez : la perte est la MOYENNE sur le lot et les coordonnées (F.mse_loss)"
        hint_en = "you sum: the loss is the MEAN over the batch and the coordinates (F.mse_loss)"
    elif math.isclose(got, 2 * expected, rel_tol=1e-5):
        hint_fr = "vous sommez sur les coordonnées : prenez la moyenne sur le lot ET les coordonnées (F.mse_loss)"
        hint_en = "you sum over the coordinates: take the mean over the batch AND the coordinates (F.mse_loss)"
    elif math.isclose(got, float(np.mean(x0**2)), rel_tol=1e-5):
        hint_fr = "la cible est le BRUIT ε, pas x0 : le réseau prédit le bruit ajouté"
        hint_en = "the target is the NOISE ε, not x0: the network predicts the added noise"
    assert_close(
        got,
        expected,
        name="perte_debruitage avec un modèle qui prédit 0",
        hint_fr=f"un modèle qui prédit 0 a pour perte la moyenne de bruit² ; {hint_fr}",
        hint_en=f"a model predicting 0 has loss mean(noise²); {hint_en}",
    )


@pytest.mark.item("entrainer_debruiteur", points=0.5)
def test_trained_denoiser_exists(submission):
    # A few steps on the grader's points: the check calls the student's function itself.
    rng = np.random.default_rng(5)
    betas = np.linspace(1e-4, 0.02, 1000)
    # With the grader's q_echantillon and loss: their mistakes cost points in their own items.
    model = with_references(
        submission, REFERENCES, "entrainer_debruiteur", Tensor(rng.normal(size=(50, 2))), Tensor(np.cumprod(1.0 - betas)),
        n_pas=3, taille_lot=16, lr=1e-3, seed=0,
    )
    if not isinstance(model, Handle):
        raise CheckFailed(
            "entrainer_debruiteur doit renvoyer le modèle (un nn.Module)",
            "entrainer_debruiteur must return the model (an nn.Module)",
        )
    out = model.call("forward", Tensor(np.zeros((5, 2))), Tensor(np.arange(5)))
    as_array(out, "debruiteur(x (5, 2), t (5,))", shape=(5, 2))


@pytest.mark.item("echantillonner", points=0.5)
def test_sampler_shape_and_seed(submission):
    model = zero_model.call(submission)
    betas = np.linspace(1e-3, 0.1, 20)
    try:
        a, b, c = (
            as_array(submission.call("echantillonner", model, 7, Tensor(betas), s), "echantillonner",
                     shape=(7, 2))
            for s in (3, 3, 4)
        )
    except SubmissionError as exc:
        raise sampler_size_failure(submission, exc, 7, len(betas)) from None
    if not np.array_equal(a, b) or np.array_equal(a, c):
        raise CheckFailed(
            "echantillonner doit être déterministe pour une graine donnée et changer avec la "
            "graine : tirez tout l'aléa avec torch.Generator().manual_seed(seed)",
            "echantillonner must be deterministic for a given seed and change with the seed: "
            "draw all randomness with torch.Generator().manual_seed(seed)",
        )
    # Question 9: torch.Generator().manual_seed(seed) for ALL randomness. torch.manual_seed(seed)
    # then torch.randn is reproducible too, but draws from (and reseeds) the notebook's global
    # generator: seen as the global state left other than it was.
    moved = global_generators_moved_by(
        submission, partial(submission.call, "echantillonner", model, 7, Tensor(betas), 3), reset=12345
    )
    if moved:
        names, names_en = generators_text(moved)
        raise CheckFailed(
            f"echantillonner tire dans {names} ou le réinitialise (torch.manual_seed(seed) puis "
            "torch.randn sans generator= ?) : l'énoncé demande un générateur à part pour tout "
            "l'aléa, gen = torch.Generator().manual_seed(seed), puis torch.randn(n, 2, "
            "generator=gen) pour x_T et pour chaque z",
            f"echantillonner draws from or reseeds {names_en} (torch.manual_seed(seed) then "
            "torch.randn without generator=?): the statement asks for a generator of its own for "
            "all randomness, gen = torch.Generator().manual_seed(seed), then torch.randn(n, 2, "
            "generator=gen) for x_T and for every z",
        )
