"""Realistic wrong answers for TP10, as data: each replaces one answer cell of the solution.

`must_fail` names the checks that must lose points (failed, or partial credit);
every other check of the same item must keep its points, so each scenario shows exactly
which check catches the mistake. `message_contains` are substrings that must appear in
the French message of at least one of those checks: the hint that names the fault.
`affects` lists other items that may lose points as a consequence (none here:
`correlations_cascade` uses the student's `saillance` and `spearman`, but is graded with the
grader's, so a bug of either costs its own item only).
"""

from __future__ import annotations

from autograder.prove import Correct, Scenario, edit, solution_cell

_GRADIENT_LOGIT = '''def gradient_logit(modele, x, c):
    """Le gradient de la solution."""
    x = x.detach().clone().requires_grad_(True)
    y_c = modele(x.unsqueeze(0))[0, c]
    (g,) = torch.autograd.grad(y_c, x)
    return g
'''

_GRADIENT_X_ENTREE = '''

def gradient_x_entree(modele, x, c):
    """Le gradient × entrée de la solution."""
    return x.detach() * gradient_logit(modele, x, c)
'''

_IG_SOURCE = '''def gradients_integres(modele, x, c, reference=None, m=50):
    """{doc}"""
    x = x.detach()
    reference = torch.zeros_like(x) if reference is None else reference.detach().to(x.dtype)
    alphas = {alphas}
    chemin = reference + alphas.reshape(-1, 1, 1, 1) * (x - reference)
    chemin.requires_grad_(True)
    (g,) = torch.autograd.grad(modele(chemin)[:, c].sum(), chemin)
    return {result}
'''

_OCCLUSION_SOURCE = '''def carte_occlusion(modele, x, c, fenetre=2, pas=1, valeur=0.0):
    """{doc}"""
    x = x.detach()
    _, H, W = x.shape
    positions = [(i, j) for i in range(0, H - fenetre + 1, pas) for j in range(0, W - fenetre + 1, pas)]
    lot = x.unsqueeze(0).repeat(len(positions) + 1, 1, 1, 1)
    for k, (i, j) in enumerate(positions, start=1):
        lot[k, :, i : i + fenetre, j : j + fenetre] = valeur
    with torch.no_grad():
        scores = modele(lot)[:, c].double()
    somme = torch.zeros(H, W, dtype=torch.float64)
    compte = torch.zeros(H, W, dtype=torch.float64)
    for k, (i, j) in enumerate(positions, start=1):
        {accumulate}
        compte[i : i + fenetre, j : j + fenetre] += 1
    return somme / compte.clamp(min=1)
'''

_GRAD_CAM_SOURCE = '''def grad_cam(modele, x, c):
    """{doc}"""
    A = modele.caracteristiques(x.detach().unsqueeze(0))
    y_c = modele.tete(A)[0, c]
    (g,) = torch.autograd.grad(y_c, A)
    alpha = {alpha}
    return {result}
'''

_SPEARMAN_AVERAGE_RANKS = '''

def spearman(a, b):
    """Le Spearman de la solution."""
    def rangs(v):
        _, groupe, tailles = np.unique(v, return_inverse=True, return_counts=True)
        fins = np.cumsum(tailles)
        return (fins - (tailles - 1) / 2.0)[groupe.reshape(-1)]

    r = rangs(np.asarray(a, dtype=float).reshape(-1))
    s = rangs(np.asarray(b, dtype=float).reshape(-1))
    r, s = r - r.mean(), s - s.mean()
    return float((r * s).sum() / np.sqrt((r * r).sum() * (s * s).sum()))
'''

_CASCADE = '''

def correlations_cascade(modele, X, classes, noms, seed=0, methode=None):
    """{doc}"""
    methode = saillance if methode is None else methode
    classes = [int(c) for c in classes]
    origine = [methode(modele, x, c) for x, c in zip(X, classes)]
    rhos = []
    for k in range(1, len(noms) + 1):
        modele_k = randomiser_couches(modele, {stage}, seed)
        rhos.append(np.mean([spearman(a, methode(modele_k, x, c)) for a, x, c in zip(origine, X, classes)]))
    return np.array(rhos)
'''

_RANDOMISER = '''def randomiser_couches(modele, noms, seed=0):
    """Le randomiser_couches de la solution."""
    copie = copy.deepcopy(modele)
    torch.manual_seed(seed)
    for nom in noms:
        getattr(copie, nom).reset_parameters()
    return copie
'''

_RANDOMISATION_CHECKS_OTHER = (
    "test_randomiser_couches_top_two",
    "test_randomiser_couches_layers",
)

SCENARIOS: dict[str, Scenario] = {
    # ------------------------------------------------------------ saliency
    "submission-saillance-without-abs": Scenario(
        grade_id="saillance",
        source=_GRADIENT_LOGIT
        + '''

def saillance(modele, x, c):
    """Oublie la valeur absolue : renvoie le gradient signé."""
    return gradient_logit(modele, x, c)
'''
        + _GRADIENT_X_ENTREE,
        must_fail=("test_saillance_linear_model", "test_saillance_matches_autograd"),
        message_contains=("il manque la valeur absolue",),
    ),
    "submission-saillance-softmax-probability": Scenario(
        grade_id="saillance",
        source='''def gradient_logit(modele, x, c):
    """Dérive la probabilité softmax de la classe c au lieu de son logit."""
    x = x.detach().clone().requires_grad_(True)
    p_c = torch.softmax(modele(x.unsqueeze(0)), dim=1)[0, c]
    (g,) = torch.autograd.grad(p_c, x)
    return g


def saillance(modele, x, c):
    """La saillance de la solution (sur le mauvais gradient)."""
    return gradient_logit(modele, x, c).abs()
'''
        + _GRADIENT_X_ENTREE,
        must_fail=(
            "test_saillance_linear_model",
            "test_saillance_matches_autograd",
            "test_gradient_x_entree_matches_autograd",
        ),
        message_contains=("pas la probabilité softmax",),
    ),
    # ------------------------------------------------------------ integrated gradients
    "submission-ig-without-input-difference": Scenario(
        grade_id="gradients_integres",
        source=_IG_SOURCE.format(
            doc="Oublie le facteur (x − x') : renvoie la moyenne des gradients le long du chemin.",
            alphas="torch.arange(1, m + 1, dtype=x.dtype) / m",
            result="g.mean(dim=0)",
        ),
        must_fail=(
            "test_gradients_integres_linear_model",
            "test_gradients_integres_matches_reference",
            "test_gradients_integres_completeness",
        ),
        message_contains=("il manque le facteur (x − x')", "oublié le facteur (x − x')"),
    ),
    "submission-ig-left-riemann-sum": Scenario(
        grade_id="gradients_integres",
        source=_IG_SOURCE.format(
            doc="Somme de Riemann à gauche : α_k = k/m pour k = 0..m−1.",
            alphas="torch.arange(0, m, dtype=x.dtype) / m",
            result="(x - reference) * g.mean(dim=0)",
        ),
        # Exact on the public linear model, and complete up to O(1/m) like the right sum:
        # only the comparison with the reference catches it.
        must_fail=("test_gradients_integres_matches_reference",),
        message_contains=("vous prenez k = 0, …, m − 1",),
    ),
    # ------------------------------------------------------------ occlusion
    "submission-occlusion-inverted-sign": Scenario(
        grade_id="occlusion",
        source=_OCCLUSION_SOURCE.format(
            doc="Hausse du score au lieu de sa baisse : y_c(x occulté) − y_c(x).",
            accumulate="somme[i : i + fenetre, j : j + fenetre] += scores[k] - scores[0]",
        ),
        must_fail=("test_occlusion_linear_model", "test_occlusion_matches_reference"),
        message_contains=("signe inversé",),
    ),
    "submission-occlusion-overwrites-overlapping-windows": Scenario(
        grade_id="occlusion",
        source='''def carte_occlusion(modele, x, c, fenetre=2, pas=1, valeur=0.0):
    """Écrit la baisse de chaque fenêtre sur ses pixels : la dernière fenêtre écrase les autres."""
    x = x.detach()
    _, H, W = x.shape
    carte = torch.zeros(H, W)
    with torch.no_grad():
        y_c = modele(x.unsqueeze(0))[0, c]
        for i in range(0, H - fenetre + 1, pas):
            for j in range(0, W - fenetre + 1, pas):
                x_occulte = x.clone()
                x_occulte[:, i : i + fenetre, j : j + fenetre] = valeur
                carte[i : i + fenetre, j : j + fenetre] = y_c - modele(x_occulte.unsqueeze(0))[0, c]
    return carte
''',
        must_fail=("test_occlusion_linear_model", "test_occlusion_matches_reference"),
        message_contains=("au lieu d'écraser la valeur précédente",),
    ),
    # ------------------------------------------------------------ Grad-CAM
    "submission-grad-cam-without-relu": Scenario(
        grade_id="grad_cam",
        source=_GRAD_CAM_SOURCE.format(
            doc="Oublie la ReLU finale.",
            alpha="g[0].mean(dim=(1, 2))",
            result="(alpha.reshape(-1, 1, 1) * A[0]).sum(dim=0).detach()",
        ),
        must_fail=("test_grad_cam_linear_model", "test_grad_cam_matches_reference"),
        message_contains=("il manque la ReLU finale",),
    ),
    "submission-grad-cam-sums-gradients": Scenario(
        grade_id="grad_cam",
        source=_GRAD_CAM_SOURCE.format(
            doc="Somme spatiale des gradients au lieu de leur moyenne.",
            alpha="g[0].sum(dim=(1, 2))",
            result="torch.relu((alpha.reshape(-1, 1, 1) * A[0]).sum(dim=0)).detach()",
        ),
        must_fail=("test_grad_cam_linear_model", "test_grad_cam_matches_reference"),
        message_contains=("α_k est la MOYENNE spatiale des gradients",),
    ),
    # ------------------------------------------------------------ Spearman
    "submission-spearman-is-pearson": Scenario(
        grade_id="spearman",
        source='''def spearman(a, b):
    """Corrélation de Pearson des valeurs, sans passer par les rangs."""
    a = np.asarray(a, dtype=float).reshape(-1)
    b = np.asarray(b, dtype=float).reshape(-1)
    return float(np.corrcoef(a, b)[0, 1])
''',
        must_fail=("test_spearman_example_with_ties", "test_spearman_matches_scipy"),
        message_contains=("c'est la corrélation de Pearson des valeurs",),
    ),
    "submission-spearman-ordinal-ranks": Scenario(
        grade_id="spearman",
        source='''def spearman(a, b):
    """Rangs distincts par double argsort : les ex æquo ne reçoivent pas le rang moyen."""
    a = np.asarray(a, dtype=float).reshape(-1)
    b = np.asarray(b, dtype=float).reshape(-1)
    r = np.argsort(np.argsort(a, kind="stable"), kind="stable").astype(float)
    s = np.argsort(np.argsort(b, kind="stable"), kind="stable").astype(float)
    return float(np.corrcoef(r, s)[0, 1])
''',
        must_fail=("test_spearman_example_with_ties", "test_spearman_matches_scipy"),
        message_contains=("rang moyen des positions qu'ils occupent",),
    ),
    "submission-spearman-calls-scipy": Scenario(
        grade_id="spearman",
        source='''def spearman(a, b):
    """Délègue à SciPy, que la cellule de démonstration importe, au lieu de calculer les rangs."""
    a = np.asarray(a, dtype=float).reshape(-1)
    b = np.asarray(b, dtype=float).reshape(-1)
    return float(spearmanr(a, b)[0])
''',
        must_fail=("test_spearman_example_with_ties", "test_spearman_matches_scipy"),
        message_contains=("spearman appelle scipy.stats.spearmanr", "calculez les rangs vous-même"),
        # Outside the guard its values are SciPy's: `correlations_cascade` is not affected.
    ),
    # ------------------------------------------------------------ randomisation
    "submission-randomise-bottom-layers": Scenario(
        grade_id="randomisation",
        source='''def randomiser_couches(modele, noms, seed=0):
    """Réinitialise les len(noms) PREMIÈRES couches du modèle (celles du bas), pas celles de noms."""
    copie = copy.deepcopy(modele)
    torch.manual_seed(seed)
    couches = [m for m in copie.children() if hasattr(m, "reset_parameters")]
    for couche in couches[: len(noms)]:
        couche.reset_parameters()
    return copie
'''
        + _CASCADE.format(doc="La cascade de la solution.", stage="noms[:k]"),
        must_fail=_RANDOMISATION_CHECKS_OTHER,
        message_contains=("a/ont changé sans être dans noms",),
    ),
    "submission-randomise-in-place": Scenario(
        grade_id="randomisation",
        source='''def randomiser_couches(modele, noms, seed=0):
    """Réinitialise les couches du modèle d'origine lui-même, sans copie."""
    torch.manual_seed(seed)
    for nom in noms:
        getattr(modele, nom).reset_parameters()
    return modele
'''
        + _CASCADE.format(doc="La cascade de la solution.", stage="noms[:k]"),
        must_fail=_RANDOMISATION_CHECKS_OTHER,
        message_contains=("modifie le modèle d'origine",),
    ),
    "submission-randomise-perturbs-weights": Scenario(
        grade_id="randomisation",
        source='''def randomiser_couches(modele, noms, seed=0):
    """Ajoute un petit bruit aux poids au lieu de les retirer au hasard."""
    copie = copy.deepcopy(modele)
    torch.manual_seed(seed)
    with torch.no_grad():
        for nom in noms:
            for p in getattr(copie, nom).parameters():
                p.add_(0.01 * torch.randn_like(p))
    return copie
'''
        + _CASCADE.format(doc="La cascade de la solution.", stage="noms[:k]"),
        # Every named layer changes and nothing else does: the grader's measurement of the
        # saliency maps shows that the model was not really randomised, and the statement's
        # re-draw (one seed, reset_parameters in noms' order) differs from these weights.
        must_fail=("test_saillance_correlation_drops", "test_randomiser_couches_layers"),
        message_contains=("pas seulement perturbés",),
    ),
    "submission-cascade-not-cumulative": Scenario(
        grade_id="randomisation",
        source=_RANDOMISER
        + _CASCADE.format(
            doc="Randomise seulement la k-ième couche à l'étape k, sans cumuler.",
            stage="[noms[k - 1]]",
        ),
        must_fail=("test_correlations_cascade_matches_grader",),
        message_contains=("la randomisation doit être CUMULÉE",),
    ),
}

# Scenarios graded together in one notebook: within a group they touch different items
# whose checks are independent (the grader computes every reference itself). The
# saliency and Spearman mistakes affect `correlations_cascade`, so they never share a
# notebook with a randomisation mistake; a `spearman` that calls SciPy does not (only the
# guard around the Spearman checks stops it).
GROUPS: dict[str, tuple[str, ...]] = {
    "mistakes-1": (
        "submission-saillance-without-abs",
        "submission-ig-without-input-difference",
        "submission-occlusion-inverted-sign",
        "submission-grad-cam-without-relu",
        "submission-spearman-is-pearson",
    ),
    "mistakes-2": (
        "submission-saillance-softmax-probability",
        "submission-ig-left-riemann-sum",
        "submission-occlusion-overwrites-overlapping-windows",
        "submission-grad-cam-sums-gradients",
        "submission-spearman-ordinal-ranks",
    ),
    "mistakes-3": ("submission-randomise-bottom-layers", "submission-spearman-calls-scipy"),
    "mistakes-4": ("submission-randomise-in-place",),
    "mistakes-5": ("submission-randomise-perturbs-weights",),
    "mistakes-6": ("submission-cascade-not-cumulative",),
}

# ---------------------------------------------------------------- alternative correct answers
# Written as students write them (issue 12, item 2): each must keep full marks.
CORRECT: dict[str, Correct] = {
    "correct-saillance-backward-grad": Correct(
        grade_id="saillance",
        source='''def gradient_logit(modele, x, c):
    """backward() et .grad au lieu de torch.autograd.grad."""
    entree = x.clone().detach()
    entree.requires_grad = True
    sortie = modele(entree[None])
    sortie[0, c].backward()
    return entree.grad.detach()


def saillance(modele, x, c):
    return torch.abs(gradient_logit(modele, x, c))


def gradient_x_entree(modele, x, c):
    return gradient_logit(modele, x, c) * x
''',
        why="backward() and .grad, torch.abs",
    ),
    "correct-ig-loop-over-steps": Correct(
        grade_id="gradients_integres",
        source='''def gradients_integres(modele, x, c, reference=None, m=50):
    """Une passe par pas du chemin."""
    reference = torch.zeros_like(x) if reference is None else reference.to(x.dtype)
    total = torch.zeros_like(x)
    for k in range(1, m + 1):
        point = (reference + (k / m) * (x - reference)).detach().requires_grad_(True)
        modele(point.unsqueeze(0))[0, c].backward()
        total += point.grad
    return ((x - reference) * total / m).detach()
''',
        why="one forward/backward per step of the path instead of a batch",
    ),
    "correct-occlusion-one-window-at-a-time": Correct(
        grade_id="occlusion",
        source='''def carte_occlusion(modele, x, c, fenetre=2, pas=1, valeur=0.0):
    """Une fenêtre à la fois, accumulation en NumPy."""
    _, H, W = x.shape
    somme, compte = np.zeros((H, W)), np.zeros((H, W))
    with torch.no_grad():
        base = modele(x[None])[0, c].item()
        for i in range(0, H - fenetre + 1, pas):
            for j in range(0, W - fenetre + 1, pas):
                x_occ = x.clone()
                x_occ[:, i : i + fenetre, j : j + fenetre] = valeur
                somme[i : i + fenetre, j : j + fenetre] += base - modele(x_occ[None])[0, c].item()
                compte[i : i + fenetre, j : j + fenetre] += 1
    carte = np.zeros((H, W))
    couvert = compte > 0
    carte[couvert] = somme[couvert] / compte[couvert]
    return carte
''',
        why="one forward pass per window, NumPy accumulation",
    ),
    "correct-grad-cam-retain-grad": Correct(
        grade_id="grad_cam",
        source='''def grad_cam(modele, x, c):
    """retain_grad sur les activations, poids gardés en (K, 1, 1)."""
    A = modele.caracteristiques(x[None])
    A.retain_grad()
    modele.tete(A)[0, c].backward()
    poids = A.grad[0].mean(dim=(1, 2), keepdim=True)
    return F.relu((poids * A[0]).sum(dim=0)).detach()
''',
        why="retain_grad and backward instead of torch.autograd.grad",
    ),
    "correct-spearman-argsort-loop": Correct(
        grade_id="spearman",
        source='''def spearman(a, b):
    """Rangs par argsort stable, ex æquo parcourus à la main, puis np.corrcoef."""

    def rangs(v):
        v = np.ravel(np.asarray(v, dtype=float))
        ordre = np.argsort(v, kind="mergesort")
        r = np.empty(len(v))
        i = 0
        while i < len(v):
            j = i
            while j + 1 < len(v) and v[ordre[j + 1]] == v[ordre[i]]:
                j += 1
            r[ordre[i : j + 1]] = (i + j) / 2 + 1
            i = j + 1
        return r

    return float(np.corrcoef(rangs(a), rangs(b))[0, 1])
''',
        why="argsort and a loop over ties, np.corrcoef",
    ),
    "correct-randomisation-named-children": Correct(
        grade_id="randomisation",
        source='''import copy


def randomiser_couches(modele, noms, seed=0):
    """named_children au lieu de getattr."""
    nouveau = copy.deepcopy(modele)
    torch.manual_seed(seed)
    couches = dict(nouveau.named_children())
    for nom in noms:
        couches[nom].reset_parameters()
    return nouveau


def correlations_cascade(modele, X, classes, noms, seed=0, methode=None):
    """Des boucles explicites."""
    if methode is None:
        methode = saillance
    resultats = []
    for k in range(1, len(noms) + 1):
        modele_k = randomiser_couches(modele, noms[:k], seed)
        rhos = []
        for x, c in zip(X, classes):
            rhos.append(spearman(methode(modele, x, int(c)), methode(modele_k, x, int(c))))
        resultats.append(sum(rhos) / len(rhos))
    return np.array(resultats)
''',
        why="named_children, explicit loops, a plain mean",
    ),
}
CORRECT_GROUPS: dict[str, tuple[str, ...]] = {"correct-alternatives": tuple(CORRECT)}

# ---------------------------------------------------------------- issue 12: mutation survivors

SCENARIOS["submission-occlusion-default-stride-of-the-window"] = Scenario(
    grade_id="occlusion",
    source=_OCCLUSION_SOURCE.replace("fenetre=2, pas=1,", "fenetre=2, pas=2,").format(
        doc="Par défaut, les fenêtres ne se recouvrent pas (pas = fenetre = 2).",
        accumulate="somme[i : i + fenetre, j : j + fenetre] += scores[0] - scores[k]",
    ),
    must_fail=("test_occlusion_linear_model", "test_occlusion_matches_reference"),
    message_contains=("ce sont les valeurs par défaut de la signature",
                      "la signature de carte_occlusion a changé (pas=2)"),
)
GROUPS["mutants-1"] = ("submission-occlusion-default-stride-of-the-window",)

# ---------------------------------------------------------------- issue 12: blind answers (fid-c)
# Written by someone who had not read the checks or these scenarios: one seed per layer kept its
# points (the re-drawn values were never compared with the statement's draw).
# The tester's right answers (the Correct variants below); its wrong ones differ by one line.
_BLIND_GRAD_CAM = 'def grad_cam(modele, x, c):\n    A = modele.caracteristiques(x.unsqueeze(0))\n    y_c = modele.tete(A)[0, c]\n    (G,) = torch.autograd.grad(y_c, A)\n    alpha = G[0].mean(dim=(1, 2))\n    return torch.einsum("k,khw->hw", alpha, A[0]).clamp(min=0).detach()\n'
_BLIND_OCCLUSION = 'def carte_occlusion(modele, x, c, fenetre=2, pas=1, valeur=0.0):\n    C, H, W = x.shape\n    positions, lot = [], []\n    for i in range(0, H - fenetre + 1, pas):\n        for j in range(0, W - fenetre + 1, pas):\n            xo = x.clone()\n            xo[:, i:i + fenetre, j:j + fenetre] = valeur\n            positions.append((i, j))\n            lot.append(xo)\n    with torch.no_grad():\n        base = modele(x.unsqueeze(0))[0, c]\n        scores = modele(torch.stack(lot))[:, c] if lot else []\n    somme = torch.zeros(H, W)\n    compte = torch.zeros(H, W)\n    for (i, j), s in zip(positions, scores):\n        somme[i:i + fenetre, j:j + fenetre] += base - s\n        compte[i:i + fenetre, j:j + fenetre] += 1\n    return somme / compte.clamp(min=1)\n'
_BLIND_RANDOMISATION = 'def randomiser_couches(modele, noms, seed=0):\n    copie = copy.deepcopy(modele)\n    torch.manual_seed(seed)\n    for nom in noms:\n        getattr(copie, nom).reset_parameters()\n    return copie\n\n\ndef correlations_cascade(modele, X, classes, noms, seed=0, methode=None):\n    if methode is None:\n        methode = saillance\n    res = []\n    for k in range(1, len(noms) + 1):\n        mk = randomiser_couches(modele, noms[:k], seed)\n        rhos = [spearman(methode(modele, X[n], int(classes[n])), methode(mk, X[n], int(classes[n]))) for n in range(len(X))]\n        res.append(np.mean(rhos))\n    return np.array(res)\n'
SCENARIOS['blind-randomisation-one-seed-per-layer'] = Scenario(
    grade_id="randomisation",
    source=edit(_BLIND_RANDOMISATION,
        ('    for nom in noms:\n',
         '    for nom in noms:\n'
         '        torch.manual_seed(seed)\n')),
    must_fail=("test_randomiser_couches_layers",),
    message_contains=("UNE fois",),
    may_fail=("test_correlations_cascade_matches_grader",),
)
CORRECT['blind-correct-saillance-backward'] = Correct(
    grade_id='saillance',
    source='def gradient_logit(modele, x, c):\n    xx = x.detach().clone().float().requires_grad_(True)\n    sortie = modele(xx.unsqueeze(0))\n    sortie[0, int(c)].backward()\n    return xx.grad.detach()\n\n\ndef saillance(modele, x, c):\n    return gradient_logit(modele, x, c).abs()\n\n\ndef gradient_x_entree(modele, x, c):\n    return x.detach() * gradient_logit(modele, x, c)\n',
    why='.backward() and x.grad instead of autograd.grad',
)
CORRECT['blind-correct-ig-python-loop-float64'] = Correct(
    grade_id='gradients_integres',
    source='def _grad(modele, z, c):\n    z = z.detach().clone().requires_grad_(True)\n    return torch.autograd.grad(modele(z.unsqueeze(0))[0, c], z)[0]\n\n\ndef gradients_integres(modele, x, c, reference=None, m=50):\n    if reference is None:\n        reference = torch.zeros_like(x)\n    total = torch.zeros(x.shape, dtype=torch.float64)\n    for k in range(1, m + 1):\n        total += _grad(modele, reference + (k / m) * (x - reference), c).double()\n    return ((x - reference).double() * total / m).float()\n',
    why='a python loop over the m points, float64 accumulation',
)
CORRECT['blind-correct-occlusion-loops-clamp'] = Correct(
    grade_id='occlusion',
    source=_BLIND_OCCLUSION,
    why='loops over windows, sums and counts, division by clamp(min=1); no torch.stack of an '
        'empty list when no window fits (blind round 22: that crash is a fault, the statement '
        'gives a map of zeros)',
)
CORRECT['blind-correct-grad-cam-einsum-clamp'] = Correct(
    grade_id='grad_cam',
    source=_BLIND_GRAD_CAM,
    why='einsum combination, clamp(min=0)',
)
CORRECT['blind-correct-spearman-unique-cumsum-corrcoef'] = Correct(
    grade_id='spearman',
    source='def spearman(a, b):\n    def rangs(v):\n        v = np.asarray(v, dtype=float).ravel()\n        _, inv, cnt = np.unique(v, return_inverse=True, return_counts=True)\n        fin = np.cumsum(cnt)\n        debut = fin - cnt + 1\n        return ((debut + fin) / 2.0)[inv.ravel()]\n    return float(np.corrcoef(rangs(a), rangs(b))[0, 1])\n',
    why='mid-ranks from np.unique counts and cumsum, np.corrcoef',
)
CORRECT['blind-correct-randomisation-getattr-loop'] = Correct(
    grade_id='randomisation',
    source=_BLIND_RANDOMISATION,
    why='getattr loop, np.mean over a list, default methode',
)
GROUPS["blind-1"] = ("blind-randomisation-one-seed-per-layer",)
CORRECT_GROUPS["blind-correct"] = (
    "blind-correct-saillance-backward",
    "blind-correct-ig-python-loop-float64",
    "blind-correct-occlusion-loops-clamp",
    "blind-correct-grad-cam-einsum-clamp",
    "blind-correct-spearman-unique-cumsum-corrcoef",
    "blind-correct-randomisation-getattr-loop",
)

# Mutants of the solution that are still correct answers (autograder prove, issue 12 item 4).
EQUIVALENT: dict[str, str] = {
    "grad_cam:NumberReplacer@5:25#1": "the batch holds one image: index -1 is index 0",
    "spearman:NumberReplacer@7:34": "every rank shifted by 1/2: centred before the correlation, the shift cancels",
    "randomisation:NumberReplacer@11:56#1": "seed = -1 by default: a valid torch seed",
    "randomisation:NumberReplacer@1:42#1": "randomiser_couches' seed = -1 by default: a valid torch seed, and every call passes its seed",
    "gradients_integres:DetachValue@6:13": "the α grid comes from torch.arange: it carries no graph, detaching it changes nothing",
    "randomisation:SwapStatements@15:4": "methode and classes are set independently",
    "randomisation:SwapStatements@16:4": "a NumPy integer class indexes the logits as an int does",
    "spearman:Binary_Sub_Mul@7:32": "ranks fins − tailles/2: every rank shifted by 1/2, which centring cancels",
    "spearman:Binary_Sub_Div@7:32": "ranks fins − tailles/2: every rank shifted by 1/2, which centring cancels",
    "spearman:NumberReplacer@7:60": "NumPy reads any negative size in reshape as 'the rest': reshape(-2) flattens as reshape(-1)",
    "saillance:DetachValue@6:11": "torch.autograd.grad without create_graph returns a gradient outside any graph: detach changes nothing",
    "grad_cam:DetachValue@8:11": "the map is already detached: a second detach changes nothing",
    "occlusion:DetachValue@11:17": "the scores are computed under torch.no_grad(): they carry no graph to detach",
    "occlusion:SwapStatements@12:4": "the two zero tables built in the other order: independent statements",
    "randomisation:SwapStatements@4:4": "torch.manual_seed before copy.deepcopy: the copy draws no random number, the layers are drawn the same",
    "saillance:DetachValue@11:11": "|∂y_c/∂x| from autograd.grad without create_graph is outside any graph: detach changes nothing",
    "grad_cam:NumberReplacer@8:51#1": "the batch holds one image: A[-1] is A[0]",
    "spearman:SwapStatements@9:4": "the ranks of b computed before those of a: independent statements",
    "occlusion:DetachValue@4:8": "x is already detached: a second detach changes nothing",
    "grad_cam:NumberReplacer@7:14#1": "the batch holds one image: g[-1] is g[0]",
    "saillance:DetachValue@16:11": "x.detach() times a gradient from autograd.grad without create_graph carries no graph: detach changes nothing",
    "spearman:NumberReplacer@9:50": "NumPy reads any negative size in reshape as 'the rest': reshape(-2) flattens as reshape(-1)",
    "spearman:Binary_Sub_Add@7:32": "ranks fins − (tailles + 1)/2: every rank shifted by 1, which centring cancels",
    "spearman:Binary_Sub_FloorDiv@7:32": "tailles // 1 is tailles: every rank shifted by 1/2, which centring cancels",
    "spearman:Binary_Sub_Pow@7:32": "tailles ** 1 is tailles: every rank shifted by 1/2, which centring cancels",
    "spearman:NumberReplacer@7:34#1": "ranks fins − tailles/2: every rank shifted by 1/2, which centring cancels",
    "spearman:NumberReplacer@10:50": "NumPy reads any negative size in reshape as 'the rest': reshape(-2) flattens as reshape(-1)",
    "randomisation:NumberReplacer@1:42": "randomiser_couches' seed = 1 by default: every call passes its seed (the defaults policy)",
    "randomisation:NumberReplacer@11:56": "correlations_cascade's seed = 1 by default: every call passes its seed (the defaults policy)",
    "randomisation:DropStatement@16:4": "classes left as given: a NumPy integer or a 0-d tensor indexes the logits as an int does",
    "randomisation:SwapStatements@17:4": "rhos = [] and the original maps computed in the other order: independent statements",
    "saillance:NumberReplacer@4:33#1": "the batch holds one image: index -1 is index 0",
    "grad_cam:DetachValue@7:12": "the map is returned detached anyway: detaching the weights alpha changes no value",
    "gradients_integres:DropStatement@4:4": "x carries no graph in every call of the statement (images of the data set): detaching it changes nothing",
    "gradients_integres:SwapStatements@4:4": "x detached and the reference set in the other order: the reference is detached on its own",
    "gradients_integres:SwapStatements@5:4": "the α grid and the reference computed in the other order: independent statements",
    "gradients_integres:DetachValue@4:8": "x is already detached: a second detach changes nothing",
    "gradients_integres:DetachValue@5:16": "the reference is already detached (or fresh zeros): a second detach changes nothing",
    "gradients_integres:DetachValue@7:13": "the path is built from detached tensors: it is a leaf either way before requires_grad_",
    "gradients_integres:DetachValue@10:11": "the attribution is built from a gradient outside any graph: detach changes no value",
    "occlusion:NumberReplacer@7:49": "one more unoccluded copy at the end of the batch: no score index reads it",
    "occlusion:DropStatement@4:4": "the scores are computed under torch.no_grad(): x's graph, if any, never reaches the map",
    "occlusion:SwapStatements@4:4": "the shape read before detaching x: the same shape",
    "occlusion:SwapStatements@15:8": "the sum and the count of a window updated in the other order: independent statements",
    "occlusion:DetachValue@7:10": "the batch is a copy of a detached x: detaching it changes nothing",
    "occlusion:DetachValue@12:12": "fresh zeros carry no graph: detach changes nothing",
    "occlusion:DetachValue@13:13": "fresh zeros carry no graph: detach changes nothing",
    "occlusion:DetachValue@17:11": "the map comes from scores computed under torch.no_grad(): it carries no graph to detach",
}


# ---------------------------------------------------------------- issue 12: blind answers (third session)
# From the second round's findings: a saliency bug also cost the cascade check (now graded
# with the grader's saillance and spearman: the saliency scenarios above affect nothing);
# Grad-CAM's raw English einsum error; generic hints for a cascade that ignores its methode
# or seed argument (the check now also passes methode); an occlusion written into x itself.
_BLIND_R3 = {
    "blind-occlusion-writes-into-x": Scenario(
        grade_id="occlusion",
        source=edit(_BLIND_OCCLUSION,
            ('            xo = x.clone()\n',
             '            xo = x\n')),
        must_fail=("test_occlusion_linear_model", "test_occlusion_matches_reference"),
        message_contains=("carte_occlusion modifie sur place ce qu'on lui passe (x)",),
    ),
    "blind-grad-cam-alpha-wrong-axes-einsum": Scenario(
        grade_id="grad_cam",
        source=edit(_BLIND_GRAD_CAM,
            ('    alpha = G[0].mean(dim=(1, 2))\n',
             '    alpha = G[0].mean(dim=(1, 2)) if G.shape[-1] == G.shape[-2] else G[0].mean(dim=(0, 1))\n')),
        must_fail=("test_grad_cam_linear_model",),
        may_fail=("test_grad_cam_matches_reference",),  # right answer when the CNN's h == w
        message_contains=("`grad_cam` s'arrête sur une erreur : les formes de α et des cartes A",
                          "erreur d'origine : RuntimeError"),
    ),
    "blind-cascade-ignores-methode": Scenario(
        grade_id="randomisation",
        source=_RANDOMISER + '''

def correlations_cascade(modele, X, classes, noms, seed=0, methode=None):
    methode = saillance
    res = []
    for k in range(1, len(noms) + 1):
        mk = randomiser_couches(modele, noms[:k], seed)
        rhos = [spearman(methode(modele, X[n], int(classes[n])), methode(mk, X[n], int(classes[n]))) for n in range(len(X))]
        res.append(np.mean(rhos))
    return np.array(res)
''',
        must_fail=("test_correlations_cascade_matches_grader",),
        message_contains=("ignore son argument methode",),
    ),
    "blind-cascade-ignores-seed": Scenario(
        grade_id="randomisation",
        source=_RANDOMISER + '''

def correlations_cascade(modele, X, classes, noms, seed=0, methode=None):
    if methode is None:
        methode = saillance
    res = []
    for k in range(1, len(noms) + 1):
        mk = randomiser_couches(modele, noms[:k], 0)
        rhos = [spearman(methode(modele, X[n], int(classes[n])), methode(mk, X[n], int(classes[n]))) for n in range(len(X))]
        res.append(np.mean(rhos))
    return np.array(res)
''',
        must_fail=("test_correlations_cascade_matches_grader",),
        message_contains=("ignore son argument seed",),
    ),
}
SCENARIOS.update(_BLIND_R3)
GROUPS["blind-r3-1"] = ("blind-occlusion-writes-into-x", "blind-grad-cam-alpha-wrong-axes-einsum",
                        "blind-cascade-ignores-methode")
GROUPS["blind-r3-2"] = ("blind-cascade-ignores-seed",)

# Blind answers (third round): the caller's x made to require a gradient (the statement
# asks for a copy; now checked in the kernel), and NaN on pixels no window covers (a stride
# larger than the window is now one of the grader's configurations).
SCENARIOS["blind-r3-saillance-grad-on-the-callers-x"] = Scenario(
    grade_id="saillance",
    source='def gradient_logit(modele, x, c):\n    x.requires_grad_(True)\n    y_c = modele(x.unsqueeze(0))[0, c]\n    (g,) = torch.autograd.grad(y_c, x)\n    return g\n\n\ndef saillance(modele, x, c):\n    return gradient_logit(modele, x, c).abs()\n\n\ndef gradient_x_entree(modele, x, c):\n    return x.detach() * gradient_logit(modele, x, c)\n',
    # gradient_x_entree goes through the same gradient_logit: it leaves x requiring a gradient too.
    must_fail=("test_saillance_matches_autograd", "test_gradient_x_entree_matches_autograd"),
    message_contains=("prenez le gradient sur une copie",),
)
SCENARIOS["blind-r3-occlusion-nan-on-uncovered-pixels"] = Scenario(
    grade_id="occlusion",
    source='def carte_occlusion(modele, x, c, fenetre=2, pas=1, valeur=0.0):\n    C, H, W = x.shape\n    pos = [(i, j) for i in range(0, H - fenetre + 1, pas) for j in range(0, W - fenetre + 1, pas)]\n    lot = x.detach().repeat(len(pos), 1, 1, 1)\n    for n, (i, j) in enumerate(pos):\n        lot[n, :, i:i + fenetre, j:j + fenetre] = valeur\n    with torch.no_grad():\n        d = modele(x.unsqueeze(0))[0, c] - modele(lot)[:, c]\n    somme = torch.zeros(H, W)\n    compte = torch.zeros(H, W)\n    for n, (i, j) in enumerate(pos):\n        somme[i:i + fenetre, j:j + fenetre] += d[n]\n        compte[i:i + fenetre, j:j + fenetre] += 1\n    return somme / compte\n',
    must_fail=("test_occlusion_matches_reference",),
    message_contains=("qu'aucune fenêtre ne couvre",),
    may_fail=("test_occlusion_linear_model",),
)
GROUPS["blind-r3-3"] = ("blind-r3-saillance-grad-on-the-callers-x",
                        "blind-r3-occlusion-nan-on-uncovered-pixels")

# Blind answers (third round), the cascade's mechanism: a chained randomisation and the
# randomised model explained for its own predicted class. The grader now passes a recording
# `methode` and checks which models and classes the maps are asked for.
SCENARIOS["blind-r3-cascade-chained-randomisations"] = Scenario(
    grade_id="randomisation",
    source='def randomiser_couches(modele, noms, seed=0):\n    copie = copy.deepcopy(modele)\n    torch.manual_seed(seed)\n    for nom in noms:\n        getattr(copie, nom).reset_parameters()\n    return copie\n\n\ndef correlations_cascade(modele, X, classes, noms, seed=0, methode=None):\n    methode = saillance if methode is None else methode\n    res = []\n    mk = modele\n    for k in range(1, len(noms) + 1):\n        mk = randomiser_couches(mk, [noms[k - 1]], seed)\n        res.append(np.mean([spearman(methode(modele, X[n], int(classes[n])), methode(mk, X[n], int(classes[n])))\n                            for n in range(len(X))]))\n    return np.array(res)\n',
    must_fail=("test_correlations_cascade_matches_grader",),
    message_contains=("repartez du modèle d'ORIGINE",),
)
SCENARIOS["blind-r3-cascade-predicted-class"] = Scenario(
    grade_id="randomisation",
    source='def randomiser_couches(modele, noms, seed=0):\n    copie = copy.deepcopy(modele)\n    torch.manual_seed(seed)\n    for nom in noms:\n        getattr(copie, nom).reset_parameters()\n    return copie\n\n\ndef correlations_cascade(modele, X, classes, noms, seed=0, methode=None):\n    methode = saillance if methode is None else methode\n    res = []\n    for k in range(1, len(noms) + 1):\n        mk = randomiser_couches(modele, noms[:k], seed)\n        rhos = []\n        for n in range(len(X)):\n            with torch.no_grad():\n                ck = int(mk(X[n].unsqueeze(0)).argmax())\n            rhos.append(spearman(methode(modele, X[n], int(classes[n])), methode(mk, X[n], ck)))\n        res.append(np.mean(rhos))\n    return np.array(res)\n',
    must_fail=("test_correlations_cascade_matches_grader",),
    message_contains=("pas la classe que prédit le modèle randomisé",),
)
GROUPS["blind-r3-4"] = ("blind-r3-cascade-chained-randomisations",)
GROUPS["blind-r3-5"] = ("blind-r3-cascade-predicted-class",)
SCENARIOS["blind-r3-spearman-dense-ranks"] = Scenario(
    grade_id="spearman",
    source='def spearman(a, b):\n    a = np.asarray(a, dtype=float).ravel(); b = np.asarray(b, dtype=float).ravel()\n    ra = np.unique(a, return_inverse=True)[1].astype(float) + 1\n    rb = np.unique(b, return_inverse=True)[1].astype(float) + 1\n    ra -= ra.mean(); rb -= rb.mean()\n    return float((ra * rb).sum() / np.sqrt((ra ** 2).sum() * (rb ** 2).sum()))\n',
    must_fail=("test_spearman_example_with_ties", "test_spearman_matches_scipy"),
    message_contains=("rang MOYEN des positions",),
)
GROUPS["blind-r3-3"] = (*GROUPS["blind-r3-3"], "blind-r3-spearman-dense-ranks")

# ---------------------------------------------------------------- issue 12: blind answers (round 5)
# Written by a tester who had not seen the checks: right values but the caller's arguments
# modified in place (now checked for every function that receives x, reference, a or b, X),
# a cascade over the notebook's global COUCHES (the grader now also passes its own noms),
# and two hints that blamed the wrong thing (an off-by-one cascade was told not to chain;
# another initialisation than reset_parameters() was told about seeds and order).
_SAILLANCE = solution_cell(__file__, "saillance")
_IG = solution_cell(__file__, "gradients_integres")
_GRAD_CAM = solution_cell(__file__, "grad_cam")
_SPEARMAN = solution_cell(__file__, "spearman")
_RANDOMISATION = solution_cell(__file__, "randomisation")
SCENARIOS["blind-r5-gxe-multiplies-x-in-place"] = Scenario(
    grade_id="saillance",
    source=edit(_SAILLANCE, ("return x.detach() * gradient_logit(modele, x, c)",
                             "return x.mul_(gradient_logit(modele, x, c))")),
    must_fail=("test_gradient_x_entree_matches_autograd",),
    message_contains=("gradient_x_entree modifie sur place ce qu'on lui passe (x)",),
)
SCENARIOS["blind-r5-ig-subtracts-reference-in-place"] = Scenario(
    grade_id="gradients_integres",
    source=edit(_IG, ("    x = x.detach()\n", "    x = x.detach()\n    diff = x\n"),
                ("reference.detach().to(x.dtype)\n",
                 "reference.detach().to(x.dtype)\n    diff -= reference\n    x = diff + reference\n"),
                ("return (x - reference) * g.mean(dim=0)", "return diff * g.mean(dim=0)")),
    must_fail=("test_gradients_integres_matches_reference",),
    message_contains=("gradients_integres modifie sur place ce qu'on lui passe (x)",),
)
SCENARIOS["blind-r5-grad-cam-unsqueeze-in-place"] = Scenario(
    grade_id="grad_cam",
    source=edit(_GRAD_CAM, ("x.detach().unsqueeze(0)", "x.unsqueeze_(0)")),
    must_fail=("test_grad_cam_matches_reference",),
    message_contains=("grad_cam modifie sur place ce qu'on lui passe (x)", "x.unsqueeze_(0)"),
)
SCENARIOS["blind-r5-spearman-centres-its-arguments"] = Scenario(
    grade_id="spearman",
    source=edit(_SPEARMAN, (
        "    r = rangs(np.asarray(a, dtype=float).reshape(-1))\n"
        "    s = rangs(np.asarray(b, dtype=float).reshape(-1))\n",
        "    va, vb = np.asarray(a).reshape(-1), np.asarray(b).reshape(-1)\n"
        "    va -= va.mean()\n    vb -= vb.mean()\n"
        "    r, s = rangs(va), rangs(vb)\n")),
    must_fail=("test_spearman_matches_scipy",),
    message_contains=("spearman modifie sur place ce qu'on lui passe (a, b)",),
)
SCENARIOS["blind-r5-cascade-over-global-couches"] = Scenario(
    grade_id="randomisation",
    source=edit(_RANDOMISATION, ("for k in range(1, len(noms) + 1):", "for k in range(1, len(COUCHES) + 1):"),
                ("modele_k = randomiser_couches(modele, noms[:k], seed)",
                 "modele_k = randomiser_couches(modele, COUCHES[:k], seed)")),
    must_fail=("test_correlations_cascade_matches_grader",),
    message_contains=("n'utilisez pas la variable globale COUCHES",),
)
SCENARIOS["blind-r5-cascade-off-by-one"] = Scenario(
    grade_id="randomisation",
    source=edit(_RANDOMISATION, ("for k in range(1, len(noms) + 1):", "for k in range(len(noms)):")),
    must_fail=("test_correlations_cascade_matches_grader",),
    message_contains=("k va de 1 à len(noms)",),
)
SCENARIOS["blind-r5-randomise-normal-init"] = Scenario(
    grade_id="randomisation",
    source=edit(_RANDOMISATION, (
        "        getattr(copie, nom).reset_parameters()\n",
        "        couche = getattr(copie, nom)\n        with torch.no_grad():\n"
        "            nn.init.normal_(couche.weight, std=0.1)\n            couche.bias.zero_()\n")),
    must_fail=("test_randomiser_couches_layers",),
    message_contains=("pas celles que tire sa méthode reset_parameters()",),
    may_fail=("test_saillance_correlation_drops",),
)
GROUPS["blind-r5-1"] = ("blind-r5-gxe-multiplies-x-in-place", "blind-r5-ig-subtracts-reference-in-place",
                        "blind-r5-grad-cam-unsqueeze-in-place", "blind-r5-spearman-centres-its-arguments",
                        "blind-r5-cascade-over-global-couches")
GROUPS["blind-r5-2"] = ("blind-r5-cascade-off-by-one",)
GROUPS["blind-r5-3"] = ("blind-r5-randomise-normal-init",)

# Defaults, the course's policy (docs/authoring.md): the notebook calls gradients_integres(modele,
# x, c) and carte_occlusion(modele, x, c), so their defaults are part of the answer, read by the
# public checks (m = 49 by default was an EQUIVALENT mutant before that policy).
SCENARIOS["submission-ig-default-steps-changed"] = Scenario(
    grade_id="gradients_integres",
    source=edit(_IG, ("reference=None, m=50)", "reference=None, m=20)")),
    must_fail=("test_gradients_integres_linear_model",),
    message_contains=("la signature de gradients_integres a changé (m=20)",),
)
GROUPS["blind-r5-2"] = (*GROUPS["blind-r5-2"], "submission-ig-default-steps-changed")
# The same class as blind-r3-saillance-grad-on-the-callers-x, in grad_cam: the caller's x made
# to require a gradient (its demo then cannot turn x into a NumPy array).
SCENARIOS["submission-grad-cam-callers-x-requires-grad"] = Scenario(
    grade_id="grad_cam",
    source=edit(_GRAD_CAM, ("    A = modele.caracteristiques(x.detach().unsqueeze(0))\n",
                            "    x.requires_grad_(True)\n    A = modele.caracteristiques(x.unsqueeze(0))\n")),
    must_fail=("test_grad_cam_matches_reference",),
    message_contains=("grad_cam rend le x de l'appelant « requires_grad »",),
)
GROUPS["blind-r5-3"] = (*GROUPS["blind-r5-3"], "submission-grad-cam-callers-x-requires-grad")

# Blind round 5, later findings: three cascades caught with a generic restatement of the
# formula; each now gets its own hint (methode=None is saillance, Spearman not Pearson, the mean).
SCENARIOS["blind-r5-cascade-default-gradient-x-input"] = Scenario(
    grade_id="randomisation",
    source=edit(_RANDOMISATION, ("methode = saillance if methode is None else methode",
                                 "methode = gradient_x_entree if methode is None else methode")),
    must_fail=("test_correlations_cascade_matches_grader",),
    message_contains=("methode=None veut dire saillance",),
)
SCENARIOS["blind-r5-cascade-pearson-of-the-maps"] = Scenario(
    grade_id="randomisation",
    source=edit(_RANDOMISATION, ("spearman(a, methode(modele_k, x, c))",
                                 "np.corrcoef(np.ravel(a), np.ravel(methode(modele_k, x, c)))[0, 1]")),
    must_fail=("test_correlations_cascade_matches_grader",),
    message_contains=("pas la corrélation de Pearson des valeurs",),
)
SCENARIOS["blind-r5-cascade-median-over-images"] = Scenario(
    grade_id="randomisation",
    source=edit(_RANDOMISATION, ("rhos.append(np.mean(", "rhos.append(np.median(")),
    must_fail=("test_correlations_cascade_matches_grader",),
    message_contains=("pas leur médiane",),
)
GROUPS["blind-r5-4"] = ("blind-r5-cascade-default-gradient-x-input",)
GROUPS["blind-r5-5"] = ("blind-r5-cascade-pearson-of-the-maps",)
GROUPS["blind-r5-6"] = ("blind-r5-cascade-median-over-images",)

# Issue 16: the cascade's in-place rule goes through the library (assert_arguments_untouched
# with the grader's saillance and spearman); the caller's X made to require a gradient is
# still caught, and named.
SCENARIOS["submission-cascade-callers-X-requires-grad"] = Scenario(
    grade_id="randomisation",
    source=edit(_RANDOMISATION, ("    classes = [int(c) for c in classes]\n",
                                 "    classes = [int(c) for c in classes]\n    X.requires_grad_(True)\n")),
    must_fail=("test_correlations_cascade_matches_grader",),
    message_contains=("correlations_cascade rend le X de l'appelant « requires_grad »",),
)
GROUPS["cascade-in-place"] = ("submission-cascade-callers-X-requires-grad",)


# ---------------------------------------------------------------- issue 12: blind answers (round 7)
# Written by a tester who had not seen the checks. The statement's conventions say the
# functions do not modify `modele`: a model converted in place (modele.double()), left in
# train mode or frozen kept full marks; now every function that receives the model is called
# once more in the kernel with its parameters (values, dtype, device, requires_grad) and mode
# watched. Errors now get the cause their text shows (y_c from a second forward, a tensor's
# truth value, a batch with one channel, a model rebuilt by type(modele)()) instead of a shape
# hint or the raw English text (the last two without the original text, which named the
# grader's sizes and model class); a cascade with one seed per stage is told so; a randomiser
# that re-draws in an order of its own (a set) meets COUCHES reversed; the occlusion mean
# divided by fenetre² is named.
# The tester's occlusion, right (blind-r7-correct-occlusion-float64-copy-of-the-model).
_R7_OCCLUSION = '''def carte_occlusion(modele, x, c, fenetre=2, pas=1, valeur=0.0):
    m64 = copy.deepcopy(modele).double()
    C, H, W = x.shape
    x64 = x.detach().double()
    positions = [(i, j) for i in range(0, H - fenetre + 1, pas) for j in range(0, W - fenetre + 1, pas)]
    lot = x64.unsqueeze(0).repeat(len(positions), 1, 1, 1)
    for n, (i, j) in enumerate(positions):
        lot[n, :, i:i + fenetre, j:j + fenetre] = valeur
    with torch.no_grad():
        deltas = m64(x64.unsqueeze(0))[0, c] - m64(lot)[:, c]
    somme = torch.zeros(H, W, dtype=torch.float64)
    compte = torch.zeros(H, W, dtype=torch.float64)
    for n, (i, j) in enumerate(positions):
        somme[i:i + fenetre, j:j + fenetre] += deltas[n]
        compte[i:i + fenetre, j:j + fenetre] += 1
    return (somme / compte.clamp(min=1)).float()
'''

_BLIND_R7_WRONG = {
    'blind-r7-saillance-converts-the-model-to-float64': Scenario(
        grade_id='saillance',
        source=edit(solution_cell(__file__, 'saillance'),
            ('    x = x.detach().clone().requires_grad_(True)\n    y_c = modele(x.unsqueeze(0))[0, c]\n    (g,) = torch.autograd.grad(y_c, x)\n    return g\n',
             '    m64 = modele.double()\n    xx = x.detach().double().clone().requires_grad_(True)\n    y_c = m64(xx.unsqueeze(0))[0, c]\n    (g,) = torch.autograd.grad(y_c, xx)\n    return g.to(x.dtype)\n')),
        must_fail=('test_saillance_matches_autograd', 'test_gradient_x_entree_matches_autograd'),
        message_contains=("convertit le modèle de l'appelant",),
    ),
    'blind-r7-grad-cam-leaves-the-model-in-train-mode': Scenario(
        grade_id='grad_cam',
        source='def grad_cam(modele, x, c):\n    """Carte Grad-CAM (h, w) de la classe c pour l\'image x (C, H, W), à la résolution de\n    modele.caracteristiques : ReLU(Σ_k α_k A_k), α_k = moyenne spatiale de ∂y_c/∂A_k."""\n    modele.train()\n    A = modele.caracteristiques(x.unsqueeze(0))\n    A.retain_grad()\n    y_c = modele.tete(A)[0, c]\n    y_c.backward()\n    alpha = A.grad[0].mean(dim=(1, 2))\n    return torch.relu((alpha[:, None, None] * A[0]).sum(0)).detach()\n',
        must_fail=('test_grad_cam_matches_reference',),
        message_contains=("laisse le modèle de l'appelant dans un autre mode",),
    ),
    'blind-r7-ig-freezes-the-models-parameters': Scenario(
        grade_id='gradients_integres',
        source='def gradients_integres(modele, x, c, reference=None, m=50):\n    """Gradients intégrés de y_c en x (C, H, W) depuis `reference` (des zéros si None),\n    par la somme de Riemann à droite à m pas : même forme que x."""\n    for p in modele.parameters():\n        p.requires_grad_(False)\n    ref = torch.zeros_like(x) if reference is None else reference\n    alphas = (torch.arange(1, m + 1, dtype=x.dtype) / m).view(-1, *([1] * x.dim()))\n    chemin = (ref + alphas * (x - ref)).detach().requires_grad_(True)\n    (g,) = torch.autograd.grad(modele(chemin)[:, c].sum(), chemin)\n    return (x - ref).detach() * g.mean(dim=0)\n',
        must_fail=('test_gradients_integres_matches_reference',),
        message_contains=('change requires_grad des paramètres du modèle',),
    ),
    'blind-r7-occlusion-converts-the-model-to-float64': Scenario(
        grade_id='occlusion',
        source=edit(_R7_OCCLUSION,
            ('    m64 = copy.deepcopy(modele).double()\n',
             '    """Carte (H, W) : pour chaque pixel, la moyenne de y_c(x) − y_c(x occulté) sur les\n'
             '    fenêtres qui le couvrent, 0 s\'il n\'est couvert par aucune."""\n'
             '    m64 = modele.double()\n'),
            ('    return (somme / compte.clamp(min=1)).float()\n',
             '    return torch.where(compte > 0, somme / compte.clamp(min=1), torch.zeros_like(somme)).float()\n')),
        must_fail=('test_occlusion_matches_reference',),
        message_contains=("convertit le modèle de l'appelant",),
    ),
    'blind-r7-occlusion-divides-by-the-window-area': Scenario(
        grade_id='occlusion',
        source='def carte_occlusion(modele, x, c, fenetre=2, pas=1, valeur=0.0):\n    """Carte (H, W) : pour chaque pixel, la moyenne de y_c(x) − y_c(x occulté) sur les\n    fenêtres qui le couvrent, 0 s\'il n\'est couvert par aucune."""\n    C, H, W = x.shape\n    positions = [(i, j) for i in range(0, H - fenetre + 1, pas) for j in range(0, W - fenetre + 1, pas)]\n    lot = x.detach().unsqueeze(0).repeat(len(positions), 1, 1, 1)\n    for n, (i, j) in enumerate(positions):\n        lot[n, :, i:i + fenetre, j:j + fenetre] = valeur\n    with torch.no_grad():\n        deltas = modele(x.unsqueeze(0))[0, c] - modele(lot)[:, c]\n    somme = torch.zeros(H, W)\n    for n, (i, j) in enumerate(positions):\n        somme[i:i + fenetre, j:j + fenetre] += deltas[n]\n    return somme / (fenetre * fenetre)\n',
        must_fail=('test_occlusion_linear_model', 'test_occlusion_matches_reference'),
        message_contains=('pas par fenetre²',),
    ),
    'blind-r7-randomise-in-set-order': Scenario(
        grade_id='randomisation',
        source=edit(solution_cell(__file__, 'randomisation'),
            ('    for nom in noms:\n',
             '    for nom in set(noms):\n'),
            ('    methode = saillance if methode is None else methode\n    classes = [int(c) for c in classes]\n    origine = [methode(modele, x, c) for x, c in zip(X, classes)]\n',
             '    if methode is None:\n        methode = saillance\n'),
            ('        modele_k = randomiser_couches(modele, noms[:k], seed)\n        rhos.append(np.mean([spearman(a, methode(modele_k, x, c)) for a, x, c in zip(origine, X, classes)]))\n',
             '        mk = randomiser_couches(modele, noms[:k], seed)\n        rhos.append(np.mean([spearman(methode(modele, X[n], int(classes[n])), methode(mk, X[n], int(classes[n])))\n                             for n in range(len(X))]))\n')),
        must_fail=('test_randomiser_couches_layers',),
        message_contains=('ni un autre ordre',),
        may_fail=('test_correlations_cascade_matches_grader',),
    ),
    'blind-r7-grad-cam-logit-from-a-second-forward': Scenario(
        grade_id='grad_cam',
        source='def grad_cam(modele, x, c):\n    """Carte Grad-CAM (h, w) de la classe c pour l\'image x (C, H, W), à la résolution de\n    modele.caracteristiques : ReLU(Σ_k α_k A_k), α_k = moyenne spatiale de ∂y_c/∂A_k."""\n    xb = x.unsqueeze(0)\n    A = modele.caracteristiques(xb)\n    y_c = modele(xb)[0, c]\n    (g,) = torch.autograd.grad(y_c, A)\n    alpha = g[0].mean(dim=(1, 2))\n    return torch.relu((alpha[:, None, None] * A[0]).sum(0)).detach()\n',
        must_fail=('test_grad_cam_linear_model', 'test_grad_cam_matches_reference'),
        message_contains=('à partir du MÊME A',),
    ),
    'blind-r7-ig-reference-or-zeros': Scenario(
        grade_id='gradients_integres',
        source='def gradients_integres(modele, x, c, reference=None, m=50):\n    """Gradients intégrés de y_c en x (C, H, W) depuis `reference` (des zéros si None),\n    par la somme de Riemann à droite à m pas : même forme que x."""\n    reference = reference or torch.zeros_like(x)\n    alphas = torch.arange(1, m + 1, dtype=x.dtype).view(-1, 1, 1, 1) / m\n    chemin = (reference + alphas * (x - reference)).detach().requires_grad_(True)\n    (g,) = torch.autograd.grad(modele(chemin)[:, c].sum(), chemin)\n    return (x - reference).detach() * g.mean(dim=0)\n',
        must_fail=('test_gradients_integres_linear_model', 'test_gradients_integres_matches_reference', 'test_gradients_integres_completeness'),
        message_contains=('testez `if reference is None:`',),
    ),
    'blind-r7-ig-path-assumes-one-channel': Scenario(
        grade_id='gradients_integres',
        source='def gradients_integres(modele, x, c, reference=None, m=50):\n    """Gradients intégrés de y_c en x (C, H, W) depuis `reference` (des zéros si None),\n    par la somme de Riemann à droite à m pas : même forme que x."""\n    H, W = x.shape[-2], x.shape[-1]\n    ref = torch.zeros_like(x) if reference is None else reference\n    alphas = torch.arange(1, m + 1, dtype=x.dtype).view(-1, 1, 1) / m\n    chemin = (ref[0] + alphas * (x[0] - ref[0])).reshape(m, 1, H, W).detach().requires_grad_(True)\n    (g,) = torch.autograd.grad(modele(chemin)[:, c].sum(), chemin)\n    return ((x - ref).detach() * g.mean(dim=0)).reshape(x.shape)\n',
        must_fail=('test_gradients_integres_linear_model', 'test_gradients_integres_matches_reference', 'test_gradients_integres_completeness'),
        message_contains=('ne supposez pas C = 1',),
    ),
    'blind-r7-saillance-unsqueeze-1': Scenario(
        grade_id='saillance',
        source=edit(solution_cell(__file__, 'saillance'),
            ('    x = x.detach().clone().requires_grad_(True)\n    y_c = modele(x.unsqueeze(0))[0, c]\n    (g,) = torch.autograd.grad(y_c, x)\n',
             '    xx = x.detach().clone().requires_grad_(True)\n    y_c = modele(xx.unsqueeze(1))[0, c]\n    (g,) = torch.autograd.grad(y_c, xx)\n')),
        must_fail=('test_saillance_linear_model', 'test_saillance_matches_autograd', 'test_gradient_x_entree_matches_autograd'),
        message_contains=('ne supposez pas C = 1',),
    ),
    'blind-r7-cascade-seed-plus-k': Scenario(
        grade_id='randomisation',
        source=edit(solution_cell(__file__, 'randomisation'),
            ('    methode = saillance if methode is None else methode\n    classes = [int(c) for c in classes]\n    origine = [methode(modele, x, c) for x, c in zip(X, classes)]\n',
             '    if methode is None:\n        methode = saillance\n'),
            ('        modele_k = randomiser_couches(modele, noms[:k], seed)\n        rhos.append(np.mean([spearman(a, methode(modele_k, x, c)) for a, x, c in zip(origine, X, classes)]))\n',
             '        mk = randomiser_couches(modele, noms[:k], seed + k)\n        rhos.append(np.mean([spearman(methode(modele, X[n], int(classes[n])), methode(mk, X[n], int(classes[n])))\n                             for n in range(len(X))]))\n')),
        must_fail=('test_correlations_cascade_matches_grader',),
        message_contains=('avec la MÊME graine seed à chaque étape',),
    ),
    'blind-r7-randomise-rebuilds-with-type': Scenario(
        grade_id='randomisation',
        source=edit(_RANDOMISATION,
            ('    copie = copy.deepcopy(modele)\n',
             '    copie = type(modele)()\n'
             '    copie.load_state_dict(modele.state_dict())\n'
             '    copie.eval()\n'),
            ('    methode = saillance if methode is None else methode\n'
             '    classes = [int(c) for c in classes]\n'
             '    origine = [methode(modele, x, c) for x, c in zip(X, classes)]\n',
             '    if methode is None:\n'
             '        methode = saillance\n'),
            ('        modele_k = randomiser_couches(modele, noms[:k], seed)\n'
             '        rhos.append(np.mean([spearman(a, methode(modele_k, x, c)) for a, x, c in zip(origine, X, classes)]))\n',
             '        mk = randomiser_couches(modele, noms[:k], seed)\n'
             '        rhos.append(np.mean([spearman(methode(modele, X[n], int(classes[n])), methode(mk, X[n], int(classes[n])))\n'
             '                             for n in range(len(X))]))\n')),
        # correlations_cascade is right: graded with the statement's randomiser_couches, it keeps its point.
        must_fail=('test_randomiser_couches_top_two', 'test_randomiser_couches_layers', 'test_saillance_correlation_drops'),
        message_contains=('copiez le modèle reçu tel quel, copy.deepcopy(modele)',),
    ),
}
SCENARIOS.update(_BLIND_R7_WRONG)
# An answer that calls modele.eval() (a no-op on the grader's models, already in eval mode),
# zero_grad() and backward() (the parameters' .grad is not watched), and an occlusion in
# float64 on a copy of the model: they do not modify the caller's model.
_BLIND_R7_CORRECT = {
    'blind-r7-correct-saillance-functional-vjp': Correct(
        grade_id='saillance',
        source='def gradient_logit(modele, x, c):\n    """Le gradient ∂y_c/∂x du logit de la classe c par rapport à l\'image x (C, H, W) : même forme que x."""\n    x0 = x.detach().clone()\n    def logit(z):\n        return modele(z.unsqueeze(0))[0, c]\n    _, g = torch.autograd.functional.vjp(logit, x0, torch.tensor(1.0, dtype=x0.dtype))\n    return g.detach()\n\n\ndef saillance(modele, x, c):\n    """Carte de saillance |∂y_c/∂x| : même forme que x."""\n    g = gradient_logit(modele, x, c)\n    return torch.where(g < 0, -g, g)\n\n\ndef gradient_x_entree(modele, x, c):\n    """Gradient × entrée x ⊙ ∂y_c/∂x (signé) : même forme que x."""\n    return x.detach() * gradient_logit(modele, x, c)\n',
        why='autograd.functional.vjp, torch.where for the absolute value',
    ),
    'blind-r7-correct-ig-chunks-float64': Correct(
        grade_id='gradients_integres',
        source='def gradients_integres(modele, x, c, reference=None, m=50):\n    """Gradients intégrés de y_c en x (C, H, W) depuis `reference` (des zéros si None),\n    par la somme de Riemann à droite à m pas : même forme que x."""\n    x0 = x.detach()\n    ref = torch.zeros_like(x0) if reference is None else reference.detach().to(x0.dtype)\n    delta = x0 - ref\n    total = torch.zeros(x0.shape, dtype=torch.float64)\n    ks = list(range(1, m + 1))\n    for debut in range(0, m, 7):\n        bloc = ks[debut:debut + 7]\n        alphas = torch.tensor([k / m for k in bloc], dtype=x0.dtype).view(-1, *([1] * x0.dim()))\n        chemin = (ref.unsqueeze(0) + alphas * delta.unsqueeze(0)).requires_grad_(True)\n        (g,) = torch.autograd.grad(modele(chemin)[:, c].sum(), chemin)\n        total += g.double().sum(dim=0)\n    return (delta.double() * total / m).to(x0.dtype)\n',
        why='the path in chunks of 7, float64 accumulation',
    ),
    'blind-r7-correct-grad-cam-functional-jacobian': Correct(
        grade_id='grad_cam',
        source='def grad_cam(modele, x, c):\n    """Carte Grad-CAM (h, w) de la classe c pour l\'image x (C, H, W), à la résolution de\n    modele.caracteristiques : ReLU(Σ_k α_k A_k), α_k = moyenne spatiale de ∂y_c/∂A_k."""\n    with torch.no_grad():\n        A = modele.caracteristiques(x.unsqueeze(0))\n    dA = torch.autograd.functional.jacobian(lambda a: modele.tete(a)[0, c], A)  # (1, k, h, w)\n    alpha = dA[0].mean(dim=(1, 2))\n    cam = (alpha[:, None, None] * A[0]).sum(dim=0)\n    return cam.clamp(min=0).detach()\n',
        why='autograd.functional.jacobian on the head, A under no_grad',
    ),
    'blind-r7-correct-spearman-centred-by-constant': Correct(
        grade_id='spearman',
        source='def spearman(a, b):\n    """Corrélation de rang de Spearman entre deux tableaux de même forme (aplatis), les\n    ex æquo recevant le rang moyen ; un float."""\n    def rangs(t):\n        v = np.array(t.detach().cpu() if torch.is_tensor(t) else t, dtype=np.float64).ravel()\n        ordre = np.argsort(v, kind="mergesort")\n        r = np.empty(len(v))\n        i = 0\n        while i < len(v):\n            j = i\n            while j + 1 < len(v) and v[ordre[j + 1]] == v[ordre[i]]:\n                j += 1\n            r[ordre[i:j + 1]] = (i + j) / 2 + 1\n            i = j + 1\n        return r\n    r, s = rangs(a), rangs(b)\n    centre = (len(r) + 1) / 2\n    rc, sc = r - centre, s - centre\n    return float((rc * sc).sum() / np.sqrt((rc ** 2).sum() * (sc ** 2).sum()))\n',
        why='average ranks by a loop, centred by the constant (n+1)/2',
    ),
    'blind-r7-correct-randomisation-fork-rng': Correct(
        grade_id='randomisation',
        source='def randomiser_couches(modele, noms, seed=0):\n    """Copie de modele dont les couches nommées dans `noms` sont réinitialisées par\n    reset_parameters() après torch.manual_seed(seed) ; modele lui-même ne change pas."""\n    copie = copy.deepcopy(modele)\n    enfants = dict(copie.named_children())\n    with torch.random.fork_rng(devices=[]):\n        torch.manual_seed(seed)\n        for nom in noms:\n            enfants[nom].reset_parameters()\n    return copie\n\n\ndef correlations_cascade(modele, X, classes, noms, seed=0, methode=None):\n    """Tableau (len(noms),) : pour k = 1..len(noms), la moyenne sur les images de X de la\n    corrélation de Spearman entre methode(modele, x, c) et methode(modele_k, x, c), modele_k\n    = randomiser_couches(modele, noms[:k], seed) ; methode=None veut dire saillance."""\n    meth = saillance if methode is None else methode\n    cs = [int(v) for v in classes]\n    originales = [meth(modele, X[n], cs[n]) for n in range(len(X))]\n    res = []\n    for k in range(1, len(noms) + 1):\n        mk = randomiser_couches(modele, list(noms[:k]), seed)\n        res.append(np.mean([spearman(originales[n], meth(mk, X[n], cs[n])) for n in range(len(X))]))\n    return np.array(res, dtype=float)\n',
        why='torch.random.fork_rng, dict(named_children()), maps of the original computed once',
    ),
    "blind-r7-correct-grad-cam-eval-zero-grad-backward": Correct(
        grade_id="grad_cam",
        source='''def grad_cam(modele, x, c):
    modele.eval()
    modele.zero_grad()
    A = modele.caracteristiques(x.detach().unsqueeze(0))
    A.retain_grad()
    modele.tete(A)[0, c].backward()
    alpha = A.grad[0].mean(dim=(1, 2))
    return torch.relu((alpha[:, None, None] * A[0]).sum(dim=0)).detach()
''',
        why="modele.eval(), zero_grad() and backward(): the parameters' .grad filled",
    ),
    "blind-r7-correct-occlusion-float64-copy-of-the-model": Correct(
        grade_id="occlusion",
        source=_R7_OCCLUSION,
        why="float64 on copy.deepcopy(modele).double(): the caller's model untouched",
    ),
}
CORRECT.update(_BLIND_R7_CORRECT)
GROUPS["blind-r7-1"] = ("blind-r7-saillance-converts-the-model-to-float64",
                        "blind-r7-grad-cam-leaves-the-model-in-train-mode",
                        "blind-r7-ig-freezes-the-models-parameters",
                        "blind-r7-occlusion-converts-the-model-to-float64",
                        "blind-r7-randomise-in-set-order")
GROUPS["blind-r7-2"] = ("blind-r7-saillance-unsqueeze-1", "blind-r7-grad-cam-logit-from-a-second-forward",
                        "blind-r7-ig-reference-or-zeros", "blind-r7-occlusion-divides-by-the-window-area",
                        "blind-r7-cascade-seed-plus-k")
GROUPS["blind-r7-3"] = ("blind-r7-ig-path-assumes-one-channel", "blind-r7-randomise-rebuilds-with-type")
CORRECT_GROUPS["blind-r7-correct-1"] = tuple(list(_BLIND_R7_CORRECT)[:5])
CORRECT_GROUPS["blind-r7-correct-2"] = tuple(list(_BLIND_R7_CORRECT)[5:])

# ---------------------------------------------------------------- blind answers (round 9)
# A fixed number of steps (m ignored) kept the completeness points: the grader now also asks
# for m = 2, where the right Riemann sum is visibly off, and names the ignored argument. The
# notebook's global `modele` read instead of the argument was told about channels (its premise,
# the function's bytecode loading a notebook nn.Module, is now checked and named). The classes
# drawn are never the predicted one, so an answer explaining the argmax shows, and is named;
# so are a factor x instead of x − reference, a softmax probability in the occlusion, windows
# past the edge, a normalised Grad-CAM, a ReLU on the gradients and a mean over the maps.
# correlations_cascade runs with the statement's randomiser_couches: a randomiser without its
# seed or its copy costs its own checks only.
_R9_IG_STEPS_FIXED = '''def gradients_integres(modele, x, c, reference=None, m=50):
    x = x.detach()
    ref = torch.zeros_like(x) if reference is None else reference.detach()
    n = 50
    alphas = torch.arange(1, n + 1, dtype=torch.float32) / n
    chemin = (ref + alphas.view(-1, 1, 1, 1) * (x - ref)).requires_grad_(True)
    g = torch.autograd.grad(modele(chemin)[:, c].sum(), chemin)[0]
    return (x - ref) * g.mean(0)
'''
SCENARIOS["submission-gradients_integres-ignores-m"] = Scenario(
    grade_id="gradients_integres",
    source=_R9_IG_STEPS_FIXED,
    # Exact for any m on the public linear model.
    must_fail=("test_gradients_integres_matches_reference", "test_gradients_integres_completeness"),
    message_contains=("ignore son argument m",),
)
SCENARIOS["submission-gradients_integres-predicted-class"] = Scenario(
    grade_id="gradients_integres",
    source=edit(_IG, ("    x = x.detach()\n",
                      "    x = x.detach()\n    with torch.no_grad():\n"
                      "        c = int(modele(x.unsqueeze(0)).argmax())\n")),
    must_fail=("test_gradients_integres_linear_model", "test_gradients_integres_matches_reference",
               "test_gradients_integres_completeness"),
    message_contains=("vous expliquez une autre classe que c",),
)
SCENARIOS["submission-gradients_integres-factor-x-not-difference"] = Scenario(
    grade_id="gradients_integres",
    source=edit(_IG, ("return (x - reference) * g.mean(dim=0)", "return x * g.mean(dim=0)")),
    must_fail=("test_gradients_integres_linear_model", "test_gradients_integres_matches_reference",
               "test_gradients_integres_completeness"),
    message_contains=("le facteur est (x − reference), pas x",),
)
SCENARIOS["submission-saillance-global-model"] = Scenario(
    grade_id="saillance",
    # gradient_logit's parameter renamed: its body reads the notebook's trained model.
    source=edit(_SAILLANCE, ("def gradient_logit(modele, x, c):", "def gradient_logit(m, x, c):")),
    must_fail=("test_saillance_linear_model", "test_saillance_matches_autograd",
               "test_gradient_x_entree_matches_autograd"),
    message_contains=("lit la variable globale modele du notebook",),
)
SCENARIOS["submission-saillance-predicted-class"] = Scenario(
    grade_id="saillance",
    source=edit(_SAILLANCE, ("    y_c = modele(x.unsqueeze(0))[0, c]\n",
                             "    logits = modele(x.unsqueeze(0))\n    y_c = logits[0, logits.argmax()]\n")),
    must_fail=("test_saillance_linear_model", "test_saillance_matches_autograd",
               "test_gradient_x_entree_matches_autograd"),
    message_contains=("vous expliquez une autre classe que c",),
)
SCENARIOS["submission-grad_cam-global-model"] = Scenario(
    grade_id="grad_cam",
    source='''def grad_cam(m, x, c):
    A = modele.caracteristiques(x.detach().unsqueeze(0))
    g = torch.autograd.grad(modele.tete(A)[0, c], A)[0][0]
    alpha = g.mean(dim=(1, 2))
    return torch.relu((alpha[:, None, None] * A[0]).sum(0)).detach()
''',
    must_fail=("test_grad_cam_linear_model", "test_grad_cam_matches_reference"),
    message_contains=("`grad_cam` lit la variable globale modele du notebook",),
)
SCENARIOS["submission-grad_cam-predicted-class"] = Scenario(
    grade_id="grad_cam",
    source=edit(_GRAD_CAM, ("    y_c = modele.tete(A)[0, c]\n",
                            "    logits = modele.tete(A)\n    y_c = logits[0, logits.argmax()]\n")),
    must_fail=("test_grad_cam_linear_model", "test_grad_cam_matches_reference"),
    message_contains=("vous expliquez une autre classe que c",),
)
SCENARIOS["submission-grad_cam-normalised-by-its-max"] = Scenario(
    grade_id="grad_cam",
    source=edit(_GRAD_CAM, ("    return torch.relu((alpha.reshape(-1, 1, 1) * A[0]).sum(dim=0)).detach()\n",
                            "    cam = torch.relu((alpha.reshape(-1, 1, 1) * A[0]).sum(dim=0)).detach()\n"
                            "    return cam / (cam.max() + 1e-8)\n")),
    must_fail=("test_grad_cam_linear_model", "test_grad_cam_matches_reference"),
    message_contains=("ne normalisez pas la carte",),
)
SCENARIOS["submission-grad_cam-relu-on-the-gradients"] = Scenario(
    grade_id="grad_cam",
    source=edit(_GRAD_CAM, ("alpha = g[0].mean(dim=(1, 2))", "alpha = torch.relu(g[0]).mean(dim=(1, 2))")),
    must_fail=("test_grad_cam_linear_model", "test_grad_cam_matches_reference"),
    message_contains=("pas aux gradients",),
)
SCENARIOS["submission-grad_cam-mean-over-the-maps"] = Scenario(
    grade_id="grad_cam",
    source=edit(_GRAD_CAM, ("alpha = g[0].mean(dim=(1, 2))", "alpha = g[0].mean(dim=0)"),
                ("alpha.reshape(-1, 1, 1)", "alpha[None]")),
    must_fail=("test_grad_cam_linear_model", "test_grad_cam_matches_reference"),
    message_contains=("pas la moyenne sur les cartes",),
)
_OCCLUSION = solution_cell(__file__, "occlusion")
SCENARIOS["submission-occlusion-softmax-probability"] = Scenario(
    grade_id="occlusion",
    source=edit(_OCCLUSION, ("scores = modele(lot)[:, c].double()",
                             "scores = torch.softmax(modele(lot), dim=1)[:, c].double()")),
    must_fail=("test_occlusion_linear_model", "test_occlusion_matches_reference"),
    message_contains=("pas la probabilité softmax",),
)
SCENARIOS["submission-occlusion-windows-past-the-edge"] = Scenario(
    grade_id="occlusion",
    source=edit(_OCCLUSION, ("for i in range(0, H - fenetre + 1, pas) for j in range(0, W - fenetre + 1, pas)",
                             "for i in range(0, H, pas) for j in range(0, W, pas)")),
    must_fail=("test_occlusion_linear_model", "test_occlusion_matches_reference"),
    message_contains=("les fenêtres restent entièrement dans l'image",),
)
SCENARIOS["submission-randomisation-no-seed"] = Scenario(
    grade_id="randomisation",
    source=edit(_RANDOMISATION, ("    torch.manual_seed(seed)\n", "")),
    # correlations_cascade is right: graded with the statement's randomiser_couches, it keeps its point.
    must_fail=("test_randomiser_couches_layers",),
    message_contains=("appelez torch.manual_seed(seed)",),
)
SCENARIOS["submission-randomisation-no-deepcopy"] = Scenario(
    grade_id="randomisation",
    source=edit(_RANDOMISATION, ("    copie = copy.deepcopy(modele)\n", "    copie = modele\n")),
    must_fail=("test_randomiser_couches_top_two", "test_randomiser_couches_layers"),
    message_contains=("copy.deepcopy(modele)",),
)
GROUPS["blind-r9-1"] = ("submission-gradients_integres-ignores-m", "submission-saillance-global-model",
                        "submission-grad_cam-normalised-by-its-max",
                        "submission-occlusion-softmax-probability", "submission-randomisation-no-seed")
GROUPS["blind-r9-2"] = ("submission-gradients_integres-predicted-class",
                        "submission-saillance-predicted-class", "submission-grad_cam-global-model",
                        "submission-occlusion-windows-past-the-edge",
                        "submission-randomisation-no-deepcopy")
GROUPS["blind-r9-3"] = ("submission-gradients_integres-factor-x-not-difference",
                        "submission-grad_cam-predicted-class")
# Another grid than k/m depends on m, and is complete as m grows: only the comparison with
# the reference sees it (the m-ignored premise must not speak: its sums differ between m).
SCENARIOS["submission-gradients_integres-linspace-grid"] = Scenario(
    grade_id="gradients_integres",
    source=edit(_IG, ("alphas = torch.arange(1, m + 1, dtype=x.dtype) / m",
                      "alphas = torch.linspace(0, 1, m, dtype=x.dtype)")),
    must_fail=("test_gradients_integres_matches_reference",),
    message_contains=("torch.linspace(0, 1, m) prend α = 0",),
)
GROUPS["blind-r9-4"] = ("submission-grad_cam-relu-on-the-gradients",
                        "submission-gradients_integres-linspace-grid")
GROUPS["blind-r9-5"] = ("submission-grad_cam-mean-over-the-maps",)
# A fixed number of steps other than the default: the comparison with the reference asks
# again with another m, and names the ignored argument whatever the fixed value.
SCENARIOS["submission-gradients_integres-twenty-steps-whatever-m"] = Scenario(
    grade_id="gradients_integres",
    source=_R9_IG_STEPS_FIXED.replace("n = 50", "n = 20"),
    must_fail=("test_gradients_integres_matches_reference", "test_gradients_integres_completeness"),
    message_contains=("ignore son argument m (un nombre de pas fixe)",),
)
GROUPS["ignored-m-any-value"] = ("submission-gradients_integres-twenty-steps-whatever-m",)

# Blind round 12. Spearman on values rounded before ranking (float16, np.round) kept its
# points where no two grader values agreed in their leading digits: the check now draws, on
# purpose, distinct values of attribution size (1e-6 to 1e-4) that agree to 4-5 significant
# digits and stay distinct in float32. A cascade that leaves the last image out of the mean
# was told its classes were wrong (the maps are now named by their image); the in-place
# message of gradients_integres names only the argument modified; an occlusion whose reused
# copy is not restored in every channel is told so.
_R12_SPEARMAN_FLOAT16 = '''def spearman(a, b):
    """Rangs moyens calculés sur les valeurs converties en float16."""
    def rg(v):
        v = np.asarray(v).ravel().astype(np.float16)
        _, inv, cnt = np.unique(v, return_inverse=True, return_counts=True)
        return (np.cumsum(cnt) - (cnt - 1) / 2)[inv]
    r, s = rg(a), rg(b)
    return float(np.corrcoef(r, s)[0, 1])
'''
SCENARIOS["submission-spearman-float16-false-ties"] = Scenario(
    grade_id="spearman",
    source=_R12_SPEARMAN_FLOAT16,
    must_fail=("test_spearman_matches_scipy",),
    message_contains=("faux ex æquo",),
)
SCENARIOS["submission-spearman-rounded-to-4-decimals"] = Scenario(
    grade_id="spearman",
    source=edit(_SPEARMAN, ("    r = rangs(np.asarray(a, dtype=float).reshape(-1))\n"
                            "    s = rangs(np.asarray(b, dtype=float).reshape(-1))\n",
                            "    r = rangs(np.round(np.asarray(a, dtype=float).reshape(-1), 4))\n"
                            "    s = rangs(np.round(np.asarray(b, dtype=float).reshape(-1), 4))\n")),
    must_fail=("test_spearman_matches_scipy",),
    message_contains=("faux ex æquo",),
)
SCENARIOS["submission-randomisation-last-image-left-out"] = Scenario(
    grade_id="randomisation",
    source=edit(_RANDOMISATION, ("for a, x, c in zip(origine, X, classes)",
                                 "for a, x, c in zip(origine[:-1], X[:-1], classes[:-1])")),
    must_fail=("test_correlations_cascade_matches_grader",),
    message_contains=("TOUTES les images de X", "la dernière image de X"),
)
SCENARIOS["submission-gradients_integres-adds-into-reference"] = Scenario(
    grade_id="gradients_integres",
    source='''def gradients_integres(modele, x, c, reference=None, m=50):
    """Avance la référence de l'appelant vers x en fin de calcul."""
    if reference is None:
        reference = torch.zeros_like(x)
    diff = x.detach().clone()
    diff -= reference
    total = torch.zeros_like(diff)
    for k in range(1, m + 1):
        p = (reference + k / m * diff).requires_grad_(True)
        total += torch.autograd.grad(modele(p.unsqueeze(0))[0, c], p)[0]
    reference += diff
    return diff * total / m
''',
    must_fail=("test_gradients_integres_matches_reference",),
    message_contains=("ce qu'on lui passe (reference)", "n'écrivez jamais dans reference"),
)
_R12_OCCLUSION_REUSED_COPY = '''def carte_occlusion(modele, x, c, fenetre=2, pas=1, valeur=0.0):
    """Une copie réutilisée d'une fenêtre à l'autre, {restore}."""
    C, H, W = x.shape
    xo = x.detach().clone()
    with torch.no_grad():
        base = modele(x.unsqueeze(0))[0, c]
    somme = torch.zeros(H, W)
    cpt = torch.zeros(H, W)
    for i in range(0, H - fenetre + 1, pas):
        for j in range(0, W - fenetre + 1, pas):
            xo[:, i:i + fenetre, j:j + fenetre] = valeur
            with torch.no_grad():
                s = modele(xo.unsqueeze(0))[0, c]
            {line}
            somme[i:i + fenetre, j:j + fenetre] += base - s
            cpt[i:i + fenetre, j:j + fenetre] += 1
    return somme / cpt.clamp(min=1)
'''
SCENARIOS["submission-occlusion-restores-channel-0-only"] = Scenario(
    grade_id="occlusion",
    source=_R12_OCCLUSION_REUSED_COPY.format(
        restore="restaurée dans le canal 0 seulement",
        line="xo[0, i:i + fenetre, j:j + fenetre] = x[0, i:i + fenetre, j:j + fenetre]"),
    must_fail=("test_occlusion_matches_reference", "test_occlusion_linear_model"),
    message_contains=("remise dans l'état de x",),
)
SCENARIOS["submission-occlusion-copy-never-restored"] = Scenario(
    grade_id="occlusion",
    source=_R12_OCCLUSION_REUSED_COPY.format(restore="jamais restaurée", line="pass"),
    must_fail=("test_occlusion_matches_reference", "test_occlusion_linear_model"),
    message_contains=("remise dans l'état de x",),
)
GROUPS["blind-r12-1"] = ("submission-spearman-float16-false-ties",
                         "submission-randomisation-last-image-left-out",
                         "submission-gradients_integres-adds-into-reference",
                         "submission-occlusion-restores-channel-0-only")
GROUPS["blind-r12-2"] = ("submission-spearman-rounded-to-4-decimals",
                         "submission-occlusion-copy-never-restored")
_R12_CORRECT = {
    "blind-r12-correct-spearman-float32-torch-pairwise": Correct(
        grade_id="spearman",
        source='''def spearman(a, b):
    """Rangs moyens en float32 par comparaisons deux à deux (torch), puis Pearson des rangs."""
    def rangs(t):
        t = torch.as_tensor(np.asarray(t, dtype=np.float32)).reshape(-1)
        inf = (t[None, :] < t[:, None]).sum(1).double()
        eg = (t[None, :] == t[:, None]).sum(1).double()
        return inf + (eg + 1) / 2
    r, s = rangs(a), rangs(b)
    r, s = r - r.mean(), s - s.mean()
    return (r @ s / torch.sqrt((r @ r) * (s @ s))).item()
''',
        why="ranks of the float32 values: distinct close values stay distinct in float32",
    ),
    "blind-r12-correct-cascade-images-in-reverse-copies": Correct(
        grade_id="randomisation",
        source=edit(_RANDOMISATION, ("for a, x, c in zip(origine, X, classes)",
                                     "for a, x, c in zip(origine[::-1], [X[n].clone() for n in "
                                     "reversed(range(len(X)))], classes[::-1])")),
        why="every image, in reverse order and as copies: the mean is the same",
    ),
}
CORRECT.update(_R12_CORRECT)
CORRECT_GROUPS["blind-r12-correct"] = tuple(_R12_CORRECT)


# Blind round 14: the ReLU on the weights α_k instead of the final sum. On the public linear
# model every α_k of class 1 is negative: the map is all zeros, which the "another class" hint
# used to match (class 0's map is all zeros too).
SCENARIOS["blind-r14-grad-cam-relu-on-alpha"] = Scenario(
    grade_id="grad_cam",
    source=edit(
        solution_cell(__file__, "grad_cam"),
        ("    alpha = g[0].mean(dim=(1, 2))\n",
         "    alpha = torch.relu(g[0].mean(dim=(1, 2)))  # on ne garde que les cartes qui poussent vers c\n"),
        ("    return torch.relu((alpha.reshape(-1, 1, 1) * A[0]).sum(dim=0)).detach()\n",
         "    return (alpha.reshape(-1, 1, 1) * A[0]).sum(dim=0).detach()\n"),
    ),
    must_fail=("test_grad_cam_linear_model", "test_grad_cam_matches_reference"),
    message_contains=("votre carte est nulle partout",),
)
GROUPS["blind-r14-1"] = ("blind-r14-grad-cam-relu-on-alpha",)


# Blind round 16. A right Riemann sum rescaled so that its sum is exactly y_c(x) − y_c(x')
# (ig * (variation / ig.sum())) was told it ignored m: its attributions change with m, only
# their sum does not. The completeness check now tells the two apart (the maps at m = 2 and
# at the largest m), and the comparison with the reference names a forced completeness
# (rescaled, or its gap spread over the entries). A forward hook on modele.conv2 (the
# tutorial recipe) raised AttributeError on the grader's linear model and was told about NumPy
# arrays and tensors: an attribute missing from an object (a model, a layer) now says the
# statement does not guarantee it (the library), and TP10 names what each function may use
# of its model; on the CNN, maps taken before the ReLU are named.
SCENARIOS["blind-r16-ig-forced-completeness"] = Scenario(
    grade_id="gradients_integres",
    source=edit(_IG,
        ('    return (x - reference) * g.mean(dim=0)\n',
         '    ig = (x - reference) * g.mean(dim=0)\n'
         "    # on corrige l'erreur de la somme de Riemann pour que la complétude soit exacte\n"
         '    with torch.no_grad():\n'
         '        variation = modele(x.unsqueeze(0))[0, c] - modele(reference.unsqueeze(0))[0, c]\n'
         '    somme = ig.sum()\n'
         '    if somme.abs() > 1e-12:\n'
         '        ig = ig * (variation / somme)\n'
         '    return ig\n')),
    must_fail=("test_gradients_integres_matches_reference", "test_gradients_integres_completeness"),
    message_contains=("n'imposez pas la complétude en renormalisant", "vos attributions changent avec m"),
)
SCENARIOS["blind-r16-ig-gap-spread-over-the-entries"] = Scenario(
    grade_id="gradients_integres",
    source=edit(_IG, ("    return (x - reference) * g.mean(dim=0)\n",
                      "    ig = (x - reference) * g.mean(dim=0)\n"
                      "    with torch.no_grad():\n"
                      "        ecart = modele(x.unsqueeze(0))[0, c] - modele(reference.unsqueeze(0))[0, c] - ig.sum()\n"
                      "    return ig + ecart / ig.numel()  # complétude exacte\n")),
    must_fail=("test_gradients_integres_matches_reference", "test_gradients_integres_completeness"),
    message_contains=("n'imposez pas la complétude en renormalisant", "vos attributions changent avec m"),
)
# m ignored AND the sum forced: the first fault is named (with m ignored, a forced sum and a
# large fixed number of steps look alike).
SCENARIOS["blind-r16-ig-fixed-steps-rescaled"] = Scenario(
    grade_id="gradients_integres",
    source=_R9_IG_STEPS_FIXED.replace(
        "    return (x - ref) * g.mean(0)\n",
        "    ig = (x - ref) * g.mean(0)\n"
        "    with torch.no_grad():\n"
        "        variation = modele(x.unsqueeze(0))[0, c] - modele(ref.unsqueeze(0))[0, c]\n"
        "    return ig * variation / ig.sum()\n"),
    must_fail=("test_gradients_integres_matches_reference", "test_gradients_integres_completeness"),
    message_contains=("ignore son argument m",),
)
SCENARIOS["blind-r16-grad-cam-hook-on-conv2"] = Scenario(
    grade_id="grad_cam",
    source='''def grad_cam(modele, x, c):
    """Carte Grad-CAM (h, w) de la classe c pour l'image x (C, H, W), à la résolution de
    modele.caracteristiques : ReLU(Σ_k α_k A_k), α_k = moyenne spatiale de ∂y_c/∂A_k."""
    # méthode classique avec des hooks sur la dernière couche convolutive
    memoire = {}

    def crochet(module, entree, sortie):
        sortie.retain_grad()
        memoire["A"] = sortie

    poignee = modele.conv2.register_forward_hook(crochet)
    try:
        logits = modele(x.detach().unsqueeze(0))
        (g,) = torch.autograd.grad(logits[0, c], memoire["A"])
    finally:
        poignee.remove()
    A = memoire["A"][0].detach()
    alpha = g[0].mean(dim=(1, 2))
    return torch.relu((alpha[:, None, None] * A).sum(dim=0))
''',
    must_fail=("test_grad_cam_linear_model", "test_grad_cam_matches_reference"),
    message_contains=("votre fonction utilise modele.conv2, un attribut que l'énoncé ne garantit pas",
                      "vos cartes A sont prises AVANT la ReLU"),
)
# The hook after the ReLU: right on the grader's CNNs, but the linear model has no conv2.
SCENARIOS["blind-r16-grad-cam-hook-on-conv2-after-relu"] = Scenario(
    grade_id="grad_cam",
    source='''def grad_cam(modele, x, c):
    sorties = []
    poignee = modele.conv2.register_forward_hook(lambda module, entree, sortie: sorties.append(sortie))
    modele(x.detach().unsqueeze(0))
    poignee.remove()
    A = torch.relu(sorties[0])
    (g,) = torch.autograd.grad(modele.tete(A)[0, c], A)
    alpha = g[0].mean(dim=(1, 2))
    return torch.relu((alpha[:, None, None] * A[0]).sum(dim=0)).detach()
''',
    must_fail=("test_grad_cam_linear_model",),
    message_contains=("modele.caracteristiques(x.unsqueeze(0))", "sans crochet (hook) sur une couche"),
)
SCENARIOS["blind-r16-saillance-dtype-of-conv1"] = Scenario(
    grade_id="saillance",
    source=edit(_SAILLANCE, ("    x = x.detach().clone().requires_grad_(True)\n",
                             "    x = x.detach().to(modele.conv1.weight.dtype).requires_grad_(True)\n")),
    must_fail=("test_saillance_linear_model",),
    message_contains=("votre fonction utilise modele.conv1, un attribut que l'énoncé ne garantit pas",
                      "n'utilisez que modele(x)"),
)
GROUPS["blind-r16-1"] = ("blind-r16-ig-forced-completeness", "blind-r16-grad-cam-hook-on-conv2",
                         "blind-r16-saillance-dtype-of-conv1")
GROUPS["blind-r16-2"] = ("blind-r16-ig-gap-spread-over-the-entries",
                         "blind-r16-grad-cam-hook-on-conv2-after-relu")
GROUPS["blind-r16-3"] = ("blind-r16-ig-fixed-steps-rescaled",)
_R16_CORRECT = {
    "blind-r16-correct-ig-copy-float64": Correct(
        grade_id="gradients_integres",
        source='''def gradients_integres(modele, x, c, reference=None, m=50):
    """Gradients intégrés de y_c en x (C, H, W) depuis `reference` (des zéros si None),
    par la somme de Riemann à droite à m pas : même forme que x."""
    # calcul en float64 sur une copie du modèle (le modèle d'origine n'est pas touché)
    modele64 = copy.deepcopy(modele).double()
    x64 = x.detach().to(torch.float64)
    if reference is None:
        ref64 = torch.zeros_like(x64)
    else:
        ref64 = torch.as_tensor(reference).detach().to(torch.float64)
    total = torch.zeros_like(x64)
    for k in range(1, m + 1):
        point = (ref64 + (k / m) * (x64 - ref64)).requires_grad_(True)
        y_c = modele64(point.unsqueeze(0))[0, c]
        (g,) = torch.autograd.grad(y_c, point)
        total += g
    ig = (x64 - ref64) * total / m
    return ig.to(x.dtype)
''',
        why="the tester's: one point at a time, in float64 on a copy of the model",
    ),
    "blind-r16-correct-ig-batches-of-16": Correct(
        grade_id="gradients_integres",
        source='''def gradients_integres(modele, x, c, reference=None, m=50):
    """Gradients intégrés de y_c en x (C, H, W) depuis `reference` (des zéros si None),
    par la somme de Riemann à droite à m pas : même forme que x."""
    taille_paquet = 16  # pour ne pas mettre les m points en mémoire d'un coup
    x = x.detach()
    ref = torch.zeros_like(x) if reference is None else reference.detach().clone().float()
    delta = x - ref
    somme = torch.zeros_like(x)
    for debut in range(0, m, taille_paquet):
        ks = torch.arange(debut + 1, min(debut + taille_paquet, m) + 1, dtype=torch.float32)
        alphas = (ks / m).view(-1, 1, 1, 1)
        chemin = (ref.unsqueeze(0) + alphas * delta.unsqueeze(0)).requires_grad_(True)
        sortie = modele(chemin)
        (g,) = torch.autograd.grad(sortie[:, c].sum(), chemin)
        somme = somme + g.sum(dim=0)
    return delta * somme / m
''',
        why="the tester's: the path in batches of 16",
    ),
    "blind-r16-correct-grad-cam-a-detached": Correct(
        grade_id="grad_cam",
        source='''def grad_cam(modele, x, c):
    """Carte Grad-CAM (h, w) de la classe c pour l'image x (C, H, W), à la résolution de
    modele.caracteristiques : ReLU(Σ_k α_k A_k), α_k = moyenne spatiale de ∂y_c/∂A_k."""
    with torch.no_grad():
        A = modele.caracteristiques(x.unsqueeze(0))[0]  # (K, h, w)
    A = A.clone().requires_grad_(True)
    # seule la tête dépend de A : on peut partir de cartes détachées
    y_c = modele.tete(A.unsqueeze(0))[0, c]
    (dA,) = torch.autograd.grad(y_c, A)
    K, h, w = dA.shape
    alpha = dA.sum(dim=(1, 2)) / (h * w)
    cam = torch.zeros(h, w)
    for k in range(K):
        cam = cam + alpha[k] * A[k].detach()
    return F.relu(cam)
''',
        why="the tester's: A detached then requiring grad, a loop over the maps",
    ),
    "blind-r16-correct-ig-python-loop-sum-of-logits": Correct(
        grade_id="gradients_integres",
        source='''def gradients_integres(modele, x, c, reference=None, m=50):
    x0 = x.detach()
    base = torch.zeros_like(x0) if reference is None else reference.detach()
    moyenne = torch.zeros_like(x0)
    for k in range(1, m + 1):
        p = (base + (k / m) * (x0 - base)).unsqueeze(0).requires_grad_(True)
        modele(p)[:, c].sum().backward()
        moyenne += p.grad[0] / m
    return (x0 - base) * moyenne
''',
        why="backward() point by point, the mean accumulated as grad / m",
    ),
    "blind-r16-correct-grad-cam-caracteristiques-retain-grad-einsum": Correct(
        grade_id="grad_cam",
        source='''def grad_cam(modele, x, c):
    entree = x.detach().unsqueeze(0)
    A = modele.caracteristiques(entree)
    A.retain_grad()
    logits = modele.tete(A)
    logits[0, c].backward()
    gradA = A.grad[0]
    alpha = gradA.mean(dim=-1).mean(dim=-1)
    carte = torch.einsum("k,khw->hw", alpha, A[0].detach())
    modele.zero_grad(set_to_none=True)
    return carte.clamp(min=0).double()
''',
        why="the tester's: retain_grad and backward, einsum, clamp, float64 out",
    ),
}
CORRECT.update(_R16_CORRECT)
CORRECT_GROUPS["blind-r16-correct-1"] = ("blind-r16-correct-ig-copy-float64",
                                         "blind-r16-correct-grad-cam-a-detached")
CORRECT_GROUPS["blind-r16-correct-2"] = ("blind-r16-correct-ig-batches-of-16",
                                         "blind-r16-correct-grad-cam-caracteristiques-retain-grad-einsum")
CORRECT_GROUPS["blind-r16-correct-3"] = ("blind-r16-correct-ig-python-loop-sum-of-logits",)


# Blind round 18. (1) gradient × input written |x| ⊙ ∂y_c/∂x passed: no grader image had a
# negative pixel; hidden gradient_x_entree now meets a standardised image (negative pixels) at
# every variant, the public check one more image with negative pixels. (2) A squeeze() that
# drops the channel axis with the batch axis passed where the hidden CNNs all had C ≥ 2; every
# map function (saliency, gradient × input, integrated gradients, Grad-CAM) now meets a
# single-channel model at every variant, the public check a single-channel linear model, and a
# map that lost x's size-1 axes is told so. (3) The public Spearman tolerance (1e-9) failed
# correct float32 code the hidden checks accepted: both now use SPEARMAN_TOL (1e-6), above
# every float32 variant measured (≤ 3.3e-7), and a close value says "precision", not "ranks".
# (4) The cascade whose classes are indexed by the stage (classes[k]) was told "the class the
# randomised model predicts": each premise is now tested on the recorded (stage, image, class).
SCENARIOS["blind-r18-saillance-abs-x"] = Scenario(
    grade_id="saillance",
    source='def gradient_logit(modele, x, c):\n    """Le gradient ∂y_c/∂x du logit de la classe c par rapport à l\'image x (C, H, W) : même forme que x."""\n    x = x.detach().clone().requires_grad_(True)\n    y_c = modele(x.unsqueeze(0))[0, c]\n    (g,) = torch.autograd.grad(y_c, x)\n    return g\n\n\ndef saillance(modele, x, c):\n    """Carte de saillance |∂y_c/∂x| : même forme que x."""\n    return gradient_logit(modele, x, c).abs()\n\n\ndef gradient_x_entree(modele, x, c):\n    """Gradient × entrée x ⊙ ∂y_c/∂x (signé) : même forme que x."""\n    # l\'intensité du pixel (toujours positive) pondère le gradient, qui porte le signe\n    return x.detach().abs() * gradient_logit(modele, x, c)\n',
    must_fail=("test_saillance_linear_model", "test_gradient_x_entree_matches_autograd"),
    message_contains=("x n'est pas toujours positif",),
)
SCENARIOS["blind-r18-saillance-squeeze-drops-channels"] = Scenario(
    grade_id="saillance",
    source='def gradient_logit(modele, x, c):\n    """Le gradient ∂y_c/∂x du logit de la classe c par rapport à l\'image x (C, H, W) : même forme que x."""\n    lot = x.detach().clone().unsqueeze(0).requires_grad_(True)\n    y_c = modele(lot)[0, c]\n    (g,) = torch.autograd.grad(y_c, lot)\n    return g.squeeze()  # on enlève la dimension de lot\n\n\ndef saillance(modele, x, c):\n    """Carte de saillance |∂y_c/∂x| : même forme que x."""\n    return gradient_logit(modele, x, c).abs()\n\n\ndef gradient_x_entree(modele, x, c):\n    """Gradient × entrée x ⊙ ∂y_c/∂x (signé) : même forme que x."""\n    return x.detach() * gradient_logit(modele, x, c)\n',
    must_fail=("test_saillance_linear_model", "test_saillance_matches_autograd"),
    message_contains=("votre carte a perdu l'axe des canaux",),
)
SCENARIOS["blind-r18-gxe-squeezed-product"] = Scenario(
    grade_id="saillance",
    source=edit(_SAILLANCE, ("    return x.detach() * gradient_logit(modele, x, c)\n",
                             "    return (x.detach() * gradient_logit(modele, x, c)).squeeze()\n")),
    must_fail=("test_saillance_linear_model", "test_gradient_x_entree_matches_autograd"),
    message_contains=("votre carte a perdu l'axe des canaux",),
)
SCENARIOS["blind-r18-ig-squeezed-result"] = Scenario(
    grade_id="gradients_integres",
    source=edit(solution_cell(__file__, "gradients_integres"),
                ("    return (x - reference) * g.mean(dim=0)\n",
                 "    return ((x - reference) * g.mean(dim=0)).squeeze()\n")),
    must_fail=("test_gradients_integres_matches_reference",),
    message_contains=("votre carte a perdu l'axe des canaux",),
)
SCENARIOS["blind-r18-cascade-classes-of-the-stage"] = Scenario(
    grade_id="randomisation",
    source='def randomiser_couches(modele, noms, seed=0):\n    """Copie de modele dont les couches nommées dans `noms` sont réinitialisées par\n    reset_parameters() après torch.manual_seed(seed) ; modele lui-même ne change pas."""\n    copie = copy.deepcopy(modele)\n    torch.manual_seed(seed)\n    for nom in noms:\n        getattr(copie, nom).reset_parameters()\n    return copie\n\n\ndef correlations_cascade(modele, X, classes, noms, seed=0, methode=None):\n    """Tableau (len(noms),) : pour k = 1..len(noms), la moyenne sur les images de X de la\n    corrélation de Spearman entre methode(modele, x, c) et methode(modele_k, x, c), modele_k\n    = randomiser_couches(modele, noms[:k], seed) ; methode=None veut dire saillance."""\n    if methode is None:\n        methode = saillance\n    rhos = np.zeros(len(noms))\n    for k in range(len(noms)):\n        modele_k = randomiser_couches(modele, noms[: k + 1], seed)\n        correlations = []\n        for n in range(len(X)):\n            c = int(classes[k])\n            correlations.append(spearman(methode(modele, X[n], c), methode(modele_k, X[n], c)))\n        rhos[k] = np.mean(correlations)\n    return rhos\n',
    must_fail=("test_correlations_cascade_matches_grader",),
    message_contains=("vous prenez la classe de l'ÉTAPE de la cascade",),
)
GROUPS["blind-r18-1"] = ("blind-r18-saillance-abs-x", "blind-r18-cascade-classes-of-the-stage",
                         "blind-r18-ig-squeezed-result")
GROUPS["blind-r18-2"] = ("blind-r18-saillance-squeeze-drops-channels",)
GROUPS["blind-r18-3"] = ("blind-r18-gxe-squeezed-product",)
_R18_CORRECT = {
    "blind-r18-correct-spearman-torch-float32": Correct(
        grade_id="spearman",
        source='def spearman(a, b):\n    """Corrélation de rang de Spearman entre deux tableaux de même forme (aplatis), les\n    ex æquo recevant le rang moyen ; un float."""\n    def rangs(v):\n        v = torch.as_tensor(v).detach().reshape(-1).float()\n        _, groupe, tailles = torch.unique(v, return_inverse=True, return_counts=True)\n        fins = torch.cumsum(tailles, dim=0)\n        return (fins - (tailles - 1) / 2.0)[groupe]\n\n    r, s = rangs(a), rangs(b)\n    r, s = r - r.mean(), s - s.mean()\n    return float((r * s).sum() / torch.sqrt((r * r).sum() * (s * s).sum()))\n',
        why="the tester's: torch.unique ranks and Pearson in float32 (5.7e-9 off scipy on the "
            "public example, at most about 1.1e-7 on the hidden arrays)",
    ),
    "blind-r18-correct-spearman-torch-corrcoef-float32": Correct(
        grade_id="spearman",
        source='''def spearman(a, b):
    """Rangs moyens par comparaisons, puis torch.corrcoef, en float32."""
    def rangs(v):
        t = torch.as_tensor(np.asarray(v, dtype=np.float32)).reshape(-1)
        plus_petits = (t[None, :] < t[:, None]).sum(dim=1).float()
        egaux = (t[None, :] == t[:, None]).sum(dim=1).float()
        return plus_petits + (egaux + 1) / 2
    return float(torch.corrcoef(torch.stack([rangs(a), rangs(b)]))[0, 1])
''',
        why="float32 throughout, torch.corrcoef: up to 1.5e-7 off scipy on the hidden arrays",
    ),
    "blind-r18-correct-saillance-grad-outputs": Correct(
        grade_id="saillance",
        source='def gradient_logit(modele, x, c):\n    """Le gradient ∂y_c/∂x du logit de la classe c par rapport à l\'image x (C, H, W) : même forme que x."""\n    lot = x.detach().clone().unsqueeze(0).requires_grad_(True)   # (1, C, H, W)\n    logits = modele(lot)                                          # (1, K)\n    selection = torch.zeros_like(logits)\n    selection[0, c] = 1.0                                         # one-hot : on ne garde que y_c\n    (g,) = torch.autograd.grad(logits, lot, grad_outputs=selection)\n    return g[0]\n\n\ndef saillance(modele, x, c):\n    """Carte de saillance |∂y_c/∂x| : même forme que x."""\n    grad = gradient_logit(modele, x, c)\n    return grad.abs()\n\n\ndef gradient_x_entree(modele, x, c):\n    """Gradient × entrée x ⊙ ∂y_c/∂x (signé) : même forme que x."""\n    grad = gradient_logit(modele, x, c)\n    entree = torch.as_tensor(x).detach().to(grad.dtype)\n    return entree * grad\n',
        why="the tester's: grad_outputs one-hot on the batch, g[0] keeps the channel axis",
    ),
    "blind-r18-correct-saillance-jacobian": Correct(
        grade_id="saillance",
        source='from torch.autograd.functional import jacobian\n\n\ndef gradient_logit(modele, x, c):\n    """Le gradient ∂y_c/∂x du logit de la classe c par rapport à l\'image x (C, H, W) : même forme que x."""\n    # jacobienne complète des K logits par rapport à x : forme (K, C, H, W), on garde la ligne c\n    entree = x.detach().clone()\n    J = jacobian(lambda z: modele(z.unsqueeze(0))[0], entree)\n    return J[c]\n\n\ndef saillance(modele, x, c):\n    """Carte de saillance |∂y_c/∂x| : même forme que x."""\n    g = gradient_logit(modele, x, c)\n    return torch.abs(g)\n\n\ndef gradient_x_entree(modele, x, c):\n    """Gradient × entrée x ⊙ ∂y_c/∂x (signé) : même forme que x."""\n    g = gradient_logit(modele, x, c)\n    return torch.mul(x.detach(), g)\n',
        why="the tester's: the full Jacobian of the K logits, row c",
    ),
    "blind-r18-correct-saillance-squeeze-0": Correct(
        grade_id="saillance",
        source='''def gradient_logit(modele, x, c):
    """Le gradient sur un lot d'une image, dont seul l'axe du lot est enlevé."""
    lot = x.detach().clone().unsqueeze(0).requires_grad_(True)
    modele(lot)[0, c].backward()
    return lot.grad.squeeze(0)


def saillance(modele, x, c):
    return torch.abs(gradient_logit(modele, x, c))


def gradient_x_entree(modele, x, c):
    g = gradient_logit(modele, x, c)
    return g * x.detach()
''',
        why="squeeze(0) removes the batch axis only: C = 1 keeps its axis; x signed",
    ),
    "blind-r18-correct-randomisation-nested-loops": Correct(
        grade_id="randomisation",
        source='def randomiser_couches(modele, noms, seed=0):\n    """Copie de modele dont les couches nommées dans `noms` sont réinitialisées par\n    reset_parameters() après torch.manual_seed(seed) ; modele lui-même ne change pas."""\n    nouveau = copy.deepcopy(modele)\n    couches = dict(nouveau.named_children())\n    torch.manual_seed(seed)\n    for nom in noms:\n        couches[nom].reset_parameters()\n    return nouveau\n\n\ndef correlations_cascade(modele, X, classes, noms, seed=0, methode=None):\n    """Tableau (len(noms),) : pour k = 1..len(noms), la moyenne sur les images de X de la\n    corrélation de Spearman entre methode(modele, x, c) et methode(modele_k, x, c), modele_k\n    = randomiser_couches(modele, noms[:k], seed) ; methode=None veut dire saillance."""\n    if methode is None:\n        methode = saillance\n    n_images = len(X)\n    resultat = np.zeros(len(noms), dtype=np.float64)\n    for k in range(len(noms)):\n        modele_k = randomiser_couches(modele, noms[: k + 1], seed=seed)\n        total = 0.0\n        for n in range(n_images):\n            c_n = int(classes[n])\n            carte_avant = methode(modele, X[n], c_n)\n            carte_apres = methode(modele_k, X[n], c_n)\n            total += spearman(carte_apres, carte_avant)\n        resultat[k] = total / n_images\n        print(f"cascade {noms[: k + 1]} : rho moyen = {resultat[k]:.3f}")\n    return resultat\n',
        why="the tester's: nested loops over the stages and the images, classes[n]",
    ),
    "blind-r18-correct-ig-loop-over-points": Correct(
        grade_id="gradients_integres",
        source='def gradients_integres(modele, x, c, reference=None, m=50):\n    """Gradients intégrés de y_c en x (C, H, W) depuis `reference` (des zéros si None),\n    par la somme de Riemann à droite à m pas : même forme que x."""\n    x = x.detach()\n    if reference is None:\n        reference = torch.zeros_like(x)\n    else:\n        reference = torch.as_tensor(reference, dtype=x.dtype).detach()\n    cumul = torch.zeros_like(x)\n    for k in range(1, m + 1):\n        a = k / m\n        point = (1 - a) * reference + a * x       # x\' + a (x - x\')\n        cumul = cumul + gradient_logit(modele, point, c)\n    moyenne = cumul / m\n    attributions = (x - reference) * moyenne\n    return attributions\n',
        why="the tester's: one point at a time through gradient_logit, on a single-channel model too",
    ),
}
CORRECT.update(_R18_CORRECT)
CORRECT_GROUPS["blind-r18-correct-1"] = ("blind-r18-correct-spearman-torch-float32",
                                         "blind-r18-correct-saillance-grad-outputs",
                                         "blind-r18-correct-randomisation-nested-loops",
                                         "blind-r18-correct-ig-loop-over-points")
CORRECT_GROUPS["blind-r18-correct-2"] = ("blind-r18-correct-spearman-torch-corrcoef-float32",
                                         "blind-r18-correct-saillance-jacobian")
CORRECT_GROUPS["blind-r18-correct-3"] = ("blind-r18-correct-saillance-squeeze-0",)


# Blind round 20. (1) Raw PyTorch shape errors showed the grader's hidden sizes ("is invalid
# for input of size 160", "size of tensor a (5) must match … b (9)"): in a hidden check, the
# error's text now comes without its numbers (autograder.checks.sizes_hidden), the French cause
# and the error's kind kept. (2) A reshape to a hard-coded shape (x.reshape(1, 1, 8, 8)) is told
# "ne supposez pas C = 1, H = W = 8". (3) A map normalised (divided by its maximum, its sum, its
# norm) is told "ne normalisez pas" in saliency, gradient × input and Grad-CAM, from a premise
# (the map is the reference up to a positive factor and an offset) rather than one formula.
# (4) Spearman with ties by np.isclose was told "Pearson of the ranks" where no rounding
# happened to match: an answer right on the dense ranks of the arrays and wrong on the arrays
# is told it merges distinct close values. The tester's float32-before-ranking answer is a
# correct variant (the lead's policy: attribution maps are float32; float32 code is correct).
SCENARIOS["blind-r20-saillance-normalised-by-its-max"] = Scenario(
    grade_id="saillance",
    source=edit(_SAILLANCE, ("    return gradient_logit(modele, x, c).abs()\n",
                             "    s = gradient_logit(modele, x, c).abs()\n"
                             "    return s / (s.max() + 1e-12)\n")),
    must_fail=("test_saillance_linear_model", "test_saillance_matches_autograd"),
    message_contains=("ne normalisez pas",),
)
SCENARIOS["blind-r20-saillance-hard-coded-8x8"] = Scenario(
    grade_id="saillance",
    source=edit(_SAILLANCE, ("    y_c = modele(x.unsqueeze(0))[0, c]\n",
                             "    y_c = modele(x.reshape(1, 1, 8, 8))[0, c]\n")),
    must_fail=("test_saillance_linear_model", "test_saillance_matches_autograd",
               "test_gradient_x_entree_matches_autograd"),
    message_contains=("ne supposez pas C = 1, H = W = 8",),
)
SCENARIOS["blind-r20-gxe-min-max-scaled"] = Scenario(
    grade_id="saillance",
    source=edit(_SAILLANCE, ("    return x.detach() * gradient_logit(modele, x, c)\n",
                             "    m = x.detach() * gradient_logit(modele, x, c)\n"
                             "    return (m - m.min()) / (m.max() - m.min())\n")),
    must_fail=("test_saillance_linear_model", "test_gradient_x_entree_matches_autograd"),
    message_contains=("ne normalisez pas la carte",),
)
SCENARIOS["blind-r20-grad-cam-mean-over-the-wrong-axes"] = Scenario(
    grade_id="grad_cam",
    source=edit(_GRAD_CAM, ("alpha = g[0].mean(dim=(1, 2))", "alpha = g.mean(dim=(1, 2))")),
    must_fail=("test_grad_cam_linear_model", "test_grad_cam_matches_reference"),
    message_contains=("sur les deux axes spatiaux (h, w)", "non-singleton dimension n"),
)
SCENARIOS["blind-r20-grad-cam-divided-by-its-norm"] = Scenario(
    grade_id="grad_cam",
    source=edit(_GRAD_CAM, ("    return torch.relu((alpha.reshape(-1, 1, 1) * A[0]).sum(dim=0)).detach()\n",
                            "    cam = torch.relu((alpha.reshape(-1, 1, 1) * A[0]).sum(dim=0)).detach()\n"
                            "    return cam / cam.norm()\n")),
    must_fail=("test_grad_cam_linear_model", "test_grad_cam_matches_reference"),
    message_contains=("ne normalisez pas la carte",),
)
SCENARIOS["blind-r20-spearman-isclose-ties"] = Scenario(
    grade_id="spearman",
    source='''def spearman(a, b):
    """Les valeurs à np.isclose l'une de l'autre sont ex æquo (comparaison « sûre » en flottants)."""
    def rangs(v):
        n = len(v)
        ordre = np.argsort(v, kind="stable")
        r = np.empty(n)
        i = 0
        while i < n:
            j = i
            while j + 1 < n and np.isclose(v[ordre[j + 1]], v[ordre[i]]):
                j += 1
            r[ordre[i:j + 1]] = (i + j) / 2 + 1
            i = j + 1
        return r

    r = rangs(np.asarray(a, dtype=float).ravel())
    s = rangs(np.asarray(b, dtype=float).ravel())
    r, s = r - r.mean(), s - s.mean()
    return float((r * s).sum() / np.sqrt((r * r).sum() * (s * s).sum()))
''',
    must_fail=("test_spearman_matches_scipy",),
    message_contains=("np.isclose", "faux ex æquo"),
)
SCENARIOS["blind-r20-spearman-absolute-epsilon-ties"] = Scenario(
    grade_id="spearman",
    source='''def spearman(a, b):
    """Deux valeurs à moins de 1e-9 l'une de l'autre sont ex æquo (le bruit des flottants)."""
    def rangs(v):
        ordre = np.argsort(v, kind="stable")
        groupes = np.concatenate([[0], np.cumsum(np.diff(v[ordre]) > 1e-9)])
        moyennes = np.bincount(groupes, weights=np.arange(1.0, len(v) + 1)) / np.bincount(groupes)
        r = np.empty(len(v))
        r[ordre] = moyennes[groupes]
        return r

    r = rangs(np.asarray(a, dtype=float).ravel())
    s = rangs(np.asarray(b, dtype=float).ravel())
    return float(np.corrcoef(r, s)[0, 1])
''',
    must_fail=("test_spearman_matches_scipy",),
    message_contains=("faux ex æquo",),
)
GROUPS["blind-r20-a"] = ("blind-r20-saillance-normalised-by-its-max",
                         "blind-r20-grad-cam-mean-over-the-wrong-axes",
                         "blind-r20-spearman-isclose-ties")
GROUPS["blind-r20-b"] = ("blind-r20-saillance-hard-coded-8x8",
                         "blind-r20-grad-cam-divided-by-its-norm",
                         "blind-r20-spearman-absolute-epsilon-ties")
GROUPS["blind-r20-c"] = ("blind-r20-gxe-min-max-scaled",)
CORRECT["correct-r20-spearman-float32-before-ranking"] = Correct(
    grade_id="spearman",
    source='''def spearman(a, b):
    """Rangs moyens par torch.unique sur les valeurs converties en float32, puis Pearson."""
    def rangs(v):
        valeurs, groupe, tailles = torch.unique(v, return_inverse=True, return_counts=True)
        fins = torch.cumsum(tailles, 0).double()
        return (fins - (tailles.double() - 1) / 2)[groupe]

    ta = torch.as_tensor(np.asarray(a)).float().reshape(-1)
    tb = torch.as_tensor(np.asarray(b)).float().reshape(-1)
    r, s = rangs(ta), rangs(tb)
    r, s = r - r.mean(), s - s.mean()
    return float((r * s).sum() / torch.sqrt((r * r).sum() * (s * s).sum()))
''',
    why="the tester's 41: values in float32 before ranking; the lead's policy: attribution maps "
        "are float32 and float32 code is correct in this TP (values that only float64 tells "
        "apart are not asked for)",
)
CORRECT_GROUPS["correct-r20-a"] = ("correct-r20-spearman-float32-before-ranking",)


# ---------------------------------------------------------------- blind round 22
# Two boundary cases the statement allows, now drawn at every variant: a Grad-CAM image 2 or 3
# pixels high or wide (feature maps with h = 1 or w = 1: a squeeze() loses that axis), and an
# occlusion window wider than the image's short side (no position: a torch.stack of the empty
# list of occluded images crashes, the statement gives a map of zeros). Hints: α_k divided by
# w² (square maps assumed) was told "do not normalise"; ranks of |a| were told "merges close
# values"; "does not require grad" errors were shown in English only.
_R22_GRAD_CAM = solution_cell(__file__, "grad_cam")
SCENARIOS["blind-r22-grad-cam-squeezed-map"] = Scenario(
    grade_id="grad_cam",
    source=edit(_R22_GRAD_CAM,
                ("    alpha = g[0].mean(dim=(1, 2))\n"
                 "    return torch.relu((alpha.reshape(-1, 1, 1) * A[0]).sum(dim=0)).detach()",
                 "    alpha = g.mean(dim=(2, 3), keepdim=True)\n"
                 "    cam = torch.relu((alpha * A).sum(dim=1))  # (1, h, w)\n"
                 "    return cam.squeeze().detach()")),
    must_fail=("test_grad_cam_matches_reference",),
    message_contains=("un axe spatial de taille 1", "squeeze() enlève TOUS les axes"),
)
SCENARIOS["blind-r22-grad-cam-square-area"] = Scenario(
    grade_id="grad_cam",
    source=edit(_R22_GRAD_CAM,
                ("    alpha = g[0].mean(dim=(1, 2))\n",
                 "    taille = A.shape[-1]\n"
                 "    alpha = g[0].sum(dim=(1, 2)) / (taille * taille)\n")),
    must_fail=("test_grad_cam_linear_model", "test_grad_cam_matches_reference"),
    message_contains=("pas par w² ni h²",),
)
SCENARIOS["blind-r22-grad-cam-detached-A"] = Scenario(
    grade_id="grad_cam",
    source=edit(_R22_GRAD_CAM,
                ("    A = modele.caracteristiques(x.detach().unsqueeze(0))\n",
                 "    A = modele.caracteristiques(x.unsqueeze(0)).detach()\n")),
    must_fail=("test_grad_cam_linear_model", "test_grad_cam_matches_reference"),
    message_contains=("ne demandent pas de gradient", "elles ont été détachées du graphe"),
)
SCENARIOS["blind-r22-occlusion-stack-no-window"] = Scenario(
    grade_id="occlusion",
    source='''def carte_occlusion(modele, x, c, fenetre=2, pas=1, valeur=0.0):
    """Carte (H, W) : les images occultées empilées par torch.stack."""
    x = x.detach()
    _, H, W = x.shape
    images, positions = [], []
    for i in range(0, H - fenetre + 1, pas):
        for j in range(0, W - fenetre + 1, pas):
            xo = x.clone()
            xo[:, i:i + fenetre, j:j + fenetre] = valeur
            images.append(xo)
            positions.append((i, j))
    with torch.no_grad():
        base = modele(x.unsqueeze(0))[0, c].item()
        scores = modele(torch.stack(images))[:, c]
    somme = torch.zeros(H, W)
    compte = torch.zeros(H, W)
    for (i, j), s in zip(positions, scores):
        somme[i:i + fenetre, j:j + fenetre] += base - s
        compte[i:i + fenetre, j:j + fenetre] += 1
    return torch.where(compte > 0, somme / compte.clamp(min=1), torch.zeros_like(somme))
''',
    must_fail=("test_occlusion_matches_reference",),
    message_contains=("liste d'images occultées est vide", "aucune position"),
)
_R22_SAILLANCE = solution_cell(__file__, "saillance")
SCENARIOS["blind-r22-saillance-score-under-no-grad"] = Scenario(
    grade_id="saillance",
    source=edit(_R22_SAILLANCE,
                ("    y_c = modele(x.unsqueeze(0))[0, c]\n",
                 "    with torch.no_grad():  # « pas besoin du graphe pour le score »\n"
                 "        y_c = modele(x.unsqueeze(0))[0, c]\n")),
    must_fail=("test_saillance_linear_model", "test_saillance_matches_autograd",
               "test_gradient_x_entree_matches_autograd"),
    message_contains=("calculé sans graphe de calcul",),
)
SCENARIOS["blind-r22-saillance-grad-wrt-the-argument"] = Scenario(
    grade_id="saillance",
    source=edit(_R22_SAILLANCE,
                ("    x = x.detach().clone().requires_grad_(True)\n", "")),
    must_fail=("test_saillance_linear_model", "test_saillance_matches_autograd",
               "test_gradient_x_entree_matches_autograd"),
    message_contains=("ne demande pas de gradient (x lui-même",),
)
SCENARIOS["blind-r22-spearman-absolute-values"] = Scenario(
    grade_id="spearman",
    source=edit(solution_cell(__file__, "spearman"),
                ("    r = rangs(np.asarray(a, dtype=float).reshape(-1))\n"
                 "    s = rangs(np.asarray(b, dtype=float).reshape(-1))\n",
                 "    r = rangs(np.abs(np.asarray(a, dtype=float).reshape(-1)))\n"
                 "    s = rangs(np.abs(np.asarray(b, dtype=float).reshape(-1)))\n")),
    must_fail=("test_spearman_matches_scipy",),
    message_contains=("sans valeur absolue",),
)
GROUPS["blind-r22-a"] = ("blind-r22-grad-cam-squeezed-map", "blind-r22-occlusion-stack-no-window",
                         "blind-r22-saillance-score-under-no-grad",
                         "blind-r22-spearman-absolute-values")
GROUPS["blind-r22-b"] = ("blind-r22-grad-cam-square-area", "blind-r22-saillance-grad-wrt-the-argument")
GROUPS["blind-r22-c"] = ("blind-r22-grad-cam-detached-A",)
CORRECT["correct-r22-occlusion-stack-guarded"] = Correct(
    grade_id="occlusion",
    source=edit(SCENARIOS["blind-r22-occlusion-stack-no-window"].source,
                ("        scores = modele(torch.stack(images))[:, c]\n",
                 "        scores = modele(torch.stack(images))[:, c] if images else []\n")),
    why="the tester's 25 with the empty list of windows handled: torch.where of the count, "
        "a map of zeros when no window fits",
)
CORRECT["correct-r22-grad-cam-keepdim-squeeze-batch"] = Correct(
    grade_id="grad_cam",
    source=edit(SCENARIOS["blind-r22-grad-cam-squeezed-map"].source,
                ("    return cam.squeeze().detach()", "    return cam.squeeze(0).detach()")),
    why="the tester's 23 with only the batch axis removed (squeeze(0)): (h, w) kept when h or w is 1",
)
CORRECT_GROUPS["correct-r22-a"] = ("correct-r22-occlusion-stack-guarded",
                                   "correct-r22-grad-cam-keepdim-squeeze-batch")
