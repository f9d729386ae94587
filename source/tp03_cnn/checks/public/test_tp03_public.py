"""Vérifications publiques du TP03 : formes, comportement de base, valeurs en des points fixés.

These checks are shipped to students: every expected value here is either in the course
(207 937 and 42 949 935 105 parameters, the 9×9 examples) or a small fixed example they
can redo by hand or with PyTorch. The hidden checks test the same items on grader-chosen
random inputs.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch.nn.functional as F

from autograder.checks import (
    CheckFailed,
    StudentError,
    Tensor,
    as_array,
    as_float,
    as_int,
    assert_close,
    assert_signature_defaults,
    kernel_side,
    shape_text,
)

from .helpers import (
    EQ_GENERIC,
    build,
    conv_hint,
    conv_mistakes,
    equivariance_diagnosis,
    equivariance_mistakes,
    exact_int,
    guarded,
    model_logits,
    notebook_data_hint,
    plane_sizes,
    pool_hint,
    pool_mistakes,
    returned_model,
    t64,
    translate,
    unregistered_failure,
    values_indices_failure,
)


@kernel_side
def small_model():
    import torch

    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 10))


# Fixed functions for the equivariance measure: an equivariant convolution ('same'
# padding) and a position-dependent gain, which is not equivariant.
@kernel_side
def conv_same(z):
    import torch
    import torch.nn.functional as F

    noyau = torch.tensor(
        [[[[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]],
         [[[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]]]],
        dtype=z.dtype,
    )
    return F.conv2d(z, noyau, padding=1)


@kernel_side
def position_gain(z):
    import torch

    H, W = z.shape[-2], z.shape[-1]
    return z * (torch.arange(H * W, dtype=z.dtype).reshape(H, W) / (H * W))


# The statement's signatures ("ne changez pas leurs paramètres"): the notebook and the
# grader leave some arguments to these defaults, so a changed default is a changed answer.
STATEMENT_DEFAULTS: dict[str, dict[str, object]] = {
    "taille_sortie": {"p": 0, "s": 1},
    "conv2d": {"b": None, "stride": 1, "padding": 0},
    "max_pool2d": {"stride": None, "padding": 0},
    "entrainer": {"epochs": 15, "lr": 0.01, "batch_size": 64, "seed": 0},
}


def assert_statement_defaults(submission, name: str) -> None:
    """Fail when a default value of `name`'s signature differs from the statement's."""
    assert_signature_defaults(
        submission,
        name,
        STATEMENT_DEFAULTS[name],
        grader_fr="la correction",
        advice=(
            "ne changez pas les paramètres, le notebook et la correction comptent sur leurs "
            "valeurs par défaut",
            "do not change the parameters, the notebook and the grader rely on their defaults",
        ),
    )

# ---------------------------------------------------------------- 1. MLP on an image


@pytest.mark.item("mlp_params", points=0.5)
def test_nb_params_mlp_course_numbers(submission):
    for (h, w), expected in (((24, 24), 207937), ((512, 512), 42949935105)):
        got = exact_int(submission.call("nb_params_mlp_image", h, w), f"nb_params_mlp_image({h}, {w})")
        if got != expected:
            raise CheckFailed(
                f"nb_params_mlp_image({h}, {w}) : obtenu {got}, le cours annonce {expected} ; "
                "s = h × w pixels, couches s → s/2 → s/4 → 1, et chaque couche a n × m poids "
                "plus m biais",
                f"nb_params_mlp_image({h}, {w}): got {got}, the course gives {expected}; "
                "s = h × w pixels, layers s → s/2 → s/4 → 1, and each layer has n × m weights "
                "plus m biases",
            )


# ---------------------------------------------------------------- 2. output size


@pytest.mark.item("output_size", points=0.5)
def test_taille_sortie_course_examples(submission):
    assert_statement_defaults(submission, "taille_sortie")
    cases = [
        ((9, 3, 1, 1), 9, "image 9×9, noyau 3, padding 1 (exemple du cours)"),
        ((9, 3, 0, 2), 4, "image 9×9, noyau 3, stride 2 (exemple du cours)"),
        ((10, 3, 0, 2), 4, "largeur 10, noyau 3, stride 2 : (10 − 3)/2 = 3,5"),
    ]
    for (w_in, k, p, s), expected, what in cases:
        call = f"taille_sortie({w_in}, {k}, p={p}, s={s})"
        got = exact_int(submission.call("taille_sortie", w_in, k, p=p, s=s), call)
        if got != expected:
            raise CheckFailed(
                f"{call} ({what}) : obtenu {got}, attendu {expected} ; "
                "W_out = ⌊(W_in − k + 2p) / s⌋ + 1, avec une division entière (//)",
                f"{call}: got {got}, expected {expected}; "
                "W_out = ⌊(W_in − k + 2p) / s⌋ + 1, with an integer division (//)",
            )


# ---------------------------------------------------------------- 3. conv2d


def _check_conv(submission, x, w, b, stride, padding, what):
    args = [Tensor(x), Tensor(w)] + ([Tensor(b)] if b is not None else [])
    got = as_array(
        guarded(submission, "conv2d", *args, stride=stride, padding=padding), f"conv2d {what}"
    )
    ref = F.conv2d(t64(x), t64(w), t64(b), stride=stride, padding=padding).numpy()
    if got.shape != ref.shape:
        raise CheckFailed(
            f"conv2d {what} : forme attendue {shape_text(ref.shape)}, obtenue {shape_text(got.shape)} ; "
            "(N, C_out, H_out, W_out) avec H_out = ⌊(H − k_y + 2p)/s⌋ + 1 : le padding ajoute p "
            "zéros de chaque côté et la fenêtre avance de s pixels",
            f"conv2d {what}: expected shape {shape_text(ref.shape)}, got {shape_text(got.shape)}; "
            "(N, C_out, H_out, W_out) with H_out = ⌊(H − k_y + 2p)/s⌋ + 1: the padding adds p "
            "zeros on each side and the window moves by s pixels",
        )
    hint_fr, hint_en = conv_hint(got, conv_mistakes(x, w, b, stride, padding, all_=False))
    assert_close(
        got,
        ref,
        name=f"conv2d {what}",
        rtol=1e-5,
        atol=1e-7,
        hint_fr=hint_fr,
        hint_en=hint_en,
    )


@pytest.mark.item("conv2d", points=1)
def test_conv2d_fixed_examples(submission):
    assert_statement_defaults(submission, "conv2d")
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])
    _check_conv(
        submission, x, w, None, 1, 0, "(image 4×4 des entiers 0..15, noyau [[1, 0], [0, −1]])"
    )
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 3, 7, 6))
    w = rng.normal(size=(4, 3, 3, 2))
    b = rng.normal(size=4)
    _check_conv(submission, x, w, b, 2, 1, "(x (2, 3, 7, 6), w (4, 3, 3, 2), stride=2, padding=1)")


# ---------------------------------------------------------------- 4. max-pooling


def _pool_output(raw: object, what: str) -> np.ndarray:
    """max_pool2d's output as an array; the pair (values, indices) of torch.max(…, dim=…) said as
    such, not as a wrong shape."""
    failure = values_indices_failure("max_pool2d", raw)
    if failure is not None:
        raise failure
    return as_array(raw, what)


@pytest.mark.item("max_pool", points=0.5)
def test_max_pool_fixed_example(submission):
    assert_statement_defaults(submission, "max_pool2d")
    x = np.array(
        [[[[1.0, 1.0, 2.0, 4.0], [5.0, 6.0, 7.0, 8.0], [3.0, 2.0, 1.0, 0.0], [1.0, 2.0, 3.0, 4.0]]]]
    )
    got = _pool_output(guarded(submission, "max_pool2d", Tensor(x), 2), "max_pool2d(x 4×4, k=2)")
    if got.shape != (1, 1, 2, 2):
        raise CheckFailed(
            f"max_pool2d(x (1, 1, 4, 4), k=2) : forme attendue (1, 1, 2, 2), obtenue {shape_text(got.shape)} ; "
            "sans stride donné, le stride vaut k (les fenêtres ne se recouvrent pas)",
            f"max_pool2d(x (1, 1, 4, 4), k=2): expected shape (1, 1, 2, 2), got {shape_text(got.shape)}; "
            "without a given stride, the stride is k (windows do not overlap)",
        )
    assert_close(
        got,
        np.array([[[[6.0, 8.0], [3.0, 4.0]]]]),
        name="max_pool2d(x 4×4, k=2)",
        hint_fr="le maximum de chaque fenêtre 2×2",
        hint_en="the maximum of each 2×2 window",
    )
    x = np.random.default_rng(4).normal(size=(2, 3, 7, 6)) - 1.0
    ref = F.max_pool2d(t64(x), 3, stride=2, padding=1).numpy()
    got = _pool_output(
        guarded(submission, "max_pool2d", Tensor(x), 3, stride=2, padding=1),
        "max_pool2d(x (2, 3, 7, 6), k=3, stride=2, padding=1)",
    )
    named = pool_hint(got, pool_mistakes(x, 3, 2, 1))
    if got.shape != ref.shape:
        extra_fr, extra_en = (f" ; {named[0]}", f"; {named[1]}") if named else ("", "")
        raise CheckFailed(
            f"max_pool2d(x (2, 3, 7, 6), k=3, stride=2, padding=1) : forme attendue "
            f"{shape_text(ref.shape)}, obtenue {shape_text(got.shape)}{extra_fr}",
            f"max_pool2d(x (2, 3, 7, 6), k=3, stride=2, padding=1): expected shape "
            f"{shape_text(ref.shape)}, got {shape_text(got.shape)}{extra_en}",
        )
    # The padding hint only when every wrong value is in a window that overlaps the padding:
    # a mistake inside the image (|x|, a mean) is not the padding's.
    wrong = ~np.isclose(got, ref, rtol=1e-5, atol=1e-8)
    if wrong.any() and not wrong[..., 1:3, 1:].any():  # 7×6, k=3, s=2, p=1: rows 0, 3 and column 0 touch it
        hint_fr, hint_en = "le padding d'un max-pooling ajoute des −∞, pas des zéros", "a max-pooling's padding adds −∞, not zeros"
    else:
        hint_fr = ("les valeurs sont fausses aussi dans les fenêtres qui ne touchent pas le padding : "
                   "chaque sortie est le maximum des valeurs de x (pas de leur valeur absolue ni de "
                   "leur moyenne) dans sa fenêtre k×k")
        hint_en = ("the values are wrong in the windows that do not touch the padding too: each "
                   "output is the maximum of the values of x (not of their absolute value nor their "
                   "mean) in its k×k window")
    if named is not None:
        hint_fr, hint_en = named
    assert_close(
        got,
        ref,
        name="max_pool2d(x (2, 3, 7, 6), k=3, stride=2, padding=1)",
        hint_fr=hint_fr,
        hint_en=hint_en,
    )


# ---------------------------------------------------------------- 5. conv layer parameters


@pytest.mark.item("conv_params", points=0.5)
def test_nb_params_conv_fixed_examples(submission):
    cases = [
        (
            (3, 3, 3, 16),
            448,
            "noyau 3×3 sur une image RVB (I = 3), F = 16 filtres : (3·3·3 + 1)·16",
        ),
        ((5, 3, 1, 8), 128, "noyau kx = 5, ky = 3, I = 1, F = 8 : (5·3·1 + 1)·8"),
    ]
    for (kx, ky, n_in, n_out), expected, what in cases:
        call = f"nb_params_conv(kx={kx}, ky={ky}, I={n_in}, F={n_out})"
        got = exact_int(submission.call("nb_params_conv", kx, ky, n_in, n_out), call)
        if got != expected:
            raise CheckFailed(
                f"{call} : obtenu {got}, attendu {expected} ({what}) ; chaque filtre a "
                "kx × ky × I poids et un biais",
                f"{call}: got {got}, expected {expected}; each filter has kx × ky × I weights "
                "and one bias",
            )


# ---------------------------------------------------------------- 6. equivariance


def _python_number(value: object) -> object:
    """erreur_equivariance returns a number (the statement: "un float"), not a tensor: a tensor
    (0-d, with its autograd history) arrives here as an array."""
    if isinstance(value, np.ndarray):
        raise CheckFailed(
            "erreur_equivariance renvoie un tenseur : l'énoncé demande un nombre (un float) ; "
            "renvoyez float(…) ou ….item()",
            "erreur_equivariance returns a tensor: the statement asks for a number (a float); "
            "return float(...) or ....item()",
        )
    return value


_LAPLACE_SOBEL = np.array(
    [[[[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]],
     [[[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]]]]
)  # conv_same's kernels, for the grader's side


def _conv_same_here(a: np.ndarray) -> np.ndarray:
    return F.conv2d(t64(a), t64(_LAPLACE_SOBEL), padding=1).numpy()


def _border_case(submission) -> list:
    """One more case, for the diagnosis only: the convolution on an image whose content reaches
    the border. On the fixed image, surrounded by zeros, a circular shift (torch.roll) and
    f(T_d x) moved back by T_{-d} give the same value (blind round 20: the roll was told to
    translate f(x), which it does); here they part."""
    x = np.zeros((1, 1, 8, 8))
    x[0, 0] = (np.arange(64.0).reshape(8, 8) % 7) / 7.0 + 0.1
    try:
        got = float(as_float(_python_number(
            submission.call("erreur_equivariance", conv_same.install(submission), Tensor(x), 1, 2)),
            "erreur_equivariance"))
    except (CheckFailed, StudentError):
        return []
    expected = float(np.abs(_conv_same_here(translate(x, 1, 2)) - translate(_conv_same_here(x), 1, 2)).max())
    tol = 1e-6 * max(1.0, abs(expected))
    if abs(got - expected) <= tol:
        return []
    return [(got, expected, tol, equivariance_mistakes(_conv_same_here, x, 1, 2))]


@pytest.mark.item("equivariance", points=0.5)
def test_erreur_equivariance_fixed_cases(submission):
    x = np.zeros((1, 1, 8, 8))
    x[0, 0, 2:6, 2:6] = np.arange(16.0).reshape(4, 4) / 16.0
    got = as_float(
        _python_number(submission.call("erreur_equivariance", conv_same.install(submission), Tensor(x), 1, 2)),
        "erreur_equivariance",
    )
    ramp = (np.arange(64.0).reshape(8, 8)) / 64.0
    expected = float(np.abs(translate(x, 1, 2) * ramp - translate(x * ramp, 1, 2)).max())
    got_ramp = as_float(
        _python_number(submission.call("erreur_equivariance", position_gain.install(submission), Tensor(x), 1, 2)),
        "erreur_equivariance",
    )
    # The hint names a mistake only when the values returned are what it returns (blind round
    # 14: T_{-d} f(T_d x) − f(x) was told to translate f(x), which it does not write).
    failing = []
    if abs(got) > 1e-9:
        failing.append((got, 0.0, 1e-9, equivariance_mistakes(_conv_same_here, x, 1, 2)))
    if abs(got_ramp - expected) > 1e-6 * abs(expected):
        failing.append((got_ramp, expected, 1e-6 * abs(expected),
                        equivariance_mistakes(lambda a: a * ramp, x, 1, 2)))
    if failing:
        failing += _border_case(submission)
    _, hint = equivariance_diagnosis(failing)
    hint_fr, hint_en = notebook_data_hint(submission, "erreur_equivariance") or hint or EQ_GENERIC
    if abs(got) > 1e-9:
        raise CheckFailed(
            f"erreur_equivariance(convolution, x, 1, 2) = {got:.3g} pour une convolution, "
            f"équivariante, sur une image entourée de zéros : 0 attendu ; {hint_fr}",
            f"erreur_equivariance(convolution, x, 1, 2) = {got:.3g} for a convolution, which "
            f"is equivariant, on an image surrounded by zeros: 0 expected; {hint_en}",
        )
    assert_close(
        got_ramp,
        expected,
        name="erreur_equivariance(f = x ⊙ rampe de position, x, dy=1, dx=2)",
        rtol=1e-6,
        hint_fr=hint_fr,
        hint_en=hint_en,
    )


# ---------------------------------------------------------------- 7. models


@pytest.mark.item("models", points=0.5)
def test_models_shapes_and_layers(submission):
    X = np.random.default_rng(5).uniform(0.0, 1.0, size=(5, 1, 8, 8)).astype(np.float32)
    n_conv = {}
    for name in ("creer_cnn", "creer_mlp"):
        model, info = build(submission, name)
        failure = unregistered_failure(name, info)  # blind round 22: "aucune couche nn.Conv2d"
        if failure is not None:
            raise failure
        n_conv[name] = as_int(info.get("n_conv"), f"{name}: n_conv")
        logits = as_array(model_logits.call(submission, model, Tensor(X)), f"{name}()(x)")
        if logits.shape != (5, 10):
            raise CheckFailed(
                f"{name}() appliqué à un lot (5, 1, 8, 8) : forme attendue (5, 10), obtenue "
                f"{shape_text(logits.shape)} ; un logit par classe",
                f"{name}() applied to a batch (5, 1, 8, 8): expected shape (5, 10), got "
                f"{shape_text(logits.shape)}; one logit per class",
            )
    if n_conv["creer_cnn"] == 0:
        raise CheckFailed(
            "creer_cnn() ne contient aucune couche nn.Conv2d : un CNN commence par des convolutions",
            "creer_cnn() holds no nn.Conv2d layer: a CNN starts with convolutions",
        )
    if n_conv["creer_mlp"] != 0:
        raise CheckFailed(
            "creer_mlp() contient une couche nn.Conv2d : le MLP n'a que des couches nn.Linear",
            "creer_mlp() holds an nn.Conv2d layer: the MLP only has nn.Linear layers",
        )
    # The statement: keep the size of the maps (odd kernel, padding k // 2, no stride, no
    # stride-2 pooling) up to the global pooling. Every layer that takes and returns maps is
    # seen: a stride-2 nn.Conv2d, and a layer that shrinks the maps before a convolution (a
    # stride-2 nn.MaxPool2d, named; a pooling written in forward shows in the convolution's
    # input). A shrinking layer after the last convolution (nn.AdaptiveMaxPool2d(2) instead of
    # the global pooling) is the global-pooling check's.
    model, _ = build(submission, "creer_cnn")
    plans = plane_sizes.call(submission, model, Tensor(X))
    image = tuple(X.shape[-2:])
    n_conv_seen = 0
    shrunk = None  # the last layer other than a convolution that shrank the maps
    for rank, event in enumerate(plans if isinstance(plans, list) else [], start=1):
        try:
            kind, is_conv, (h_in, w_in), (h_out, w_out) = event
            entree, sortie = (int(h_in), int(w_in)), (int(h_out), int(w_out))
            kind = str(kind)[:40] if isinstance(kind, str) and kind.isidentifier() else "?"
        except (TypeError, ValueError):
            continue  # not what the grader's hook returns: nothing to read
        if is_conv is True:
            n_conv_seen += 1
            if entree != sortie:
                raise CheckFailed(
                    f"creer_cnn() : la convolution n° {n_conv_seen} change la taille des plans "
                    f"({entree[0]}×{entree[1]} → {sortie[0]}×{sortie[1]}) ; gardez-la comme le "
                    "demande l'énoncé : noyau k×k impair, padding k // 2, sans stride",
                    f"creer_cnn(): convolution no. {n_conv_seen} changes the size of the maps "
                    f"({entree[0]}×{entree[1]} → {sortie[0]}×{sortie[1]}); keep it as the "
                    "statement asks: odd k×k kernel, padding k // 2, no stride",
                )
            if entree != image and shrunk is not None:
                kind_s, rank_s, (a, b), (c, d) = shrunk
                raise CheckFailed(
                    f"creer_cnn() : la couche {kind_s} (n° {rank_s} des couches sur des plans) réduit "
                    f"la taille des plans ({a}×{b} → {c}×{d}) avant la convolution n° {n_conv_seen} : "
                    "l'énoncé demande d'éviter les strides et les poolings de stride 2, qui cassent "
                    "l'équivariance ; gardez la taille des plans jusqu'au pooling global "
                    "(nn.AdaptiveMaxPool2d(1)) de la fin",
                    f"creer_cnn(): the {kind_s} layer (no. {rank_s} of the layers on maps) shrinks the "
                    f"maps ({a}×{b} → {c}×{d}) before convolution no. {n_conv_seen}: the statement asks "
                    "to avoid strides and stride-2 poolings, which break equivariance; keep the size "
                    "of the maps up to the global pooling (nn.AdaptiveMaxPool2d(1)) at the end",
                )
            if entree != image:
                raise CheckFailed(
                    f"creer_cnn() : la convolution n° {n_conv_seen} reçoit des plans "
                    f"{entree[0]}×{entree[1]}, pas de la taille de l'image {image[0]}×{image[1]} : un "
                    "pooling (ou un stride) avant elle réduit la taille des plans ; l'énoncé demande "
                    "d'éviter les strides et les poolings de stride 2 (un seul pooling, global, à la fin)",
                    f"creer_cnn(): convolution no. {n_conv_seen} receives {entree[0]}×{entree[1]} "
                    f"maps, not the size of the {image[0]}×{image[1]} image: a pooling (or a stride) "
                    "before it shrinks the maps; the statement asks to avoid strides and stride-2 "
                    "poolings (one pooling only, global, at the end)",
                )
        elif entree != sortie:
            shrunk = (kind, rank, entree, sortie)


# ---------------------------------------------------------------- 8. training


@pytest.mark.item("train", points=0.5)
def test_entrainer_trains_a_small_model(submission):
    assert_statement_defaults(submission, "entrainer")
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = (X[:300] / 16.0).reshape(-1, 1, 8, 8).astype(np.float32)
    y = y[:300].astype(np.int64)
    model = returned_model(
        submission, small_model.call(submission), Tensor(X), Tensor(y), epochs=5, lr=0.01, batch_size=64, seed=0
    )
    logits = as_array(model_logits.call(submission, model, Tensor(X)), "modele(X_train)")
    if logits.shape != (300, 10):
        raise CheckFailed(
            f"le modèle renvoyé par entrainer donne des logits de forme {shape_text(logits.shape)}, "
            "(300, 10) attendu : renvoyez le modèle reçu, entraîné",
            f"the model returned by entrainer gives logits of shape {shape_text(logits.shape)}, "
            "(300, 10) expected: return the model you received, trained",
        )
    accuracy = float((logits.argmax(axis=1) == y).mean())
    if accuracy < 0.5:
        raise CheckFailed(
            f"après entrainer(modèle linéaire, 300 chiffres, epochs=5), la précision "
            f"d'entraînement vaut {accuracy:.2f} (au moins 0.5 attendu) : vérifiez zero_grad, "
            "backward et step à chaque mini-lot, que y_train[lot] correspond à X_train[lot], et "
            "que le modèle reçoit les exemples X_train[lot] tels quels (sans translation ni autre "
            "transformation : l'énoncé demande de ne pas augmenter les données)",
            f"after entrainer(linear model, 300 digits, epochs=5), the training accuracy is "
            f"{accuracy:.2f} (at least 0.5 expected): check zero_grad, backward and step on "
            "every mini-batch, that y_train[batch] matches X_train[batch], and that the model "
            "receives the examples X_train[batch] as they are (no translation nor other "
            "transformation: the statement asks not to augment the data)",
        )
