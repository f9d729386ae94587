"""Vérifications publiques du TP01 : formes, comportement de base, valeurs en des points fixés.

These checks are shipped to students: every expected value here is either in the course
(grad f(1, 1) = (2, 6), 203 530 parameters) or a small fixed example they can redo by hand.
The hidden checks test the same items on grader-chosen random inputs.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograder.checks import (
    SHAPE_ERRORS,
    CheckFailed,
    Ref,
    StudentError,
    as_array,
    as_bool,
    as_float,
    as_pair,
    assert_close,
    assert_equal_int,
    assert_signature_defaults,
    kernel_side,
    with_references,
)

from .helpers import (
    BACKWARD_DICTS,
    GUARD,
    MLP_REFERENCES,
    assert_close_float32_aware,
    call_hinted,
    data_globals_hint,
    missing_key_hint,
    returned_type,
    shared_rows_hint,
)


@kernel_side
def course_gradient(x):
    """A trusted gradient of the course's f, so that `descente_gradient` is tested on its own,
    whatever the student's `grad_f` does."""
    import numpy as np

    return np.array([2.0 * x[0], 6.0 * x[1]])


@kernel_side
def sum_of_squares(x):
    import numpy as np

    return float(np.sum(np.asarray(x) ** 2))


# ---------------------------------------------------------------- 1. gradient of f


@pytest.mark.item("grad_f", points=0.5)
def test_grad_f_at_course_point(submission):
    # "Calculez ∇f à la main": called with PyTorch's autograd switched off (helpers.GUARD).
    got = GUARD.call(submission, "grad_f", np.array([1.0, 1.0]))
    if isinstance(got, (list, tuple)):
        raise CheckFailed(
            "grad_f renvoie une liste Python : l'énoncé demande un np.ndarray de forme (2,), "
            "np.array([…, …])",
            "grad_f returns a Python list: the statement asks for an np.ndarray of shape (2,), "
            "np.array([..., ...])",
        )
    # A torch tensor comes back as an array: its type is read in the kernel (blind answer:
    # x.grad of an autograd computation, returned as is).
    kind = returned_type.call(submission, Ref("grad_f"), np.array([1.0, 1.0]))
    if isinstance(kind, str) and kind.startswith("torch."):
        raise CheckFailed(
            f"grad_f renvoie un {kind} : l'énoncé demande un np.ndarray de forme (2,) ; "
            "calculez le gradient à la main avec NumPy, np.array([…, …])",
            f"grad_f returns a {kind}: the statement asks for an np.ndarray of shape (2,); "
            "compute the gradient by hand with NumPy, np.array([..., ...])",
        )
    assert_close(
        got,
        np.array([2.0, 6.0]),
        name="grad_f((1, 1))",
        hint_fr="le cours donne ∇f(1, 1) = (2, 6) : dérivez x1² + 3x2² terme à terme",
        hint_en="the course gives ∇f(1, 1) = (2, 6): differentiate x1² + 3x2² term by term",
    )


# ---------------------------------------------------------------- 2. gradient descent


@pytest.mark.item("gradient_descent", points=0.5)
def test_descente_gradient_three_steps(submission):
    grad = course_gradient.install(submission)
    got = submission.call("descente_gradient", grad, np.array([1.0, 1.0]), 0.1, 3)
    expected = np.array([[1.0, 1.0], [0.8, 0.4], [0.64, 0.16], [0.512, 0.064]])
    if isinstance(got, (list, tuple)):
        raise CheckFailed(
            "descente_gradient renvoie une liste Python : l'énoncé demande un tableau NumPy de forme "
            "(n_steps + 1, d) ; renvoyez np.array(trajectoire)",
            "descente_gradient returns a Python list: the statement asks for a NumPy array of shape "
            "(n_steps + 1, d); return np.array(trajectoire)",
        )
    traj = as_array(got, "descente_gradient(grad_f, (1, 1), 0.1, 3)")
    if traj.shape != expected.shape:
        raise CheckFailed(
            f"descente_gradient(grad_f, (1, 1), lr=0.1, n_steps=3) : forme attendue (4, 2), "
            f"obtenue {traj.shape} ; la trajectoire contient x0 puis un point par pas, "
            "soit n_steps + 1 lignes",
            f"descente_gradient(grad_f, (1, 1), lr=0.1, n_steps=3): expected shape (4, 2), "
            f"got {traj.shape}; the trajectory holds x0 then one point per step, "
            "n_steps + 1 rows",
        )
    hint_fr, hint_en = shared_rows_hint(traj, expected) or (
        "la ligne 0 est x0, puis x_{t+1} = x_t − lr · grad(x_t)",
        "row 0 is x0, then x_{t+1} = x_t − lr · grad(x_t)",
    )
    # A float32 trajectory is held to float32 rounding (the statement does not ask for float64).
    assert_close_float32_aware(
        got,
        expected,
        name="descente_gradient(grad_f, (1, 1), lr=0.1, n_steps=3)",
        rtol=1e-9,
        hint_fr=hint_fr,
        hint_en=hint_en,
    )


# ---------------------------------------------------------------- 4. divergence detector


@pytest.mark.item("diverges", points=0.5)
def test_diverge_simple_cases(submission):
    shrinking = np.array([[1.0, 1.0], [0.5, 0.5], [0.25, 0.25]])
    growing = np.array([[1.0, 1.0], [-2.0, 2.0]])
    if as_bool(submission.call("diverge", shrinking), "diverge") is not False:
        raise CheckFailed(
            "diverge renvoie True pour la trajectoire (1, 1) → (0.5, 0.5) → (0.25, 0.25), "
            "dont la norme diminue : False attendu",
            "diverge returns True for the trajectory (1, 1) → (0.5, 0.5) → (0.25, 0.25), "
            "whose norm decreases: False expected",
        )
    if as_bool(submission.call("diverge", growing), "diverge") is not True:
        raise CheckFailed(
            "diverge renvoie False pour la trajectoire (1, 1) → (−2, 2) : ‖x_1‖ > ‖x_0‖, "
            "True attendu",
            "diverge returns False for the trajectory (1, 1) → (−2, 2): ‖x_1‖ > ‖x_0‖, "
            "True expected",
        )


# ---------------------------------------------------------------- 3. perceptron


@pytest.mark.item("perceptron_update", points=0.5)
def test_perceptron_fixed_examples(submission):
    w = np.array([0.0, 1.0, -1.0])
    x = np.array([1.0, 0.0, 1.0])  # w·x = -1 < 0, so f(x) = 0
    assert_close(
        submission.call("maj_perceptron", w, x, 1, 0.5),
        np.array([0.5, 1.0, -0.5]),
        name="maj_perceptron(w=(0, 1, −1), x=(1, 0, 1), y=1, alpha=0.5)",
        hint_fr="ici w·x = −1 donc f(x) = 0 et y − f(x) = 1 : w + alpha · x",
        hint_en="here w·x = −1 so f(x) = 0 and y − f(x) = 1: w + alpha · x",
    )
    assert_close(
        submission.call("maj_perceptron", w, x, 0, 0.5),
        w,
        name="maj_perceptron(w=(0, 1, −1), x=(1, 0, 1), y=0, alpha=0.5)",
        hint_fr="l'exemple est bien classé (f(x) = 0 = y) : les poids ne changent pas",
        hint_en="the example is correctly classified (f(x) = 0 = y): the weights do not change",
    )


# ---------------------------------------------------------------- 5. MLP

_X = np.array([[1.0, -2.0, 0.5], [0.0, 1.0, 1.0], [2.0, 0.5, -1.0], [-1.0, -1.0, 0.0]])
_Y = np.array([0, 1, 1, 0])
_PARAMS = {
    "W1": np.array(
        [[0.5, -0.3, 0.2, 0.1, -0.4], [0.1, 0.4, -0.2, 0.3, 0.2], [-0.3, 0.2, 0.5, -0.1, 0.1]]
    ),
    "b1": np.array([0.1, -0.1, 0.0, 0.2, 0.05]),
    "W2": np.array([[0.3, -0.2], [-0.1, 0.4], [0.2, 0.2], [0.5, -0.3], [-0.2, 0.1]]),
    "b2": np.array([0.05, -0.05]),
}
_SHAPE_HINT_FR = "avec X (N, D), W1 (D, H), W2 (H, C) : Z1 = X @ W1 + b1 et Z2 = A1 @ W2 + b2"
_SHAPE_HINT_EN = "with X (N, D), W1 (D, H), W2 (H, C): Z1 = X @ W1 + b1 and Z2 = A1 @ W2 + b2"


def _forward_ref(X, p):
    Z1 = X @ p["W1"] + p["b1"]
    A1 = np.maximum(Z1, 0.0)
    return A1 @ p["W2"] + p["b2"], Z1, A1


@pytest.mark.item("mlp_forward", points=0.5)
def test_forward_shapes_and_values(submission):
    out = call_hinted(submission, "forward", _X, _PARAMS, hint=(_SHAPE_HINT_FR, _SHAPE_HINT_EN))
    logits, cache = as_pair(out, "forward")
    ref, Z1, A1 = _forward_ref(_X, _PARAMS)
    as_array(logits, "logits (N=4, D=3, H=5, C=2)", shape=(4, 2))
    assert_close_float32_aware(
        logits,
        ref,
        name="logits (N=4, D=3, H=5, C=2)",
        hint_fr="Z1 = X W1 + b1, A1 = ReLU(Z1), logits = A1 W2 + b2",
        hint_en="Z1 = X W1 + b1, A1 = ReLU(Z1), logits = A1 W2 + b2",
    )
    # The cache's keys and values are test_forward_cache's (blind answer: keys "z1", "a1" lost
    # both checks for one fault); here only the shapes of what it holds.
    if isinstance(cache, dict) and {"Z1", "A1"} <= set(cache):
        as_array(cache["Z1"], 'cache["Z1"] (N=4, H=5)', shape=(4, 5))
        as_array(cache["A1"], 'cache["A1"] (N=4, H=5)', shape=(4, 5))


@pytest.mark.item("softmax_ce", points=0.5)
def test_softmax_ce_uniform_logits(submission):
    logits = np.zeros((4, 3))
    y = np.array([0, 1, 2, 0])
    loss, probs = as_pair(
        call_hinted(
            submission, "softmax_cross_entropy", logits, y,
            hint=("logits a la forme (N, C) et y la forme (N,) : P[np.arange(N), y]",
                  "logits has shape (N, C) and y shape (N,): P[np.arange(N), y]"),
        ),
        "softmax_cross_entropy",
    )
    assert_close(
        probs,
        np.full((4, 3), 1.0 / 3.0),
        name="probs (logits = 0, N=4, C=3)",
        hint_fr="softmax ligne par ligne (axis=1) : des logits égaux donnent des probabilités égales",
        hint_en="softmax row by row (axis=1): equal logits give equal probabilities",
    )
    value = as_float(loss, "loss")
    assert_close(
        value,
        math.log(3.0),
        name="loss (logits = 0, N=4, C=3)",
        **dict(zip(("hint_fr", "hint_en"), _uniform_loss_hint(value), strict=True)),
    )


def _uniform_loss_hint(value: float) -> tuple[str, str]:
    """The hint for a wrong loss on 4 rows of zero logits (P = 1/3 everywhere, checked before),
    each after its premise: N times log 3 (a sum) or log 3 / N (a second division) blame the
    mean; a value a little below log 3 is a term added in the log (log(p + ε) with a large ε:
    −log(1/3 + ε) for ε up to 0.1); anything else, the formula."""
    log3, n = math.log(3.0), 4
    if math.isclose(value, n * log3, rel_tol=1e-3):
        return (
            "votre perte vaut N fois log 3 : il manque le 1/N ; la perte est la MOYENNE de "
            "−log P[i, y_i] sur les N exemples, pas leur somme",
            "your loss is N times log 3: the 1/N is missing; the loss is the MEAN of "
            "−log P[i, y_i] over the N examples, not their sum",
        )
    if math.isclose(value, log3 / n, rel_tol=1e-3):
        return (
            "votre perte vaut log 3 / N : elle est divisée deux fois par N ; la MOYENNE de "
            "−log P[i, y_i] sur les N exemples se divise une seule fois par N",
            "your loss is log 3 / N: it is divided by N twice; the MEAN of −log P[i, y_i] over "
            "the N examples is divided by N once",
        )
    if -math.log(1.0 / 3.0 + 0.1) <= value < log3:
        return (
            "vos probabilités valent bien 1/3, mais votre perte est un peu plus petite que "
            "−log(1/3) = log 3 : un terme ajouté dans le log la déplace (log(p + ε) avec un ε "
            "trop grand, 1e-3 par exemple) ; gardez ε ≤ 1e-8, ou calculez log P = z − log Σ exp(z) "
            "sur les logits décalés z (log-sum-exp), sans ε",
            "your probabilities are indeed 1/3, but your loss is a little below −log(1/3) = log 3: "
            "a term added in the log moves it (log(p + ε) with too large an ε, 1e-3 say); keep "
            "ε ≤ 1e-8, or compute log P = z − log Σ exp(z) on the shifted logits z (log-sum-exp), "
            "without ε",
        )
    return (
        "la perte est −log P[i, y_i] pour l'étiquette y_i de chaque ligne, en moyenne sur les N "
        "exemples : ici P[i, y_i] = 1/3 partout, donc log 3",
        "the loss is −log P[i, y_i] for each row's label y_i, averaged over the N examples: here "
        "P[i, y_i] = 1/3 everywhere, hence log 3",
    )


@pytest.mark.item("mlp_backward", points=0.5)
def test_backward_shapes(submission):
    logits, Z1, A1 = _forward_ref(_X, _PARAMS)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    # A shape error from a notebook variable read instead of an argument (blind answer: pv["W2"])
    # is told so, its premise checked; the formulas otherwise.
    formulas = (
        "dW2 = A1ᵀ dZ2, dZ1 = (dZ2 W2ᵀ) ⊙ 1[Z1 > 0], dW1 = Xᵀ dZ1",
        "dW2 = A1ᵀ dZ2, dZ1 = (dZ2 W2ᵀ) ⊙ 1[Z1 > 0], dW1 = Xᵀ dZ1",
    )
    try:
        # "Rétropropagation à la main": PyTorch's autograd is switched off (helpers.GUARD).
        grads = GUARD.call(submission, "backward", _X, _Y, _PARAMS, {"Z1": Z1, "A1": A1}, probs)
    except StudentError as exc:
        if exc.ename not in SHAPE_ERRORS:
            raise
        # A key that no dictionary passed holds (blind answer: cache["X"]) is told so, not the
        # formulas (its premise read from the error).
        hint = (missing_key_hint(exc, BACKWARD_DICTS) or data_globals_hint(submission, "backward")
                or formulas)
        raise CheckFailed(f"{exc.message.fr} ; {hint[0]}", f"{exc.message.en}; {hint[1]}") from None
    if not isinstance(grads, dict) or not {"W1", "b1", "W2", "b2"} <= set(grads):
        raise CheckFailed(
            'backward doit renvoyer un dictionnaire {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}',
            'backward must return a dictionary {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}',
        )
    for key, value in _PARAMS.items():
        got = as_array(grads[key], f"d{key}")
        if got.shape != value.shape:
            hint_fr = " ; sommez sur les exemples (axis=0)" if key.startswith("b") else ""
            hint_en = "; sum over the examples (axis=0)" if key.startswith("b") else ""
            raise CheckFailed(
                f"d{key} doit avoir la forme de {key}, {value.shape}, obtenu {got.shape}{hint_fr}",
                f"d{key} must have the shape of {key}, {value.shape}, got {got.shape}{hint_en}",
            )


# ---------------------------------------------------------------- 6. gradient check


@pytest.mark.item("numerical_gradient", points=0.5)
def test_numerical_gradient_sum_of_squares(submission):
    f = sum_of_squares.install(submission)
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    got = submission.call("gradient_numerique", f, x, 1e-5)
    assert_close(
        got,
        2.0 * x,
        name="gradient_numerique(Σ x², [[1, −2], [0.5, 3]])",
        rtol=1e-6,
        hint_fr="le gradient de Σ x² est 2x ; (f(x + h e_i) − f(x − h e_i)) / (2h) pour chaque composante",
        hint_en="the gradient of Σ x² is 2x; (f(x + h e_i) − f(x − h e_i)) / (2h) for every entry",
    )


@pytest.mark.item("rel_error", points=0.5)
def test_erreur_relative_fixed_values(submission):
    same = as_float(
        submission.call("erreur_relative", np.array([1.0, 2.0]), np.array([1.0, 2.0])),
        "erreur_relative(a, a)",
        allow_nan=True,
    )
    assert_close(
        same,
        0.0,
        name="erreur_relative((1, 2), (1, 2))",
        hint_fr="deux tableaux égaux ont une erreur relative nulle",
        hint_en="two equal arrays have a zero relative error",
    )
    got = as_float(
        submission.call("erreur_relative", np.array([1.0, 2.0]), np.array([3.0, 2.0])),
        "erreur_relative",
        allow_nan=True,
    )
    assert_close(
        got,
        0.5,
        name="erreur_relative((1, 2), (3, 2))",
        hint_fr="max de |a − b| / max(1e-8, |a| + |b|) : ici |1 − 3| / (1 + 3) = 0.5",
        hint_en="max of |a − b| / max(1e-8, |a| + |b|): here |1 − 3| / (1 + 3) = 0.5",
    )


# ---------------------------------------------------------------- 7. parameter counts


@pytest.mark.item("param_count_784", points=0.5)
def test_nb_params_784_256_10(submission):
    if not submission.has("NB_PARAMS_784_256_10"):
        raise CheckFailed(
            "NB_PARAMS_784_256_10 n'est pas défini : complétez sa cellule",
            "NB_PARAMS_784_256_10 is not defined: fill in its cell",
        )
    assert_equal_int(
        submission.get("NB_PARAMS_784_256_10"),
        203530,
        name="NB_PARAMS_784_256_10",
        hint_fr="comptez n × h poids plus h biais pour chacune des deux couches",
        hint_en="count n × h weights plus h biases for each of the two layers",
    )


@pytest.mark.item("count_params", points=0.5)
def test_nombre_parametres_course_example(submission):
    assert_equal_int(
        submission.call("nombre_parametres", [784, 256, 10]),
        203530,
        name="nombre_parametres([784, 256, 10])",
        hint_fr="Σ h_i × h_{i+1} + h_{i+1} : poids ET biais de chaque couche",
        hint_en="Σ h_i × h_{i+1} + h_{i+1}: weights AND biases of every layer",
    )


# ---------------------------------------------------------------- 8. training


@pytest.mark.item("train", points=0.5)
def test_entrainer_returns_params(submission):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = X[:200] / 16.0, y[:200]
    # With the grader's forward, loss and backward: their mistakes cost points in their items.
    params = with_references(
        submission, MLP_REFERENCES, "entrainer", X, y, hidden=16, lr=0.1, epochs=1, batch_size=32, seed=0
    )
    if not isinstance(params, dict) or not {"W1", "b1", "W2", "b2"} <= set(params):
        raise CheckFailed(
            'entrainer doit renvoyer le dictionnaire params {"W1", "b1", "W2", "b2"}',
            'entrainer must return the params dictionary {"W1", "b1", "W2", "b2"}',
        )
    shapes = {"W1": (64, 16), "b1": (16,), "W2": (16, 10), "b2": (10,)}
    for key, shape in shapes.items():
        as_array(params[key], f'params["{key}"] (D=64, hidden=16, C=10)', shape=shape)
    # The statement gives the signature, defaults included, and the notebook trains with them
    # (entrainer(X_train, y_train)): a changed default is a changed answer, in every TP.
    assert_signature_defaults(
        submission,
        "entrainer",
        {"hidden": 64, "lr": 0.1, "epochs": 30, "batch_size": 32, "seed": 0},
    )
