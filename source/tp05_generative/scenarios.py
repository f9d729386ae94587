"""Realistic wrong answers for TP05, as data: each replaces one answer cell of the solution.

`must_fail` names the checks that must lose points (failed, or partial credit);
every other check of the same item must keep its points, so each scenario shows exactly
which check catches the mistake. `message_contains` are substrings that must appear in
the French message of at least one of those checks: the hint that names the fault.
`affects` is empty: the loss is graded with the grader's q_echantillon, and the training
item trains the student's loop on the grader's spiral with the grader's q_echantillon and
loss, so each mistake costs points in its own item only.
"""

from __future__ import annotations

from autograder.prove import Correct, Scenario, edit, solution_cell, solution_with_docs

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
    ),
    "submission-q-sample-missing-sqrt": Scenario(
        grade_id="q_echantillon",
        source=edit(solution_with_docs(__file__, 'q_echantillon', 'Oublie les racines carrées des coefficients.'),
            ('    return torch.sqrt(a) * x0 + torch.sqrt(1.0 - a) * bruit\n',
             '    return a * x0 + (1.0 - a) * bruit\n')),
        must_fail=(
            "test_q_sample_without_noise",
            "test_q_sample_matches_reference",
            "test_q_sample_matches_iterated_chain",
        ),
        message_contains=("racine carrée manquante", "vérifiez les racines carrées"),
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
    ),
    # ------------------------------------------------------------ training
    "submission-train-forgets-optimizer-step": Scenario(
        grade_id="entrainer_debruiteur",
        source=edit(solution_with_docs(__file__, 'entrainer_debruiteur', "Calcule les gradients mais n'appelle jamais optimiseur.step()."),
            ('    T_ = len(alphas_bar)\n',
             ''),
            ('        t = torch.randint(0, T_, (taille_lot,))\n',
             '        t = torch.randint(0, len(alphas_bar), (taille_lot,))\n'),
            ('        optimiseur.step()\n',
             '')),
        must_fail=("test_denoiser_test_loss", "test_denoiser_samples_look_like_the_spiral"),
        message_contains=("zero_grad, backward et step à CHAQUE pas",),
    ),
    # ------------------------------------------------------------ sampler
    "submission-reverse-step-wrong-variance": Scenario(
        grade_id="echantillonner",
        source=edit(solution_with_docs(__file__, 'echantillonner', 'Ajoute beta_t * z : beta_t pris comme écart type au lieu de la variance.'),
            ('                x = x + torch.sqrt(betas[t]) * torch.randn(n, 2, generator=gen)\n',
             '                x = x + betas[t] * torch.randn(n, 2, generator=gen)\n')),
        must_fail=("test_sampler_reaches_the_spiral", "test_sampler_reverse_steps"),
        message_contains=("sigma_t = sqrt(beta_t)",),
    ),
}

# Scenarios graded together in one notebook: within a group they touch different items
# whose checks are independent (the grader passes its own schedule, models and inputs,
# and grades each item against the grader's version of the others), so one grading run
# serves them all.
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

# Wrong answers written by testers who never saw the checks (issue 12): each kept its points
# while the checks measured the outcome alone (Chamfer distance, a value) or read the
# notebook's variables.
_SAMPLER = '''def echantillonner(modele, n, betas, seed=0):
    """{doc}"""
    gen = torch.Generator().manual_seed(seed)
    alphas = 1.0 - betas
    alphas_bar = {alphas_bar}
    x = torch.randn(n, 2, generator=gen)
    with torch.no_grad():
        for t in range(len(betas) - 1, -1, -1):
            eps = modele(x, torch.full((n,), t))
            x = {step}
            if t > 0:
                x = x + torch.sqrt(betas[t]) * torch.randn(n, 2, generator=gen)
    return x
'''
SCENARIOS.update({
    "submission-sampler-missing-one-over-sqrt-alpha": Scenario(
        grade_id="echantillonner",
        source=_SAMPLER.format(
            doc="Oublie la division par sqrt(alpha_t).",
            alphas_bar="torch.cumprod(alphas, dim=0)",
            step="x - betas[t] / torch.sqrt(1.0 - alphas_bar[t]) * eps",
        ),
        must_fail=("test_sampler_reverse_steps",),
        message_contains=("il manque la division par sqrt(alpha_t)",),
    ),
    "submission-sampler-reads-notebook-alphas-bar": Scenario(
        grade_id="echantillonner",
        source=_SAMPLER.format(
            doc="Reprend ALPHAS_BAR du notebook au lieu de le calculer à partir de betas.",
            alphas_bar="ALPHAS_BAR",
            step="(x - betas[t] / torch.sqrt(1.0 - alphas_bar[t]) * eps) / torch.sqrt(alphas[t])",
        ),
        must_fail=("test_sampler_reverse_steps",),
        message_contains=("à partir de l'argument betas",),
    ),
    "submission-loss-returns-item": Scenario(
        grade_id="perte_debruitage",
        source=edit(solution_with_docs(__file__, 'perte_debruitage', 'Renvoie perte.item() : un float, plus de gradient.'),
            ('    return F.mse_loss(modele(x_t, t), bruit)\n',
             '    return F.mse_loss(modele(x_t, t), bruit).item()\n')),
        must_fail=("test_loss_is_differentiable",),
        message_contains=("tenseur scalaire différentiable",),
    ),
    "submission-train-reads-notebook-spiral": Scenario(
        grade_id="entrainer_debruiteur",
        source=edit(solution_with_docs(__file__, 'entrainer_debruiteur', 'Tire ses lots dans X_SPIRALE (variable du notebook) au lieu de donnees.'),
            ('    T_ = len(alphas_bar)\n',
             ''),
            ('        x0 = donnees[torch.randint(0, len(donnees), (taille_lot,))]\n        t = torch.randint(0, T_, (taille_lot,))\n',
             '        x0 = X_SPIRALE[torch.randint(0, len(X_SPIRALE), (taille_lot,))]\n        t = torch.randint(0, len(alphas_bar), (taille_lot,))\n')),
        must_fail=("test_denoiser_samples_look_like_the_spiral",),
        # The denoising loss, averaged over every t, tells the two spirals apart for some
        # rotations only (variant 0: not); the samples always land on the wrong spiral.
        may_fail=("test_denoiser_test_loss",),
        message_contains=("argument donnees",),
    ),
    "submission-kl-mc-unseeded": Scenario(
        grade_id="kl_monte_carlo",
        source='''def kl_monte_carlo(mu_q, var_q, mu_p, var_p, n, seed=0):
    """Tire avec np.random.normal (état global) : seed n'est jamais utilisé."""
    x = np.random.normal(mu_q, math.sqrt(var_q), size=n)
    log_q = -0.5 * np.log(2 * np.pi * var_q) - (x - mu_q) ** 2 / (2 * var_q)
    log_p = -0.5 * np.log(2 * np.pi * var_p) - (x - mu_p) ** 2 / (2 * var_p)
    f = log_q - log_p
    return float(f.mean()), float(f.std() / math.sqrt(n))
''',
        must_fail=("test_kl_monte_carlo_reproducible",),
        message_contains=("même graine",),
    ),
    "submission-mle-centres-in-place": Scenario(
        grade_id="mle_gaussienne",
        source='''def mle_gaussienne(x):
    """Centre x sur place (x -= mu) : le tableau de l'appelant est modifié."""
    mu = x.mean()
    x -= mu
    return float(mu), float((x**2).mean())
''',
        must_fail=("test_mle_leaves_input_unchanged",),
        message_contains=("modifie le tableau x",),
    ),
})
GROUPS.update({
    "issue12-a": (
        "submission-sampler-missing-one-over-sqrt-alpha",
        "submission-loss-returns-item",
        "submission-kl-mc-unseeded",
        "submission-mle-centres-in-place",
    ),
    "issue12-b": (
        "submission-sampler-reads-notebook-alphas-bar",
        "submission-train-reads-notebook-spiral",
    ),
})

# Alternative correct answers, written as students write them: each must keep full marks.
CORRECT: dict[str, Correct] = {
    "correct-mle-loops-python-floats": Correct(
        grade_id="mle_gaussienne",
        source='''def mle_gaussienne(x):
    n = len(x)
    mu = sum(float(v) for v in x) / n
    sigma2 = sum((float(v) - mu) ** 2 for v in x) / n
    print("MLE :", mu, sigma2)
    return mu, sigma2
''',
        why="Python loops, a print",
    ),
    "correct-ce-log-softmax-gather": Correct(
        grade_id="entropie_croisee",
        source='''def entropie_croisee(logits, y):
    log_p = F.log_softmax(logits, dim=-1)
    return -log_p.gather(1, y.long().view(-1, 1)).squeeze(1).mean()
''',
        why="F.log_softmax and gather",
    ),
    "correct-kl-std-form-numpy": Correct(
        grade_id="kl_gaussiennes",
        source='''def kl_gaussiennes(mu_q, var_q, mu_p, var_p):
    s_q, s_p = np.sqrt(var_q), np.sqrt(var_p)
    return np.log(s_p / s_q) + (var_q + (mu_q - mu_p) ** 2) / (2 * var_p) - 0.5
''',
        why="standard deviations and NumPy scalars",
    ),
    "correct-kl-mc-torch-generator": Correct(
        grade_id="kl_monte_carlo",
        source='''def kl_monte_carlo(mu_q, var_q, mu_p, var_p, n, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = mu_q + math.sqrt(var_q) * torch.randn(n, generator=g, dtype=torch.float64)
    q = torch.distributions.Normal(mu_q, math.sqrt(var_q))
    p = torch.distributions.Normal(mu_p, math.sqrt(var_p))
    f = q.log_prob(x) - p.log_prob(x)
    return f.mean().item(), (f.std(unbiased=True) / math.sqrt(n)).item()
''',
        why="a torch generator, torch.distributions, the unbiased standard deviation",
    ),
    "correct-schedule-numpy-loop": Correct(
        grade_id="planning_beta",
        source='''def planning_lineaire(T=1000, beta_1=1e-4, beta_T=0.02):
    betas = torch.tensor(np.linspace(beta_1, beta_T, T))
    alphas_bar = torch.empty(T)
    produit = 1.0
    for i in range(T):
        produit = produit * (1.0 - float(betas[i]))
        alphas_bar[i] = produit
    return betas, alphas_bar
''',
        why="NumPy linspace and a loop for the cumulative product",
    ),
    "correct-q-sample-view-sqrt": Correct(
        grade_id="q_echantillon",
        source='''def q_echantillon(x0, t, bruit, alphas_bar):
    ab = alphas_bar[t.long()].view(-1, 1)
    return ab.sqrt() * x0 + (1 - ab).sqrt() * bruit
''',
        why="view(-1, 1) and Tensor.sqrt",
    ),
    "correct-loss-inline": Correct(
        grade_id="perte_debruitage",
        source='''def perte_debruitage(modele, x0, t, bruit, alphas_bar):
    a = alphas_bar[t][:, None]
    x_t = a ** 0.5 * x0 + (1 - a) ** 0.5 * bruit
    return ((modele(x_t, t) - bruit) ** 2).mean()
''',
        why="the closed form inline instead of calling q_echantillon, the MSE by hand",
    ),
    "correct-train-prints": Correct(
        grade_id="entrainer_debruiteur",
        source='''def entrainer_debruiteur(donnees, alphas_bar, n_pas=2000, taille_lot=128, lr=3e-3, seed=0):
    torch.manual_seed(seed)
    modele = Debruiteur()
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    N, T_ = donnees.shape[0], alphas_bar.shape[0]
    for pas in range(n_pas):
        idx = torch.randint(N, (taille_lot,))
        x0 = donnees[idx]
        t = torch.randint(low=0, high=T_, size=(taille_lot,))
        perte = perte_debruitage(modele, x0, t, torch.randn(x0.shape), alphas_bar)
        opt.zero_grad()
        perte.backward()
        opt.step()
        if pas % 500 == 0:
            print(f"pas {pas} : perte {perte.item():.3f}")
    return modele
''',
        why="a progress print, torch.randn(shape) noise",
    ),
}
CORRECT_GROUPS: dict[str, tuple[str, ...]] = {"correct-variants": tuple(CORRECT)}

# Mutants of the solution (`autograder prove --mutants`) that are still correct answers: no
# check can tell them from the solution, and none should.
_NO_GRAD = "no gradient flows there (constants, data, or inside torch.no_grad): detaching changes nothing"
EQUIVALENT: dict[str, str] = {
    # Default values: another valid hyper-parameter or seed; the notebook and the checks pass
    # these arguments explicitly.
    "entrainer_debruiteur:NumberReplacer@1:52": "n_pas = 2001 by default: another valid length",
    "entrainer_debruiteur:NumberReplacer@1:52#1": "n_pas = 1999 by default: another valid length",
    "entrainer_debruiteur:NumberReplacer@1:69": "taille_lot = 129 by default: another valid size",
    "entrainer_debruiteur:NumberReplacer@1:69#1": "taille_lot = 127 by default: another valid size",
    "entrainer_debruiteur:NumberReplacer@1:88": "seed = 1 by default: another seed",
    "entrainer_debruiteur:NumberReplacer@1:88#1": "seed = -1 by default: a valid torch seed",
    "planning_beta:NumberReplacer@1:24": "T = 1001 by default: another valid length (the notebook passes T)",
    "planning_beta:NumberReplacer@1:24#1": "T = 999 by default: another valid length (the notebook passes T)",
    "kl_monte_carlo:NumberReplacer@1:53": "seed = 1 by default: another seed",
    "kl_monte_carlo:NumberReplacer@1:53#1": "seed = -1 by default: every call (the notebook's, the checks') passes its seed",
    "entrainer_debruiteur:NumberReplacer@1:77": "lr = 1.003 by default: the notebook and the checks pass lr explicitly",
    "entrainer_debruiteur:NumberReplacer@1:77#1": "lr = -0.997 by default: the notebook and the checks pass lr explicitly",
    "echantillonner:NumberReplacer@1:42": "seed = 1 by default: another seed",
    "echantillonner:NumberReplacer@1:42#1": "seed = -1 by default: a valid torch seed",
    # Independent statements, or the same value computed another way.
    "planning_beta:NumberReplacer@4:48#1": "cumprod(dim=-1) on the 1-D betas is cumprod(dim=0)",
    "echantillonner:NumberReplacer@5:43#1": "cumprod(dim=-1) on the 1-D alphas is cumprod(dim=0)",
    "echantillonner:Comparison_Gt_NotEq@11:17": "t runs from T − 1 down to 0: t != 0 is t > 0",
    "echantillonner:Binary_Add_Sub@12:22": "x − sigma_t z has the law of x + sigma_t z: z ~ N(0, I) is symmetric",
    "echantillonner:SwapStatements@3:4": "alphas and the generator are independent",
    "echantillonner:SwapStatements@5:4": "alphas_bar and x_T are independent (no draw between them)",
    "mle_gaussienne:DropStatement@6:4": "x is given as an array: x.mean() and np.mean read it as is",
    "mle_gaussienne:SwapStatements@6:4": "the mean of x is the same before or after converting it to float",
    "kl_monte_carlo:Binary_Mul_Div@10:31": "the normalising constant of both densities cancels in log q − log p",
    "kl_monte_carlo:Binary_Mul_Pow@10:31": "the normalising constant of both densities cancels in log q − log p",
    "kl_monte_carlo:NumberReplacer@10:29": "the normalising constant of both densities cancels in log q − log p",
    "kl_monte_carlo:NumberReplacer@10:29#1": "the normalising constant of both densities cancels in log q − log p",
    "entrainer_debruiteur:SwapStatements@5:4": "T_ = len(alphas_bar) before or after building the optimiser: independent",
    "entrainer_debruiteur:SwapStatements@8:8": "x0 and t drawn in the other order: another random stream, the same law",
    "entrainer_debruiteur:SwapStatements@9:8": "t and the noise drawn in the other order: another random stream, the same law",
    "entrainer_debruiteur:SwapStatements@11:8": "zero_grad() before computing the loss: gradients are still cleared before backward",
    "entrainer_debruiteur:NumberReplacer@8:35": (
        "randint(1, N) never draws the first of the N training points: the same spiral, one point short"
    ),
    "entrainer_debruiteur:NumberReplacer@8:35#1": (
        "randint(-1, N): index −1 is the last point, drawn twice as often as the others out of N"
    ),
    # NumberReplacer@9:26 (t = 0 never drawn) and #1 (t = −1 drawn) are no longer declared
    # equivalent: the statement sets t uniform on {0, …, T − 1}, and blind round 7 showed the
    # never-drawn end as a false pass; _check_step_range_ends now catches both.
    # Detached values that carry no gradient.
    "planning_beta:DetachValue@3:12": _NO_GRAD,
    "planning_beta:DetachValue@4:17": _NO_GRAD,
    "q_echantillon:DetachValue@3:8": _NO_GRAD,
    "q_echantillon:DetachValue@4:11": "x_t depends on the data only (x0, the noise, the schedule): " + _NO_GRAD,
    "entrainer_debruiteur:DetachValue@8:13": _NO_GRAD,
    "entrainer_debruiteur:DetachValue@9:12": _NO_GRAD,
    "entrainer_debruiteur:DetachValue@10:16": _NO_GRAD,
    "echantillonner:DetachValue@4:13": _NO_GRAD,
    "echantillonner:DetachValue@5:17": _NO_GRAD,
    "echantillonner:DetachValue@6:8": _NO_GRAD,
    "echantillonner:DetachValue@9:18": _NO_GRAD,
    "echantillonner:DetachValue@10:16": _NO_GRAD,
    "echantillonner:DetachValue@12:20": _NO_GRAD,
    "echantillonner:DetachValue@13:11": _NO_GRAD,
}

# A mutation survivor written as students write it: the value is right, the gradient gone.
SCENARIOS["submission-ce-numpy-no-gradient"] = Scenario(
    grade_id="entropie_croisee",
    source='''def entropie_croisee(logits, y):
    """Calcule en NumPy puis renvoie un tenseur : la valeur est juste, le gradient perdu."""
    z = logits.detach().numpy()
    z = z - z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return torch.tensor(-log_p[np.arange(len(y)), y.numpy()].mean())
''',
    must_fail=("test_cross_entropy_matches_torch",),
    message_contains=("une perte doit rester différentiable",),
)
GROUPS["issue12-a"] = (*GROUPS["issue12-a"], "submission-ce-numpy-no-gradient")

SCENARIOS["submission-train-seed-after-model"] = Scenario(
    grade_id="entrainer_debruiteur",
    source='''def entrainer_debruiteur(donnees, alphas_bar, n_pas=2000, taille_lot=128, lr=3e-3, seed=0):
    """Construit le modèle AVANT torch.manual_seed : son initialisation n'est pas reproductible."""
    modele = Debruiteur()
    torch.manual_seed(seed)
    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)
    for _ in range(n_pas):
        x0 = donnees[torch.randint(0, len(donnees), (taille_lot,))]
        t = torch.randint(0, len(alphas_bar), (taille_lot,))
        bruit = torch.randn_like(x0)
        perte = perte_debruitage(modele, x0, t, bruit, alphas_bar)
        optimiseur.zero_grad()
        perte.backward()
        optimiseur.step()
    return modele
''',
    must_fail=("test_denoiser_uses_its_seed",),
    message_contains=("AVANT de construire Debruiteur()",),
)
GROUPS["issue12-a"] = (*GROUPS["issue12-a"], "submission-train-seed-after-model")

# Blind answers (issue 12, second round): written from the student view only; each
# false pass became a scenario, each correct answer a Correct variant.
# The tester's sampler and loss, right: the loss is blind-correct-loss-manual-mean, the sampler
# a base not graded itself.
_BLIND_SAMPLER = '''def echantillonner(modele, n, betas, seed=0):
    g = torch.Generator().manual_seed(seed)
    alphas = 1 - betas
    ab = torch.cumprod(alphas, 0)
    with torch.no_grad():
        x = torch.randn(n, 2, generator=g)
        for t in range(len(betas) - 1, -1, -1):
            eps = modele(x, torch.full((n,), t))
            x = (x - betas[t] / torch.sqrt(1 - ab[t]) * eps) / torch.sqrt(alphas[t])
            if t > 0:
                x = x + torch.sqrt(betas[t]) * torch.randn(n, 2, generator=g)
    return x
'''

_BLIND_LOSS = '''def perte_debruitage(modele, x0, t, bruit, alphas_bar):
    x_t = q_echantillon(x0, t, bruit, alphas_bar)
    pred = modele(x_t, t)
    return ((bruit - pred) ** 2).mean()
'''

SCENARIOS.update({
    "blind-entropie_croisee-exp-overflows": Scenario(
        grade_id="entropie_croisee",
        source='''def entropie_croisee(logits, y):
    e = torch.exp(logits)
    p = e / e.sum(dim=1, keepdim=True)
    return -torch.log(p[torch.arange(len(y)), y]).mean()
''',
        must_fail=('test_cross_entropy_matches_torch',),
        message_contains=('grands logits',),
    ),
    "blind-q_echantillon-modifies-x0-in-place": Scenario(
        grade_id="q_echantillon",
        source='''def q_echantillon(x0, t, bruit, alphas_bar):
    ab = alphas_bar[t][:, None]
    x0.mul_(ab.sqrt())
    return x0.add_((1 - ab).sqrt() * bruit)
''',
        must_fail=('test_q_sample_matches_reference',),
        message_contains=('modifie sur place son argument x0',),
    ),
    "blind-q_echantillon-global-alphas-bar": Scenario(
        grade_id="q_echantillon",
        source='''def q_echantillon(x0, t, bruit, alphas_bar):
    ab = ALPHAS_BAR[t][:, None]
    return ab.sqrt() * x0 + (1 - ab).sqrt() * bruit
''',
        must_fail=('test_q_sample_without_noise', 'test_q_sample_matches_reference'),
        message_contains=("ignore l'argument alphas_bar",),
    ),
    "blind-entrainer_debruiteur-steps-up-to-global-half-T": Scenario(
        grade_id="entrainer_debruiteur",
        source='''def entrainer_debruiteur(donnees, alphas_bar, n_pas=2000, taille_lot=128, lr=3e-3, seed=0):
    torch.manual_seed(seed)
    modele = Debruiteur()
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    for _ in range(n_pas):
        idx = torch.randint(0, len(donnees), (taille_lot,))
        x0 = donnees[idx]
        t = torch.randint(0, T // 2, (taille_lot,))
        bruit = torch.randn_like(x0)
        opt.zero_grad()
        perte_debruitage(modele, x0, t, bruit, alphas_bar).backward()
        opt.step()
    return modele
''',
        must_fail=('test_denoiser_draws_uniform_steps',),
        message_contains=('ne sont pas uniformes',),
    ),
})
GROUPS["blind-a"] = ('blind-entropie_croisee-exp-overflows', 'blind-q_echantillon-modifies-x0-in-place', 'blind-entrainer_debruiteur-steps-up-to-global-half-T')
GROUPS["blind-b"] = ('blind-q_echantillon-global-alphas-bar',)
CORRECT.update({
    "blind-correct-ce-float32-softmax-log-guard": Correct(
        grade_id="entropie_croisee",
        source='''def entropie_croisee(logits, y):
    p = torch.softmax(logits.float(), dim=1)
    return -torch.log(p[torch.arange(len(y)), y] + 1e-12).mean().to(logits.dtype)
''',
        why='softmax in float32, log(p + 1e-12), cast back: ~1e-7 relative',
    ),
    "blind-correct-mle-python-loops": Correct(
        grade_id="mle_gaussienne",
        source='''def mle_gaussienne(x):
    n = len(x)
    s = 0.0
    for v in x:
        s += float(v)
    mu = s / n
    s2 = 0.0
    for v in x:
        s2 += (float(v) - mu) ** 2
    return mu, s2 / n
''',
        why='two Python loops over the values',
    ),
    "blind-correct-mle-float32-npvar": Correct(
        grade_id="mle_gaussienne",
        source='''def mle_gaussienne(x):
    x = np.asarray(x, dtype=np.float32)
    return float(x.mean()), float(x.var())
''',
        why='np.var (ddof=0) in float32',
    ),
    "blind-correct-kl-log-std-ratio": Correct(
        grade_id="kl_gaussiennes",
        source='''def kl_gaussiennes(mu_q, var_q, mu_p, var_p):
    sq, sp = math.sqrt(var_q), math.sqrt(var_p)
    return math.log(sp / sq) + (var_q + (mu_q - mu_p) ** 2) / (2 * var_p) - 0.5
''',
        why='log(sigma_p / sigma_q) + ... - 1/2 with math',
    ),
    "blind-correct-klmc-torch-distributions": Correct(
        grade_id="kl_monte_carlo",
        source='''def kl_monte_carlo(mu_q, var_q, mu_p, var_p, n, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = mu_q + math.sqrt(var_q) * torch.randn(n, generator=g)
    q = torch.distributions.Normal(mu_q, math.sqrt(var_q))
    p = torch.distributions.Normal(mu_p, math.sqrt(var_p))
    f = q.log_prob(x) - p.log_prob(x)
    return float(f.mean()), float(f.std() / math.sqrt(n))
''',
        why='torch.Generator, Normal.log_prob, unbiased std',
    ),
    "blind-correct-schedule-np-linspace-loop": Correct(
        grade_id="planning_beta",
        source='''def planning_lineaire(T=1000, beta_1=1e-4, beta_T=0.02):
    betas = torch.tensor(np.linspace(beta_1, beta_T, T))
    ab = []
    prod = 1.0
    for b in betas.tolist():
        prod *= 1 - b
        ab.append(prod)
    return betas, torch.tensor(ab)
''',
        why='np.linspace then a running product in a loop',
    ),
    "blind-correct-q-unsqueeze": Correct(
        grade_id="q_echantillon",
        source='''def q_echantillon(x0, t, bruit, alphas_bar):
    ab = alphas_bar[t.long()].unsqueeze(-1)
    return ab.sqrt() * x0 + (1.0 - ab).sqrt() * bruit
''',
        why='alphas_bar[t.long()].unsqueeze(-1)',
    ),
    "blind-correct-loss-manual-mean": Correct(
        grade_id="perte_debruitage",
        source=_BLIND_LOSS,
        why='((bruit - pred) ** 2).mean()',
    ),
    "blind-correct-denoiser-one-generator-prints": Correct(
        grade_id="entrainer_debruiteur",
        source='''def entrainer_debruiteur(donnees, alphas_bar, n_pas=2000, taille_lot=128, lr=3e-3, seed=0):
    torch.manual_seed(seed)
    modele = Debruiteur()
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    T_ = len(alphas_bar)
    g = torch.Generator().manual_seed(seed)
    for pas in range(n_pas):
        idx = torch.randint(0, len(donnees), (taille_lot,), generator=g)
        x0 = donnees[idx]
        t = torch.randint(0, T_, (taille_lot,), generator=g)
        bruit = torch.randn(x0.shape, generator=g, dtype=x0.dtype)
        perte = perte_debruitage(modele, x0, t, bruit, alphas_bar)
        opt.zero_grad()
        perte.backward()
        opt.step()
        if pas % 500 == 0:
            print(pas, float(perte))
    return modele
''',
        why='one generator for indices, steps and noise; prints the loss',
    ),
    "blind-correct-sampler-reversed-range": Correct(
        grade_id="echantillonner",
        source='''def echantillonner(modele, n, betas, seed=0):
    g = torch.Generator().manual_seed(seed)
    alphas = 1 - betas
    ab = torch.cumprod(alphas, 0)
    with torch.no_grad():
        x = torch.randn(n, 2, generator=g)
        for t in reversed(range(len(betas))):
            eps = modele(x, torch.full((n,), t))
            moyenne = (x - betas[t] / torch.sqrt(1 - ab[t]) * eps) / torch.sqrt(alphas[t])
            if t > 0:
                x = moyenne + torch.sqrt(betas[t]) * torch.randn(n, 2, generator=g)
            else:
                x = moyenne
    return x
''',
        why='reversed(range(T)), if/else for the last step',
    ),
})
CORRECT_GROUPS["blind-correct"] = ('blind-correct-ce-float32-softmax-log-guard', 'blind-correct-mle-python-loops', 'blind-correct-kl-log-std-ratio', 'blind-correct-klmc-torch-distributions', 'blind-correct-schedule-np-linspace-loop', 'blind-correct-q-unsqueeze', 'blind-correct-loss-manual-mean', 'blind-correct-denoiser-one-generator-prints', 'blind-correct-sampler-reversed-range')
CORRECT_GROUPS["blind-correct-2"] = ('blind-correct-mle-float32-npvar',)

# Blind answers (issue 12, second round): written from the student view only; each
# false pass became a scenario, each correct answer a Correct variant.
SCENARIOS.update({
    "blind-echantillonner-model-called-with-t-plus-1": Scenario(
        grade_id="echantillonner",
        source=edit(_BLIND_SAMPLER,
            ('            eps = modele(x, torch.full((n,), t))\n',
             '            eps = modele(x, torch.full((n,), t + 1))\n')),
        must_fail=('test_sampler_reaches_the_spiral', 'test_sampler_reverse_steps'),
        message_contains=('un pas t sort de', 'décalés de 1'),
    ),
})
GROUPS["blind-b"] = (*GROUPS["blind-b"], 'blind-echantillonner-model-called-with-t-plus-1')

# Blind answers, round 3 (a tester who had not read these checks): a batch drawn once before
# the loop kept every point (the outcome still clears its bars); an lr left at Adam's default
# lost half a point on the outcome only. Both are now seen in the mechanism checks.
SCENARIOS["blind-r3-train-fixed-batch"] = Scenario(
    grade_id="entrainer_debruiteur",
    source='def entrainer_debruiteur(donnees, alphas_bar, n_pas=2000, taille_lot=128, lr=3e-3, seed=0):\n    torch.manual_seed(seed)\n    modele = Debruiteur()\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    T_ = len(alphas_bar)\n    idx = torch.randint(0, len(donnees), (taille_lot,))\n    x0 = donnees[idx]\n    for _ in range(n_pas):\n        t = torch.randint(0, T_, (taille_lot,))\n        bruit = torch.randn(taille_lot, 2)\n        perte = perte_debruitage(modele, x0, t, bruit, alphas_bar)\n        opt.zero_grad(); perte.backward(); opt.step()\n    return modele\n',
    must_fail=("test_denoiser_draws_uniform_steps",),
    message_contains=("le lot est tiré une seule fois",),
    may_fail=("test_denoiser_test_loss", "test_denoiser_samples_look_like_the_spiral"),
)
SCENARIOS["blind-r3-train-lr-ignored"] = Scenario(
    grade_id="entrainer_debruiteur",
    source='def entrainer_debruiteur(donnees, alphas_bar, n_pas=2000, taille_lot=128, lr=3e-3, seed=0):\n    torch.manual_seed(seed)\n    modele = Debruiteur()\n    opt = torch.optim.Adam(modele.parameters())\n    T_ = len(alphas_bar)\n    for _ in range(n_pas):\n        idx = torch.randint(0, len(donnees), (taille_lot,))\n        t = torch.randint(0, T_, (taille_lot,))\n        bruit = torch.randn(taille_lot, 2)\n        perte = perte_debruitage(modele, donnees[idx], t, bruit, alphas_bar)\n        opt.zero_grad(); perte.backward(); opt.step()\n    return modele\n',
    must_fail=("test_denoiser_uses_its_seed",),
    message_contains=("l'argument lr",),
    may_fail=("test_denoiser_test_loss", "test_denoiser_samples_look_like_the_spiral"),
)
GROUPS["blind-a-r3"] = ("blind-r3-train-fixed-batch",)
GROUPS["blind-b"] = (*GROUPS["blind-b"], "blind-r3-train-lr-ignored")

# Mutation sample (sample seed 11): a default bound changed in the signature survived, since
# every call passed the bounds. The schedule check now also calls planning_lineaire(T).
SCENARIOS["mutants-planning-default-beta-T"] = Scenario(
    grade_id="planning_beta",
    source=edit(solution_cell(__file__, 'planning_beta'),
            ('def planning_lineaire(T=1000, beta_1=1e-4, beta_T=0.02):\n',
             'def planning_lineaire(T=1000, beta_1=1e-4, beta_T=0.2):\n')),
    must_fail=("test_schedule_matches_reference",),
    message_contains=("valeurs par défaut de la signature",),
)
GROUPS["blind-a-r3"] = (*GROUPS["blind-a-r3"], "mutants-planning-default-beta-T")

# Blind round 5 (answers written without reading the checks): the loop's arguments and a new
# model per call checked through a recording Debruiteur, a loss without a graph costing as
# much as a wrong value, and hints that name the fault (one noise for every step, index t − 1,
# a mean over N × C).
SCENARIOS.update({
    "blind-r5-train-n-pas-and-taille-lot-hard-coded": Scenario(
        grade_id="entrainer_debruiteur",
        source='def entrainer_debruiteur(donnees, alphas_bar, n_pas=2000, taille_lot=128, lr=3e-3, seed=0):\n    torch.manual_seed(seed)\n    modele = Debruiteur()\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    T_ = len(alphas_bar)\n    for _ in range(2000):\n        idx = torch.randint(0, len(donnees), (128,))\n        x0 = donnees[idx]\n        t = torch.randint(0, T_, (128,))\n        bruit = torch.randn_like(x0)\n        perte = perte_debruitage(modele, x0, t, bruit, alphas_bar)\n        opt.zero_grad()\n        perte.backward()\n        opt.step()\n    return modele\n',
        must_fail=('test_denoiser_new_model_and_its_loop_arguments',),
        message_contains=("ignore l'argument taille_lot",),
    ),
    "blind-r5-train-shared-global-model": Scenario(
        grade_id="entrainer_debruiteur",
        source='torch.manual_seed(0)\n_MODELE = Debruiteur()\n_OPT = torch.optim.Adam(_MODELE.parameters(), lr=3e-3)\n\ndef entrainer_debruiteur(donnees, alphas_bar, n_pas=2000, taille_lot=128, lr=3e-3, seed=0):\n    torch.manual_seed(seed)\n    for g in _OPT.param_groups:\n        g["lr"] = lr\n    T_ = len(alphas_bar)\n    for _ in range(n_pas):\n        idx = torch.randint(0, len(donnees), (taille_lot,))\n        x0 = donnees[idx]\n        t = torch.randint(0, T_, (taille_lot,))\n        bruit = torch.randn_like(x0)\n        perte = perte_debruitage(_MODELE, x0, t, bruit, alphas_bar)\n        _OPT.zero_grad()\n        perte.backward()\n        _OPT.step()\n    return _MODELE\n',
        must_fail=('test_denoiser_new_model_and_its_loop_arguments', 'test_denoiser_uses_its_seed'),
        may_fail=('test_denoiser_draws_uniform_steps',),
        message_contains=('NOUVEAU Debruiteur()',),
    ),
    "blind-r5-loss-rebuilt-leaf-tensor": Scenario(
        grade_id="perte_debruitage",
        source=edit(_BLIND_LOSS,
            ('    return ((bruit - pred) ** 2).mean()\n',
             '    valeur = F.mse_loss(pred, bruit).item()\n'
             '    return torch.tensor(valeur, requires_grad=True)\n')),
        must_fail=('test_loss_is_differentiable',),
        message_contains=('nul ou non fini',),
    ),
    "blind-r5-sampler-one-noise-for-every-step": Scenario(
        grade_id="echantillonner",
        source=edit(_BLIND_SAMPLER,
            ('        x = torch.randn(n, 2, generator=g)\n',
             '        x = torch.randn(n, 2, generator=g)\n'
             '        z = torch.randn(n, 2, generator=g)\n'),
            ('                x = x + torch.sqrt(betas[t]) * torch.randn(n, 2, generator=g)\n',
             '                x = x + torch.sqrt(betas[t]) * z\n')),
        must_fail=('test_sampler_reverse_steps',),
        may_fail=('test_sampler_reaches_the_spiral',),
        message_contains=('NOUVEAU z',),
    ),
    "blind-r5-q-sample-index-t-minus-one": Scenario(
        grade_id="q_echantillon",
        source='def q_echantillon(x0, t, bruit, alphas_bar):\n    ab = alphas_bar[t - 1].unsqueeze(1)\n    return ab.sqrt() * x0 + (1 - ab).sqrt() * bruit\n',
        must_fail=('test_q_sample_without_noise', 'test_q_sample_matches_reference'),
        may_fail=('test_q_sample_matches_iterated_chain',),
        message_contains=("l'indice est décalé",),
    ),
    "blind-r5-cross-entropy-mean-over-all-entries": Scenario(
        grade_id="entropie_croisee",
        source='def entropie_croisee(logits, y):\n    logp = F.log_softmax(logits, dim=1)\n    masque = F.one_hot(y, num_classes=logits.shape[1]).to(logp.dtype)\n    return -(masque * logp).mean()\n',
        must_fail=('test_cross_entropy_uniform_logits', 'test_cross_entropy_matches_torch'),
        message_contains=('pas sur les N × C cases', 'vous divisez par N × C'),
    ),
})
GROUPS["blind-r5-a"] = ("blind-r5-train-n-pas-and-taille-lot-hard-coded", "blind-r5-loss-rebuilt-leaf-tensor", "blind-r5-sampler-one-noise-for-every-step", "blind-r5-q-sample-index-t-minus-one", "blind-r5-cross-entropy-mean-over-all-entries")
GROUPS["blind-r5-b"] = ("blind-r5-train-shared-global-model",)

# Blind round 5, second part: the statement now says the functions leave their arguments as they
# were, and every function that receives a tensor is watched (q_echantillon and mle_gaussienne
# already were): an alias that subtracts in place, a stabilisation done on the caller's logits,
# alphas computed in place in the caller's betas. Each keeps the right values.
SCENARIOS.update({
    "blind-r5-loss-subtracts-in-the-callers-noise": Scenario(
        grade_id="perte_debruitage",
        source=edit(_BLIND_LOSS,
            ('    return ((bruit - pred) ** 2).mean()\n',
             '    diff = bruit\n'
             '    diff -= pred\n'
             '    return (diff ** 2).mean()\n')),
        must_fail=("test_loss_matches_reference",),
        message_contains=("perte_debruitage modifie sur place ce qu'on lui passe (bruit)",),
    ),
    "blind-r5-cross-entropy-shifts-the-callers-logits": Scenario(
        grade_id="entropie_croisee",
        source='def entropie_croisee(logits, y):\n    logits -= logits.max(dim=1, keepdim=True).values\n    lse = torch.log(torch.exp(logits).sum(dim=1))\n    return (lse - logits[torch.arange(len(y)), y]).mean()\n',
        must_fail=("test_cross_entropy_matches_torch",),
        message_contains=("entropie_croisee modifie sur place ce qu'on lui passe (logits)",),
    ),
    "submission-sampler-alphas-in-the-callers-betas": Scenario(
        grade_id="echantillonner",
        source=edit(solution_cell(__file__, "echantillonner"),
                    ("alphas = 1.0 - betas", "alphas = betas.neg_().add_(1.0)\n    betas = 1.0 - alphas")),
        must_fail=("test_sampler_reverse_steps",),
        message_contains=("echantillonner modifie sur place ce qu'on lui passe (betas)",),
    ),
})
GROUPS["blind-r5-c"] = (
    "blind-r5-loss-subtracts-in-the-callers-noise", "blind-r5-cross-entropy-shifts-the-callers-logits",
    "submission-sampler-alphas-in-the-callers-betas",
)


# The statement's "travaillez sous torch.no_grad()" for the sampler (blind round 5, extra2): a
# sampler without it returns samples attached to a T-step autograd graph and kept 20/20; the
# grader now runs it with a denoiser that has a parameter and reads requires_grad/grad_fn.
SCENARIOS["blind-r5-sampler-without-no-grad"] = Scenario(
    grade_id="echantillonner",
    source='def echantillonner(modele, n, betas, seed=0):\n    g = torch.Generator().manual_seed(seed)\n    alphas = 1 - betas\n    ab = torch.cumprod(alphas, 0)\n    x = torch.randn(n, 2, generator=g)\n    for t in range(len(betas) - 1, -1, -1):\n        eps = modele(x, torch.full((n,), t))\n        x = (x - betas[t] / torch.sqrt(1 - ab[t]) * eps) / torch.sqrt(alphas[t])\n        if t > 0:\n            x = x + torch.sqrt(betas[t]) * torch.randn(n, 2, generator=g)\n    return x\n',
    must_fail=("test_sampler_reverse_steps",),
    message_contains=("torch.no_grad()",),
)
GROUPS["blind-r5-nograd"] = ("blind-r5-sampler-without-no-grad",)
CORRECT["correct-sampler-no-grad-decorator"] = Correct(
    grade_id="echantillonner",
    source=edit(SCENARIOS["blind-r5-sampler-without-no-grad"].source,
        ('def echantillonner(modele, n, betas, seed=0):\n',
         '@torch.no_grad()\n'
         'def echantillonner(modele, n, betas, seed=0):\n')),
    why="no_grad as a decorator on the whole function",
)
CORRECT_GROUPS["correct-sampler-no-grad"] = ("correct-sampler-no-grad-decorator",)


# Blind round 7 (answers written without reading the checks). False passes: a training loop
# whose t never reaches one end of {0, …, T − 1} (randint(0, T − 1), randint(1, T)) kept 20/20:
# the steps are now also drawn on a short grader schedule where 2560 draws reach every step.
# q_echantillon and the loss draw t = 0 and t = T − 1 rows on purpose (a clamp of t kept the
# hidden points). Hints that check their own premise: a step without noise at t = 1 (not the
# std), the model given t + 1 (not the generic formula), a log term halved twice and some rows
# of q right (not the order of the arguments, not the square root).
# The tester's training loop ({before}: a line before the loop, {ab}: the schedule it reads);
# right as _R7_TRAIN_LOOP, a base not graded itself.
_R7_TRAIN = (
    'def entrainer_debruiteur(donnees, alphas_bar, n_pas=2000, taille_lot=128, lr=3e-3, seed=0):\n'
    '    """Entraîne un Debruiteur sur les points `donnees` (tenseur (N, 2)) et le renvoie."""\n'
    '    torch.manual_seed(seed)\n    modele = Debruiteur()\n'
    '    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n{before}    T_ = len(alphas_bar)\n'
    '    for _ in range(n_pas):\n        idx = torch.randint(0, donnees.shape[0], (taille_lot,))\n'
    '        x0 = donnees[idx]\n        t = torch.randint(0, T_, (taille_lot,))\n'
    '        bruit = torch.randn_like(x0)\n        perte = perte_debruitage(modele, x0, t, bruit, {ab})\n'
    '        opt.zero_grad()\n        perte.backward()\n        opt.step()\n    return modele\n'
)
_R7_TRAIN_LOOP = _R7_TRAIN.format(before="", ab="alphas_bar")
SCENARIOS.update({
    'blind-r7-train-t-never-last': Scenario(
        grade_id='entrainer_debruiteur',
        source=edit(_R7_TRAIN_LOOP,
            ('        t = torch.randint(0, T_, (taille_lot,))\n',
             '        t = torch.randint(0, T_ - 1, (taille_lot,))\n')),
        must_fail=('test_denoiser_draws_uniform_steps',),
        message_contains=("le dernier pas t = T − 1 n'est jamais tiré",),
    ),
    'blind-r7-train-t-never-0': Scenario(
        grade_id='entrainer_debruiteur',
        source=edit(_R7_TRAIN_LOOP,
            ('        t = torch.randint(0, T_, (taille_lot,))\n',
             '        t = torch.randint(1, T_, (taille_lot,))\n')),
        must_fail=('test_denoiser_draws_uniform_steps',),
        message_contains=("le pas t = 0 n'est jamais tiré",),
    ),
    'blind-r7-train-T-hard-coded-1000': Scenario(
        grade_id='entrainer_debruiteur',
        source=edit(_R7_TRAIN_LOOP,
            ('    T_ = len(alphas_bar)\n',
             ''),
            ('        t = torch.randint(0, T_, (taille_lot,))\n',
             '        t = torch.randint(0, 1000, (taille_lot,))\n')),
        must_fail=('test_denoiser_draws_uniform_steps',),
        message_contains=('ne sont pas uniformes',),
    ),
    'blind-r7-q-sample-clamps-t': Scenario(
        grade_id='q_echantillon',
        source='def q_echantillon(x0, t, bruit, alphas_bar):\n    """x_t = sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) bruit, un pas t par ligne."""\n    t = t.clamp(min=1)\n    ab = alphas_bar[t].unsqueeze(-1)\n    return ab.sqrt() * x0 + (1 - ab).sqrt() * bruit\n',
        must_fail=('test_q_sample_without_noise', 'test_q_sample_matches_reference'),
        message_contains=('certaines lignes sont justes',),
    ),
    'blind-r7-loss-model-gets-t-plus-1': Scenario(
        grade_id='perte_debruitage',
        source='def perte_debruitage(modele, x0, t, bruit, alphas_bar):\n    """Erreur quadratique moyenne entre le bruit et la prédiction modele(x_t, t)."""\n    ab = alphas_bar[t][:, None]\n    x_t = ab.sqrt() * x0 + (1 - ab).sqrt() * bruit\n    pred = modele(x_t, t + 1)\n    return F.mse_loss(pred, bruit)\n',
        must_fail=('test_loss_matches_reference',),
        message_contains=('avec le MÊME t',),
    ),
    'blind-r7-kl-log-term-halved-twice': Scenario(
        grade_id='kl_gaussiennes',
        source='def kl_gaussiennes(mu_q, var_q, mu_p, var_p):\n    """Forme close de D_KL(q || p) pour q = N(mu_q, var_q) et p = N(mu_p, var_p), en 1D."""\n    sigma_q, sigma_p = math.sqrt(var_q), math.sqrt(var_p)\n    return 0.5 * (math.log(sigma_p / sigma_q) + (var_q + (mu_q - mu_p) ** 2) / var_p - 1.0)\n',
        must_fail=('test_kl_fixed_examples', 'test_kl_closed_form_within_monte_carlo_ci', 'test_kl_is_asymmetric'),
        message_contains=('divisé par 2 une fois de trop',),
    ),
    'blind-r7-sampler-no-noise-at-t-1': Scenario(
        grade_id='echantillonner',
        source='def echantillonner(modele, n, betas, seed=0):\n    """Processus arrière DDPM : n échantillons (tenseur (n, 2)) à partir de x_T ~ N(0, I)."""\n    g = torch.Generator().manual_seed(seed)\n    alphas = 1 - betas\n    alphas_bar = torch.cumprod(alphas, 0)\n    with torch.no_grad():\n        x = torch.randn(n, 2, generator=g)\n        for t in range(len(betas) - 1, -1, -1):\n            eps = modele(x, torch.full((n,), t))\n            x = (x - betas[t] / torch.sqrt(1 - alphas_bar[t]) * eps) / torch.sqrt(alphas[t])\n            if t > 1:\n                x = x + torch.sqrt(betas[t]) * torch.randn(n, 2, generator=g)\n    return x\n',
        must_fail=('test_sampler_reverse_steps',),
        may_fail=('test_sampler_reaches_the_spiral',),
        message_contains=("aucun bruit n'est ajouté au pas t = 1",),
    ),
})
# One answer per item in a grading: the other two training loops ride in groups without one.
GROUPS["blind-r5-c"] = (*GROUPS["blind-r5-c"], 'blind-r7-train-t-never-0')
GROUPS["blind-r5-nograd"] = (*GROUPS["blind-r5-nograd"], 'blind-r7-train-T-hard-coded-1000')
GROUPS["blind-r7"] = ('blind-r7-train-t-never-last', 'blind-r7-q-sample-clamps-t', 'blind-r7-loss-model-gets-t-plus-1', 'blind-r7-kl-log-term-halved-twice', 'blind-r7-sampler-no-noise-at-t-1',)
CORRECT.update({
    'blind-r7-correct-ce-row-loop': Correct(
        grade_id='entropie_croisee',
        source='def entropie_croisee(logits, y):\n    """Log-vraisemblance négative moyenne -1/N Σ log softmax(logits)[i, y_i]."""\n    termes = []\n    for i in range(logits.shape[0]):\n        ligne = logits[i]\n        log_p = ligne[int(y[i])] - torch.logsumexp(ligne, dim=0)\n        termes.append(-log_p)\n    return torch.stack(termes).mean()\n',
        why='a loop over the examples with torch.logsumexp, stacked then averaged',
    ),
    'blind-r7-correct-klmc-torch-normal': Correct(
        grade_id='kl_monte_carlo',
        source='def kl_monte_carlo(mu_q, var_q, mu_p, var_p, n, seed=0):\n    """Estimation Monte Carlo de D_KL(q || p) avec n échantillons de q."""\n    g = torch.Generator().manual_seed(int(seed))\n    q = torch.distributions.Normal(float(mu_q), math.sqrt(var_q))\n    p = torch.distributions.Normal(float(mu_p), math.sqrt(var_p))\n    x = float(mu_q) + math.sqrt(var_q) * torch.randn(int(n), generator=g, dtype=torch.float64)\n    f = q.log_prob(x) - p.log_prob(x)\n    estimation = f.mean().item()\n    erreur_type = (f.std(unbiased=False) / math.sqrt(n)).item()\n    return estimation, erreur_type\n',
        why='a torch generator, Normal.log_prob, the population std',
    ),
    'blind-r7-correct-schedule-python-loop': Correct(
        grade_id='planning_beta',
        source='def planning_lineaire(T=1000, beta_1=1e-4, beta_T=0.02):\n    """Planning linéaire : betas de beta_1 à beta_T (T valeurs) et alphas_bar = produits cumulés de 1 - beta."""\n    pas = (beta_T - beta_1) / (T - 1) if T > 1 else 0.0\n    betas, abar, prod = [], [], 1.0\n    for i in range(T):\n        b = beta_1 + i * pas\n        if i == T - 1:\n            b = beta_T\n        prod = prod * (1.0 - b)\n        betas.append(b)\n        abar.append(prod)\n    return torch.tensor(betas, dtype=torch.float64), torch.tensor(abar, dtype=torch.float64)\n',
        why='a Python loop with an explicit step and a running product',
    ),
    'blind-r7-correct-sampler-noise-drawn-up-front': Correct(
        grade_id='echantillonner',
        source='def echantillonner(modele, n, betas, seed=0):\n    """Processus arrière DDPM : n échantillons (tenseur (n, 2)) à partir de x_T ~ N(0, I)."""\n    g = torch.Generator().manual_seed(seed)\n    T_ = len(betas)\n    alphas = 1.0 - betas\n    alphas_bar = torch.cumprod(alphas, dim=0)\n    with torch.no_grad():\n        x = torch.randn(n, 2, generator=g)\n        Z = torch.randn(T_, n, 2, generator=g)\n        for t in range(T_ - 1, -1, -1):\n            eps = modele(x, torch.full((n,), t))\n            moyenne = (x - betas[t] / torch.sqrt(1.0 - alphas_bar[t]) * eps) / torch.sqrt(alphas[t])\n            if t > 0:\n                x = moyenne + torch.sqrt(betas[t]) * Z[t]\n            else:\n                x = moyenne\n    return x\n',
        why='every z drawn up front from the seeded generator as one (T, n, 2) block',
    ),
    "blind-r7-correct-train-numpy-generator": Correct(
        grade_id="entrainer_debruiteur",
        source='def entrainer_debruiteur(donnees, alphas_bar, n_pas=2000, taille_lot=128, lr=3e-3, seed=0):\n    torch.manual_seed(seed)\n    modele = Debruiteur()\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    gen = np.random.default_rng(seed)\n    for _ in range(n_pas):\n        idx = torch.from_numpy(gen.integers(0, donnees.shape[0], size=taille_lot))\n        x0 = donnees[idx]\n        t = torch.from_numpy(gen.integers(0, alphas_bar.shape[0], size=taille_lot))\n        bruit = torch.randn(taille_lot, 2)\n        perte = perte_debruitage(modele, x0, t, bruit, alphas_bar)\n        opt.zero_grad()\n        perte.backward()\n        opt.step()\n    return modele\n',
        why="batches and steps from a NumPy generator seeded with seed, alphas_bar.shape[0] for T",
    ),
})
CORRECT_GROUPS["blind-r7-correct"] = ('blind-r7-correct-ce-row-loop', 'blind-r7-correct-klmc-torch-normal', 'blind-r7-correct-schedule-python-loop', 'blind-r7-correct-sampler-noise-drawn-up-front', "blind-r7-correct-train-numpy-generator")

# Blind round 7, second pass: an argument replaced by the notebook's global (the loss and the
# training now run on grader schedules that differ from ALPHAS_BAR), the model fed x0, the
# training's arguments watched for changes in place.
SCENARIOS.update({
    'blind-r7-loss-global-alphas-bar': Scenario(
        grade_id='perte_debruitage',
        source=edit(solution_cell(__file__, 'perte_debruitage'),
            ('    x_t = q_echantillon(x0, t, bruit, alphas_bar)\n',
             '    x_t = q_echantillon(x0, t, bruit, ALPHAS_BAR)\n')),
        must_fail=('test_loss_matches_reference',),
        message_contains=("perte_debruitage ignore l'argument alphas_bar",),
    ),
    'blind-r7-train-global-alphas-bar': Scenario(
        grade_id='entrainer_debruiteur',
        source=_R7_TRAIN.format(before='', ab='ALPHAS_BAR'),
        must_fail=('test_denoiser_draws_uniform_steps',),
        message_contains=("la variable globale ALPHAS_BAR du notebook",),
    ),
    'blind-r7-loss-model-gets-x0': Scenario(
        grade_id='perte_debruitage',
        source='def perte_debruitage(modele, x0, t, bruit, alphas_bar):\n    """Erreur quadratique moyenne entre le bruit et la prédiction modele(x_t, t)."""\n    ab = alphas_bar[t].unsqueeze(1)\n    x_t = ab.sqrt() * x0 + (1 - ab).sqrt() * bruit\n    return F.mse_loss(modele(x0, t), bruit)\n',
        must_fail=('test_loss_matches_reference', 'test_loss_is_differentiable'),
        message_contains=("le modèle reçoit x0", "perte_debruitage donne au modèle x0"),
    ),
    'blind-r7-train-shuffles-donnees-in-place': Scenario(
        grade_id='entrainer_debruiteur',
        source=_R7_TRAIN.format(
            before='    donnees[:] = donnees[torch.randperm(len(donnees))]  # mélange une fois\n',
            ab='alphas_bar'),
        must_fail=('test_denoiser_new_model_and_its_loop_arguments',),
        message_contains=("entrainer_debruiteur modifie sur place ce qu'on lui passe (donnees)",),
    ),
})
# Not with mistakes-1: its wrong planning_lineaire makes the notebook's ALPHAS_BAR itself wrong.
GROUPS["blind-r5-b"] = (*GROUPS["blind-r5-b"], 'blind-r7-loss-global-alphas-bar')
GROUPS["mistakes-2"] = (*GROUPS["mistakes-2"], 'blind-r7-train-global-alphas-bar')
GROUPS["blind-r7-b"] = ('blind-r7-loss-model-gets-x0', 'blind-r7-train-shuffles-donnees-in-place')
CORRECT.update({
    'blind-r7-correct-schedule-float32-numpy': Correct(
        grade_id='planning_beta',
        source='def planning_lineaire(T=1000, beta_1=1e-4, beta_T=0.02):\n    """Planning linéaire : betas de beta_1 à beta_T (T valeurs) et alphas_bar = produits cumulés de 1 - beta."""\n    betas = np.linspace(beta_1, beta_T, T, dtype=np.float32)\n    alphas_bar = np.cumprod(np.float32(1.0) - betas, dtype=np.float32)\n    return torch.from_numpy(betas).double(), torch.from_numpy(alphas_bar).double()\n',
        why='a float32 product (~1e-5 relative after 500 steps), returned as float64',
    ),
    'blind-r7-correct-q-index-select-guard': Correct(
        grade_id='q_echantillon',
        source='def q_echantillon(x0, t, bruit, alphas_bar):\n    """x_t = sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) bruit, un pas t par ligne."""\n    ab = alphas_bar.index_select(0, t.long()).reshape(-1, 1)\n    coef_x = torch.sqrt(ab.clamp(min=0.0))\n    coef_b = torch.sqrt((1.0 - ab).clamp(min=0.0))\n    return coef_x * x0 + coef_b * bruit\n',
        why='index_select and a clamp guard under the square roots',
    ),
    'blind-r7-correct-loss-inline-gather': Correct(
        grade_id='perte_debruitage',
        source='def perte_debruitage(modele, x0, t, bruit, alphas_bar):\n    """Erreur quadratique moyenne entre le bruit et la prédiction modele(x_t, t)."""\n    a = alphas_bar.gather(0, t)[:, None]\n    x_bruite = a.sqrt() * x0 + (1.0 - a).sqrt() * bruit\n    return ((bruit - modele(x_bruite, t)) ** 2).mean()\n',
        why='x_t built inline with gather, the mean of squares written out',
    ),
    'blind-r7-correct-train-float32-shuffled-copy': Correct(
        grade_id='entrainer_debruiteur',
        source='def entrainer_debruiteur(donnees, alphas_bar, n_pas=2000, taille_lot=128, lr=3e-3, seed=0):\n    """Entraîne un Debruiteur sur les points `donnees` (tenseur (N, 2)) et le renvoie."""\n    torch.manual_seed(seed)\n    modele = Debruiteur()\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    X = donnees.clone().float()\n    X = X[torch.randperm(len(X))]\n    ab = alphas_bar.float()\n    for _ in range(n_pas):\n        x0 = X[torch.randint(0, X.shape[0], (taille_lot,))]\n        t = torch.randint(0, ab.shape[0], (taille_lot,))\n        bruit = torch.randn_like(x0)\n        perte = perte_debruitage(modele, x0, t, bruit, ab)\n        opt.zero_grad()\n        perte.backward()\n        opt.step()\n    return modele\n',
        why='a shuffled float32 copy of donnees, the schedule passed to the loss as float32',
    ),
})
CORRECT_GROUPS["blind-r7-correct-2"] = ('blind-r7-correct-schedule-float32-numpy', 'blind-r7-correct-q-index-select-guard', 'blind-r7-correct-loss-inline-gather', 'blind-r7-correct-train-float32-shuffled-copy')


# Blind round 9 (answers written without reading the checks). False passes: entropie_croisee
# returning F.cross_entropy (question 2 forbids it: F.cross_entropy, F.nll_loss and their modules
# are switched off during the call); a sampler with the posterior variance beta_tilde (question 9
# asks sigma_t² = beta_t; beta_tilde is the "pour aller plus loin": it was a Correct variant here,
# now half the reverse-step check); a sampler on the global generator (torch.manual_seed then
# torch.randn) where the statement asks torch.Generator().manual_seed(seed). Hints that check
# their premise: sigma returned for sigma², a missing term of the KL, L1 for the squared error,
# a Monte Carlo estimator that ignores n or draws uniform samples, sizes written in (q's N, the
# sampler's n and T). A q_echantillon mistake no longer costs the loss's public check (graded
# with the grader's q_echantillon), and a model reused across calls is told as such.
_R9_SAMPLER_TILDE = """def echantillonner(modele, n, betas, seed=0):
    gen = torch.Generator().manual_seed(seed)
    alphas = 1 - betas
    alphas_bar = torch.cumprod(alphas, 0)
    x = torch.randn((n, 2), generator=gen)
    with torch.no_grad():
        for t in reversed(range(len(betas))):
            eps = modele(x, torch.full((n,), t, dtype=torch.long))
            moyenne = (x - (1 - alphas[t]) / (1 - alphas_bar[t]).sqrt() * eps) / alphas[t].sqrt()
            if t == 0:
                x = moyenne
            else:
                # variance du postérieur, beta_tilde (Ho et al., 2020, l'autre choix du papier)
                var = (1 - alphas_bar[t - 1]) / (1 - alphas_bar[t]) * betas[t]
                x = moyenne + var.sqrt() * torch.randn(x.shape, generator=gen)
    return x
"""
SCENARIOS.update({
    "submission-entropie_croisee-calls-F-cross-entropy": Scenario(
        grade_id="entropie_croisee",
        source="def entropie_croisee(logits, y):\n    return F.cross_entropy(logits, y)\n",
        must_fail=("test_cross_entropy_uniform_logits", "test_cross_entropy_matches_torch"),
        message_contains=("entropie_croisee appelle F.cross_entropy",),
    ),
    "submission-echantillonner-posterior-variance-beta-tilde": Scenario(
        grade_id="echantillonner",
        source=_R9_SAMPLER_TILDE,
        must_fail=("test_sampler_reverse_steps",),
        message_contains=("la variance du postérieur beta_tilde_t",),
    ),
    "submission-echantillonner-global-generator": Scenario(
        grade_id="echantillonner",
        source=edit(solution_cell(__file__, "echantillonner"),
                    ("    gen = torch.Generator().manual_seed(seed)\n", "    torch.manual_seed(seed)\n"),
                    ("    x = torch.randn(n, 2, generator=gen)\n", "    x = torch.randn(n, 2)\n"),
                    ("torch.sqrt(betas[t]) * torch.randn(n, 2, generator=gen)", "torch.sqrt(betas[t]) * torch.randn(n, 2)")),
        must_fail=("test_sampler_shape_and_seed",),
        message_contains=("le générateur global de torch",),
    ),
    "submission-echantillonner-T-written-in": Scenario(
        grade_id="echantillonner",
        source=edit(solution_cell(__file__, "echantillonner"),
                    ("for t in range(len(betas) - 1, -1, -1):", "for t in range(999, -1, -1):")),
        must_fail=("test_sampler_shape_and_seed", "test_sampler_reverse_steps"),
        message_contains=("le nombre de pas T",),
    ),
    "submission-echantillonner-n-written-in": Scenario(
        grade_id="echantillonner",
        source=edit(solution_cell(__file__, "echantillonner"),
                    ("    x = torch.randn(n, 2, generator=gen)\n", "    x = torch.randn(500, 2, generator=gen)\n")),
        must_fail=("test_sampler_shape_and_seed", "test_sampler_reaches_the_spiral", "test_sampler_reverse_steps"),
        message_contains=("le nombre d'échantillons n",),
    ),
    "submission-mle-returns-standard-deviation": Scenario(
        grade_id="mle_gaussienne",
        source="def mle_gaussienne(x):\n    mu = float(np.mean(x))\n    return mu, float(np.sqrt(np.mean((x - mu) ** 2)))\n",
        must_fail=("test_mle_small_example", "test_mle_matches_closed_form"),
        message_contains=("vous renvoyez l'écart type sigma", "sigma2 est un écart type"),
    ),
    "submission-kl-missing-minus-one": Scenario(
        grade_id="kl_gaussiennes",
        source="def kl_gaussiennes(mu_q, var_q, mu_p, var_p):\n    return 0.5 * (math.log(var_p / var_q) + (var_q + (mu_q - mu_p) ** 2) / var_p)\n",
        must_fail=("test_kl_fixed_examples", "test_kl_closed_form_within_monte_carlo_ci", "test_kl_is_asymmetric"),
        message_contains=("le terme − 1 manque",),
    ),
    "submission-kl-log-term-not-halved": Scenario(
        grade_id="kl_gaussiennes",
        source="def kl_gaussiennes(mu_q, var_q, mu_p, var_p):\n    return math.log(var_p / var_q) + (var_q + (mu_q - mu_p) ** 2) / (2 * var_p) - 0.5\n",
        must_fail=("test_kl_fixed_examples", "test_kl_closed_form_within_monte_carlo_ci", "test_kl_is_asymmetric"),
        message_contains=("le terme en log n'est pas multiplié par ½",),
    ),
    "submission-kl_monte_carlo-uniform-samples": Scenario(
        grade_id="kl_monte_carlo",
        source=edit(solution_cell(__file__, "kl_monte_carlo"),
                    ("    x = rng.normal(mu_q, math.sqrt(var_q), size=n)\n",
                     "    x = rng.uniform(mu_q - math.sqrt(3 * var_q), mu_q + math.sqrt(3 * var_q), size=n)\n")),
        must_fail=("test_kl_monte_carlo_within_ci_of_truth",),
        message_contains=("vos échantillons ne suivent pas la loi NORMALE",),
    ),
    "submission-kl_monte_carlo-ignores-n": Scenario(
        grade_id="kl_monte_carlo",
        source=edit(solution_cell(__file__, "kl_monte_carlo"),
                    ("    x = rng.normal(mu_q, math.sqrt(var_q), size=n)\n",
                     "    x = rng.normal(mu_q, math.sqrt(var_q), size=10000)\n"),
                    ("f.std() / math.sqrt(n)", "f.std() / math.sqrt(len(f))")),
        must_fail=("test_kl_monte_carlo_within_ci_of_truth",),
        message_contains=("kl_monte_carlo ignore l'argument n",),
    ),
    "submission-q_echantillon-scales-bruit-in-place": Scenario(
        grade_id="q_echantillon",
        source="def q_echantillon(x0, t, bruit, alphas_bar):\n    a = alphas_bar[t][:, None]\n    bruit.mul_(torch.sqrt(1 - a))\n    return torch.sqrt(a) * x0 + bruit\n",
        must_fail=("test_q_sample_matches_reference",),
        message_contains=("modifie sur place son argument bruit",),
    ),
    "submission-q_echantillon-N-written-in": Scenario(
        grade_id="q_echantillon",
        source=edit(solution_cell(__file__, "q_echantillon"),
                    ("    a = alphas_bar[t].unsqueeze(1)\n", "    a = alphas_bar[t].view(2000, 1)\n")),
        must_fail=("test_q_sample_without_noise", "test_q_sample_matches_reference", "test_q_sample_matches_iterated_chain"),
        message_contains=("une taille N écrite en dur",),
    ),
    "submission-perte_debruitage-absolute-error": Scenario(
        grade_id="perte_debruitage",
        source="def perte_debruitage(modele, x0, t, bruit, alphas_bar):\n    xt = q_echantillon(x0, t, bruit, alphas_bar)\n    return (modele(xt, t) - bruit).abs().mean()\n",
        must_fail=("test_loss_with_zero_model", "test_loss_matches_reference"),
        message_contains=("vous prenez la valeur absolue de l'écart",),
    ),
    "submission-entrainer_debruiteur-reuses-a-global-model": Scenario(
        grade_id="entrainer_debruiteur",
        source="_MODELE = Debruiteur()\n\ndef entrainer_debruiteur(donnees, alphas_bar, n_pas=2000, taille_lot=128, lr=3e-3, seed=0):\n    torch.manual_seed(seed)\n    modele = _MODELE\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(n_pas):\n        x0 = donnees[torch.randint(0, len(donnees), (taille_lot,))]\n        t = torch.randint(0, len(alphas_bar), (taille_lot,))\n        perte = perte_debruitage(modele, x0, t, torch.randn_like(x0), alphas_bar)\n        opt.zero_grad(); perte.backward(); opt.step()\n    return modele\n",
        must_fail=("test_denoiser_uses_its_seed", "test_denoiser_new_model_and_its_loop_arguments"),
        message_contains=("NOUVEAU Debruiteur()",),
    ),
})
SCENARIOS.update({
    "submission-q_echantillon-noise-coefficient-is-the-variance": Scenario(
        grade_id="q_echantillon",
        source=edit(solution_cell(__file__, "q_echantillon"),
                    ("torch.sqrt(1.0 - a) * bruit", "(1.0 - a) * bruit")),
        must_fail=("test_q_sample_matches_reference", "test_q_sample_matches_iterated_chain"),
        message_contains=("le coefficient du bruit est sqrt(1 − alpha_bar_t)",),
    ),
})
GROUPS["blind-r9-a"] = (
    "submission-entropie_croisee-calls-F-cross-entropy", "submission-mle-returns-standard-deviation",
    "submission-kl-missing-minus-one", "submission-kl_monte_carlo-uniform-samples",
    "submission-q_echantillon-scales-bruit-in-place", "submission-perte_debruitage-absolute-error",
    "submission-echantillonner-global-generator", "submission-entrainer_debruiteur-reuses-a-global-model",
)
GROUPS["blind-r9-b"] = (
    "submission-kl-log-term-not-halved", "submission-kl_monte_carlo-ignores-n",
    "submission-q_echantillon-N-written-in", "submission-echantillonner-T-written-in",
)
GROUPS["blind-r9-c"] = ("submission-q_echantillon-noise-coefficient-is-the-variance",)
# One sampler per grading: with items that have no answer in these groups.
GROUPS["train-no-step"] = (*GROUPS["train-no-step"], "submission-echantillonner-posterior-variance-beta-tilde")
GROUPS["q-sample-sqrt"] = (*GROUPS["q-sample-sqrt"], "submission-echantillonner-n-written-in")

# Blind round 11 (answers written without reading the checks). False pass: a training loop that
# draws its Gaussian noise once, before the loop, and reuses it at every step (the outcome still
# clears its bars); it is now seen in the mechanism check of the loop, which takes 0.5 of the
# outcome's points (one batch or one noise reused trains on nothing new). Hints that check their
# premise: a sampler dividing by sqrt(alpha_bar_t) was told its noise was reused (the premise now
# asks the residuals of successive steps to be the SAME draw, not merely correlated); the log
# ratio of the KL inverted; one step t for every row of q_echantillon; the pair of the MLE in
# the reverse order; a schedule with T written in, or alpha_t for alpha_bar_t.
SCENARIOS.update({
    "submission-entrainer_debruiteur-noise-drawn-once": Scenario(
        grade_id="entrainer_debruiteur",
        source='def entrainer_debruiteur(donnees, alphas_bar, n_pas=2000, taille_lot=128, lr=3e-3, seed=0):\n    torch.manual_seed(seed)\n    modele = Debruiteur()\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    T_ = len(alphas_bar)\n    bruit_fixe = torch.randn(taille_lot, 2)\n    for _ in range(n_pas):\n        x0 = donnees[torch.randint(0, len(donnees), (taille_lot,))]\n        t = torch.randint(0, T_, (taille_lot,))\n        bruit = bruit_fixe\n        perte = perte_debruitage(modele, x0, t, bruit, alphas_bar)\n        opt.zero_grad()\n        perte.backward()\n        opt.step()\n    return modele\n',
        must_fail=("test_denoiser_draws_uniform_steps",),
        message_contains=("le bruit gaussien des lots d'entraînement est toujours le même",),
        may_fail=("test_denoiser_test_loss", "test_denoiser_samples_look_like_the_spiral"),
    ),
    "submission-echantillonner-divides-by-sqrt-alpha-bar": Scenario(
        grade_id="echantillonner",
        source=edit(solution_cell(__file__, "echantillonner"),
                    ("/ torch.sqrt(alphas[t])", "/ torch.sqrt(alphas_bar[t])")),
        must_fail=("test_sampler_reverse_steps",),
        message_contains=("vous divisez par sqrt(alpha_bar_t)",),
        may_fail=("test_sampler_reaches_the_spiral",),
    ),
    "submission-kl-log-ratio-inverted": Scenario(
        grade_id="kl_gaussiennes",
        source="def kl_gaussiennes(mu_q, var_q, mu_p, var_p):\n    return 0.5 * (math.log(var_q / var_p) + (var_q + (mu_q - mu_p) ** 2) / var_p - 1)\n",
        must_fail=("test_kl_fixed_examples", "test_kl_closed_form_within_monte_carlo_ci"),
        message_contains=("le rapport dans le log est inversé",),
        may_fail=("test_kl_is_asymmetric",),
    ),
    "submission-q_echantillon-one-step-for-every-row": Scenario(
        grade_id="q_echantillon",
        source="def q_echantillon(x0, t, bruit, alphas_bar):\n    a = alphas_bar[t[0]]\n    return torch.sqrt(a) * x0 + torch.sqrt(1 - a) * bruit\n",
        must_fail=("test_q_sample_matches_reference",),
        message_contains=("toutes les lignes utilisent le MÊME pas t",),
        may_fail=("test_q_sample_without_noise",),
    ),
    "submission-mle-returns-sigma2-then-mu": Scenario(
        grade_id="mle_gaussienne",
        source="def mle_gaussienne(x):\n    mu = np.mean(x)\n    return float(np.mean((x - mu) ** 2)), float(mu)\n",
        must_fail=("test_mle_small_example", "test_mle_matches_closed_form"),
        message_contains=("dans l'ordre inverse (sigma2, mu)",),
    ),
    "submission-planning-T-written-in": Scenario(
        grade_id="planning_beta",
        source="def planning_lineaire(T=1000, beta_1=1e-4, beta_T=0.02):\n    betas = torch.linspace(beta_1, beta_T, 1000)\n    return betas, torch.cumprod(1 - betas, 0)\n",
        must_fail=("test_schedule_matches_reference",),
        message_contains=("planning_lineaire ignore l'argument T",),
    ),
    "submission-planning-alpha-t-for-alpha-bar": Scenario(
        grade_id="planning_beta",
        source="def planning_lineaire(T=1000, beta_1=1e-4, beta_T=0.02):\n    betas = torch.linspace(beta_1, beta_T, T)\n    alphas = 1 - betas\n    return betas, alphas\n",
        must_fail=("test_schedule_matches_reference",),
        message_contains=("alphas_bar vaut 1 − beta_t (alpha_t",),
    ),
})
GROUPS["blind-r11-a"] = (
    "submission-entrainer_debruiteur-noise-drawn-once", "submission-echantillonner-divides-by-sqrt-alpha-bar",
    "submission-kl-log-ratio-inverted", "submission-q_echantillon-one-step-for-every-row",
    "submission-mle-returns-sigma2-then-mu", "submission-planning-T-written-in",
)
GROUPS["blind-r11-b"] = ("submission-planning-alpha-t-for-alpha-bar",)


# Blind round 16 (answers written without reading the checks). False passes: a sampler whose
# noise at step t has std sqrt(betas[t − 1]) (one index off: on the grader's linear schedule the
# gap was 4 % at the last steps and within the 15 % tolerance; the mechanism check now runs a
# geometric schedule, each beta 1.23 to 1.31 times the previous, and holds every step's std to
# 5 %); a cross-entropy through F.one_hot(y) without num_classes (C inferred from y.max() + 1:
# grader labels now leave the last classes out, then hold one class only); a Monte Carlo KL
# clamped at 0 (32 seeds of a nearly equal pair, n = 200: a mean of f_i is negative about half
# the time); a loss that calls backward() itself (the model's .grad filled by a mere call: half
# the differentiability check). Hints that check their premise: a sampler that calls the
# notebook's debruiteur instead of its argument is told so by the spiral check (the oracle
# counts its calls); a reverse step reading alphas_bar[t − 1] is told the index, not the
# notebook's ALPHAS_BAR (that hint now needs the recorded steps to follow the notebook's schedule).
SCENARIOS.update({
    'blind-r16-sampler-sigma-index-shifted': Scenario(
        grade_id='echantillonner',
        source=edit(solution_cell(__file__, 'echantillonner'),
            ('                x = x + torch.sqrt(betas[t]) * torch.randn(n, 2, generator=gen)\n',
             '                sigma = torch.sqrt(betas[t - 1])  # variance du pas x_{t-1}\n'
             '                x = x + sigma * torch.randn(n, 2, generator=gen)\n')),
        must_fail=('test_sampler_reverse_steps',),
        message_contains=("sqrt(betas[t − 1]), celui du pas d'avant",),
    ),
    'blind-r16-ce-one-hot-infers-C-from-y': Scenario(
        grade_id='entropie_croisee',
        source=edit(solution_cell(__file__, 'entropie_croisee'),
            ('    return -log_probs[torch.arange(len(y)), y].mean()\n',
             '    cible = F.one_hot(y.long()).to(logits.dtype)\n'
             '    return -(cible * log_probs).sum(dim=1).mean()\n')),
        must_fail=('test_cross_entropy_matches_torch',),
        message_contains=('le nombre de classes est C = logits.shape[1]',),
    ),
    'blind-r16-klmc-estimate-clamped-at-0': Scenario(
        grade_id='kl_monte_carlo',
        source=edit(solution_cell(__file__, 'kl_monte_carlo'),
            ('    return float(f.mean()), float(f.std() / math.sqrt(n))\n',
             '    # une KL est toujours positive : on évite les estimations négatives dues au bruit MC\n'
             '    estimation = max(float(f.mean()), 0.0)\n'
             '    return estimation, float(f.std() / math.sqrt(n))\n')),
        must_fail=('test_kl_monte_carlo_within_ci_of_truth',),
        message_contains=('vous ramenez les estimations négatives à 0',),
    ),
    'blind-r16-loss-calls-backward-itself': Scenario(
        grade_id='perte_debruitage',
        source=edit(solution_cell(__file__, 'perte_debruitage'),
            ('    return F.mse_loss(modele(x_t, t), bruit)\n',
             '    perte = F.mse_loss(modele(x_t, t), bruit)\n'
             '    if perte.requires_grad:\n'
             '        perte.backward(retain_graph=True)  # on calcule les gradients tout de suite\n'
             '    return perte\n')),
        must_fail=('test_loss_is_differentiable',),
        message_contains=('perte_debruitage appelle backward() elle-même',),
    ),
    'blind-r16-sampler-calls-global-debruiteur': Scenario(
        grade_id='echantillonner',
        source=edit(solution_cell(__file__, 'echantillonner'),
            ('            eps = modele(x, torch.full((n,), t))\n',
             '            eps = debruiteur(x, torch.full((n,), t))\n')),
        must_fail=('test_sampler_reaches_the_spiral', 'test_sampler_reverse_steps'),
        message_contains=("n'a jamais été appelé",),
    ),
    'blind-r16-sampler-alphas-bar-t-minus-1-wraps': Scenario(
        grade_id='echantillonner',
        source=edit(solution_cell(__file__, 'echantillonner'),
            ('            x = (x - betas[t] / torch.sqrt(1.0 - alphas_bar[t]) * eps) / torch.sqrt(alphas[t])\n',
             '            # bar alpha du pas précédent (cours : t -> t-1)\n'
             '            x = (x - betas[t] / torch.sqrt(1.0 - alphas_bar[t - 1]) * eps) / torch.sqrt(alphas[t])\n')),
        must_fail=('test_sampler_reverse_steps',),
        message_contains=('la moyenne du pas arrière lit alphas_bar[t − 1]',),
    ),
})
GROUPS["blind-r16-1"] = ("blind-r16-sampler-sigma-index-shifted", "blind-r16-ce-one-hot-infers-C-from-y",
                         "blind-r16-klmc-estimate-clamped-at-0", "blind-r16-loss-calls-backward-itself")
GROUPS["blind-r16-2"] = ("blind-r16-sampler-calls-global-debruiteur",)
GROUPS["blind-r16-3"] = ("blind-r16-sampler-alphas-bar-t-minus-1-wraps",)
CORRECT.update({
    'blind-r16-correct-ce-one-hot-num-classes': Correct(
        grade_id='entropie_croisee',
        source='def entropie_croisee(logits, y):\n    """Log-vraisemblance négative moyenne -1/N Σ log softmax(logits)[i, y_i].\n\n    logits : tenseur (N, C) ; y : tenseur d\'entiers (N,). Renvoie un tenseur scalaire.\n    """\n    C = logits.shape[1]\n    log_probs = torch.log_softmax(logits, dim=1)\n    cible = F.one_hot(y.long(), num_classes=C).to(logits.dtype)\n    return -(cible * log_probs).sum(dim=1).mean()\n',
        why='one-hot with num_classes=logits.shape[1] times log_softmax',
    ),
    'blind-r16-correct-klmc-torch-distributions': Correct(
        grade_id='kl_monte_carlo',
        source='def kl_monte_carlo(mu_q, var_q, mu_p, var_p, n, seed=0):\n    """Estimation Monte Carlo de D_KL(q || p) avec n échantillons de q.\n\n    Renvoie le couple de flottants (estimation, erreur_type).\n    """\n    rng = np.random.default_rng(seed)\n    x = torch.as_tensor(mu_q + math.sqrt(var_q) * rng.standard_normal(n))\n    q = torch.distributions.Normal(float(mu_q), math.sqrt(var_q))\n    p = torch.distributions.Normal(float(mu_p), math.sqrt(var_p))\n    f = q.log_prob(x) - p.log_prob(x)\n    estimation = f.mean().item()\n    erreur_type = (f.std(unbiased=False) / math.sqrt(n)).item()\n    return estimation, erreur_type\n',
        why='torch.distributions log_prob on samples of a NumPy generator',
    ),
    'blind-r16-correct-loss-per-sample-norm': Correct(
        grade_id='perte_debruitage',
        source='def perte_debruitage(modele, x0, t, bruit, alphas_bar):\n    """Erreur quadratique moyenne entre le bruit et la prédiction modele(x_t, t)."""\n    x_t = q_echantillon(x0, t, bruit, alphas_bar)\n    prediction = modele(x_t, t)\n    erreur = ((bruit - prediction) ** 2).sum(dim=1)  # ||eps - eps_theta||² par exemple\n    return erreur.mean() / bruit.shape[1]\n',
        why='per-sample squared norm, mean, divided by D',
    ),
    'blind-r16-correct-sampler-decorator-reversed': Correct(
        grade_id='echantillonner',
        source='@torch.no_grad()\ndef echantillonner(modele, n, betas, seed=0):\n    """Processus arrière DDPM : n échantillons (tenseur (n, 2)) à partir de x_T ~ N(0, I)."""\n    gen = torch.Generator().manual_seed(seed)\n    alphas = 1 - betas\n    alphas_bar = torch.cumprod(alphas, 0)\n    x = torch.randn(n, 2, generator=gen)\n    for t in reversed(range(len(betas))):\n        t_lot = torch.full((n,), t, dtype=torch.long)\n        eps = modele(x, t_lot)\n        coef = (1 - alphas[t]) / (1 - alphas_bar[t]).sqrt()\n        moyenne = (x - coef * eps) / alphas[t].sqrt()\n        if t == 0:\n            x = moyenne\n        else:\n            x = moyenne + betas[t].sqrt() * torch.randn(n, 2, generator=gen)\n    return x\n',
        why='@torch.no_grad() decorator, reversed(range(T)), if/else at t = 0',
    ),
    'blind-r16-correct-sampler-z-every-step': Correct(
        grade_id='echantillonner',
        source='def echantillonner(modele, n, betas, seed=0):\n    """Processus arrière DDPM : n échantillons (tenseur (n, 2)) à partir de x_T ~ N(0, I)."""\n    gen = torch.Generator().manual_seed(seed)\n    alphas = 1.0 - betas\n    alphas_bar = torch.cumprod(alphas, dim=0)\n    T_ = len(betas)\n    with torch.no_grad():\n        x = torch.randn(n, 2, generator=gen)\n        for t in range(T_ - 1, -1, -1):\n            z = torch.randn(n, 2, generator=gen)\n            sigma = torch.sqrt(betas[t]) if t > 0 else torch.zeros(())\n            eps = modele(x, torch.full((n,), t))\n            x = (x - betas[t] / torch.sqrt(1.0 - alphas_bar[t]) * eps) / torch.sqrt(alphas[t]) + sigma * z\n    return x\n',
        why='z drawn at every step, t = 0 included, with sigma = 0 there',
    ),
    'blind-r16-correct-ce-eye-rows': Correct(
        grade_id='entropie_croisee',
        source='def entropie_croisee(logits, y):\n    C = logits.shape[1]\n    cible = torch.eye(C, dtype=logits.dtype)[y]\n    return -(cible * F.log_softmax(logits, dim=1)).sum() / logits.shape[0]\n',
        why='one-hot as rows of torch.eye(C), C from the logits, summed and divided by N',
    ),
    'blind-r16-correct-klmc-log-ratio-negative-kept': Correct(
        grade_id='kl_monte_carlo',
        source='def kl_monte_carlo(mu_q, var_q, mu_p, var_p, n, seed=0):\n    rng = np.random.default_rng(seed)\n    x = mu_q + np.sqrt(var_q) * rng.standard_normal(n)\n    f = 0.5 * np.log(var_p / var_q) - (x - mu_q) ** 2 / (2 * var_q) + (x - mu_p) ** 2 / (2 * var_p)\n    estimation = np.mean(f)\n    if estimation < 0:\n        print("estimation négative (bruit Monte Carlo), gardée telle quelle")\n    return float(estimation), float(np.std(f) / np.sqrt(n))\n',
        why='log-ratio with the constants cancelled, a negative estimate kept and printed',
    ),
    'blind-r16-correct-loss-mseloss-module': Correct(
        grade_id='perte_debruitage',
        source='def perte_debruitage(modele, x0, t, bruit, alphas_bar):\n    critere = nn.MSELoss()\n    x_t = q_echantillon(x0, t, bruit, alphas_bar)\n    return critere(modele(x_t, t), bruit)\n',
        why='nn.MSELoss module',
    ),
})
CORRECT_GROUPS["blind-r16-correct-1"] = (
    "blind-r16-correct-ce-one-hot-num-classes", "blind-r16-correct-klmc-torch-distributions",
    "blind-r16-correct-loss-per-sample-norm", "blind-r16-correct-sampler-decorator-reversed",
)
CORRECT_GROUPS["blind-r16-correct-2"] = (
    "blind-r16-correct-ce-eye-rows", "blind-r16-correct-klmc-log-ratio-negative-kept",
    "blind-r16-correct-loss-mseloss-module", "blind-r16-correct-sampler-z-every-step",
)


# Blind round 18 (answers written without reading the checks), graded at variants 0, 19, 20.
# The tester's sampler with one z for every step, byte for byte: at variant 19 its notebook's
# digest drew the Monte Carlo KL check a pair on which the REFERENCE kl_monte_carlo landed 4.04
# standard errors from the true KL (no state is shared: the hidden inputs derive from the
# student's code, so any edit redraws them). A draw outside the band is now confirmed on fresh
# seeds before it costs a point: graded alone, so that its digest is the tester's.
SCENARIOS["blind-r18-sampler-z-drawn-once"] = Scenario(
    grade_id="echantillonner",
    source='def echantillonner(modele, n, betas, seed=0):\n    """Processus arrière DDPM : n échantillons (tenseur (n, 2)) à partir de x_T ~ N(0, I)."""\n    # YOUR CODE HERE\n    gen = torch.Generator().manual_seed(seed)\n    alphas = 1.0 - betas\n    alphas_bar = torch.cumprod(alphas, dim=0)\n    x = torch.randn(n, 2, generator=gen)\n    z = torch.randn(n, 2, generator=gen)\n    with torch.no_grad():\n        for t in range(len(betas) - 1, -1, -1):\n            eps = modele(x, torch.full((n,), t))\n            x = (x - betas[t] / torch.sqrt(1.0 - alphas_bar[t]) * eps) / torch.sqrt(alphas[t])\n            if t > 0:\n                x = x + torch.sqrt(betas[t]) * z\n    return x\n',
    must_fail=("test_sampler_reverse_steps",),
    may_fail=("test_sampler_reaches_the_spiral",),
    message_contains=("NOUVEAU z",),
)
GROUPS["blind-r18-2"] = ("blind-r18-sampler-z-drawn-once",)


# Blind round 18, the rest. False passes: a closed-form KL that returns 0 for two equal variances
# (the grader's pairs never had one variance: the closed-form check now adds, at every variant,
# a pair of equal variances and different means and one of equal means; the public example too);
# a MLE that sets aside the points beyond 3 standard deviations (the grader's samples of 6 to 14
# points cannot have one: a sample of 20 to 40 points with a far point is added at every variant).
# False failure: q_echantillon in float32 cast back (2e-6 off at t = 0, where 1 − alpha_bar_t is
# beta_1): the tolerance now follows float32 rounding entry by entry, 100 times below an index
# clamped at t = 0. Mechanism, not luck: a loop with ONE t per batch (the statement draws a t per
# example) is seen in the steps the model is handed, at every variant (half of the check), and the
# uniformity tests count its batches, not its rows. Hints that check their premise: a
# "standard error" that is the 95 % half-width, alphas_bar multiplied cumulatively again, samples
# clamped into [-1, 1].

SCENARIOS.update({
    'blind-r18-kl-equal-variances-returns-0': Scenario(
        grade_id='kl_gaussiennes',
        source='def kl_gaussiennes(mu_q, var_q, mu_p, var_p):\n    """Forme close de D_KL(q || p) pour q = N(mu_q, var_q) et p = N(mu_p, var_p), en 1D."""\n    # YOUR CODE HERE\n    if var_q == var_p:\n        # mêmes variances : le log vaut 0 et le rapport vaut 1, donc la KL est nulle\n        return 0.0\n    return float(0.5 * (np.log(var_p / var_q) + (var_q + (mu_q - mu_p) ** 2) / var_p - 1.0))\n',
        must_fail=('test_kl_fixed_examples', 'test_kl_closed_form_within_monte_carlo_ci'),
        message_contains=('le terme des moyennes',),
    ),
    'blind-r18-mle-sets-outliers-aside': Scenario(
        grade_id='mle_gaussienne',
        source='def mle_gaussienne(x):\n    """Estimateurs du maximum de vraisemblance (mu, sigma2) d\'une gaussienne 1D.\n\n    x : np.ndarray de forme (N,). Renvoie un couple de flottants (mu, sigma2).\n    """\n    # YOUR CODE HERE\n    x = np.asarray(x, dtype=float)\n    # on enlève les valeurs aberrantes (à plus de 3 écarts types) pour une estimation plus robuste\n    m, s = x.mean(), x.std()\n    garde = x[np.abs(x - m) <= 3 * s]\n    mu = float(garde.mean())\n    sigma2 = float(np.mean((garde - mu) ** 2))\n    return mu, sigma2\n',
        must_fail=('test_mle_matches_closed_form',),
        message_contains=('vous écartez des valeurs « aberrantes »',),
    ),
    'blind-r18-klmc-returns-ci-half-width': Scenario(
        grade_id='kl_monte_carlo',
        source='def kl_monte_carlo(mu_q, var_q, mu_p, var_p, n, seed=0):\n    """Estimation Monte Carlo de D_KL(q || p) avec n échantillons de q.\n\n    Renvoie le couple de flottants (estimation, erreur_type).\n    """\n    # YOUR CODE HERE\n    rng = np.random.default_rng(seed)\n    x = rng.normal(mu_q, math.sqrt(var_q), size=n)\n\n    def log_densite(x, mu, var):\n        return -0.5 * np.log(2 * np.pi * var) - (x - mu) ** 2 / (2 * var)\n\n    f = log_densite(x, mu_q, var_q) - log_densite(x, mu_p, var_p)\n    # erreur à 95 %\n    erreur = 1.96 * f.std() / math.sqrt(n)\n    return float(f.mean()), float(erreur)\n',
        must_fail=('test_kl_monte_carlo_within_ci_of_truth',),
        message_contains=("la demi-largeur de l'intervalle de confiance",),
    ),
    'blind-r18-q-sample-cumprod-of-alphas-bar': Scenario(
        grade_id='q_echantillon',
        source='def q_echantillon(x0, t, bruit, alphas_bar):\n    """x_t = sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) bruit, un pas t par ligne."""\n    # YOUR CODE HERE\n    ab = torch.cumprod(alphas_bar, dim=0)  # produit cumulé jusqu\'à t\n    a = ab[t].unsqueeze(1)\n    return torch.sqrt(a) * x0 + torch.sqrt(1 - a) * bruit\n',
        must_fail=('test_q_sample_without_noise', 'test_q_sample_matches_reference', 'test_q_sample_matches_iterated_chain'),
        message_contains=('vous refaites le produit cumulé de alphas_bar',),
    ),
    'blind-r18-sampler-clamps-to-minus-1-1': Scenario(
        grade_id='echantillonner',
        source='def echantillonner(modele, n, betas, seed=0):\n    """Processus arrière DDPM : n échantillons (tenseur (n, 2)) à partir de x_T ~ N(0, I)."""\n    # YOUR CODE HERE\n    gen = torch.Generator().manual_seed(seed)\n    alphas = 1.0 - betas\n    alphas_bar = torch.cumprod(alphas, dim=0)\n    x = torch.randn(n, 2, generator=gen)\n    with torch.no_grad():\n        for t in range(len(betas) - 1, -1, -1):\n            eps = modele(x, torch.full((n,), t))\n            x = (x - betas[t] / torch.sqrt(1.0 - alphas_bar[t]) * eps) / torch.sqrt(alphas[t])\n            if t > 0:\n                x = x + torch.sqrt(betas[t]) * torch.randn(n, 2, generator=gen)\n    # comme pour les images, on ramène les échantillons dans [-1, 1]\n    return x.clamp(-1.0, 1.0)\n',
        must_fail=('test_sampler_reverse_steps', 'test_sampler_reaches_the_spiral'),
        message_contains=("vos échantillons s'accumulent sur une borne",),
    ),
    'blind-r18-train-one-t-per-batch': Scenario(
        grade_id='entrainer_debruiteur',
        source='def entrainer_debruiteur(donnees, alphas_bar, n_pas=2000, taille_lot=128, lr=3e-3, seed=0):\n    """Entraîne un Debruiteur sur les points `donnees` (tenseur (N, 2)) et le renvoie."""\n    # YOUR CODE HERE\n    torch.manual_seed(seed)\n    modele = Debruiteur()\n    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n    T_ = len(alphas_bar)\n    for _ in range(n_pas):\n        x0 = donnees[torch.randint(0, len(donnees), (taille_lot,))]\n        # un pas de temps tiré pour le lot\n        t = torch.randint(0, T_, (1,)).repeat(taille_lot)\n        bruit = torch.randn_like(x0)\n        perte = perte_debruitage(modele, x0, t, bruit, alphas_bar)\n        optimiseur.zero_grad()\n        perte.backward()\n        optimiseur.step()\n    return modele\n',
        must_fail=('test_denoiser_draws_uniform_steps',),
        may_fail=('test_denoiser_test_loss', 'test_denoiser_samples_look_like_the_spiral'),
        message_contains=('UN seul pas t',),
    ),
})
GROUPS["blind-r18-1"] = ('blind-r18-kl-equal-variances-returns-0', 'blind-r18-mle-sets-outliers-aside', 'blind-r18-klmc-returns-ci-half-width', 'blind-r18-q-sample-cumprod-of-alphas-bar', 'blind-r18-sampler-clamps-to-minus-1-1', 'blind-r18-train-one-t-per-batch',)
CORRECT.update({
    'blind-r18-correct-q-float32-cast-back': Correct(
        grade_id='q_echantillon',
        source='def q_echantillon(x0, t, bruit, alphas_bar):\n    """x_t = sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) bruit, un pas t par ligne."""\n    # YOUR CODE HERE\n    ab = alphas_bar.float().index_select(0, t.long()).view(-1, 1)\n    x_t = ab.sqrt() * x0.float() + (1 - ab).sqrt() * bruit.float()\n    return x_t.to(x0.dtype)\n',
        why='the closed form in float32, cast back to float64 (2e-6 off at t = 0)',
    ),
    'blind-r18-correct-kl-cross-entropy-minus-entropy': Correct(
        grade_id='kl_gaussiennes',
        source='def kl_gaussiennes(mu_q, var_q, mu_p, var_p):\n    """Forme close de D_KL(q || p) pour q = N(mu_q, var_q) et p = N(mu_p, var_p), en 1D."""\n    # YOUR CODE HERE\n    # KL(q||p) = H(q, p) - H(q)\n    entropie_croisee_qp = 0.5 * math.log(2 * math.pi * var_p) + (var_q + (mu_q - mu_p) ** 2) / (2 * var_p)\n    entropie_q = 0.5 * math.log(2 * math.pi * math.e * var_q)\n    return float(entropie_croisee_qp - entropie_q)\n',
        why='KL = H(q, p) − H(q), each with its log(2π)',
    ),
    'blind-r18-correct-klmc-python-random': Correct(
        grade_id='kl_monte_carlo',
        source='import random\n\n\ndef kl_monte_carlo(mu_q, var_q, mu_p, var_p, n, seed=0):\n    """Estimation Monte Carlo de D_KL(q || p) avec n échantillons de q.\n\n    Renvoie le couple de flottants (estimation, erreur_type).\n    """\n    # YOUR CODE HERE\n    gen = random.Random(seed)\n    sd_q = math.sqrt(var_q)\n    fs = []\n    for _ in range(n):\n        x = gen.gauss(mu_q, sd_q)\n        log_q = -0.5 * math.log(2 * math.pi * var_q) - (x - mu_q) ** 2 / (2 * var_q)\n        log_p = -0.5 * math.log(2 * math.pi * var_p) - (x - mu_p) ** 2 / (2 * var_p)\n        fs.append(log_q - log_p)\n    f = np.array(fs)\n    return float(f.mean()), float(f.std() / math.sqrt(n))\n',
        why='random.Random(seed).gauss in a Python loop',
    ),
    'blind-r18-correct-mle-torch-sums': Correct(
        grade_id='mle_gaussienne',
        source='def mle_gaussienne(x):\n    """Estimateurs du maximum de vraisemblance (mu, sigma2) d\'une gaussienne 1D.\n\n    x : np.ndarray de forme (N,). Renvoie un couple de flottants (mu, sigma2).\n    """\n    # YOUR CODE HERE\n    xt = torch.as_tensor(np.array(x), dtype=torch.float64)\n    n = xt.shape[0]\n    mu = xt.sum() / n\n    ecarts = xt - mu\n    sigma2 = (ecarts * ecarts).sum() / n\n    print("N =", n)\n    return mu.item(), sigma2.item()\n',
        why='torch sums divided by N, a print',
    ),
    'blind-r18-correct-sampler-inference-mode': Correct(
        grade_id='echantillonner',
        source='def echantillonner(modele, n, betas, seed=0):\n    """Processus arrière DDPM : n échantillons (tenseur (n, 2)) à partir de x_T ~ N(0, I)."""\n    # YOUR CODE HERE\n    gen = torch.Generator().manual_seed(seed)\n    alphas = 1.0 - betas\n    alphas_bar = torch.exp(torch.cumsum(torch.log(alphas), dim=0))\n    coef_x = 1.0 / torch.sqrt(alphas)\n    coef_eps = betas / torch.sqrt(1.0 - alphas_bar)\n    sigmas = torch.sqrt(betas)\n    modele.eval()\n    with torch.inference_mode():\n        x = torch.randn((n, 2), generator=gen, dtype=betas.dtype)\n        for t in reversed(range(len(betas))):\n            pas = torch.full((n,), t, dtype=torch.long)\n            x = coef_x[t] * (x - coef_eps[t] * modele(x, pas))\n            if t != 0:\n                x = x + sigmas[t] * torch.randn((n, 2), generator=gen, dtype=betas.dtype)\n    return x.clone()\n',
        why='coefficients up front, alpha_bar through exp(cumsum(log)), eval() and inference_mode',
    ),
    'blind-r18-correct-train-grad-clip-prints': Correct(
        grade_id='entrainer_debruiteur',
        source='def entrainer_debruiteur(donnees, alphas_bar, n_pas=2000, taille_lot=128, lr=3e-3, seed=0):\n    """Entraîne un Debruiteur sur les points `donnees` (tenseur (N, 2)) et le renvoie."""\n    # YOUR CODE HERE\n    torch.manual_seed(seed)\n    modele = Debruiteur()\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    nb_pas_temps = alphas_bar.shape[0]\n    N = donnees.shape[0]\n    historique = []\n    modele.train()\n    for pas in range(n_pas):\n        opt.zero_grad()\n        idx = torch.randint(N, (taille_lot,))\n        x0 = donnees[idx]\n        t = torch.randint(nb_pas_temps, (taille_lot,))\n        eps = torch.randn(taille_lot, 2, dtype=donnees.dtype)\n        perte = perte_debruitage(modele, x0, t, eps, alphas_bar)\n        perte.backward()\n        torch.nn.utils.clip_grad_norm_(modele.parameters(), max_norm=1.0)\n        opt.step()\n        historique.append(perte.item())\n        if (pas + 1) % 500 == 0:\n            print(f"pas {pas + 1} : perte moyenne {np.mean(historique[-500:]):.4f}")\n    return modele\n',
        why='gradient clipping, a loss history printed',
    ),
})
CORRECT_GROUPS["blind-r18-correct"] = ('blind-r18-correct-q-float32-cast-back', 'blind-r18-correct-kl-cross-entropy-minus-entropy', 'blind-r18-correct-klmc-python-random', 'blind-r18-correct-mle-torch-sums', 'blind-r18-correct-sampler-inference-mode', 'blind-r18-correct-train-grad-clip-prints',)
# Correct answers a student writes for the items this round touched: a special case handled
# right, float32 arithmetic, a confidence interval printed beside the standard error returned,
# samples never clipped, t per example drawn another way.
CORRECT.update({
    "blind-r18-correct-kl-equal-variances-branch": Correct(
        grade_id="kl_gaussiennes",
        source=(
            "def kl_gaussiennes(mu_q, var_q, mu_p, var_p):\n"
            "    if var_q == var_p:\n"
            "        # variances égales : il ne reste que le terme des moyennes\n"
            "        return (mu_q - mu_p) ** 2 / (2 * var_p)\n"
            "    return 0.5 * (math.log(var_p / var_q) + (var_q + (mu_q - mu_p) ** 2) / var_p - 1)\n"
        ),
        why="equal variances handled apart, with the means' term",
    ),
    "blind-r18-correct-mle-torch-float32": Correct(
        grade_id="mle_gaussienne",
        source=(
            "def mle_gaussienne(x):\n"
            "    xt = torch.tensor(np.asarray(x), dtype=torch.float32)\n"
            "    return xt.mean().item(), xt.var(unbiased=False).item()\n"
        ),
        why="torch in float32, var(unbiased=False)",
    ),
    "blind-r18-correct-klmc-prints-the-interval": Correct(
        grade_id="kl_monte_carlo",
        source=(
            "def kl_monte_carlo(mu_q, var_q, mu_p, var_p, n, seed=0):\n"
            "    rng = np.random.default_rng(seed)\n"
            "    x = rng.normal(mu_q, np.sqrt(var_q), n)\n"
            "    f = (np.log(np.sqrt(var_p / var_q)) - (x - mu_q) ** 2 / (2 * var_q)\n"
            "         + (x - mu_p) ** 2 / (2 * var_p))\n"
            "    erreur_type = f.std(ddof=1) / np.sqrt(n)\n"
            "    demi_largeur = 1.96 * erreur_type\n"
            "    if n >= 100_000:\n"
            "        print(f'IC à 95 % : {f.mean():.4f} ± {demi_largeur:.4f}')\n"
            "    return float(f.mean()), float(erreur_type)\n"
        ),
        why="the 95 % interval computed and printed, the standard error returned",
    ),
    "blind-r18-correct-q-numpy-float32": Correct(
        grade_id="q_echantillon",
        source=(
            "def q_echantillon(x0, t, bruit, alphas_bar):\n"
            "    ab = alphas_bar.numpy().astype(np.float32)[t.numpy()][:, None]\n"
            "    x_t = np.sqrt(ab) * x0.numpy().astype(np.float32) + np.sqrt(np.float32(1) - ab) * bruit.numpy().astype(np.float32)\n"
            "    return torch.from_numpy(x_t).to(x0.dtype)\n"
        ),
        why="NumPy float32 arithmetic, returned in the dtype of x0",
    ),
    "blind-r18-correct-sampler-normal-noise": Correct(
        grade_id="echantillonner",
        source=(
            "def echantillonner(modele, n, betas, seed=0):\n"
            "    g = torch.Generator().manual_seed(seed)\n"
            "    alphas = 1 - betas\n"
            "    ab = torch.cumprod(alphas, dim=0)\n"
            "    x = torch.normal(0.0, 1.0, size=(n, 2), generator=g)\n"
            "    with torch.no_grad():\n"
            "        for t in range(len(betas) - 1, -1, -1):\n"
            "            eps = modele(x, torch.full((n,), t))\n"
            "            x = (x - (1 - alphas[t]) / (1 - ab[t]).sqrt() * eps) / alphas[t].sqrt()\n"
            "            if t:\n"
            "                x = x + betas[t].sqrt() * torch.normal(0.0, 1.0, size=(n, 2), generator=g)\n"
            "    return x\n"
        ),
        why="torch.normal with the generator, 1 − alpha_t for beta_t, `if t:`",
    ),
    "blind-r18-correct-train-t-from-rand": Correct(
        grade_id="entrainer_debruiteur",
        source=(
            "def entrainer_debruiteur(donnees, alphas_bar, n_pas=2000, taille_lot=128, lr=3e-3, seed=0):\n"
            "    torch.manual_seed(seed)\n"
            "    modele = Debruiteur()\n"
            "    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n"
            "    T_ = alphas_bar.numel()\n"
            "    for _ in range(n_pas):\n"
            "        x0 = donnees[torch.randint(0, donnees.shape[0], (taille_lot,))]\n"
            "        t = (torch.rand(taille_lot) * T_).long().clamp(max=T_ - 1)  # un t par exemple\n"
            "        perte = perte_debruitage(modele, x0, t, torch.randn(taille_lot, 2), alphas_bar)\n"
            "        opt.zero_grad()\n"
            "        perte.backward()\n"
            "        opt.step()\n"
            "    return modele\n"
        ),
        why="one t per example from torch.rand scaled to T, noise from torch.randn(taille_lot, 2)",
    ),
})
CORRECT_GROUPS["blind-r18-correct-2"] = (
    "blind-r18-correct-kl-equal-variances-branch", "blind-r18-correct-mle-torch-float32",
    "blind-r18-correct-klmc-prints-the-interval", "blind-r18-correct-q-numpy-float32",
    "blind-r18-correct-sampler-normal-noise", "blind-r18-correct-train-t-from-rand",
)

# ------------------------------------------------------------ blind round 20
# kl_monte_carlo: n ignored behind a size written in that equals a round grader n (20 000 passed
# every check: "n ignored" was looked for only behind a wrong standard error; the grader's n is
# now drawn per variant, never shown, and n vs 4 n is compared at every grading). perte_debruitage:
# the model handed t / T (the hint now names what the grader's recording model got). The
# training loop: the LAW of the noise it feeds the loss (torch.rand_like lost 0.125 at seed 0).
SCENARIOS.update({
    "blind-r20-klmc-n-ignored-20000": Scenario(
        grade_id="kl_monte_carlo",
        source=(
            "def kl_monte_carlo(mu_q, var_q, mu_p, var_p, n, seed=0):\n"
            "    N_ECH = 20_000\n"
            "    rng = np.random.default_rng(seed)\n"
            "    x = rng.normal(mu_q, math.sqrt(var_q), size=N_ECH)\n"
            "    f = (-0.5 * np.log(2 * np.pi * var_q) - (x - mu_q) ** 2 / (2 * var_q)) \\\n"
            "        - (-0.5 * np.log(2 * np.pi * var_p) - (x - mu_p) ** 2 / (2 * var_p))\n"
            "    return float(f.mean()), float(f.std() / math.sqrt(N_ECH))\n"
        ),
        must_fail=("test_kl_monte_carlo_within_ci_of_truth",),
        message_contains=("kl_monte_carlo ignore l'argument n",),
    ),
    "blind-r20-klmc-closed-form-no-sample": Scenario(
        grade_id="kl_monte_carlo",
        source=(
            "def kl_monte_carlo(mu_q, var_q, mu_p, var_p, n, seed=0):\n"
            "    # la forme close est exacte : pas besoin d'échantillons\n"
            "    kl = 0.5 * (math.log(var_p / var_q) + (var_q + (mu_q - mu_p) ** 2) / var_p - 1)\n"
            "    return float(kl), 0.0\n"
        ),
        must_fail=("test_kl_monte_carlo_shapes", "test_kl_monte_carlo_within_ci_of_truth"),
        message_contains=("aucun échantillon n'est tiré",),
    ),
    "blind-r20-loss-model-gets-t-over-T": Scenario(
        grade_id="perte_debruitage",
        source=edit(solution_cell(__file__, "perte_debruitage"),
                    ("    return F.mse_loss(modele(x_t, t), bruit)\n",
                     "    t_norm = t / len(alphas_bar)\n"
                     "    return F.mse_loss(modele(x_t, t_norm), bruit)\n")),
        must_fail=("test_loss_matches_reference",),
        message_contains=("ramené dans [0, 1] (t / T ?)",),
    ),
    "blind-r20-train-uniform-noise": Scenario(
        grade_id="entrainer_debruiteur",
        source=edit(solution_cell(__file__, "entrainer_debruiteur"),
                    ("bruit = torch.randn_like(x0)", "bruit = torch.rand_like(x0)")),
        must_fail=("test_denoiser_draws_uniform_steps",),
        may_fail=("test_denoiser_test_loss", "test_denoiser_samples_look_like_the_spiral"),
        message_contains=("ne suit pas la loi normale centrée réduite", "torch.rand_like ?"),
    ),
    "blind-r20-train-noise-halved": Scenario(
        grade_id="entrainer_debruiteur",
        source=edit(solution_cell(__file__, "entrainer_debruiteur"),
                    ("bruit = torch.randn_like(x0)", "bruit = 0.5 * torch.randn_like(x0)  # un bruit plus doux")),
        must_fail=("test_denoiser_draws_uniform_steps",),
        may_fail=("test_denoiser_test_loss", "test_denoiser_samples_look_like_the_spiral"),
        message_contains=("il n'est pas de variance 1",),
    ),
    "blind-r20-train-centred-uniform-noise": Scenario(
        grade_id="entrainer_debruiteur",
        source=edit(solution_cell(__file__, "entrainer_debruiteur"),
                    ("bruit = torch.randn_like(x0)",
                     "bruit = math.sqrt(3.0) * (2 * torch.rand_like(x0) - 1)  # centré, variance 1")),
        must_fail=("test_denoiser_draws_uniform_steps",),
        may_fail=("test_denoiser_test_loss", "test_denoiser_samples_look_like_the_spiral"),
        message_contains=("sa forme n'est pas celle d'une gaussienne",),
    ),
})
GROUPS["blind-r20-a"] = ("blind-r20-klmc-n-ignored-20000", "blind-r20-loss-model-gets-t-over-T",
                         "blind-r20-train-uniform-noise")
GROUPS["blind-r20-b"] = ("blind-r20-klmc-closed-form-no-sample", "blind-r20-train-noise-halved")
GROUPS["blind-r20-c"] = ("blind-r20-train-centred-uniform-noise",)
CORRECT.update({
    "correct-r20-klmc-standard-normal-ddof1": Correct(
        grade_id="kl_monte_carlo",
        source=(
            "def kl_monte_carlo(mu_q, var_q, mu_p, var_p, n, seed=0):\n"
            "    rng = np.random.default_rng(seed)\n"
            "    z = rng.standard_normal(n)\n"
            "    x = mu_q + np.sqrt(var_q) * z\n"
            "    # log q(x) - log p(x) : les 2π se simplifient\n"
            "    f = 0.5 * np.log(var_p / var_q) - (x - mu_q) ** 2 / (2 * var_q) + (x - mu_p) ** 2 / (2 * var_p)\n"
            "    return float(f.mean()), float(f.std(ddof=1) / np.sqrt(n))\n"
        ),
        why="z ~ N(0, 1) then x = mu + sigma z, the log-ratio simplified by hand, ddof=1",
    ),
    "correct-r20-loss-float-t": Correct(
        grade_id="perte_debruitage",
        source=edit(solution_cell(__file__, "perte_debruitage"),
                    ("    return F.mse_loss(modele(x_t, t), bruit)\n",
                     "    return F.mse_loss(modele(x_t, t.to(x_t.dtype)), bruit)\n")),
        why="the same steps t handed to the model as floats: the same values",
    ),
    "correct-r20-train-normal-noise": Correct(
        grade_id="entrainer_debruiteur",
        source=edit(solution_cell(__file__, "entrainer_debruiteur"),
                    ("bruit = torch.randn_like(x0)",
                     "bruit = torch.normal(0.0, 1.0, size=(taille_lot, 2)).to(x0.dtype)")),
        why="the noise from torch.normal(0, 1) of the batch's shape",
    ),
})
CORRECT_GROUPS["correct-r20-a"] = ("correct-r20-klmc-standard-normal-ddof1", "correct-r20-loss-float-t",
                                   "correct-r20-train-normal-noise")
# The sampler: x_T drawn right, then sigma_t z added before the model and the mean (the hint
# named the draw of x_T; it now names the order, from the first input's variance 1 + beta_(T−1)).
SCENARIOS["blind-r20-sampler-noise-before-mean"] = Scenario(
    grade_id="echantillonner",
    source=edit(solution_cell(__file__, "echantillonner"),
                ("            eps = modele(x, torch.full((n,), t))\n"
                 "            x = (x - betas[t] / torch.sqrt(1.0 - alphas_bar[t]) * eps) / torch.sqrt(alphas[t])\n"
                 "            if t > 0:\n"
                 "                x = x + torch.sqrt(betas[t]) * torch.randn(n, 2, generator=gen)\n",
                 "            if t > 0:\n"
                 "                x = x + torch.sqrt(betas[t]) * torch.randn(n, 2, generator=gen)\n"
                 "            eps = modele(x, torch.full((n,), t))\n"
                 "            x = (x - betas[t] / torch.sqrt(1.0 - alphas_bar[t]) * eps) / torch.sqrt(alphas[t])\n")),
    must_fail=("test_sampler_reverse_steps",),
    may_fail=("test_sampler_reaches_the_spiral",),
    message_contains=("le bruit sigma_t z est ajouté AVANT la moyenne",),
)
GROUPS["blind-r20-b"] = (*GROUPS["blind-r20-b"], "blind-r20-sampler-noise-before-mean")

# ------------------------------------------------------------ blind round 22
# False pass: an Adam built again at every one of the n_pas steps (its moments reset: every
# step is Adam's first, lr · sign(g)) kept 20/20; the optimisers that step the model are now
# watched in the kernel (assert_one_optimiser). Misleading hints: a Monte Carlo standard error
# taken from the std of the SAMPLES x (named a confidence half-width, or samples not from q;
# it is now told apart by moving both laws by one affine map, and caught at every variant);
# a sampler whose generator is re-seeded inside the loop (the hint said "z drawn once, before
# the loop"; z is x_T's own draw there). Vague hints: |μq − μp| for its square, and one noise
# value per point copied to both coordinates (the noise's correlation is now measured).
SCENARIOS.update({
    "blind-r22-train-adam-in-loop": Scenario(
        grade_id="entrainer_debruiteur",
        source=edit(solution_cell(__file__, "entrainer_debruiteur"),
                    ("    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n", ""),
                    ("    for _ in range(n_pas):\n",
                     "    for _ in range(n_pas):\n"
                     "        optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n")),
        must_fail=("test_denoiser_new_model_and_its_loop_arguments",),
        may_fail=("test_denoiser_test_loss", "test_denoiser_samples_look_like_the_spiral"),
        message_contains=("optimiseurs successifs", "avant la boucle des n_pas pas"),
    ),
    "blind-r22-klmc-se-of-x": Scenario(
        grade_id="kl_monte_carlo",
        source=edit(solution_cell(__file__, "kl_monte_carlo"),
                    ("return float(f.mean()), float(f.std() / math.sqrt(n))",
                     "return float(f.mean()), float(x.std() / math.sqrt(n))")),
        must_fail=("test_kl_monte_carlo_within_ci_of_truth",),
        message_contains=("l'écart type des ÉCHANTILLONS x et non avec celui des f_i",),
    ),
    "blind-r22-sampler-generator-in-loop": Scenario(
        grade_id="echantillonner",
        source=edit(solution_cell(__file__, "echantillonner"),
                    ("            eps = modele(x, torch.full((n,), t))\n",
                     "            gen = torch.Generator().manual_seed(seed)\n"
                     "            eps = modele(x, torch.full((n,), t))\n")),
        must_fail=("test_sampler_reverse_steps",),
        may_fail=("test_sampler_reaches_the_spiral",),
        message_contains=("c'est le tirage de x_T lui-même", "créez le générateur UNE fois"),
    ),
    "blind-r22-kl-abs-mean-gap": Scenario(
        grade_id="kl_gaussiennes",
        source=edit(solution_cell(__file__, "kl_gaussiennes"),
                    ("(mu_q - mu_p) ** 2", "abs(mu_q - mu_p)")),
        must_fail=("test_kl_closed_form_within_monte_carlo_ci", "test_kl_is_asymmetric"),
        message_contains=("le CARRÉ de l'écart des moyennes",),
    ),
    "blind-r22-train-noise-one-column": Scenario(
        grade_id="entrainer_debruiteur",
        source=edit(solution_cell(__file__, "entrainer_debruiteur"),
                    ("bruit = torch.randn_like(x0)", "bruit = torch.randn(taille_lot, 1).expand(taille_lot, 2)")),
        must_fail=("test_denoiser_draws_uniform_steps",),
        may_fail=("test_denoiser_test_loss", "test_denoiser_samples_look_like_the_spiral"),
        message_contains=("le bruit doit être indépendant sur chaque coordonnée",),
    ),
})
GROUPS["blind-r22-a"] = ("blind-r22-train-adam-in-loop", "blind-r22-klmc-se-of-x",
                         "blind-r22-sampler-generator-in-loop", "blind-r22-kl-abs-mean-gap")
GROUPS["blind-r22-b"] = ("blind-r22-train-noise-one-column",)
CORRECT.update({
    "correct-r22-train-shuffled-epochs-helper": Correct(
        grade_id="entrainer_debruiteur",
        source=(
            "def entrainer_debruiteur(donnees, alphas_bar, n_pas=2000, taille_lot=128, lr=3e-3, seed=0):\n"
            "    torch.manual_seed(seed)\n"
            "    modele = Debruiteur()\n"
            "    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n"
            "    T_ = len(alphas_bar)\n"
            "    N = len(donnees)\n"
            "\n"
            "    def un_pas(x0):\n"
            "        t = torch.randint(0, T_, (x0.shape[0],))\n"
            "        eps = torch.randn(x0.shape[0], 2)\n"
            "        perte = perte_debruitage(modele, x0, t, eps, alphas_bar)\n"
            "        opt.zero_grad()\n"
            "        perte.backward()\n"
            "        opt.step()\n"
            "        return float(perte)\n"
            "\n"
            "    ordre = torch.randperm(N)\n"
            "    pos = 0\n"
            "    for _ in range(n_pas):\n"
            "        if pos + taille_lot > N:\n"
            "            ordre = torch.randperm(N)\n"
            "            pos = 0\n"
            "        idx = ordre[pos:pos + taille_lot]\n"
            "        pos += taille_lot\n"
            "        un_pas(donnees[idx])\n"
            "    return modele\n"
        ),
        why="shuffled epochs instead of independent draws, one Adam stepped by a helper",
    ),
    "correct-r22-klmc-torch-normal-ddof1": Correct(
        grade_id="kl_monte_carlo",
        source=(
            "def kl_monte_carlo(mu_q, var_q, mu_p, var_p, n, seed=0):\n"
            "    g = torch.Generator().manual_seed(seed)\n"
            "    q = torch.distributions.Normal(float(mu_q), math.sqrt(var_q))\n"
            "    p = torch.distributions.Normal(float(mu_p), math.sqrt(var_p))\n"
            "    x = float(mu_q) + math.sqrt(var_q) * torch.randn(n, generator=g, dtype=torch.float64)\n"
            "    f = q.log_prob(x) - p.log_prob(x)\n"
            "    return f.mean().item(), (f.std(unbiased=True) / math.sqrt(n)).item()\n"
        ),
        why="torch.Generator and Normal.log_prob, the std with Bessel's correction",
    ),
    "correct-r22-sampler-posterior-mean-masked-z": Correct(
        grade_id="echantillonner",
        source=(
            "def echantillonner(modele, n, betas, seed=0):\n"
            "    gen = torch.Generator().manual_seed(seed)\n"
            "    alphas = 1.0 - betas\n"
            "    alphas_bar = torch.cumprod(alphas, dim=0)\n"
            "    x = torch.randn(n, 2, generator=gen)\n"
            "    with torch.no_grad():\n"
            "        for t in reversed(range(len(betas))):\n"
            "            eps = modele(x, torch.full((n,), t))\n"
            "            x0_pred = (x - torch.sqrt(1.0 - alphas_bar[t]) * eps) / torch.sqrt(alphas_bar[t])\n"
            "            ab_prev = alphas_bar[t - 1] if t > 0 else torch.tensor(1.0)\n"
            "            c0 = torch.sqrt(ab_prev) * betas[t] / (1.0 - alphas_bar[t])\n"
            "            ct = torch.sqrt(alphas[t]) * (1.0 - ab_prev) / (1.0 - alphas_bar[t])\n"
            "            z = torch.randn(n, 2, generator=gen)\n"
            "            masque = 1.0 if t > 0 else 0.0\n"
            "            x = c0 * x0_pred + ct * x + masque * torch.sqrt(betas[t]) * z\n"
            "    return x\n"
        ),
        why="the mean through the predicted x0 and the posterior coefficients (equal), z masked at t = 0",
    ),
    "correct-r22-kl-standard-deviations": Correct(
        grade_id="kl_gaussiennes",
        source=(
            "def kl_gaussiennes(mu_q, var_q, mu_p, var_p):\n"
            "    sigma_q, sigma_p = math.sqrt(var_q), math.sqrt(var_p)\n"
            "    d = mu_q - mu_p\n"
            "    return math.log(sigma_p / sigma_q) + (sigma_q ** 2 + d * d) / (2 * sigma_p ** 2) - 0.5\n"
        ),
        why="written with standard deviations, (mu_q − mu_p) squared as d * d",
    ),
})
CORRECT_GROUPS["correct-r22-a"] = ("correct-r22-train-shuffled-epochs-helper", "correct-r22-klmc-torch-normal-ddof1",
                                   "correct-r22-sampler-posterior-mean-masked-z", "correct-r22-kl-standard-deviations")
