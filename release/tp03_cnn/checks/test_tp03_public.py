"""Vérifications publiques du TP03 : formes, comportement de base, valeurs en des points fixés.

These checks are shipped to students: every expected value here is either in the course
(207 937 and 42 949 935 105 parameters, the 9×9 examples) or a small fixed example they
can redo by hand or with PyTorch. The hidden checks test the same items on grader-chosen
random inputs.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.checks import (
    TORCH_CONVOLUTIONS,
    CheckFailed,
    as_array,
    as_float,
    as_int,
    assert_close,
)
from autograder.proxy import Handle, Ref, StudentError, Tensor

# PyTorch's own convolution and pooling, switched off in the kernel while the checks call
# `conv2d` and `max_pool2d`, so that they are really written by hand.
GUARD = TORCH_CONVOLUTIONS  # autograder.checks.guards: the same guard in every check file of the TP

MODEL_SRC = """
def _tp03_graine(graine):
    import torch
    torch.manual_seed(int(graine))


def _tp03_inspecter(modele):
    import torch
    if not isinstance(modele, torch.nn.Module):
        return {"module": False, "type": type(modele).__name__}
    return {
        "module": True,
        "type": type(modele).__name__,
        "n_params": int(sum(p.numel() for p in modele.parameters() if p.requires_grad)),
        "n_conv": int(sum(isinstance(m, torch.nn.Conv2d) for m in modele.modules())),
    }


def _tp03_plans_conv(modele, X):
    # Height and width of every nn.Conv2d's input and output on one forward pass.
    import torch
    vus = []
    crochets = [
        m.register_forward_hook(
            lambda m, entree, sortie: vus.append(
                [list(entree[0].shape[-2:]), list(sortie.shape[-2:])]
            )
        )
        for m in modele.modules()
        if isinstance(m, torch.nn.Conv2d)
    ]
    try:
        modele.eval()
        with torch.no_grad():
            modele(X)
    finally:
        for c in crochets:
            c.remove()
    return [[[int(v) for v in a], [int(v) for v in b]] for a, b in vus]


def _tp03_logits(modele, X):
    import torch
    modele.eval()
    with torch.no_grad():
        return modele(X)
"""

SMALL_MODEL_SRC = """
import torch as _tp03_torch
_tp03_torch.manual_seed(0)
_tp03_petit_modele = _tp03_torch.nn.Sequential(
    _tp03_torch.nn.Flatten(), _tp03_torch.nn.Linear(64, 10)
)
"""

# Fixed functions for the equivariance measure: an equivariant convolution ('same'
# padding) and a position-dependent gain, which is not equivariant.
EQUIV_SRC = """
import torch as _tp03_torch
import torch.nn.functional as _tp03_F
_tp03_noyau_public = _tp03_torch.tensor(
    [[[[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]],
     [[[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]]]],
    dtype=_tp03_torch.float64,
)


def _tp03_conv_same(z):
    return _tp03_F.conv2d(z, _tp03_noyau_public.to(z.dtype), padding=1)


def _tp03_rampe(z):
    H, W = z.shape[-2], z.shape[-1]
    return z * (_tp03_torch.arange(H * W, dtype=z.dtype).reshape(H, W) / (H * W))
"""


_SHAPE_HINTS = {
    "conv2d": (
        "vérifiez les formes : x (N, C_in, H, W), w (C_out, C_in, k_y, k_x), et la fenêtre "
        "x̃[:, :, i·s : i·s + k_y, j·s : j·s + k_x] (i pour les lignes, j pour les colonnes)",
        "check the shapes: x (N, C_in, H, W), w (C_out, C_in, k_y, k_x), and the window "
        "x̃[:, :, i·s : i·s + k_y, j·s : j·s + k_x] (i for rows, j for columns)",
    ),
    "max_pool2d": (
        "vérifiez les formes : x (N, C, H, W) et la fenêtre x̃[:, :, i·s : i·s + k, j·s : j·s + k]",
        "check the shapes: x (N, C, H, W) and the window x̃[:, :, i·s : i·s + k, j·s : j·s + k]",
    ),
}


def _guarded(submission, name: str, *args, **kwargs):
    """Call a student function through the guard; messages name the student's function."""
    try:
        return GUARD.call(submission, name, *args, **kwargs)
    except StudentError as exc:
        if exc.ename == "NotImplementedError":
            raise CheckFailed(
                f"`{name}` n'est pas encore implémentée (NotImplementedError) : complétez la cellule réponse",
                f"`{name}` is not implemented yet (NotImplementedError): fill in the answer cell",
            ) from None
        if exc.ename == "NameError" and exc.evalue == name:
            raise CheckFailed(
                f"`{name}` n'est pas défini dans votre notebook : exécutez/complétez la cellule qui le définit",
                f"`{name}` is not defined in your notebook: complete the cell that defines it",
            ) from None
        fr, en = (
            f"`{name}` a levé {exc.ename} : {exc.evalue}",
            f"`{name}` raised {exc.ename}: {exc.evalue}",
        )
        if name in _SHAPE_HINTS and exc.ename in (
            "RuntimeError",
            "IndexError",
            "ValueError",
            "TypeError",
        ):
            fr, en = f"{fr} ; {_SHAPE_HINTS[name][0]}", f"{en}; {_SHAPE_HINTS[name][1]}"
        raise CheckFailed(fr, en) from None


def _shape_text(a: np.ndarray) -> str:
    return "(" + ", ".join(str(d) for d in a.shape) + ")"


# The statement's signatures ("ne changez pas leurs paramètres"): the notebook and the
# grader leave some arguments to these defaults, so a changed default is a changed answer.
STATEMENT_DEFAULTS: dict[str, dict[str, object]] = {
    "taille_sortie": {"p": 0, "s": 1},
    "conv2d": {"b": None, "stride": 1, "padding": 0},
    "max_pool2d": {"stride": None, "padding": 0},
    "entrainer": {"epochs": 15, "lr": 0.01, "batch_size": 64, "seed": 0},
}

# Each parameter's default as plain data (a number, None, "<required>", or a short repr).
SIGNATURE_SRC = """
def _tp03_defaults(name):
    import inspect
    import math

    if name not in globals():
        return None  # not defined: the calls themselves say so, naming the function
    try:
        params = inspect.signature(globals()[name]).parameters.values()
    except (TypeError, ValueError):
        return None
    out = {}
    for p in params:
        v = p.default
        if v is inspect.Parameter.empty:
            v = "<required>"
        elif v is None or (type(v) is float and math.isfinite(v)) or (type(v) is int and abs(v) <= 2**53):
            pass
        else:
            v = repr(v)[:40]
        out[str(p.name)] = v
    return out
"""


def assert_statement_defaults(submission, name: str) -> None:
    """Fail when a default value of `name`'s signature differs from the statement's."""
    import math

    got = submission.call(submission.define("_tp03_defaults", SIGNATURE_SRC).name, name)
    if not isinstance(got, dict):
        return  # no signature to read: the calls themselves will say what is wrong
    for param, expected in STATEMENT_DEFAULTS[name].items():
        if param not in got:
            raise CheckFailed(
                f"le paramètre {param} a disparu de la signature de {name} : gardez la "
                "signature donnée dans l'énoncé (la correction passe ses arguments par leur nom)",
                f"the parameter {param} is missing from the signature of {name}: keep the "
                "signature given in the statement (the grader passes arguments by name)",
            )
        value = got[param]
        same = value is None if expected is None else (
            isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < 1e300
            and math.isclose(value, float(expected), rel_tol=1e-9, abs_tol=0.0)
        )
        if not same:
            shown = "sans valeur par défaut" if isinstance(value, str) and value == "<required>" else f"{param}={value}"
            raise CheckFailed(
                f"la signature de {name} a changé ({shown}) : {param} n'a plus la valeur par "
                "défaut de l'énoncé ; ne changez pas les paramètres, le notebook et la correction "
                "comptent sur leurs valeurs par défaut",
                f"the signature of {name} changed ({shown}): {param} no longer has the "
                "statement's default value; do not change the parameters, the notebook and the "
                "grader rely on their defaults",
            )


# ---------------------------------------------------------------- 1. MLP on an image


@pytest.mark.item("mlp_params")
@pytest.mark.points(0.5)
def test_nb_params_mlp_course_numbers(submission):
    for (h, w), expected in (((24, 24), 207937), ((512, 512), 42949935105)):
        got = as_int(submission.call("nb_params_mlp_image", h, w), f"nb_params_mlp_image({h}, {w})")
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


@pytest.mark.item("output_size")
@pytest.mark.points(0.5)
def test_taille_sortie_course_examples(submission):
    assert_statement_defaults(submission, "taille_sortie")
    cases = [
        ((9, 3, 1, 1), 9, "image 9×9, noyau 3, padding 1 (exemple du cours)"),
        ((9, 3, 0, 2), 4, "image 9×9, noyau 3, stride 2 (exemple du cours)"),
        ((10, 3, 0, 2), 4, "largeur 10, noyau 3, stride 2 : (10 − 3)/2 = 3,5"),
    ]
    for (w_in, k, p, s), expected, what in cases:
        call = f"taille_sortie({w_in}, {k}, p={p}, s={s})"
        got = as_int(submission.call("taille_sortie", w_in, k, p=p, s=s), call)
        if got != expected:
            raise CheckFailed(
                f"{call} ({what}) : obtenu {got}, attendu {expected} ; "
                "W_out = ⌊(W_in − k + 2p) / s⌋ + 1, avec une division entière (//)",
                f"{call}: got {got}, expected {expected}; "
                "W_out = ⌊(W_in − k + 2p) / s⌋ + 1, with an integer division (//)",
            )


# ---------------------------------------------------------------- 3. conv2d


def _conv_hint(x, w, b, stride, padding, got) -> tuple[str, str]:
    """Name the classic mistakes by recomputing them."""
    xt, wt = torch.tensor(x), torch.tensor(w)
    bt = None if b is None else torch.tensor(b)
    candidates = [
        (
            F.conv2d(xt, wt.flip(-1, -2), bt, stride=stride, padding=padding),
            "vous retournez le noyau (convolution du traitement du signal) : PyTorch calcule "
            "une corrélation croisée, w[f, c, u, v] · x̃[n, c, i·s + u, j·s + v], sans retournement",
            "you flip the kernel (signal-processing convolution): PyTorch computes a "
            "cross-correlation, w[f, c, u, v] · x̃[n, c, i·s + u, j·s + v], without flipping",
        ),
    ]
    if bt is not None:
        candidates.append(
            (
                F.conv2d(xt, wt, None, stride=stride, padding=padding),
                "le biais b manque : ajoutez b[f] à toute la sortie du filtre f",
                "the bias b is missing: add b[f] to the whole output of filter f",
            )
        )
    for ref, fr, en in candidates:
        if got.shape == tuple(ref.shape) and np.allclose(got, ref.numpy(), rtol=1e-5, atol=1e-7):
            return fr, en
    return (
        "y[n, f, i, j] = b[f] + Σ_c Σ_u Σ_v w[f, c, u, v] · x̃[n, c, i·s + u, j·s + v]",
        "y[n, f, i, j] = b[f] + Σ_c Σ_u Σ_v w[f, c, u, v] · x̃[n, c, i·s + u, j·s + v]",
    )


def _check_conv(submission, x, w, b, stride, padding, what):
    args = [Tensor(x), Tensor(w)] + ([Tensor(b)] if b is not None else [])
    got = as_array(
        _guarded(submission, "conv2d", *args, stride=stride, padding=padding), f"conv2d {what}"
    )
    ref = F.conv2d(
        torch.tensor(x),
        torch.tensor(w),
        None if b is None else torch.tensor(b),
        stride=stride,
        padding=padding,
    ).numpy()
    if got.shape != ref.shape:
        raise CheckFailed(
            f"conv2d {what} : forme attendue {_shape_text(ref)}, obtenue {_shape_text(got)} ; "
            "(N, C_out, H_out, W_out) avec H_out = ⌊(H − k_y + 2p)/s⌋ + 1 : le padding ajoute p "
            "zéros de chaque côté et la fenêtre avance de s pixels",
            f"conv2d {what}: expected shape {_shape_text(ref)}, got {_shape_text(got)}; "
            "(N, C_out, H_out, W_out) with H_out = ⌊(H − k_y + 2p)/s⌋ + 1: the padding adds p "
            "zeros on each side and the window moves by s pixels",
        )
    hint_fr, hint_en = _conv_hint(x, w, b, stride, padding, got)
    assert_close(
        got,
        ref,
        name=f"conv2d {what}",
        rtol=1e-5,
        atol=1e-7,
        hint_fr=hint_fr,
        hint_en=hint_en,
    )


@pytest.mark.item("conv2d")
@pytest.mark.points(1)
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


@pytest.mark.item("max_pool")
@pytest.mark.points(0.5)
def test_max_pool_fixed_example(submission):
    assert_statement_defaults(submission, "max_pool2d")
    x = np.array(
        [[[[1.0, 1.0, 2.0, 4.0], [5.0, 6.0, 7.0, 8.0], [3.0, 2.0, 1.0, 0.0], [1.0, 2.0, 3.0, 4.0]]]]
    )
    got = as_array(_guarded(submission, "max_pool2d", Tensor(x), 2), "max_pool2d(x 4×4, k=2)")
    if got.shape != (1, 1, 2, 2):
        raise CheckFailed(
            f"max_pool2d(x (1, 1, 4, 4), k=2) : forme attendue (1, 1, 2, 2), obtenue {_shape_text(got)} ; "
            "sans stride donné, le stride vaut k (les fenêtres ne se recouvrent pas)",
            f"max_pool2d(x (1, 1, 4, 4), k=2): expected shape (1, 1, 2, 2), got {_shape_text(got)}; "
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
    ref = F.max_pool2d(torch.tensor(x), 3, stride=2, padding=1).numpy()
    got = as_array(
        _guarded(submission, "max_pool2d", Tensor(x), 3, stride=2, padding=1),
        "max_pool2d(x (2, 3, 7, 6), k=3, stride=2, padding=1)",
    )
    if got.shape != ref.shape:
        raise CheckFailed(
            f"max_pool2d(x (2, 3, 7, 6), k=3, stride=2, padding=1) : forme attendue "
            f"{_shape_text(ref)}, obtenue {_shape_text(got)}",
            f"max_pool2d(x (2, 3, 7, 6), k=3, stride=2, padding=1): expected shape "
            f"{_shape_text(ref)}, got {_shape_text(got)}",
        )
    assert_close(
        got,
        ref,
        name="max_pool2d(x (2, 3, 7, 6), k=3, stride=2, padding=1)",
        hint_fr="le padding d'un max-pooling ajoute des −∞, pas des zéros",
        hint_en="a max-pooling's padding adds −∞, not zeros",
    )


# ---------------------------------------------------------------- 5. conv layer parameters


@pytest.mark.item("conv_params")
@pytest.mark.points(0.5)
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
        got = as_int(submission.call("nb_params_conv", kx, ky, n_in, n_out), call)
        if got != expected:
            raise CheckFailed(
                f"{call} : obtenu {got}, attendu {expected} ({what}) ; chaque filtre a "
                "kx × ky × I poids et un biais",
                f"{call}: got {got}, expected {expected}; each filter has kx × ky × I weights "
                "and one bias",
            )


# ---------------------------------------------------------------- 6. equivariance


def _translate(a: np.ndarray, dy: int, dx: int) -> np.ndarray:
    H, W = a.shape[-2:]
    out = np.zeros_like(a)
    out[..., max(dy, 0) : H + min(dy, 0), max(dx, 0) : W + min(dx, 0)] = a[
        ..., max(-dy, 0) : H + min(-dy, 0), max(-dx, 0) : W + min(-dx, 0)
    ]
    return out


@pytest.mark.item("equivariance")
@pytest.mark.points(0.5)
def test_erreur_equivariance_fixed_cases(submission):
    submission.define("_tp03_conv_same", EQUIV_SRC)
    x = np.zeros((1, 1, 8, 8))
    x[0, 0, 2:6, 2:6] = np.arange(16.0).reshape(4, 4) / 16.0
    got = as_float(
        submission.call("erreur_equivariance", Ref("_tp03_conv_same"), Tensor(x), 1, 2),
        "erreur_equivariance",
    )
    if abs(got) > 1e-9:
        raise CheckFailed(
            f"erreur_equivariance(convolution, x, 1, 2) = {got:.3g} pour une convolution, "
            "équivariante, sur une image entourée de zéros : 0 attendu ; comparez f(T_d x) "
            "à T_d f(x) (translatez aussi la sortie de f(x))",
            f"erreur_equivariance(convolution, x, 1, 2) = {got:.3g} for a convolution, which "
            "is equivariant, on an image surrounded by zeros: 0 expected; compare f(T_d x) "
            "with T_d f(x) (translate f(x)'s output too)",
        )
    ramp = (np.arange(64.0).reshape(8, 8)) / 64.0
    expected = float(np.abs(_translate(x, 1, 2) * ramp - _translate(x * ramp, 1, 2)).max())
    got = as_float(
        submission.call("erreur_equivariance", Ref("_tp03_rampe"), Tensor(x), 1, 2),
        "erreur_equivariance",
    )
    assert_close(
        got,
        expected,
        name="erreur_equivariance(f = x ⊙ rampe de position, x, dy=1, dx=2)",
        rtol=1e-6,
        hint_fr="max |f(T_d x) − T_d f(x)| sur toutes les composantes, avec translater",
        hint_en="max |f(T_d x) − T_d f(x)| over every entry, with translater",
    )


# ---------------------------------------------------------------- 7. models


def _build(submission, name: str, seed: int = 0) -> tuple[Handle, dict]:
    submission.define("_tp03_graine", MODEL_SRC)
    submission.call("_tp03_graine", seed)
    model = submission.call(name)
    info = submission.call("_tp03_inspecter", model) if isinstance(model, Handle) else None
    if not isinstance(info, dict) or info.get("module") is not True:
        kind = type(model).__name__ if not isinstance(model, Handle) else model.type_name
        raise CheckFailed(
            f"{name}() doit renvoyer un nn.Module, obtenu {kind}",
            f"{name}() must return an nn.Module, got {kind}",
        )
    return model, info


@pytest.mark.item("models")
@pytest.mark.points(0.5)
def test_models_shapes_and_layers(submission):
    X = np.random.default_rng(5).uniform(0.0, 1.0, size=(5, 1, 8, 8)).astype(np.float32)
    n_conv = {}
    for name in ("creer_cnn", "creer_mlp"):
        model, info = _build(submission, name)
        n_conv[name] = as_int(info.get("n_conv"), f"{name}: n_conv")
        logits = as_array(submission.call("_tp03_logits", model, Tensor(X)), f"{name}()(x)")
        if logits.shape != (5, 10):
            raise CheckFailed(
                f"{name}() appliqué à un lot (5, 1, 8, 8) : forme attendue (5, 10), obtenue "
                f"{_shape_text(logits)} ; un logit par classe",
                f"{name}() applied to a batch (5, 1, 8, 8): expected shape (5, 10), got "
                f"{_shape_text(logits)}; one logit per class",
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
    # The statement: keep the size of the maps (odd kernel, padding k // 2, no stride).
    model, _ = _build(submission, "creer_cnn")
    plans = submission.call("_tp03_plans_conv", model, Tensor(X))
    for i, pair in enumerate(plans if isinstance(plans, list) else [], start=1):
        try:
            (h_in, w_in), (h_out, w_out) = pair
            entree, sortie = (int(h_in), int(w_in)), (int(h_out), int(w_out))
        except (TypeError, ValueError):
            continue  # not what the grader's hook returns: nothing to read
        if entree != sortie:
            raise CheckFailed(
                f"creer_cnn() : la convolution n° {i} change la taille des plans "
                f"({entree[0]}×{entree[1]} → {sortie[0]}×{sortie[1]}) ; gardez-la comme le "
                "demande l'énoncé : noyau k×k impair, padding k // 2, sans stride",
                f"creer_cnn(): convolution no. {i} changes the size of the maps "
                f"({entree[0]}×{entree[1]} → {sortie[0]}×{sortie[1]}); keep it as the "
                "statement asks: odd k×k kernel, padding k // 2, no stride",
            )


# ---------------------------------------------------------------- 8. training


@pytest.mark.item("train")
@pytest.mark.points(0.5)
def test_entrainer_trains_a_small_model(submission):
    assert_statement_defaults(submission, "entrainer")
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = (X[:300] / 16.0).reshape(-1, 1, 8, 8).astype(np.float32)
    y = y[:300].astype(np.int64)
    submission.define("_tp03_petit_modele", SMALL_MODEL_SRC)
    submission.define("_tp03_logits", MODEL_SRC)
    ref = Ref("_tp03_petit_modele")
    out = submission.call(
        "entrainer", ref, Tensor(X), Tensor(y), epochs=5, lr=0.01, batch_size=64, seed=0
    )
    if out is not None and not isinstance(out, Handle):
        raise CheckFailed(
            f"entrainer doit renvoyer le modèle entraîné, obtenu {type(out).__name__}",
            f"entrainer must return the trained model, got {type(out).__name__}",
        )
    model = out if out is not None else ref
    logits = as_array(submission.call("_tp03_logits", model, Tensor(X)), "modele(X_train)")
    if logits.shape != (300, 10):
        raise CheckFailed(
            f"le modèle renvoyé par entrainer donne des logits de forme {_shape_text(logits)}, "
            "(300, 10) attendu : renvoyez le modèle reçu, entraîné",
            f"the model returned by entrainer gives logits of shape {_shape_text(logits)}, "
            "(300, 10) expected: return the model you received, trained",
        )
    accuracy = float((logits.argmax(axis=1) == y).mean())
    if accuracy < 0.5:
        raise CheckFailed(
            f"après entrainer(modèle linéaire, 300 chiffres, epochs=5), la précision "
            f"d'entraînement vaut {accuracy:.2f} (au moins 0.5 attendu) : vérifiez zero_grad, "
            "backward et step à chaque mini-lot, et que y_train[lot] correspond à X_train[lot]",
            f"after entrainer(linear model, 300 digits, epochs=5), the training accuracy is "
            f"{accuracy:.2f} (at least 0.5 expected): check zero_grad, backward and step on "
            "every mini-batch, and that y_train[batch] matches X_train[batch]",
        )
