"""Realistic wrong answers for TP02, as data: each replaces one answer cell of the solution.

`must_fail` names the checks that must lose points (failed, or partial credit);
every other check of the same item must keep its points, so each scenario shows exactly
which check catches the mistake. `message_contains` are substrings that must appear in
the French message of at least one of those checks: the hint that names the fault.
`affects` is empty: the SGD loop is graded with the grader's `MLPDeuxCouches`, so a
mistake in the module costs points in its own item only. A scenario with an empty `must_fail` is an accepted
variant: it must keep every point of its item.
"""

from __future__ import annotations

from autograder.prove import Correct, Scenario, edit, solution_cell, solution_with_docs

SCENARIOS: dict[str, Scenario] = {
    # ------------------------------------------------------------ XOR and the perceptron
    "submission-xor-any-instead-of-all": Scenario(
        grade_id="xor_perceptron",
        source='''def separe_parfaitement(w, b, X, y):
    """np.any au lieu de np.all : True dès qu'un exemple est bien classé."""
    sorties = (X @ w + b > 0).astype(int)
    return bool(np.any(sorties == y))
''',
        must_fail=(
            "test_separe_parfaitement_course_examples",
            "test_separe_random_separable_data",
            "test_separe_convention_at_zero",
            "test_separe_xor_never_and_gates_sometimes",
        ),
        message_contains=("TOUS les exemples sont bien classés (np.all",),
    ),
    "submission-xor-perceptron-non-strict": Scenario(
        grade_id="xor_perceptron",
        source='''def separe_parfaitement(w, b, X, y):
    """Marche non stricte : w·x + b = 0 donne 1."""
    sorties = (X @ w + b >= 0).astype(int)
    return bool(np.all(sorties == y))
''',
        must_fail=("test_separe_convention_at_zero",),
        message_contains=("inégalité stricte",),
    ),
    # ------------------------------------------------------------ MLP for XOR
    "submission-xor-linear-model": Scenario(
        grade_id="xor_mlp",
        source=edit(solution_with_docs(__file__, 'xor_mlp', 'Deux couches Linear sans non-linéarité entre elles : le modèle reste affine.'),
            ('    modele = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))\n',
             '    modele = nn.Sequential(nn.Linear(2, 8), nn.Linear(8, 2))\n')),
        must_fail=("test_entrainer_xor_solves_xor_for_grader_seeds",),
        message_contains=("votre modèle est affine", "ajoutez une activation"),
    ),
    # ------------------------------------------------------------ MLPDeuxCouches
    "submission-mlp-module-without-biases": Scenario(
        grade_id="mlp_module",
        source='''class MLPDeuxCouches(nn.Module):
    """Couches sans biais (bias=False)."""

    def __init__(self, d_in, d_cache, d_out):
        super().__init__()
        self.fc1 = nn.Linear(d_in, d_cache, bias=False)
        self.fc2 = nn.Linear(d_cache, d_out, bias=False)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))
''',
        must_fail=("test_mlp_deux_couches_784_256_10", "test_mlp_module_param_count_random_widths"),
        message_contains=("obtenu 203264, attendu 203530", "c'est le compte sans les biais"),
    ),
    "submission-mlp-module-no-relu": Scenario(
        grade_id="mlp_module",
        source='''class MLPDeuxCouches(nn.Module):
    """forward oublie la non-linéarité : fc2(fc1(x))."""

    def __init__(self, d_in, d_cache, d_out):
        super().__init__()
        self.fc1 = nn.Linear(d_in, d_cache)
        self.fc2 = nn.Linear(d_cache, d_out)

    def forward(self, x):
        return self.fc2(self.fc1(x))
''',
        must_fail=("test_mlp_module_forward_matches_weights",),
        message_contains=("la ReLU manque",),
    ),
    # ------------------------------------------------------------ parameter counts
    "submission-count-without-biases": Scenario(
        grade_id="count_params",
        source=edit(solution_with_docs(__file__, 'count_params', 'Compte les poids mais oublie les biais.'),
            ('    return int(sum(n * h + h for n, h in zip(largeurs[:-1], largeurs[1:])))\n',
             '    return sum(n * h for n, h in zip(largeurs[:-1], largeurs[1:]))\n')),
        must_fail=(
            "test_nombre_parametres_course_examples",
            "test_nombre_parametres_matches_torch",
        ),
        message_contains=("c'est le compte sans les biais",),
    ),
    "submission-count-biases-on-input-side": Scenario(
        grade_id="count_params",
        source=edit(solution_with_docs(__file__, 'count_params', "Un biais par neurone d'ENTRÉE de chaque couche."),
            ('    return int(sum(n * h + h for n, h in zip(largeurs[:-1], largeurs[1:])))\n',
             '    return sum(n * h + n for n, h in zip(largeurs[:-1], largeurs[1:]))\n')),
        must_fail=(
            "test_nombre_parametres_course_examples",
            "test_nombre_parametres_matches_torch",
        ),
        message_contains=("un biais par neurone de SORTIE",),
    ),
    # ------------------------------------------------------------ Adam
    "submission-adam-no-bias-correction": Scenario(
        grade_id="adam",
        source='''def adam_step(params, grads, state, lr, t, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam sans la correction du biais."""
    if state is None:
        state = {"m": {k: np.zeros_like(p) for k, p in params.items()},
                 "v": {k: np.zeros_like(p) for k, p in params.items()}}
    nouveaux, m, v = {}, {}, {}
    for k, p in params.items():
        m[k] = beta1 * state["m"][k] + (1 - beta1) * grads[k]
        v[k] = beta2 * state["v"][k] + (1 - beta2) * grads[k] ** 2
        nouveaux[k] = p - lr * m[k] / (np.sqrt(v[k]) + eps)
    return nouveaux, {"m": m, "v": v}
''',
        must_fail=(
            "test_adam_first_step",
            "test_adam_matches_torch_step_by_step",
            "test_adam_tiny_gradients_either_epsilon",
        ),
        message_contains=("la correction du biais manque",),
    ),
    "submission-adam-state-not-carried": Scenario(
        grade_id="adam",
        source='''def adam_step(params, grads, state, lr, t, beta1=0.9, beta2=0.999, eps=1e-8):
    """Repart de m = v = 0 à chaque appel : l'état n'est jamais relu."""
    nouveaux = {}
    for k, p in params.items():
        m = (1 - beta1) * grads[k]
        v = (1 - beta2) * grads[k] ** 2
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        nouveaux[k] = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return nouveaux, None
''',
        must_fail=(
            "test_adam_matches_torch_step_by_step",
            "test_adam_tiny_gradients_either_epsilon",
        ),
        message_contains=("m et v repartent de zéro à chaque appel",),
    ),
    "submission-adam-eps-inside-sqrt-accepted": Scenario(
        grade_id="adam",
        source='''def adam_step(params, grads, state, lr, t, beta1=0.9, beta2=0.999, eps=1e-8):
    """La version du cours : ε sous la racine. Acceptée."""
    if state is None:
        state = {"m": {k: np.zeros_like(p) for k, p in params.items()},
                 "v": {k: np.zeros_like(p) for k, p in params.items()}}
    nouveaux, m, v = {}, {}, {}
    for k, p in params.items():
        m[k] = beta1 * state["m"][k] + (1 - beta1) * grads[k]
        v[k] = beta2 * state["v"][k] + (1 - beta2) * grads[k] ** 2
        m_hat = m[k] / (1 - beta1**t)
        v_hat = v[k] / (1 - beta2**t)
        nouveaux[k] = p - lr * m_hat / np.sqrt(v_hat + eps)
    return nouveaux, {"m": m, "v": v}
''',
        must_fail=(),
    ),
    # ------------------------------------------------------------ SGD loop
    "submission-sgd-no-zero-grad": Scenario(
        grade_id="sgd_digits",
        source=edit(solution_with_docs(__file__, 'sgd_digits', "Oublie optimiseur.zero_grad() : les gradients s'accumulent."),
            ('            optimiseur.zero_grad()\n',
             '')),
        # The loop's mechanics (check_fresh_gradients) and the training it spoils.
        must_fail=("test_entrainer_sgd_reaches_test_accuracy", "test_entrainer_sgd_batches_cover_the_epoch"),
        message_contains=("ils s'accumulent d'un lot à l'autre", "zero_grad()"),
    ),
    # ------------------------------------------------------------ learning curves
    "submission-diagnose-swaps-over-under": Scenario(
        grade_id="diagnose_curve",
        source='''def diagnostic_courbe(perte_train, perte_val):
    """Étiquettes de sous- et sur-apprentissage inversées."""
    perte_train = np.asarray(perte_train, dtype=float)
    perte_val = np.asarray(perte_val, dtype=float)
    if not (np.all(np.isfinite(perte_train)) and np.all(np.isfinite(perte_val))):
        return "divergence"
    if perte_train.max() > 2 * perte_train[0]:
        return "divergence"
    if perte_train[-1] > perte_train[0] / 2:
        return "sur-apprentissage"
    if perte_val[-1] > 1.1 * perte_val.min():
        return "sous-apprentissage"
    return "sain"
''',
        must_fail=(
            "test_diagnostic_simple_curves",
            "test_diagnostic_synthetic_curves",
            "test_diagnostic_reads_first_and_last_epochs",
        ),
        message_contains=("vous avez inversé sous- et sur-apprentissage",),
    ),
    "submission-diagnose-ignores-nan": Scenario(
        grade_id="diagnose_curve",
        source='''def diagnostic_courbe(perte_train, perte_val):
    """Ne teste pas inf/nan : toute comparaison avec nan vaut False."""
    perte_train = np.asarray(perte_train, dtype=float)
    perte_val = np.asarray(perte_val, dtype=float)
    if perte_train.max() > 2 * perte_train[0]:
        return "divergence"
    if perte_train[-1] > perte_train[0] / 2:
        return "sous-apprentissage"
    if perte_val[-1] > 1.1 * perte_val.min():
        return "sur-apprentissage"
    return "sain"
''',
        must_fail=("test_diagnostic_non_finite_curves",),
        message_contains=("testez np.isfinite d'abord",),
    ),
    "submission-diagnose-divergence-final-only": Scenario(
        grade_id="diagnose_curve",
        source=edit(solution_with_docs(__file__, 'diagnose_curve', "Ne regarde que la perte finale pour la divergence : rate l'explosion suivie d'une retombée."),
            ('    L0 = perte_train[0]\n    if perte_train.max() > 2 * L0:\n',
             '    if perte_train[-1] > 2 * perte_train[0]:\n'),
            ('    if perte_train[-1] > L0 / 2:\n',
             '    if perte_train[-1] > perte_train[0] / 2:\n')),
        must_fail=("test_diagnostic_synthetic_curves", "test_diagnostic_reads_first_and_last_epochs"),
        message_contains=("une perte qui explose puis retombe a divergé",),
    ),
    # ------------------------------------------------------------ PCA
    "submission-pca-not-centered": Scenario(
        grade_id="pca",
        source='''def projection_acp(H):
    """SVD de H sans la centrer."""
    _, _, Vt = np.linalg.svd(H, full_matrices=False)
    return H @ Vt[:2].T
''',
        must_fail=("test_projection_acp_small_example", "test_projection_acp_shifted_matrix"),
        message_contains=("vous n'avez pas centré H",),
    ),
    "submission-pca-eigh-smallest-components": Scenario(
        grade_id="pca",
        source='''def projection_acp(H):
    """Vecteurs propres de la covariance par np.linalg.eigh, pris dans l'ordre renvoyé (croissant)."""
    Hc = H - H.mean(axis=0)
    _, vecteurs = np.linalg.eigh(Hc.T @ Hc)
    return Hc @ vecteurs[:, :2]
''',
        must_fail=(
            "test_projection_acp_small_example",
            "test_projection_acp_centred_matrix",
            "test_projection_acp_shifted_matrix",
        ),
        message_contains=("ce sont les deux DERNIÈRES composantes",),
    ),
}

# Scenarios graded together in one notebook: within a group they replace different answer
# cells whose checks are independent (the grader computes every reference itself), so one
# grading run serves them all. The SGD scenario keeps a correct MLPDeuxCouches.
GROUPS: dict[str, tuple[str, ...]] = {
    "mistakes-1": (
        "submission-xor-any-instead-of-all",
        "submission-xor-linear-model",
        "submission-count-without-biases",
        "submission-adam-no-bias-correction",
        "submission-sgd-no-zero-grad",
        "submission-diagnose-swaps-over-under",
        "submission-pca-not-centered",
    ),
    "mistakes-2": (
        "submission-xor-perceptron-non-strict",
        "submission-mlp-module-without-biases",
        "submission-count-biases-on-input-side",
        "submission-adam-state-not-carried",
        "submission-diagnose-ignores-nan",
        "submission-pca-eigh-smallest-components",
    ),
    "mistakes-3": (
        "submission-mlp-module-no-relu",
        "submission-adam-eps-inside-sqrt-accepted",
        "submission-diagnose-divergence-final-only",
    ),
}

# ---------------------------------------------------------------- issue 12
# Kept every point while the checks never passed β1, β2, ε nor looked at the caller's arrays.
SCENARIOS.update({
    "submission-adam-hard-coded-betas": Scenario(
        grade_id="adam",
        source='''def adam_step(params, grads, state, lr, t, beta1=0.9, beta2=0.999, eps=1e-8):
    """Écrit 0.9, 0.999 et 1e-8 en dur au lieu d'utiliser les arguments."""
    if state is None:
        state = {"m": {k: np.zeros_like(p) for k, p in params.items()},
                 "v": {k: np.zeros_like(p) for k, p in params.items()}}
    nouveaux, m, v = {}, {}, {}
    for k in params:
        m[k] = 0.9 * state["m"][k] + 0.1 * grads[k]
        v[k] = 0.999 * state["v"][k] + 0.001 * grads[k] ** 2
        m_hat, v_hat = m[k] / (1 - 0.9**t), v[k] / (1 - 0.999**t)
        nouveaux[k] = params[k] - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
    return nouveaux, {"m": m, "v": v}
''',
        must_fail=("test_adam_uses_its_hyperparameters_and_copies",),
        message_contains=("utilisez les arguments",),
    ),
    "submission-sgd-no-zero-grad-unseeded": Scenario(
        grade_id="sgd_digits",
        source='''def entrainer_sgd(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):
    """Mélange avec torch.randperm sans générateur et sans seed : non reproductible, et
    oublie zero_grad."""
    X = torch.as_tensor(X_train, dtype=torch.float32)
    y = torch.as_tensor(y_train, dtype=torch.long)
    modele = MLPDeuxCouches(X.shape[1], hidden, 10)
    optimiseur = torch.optim.SGD(modele.parameters(), lr=lr)
    for _ in range(epochs):
        ordre = torch.randperm(len(X))
        for debut in range(0, len(X), batch_size):
            lot = ordre[debut : debut + batch_size]
            perte = nn.functional.cross_entropy(modele(X[lot]), y[lot])
            perte.backward()
            optimiseur.step()
    return modele
''',
        must_fail=("test_entrainer_sgd_reaches_test_accuracy", "test_entrainer_sgd_uses_seed_and_lr",
                   "test_entrainer_sgd_batches_cover_the_epoch"),
        # The fault as the loop's mechanics see it: the accuracy's hint, read from the .grad
        # left after training, misses it where the unseeded training collapsed (variant 12).
        message_contains=("s'ajoutent à ceux du lot précédent",),
    ),
    "submission-adam-updates-in-place": Scenario(
        grade_id="adam",
        source='''def adam_step(params, grads, state, lr, t, beta1=0.9, beta2=0.999, eps=1e-8):
    """Met à jour params sur place (params[k] -= ...) et le renvoie."""
    if state is None:
        state = {"m": {k: np.zeros_like(p) for k, p in params.items()},
                 "v": {k: np.zeros_like(p) for k, p in params.items()}}
    for k in params:
        state["m"][k] = beta1 * state["m"][k] + (1 - beta1) * grads[k]
        state["v"][k] = beta2 * state["v"][k] + (1 - beta2) * grads[k] ** 2
        m_hat = state["m"][k] / (1 - beta1**t)
        v_hat = state["v"][k] / (1 - beta2**t)
        params[k] -= lr * m_hat / (np.sqrt(v_hat) + eps)
    return params, state
''',
        must_fail=("test_adam_uses_its_hyperparameters_and_copies",),
        message_contains=("modifie sur place",),
    ),
})
GROUPS["issue12-a"] = ("submission-adam-hard-coded-betas", "submission-sgd-no-zero-grad-unseeded")
GROUPS["issue12-b"] = ("submission-adam-updates-in-place",)

# Alternative correct answers, written as students write them: each must keep full marks.
CORRECT: dict[str, Correct] = {
    "correct-separe-loop": Correct(
        grade_id="xor_perceptron",
        source='''def separe_parfaitement(w, b, X, y):
    for x_i, y_i in zip(X, y):
        sortie = 1 if float(np.dot(w, x_i)) + b > 0 else 0
        if sortie != int(y_i):
            return False
    return True
''',
        why="a loop with an early return",
    ),
    "correct-xor-relu-sgd-momentum": Correct(
        grade_id="xor_mlp",
        source='''def entrainer_xor(seed=0):
    torch.manual_seed(seed)
    modele = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
    opt = torch.optim.SGD(modele.parameters(), lr=0.5, momentum=0.9)
    for pas in range(500):
        perte = nn.functional.cross_entropy(modele(X_xor_t), y_xor_t)
        opt.zero_grad()
        perte.backward()
        opt.step()
    return modele
''',
        why="other valid hyper-parameters: SGD with momentum, 16 hidden units, 500 steps",
    ),
    "correct-mlp-module-relu-attribute": Correct(
        grade_id="mlp_module",
        source='''class MLPDeuxCouches(nn.Module):
    def __init__(self, d_in, d_cache, d_out):
        super().__init__()
        self.fc1 = nn.Linear(d_in, d_cache)
        self.activation = nn.ReLU()
        self.fc2 = nn.Linear(d_cache, d_out)

    def forward(self, x):
        return self.fc2(self.activation(self.fc1(x)))
''',
        why="an nn.ReLU module kept as an attribute (the names fc1, fc2 are the statement's)",
    ),
    "correct-count-params-loop": Correct(
        grade_id="count_params",
        source='''def nombre_parametres(largeurs):
    total = 0
    for i in range(len(largeurs) - 1):
        total += (largeurs[i] + 1) * largeurs[i + 1]
    return total
''',
        why="(n + 1) * h in a loop",
    ),
    "correct-adam-state-tuple": Correct(
        grade_id="adam",
        source='''def adam_step(params, grads, state, lr, t, beta1=0.9, beta2=0.999, eps=1e-8):
    if state is None:
        m = {k: np.zeros_like(np.asarray(v, dtype=np.float64)) for k, v in params.items()}
        v = {k: np.zeros_like(np.asarray(p, dtype=np.float64)) for k, p in params.items()}
    else:
        m, v = state
    m2 = {k: beta1 * m[k] + (1 - beta1) * grads[k] for k in params}
    v2 = {k: beta2 * v[k] + (1 - beta2) * np.square(grads[k]) for k in params}
    nouveaux = {
        k: params[k] - lr * (m2[k] / (1 - beta1**t)) / np.sqrt(v2[k] / (1 - beta2**t) + eps)
        for k in params
    }
    return nouveaux, (m2, v2)
''',
        why="the state as a tuple, eps inside the root (the course's version)",
    ),
    "correct-sgd-dataloader": Correct(
        grade_id="sgd_digits",
        source='''from torch.utils.data import DataLoader, TensorDataset


def entrainer_sgd(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):
    torch.manual_seed(seed)
    donnees = TensorDataset(torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train).long())
    modele = MLPDeuxCouches(donnees.tensors[0].shape[1], hidden, 10)
    opt = torch.optim.SGD(modele.parameters(), lr=lr)
    for epoque in range(epochs):
        for xb, yb in DataLoader(donnees, batch_size=batch_size, shuffle=True):
            opt.zero_grad()
            nn.functional.cross_entropy(modele(xb), yb).backward()
            opt.step()
    return modele
''',
        why="DataLoader with the global seed",
    ),
    "correct-pca-eigh": Correct(
        grade_id="pca",
        source='''def projection_acp(H):
    H = np.asarray(H, dtype=np.float64)
    Hc = H - H.mean(0)
    valeurs, vecteurs = np.linalg.eigh(np.cov(Hc, rowvar=False))
    ordre = np.argsort(valeurs)[::-1][:2]
    return Hc @ vecteurs[:, ordre]
''',
        why="eigen-decomposition of the covariance instead of the SVD (column signs may differ)",
    ),
}
CORRECT_FLOAT32 = {
    "correct-pca-float32": Correct(
        grade_id="pca",
        source='''def projection_acp(H):
    H = torch.as_tensor(H, dtype=torch.float32)
    Hc = H - H.mean(dim=0)
    _, _, V = torch.linalg.svd(Hc, full_matrices=False)
    return (Hc @ V[:2].T).numpy()
''',
        why="float32 torch SVD (relative errors ~1e-6 to 1e-5, which rtol 1e-6 used to refuse)",
    ),
}
CORRECT.update(CORRECT_FLOAT32)
CORRECT_GROUPS: dict[str, tuple[str, ...]] = {
    "correct-variants": tuple(n for n in CORRECT if n not in CORRECT_FLOAT32),
    "correct-float32": tuple(CORRECT_FLOAT32),
}

# ---------------------------------------------------------------- issue 12: mutation survivors
SCENARIOS.update({
    "submission-diagnose-divergence-above-L0": Scenario(
        grade_id="diagnose_curve",
        source=edit(solution_with_docs(__file__, 'diagnose_curve', "Divergence dès que la perte d'entraînement dépasse sa valeur initiale (au lieu de 2·L0)."),
            ('    L0 = perte_train[0]\n    if perte_train.max() > 2 * L0:\n',
             '    if perte_train.max() > perte_train[0]:\n'),
            ('    if perte_train[-1] > L0 / 2:\n',
             '    if perte_train[-1] > perte_train[0] / 2:\n')),
        must_fail=("test_diagnostic_synthetic_curves", "test_diagnostic_reads_first_and_last_epochs"),
        message_contains=("reste sous 2·L0",),
    ),
})
GROUPS["mutants-a"] = ("submission-diagnose-divergence-above-L0",)


# ---------------------------------------------------------------- issue 12: blind answers (fid-a)
# Written by a tester who had not read these checks: wrong answers that kept every point.
# Classes: rules the statement sets (torch.manual_seed(seed), a NEW model per call, arguments
# not modified in place, the rules applied in their order), an argument never varied (lr),
# a loop that never shuffles or shuffles once (the mechanism, not only the accuracy).
SCENARIOS.update({
    "blind-xor-no-manual-seed": Scenario(
        grade_id="xor_mlp",
        source='import torch\nfrom torch import nn\ndef entrainer_xor(seed=0):\n    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))\n    opt = torch.optim.Adam(model.parameters(), lr=0.05)\n    for _ in range(500):\n        opt.zero_grad()\n        nn.functional.cross_entropy(model(X_xor_t), y_xor_t).backward()\n        opt.step()\n    return model\n',
        must_fail=('test_entrainer_xor_new_model_per_seed',),
        message_contains=('torch.manual_seed(seed)',),
    ),
    "blind-sgd-ignores-lr": Scenario(
        grade_id="sgd_digits",
        source='import torch\nfrom torch import nn\ndef entrainer_sgd(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    X = torch.tensor(X_train, dtype=torch.float32); y = torch.tensor(y_train, dtype=torch.long)\n    torch.manual_seed(seed)\n    modele = MLPDeuxCouches(X.shape[1], hidden, 10)\n    opt = torch.optim.SGD(modele.parameters(), lr=0.1)\n    g = torch.Generator().manual_seed(seed)\n    for ep in range(epochs):\n        perm = torch.randperm(len(X), generator=g)\n        for i in range(0, len(X), batch_size):\n            idx = perm[i:i + batch_size]\n            opt.zero_grad()\n            nn.functional.cross_entropy(modele(X[idx]), y[idx]).backward()\n            opt.step()\n    return modele\n',
        must_fail=('test_entrainer_sgd_uses_seed_and_lr',),
        message_contains=("l'argument lr",),
    ),
    "blind-diag-rules-2-3-swapped": Scenario(
        grade_id="diagnose_curve",
        source='import numpy as np\ndef diagnostic_courbe(perte_train, perte_val):\n    tr = np.asarray(perte_train); va = np.asarray(perte_val)\n    if not (np.all(np.isfinite(tr)) and np.all(np.isfinite(va))) or np.max(tr) > 2 * tr[0]:\n        return "divergence"\n    if va[-1] > 1.1 * va.min():\n        return "sur-apprentissage"\n    if tr[-1] > tr[0] / 2:\n        return "sous-apprentissage"\n    return "sain"\n',
        must_fail=('test_diagnostic_synthetic_curves',),
        message_contains=("dans l'ordre du sujet",),
    ),
    "blind-pca-centres-in-place": Scenario(
        grade_id="pca",
        source='import numpy as np\ndef projection_acp(H):\n    H -= H.mean(axis=0)\n    U, S, Vt = np.linalg.svd(H, full_matrices=False)\n    return H @ Vt[:2].T\n',
        must_fail=('test_projection_acp_shifted_matrix',),
        message_contains=('modifie sur place',),
    ),
    "blind-xor-shared-global-model": Scenario(
        grade_id="xor_mlp",
        source='import torch\nfrom torch import nn\n_MODELE = None\ndef entrainer_xor(seed=0):\n    global _MODELE\n    if _MODELE is None:\n        torch.manual_seed(seed)\n        _MODELE = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))\n        opt = torch.optim.Adam(_MODELE.parameters(), lr=0.05)\n        for _ in range(500):\n            opt.zero_grad()\n            nn.functional.cross_entropy(_MODELE(X_xor_t), y_xor_t).backward()\n            opt.step()\n    return _MODELE\n',
        must_fail=('test_entrainer_xor_new_model_per_seed',),
        message_contains=('NOUVEAU modèle',),
    ),
    "blind-sgd-no-shuffle": Scenario(
        grade_id="sgd_digits",
        source='import torch\nfrom torch import nn\ndef entrainer_sgd(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    X = torch.tensor(X_train, dtype=torch.float32); y = torch.tensor(y_train, dtype=torch.long)\n    torch.manual_seed(seed)\n    modele = MLPDeuxCouches(X.shape[1], hidden, 10)\n    opt = torch.optim.SGD(modele.parameters(), lr=lr)\n    for ep in range(epochs):\n        for i in range(0, len(X), batch_size):\n            opt.zero_grad()\n            nn.functional.cross_entropy(modele(X[i:i + batch_size]), y[i:i + batch_size]).backward()\n            opt.step()\n    return modele\n',
        must_fail=('test_entrainer_sgd_batches_cover_the_epoch',),
        message_contains=('sans mélange',),
    ),
    "blind-sgd-shuffles-once": Scenario(
        grade_id="sgd_digits",
        source='import torch\nfrom torch import nn\ndef entrainer_sgd(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    X = torch.tensor(X_train, dtype=torch.float32); y = torch.tensor(y_train, dtype=torch.long)\n    torch.manual_seed(seed)\n    modele = MLPDeuxCouches(X.shape[1], hidden, 10)\n    opt = torch.optim.SGD(modele.parameters(), lr=lr)\n    g = torch.Generator().manual_seed(seed)\n    ordre = torch.randperm(len(X), generator=g)\n    for ep in range(epochs):\n        for i in range(0, len(X), batch_size):\n            idx = ordre[i:i + batch_size]\n            opt.zero_grad()\n            nn.functional.cross_entropy(modele(X[idx]), y[idx]).backward()\n            opt.step()\n    return modele\n',
        must_fail=('test_entrainer_sgd_batches_cover_the_epoch',),
        message_contains=('CHAQUE époque',),
    ),
})
GROUPS["blind-a"] = ('blind-xor-no-manual-seed', 'blind-sgd-ignores-lr', 'blind-diag-rules-2-3-swapped', 'blind-pca-centres-in-place')
GROUPS["blind-b"] = ('blind-xor-shared-global-model', 'blind-sgd-no-shuffle')
GROUPS["blind-c"] = ('blind-sgd-shuffles-once',)
_BLIND_CORRECT = {
    "correct-blind-separe-loop": Correct(
        grade_id="xor_perceptron",
        source='import numpy as np\ndef separe_parfaitement(w, b, X, y):\n    for xi, yi in zip(X, y):\n        s = float(np.dot(w, xi) + b)\n        pred = 1 if s > 0 else 0\n        if pred != int(yi):\n            return False\n    return True\n',
        why='explicit loop, early return',
    ),
    "correct-blind-xor-relu16": Correct(
        grade_id="xor_mlp",
        source='import torch\nfrom torch import nn\ndef entrainer_xor(seed=0):\n    torch.manual_seed(seed)\n    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))\n    opt = torch.optim.Adam(model.parameters(), lr=0.03)\n    for step in range(800):\n        opt.zero_grad()\n        loss = nn.functional.cross_entropy(model(X_xor_t), y_xor_t)\n        loss.backward()\n        opt.step()\n    print("loss finale", loss.item())\n    return model\n',
        why='16 ReLU hidden units, Adam lr 0.03, 800 steps, prints',
    ),
    "correct-blind-mlp-module-torch-relu": Correct(
        grade_id="mlp_module",
        source='import torch\nfrom torch import nn\nclass MLPDeuxCouches(nn.Module):\n    def __init__(self, d_in, d_cache, d_out):\n        super().__init__()\n        self.fc1 = nn.Linear(d_in, d_cache)\n        self.fc2 = nn.Linear(d_cache, d_out)\n    def forward(self, x):\n        h = torch.relu(self.fc1(x))\n        return self.fc2(h)\n',
        why='uses torch.relu and an nn.ReLU attribute not used',
    ),
    "correct-blind-count-index-loop": Correct(
        grade_id="count_params",
        source='def nombre_parametres(largeurs):\n    total = 0\n    for i in range(len(largeurs) - 1):\n        total += largeurs[i] * largeurs[i + 1] + largeurs[i + 1]\n    return int(total)\n',
        why='loop with indices',
    ),
    "correct-blind-adam-tuple-state": Correct(
        grade_id="adam",
        source='import numpy as np\ndef adam_step(params, grads, state, lr, t, beta1=0.9, beta2=0.999, eps=1e-8):\n    if state is None:\n        state = {k: (np.zeros_like(v, dtype=float), np.zeros_like(v, dtype=float)) for k, v in params.items()}\n    new_params, new_state = {}, {}\n    for k in params:\n        m, v = state[k]\n        g = grads[k]\n        m = beta1 * m + (1 - beta1) * g\n        v = beta2 * v + (1 - beta2) * g * g\n        mh = m / (1 - beta1 ** t)\n        vh = v / (1 - beta2 ** t)\n        new_params[k] = params[k] - lr * mh / (np.sqrt(vh) + eps)\n        new_state[k] = (m, v)\n    return new_params, new_state\n',
        why='PyTorch eps placement, state as dict of (m, v) tuples, float copies',
    ),
    "correct-blind-sgd-criterion-prints": Correct(
        grade_id="sgd_digits",
        source='import torch\nfrom torch import nn\ndef entrainer_sgd(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    X = torch.as_tensor(X_train, dtype=torch.float32)\n    y = torch.as_tensor(y_train, dtype=torch.long)\n    torch.manual_seed(seed)\n    modele = MLPDeuxCouches(X.shape[1], hidden, 10)\n    opt = torch.optim.SGD(modele.parameters(), lr=lr)\n    crit = nn.CrossEntropyLoss()\n    g = torch.Generator().manual_seed(seed)\n    N = X.shape[0]\n    for ep in range(epochs):\n        perm = torch.randperm(N, generator=g)\n        tot = 0.0\n        for i in range(0, N, batch_size):\n            idx = perm[i:i + batch_size]\n            opt.zero_grad()\n            loss = crit(modele(X[idx]), y[idx])\n            loss.backward()\n            opt.step()\n            tot += loss.item()\n        if ep % 10 == 0:\n            print(ep, tot)\n    return modele\n',
        why='as_tensor, explicit loss.item prints every 10 epochs, criterion object',
    ),
    "correct-blind-diag-any-loop": Correct(
        grade_id="diagnose_curve",
        source='import numpy as np\ndef diagnostic_courbe(perte_train, perte_val):\n    tr = np.asarray(perte_train, dtype=float)\n    va = np.asarray(perte_val, dtype=float)\n    L0 = tr[0]\n    if not (np.isfinite(tr).all() and np.isfinite(va).all()):\n        return "divergence"\n    if any(v > 2 * L0 for v in tr):\n        return "divergence"\n    if tr[-1] > L0 / 2:\n        return "sous-apprentissage"\n    if va[-1] > 1.1 * np.min(va):\n        return "sur-apprentissage"\n    return "sain"\n',
        why='python lists allowed, explicit any loop',
    ),
    "correct-blind-pca-u-times-s": Correct(
        grade_id="pca",
        source='import numpy as np\ndef projection_acp(H):\n    Hc = np.asarray(H, dtype=np.float64)\n    Hc = Hc - Hc.mean(axis=0, keepdims=True)\n    U, S, Vt = np.linalg.svd(Hc, full_matrices=False)\n    return U[:, :2] * S[:2]\n',
        why='U*S form, float32 input accepted',
    ),
}
CORRECT = {**globals().get('CORRECT', {}), **_BLIND_CORRECT}
CORRECT_GROUPS = {**globals().get("CORRECT_GROUPS", {}), "correct-blind": ('correct-blind-separe-loop', 'correct-blind-xor-relu16', 'correct-blind-mlp-module-torch-relu', 'correct-blind-count-index-loop', 'correct-blind-adam-tuple-state', 'correct-blind-sgd-criterion-prints', 'correct-blind-diag-any-loop', 'correct-blind-pca-u-times-s')}

# Mutants of the solution (`autograder prove --mutants`) that are still correct answers.
EQUIVALENT: dict[str, str] = {
    "pca:FalseWithTrue@5:47": "full_matrices=True only adds rows to Vt past the first min(N, h): Vt[:2] is the same",
    "xor_perceptron:SwapStatements@3:4": "X is given as an array: X @ w is the same before or after converting it",
    "sgd_digits:SwapStatements@14:12": "the loss computed before zero_grad(): zero_grad clears gradients, not the graph",
    "sgd_digits:DetachValue@4:8": "labels carry no gradient: detaching them changes nothing",
    "diagnose_curve:DropStatement@4:4": "perte_val is given as an array: isfinite, [-1] and .min() work on it as is",
    "diagnose_curve:Comparison_Gt_GtE@12:21": (
        "differs only when val[-1] is exactly 1.1 × min, where correct formulations (a ratio, a "
        "percentage) round either way: no fair check can draw it"
    ),
}
SCENARIOS["submission-sgd-batch-index-as-offset"] = Scenario(
    grade_id="sgd_digits",
    source=edit(solution_with_docs(__file__, 'sgd_digits', 'debut est déjà un décalage, mais il est multiplié par batch_size : lots de tailles folles.'),
            ('            lot = ordre[debut : debut + batch_size]\n',
             '            lot = ordre[debut : (debut + 1) * batch_size]\n')),
    must_fail=("test_entrainer_sgd_batches_cover_the_epoch",),
    message_contains=("au plus batch_size",),
)
GROUPS["mutants-a"] = (*GROUPS["mutants-a"], "submission-sgd-batch-index-as-offset")

# Mutation survivors of a sample (80 of 324, sample seed 0): the curves drawn on purpose by
# test_diagnostic_reads_first_and_last_epochs.
_DIAGNOSE = '''def diagnostic_courbe(perte_train, perte_val):
    """{doc}"""
    perte_train = np.asarray(perte_train, dtype=float)
    perte_val = np.asarray(perte_val, dtype=float)
    if not (np.all(np.isfinite(perte_train)) and np.all(np.isfinite(perte_val))):
        return "divergence"
    L0 = perte_train[{first}]
    if perte_train.max() {gt} {twice}:
        return "divergence"
    if perte_train[-1] > L0 / 2:
        return "sous-apprentissage"
    if perte_val[{last_val}] > 1.1 * perte_val.min():
        return "sur-apprentissage"
    return "sain"
'''
_DIAG = {"first": "0", "gt": ">", "twice": "2 * L0", "last_val": "-1"}
SCENARIOS.update({
    "submission-diagnose-L0-is-second-epoch": Scenario(
        grade_id="diagnose_curve",
        source=_DIAGNOSE.format(**{**_DIAG, "first": "1", "doc": "L0 lu à l'indice 1 (numérotation à partir de 1)."}),
        must_fail=("test_diagnostic_reads_first_and_last_epochs",),
        message_contains=("L0 est la perte d'entraînement INITIALE perte_train[0]",),
    ),
    "submission-diagnose-threshold-power-of-two": Scenario(
        grade_id="diagnose_curve",
        source=_DIAGNOSE.format(**{**_DIAG, "twice": "2 ** L0", "doc": "2 ** L0 au lieu de 2 * L0."}),
        must_fail=("test_diagnostic_reads_first_and_last_epochs",),
        message_contains=("un produit, pas une puissance",),
    ),
    "submission-diagnose-divergence-at-exactly-2L0": Scenario(
        grade_id="diagnose_curve",
        source=_DIAGNOSE.format(**{**_DIAG, "gt": ">=", "doc": "max >= 2·L0 : atteindre le seuil compte déjà."}),
        must_fail=("test_diagnostic_reads_first_and_last_epochs",),
        message_contains=("« dépasse » (>)",),
    ),
    "submission-diagnose-val-second-to-last": Scenario(
        grade_id="diagnose_curve",
        source=_DIAGNOSE.format(**{**_DIAG, "last_val": "-2", "doc": "Validation « finale » lue à l'avant-dernière époque."}),
        must_fail=("test_diagnostic_reads_first_and_last_epochs",),
        message_contains=("perte_val[-1], la dernière valeur",),
    ),
})
# Joined to groups that leave diagnose_curve untouched (one grading fewer each).
GROUPS["issue12-a"] = (*GROUPS["issue12-a"], "submission-diagnose-L0-is-second-epoch")
GROUPS["issue12-b"] = (*GROUPS["issue12-b"], "submission-diagnose-threshold-power-of-two")
GROUPS["mutants-b"] = ("submission-diagnose-divergence-at-exactly-2L0",)
GROUPS["mutants-c"] = ("submission-diagnose-val-second-to-last",)
CORRECT["correct-diagnose-ratios-python-lists"] = Correct(
    grade_id="diagnose_curve",
    source='''import math


def diagnostic_courbe(perte_train, perte_val):
    train = [float(v) for v in perte_train]
    val = [float(v) for v in perte_val]
    if any(not math.isfinite(v) for v in train + val):
        return "divergence"
    if max(train) / train[0] > 2:
        return "divergence"
    if train[-1] / train[0] > 0.5:
        return "sous-apprentissage"
    if val[-1] / min(val) > 1.1:
        return "sur-apprentissage"
    return "sain"
''',
    why="ratios to L0 and to the minimum on Python lists (max / L0 = 2 exactly at the bump to 2·L0)",
)
CORRECT_GROUPS["correct-variants"] = (*CORRECT_GROUPS["correct-variants"], "correct-diagnose-ratios-python-lists")
EQUIVALENT.update({
    "xor_mlp:NumberReplacer@1:23": "seed = 1 by default: the notebook always passes seed (entrainer_xor(seed=...))",
    "xor_mlp:NumberReplacer@6:19": "301 Adam steps instead of 300: another valid length",
    "sgd_digits:SwapStatements@13:12": "zero_grad() before slicing the batch indices: independent statements",
    "sgd_digits:DetachValue@3:8": "the inputs carry no gradient: detaching them changes nothing",
    "sgd_digits:DetachValue@13:18": "batch indices carry no gradient: detaching them changes nothing",
    "diagnose_curve:SwapStatements@3:4": "the two conversions to arrays are independent",
})

# Blind answer (issue 12, part 1): the statement asks for "tous les lots"; a loop over
# N // batch_size full batches drops the incomplete last one and still reaches the accuracy bar.
SCENARIOS["blind-sgd-drops-last-partial-batch"] = Scenario(
    grade_id="sgd_digits",
    source='import torch\nfrom torch import nn\ndef entrainer_sgd(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    X = torch.tensor(X_train, dtype=torch.float32); y = torch.tensor(y_train, dtype=torch.long)\n    torch.manual_seed(seed)\n    modele = MLPDeuxCouches(X.shape[1], hidden, 10)\n    opt = torch.optim.SGD(modele.parameters(), lr=lr)\n    g = torch.Generator().manual_seed(seed)\n    n_lots = len(X) // batch_size\n    for ep in range(epochs):\n        perm = torch.randperm(len(X), generator=g)\n        for b in range(n_lots):\n            idx = perm[b * batch_size:(b + 1) * batch_size]\n            opt.zero_grad()\n            nn.functional.cross_entropy(modele(X[idx]), y[idx]).backward()\n            opt.step()\n    return modele\n',
    must_fail=("test_entrainer_sgd_batches_cover_the_epoch",),
    message_contains=("le dernier lot, incomplet, est sauté",),
)
GROUPS["blind-partial-batch"] = ("blind-sgd-drops-last-partial-batch",)

# Blind answers, round 3 (a tester who had not read these checks): hidden ignored (64 written
# in the loop) kept every point; one epoch too few was told "le modèle n'est jamais appelé".
SCENARIOS.update({
    "blind-r3-sgd-hidden-ignored": Scenario(
        grade_id="sgd_digits",
        source='def entrainer_sgd(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    X = torch.as_tensor(X_train, dtype=torch.float32)\n    y = torch.as_tensor(y_train, dtype=torch.long)\n    torch.manual_seed(seed)\n    modele = MLPDeuxCouches(X.shape[1], 64, 10)\n    opt = torch.optim.SGD(modele.parameters(), lr=lr)\n    g = torch.Generator().manual_seed(seed)\n    N = len(X)\n    for _ in range(epochs):\n        ordre = torch.randperm(N, generator=g)\n        for d in range(0, N, batch_size):\n            b = ordre[d:d + batch_size]\n            opt.zero_grad()\n            nn.functional.cross_entropy(modele(X[b]), y[b]).backward()\n            opt.step()\n    return modele\n',
        must_fail=("test_entrainer_sgd_uses_seed_and_lr",),
        message_contains=("ignore l'argument hidden",),
    ),
    "blind-r3-sgd-epochs-off-by-one": Scenario(
        grade_id="sgd_digits",
        source='def entrainer_sgd(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    X = torch.as_tensor(X_train, dtype=torch.float32)\n    y = torch.as_tensor(y_train, dtype=torch.long)\n    torch.manual_seed(seed)\n    modele = MLPDeuxCouches(X.shape[1], hidden, 10)\n    opt = torch.optim.SGD(modele.parameters(), lr=lr)\n    g = torch.Generator().manual_seed(seed)\n    N = len(X)\n    for _ in range(epochs - 1):\n        ordre = torch.randperm(N, generator=g)\n        for d in range(0, N, batch_size):\n            b = ordre[d:d + batch_size]\n            opt.zero_grad()\n            nn.functional.cross_entropy(modele(X[b]), y[b]).backward()\n            opt.step()\n    return modele\n',
        must_fail=("test_entrainer_sgd_batches_cover_the_epoch",),
        message_contains=("une époque de moins que demandé",),
    ),
})
GROUPS["blind-r3-a"] = ("blind-r3-sgd-hidden-ignored",)
GROUPS["blind-r3-b"] = ("blind-r3-sgd-epochs-off-by-one",)
CORRECT.update({
    "blind-r3-correct-adam-tuples": Correct(grade_id='adam', source='def adam_step(params, grads, state, lr, t, beta1=0.9, beta2=0.999, eps=1e-8):\n    if state is None:\n        state = {k: (np.zeros_like(v, dtype=float), np.zeros_like(v, dtype=float)) for k, v in params.items()}\n    nouveaux, nouvel_etat = {}, {}\n    for k in params:\n        m, v = state[k]\n        g = np.asarray(grads[k], dtype=float)\n        m = beta1 * m + (1 - beta1) * g\n        v = beta2 * v + (1 - beta2) * g * g\n        m_hat = m / (1 - beta1 ** t)\n        v_hat = v / (1 - beta2 ** t)\n        nouveaux[k] = params[k] - lr * m_hat / (np.sqrt(v_hat) + eps)\n        nouvel_etat[k] = (m, v)\n    return nouveaux, nouvel_etat\n', why="state kept as tuples"),
    "blind-r3-correct-pca-sklearn-like": Correct(grade_id='pca', source='from sklearn.decomposition import PCA as _PCA\ndef projection_acp(H):\n    return _PCA(n_components=2, svd_solver="full").fit_transform(np.array(H, dtype=float, copy=True))\n', why="sklearn.decomposition.PCA on a copy"),
    "blind-r3-correct-xor-tanh16": Correct(grade_id='xor_mlp', source='def entrainer_xor(seed=0):\n    torch.manual_seed(seed)\n    modele = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))\n    opt = torch.optim.Adam(modele.parameters(), lr=0.05)\n    X = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float32)\n    y = torch.tensor([0, 1, 1, 0])\n    for pas in range(300):\n        opt.zero_grad()\n        perte = nn.functional.cross_entropy(modele(X), y)\n        perte.backward()\n        opt.step()\n    print(f"perte finale {perte.item():.4f}")\n    return modele\n', why="16 tanh hidden units"),
})
CORRECT_GROUPS["blind-r3-correct"] = ("blind-r3-correct-adam-tuples", "blind-r3-correct-pca-sklearn-like",
                                      "blind-r3-correct-xor-tanh16")

# Mutation sample of 60 (sample seed 11, variant 0): survivors that are still correct answers.
EQUIVALENT.update({
    "sgd_digits:SwapStatements@3:4": "the conversions of X_train and y_train to tensors are independent",
    "sgd_digits:SwapStatements@4:4": "N, D = X.shape reads X only: before or after converting y_train, the same",
    "sgd_digits:SwapStatements@5:4": "torch.manual_seed before or after N, D = X.shape: reading a shape draws nothing",
    "sgd_digits:DetachValue@11:16": "a permutation of indices carries no gradient: detaching it changes nothing",
    "pca:SwapStatements@3:4": "H is a NumPy array (the statement's): H - H.mean(axis=0) is the same before or after "
    "converting it to float",
    "xor_perceptron:DropStatement@3:4": "X is an array of shape (N, d) (the statement's): X @ w needs no conversion",
    "xor_mlp:SwapStatements@7:8": "the loss computed before zero_grad(): zero_grad clears gradients, not the graph",
    "adam:SwapStatements@12:8": "m_hat reads m[k] only: computed before or after v[k], the same value",
})
EQUIVALENT.update({
    "pca:DropStatement@3:4": "H is a NumPy array (the statement's): centring and the SVD need no conversion",
    "diagnose_curve:DropStatement@3:4": "perte_train is given as an array: isfinite, [0], [-1] and .max() work on it as is",
    "xor_mlp:NumberReplacer@6:19#1": "299 Adam steps instead of 300: another valid length",
})

# Mutation survivors of the same sample, second pass. A changed default of entrainer_sgd's
# signature (the statement's, which the notebook's own call uses) kept every point: the checks
# passed every argument (lr = 1.1 trains unstably, 0.52 to 0.97 test accuracy across seeds); a
# forward that cuts the graph before fc2 gave the right values while fc1 never learns.
SCENARIOS.update({
    "submission-sgd-default-lr-changed": Scenario(
        grade_id="sgd_digits",
        source=edit(solution_cell(__file__, "sgd_digits"), ("lr=0.1,", "lr=1.1,")),
        must_fail=("test_entrainer_sgd_returns_a_module",),
        message_contains=("gardez la signature donnée",),
    ),
    "submission-mlp-module-detaches-hidden": Scenario(
        grade_id="mlp_module",
        source=edit(solution_cell(__file__, "mlp_module"),
                    ("h = torch.relu(self.fc1(x))", "h = torch.relu(self.fc1(x)).detach()")),
        must_fail=("test_mlp_module_forward_matches_weights",),
        message_contains=("la rétropropagation n'atteint pas fc1",),
    ),
})
GROUPS["mutants-b"] = (*GROUPS["mutants-b"], "submission-sgd-default-lr-changed")
GROUPS["issue12-b"] = (*GROUPS["issue12-b"], "submission-mlp-module-detaches-hidden")

# The boundary of rule 2, as rule 1's (exactly 2·L0) already was: a final training loss of
# exactly L0/2 has been divided by two (the statement's words), so it is no underfitting.
SCENARIOS["submission-diagnose-underfit-at-exactly-half"] = Scenario(
    grade_id="diagnose_curve",
    source=edit(solution_cell(__file__, "diagnose_curve"), ("perte_train[-1] > L0 / 2", "perte_train[-1] >= L0 / 2")),
    must_fail=("test_diagnostic_reads_first_and_last_epochs",),
    message_contains=("vaut exactement L0/2",),
)
GROUPS["blind-c"] = (*GROUPS["blind-c"], "submission-diagnose-underfit-at-exactly-half")

# One policy in every TP: a default the notebook relies on (a call that leaves the argument
# out) is part of the answer, and a public check reads it; where every call passes the argument,
# another default is EQUIVALENT. entrainer_sgd's seed (entrainer_sgd(X_train, y_train)) was
# wrongly listed as equivalent; adam_step's betas had no check of their own.
SCENARIOS["submission-adam-default-beta2-changed"] = Scenario(
    grade_id="adam",
    source=edit(solution_cell(__file__, "adam"), ("beta2=0.999", "beta2=0.99")),
    must_fail=("test_adam_first_step",),
    may_fail=("test_adam_matches_torch_step_by_step", "test_adam_tiny_gradients_either_epsilon"),
    message_contains=("gardez la signature donnée",),
)
GROUPS["signature-defaults"] = ("submission-adam-default-beta2-changed",)


# Blind answers, round 6 (a tester who had not read these checks). False fails: a module reusing
# fc1/fc2 in an nn.Sequential, or aliasing them, lost 1.5 points (its state_dict counted twice).
# False passes: arguments modified in place (nombre_parametres, diagnostic_courbe), w·x on two
# inputs only (separable data had d = 2 at times), a softmax at the end of the XOR model, a
# hard-coded number of epochs, the last incomplete batch divided by batch_size. Hints whose
# premise is now checked: an ignored seed (not a global model), a 10 % relative margin, a
# divergence read at the end only, an input dimension of 64 written in.
SCENARIOS.update({
    'blind-r6-count-params-reverses-caller-list': Scenario(
        grade_id='count_params',
        source='def nombre_parametres(largeurs):\n    """Nombre de poids et de biais d\'un MLP dense de largeurs [h_0, h_1, ..., h_l]."""\n    largeurs.reverse()  # de la sortie vers l\'entrée\n    total = 0\n    for sortie, entree in zip(largeurs[:-1], largeurs[1:]):\n        total += entree * sortie + sortie\n    return total\n',
        must_fail=('test_nombre_parametres_matches_torch',),
        message_contains=('modifie sur place', 'largeurs.reverse()'),
    ),
    'blind-r6-diag-fills-nan-in-place': Scenario(
        grade_id='diagnose_curve',
        source='def diagnostic_courbe(perte_train, perte_val):\n    """Renvoie "divergence", "sous-apprentissage", "sur-apprentissage" ou "sain"."""\n    for courbe in (perte_train, perte_val):\n        courbe[np.isnan(courbe)] = np.inf\n    L0 = perte_train[0]\n    if np.max(perte_train) > 2 * L0 or np.isinf(perte_val).any():\n        return "divergence"\n    if perte_train[-1] > L0 / 2:\n        return "sous-apprentissage"\n    if perte_val[-1] > 1.1 * np.min(perte_val):\n        return "sur-apprentissage"\n    return "sain"\n',
        must_fail=('test_diagnostic_non_finite_curves',),
        message_contains=('modifie sur place', 'ne remplacez pas les nan/inf'),
    ),
    'blind-r6-separe-two-inputs-only': Scenario(
        grade_id='xor_perceptron',
        source='def separe_parfaitement(w, b, X, y):\n    """True si f(x) = 1[w·x + b > 0] vaut y pour TOUS les exemples (lignes de X), False sinon."""\n    scores = w[0] * X[:, 0] + w[1] * X[:, 1] + b\n    return bool(((scores > 0).astype(int) == y).all())\n',
        must_fail=('test_separe_random_separable_data',),
        may_fail=('test_separe_convention_at_zero',),
        message_contains=('TOUTES les coordonnées',),
    ),
    'blind-r6-xor-softmax-output': Scenario(
        grade_id='xor_mlp',
        source='def entrainer_xor(seed=0):\n    """Construit et entraîne un MLP (2 entrées → couche cachée → 2 logits) sur XOR ; renvoie le modèle."""\n    torch.manual_seed(seed)\n    modele = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2), nn.Softmax(dim=1))\n    opt = torch.optim.Adam(modele.parameters(), lr=0.05)\n    for _ in range(400):\n        opt.zero_grad()\n        probas = modele(X_xor_t)\n        perte = nn.functional.nll_loss(torch.log(probas + 1e-9), y_xor_t)\n        perte.backward()\n        opt.step()\n    return modele\n',
        must_fail=('test_entrainer_xor_returns_a_module',),
        message_contains=('il se termine par une softmax',),
    ),
    'blind-r6-sgd-epochs-ignored': Scenario(
        grade_id='sgd_digits',
        source='def entrainer_sgd(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    """Entraîne MLPDeuxCouches(D, hidden, 10) par SGD sur mini-lots mélangés ; renvoie le modèle."""\n    X = torch.tensor(X_train, dtype=torch.float32)\n    y = torch.tensor(y_train, dtype=torch.long)\n    N, D = X.shape\n    torch.manual_seed(seed)\n    modele = MLPDeuxCouches(D, hidden, 10)\n    opt = torch.optim.SGD(modele.parameters(), lr=lr)\n    g = torch.Generator().manual_seed(seed)\n    for _ in range(30):\n        ordre = torch.randperm(N, generator=g)\n        for debut in range(0, N, batch_size):\n            lot = ordre[debut:debut + batch_size]\n            opt.zero_grad()\n            nn.functional.cross_entropy(modele(X[lot]), y[lot]).backward()\n            opt.step()\n    return modele\n',
        must_fail=('test_entrainer_sgd_batches_cover_the_epoch', 'test_entrainer_sgd_uses_seed_and_lr'),
        message_contains=("l'argument epochs est ignoré",),
    ),
    'blind-r6-xor-seed-hard-coded': Scenario(
        grade_id='xor_mlp',
        source='def entrainer_xor(seed=0):\n    """Construit et entraîne un MLP (2 entrées → couche cachée → 2 logits) sur XOR ; renvoie le modèle."""\n    torch.manual_seed(0)\n    modele = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))\n    opt = torch.optim.Adam(modele.parameters(), lr=0.05)\n    for _ in range(300):\n        opt.zero_grad()\n        nn.functional.cross_entropy(modele(X_xor_t), y_xor_t).backward()\n        opt.step()\n    return modele\n',
        must_fail=('test_entrainer_xor_new_model_per_seed',),
        message_contains=("l'argument seed est ignoré",),
    ),
    'blind-r6-sgd-divides-by-batch-size': Scenario(
        grade_id='sgd_digits',
        source='def entrainer_sgd(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    """Entraîne MLPDeuxCouches(D, hidden, 10) par SGD sur mini-lots mélangés ; renvoie le modèle."""\n    X = torch.tensor(X_train, dtype=torch.float32)\n    y = torch.tensor(y_train, dtype=torch.long)\n    N, D = X.shape\n    torch.manual_seed(seed)\n    modele = MLPDeuxCouches(D, hidden, 10)\n    opt = torch.optim.SGD(modele.parameters(), lr=lr)\n    g = torch.Generator().manual_seed(seed)\n    for _ in range(epochs):\n        ordre = torch.randperm(N, generator=g)\n        for debut in range(0, N, batch_size):\n            lot = ordre[debut:debut + batch_size]\n            opt.zero_grad()\n            perte = nn.functional.cross_entropy(modele(X[lot]), y[lot], reduction="sum") / batch_size\n            perte.backward()\n            opt.step()\n    return modele\n',
        must_fail=('test_entrainer_sgd_batches_cover_the_epoch',),
        message_contains=('divisée par batch_size au lieu de la taille du lot',),
    ),
    'blind-r6-diag-absolute-margin': Scenario(
        grade_id='diagnose_curve',
        source='def diagnostic_courbe(perte_train, perte_val):\n    """Renvoie "divergence", "sous-apprentissage", "sur-apprentissage" ou "sain"."""\n    tr = np.asarray(perte_train, dtype=float)\n    va = np.asarray(perte_val, dtype=float)\n    L0 = tr[0]\n    if not np.isfinite(tr).all() or not np.isfinite(va).all() or (tr > 2 * L0).any():\n        return "divergence"\n    if tr[-1] > L0 / 2:\n        return "sous-apprentissage"\n    if va[-1] > va.min() + 0.1:\n        return "sur-apprentissage"\n    return "sain"\n',
        must_fail=('test_diagnostic_reads_first_and_last_epochs',),
        may_fail=('test_diagnostic_synthetic_curves',),
        message_contains=('RELATIVE au minimum',),
    ),
    'blind-r6-sgd-batch-size-and-epochs-ignored': Scenario(
        grade_id='sgd_digits',
        source='def entrainer_sgd(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    """Entraîne MLPDeuxCouches(D, hidden, 10) par SGD sur mini-lots mélangés ; renvoie le modèle."""\n    X = torch.tensor(X_train, dtype=torch.float32)\n    y = torch.tensor(y_train, dtype=torch.long)\n    N, D = X.shape\n    torch.manual_seed(seed)\n    modele = MLPDeuxCouches(D, hidden, 10)\n    opt = torch.optim.SGD(modele.parameters(), lr=lr)\n    g = torch.Generator().manual_seed(seed)\n    for _ in range(30):\n        ordre = torch.randperm(N, generator=g)\n        for debut in range(0, N, 32):\n            lot = ordre[debut:debut + 32]\n            opt.zero_grad()\n            nn.functional.cross_entropy(modele(X[lot]), y[lot]).backward()\n            opt.step()\n    return modele\n',
        must_fail=('test_entrainer_sgd_batches_cover_the_epoch', 'test_entrainer_sgd_uses_seed_and_lr'),
        message_contains=('au plus batch_size', "l'argument epochs est ignoré"),
    ),
    'blind-r6-diag-divergence-final-only': Scenario(
        grade_id='diagnose_curve',
        source='def diagnostic_courbe(perte_train, perte_val):\n    """Renvoie "divergence", "sous-apprentissage", "sur-apprentissage" ou "sain"."""\n    tr = np.asarray(perte_train, dtype=float)\n    va = np.asarray(perte_val, dtype=float)\n    L0 = tr[0]\n    if not np.isfinite(tr).all() or not np.isfinite(va).all() or tr[-1] > 2 * L0:\n        return "divergence"\n    if tr[-1] > L0 / 2:\n        return "sous-apprentissage"\n    if va[-1] > 1.1 * np.min(va):\n        return "sur-apprentissage"\n    return "sain"\n',
        must_fail=('test_diagnostic_synthetic_curves', 'test_diagnostic_reads_first_and_last_epochs'),
        message_contains=('le seuil 2·L0 est le bon',),
    ),
    'blind-r6-sgd-input-dim-hard-coded': Scenario(
        grade_id='sgd_digits',
        source='def entrainer_sgd(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    """Entraîne MLPDeuxCouches(D, hidden, 10) par SGD sur mini-lots mélangés ; renvoie le modèle."""\n    X = torch.tensor(X_train, dtype=torch.float32)\n    y = torch.tensor(y_train, dtype=torch.long)\n    N = len(X)\n    torch.manual_seed(seed)\n    modele = MLPDeuxCouches(64, hidden, 10)\n    opt = torch.optim.SGD(modele.parameters(), lr=lr)\n    g = torch.Generator().manual_seed(seed)\n    for _ in range(epochs):\n        ordre = torch.randperm(N, generator=g)\n        for debut in range(0, N, batch_size):\n            lot = ordre[debut:debut + batch_size]\n            opt.zero_grad()\n            nn.functional.cross_entropy(modele(X[lot]), y[lot]).backward()\n            opt.step()\n    return modele\n',
        must_fail=('test_entrainer_sgd_batches_cover_the_epoch', 'test_entrainer_sgd_uses_seed_and_lr'),
        message_contains=("la dimension d'entrée se lit sur X_train",),
    ),
})
GROUPS["blind-r6-a"] = ("blind-r6-count-params-reverses-caller-list", "blind-r6-diag-fills-nan-in-place",
                        "blind-r6-separe-two-inputs-only", "blind-r6-xor-softmax-output", "blind-r6-sgd-epochs-ignored")
GROUPS["blind-r6-b"] = ("blind-r6-xor-seed-hard-coded", "blind-r6-sgd-divides-by-batch-size", "blind-r6-diag-absolute-margin")
GROUPS["blind-r6-c"] = ("blind-r6-sgd-batch-size-and-epochs-ignored", "blind-r6-diag-divergence-final-only")
GROUPS["blind-r6-d"] = ("blind-r6-sgd-input-dim-hard-coded",)
CORRECT.update({
    'blind-r6-correct-module-sequential-shared': Correct(grade_id='mlp_module', source='class MLPDeuxCouches(nn.Module):\n    """MLP à deux couches du cours : d_in → d_cache (ReLU) → d_out, renvoie des logits."""\n\n    def __init__(self, d_in, d_cache, d_out):\n        super().__init__()\n        self.fc1 = nn.Linear(d_in, d_cache)\n        self.fc2 = nn.Linear(d_cache, d_out)\n        self.reseau = nn.Sequential(self.fc1, nn.ReLU(inplace=True), self.fc2)\n\n    def forward(self, x):\n        return self.reseau(x)\n', why='fc1/fc2 reused in an nn.Sequential: parameters() counts them once (203 530)'),
    'blind-r6-correct-module-alias-names': Correct(grade_id='mlp_module', source='class MLPDeuxCouches(nn.Module):\n    """MLP à deux couches du cours : d_in → d_cache (ReLU) → d_out, renvoie des logits."""\n\n    def __init__(self, d_in, d_cache, d_out):\n        super().__init__()\n        self.fc1 = nn.Linear(d_in, d_cache)\n        self.fc2 = nn.Linear(d_cache, d_out)\n        self.couche_cachee = self.fc1\n        self.couche_sortie = self.fc2\n\n    def forward(self, x):\n        return self.couche_sortie(torch.relu(self.couche_cachee(x)))\n', why='aliases self.couche_cachee = self.fc1: the same 4 tensors'),
    'blind-r6-correct-adam-paper-efficient': Correct(grade_id='adam', source='def adam_step(params, grads, state, lr, t, beta1=0.9, beta2=0.999, eps=1e-8):\n    """Un pas d\'Adam sur des dictionnaires de tableaux ; renvoie (nouveaux_params, nouvel_etat)."""\n    if state is None:\n        state = {"m": {}, "v": {}}\n    lr_t = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)\n    eps_hat = eps * np.sqrt(1 - beta2 ** t)\n    nouveaux, m_new, v_new = {}, {}, {}\n    for k, p in params.items():\n        g = np.asarray(grads[k], dtype=float)\n        m_prev = state["m"].get(k, np.zeros_like(g))\n        v_prev = state["v"].get(k, np.zeros_like(g))\n        m_new[k] = beta1 * m_prev + (1 - beta1) * g\n        v_new[k] = beta2 * v_prev + (1 - beta2) * g * g\n        nouveaux[k] = p - lr_t * m_new[k] / (np.sqrt(v_new[k]) + eps_hat)\n    return nouveaux, {"m": m_new, "v": v_new}\n', why="the paper's lr_t / eps_hat ordering"),
    'blind-r6-correct-count-params-torch': Correct(grade_id='count_params', source='def nombre_parametres(largeurs):\n    """Nombre de poids et de biais d\'un MLP dense de largeurs [h_0, h_1, ..., h_l]."""\n    l = [int(h) for h in largeurs]\n    total = 0\n    for n, h in zip(l[:-1], l[1:]):\n        total += sum(p.numel() for p in nn.Linear(n, h, device="meta").parameters())\n    return int(total)\n', why='counts a built nn.Sequential'),
    'blind-r6-correct-diag-plain-python': Correct(grade_id='diagnose_curve', source='import math\n\n\ndef diagnostic_courbe(perte_train, perte_val):\n    """Renvoie "divergence", "sous-apprentissage", "sur-apprentissage" ou "sain"."""\n    train = [float(v) for v in perte_train]\n    val = [float(v) for v in perte_val]\n    L0 = train[0]\n    for v in train + val:\n        if not math.isfinite(v):\n            return "divergence"\n    for v in train:\n        if v > 2 * L0:\n            return "divergence"\n    if train[-1] > L0 / 2:\n        return "sous-apprentissage"\n    if val[-1] > 1.1 * min(val):\n        return "sur-apprentissage"\n    return "sain"\n', why='math.isfinite and loops, arguments read only'),
    'blind-r6-correct-pca-torch-signflip': Correct(grade_id='pca', source='def projection_acp(H):\n    """Projection des lignes de H (forme (N, h)) sur les 2 premières composantes principales : (N, 2)."""\n    Ht = torch.as_tensor(np.array(H, dtype=np.float64))\n    Hc = Ht - Ht.mean(dim=0, keepdim=True)\n    _, _, Vh = torch.linalg.svd(Hc, full_matrices=False)\n    V2 = Vh[:2].T.clone()\n    signes = torch.sign(V2[V2.abs().argmax(dim=0), torch.arange(2)])\n    V2 = V2 * signes\n    return (Hc @ V2).numpy()\n', why='torch.linalg.svd, signs fixed'),
    'blind-r6-correct-separe-array-equal': Correct(grade_id='xor_perceptron', source='def separe_parfaitement(w, b, X, y):\n    """True si f(x) = 1[w·x + b > 0] vaut y pour TOUS les exemples (lignes de X), False sinon."""\n    X = np.asarray(X, dtype=float)\n    scores = X.dot(np.asarray(w, dtype=float)) + float(b)\n    sorties = np.where(scores > 0, 1, 0)\n    return bool(np.array_equal(sorties, np.asarray(y).astype(int)))\n', why='np.array_equal on converted inputs'),
    'blind-r6-correct-sgd-split': Correct(grade_id='sgd_digits', source='def entrainer_sgd(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    """Entraîne MLPDeuxCouches(D, hidden, 10) par SGD sur mini-lots mélangés ; renvoie le modèle."""\n    X = torch.from_numpy(np.ascontiguousarray(X_train)).float()\n    y = torch.from_numpy(np.asarray(y_train)).long()\n    N, D = X.shape\n    torch.manual_seed(seed)\n    modele = MLPDeuxCouches(D, hidden, 10)\n    optimiseur = torch.optim.SGD(modele.parameters(), lr=lr)\n    critere = nn.CrossEntropyLoss()\n    g = torch.Generator().manual_seed(seed)\n    modele.train()\n    for epoque in range(epochs):\n        for lot in torch.split(torch.randperm(N, generator=g), batch_size):\n            optimiseur.zero_grad()\n            perte = critere(modele(X[lot]), y[lot])\n            perte.backward()\n            optimiseur.step()\n    return modele\n', why='torch.split of the permutation, criterion object'),
    'blind-r6-correct-xor-sgd-momentum': Correct(grade_id='xor_mlp', source='class _PetitMLP(nn.Module):\n    def __init__(self, h=12):\n        super().__init__()\n        self.cachee = nn.Linear(2, h)\n        self.sortie = nn.Linear(h, 2)\n\n    def forward(self, x):\n        return self.sortie(torch.tanh(self.cachee(x)))\n\n\ndef entrainer_xor(seed=0):\n    """Construit et entraîne un MLP (2 entrées → couche cachée → 2 logits) sur XOR ; renvoie le modèle."""\n    torch.manual_seed(seed)\n    modele = _PetitMLP()\n    opt = torch.optim.SGD(modele.parameters(), lr=0.2, momentum=0.9)\n    for pas in range(600):\n        opt.zero_grad()\n        perte = nn.functional.cross_entropy(modele(X_xor_t), y_xor_t)\n        perte.backward()\n        opt.step()\n    print(f"perte finale (graine {seed}) : {perte.item():.4f}")\n    return modele\n', why='custom module, SGD with momentum: logits, not probabilities'),
})
CORRECT_GROUPS["blind-r6-correct"] = tuple(n for n in CORRECT if n.startswith("blind-r6-correct-")
                                           and n != "blind-r6-correct-module-alias-names")
CORRECT_GROUPS["blind-r6-correct-alias"] = ("blind-r6-correct-module-alias-names",)

# ---------------------------------------------------------------- wrong answers kept or blamed wrongly (fixed by class)
# Inputs converted to integers (real-valued X and w, scaled down, in every draw); np.isnan in
# place of np.isfinite (inf alone in the validation curve); rule 1 read on the validation loss
# (its own hint); a float count; one model kept and trained further across calls; a loop that
# trains on the notebook's globals or rescales its inputs (the grader's pixels in another order,
# the rows the model receives); a summed loss (told apart from missing zero_grad).
SCENARIOS.update({
    "submission-xor-perceptron-casts-inputs-to-int": Scenario(
        grade_id="xor_perceptron",
        source=edit(solution_with_docs(__file__, 'xor_perceptron', 'Convertit X en entiers avant le produit scalaire.'),
            ('    X = np.asarray(X, dtype=float)\n', '    X = np.asarray(X).astype(int)\n')),
        must_fail=("test_separe_random_separable_data",),
        message_contains=("ne les convertissez pas en entiers",),
    ),
    "submission-diagnose-isnan-misses-inf": Scenario(
        grade_id="diagnose_curve",
        source=edit(solution_with_docs(__file__, 'diagnose_curve', 'Teste np.isnan au lieu de np.isfinite : inf passe.'),
            ('    if not (np.all(np.isfinite(perte_train)) and np.all(np.isfinite(perte_val))):\n',
             '    if np.isnan(perte_train).any() or np.isnan(perte_val).any():\n')),
        must_fail=("test_diagnostic_non_finite_curves",),
        message_contains=("perte_val contient inf", "np.isnan ne voit pas inf"),
    ),
    "submission-diagnose-rule1-reads-validation-loss": Scenario(
        grade_id="diagnose_curve",
        source=edit(solution_with_docs(__file__, 'diagnose_curve', 'La règle 1 compare aussi la perte de validation à 2·L0.'),
            ('    if perte_train.max() > 2 * L0:\n',
             '    if perte_train.max() > 2 * L0 or perte_val.max() > 2 * L0:\n')),
        must_fail=("test_diagnostic_reads_first_and_last_epochs", "test_diagnostic_synthetic_curves"),
        message_contains=("ne compare à 2·L0 que la perte d'ENTRAÎNEMENT",),
    ),
    "submission-count-params-returns-float": Scenario(
        grade_id="count_params",
        source=edit(solution_with_docs(__file__, 'count_params', 'Calcule en flottants : renvoie un np.float64.'),
            ('    return int(sum(n * h + h for n, h in zip(largeurs[:-1], largeurs[1:])))\n',
             '    h = np.array(largeurs, dtype=float)\n    return np.sum(h[:-1] * h[1:] + h[1:])\n')),
        must_fail=("test_nombre_parametres_matches_torch",),
        message_contains=("renvoie un flottant",),
    ),
    "submission-xor-mlp-keeps-training-one-model": Scenario(
        grade_id="xor_mlp",
        source="_CACHE_XOR = {}\n\n\n" + edit(
            solution_with_docs(__file__, 'xor_mlp', 'Un seul modèle, construit au premier appel puis entraîné encore à chaque appel.'),
            ('    torch.manual_seed(seed)\n'
             '    modele = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))\n'
             '    optimiseur = torch.optim.Adam(modele.parameters(), lr=0.05)\n',
             '    if "modele" not in _CACHE_XOR:\n'
             '        torch.manual_seed(seed)\n'
             '        _CACHE_XOR["modele"] = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))\n'
             '        _CACHE_XOR["opt"] = torch.optim.Adam(_CACHE_XOR["modele"].parameters(), lr=0.05)\n'
             '    modele, optimiseur = _CACHE_XOR["modele"], _CACHE_XOR["opt"]\n')),
        must_fail=("test_entrainer_xor_new_model_per_seed",),
        message_contains=("renvoient le même objet modèle",),
    ),
    "submission-sgd-trains-on-notebook-globals": Scenario(
        grade_id="sgd_digits",
        source=edit(solution_with_docs(__file__, 'sgd_digits', 'Entraîne sur les variables globales X_digits, y_digits au lieu des arguments.'),
            ('    X = torch.as_tensor(X_train, dtype=torch.float32)\n    y = torch.as_tensor(y_train, dtype=torch.long)\n',
             '    X = torch.as_tensor(X_digits, dtype=torch.float32)\n    y = torch.as_tensor(y_digits, dtype=torch.long)\n')),
        must_fail=("test_entrainer_sgd_reaches_test_accuracy", "test_entrainer_sgd_batches_cover_the_epoch"),
        message_contains=("pas sur des variables du notebook (X_digits",),
    ),
    "submission-sgd-normalises-inputs-again": Scenario(
        grade_id="sgd_digits",
        source=edit(solution_with_docs(__file__, 'sgd_digits', 'Divise encore X_train par 16 alors qu\'il est déjà dans [0, 1].'),
            ('    X = torch.as_tensor(X_train, dtype=torch.float32)\n',
             '    X = torch.as_tensor(X_train / 16.0, dtype=torch.float32)\n')),
        must_fail=("test_entrainer_sgd_reaches_test_accuracy", "test_entrainer_sgd_batches_cover_the_epoch"),
        message_contains=("multipliés par une constante", "sans le normaliser à nouveau"),
    ),
    "submission-sgd-summed-loss": Scenario(
        grade_id="sgd_digits",
        source=edit(solution_with_docs(__file__, 'sgd_digits', 'Perte sommée sur le lot (reduction="sum") au lieu de la moyenne.'),
            ('            perte = nn.functional.cross_entropy(modele(X[lot]), y[lot])\n',
             '            perte = nn.functional.cross_entropy(modele(X[lot]), y[lot], reduction="sum")\n')),
        must_fail=("test_entrainer_sgd_reaches_test_accuracy", "test_entrainer_sgd_batches_cover_the_epoch"),
        # A summed loss makes the steps so large that two epoch counts can end alike (grader
        # variant 13): the epochs check stays silent, as two epochs ran twice the batches.
        message_contains=("la perte est sommée sur le lot",),
    ),
})
GROUPS["class-fixes-a"] = ("submission-xor-perceptron-casts-inputs-to-int", "submission-diagnose-isnan-misses-inf",
                           "submission-count-params-returns-float", "submission-xor-mlp-keeps-training-one-model",
                           "submission-sgd-trains-on-notebook-globals")
GROUPS["class-fixes-b"] = ("submission-diagnose-rule1-reads-validation-loss", "submission-sgd-normalises-inputs-again")
GROUPS["class-fixes-c"] = ("submission-sgd-summed-loss",)
CORRECT.update({
    "correct-separe-float32": Correct(
        grade_id="xor_perceptron",
        source='def separe_parfaitement(w, b, X, y):\n    X32 = np.asarray(X, dtype=np.float32)\n    w32 = np.asarray(w, dtype=np.float32)\n    sorties = (np.einsum("nd,d->n", X32, w32) + np.float32(b) > 0).astype(int)\n    return bool(np.array_equal(sorties, np.asarray(y)))\n',
        why="float32 and einsum: small real-valued entries are kept as they are",
    ),
    "correct-count-params-numpy-int64": Correct(
        grade_id="count_params",
        source='def nombre_parametres(largeurs):\n    h = np.asarray(largeurs, dtype=np.int64)\n    return np.sum(h[:-1] * h[1:] + h[1:])\n',
        why="a NumPy integer (np.int64) is an integer",
    ),
})
CORRECT_GROUPS["correct-class-fixes"] = ("correct-separe-float32", "correct-count-params-numpy-int64")


# Blind answers, round 10. False passes: rule 3 read as "the last value rises" or "the minimum
# is not last", L0 taken from the validation curve, rule 2 on the training minimum, a validation
# loss that doubles read as divergence, perte_val.sort() in place, int32 counts on the notebook's
# 512×512 example, gradients paired with parameters by position. Hints that now name the
# fault: Adam's stored m̂/v̂, β1/β2 swapped in the correction, v from m², Adam in the SGD loop,
# a notebook global read instead of X, a dropout in forward.
SCENARIOS.update({
    'submission-diagnose_curve-final-vs-previous-epoch': Scenario(
        grade_id='diagnose_curve',
        source='def diagnostic_courbe(perte_train, perte_val):\n    tr = np.asarray(perte_train, float); va = np.asarray(perte_val, float)\n    if not (np.isfinite(tr).all() and np.isfinite(va).all()):\n        return "divergence"\n    L0 = tr[0]\n    if tr.max() > 2 * L0:\n        return "divergence"\n    if tr[-1] > L0 / 2:\n        return "sous-apprentissage"\n    if va[-1] > va[-2]:   # la validation remonte\n        return "sur-apprentissage"\n    return "sain"\n',
        must_fail=('test_diagnostic_synthetic_curves',),
        message_contains=('règle 3',),
    ),
    'submission-diagnose_curve-minimum-not-at-last-epoch': Scenario(
        grade_id='diagnose_curve',
        source='def diagnostic_courbe(perte_train, perte_val):\n    tr = np.asarray(perte_train, float); va = np.asarray(perte_val, float)\n    if not (np.isfinite(tr).all() and np.isfinite(va).all()):\n        return "divergence"\n    L0 = tr[0]\n    if tr.max() > 2 * L0:\n        return "divergence"\n    if tr[-1] > L0 / 2:\n        return "sous-apprentissage"\n    if np.argmin(va) < len(va) - 1:   # le minimum de validation n\'est pas à la fin\n        return "sur-apprentissage"\n    return "sain"\n',
        must_fail=('test_diagnostic_synthetic_curves',),
        message_contains=('règle 3',),
    ),
    'submission-diagnose_curve-L0-from-validation': Scenario(
        grade_id='diagnose_curve',
        source='def diagnostic_courbe(perte_train, perte_val):\n    tr = np.asarray(perte_train, float); va = np.asarray(perte_val, float)\n    if not (np.isfinite(tr).all() and np.isfinite(va).all()):\n        return "divergence"\n    L0 = va[0]\n    if tr.max() > 2 * L0:\n        return "divergence"\n    if tr[-1] > L0 / 2:\n        return "sous-apprentissage"\n    if va[-1] > 1.1 * va.min():\n        return "sur-apprentissage"\n    return "sain"\n',
        must_fail=('test_diagnostic_synthetic_curves',),
        may_fail=('test_diagnostic_reads_first_and_last_epochs',),
        message_contains=('pas perte_val[0]',),
    ),
    'submission-diagnose_curve-rule2-reads-training-minimum': Scenario(
        grade_id='diagnose_curve',
        source='def diagnostic_courbe(perte_train, perte_val):\n    tr = np.asarray(perte_train, float); va = np.asarray(perte_val, float)\n    if not (np.isfinite(tr).all() and np.isfinite(va).all()):\n        return "divergence"\n    L0 = tr[0]\n    if tr.max() > 2 * L0:\n        return "divergence"\n    if tr.min() > L0 / 2:      # minimum au lieu de la valeur finale\n        return "sous-apprentissage"\n    if va[-1] > 1.1 * va.min():\n        return "sur-apprentissage"\n    return "sain"\n',
        must_fail=('test_diagnostic_synthetic_curves',),
        message_contains=('pas son minimum',),
    ),
    'submission-diagnose_curve-validation-doubling-as-divergence': Scenario(
        grade_id='diagnose_curve',
        source='def diagnostic_courbe(perte_train, perte_val):\n    tr = np.asarray(perte_train, float); va = np.asarray(perte_val, float)\n    if not (np.isfinite(tr).all() and np.isfinite(va).all()):\n        return "divergence"\n    L0 = tr[0]\n    if tr.max() > 2 * L0 or va.max() > 2 * va[0]:\n        return "divergence"\n    if tr[-1] > L0 / 2:\n        return "sous-apprentissage"\n    if va[-1] > 1.1 * va.min():\n        return "sur-apprentissage"\n    return "sain"\n',
        must_fail=('test_diagnostic_synthetic_curves',),
        message_contains=('seule la perte de VALIDATION monte',),
    ),
    'submission-diagnose_curve-sorts-validation-in-place': Scenario(
        grade_id='diagnose_curve',
        source='def diagnostic_courbe(perte_train, perte_val):\n    if not (np.isfinite(perte_train).all() and np.isfinite(perte_val).all()):\n        return "divergence"\n    L0 = perte_train[0]\n    fin_val = perte_val[-1]\n    perte_val.sort()                       # pour trouver le minimum\n    if max(perte_train) > 2 * L0:\n        return "divergence"\n    if perte_train[-1] > L0 / 2:\n        return "sous-apprentissage"\n    if fin_val > 1.1 * perte_val[0]:\n        return "sur-apprentissage"\n    return "sain"\n',
        must_fail=('test_diagnostic_reads_first_and_last_epochs',),
        message_contains=('perte_val.sort()',),
    ),
    'submission-count_params-int32-overflow': Scenario(
        grade_id='count_params',
        source='def nombre_parametres(largeurs):\n    h = np.array(largeurs, dtype=np.int32)\n    return int(np.sum(h[:-1] * h[1:] + h[1:], dtype=np.int32))\n',
        must_fail=('test_nombre_parametres_course_examples',),
        message_contains=("dépassement d'entier",),
    ),
    'submission-adam-state-paired-by-position': Scenario(
        grade_id='adam',
        source='def adam_step(params, grads, state, lr, t, beta1=0.9, beta2=0.999, eps=1e-8):\n    # état stocké en liste, apparié par position avec grads.values()\n    if state is None:\n        state = [(np.zeros(np.shape(p)), np.zeros(np.shape(p))) for p in params.values()]\n    new, nst = {}, []\n    for (k, p), g, (m, v) in zip(params.items(), grads.values(), state):\n        m = beta1 * m + (1 - beta1) * g\n        v = beta2 * v + (1 - beta2) * g ** 2\n        new[k] = p - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)\n        nst.append((m, v))\n    return new, nst\n',
        must_fail=('test_adam_uses_its_hyperparameters_and_copies',),
        message_contains=('appariez-les par NOM',),
    ),
    'submission-adam-stores-corrected-moments': Scenario(
        grade_id='adam',
        source='def adam_step(params, grads, state, lr, t, beta1=0.9, beta2=0.999, eps=1e-8):\n    # on stocke directement les moments corrigés\n    if state is None:\n        state = {"m": {k: np.zeros_like(p, dtype=float) for k, p in params.items()},\n                 "v": {k: np.zeros_like(p, dtype=float) for k, p in params.items()}}\n    new, m, v = {}, {}, {}\n    for k in params:\n        g = grads[k]\n        m[k] = (beta1 * state["m"][k] + (1 - beta1) * g) / (1 - beta1 ** t)\n        v[k] = (beta2 * state["v"][k] + (1 - beta2) * g ** 2) / (1 - beta2 ** t)\n        new[k] = params[k] - lr * m[k] / (np.sqrt(v[k]) + eps)\n    return new, {"m": m, "v": v}\n',
        must_fail=('test_adam_matches_torch_step_by_step', 'test_adam_tiny_gradients_either_epsilon'),
        message_contains=('moments CORRIGÉS',),
    ),
    'submission-adam-correction-betas-swapped': Scenario(
        grade_id='adam',
        source='def adam_step(params, grads, state, lr, t, beta1=0.9, beta2=0.999, eps=1e-8):\n    if state is None:\n        state = {"m": {k: np.zeros_like(p, dtype=float) for k, p in params.items()},\n                 "v": {k: np.zeros_like(p, dtype=float) for k, p in params.items()}}\n    new, m, v = {}, {}, {}\n    for k in params:\n        g = grads[k]\n        m[k] = beta1 * state["m"][k] + (1 - beta1) * g\n        v[k] = beta2 * state["v"][k] + (1 - beta2) * g ** 2\n        mh = m[k] / (1 - beta2 ** t)\n        vh = v[k] / (1 - beta1 ** t)\n        new[k] = params[k] - lr * mh / (np.sqrt(vh) + eps)\n    return new, {"m": m, "v": v}\n',
        must_fail=('test_adam_first_step', 'test_adam_matches_torch_step_by_step', 'test_adam_tiny_gradients_either_epsilon'),
        message_contains=('mélange β1 et β2',),
    ),
    'submission-adam-v-from-momentum': Scenario(
        grade_id='adam',
        source='def adam_step(params, grads, state, lr, t, beta1=0.9, beta2=0.999, eps=1e-8):\n    if state is None:\n        state = {"m": {k: np.zeros_like(p, dtype=float) for k, p in params.items()},\n                 "v": {k: np.zeros_like(p, dtype=float) for k, p in params.items()}}\n    new, m, v = {}, {}, {}\n    for k in params:\n        g = grads[k]\n        m[k] = beta1 * state["m"][k] + (1 - beta1) * g\n        v[k] = beta2 * state["v"][k] + (1 - beta2) * m[k] ** 2\n        new[k] = params[k] - lr * (m[k] / (1 - beta1 ** t)) / (np.sqrt(v[k] / (1 - beta2 ** t)) + eps)\n    return new, {"m": m, "v": v}\n',
        must_fail=('test_adam_first_step', 'test_adam_matches_torch_step_by_step', 'test_adam_tiny_gradients_either_epsilon'),
        message_contains=('CARRÉ DU GRADIENT',),
    ),
    'submission-sgd_digits-adam-instead-of-sgd': Scenario(
        grade_id='sgd_digits',
        source='def entrainer_sgd(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    X = torch.as_tensor(X_train, dtype=torch.float32)\n    y = torch.as_tensor(y_train, dtype=torch.long)\n    N, D = X.shape\n    torch.manual_seed(seed)\n    modele = MLPDeuxCouches(D, hidden, 10)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    g = torch.Generator().manual_seed(seed)\n    for _ in range(epochs):\n        ordre = torch.randperm(N, generator=g)\n        for d in range(0, N, batch_size):\n            lot = ordre[d:d + batch_size]\n            opt.zero_grad()\n            nn.functional.cross_entropy(modele(X[lot]), y[lot]).backward()\n            opt.step()\n    return modele\n',
        must_fail=('test_entrainer_sgd_batches_cover_the_epoch',),
        # Adam on SGD's lr may miss the full accuracy on some grader variants (variant 10).
        may_fail=('test_entrainer_sgd_reaches_test_accuracy',),
        message_contains=('les pas suivent torch.optim.Adam',),
    ),
    'submission-xor_perceptron-reads-notebook-X': Scenario(
        grade_id='xor_perceptron',
        source='def separe_parfaitement(w, b, X, y):\n    return bool(np.all((X_xor @ w + b > 0).astype(int) == y))\n',
        must_fail=('test_separe_random_separable_data', 'test_separe_convention_at_zero'),
        message_contains=('lit la ou les variables du notebook X_xor',),
    ),
    'submission-mlp_module-dropout-in-forward': Scenario(
        grade_id='mlp_module',
        source='class MLPDeuxCouches(nn.Module):\n    def __init__(self, d_in, d_cache, d_out):\n        super().__init__()\n        self.fc1 = nn.Linear(d_in, d_cache)\n        self.fc2 = nn.Linear(d_cache, d_out)\n\n    def forward(self, x):\n        h = torch.relu(self.fc1(x))\n        h = nn.functional.dropout(h, 0.5)   # training=True par défaut !\n        return self.fc2(h)\n',
        must_fail=('test_mlp_module_forward_matches_weights',),
        message_contains=('opération aléatoire',),
    ),
})
GROUPS["blind-r10-a"] = ("submission-diagnose_curve-final-vs-previous-epoch", "submission-count_params-int32-overflow",
                         "submission-adam-state-paired-by-position", "submission-sgd_digits-adam-instead-of-sgd",
                         "submission-xor_perceptron-reads-notebook-X", "submission-mlp_module-dropout-in-forward")
GROUPS["blind-r10-b"] = ("submission-diagnose_curve-minimum-not-at-last-epoch", "submission-adam-stores-corrected-moments")
GROUPS["blind-r10-c"] = ("submission-diagnose_curve-L0-from-validation", "submission-adam-correction-betas-swapped")
GROUPS["blind-r10-d"] = ("submission-diagnose_curve-rule2-reads-training-minimum", "submission-adam-v-from-momentum")
GROUPS["blind-r10-e"] = ("submission-diagnose_curve-validation-doubling-as-divergence",)
GROUPS["blind-r10-f"] = ("submission-diagnose_curve-sorts-validation-in-place",)


# Blind answers, round 12. False passes: logits squeezed (N = 1 or d_out = 1 never drawn), a
# perceptron threshold above 0 (no score near 0), rule 3 with >= (never at its boundary), one
# global XOR model reset and retrained at each call (the first returned model changes), the
# shuffling generator seeded with a constant (only the init followed seed), a final nn.Sigmoid
# (values in [0, 1] at every scale). Hint: Adam's m and v kept in globals, state ignored.
# False fail: a float32 projection on the public example (tolerance now float32-aware).
SCENARIOS.update({
    'submission-mlp_module-squeezes-logits': Scenario(
        grade_id='mlp_module',
        source='class MLPDeuxCouches(nn.Module):\n    def __init__(self, d_in, d_cache, d_out):\n        super().__init__()\n        self.fc1 = nn.Linear(d_in, d_cache)\n        self.fc2 = nn.Linear(d_cache, d_out)\n    def forward(self, x):\n        return self.fc2(torch.relu(self.fc1(x))).squeeze()\n',
        must_fail=('test_mlp_module_forward_matches_weights',),
        message_contains=('une dimension de taille 1 a disparu',),
    ),
    'submission-xor_perceptron-margin-above-zero': Scenario(
        grade_id='xor_perceptron',
        source='def separe_parfaitement(w, b, X, y):\n    score = X @ w + b\n    pred = np.where(score > 1e-3, 1, 0)\n    return bool((pred == y).all())\n',
        must_fail=('test_separe_convention_at_zero',),
        message_contains=('juste au-dessus de la frontière',),
    ),
    'submission-diagnose_curve-rule3-non-strict': Scenario(
        grade_id='diagnose_curve',
        source='def diagnostic_courbe(perte_train, perte_val):\n    tr = np.asarray(perte_train, float); va = np.asarray(perte_val, float)\n    L0 = tr[0]\n    if not (np.isfinite(tr).all() and np.isfinite(va).all()) or tr.max() > 2 * L0:\n        return "divergence"\n    if tr[-1] > L0 / 2:\n        return "sous-apprentissage"\n    if va[-1] >= 1.1 * va.min():\n        return "sur-apprentissage"\n    return "sain"\n',
        must_fail=('test_diagnostic_synthetic_curves',),
        message_contains=('ne le dépasse pas de PLUS de 10 %',),
    ),
    'submission-xor_mlp-global-module-reset-each-call': Scenario(
        grade_id='xor_mlp',
        source='reseau_xor = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))\ndef entrainer_xor(seed=0):\n    torch.manual_seed(seed)\n    for couche in reseau_xor:\n        if isinstance(couche, nn.Linear):\n            couche.reset_parameters()\n    opt = torch.optim.Adam(reseau_xor.parameters(), lr=0.05)\n    for _ in range(300):\n        opt.zero_grad()\n        nn.functional.cross_entropy(reseau_xor(X_xor_t), y_xor_t).backward()\n        opt.step()\n    return reseau_xor\n',
        must_fail=('test_entrainer_xor_new_model_per_seed',),
        message_contains=('a changé quand entrainer_xor a été rappelé',),
    ),
    'submission-adam-moments-in-globals': Scenario(
        grade_id='adam',
        source='_M, _V = {}, {}\ndef adam_step(params, grads, state, lr, t, beta1=0.9, beta2=0.999, eps=1e-8):\n    P = {}\n    for k in params:\n        g = grads[k]\n        _M[k] = beta1 * _M.get(k, 0.0) + (1 - beta1) * g\n        _V[k] = beta2 * _V.get(k, 0.0) + (1 - beta2) * g ** 2\n        P[k] = params[k] - lr * (_M[k] / (1 - beta1 ** t)) / (np.sqrt(_V[k] / (1 - beta2 ** t)) + eps)\n    return P, "ok"\n',
        must_fail=('test_adam_matches_torch_step_by_step', 'test_adam_tiny_gradients_either_epsilon'),
        message_contains=('EN DEHORS de state',),
    ),
    'submission-sgd_digits-shuffle-generator-constant-seed': Scenario(
        grade_id='sgd_digits',
        source='def entrainer_sgd(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    X = torch.tensor(X_train, dtype=torch.float32); y = torch.tensor(y_train, dtype=torch.long)\n    torch.manual_seed(seed)\n    modele = MLPDeuxCouches(X.shape[1], hidden, 10)\n    opt = torch.optim.SGD(modele.parameters(), lr=lr)\n    g = torch.Generator().manual_seed(0)\n    for _ in range(epochs):\n        ordre = torch.randperm(len(X), generator=g)\n        for d in range(0, len(X), batch_size):\n            lot = ordre[d:d + batch_size]\n            opt.zero_grad()\n            nn.functional.cross_entropy(modele(X[lot]), y[lot]).backward()\n            opt.step()\n    return modele\n',
        must_fail=('test_entrainer_sgd_uses_seed_and_lr',),
        message_contains=("ne tire pas l'ordre des exemples avec son argument seed",),
    ),
    'submission-xor_mlp-sigmoid-output-layer': Scenario(
        grade_id='xor_mlp',
        source='def entrainer_xor(seed=0):\n    torch.manual_seed(seed)\n    m = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2), nn.Sigmoid())\n    opt = torch.optim.Adam(m.parameters(), lr=0.05)\n    for _ in range(300):\n        opt.zero_grad()\n        nn.functional.cross_entropy(m(X_xor_t), y_xor_t).backward()\n        opt.step()\n    return m\n',
        must_fail=('test_entrainer_xor_returns_a_module',),
        # Cross-entropy on sigmoid outputs trains weakly: some grader seeds miss a point.
        may_fail=('test_entrainer_xor_solves_xor_for_grader_seeds',),
        message_contains=('sigmoïde (nn.Sigmoid)',),
    ),
})
GROUPS["blind-r12-a"] = ("submission-mlp_module-squeezes-logits", "submission-xor_perceptron-margin-above-zero",
                         "submission-diagnose_curve-rule3-non-strict", "submission-xor_mlp-global-module-reset-each-call",
                         "submission-adam-moments-in-globals", "submission-sgd_digits-shuffle-generator-constant-seed")
GROUPS["blind-r12-b"] = ("submission-xor_mlp-sigmoid-output-layer",)
CORRECT.update({
    "blind-r12-correct-pca-numpy-float32": Correct(grade_id="pca", source='def projection_acp(H):\n    Hf = np.asarray(H, dtype=np.float32)\n    centre = Hf - Hf.mean(axis=0)\n    U, S, Vt = np.linalg.svd(centre, full_matrices=False)\n    P = centre @ Vt[:2].T\n    return P\n', why="H cast to float32, centred, SVD, Hc @ Vt[:2].T: the statement imposes no dtype"),
    "blind-r12-correct-xor-sgd-momentum-module": Correct(grade_id="xor_mlp", source='class _Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.a = nn.Linear(2, 8)\n        self.b = nn.Linear(8, 2)\n    def forward(self, x):\n        return self.b(torch.tanh(self.a(x)))\n\ndef entrainer_xor(seed=0):\n    torch.manual_seed(seed)\n    net = _Net()\n    opt = torch.optim.Adam(net.parameters(), lr=0.05)\n    X = X_xor_t.clone(); y = y_xor_t.long()\n    for it in range(500):\n        opt.zero_grad()\n        nn.functional.cross_entropy(net(X), y).backward()\n        opt.step()\n    return net\n', why="a module of its own, tanh, logits out: its values leave [0, 1]"),
})
CORRECT_GROUPS["blind-r12-correct"] = ("blind-r12-correct-pca-numpy-float32", "blind-r12-correct-xor-sgd-momentum-module")
CORRECT.update({
    "blind-r12-correct-diag-rule3-ratio": Correct(
        grade_id="diagnose_curve",
        source='def diagnostic_courbe(perte_train, perte_val):\n    tr = np.asarray(perte_train, float); va = np.asarray(perte_val, float)\n    if not (np.isfinite(tr).all() and np.isfinite(va).all()) or tr.max() > 2 * tr[0]:\n        return "divergence"\n    if 2 * tr[-1] > tr[0]:\n        return "sous-apprentissage"\n    if (va[-1] - va.min()) / va.min() > 0.1:\n        return "sur-apprentissage"\n    return "sain"\n',
        why="rule 2 as 2·final > L0, rule 3 as a relative rise above 10 %: the same rules, other roundings",
    ),
    "blind-r12-correct-separe-sign": Correct(
        grade_id="xor_perceptron",
        source='def separe_parfaitement(w, b, X, y):\n    scores = np.asarray(X, dtype=float) @ np.asarray(w, dtype=float) + float(b)\n    return bool(np.array_equal(np.sign(scores).clip(0, 1).astype(int), np.asarray(y).astype(int)))\n',
        why="np.sign clipped to {0, 1}: 1 exactly when the score is > 0",
    ),
})
CORRECT_GROUPS["blind-r12-correct-b"] = ("blind-r12-correct-diag-rule3-ratio", "blind-r12-correct-separe-sign")


# Blind answers, round 14. False pass: optimiseur.zero_grad() once per epoch, before the batch
# loop (gradients add up over the epoch; the training may still reach the accuracy bar): the
# recording stand-in model now notes, at each backward, whether the gradients were fresh
# (check_fresh_gradients in test_entrainer_sgd_batches_cover_the_epoch). False failure: Adam
# computed and returned in float32 (tiny-gradient check: parameters of size ~0.01, tolerance
# above the float32 rounding of both variants, below an Adam without ε). Hint: "np.isnan ne voit
# pas inf" only when the answer is right once the inf are nan.
SCENARIOS.update({
    "blind-r14-sgd-zero-grad-once-per-epoch": Scenario(
        grade_id="sgd_digits",
        source='''def entrainer_sgd(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):
    """Entraîne MLPDeuxCouches(D, hidden, 10) par SGD sur mini-lots mélangés ; renvoie le modèle."""
    X = torch.as_tensor(X_train, dtype=torch.float32)
    y = torch.as_tensor(y_train, dtype=torch.long)
    N, D = X.shape
    torch.manual_seed(seed)
    modele = MLPDeuxCouches(D, hidden, 10)
    optimiseur = torch.optim.SGD(modele.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        ordre = torch.randperm(N, generator=g)
        optimiseur.zero_grad()
        for debut in range(0, N, batch_size):
            lot = ordre[debut : debut + batch_size]
            perte = nn.functional.cross_entropy(modele(X[lot]), y[lot])
            perte.backward()
            optimiseur.step()
    return modele
''',
        must_fail=("test_entrainer_sgd_batches_cover_the_epoch",),
        # The accumulated steps still reach the full accuracy on most grader variants.
        may_fail=("test_entrainer_sgd_reaches_test_accuracy",),
        message_contains=("s'ajoutent à ceux du lot précédent", "zero_grad()"),
    ),
    "blind-r14-diag-val-curve-unchecked": Scenario(
        grade_id="diagnose_curve",
        source='''def diagnostic_courbe(perte_train, perte_val):
    """Renvoie "divergence", "sous-apprentissage", "sur-apprentissage" ou "sain"."""
    perte_train = np.asarray(perte_train, dtype=float)
    perte_val = np.asarray(perte_val, dtype=float)
    L0 = perte_train[0]
    if not np.all(np.isfinite(perte_train)) or np.max(perte_train) > 2 * L0:
        return "divergence"
    if perte_train[-1] > L0 / 2:
        return "sous-apprentissage"
    if perte_val[-1] > 1.1 * np.min(perte_val):
        return "sur-apprentissage"
    return "sain"
''',
        must_fail=("test_diagnostic_non_finite_curves",),
        message_contains=("perte_val contient", "sur les deux courbes"),
    ),
    "blind-r14-adam-no-epsilon": Scenario(
        grade_id="adam",
        source='''def adam_step(params, grads, state, lr, t, beta1=0.9, beta2=0.999, eps=1e-8):
    """Oublie ε : m̂ / √v̂ seulement."""
    if state is None:
        state = {"m": {k: np.zeros(np.shape(p)) for k, p in params.items()},
                 "v": {k: np.zeros(np.shape(p)) for k, p in params.items()}}
    nouveaux, m, v = {}, {}, {}
    for k, p in params.items():
        g = np.asarray(grads[k], dtype=float)
        m[k] = beta1 * state["m"][k] + (1 - beta1) * g
        v[k] = beta2 * state["v"][k] + (1 - beta2) * g**2
        nouveaux[k] = p - lr * (m[k] / (1 - beta1**t)) / np.sqrt(v[k] / (1 - beta2**t))
    return nouveaux, {"m": m, "v": v}
''',
        # eps is never read: the grader's eps (1e-4 to 1e-3) shows it too.
        must_fail=("test_adam_tiny_gradients_either_epsilon", "test_adam_uses_its_hyperparameters_and_copies"),
        message_contains=("s'écartent de torch.optim.Adam",),
    ),
    "blind-r14-adam-float32-no-epsilon": Scenario(
        grade_id="adam",
        source='''def adam_step(params, grads, state, lr, t, beta1=0.9, beta2=0.999, eps=1e-8):
    """En float32, et sans ε."""
    if state is None:
        state = {"m": {k: np.zeros(np.shape(p), dtype=np.float32) for k, p in params.items()},
                 "v": {k: np.zeros(np.shape(p), dtype=np.float32) for k, p in params.items()}}
    nouveaux, m, v = {}, {}, {}
    for k in params:
        g = np.asarray(grads[k], dtype=np.float32)
        m[k] = beta1 * state["m"][k] + (1 - beta1) * g
        v[k] = beta2 * state["v"][k] + (1 - beta2) * g * g
        pas = (m[k] / (1 - beta1**t)) / np.sqrt(v[k] / (1 - beta2**t))
        nouveaux[k] = (np.asarray(params[k], dtype=np.float32) - lr * pas).astype(np.float32)
    return nouveaux, {"m": m, "v": v}
''',
        must_fail=("test_adam_tiny_gradients_either_epsilon",),
        # The defaults are judged at rtol 1e-6 before the grader's eps: float32 may miss it.
        may_fail=("test_adam_uses_its_hyperparameters_and_copies",),
        message_contains=("sont en float32", "calculez en float64"),
    ),
})
GROUPS["blind-r14-1"] = ("blind-r14-sgd-zero-grad-once-per-epoch", "blind-r14-diag-val-curve-unchecked",
                         "blind-r14-adam-no-epsilon")
GROUPS["blind-r14-2"] = ("blind-r14-adam-float32-no-epsilon",)
CORRECT.update({
    "blind-r14-correct-adam-float32": Correct(
        grade_id="adam",
        source='''def adam_step(params, grads, state, lr, t, beta1=0.9, beta2=0.999, eps=1e-8):
    """Un pas d'Adam sur des dictionnaires de tableaux ; renvoie (nouveaux_params, nouvel_etat)."""
    if state is None:
        state = {"m": {}, "v": {}}
        for k, p in params.items():
            state["m"][k] = np.zeros(np.shape(p), dtype=np.float32)
            state["v"][k] = np.zeros(np.shape(p), dtype=np.float32)
    nouveaux = {}
    m_new, v_new = {}, {}
    for k in params:
        g = np.asarray(grads[k], dtype=np.float32)
        m_new[k] = beta1 * state["m"][k] + (1 - beta1) * g
        v_new[k] = beta2 * state["v"][k] + (1 - beta2) * g * g
        m_hat = m_new[k] / (1 - beta1 ** t)
        v_hat = v_new[k] / (1 - beta2 ** t)
        nouveaux[k] = (np.asarray(params[k], dtype=np.float32) - lr * m_hat / (np.sqrt(v_hat) + eps)).astype(np.float32)
    return nouveaux, {"m": m_new, "v": v_new}
''',
        why="the statement's formula (ε after the root) computed and returned in float32: no dtype is asked",
    ),
    "blind-r14-correct-sgd-manual-update": Correct(
        grade_id="sgd_digits",
        source='''def entrainer_sgd(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):
    """Entraîne MLPDeuxCouches(D, hidden, 10) par SGD sur mini-lots mélangés ; renvoie le modèle."""
    X = torch.tensor(np.array(X_train), dtype=torch.float32)
    y = torch.tensor(np.array(y_train), dtype=torch.long)
    N = X.shape[0]
    torch.manual_seed(seed)
    modele = MLPDeuxCouches(X.shape[1], hidden, 10)
    g = torch.Generator().manual_seed(seed)
    for epoque in range(epochs):
        permutation = torch.randperm(N, generator=g)
        perte_totale = 0.0
        for indices in torch.split(permutation, batch_size):
            perte = nn.functional.cross_entropy(modele(X[indices]), y[indices])
            modele.zero_grad()
            perte.backward()
            with torch.no_grad():
                for p in modele.parameters():
                    p -= lr * p.grad
            perte_totale += perte.item() * len(indices)
        if epoque % 10 == 0:
            print(f"époque {epoque} : perte moyenne {perte_totale / N:.4f}")
    return modele
''',
        why="the step written by hand under no_grad, modele.zero_grad() before each backward",
    ),
    "blind-r14-correct-diag-isnan-or-isinf": Correct(
        grade_id="diagnose_curve",
        source='''def diagnostic_courbe(perte_train, perte_val):
    tr = np.array(perte_train, dtype=float)
    va = np.array(perte_val, dtype=float)
    for courbe in (tr, va):
        if np.isnan(courbe).any() or np.isinf(courbe).any():
            return "divergence"
    if np.max(tr) > 2 * tr[0]:
        return "divergence"
    if tr[-1] > tr[0] / 2:
        return "sous-apprentissage"
    return "sur-apprentissage" if va[-1] > 1.1 * np.min(va) else "sain"
''',
        why="np.isnan or np.isinf on each curve: the same test as np.isfinite",
    ),
    "blind-r14-correct-adam-float32-eps-inside": Correct(
        grade_id="adam",
        source='''def adam_step(params, grads, state, lr, t, beta1=0.9, beta2=0.999, eps=1e-8):
    """La version du cours (ε sous la racine), en float32."""
    f32 = np.float32
    if state is None:
        state = {"m": {k: np.zeros_like(p, dtype=f32) for k, p in params.items()},
                 "v": {k: np.zeros_like(p, dtype=f32) for k, p in params.items()}}
    nouveaux, m, v = {}, {}, {}
    for k, p in params.items():
        g = grads[k].astype(f32)
        m[k] = f32(beta1) * state["m"][k] + f32(1 - beta1) * g
        v[k] = f32(beta2) * state["v"][k] + f32(1 - beta2) * g * g
        m_hat = m[k] / f32(1 - beta1**t)
        v_hat = v[k] / f32(1 - beta2**t)
        nouveaux[k] = p.astype(f32) - f32(lr) * m_hat / np.sqrt(v_hat + f32(eps))
    return nouveaux, {"m": m, "v": v}
''',
        why="the course's ε under the root, every constant and array in float32",
    ),
    "blind-r14-correct-sgd-zero-grad-after-step": Correct(
        grade_id="sgd_digits",
        source='''def entrainer_sgd(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):
    X = torch.from_numpy(np.asarray(X_train)).float()
    y = torch.from_numpy(np.asarray(y_train)).long()
    torch.manual_seed(seed)
    modele = MLPDeuxCouches(X.shape[1], hidden, 10)
    opt = torch.optim.SGD(modele.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        ordre = torch.randperm(len(X), generator=g)
        for debut in range(0, len(X), batch_size):
            lot = ordre[debut:debut + batch_size]
            nn.functional.cross_entropy(modele(X[lot]), y[lot]).backward()
            opt.step()
            opt.zero_grad(set_to_none=False)
    return modele
''',
        why="zero_grad after each step (zeros kept, not None): every backward still starts from zero",
    ),
    "blind-r14-correct-adam-float32-computed-float64-returned": Correct(
        grade_id="adam",
        source='''def adam_step(params, grads, state, lr, t, beta1=0.9, beta2=0.999, eps=1e-8):
    if state is None:
        state = {k: (np.zeros(np.shape(p), np.float32), np.zeros(np.shape(p), np.float32)) for k, p in params.items()}
    nouveaux, etat = {}, {}
    for k, p in params.items():
        g = np.asarray(grads[k], dtype=np.float32)
        m, v = state[k]
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g ** 2
        pas = lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
        nouveaux[k] = (np.asarray(p, dtype=np.float32) - pas).astype(np.float64)
        etat[k] = (m, v)
    return nouveaux, etat
''',
        why="float32 arrays inside, float64 arrays handed back: float32 rounding in a float64 result",
    ),
})
CORRECT_GROUPS["blind-r14-correct"] = ("blind-r14-correct-adam-float32", "blind-r14-correct-sgd-manual-update",
                                       "blind-r14-correct-diag-isnan-or-isinf")
CORRECT_GROUPS["blind-r14-correct-b"] = ("blind-r14-correct-adam-float32-eps-inside",
                                         "blind-r14-correct-sgd-zero-grad-after-step")
CORRECT_GROUPS["blind-r14-correct-c"] = ("blind-r14-correct-adam-float32-computed-float64-returned",)

# ---------------------------------------------------------------- blind round 15
# Kept every point: a ReLU6 in MLPDeuxCouches (the grader's x kept fc1(x) under 6, where ReLU6
# is ReLU: the same x scaled up now reach tens); a module whose weights start at zero (hidden
# units identical, the symmetry is never broken: the notebook's own training stays at 10 %);
# entrainer_xor trained with an MSE on one-hot targets (the loss read from the gradient its first
# backward sends to the model's outputs). Hints: a ReLU after the last nn.Linear of the XOR model
# was called an affine model (clamped logits tie at 0 and satisfy the affine identity); 64 written
# in entrainer_sgd, a .reshape(-1, 64), got the generic shape message.
SCENARIOS.update({
    "blind-r15-mlp-module-relu6": Scenario(
        grade_id="mlp_module",
        source='''class MLPDeuxCouches(nn.Module):
    """MLP à deux couches du cours : d_in → d_cache (ReLU) → d_out, renvoie des logits."""

    def __init__(self, d_in, d_cache, d_out):
        super().__init__()
        self.fc1 = nn.Linear(d_in, d_cache)
        self.fc2 = nn.Linear(d_cache, d_out)
        self.act = nn.ReLU6()  # ReLU bornée, plus stable

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))
''',
        must_fail=("test_mlp_module_forward_matches_weights",),
        message_contains=("sans plafond (pas de nn.ReLU6",),
    ),
    "blind-r15-mlp-module-zero-init": Scenario(
        grade_id="mlp_module",
        source='''class MLPDeuxCouches(nn.Module):
    """MLP à deux couches du cours : d_in → d_cache (ReLU) → d_out, renvoie des logits."""

    def __init__(self, d_in, d_cache, d_out):
        super().__init__()
        self.fc1 = nn.Linear(d_in, d_cache)
        self.fc2 = nn.Linear(d_cache, d_out)
        # on part de poids nuls, comme dans le TP précédent
        for couche in (self.fc1, self.fc2):
            nn.init.zeros_(couche.weight)
            nn.init.zeros_(couche.bias)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))
''',
        must_fail=("test_mlp_module_initial_weights_break_symmetry",),
        message_contains=("restent identiques à chaque pas (symétrie)", "ici tous nuls"),
    ),
    "blind-r15-mlp-module-constant-init": Scenario(
        grade_id="mlp_module",
        source=edit(solution_cell(__file__, "mlp_module"),
                    ("        self.fc2 = nn.Linear(d_cache, d_out)  # application affine : W2 h + b2\n",
                     "        self.fc2 = nn.Linear(d_cache, d_out)  # application affine : W2 h + b2\n"
                     "        for couche in (self.fc1, self.fc2):\n"
                     "            nn.init.constant_(couche.weight, 0.01)\n"
                     "            nn.init.zeros_(couche.bias)\n")),
        must_fail=("test_mlp_module_initial_weights_break_symmetry",),
        message_contains=("tous ses neurones cachés sont identiques",),
    ),
    "blind-r15-mlp-module-zero-fc1": Scenario(
        grade_id="mlp_module",
        source=edit(solution_cell(__file__, "mlp_module"),
                    ("        self.fc2 = nn.Linear(d_cache, d_out)  # application affine : W2 h + b2\n",
                     "        self.fc2 = nn.Linear(d_cache, d_out)  # application affine : W2 h + b2\n"
                     "        nn.init.zeros_(self.fc1.weight)\n"
                     "        nn.init.zeros_(self.fc1.bias)\n")),
        must_fail=("test_mlp_module_initial_weights_break_symmetry",),
        message_contains=("neurones cachés « morts »",),
    ),
    "blind-r15-xor-mse-loss": Scenario(
        grade_id="xor_mlp",
        source='''def entrainer_xor(seed=0):
    """Construit et entraîne un MLP (2 entrées → couche cachée → 2 logits) sur XOR ; renvoie le modèle."""
    torch.manual_seed(seed)
    modele = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    optimiseur = torch.optim.Adam(modele.parameters(), lr=0.05)
    cibles = nn.functional.one_hot(y_xor_t, 2).float()
    for _ in range(300):
        optimiseur.zero_grad()
        perte = nn.functional.mse_loss(modele(X_xor_t), cibles)
        perte.backward()
        optimiseur.step()
    return modele
''',
        must_fail=("test_entrainer_xor_trains_with_cross_entropy",),
        message_contains=("n'entraîne pas le modèle avec l'entropie croisée", "erreur quadratique"),
    ),
    "blind-r15-xor-hand-written-squared-error": Scenario(
        grade_id="xor_mlp",
        source=edit(solution_cell(__file__, "xor_mlp"),
                    ("        perte = nn.functional.cross_entropy(modele(X_xor_t), y_xor_t)\n",
                     "        cibles = torch.stack([1 - y_xor_t, y_xor_t], dim=1).float()\n"
                     "        perte = ((modele(X_xor_t) - cibles) ** 2).sum(dim=1).mean()\n")),
        must_fail=("test_entrainer_xor_trains_with_cross_entropy",),
        message_contains=("erreur quadratique",),
    ),
    "blind-r15-xor-relu-on-logits": Scenario(
        grade_id="xor_mlp",
        source='''def entrainer_xor(seed=0):
    """Construit et entraîne un MLP (2 entrées → couche cachée → 2 logits) sur XOR ; renvoie le modèle."""
    torch.manual_seed(seed)
    modele = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2), nn.ReLU())
    optimiseur = torch.optim.Adam(modele.parameters(), lr=0.05)
    for _ in range(300):
        optimiseur.zero_grad()
        perte = nn.functional.cross_entropy(modele(X_xor_t), y_xor_t)
        perte.backward()
        optimiseur.step()
    return modele
''',
        must_fail=("test_entrainer_xor_returns_a_module",),
        # The clamped logits tie at 0 on most grader seeds: XOR is missed there, not always.
        may_fail=("test_entrainer_xor_solves_xor_for_grader_seeds",),
        message_contains=("une ReLU (ou une autre activation) suit la dernière nn.Linear",),
    ),
    "blind-r15-sgd-reshape-64": Scenario(
        grade_id="sgd_digits",
        source='''def entrainer_sgd(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):
    """Entraîne MLPDeuxCouches(D, hidden, 10) par SGD sur mini-lots mélangés ; renvoie le modèle."""
    X = torch.as_tensor(X_train, dtype=torch.float32).reshape(-1, 64)  # images 8x8
    y = torch.as_tensor(y_train, dtype=torch.long)
    N = len(y)
    torch.manual_seed(seed)
    modele = MLPDeuxCouches(64, hidden, 10)
    optimiseur = torch.optim.SGD(modele.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        ordre = torch.randperm(N, generator=g)
        for debut in range(0, N, batch_size):
            lot = ordre[debut : debut + batch_size]
            optimiseur.zero_grad()
            perte = nn.functional.cross_entropy(modele(X[lot]), y[lot])
            perte.backward()
            optimiseur.step()
    return modele
''',
        must_fail=("test_entrainer_sgd_batches_cover_the_epoch", "test_entrainer_sgd_uses_seed_and_lr"),
        message_contains=("64 est écrit en dur", "la dimension d'entrée se lit sur X_train"),
    ),
})
GROUPS["blind-r15-1"] = ("blind-r15-mlp-module-relu6", "blind-r15-xor-mse-loss", "blind-r15-sgd-reshape-64")
GROUPS["blind-r15-2"] = ("blind-r15-mlp-module-zero-init", "blind-r15-xor-relu-on-logits")
GROUPS["blind-r15-3"] = ("blind-r15-mlp-module-constant-init", "blind-r15-xor-hand-written-squared-error")
GROUPS["blind-r15-4"] = ("blind-r15-mlp-module-zero-fc1",)
CORRECT.update({
    "blind-r15-correct-xor-logsoftmax-out": Correct(
        grade_id="xor_mlp",
        source='''def entrainer_xor(seed=0):
    """Construit et entraîne un MLP (2 entrées → couche cachée → 2 logits) sur XOR ; renvoie le modèle."""
    torch.manual_seed(seed)
    # log_softmax en sortie : des log-probabilités, qui sont des logits valides
    # (softmax(log_softmax(z)) = softmax(z), la cross_entropy est inchangée)
    modele = nn.Sequential(nn.Linear(2, 10), nn.Tanh(), nn.Linear(10, 2), nn.LogSoftmax(dim=1))
    optimiseur = torch.optim.Adam(modele.parameters(), lr=0.05)
    for _ in range(400):
        optimiseur.zero_grad()
        perte = nn.functional.cross_entropy(modele(X_xor_t), y_xor_t)
        perte.backward()
        optimiseur.step()
    return modele
''',
        why="the tester's: LogSoftmax ends the model, cross_entropy on log-probabilities (the same loss)",
    ),
    "blind-r15-correct-mlp-module-relu-module-attr": Correct(
        grade_id="mlp_module",
        source='''class MLPDeuxCouches(nn.Module):
    """MLP à deux couches du cours : d_in → d_cache (ReLU) → d_out, renvoie des logits."""

    def __init__(self, d_in, d_cache, d_out):
        super().__init__()
        self.fc1 = nn.Linear(in_features=d_in, out_features=d_cache, bias=True)
        self.activation = nn.ReLU()
        self.fc2 = nn.Linear(in_features=d_cache, out_features=d_out, bias=True)

    def forward(self, x):
        x = x.reshape(x.shape[0], -1)
        z1 = self.fc1(x)
        h = self.activation(z1)
        logits = self.fc2(h)
        return logits
''',
        why="the tester's: an nn.ReLU attribute, a reshape that keeps (N, d_in)",
    ),
    "blind-r15-correct-xor-criterion-module-sgd": Correct(
        grade_id="xor_mlp",
        source='''def entrainer_xor(seed=0):
    torch.manual_seed(seed)
    modele = nn.Sequential(nn.Linear(2, 12), nn.Tanh(), nn.Linear(12, 2))
    critere = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(modele.parameters(), lr=0.3, momentum=0.9)
    for _ in range(500):
        opt.zero_grad()
        critere(modele(X_xor_t), y_xor_t).backward()
        opt.step()
    return modele
''',
        why="nn.CrossEntropyLoss module, SGD with momentum",
    ),
    "blind-r15-correct-mlp-module-xavier-clamp": Correct(
        grade_id="mlp_module",
        source='''class MLPDeuxCouches(nn.Module):
    def __init__(self, d_in, d_cache, d_out):
        super().__init__()
        self.fc1 = nn.Linear(d_in, d_cache)
        self.fc2 = nn.Linear(d_cache, d_out)
        nn.init.xavier_uniform_(self.fc1.weight)
        nn.init.xavier_uniform_(self.fc2.weight)

    def forward(self, x):
        return self.fc2(self.fc1(x).clamp(min=0))
''',
        why="another random initialisation (Xavier) breaks the symmetry too; clamp(min=0) is ReLU",
    ),
    "blind-r15-correct-xor-log-softmax-nll-rmsprop": Correct(
        grade_id="xor_mlp",
        source='''def entrainer_xor(seed=0):
    torch.manual_seed(seed)
    modele = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    opt = torch.optim.RMSprop(modele.parameters(), lr=0.02)
    for _ in range(400):
        opt.zero_grad()
        log_p = nn.functional.log_softmax(modele(X_xor_t), dim=1)
        nn.functional.nll_loss(log_p, y_xor_t).backward()
        opt.step()
    return modele
''',
        why="log_softmax then nll_loss (the cross-entropy), RMSprop",
    ),
    "blind-r15-correct-xor-hand-cross-entropy-sum": Correct(
        grade_id="xor_mlp",
        source='''def entrainer_xor(seed=0):
    torch.manual_seed(seed)
    modele = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    opt = torch.optim.Adam(modele.parameters(), lr=0.05)
    for _ in range(300):
        opt.zero_grad()
        logits = modele(X_xor_t)
        perte = (torch.logsumexp(logits, dim=1) - logits[torch.arange(4), y_xor_t]).sum() / 4
        perte.backward()
        opt.step()
    return modele
''',
        why="the cross-entropy written by hand, logsumexp minus the label's logit",
    ),
})
CORRECT_GROUPS["blind-r15-correct"] = ("blind-r15-correct-xor-logsoftmax-out",
                                       "blind-r15-correct-mlp-module-relu-module-attr")
CORRECT_GROUPS["blind-r15-correct-b"] = ("blind-r15-correct-xor-criterion-module-sgd",
                                         "blind-r15-correct-mlp-module-xavier-clamp")
CORRECT_GROUPS["blind-r15-correct-c"] = ("blind-r15-correct-xor-log-softmax-nll-rmsprop",)
CORRECT_GROUPS["blind-r15-correct-d"] = ("blind-r15-correct-xor-hand-cross-entropy-sum",)

# ---------------------------------------------------------------- blind round 17
# Kept every point: nombre_parametres keeping the layers in a dict keyed by the input width
# (the grader's lists never repeated a width: [64, 64, 10] loses a layer); separe_parfaitement
# answering True above 99 % accuracy (the grader's data sets held at most 30 examples: one error
# was always over 1 %). Weak spot: projection_acp through an unsorted np.linalg.eig passed every
# hidden matrix (their eig came out sorted). The count now draws repeated widths on purpose, the
# perceptron gets over 1000 examples with a single error, the PCA a matrix built so that eig lists
# its eigenvalues out of order.
SCENARIOS.update({
    "blind-r17-count-params-dict-layers": Scenario(
        grade_id="count_params",
        source='''def nombre_parametres(largeurs):
    """Nombre de poids et de biais d'un MLP dense de largeurs [h_0, h_1, ..., h_l]."""
    # chaque couche : nombre d'entrées -> nombre de neurones
    couches = dict(zip(largeurs[:-1], largeurs[1:]))
    total = 0
    for n_entrees, n_neurones in couches.items():
        total += n_entrees * n_neurones + n_neurones
    return int(total)
''',
        must_fail=("test_nombre_parametres_matches_torch",),
        message_contains=("faux quand une largeur se répète", "une couche est perdue"),
    ),
    "blind-r17-count-params-set-of-layers": Scenario(
        grade_id="count_params",
        source=edit(solution_cell(__file__, "count_params"),
                    ("    return int(sum(n * h + h for n, h in zip(largeurs[:-1], largeurs[1:])))\n",
                     "    couches = set(zip(largeurs[:-1], largeurs[1:]))  # les couches (entrées, sorties)\n"
                     "    return int(sum(n * h + h for n, h in couches))\n")),
        must_fail=("test_nombre_parametres_matches_torch",),
        message_contains=("faux quand une largeur se répète",),
    ),
    "blind-r17-separe-accuracy-threshold": Scenario(
        grade_id="xor_perceptron",
        source='''def separe_parfaitement(w, b, X, y):
    """True si f(x) = 1[w·x + b > 0] vaut y pour TOUS les exemples (lignes de X), False sinon."""
    sorties = (np.asarray(X, dtype=float) @ np.asarray(w, dtype=float) + b > 0).astype(int)
    precision = np.mean(sorties == np.asarray(y))
    # on tolère les erreurs d'arrondi sur la précision
    return bool(precision > 0.99)
''',
        must_fail=("test_separe_random_separable_data",),
        message_contains=("la réponse dépend de la proportion d'erreurs",),
    ),
    "blind-r17-separe-accuracy-isclose": Scenario(
        grade_id="xor_perceptron",
        source=edit(solution_cell(__file__, "xor_perceptron"),
                    ("    return bool(np.all(sorties == np.asarray(y)))\n",
                     "    return bool(np.isclose(np.mean(sorties == np.asarray(y)), 1.0, atol=1e-3))\n")),
        must_fail=("test_separe_random_separable_data",),
        message_contains=("la réponse dépend de la proportion d'erreurs",),
    ),
    "blind-r17-pca-eig-unsorted": Scenario(
        grade_id="pca",
        source='''def projection_acp(H):
    """Projection des lignes de H (forme (N, h)) sur les 2 premières composantes principales : (N, 2)."""
    H = np.asarray(H, dtype=float)
    Hc = H - H.mean(axis=0)
    C = np.cov(Hc, rowvar=False)
    valeurs, vecteurs = np.linalg.eig(C)
    # les deux premiers vecteurs propres = les deux directions principales
    return Hc @ np.real(vecteurs[:, :2])
''',
        must_fail=("test_projection_acp_small_example", "test_projection_acp_centred_matrix"),
        # eig comes out sorted on most of the other matrices, not on all.
        may_fail=("test_projection_acp_shifted_matrix",),
        message_contains=("np.linalg.eig ne trie pas ses valeurs propres",),
    ),
    "blind-r17-pca-eig-gram-unsorted": Scenario(
        grade_id="pca",
        source=edit(solution_cell(__file__, "pca"),
                    ("    _, _, Vt = np.linalg.svd(Hc, full_matrices=False)\n"
                     "    return Hc @ Vt[:2].T\n",
                     "    valeurs, vecteurs = np.linalg.eig(Hc.T @ Hc / len(Hc))\n"
                     "    return Hc @ vecteurs[:, :2].real\n")),
        must_fail=("test_projection_acp_centred_matrix",),
        may_fail=("test_projection_acp_small_example", "test_projection_acp_shifted_matrix"),
        message_contains=("np.linalg.eig ne trie pas ses valeurs propres",),
    ),
})
GROUPS["blind-r17-1"] = ("blind-r17-count-params-dict-layers", "blind-r17-separe-accuracy-threshold",
                         "blind-r17-pca-eig-unsorted")
GROUPS["blind-r17-2"] = ("blind-r17-count-params-set-of-layers", "blind-r17-separe-accuracy-isclose",
                         "blind-r17-pca-eig-gram-unsorted")
CORRECT.update({
    "blind-r17-correct-count-params-numpy-int64": Correct(
        grade_id="count_params",
        source='''def nombre_parametres(largeurs):
    """Nombre de poids et de biais d'un MLP dense de largeurs [h_0, h_1, ..., h_l]."""
    h = np.asarray(largeurs, dtype=np.int64)
    total = np.sum(h[:-1] * h[1:] + h[1:])  # poids + biais de chaque couche
    return total
''',
        why="the tester's: NumPy int64 arrays, an np.int64 returned",
    ),
    "blind-r17-correct-count-params-recursive": Correct(
        grade_id="count_params",
        source='''def nombre_parametres(largeurs):
    """Nombre de poids et de biais d'un MLP dense de largeurs [h_0, h_1, ..., h_l]."""
    largeurs = list(largeurs)
    if len(largeurs) < 2:
        return 0
    n, h = int(largeurs[0]), int(largeurs[1])
    return n * h + h + nombre_parametres(largeurs[1:])
''',
        why="the tester's: recursion on the tail of the list",
    ),
    "blind-r17-correct-separe-array-equal-helper": Correct(
        grade_id="xor_perceptron",
        source='''def _marche(z):
    # fonction marche : 1 si z > 0 (strict), 0 sinon
    return np.where(z > 0, 1, 0)


def separe_parfaitement(w, b, X, y):
    """True si f(x) = 1[w·x + b > 0] vaut y pour TOUS les exemples (lignes de X), False sinon."""
    z = np.dot(np.asarray(X, dtype=np.float64), np.asarray(w, dtype=np.float64)) + b
    return np.array_equal(_marche(z), np.asarray(y).astype(int).ravel())
''',
        why="the tester's: np.array_equal through a step helper, an np.bool_ returned",
    ),
    "blind-r17-correct-separe-python-loops": Correct(
        grade_id="xor_perceptron",
        source='''def separe_parfaitement(w, b, X, y):
    """True si f(x) = 1[w·x + b > 0] vaut y pour TOUS les exemples (lignes de X), False sinon."""
    # version avec des boucles, plus lisible pour moi
    for i in range(len(X)):
        s = float(b)
        for j in range(len(w)):
            s += float(w[j]) * float(X[i][j])
        sortie = 1 if s > 0 else 0
        if sortie != int(y[i]):
            return False
    return True
''',
        why="the tester's: Python loops with an early return (over 1000 examples too)",
    ),
    "blind-r17-correct-separe-count-errors": Correct(
        grade_id="xor_perceptron",
        source='''def separe_parfaitement(w, b, X, y):
    """True si f(x) = 1[w·x + b > 0] vaut y pour TOUS les exemples (lignes de X), False sinon."""
    sorties = np.asarray(X, dtype=float) @ np.asarray(w, dtype=float) + b > 0
    erreurs = np.count_nonzero(sorties.astype(int) != np.asarray(y))
    return erreurs == 0
''',
        why="counts the misclassified examples: zero errors",
    ),
    "blind-r17-correct-pca-eigh-sorted": Correct(
        grade_id="pca",
        source='''def projection_acp(H):
    """Projection des lignes de H (forme (N, h)) sur les 2 premières composantes principales : (N, 2)."""
    H = np.array(H, dtype=float)  # copie
    Hc = H - H.mean(axis=0, keepdims=True)
    C = Hc.T @ Hc / (len(Hc) - 1)  # matrice de covariance (h, h)
    valeurs, vecteurs = np.linalg.eigh(C)  # valeurs propres croissantes
    ordre = np.argsort(valeurs)[::-1]
    V2 = vecteurs[:, ordre[:2]]
    return Hc @ V2
''',
        why="the tester's: eigh of the covariance, sorted in decreasing order",
    ),
    "blind-r17-correct-pca-float32-u-times-s": Correct(
        grade_id="pca",
        source='''def projection_acp(H):
    """Projection des lignes de H (forme (N, h)) sur les 2 premières composantes principales : (N, 2)."""
    H32 = np.asarray(H, dtype=np.float32)
    moyenne = H32.mean(axis=0)
    Hc = H32 - moyenne
    U, S, Vt = np.linalg.svd(Hc, full_matrices=False)
    P = U[:, :2] * S[:2]
    print("variance expliquée par les 2 composantes :", (S[:2] ** 2).sum() / (S**2).sum())
    return P
''',
        why="the tester's: float32 SVD, U[:, :2] * S[:2]",
    ),
    "blind-r17-correct-pca-eig-sorted": Correct(
        grade_id="pca",
        source='''def projection_acp(H):
    """Projection des lignes de H (forme (N, h)) sur les 2 premières composantes principales : (N, 2)."""
    H = np.asarray(H, dtype=float)
    Hc = H - H.mean(axis=0)
    valeurs, vecteurs = np.linalg.eig(np.cov(Hc, rowvar=False))
    ordre = np.argsort(valeurs.real)[::-1]
    return Hc @ vecteurs[:, ordre[:2]].real
''',
        why="np.linalg.eig of the covariance, then sorted by decreasing eigenvalue",
    ),
})
CORRECT_GROUPS["blind-r17-correct-a"] = ("blind-r17-correct-count-params-numpy-int64",
                                         "blind-r17-correct-separe-array-equal-helper",
                                         "blind-r17-correct-pca-eigh-sorted")
CORRECT_GROUPS["blind-r17-correct-b"] = ("blind-r17-correct-count-params-recursive",
                                         "blind-r17-correct-separe-python-loops",
                                         "blind-r17-correct-pca-float32-u-times-s")
CORRECT_GROUPS["blind-r17-correct-c"] = ("blind-r17-correct-separe-count-errors",
                                         "blind-r17-correct-pca-eig-sorted")


# Blind answers, round 19. Kept every point: rule 3 with the 10 % taken of the FINAL value
# (final > min / 0.9, no hidden curve fell between 1.1 and 1.111 × min); projection_acp fitted
# once in a module-level dict, refitted only when the width changes (widths rarely repeated);
# separe_parfaitement comparing the number of predicted 1s with y's (no perceptron predicted two
# 1s on XOR); 8 ReLU units for XOR (2 % of random seeds fail; 3 grader seeds); Dropout left in
# training mode (the grader evaluated after eval()). Hint: the SGD shuffling generator made once
# with seed 0, named as an unseeded init. Each threshold of the curve rules is now drawn just
# above and just below (0.2–0.8 %); the PCA sends a matrix right after another of its shape;
# the perceptron meets count-matching wrong predictions; XOR adds 6 seeds whose initial first
# layer is mostly inactive on the 4 points, and reads the model as returned before eval().
SCENARIOS.update({
    "blind-r19-diag-margin-of-final": Scenario(
        grade_id="diagnose_curve",
        source=edit(solution_cell(__file__, "diagnose_curve"),
                    ("    if perte_val[-1] > 1.1 * perte_val.min():\n",
                     "    # remontée relative de la validation (en % de la valeur finale)\n"
                     "    remontee = (perte_val[-1] - perte_val.min()) / perte_val[-1]\n"
                     "    if remontee > 0.10:\n")),
        must_fail=("test_diagnostic_synthetic_curves",),
        message_contains=("mesurée en proportion de la valeur FINALE",),
    ),
    "blind-r19-diag-rule2-rounded": Scenario(
        grade_id="diagnose_curve",
        source=edit(solution_cell(__file__, "diagnose_curve"),
                    ("    if perte_train[-1] > L0 / 2:\n",
                     "    if round(perte_train[-1] / L0, 2) > 0.5:  # rapport arrondi au centième\n")),
        must_fail=("test_diagnostic_reads_first_and_last_epochs",),
        message_contains=("juste au-dessus de L0/2",),
    ),
    "blind-r19-diag-rule1-tolerance": Scenario(
        grade_id="diagnose_curve",
        source=edit(solution_cell(__file__, "diagnose_curve"),
                    ("    if perte_train.max() > 2 * L0:\n",
                     "    if perte_train.max() > 2.05 * L0:  # petite tolérance pour le bruit\n")),
        must_fail=("test_diagnostic_reads_first_and_last_epochs",),
        message_contains=("dépasse 2·L0 de moins de 1 %", "le seuil est mal placé"),
    ),
    "blind-r19-pca-cached-fit": Scenario(
        grade_id="pca",
        source='''_acp = {}  # l'ACP est « apprise » une fois, puis réutilisée (comme fit / transform)


def projection_acp(H):
    """Projection des lignes de H (forme (N, h)) sur les 2 premières composantes principales : (N, 2)."""
    H = np.asarray(H, dtype=float)
    if _acp.get("dim") != H.shape[1]:
        _acp["dim"] = H.shape[1]
        _acp["moyenne"] = H.mean(axis=0)
        _, _, Vt = np.linalg.svd(H - _acp["moyenne"], full_matrices=False)
        _acp["composantes"] = Vt[:2]
    return (H - _acp["moyenne"]) @ _acp["composantes"].T
''',
        must_fail=("test_projection_acp_shifted_matrix",),
        # Its two matrices have their own widths, which may repeat an earlier call's.
        may_fail=("test_projection_acp_centred_matrix",),
        message_contains=("dépend des appels précédents",),
    ),
    "blind-r19-separe-count-match": Scenario(
        grade_id="xor_perceptron",
        source='''def separe_parfaitement(w, b, X, y):
    """True si f(x) = 1[w·x + b > 0] vaut y pour TOUS les exemples (lignes de X), False sinon."""
    X = np.asarray(X, dtype=float)
    sorties = (X @ np.asarray(w, dtype=float) + b > 0).astype(int)
    # le perceptron doit trouver exactement autant de 1 que d'exemples positifs
    # et autant de 0 que d'exemples négatifs
    n_pos = int(np.sum(sorties))
    return n_pos == int(np.sum(y)) and (len(sorties) - n_pos) == int(np.sum(np.asarray(y) == 0))
''',
        must_fail=("test_separe_random_separable_data", "test_separe_xor_never_and_gates_sometimes"),
        message_contains=("la réponse compare des comptes",),
    ),
    "blind-r19-xor-relu8": Scenario(
        grade_id="xor_mlp",
        source=edit(solution_cell(__file__, "xor_mlp"),
                    ("    modele = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))\n",
                     "    modele = nn.Sequential(\n"
                     "        nn.Linear(2, 8),\n"
                     "        nn.ReLU(),  # ReLU, comme dans le cours\n"
                     "        nn.Linear(8, 2),\n"
                     "    )\n")),
        must_fail=("test_entrainer_xor_solves_xor_for_grader_seeds",),
        message_contains=("initialisation laisse la plupart des neurones de la première couche inactifs",),
    ),
    "blind-r19-xor-dropout-train-mode": Scenario(
        grade_id="xor_mlp",
        source='''def entrainer_xor(seed=0):
    """Construit et entraîne un MLP (2 entrées → couche cachée → 2 logits) sur XOR ; renvoie le modèle."""
    torch.manual_seed(seed)
    # un peu de dropout pour régulariser
    modele = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Dropout(0.5), nn.Linear(16, 2))
    optimiseur = torch.optim.Adam(modele.parameters(), lr=0.05)
    modele.train()
    for _ in range(300):
        optimiseur.zero_grad()
        perte = nn.functional.cross_entropy(modele(X_xor_t), y_xor_t)
        perte.backward()
        optimiseur.step()
    return modele
''',
        must_fail=("test_entrainer_xor_solves_xor_for_grader_seeds",),
        message_contains=("renvoyé en mode entraînement", "ses logits changent d'un appel à l'autre"),
    ),
    "blind-r19-sgd-generator-made-once-seed-0": Scenario(
        grade_id="sgd_digits",
        source=edit(solution_cell(__file__, "sgd_digits"),
                    ("def entrainer_sgd(",
                     "g = torch.Generator().manual_seed(0)  # générateur pour le mélange des exemples\n\n\n"
                     "def entrainer_sgd("),
                    ("    g = torch.Generator().manual_seed(seed)\n", "")),
        must_fail=("test_entrainer_sgd_uses_seed_and_lr",),
        message_contains=("partent des mêmes poids initiaux", "le générateur du mélange garde son état"),
    ),
})
GROUPS["blind-r19-1"] = ("blind-r19-diag-margin-of-final", "blind-r19-pca-cached-fit", "blind-r19-separe-count-match",
                         "blind-r19-xor-relu8", "blind-r19-sgd-generator-made-once-seed-0")
GROUPS["blind-r19-2"] = ("blind-r19-diag-rule2-rounded", "blind-r19-xor-dropout-train-mode")
GROUPS["blind-r19-3"] = ("blind-r19-diag-rule1-tolerance",)
CORRECT.update({
    "blind-r19-correct-diag-concat-any": Correct(
        grade_id="diagnose_curve",
        source='''def diagnostic_courbe(perte_train, perte_val):
    """Renvoie "divergence", "sous-apprentissage", "sur-apprentissage" ou "sain"."""
    tr = np.array(perte_train, dtype=np.float64)
    va = np.array(perte_val, dtype=np.float64)
    toutes = np.concatenate([tr.ravel(), va.ravel()])
    L0 = tr[0]
    # règle 1 : une valeur non finie, ou un dépassement de 2 L0
    if (~np.isfinite(toutes)).any() or np.any(tr > 2 * L0):
        diag = "divergence"
    # règle 2 : la perte finale n'a même pas été divisée par deux
    elif tr[-1] > 0.5 * L0:
        diag = "sous-apprentissage"
    # règle 3 : validation finale à plus de 10 % au-dessus de son minimum
    elif va[-1] > 1.1 * np.min(va):
        diag = "sur-apprentissage"
    else:
        diag = "sain"
    return diag
''',
        why="the tester's: np.concatenate then np.isfinite, np.any(tr > 2 * L0), an elif chain",
    ),
    "blind-r19-correct-diag-ratios-to-L0-and-min": Correct(
        grade_id="diagnose_curve",
        source='''def diagnostic_courbe(perte_train, perte_val):
    """Renvoie "divergence", "sous-apprentissage", "sur-apprentissage" ou "sain"."""
    tr = [float(v) for v in perte_train]
    va = [float(v) for v in perte_val]
    if not all(np.isfinite(tr + va)):
        return "divergence"
    L0 = tr[0]
    if max(tr) / L0 > 2:
        return "divergence"
    if tr[-1] / L0 > 0.5:
        return "sous-apprentissage"
    remontee = (va[-1] - min(va)) / min(va)  # en proportion du minimum
    if remontee > 0.1:
        return "sur-apprentissage"
    return "sain"
''',
        why="each rule as a ratio (to L0, to the minimum), Python lists: the same thresholds",
    ),
    "blind-r19-correct-pca-gram-eigh": Correct(
        grade_id="pca",
        source='''def projection_acp(H):
    """Projection des lignes de H (forme (N, h)) sur les 2 premières composantes principales : (N, 2)."""
    H = np.asarray(H, dtype=float)
    Hc = H - H.mean(axis=0)
    # matrice de Gram (N, N) : Hc Hc^T = U S² U^T, donc P = U[:, :2] * S[:2]
    G = Hc @ Hc.T
    valeurs, vecteurs = np.linalg.eigh(G)  # ordre croissant
    ordre = np.argsort(valeurs)[::-1][:2]
    lambdas = np.clip(valeurs[ordre], 0.0, None)
    return vecteurs[:, ordre] * np.sqrt(lambdas)
''',
        why="the tester's: eigh of the Gram matrix Hc Hcᵀ, sorted, U · S",
    ),
    "blind-r19-correct-pca-svd-transpose": Correct(
        grade_id="pca",
        source='''def projection_acp(H):
    """Projection des lignes de H (forme (N, h)) sur les 2 premières composantes principales : (N, 2)."""
    H = np.array(H, dtype=np.float64)
    moyenne = H.mean(axis=0, keepdims=True)
    Hc = H - moyenne
    # SVD de Hc^T : ses vecteurs singuliers à gauche sont les directions principales
    U, S, _ = np.linalg.svd(Hc.T, full_matrices=False)
    directions = U[:, :2]  # (h, 2)
    P = Hc @ directions
    print("variance expliquée :", (S[:2] ** 2 / np.sum(S**2)).round(3))
    return P
''',
        why="the tester's: SVD of Hcᵀ, its left singular vectors",
    ),
    "blind-r19-correct-pca-memo-by-content": Correct(
        grade_id="pca",
        source='''_memo = {}  # projections déjà calculées, par contenu de la matrice


def projection_acp(H):
    """Projection des lignes de H (forme (N, h)) sur les 2 premières composantes principales : (N, 2)."""
    H = np.ascontiguousarray(H, dtype=float)
    cle = (H.shape, H.tobytes())
    if cle not in _memo:
        Hc = H - H.mean(axis=0)
        _, _, Vt = np.linalg.svd(Hc, full_matrices=False)
        _memo[cle] = Hc @ Vt[:2].T
    return _memo[cle].copy()
''',
        why="a cache keyed by the matrix's content: the same H, the same projection; state kept "
            "between calls that never changes an answer",
    ),
    "blind-r19-correct-separe-ceil-clip": Correct(
        grade_id="xor_perceptron",
        source='''def separe_parfaitement(w, b, X, y):
    """True si f(x) = 1[w·x + b > 0] vaut y pour TOUS les exemples (lignes de X), False sinon."""
    X = np.array(X, dtype=np.float64)
    w = np.array(w, dtype=np.float64).reshape(-1)
    scores = X.dot(w) + float(b)
    # marche : ceil(s) >= 1 si s > 0, ceil(s) <= 0 si s <= 0 (ceil(0) = 0 : inégalité stricte)
    sorties = np.clip(np.ceil(scores), 0, 1).astype(int)
    nb_erreurs = int(np.count_nonzero(sorties != np.asarray(y).astype(int)))
    return nb_erreurs == 0
''',
        why="the tester's: the step as ceil clipped to [0, 1], zero errors",
    ),
    "blind-r19-correct-separe-zip-all": Correct(
        grade_id="xor_perceptron",
        source='''def separe_parfaitement(w, b, X, y):
    """True si f(x) = 1[w·x + b > 0] vaut y pour TOUS les exemples (lignes de X), False sinon."""
    w = np.asarray(w, dtype=float)
    return all(int(np.dot(w, x) + b > 0) == int(cible) for x, cible in zip(np.asarray(X, dtype=float), y))
''',
        why="all() over the examples, one by one",
    ),
    "blind-r19-correct-xor-sgd-momentum-early-stop": Correct(
        grade_id="xor_mlp",
        source='''class PetitMLP(nn.Module):
    def __init__(self, d_cache=10):
        super().__init__()
        self.cache = nn.Linear(2, d_cache)
        self.sortie = nn.Linear(d_cache, 2)

    def forward(self, x):
        return self.sortie(torch.tanh(self.cache(x)))


def entrainer_xor(seed=0):
    """Construit et entraîne un MLP (2 entrées → couche cachée → 2 logits) sur XOR ; renvoie le modèle."""
    torch.manual_seed(seed)
    modele = PetitMLP(10)
    optimiseur = torch.optim.SGD(modele.parameters(), lr=0.2, momentum=0.9)
    for pas in range(2000):
        optimiseur.zero_grad()
        perte = nn.functional.cross_entropy(modele(X_xor_t), y_xor_t)
        perte.backward()
        optimiseur.step()
        if perte.item() < 0.01:  # arrêt anticipé : XOR est appris
            break
    return modele
''',
        why="the tester's: 10 tanh units, SGD with momentum, early stop at loss < 0.01",
    ),
    "blind-r19-correct-xor-dropout-then-eval": Correct(
        grade_id="xor_mlp",
        source='''def entrainer_xor(seed=0):
    """Construit et entraîne un MLP (2 entrées → couche cachée → 2 logits) sur XOR ; renvoie le modèle."""
    torch.manual_seed(seed)
    modele = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Dropout(0.1), nn.Linear(16, 2))
    optimiseur = torch.optim.Adam(modele.parameters(), lr=0.05)
    modele.train()
    for _ in range(300):
        optimiseur.zero_grad()
        perte = nn.functional.cross_entropy(modele(X_xor_t), y_xor_t)
        perte.backward()
        optimiseur.step()
    modele.eval()  # mode évaluation : le Dropout ne tire plus rien
    return modele
''',
        why="Dropout during training, eval() before returning: the returned model's logits are a function",
    ),
    "blind-r19-correct-sgd-dataloader": Correct(
        grade_id="sgd_digits",
        source='''from torch.utils.data import DataLoader, TensorDataset


def entrainer_sgd(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):
    """Entraîne MLPDeuxCouches(D, hidden, 10) par SGD sur mini-lots mélangés ; renvoie le modèle."""
    X = torch.tensor(np.asarray(X_train), dtype=torch.float32)
    y = torch.tensor(np.asarray(y_train), dtype=torch.long)
    torch.manual_seed(seed)
    modele = MLPDeuxCouches(X.shape[1], hidden, 10)
    optimiseur = torch.optim.SGD(modele.parameters(), lr=lr)
    critere = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(seed)
    # le DataLoader mélange avec torch.randperm(N, generator=g) à chaque époque
    chargeur = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True, generator=g)
    modele.train()
    for epoque in range(epochs):
        for X_lot, y_lot in chargeur:
            optimiseur.zero_grad()
            perte = critere(modele(X_lot), y_lot)
            perte.backward()
            optimiseur.step()
    return modele
''',
        why="the tester's: a DataLoader shuffling with a generator made from seed at each call",
    ),
})
CORRECT_GROUPS["blind-r19-correct-a"] = ("blind-r19-correct-diag-concat-any", "blind-r19-correct-pca-gram-eigh",
                                         "blind-r19-correct-separe-ceil-clip",
                                         "blind-r19-correct-xor-sgd-momentum-early-stop",
                                         "blind-r19-correct-sgd-dataloader")
CORRECT_GROUPS["blind-r19-correct-b"] = ("blind-r19-correct-diag-ratios-to-L0-and-min",
                                         "blind-r19-correct-pca-svd-transpose",
                                         "blind-r19-correct-separe-zip-all", "blind-r19-correct-xor-dropout-then-eval")
CORRECT_GROUPS["blind-r19-correct-c"] = ("blind-r19-correct-pca-memo-by-content",)

# ------------------------------------------------------------ blind round 21 (hints)
# 02: n_bons == 4 (the XOR table's size) instead of len(y); 04: nn.Tanh after the last nn.Linear
# (8 tanh hidden units, no ReLU: the "dead ReLU" hint was wrong); 17: SGD with momentum=0.9;
# 24: centred with the scalar H.mean(). A loop over range(4) shows the second branch of 02's hint.
SCENARIOS.update({
    "blind-r21-separe-count-equals-four": Scenario(
        grade_id="xor_perceptron",
        source='''def separe_parfaitement(w, b, X, y):
    """True si f(x) = 1[w·x + b > 0] vaut y pour TOUS les exemples (lignes de X), False sinon."""
    sorties = (np.asarray(X) @ np.asarray(w) + b > 0).astype(int)
    n_bons = int((sorties == np.asarray(y)).sum())
    return n_bons == 4
''',
        must_fail=("test_separe_random_separable_data", "test_separe_convention_at_zero"),
        message_contains=("du nombre 4 écrit en dur",),
    ),
    "blind-r21-separe-first-four-rows": Scenario(
        grade_id="xor_perceptron",
        source='''def separe_parfaitement(w, b, X, y):
    """True si f(x) = 1[w·x + b > 0] vaut y pour TOUS les exemples (lignes de X), False sinon."""
    for i in range(4):  # les 4 points de la table
        if int(np.dot(X[i], w) + b > 0) != y[i]:
            return False
    return True
''',
        must_fail=("test_separe_random_separable_data",),
        # Its mislabelled example falls among the first 4 at some variants only.
        may_fail=("test_separe_convention_at_zero",),
        message_contains=("du nombre 4 écrit en dur",),
    ),
    "blind-r21-xor-tanh-after-last-linear": Scenario(
        grade_id="xor_mlp",
        source=edit(solution_cell(__file__, "xor_mlp"),
                    ("nn.Linear(8, 2))", "nn.Linear(8, 2), nn.Tanh())")),
        must_fail=("test_entrainer_xor_returns_a_module",),
        # Outputs in [-1, 1] still solve XOR at most grader seeds: 1 to 4 of 11 missed.
        may_fail=("test_entrainer_xor_solves_xor_for_grader_seeds",),
        message_contains=("applique une tanh (nn.Tanh, ou une autre fonction bornée) à la sortie de la dernière nn.Linear",),
    ),
    "blind-r21-sgd-momentum": Scenario(
        grade_id="sgd_digits",
        source=edit(solution_cell(__file__, "sgd_digits"),
                    ("torch.optim.SGD(modele.parameters(), lr=lr)",
                     "torch.optim.SGD(modele.parameters(), lr=lr, momentum=0.9)  # converge plus vite")),
        must_fail=("test_entrainer_sgd_batches_cover_the_epoch",),
        message_contains=("torch.optim.SGD avec un momentum",),
    ),
    "blind-r21-pca-global-mean": Scenario(
        grade_id="pca",
        source=edit(solution_cell(__file__, "pca"), ("H - H.mean(axis=0)", "H - H.mean()")),
        must_fail=("test_projection_acp_shifted_matrix",),
        message_contains=("la moyenne de TOUS ses coefficients", "H.mean(axis=0)"),
    ),
})
GROUPS["blind-r21-a"] = ("blind-r21-separe-count-equals-four", "blind-r21-xor-tanh-after-last-linear",
                         "blind-r21-sgd-momentum", "blind-r21-pca-global-mean")
GROUPS["blind-r21-b"] = ("blind-r21-separe-first-four-rows",)
CORRECT.update({
    "correct-r21-separe-loop-early-return": Correct(
        grade_id="xor_perceptron",
        source='''def separe_parfaitement(w, b, X, y):
    """True si f(x) = 1[w·x + b > 0] vaut y pour TOUS les exemples (lignes de X), False sinon."""
    for x_i, y_i in zip(X, y):
        s = 0.0
        for j in range(len(w)):
            s += float(w[j]) * float(x_i[j])
        sortie = 1 if s + b > 0 else 0
        if sortie != int(y_i):
            return False
    return True
''',
        why="the tester's: a loop over the rows with an early return, however many rows",
    ),
    "correct-r21-xor-module-functional-tanh": Correct(
        grade_id="xor_mlp",
        source='''class ReseauXOR(nn.Module):
    def __init__(self, n_cache=12):
        super().__init__()
        self.couche1 = nn.Linear(2, n_cache)
        self.couche2 = nn.Linear(n_cache, 2)

    def forward(self, x):
        return self.couche2(torch.tanh(self.couche1(x)))


def entrainer_xor(seed=0):
    """Construit et entraîne un MLP (2 entrées → couche cachée → 2 logits) sur XOR ; renvoie le modèle."""
    torch.manual_seed(seed)
    modele = ReseauXOR()
    opt = torch.optim.Adam(modele.parameters(), lr=0.03)
    for pas in range(400):
        logits = modele(X_xor_t)
        perte = nn.functional.cross_entropy(logits, y_xor_t)
        opt.zero_grad()
        perte.backward()
        opt.step()
    assert perte.item() < 0.5, perte.item()
    return modele
''',
        why="the tester's: tanh between the layers (torch.tanh in forward), the last nn.Linear returns the logits",
    ),
    "correct-r21-sgd-shuffled-copy": Correct(
        grade_id="sgd_digits",
        source='''def entrainer_sgd(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):
    """Entraîne MLPDeuxCouches(D, hidden, 10) par SGD sur mini-lots mélangés ; renvoie le modèle."""
    X = torch.tensor(np.asarray(X_train), dtype=torch.float32)
    y = torch.tensor(np.asarray(y_train), dtype=torch.long)
    N = X.shape[0]
    torch.manual_seed(seed)
    modele = MLPDeuxCouches(X.shape[1], hidden, 10)
    optimiseur = torch.optim.SGD(modele.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    n_lots = (N + batch_size - 1) // batch_size
    modele.train()
    for epoque in range(epochs):
        ordre = torch.randperm(N, generator=g)
        X_melange, y_melange = X[ordre], y[ordre]
        for i in range(n_lots):
            X_lot = X_melange[i * batch_size : (i + 1) * batch_size]
            y_lot = y_melange[i * batch_size : (i + 1) * batch_size]
            optimiseur.zero_grad()
            perte = nn.functional.cross_entropy(modele(X_lot), y_lot)
            perte.backward()
            optimiseur.step()
    return modele
''',
        why="the tester's: a shuffled copy of the set sliced per batch, plain SGD (no momentum)",
    ),
    "correct-r21-pca-eigh-keepdims": Correct(
        grade_id="pca",
        source='''def projection_acp(H):
    """Projection des lignes de H (forme (N, h)) sur les 2 premières composantes principales : (N, 2)."""
    H = np.asarray(H, dtype=np.float64)
    Hc = H - H.mean(axis=0, keepdims=True)
    C = Hc.T @ Hc / (Hc.shape[0] - 1)
    valeurs, vecteurs = np.linalg.eigh(C)
    ordre = np.argsort(valeurs)[::-1]
    V2 = vecteurs[:, ordre[:2]]
    return Hc @ V2
''',
        why="the tester's: column means (keepdims), eigh of the covariance sorted in decreasing order",
    ),
})
CORRECT_GROUPS["correct-r21-a"] = ("correct-r21-separe-loop-early-return", "correct-r21-xor-module-functional-tanh",
                                   "correct-r21-sgd-shuffled-copy", "correct-r21-pca-eigh-keepdims")
