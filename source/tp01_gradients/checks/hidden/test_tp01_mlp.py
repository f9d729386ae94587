"""Hidden checks, part 2: the NumPy MLP (forward, loss, backward), gradient check, counts.

Shapes and values are drawn from the grader's `rng`; every reference is computed here
with torch autograd in float64. `backward` gets the grader's own cache and probabilities,
so it is graded independently of the student's `forward` and loss.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from autograder.checks import (
    SHAPE_ERRORS,
    CheckFailed,
    Partial,
    Ref,
    StudentError,
    allclose,
    arguments_after_call,
    arguments_changed,
    as_array,
    as_float,
    as_pair,
    assert_arguments_untouched,
    assert_close,
    assert_gradient_close,
    assert_param_count,
    changed_argument_names,
    count_parameters,
    hinted,
    kernel_side,
    mlp_param_count,
    param_breakdown,
    record_expected,
    record_margin,
    sizes_hidden,
    torch_grads,
)

from ..public.helpers import (
    BACKWARD_DICTS,
    GUARD,
    PRECISION_EN,
    PRECISION_FR,
    assert_close_float32_aware,
    call_hinted,
    data_globals_hint,
    missing_key_hint,
)

KEYS = ("W1", "b1", "W2", "b2")
#: Two arrays hold the same answer (a known mistake recognised, say).
SAME = {"rtol": 1e-6, "atol": 1e-10}


def _dims(rng, wide: bool = False) -> tuple[int, int, int, int]:
    """N, D, H, C all different, so that a transposed product cannot go unnoticed. `wide`:
    more than 10 classes (C from 12 to 15, N above C), drawn on purpose (blind answer: a one-hot
    np.eye(10)[y], the digits' 10 classes written in a function for any C)."""
    while True:
        n, d, h, c = (
            int(v)
            for v in (
                rng.integers(5, 13),
                rng.integers(3, 9),
                rng.integers(4, 12),
                rng.integers(2, 7),
            )
        )
        if wide:
            c = int(rng.integers(12, 16))
            n = c + int(rng.integers(2, 8))
        if len({n, d, h, c}) == 4:
            return n, d, h, c


def _mlp_case(rng, wide: bool = False):
    n, d, h, c = _dims(rng, wide)
    X = rng.normal(size=(n, d))
    y = rng.integers(0, c, size=n)
    params = {
        "W1": rng.normal(0.0, 0.8, size=(d, h)),
        "b1": rng.normal(0.0, 0.3, size=h),
        "W2": rng.normal(0.0, 0.8, size=(h, c)),
        "b2": rng.normal(0.0, 0.3, size=c),
    }
    return X, y, params


def _torch_forward(X, y, params):
    """Reference forward pass, loss and autograd gradients, all in float64."""
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    Z1 = torch.tensor(X, dtype=torch.float64) @ t["W1"] + t["b1"]
    A1 = torch.relu(Z1)
    logits = A1 @ t["W2"] + t["b2"]
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(y, dtype=torch.long))
    loss.backward()
    return {
        "Z1": Z1.detach().numpy().copy(),
        "A1": A1.detach().numpy().copy(),
        "logits": logits.detach().numpy().copy(),
        "probs": torch.softmax(logits, dim=1).detach().numpy().copy(),
        "loss": float(loss),
        "grads": {k: t[k].grad.numpy().copy() for k in KEYS},
    }


#: The grader's inputs are named, never their sizes (N, D, H, C are hidden inputs too).
_DIMS = "entrées du correcteur"


_SHAPE_HINT_FR = "avec X (N, D), W1 (D, H), W2 (H, C) : Z1 = X @ W1 + b1 et logits = A1 @ W2 + b2 (pas de transposée)"
_SHAPE_HINT_EN = (
    "with X (N, D), W1 (D, H), W2 (H, C): Z1 = X @ W1 + b1 and logits = A1 @ W2 + b2 (no transpose)"
)


# ---------------------------------------------------------------- forward


def _forward_case(rng):
    """_mlp_case with one row drawn on purpose (blind answer: A1 = np.clip(Z1, 0, 6), a ReLU6,
    right while no pre-activation passes 6): a random row scaled so that its largest
    pre-activation lies between 12 and 24 (its other entries scale with it)."""
    X, y, params = _mlp_case(rng)
    i = int(rng.integers(0, X.shape[0]))
    while float((X[i] @ params["W1"]).max()) <= 0.5:  # no unit clearly on: draw the row again
        X[i] = rng.normal(size=X.shape[1])
    # (s X[i]) W1 + b1 reaches `target` at the unit j where X[i] W1 is largest for
    # s = (target − b1[j]) / (X[i] W1)[j] > 0; the other units stay below target + 2 |b1|.
    xw = X[i] @ params["W1"]
    j = int(np.argmax(xw))
    target = float(rng.uniform(12.0, 24.0))
    X[i] = X[i] * (target - float(params["b1"][j])) / float(xw[j])
    return X, y, params


def _capped_a1(Z1: np.ndarray, A1: object) -> bool:
    """The premise of the capped-ReLU hint: the student's A1 is max(Z1, 0) capped at its own
    largest entry m, m clearly below the largest pre-activation (a ReLU6, np.clip(Z1, 0, c))."""
    try:
        a1 = as_array(A1, "A1", allow_nan=True)
    except CheckFailed:
        return False
    if a1.shape != Z1.shape or not np.all(np.isfinite(a1)):
        return False
    m = float(a1.max())
    return 0.0 < m < 0.99 * float(Z1.max()) and allclose(a1, np.clip(Z1, 0.0, m), **SAME)


_CAPPED_HINT = (
    "votre A1 est plafonnée (une ReLU bornée, ReLU6, np.clip(Z1, 0, c) ?) : ReLU(Z1) = max(Z1, 0) "
    "n'a pas de borne supérieure, et le correcteur envoie des pré-activations plus grandes que 6",
    "your A1 is capped (a bounded ReLU, ReLU6, np.clip(Z1, 0, c)?): ReLU(Z1) = max(Z1, 0) has no "
    "upper bound, and the grader sends pre-activations larger than 6",
)


def _student_forward(submission, X, params):
    out = call_hinted(submission, "forward", X, params, hint=(_SHAPE_HINT_FR, _SHAPE_HINT_EN))
    logits, cache = as_pair(out, "forward")
    return logits, cache


@pytest.mark.item("mlp_forward", points=1)
def test_forward_matches_torch(submission, rng):
    X, y, params = _forward_case(rng)
    ref = _torch_forward(X, y, params)
    dims = _DIMS
    logits, cache = _student_forward(submission, X, params)
    got = as_array(logits, f"logits ({dims})")
    if got.shape != ref["logits"].shape:
        raise CheckFailed(
            f"logits sur les entrées du correcteur : la forme n'est pas (N, C) ; {_SHAPE_HINT_FR}",
            f"logits on the grader's inputs: the shape is not (N, C); {_SHAPE_HINT_EN}",
        )
    Z1 = X @ params["W1"] + params["b1"]
    relu_xw = np.maximum(X @ params["W1"], 0)
    shifted = ref["logits"] - ref["logits"].max(axis=1, keepdims=True)
    softmax = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    # Each hint only when the student's logits are what its mistake gives (its premise).
    if allclose(got, Z1 @ params["W2"] + params["b2"], **SAME):
        hint_fr, hint_en = (
            "la ReLU manque : A1 = max(Z1, 0) avant la seconde couche",
            "the ReLU is missing: A1 = max(Z1, 0) before the second layer",
        )
    elif allclose(got, relu_xw @ params["W2"] + params["b2"], **SAME):
        hint_fr, hint_en = "le biais b1 manque dans Z1", "the bias b1 is missing from Z1"
    elif allclose(got, (relu_xw + params["b1"]) @ params["W2"] + params["b2"], **SAME):
        hint_fr, hint_en = (
            "b1 s'ajoute avant la ReLU : Z1 = X W1 + b1, puis A1 = max(Z1, 0), pas max(X W1, 0) + b1",
            "b1 is added before the ReLU: Z1 = X W1 + b1, then A1 = max(Z1, 0), not max(X W1, 0) + b1",
        )
    elif isinstance(cache, dict) and _capped_a1(Z1, cache.get("A1")) and allclose(
        got, np.clip(Z1, 0.0, float(np.max(as_array(cache["A1"], "A1")))) @ params["W2"] + params["b2"], **SAME
    ):
        hint_fr, hint_en = _CAPPED_HINT
    elif allclose(got, softmax, **SAME):
        hint_fr, hint_en = (
            "vous renvoyez des probabilités : forward renvoie les logits A1 W2 + b2 (pas de softmax "
            "dans forward, elle est dans softmax_cross_entropy)",
            "you return probabilities: forward returns the logits A1 W2 + b2 (no softmax in "
            "forward, it belongs to softmax_cross_entropy)",
        )
    else:
        hint_fr, hint_en = data_globals_hint(submission, "forward") or (
            "Z1 = X W1 + b1, A1 = ReLU(Z1), logits = A1 W2 + b2",
            "Z1 = X W1 + b1, A1 = ReLU(Z1), logits = A1 W2 + b2",
        )
    assert_close_float32_aware(logits, ref["logits"], name=f"logits ({dims})", hint_fr=hint_fr, hint_en=hint_en)
    # The statement's rule (arguments not modified): the values above cannot show it.
    assert_arguments_untouched(
        submission, "forward", (X, params), {0: "X", 1: "params"},
        hint_fr="calculez Z1 et A1 dans de nouveaux tableaux, sans écrire dans X ni dans params",
        hint_en="compute Z1 and A1 into new arrays, without writing to X or params",
    )


@pytest.mark.item("mlp_forward", points=0.5)
def test_forward_cache(submission, rng):
    X, y, params = _forward_case(rng)
    ref = _torch_forward(X, y, params)
    dims = _DIMS
    _, cache = _student_forward(submission, X, params)
    if not isinstance(cache, dict) or not {"Z1", "A1"} <= set(cache):
        keys = sorted(str(k) for k in cache) if isinstance(cache, dict) else []
        found_fr = f" (clés trouvées : {', '.join(keys[:6])})" if keys else ""
        found_en = f" (keys found: {', '.join(keys[:6])})" if keys else ""
        raise CheckFailed(
            'le cache doit être un dictionnaire {"Z1": Z1, "A1": A1}, avec exactement ces clés '
            f"(majuscules comprises) : backward lit cache[\"Z1\"] et cache[\"A1\"]{found_fr}",
            'the cache must be a dictionary {"Z1": Z1, "A1": A1}, with exactly these keys '
            f"(capitals included): backward reads cache[\"Z1\"] and cache[\"A1\"]{found_en}",
        )
    z1 = as_array(cache["Z1"], f'cache["Z1"] ({dims})')
    if allclose(z1, ref["A1"], **SAME) and not allclose(z1, ref["Z1"], **SAME):
        raise CheckFailed(
            'cache["Z1"] contient l\'activation ReLU(Z1) ; la passe arrière a besoin de la '
            "pré-activation Z1 = X W1 + b1 (pour le masque 1[Z1 > 0])",
            'cache["Z1"] holds the activation ReLU(Z1); the backward pass needs the '
            "pre-activation Z1 = X W1 + b1 (for the mask 1[Z1 > 0])",
        )
    # Float32 caches are held to float32 rounding, as the logits are (blind answer: logits
    # passed, one entry of Z1 near 0 did not at rtol 1e-5, atol 1e-8).
    assert_close_float32_aware(
        cache["Z1"],
        ref["Z1"],
        name=f'cache["Z1"] ({dims})',
        hint_fr="Z1 est la pré-activation X W1 + b1",
        hint_en="Z1 is the pre-activation X W1 + b1",
    )
    hint_fr, hint_en = (
        _CAPPED_HINT if _capped_a1(ref["Z1"], cache["A1"])
        else ("A1 = ReLU(Z1) = max(Z1, 0)", "A1 = ReLU(Z1) = max(Z1, 0)")
    )
    assert_close_float32_aware(
        cache["A1"],
        ref["A1"],
        name=f'cache["A1"] ({dims})',
        hint_fr=hint_fr,
        hint_en=hint_en,
    )


# ---------------------------------------------------------------- softmax + cross-entropy


def _ce_reference(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    t = torch.tensor(logits, dtype=torch.float64)
    loss = torch.nn.functional.cross_entropy(t, torch.tensor(y, dtype=torch.long))
    return float(loss), torch.softmax(t, dim=1).numpy().copy()


def _student_ce(submission, logits, y):
    out = call_hinted(
        submission,
        "softmax_cross_entropy",
        logits,
        y,
        hint=(
            "logits a la forme (N, C) et y la forme (N,) : P[np.arange(N), y]",
            "logits has shape (N, C) and y shape (N,): P[np.arange(N), y]",
        ),
    )
    loss, probs = as_pair(out, "softmax_cross_entropy")
    return as_float(loss, "loss", allow_nan=True), as_array(probs, "probs", allow_nan=True)


def _labels(rng, n: int, c: int, classes: int | None = None) -> np.ndarray:
    """n labels among the first `classes` of c (all c by default), each of those present."""
    k = c if classes is None else classes
    y = rng.integers(0, k, size=n)
    y[:k] = rng.permutation(k)
    return y[rng.permutation(n)]


_ABSENT_CLASS_FR = (
    "la dernière classe est absente de ce lot (le même lot avec toutes les classes donne le bon "
    "résultat) : le nombre de classes C se lit sur {shape}, pas sur y.max() + 1 ni sur np.unique(y)"
)
_ABSENT_CLASS_EN = (
    "the last class is absent from this batch (the same batch with every class gives the right "
    "result): the number of classes C is read from {shape}, not from y.max() + 1 nor np.unique(y)"
)


def _softmax_ce_ok(submission, logits, y) -> bool:
    """The student's loss and probabilities are right on this batch (no error, no nan)."""
    try:
        loss, probs = _student_ce(submission, logits, y)
    except (CheckFailed, StudentError):
        return False
    loss_ref, probs_ref = _ce_reference(logits, y)
    return (
        probs.shape == probs_ref.shape and allclose(probs, probs_ref, rtol=1e-4, atol=1e-7)
        and bool(np.isclose(loss, loss_ref, rtol=5e-2))
    )


def _check_ce_absent_class(submission, rng, c: int) -> None:
    """Drawn on purpose (blind answer): a batch without the last class. A one-hot built with
    C = y.max() + 1 has too few columns (a broadcast error, or wrong values)."""
    n = int(rng.integers(c + 1, 16))
    logits = rng.normal(0.0, 3.0, size=(n, c))
    y = _labels(rng, n, c, classes=c - 1)
    what = "(logits du correcteur, un lot où la dernière classe n'apparaît pas)"
    what_en = "(grader logits, a batch where the last class does not appear)"
    if _softmax_ce_ok(submission, logits, y):
        return
    with_all = y.copy()
    with_all[0] = c - 1
    if _softmax_ce_ok(submission, logits, with_all):
        raise CheckFailed(
            f"softmax_cross_entropy {what} : perte ou probabilités fausses ; "
            + _ABSENT_CLASS_FR.format(shape="logits.shape[1]"),
            f"softmax_cross_entropy {what_en}: wrong loss or probabilities; "
            + _ABSENT_CLASS_EN.format(shape="logits.shape[1]"),
        )
    loss_ref, probs_ref = _ce_reference(logits, y)
    loss, probs = _student_ce(submission, logits, y)
    assert_close(probs, probs_ref, name=f"probs {what}",
                 hint_fr="P[i, k] = exp(Z[i, k]) / Σ_j exp(Z[i, j]), ligne par ligne",
                 hint_en="P[i, k] = exp(Z[i, k]) / Σ_j exp(Z[i, j]), row by row")
    hint_fr, hint_en = _loss_hint(submission, loss, loss_ref, probs_ref[np.arange(n), y])
    assert_close(loss, loss_ref, name=f"loss {what}", rtol=CE_RTOL, hint_fr=hint_fr, hint_en=hint_en)


#: The loss's tolerance (test_softmax_ce_matches_torch says why).
CE_RTOL = 5e-2


_SMOOTHING_HINT = (
    "votre perte n'est pas l'entropie croisée de la cible one-hot : elle mélange à la bonne classe "
    "un peu de cible uniforme sur toutes les classes (un lissage des étiquettes, label smoothing, "
    "peut-être par un paramètre ou une constante dont la valeur par défaut l'active) ; l'énoncé "
    "demande L = −(1/N) Σ_i log P[i, y_i], sans lissage",
    "your loss is not the cross-entropy of the one-hot target: it mixes a little uniform target "
    "over every class into the right one (label smoothing, perhaps through a parameter or a "
    "constant whose default turns it on); the statement asks for L = −(1/N) Σ_i log P[i, y_i], "
    "without smoothing",
)
_LOG_OF_MEAN_HINT = (
    "votre perte est −log de la MOYENNE des probabilités P[i, y_i] : le log se prend exemple par "
    "exemple, puis on moyenne, L = −(1/N) Σ_i log P[i, y_i] ; −log de la moyenne est plus petit "
    "que la moyenne des −log (inégalité de Jensen)",
    "your loss is −log of the MEAN of the probabilities P[i, y_i]: the log is taken example by "
    "example, then averaged, L = −(1/N) Σ_i log P[i, y_i]; −log of the mean is smaller than the "
    "mean of the −log (Jensen's inequality)",
)


def _smoothed_losses(logits: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """(exact cross-entropy, −mean (1/C) Σ_k log P[i, k], −mean (1/(C−1)) Σ_{k≠y_i} log P[i, k]):
    a loss smoothed by ε is (1 − ε) CE + ε U (ε/C on every class) or (1 − ε) CE + ε V (ε/(C−1)
    on the other classes)."""
    t = torch.tensor(logits, dtype=torch.float64)
    logp = torch.log_softmax(t, dim=1).numpy()
    n, c = logp.shape
    own = logp[np.arange(n), y]
    return (float(-own.mean()), float(-logp.mean(axis=1).mean()),
            float(-((logp.sum(axis=1) - own) / max(c - 1, 1)).mean()))


def _smoothing_explains(submission, loss: float, logits: np.ndarray, y: np.ndarray, other) -> bool:
    """The premise of the smoothing hint: the loss is (1 − ε) CE + ε U (or V) for one ε in
    (1e-4, 0.5], and the student's loss on the `other` batch (logits, y) is the same mixture with
    the same ε, to 1e-6."""
    if other is None or not np.isfinite(loss):
        return False
    ce, u, v = _smoothed_losses(logits, y)
    try:
        loss_other, _ = _student_ce(submission, *other)
    except (CheckFailed, StudentError):
        return False
    ce_o, u_o, v_o = _smoothed_losses(*other)
    for mix, mix_o in ((u, u_o), (v, v_o)):
        if abs(mix - ce) < 1e-3:
            continue
        eps = (loss - ce) / (mix - ce)
        if 1e-4 <= eps <= 0.5 and np.isclose(loss_other, (1 - eps) * ce_o + eps * mix_o, rtol=1e-6, atol=1e-9):
            return True
    return False


def _loss_hint(submission, loss: float, loss_ref: float, p_label: np.ndarray,
               batch=None, other=None) -> tuple[str, str]:
    """The hint for a wrong loss whose probabilities were found right (checked before), each
    after its premise: N times the loss (a sum), −log of the mean probability, label smoothing
    (`batch` and `other`, two (logits, y) batches: the same ε on both), a guard in the log
    (_guard_explains), the notebook's data read instead of the arguments; the formula otherwise."""
    n = len(p_label)
    if np.isclose(loss, n * loss_ref, rtol=CE_RTOL):
        return (
            "votre perte vaut N fois la perte attendue : il manque le 1/N (moyenne sur le lot, pas somme)",
            "your loss is N times the expected one: the 1/N is missing (mean over the batch, not sum)",
        )
    log_of_mean = float(-np.log(np.mean(p_label)))
    if np.isclose(loss, log_of_mean, rtol=1e-6, atol=1e-9) and not np.isclose(log_of_mean, loss_ref, rtol=1e-6):
        return _LOG_OF_MEAN_HINT
    if batch is not None and _smoothing_explains(submission, loss, *batch, other):
        return _SMOOTHING_HINT
    if _guard_explains(loss, loss_ref, p_label):
        return (
            "vos probabilités sont justes, mais votre perte est plus petite que l'entropie croisée "
            "de ces logits : un terme ajouté dans le log (log(p + ε) avec un ε trop grand, ou un "
            "seuil np.clip(p, ε, 1)) diminue la perte des exemples dont la probabilité est petite ; "
            "gardez ε ≤ 1e-8, ou calculez log P = z − log Σ exp(z) sur les logits décalés z",
            "your probabilities are right, but your loss is below the cross-entropy of these "
            "logits: a term added in the log (log(p + ε) with too large an ε, or a threshold "
            "np.clip(p, ε, 1)) lowers the loss of the examples whose probability is small; keep "
            "ε ≤ 1e-8, or compute log P = z − log Σ exp(z) on the shifted logits z",
        )
    return data_globals_hint(submission, "softmax_cross_entropy") or (
        "L = −(1/N) Σ_i log P[i, y_i]", "L = −(1/N) Σ_i log P[i, y_i]",
    )


def _guard_explains(loss: float, loss_ref: float, p_label: np.ndarray) -> bool:
    """The premise of the guard hint (the probabilities right, checked before): the loss lies
    below the exact cross-entropy and no lower than a guard ε = 0.1 brings it, added in the log
    (−mean log(p + 0.1)) or as a threshold (−mean log max(p, 0.1)): a value in between is what
    some ε in (0, 0.1] gives, the loss moving continuously with ε. A sum (×N) and a log2 (×1.44)
    lie above; a log10 (×0.43) may fall in the range when tiny probabilities carry the loss: it
    is left out by its own factor."""
    if not np.isfinite(loss) or loss >= loss_ref or np.isclose(loss, loss_ref / np.log(10.0), rtol=1e-3):
        return False
    lowest = min(float(-np.mean(np.log(p_label + 0.1))), float(-np.mean(np.log(np.maximum(p_label, 0.1)))))
    return bool(loss >= lowest)


@pytest.mark.item("softmax_ce", points=1)
def test_softmax_ce_matches_torch(submission, rng):
    c = int(rng.integers(3, 8))
    n = int(rng.integers(c + 1, 16))
    logits = rng.normal(0.0, 3.0, size=(n, c))
    y = _labels(rng, n, c)
    loss_ref, probs_ref = _ce_reference(logits, y)
    loss, probs = _student_ce(submission, logits, y)
    what = "(logits du correcteur ~ 3·N(0, 1))"
    if (
        probs.shape == probs_ref.shape
        and allclose(probs.sum(axis=0), np.ones(c), **SAME)
        and not allclose(probs, probs_ref, **SAME)
    ):
        raise CheckFailed(
            f"probs {what} : ce sont les colonnes qui somment à 1 ; la softmax se fait sur "
            "chaque ligne (axis=1, keepdims=True)",
            f"probs {what}: the columns sum to 1; the softmax runs over each row "
            "(axis=1, keepdims=True)",
        )
    assert_close(
        probs,
        probs_ref,
        name=f"probs {what}",
        hint_fr="P[i, k] = exp(Z[i, k]) / Σ_j exp(Z[i, j]), ligne par ligne",
        hint_en="P[i, k] = exp(Z[i, k]) / Σ_j exp(Z[i, j]), row by row",
    )
    confident = _confident_batch(rng)
    _check_loss_band(submission, loss, logits, y, probs_ref, what, "(grader logits ~ 3·N(0, 1))",
                     other=confident)
    # A right answer that shifts the caller's logits in place (logits -= max) gives the right
    # values: the statement's rule is checked on its own.
    assert_arguments_untouched(submission, "softmax_cross_entropy", (logits, y), {0: "logits", 1: "y"}, advice={
        "logits": (
            "décalez une copie, z = logits − logits.max(axis=1, keepdims=True), sans écrire dans "
            "logits (ni logits -= …, ni logits[…] = …)",
            "shift a copy, z = logits − logits.max(axis=1, keepdims=True), without writing to "
            "logits (no logits -= ..., no logits[...] = ...)",
        ),
        "y": (
            "lisez y sans l'écrire (ni y[…] = …, ni y.sort()) : P[np.arange(N), y] suffit",
            "read y without writing to it (no y[...] = ..., no y.sort()): P[np.arange(N), y] is enough",
        ),
    })
    _check_ce_absent_class(submission, rng, c)
    # Drawn on purpose (blind answers: label smoothing, ε = 0.05 in a module constant or 0.01 as
    # a keyword's default): a batch where the model is right and confident, each label's logit 2
    # to 4 above the row's others. Its loss is small and every other class's −log P large, so a
    # smoothed loss (1 − ε) CE + ε U lies ε (U − CE) ≥ ε above it (ε = 0.01: 100 times the slack);
    # on random labels U − CE averages 0 and smoothing may hide.
    logits_c, y_c = confident
    loss_c, probs_c = _student_ce(submission, logits_c, y_c)
    what_c = "(logits du correcteur, un lot où chaque étiquette a nettement le plus grand logit)"
    _, probs_c_ref = _ce_reference(logits_c, y_c)
    assert_close(probs_c, probs_c_ref, name=f"probs {what_c}",
                 hint_fr="P[i, k] = exp(Z[i, k]) / Σ_j exp(Z[i, j]), ligne par ligne",
                 hint_en="P[i, k] = exp(Z[i, k]) / Σ_j exp(Z[i, j]), row by row")
    _check_loss_band(submission, loss_c, logits_c, y_c, probs_c_ref, what_c,
                     "(grader logits, a batch where each label clearly has the largest logit)", other=(logits, y))


def _confident_batch(rng) -> tuple[np.ndarray, np.ndarray]:
    """Logits ~ 2·N(0, 1), every class among the labels, each label's logit raised 2 to 4 above
    its row's largest other logit (P[i, y_i] from ~0.5 up: a guard log(p + 1e-8) moves nothing)."""
    c = int(rng.integers(3, 8))
    n = int(rng.integers(c + 1, 16))
    logits = rng.normal(0.0, 2.0, size=(n, c))
    y = _labels(rng, n, c)
    for i in range(n):
        logits[i, y[i]] = float(np.delete(logits[i], y[i]).max()) + float(rng.uniform(2.0, 4.0))
    return logits, y


#: The loss band's slack, relative to 1 + L: float32 code lands ~1e-7 from the float64 loss on
#: these logits (|z| ≤ 25); label smoothing with ε = 0.01 moves the confident batch's loss by
#: 2e-2 or more, −log of the mean probability, a log2 or a sum by far more.
CE_SLACK = 1e-5


def _check_loss_band(submission, loss: float, logits: np.ndarray, y: np.ndarray, probs_ref: np.ndarray,
                     what: str, what_en: str, other=None) -> None:
    """The loss, probabilities found right: from the common guard −mean(log(P[i, y_i] + 1e-8))
    (the course keeps it; it moves the loss only where a probability is below ~1e-7: up to 2.6 %
    on these logits ~ 3·N(0, 1)) to the exact cross-entropy, with CE_SLACK · (1 + L) of slack on
    both sides (the old rtol 5e-2 let a smoothed loss through)."""
    loss_ref, guarded, _ = _ce_band(logits, y)
    slack = CE_SLACK * (1.0 + abs(loss_ref))
    record_expected(f"loss {what}", loss_ref)
    record_margin(f"loss {what} below the exact cross-entropy + slack", loss_ref + slack - loss, 0.0,
                  higher_is_better=True)
    record_margin(f"loss {what} above the guarded cross-entropy − slack", loss - (guarded - slack), 0.0,
                  higher_is_better=True)
    if np.isfinite(loss) and guarded - slack <= loss <= loss_ref + slack:
        return
    hint_fr, hint_en = _loss_hint(submission, loss, loss_ref, probs_ref[np.arange(len(y)), y],
                                  batch=(logits, y), other=other)
    raise CheckFailed(
        f"loss {what} : ce n'est pas l'entropie croisée moyenne de ces logits ; {hint_fr}",
        f"loss {what_en}: not the mean cross-entropy of these logits; {hint_en}",
    )


@pytest.mark.item("softmax_ce", points=0.5)
def test_softmax_ce_is_numerically_stable(submission, rng):
    c = int(rng.integers(3, 8))
    n = int(rng.integers(c + 2, 13))
    offsets = rng.choice([-1000.0, 1000.0], size=(n, 1))
    logits = offsets + rng.normal(0.0, 5.0, size=(n, c))
    # Drawn on purpose (blind answer): rows whose logits spread from −1000 to +1000. Shifting by
    # the row's mean (or any value but its max) leaves exp overflowing there; the label of such
    # a row is its largest logit, so that log P[i, y_i] stays finite even without a guard. The
    # other rows hold every class (a batch without the last one is the other check's case).
    spread = rng.choice(n, size=2, replace=False)
    y = np.zeros(n, dtype=np.int64)
    others = np.setdiff1d(np.arange(n), spread)
    y[others] = _labels(rng, len(others), c)
    for i in spread:
        top, bottom = rng.choice(c, size=2, replace=False)
        logits[i] = rng.normal(0.0, 5.0, size=c)
        logits[i, top], logits[i, bottom] = 1000.0, -1000.0
        y[i] = top
    # Drawn on purpose (blind answer): one row whose label sits 25 to 35 below the row's other
    # logits, P[i, y_i] ≈ 1e-11 to 1e-15 (finite in float64 and float32): its loss is large, and a
    # coarse guard (np.clip(p, 1e-4, 1)) caps it; the common log(p + 1e-8) is the band's edge.
    far = int(others[int(rng.integers(0, len(others)))])
    base_logits = logits.copy()  # the batch without the far label: the premise of the cap hint
    logits[far, y[far]] = float(np.delete(logits[far], y[far]).max()) - float(rng.uniform(25.0, 35.0))
    _, probs_ref = _ce_reference(logits, y)
    loss, probs = _student_ce(submission, logits, y)
    hint_fr = (
        "np.exp déborde pour des logits de l'ordre de ±1000 : retranchez le maximum de chaque "
        "ligne (logits − logits.max(axis=1, keepdims=True)) avant l'exponentielle"
    )
    hint_en = (
        "np.exp overflows for logits around ±1000: subtract each row's maximum "
        "(logits − logits.max(axis=1, keepdims=True)) before the exponential"
    )
    what = "(logits du correcteur ≈ ±1000 + 5·N(0, 1), et des lignes étalées de −1000 à +1000)"
    bad_rows = (
        set(np.flatnonzero(~np.all(np.isfinite(probs), axis=1)).tolist())
        if probs.shape == logits.shape else set()
    )
    if bad_rows and bad_rows <= set(spread.tolist()):
        # Its premise: only the spread rows overflow, the rows with one common offset do not.
        hint_fr = (
            "les lignes à décalage commun passent, mais celles dont les logits s'étalent de −1000 à "
            "+1000 débordent : retranchez le MAXIMUM de chaque ligne (pas la moyenne ni une autre "
            "valeur), seul le maximum garantit exp(z − max) ≤ 1"
        )
        hint_en = (
            "the rows with one common offset pass, but those whose logits spread from −1000 to "
            "+1000 overflow: subtract each row's MAXIMUM (not the mean nor another value), only "
            "the maximum guarantees exp(z − max) ≤ 1"
        )
    if (
        not np.isfinite(loss) and probs.shape == probs_ref.shape
        and allclose(probs, probs_ref, rtol=1e-3, atol=1e-7)
    ):
        # Its premise: the softmax is right and finite, the loss alone is not (blind answer:
        # probs[:, y], an (N, N) block holding probabilities of other rows' labels, log(0) there).
        with np.errstate(divide="ignore", invalid="ignore"):
            block = float(-np.mean(np.log(probs[:, y])))
            own = float(-np.mean(np.log(probs[np.arange(len(y)), y])))
        hint_fr, hint_en = (
            "vos probabilités sont justes et finies, seule la perte ne l'est pas : elle prend le "
            "log d'une probabilité nulle ; −log P[i, y_i] ne lit qu'UNE probabilité par ligne, "
            "celle de son étiquette, P[np.arange(N), y]",
            "your probabilities are right and finite, only the loss is not: it takes the log of a "
            "zero probability; −log P[i, y_i] reads ONE probability per row, that of its label, "
            "P[np.arange(N), y]",
        )
        if not np.isfinite(block) and (np.isnan(loss) == np.isnan(block)):
            hint_fr += " (probs[:, y] est un bloc (N, N) : chaque ligne avec les étiquettes de toutes les autres)"
            hint_en += " (probs[:, y] is an (N, N) block: every row with the labels of all the others)"
        elif np.isfinite(own):
            # Its premise: −mean(log P[i, y_i]) read from the student's own probabilities is
            # finite, so no probability is zero: the loss comes from elsewhere, the raw logits
            # (blind answer: log Σ exp(logits), unshifted, beside a shifted softmax).
            hint_fr, hint_en = (
                "vos probabilités sont justes et finies, et −log P[i, y_i] calculé sur elles est "
                "fini : c'est le calcul de la perte qui déborde ; un log(Σ exp(logits)) sur les "
                "logits BRUTS donne log(inf) : calculez la perte avec les logits décalés "
                "(z = logits − max de la ligne, log-sum-exp sur z) ou à partir de vos probabilités",
                "your probabilities are right and finite, and −log P[i, y_i] computed from them is "
                "finite: the loss computation overflows; a log(Σ exp(logits)) on the RAW logits "
                "gives log(inf): compute the loss from the shifted logits (z = logits − the row's "
                "max, log-sum-exp on z) or from your probabilities",
            )
    if not np.isfinite(loss) or not np.all(np.isfinite(probs)):
        raise CheckFailed(
            f"perte ou probabilités non finies (nan/inf) {what} ; {hint_fr}",
            f"non-finite loss or probabilities (nan/inf) {what}; {hint_en}",
        )
    # The loss value itself is graded by test_softmax_ce_matches_torch; here only stability.
    # rtol 1e-3: in float32 a logit near ±1000 is known to ~6e-5 only (a stable float32 softmax
    # lands ~1e-4 from the float64 one); a softmax over the wrong axis is off by far more.
    assert_close(
        probs,
        probs_ref,
        name=f"probs {what}",
        rtol=1e-3,
        atol=1e-7,
        hint_fr="softmax ligne par ligne (axis=1), après avoir retranché le maximum de la ligne",
        hint_en="softmax row by row (axis=1), after subtracting the row's maximum",
    )
    _check_stable_loss_value(submission, loss, logits, base_logits, y, what)


def _ce_band(logits: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """(exact cross-entropy, the guard log(p + 1e-8)'s, slack 1e-3 · (1 + L))."""
    loss_ref, probs = _ce_reference(logits, y)
    guarded = float(-np.mean(np.log(probs[np.arange(len(y)), y] + 1e-8)))
    return loss_ref, guarded, 1e-3 * (1.0 + abs(loss_ref))


def _check_stable_loss_value(submission, loss: float, logits: np.ndarray, base_logits: np.ndarray,
                             y: np.ndarray, what: str) -> None:
    """The loss on the large logits is a value too, not only a finite number. The band: from the
    common guard −mean(log(P[i, y_i] + 1e-8)) (the course keeps it: it moves the loss only where a
    probability is below ~1e-7) to the exact cross-entropy, with 1e-3 · (1 + L) of slack (float32
    logits near ±1000 are known to ~6e-5). A coarser guard (log(p + 1e-3), np.clip(p, 1e-4, 1))
    caps the loss of the examples whose label is far from the row's maximum: below the band."""
    loss_ref, guarded, slack = _ce_band(logits, y)
    record_expected("loss (logits ≈ ±1000)", loss_ref)
    record_margin("loss on large logits below the exact cross-entropy", loss_ref + slack - loss, 0.0,
                  higher_is_better=True)
    if guarded - slack <= loss <= loss_ref + slack:
        return
    # Its premise: the same batch without the far label, each row's gaps to its maximum divided
    # by 5 (every label's probability of order 1e-3 or more, offsets ±1000 kept), gets a loss
    # right to the value check's 5 % (test_softmax_ce_matches_torch): a loss wrong everywhere (a
    # sum, a log10) is that check's fault, not the stability's.
    top = base_logits.max(axis=1, keepdims=True)
    tame = top + (base_logits - top) / 5.0
    base_ref = _ce_reference(tame, y)[0]
    try:
        base_loss, _ = _student_ce(submission, tame, y)
    except (CheckFailed, StudentError):
        return
    if not np.isclose(base_loss, base_ref, rtol=5e-2):
        return
    if 0.0 <= loss < guarded - slack:
        hint_fr = (
            "votre perte est plus petite que l'entropie croisée de ces logits : un epsilon trop grand "
            "dans log(p + ε), ou un seuil np.clip(p, ε, 1), plafonne la perte des exemples dont la "
            "probabilité est minuscule ; ε ≤ 1e-8 au plus, ou mieux log P = z − log Σ exp(z) sur les "
            "logits décalés z (log-sum-exp)"
        )
        hint_en = (
            "your loss is smaller than the cross-entropy of these logits: too large an epsilon in "
            "log(p + ε), or a threshold np.clip(p, ε, 1), caps the loss of the examples whose "
            "probability is tiny; ε ≤ 1e-8 at most, or better log P = z − log Σ exp(z) on the "
            "shifted logits z (log-sum-exp)"
        )
    else:
        hint_fr = "L = −(1/N) Σ_i log P[i, y_i], calculée à partir des logits décalés"
        hint_en = "L = −(1/N) Σ_i log P[i, y_i], computed from the shifted logits"
    raise CheckFailed(
        f"loss {what} : ce n'est pas l'entropie croisée moyenne de ces logits ; {hint_fr}",
        f"loss {what.replace('logits du correcteur', 'grader logits')}: not the mean cross-entropy "
        f"of these logits; {hint_en}",
    )


# ---------------------------------------------------------------- backward

_BACKWARD_HINTS = {
    "W2": (
        "dW2 = A1ᵀ dZ2 avec dZ2 = (P − Y)/N",
        "dW2 = A1ᵀ dZ2 with dZ2 = (P − Y)/N",
    ),
    "b2": (
        "db2 = somme de dZ2 sur les exemples (axis=0)",
        "db2 = sum of dZ2 over the examples (axis=0)",
    ),
    "W1": (
        "dW1 = Xᵀ dZ1 avec dZ1 = (dZ2 W2ᵀ) ⊙ 1[Z1 > 0] ; vérifiez le masque ReLU sur la pré-activation Z1",
        "dW1 = Xᵀ dZ1 with dZ1 = (dZ2 W2ᵀ) ⊙ 1[Z1 > 0]; check the ReLU mask on the pre-activation Z1",
    ),
    "b1": (
        "db1 = somme de dZ1 sur les exemples (axis=0), avec le masque ReLU 1[Z1 > 0]",
        "db1 = sum of dZ1 over the examples (axis=0), with the ReLU mask 1[Z1 > 0]",
    ),
}


def _wrong_backwards(X, y, params, ref) -> dict[str, dict[str, np.ndarray]]:
    """Gradients that the classic mistakes produce, to name the mistake in the message."""
    n = X.shape[0]
    Y = np.zeros_like(ref["probs"])
    Y[np.arange(n), y] = 1.0
    dZ2 = (ref["probs"] - Y) / n
    dA1 = dZ2 @ params["W2"].T
    out = {}
    for label, dZ1 in (
        ("activation", dA1 * ref["A1"]),
        ("no-mask", dA1),
        ("mask-ge", dA1 * (ref["Z1"] >= 0)),
    ):
        out[label] = {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0)}
    return out


_WRONG_HINTS = {
    "activation": (
        "vous multipliez par A1 au lieu du masque 1[Z1 > 0] : la dérivée de ReLU vaut 0 ou 1",
        "you multiply by A1 instead of the mask 1[Z1 > 0]: the derivative of ReLU is 0 or 1",
    ),
    "no-mask": (
        "le masque ReLU manque : dZ1 = (dZ2 W2ᵀ) ⊙ 1[Z1 > 0]",
        "the ReLU mask is missing: dZ1 = (dZ2 W2ᵀ) ⊙ 1[Z1 > 0]",
    ),
    "mask-ge": (
        "le masque est 1[Z1 > 0], inégalité stricte : là où la pré-activation vaut exactement 0 "
        "(une unité cachée du correcteur a des poids et un biais nuls), la dérivée de ReLU vaut 0",
        "the mask is 1[Z1 > 0], a strict inequality: where the pre-activation is exactly 0 "
        "(a hidden unit of the grader has zero weights and bias), the derivative of ReLU is 0",
    ),
}

_BACKWARD_SHAPE_HINT = (
    "dW2 = A1ᵀ dZ2, dZ1 = (dZ2 W2ᵀ) ⊙ 1[Z1 > 0], dW1 = Xᵀ dZ1 : vérifiez les transposées",
    "dW2 = A1ᵀ dZ2, dZ1 = (dZ2 W2ᵀ) ⊙ 1[Z1 > 0], dW1 = Xᵀ dZ1: check the transposes",
)


def _backward_case(rng, wide: bool = False):
    """The grader's batch for backward, with two structures drawn on purpose (blind answers):
    a dead hidden unit (a column of W1 and its bias zero: its pre-activation is exactly 0,
    where a mask 1[Z1 >= 0] differs from 1[Z1 > 0]) and no example of the last class (a
    one-hot built with C = y.max() + 1 has too few columns)."""
    X, y, params = _mlp_case(rng, wide)
    h, c = params["W1"].shape[1], params["W2"].shape[1]
    dead = int(rng.integers(0, h))
    params["W1"][:, dead] = 0.0
    params["b1"][dead] = 0.0
    y = _labels(rng, len(y), c, classes=c - 1)
    return X, y, params


def _absent_class_explains(submission, X, y, params, ref) -> bool:
    """The premise of the absent-class hint: y lacks the last class, and the same batch with
    one label set to it goes through backward and gives autograd's gradients."""
    c = ref["probs"].shape[1]
    if np.any(y == c - 1):
        return False
    with_all = y.copy()
    with_all[0] = c - 1
    full = _torch_forward(X, with_all, params)
    try:
        grads = submission.call(
            "backward", X, with_all, params, {"Z1": full["Z1"], "A1": full["A1"]}, full["probs"]
        )
        if not isinstance(grads, dict) or not set(KEYS) <= set(grads):
            return False
        got = {k: as_array(grads[k], f"d{k}", allow_nan=True) for k in KEYS}
    except (StudentError, CheckFailed):
        return False
    return all(
        got[k].shape == full["grads"][k].shape and _scaled_rel_error(got[k], full["grads"][k]) <= 1e-6
        for k in KEYS
    )


def _absent_class_failure(fr: str, en: str) -> CheckFailed:
    return CheckFailed(
        f"{fr} ; " + _ABSENT_CLASS_FR.format(shape="probs.shape[1]"),
        f"{en}; " + _ABSENT_CLASS_EN.format(shape="probs.shape[1]"),
    )


def _student_backward(submission, X, y, params, ref):
    """backward on the grader's batch; an error raised only because the last class is absent
    is told so (premise checked), a shape error otherwise gets the transposes hint."""
    args = (X, y, params, {"Z1": ref["Z1"], "A1": ref["A1"]}, ref["probs"])
    try:
        # "Rétropropagation à la main": PyTorch's autograd is switched off during the call (a
        # forward rebuilt in torch from X and params, and its .grad, fails here).
        return GUARD.call(submission, "backward", *args)
    except StudentError as raw:
        # The premises below read the error's sizes; what is shown has none (`sizes_hidden`):
        # a shape error names the sizes of the grader's hidden batch (blind round 21).
        exc = sizes_hidden(raw)
        if _absent_class_explains(submission, X, y, params, ref):
            raise _absent_class_failure(exc.message.fr, exc.message.en) from None
        c = ref["probs"].shape[1]
        text = f"{raw.evalue} {raw.message.en}"
        if c > 10 and (re.search(r"with size 10\b", text) or re.search(r"\(\d+,\s*10\)", text)):
            # Its premise: more than 10 classes here, and the error is about a size-10 axis
            # (np.eye(10)[y] indexed by a label >= 10, or an (N, 10) one-hot).
            raise CheckFailed(
                f"{exc.message.fr} ; ce lot a plus de 10 classes : le nombre de classes C se lit sur "
                "probs.shape[1] (Y = np.zeros_like(probs), ou np.eye(C)[y]), pas 10 écrit en dur",
                f"{exc.message.en}; this batch has more than 10 classes: the number of classes C is "
                "read from probs.shape[1] (Y = np.zeros_like(probs), or np.eye(C)[y]), not a hard-coded 10",
            ) from None
        # A key that no dictionary passed holds (blind answer: cache["X"], X stored by the
        # student's own forward): said so, never the transposes (its premise read from the error).
        globals_hint = missing_key_hint(raw, BACKWARD_DICTS) or data_globals_hint(submission, "backward")
        if globals_hint:
            raise CheckFailed(
                f"{exc.message.fr} ; {globals_hint[0]}", f"{exc.message.en}; {globals_hint[1]}"
            ) from None
        if exc.ename in SHAPE_ERRORS:
            raise CheckFailed(
                f"{exc.message.fr} ; {_BACKWARD_SHAPE_HINT[0]}",
                f"{exc.message.en}; {_BACKWARD_SHAPE_HINT[1]}",
            ) from None
        raise exc from None


#: The large-gradient batch's bounds (drawn on purpose at every variant, blind answers: the
#: exact gradients clipped to [−0.5, 0.5] entry by entry, or rescaled when their global norm
#: passes 5; the ordinary batches reach neither bound): the checked weight gradient's largest
#: entry and the global norm of the four gradients pass these, far above the usual clipping
#: bounds (0.5 to 10 for an entry, 1 to 10 for a norm).
_LARGE_ENTRY, _LARGE_NORM = 30.0, 100.0
_LARGE_DIMS = "entrées du correcteur à grands gradients"


def _large_backward_case(X, params, keys: tuple[str, ...]):
    """The same batch with its inputs scaled by s and every label set to its row's SMALLEST logit:
    a model confidently wrong on large inputs (early training, an outlier), the softmax saturated,
    each row of P − Y of order 1, so that dW2 (through A1) and dW1 (through X) grow with s. s
    starts at 4 and doubles until the bounds hold (a dead network, every unit off, stops at 4096)."""
    weight = f"W{keys[0][1:]}"
    s = 4.0
    while True:
        Xs = s * X
        logits = np.maximum(Xs @ params["W1"] + params["b1"], 0.0) @ params["W2"] + params["b2"]
        y = np.argmin(logits, axis=1).astype(np.int64)
        ref = _torch_forward(Xs, y, params)
        grads = ref["grads"]
        norm = float(np.sqrt(sum(float(np.sum(grads[k] ** 2)) for k in KEYS)))
        if (float(np.abs(grads[weight]).max()) >= _LARGE_ENTRY and norm >= _LARGE_NORM) or s >= 4096:
            record_margin("largest entry of the large batch's weight gradient over the clipping bound",
                          float(np.abs(grads[weight]).max()), _LARGE_ENTRY, higher_is_better=True)
            return Xs, y, ref
        s *= 2.0


_CLIP_ENTRY = (
    "vos gradients ont leurs composantes plafonnées en valeur absolue à une même borne (un "
    "écrêtage, np.clip ?) : backward renvoie le gradient EXACT de la perte moyenne, même grand ; "
    "un écrêtage des gradients (gradient clipping) n'en fait pas partie",
    "your gradients have their entries capped in absolute value at one bound (clipping, "
    "np.clip?): backward returns the EXACT gradient of the mean loss, however large; gradient "
    "clipping is no part of it",
)
_CLIP_NORM = (
    "vos gradients sont tous réduits d'un même facteur, d'autant plus que leur norme est grande "
    "(une renormalisation, clipping par la norme globale ?) : backward renvoie le gradient EXACT "
    "de la perte moyenne, même grand, sans le renormaliser",
    "your gradients are all shrunk by one common factor, the more so as their norm is large "
    "(a renormalisation, clipping by the global norm?): backward returns the EXACT gradient of "
    "the mean loss, however large, without renormalising it",
)
_LARGE_ONLY = (
    "vos gradients sont justes sur un lot ordinaire, mais pas sur ce lot aux grands gradients "
    "(grandes entrées, modèle sûr de lui et faux) : backward renvoie le gradient exact de la "
    "perte moyenne quelle que soit sa taille, sans écrêtage ni renormalisation, et à partir de "
    "probs reçu (pas d'exponentielle recalculée qui déborde)",
    "your gradients are right on an ordinary batch, but not on this batch of large gradients "
    "(large inputs, a confidently wrong model): backward returns the exact gradient of the mean "
    "loss whatever its size, without clipping or renormalisation, and from the probs received "
    "(no exponential recomputed that overflows)",
)


def _grads_read(grads: object, ref: dict) -> dict[str, np.ndarray] | None:
    """The four gradients backward returned, as float64 arrays of the right shapes, or None."""
    if not isinstance(grads, dict) or not set(KEYS) <= set(grads):
        return None
    try:
        out = {k: as_array(grads[k], f"d{k}", dtype=None, allow_nan=True).astype(np.float64) for k in KEYS}
    except CheckFailed:
        return None
    ok = all(out[k].shape == ref["grads"][k].shape and np.all(np.isfinite(out[k])) for k in KEYS)
    return out if ok else None


def _common_factor(got: dict[str, np.ndarray], ref: dict[str, np.ndarray]) -> float | None:
    """c when the four gradients are c times autograd's, one c for all (1.0 when exact)."""
    g = np.concatenate([got[k].ravel() for k in KEYS])
    r = np.concatenate([ref[k].ravel() for k in KEYS])
    denom = float(r @ r)
    if denom <= 0:
        return None
    c = float(g @ r) / denom
    return c if allclose(g, c * r, **SAME) else None


def _clipping_hint(cases: list[tuple[object, dict]]) -> tuple[str, str] | None:
    """The hint for clipped gradients, each after its premise, read from backward's answers on
    the ordinary batch and the large one (`cases`: (what it returned, the reference)): an entry
    capped (some gradient equal to autograd's clipped at its own largest entry, below autograd's
    largest), or a global rescaling (every gradient c times autograd's, c smaller on the large
    batch than on the ordinary one: a wrong normalisation, /32 say, gives one c at any scale)."""
    read = [(_grads_read(got, ref), ref["grads"]) for got, ref in cases]
    for got, ref in read:
        if got is None:
            continue
        for k in KEYS:
            m = float(np.abs(got[k]).max())
            top = float(np.abs(ref[k]).max())
            if 0.0 < m < top * (1.0 - 1e-3) and allclose(got[k], np.clip(ref[k], -m, m), **SAME):
                return _CLIP_ENTRY
    if len(read) == 2 and all(got is not None for got, _ in read):
        factors = [_common_factor(got, ref) for got, ref in read]
        if None not in factors and 0.0 < factors[1] < 0.9 * factors[0]:
            return _CLIP_NORM
    return None


def _check_backward_keys(submission, rng, keys: tuple[str, ...], wide: bool = False) -> None:
    X, y, params = _backward_case(rng, wide)
    ref = _torch_forward(X, y, params)
    Xl, yl, ref_large = _large_backward_case(X, params, keys)
    grads = _student_backward(submission, X, y, params, ref)
    if not isinstance(grads, dict) or not set(keys) <= set(grads):
        raise CheckFailed(
            'backward doit renvoyer un dictionnaire {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}',
            'backward must return a dictionary {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}',
        )
    try:
        large = GUARD.call(submission, "backward", Xl, yl, params,
                           {"Z1": ref_large["Z1"], "A1": ref_large["A1"]}, ref_large["probs"])
    except StudentError:
        large = None  # said below, when the large batch is checked
    clip = _clipping_hint([(grads, ref), (large, ref_large)])
    wrong = _wrong_backwards(X, y, params, ref)
    passed: set[str] = set()
    for key in keys:
        raw = as_array(grads[key], f"d{key} ({_DIMS})", dtype=None, allow_nan=True)
        single = raw.dtype.kind == "f" and raw.dtype.itemsize < 8
        got = raw if single else raw.astype(np.float64)  # its dtype sets the scale floor
        try:
            _check_gradient(key, got, ref["grads"][key], wrong, X.shape[0], _DIMS, single=single,
                            weights_ok=key.startswith("b") and f"W{key[1:]}" in passed, forced_hint=clip)
            passed.add(key)
        except CheckFailed as exc:
            # The grade is decided above; only the hint changes, when its premise holds.
            if clip is not None or not _absent_class_explains(submission, X, y, params, ref):
                globals_hint = data_globals_hint(submission, "backward") if clip is None else None
                if globals_hint:
                    raise hinted(exc, *globals_hint) from None
                raise
            raise _absent_class_failure(
                f"d{key} ({_DIMS}) diffère d'autograd sur un lot où la dernière classe n'apparaît pas",
                f"d{key} ({_DIMS}) differs from autograd on a batch where the last class does not appear",
            ) from None
    # The ordinary batch passed: the large one (same X scaled, labels on the smallest logits).
    if large is None:
        large = _student_backward(submission, Xl, yl, params, ref_large)
    if not isinstance(large, dict) or not set(keys) <= set(large):
        raise CheckFailed(
            'backward doit renvoyer un dictionnaire {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}',
            'backward must return a dictionary {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}',
        )
    wrong = _wrong_backwards(Xl, yl, params, ref_large)
    for key in keys:
        raw = as_array(large[key], f"d{key} ({_LARGE_DIMS})", dtype=None, allow_nan=True)
        single = raw.dtype.kind == "f" and raw.dtype.itemsize < 8
        got = raw if single else raw.astype(np.float64)
        _check_gradient(key, got, ref_large["grads"][key], wrong, Xl.shape[0], _LARGE_DIMS, single=single,
                        forced_hint=clip or _LARGE_ONLY)


def _check_gradient(key: str, got: np.ndarray, expected: np.ndarray, wrong, n: int, dims: str,
                    single: bool = False, weights_ok: bool = False,
                    forced_hint: tuple[str, str] | None = None) -> None:
    """One gradient against autograd's, the hint naming a known mistake when it is one.

    Tolerance 1e-6 (float64 code lands ~1e-12 away); 1e-4 for a float32 result (blind answer:
    a correct float32 backward lands ~2e-6 away), as assert_gradient_close's dtype rule. A
    float64 result within 1e-4 but not 1e-6 is told "précision (float32 ?)": every known
    mistake is off by far more (a factor N, a sign, a mask).

    `weights_ok`: a bias gradient whose layer's weight gradient was accepted just before (same
    dZ): a bias off by a constant factor is then its own reduction's fault (blind answer:
    db = dZ.mean(axis=0)), never dZ2's normalisation, and the hints say so first.

    `forced_hint`: the hint whose premise the caller checked on backward's answers (clipped
    gradients, a batch of large gradients wrong after the ordinary one passed); it replaces the
    others."""
    hint_fr, hint_en = _BACKWARD_HINTS[key]
    tol = 1e-4 if single else 1e-6
    if got.shape != expected.shape:
        raise CheckFailed(
            f"d{key} sur les entrées du correcteur : ce n'est pas la forme de {key} ; {hint_fr}",
            f"d{key} on the grader's inputs: not the shape of {key}; {hint_en}",
        )
    factor = _constant_factor(got, expected)
    layer = key[1:]
    if weights_ok and factor is not None and abs(factor * n - 1.0) <= 1e-3:
        hint_fr, hint_en = (
            f"dW{layer} est juste mais d{key} vaut celui d'autograd divisé par N : d{key} est une "
            f"SOMME sur les exemples, Σ_i dZ{layer}[i, :] = dZ{layer}.sum(axis=0), pas une moyenne "
            f"(.mean) ; la division par N est déjà dans dZ2 = (P − Y)/N",
            f"dW{layer} is right but d{key} is autograd's divided by N: d{key} is a SUM over the "
            f"examples, Σ_i dZ{layer}[i, :] = dZ{layer}.sum(axis=0), not a mean (.mean); the "
            f"division by N is already in dZ2 = (P − Y)/N",
        )
    elif weights_ok and factor is not None:
        hint_fr, hint_en = (
            f"dW{layer} est juste, donc dZ{layer} aussi, mais d{key} lui est proportionnel avec un "
            f"autre facteur : d{key} = Σ_i dZ{layer}[i, :] = dZ{layer}.sum(axis=0), la somme sur les "
            f"exemples, sans autre facteur",
            f"dW{layer} is right, so dZ{layer} is too, but d{key} is proportional to autograd's with "
            f"another factor: d{key} = Σ_i dZ{layer}[i, :] = dZ{layer}.sum(axis=0), the sum over the "
            f"examples, with no other factor",
        )
    elif forced_hint is not None:
        hint_fr, hint_en = forced_hint
    elif allclose(got, n * expected, **SAME):
        hint_fr, hint_en = (
            "votre gradient vaut N fois celui d'autograd : il manque la division par N dans dZ2 = (P − Y)/N (la perte est une moyenne)",
            "your gradient is N times autograd's: the division by N is missing in dZ2 = (P − Y)/N (the loss is a mean)",
        )
    elif allclose(got, -expected, **SAME):
        hint_fr, hint_en = (
            "le signe est inversé : dZ2 = (P − Y)/N, pas (Y − P)/N",
            "the sign is flipped: dZ2 = (P − Y)/N, not (Y − P)/N",
        )
    elif got.shape == expected.shape and _scaled_rel_error(got, expected) <= 1e-4:
        hint_fr, hint_en = PRECISION_FR, PRECISION_EN
    elif factor is not None and factor > 0:
        # Its premise: a constant multiple of autograd's gradient, other than N and −1 (blind
        # answer: dZ2 = (P − Y)/32, the notebook's batch size written in the function).
        hint_fr, hint_en = (
            "votre gradient est proportionnel à celui d'autograd, avec un autre facteur : la "
            "normalisation est fausse ; dZ2 = (P − Y)/N avec N = X.shape[0], le nombre d'exemples "
            "du lot reçu (pas une taille de lot écrite en dur)",
            "your gradient is proportional to autograd's, with another factor: the normalisation "
            "is wrong; dZ2 = (P − Y)/N with N = X.shape[0], the number of examples of the batch "
            "received (not a hard-coded batch size)",
        )
    else:
        for label, cand in wrong.items():
            if key in cand and allclose(got, cand[key], **SAME) and not allclose(cand[key], expected, **SAME):
                hint_fr, hint_en = _WRONG_HINTS[label]
                break
    assert_gradient_close(
        f"d{key} ({dims})",
        got,
        expected,
        tol=tol,
        hint_fr=hint_fr,
        hint_en=hint_en,
        reference_fr="d'autograd",
        reference_en="autograd",
    )


def _constant_factor(got: np.ndarray, expected: np.ndarray) -> float | None:
    """c when got is c · expected for one constant c (of either sign) clearly other than 1,
    None otherwise."""
    if got.shape != expected.shape or not np.all(np.isfinite(got)):
        return None
    denom = float(np.sum(expected * expected))
    if denom <= 0:
        return None
    c = float(np.sum(got * expected)) / denom
    if abs(c - 1.0) <= 1e-2 or not allclose(got, c * expected, **SAME):
        return None
    return c


@pytest.mark.item("mlp_backward", points=1)
def test_backward_output_layer_matches_autograd(submission, rng):
    _check_backward_keys(submission, rng, ("W2", "b2"))
    # The statement's rule (arguments not modified), which the values cannot show: dZ2 = probs
    # then dZ2[…] -= 1 gives the right gradients and overwrites the caller's probs.
    X, y, params = _backward_case(rng)
    ref = _torch_forward(X, y, params)
    changed = changed_argument_names(
        submission, "backward", (X, y, params, {"Z1": ref["Z1"], "A1": ref["A1"]}, ref["probs"]),
        {0: "X", 1: "y", 2: "params", 3: "cache", 4: "probs"},
    )
    if not changed:
        return
    # The hint names the fix for what was modified (blind answer: a mask written into cache["Z1"]
    # was told to copy probs).
    if any(c.startswith("probs") for c in changed):
        hint_fr, hint_en = (
            "partez d'une copie : dZ2 = probs.copy() (ou probs − Y), puis dZ2[…] -= 1 sur la copie",
            "start from a copy: dZ2 = probs.copy() (or probs − Y), then dZ2[...] -= 1 on the copy",
        )
    elif any(c.startswith("cache") for c in changed):
        hint_fr, hint_en = (
            "lisez le cache sans l'écrire : le masque est un nouveau tableau, masque = cache[\"Z1\"] > 0 "
            "(pas cache[\"Z1\"][…] = … ni cache[\"Z1\"] *= …)",
            "read the cache without writing to it: the mask is a new array, mask = cache[\"Z1\"] > 0 "
            "(not cache[\"Z1\"][...] = ... nor cache[\"Z1\"] *= ...)",
        )
    else:
        hint_fr, hint_en = (
            "calculez les gradients dans de nouveaux tableaux, sans écrire dans X, y ni params",
            "compute the gradients into new arrays, without writing to X, y or params",
        )
    which = ", ".join(changed)
    raise CheckFailed(
        f"backward modifie sur place ce qu'on lui passe ({which}) : la consigne demande de ne pas "
        f"modifier les arguments ; {hint_fr}",
        f"backward modifies what it is given in place ({which}): the statement asks not to modify "
        f"the arguments; {hint_en}",
    )


@pytest.mark.item("mlp_backward", points=1)
def test_backward_hidden_layer_matches_autograd(submission, rng):
    # More than 10 classes here: the number of classes is probs.shape[1], never the digits' 10.
    _check_backward_keys(submission, rng, ("W1", "b1"), wide=True)


# ---------------------------------------------------------------- numerical gradient


def _scaled_rel_error(got: np.ndarray, ref: np.ndarray) -> float:
    """CS231n relative error, entries below 1 % of the gradient's scale compared to that scale.

    Rounding in f(x ± h) leaves ~1e-10 absolute error on every entry, which would look
    large next to a near-zero entry; measured this way, central differences stay below
    ~1e-8 and a forward difference lands between ~1e-6 and ~1e-3.
    """
    floor = max(1e-8, 1e-2 * float(np.abs(ref).max()))
    with np.errstate(invalid="ignore", over="ignore"):
        rel = np.abs(got - ref) / np.maximum(floor, np.abs(got) + np.abs(ref))
    return float(np.where(np.isnan(rel), np.inf, rel).max())


@kernel_side
class SmoothFunction:
    """g(x) = Σ c1 sin(x) x² + c2 exp(0.3 x) + c3 (Σ x)² / size, with the grader's c1, c2, c3.

    The statement: f "prend un tableau de la forme de x". g records the number of dimensions of
    every array it receives whose shape is not `shape` (x's), in `other_ndims` (blind answer: x
    flattened, f called on the flat copy, the result reshaped: right on this elementwise g, a
    crash on the notebook's loss of a matrix W1), and computes on it reshaped to `shape`, so that
    the values stay right and the check names the fault itself."""

    def __init__(self, c1, c2, c3, shape):
        self.c1, self.c2, self.c3 = c1, c2, c3
        self.shape = tuple(int(n) for n in shape)
        self.other_ndims = []
        # watch(x): the point the grader differentiates at; `moved` counts the calls whose
        # argument differs from it (a perturbation that reached g), `calls` every call.
        self.point, self.moved, self.calls = None, 0, 0

    def watch(self, x):
        import numpy as np

        self.point = np.array(x, dtype=float, copy=True)

    def __call__(self, x):
        import numpy as np

        x = np.asarray(x)
        self.calls += 1
        if self.point is not None and (
            x.shape != self.point.shape or not np.array_equal(x, self.point)
        ):
            self.moved += 1
        if x.shape != self.shape:
            if len(self.other_ndims) < 8:
                self.other_ndims.append(int(x.ndim))
            if x.size == int(np.prod(self.shape)):
                x = x.reshape(self.shape)
        return float(np.sum(self.c1 * np.sin(x) * x ** 2 + self.c2 * np.exp(0.3 * x))
                     + self.c3 * np.sum(x) ** 2 / x.size)


@kernel_side(uses=(SmoothFunction,))
def numgrad_on_strided_view(fn, cs, base, h):
    """fn(g, x, h) in the kernel with x = base[::2].T, a VIEW of base that is contiguous in no
    order (as W.T or W[:, ::2] are: an array sent to the kernel arrives contiguous, so the view is
    made here), g the grader's SmoothFunction watching x. {"grad": what fn returned, "moved": the
    calls of g whose argument differed from x, "calls": every call of g}."""
    import numpy as np

    x = np.asarray(base, dtype=float)[::2].T
    g = SmoothFunction(cs[0], cs[1], cs[2], x.shape)
    g.watch(x)
    out = fn(g, x, h)
    return {"grad": out, "moved": g.moved, "calls": g.calls}


def _check_numgrad_strided_view(submission, cs, rng) -> None:
    """The statement's x "de forme quelconque" holds arrays that are not contiguous in memory (a
    transposed matrix W.T, a slice W[:, ::2]). Drawn on purpose (blind answer): the entries
    shifted through plat = x.reshape(-1) (or x.ravel()), taken for a view of x: on such an x
    reshape returns a COPY, f always sees x unchanged, and the gradient is zero. Correct code
    (copies per entry, np.ndindex, np.nditer, x.flat) is right to ~1e-10 as on the other inputs.
    A Partial, as the other faults of a right central difference."""
    c1, c2, c3 = cs
    rows, cols = int(rng.integers(2, 4)), int(rng.integers(3, 5))
    base = rng.uniform(-2.0, 2.0, size=(2 * rows, cols))
    x = base[::2].T
    ref = torch_grads(
        lambda x: (
            torch.sum(c1 * torch.sin(x) * x**2 + c2 * torch.exp(0.3 * x))
            + c3 * torch.sum(x) ** 2 / x.numel()
        ),
        {"x": np.ascontiguousarray(x)},
    )["x"]
    record_expected("gradient_numerique on a strided view", ref)
    what = "gradient_numerique(g, x) pour une matrice x du correcteur non contiguë en mémoire (une vue, comme W.T ou W[:, ::2])"
    what_en = "gradient_numerique(g, x) for a grader matrix x that is not contiguous in memory (a view, as W.T or W[:, ::2])"
    out = numgrad_on_strided_view.call(submission, Ref("gradient_numerique"), [c1, c2, c3], base, 1e-5)
    if not isinstance(out, dict):
        return
    got = as_array(out.get("grad"), what, allow_nan=True)
    if got.shape == ref.shape:
        err = _scaled_rel_error(got, ref)
        record_margin("relative error of gradient_numerique on a strided view vs autograd", err, 1e-7,
                      higher_is_better=False, kind="tolerance")
        if err <= 1e-7:
            return
    moved, calls = out.get("moved"), out.get("calls")
    if isinstance(calls, int) and calls > 0 and moved == 0:
        # Its premise, recorded by g: f was called and never saw x perturbed.
        hint_fr = (
            "f a toujours reçu x inchangé : la perturbation ne l'atteint pas ; a.reshape(-1) et "
            "a.ravel() ne sont des vues de a que si a est contigu en mémoire (ordre C), et "
            "renvoient sinon une COPIE (la modifier ne modifie pas a) ; ici x ne l'est pas, et une "
            "copie faite par np.array(x, dtype=float) ou np.copy(x) garde sa disposition en "
            "mémoire ; perturbez le tableau passé à f par son indice (for i in np.ndindex(x.shape): "
            "xp[i] = ancien + h, …), ou partez d'une copie contiguë (np.ascontiguousarray(x, "
            "dtype=float), x.copy())"
        )
        hint_en = (
            "f always received x unchanged: the perturbation does not reach it; a.reshape(-1) and "
            "a.ravel() are views of a only when a is contiguous in memory (C order), and otherwise "
            "return a COPY (modifying it does not modify a); here x is not, and a copy made by "
            "np.array(x, dtype=float) or np.copy(x) keeps its memory layout; shift the array "
            "passed to f by its index (for i in np.ndindex(x.shape): xp[i] = old + h, ...), or "
            "start from a contiguous copy (np.ascontiguousarray(x, dtype=float), x.copy())"
        )
    else:
        hint_fr = (
            "le même calcul est juste sur une matrice contiguë : parcourez les composantes par "
            "leur indice dans x (np.ndindex(x.shape)), sans supposer que x.reshape(-1) ou "
            "x.ravel() soit une vue de x, et appelez f sur un tableau de la forme de x où seule la "
            "composante i est décalée"
        )
        hint_en = (
            "the same computation is right on a contiguous matrix: visit the entries by their "
            "index in x (np.ndindex(x.shape)), without assuming that x.reshape(-1) or x.ravel() "
            "is a view of x, and call f on an array of the shape of x where only entry i is shifted"
        )
    raise Partial(
        0.5,
        f"{what} : le gradient n'est pas celui des différences centrées ; {hint_fr}",
        f"{what_en}: the gradient is not the central-difference one; {hint_en}",
    )


def _check_numgrad_calls_f_on_x_shape(g, what: str, what_en: str) -> None:
    """The statement's contract, which the values on an elementwise g cannot show: f receives
    arrays of the shape of x (read from what the grader's g recorded in the kernel). A Partial,
    as the other faults of a right central difference (h ignored, the default h)."""
    ndims = g.get("other_ndims")
    if not isinstance(ndims, list) or not ndims:
        return
    flat = all(n == 1 for n in ndims if isinstance(n, int))
    raise Partial(
        0.5,
        f"{what} : gradient_numerique appelle f sur un tableau qui n'a pas la forme de x"
        + (" (un tableau aplati, à 1 dimension)" if flat else "")
        + " ; l'énoncé dit que f prend un tableau de la forme de x (la perte du notebook attend "
        "une matrice W1, pas un vecteur) : perturbez une copie de x de même forme (x[i] avec "
        "i dans np.ndindex(x.shape)) et appelez f sur cette copie, sans l'aplatir",
        f"{what_en}: gradient_numerique calls f on an array that does not have the shape of x"
        + (" (a flattened, 1-dimensional array)" if flat else "")
        + "; the statement says f takes an array of the shape of x (the notebook's loss expects "
        "a matrix W1, not a vector): shift a copy of x of the same shape (x[i] for i in "
        "np.ndindex(x.shape)) and call f on that copy, without flattening it",
    )


@pytest.mark.item("numerical_gradient", points=1)
def test_numerical_gradient_against_autograd(submission, rng):
    shape = [(3, 4), (2, 5), (4, 3)][int(rng.integers(0, 3))]  # a matrix, not only vectors
    c1, c2, c3 = (float(v) for v in rng.uniform(0.5, 2.0, size=3))
    g = SmoothFunction.call(submission, c1, c2, c3, list(shape))
    x = rng.uniform(-2.0, 2.0, size=shape)
    ref = torch_grads(
        lambda x: (
            torch.sum(c1 * torch.sin(x) * x**2 + c2 * torch.exp(0.3 * x))
            + c3 * torch.sum(x) ** 2 / x.numel()
        ),
        {"x": x},
    )["x"]
    what = "gradient_numerique(g, x) pour une matrice x du correcteur"
    what_en = "gradient_numerique(g, x) for a grader matrix x"
    got = as_array(submission.call("gradient_numerique", g, x, 1e-5), what, allow_nan=True)
    # x must come back as it was (the statement: a copy, or each entry restored): checked
    # first, so that an x shifted and never restored is not told "différence avant".
    # atol: x[i] += h then x[i] -= h restores x up to one rounding (~1e-16).
    assert_arguments_untouched(
        submission, "gradient_numerique", (g, x, 1e-5), {1: "x"}, atol=1e-12,
        hint_fr="travaillez sur une copie (x = np.array(x, dtype=float)) ou remettez x[i] = ancien "
        "après les deux évaluations",
        hint_en="work on a copy (x = np.array(x, dtype=float)) or set x[i] = old back after the "
        "two evaluations",
    )
    if got.shape != ref.shape:
        raise CheckFailed(
            f"{what} : ce n'est pas la forme de x ; le gradient a la forme "
            "de x (parcourez toutes les composantes, par exemple avec np.ndindex(x.shape))",
            f"{what_en}: not the shape of x; the gradient has the "
            "shape of x (visit every entry, e.g. with np.ndindex(x.shape))",
        )
    err = _scaled_rel_error(got, ref)
    record_margin("relative error of gradient_numerique vs autograd", err, 1e-7,
                  higher_is_better=False, kind="tolerance")
    if err <= 1e-7:
        _check_numgrad_calls_f_on_x_shape(g, what, what_en)
        _check_numgrad_uses_h(submission, g, x, (c1, c2, c3), ref, what, what_en)
        _check_numgrad_default_h_integer_point(submission, g, shape, (c1, c2, c3), rng)
        _check_numgrad_strided_view(submission, (c1, c2, c3), rng)
        return
    if allclose(got, 2.0 * ref, rtol=1e-4, atol=1e-10):
        hint_fr, hint_en = (
            "votre gradient vaut 2 fois le bon : la différence centrée se divise par 2h",
            "your gradient is twice the right one: the central difference is divided by 2h",
        )
    elif err <= 1e-2:
        cs = (c1, c2, c3)
        if any(_scaled_rel_error(got, _one_sided(x, cs, 1e-5, side)) <= 1e-7 for side in (1.0, -1.0)):
            # Its premise: the student's result is the grader's one-sided difference.
            hint_fr = ("utilisez (f(x + h e_i) − f(x − h e_i)) / (2h), pas la différence avant "
                       "(f(x + h e_i) − f(x)) / h ni arrière")
            hint_en = ("use (f(x + h e_i) − f(x − h e_i)) / (2h), not the forward difference "
                       "(f(x + h e_i) − f(x)) / h nor the backward one")
        else:
            hint_fr = ("chaque évaluation se fait en x ± h e_i, toutes les autres composantes à leur "
                       "valeur : remettez chaque composante à sa valeur après l'avoir perturbée "
                       "(x[i] = ancien), sur x comme sur une copie")
            hint_en = ("each evaluation is at x ± h e_i, every other entry at its value: set each "
                       "entry back after shifting it (x[i] = old), on x as on a copy")
        raise Partial(
            0.5,
            f"{what} : erreur relative {err:.1e} par rapport au gradient exact, trop grande pour "
            f"des différences centrées (≈ 1e-10 attendu) ; {hint_fr}",
            f"{what_en}: relative error {err:.1e} against the exact gradient, too large for "
            f"central differences (≈ 1e-10 expected); {hint_en}",
        )
    else:
        hint_fr, hint_en = (
            "pour chaque composante i de x (toutes, par exemple avec np.ndindex(x.shape)) : "
            "(f(x + h e_i) − f(x − h e_i)) / (2h), en remettant x[i] à sa valeur ensuite",
            "for every entry i of x (all of them, e.g. with np.ndindex(x.shape)): "
            "(f(x + h e_i) − f(x − h e_i)) / (2h), restoring x[i] afterwards",
        )
    raise CheckFailed(
        f"{what} : erreur relative {err:.1g} par rapport au gradient exact (autograd) ; {hint_fr}",
        f"{what_en}: relative error {err:.1g} against the exact gradient (autograd); {hint_en}",
    )


def _g_numpy(x: np.ndarray, cs) -> float:
    c1, c2, c3 = cs
    return float(np.sum(c1 * np.sin(x) * x**2 + c2 * np.exp(0.3 * x)) + c3 * np.sum(x) ** 2 / x.size)


def _one_sided(x: np.ndarray, cs, h: float, side: float) -> np.ndarray:
    """The forward (side = 1) or backward (side = −1) difference of the grader's g, step h."""
    out = np.zeros_like(x)
    g0 = _g_numpy(x, cs)
    for i in np.ndindex(x.shape):
        xs = x.copy()
        xs[i] += side * h
        out[i] = side * (_g_numpy(xs, cs) - g0) / h
    return out


def _check_numgrad_uses_h(submission, g, x, cs, exact, what, what_en) -> None:
    """With a large h (0.1) the central difference differs from the exact gradient by O(h²):
    the student's result must be the grader's central difference with that h. An h written in
    the function (1e-5) instead of the argument gives the exact gradient here (blind answer)."""
    h = 0.1
    central = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        central[i] = (_g_numpy(xp, cs) - _g_numpy(xm, cs)) / (2 * h)
    got = as_array(submission.call("gradient_numerique", g, x, h), what, allow_nan=True)
    if got.shape == central.shape and allclose(got, central, rtol=1e-6, atol=1e-9):
        return
    ignored = got.shape == exact.shape and _scaled_rel_error(got, exact) <= 1e-6
    raise Partial(
        0.5,
        f"{what} avec un grand pas h passé en argument : le résultat n'est pas la différence "
        "centrée de pas h"
        + (" ; il ne dépend pas de h : utilisez l'argument h reçu, pas une valeur écrite dans la "
           "fonction" if ignored else " ; (f(x + h e_i) − f(x − h e_i)) / (2h) avec le h reçu"),
        f"{what_en} with a large step h passed as argument: the result is not the central "
        "difference of step h"
        + ("; it does not depend on h: use the h argument, not a value written in the function"
           if ignored else "; (f(x + h e_i) − f(x − h e_i)) / (2h) with the h received"),
    )


def _check_numgrad_default_h_integer_point(submission, g, shape, cs, rng) -> None:
    """Called as a student calls it: without h (the signature's default h = 1e-5) at a point
    of integers (np.array([1, 2])). Copying x without converting it to float makes x[i] + h
    round back to x[i] and the gradient zero; a default h of order 1 leaves O(h²) errors of
    order 1 on this non-polynomial g. Correct code: ~1e-10, as with h passed."""
    c1, c2, c3 = cs
    x_int = rng.integers(-2, 3, size=shape)
    ref = torch_grads(
        lambda x: (
            torch.sum(c1 * torch.sin(x) * x**2 + c2 * torch.exp(0.3 * x))
            + c3 * torch.sum(x) ** 2 / x.numel()
        ),
        {"x": x_int.astype(np.float64)},
    )["x"]
    what = "gradient_numerique(g, x) sans h, pour une matrice x d'entiers du correcteur"
    what_en = "gradient_numerique(g, x) without h, for a grader matrix x of integers"
    got = as_array(submission.call("gradient_numerique", g, x_int), what, shape=ref.shape, allow_nan=True)
    err = _scaled_rel_error(got, ref)
    record_margin("relative error of gradient_numerique(g, x_int) vs autograd", err, 1e-7,
                  higher_is_better=False, kind="tolerance")
    if err <= 1e-7:
        return
    as_float_point = as_array(submission.call("gradient_numerique", g, x_int.astype(np.float64)),
                              what, shape=ref.shape, allow_nan=True)
    if _scaled_rel_error(as_float_point, ref) <= 1e-7:
        hint_fr = (
            "le même x en flottants donne le bon gradient : avec un tableau d'entiers, x[i] + h "
            "est arrondi à x[i] ; travaillez sur une copie en flottants, np.array(x, dtype=float), "
            "et créez grad après cette conversion"
        )
        hint_en = (
            "the same x as floats gives the right gradient: in an array of integers, x[i] + h "
            "rounds back to x[i]; work on a float copy, np.array(x, dtype=float), and create "
            "grad after that conversion"
        )
    else:
        hint_fr = (
            "avec h passé explicitement le gradient est juste : vérifiez la valeur par défaut de "
            "h dans la signature, def gradient_numerique(f, x, h=1e-5)"
        )
        hint_en = (
            "with h passed explicitly the gradient is right: check the default value of h in "
            "the signature, def gradient_numerique(f, x, h=1e-5)"
        )
    raise Partial(
        0.5,
        f"{what} : erreur relative {err:.1g} par rapport au gradient exact (autograd) ; {hint_fr}",
        f"{what_en}: relative error {err:.1g} against the exact gradient (autograd); {hint_en}",
    )


# ---------------------------------------------------------------- relative error


def _rel_error_ref(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


@pytest.mark.item("rel_error", points=0.5)
def test_erreur_relative_random_arrays(submission, rng):
    shape = (int(rng.integers(2, 6)), int(rng.integers(2, 6)))
    a = rng.normal(size=shape)
    cases = [
        (a, a + rng.uniform(0.1, 1.0, size=shape), "b > a partout", "b > a everywhere"),
        (a, a + rng.normal(0.0, 0.1, size=shape), "a, b aléatoires", "random a, b"),
        (np.zeros(shape), np.zeros(shape), "a = b = 0", "a = b = 0"),
        # Drawn on purpose: entries of opposite signs (on about half of them), where |a + b|
        # is not |a| + |b|; the random draws above held one on some grader variants only.
        (a, np.where(rng.random(size=shape) < 0.5, -1.0, 1.0) * a * rng.uniform(0.2, 0.8, size=shape),
         "a, b de signes opposés par endroits", "a, b of opposite signs in places"),
        # Drawn on purpose (blind answers): tiny values, not zero, |a| + |b| far below 1e-8, where
        # the floor decides the denominator (a denominator |a| + |b| + 1e-300 does not floor it).
        (1e-11 * rng.normal(size=shape), 1e-11 * rng.normal(size=shape),
         "a, b minuscules, |a| + |b| < 1e-8", "tiny a, b, |a| + |b| < 1e-8"),
    ]
    for x, y, label_fr, label_en in cases:
        expected = _rel_error_ref(x, y)
        got = as_float(submission.call("erreur_relative", x, y), "erreur_relative", allow_nan=True)
        record_expected(f"erreur_relative ({label_en})", expected)
        # rtol 1e-4: a guard written |a − b| / (|a| + |b| + 1e-8) instead of the floor moves
        # the result by 1e-8 / (|a| + |b|), up to ~1e-5 here, and float32 by ~1e-7; the mistakes
        # below (no absolute value, a mean, no floor) are off by factors, or nan. On the tiny
        # values that guard moves it by (|a| + |b|) / 1e-8, below 1 % (|a| + |b| < 1e-10 here):
        # rtol 3e-2 there; no floor at all is off by a factor of 100 or more. (Blind rounds 12
        # and 15 asked for that guard to fail around the floor: it is a numerical guard, kept
        # correct on purpose, as log(p + 1e-8) is.)
        rtol = 3e-2 if "<" in label_en else 1e-4
        if np.isclose(got, expected, rtol=rtol, atol=1e-15):
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            unfloored = float(np.max(np.abs(x - y) / (np.abs(x) + np.abs(y))))
        if np.isnan(got):
            hint_fr, hint_en = (
                "nan : pour a = b = 0 le dénominateur est nul ; le plancher max(1e-8, |a| + |b|) l'évite",
                "nan: for a = b = 0 the denominator is zero; the floor max(1e-8, |a| + |b|) avoids it",
            )
        elif np.isclose(got, float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x + y)))), rtol=1e-4) and (
            not np.isclose(expected, float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x + y)))), rtol=1e-4)
        ):
            hint_fr, hint_en = (
                "le dénominateur est |a| + |b|, la somme des valeurs absolues, pas |a + b| (qui "
                "s'annule quand a et b sont de signes opposés)",
                "the denominator is |a| + |b|, the sum of the absolute values, not |a + b| (which "
                "vanishes when a and b have opposite signs)",
            )
        elif "<" in label_en and np.isclose(got, unfloored, rtol=1e-3):
            # Its premise: the result is |a − b| / (|a| + |b|), no floor, on these tiny values.
            hint_fr, hint_en = (
                "ici |a| + |b| < 1e-8 : le dénominateur est max(1e-8, |a| + |b|), le plancher "
                "1e-8 remplace |a| + |b| quand il est plus petit (pas un epsilon négligeable "
                "ajouté pour éviter 0/0)",
                "here |a| + |b| < 1e-8: the denominator is max(1e-8, |a| + |b|), the floor 1e-8 "
                "replaces |a| + |b| when it is smaller (not a negligible epsilon added against 0/0)",
            )
        elif got < 0:
            hint_fr, hint_en = (
                "une erreur relative est positive : valeur absolue |a − b| au numérateur",
                "a relative error is non-negative: absolute value |a − b| in the numerator",
            )
        else:
            hint_fr, hint_en = (
                "le MAXIMUM sur toutes les composantes de |a − b| / max(1e-8, |a| + |b|)",
                "the MAXIMUM over all entries of |a − b| / max(1e-8, |a| + |b|)",
            )
        raise CheckFailed(
            f"erreur_relative ({label_fr}) : obtenu {got:.6g}, ce n'est pas la valeur attendue ; {hint_fr}",
            f"erreur_relative ({label_en}): got {got:.6g}, not the expected value; {hint_en}",
        )
    # The statement's rule (arguments not modified): diff = a; diff -= b gives the right value.
    a, b = cases[1][0], cases[1][1]
    assert_arguments_untouched(submission, "erreur_relative", (a, b), {0: "a", 1: "b"}, advice={
        name: (
            f"calculez np.abs(a − b) dans un nouveau tableau, sans écrire dans {name} (d = {name} "
            f"n'en est pas une copie : d -= …, d[…] = …, np.abs(d, out=d) modifient {name})",
            f"compute np.abs(a − b) into a new array, without writing to {name} (d = {name} is no "
            f"copy of it: d -= ..., d[...] = ..., np.abs(d, out=d) modify {name})",
        ) for name in ("a", "b")
    })


# ---------------------------------------------------------------- parameter count


@pytest.mark.item("count_params", points=0.5)
def test_nombre_parametres_matches_torch(submission, rng):
    for _ in range(3):
        depth = int(rng.integers(2, 6))
        widths = [int(v) for v in rng.integers(1, 300, size=depth)]
        layers: list[torch.nn.Module] = []
        for i, (a, b) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
            if i:
                layers.append(torch.nn.ReLU())
            layers.append(torch.nn.Linear(a, b))
        model = torch.nn.Sequential(*layers)
        got = submission.call("nombre_parametres", widths)
        if isinstance(got, (float, np.floating)) or (isinstance(got, np.ndarray) and got.dtype.kind == "f"):
            raise CheckFailed(
                "nombre_parametres renvoie un nombre à virgule (float) : l'énoncé demande un entier "
                "(int) ; comptez avec des entiers, ou renvoyez int(…)",
                "nombre_parametres returns a floating-point number: the statement asks for an "
                "integer (int); count with integers, or return int(...)",
            )
        hint_fr, hint_en = (
            "chaque couche n → h a n × h poids et h biais",
            "each layer n → h has n × h weights and h biases",
        )
        three = [widths[0], widths[1], widths[-1]]
        if len(widths) != 3 and isinstance(got, (int, np.integer)) and int(got) == sum(
            a * b + b for a, b in zip(three[:-1], three[1:], strict=True)
        ):
            # Its premise: the count is that of [largeurs[0], largeurs[1], largeurs[-1]].
            hint_fr, hint_en = (
                "votre compte est celui d'un réseau à une seule couche cachée (largeurs[0], "
                "largeurs[1], largeurs[-1]) : la liste peut avoir n'importe quelle longueur ; "
                "sommez sur toutes les paires de largeurs consécutives",
                "your count is that of a network with one hidden layer (largeurs[0], largeurs[1], "
                "largeurs[-1]): the list may have any length; sum over every pair of consecutive widths",
            )
        assert_param_count(
            got,
            count_parameters(model),
            breakdown=param_breakdown(model),
            name="nombre_parametres(largeurs) pour l'une des listes de largeurs du correcteur",
            hint_fr=hint_fr,
            hint_en=hint_en,
        )
    # Drawn on purpose (blind answer: [h0] counted as h0 biases): a list of ONE width. The
    # statement's P = Σ_{i=0}^{l−1} (h_i × h_{i+1} + h_{i+1}) for [h_0, ..., h_l] "quelconque" is
    # an empty sum when l = 0: a network of one width has no layer, hence no parameter.
    single = [int(rng.integers(2, 300))]
    record_expected("nombre_parametres of one width", 0)
    what = "nombre_parametres(largeurs) pour une liste d'UNE seule largeur du correcteur"
    what_en = "nombre_parametres(largeurs) for a grader list of ONE width"
    one_fr = (
        "une seule largeur [h_0], c'est l = 0 : aucune couche, donc aucun paramètre, la somme de "
        "l'énoncé sur les couches est vide (sum(...) d'une liste vide, ou zip(largeurs[:-1], "
        "largeurs[1:]) qui ne donne aucune paire) ; ne comptez des biais que pour les couches"
    )
    one_en = (
        "a single width [h_0] is l = 0: no layer, hence no parameter, the statement's sum over the "
        "layers is empty (sum(...) of an empty list, or zip(largeurs[:-1], largeurs[1:]) giving no "
        "pair); count biases for layers only"
    )
    try:
        got = submission.call("nombre_parametres", list(single))
    except StudentError as exc:
        raise CheckFailed(f"{what} : {exc.message.fr} ; {one_fr}", f"{what_en}: {exc.message.en}; {one_en}") from None
    floating = isinstance(got, (float, np.floating)) or (isinstance(got, np.ndarray) and got.dtype.kind == "f")
    if floating and np.ndim(got) == 0 and float(got) == 0.0:
        # The count is right, its type is not (blind answer: np.sum([...]) of an empty list is the
        # float 0.0, while a non-empty list of ints gives an np.int64): the type is named, never
        # the count or the biases (round 21's message blamed the biases).
        raise CheckFailed(
            f"{what} : nombre_parametres renvoie un nombre à virgule (float), pas un entier : "
            "l'énoncé demande un entier (int) ; np.sum d'une liste vide renvoie le float 0.0 "
            "(une liste d'une seule largeur ne donne aucune paire) : renvoyez int(…), ou sommez "
            "avec la fonction Python sum(…), qui donne l'entier 0 sur une liste vide",
            f"{what_en}: nombre_parametres returns a floating-point number (float), not an "
            "integer: the statement asks for an integer (int); np.sum of an empty list returns "
            "the float 0.0 (a list of one width gives no pair): return int(...), or sum with "
            "Python's sum(...), which gives the integer 0 on an empty list",
        )
    if not isinstance(got, (int, np.integer)) or int(got) != 0:
        raise CheckFailed(f"{what} : le compte n'est pas celui d'un réseau sans couche ; {one_fr}",
                          f"{what_en}: the count is not that of a network without layers; {one_en}")
    # Drawn on purpose (blind answer): widths whose product passes 2**31 (50 000² > 2**31), a
    # count that 32-bit integers (np.int32, NumPy's default int on Windows) wrap around. Counted by the formula:
    # a torch model of this size would take gigabytes.
    big = [int(rng.integers(50_000, 70_000)), int(rng.integers(50_000, 70_000)), int(rng.integers(2, 20))]
    want = mlp_param_count(big)
    got = submission.call("nombre_parametres", big)
    hint_fr, hint_en = (
        "chaque couche n → h a n × h poids et h biais",
        "each layer n → h has n × h weights and h biases",
    )
    if isinstance(got, (int, np.integer)) and int(got) != want and (int(got) - want) % 2**32 == 0:
        # Its premise: the count is the right one modulo 2**32, a 32-bit integer overflow.
        hint_fr, hint_en = (
            "le compte a débordé : des entiers 32 bits (np.int32) ne dépassent pas 2**31 − 1 ; "
            "comptez avec des entiers Python (int), sans tableau NumPy d'entiers 32 bits",
            "the count overflowed: 32-bit integers (np.int32) stop at 2**31 − 1; count with "
            "Python integers (int), without a NumPy array of 32-bit integers",
        )
    assert_param_count(
        got, want,
        name="nombre_parametres(largeurs) pour une liste de très grandes largeurs du correcteur",
        hint_fr=hint_fr, hint_en=hint_en,
    )
    # The statement's rule (arguments not modified): a loop that pops the caller's list, or one
    # that reverses it first, counts right and leaves it changed. The advice names no write the
    # student may not have made; what the list came back as (emptied, reversed, sorted), read in
    # the kernel, is said when it is one of those (its premise).
    changed = changed_argument_names(submission, "nombre_parametres", (list(widths),), {0: "largeurs"})
    if changed:
        raise arguments_changed(
            "nombre_parametres", changed,
            {"largeurs": (
                "lisez la liste sans la modifier (ni pop, ni del, ni reverse, ni sort, ni "
                "largeurs[i] = …) : parcourez zip(largeurs[:-1], largeurs[1:]), ou travaillez sur "
                "une copie, list(largeurs)",
                "read the list without modifying it (no pop, del, reverse, sort, or "
                "largeurs[i] = ...): walk zip(largeurs[:-1], largeurs[1:]), or work on a copy, "
                "list(largeurs)",
            )},
            extra=_list_write_seen(submission, widths),
        )


def _list_write_seen(submission, widths: list[int]) -> tuple[str, str] | None:
    """What nombre_parametres left in the caller's list, when it is a known write: shorter
    (pop, del, remove), in reverse order (reverse, [::-1] assigned back) or sorted (sort)."""
    after = arguments_after_call(submission, "nombre_parametres", (list(widths),), [0])
    first = after[0] if after else None
    if not first or not isinstance(first[0], (list, tuple)):
        return None
    try:
        left = [int(np.asarray(v)) for v in first[0]]
    except (TypeError, ValueError):
        return None
    if len(left) < len(widths):
        return ("la liste revient raccourcie (des largeurs retirées : pop, del, remove ?)",
                "the list comes back shorter (widths removed: pop, del, remove?)")
    if left == widths[::-1] != widths:
        return ("la liste revient dans l'ordre inverse (largeurs.reverse() ?) : renversez une "
                "copie, largeurs[::-1], si vous partez de la sortie",
                "the list comes back in reverse order (largeurs.reverse()?): reverse a copy, "
                "largeurs[::-1], if you start from the output")
    if left == sorted(widths) != widths:
        return ("la liste revient triée (largeurs.sort() ?) : l'ordre des couches compte",
                "the list comes back sorted (largeurs.sort()?): the order of the layers matters")
    return None
