"""Hidden checks, part 3: the mechanism, not only the outcome.

- echantillonner: run with a grader schedule (T = 12, large β growing by a factor 1.23 to 1.31
  per step) and a stand-in model that
  records every (x, t) the sampler gives it. The grader then checks the calls (t from
  T − 1 down to 0, once each), x_T ~ N(0, I), and recomputes each reverse step from the
  recorded input and the model's answer: the residual x_(t−1) − μ_t(x_t, ε) must be
  uncorrelated with x_t, centred, with standard deviation sqrt(β_t) at EVERY step (the
  statement's σ_t² = β_t, within 5 %; a σ read one index off, sqrt(β_(t−1)), is 10 % or more
  off at every step of this schedule; the posterior sqrt(β̃_t) of its "pour aller plus loin"
  costs half the check), and exactly zero at the last step. A sampler missing 1/sqrt(α_t),
  reading the notebook's ALPHAS_BAR, or an index shifted by one, lands near the spiral with
  the course's small β but fails here; the hints name the index or the global only when the
  recorded steps follow that variant.
- kl_monte_carlo: the same seed gives the same estimate (the generator is seeded).
- perte_debruitage: a tensor that gradients flow through to the model's parameters (with
  the grader's q(x_t | x_0), so a q_echantillon mistake costs points in its own item), and
  a call with no side effect on the model: its .grad still empty and its weights unchanged
  (a loss that calls backward() itself fills .grad at every call).
- mle_gaussienne: leaves the caller's array unmodified.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograder.checks import (
    CheckFailed,
    Partial,
    Ref,
    SubmissionError,
    Tensor,
    as_array,
    as_float,
    assert_arguments_untouched,
    kernel_side,
    record_margin,
    relabel,
    with_references,
)

from ..public.helpers import CLIP_HINT, REFERENCES, piles_at_a_bound, sampler_size_failure


@kernel_side
def record_sampler(echantillonner, n, betas, seed, a, b):
    """The student's sampler run with a stand-in model ε = a x + b that records every (x, t)."""
    import torch

    class _Tp05Enregistreur(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.xs, self.ts = [], []

        def forward(self, x, t):
            xd = torch.as_tensor(x).detach().double()
            td = torch.as_tensor(t).detach().double().reshape(-1)
            self.xs.append(xd.clone())
            self.ts.append([float(td.min()), float(td.max()), int(td.numel())] if td.numel() else [-1.0, -1.0, 0])
            return (a * x + b).to(x.dtype) if isinstance(x, torch.Tensor) else a * x + b

    model = _Tp05Enregistreur()
    out = echantillonner(model, n, torch.as_tensor(betas, dtype=torch.float64), seed)
    ok = all(tuple(x.shape) == (n, 2) for x in model.xs)
    return {
        "out": torch.as_tensor(out).detach().double(),
        "xs": torch.stack(model.xs) if model.xs and ok else None,
        "shapes": [list(x.shape) for x in model.xs[:3]],
        "ts": model.ts,
    }

@kernel_side
def zero_model():
    """A denoiser that predicts no noise: enough to run a sampler whose arguments are watched."""
    import torch

    class _Zero(torch.nn.Module):
        def forward(self, x, t):
            return torch.zeros_like(x)

    return _Zero()


@kernel_side
def sampler_keeps_graph(echantillonner, n, betas, seed):
    """Whether the samples come back attached to autograd (no torch.no_grad()): the sampler run
    with a denoiser that has a parameter (w = 0, it predicts no noise)."""
    import torch

    class _Tp05Parametre(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(()))

        def forward(self, x, t):
            return self.w * x

    out = echantillonner(_Tp05Parametre(), n, torch.as_tensor(betas, dtype=torch.float64), seed)
    return bool(getattr(out, "requires_grad", False) or getattr(out, "grad_fn", None) is not None)


EPS_A, EPS_B = 0.3, 0.1  # the stand-in model predicts ε = 0.3 x + 0.1
N_SAMPLER = 4000  # samples of the recorded run: the std of one step's noise to ±0.8 % (8000 draws)
# Relative tolerance on the std of each step's noise: correct samplers are within 4 % with
# probability 1 − 1e-6 per step (5 standard errors); sqrt(β_(t−1)) at step t is 10–13 % off on
# the grader's geometric schedule (1 / sqrt(1.31) to 1 / sqrt(1.23)), a linear one's last steps 4 %.
SIGMA_RTOL = 0.05


def _sampler_schedule(rng) -> np.ndarray:
    """12 steps, geometric from β_0 ∈ [0.02, 0.03] to β_11 ∈ [0.3, 0.4]: each β_t is 1.23 to 1.31
    times β_(t−1), so a noise or coefficient read one index off is off at EVERY step (a linear
    schedule changes by 4 % only over its last steps)."""
    return np.geomspace(float(rng.uniform(0.02, 0.03)), float(rng.uniform(0.3, 0.4)), 12)


def _fit(r: np.ndarray, x: np.ndarray) -> tuple[float, float, float]:
    """Largest |slope| and |intercept| (in standard errors) of r on x, coordinate-wise; std."""
    worst_b = worst_c = 0.0
    for j in range(r.shape[1]):
        xc = x[:, j] - x[:, j].mean()
        b = float((xc * r[:, j]).sum() / max((xc**2).sum(), 1e-12))
        resid = r[:, j] - b * xc
        s = float(resid.std()) + 1e-12
        se_b = s / math.sqrt(max((xc**2).sum(), 1e-12))
        se_c = s / math.sqrt(len(r))
        worst_b = max(worst_b, abs(b) / se_b)
        worst_c = max(worst_c, abs(float(r[:, j].mean())) / se_c)
    return worst_b, worst_c, float(r.std())


def _reverse_steps(xs: np.ndarray, out: np.ndarray, betas: np.ndarray, divide: bool | str = True,
                   shift: frozenset = frozenset(), ab_eps: np.ndarray | None = None):
    """(t, x_t, μ_t, residual) for every recorded reverse step, t = T − 1 … 0: the DDPM mean
    of the stand-in model's ε, and what the sampler produced minus it (σ_t z for t > 0).
    `divide`: by sqrt(α_t) (True, the statement's), not at all (False), or by sqrt(ᾱ_t)
    ("alpha_bar", a hint's premise). A hint's premise too: `shift` names the terms read at
    index t − 1 as Python reads it ("beta" and "alpha_bar" in the coefficient of ε, "alpha" in
    the divisor; at t = 0 the index −1 is the LAST entry), `ab_eps` another ᾱ in the coefficient
    (the notebook's ALPHAS_BAR)."""
    T = len(betas)
    alphas = 1.0 - betas
    ab = np.cumprod(alphas)
    b_eps = np.roll(betas, 1) if "beta" in shift else betas
    a_eps = ab if ab_eps is None else ab_eps
    a_eps = np.roll(a_eps[:T], 1) if "alpha_bar" in shift else a_eps
    a_div = np.roll(alphas, 1) if "alpha" in shift else alphas
    for k in range(T):
        t = T - 1 - k
        x_in = xs[k]
        nxt = xs[k + 1] if t > 0 else out
        eps = EPS_A * x_in + EPS_B
        mu = x_in - b_eps[t] / math.sqrt(1.0 - a_eps[t]) * eps
        if divide == "alpha_bar":
            mu = mu / math.sqrt(ab[t])
        elif divide:
            mu = mu / math.sqrt(a_div[t])
        yield t, x_in, mu, nxt - mu


def _steps_ok(xs: np.ndarray, out: np.ndarray, betas: np.ndarray, divide: bool | str = True,
              shift: frozenset = frozenset(), ab_eps: np.ndarray | None = None,
              mean_only: bool = False) -> tuple[bool, str]:
    """Whether every recorded reverse step follows the DDPM update of the statement (σ_t² = β_t);
    the fault: of the mean first (any step), then of the noise. The posterior variance
    β̃_t = (1 − ᾱ_(t−1)) / (1 − ᾱ_t) β_t (the statement's "pour aller plus loin", not its
    question 9) is told apart at the first steps of the grader's schedule, where β̃_t / β_t is
    0.4 to 0.5 (std ratio 0.7 or less, 4000 × 2 draws: ±0.008): "tilde" when every step's noise
    has std sqrt(β̃_t) and some step's is not sqrt(β_t). "sigma-shift" when every step t > 0 adds
    noise of std sqrt(β_(t−1)), one index off. `mean_only`: the mean alone (a hint's premise;
    the last step, t = 0, exact: there the index −1 of a shifted term reads the LAST entry, which
    tells every combination of shifted terms apart)."""
    ab = np.cumprod(1.0 - betas)
    stds = {}
    for t, x_in, mu, r in _reverse_steps(xs, out, betas, divide, shift, ab_eps):
        if t == 0:
            if float(np.max(np.abs(r))) > 1e-4 * (1.0 + float(np.max(np.abs(mu)))):
                noisy = abs(float(r.std()) / math.sqrt(betas[0]) - 1) < 0.15 and abs(float(r.mean())) < 0.05
                return False, "last-noise" if noisy and not mean_only else "mean"
            continue
        b, c, std = _fit(r, x_in)
        if b > 6 or c > 6:
            return False, "mean"
        stds[t] = std
    if mean_only:
        return True, ""

    def near(t: int, var: float) -> bool:
        return abs(stds[t] / math.sqrt(var) - 1) < SIGMA_RTOL

    if all(near(t, betas[t]) for t in stds):
        return True, ""
    if all(near(t, betas[t - 1]) for t in stds):
        return False, "sigma-shift"
    tilde_steps = False
    for t in stds:
        if near(t, betas[t]):
            continue
        tilde = (1.0 - ab[t - 1]) / (1.0 - ab[t]) * betas[t]
        if abs(stds[t] / math.sqrt(tilde) - 1) < 0.1:
            tilde_steps = True
            continue
        return False, "variance"
    return (False, "tilde") if tilde_steps else (True, "")


#: The terms of the reverse step a student may read at index t − 1 (the course's 1-based habit),
#: alone or together, and how a hint names them.
_SHIFTS = {
    frozenset({"alpha_bar"}): "alphas_bar[t − 1]",
    frozenset({"beta"}): "betas[t − 1]",
    frozenset({"alpha"}): "alphas[t − 1]",
    frozenset({"beta", "alpha_bar"}): "betas[t − 1] et alphas_bar[t − 1]",
    frozenset({"beta", "alpha"}): "betas[t − 1] et alphas[t − 1]",
    frozenset({"alpha_bar", "alpha"}): "alphas_bar[t − 1] et alphas[t − 1]",
    frozenset({"beta", "alpha_bar", "alpha"}): "betas[t − 1], alphas[t − 1] et alphas_bar[t − 1]",
}


def _notebook_alphas_bar(T: int) -> np.ndarray:
    """The notebook's ALPHAS_BAR (planning_lineaire(1000, 1e-4, 0.02)), its first T entries."""
    return np.cumprod(1.0 - np.linspace(1e-4, 0.02, 1000))[:T]


def _silent_steps(xs: np.ndarray, out: np.ndarray, betas: np.ndarray) -> list[int]:
    """The steps t > 0 that add no noise at all: the sampler's next x is exactly the DDPM mean
    (a guard t > 1 for t > 0). Empty when the mean itself is off (then the residual is not 0)."""
    return [t for t, _, mu, r in _reverse_steps(xs, out, betas)
            if t > 0 and float(np.max(np.abs(r))) <= 1e-6 * (1.0 + float(np.max(np.abs(mu))))]


def _reused_noise(xs: np.ndarray, out: np.ndarray, betas: np.ndarray) -> bool:
    """Whether the noise added at successive reverse steps is the same draw z: the residuals
    around the DDPM mean of two successive steps t > 0 are then the same vector up to a scale
    (σ_t z and σ_(t−1) z: relative misfit at rounding level), where independent draws leave a
    misfit ≈ 1. A mean that is off (a wrong divisor) leaves a multiple of x_t in the residuals,
    which correlate from step to step although z is new: not this premise (misfit ≫ 0.05), nor
    has it the scale of noise, sqrt(β_t) (a divisor sqrt(ᾱ_t) makes x_t explode)."""
    steps = [(t, r) for t, _, _, r in _reverse_steps(xs, out, betas) if t > 0]
    scales = [abs(float(r.std()) / math.sqrt(betas[t]) - 1) for t, r in steps]
    if not scales or float(np.median(scales)) > 0.3:
        return False
    res = [r.reshape(-1) for _, r in steps]
    misfit = []
    for a, b in zip(res[:-1], res[1:], strict=True):
        k = float(a @ b) / max(float(a @ a), 1e-300)
        misfit.append(float(np.linalg.norm(b - k * a)) / max(float(np.linalg.norm(b)), 1e-300))
    return bool(misfit) and float(np.median(misfit)) < 0.05


def _noise_is_x_T(xs: np.ndarray, out: np.ndarray, betas: np.ndarray) -> bool:
    """Whether the noise z added at the first reverse step (residual / sqrt(β_(T−1))) IS the
    starting point x_T the model got first (relative gap below 1e-3; float32 rounding leaves
    1e-5, an independent draw ≈ 1.4): the generator created again with the same seed to draw z
    (in the loop, or for a z drawn once) gives back x_T's draw (blind round 22)."""
    for t, _, _, r in _reverse_steps(xs, out, betas):
        if t > 0:
            z = r / math.sqrt(betas[t])
            return float(np.linalg.norm(z - xs[0])) <= 1e-3 * max(float(np.linalg.norm(xs[0])), 1e-300)
    return False


@pytest.mark.item("echantillonner", points=1)
def test_sampler_reverse_steps(submission, rng, seed):
    n = N_SAMPLER
    betas = _sampler_schedule(rng)
    T = len(betas)
    try:
        rec = record_sampler.call(submission, Ref("echantillonner"), n, betas.tolist(),
                                  int(seed % 2**31), EPS_A, EPS_B, timeout=60)
    except SubmissionError as exc:
        # A size written in the code (n, T) is named when the sampler runs at the notebook's.
        sized = sampler_size_failure(submission, exc, n, T)
        raise (sized if sized is not exc else relabel(exc, record_sampler.ref_name, "echantillonner")) from None
    what = "echantillonner(modele, n, betas, seed) avec un planning du correcteur"
    what_en = "echantillonner(model, n, betas, seed) with a grader schedule"
    ts = rec["ts"]
    calls = [(int(lo), int(hi)) for lo, hi, _ in ts]
    expected = [(t, t) for t in range(T - 1, -1, -1)]
    if calls != expected:
        if calls == [(t + 1, t + 1) for t in range(T - 1, -1, -1)]:
            shift = (" : les pas sont décalés de 1 (de len(betas) à 1) ; les indices de betas "
                     "commencent à 0", ": the steps are shifted by 1 (from len(betas) to 1); "
                     "betas is indexed from 0")
        elif all(lo == hi for lo, hi in calls):
            shift = (f", avec t = {', '.join(str(lo) for lo, _ in calls[:4])}…",
                     f", with t = {', '.join(str(lo) for lo, _ in calls[:4])}...")
        else:
            shift = (f", avec des t (min, max) par lot {calls[:4]}…",
                     f", with (min, max) of t per batch {calls[:4]}...")
        raise CheckFailed(
            f"{what} : le modèle a été appelé {len(calls)} fois{shift[0]} ; une fois par pas, de "
            "t = len(betas) − 1 jusqu'à 0, comme modele(x, torch.full((n,), t))",
            f"{what_en}: the model was called {len(calls)} times{shift[1]}; once per step, from "
            "t = len(betas) − 1 down to 0, as model(x, torch.full((n,), t))",
        )
    if rec["xs"] is None:
        raise CheckFailed(
            f"{what} : le modèle reçoit des x de forme {rec['shapes']} : (n, 2) attendu",
            f"{what_en}: the model receives x of shape {rec['shapes']}: (n, 2) expected",
        )
    xs = as_array(rec["xs"], "entrées du modèle", shape=(T, n, 2), allow_nan=True)
    out = as_array(rec["out"], "echantillonner(…)", shape=(n, 2), allow_nan=True)
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(out))):
        raise CheckFailed(f"{what} : valeurs non finies", f"{what_en}: non-finite values")
    m0, s0 = float(np.abs(xs[0].mean(0)).max()), float(xs[0].std())
    record_margin("sampler x_T: |mean|", m0, 0.1, higher_is_better=False)
    if m0 <= 0.1 and abs(s0 - 1) > 0.1 and abs(s0 / math.sqrt(1.0 + betas[-1]) - 1) < 0.04:
        # Blind round 20: x_T drawn right, then sigma_t z added BEFORE the model and the mean
        # (the first input's variance is 1 + beta_(T−1): 1.30 to 1.40 here, far from 1; its
        # std is known to ±0.8 %, the band is 5 of them). The hint "draw x_T ~ N(0, I)" named
        # the wrong line.
        raise CheckFailed(
            f"{what} : le modèle reçoit au premier pas x_T + sigma_t z, un x_T déjà bruité (écart "
            f"type {s0:.2f}) : le bruit sigma_t z est ajouté AVANT la moyenne ; à chaque pas, "
            "appelez le modèle sur x_t tel quel, calculez la moyenne (x_t − beta_t / sqrt(1 − "
            "alpha_bar_t) · ε) / sqrt(alpha_t), et ajoutez sigma_t z APRÈS (pour t > 0)",
            f"{what_en}: at the first step the model gets x_T + sigma_t z, an x_T already noised "
            f"(standard deviation {s0:.2f}): the noise sigma_t z is added BEFORE the mean; at every "
            "step, call the model on x_t as it is, compute the mean (x_t − beta_t / sqrt(1 − "
            "alpha_bar_t) · ε) / sqrt(alpha_t), and add sigma_t z AFTER it (for t > 0)",
        )
    if m0 > 0.1 or abs(s0 - 1) > 0.1:
        raise CheckFailed(
            f"{what} : le point de départ x_T a une moyenne jusqu'à {m0:.2f} en valeur absolue et "
            f"un écart type {s0:.2f} : tirez x_T ~ N(0, I) avec torch.randn(n, 2, generator=gen)",
            f"{what_en}: the starting point x_T has a mean up to {m0:.2f} in absolute value and a "
            f"standard deviation {s0:.2f}: draw x_T ~ N(0, I) with torch.randn(n, 2, generator=gen)",
        )
    ok, fault = _steps_ok(xs, out, betas)
    if ok:
        record_margin(
            "sampler: largest relative gap of a step's noise std to sqrt(beta_t)",
            max(abs(float(r.std()) / math.sqrt(betas[t]) - 1)
                for t, _, _, r in _reverse_steps(xs, out, betas) if t > 0),
            SIGMA_RTOL,
            higher_is_better=False,
        )
    if ok or fault == "tilde":
        # The statement's rule (the TP's introduction): betas is left as it was (the notebook
        # samples again with the same BETAS).
        assert_arguments_untouched(
            submission, "echantillonner", (zero_model.call(submission), 8, Tensor(betas), 0), {2: "betas"},
            hint_fr="calculez alphas = 1 − betas dans un nouveau tenseur, sans betas -= … ni mul_",
            hint_en="compute alphas = 1 − betas into a new tensor, without betas -= ... or mul_",
        )
        # The statement: "travaillez sous torch.no_grad()".
        try:
            graph = sampler_keeps_graph.call(submission, Ref("echantillonner"), 8, betas.tolist(), 0)
        except SubmissionError as exc:
            raise relabel(exc, sampler_keeps_graph.ref_name, "echantillonner") from None
        if graph is True:
            raise CheckFailed(
                "echantillonner renvoie des échantillons qui gardent le graphe d'autograd "
                "(requires_grad, grad_fn) quand le modèle a des paramètres : l'énoncé demande de "
                "travailler sous torch.no_grad() (sinon chaque pas garde en mémoire le graphe de "
                "tous les appels du modèle) ; mettez la boucle dans un bloc with torch.no_grad():",
                "echantillonner returns samples that keep the autograd graph (requires_grad, "
                "grad_fn) when the model has parameters: the statement asks to work under "
                "torch.no_grad() (otherwise every step keeps the graph of all the model's calls "
                "in memory); put the loop in a with torch.no_grad(): block",
            )
        if fault == "tilde":
            # A valid DDPM sampler (Ho et al.'s other choice), not the statement's: half the check.
            raise Partial(
                0.5,
                f"{what} : le bruit ajouté à chaque pas a la variance du postérieur beta_tilde_t = "
                "(1 − alpha_bar_(t−1)) / (1 − alpha_bar_t) · beta_t ; la question 9 demande la "
                "variance sigma_t² = beta_t (sigma_t = sqrt(beta_t)), beta_tilde n'est que la piste "
                "« pour aller plus loin »",
                f"{what_en}: the noise added at every step has the posterior variance beta_tilde_t = "
                "(1 − alpha_bar_(t−1)) / (1 − alpha_bar_t) · beta_t; question 9 asks for the variance "
                "sigma_t² = beta_t (sigma_t = sqrt(beta_t)), beta_tilde is only the « going further » "
                "suggestion",
            )
        return
    if piles_at_a_bound(out) or any(piles_at_a_bound(x) for x in xs[1:]):
        # Clipped at the end (the last step's residual is 0 but where the bound cut) or at
        # every step (the model's inputs pile up there too).
        hint_fr, hint_en = CLIP_HINT
    elif _reused_noise(xs, out, betas) and _noise_is_x_T(xs, out, betas):
        hint_fr = ("le bruit z est le même à chaque pas, et c'est le tirage de x_T lui-même : le "
                   "générateur est re-créé avec la graine (torch.Generator().manual_seed(seed) "
                   "dans la boucle ?) et redonne à chaque fois son premier tirage ; créez le "
                   "générateur UNE fois, avant la boucle, tirez x_T puis un NOUVEAU z ~ N(0, I) de "
                   "ce même générateur à chaque pas t > 0")
        hint_en = ("the noise z is the same at every step, and it is x_T's own draw: the generator "
                   "is created again with the seed (torch.Generator().manual_seed(seed) inside the "
                   "loop?) and gives back its first draw every time; create the generator ONCE, "
                   "before the loop, draw x_T then a NEW z ~ N(0, I) from that same generator at "
                   "every step t > 0")
    elif _reused_noise(xs, out, betas):
        hint_fr = ("le bruit z est le même à chaque pas (tiré une seule fois avant la boucle, ou "
                   "un générateur re-créé avec la graine à chaque pas) : tirez un NOUVEAU "
                   "z ~ N(0, I) à chaque pas t > 0, dans la boucle, d'un générateur créé une "
                   "seule fois")
        hint_en = ("the noise z is the same at every step (drawn once before the loop, or a "
                   "generator created again with the seed at every step): draw a NEW z ~ N(0, I) "
                   "at every step t > 0, inside the loop, from a generator created once")
    elif _steps_ok(xs, out, betas, divide="alpha_bar")[0]:
        hint_fr = ("vous divisez par sqrt(alpha_bar_t) : la moyenne du pas arrière se divise par "
                   "sqrt(alpha_t) = sqrt(1 − beta_t), le facteur d'UN pas, pas le produit cumulé : "
                   "x_(t−1) = (x_t − beta_t / sqrt(1 − alpha_bar_t) · ε) / sqrt(alpha_t) + sigma_t z")
        hint_en = ("you divide by sqrt(alpha_bar_t): the mean of the reverse step is divided by "
                   "sqrt(alpha_t) = sqrt(1 − beta_t), the factor of ONE step, not the cumulative "
                   "product: x_(t−1) = (x_t − beta_t / sqrt(1 − alpha_bar_t) · ε) / sqrt(alpha_t) + sigma_t z")
    elif _steps_ok(xs, out, betas, divide=False)[0]:
        hint_fr = "il manque la division par sqrt(alpha_t) : x_(t−1) = (x_t − beta_t / sqrt(1 − alpha_bar_t) · ε) / sqrt(alpha_t) + sigma_t z"
        hint_en = "the division by sqrt(alpha_t) is missing: x_(t−1) = (x_t − beta_t / sqrt(1 − alpha_bar_t) · ε) / sqrt(alpha_t) + sigma_t z"
    elif silent := _silent_steps(xs, out, betas):
        steps = ", ".join(f"t = {t}" for t in silent)
        hint_fr = (f"aucun bruit n'est ajouté au pas {steps} : seul le DERNIER pas (t = 0) n'ajoute pas "
                   "de bruit ; à chaque pas t > 0 (t = 1 compris), ajoutez sqrt(beta_t) z")
        hint_en = (f"no noise is added at step {steps}: only the LAST step (t = 0) adds no noise; at "
                   "every step t > 0 (t = 1 included), add sqrt(beta_t) z")
    elif fault == "last-noise":
        hint_fr = "le dernier pas (t = 0) n'ajoute pas de bruit : x_0 est la moyenne μ_0"
        hint_en = "the last step (t = 0) adds no noise: x_0 is the mean μ_0"
    elif fault == "sigma-shift":
        hint_fr = ("l'écart type du bruit ajouté au pas t est sqrt(betas[t − 1]), celui du pas d'avant : "
                   "l'indice est décalé ; au pas t, sigma_t = sqrt(betas[t]) (le MÊME indice t que "
                   "dans la moyenne, de len(betas) − 1 à 1)")
        hint_en = ("the std of the noise added at step t is sqrt(betas[t − 1]), the previous step's: the "
                   "index is shifted; at step t, sigma_t = sqrt(betas[t]) (the SAME index t as in the "
                   "mean, from len(betas) − 1 down to 1)")
    elif fault == "variance":
        hint_fr = ("le bruit ajouté n'a pas le bon écart type : sigma_t z avec sigma_t = sqrt(beta_t) "
                   "(la variance est beta_t) et z ~ N(0, I)")
        hint_en = ("the added noise has the wrong standard deviation: sigma_t z with sigma_t = "
                   "sqrt(beta_t) (the variance is beta_t) and z ~ N(0, I)")
    elif shifted := next((s for s in _SHIFTS if _steps_ok(xs, out, betas, shift=s, mean_only=True)[0]), None):
        names = _SHIFTS[shifted]
        hint_fr = (f"la moyenne du pas arrière lit {names} : l'indice est décalé d'un pas (et à t = 0, "
                   "l'indice −1 donne le DERNIER élément) ; en Python betas[t], alphas[t] et "
                   "alphas_bar[t] sont pris au MÊME indice t, de len(betas) − 1 à 0 : "
                   "x_(t−1) = (x_t − beta_t / sqrt(1 − alpha_bar_t) · ε) / sqrt(alpha_t) + sigma_t z")
        hint_en = (f"the mean of the reverse step reads {names.replace(' et ', ' and ')}: the index "
                   "is shifted by one step (and at t = 0, the index −1 gives the LAST entry); in "
                   "Python betas[t], alphas[t] and alphas_bar[t] are read at the SAME index t, from "
                   "len(betas) − 1 down to 0: "
                   "x_(t−1) = (x_t − beta_t / sqrt(1 − alpha_bar_t) · ε) / sqrt(alpha_t) + sigma_t z")
    elif _steps_ok(xs, out, betas, ab_eps=_notebook_alphas_bar(T), mean_only=True)[0]:
        hint_fr = ("le coefficient de ε suit les alpha_bar du planning du notebook (ALPHAS_BAR), pas "
                   "ceux du planning du correcteur : calculez alphas = 1 − betas et alphas_bar = "
                   "cumprod(alphas) à partir de l'argument betas, puis "
                   "x_(t−1) = (x_t − beta_t / sqrt(1 − alpha_bar_t) · ε) / sqrt(alpha_t) + sigma_t z")
        hint_en = ("the coefficient of ε follows the alpha_bar of the notebook's schedule (ALPHAS_BAR), "
                   "not those of the grader's: compute alphas = 1 − betas and alphas_bar = "
                   "cumprod(alphas) from the betas argument, then "
                   "x_(t−1) = (x_t − beta_t / sqrt(1 − alpha_bar_t) · ε) / sqrt(alpha_t) + sigma_t z")
    else:
        hint_fr = ("la moyenne du pas arrière est fausse : calculez alphas = 1 − betas et alphas_bar = "
                   "cumprod(alphas) à partir de l'argument betas, lisez beta_t, alpha_t et alpha_bar_t "
                   "au MÊME indice t, puis "
                   "x_(t−1) = (x_t − beta_t / sqrt(1 − alpha_bar_t) · ε) / sqrt(alpha_t) + sigma_t z")
        hint_en = ("the mean of the reverse step is wrong: compute alphas = 1 − betas and alphas_bar = "
                   "cumprod(alphas) from the betas argument, read beta_t, alpha_t and alpha_bar_t at "
                   "the SAME index t, then "
                   "x_(t−1) = (x_t − beta_t / sqrt(1 − alpha_bar_t) · ε) / sqrt(alpha_t) + sigma_t z")
    raise CheckFailed(
        f"{what} : un pas arrière recalculé par le correcteur à partir de ce que votre "
        f"échantillonneur donne au modèle (x_t) et de ce qu'il en reçoit (ε) ne suit pas la mise "
        f"à jour DDPM ; {hint_fr}",
        f"{what_en}: a reverse step recomputed by the grader from what your sampler gives the "
        f"model (x_t) and gets back (ε) does not follow the DDPM update; {hint_en}",
    )


# ---------------------------------------------------------------- KL Monte Carlo


@pytest.mark.item("kl_monte_carlo", points=0.5)
def test_kl_monte_carlo_reproducible(submission, rng, seed):
    q = (float(rng.uniform(-1, 1)), float(rng.uniform(0.5, 2.0)))
    p = (float(rng.uniform(-1, 1)), float(rng.uniform(0.5, 2.0)))
    s = int(seed % 2**31)
    runs = []
    for call_seed in (s, s):
        out = submission.call("kl_monte_carlo", *q, *p, 5000, call_seed)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise CheckFailed("kl_monte_carlo doit renvoyer un couple (estimation, erreur_type)",
                              "kl_monte_carlo must return a pair (estimate, standard_error)")
        runs.append(as_float(out[0], "estimation"))
    if runs[0] != runs[1]:
        raise CheckFailed(
            "deux appels de kl_monte_carlo avec la même graine donnent deux estimations "
            "différentes : tirez les échantillons avec un générateur initialisé par seed "
            "(np.random.default_rng(seed)), pas avec l'état global",
            "two calls of kl_monte_carlo with the same seed give two different estimates: draw "
            "the samples with a generator seeded with seed (np.random.default_rng(seed)), not "
            "with the global state",
        )


# ---------------------------------------------------------------- loss


@kernel_side
def loss_grad(perte_debruitage, x0, t, bruit, alphas_bar, W):
    """The student's loss with a linear grader model: its gradient with respect to W, the
    points x the model was given (the grader compares them with x0 and x_t), and what the call
    itself did to the model (W.grad filled: a backward() inside the loss; W changed)."""
    import torch

    given = []

    class _Tp05Lineaire(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.W = torch.nn.Parameter(torch.tensor(W, dtype=torch.float64))

        def forward(self, x, t):
            given.extend(torch.as_tensor(x).detach().double().reshape(-1, 2).tolist())
            return x @ self.W + 0.001 * t[:, None].to(x.dtype)

    model = _Tp05Lineaire()
    x0, bruit = torch.tensor(x0), torch.tensor(bruit)
    t, ab = torch.tensor(t), torch.tensor(alphas_bar)
    W0 = model.W.detach().clone()
    loss = perte_debruitage(model, x0, t, bruit, ab)
    filled = model.W.grad is not None
    moved = not torch.equal(model.W.detach(), W0)
    if not isinstance(loss, torch.Tensor):
        return {"status": "not_tensor", "type": type(loss).__name__}
    if not loss.requires_grad:
        return {"status": "no_graph", "filled": filled, "moved": moved}
    if filled:
        # The loss ran backward() itself (its graph may be freed): the gradient it left.
        grad = model.W.grad.detach().clone()
    else:
        loss.backward()
        grad = model.W.grad if model.W.grad is not None else torch.zeros(2, 2)
    return {"status": "ok", "grad": grad, "given": given, "filled": filled, "moved": moved}


@pytest.mark.item("perte_debruitage", points=0.75)
def test_loss_is_differentiable(submission, rng):
    T = 1000
    betas = np.linspace(1e-4, 0.02, T)
    ab = np.cumprod(1.0 - betas)
    n = int(rng.integers(20, 50))
    x0 = rng.normal(size=(n, 2))
    t = rng.integers(0, T, size=n)
    noise = rng.normal(size=(n, 2))
    W = rng.normal(size=(2, 2))
    loss_grad.install(submission)
    out = with_references(
        submission, {"q_echantillon": REFERENCES["q_echantillon"]}, "perte_debruitage",
        Ref("perte_debruitage"), x0.tolist(), t.tolist(), noise.tolist(), ab.tolist(), W.tolist(),
        via=loss_grad.ref_name,
    )
    status = out.get("status") if isinstance(out, dict) else None
    if status == "not_tensor":
        raise CheckFailed(
            f"perte_debruitage doit renvoyer un tenseur scalaire différentiable, pas un "
            f"{out.get('type')} (ni .item(), ni float()) : l'entraînement appelle backward() dessus",
            f"perte_debruitage must return a differentiable scalar tensor, not a {out.get('type')} "
            "(no .item() or float()): training calls backward() on it",
        )
    if status == "no_graph":
        raise CheckFailed(
            "la perte renvoyée par perte_debruitage ne dépend pas des paramètres du modèle pour "
            "autograd (torch.no_grad(), .detach(), NumPy ?) : l'entraînement ne peut rien apprendre",
            "the loss returned by perte_debruitage does not depend on the model's parameters for "
            "autograd (torch.no_grad(), .detach(), NumPy?): training cannot learn anything",
        )
    # Only that gradients flow: the loss's value is the reference check's business.
    got = as_array(out["grad"], "gradient de la perte par rapport aux poids du modèle",
                   shape=(2, 2), allow_nan=True)
    if not np.all(np.isfinite(got)) or not np.any(got != 0):
        raise CheckFailed(
            "le gradient de perte_debruitage par rapport aux poids d'un modèle du correcteur est "
            "nul ou non fini : la perte doit dépendre de modele(x_t, t), calculée en torch",
            "the gradient of perte_debruitage with respect to the weights of a grader model is "
            "zero or not finite: the loss must depend on model(x_t, t), computed in torch",
        )
    # What the model was given: the noisy x_t, not the clean x0 (a loss that computes x_t and
    # then calls model(x0, t) keeps a gradient; its value alone loses little).
    given = np.asarray(out.get("given") or [], dtype=float).reshape(-1, 2)
    x_t = np.sqrt(ab[t])[:, None] * x0 + np.sqrt(1 - ab[t])[:, None] * noise
    if (given.shape == x0.shape and np.allclose(given, x0, rtol=1e-5, atol=1e-7)
            and not np.allclose(given, x_t, rtol=1e-5, atol=1e-7)):
        raise CheckFailed(
            "perte_debruitage donne au modèle x0, la donnée PROPRE : un modèle du correcteur qui "
            "enregistre ce qu'il reçoit voit vos x0 et non x_t ; appelez modele(x_t, t) avec "
            "x_t = q_echantillon(x0, t, bruit, alphas_bar), le réseau apprend à débruiter",
            "perte_debruitage gives the model x0, the CLEAN data: a grader model that records what "
            "it receives sees your x0, not x_t; call model(x_t, t) with "
            "x_t = q_echantillon(x0, t, bruit, alphas_bar), the network learns to denoise",
        )
    _loss_side_effects(out)


def _loss_side_effects(out: dict) -> None:
    """A loss function computes and returns the loss: the training loop calls zero_grad,
    backward and step (question 8). A perte_debruitage that calls backward() itself fills the
    model's .grad at every call (doubled gradients in the order zero_grad, loss, backward; an
    evaluation of the loss changes the model's gradients); one that steps changes its weights."""
    if out.get("moved") is True:
        raise Partial(
            0.5,
            "appeler perte_debruitage modifie les poids du modèle reçu (un pas d'optimisation "
            "dans la perte ?) : la fonction calcule et renvoie la perte, sans effet sur le modèle ; "
            "zero_grad, backward et step sont faits par la boucle d'entraînement (question 8)",
            "calling perte_debruitage changes the weights of the model it receives (an optimiser "
            "step inside the loss?): the function computes and returns the loss, with no effect on "
            "the model; zero_grad, backward and step are the training loop's (question 8)",
        )
    if out.get("filled") is True:
        raise Partial(
            0.5,
            "perte_debruitage appelle backward() elle-même : après un simple appel, les gradients "
            ".grad des paramètres du modèle reçu sont déjà remplis ; la fonction calcule et renvoie "
            "la perte, c'est la boucle d'entraînement qui appelle zero_grad, backward et step "
            "(sinon chaque appel ajoute des gradients : doublés dans l'ordre zero_grad, perte, "
            "backward, et une simple évaluation de la perte change les gradients du modèle)",
            "perte_debruitage calls backward() itself: after a mere call, the .grad of the "
            "parameters of the model it receives are already filled; the function computes and "
            "returns the loss, the training loop calls zero_grad, backward and step (otherwise "
            "every call adds gradients: doubled in the order zero_grad, loss, backward, and a mere "
            "evaluation of the loss changes the model's gradients)",
        )


# ---------------------------------------------------------------- MLE


@kernel_side
def mle_inplace(mle_gaussienne, x):
    """Whether the student's MLE leaves its argument as it was."""
    import numpy as np

    x = np.array(x, dtype=np.float64)
    copy = x.copy()
    mle_gaussienne(x)
    return bool(np.array_equal(x, copy))


@pytest.mark.item("mle_gaussienne", points=0.5)
def test_mle_leaves_input_unchanged(submission, rng):
    x = rng.normal(float(rng.uniform(1, 3)), 1.5, size=int(rng.integers(8, 20)))
    try:
        same = mle_inplace.call(submission, Ref("mle_gaussienne"), x.tolist())
    except SubmissionError as exc:
        raise relabel(exc, mle_inplace.ref_name, "mle_gaussienne") from None
    if same is not True:
        raise CheckFailed(
            "mle_gaussienne modifie le tableau x qu'on lui passe (x -= mu, x **= 2… en place) : "
            "l'appelant retrouve ses données changées ; calculez sur une copie ou sans opération "
            "en place",
            "mle_gaussienne modifies the array x it is given (x -= mu, x **= 2... in place): the "
            "caller finds its data changed; compute on a copy or without in-place operations",
        )
