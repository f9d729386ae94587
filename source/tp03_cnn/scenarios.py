"""Realistic wrong answers for TP03, as data: each replaces one answer cell of the solution.

`must_fail` names the checks that must lose points (failed, or partial credit);
every other check of the same item must keep its points, so each scenario shows exactly
which check catches the mistake. `message_contains` are substrings that must appear in
the French message of at least one of those checks: the hint that names the fault.
`affects` lists other items that may lose points as a consequence (the grader measures
the equivariance of the student's own conv2d). The models and the training loop are graded
apart: the student's models trained by the grader's loop, the grader's models trained by the
student's loop (a bug in one costs points once).
"""

from __future__ import annotations

import dataclasses

from autograder.prove import Correct, Scenario, edit, solution_cell, solution_with_docs

_CONV_VALUES = (
    "test_conv2d_fixed_examples",
    "test_conv2d_stride_and_padding",
    "test_conv2d_gradients_match_autograd",
)
_TRAIN_TRANSLATED = (  # item models: the student's models trained by the grader's loop
    "test_cnn_accuracy_on_translated_digits",
    "test_cnn_beats_mlp_on_translated_digits",
)
_TRAIN_ALL = (  # item train: the grader's models trained by the student's loop
    "test_entrainer_trains_a_small_model",
    "test_models_learn_clean_digits",
)


def _conv(body: str, doc: str) -> str:
    """A conv2d answer cell whose body replaces the solution's."""
    return f'''def conv2d(x, w, b=None, stride=1, padding=0):
    """{doc}"""
{body}'''


def _entrainer(batch_lines: str, doc: str) -> str:
    return f'''def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):
    """{doc}"""
    generateur = torch.Generator().manual_seed(seed)
    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)
    modele.train()
    N = len(X_train)
    for _ in range(epochs):
        ordre = torch.randperm(N, generator=generateur)
        for debut in range(0, N, batch_size):
            lot = ordre[debut : debut + batch_size]
{batch_lines}
    return modele
'''


_MLP_SOLUTION = '''

def creer_mlp():
    """Le MLP de la solution."""
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
'''

SCENARIOS: dict[str, Scenario] = {
    # ------------------------------------------------------------ output size
    "submission-output-size-round-instead-of-floor": Scenario(
        grade_id="output_size",
        source=edit(solution_with_docs(__file__, 'output_size', 'Arrondi au plus proche au lieu de la partie entière.'),
            ('    return (w_in - k + 2 * p) // s + 1\n',
             '    return round((w_in - k + 2 * p) / s) + 1\n')),
        must_fail=(
            "test_taille_sortie_course_examples",
            "test_taille_sortie_matches_conv2d_shapes",
        ),
        message_contains=("c'est un arrondi au plus proche", "division entière"),
    ),
    "submission-output-size-padding-counted-once": Scenario(
        grade_id="output_size",
        source=edit(solution_with_docs(__file__, 'output_size', "Le padding n'est compté que d'un côté."),
            ('    return (w_in - k + 2 * p) // s + 1\n',
             '    return (w_in - k + p) // s + 1\n')),
        must_fail=(
            "test_taille_sortie_course_examples",
            "test_taille_sortie_matches_conv2d_shapes",
        ),
        message_contains=("le padding compte deux fois",),
    ),
    # ------------------------------------------------------------ conv layer parameters
    "submission-param-formula-forgets-bias": Scenario(
        grade_id="conv_params",
        source=edit(solution_with_docs(__file__, 'conv_params', 'Compte les poids des filtres mais pas leurs biais.'),
            ('    return int((kx * ky * I + 1) * F)\n',
             '    return kx * ky * I * F\n')),
        must_fail=("test_nb_params_conv_fixed_examples", "test_nb_params_conv_matches_torch"),
        message_contains=("c'est le compte sans les biais",),
    ),
    "submission-param-formula-forgets-input-channels": Scenario(
        grade_id="conv_params",
        source=edit(solution_with_docs(__file__, 'conv_params', "Oublie que chaque filtre porte sur les I plans d'entrée."),
            ('    return int((kx * ky * I + 1) * F)\n',
             '    return (kx * ky + 1) * F\n')),
        must_fail=("test_nb_params_conv_fixed_examples", "test_nb_params_conv_matches_torch"),
        message_contains=("il manque le nombre de plans d'entrée I",),
    ),
    # ------------------------------------------------------------ MLP on an image
    "submission-mlp-params-forgets-biases": Scenario(
        grade_id="mlp_params",
        source=edit(solution_with_docs(__file__, 'mlp_params', 'Les poids des trois couches, sans les biais.'),
            ('    largeurs = [s, s // 2, s // 4, 1]\n'
             '    return int(sum(n * m + m for n, m in zip(largeurs[:-1], largeurs[1:], strict=True)))\n',
             '    return s * (s // 2) + (s // 2) * (s // 4) + (s // 4) * 1\n')),
        must_fail=("test_nb_params_mlp_course_numbers", "test_nb_params_mlp_random_images"),
        message_contains=("c'est le compte sans les biais",),
    ),
    "submission-mlp-params-only-first-layer": Scenario(
        grade_id="mlp_params",
        source=edit(solution_with_docs(__file__, 'mlp_params', "Ne compte que la couche d'entrée."),
            ('    largeurs = [s, s // 2, s // 4, 1]\n'
             '    return int(sum(n * m + m for n, m in zip(largeurs[:-1], largeurs[1:], strict=True)))\n',
             '    return s * (s // 2) + s // 2\n')),
        must_fail=("test_nb_params_mlp_course_numbers", "test_nb_params_mlp_random_images"),
        message_contains=("vous ne comptez que la première couche",),
    ),
    # ------------------------------------------------------------ conv2d
    "submission-conv-flipped-kernel": Scenario(
        grade_id="conv2d",
        source=_conv(
            """    k_y, k_x = w.shape[-2], w.shape[-1]
    if padding > 0:
        x = F.pad(x, (padding, padding, padding, padding))
    fenetres = x.unfold(2, k_y, stride).unfold(3, k_x, stride)
    sortie = torch.einsum("nchwuv,fcuv->nfhw", fenetres, w.flip(-1, -2))
    if b is not None:
        sortie = sortie + b.reshape(1, -1, 1, 1)
    return sortie
""",
            "La vraie convolution (noyau retourné) au lieu de la corrélation croisée de PyTorch.",
        ),
        must_fail=("test_conv2d_matches_torch", *_CONV_VALUES),
        message_contains=("vous retournez le noyau",),
    ),
    "submission-padding-one-side-only": Scenario(
        grade_id="conv2d",
        source=_conv(
            """    k_y, k_x = w.shape[-2], w.shape[-1]
    if padding > 0:
        x = F.pad(x, (padding, 0, padding, 0))
    fenetres = x.unfold(2, k_y, stride).unfold(3, k_x, stride)
    sortie = torch.einsum("nchwuv,fcuv->nfhw", fenetres, w)
    if b is not None:
        sortie = sortie + b.reshape(1, -1, 1, 1)
    return sortie
""",
            "Le padding n'est ajouté qu'en haut et à gauche.",
        ),
        must_fail=_CONV_VALUES,
        message_contains=("de CHAQUE côté",),
    ),
    "submission-conv-forgets-bias": Scenario(
        grade_id="conv2d",
        source=_conv(
            """    k_y, k_x = w.shape[-2], w.shape[-1]
    if padding > 0:
        x = F.pad(x, (padding, padding, padding, padding))
    fenetres = x.unfold(2, k_y, stride).unfold(3, k_x, stride)
    return torch.einsum("nchwuv,fcuv->nfhw", fenetres, w)
""",
            "Oublie d'ajouter le biais.",
        ),
        must_fail=("test_conv2d_matches_torch", *_CONV_VALUES),
        message_contains=("le biais b manque",),
    ),
    "submission-conv-ignores-stride": Scenario(
        grade_id="conv2d",
        source=_conv(
            """    k_y, k_x = w.shape[-2], w.shape[-1]
    if padding > 0:
        x = F.pad(x, (padding, padding, padding, padding))
    fenetres = x.unfold(2, k_y, 1).unfold(3, k_x, 1)
    sortie = torch.einsum("nchwuv,fcuv->nfhw", fenetres, w)
    if b is not None:
        sortie = sortie + b.reshape(1, -1, 1, 1)
    return sortie
""",
            "La fenêtre avance toujours d'un pixel.",
        ),
        must_fail=_CONV_VALUES,
        message_contains=("le stride est ignoré",),
    ),
    "submission-conv-numpy-breaks-autograd": Scenario(
        grade_id="conv2d",
        source=_conv(
            """    xn = x.detach().numpy()
    wn = w.detach().numpy()
    if padding > 0:
        xn = np.pad(xn, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    N, C, H, W = xn.shape
    n_filtres, _, k_y, k_x = wn.shape
    H_out = (H - k_y) // stride + 1
    W_out = (W - k_x) // stride + 1
    sortie = np.zeros((N, n_filtres, H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            fenetre = xn[:, :, i * stride : i * stride + k_y, j * stride : j * stride + k_x]
            sortie[:, :, i, j] = np.einsum("ncuv,fcuv->nf", fenetre, wn)
    if b is not None:
        sortie = sortie + b.detach().numpy().reshape(1, -1, 1, 1)
    return torch.from_numpy(sortie)
""",
            "Valeurs justes, mais calculées en NumPy : l'autograd ne voit rien.",
        ),
        must_fail=("test_conv2d_gradients_match_autograd",),
        message_contains=("ne laisse pas passer le gradient",),
    ),
    "submission-conv-calls-F-conv2d": Scenario(
        grade_id="conv2d",
        source=_conv(
            "    return F.conv2d(x, w, b, stride=stride, padding=padding)\n",
            "Appelle la convolution de PyTorch au lieu de la programmer.",
        ),
        must_fail=("test_conv2d_matches_torch", *_CONV_VALUES),
        message_contains=("conv2d appelle F.conv2d", "programmez le calcul vous-même"),
    ),
    "submission-conv-swaps-window-axes": Scenario(
        grade_id="conv2d",
        source=_conv(
            """    N, C, H, W = x.shape
    n_filtres, _, k_y, k_x = w.shape
    if padding > 0:
        x = F.pad(x, (padding, padding, padding, padding))
    H_out = (H + 2 * padding - k_y) // stride + 1
    W_out = (W + 2 * padding - k_x) // stride + 1
    lignes = []
    for i in range(H_out):
        ligne = []
        for j in range(W_out):
            fenetre = x[:, :, j * stride : j * stride + k_y, i * stride : i * stride + k_x]
            ligne.append((fenetre.unsqueeze(1) * w.unsqueeze(0)).sum(dim=(2, 3, 4)))
        lignes.append(torch.stack(ligne, dim=-1))
    sortie = torch.stack(lignes, dim=-2)
    if b is not None:
        sortie = sortie + b.reshape(1, -1, 1, 1)
    return sortie
""",
            "Boucles dont la fenêtre échange lignes et colonnes (j pour les lignes, i pour les colonnes).",
        ),
        must_fail=(
            "test_conv2d_matches_torch",
            *_CONV_VALUES,
            "test_conv2d_is_translation_equivariant",
        ),
        message_contains=("n'est pas équivariante par translation",),
        affects=("equivariance",),
    ),
    # ------------------------------------------------------------ max-pooling
    "submission-maxpool-pads-with-zeros": Scenario(
        grade_id="max_pool",
        source=edit(solution_with_docs(__file__, 'max_pool', 'Padding par des zéros au lieu de -inf.'),
            ('        x = F.pad(x, (padding, padding, padding, padding), value=float("-inf"))\n',
             '        x = F.pad(x, (padding, padding, padding, padding))\n')),
        must_fail=(
            "test_max_pool_fixed_example",
            "test_max_pool_matches_torch",
            "test_max_pool_gradients_match_autograd",
        ),
        message_contains=("ajoute des −∞, pas des zéros",),
    ),
    "submission-maxpool-default-stride-1": Scenario(
        grade_id="max_pool",
        source=edit(solution_with_docs(__file__, 'max_pool', "Sans stride donné, la fenêtre avance d'un pixel."),
            ('    s = k if stride is None else stride\n',
             '    s = 1 if stride is None else stride\n')),
        must_fail=("test_max_pool_fixed_example", "test_max_pool_matches_torch"),
        message_contains=("stride=None signifie stride = k",),
    ),
    "submission-maxpool-average": Scenario(
        grade_id="max_pool",
        source=edit(solution_with_docs(__file__, 'max_pool', 'La moyenne de chaque fenêtre au lieu du maximum.'),
            ('        x = F.pad(x, (padding, padding, padding, padding), value=float("-inf"))\n    return x.unfold(2, k, s).unfold(3, k, s).amax(dim=(-2, -1))\n',
             '        x = F.pad(x, (padding, padding, padding, padding))\n    return x.unfold(2, k, s).unfold(3, k, s).mean(dim=(-2, -1))\n')),
        must_fail=(
            "test_max_pool_fixed_example",
            "test_max_pool_matches_torch",
            "test_max_pool_gradients_match_autograd",
        ),
        message_contains=("c'est une moyenne",),
    ),
    # ------------------------------------------------------------ equivariance
    "submission-equivariance-measures-invariance": Scenario(
        grade_id="equivariance",
        source=edit(solution_with_docs(__file__, 'equivariance', "Compare f(T x) à f(x) : c'est l'invariance."),
            ('        ecart = f(translater(x, dy, dx)) - translater(f(x), dy, dx)\n'
             '    return float(ecart.abs().max())\n',
             '        return float((f(translater(x, dy, dx)) - f(x)).abs().max())\n')),
        must_fail=(
            "test_erreur_equivariance_fixed_cases",
            "test_erreur_equivariance_on_grader_functions",
        ),
        message_contains=("c'est l'invariance",),
    ),
    "submission-equivariance-shifts-output-backwards": Scenario(
        grade_id="equivariance",
        source=edit(solution_with_docs(__file__, 'equivariance', 'Translate la sortie dans le sens opposé.'),
            ('        ecart = f(translater(x, dy, dx)) - translater(f(x), dy, dx)\n'
             '    return float(ecart.abs().max())\n',
             '        return float((f(translater(x, dy, dx)) - translater(f(x), -dy, -dx)).abs().max())\n')),
        must_fail=(
            "test_erreur_equivariance_fixed_cases",
            "test_erreur_equivariance_on_grader_functions",
        ),
        message_contains=("dans le mauvais sens",),
    ),
    # ------------------------------------------------------------ models
    "submission-mlp-much-larger-than-cnn": Scenario(
        grade_id="models",
        source=edit(solution_with_docs(__file__, 'models', 'Le CNN de la solution.', 'Un MLP large : près de neuf fois les paramètres du CNN.'),
            ('    # (5·5·1 + 1)·16 + (3·3·16 + 1)·24 + (24 + 1)·10 = 416 + 3 480 + 250 = 4 146 paramètres.\n',
             ''),
            ('    # (64 + 1)·64 + (64 + 1)·10 = 4 810 paramètres.\n    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))\n',
             '    return nn.Sequential(nn.Flatten(), nn.Linear(64, 512), nn.ReLU(), nn.Linear(512, 10))\n')),
        must_fail=("test_models_have_comparable_param_counts",),
        message_contains=("fois plus",),
    ),
    "submission-cnn-flatten-without-global-pooling": Scenario(
        grade_id="models",
        source='''def creer_cnn():
    """Une convolution puis une couche linéaire sur tous les pixels : l'invariance est perdue."""
    return nn.Sequential(
        nn.Conv2d(1, 8, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(8 * 8 * 8, 10),
    )
'''
        + _MLP_SOLUTION,
        # The head's input is seen too since blind round 7: 64 values per map, no global pooling.
        must_fail=(*_TRAIN_TRANSLATED, "test_models_are_new_and_non_linear"),
        message_contains=("pooling global",),
    ),
    "submission-cnn-without-convolution": Scenario(
        grade_id="models",
        source='''def creer_cnn():
    """Un « CNN » sans convolution : un second MLP."""
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
'''
        + _MLP_SOLUTION,
        must_fail=("test_models_shapes_and_layers", *_TRAIN_TRANSLATED),
        message_contains=("aucune couche nn.Conv2d",),
    ),
    # ------------------------------------------------------------ training
    "submission-train-never-steps": Scenario(
        grade_id="train",
        source=_entrainer(
            """            optimiseur.zero_grad()
            perte = F.cross_entropy(modele(X_train[lot]), y_train[lot])
            perte.backward()""",
            "Calcule les gradients mais n'appelle jamais optimiseur.step().",
        ),
        must_fail=_TRAIN_ALL,
        message_contains=("appelez optimiseur.step()",),
    ),
    "submission-train-labels-not-shuffled-with-inputs": Scenario(
        grade_id="train",
        source=_entrainer(
            """            optimiseur.zero_grad()
            perte = F.cross_entropy(modele(X_train[lot]), y_train[debut : debut + batch_size])
            perte.backward()
            optimiseur.step()""",
            "Mélange les images mais prend les étiquettes dans l'ordre d'origine.",
        ),
        must_fail=_TRAIN_ALL,
        message_contains=("y_train[lot] qui correspond à X_train[lot]",),
    ),
}

# Scenarios graded together in one notebook: within a group they touch different items
# whose checks are independent (the grader computes every reference itself), so one
# grading run serves them all. A scenario whose fault reaches another item (`affects`)
# is never grouped with a scenario of that item.
GROUPS: dict[str, tuple[str, ...]] = {
    "mistakes-1": (
        "submission-output-size-round-instead-of-floor",
        "submission-param-formula-forgets-bias",
        "submission-mlp-params-forgets-biases",
        "submission-conv-flipped-kernel",
        "submission-maxpool-pads-with-zeros",
        "submission-equivariance-measures-invariance",
        "submission-mlp-much-larger-than-cnn",
    ),
    "mistakes-2": (
        "submission-output-size-padding-counted-once",
        "submission-param-formula-forgets-input-channels",
        "submission-mlp-params-only-first-layer",
        "submission-padding-one-side-only",
        "submission-maxpool-default-stride-1",
        "submission-equivariance-shifts-output-backwards",
        "submission-train-never-steps",
    ),
    "mistakes-3": (
        "submission-conv-forgets-bias",
        "submission-maxpool-average",
        "submission-cnn-flatten-without-global-pooling",
    ),
    "mistakes-4": (
        "submission-conv-ignores-stride",
        "submission-train-labels-not-shuffled-with-inputs",
    ),
    "mistakes-5": (
        "submission-conv-numpy-breaks-autograd",
        "submission-cnn-without-convolution",
    ),
    "conv-library": ("submission-conv-calls-F-conv2d",),
    "conv-swapped-axes": ("submission-conv-swaps-window-axes",),
}

# ---------------------------------------------------------------- issue 12
# A missing + 1 used to be told "le padding compte deux fois" (the first hint whose formula
# matched one configuration); hints now need a formula that explains every answer.
SCENARIOS["submission-output-size-missing-plus-one"] = Scenario(
    grade_id="output_size",
    source=edit(solution_with_docs(__file__, 'output_size', 'Oublie le + 1.'),
            ('    return (w_in - k + 2 * p) // s + 1\n',
             '    return (w_in - k + 2 * p) // s\n')),
    must_fail=("test_taille_sortie_course_examples", "test_taille_sortie_matches_conv2d_shapes"),
    message_contains=("il manque le + 1",),
)
GROUPS["issue12-a"] = ("submission-output-size-missing-plus-one",)

# Alternative correct answers, written as students write them: each must keep full marks.
CORRECT: dict[str, Correct] = {
    "correct-mlp-params-loop": Correct(
        grade_id="mlp_params",
        source='''def nb_params_mlp_image(h, w):
    s = h * w
    couches = [(s, s // 2), (s // 2, s // 4), (s // 4, 1)]
    total = 0
    for n_in, n_out in couches:
        total += n_in * n_out + n_out
    return total
''',
        why="an explicit loop over the layers",
    ),
    "correct-output-size-math-floor": Correct(
        grade_id="output_size",
        source='''import math


def taille_sortie(w_in, k, p=0, s=1):
    return int(math.floor((w_in + 2 * p - k) / s)) + 1
''',
        why="math.floor of a float division",
    ),
    "correct-conv2d-loops": Correct(
        grade_id="conv2d",
        source='''def conv2d(x, w, b=None, stride=1, padding=0):
    N, C, H, W = x.shape
    F_out, _, ky, kx = w.shape
    if padding:
        x = torch.nn.functional.pad(x, [padding] * 4)
    H_out = (H + 2 * padding - ky) // stride + 1
    W_out = (W + 2 * padding - kx) // stride + 1
    lignes = []
    for i in range(H_out):
        colonnes = []
        for j in range(W_out):
            fen = x[:, :, i * stride : i * stride + ky, j * stride : j * stride + kx]
            colonnes.append((fen.unsqueeze(1) * w.unsqueeze(0)).sum(dim=(2, 3, 4)))
        lignes.append(torch.stack(colonnes, dim=-1))
    sortie = torch.stack(lignes, dim=-2)
    if b is not None:
        sortie = sortie + b.view(1, -1, 1, 1)
    return sortie
''',
        why="loops over output positions instead of unfold/einsum",
    ),
    "correct-maxpool-loops": Correct(
        grade_id="max_pool",
        source='''def max_pool2d(x, k, stride=None, padding=0):
    if stride is None:
        stride = k
    if padding > 0:
        x = F.pad(x, (padding,) * 4, value=-float("inf"))
    H_out = (x.shape[2] - k) // stride + 1
    W_out = (x.shape[3] - k) // stride + 1
    sortie = torch.empty(x.shape[0], x.shape[1], H_out, W_out, dtype=x.dtype)
    sortie = torch.stack([
        torch.stack([
            x[:, :, i * stride : i * stride + k, j * stride : j * stride + k].amax(dim=(2, 3))
            for j in range(W_out)
        ], dim=-1)
        for i in range(H_out)
    ], dim=-2)
    return sortie
''',
        why="loops over output positions",
    ),
    "correct-conv-params-float-formula": Correct(
        grade_id="conv_params",
        source='''def nb_params_conv(kx, ky, I, F):
    poids = kx * ky * I * F
    biais = F
    return poids + biais
''',
        why="weights and biases counted separately",
    ),
    "correct-models-custom-module": Correct(
        grade_id="models",
        source='''class MonCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 5, padding=2)
        self.c2 = nn.Conv2d(16, 24, 3, padding=1)
        self.fc = nn.Linear(24, 10)

    def forward(self, x):
        x = F.relu(self.c2(F.relu(self.c1(x))))
        return self.fc(torch.amax(x, dim=(2, 3)))


def creer_cnn():
    return MonCNN()


def creer_mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
''',
        why="a custom nn.Module with functional ReLU and a global max by torch.amax",
    ),
}
CORRECT_GROUPS: dict[str, tuple[str, ...]] = {"correct-variants": tuple(CORRECT)}

SCENARIOS["submission-output-size-default-padding-1"] = Scenario(
    grade_id="output_size",
    source=edit(solution_with_docs(__file__, 'output_size', 'Un padding de 1 par défaut (« pour garder la taille ») : la signature donnée dit p=0.'),
            ('def taille_sortie(w_in, k, p=0, s=1):\n',
             'def taille_sortie(w_in, k, p=1, s=1):\n')),
    must_fail=("test_taille_sortie_course_examples", "test_taille_sortie_matches_conv2d_shapes"),
    message_contains=("valeurs par défaut de la signature",),
)
GROUPS["mutants-a"] = ("submission-output-size-default-padding-1",)


# ---------------------------------------------------------------- issue 12: blind answers (fid-a)
# Written by a tester who had not read these checks: wrong answers that kept every point, and
# one whose hint blamed the batching for an ignored `epochs`. Classes: a structural case drawn
# on purpose (every equivariance error <= 0), the mechanism (an activation between layers),
# the statement's rules (a NEW module per call), arguments never varied (lr, epochs), a loop
# that never shuffles.
# The tester's models and loop, right (bases, not graded themselves).
_BLIND_TRAIN = 'import torch\nimport torch.nn.functional as F\ndef entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    g = torch.Generator().manual_seed(seed)\n    N = len(X_train)\n    for ep in range(epochs):\n        perm = torch.randperm(N, generator=g)\n        for d in range(0, N, batch_size):\n            idx = perm[d:d + batch_size]\n            opt.zero_grad()\n            F.cross_entropy(modele(X_train[idx]), y_train[idx]).backward()\n            opt.step()\n    return modele\n'
_BLIND_MODELS = 'from torch import nn\ndef creer_cnn():\n    return nn.Sequential(nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.Conv2d(16, 24, 3, padding=1), nn.ReLU(),\n                         nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(24, 10))\ndef creer_mlp():\n    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))\n'
SCENARIOS.update({
    "blind-equiv-no-abs": Scenario(
        grade_id="equivariance",
        source='def erreur_equivariance(f, x, dy, dx):\n    return float((f(translater(x, dy, dx)) - translater(f(x), dy, dx)).max())\n',
        must_fail=('test_erreur_equivariance_on_grader_functions',),
        message_contains=('il manque la valeur absolue',),
    ),
    "blind-models-cnn-no-relu": Scenario(
        grade_id="models",
        source=edit(_BLIND_MODELS,
            ('    return nn.Sequential(nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.Conv2d(16, 24, 3, padding=1), nn.ReLU(),\n',
             '    return nn.Sequential(nn.Conv2d(1, 16, 5, padding=2), nn.Conv2d(16, 24, 3, padding=1),\n')),
        must_fail=('test_models_are_new_and_non_linear',),
        message_contains=('après chaque nn.Conv2d',),
    ),
    "blind-train-no-shuffle": Scenario(
        grade_id="train",
        source=edit(_BLIND_TRAIN,
            ('    g = torch.Generator().manual_seed(seed)\n',
             ''),
            ('        perm = torch.randperm(N, generator=g)\n',
             ''),
            ('            idx = perm[d:d + batch_size]\n',
             ''),
            ('            F.cross_entropy(modele(X_train[idx]), y_train[idx]).backward()\n',
             '            F.cross_entropy(modele(X_train[d:d + batch_size]), y_train[d:d + batch_size]).backward()\n')),
        must_fail=('test_entrainer_batches_cover_the_epoch',),
        message_contains=('sans mélange',),
    ),
    "blind-models-mlp-no-relu": Scenario(
        grade_id="models",
        source=edit(_BLIND_MODELS,
            ('    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))\n',
             '    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.Linear(64, 10))\n')),
        must_fail=('test_models_are_new_and_non_linear',),
        message_contains=('est affine',),
    ),
    "blind-train-ignores-lr": Scenario(
        grade_id="train",
        source=edit(_BLIND_TRAIN,
            ('    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n',
             '    opt = torch.optim.Adam(modele.parameters(), lr=0.01)\n')),
        must_fail=('test_entrainer_batches_cover_the_epoch',),
        message_contains=("passez l'argument lr",),
    ),
    "blind-models-shared-instances": Scenario(
        grade_id="models",
        source='from torch import nn\n_CNN = nn.Sequential(nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.Conv2d(16, 24, 3, padding=1), nn.ReLU(),\n                     nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(24, 10))\n_MLP = nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))\ndef creer_cnn():\n    return _CNN\ndef creer_mlp():\n    return _MLP\n',
        must_fail=('test_models_are_new_and_non_linear',),
        message_contains=('NOUVEAU nn.Module',),
    ),
    "blind-train-ignores-epochs": Scenario(
        grade_id="train",
        source=edit(_BLIND_TRAIN,
            ('    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n',
             '    opt = torch.optim.Adam(modele.parameters(), lr=0.01)\n'),
            ('    for ep in range(epochs):\n',
             '    for ep in range(15):\n')),
        # A hard-coded number of epochs: the loop the accuracy measures is not the one asked.
        must_fail=('test_entrainer_batches_cover_the_epoch', 'test_models_learn_clean_digits'),
        message_contains=("l'argument epochs",),
    ),
})
GROUPS["blind-a"] = ('blind-equiv-no-abs', 'blind-models-cnn-no-relu', 'blind-train-no-shuffle')
GROUPS["blind-b"] = ('blind-models-mlp-no-relu', 'blind-train-ignores-lr')
GROUPS["blind-c"] = ('blind-models-shared-instances', 'blind-train-ignores-epochs')
_BLIND_CORRECT = {
    "correct-blind-mlp-params-loop": Correct(
        grade_id="mlp_params",
        source='def nb_params_mlp_image(h, w):\n    s = h * w\n    l = [s, s // 2, s // 4, 1]\n    tot = 0\n    for a, b in zip(l, l[1:]):\n        tot += a * b + b\n    return tot\n',
        why='loop over widths, integer division',
    ),
    "correct-blind-output-size-floor": Correct(
        grade_id="output_size",
        source='import math\ndef taille_sortie(w_in, k, p=0, s=1):\n    return int(math.floor((w_in - k + 2 * p) / s)) + 1\n',
        why='int(math.floor(...)) with float division',
    ),
    "correct-blind-conv2d-loops-stack": Correct(
        grade_id="conv2d",
        source='import torch\nimport torch.nn.functional as F\ndef conv2d(x, w, b=None, stride=1, padding=0):\n    N, C, H, W = x.shape\n    Co, Ci, ky, kx = w.shape\n    xp = F.pad(x, (padding, padding, padding, padding)) if padding > 0 else x\n    Ho = (H + 2 * padding - ky) // stride + 1\n    Wo = (W + 2 * padding - kx) // stride + 1\n    rows = []\n    for i in range(Ho):\n        cols = []\n        for j in range(Wo):\n            win = xp[:, :, i * stride:i * stride + ky, j * stride:j * stride + kx]\n            cols.append((win.unsqueeze(1) * w.unsqueeze(0)).sum(dim=(2, 3, 4)))\n        rows.append(torch.stack(cols, dim=-1))\n    out = torch.stack(rows, dim=-2)\n    if b is not None:\n        out = out + b.view(1, -1, 1, 1)\n    return out\n',
        why='explicit loops over output positions with torch.stack',
    ),
    "correct-blind-max-pool-loops": Correct(
        grade_id="max_pool",
        source='import torch\nimport torch.nn.functional as F\ndef max_pool2d(x, k, stride=None, padding=0):\n    s = k if stride is None else stride\n    xp = F.pad(x, (padding, padding, padding, padding), value=float("-inf"))\n    H, W = xp.shape[-2:]\n    Ho = (H - k) // s + 1\n    Wo = (W - k) // s + 1\n    out = torch.empty(x.shape[0], x.shape[1], Ho, Wo, dtype=x.dtype)\n    for i in range(Ho):\n        for j in range(Wo):\n            out[:, :, i, j] = xp[:, :, i * s:i * s + k, j * s:j * s + k].amax(dim=(-2, -1))\n    return out\n',
        why='loops + amax, explicit -inf padding',
    ),
    "correct-blind-conv-params-expanded": Correct(
        grade_id="conv_params",
        source='def nb_params_conv(kx, ky, I, F):\n    poids = kx * ky * I * F\n    biais = F\n    return int(poids + biais)\n',
        why='expanded form',
    ),
    "correct-blind-equivariance-no-grad": Correct(
        grade_id="equivariance",
        source='import torch\ndef erreur_equivariance(f, x, dy, dx):\n    with torch.no_grad():\n        a = f(translater(x, dy, dx))\n        b = translater(f(x), dy, dx)\n    return (a - b).abs().max().item()\n',
        why='no_grad and .item()',
    ),
    "correct-blind-models-3x3": Correct(
        grade_id="models",
        source='from torch import nn\ndef creer_cnn():\n    return nn.Sequential(\n        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),\n        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),\n        nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(32, 10))\ndef creer_mlp():\n    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))\n',
        why='other architecture (3x3 convs 16 and 32), MLP 64-48-32-10',
    ),
    "correct-blind-train-prints": Correct(
        grade_id="train",
        source='import torch\nimport torch.nn.functional as F\ndef entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    gen = torch.Generator().manual_seed(seed)\n    N = X_train.shape[0]\n    modele.train()\n    for ep in range(epochs):\n        perm = torch.randperm(N, generator=gen)\n        total = 0.0\n        for d in range(0, N, batch_size):\n            idx = perm[d:d + batch_size]\n            opt.zero_grad()\n            loss = F.cross_entropy(modele(X_train[idx]), y_train[idx])\n            loss.backward()\n            opt.step()\n            total += loss.item() * len(idx)\n        print(f"époque {ep}: {total / N:.3f}")\n    return modele\n',
        why='modele.train(), prints loss per epoch',
    ),
    "correct-blind-conv2d-unfold-matmul": Correct(
        grade_id="conv2d",
        source='import torch\nimport torch.nn.functional as F\ndef conv2d(x, w, b=None, stride=1, padding=0):\n    Co, Ci, ky, kx = w.shape\n    xp = F.pad(x, (padding,) * 4)\n    patches = xp.unfold(2, ky, stride).unfold(3, kx, stride)  # N, C, Ho, Wo, ky, kx\n    N, C, Ho, Wo = patches.shape[:4]\n    patches = patches.permute(0, 2, 3, 1, 4, 5).reshape(N, Ho, Wo, C * ky * kx)\n    out = patches @ w.reshape(Co, -1).T  # N, Ho, Wo, Co\n    out = out.permute(0, 3, 1, 2)\n    if b is not None:\n        out = out + b[None, :, None, None]\n    return out\n',
        why='unfold + reshape + matmul',
    ),
    "correct-blind-models-classes-amax": Correct(
        grade_id="models",
        source='import torch\nfrom torch import nn\nclass MonCNN(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.c1 = nn.Conv2d(1, 16, 5, padding=2)\n        self.c2 = nn.Conv2d(16, 24, 3, padding=1)\n        self.fc = nn.Linear(24, 10)\n    def forward(self, x):\n        x = torch.relu(self.c1(x))\n        x = torch.relu(self.c2(x))\n        x = torch.amax(x, dim=(2, 3))\n        return self.fc(x)\nclass MonMLP(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc1 = nn.Linear(64, 64)\n        self.fc2 = nn.Linear(64, 10)\n    def forward(self, x):\n        return self.fc2(torch.relu(self.fc1(x.flatten(1))))\ndef creer_cnn():\n    return MonCNN()\ndef creer_mlp():\n    return MonMLP()\n',
        why='custom nn.Module classes',
    ),
}
CORRECT = {**globals().get('CORRECT', {}), **_BLIND_CORRECT}
CORRECT_GROUPS = {**globals().get("CORRECT_GROUPS", {}), "correct-blind-a": ('correct-blind-mlp-params-loop', 'correct-blind-output-size-floor', 'correct-blind-conv2d-loops-stack', 'correct-blind-max-pool-loops', 'correct-blind-conv-params-expanded', 'correct-blind-equivariance-no-grad', 'correct-blind-models-3x3', 'correct-blind-train-prints')}
CORRECT_GROUPS = {**globals().get("CORRECT_GROUPS", {}), "correct-blind-b": ('correct-blind-conv2d-unfold-matmul', 'correct-blind-models-classes-amax')}

# Mutants of the solution (`autograder prove --mutants`) that are still correct answers. Only
# a sample (30 of 246, sample seed 0) has been graded so far: survivors of the rest are not
# judged yet.
EQUIVALENT: dict[str, str] = {
    "max_pool:Comparison_Gt_NotEq@4:15": "padding is never negative: padding != 0 is padding > 0",
    "train:SwapStatements@10:12": "zero_grad() before slicing the batch: gradients still cleared before backward",
}

# Mutation survivors of a sample (80 of 242, sample seed 0).
SCENARIOS.update({
    "submission-conv2d-default-padding-one": Scenario(
        grade_id="conv2d",
        source=edit(solution_with_docs(__file__, 'conv2d', 'Padding 1 par défaut (« same » pour un noyau 3×3) au lieu de 0.'),
            ('def conv2d(x, w, b=None, stride=1, padding=0):\n',
             'def conv2d(x, w, b=None, stride=1, padding=1):\n'),
            ('    # Fenêtres glissantes : (N, C_in, H_out, W_out, k_y, k_x).\n',
             '')),
        must_fail=("test_conv2d_fixed_examples", "test_conv2d_matches_torch"),
        message_contains=("gardez les valeurs par défaut de la signature (stride=1, padding=0)",),
    ),
    "submission-train-batches-grow": Scenario(
        grade_id="train",
        source=edit(solution_with_docs(__file__, 'train', "Fin du lot debut * batch_size : les lots grandissent au fil de l'époque et se chevauchent."),
            ('            lot = ordre[debut : debut + batch_size]\n',
             '            lot = ordre[debut : debut * batch_size]\n')),
        must_fail=("test_entrainer_batches_cover_the_epoch",),
        message_contains=("au plus batch_size",),
    ),
})
GROUPS["mutants-b"] = ("submission-conv2d-default-padding-one", "submission-train-batches-grow")
EQUIVALENT.update({
    "conv2d:Comparison_Gt_NotEq@7:15": "padding is never negative: padding != 0 is padding > 0",
    "max_pool:Comparison_Gt_GtE@4:15": "F.pad by 0 changes nothing: padding >= 0 is padding > 0",
    "conv2d:Unary_Delete_USub@6:23": "w is 4-D: w.shape[2] is w.shape[-2]",
    "conv2d:Comparison_Gt_GtE@7:15": "F.pad by 0 changes nothing: padding >= 0 is padding > 0",
    "max_pool:NumberReplacer@4:17#1": "F.pad by 0 changes nothing: padding > -1 is padding > 0",
    "train:SwapStatements@3:4": "the optimiser and the generator built in the other order: independent",
    "train:SwapStatements@4:4": "modele.train() before the optimiser is built: independent",
    "train:DetachValue@8:16": "a permutation of indices carries no gradient",
    "train:DropStatement@5:4": (
        "no modele.train(): the statement does not ask for it, and its layers (no dropout, no "
        "batch norm) behave the same in both modes"
    ),
    "equivariance:DetachValue@4:16": "computed under no_grad and returned as a float: detach changes nothing",
    "train:NumberReplacer@9:27#1": (
        "range(-1, N, batch_size): an empty first batch (a nan loss but zero gradients: one more "
        "Adam step on its moments) and batch_size − 1 examples skipped per epoch, others each "
        "epoch: no more than dropping an incomplete last batch, which is allowed"
    ),
})

# Mutation survivors of the same sample, second pass: a default changed in a signature the
# statement gives ("ne changez pas leurs paramètres"), and a CNN whose convolution changes
# the size of the maps, which the statement asks to keep.
_CNN = '''def creer_cnn():
    """{doc}"""
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=5, padding=2),
        nn.ReLU(),
        nn.Conv2d(16, 24, kernel_size={k}, padding={p}),
        nn.ReLU(),
        nn.AdaptiveMaxPool2d(1),
        nn.Flatten(),
        nn.Linear(24, 10),
    )


def creer_mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
'''
SCENARIOS.update({
    "submission-cnn-second-conv-without-padding": Scenario(
        grade_id="models",
        source=_CNN.format(doc="Seconde convolution sans padding : les plans passent de 8×8 à 6×6.", k=3, p=0),
        must_fail=("test_models_shapes_and_layers",),
        message_contains=("change la taille des plans",),
    ),
    "submission-max-pool-default-padding-one": Scenario(
        grade_id="max_pool",
        source=edit(solution_with_docs(__file__, 'max_pool', 'Padding 1 par défaut au lieu de 0.'),
            ('def max_pool2d(x, k, stride=None, padding=0):\n',
             'def max_pool2d(x, k, stride=None, padding=1):\n')),
        must_fail=("test_max_pool_fixed_example",),
        message_contains=("padding n'a plus la valeur par défaut",),
    ),
    "submission-train-default-epochs-changed": Scenario(
        grade_id="train",
        source=edit(solution_with_docs(__file__, 'train', "epochs = 30 par défaut (« plus d'époques, c'est mieux ») au lieu de 15."),
            ('def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n',
             'def entrainer(modele, X_train, y_train, epochs=30, lr=0.01, batch_size=64, seed=0):\n')),
        must_fail=("test_entrainer_trains_a_small_model",),
        message_contains=("epochs n'a plus la valeur par défaut",),
    ),
})
GROUPS["mutants-c"] = (
    "submission-cnn-second-conv-without-padding", "submission-max-pool-default-padding-one",
    "submission-train-default-epochs-changed",
)

# Blind answer (issue 12, part 1): pooling and activations written in forward (torch.amax,
# F.max_pool2d) escaped a check that hooked the nn.AdaptiveMaxPool2d module; the convolutions'
# outputs are judged instead.
# The tester's CNN, right (a base, not graded itself).
_BLIND_CNN_MODULE = 'import torch\nfrom torch import nn\nclass CNN(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.c1 = nn.Conv2d(1, 16, 5, padding=2)\n        self.c2 = nn.Conv2d(16, 24, 3, padding=1)\n        self.fc = nn.Linear(24, 10)\n    def forward(self, x):\n        x = torch.relu(self.c2(torch.relu(self.c1(x))))\n        return self.fc(torch.amax(x, dim=(2, 3)))\ndef creer_cnn():\n    return CNN()\ndef creer_mlp():\n    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))\n'
SCENARIOS["blind-models-cnn-functional-no-relu"] = Scenario(
    grade_id="models",
    source=edit(_BLIND_CNN_MODULE,
        ('        x = torch.relu(self.c2(torch.relu(self.c1(x))))\n',
         '        x = self.c2(self.c1(x))\n')),
    must_fail=("test_models_are_new_and_non_linear",),
    message_contains=("la sortie de la dernière nn.Conv2d est une fonction affine",),
)
GROUPS["mutants-a"] = (*GROUPS["mutants-a"], "blind-models-cnn-functional-no-relu")

# The same class as TP02's blind answer: the statement says "parcourez-les tous"; a loop that
# skips the incomplete last batch still reaches the accuracy bars.
SCENARIOS["submission-train-drops-last-partial-batch"] = Scenario(
    grade_id="train",
    source=edit(solution_cell(__file__, "train"),
                ("for debut in range(0, N, batch_size):", "for debut in range(0, N - batch_size + 1, batch_size):")),
    must_fail=("test_entrainer_batches_cover_the_epoch",),
    message_contains=("le dernier lot, incomplet, est sauté",),
)
GROUPS["mutants-a"] = (*GROUPS["mutants-a"], "submission-train-drops-last-partial-batch")

# Blind answers, round 3 (a tester who had not read these checks): the statement's types were
# never checked (a float32 output for a float64 x, a float count, a tensor for a float).
SCENARIOS.update({
    "blind-r3-conv2d-float32-output": Scenario(
        grade_id="conv2d",
        source='def conv2d(x, w, b=None, stride=1, padding=0):\n    x = x.float(); w = w.float()\n    xp = F.pad(x, (padding,) * 4)\n    ky, kx = w.shape[-2:]\n    fen = xp.unfold(2, ky, stride).unfold(3, kx, stride)\n    y = torch.einsum("nchwuv,fcuv->nfhw", fen, w)\n    if b is not None:\n        y = y + b.float()[None, :, None, None]\n    return y\n',
        must_fail=("test_conv2d_matches_torch",),
        message_contains=("du même type (dtype) que x",),
        affects=("equivariance",),
    ),
    "blind-r3-mlp-params-float": Scenario(
        grade_id="mlp_params",
        source='def nb_params_mlp_image(h, w):\n    s = h * w\n    return s * (s / 2) + s / 2 + (s / 2) * (s / 4) + s / 4 + (s / 4) * 1 + 1\n',
        must_fail=("test_nb_params_mlp_course_numbers",),
        message_contains=("l'énoncé demande un entier (int)",),
    ),
    "blind-r3-equivariance-returns-tensor": Scenario(
        grade_id="equivariance",
        source='def erreur_equivariance(f, x, dy, dx):\n    return (f(translater(x, dy, dx)) - translater(f(x), dy, dx)).abs().max()\n',
        must_fail=("test_erreur_equivariance_fixed_cases",),
        message_contains=("l'énoncé demande un nombre (un float)",),
    ),
})
GROUPS["blind-r3-a"] = ("blind-r3-conv2d-float32-output", "blind-r3-mlp-params-float")
GROUPS["blind-r3-b"] = ("blind-r3-equivariance-returns-tensor",)
CORRECT.update({
    "blind-r3-correct-conv2d-kernel-loop": Correct(grade_id="conv2d", source='def conv2d(x, w, b=None, stride=1, padding=0):\n    N, C, H, W = x.shape\n    F_, _, ky, kx = w.shape\n    xp = F.pad(x, (padding, padding, padding, padding)) if padding > 0 else x\n    Ho = (H + 2 * padding - ky) // stride + 1\n    Wo = (W + 2 * padding - kx) // stride + 1\n    y = torch.zeros(N, F_, Ho, Wo, dtype=x.dtype)\n    for u in range(ky):\n        for v in range(kx):\n            tranche = xp[:, :, u:u + stride * (Ho - 1) + 1:stride, v:v + stride * (Wo - 1) + 1:stride]\n            y = y + torch.einsum("nchw,fc->nfhw", tranche, w[:, :, u, v])\n    if b is not None:\n        y = y + b.view(1, -1, 1, 1)\n    return y\n', why="a loop over kernel offsets with strided slices"),
    "blind-r3-correct-maxpool-unfold": Correct(grade_id="max_pool", source='def max_pool2d(x, k, stride=None, padding=0):\n    s = k if stride is None else stride\n    if padding:\n        x = F.pad(x, (padding,) * 4, value=float("-inf"))\n    return x.unfold(2, k, s).unfold(3, k, s).amax(dim=(-2, -1))\n', why="Tensor.unfold"),
    "blind-r3-correct-output-size-floor": Correct(grade_id="output_size", source='import math as _m\ndef taille_sortie(w_in, k, p=0, s=1):\n    return int(_m.floor((w_in - k + 2 * p) / s)) + 1\n', why="math.floor of the true division"),
})
CORRECT_GROUPS["blind-r3-correct"] = ("blind-r3-correct-conv2d-kernel-loop", "blind-r3-correct-maxpool-unfold",
                                      "blind-r3-correct-output-size-floor")

# Blind finding (issue 12): a global AVERAGE pooling where the statement asks for
# nn.AdaptiveMaxPool2d(1) kept 20/20 (an average is translation-invariant too). The pooling is
# now probed by behaviour: what the final nn.Linear receives against the max and the mean over
# positions of the last map, however the pooling is written (module or in forward).
SCENARIOS.update({
    "blind-models-cnn-global-average-pooling": Scenario(
        grade_id="models",
        source=_CNN.format(doc="Pooling global par la moyenne.", k=3, p=1).replace(
            "nn.AdaptiveMaxPool2d(1)", "nn.AdaptiveAvgPool2d(1)"),
        must_fail=("test_models_are_new_and_non_linear",),
        message_contains=("la MOYENNE de chaque plan",),
        # An average-pooled CNN is weaker on translated digits under some variants (3, 4).
        may_fail=("test_cnn_accuracy_on_translated_digits", "test_cnn_beats_mlp_on_translated_digits"),
    ),
    "blind-models-cnn-mean-in-forward": Scenario(
        grade_id="models",
        source=edit(_BLIND_CNN_MODULE,
            ('        return self.fc(torch.amax(x, dim=(2, 3)))\n',
             '        return self.fc(x.mean(dim=(2, 3)))\n')),
        must_fail=("test_models_are_new_and_non_linear",),
        message_contains=("pooling global par le MAXIMUM",),
        # An average-pooled CNN is weaker on translated digits under some variants (3, 4).
        may_fail=("test_cnn_accuracy_on_translated_digits", "test_cnn_beats_mlp_on_translated_digits"),
    ),
})
GROUPS["blind-pool-a"] = ("blind-models-cnn-global-average-pooling",)
GROUPS["blind-pool-b"] = ("blind-models-cnn-mean-in-forward",)
CORRECT.update({
    "correct-models-maxpool-whole-map": Correct(
        grade_id="models",
        source=_CNN.format(doc="MaxPool2d sur tout le plan 8×8.", k=3, p=1).replace(
            "nn.AdaptiveMaxPool2d(1)", "nn.MaxPool2d(8)"),
        why="nn.MaxPool2d(8) on the 8×8 maps is the global max pooling",
    ),
    "correct-models-functional-adaptive-max": Correct(
        grade_id="models",
        source='import torch\nimport torch.nn.functional as F\nfrom torch import nn\nclass CNN(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.c1 = nn.Conv2d(1, 16, 5, padding=2)\n        self.c2 = nn.Conv2d(16, 24, 3, padding=1)\n        self.fc = nn.Linear(24, 10)\n    def forward(self, x):\n        x = self.c2(F.relu(self.c1(x)))\n        x = F.relu(F.adaptive_max_pool2d(x, 1))\n        return self.fc(torch.flatten(x, 1))\ndef creer_cnn():\n    return CNN()\ndef creer_mlp():\n    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))\n',
        why="F.adaptive_max_pool2d in forward, the ReLU after the pooling (max and ReLU commute)",
    ),
})
CORRECT_GROUPS["correct-pool-a"] = ("correct-models-maxpool-whole-map",)
CORRECT_GROUPS["correct-pool-b"] = ("correct-models-functional-adaptive-max",)

# Mutation sample of 60 (sample seed 11, variant 0): 59 caught; the survivor is still correct.
EQUIVALENT.update({
    "mlp_params:Binary_FloorDiv_Div@4:21": "h × w is a multiple of 4 (the statement's): s / 2 is an exact "
    "integer-valued float, and int() of the exact sum gives the same count",
})

# Blind round 5: the statement asks for models "renvoyant les logits (N, 10)"; a softmax or a
# sigmoid at the end still trains (F.cross_entropy applies its own log-softmax on top) and kept
# 20/20. The fresh models' outputs are now read: probabilities are named.
# The tester's models, right (a base, not graded itself).
_R5_MODELS = 'def creer_cnn():\n    return nn.Sequential(\n        nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(),\n        nn.Conv2d(16, 24, 3, padding=1), nn.ReLU(),\n        nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(24, 10))\n\n\ndef creer_mlp():\n    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))\n'
SCENARIOS["blind-r5-models-end-with-softmax"] = Scenario(
    grade_id="models",
    source=edit(_R5_MODELS,
        ('        nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(24, 10))\n',
         '        nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(24, 10), nn.Softmax(dim=1))\n'),
        ('    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))\n',
         '    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10), nn.Softmax(dim=1))\n')),
    must_fail=("test_models_are_new_and_non_linear",),
    message_contains=("renvoie des probabilités",),
)
SCENARIOS["blind-r5-cnn-ends-with-sigmoid"] = Scenario(
    grade_id="models",
    source=edit(_R5_MODELS,
        ('        nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(24, 10))\n',
         '        nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(24, 10), nn.Sigmoid())\n')),
    must_fail=("test_models_are_new_and_non_linear",),
    message_contains=("creer_cnn() renvoie des probabilités",),
)
GROUPS["blind-r5-softmax"] = ("blind-r5-models-end-with-softmax",)
GROUPS["blind-r5-sigmoid"] = ("blind-r5-cnn-ends-with-sigmoid",)

# Blind round 5: the statement's rule on arguments, for conv2d (the bias reshaped in place).
SCENARIOS["blind-r5-conv2d-reshapes-the-callers-bias"] = Scenario(
    grade_id="conv2d",
    source='def conv2d(x, w, b=None, stride=1, padding=0):\n    ky, kx = w.shape[-2:]\n    xp = F.pad(x, (padding, padding, padding, padding))\n    y = torch.einsum("nchwuv,fcuv->nfhw", xp.unfold(2, ky, stride).unfold(3, kx, stride), w)\n    if b is not None:\n        if b.requires_grad:\n            bb = b.view(-1, 1, 1)\n        else:\n            bb = b.unsqueeze_(-1).unsqueeze_(-1) if b.dim() == 1 else b\n        y = y + bb\n    return y\n',
    must_fail=("test_conv2d_stride_and_padding",),
    message_contains=("conv2d modifie sur place ce qu'on lui passe (b)",),
)
GROUPS["blind-r5-softmax"] = (*GROUPS["blind-r5-softmax"], "blind-r5-conv2d-reshapes-the-callers-bias")
SCENARIOS["blind-r5-equivariance-overwrites-the-callers-x"] = Scenario(
    grade_id="equivariance",
    source='def erreur_equivariance(f, x, dy, dx):\n    fx = f(x)\n    x.copy_(translater(x, dy, dx)) if not x.requires_grad else None\n    xt = x if not x.requires_grad else translater(x, dy, dx)\n    return float((f(xt) - translater(fx, dy, dx)).abs().max())\n',
    must_fail=("test_erreur_equivariance_on_grader_functions",),
    message_contains=("erreur_equivariance modifie sur place ce qu'on lui passe (x)",),
)
GROUPS["blind-r5-sigmoid"] = (*GROUPS["blind-r5-sigmoid"], "blind-r5-equivariance-overwrites-the-callers-x")

# Blind round 5, the training loop: what it does with its arguments is now recorded (a stand-in
# model and grader examples marked with their index, epochs = 1, 2, 3), and the grader's models
# learn digits whose classes the grader renames, so that a loop on the notebook's data fails.
# The tester's loop and conv2d, right (bases, not graded themselves): each answer below adds
# its "# fault" line and changes them once.
_R5_CONV = 'def conv2d(x, w, b=None, stride=1, padding=0):\n    ky, kx = w.shape[-2:]\n    xp = F.pad(x, (padding, padding, padding, padding))\n    fen = xp.unfold(2, ky, stride).unfold(3, kx, stride)\n    y = torch.einsum("nchwuv,fcuv->nfhw", fen, w)\n    if b is not None:\n        y = y + b[None, :, None, None]\n    return y\n'
_R5_TRAIN = 'def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n    g = torch.Generator().manual_seed(seed)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    N = len(X_train)\n    for _ in range(epochs):\n        perm = torch.randperm(N, generator=g)\n        for i in range(0, N, batch_size):\n            idx = perm[i:i + batch_size]\n            opt.zero_grad()\n            F.cross_entropy(modele(X_train[idx]), y_train[idx]).backward()\n            opt.step()\n    return modele\n'
SCENARIOS.update({
    "blind-r5-train-global-rng": Scenario(
        grade_id="train",
        source=edit(_R5_TRAIN,
            ('def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n',
             '# fault: torch.manual_seed(seed) + randperm on the GLOBAL RNG instead of a dedicated Generator (reseeds the global RNG as a side effect, other order)\n'
             'def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n'),
            ('    g = torch.Generator().manual_seed(seed)\n',
             '    torch.manual_seed(seed)\n'),
            ('        perm = torch.randperm(N, generator=g)\n',
             '        perm = torch.randperm(N)\n')),
        must_fail=("test_entrainer_batches_cover_the_epoch",),
        message_contains=("le générateur aléatoire GLOBAL de PyTorch",),
    ),
    "blind-r5-train-global-data": Scenario(
        grade_id="train",
        source='# fault: trains on the notebook\'s global X_train/y_train (module-level), the arguments are ignored\ndef entrainer(modele, X_tr, y_tr, epochs=15, lr=0.01, batch_size=64, seed=0):\n    Xg, yg = globals()["X_train"], globals()["y_train"]\n    g = torch.Generator().manual_seed(seed)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(epochs):\n        perm = torch.randperm(len(Xg), generator=g)\n        for i in range(0, len(Xg), batch_size):\n            idx = perm[i:i + batch_size]\n            opt.zero_grad()\n            F.cross_entropy(modele(Xg[idx]), yg[idx]).backward()\n            opt.step()\n    return modele\n',
        must_fail=("test_entrainer_batches_cover_the_epoch", "test_models_learn_clean_digits"),
        message_contains=("entraînez sur X_train, y_train reçus en argument, pas sur des variables du notebook",),
    ),
    "blind-r5-train-epochs-off-by-one": Scenario(
        grade_id="train",
        source=edit(_R5_TRAIN,
            ('def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n',
             '# fault: range(1, epochs): one epoch fewer than asked\n'
             'def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n'),
            ('    for _ in range(epochs):\n',
             '    for _ in range(1, epochs):\n')),
        must_fail=("test_entrainer_batches_cover_the_epoch", "test_models_learn_clean_digits"),
        message_contains=("la boucle fait epochs − 1 passages", "range(1, epochs) un de moins"),
    ),
    "blind-r5-train-loss-sum": Scenario(
        grade_id="train",
        source=edit(_R5_TRAIN,
            ('def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n',
             '# fault: cross_entropy with reduction="sum" instead of the mean (loss scaled by batch size)\n'
             'def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n'),
            ('            F.cross_entropy(modele(X_train[idx]), y_train[idx]).backward()\n',
             '            F.cross_entropy(modele(X_train[idx]), y_train[idx], reduction="sum").backward()\n')),
        must_fail=("test_entrainer_batches_cover_the_epoch",),
        message_contains=("une somme sur le lot",),
    ),
    # Right values, one input detached: the hint names the detachment, not the values.
    "blind-r5-conv2d-detaches-w": Scenario(
        grade_id="conv2d",
        source=edit(_R5_CONV,
            ('def conv2d(x, w, b=None, stride=1, padding=0):\n',
             '# fault: weights detached (w.detach()) -> right values, no gradient reaches w\n'
             'def conv2d(x, w, b=None, stride=1, padding=0):\n'),
            ('    y = torch.einsum("nchwuv,fcuv->nfhw", fen, w)\n',
             '    y = torch.einsum("nchwuv,fcuv->nfhw", fen, w.detach())\n')),
        must_fail=("test_conv2d_gradients_match_autograd",),
        message_contains=("aucun gradient n'atteint w : w est détaché du graphe",),
    ),
    "blind-r5-conv2d-detaches-b": Scenario(
        grade_id="conv2d",
        source=edit(_R5_CONV,
            ('def conv2d(x, w, b=None, stride=1, padding=0):\n',
             '# fault: bias detached (b.detach()) -> right values, no gradient reaches b\n'
             'def conv2d(x, w, b=None, stride=1, padding=0):\n'),
            ('        y = y + b[None, :, None, None]\n',
             '        y = y + b.detach()[None, :, None, None]\n')),
        must_fail=("test_conv2d_gradients_match_autograd",),
        message_contains=("aucun gradient n'atteint b : b est détaché du graphe",),
    ),
    # Wrong everywhere, not only at the border: the public hint does not blame the padding.
    "blind-r5-maxpool-max-of-abs": Scenario(
        grade_id="max_pool",
        source='# fault: takes the value of largest magnitude (max of |x|) then restores... no: returns max |x|\ndef max_pool2d(x, k, stride=None, padding=0):\n    s = k if stride is None else stride\n    xp = F.pad(x.abs(), (padding, padding, padding, padding), value=float("-inf"))\n    return xp.unfold(2, k, s).unfold(3, k, s).amax(dim=(-2, -1))\n',
        must_fail=("test_max_pool_fixed_example", "test_max_pool_matches_torch",
                   "test_max_pool_gradients_match_autograd"),
        message_contains=("aussi dans les fenêtres qui ne touchent pas le padding",),
    ),
})
GROUPS["blind-r5-softmax"] = (*GROUPS["blind-r5-softmax"], "blind-r5-train-global-rng")
GROUPS["blind-r5-sigmoid"] = (*GROUPS["blind-r5-sigmoid"], "blind-r5-train-global-data")
GROUPS["blind-r3-a"] = (*GROUPS["blind-r3-a"], "blind-r5-train-epochs-off-by-one")
GROUPS["blind-r3-b"] = (*GROUPS["blind-r3-b"], "blind-r5-train-loss-sum")
GROUPS["blind-pool-a"] = (*GROUPS["blind-pool-a"], "blind-r5-conv2d-detaches-w")
GROUPS["blind-pool-b"] = (*GROUPS["blind-pool-b"], "blind-r5-conv2d-detaches-b")
GROUPS["issue12-a"] = (*GROUPS["issue12-a"], "blind-r5-maxpool-max-of-abs")
CORRECT.update({
    "correct-r5-train-dataloader-generator": Correct(
        grade_id="train",
        source='from torch.utils.data import DataLoader, TensorDataset\ndef entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n    g = torch.Generator().manual_seed(seed)\n    chargeur = DataLoader(TensorDataset(X_train, y_train), batch_size=batch_size, shuffle=True, generator=g)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    modele.train()\n    for epoque in range(epochs):\n        for xb, yb in chargeur:\n            opt.zero_grad()\n            F.cross_entropy(modele(xb), yb).backward()\n            opt.step()\n    return modele\n',
        why="a DataLoader(shuffle=True, generator=g): its own generator, the global one untouched",
    ),
    "correct-r5-train-numpy-rng-and-accuracy-pass": Correct(
        grade_id="train",
        source='def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n    rng = np.random.default_rng(seed)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    N = len(X_train)\n    for epoque in range(1, epochs + 1):\n        ordre = torch.from_numpy(rng.permutation(N))\n        for debut in range(0, N, batch_size):\n            lot = ordre[debut:debut + batch_size]\n            opt.zero_grad()\n            perte = F.cross_entropy(modele(X_train[lot]), y_train[lot])\n            perte.backward()\n            opt.step()\n        # précision d\'entraînement, sans no_grad\n        acc = (modele(X_train).argmax(1) == y_train).float().mean().item()\n        print(f"époque {epoque} : précision {acc:.3f}")\n    return modele\n',
        why="np.random.default_rng(seed) (no global generator), range(1, epochs + 1), and a "
        "training-accuracy pass over the whole set each epoch without no_grad",
    ),
    "correct-r5-train-while-index-select": Correct(
        grade_id="train",
        source='# correct: train() mode, index_select, while loop, loss printed at the end\ndef entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n    gen = torch.Generator().manual_seed(seed)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    N = X_train.shape[0]\n    modele.train()\n    derniere = None\n    for epoque in range(epochs):\n        ordre = torch.randperm(N, generator=gen)\n        i = 0\n        while i < N:\n            idx = ordre[i:i + batch_size]\n            xb = X_train.index_select(0, idx)\n            yb = y_train.index_select(0, idx)\n            opt.zero_grad()\n            perte = F.cross_entropy(modele(xb), yb)\n            perte.backward()\n            opt.step()\n            derniere = perte.item()\n            i += batch_size\n    print("dernière perte", derniere)\n    return modele\n',
        why="a while loop over the batches, index_select, the last loss printed",
    ),
})
CORRECT_GROUPS["blind-r3-correct"] = (*CORRECT_GROUPS["blind-r3-correct"], "correct-r5-train-dataloader-generator")
CORRECT_GROUPS["correct-pool-a"] = (*CORRECT_GROUPS["correct-pool-a"], "correct-r5-train-numpy-rng-and-accuracy-pass")
CORRECT_GROUPS["correct-pool-b"] = (*CORRECT_GROUPS["correct-pool-b"], "correct-r5-train-while-index-select")


# Blind round 7 (a tester who had not read these checks). Wrong: the seed argument ignored, SGD
# with momentum instead of Adam, the caller's X_train / y_train (or max_pool2d's x) modified in
# place, a float32 output buffer for a float64 x in max_pool2d, a 2×2 adaptive pooling instead
# of the global one, and `if b:` on the bias (its message said to check the shapes). Correct:
# the tester's five right answers, and variants the new checks could hurt.
# The tester's loop, right (a base, not graded itself).
_R7_TRAIN = 'def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n    """Entraîne modele par Adam sur des mini-lots mélangés à chaque époque ; renvoie modele."""\n    gen = torch.Generator().manual_seed(seed)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    N = len(X_train)\n    for _ in range(epochs):\n        perm = torch.randperm(N, generator=gen)\n        for i in range(0, N, batch_size):\n            idx = perm[i:i + batch_size]\n            opt.zero_grad()\n            F.cross_entropy(modele(X_train[idx]), y_train[idx]).backward()\n            opt.step()\n    return modele\n'
SCENARIOS.update({
    "blind-r7-conv2d-if-b": Scenario(
        grade_id="conv2d",
        source='# FAULT: tests the bias with `if b:` (truthiness of a tensor): crashes for C_out > 1, skips a zero bias\ndef conv2d(x, w, b=None, stride=1, padding=0):\n    """Convolution 2D (corrélation croisée, comme PyTorch) de x (N, C_in, H, W) par w (C_out, C_in, k_y, k_x)."""\n    ky, kx = w.shape[2], w.shape[3]\n    xp = F.pad(x, (padding, padding, padding, padding))\n    fen = xp.unfold(2, ky, stride).unfold(3, kx, stride)\n    y = torch.einsum("nchwuv,fcuv->nfhw", fen, w)\n    if b:\n        y = y + b[None, :, None, None]\n    return y\n',
        must_fail=("test_conv2d_matches_torch", *_CONV_VALUES),
        message_contains=("la valeur de vérité d'un tenseur", "`if b is not None:`"),
        affects=("equivariance",),
    ),
    "blind-r7-train-sgd-momentum": Scenario(
        grade_id="train",
        source=edit(_R7_TRAIN,
            ('def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n',
             '# FAULT: SGD with momentum 0.9 and lr*10 instead of the asked torch.optim.Adam(modele.parameters(), lr=lr)\n'
             'def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n'),
            ('    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n',
             '    opt = torch.optim.SGD(modele.parameters(), lr=lr * 10, momentum=0.9)\n')),
        must_fail=("test_entrainer_batches_cover_the_epoch",),
        message_contains=("ce n'est pas le pas d'Adam",),
    ),
    "blind-r7-maxpool-shift-x-in-place": Scenario(
        grade_id="max_pool",
        source='# FAULT: shifts x to positive values IN PLACE (x -= min - 1) to pad with zeros, shifts the result back: caller\'s x modified\ndef max_pool2d(x, k, stride=None, padding=0):\n    """Max-pooling k×k de x (N, C, H, W), stride k par défaut, padding par -inf."""\n    s = k if stride is None else stride\n    decalage = float(x.detach().min()) - 1.0\n    x -= decalage\n    xp = F.pad(x, (padding, padding, padding, padding))\n    fen = xp.unfold(2, k, s).unfold(3, k, s)\n    return fen.amax(dim=(-2, -1)) + decalage\n',
        # x -= … on the gradient check's leaf (requires_grad) raises: said as a graph problem.
        must_fail=("test_max_pool_matches_torch", "test_max_pool_gradients_match_autograd"),
        message_contains=("max_pool2d modifie sur place ce qu'on lui passe (x)", "problème de graphe de calcul"),
    ),
    "blind-r7-cnn-adaptive-max-pool-2x2": Scenario(
        grade_id="models",
        source='# FAULT: final pooling AdaptiveMaxPool2d(2) (2x2 grid, not global, not translation invariant) then Linear(4*c, 10)\ndef creer_cnn():\n    """Un nouveau CNN (N, 1, 8, 8) -> (N, 10) : convolutions, pooling global, couche linéaire."""\n    return nn.Sequential(nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.Conv2d(16, 24, 3, padding=1), nn.ReLU(),\n                         nn.AdaptiveMaxPool2d(2), nn.Flatten(), nn.Linear(24 * 4, 10))\n\n\ndef creer_mlp():\n    """Un nouveau MLP (N, 1, 8, 8) -> (N, 10), sans convolution, de taille comparable au CNN."""\n    return nn.Sequential(nn.Flatten(), nn.Linear(64, 72), nn.ReLU(), nn.Linear(72, 10))\n',
        must_fail=("test_models_are_new_and_non_linear",),
        message_contains=("4 valeurs par plan",),
    ),
    "blind-r7-train-seed-ignored": Scenario(
        grade_id="train",
        source=edit(_R7_TRAIN,
            ('def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n',
             '# FAULT: generator always seeded with 0 (the seed argument is ignored)\n'
             'def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n'),
            ('    gen = torch.Generator().manual_seed(seed)\n',
             '    gen = torch.Generator().manual_seed(0)\n')),
        must_fail=("test_entrainer_batches_cover_the_epoch",),
        message_contains=("ne tire pas l'ordre des exemples avec son argument seed",),
    ),
    "blind-r7-maxpool-float32-buffer": Scenario(
        grade_id="max_pool",
        source='# FAULT: output buffer created with torch.full (default float32) and filled in place: float64 input -> float32 output\ndef max_pool2d(x, k, stride=None, padding=0):\n    """Max-pooling k×k de x (N, C, H, W), stride k par défaut, padding par -inf."""\n    s = k if stride is None else stride\n    xp = F.pad(x, (padding, padding, padding, padding), value=float("-inf"))\n    N, C = x.shape[:2]\n    H_out = (xp.shape[2] - k) // s + 1\n    W_out = (xp.shape[3] - k) // s + 1\n    out = torch.full((N, C, H_out, W_out), float("-inf"))\n    for i in range(H_out):\n        for j in range(W_out):\n            out[:, :, i, j] = xp[:, :, i * s:i * s + k, j * s:j * s + k].amax(dim=(-2, -1))\n    return out\n',
        must_fail=("test_max_pool_matches_torch",),
        # The float32 values carry float32 gradients: an entry where overlapping windows'
        # weights nearly cancel shows the rounding above the 1e-6 tolerance on some draws.
        may_fail=("test_max_pool_gradients_match_autograd",),
        message_contains=("du même type (dtype) que x", "dtype=x.dtype"),
    ),
    "blind-r7-train-shuffles-callers-data-in-place": Scenario(
        grade_id="train",
        source=edit(_R7_TRAIN,
            ('def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n',
             "# FAULT: shuffles the caller's X_train / y_train IN PLACE each epoch (arguments modified), then slices them in order\n"
             'def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n'),
            ('        perm = torch.randperm(N, generator=gen)\n',
             '        perm = torch.randperm(N, generator=gen)\n'
             '        X_train[:] = X_train[perm]\n'
             '        y_train[:] = y_train[perm]\n'),
            ('            idx = perm[i:i + batch_size]\n',
             ''),
            ('            F.cross_entropy(modele(X_train[idx]), y_train[idx]).backward()\n',
             '            F.cross_entropy(modele(X_train[i:i + batch_size]), y_train[i:i + batch_size]).backward()\n')),
        must_fail=("test_entrainer_batches_cover_the_epoch",),
        message_contains=("entrainer modifie sur place ce qu'on lui passe (X_train, y_train)",),
    ),
    "blind-r7-train-seed-from-global-generator": Scenario(
        grade_id="train",
        source=edit(_R7_TRAIN,
            ('def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n',
             '# FAULT: permutation drawn with a generator seeded from the GLOBAL RNG (torch.seed-dependent), seed argument ignored: not reproducible for a given seed\n'
             'def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n'),
            ('    gen = torch.Generator().manual_seed(seed)\n',
             '    gen = torch.Generator().manual_seed(int(torch.randint(0, 2**31 - 1, (1,))))\n')),
        must_fail=("test_entrainer_batches_cover_the_epoch",),
        message_contains=("le générateur aléatoire GLOBAL de PyTorch",),
    ),
})
GROUPS["blind-r7-a"] = ("blind-r7-conv2d-if-b", "blind-r7-train-sgd-momentum", "blind-r7-maxpool-shift-x-in-place",
                        "blind-r7-cnn-adaptive-max-pool-2x2")
GROUPS["conv-library"] = (*GROUPS["conv-library"], "blind-r7-train-seed-ignored", "blind-r7-maxpool-float32-buffer")
GROUPS["conv-swapped-axes"] = (*GROUPS["conv-swapped-axes"], "blind-r7-train-shuffles-callers-data-in-place")
GROUPS["issue12-a"] = (*GROUPS["issue12-a"], "blind-r7-train-seed-from-global-generator")
CORRECT.update({
    "correct-r7-conv2d-as-strided-cat-padding": Correct(
        grade_id="conv2d",
        source='# correct: manual zero padding with torch.cat, windows with as_strided, tensordot, bias only if given\ndef conv2d(x, w, b=None, stride=1, padding=0):\n    """Convolution 2D (corrélation croisée, comme PyTorch) de x (N, C_in, H, W) par w (C_out, C_in, k_y, k_x)."""\n    N, C, H, W = x.shape\n    C_out, C_in, ky, kx = w.shape\n    p, s = padding, stride\n    if p > 0:\n        zc = x.new_zeros(N, C, H, p)\n        x = torch.cat([zc, x, zc], dim=3)\n        zr = x.new_zeros(N, C, p, W + 2 * p)\n        x = torch.cat([zr, x, zr], dim=2)\n    x = x.contiguous()\n    Hp, Wp = x.shape[2], x.shape[3]\n    H_out = (Hp - ky) // s + 1\n    W_out = (Wp - kx) // s + 1\n    sN, sC, sH, sW = x.stride()\n    fen = x.as_strided((N, C, H_out, W_out, ky, kx), (sN, sC, sH * s, sW * s, sH, sW))\n    y = torch.tensordot(fen, w, dims=([1, 4, 5], [1, 2, 3]))  # (N, H_out, W_out, C_out)\n    y = y.permute(0, 3, 1, 2)\n    if b is not None:\n        y = y + b.reshape(1, -1, 1, 1)\n    return y.contiguous()\n',
        why='zero padding by torch.cat, windows by as_strided, tensordot (blind round 7)',
    ),
    "correct-r7-equivariance-numpy": Correct(
        grade_id="equivariance",
        source='# correct: computes both sides under no_grad, converts to numpy, np.max(np.abs(...)) cast to float\ndef erreur_equivariance(f, x, dy, dx):\n    """max |f(T_d x) - T_d f(x)| pour la translation T_d de (dy, dx) pixels."""\n    with torch.no_grad():\n        gauche = f(translater(x, dy, dx))\n        droite = translater(f(x), dy, dx)\n    diff = (gauche - droite).cpu().numpy()\n    return float(np.max(np.abs(diff)))\n',
        why='both sides under no_grad, np.max(np.abs(...)) cast to float (blind round 7)',
    ),
    "correct-r7-maxpool-pad-min-minus-one": Correct(
        grade_id="max_pool",
        source='# correct: pads with (min of x) - 1 instead of -inf (never wins), python loops over output positions, torch.stack\ndef max_pool2d(x, k, stride=None, padding=0):\n    """Max-pooling k×k de x (N, C, H, W), stride k par défaut, padding par -inf."""\n    s = k if stride is None else stride\n    p = padding\n    if p > 0:\n        remplissage = float(x.detach().min()) - 1.0\n        xp = F.pad(x, (p, p, p, p), value=remplissage)\n    else:\n        xp = x\n    H_out = (x.shape[2] + 2 * p - k) // s + 1\n    W_out = (x.shape[3] + 2 * p - k) // s + 1\n    lignes = []\n    for i in range(H_out):\n        ligne = []\n        for j in range(W_out):\n            fen = xp[:, :, i * s:i * s + k, j * s:j * s + k]\n            ligne.append(fen.reshape(fen.shape[0], fen.shape[1], -1).max(dim=-1).values)\n        lignes.append(torch.stack(ligne, dim=-1))\n    return torch.stack(lignes, dim=-2)\n',
        why='padding by min(x) - 1 (never wins), python loops, torch.stack (blind round 7)',
    ),
    "correct-r7-mlp-params-numpy-int64": Correct(
        grade_id="mlp_params",
        source='# correct: layer sizes in a numpy int64 array, weights+biases summed with numpy, cast to int\nimport numpy as np\n\ndef nb_params_mlp_image(h, w):\n    """Nombre de paramètres du MLP s -> s/2 -> s/4 -> 1 du cours, pour s = h * w pixels."""\n    s = h * w\n    tailles = np.array([s, s // 2, s // 4, 1], dtype=np.int64)\n    poids = tailles[:-1] * tailles[1:]\n    biais = tailles[1:]\n    return int(poids.sum() + biais.sum())\n',
        why='layer sizes in a numpy int64 array (blind round 7)',
    ),
    "correct-r7-train-dataloader": Correct(
        grade_id="train",
        source='# correct: TensorDataset + DataLoader(shuffle=True, generator seeded once), keeps the last partial batch\nfrom torch.utils.data import DataLoader, TensorDataset\n\n\ndef entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n    """Entraîne modele par Adam sur des mini-lots mélangés à chaque époque ; renvoie modele."""\n    gen = torch.Generator().manual_seed(seed)\n    chargeur = DataLoader(TensorDataset(X_train, y_train), batch_size=batch_size, shuffle=True,\n                          generator=gen, drop_last=False)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    modele.train()\n    for _ in range(epochs):\n        for xb, yb in chargeur:\n            opt.zero_grad()\n            perte = F.cross_entropy(modele(xb), yb)\n            perte.backward()\n            opt.step()\n    return modele\n',
        why='TensorDataset + DataLoader(shuffle, generator seeded once), drop_last=False (blind round 7)',
    ),
    "correct-r7-models-cnn-mlp-head": Correct(
        grade_id="models",
        source='def creer_cnn():\n    """CNN : convolutions, pooling global par le maximum, puis une tête à deux couches linéaires."""\n    return nn.Sequential(\n        nn.Conv2d(1, 16, kernel_size=5, padding=2), nn.ReLU(),\n        nn.Conv2d(16, 24, kernel_size=3, padding=1), nn.ReLU(),\n        nn.AdaptiveMaxPool2d(1), nn.Flatten(),\n        nn.Linear(24, 32), nn.ReLU(), nn.Linear(32, 10),\n    )\n\n\ndef creer_mlp():\n    """Le MLP de la solution."""\n    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))\n',
        why='global max pooling then a two-layer head: the first nn.Linear after the maps gets one value per map',
    ),
    "correct-r7-maxpool-buffer-of-x-dtype": Correct(
        grade_id="max_pool",
        source='def max_pool2d(x, k, stride=None, padding=0):\n    """Max-pooling k×k de x (N, C, H, W), stride k par défaut, padding par -inf."""\n    s = k if stride is None else stride\n    xp = F.pad(x, (padding, padding, padding, padding), value=float("-inf"))\n    H_out = (xp.shape[2] - k) // s + 1\n    W_out = (xp.shape[3] - k) // s + 1\n    sortie = torch.full((x.shape[0], x.shape[1], H_out, W_out), float("-inf"), dtype=x.dtype)\n    for i in range(H_out):\n        for j in range(W_out):\n            sortie[:, :, i, j] = xp[:, :, i * s:i * s + k, j * s:j * s + k].amax(dim=(-2, -1))\n    return sortie\n',
        why="an output buffer of x's dtype filled in place (a new tensor, not the argument)",
    ),
    "correct-r7-train-shuffled-copies-adam-betas": Correct(
        grade_id="train",
        source='def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):\n    """Entraîne modele par Adam sur des mini-lots mélangés à chaque époque ; renvoie modele."""\n    g = torch.Generator().manual_seed(seed)\n    opt = torch.optim.Adam(params=modele.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)\n    N = X_train.shape[0]\n    for _ in range(epochs):\n        perm = torch.randperm(N, generator=g)\n        X_melange, y_melange = X_train[perm], y_train[perm]  # des copies : les arguments restent intacts\n        for i in range(0, N, batch_size):\n            opt.zero_grad()\n            perte = F.cross_entropy(modele(X_melange[i:i + batch_size]), y_melange[i:i + batch_size])\n            perte.backward()\n            opt.step()\n    return modele\n',
        why='shuffled copies of the data sliced in order (the arguments untouched), Adam with explicit betas and eps',
    ),
})
CORRECT_GROUPS["correct-variants"] = (*CORRECT_GROUPS["correct-variants"], "correct-r7-train-dataloader",
                                     "correct-r7-equivariance-numpy")
CORRECT_GROUPS["correct-blind-b"] = (*CORRECT_GROUPS["correct-blind-b"], "correct-r7-maxpool-pad-min-minus-one",
                                    "correct-r7-mlp-params-numpy-int64", "correct-r7-train-shuffled-copies-adam-betas")
CORRECT_GROUPS["correct-pool-a"] = (*CORRECT_GROUPS["correct-pool-a"], "correct-r7-conv2d-as-strided-cat-padding",
                                   "correct-r7-maxpool-buffer-of-x-dtype")
CORRECT_GROUPS["blind-r3-correct"] = (*CORRECT_GROUPS["blind-r3-correct"], "correct-r7-models-cnn-mlp-head")

# Blind round 9: false passes (entrainer returning None, a creer_cnn returning a model it
# already trained, a stride-2 nn.MaxPool2d in the CNN) and hints that named another fault than
# the one made (a new model trained instead of modele, augmented or in-place-normalised data,
# a softmax before F.cross_entropy, the notebook's x_eq read instead of x, the input
# translated twice, N written as a number, max-pooling over channels, padding on one side,
# the stride argument ignored).
_R9_LOOP = '''def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):
    """Entraîne modele par Adam sur des mini-lots mélangés à chaque époque ; renvoie modele."""
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    N = {N}
{before}    for _ in range(epochs):
        perm = torch.randperm(N, generator=gen)
        for d in range(0, N, batch_size):
            idx = perm[d:d + batch_size]
            xb = X_train[idx]
{batch}            opt.zero_grad()
            loss = F.cross_entropy({logits}, y_train[idx])
            loss.backward()
            opt.step()
    return {ret}
'''


def _r9_loop(fault: str, *, N: str = "len(X_train)", before: str = "", batch: str = "",
             logits: str = "modele(xb)", ret: str = "modele") -> str:
    return f"# FAULT: {fault}\n" + _R9_LOOP.format(N=N, before=before, batch=batch, logits=logits, ret=ret)


_R9_MLP = '''

def creer_mlp():
    """Un nouveau MLP (N, 1, 8, 8) -> (N, 10), sans convolution, de taille comparable au CNN."""
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
'''
_R9_POOL = '''def max_pool2d(x, k, stride=None, padding=0):
    """Max-pooling k×k de x (N, C, H, W), stride k par défaut, padding par -inf."""
    s = k if stride is None else stride
{body}'''

SCENARIOS.update({
    "submission-train-returns-none": Scenario(
        grade_id="train",
        source=_r9_loop("trains modele in place but returns None (the statement: entraîne modele et le renvoie)",
                        ret="None"),
        must_fail=("test_entrainer_trains_a_small_model",),
        message_contains=("entrainer ne renvoie rien (None)", "return modele"),
    ),
    "submission-train-new-model-instead-of-modele": Scenario(
        grade_id="train",
        source=_r9_loop("trains a new creer_cnn() model instead of the modele argument",
                        before="    modele = creer_cnn()  # on repart d'un modèle propre\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n"),
        must_fail=("test_models_learn_clean_digits", "test_entrainer_batches_cover_the_epoch"),
        message_contains=("ne voit aucun lot d'entraînement", "pas un nouveau modèle créé dans la fonction"),
    ),
    "submission-train-augments-with-translations": Scenario(
        grade_id="train",
        source=_r9_loop("translates every batch at random (data augmentation, which the statement forbids)",
                        batch="            dy, dx = (int(v) for v in torch.randint(-1, 2, (2,), generator=gen))\n"
                              "            xb = translater(xb, dy, dx)\n"),
        must_fail=("test_entrainer_batches_cover_the_epoch",),
        may_fail=("test_models_learn_clean_digits",),
        message_contains=("l'énoncé demande de ne pas augmenter les données",),
    ),
    "submission-train-normalises-x-train-in-place": Scenario(
        grade_id="train",
        source=_r9_loop("centres the caller's X_train in place (X_train -= mean)",
                        before="    X_train -= X_train.mean()\n"),
        must_fail=("test_entrainer_batches_cover_the_epoch",),
        may_fail=("test_models_learn_clean_digits",),
        message_contains=("entrainer modifie sur place ce qu'elle reçoit (X_train",),
    ),
    "submission-train-softmax-before-cross-entropy": Scenario(
        grade_id="train",
        source=_r9_loop("F.cross_entropy on torch.softmax(logits): a second softmax",
                        logits="torch.softmax(modele(xb), dim=1)"),
        must_fail=("test_entrainer_batches_cover_the_epoch",),
        may_fail=("test_models_learn_clean_digits",),
        message_contains=("applique une softmax aux logits avant F.cross_entropy",),
    ),
    "submission-train-hard-coded-N": Scenario(
        grade_id="train",
        source=_r9_loop("N = 1347, the size of the notebook's X_train, written as a number", N="1347"),
        must_fail=("test_entrainer_trains_a_small_model", "test_models_learn_clean_digits",
                   "test_entrainer_batches_cover_the_epoch"),
        message_contains=("N doit être len(X_train) de l'argument",),
    ),
    "submission-models-cnn-returned-pretrained": Scenario(
        grade_id="models",
        source='''# FAULT: creer_cnn trains its model on the notebook's X_train, y_train before returning it
def creer_cnn():
    """Un nouveau CNN (N, 1, 8, 8) -> (N, 10) : convolutions, pooling global, couche linéaire."""
    m = nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(),
        nn.Conv2d(16, 24, 3, padding=1), nn.ReLU(),
        nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(24, 10))
    opt = torch.optim.Adam(m.parameters(), lr=0.01)
    for _ in range(30):
        opt.zero_grad()
        F.cross_entropy(m(X_train), y_train).backward()
        opt.step()
    return m
''' + _R9_MLP,
        must_fail=("test_models_are_new_and_non_linear",),
        message_contains=("il est déjà entraîné", "NOUVEAU nn.Module, non entraîné"),
    ),
    "submission-models-cnn-maxpool-stride-2": Scenario(
        grade_id="models",
        source='''# FAULT: nn.MaxPool2d(2) after the first convolution (the statement: no stride-2 pooling)
def creer_cnn():
    """Un nouveau CNN (N, 1, 8, 8) -> (N, 10) : convolutions, pooling global, couche linéaire."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 24, 3, padding=1), nn.ReLU(),
        nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(24, 10))
''' + _R9_MLP,
        must_fail=("test_models_shapes_and_layers",),
        may_fail=_TRAIN_TRANSLATED,
        message_contains=("la couche MaxPool2d", "réduit la taille des plans", "poolings de stride 2"),
    ),
    "submission-equivariance-reads-global-x-eq": Scenario(
        grade_id="equivariance",
        source='''# FAULT: measures on the notebook's x_eq instead of the argument x
def erreur_equivariance(f, x, dy, dx):
    """max |f(T_d x) - T_d f(x)| pour la translation T_d de (dy, dx) pixels."""
    return float((f(translater(x_eq, dy, dx)) - translater(f(x_eq), dy, dx)).abs().max())
''',
        must_fail=("test_erreur_equivariance_fixed_cases", "test_erreur_equivariance_on_grader_functions"),
        message_contains=("lit la variable du notebook x_eq au lieu de ses arguments",),
    ),
    "submission-equivariance-translates-input-twice": Scenario(
        grade_id="equivariance",
        source='''# FAULT: compares f(T x) with T f(T x)
def erreur_equivariance(f, x, dy, dx):
    """max |f(T_d x) - T_d f(x)| pour la translation T_d de (dy, dx) pixels."""
    fx = f(translater(x, dy, dx))
    return float((fx - translater(fx, dy, dx)).abs().max())
''',
        must_fail=("test_erreur_equivariance_fixed_cases", "test_erreur_equivariance_on_grader_functions"),
        message_contains=("l'entrée est translatée deux fois",),
    ),
    "submission-maxpool-over-all-channels": Scenario(
        grade_id="max_pool",
        source="# FAULT: the maximum is taken over the window AND the channels\n" + _R9_POOL.format(body='''    xp = F.pad(x, (padding, padding, padding, padding), value=float("-inf"))
    fen = xp.unfold(2, k, s).unfold(3, k, s)
    m = fen.amax(dim=(1, -2, -1), keepdim=True)
    return m.squeeze(-1).squeeze(-1).expand(-1, x.shape[1], -1, -1)
'''),
        must_fail=("test_max_pool_fixed_example", "test_max_pool_matches_torch",
                   "test_max_pool_gradients_match_autograd"),
        message_contains=("chaque canal est traité séparément",),
    ),
    "submission-maxpool-pads-bottom-right-only": Scenario(
        grade_id="max_pool",
        source="# FAULT: 2p cells of -inf at the bottom and right only\n" + _R9_POOL.format(body='''    xp = F.pad(x, (0, 2 * padding, 0, 2 * padding), value=float("-inf"))
    return xp.unfold(2, k, s).unfold(3, k, s).amax(dim=(-2, -1))
'''),
        must_fail=("test_max_pool_fixed_example", "test_max_pool_matches_torch",
                   "test_max_pool_gradients_match_autograd"),
        message_contains=("de CHAQUE côté",),
    ),
    "submission-maxpool-ignores-stride-argument": Scenario(
        grade_id="max_pool",
        source="# FAULT: the window always moves by k, whatever the stride argument\n" + _R9_POOL.format(body='''    xp = F.pad(x, (padding, padding, padding, padding), value=float("-inf"))
    return xp.unfold(2, k, k).unfold(3, k, k).amax(dim=(-2, -1))
'''),
        must_fail=("test_max_pool_fixed_example", "test_max_pool_matches_torch",
                   "test_max_pool_gradients_match_autograd"),
        message_contains=("l'argument stride est ignoré",),
    ),
})
GROUPS["blind-r9-a"] = ("submission-train-returns-none", "submission-models-cnn-returned-pretrained",
                        "submission-equivariance-reads-global-x-eq", "submission-maxpool-over-all-channels")
GROUPS["blind-r9-b"] = ("submission-train-new-model-instead-of-modele", "submission-models-cnn-maxpool-stride-2",
                        "submission-equivariance-translates-input-twice", "submission-maxpool-pads-bottom-right-only")
GROUPS["blind-r9-c"] = ("submission-train-augments-with-translations", "submission-maxpool-ignores-stride-argument")
GROUPS["blind-r9-d"] = ("submission-train-normalises-x-train-in-place",)
GROUPS["blind-r9-e"] = ("submission-train-softmax-before-cross-entropy",)
GROUPS["blind-r9-f"] = ("submission-train-hard-coded-N",)
CORRECT.update({
    # The statement's models have neither dropout nor batch normalisation, and it does not ask
    # for modele.train(): a loop that leaves the model in eval mode trains it the same way.
    "correct-r9-train-eval-mode-no-dropout": Correct(
        grade_id="train",
        source=edit(solution_cell(__file__, "train"), ("    modele.train()\n", "    modele.eval()\n")),
        why="modele.eval() before the loop: the statement's models have no dropout nor batch norm",
    ),
})
CORRECT_GROUPS["correct-r9"] = ("correct-r9-train-eval-mode-no-dropout",)  # every other group has a train variant

# Blind round 11. The statement asks both models for at least 90 % on the untranslated
# images: two tiny models (90 and 85 parameters, within the 1.5 ratio) kept 20/20 on the
# margin alone; their own clean accuracy is now measured (the same run). conv2d(x, w) on a
# float64 x without a bias is now called: a float32 buffer (torch.zeros without
# dtype=x.dtype) came back float64 once a float64 bias was added, and a bias that must not be
# None was told of a missing return.
_MODELS_NOT_LEARNING = (
    "test_models_learn_untranslated_digits",
)
SCENARIOS.update({
    "submission-models-tiny-models-do-not-learn": Scenario(
        grade_id="models",
        source='''# FAULT: a 4-filter CNN and a 64 -> 1 -> 10 MLP: comparable sizes, but neither learns the digits
def creer_cnn():
    """Un nouveau CNN (N, 1, 8, 8) -> (N, 10) : convolution, pooling global, couche linéaire."""
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
                         nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(4, 10))


def creer_mlp():
    """Un nouveau MLP (N, 1, 8, 8) -> (N, 10)."""
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 1), nn.ReLU(), nn.Linear(1, 10))
''',
        must_fail=_MODELS_NOT_LEARNING,
        # One hidden unit: on some variants its ReLU never switches on the grader's images,
        # and the MLP is affine there (told so).
        may_fail=(*_TRAIN_TRANSLATED, "test_models_are_new_and_non_linear"),
        message_contains=("pas assez bien les chiffres non translatés",),
    ),
    "submission-conv2d-float32-buffer-without-bias": Scenario(
        grade_id="conv2d",
        source='''# FAULT: the output buffer is torch.zeros(...) in float32 (no dtype=x.dtype); a float64 bias hides it
def conv2d(x, w, b=None, stride=1, padding=0):
    """Convolution 2D (corrélation croisée, comme PyTorch) de x (N, C_in, H, W) par w (C_out, C_in, k_y, k_x)."""
    N, C, H, W = x.shape
    Co, Ci, ky, kx = w.shape
    xp = F.pad(x, (padding, padding, padding, padding))
    Ho = (H + 2 * padding - ky) // stride + 1
    Wo = (W + 2 * padding - kx) // stride + 1
    out = torch.zeros(N, Co, Ho, Wo)
    for i in range(Ho):
        for j in range(Wo):
            fen = xp[:, :, i * stride:i * stride + ky, j * stride:j * stride + kx]
            out[:, :, i, j] = (fen.unsqueeze(1) * w.unsqueeze(0)).sum(dim=(2, 3, 4))
    if b is not None:
        out = out + b.view(1, -1, 1, 1)
    return out
''',
        must_fail=("test_conv2d_matches_torch",),
        message_contains=("dtype=x.dtype",),
        affects=("equivariance",),
    ),
    "submission-conv2d-bias-cannot-be-none": Scenario(
        grade_id="conv2d",
        source='''# FAULT: the bias is always added, b=None (no bias) crashes
def conv2d(x, w, b=None, stride=1, padding=0):
    """Convolution 2D (corrélation croisée, comme PyTorch) de x (N, C_in, H, W) par w (C_out, C_in, k_y, k_x)."""
    ky, kx = w.shape[-2:]
    xp = F.pad(x, (padding, padding, padding, padding))
    fen = xp.unfold(2, ky, stride).unfold(3, kx, stride)
    return torch.einsum("nchwuv,fcuv->nfhw", fen, w) + b[None, :, None, None]
''',
        must_fail=("test_conv2d_fixed_examples", "test_conv2d_matches_torch"),
        message_contains=("b vaut None (pas de biais",),
        affects=("equivariance",),
    ),
})
for _name in ("blind-r5-models-end-with-softmax", "blind-r5-cnn-ends-with-sigmoid",
              "blind-models-cnn-global-average-pooling", "blind-models-cnn-mean-in-forward",
              "submission-models-cnn-maxpool-stride-2", "submission-cnn-flatten-without-global-pooling"):
    # Wrong models that may also learn the untranslated digits less well under some variants.
    SCENARIOS[_name] = dataclasses.replace(
        SCENARIOS[_name], may_fail=(*SCENARIOS[_name].may_fail, *_MODELS_NOT_LEARNING))
GROUPS["blind-r11-a"] = ("submission-models-tiny-models-do-not-learn", "submission-conv2d-float32-buffer-without-bias")
GROUPS["blind-r11-b"] = ("submission-conv2d-bias-cannot-be-none",)

# Blind round 11, hints: T_d f(T_d x) − T_d f(x) was told "vous comparez f(T_d x) à f(x)",
# which the code does not write; a padding of 2p on one side gives −∞ windows, told as
# "valeurs non finies" only by the hidden check.
SCENARIOS.update({
    "submission-equivariance-translates-both-outputs": Scenario(
        grade_id="equivariance",
        source='''# FAULT: the output f(T_d x) is translated too: T_d f(T_d x) against T_d f(x)
def erreur_equivariance(f, x, dy, dx):
    """Erreur d'équivariance max |f(T_d x) − T_d f(x)| (un float)."""
    with torch.no_grad():
        d = translater(f(translater(x, dy, dx)), dy, dx) - translater(f(x), dy, dx)
    return float(d.abs().max())
''',
        must_fail=("test_erreur_equivariance_fixed_cases", "test_erreur_equivariance_on_grader_functions"),
        message_contains=("T_d f(T_d x) à T_d f(x)",),
    ),
    "submission-maxpool-pads-top-left-twice": Scenario(
        grade_id="max_pool",
        source='''# FAULT: the padding 2p is put on the top and left sides only
def max_pool2d(x, k, stride=None, padding=0):
    """Max-pooling 2D de x (N, C, H, W), fenêtres k×k, stride k par défaut."""
    s = k if stride is None else stride
    x = F.pad(x, (2 * padding, 0, 2 * padding, 0), value=float("-inf"))
    return x.unfold(2, k, s).unfold(3, k, s).amax(dim=(-2, -1))
''',
        must_fail=("test_max_pool_fixed_example", "test_max_pool_matches_torch",
                   "test_max_pool_gradients_match_autograd"),
        message_contains=("de CHAQUE côté",),
    ),
})
GROUPS["blind-r11-c"] = ("submission-equivariance-translates-both-outputs", "submission-maxpool-pads-top-left-twice")

# Blind round 14, hints (the scores were right). T_{-d} f(T_d x) − f(x) (the output moved back
# instead of f(x) moved forward) was told "vous comparez f(T_d x) à f(x)" on one draw, where that
# measure peaked on the same corner pixel: the mistakes are now matched on every failing case of
# the grading and the one matching the most is named (the inverse translation has a hint of its
# own). A ReLU after the last nn.Linear was told "trop peu de paramètres" with the reference's
# sizes: the outputs of the models are compared with their last nn.Linear's (any activation
# that bounds the logits is named and, as the softmax before it, breaks the statement's "les
# logits"), and the capacity hint is said only when few parameters or a narrow layer are seen.
_R14_TAIL_MLP = '''

def creer_mlp():
    """Un nouveau MLP (N, 1, 8, 8) -> (N, 10), sans convolution, de taille comparable au CNN."""
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
'''
SCENARIOS.update({
    "blind-r14-equivariance-inverse-translation": Scenario(
        grade_id="equivariance",
        source=edit(solution_cell(__file__, "equivariance"),
            ('def erreur_equivariance(f, x, dy, dx):\n',
             '# FAULT: moves f(T_d x) back by T_{-d} and compares it with f(x): what leaves the image is lost\n'
             'def erreur_equivariance(f, x, dy, dx):\n'),
            ('        ecart = f(translater(x, dy, dx)) - translater(f(x), dy, dx)\n',
             '        y = f(x)\n'
             '        y_t = f(translater(x, dy, dx))\n'
             '        # on remet la sortie translatée à sa place pour comparer\n'
             '        ecart = translater(y_t, -dy, -dx) - y\n')),
        must_fail=("test_erreur_equivariance_fixed_cases", "test_erreur_equivariance_on_grader_functions"),
        message_contains=("par la translation inverse, T_{-d} f(T_d x)",),
    ),
    "blind-r14-models-relu-on-logits": Scenario(
        grade_id="models",
        source='''# FAULT: both models end with nn.Linear(..., 10), nn.ReLU(): the logits cannot be negative
def creer_cnn():
    """Un nouveau CNN (N, 1, 8, 8) -> (N, 10) : convolutions, pooling global, couche linéaire."""
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=5, padding=2), nn.ReLU(),
        nn.Conv2d(16, 24, kernel_size=3, padding=1), nn.ReLU(),
        nn.AdaptiveMaxPool2d(1), nn.Flatten(),
        nn.Linear(24, 10), nn.ReLU(),
    )


def creer_mlp():
    """Un nouveau MLP (N, 1, 8, 8) -> (N, 10), sans convolution, de taille comparable au CNN."""
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10), nn.ReLU())
''',
        must_fail=("test_models_are_new_and_non_linear", *_MODELS_NOT_LEARNING),
        may_fail=_TRAIN_TRANSLATED,
        message_contains=("creer_cnn() (ReLU) applique une activation à la sortie de sa dernière couche",),
    ),
    "blind-r14-equivariance-inverse-translation-numpy": Scenario(
        grade_id="equivariance",
        source='''# FAULT: the same mistake written otherwise: T_{-d} f(T_d x) against f(x), in NumPy
def erreur_equivariance(f, x, dy, dx):
    """max |f(T_d x) - T_d f(x)| pour la translation T_d de (dy, dx) pixels."""
    with torch.no_grad():
        retour = translater(f(translater(x, dy, dx)), -dy, -dx).numpy()
        reference = f(x).numpy()
    return float(np.max(np.abs(retour - reference)))
''',
        must_fail=("test_erreur_equivariance_fixed_cases", "test_erreur_equivariance_on_grader_functions"),
        message_contains=("par la translation inverse, T_{-d} f(T_d x)",),
    ),
    "blind-r14-models-cnn-softplus-in-forward": Scenario(
        grade_id="models",
        source='''# FAULT: F.softplus on the CNN's logits, written in forward (positive outputs only)
class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 5, padding=2)
        self.c2 = nn.Conv2d(16, 24, 3, padding=1)
        self.fc = nn.Linear(24, 10)

    def forward(self, x):
        x = F.relu(self.c2(F.relu(self.c1(x))))
        return F.softplus(self.fc(torch.amax(x, dim=(2, 3))))


def creer_cnn():
    """Un nouveau CNN (N, 1, 8, 8) -> (N, 10) : convolutions, pooling global, couche linéaire."""
    return CNN()
''' + _R14_TAIL_MLP,
        must_fail=("test_models_are_new_and_non_linear",),
        may_fail=(*_TRAIN_TRANSLATED, *_MODELS_NOT_LEARNING),
        message_contains=("creer_cnn() (Softplus) applique une activation",),
    ),
})
GROUPS["blind-r14-1"] = ("blind-r14-equivariance-inverse-translation", "blind-r14-models-relu-on-logits")
GROUPS["blind-r14-2"] = ("blind-r14-equivariance-inverse-translation-numpy", "blind-r14-models-cnn-softplus-in-forward")
CORRECT.update({
    "correct-r14-models-class-3x3": Correct(
        grade_id="models",
        source='''class PetitCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=3, padding=1)
        self.pool = nn.AdaptiveMaxPool2d(1)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = torch.relu(self.conv2(x))
        x = self.pool(x).flatten(1)
        return self.fc(x)


class PetitMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 72)
        self.fc2 = nn.Linear(72, 10)

    def forward(self, x):
        x = x.reshape(x.shape[0], -1)
        return self.fc2(torch.relu(self.fc1(x)))


def creer_cnn():
    """Un nouveau CNN (N, 1, 8, 8) -> (N, 10) : convolutions, pooling global, couche linéaire."""
    return PetitCNN()


def creer_mlp():
    """Un nouveau MLP (N, 1, 8, 8) -> (N, 10), sans convolution, de taille comparable au CNN."""
    return PetitMLP()
''',
        why="the tester's: classes with forward, torch.relu between the layers, the last nn.Linear returned as is",
    ),
    "correct-r14-models-three-convs-deeper-mlp": Correct(
        grade_id="models",
        source='''def creer_cnn():
    """Un nouveau CNN (N, 1, 8, 8) -> (N, 10) : convolutions, pooling global, couche linéaire."""
    couches = [
        nn.Conv2d(1, 12, 5, padding=2), nn.ReLU(),
        nn.Conv2d(12, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(),
        nn.AdaptiveMaxPool2d(1),
        nn.Flatten(),
        nn.Linear(16, 10),
    ]
    return nn.Sequential(*couches)


def creer_mlp():
    """Un nouveau MLP (N, 1, 8, 8) -> (N, 10), sans convolution, de taille comparable au CNN."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(64, 48), nn.ReLU(),
        nn.Linear(48, 32), nn.ReLU(),
        nn.Linear(32, 10),
    )
''',
        why="the tester's: three convolutions, a two-hidden-layer MLP, both ending with their nn.Linear",
    ),
    "correct-r14-equivariance-inf-norm": Correct(
        grade_id="equivariance",
        source=edit(solution_cell(__file__, "equivariance"),
            ('    return float(ecart.abs().max())\n',
             '    return float(torch.linalg.vector_norm(ecart.flatten(), ord=float("inf")))\n')),
        why="the max of the absolute values as the infinity norm",
    ),
    "correct-r14-equivariance-item-no-grad-free": Correct(
        grade_id="equivariance",
        source='''def erreur_equivariance(f, x, dy, dx):
    """max |f(T_d x) - T_d f(x)| pour la translation T_d de (dy, dx) pixels."""
    x_translate = translater(x, dy, dx)
    sortie_1 = f(x_translate)          # f(T_d x)
    sortie_2 = translater(f(x), dy, dx)  # T_d f(x)
    difference = torch.abs(sortie_1 - sortie_2)
    return torch.max(difference).item()
''',
        why="the tester's: no no_grad, torch.max(...).item()",
    ),
})
CORRECT_GROUPS["correct-r14-a"] = ("correct-r14-models-class-3x3", "correct-r14-equivariance-inf-norm")
CORRECT_GROUPS["correct-r14-b"] = ("correct-r14-models-three-convs-deeper-mlp",
                                   "correct-r14-equivariance-item-no-grad-free")


# Blind round 16. A maximum over f(…)[0, 0] only (the first image's first channel) kept 20/20
# on a variant whose worst entries all lay there: a case with several images and channels and
# its largest difference elsewhere is drawn on purpose, and the partial maximum is named. A sum
# divided by batch_size weighs the incomplete last batch less: every batch's loss scale is read,
# not the median. Hints: a float32 max-pooling lost the gradient point too, told the routing
# hint (its gradient is right to float32 precision: the tolerance is conv2d's, 1e-4); `y + b`
# on the last axis was told to check the window (the bias is named, from the error's sizes or
# from the values when W_out = C_out); the public training check names a transformation of the
# examples among the causes.
# The tester's training loop, right (a base, not graded itself): each answer below changes it.
_R16_TRAIN = '''def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):
    """Entraîne modele par Adam sur des mini-lots mélangés à chaque époque ; renvoie modele."""
    generateur = torch.Generator().manual_seed(seed)
    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)
    N = len(X_train)
    modele.train()
    for _ in range(epochs):
        ordre = torch.randperm(N, generator=generateur)
        for debut in range(0, N, batch_size):
            lot = ordre[debut:debut + batch_size]
            optimiseur.zero_grad()
            perte = F.cross_entropy(modele(X_train[lot]), y_train[lot])
            perte.backward()
            optimiseur.step()
    return modele
'''

SCENARIOS.update({
    "blind-r16-equivariance-first-image-channel": Scenario(
        grade_id="equivariance",
        source=edit(solution_cell(__file__, "equivariance"),
            ('        ecart = f(translater(x, dy, dx)) - translater(f(x), dy, dx)\n'
             '    return float(ecart.abs().max())\n',
             '        gauche = f(translater(x, dy, dx))[0, 0]   # plan (H, W)\n'
             '        droite = translater(f(x), dy, dx)[0, 0]\n'
             '    return float((gauche - droite).abs().max())\n')),
        must_fail=("test_erreur_equivariance_on_grader_functions",),
        message_contains=("ne porte que sur une partie des composantes",),
    ),
    "blind-r16-train-loss-divided-by-batch-size": Scenario(
        grade_id="train",
        source=edit(_R16_TRAIN,
            ('            perte = F.cross_entropy(modele(X_train[lot]), y_train[lot])\n',
             '            # perte moyenne sur le mini-lot\n'
             '            perte = F.cross_entropy(modele(X_train[lot]), y_train[lot], reduction="sum") / batch_size\n')),
        must_fail=("test_entrainer_batches_cover_the_epoch",),
        message_contains=("est divisée par batch_size au lieu de son propre nombre d'exemples",),
    ),
    "blind-r16-maxpool-float32-buffer": Scenario(
        grade_id="max_pool",
        source='''def max_pool2d(x, k, stride=None, padding=0):
    """Max-pooling k×k de x (N, C, H, W), stride k par défaut, padding par -inf."""
    s = stride if stride is not None else k
    xp = F.pad(x, (padding, padding, padding, padding), value=float("-inf"))
    N, C, Hp, Wp = xp.shape
    H_out = (Hp - k) // s + 1
    W_out = (Wp - k) // s + 1
    y = torch.zeros(N, C, H_out, W_out)
    for i in range(H_out):
        for j in range(W_out):
            y[:, :, i, j] = xp[:, :, i * s:i * s + k, j * s:j * s + k].amax(dim=(-2, -1))
    return y
''',
        must_fail=("test_max_pool_matches_torch",),
        message_contains=("du même type (dtype) que x",),
    ),
    "blind-r16-conv2d-bias-last-axis": Scenario(
        grade_id="conv2d",
        source='''def conv2d(x, w, b=None, stride=1, padding=0):
    """Convolution 2D (corrélation croisée, comme PyTorch) de x (N, C_in, H, W) par w (C_out, C_in, k_y, k_x).

    Renvoie un tenseur (N, C_out, H_out, W_out). Opérations PyTorch uniquement, sans F.conv2d.
    """
    k_y, k_x = w.shape[2], w.shape[3]
    x = F.pad(x, (padding, padding, padding, padding))
    fenetres = x.unfold(2, k_y, stride).unfold(3, k_x, stride)
    y = torch.einsum("nchwuv,fcuv->nfhw", fenetres, w)
    if b is not None:
        y = y + b  # un biais par filtre
    return y
''',
        must_fail=(*_CONV_VALUES, "test_conv2d_matches_torch"),
        message_contains=("s'aligne sur son DERNIER axe",),
        affects=("equivariance",),
    ),
    "blind-r16-train-translation-augmentation": Scenario(
        grade_id="train",
        source=edit(_R16_TRAIN,
            ('            optimiseur.zero_grad()\n'
             '            perte = F.cross_entropy(modele(X_train[lot]), y_train[lot])\n',
             '            xb = X_train[lot]\n'
             "            # pour être robuste aux décalages : on translate le lot d'au plus 2 pixels\n"
             '            dy, dx = [int(v) for v in torch.randint(-2, 3, (2,), generator=generateur)]\n'
             '            xb = translater(xb, dy, dx)\n'
             '            optimiseur.zero_grad()\n'
             '            perte = F.cross_entropy(modele(xb), y_train[lot])\n')),
        must_fail=("test_entrainer_trains_a_small_model", "test_entrainer_batches_cover_the_epoch"),
        may_fail=("test_models_learn_clean_digits",),
        message_contains=("sans translation ni autre transformation",),
    ),
})
GROUPS["blind-r16-1"] = ("blind-r16-equivariance-first-image-channel", "blind-r16-train-loss-divided-by-batch-size",
                         "blind-r16-maxpool-float32-buffer")
GROUPS["blind-r16-2"] = ("blind-r16-conv2d-bias-last-axis", "blind-r16-train-translation-augmentation")
CORRECT.update({
    "correct-r16-equivariance-loop-over-images": Correct(
        grade_id="equivariance",
        source='''def erreur_equivariance(f, x, dy, dx):
    """max |f(T_d x) - T_d f(x)| pour la translation T_d de (dy, dx) pixels."""
    a = f(translater(x, dy, dx)).detach()
    b = translater(f(x), dy, dx).detach()
    pire = 0.0
    for n in range(a.shape[0]):
        pire = max(pire, torch.max(torch.abs(a[n] - b[n])).item())
    return pire
''',
        why="the tester's: the maximum image by image, detach and item",
    ),
    "correct-r16-equivariance-max-of-plane-maxima": Correct(
        grade_id="equivariance",
        source=edit(solution_cell(__file__, "equivariance"),
            ('        ecart = f(translater(x, dy, dx)) - translater(f(x), dy, dx)\n'
             '    return float(ecart.abs().max())\n',
             '        ecart = (f(translater(x, dy, dx)) - translater(f(x), dy, dx)).abs()\n'
             '    par_plan = ecart.amax(dim=(-2, -1))  # (N, C) : le maximum de chaque plan\n'
             '    return par_plan.max().item()\n')),
        why="the maximum of the per-plane maxima: every image and channel",
    ),
    "correct-r16-train-dataloader-generator": Correct(
        grade_id="train",
        source='''from torch.utils.data import DataLoader, TensorDataset


def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):
    """Entraîne modele par Adam sur des mini-lots mélangés à chaque époque ; renvoie modele."""
    g = torch.Generator().manual_seed(seed)
    chargeur = DataLoader(TensorDataset(X_train, y_train), batch_size=batch_size, shuffle=True, generator=g)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    critere = nn.CrossEntropyLoss()
    modele.train()
    for epoque in range(epochs):
        for xb, yb in chargeur:
            opt.zero_grad()
            loss = critere(modele(xb), yb)
            loss.backward()
            opt.step()
    return modele
''',
        why="the tester's: a DataLoader with its seeded generator and nn.CrossEntropyLoss",
    ),
    "correct-r16-train-zero-grad-after-step-prints": Correct(
        grade_id="train",
        source='''import math


def entrainer(modele, X_train, y_train, epochs=15, lr=0.01, batch_size=64, seed=0):
    """Entraîne modele par Adam sur des mini-lots mélangés à chaque époque ; renvoie modele."""
    gen = torch.Generator()
    gen.manual_seed(seed)
    optim = torch.optim.Adam(modele.parameters(), lr=lr)
    n = X_train.shape[0]
    n_lots = math.ceil(n / batch_size)
    modele.zero_grad()
    for ep in range(epochs):
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for k in range(n_lots):
            idx = perm[k * batch_size:(k + 1) * batch_size]
            logits = modele(X_train[idx])
            loss = F.cross_entropy(logits, y_train[idx])
            loss.backward()
            optim.step()
            optim.zero_grad()
            total += loss.item() * len(idx)
        if ep % 5 == 4:
            print(f"époque {ep + 1} : perte moyenne {total / n:.4f}")
    return modele
''',
        why="the tester's: zero_grad after step, ceil(n / batch_size) batches, prints",
    ),
    "correct-r16-train-sum-over-len-batch": Correct(
        grade_id="train",
        source=edit(solution_cell(__file__, "train"), (
            "perte = F.cross_entropy(modele(X_train[lot]), y_train[lot])",
            'perte = F.cross_entropy(modele(X_train[lot]), y_train[lot], reduction="sum") / len(lot)',
        )),
        why="a sum divided by the batch's own size: the mean, the last batch included",
    ),
    "correct-r16-maxpool-loops-min-padding": Correct(
        grade_id="max_pool",
        source='''def max_pool2d(x, k, stride=None, padding=0):
    """Max-pooling k×k de x (N, C, H, W), stride k par défaut, padding par -inf."""
    if stride is None:
        stride = k
    N, C, H, W = x.shape
    p = padding
    # valeur de bord plus petite que toutes les valeurs de x : elle ne gagne jamais le maximum
    bord = x.min().item() - 1.0
    xp = torch.full((N, C, H + 2 * p, W + 2 * p), bord, dtype=x.dtype)
    xp[:, :, p:p + H, p:p + W] = x
    H_out = (H + 2 * p - k) // stride + 1
    W_out = (W + 2 * p - k) // stride + 1
    lignes = []
    for i in range(H_out):
        colonnes = []
        for j in range(W_out):
            fenetre = xp[:, :, i * stride:i * stride + k, j * stride:j * stride + k]
            colonnes.append(fenetre.reshape(N, C, -1).max(dim=-1).values)
        lignes.append(torch.stack(colonnes, dim=-1))
    return torch.stack(lignes, dim=-2)
''',
        why="the tester's: loops, a border below min(x) in an x.dtype buffer",
    ),
    "correct-r16-conv2d-as-strided-tensordot": Correct(
        grade_id="conv2d",
        source='''def conv2d(x, w, b=None, stride=1, padding=0):
    """Convolution 2D (corrélation croisée, comme PyTorch) de x (N, C_in, H, W) par w (C_out, C_in, k_y, k_x).

    Renvoie un tenseur (N, C_out, H_out, W_out). Opérations PyTorch uniquement, sans F.conv2d.
    """
    p = padding
    x_pad = F.pad(x, (p, p, p, p)).contiguous()
    N, C, Hp, Wp = x_pad.shape
    f, _, ky, kx = w.shape
    H_out = (Hp - ky) // stride + 1
    W_out = (Wp - kx) // stride + 1
    sN, sC, sH, sW = x_pad.stride()
    patches = x_pad.as_strided(
        (N, H_out, W_out, C, ky, kx),
        (sN, sH * stride, sW * stride, sC, sH, sW),
    )
    y = torch.tensordot(patches, w, dims=([3, 4, 5], [1, 2, 3]))  # (N, H_out, W_out, C_out)
    y = y.permute(0, 3, 1, 2)
    if b is not None:
        y = y + b[None, :, None, None]
    return y.contiguous()
''',
        why="the tester's: as_strided windows and tensordot, the bias as b[None, :, None, None]",
    ),
    "correct-r16-conv2d-loops-zero-buffer-pad": Correct(
        grade_id="conv2d",
        source='''def conv2d(x, w, b=None, stride=1, padding=0):
    """Convolution 2D (corrélation croisée, comme PyTorch) de x (N, C_in, H, W) par w (C_out, C_in, k_y, k_x).

    Renvoie un tenseur (N, C_out, H_out, W_out). Opérations PyTorch uniquement, sans F.conv2d.
    """
    N, C_in, H, W = x.shape
    C_out, _, k_y, k_x = w.shape
    x_pad = x
    if padding:
        x_pad = torch.zeros(N, C_in, H + 2 * padding, W + 2 * padding, dtype=x.dtype)
        x_pad[:, :, padding:-padding, padding:-padding] = x
    H_out = (x_pad.shape[2] - k_y) // stride + 1
    W_out = (x_pad.shape[3] - k_x) // stride + 1
    lignes = []
    for i in range(H_out):
        ligne = []
        for j in range(W_out):
            fen = x_pad[:, :, i * stride:i * stride + k_y, j * stride:j * stride + k_x]  # (N, C_in, k_y, k_x)
            ligne.append((fen[:, None] * w[None]).sum(dim=(2, 3, 4)))  # (N, C_out)
        lignes.append(torch.stack(ligne, dim=-1))
    y = torch.stack(lignes, dim=-2)
    if b is not None:
        y = y + b[:, None, None]
    return y
''',
        why="the tester's: loops, padding in a zeros buffer of x.dtype, the bias as b[:, None, None]",
    ),
    "correct-r16-conv2d-stride1-then-subsample": Correct(
        grade_id="conv2d",
        source='''def conv2d(x, w, b=None, stride=1, padding=0):
    """Convolution 2D (corrélation croisée, comme PyTorch) de x (N, C_in, H, W) par w (C_out, C_in, k_y, k_x).

    Renvoie un tenseur (N, C_out, H_out, W_out). Opérations PyTorch uniquement, sans F.conv2d.
    """
    N, C_in, H, W = x.shape
    C_out, _, k_y, k_x = w.shape
    # padding "à la main" : une image de zéros plus grande, on recopie x au centre
    x_pad = torch.zeros(N, C_in, H + 2 * padding, W + 2 * padding, dtype=x.dtype)
    x_pad[:, :, padding:padding + H, padding:padding + W] = x
    Hp, Wp = x_pad.shape[-2:]
    # convolution de stride 1 : on somme sur les décalages (u, v) du noyau
    H1, W1 = Hp - k_y + 1, Wp - k_x + 1
    sortie = torch.zeros(N, C_out, H1, W1, dtype=x.dtype)
    for u in range(k_y):
        for v in range(k_x):
            morceau = x_pad[:, :, u:u + H1, v:v + W1]  # (N, C_in, H1, W1)
            sortie = sortie + torch.einsum("nchw,fc->nfhw", morceau, w[:, :, u, v])
    # stride s : on ne garde qu'une position sur s
    sortie = sortie[:, :, ::stride, ::stride]
    if b is not None:
        sortie = sortie + b.view(1, C_out, 1, 1)
    return sortie
''',
        why="the tester's: the stride-1 convolution then [::s, ::s]",
    ),
})
CORRECT_GROUPS["correct-r16-a"] = ("correct-r16-equivariance-loop-over-images", "correct-r16-train-dataloader-generator",
                                   "correct-r16-maxpool-loops-min-padding", "correct-r16-conv2d-as-strided-tensordot")
CORRECT_GROUPS["correct-r16-b"] = ("correct-r16-equivariance-max-of-plane-maxima",
                                   "correct-r16-train-zero-grad-after-step-prints",
                                   "correct-r16-conv2d-loops-zero-buffer-pad")
CORRECT_GROUPS["correct-r16-c"] = ("correct-r16-train-sum-over-len-batch", "correct-r16-conv2d-stride1-then-subsample")

# Blind round 16, after the library's optimiser recorder (autograder.checks.loops): an Adam built
# again at every epoch kept 20/20 (its moments and bias correction restart; the accuracy hides it).
SCENARIOS["blind-r16-train-optimizer-reset-each-epoch"] = Scenario(
    grade_id="train",
    source=edit(_R16_TRAIN,
        ('    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n',
         ''),
        ('    for _ in range(epochs):\n',
         '    for epoque in range(epochs):\n'
         '        optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n')),
    must_fail=("test_entrainer_batches_cover_the_epoch",),
    message_contains=("optimiseurs successifs au lieu d'un seul",),
)
GROUPS["blind-r16-3"] = ("blind-r16-train-optimizer-reset-each-epoch",)
CORRECT["correct-r16-train-adam-on-trainable-list"] = Correct(
    grade_id="train",
    source=edit(solution_cell(__file__, "train"), (
        "    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n",
        "    parametres = [p for p in modele.parameters() if p.requires_grad]\n"
        "    optimiseur = torch.optim.Adam(parametres, lr=lr)\n",
    ), (
        "            optimiseur.zero_grad()\n",
        "            modele.zero_grad(set_to_none=True)\n",
    )),
    why="one Adam on the list of trainable parameters, built before the loops; modele.zero_grad",
)
CORRECT_GROUPS["correct-r16-d"] = ("correct-r16-train-adam-on-trainable-list",)


# Blind round 18 (variants 0, 19, 20). Wrong and kept points: s/2 and s/4 as halved rows (odd h
# never drawn), a shift rescaled to the output size in erreur_equivariance (only size-keeping f
# were graded), Conv2d -> Conv2d -> ReLU in the CNN (two linear layers in a row: one 7x7 convolution).
# Misleading hints: torch.max(..., dim=) returning (values, indices) was told about the stride, and
# a conv2d reshaping (N, L, C_out) into (N, C_out, H, W) about rows and columns. nn.Tanh instead of
# nn.ReLU, reported as wrong, is accepted (correct-r18-models-tanh): only the absence of any
# non-linearity between two linear layers is a fault of the class.
SCENARIOS.update({
    "blind-r18-mlp-params-half-rows": Scenario(
        grade_id="mlp_params",
        source='''def nb_params_mlp_image(h, w):
    """Nombre de paramètres du MLP s -> s/2 -> s/4 -> 1 du cours, pour s = h * w pixels."""
    s = h * w
    # la moitié de l'image : on garde une ligne sur deux ; le quart : une ligne et une colonne sur deux
    demi = (h // 2) * w
    quart = (h // 2) * (w // 2)
    largeurs = [s, demi, quart, 1]
    total = 0
    for n, m in zip(largeurs[:-1], largeurs[1:]):
        total += n * m + m
    return total
''',
        must_fail=("test_nb_params_mlp_random_images",),
        message_contains=("NOMBRE DE PIXELS",),
    ),
    "blind-r18-equivariance-rescaled-shift": Scenario(
        grade_id="equivariance",
        source='''def erreur_equivariance(f, x, dy, dx):
    """max |f(T_d x) - T_d f(x)| pour la translation T_d de (dy, dx) pixels."""
    with torch.no_grad():
        fx = f(x)
        # si f change la taille des plans (pooling), le décalage se met à l'échelle de la sortie
        dy_s = dy * fx.shape[-2] // x.shape[-2]
        dx_s = dx * fx.shape[-1] // x.shape[-1]
        ecart = f(translater(x, dy, dx)) - translater(fx, dy_s, dx_s)
    return float(ecart.abs().max())
''',
        must_fail=("test_erreur_equivariance_on_grader_functions",),
        message_contains=("mettez le décalage de la sortie à l'échelle de sa taille",),
    ),
    "blind-r18-models-relu-only-after-last-conv": Scenario(
        grade_id="models",
        source='''def creer_cnn():
    """Un nouveau CNN (N, 1, 8, 8) -> (N, 10) : convolutions, pooling global, couche linéaire."""
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=5, padding=2),
        nn.Conv2d(16, 24, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.AdaptiveMaxPool2d(1),
        nn.Flatten(),
        nn.Linear(24, 10),
    )


def creer_mlp():
    """Un nouveau MLP (N, 1, 8, 8) -> (N, 10), sans convolution, de taille comparable au CNN."""
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
''',
        must_fail=("test_models_are_new_and_non_linear",),
        message_contains=("se suivent sans non-linéarité",),
    ),
    "blind-r18-maxpool-returns-values-indices": Scenario(
        grade_id="max_pool",
        source='''def max_pool2d(x, k, stride=None, padding=0):
    """Max-pooling k×k de x (N, C, H, W), stride k par défaut, padding par -inf."""
    s = k if stride is None else stride
    if padding > 0:
        x = F.pad(x, (padding, padding, padding, padding), value=float("-inf"))
    fen = x.unfold(2, k, s).unfold(3, k, s)
    return torch.max(fen.flatten(start_dim=-2), dim=-1)
''',
        must_fail=("test_max_pool_fixed_example", "test_max_pool_matches_torch", "test_max_pool_gradients_match_autograd"),
        message_contains=("couple (valeurs, indices)", "torch.max(…, dim=…)"),
    ),
    "blind-r18-conv2d-reshape-not-permute": Scenario(
        grade_id="conv2d",
        source='''def conv2d(x, w, b=None, stride=1, padding=0):
    """Convolution 2D (corrélation croisée, comme PyTorch) de x (N, C_in, H, W) par w (C_out, C_in, k_y, k_x).

    Renvoie un tenseur (N, C_out, H_out, W_out). Opérations PyTorch uniquement, sans F.conv2d.
    """
    N, C_in, H, W = x.shape
    C_out, _, k_y, k_x = w.shape
    if padding:
        x = F.pad(x, (padding, padding, padding, padding))
    H_out = (H + 2 * padding - k_y) // stride + 1
    W_out = (W + 2 * padding - k_x) // stride + 1
    cols = x.unfold(2, k_y, stride).unfold(3, k_x, stride)
    cols = cols.permute(0, 2, 3, 1, 4, 5).reshape(N, H_out * W_out, C_in * k_y * k_x)
    out = cols @ w.reshape(C_out, -1).T                               # (N, L, C_out)
    if b is not None:
        out = out + b
    return out.reshape(N, C_out, H_out, W_out)
''',
        must_fail=(*_CONV_VALUES, "test_conv2d_matches_torch"),
        message_contains=("mélange filtres et positions",),
        affects=("equivariance",),
    ),
    "blind-r18-models-mlp-two-linears-in-a-row": Scenario(
        grade_id="models",
        source=edit(solution_cell(__file__, "models"), (
            "nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)",
            "nn.Linear(64, 48), nn.Linear(48, 48), nn.ReLU(), nn.Linear(48, 10)",
        )),
        must_fail=("test_models_are_new_and_non_linear",),
        message_contains=("la couche nn.Linear n° 1 et la couche nn.Linear n° 2 se suivent sans non-linéarité",),
    ),
})
GROUPS["blind-r18-1"] = ("blind-r18-mlp-params-half-rows", "blind-r18-equivariance-rescaled-shift",
                         "blind-r18-models-relu-only-after-last-conv", "blind-r18-maxpool-returns-values-indices")
GROUPS["blind-r18-2"] = ("blind-r18-conv2d-reshape-not-permute", "blind-r18-models-mlp-two-linears-in-a-row")
CORRECT.update({
    "correct-r18-models-tanh": Correct(
        grade_id="models",
        source=solution_cell(__file__, "models").replace("nn.ReLU()", "nn.Tanh()"),
        why="the tester's nn.Tanh() everywhere (reported as wrong): accepted, the statement's proposition speaks of pointwise non-linearities (ReLU...), the architecture's bias and every graded measure are the same; only layers with nothing non-linear between them are refused",
    ),
    "correct-r18-mlp-params-closed-form": Correct(
        grade_id="mlp_params",
        source='''def nb_params_mlp_image(h, w):
    """Nombre de paramètres du MLP s -> s/2 -> s/4 -> 1 du cours, pour s = h * w pixels."""
    s = h * w
    # on développe : s²/2 + s²/8 + s/2 + s/4 + s/4 + 1 = 5s²/8 + s + 1
    total = 5 * s * s // 8 + s + 1
    print(f"s = {s} -> {total} paramètres")
    return total
''',
        why="the tester's: 5s²/8 + s + 1, with a print",
    ),
    "correct-r18-equivariance-vector-norm-inf": Correct(
        grade_id="equivariance",
        source='''def erreur_equivariance(f, x, dy, dx):
    """max |f(T_d x) - T_d f(x)| pour la translation T_d de (dy, dx) pixels."""
    with torch.no_grad():
        a = f(translater(x, dy, dx))
        b = translater(f(x), dy, dx)
        # norme infinie = max des valeurs absolues
        return torch.linalg.vector_norm(a - b, ord=float("inf")).item()
''',
        why="the tester's: torch.linalg.vector_norm(ord=inf)",
    ),
    "correct-r18-maxpool-finfo-two-max": Correct(
        grade_id="max_pool",
        source='''def max_pool2d(x, k, stride=None, padding=0):
    """Max-pooling k×k de x (N, C, H, W), stride k par défaut, padding par -inf."""
    if stride is None:
        stride = k
    # la plus petite valeur représentable : ne gagne jamais le maximum
    plus_petit = torch.finfo(x.dtype).min
    xp = F.pad(x, [padding] * 4, value=plus_petit)
    fen = xp.unfold(2, k, stride).unfold(3, k, stride)   # (N, C, H_out, W_out, k, k)
    return fen.max(dim=-1).values.max(dim=-1).values
''',
        why="the tester's: padding by finfo.min, .max(dim=-1).values twice",
    ),
    "correct-r18-conv2d-im2col-matmul": Correct(
        grade_id="conv2d",
        source='''def conv2d(x, w, b=None, stride=1, padding=0):
    """Convolution 2D (corrélation croisée, comme PyTorch) de x (N, C_in, H, W) par w (C_out, C_in, k_y, k_x).

    Renvoie un tenseur (N, C_out, H_out, W_out). Opérations PyTorch uniquement, sans F.conv2d.
    """
    N, C_in, H, W = x.shape
    C_out, _, k_y, k_x = w.shape
    if b is None:
        b = torch.zeros(C_out, dtype=x.dtype)
    if padding:
        x = F.pad(x, (padding, padding, padding, padding))
    H_out = (H + 2 * padding - k_y) // stride + 1
    W_out = (W + 2 * padding - k_x) // stride + 1
    # im2col : une ligne par position de sortie, une colonne par poids du filtre
    cols = x.unfold(2, k_y, stride).unfold(3, k_x, stride)          # (N, C_in, H_out, W_out, k_y, k_x)
    cols = cols.permute(0, 2, 3, 1, 4, 5).reshape(N, H_out * W_out, C_in * k_y * k_x)
    out = cols @ w.reshape(C_out, -1).T + b                           # (N, L, C_out)
    return out.permute(0, 2, 1).reshape(N, C_out, H_out, W_out)
''',
        why="the tester's: im2col, (N, L, C_out) permuted before the reshape",
    ),
    "correct-r18-equivariance-numpy": Correct(
        grade_id="equivariance",
        source='''def _en_numpy(t):
    return t.detach().cpu().numpy()


def erreur_equivariance(f, x, dy, dx):
    """max |f(T_d x) - T_d f(x)| pour la translation T_d de (dy, dx) pixels."""
    gauche = _en_numpy(f(translater(x, dy, dx)))     # f(T_d x)
    droite = _en_numpy(translater(f(x), dy, dx))     # T_d f(x)
    return float(np.max(np.abs(gauche - droite)))
''',
        why="the tester's: both sides in NumPy",
    ),
    "correct-r18-maxpool-loops-min-minus-one": Correct(
        grade_id="max_pool",
        source='''def max_pool2d(x, k, stride=None, padding=0):
    """Max-pooling k×k de x (N, C, H, W), stride k par défaut, padding par -inf."""
    s = k if stride is None else stride
    N, C, H, W = x.shape
    if padding > 0:
        remplissage = float(x.min()) - 1.0  # plus petit que toutes les valeurs de x
        xp = torch.full((N, C, H + 2 * padding, W + 2 * padding), remplissage, dtype=x.dtype)
        xp[:, :, padding : padding + H, padding : padding + W] = x
    else:
        xp = x
    H_out = (H + 2 * padding - k) // s + 1
    W_out = (W + 2 * padding - k) // s + 1
    lignes = []
    for i in range(H_out):
        ligne = [xp[:, :, i * s : i * s + k, j * s : j * s + k].amax(dim=(-2, -1)) for j in range(W_out)]
        lignes.append(torch.stack(ligne, dim=-1))
    return torch.stack(lignes, dim=-2)
''',
        why="the tester's: loops, border min(x) - 1",
    ),
    "correct-r18-conv2d-loops-per-filter": Correct(
        grade_id="conv2d",
        source='''def conv2d(x, w, b=None, stride=1, padding=0):
    """Convolution 2D (corrélation croisée, comme PyTorch) de x (N, C_in, H, W) par w (C_out, C_in, k_y, k_x).

    Renvoie un tenseur (N, C_out, H_out, W_out). Opérations PyTorch uniquement, sans F.conv2d.
    """
    N, C_in, H, W = x.shape
    C_out, _, k_y, k_x = w.shape
    xp = F.pad(x, (padding, padding, padding, padding)) if padding > 0 else x
    H_out = (H + 2 * padding - k_y) // stride + 1
    W_out = (W + 2 * padding - k_x) // stride + 1
    plans = []
    for f in range(C_out):
        acc = None
        for u in range(k_y):
            for v in range(k_x):
                # x̃[n, c, i*s + u, j*s + v] pour toutes les positions (i, j)
                tranche = xp[:, :, u : u + stride * (H_out - 1) + 1 : stride,
                             v : v + stride * (W_out - 1) + 1 : stride]
                terme = (tranche * w[f, :, u, v].reshape(1, C_in, 1, 1)).sum(dim=1)
                acc = terme if acc is None else acc + terme
        if b is not None:
            acc = acc + b[f]
        plans.append(acc)
    return torch.stack(plans, dim=1)
''',
        why="the tester's: loops over filters and kernel offsets, strided slices",
    ),
    "correct-r18-models-class-7x7-torch-relu": Correct(
        grade_id="models",
        source='''class PetitCNN(nn.Module):
    """Deux convolutions 'same', pooling global max, couche linéaire."""

    def __init__(self, n_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 12, kernel_size=7, padding=3)
        self.conv2 = nn.Conv2d(12, 24, kernel_size=3, padding=1)
        self.pool = nn.AdaptiveMaxPool2d(1)
        self.fc = nn.Linear(24, n_classes)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = torch.relu(self.conv2(x))
        x = torch.flatten(self.pool(x), 1)
        return self.fc(x)


def creer_cnn():
    """Un nouveau CNN (N, 1, 8, 8) -> (N, 10) : convolutions, pooling global, couche linéaire."""
    # (49+1)*12 + (9*12+1)*24 + 25*10 = 600 + 2616 + 250 = 3466
    return PetitCNN()


def creer_mlp():
    """Un nouveau MLP (N, 1, 8, 8) -> (N, 10), sans convolution, de taille comparable au CNN."""
    # 65*48 + 49*10 = 3120 + 490 = 3610
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 48), nn.ReLU(), nn.Linear(48, 10))
''',
        why="the tester's: a class, torch.relu in forward, a 7×7 first kernel",
    ),
    "correct-r18-models-3convs-dropout": Correct(
        grade_id="models",
        source='''def creer_cnn():
    """Un nouveau CNN (N, 1, 8, 8) -> (N, 10) : convolutions, pooling global, couche linéaire."""
    # (9+1)*16 + (9*16+1)*32 + (9*32+1)*32 + (32+1)*10 = 160 + 4640 + 9248 + 330 = 14 378
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding="same"),
        nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding="same"),
        nn.ReLU(),
        nn.Conv2d(32, 32, 3, padding="same"),
        nn.ReLU(),
        nn.AdaptiveMaxPool2d(1),
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(32, 10),
    )


def creer_mlp():
    """Un nouveau MLP (N, 1, 8, 8) -> (N, 10), sans convolution, de taille comparable au CNN."""
    # 65*128 + 129*64 + 65*10 = 8320 + 8256 + 650 = 17 226  (rapport 1.20)
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(64, 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Dropout(0.2),
        nn.Linear(64, 10),
    )
''',
        why="the tester's: three 'same' convolutions, Dropout before the last nn.Linear",
    ),
    "correct-r18-models-leaky-gelu-batchnorm": Correct(
        grade_id="models",
        source='''def creer_cnn():
    """Un nouveau CNN (N, 1, 8, 8) -> (N, 10) : convolutions, pooling global, couche linéaire."""
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=5, padding=2),
        nn.BatchNorm2d(16),
        nn.LeakyReLU(0.1),
        nn.Conv2d(16, 24, kernel_size=3, padding=1),
        nn.GELU(),
        nn.AdaptiveMaxPool2d(1),
        nn.Flatten(),
        nn.Linear(24, 10),
    )


def creer_mlp():
    """Un nouveau MLP (N, 1, 8, 8) -> (N, 10), sans convolution, de taille comparable au CNN."""
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.LeakyReLU(0.1), nn.Dropout(0.1), nn.Linear(64, 10))
''',
        why="a BatchNorm between a convolution and its activation (affine, followed by LeakyReLU), GELU, Dropout",
    ),
    "correct-r18-mlp-params-halves-of-s": Correct(
        grade_id="mlp_params",
        source='''def nb_params_mlp_image(h, w):
    """Nombre de paramètres du MLP s -> s/2 -> s/4 -> 1 du cours, pour s = h * w pixels."""
    s = h * w
    demi = s // 2
    quart = demi // 2
    return (s * demi + demi) + (demi * quart + quart) + (quart + 1)
''',
        why="s/4 as (s // 2) // 2, the same integer when s is a multiple of 4",
    ),
})
CORRECT_GROUPS["correct-r18-a"] = ("correct-r18-models-tanh", "correct-r18-mlp-params-closed-form",
                                   "correct-r18-equivariance-vector-norm-inf", "correct-r18-maxpool-finfo-two-max",
                                   "correct-r18-conv2d-im2col-matmul")
CORRECT_GROUPS["correct-r18-b"] = ("correct-r18-models-leaky-gelu-batchnorm", "correct-r18-mlp-params-halves-of-s",
                                   "correct-r18-equivariance-numpy", "correct-r18-maxpool-loops-min-minus-one",
                                   "correct-r18-conv2d-loops-per-filter")
CORRECT_GROUPS["correct-r18-c"] = ("correct-r18-models-class-7x7-torch-relu",)
CORRECT_GROUPS["correct-r18-d"] = ("correct-r18-models-3convs-dropout",)


# Blind round 20.
# - max_pool: a padding by reflection (F.pad(..., mode="reflect")) equals −∞ whenever
#   k ≥ 2p + 1 and kept every point at a variant whose random draws held no p = k/2; one case
#   with p = k/2 is now drawn at every variant, and the reflection is named.
# - equivariance: torch.roll for T_d was told it moves f(T_d x) back by T_{-d} (the two give the
#   same value on the public image surrounded by zeros); the circular shift is a mistake of its
#   own, and the public check asks one more image, whose content reaches the border, to tell them.
# - conv2d: x_pad[:, :, p:-p, p:-p] = x breaks at padding=0 (an empty slice): named.
# - train: the training accuracy measured after each epoch under modele.eval(), never followed by
#   modele.train(), trained in eval mode from the second epoch on (20/20, even with BatchNorm):
#   every training step must run in train mode. Round 9 accepted modele.eval() before the loop
#   ("the statement's models have no dropout"); the lead's call in round 20 is that the loop must
#   not take its steps in eval mode, so that variant is now a wrong answer of the same class.
# - mlp_params: s = h * h (a square image) is named.
SCENARIOS.update({
    "blind-r20-maxpool-reflect-padding": Scenario(
        grade_id="max_pool",
        source=edit(solution_cell(__file__, "max_pool"),
                    ('value=float("-inf"))', 'mode="reflect")  # FAULT: copies of the image, not -inf')),
        must_fail=("test_max_pool_matches_torch",),
        message_contains=("réflexion",),
    ),
    "blind-r20-equivariance-torch-roll": Scenario(
        grade_id="equivariance",
        source=edit(solution_cell(__file__, "equivariance"), (
            "ecart = f(translater(x, dy, dx)) - translater(f(x), dy, dx)",
            "# FAULT: a circular shift for T_d\n"
            "        ecart = f(torch.roll(x, shifts=(dy, dx), dims=(-2, -1))) - torch.roll(f(x), shifts=(dy, dx), dims=(-2, -1))",
        )),
        must_fail=("test_erreur_equivariance_fixed_cases", "test_erreur_equivariance_on_grader_functions"),
        message_contains=("décalage circulaire (torch.roll)",),
    ),
    "blind-r20-conv2d-slice-p-minus-p": Scenario(
        grade_id="conv2d",
        source=edit(solution_cell(__file__, "conv2d"), (
            "    if padding > 0:\n        x = F.pad(x, (padding, padding, padding, padding))\n",
            "    # FAULT: p:-p is the empty slice 0:0 when padding = 0\n"
            "    N, C_in, H, W = x.shape\n"
            "    p = padding\n"
            "    x_pad = torch.zeros(N, C_in, H + 2 * p, W + 2 * p, dtype=x.dtype)\n"
            "    x_pad[:, :, p:-p, p:-p] = x\n"
            "    x = x_pad\n",
        )),
        must_fail=("test_conv2d_fixed_examples", "test_conv2d_matches_torch"),
        message_contains=("la tranche p:-p est vide",),
    ),
    "blind-r20-train-eval-after-each-epoch": Scenario(
        grade_id="train",
        source=edit(solution_cell(__file__, "train"), (
            "    for _ in range(epochs):\n",
            "    for epoque in range(epochs):\n",
        ), (
            "            optimiseur.step()\n",
            "            optimiseur.step()\n"
            "        # FAULT: the model stays in eval mode for the next epochs (no modele.train())\n"
            "        modele.eval()\n"
            "        with torch.no_grad():\n"
            "            acc = (modele(X_train).argmax(1) == y_train).float().mean().item()\n"
            "        if epoque % 5 == 4:\n"
            "            print(f\"époque {epoque + 1} : précision d'entraînement {acc:.3f}\")\n",
        )),
        must_fail=("test_entrainer_batches_cover_the_epoch",),
        message_contains=("modele.train()", "mode évaluation"),
    ),
    "blind-r20-train-eval-before-loop": Scenario(
        grade_id="train",
        source=edit(solution_cell(__file__, "train"),
                    ("    modele.train()\n", "    modele.eval()  # FAULT: every step in eval mode\n")),
        must_fail=("test_entrainer_batches_cover_the_epoch",),
        message_contains=("modele.train()", "mode évaluation"),
    ),
    "blind-r20-mlp-params-square-image": Scenario(
        grade_id="mlp_params",
        source=edit(solution_cell(__file__, "mlp_params"), ("    s = h * w\n", "    s = h * h  # FAULT: a square image\n")),
        must_fail=("test_nb_params_mlp_random_images",),
        message_contains=("pas forcément carrée",),
    ),
})
GROUPS["blind-r20-a"] = ("blind-r20-maxpool-reflect-padding", "blind-r20-equivariance-torch-roll",
                         "blind-r20-train-eval-after-each-epoch", "blind-r20-mlp-params-square-image")
GROUPS["blind-r20-b"] = ("blind-r20-conv2d-slice-p-minus-p", "blind-r20-train-eval-before-loop")
# Round 9's variant (modele.eval() before the loop) is the wrong answer above now.
del CORRECT["correct-r9-train-eval-mode-no-dropout"]
del CORRECT_GROUPS["correct-r9"]
CORRECT.update({
    "correct-r20-train-eval-each-epoch-then-train": Correct(
        grade_id="train",
        source=edit(solution_cell(__file__, "train"), (
            "    for _ in range(epochs):\n",
            "    for epoque in range(epochs):\n        modele.train()\n",
        ), (
            "            optimiseur.step()\n",
            "            optimiseur.step()\n"
            "        modele.eval()\n"
            "        with torch.no_grad():\n"
            "            acc = (modele(X_train).argmax(1) == y_train).float().mean().item()\n"
            "        if epoque % 5 == 4:\n"
            "            print(f\"époque {epoque + 1} : précision d'entraînement {acc:.3f}\")\n",
        )),
        why="the training accuracy under modele.eval() after each epoch, modele.train() at the start of each",
    ),
    "correct-r20-train-no-train-call": Correct(
        grade_id="train",
        source=edit(solution_cell(__file__, "train"), ("    modele.train()\n", "")),
        why="no modele.train(): the statement does not ask for it, and the loop never switches the model to eval",
    ),
    "correct-r20-maxpool-replicate-padding": Correct(
        grade_id="max_pool",
        source=edit(solution_cell(__file__, "max_pool"), ('value=float("-inf"))', 'mode="replicate")')),
        why="the tester's: a replicated border cell lies in every window its copy lies in (p ≤ k/2), so the maxima are −∞'s",
    ),
    "correct-r20-conv2d-slice-p-p-plus-h": Correct(
        grade_id="conv2d",
        source=edit(solution_cell(__file__, "conv2d"), (
            "    if padding > 0:\n        x = F.pad(x, (padding, padding, padding, padding))\n",
            "    N, C_in, H, W = x.shape\n"
            "    p = padding\n"
            "    x_pad = torch.zeros(N, C_in, H + 2 * p, W + 2 * p, dtype=x.dtype)\n"
            "    x_pad[:, :, p:p + H, p:p + W] = x\n"
            "    x = x_pad\n",
        )),
        why="the padding copied into p:p + H, p:p + W (right at padding=0 too)",
    ),
})
CORRECT_GROUPS["correct-r20-a"] = ("correct-r20-train-eval-each-epoch-then-train", "correct-r20-maxpool-replicate-padding",
                                   "correct-r20-conv2d-slice-p-p-plus-h")
CORRECT_GROUPS["correct-r20-b"] = ("correct-r20-train-no-train-call",)


# Blind round 22.
# - conv2d: values taken out by float(...) and put back by torch.tensor(...) cut the graph; the
#   no-gradient hint named .numpy(), NumPy and .detach() only: it names them too.
# - conv_params: the hidden message showed the student's count on the hidden layer, from which
#   the hidden configuration (and the expected count) could be worked back: shown no more (the
#   MLP count, masked by chance as a 7-digit number only, neither).
# - equivariance: a maximum taken away from the borders kept the hidden point at a variant; a
#   convolution on content up to the border (its error lies only on the borders) is drawn at
#   every variant, the crop is named, and a mistake matched by half the failing cases or fewer
#   (one coincidental case: "il manque la valeur absolue") is no longer named.
# - train: `return modele` inside the epoch loop (one pass whatever epochs) was told to use the
#   epochs argument, which it does: the return (or break) in the loop is named.
# - max_pool: .view on the non-contiguous windows of unfold, PyTorch's English error followed by
#   "vérifiez les formes": said in French (.reshape).
# - models: layers kept in a plain Python list were told "aucune couche nn.Conv2d" and "trop peu
#   de paramètres": the unregistered layers and nn.ModuleList are named.
_R22_CNN_LIST = '''class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = [  # FAULT: a plain list, the convolutions are not registered
            nn.Conv2d(1, 16, kernel_size=5, padding=2),
            nn.Conv2d(16, 24, kernel_size=3, padding=1),
        ]
        self.pool = nn.AdaptiveMaxPool2d(1)
        self.fc = nn.Linear(24, 10)

    def forward(self, x):
        for conv in self.convs:
            x = torch.relu(conv(x))
        return self.fc(self.pool(x).flatten(1))


def creer_cnn():
    """Un nouveau CNN (N, 1, 8, 8) -> (N, 10) : convolutions, pooling global, couche linéaire."""
    return CNN()
''' + _MLP_SOLUTION

SCENARIOS.update({
    "blind-r22-conv2d-floats-rebuilt-by-torch-tensor": Scenario(
        grade_id="conv2d",
        source=_conv('''    N, C_in, H, W = x.shape
    C_out, _, k_y, k_x = w.shape
    xp = F.pad(x, (padding, padding, padding, padding))
    fen = xp.unfold(2, k_y, stride).unfold(3, k_x, stride)
    H_out, W_out = fen.shape[2], fen.shape[3]
    valeurs = []
    for n in range(N):
        for f in range(C_out):
            for i in range(H_out):
                for j in range(W_out):
                    v = (fen[n, :, i, j] * w[f]).sum()
                    if b is not None:
                        v = v + b[f]
                    valeurs.append(float(v))  # FAULT: a Python float, out of the graph
    return torch.tensor(valeurs, dtype=x.dtype).reshape(N, C_out, H_out, W_out)
''', "Valeurs extraites par float() puis remises par torch.tensor(...) : le graphe est coupé."),
        must_fail=("test_conv2d_gradients_match_autograd",),
        message_contains=("torch.tensor(…)", "float(…)"),
    ),
    "blind-r22-conv-params-bias-per-input-plane": Scenario(
        grade_id="conv_params",
        source=edit(solution_cell(__file__, "conv_params"), (
            "    return int((kx * ky * I + 1) * F)\n",
            "    return (kx * ky + 1) * I * F  # FAULT: one bias per (input plane, filter)\n",
        )),
        must_fail=("test_nb_params_conv_fixed_examples", "test_nb_params_conv_matches_torch"),
        message_contains=("un seul biais par filtre", "ce n'est pas le nombre attendu sur des entrées cachées ;"),
    ),
    "blind-r22-equivariance-max-away-from-borders": Scenario(
        grade_id="equivariance",
        source=edit(solution_cell(__file__, "equivariance"), (
            "    return float(ecart.abs().max())\n",
            "    H, W = ecart.shape[-2], ecart.shape[-1]\n"
            "    # FAULT: the borders left out\n"
            "    interieur = ecart[..., abs(dy):H - abs(dy), abs(dx):W - abs(dx)]\n"
            "    return float(interieur.abs().max())\n",
        )),
        must_fail=("test_erreur_equivariance_fixed_cases", "test_erreur_equivariance_on_grader_functions"),
        message_contains=("laisse de côté les bords",),
    ),
    "blind-r22-train-return-inside-epoch-loop": Scenario(
        grade_id="train",
        source=edit(solution_cell(__file__, "train"), (
            "            optimiseur.step()\n    return modele\n",
            "            optimiseur.step()\n        return modele  # FAULT: inside the epoch loop\n",
        )),
        must_fail=("test_models_learn_clean_digits", "test_entrainer_batches_cover_the_epoch"),
        message_contains=("`return modele` (ou un `break`) indenté dans la boucle",),
    ),
    "blind-r22-maxpool-view-on-windows": Scenario(
        grade_id="max_pool",
        source=edit(solution_cell(__file__, "max_pool"), (
            "    return x.unfold(2, k, s).unfold(3, k, s).amax(dim=(-2, -1))\n",
            "    fen = x.unfold(2, k, s).unfold(3, k, s)\n"
            "    N, C, H_out, W_out = fen.shape[:4]\n"
            "    return fen.view(N, C, H_out, W_out, k * k).amax(dim=-1)  # FAULT: .view, not contiguous\n",
        )),
        must_fail=("test_max_pool_fixed_example", "test_max_pool_matches_torch", "test_max_pool_gradients_match_autograd"),
        message_contains=(".view exige un tenseur contigu", ".reshape(…)"),
    ),
    "blind-r22-models-convs-in-python-list": Scenario(
        grade_id="models",
        source=_R22_CNN_LIST,
        must_fail=("test_models_shapes_and_layers", "test_models_have_comparable_param_counts",
                   "test_models_learn_untranslated_digits"),
        may_fail=_TRAIN_TRANSLATED,
        message_contains=("nn.ModuleList", "convs (list : Conv2d, Conv2d)"),
    ),
})
GROUPS["blind-r22-a"] = ("blind-r22-conv2d-floats-rebuilt-by-torch-tensor", "blind-r22-conv-params-bias-per-input-plane",
                         "blind-r22-equivariance-max-away-from-borders")
GROUPS["blind-r22-b"] = ("blind-r22-train-return-inside-epoch-loop", "blind-r22-maxpool-view-on-windows",
                         "blind-r22-models-convs-in-python-list")
CORRECT.update({
    "correct-r22-models-list-of-registered-layers": Correct(
        grade_id="models",
        source='''class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=5, padding=2)
        self.conv2 = nn.Conv2d(16, 24, kernel_size=3, padding=1)
        self.convs = [self.conv1, self.conv2]  # the same layers, registered as attributes
        self.tete = nn.ModuleList([nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(24, 10)])

    def forward(self, x):
        for conv in self.convs:
            x = torch.relu(conv(x))
        for couche in self.tete:
            x = couche(x)
        return x


def creer_cnn():
    """Un nouveau CNN (N, 1, 8, 8) -> (N, 10) : convolutions, pooling global, couche linéaire."""
    return CNN()
''' + _MLP_SOLUTION,
        why="a plain list of layers that are registered as attributes too, and an nn.ModuleList",
    ),
})
CORRECT_GROUPS["correct-r22-a"] = ("correct-r22-models-list-of-registered-layers",)
