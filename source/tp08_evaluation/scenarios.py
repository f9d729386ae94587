"""Realistic wrong answers for TP08, as data: each replaces one answer cell of the solution.

`must_fail` names the checks that must lose points (failed, or partial credit);
every other check of the same item must keep its points, so each scenario shows exactly
which check catches the mistake. `message_contains` are substrings that must appear in
the French message of at least one of those checks: the hint that names the fault.
`affects` lists other items that may lose points as a consequence.

The covariate-shift items are measured by the grader (it trains the student's models and
rotates its own test images): their wrong answers lose points because the grader's own
accuracies change, not because a value differs.

A wrong answer is written as its change to the solution (`_solution`, `_cell`) or to a base
below, so that the fault is the edit.
"""

from __future__ import annotations

from functools import partial

from autograder.prove import Correct, Scenario, edit, solution_cell, solution_with_docs

_solution = partial(solution_with_docs, __file__)


def _cell(grade_id: str) -> str:
    """The solution's cell `grade_id` without its final newline (how issue 12's scenarios took it)."""
    return solution_cell(__file__, grade_id)[:-1]


# fiabilite and ece with the solution's algorithm, the bin sums written in the returned dict.
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

_ECE_SOLUTION = '''

def ece(confiances, correct, n_bins=15):
    """L'ECE de la solution, à partir de fiabilite."""
    bins = fiabilite(confiances, correct, n_bins)
    poids = bins["compte"] / bins["compte"].sum()
    return float(np.sum(poids * np.abs(bins["precision"] - bins["confiance"])))
'''


def _fiabilite(doc: str, *changes: tuple[str, str]) -> str:
    """fiabilite above documented by `doc` with `changes` applied, then the solution's ece."""
    return edit(_FIABILITE_SOLUTION, ('"""La fiabilité de la solution."""', f'"""{doc}"""'), *changes) + _ECE_SOLUTION


_ECE_ALL = (
    "test_ece_public_example",
    "test_fiabilite_matches_reference",
    "test_ece_matches_reference",
)


def _temperature(doc: str, *changes: tuple[str, str]) -> str:
    """The solution's temperature cell, appliquer_temperature documented by `doc` and changed."""
    return edit(
        _solution("temperature", doc, "Recherche sur grille de la NLL, comme la solution."),
        ("    # Grille grossière (pas de 5 %) puis grille fine (pas de 0,1 %) autour du meilleur point.\n", ""),
        *changes,
    )


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

SCENARIOS: dict[str, Scenario] = {
    # ------------------------------------------------------------ ECE
    "submission-ece-without-bin-weights": Scenario(
        grade_id="ece",
        source=_FIABILITE_SOLUTION + edit(
            _ECE_SOLUTION,
            ("L'ECE de la solution, à partir de fiabilite.", "Moyenne simple des écarts des bins non vides, sans pondération."),
            ('    poids = bins["compte"] / bins["compte"].sum()\n', '    plein = bins["compte"] > 0\n'),
            ("np.sum(poids * np.abs(", "np.mean(np.abs("),
            ('bins["confiance"])))', 'bins["confiance"])[plein]))'),
        ),
        must_fail=("test_ece_public_example", "test_ece_matches_reference"),
        message_contains=("pondéré par sa population",),
    ),
    "submission-ece-bins-on-accuracy-not-confidence": Scenario(
        grade_id="ece",
        source=_fiabilite(
            "Range les prédictions selon correct au lieu de leur confiance.",
            ("np.searchsorted(bords, confiances,", "np.searchsorted(bords, correct,"),
        ),
        must_fail=_ECE_ALL,
        message_contains=("selon leur exactitude (correct) et non selon leur confiance",),
    ),
    "submission-ece-drops-confidence-one": Scenario(
        grade_id="ece",
        source=_fiabilite(
            "Indice floor(c · M) : la confiance 1.0 tombe hors des bins et est écartée.",
            (
                '    bords = np.linspace(0.0, 1.0, n_bins + 1)\n'
                '    indice = np.clip(np.searchsorted(bords, confiances, side="right") - 1, 0, n_bins - 1)\n',
                "    indice = np.floor(confiances * n_bins).astype(int)\n"
                "    garde = indice < n_bins\n"
                "    indice, confiances, correct = indice[garde], confiances[garde], correct[garde]\n",
            ),
        ),
        must_fail=_ECE_ALL,
        message_contains=("exactement égales à 1.0 sont perdues",),
    ),
    # ------------------------------------------------------------ temperature
    "submission-temperature-multiplies-logits": Scenario(
        grade_id="temperature",
        source=_temperature(
            "Multiplie les logits par T au lieu de les diviser.",
            ("z = np.asarray(logits, dtype=float) / T", "z = np.asarray(logits, dtype=float) * T"),
        ),
        must_fail=(
            "test_appliquer_temperature_example",
            "test_temperature_matches_nll_optimum",
            "test_temperature_lowers_test_ece",  # appliquer_temperature is checked on its own there
        ),
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
        source=edit(
            _solution("ood", "Le score de la solution.", "Compte les paires où le négatif a le plus grand score."),
            ("np.mean(pos > neg)", "np.mean(pos < neg)"),
        ),
        must_fail=("test_ood_basic", "test_auroc_matches_sklearn"),
        message_contains=("1 − AUROC",),
    ),
    # ------------------------------------------------------------ bias-variance
    "submission-bias-variance-swapped": Scenario(
        grade_id="biais_variance",
        source=edit(
            _solution("biais_variance", "Renvoie la variance sous le nom biais2 et inversement."),
            ('"biais2": float(np.mean((moyenne', '"variance": float(np.mean((moyenne'),
            ('"variance": float(np.mean(preds', '"biais2": float(np.mean(preds'),
        ),
        must_fail=("test_biais_variance_matches_simulation", "test_biais_variance_trends"),
        message_contains=("biais² et variance sont échangés",),
    ),
    # ------------------------------------------------------------ covariate shift
    "submission-rotation-default-axes": Scenario(
        grade_id="rotation",
        source=edit(
            _solution(
                "rotation",
                "rotate sans préciser axes : sur un tableau 4-D, il tourne dans le plan des axes 0 et 1.",
                "La courbe de la solution, avec tourner.",
            ),
            (
                'rotate(np.asarray(images), angle, axes=(2, 3), reshape=False, order=1, mode="constant", cval=0.0)',
                "rotate(images, angle, reshape=False, order=1)",
            ),
        ),
        must_fail=(
            "test_tourner_small_examples",
            "test_tourner_matches_scipy",
            "test_precision_par_angle_matches_reference",
        ),
        message_contains=("vous ne tournez pas dans le plan des deux derniers axes",),
    ),
    "submission-shift-mlp-too-wide": Scenario(
        grade_id="modeles_rotation",
        source=edit(
            _solution(
                "modeles_rotation",
                "Un MLP 64 -> 256 -> 10 : près de quatre fois les paramètres du CNN.",
                "Le CNN de la solution.",
            ),
            ("nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)", "nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10)"),
        ),
        must_fail=("test_models_shapes_and_sizes", "test_cnn_more_robust_than_mlp"),
        message_contains=("le plus grand dépasse 1,5 fois le plus petit",),
    ),
    "submission-shift-trains-with-rotations": Scenario(
        grade_id="entrainer_rotation",
        source=edit(
            _solution(
                "entrainer_rotation",
                "Augmente les données : chaque mini-lot est tourné d'un angle tiré entre -60° et 60°.",
            ),
            ("manual_seed(seed)\n", "manual_seed(seed)\n    rng = np.random.default_rng(seed)\n"),
            (
                "            optimiseur.zero_grad()\n",
                "            X_lot = torch.tensor(tourner(X_train[lot].numpy(), rng.uniform(-60, 60)), dtype=torch.float32)\n"
                "            optimiseur.zero_grad()\n",
            ),
            (
                "            perte = F.cross_entropy(modele(X_train[lot]), y_train[lot])\n            perte.backward()\n",
                "            F.cross_entropy(modele(X_lot), y_train[lot]).backward()\n",
            ),
        ),
        must_fail=("test_models_learn_upright_digits", "test_accuracy_drops_under_rotation"),
        message_contains=("N'augmentez pas les données",),
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

# ---------------------------------------------------------------- correct variants near a tolerance
# Correct code that a too-tight tolerance used to fail (issue 12, item 5). Merged into
# CORRECT/CORRECT_GROUPS, which other variants of this file may define above.
_TOLERANCE_VARIANTS = {
    "correct-ece-float32": Correct(
        grade_id="ece",
        source=edit(
            _fiabilite("Tout en float32, comme les sorties d'un modèle float32."),
            ("np.asarray(confiances, dtype=float)", "np.asarray(confiances, dtype=np.float32)"),
            ("np.asarray(correct, dtype=float)", "np.asarray(correct, dtype=np.float32)"),
            ("n_bins + 1)", "n_bins + 1, dtype=np.float32)"),
            (".astype(float)", ".astype(np.float32)"),
            ("np.maximum(compte, 1.0)", "np.maximum(compte, np.float32(1.0))"),
            ('"confiance": np.bincount(indice, weights=confiances, minlength=n_bins) / diviseur,',
             '"confiance": (np.bincount(indice, weights=confiances, minlength=n_bins) / diviseur).astype(np.float32),'),
            ('"precision": np.bincount(indice, weights=correct, minlength=n_bins) / diviseur,',
             '"precision": (np.bincount(indice, weights=correct, minlength=n_bins) / diviseur).astype(np.float32),'),
            ("L'ECE de la solution, à partir de fiabilite.",
             "L'ECE en float32 (0.11199999 au lieu de 0.112 sur l'exemple du cours)."),
            ("return float(np.sum(poids * np.abs(bins[\"precision\"] - bins[\"confiance\"])))",
             "return np.float32(np.sum(poids * np.abs(bins[\"precision\"] - bins[\"confiance\"]), dtype=np.float32))"),
        ),
        why="float32 ECE: 0.11199999 on the course example, ~1e-8 from the float64 value",
    ),
}
CORRECT = {**globals().get("CORRECT", {}), **_TOLERANCE_VARIANTS}
CORRECT_GROUPS = {
    **globals().get("CORRECT_GROUPS", {}),
    "correct-tolerances": tuple(_TOLERANCE_VARIANTS),
}

# ---------------------------------------------------------------- issue 12: inputs, mechanisms
# Wrong answers that kept their points before the checks drew edge confidences, large logits,
# repeated seeds, a grader model with dropout and a stand-in model recording the training.
_MORE_SCENARIOS = {
    "submission-ece-bins-closed-on-the-right": Scenario(
        grade_id="ece",
        source='''def fiabilite(confiances, correct, n_bins=15):
    """Bins (lo, hi] comme dans le code de Guo et al. : un bord va dans le bin qui finit là."""
    confiances = np.asarray(confiances, dtype=float)
    correct = np.asarray(correct, dtype=float)
    bords = np.linspace(0.0, 1.0, n_bins + 1)
    compte, conf, prec = np.zeros(n_bins), np.zeros(n_bins), np.zeros(n_bins)
    for m in range(n_bins):
        dans = (confiances > bords[m]) & (confiances <= bords[m + 1])
        compte[m] = dans.sum()
        if compte[m] > 0:
            conf[m] = confiances[dans].mean()
            prec[m] = correct[dans].mean()
    return {"compte": compte, "confiance": conf, "precision": prec}
''' + _ECE_SOLUTION,
        must_fail=("test_fiabilite_matches_reference", "test_ece_matches_reference"),
        message_contains=("FINIT là",),
    ),
    "submission-temperature-softmax-overflows": Scenario(
        grade_id="temperature",
        source=_temperature(
            "exp puis normalisation, sans soustraire le maximum.",
            (
                "    z = np.asarray(logits, dtype=float) / T\n"
                "    z = z - z.max(axis=1, keepdims=True)\n"
                "    e = np.exp(z)\n",
                "    e = np.exp(np.asarray(logits, dtype=float) / T)\n",
            ),
        ),
        # the NLL search over 0.05..20 on a very confident classifier overflows too, and the
        # NLL check says so (not only that T is far from the optimum)
        must_fail=("test_temperature_lowers_test_ece", "test_temperature_matches_nll_optimum"),
        message_contains=("déborde", "la recherche s'arrête au bas de la plage"),
    ),
    "submission-decouper-ignores-seed": Scenario(
        grade_id="validation",
        source=edit(_cell("validation"), ("np.random.default_rng(seed).permutation(n)", "np.random.permutation(n)")),
        must_fail=("test_decouper_disjoint_and_proportions",),
        message_contains=("graine seule",),
    ),
    "submission-precision-par-angle-forgets-eval": Scenario(
        grade_id="rotation",
        source=edit(_cell("rotation"), ("    modele.eval()\n", "")),
        must_fail=("test_precision_par_angle_matches_reference",),
        message_contains=("modele.eval()",),
    ),
    "submission-creer-mlp-returns-one-shared-model": Scenario(
        grade_id="modeles_rotation",
        source=edit(
            _cell("modeles_rotation"),
            ("    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))",
             "    return MLP_UNIQUE"),
            ("def creer_mlp():",
             "MLP_UNIQUE = nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))\n\n\n"
             "def creer_mlp():"),
        ),
        must_fail=("test_cnn_more_robust_than_mlp",),
        message_contains=("NOUVEAU modèle",),
    ),
    "submission-entrainer-shuffles-once": Scenario(
        grade_id="entrainer_rotation",
        source=edit(
            _cell("entrainer_rotation"),
            ("    for _ in range(epochs):\n        ordre = torch.randperm(N, generator=generateur)\n",
             "    ordre = torch.randperm(N, generator=generateur)  # mélangé une fois\n    for _ in range(epochs):\n"),
        ),
        must_fail=("test_models_learn_upright_digits",),
        message_contains=("même ordre à chaque époque", "une seule permutation est tirée"),
    ),
    "submission-entrainer-ignores-seed": Scenario(
        grade_id="entrainer_rotation",
        source=edit(_cell("entrainer_rotation"), ("torch.randperm(N, generator=generateur)", "torch.randperm(N)")),
        must_fail=("test_models_learn_upright_digits",),
        message_contains=("argument seed",),
    ),
}
SCENARIOS = {**SCENARIOS, **_MORE_SCENARIOS}
GROUPS = {
    **GROUPS,
    "inputs-1": (
        "submission-ece-bins-closed-on-the-right",
        "submission-temperature-softmax-overflows",
        "submission-decouper-ignores-seed",
        "submission-precision-par-angle-forgets-eval",
        "submission-creer-mlp-returns-one-shared-model",
        "submission-entrainer-shuffles-once",
    ),
    "inputs-2": ("submission-entrainer-ignores-seed",),
}

# ---------------------------------------------------------------- issue 12: alternative correct answers
_ALTERNATIVES = {
    "correct-ece-loops-floor": Correct(
        grade_id="ece",
        source='''def fiabilite(confiances, correct, n_bins=15):
    """Une boucle sur les prédictions, bin = floor(c · M) borné au dernier."""
    compte = np.zeros(n_bins)
    somme_conf = np.zeros(n_bins)
    somme_ok = np.zeros(n_bins)
    for c, ok in zip(confiances, correct):
        m = min(int(c * n_bins), n_bins - 1)
        compte[m] += 1
        somme_conf[m] += c
        somme_ok[m] += float(ok)
    confiance = np.zeros(n_bins)
    precision = np.zeros(n_bins)
    for m in range(n_bins):
        if compte[m] > 0:
            confiance[m] = somme_conf[m] / compte[m]
            precision[m] = somme_ok[m] / compte[m]
    return {"compte": compte, "confiance": confiance, "precision": precision}


def ece(confiances, correct, n_bins=15):
    """Somme explicite sur les bins."""
    b = fiabilite(confiances, correct, n_bins)
    n = len(confiances)
    total = 0.0
    for m in range(n_bins):
        total += b["compte"][m] / n * abs(b["precision"][m] - b["confiance"][m])
    return total
''',
        why="loops over predictions and bins, floor(c·M) clipped, a plain float",
    ),
    "correct-temperature-scipy": Correct(
        grade_id="temperature",
        source='''from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax as sp_softmax


def appliquer_temperature(logits, T):
    """scipy.special.softmax, stable."""
    return sp_softmax(np.asarray(logits, dtype=np.float64) / T, axis=1)


def ajuster_temperature(logits_val, y_val):
    """NLL minimisée par minimize_scalar sur log T, une NLL écrite avec log_softmax."""
    logits_val = np.asarray(logits_val, dtype=float)
    y_val = np.asarray(y_val).astype(int)

    def nll(log_t):
        return -log_softmax(logits_val / np.exp(log_t), axis=1)[np.arange(len(y_val)), y_val].mean()

    res = minimize_scalar(nll, bounds=(np.log(0.05), np.log(20)), method="bounded")
    print("T =", np.exp(res.x))
    return float(np.exp(res.x))
''',
        why="scipy softmax and minimize_scalar instead of a grid, a print",
    ),
    "correct-validation-array-split-sklearn-ridge": Correct(
        grade_id="validation",
        source='''from sklearn.linear_model import Ridge


def decouper(n, p_val=0.15, p_test=0.15, seed=0):
    """rng.permutation puis np.split."""
    rng = np.random.default_rng(seed)
    idx = rng.permutation(n)
    n_val, n_test = round(p_val * n), round(p_test * n)
    val, test, train = np.split(idx, [n_val, n_val + n_test])
    return train, val, test


def plis_kfold(n, k):
    """np.array_split, comme KFold."""
    return np.array_split(np.arange(n), k)


def validation_croisee(X, y, k, alpha=1.0):
    """Ridge de scikit-learn sans intercept."""
    mse = []
    for val in plis_kfold(len(X), k):
        masque = np.ones(len(X), dtype=bool)
        masque[val] = False
        modele = Ridge(alpha=alpha, fit_intercept=False).fit(X[masque], y[masque])
        mse.append(((modele.predict(X[val]) - y[val]) ** 2).mean())
    return np.mean(mse), np.std(mse)
''',
        why="np.split, np.array_split, sklearn's Ridge, numpy floats",
    ),
    "correct-ood-ranks-logsumexp": Correct(
        grade_id="ood",
        source='''from scipy.special import logsumexp
from scipy.stats import rankdata


def score_msp(logits):
    """exp(max − logsumexp), en float32 converti."""
    z = np.asarray(logits, dtype=float)
    return np.exp(z.max(axis=1) - logsumexp(z, axis=1))


def auroc(etiquettes, scores):
    """Statistique de Mann-Whitney sur les rangs moyens (ex æquo compris)."""
    y = np.asarray(etiquettes) == 1
    rangs = rankdata(scores)
    n_pos, n_neg = y.sum(), (~y).sum()
    return (rangs[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
''',
        why="logsumexp, Mann-Whitney ranks instead of all pairs",
    ),
    "correct-biais-variance-loop": Correct(
        grade_id="biais_variance",
        source='''def biais_variance(degre, seed, n_essais=100, n=30, bruit=0.3):
    """Une liste de prédictions, np.var(ddof=0) explicite."""
    rng = np.random.default_rng(seed)
    predictions = []
    for _ in range(n_essais):
        x, y = tirer_donnees(rng, n, bruit)
        coefs = np.polyfit(x, y, degre)
        predictions.append(np.polyval(coefs, X_EVAL))
    predictions = np.array(predictions)
    biais2 = ((predictions.mean(axis=0) - f_vraie(X_EVAL)) ** 2).mean()
    variance = np.var(predictions, axis=0, ddof=0).mean()
    return {"biais2": biais2, "variance": variance}
''',
        why="a list of predictions, numpy floats in the dict",
    ),
    "correct-rotation-per-image": Correct(
        grade_id="rotation",
        source='''def tourner(images, angle):
    """Image par image."""
    images = np.asarray(images)
    sortie = np.zeros_like(images)
    for i in range(len(images)):
        sortie[i, 0] = rotate(images[i, 0], angle, reshape=False, order=1, mode="constant", cval=0.0)
    return sortie


def precision_par_angle(modele, X, y, angles):
    """torch.from_numpy et .float(), une liste."""
    modele.eval()
    resultats = []
    for angle in angles:
        with torch.no_grad():
            sortie = modele(torch.from_numpy(np.ascontiguousarray(tourner(X, angle))).float())
        resultats.append((sortie.argmax(1).numpy() == np.asarray(y)).mean())
    return resultats
''',
        why="a loop over images, from_numpy().float(), a list",
    ),
    "correct-models-custom-modules": Correct(
        grade_id="modeles_rotation",
        source='''class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Linear(64, 64)
        self.c2 = nn.Linear(64, 10)

    def forward(self, x):
        return self.c2(torch.relu(self.c1(x.flatten(1))))


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.relu(self.conv2(x))
        return self.fc(x.amax(dim=(2, 3)))


def creer_mlp():
    """Une classe nn.Module."""
    return MLP()


def creer_cnn():
    """Une classe nn.Module, pooling global par amax."""
    return CNN()
''',
        why="custom nn.Module classes, F.max_pool2d and amax instead of layers",
    ),
    "correct-entrainer-dataloader": Correct(
        grade_id="entrainer_rotation",
        source='''from torch.utils.data import DataLoader, TensorDataset


def entrainer(modele, X_train, y_train, epochs=25, lr=0.005, batch_size=64, seed=0):
    """DataLoader(shuffle=True) avec un générateur graine seed."""
    g = torch.Generator()
    g.manual_seed(seed)
    chargeur = DataLoader(TensorDataset(X_train, y_train), batch_size=batch_size, shuffle=True, generator=g)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    modele.train()
    for epoque in range(epochs):
        for xb, yb in chargeur:
            opt.zero_grad()
            F.cross_entropy(modele(xb), yb).backward()
            opt.step()
    return modele
''',
        why="a DataLoader with shuffle=True and a seeded generator",
    ),
}
CORRECT = {**CORRECT, **_ALTERNATIVES}
CORRECT_GROUPS = {
    **CORRECT_GROUPS,
    "correct-alternatives-1": (
        "correct-ece-loops-floor",
        "correct-temperature-scipy",
        "correct-validation-array-split-sklearn-ridge",
        "correct-ood-ranks-logsumexp",
        "correct-biais-variance-loop",
    ),
    "correct-alternatives-2": (
        "correct-rotation-per-image",
        "correct-models-custom-modules",
        "correct-entrainer-dataloader",
    ),
}

# ---------------------------------------------------------------- issue 12: mutation survivors

_MUTANT_SCENARIOS = {
    "submission-fiabilite-default-ten-bins": Scenario(
        grade_id="ece",
        source=edit(_cell("ece"), ("def fiabilite(confiances, correct, n_bins=15):", "def fiabilite(confiances, correct, n_bins=10):")),
        must_fail=("test_fiabilite_matches_reference",),
        message_contains=("n_bins vaut 15 par défaut",),
    ),
    "submission-ece-first-bin-merged-into-second": Scenario(
        grade_id="ece",
        source=edit(_cell("ece"), ('side="right") - 1, 0, n_bins - 1)', 'side="right") - 1, 1, n_bins - 1)')),
        must_fail=("test_fiabilite_matches_reference", "test_ece_matches_reference"),
        message_contains=("votre premier bin [0, 1/M) est vide",),
    ),
}
SCENARIOS = {**SCENARIOS, **_MUTANT_SCENARIOS}
GROUPS = {
    **GROUPS,
    "mutants-1": ("submission-fiabilite-default-ten-bins",),
    "mutants-2": ("submission-ece-first-bin-merged-into-second",),
}

# ---------------------------------------------------------------- issue 12: blind answers (fid-c)
# Written by someone who had not read the checks or these scenarios, graded, then kept: the
# wrong ones kept their points before the checks were widened (n and bruit never passed, the
# optimal T always between 1.8 and 3.5, p · n never with a fractional part above one half, lr
# never varied, an MLP without activation, an argument written in place, augmentation told as
# a permutation fault). Four wrong ones are one change to the same author's correct answer:
_BLIND_TEMPERATURE = 'def appliquer_temperature(logits, T):\n    return softmax(np.asarray(logits) / T)\n\n\ndef ajuster_temperature(logits_val, y_val):\n    y = np.asarray(y_val, dtype=int)\n    def nll(T):\n        p = appliquer_temperature(logits_val, T)\n        return -np.mean(np.log(p[np.arange(len(y)), y] + 1e-12))\n    grille = np.geomspace(0.05, 20, 200)\n    meilleur = grille[np.argmin([nll(t) for t in grille])]\n    fine = np.linspace(meilleur * 0.95, meilleur * 1.05, 401)\n    return float(fine[np.argmin([nll(t) for t in fine])])\n'
_BLIND_VALIDATION = 'def decouper(n, p_val=0.15, p_test=0.15, seed=0):\n    perm = np.random.default_rng(seed).permutation(n)\n    n_val, n_test = int(round(p_val * n)), int(round(p_test * n))\n    val = perm[:n_val]\n    test = perm[n_val:n_val + n_test]\n    train = perm[n_val + n_test:]\n    return train, val, test\n\n\ndef plis_kfold(n, k):\n    return [np.asarray(p) for p in np.array_split(np.arange(n), k)]\n\n\ndef validation_croisee(X, y, k, alpha=1.0):\n    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)\n    scores = []\n    for pli in plis_kfold(len(X), k):\n        a = np.setdiff1d(np.arange(len(X)), pli)\n        w = np.linalg.solve(X[a].T @ X[a] + alpha * np.eye(X.shape[1]), X[a].T @ y[a])\n        scores.append(np.mean((X[pli] @ w - y[pli]) ** 2))\n    return float(np.mean(scores)), float(np.std(scores))\n'
_BLIND_ROTATION = 'def tourner(images, angle):\n    out = np.empty_like(images)\n    for i in range(images.shape[0]):\n        for c in range(images.shape[1]):\n            out[i, c] = rotate(images[i, c], angle, reshape=False, order=1, mode="constant", cval=0.0)\n    return out\n\n\ndef precision_par_angle(modele, X, y, angles):\n    modele.eval()\n    res = []\n    with torch.no_grad():\n        for a in angles:\n            xt = torch.tensor(tourner(X, a), dtype=torch.float32)\n            pred = modele(xt).argmax(dim=1).numpy()\n            res.append(float((pred == np.asarray(y)).mean()))\n    return np.array(res)\n'
_BLIND_ENTRAINER = 'def entrainer(modele, X_train, y_train, epochs=25, lr=0.005, batch_size=64, seed=0):\n    g = torch.Generator().manual_seed(seed)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    modele.train()\n    N = len(X_train)\n    for _ in range(epochs):\n        ordre = torch.randperm(N, generator=g)\n        for debut in range(0, N, batch_size):\n            idx = ordre[debut:debut + batch_size]\n            perte = F.cross_entropy(modele(X_train[idx]), y_train[idx])\n            opt.zero_grad()\n            perte.backward()\n            opt.step()\n    return modele\n'

SCENARIOS['blind-biais_variance-ignores-n-and-bruit'] = Scenario(
    grade_id='biais_variance',
    source='def biais_variance(degre, seed, n_essais=100, n=30, bruit=0.3):\n    rng = np.random.default_rng(seed)\n    preds = []\n    for _ in range(n_essais):\n        x, y = tirer_donnees(rng)\n        preds.append(np.polyval(np.polyfit(x, y, degre), X_EVAL))\n    P = np.array(preds)\n    moyenne = P.mean(axis=0)\n    return {"biais2": float(np.mean((moyenne - f_vraie(X_EVAL)) ** 2)), "variance": float(np.mean(P.var(axis=0)))}\n',
    must_fail=('test_biais_variance_matches_simulation',),
    message_contains=('arguments n et bruit',),
    may_fail=('test_biais_variance_trends',),
)

SCENARIOS['blind-temperature-squared-confidence-objective'] = Scenario(
    grade_id='temperature',
    source=edit(_BLIND_TEMPERATURE, ("return -np.mean(np.log(p[np.arange(len(y)), y] + 1e-12))",
                                     "return np.mean((p.max(axis=1) - (p.argmax(axis=1) == y)) ** 2)")),
    must_fail=('test_temperature_matches_nll_optimum',),
    message_contains=('optimum de la NLL',),
    may_fail=('test_temperature_lowers_test_ece',),
)

SCENARIOS['blind-temperature-grid-half-to-five'] = Scenario(
    grade_id='temperature',
    source=edit(_BLIND_TEMPERATURE, ('np.geomspace(0.05, 20, 200)', 'np.geomspace(0.5, 5, 200)')),
    must_fail=('test_temperature_matches_nll_optimum',),
    message_contains=('toute la plage',),
)

SCENARIOS['blind-validation-int-truncates'] = Scenario(
    grade_id='validation',
    source=edit(_BLIND_VALIDATION, ('int(round(p_val * n)), int(round(p_test * n))', 'int(p_val * n), int(p_test * n)')),
    must_fail=('test_decouper_disjoint_and_proportions',),
    message_contains=('int(p · n)',),
)

SCENARIOS['blind-rotation-writes-into-images'] = Scenario(
    grade_id='rotation',
    source=edit(_BLIND_ROTATION, ('out = np.empty_like(images)', 'out = images')),
    must_fail=('test_tourner_matches_scipy',),
    message_contains=('modifie le tableau images',),
    may_fail=('test_precision_par_angle_matches_reference',),
)

SCENARIOS['blind-entrainer-ignores-lr'] = Scenario(
    grade_id='entrainer_rotation',
    source=edit(_BLIND_ENTRAINER, ('Adam(modele.parameters(), lr=lr)', 'Adam(modele.parameters())')),
    must_fail=('test_models_learn_upright_digits',),
    message_contains=('argument lr',),
    may_fail=('test_accuracy_drops_under_rotation',),
)

SCENARIOS['blind-entrainer-flips-half-the-batches'] = Scenario(
    grade_id='entrainer_rotation',
    source=edit(_BLIND_ENTRAINER, (
        "            perte = F.cross_entropy(modele(X_train[idx]), y_train[idx])\n",
        "            xb = X_train[idx]\n"
        "            if torch.rand(1, generator=g) < 0.5:\n"
        "                xb = xb.flip(-1)\n"
        "            perte = F.cross_entropy(modele(xb), y_train[idx])\n",
    )),
    must_fail=('test_models_learn_upright_digits',),
    message_contains=("n'augmentez pas",),
    may_fail=('test_accuracy_drops_under_rotation',),
)

SCENARIOS['blind-modeles-mlp-without-relu'] = Scenario(
    grade_id='modeles_rotation',
    source='def creer_mlp():\n    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.Linear(64, 10))\n\n\ndef creer_cnn():\n    return nn.Sequential(\n        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),\n        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(32, 10),\n    )\n',
    must_fail=('test_cnn_more_robust_than_mlp',),
    message_contains=("il manque l'activation ReLU",),
)

CORRECT['blind-correct-ece-bincount-guarded'] = Correct(
    grade_id='ece',
    source='def fiabilite(confiances, correct, n_bins=15):\n    confiances = np.asarray(confiances, dtype=float)\n    correct = np.asarray(correct, dtype=float)\n    bords = np.linspace(0, 1, n_bins + 1)\n    b = np.clip(np.searchsorted(bords, confiances, side="right") - 1, 0, n_bins - 1)\n    compte = np.bincount(b, minlength=n_bins).astype(float)\n    sc = np.bincount(b, weights=confiances, minlength=n_bins)\n    sp = np.bincount(b, weights=correct, minlength=n_bins)\n    den = np.maximum(compte, 1)\n    return {"compte": compte, "confiance": sc / den, "precision": sp / den}\n\n\ndef ece(confiances, correct, n_bins=15):\n    r = fiabilite(confiances, correct, n_bins)\n    return float((r["compte"] * np.abs(r["precision"] - r["confiance"])).sum() / len(confiances))\n',
    why='searchsorted + clip + bincount, division by max(count, 1)',
)

CORRECT['blind-correct-ece-loops-closed-last-bin'] = Correct(
    grade_id='ece',
    source='def fiabilite(confiances, correct, n_bins=15):\n    c = np.asarray(confiances, dtype=np.float64)\n    ok = np.asarray(correct, dtype=np.float64)\n    compte = np.zeros(n_bins)\n    conf = np.zeros(n_bins)\n    prec = np.zeros(n_bins)\n    for m in range(n_bins):\n        lo, hi = m / n_bins, (m + 1) / n_bins\n        if m == n_bins - 1:\n            dedans = (c >= lo) & (c <= hi)\n        else:\n            dedans = (c >= lo) & (c < hi)\n        compte[m] = dedans.sum()\n        if compte[m] > 0:\n            conf[m] = c[dedans].mean()\n            prec[m] = ok[dedans].mean()\n    return {"compte": compte, "confiance": conf, "precision": prec}\n\n\ndef ece(confiances, correct, n_bins=15):\n    b = fiabilite(confiances, correct, n_bins)\n    N = b["compte"].sum()\n    return float(np.sum(b["compte"] / N * np.abs(b["precision"] - b["confiance"])))\n',
    why='a loop over bins, the last one closed at 1.0, float64',
)

CORRECT['blind-correct-temperature-two-grids-eps'] = Correct(
    grade_id='temperature',
    source=_BLIND_TEMPERATURE,
    why='geometric grid then a ±5 % fine grid, log(p + 1e-12)',
)

CORRECT['blind-correct-temperature-golden-section'] = Correct(
    grade_id='temperature',
    source='def appliquer_temperature(logits, T):\n    z = np.asarray(logits, dtype=np.float64) / T\n    z = z - z.max(axis=1, keepdims=True)\n    e = np.exp(z)\n    return e / e.sum(axis=1, keepdims=True)\n\n\ndef _nll(logits, y, T):\n    z = np.asarray(logits, dtype=np.float64) / T\n    m = z.max(axis=1, keepdims=True)\n    lse = (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True)))[:, 0]\n    return float(np.mean(lse - z[np.arange(len(y)), y]))\n\n\ndef ajuster_temperature(logits_val, y_val):\n    y = np.asarray(y_val).astype(int)\n    a, b = np.log(0.05), np.log(20.0)\n    g = (np.sqrt(5) - 1) / 2\n    c, d = b - g * (b - a), a + g * (b - a)\n    for _ in range(80):\n        if _nll(logits_val, y, np.exp(c)) < _nll(logits_val, y, np.exp(d)):\n            b = d\n        else:\n            a = c\n        c, d = b - g * (b - a), a + g * (b - a)\n    return float(np.exp((a + b) / 2))\n',
    why='golden-section search on log T, log-sum-exp NLL',
)

CORRECT['blind-correct-validation-array-split-solve'] = Correct(
    grade_id='validation',
    source=_BLIND_VALIDATION,
    why='np.array_split folds, np.linalg.solve ridge, setdiff1d',
)

CORRECT['blind-correct-ood-pairwise-float64'] = Correct(
    grade_id='ood',
    source='def score_msp(logits):\n    z = np.asarray(logits, dtype=np.float64)\n    z = z - z.max(axis=1, keepdims=True)\n    p = np.exp(z)\n    p /= p.sum(axis=1, keepdims=True)\n    return p.max(axis=1)\n\n\ndef auroc(etiquettes, scores):\n    e = np.asarray(etiquettes).astype(bool)\n    s = np.asarray(scores, dtype=float)\n    pos, neg = s[e], s[~e]\n    sup = (pos[:, None] > neg[None, :]).sum()\n    ega = (pos[:, None] == neg[None, :]).sum()\n    return float((sup + 0.5 * ega) / (len(pos) * len(neg)))\n',
    why='pairwise comparisons for the AUROC, float64 softmax',
)

CORRECT['blind-correct-rotation-image-by-image'] = Correct(
    grade_id='rotation',
    source=_BLIND_ROTATION,
    why="rotate on 2-D images in a loop, mode='constant'",
)

CORRECT['blind-correct-entrainer-index-slices'] = Correct(
    grade_id='entrainer_rotation',
    source=_BLIND_ENTRAINER,
    why='slices of one permutation per epoch, last partial batch kept',
)

CORRECT['blind-correct-models-custom-modules-functional'] = Correct(
    grade_id='modeles_rotation',
    source='class MonMLP(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.c1 = nn.Linear(64, 64)\n        self.c2 = nn.Linear(64, 10)\n\n    def forward(self, x):\n        return self.c2(F.relu(self.c1(x.flatten(1))))\n\n\nclass MonCNN(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)\n        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)\n        self.fc = nn.Linear(32, 10)\n\n    def forward(self, x):\n        x = F.max_pool2d(F.relu(self.conv1(x)), 2)\n        x = F.relu(self.conv2(x))\n        x = F.adaptive_max_pool2d(x, 1).flatten(1)\n        return self.fc(x)\n\n\ndef creer_mlp():\n    return MonMLP()\n\n\ndef creer_cnn():\n    return MonCNN()\n',
    why='custom nn.Module classes with F.relu, F.max_pool2d, F.adaptive_max_pool2d',
)

GROUPS["blind-1"] = (
    "blind-biais_variance-ignores-n-and-bruit",
    "blind-temperature-squared-confidence-objective",
    "blind-validation-int-truncates",
    "blind-rotation-writes-into-images",
    "blind-entrainer-ignores-lr",
)
GROUPS["blind-2"] = ("blind-temperature-grid-half-to-five", "blind-entrainer-flips-half-the-batches")
GROUPS["blind-3"] = ("blind-modeles-mlp-without-relu",)
CORRECT_GROUPS["blind-correct-1"] = (
    "blind-correct-ece-bincount-guarded",
    "blind-correct-temperature-two-grids-eps",
    "blind-correct-validation-array-split-solve",
    "blind-correct-ood-pairwise-float64",
    "blind-correct-rotation-image-by-image",
    "blind-correct-entrainer-index-slices",
)
CORRECT_GROUPS["blind-correct-2"] = (
    "blind-correct-ece-loops-closed-last-bin",
    "blind-correct-temperature-golden-section",
    "blind-correct-models-custom-modules-functional",
)

# Mutants of the solution that are still correct answers (autograder prove, issue 12 item 4).
EQUIVALENT: dict[str, str] = {
    "entrainer_rotation:DropStatement@5:4": "no modele.train(): the TP's models have neither dropout nor batch norm, and the grader hands entrainer new models (already in training mode)",
    # The coarse grid still brackets the NLL optimum (T between 1.8 and 3.5 on grader data).
    "temperature:NumberReplacer@20:53#1": "the coarse grid ends at 19 instead of 20: the optimum stays inside it and the fine grid is unchanged",
    "temperature:NumberReplacer@20:60#1": "120 coarse points instead of 121: still a 5 % step, refined by the fine grid",
    # Conversions that are no-ops on the arrays the statement promises.
    "temperature:DropStatement@12:4": "y_val already holds integers; fancy indexing works on it unconverted",
    "validation:DropStatement@19:4": "X and y are float arrays, as the statement says; np.asarray changes nothing",
    "ece:NumberReplacer@8:75#1": "clip from -1: searchsorted(side='right') − 1 is never negative for confidences ≥ 0",
    # Independent statements swapped.
    "ece:SwapStatements@11:4": "diviseur and somme_ok do not depend on each other",
    "ood:SwapStatements@8:4": "the two conversions are independent",
    "rotation:SwapStatements@8:4": "modele.eval() and np.asarray(y) are independent",
    "validation:SwapStatements@19:4": "X.shape is the same before and after np.asarray on an array",
    "validation:SwapStatements@20:4": "erreurs = [] and n, d = X.shape are independent",
    "ece:SwapStatements@9:4": "compte and somme_conf are two bincounts of the same indices, independent",
    "ece:SwapStatements@10:4": "somme_conf and somme_ok are two bincounts of the same indices, independent",
    "rotation:SwapStatements@9:4": "y = np.asarray(y) and precisions = [] are independent",
    "rotation:DropStatement@9:4": "y is a NumPy array (N,), as the statement says; np.asarray changes nothing",
}

# Blind answers (issue 12, third session): a training loop without zero_grad also cost
# modeles_rotation its point. The CNN-vs-MLP comparison now trains the student's models with
# the grader's loop: a wrong entrainer costs entrainer_rotation only (no `affects` above).
SCENARIOS["blind-entrainer-without-zero-grad"] = Scenario(
    grade_id="entrainer_rotation",
    source=edit(_cell("entrainer_rotation"), ("            optimiseur.zero_grad()\n", "")),
    must_fail=("test_models_learn_upright_digits",),
    message_contains=("zero_grad",),
    may_fail=("test_accuracy_drops_under_rotation",),
)
GROUPS["blind-zero-grad"] = ("blind-entrainer-without-zero-grad",)

# Blind answers (third round): appliquer_temperature dividing the caller's logits in place
# (the statement now says not to), score_msp overflowing on logits of order ±1000 (now a
# drawn case, said in the statement), a CNN without the max-pooling between its convolutions
# (the same parameters; the grader now sees the second convolution's input size).
SCENARIOS["blind-r3-appliquer-divides-logits-in-place"] = Scenario(
    grade_id="temperature",
    source='def appliquer_temperature(logits, T):\n    logits /= T\n    z = logits - logits.max(axis=1, keepdims=True)\n    e = np.exp(z)\n    return e / e.sum(axis=1, keepdims=True)\n\n\ndef ajuster_temperature(logits_val, y_val):\n    y = np.asarray(y_val)\n    def nll(T):\n        p = appliquer_temperature(np.array(logits_val, dtype=float), T)\n        return -np.mean(np.log(p[np.arange(len(y)), y] + 1e-300))\n    grille = np.geomspace(0.05, 20, 200)\n    T0 = grille[np.argmin([nll(t) for t in grille])]\n    fine = np.linspace(T0 * 0.95, T0 * 1.05, 401)\n    return float(fine[np.argmin([nll(t) for t in fine])])\n',
    must_fail=("test_temperature_lowers_test_ece",),
    message_contains=("modifie sur place ce qu'on lui passe (logits)",),
)
SCENARIOS["blind-r3-msp-overflows"] = Scenario(
    grade_id="ood",
    source='def score_msp(logits):\n    e = np.exp(np.asarray(logits, dtype=float))\n    return (e / e.sum(axis=1, keepdims=True)).max(axis=1)\n\n\ndef auroc(etiquettes, scores):\n    e = np.asarray(etiquettes); s = np.asarray(scores, dtype=float)\n    sp, sn = s[e == 1], s[e == 0]\n    return float(((sp[:, None] > sn[None, :]).sum() + 0.5 * (sp[:, None] == sn[None, :]).sum()) / (len(sp) * len(sn)))\n',
    must_fail=("test_score_msp_matches_softmax",),
    message_contains=("exp déborde",),
)
SCENARIOS["blind-r3-cnn-without-max-pooling"] = Scenario(
    grade_id="modeles_rotation",
    source='def creer_mlp():\n    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))\n\n\ndef creer_cnn():\n    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),\n                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),\n                         nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(32, 10))\n',
    must_fail=("test_cnn_more_robust_than_mlp",),
    message_contains=("il manque nn.MaxPool2d(2)",),
)
GROUPS["blind-r3"] = ("blind-r3-appliquer-divides-logits-in-place", "blind-r3-msp-overflows",
                      "blind-r3-cnn-without-max-pooling")
CORRECT["blind-r3-correct-fiabilite-float32"] = Correct(
    grade_id="ece",
    source='def fiabilite(confiances, correct, n_bins=15):\n    c = np.asarray(confiances, dtype=np.float32)\n    ok = np.asarray(correct).astype(np.float32)\n    bords = np.linspace(0, 1, n_bins + 1, dtype=np.float32)\n    idx = np.minimum(np.digitize(c, bords[1:-1], right=False), n_bins - 1)\n    compte = np.zeros(n_bins, dtype=np.float32)\n    conf = np.zeros(n_bins, dtype=np.float32)\n    prec = np.zeros(n_bins, dtype=np.float32)\n    for m in range(n_bins):\n        sel = idx == m\n        compte[m] = sel.sum()\n        if compte[m] > 0:\n            conf[m] = c[sel].mean()\n            prec[m] = ok[sel].mean()\n    return {"compte": compte, "confiance": conf, "precision": prec}\n\n\ndef ece(confiances, correct, n_bins=15):\n    b = fiabilite(confiances, correct, n_bins)\n    poids = b["compte"] / b["compte"].sum()\n    return float((poids * np.abs(b["precision"] - b["confiance"])).sum())\n',
    why="fiabilite in float32 (np.digitize, a loop over bins): means off by ~3e-7 relative",
)
CORRECT_GROUPS["blind-r3-correct"] = ("blind-r3-correct-fiabilite-float32",)


# ---------------------------------------------------------------- blind answers, round 4
# Written by a tester who never saw the checks (issue 12). Classes fixed, not cases: every
# function that receives an array is now called on a grader array and the array compared
# after the call (ajuster_temperature, fiabilite, ece, auroc, score_msp, validation_croisee,
# precision_par_angle, entrainer); precision_par_angle is checked on a stand-in model that
# records the images it gets (an angle rounded to an integer no longer hides in the
# accuracies); entrainer's optimiser must persist over the epochs and its first step's
# gradient be the mean cross-entropy's; the layers question 6b prescribes are read by
# behaviour on a probe (output probabilities, linear widths, conv weights, padding by the map
# sizes, max vs average pooling by the values); score_msp accepts float32 answers (tolerance
# from the float32 rounding of the grader's logits).
_B4 = {
    "auroc": 'def score_msp(logits):\n    z = np.asarray(logits, dtype=float)\n    z = z - z.max(axis=1, keepdims=True)\n    e = np.exp(z)\n    return (e / e.sum(axis=1, keepdims=True)).max(axis=1)\n\n\ndef auroc(etiquettes, scores):\n    scores, etiquettes = np.asarray(scores), np.asarray(etiquettes)\n    ordre = np.argsort(scores, kind="mergesort")\n    scores[:] = scores[ordre]\n    etiquettes[:] = etiquettes[ordre]\n    # rangs moyens (ex aequo) sur les scores triés\n    n = len(scores)\n    rangs = np.empty(n)\n    i = 0\n    while i < n:\n        j = i\n        while j + 1 < n and scores[j + 1] == scores[i]:\n            j += 1\n        rangs[i:j + 1] = (i + j) / 2 + 1\n        i = j + 1\n    pos = etiquettes == 1\n    n_pos, n_neg = pos.sum(), (~pos).sum()\n    return float((rangs[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))\n',
    "clip": 'def fiabilite(confiances, correct, n_bins=15):\n    confiances = np.asarray(confiances)\n    correct = np.asarray(correct, dtype=float)\n    np.clip(confiances, 0.0, 1.0 - 1e-12, out=confiances)\n    idx = np.floor(confiances * n_bins).astype(int)\n    idx = np.clip(idx, 0, n_bins - 1)\n    compte = np.bincount(idx, minlength=n_bins).astype(float)\n    s_conf = np.bincount(idx, weights=confiances, minlength=n_bins)\n    s_ok = np.bincount(idx, weights=correct, minlength=n_bins)\n    plein = compte > 0\n    conf = np.zeros(n_bins)\n    prec = np.zeros(n_bins)\n    conf[plein] = s_conf[plein] / compte[plein]\n    prec[plein] = s_ok[plein] / compte[plein]\n    return {"compte": compte, "confiance": conf, "precision": prec}\n\n\ndef ece(confiances, correct, n_bins=15):\n    b = fiabilite(confiances, correct, n_bins)\n    n = b["compte"].sum()\n    return float(np.sum(b["compte"] / n * np.abs(b["precision"] - b["confiance"])))\n',
    "softmax": 'def creer_mlp():\n    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10), nn.Softmax(dim=1))\n\n\ndef creer_cnn():\n    return nn.Sequential(\n        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),\n        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveMaxPool2d(1),\n        nn.Flatten(), nn.Linear(32, 10), nn.Softmax(dim=1),\n    )\n',
    "arr": 'def appliquer_temperature(logits, T):\n    z = np.asarray(logits, dtype=float) / T\n    z = z - z.max(axis=1, keepdims=True)\n    e = np.exp(z)\n    return e / e.sum(axis=1, keepdims=True)\n\n\ndef ajuster_temperature(logits_val, y_val):\n    y = np.asarray(y_val).astype(int)\n\n    def nll(T):\n        p = appliquer_temperature(logits_val, T)\n        return -np.mean(np.log(p[np.arange(len(y)), y] + 1e-300))\n\n    grille = np.geomspace(0.05, 20, 400)\n    i = int(np.argmin([nll(t) for t in grille]))\n    fine = np.linspace(grille[max(i - 1, 0)], grille[min(i + 1, 399)], 1000)\n    j = np.argmin([nll(t) for t in fine])\n    return fine[[j]]\n',
    "bv": 'def biais_variance(degre, seed, n_essais=100, n=30, bruit=0.3):\n    rng = np.random.default_rng(seed)\n    preds = []\n    for essai in range(1, n_essais):\n        x, y = tirer_donnees(rng, n, bruit)\n        preds.append(np.polyval(np.polyfit(x, y, degre), X_EVAL))\n    preds = np.array(preds)\n    moyenne = preds.mean(axis=0)\n    return {"biais2": float(np.mean((moyenne - f_vraie(X_EVAL)) ** 2)),\n            "variance": float(np.mean(preds.var(axis=0)))}\n',
    "msp32": 'from sklearn.metrics import roc_auc_score\n\n\ndef score_msp(logits):\n    t = torch.as_tensor(np.asarray(logits), dtype=torch.float32)\n    p = torch.softmax(t, dim=1)\n    return p.max(dim=1).values.numpy()\n\n\ndef auroc(etiquettes, scores):\n    return float(roc_auc_score(np.asarray(etiquettes).astype(int), np.asarray(scores)))\n',
}
SCENARIOS["blind-r4-ajuster-shifts-logits-in-place"] = Scenario(
    grade_id="temperature",
    source=edit(_cell("temperature"), (
        "    y_val = np.asarray(y_val, dtype=int)\n",
        "    logits_val -= logits_val.max(axis=1, keepdims=True)  # stabilité\n"
        "    y_val = np.asarray(y_val, dtype=int)\n",
    )),
    must_fail=("test_temperature_matches_nll_optimum",),
    message_contains=("ajuster_temperature modifie sur place",),
)
SCENARIOS["blind-r4-auroc-sorts-in-place"] = Scenario(
    grade_id="ood",
    source=_B4["auroc"],
    must_fail=("test_auroc_matches_sklearn",),
    message_contains=("auroc modifie sur place",),
)
SCENARIOS["blind-r4-fiabilite-clips-in-place"] = Scenario(
    grade_id="ece",
    source=_B4["clip"],
    # One fault, one check (blind round 21): the values stay right (1.0 moved by 1e-12).
    must_fail=("test_ece_functions_leave_arguments",),
    message_contains=("fiabilite modifie sur place",),
)
SCENARIOS["blind-r4-cnn-without-padding"] = Scenario(
    grade_id="modeles_rotation",
    source=edit(_cell("modeles_rotation"),
                ("nn.Conv2d(1, 16, kernel_size=3, padding=1)", "nn.Conv2d(1, 16, kernel_size=3)"),
                ("nn.Conv2d(16, 32, kernel_size=3, padding=1)", "nn.Conv2d(16, 32, kernel_size=3)")),
    must_fail=("test_cnn_more_robust_than_mlp",),
    message_contains=("padding=1",),
)
SCENARIOS["blind-r4-cnn-average-pooling"] = Scenario(
    grade_id="modeles_rotation",
    source=edit(_cell("modeles_rotation"), ("nn.MaxPool2d(2)", "nn.AvgPool2d(2)")),
    must_fail=("test_cnn_more_robust_than_mlp",),
    message_contains=("pooling par la MOYENNE",),
)
SCENARIOS["blind-r4-mlp-hidden-100"] = Scenario(
    grade_id="modeles_rotation",
    source=edit(_cell("modeles_rotation"), ("nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)",
                                            "nn.Linear(64, 100), nn.ReLU(), nn.Linear(100, 10)")),
    must_fail=("test_cnn_more_robust_than_mlp",),
    message_contains=("4 810 paramètres",),
)
SCENARIOS["blind-r4-models-end-with-softmax"] = Scenario(
    grade_id="modeles_rotation",
    source=_B4["softmax"],
    must_fail=("test_cnn_more_robust_than_mlp",),
    message_contains=("renvoie des probabilités",),
)
SCENARIOS["blind-r4-entrainer-adam-per-epoch"] = Scenario(
    grade_id="entrainer_rotation",
    source=edit(_cell("entrainer_rotation"),
                ("    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n", ""),
                ("    for _ in range(epochs):\n",
                 "    for _ in range(epochs):\n        optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n")),
    must_fail=("test_models_learn_upright_digits",),
    message_contains=("nouvel optimiseur",),
    may_fail=("test_accuracy_drops_under_rotation",),
)
SCENARIOS["blind-r4-entrainer-loss-sum"] = Scenario(
    grade_id="entrainer_rotation",
    source=edit(_cell("entrainer_rotation"), ("F.cross_entropy(modele(X_train[lot]), y_train[lot])",
                                              'F.cross_entropy(modele(X_train[lot]), y_train[lot], reduction="sum")')),
    must_fail=("test_models_learn_upright_digits",),
    message_contains=("SOMME sur le lot",),
    may_fail=("test_accuracy_drops_under_rotation",),
)
SCENARIOS["blind-r4-precision-int-angle"] = Scenario(
    grade_id="rotation",
    source=edit(_cell("rotation"), ("torch.tensor(tourner(X, angle)", "torch.tensor(tourner(X, int(angle))")),
    must_fail=("test_precision_par_angle_matches_reference",),
    message_contains=("arrondi à l'entier",),
)
SCENARIOS["blind-r4-decouper-val-from-p-test"] = Scenario(
    grade_id="validation",
    source=edit(_cell("validation"), ("int(round(p_val * n)), int(round(p_test * n))",
                                      "int(round(p_test * n)), int(round(p_test * n))")),
    must_fail=("test_decouper_disjoint_and_proportions",),
    message_contains=("calculée avec p_test au lieu de p_val",),
)
SCENARIOS["blind-r4-biais-variance-one-trial-short"] = Scenario(
    grade_id="biais_variance",
    source=_B4["bv"],
    must_fail=("test_biais_variance_matches_simulation",),
    message_contains=("un essai de trop ou de moins",),
)
SCENARIOS["blind-r4-ajuster-returns-array"] = Scenario(
    grade_id="temperature",
    source=_B4["arr"],
    must_fail=("test_temperature_matches_nll_optimum",),
    message_contains=("la consigne demande un float",),
)
GROUPS["blind-r4-1"] = (
    "blind-r4-ajuster-shifts-logits-in-place", "blind-r4-auroc-sorts-in-place",
    "blind-r4-fiabilite-clips-in-place", "blind-r4-cnn-without-padding",
    "blind-r4-entrainer-adam-per-epoch", "blind-r4-precision-int-angle",
    "blind-r4-decouper-val-from-p-test", "blind-r4-biais-variance-one-trial-short",
)
GROUPS["blind-r4-2"] = ("blind-r4-ajuster-returns-array", "blind-r4-models-end-with-softmax",
                        "blind-r4-entrainer-loss-sum")
GROUPS["blind-r4-3"] = ("blind-r4-cnn-average-pooling",)
GROUPS["blind-r4-4"] = ("blind-r4-mlp-hidden-100",)
CORRECT["blind-r4-correct-msp-torch-float32"] = Correct(
    grade_id="ood",
    source=_B4["msp32"],
    why="score_msp by torch.softmax in float32 (stable), auroc by roc_auc_score",
)
CORRECT_GROUPS["blind-r4-correct"] = ("blind-r4-correct-msp-torch-float32",)


# ---------------------------------------------------------------- mutation sample (sample seed 11)
# Gradient clipping is not forbidden by question 6c: a loop that clips the gradient's norm
# between backward() and step() is still the training asked for (Adam, mean cross-entropy,
# reshuffled mini-batches), and keeps full marks.
CORRECT["correct-entrainer-clips-gradient-norm-1"] = Correct(
    grade_id="entrainer_rotation",
    source=edit(_cell("entrainer_rotation"), (
        "            perte.backward()\n",
        "            perte.backward()\n"
        "            torch.nn.utils.clip_grad_norm_(modele.parameters(), max_norm=1.0)\n",
    )),
    why="clip_grad_norm_(max_norm=1.0) between backward and step: not forbidden by the statement",
)
CORRECT["correct-entrainer-clips-gradient-norm-5"] = Correct(
    grade_id="entrainer_rotation",
    source=edit(_BLIND_ENTRAINER, (
        "            perte.backward()\n",
        "            perte.backward()\n"
        "            nn.utils.clip_grad_norm_(modele.parameters(), 5.0)\n",
    )),
    why="clip_grad_norm_(5.0), zero_grad after the forward pass",
)
CORRECT_GROUPS["correct-clipping-1"] = ("correct-entrainer-clips-gradient-norm-1",)
CORRECT_GROUPS["correct-clipping-2"] = ("correct-entrainer-clips-gradient-norm-5",)

# A default changed in the statement's signature: the grader passes every argument, but the
# notebook's demos call biais_variance(d, seed=0) and entrainer(modele, X, y) without them.
SCENARIOS["submission-entrainer-default-lr-of-adam"] = Scenario(
    grade_id="entrainer_rotation",
    source=edit(_cell("entrainer_rotation"), ("epochs=25, lr=0.005,", "epochs=25, lr=1e-3,")),
    must_fail=("test_models_learn_upright_digits",),
    message_contains=("lr n'a plus la valeur par défaut de l'énoncé",),
)
SCENARIOS["submission-biais-variance-default-fewer-trials"] = Scenario(
    grade_id="biais_variance",
    source=edit(_cell("biais_variance"), ("n_essais=100,", "n_essais=50,")),
    must_fail=("test_biais_variance_matches_simulation",),
    message_contains=("n_essais n'a plus la valeur par défaut de l'énoncé",),
)
SCENARIOS["submission-validation-default-alpha-zero"] = Scenario(
    grade_id="validation",
    source=edit(_cell("validation"), ("def validation_croisee(X, y, k, alpha=1.0):",
                                      "def validation_croisee(X, y, k, alpha=0.0):")),
    must_fail=("test_validation_croisee_matches_reference",),
    message_contains=("alpha n'a plus la valeur par défaut de l'énoncé",),
)
GROUPS["mutants-3"] = (
    "submission-entrainer-default-lr-of-adam",
    "submission-biais-variance-default-fewer-trials",
    "submission-validation-default-alpha-zero",
)


# ---------------------------------------------------------------- blind round 6
# auroc folded into max(AUROC, 1 − AUROC): no input had an AUROC below 0.5 (20/20); both the
# public toy cases and the hidden ones now hold a detector worse than chance. score_msp with
# finite but wrong values made the hidden check's own message raise a TypeError (per-row
# tolerance formatted as a float); a clip "against overflow" is named. Two minor hints: ece
# ignoring n_bins (15 bins always), validation_croisee's pooled MSE instead of the mean of the
# k fold MSEs (the hidden data now has n % k != 0 on purpose).
SCENARIOS["blind-r6-auroc-folded-below-half"] = Scenario(
    grade_id="ood",
    source=edit(_cell("ood"), (
        "    return float(np.mean(pos > neg) + 0.5 * np.mean(pos == neg))",
        "    auc = float(np.mean(pos > neg) + 0.5 * np.mean(pos == neg))\n"
        "    # sous 0,5, les étiquettes sont inversées\n"
        "    return max(auc, 1 - auc)",
    )),
    must_fail=("test_ood_basic", "test_auroc_matches_sklearn"),
    message_contains=("pas remplacée par max(AUROC, 1 − AUROC)",
                      "ne la remplacez pas par max(AUROC, 1 − AUROC)"),
)
SCENARIOS["blind-r6-msp-clips-logits"] = Scenario(
    grade_id="ood",
    source=edit(_cell("ood"), ("    return softmax(logits).max(axis=1)",
                               "    return softmax(np.clip(logits, -50, 50)).max(axis=1)")),
    must_fail=("test_score_msp_matches_softmax",),
    message_contains=("ne coupez pas (np.clip)",),
)
SCENARIOS["blind-r6-msp-half-logits"] = Scenario(
    grade_id="ood",
    source=edit(_cell("ood"), ("    return softmax(logits).max(axis=1)",
                               "    return softmax(np.asarray(logits) / 2).max(axis=1)")),
    must_fail=("test_ood_basic", "test_score_msp_matches_softmax"),
    message_contains=("hors tolérance (rtol=1e-05, atol=≤",),
)
SCENARIOS["blind-r6-ece-nbins-not-passed"] = Scenario(
    grade_id="ece",
    source=edit(_cell("ece"), ("    bins = fiabilite(confiances, correct, n_bins)",
                               "    bins = fiabilite(confiances, correct)")),
    must_fail=("test_ece_matches_reference",),
    message_contains=("ece doit utiliser son argument n_bins",),
)
SCENARIOS["blind-r6-cv-pooled-mse"] = Scenario(
    grade_id="validation",
    source=edit(_cell("validation"),
                ("    erreurs = []\n", "    erreurs, carres = [], []\n"),
                ("        erreurs.append(np.mean((X[val] @ w - y[val]) ** 2))\n",
                 "        carres.append((X[val] @ w - y[val]) ** 2)\n"
                 "        erreurs.append(np.mean(carres[-1]))\n"),
                ("return float(np.mean(erreurs)),", "return float(np.mean(np.concatenate(carres))),")),
    must_fail=("test_validation_croisee_matches_reference",),
    message_contains=("l'erreur de tous les exemples réunis",),
)
GROUPS["blind-r6-1"] = ("blind-r6-auroc-folded-below-half", "blind-r6-ece-nbins-not-passed",
                        "blind-r6-cv-pooled-mse")
GROUPS["blind-r6-2"] = ("blind-r6-msp-clips-logits",)
GROUPS["blind-r6-3"] = ("blind-r6-msp-half-logits",)
CORRECT["blind-r6-correct-ood-searchsorted"] = Correct(
    grade_id="ood",
    source='import numpy as np\n\n\ndef score_msp(logits):\n    z = np.asarray(logits, dtype=np.float64)\n    z = z - z.max(axis=1, keepdims=True)\n    return 1.0 / np.exp(z).sum(axis=1)\n\n\ndef auroc(etiquettes, scores):\n    e = np.asarray(etiquettes).astype(int)\n    s = np.asarray(scores, dtype=np.float64)\n    pos = s[e == 1]\n    neg = np.sort(s[e == 0])\n    plus_bas = np.searchsorted(neg, pos, side="left")\n    egaux = np.searchsorted(neg, pos, side="right") - plus_bas\n    return float((plus_bas.sum() + 0.5 * egaux.sum()) / (len(pos) * len(neg)))\n',
    why="MSP as 1 / Σ exp(z − max), AUROC by searchsorted counts (ties 1/2)",
)
CORRECT["blind-r6-correct-validation-loops"] = Correct(
    grade_id="validation",
    source='import numpy as np\n\n\ndef decouper(n, p_val=0.15, p_test=0.15, seed=0):\n    perm = np.random.default_rng(seed).permutation(n)\n    n_val = int(round(p_val * n))\n    n_test = int(round(p_test * n))\n    val = perm[:n_val]\n    test = perm[n_val:n_val + n_test]\n    app = perm[n_val + n_test:]\n    return app, val, test\n\n\ndef plis_kfold(n, k):\n    plis = []\n    debut = 0\n    for i in range(k):\n        taille = n // k + (1 if i < n % k else 0)\n        plis.append(np.arange(debut, debut + taille))\n        debut += taille\n    return plis\n\n\ndef validation_croisee(X, y, k, alpha=1.0):\n    X = np.asarray(X, dtype=float)\n    y = np.asarray(y, dtype=float)\n    n, d = X.shape\n    scores = []\n    for pli in plis_kfold(n, k):\n        masque = np.ones(n, dtype=bool)\n        masque[pli] = False\n        Xa, ya = X[masque], y[masque]\n        w = np.linalg.solve(Xa.T @ Xa + alpha * np.eye(d), Xa.T @ ya)\n        r = X[pli] @ w - y[pli]\n        scores.append(float(np.mean(r ** 2)))\n    m = sum(scores) / len(scores)\n    s = (sum((v - m) ** 2 for v in scores) / len(scores)) ** 0.5\n    return m, s\n',
    why="python loops for the folds, ridge by np.linalg.solve, population std by hand",
)
CORRECT["blind-r6-correct-ece-floor-loop"] = Correct(
    grade_id="ece",
    source='import numpy as np\n\n\ndef fiabilite(confiances, correct, n_bins=15):\n    c = np.asarray(confiances, dtype=np.float64).ravel()\n    ok = np.asarray(correct).astype(np.float64).ravel()\n    idx = np.minimum(np.floor(c * n_bins).astype(int), n_bins - 1)\n    compte = np.zeros(n_bins)\n    confiance = np.zeros(n_bins)\n    precision = np.zeros(n_bins)\n    for m in range(n_bins):\n        masque = idx == m\n        nb = int(masque.sum())\n        compte[m] = nb\n        if nb > 0:\n            confiance[m] = c[masque].mean()\n            precision[m] = ok[masque].mean()\n    return {"compte": compte, "confiance": confiance, "precision": precision}\n\n\ndef ece(confiances, correct, n_bins=15):\n    b = fiabilite(confiances, correct, n_bins)\n    total = b["compte"].sum()\n    res = 0.0\n    for m in range(n_bins):\n        if b["compte"][m] > 0:\n            res += b["compte"][m] / total * abs(b["precision"][m] - b["confiance"][m])\n    return float(res)\n',
    why="bin = floor(conf · M) clipped to M − 1, a loop over the bins with masks",
)
CORRECT_GROUPS["blind-r6-correct"] = ("blind-r6-correct-ood-searchsorted",
                                      "blind-r6-correct-validation-loops",
                                      "blind-r6-correct-ece-floor-loop")


# ---------------------------------------------------------------- blind answers, round 8
# Hints fixed by class: fiabilite's per-bin means checked once its counts are right (a bin's
# centre as its confidence was blamed on edge placement); a CNN without ReLU after a
# convolution named as such (not as a pooling fault); entrainer's arguments (X_train, y_train,
# lr, epochs, batch_size) each said when ignored, the notebook's arrays named when a function
# reads them instead of its arguments (precision_par_angle's shape error, entrainer's data),
# and the full training on classes renamed by the grader, so that training on the notebook's
# digits no longer reaches the grader's accuracies; the NLL check of the temperature says the
# overflow; bias² and variance, and validation_croisee's usual mistakes, named one by one
# (alpha is never the default 1.0 any more, so an unused alpha shows).
_R8_ENTRAINER = partial(_solution, "entrainer_rotation")
_R8_VALIDATION = partial(_solution, "validation", "Le découpage.", "Les plis de KFold.")
SCENARIOS.update({
    "submission-ece-fiabilite-confidence-is-bin-centre": Scenario(
        grade_id="ece",
        source=edit(
            _solution("ece", "Confiance d'un bin : son centre.", "L'ECE à partir de fiabilite."),
            ('"confiance": somme_conf / diviseur',
             '"confiance": np.where(compte > 0, (np.arange(n_bins) + 0.5) / n_bins, 0.0)'),
        ),
        must_fail=_ECE_ALL,
        message_contains=("est le centre du bin", "pas le centre du bin"),
    ),
    "submission-modeles-cnn-without-relu-after-second-conv": Scenario(
        grade_id="modeles_rotation",
        source=edit(
            _solution("modeles_rotation", "Le MLP.", "CNN sans ReLU après la deuxième convolution."),
            ("        nn.Conv2d(16, 32, kernel_size=3, padding=1),\n        nn.ReLU(),\n",
             "        nn.Conv2d(16, 32, kernel_size=3, padding=1),\n"),
        ),
        must_fail=("test_cnn_more_robust_than_mlp",),
        message_contains=("il manque l'activation nn.ReLU() après la deuxième convolution",),
    ),
    "submission-modeles-cnn-without-relu-after-first-conv": Scenario(
        grade_id="modeles_rotation",
        source=edit(
            _solution("modeles_rotation", "Le MLP.", "CNN sans ReLU après la première convolution."),
            ("        nn.Conv2d(1, 16, kernel_size=3, padding=1),\n        nn.ReLU(),\n",
             "        nn.Conv2d(1, 16, kernel_size=3, padding=1),\n"),
        ),
        must_fail=("test_cnn_more_robust_than_mlp",),
        message_contains=("il manque l'activation nn.ReLU() après la première convolution",),
    ),
    "submission-entrainer-trains-on-notebook-data": Scenario(
        grade_id="entrainer_rotation",
        source=edit(
            _R8_ENTRAINER("Entraîne sur les données du notebook, pas sur ses arguments."),
            ("    N = len(X_train)\n",
             "    X_train, y_train = torch.from_numpy(X_app_rot), torch.from_numpy(y_app_rot)\n"
             "    N = len(X_train)\n"),
        ),
        must_fail=("test_models_learn_upright_digits", "test_accuracy_drops_under_rotation"),
        message_contains=("lit les variables globales du notebook X_app_rot, y_app_rot",
                          "sur les arguments X_train, y_train reçus"),
    ),
    "submission-entrainer-labels-from-notebook": Scenario(
        grade_id="entrainer_rotation",
        source=edit(
            _R8_ENTRAINER("Les étiquettes du notebook avec les images reçues."),
            ("    N = len(X_train)\n",
             "    y_train = torch.from_numpy(y_app_rot)\n    N = len(X_train)\n"),
        ),
        must_fail=("test_models_learn_upright_digits", "test_accuracy_drops_under_rotation"),
        message_contains=("lit la variable globale du notebook y_app_rot",
                          "les étiquettes du lot ne sont pas celles de y_train"),
    ),
    "submission-entrainer-hard-coded-lr-and-epochs": Scenario(
        grade_id="entrainer_rotation",
        source=edit(
            _R8_ENTRAINER("lr et nombre d'époques écrits dans la fonction."),
            ("Adam(modele.parameters(), lr=lr)", "Adam(modele.parameters(), lr=0.01)"),
            ("for _ in range(epochs):", "for _ in range(10):"),
        ),
        must_fail=("test_models_learn_upright_digits",),
        message_contains=("n'utilise pas ses arguments lr et epochs",),
        may_fail=("test_accuracy_drops_under_rotation",),
    ),
    "submission-entrainer-hard-coded-batch-size": Scenario(
        grade_id="entrainer_rotation",
        source=edit(
            _R8_ENTRAINER("Des lots de 64 écrits dans la fonction."),
            ("range(0, N, batch_size)", "range(0, N, 64)"),
            ("ordre[debut : debut + batch_size]", "ordre[debut : debut + 64]"),
        ),
        must_fail=("test_models_learn_upright_digits",),
        message_contains=("n'utilise pas son argument batch_size",),
    ),
    "submission-rotation-labels-from-notebook": Scenario(
        grade_id="rotation",
        source=edit(
            _solution("rotation", "tourner.", "Précisions contre les étiquettes du notebook."),
            ("    y = np.asarray(y)\n", "    y = np.asarray(y_test_rot)\n"),
        ),
        must_fail=("test_tourner_small_examples", "test_precision_par_angle_matches_reference"),
        message_contains=("precision_par_angle lit la variable globale du notebook y_test_rot",
                          "utilisez ses arguments"),
    ),
    "submission-biais-variance-square-of-mean-gap": Scenario(
        grade_id="biais_variance",
        source=edit(
            _solution("biais_variance", "Biais² : carré de l'écart moyen."),
            ("float(np.mean((moyenne - f_vraie(X_EVAL)) ** 2))",
             "float(np.mean(moyenne - f_vraie(X_EVAL)) ** 2)"),
        ),
        must_fail=("test_biais_variance_matches_simulation", "test_biais_variance_trends"),
        message_contains=("vous élevez au carré la MOYENNE des écarts",),
    ),
    "submission-biais-variance-variance-ddof-1": Scenario(
        grade_id="biais_variance",
        source=edit(
            _solution("biais_variance", "Variance avec correction."),
            ("preds.var(axis=0)", "preds.var(axis=0, ddof=1)"),
        ),
        must_fail=("test_biais_variance_matches_simulation",),
        message_contains=("np.var sans correction (ddof=0, le défaut), pas ddof=1",),
    ),
    "submission-biais-variance-bias-against-noisy-target": Scenario(
        grade_id="biais_variance",
        source=edit(
            _solution("biais_variance", "Biais² contre une cible bruitée."),
            ("(moyenne - f_vraie(X_EVAL))",
             "(moyenne - (f_vraie(X_EVAL) + bruit * rng.normal(size=len(X_EVAL))))"),
        ),
        must_fail=("test_biais_variance_matches_simulation",),
        message_contains=("contre la fonction vraie f_vraie (sans bruit)",),
        may_fail=("test_biais_variance_trends",),
    ),
    "submission-validation-ignores-alpha": Scenario(
        grade_id="validation",
        source=edit(_R8_VALIDATION("Ridge d'alpha 1 quel que soit alpha."),
                    ("+ alpha * np.eye(d)", "+ np.eye(d)")),
        must_fail=("test_validation_croisee_matches_reference",),
        message_contains=("n'utilise pas son argument alpha",),
    ),
    "submission-validation-ridge-with-intercept": Scenario(
        grade_id="validation",
        source=edit(
            _R8_VALIDATION("Ridge de scikit-learn avec son intercept par défaut."),
            ("        w = np.linalg.solve(X[app].T @ X[app] + alpha * np.eye(d), X[app].T @ y[app])\n"
             "        erreurs.append(np.mean((X[val] @ w - y[val]) ** 2))\n",
             "        from sklearn.linear_model import Ridge\n\n"
             "        ridge = Ridge(alpha=alpha).fit(X[app], y[app])\n"
             "        erreurs.append(np.mean((ridge.predict(X[val]) - y[val]) ** 2))\n"),
        ),
        must_fail=("test_validation_croisee_matches_reference",),
        message_contains=("votre ridge a un intercept",),
    ),
    "submission-validation-error-on-training-folds": Scenario(
        grade_id="validation",
        source=edit(_R8_VALIDATION("Erreur mesurée sur les exemples d'entraînement."),
                    ("np.mean((X[val] @ w - y[val]) ** 2)", "np.mean((X[app] @ w - y[app]) ** 2)")),
        must_fail=("test_validation_croisee_matches_reference",),
        message_contains=("vous mesurez l'erreur sur les exemples d'entraînement",),
    ),
    "submission-validation-std-ddof-1": Scenario(
        grade_id="validation",
        source=edit(_R8_VALIDATION("Écart-type avec correction."),
                    ("float(np.std(erreurs))", "float(np.std(erreurs, ddof=1))")),
        must_fail=("test_validation_croisee_matches_reference",),
        message_contains=("np.std sans correction (ddof=0, le défaut)",),
    ),
    "submission-validation-ridge-fitted-on-all-data": Scenario(
        grade_id="validation",
        source=edit(_R8_VALIDATION("Ridge ajustée une fois sur toutes les données."),
                    ("np.linalg.solve(X[app].T @ X[app] + alpha * np.eye(d), X[app].T @ y[app])",
                     "np.linalg.solve(X.T @ X + alpha * np.eye(d), X.T @ y)")),
        must_fail=("test_validation_croisee_matches_reference",),
        message_contains=("ajustée sur toutes les données",),
    ),
})
GROUPS.update({
    "arguments-1": (
        "submission-ece-fiabilite-confidence-is-bin-centre", "submission-validation-ignores-alpha",
        "submission-biais-variance-square-of-mean-gap", "submission-rotation-labels-from-notebook",
        "submission-modeles-cnn-without-relu-after-second-conv",
        "submission-entrainer-trains-on-notebook-data",
    ),
    "arguments-2": (
        "submission-validation-ridge-with-intercept", "submission-biais-variance-variance-ddof-1",
        "submission-modeles-cnn-without-relu-after-first-conv",
        "submission-entrainer-labels-from-notebook",
    ),
    "arguments-3": (
        "submission-validation-error-on-training-folds",
        "submission-biais-variance-bias-against-noisy-target",
        "submission-entrainer-hard-coded-lr-and-epochs",
    ),
    "arguments-4": ("submission-validation-std-ddof-1", "submission-entrainer-hard-coded-batch-size"),
    "arguments-5": ("submission-validation-ridge-fitted-on-all-data",),
})
CORRECT["correct-models-cnn-relu-after-pooling"] = Correct(
    grade_id="modeles_rotation",
    source=edit(
        _solution("modeles_rotation", "Le MLP.", "ReLU après chaque pooling : max et ReLU commutent."),
        ("        nn.ReLU(),\n        nn.MaxPool2d(2),\n", "        nn.MaxPool2d(2),\n        nn.ReLU(),\n"),
        ("        nn.ReLU(),\n        nn.AdaptiveMaxPool2d(1),\n",
         "        nn.AdaptiveMaxPool2d(1),\n        nn.ReLU(),\n"),
    ),
    why="ReLU after MaxPool2d and after AdaptiveMaxPool2d: relu(max(x)) = max(relu(x)), the same model",
)
CORRECT_GROUPS["correct-relu-order"] = ("correct-models-cnn-relu-after-pooling",)

# ---------------------------------------------------------------- blind answers (round 11)
# decouper shuffled with NumPy's legacy generator (np.random.seed then np.random.permutation):
# the right sizes, a split that depends on the seed alone, but not the statement's
# default_rng(seed).permutation(n); the check now compares the parts with its blocks, in any
# order of the blocks (the statement does not say which end of the permutation each takes).
# fiabilite with 15 bins written in: its message named the public default's shape (15,),
# which the leak test read as a hidden expected value. appliquer_temperature dividing the
# caller's array in place (np.asarray keeps it): the T check now names it.
SCENARIOS["submission-decouper-legacy-global-rng"] = Scenario(
    grade_id="validation",
    source=edit(_cell("validation"), (
        "    ordre = np.random.default_rng(seed).permutation(n)\n",
        "    np.random.seed(seed)\n    ordre = np.random.permutation(n)\n",
    )),
    must_fail=("test_decouper_disjoint_and_proportions",),
    message_contains=("ancien générateur de NumPy",),
)
SCENARIOS["submission-decouper-other-generator-call"] = Scenario(
    grade_id="validation",
    source=edit(_cell("validation"), (
        "np.random.default_rng(seed).permutation(n)",
        "np.random.default_rng(seed).choice(n, size=n, replace=False)",
    )),
    must_fail=("test_decouper_disjoint_and_proportions",),
    message_contains=("blocs consécutifs de np.random.default_rng(seed).permutation(n)",),
)
SCENARIOS["submission-fiabilite-fifteen-bins-hard-coded"] = Scenario(
    grade_id="ece",
    source=edit(_FIABILITE_SOLUTION, ("n_bins + 1)", "16)"), ("n_bins - 1)", "14)"),
                ("minlength=n_bins).astype", "minlength=15).astype"),
                ("weights=confiances, minlength=n_bins)", "weights=confiances, minlength=15)"),
                ("weights=correct, minlength=n_bins)", "weights=correct, minlength=15)")) + _ECE_SOLUTION,
    must_fail=("test_ece_public_example", "test_fiabilite_matches_reference", "test_ece_matches_reference"),
    message_contains=("pas 15 écrit en dur",),
)
SCENARIOS["submission-temperature-asarray-divided-in-place"] = Scenario(
    grade_id="temperature",
    source=edit(_cell("temperature"), (
        "    z = np.asarray(logits, dtype=float) / T\n",
        "    z = np.asarray(logits, dtype=float)\n    z /= T\n",
    )),
    must_fail=("test_temperature_matches_nll_optimum", "test_temperature_lowers_test_ece"),
    message_contains=("appliquer_temperature modifie sur place le tableau de logits",),
)
GROUPS["blind-r11-1"] = (
    "submission-decouper-legacy-global-rng", "submission-fiabilite-fifteen-bins-hard-coded",
    "submission-temperature-asarray-divided-in-place",
)
GROUPS["blind-r11-2"] = ("submission-decouper-other-generator-call",)
CORRECT["correct-decouper-train-block-first-sorted"] = Correct(
    grade_id="validation",
    source=edit(_cell("validation"), (
        "    return ordre[n_val + n_test :], ordre[:n_val], ordre[n_val : n_val + n_test]\n",
        "    n_app = n - n_val - n_test\n"
        "    app, val, test = ordre[:n_app], ordre[n_app : n_app + n_val], ordre[n_app + n_val :]\n"
        "    return np.sort(app), np.sort(val), np.sort(test)\n",
    )),
    why="the training block first in the permutation, then validation and test, each part "
        "sorted: the statement names the blocks' sizes, not their order",
)
CORRECT_GROUPS["correct-r11-decouper"] = ("correct-decouper-train-block-first-sorted",)

# ---------------------------------------------------------------- blind answers (round 13)
# appliquer_temperature in float32 (NumPy, or torch.softmax) lost a point: the comparison with
# softmax(logits / T) now allows float32's rounding of logits / T of several thousands. T is
# now asked within 0.5 % (the statement aims at 0.1 %) on five classifiers, one with T below
# 0.1: a fine grid of absolute step 0.01, or no fine grid at all, no longer passes by chance,
# and is told that its search lacks precision. Question 6b's layers are read by behaviour: a
# random layer (dropout), another activation between the MLP's layers, an activation after the
# CNN's last layer. entrainer_rotation trains the statement's models with the student's loop
# (a fault of creer_* costs modeles_rotation only); the stand-in model says when entrainer
# trains a copy or runs in evaluation mode. precision_par_angle's dropout hint needs a forward
# in training mode; tourner's hint names any plane other than the last two axes'. The
# k-fold check never draws n % k = k − 1, where folds of ⌈n/k⌉ coincide with KFold's.
_R13_TEMPERATURE = partial(_solution, "temperature", "softmax(logits / T), stable.")
_R13_MODELES = partial(_solution, "modeles_rotation")
_R13_ENTRAINER = partial(_solution, "entrainer_rotation")
SCENARIOS.update({
    "submission-temperature-fine-grid-absolute-step": Scenario(
        grade_id="temperature",
        source=edit(
            _R13_TEMPERATURE("Grille linéaire de pas 0,05, puis grille fine de pas absolu 0,01."),
            ("np.exp(np.linspace(np.log(0.05), np.log(20.0), 121))", "np.arange(0.05, 20.0, 0.05)"),
            ("meilleur * np.exp(np.linspace(-0.06, 0.06, 121))",
             "meilleur + 0.01 * np.arange(-4, 5)"),
        ),
        must_fail=("test_temperature_matches_nll_optimum",),
        message_contains=("pas assez précis",),
    ),
    "submission-temperature-coarse-grid-only": Scenario(
        grade_id="temperature",
        source=edit(
            _R13_TEMPERATURE("La grille grossière seule."),
            ("    fine = meilleur * np.exp(np.linspace(-0.06, 0.06, 121))\n"
             "    return float(fine[int(np.argmin([nll(T) for T in fine]))])\n",
             "    return float(meilleur)\n"),
        ),
        must_fail=("test_temperature_matches_nll_optimum",),
        message_contains=("pas assez précis",),
    ),
    "submission-modeles-mlp-with-dropout": Scenario(
        grade_id="modeles_rotation",
        source=edit(
            _R13_MODELES("Un MLP avec du dropout avant la dernière couche.", "Le CNN."),
            ("nn.ReLU(), nn.Linear(64, 10))", "nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 10))"),
        ),
        must_fail=("test_cnn_more_robust_than_mlp",),
        message_contains=("nn.Dropout",),
    ),
    "submission-modeles-mlp-tanh": Scenario(
        grade_id="modeles_rotation",
        source=edit(
            _R13_MODELES("Un MLP à activation tanh.", "Le CNN."),
            ("nn.ReLU(), nn.Linear(64, 10))", "nn.Tanh(), nn.Linear(64, 10))"),
        ),
        must_fail=("test_cnn_more_robust_than_mlp",),
        message_contains=("ne reçoit pas ReLU de la sortie de nn.Linear(64, 64)",),
    ),
    "submission-modeles-cnn-relu-after-last-linear": Scenario(
        grade_id="modeles_rotation",
        source=edit(
            _R13_MODELES("Le MLP.", "Un CNN qui finit par une ReLU."),
            ("        nn.Linear(32, 10),\n", "        nn.Linear(32, 10),\n        nn.ReLU(),\n"),
        ),
        must_fail=("test_cnn_more_robust_than_mlp",),
        message_contains=("une activation après elle",),
    ),
    "submission-entrainer-trains-a-deepcopy": Scenario(
        grade_id="entrainer_rotation",
        source=edit(
            _R13_ENTRAINER("Entraîne une copie du modèle et la renvoie."),
            ("    generateur = torch.Generator().manual_seed(seed)\n",
             "    import copy\n\n    modele = copy.deepcopy(modele)\n"
             "    generateur = torch.Generator().manual_seed(seed)\n"),
        ),
        must_fail=("test_models_learn_upright_digits",),
        message_contains=("copy.deepcopy",),
    ),
    "submission-entrainer-in-eval-mode": Scenario(
        grade_id="entrainer_rotation",
        source=edit(
            _R13_ENTRAINER("Entraîne en mode évaluation."),
            ("    modele.train()\n", "    modele.eval()\n"),
        ),
        must_fail=("test_models_learn_upright_digits",),
        message_contains=("appelez modele.train()",),
    ),
    "submission-rotation-softmax-over-examples": Scenario(
        grade_id="rotation",
        source=edit(
            _solution("rotation", "tourner.", "Un softmax sur l'axe des exemples avant l'argmax."),
            ("logits.argmax(dim=1)", "logits.softmax(dim=0).argmax(dim=1)"),
        ),
        must_fail=("test_precision_par_angle_matches_reference",),
        message_contains=("axe des classes (dim=1)",),
    ),
    "submission-rotation-plane-channels-height": Scenario(
        grade_id="rotation",
        source=edit(
            _solution("rotation", "Le plan des axes 1 et 2 (canaux, hauteur).", "La courbe."),
            ("axes=(2, 3)", "axes=(1, 2)"),
        ),
        must_fail=("test_tourner_small_examples", "test_tourner_matches_scipy"),
        message_contains=("vous ne tournez pas dans le plan des deux derniers axes",),
        may_fail=("test_precision_par_angle_matches_reference",),
    ),
    "submission-kfold-ceil-sized-folds": Scenario(
        grade_id="validation",
        source=edit(
            _solution("validation", "Le découpage.", "Plis de taille ⌈n/k⌉, le dernier plus court.",
                      "La validation croisée sur les plis de plis_kfold."),
            ("    tailles = np.full(k, n // k)\n    tailles[: n % k] += 1\n"
             "    debuts = np.concatenate([[0], np.cumsum(tailles)])\n"
             "    return [np.arange(debuts[i], debuts[i + 1]) for i in range(k)]\n",
             "    t = -(-n // k)\n    return [np.arange(i * t, min((i + 1) * t, n)) for i in range(k)]\n"),
        ),
        must_fail=("test_plis_kfold_small", "test_plis_kfold_matches_sklearn",
                   "test_validation_croisee_matches_reference"),
        message_contains=("ce ne sont pas les plis de KFold",),
    ),
})
GROUPS.update({
    "blind-r13-1": (
        "submission-temperature-fine-grid-absolute-step", "submission-modeles-mlp-with-dropout",
        "submission-entrainer-trains-a-deepcopy", "submission-rotation-softmax-over-examples",
        "submission-kfold-ceil-sized-folds",
    ),
    "blind-r13-2": (
        "submission-temperature-coarse-grid-only", "submission-modeles-mlp-tanh",
        "submission-entrainer-in-eval-mode", "submission-rotation-plane-channels-height",
    ),
    "blind-r13-3": ("submission-modeles-cnn-relu-after-last-linear",),
})
CORRECT["correct-temperature-float32-numpy"] = Correct(
    grade_id="temperature",
    source=edit(
        _R13_TEMPERATURE("softmax(logits / T) calculé en float32."),
        ("    z = np.asarray(logits, dtype=float) / T\n",
         "    z = np.asarray(logits, dtype=np.float32) / np.float32(T)\n"),
    ),
    why="appliquer_temperature in float32: off by up to 2e-4 relative where logits / T reaches "
        "thousands, underflowing to 0 below 1e-38",
)
CORRECT["correct-temperature-torch-softmax-float32"] = Correct(
    grade_id="temperature",
    source=edit(
        _R13_TEMPERATURE("torch.softmax en float32."),
        ("    z = np.asarray(logits, dtype=float) / T\n"
         "    z = z - z.max(axis=1, keepdims=True)\n"
         "    e = np.exp(z)\n"
         "    return e / e.sum(axis=1, keepdims=True)\n",
         "    z = torch.tensor(np.asarray(logits), dtype=torch.float32)\n"
         "    return torch.softmax(z / T, dim=1).numpy()\n"),
    ),
    why="torch.softmax on float32 logits, returned as a float32 array",
)
CORRECT_GROUPS["blind-r13-correct-1"] = ("correct-temperature-float32-numpy",)
CORRECT_GROUPS["blind-r13-correct-2"] = ("correct-temperature-torch-softmax-float32",)


# Lead, round 14: the statement says entrainer "entraîne modele et le renvoie", and the notebook
# goes on with modele = entrainer(modele, ...); trained in place, None returned.
SCENARIOS["submission-entrainer-returns-nothing"] = Scenario(
    grade_id="entrainer_rotation",
    source=edit(solution_cell(__file__, "entrainer_rotation"), ("    return modele\n", "")),
    must_fail=("test_entrainer_moves_the_weights",),
    message_contains=("ne renvoie rien (None)",),
)
GROUPS["lead-returns-nothing"] = ("submission-entrainer-returns-nothing",)


# ---------------------------------------------------------------- blind answers (round 15)
# Three hints that named another fault than the answer's (each hint's premise is now observed
# before it is given). A loop that augments the data (copies of X_train rotated by ±20°, 3N
# examples per epoch) was told that it ignored epochs: the stand-in now checks that every
# image it is fed is a row of X_train before any count is read, and epochs is judged by
# varying it (the same number of examples with fewer epochs). A generator re-created inside
# the epoch loop (a permutation drawn at every epoch, always the same) was told to draw a new
# permutation at every epoch, which it did: the stand-in notes the permutations drawn
# (torch.randperm, np.random.permutation) and the generators made (np.random.default_rng), and
# the hint says which of "not shuffled", "one permutation for the whole training", "the
# generator restarts at every epoch" it saw. appliquer_temperature subtracting the maximum in
# place (z = np.asarray(logits, dtype=float) keeps a float64 array) was told not to divide
# logits in place: the write is now read in the kernel (a shift per row, a rescaling, both, or
# another operation) and named; a shift alone no longer explains a wrong T.
def _r15(text: str) -> str:
    """A blind answer as its author wrote it, without its `# grade_id` line."""
    return text.split("\n", 1)[1] if text.startswith("# grade_id") else text


_R15_ENTRAINER_HEAD = '''def entrainer(modele, X_train, y_train, epochs=25, lr=0.005, batch_size=64, seed=0):
    """Entraîne modele par Adam sur des mini-lots mélangés à chaque époque ; renvoie modele."""
'''
_R15_AUGMENT = _R15_ENTRAINER_HEAD + '''    generateur = torch.Generator().manual_seed(seed)
    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)
    modele.train()
    N = len(X_train)
    # petite augmentation pour rendre le modèle plus robuste
    X_np = X_train.numpy()
    X_aug = torch.cat([X_train] + [torch.tensor(rotate(X_np, a, axes=(2, 3), reshape=False, order=1), dtype=torch.float32)
                                    for a in (-20, 20)])
    y_aug = torch.cat([y_train, y_train, y_train])
    for _ in range(epochs):
        ordre = torch.randperm(3 * N, generator=generateur)
        for debut in range(0, 3 * N, batch_size):
            lot = ordre[debut : debut + batch_size]
            optimiseur.zero_grad()
            perte = F.cross_entropy(modele(X_aug[lot]), y_aug[lot])
            perte.backward()
            optimiseur.step()
    return modele
'''
_R15_GENERATOR_PER_EPOCH = _R15_ENTRAINER_HEAD + '''    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)
    modele.train()
    N = len(X_train)
    for _ in range(epochs):
        generateur = torch.Generator().manual_seed(seed)
        ordre = torch.randperm(N, generator=generateur)
        for debut in range(0, N, batch_size):
            lot = ordre[debut : debut + batch_size]
            optimiseur.zero_grad()
            perte = F.cross_entropy(modele(X_train[lot]), y_train[lot])
            perte.backward()
            optimiseur.step()
    return modele
'''
_R15_NO_SHUFFLE = _R15_ENTRAINER_HEAD + '''    torch.manual_seed(seed)
    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)
    modele.train()
    N = len(X_train)
    for _ in range(epochs):
        for debut in range(0, N, batch_size):
            xb = X_train[debut : debut + batch_size]
            yb = y_train[debut : debut + batch_size]
            optimiseur.zero_grad()
            perte = F.cross_entropy(modele(xb), yb)
            perte.backward()
            optimiseur.step()
    return modele
'''
_R15_INPLACE_SHIFT = '''def appliquer_temperature(logits, T):
    """Probabilités softmax(logits / T)."""
    z = np.asarray(logits, dtype=float)
    z -= z.max(axis=1, keepdims=True)  # stabilité numérique
    e = np.exp(z / T)
    return e / e.sum(axis=1, keepdims=True)


def ajuster_temperature(logits_val, y_val):
    """Température minimisant la NLL sur la validation."""
    y_val = np.asarray(y_val, dtype=int)
    lignes = np.arange(len(y_val))

    def nll(T):
        p = appliquer_temperature(logits_val, T)
        return -np.mean(np.log(p[lignes, y_val] + 1e-12))

    grille = np.geomspace(0.05, 20.0, 150)
    best = grille[np.argmin([nll(T) for T in grille])]
    fine = np.linspace(best * 0.95, best * 1.05, 201)
    return float(fine[np.argmin([nll(T) for T in fine])])
'''
_R15_TEMPERATURE = partial(_solution, "temperature")


def _R15_TEMPERATURE_DOC(doc: str) -> str:
    """The solution's temperature cell, appliquer_temperature documented by `doc`."""
    return _R15_TEMPERATURE(doc, "Recherche sur grille de la NLL, comme la solution.")


_R15_ENTRAINER = partial(_solution, "entrainer_rotation")
SCENARIOS.update({
    "blind-r15-entrainer-augments-with-rotations": Scenario(
        grade_id="entrainer_rotation",
        source=_R15_AUGMENT,
        must_fail=("test_models_learn_upright_digits",),
        message_contains=("ne sont pas toutes des lignes de X_train",
                          "plus que epochs passes sur X_train", "n'augmentez pas les données"),
        may_fail=("test_accuracy_drops_under_rotation",),
    ),
    "blind-r15-entrainer-generator-per-epoch": Scenario(
        grade_id="entrainer_rotation",
        source=_R15_GENERATOR_PER_EPOCH,
        must_fail=("test_models_learn_upright_digits",),
        message_contains=("le générateur est recréé", "créez le générateur une seule fois, avant "
                          "la boucle des époques"),
    ),
    "blind-r15-entrainer-no-shuffle": Scenario(
        grade_id="entrainer_rotation",
        source=_R15_NO_SHUFFLE,
        must_fail=("test_models_learn_upright_digits",),
        message_contains=("ils ne sont pas mélangés",),
    ),
    "blind-r15-temperature-subtracts-max-in-place": Scenario(
        grade_id="temperature",
        source=_R15_INPLACE_SHIFT,
        must_fail=("test_temperature_matches_nll_optimum", "test_temperature_lowers_test_ece"),
        message_contains=("une valeur est soustraite sur place de chaque ligne de logits",),
    ),
    # The hints the fix added, each on an answer that shows its premise.
    "submission-entrainer-numpy-generator-per-epoch": Scenario(
        grade_id="entrainer_rotation",
        source=edit(
            _R15_ENTRAINER("Un générateur NumPy créé à chaque époque."),
            ("        ordre = torch.randperm(N, generator=generateur)\n",
             "        ordre = torch.from_numpy(np.random.default_rng(seed).permutation(N))\n"),
        ),
        must_fail=("test_models_learn_upright_digits",),
        message_contains=("le générateur est recréé",),
    ),
    "submission-entrainer-randomstate-per-epoch": Scenario(
        grade_id="entrainer_rotation",
        source=edit(
            _R15_ENTRAINER("Un RandomState créé à chaque époque."),
            ("        ordre = torch.randperm(N, generator=generateur)\n",
             "        ordre = torch.from_numpy(np.random.RandomState(seed).permutation(N))\n"),
        ),
        must_fail=("test_models_learn_upright_digits",),
        message_contains=("d'un générateur créé une seule fois avant la boucle des époques",),
    ),
    "submission-entrainer-shuffles-after-each-epoch": Scenario(
        grade_id="entrainer_rotation",
        source=edit(
            _R15_ENTRAINER("Mélange à la FIN de chaque époque."),
            ("    for _ in range(epochs):\n        ordre = torch.randperm(N, generator=generateur)\n",
             "    ordre = torch.arange(N)\n    for _ in range(epochs):\n"),
            ("            optimiseur.step()\n",
             "            optimiseur.step()\n        ordre = torch.randperm(N, generator=generateur)\n"),
        ),
        must_fail=("test_models_learn_upright_digits",),
        message_contains=("la première époque voit les exemples dans l'ordre de X_train",),
    ),
    "submission-entrainer-every-example-twice": Scenario(
        grade_id="entrainer_rotation",
        source=edit(
            _R15_ENTRAINER("Chaque époque passe deux fois sur les exemples."),
            ("    N = len(X_train)\n",
             "    X_train, y_train = torch.cat([X_train, X_train]), torch.cat([y_train, y_train])\n"
             "    N = len(X_train)\n"),
        ),
        must_fail=("test_models_learn_upright_digits",),
        message_contains=("pas le bon nombre d'étapes de gradient ou d'exemples par époque",),
    ),
    "submission-temperature-shift-and-divide-in-place": Scenario(
        grade_id="temperature",
        source=edit(
            _R15_TEMPERATURE_DOC("Décale puis divise, sur place."),
            ("    z = np.asarray(logits, dtype=float) / T\n    z = z - z.max(axis=1, keepdims=True)\n",
             "    z = np.asarray(logits, dtype=float)\n    z -= z.max(axis=1, keepdims=True)\n    z /= T\n"),
        ),
        must_fail=("test_temperature_matches_nll_optimum", "test_temperature_lowers_test_ece"),
        message_contains=("déjà décalés et divisés", "est décalé ligne par ligne et divisé sur place"),
    ),
    "submission-temperature-exp-into-logits": Scenario(
        grade_id="temperature",
        source=edit(
            _R15_TEMPERATURE_DOC("L'exponentielle écrite dans le tableau reçu."),
            ("    z = np.asarray(logits, dtype=float) / T\n    z = z - z.max(axis=1, keepdims=True)\n"
             "    e = np.exp(z)\n",
             "    z = np.asarray(logits, dtype=float)\n    m = z.max(axis=1, keepdims=True)\n"
             "    e = np.exp((z - m) / T, out=z)\n"),
        ),
        must_fail=("test_temperature_matches_nll_optimum", "test_temperature_lowers_test_ece"),
        message_contains=("déjà modifiés", "une opération en place (-=, /=, out=...) écrit dans logits"),
    ),
})
GROUPS.update({
    "blind-r15-1": ("blind-r15-entrainer-augments-with-rotations",
                    "blind-r15-temperature-subtracts-max-in-place"),
    "blind-r15-2": ("blind-r15-entrainer-generator-per-epoch",
                    "submission-temperature-shift-and-divide-in-place"),
    "blind-r15-3": ("blind-r15-entrainer-no-shuffle", "submission-temperature-exp-into-logits"),
    "blind-r15-4": ("submission-entrainer-numpy-generator-per-epoch",),
    "blind-r15-5": ("submission-entrainer-randomstate-per-epoch",),
    "blind-r15-6": ("submission-entrainer-shuffles-after-each-epoch",),
    "blind-r15-7": ("submission-entrainer-every-example-twice",),
})
# The round's ungraded correct answers, and correct variants of the items the fix touched: a
# generator made once and a DataLoader made at every epoch from it; in-place operations on a
# real copy of the logits (np.array copies, np.asarray does not).
CORRECT.update({
    "blind-r15-correct-biais-variance-loop-sums": Correct(
        grade_id="biais_variance",
        source=_r15('''# grade_id: biais_variance
def biais_variance(degre, seed, n_essais=100, n=30, bruit=0.3):
    """Dict {"biais2": float, "variance": float} pour des polynômes de degré `degre`."""
    rng = np.random.default_rng(seed)
    somme = np.zeros(len(X_EVAL))
    somme_carres = np.zeros(len(X_EVAL))
    toutes = []
    for essai in range(n_essais):
        x, y = tirer_donnees(rng, n=n, bruit=bruit)
        coeffs = np.polyfit(x, y, deg=degre)
        pred = np.polyval(coeffs, X_EVAL)
        toutes.append(pred)
        somme += pred
    f_barre = somme / n_essais
    for pred in toutes:
        somme_carres += (pred - f_barre) ** 2
    biais2 = np.mean((f_barre - f_vraie(X_EVAL)) ** 2)
    variance = np.mean(somme_carres / n_essais)
    print(f"degré {degre} : biais² = {biais2:.4f}, variance = {variance:.4f}")
    return {"biais2": float(biais2), "variance": float(variance)}
'''),
        why="sums in loops, the variance as the mean of squared gaps to the mean prediction",
    ),
    "blind-r15-correct-entrainer-dataloader": Correct(
        grade_id="entrainer_rotation",
        source='''from torch.utils.data import DataLoader, TensorDataset


''' + _R15_ENTRAINER_HEAD + '''    generateur = torch.Generator().manual_seed(seed)
    chargeur = DataLoader(TensorDataset(X_train, y_train), batch_size=batch_size, shuffle=True,
                          generator=generateur)
    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)
    modele.train()
    for epoque in range(epochs):
        for xb, yb in chargeur:
            optimiseur.zero_grad()
            perte = F.cross_entropy(modele(xb), yb)
            perte.backward()
            optimiseur.step()
    return modele
''',
        why="a DataLoader (shuffle=True) over a generator made once",
    ),
    "blind-r15-correct-rotation-transpose-planes": Correct(
        grade_id="rotation",
        source='''def tourner(images, angle):
    """Chaque image (N, 1, 8, 8) tournée de `angle` degrés (sens trigonométrique), bilinéaire, même forme."""
    imgs = np.asarray(images, dtype=float)
    # mettre le plan image devant : (8, 8, N, 1), tourner dans les axes (0, 1), revenir
    plan = np.transpose(imgs, (2, 3, 0, 1))
    tourne = rotate(plan, angle, axes=(0, 1), reshape=False, order=1, mode="constant", cval=0.0)
    return np.transpose(tourne, (2, 3, 0, 1))


def precision_par_angle(modele, X, y, angles):
    """Tableau des précisions du modèle sur tourner(X, angle), pour chaque angle de `angles`."""
    modele.eval()
    etiquettes = torch.as_tensor(np.asarray(y)).long()
    precisions = []
    with torch.no_grad():
        for a in angles:
            entree = torch.from_numpy(tourner(X, a).astype(np.float32))
            precisions.append((modele(entree).argmax(dim=-1) == etiquettes).float().mean().item())
    return np.asarray(precisions, dtype=float)
''',
        why="the image plane moved to the front, rotated in axes (0, 1), moved back",
    ),
    "correct-entrainer-dataloader-per-epoch-one-generator": Correct(
        grade_id="entrainer_rotation",
        source='''from torch.utils.data import DataLoader, TensorDataset


''' + _R15_ENTRAINER_HEAD + '''    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    modele.train()
    donnees = TensorDataset(X_train, y_train)
    for _ in range(epochs):
        # un chargeur par époque, tous tirant du même générateur, créé une fois
        for xb, yb in DataLoader(donnees, batch_size=batch_size, shuffle=True, generator=g):
            opt.zero_grad()
            F.cross_entropy(modele(xb), yb).backward()
            opt.step()
    return modele
''',
        why="a DataLoader made at every epoch, from one generator made before the loop",
    ),
    "correct-entrainer-numpy-generator-once": Correct(
        grade_id="entrainer_rotation",
        source=edit(
            _R15_ENTRAINER("Un générateur NumPy créé une fois."),
            ("    generateur = torch.Generator().manual_seed(seed)\n",
             "    rng = np.random.default_rng(seed)\n"),
            ("        ordre = torch.randperm(N, generator=generateur)\n",
             "        ordre = torch.from_numpy(rng.permutation(N))\n"),
        ),
        why="np.random.default_rng(seed) made once, a permutation drawn from it at every epoch",
    ),
    "correct-temperature-in-place-on-a-copy": Correct(
        grade_id="temperature",
        source=edit(
            _R15_TEMPERATURE_DOC("Opérations en place sur une vraie copie."),
            ("    z = np.asarray(logits, dtype=float) / T\n    z = z - z.max(axis=1, keepdims=True)\n",
             "    z = np.array(logits, dtype=float)  # np.array copie\n"
             "    z -= z.max(axis=1, keepdims=True)\n    z /= T\n"),
        ),
        why="-= and /= on np.array(logits, dtype=float), a copy",
    ),
    "correct-temperature-asarray-copy": Correct(
        grade_id="temperature",
        source=edit(
            _R15_TEMPERATURE_DOC("np.asarray(...).copy() puis opérations en place."),
            ("    z = np.asarray(logits, dtype=float) / T\n    z = z - z.max(axis=1, keepdims=True)\n",
             "    z = np.asarray(logits, dtype=float).copy()\n    z /= T\n"
             "    z -= z.max(axis=1, keepdims=True)\n"),
        ),
        why="np.asarray(...).copy(), then /= and -= on the copy",
    ),
})
CORRECT_GROUPS.update({
    "blind-r15-correct-1": ("blind-r15-correct-biais-variance-loop-sums",
                            "blind-r15-correct-entrainer-dataloader",
                            "blind-r15-correct-rotation-transpose-planes",
                            "correct-temperature-in-place-on-a-copy"),
    "blind-r15-correct-2": ("correct-entrainer-dataloader-per-epoch-one-generator",
                            "correct-temperature-asarray-copy"),
    "blind-r15-correct-3": ("correct-entrainer-numpy-generator-once",),
})


# ---------------------------------------------------------------- blind round 17
# auroc exact only up to 100,000 pairs (a sample of pairs above: the grader's inputs stayed
# under it; a case with 250,000 to 490,000 pairs now), auroc with np.isclose ties (passed by
# chance: a case of distinct scores within 1e-5 of each other now, named in the hint), tourner
# clipping to [0, 1] (unseen on [0, 1] digits: a case of standardised images now),
# entrainer dividing X_train in place by its maximum (told as an augmentation: the write and
# the rescaling are now named), entrainer keeping its generator in a global seeded on the
# first call (told as a seed not used: the same seed drawing another order is now said as
# state kept between calls; the recorder puts the global generators in the same state before
# each call, so that an unseeded global generator is told as a seed not used).
_R17_ENTRAINER = partial(_solution, "entrainer_rotation")
_R17_OOD = partial(_solution, "ood", "Le score de la solution.")
SCENARIOS.update({
    "blind-r17-auroc-sampled-pairs": Scenario(
        grade_id="ood",
        source=edit(
            _R17_OOD("Exacte jusqu'à 100 000 paires, estimée sur 100 000 paires au-delà."),
            ("    pos, neg = scores[etiquettes][:, None], scores[~etiquettes][None, :]\n",
             "    pos, neg = scores[etiquettes], scores[~etiquettes]\n"
             "    if len(pos) * len(neg) > 100_000:\n"
             "        # trop de paires pour la mémoire : on estime sur 100 000 paires tirées au hasard\n"
             "        rng = np.random.default_rng(0)\n"
             "        i = rng.integers(0, len(pos), size=100_000)\n"
             "        j = rng.integers(0, len(neg), size=100_000)\n"
             "        return float(np.mean(pos[i] > neg[j]) + 0.5 * np.mean(pos[i] == neg[j]))\n"
             "    pos, neg = pos[:, None], neg[None, :]\n"),
        ),
        must_fail=("test_auroc_matches_sklearn",),
        message_contains=("pas estimée sur un échantillon de paires",),
    ),
    "blind-r17-auroc-isclose-ties": Scenario(
        grade_id="ood",
        source=edit(
            _R17_OOD("Ex æquo à np.isclose près."),
            ("    return float(np.mean(pos > neg) + 0.5 * np.mean(pos == neg))\n",
             "    # des flottants ne se comparent pas avec == : ex æquo à la précision machine près\n"
             "    egaux = np.isclose(pos, neg)\n"
             "    return float(np.mean((pos > neg) & ~egaux) + 0.5 * np.mean(egaux))\n"),
        ),
        must_fail=("test_auroc_matches_sklearn",),
        message_contains=("des scores presque égaux sont comptés comme ex æquo (comparaison avec "
                          "tolérance",),
    ),
    "blind-r17-tourner-clips-to-unit-range": Scenario(
        grade_id="rotation",
        source=edit(
            _solution("rotation", "Rotation coupée dans [0, 1].", "Précisions de la solution."),
            ("    return rotate(np.asarray(images), angle, axes=(2, 3), reshape=False, order=1, "
             "mode=\"constant\", cval=0.0)\n",
             "    tournees = rotate(np.asarray(images), angle, axes=(2, 3), reshape=False, order=1)\n"
             "    # des intensités de pixels restent dans [0, 1]\n"
             "    return np.clip(tournees, 0.0, 1.0)\n"),
        ),
        must_fail=("test_tourner_matches_scipy",),
        message_contains=("sur des images centrées-réduites",
                          "mais coupée dans un intervalle (np.clip ?)"),
    ),
    "blind-r17-entrainer-normalises-in-place": Scenario(
        grade_id="entrainer_rotation",
        source=edit(
            _R17_ENTRAINER("Divise X_train par son maximum, sur place."),
            ("    generateur = torch.Generator().manual_seed(seed)\n",
             "    # on s'assure que les pixels sont dans [0, 1]\n"
             "    X_train /= X_train.max()\n"
             "    generateur = torch.Generator().manual_seed(seed)\n"),
        ),
        must_fail=("test_models_learn_upright_digits",),
        message_contains=("écrit dans le X_train reçu (une opération en place",
                          "tout X_train est remis à l'échelle"),
    ),
    "blind-r17-entrainer-normalises-a-copy": Scenario(
        grade_id="entrainer_rotation",
        source=edit(
            _R17_ENTRAINER("Normalise une copie de X_train : moyenne 0, écart-type 1."),
            ("    generateur = torch.Generator().manual_seed(seed)\n",
             "    X_train = (X_train - X_train.mean()) / X_train.std()\n"
             "    generateur = torch.Generator().manual_seed(seed)\n"),
        ),
        must_fail=("test_models_learn_upright_digits",),
        message_contains=("le modèle reçoit les images de X_train remises à l'échelle "
                          "(multipliées par un facteur et décalées",),
        # Standardised digits train as well; the accuracy of the grader's models may move.
        may_fail=("test_accuracy_drops_under_rotation",),
    ),
    "blind-r17-entrainer-generator-in-a-global": Scenario(
        grade_id="entrainer_rotation",
        source="_generateur = None\n\n\n" + edit(
            _R17_ENTRAINER("Le générateur gardé dans une variable globale, créé au premier appel."),
            ("    generateur = torch.Generator().manual_seed(seed)\n",
             "    global _generateur\n"
             "    if _generateur is None:  # le générateur n'est créé qu'une fois\n"
             "        _generateur = torch.Generator().manual_seed(seed)\n"
             "    generateur = _generateur\n"),
        ),
        must_fail=("test_models_learn_upright_digits",),
        message_contains=("deux appels avec la même graine ne voient pas les exemples dans le "
                          "même ordre", "état conservé d'un appel à l'autre"),
    ),
    "blind-r17-entrainer-unseeded-global-generator": Scenario(
        grade_id="entrainer_rotation",
        source=edit(
            _R17_ENTRAINER("Le générateur global de torch, jamais initialisé avec seed."),
            ("    generateur = torch.Generator().manual_seed(seed)\n", ""),
            ("        ordre = torch.randperm(N, generator=generateur)\n",
             "        ordre = torch.randperm(N)\n"),
        ),
        must_fail=("test_models_learn_upright_digits",),
        message_contains=("ne tire pas l'ordre des exemples avec son argument seed",),
    ),
    "blind-r17-decouper-truncates": Scenario(
        grade_id="validation",
        source=edit(
            _solution("validation", "Tailles tronquées par int().", "Les plis de la solution.",
                      "La validation croisée de la solution."),
            ("    n_val, n_test = int(round(p_val * n)), int(round(p_test * n))\n",
             "    n_val, n_test = int(p_val * n), int(p_test * n)\n"),
        ),
        must_fail=("test_decouper_disjoint_and_proportions",),
        message_contains=("decouper(n, p_val, p_test, seed), pour une des entrées du correcteur : "
                          "le nombre d'exemples en validation",),
    ),
})
GROUPS.update({
    "blind-r17-1": ("blind-r17-auroc-sampled-pairs", "blind-r17-tourner-clips-to-unit-range",
                    "blind-r17-entrainer-normalises-in-place", "blind-r17-decouper-truncates"),
    "blind-r17-2": ("blind-r17-auroc-isclose-ties", "blind-r17-entrainer-generator-in-a-global"),
    "blind-r17-3": ("blind-r17-entrainer-normalises-a-copy",),
    "blind-r17-4": ("blind-r17-entrainer-unseeded-global-generator",),
})
# Correct variants of the items the fix touched: auroc by a loop over the positives (the
# tester's), in float32 torch tensors by blocks of pairs; tourner image by image in float32
# (the tester's), on standardised images too; entrainer working on float32 / long views of
# its arguments (the tester's) and with a generator made at every call by a helper.
CORRECT.update({
    "blind-r17-correct-auroc-loop-over-positives": Correct(
        grade_id="ood",
        source='''def score_msp(logits):
    """Confiance softmax maximale de chaque exemple : tableau (N,)."""
    t = torch.as_tensor(np.asarray(logits), dtype=torch.float64)
    return torch.softmax(t, dim=1).max(dim=1).values.numpy()


def auroc(etiquettes, scores):
    """AUROC de scores (N,) pour des étiquettes 0/1 (N,) : 1 = positif, score élevé = plutôt positif."""
    etiquettes = np.asarray(etiquettes)
    scores = np.asarray(scores, dtype=float)
    positifs = scores[etiquettes == 1]
    negatifs = scores[etiquettes == 0]
    total = 0.0
    for s in positifs:
        total += np.sum(s > negatifs) + 0.5 * np.sum(s == negatifs)
    return float(total / (len(positifs) * len(negatifs)))
''',
        why="torch softmax in float64; auroc by a loop over the positives (the tester's)",
    ),
    "blind-r17-correct-auroc-float32-torch-blocks": Correct(
        grade_id="ood",
        source='''def score_msp(logits):
    """Confiance softmax maximale de chaque exemple : tableau (N,)."""
    return softmax(logits).max(axis=1)


def auroc(etiquettes, scores):
    """AUROC de scores (N,) pour des étiquettes 0/1 (N,) : 1 = positif, score élevé = plutôt positif."""
    y = torch.tensor(np.asarray(etiquettes).tolist())
    s = torch.tensor(np.asarray(scores).tolist())  # une liste de floats : float32
    pos, neg = s[y == 1], s[y == 0]
    gagnes, egaux = 0, 0
    for debut in range(0, len(pos), 128):  # par blocs de 128 positifs
        bloc = pos[debut : debut + 128, None]
        gagnes += int((bloc > neg[None, :]).sum())
        egaux += int((bloc == neg[None, :]).sum())
    return (gagnes + 0.5 * egaux) / (len(pos) * len(neg))
''',
        why="auroc on float32 torch tensors, counted exactly by blocks of positives",
    ),
    "blind-r17-correct-tourner-float32-per-image": Correct(
        grade_id="rotation",
        source='''def tourner(images, angle):
    """Chaque image (N, 1, 8, 8) tournée de `angle` degrés (sens trigonométrique), bilinéaire, même forme."""
    images = np.asarray(images, dtype=np.float32)
    N, C, H, W = images.shape
    plates = images.reshape(N * C, H, W)
    tournees = rotate(plates, angle, axes=(1, 2), reshape=False, order=1, cval=0.0)
    return tournees.reshape(N, C, H, W)


def precision_par_angle(modele, X, y, angles):
    """Tableau des précisions du modèle sur tourner(X, angle), pour chaque angle de `angles`."""
    modele.eval()
    with torch.no_grad():
        resultats = [
            (modele(torch.tensor(tourner(X, a), dtype=torch.float32)).argmax(1)
             == torch.as_tensor(np.asarray(y))).double().mean().item()
            for a in angles
        ]
    return np.asarray(resultats)
''',
        why="float32 images reshaped to (N·C, H, W), rotated in axes (1, 2) (the tester's)",
    ),
    "blind-r17-correct-tourner-loop-2d": Correct(
        grade_id="rotation",
        source='''def tourner(images, angle):
    """Chaque image (N, 1, 8, 8) tournée de `angle` degrés (sens trigonométrique), bilinéaire, même forme."""
    images = np.asarray(images)
    sortie = np.zeros(images.shape, dtype=np.float64)
    for i in range(images.shape[0]):
        for c in range(images.shape[1]):
            sortie[i, c] = rotate(images[i, c], angle, reshape=False, order=1)
    return sortie


def precision_par_angle(modele, X, y, angles):
    """Tableau des précisions du modèle sur tourner(X, angle), pour chaque angle de `angles`."""
    modele.eval()
    y_t = torch.as_tensor(np.asarray(y)).long()
    resultats = np.zeros(len(angles))
    with torch.no_grad():
        for i, angle in enumerate(angles):
            Xr = torch.from_numpy(tourner(X, angle)).float()
            resultats[i] = (modele(Xr).argmax(dim=1) == y_t).float().mean().item()
    return resultats
''',
        why="each 2-D image rotated on its own into a new float64 array (the tester's)",
    ),
    "blind-r17-correct-entrainer-manual-float": Correct(
        grade_id="entrainer_rotation",
        source='''def entrainer(modele, X_train, y_train, epochs=25, lr=0.005, batch_size=64, seed=0):
    """Entraîne modele par Adam sur des mini-lots mélangés à chaque époque (sans augmentation) ; renvoie modele."""
    X_train = torch.as_tensor(X_train, dtype=torch.float32)
    y_train = torch.as_tensor(y_train).long()
    gen = torch.Generator()
    gen.manual_seed(int(seed))
    optim = torch.optim.Adam(modele.parameters(), lr=lr)
    n = X_train.shape[0]
    nb_lots = (n + batch_size - 1) // batch_size
    for ep in range(epochs):
        modele.train()
        perm = torch.randperm(n, generator=gen)
        for b in range(nb_lots):
            idx = perm[b * batch_size:(b + 1) * batch_size]
            sortie = modele(X_train[idx])
            perte = F.cross_entropy(sortie, y_train[idx], reduction="mean")
            modele.zero_grad()
            perte.backward()
            optim.step()
    modele.eval()
    return modele
''',
        why="as_tensor views of the arguments, a generator seeded by manual_seed (the tester's)",
    ),
    "blind-r17-correct-entrainer-generator-helper": Correct(
        grade_id="entrainer_rotation",
        source='''def _generateur(seed):
    """Un générateur neuf, graine seed."""
    return torch.Generator().manual_seed(seed)


''' + edit(
            _R17_ENTRAINER("Le générateur fait par une fonction, à chaque appel."),
            ("    generateur = torch.Generator().manual_seed(seed)\n",
             "    generateur = _generateur(seed)\n"),
        ),
        why="a fresh generator made by a helper at every call",
    ),
})
CORRECT_GROUPS.update({
    "blind-r17-correct-1": ("blind-r17-correct-auroc-loop-over-positives",
                            "blind-r17-correct-tourner-float32-per-image",
                            "blind-r17-correct-entrainer-manual-float"),
    "blind-r17-correct-2": ("blind-r17-correct-auroc-float32-torch-blocks",
                            "blind-r17-correct-tourner-loop-2d",
                            "blind-r17-correct-entrainer-generator-helper"),
})

# Blind round 19. decouper rounding the TRAINING size, (1 − p_val − p_test) · n, and giving the
# rest to test (the tester's) or to validation: the three roundings do not add up to n when the
# fractional parts of p · n are drawn on purpose (every variant: .55 to .7, .3 to .45), and the
# hint names the rest going to the wrong part (it blamed truncation at one variant).
# ajuster_temperature on the first 500 validation examples only (the tester's) or on a sample
# of 500 drawn with a fixed seed: caught by the NLL optimum, the hint now names the subset (T
# changes with the order of the same examples) instead of "close but not precise".
_R19_DECOUPER = partial(_solution, "validation")
CORRECT.update({
    # The tester's "wrong" answer, accepted: the statement writes round(p_val · n) with a
    # product sign, not as Python, and names no rule for ties; half up (int(x + 0.5)) is
    # "rounded to the nearest" as much as Python's half to even. The check draws exact ties
    # (p · n = k + 0.5) at every variant and accepts either neighbour there.
    "blind-r19-correct-decouper-round-half-up": Correct(
        grade_id="validation",
        source='''def decouper(n, p_val=0.15, p_test=0.15, seed=0):
    """(train, val, test) : trois tableaux d'indices disjoints qui couvrent 0..n-1."""
    ordre = np.random.default_rng(seed).permutation(n)
    # arrondi au plus proche (0.5 -> au-dessus)
    n_val = int(np.floor(p_val * n + 0.5))
    n_test = int(np.floor(p_test * n + 0.5))
    return ordre[n_val + n_test:], ordre[:n_val], ordre[n_val:n_val + n_test]


def plis_kfold(n, k):
    """Liste des k tableaux d'indices de validation, comme KFold(n_splits=k) sans mélange."""
    tailles = np.full(k, n // k)
    tailles[: n % k] += 1
    debuts = np.concatenate([[0], np.cumsum(tailles)])
    return [np.arange(debuts[i], debuts[i + 1]) for i in range(k)]


def validation_croisee(X, y, k, alpha=1.0):
    """(moyenne, écart-type) des erreurs quadratiques moyennes de validation d'une régression
    ridge sans intercept, sur les k plis de plis_kfold."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    n, d = X.shape
    erreurs = []
    for val in plis_kfold(n, k):
        app = np.setdiff1d(np.arange(n), val)
        w = np.linalg.solve(X[app].T @ X[app] + alpha * np.eye(d), X[app].T @ y[app])
        erreurs.append(np.mean((X[val] @ w - y[val]) ** 2))
    return float(np.mean(erreurs)), float(np.std(erreurs))
''',
        why="sizes rounded half up, int(np.floor(p · n + 0.5)) (the tester's): the nearest "
            "integer, a tie broken upwards; the statement names no tie rule",
    ),
    "blind-r19-correct-decouper-np-split-train-rest": Correct(
        grade_id="validation",
        source=edit(solution_cell(__file__, "validation"), (
            "    n_val, n_test = int(round(p_val * n)), int(round(p_test * n))\n"
            "    return ordre[n_val + n_test :], ordre[:n_val], ordre[n_val : n_val + n_test]\n",
            "    n_val = int(np.round(p_val * n))\n"
            "    n_test = int(np.round(p_test * n))\n"
            "    n_app = n - n_val - n_test  # l'entraînement prend le reste\n"
            "    val, test, app = np.split(ordre, [n_val, n_val + n_test])\n"
            "    assert len(app) == n_app\n"
            "    return app, val, test\n",
        )),
        why="np.round (half to even, as round) and np.split; the training size computed as "
            "the rest, n − n_val − n_test",
    ),
    # ajuster_temperature summing the NLL over chunks of examples in float32 (every example
    # counted): the order of the examples moves it by float32 rounding only.
    "blind-r19-correct-temperature-float32-chunks": Correct(
        grade_id="temperature",
        source=edit(solution_cell(__file__, "temperature"), (
            "    def nll(T):\n"
            "        p = appliquer_temperature(logits_val, T)\n"
            "        return -np.mean(np.log(np.maximum(p[lignes, y_val], 1e-300)))\n",
            "    z_val = np.asarray(logits_val, dtype=np.float32)\n"
            "\n"
            "    def nll(T):\n"
            "        total = np.float32(0.0)\n"
            "        for debut in range(0, len(y_val), 500):  # par paquets, TOUS les exemples\n"
            "            z = z_val[debut:debut + 500] / np.float32(T)\n"
            "            z = z - z.max(axis=1, keepdims=True)\n"
            "            lse = np.log(np.exp(z).sum(axis=1))\n"
            "            total += (lse - z[lignes[debut:debut + 500] - debut, y_val[debut:debut + 500]]).sum()\n"
            "        return total / len(y_val)\n",
        )),
        why="the NLL summed in float32 over chunks of 500 examples, all of them counted",
    ),
})
CORRECT_GROUPS.update({
    "blind-r19-correct-1": ("blind-r19-correct-decouper-round-half-up",
                            "blind-r19-correct-temperature-float32-chunks"),
    "blind-r19-correct-2": ("blind-r19-correct-decouper-np-split-train-rest",),
})
SCENARIOS.update({
    "blind-r19-decouper-rounds-train-size": Scenario(
        grade_id="validation",
        source=edit(
            _R19_DECOUPER("La taille de l'entraînement arrondie, le test prend le reste.",
                          "Les plis de la solution.", "La validation croisée de la solution."),
            ("    n_val, n_test = int(round(p_val * n)), int(round(p_test * n))\n"
             "    return ordre[n_val + n_test :], ordre[:n_val], ordre[n_val : n_val + n_test]\n",
             "    n_train = int(round((1 - p_val - p_test) * n))\n"
             "    n_val = int(round(p_val * n))\n"
             "    # le test prend ce qui reste\n"
             "    return ordre[:n_train], ordre[n_train:n_train + n_val], ordre[n_train + n_val:]\n"),
        ),
        must_fail=("test_decouper_disjoint_and_proportions",),
        message_contains=("et le test prend le reste", "c'est l'ENTRAÎNEMENT qui prend le reste"),
    ),
    "blind-r19-decouper-validation-takes-rest": Scenario(
        grade_id="validation",
        source=edit(
            _R19_DECOUPER("L'entraînement tronqué, la validation prend le reste.",
                          "Les plis de la solution.", "La validation croisée de la solution."),
            ("    n_val, n_test = int(round(p_val * n)), int(round(p_test * n))\n"
             "    return ordre[n_val + n_test :], ordre[:n_val], ordre[n_val : n_val + n_test]\n",
             "    n_app = int((1 - p_val - p_test) * n)\n"
             "    n_test = int(round(p_test * n))\n"
             "    return ordre[:n_app], ordre[n_app + n_test:], ordre[n_app:n_app + n_test]\n"),
        ),
        must_fail=("test_decouper_disjoint_and_proportions",),
        message_contains=("et la validation prend le reste",),
    ),
    "blind-r19-temperature-first-500-examples": Scenario(
        grade_id="temperature",
        source=_temperature(
            "Softmax stable ; ajuster_temperature sur les 500 premiers exemples.",
            ("    y_val = np.asarray(y_val, dtype=int)\n",
             "    # pour aller plus vite, 500 exemples de validation suffisent largement\n"
             "    logits_val = np.asarray(logits_val, dtype=float)[:500]\n"
             "    y_val = np.asarray(y_val, dtype=int)[:500]\n"),
        ),
        must_fail=("test_temperature_matches_nll_optimum",),
        message_contains=("votre T dépend de l'ORDRE des exemples de validation",),
    ),
    "blind-r19-temperature-seeded-sample": Scenario(
        grade_id="temperature",
        source=_temperature(
            "Softmax stable ; ajuster_temperature sur un échantillon de 400 exemples.",
            ("    y_val = np.asarray(y_val, dtype=int)\n",
             "    choix = np.random.default_rng(0).choice(len(y_val), size=400, replace=False)\n"
             "    logits_val = np.asarray(logits_val, dtype=float)[choix]\n"
             "    y_val = np.asarray(y_val, dtype=int)[choix]\n"),
        ),
        must_fail=("test_temperature_matches_nll_optimum",),
        message_contains=("votre T dépend de l'ORDRE des exemples de validation",),
    ),
})
GROUPS.update({
    "blind-r19-1": ("blind-r19-decouper-rounds-train-size", "blind-r19-temperature-first-500-examples"),
    "blind-r19-2": ("blind-r19-decouper-validation-takes-rest", "blind-r19-temperature-seeded-sample"),
})


# Blind round 21. auroc on float32 torch tensors (the tester's), the statement's formula: by the
# course's policy float32 code is correct, and the check's tolerance (1e-9) failed it; it is now
# AUROC_TOL = 1e-6 (float32 code off by 5.8e-8 at most, the wrong answers by 4.6e-4 and more,
# measured figures beside it), with two cases of over 100,000 pairs so that a sampled estimate
# stays caught. Its message printed the student's value to six digits, which gave the expected
# AUROC back when close (a leak): every TP08 hidden message now writes a gap with fmt_order
# (auroc, ece, the temperature's T when within 20 % of the optimum), and the bias-variance
# trends name the trends that fail instead of six values. validation_croisee compared at rtol
# 1e-6 failed float32 code too (1.5e-6 to 8e-6): now 2e-5, with a first fold three times
# noisier (the pooled MSE was within 1e-6 of the mean of the fold MSEs at one seed in 306) and
# alphas of 3 and more. fiabilite writing into confiances (1.0 moved by 1e-16, the tester's)
# lost both value checks (3.5 points): one fault, one check, test_ece_functions_leave_arguments
# (0.5), and the statement's introduction now says no function modifies its arguments (the
# rule was written in section 2 only). New hints, each with its scenario: ties counted 0, 1 or
# 3/2; an AUROC close but not exact (rounded); a ridge penalty scaled by n (the tester's);
# rotations that add up in precision_par_angle (X reassigned in the loop, the tester's).
_R21_OOD = partial(_solution, "ood", "Le score de la solution.")
CORRECT.update({
    "blind-r21-correct-auroc-torch-float32": Correct(
        grade_id="ood",
        source='''def score_msp(logits):
    """Confiance softmax maximale de chaque exemple : tableau (N,)."""
    z = torch.tensor(np.asarray(logits), dtype=torch.float64)
    return torch.softmax(z, dim=1).max(dim=1).values.numpy()


def auroc(etiquettes, scores):
    """AUROC de scores (N,) pour des étiquettes 0/1 (N,) : 1 = positif, score élevé = plutôt positif."""
    s = torch.tensor(np.asarray(scores)).float()
    e = torch.tensor(np.asarray(etiquettes)).bool()
    pos, neg = s[e].unsqueeze(1), s[~e].unsqueeze(0)
    return ((pos > neg).float().mean() + 0.5 * (pos == neg).float().mean()).item()
''',
        why="the statement's formula on float32 torch tensors, .float().mean() (the tester's): "
            "off by 6e-8 at most, float32 rounding of the final mean",
    ),
    "blind-r21-correct-validation-torch-float32": Correct(
        grade_id="validation",
        source=edit(solution_cell(__file__, "validation"), (
            "        w = np.linalg.solve(X[app].T @ X[app] + alpha * np.eye(d), X[app].T @ y[app])\n"
            "        erreurs.append(np.mean((X[val] @ w - y[val]) ** 2))\n"
            "    return float(np.mean(erreurs)), float(np.std(erreurs))\n",
            "        Xa = torch.tensor(X[app], dtype=torch.float32)\n"
            "        ya = torch.tensor(y[app], dtype=torch.float32)\n"
            "        w = torch.linalg.solve(Xa.T @ Xa + alpha * torch.eye(d), Xa.T @ ya)\n"
            "        r = torch.tensor(X[val], dtype=torch.float32) @ w - torch.tensor(y[val], dtype=torch.float32)\n"
            "        erreurs.append((r ** 2).mean())\n"
            "    erreurs = torch.stack(erreurs)\n"
            "    return erreurs.mean().item(), erreurs.std(unbiased=False).item()\n",
        )),
        why="the ridge solved in float32 torch, MSEs and their mean and std in float32",
    ),
})
CORRECT_GROUPS.update({
    "correct-r21-a": ("blind-r21-correct-auroc-torch-float32",
                      "blind-r21-correct-validation-torch-float32"),
})
SCENARIOS.update({
    "blind-r21-fiabilite-moves-ones-in-place": Scenario(
        grade_id="ece",
        source='''def fiabilite(confiances, correct, n_bins=15):
    """Données du diagramme de fiabilité : dict de trois tableaux de forme (n_bins,),
    "compte" (nombre de prédictions par bin), "confiance" (confiance moyenne) et
    "precision" (fraction correcte) ; 0 pour les bins vides."""
    confiances = np.asarray(confiances, dtype=float)
    correct = np.asarray(correct, dtype=float)
    # une confiance de 1.0 doit aller dans le dernier bin : on la passe juste en dessous de 1
    confiances[confiances >= 1.0] = np.nextafter(1.0, 0.0)
    bords = np.linspace(0.0, 1.0, n_bins + 1)
    indice = np.searchsorted(bords, confiances, side="right") - 1
    compte = np.bincount(indice, minlength=n_bins).astype(float)
    somme_conf = np.bincount(indice, weights=confiances, minlength=n_bins)
    somme_ok = np.bincount(indice, weights=correct, minlength=n_bins)
    diviseur = np.maximum(compte, 1.0)
    return {"compte": compte, "confiance": somme_conf / diviseur, "precision": somme_ok / diviseur}


def ece(confiances, correct, n_bins=15):
    """Erreur de calibration attendue : somme sur les bins de |B_m|/N · |acc(B_m) − conf(B_m)|."""
    bins = fiabilite(confiances, correct, n_bins)
    poids = bins["compte"] / bins["compte"].sum()
    return float(np.sum(poids * np.abs(bins["precision"] - bins["confiance"])))
''',
        must_fail=("test_ece_functions_leave_arguments",),
        message_contains=("fiabilite modifie sur place ce qu'on lui passe (confiances)",),
    ),
    "blind-r21-auroc-ties-counted-zero": Scenario(
        grade_id="ood",
        source=edit(
            _R21_OOD("Compte les paires où le positif a strictement le plus grand score."),
            ("    return float(np.mean(pos > neg) + 0.5 * np.mean(pos == neg))\n",
             "    return float(np.mean(pos > neg))\n"),
        ),
        must_fail=("test_auroc_matches_sklearn",),
        may_fail=("test_ood_basic",),
        message_contains=("les ex æquo (s_i = s_j exactement) sont comptés 0",),
    ),
    "blind-r21-auroc-rounded": Scenario(
        grade_id="ood",
        source=edit(
            _R21_OOD("AUROC arrondie à trois décimales."),
            ("    return float(np.mean(pos > neg) + 0.5 * np.mean(pos == neg))\n",
             "    # trois décimales suffisent pour comparer des détecteurs\n"
             "    return round(float(np.mean(pos > neg) + 0.5 * np.mean(pos == neg)), 3)\n"),
        ),
        must_fail=("test_auroc_matches_sklearn",),
        may_fail=("test_ood_basic",),
        message_contains=("votre valeur est proche, mais pas exacte",),
    ),
    "blind-r21-validation-penalty-times-n": Scenario(
        grade_id="validation",
        source='''def decouper(n, p_val=0.15, p_test=0.15, seed=0):
    """(train, val, test) : trois tableaux d'indices disjoints qui couvrent 0..n-1."""
    ordre = np.random.default_rng(seed).permutation(n)
    n_val, n_test = int(round(p_val * n)), int(round(p_test * n))
    return ordre[n_val + n_test :], ordre[:n_val], ordre[n_val : n_val + n_test]


def plis_kfold(n, k):
    """Liste des k tableaux d'indices de validation, comme KFold(n_splits=k) sans mélange."""
    tailles = np.full(k, n // k)
    tailles[: n % k] += 1
    debuts = np.concatenate([[0], np.cumsum(tailles)])
    return [np.arange(debuts[i], debuts[i + 1]) for i in range(k)]


def validation_croisee(X, y, k, alpha=1.0):
    """(moyenne, écart-type) des erreurs quadratiques moyennes de validation d'une régression
    ridge sans intercept, sur les k plis de plis_kfold."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    n, d = X.shape
    erreurs = []
    for val in plis_kfold(n, k):
        app = np.setdiff1d(np.arange(n), val)
        Xa, ya = X[app], y[app]
        # perte moyenne (1/n)||Xw - y||² + alpha ||w||²
        w = np.linalg.solve(Xa.T @ Xa / len(app) + alpha * np.eye(d), Xa.T @ ya / len(app))
        erreurs.append(np.mean((X[val] @ w - y[val]) ** 2))
    return float(np.mean(erreurs)), float(np.std(erreurs))
''',
        must_fail=("test_validation_croisee_matches_reference",),
        message_contains=("votre pénalité est multipliée par le nombre d'exemples",),
    ),
    "blind-r21-rotations-add-up": Scenario(
        grade_id="rotation",
        source='''def tourner(images, angle):
    """Chaque image (N, 1, 8, 8) tournée de `angle` degrés (sens trigonométrique), bilinéaire, même forme."""
    return rotate(np.asarray(images), angle, axes=(2, 3), reshape=False, order=1, mode="constant", cval=0.0)


def precision_par_angle(modele, X, y, angles):
    """Tableau des précisions du modèle sur tourner(X, angle), pour chaque angle de `angles`."""
    modele.eval()
    y = np.asarray(y)
    precisions = []
    with torch.no_grad():
        for angle in angles:
            X = tourner(X, angle)
            logits = modele(torch.tensor(X, dtype=torch.float32))
            precisions.append(float((logits.argmax(dim=1).numpy() == y).mean()))
    return np.array(precisions)
''',
        must_fail=("test_precision_par_angle_matches_reference",),
        message_contains=("les rotations s'additionnent",),
    ),
})
GROUPS.update({
    "blind-r21-a": ("blind-r21-fiabilite-moves-ones-in-place", "blind-r21-auroc-ties-counted-zero",
                    "blind-r21-validation-penalty-times-n", "blind-r21-rotations-add-up"),
    "blind-r21-b": ("blind-r21-auroc-rounded",),
})
