"""Hidden checks, part 2: conv2d and max-pooling from scratch, and translation equivariance.

Shapes, strides, paddings and values are drawn from the grader's `rng`; the references
are `F.conv2d` / `F.max_pool2d` and their autograd gradients, computed here in float64.
Student functions run through a trusted kernel-side guard that switches PyTorch's own
convolution and pooling off during the call, and gradients are taken in the kernel by a
trusted helper (the student's code must be written with torch operations for them to
flow). For equivariance, the grader shifts the inputs itself, calls the student's
`conv2d` and measures; the student's `erreur_equivariance` is graded on functions the
grader defines in the kernel.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.checks import (
    CheckFailed,
    StudentError,
    SubmissionError,
    Tensor,
    as_array,
    as_float,
    assert_arguments_untouched,
    assert_close,
    assert_gradient_close,
    fmt_order,
    kernel_side,
    record_expected,
    record_margin,
    relabel,
    student_failure,
)

from ..public.helpers import (
    CONV_LAYOUT,
    EQ_GENERIC,
    GUARD,
    conv_hint,
    conv_layout_mistake,
    conv_mistakes,
    equivariance_diagnosis,
    equivariance_mistakes,
    notebook_data_hint,
    pool_mistakes,
    shape_hint,
    t64,
    translate,
    values_indices_failure,
)

# Trusted kernel-side helpers: gradients of a student function called through the guard,
# and the grader's functions for `erreur_equivariance`.


@kernel_side
def gradients(garde, nom, entrees, poids, **kwargs):
    """Gradients of Σ poids ⊙ nom(*entrees, **kwargs), the student's `nom` called through
    the guard `garde` (GUARD.install), on fresh leaves; None becomes zeros."""
    import torch

    feuilles = [t.detach().clone().requires_grad_(True) for t in entrees]
    sortie = garde(nom, *feuilles, **kwargs)
    if not isinstance(sortie, torch.Tensor):
        raise TypeError("TP03_PAS_TENSEUR " + type(sortie).__name__)
    if not sortie.requires_grad:
        raise TypeError("TP03_SANS_GRADIENT")
    if tuple(sortie.shape) != tuple(poids.shape):
        raise ValueError("TP03_FORME " + str(tuple(sortie.shape)))
    grads = torch.autograd.grad((sortie * poids.to(sortie.dtype)).sum(), feuilles, allow_unused=True)
    return [torch.zeros_like(f) if g is None else g for f, g in zip(feuilles, grads, strict=True)]


@kernel_side
def grader_function(genre, poids):
    """The grader's function of kind `genre` (conv, conv_relu, gain, dense), kept in the
    kernel: the grader gets a Handle to pass to the student's `erreur_equivariance`."""
    import torch
    import torch.nn.functional as F

    if genre == "conv":
        return lambda z: F.conv2d(z, poids.to(z.dtype), padding=poids.shape[-1] // 2)
    if genre == "conv_relu":
        return lambda z: torch.relu(F.conv2d(z, poids.to(z.dtype), padding=poids.shape[-1] // 2))
    if genre == "gain":
        return lambda z: z * poids.to(z.dtype)
    if genre == "pool2":
        return lambda z: F.max_pool2d(z * poids.to(z.dtype), 2)
    return lambda z: (z.reshape(z.shape[0], -1) @ poids.to(z.dtype)).reshape(z.shape)


_NO_GRAD_FR = (
    "ne laisse pas passer le gradient : écrivez-la uniquement avec des opérations PyTorch sur "
    "les tenseurs reçus (pas de .numpy(), pas de NumPy, pas de .detach() ; pas de valeurs "
    "extraites par float(…), .item() ou .tolist() puis remises dans un nouveau tenseur par "
    "torch.tensor(…), qui coupent le graphe aussi) pour que l'autograd puisse la dériver"
)
_NO_GRAD_EN = (
    "does not let the gradient through: write it with PyTorch operations only on the tensors "
    "it receives (no .numpy(), no NumPy, no .detach(); no values taken out by float(...), "
    ".item() or .tolist() and put back in a new tensor by torch.tensor(...), which cut the "
    "graph too) so that autograd can differentiate it"
)


def _student_error(
    name: str,
    exc: StudentError,
    expected_shape: tuple[int, ...] | None = None,
    args: tuple = (),
    kwargs: dict | None = None,
) -> CheckFailed:
    forbidden = GUARD.failure(name, exc)  # through `gradients`, which calls the guard
    if forbidden is not None:
        return forbidden
    if "TP03_SANS_GRADIENT" in exc.evalue or "numpy()" in exc.evalue:
        return CheckFailed(f"{name} {_NO_GRAD_FR}", f"{name} {_NO_GRAD_EN}")
    if "TP03_PAS_TENSEUR" in exc.evalue:
        kind = exc.evalue.split()[-1]
        pair = values_indices_failure(name, kind=kind)
        if pair is not None:
            return pair
        return CheckFailed(
            f"{name} doit renvoyer un torch.Tensor, obtenu {kind} ; {_NO_GRAD_FR}",
            f"{name} must return a torch.Tensor, got {kind}; {_NO_GRAD_EN}",
        )
    if "TP03_FORME" in exc.evalue:
        if expected_shape is not None:
            record_expected(f"{name} output shape", tuple(expected_shape), shape=True)
        # Hidden input: the output size is an answer of its own (taille_sortie), not shown.
        return CheckFailed(
            f"{name} renvoie une sortie qui n'a pas la forme de celle de PyTorch : corrigez d'abord "
            "les valeurs (voir les autres vérifications)",
            f"{name} returns an output whose shape is not PyTorch's: fix the values "
            "first (see the other checks)",
        )
    return student_failure(name, exc, hint=shape_hint(name, exc, args, kwargs))


def _guarded(submission, name: str, *args, **kwargs):
    try:
        return GUARD.call(submission, name, *args, **kwargs)
    except StudentError as exc:
        raise _student_error(name, exc, args=args, kwargs=kwargs) from None


def _no_bias_failure(what: str, exc: StudentError) -> CheckFailed | None:
    """conv2d called without b crashed on None (b[None, :, None, None], b.view(…) with no
    `if b is not None`): the statement's b=None means "pas de biais" (blind round 11: the
    generic message blamed a missing return)."""
    if exc.ename not in ("TypeError", "AttributeError") or "NoneType" not in exc.evalue:
        return None
    return CheckFailed(
        f"{what} : conv2d a levé {exc.ename} ({exc.evalue[:120]}) ; b vaut None (pas de biais, la "
        "valeur par défaut de la signature) : n'ajoutez le biais que s'il est donné, "
        "`if b is not None:`",
        f"{what}: conv2d raised {exc.ename} ({exc.evalue[:120]}); b is None (no bias, the "
        "signature's default): add the bias only when it is given, `if b is not None:`",
    )


def _plain(submission, name: str, *args, **kwargs):
    """A direct call (no guard): equivariance is measured on whatever conv2d computes."""
    try:
        return submission.call(name, *args, **kwargs)
    except StudentError as exc:
        raise _student_error(name, exc, args=args, kwargs=kwargs) from None


def _student_grads(submission, name: str, inputs: list[np.ndarray], weights: np.ndarray, **kwargs):
    try:
        out = gradients.call(
            submission, GUARD.install(submission), name, [Tensor(a) for a in inputs], Tensor(weights), **kwargs
        )
    except StudentError as exc:
        raise _student_error(name, exc, weights.shape, tuple(Tensor(a) for a in inputs), kwargs) from None
    except SubmissionError as exc:
        raise relabel(exc, gradients.ref_name, name) from None
    if not isinstance(out, list) or len(out) != len(inputs):
        raise CheckFailed(f"{name} : gradients illisibles", f"{name}: unreadable gradients")
    return out


# ---------------------------------------------------------------- conv2d


def _conv_ref(x, w, b, stride, padding) -> np.ndarray:
    return F.conv2d(t64(x), t64(w), t64(b), stride=stride, padding=padding).numpy()


def _same_dtype(raw: object, what: str, check: bool, allow_nan: bool = False) -> np.ndarray:
    if check and isinstance(raw, np.ndarray) and raw.dtype.kind == "f" and raw.dtype != np.float64:
        raise CheckFailed(
            f"{what} : x est en float64 mais la sortie est en {raw.dtype} : l'énoncé demande une "
            "sortie du même type (dtype) que x ; ne convertissez pas (pas de .float(), ni de "
            "dtype=torch.float32 pour la sortie), et créez un tenseur de sortie avec dtype=x.dtype "
            "(torch.zeros, torch.full et torch.empty sont en float32 par défaut)",
            f"{what}: x is float64 but the output is {raw.dtype}: the statement asks for an output "
            "of the same dtype as x; do not convert (no .float(), no dtype=torch.float32 for the "
            "output), and create an output tensor with dtype=x.dtype (torch.zeros, torch.full and "
            "torch.empty are float32 by default)",
        )
    return as_array(raw, what, allow_nan=allow_nan)


def _check_conv(submission, x, w, b, stride, padding, *, defaults: bool = False, dtype: bool = False) -> None:
    """With `defaults`, stride=1 and padding=0 are left to the signature's defaults. x, w and
    b are float64: the output must be too (the statement: "du même type (dtype) que x")."""
    assert not defaults or (stride, padding) == (1, 0), "defaults only for stride 1, padding 0"
    args = [Tensor(x), Tensor(w)] + ([Tensor(b)] if b is not None else [])
    if defaults:
        what = (
            f"conv2d(x, w{', b' if b is not None else ''}) sur des entrées du correcteur"
        )
        try:
            raw = GUARD.call(submission, "conv2d", *args)
        except StudentError as exc:
            raise (b is None and _no_bias_failure(what, exc) or _student_error("conv2d", exc, args=tuple(args))) from None
        got = _same_dtype(raw, what, dtype)
    else:
        what = (
            f"conv2d(x, w, {'b' if b is not None else 'b=None'}, stride={stride}, padding={padding}) "
            "sur des entrées du correcteur"
        )
        got = _same_dtype(_guarded(submission, "conv2d", *args, stride=stride, padding=padding), what, dtype)
    ref = _conv_ref(x, w, b, stride, padding)
    wrong = conv_mistakes(x, w, b, stride, padding)
    record_expected(f"{what} shape", ref.shape, shape=True)
    if got.shape != ref.shape:
        hint_fr = "(N, C_out, H_out, W_out) avec H_out = ⌊(H − k_y + 2p)/s⌋ + 1 et W_out = ⌊(W − k_x + 2p)/s⌋ + 1"
        hint_en = "(N, C_out, H_out, W_out) with H_out = ⌊(H − k_y + 2p)/s⌋ + 1 and W_out = ⌊(W − k_x + 2p)/s⌋ + 1"
        if defaults:
            hint_fr = (
                "appelée sans stride ni padding, conv2d doit valoir la convolution de stride 1 sans "
                "padding : gardez les valeurs par défaut de la signature (stride=1, padding=0)"
            )
            hint_en = (
                "called without stride or padding, conv2d must be the stride-1 convolution "
                "without padding: keep the signature's defaults (stride=1, padding=0)"
            )
        for out, fr, en in wrong:
            if out.shape == got.shape:
                hint_fr, hint_en = fr, en
                break
        raise CheckFailed(
            f"{what} : la forme de la sortie n'est pas celle de PyTorch ; {hint_fr}",
            f"{what}: the output's shape is not PyTorch's; {hint_en}",
        )
    hint_fr, hint_en = conv_hint(got, wrong)
    assert_close(
        got,
        ref,
        name=what,
        rtol=1e-5,
        atol=1e-7 * max(1.0, float(np.abs(ref).max())),
        hint_fr=hint_fr,
        hint_en=hint_en,
    )


def _conv_case(rng, *, stride: int, padding: int):
    """Random conv inputs on which every classic mistake changes the result.

    H ≠ W and k_y ≠ k_x so that swapped axes cannot go unnoticed; with a stride, the last
    window is dropped on at least one axis (the floor matters).
    """
    for _ in range(10_000):
        n, c_in, c_out = int(rng.integers(1, 4)), int(rng.integers(1, 5)), int(rng.integers(2, 6))
        H, W = (int(v) for v in rng.integers(5, 12, size=2))
        ky, kx = (int(v) for v in rng.integers(1, 5, size=2))
        if H == W or ky == kx or max(ky, kx) < 2:
            continue
        if (
            stride > 1
            and (H - ky + 2 * padding) % stride == 0
            and (W - kx + 2 * padding) % stride == 0
        ):
            continue
        x = rng.normal(size=(n, c_in, H, W))
        w = rng.normal(size=(c_out, c_in, ky, kx))
        b = rng.normal(size=c_out)
        ref = _conv_ref(x, w, b, stride, padding)
        if all(
            out.shape != ref.shape or not np.allclose(out, ref, rtol=1e-3, atol=1e-3)
            for out, _, _ in conv_mistakes(x, w, b, stride, padding)
        ):
            return x, w, b
    raise RuntimeError(f"no conv case for stride={stride}, padding={padding}")  # a bug in the check


@pytest.mark.item("conv2d", points=1)
def test_conv2d_matches_torch(submission, rng):
    """Once with stride and padding passed, once left to the signature's defaults (a default
    padding of 1 kept every point while every call passed it), b included: conv2d(x, w) on a
    float64 x, without a bias, must give float64 (blind round 11: a float32 buffer,
    torch.zeros(…) without dtype=x.dtype, came back float64 once a float64 bias was added to
    it, and a b that must not be None went unseen)."""
    for defaults in (False, True):
        x, w, b = _conv_case(rng, stride=1, padding=0)
        _check_conv(submission, x, w, None if defaults else b, 1, 0, defaults=defaults, dtype=True)


@pytest.mark.item("conv2d", points=1)
def test_conv2d_stride_and_padding(submission, rng):
    for stride, padding in ((2, 1), (3, 2), (int(rng.integers(2, 4)), 1)):
        x, w, b = _conv_case(rng, stride=stride, padding=padding)
        _check_conv(submission, x, w, b, stride, padding)
    # The statement's rule ("vos fonctions ne doivent pas modifier leurs arguments"): a bias
    # reshaped with b.unsqueeze_ gives the right values and changes the caller's b.
    watched = {0: "x", 1: "w"} if b is None else {0: "x", 1: "w", 2: "b"}
    assert_arguments_untouched(
        submission, "conv2d", (Tensor(x), Tensor(w), None if b is None else Tensor(b), stride, padding), watched,
        hint_fr="mettez le biais en forme dans un nouveau tenseur, b.view(-1, 1, 1) ou b[:, None, None], "
        "sans unsqueeze_ ni opération sur place",
        hint_en="reshape the bias into a new tensor, b.view(-1, 1, 1) or b[:, None, None], without "
        "unsqueeze_ or any in-place operation",
    )


def _autograd_grads(fn, inputs: list[np.ndarray], weights: np.ndarray) -> list[np.ndarray]:
    leaves = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in inputs]
    out = fn(*leaves)
    grads = torch.autograd.grad((out * torch.tensor(weights)).sum(), leaves)
    return [g.numpy().copy() for g in grads]


@pytest.mark.item("conv2d", points=1)
def test_conv2d_gradients_match_autograd(submission, rng):
    stride, padding = 2, 1
    x, w, b = _conv_case(rng, stride=stride, padding=padding)
    ref = _conv_ref(x, w, b, stride, padding)
    weights = rng.normal(size=ref.shape)
    expected = _autograd_grads(
        lambda xt, wt, bt: F.conv2d(xt, wt, bt, stride=stride, padding=padding), [x, w, b], weights
    )
    got = _student_grads(submission, "conv2d", [x, w, b], weights, stride=stride, padding=padding)
    what = f"conv2d(x, w, b, stride={stride}, padding={padding})"
    values_right = _values_right(submission, x, w, b, stride, padding, ref)
    for label, g, e in zip(("x", "w", "b"), got, expected, strict=True):
        grad = as_array(g, f"d{label}", allow_nan=True)
        if not values_right:
            hint_fr = ("si les valeurs de conv2d sont justes, l'autograd donne les bons gradients : "
                       "corrigez d'abord les valeurs")
            hint_en = "if conv2d's values are right, autograd gives the right gradients: fix the values first"
        elif grad.shape == e.shape and not np.any(grad):
            # Right values, no gradient at all for this input: it went through .detach() or .data.
            hint_fr = (f"les valeurs de conv2d sont justes, mais aucun gradient n'atteint {label} : "
                       f"{label} est détaché du graphe ({label}.detach(), {label}.data ou un passage par "
                       f"NumPy) ; utilisez {label} lui-même dans les opérations PyTorch")
            hint_en = (f"conv2d's values are right, but no gradient reaches {label}: {label} is "
                       f"detached from the graph ({label}.detach(), {label}.data or a trip through "
                       f"NumPy); use {label} itself in the PyTorch operations")
        else:
            hint_fr = (f"les valeurs de conv2d sont justes, mais pas le gradient par rapport à {label} : "
                       f"une partie du calcul sur {label} échappe à l'autograd (.detach(), .data, "
                       "NumPy, une opération sur place)")
            hint_en = (f"conv2d's values are right, but not the gradient with respect to {label}: part "
                       f"of the computation on {label} escapes autograd (.detach(), .data, NumPy, an "
                       "in-place operation)")
        assert_gradient_close(
            f"gradient par rapport à {label} de Σ poids ⊙ {what}",
            grad,
            e,
            # 1e-4: float32 code passes the value checks (rtol 1e-5) and its gradients, summed
            # over overlapping windows, come back in float64 with float32 precision (~1e-6);
            # a gradient that autograd cannot follow is off by O(1).
            tol=1e-4,
            hint_fr=hint_fr,
            hint_en=hint_en,
            reference_fr="de celui de F.conv2d (autograd)",
            reference_en="F.conv2d's (autograd)",
            show_values=False,
        )


def _values_right(submission, x, w, b, stride, padding, ref) -> bool:
    """Whether conv2d's values on these inputs are F.conv2d's (what the gradient hint rests on)."""
    try:
        got = as_array(_guarded(submission, "conv2d", Tensor(x), Tensor(w), Tensor(b), stride=stride, padding=padding),
                       "conv2d")
    except CheckFailed:
        return False
    return got.shape == ref.shape and bool(
        np.allclose(got, ref, rtol=1e-5, atol=1e-7 * max(1.0, float(np.abs(ref).max())))
    )


# ---------------------------------------------------------------- max-pooling


def _pool_case(rng, *, padding: bool, stride: int | None | str = "random", k: int = 0, half: bool = False):
    """Random pooling inputs on which every classic mistake changes the result.

    With `half`, an even k and p = k/2, PyTorch's largest padding (blind round 20): the only
    padding where a window may hold padded cells and no border cell of x beside them, so the
    only one that tells −∞ from a copy of the image (F.pad's mode="reflect" is right whenever
    k ≥ 2p + 1, and the random draws may hold no p = k/2 at a variant)."""
    size = k
    for _ in range(10_000):
        k = size or (int(rng.choice([2, 4])) if half else int(rng.integers(2, 5)))
        # "random": a stride other than k on purpose (the default, None, has cases of its
        # own): with s = k, a stride argument ignored gives the right windows (variant 12).
        strides = [v for v in (1, 2, 3) if v != k]
        s = strides[int(rng.integers(0, len(strides)))] if stride == "random" else stride
        p = (k // 2 if half else int(rng.integers(1, k // 2 + 1))) if padding else 0
        # Two channels or more on purpose: a max taken over the channels too shows (variant 13).
        n, c = int(rng.integers(1, 3)), int(rng.integers(2, 4))
        H, W = (int(v) for v in rng.integers(k + 2, 12, size=2))
        if H == W:
            continue
        x = rng.normal(size=(n, c, H, W)) - 1.0  # mostly negative: a zero padding would win
        ref = _pool_ref(x, k, s, p)
        if all(
            out.shape != ref.shape or not np.allclose(out, ref, rtol=1e-3, atol=1e-3)
            for out, _, _ in _pool_wrong_answers(x, k, s, p)
        ):
            return x, k, s, p
    raise RuntimeError("no pooling case")  # a bug in the check


def _pool_ref(x, k, stride, p) -> np.ndarray:
    return F.max_pool2d(t64(x), k, stride=stride, padding=p).numpy()


def _pool_wrong_answers(x, k, stride, p):
    xt = t64(x)
    s = k if stride is None else stride
    out = []
    if p:
        out.append(
            (
                F.max_pool2d(F.pad(xt, (p, p, p, p)), k, stride=s),
                "le padding d'un max-pooling ajoute des −∞, pas des zéros : un zéro gagne le "
                'maximum d\'une fenêtre de valeurs négatives (F.pad(x, (p, p, p, p), value=float("-inf")))',
                "a max-pooling's padding adds −∞, not zeros: a zero wins the maximum of a window of "
                'negative values (F.pad(x, (p, p, p, p), value=float("-inf")))',
            )
        )
    if p and 2 * p == k:
        # Blind round 20: padding by copies of the image (mode="reflect": row −1 copies row 1)
        # equals −∞ while k ≥ 2p + 1 (row 1 lies in the window already), not at p = k/2. Only
        # there: elsewhere it is a right answer and `_pool_case` would find no case.
        out.append(
            (
                F.max_pool2d(F.pad(xt, (p, p, p, p), mode="reflect"), k, stride=s),
                "le padding d'un max-pooling ajoute des −∞ : un padding par réflexion (F.pad(…, "
                'mode="reflect")) recopie des valeurs de l\'intérieur de l\'image, qui gagnent une '
                "fenêtre de bord qui ne les contient pas (avec p = k/2) ; "
                'F.pad(x, (p, p, p, p), value=float("-inf"))',
                "a max-pooling's padding adds −∞: a reflection padding (F.pad(..., mode=\"reflect\")) "
                "copies values from inside the image, which win a border window that does not hold "
                'them (with p = k/2); F.pad(x, (p, p, p, p), value=float("-inf"))',
            )
        )
    if stride is None:
        out.append(
            (
                F.max_pool2d(xt, k, stride=1, padding=p),
                "stride=None signifie stride = k (comme dans PyTorch), pas 1",
                "stride=None means stride = k (as in PyTorch), not 1",
            )
        )
    out.append(
        (
            F.avg_pool2d(xt, k, stride=s, padding=p),
            "c'est une moyenne : le max-pooling prend le maximum de chaque fenêtre",
            "that is an average: max-pooling takes the maximum of each window",
        )
    )
    return [(o.numpy(), fr, en) for o, fr, en in out] + pool_mistakes(x, k, stride, p)


def _check_pool(submission, x, k, stride, p) -> None:
    """x is float64: the output must be too ("mêmes règles que pour conv2d"; blind round 7: an
    output buffer made by torch.full, float32 by default, kept every point)."""
    what = f"max_pool2d(x, k={k}, stride={stride}, padding={p}) sur un x du correcteur"
    # Non-finite values are read too (a −∞ window of a padding put on one side only), so that
    # the mistake they come from is named (blind round 11: "valeurs non finies" only).
    raw = _guarded(submission, "max_pool2d", Tensor(x), k, stride=stride, padding=p)
    pair = values_indices_failure("max_pool2d", raw)
    if pair is not None:
        raise pair
    got = _same_dtype(raw, what, True, allow_nan=True)
    ref = _pool_ref(x, k, stride, p)
    wrong = _pool_wrong_answers(x, k, stride, p)
    hint_fr = "le maximum de chaque fenêtre k×k, qui avance de s = k par défaut ; padding par −∞"
    hint_en = "the maximum of each k×k window, moving by s = k by default; padding with −∞"
    matched = False
    for out, fr, en in wrong:
        if out.shape == got.shape and (got.shape != ref.shape or np.allclose(got, out)):
            hint_fr, hint_en, matched = fr, en, True
            break
    record_expected(f"{what} shape", ref.shape, shape=True)
    if got.shape != ref.shape:
        raise CheckFailed(
            f"{what} : la forme de la sortie n'est pas celle de PyTorch ; {hint_fr}",
            f"{what}: the output's shape is not PyTorch's; {hint_en}",
        )
    if not np.isfinite(got).all():
        if not matched:
            as_array(got, what)  # the library's message: non-finite values, and where
        where = [int(v) for v in np.argwhere(~np.isfinite(got))[0]]
        raise CheckFailed(
            f"{what} : la sortie contient des valeurs non finies (−∞, +∞ ou NaN), p. ex. en {where} ; {hint_fr}",
            f"{what}: the output contains non-finite values (−∞, +∞ or NaN), e.g. at {where}; {hint_en}",
        )
    assert_close(got, ref, name=what, rtol=1e-6, atol=1e-9, hint_fr=hint_fr, hint_en=hint_en)


@pytest.mark.item("max_pool", points=1)
def test_max_pool_matches_torch(submission, rng):
    cases = [
        _pool_case(rng, padding=False),
        _pool_case(rng, padding=True),
        _pool_case(rng, padding=True, stride=None),  # the default stride, with padding
        _pool_case(rng, padding=False, stride=None),
        _pool_case(rng, padding=True, half=True),  # p = k/2, at every variant (blind round 20)
    ]
    for i in rng.permutation(len(cases)):
        _check_pool(submission, *cases[i])
    # The statement's rule on arguments (blind round 7: x -= min(x) − 1 to pad with zeros, the
    # result shifted back: right values, the caller's x changed).
    x, k, stride, p = cases[1]
    assert_arguments_untouched(
        submission, "max_pool2d", (Tensor(x), k, stride, p), {0: "x"},
        hint_fr="travaillez sur un nouveau tenseur (F.pad(x, …, value=float(\"-inf\")), x - c), sans "
        "opération sur place sur x (x -= …, x.sub_, x[...] = …)",
        hint_en="work on a new tensor (F.pad(x, ..., value=float(\"-inf\")), x - c), without any "
        "in-place operation on x (x -= ..., x.sub_, x[...] = ...)",
    )


@pytest.mark.item("max_pool", points=1)
def test_max_pool_gradients_match_autograd(submission, rng):
    x, k, stride, p = _pool_case(rng, padding=True, stride=2, k=3)  # overlapping windows, −∞ border
    ref = _pool_ref(x, k, stride, p)
    weights = rng.normal(size=ref.shape)
    expected = _autograd_grads(
        lambda xt: F.max_pool2d(xt, k, stride=stride, padding=p), [x], weights
    )
    (got,) = _student_grads(submission, "max_pool2d", [x], weights, k=k, stride=stride, padding=p)
    assert_gradient_close(
        f"gradient par rapport à x de Σ poids ⊙ max_pool2d(x, k={k}, stride={stride}, padding={p})",
        as_array(got, "dx", allow_nan=True),
        expected[0],
        # 1e-4, as for conv2d: a float32 max_pool2d (an output buffer without dtype=x.dtype, a
        # fault the values check names) routes the gradient right and comes back with float32
        # precision, up to ~2e-6 where windows overlap (blind round 16: at 1e-6 it lost this
        # point too, told the routing hint); a wrong routing is off by O(1).
        tol=1e-4,
        hint_fr="le gradient d'un maximum va tout entier à l'élément qui l'atteint (et s'additionne "
        "quand les fenêtres se recouvrent) : si les valeurs sont justes, l'autograd le fait pour vous",
        hint_en="the gradient of a maximum goes entirely to the element that reaches it (and adds "
        "up when windows overlap): if the values are right, autograd does it for you",
        reference_fr="de celui de F.max_pool2d (autograd)",
        reference_en="F.max_pool2d's (autograd)",
        show_values=False,
    )


# ---------------------------------------------------------------- equivariance


def _shift(rng, max_shift: int = 2) -> tuple[int, int]:
    while True:
        dy, dx = (int(v) for v in rng.integers(-max_shift, max_shift + 1, size=2))
        if dy != dx and (dy, dx) != (0, 0) and dy != -dx:
            return dy, dx


def _grader_function(kind: str, param: np.ndarray):
    p = torch.tensor(param, dtype=torch.float64)
    if kind == "conv":
        return lambda z: F.conv2d(z, p, padding=p.shape[-1] // 2)
    if kind == "conv_relu":
        return lambda z: torch.relu(F.conv2d(z, p, padding=p.shape[-1] // 2))
    if kind == "gain":
        return lambda z: z * p
    if kind == "pool2":
        return lambda z: F.max_pool2d(z * p, 2)
    return lambda z: (z.reshape(z.shape[0], -1) @ p).reshape(z.shape)


def _apply(f, a: np.ndarray) -> np.ndarray:
    return f(torch.tensor(a, dtype=torch.float64)).numpy()


def _refuted_hints(passed) -> set[tuple[str, str]]:
    """The hints of equivariance_mistakes that no formula of theirs agrees with on a case the
    student passed (f, x, dy, dx, expected, tol): the student's own formula gave the right value
    there, so a hint none of whose formulas does is not the student's mistake."""
    refuted = set()
    for f, xi, dy, dx, expected, tol in passed:
        mistakes = equivariance_mistakes(f, xi, dy, dx)
        kept = {(fr, en) for v, fr, en in mistakes if abs(v - expected) <= tol + 1e-6 * abs(v)}
        refuted |= {(fr, en) for _, fr, en in mistakes} - kept
    return refuted


@pytest.mark.item("equivariance", points=1)
def test_erreur_equivariance_on_grader_functions(submission, rng):
    c = int(rng.integers(1, 3))
    H, W = (int(v) for v in rng.integers(10, 15, size=2))
    x = np.zeros((2, c, H, W))
    x[..., 4 : H - 4, 4 : W - 4] = rng.uniform(0.0, 1.0, size=(2, c, H - 8, W - 8))
    x_full = rng.uniform(0.0, 1.0, size=(2, c, H, W))  # content up to the border
    cases = [
        (
            "conv",
            rng.normal(size=(3, c, 3, 3)),
            x,
            "une convolution (padding 1)",
            "a convolution (padding 1)",
        ),
        (
            "conv_relu",
            rng.normal(size=(2, c, 5, 5)),
            x,
            "une convolution 5×5 suivie d'une ReLU",
            "a 5×5 convolution and a ReLU",
        ),
        (
            "gain",
            rng.uniform(0.5, 2.0, size=(H, W)),
            x_full,
            "un gain qui dépend de la position",
            "a position-dependent gain",
        ),
        (
            "dense",
            rng.normal(size=(c * H * W, c * H * W)) / np.sqrt(c * H * W),
            x_full,
            "une couche dense",
            "a dense layer",
        ),
    ]
    # Drawn on purpose (issue 12): a gain decreasing along the direction the content moves,
    # so that every f(T_d x) − T_d f(x) is ≤ 0: max without the absolute value gives 0 here,
    # while the four cases above may all peak on the positive side for a given seed.
    dy_down = int(rng.choice([-2, -1, 1, 2]))
    dx_side = int(rng.choice([v for v in (-2, -1, 1, 2) if v not in (dy_down, -dy_down)]))
    rows = np.arange(H, dtype=float)[:, None] / H * np.ones((1, W))
    cases.append(
        (
            "gain",
            (2.0 - rows) if dy_down > 0 else (1.0 + rows),
            x_full,
            "un gain qui décroît dans le sens de la translation",
            "a gain that decreases along the translation",
            (dy_down, dx_side),
        )
    )
    # Drawn on purpose (blind round 16): several images and channels, the largest difference in
    # neither the first image nor the first channel (that plane is 10 times brighter than the
    # others), so that a maximum over f(…)[0, 0] only, the first image or the first channel is
    # told apart; on the cases above the worst entry may lie in [0, 0] by chance.
    n_many, c_many = int(rng.integers(2, 4)), int(rng.integers(2, 4))
    x_many = 0.1 * rng.uniform(0.0, 1.0, size=(n_many, c_many, H, W))
    x_many[int(rng.integers(1, n_many)), int(rng.integers(1, c_many))] *= 10.0
    cases.append(
        (
            "gain",
            rng.uniform(0.5, 2.0, size=(H, W)),
            x_many,
            "un gain qui dépend de la position, sur plusieurs images et canaux",
            "a position-dependent gain, on several images and channels",
        )
    )
    # Drawn on purpose (blind round 18): a function whose output is smaller than its input, a
    # stride-2 max-pooling (the notebook's demo measures one). The statement's measure applies
    # the same T_d to f(x), whatever its size; a shift rescaled to the output's size,
    # T_{d·H_out/H} f(x), agrees with it on every function that keeps H × W, as the cases above.
    # Even sizes, content away from the borders and a shift of 2 pixels along one axis: the
    # pooled image of T_d x is then exactly f(x) moved by d/2, so the rescaled measure gives 0
    # where the statement's is of the order of the image (on content up to the border both
    # peak where zeros come in, at the same value).
    He, We = (int(v) for v in 2 * rng.integers(5, 8, size=2))
    x_pool = np.zeros((2, c, He, We))
    x_pool[..., 4 : He - 4, 4 : We - 4] = rng.uniform(0.2, 1.0, size=(2, c, He - 8, We - 8))
    cases.append(
        (
            "pool2",
            np.array(rng.uniform(0.5, 2.0)),
            x_pool,
            "un max-pooling 2×2 de stride 2 (la sortie est deux fois plus petite que l'entrée)",
            "a 2×2 max-pooling with stride 2 (the output is half the input's size)",
            [(2, 0), (-2, 0), (0, 2), (0, -2)][int(rng.integers(4))],
        )
    )
    # Drawn on purpose (blind round 22): a convolution on content up to the border, where
    # f(T_d x) and T_d f(x) differ only on the rows and columns where pixels come in and leave;
    # a maximum taken away from the borders gives 0 there, while on the cases above the largest
    # difference may lie inside the image at a variant.
    cases.append(
        (
            "conv",
            rng.normal(size=(2, c, 3, 3)),
            x_full,
            "une convolution (padding 1) sur une image remplie jusqu'au bord",
            "a convolution (padding 1) on an image filled up to the border",
        )
    )
    failures, passed = [], []
    for i in rng.permutation(len(cases)):
        kind, param, xi, label, label_en, *forced = cases[i]
        dy, dx = forced[0] if forced else _shift(rng)
        fn = grader_function.call(submission, kind, Tensor(param))
        f = _grader_function(kind, param)
        fx, ftx = _apply(f, xi), _apply(f, translate(xi, dy, dx))
        expected = float(np.abs(ftx - translate(fx, dy, dx)).max())
        scale = max(1.0, float(np.abs(fx).max()))
        what_fr = f"erreur_equivariance(f, x, dy={dy}, dx={dx}) avec f = {label}"
        try:
            got = as_float(
                submission.call("erreur_equivariance", fn, Tensor(xi), dy, dx), what_fr
            )
        except StudentError as exc:
            reads = notebook_data_hint(submission, "erreur_equivariance")
            if reads is None:
                raise
            raise CheckFailed(
                f"{what_fr} : `erreur_equivariance` a levé {exc.ename} ; {reads[0]}",
                f"erreur_equivariance(f, x, dy={dy}, dx={dx}) with f = {label_en}: "
                f"`erreur_equivariance` raised {exc.ename}; {reads[1]}",
            ) from None
        tol = 1e-9 * scale if expected < 1e-12 * scale else 1e-6 * expected
        record_expected(f"erreur_equivariance ({kind})", expected)
        record_margin(
            f"absolute error of erreur_equivariance vs grader ({kind})",
            abs(got - expected),
            tol,
            higher_is_better=False,
            kind="tolerance",
        )
        if abs(got - expected) <= tol:
            passed.append((partial(_apply, f), xi, dy, dx, expected, tol))
            continue
        mistakes = equivariance_mistakes(partial(_apply, f), xi, dy, dx)
        failures.append((what_fr, label_en, dy, dx, got, (got, expected, tol, mistakes)))
    if not failures:
        # The statement's rule on arguments: x.copy_(translater(x, dy, dx)) gives the right value
        # and overwrites the caller's image.
        dy, dx = _shift(rng)
        assert_arguments_untouched(
            submission, "erreur_equivariance", (fn, Tensor(x_full), dy, dx), {1: "x"},
            hint_fr="translatez dans une nouvelle image, xt = translater(x, dy, dx), sans copy_ dans x",
            hint_en="translate into a new image, xt = translater(x, dy, dx), without copy_ into x",
        )
        return
    # The mistake named is the one the student's values match in the most failing cases (a
    # coincidence on one case, two measures peaking on the same pixel, names nothing).
    # A mistake the student's code would have failed a case with, on a case it passed, is not
    # theirs (blind round 22: on the max-pooling case alone, a maximum away from the borders
    # and a rescaled shift both give 0; the convolution case passed tells them apart).
    refuted = _refuted_hints(passed)
    index, hint = equivariance_diagnosis([
        (g, e, t, [m for m in ms if (m[1], m[2]) not in refuted]) for *_, (g, e, t, ms) in failures
    ])
    what_fr, label_en, dy, dx, got, _ = failures[index]
    hint_fr, hint_en = hint or EQ_GENERIC
    reads = notebook_data_hint(submission, "erreur_equivariance")
    if reads is not None:
        hint_fr, hint_en = reads
    raise CheckFailed(
        f"{what_fr} : la valeur renvoyée ({got:.4g}) ne correspond pas à l'erreur d'équivariance "
        f"mesurée par le correcteur ; {hint_fr}",
        f"erreur_equivariance(f, x, dy={dy}, dx={dx}) with f = {label_en}: the returned value "
        f"({got:.4g}) does not match the equivariance error the grader measures; {hint_en}",
    )


@pytest.mark.item("equivariance", points=1)
def test_conv2d_is_translation_equivariant(submission, rng):
    """The grader shifts the inputs itself, calls the student's conv2d and measures.

    Only equivariance is graded here (the values are graded in the conv2d item), so the
    call is not guarded: a conv2d built on F.conv2d is equivariant too.
    """
    c_in, c_out = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    k = int(rng.choice([3, 5]))
    p = k // 2
    size = int(rng.integers(12, 16))
    x = rng.normal(size=(1, c_in, size, size))
    w = rng.normal(size=(c_out, c_in, k, k))
    b = rng.normal(size=c_out)
    y = as_array(
        _plain(submission, "conv2d", Tensor(x), Tensor(w), Tensor(b), stride=1, padding=p),
        "conv2d(x)",
    )
    for _ in range(3):
        dy, dx = _shift(rng)
        border = max(abs(dy), abs(dx)) + p  # away from the borders, zero filling plays no role
        what = (
            f"conv2d(x, w, b, padding={p}) sur des entrées du correcteur "
            f"et la translation (dy, dx) = ({dy}, {dx})"
        )
        y_shift = as_array(
            _plain(
                submission,
                "conv2d",
                Tensor(translate(x, dy, dx)),
                Tensor(w),
                Tensor(b),
                stride=1,
                padding=p,
            ),
            "conv2d(T_d x)",
        )
        if y.ndim != 4 or y_shift.shape != y.shape or min(y.shape[-2:]) <= 2 * border:
            raise CheckFailed(
                f"{what} : impossible de mesurer l'équivariance, conv2d(x) et conv2d(T_d x) n'ont "
                "pas la forme (N, C_out, H, W) attendue avec stride 1 et padding k // 2",
                f"{what}: cannot measure equivariance, conv2d(x) and conv2d(T_d x) do not have the "
                "shape (N, C_out, H, W) expected with stride 1 and padding k // 2",
            )
        inner = (..., slice(border, y.shape[-2] - border), slice(border, y.shape[-1] - border))
        diff = np.abs(y_shift - translate(y, dy, dx))[inner]
        error = float(diff.max()) / max(1e-12, float(np.abs(y[inner]).max()))
        record_margin("relative translation-equivariance error of conv2d", error, 1e-5,
                      higher_is_better=False, kind="tolerance")
        if error > 1e-5:
            # The mechanism, when it is the one (blind round 18): an output laid out (N, H·W, C_out)
            # and reshaped without permuting mixes filters and positions.
            ref = _conv_ref(x, w, b, 1, p)
            if ref.shape[1] > 1 and y.shape == ref.shape and np.allclose(
                y, conv_layout_mistake(ref), rtol=1e-5, atol=1e-7 * max(1.0, float(np.abs(ref).max()))
            ):
                hint_fr, hint_en = CONV_LAYOUT
            else:
                hint_fr = ("elle doit appliquer le même noyau à chaque position, la fenêtre de la sortie "
                           "(i, j) commençant à la ligne i·s et à la colonne j·s (n'échangez pas lignes et "
                           "colonnes), et la sortie (N, C_out, H_out, W_out) doit garder chaque filtre dans "
                           "son plan (pas de reshape qui mélange filtres et positions)")
                hint_en = ("it must apply the same kernel at every position, the window of output (i, j) "
                           "starting at row i·s and column j·s (do not swap rows and columns), and the "
                           "output (N, C_out, H_out, W_out) must keep each filter in its own map (no "
                           "reshape that mixes filters and positions)")
            raise CheckFailed(
                f"{what} : conv2d(T_d x) ≠ T_d conv2d(x) loin des bords (écart relatif {fmt_order(error)}) : "
                f"votre convolution n'est pas équivariante par translation ; {hint_fr}",
                f"{what}: conv2d(T_d x) ≠ T_d conv2d(x) away from the borders (relative difference "
                f"{fmt_order(error)}): your convolution is not translation equivariant; {hint_en}",
            )
