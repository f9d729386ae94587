"""Hidden checks, part 1: saliency, gradient × input, integrated gradients, occlusion and
Grad-CAM on the grader's own CNNs.

The grader draws a CNN (the notebook's architecture, with its own numbers of channels,
filters and classes, and H ≠ W) and its weights from its `rng`, rounds them to float32,
builds the same model in the kernel through a trusted helper, and computes every
reference here in float64 with autograd. Inputs (images, classes, baselines, windows,
steps) are drawn from `rng` too. At every variant, each map function (saliency, gradient ×
input, integrated gradients, Grad-CAM) meets a model with several channels and a
single-channel one (the notebook's digits: a squeeze() that drops the channel axis shows), Grad-CAM
also an image 2 or 3 pixels high or wide (maps with h = 1 or w = 1: a squeeze() shows), occlusion
a window no position fits (a map of zeros: a torch.stack of no image shows), and
gradient × input a standardised image with negative pixels (|x| instead of x shows). Student results are float32: they are compared with
`tolerance_for(device, float32)`, far above the float32 rounding measured (≈ 2e-7
relative).

ReLU and max-pooling have kinks: where a pre-activation sits within float32 rounding
of zero, float32 and float64 gradients can differ by a whole unit's contribution. The
grader redraws gradient inputs (and every point of an integrated-gradients path) until
all pre-activations and pooling gaps are at least 1e-5 (resp. 2e-6 along a path) away
from a kink. Completeness uses a bound that holds for any path: for the right Riemann
sum, |Σ IG − (y_c(x) − y_c(x'))| ≤ TV/m, TV being the total variation of
α ↦ ∇y_c(x' + α(x − x'))·(x − x') on [0, 1] (measured on a fine grid, with a 1.5 margin).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.checks import (
    CheckFailed,
    Handle,
    Tensor,
    as_array,
    assert_arguments_untouched,
    assert_close,
    record_margin,
    tolerance_for,
)

from ..public.helpers import GRAD_CAM_CAUSE, SIGNED_INPUT_HINT, as_map_like, call_explained
from .helpers import KernelCNN, RefCNN, assert_model_untouched, draw_weights, leaves_its_arguments


class Case(KernelCNN):
    """A grader-drawn CNN, in float64 here and in float32 in the kernel."""

    def __init__(self, rng: np.random.Generator, several_channels: bool = False,
                 channels: int | None = None, thin: bool = False):
        c = int(rng.integers(1, 4))
        if several_channels and c == 1:  # an answer written for C = 1 (x.unsqueeze(1)) shows
            c = int(rng.integers(2, 4))
        if channels is not None:  # a structural case drawn on purpose (C = 1: a squeeze shows)
            c = channels
        while True:
            h, w = (int(v) for v in rng.choice([6, 8, 10], size=2))
            if h != w:
                break
        if thin:  # an image 2 or 3 pixels high or wide: feature maps with h = 1 or w = 1
            short = int(rng.choice([2, 3]))
            h, w = (short, w) if rng.random() < 0.5 else (h, short)
        self.dims = [c, int(rng.integers(4, 9)), int(rng.integers(6, 13)), int(rng.integers(12, 33)),
                     int(rng.integers(3, 11)), h, w]
        self.C, self.H, self.W, self.K = c, h, w, self.dims[4]
        self.model = RefCNN(*self.dims).double()
        self.weights = draw_weights(self.model, rng)
        with torch.no_grad():
            for name, p in self.model.named_parameters():
                p.copy_(torch.from_numpy(self.weights[name].astype(np.float64)))
        self.handle: Handle | None = None

    def image(self, rng, signed: bool = False) -> np.ndarray:
        """Pixels in [0, 1], or (`signed`) those of a standardised image, negative ones included."""
        if signed:
            return rng.normal(0.0, 1.0, size=(self.C, self.H, self.W)).astype(np.float32)
        return rng.uniform(0.0, 1.0, size=(self.C, self.H, self.W)).astype(np.float32)

    def label(self) -> str:
        return "un CNN du correcteur"

    def label_en(self) -> str:
        return "one of the grader's CNNs"

    # -- float64 references -----------------------------------------------------------------
    def logits(self, X: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return self.model(torch.as_tensor(X, dtype=torch.float64)).numpy()

    def grad(self, X: np.ndarray, c: int, output: str = "logit") -> np.ndarray:
        """∂(output of class c)/∂x for a batch X (N, C, H, W) or one image (C, H, W)."""
        single = X.ndim == 3
        xt = torch.tensor(X[None] if single else X, dtype=torch.float64, requires_grad=True)
        z = self.model(xt)
        if output == "logit":
            y = z[:, c]
        elif output == "proba":
            y = torch.softmax(z, dim=1)[:, c]
        elif output == "log_proba":
            y = torch.log_softmax(z, dim=1)[:, c]
        else:  # every logit
            y = z.sum(dim=1)
        (g,) = torch.autograd.grad(y.sum(), xt)
        g = g.numpy()
        return g[0] if single else g

    def margin(self, X: np.ndarray) -> float:
        with torch.no_grad():
            X = torch.as_tensor(X, dtype=torch.float64)
            return self.model.margin(X[None] if X.ndim == 3 else X)


def _other_class(case: Case, x: np.ndarray, rng) -> int:
    """A class of the grader's that is not the one the model predicts for x: an answer that
    explains the predicted class (argmax) instead of c shows."""
    predicted = int(np.argmax(case.logits(x.astype(np.float64)[None])[0]))
    return int(rng.choice([k for k in range(case.K) if k != predicted]))


def _tol(device: str) -> float:
    return tolerance_for(device, torch.float32)


def _same(got: np.ndarray, value: np.ndarray, tol: float) -> bool:
    scale = max(1e-12, float(np.abs(value).max()))
    return got.shape == value.shape and bool(np.allclose(got, value, rtol=tol, atol=tol * scale))


def _distance(got: np.ndarray, value: np.ndarray) -> float:
    """The largest gap between two attributions, relative to the wrong answer's scale."""
    return float(np.abs(got - value).max()) / max(1e-12, float(np.abs(value).max()))


def _hint(got, ref, variants, default, tol):
    """The hint of the wrong answer `got` is closest to, among those it matches (and the
    reference does not): two close mistakes (k = 0, …, m − 1 against linspace(0, 1, m), whose
    grids differ by k/(m(m − 1))) can both match at 10·tol, and the first one listed is not
    necessarily the student's."""
    # A variant that is zero everywhere (a Grad-CAM map whose Σ_k α_k A_k is negative
    # everywhere) matches every answer of zeros, whatever its mistake: it names none.
    matching = [(_distance(got, value), k, fr, en) for k, (value, fr, en) in enumerate(variants)
                if np.any(value) and _same(got, value, 10 * tol) and not _same(ref, value, 10 * tol)]
    if not matching:
        return default
    _, _, fr, en = min(matching)
    return fr, en


def _rescaled(got, ref, tol) -> bool:
    """Whether the wrong map `got` is the reference up to a positive factor and an offset
    (a·ref + b, fitted by least squares, within 10·tol of got's range): a map normalised by its
    maximum, its sum or its norm, or brought into [0, 1]. The premise of a "do not normalise"
    hint, whatever the normalisation (blind round 20: a saliency divided by its maximum was
    told only what the saliency is)."""
    g, r = np.asarray(got, dtype=np.float64).ravel(), np.asarray(ref, dtype=np.float64).ravel()
    if g.shape != r.shape or np.ptp(g) == 0 or np.ptp(r) == 0 or not np.all(np.isfinite(g)):
        return False
    (a, b), *_ = np.linalg.lstsq(np.stack([r, np.ones_like(r)], axis=1), g, rcond=None)
    return bool(a > 0 and np.abs(g - (a * r + b)).max() <= 10 * tol * np.ptp(g))


def _normalised_hint(what: str) -> tuple[str, str]:
    return (
        f"votre carte est {what} à un facteur (ou un décalage) près : ne normalisez pas la carte "
        "(pas de division par son maximum, sa somme ou sa norme, pas de mise à l'échelle dans "
        f"[0, 1]) : renvoyez {what} telle quelle",
        f"your map is {what} up to a factor (or an offset): do not normalise the map (no "
        f"division by its maximum, its sum or its norm, no scaling into [0, 1]): return {what} "
        "as it is",
    )


def _compare(got, ref, name, tol, variants, default, rescaled: str | None = None,
             scale: float | None = None):
    """assert_close with the hint of the variant `got` matches, else (`rescaled`: the map's
    formula) "do not normalise" when got is the reference rescaled, else `default`. `scale`:
    the absolute tolerance's scale when it is not the reference's (a reference of zeros, whose
    atol of 0 in the message would tell it)."""
    hint_fr, hint_en = _hint(got, ref, variants, default, tol)
    if ((hint_fr, hint_en) == tuple(default) and rescaled is not None
            and not _same(np.asarray(got), ref, tol) and _rescaled(got, ref, tol)):
        hint_fr, hint_en = _normalised_hint(rescaled)
    scale = float(np.abs(ref).max()) if scale is None else scale
    assert_close(got, ref, name=name, rtol=tol, atol=tol * scale,
                 hint_fr=hint_fr, hint_en=hint_en)


def _gradient_case(rng, tries: int = 500, several_channels: bool = False,
                   channels: int | None = None, signed: bool = False):
    """A CNN, an image and a class whose gradient is well defined and far from kinks."""
    for _ in range(tries):
        case = Case(rng, several_channels, channels)
        for _ in range(20):
            x = case.image(rng, signed)
            if case.margin(x) < 1e-5:
                continue
            c = _other_class(case, x, rng)
            g = case.grad(x, c)
            if np.abs(g).max() > 1e-2 and np.mean(np.abs(g) > 1e-6 * np.abs(g).max()) > 0.5:
                return case, x, c
    raise RuntimeError("no gradient case")  # a bug in the check


# ---------------------------------------------------------------- 1. saliency


_LOGIT_HINT = (
    "dérivez le logit y_c = modele(x)[0, c] (le score avant le softmax), pas la probabilité "
    "softmax ni son logarithme",
    "differentiate the logit y_c = modele(x)[0, c] (the score before the softmax), not the "
    "softmax probability nor its log",
)
_ONE_CLASS_HINT = (
    "dérivez seulement le logit de la classe c, pas la somme de tous les logits",
    "differentiate only the logit of class c, not the sum of every logit",
)


_CLASS_HINT = (
    "vous expliquez une autre classe que c : dérivez le logit de la classe c reçue en argument, "
    "pas celui de la classe prédite (argmax)",
    "you explain another class than c: differentiate the logit of the class c given as an "
    "argument, not that of the predicted class (argmax)",
)


def _output_variants(case, x, c, transform):
    return [
        (transform(case.grad(x, c, "proba")), *_LOGIT_HINT),
        (transform(case.grad(x, c, "log_proba")), *_LOGIT_HINT),
        (transform(case.grad(x, c, "sum")), *_ONE_CLASS_HINT),
        *((transform(case.grad(x, k)), *_CLASS_HINT) for k in range(case.K) if k != c),
    ]


#: The two images each map function is asked for, at every variant: a model with several
#: channels (an answer written for C = 1, x.unsqueeze(1), shows), then a single-channel one,
#: the notebook's digits (a squeeze() that drops the channel axis with the batch axis shows).
#: gradient_x_entree's first image is standardised, with negative pixels (|x| ⊙ ∂y_c/∂x shows).
_MAP_CASES = ({"several_channels": True}, {"channels": 1})


def _attribution(submission, rng, fn: str, several_channels: bool = False,
                 channels: int | None = None, signed: bool = False):
    """(case, x, c, model, name, map): the student's fn(model, x, c) on a grader case."""
    case, x, c = _gradient_case(rng, several_channels=several_channels, channels=channels,
                                signed=signed)
    model = case.kernel(submission)
    name = f"{fn} sur {case.label()}, pour une classe du correcteur"
    if case.C == 1:
        name += ", image à un seul canal"
    if signed:
        name += ", image aux pixels négatifs"
    got = as_map_like(call_explained(submission, fn, model, Tensor(x), c), name, x.shape)
    return case, x, c, model, name, got


_COPY_HINT = (
    "calculez sur une copie (x.detach(), x.detach().clone()) : x.mul_(g), x.abs_(), x *= g "
    "modifient l'image de l'appelant",
    "compute on a copy (x.detach(), x.detach().clone()): x.mul_(g), x.abs_(), x *= g modify "
    "the caller's image",
)


@pytest.mark.item("saillance", points=1.25)
def test_saillance_matches_autograd(submission, rng, device):
    tol = _tol(device)
    for draw in _MAP_CASES:
        case, x, c, model, name, got = _attribution(submission, rng, "saillance", **draw)
        g = case.grad(x.astype(np.float64), c)
        variants = [
            (g, "il manque la valeur absolue : la saillance est |∂y_c/∂x|, composante par composante",
             "the absolute value is missing: the saliency is |∂y_c/∂x|, entry by entry"),
            *_output_variants(case, x.astype(np.float64), c, np.abs),
        ]
        _compare(got, np.abs(g), name, tol, variants,
                 ("|∂y_c/∂x| du logit de la classe c, de la même forme que x",
                  "|∂y_c/∂x| of the logit of class c, with the shape of x"), rescaled="|∂y_c/∂x|")
    leaves_its_arguments(submission, "saillance", (case.kernel(submission), Tensor(x), c), {1: "x"}, _COPY_HINT)


@pytest.mark.item("saillance", points=1.25)
def test_gradient_x_entree_matches_autograd(submission, rng, device):
    tol = _tol(device)
    for i, draw in enumerate(_MAP_CASES):
        case, x, c, model, name, got = _attribution(submission, rng, "gradient_x_entree", **draw,
                                                    signed=i == 0)
        x64 = x.astype(np.float64)
        g = case.grad(x64, c)
        variants = [
            (np.abs(x64 * g), "gardez le signe : x ⊙ ∂y_c/∂x, sans valeur absolue",
             "keep the sign: x ⊙ ∂y_c/∂x, without absolute value"),
            (np.abs(x64) * g, *SIGNED_INPUT_HINT),
            (x64 * np.abs(g), "multipliez x par le gradient signé, pas par la saillance |∂y_c/∂x|",
             "multiply x by the signed gradient, not by the saliency |∂y_c/∂x|"),
            (g, "multipliez le gradient par l'entrée x, composante par composante",
             "multiply the gradient by the input x, entry by entry"),
            *_output_variants(case, x64, c, lambda v, x64=x64: x64 * v),
        ]
        _compare(got, x64 * g, name, tol, variants,
                 ("x ⊙ ∂y_c/∂x, signé, de la même forme que x",
                  "x ⊙ ∂y_c/∂x, signed, with the shape of x"), rescaled="x ⊙ ∂y_c/∂x")
    leaves_its_arguments(submission, "gradient_x_entree", (case.kernel(submission), Tensor(x), c), {1: "x"}, _COPY_HINT)


# ---------------------------------------------------------------- 2. integrated gradients


def _mean_path_grad(case: Case, x, base, c, alphas) -> np.ndarray:
    path = base[None] + np.asarray(alphas).reshape(-1, 1, 1, 1) * (x - base)[None]
    return case.grad(path, c).mean(axis=0)


def _ig(case: Case, x, base, c, m: int) -> np.ndarray:
    return (x - base) * _mean_path_grad(case, x, base, c, np.arange(1, m + 1) / m)


def _ig_case(rng, *, with_reference: bool, m_range: tuple[int, int],
             forced_visible: float | None = None):
    """A CNN, an image, a reference (zeros without one), a class and a number of steps m whose
    path stays away from kinks. With `forced_visible` (a tolerance), the right Riemann sum's
    completeness gap is large enough that forcing it (the attributions rescaled, or the gap
    spread over the entries) shows at twice that tolerance: the case where it does not (a
    nearly straight path) would let a forced completeness pass."""
    for _ in range(500):
        # With a reference, several channels; without, one (a squeeze() that drops the channel
        # axis shows): both structural cases at every variant.
        case = Case(rng, several_channels=with_reference, channels=None if with_reference else 1)
        x = case.image(rng)
        base = (
            rng.uniform(0.0, 0.4, size=x.shape).astype(np.float32)
            if with_reference
            else np.zeros_like(x)
        )
        m = int(rng.integers(*m_range))
        c = _other_class(case, x, rng)
        x64, b64 = x.astype(np.float64), base.astype(np.float64)
        path = b64[None] + (np.arange(1, m + 1) / m).reshape(-1, 1, 1, 1) * (x64 - b64)[None]
        if case.margin(path) < 2e-6:
            continue
        ref = _ig(case, x64, b64, c, m)
        if np.abs(ref).max() <= 1e-2:
            continue
        if forced_visible is not None and any(
                _same(value, ref, 2 * forced_visible)
                for value, *_ in _forced_completeness(case, x64, b64, c, ref)):
            continue
        return case, x, base, c, m
    raise RuntimeError("no integrated-gradients case")  # a bug in the check


_IG_OTHER_CLASS = (
    "vous expliquez une autre classe que c : dérivez le logit de la classe c reçue en argument, "
    "modele(chemin)[:, c], pas celui de la classe prédite (argmax)",
    "you explain another class than c: differentiate the logit of the class c given as an "
    "argument, modele(chemin)[:, c], not that of the predicted class (argmax)",
)
_IG_DEFAULT_M = 50  # the statement's default number of steps


def _ig_other_classes(case, x, base, c, m):
    """The integrated gradients of every other class, each with the hint naming c."""
    return [(_ig(case, x, base, k, m), *_IG_OTHER_CLASS) for k in range(case.K) if k != c]


_FORCED_COMPLETENESS = (
    "n'imposez pas la complétude en renormalisant les attributions (ig * (variation / "
    "ig.sum())) ni en corrigeant leur somme : renvoyez la somme de Riemann à droite telle "
    "quelle, (x − x') ⊙ (1/m) Σ_{k=1..m} ∂y_c/∂x(x' + (k/m)(x − x')), dont la complétude n'est "
    "qu'approchée (un écart qui diminue en 1/m)",
    "do not force completeness by rescaling the attributions (ig * (variation / ig.sum())) or "
    "by correcting their sum: return the right Riemann sum as it is, (x − x') ⊙ (1/m) "
    "Σ_{k=1..m} ∂y_c/∂x(x' + (k/m)(x − x')), whose completeness is only approximate (a gap "
    "that shrinks as 1/m)",
)


def _forced_completeness(case: Case, x, base, c, ig) -> list:
    """The right Riemann sum made complete by force: rescaled so that its sum is exactly
    y_c(x) − y_c(x'), or its gap spread evenly over the entries."""
    f = case.logits(np.stack([x, base]))[:, c]
    delta, total = float(f[0] - f[1]), float(ig.sum())
    out = [(ig + (delta - total) / ig.size, *_FORCED_COMPLETENESS)]
    if abs(total) > 1e-12:
        out.append((ig * (delta / total), *_FORCED_COMPLETENESS))
    return out


def _ig_variants(case, x, base, c, m):
    mean_right = _mean_path_grad(case, x, base, c, np.arange(1, m + 1) / m)
    diff = x - base
    path = base[None] + np.linspace(0.0, 1.0, m + 1).reshape(-1, 1, 1, 1) * diff[None]
    grads = case.grad(path, c)
    out = _forced_completeness(case, x, base, c, diff * mean_right)
    if m != _IG_DEFAULT_M:
        out.append((_ig(case, x, base, c, _IG_DEFAULT_M),
                    "votre résultat ne dépend pas de m : gradients_integres ignore son argument m "
                    "et prend un nombre de pas fixe ; le chemin a m points α_k = k/m, k = 1, …, m",
                    "your result does not depend on m: gradients_integres ignores its argument m "
                    "and takes a fixed number of steps; the path has m points α_k = k/m, "
                    "k = 1, …, m"))
    return out + [
        (mean_right,
         "il manque le facteur (x − x') : la moyenne des gradients le long du chemin doit être "
         "multipliée par (x − reference), composante par composante",
         "the factor (x − x') is missing: the mean of the gradients along the path must be "
         "multiplied by (x − reference), entry by entry"),
        ((x - base) * _mean_path_grad(case, x, base, c, np.arange(0, m) / m),
         "somme de Riemann à droite : α_k = k/m pour k = 1, …, m (vous prenez k = 0, …, m − 1)",
         "right Riemann sum: α_k = k/m for k = 1, …, m (you take k = 0, …, m − 1)"),
        ((x - base) * _mean_path_grad(case, x, base, c, np.linspace(0.0, 1.0, m)),
         "α_k = k/m pour k = 1, …, m : torch.linspace(0, 1, m) prend α = 0 et un pas de 1/(m − 1)",
         "α_k = k/m for k = 1, …, m: torch.linspace(0, 1, m) takes α = 0 and a step of 1/(m − 1)"),
        ((x - base) * _mean_path_grad(case, x, base, c, (np.arange(m) + 0.5) / m),
         "somme de Riemann à droite : α_k = k/m pour k = 1, …, m (pas les milieux des intervalles)",
         "right Riemann sum: α_k = k/m for k = 1, …, m (not the midpoints of the intervals)"),
        (m * (x - base) * mean_right,
         "divisez la somme des m gradients par m : c'est une moyenne",
         "divide the sum of the m gradients by m: it is a mean"),
        ((x - base) * case.grad(x, c),
         "le gradient doit être moyenné le long du chemin x' + α (x − x'), pas pris seulement en x",
         "the gradient must be averaged along the path x' + α (x − x'), not taken at x only"),
        (diff * grads.mean(axis=0),
         "α_k = k/m pour k = 1, …, m : m points, sans α = 0 (torch.linspace(0, 1, m + 1) en prend "
         "m + 1, dont α = 0)",
         "α_k = k/m for k = 1, …, m: m points, without α = 0 (torch.linspace(0, 1, m + 1) takes "
         "m + 1 of them, α = 0 included)"),
        (diff * (grads[:-1] + grads[1:]).mean(axis=0) / 2,
         "somme de Riemann à droite, (1/m) Σ_{k=1..m} ∂y_c/∂x(x' + (k/m)(x − x')), pas la méthode "
         "des trapèzes",
         "right Riemann sum, (1/m) Σ_{k=1..m} ∂y_c/∂x(x' + (k/m)(x − x')), not the trapezoidal "
         "rule"),
        # With a reference only (the last two): the factor x on the right path, then the
        # reference ignored altogether.
        (x * mean_right,
         "le chemin va bien de reference à x, mais le facteur est (x − reference), pas x",
         "the path does go from reference to x, but the factor is (x − reference), not x"),
        (x * _mean_path_grad(case, x, np.zeros_like(x), c, np.arange(1, m + 1) / m),
         "la référence est ignorée : le chemin va de reference à x, et le facteur est (x − reference)",
         "the reference is ignored: the path goes from reference to x, and the factor is (x − reference)"),
        *_ig_other_classes(case, x, base, c, m),
    ]


def _ignored_m(submission, model, x, c, base, m, got, case, x64, b64, tol) -> list:
    """The "m ignored" variant, when its premise holds whatever fixed number of steps the
    answer takes: asked again with another m (where the reference moves), it gives the same
    result. Only a failing answer pays this second call."""
    m2 = m + 17
    if _same(_ig(case, x64, b64, c, m2), _ig(case, x64, b64, c, m), 10 * tol):
        return []
    try:
        if base is None:
            raw = submission.call("gradients_integres", model, Tensor(x), c, m=m2)
        else:
            raw = submission.call("gradients_integres", model, Tensor(x), c, Tensor(base), m2)
        again = np.asarray(raw, dtype=np.float64)
    except Exception:  # noqa: BLE001 - no premise, no hint: the comparison below still fails
        return []
    if again.shape != np.shape(got) or not _same(again, got, tol):
        return []
    return [(got, *_IGNORES_M)]


@pytest.mark.item("gradients_integres", points=2)
def test_gradients_integres_matches_reference(submission, rng, device):
    tol = _tol(device)
    for with_reference, m_range in ((False, (10, 41)), (True, (20, 61))):
        # Without a reference, a case where a forced completeness shows, at every variant.
        case, x, base, c, m = _ig_case(rng, with_reference=with_reference, m_range=m_range,
                                       forced_visible=None if with_reference else tol)
        model = case.kernel(submission)
        name = (f"gradients_integres sur {case.label()}, pour une classe du correcteur, m={m}, "
                f"{'référence tirée par le correcteur' if with_reference else 'reference=None (zéros)'}")
        # The reference goes positionally: the kernel-side agent does not decode arrays passed
        # as keyword arguments.
        if with_reference:
            raw = call_explained(submission, "gradients_integres", model, Tensor(x), c, Tensor(base), m)
        else:
            raw = call_explained(submission, "gradients_integres", model, Tensor(x), c, m=m)
        got = as_map_like(raw, name, x.shape)
        x64, b64 = x.astype(np.float64), base.astype(np.float64)
        # Without a reference, x − 0 is x: the variants of the reference equal the answer,
        # and _hint passes over a variant the reference matches.
        variants = _ig_variants(case, x64, b64, c, m)
        ref = _ig(case, x64, b64, c, m)
        if not _same(got, ref, tol):
            variants = _ignored_m(submission, model, x, c, base if with_reference else None,
                                  m, got, case, x64, b64, tol) + variants
        _compare(got, ref, name, tol, variants,
                 ("(x − x') ⊙ (1/m) Σ_{k=1..m} ∂y_c/∂x (x' + (k/m)(x − x'))",
                  "(x − x') ⊙ (1/m) Σ_{k=1..m} ∂y_c/∂x (x' + (k/m)(x − x'))"))
    leaves_its_arguments(
        submission, "gradients_integres", (case.kernel(submission), Tensor(x), c, Tensor(base), m),
        {1: "x", 3: "reference"}, _ig_in_place_hint)


def _ig_in_place_hint(changed: list[str]) -> tuple[str, str]:
    """The hint for the arguments gradients_integres modified: x, reference, or both."""
    x_fr, x_en = ("x − reference crée un nouveau tenseur ; diff = x puis diff -= reference (ou "
                  "x.sub_, x -= …) modifie le x de l'appelant, diff n'étant pas une copie",
                  "x − reference makes a new tensor; diff = x then diff -= reference (or x.sub_, "
                  "x -= …) modifies the caller's x, diff not being a copy")
    ref_fr, ref_en = ("n'écrivez jamais dans reference (reference += …, reference.add_(…), "
                      "reference.mul_(…)) : le chemin reference + α (x − reference) se calcule en "
                      "nouveaux tenseurs, et reference doit ressortir de l'appel inchangée",
                      "never write into reference (reference += …, reference.add_(…), "
                      "reference.mul_(…)): the path reference + α (x − reference) is computed in "
                      "new tensors, and reference must come out of the call unchanged")
    parts = ([(x_fr, x_en)] if "x" in changed else []) + (
        [(ref_fr, ref_en)] if "reference" in changed else [])
    parts = parts or [(x_fr, x_en), (ref_fr, ref_en)]
    return " ; ".join(fr for fr, _ in parts), "; ".join(en for _, en in parts)


_COMPLETENESS_M = (8, 64, 512)
_FEW_STEPS = 2  # a number of steps where the right Riemann sum is visibly not yet converged
_IGNORES_M = (
    "gradients_integres ignore son argument m (un nombre de pas fixe) : le chemin a m points "
    "α_k = k/m, k = 1, …, m",
    "gradients_integres ignores its argument m (a fixed number of steps): the path has m points "
    "α_k = k/m, k = 1, …, m",
)


def _path_total_variation(case: Case, x, base, c, n: int = 8001) -> float:
    """TV on [0, 1] of α ↦ ∇y_c(x' + α (x − x'))·(x − x'), on a grid of n points."""
    values = []
    for chunk in np.array_split(np.linspace(0.0, 1.0, n), 8):
        path = base[None] + chunk.reshape(-1, 1, 1, 1) * (x - base)[None]
        values.append((case.grad(path, c) * (x - base)[None]).reshape(len(chunk), -1).sum(axis=1))
    return float(np.abs(np.diff(np.concatenate(values))).sum())


def _completeness_tol(tv: float, m: int, f_x: float, f_base: float, tol: float) -> float:
    return 1.5 * tv / m + tol * (1.0 + abs(f_x) + abs(f_base))


@pytest.mark.item("gradients_integres", points=1.5)
def test_gradients_integres_completeness(submission, rng, device):
    """Σ IG ≈ y_c(x) − y_c(x') within 1.5·TV/m (a bound for any right Riemann sum), for several m.

    The case is drawn so that the classic mistakes (no (x − x') factor, x instead of x − x',
    the gradient at x only, a sum instead of a mean) break the bound at the largest m.
    """
    tol = _tol(device)
    for _ in range(500):
        case = Case(rng, several_channels=True)
        x = case.image(rng)
        base = rng.uniform(0.0, 0.4, size=x.shape).astype(np.float32)
        c = _other_class(case, x, rng)
        x64, b64 = x.astype(np.float64), base.astype(np.float64)
        f = case.logits(np.stack([x64, b64]))[:, c]
        if abs(f[0] - f[1]) < 0.2:
            continue
        m = _COMPLETENESS_M[-1]
        mean_grad = _mean_path_grad(case, x64, b64, c, np.arange(1, m + 1) / m)
        wrong = [mean_grad.sum(), (x64 * mean_grad).sum(), ((x64 - b64) * case.grad(x64, c)).sum(),
                 m * (f[0] - f[1])]
        if min(abs(w - (f[0] - f[1])) for w in wrong) < 0.1:
            continue
        tv = _path_total_variation(case, x64, b64, c)
        bound = _completeness_tol(tv, m, f[0], f[1], tol)
        # With m = _FEW_STEPS the right Riemann sum is visibly off its value at the largest m:
        # an answer with a fixed number of steps (m ignored) gives one sum for every m.
        few = float(_ig(case, x64, b64, c, _FEW_STEPS).sum())
        many = float(((x64 - b64) * mean_grad).sum())
        if all(abs(w - (f[0] - f[1])) > 5 * bound for w in wrong) and abs(few - many) > 0.1:
            break
    else:
        raise RuntimeError("no completeness case")  # a bug in the check
    model = case.kernel(submission)
    delta = float(f[0] - f[1])
    errors = []
    sums = {}
    maps = {}
    # The sum at m = _FEW_STEPS first: compared with the others, it shows an m ignored.
    name = f"gradients_integres sur {case.label()}, pour une classe du correcteur, m={_FEW_STEPS}"
    maps[_FEW_STEPS] = as_array(
        call_explained(submission, "gradients_integres", model, Tensor(x), c, Tensor(base), _FEW_STEPS),
        name, shape=x.shape)
    few = float(maps[_FEW_STEPS].sum())
    grader_sums = {}

    def grader_sum(m: int) -> float:
        if m not in grader_sums:
            grader_sums[m] = float(_ig(case, x64, b64, c, m).sum())
        return grader_sums[m]

    def ignores_m(total: float, m: int) -> bool:
        """The same sum as at m = _FEW_STEPS, to rounding (a fixed number of steps computes the
        same thing), where the right Riemann sums clearly differ. An answer on another grid
        (linspace(0, 1, m), …) depends on m: its sums differ, if only slightly."""
        return (abs(total - few) <= 1e-5 * (1.0 + abs(delta))
                and abs(grader_sum(_FEW_STEPS) - grader_sum(m)) > 1e-2)

    for m in _COMPLETENESS_M:
        name = f"gradients_integres sur {case.label()}, pour une classe du correcteur, m={m}"
        got = as_array(
            call_explained(submission, "gradients_integres", model, Tensor(x), c, Tensor(base), m),
            name,
            shape=x.shape,
        )
        sums[m] = float(got.sum())
        maps[m] = got
        error = abs(sums[m] - delta)
        limit = _completeness_tol(tv, m, f[0], f[1], tol)
        record_margin(f"completeness gap, m={m}", error, limit, higher_is_better=False)
        errors.append(f"m={m} : {error / limit:.2g} × la tolérance")
        if error <= limit:
            continue
        total = float(got.sum())
        no_factor = float(_mean_path_grad(case, x64, b64, c, np.arange(1, m + 1) / m).sum())
        if ignores_m(total, m):
            hint = _IGNORES_M
        elif abs(total - no_factor) <= limit:
            hint = ("vous semblez avoir oublié le facteur (x − x') : sans lui, la somme des "
                    "attributions n'a aucune raison de valoir y_c(x) − y_c(x')",
                    "you seem to have left out the factor (x − x'): without it, the sum of the "
                    "attributions has no reason to equal y_c(x) − y_c(x')")
        elif abs(total - m * grader_sum(m)) <= 1e-3 * m * (1.0 + abs(delta)):
            hint = ("votre somme vaut m fois celle des gradients intégrés : divisez la somme des m "
                    "gradients par m",
                    "your sum is m times that of the integrated gradients: divide the sum of the "
                    "m gradients by m")
        elif abs(total - float((x64 * _mean_path_grad(case, x64, b64, c, np.arange(1, m + 1) / m)).sum())) \
                <= 1e-3 * (1.0 + abs(delta)):
            hint = ("le facteur est (x − x'), pas x : c'est lui qui donne la complétude",
                    "the factor is (x − x'), not x: it is what gives completeness")
        elif any(abs(total - float(_ig(case, x64, b64, k, m).sum())) <= 1e-3 * (1.0 + abs(delta))
                 for k in range(case.K) if k != c):
            hint = _IG_OTHER_CLASS
        else:
            hint = ("vérifiez le facteur (x − x'), la moyenne (et non la somme) des m gradients, et "
                    "que les gradients sont pris le long du chemin x' + (k/m)(x − x')",
                    "check the factor (x − x'), the mean (not the sum) of the m gradients, and that "
                    "the gradients are taken along the path x' + (k/m)(x − x')")
        raise CheckFailed(
            f"complétude des gradients intégrés sur {case.label()}, pour une classe du correcteur : avec m={m}, "
            "|Σ attributions − (y_c(x) − y_c(x'))| dépasse la tolérance, qui se resserre en 1/m "
            f"(écarts mesurés : {', '.join(errors)}) : la somme des "
            f"attributions doit tendre vers y_c(x) − y_c(x') quand m grandit ; {hint[0]}",
            f"completeness of integrated gradients on {case.label_en()}, for one of the grader's classes: with m={m}, "
            "|Σ attributions − (y_c(x) − y_c(x'))| exceeds the tolerance, which tightens as 1/m "
            f"(measured gaps: {', '.join(errors).replace(' : ', ': ').replace('la tolérance', 'the tolerance')}): the "
            f"sum of the attributions must tend to y_c(x) − y_c(x') as m grows; {hint[1]}",
        )
    # Complete at every m, yet the same sum for m = 2 as for the largest m, where the right
    # Riemann sums clearly differ. Two causes: the number of steps is not the argument m (the
    # attributions themselves do not change with m), or the sum is made complete by force
    # (the attributions change with m, their sum is y_c(x) − y_c(x') at every m: blind round
    # 16, a Riemann sum rescaled by (y_c(x) − y_c(x')) / Σ IG, was told m was ignored). A
    # fixed number of steps made complete as well keeps the first hint: with m ignored, a
    # forced sum and a fixed large number of steps cannot be told apart.
    largest = _COMPLETENESS_M[-1]
    if all(ignores_m(sums[m], m) for m in _COMPLETENESS_M):
        same = f"la somme des attributions est la même avec m={_FEW_STEPS} et avec m={largest}"
        same_en = f"the sum of the attributions is the same with m={_FEW_STEPS} and with m={largest}"
        if not _same(maps[_FEW_STEPS], maps[largest], tol):
            raise CheckFailed(
                f"gradients_integres sur {case.label()}, pour une classe du correcteur : vos "
                f"attributions changent avec m, mais {same} et vaut y_c(x) − y_c(x') dès "
                f"m={_FEW_STEPS}, où la somme de Riemann à droite en est loin : la complétude est "
                f"imposée, pas approchée ; {_FORCED_COMPLETENESS[0]}",
                f"gradients_integres on {case.label_en()}, for one of the grader's classes: your "
                f"attributions change with m, but {same_en} and equals y_c(x) − y_c(x') from "
                f"m={_FEW_STEPS} on, where the right Riemann sum is far from it: completeness is "
                f"forced, not approached; {_FORCED_COMPLETENESS[1]}",
            )
        raise CheckFailed(
            f"gradients_integres sur {case.label()}, pour une classe du correcteur : {same}, "
            f"alors que la somme de Riemann à droite à {_FEW_STEPS} pas est loin d'être "
            f"convergée ; {_IGNORES_M[0]}",
            f"gradients_integres on {case.label_en()}, for one of the grader's classes: {same_en}, "
            f"although the right Riemann sum with {_FEW_STEPS} steps is far from converged; "
            f"{_IGNORES_M[1]}",
        )


# ---------------------------------------------------------------- 3. occlusion


def _occlusion(case: Case, x, c, fenetre, pas, valeur, *, positions_end=1, channels=None,
               mode="mean", sign=1.0, valeur_used=None, output="logit",
               past_edge=False, kept_channels=None) -> np.ndarray:
    """The reference map, or one of its classic wrong variants. `kept_channels` (a slice):
    one copy occluded window after window in row order, those channels never restored (the
    windows before stay hidden in them)."""
    _, H, W = x.shape
    v = valeur if valeur_used is None else valeur_used
    if past_edge:  # windows starting at every row and column, cut by the edge
        positions = [(i, j) for i in range(0, H, pas) for j in range(0, W, pas)]
    else:
        positions = [(i, j) for i in range(0, H - fenetre + positions_end, pas)
                     for j in range(0, W - fenetre + positions_end, pas)]
    batch = np.repeat(x[None], len(positions) + 1, axis=0)
    for k, (i, j) in enumerate(positions, start=1):
        chans = slice(None) if channels is None else channels
        if kept_channels is not None and k > 1:
            batch[k, kept_channels] = batch[k - 1, kept_channels]
        batch[k, chans, i : i + fenetre, j : j + fenetre] = v
    logits = case.logits(batch)
    if output == "proba":
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        logits = e / e.sum(axis=1, keepdims=True)
    scores = logits[:, c]
    total, count = np.zeros((H, W)), np.zeros((H, W))
    for k, (i, j) in enumerate(positions, start=1):
        drop = sign * (scores[0] - scores[k])
        if mode == "last":
            total[i : i + fenetre, j : j + fenetre] = drop
        else:
            total[i : i + fenetre, j : j + fenetre] += drop
        count[i : i + fenetre, j : j + fenetre] += 1
    if mode in ("sum", "last"):
        return total
    if mode == "area":
        return total / (fenetre * fenetre)
    return total / np.maximum(count, 1)


_STATE_LEFT_HINT = (
    "chaque fenêtre s'occulte sur une image par ailleurs intacte : votre copie garde les "
    "fenêtres précédentes occultées (dans tous les canaux ou certains), faute d'être remise "
    "dans l'état de x ; partez d'une copie neuve à chaque fenêtre (xo = x.clone()), ou "
    "restaurez TOUS les canaux de la fenêtre (xo[:, i:i+fenetre, j:j+fenetre] = x[:, …])",
    "each window is occluded on an otherwise intact image: your copy keeps the previous windows "
    "occluded (in every channel or some), as it is not put back to x's state; start from a "
    "fresh copy for every window (xo = x.clone()), or restore EVERY channel of the window "
    "(xo[:, i:i+fenetre, j:j+fenetre] = x[:, …])",
)


def _occlusion_variants(case, x, c, fenetre, pas, valeur):
    out = [
        (_occlusion(case, x, c, fenetre, pas, valeur, sign=-1.0),
         "signe inversé : la carte vaut y_c(x) − y_c(x occulté), positive quand cacher la fenêtre "
         "fait baisser le score (vous calculez y_c(x occulté) − y_c(x))",
         "inverted sign: the map is y_c(x) − y_c(occluded x), positive when hiding the window "
         "lowers the score (you compute y_c(occluded x) − y_c(x))"),
        (_occlusion(case, x, c, fenetre, pas, valeur, mode="sum"),
         "chaque pixel reçoit la MOYENNE des baisses des fenêtres qui le couvrent, pas leur somme",
         "each pixel gets the MEAN of the drops of the windows covering it, not their sum"),
        (_occlusion(case, x, c, fenetre, pas, valeur, mode="last"),
         "chaque pixel reçoit la moyenne des baisses de TOUTES les fenêtres qui le couvrent : "
         "accumulez-les (somme puis division par le compte) au lieu d'écraser la valeur précédente",
         "each pixel gets the mean of the drops of ALL the windows covering it: accumulate them "
         "(sum, then divide by the count) instead of overwriting the previous value"),
        (_occlusion(case, x, c, fenetre, pas, valeur, mode="area"),
         "divisez la somme par le NOMBRE de fenêtres qui couvrent le pixel (un compte), pas par "
         "fenetre² : ce nombre est plus petit sur les bords, et quand pas > 1",
         "divide the sum by the NUMBER of windows covering the pixel (a count), not by "
         "fenetre²: that number is smaller at the edges, and when pas > 1"),
        (_occlusion(case, x, c, fenetre, pas, valeur, positions_end=0),
         "la dernière fenêtre manque : les fenêtres commencent en i = 0, pas, 2·pas, … tant que "
         "i + fenetre ≤ H, soit range(0, H − fenetre + 1, pas)",
         "the last window is missing: windows start at i = 0, pas, 2·pas, … while i + fenetre ≤ H, "
         "i.e. range(0, H − fenetre + 1, pas)"),
    ]
    out += [
        (_occlusion(case, x, c, fenetre, pas, valeur, output="proba"),
         "le score est le logit y_c = modele(x)[0, c] (avant le softmax), pas la probabilité "
         "softmax : la carte est la baisse du LOGIT",
         "the score is the logit y_c = modele(x)[0, c] (before the softmax), not the softmax "
         "probability: the map is the drop of the LOGIT"),
        (_occlusion(case, x, c, fenetre, pas, valeur, past_edge=True),
         "les fenêtres restent entièrement dans l'image : elles commencent en i = 0, pas, 2·pas, "
         "… tant que i + fenetre ≤ H (range(0, H − fenetre + 1, pas)), pas à chaque ligne "
         "jusqu'au bord (une fenêtre coupée par le bord n'est pas prise)",
         "the windows stay entirely inside the image: they start at i = 0, pas, 2·pas, … while "
         "i + fenetre ≤ H (range(0, H − fenetre + 1, pas)), not at every row up to the edge (a "
         "window cut by the edge is not taken)"),
    ]
    if x.shape[0] > 1:
        out.append((_occlusion(case, x, c, fenetre, pas, valeur, channels=0),
                    "la fenêtre cache TOUS les canaux : x[:, i:i+fenetre, j:j+fenetre] = valeur",
                    "the window hides EVERY channel: x[:, i:i+fenetre, j:j+fenetre] = valeur"))
        out.append((_occlusion(case, x, c, fenetre, pas, valeur, kept_channels=slice(1, None)),
                    *_STATE_LEFT_HINT))
    out.append((_occlusion(case, x, c, fenetre, pas, valeur, kept_channels=slice(None)),
                *_STATE_LEFT_HINT))
    if valeur != 0.0:
        out.append((_occlusion(case, x, c, fenetre, pas, valeur, valeur_used=0.0),
                    "la fenêtre prend la valeur `valeur` donnée en argument, pas 0",
                    "the window takes the value `valeur` given as an argument, not 0"))
    return out


@pytest.mark.item("occlusion", points=2)
def test_occlusion_matches_reference(submission, rng, device):
    tol = _tol(device)
    case = Case(rng)
    while case.C == 1:  # several channels: the window must hide all of them
        case = Case(rng)
    model = case.kernel(submission)
    x = case.image(rng)
    x64 = x.astype(np.float64)
    # The statement's rule: x is not modified (an occlusion written into x itself, even
    # undone afterwards, is seen when x differs after the call).
    assert_arguments_untouched(
        submission, "carte_occlusion", (model, Tensor(x), 0, 2, 1, 0.0), {1: "x"},
        hint_fr="occultez une copie (x.clone(), ou un lot x.unsqueeze(0).repeat(...)), jamais x "
        "lui-même : xo = x ne copie pas le tenseur",
        hint_en="occlude a copy (x.clone(), or a batch x.unsqueeze(0).repeat(...)), never x "
        "itself: xo = x does not copy the tensor",
    )
    assert_model_untouched(submission, "carte_occlusion",
                           (case.kernel(submission), Tensor(x), 0, 2, 1, 0.0))
    # (2, 3): a stride larger than the window leaves pixels no window covers (their map is 0).
    # The last: a window wider than the image's short side and no wider than its long side
    # (H ≠ W): no position fits, the statement's rule gives a map of zeros, and an answer that
    # stacks an empty list of occluded images (torch.stack([])) shows (blind round 22).
    wide = int(rng.integers(min(case.H, case.W) + 1, max(case.H, case.W) + 1))
    configs = [(2, 1, 0.0), (3, 2, round(float(rng.uniform(0.2, 0.6)), 3)), (2, 2, 0.0),
               (2, 3, 0.0), (wide, 1, 0.0)]
    scale = None  # the atol's scale on the window-less map: that of a map with windows
    for i in rng.permutation(len(configs)):
        fenetre, pas, valeur = configs[i]
        if fenetre == wide:
            c = int(rng.integers(case.K))
            scale = float(np.abs(_occlusion(case, x64, c, 2, 1, 0.0)).max())
        else:
            scale = None
            for c in rng.permutation(case.K):  # a class whose score the windows clearly move
                c = int(c)
                if np.abs(_occlusion(case, x64, c, fenetre, pas, valeur)).max() > 1e-2:
                    break
        name = (f"carte_occlusion sur {case.label()}, pour une classe du correcteur, "
                f"fenetre={fenetre}, pas={pas}, valeur={'0' if valeur == 0 else 'non nulle'}")
        got = as_array(
            call_explained(submission, "carte_occlusion", model, Tensor(x), c, fenetre, pas, valeur),
            name,
            shape=(case.H, case.W),
            allow_nan=True,
        )
        if not np.isfinite(got).all():
            raise CheckFailed(
                f"{name} renvoie des NaN : un pixel qu'aucune fenêtre ne couvre (quand pas > "
                "fenetre, sur les bords, ou quand aucune fenêtre ne tient dans l'image) vaut 0 ; "
                "divisez la somme par le nombre de fenêtres "
                "qui le couvrent, au moins 1 (compte.clamp(min=1))",
                f"{name} returns NaN: a pixel no window covers (when pas > fenetre, on the "
                "edges, or when no window fits in the image) is 0; divide the sum by the number of windows covering it, at least 1 "
                "(compte.clamp(min=1))",
            )
        _compare(got, _occlusion(case, x64, c, fenetre, pas, valeur), name, tol,
                 _occlusion_variants(case, x64, c, fenetre, pas, valeur),
                 ("pour chaque pixel, la moyenne de y_c(x) − y_c(x occulté) sur les fenêtres qui le "
                  "couvrent, 0 s'il n'est couvert par aucune ; carte (H, W)",
                  "for each pixel, the mean of y_c(x) − y_c(occluded x) over the windows covering "
                  "it, 0 if none does; an (H, W) map"), scale=scale)
        if (fenetre, pas, valeur) != (2, 1, 0.0):
            continue
        # The same map through the signature's defaults, as the notebook calls it.
        plain = as_array(
            call_explained(submission, "carte_occlusion", model, Tensor(x), c),
            f"carte_occlusion sur {case.label()}, sans fenetre, pas ni valeur",
            shape=(case.H, case.W),
        )
        if not np.allclose(plain, got, rtol=1e-6, atol=1e-9):
            raise CheckFailed(
                "carte_occlusion(modele, x, c) sans autre argument ne donne pas la carte de "
                "fenetre=2, pas=1, valeur=0.0 : ce sont les valeurs par défaut de la signature "
                "(def carte_occlusion(modele, x, c, fenetre=2, pas=1, valeur=0.0))",
                "carte_occlusion(modele, x, c) without other arguments does not give the map of "
                "fenetre=2, pas=1, valeur=0.0: those are the signature's defaults "
                "(def carte_occlusion(modele, x, c, fenetre=2, pas=1, valeur=0.0))",
            )


# ---------------------------------------------------------------- 4. Grad-CAM


def _cam_parts(case: Case, x, c, output: str = "logit"):
    """(A, ∂output/∂A) for one image, float64."""
    xt = torch.tensor(x[None], dtype=torch.float64)
    A = case.model.caracteristiques(xt).detach().requires_grad_(True)
    z = case.model.tete(A)
    y = z[0, c] if output == "logit" else torch.softmax(z, dim=1)[0, c]
    (g,) = torch.autograd.grad(y, A)
    return A[0].detach().numpy(), g[0].numpy()


def _cam_parts_before_relu(case: Case, x, c):
    """(Z, ∂y_c/∂Z) for one image, float64, Z the last convolution's output BEFORE its ReLU
    (what a forward hook on conv2 records)."""
    m = case.model
    xt = torch.tensor(x[None], dtype=torch.float64)
    with torch.no_grad():
        Z = m.conv2(F.max_pool2d(torch.relu(m.conv1(xt)), 2))
    Z.requires_grad_(True)
    (g,) = torch.autograd.grad(m.tete(torch.relu(Z))[0, c], Z)
    return Z[0].detach().numpy(), g[0].numpy()


def _cam(A, g, *, relu=True, reduce="mean"):
    alpha = g.mean(axis=(1, 2)) if reduce == "mean" else g.sum(axis=(1, 2))
    pre = (alpha[:, None, None] * A).sum(axis=0)
    return np.maximum(pre, 0.0) if relu else pre


def _cam_case(rng, several_channels: bool = False, channels: int | None = None,
              thin: bool = False):
    """An image and a class whose map has clearly positive and clearly negative regions."""
    for _ in range(500):
        case = Case(rng, several_channels, channels, thin)
        for _ in range(10):
            x = case.image(rng)
            if case.margin(x) < 1e-5:
                continue
            predicted = int(np.argmax(case.logits(x.astype(np.float64)[None])[0]))
            for c in rng.permutation(case.K):
                if int(c) == predicted:  # an answer explaining the predicted class shows
                    continue
                A, g = _cam_parts(case, x.astype(np.float64), int(c))
                pre = _cam(A, g, relu=False)
                scale = np.abs(pre).max()
                if not (scale > 1e-2 and pre.min() < -0.2 * scale and pre.max() > 0.2 * scale):
                    continue
                # Maps taken before the last ReLU (a hook on the convolution) must show, with
                # a map of their own: not zero everywhere, and away from the reference.
                before = _cam(*_cam_parts_before_relu(case, x.astype(np.float64), int(c)))
                if before.max() > 0.2 * scale and _distance(before, _cam(A, g)) > 0.05:
                    return case, x, int(c)
    raise RuntimeError("no Grad-CAM case")  # a bug in the check


#: Grad-CAM's images, at every variant: several channels, one channel, then an image 2 or 3
#: pixels high or wide, whose feature maps have h = 1 or w = 1 (the statement allows other
#: image sizes): a map squeeze()d at the end loses that axis (blind round 22).
_CAM_CASES = (*_MAP_CASES, {"thin": True})

#: The lost spatial axis of a map squeeze()d when h = 1 or w = 1.
_CAM_LOST_AXIS = (
    "les cartes A ont ici un axe spatial de taille 1 (une image de 2 ou 3 pixels de haut ou de "
    "large, h = 1 ou w = 1) et votre carte l'a perdu, alors qu'elle doit garder la forme (h, w) "
    "des cartes A ; squeeze() enlève TOUS les axes de taille 1 : n'enlevez que l'axe du lot "
    "(A[0], g[0], ou .sum(dim=1)[0])",
    "the maps A have here a spatial axis of size 1 (an image 2 or 3 pixels high or wide, h = 1 "
    "or w = 1) and your map lost it, while it must keep the shape (h, w) of the maps A; "
    "squeeze() removes EVERY axis of size 1: remove only the batch axis (A[0], g[0], or "
    ".sum(dim=1)[0])",
)


def _square_area_variants(A, g, h: int, w: int) -> list:
    """α_k = Σ ∂y_c/∂A_k divided by w² or h² (the maps assumed square): the reference times
    h/w or w/h, on the grader's maps where h ≠ w. Before the "do not normalise" premise, which
    a constant factor also meets (blind round 22)."""
    if h == w:
        return []
    hint = ("α_k est la moyenne de ∂y_c/∂A_k sur les h·w positions de la carte : ici h ≠ w (les "
            "images ne sont pas carrées), divisez la somme par h·w (g.mean(dim=(2, 3))), pas par "
            "w² ni h²",
            "α_k is the mean of ∂y_c/∂A_k over the h·w positions of the map: here h ≠ w (the "
            "images are not square), divide the sum by h·w (g.mean(dim=(2, 3))), not by w² nor h²")
    ref = _cam(A, g)
    return [(ref * (h / w), *hint), (ref * (w / h), *hint)]


@pytest.mark.item("grad_cam", points=2.5)
def test_grad_cam_matches_reference(submission, rng, device):
    tol = _tol(device)
    for draw in _CAM_CASES:  # several channels, one, then h = 1 or w = 1
        case, x, c = _cam_case(rng, **draw)
        model = case.kernel(submission)
        x64 = x.astype(np.float64)
        A, g = _cam_parts(case, x64, c)
        ref = _cam(A, g)
        h, w = ref.shape
        name = f"grad_cam sur {case.label()}, pour une classe du correcteur"
        got = as_array(call_explained(submission, "grad_cam", model, Tensor(x), c,
                                      cause=GRAD_CAM_CAUSE), name, dtype=np.float64)
        if got.shape != (h, w) and 1 in (h, w) and got.shape == tuple(d for d in (h, w) if d != 1):
            raise CheckFailed(f"{name} : {_CAM_LOST_AXIS[0]}",
                              f"grad_cam on {case.label_en()}, for one of the grader's classes: "
                              f"{_CAM_LOST_AXIS[1]}")
        if got.shape != (h, w):
            hint = ("la carte est à la résolution de modele.caracteristiques(x) : ne l'agrandissez "
                    "pas et sommez sur les cartes k",
                    "the map has the resolution of modele.caracteristiques(x): do not upsample it, "
                    "and sum over the maps k")
            raise CheckFailed(
                f"{name} : la carte doit avoir la forme (h, w) des cartes A, obtenue "
                f"{tuple(int(d) for d in got.shape)} ; {hint[0]}",
                f"grad_cam on {case.label_en()}, for one of the grader's classes: the map must "
                f"have the shape (h, w) of the maps A, got {tuple(int(d) for d in got.shape)}; "
                f"{hint[1]}",
            )
        A_p, g_p = _cam_parts(case, x64, c, output="proba")
        variants = [
            (_cam(A, g, relu=False),
             "il manque la ReLU finale : Grad-CAM ne garde que la partie positive de Σ_k α_k A_k",
             "the final ReLU is missing: Grad-CAM keeps only the positive part of Σ_k α_k A_k"),
            (_cam(A, g, reduce="sum"),
             "α_k est la MOYENNE spatiale des gradients ∂y_c/∂A_k (divisez par h·w), pas leur somme",
             "α_k is the spatial MEAN of the gradients ∂y_c/∂A_k (divide by h·w), not their sum"),
            (np.maximum((g * A).sum(axis=0), 0.0),
             "chaque carte A_k est pondérée par un seul nombre α_k, la moyenne spatiale de ∂y_c/∂A_k, "
             "pas par le gradient pixel par pixel",
             "each map A_k is weighted by a single number α_k, the spatial mean of ∂y_c/∂A_k, not "
             "by the gradient pixel by pixel"),
            (np.abs(_cam(A, g, relu=False)),
             "Grad-CAM applique une ReLU (la partie positive), pas une valeur absolue",
             "Grad-CAM applies a ReLU (the positive part), not an absolute value"),
            (_cam(A_p, g_p), *_LOGIT_HINT),
            (ref / max(float(ref.max()), 1e-12),
             "ne normalisez pas la carte (pas de division par son maximum) : renvoyez "
             "ReLU(Σ_k α_k A_k) telle quelle",
             "do not normalise the map (no division by its maximum): return ReLU(Σ_k α_k A_k) "
             "as it is"),
            (_cam(A, np.maximum(g, 0.0)),
             "α_k est la moyenne spatiale du gradient ∂y_c/∂A_k signé : la ReLU s'applique à la "
             "carte Σ_k α_k A_k, pas aux gradients",
             "α_k is the spatial mean of the signed gradient ∂y_c/∂A_k: the ReLU applies to the "
             "map Σ_k α_k A_k, not to the gradients"),
            (np.maximum((g.mean(axis=0)[None] * A).sum(axis=0), 0.0),
             "α_k est la moyenne de ∂y_c/∂A_k sur les deux axes SPATIAUX (h, w) : un nombre par "
             "carte k (mean(dim=(1, 2)) sur g[0] (K, h, w)), pas la moyenne sur les cartes",
             "α_k is the mean of ∂y_c/∂A_k over the two SPATIAL axes (h, w): one number per map k "
             "(mean(dim=(1, 2)) on g[0] (K, h, w)), not the mean over the maps"),
            (_cam(*_cam_parts_before_relu(case, x64, c)),
             "vos cartes A sont prises AVANT la ReLU de la dernière couche convolutive (un crochet "
             "(hook) sur la convolution, par exemple) : A = modele.caracteristiques(x.unsqueeze(0)) "
             "est sa sortie APRÈS la ReLU, et y_c = modele.tete(A)[0, c]",
             "your maps A are taken BEFORE the ReLU of the last convolutional layer (a hook on the "
             "convolution, say): A = modele.caracteristiques(x.unsqueeze(0)) is its output AFTER "
             "the ReLU, and y_c = modele.tete(A)[0, c]"),
            *((_cam(*_cam_parts(case, x64, k)), *_CLASS_HINT) for k in range(case.K) if k != c),
            *_square_area_variants(A, g, h, w),
        ]
        default = ("ReLU(Σ_k α_k A_k), α_k = moyenne spatiale de ∂y_c/∂A_k, A = modele.caracteristiques(x)",
                   "ReLU(Σ_k α_k A_k), α_k = spatial mean of ∂y_c/∂A_k, A = modele.caracteristiques(x)")
        if not np.any(np.abs(got) > 1e-6 * float(np.abs(ref).max())):
            # The reference has positive values (the case is drawn so): a map of zeros.
            default = (
                "votre carte est nulle partout, alors qu'ici Σ_k α_k A_k a des valeurs positives : "
                "la ReLU ne s'applique qu'à la somme finale (pas aux poids α_k ni aux gradients), "
                "α_k est la moyenne spatiale de ∂y_c/∂A_k pour le logit y_c = modele.tete(A)[0, c], "
                "et A = modele.caracteristiques(x.unsqueeze(0)) (les cartes APRÈS la ReLU)",
                "your map is zero everywhere, while here Σ_k α_k A_k has positive values: the ReLU "
                "applies only to the final sum (not to the weights α_k nor to the gradients), α_k "
                "is the spatial mean of ∂y_c/∂A_k for the logit y_c = modele.tete(A)[0, c], and "
                "A = modele.caracteristiques(x.unsqueeze(0)) (the maps AFTER the ReLU)",
            )
        _compare(got, ref, name, tol, variants, default, rescaled="ReLU(Σ_k α_k A_k)")
    leaves_its_arguments(
        submission, "grad_cam", (case.kernel(submission), Tensor(x), c), {1: "x"},
        ("x.unsqueeze(0) renvoie un nouveau tenseur (1, C, H, W) ; x.unsqueeze_(0) change la "
         "forme du x de l'appelant",
         "x.unsqueeze(0) returns a new (1, C, H, W) tensor; x.unsqueeze_(0) changes the shape of "
         "the caller's x"))
