"""Vérifications publiques du TP10 : formes, comportement de base, petits exemples fixés.

These checks are shipped to students. The attribution methods are checked on a fixed
*linear* model y = W·(g ⊙ x) + b (its "feature maps" are g ⊙ x), where every expected
value has a closed form: ∂y_c/∂x = g ⊙ W_c, so the saliency is |g ⊙ W_c|, integrated
gradients are (x − x') ⊙ g ⊙ W_c for every m, and the occlusion drop of a window is the
sum of g ⊙ W_c ⊙ (x − valeur) over it. The hidden checks test the same items on the
grader's own CNNs, with references computed in float64.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import (
    CheckFailed,
    Handle,
    StudentError,
    Tensor,
    as_array,
    as_float,
    assert_close,
    assert_signature_defaults,
    record_margin,
)

from .helpers import (
    GRAD_CAM_CAUSE,
    SIGNED_INPUT_HINT,
    SPEARMAN_CLOSE,
    SPEARMAN_PRECISION_HINT,
    SPEARMAN_TOL,
    as_map_like,
    build_model,
    call_explained,
    model_weights,
    spearman_guarded,
)

# The fixed linear model: 2 channels, 3×4 images, 3 classes; weights with two decimals.
_C, _H, _W, _K = 2, 3, 4, 3
_GAIN = np.array([1.5, -0.5])
_FC_W = np.round(np.random.default_rng(17).normal(size=(_K, _C * _H * _W)), 2)
_FC_B = np.array([0.1, -0.2, 0.3])
_X = np.round(np.random.default_rng(11).uniform(0.0, 1.0, size=(_C, _H, _W)), 2)
_X_REF = np.round(np.random.default_rng(12).uniform(0.0, 0.5, size=(_C, _H, _W)), 2)
_CLASSE = 1
_WHAT = "le modèle linéaire y = W·(g ⊙ x) + b des vérifications publiques (C=2, H=3, W=4, classe 1)"


def _linear_model(submission) -> Handle:
    poids = {
        "gain": Tensor(_GAIN.reshape(_C, 1, 1).astype(np.float32)),
        "fc.weight": Tensor(_FC_W.astype(np.float32)),
        "fc.bias": Tensor(_FC_B.astype(np.float32)),
    }
    return build_model.call(submission, "lineaire", [_C, _H, _W, _K], poids)


def _grad(classe: int = _CLASSE) -> np.ndarray:
    """∂y_c/∂x of the linear model, exactly (c = `classe`)."""
    return _GAIN.reshape(_C, 1, 1) * _FC_W[classe].reshape(_C, _H, _W)


_OTHER_CLASSES = [k for k in range(_K) if k != _CLASSE]
_CLASS_HINT = (
    "vous expliquez une autre classe que c : utilisez la classe c reçue en argument, pas la "
    "classe prédite (argmax)",
    "you explain another class than c: use the class c given as an argument, not the "
    "predicted class (argmax)",
)


def _scaled_by(got: np.ndarray, expected: np.ndarray) -> float | None:
    """The factor a > 0 (1.0 when within 1e-4 of it) such that got = a · expected, or None."""
    got = np.asarray(got, dtype=np.float64)
    if got.shape != expected.shape or not np.any(expected) or not np.all(np.isfinite(got)):
        return None
    a = float((got * expected).sum() / (expected * expected).sum())
    if a <= 0 or not np.allclose(got, a * expected, rtol=1e-4, atol=1e-5 * a):
        return None
    return 1.0 if abs(a - 1.0) < 1e-4 else a


def _x32(a: np.ndarray) -> np.ndarray:
    return a.astype(np.float32).astype(np.float64)


# ---------------------------------------------------------------- 1. saliency


# A single-channel linear model (C = 1, the notebook's digits have one channel), and an image
# with negative pixels (a standardised image): the map keeps the channel axis, and gradient ×
# input uses x as it is, signed.
_GAIN_1 = np.array([-0.5])
_FC_W_1 = _FC_W[:, : _H * _W]
_X_1 = _X[:1]
_X_SIGNED = np.round(_X - 0.5, 2)
_WHAT_1 = "un modèle linéaire à un seul canal (C=1, H=3, W=4, classe 1)"
_WHAT_SIGNED = f"une image aux pixels négatifs (standardisée) et {_WHAT}"


def _linear_model_1(submission) -> Handle:
    poids = {
        "gain": Tensor(_GAIN_1.reshape(1, 1, 1).astype(np.float32)),
        "fc.weight": Tensor(_FC_W_1.astype(np.float32)),
        "fc.bias": Tensor(_FC_B.astype(np.float32)),
    }
    return build_model.call(submission, "lineaire", [1, _H, _W, _K], poids)


def _saillance_cases(submission):
    """(model, image, ∂y_c/∂x, other classes' gradients, what, functions to call) per case."""
    model = _linear_model(submission)
    yield model, _X, _grad(), [_grad(k) for k in _OTHER_CLASSES], _WHAT, ("saillance", "gradient_x_entree")
    yield model, _X_SIGNED, _grad(), [], _WHAT_SIGNED, ("gradient_x_entree",)
    grad_1 = _GAIN_1.reshape(1, 1, 1) * _FC_W_1[_CLASSE].reshape(1, _H, _W)
    yield _linear_model_1(submission), _X_1, grad_1, [], _WHAT_1, ("saillance", "gradient_x_entree")


@pytest.mark.item("saillance", points=1)
def test_saillance_linear_model(submission):
    for model, image, g, others, what, functions in _saillance_cases(submission):
        x = _x32(image)
        if "saillance" in functions:
            name = f"saillance sur {what}"
            got = as_map_like(
                call_explained(submission, "saillance", model, Tensor(image.astype(np.float32)), _CLASSE),
                name, image.shape)
            hint_fr, hint_en = "|∂y_c/∂x|, composante par composante", "|∂y_c/∂x|, entry by entry"
            if np.allclose(got, g, atol=1e-4) and not np.allclose(g, np.abs(g)):
                hint_fr = "il manque la valeur absolue : la saillance est |∂y_c/∂x|"
                hint_en = "the absolute value is missing: the saliency is |∂y_c/∂x|"
            elif any(np.allclose(got, np.abs(o), atol=1e-4) for o in others):
                hint_fr, hint_en = _CLASS_HINT
            elif _scaled_by(got, np.abs(g)) not in (None, 1.0):
                hint_fr = ("votre carte est |∂y_c/∂x| multipliée par un facteur : ne normalisez pas "
                           "la saillance (pas de division par son maximum, sa somme ou sa norme)")
                hint_en = ("your map is |∂y_c/∂x| times a factor: do not normalise the saliency (no "
                           "division by its maximum, its sum or its norm)")
            assert_close(got, np.abs(g), name=name, rtol=1e-4, atol=1e-5,
                         hint_fr=hint_fr, hint_en=hint_en)

        name = f"gradient_x_entree sur {what}"
        got = as_map_like(
            call_explained(submission, "gradient_x_entree", model, Tensor(image.astype(np.float32)), _CLASSE),
            name, image.shape)
        hint_fr, hint_en = "x ⊙ ∂y_c/∂x, signé", "x ⊙ ∂y_c/∂x, signed"
        if np.allclose(got, np.abs(x * g), atol=1e-4):
            hint_fr = "gardez le signe : le gradient × entrée est x ⊙ ∂y_c/∂x, sans valeur absolue"
            hint_en = "keep the sign: gradient × input is x ⊙ ∂y_c/∂x, without absolute value"
        elif np.allclose(got, np.abs(x) * g, atol=1e-4) and not np.allclose(x, np.abs(x)):
            hint_fr, hint_en = SIGNED_INPUT_HINT
        elif np.allclose(got, g, atol=1e-4):
            hint_fr, hint_en = "multipliez le gradient par x", "multiply the gradient by x"
        assert_close(got, x * g, name=name, rtol=1e-4, atol=1e-5, hint_fr=hint_fr, hint_en=hint_en)


# ---------------------------------------------------------------- 2. integrated gradients


@pytest.mark.item("gradients_integres", points=1)
def test_gradients_integres_linear_model(submission):
    """For a linear model the gradient is constant: IG = (x − x') ⊙ ∂y_c/∂x for every m."""
    model = _linear_model(submission)
    g, x, x_ref = _grad(), _x32(_X), _x32(_X_REF)
    for ref, m in ((None, 10), (_X_REF, 7)):
        what = f"gradients_integres(reference={'None' if ref is None else 'x_ref'}, m={m}) sur {_WHAT}"
        # The reference goes positionally: the kernel-side agent does not decode arrays passed
        # as keyword arguments (they would arrive as the raw JSON placeholder).
        args = [model, Tensor(_X.astype(np.float32)), _CLASSE]
        if ref is None:
            got = call_explained(submission, "gradients_integres", *args, m=m)
        else:
            got = call_explained(submission, "gradients_integres", *args, Tensor(ref.astype(np.float32)), m)
        got = as_array(got, what, shape=(_C, _H, _W))
        base = np.zeros_like(x) if ref is None else x_ref
        hint_fr = "pour un modèle linéaire, IG = (x − x') ⊙ ∂y_c/∂x exactement, quel que soit m"
        hint_en = "for a linear model, IG = (x − x') ⊙ ∂y_c/∂x exactly, whatever m"
        if np.allclose(got, g, atol=1e-4):
            hint_fr = ("il manque le facteur (x − x') : la moyenne des gradients le long du chemin "
                       "doit être multipliée par (x − reference)")
            hint_en = ("the factor (x − x') is missing: the mean of the gradients along the path "
                       "must be multiplied by (x − reference)")
        elif np.allclose(got, m * (x - base) * g, atol=1e-3):
            hint_fr = "divisez la somme des gradients par m (c'est une moyenne)"
            hint_en = "divide the sum of the gradients by m (it is a mean)"
        elif any(np.allclose(got, (x - base) * _grad(k), atol=1e-4) for k in _OTHER_CLASSES):
            hint_fr, hint_en = _CLASS_HINT
        elif ref is not None and np.allclose(got, x * g, atol=1e-4):
            hint_fr = ("le facteur est (x − reference), pas x (la référence est ignorée, au moins dans "
                       "le facteur) ; le chemin va de reference à x")
            hint_en = ("the factor is (x − reference), not x (the reference is ignored, in the factor at "
                       "least); the path goes from reference to x")
        assert_close(got, (x - base) * g, name=what, rtol=1e-4, atol=1e-5, hint_fr=hint_fr, hint_en=hint_en)
    # The notebook calls gradients_integres(modele, x, c) (the Grad-CAM demo): the statement's
    # defaults are part of the answer.
    assert_signature_defaults(submission, "gradients_integres", {"reference": None, "m": 50})


# ---------------------------------------------------------------- 3. occlusion


def _occlusion_linear(fenetre: int, pas: int, valeur: float, sign: float = 1.0) -> np.ndarray:
    g, x = _grad(), _x32(_X)
    total, count = np.zeros((_H, _W)), np.zeros((_H, _W))
    for i in range(0, _H - fenetre + 1, pas):
        for j in range(0, _W - fenetre + 1, pas):
            window = (slice(None), slice(i, i + fenetre), slice(j, j + fenetre))
            drop = float(np.sum(g[window] * (x[window] - valeur)))
            total[i : i + fenetre, j : j + fenetre] += sign * drop
            count[i : i + fenetre, j : j + fenetre] += 1
    return total / np.maximum(count, 1)


@pytest.mark.item("occlusion", points=1)
def test_occlusion_linear_model(submission):
    model = _linear_model(submission)
    for fenetre, pas, valeur in ((2, 1, 0.0), (2, 2, 0.5)):
        what = f"carte_occlusion(fenetre={fenetre}, pas={pas}, valeur={valeur}) sur {_WHAT}"
        got = as_array(
            call_explained(submission, "carte_occlusion", model, Tensor(_X.astype(np.float32)), _CLASSE,
                            fenetre, pas, valeur),
            what,
            shape=(_H, _W),
        )
        want = _occlusion_linear(fenetre, pas, valeur)
        hint_fr = ("chaque pixel reçoit la moyenne de y_c(x) − y_c(x occulté) sur les fenêtres qui le "
                   "couvrent ; pour ce modèle linéaire, la baisse d'une fenêtre est la somme de "
                   "g ⊙ W_c ⊙ (x − valeur) sur la fenêtre")
        hint_en = ("each pixel gets the mean of y_c(x) − y_c(occluded x) over the windows covering it; "
                   "for this linear model, a window's drop is the sum of g ⊙ W_c ⊙ (x − valeur) over it")
        if np.allclose(got, -want, atol=1e-4):
            hint_fr = ("signe inversé : la carte vaut y_c(x) − y_c(x occulté), positive quand cacher "
                       "la fenêtre fait baisser le score")
            hint_en = ("inverted sign: the map is y_c(x) − y_c(occluded x), positive when hiding the "
                       "window lowers the score")
        assert_close(got, want, name=what, rtol=1e-4, atol=1e-5, hint_fr=hint_fr, hint_en=hint_en)
    # The notebook calls carte_occlusion(modele, x, c) (the Grad-CAM demo): the statement's
    # defaults are part of the answer.
    assert_signature_defaults(submission, "carte_occlusion", {"fenetre": 2, "pas": 1, "valeur": 0.0})


# ---------------------------------------------------------------- 4. Grad-CAM


@pytest.mark.item("grad_cam", points=0.5)
def test_grad_cam_linear_model(submission):
    """Feature maps A = g ⊙ x, ∂y_c/∂A = W_c: α_k = mean of W_c over channel k."""
    model = _linear_model(submission)
    A = _GAIN.reshape(_C, 1, 1) * _x32(_X)
    alpha = _FC_W[_CLASSE].reshape(_C, _H, _W).mean(axis=(1, 2))
    pre = (alpha.reshape(_C, 1, 1) * A).sum(axis=0)
    assert pre.min() < 0 < pre.max()  # the ReLU matters on this example
    what = f"grad_cam sur {_WHAT}"
    got = as_array(call_explained(submission, "grad_cam", model, Tensor(_X.astype(np.float32)),
                                  _CLASSE, cause=GRAD_CAM_CAUSE), what,
                   shape=(_H, _W))
    hint_fr = "ReLU(Σ_k α_k A_k) avec α_k la moyenne spatiale de ∂y_c/∂A_k"
    hint_en = "ReLU(Σ_k α_k A_k) with α_k the spatial mean of ∂y_c/∂A_k"
    others = [np.maximum((_FC_W[k].reshape(_C, _H, _W).mean(axis=(1, 2)).reshape(_C, 1, 1) * A).sum(axis=0), 0.0)
              for k in _OTHER_CLASSES]
    # "Another class" only where that class's map is not all zeros: any map of zeros matches
    # a class whose Σ_k α_k A_k is negative everywhere (blind round 14: a ReLU on the α_k).
    if any(np.abs(o).max() > 1e-3 and np.allclose(got, o, atol=1e-4) for o in others):
        hint_fr, hint_en = _CLASS_HINT
    elif np.abs(got).max() <= 1e-6:
        hint_fr = ("votre carte est nulle partout, alors qu'ici Σ_k α_k A_k a des valeurs positives : "
                   "la ReLU ne s'applique qu'à la somme finale (pas aux poids α_k), et α_k est la "
                   "moyenne spatiale de ∂y_c/∂A_k")
        hint_en = ("your map is zero everywhere, while here Σ_k α_k A_k has positive values: the "
                   "ReLU applies only to the final sum (not to the weights α_k), and α_k is the "
                   "spatial mean of ∂y_c/∂A_k")
    elif any(np.allclose(got, np.maximum(pre, 0.0) * f, atol=1e-4) for f in (_H / _W, _W / _H)):
        # α_k = Σ ∂y_c/∂A_k divided by w² or h² (square maps assumed; blind round 22).
        hint_fr = ("α_k est la moyenne de ∂y_c/∂A_k sur les h·w positions de la carte : ici h ≠ w "
                   "(3 × 4), divisez la somme par h·w (g.mean(dim=(2, 3))), pas par w² ni h²")
        hint_en = ("α_k is the mean of ∂y_c/∂A_k over the h·w positions of the map: here h ≠ w "
                   "(3 × 4), divide the sum by h·w (g.mean(dim=(2, 3))), not by w² nor h²")
    elif np.allclose(got, pre, atol=1e-4):
        hint_fr = ("il manque la ReLU finale : Grad-CAM ne garde que la partie positive de Σ_k α_k A_k "
                   "(vos valeurs négatives viennent des régions qui plaident contre la classe c)")
        hint_en = ("the final ReLU is missing: Grad-CAM keeps only the positive part of Σ_k α_k A_k "
                   "(your negative values come from regions that argue against class c)")
    assert_close(got, np.maximum(pre, 0.0), name=what, rtol=1e-4, atol=1e-5,
                 hint_fr=hint_fr, hint_en=hint_en)


# ---------------------------------------------------------------- 5. Spearman

# Values with ties in both arrays; scipy.stats.spearmanr(a.ravel(), b.ravel()) gives
# 0.0726049673661619 (ranks of a: 5.5 2.5 7 2.5 9 12 / 4 11 9 5.5 9 1).
_SP_A = np.array([[3.0, 1.0, 4.0, 1.0, 5.0, 9.0], [2.0, 6.0, 5.0, 3.0, 5.0, 0.0]])
_SP_B = np.array([[2.0, 7.0, 1.0, 8.0, 2.0, 8.0], [1.0, 8.0, 2.0, 8.0, 4.0, 5.0]])
_SP_WANT = 0.0726049673661619


@pytest.mark.item("spearman", points=0.5)
def test_spearman_example_with_ties(submission):
    what = "spearman(a, b) sur deux tableaux (2, 6) avec des ex æquo"
    value = as_float(spearman_guarded(submission, _SP_A, _SP_B), what)
    record_margin("|spearman − scipy|", abs(value - _SP_WANT), SPEARMAN_TOL, higher_is_better=False)
    if abs(value - _SP_WANT) <= SPEARMAN_TOL:
        return
    a, b = _SP_A.ravel(), _SP_B.ravel()
    hint = (
        "corrélation de Pearson des rangs, les ex æquo recevant le rang moyen",
        "Pearson correlation of the ranks, ties getting their mean rank",
    )
    ordinal = [np.argsort(np.argsort(v, kind="stable"), kind="stable") for v in (a, b)]
    if abs(value - float(np.corrcoef(a, b)[0, 1])) < 1e-9:
        hint = (
            "c'est la corrélation de Pearson des valeurs : Spearman est la corrélation de Pearson "
            "des RANGS",
            "that is the Pearson correlation of the values: Spearman is the Pearson correlation "
            "of the RANKS",
        )
    elif abs(value - float(np.corrcoef(*ordinal)[0, 1])) < 1e-9:
        hint = (
            "les ex æquo doivent recevoir le rang moyen des positions qu'ils occupent "
            "([5, 1, 5, 2] a les rangs [3.5, 1, 3.5, 2]), pas des rangs distincts",
            "ties must get the mean rank of the positions they occupy ([5, 1, 5, 2] has the "
            "ranks [3.5, 1, 3.5, 2]), not distinct ranks",
        )
    elif abs(value - _SP_WANT) < SPEARMAN_CLOSE:
        hint = SPEARMAN_PRECISION_HINT
    raise CheckFailed(
        f"{what} = {value:.10g}, attendu {_SP_WANT:.10g} (scipy.stats.spearmanr) ; {hint[0]}",
        f"spearman(a, b) on two (2, 6) arrays with ties = {value:.10g}, expected "
        f"{_SP_WANT:.10g} (scipy.stats.spearmanr); {hint[1]}",
    )


# ---------------------------------------------------------------- 6. randomisation

_SMALL_CNN = [1, 3, 4, 6, 5, 6, 6]  # canaux, k1, k2, cache, classes, H, W


def _small_cnn_weights() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    shapes = {
        "conv1.weight": (3, 1, 3, 3), "conv1.bias": (3,),
        "conv2.weight": (4, 3, 3, 3), "conv2.bias": (4,),
        "fc1.weight": (6, 36), "fc1.bias": (6,),
        "fc2.weight": (5, 6), "fc2.bias": (5,),
    }
    return {k: rng.normal(0.0, 0.5, size=s).astype(np.float32) for k, s in shapes.items()}


@pytest.mark.item("randomisation", points=0.5)
def test_randomiser_couches_top_two(submission):
    weights = _small_cnn_weights()
    model = build_model.call(submission, "cnn", _SMALL_CNN, {k: Tensor(v) for k, v in weights.items()})
    what = 'randomiser_couches(modele, ["fc2", "fc1"], seed=0)'
    out = call_explained(submission, "randomiser_couches", model, ["fc2", "fc1"], 0)
    try:
        new = model_weights.call(submission, out)
    except StudentError as exc:
        if "TP10_PAS_MODULE" in exc.evalue:
            raise CheckFailed(f"{what} doit renvoyer un nn.Module (une copie du modèle)",
                              f"{what} must return an nn.Module (a copy of the model)") from None
        raise
    old = model_weights.call(submission, model)
    for name, w in weights.items():
        if not np.array_equal(as_array(old[name], name), w.astype(np.float64)):
            raise CheckFailed(
                f"{what} modifie le modèle d'origine ({name} a changé) : travaillez sur une copie "
                "(copy.deepcopy(modele))",
                f"{what} modifies the original model ({name} changed): work on a copy "
                "(copy.deepcopy(modele))",
            )
    for name, w in weights.items():
        got = as_array(new.get(name), f"{what} : {name}", shape=w.shape)
        layer = name.split(".")[0]
        if layer in ("fc2", "fc1") and np.mean(got == w) > 0.5:
            raise CheckFailed(
                f"{what} : {name} n'a pas été réinitialisé ; les couches nommées dans noms doivent "
                "toutes être retirées au hasard (reset_parameters())",
                f"{what}: {name} was not re-initialised; the layers named in noms must all be "
                "re-drawn at random (reset_parameters())",
            )
        if layer not in ("fc2", "fc1") and not np.array_equal(got, w.astype(np.float64)):
            raise CheckFailed(
                f"{what} : {name} a changé alors que {layer} n'est pas dans noms ; seules les couches "
                "nommées (ici fc2 et fc1, les deux du haut) sont réinitialisées",
                f"{what}: {name} changed although {layer} is not in noms; only the named layers "
                "(here fc2 and fc1, the top two) are re-initialised",
            )
