"""Realistic wrong answers for TP08, as data: each replaces one answer cell of the solution.

`must_fail` names the checks that must lose points (failed, or partial credit);
every other check of the same item must keep its points, so each scenario shows exactly
which check catches the mistake. `message_contains` are substrings that must appear in
the French message of at least one of those checks: the hint that names the fault.
`affects` lists other items that may lose points as a consequence.

The covariate-shift items are measured by the grader (it trains the student's models and
rotates its own test images): their wrong answers lose points because the grader's own
accuracies change, not because a value differs.
"""

from __future__ import annotations

from tests.tp_harness import Scenario

_ECE_SOLUTION = '''

def ece(confiances, correct, n_bins=15):
    """L'ECE de la solution, à partir de fiabilite."""
    bins = fiabilite(confiances, correct, n_bins)
    poids = bins["compte"] / bins["compte"].sum()
    return float(np.sum(poids * np.abs(bins["precision"] - bins["confiance"])))
'''

_FIABILITE_SOLUTION = '''def fiabilite(confiances, correct, n_bins=15):
    """La fiabilité de la solution."""
    confiances = np.asarray(confiances, dtype=float)
    correct = np.asarray(correct, dtype=float)
    bords = np.linspace(0.0, 1.0, n_bins + 1)
    indice = np.clip(np.searchsorted(bords, confiances, side="right") - 1, 0, n_bins - 1)
    compte = np.bincount(indice, minlength=n_bins).astype(float)
    diviseur = np.maximum(compte, 1.0)
    return {
        "compte": compte,
        "confiance": np.bincount(indice, weights=confiances, minlength=n_bins) / diviseur,
        "precision": np.bincount(indice, weights=correct, minlength=n_bins) / diviseur,
    }
'''

_ECE_ALL = (
    "test_ece_public_example",
    "test_fiabilite_matches_reference",
    "test_ece_matches_reference",
)

_TEMPERATURE_SOLUTION_FIT = '''

def ajuster_temperature(logits_val, y_val):
    """Recherche sur grille de la NLL, comme la solution."""
    y_val = np.asarray(y_val, dtype=int)
    lignes = np.arange(len(y_val))

    def nll(T):
        p = appliquer_temperature(logits_val, T)
        return -np.mean(np.log(np.maximum(p[lignes, y_val], 1e-300)))

    grille = np.exp(np.linspace(np.log(0.05), np.log(20.0), 121))
    meilleur = grille[int(np.argmin([nll(T) for T in grille]))]
    fine = meilleur * np.exp(np.linspace(-0.06, 0.06, 121))
    return float(fine[int(np.argmin([nll(T) for T in fine]))])
'''

_VALIDATION_REST = '''

def decouper(n, p_val=0.15, p_test=0.15, seed=0):
    """Le découpage de la solution."""
    ordre = np.random.default_rng(seed).permutation(n)
    n_val, n_test = int(round(p_val * n)), int(round(p_test * n))
    return ordre[n_val + n_test :], ordre[:n_val], ordre[n_val : n_val + n_test]


def validation_croisee(X, y, k, alpha=1.0):
    """La validation croisée de la solution, sur les plis de plis_kfold."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    n, d = X.shape
    erreurs = []
    for val in plis_kfold(n, k):
        app = np.setdiff1d(np.arange(n), val)
        w = np.linalg.solve(X[app].T @ X[app] + alpha * np.eye(d), X[app].T @ y[app])
        erreurs.append(np.mean((X[val] @ w - y[val]) ** 2))
    return float(np.mean(erreurs)), float(np.std(erreurs))
'''

_PRECISION_SOLUTION = '''

def precision_par_angle(modele, X, y, angles):
    """La courbe de la solution, avec tourner."""
    modele.eval()
    y = np.asarray(y)
    precisions = []
    with torch.no_grad():
        for angle in angles:
            logits = modele(torch.tensor(tourner(X, angle), dtype=torch.float32))
            precisions.append(float((logits.argmax(dim=1).numpy() == y).mean()))
    return np.array(precisions)
'''

SCENARIOS: dict[str, Scenario] = {
    # ------------------------------------------------------------ ECE
    "submission-ece-without-bin-weights": Scenario(
        grade_id="ece",
        source=_FIABILITE_SOLUTION
        + '''

def ece(confiances, correct, n_bins=15):
    """Moyenne simple des écarts des bins non vides, sans pondération."""
    bins = fiabilite(confiances, correct, n_bins)
    plein = bins["compte"] > 0
    return float(np.mean(np.abs(bins["precision"] - bins["confiance"])[plein]))
''',
        must_fail=("test_ece_public_example", "test_ece_matches_reference"),
        message_contains=("pondéré par sa population",),
    ),
    "submission-ece-bins-on-accuracy-not-confidence": Scenario(
        grade_id="ece",
        source='''def fiabilite(confiances, correct, n_bins=15):
    """Range les prédictions selon correct au lieu de leur confiance."""
    confiances = np.asarray(confiances, dtype=float)
    correct = np.asarray(correct, dtype=float)
    bords = np.linspace(0.0, 1.0, n_bins + 1)
    indice = np.clip(np.searchsorted(bords, correct, side="right") - 1, 0, n_bins - 1)
    compte = np.bincount(indice, minlength=n_bins).astype(float)
    diviseur = np.maximum(compte, 1.0)
    return {
        "compte": compte,
        "confiance": np.bincount(indice, weights=confiances, minlength=n_bins) / diviseur,
        "precision": np.bincount(indice, weights=correct, minlength=n_bins) / diviseur,
    }
'''
        + _ECE_SOLUTION,
        must_fail=_ECE_ALL,
        message_contains=("selon leur exactitude (correct) et non selon leur confiance",),
    ),
    "submission-ece-drops-confidence-one": Scenario(
        grade_id="ece",
        source='''def fiabilite(confiances, correct, n_bins=15):
    """Indice floor(c · M) : la confiance 1.0 tombe hors des bins et est écartée."""
    confiances = np.asarray(confiances, dtype=float)
    correct = np.asarray(correct, dtype=float)
    indice = np.floor(confiances * n_bins).astype(int)
    garde = indice < n_bins
    indice, confiances, correct = indice[garde], confiances[garde], correct[garde]
    compte = np.bincount(indice, minlength=n_bins).astype(float)
    diviseur = np.maximum(compte, 1.0)
    return {
        "compte": compte,
        "confiance": np.bincount(indice, weights=confiances, minlength=n_bins) / diviseur,
        "precision": np.bincount(indice, weights=correct, minlength=n_bins) / diviseur,
    }
'''
        + _ECE_SOLUTION,
        must_fail=_ECE_ALL,
        message_contains=("exactement égales à 1.0 sont perdues",),
    ),
    # ------------------------------------------------------------ temperature
    "submission-temperature-multiplies-logits": Scenario(
        grade_id="temperature",
        source='''def appliquer_temperature(logits, T):
    """Multiplie les logits par T au lieu de les diviser."""
    z = np.asarray(logits, dtype=float) * T
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
'''
        + _TEMPERATURE_SOLUTION_FIT,
        must_fail=("test_appliquer_temperature_example", "test_temperature_matches_nll_optimum"),
        message_contains=("vous multipliez les logits par T", "multipliés par T au lieu"),
    ),
    # ------------------------------------------------------------ k-fold
    "submission-kfold-overlapping-folds": Scenario(
        grade_id="validation",
        source='''def plis_kfold(n, k):
    """Plis de taille ⌈n/k⌉ qui avancent de n // k : ils se recouvrent."""
    taille, pas = -(-n // k), n // k
    return [np.arange(i * pas, min(n, i * pas + taille)) for i in range(k)]
'''
        + _VALIDATION_REST,
        must_fail=(
            "test_plis_kfold_small",
            "test_plis_kfold_matches_sklearn",
            "test_validation_croisee_matches_reference",
        ),
        message_contains=("les plis se recouvrent",),
    ),
    # ------------------------------------------------------------ OOD
    "submission-auroc-inverted": Scenario(
        grade_id="ood",
        source='''def score_msp(logits):
    """Le score de la solution."""
    return softmax(logits).max(axis=1)


def auroc(etiquettes, scores):
    """Compte les paires où le négatif a le plus grand score."""
    etiquettes = np.asarray(etiquettes).astype(bool)
    scores = np.asarray(scores, dtype=float)
    pos, neg = scores[etiquettes][:, None], scores[~etiquettes][None, :]
    return float(np.mean(pos < neg) + 0.5 * np.mean(pos == neg))
''',
        must_fail=("test_ood_basic", "test_auroc_matches_sklearn"),
        message_contains=("1 − AUROC",),
    ),
    # ------------------------------------------------------------ bias-variance
    "submission-bias-variance-swapped": Scenario(
        grade_id="biais_variance",
        source='''def biais_variance(degre, seed, n_essais=100, n=30, bruit=0.3):
    """Renvoie la variance sous le nom biais2 et inversement."""
    rng = np.random.default_rng(seed)
    preds = np.empty((n_essais, len(X_EVAL)))
    for e in range(n_essais):
        x, y = tirer_donnees(rng, n, bruit)
        preds[e] = np.polyval(np.polyfit(x, y, degre), X_EVAL)
    moyenne = preds.mean(axis=0)
    return {
        "variance": float(np.mean((moyenne - f_vraie(X_EVAL)) ** 2)),
        "biais2": float(np.mean(preds.var(axis=0))),
    }
''',
        must_fail=("test_biais_variance_matches_simulation", "test_biais_variance_trends"),
        message_contains=("biais² et variance sont échangés",),
    ),
    # ------------------------------------------------------------ covariate shift
    "submission-rotation-default-axes": Scenario(
        grade_id="rotation",
        source='''def tourner(images, angle):
    """rotate sans préciser axes : sur un tableau 4-D, il tourne dans le plan des axes 0 et 1."""
    return rotate(images, angle, reshape=False, order=1)
'''
        + _PRECISION_SOLUTION,
        must_fail=(
            "test_tourner_small_examples",
            "test_tourner_matches_scipy",
            "test_precision_par_angle_matches_reference",
        ),
        message_contains=("vous tournez dans le plan des deux premiers axes",),
    ),
    "submission-shift-mlp-too-wide": Scenario(
        grade_id="modeles_rotation",
        source='''def creer_mlp():
    """Un MLP 64 -> 256 -> 10 : près de quatre fois les paramètres du CNN."""
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10))


def creer_cnn():
    """Le CNN de la solution."""
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.AdaptiveMaxPool2d(1),
        nn.Flatten(),
        nn.Linear(32, 10),
    )
''',
        must_fail=("test_models_shapes_and_sizes",),
        message_contains=("le plus grand dépasse 1,5 fois le plus petit",),
    ),
    "submission-shift-trains-with-rotations": Scenario(
        grade_id="entrainer_rotation",
        source='''def entrainer(modele, X_train, y_train, epochs=25, lr=0.005, batch_size=64, seed=0):
    """Augmente les données : chaque mini-lot est tourné d'un angle tiré entre -60° et 60°."""
    generateur = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)
    modele.train()
    N = len(X_train)
    for _ in range(epochs):
        ordre = torch.randperm(N, generator=generateur)
        for debut in range(0, N, batch_size):
            lot = ordre[debut : debut + batch_size]
            X_lot = torch.tensor(tourner(X_train[lot].numpy(), rng.uniform(-60, 60)), dtype=torch.float32)
            optimiseur.zero_grad()
            F.cross_entropy(modele(X_lot), y_train[lot]).backward()
            optimiseur.step()
    return modele
''',
        must_fail=("test_models_learn_upright_digits", "test_accuracy_drops_under_rotation"),
        message_contains=("N'augmentez pas les données",),
        affects=("modeles_rotation",),
    ),
}

# Scenarios graded together in one notebook: within a group they touch different items
# whose checks are independent (the grader computes every reference itself).
GROUPS: dict[str, tuple[str, ...]] = {
    "mistakes-1": (
        "submission-ece-without-bin-weights",
        "submission-temperature-multiplies-logits",
        "submission-kfold-overlapping-folds",
        "submission-auroc-inverted",
        "submission-bias-variance-swapped",
        "submission-rotation-default-axes",
        "submission-shift-mlp-too-wide",
    ),
    "mistakes-2": (
        "submission-ece-bins-on-accuracy-not-confidence",
        "submission-shift-trains-with-rotations",
    ),
    "mistakes-3": ("submission-ece-drops-confidence-one",),
}
