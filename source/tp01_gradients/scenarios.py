"""Realistic wrong answers for TP01, as data: each replaces one answer cell of the solution.

`must_fail` names the checks that must lose points (failed, or partial credit);
every other check of the same item must keep its points, so each scenario shows exactly
which check catches the mistake. `message_contains` are substrings that must appear in
the French message of at least one of those checks: the hint that names the fault.
`affects` is empty: the training item runs the student's loop with the grader's forward,
loss and backward, so a mistake in those costs points in its own item only.
"""

from __future__ import annotations

from autograder.prove import Correct, Scenario, edit, solution_cell, solution_with_docs

SCENARIOS: dict[str, Scenario] = {
    # ------------------------------------------------------------ grad_f
    "submission-grad-f-sign-error": Scenario(
        grade_id="grad_f",
        source='''def grad_f(x):
    """Gradient de f(x1, x2) = x1² + 3 x2², calculé à la main."""
    return -np.array([2.0 * x[0], 6.0 * x[1]])
''',
        must_fail=("test_grad_f_at_course_point", "test_grad_f_matches_autograd"),
        message_contains=("le signe est inversé",),
    ),
    "submission-grad-f-forgets-factor-3": Scenario(
        grade_id="grad_f",
        source='''def grad_f(x):
    """Gradient de f(x1, x2) = x1² + 3 x2², calculé à la main."""
    return np.array([2.0 * x[0], 2.0 * x[1]])
''',
        must_fail=("test_grad_f_at_course_point", "test_grad_f_matches_autograd"),
        message_contains=("revoyez la dérivée de 3x2²",),
    ),
    # ------------------------------------------------------------ gradient descent
    "submission-gd-wrong-update-sign": Scenario(
        grade_id="gradient_descent",
        source=edit(solution_with_docs(__file__, 'gradient_descent', 'Descente de gradient (avec une erreur de signe).'),
            ('        x = x - lr * np.asarray(grad(x), dtype=float)\n',
             '        x = x + lr * grad(x)\n')),
        must_fail=(
            "test_descente_gradient_three_steps",
            "test_descente_gradient_on_grader_quadratic",
        ),
        message_contains=("vous montez le gradient",),
    ),
    "submission-gd-trajectory-missing-x0": Scenario(
        grade_id="gradient_descent",
        source=edit(solution_with_docs(__file__, 'gradient_descent', 'Descente de gradient qui oublie le point de départ dans la trajectoire.'),
            ('    trajectoire = [x.copy()]\n',
             '    trajectoire = []\n'),
            ('        x = x - lr * np.asarray(grad(x), dtype=float)\n',
             '        x = x - lr * grad(x)\n')),
        must_fail=(
            "test_descente_gradient_three_steps",
            "test_descente_gradient_on_grader_quadratic",
        ),
        message_contains=("n_steps + 1 lignes",),
    ),
    "submission-gd-calls-grad-f-not-argument": Scenario(
        grade_id="gradient_descent",
        source=edit(solution_with_docs(__file__, 'gradient_descent', "Descente de gradient qui ignore l'argument grad et appelle grad_f."),
            ('        x = x - lr * np.asarray(grad(x), dtype=float)\n',
             '        x = x - lr * grad_f(x)\n')),
        must_fail=("test_descente_gradient_on_grader_quadratic",),
        message_contains=("utilisez la fonction `grad` reçue en argument",),
    ),
    # ------------------------------------------------------------ learning rates
    "submission-lr-diverge-at-boundary": Scenario(
        grade_id="lr_choices",
        source="""LR_CONVERGE = 0.1
LR_DIVERGE = 1 / 3
""",
        must_fail=("test_lr_diverge",),
        message_contains=("oscille sans diverger",),
    ),
    "submission-lr-converge-too-large": Scenario(
        grade_id="lr_choices",
        source="""LR_CONVERGE = 0.4
LR_DIVERGE = 0.5
""",
        must_fail=("test_lr_converge",),
        message_contains=("ne converge pas", "(1 − 6η)"),
    ),
    # ------------------------------------------------------------ divergence detector
    "submission-diverges-ignores-nan": Scenario(
        grade_id="diverges",
        source='''def diverge(trajectoire):
    """Compare les normes sans traiter inf/nan (nan > a vaut False)."""
    return bool(np.linalg.norm(trajectoire[-1]) > np.linalg.norm(trajectoire[0]))
''',
        must_fail=("test_diverge_non_finite",),
        message_contains=("testez np.isfinite d'abord",),
    ),
    "submission-diverges-absolute-threshold": Scenario(
        grade_id="diverges",
        source='''def diverge(trajectoire):
    """Un seuil absolu au lieu de la définition du TP."""
    return bool(np.linalg.norm(trajectoire[-1]) > 1e6)
''',
        must_fail=(
            "test_diverge_simple_cases",
            "test_diverge_on_grader_trajectories",
            "test_diverge_non_finite",
        ),
        message_contains=("comparez ces deux normes",),
    ),
    # ------------------------------------------------------------ perceptron
    "submission-perceptron-sign-error": Scenario(
        grade_id="perceptron_update",
        source='''def maj_perceptron(w, x, y, alpha):
    """Mise à jour du perceptron, correction de mauvais signe."""
    sortie = 1.0 if np.dot(w, x) >= 0 else 0.0
    return w - alpha * (y - sortie) * x
''',
        must_fail=(
            "test_perceptron_fixed_examples",
            "test_perceptron_random_examples",
            "test_perceptron_step_convention_at_zero",
        ),
        message_contains=("le signe de la correction est inversé",),
    ),
    "submission-perceptron-strict-step": Scenario(
        grade_id="perceptron_update",
        source='''def maj_perceptron(w, x, y, alpha):
    """Mise à jour du perceptron avec une marche stricte (w·x > 0)."""
    sortie = 1.0 if np.dot(w, x) > 0 else 0.0
    return w + alpha * (y - sortie) * x
''',
        must_fail=("test_perceptron_step_convention_at_zero",),
        message_contains=("inégalité large",),
    ),
    # ------------------------------------------------------------ forward
    "submission-forward-transposed-weight": Scenario(
        grade_id="mlp_forward",
        source=edit(solution_with_docs(__file__, 'mlp_forward', 'Passe avant avec W1 transposée (convention colonne du cours mal adaptée).'),
            ('    Z1 = X @ params["W1"] + params["b1"]\n',
             '    Z1 = X @ params["W1"].T + params["b1"]\n')),
        must_fail=(
            "test_forward_shapes_and_values",
            "test_forward_matches_torch",
            "test_forward_cache",
        ),
        message_contains=("Z1 = X @ W1 + b1", "ValueError"),
    ),
    "submission-forward-missing-relu": Scenario(
        grade_id="mlp_forward",
        source=edit(solution_with_docs(__file__, 'mlp_forward', 'Passe avant sans la non-linéarité.'),
            ('    A1 = np.maximum(Z1, 0.0)\n',
             '    A1 = Z1\n')),
        must_fail=(
            "test_forward_shapes_and_values",
            "test_forward_matches_torch",
            "test_forward_cache",
        ),
        message_contains=("la ReLU manque",),
    ),
    "submission-forward-cache-stores-activation-as-Z1": Scenario(
        grade_id="mlp_forward",
        source='''def forward(X, params):
    """Passe avant correcte, mais le cache garde l'activation sous le nom Z1."""
    A1 = np.maximum(X @ params["W1"] + params["b1"], 0.0)
    logits = A1 @ params["W2"] + params["b2"]
    return logits, {"Z1": A1, "A1": A1}
''',
        must_fail=("test_forward_cache",),
        message_contains=("pré-activation Z1",),
    ),
    # ------------------------------------------------------------ softmax + cross-entropy
    "submission-loss-missing-1-over-N": Scenario(
        grade_id="softmax_ce",
        source='''def softmax_cross_entropy(logits, y):
    """Somme des pertes au lieu de la moyenne."""
    decales = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(decales) / np.exp(decales).sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(len(y)), y]).sum()
    return float(loss), probs
''',
        must_fail=("test_softmax_ce_uniform_logits", "test_softmax_ce_matches_torch"),
        message_contains=("il manque le 1/N",),
    ),
    "submission-loss-unstable-softmax": Scenario(
        grade_id="softmax_ce",
        source='''def softmax_cross_entropy(logits, y):
    """Softmax naïve : np.exp déborde pour de grands logits."""
    e = np.exp(logits)
    probs = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(len(y)), y]).mean()
    return float(loss), probs
''',
        must_fail=("test_softmax_ce_is_numerically_stable",),
        message_contains=("retranchez le maximum de chaque ligne",),
    ),
    "submission-loss-softmax-wrong-axis": Scenario(
        grade_id="softmax_ce",
        source='''def softmax_cross_entropy(logits, y):
    """Softmax normalisée sur les colonnes (axis=0) au lieu des lignes."""
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=0, keepdims=True)
    loss = -np.log(probs[np.arange(len(y)), y]).mean()
    return float(loss), probs
''',
        must_fail=(
            "test_softmax_ce_uniform_logits",
            "test_softmax_ce_matches_torch",
            "test_softmax_ce_is_numerically_stable",
        ),
        message_contains=("ce sont les colonnes qui somment à 1", "axis=1"),
    ),
    # ------------------------------------------------------------ backward
    "submission-backward-relu-grad-uses-activation": Scenario(
        grade_id="mlp_backward",
        source=edit(solution_with_docs(__file__, 'mlp_backward', 'dZ1 = dA1 * A1 au lieu du masque 1[Z1 > 0].'),
            ('    dZ1 = (dZ2 @ params["W2"].T) * (cache["Z1"] > 0)\n    dW1 = X.T @ dZ1\n    db1 = dZ1.sum(axis=0)\n    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}\n',
             '    dA1 = dZ2 @ params["W2"].T\n    dZ1 = dA1 * cache["A1"]\n    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": dW2, "b2": db2}\n')),
        must_fail=("test_backward_hidden_layer_matches_autograd",),
        message_contains=(
            "vous multipliez par A1 au lieu du masque 1[Z1 > 0]",
            "diffère d'autograd",
        ),
    ),
    "submission-backward-missing-1-over-N": Scenario(
        grade_id="mlp_backward",
        source='''def backward(X, y, params, cache, probs):
    """dZ2 = P − Y sans la division par N."""
    N = X.shape[0]
    Y = np.zeros_like(probs)
    Y[np.arange(N), y] = 1.0
    dZ2 = probs - Y
    dZ1 = (dZ2 @ params["W2"].T) * (cache["Z1"] > 0)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": cache["A1"].T @ dZ2, "b2": dZ2.sum(axis=0)}
''',
        must_fail=(
            "test_backward_output_layer_matches_autograd",
            "test_backward_hidden_layer_matches_autograd",
        ),
        message_contains=("il manque la division par N",),
    ),
    "submission-backward-bias-summed-over-wrong-axis": Scenario(
        grade_id="mlp_backward",
        source='''def backward(X, y, params, cache, probs):
    """Biais sommés sur les classes/neurones (axis=1) au lieu des exemples."""
    N = X.shape[0]
    Y = np.zeros_like(probs)
    Y[np.arange(N), y] = 1.0
    dZ2 = (probs - Y) / N
    dZ1 = (dZ2 @ params["W2"].T) * (cache["Z1"] > 0)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=1), "W2": cache["A1"].T @ dZ2, "b2": dZ2.sum(axis=1)}
''',
        must_fail=(
            "test_backward_shapes",
            "test_backward_output_layer_matches_autograd",
            "test_backward_hidden_layer_matches_autograd",
        ),
        message_contains=("(axis=0)",),
    ),
    # ------------------------------------------------------------ numerical gradient
    "submission-numgrad-forward-difference": Scenario(
        grade_id="numerical_gradient",
        source='''def gradient_numerique(f, x, h=1e-5):
    """Différence avant : erreur en O(h) au lieu de O(h²)."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    fx = f(x)
    for i in np.ndindex(x.shape):
        ancien = x[i]
        x[i] = ancien + h
        grad[i] = (f(x) - fx) / h
        x[i] = ancien
    return grad
''',
        must_fail=(
            "test_numerical_gradient_sum_of_squares",
            "test_numerical_gradient_against_autograd",
        ),
        message_contains=("pas la différence avant",),
    ),
    "submission-numgrad-divides-by-h": Scenario(
        grade_id="numerical_gradient",
        source=edit(solution_with_docs(__file__, 'numerical_gradient', 'Différence centrée divisée par h au lieu de 2h.'),
            ('        grad[i] = (f_plus - f_moins) / (2 * h)\n',
             '        grad[i] = (f_plus - f_moins) / h\n')),
        must_fail=(
            "test_numerical_gradient_sum_of_squares",
            "test_numerical_gradient_against_autograd",
        ),
        message_contains=("se divise par 2h",),
    ),
    "submission-numgrad-only-handles-vectors": Scenario(
        grade_id="numerical_gradient",
        source=edit(solution_with_docs(__file__, 'numerical_gradient', 'Boucle sur len(x) : pour une matrice, x[i] est une ligne entière.'),
            ('    for i in np.ndindex(x.shape):\n        ancien = x[i]\n',
             '    for i in range(len(x)):\n        ancien = x[i].copy()\n')),
        must_fail=(
            "test_numerical_gradient_sum_of_squares",
            "test_numerical_gradient_against_autograd",
        ),
        message_contains=("np.ndindex(x.shape)",),
    ),
    # ------------------------------------------------------------ relative error
    "submission-rel-error-no-abs": Scenario(
        grade_id="rel_error",
        source='''def erreur_relative(a, b):
    """Sans valeur absolue au numérateur."""
    return float(np.max((a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
''',
        must_fail=("test_erreur_relative_fixed_values", "test_erreur_relative_random_arrays"),
        message_contains=("valeur absolue |a − b| au numérateur",),
    ),
    "submission-rel-error-no-floor": Scenario(
        grade_id="rel_error",
        source='''def erreur_relative(a, b):
    """Sans le plancher 1e-8 : 0/0 pour deux tableaux nuls."""
    return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b))))
''',
        must_fail=("test_erreur_relative_random_arrays",),
        message_contains=("le plancher max(1e-8, |a| + |b|)",),
    ),
    # ------------------------------------------------------------ parameter counts
    "submission-param-count-784-without-biases": Scenario(
        grade_id="param_count_784",
        source="""NB_PARAMS_784_256_10 = 784 * 256 + 256 * 10
""",
        must_fail=("test_nb_params_784_256_10",),
        message_contains=("obtenu 203264, attendu 203530", "biais"),
    ),
    "submission-count-without-biases": Scenario(
        grade_id="count_params",
        source=edit(solution_with_docs(__file__, 'count_params', 'Compte les poids mais oublie les biais.'),
            ('    return int(sum(n * h + h for n, h in zip(largeurs[:-1], largeurs[1:], strict=True)))\n',
             '    return sum(n * h for n, h in zip(largeurs[:-1], largeurs[1:]))\n')),
        must_fail=("test_nombre_parametres_course_example", "test_nombre_parametres_matches_torch"),
        message_contains=("c'est le compte sans les biais",),
    ),
    # ------------------------------------------------------------ training
    "submission-train-never-updates": Scenario(
        grade_id="train",
        source=edit(solution_with_docs(__file__, 'train', 'La mise à jour est calculée dans une variable locale, jamais rangée dans params.'),
            ('            for nom in params:\n                params[nom] = params[nom] - lr * grads[nom]\n',
             '            for nom, valeur in params.items():\n                valeur = valeur - lr * grads[nom]\n')),
        must_fail=("test_entrainer_reaches_test_accuracy", "test_entrainer_one_step_on_every_parameter"),
        message_contains=("ceux de l'initialisation",),
    ),
    "submission-train-gradient-ascent": Scenario(
        grade_id="train",
        source=edit(solution_with_docs(__file__, 'train', 'Monte le gradient : params + lr * grads.'),
            ('                params[nom] = params[nom] - lr * grads[nom]\n',
             '                params[nom] = params[nom] + lr * grads[nom]\n')),
        must_fail=("test_entrainer_reaches_test_accuracy", "test_entrainer_one_step_on_every_parameter"),
        message_contains=("la perte d'entraînement a AUGMENTÉ", "θ ← θ − lr · dθ"),
    ),
    "submission-train-labels-not-shuffled-with-inputs": Scenario(
        grade_id="train",
        source=edit(solution_with_docs(__file__, 'train', "Mélange X mais prend les étiquettes dans l'ordre d'origine."),
            ('            logits, cache = forward(X_train[lot], params)\n',
             '            y_lot = y_train[debut : debut + batch_size]\n            logits, cache = forward(X_train[lot], params)\n'),
            ('            _, probs = softmax_cross_entropy(logits, y_train[lot])\n            grads = backward(X_train[lot], y_train[lot], params, cache, probs)\n',
             '            _, probs = softmax_cross_entropy(logits, y_lot)\n            grads = backward(X_train[lot], y_lot, params, cache, probs)\n')),
        must_fail=("test_entrainer_reaches_test_accuracy", "test_entrainer_one_step_on_every_parameter"),
        message_contains=("y_train[lot] correspond à X_train[lot]",),
    ),
    "submission-train-one-batch-per-epoch": Scenario(
        grade_id="train",
        source='''def entrainer(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):
    """Un seul lot par époque au lieu de parcourir tout le jeu d'entraînement."""
    rng = np.random.default_rng(seed)
    N, D = X_train.shape
    params = init_params(D, hidden, 10, seed)
    for _ in range(epochs):
        lot = rng.permutation(N)[:batch_size]
        logits, cache = forward(X_train[lot], params)
        _, probs = softmax_cross_entropy(logits, y_train[lot])
        grads = backward(X_train[lot], y_train[lot], params, cache, probs)
        for nom in params:
            params[nom] = params[nom] - lr * grads[nom]
    return params
''',
        must_fail=("test_entrainer_reaches_test_accuracy", "test_entrainer_batches_cover_the_epoch"),
        message_contains=("tous les lots de chaque époque",),
    ),
}

# Scenarios graded together in one notebook: within a group they touch different items
# whose checks are independent (the grader computes every reference itself), so one
# grading run serves them all. A training scenario needs correct forward/loss/backward.
GROUPS: dict[str, tuple[str, ...]] = {
    "mistakes-1": (
        "submission-grad-f-sign-error",
        "submission-gd-wrong-update-sign",
        "submission-lr-diverge-at-boundary",
        "submission-diverges-ignores-nan",
        "submission-perceptron-sign-error",
        "submission-forward-transposed-weight",
        "submission-loss-missing-1-over-N",
        "submission-backward-relu-grad-uses-activation",
        "submission-numgrad-forward-difference",
        "submission-rel-error-no-abs",
        "submission-param-count-784-without-biases",
        "submission-count-without-biases",
    ),
    "mistakes-2": (
        "submission-grad-f-forgets-factor-3",
        "submission-gd-trajectory-missing-x0",
        "submission-lr-converge-too-large",
        "submission-diverges-absolute-threshold",
        "submission-perceptron-strict-step",
        "submission-forward-missing-relu",
        "submission-loss-unstable-softmax",
        "submission-backward-missing-1-over-N",
        "submission-numgrad-divides-by-h",
        "submission-rel-error-no-floor",
    ),
    "mistakes-3": (
        "submission-forward-cache-stores-activation-as-Z1",
        "submission-loss-softmax-wrong-axis",
        "submission-backward-bias-summed-over-wrong-axis",
    ),
    "mistakes-4": (
        "submission-gd-calls-grad-f-not-argument",
        "submission-numgrad-only-handles-vectors",
        "submission-train-never-updates",
    ),
    "train-ascent": ("submission-train-gradient-ascent",),
    "train-labels": ("submission-train-labels-not-shuffled-with-inputs",),
    "train-one-batch": ("submission-train-one-batch-per-epoch",),
}

# ---------------------------------------------------------------- correct variants near a tolerance
# Correct code that a too-tight tolerance used to fail (issue 12, item 5). Merged into
# CORRECT/CORRECT_GROUPS, which other variants of this file may define above.
_TOLERANCE_VARIANTS = {
    "correct-softmax-ce-log-guard": Correct(
        grade_id="softmax_ce",
        source='''def softmax_cross_entropy(logits, y):
    """Le garde-fou courant np.log(p + 1e-8) contre log(0)."""
    N = logits.shape[0]
    decales = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(decales) / np.exp(decales).sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(N), y] + 1e-8).mean()
    return float(loss), probs
''',
        why="np.log(p + 1e-8): moves the loss by up to 1e-8 / p_min (2.6 % on these inputs)",
    ),
    "correct-rel-error-plus-eps": Correct(
        grade_id="rel_error",
        source=edit(solution_with_docs(__file__, 'rel_error', 'Le plancher écrit + 1e-8 au dénominateur plutôt que max(1e-8, ...).'),
            ('    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))\n',
             '    return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b) + 1e-8)))\n')),
        # A numerical guard, as log(p + 1e-8) is (issue 12): it moves the result only where
        # |a| + |b| is near 1e-8, a relative error no gradient check reads. Blind rounds 12 and
        # 15 asked for it to fail around the floor; kept correct on purpose.
        why="|a − b| / (|a| + |b| + 1e-8): 1e-8 / (|a| + |b|) relative to the floor's",
    ),
}
CORRECT = {**globals().get("CORRECT", {}), **_TOLERANCE_VARIANTS}
CORRECT_GROUPS = {
    **globals().get("CORRECT_GROUPS", {}),
    "correct-tolerances": tuple(_TOLERANCE_VARIANTS),
}

# ---------------------------------------------------------------- issue 12: mechanism, seeds
# Wrong answers written by testers who never saw the checks: a softmax inside forward used
# to cost `train` points too, with the hint "vous montez le gradient ?"; an unseeded shuffle
# kept every point.
SCENARIOS.update({
    "submission-forward-returns-probabilities": Scenario(
        grade_id="mlp_forward",
        source='''def forward(X, params):
    """Applique un softmax en sortie : renvoie des probabilités au lieu des logits."""
    Z1 = X @ params["W1"] + params["b1"]
    A1 = np.maximum(Z1, 0.0)
    Z2 = A1 @ params["W2"] + params["b2"]
    e = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True), {"Z1": Z1, "A1": A1}
''',
        must_fail=("test_forward_shapes_and_values", "test_forward_matches_torch"),
        message_contains=("pas de softmax dans forward",),
    ),
    "submission-train-unseeded-shuffle": Scenario(
        grade_id="train",
        source=edit(solution_with_docs(__file__, 'train', "Mélange avec np.random.permutation : l'état global, pas le seed."),
            ('    rng = np.random.default_rng(seed)\n',
             ''),
            ('        ordre = rng.permutation(N)\n',
             '        ordre = np.random.permutation(N)\n')),
        must_fail=("test_entrainer_uses_its_arguments",),
        message_contains=("même seed",),
    ),
})
GROUPS["issue12-a"] = ("submission-forward-returns-probabilities", "submission-train-unseeded-shuffle")

_ISSUE12_CORRECT = {
    "correct-grad-f-float32-list": Correct(
        grade_id="grad_f",
        source='''def grad_f(x):
    x1, x2 = float(x[0]), float(x[1])
    return np.array([2 * x1, 6 * x2], dtype=np.float32)
''',
        why="float32 result built from Python floats",
    ),
    "correct-gd-list-vstack": Correct(
        grade_id="gradient_descent",
        source='''def descente_gradient(grad, x0, lr, n_steps):
    points = [np.array(x0, dtype=float)]
    for i in range(n_steps):
        points.append(points[-1] - lr * grad(points[-1]))
    print(f"{n_steps} pas, point final {points[-1]}")
    return np.vstack(points)
''',
        why="a list of points stacked at the end, a print",
    ),
    "correct-diverges-isnan-any": Correct(
        grade_id="diverges",
        source='''def diverge(trajectoire):
    t = np.array(trajectoire)
    if np.isnan(t).any() or np.isinf(t).any():
        return True
    debut, fin = np.sqrt((t[0] ** 2).sum()), np.sqrt((t[-1] ** 2).sum())
    return bool(fin > debut)
''',
        why="isnan/isinf and norms by hand",
    ),
    "correct-perceptron-heaviside": Correct(
        grade_id="perceptron_update",
        source='''def maj_perceptron(w, x, y, alpha):
    f = np.heaviside(np.dot(w, x), 1.0)
    return np.asarray(w, dtype=float) + alpha * (y - f) * np.asarray(x, dtype=float)
''',
        why="np.heaviside with value 1 at 0",
    ),
    "correct-forward-clip-dot": Correct(
        grade_id="mlp_forward",
        source='''def forward(X, params):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    Z1 = np.dot(X, W1) + b1
    A1 = np.clip(Z1, 0, None)
    cache = {"Z1": Z1, "A1": A1}
    return np.dot(A1, W2) + b2, cache
''',
        why="np.dot and np.clip for the ReLU",
    ),
    "correct-count-params-loop": Correct(
        grade_id="count_params",
        source='''def nombre_parametres(largeurs):
    total = 0
    for i in range(1, len(largeurs)):
        total += largeurs[i - 1] * largeurs[i]  # poids
        total += largeurs[i]  # biais
    return total
''',
        why="an explicit loop over the layers",
    ),
    # correct-train-array-split (np.array_split into ceil(N / batch_size) parts) is a wrong answer
    # since blind round 12: submission-train-array-split-near-equal-batches.
}
CORRECT = {**CORRECT, **_ISSUE12_CORRECT}
CORRECT_GROUPS = {**CORRECT_GROUPS, "correct-issue12": tuple(_ISSUE12_CORRECT)}

# ---------------------------------------------------------------- issue 12: mutation survivors
# Mutants of the solution that kept their points (`autograder prove --mutants`), written as
# students write them: the boundary the definition of `diverge` singles out, and
# gradient_numerique called as a student calls it (no h, a point of integers).
SCENARIOS.update({
    "submission-diverges-non-strict": Scenario(
        grade_id="diverges",
        source=edit(solution_with_docs(__file__, 'diverges', '‖x_n‖ >= ‖x_0‖ : une trajectoire qui oscille à norme constante est déclarée divergente.'),
            ('    return bool(np.linalg.norm(trajectoire[-1]) > np.linalg.norm(trajectoire[0]))\n',
             '    return bool(np.linalg.norm(trajectoire[-1]) >= np.linalg.norm(trajectoire[0]))\n')),
        must_fail=("test_diverge_on_grader_trajectories",),
        message_contains=("inégalité stricte",),
    ),
    "submission-numgrad-copy-keeps-integers": Scenario(
        grade_id="numerical_gradient",
        source=edit(solution_with_docs(__file__, 'numerical_gradient', "Copie x sans le convertir : pour un x d'entiers, x[i] + h est arrondi à x[i]."),
            ('    x = np.array(x, dtype=float)\n',
             '    x = x.copy()\n')),
        must_fail=("test_numerical_gradient_against_autograd",),
        message_contains=("np.array(x, dtype=float)",),
    ),
    "submission-numgrad-default-h-too-large": Scenario(
        grade_id="numerical_gradient",
        source=edit(solution_with_docs(__file__, 'numerical_gradient', "Un h par défaut « plus stable » de 0.1 : l'erreur en O(h²) n'est plus négligeable."),
            ('def gradient_numerique(f, x, h=1e-5):\n',
             'def gradient_numerique(f, x, h=0.1):\n')),
        must_fail=("test_numerical_gradient_against_autograd",),
        message_contains=("valeur par défaut de h",),
    ),
})
GROUPS["mutants-a"] = ("submission-diverges-non-strict", "submission-numgrad-copy-keeps-integers")
GROUPS["mutants-b"] = ("submission-numgrad-default-h-too-large",)

_MUTANT_CORRECT = {
    "correct-numgrad-astype-flat": Correct(
        grade_id="numerical_gradient",
        source='''def gradient_numerique(f, x, h=1e-5):
    x = np.asarray(x).astype(np.float64)
    grad = np.empty(x.size)
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = h
        e = e.reshape(x.shape)
        grad[k] = (f(x + e) - f(x - e)) / (2 * h)
    return grad.reshape(x.shape)
''',
        why="astype(float64), a flat loop over x.size with a new shifted array per entry",
    ),
}
CORRECT = {**CORRECT, **_MUTANT_CORRECT}
CORRECT_GROUPS = {**CORRECT_GROUPS, "correct-issue12": (*CORRECT_GROUPS["correct-issue12"], *_MUTANT_CORRECT)}
SCENARIOS.update({
    "submission-train-batch-index-as-offset": Scenario(
        grade_id="train",
        source=edit(solution_with_docs(__file__, 'train', 'debut est déjà un décalage, mais il est multiplié par batch_size : lots de tailles folles.'),
            ('            lot = ordre[debut : debut + batch_size]\n',
             '            lot = ordre[debut : (debut + 1) * batch_size]\n')),
        must_fail=("test_entrainer_batches_cover_the_epoch",),
        message_contains=("au plus batch_size",),
    ),
})
GROUPS["mutants-b"] = (*GROUPS["mutants-b"], "submission-train-batch-index-as-offset")


# ---------------------------------------------------------------- issue 12: blind answers (fid-a)
# Written by a tester who had not read these checks: wrong answers that kept every point, and
# one whose hint blamed a forward difference for an x never restored. Classes: arguments
# modified in place (the statement's rule), nan with no inf and a non-finite point inside the
# trajectory (drawn on purpose), an argument never varied (lr), a loop that never shuffles or
# shuffles once (the mechanism, not only the accuracy).
SCENARIOS.update({
    "blind-gd-modifies-x0-in-place": Scenario(
        grade_id="gradient_descent",
        source='import numpy as np\ndef descente_gradient(grad, x0, lr, n_steps):\n    x = x0\n    traj = [x.copy()]\n    for _ in range(n_steps):\n        x -= lr * grad(x)\n        traj.append(x.copy())\n    return np.array(traj)\n',
        must_fail=('test_descente_gradient_on_grader_quadratic',),
        message_contains=('modifie sur place',),
    ),
    "blind-perceptron-w-in-place": Scenario(
        grade_id="perceptron_update",
        source='import numpy as np\ndef maj_perceptron(w, x, y, alpha):\n    out = 1 if np.dot(w, x) >= 0 else 0\n    w += alpha * (y - out) * x\n    return w\n',
        must_fail=('test_perceptron_random_examples',),
        message_contains=('NOUVEAU tableau',),
    ),
    "blind-softmax-logits-in-place": Scenario(
        grade_id="softmax_ce",
        source='import numpy as np\ndef softmax_cross_entropy(logits, y):\n    logits -= logits.max(axis=1, keepdims=True)\n    e = np.exp(logits)\n    probs = e / e.sum(axis=1, keepdims=True)\n    loss = -np.mean(np.log(probs[np.arange(len(y)), y]))\n    return loss, probs\n',
        must_fail=('test_softmax_ce_matches_torch',),
        message_contains=('modifie sur place',),
    ),
    "blind-diverges-isinf-only": Scenario(
        grade_id="diverges",
        source='import numpy as np\ndef diverge(trajectoire):\n    t = np.asarray(trajectoire)\n    if np.any(np.isinf(t)):\n        return True\n    return bool(np.linalg.norm(t[-1]) > np.linalg.norm(t[0]))\n',
        must_fail=('test_diverge_non_finite',),
        message_contains=('np.isinf ne voit pas nan',),
    ),
    "blind-numgrad-x-not-restored": Scenario(
        grade_id="numerical_gradient",
        source='import numpy as np\ndef gradient_numerique(f, x, h=1e-5):\n    g = np.zeros_like(x, dtype=float)\n    for i in np.ndindex(x.shape):\n        x[i] += h\n        fp = f(x)\n        x[i] -= 2 * h\n        fm = f(x)\n        g[i] = (fp - fm) / (2 * h)\n    return g\n',
        must_fail=('test_numerical_gradient_against_autograd',),
        message_contains=('modifie sur place',),
    ),
    "blind-train-ignores-lr": Scenario(
        grade_id="train",
        source='import numpy as np\ndef entrainer(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    params = init_params(X_train.shape[1], hidden, 10, seed)\n    rng = np.random.default_rng(seed)\n    N = len(X_train)\n    for ep in range(epochs):\n        perm = rng.permutation(N)\n        for s in range(0, N, batch_size):\n            idx = perm[s:s + batch_size]\n            logits, cache = forward(X_train[idx], params)\n            _, probs = softmax_cross_entropy(logits, y_train[idx])\n            g = backward(X_train[idx], y_train[idx], params, cache, probs)\n            params = {k: params[k] - 0.1 * g[k] for k in params}\n    return params\n',
        # Round 10: the one-step check names it too (the same parameters for lr = 0 and lr > 0).
        must_fail=('test_entrainer_uses_its_arguments', 'test_entrainer_one_step_on_every_parameter'),
        message_contains=("l'argument lr", "utilisez l'argument lr reçu dans le pas"),
    ),
    "blind-diverges-last-point-only": Scenario(
        grade_id="diverges",
        source='import numpy as np\ndef diverge(trajectoire):\n    t = np.asarray(trajectoire)\n    if not np.all(np.isfinite(t[-1])):\n        return True\n    return bool(np.linalg.norm(t[-1]) > np.linalg.norm(t[0]))\n',
        must_fail=('test_diverge_non_finite',),
        message_contains=('TOUTE la trajectoire',),
    ),
    "blind-train-no-shuffle": Scenario(
        grade_id="train",
        source='import numpy as np\ndef entrainer(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    params = init_params(X_train.shape[1], hidden, 10, seed)\n    N = len(X_train)\n    for ep in range(epochs):\n        for s in range(0, N, batch_size):\n            Xb, yb = X_train[s:s + batch_size], y_train[s:s + batch_size]\n            logits, cache = forward(Xb, params)\n            _, probs = softmax_cross_entropy(logits, yb)\n            g = backward(Xb, yb, params, cache, probs)\n            params = {k: params[k] - lr * g[k] for k in params}\n    return params\n',
        must_fail=('test_entrainer_batches_cover_the_epoch',),
        message_contains=('sans mélange',),
    ),
    "blind-train-shuffles-once": Scenario(
        grade_id="train",
        source=edit(solution_cell(__file__, 'train'),
            ('def entrainer(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n',
             'import numpy as np\ndef entrainer(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n'),
            ('    """Entraîne le MLP par SGD sur mini-lots mélangés à chaque époque ; renvoie params."""\n',
             ''),
            ('    for _ in range(epochs):\n',
             '    ordre = rng.permutation(N)\n    for _ in range(epochs):\n'),
            ('        ordre = rng.permutation(N)\n',
             '')),
        must_fail=('test_entrainer_batches_cover_the_epoch',),
        message_contains=('CHAQUE époque',),
    ),
})
GROUPS["blind-a"] = ('blind-gd-modifies-x0-in-place', 'blind-perceptron-w-in-place', 'blind-softmax-logits-in-place', 'blind-diverges-isinf-only', 'blind-numgrad-x-not-restored', 'blind-train-ignores-lr')
GROUPS["blind-b"] = ('blind-diverges-last-point-only', 'blind-train-no-shuffle')
GROUPS["blind-c"] = ('blind-train-shuffles-once',)
_BLIND_CORRECT = {
    "correct-blind-gd-preallocated": Correct(
        grade_id="gradient_descent",
        source='import numpy as np\ndef descente_gradient(grad, x0, lr, n_steps):\n    x0 = np.asarray(x0, dtype=float)\n    traj = np.zeros((n_steps + 1, x0.shape[0]))\n    traj[0] = x0\n    for t in range(n_steps):\n        traj[t + 1] = traj[t] - lr * np.asarray(grad(traj[t]))\n    return traj\n',
        why='preallocated trajectory, copy of x0, prints',
    ),
    "correct-blind-lr-other-values": Correct(
        grade_id="lr_choices",
        source='LR_CONVERGE = 0.05\nLR_DIVERGE = 0.5\n',
        why='other valid values (0 < lr < 1/3 converges, > 1/3 diverges)',
    ),
    "correct-blind-diverges-loop-isfinite": Correct(
        grade_id="diverges",
        source='import numpy as np\ndef diverge(trajectoire):\n    t = np.asarray(trajectoire)\n    for v in t.ravel():\n        if not np.isfinite(v):\n            return True\n    n0 = np.sqrt(np.sum(t[0] ** 2))\n    n1 = np.sqrt(np.sum(t[-1] ** 2))\n    return bool(n1 > n0)\n',
        why='loop check for non-finite, norms with sqrt of sum',
    ),
    "correct-blind-perceptron-loops": Correct(
        grade_id="perceptron_update",
        source='import numpy as np\ndef maj_perceptron(w, x, y, alpha):\n    s = 0.0\n    for i in range(len(w)):\n        s += w[i] * x[i]\n    out = 1 if s >= 0 else 0\n    new_w = np.array(w, dtype=float, copy=True)\n    for i in range(len(w)):\n        new_w[i] = new_w[i] + alpha * (y - out) * x[i]\n    return new_w\n',
        why='explicit if/else, loop over components',
    ),
    "correct-blind-forward-where": Correct(
        grade_id="mlp_forward",
        source='import numpy as np\ndef forward(X, params):\n    Z1 = np.dot(X, params["W1"]) + params["b1"]\n    A1 = np.where(Z1 > 0, Z1, 0.0)\n    Z2 = np.dot(A1, params["W2"]) + params["b2"]\n    return Z2, {"Z1": Z1, "A1": A1}\n',
        why='np.where ReLU, dot instead of @',
    ),
    "correct-blind-softmax-logsumexp": Correct(
        grade_id="softmax_ce",
        source='import numpy as np\ndef softmax_cross_entropy(logits, y):\n    m = np.max(logits, axis=1)[:, None]\n    lse = m[:, 0] + np.log(np.sum(np.exp(logits - m), axis=1))\n    probs = np.exp(logits - lse[:, None])\n    total = 0.0\n    for i in range(len(y)):\n        total += lse[i] - logits[i, int(y[i])]\n    return total / len(y), probs\n',
        why='log-sum-exp form, loop over rows for the loss',
    ),
    "correct-blind-backward-eye": Correct(
        grade_id="mlp_backward",
        source='import numpy as np\ndef backward(X, y, params, cache, probs):\n    N, C = probs.shape\n    Y = np.eye(C)[y]\n    dZ2 = (probs - Y) / N\n    dW2 = cache["A1"].T @ dZ2\n    db2 = dZ2.sum(axis=0, keepdims=True).reshape(-1)\n    dA1 = dZ2 @ params["W2"].T\n    dZ1 = dA1 * (cache["Z1"] > 0).astype(float)\n    dW1 = X.T @ dZ1\n    db1 = dZ1.sum(axis=0)\n    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}\n',
        why='one-hot with np.eye, sums with keepdims then reshape',
    ),
    "correct-blind-numgrad-nditer": Correct(
        grade_id="numerical_gradient",
        source='import numpy as np\ndef gradient_numerique(f, x, h=1e-5):\n    x = np.array(x, dtype=float)\n    g = np.zeros_like(x)\n    it = np.nditer(x, flags=["multi_index"])\n    while not it.finished:\n        i = it.multi_index\n        old = x[i]\n        x[i] = old + h\n        fp = f(x)\n        x[i] = old - h\n        fm = f(x)\n        x[i] = old\n        g[i] = (fp - fm) / (2 * h)\n        it.iternext()\n    return g\n',
        why='np.nditer with restore of each component, float copy',
    ),
    "correct-blind-rel-error-maximum": Correct(
        grade_id="rel_error",
        source='import numpy as np\ndef erreur_relative(a, b):\n    a = np.asarray(a, dtype=np.float64); b = np.asarray(b, dtype=np.float64)\n    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))\n',
        why='np.maximum with float32 inputs cast',
    ),
    "correct-blind-param-784-loop": Correct(
        grade_id="param_count_784",
        source='l = [784, 256, 10]\nNB_PARAMS_784_256_10 = 0\nfor a, b in zip(l[:-1], l[1:]):\n    NB_PARAMS_784_256_10 += a * b + b\nprint(NB_PARAMS_784_256_10)\n',
        why='computed with a loop',
    ),
    "correct-blind-count-zip": Correct(
        grade_id="count_params",
        source='def nombre_parametres(largeurs):\n    return int(sum((a + 1) * b for a, b in zip(largeurs, largeurs[1:])))\n',
        why='generator expression with zip',
    ),
    "correct-blind-train-permutation-inplace": Correct(
        grade_id="train",
        source='import numpy as np\ndef entrainer(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    D = X_train.shape[1]\n    params = init_params(D, hidden, 10, seed)\n    rng = np.random.default_rng(seed)\n    N = X_train.shape[0]\n    for ep in range(epochs):\n        perm = rng.permutation(N)\n        for start in range(0, N, batch_size):\n            idx = perm[start:start + batch_size]\n            Xb, yb = X_train[idx], y_train[idx]\n            logits, cache = forward(Xb, params)\n            loss, probs = softmax_cross_entropy(logits, yb)\n            g = backward(Xb, yb, params, cache, probs)\n            for k in params:\n                params[k] -= lr * g[k]\n    return params\n',
        why='rng.permutation, explicit index range loop, in-place params updates',
    ),
}
CORRECT = {**globals().get('CORRECT', {}), **_BLIND_CORRECT}
CORRECT_GROUPS = {**globals().get("CORRECT_GROUPS", {}), "correct-blind": ('correct-blind-gd-preallocated', 'correct-blind-lr-other-values', 'correct-blind-diverges-loop-isfinite', 'correct-blind-perceptron-loops', 'correct-blind-forward-where', 'correct-blind-softmax-logsumexp', 'correct-blind-backward-eye', 'correct-blind-numgrad-nditer', 'correct-blind-rel-error-maximum', 'correct-blind-param-784-loop', 'correct-blind-count-zip', 'correct-blind-train-permutation-inplace')}

# Mutants of the solution (`autograder prove --mutants`) that are still correct answers.
EQUIVALENT: dict[str, str] = {
    "lr_choices:NumberReplacer@5:13": "LR_DIVERGE = 1.5 diverges too (|1 − 6·1.5| = 8 > 1)",
    "count_params:TrueWithFalse@3:81": "zip(largeurs[:-1], largeurs[1:]) has equal lengths: strict changes nothing",
    "diverges:DropStatement@3:4": "np.isfinite and np.linalg.norm take the trajectory as given (an array)",
    "grad_f:DropStatement@6:4": "x[0] and x[1] read an array or a list alike; the products are floats",
    "rel_error:DropStatement@3:4": "a is given as an array (the statement's); b - a, np.abs convert it",
    "rel_error:DropStatement@4:4": "b is given as an array (the statement's); a - b, np.abs convert it",
    "rel_error:SwapStatements@3:4": "the two conversions are independent",
    "perceptron_update:DropStatement@6:4": "w is an array of shape (d,) as the statement says; w + ... is a new float array",
    "perceptron_update:DropStatement@7:4": "x is an array of shape (d,) as the statement says",
    "perceptron_update:SwapStatements@6:4": "the two conversions are independent",
    "perceptron_update:SwapStatements@7:4": "np.dot(w, x) gives the same value before or after converting x",
    "softmax_ce:SwapStatements@3:4": "N and the shifted logits are independent",
    "softmax_ce:SwapStatements@6:4": "probs and loss both read log_probs: independent",
    "mlp_backward:SwapStatements@3:4": "N and Y = zeros_like(probs) are independent",
    "mlp_backward:SwapStatements@7:4": "dW2 and db2 both read dZ2: independent",
    "mlp_backward:SwapStatements@8:4": "db2 and dZ1 both read dZ2: independent",
    "mlp_backward:SwapStatements@10:4": "dW1 and db1 both read dZ1: independent",
    "mlp_backward:Comparison_Gt_GtE@9:48": (
        "ReLU'(0) = 1 is a valid subgradient; Z1 is exactly 0 with probability 0 on real inputs"
    ),
    "numerical_gradient:SwapStatements@11:8": "grad[i] reads f_plus and f_moins, not x: before or after restoring x[i]",
    "train:SwapStatements@3:4": "rng and (N, D) are independent",
}

# The class of TP02's blind answer (issue 12, part 1): every batch of the epoch, the incomplete
# last one included; a loop that skips it still reaches the accuracy bar.
SCENARIOS["submission-train-drops-last-partial-batch"] = Scenario(
    grade_id="train",
    source=edit(solution_cell(__file__, "train"),
                ("for debut in range(0, N, batch_size):", "for debut in range(0, N - batch_size + 1, batch_size):")),
    must_fail=("test_entrainer_batches_cover_the_epoch",),
    message_contains=("le dernier lot, incomplet, est sauté",),
)
GROUPS["mutants-a"] = (*GROUPS["mutants-a"], "submission-train-drops-last-partial-batch")

# Blind answers, round 3 (a tester who had not read these checks): three false passes (the
# largest norm compared instead of the last one, h hard-coded, a list for an np.ndarray) and a
# false failure (a stable float32 softmax lost the stability point at rtol 1e-5).
SCENARIOS.update({
    "blind-r3-diverges-largest-norm": Scenario(
        grade_id="diverges",
        source='def diverge(trajectoire):\n    t = np.asarray(trajectoire, dtype=float)\n    if not np.all(np.isfinite(t)):\n        return True\n    normes = np.linalg.norm(t, axis=1)\n    return bool(normes.max() > normes[0])\n',
        must_fail=("test_diverge_on_grader_trajectories",),
        message_contains=("pas le maximum de la trajectoire",),
    ),
    "blind-r3-numgrad-h-ignored": Scenario(
        grade_id="numerical_gradient",
        source='def gradient_numerique(f, x, h=1e-5):\n    x = np.array(x, dtype=float)\n    g = np.zeros_like(x)\n    for i in np.ndindex(x.shape):\n        xp = x.copy(); xp[i] += 1e-5\n        xm = x.copy(); xm[i] -= 1e-5\n        g[i] = (f(xp) - f(xm)) / 2e-5\n    return g\n',
        must_fail=("test_numerical_gradient_against_autograd",),
        message_contains=("utilisez l'argument h reçu",),
    ),
    "blind-r3-grad-f-list": Scenario(
        grade_id="grad_f",
        source='def grad_f(x):\n    return [2 * x[0], 6 * x[1]]\n',
        must_fail=("test_grad_f_at_course_point",),
        message_contains=("l'énoncé demande un np.ndarray de forme (2,)",),
    ),
})
GROUPS["blind-r3"] = ("blind-r3-diverges-largest-norm", "blind-r3-numgrad-h-ignored", "blind-r3-grad-f-list")
CORRECT.update({
    "blind-r3-correct-backward-einsum": Correct(grade_id="mlp_backward", source='def backward(X, y, params, cache, probs):\n    N, C = probs.shape\n    Y = np.eye(C)[y]\n    dZ2 = (probs - Y) / N\n    dW2 = np.einsum("nh,nc->hc", cache["A1"], dZ2)\n    db2 = dZ2.sum(axis=0)\n    dA1 = np.einsum("nc,hc->nh", dZ2, params["W2"])\n    dZ1 = dA1 * (cache["Z1"] > 0)\n    dW1 = np.einsum("nd,nh->dh", X, dZ1)\n    db1 = dZ1.sum(axis=0)\n    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}\n', why="one-hot with np.eye, einsum products"),
    "blind-r3-correct-numgrad-flat": Correct(grade_id="numerical_gradient", source='def gradient_numerique(f, x, h=1e-5):\n    xc = np.array(x, dtype=float, copy=True, order="C")\n    plat = xc.reshape(-1)\n    g = np.zeros_like(plat)\n    for i in range(plat.size):\n        v = plat[i]\n        plat[i] = v + h\n        fp = f(xc)\n        plat[i] = v - h\n        fm = f(xc)\n        plat[i] = v\n        g[i] = (fp - fm) / (2 * h)\n    return g.reshape(np.shape(x))\n', why="float copy in C order, flat views of it (round 17: without order=\"C\" the copy keeps a transposed x's layout and reshape copies; that answer is now blind-r17-numgrad-array-copy-keeps-layout)"),
    "blind-r3-correct-softmax-float32": Correct(grade_id="softmax_ce", source='def softmax_cross_entropy(logits, y):\n    z = np.asarray(logits, dtype=np.float32)\n    z = z - z.max(axis=1, keepdims=True)\n    e = np.exp(z)\n    probs = e / e.sum(axis=1, keepdims=True)\n    loss = -np.mean(np.log(probs[np.arange(len(y)), y] + 1e-12))\n    return float(loss), probs.astype(np.float64)\n', why="float32 with a log(p + 1e-12) guard"),
})
CORRECT_GROUPS["blind-r3-correct"] = ("blind-r3-correct-backward-einsum", "blind-r3-correct-numgrad-flat",
                                      "blind-r3-correct-softmax-float32")

# Two mutants were declared equivalent as "like drop_last" (range(1, N, batch_size) and
# range(-1, N, batch_size): examples of the epoch left out). The statement asks for every batch
# of the epoch, the incomplete last one included, so they are wrong answers; the batch check
# (every example once per epoch) catches them.
SCENARIOS["submission-train-loop-starts-at-one"] = Scenario(
    grade_id="train",
    source=edit(solution_cell(__file__, "train"),
                ("for debut in range(0, N, batch_size):", "for debut in range(1, N, batch_size):")),
    must_fail=("test_entrainer_batches_cover_the_epoch",),
    message_contains=("ne sont vus dans aucun lot de l'époque",),
)
GROUPS["blind-r3"] = (*GROUPS["blind-r3"], "submission-train-loop-starts-at-one")

# One policy in every TP (TP02 to TP05 already held it): the signature the statement gives is
# part of the statement, its defaults too, since the notebook trains with them. A changed default
# was an EQUIVALENT mutant here; the public check of `entrainer` now reads the defaults.
SCENARIOS["submission-train-default-epochs-changed"] = Scenario(
    grade_id="train",
    source=edit(solution_cell(__file__, "train"), ("epochs=30,", "epochs=60,")),
    must_fail=("test_entrainer_returns_params",),
    message_contains=("gardez la signature donnée",),
)
GROUPS["train-defaults"] = ("submission-train-default-epochs-changed",)


# Blind answers, round 6 (a tester who had not read these checks). False passes by class:
# arguments modified in place (backward's probs, the list of widths, the training data, a of
# erreur_relative: every function that receives an array, a list or a dict is now watched),
# boundary and structural inputs never drawn (a pre-activation exactly 0, a class absent from
# the batch, a row of logits spread over ±1000, d > 2, a run that converges or diverges, norms
# that disagree, a trajectory that grows then shrinks), a seed whose init use was masked by its
# shuffle use (lr = 0 shows the init alone), batch_size and epochs hard-coded. Hints that blamed
# the wrong thing now check their premise first (numgrad, perceptron, batches, forward).
SCENARIOS.update({
    'blind-r6-backward-probs-inplace': Scenario(
        grade_id='mlp_backward',
        source='def backward(X, y, params, cache, probs):\n    """Passe arrière manuelle du MLP."""\n    N = X.shape[0]\n    dZ2 = probs\n    dZ2[np.arange(N), y] -= 1\n    dZ2 /= N\n    dW2 = cache["A1"].T @ dZ2\n    db2 = dZ2.sum(axis=0)\n    dZ1 = (dZ2 @ params["W2"].T) * (cache["Z1"] > 0)\n    dW1 = X.T @ dZ1\n    db1 = dZ1.sum(axis=0)\n    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}\n',
        must_fail=('test_backward_output_layer_matches_autograd',),
        message_contains=("modifie sur place ce qu'on lui passe (probs)",),
    ),
    'blind-r6-count-params-pops-list': Scenario(
        grade_id='count_params',
        source='def nombre_parametres(largeurs):\n    """Nombre de poids et de biais d\'un MLP dense de largeurs [h_0, ..., h_l]."""\n    total = 0\n    precedente = largeurs.pop(0)\n    while largeurs:\n        h = largeurs.pop(0)\n        total += precedente * h + h\n        precedente = h\n    return total\n',
        must_fail=('test_nombre_parametres_matches_torch',),
        message_contains=("modifie sur place ce qu'on lui passe (largeurs)",),
    ),
    'blind-r6-train-inplace-shuffle': Scenario(
        grade_id='train',
        source='def entrainer(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    """Entraîne le MLP par SGD sur mini-lots mélangés à chaque époque ; renvoie params."""\n    N, D = X_train.shape\n    params = init_params(D, hidden, 10, seed)\n    rng = np.random.default_rng(seed)\n    for _ in range(epochs):\n        idx = rng.permutation(N)\n        X_train[:] = X_train[idx]\n        y_train[:] = y_train[idx]\n        for s in range(0, N, batch_size):\n            Xb, yb = X_train[s:s + batch_size], y_train[s:s + batch_size]\n            logits, cache = forward(Xb, params)\n            _, probs = softmax_cross_entropy(logits, yb)\n            g = backward(Xb, yb, params, cache, probs)\n            for k in params:\n                params[k] -= lr * g[k]\n    return params\n',
        must_fail=('test_entrainer_uses_its_arguments',),
        message_contains=("modifie sur place ce qu'on lui passe (X_train, y_train)",),
    ),
    'blind-r6-relerr-inplace-diff': Scenario(
        grade_id='rel_error',
        source='def erreur_relative(a, b):\n    """max |a - b| / max(1e-8, |a| + |b|) sur toutes les composantes."""\n    denom = np.maximum(1e-8, np.abs(a) + np.abs(b))\n    diff = a\n    diff -= b\n    return float(np.max(np.abs(diff) / denom))\n',
        must_fail=('test_erreur_relative_random_arrays',),
        message_contains=("modifie sur place ce qu'on lui passe (a)",),
    ),
    'blind-r6-diverges-inf-norm': Scenario(
        grade_id='diverges',
        source='def diverge(trajectoire):\n    """True si la trajectoire contient inf/nan ou si ‖x_n‖ > ‖x_0‖, False sinon."""\n    t = np.asarray(trajectoire, dtype=float)\n    if not np.all(np.isfinite(t)):\n        return True\n    return bool(np.max(np.abs(t[-1])) > np.max(np.abs(t[0])))\n',
        must_fail=('test_diverge_on_grader_trajectories',),
        message_contains=('pas le plus grand |x_i|',),
    ),
    'blind-r6-gd-d2-only': Scenario(
        grade_id='gradient_descent',
        source='def descente_gradient(grad, x0, lr, n_steps):\n    """Fait n_steps pas de descente de gradient depuis x0 avec le taux lr."""\n    traj = np.zeros((n_steps + 1, 2))\n    x = np.array(x0, dtype=float)\n    traj[0] = x[:2]\n    for t in range(n_steps):\n        x = x - lr * grad(x)\n        traj[t + 1] = x[:2]\n    return traj\n',
        must_fail=('test_descente_gradient_on_grader_quadratic',),
        message_contains=('2 colonnes écrites en dur',),
    ),
    'blind-r6-softmax-mean-shift': Scenario(
        grade_id='softmax_ce',
        source='def softmax_cross_entropy(logits, y):\n    """Entropie croisée moyenne sur le lot, calculée de façon stable : renvoie (loss, probs)."""\n    z = logits - logits.mean(axis=1, keepdims=True)\n    e = np.exp(z)\n    probs = e / e.sum(axis=1, keepdims=True)\n    N = logits.shape[0]\n    loss = -np.mean(np.log(probs[np.arange(N), y]))\n    return loss, probs\n',
        must_fail=('test_softmax_ce_is_numerically_stable',),
        message_contains=('retranchez le MAXIMUM de chaque ligne (pas la moyenne',),
    ),
    'blind-r6-numgrad-no-restore-copy': Scenario(
        grade_id='numerical_gradient',
        source='def gradient_numerique(f, x, h=1e-5):\n    """Gradient de f en x par différences centrées, composante par composante."""\n    xp = np.array(x, dtype=float, copy=True)\n    g = np.zeros_like(xp)\n    for idx in np.ndindex(xp.shape):\n        xp[idx] += h\n        fp = f(xp)\n        xp[idx] -= 2 * h\n        fm = f(xp)\n        g[idx] = (fp - fm) / (2 * h)\n    return g\n',
        must_fail=('test_numerical_gradient_against_autograd',),
        message_contains=('remettez chaque composante à sa valeur',),
    ),
    'blind-r6-perceptron-y-times-x': Scenario(
        grade_id='perceptron_update',
        source='def maj_perceptron(w, x, y, alpha):\n    """Une mise à jour du perceptron sur l\'exemple (x, y)."""\n    sortie = 1 if np.dot(w, x) >= 0 else 0\n    if sortie != y:\n        return w + alpha * y * x\n    return w.copy()\n',
        must_fail=('test_perceptron_random_examples', 'test_perceptron_step_convention_at_zero'),
        message_contains=('pas α y x',),
    ),
    'blind-r6-forward-bias-after-relu': Scenario(
        grade_id='mlp_forward',
        source='def forward(X, params):\n    """Passe avant du MLP : renvoie (logits de forme (N, C), cache {"Z1", "A1"})."""\n    Z1 = X @ params["W1"]\n    A1 = np.maximum(Z1, 0) + params["b1"]\n    Z2 = A1 @ params["W2"] + params["b2"]\n    return Z2, {"Z1": Z1, "A1": A1}\n',
        must_fail=('test_forward_shapes_and_values', 'test_forward_matches_torch', 'test_forward_cache'),
        message_contains=("b1 s'ajoute avant la ReLU",),
    ),
    'blind-r6-backward-mask-ge': Scenario(
        grade_id='mlp_backward',
        source='def backward(X, y, params, cache, probs):\n    """Passe arrière manuelle du MLP."""\n    N = X.shape[0]\n    Y = np.zeros_like(probs)\n    Y[np.arange(N), y] = 1\n    dZ2 = (probs - Y) / N\n    dW2 = cache["A1"].T @ dZ2\n    db2 = dZ2.sum(axis=0)\n    dZ1 = (dZ2 @ params["W2"].T) * (cache["Z1"] >= 0)\n    dW1 = X.T @ dZ1\n    db1 = dZ1.sum(axis=0)\n    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}\n',
        must_fail=('test_backward_hidden_layer_matches_autograd',),
        message_contains=('inégalité stricte',),
    ),
    'blind-r6-diverges-last-step': Scenario(
        grade_id='diverges',
        source='def diverge(trajectoire):\n    """True si la trajectoire contient inf/nan ou si ‖x_n‖ > ‖x_0‖, False sinon."""\n    t = np.asarray(trajectoire, dtype=float)\n    if np.isnan(t).any() or np.isinf(t).any():\n        return True\n    return bool(np.linalg.norm(t[-1]) > np.linalg.norm(t[-2]))\n',
        must_fail=('test_diverge_on_grader_trajectories',),
        message_contains=("PREMIER point x_0 = trajectoire[0]",),
    ),
    'blind-r6-gd-early-stop': Scenario(
        grade_id='gradient_descent',
        source='def descente_gradient(grad, x0, lr, n_steps):\n    """Fait n_steps pas de descente de gradient depuis x0 avec le taux lr."""\n    x = np.array(x0, dtype=float)\n    traj = [x.copy()]\n    for _ in range(n_steps):\n        g = grad(x)\n        if np.linalg.norm(g) < 1e-6:  # déjà au minimum : inutile de continuer\n            break\n        x = x - lr * g\n        traj.append(x.copy())\n    return np.array(traj)\n',
        must_fail=('test_descente_gradient_on_grader_quadratic',),
        message_contains=("pas d'arrêt anticipé",),
    ),
    'blind-r6-softmax-onehot-ymax': Scenario(
        grade_id='softmax_ce',
        source='def softmax_cross_entropy(logits, y):\n    """Entropie croisée moyenne sur le lot, calculée de façon stable : renvoie (loss, probs)."""\n    z = logits - logits.max(axis=1, keepdims=True)\n    e = np.exp(z)\n    probs = e / e.sum(axis=1, keepdims=True)\n    C = int(y.max()) + 1\n    Y = np.eye(C)[y]\n    loss = -np.sum(Y * np.log(probs + 1e-300)) / len(y)\n    return loss, probs\n',
        must_fail=('test_softmax_ce_matches_torch',),
        message_contains=('pas sur y.max() + 1',),
    ),
    'blind-r6-train-init-seed0': Scenario(
        grade_id='train',
        source='def entrainer(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    """Entraîne le MLP par SGD sur mini-lots mélangés à chaque époque ; renvoie params."""\n    N, D = X_train.shape\n    params = init_params(D, hidden, 10)\n    rng = np.random.default_rng(seed)\n    for _ in range(epochs):\n        idx = rng.permutation(N)\n        for s in range(0, N, batch_size):\n            b = idx[s:s + batch_size]\n            logits, cache = forward(X_train[b], params)\n            _, probs = softmax_cross_entropy(logits, y_train[b])\n            g = backward(X_train[b], y_train[b], params, cache, probs)\n            params = {k: params[k] - lr * g[k] for k in params}\n    return params\n',
        must_fail=('test_entrainer_uses_its_arguments',),
        message_contains=('passez seed à init_params',),
    ),
    'blind-r6-diverges-l1-norm': Scenario(
        grade_id='diverges',
        source='def diverge(trajectoire):\n    """True si la trajectoire contient inf/nan ou si ‖x_n‖ > ‖x_0‖, False sinon."""\n    t = np.asarray(trajectoire, dtype=float)\n    if not np.isfinite(t).all():\n        return True\n    return bool(np.abs(t[-1]).sum() > np.abs(t[0]).sum())\n',
        must_fail=('test_diverge_on_grader_trajectories',),
        message_contains=('pas la somme des |x_i|',),
    ),
    'blind-r6-gd-stop-on-overflow': Scenario(
        grade_id='gradient_descent',
        source='def descente_gradient(grad, x0, lr, n_steps):\n    """Fait n_steps pas de descente de gradient depuis x0 avec le taux lr."""\n    x = np.array(x0, dtype=float)\n    traj = [x]\n    for _ in range(n_steps):\n        x = x - lr * grad(x)\n        traj.append(x)\n        if np.abs(x).max() > 1e6:\n            break\n    return np.stack(traj)\n',
        must_fail=('test_descente_gradient_on_grader_quadratic',),
        message_contains=("pas d'arrêt anticipé",),
    ),
    'blind-r6-train-epochs-ignored': Scenario(
        grade_id='train',
        source='def entrainer(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    """Entraîne le MLP par SGD sur mini-lots mélangés à chaque époque ; renvoie params."""\n    N, D = X_train.shape\n    params = init_params(D, hidden, 10, seed)\n    rng = np.random.default_rng(seed)\n    for _ in range(30):\n        idx = rng.permutation(N)\n        for s in range(0, N, 32):\n            b = idx[s:s + 32]\n            logits, cache = forward(X_train[b], params)\n            _, probs = softmax_cross_entropy(logits, y_train[b])\n            g = backward(X_train[b], y_train[b], params, cache, probs)\n            for k in params:\n                params[k] = params[k] - lr * g[k]\n    return params\n',
        must_fail=('test_entrainer_uses_its_arguments', 'test_entrainer_batches_cover_the_epoch'),
        message_contains=('parcourt les exemples',),
    ),
    # The class of blind-r6-softmax-onehot-ymax in backward, and of blind-r6-train-epochs-ignored
    # for batch_size alone.
    "blind-r6-backward-onehot-ymax": Scenario(
        grade_id="mlp_backward",
        source=edit(solution_cell(__file__, "mlp_backward"),
                    ("    Y = np.zeros_like(probs)\n", "    Y = np.zeros((N, int(y.max()) + 1))\n")),
        must_fail=("test_backward_output_layer_matches_autograd", "test_backward_hidden_layer_matches_autograd"),
        message_contains=("pas sur y.max() + 1",),
    ),
    "blind-r6-train-batch-size-ignored": Scenario(
        grade_id="train",
        source=edit(solution_cell(__file__, "train"),
                    ("for debut in range(0, N, batch_size):", "for debut in range(0, N, 32):"),
                    ("ordre[debut : debut + batch_size]", "ordre[debut : debut + 32]")),
        must_fail=("test_entrainer_batches_cover_the_epoch",),
        message_contains=("utilisez l'argument batch_size reçu",),
    ),
})
GROUPS["blind-r6-a"] = (
    "blind-r6-backward-probs-inplace", "blind-r6-count-params-pops-list", "blind-r6-train-inplace-shuffle",
    "blind-r6-relerr-inplace-diff", "blind-r6-diverges-inf-norm", "blind-r6-gd-d2-only",
    "blind-r6-softmax-mean-shift", "blind-r6-numgrad-no-restore-copy", "blind-r6-perceptron-y-times-x",
    "blind-r6-forward-bias-after-relu",
)
GROUPS["blind-r6-b"] = (
    "blind-r6-backward-mask-ge", "blind-r6-diverges-last-step", "blind-r6-gd-early-stop",
    "blind-r6-softmax-onehot-ymax", "blind-r6-train-init-seed0",
)
GROUPS["blind-r6-c"] = (
    "blind-r6-backward-onehot-ymax", "blind-r6-diverges-l1-norm", "blind-r6-gd-stop-on-overflow",
    "blind-r6-train-epochs-ignored",
)
GROUPS["blind-r6-d"] = ("blind-r6-train-batch-size-ignored",)
# The pre-activation exactly 0 is now drawn on purpose (a dead hidden unit): the statement's mask
# is 1[Z1 > 0], and the mutant Z1 >= 0 is blind-r6-backward-mask-ge, a wrong answer.
EQUIVALENT.pop("mlp_backward:Comparison_Gt_GtE@9:48")

# Correct answers near the new inputs: the tester's (a mask read on A1, a recursive count that
# copies, a grad_f on a float copy, a training loop over an index copy) and two that a spread
# row, an absent class or a dead unit could hurt if the checks were wrong.
_BLIND_R6_CORRECT = {
    'blind-r6-correct-backward-mask-a1-addat': Correct(
        grade_id='mlp_backward',
        source='def backward(X, y, params, cache, probs):\n    """Passe arrière manuelle du MLP."""\n    N = X.shape[0]\n    dZ2 = np.array(probs, dtype=float, copy=True)\n    np.add.at(dZ2, (np.arange(N), y), -1.0)\n    dZ2 /= N\n    dW2 = cache["A1"].T @ dZ2\n    db2 = np.ones(N) @ dZ2\n    dA1 = dZ2 @ params["W2"].T\n    dZ1 = dA1 * (cache["A1"] > 0)\n    dW1 = X.T @ dZ1\n    db1 = np.ones(N) @ dZ1\n    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}\n',
        why='mask from A1 > 0 (0 where Z1 = 0), probs copied, np.add.at, biases as ones @ dZ',
    ),
    'blind-r6-correct-count-params-recursive': Correct(
        grade_id='count_params',
        source='def nombre_parametres(largeurs):\n    """Nombre de poids et de biais d\'un MLP dense de largeurs [h_0, ..., h_l]."""\n    l = [int(v) for v in largeurs]\n    if len(l) < 2:\n        return 0\n    return (l[0] + 1) * l[1] + nombre_parametres(l[1:])\n',
        why='recursive on a copied list of ints',
    ),
    'blind-r6-correct-grad-f-asarray': Correct(
        grade_id='grad_f',
        source='def grad_f(x):\n    """Gradient de f(x1, x2) = x1² + 3 x2², calculé à la main."""\n    x = np.asarray(x, dtype=float)\n    coeffs = np.array([2.0, 6.0])  # d/dx1 x1² = 2 x1 ; d/dx2 3 x2² = 6 x2\n    return coeffs * x\n',
        why='coefficient vector times a float copy of x',
    ),
    'blind-r6-correct-train-while-copy': Correct(
        grade_id='train',
        source='def entrainer(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    """Entraîne le MLP par SGD sur mini-lots mélangés à chaque époque ; renvoie params."""\n    X = np.asarray(X_train, dtype=float)\n    y = np.asarray(y_train)\n    N, D = X.shape\n    params = init_params(D, hidden, 10, seed)\n    rng = np.random.default_rng(seed)\n    ordre = np.arange(N)\n    loss = float("nan")\n    for epoch in range(epochs):\n        rng.shuffle(ordre)\n        debut = 0\n        while debut < N:\n            b = ordre[debut:debut + batch_size]\n            logits, cache = forward(X[b], params)\n            loss, probs = softmax_cross_entropy(logits, y[b])\n            grads = backward(X[b], y[b], params, cache, probs)\n            params = {nom: valeur - lr * grads[nom] for nom, valeur in params.items()}\n            debut += batch_size\n    print(f"dernière perte de lot : {loss:.4f}")\n    return params\n',
        why='while loop over batch starts, rng.shuffle of an index copy, new dict each step, a print',
    ),
    'blind-r6-correct-softmax-guard-1e8': Correct(
        grade_id='softmax_ce',
        source='def softmax_cross_entropy(logits, y):\n    """Entropie croisée moyenne sur le lot, calculée de façon stable : renvoie (loss, probs)."""\n    z = logits - np.max(logits, axis=1, keepdims=True)\n    e = np.exp(z)\n    probs = e / np.sum(e, axis=1, keepdims=True)\n    p_vrai = probs[np.arange(logits.shape[0]), y]\n    loss = float(-np.mean(np.log(p_vrai + 1e-8)))\n    return loss, probs\n',
        why='row max subtracted, log(p + 1e-8) guard',
    ),
    "blind-r6-correct-softmax-unguarded-eye": Correct(
        grade_id="softmax_ce",
        source='def softmax_cross_entropy(logits, y):\n    z = logits - logits.max(axis=1, keepdims=True)\n    probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\n    Y = np.eye(logits.shape[1])[y]\n    loss = -np.sum(Y * np.log(np.where(Y > 0, probs, 1.0))) / len(y)\n    return float(loss), probs\n',
        why="one-hot with np.eye(logits.shape[1]) (a class absent from y), log of the probabilities without a guard",
    ),
    "blind-r6-correct-backward-heaviside": Correct(
        grade_id="mlp_backward",
        source='def backward(X, y, params, cache, probs):\n    N, C = probs.shape\n    dZ2 = probs - np.eye(C)[y]\n    dZ2 = dZ2 / N\n    dZ1 = (dZ2 @ params["W2"].T) * np.heaviside(cache["Z1"], 0.0)\n    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": cache["A1"].T @ dZ2, "b2": dZ2.sum(axis=0)}\n',
        why="np.heaviside(Z1, 0) for the mask (0 at Z1 = 0), np.eye(C) with C from probs",
    ),
}
CORRECT = {**CORRECT, **_BLIND_R6_CORRECT}
CORRECT_GROUPS["blind-r6-correct-a"] = (
    "blind-r6-correct-backward-mask-a1-addat", "blind-r6-correct-count-params-recursive",
    "blind-r6-correct-grad-f-asarray", "blind-r6-correct-train-while-copy",
    "blind-r6-correct-softmax-guard-1e8",
)
CORRECT_GROUPS["blind-r6-correct-b"] = (
    "blind-r6-correct-softmax-unguarded-eye", "blind-r6-correct-backward-heaviside",
)


# Blind answers, round 8 (a tester who had not read these checks), by class. The update of
# `entrainer` was seen only through the accuracy bar: parameters never updated (b1, b2; b2 alone),
# C read from the labels and data read from the notebook kept their points; a one-batch step
# (epochs=1, batch_size=N) now checks θ0 − lr · dθ on each of the four parameters, on grader
# examples without the digit 9. Inputs never drawn: an integer x0 for descente_gradient. Hints
# that blamed the wrong thing now check their premise: notebook variables read instead of the
# arguments (backward's pv, entrainer's X_digits), integer results (grad_f), rows that are one
# array modified in place (descente_gradient), probabilities right but a loss of log(0)
# (probs[:, y]), a count for three widths only, |a + b| as denominator. A cache with other keys
# costs test_forward_cache alone (the logits are the public check's).
SCENARIOS.update({
    "submission-train-frozen-biases": Scenario(
        grade_id="train",
        source=edit(solution_with_docs(__file__, "train", "Entraîne le MLP, mais ne met à jour que les poids."),
                    ("            for nom in params:\n", '            for nom in ("W1", "W2"):\n')),
        must_fail=("test_entrainer_one_step_on_every_parameter",),
        message_contains=("b1, b2 ne changent pas après un pas",),
    ),
    "submission-train-frozen-b2": Scenario(
        grade_id="train",
        source=edit(solution_with_docs(__file__, "train", "Entraîne le MLP ; une faute de frappe oublie b2."),
                    ("            for nom in params:\n",
                     '            for nom in ["W1", "b1", "W2", "b_2"]:\n                if nom not in params:\n'
                     "                    continue\n")),
        must_fail=("test_entrainer_one_step_on_every_parameter",),
        message_contains=("b2 ne change pas après un pas",),
    ),
    "submission-train-notebook-data": Scenario(
        grade_id="train",
        source=edit(solution_with_docs(__file__, "train", "Entraîne le MLP sur les données du notebook."),
                    ("    N, D = X_train.shape\n", "    X_train, y_train = X_digits, y_digits\n    N, D = X_train.shape\n")),
        must_fail=("test_entrainer_one_step_on_every_parameter", "test_entrainer_batches_cover_the_epoch"),
        message_contains=("ne sont pas ceux de X_train", "X_digits, y_digits"),
    ),
    "submission-train-classes-from-labels": Scenario(
        grade_id="train",
        source=edit(solution_with_docs(__file__, "train", "Entraîne le MLP ; C lu sur les étiquettes."),
                    ("init_params(D, hidden, 10, seed)", "init_params(D, hidden, len(np.unique(y_train)), seed)")),
        must_fail=("test_entrainer_one_step_on_every_parameter",),
        message_contains=("toujours C = 10 sorties",),
    ),
    "submission-gd-integer-start-truncated": Scenario(
        grade_id="gradient_descent",
        source='def descente_gradient(grad, x0, lr, n_steps):\n    """Trajectoire du type de x0."""\n    x0 = np.asarray(x0)\n    traj = np.zeros((n_steps + 1, x0.shape[0]), dtype=x0.dtype)\n    traj[0] = x0\n    for t in range(n_steps):\n        traj[t + 1] = traj[t] - lr * grad(traj[t])\n    return traj\n',
        must_fail=("test_descente_gradient_on_grader_quadratic",),
        message_contains=("avec un x0 d'entiers",),
    ),
    "submission-gd-appends-same-array": Scenario(
        grade_id="gradient_descent",
        source='def descente_gradient(grad, x0, lr, n_steps):\n    """Ajoute x, modifié sur place."""\n    x = x0\n    traj = [x]\n    for _ in range(n_steps):\n        x -= lr * grad(x)\n        traj.append(x)\n    return np.array(traj)\n',
        must_fail=("test_descente_gradient_three_steps", "test_descente_gradient_on_grader_quadratic"),
        message_contains=("le MÊME tableau x", "partez de x = np.array(x0, dtype=float)"),
    ),
    "submission-grad-f-integer-array": Scenario(
        grade_id="grad_f",
        source='def grad_f(x):\n    """Gradient dans un tableau d\'entiers."""\n    g = np.zeros(2, dtype=int)\n    g[0] = 2 * x[0]\n    g[1] = 6 * x[1]\n    return g\n',
        must_fail=("test_grad_f_matches_autograd",),
        message_contains=("ne contient que des entiers",),
    ),
    "submission-backward-reads-notebook-pv": Scenario(
        grade_id="mlp_backward",
        source=edit(solution_with_docs(__file__, "mlp_backward", "Passe arrière qui lit pv du notebook."),
                    ('params["W2"].T', 'pv["W2"].T')),
        must_fail=(
            "test_backward_shapes",
            "test_backward_output_layer_matches_autograd",
            "test_backward_hidden_layer_matches_autograd",
        ),
        message_contains=("lit la ou les variables du notebook pv",),
    ),
    "submission-forward-reads-notebook-pv": Scenario(
        grade_id="mlp_forward",
        source=edit(solution_with_docs(__file__, "mlp_forward", "Passe avant qui lit pv du notebook."),
                    ('X @ params["W1"] + params["b1"]', 'X @ pv["W1"] + pv["b1"]')),
        must_fail=("test_forward_shapes_and_values", "test_forward_matches_torch", "test_forward_cache"),
        message_contains=("lit la ou les variables du notebook pv",),
    ),
    "submission-forward-cache-lowercase-keys": Scenario(
        grade_id="mlp_forward",
        source=edit(solution_with_docs(__file__, "mlp_forward", "Passe avant, clés du cache en minuscules."),
                    ('{"Z1": Z1, "A1": A1}', '{"z1": Z1, "a1": A1}')),
        must_fail=("test_forward_cache",),
        message_contains=("majuscules comprises", "a1, z1"),
    ),
    "submission-loss-reads-label-block": Scenario(
        grade_id="softmax_ce",
        source='def softmax_cross_entropy(logits, y):\n    """probs[:, y] au lieu d\'une probabilité par ligne."""\n    d = logits - logits.max(axis=1, keepdims=True)\n    e = np.exp(d)\n    probs = e / e.sum(axis=1, keepdims=True)\n    loss = -np.mean(np.log(probs[:, y]))\n    return float(loss), probs\n',
        must_fail=("test_softmax_ce_matches_torch", "test_softmax_ce_is_numerically_stable"),
        message_contains=("ne lit qu'UNE probabilité par ligne", "probs[:, y] est un bloc (N, N)"),
    ),
    "submission-count-params-float": Scenario(
        grade_id="count_params",
        source='def nombre_parametres(largeurs):\n    """Compte en flottants."""\n    l = np.asarray(largeurs, dtype=float)\n    return np.sum(l[:-1] * l[1:] + l[1:])\n',
        must_fail=("test_nombre_parametres_matches_torch",),
        message_contains=("nombre à virgule (float)",),
    ),
    "submission-count-params-three-widths": Scenario(
        grade_id="count_params",
        source='def nombre_parametres(largeurs):\n    """Trois largeurs seulement."""\n    h0, h1, h2 = largeurs[0], largeurs[1], largeurs[-1]\n    return h0 * h1 + h1 + h1 * h2 + h2\n',
        must_fail=("test_nombre_parametres_matches_torch",),
        message_contains=("une seule couche cachée",),
    ),
    "submission-rel-error-abs-of-sum": Scenario(
        grade_id="rel_error",
        source=edit(solution_with_docs(__file__, "rel_error", "Dénominateur |a + b|."),
                    ("np.abs(a) + np.abs(b)", "np.abs(a + b)")),
        must_fail=("test_erreur_relative_random_arrays",),
        message_contains=("pas |a + b|",),
    ),
})
GROUPS["r8-a"] = (
    "submission-train-frozen-biases", "submission-gd-integer-start-truncated", "submission-grad-f-integer-array",
    "submission-backward-reads-notebook-pv", "submission-forward-cache-lowercase-keys",
    "submission-loss-reads-label-block", "submission-count-params-float", "submission-rel-error-abs-of-sum",
)
GROUPS["r8-b"] = (
    "submission-train-frozen-b2", "submission-gd-appends-same-array", "submission-count-params-three-widths",
    "submission-forward-reads-notebook-pv",
)
GROUPS["r8-c"] = ("submission-train-notebook-data",)
GROUPS["r8-d"] = ("submission-train-classes-from-labels",)

# Correct answers near the new inputs and checks: float32 training data, an evaluation pass over
# the whole training set each epoch (a batch of every example), float32 parameters, an in-place
# step on a float copy of an integer x0, a cache with extra keys, an unguarded log after the
# row-max shift (the statement's recipe).
_R8_CORRECT = {
    "correct-train-float32-data-eval-pass": Correct(
        grade_id="train",
        source='def entrainer(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    X = np.asarray(X_train, dtype=np.float32)\n    y = np.asarray(y_train)\n    rng = np.random.default_rng(seed)\n    params = init_params(X.shape[1], hidden, 10, seed)\n    for epoque in range(epochs):\n        perm = rng.permutation(len(X))\n        for s in range(0, len(X), batch_size):\n            b = perm[s:s + batch_size]\n            logits, cache = forward(X[b], params)\n            loss, probs = softmax_cross_entropy(logits, y[b])\n            grads = backward(X[b], y[b], params, cache, probs)\n            params = {k: params[k] - lr * grads[k] for k in params}\n        if epoque == epochs - 1:\n            acc = float((forward(X, params)[0].argmax(axis=1) == y).mean())\n            print(f"précision train : {acc:.3f}")\n    return params\n',
        why="float32 data, a dict comprehension, an evaluation pass over the whole set at the end",
    ),
    "correct-train-float32-params": Correct(
        grade_id="train",
        source='def entrainer(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    N, D = X_train.shape\n    params = {k: v.astype(np.float32) for k, v in init_params(D, hidden, 10, seed).items()}\n    rng = np.random.default_rng(seed)\n    for _ in range(epochs):\n        idx = rng.permutation(N)\n        for debut in range(0, N, batch_size):\n            lot = idx[debut:debut + batch_size]\n            logits, cache = forward(X_train[lot], params)\n            _, probs = softmax_cross_entropy(logits, y_train[lot])\n            g = backward(X_train[lot], y_train[lot], params, cache, probs)\n            for k in params:\n                params[k] = (params[k] - lr * g[k]).astype(np.float32)\n    return params\n',
        why="parameters kept in float32",
    ),
    "correct-gd-inplace-on-float-copy": Correct(
        grade_id="gradient_descent",
        source='def descente_gradient(grad, x0, lr, n_steps):\n    x = np.array(x0, dtype=float)\n    traj = [x.copy()]\n    for _ in range(n_steps):\n        x -= lr * np.asarray(grad(x))\n        traj.append(x.copy())\n    return np.array(traj)\n',
        why="x -= ... on a float copy of x0 (an integer x0 included), copies appended",
    ),
    "correct-forward-extra-cache-keys": Correct(
        grade_id="mlp_forward",
        source='def forward(X, params):\n    Z1 = X @ params["W1"] + params["b1"]\n    A1 = Z1 * (Z1 > 0)\n    Z2 = A1 @ params["W2"] + params["b2"]\n    return Z2, {"X": X, "Z1": Z1, "A1": A1, "Z2": Z2}\n',
        why="ReLU as Z1 * (Z1 > 0), extra cache entries",
    ),
    "correct-softmax-ce-shift-then-log": Correct(
        grade_id="softmax_ce",
        source='def softmax_cross_entropy(logits, y):\n    N = logits.shape[0]\n    shifted = logits - np.max(logits, axis=1, keepdims=True)\n    exp = np.exp(shifted)\n    probs = exp / np.sum(exp, axis=1, keepdims=True)\n    loss = -np.mean(np.log(probs[np.arange(N), y]))\n    return float(loss), probs\n',
        why="the statement's recipe: row max subtracted, then log of the probabilities, unguarded",
    ),
}
CORRECT = {**CORRECT, **_R8_CORRECT}
CORRECT_GROUPS["r8-correct-a"] = (
    "correct-train-float32-data-eval-pass", "correct-gd-inplace-on-float-copy",
    "correct-forward-extra-cache-keys", "correct-softmax-ce-shift-then-log",
)
CORRECT_GROUPS["r8-correct-b"] = ("correct-train-float32-params",)


# Blind answers, round 10 (a tester who had not read these checks), by class. Structures never
# drawn: an example where the bias alone decides the perceptron's output; a 2-d trajectory with
# one entry growing while the norm shrinks; a non-finite value in the first point; tiny non-zero
# values where the floor 1e-8 decides; more than 10 classes in backward; widths whose count
# passes 2**31. Rules unseen: diverge rewriting nan in place (watched on a trajectory with inf
# and nan), maj_perceptron returning w itself, a list or a torch tensor returned, lr written in
# entrainer (the one-step check now names it: blind-train-ignores-lr), a rate changed between epochs (a second epoch of
# one batch). Hints that blamed the wrong thing now check their premise: a loss that stays put
# is not "AUGMENTÉ", a finite −log P[i, y_i] is not log(0), a written cache is not probs, a
# broadcast (N, C) − (N,) is keepdims, a d > 2 failure after d = 2 passed is a hard-coded 2.
# Float32 answers are held to float32 rounding (forward, backward, the public trajectory).
SCENARIOS.update({
    "submission-diverges-compares-entries": Scenario(
        grade_id="diverges",
        source='def diverge(trajectoire):\n    """Compare les deux premières composantes une à une."""\n    if not np.isfinite(trajectoire).all():\n        return True\n    return bool(abs(trajectoire[-1, 0]) > abs(trajectoire[0, 0]) or abs(trajectoire[-1, 1]) > abs(trajectoire[0, 1]))\n',
        must_fail=("test_diverge_on_grader_trajectories",),
        message_contains=("pas les composantes une à une",),
    ),
    "submission-diverges-misses-first-row": Scenario(
        grade_id="diverges",
        source='def diverge(trajectoire):\n    """Teste les valeurs non finies à partir de la ligne 1."""\n    if not np.isfinite(trajectoire[1:]).all():\n        return True\n    return bool(np.linalg.norm(trajectoire[-1]) > np.linalg.norm(trajectoire[0]))\n',
        must_fail=("test_diverge_non_finite",),
        message_contains=("PREMIER point", "sur TOUTE la trajectoire"),
    ),
    "submission-diverges-rewrites-nan-in-place": Scenario(
        grade_id="diverges",
        source='def diverge(trajectoire):\n    """Remplace nan par inf dans la trajectoire reçue."""\n    trajectoire[np.isnan(trajectoire)] = np.inf\n    if np.isinf(trajectoire).any():\n        return True\n    return bool(np.linalg.norm(trajectoire[-1]) > np.linalg.norm(trajectoire[0]))\n',
        must_fail=("test_diverge_non_finite",),
        message_contains=("diverge modifie sur place",),
    ),
    "submission-perceptron-output-without-bias": Scenario(
        grade_id="perceptron_update",
        source='def maj_perceptron(w, x, y, alpha):\n    """Sortie calculée sans le biais w0·x0."""\n    s = np.dot(w[1:], x[1:])\n    sortie = 1 if s >= 0 else 0\n    return w + alpha * (y - sortie) * x\n',
        must_fail=("test_perceptron_random_examples",),
        message_contains=("le biais w0·x0",),
    ),
    "submission-perceptron-returns-w-itself": Scenario(
        grade_id="perceptron_update",
        source='def maj_perceptron(w, x, y, alpha):\n    """Renvoie w lui-même quand il n\'y a pas d\'erreur."""\n    sortie = 1 if np.dot(w, x) >= 0 else 0\n    if sortie != y:\n        w = w + alpha * (y - sortie) * x\n    return w\n',
        must_fail=("test_perceptron_random_examples",),
        message_contains=("NOUVEAU tableau",),
    ),
    "submission-rel-error-denominator-not-floored": Scenario(
        grade_id="rel_error",
        source='def erreur_relative(a, b):\n    """Un epsilon minuscule au lieu du plancher 1e-8."""\n    return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b) + 1e-300)))\n',
        must_fail=("test_erreur_relative_random_arrays",),
        message_contains=("le plancher 1e-8 remplace",),
    ),
    "submission-gd-returns-list": Scenario(
        grade_id="gradient_descent",
        source='def descente_gradient(grad, x0, lr, n_steps):\n    """Renvoie une liste de points."""\n    traj = [np.array(x0, dtype=float)]\n    for _ in range(n_steps):\n        traj.append(traj[-1] - lr * grad(traj[-1]))\n    return traj\n',
        must_fail=("test_descente_gradient_three_steps",),
        message_contains=("renvoie une liste Python",),
    ),
    "submission-gd-hard-coded-two-columns": Scenario(
        grade_id="gradient_descent",
        source='def descente_gradient(grad, x0, lr, n_steps):\n    """Trajectoire à deux colonnes écrites en dur."""\n    traj = np.zeros((n_steps + 1, 2))\n    traj[0] = x0[:2]\n    for t in range(n_steps):\n        traj[t + 1] = traj[t] - lr * grad(traj[t])\n    return traj\n',
        must_fail=("test_descente_gradient_on_grader_quadratic",),
        message_contains=("pas 2 écrit en dur",),
    ),
    "submission-grad-f-returns-torch-tensor": Scenario(
        grade_id="grad_f",
        # Round 14: computed by hand in torch (no autograd, which the guard now fails on its
        # own: submission-grad-f-autograd-to-numpy), so that this scenario still shows the type.
        source='def grad_f(x):\n    """Le gradient calculé à la main avec torch, renvoyé comme tenseur."""\n    xt = torch.as_tensor(np.asarray(x, dtype=float))\n    return torch.stack([2 * xt[0], 6 * xt[1]])\n',
        must_fail=("test_grad_f_at_course_point",),
        message_contains=("torch.Tensor",),
    ),
    "submission-loss-log-sum-exp-of-raw-logits": Scenario(
        grade_id="softmax_ce",
        source='def softmax_cross_entropy(logits, y):\n    """Softmax décalée, mais perte sur les logits bruts."""\n    z = logits - logits.max(axis=1, keepdims=True)\n    probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\n    N = len(y)\n    lse = np.log(np.sum(np.exp(logits), axis=1))\n    loss = np.mean(lse - logits[np.arange(N), y])\n    return loss, probs\n',
        must_fail=("test_softmax_ce_is_numerically_stable",),
        message_contains=("logits BRUTS",),
    ),
    "submission-loss-max-without-keepdims": Scenario(
        grade_id="softmax_ce",
        source='def softmax_cross_entropy(logits, y):\n    """Maximum par ligne sans keepdims."""\n    z = logits - logits.max(axis=1)\n    e = np.exp(z)\n    probs = e / e.sum(axis=1, keepdims=True)\n    loss = -np.mean(np.log(probs[np.arange(len(y)), y]))\n    return loss, probs\n',
        must_fail=(
            "test_softmax_ce_uniform_logits",
            "test_softmax_ce_matches_torch",
            "test_softmax_ce_is_numerically_stable",
        ),
        message_contains=("keepdims=True",),
    ),
    "submission-backward-mask-written-into-cache": Scenario(
        grade_id="mlp_backward",
        source='def backward(X, y, params, cache, probs):\n    """Le masque est écrit dans cache["Z1"]."""\n    N, C = probs.shape\n    dZ2 = (probs - np.eye(C)[y]) / N\n    masque = cache["Z1"]\n    masque[masque <= 0] = 0\n    masque[masque > 0] = 1\n    dZ1 = (dZ2 @ params["W2"].T) * masque\n    return {"W1": X.T @ dZ1, "b1": dZ1.sum(0), "W2": cache["A1"].T @ dZ2, "b2": dZ2.sum(0)}\n',
        must_fail=("test_backward_output_layer_matches_autograd",),
        message_contains=("lisez le cache sans l'écrire",),
    ),
    "submission-backward-one-hot-of-ten-classes": Scenario(
        grade_id="mlp_backward",
        source='def backward(X, y, params, cache, probs):\n    """One-hot à 10 classes écrit en dur."""\n    N = X.shape[0]\n    Y = np.eye(10)[y][:, : probs.shape[1]]\n    dZ2 = (probs - Y) / N\n    dZ1 = (dZ2 @ params["W2"].T) * (cache["Z1"] > 0)\n    return {"W1": X.T @ dZ1, "b1": dZ1.sum(0), "W2": cache["A1"].T @ dZ2, "b2": dZ2.sum(0)}\n',
        must_fail=("test_backward_hidden_layer_matches_autograd",),
        message_contains=("pas 10 écrit en dur",),
    ),
    "submission-count-params-int32-overflow": Scenario(
        grade_id="count_params",
        source='def nombre_parametres(largeurs):\n    """Compte en entiers 32 bits."""\n    l = np.array(largeurs, dtype=np.int32)\n    return int(np.sum(l[:-1] * l[1:] + l[1:], dtype=np.int32))\n',
        must_fail=("test_nombre_parametres_matches_torch",),
        message_contains=("entiers 32 bits",),
    ),
    "submission-train-rate-decay": Scenario(
        grade_id="train",
        source='def entrainer(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    """Taux multiplié par 0.9 à chaque époque."""\n    params = init_params(X_train.shape[1], hidden, 10, seed)\n    rng = np.random.default_rng(seed)\n    N = len(X_train)\n    pas = lr\n    for _ in range(epochs):\n        p = rng.permutation(N)\n        for s in range(0, N, batch_size):\n            b = p[s:s + batch_size]\n            lg, cache = forward(X_train[b], params)\n            _, pr = softmax_cross_entropy(lg, y_train[b])\n            g = backward(X_train[b], y_train[b], params, cache, pr)\n            for k in params:\n                params[k] = params[k] - pas * g[k]\n        pas *= 0.9\n    return params\n',
        must_fail=("test_entrainer_one_step_on_every_parameter",),
        message_contains=("pas de décroissance du taux",),
    ),
    "submission-train-shuffles-inputs-and-labels-apart": Scenario(
        grade_id="train",
        source='def entrainer(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    """X et y mélangés par deux permutations différentes."""\n    params = init_params(X_train.shape[1], hidden, 10, seed)\n    rng = np.random.default_rng(seed)\n    Xs, ys = X_train.copy(), y_train.copy()\n    N = len(Xs)\n    for _ in range(epochs):\n        rng.shuffle(Xs)\n        rng.shuffle(ys)\n        for s in range(0, N, batch_size):\n            Xb, yb = Xs[s:s + batch_size], ys[s:s + batch_size]\n            lg, cache = forward(Xb, params)\n            _, pr = softmax_cross_entropy(lg, yb)\n            g = backward(Xb, yb, params, cache, pr)\n            for k in params:\n                params[k] = params[k] - lr * g[k]\n    return params\n',
        must_fail=("test_entrainer_reaches_test_accuracy", "test_entrainer_one_step_on_every_parameter"),
        # "la perte n'a presque pas bougé" speaks on some grader variants only (its premise is
        # the loss's course); the pairing is named on every one.
        message_contains=("y_train[lot] correspond à X_train[lot]",),
    ),
})
GROUPS["blind-r10-a"] = (
    "submission-diverges-compares-entries", "submission-perceptron-output-without-bias",
    "submission-rel-error-denominator-not-floored", "submission-gd-returns-list",
    "submission-grad-f-returns-torch-tensor", "submission-loss-log-sum-exp-of-raw-logits",
    "submission-backward-mask-written-into-cache", "submission-count-params-int32-overflow",
)
GROUPS["blind-r10-b"] = (
    "submission-diverges-misses-first-row", "submission-perceptron-returns-w-itself",
    "submission-gd-hard-coded-two-columns", "submission-loss-max-without-keepdims",
    "submission-backward-one-hot-of-ten-classes", "submission-train-rate-decay",
)
GROUPS["blind-r10-c"] = (
    "submission-diverges-rewrites-nan-in-place", "submission-train-shuffles-inputs-and-labels-apart",
)

# Correct answers in float32 that a float64 tolerance failed (blind answers): a float32
# trajectory, a float32 backward, a float32 forward whose Z1 has an entry near 0.
_BLIND_R10_CORRECT = {
    "correct-gd-float32-trajectory": Correct(
        grade_id="gradient_descent",
        source='def descente_gradient(grad, x0, lr, n_steps):\n    traj = np.zeros((n_steps + 1, len(x0)), dtype=np.float32)\n    traj[0] = x0\n    for t in range(n_steps):\n        traj[t + 1] = traj[t] - lr * grad(traj[t])\n    return traj\n',
        why="a preallocated float32 trajectory: right to float32 rounding (~4e-8)",
    ),
    "correct-backward-float32": Correct(
        grade_id="mlp_backward",
        source='def backward(X, y, params, cache, probs):\n    N, C = probs.shape\n    P = probs.astype(np.float32)\n    Y = np.zeros((N, C), dtype=np.float32)\n    Y[np.arange(N), y] = 1.0\n    dZ2 = (P - Y) / N\n    dW2 = cache["A1"].astype(np.float32).T @ dZ2\n    dZ1 = (dZ2 @ params["W2"].astype(np.float32).T) * (cache["Z1"] > 0)\n    dW1 = X.astype(np.float32).T @ dZ1\n    return {"W1": dW1, "b1": dZ1.sum(0), "W2": dW2, "b2": dZ2.sum(0)}\n',
        why="float32 gradients: ~2e-6 from autograd's float64 ones",
    ),
    "correct-forward-float32": Correct(
        grade_id="mlp_forward",
        source='def forward(X, params):\n    p = {k: np.asarray(v, dtype=np.float32) for k, v in params.items()}\n    Z1 = np.asarray(X, dtype=np.float32) @ p["W1"] + p["b1"]\n    A1 = np.clip(Z1, 0, None)\n    return A1 @ p["W2"] + p["b2"], {"Z1": Z1, "A1": A1}\n',
        why="float32 forward: logits and cache right to float32 rounding, entries near 0 included",
    ),
}
CORRECT = {**CORRECT, **_BLIND_R10_CORRECT}
CORRECT_GROUPS["blind-r10-correct"] = tuple(_BLIND_R10_CORRECT)


# Blind answers, round 12 (a tester who had not read these checks), by class. Arguments whose
# effect was never observed: the seed's use in the shuffle (init_params got it, the order did not),
# now two seeds must give two orders. Structures never drawn: a run that overflows to inf/nan
# (a loop that stops there kept its point), norms equal within np.isclose but not equal, an
# integer w for the perceptron, a last batch of one example, batches of batch_size except the
# last (np.array_split's near-equal parts are not), a loss on large logits capped by a coarse
# guard. Hints that blamed the wrong thing: a matmul error from a D written as 64, "vous montez le
# gradient ?" for summed gradients, the ReLU mask for a gradient off by a constant factor, the
# sign for |y − f(x)|.
_TRAIN_LOOP = (
    "    N, D = X_train.shape\n"
    "    params = init_params({D}, hidden, 10, seed)\n"
    "{RNG}"
    "    for ep in range(epochs):\n"
    "        ordre = {ORDER}.permutation(N)\n"
    "        for debut in range(0, N, batch_size):\n"
    "            lot = ordre[debut:debut + batch_size]\n"
    "            logits, cache = forward(X_train[lot], params)\n"
    "            _, probs = softmax_cross_entropy(logits, y_train[lot])\n"
    "            grads = backward(X_train[lot], y_train[lot], params, cache, probs)\n"
    "            for nom in params:\n"
    "                params[nom] = params[nom] - lr * grads[nom]\n"
    "    return params\n"
)
_TRAIN_HEAD = 'def entrainer(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    """{DOC}"""\n'


def _train_source(doc: str, d: str = "D", rng: str = "    rng = np.random.default_rng(seed)\n", order: str = "rng") -> str:
    return _TRAIN_HEAD.replace("{DOC}", doc) + _TRAIN_LOOP.replace("{D}", d).replace("{RNG}", rng).replace("{ORDER}", order)


SCENARIOS.update({
    "submission-train-shuffle-ignores-seed": Scenario(
        grade_id="train",
        source=_train_source("Mélange avec un générateur de graine fixe 0.", rng="    rng = np.random.default_rng(0)\n"),
        must_fail=("test_entrainer_uses_its_arguments",),
        message_contains=("le mélange n'utilise pas le seed reçu",),
    ),
    "submission-train-shuffle-seeded-by-epoch": Scenario(
        grade_id="train",
        source=_train_source("Un générateur par époque, de graine le numéro de l'époque.", rng="",
                             order="np.random.default_rng(ep)"),
        must_fail=("test_entrainer_uses_its_arguments",),
        message_contains=("le mélange n'utilise pas le seed reçu",),
    ),
    "submission-train-hard-coded-input-dim": Scenario(
        grade_id="train",
        source=_train_source("D = 64 écrit en dur (les chiffres du notebook).", d="64"),
        must_fail=("test_entrainer_one_step_on_every_parameter", "test_entrainer_batches_cover_the_epoch"),
        message_contains=("D = X_train.shape[1]", "pas 64 écrit en dur"),
    ),
    "submission-train-sums-gradients-over-steps": Scenario(
        grade_id="train",
        source=edit(_train_source("Les gradients s'additionnent d'un pas à l'autre."),
                    ("    for ep in range(epochs):\n",
                     "    cumul = {k: np.zeros_like(v) for k, v in params.items()}\n    for ep in range(epochs):\n"),
                    ("                params[nom] = params[nom] - lr * grads[nom]\n",
                     "                cumul[nom] += grads[nom]\n                params[nom] = params[nom] - lr * cumul[nom]\n")),
        must_fail=("test_entrainer_reaches_test_accuracy", "test_entrainer_one_step_on_every_parameter"),
        message_contains=("pas une somme avec les gradients des pas précédents",),
    ),
    "submission-train-array-split-near-equal-batches": Scenario(
        grade_id="train",
        source='def entrainer(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    """ceil(N / batch_size) lots presque égaux (np.array_split), plus petits que batch_size."""\n    rng = np.random.default_rng(seed)\n    params = init_params(X_train.shape[1], hidden, 10, seed)\n    n_lots = int(np.ceil(len(X_train) / batch_size))\n    for epoque in range(epochs):\n        for lot in np.array_split(rng.permutation(len(X_train)), n_lots):\n            Xb, yb = X_train[lot], y_train[lot]\n            logits, cache = forward(Xb, params)\n            perte, probs = softmax_cross_entropy(logits, yb)\n            grads = backward(Xb, yb, params, cache, probs)\n            params = {k: v - lr * grads[k] for k, v in params.items()}\n    return params\n',
        must_fail=("test_entrainer_batches_cover_the_epoch",),
        message_contains=("np.array_split en ceil(N / batch_size) parts",),
    ),
    "submission-train-skips-last-single-example": Scenario(
        grade_id="train",
        source=edit(_train_source("range(0, N − 1, batch_size) : un dernier lot d'un seul exemple est sauté."),
                    ("        for debut in range(0, N, batch_size):\n", "        for debut in range(0, N - 1, batch_size):\n")),
        must_fail=("test_entrainer_batches_cover_the_epoch",),
        message_contains=("le dernier lot, incomplet, est sauté",),
    ),
    "submission-gd-stops-on-overflow": Scenario(
        grade_id="gradient_descent",
        source='def descente_gradient(grad, x0, lr, n_steps):\n    """S\'arrête dès que x n\'est plus fini."""\n    x = np.array(x0, dtype=float)\n    traj = [x.copy()]\n    for _ in range(n_steps):\n        x = x - lr * np.asarray(grad(x), dtype=float)\n        if not np.all(np.isfinite(x)):\n            break\n        traj.append(x.copy())\n    return np.array(traj)\n',
        must_fail=("test_descente_gradient_on_grader_quadratic",),
        message_contains=("débordent en inf/nan",),
    ),
    "submission-gd-clips-overflow": Scenario(
        grade_id="gradient_descent",
        source='def descente_gradient(grad, x0, lr, n_steps):\n    """Remplace inf/nan par de grands nombres finis."""\n    x = np.array(x0, dtype=float)\n    traj = [x.copy()]\n    for _ in range(n_steps):\n        x = np.nan_to_num(x - lr * np.asarray(grad(x), dtype=float))\n        traj.append(x.copy())\n    return np.array(traj)\n',
        must_fail=("test_descente_gradient_on_grader_quadratic",),
        message_contains=("sans les remplacer ni les borner",),
    ),
    "submission-loss-coarse-clip-guard": Scenario(
        grade_id="softmax_ce",
        source='def softmax_cross_entropy(logits, y):\n    """Probabilité de l\'étiquette bornée par np.clip(p, 1e-6, 1) avant le log."""\n    z = logits - logits.max(axis=1, keepdims=True)\n    probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\n    loss = -np.mean(np.log(np.clip(probs[np.arange(len(y)), y], 1e-6, 1.0)))\n    return float(loss), probs\n',
        must_fail=("test_softmax_ce_is_numerically_stable",),
        may_fail=("test_softmax_ce_matches_torch",),
        message_contains=("plafonne la perte",),
    ),
    "submission-backward-divides-by-fixed-batch-size": Scenario(
        grade_id="mlp_backward",
        source='def backward(X, y, params, cache, probs):\n    """dZ2 divisé par 32, la taille de lot du notebook, au lieu de N."""\n    N = X.shape[0]\n    dZ2 = probs.copy()\n    for i in range(N):\n        dZ2[i, int(y[i])] -= 1\n    dZ2 = dZ2 / 32\n    dZ1 = dZ2 @ params["W2"].T * (cache["Z1"] > 0)\n    return {"W1": X.T @ dZ1, "b1": dZ1.sum(0), "W2": cache["A1"].T @ dZ2, "b2": dZ2.sum(0)}\n',
        must_fail=("test_backward_output_layer_matches_autograd", "test_backward_hidden_layer_matches_autograd"),
        message_contains=("avec un autre facteur",),
    ),
    "submission-perceptron-absolute-error": Scenario(
        grade_id="perceptron_update",
        source='def maj_perceptron(w, x, y, alpha):\n    """Correction α |y − f(x)| x."""\n    sortie = 1 if np.dot(w, x) >= 0 else 0\n    return w + alpha * abs(y - sortie) * x\n',
        must_fail=("test_perceptron_random_examples", "test_perceptron_step_convention_at_zero"),
        message_contains=("pas sa valeur absolue",),
    ),
    "submission-perceptron-int-weights-truncated": Scenario(
        grade_id="perceptron_update",
        source='def maj_perceptron(w, x, y, alpha):\n    """Copie de w remplie composante par composante."""\n    nouveau = w.copy()\n    sortie = 1 if nouveau @ x >= 0 else 0\n    for i in range(len(nouveau)):\n        nouveau[i] = nouveau[i] + alpha * (y - sortie) * x[i]\n    return nouveau\n',
        must_fail=("test_perceptron_step_convention_at_zero",),
        message_contains=("tableau d'ENTIERS",),
    ),
    "submission-diverges-isclose-as-equal": Scenario(
        grade_id="diverges",
        source='def diverge(trajectoire):\n    """Normes proches au sens de np.isclose : pas de divergence."""\n    t = np.asarray(trajectoire, dtype=float)\n    if not np.isfinite(t).all():\n        return True\n    a, b = np.linalg.norm(t[-1]), np.linalg.norm(t[0])\n    if np.isclose(a, b):\n        return False\n    return bool(a > b)\n',
        must_fail=("test_diverge_on_grader_trajectories",),
        message_contains=("strictement, sans tolérance",),
    ),
})
GROUPS["blind-r12-a"] = (
    "submission-train-shuffle-ignores-seed", "submission-gd-stops-on-overflow",
    "submission-loss-coarse-clip-guard",
    "submission-backward-divides-by-fixed-batch-size", "submission-perceptron-absolute-error",
    "submission-diverges-isclose-as-equal",
)
GROUPS["blind-r12-b"] = (
    "submission-train-shuffle-seeded-by-epoch", "submission-gd-clips-overflow",
    "submission-perceptron-int-weights-truncated",
)
GROUPS["blind-r12-c"] = ("submission-train-hard-coded-input-dim",)
GROUPS["blind-r12-d"] = ("submission-train-sums-gradients-over-steps",)
GROUPS["blind-r12-e"] = ("submission-train-array-split-near-equal-batches",)
GROUPS["blind-r12-f"] = ("submission-train-skips-last-single-example",)

# Correct answers the tester wrote near the new inputs: a guard log(p + 1e-12), a clip at 1e-300,
# np.fmax in the floor, a torch trajectory (it overflows like NumPy's), exact slices counted with
# ceil(N / batch_size).
_BLIND_R12_CORRECT = {
    "correct-softmax-clip-1e-300": Correct(
        grade_id="softmax_ce",
        source='def softmax_cross_entropy(logits, y):\n    z = logits - logits.max(axis=1, keepdims=True)\n    probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\n    loss = -np.mean(np.log(np.clip(probs[np.arange(len(y)), y], 1e-300, None)))\n    return float(loss), probs\n',
        why="a guard at 1e-300 changes nothing on finite probabilities",
    ),
    "correct-rel-error-fmax": Correct(
        grade_id="rel_error",
        source='def erreur_relative(a, b):\n    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)\n    return float(np.max(np.abs(a - b) / np.fmax(np.abs(a) + np.abs(b), 1e-8)))\n',
        why="np.fmax for the floor",
    ),
    "correct-gd-torch-overflows": Correct(
        grade_id="gradient_descent",
        source='def descente_gradient(grad, x0, lr, n_steps):\n    x = torch.tensor(np.asarray(x0, dtype=float))\n    traj = [x.clone()]\n    for _ in range(n_steps):\n        x = x - lr * torch.as_tensor(np.asarray(grad(x.numpy()), dtype=float))\n        traj.append(x.clone())\n    return torch.stack(traj).numpy()\n',
        why="a torch float64 trajectory: inf then nan as NumPy's",
    ),
    "correct-train-ceil-slices": Correct(
        grade_id="train",
        source='def entrainer(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    N, D = X_train.shape\n    params = init_params(D, hidden, 10, seed)\n    rng = np.random.default_rng(seed)\n    n_lots = int(np.ceil(N / batch_size))\n    for ep in range(epochs):\n        idx = np.arange(N)\n        rng.shuffle(idx)\n        for k in range(n_lots):\n            b = idx[k * batch_size:(k + 1) * batch_size]\n            logits, cache = forward(X_train[b], params)\n            _, probs = softmax_cross_entropy(logits, y_train[b])\n            g = backward(X_train[b], y_train[b], params, cache, probs)\n            for nom in ["W1", "b1", "W2", "b2"]:\n                params[nom] -= lr * g[nom]\n    return params\n',
        why="ceil(N / batch_size) slices of batch_size, rng.shuffle of indices, updates in place",
    ),
}
CORRECT = {**CORRECT, **_BLIND_R12_CORRECT}
CORRECT_GROUPS["blind-r12-correct"] = tuple(_BLIND_R12_CORRECT)


# Blind answers, round 14 (a tester who had not read these checks). Rules the values cannot show:
# gradients computed with PyTorch's autograd where the statement asks for them by hand ("Calculez
# ∇f à la main", "Rétropropagation à la main", a TP "en NumPy et sans framework"): grad_f and
# backward now run with autograd switched off (helpers.GUARD: Tensor.backward, torch.autograd,
# torch.func), in their public and hidden checks; f called on a flattened copy of x where the
# statement says "f prend un tableau de la forme de x" (the grader's g is elementwise, so the
# values were right; it now records the shapes it receives). The check that varies seed, lr and
# epochs is renamed test_entrainer_uses_its_arguments (its lr message read oddly under "seed").
_NUMGRAD_FLAT = (
    'def gradient_numerique(f, x, h=1e-5):\n'
    '    """Gradient de f en x par différences centrées, composante par composante."""\n'
    '    x_plat = np.array(x, dtype=float).ravel()\n'
    '    grad = np.zeros_like(x_plat)\n'
    '    for i in range(x_plat.size):\n'
    '        xp = x_plat.copy()\n'
    '        xm = x_plat.copy()\n'
    '        xp[i] += h\n'
    '        xm[i] -= h\n'
    '        grad[i] = (f(xp) - f(xm)) / (2 * h)\n'
    '    return grad.reshape(np.shape(x))\n'
)
_BACKWARD_AUTOGRAD = (
    'def backward(X, y, params, cache, probs):\n'
    '    """Passe arrière manuelle du MLP : gradients de la perte moyenne par rapport aux paramètres."""\n'
    '    # je laisse PyTorch faire la règle de la chaîne (comme dans la cellule de vérification)\n'
    '    pt = {k: torch.tensor(np.asarray(v, dtype=float), requires_grad=True) for k, v in params.items()}\n'
    '    Xt = torch.tensor(np.asarray(X, dtype=float))\n'
    '    Z1 = Xt @ pt["W1"] + pt["b1"]\n'
    '    Z2 = torch.relu(Z1) @ pt["W2"] + pt["b2"]\n'
    '    perte = torch.nn.functional.cross_entropy(Z2, torch.tensor(np.asarray(y), dtype=torch.long))\n'
    '    perte.backward()\n'
    '    return {k: pt[k].grad.numpy() for k in ["W1", "b1", "W2", "b2"]}\n'
)
_BACKWARD_CHECKS = (
    "test_backward_shapes",
    "test_backward_output_layer_matches_autograd",
    "test_backward_hidden_layer_matches_autograd",
)
SCENARIOS.update({
    "submission-numgrad-calls-f-on-flat-copy": Scenario(
        grade_id="numerical_gradient",
        source=_NUMGRAD_FLAT,
        must_fail=("test_numerical_gradient_against_autograd",),
        message_contains=("appelle f sur un tableau qui n'a pas la forme de x", "aplati"),
    ),
    "submission-numgrad-calls-f-on-column-copy": Scenario(
        grade_id="numerical_gradient",
        source='def gradient_numerique(f, x, h=1e-5):\n    """Composantes en colonne, f appelée sur la colonne."""\n    col = np.array(x, dtype=float).reshape(-1, 1)\n    g = np.zeros(col.shape)\n    for i in range(col.shape[0]):\n        e = np.zeros(col.shape)\n        e[i, 0] = h\n        g[i, 0] = (f(col + e) - f(col - e)) / (2 * h)\n    return g.reshape(np.shape(x))\n',
        must_fail=("test_numerical_gradient_against_autograd",),
        message_contains=("appelle f sur un tableau qui n'a pas la forme de x",),
    ),
    "submission-backward-torch-autograd": Scenario(
        grade_id="mlp_backward",
        source=_BACKWARD_AUTOGRAD,
        must_fail=_BACKWARD_CHECKS,
        message_contains=("backward appelle Tensor.backward", "sans l'autograd de PyTorch"),
    ),
    "submission-backward-torch-func-grad": Scenario(
        grade_id="mlp_backward",
        source='def backward(X, y, params, cache, probs):\n    """La règle de la chaîne confiée à torch.func.grad."""\n    from torch.func import grad\n\n    def perte(p):\n        Z1 = torch.as_tensor(X) @ p["W1"] + p["b1"]\n        Z2 = torch.relu(Z1) @ p["W2"] + p["b2"]\n        return torch.nn.functional.cross_entropy(Z2, torch.as_tensor(y, dtype=torch.long))\n\n    g = grad(perte)({k: torch.as_tensor(np.asarray(v, dtype=float)) for k, v in params.items()})\n    return {k: g[k].numpy() for k in ("W1", "b1", "W2", "b2")}\n',
        must_fail=_BACKWARD_CHECKS,
        message_contains=("backward appelle torch.func.grad",),
    ),
    "submission-grad-f-autograd-to-numpy": Scenario(
        grade_id="grad_f",
        source='def grad_f(x):\n    """Gradient de f(x1, x2) = x1² + 3 x2², calculé à la main.\n\n    x : np.ndarray de forme (2,). Renvoie un np.ndarray de forme (2,).\n    """\n    # plus sûr que de dériver à la main : on laisse PyTorch faire\n    xt = torch.tensor(np.asarray(x, dtype=float), requires_grad=True)\n    f(xt).backward()\n    return xt.grad.detach().numpy().copy()\n',
        must_fail=("test_grad_f_at_course_point", "test_grad_f_matches_autograd"),
        message_contains=("grad_f appelle Tensor.backward", "calculé à la main"),
    ),
    "submission-grad-f-autograd-grad-caught": Scenario(
        grade_id="grad_f",
        source='def grad_f(x):\n    """torch.autograd.grad, avec un repli « à la main » si PyTorch échoue."""\n    try:\n        xt = torch.tensor(np.asarray(x, dtype=float), requires_grad=True)\n        (g,) = torch.autograd.grad(f(xt), xt)\n        return g.numpy()\n    except Exception:\n        return np.array([2.0 * x[0], 6.0 * x[1]])\n',
        must_fail=("test_grad_f_at_course_point", "test_grad_f_matches_autograd"),
        message_contains=("grad_f appelle torch.autograd.grad",),
    ),
})
GROUPS["blind-r14-1"] = (
    "submission-numgrad-calls-f-on-flat-copy", "submission-backward-torch-autograd",
    "submission-grad-f-autograd-to-numpy",
)
GROUPS["blind-r14-2"] = (
    "submission-numgrad-calls-f-on-column-copy", "submission-backward-torch-func-grad",
    "submission-grad-f-autograd-grad-caught",
)

# Correct answers near the new checks: the tester's (an nditer over copies, a float32 grad_f, a
# backward by loops with an np.eye one-hot and the mask read on A1, one that recomputes Z1), a
# flat index (x.flat[k]) on copies of x's shape (f gets the matrix), a grad_f by coefficients.
_BLIND_R14_CORRECT = {
    "correct-numgrad-nditer-copies": Correct(
        grade_id="numerical_gradient",
        source='def gradient_numerique(f, x, h=1e-5):\n    x = np.asarray(x, dtype=float)\n    grad = np.zeros(x.shape)\n    it = np.nditer(x, flags=["multi_index"])\n    while not it.finished:\n        idx = it.multi_index\n        x_plus = x.copy()\n        x_plus[idx] += h\n        x_moins = x.copy()\n        x_moins[idx] -= h\n        grad[idx] = (f(x_plus) - f(x_moins)) / (2 * h)\n        it.iternext()\n    return grad\n',
        why="the tester's: np.nditer's multi_index, a copy per evaluation, f on arrays of x's shape",
    ),
    "correct-numgrad-flat-index-copies": Correct(
        grade_id="numerical_gradient",
        source='def gradient_numerique(f, x, h=1e-5):\n    x = np.array(x, dtype=float)\n    g = np.empty(x.size)\n    for k in range(x.size):\n        xp, xm = x.copy(), x.copy()\n        xp.flat[k] += h\n        xm.flat[k] -= h\n        g[k] = (f(xp) - f(xm)) / (2 * h)\n    return g.reshape(x.shape)\n',
        why="a flat index (x.flat[k]) on copies of x's shape: f never sees a flattened array",
    ),
    "correct-grad-f-float32-coefficients": Correct(
        grade_id="grad_f",
        source='def grad_f(x):\n    coefs = np.array([2.0, 6.0], dtype=np.float32)\n    return coefs * np.asarray(x, dtype=np.float32)\n',
        why="the tester's: the derivatives by hand, in float32 (~1e-7 off, within rounding)",
    ),
    "correct-grad-f-coefficients-float64": Correct(
        grade_id="grad_f",
        source='def grad_f(x):\n    # df/dx1 = 2 x1, df/dx2 = 6 x2\n    return np.array([2.0, 6.0]) * np.asarray(x, dtype=float)\n',
        why="the derivatives by hand as a vector of coefficients",
    ),
    "correct-backward-loops-a1-mask": Correct(
        grade_id="mlp_backward",
        source='def backward(X, y, params, cache, probs):\n    N, C = probs.shape\n    Y = np.eye(C)[y]\n    dZ2 = (probs - Y) / N\n    A1, W2 = cache["A1"], params["W2"]\n    dW2 = np.zeros_like(W2, dtype=float)\n    db2 = np.zeros(C)\n    dW1 = np.zeros(params["W1"].shape)\n    db1 = np.zeros(params["b1"].shape)\n    for i in range(N):\n        dW2 += np.outer(A1[i], dZ2[i])\n        db2 += dZ2[i]\n        dz1 = (W2 @ dZ2[i]) * (A1[i] > 0)\n        dW1 += np.outer(X[i], dz1)\n        db1 += dz1\n    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}\n',
        why="the tester's: example by example, np.eye one-hot, the ReLU mask read on A1 > 0",
    ),
    "correct-backward-recomputes-z1": Correct(
        grade_id="mlp_backward",
        source='def backward(X, y, params, cache, probs):\n    W1, b1, W2 = params["W1"], params["b1"], params["W2"]\n    N = len(y)\n    dZ2 = probs.copy()\n    dZ2[np.arange(N), y] -= 1.0\n    dZ2 = dZ2 / N\n    A1 = cache["A1"]\n    grads = {}\n    grads["W2"] = np.dot(A1.T, dZ2)\n    grads["b2"] = np.sum(dZ2, axis=0)\n    Z1 = X @ W1 + b1\n    dZ1 = np.where(Z1 > 0, np.dot(dZ2, W2.T), 0.0)\n    grads["W1"] = np.dot(X.T, dZ1)\n    grads["b1"] = np.sum(dZ1, axis=0)\n    return grads\n',
        why="the tester's: the pre-activation recomputed from X and params (the cache's Z1 unused)",
    ),
}
CORRECT = {**CORRECT, **_BLIND_R14_CORRECT}
CORRECT_GROUPS["blind-r14-correct-a"] = (
    "correct-numgrad-nditer-copies", "correct-grad-f-float32-coefficients", "correct-backward-loops-a1-mask",
)
CORRECT_GROUPS["blind-r14-correct-b"] = (
    "correct-numgrad-flat-index-copies", "correct-grad-f-coefficients-float64", "correct-backward-recomputes-z1",
)


# Blind answers, round 15. Coverage by chance: diverge's non-finite structures (an inf or a nan
# in the middle of a trajectory whose last point is finite, in its first point) are now drawn
# with an inf AND with a nan at every variant (np.isnan alone passed where both draws were nan).
# The statement's formula max(1e-8, |a| + |b|): a case with |a| + |b| around 1e-8 on every entry,
# where the floor added (|a| + |b| + 1e-8) is off by a factor 1.3 to 2. grad_f "à la main": called
# once with the notebook's f swapped for another function (finite differences on f returned its
# gradient). Hints: a bias gradient off by a factor while its weight gradient is right names the
# bias's reduction (a mean, not a sum), not dZ2's normalisation; a reference row other than the
# first is told "le PREMIER point x_0 = trajectoire[0]", whatever row it was.
_GRAD_F_DOC = (
    '    """Gradient de f(x1, x2) = x1² + 3 x2², calculé à la main.\n\n'
    '    x : np.ndarray de forme (2,). Renvoie un np.ndarray de forme (2,).\n    """\n'
)
SCENARIOS.update({
    "blind-r15-diverges-isnan-only": Scenario(
        grade_id="diverges",
        source='def diverge(trajectoire):\n    """True si la trajectoire contient inf/nan ou si ‖x_n‖ > ‖x_0‖, False sinon."""\n    t = np.asarray(trajectoire, dtype=float)\n    if np.isnan(t).any():\n        return True\n    return bool(np.linalg.norm(t[-1]) > np.linalg.norm(t[0]))\n',
        must_fail=("test_diverge_non_finite",),
        message_contains=("np.isnan ne voit pas inf",),
    ),
    "blind-r15-diverges-compares-second-row": Scenario(
        grade_id="diverges",
        source='def diverge(trajectoire):\n    """True si la trajectoire contient inf/nan ou si ‖x_n‖ > ‖x_0‖, False sinon."""\n    t = np.asarray(trajectoire, dtype=float)\n    if not np.all(np.isfinite(t)):\n        return True\n    depart, fin = t[1], t[-1]\n    return bool(np.linalg.norm(fin) > np.linalg.norm(depart))\n',
        must_fail=("test_diverge_simple_cases", "test_diverge_on_grader_trajectories"),
        message_contains=("PREMIER point x_0 = trajectoire[0]",),
    ),
    "blind-r15-grad-f-central-differences": Scenario(
        grade_id="grad_f",
        source='def grad_f(x):\n' + _GRAD_F_DOC + '    x = np.asarray(x, dtype=float)\n    h = 1e-6\n    g = np.zeros(2)\n    for i in range(2):\n        e = np.zeros(2)\n        e[i] = h\n        g[i] = (f(x + e) - f(x - e)) / (2 * h)\n    return g\n',
        must_fail=("test_grad_f_matches_autograd",),
        message_contains=("grad_f dépend de la fonction f du notebook", "calculé à la main"),
    ),
    "blind-r15-grad-f-forward-differences": Scenario(
        grade_id="grad_f",
        source='def grad_f(x):\n' + _GRAD_F_DOC + '    x = np.array(x, dtype=float)\n    h = 1e-7\n    fx = f(x)\n    return np.array([(f(x + np.array([h, 0.0])) - fx) / h, (f(x + np.array([0.0, h])) - fx) / h])\n',
        must_fail=("test_grad_f_matches_autograd",),
        message_contains=("grad_f dépend de la fonction f du notebook",),
    ),
    "blind-r15-backward-bias-mean": Scenario(
        grade_id="mlp_backward",
        source='def backward(X, y, params, cache, probs):\n    """Passe arrière manuelle du MLP : gradients de la perte moyenne par rapport aux paramètres."""\n    N = X.shape[0]\n    Y = np.eye(probs.shape[1])[y]\n    dZ2 = (probs - Y) / N\n    dW2 = cache["A1"].T @ dZ2\n    db2 = dZ2.mean(axis=0)\n    dZ1 = dZ2 @ params["W2"].T * (cache["Z1"] > 0)\n    dW1 = X.T @ dZ1\n    db1 = dZ1.mean(axis=0)\n    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}\n',
        must_fail=("test_backward_output_layer_matches_autograd", "test_backward_hidden_layer_matches_autograd"),
        message_contains=("est une SOMME sur les exemples", "pas une moyenne"),
    ),
    "blind-r15-backward-db1-mean-only": Scenario(
        grade_id="mlp_backward",
        source=edit(solution_cell(__file__, "mlp_backward"),
                    ("    db1 = dZ1.sum(axis=0)\n", "    db1 = np.mean(dZ1, axis=0)\n")),
        must_fail=("test_backward_hidden_layer_matches_autograd",),
        message_contains=("dW1 est juste mais db1 vaut celui d'autograd divisé par N",),
    ),
})
GROUPS["blind-r15-1"] = (
    "blind-r15-diverges-isnan-only",
    "blind-r15-grad-f-central-differences", "blind-r15-backward-bias-mean",
)
GROUPS["blind-r15-2"] = (
    "blind-r15-diverges-compares-second-row",
    "blind-r15-grad-f-forward-differences", "blind-r15-backward-db1-mean-only",
)

# Correct answers at the items touched: the tester's (a float32 perceptron whose w·x is summed
# in Python floats, a float64 update cast to float32, squared norms in loops, a backward example
# by example), and float32 or loop variants of grad_f, erreur_relative, maj_perceptron.
_BLIND_R15_CORRECT = {
    "correct-r15-perceptron-float32-loop": Correct(
        grade_id="perceptron_update",
        source='def maj_perceptron(w, x, y, alpha):\n    """Une mise à jour du perceptron sur l\'exemple (x, y) : w + alpha (y - f(x)) x."""\n    w = np.asarray(w, dtype=np.float32)\n    x = np.asarray(x, dtype=np.float32)\n    somme = 0.0\n    for wi, xi in zip(w, x):\n        somme += float(wi) * float(xi)\n    erreur = int(y) - (1 if somme >= 0 else 0)\n    nouveau = np.empty_like(w)\n    for i in range(len(w)):\n        nouveau[i] = w[i] + alpha * erreur * x[i]\n    return nouveau\n',
        why="the tester's: w and x in float32, w·x summed in Python floats (~1e-7 off where w_i + α x_i cancels)",
    ),
    "correct-r15-perceptron-float32-vector": Correct(
        grade_id="perceptron_update",
        source='def maj_perceptron(w, x, y, alpha):\n    w32 = np.asarray(w, dtype=np.float32)\n    x32 = np.asarray(x, dtype=np.float32)\n    sortie = np.float32(1.0) if np.dot(w32, x32) >= 0 else np.float32(0.0)\n    return w32 + np.float32(alpha) * (np.float32(y) - sortie) * x32\n',
        why="float32 throughout, w·x a float32 dot (|w·x| is clear of 0 except at the exact w·x = 0 case)",
    ),
    "correct-r15-perceptron-f64-dot-f32-out": Correct(
        grade_id="perceptron_update",
        source='def maj_perceptron(w, x, y, alpha):\n    w = np.asarray(w, dtype=float)\n    x = np.asarray(x, dtype=float)\n    erreur = int(y) - (1 if np.dot(w, x) >= 0 else 0)\n    return (w + alpha * erreur * x).astype(np.float32)\n',
        why="the tester's control: the update in float64, returned as float32",
    ),
    "correct-r15-grad-f-loop": Correct(
        grade_id="grad_f",
        source='def grad_f(x):\n    coefficients = [2.0, 6.0]  # d/dx1 de x1², d/dx2 de 3 x2²\n    g = np.zeros(2)\n    for i in range(2):\n        g[i] = coefficients[i] * x[i]\n    return g\n',
        why="the derivatives by hand, entry by entry in a loop",
    ),
    "correct-r15-grad-f-float32-literal": Correct(
        grade_id="grad_f",
        source='def grad_f(x):\n    x = np.asarray(x, dtype=np.float32)\n    return np.array([2 * x[0], 6 * x[1]])\n',
        why="np.array([2*x[0], 6*x[1]]) on a float32 copy of x",
    ),
    "correct-r15-rel-error-float32": Correct(
        grade_id="rel_error",
        source='def erreur_relative(a, b):\n    a = np.asarray(a, dtype=np.float32)\n    b = np.asarray(b, dtype=np.float32)\n    den = np.maximum(np.float32(1e-8), np.abs(a) + np.abs(b))\n    return float(np.max(np.abs(a - b) / den))\n',
        why="float32 throughout (~1e-7 relative, around the floor too: 1e-8 is a normal float32)",
    ),
    "correct-r15-rel-error-loop": Correct(
        grade_id="rel_error",
        source='def erreur_relative(a, b):\n    pire = 0.0\n    for u, v in zip(np.ravel(a), np.ravel(b)):\n        pire = max(pire, abs(u - v) / max(1e-8, abs(u) + abs(v)))\n    return float(pire)\n',
        why="the formula entry by entry, a Python max",
    ),
    "correct-r15-diverges-squared-norms-loop": Correct(
        grade_id="diverges",
        source='import math\n\n\ndef diverge(trajectoire):\n    for point in trajectoire:\n        for v in np.ravel(point):\n            if not math.isfinite(float(v)):\n                return True\n    premier = sum(float(v) ** 2 for v in np.ravel(trajectoire[0]))\n    dernier = sum(float(v) ** 2 for v in np.ravel(trajectoire[-1]))\n    return dernier > premier  # comparer les carrés des normes revient au même\n',
        why="the tester's: math.isfinite on every entry, squared norms compared",
    ),
    "correct-r15-diverges-isnan-or-isinf": Correct(
        grade_id="diverges",
        source='def diverge(trajectoire):\n    t = np.asarray(trajectoire, dtype=float)\n    if np.isnan(t).any() or np.isinf(t).any():\n        return True\n    return bool(np.linalg.norm(t[-1]) > np.linalg.norm(t[0]))\n',
        why="nan and inf tested apart, both",
    ),
    "correct-r15-backward-loop-per-example": Correct(
        grade_id="mlp_backward",
        source='def backward(X, y, params, cache, probs):\n    N = X.shape[0]\n    W2 = params["W2"]\n    grads = {k: np.zeros_like(v, dtype=float) for k, v in params.items()}\n    for i in range(N):\n        dz2 = probs[i].copy()\n        dz2[y[i]] -= 1.0\n        dz2 /= N\n        a1 = cache["A1"][i]\n        grads["W2"] += np.outer(a1, dz2)\n        grads["b2"] += dz2\n        dz1 = (W2 @ dz2) * (cache["Z1"][i] > 0)\n        grads["W1"] += np.outer(X[i], dz1)\n        grads["b1"] += dz1\n    return grads\n',
        why="the tester's: example by example, db accumulated (a sum)",
    ),
    "correct-r15-backward-bias-mean-times-n": Correct(
        grade_id="mlp_backward",
        source=edit(solution_cell(__file__, "mlp_backward"),
                    ("    db2 = dZ2.sum(axis=0)\n", "    db2 = N * dZ2.mean(axis=0)\n"),
                    ("    db1 = dZ1.sum(axis=0)\n", "    db1 = np.einsum(\"nh->h\", dZ1)\n")),
        why="the sums written N · mean and as an einsum",
    ),
}
CORRECT = {**CORRECT, **_BLIND_R15_CORRECT}
CORRECT_GROUPS["blind-r15-correct-a"] = (
    "correct-r15-perceptron-float32-loop", "correct-r15-grad-f-loop", "correct-r15-rel-error-float32",
    "correct-r15-diverges-squared-norms-loop", "correct-r15-backward-loop-per-example",
)
CORRECT_GROUPS["blind-r15-correct-b"] = (
    "correct-r15-perceptron-float32-vector", "correct-r15-grad-f-float32-literal", "correct-r15-rel-error-loop",
    "correct-r15-diverges-isnan-or-isinf", "correct-r15-backward-bias-mean-times-n",
)
CORRECT_GROUPS["blind-r15-correct-c"] = ("correct-r15-perceptron-f64-dot-f32-out",)


# Blind answers, round 17. False passes: descente_gradient updating the coordinates one by one
# with the gradient at the point already partly updated (right while the grader's quadratics
# had diagonal Hessians: they now couple the coordinates, S = Q diag(a) Qᵀ); gradient_numerique
# shifting plat = x.reshape(-1), taken for a view of x (a copy when x is not contiguous in
# memory: a strided view of a grader matrix is now differentiated in the kernel, and g records
# whether a perturbation ever reached it). Hints: a one-batch step computed with labels that are
# not those of the batch's examples (two permutations) is named from what backward received; a
# loss a little below log 3 with right probabilities is a guard in the log, not a missing mean;
# the in-place advice names the argument actually changed (x, not w; a list reversed, not popped).
_R17_ENTRAINER_HEAD = (
    'def entrainer(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n'
    '    """Entraîne le MLP par SGD sur mini-lots mélangés à chaque époque ; renvoie params."""\n'
    '    rng = np.random.default_rng(seed)\n'
    '    N, D = X_train.shape\n'
    '    params = init_params(D, hidden, 10, seed)\n'
    '    for _ in range(epochs):\n'
)
SCENARIOS.update({
    "blind-r17-gd-coordinatewise": Scenario(
        grade_id="gradient_descent",
        source=edit(solution_cell(__file__, "gradient_descent"),
                    ("        x = x - lr * np.asarray(grad(x), dtype=float)\n",
                     "        # mise à jour composante par composante\n"
                     "        for i in range(len(x)):\n"
                     "            x[i] = x[i] - lr * grad(x)[i]\n")),
        must_fail=("test_descente_gradient_on_grader_quadratic",),
        message_contains=("met à jour les composantes une par une", "g = grad(x) une fois par pas"),
    ),
    "blind-r17-numgrad-reshape-taken-for-view": Scenario(
        grade_id="numerical_gradient",
        source='def gradient_numerique(f, x, h=1e-5):\n    """Gradient de f en x par différences centrées, composante par composante."""\n    x = np.asarray(x, dtype=float)  # flottants (x[i] + h ne doit pas être arrondi)\n    grad = np.zeros(x.shape)\n    plat = x.reshape(-1)  # vue à plat sur x : modifier plat modifie x\n    gplat = grad.reshape(-1)\n    for i in range(plat.size):\n        ancien = plat[i]\n        plat[i] = ancien + h\n        fp = f(x)\n        plat[i] = ancien - h\n        fm = f(x)\n        plat[i] = ancien\n        gplat[i] = (fp - fm) / (2 * h)\n    return grad\n',
        must_fail=("test_numerical_gradient_against_autograd",),
        message_contains=("non contiguë en mémoire", "f a toujours reçu x inchangé", "COPIE"),
    ),
    "blind-r17-train-two-permutations": Scenario(
        grade_id="train",
        source=_R17_ENTRAINER_HEAD + (
            '        X_mel = X_train[rng.permutation(N)]\n'
            '        y_mel = y_train[rng.permutation(N)]\n'
            '        for debut in range(0, N, batch_size):\n'
            '            Xb = X_mel[debut : debut + batch_size]\n'
            '            yb = y_mel[debut : debut + batch_size]\n'
            '            logits, cache = forward(Xb, params)\n'
            '            _, probs = softmax_cross_entropy(logits, yb)\n'
            '            grads = backward(Xb, yb, params, cache, probs)\n'
            '            for nom in params:\n'
            '                params[nom] = params[nom] - lr * grads[nom]\n'
            '    return params\n'
        ),
        must_fail=("test_entrainer_reaches_test_accuracy", "test_entrainer_one_step_on_every_parameter"),
        message_contains=("backward reçoit des étiquettes qui ne sont pas celles des exemples du lot",
                          "UNE permutation par époque"),
    ),
    "blind-r17-softmax-big-epsilon": Scenario(
        grade_id="softmax_ce",
        source='def softmax_cross_entropy(logits, y):\n    """Entropie croisée moyenne sur le lot, calculée de façon stable : renvoie (loss, probs)."""\n    N = logits.shape[0]\n    z = logits - logits.max(axis=1, keepdims=True)\n    e = np.exp(z)\n    probs = e / e.sum(axis=1, keepdims=True)\n    eps = 1e-3  # pour éviter log(0)\n    loss = -np.mean(np.log(probs[np.arange(N), y] + eps))\n    return float(loss), probs\n',
        must_fail=("test_softmax_ce_uniform_logits", "test_softmax_ce_matches_torch",
                   "test_softmax_ce_is_numerically_stable"),
        message_contains=("vos probabilités valent bien 1/3", "un terme ajouté dans le log",
                          "vos probabilités sont justes, mais votre perte est plus petite"),
    ),
    "blind-r17-count-params-reverses-list": Scenario(
        grade_id="count_params",
        source='def nombre_parametres(largeurs):\n    """Nombre de poids et de biais d\'un MLP dense de largeurs [h_0, ..., h_l]."""\n    # on part de la sortie : chaque couche a h_{i+1} biais\n    largeurs.reverse()\n    total = 0\n    for i in range(len(largeurs) - 1):\n        sortie, entree = largeurs[i], largeurs[i + 1]\n        total += entree * sortie + sortie\n    return total\n',
        must_fail=("test_nombre_parametres_matches_torch",),
        message_contains=("lisez la liste sans la modifier", "la liste revient dans l'ordre inverse"),
    ),
    "blind-r17-perceptron-scales-x-in-place": Scenario(
        grade_id="perceptron_update",
        source=edit(solution_cell(__file__, "perceptron_update"),
                    ("    sortie = 1.0 if np.dot(w, x) >= 0 else 0.0\n"
                     "    return w + alpha * (y - sortie) * x\n",
                     "    erreur = y - (1.0 if w @ x >= 0 else 0.0)\n"
                     "    x *= alpha * erreur  # correction à ajouter aux poids\n"
                     "    return w + x\n")),
        must_fail=("test_perceptron_random_examples",),
        message_contains=("modifie sur place ce qu'on lui passe (x)", "sans écrire dans x"),
    ),
    "blind-r17-rel-error-writes-into-b": Scenario(
        grade_id="rel_error",
        source='def erreur_relative(a, b):\n    """max |a - b| / max(1e-8, |a| + |b|) sur toutes les composantes."""\n    denom = np.maximum(1e-8, np.abs(a) + np.abs(b))\n    d = b\n    d -= a\n    return float(np.max(np.abs(d) / denom))\n',
        must_fail=("test_erreur_relative_random_arrays",),
        message_contains=("modifie sur place ce qu'on lui passe (b)", "sans écrire dans b"),
    ),
})
GROUPS["blind-r17-1"] = (
    "blind-r17-gd-coordinatewise", "blind-r17-numgrad-reshape-taken-for-view",
    "blind-r17-train-two-permutations", "blind-r17-rel-error-writes-into-b",
)
SCENARIOS["blind-r17-numgrad-array-copy-keeps-layout"] = Scenario(
    grade_id="numerical_gradient",
    source='def gradient_numerique(f, x, h=1e-5):\n    xc = np.array(x, dtype=float, copy=True)\n    plat = xc.reshape(-1)\n    g = np.zeros_like(plat)\n    for i in range(plat.size):\n        v = plat[i]\n        plat[i] = v + h\n        fp = f(xc)\n        plat[i] = v - h\n        fm = f(xc)\n        plat[i] = v\n        g[i] = (fp - fm) / (2 * h)\n    return g.reshape(np.shape(x))\n',
    must_fail=("test_numerical_gradient_against_autograd",),
    message_contains=("f a toujours reçu x inchangé", "garde sa disposition en mémoire"),
)
GROUPS["blind-r17-2"] = (
    "blind-r17-softmax-big-epsilon", "blind-r17-count-params-reverses-list",
    "blind-r17-perceptron-scales-x-in-place", "blind-r17-numgrad-array-copy-keeps-layout",
)

# Correct answers at the items touched: the tester's (a preallocated trajectory that prints, an
# nditer over copies), one gradient per step applied coordinate by coordinate, gradients that
# write into x itself by its index (np.unravel_index, x.flat) and restore it, a training loop
# calling backward with keywords, guards log(p + 1e-10) and np.clip(p, 1e-12, 1), a count on a
# reversed copy, writes into copies (perceptron, relative error).
_BLIND_R17_CORRECT = {
    "correct-r17-gd-one-gradient-per-step": Correct(
        grade_id="gradient_descent",
        source=edit(solution_cell(__file__, "gradient_descent"),
                    ("        x = x - lr * np.asarray(grad(x), dtype=float)\n",
                     "        g = np.asarray(grad(x), dtype=float)  # un seul gradient par pas\n"
                     "        for i in range(len(x)):\n"
                     "            x[i] -= lr * g[i]\n")),
        why="the step coordinate by coordinate, all with the gradient at x_t, computed once",
    ),
    "correct-r17-gd-preallocated-print": Correct(
        grade_id="gradient_descent",
        source='def descente_gradient(grad, x0, lr, n_steps):\n    """Fait n_steps pas de descente de gradient depuis x0 avec le taux lr."""\n    x0 = np.asarray(x0, dtype=float)\n    traj = np.zeros((n_steps + 1, x0.shape[0]))\n    traj[0] = x0\n    t = 0\n    while t < n_steps:\n        g = grad(traj[t].copy())\n        traj[t + 1] = traj[t] - lr * np.asarray(g)\n        t += 1\n    print(f"descente : {n_steps} pas, point final {traj[-1]}")\n    return traj\n',
        why="the tester's: a preallocated trajectory, a while loop, a print",
    ),
    "correct-r17-numgrad-unravel-in-place": Correct(
        grade_id="numerical_gradient",
        source='def gradient_numerique(f, x, h=1e-5):\n    x = np.asarray(x, dtype=float)\n    g = np.zeros(x.shape)\n    for k in range(x.size):\n        i = np.unravel_index(k, x.shape)\n        ancien = x[i]\n        x[i] = ancien + h\n        fp = f(x)\n        x[i] = ancien - h\n        fm = f(x)\n        x[i] = ancien\n        g[i] = (fp - fm) / (2 * h)\n    return g\n',
        why="x itself shifted by its index (np.unravel_index) and restored: right on a view too",
    ),
    "correct-r17-numgrad-flat-in-place": Correct(
        grade_id="numerical_gradient",
        source='def gradient_numerique(f, x, h=1e-5):\n    x = np.asarray(x, dtype=float)\n    g = np.zeros(x.shape)\n    for k in range(x.size):\n        ancien = x.flat[k]\n        x.flat[k] = ancien + h\n        fp = f(x)\n        x.flat[k] = ancien - h\n        fm = f(x)\n        x.flat[k] = ancien\n        g.flat[k] = (fp - fm) / (2 * h)\n    return g\n',
        why="x.flat[k] written and restored: flat indexes x itself, contiguous or not",
    ),
    "correct-r17-numgrad-nditer-copy": Correct(
        grade_id="numerical_gradient",
        source='def gradient_numerique(f, x, h=1e-5):\n    """Gradient de f en x par différences centrées, composante par composante."""\n    x = np.asarray(x, dtype=np.float64)\n    grad = np.empty(x.shape, dtype=np.float64)\n    it = np.nditer(x, flags=["multi_index"])\n    for _ in it:\n        idx = it.multi_index\n        xp = x.copy()\n        xm = x.copy()\n        xp[idx] += h\n        xm[idx] -= h\n        grad[idx] = (f(xp) - f(xm)) / (2.0 * h)\n    return grad\n',
        why="the tester's: np.nditer's multi_index (memory order on a view), a copy per evaluation",
    ),
    "correct-r17-train-one-permutation-keywords": Correct(
        grade_id="train",
        source=_R17_ENTRAINER_HEAD + (
            '        ordre = rng.permutation(N)\n'
            '        X_mel, y_mel = X_train[ordre], y_train[ordre]\n'
            '        for debut in range(0, N, batch_size):\n'
            '            Xb, yb = X_mel[debut : debut + batch_size], y_mel[debut : debut + batch_size]\n'
            '            logits, cache = forward(Xb, params)\n'
            '            _, probs = softmax_cross_entropy(logits, yb)\n'
            '            grads = backward(X=Xb, y=yb, params=params, cache=cache, probs=probs)\n'
            '            params = {nom: params[nom] - lr * grads[nom] for nom in params}\n'
            '    return params\n'
        ),
        why="one permutation applied to X and y, backward called with keywords",
    ),
    "correct-r17-softmax-clip-guard": Correct(
        grade_id="softmax_ce",
        source='def softmax_cross_entropy(logits, y):\n    z = logits - logits.max(axis=1, keepdims=True)\n    e = np.exp(z)\n    probs = e / e.sum(axis=1, keepdims=True)\n    p = np.clip(probs[np.arange(len(y)), y], 1e-12, 1.0)\n    return float(-np.mean(np.log(p))), probs\n',
        why="a threshold np.clip(p, 1e-12, 1): moves the loss only below p = 1e-12",
    ),
    "correct-r17-softmax-log-guard": Correct(
        grade_id="softmax_ce",
        source=edit(solution_cell(__file__, "softmax_ce"),
                    ("    loss = -log_probs[np.arange(N), y].mean()\n",
                     "    loss = -np.mean(np.log(probs[np.arange(N), y] + 1e-10))\n")),
        why="the usual guard log(p + 1e-10)",
    ),
    "correct-r17-count-reversed-copy": Correct(
        grade_id="count_params",
        source='def nombre_parametres(largeurs):\n    inverse = list(largeurs)\n    inverse.reverse()  # sur une copie\n    total = 0\n    for sortie, entree in zip(inverse[:-1], inverse[1:]):\n        total += entree * sortie + sortie\n    return total\n',
        why="counted from the output on a reversed COPY of the list",
    ),
    "correct-r17-count-slice-reverse": Correct(
        grade_id="count_params",
        source='def nombre_parametres(largeurs):\n    l = largeurs[::-1]\n    return sum(l[i] * l[i + 1] + l[i] for i in range(len(l) - 1))\n',
        why="largeurs[::-1], a new list",
    ),
    "correct-r17-perceptron-scales-a-copy": Correct(
        grade_id="perceptron_update",
        source=edit(solution_cell(__file__, "perceptron_update"),
                    ("    x = np.asarray(x, dtype=float)\n", "    x = np.array(x, dtype=float)  # une copie\n"),
                    ("    sortie = 1.0 if np.dot(w, x) >= 0 else 0.0\n"
                     "    return w + alpha * (y - sortie) * x\n",
                     "    erreur = y - (1.0 if w @ x >= 0 else 0.0)\n"
                     "    x *= alpha * erreur\n"
                     "    return w + x\n")),
        why="x *= … on a copy made by np.array",
    ),
    "correct-r17-perceptron-copy-w-in-place": Correct(
        grade_id="perceptron_update",
        source='def maj_perceptron(w, x, y, alpha):\n    nouveau = np.array(w, dtype=float)\n    sortie = 1.0 if np.dot(nouveau, x) >= 0 else 0.0\n    nouveau += alpha * (y - sortie) * np.asarray(x, dtype=float)\n    return nouveau\n',
        why="+= on a new array made by np.array",
    ),
    "correct-r17-rel-error-copy-in-place": Correct(
        grade_id="rel_error",
        source='def erreur_relative(a, b):\n    d = np.array(a, dtype=float)\n    d -= b\n    np.abs(d, out=d)\n    return float(np.max(d / np.maximum(1e-8, np.abs(a) + np.abs(b))))\n',
        why="in-place writes into a copy of a",
    ),
}
CORRECT = {**CORRECT, **_BLIND_R17_CORRECT}
CORRECT_GROUPS["blind-r17-correct-a"] = (
    "correct-r17-gd-one-gradient-per-step", "correct-r17-numgrad-unravel-in-place",
    "correct-r17-train-one-permutation-keywords", "correct-r17-softmax-clip-guard",
    "correct-r17-count-reversed-copy", "correct-r17-perceptron-scales-a-copy",
    "correct-r17-rel-error-copy-in-place",
)
CORRECT_GROUPS["blind-r17-correct-b"] = (
    "correct-r17-gd-preallocated-print", "correct-r17-numgrad-flat-in-place",
    "correct-r17-softmax-log-guard", "correct-r17-count-slice-reverse",
    "correct-r17-perceptron-copy-w-in-place",
)
CORRECT_GROUPS["blind-r17-correct-c"] = ("correct-r17-numgrad-nditer-copy",)


# Blind answers, round 19. False passes: backward clipping its exact gradients (entries to
# [−0.5, 0.5], or the global norm to 5: a batch of large gradients is now drawn at every variant,
# the same inputs scaled, labels on the smallest logits); forward with a ReLU6 (a row whose
# largest pre-activation lies between 12 and 24 is drawn on purpose); label smoothing in the loss
# (ε in a constant or a keyword's default: the loss is held to a band from the guard
# log(p + 1e-8) to the exact value, 1e-5 (1 + L) of slack, instead of rtol 5e-2, and a batch of
# confident right labels makes smoothing show); nombre_parametres([h0]) counted as h0 biases (one
# width, no layer, is now asked); an early stop in entrainer (easy grader examples, 30 epochs
# counted). Hints: −log of the mean probability named (Jensen); a precision loss in grad_f
# (float16, np.round) named; a positive step threshold told apart from a strict one (w·x = 0.25).
SCENARIOS.update({
    "blind-r19-backward-clip-global-norm": Scenario(
        grade_id="mlp_backward",
        source=edit(solution_cell(__file__, "mlp_backward"),
                    ('    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}\n',
                     '    grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}\n'
                     '    # clipping par la norme globale (max 5), pour stabiliser la SGD\n'
                     '    norme = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))\n'
                     '    if norme > 5.0:\n'
                     '        grads = {k: g * (5.0 / norme) for k, g in grads.items()}\n'
                     '    return grads\n')),
        must_fail=("test_backward_output_layer_matches_autograd", "test_backward_hidden_layer_matches_autograd"),
        message_contains=("réduits d'un même facteur",),
    ),
    "blind-r19-backward-clip-entries": Scenario(
        grade_id="mlp_backward",
        source=edit(solution_cell(__file__, "mlp_backward"),
                    ('    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}\n',
                     '    grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}\n'
                     '    # gradient clipping pour éviter les explosions pendant l\'entraînement\n'
                     '    return {k: np.clip(g, -0.5, 0.5) for k, g in grads.items()}\n')),
        must_fail=("test_backward_output_layer_matches_autograd", "test_backward_hidden_layer_matches_autograd"),
        message_contains=("plafonnées en valeur absolue",),
    ),
    "blind-r19-forward-relu6": Scenario(
        grade_id="mlp_forward",
        source=edit(solution_cell(__file__, "mlp_forward"),
                    ("    A1 = np.maximum(Z1, 0.0)\n",
                     "    # ReLU bornée (ReLU6) pour éviter que les activations explosent\n"
                     "    A1 = np.clip(Z1, 0.0, 6.0)\n")),
        must_fail=("test_forward_matches_torch", "test_forward_cache"),
        message_contains=("votre A1 est plafonnée",),
    ),
    "blind-r19-softmax-smoothing-const": Scenario(
        grade_id="softmax_ce",
        source='LISSAGE = 0.05  # label smoothing, comme dans les « bonnes pratiques » vues en TD\n\n\n'
               'def softmax_cross_entropy(logits, y):\n'
               '    """Entropie croisée moyenne sur le lot, calculée de façon stable : renvoie (loss, probs)."""\n'
               '    N, C = logits.shape\n'
               '    decales = logits - logits.max(axis=1, keepdims=True)\n'
               '    log_probs = decales - np.log(np.exp(decales).sum(axis=1, keepdims=True))\n'
               '    probs = np.exp(log_probs)\n'
               '    cibles = np.full((N, C), LISSAGE / C)\n'
               '    cibles[np.arange(N), y] += 1.0 - LISSAGE\n'
               '    loss = -(cibles * log_probs).sum(axis=1).mean()\n'
               '    return float(loss), probs\n',
        must_fail=("test_softmax_ce_matches_torch",),
        message_contains=("lissage des étiquettes",),
    ),
    "blind-r19-softmax-smoothing-keyword": Scenario(
        grade_id="softmax_ce",
        source='def softmax_cross_entropy(logits, y, lissage=0.01):\n'
               '    """Entropie croisée moyenne sur le lot, calculée de façon stable : renvoie (loss, probs)."""\n'
               '    N, C = logits.shape\n'
               '    decales = logits - logits.max(axis=1, keepdims=True)\n'
               '    log_probs = decales - np.log(np.exp(decales).sum(axis=1, keepdims=True))\n'
               '    probs = np.exp(log_probs)\n'
               '    # label smoothing léger : cibles (1 - eps) sur la bonne classe, eps / C ailleurs\n'
               '    cibles = np.full((N, C), lissage / C)\n'
               '    cibles[np.arange(N), y] += 1.0 - lissage\n'
               '    loss = -(cibles * log_probs).sum(axis=1).mean()\n'
               '    return float(loss), probs\n',
        must_fail=("test_softmax_ce_matches_torch",),
        message_contains=("lissage des étiquettes", "valeur par défaut"),
    ),
    "blind-r19-softmax-log-of-mean": Scenario(
        grade_id="softmax_ce",
        source='def softmax_cross_entropy(logits, y):\n'
               '    """Entropie croisée moyenne sur le lot, calculée de façon stable : renvoie (loss, probs)."""\n'
               '    N = logits.shape[0]\n'
               '    decales = logits - np.max(logits, axis=1, keepdims=True)\n'
               '    exps = np.exp(decales)\n'
               '    probs = exps / np.sum(exps, axis=1, keepdims=True)\n'
               '    # probabilité moyenne de la bonne classe sur le lot, puis -log\n'
               '    p_moy = np.mean(probs[np.arange(N), y])\n'
               '    loss = -np.log(p_moy)\n'
               '    return float(loss), probs\n',
        must_fail=("test_softmax_ce_matches_torch",),
        message_contains=("MOYENNE des probabilités", "inégalité de Jensen"),
        may_fail=("test_softmax_ce_is_numerically_stable",),
    ),
    "blind-r19-count-one-width-biases": Scenario(
        grade_id="count_params",
        source='def nombre_parametres(largeurs):\n'
               '    """Nombre de poids et de biais d\'un MLP dense de largeurs [h_0, ..., h_l]."""\n'
               '    poids = sum(largeurs[i] * largeurs[i + 1] for i in range(len(largeurs) - 1))\n'
               '    biais = sum(largeurs[1:]) if len(largeurs) > 1 else largeurs[0] if largeurs else 0\n'
               '    return int(poids + biais)\n',
        must_fail=("test_nombre_parametres_matches_torch",),
        message_contains=("aucune couche, donc aucun paramètre",),
    ),
    "blind-r19-perceptron-threshold-half": Scenario(
        grade_id="perceptron_update",
        source=edit(solution_cell(__file__, "perceptron_update"),
                    ("    sortie = 1.0 if np.dot(w, x) >= 0 else 0.0\n",
                     "    # la sortie vaut 1 quand on est « plutôt du côté 1 », c.-à-d. au-dessus de 0.5\n"
                     "    sortie = 1.0 if np.dot(w, x) >= 0.5 else 0.0\n")),
        must_fail=("test_perceptron_step_convention_at_zero",),
        message_contains=("le seuil de la marche est 0",),
        may_fail=("test_perceptron_random_examples",),
    ),
    "blind-r19-grad-f-float16": Scenario(
        grade_id="grad_f",
        source='def grad_f(x):\n'
               '    """Gradient de f(x1, x2) = x1² + 3 x2², calculé à la main."""\n'
               '    # demi-précision : suffisant pour un gradient et ça prend moins de mémoire\n'
               '    x = np.asarray(x, dtype=np.float16)\n'
               '    return np.array([2 * x[0], 6 * x[1]], dtype=np.float16)\n',
        must_fail=("test_grad_f_matches_autograd",),
        message_contains=("c'est la précision qui se perd",),
    ),
    "blind-r19-grad-f-rounded": Scenario(
        grade_id="grad_f",
        source='def grad_f(x):\n'
               '    """Gradient de f(x1, x2) = x1² + 3 x2², calculé à la main."""\n'
               '    # df/dx1 = 2 x1, df/dx2 = 6 x2 ; j\'arrondis pour un affichage propre\n'
               '    g = np.array([2 * x[0], 6 * x[1]], dtype=float)\n'
               '    return np.round(g, 3)\n',
        must_fail=("test_grad_f_matches_autograd",),
        message_contains=("c'est la précision qui se perd",),
    ),
    "blind-r19-train-early-stop": Scenario(
        grade_id="train",
        source=edit(solution_cell(__file__, "train"),
                    ("                params[nom] = params[nom] - lr * grads[nom]\n",
                     "                params[nom] = params[nom] - lr * grads[nom]\n"
                     "        # arrêt anticipé : si la perte sur tout le train est déjà très basse, on s'arrête\n"
                     "        perte, _ = softmax_cross_entropy(forward(X_train, params)[0], y_train)\n"
                     "        if perte < 0.05:\n"
                     "            break\n")),
        must_fail=("test_entrainer_batches_cover_the_epoch",),
        message_contains=("l'entraînement s'arrête avant la fin",),
    ),
})
GROUPS["blind-r19-1"] = (
    "blind-r19-backward-clip-global-norm", "blind-r19-forward-relu6", "blind-r19-softmax-smoothing-const",
    "blind-r19-count-one-width-biases", "blind-r19-perceptron-threshold-half", "blind-r19-grad-f-float16",
    "blind-r19-train-early-stop",
)
GROUPS["blind-r19-2"] = (
    "blind-r19-backward-clip-entries", "blind-r19-softmax-smoothing-keyword", "blind-r19-grad-f-rounded",
)
GROUPS["blind-r19-3"] = ("blind-r19-softmax-log-of-mean",)

# Correct answers at the items touched: the tester's (a CS231n backward on a copy of probs, a
# forward through helper functions, a guarded softmax loop, take_along_axis, a grad_f in float32,
# a Heaviside perceptron, a count that returns 0 below two widths and one by functools.reduce, a
# training loop that prints its loss), and float32 code where the new inputs are large
# (backward and forward on large batches), the loss guard log(p + 1e-8) at the band's edge, a
# training loop that evaluates the whole set after each epoch without stopping.
_BLIND_R19_CORRECT = {
    "correct-r19-backward-cs231n-copy": Correct(
        grade_id="mlp_backward",
        source='def backward(X, y, params, cache, probs):\n    """Passe arrière manuelle du MLP : gradients de la perte moyenne par rapport aux paramètres."""\n    n = X.shape[0]\n    dlogits = probs.copy()\n    dlogits[np.arange(n), y] -= 1\n    dlogits /= n\n    grads = {}\n    grads["W2"] = np.dot(cache["A1"].T, dlogits)\n    grads["b2"] = np.sum(dlogits, axis=0)\n    dA1 = np.dot(dlogits, params["W2"].T)\n    dZ1 = np.where(cache["Z1"] > 0, dA1, 0.0)\n    grads["W1"] = np.dot(X.T, dZ1)\n    grads["b1"] = np.sum(dZ1, axis=0)\n    return grads\n',
        why="the tester's: dlogits from a copy of probs, np.where for the mask",
    ),
    "correct-r19-backward-float32": Correct(
        grade_id="mlp_backward",
        source='def backward(X, y, params, cache, probs):\n    """Passe arrière en float32."""\n    X32 = np.asarray(X, dtype=np.float32)\n    P = np.asarray(probs, dtype=np.float32)\n    N = X32.shape[0]\n    Y = np.zeros_like(P)\n    Y[np.arange(N), y] = 1.0\n    dZ2 = (P - Y) / np.float32(N)\n    A1 = np.asarray(cache["A1"], dtype=np.float32)\n    W2 = np.asarray(params["W2"], dtype=np.float32)\n    dZ1 = (dZ2 @ W2.T) * (np.asarray(cache["Z1"]) > 0)\n    return {"W1": X32.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}\n',
        why="float32 throughout, on the large-gradient batch too",
    ),
    "correct-r19-forward-helpers": Correct(
        grade_id="mlp_forward",
        source='def relu(z):\n    return z * (z > 0)\n\n\ndef couche_dense(entree, W, b):\n    return entree @ W + b[None, :]\n\n\ndef forward(X, params):\n    """Passe avant du MLP : renvoie (logits de forme (N, C), cache {"Z1", "A1"})."""\n    Z1 = couche_dense(X, params["W1"], params["b1"])\n    A1 = relu(Z1)\n    Z2 = couche_dense(A1, params["W2"], params["b2"])\n    return Z2, dict(Z1=Z1, A1=A1)\n',
        why="the tester's: helper functions, ReLU as z * (z > 0)",
    ),
    "correct-r19-forward-float32": Correct(
        grade_id="mlp_forward",
        source='def forward(X, params):\n    """Passe avant en float32."""\n    p = {k: np.asarray(v, dtype=np.float32) for k, v in params.items()}\n    Z1 = np.asarray(X, dtype=np.float32) @ p["W1"] + p["b1"]\n    A1 = np.maximum(Z1, np.float32(0.0))\n    return A1 @ p["W2"] + p["b2"], {"Z1": Z1, "A1": A1}\n',
        why="float32 throughout, on a row of large pre-activations too",
    ),
    "correct-r19-softmax-guarded-loop": Correct(
        grade_id="softmax_ce",
        source='def softmax_cross_entropy(logits, y):\n    """Entropie croisée moyenne sur le lot, calculée de façon stable : renvoie (loss, probs)."""\n    N, C = logits.shape\n    probs = np.zeros((N, C))\n    total = 0.0\n    for i in range(N):\n        ligne = logits[i] - np.max(logits[i])\n        e = np.exp(ligne)\n        probs[i] = e / e.sum()\n        total += -np.log(probs[i, y[i]] + 1e-12)\n    return total / N, probs\n',
        why="the tester's: a loop over rows, guard log(p + 1e-12)",
    ),
    "correct-r19-softmax-take-along-axis": Correct(
        grade_id="softmax_ce",
        source='def softmax_cross_entropy(logits, y):\n    """Entropie croisée moyenne sur le lot, calculée de façon stable : renvoie (loss, probs)."""\n    logits = np.asarray(logits, dtype=float)\n    y = np.asarray(y, dtype=int)\n    m = np.max(logits, axis=1, keepdims=True)\n    e = np.exp(logits - m)\n    s = np.sum(e, axis=1, keepdims=True)\n    probs = e / s\n    log_p_vrai = np.take_along_axis(logits - m, y[:, None], axis=1)[:, 0] - np.log(s[:, 0])\n    loss = -np.mean(log_p_vrai)\n    return loss.item(), probs\n',
        why="the tester's: log-sum-exp with np.take_along_axis",
    ),
    "correct-r19-softmax-float32-guard-1e-8": Correct(
        grade_id="softmax_ce",
        source='def softmax_cross_entropy(logits, y):\n    """float32, garde-fou log(p + 1e-8)."""\n    z = np.asarray(logits, dtype=np.float32)\n    z = z - z.max(axis=1, keepdims=True)\n    e = np.exp(z)\n    probs = e / e.sum(axis=1, keepdims=True)\n    loss = -np.mean(np.log(probs[np.arange(len(y)), y] + np.float32(1e-8)))\n    return float(loss), probs\n',
        why="float32 with the guard log(p + 1e-8): the band's lower edge, in single precision",
    ),
    "correct-r19-count-numpy-short": Correct(
        grade_id="count_params",
        source='def nombre_parametres(largeurs):\n    """Nombre de poids et de biais d\'un MLP dense de largeurs [h_0, ..., h_l]."""\n    l = np.asarray(largeurs, dtype=np.int64)\n    if l.size < 2:\n        return 0\n    return int(np.sum(l[:-1] * l[1:]) + np.sum(l[1:]))\n',
        why="the tester's: int64 arrays, 0 below two widths",
    ),
    "correct-r19-count-reduce": Correct(
        grade_id="count_params",
        source='from functools import reduce\n\n\ndef nombre_parametres(largeurs):\n    """Nombre de poids et de biais d\'un MLP dense de largeurs [h_0, ..., h_l]."""\n    largeurs = list(largeurs)\n    paires = list(zip(largeurs, largeurs[1:]))\n    return reduce(lambda acc, p: acc + (p[0] + 1) * p[1], paires, 0)\n',
        why="the tester's: functools.reduce with the initial 0 (no pair: 0)",
    ),
    "correct-r19-perceptron-heaviside": Correct(
        grade_id="perceptron_update",
        source='def maj_perceptron(w, x, y, alpha):\n    """Une mise à jour du perceptron sur l\'exemple (x, y) : w + alpha (y - f(x)) x."""\n    prediction = np.heaviside(np.dot(w, x), 1.0)  # marche, avec H(0) = 1\n    delta = alpha * (y - prediction) * np.asarray(x, dtype=float)\n    return np.asarray(w, dtype=float) + delta\n',
        why="the tester's: np.heaviside with H(0) = 1",
    ),
    "correct-r19-grad-f-float32": Correct(
        grade_id="grad_f",
        source='def grad_f(x):\n    """Gradient de f(x1, x2) = x1² + 3 x2², calculé à la main."""\n    x1, x2 = float(x[0]), float(x[1])\n    d1 = 2 * x1       # d/dx1 (x1²)\n    d2 = 3 * 2 * x2   # d/dx2 (3 x2²)\n    return np.array([d1, d2], dtype=np.float32)\n',
        why="the tester's: returned in float32 (rounding ~6e-8, within the tolerance)",
    ),
    "correct-r19-train-prints-loss": Correct(
        grade_id="train",
        source='def entrainer(X_train, y_train, hidden=64, lr=0.1, epochs=30, batch_size=32, seed=0):\n    """Entraîne le MLP par SGD sur mini-lots mélangés à chaque époque ; renvoie params."""\n    rng = np.random.default_rng(seed)\n    n, d = X_train.shape\n    params = init_params(d, hidden, 10, seed)\n    indices = np.arange(n)\n    for epoque in range(epochs):\n        rng.shuffle(indices)\n        pertes = []\n        for k in range(int(np.ceil(n / batch_size))):\n            lot = indices[k * batch_size : (k + 1) * batch_size]\n            Xb, yb = X_train[lot], y_train[lot]\n            logits, cache = forward(Xb, params)\n            perte, probs = softmax_cross_entropy(logits, yb)\n            pertes.append(perte)\n            grads = backward(Xb, yb, params, cache, probs)\n            for cle in ("W1", "b1", "W2", "b2"):\n                params[cle] -= lr * grads[cle]\n        if epoque % 10 == 0 or epoque == epochs - 1:\n            print(f"époque {epoque:3d}  perte moyenne {np.mean(pertes):.4f}")\n    return params\n',
        why="the tester's: rng.shuffle of an index array, a loss printed every 10 epochs",
    ),
    "correct-r19-train-evaluates-every-epoch": Correct(
        grade_id="train",
        source=edit(solution_cell(__file__, "train"),
                    ("    params = init_params(D, hidden, 10, seed)\n",
                     "    params = init_params(D, hidden, 10, seed)\n    historique = []\n"),
                    ("                params[nom] = params[nom] - lr * grads[nom]\n",
                     "                params[nom] = params[nom] - lr * grads[nom]\n"
                     "        # suivi : perte sur tout le train à la fin de l'époque (sans arrêt)\n"
                     "        perte, _ = softmax_cross_entropy(forward(X_train, params)[0], y_train)\n"
                     "        historique.append(perte)\n")),
        why="a full-set evaluation after every epoch, no early stop",
    ),
}
CORRECT = {**CORRECT, **_BLIND_R19_CORRECT}
CORRECT_GROUPS["blind-r19-correct-a"] = (
    "correct-r19-backward-cs231n-copy", "correct-r19-forward-helpers", "correct-r19-softmax-guarded-loop",
    "correct-r19-count-numpy-short", "correct-r19-perceptron-heaviside", "correct-r19-grad-f-float32",
    "correct-r19-train-prints-loss",
)
CORRECT_GROUPS["blind-r19-correct-b"] = (
    "correct-r19-backward-float32", "correct-r19-forward-float32", "correct-r19-softmax-take-along-axis",
    "correct-r19-count-reduce", "correct-r19-train-evaluates-every-epoch",
)
CORRECT_GROUPS["blind-r19-correct-c"] = ("correct-r19-softmax-float32-guard-1e-8",)

# ------------------------------------------------------------ blind round 21
# Hints fixed by class: a KeyError on a key that no dictionary backward receives holds (its own
# forward's cache["X"]) named as such, not "vérifiez les transposées"; a count right but returned
# as a float (np.sum of an empty list) named as its type, not as a wrong count; an epoch loop one
# short (range(1, epochs)) named as an off-by-one; a shuffle from NumPy's global state told without
# naming one function the student may not have called; an in-place shuffle of both arrays told in
# one advice. The three backward checks each call backward on the statement's cache themselves
# (none depends on another's result): the KeyError costs each of them, as any crash would.
SCENARIOS.update({
    "blind-r21-backward-reads-cache-X": Scenario(
        grade_id="mlp_backward",
        source=edit(solution_cell(__file__, "mlp_backward"),
                    ("    N = X.shape[0]\n", '    Xc = cache["X"]  # rangé par mon forward\n    N = Xc.shape[0]\n'),
                    ("    dW1 = X.T @ dZ1\n", "    dW1 = Xc.T @ dZ1\n")),
        must_fail=("test_backward_shapes", "test_backward_output_layer_matches_autograd",
                   "test_backward_hidden_layer_matches_autograd"),
        message_contains=("n'est dans aucun des dictionnaires que reçoit votre fonction",),
    ),
    "blind-r21-count-npsum-float-zero": Scenario(
        grade_id="count_params",
        source='def nombre_parametres(largeurs):\n'
               '    """Nombre de poids et de biais d\'un MLP dense de largeurs [h_0, ..., h_l]."""\n'
               '    return np.sum([n * h + h for n, h in zip(largeurs, largeurs[1:])])\n',
        must_fail=("test_nombre_parametres_matches_torch",),
        message_contains=("np.sum d'une liste vide renvoie le float 0.0",),
    ),
    "blind-r21-train-epochs-off-by-one": Scenario(
        grade_id="train",
        source=edit(solution_cell(__file__, "train"),
                    ("    for _ in range(epochs):\n", "    for epoque in range(1, epochs):\n")),
        must_fail=("test_entrainer_batches_cover_the_epoch",),
        message_contains=("votre boucle des époques fait epochs − 1 tours",),
    ),
    "blind-r21-train-global-shuffle": Scenario(
        grade_id="train",
        source=edit(solution_cell(__file__, "train"),
                    ("    rng = np.random.default_rng(seed)\n", ""),
                    ("    for _ in range(epochs):\n        ordre = rng.permutation(N)\n",
                     "    ordre = np.arange(N)\n    for _ in range(epochs):\n        np.random.shuffle(ordre)\n")),
        must_fail=("test_entrainer_uses_its_arguments",),
        message_contains=("l'état global de NumPy",),
    ),
    "blind-r21-train-shuffles-arguments-in-place": Scenario(
        grade_id="train",
        source=edit(solution_cell(__file__, "train"),
                    ("        ordre = rng.permutation(N)\n",
                     "        ordre = rng.permutation(N)\n"
                     "        X_train[:] = X_train[ordre]\n        y_train[:] = y_train[ordre]\n"),
                    ("            lot = ordre[debut : debut + batch_size]\n",
                     "            lot = np.arange(debut, min(debut + batch_size, N))\n")),
        must_fail=("test_entrainer_uses_its_arguments",),
        message_contains=("lisez X_train[lot] et y_train[lot], sans écrire dans X_train et y_train",),
    ),
})
GROUPS["blind-r21-a"] = (
    "blind-r21-backward-reads-cache-X", "blind-r21-count-npsum-float-zero", "blind-r21-train-epochs-off-by-one",
)
GROUPS["blind-r21-b"] = ("blind-r21-train-global-shuffle",)
GROUPS["blind-r21-c"] = ("blind-r21-train-shuffles-arguments-in-place",)

# Correct answers (lead's rulings): params unpacked by position, W1, b1, W2, b2 = params.values()
# (every dict the TP builds, init_params, the notebook, the statement and every check, has that key
# order); np.nanmax in erreur_relative, and a Python max loop (the statement says nothing of NaN;
# a loop's max drops NaN depending on its position); a tie tested with np.isclose(w·x, 0) (it
# differs only within 1e-8 of zero, below the precision of scores of order 1); a forward that
# also stores X in its cache (Z1 and A1 as asked, an extra key).
_BLIND_R21_CORRECT = {
    "correct-r21-forward-params-values": Correct(
        grade_id="mlp_forward",
        source='def forward(X, params):\n'
               '    """Passe avant du MLP : renvoie (logits de forme (N, C), cache {"Z1", "A1"})."""\n'
               '    W1, b1, W2, b2 = params.values()\n'
               '    Z1 = X @ W1 + b1\n'
               '    A1 = np.maximum(Z1, 0.0)\n'
               '    logits = A1 @ W2 + b2\n'
               '    return logits, {"Z1": Z1, "A1": A1}\n',
        why="params unpacked in the statement's key order, the order of every dict the TP builds",
    ),
    "correct-r21-forward-cache-extra-X": Correct(
        grade_id="mlp_forward",
        source='def forward(X, params):\n'
               '    """Passe avant du MLP : renvoie (logits de forme (N, C), cache {"Z1", "A1"})."""\n'
               '    Z1 = X @ params["W1"] + params["b1"]\n'
               '    A1 = np.maximum(Z1, 0.0)\n'
               '    logits = A1 @ params["W2"] + params["b2"]\n'
               '    return logits, {"X": X, "Z1": Z1, "A1": A1}\n',
        why="Z1 and A1 as asked, X stored as an extra key",
    ),
    "correct-r21-rel-error-nanmax": Correct(
        grade_id="rel_error",
        source='def erreur_relative(a, b):\n'
               '    """max |a - b| / max(1e-8, |a| + |b|) sur toutes les composantes."""\n'
               '    a = np.asarray(a, dtype=float)\n'
               '    b = np.asarray(b, dtype=float)\n'
               '    with np.errstate(invalid="ignore"):\n'
               '        r = np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))\n'
               '    return float(np.nanmax(r))\n',
        why="np.nanmax: the statement does not say what rel_error does with NaN",
    ),
    "correct-r21-rel-error-python-loop": Correct(
        grade_id="rel_error",
        source='def erreur_relative(a, b):\n'
               '    """max |a - b| / max(1e-8, |a| + |b|) sur toutes les composantes."""\n'
               '    a = np.asarray(a, dtype=float).ravel()\n'
               '    b = np.asarray(b, dtype=float).ravel()\n'
               '    pire = 0.0\n'
               '    for ai, bi in zip(a, b):\n'
               '        r = abs(ai - bi) / max(1e-8, abs(ai) + abs(bi))\n'
               '        pire = max(pire, r)\n'
               '    return float(pire)\n',
        why="the tester's loop with Python's max (NaN dropped by position: no rule of the statement)",
    ),
    "correct-r21-perceptron-isclose-tie": Correct(
        grade_id="perceptron_update",
        source='def maj_perceptron(w, x, y, alpha):\n'
               '    """Une mise à jour du perceptron sur l\'exemple (x, y) : w + alpha (y - f(x)) x.\n\n'
               '    w, x : tableaux de forme (d,) (x[0] vaut 1, pour le biais) ; y : 0 ou 1.\n'
               '    """\n'
               '    w = np.asarray(w, dtype=float)\n'
               '    x = np.asarray(x, dtype=float)\n'
               '    s = float(w @ x)\n'
               '    sortie = 1.0 if (s > 0 or np.isclose(s, 0.0)) else 0.0  # w·x = 0 donne 1 (flottants !)\n'
               '    return w + alpha * (y - sortie) * x\n',
        why="a tie within 1e-8 of zero counted as zero: below the precision of scores of order 1",
    ),
}
CORRECT = {**CORRECT, **_BLIND_R21_CORRECT}
CORRECT_GROUPS["correct-r21-a"] = (
    "correct-r21-forward-params-values", "correct-r21-rel-error-nanmax", "correct-r21-perceptron-isclose-tie",
)
CORRECT_GROUPS["correct-r21-b"] = ("correct-r21-forward-cache-extra-X", "correct-r21-rel-error-python-loop")
