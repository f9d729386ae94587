"""Realistic wrong answers for TP09, as data: each replaces one answer cell of the solution.

`must_fail` names the checks that must lose points (failed, or partial credit);
every other check of the same item must keep its points, so each scenario shows exactly
which check catches the mistake. `message_contains` are substrings that must appear in
the French message of at least one of those checks: the hint that names the fault.
`affects` lists other items that may lose points as a consequence (none: entrainer_rotation
is graded with the grader's construire_rotations, and affiner fine-tunes an encoder the
grader's own loop pre-trained, so a bug costs points once, in its own item).

A wrong answer is written as its change to the solution (`_solution`, `_cell`) or to a
correct answer of the same author, so that the fault is the edit.
"""

from __future__ import annotations

from functools import partial

from autograder.prove import Correct, Scenario, edit, solution_cell, solution_with_docs

_solution = partial(solution_with_docs, __file__)


def _cell(grade_id: str) -> str:
    """The solution's cell `grade_id` without its final newline (how issue 12's scenarios took it)."""
    return solution_cell(__file__, grade_id)[:-1]


def _rotations(*changes: tuple[str, str]) -> str:
    """construire_rotations of the solution, briefly documented, with `changes`."""
    return edit(_solution("rotations", "Les 4 rotations de chaque image carrée de X et leurs étiquettes."), *changes)


def _pretexte(*changes: tuple[str, str]) -> str:
    """entrainer_rotation of the solution, briefly documented, with `changes`."""
    return edit(_solution("pretexte_rotation", "Pré-entraînement par rotation."), *changes)


def _masquage(doc_masquer: str, doc_perte: str, *changes: tuple[str, str]) -> str:
    """masquer_patchs and perte_masquee of the solution, documented by the answer, with `changes`."""
    return edit(_solution("masquage", doc_masquer, doc_perte), *changes)


_MASQUER_DOC, _PERTE_DOC = "Le masquage de la solution.", "La perte de la solution."


def _nt_xent(doc: str, *changes: tuple[str, str]) -> str:
    """The solution's nt_xent documented by `doc`, on the CPU only (no `device=`), then `changes`."""
    return edit(_solution("nt_xent", doc), (", device=z.device", ""), (".to(z.device)", ""), *changes)


_NT_XENT_ALL = ("test_nt_xent_exemple", "test_nt_xent_valeurs", "test_nt_xent_gradients")
_MASKED_FILL = '    sim = sim.masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))\n'

_EFFONDREMENT_ALL = (
    "test_effondrement_exemple",
    "test_mesure_effondrement_reference",
    "test_detecteur_effondrement",
)

SCENARIOS: dict[str, Scenario] = {
    # ------------------------------------------------------------ rotations
    "submission-rotations-clockwise": Scenario(
        grade_id="rotations",
        source=_rotations(("np.rot90(X, k, axes=(1, 2))", "np.rot90(X, -k, axes=(1, 2))")),
        must_fail=("test_construire_rotations_exemple", "test_construire_rotations_coherentes"),
        message_contains=("étiquettes 1 et 3 sont échangées", "sens horaire"),
    ),
    "submission-rotations-batch-axes-forgotten": Scenario(
        grade_id="rotations",
        source=_rotations(
            ("np.stack([np.rot90(X, k, axes=(1, 2)) for k in range(4)], axis=1)",
             "np.concatenate([np.rot90(X, k) for k in range(4)])"),
            ("np.tile(np.arange(4), len(X))", "np.repeat(np.arange(4), len(X))"),
            ("return X_rot.reshape(-1, *X.shape[1:]).copy(), y_rot", "return X_rot, y_rot"),
        ),
        must_fail=("test_construire_rotations_exemple", "test_construire_rotations_coherentes"),
        message_contains=("axes=(1, 2)",),
    ),
    # ------------------------------------------------------------ rotation pre-training
    "submission-rotation-optimiser-misses-encoder": Scenario(
        grade_id="pretexte_rotation",
        source=_pretexte(("Adam(list(encodeur.parameters()) + list(tete.parameters())", "Adam(tete.parameters()")),
        must_fail=(
            "test_entrainer_rotation_format",
            "test_rotation_pretexte_apprise",
            "test_sonde_lineaire_bat_encodeur_aleatoire",
        ),
        message_contains=("paramètres de l'encodeur n'ont pas",),
    ),
    # ------------------------------------------------------------ masking
    "submission-masquage-bernoulli-per-patch": Scenario(
        grade_id="masquage",
        source=_masquage(
            "Chaque patch est masqué indépendamment avec la probabilité ratio.",
            _PERTE_DOC,
            ("    P = lignes * colonnes\n    n_masques = int(round(ratio * P))\n", ""),
            (
                "    choix = np.argsort(rng.random((N, P)), axis=1)[:, :n_masques]\n"
                "    masque = np.zeros((N, P), dtype=bool)\n"
                "    np.put_along_axis(masque, choix, True, axis=1)\n"
                "    masque = masque.reshape(N, lignes, colonnes)\n",
                "    masque = rng.random((N, lignes, colonnes)) < ratio\n",
            ),
        ),
        must_fail=("test_masquage_exemple", "test_masquer_patchs_statistiques"),
        message_contains=("varie d'une image à l'autre",),
    ),
    "submission-masquage-one-mask-for-the-batch": Scenario(
        grade_id="masquage",
        source=_masquage(
            "Un seul tirage de patchs, appliqué à toutes les images du lot.",
            _PERTE_DOC,
            ("    n_masques = int(round(ratio * P))\n", ""),
            ("np.argsort(rng.random((N, P)), axis=1)[:, :n_masques]", "rng.permutation(P)[: int(round(ratio * P))]"),
            ("np.put_along_axis(masque, choix, True, axis=1)", "masque[:, choix] = True"),
        ),
        must_fail=("test_masquage_exemple", "test_masquer_patchs_statistiques"),
        message_contains=("le même masque",),
    ),
    "submission-perte-masquee-on-every-pixel": Scenario(
        grade_id="masquage",
        source=_masquage(
            _MASQUER_DOC,
            "MSE sur toute l'image, comme un autoencodeur ordinaire.",
            ("    m = torch.as_tensor(np.asarray(masque, dtype=bool))\n"
             "    m = m.repeat_interleave(taille, dim=1).repeat_interleave(taille, dim=2)\n", ""),
            ("((X_rec - X) ** 2)[m].mean()", "((X_rec - X) ** 2).mean()"),
        ),
        must_fail=("test_masquage_exemple", "test_perte_masquee_reference"),
        message_contains=("la perte porte sur tous les pixels",),
    ),
    # ------------------------------------------------------------ NT-Xent
    "submission-nt-xent-self-similarity-in-denominator": Scenario(
        grade_id="nt_xent",
        source=_nt_xent("Oublie d'exclure s_ii du dénominateur.", (_MASKED_FILL, "")),
        must_fail=_NT_XENT_ALL,
        message_contains=("avec lui-même",),
    ),
    "submission-nt-xent-no-l2-normalisation": Scenario(
        grade_id="nt_xent",
        source=_nt_xent(
            "Produits scalaires bruts au lieu de similarités cosinus.",
            ("F.normalize(torch.cat([z1, z2], dim=0), dim=1)", "torch.cat([z1, z2], dim=0)"),
        ),
        must_fail=_NT_XENT_ALL,
        message_contains=("ne sont pas normalisées",),
    ),
    "submission-nt-xent-temperature-twice": Scenario(
        grade_id="nt_xent",
        source=_nt_xent(
            "Divise par la température dans la similarité, puis encore une fois dans les logits.",
            (_MASKED_FILL,
             '    logits = sim.masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf")) / temperature\n'),
            ("F.cross_entropy(sim, cibles)", "F.cross_entropy(logits, cibles)"),
        ),
        must_fail=_NT_XENT_ALL,
        message_contains=("appliquée deux fois",),
    ),
    # ------------------------------------------------------------ alignment and uniformity
    "submission-uniformite-counts-self-pairs": Scenario(
        grade_id="alignement_uniformite",
        source=edit(
            _solution(
                "alignement_uniformite",
                "L'alignement de la solution.",
                "Moyenne sur toute la matrice des distances, diagonale comprise.",
            ),
            ("torch.pdist(a, p=2)", "torch.cdist(a, a)"),
        ),
        must_fail=("test_alignement_uniformite_exemple", "test_alignement_uniformite_valeurs"),
        message_contains=("paires (i, i)",),
    ),
    "submission-alignement-not-normalised": Scenario(
        grade_id="alignement_uniformite",
        source=edit(
            _solution("alignement_uniformite", "Distances entre les sorties brutes.", "L'uniformité de la solution."),
            ("    a = F.normalize(torch.as_tensor(z1), dim=1)\n    b = F.normalize(torch.as_tensor(z2), dim=1)\n",
             "    a, b = torch.as_tensor(z1), torch.as_tensor(z2)\n"),
        ),
        must_fail=("test_alignement_uniformite_exemple", "test_alignement_uniformite_valeurs"),
        message_contains=("alignement : les lignes ne sont pas normalisées",),
    ),
    # ------------------------------------------------------------ collapse
    "submission-effondrement-std-over-features": Scenario(
        grade_id="effondrement",
        source=edit(
            _solution(
                "effondrement",
                "Écart-type de chaque représentation sur ses dimensions (axe 1) au lieu du lot.",
                "Le détecteur de la solution.",
            ),
            ("Z_norm.std(dim=0,", "Z_norm.std(dim=1,"),
        ),
        must_fail=_EFFONDREMENT_ALL,
        message_contains=("SUR LE LOT",),
    ),
    "submission-effondrement-not-normalised": Scenario(
        grade_id="effondrement",
        source=edit(
            _solution(
                "effondrement",
                "Écart-type des sorties brutes, sans normaliser les lignes.",
                "Le détecteur de la solution.",
            ),
            ("    Z_norm = F.normalize(Z, dim=1)\n", ""),
            ("Z_norm.std(", "Z.std("),
        ),
        must_fail=_EFFONDREMENT_ALL,
        message_contains=("les lignes ne sont pas normalisées",),
    ),
    # ------------------------------------------------------------ few labels
    "submission-affiner-builds-a-new-encoder": Scenario(
        grade_id="peu_etiquettes",
        source=edit(
            _solution("peu_etiquettes", "Construit un encodeur neuf au lieu d'affiner celui reçu."),
            ("nn.Sequential(encodeur,", "nn.Sequential(Encodeur(),"),
        ),
        # A stand-in encoder passed to affiner is never called: its own check says so.
        must_fail=(
            "test_affiner_format",
            "test_affiner_depuis_zero_apprend",
            "test_preentrainement_bat_depuis_zero",
        ),
        message_contains=("encodeur reçu",),
    ),
}

# Scenarios graded together in one notebook: within a group they touch different items
# whose checks are independent (the grader computes every reference itself), and no
# scenario affects an item replaced by another one of its group.
GROUPS: dict[str, tuple[str, ...]] = {
    "mistakes-1": (
        "submission-rotations-clockwise",
        "submission-masquage-bernoulli-per-patch",
        "submission-nt-xent-self-similarity-in-denominator",
        "submission-uniformite-counts-self-pairs",
        "submission-effondrement-std-over-features",
        "submission-affiner-builds-a-new-encoder",
    ),
    "mistakes-2": (
        "submission-rotation-optimiser-misses-encoder",
        "submission-masquage-one-mask-for-the-batch",
        "submission-nt-xent-no-l2-normalisation",
        "submission-alignement-not-normalised",
        "submission-effondrement-not-normalised",
    ),
    "mistakes-3": (
        "submission-rotations-batch-axes-forgotten",
        "submission-perte-masquee-on-every-pixel",
        "submission-nt-xent-temperature-twice",
    ),
}

# ---------------------------------------------------------------- correct variants near a tolerance
# Correct code that a too-tight tolerance used to fail (issue 12, item 5). Merged into
# CORRECT/CORRECT_GROUPS, which other variants of this file may define above.
_TOLERANCE_VARIANTS = {
    "correct-nt-xent-float32": Correct(
        grade_id="nt_xent",
        source=edit(
            _solution("nt_xent", "Calculée en float32 (comme sur GPU), rendue dans le type des entrées."),
            ("torch.cat([z1, z2], dim=0), dim=1)", "torch.cat([z1, z2], dim=0).float(), dim=1)"),
            ("F.cross_entropy(sim, cibles)", "F.cross_entropy(sim, cibles).to(z1.dtype)"),
        ),
        why="float32 inside: the value passes at float64 tolerance, the gradient has float32 precision",
    ),
}
CORRECT = {**globals().get("CORRECT", {}), **_TOLERANCE_VARIANTS}
CORRECT_GROUPS = {
    **globals().get("CORRECT_GROUPS", {}),
    "correct-tolerances": tuple(_TOLERANCE_VARIANTS),
}

# ---------------------------------------------------------------- issue 12: mechanisms and rules
# Wrong answers that kept their points before a stand-in encoder recorded the training loops
# and a kernel-side copy of X showed it modified in place.
_MORE_SCENARIOS = {
    "submission-rotation-shuffles-once": Scenario(
        grade_id="pretexte_rotation",
        source=_pretexte(
            ("    for _ in range(epochs):\n        ordre = torch.randperm(len(X_rot), generator=g)\n",
             "    ordre = torch.randperm(len(X_rot), generator=g)  # mélangé une fois pour toutes\n"
             "    for _ in range(epochs):\n"),
        ),
        must_fail=("test_rotation_pretexte_apprise",),
        message_contains=("même ordre à chaque époque",),
    ),
    "submission-affiner-mini-batches": Scenario(
        grade_id="peu_etiquettes",
        source=edit(
            _solution("peu_etiquettes", "Mini-lots de 32 au lieu du lot complet."),
            ("        perte = F.cross_entropy(modele(X), y)\n",
             "        for debut in range(0, len(X), 32):\n"
             "            perte = F.cross_entropy(modele(X[debut : debut + 32]), y[debut : debut + 32])\n"),
            ("        optimiseur.zero_grad()\n        perte.backward()\n        optimiseur.step()\n",
             "            optimiseur.zero_grad()\n            perte.backward()\n            optimiseur.step()\n"),
        ),
        must_fail=("test_affiner_depuis_zero_apprend",),
        message_contains=("lot complet",),
    ),
    "submission-masquage-zeroes-x-in-place": Scenario(
        grade_id="masquage",
        source=_masquage(
            _MASQUER_DOC,
            _PERTE_DOC,
            ("    return np.where(pixels, np.float32(0.0), X), masque\n", "    X[pixels] = 0.0\n    return X, masque\n"),
        ),
        must_fail=("test_masquer_patchs_statistiques",),
        message_contains=("modifie le tableau X",),
    ),
}
SCENARIOS = {**SCENARIOS, **_MORE_SCENARIOS}
GROUPS = {**GROUPS, "mechanisms-1": tuple(_MORE_SCENARIOS)}

_ALTERNATIVES = {
    "correct-rotations-loops": Correct(
        grade_id="rotations",
        source='''def construire_rotations(X):
    """Deux boucles, des listes."""
    images, etiquettes = [], []
    for x in np.asarray(X):
        for k in range(4):
            images.append(np.rot90(x, k))
            etiquettes.append(k)
    return np.array(images, dtype=np.float32), np.array(etiquettes)
''',
        why="loops and lists instead of np.stack/np.tile",
    ),
    "correct-rotation-dataloader": Correct(
        grade_id="pretexte_rotation",
        source='''from torch.utils.data import DataLoader, TensorDataset


def entrainer_rotation(encodeur, X, epochs=12, lr=3e-3, batch_size=256, seed=0):
    """DataLoader(shuffle=True) avec un générateur graine seed, une tête linéaire."""
    torch.manual_seed(seed)
    g = torch.Generator()
    g.manual_seed(seed)
    X_rot, y_rot = construire_rotations(X)
    donnees = TensorDataset(torch.tensor(X_rot), torch.tensor(y_rot).long())
    chargeur = DataLoader(donnees, batch_size=batch_size, shuffle=True, generator=g)
    tete = nn.Linear(encodeur.dim, 4)
    opt = torch.optim.Adam([*encodeur.parameters(), *tete.parameters()], lr=lr)
    for epoque in range(epochs):
        for xb, yb in chargeur:
            opt.zero_grad()
            F.cross_entropy(tete(encodeur(xb)), yb).backward()
            opt.step()
    return encodeur, tete
''',
        why="a DataLoader with a seeded generator, a linear head",
    ),
    "correct-masquage-per-image-choice": Correct(
        grade_id="masquage",
        source='''def masquer_patchs(X, ratio=0.5, taille=2, seed=0):
    """rng.choice sans remise image par image, sur une copie."""
    X_masque = np.array(X, dtype=np.float32, copy=True)
    N, H, W = X_masque.shape
    lignes, colonnes = H // taille, W // taille
    n_masques = round(ratio * lignes * colonnes)
    rng = np.random.default_rng(seed)
    masque = np.zeros((N, lignes, colonnes), dtype=bool)
    for i in range(N):
        for p in rng.choice(lignes * colonnes, size=n_masques, replace=False):
            r, c = divmod(int(p), colonnes)
            masque[i, r, c] = True
            X_masque[i, r * taille : (r + 1) * taille, c * taille : (c + 1) * taille] = 0.0
    return X_masque, masque


def perte_masquee(X, X_rec, masque, taille=2):
    """Somme sur les pixels masqués divisée par leur nombre."""
    m = torch.as_tensor(np.kron(np.asarray(masque), np.ones((1, taille, taille))) > 0)
    return ((X_rec - X) ** 2 * m).sum() / m.sum()
''',
        why="rng.choice per image on a copy, np.kron, sum / count",
    ),
    "correct-nt-xent-cosine-logsumexp": Correct(
        grade_id="nt_xent",
        source='''def nt_xent(z1, z2, temperature=0.5):
    """Similarités cosinus par F.cosine_similarity, log-somme-exp écrite à la main."""
    z = torch.cat([z1, z2])
    n = len(z1)
    sim = F.cosine_similarity(z[:, None, :], z[None, :, :], dim=-1) / temperature
    diag = torch.eye(2 * n, dtype=torch.bool)
    sim = sim.masked_fill(diag, -1e9)
    positifs = torch.cat([torch.diagonal(sim, n), torch.diagonal(sim, -n)])
    return (torch.logsumexp(sim, dim=1) - positifs).mean()
''',
        why="cosine_similarity broadcast, -1e9 on the diagonal, logsumexp by hand",
    ),
    "correct-alignement-uniformite-cdist": Correct(
        grade_id="alignement_uniformite",
        source='''def alignement(z1, z2, alpha=2):
    """Normalisation à la main."""
    a = z1 / z1.norm(dim=1, keepdim=True)
    b = z2 / z2.norm(dim=1, keepdim=True)
    return torch.linalg.vector_norm(a - b, dim=1).pow(alpha).mean()


def uniformite(z, t=2):
    """Distances par torch.cdist, paires i < j par triu_indices."""
    a = z / z.norm(dim=1, keepdim=True)
    i, j = torch.triu_indices(len(a), len(a), offset=1)
    d2 = ((a[i] - a[j]) ** 2).sum(dim=1)
    return torch.log(torch.exp(-t * d2).mean())
''',
        why="normalisation by hand, explicit i < j pairs",
    ),
    "correct-effondrement-numpy": Correct(
        grade_id="effondrement",
        source='''def mesure_effondrement(Z):
    """En NumPy."""
    Z = np.asarray(Z, dtype=np.float64)
    normes = np.linalg.norm(Z, axis=1, keepdims=True)
    Zn = Z / np.where(normes > 0, normes, 1.0)  # a zero row (dead ReLU) stays zero
    return np.sqrt(Z.shape[1]) * Zn.std(axis=0).mean()


def detecter_effondrement(encodeur, X, seuil=0.1):
    """Sorties calculées sans gradient, converties en NumPy."""
    with torch.no_grad():
        sorties = encodeur(torch.tensor(np.asarray(X), dtype=torch.float32)).numpy()
    return mesure_effondrement(sorties) < seuil
''',
        why="NumPy, numpy bool and float",
    ),
    "correct-affiner-custom-module": Correct(
        grade_id="peu_etiquettes",
        source='''class Classifieur(nn.Module):
    def __init__(self, encodeur, n_classes):
        super().__init__()
        self.encodeur = encodeur
        self.tete = nn.Linear(encodeur.dim, n_classes)

    def forward(self, x):
        return self.tete(self.encodeur(x))


def affiner(encodeur, X, y, n_classes, epochs=100, lr=1e-2, seed=0):
    """Une classe au lieu de nn.Sequential, zero_grad en tête de boucle."""
    torch.manual_seed(seed)
    modele = Classifieur(encodeur, n_classes)
    X = torch.tensor(np.asarray(X), dtype=torch.float32)
    y = torch.tensor(np.asarray(y)).long()
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    for epoque in range(epochs):
        opt.zero_grad()
        perte = F.cross_entropy(modele(X), y)
        perte.backward()
        opt.step()
    return modele
''',
        why="a custom nn.Module instead of nn.Sequential",
    ),
}
CORRECT = {**CORRECT, **_ALTERNATIVES}
CORRECT_GROUPS = {
    **CORRECT_GROUPS,
    "correct-alternatives-1": (
        "correct-rotations-loops",
        "correct-masquage-per-image-choice",
        "correct-nt-xent-cosine-logsumexp",
        "correct-effondrement-numpy",
    ),
    "correct-alternatives-2": (
        "correct-rotation-dataloader",
        "correct-alignement-uniformite-cdist",
        "correct-affiner-custom-module",
    ),
}

# ---------------------------------------------------------------- issue 12: mutation survivors

_MUTANT_SCENARIOS = {
    "submission-entrainer-rotation-head-from-global-state": Scenario(
        grade_id="pretexte_rotation",
        source=edit(_cell("pretexte_rotation"), ("    torch.manual_seed(seed)\n", "")),
        must_fail=("test_rotation_pretexte_apprise",),
        message_contains=("avant de créer la tête",),
    ),
    "submission-affiner-head-built-before-seeding": Scenario(
        grade_id="peu_etiquettes",
        source=edit(
            _cell("peu_etiquettes"),
            ("    torch.manual_seed(seed)\n", ""),
            ("n_classes))\n", "n_classes))\n    torch.manual_seed(seed)\n"),
        ),
        must_fail=("test_affiner_depuis_zero_apprend",),
        message_contains=("avant de créer la couche linéaire",),
    ),
    "submission-perte-masquee-default-patch-of-one-pixel": Scenario(
        grade_id="masquage",
        source=edit(_cell("masquage"), ("def perte_masquee(X, X_rec, masque, taille=2):", "def perte_masquee(X, X_rec, masque, taille=1):")),
        must_fail=("test_masquage_exemple", "test_perte_masquee_reference"),
    ),
}
SCENARIOS = {**SCENARIOS, **_MUTANT_SCENARIOS}
GROUPS = {
    **GROUPS,
    "mutants-1": (
        "submission-entrainer-rotation-head-from-global-state",
        "submission-affiner-head-built-before-seeding",
    ),
    "mutants-2": ("submission-perte-masquee-default-patch-of-one-pixel",),
}

# ---------------------------------------------------------------- issue 12: blind answers (fid-c)
# Written by someone who had not read the checks or these scenarios. No wrong answer kept its
# points here; one hint blamed the batching for an encoder that was never called.
# The wrong answer is one change to the same author's correct answer (below).
_BLIND_PRETEXTE = 'def entrainer_rotation(encodeur, X, epochs=12, lr=3e-3, batch_size=256, seed=0):\n    torch.manual_seed(seed)\n    g = torch.Generator().manual_seed(seed)\n    Xr, yr = construire_rotations(X)\n    Xr = torch.tensor(Xr, dtype=torch.float32)\n    yr = torch.tensor(yr, dtype=torch.long)\n    tete = nn.Sequential(nn.Linear(encodeur.dim, 64), nn.ReLU(), nn.Linear(64, 4))\n    opt = torch.optim.Adam(list(encodeur.parameters()) + list(tete.parameters()), lr=lr)\n    for epoque in range(epochs):\n        ordre = torch.randperm(len(Xr), generator=g)\n        for i in range(0, len(Xr), batch_size):\n            b = ordre[i:i + batch_size]\n            perte = F.cross_entropy(tete(encodeur(Xr[b])), yr[b])\n            opt.zero_grad(set_to_none=True)\n            perte.backward()\n            opt.step()\n    return encodeur, tete\n'
SCENARIOS['blind-pretexte_rotation-trains-a-new-encoder'] = Scenario(
    grade_id="pretexte_rotation",
    source=edit(_BLIND_PRETEXTE, ("    Xr, yr = construire_rotations(X)\n",
                                  "    encodeur = Encodeur(encodeur.dim)\n    Xr, yr = construire_rotations(X)\n")),
    must_fail=("test_rotation_pretexte_apprise",),
    message_contains=("n'appelle jamais l'encodeur",),
    may_fail=("test_sonde_lineaire_bat_encodeur_aleatoire",),
)
CORRECT['blind-correct-rotations-loop-over-k'] = Correct(
    grade_id='rotations',
    source='def construire_rotations(X):\n    X = np.asarray(X)\n    xs, ys = [], []\n    for k in range(4):\n        xs.append(np.rot90(X, k, axes=(1, 2)))\n        ys.append(np.full(len(X), k))\n    return np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.int64)\n',
    why='a loop over k, images grouped by k, np.concatenate',
)
CORRECT['blind-correct-pretexte-param-list'] = Correct(
    grade_id='pretexte_rotation',
    source=_BLIND_PRETEXTE,
    why='Adam on a list of both parameter sets, zero_grad(set_to_none=True)',
)
CORRECT['blind-correct-masquage-argsort-put-along-axis'] = Correct(
    grade_id='masquage',
    source='def masquer_patchs(X, ratio=0.5, taille=2, seed=0):\n    X = np.asarray(X)\n    N, H, W = X.shape\n    h, w = H // taille, W // taille\n    P = h * w\n    k = int(round(ratio * P))\n    rng = np.random.default_rng(seed)\n    ordre = np.argsort(rng.random((N, P)), axis=1)\n    masque = np.zeros((N, P), dtype=bool)\n    np.put_along_axis(masque, ordre[:, :k], True, axis=1)\n    masque = masque.reshape(N, h, w)\n    pix = masque.repeat(taille, axis=1).repeat(taille, axis=2)\n    X_m = X.copy()\n    X_m[pix] = 0\n    return X_m, masque\n\n\ndef perte_masquee(X, X_rec, masque, taille=2):\n    m = torch.as_tensor(masque).repeat_interleave(taille, dim=1).repeat_interleave(taille, dim=2).to(X.dtype)\n    return ((X_rec - X) ** 2 * m).sum() / m.sum()\n',
    why='argsort of uniforms, np.put_along_axis, loss as a masked sum over the count',
)
CORRECT['blind-correct-nt-xent-row-loop-float64'] = Correct(
    grade_id='nt_xent',
    source='def nt_xent(z1, z2, temperature=0.5):\n    z = torch.cat([z1, z2]).double()\n    z = z / z.norm(dim=1, keepdim=True).clamp_min(1e-12)\n    n2 = z.shape[0]\n    N = n2 // 2\n    s = (z @ z.T) / temperature\n    pertes = []\n    for i in range(n2):\n        p = i + N if i < N else i - N\n        autres = torch.cat([s[i, :i], s[i, i + 1:]])\n        pertes.append(torch.logsumexp(autres, 0) - s[i, p])\n    return torch.stack(pertes).mean().to(z1.dtype)\n',
    why='a loop over the 2N rows with logsumexp, float64 inside, clamped norms',
)
CORRECT['blind-correct-uniformite-cdist-triu'] = Correct(
    grade_id='alignement_uniformite',
    source='def alignement(z1, z2, alpha=2):\n    a, b = F.normalize(z1, dim=1), F.normalize(z2, dim=1)\n    return (a - b).norm(dim=1).pow(alpha).mean()\n\n\ndef uniformite(z, t=2):\n    z = F.normalize(z, dim=1)\n    d2 = torch.cdist(z, z).pow(2)\n    i, j = torch.triu_indices(len(z), len(z), offset=1)\n    return torch.log(torch.exp(-t * d2[i, j]).mean())\n',
    why='F.normalize, cdist and triu_indices instead of pdist',
)
CORRECT['blind-correct-effondrement-numpy-eps'] = Correct(
    grade_id='effondrement',
    source='def mesure_effondrement(Z):\n    Z = np.asarray(Z.detach().cpu() if torch.is_tensor(Z) else Z, dtype=np.float64)\n    Zn = Z / np.maximum(np.linalg.norm(Z, axis=1, keepdims=True), 1e-12)\n    return float(np.sqrt(Z.shape[1]) * Zn.std(axis=0).mean())\n\n\ndef detecter_effondrement(encodeur, X, seuil=0.1):\n    with torch.no_grad():\n        Z = encodeur(torch.as_tensor(X, dtype=torch.float32))\n    return bool(mesure_effondrement(Z) < seuil)\n',
    why='numpy float64 with an eps-guarded norm',
)
CORRECT['blind-correct-affiner-train-mode'] = Correct(
    grade_id='peu_etiquettes',
    source='def affiner(encodeur, X, y, n_classes, epochs=100, lr=1e-2, seed=0):\n    torch.manual_seed(seed)\n    modele = nn.Sequential(encodeur, nn.Linear(encodeur.dim, n_classes))\n    Xt = torch.as_tensor(np.asarray(X), dtype=torch.float32)\n    yt = torch.as_tensor(np.asarray(y), dtype=torch.long)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    modele.train()\n    for _ in range(epochs):\n        opt.zero_grad(set_to_none=True)\n        F.cross_entropy(modele(Xt), yt).backward()\n        opt.step()\n    return modele\n',
    why='tensors converted once, train(), zero_grad(set_to_none=True)',
)
CORRECT['blind-correct-masquage-permutation-loop'] = Correct(
    grade_id='masquage',
    source='def masquer_patchs(X, ratio=0.5, taille=2, seed=0):\n    N, H, W = X.shape\n    ph, pw = H // taille, W // taille\n    n_m = round(ratio * ph * pw)\n    rng = np.random.default_rng(seed)\n    masque = np.zeros((N, ph, pw), dtype=bool)\n    X_m = np.array(X, copy=True)\n    for n in range(N):\n        for p in rng.permutation(ph * pw)[:n_m]:\n            r, c = divmod(int(p), pw)\n            masque[n, r, c] = True\n            X_m[n, r * taille:(r + 1) * taille, c * taille:(c + 1) * taille] = 0\n    return X_m, masque\n\n\ndef perte_masquee(X, X_rec, masque, taille=2):\n    m = torch.as_tensor(masque).repeat_interleave(taille, dim=1).repeat_interleave(taille, dim=2)\n    return F.mse_loss(X_rec[m], X[m])\n',
    why='per-image rng.permutation loop, boolean-indexed F.mse_loss',
)
GROUPS["blind-1"] = ("blind-pretexte_rotation-trains-a-new-encoder",)
CORRECT_GROUPS["blind-correct-1"] = (
    "blind-correct-rotations-loop-over-k",
    "blind-correct-pretexte-param-list",
    "blind-correct-masquage-argsort-put-along-axis",
    "blind-correct-nt-xent-row-loop-float64",
    "blind-correct-uniformite-cdist-triu",
    "blind-correct-effondrement-numpy-eps",
    "blind-correct-affiner-train-mode",
)
CORRECT_GROUPS["blind-correct-2"] = ("blind-correct-masquage-permutation-loop",)

# Mutants of the solution that are still correct answers (autograder prove, issue 12 item 4).
EQUIVALENT: dict[str, str] = {
    # Default arguments the grader always passes (another valid hyper-parameter or seed).
    "pretexte_rotation:NumberReplacer@1:43#1": "epochs = 11 by default: another valid length (the grader passes epochs)",
    "pretexte_rotation:NumberReplacer@1:50": "lr = 1.003 by default: the grader passes lr",
    "pretexte_rotation:NumberReplacer@1:67#1": "batch_size = 255 by default: another valid size (the grader passes batch_size)",
    "pretexte_rotation:NumberReplacer@1:77#1": "seed = -1 by default: a valid torch seed",
    "peu_etiquettes:NumberReplacer@1:46#1": "epochs = 99 by default: another valid length (the grader passes epochs)",
    "peu_etiquettes:NumberReplacer@1:65#1": "seed = -1 by default: a valid torch seed",
    # Measures, not losses: the statement asks for their value (a float is accepted).
    "alignement_uniformite:DetachValue@11:11": "uniformite is a measure here: its value is unchanged, no gradient is asked",
    # Values that carry no gradient anyway.
    "masquage:DetachValue@21:8": "the boolean mask carries no gradient",
    "peu_etiquettes:DetachValue@6:8": "the input images carry no gradient",
    # Independent statements swapped.
    "alignement_uniformite:SwapStatements@3:4": "a and b are normalised independently",
    "masquage:SwapStatements@4:4": "X.shape is the same before and after np.asarray on an array",
    "masquage:SwapStatements@10:4": "the empty mask and the draw are independent",
    "peu_etiquettes:SwapStatements@7:4": "the optimiser and the label tensor are independent",
}

# ---------------------------------------------------------------- issue 12: blind answers (third session)
# `<=` instead of `<` at the statement's threshold kept its points: no grader case had a
# measure equal to the threshold. The statement now says "strictement inférieure" (mesure <
# seuil), and the detector check draws the boundary: two images whose outputs measure exactly
# 1 in any precision, the threshold being the student's own measure of them.
_DETECT = "    return bool(mesure_effondrement(Z) < seuil)"
SCENARIOS["blind-effondrement-le-instead-of-lt"] = Scenario(
    grade_id="effondrement",
    source=edit(_cell("effondrement"), (_DETECT, "    return bool(mesure_effondrement(Z) <= seuil)")),
    must_fail=("test_detecteur_effondrement",),
    message_contains=("STRICTEMENT inférieure au seuil",),
)
GROUPS["blind-boundary"] = ("blind-effondrement-le-instead-of-lt",)
CORRECT["blind-correct-effondrement-not-ge-inline-float32"] = Correct(
    grade_id="effondrement",
    source=edit(
        _cell("effondrement"),
        ("def mesure_effondrement", "import math\n\n\ndef mesure_effondrement"),
        (_DETECT, "    Zn = F.normalize(Z.float(), dim=1)\n"
                  "    m = float(Zn.std(dim=0, unbiased=False).mean() * math.sqrt(Z.shape[1]))\n"
                  "    return not (m >= seuil)"),
    ),
    why="the measure recomputed inline in float32 and `not (m >= seuil)`: the same boundary",
)
CORRECT_GROUPS["blind-correct-boundary"] = ("blind-correct-effondrement-not-ge-inline-float32",)

# Blind answers (third round), arguments and parameters the grader never varied: the lr
# arguments (the loop checks passed the defaults; they now pass another lr and read the
# optimiser's), affiner's epochs, and a rotation head the optimiser never receives.
# The two pre-training answers are one change each to the same author's loop, correct here:
_BLIND_R3_PRETEXTE = 'def entrainer_rotation(encodeur, X, epochs=12, lr=3e-3, batch_size=256, seed=0):\n    torch.manual_seed(seed)\n    g = torch.Generator().manual_seed(seed)\n    Xr, yr = construire_rotations(X)\n    Xr = torch.as_tensor(Xr, dtype=torch.float32); yr = torch.as_tensor(yr, dtype=torch.long)\n    tete = nn.Sequential(nn.Linear(encodeur.dim, 64), nn.ReLU(), nn.Linear(64, 4))\n    opt = torch.optim.Adam(list(encodeur.parameters()) + list(tete.parameters()), lr=lr)\n    for _ in range(epochs):\n        ordre = torch.randperm(len(Xr), generator=g)\n        for d in range(0, len(Xr), batch_size):\n            b = ordre[d:d + batch_size]\n            perte = F.cross_entropy(tete(encodeur(Xr[b])), yr[b])\n            opt.zero_grad(); perte.backward(); opt.step()\n    return encodeur, tete\n'
SCENARIOS["blind-r3-pretexte-head-not-optimised"] = Scenario(
    grade_id="pretexte_rotation",
    source=edit(_BLIND_R3_PRETEXTE, ("list(encodeur.parameters()) + list(tete.parameters())", "encodeur.parameters()")),
    must_fail=("test_rotation_pretexte_apprise",),
    message_contains=("ne reçoit pas les paramètres de la tête",),
    may_fail=("test_sonde_lineaire_bat_encodeur_aleatoire",),
)
SCENARIOS["blind-r3-pretexte-ignores-lr"] = Scenario(
    grade_id="pretexte_rotation",
    source=edit(_BLIND_R3_PRETEXTE, ("list(tete.parameters()), lr=lr)", "list(tete.parameters()))")),
    must_fail=("test_rotation_pretexte_apprise",),
    message_contains=("n'utilise pas son argument lr",),
    may_fail=("test_sonde_lineaire_bat_encodeur_aleatoire",),
)
SCENARIOS["blind-r3-affiner-ignores-lr-and-epochs"] = Scenario(
    grade_id="peu_etiquettes",
    source='def affiner(encodeur, X, y, n_classes, epochs=100, lr=1e-2, seed=0):\n    torch.manual_seed(seed)\n    modele = nn.Sequential(encodeur, nn.Linear(encodeur.dim, n_classes))\n    Xt = torch.as_tensor(X, dtype=torch.float32); yt = torch.as_tensor(y, dtype=torch.long)\n    opt = torch.optim.Adam(modele.parameters(), lr=1e-3)\n    for _ in range(30):\n        opt.zero_grad(); F.cross_entropy(modele(Xt), yt).backward(); opt.step()\n    return modele\n',
    must_fail=("test_affiner_depuis_zero_apprend",),
    message_contains=("n'utilise pas son argument epochs",),
    may_fail=("test_preentrainement_bat_depuis_zero",),
)
GROUPS["blind-r3-1"] = ("blind-r3-pretexte-head-not-optimised", "blind-r3-affiner-ignores-lr-and-epochs")
GROUPS["blind-r3-2"] = ("blind-r3-pretexte-ignores-lr",)
SCENARIOS["blind-r3-nt-xent-ignores-temperature"] = Scenario(
    grade_id="nt_xent",
    source='def nt_xent(z1, z2, temperature=0.5):\n    N = len(z1)\n    z = F.normalize(torch.cat([z1, z2]), dim=1)\n    s = (z @ z.T / 0.5).masked_fill(torch.eye(2 * N, dtype=torch.bool), float("-inf"))\n    cible = torch.cat([torch.arange(N) + N, torch.arange(N)])\n    return F.cross_entropy(s, cible)\n',
    must_fail=("test_nt_xent_valeurs",),
    message_contains=("ignore son argument temperature",),
    may_fail=("test_nt_xent_gradients", "test_nt_xent_exemple"),
)
GROUPS["blind-r3-2"] = (*GROUPS["blind-r3-2"], "blind-r3-nt-xent-ignores-temperature")


# ---------------------------------------------------------------- issue 12: blind answers (round 4)
# Arguments the grader never varied (n_classes, encodeur.dim, perte_masquee's taille, a ratio
# on each side of round()), rules the statement sets that no check enforced (integer labels,
# inputs left untouched), and hints that blamed the wrong thing. Each is one change to the
# solution where it is one; the others are the blind answers as written.
BLIND_SQUARE = 'def masquer_patchs(X, ratio=0.5, taille=2, seed=0):\n    X = np.asarray(X)\n    N, H = X.shape[0], X.shape[1]\n    g = H // taille\n    P = g * g\n    k = round(ratio * P)\n    rng = np.random.default_rng(seed)\n    masque = np.zeros((N, P), dtype=bool)\n    for i in range(N):\n        masque[i, rng.permutation(P)[:k]] = True\n    masque = masque.reshape(N, g, g)\n    pix = masque.repeat(taille, axis=1).repeat(taille, axis=2)\n    X_masque = X.copy()\n    X_masque[:, :pix.shape[1], :pix.shape[2]][pix] = 0\n    return X_masque, masque\n\n\ndef perte_masquee(X, X_rec, masque, taille=2):\n    m = torch.as_tensor(masque).repeat_interleave(taille, dim=1).repeat_interleave(taille, dim=2)\n    return ((X_rec - X)[m] ** 2).mean()\n'
BLIND_INPLACE = 'def _normaliser_(z):\n    with torch.no_grad():\n        z.div_(z.norm(dim=1, keepdim=True))\n    return z\n\n\ndef alignement(z1, z2, alpha=2):\n    a, b = _normaliser_(z1), _normaliser_(z2)\n    return (a - b).norm(dim=1).pow(alpha).mean()\n\n\ndef uniformite(z, t=2):\n    zn = _normaliser_(z)\n    return torch.log(torch.exp(-t * torch.pdist(zn) ** 2).mean())\n'
BLIND_TENSOR = 'def mesure_effondrement(Z):\n    Zt = torch.as_tensor(Z).double()\n    Zn = Zt / Zt.norm(dim=1, keepdim=True).clamp_min(1e-12)\n    return (Zn.shape[1] ** 0.5) * Zn.std(dim=0, unbiased=False).mean()\n\n\ndef detecter_effondrement(encodeur, X, seuil=0.1):\n    Z = encodeur(torch.as_tensor(X, dtype=torch.float32)).detach()\n    return mesure_effondrement(Z) < seuil\n'
SCENARIOS["blind-r4-affiner-n-classes-hardcoded"] = Scenario(
    grade_id="peu_etiquettes",
    source=edit(_cell("peu_etiquettes"), ("nn.Linear(encodeur.dim, n_classes))", "nn.Linear(encodeur.dim, 9))")),
    must_fail=("test_affiner_depuis_zero_apprend",),
    message_contains=("n_classes en sortie",),
)
SCENARIOS["blind-r4-pretexte-dim-hardcoded"] = Scenario(
    grade_id="pretexte_rotation",
    source=edit(_cell("pretexte_rotation"), ("nn.Linear(encodeur.dim, 64)", "nn.Linear(32, 64)")),
    must_fail=("test_rotation_pretexte_apprise",),
    message_contains=("utilisez encodeur.dim",),
)
SCENARIOS["blind-r4-masquer-ceil"] = Scenario(
    grade_id="masquage",
    source=edit(_cell("masquage"), ("n_masques = int(round(ratio * P))", "n_masques = int(np.ceil(ratio * P))")),
    must_fail=("test_masquer_patchs_statistiques",),
    message_contains=("arrondi vers le haut",),
)
SCENARIOS["blind-r4-rotations-float-labels"] = Scenario(
    grade_id="rotations",
    source=edit(_cell("rotations"), ("np.tile(np.arange(4), len(X))", "np.tile(np.arange(4.0), len(X))")),
    must_fail=("test_construire_rotations_coherentes",),
    message_contains=("ENTIÈRES",),
)
SCENARIOS["blind-r4-nt-xent-detach-z2"] = Scenario(
    grade_id="nt_xent",
    source=edit(_cell("nt_xent"), ("torch.cat([z1, z2], dim=0)", "torch.cat([z1, z2.detach()], dim=0)")),
    must_fail=("test_nt_xent_gradients",),
    message_contains=("la valeur de la perte est juste", "par rapport à z2 est nul"),
)
SCENARIOS["blind-r4-affiner-epochs-off-by-one"] = Scenario(
    grade_id="peu_etiquettes",
    source=edit(_cell("peu_etiquettes"), ("for _ in range(epochs):", "for _ in range(1, epochs):")),
    must_fail=("test_affiner_depuis_zero_apprend",),
    message_contains=("décalage d'un",),
)
SCENARIOS["blind-r4-alignement-elementwise-power"] = Scenario(
    grade_id="alignement_uniformite",
    source=edit(_cell("alignement_uniformite"), ("(a - b).norm(dim=1).pow(alpha)", "(a - b).abs().pow(alpha).sum(dim=1)")),
    must_fail=("test_alignement_uniformite_valeurs",),
    message_contains=("PUIS sa puissance alpha",),
)
SCENARIOS["blind-r4-perte-masquee-taille-hardcoded"] = Scenario(
    grade_id="masquage",
    source=edit(_cell("masquage"), ("m.repeat_interleave(taille, dim=1).repeat_interleave(taille, dim=2)",
                                    "m.repeat_interleave(2, dim=1).repeat_interleave(2, dim=2)")),
    must_fail=("test_perte_masquee_reference",),
    message_contains=("facteur taille", "ici le masque agrandi n'a pas la forme"),
)
SCENARIOS["blind-r4-masquer-square-assumed"] = Scenario(
    grade_id="masquage",
    source=BLIND_SQUARE,
    must_fail=("test_masquer_patchs_statistiques",),
    message_contains=("ne supposez pas H = W",),
)
SCENARIOS["blind-r4-uniformite-normalise-in-place"] = Scenario(
    grade_id="alignement_uniformite",
    source=BLIND_INPLACE,
    must_fail=("test_alignement_uniformite_valeurs",),
    message_contains=("modifie sur place",),
)
SCENARIOS["blind-r4-detecter-returns-a-tensor"] = Scenario(
    grade_id="effondrement",
    source=BLIND_TENSOR,
    must_fail=("test_detecteur_effondrement",),
    message_contains=("pas un tenseur torch",),
)
GROUPS["blind-r4-1"] = (
    "blind-r4-rotations-float-labels",
    "blind-r4-pretexte-dim-hardcoded",
    "blind-r4-masquer-ceil",
    "blind-r4-nt-xent-detach-z2",
    "blind-r4-alignement-elementwise-power",
    "blind-r4-detecter-returns-a-tensor",
    "blind-r4-affiner-n-classes-hardcoded",
)
GROUPS["blind-r4-2"] = (
    "blind-r4-perte-masquee-taille-hardcoded",
    "blind-r4-uniformite-normalise-in-place",
    "blind-r4-affiner-epochs-off-by-one",
)
GROUPS["blind-r4-3"] = ("blind-r4-masquer-square-assumed",)
CORRECT['blind-r4-correct-rotations-stack-interleaved'] = Correct(
    grade_id='rotations',
    source='def construire_rotations(X):\n    X = np.asarray(X, dtype=np.float32)\n    tours = np.stack([np.rot90(X, k=k, axes=(1, 2)) for k in range(4)], axis=1)   # (N, 4, H, H)\n    X_rot = np.ascontiguousarray(tours.reshape(-1, X.shape[1], X.shape[2]))\n    y_rot = np.tile(np.arange(4, dtype=np.int64), len(X))\n    return X_rot, y_rot\n',
    why='np.stack on axis 1 and a reshape: X_rot[4i + k]',
)
CORRECT['blind-r4-correct-masquage-choice'] = Correct(
    grade_id='masquage',
    source='def masquer_patchs(X, ratio=0.5, taille=2, seed=0):\n    X = np.asarray(X)\n    N, H, W = X.shape\n    gh, gw = H // taille, W // taille\n    P = gh * gw\n    k = int(round(ratio * P))\n    rng = np.random.default_rng(seed)\n    masque = np.zeros((N, gh, gw), dtype=bool)\n    for n in range(N):\n        choisis = rng.choice(P, size=k, replace=False)\n        masque[n].flat[choisis] = True\n    pix = np.kron(masque, np.ones((taille, taille), dtype=bool)).astype(bool)\n    X_masque = np.where(pix, np.zeros((), dtype=X.dtype), X).astype(X.dtype)\n    return X_masque, masque\n\n\ndef perte_masquee(X, X_rec, masque, taille=2):\n    m = torch.as_tensor(np.asarray(masque)).repeat_interleave(taille, dim=1).repeat_interleave(taille, dim=2)\n    m = m.to(dtype=X_rec.dtype, device=X_rec.device)\n    return (m * (X_rec - X) ** 2).sum() / m.sum()\n',
    why='rng.choice without replacement, np.kron pixel mask, float-mask sum / count',
)
CORRECT['blind-r4-correct-ntxent-cosine-similarity'] = Correct(
    grade_id='nt_xent',
    source='def nt_xent(z1, z2, temperature=0.5):\n    z = torch.cat((z1, z2), dim=0)\n    n2 = z.shape[0]\n    N = n2 // 2\n    sim = F.cosine_similarity(z.unsqueeze(1), z.unsqueeze(0), dim=-1, eps=1e-12) / temperature\n    hors_diag = ~torch.eye(n2, dtype=torch.bool, device=z.device)\n    sim_sans_soi = sim[hors_diag].view(n2, n2 - 1)\n    idx = torch.arange(n2, device=z.device)\n    positifs = sim[idx, (idx + N) % n2]\n    pertes = torch.logsumexp(sim_sans_soi, dim=1) - positifs\n    return pertes.mean()\n',
    why='broadcast F.cosine_similarity, diagonal removed by boolean indexing, manual logsumexp',
)
CORRECT['blind-r4-correct-au-full-matrix-offdiag'] = Correct(
    grade_id='alignement_uniformite',
    source='def alignement(z1, z2, alpha=2):\n    a = F.normalize(z1.double(), dim=1, eps=1e-12)\n    b = F.normalize(z2.double(), dim=1, eps=1e-12)\n    return ((a - b).pow(2).sum(dim=1).clamp_min(0).sqrt() ** alpha).mean().to(z1.dtype)\n\n\ndef uniformite(z, t=2):\n    zn = F.normalize(z, dim=1)\n    N = zn.shape[0]\n    d2 = (2 - 2 * zn @ zn.T).clamp_min(0)\n    hors = ~torch.eye(N, dtype=torch.bool, device=z.device)\n    return torch.log(torch.exp(-t * d2[hors]).mean())\n',
    why='Gram-form distances, mean over i != j of the full matrix',
)
CORRECT['blind-r4-correct-eff-numpy-bool'] = Correct(
    grade_id='effondrement',
    source='def mesure_effondrement(Z):\n    Zt = torch.as_tensor(np.asarray(Z.detach().cpu()) if torch.is_tensor(Z) else np.asarray(Z), dtype=torch.float64)\n    Zn = F.normalize(Zt, dim=1)\n    d = Zn.shape[1]\n    return float(np.sqrt(d) * Zn.std(dim=0, unbiased=False).mean().item())\n\n\ndef detecter_effondrement(encodeur, X, seuil=0.1):\n    etait_en_train = encodeur.training\n    encodeur.eval()\n    with torch.no_grad():\n        sorties = encodeur(torch.as_tensor(np.asarray(X), dtype=torch.float32)).numpy()\n    encodeur.train(etait_en_train)\n    m = np.float64(mesure_effondrement(sorties))\n    return m < seuil      # np.bool_\n',
    why='F.normalize in float64, eval mode restored, returns np.bool_',
)
CORRECT_GROUPS["blind-r4-correct-1"] = (
    'blind-r4-correct-rotations-stack-interleaved',
    'blind-r4-correct-masquage-choice',
    'blind-r4-correct-ntxent-cosine-similarity',
    'blind-r4-correct-au-full-matrix-offdiag',
    'blind-r4-correct-eff-numpy-bool',
)

# ---------------------------------------------------------------- issue 12: mutation sample (sample seed 11)
# Survivors of a sample of 60 mutants (52/60 caught): the signatures' defaults the notebook
# relies on (entrainer_rotation(encodeur, X_pento, seed=0) and affiner(..., n_classes=9,
# seed=0) leave epochs, lr and batch_size to them) were never read by a check, and X_rot's
# float32, which the statement prescribes, never showed because the grader's images were
# already float32. The public checks now read every default the notebook relies on (the
# course's policy, docs/authoring.md), and construire_rotations receives float64 images. The
# rotation head's width was already checked; a head sized for the 9 shapes proves it.
_SAMPLE_SCENARIOS = {
    "submission-rotations-keeps-the-input-dtype": Scenario(
        grade_id="rotations",
        source=edit(_cell("rotations"), ("    X = np.asarray(X, dtype=np.float32)\n", "    X = np.asarray(X)\n")),
        must_fail=("test_construire_rotations_coherentes",),
        message_contains=("en float32 quel que soit le type de X",),
    ),
    "submission-rotation-default-epochs-changed": Scenario(
        grade_id="pretexte_rotation",
        source=edit(_cell("pretexte_rotation"), ("def entrainer_rotation(encodeur, X, epochs=12,",
                                                 "def entrainer_rotation(encodeur, X, epochs=20,")),
        must_fail=("test_entrainer_rotation_format",),
        message_contains=("epochs n'a plus la valeur par défaut",),
    ),
    "submission-affiner-default-lr-changed": Scenario(
        grade_id="peu_etiquettes",
        source=edit(_cell("peu_etiquettes"), ("epochs=100, lr=1e-2, seed=0):", "epochs=100, lr=1e-3, seed=0):")),
        must_fail=("test_affiner_format",),
        message_contains=("lr n'a plus la valeur par défaut",),
    ),
    "submission-rotation-head-sized-for-the-nine-shapes": Scenario(
        grade_id="pretexte_rotation",
        source=edit(_cell("pretexte_rotation"), ("nn.ReLU(), nn.Linear(64, 4))", "nn.ReLU(), nn.Linear(64, 9))")),
        must_fail=(
            "test_entrainer_rotation_format",
            "test_rotation_pretexte_apprise",
            "test_sonde_lineaire_bat_encodeur_aleatoire",
        ),
        message_contains=("la tâche prétexte a 4 classes",),
    ),
}
SCENARIOS = {**SCENARIOS, **_SAMPLE_SCENARIOS}
GROUPS["mutants-3"] = (
    "submission-rotations-keeps-the-input-dtype",
    "submission-rotation-default-epochs-changed",
    "submission-affiner-default-lr-changed",
)
GROUPS["mutants-4"] = ("submission-rotation-head-sized-for-the-nine-shapes",)

# The defaults the notebook relies on are read by the public checks: those mutants are caught.
# The seeds' stay equivalent: every notebook call passes seed (the policy's other half).
for _caught in (
    "pretexte_rotation:NumberReplacer@1:43#1",
    "pretexte_rotation:NumberReplacer@1:50",
    "pretexte_rotation:NumberReplacer@1:67#1",
    "peu_etiquettes:NumberReplacer@1:46#1",
):
    del EQUIVALENT[_caught]
EQUIVALENT.update({
    "pretexte_rotation:NumberReplacer@1:77#1": "seed = -1 by default: every notebook call passes seed",
    "peu_etiquettes:NumberReplacer@1:65#1": "seed = -1 by default: every notebook call passes seed",
    "nt_xent:SwapStatements@5:4": "n and the similarity matrix are computed independently",
    "masquage:SwapStatements@8:4": "the generator is created from seed before any draw either way",
    "effondrement:DetachValue@4:8": "mesure_effondrement returns a float: no gradient leaves it anyway",
    # Re-run of the same sample seed (another draw once the pool changed): 57/60, these three.
    "nt_xent:SwapStatements@7:4": "the targets and the masked diagonal are computed independently",
    "peu_etiquettes:DetachValue@7:8": "the integer labels carry no gradient",
    "pretexte_rotation:DetachValue@7:12": "the rotated input images carry no gradient",
})

# The course's defaults policy (docs/authoring.md): every notebook call of masquer_patchs passes
# ratio, taille and seed, so another default changes nothing a student or the grader sees. The
# former wrong answer "submission-masquer-patchs-default-ratio-of-mae" (MAE's 0.75 as default)
# is a correct one: no check reads masquer_patchs's defaults any more.
CORRECT["correct-masquer-patchs-default-ratio-of-mae"] = Correct(
    grade_id="masquage",
    source=edit(_cell("masquage"), ("def masquer_patchs(X, ratio=0.5,", "def masquer_patchs(X, ratio=0.75,")),
    why="MAE's ratio 0.75 as masquer_patchs's default: every notebook call passes ratio",
)
CORRECT_GROUPS["correct-defaults"] = ("correct-masquer-patchs-default-ratio-of-mae",)

# ---------------------------------------------------------------- issue 12: blind answers (round 6)
# Rules the statement sets that no check enforced, by class: the dtypes it states for what a
# function returns (a boolean mask, X_masque of X's dtype, logits rather than probabilities),
# the draws it prescribes (rng = np.random.default_rng(seed), torch.randperm(..., generator=g):
# the global generators are left as torch.manual_seed(seed) and the new layers leave them),
# float64 images given to detecter_effondrement; and hints for the corrected std (N − 1), the
# diagonal set to 0 and the positive left out of NT-Xent's denominator.
_MASQUAGE_RETURN = "    return np.where(pixels, np.float32(0.0), X), masque"
_SOFTMAX_LINEAR = "nn.Linear(encodeur.dim, n_classes))"
_R6_SCENARIOS = {
    "blind-r6-masquer-int-mask": Scenario(
        grade_id="masquage",
        source=edit(_cell("masquage"), ("masque = np.zeros((N, P), dtype=bool)", "masque = np.zeros((N, P), dtype=int)")),
        must_fail=("test_masquer_patchs_statistiques",),
        message_contains=("des 0/1 au lieu de booléens",),
    ),
    "blind-r6-masquer-global-seed": Scenario(
        grade_id="masquage",
        source=edit(_cell("masquage"), ("rng = np.random.default_rng(seed)", "np.random.seed(seed)"),
                    ("np.argsort(rng.random((N, P))", "np.argsort(np.random.random((N, P))")),
        must_fail=("test_masquer_patchs_statistiques",),
        message_contains=("générateur global de NumPy",),
    ),
    "blind-r6-masquer-float64-out": Scenario(
        grade_id="masquage",
        source=edit(_cell("masquage"), (_MASQUAGE_RETURN, "    return X * (1 - pixels.astype(np.int64)), masque")),
        must_fail=("test_masquer_patchs_statistiques",),
        message_contains=("X_masque est de type float64",),
    ),
    "blind-r6-pretexte-randperm-global": Scenario(
        grade_id="pretexte_rotation",
        source=edit(_cell("pretexte_rotation"), ("torch.randperm(len(X_rot), generator=g)", "torch.randperm(len(X_rot))")),
        must_fail=("test_rotation_pretexte_apprise",),
        message_contains=("un torch.randperm sans generator=g",),
    ),
    "blind-r6-pretexte-softmax-head": Scenario(
        grade_id="pretexte_rotation",
        source=edit(_cell("pretexte_rotation"), ("nn.Linear(64, 4))", "nn.Linear(64, 4), nn.Softmax(dim=1))")),
        must_fail=("test_rotation_pretexte_apprise",),
        message_contains=("donne des probabilités",),
        may_fail=("test_sonde_lineaire_bat_encodeur_aleatoire",),
    ),
    "blind-r6-affiner-softmax-head": Scenario(
        grade_id="peu_etiquettes",
        source=edit(_cell("peu_etiquettes"), (_SOFTMAX_LINEAR, "nn.Linear(encodeur.dim, n_classes), nn.Softmax(dim=1))")),
        must_fail=("test_affiner_depuis_zero_apprend",),
        message_contains=("donne des probabilités",),
        may_fail=("test_preentrainement_bat_depuis_zero",),
    ),
    # The same class in affiner: "seed everything" reseeds the notebook's NumPy generator.
    "blind-r6-affiner-reseeds-numpy": Scenario(
        grade_id="peu_etiquettes",
        source=edit(_cell("peu_etiquettes"), ("    torch.manual_seed(seed)\n", "    torch.manual_seed(seed)\n    np.random.seed(seed)\n")),
        must_fail=("test_affiner_depuis_zero_apprend",),
        message_contains=("générateur global de NumPy",),
    ),
    "blind-r6-detecter-no-float32": Scenario(
        grade_id="effondrement",
        source=edit(_cell("effondrement"), ("Z = encodeur(torch.as_tensor(X, dtype=torch.float32))", "Z = encodeur(torch.as_tensor(X))")),
        must_fail=("test_detecteur_effondrement",),
        message_contains=("converti en tenseur float32",),
    ),
    "blind-r6-eff-corrected-std": Scenario(
        grade_id="effondrement",
        source=edit(_cell("effondrement"), ("Z_norm.std(dim=0, correction=0)", "Z_norm.std(dim=0)")),
        must_fail=("test_effondrement_exemple", "test_mesure_effondrement_reference"),
        message_contains=("écart-type corrigé (division par N − 1)",),
    ),
    "blind-r6-ntxent-diag-zero": Scenario(
        grade_id="nt_xent",
        source='def nt_xent(z1, z2, temperature=0.5):\n    z = F.normalize(torch.cat([z1, z2]), dim=1)\n    n = len(z1)\n    s = z @ z.T / temperature\n    s = s * (1 - torch.eye(2 * n))\n    cible = torch.cat([torch.arange(n) + n, torch.arange(n)])\n    return F.cross_entropy(s, cible)\n',
        must_fail=_NT_XENT_ALL,
        message_contains=("mise à 0 au lieu d'être exclue",),
    ),
    "blind-r6-ntxent-decoupled": Scenario(
        grade_id="nt_xent",
        source='def nt_xent(z1, z2, temperature=0.5):\n    z = F.normalize(torch.cat([z1, z2]), dim=1)\n    n = len(z1)\n    s = z @ z.T / temperature\n    idx = torch.arange(2 * n)\n    pos_idx = idx.roll(n)\n    positif = s[idx, pos_idx]\n    exclus = torch.eye(2 * n, dtype=torch.bool)\n    exclus[idx, pos_idx] = True\n    neg = s.masked_fill(exclus, float("-inf"))\n    return (torch.logsumexp(neg, dim=1) - positif).mean()\n',
        must_fail=_NT_XENT_ALL,
        message_contains=("le positif est retiré du dénominateur",),
    ),
}
SCENARIOS = {**SCENARIOS, **_R6_SCENARIOS}
GROUPS["blind-r6-1"] = (
    "blind-r6-masquer-int-mask",
    "blind-r6-pretexte-randperm-global",
    "blind-r6-affiner-softmax-head",
    "blind-r6-detecter-no-float32",
    "blind-r6-ntxent-diag-zero",
)
GROUPS["blind-r6-2"] = (
    "blind-r6-masquer-global-seed",
    "blind-r6-pretexte-softmax-head",
    "blind-r6-affiner-reseeds-numpy",
    "blind-r6-eff-corrected-std",
    "blind-r6-ntxent-decoupled",
)
GROUPS["blind-r6-3"] = ("blind-r6-masquer-float64-out",)
# Correct code the new checks must keep at full marks: X_masque as X times a boolean (float32
# stays float32), the generator made after the head and the data shuffled per epoch (the same
# draws), and log-probabilities (logits up to a constant per row, not probabilities).
CORRECT["blind-r6-correct-masquer-times-not-mask"] = Correct(
    grade_id="masquage",
    source=edit(_cell("masquage"), (_MASQUAGE_RETURN, "    return X * ~pixels, masque")),
    why="X_masque = X * ~pixels: a float32 array times a boolean one stays float32",
)
CORRECT["blind-r6-correct-pretexte-generator-after-head"] = Correct(
    grade_id="pretexte_rotation",
    source='def entrainer_rotation(encodeur, X, epochs=12, lr=3e-3, batch_size=256, seed=0):\n    torch.manual_seed(seed)\n    tete = nn.Sequential(nn.Linear(encodeur.dim, 64), nn.ReLU(), nn.Linear(64, 4))\n    g = torch.Generator()\n    g.manual_seed(seed)\n    X_rot, y_rot = construire_rotations(X)\n    X_rot = torch.from_numpy(np.asarray(X_rot, dtype=np.float32))\n    y_rot = torch.from_numpy(np.asarray(y_rot)).long()\n    opt = torch.optim.Adam([*encodeur.parameters(), *tete.parameters()], lr=lr)\n    for _ in range(epochs):\n        ordre = torch.randperm(len(X_rot), generator=g)\n        Xm, ym = X_rot[ordre], y_rot[ordre]\n        for i in range(0, len(Xm), batch_size):\n            perte = F.cross_entropy(tete(encodeur(Xm[i:i + batch_size])), ym[i:i + batch_size])\n            opt.zero_grad()\n            perte.backward()\n            opt.step()\n    return encodeur, tete\n',
    why="the head first, then the generator; the data reordered once per epoch, then sliced",
)
CORRECT["blind-r6-correct-affiner-log-softmax"] = Correct(
    grade_id="peu_etiquettes",
    source=edit(_cell("peu_etiquettes"), (_SOFTMAX_LINEAR, "nn.Linear(encodeur.dim, n_classes), nn.LogSoftmax(dim=1))"),
                ("F.cross_entropy(modele(X), y)", "F.nll_loss(modele(X), y)")),
    why="log-probabilities and nll_loss: the same loss, logits up to a constant per row",
)
CORRECT_GROUPS["blind-r6-correct"] = (
    "blind-r6-correct-masquer-times-not-mask",
    "blind-r6-correct-pretexte-generator-after-head",
    "blind-r6-correct-affiner-log-softmax",
)

# ---------------------------------------------------------------- blind answers (round 8)
# By class: (1) the statement's uncorrected std was only enforced by the public example (the
# hidden reference accepted N − 1); it now takes the uncorrected one only, on a small batch
# too, where N − 1 is 6 % to 15 % off. (2) A training function that reads the notebook's data
# (X_pento, X_peu, y_peu) instead of its arguments: the stand-in encoder now checks that every
# image it sees comes from X (or its rotations) and names the fault, also when the function
# crashes on the grader's 3 classes. (3) Hints for alpha applied to the squared distance, and
# for the log of a sum or the log taken before the mean in uniformite.
_EFF_DOCS = ("√d × moyenne des écarts-types des lignes normalisées.", "Le détecteur de la solution.")
_AU_DOCS = ("L'alignement de la solution.", "L'uniformité de la solution.")
_R8_SCENARIOS = {
    "submission-effondrement-numpy-std-ddof-1": Scenario(
        grade_id="effondrement",
        source=edit(
            _solution("effondrement", *_EFF_DOCS),
            ("Z_norm.std(dim=0, correction=0).mean()",
             "torch.as_tensor(np.std(Z_norm.numpy(), axis=0, ddof=1)).mean()"),
        ),
        must_fail=("test_effondrement_exemple", "test_mesure_effondrement_reference"),
        message_contains=("division par N − 1",),
    ),
    "submission-affiner-trains-on-notebook-data": Scenario(
        grade_id="peu_etiquettes",
        source=edit(
            _solution("peu_etiquettes", "Affine sur les exemples étiquetés du notebook."),
            ("X = torch.as_tensor(X, dtype=torch.float32)", "X = torch.as_tensor(X_peu, dtype=torch.float32)"),
            ("y = torch.as_tensor(y, dtype=torch.long)", "y = torch.as_tensor(y_peu, dtype=torch.long)"),
        ),
        must_fail=("test_affiner_depuis_zero_apprend",),
        message_contains=("variables du notebook (X_peu", "au lieu de ses arguments X, y"),
        may_fail=("test_preentrainement_bat_depuis_zero",),
    ),
    "submission-affiner-labels-from-notebook": Scenario(
        grade_id="peu_etiquettes",
        source=edit(
            _solution("peu_etiquettes", "Affine avec les étiquettes du notebook."),
            ("y = torch.as_tensor(y, dtype=torch.long)", "y = torch.as_tensor(y_peu, dtype=torch.long)"),
        ),
        must_fail=("test_affiner_depuis_zero_apprend",),
        message_contains=("l'argument y (pas d'une variable du notebook comme y_peu)",),
        may_fail=("test_affiner_format", "test_preentrainement_bat_depuis_zero"),
    ),
    "submission-entrainer-rotation-trains-on-notebook-images": Scenario(
        grade_id="pretexte_rotation",
        source=edit(
            _solution("pretexte_rotation", "Pré-entraînement par rotation sur les pentominos du notebook."),
            ("construire_rotations(X)", "construire_rotations(X_pento)"),
        ),
        must_fail=("test_rotation_pretexte_apprise",),
        message_contains=("variables du notebook (X_pento) au lieu de son argument X",),
    ),
    "submission-alignement-alpha-on-squared-distance": Scenario(
        grade_id="alignement_uniformite",
        source=edit(
            _solution("alignement_uniformite", *_AU_DOCS),
            ("(a - b).norm(dim=1).pow(alpha)", "(a - b).pow(2).sum(dim=1).pow(alpha)"),
        ),
        must_fail=("test_alignement_uniformite_exemple", "test_alignement_uniformite_valeurs"),
        message_contains=("alpha est appliqué à la distance AU CARRÉ",),
    ),
    "submission-uniformite-log-of-sum": Scenario(
        grade_id="alignement_uniformite",
        source=edit(
            _solution("alignement_uniformite", *_AU_DOCS),
            ("torch.pdist(a, p=2).pow(2).mul(-t).exp().mean().log()",
             "torch.logsumexp(-t * torch.pdist(a).pow(2), dim=0)"),
        ),
        must_fail=("test_alignement_uniformite_exemple", "test_alignement_uniformite_valeurs"),
        message_contains=("logarithme d'une SOMME sur les paires",),
    ),
    "submission-uniformite-log-before-mean": Scenario(
        grade_id="alignement_uniformite",
        source=edit(
            _solution("alignement_uniformite", *_AU_DOCS),
            ("torch.pdist(a, p=2).pow(2).mul(-t).exp().mean().log()",
             "torch.pdist(a, p=2).pow(2).mul(-t).exp().log().mean()"),
        ),
        must_fail=("test_alignement_uniformite_exemple", "test_alignement_uniformite_valeurs"),
        message_contains=("le logarithme est pris AVANT la moyenne",),
    ),
}
SCENARIOS = {**SCENARIOS, **_R8_SCENARIOS}
GROUPS["notebook-data-1"] = (
    "submission-effondrement-numpy-std-ddof-1",
    "submission-affiner-trains-on-notebook-data",
    "submission-entrainer-rotation-trains-on-notebook-images",
    "submission-alignement-alpha-on-squared-distance",
)
GROUPS["notebook-data-2"] = (
    "submission-affiner-labels-from-notebook",
    "submission-uniformite-log-of-sum",
)
GROUPS["notebook-data-3"] = ("submission-uniformite-log-before-mean",)
# Correct code the new checks must keep at full marks: rotations made in the function with
# torch.rot90 (the encoder sees rotations of X, not X itself), the collapse measure in float32
# on the small batch, and the log of the mean written as logsumexp − log(number of pairs).
CORRECT["correct-entrainer-rotation-torch-rot90"] = Correct(
    grade_id="pretexte_rotation",
    source=edit(
        _cell("pretexte_rotation"),
        ("    X_rot, y_rot = construire_rotations(X)\n"
         "    X_rot = torch.as_tensor(X_rot, dtype=torch.float32)\n"
         "    y_rot = torch.as_tensor(y_rot, dtype=torch.long)\n",
         "    X_t = torch.as_tensor(np.asarray(X), dtype=torch.float32)\n"
         "    X_rot = torch.cat([torch.rot90(X_t, k, dims=(1, 2)) for k in range(4)])\n"
         "    y_rot = torch.arange(4).repeat_interleave(len(X_t))\n"),
    ),
    why="the rotations made in the function with torch.rot90, k-major order",
)
CORRECT["correct-effondrement-float32"] = Correct(
    grade_id="effondrement",
    source=edit(_cell("effondrement"), ("Z = torch.as_tensor(Z, dtype=torch.float64)", "Z = torch.as_tensor(Z, dtype=torch.float32)")),
    why="the measure in float32 (relative error about 1e-7)",
)
CORRECT["correct-uniformite-logsumexp-minus-log-pairs"] = Correct(
    grade_id="alignement_uniformite",
    source=edit(
        _cell("alignement_uniformite"),
        ("torch.pdist(a, p=2).pow(2).mul(-t).exp().mean().log()",
         "torch.logsumexp(-t * torch.pdist(a).pow(2), dim=0) - np.log(len(a) * (len(a) - 1) / 2)"),
    ),
    why="log of the mean as logsumexp − log(N(N − 1)/2)",
)
CORRECT_GROUPS["correct-notebook-data"] = (
    "correct-entrainer-rotation-torch-rot90",
    "correct-effondrement-float32",
    "correct-uniformite-logsumexp-minus-log-pairs",
)

# ---------------------------------------------------------------- blind answers (round 11)
# By class (a head without its ReLU is left as it is graded: it is the linear head that
# correct-rotation-dataloader, above, declares correct): (1) hints that blamed the optimiser for
# an encoder that did not move now read their premise: the optimiser holds the encoder's
# parameters but no gradient reached them (.detach(), torch.no_grad()), or the function trained
# a copy of the encoder it was given. (2) A NaN loss from per-image means (an image with no
# masked patch) is named as such. (3) The public NT-Xent example names the denominator of the
# other view only and the first-view anchors, as the hidden checks do.
_R11_SCENARIOS = {
    "submission-pretexte_rotation-detached-encoder-output": Scenario(
        grade_id="pretexte_rotation",
        source=_pretexte(("tete(encodeur(X_rot[lot]))", "tete(encodeur(X_rot[lot]).detach())")),
        must_fail=(
            "test_entrainer_rotation_format",
            "test_rotation_pretexte_apprise",
            "test_sonde_lineaire_bat_encodeur_aleatoire",
        ),
        message_contains=("le gradient de la perte ne les atteint jamais", "le graphe est coupé"),
    ),
    "submission-masquage-loss-per-image-mean": Scenario(
        grade_id="masquage",
        source=_masquage(
            _MASQUER_DOC, "Moyenne, sur les images, de l'erreur quadratique sur les pixels masqués de chaque image.",
            ("    return ((X_rec - X) ** 2)[m].mean()",
             "    m = m.to(X_rec.dtype)\n"
             "    return (((X_rec - X) ** 2 * m).sum(dim=(1, 2)) / m.sum(dim=(1, 2))).mean()"),
        ),
        must_fail=("test_perte_masquee_reference",),
        message_contains=("moyenne des pertes PAR IMAGE",),
    ),
    "submission-nt-xent-other-view-only-denominator": Scenario(
        grade_id="nt_xent",
        source='def nt_xent(z1, z2, temperature=0.5):\n    a = F.normalize(z1, dim=1)\n    b = F.normalize(z2, dim=1)\n    logits = a @ b.T / temperature\n    cibles = torch.arange(len(a))\n    return 0.5 * (F.cross_entropy(logits, cibles) + F.cross_entropy(logits.T, cibles))\n',
        must_fail=_NT_XENT_ALL,
        message_contains=("que les exemples de l'autre vue (z1 @ z2.T)",),
    ),
    "submission-nt-xent-first-view-anchors-only": Scenario(
        grade_id="nt_xent",
        source=_nt_xent("Les ancres de la première vue seulement.",
                        ("    return F.cross_entropy(sim, cibles)", "    return F.cross_entropy(sim[:n], cibles[:n])")),
        must_fail=_NT_XENT_ALL,
        message_contains=("seuls les N exemples de la première vue servent d'ancres",),
    ),
    "submission-affiner-deep-copy-of-encoder": Scenario(
        grade_id="peu_etiquettes",
        source=edit(_solution("peu_etiquettes", "Affine une copie de l'encodeur reçu."),
                    ("    modele = nn.Sequential(encodeur, nn.Linear(encodeur.dim, n_classes))",
                     "    enc = copy.deepcopy(encodeur)\n"
                     "    modele = nn.Sequential(enc, nn.Linear(enc.dim, n_classes))")),
        must_fail=("test_affiner_format", "test_affiner_depuis_zero_apprend"),
        message_contains=("une copie de l'encodeur",),
    ),
    "submission-affiner-encoder-under-no-grad": Scenario(
        grade_id="peu_etiquettes",
        source=edit(_solution("peu_etiquettes", "Affine la tête sur les caractéristiques de l'encodeur."),
                    ("        perte = F.cross_entropy(modele(X), y)",
                     "        with torch.no_grad():\n"
                     "            h = modele[0](X)\n"
                     "        perte = F.cross_entropy(modele[1](h), y)")),
        must_fail=("test_affiner_depuis_zero_apprend",),
        message_contains=("que sous torch.no_grad()",),
        may_fail=("test_preentrainement_bat_depuis_zero",),
    ),
}
SCENARIOS = {**SCENARIOS, **_R11_SCENARIOS}
GROUPS["blind-r11-1"] = (
    "submission-masquage-loss-per-image-mean",
    "submission-nt-xent-other-view-only-denominator",
    "submission-affiner-deep-copy-of-encoder",
)
GROUPS["blind-r11-2"] = (
    "submission-pretexte_rotation-detached-encoder-output",
    "submission-nt-xent-first-view-anchors-only",
    "submission-affiner-encoder-under-no-grad",
)

# ---------------------------------------------------------------- blind answers (round 13)
# By class: (1) detecter_effondrement must decide on the outputs of the module received, whole,
# for every image of X: a part of X (X[:100]) or the notebook's images (X_test_p) passed, as
# did the first block of an nn.Sequential; the detector check now draws an encoder constant on
# every image but a block in the middle of X, and an encoder whose head collapses everything.
# (2) Hints that named no fault: a mask grid that assumes square images or patches of 2 (shape
# messages now name them without printing a shape), torch.manual_seed(0) instead of seed (the
# same global state after two seeds), a positive index from a constant batch size, F.mse_loss
# as the alignment, images centred before rotating, and masked losses divided by the number of
# images, square-rooted or averaged per image with empty images counted as 0.
_DETECT_Z = "        Z = encodeur(torch.as_tensor(X, dtype=torch.float32))"
_R13_SCENARIOS = {
    "submission-effondrement-detecter-first-100-images": Scenario(
        grade_id="effondrement",
        source=edit(_solution("effondrement", *_EFF_DOCS),
                    (_DETECT_Z, "        Z = encodeur(torch.as_tensor(X[:100], dtype=torch.float32))")),
        must_fail=("test_detecteur_effondrement",),
        message_contains=("n'a vu qu'une partie des images de X",),
    ),
    "submission-effondrement-detecter-notebook-images": Scenario(
        grade_id="effondrement",
        source=edit(_solution("effondrement", *_EFF_DOCS),
                    (_DETECT_Z, "        Z = encodeur(torch.as_tensor(X_test_p, dtype=torch.float32))")),
        must_fail=("test_detecteur_effondrement",),
        message_contains=("une variable du notebook (X_test_p ?) au lieu de X",),
    ),
    "submission-effondrement-detecter-first-block-of-sequential": Scenario(
        grade_id="effondrement",
        source=edit(_solution("effondrement", *_EFF_DOCS),
                    (_DETECT_Z, "        e = encodeur[0] if isinstance(encodeur, nn.Sequential) else encodeur\n"
                                "        Z = e(torch.as_tensor(X, dtype=torch.float32))")),
        must_fail=("test_detecteur_effondrement",),
        message_contains=("module reçu TOUT ENTIER",),
    ),
    "submission-masquage-grid-assumes-square-images": Scenario(
        grade_id="masquage",
        source=_masquage("Grille carrée de patchs.", _PERTE_DOC,
                         ("lignes, colonnes = H // taille, W // taille", "lignes = colonnes = H // taille"),
                         ("    pixels = masque.repeat(taille, axis=1).repeat(taille, axis=2)\n",
                          "    pixels = masque.repeat(taille, axis=1).repeat(taille, axis=2)\n"
                          "    pixels = np.pad(pixels, ((0, 0), (0, max(0, H - pixels.shape[1])),"
                          " (0, max(0, W - pixels.shape[2]))))[:, :H, :W]\n")),
        must_fail=("test_masquer_patchs_statistiques",),
        message_contains=("les images ne sont pas toujours carrées", "ne supposez pas H = W"),
    ),
    "submission-masquage-grid-of-patches-of-two": Scenario(
        grade_id="masquage",
        source=_masquage("Patchs 2 × 2.", _PERTE_DOC,
                         ("lignes, colonnes = H // taille, W // taille", "lignes, colonnes = H // 2, W // 2"),
                         ("pixels = masque.repeat(taille, axis=1).repeat(taille, axis=2)",
                          "pixels = masque.repeat(2, axis=1).repeat(2, axis=2)")),
        must_fail=("test_masquer_patchs_statistiques",),
        message_contains=("taille est un argument",),
    ),
    "submission-perte-masquee-divided-by-the-number-of-images": Scenario(
        grade_id="masquage",
        source=_masquage(_MASQUER_DOC, "Somme des carrés masqués, divisée par le nombre d'images.",
                         ("    return ((X_rec - X) ** 2)[m].mean()",
                          "    return ((X_rec - X) ** 2)[m].sum() / len(X)")),
        must_fail=("test_masquage_exemple", "test_perte_masquee_reference"),
        message_contains=("vous divisez par le nombre d'images",),
    ),
    "submission-perte-masquee-root-mean-square": Scenario(
        grade_id="masquage",
        source=_masquage(_MASQUER_DOC, "Racine de l'erreur quadratique moyenne sur les pixels masqués.",
                         ("    return ((X_rec - X) ** 2)[m].mean()",
                          "    return torch.sqrt(((X_rec - X) ** 2)[m].mean() + 1e-12)")),
        must_fail=("test_masquage_exemple", "test_perte_masquee_reference"),
        message_contains=("c'est la racine de la perte (RMSE)",),
    ),
    "submission-perte-masquee-per-image-mean-empty-as-zero": Scenario(
        grade_id="masquage",
        source=_masquage(_MASQUER_DOC, "Moyenne des pertes par image.",
                         ("    return ((X_rec - X) ** 2)[m].mean()",
                          "    m = m.float()\n"
                          "    par_image = ((X_rec - X) ** 2 * m).sum(dim=(1, 2)) / m.sum(dim=(1, 2)).clamp(min=1)\n"
                          "    return par_image.mean()")),
        must_fail=("test_perte_masquee_reference",),
        message_contains=("une image sans patch masqué comptant 0",),
    ),
    "submission-entrainer-rotation-torch-seed-zero": Scenario(
        grade_id="pretexte_rotation",
        source=_pretexte(("    torch.manual_seed(seed)\n", "    torch.manual_seed(0)\n")),
        must_fail=("test_rotation_pretexte_apprise",),
        message_contains=("torch.manual_seed reçoit une constante",),
    ),
    "submission-affiner-torch-seed-zero": Scenario(
        grade_id="peu_etiquettes",
        source=edit(_solution("peu_etiquettes", "Affine l'encodeur reçu."),
                    ("    torch.manual_seed(seed)\n", "    torch.manual_seed(0)\n")),
        must_fail=("test_affiner_depuis_zero_apprend",),
        message_contains=("torch.manual_seed reçoit une constante",),
    ),
    "submission-nt-xent-positive-from-a-constant-batch-size": Scenario(
        grade_id="nt_xent",
        source=_nt_xent("Le positif à i + 256.",
                        ("    cibles = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])",
                         "    cibles = (torch.arange(2 * n) + 256) % (2 * n)")),
        must_fail=("test_nt_xent_valeurs",),
        message_contains=("la taille du lot REÇU",),
        may_fail=("test_nt_xent_exemple", "test_nt_xent_gradients"),
    ),
    "submission-alignement-mse-loss": Scenario(
        grade_id="alignement_uniformite",
        source=edit(_solution("alignement_uniformite", *_AU_DOCS),
                    ("(a - b).norm(dim=1).pow(alpha).mean()", "F.mse_loss(a, b) ** (alpha / 2)")),
        must_fail=("test_alignement_uniformite_exemple", "test_alignement_uniformite_valeurs"),
        message_contains=("la moyenne porte aussi sur les d coordonnées",),
    ),
    "submission-rotations-images-centred-in-place": Scenario(
        grade_id="rotations",
        source=_rotations(("    X = np.asarray(X, dtype=np.float32)\n",
                           "    X = np.asarray(X, dtype=np.float32)\n"
                           "    X -= X.mean(axis=(1, 2), keepdims=True)\n")),
        must_fail=("test_construire_rotations_exemple", "test_construire_rotations_coherentes"),
        message_contains=("mais centrée ou mise à l'échelle", "dont la moyenne a été retirée"),
    ),
    "submission-effondrement-std-of-the-whole-matrix": Scenario(
        grade_id="effondrement",
        source=edit(_solution("effondrement", *_EFF_DOCS),
                    ("Z_norm.std(dim=0, correction=0).mean()", "Z_norm.std(correction=0)")),
        must_fail=_EFFONDREMENT_ALL,
        message_contains=("UN écart-type sur toutes les entrées de la matrice",),
    ),
    "submission-uniformite-normalised-over-the-batch": Scenario(
        grade_id="alignement_uniformite",
        source=edit(_solution("alignement_uniformite", *_AU_DOCS),
                    ("    a = F.normalize(torch.as_tensor(z), dim=1)", "    a = F.normalize(torch.as_tensor(z), dim=0)")),
        must_fail=("test_alignement_uniformite_exemple", "test_alignement_uniformite_valeurs"),
        message_contains=("la normalisation est faite sur le mauvais axe",),
    ),
    "submission-uniformite-off-diagonal-over-n-squared": Scenario(
        grade_id="alignement_uniformite",
        source=edit(_solution("alignement_uniformite", *_AU_DOCS),
                    ("    return torch.pdist(a, p=2).pow(2).mul(-t).exp().mean().log()",
                     "    K = torch.cdist(a, a).pow(2).mul(-t).exp()\n"
                     "    return torch.log((K.sum() - len(a)) / len(a) ** 2)")),
        must_fail=("test_alignement_uniformite_exemple", "test_alignement_uniformite_valeurs"),
        message_contains=("est divisée par N²",),
    ),
    "submission-effondrement-centred-before-normalising": Scenario(
        grade_id="effondrement",
        source=edit(_solution("effondrement", *_EFF_DOCS),
                    ("Z_norm = F.normalize(Z, dim=1)", "Z_norm = F.normalize(Z - Z.mean(dim=0), dim=1)")),
        must_fail=("test_mesure_effondrement_reference", "test_detecteur_effondrement"),
        message_contains=("Z est centré (moyenne du lot retirée) avant la normalisation",),
    ),
    "submission-effondrement-columns-normalised": Scenario(
        grade_id="effondrement",
        source=edit(_solution("effondrement", *_EFF_DOCS),
                    ("Z_norm = F.normalize(Z, dim=1)", "Z_norm = F.normalize(Z, dim=0)")),
        must_fail=("test_effondrement_exemple", "test_mesure_effondrement_reference"),
        message_contains=("la normalisation est faite sur le mauvais axe",),
        may_fail=("test_detecteur_effondrement",),
    ),
    "submission-nt-xent-columns-normalised": Scenario(
        grade_id="nt_xent",
        source=_nt_xent("Normalisation des colonnes.",
                        ("z = F.normalize(torch.cat([z1, z2], dim=0), dim=1)",
                         "z = F.normalize(torch.cat([z1, z2], dim=0), dim=0)")),
        must_fail=("test_nt_xent_valeurs",),
        message_contains=("la normalisation est faite sur le mauvais axe",),
        may_fail=("test_nt_xent_exemple", "test_nt_xent_gradients"),
    ),
    "submission-entrainer-rotation-sgd": Scenario(
        grade_id="pretexte_rotation",
        source=_pretexte(("optimiseur = torch.optim.Adam(", "optimiseur = torch.optim.SGD(")),
        must_fail=("test_rotation_pretexte_apprise",),
        message_contains=("l'énoncé demande Adam",),
        may_fail=("test_sonde_lineaire_bat_encodeur_aleatoire",),
    ),
}
SCENARIOS = {**SCENARIOS, **_R13_SCENARIOS}
GROUPS["blind-r13-1"] = (
    "submission-effondrement-detecter-first-100-images",
    "submission-masquage-grid-assumes-square-images",
    "submission-entrainer-rotation-torch-seed-zero",
    "submission-affiner-torch-seed-zero",
    "submission-nt-xent-positive-from-a-constant-batch-size",
    "submission-alignement-mse-loss",
    "submission-rotations-images-centred-in-place",
)
GROUPS["blind-r13-2"] = (
    "submission-entrainer-rotation-sgd",
    "submission-effondrement-detecter-notebook-images",
    "submission-masquage-grid-of-patches-of-two",
    "submission-uniformite-normalised-over-the-batch",
)
GROUPS["blind-r13-3"] = (
    "submission-effondrement-detecter-first-block-of-sequential",
    "submission-perte-masquee-divided-by-the-number-of-images",
    "submission-uniformite-off-diagonal-over-n-squared",
)
GROUPS["blind-r13-4"] = (
    "submission-perte-masquee-root-mean-square",
    "submission-effondrement-std-of-the-whole-matrix",
)
GROUPS["blind-r13-5"] = (
    "submission-perte-masquee-per-image-mean-empty-as-zero",
    "submission-effondrement-centred-before-normalising",
)
GROUPS["blind-r13-6"] = (
    "submission-effondrement-columns-normalised",
    "submission-nt-xent-columns-normalised",
)
# Correct code the new checks must keep at full marks: the detector's outputs computed in
# mini-batches of X (every image, in order), and X_masque in X's own dtype for float64 images
# ("une copie de X": the statement allows it; the notebook's images are float32).
CORRECT["blind-r13-correct-detecter-mini-batches"] = Correct(
    grade_id="effondrement",
    source=edit(_cell("effondrement"),
                (_DETECT_Z, "        Xt = torch.as_tensor(X, dtype=torch.float32)\n"
                            "        Z = torch.cat([encodeur(lot) for lot in Xt.split(64)])")),
    why="the outputs computed in mini-batches of 64 images, concatenated: every image of X",
)
CORRECT["blind-r13-correct-masquer-keeps-the-dtype"] = Correct(
    grade_id="masquage",
    source=edit(_cell("masquage"), ("    X = np.asarray(X, dtype=np.float32)\n", "    X = np.asarray(X)\n"),
                (_MASQUAGE_RETURN, "    return np.where(pixels, 0, X).astype(X.dtype), masque")),
    why="X_masque a copy of X in X's dtype (float32 for the notebook's images)",
)
CORRECT_GROUPS["blind-r13-correct"] = (
    "blind-r13-correct-detecter-mini-batches",
    "blind-r13-correct-masquer-keeps-the-dtype",
)



# Blind round 14: np.asarray(X, dtype=np.float32) then rotations written into it: the caller's
# float32 X (the notebook's dtype) is rotated in place, a float64 X is copied. The in-place
# probe now also passes the other float dtype.
SCENARIOS["blind-r14-rotations-rotate-asarray-in-place"] = Scenario(
    grade_id="rotations",
    source='def construire_rotations(X):\n    """(X_rot, y_rot) : les 4 rotations (k = 0..3, np.rot90, sens trigonométrique) de chaque\n    image carrée de X (N, H, H) ; X_rot (4N, H, H) en float32, y_rot (4N,) les entiers k."""\n    courant = np.asarray(X, dtype=np.float32)   # pas de copie si X est déjà float32\n    blocs, etiquettes = [], []\n    for k in range(4):\n        blocs.append(courant.copy())\n        etiquettes.append(np.full(len(courant), k))\n        if k < 3:\n            # on tourne encore de 90° pour la rotation suivante (sur place pour économiser la mémoire)\n            courant[:] = np.rot90(courant, 1, axes=(1, 2))\n    return np.concatenate(blocs), np.concatenate(etiquettes)\n',
    must_fail=("test_construire_rotations_coherentes",),
    message_contains=("modifie sur place un tableau ou tenseur qu'on lui passe",),
)
GROUPS["blind-r14-1"] = ("blind-r14-rotations-rotate-asarray-in-place",)
CORRECT["correct-r14-rotations-copy-then-rotate-in-place"] = Correct(
    grade_id="rotations",
    source='def construire_rotations(X):\n    """(X_rot, y_rot) : les 4 rotations (k = 0..3, np.rot90, sens trigonométrique) de chaque\n    image carrée de X (N, H, H) ; X_rot (4N, H, H) en float32, y_rot (4N,) les entiers k."""\n    courant = np.array(X, dtype=np.float32)   # une copie, même si X est déjà float32\n    blocs, etiquettes = [], []\n    for k in range(4):\n        blocs.append(courant.copy())\n        etiquettes.append(np.full(len(courant), k))\n        if k < 3:\n            # on tourne encore de 90° pour la rotation suivante (sur place pour économiser la mémoire)\n            courant[:] = np.rot90(courant, 1, axes=(1, 2))\n    return np.concatenate(blocs), np.concatenate(etiquettes)\n',
    why="np.array(X, dtype=np.float32) copies whatever X's dtype: rotating that copy in place is fine",
)
CORRECT_GROUPS["correct-r14-1"] = ("correct-r14-rotations-copy-then-rotate-in-place",)


# Blind round 15: the public example check told a mirror and a rescaled image to pass
# axes=(1, 2), which both did; each hint is now given only when its premise is observed.
SCENARIOS["blind-r15-rotations-mirror-for-half-turn"] = Scenario(
    grade_id="rotations",
    source='def construire_rotations(X):\n    """(X_rot, y_rot) : les 4 rotations (k = 0..3, np.rot90, sens trigonométrique) de chaque\n    image carrée de X (N, H, H) ; X_rot (4N, H, H) en float32, y_rot (4N,) les entiers k."""\n    X = np.asarray(X, dtype=np.float32)\n    r0 = X\n    r1 = np.rot90(X, 1, axes=(1, 2))\n    r2 = X[:, ::-1, :]            # demi-tour = retourner l\'image\n    r3 = np.rot90(X, 3, axes=(1, 2))\n    X_rot = np.concatenate([r0, r1, r2, r3]).copy()\n    y_rot = np.repeat(np.arange(4), len(X))\n    return X_rot, y_rot\n',
    must_fail=("test_construire_rotations_exemple", "test_construire_rotations_coherentes"),
    message_contains=("c'est un miroir (ou une transposition) d'une image de X",),
)
SCENARIOS["blind-r15-rotations-rescaled-images"] = Scenario(
    grade_id="rotations",
    source='def construire_rotations(X):\n    """(X_rot, y_rot) : les 4 rotations (k = 0..3, np.rot90, sens trigonométrique) de chaque\n    image carrée de X (N, H, H) ; X_rot (4N, H, H) en float32, y_rot (4N,) les entiers k."""\n    X = np.asarray(X, dtype=np.float32)\n    # on ramène chaque image dans [0, 1] pour stabiliser l\'apprentissage\n    maxi = np.abs(X).max(axis=(1, 2), keepdims=True) + 1e-8\n    X = X / maxi\n    X_rot = np.stack([np.rot90(X, k, axes=(1, 2)) for k in range(4)], axis=1)\n    y_rot = np.tile(np.arange(4), len(X))\n    return X_rot.reshape(-1, *X.shape[1:]).astype(np.float32), y_rot\n',
    must_fail=("test_construire_rotations_exemple", "test_construire_rotations_coherentes"),
    message_contains=("dont les valeurs ont été changées",),
)
GROUPS["blind-r15-1"] = ("blind-r15-rotations-mirror-for-half-turn",)
GROUPS["blind-r15-2"] = ("blind-r15-rotations-rescaled-images",)


# Blind round 17: uniformite dropping the pairs of identical rows (D2[D2 > 0]: a constant
# batch gives NaN), an unguarded Z / ‖Z‖ in mesure_effondrement (a dead ReLU encoder, all
# outputs zero, measures NaN and is not detected), and affiner sizing its head from y
# (int(y.max()) + 1) instead of n_classes. Each now has a structural grader case: a small
# batch with duplicate rows and a constant batch, a dead encoder and a constant one with one
# zero output, labels missing the last classes. The unguarded correct-effondrement-numpy
# above now guards its normalisation (the same fault).
SCENARIOS["blind-r17-uniformite-drops-zero-distances"] = Scenario(
    grade_id="alignement_uniformite",
    source='def alignement(z1, z2, alpha=2):\n    """Moyenne sur les paires positives de ‖ẑ1_i − ẑ2_i‖^alpha, lignes normalisées d\'abord."""\n    a = F.normalize(torch.as_tensor(z1), dim=1)\n    b = F.normalize(torch.as_tensor(z2), dim=1)\n    return (a - b).norm(dim=1).pow(alpha).mean()\n\n\ndef uniformite(z, t=2):\n    """log de la moyenne sur les paires i < j de exp(−t ‖ẑ_i − ẑ_j‖²), lignes normalisées d\'abord."""\n    a = F.normalize(torch.as_tensor(z), dim=1)\n    D2 = torch.cdist(a, a).pow(2).triu(diagonal=1)   # on garde le triangle supérieur i < j\n    paires = D2[D2 > 0]\n    return torch.exp(-t * paires).mean().log()\n',
    must_fail=("test_alignement_uniformite_valeurs",),
    message_contains=("les paires de lignes identiques (distance nulle) sont retirées",),
)
SCENARIOS["blind-r17-effondrement-unguarded-norm"] = Scenario(
    grade_id="effondrement",
    source='def mesure_effondrement(Z):\n    """√d × moyenne sur les d dimensions de l\'écart-type (sur le lot, sans correction) des lignes\n    normalisées de Z (N, d) : environ 1 si les représentations sont étalées, 0 si effondrées."""\n    Z = np.asarray(Z.detach() if torch.is_tensor(Z) else Z, dtype=np.float64)\n    Zn = Z / np.linalg.norm(Z, axis=1, keepdims=True)\n    return float(np.sqrt(Z.shape[1]) * np.std(Zn, axis=0).mean())\n\n\ndef detecter_effondrement(encodeur, X, seuil=0.1):\n    """True si les sorties de `encodeur` sur les images X sont effondrées (mesure < seuil)."""\n    with torch.no_grad():\n        Z = encodeur(torch.as_tensor(X, dtype=torch.float32))\n    return bool(mesure_effondrement(Z) < seuil)\n',
    must_fail=("test_detecteur_effondrement",),
    message_contains=("la normalisation Z / ‖z_i‖ n'est pas protégée",),
)
SCENARIOS["blind-r17-affiner-n-classes-from-y"] = Scenario(
    grade_id="peu_etiquettes",
    source='def affiner(encodeur, X, y, n_classes, epochs=100, lr=1e-2, seed=0):\n    """Classifieur nn.Sequential(encodeur, tête linéaire) entraîné (Adam, entropie croisée, lot\n    complet) sur les exemples étiquetés (X, y) ; renvoie le classifieur."""\n    torch.manual_seed(seed)\n    y = torch.as_tensor(y, dtype=torch.long)\n    k = int(y.max()) + 1          # nombre de classes présentes dans les étiquettes\n    modele = nn.Sequential(encodeur, nn.Linear(encodeur.dim, k))\n    X = torch.as_tensor(X, dtype=torch.float32)\n    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(epochs):\n        perte = F.cross_entropy(modele(X), y)\n        optimiseur.zero_grad()\n        perte.backward()\n        optimiseur.step()\n    return modele\n',
    must_fail=("test_affiner_depuis_zero_apprend",),
    message_contains=("pas le nombre de classes présentes dans les étiquettes",),
)
GROUPS["blind-r17-1"] = (
    "blind-r17-uniformite-drops-zero-distances",
    "blind-r17-effondrement-unguarded-norm",
    "blind-r17-affiner-n-classes-from-y",
)
CORRECT["blind-r17-correct-uniformite-cosine-offdiag"] = Correct(
    grade_id="alignement_uniformite",
    source='def alignement(z1, z2, alpha=2):\n    """Moyenne sur les paires positives de ‖ẑ1_i − ẑ2_i‖^alpha, lignes normalisées d\'abord."""\n    a = F.normalize(torch.as_tensor(z1).double(), dim=1)\n    b = F.normalize(torch.as_tensor(z2).double(), dim=1)\n    distances = torch.linalg.vector_norm(a - b, ord=2, dim=1)\n    return torch.mean(distances ** alpha)\n\n\ndef uniformite(z, t=2):\n    """log de la moyenne sur les paires i < j de exp(−t ‖ẑ_i − ẑ_j‖²), lignes normalisées d\'abord."""\n    a = F.normalize(torch.as_tensor(z).double(), dim=1)\n    n = len(a)\n    # ‖a_i − a_j‖² = 2 − 2 a_i·a_j pour des vecteurs unitaires ; la matrice est symétrique :\n    # la moyenne sur i ≠ j est la même que sur i < j\n    d2 = (2 - 2 * a @ a.T).clamp_min(0)\n    hors_diag = ~torch.eye(n, dtype=torch.bool)\n    noyau = torch.exp(-t * d2)[hors_diag]\n    return torch.log(noyau.sum() / (n * (n - 1)))\n',
    why="float64, ‖a − b‖² = 2 − 2 a·b clamped, mean over i ≠ j (the same as over i < j)",
)
CORRECT["blind-r17-correct-uniformite-manual-triu"] = Correct(
    grade_id="alignement_uniformite",
    source='import math\n\n\ndef _normaliser(z):\n    z = torch.as_tensor(z, dtype=torch.float32)\n    return z / z.norm(dim=1, keepdim=True).clamp_min(1e-12)\n\n\ndef alignement(z1, z2, alpha=2):\n    """Moyenne sur les paires positives de ‖ẑ1_i − ẑ2_i‖^alpha, lignes normalisées d\'abord."""\n    a, b = _normaliser(z1), _normaliser(z2)\n    d2 = ((a - b) ** 2).sum(dim=1)\n    return (d2 ** (alpha / 2)).mean()\n\n\ndef uniformite(z, t=2):\n    """log de la moyenne sur les paires i < j de exp(−t ‖ẑ_i − ẑ_j‖²), lignes normalisées d\'abord."""\n    a = _normaliser(z)\n    n = a.shape[0]\n    i, j = torch.triu_indices(n, n, offset=1)\n    d2 = ((a[i] - a[j]) ** 2).sum(dim=1)\n    return torch.logsumexp(-t * d2, dim=0) - math.log(len(d2))\n',
    why="normalisation by a clamped norm, triu_indices pairs, logsumexp − log(#pairs)",
)
CORRECT["blind-r17-correct-effondrement-numpy-guarded"] = Correct(
    grade_id="effondrement",
    source='def mesure_effondrement(Z):\n    """√d × moyenne sur les d dimensions de l\'écart-type (sur le lot, sans correction) des lignes\n    normalisées de Z (N, d) : environ 1 si les représentations sont étalées, 0 si effondrées."""\n    if isinstance(Z, torch.Tensor):\n        Z = Z.detach().cpu().numpy()\n    Z = np.asarray(Z, dtype=np.float64)\n    normes = np.linalg.norm(Z, axis=1, keepdims=True)\n    Zn = Z / np.maximum(normes, 1e-12)\n    d = Z.shape[1]\n    ecarts = Zn.std(axis=0)       # ddof = 0\n    return float(np.sqrt(d) * ecarts.mean())\n\n\ndef detecter_effondrement(encodeur, X, seuil=0.1):\n    """True si les sorties de `encodeur` sur les images X sont effondrées (mesure < seuil)."""\n    encodeur.eval()\n    with torch.no_grad():\n        sorties = encodeur(torch.tensor(np.asarray(X), dtype=torch.float32))\n    m = mesure_effondrement(sorties)\n    print(f"mesure d\'effondrement : {m:.4f} (seuil {seuil})")\n    return m < seuil\n',
    why="NumPy with np.maximum(norm, 1e-12), eval mode, prints its measure",
)
CORRECT["blind-r17-correct-effondrement-torch-var"] = Correct(
    grade_id="effondrement",
    source='def mesure_effondrement(Z):\n    """√d × moyenne sur les d dimensions de l\'écart-type (sur le lot, sans correction) des lignes\n    normalisées de Z (N, d) : environ 1 si les représentations sont étalées, 0 si effondrées."""\n    Z = torch.as_tensor(Z).detach().to(torch.float64)\n    Zn = F.normalize(Z, p=2, dim=-1)\n    centre = Zn - Zn.mean(dim=0, keepdim=True)\n    std = centre.pow(2).mean(dim=0).sqrt()\n    d = Zn.shape[-1]\n    return (std.sum() / d * d ** 0.5).item()\n\n\ndef detecter_effondrement(encodeur, X, seuil=0.1):\n    """True si les sorties de `encodeur` sur les images X sont effondrées (mesure < seuil)."""\n    with torch.inference_mode():\n        Z = encodeur(torch.as_tensor(X).float())\n    return not (mesure_effondrement(Z) >= seuil)\n',
    why="F.normalize in float64, std from the centred squares, not (m >= seuil)",
)
CORRECT["blind-r17-correct-effondrement-nan-to-num"] = Correct(
    grade_id="effondrement",
    source=edit(_cell("effondrement"),
                ("    Z_norm = F.normalize(Z, dim=1)\n",
                 "    Z_norm = torch.nan_to_num(Z / Z.norm(dim=1, keepdim=True))  # ligne nulle -> 0\n")),
    why="0 / 0 on a zero row turned back into 0 by nan_to_num: the same as F.normalize",
)
CORRECT["blind-r17-correct-affiner-class-module"] = Correct(
    grade_id="peu_etiquettes",
    source='class Classifieur(nn.Module):\n    """L\'encodeur reçu suivi d\'une tête linéaire."""\n\n    def __init__(self, encodeur, n_classes):\n        super().__init__()\n        self.encodeur = encodeur\n        self.tete = nn.Linear(encodeur.dim, n_classes)\n\n    def forward(self, x):\n        return self.tete(self.encodeur(x))\n\n\ndef affiner(encodeur, X, y, n_classes, epochs=100, lr=1e-2, seed=0):\n    """Classifieur nn.Sequential(encodeur, tête linéaire) entraîné (Adam, entropie croisée, lot\n    complet) sur les exemples étiquetés (X, y) ; renvoie le classifieur."""\n    torch.manual_seed(seed)\n    modele = Classifieur(encodeur, n_classes)\n    X_t = torch.tensor(np.asarray(X), dtype=torch.float32)\n    y_t = torch.tensor(np.asarray(y)).long()\n    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n    critere = nn.CrossEntropyLoss()\n    modele.train()\n    for epoque in range(epochs):\n        optimiseur.zero_grad()\n        perte = critere(modele(X_t), y_t)\n        perte.backward()\n        optimiseur.step()\n        if (epoque + 1) % 25 == 0:\n            print(f"époque {epoque + 1} : perte {perte.item():.4f}")\n    return modele\n',
    why="an nn.Module class holding the encoder and an n_classes head, nn.CrossEntropyLoss",
)
CORRECT["blind-r17-correct-affiner-ordereddict"] = Correct(
    grade_id="peu_etiquettes",
    source='from collections import OrderedDict\n\n\ndef affiner(encodeur, X, y, n_classes, epochs=100, lr=1e-2, seed=0):\n    """Classifieur nn.Sequential(encodeur, tête linéaire) entraîné (Adam, entropie croisée, lot\n    complet) sur les exemples étiquetés (X, y) ; renvoie le classifieur."""\n    torch.manual_seed(seed)\n    modele = nn.Sequential(OrderedDict([\n        ("encodeur", encodeur),\n        ("tete", nn.Linear(encodeur.dim, n_classes)),\n    ]))\n    entrees = torch.as_tensor(X).to(torch.float32)\n    cibles = torch.as_tensor(y).to(torch.int64)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(epochs):\n        logits = modele(entrees)\n        perte = F.cross_entropy(logits, cibles)\n        opt.zero_grad()\n        perte.backward()\n        opt.step()\n    modele.eval()\n    return modele\n',
    why="nn.Sequential from an OrderedDict, eval mode at the end",
)
CORRECT_GROUPS["blind-r17-correct-a"] = (
    "blind-r17-correct-uniformite-cosine-offdiag",
    "blind-r17-correct-effondrement-numpy-guarded",
    "blind-r17-correct-affiner-class-module",
)
CORRECT_GROUPS["blind-r17-correct-b"] = (
    "blind-r17-correct-uniformite-manual-triu",
    "blind-r17-correct-effondrement-torch-var",
    "blind-r17-correct-affiner-ordereddict",
)
CORRECT_GROUPS["blind-r17-correct-c"] = ("blind-r17-correct-effondrement-nan-to-num",)


# Blind round 19, by class. (1) detecter_effondrement on X[:256] decided right on the grader's X
# (its spread block lay in the first 256 rows): every image of X must now reach the encoder,
# whatever the decision (the mechanism, at every variant). (2) A param group without its own
# "lr" (Adam([{"params": encodeur...}, {"params": tete..., "lr": lr}])) trains the encoder at
# Adam's default whatever lr is; the optimiser's step is now checked for EVERY parameter's
# learning rate, in entrainer_rotation and affiner (and affiner's added layer must be in the
# optimiser). (3) The statistical bands (rotation accuracy, probe gap, accuracy from scratch,
# few-labels gap) confirm a result below the bar on fresh draws before it costs a point: the
# statement's entrainer_rotation lost half a point at variant 22 of the tester's nt_xent answer
# (blind-r19-nt-xent-temperature-constant below, its text kept byte for byte so that its hidden
# draw is the tester's). (4) The few-labels hint names affiner's own loop fault (no zero_grad)
# instead of blaming the encoder's use. (5) float16 rotations: the hint names the precision lost.
# Rejected: masquer_patchs returning X's own dtype (float64 in, float64 out) is "une copie de X",
# what the statement announces for X_masque (the intro's "images float32" are X_rot's).
SCENARIOS["blind-r19-effondrement-first-256-images"] = Scenario(
    grade_id="effondrement",
    source=edit(_cell("effondrement"), ("torch.as_tensor(X, dtype=torch.float32)",
                                        "torch.as_tensor(X[:256], dtype=torch.float32)")),
    must_fail=("test_detecteur_effondrement",),
    message_contains=("l'encodeur n'a reçu qu'une partie des images de X",),
)
SCENARIOS["blind-r19-pretexte-lr-only-for-the-head"] = Scenario(
    grade_id="pretexte_rotation",
    source=edit(_cell("pretexte_rotation"), (
        "optimiseur = torch.optim.Adam(list(encodeur.parameters()) + list(tete.parameters()), lr=lr)",
        'optimiseur = torch.optim.Adam(\n        [{"params": encodeur.parameters()}, '
        '{"params": tete.parameters(), "lr": lr}]\n    )')),
    must_fail=("test_rotation_pretexte_apprise",),
    message_contains=("les paramètres de l'encodeur ne sont pas optimisés au pas lr reçu",),
    may_fail=("test_sonde_lineaire_bat_encodeur_aleatoire",),
)
SCENARIOS["blind-r19-affiner-lr-only-for-the-head"] = Scenario(
    grade_id="peu_etiquettes",
    source=edit(_cell("peu_etiquettes"), (
        "optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)",
        'optimiseur = torch.optim.Adam([\n        {"params": modele[0].parameters()},\n'
        '        {"params": modele[1].parameters(), "lr": lr},\n    ])')),
    must_fail=("test_affiner_depuis_zero_apprend",),
    message_contains=("les paramètres de l'encodeur ne sont pas optimisés au pas lr reçu",),
    may_fail=("test_preentrainement_bat_depuis_zero",),
)
SCENARIOS["blind-r19-rotations-through-float16"] = Scenario(
    grade_id="rotations",
    source=edit(_cell("rotations"),
                ("X = np.asarray(X, dtype=np.float32)", "X = np.asarray(X).astype(np.float16)"),
                ("return X_rot.reshape(-1, *X.shape[1:]).copy(), y_rot",
                 "return X_rot.reshape(-1, *X.shape[1:]).astype(np.float32), y_rot")),
    must_fail=("test_construire_rotations_coherentes",),
    message_contains=("ses valeurs ont perdu de la précision",),
)
SCENARIOS["blind-r19-affiner-zero-grad-once"] = Scenario(
    grade_id="peu_etiquettes",
    source=edit(_cell("peu_etiquettes"),
                ("    for _ in range(epochs):\n", "    modele.zero_grad()\n    for _ in range(epochs):\n"),
                ("        optimiseur.zero_grad()\n", "")),
    must_fail=("test_affiner_depuis_zero_apprend",),
    message_contains=("zero_grad",),
    may_fail=("test_preentrainement_bat_depuis_zero",),
)
# The tester's answer, byte for byte: at variant 22 its hidden draw is the one on which the
# statement's entrainer_rotation reached 0.66 of rotations on the first draw.
SCENARIOS["blind-r19-nt-xent-temperature-constant"] = Scenario(
    grade_id="nt_xent",
    source='TAU = 0.5  # température de SimCLR\n\n\ndef nt_xent(z1, z2, temperature=0.5):\n    """Perte NT-Xent de SimCLR : z1[i] et z2[i] (tenseurs (N, d)) sont les projections des deux\n    vues de la même image ; moyenne sur les 2N exemples ; un tenseur scalaire dérivable."""\n    z = F.normalize(torch.cat([z1, z2], dim=0), dim=1)\n    n = z1.shape[0]\n    sim = z @ z.T / TAU\n    sim = sim.masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))\n    cibles = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])\n    return F.cross_entropy(sim, cibles)\n',
    must_fail=("test_nt_xent_valeurs", "test_nt_xent_gradients"),
    message_contains=("nt_xent ignore son argument temperature",),
)
GROUPS["blind-r19-1"] = (
    "blind-r19-effondrement-first-256-images",
    "blind-r19-pretexte-lr-only-for-the-head",
    "blind-r19-affiner-lr-only-for-the-head",
    "blind-r19-rotations-through-float16",
)
GROUPS["blind-r19-2"] = ("blind-r19-affiner-zero-grad-once",)
GROUPS["blind-r19-3"] = ("blind-r19-nt-xent-temperature-constant",)
CORRECT["blind-r19-correct-effondrement-chunks"] = Correct(
    grade_id="effondrement",
    source=edit(_cell("effondrement"), (
        "    with torch.no_grad():\n        Z = encodeur(torch.as_tensor(X, dtype=torch.float32))\n",
        "    X = torch.as_tensor(np.asarray(X), dtype=torch.float32)\n"
        "    with torch.no_grad():  # par paquets de 64 images : toutes les images de X\n"
        "        Z = torch.cat([encodeur(X[i:i + 64]) for i in range(0, len(X), 64)])\n")),
    why="the outputs on X computed in chunks of 64 images, concatenated: every image measured",
)
CORRECT["blind-r19-correct-pretexte-two-groups-one-lr"] = Correct(
    grade_id="pretexte_rotation",
    source=edit(_cell("pretexte_rotation"), (
        "optimiseur = torch.optim.Adam(list(encodeur.parameters()) + list(tete.parameters()), lr=lr)",
        'optimiseur = torch.optim.Adam(\n        [{"params": encodeur.parameters()}, '
        '{"params": tete.parameters()}], lr=lr\n    )')),
    why="two param groups without their own lr: both take the optimiser's lr=lr",
)
CORRECT["blind-r19-correct-affiner-groups-each-lr"] = Correct(
    grade_id="peu_etiquettes",
    source=edit(_cell("peu_etiquettes"), (
        "optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)",
        'optimiseur = torch.optim.Adam([\n        {"params": modele[0].parameters(), "lr": lr},\n'
        '        {"params": modele[1].parameters(), "lr": lr},\n    ])')),
    why="one param group per part, each at lr",
)
CORRECT["blind-r19-correct-effondrement-torch-float32"] = Correct(
    grade_id="effondrement", source='def mesure_effondrement(Z):\n    """√d × moyenne sur les d dimensions de l\'écart-type (sur le lot, sans correction) des lignes\n    normalisées de Z (N, d) : environ 1 si les représentations sont étalées, 0 si effondrées."""\n    Z = torch.as_tensor(Z).detach().double()\n    N, d = Z.shape\n    Zn = F.normalize(Z, dim=1)\n    moyenne = Zn.mean(dim=0, keepdim=True)\n    std = ((Zn - moyenne) ** 2).mean(dim=0).sqrt()\n    return (std.mean() * d ** 0.5).item()\n\n\n@torch.no_grad()\ndef detecter_effondrement(encodeur, X, seuil=0.1):\n    """True si les sorties de `encodeur` sur les images X sont effondrées (mesure < seuil)."""\n    X = torch.as_tensor(X).float()\n    mesure = mesure_effondrement(encodeur(X))\n    return True if mesure < seuil else False\n',
    why="the tester's: centred squares in float64, @torch.no_grad() on the detector",
)
CORRECT["blind-r19-correct-rotations-loop"] = Correct(
    grade_id="rotations", source='def construire_rotations(X):\n    """(X_rot, y_rot) : les 4 rotations (k = 0..3, np.rot90, sens trigonométrique) de chaque\n    image carrée de X (N, H, H) ; X_rot (4N, H, H) en float32, y_rot (4N,) les entiers k."""\n    images, etiquettes = [], []\n    for image in np.asarray(X):\n        for k in range(4):\n            images.append(np.rot90(image, k).astype(np.float32))\n            etiquettes.append(k)\n    X_rot = np.array(images, dtype=np.float32)\n    y_rot = np.array(etiquettes, dtype=np.int64)\n    return X_rot, y_rot\n',
    why="the tester's: a loop over images and k, float32 per image",
)
CORRECT["blind-r19-correct-pretexte-chain-prints"] = Correct(
    grade_id="pretexte_rotation", source='import itertools\n\n\ndef entrainer_rotation(encodeur, X, epochs=12, lr=3e-3, batch_size=256, seed=0):\n    """Entraîne `encodeur` et une tête à 4 classes à reconnaître la rotation des images X\n    (aucune étiquette de classe) ; renvoie (encodeur, tete)."""\n    torch.manual_seed(seed)\n    g = torch.Generator().manual_seed(seed)\n    X_rot, y_rot = construire_rotations(X)\n    images = torch.tensor(X_rot, dtype=torch.float32)\n    labels = torch.tensor(y_rot, dtype=torch.long)\n    tete = nn.Sequential(nn.Linear(encodeur.dim, 64), nn.ReLU(), nn.Linear(64, 4))\n    critere = nn.CrossEntropyLoss()\n    opt = torch.optim.Adam(itertools.chain(encodeur.parameters(), tete.parameters()), lr=lr)\n    encodeur.train()\n    tete.train()\n    n = images.shape[0]\n    for ep in range(epochs):\n        perm = torch.randperm(n, generator=g)\n        total, nb = 0.0, 0\n        for i in range(0, n, batch_size):\n            idx = perm[i:i + batch_size]\n            opt.zero_grad(set_to_none=True)\n            logits = tete(encodeur(images[idx]))\n            loss = critere(logits, labels[idx])\n            loss.backward()\n            opt.step()\n            total += loss.item() * len(idx)\n            nb += len(idx)\n        if ep % 4 == 0 or ep == epochs - 1:\n            print(f"époque {ep + 1}/{epochs} : perte {total / nb:.4f}")\n    return encodeur, tete\n',
    why="the tester's: itertools.chain of both parameter sets, CrossEntropyLoss, prints",
)
CORRECT["blind-r19-correct-affiner-separate-head"] = Correct(
    grade_id="peu_etiquettes", source='def affiner(encodeur, X, y, n_classes, epochs=100, lr=1e-2, seed=0):\n    """Classifieur nn.Sequential(encodeur, tête linéaire) entraîné (Adam, entropie croisée, lot\n    complet) sur les exemples étiquetés (X, y) ; renvoie le classifieur."""\n    torch.manual_seed(seed)\n    tete = nn.Linear(encodeur.dim, n_classes)\n    modele = nn.Sequential(encodeur, tete)\n    X_t = torch.as_tensor(X).float()\n    y_t = torch.as_tensor(y).long()\n    parametres = list(encodeur.parameters()) + list(tete.parameters())\n    optimiseur = torch.optim.Adam(parametres, lr=lr)\n    historique = []\n    for _ in range(epochs):\n        optimiseur.zero_grad()\n        perte = F.cross_entropy(modele(X_t), y_t, reduction="sum") / len(y_t)\n        perte.backward()\n        optimiseur.step()\n        historique.append(perte.item())\n    return modele\n',
    why="the tester's: the head built apart, a summed loss divided by N",
)
CORRECT_GROUPS["blind-r19-correct-a"] = (
    "blind-r19-correct-effondrement-chunks",
    "blind-r19-correct-pretexte-two-groups-one-lr",
    "blind-r19-correct-affiner-groups-each-lr",
)
CORRECT_GROUPS["blind-r19-correct-b"] = (
    "blind-r19-correct-effondrement-torch-float32",
    "blind-r19-correct-rotations-loop",
    "blind-r19-correct-pretexte-chain-prints",
    "blind-r19-correct-affiner-separate-head",
)


# Blind round 21, by class. (1) The images the encoder saw are not X's: the hint now reads its
# premise. A straight-line function of X (standardised, rescaled) is said as such (the returned
# model then receives raw images); the notebook's data are named only when the function reads
# them by global name (its bytecode, notebook_data_reads); another transformation (per-pixel
# standardisation) is said without blaming either. (2) backward()'s "modified by an inplace
# operation" names the in-place operation alone (autograder/checks/errors.py), with no NumPy nor
# ".detach()" advice. (3) alignement with (a − b).pow(alpha).sum(dim=1), no abs: the hint names
# each coordinate raised to alpha. Rejected as a false pass (course policy, as TP08): masquer_patchs
# rounding halves up, int(ratio · P + 0.5); at an exact half both counts are accepted, and the
# statistics check now draws one on purpose (4.5 of 9 patches).
SCENARIOS["blind-r21-affiner-standardises-x"] = Scenario(
    grade_id="peu_etiquettes",
    source=edit(_cell("peu_etiquettes"), (
        "    X = torch.as_tensor(X, dtype=torch.float32)\n",
        "    X = torch.as_tensor(X, dtype=torch.float32)\n"
        "    X = (X - X.mean()) / (X.std() + 1e-8)  # normalisation pour stabiliser l'entraînement\n")),
    must_fail=("test_affiner_depuis_zero_apprend",),
    message_contains=("ce sont les images de X transformées, a·X + b", "entraînez sur X tel quel"),
    may_fail=("test_preentrainement_bat_depuis_zero",),
)
SCENARIOS["blind-r21-affiner-standardises-each-pixel"] = Scenario(
    grade_id="peu_etiquettes",
    source=edit(_cell("peu_etiquettes"), (
        "    X = torch.as_tensor(X, dtype=torch.float32)\n",
        "    X = torch.as_tensor(X, dtype=torch.float32)\n"
        "    X = (X - X.mean(dim=0)) / (X.std(dim=0) + 1e-6)  # chaque pixel centré réduit\n")),
    must_fail=("test_affiner_depuis_zero_apprend",),
    message_contains=("ce ne sont ni les images de X, ni leurs rotations",),
    may_fail=("test_preentrainement_bat_depuis_zero",),
)
SCENARIOS["blind-r21-pretexte-standardises-x"] = Scenario(
    grade_id="pretexte_rotation",
    source=edit(_cell("pretexte_rotation"), (
        "    X_rot, y_rot = construire_rotations(X)\n",
        "    X = (X - X.mean()) / X.std()  # images centrées réduites\n"
        "    X_rot, y_rot = construire_rotations(X)\n")),
    must_fail=("test_rotation_pretexte_apprise",),
    message_contains=("ce sont les images de X transformées, a·X + b", "l'encodeur renvoyé"),
    may_fail=("test_sonde_lineaire_bat_encodeur_aleatoire",),
)
# The tester's answer: z /= z.norm(...) in place, then backward() raises.
SCENARIOS["blind-r21-nt-xent-normalise-in-place"] = Scenario(
    grade_id="nt_xent",
    source='def nt_xent(z1, z2, temperature=0.5):\n    """Perte NT-Xent de SimCLR : z1[i] et z2[i] (tenseurs (N, d)) sont les projections des deux\n    vues de la même image ; moyenne sur les 2N exemples ; un tenseur scalaire dérivable."""\n    n = len(z1)\n    z = torch.cat([z1, z2])\n    z /= z.norm(dim=1, keepdim=True)\n    sim = z @ z.T / temperature\n    sim.fill_diagonal_(float("-inf"))\n    cibles = torch.cat([torch.arange(n, 2 * n), torch.arange(n)])\n    return F.cross_entropy(sim, cibles)\n',
    must_fail=("test_nt_xent_gradients",),
    message_contains=("une opération sur place", "crée un nouveau tenseur"),
)
SCENARIOS["blind-r21-alignement-signed-power"] = Scenario(
    grade_id="alignement_uniformite",
    source=edit(_cell("alignement_uniformite"),
                ("(a - b).norm(dim=1).pow(alpha)", "(a - b).pow(alpha).sum(dim=1)")),
    must_fail=("test_alignement_uniformite_valeurs",),
    message_contains=("(a − b).pow(alpha).sum(dim=1)", "PUIS sa puissance alpha"),
)
GROUPS["blind-r21-a"] = (
    "blind-r21-affiner-standardises-x",
    "blind-r21-nt-xent-normalise-in-place",
    "blind-r21-alignement-signed-power",
)
GROUPS["blind-r21-b"] = (
    "blind-r21-affiner-standardises-each-pixel",
    "blind-r21-pretexte-standardises-x",
)
CORRECT["blind-r21-correct-masquer-round-half-up"] = Correct(
    grade_id="masquage",
    source='def masquer_patchs(X, ratio=0.5, taille=2, seed=0):\n    """(X_masque, masque) : round(ratio · P) patchs taille × taille masqués (mis à 0) par image,\n    tirés sans remise et indépendamment pour chaque image ; masque booléen (N, H // taille, W // taille)."""\n    X = np.asarray(X, dtype=np.float32)\n    N, H, W = X.shape\n    lignes, colonnes = H // taille, W // taille\n    P = lignes * colonnes\n    n_masques = int(ratio * P + 0.5)  # arrondi au plus proche\n    rng = np.random.default_rng(seed)\n    choix = np.argsort(rng.random((N, P)), axis=1)[:, :n_masques]\n    masque = np.zeros((N, P), dtype=bool)\n    np.put_along_axis(masque, choix, True, axis=1)\n    masque = masque.reshape(N, lignes, colonnes)\n    pixels = masque.repeat(taille, axis=1).repeat(taille, axis=2)\n    return np.where(pixels, np.float32(0.0), X), masque\n\n\ndef perte_masquee(X, X_rec, masque, taille=2):\n    """Erreur quadratique moyenne de X_rec par rapport à X sur les seuls pixels des patchs\n    masqués de tout le lot (tenseurs torch (N, H, W)) ; un tenseur scalaire dérivable."""\n    m = torch.as_tensor(np.asarray(masque, dtype=bool))\n    m = m.repeat_interleave(taille, dim=1).repeat_interleave(taille, dim=2)\n    return ((X_rec - X) ** 2)[m].mean()\n',
    why="round(ratio · P) read as half up, int(ratio · P + 0.5): the course accepts either "
        "rounding at an exact half (as TP08); the statistics check draws 4.5 of 9 patches",
)
CORRECT_GROUPS["correct-r21-a"] = ("blind-r21-correct-masquer-round-half-up",)
