"""Realistic wrong answers for TP05, as data: each replaces one answer cell of the solution.

`must_fail` names the checks that must lose points (failed, or partial credit);
every other check of the same item must keep its points, so each scenario shows exactly
which check catches the mistake. `message_contains` are substrings that must appear in
the French message of at least one of those checks: the hint that names the fault.
`affects` lists other items that may lose points as a consequence (the notebook trains
the denoiser with the student's schedule, q_echantillon and perte_debruitage).
"""

from __future__ import annotations

from tests.tp_harness import Scenario

_TRAINING = ("entrainer_debruiteur",)

SCENARIOS: dict[str, Scenario] = {
    # ------------------------------------------------------------ MLE
    "submission-mle-variance-divides-by-n-minus-1": Scenario(
        grade_id="mle_gaussienne",
        source='''def mle_gaussienne(x):
    """Variance corrigée (ddof=1) au lieu du maximum de vraisemblance."""
    x = np.asarray(x, dtype=float)
    return float(x.mean()), float(x.var(ddof=1))
''',
        must_fail=("test_mle_small_example", "test_mle_matches_closed_form"),
        message_contains=("variance corrigée (divisée par N − 1)",),
    ),
    # ------------------------------------------------------------ cross-entropy
    "submission-ce-missing-log-softmax": Scenario(
        grade_id="entropie_croisee",
        source='''def entropie_croisee(logits, y):
    """Prend les logits bruts comme des log-probabilités."""
    return -logits[torch.arange(len(y)), y].mean()
''',
        must_fail=("test_cross_entropy_uniform_logits", "test_cross_entropy_matches_torch"),
        message_contains=("log-softmax manquant",),
    ),
    # ------------------------------------------------------------ KL
    "submission-kl-swapped-arguments": Scenario(
        grade_id="kl_gaussiennes",
        source='''def kl_gaussiennes(mu_q, var_q, mu_p, var_p):
    """Calcule KL(p || q) au lieu de KL(q || p)."""
    return float(0.5 * (math.log(var_q / var_p) + (var_p + (mu_p - mu_q) ** 2) / var_q - 1.0))
''',
        must_fail=(
            "test_kl_fixed_examples",
            "test_kl_closed_form_within_monte_carlo_ci",
            "test_kl_is_asymmetric",
        ),
        message_contains=("arguments inversés",),
    ),
    "submission-kl-mc-wrong-sign": Scenario(
        grade_id="kl_monte_carlo",
        source='''def kl_monte_carlo(mu_q, var_q, mu_p, var_p, n, seed=0):
    """Moyenne de log p − log q : le signe est inversé."""
    rng = np.random.default_rng(seed)
    x = rng.normal(mu_q, math.sqrt(var_q), size=n)
    log_q = -0.5 * np.log(2 * np.pi * var_q) - (x - mu_q) ** 2 / (2 * var_q)
    log_p = -0.5 * np.log(2 * np.pi * var_p) - (x - mu_p) ** 2 / (2 * var_p)
    f = log_p - log_q
    return float(f.mean()), float(f.std() / math.sqrt(n))
''',
        must_fail=("test_kl_monte_carlo_within_ci_of_truth",),
        message_contains=("signe opposé",),
    ),
    # ------------------------------------------------------------ schedule
    "submission-schedule-cumsum-instead-of-cumprod": Scenario(
        grade_id="planning_beta",
        source='''def planning_lineaire(T=1000, beta_1=1e-4, beta_T=0.02):
    """alphas_bar comme 1 - somme cumulée des betas."""
    betas = torch.linspace(beta_1, beta_T, T)
    return betas, 1.0 - torch.cumsum(betas, dim=0)
''',
        must_fail=("test_schedule_course_values", "test_schedule_matches_reference"),
        message_contains=("somme cumulée", "PRODUIT cumulé"),
        affects=_TRAINING,
    ),
    # ------------------------------------------------------------ q(x_t | x_0)
    "submission-q-sample-beta-instead-of-alphabar": Scenario(
        grade_id="q_echantillon",
        source='''def q_echantillon(x0, t, bruit, alphas_bar):
    """Un seul pas de la chaîne avec beta_t (variable globale) au lieu de alpha_bar_t."""
    b = BETAS[t].unsqueeze(1)
    return torch.sqrt(1.0 - b) * x0 + torch.sqrt(b) * bruit
''',
        must_fail=(
            "test_q_sample_without_noise",
            "test_q_sample_matches_reference",
            "test_q_sample_matches_iterated_chain",
        ),
        message_contains=("beta_t à la place de alpha_bar_t",),
        affects=("perte_debruitage", *_TRAINING),
    ),
    "submission-q-sample-missing-sqrt": Scenario(
        grade_id="q_echantillon",
        source='''def q_echantillon(x0, t, bruit, alphas_bar):
    """Oublie les racines carrées des coefficients."""
    a = alphas_bar[t].unsqueeze(1)
    return a * x0 + (1.0 - a) * bruit
''',
        must_fail=(
            "test_q_sample_without_noise",
            "test_q_sample_matches_reference",
            "test_q_sample_matches_iterated_chain",
        ),
        message_contains=("racine carrée manquante", "la variance de vos x_t"),
        affects=("perte_debruitage", *_TRAINING),
    ),
    # ------------------------------------------------------------ loss
    "submission-loss-predicts-x0-not-noise": Scenario(
        grade_id="perte_debruitage",
        source='''def perte_debruitage(modele, x0, t, bruit, alphas_bar):
    """Compare la prédiction à la donnée propre x0 au lieu du bruit."""
    a = alphas_bar[t].unsqueeze(1)
    x_t = torch.sqrt(a) * x0 + torch.sqrt(1.0 - a) * bruit
    return F.mse_loss(modele(x_t, t), x0)
''',
        must_fail=("test_loss_with_zero_model", "test_loss_matches_reference"),
        message_contains=("le réseau prédit le BRUIT",),
        affects=_TRAINING,
    ),
    # ------------------------------------------------------------ training
    "submission-train-forgets-optimizer-step": Scenario(
        grade_id="entrainer_debruiteur",
        source='''def entrainer_debruiteur(donnees, alphas_bar, n_pas=2000, taille_lot=128, lr=3e-3, seed=0):
    """Calcule les gradients mais n'appelle jamais optimiseur.step()."""
    torch.manual_seed(seed)
    modele = Debruiteur()
    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)
    for _ in range(n_pas):
        x0 = donnees[torch.randint(0, len(donnees), (taille_lot,))]
        t = torch.randint(0, len(alphas_bar), (taille_lot,))
        bruit = torch.randn_like(x0)
        perte = perte_debruitage(modele, x0, t, bruit, alphas_bar)
        optimiseur.zero_grad()
        perte.backward()
    return modele
''',
        must_fail=("test_denoiser_test_loss", "test_denoiser_samples_look_like_the_spiral"),
        message_contains=("zero_grad, backward et step à CHAQUE pas",),
    ),
    # ------------------------------------------------------------ sampler
    "submission-reverse-step-wrong-variance": Scenario(
        grade_id="echantillonner",
        source='''def echantillonner(modele, n, betas, seed=0):
    """Ajoute beta_t * z : beta_t pris comme écart type au lieu de la variance."""
    gen = torch.Generator().manual_seed(seed)
    alphas = 1.0 - betas
    alphas_bar = torch.cumprod(alphas, dim=0)
    x = torch.randn(n, 2, generator=gen)
    with torch.no_grad():
        for t in range(len(betas) - 1, -1, -1):
            eps = modele(x, torch.full((n,), t))
            x = (x - betas[t] / torch.sqrt(1.0 - alphas_bar[t]) * eps) / torch.sqrt(alphas[t])
            if t > 0:
                x = x + betas[t] * torch.randn(n, 2, generator=gen)
    return x
''',
        must_fail=("test_sampler_reaches_the_spiral",),
        message_contains=("sigma_t = sqrt(beta_t)",),
    ),
}

# Scenarios graded together in one notebook: within a group they touch different items
# whose checks are independent (the grader passes its own schedule, models and inputs),
# so one grading run serves them all. The notebook's training cell uses the student's
# schedule, q_echantillon and perte_debruitage: those scenarios list it in `affects`.
GROUPS: dict[str, tuple[str, ...]] = {
    "mistakes-1": (
        "submission-mle-variance-divides-by-n-minus-1",
        "submission-ce-missing-log-softmax",
        "submission-kl-swapped-arguments",
        "submission-kl-mc-wrong-sign",
        "submission-schedule-cumsum-instead-of-cumprod",
        "submission-q-sample-beta-instead-of-alphabar",
        "submission-reverse-step-wrong-variance",
    ),
    # A wrong loss may also cost the training item: graded apart from the training mistake.
    "mistakes-2": ("submission-loss-predicts-x0-not-noise",),
    "train-no-step": ("submission-train-forgets-optimizer-step",),
    # Alone: a wrong q(x_t|x_0) may also cost the loss and training items.
    "q-sample-sqrt": ("submission-q-sample-missing-sqrt",),
}
