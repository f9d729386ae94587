"""Hidden checks, part 2: NT-Xent, alignment and uniformity, and the collapse detector.

References are computed here in float64 (NumPy, and torch autograd for gradients) on
inputs drawn from the grader's rng: rows of random norms (so that a missing L2
normalisation shows), temperatures in [0.1, 0.8] and above 1 (never 1, so that a missing
or doubled temperature shows). Gradients are taken in the kernel by a trusted helper,
through the student's `nt_xent`. Known mistakes (the self-similarity left in the
denominator, no normalisation, τ applied twice...) are recomputed here to name them in the
message. The collapse detector is called on encoders the grader builds in the kernel: a
constant one, a nearly constant one of large norm, and healthy ones (one with tiny outputs).
Measured (6 grader seeds): the nearly constant encoder measures 0.005–0.008 (0.5–0.85
without normalisation), the healthy ones 0.77–0.93 (0.001–0.002 for the tiny one without
normalisation); the bar is the notebook's default seuil = 0.1. A random ReLU CNN (the TP's
encoder) measures only 0.13–0.17, too close to the bar to serve as a healthy example.
No check here depends on the luck of a training or of the student's draws: every value is a
deterministic function of the grader's inputs, and the drawn inputs keep their margins on
every draw (3000 draws, blind round 19: the healthy encoder measures at least 0.67, the
nearly constant one at most 0.009, the encoder spread on a block of X at least 0.38, around
the bar 0.1), so no correct answer fails on an unlucky draw.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from autograder.checks import (
    CheckFailed,
    Ref,
    StudentError,
    Tensor,
    as_array,
    as_float,
    assert_gradient_close,
    kernel_side,
    record_expected,
    record_margin,
    tolerance_for,
)

from ..public.helpers import logsumexp, notebook_encoder, nt_xent_ref, unit_rows
from .helpers import call_marked, check_not_in_place


@kernel_side
def nt_xent_gradients(nt_xent, z1, z2, temperature):
    """The student's nt_xent(z1, z2, temperature=...) on fresh leaves: [dz1, dz2, value]."""
    import torch

    a = z1.detach().clone().requires_grad_(True)
    b = z2.detach().clone().requires_grad_(True)
    perte = nt_xent(a, b, temperature=temperature)
    if not isinstance(perte, torch.Tensor):
        raise TypeError("TP09_PAS_TENSEUR " + type(perte).__name__)
    if perte.numel() != 1:
        raise ValueError("TP09_PAS_SCALAIRE " + str(tuple(perte.shape)))
    if not perte.requires_grad:
        raise TypeError("TP09_SANS_GRADIENT")
    ga, gb = torch.autograd.grad(perte.reshape(()), [a, b], allow_unused=True)
    return [torch.zeros_like(a) if ga is None else ga, torch.zeros_like(b) if gb is None else gb,
            perte.detach().double().reshape(())]


@kernel_side
def measure_gradients(mesure, alpha, *entrees):
    """The gradients of the student's mesure(*entrees, alpha=alpha) in each input, on fresh
    leaves; None when it is not a differentiable scalar tensor."""
    import torch

    feuilles = [e.detach().clone().requires_grad_(True) for e in entrees]
    valeur = mesure(*feuilles, alpha=alpha)
    if not isinstance(valeur, torch.Tensor) or valeur.numel() != 1 or not valeur.requires_grad:
        return None
    grads = torch.autograd.grad(valeur.reshape(()), feuilles, allow_unused=True)
    return [torch.zeros_like(f) if g is None else g for f, g in zip(feuilles, grads, strict=True)]


@kernel_side
def encoder_of_kind(genre, c, W, echelle, graine):
    """A grader encoder: constant, almost constant, healthy, or split on a boundary."""
    import torch
    from torch import nn

    c = torch.as_tensor(c, dtype=torch.float32)
    W = torch.as_tensor(W, dtype=torch.float32)

    class EncodeurTest(nn.Module):
        def __init__(self):
            super().__init__()
            self.vus = []  # the images it was called on (what detecter_effondrement gave it)

        def forward(self, x):
            self.vus.append(x.detach().reshape(len(x), -1).double().clone())
            x = x.reshape(len(x), -1).float()
            if genre == "marque":  # constant, except on the images whose first pixel is < -2
                marque = (x[:, 0] < -2.0)[:, None]
                return torch.where(marque, echelle * torch.tanh(x @ W), c.expand(len(x), -1))
            if genre == "constant":
                return c.expand(len(x), -1).clone()
            if genre == "presque_constant":
                return c + echelle * (x @ W)
            if genre == "sain":
                return echelle * torch.tanh(x @ W)
            if genre == "frontiere":  # +c for even images, -c for odd ones
                signes = 1.0 - 2.0 * (torch.arange(len(x)) % 2).float()
                return signes[:, None] * c
            return echelle * (x @ W)

    if genre == "sequentiel":  # a healthy encoder, then a head that collapses everything to c
        genre = "sain"
        tete = nn.Linear(W.shape[1], len(c))
        with torch.no_grad():
            tete.weight.zero_()
            tete.bias.copy_(c)
        return nn.Sequential(EncodeurTest(), tete)
    return EncodeurTest()


@kernel_side
def images_vues(encodeur):
    """The images the grader's test encoder was called on, flattened, in call order."""
    import torch

    for m in encodeur.modules():
        if hasattr(m, "vus"):
            return torch.cat(m.vus) if m.vus else torch.zeros(0, 1, dtype=torch.float64)
    return torch.zeros(0, 1, dtype=torch.float64)


@kernel_side
def encoder_outputs(encodeur, X):
    import torch

    with torch.no_grad():
        return encodeur(torch.as_tensor(X, dtype=torch.float32))



# ---------------------------------------------------------------- NT-Xent


_NT_XENT_VARIANTS = [
    (
        {"self_sim": True},
        "la similarité de chaque exemple avec lui-même (s_ii = 1/τ) est restée dans le "
        "dénominateur : excluez-la (diagonale remplie par −∞ avant le softmax), la somme porte "
        "sur k ≠ i",
        "each example's similarity with itself (s_ii = 1/τ) was left in the denominator: "
        "exclude it (diagonal filled with −∞ before the softmax), the sum runs over k ≠ i",
    ),
    (
        {"normalise": False},
        "les projections ne sont pas normalisées : NT-Xent utilise la similarité cosinus, "
        "divisez chaque ligne par sa norme L2 (F.normalize(z, dim=1)) avant les produits "
        "scalaires",
        "the projections are not normalised: NT-Xent uses the cosine similarity, divide each "
        "row by its L2 norm (F.normalize(z, dim=1)) before the dot products",
    ),
    (
        {"tau_power": 2},
        "la température est appliquée deux fois (division par τ²) : divisez les similarités "
        "une seule fois par τ (attention à F.cross_entropy qui ne divise pas, et à une "
        "division déjà faite plus haut)",
        "the temperature is applied twice (division by τ²): divide the similarities by τ only "
        "once (F.cross_entropy does not divide; watch for a division already done earlier)",
    ),
    (
        {"tau_power": 0},
        "la température n'est pas appliquée : divisez les similarités cosinus par τ",
        "the temperature is not applied: divide the cosine similarities by τ",
    ),
    (
        {"same_view_negatives": False},
        "le dénominateur ne contient que les exemples de l'autre vue : il doit contenir les "
        "2N − 1 autres exemples, y compris ceux de la même vue",
        "the denominator only holds the examples of the other view: it must hold the 2N − 1 "
        "other examples, those of the same view included",
    ),
    (
        {"anchors": "first"},
        "seuls les N exemples de la première vue servent d'ancres : faites la moyenne de ℓ_i "
        "sur les 2N exemples des deux vues",
        "only the N examples of the first view are anchors: average ℓ_i over the 2N examples "
        "of both views",
    ),
    (
        {"reduce": "sum"},
        "c'est la somme des ℓ_i : NT-Xent est leur moyenne sur les 2N exemples",
        "that is the sum of the ℓ_i: NT-Xent is their mean over the 2N examples",
    ),
]


# Mistakes named in the messages but not used to choose the grader's inputs (those stay as
# they were drawn): s_ii set to 0 instead of −∞, and the positive left out of the denominator.
NT_XENT_HINT_ONLY = [
    (
        {"self_zero": True},
        "la diagonale s_ii est mise à 0 au lieu d'être exclue : exp(0) = 1 reste au "
        "dénominateur ; masquez-la par −∞ (masked_fill(..., float('-inf'))), pas par 0",
        "the diagonal s_ii is set to 0 instead of being excluded: exp(0) = 1 stays in the "
        "denominator; mask it with −∞ (masked_fill(..., float('-inf'))), not with 0",
    ),
    (
        {"positive_in_denominator": False},
        "le positif est retiré du dénominateur : la somme Σ_{k≠i} exp(s_ik) contient le "
        "positif p(i) (seul s_ii est exclu), comme dans F.cross_entropy",
        "the positive is removed from the denominator: the sum Σ_{k≠i} exp(s_ik) holds the "
        "positive p(i) (only s_ii is excluded), as in F.cross_entropy",
    ),
]


def _nt_xent_case(rng, tau: float) -> tuple[np.ndarray, np.ndarray]:
    """Inputs on which every known mistake changes the loss by more than 1 %."""
    for _ in range(1000):
        n, d = int(rng.integers(4, 12)), int(rng.integers(3, 10))
        z1 = rng.normal(size=(n, d)) * rng.uniform(0.3, 3.0, size=(n, 1))
        z2 = (z1 + rng.normal(scale=0.7, size=(n, d))) * rng.uniform(0.3, 3.0, size=(n, 1))
        ref = nt_xent_ref(z1, z2, tau)
        if all(
            abs(nt_xent_ref(z1, z2, tau, **kw) - ref) > 1e-2 * max(1.0, abs(ref))
            for kw, _, _ in _NT_XENT_VARIANTS
        ):
            return z1, z2
    raise RuntimeError("no NT-Xent case")  # a bug in the check


def _columns_normalised(z1, z2, tau: float) -> float:
    """NT-Xent with F.normalize(torch.cat([z1, z2]), dim=0): the columns normalised."""
    z = np.concatenate([z1, z2])
    z = z / np.maximum(np.linalg.norm(z, axis=0, keepdims=True), 1e-12)
    return nt_xent_ref(z[: len(z1)], z[len(z1):], tau, normalise=False)


def _shifted_positives(z1, z2, tau: float) -> list[float]:
    """NT-Xent with the positive of example i taken at (i + k) mod 2N, for every k but 0 and
    N: a positive index built from a constant (the notebook's batch size) instead of N."""
    n = len(z1)
    z = unit_rows(np.concatenate([z1, z2]))
    s = z @ z.T / tau
    np.fill_diagonal(s, -np.inf)
    lse = logsumexp(s, axis=1)
    idx = np.arange(2 * n)
    return [float((lse - s[idx, (idx + k) % (2 * n)]).mean())
            for k in range(1, 2 * n) if k != n]


def _taus(rng) -> list[float]:
    return [float(rng.uniform(0.1, 0.3)), float(rng.uniform(0.4, 0.8)), float(rng.uniform(1.5, 3))]


_NT_XENT_ERRORS = {
    "TP09_PAS_TENSEUR": (
        "nt_xent doit renvoyer un tenseur torch (pas un float ni un tableau NumPy) pour que "
        "l'autograd puisse la dériver",
        "nt_xent must return a torch tensor (not a float nor a NumPy array) so that autograd "
        "can differentiate it",
    ),
    "TP09_PAS_SCALAIRE": (
        "nt_xent doit renvoyer un seul nombre (la moyenne des 2N pertes ℓ_i)",
        "nt_xent must return a single number (the mean of the 2N losses ℓ_i)",
    ),
    "TP09_SANS_GRADIENT": (
        "nt_xent ne laisse pas passer le gradient : n'utilisez que des opérations torch (pas "
        "de .numpy(), .item() ni .detach())",
        "nt_xent does not let the gradient through: use torch operations only (no .numpy(), "
        ".item() nor .detach())",
    ),
}


@pytest.mark.item("nt_xent", points=1.5)
def test_nt_xent_valeurs(submission, rng, device):
    for tau in _taus(rng):
        z1, z2 = _nt_xent_case(rng, tau)
        call = (
            "nt_xent(z1, z2, temperature) pour des projections du correcteur"
        )
        raw = as_array(
            submission.call("nt_xent", Tensor(z1), Tensor(z2), temperature=tau), call, dtype=None,
            allow_nan=True,
        )
        if raw.size == 1 and raw.dtype.kind == "f" and np.isposinf(raw).all():
            # +inf: the positive's logit is a masked −∞, the example itself ((i + k) mod 2N
            # landing on i), while the reference is always finite.
            raise CheckFailed(
                f"{call} vaut +inf : la cible positive d'un exemple est une similarité masquée "
                "par −∞, celle de l'exemple avec lui-même ? p(i) = i + N pour la première vue, "
                "i − N pour la seconde, avec N = len(z1) la taille du lot REÇU (pas une "
                "constante comme la taille de lot du notebook)",
                f"{call} is +inf: an example's positive target is a similarity masked by −∞, the "
                "example's with itself? p(i) = i + N for the first view, i − N for the second, "
                "with N = len(z1) the size of the batch RECEIVED (not a constant such as the "
                "notebook's batch size)",
            )
        got = as_float(raw, call)
        want = nt_xent_ref(z1, z2, tau)
        record_expected(call, want)
        tol = tolerance_for(device, raw.dtype if raw.dtype.kind == "f" else "float64")
        record_margin(f"absolute error of nt_xent vs reference, τ = {tau:.3g}", abs(got - want),
                      tol * max(1.0, abs(want)), higher_is_better=False, kind="tolerance")
        if abs(got - want) <= tol * max(1.0, abs(want)):
            continue
        hint = (
            "ℓ_i = −log(exp(s_i,p(i)) / Σ_{k≠i} exp(s_ik)) avec s_ij = ẑ_i·ẑ_j / τ, moyenne sur "
            "les 2N exemples",
            "ℓ_i = −log(exp(s_i,p(i)) / Σ_{k≠i} exp(s_ik)) with s_ij = ẑ_i·ẑ_j / τ, mean over "
            "the 2N examples",
        )
        for kw, fr, en in [*_NT_XENT_VARIANTS, *NT_XENT_HINT_ONLY]:
            v = nt_xent_ref(z1, z2, tau, **kw)
            if abs(got - v) <= tol * max(1.0, abs(v)):
                hint = (fr, en)
                break
        else:
            v = nt_xent_ref(z1, z2, 0.5)  # the signature's default temperature
            if abs(got - v) <= tol * max(1.0, abs(v)):
                hint = (
                    "votre valeur est celle de τ = 0,5 : nt_xent ignore son argument temperature "
                    "(divisez les similarités par temperature, pas par une constante)",
                    "your value is that of τ = 0.5: nt_xent ignores its temperature argument "
                    "(divide the similarities by temperature, not by a constant)",
                )
            elif abs(got - (v := _columns_normalised(z1, z2, tau))) <= tol * max(1.0, abs(v)):
                hint = (
                    "la normalisation est faite sur le mauvais axe (chaque COLONNE divisée par sa "
                    "norme, dim=0) : chaque projection, une LIGNE, est divisée par sa norme L2, "
                    "F.normalize(z, dim=1)",
                    "the normalisation is done on the wrong axis (each COLUMN divided by its "
                    "norm, dim=0): each projection, a ROW, is divided by its L2 norm, "
                    "F.normalize(z, dim=1)",
                )
            elif any(abs(got - v) <= tol * max(1.0, abs(v)) for v in _shifted_positives(z1, z2, tau)):
                hint = (
                    "le positif de chaque exemple n'est pas son autre vue : p(i) = i + N pour la "
                    "première vue, i − N pour la seconde, avec N = len(z1) la taille du lot "
                    "REÇU (pas une constante comme la taille de lot du notebook)",
                    "each example's positive is not its other view: p(i) = i + N for the first "
                    "view, i − N for the second, with N = len(z1) the size of the batch RECEIVED "
                    "(not a constant such as the notebook's batch size)",
                )
        raise CheckFailed(
            f"{call} = {got:.6g} ne correspond pas à la valeur de référence calculée par le "
            f"correcteur ; {hint[0]}",
            "nt_xent(z1, z2, temperature) for projections of the grader = "
            f"{got:.6g} does not match the reference value the grader computes; {hint[1]}",
        )


def _torch_nt_xent(z1, z2, tau, **kw):
    """The same reference and mistakes in torch, for autograd."""
    n = z1.shape[0]
    z = torch.cat([z1, z2])
    if kw.get("normalise", True):
        z = z / z.norm(dim=1, keepdim=True)
    s = z @ z.T / tau ** kw.get("tau_power", 1)
    mask = torch.zeros(2 * n, 2 * n, dtype=torch.bool)
    if not kw.get("self_sim", False):
        mask |= torch.eye(2 * n, dtype=torch.bool)
    if not kw.get("same_view_negatives", True):
        mask[:n, :n] = mask[n:, n:] = True
    s = s.masked_fill(mask, float("-inf"))
    pos = torch.cat([torch.arange(n, 2 * n), torch.arange(n)])
    losses = torch.logsumexp(s, dim=1) - s[torch.arange(2 * n), pos]
    if kw.get("anchors", "both") == "first":
        losses = losses[:n]
    return losses.sum() if kw.get("reduce", "mean") == "sum" else losses.mean()


def _torch_grads(z1, z2, tau, **kw):
    a = torch.tensor(z1, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(z2, dtype=torch.float64, requires_grad=True)
    ga, gb = torch.autograd.grad(_torch_nt_xent(a, b, tau, **kw), [a, b])
    return ga.numpy(), gb.numpy()


@pytest.mark.item("nt_xent", points=1.5)
def test_nt_xent_gradients(submission, rng, device):
    for tau in _taus(rng)[:2]:
        z1, z2 = _nt_xent_case(rng, tau)
        what = (
            "nt_xent(z1, z2, temperature) pour des projections du correcteur"
        )
        out = call_marked(submission, nt_xent_gradients, Tensor(z1), Tensor(z2), tau, name="nt_xent",
                          what=what, errors=_NT_XENT_ERRORS)
        if not isinstance(out, (list, tuple)) or len(out) != 3:
            raise CheckFailed(f"{what} : gradients illisibles", f"{what}: unreadable gradients")
        want = _torch_grads(z1, z2, tau)
        value = as_float(out[2], what)
        value_ok = abs(value - nt_xent_ref(z1, z2, tau)) <= tolerance_for(device, "float32") * max(
            1.0, abs(nt_xent_ref(z1, z2, tau)))
        for label, g, w in zip(("z1", "z2"), out[:2], want, strict=True):
            got = as_array(g, f"gradient par rapport à {label}", shape=w.shape, dtype=None)
            # The gradient comes back in the leaves' dtype (the grader's float64) even when
            # nt_xent computes in float32 inside, which test_nt_xent_valeurs accepts at the
            # float32 tolerance: judge the gradient at that precision too (float32 code is
            # off by ~1e-6 here; the mistakes, tested above, by O(1)).
            tol = tolerance_for(device, "float32")
            hint_fr = (
                "si la valeur de la perte est juste, l'autograd donne le bon gradient : corrigez "
                "d'abord la valeur (n'utilisez que des opérations torch dérivables)"
            )
            hint_en = (
                "if the loss value is right, autograd gives the right gradient: fix the value "
                "first (use differentiable torch operations only)"
            )
            gotf = got.astype(np.float64)
            if value_ok:
                nul = not np.any(gotf)
                hint_fr = (
                    f"la valeur de la perte est juste mais son gradient par rapport à {label} "
                    + ("est nul" if nul else "diffère")
                    + f" : une opération coupe {label} du graphe ou fausse sa dérivée "
                    "(.detach(), .data, torch.no_grad(), un passage par NumPy, une "
                    "modification sur place) ; les deux vues doivent recevoir le gradient"
                )
                hint_en = (
                    f"the loss value is right but its gradient with respect to {label} "
                    + ("is zero" if nul else "differs")
                    + f": an operation cuts {label} from the graph or spoils its derivative "
                    "(.detach(), .data, torch.no_grad(), a detour through NumPy, an in-place "
                    "change); both views must receive the gradient"
                )
            for kw, fr, en in _NT_XENT_VARIANTS:
                variant = _torch_grads(z1, z2, tau, **kw)[0 if label == "z1" else 1]
                scale = max(1e-12, float(np.abs(variant).max()))
                if np.allclose(gotf, variant, rtol=1e-4, atol=1e-4 * scale):
                    hint_fr, hint_en = fr, en
                    break
            assert_gradient_close(
                f"gradient de {what} par rapport à {label}",
                gotf,
                w,
                tol=tol,
                hint_fr=hint_fr,
                hint_en=hint_en,
                reference_fr="du gradient de la référence (autograd, float64)",
                reference_en="the reference's gradient (autograd, float64)",
                show_values=False,
            )
        check_not_in_place(submission, "nt_xent", what, Tensor(z1), Tensor(z2), temperature=tau)


# ---------------------------------------------------------------- alignment and uniformity


def _align_ref(z1, z2, alpha, *, normalise=True, use_alpha=True, reduce="mean",
               elementwise=False, squared=False, coordinate_mean=False, columns=False):
    a, b = (unit_rows(z1), unit_rows(z2)) if normalise else (z1, z2)
    if columns:
        a, b = _unit_columns(z1), _unit_columns(z2)
    if coordinate_mean:  # F.mse_loss: the squared distance divided by d too
        return float(((np.linalg.norm(a - b, axis=1) ** 2 / a.shape[1]) ** (alpha / 2)).mean())
    if squared:  # (‖d‖²)^alpha = ‖d‖^(2 alpha)
        return float((np.linalg.norm(a - b, axis=1) ** (2 * alpha)).mean())
    if elementwise == "signed":  # Σ_j d_j^alpha, (a - b).pow(alpha).sum(dim=1): signed terms
        d = ((a - b) ** alpha).sum(axis=1)
        return float(d.mean())
    if elementwise:  # Σ_j |d_j|^alpha instead of ‖d‖^alpha
        d = (np.abs(a - b) ** alpha).sum(axis=1)
        return float(d.mean())
    d = np.linalg.norm(a - b, axis=1) ** (alpha if use_alpha else 2)
    return float(d.sum() if reduce == "sum" else d.mean())


def _unit_columns(z):
    """F.normalize(z, dim=0): each COLUMN divided by its L2 norm (the wrong axis)."""
    return z / np.maximum(np.linalg.norm(z, axis=0, keepdims=True), 1e-12)


def _unif_ref(z, t, *, normalise=True, diagonal=False, log=True, squared=True, use_t=True,
              reduce="mean", log_inside=False, columns=False, over_n2=False):
    a = _unit_columns(z) if columns else unit_rows(z) if normalise else z
    if over_n2:  # the off-diagonal sum divided by N², not by the number of pairs
        d2 = np.linalg.norm(a[:, None, :] - a[None, :, :], axis=2) ** 2
        k = np.exp(-t * d2)
        return float(np.log((k.sum() - np.trace(k)) / len(z) ** 2))
    d = np.linalg.norm(a[:, None, :] - a[None, :, :], axis=2)
    if squared:
        d = d**2
    if log_inside:  # the mean of log(exp(−t d²)) = −t × the mean of d²
        return float((-t * d[np.triu_indices(len(z), 1)]).mean())
    k = np.exp(-(t if use_t else 2) * d)
    if diagonal:
        v = k.mean()
    else:
        iu = np.triu_indices(len(z), 1)
        v = k[iu].sum() if reduce == "sum" else k[iu].mean()
    return float(np.log(v) if log else v)


_ALIGN_VARIANTS = [
    (
        {"normalise": False},
        "alignement : les lignes ne sont pas normalisées ; divisez chaque ligne par sa norme "
        "L2 avant de mesurer les distances (les métriques vivent sur l'hypersphère)",
        "alignment: the rows are not normalised; divide each row by its L2 norm before "
        "measuring distances (the metrics live on the hypersphere)",
    ),
    (
        {"use_alpha": False},
        "alignement : l'exposant alpha n'est pas utilisé (vous élevez toujours au carré) : "
        "‖ẑ1_i − ẑ2_i‖^alpha",
        "alignment: the exponent alpha is not used (you always square): ‖ẑ1_i − ẑ2_i‖^alpha",
    ),
    (
        {"reduce": "sum"},
        "alignement : c'est une somme, il faut la moyenne sur les N paires",
        "alignment: that is a sum, take the mean over the N pairs",
    ),
    (
        {"elementwise": True},
        "alignement : chaque coordonnée de la différence est élevée à la puissance alpha puis "
        "sommée ; il faut la norme euclidienne ‖ẑ1_i − ẑ2_i‖₂ de la différence, PUIS sa "
        "puissance alpha (les deux ne coïncident que pour alpha = 2)",
        "alignment: each coordinate of the difference is raised to the power alpha then "
        "summed; take the Euclidean norm ‖ẑ1_i − ẑ2_i‖₂ of the difference, THEN its power "
        "alpha (the two only agree for alpha = 2)",
    ),
    (
        # Blind round 21: (a - b).pow(alpha).sum(dim=1), without abs (odd alpha: signed terms).
        {"elementwise": "signed"},
        "alignement : chaque coordonnée de la différence est élevée à la puissance alpha puis "
        "sommée ((a − b).pow(alpha).sum(dim=1) : pour alpha impair, des termes de signes "
        "opposés se compensent) ; il faut la norme euclidienne ‖ẑ1_i − ẑ2_i‖₂ de la "
        "différence, PUIS sa puissance alpha, (a − b).norm(dim=1).pow(alpha) (les deux ne "
        "coïncident que pour alpha = 2)",
        "alignment: each coordinate of the difference is raised to the power alpha then summed "
        "((a − b).pow(alpha).sum(dim=1): for an odd alpha, terms of opposite signs cancel); take "
        "the Euclidean norm ‖ẑ1_i − ẑ2_i‖₂ of the difference, THEN its power alpha, "
        "(a − b).norm(dim=1).pow(alpha) (the two only agree for alpha = 2)",
    ),
    (
        {"squared": True},
        "alignement : l'exposant alpha est appliqué à la distance AU CARRÉ, (‖ẑ1_i − "
        "ẑ2_i‖²)^alpha = ‖ẑ1_i − ẑ2_i‖^(2 alpha) ; il porte sur la norme elle-même, "
        "‖ẑ1_i − ẑ2_i‖₂^alpha (pour alpha = 2 : la distance au carré)",
        "alignment: the exponent alpha is applied to the SQUARED distance, "
        "(‖ẑ1_i − ẑ2_i‖²)^alpha = ‖ẑ1_i − ẑ2_i‖^(2 alpha); it applies to the norm itself, "
        "‖ẑ1_i − ẑ2_i‖₂^alpha (for alpha = 2: the squared distance)",
    ),
]
_ALIGN_VARIANTS.append((
    {"coordinate_mean": True},
    "alignement : la moyenne porte aussi sur les d coordonnées (F.mse_loss, ou .mean() sur "
    "toute la matrice, divise par N·d) ; ‖ẑ1_i − ẑ2_i‖² est la SOMME des carrés des "
    "coordonnées, seule la moyenne sur les N paires divise",
    "alignment: the mean also runs over the d coordinates (F.mse_loss, or .mean() over the "
    "whole matrix, divides by N·d); ‖ẑ1_i − ẑ2_i‖² is the SUM of the squared coordinates, "
    "only the mean over the N pairs divides",
))
_ALIGN_VARIANTS.append((
    {"columns": True},
    "alignement : la normalisation est faite sur le mauvais axe (chaque COLONNE divisée par "
    "sa norme, dim=0) ; chaque représentation, une LIGNE, est divisée par sa norme L2 : "
    "F.normalize(z, dim=1)",
    "alignment: the normalisation is done on the wrong axis (each COLUMN divided by its norm, "
    "dim=0); each representation, a ROW, is divided by its L2 norm: F.normalize(z, dim=1)",
))
_UNIF_VARIANTS = [
    (
        {"diagonal": True},
        "uniformité : les paires (i, i) (distance 0, exp(0) = 1) sont comptées ; la moyenne "
        "porte sur les seules paires d'exemples DISTINCTS i < j (torch.pdist)",
        "uniformity: the pairs (i, i) (distance 0, exp(0) = 1) are counted; the mean runs over "
        "the pairs of DISTINCT examples i < j only (torch.pdist)",
    ),
    (
        {"normalise": False},
        "uniformité : les lignes ne sont pas normalisées ; divisez chaque ligne par sa norme "
        "L2 d'abord",
        "uniformity: the rows are not normalised; divide each row by its L2 norm first",
    ),
    (
        {"log": False},
        "uniformité : il manque le logarithme de la moyenne",
        "uniformity: the logarithm of the mean is missing",
    ),
    (
        {"squared": False},
        "uniformité : la distance doit être élevée au carré, exp(−t ‖ẑ_i − ẑ_j‖²)",
        "uniformity: the distance must be squared, exp(−t ‖ẑ_i − ẑ_j‖²)",
    ),
    (
        {"use_t": False},
        "uniformité : le paramètre t n'est pas utilisé",
        "uniformity: the parameter t is not used",
    ),
    (
        {"reduce": "sum"},
        "uniformité : c'est le logarithme d'une SOMME sur les paires (torch.logsumexp, ou "
        ".sum().log()) ; il faut le logarithme de la MOYENNE sur les N(N − 1)/2 paires i < j "
        "(.mean().log())",
        "uniformity: that is the logarithm of a SUM over the pairs (torch.logsumexp, or "
        ".sum().log()); take the logarithm of the MEAN over the N(N − 1)/2 pairs i < j "
        "(.mean().log())",
    ),    (
        {"log_inside": True},
        "uniformité : le logarithme est pris AVANT la moyenne (moyenne de log exp(−t d²) = "
        "−t × moyenne des d²) ; il faut le logarithme de la MOYENNE des exp(−t ‖ẑ_i − ẑ_j‖²)",
        "uniformity: the logarithm is taken BEFORE the mean (mean of log exp(−t d²) = "
        "−t × mean of d²); take the logarithm of the MEAN of exp(−t ‖ẑ_i − ẑ_j‖²)",
    ),
    (
        {"columns": True},
        "uniformité : la normalisation est faite sur le mauvais axe (chaque COLONNE divisée "
        "par sa norme, dim=0) ; chaque représentation, une LIGNE, est divisée par sa norme "
        "L2 : F.normalize(z, dim=1)",
        "uniformity: the normalisation is done on the wrong axis (each COLUMN divided by its "
        "norm, dim=0); each representation, a ROW, is divided by its L2 norm: "
        "F.normalize(z, dim=1)",
    ),
    (
        {"over_n2": True},
        "uniformité : la somme sur les paires i ≠ j est divisée par N² ; la moyenne porte sur "
        "les N(N − 1) paires ordonnées i ≠ j (ou les N(N − 1)/2 paires i < j, torch.pdist), "
        "pas sur N²",
        "uniformity: the sum over the pairs i ≠ j is divided by N²; the mean runs over the "
        "N(N − 1) ordered pairs i ≠ j (or the N(N − 1)/2 pairs i < j, torch.pdist), not N²",
    ),
]


def _compare(
    got: float, want: float, tol: float, variants, ref_fn, what_fr, what_en, *, label: str
) -> None:
    record_expected(label, want)
    record_margin(label, abs(got - want), tol * max(1.0, abs(want)), higher_is_better=False,
                  kind="tolerance")
    if abs(got - want) <= tol * max(1.0, abs(want)):
        return
    hint = ("", "")
    for kw, fr, en in variants:
        v = ref_fn(**kw)
        if abs(got - v) <= tol * max(1.0, abs(v)) and abs(v - want) > tol * max(1.0, abs(want)):
            hint = (fr, en)
            break
    raise CheckFailed(
        f"{what_fr} = {got:.6g} ne correspond pas à la référence calculée par le correcteur"
        + (f" ; {hint[0]}" if hint[0] else ""),
        f"{what_en} = {got:.6g} does not match the reference the grader computes"
        + (f"; {hint[1]}" if hint[1] else ""),
    )


@pytest.mark.item("alignement_uniformite", points=1.5)
def test_alignement_uniformite_valeurs(submission, rng, device):
    for alpha, t in ((2, 2), (float(rng.choice([1.0, 3.0])), float(rng.choice([1.0, 3.0])))):
        n, d = int(rng.integers(6, 20)), int(rng.integers(3, 8))
        z1 = rng.normal(size=(n, d)) * rng.uniform(0.3, 3.0, size=(n, 1))
        z2 = (z1 + rng.normal(scale=0.5, size=(n, d))) * rng.uniform(0.3, 3.0, size=(n, 1))
        raw = as_array(
            submission.call("alignement", Tensor(z1), Tensor(z2), alpha=alpha),
            f"alignement(z1, z2, alpha={alpha:g})",
            dtype=None,
        )
        tol = tolerance_for(device, raw.dtype if raw.dtype.kind == "f" else "float64")
        _compare(
            as_float(raw, "alignement"),
            _align_ref(z1, z2, alpha),
            tol,
            _ALIGN_VARIANTS,
            lambda **kw: _align_ref(z1, z2, alpha, **kw),  # noqa: B023
            f"alignement(z1, z2, alpha={alpha:g}) pour des tenseurs du correcteur",
            f"alignement(z1, z2, alpha={alpha:g}) for grader tensors",
            label=f"absolute error of alignement vs reference, alpha = {alpha:g}",
        )
        raw = as_array(
            submission.call("uniformite", Tensor(z1), t=t), f"uniformite(z, t={t:g})", dtype=None
        )
        tol = tolerance_for(device, raw.dtype if raw.dtype.kind == "f" else "float64")
        _compare(
            as_float(raw, "uniformite"),
            _unif_ref(z1, t),
            tol,
            _UNIF_VARIANTS,
            lambda **kw: _unif_ref(z1, t, **kw),  # noqa: B023
            f"uniformite(z, t={t:g}) pour un tenseur du correcteur",
            f"uniformite(z, t={t:g}) for a grader tensor",
            label=f"absolute error of uniformite vs reference, t = {t:g}",
        )
        check_not_in_place(submission, "alignement", f"alignement(z1, z2, alpha={alpha:g})",
                           Tensor(z1), Tensor(z2), alpha=alpha)
        check_not_in_place(submission, "uniformite", f"uniformite(z, t={t:g})", Tensor(z1), t=t)
        _check_alignment_gradient(submission, z1, z2, alpha, device)
    _check_uniformite_identical_rows(submission, rng, device)


def _unif_without_zero_pairs(z, t) -> float:
    """The mistake: the pairs i < j at distance 0 (identical rows) dropped (D2[D2 > 0])."""
    a = unit_rows(z)
    d2 = (np.linalg.norm(a[:, None, :] - a[None, :, :], axis=2) ** 2)[np.triu_indices(len(z), 1)]
    kept = d2[d2 > 0]
    return float(np.log(np.exp(-t * kept).mean())) if len(kept) else float("nan")


def _check_uniformite_identical_rows(submission, rng, device) -> None:
    """Identical rows are distinct examples i < j all the same: their pairs (distance 0,
    exp(0) = 1) count in the mean. A small batch (below the size where torch.cdist switches
    to a matmul) holding exact copies of some rows, then a constant batch, the statement's
    collapsed encoder, whose uniformity is at its maximum."""
    t = float(rng.choice([1.0, 2.0, 3.0]))
    for _ in range(100):
        n, d = int(rng.integers(5, 10)), int(rng.integers(3, 8))
        base = rng.normal(size=(n, d)) * rng.uniform(0.3, 3.0, size=(n, 1))
        z = np.concatenate([base, base[rng.choice(n, size=max(2, n // 2), replace=False)]])
        z = z[rng.permutation(len(z))]
        want, wrong = _unif_ref(z, t), _unif_without_zero_pairs(z, t)
        if abs(wrong - want) > 0.05 * max(1.0, abs(want)):
            break
    const = np.tile(rng.normal(size=d) * rng.uniform(0.3, 3.0), (int(rng.integers(4, 9)), 1))
    cases = [
        (z, "un lot du correcteur dont certaines lignes sont des copies exactes d'autres lignes",
         "a grader batch some of whose rows are exact copies of other rows"),
        (const, "un lot constant (toutes les lignes identiques : un encodeur effondré)",
         "a constant batch (every row identical: a collapsed encoder)"),
    ]
    for batch, label_fr, label_en in cases:
        call = f"uniformite(z, t={t:g}) sur {label_fr}"
        raw = as_array(submission.call("uniformite", Tensor(batch), t=t), call, dtype=None,
                       allow_nan=True)
        got = as_float(raw, call, allow_nan=True)
        want = _unif_ref(batch, t)
        tol = tolerance_for(device, raw.dtype if raw.dtype.kind == "f" else "float64")
        if batch is z:
            record_expected(call, want)
        if np.isfinite(got):
            record_margin(f"absolute error of uniformite with identical rows, t = {t:g}",
                          abs(got - want), tol * max(1.0, abs(want)), higher_is_better=False,
                          kind="tolerance")
        if np.isfinite(got) and abs(got - want) <= tol * max(1.0, abs(want)):
            continue
        wrong = _unif_without_zero_pairs(batch, t)
        dropped = not np.isfinite(got) or (
            np.isfinite(wrong) and abs(got - wrong) <= tol * max(1.0, abs(wrong)))
        if dropped:
            raise CheckFailed(
                f"{call} : "
                + ("la valeur n'est pas finie (NaN, la moyenne d'un ensemble vide ?)"
                   if not np.isfinite(got) else f"{got:.6g}, trop petite")
                + " ; les paires de lignes identiques (distance nulle) sont retirées de la "
                "moyenne (un filtre comme D2[D2 > 0] ?) : deux exemples distincts i < j aux "
                "représentations identiques forment une paire comme les autres, qui compte "
                "avec exp(0) = 1 ; prenez la moyenne sur les N(N − 1)/2 paires i < j "
                "(torch.pdist, ou torch.triu_indices avec offset=1), sans filtrer les distances "
                "(un encodeur constant a l'uniformité maximale de l'énoncé)",
                f"uniformite(z, t={t:g}) on {label_en}: "
                + ("the value is not finite (NaN, the mean of an empty set?)"
                   if not np.isfinite(got) else f"{got:.6g}, too small")
                + "; the pairs of identical rows (zero distance) are dropped from the mean (a "
                "filter such as D2[D2 > 0]?): two distinct examples i < j with identical "
                "representations are a pair like any other, which counts with exp(0) = 1; take "
                "the mean over the N(N − 1)/2 pairs i < j (torch.pdist, or torch.triu_indices "
                "with offset=1), without filtering the distances (a constant encoder has the "
                "statement's maximal uniformity)",
            )
        raise CheckFailed(
            f"{call} = {got:.6g} ne correspond pas à la référence calculée par le correcteur ; "
            "des lignes identiques restent des exemples distincts : chaque paire i < j compte "
            "dans la moyenne, y compris à distance nulle",
            f"uniformite(z, t={t:g}) on {label_en} = {got:.6g} does not match the reference "
            "the grader computes; identical rows are still distinct examples: every pair i < j "
            "counts in the mean, at zero distance too",
        )


def _torch_align(z1, z2, alpha):
    a = torch.tensor(z1, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(z2, dtype=torch.float64, requires_grad=True)
    v = (a / a.norm(dim=1, keepdim=True) - b / b.norm(dim=1, keepdim=True)).norm(dim=1)
    ga, gb = torch.autograd.grad(v.pow(alpha).mean(), [a, b])
    return ga.numpy(), gb.numpy()


def _check_alignment_gradient(submission, z1, z2, alpha, device) -> None:
    """The notebook trains an encoder with alignement as its loss (entrainer_contrastif):
    its gradient must be the formula's, through the normalisation."""
    what = f"alignement(z1, z2, alpha={alpha:g}) pour des tenseurs du correcteur"
    out = call_marked(submission, measure_gradients, alpha, Tensor(z1),
                      Tensor(z2), name="alignement", what=what, errors={})
    if out is None:
        raise CheckFailed(
            f"{what} doit renvoyer un tenseur scalaire dérivable : le notebook l'utilise comme "
            "perte (entrainer_contrastif(alignement, ...) appelle .backward()) ; n'utilisez que "
            "des opérations torch, sans .item(), .detach() ni NumPy",
            f"{what} must return a differentiable scalar tensor: the notebook uses it as a loss "
            "(entrainer_contrastif(alignement, ...) calls .backward()); use torch operations "
            "only, no .item(), .detach() nor NumPy",
        )
    if not isinstance(out, (list, tuple)) or len(out) != 2:
        raise CheckFailed(f"{what} : gradients illisibles", f"{what}: unreadable gradients")
    for label, g, w in zip(("z1", "z2"), out, _torch_align(z1, z2, alpha), strict=True):
        assert_gradient_close(
            f"gradient de {what} par rapport à {label}",
            as_array(g, f"gradient par rapport à {label}", shape=w.shape, dtype=None).astype(
                np.float64),
            w,
            tol=tolerance_for(device, "float32"),
            hint_fr="la valeur est juste mais pas sa dérivée : la normalisation des lignes doit "
            "faire partie du graphe (F.normalize ou z / z.norm(...), pas de modification sur "
            "place sous torch.no_grad(), ni .detach())",
            hint_en="the value is right but not its derivative: the row normalisation must be "
            "part of the graph (F.normalize or z / z.norm(...), no in-place change under "
            "torch.no_grad(), nor .detach())",
            reference_fr="du gradient de la référence (autograd, float64)",
            reference_en="the reference's gradient (autograd, float64)",
            show_values=False,
        )


# ---------------------------------------------------------------- collapse


def _measure_ref(Z, *, normalise=True, axis=0, ddof=0, sqrt_d=True, centred=False,
                 columns=False):
    if centred:  # the batch's mean removed before the rows are normalised
        Z = Z - Z.mean(axis=0)
    Zn = _unit_columns(Z) if columns else unit_rows(Z) if normalise else Z
    m = float(Zn.std(axis=axis, ddof=ddof).mean())
    return m * np.sqrt(Z.shape[1]) if sqrt_d else m


_MEASURE_VARIANTS = [
    (
        {"axis": 1},
        "l'écart-type doit se calculer pour chaque dimension SUR LE LOT (axe 0, les N "
        "exemples), pas sur les dimensions d'un même exemple (axe 1)",
        "the standard deviation must be taken for each dimension OVER THE BATCH (axis 0, the "
        "N examples), not over the dimensions of one example (axis 1)",
    ),
    (
        {"normalise": False},
        "les lignes ne sont pas normalisées : divisez chaque représentation par sa norme L2 "
        "avant l'écart-type, sans quoi la mesure dépend de l'échelle des sorties",
        "the rows are not normalised: divide each representation by its L2 norm before the "
        "standard deviation, otherwise the measure depends on the scale of the outputs",
    ),
    (
        {"sqrt_d": False},
        "il manque le facteur √d",
        "the factor √d is missing",
    ),
    (
        {"ddof": 1},
        "c'est l'écart-type corrigé (division par N − 1, le défaut de torch.std) ; l'énoncé "
        "prend l'écart-type sans correction (division par N) : np.std, ou "
        "torch.std(..., correction=0) (unbiased=False)",
        "that is the corrected standard deviation (division by N − 1, torch.std's default); "
        "the statement takes the uncorrected one (division by N): np.std, or "
        "torch.std(..., correction=0) (unbiased=False)",
    ),
    (
        {"axis": None},
        "c'est UN écart-type sur toutes les entrées de la matrice à la fois : prenez "
        "l'écart-type de chaque dimension sur le lot (dim=0, les N exemples), puis la moyenne "
        "de ces d écarts-types",
        "that is ONE standard deviation over every entry of the matrix at once: take the "
        "standard deviation of each dimension over the batch (dim=0, the N examples), then "
        "the mean of those d standard deviations",
    ),
    (
        {"columns": True},
        "la normalisation est faite sur le mauvais axe (chaque COLONNE divisée par sa norme, "
        "dim=0) : chaque représentation, une LIGNE de Z, est divisée par sa norme L2, "
        "F.normalize(Z, dim=1)",
        "the normalisation is done on the wrong axis (each COLUMN divided by its norm, dim=0): "
        "each representation, a ROW of Z, is divided by its L2 norm, F.normalize(Z, dim=1)",
    ),
    (
        {"centred": True},
        "Z est centré (moyenne du lot retirée) avant la normalisation des lignes : normalisez "
        "les lignes de Z telles quelles, l'écart-type mesure ensuite lui-même l'étalement "
        "autour de la moyenne (un encodeur presque constant, une fois centré, paraît étalé)",
        "Z is centred (the batch mean removed) before the rows are normalised: normalise the "
        "rows of Z as they are, the standard deviation then measures the spread around the "
        "mean itself (a nearly constant encoder, once centred, looks spread)",
    ),
]


@pytest.mark.item("effondrement", points=1)
def test_mesure_effondrement_reference(submission, rng):
    cases = []
    for _ in range(2):
        n, d = int(rng.integers(50, 200)), int(rng.integers(4, 40))
        offset = rng.normal(size=d) * rng.uniform(0.0, 3.0)
        Z = rng.normal(size=(n, d)) * rng.uniform(0.2, 2.0, size=d) + offset
        cases.append(Z)
    n, d = int(rng.integers(50, 200)), int(rng.integers(4, 40))
    cases.append(rng.normal(size=d) * 10 + 0.05 * rng.normal(size=(n, d)))  # nearly collapsed
    # A small batch: the corrected std (N − 1) is then 6 % to 15 % off, far beyond the
    # tolerance (the statement takes np.std without correction).
    n, d = int(rng.integers(4, 9)), int(rng.integers(3, 10))
    cases.append(rng.normal(size=(n, d)) * rng.uniform(0.5, 2.0, size=d))
    for i, Z in enumerate(cases):
        what = "mesure_effondrement(Z) sur un Z du correcteur"
        check_not_in_place(submission, "mesure_effondrement", what, Tensor(Z) if i else Z)
        got = as_float(submission.call("mesure_effondrement", Z), what)
        want = _measure_ref(Z)
        tol = 1e-3 * abs(want) + 1e-6
        record_expected(what, want)
        record_margin(
            "absolute error of mesure_effondrement vs reference",
            abs(got - want),
            tol,
            higher_is_better=False,
            kind="tolerance",
        )
        if abs(got - want) <= tol:
            continue
        hint = (
            "√d × moyenne sur les dimensions de l'écart-type sur le lot des lignes normalisées",
            "√d × mean over the dimensions of the standard deviation over the batch of the "
            "normalised rows",
        )
        for kw, fr, en in _MEASURE_VARIANTS:
            v = _measure_ref(Z, **kw)
            if abs(got - v) <= 1e-3 * abs(v) + 1e-6:
                hint = (fr, en)
                break
        raise CheckFailed(
            f"{what} = {got:.6g} ne correspond pas à la référence calculée par le correcteur ; "
            f"{hint[0]}",
            f"mesure_effondrement(Z) on a grader Z = {got:.6g} does not match "
            f"the reference the grader computes; {hint[1]}",
        )


@kernel_side
def mesure_des_sorties(mesure, encodeur, X):
    """Runs in the kernel: the student's mesure_effondrement on the outputs the statement's
    detecter_effondrement computes (float32 images, no gradient)."""
    import torch

    with torch.no_grad():
        Z = encodeur(torch.as_tensor(X, dtype=torch.float32))
    return float(mesure(Z))


def _check_finite_measure(submission, encoder, X, label_fr: str, label_en: str) -> None:
    """A detector that decides on a NaN or inf measure (NaN < seuil is False) is told so."""
    try:
        m = mesure_des_sorties.call(submission, Ref("mesure_effondrement"), encoder, Tensor(X))
    except StudentError:
        return  # the decision's own message follows
    m = as_array(m, "mesure_effondrement(sorties)", dtype=None, allow_nan=True)
    if m.dtype.kind == "f" and m.size == 1 and not np.isfinite(m).all():
        raise CheckFailed(
            f"detecter_effondrement sur {label_fr} : mesure_effondrement de ses sorties n'est pas "
            "finie (NaN ou inf), et une comparaison avec NaN est toujours fausse ; vérifiez la "
            "normalisation des lignes (F.normalize(Z, dim=1)) et l'écart-type sur le lot",
            f"detecter_effondrement on {label_en}: mesure_effondrement of its outputs is not "
            "finite (NaN or inf), and a comparison with NaN is always false; check the row "
            "normalisation (F.normalize(Z, dim=1)) and the standard deviation over the batch",
        )


def _as_bool(value, what: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, np.ndarray):  # a tensor or an array comes back as an ndarray
        raise CheckFailed(
            f"{what} doit renvoyer True ou False (un booléen Python), pas un tenseur torch ni "
            "un tableau (une comparaison de tenseurs donne un tenseur) : renvoyez "
            "bool(mesure < seuil), avec une mesure_effondrement qui renvoie un float",
            f"{what} must return True or False (a Python bool), not a torch tensor nor an "
            "array (comparing tensors gives a tensor): return bool(mesure < seuil), with a "
            "mesure_effondrement that returns a float",
        )
    raise CheckFailed(
        f"{what} doit renvoyer True ou False, obtenu une valeur de type {type(value).__name__}",
        f"{what} must return True or False, got a value of type {type(value).__name__}",
    )


def _check_whole_input(submission, rng, X: np.ndarray, c, W, seed) -> None:
    """The statement: the outputs of `encodeur` (the module received, whole) on X (every image).
    (1) An encoder constant on every image but a block in the middle of X (images marked by a
    first pixel of -3), where it is spread: not collapsed over X, collapsed over any part of X
    that misses the block (X[:100], X[-100:]) or over the notebook's images (no mark).
    (2) A healthy encoder followed by a head that sends everything to one vector, as one
    nn.Sequential: collapsed, whereas its first block alone is not.
    (3) The mechanism, on (1): every image of X reached the encoder (a detector that measures
    X[:256] decides right on this X, whose block lies in its first 256 rows, and wrong on one
    whose spread images come last; blind round 19)."""
    n = len(X)
    start, length = int(rng.integers(n // 3, n // 3 + 31)), int(rng.integers(45, 70))
    X3 = X.copy()
    X3[start:start + length, 0, 0] = -3.0
    enc = encoder_of_kind.call(submission, "marque", c, W, 1.0, int(seed % 2**31))
    full = as_array(encoder_outputs.call(submission, enc, Tensor(X3)), "sorties")
    record_margin("collapse measure of the marked encoder over the whole X vs the threshold",
                  _measure_ref(full), 0.1, higher_is_better=True)
    enc = encoder_of_kind.call(submission, "marque", c, W, 1.0, int(seed % 2**31))
    label = ("un encodeur constant sur toutes les images de X sauf un bloc d'images au milieu "
             "de X, où ses sorties sont étalées",
             "an encoder constant on every image of X but a block of images in the middle of X, "
             "where its outputs are spread")
    call = "detecter_effondrement(encodeur, X)"
    collapsed = _as_bool(submission.call("detecter_effondrement", enc, X3), call)
    seen = as_array(images_vues.call(submission, enc), "images vues par l'encodeur",
                    shape=(None, None))
    flat = X3.reshape(n, -1).astype(np.float32).astype(np.float64)
    if collapsed:
        if seen.shape[1] == flat.shape[1] and len(seen) and not all(
                np.abs(flat - row).max(axis=1).min() <= 1e-6 for row in seen):
            hint = ("l'encodeur a reçu des images qui ne sont pas celles de l'argument X : la "
                    "fonction calcule les sorties sur une variable du notebook (X_test_p ?) au "
                    "lieu de X",
                    "the encoder received images that are not those of the argument X: the "
                    "function computes the outputs on a notebook variable (X_test_p?) instead "
                    "of X")
        elif seen.shape[1] == flat.shape[1] and len(seen) < n:
            hint = ("l'encodeur n'a vu qu'une partie des images de X (X[:100] ?) : calculez les "
                    "sorties sur TOUTES les images de X",
                    "the encoder only saw part of the images of X (X[:100]?): compute the "
                    "outputs on ALL the images of X")
        else:
            hint = ("la décision doit porter sur les sorties de l'encodeur pour toutes les "
                    "images de X, mesure_effondrement(encodeur(X)) < seuil",
                    "the decision must be on the encoder's outputs for every image of X, "
                    "mesure_effondrement(encodeur(X)) < seuil")
        raise CheckFailed(
            f"detecter_effondrement sur {label[0]} : déclaré effondré à tort ; {hint[0]}",
            f"detecter_effondrement on {label[1]}: wrongly declared collapsed; {hint[1]}",
        )
    # The mechanism, whatever the decision: every image of X reached the encoder. A part of X
    # (X[:256], X[::2]) can decide right on this X and wrong on another one (its first rows
    # collapsed and the rest spread, or the reverse).
    if seen.shape[1] == flat.shape[1] and len(seen):
        nearest = np.array([np.abs(seen - row).max(axis=1).min() for row in flat])
        if np.any(nearest > 1e-6):
            raise CheckFailed(
                f"{call} sur des images X du correcteur : l'encodeur n'a reçu qu'une partie des "
                "images de X (X[:256] ?, un échantillon ?) ; la mesure porte sur les sorties de "
                "TOUTES les images de X, encodeur(torch.as_tensor(X, dtype=torch.float32)) : "
                "une partie du lot peut être effondrée quand le lot entier ne l'est pas, et "
                "inversement",
                f"{call} on grader images X: the encoder only received part of the images of X "
                "(X[:256]?, a sample?); the measure is on the outputs of ALL the images of X, "
                "encodeur(torch.as_tensor(X, dtype=torch.float32)): part of the batch can be "
                "collapsed when the whole batch is not, and the reverse",
            )
    enc = encoder_of_kind.call(submission, "sequentiel", c, W, 1.0, int(seed % 2**31))
    if not _as_bool(submission.call("detecter_effondrement", enc, X), call):
        raise CheckFailed(
            "detecter_effondrement sur un nn.Sequential (un encodeur sain suivi d'une tête qui "
            "envoie toutes les images sur le même vecteur) : non détecté comme effondré ; la "
            "fonction mesure les sorties du module reçu TOUT ENTIER, encodeur(X) : pour un "
            "encodeur suivi de sa tête de projection, c'est la sortie de la tête qu'on surveille "
            "(n'en extrayez pas une partie, encodeur[0])",
            "detecter_effondrement on an nn.Sequential (a healthy encoder followed by a head "
            "that sends every image to the same vector): not detected as collapsed; the function "
            "measures the outputs of the WHOLE module received, encodeur(X): for an encoder "
            "followed by its projection head, the head's output is the one watched (do not take "
            "a part of it, encodeur[0])",
        )


@pytest.mark.item("effondrement", points=1)
def test_detecteur_effondrement(submission, rng, seed):
    n, side = 300, 8
    X = rng.uniform(0.0, 1.0, size=(n, side, side)).astype(np.float32)
    X *= rng.uniform(size=(n, side, side)) < 0.4
    d = int(rng.integers(12, 33))
    c = rng.normal(size=d)
    c *= 100.0 / np.linalg.norm(c)
    W = rng.normal(size=(side * side, d)) / side
    encoders = [
        ("constant", 1.0, True, "un encodeur constant (la même sortie, de grande norme, pour toutes les images)",
         "a constant encoder (the same large output for every image)"),
        ("presque_constant", 0.5, True, "un encodeur presque constant (un grand vecteur fixe plus de petites variations)",
         "a nearly constant encoder (a large fixed vector plus small variations)"),
        ("sain", 1.0, False, "un encodeur sain (tanh d'une projection aléatoire)",
         "a healthy encoder (tanh of a random projection)"),
        ("lineaire", 1e-3, False, "un encodeur sain aux sorties minuscules (projection aléatoire × 0.001)",
         "a healthy encoder with tiny outputs (random projection × 0.001)"),
    ]  # fmt: skip
    decisions, outputs, handles = [], [], []
    for kind, scale, _, _, _ in encoders:
        enc = encoder_of_kind.call(submission, kind, c, W, scale, int(seed % 2**31))
        handles.append(enc)
        outputs.append(as_array(encoder_outputs.call(submission, enc, Tensor(X)), "sorties"))
        decisions.append(
            _as_bool(
                submission.call("detecter_effondrement", enc, X),
                "detecter_effondrement(encodeur, X)",
            )
        )
    check_not_in_place(submission, "detecter_effondrement", "detecter_effondrement(encodeur, X)",
                       enc, X)
    expected = [e[2] for e in encoders]
    if decisions != expected:
        i = next(i for i, (g, w) in enumerate(zip(decisions, expected, strict=True)) if g != w)
        _, _, collapsed, label_fr, label_en = encoders[i]
        _check_finite_measure(submission, handles[i], X, label_fr, label_en)
        if collapsed:
            fr = f"{label_fr} n'est pas détecté comme effondré"
            en = f"{label_en} is not detected as collapsed"
        else:
            fr = f"{label_fr} est déclaré effondré à tort"
            en = f"{label_en} is wrongly declared collapsed"
        hint = (
            "detecter_effondrement renvoie True quand mesure_effondrement(sorties) < seuil, avec "
            "les sorties de l'encodeur sur X (sans gradient)",
            "detecter_effondrement returns True when mesure_effondrement(outputs) < seuil, with "
            "the encoder's outputs on X (without gradient)",
        )
        if decisions == [not w for w in expected]:
            hint = (
                "toutes les décisions sont inversées : True signifie « effondré », c'est-à-dire "
                "une mesure INFÉRIEURE au seuil",
                'every decision is inverted: True means "collapsed", that is a measure BELOW '
                "the threshold",
            )
        for kw, hfr, hen in _MEASURE_VARIANTS[:2]:
            if [bool(_measure_ref(Z, **kw) < 0.1) for Z in outputs] == decisions:
                hint = (hfr, hen)
                break
        raise CheckFailed(
            f"detecter_effondrement sur {fr} ; {hint[0]}",
            f"detecter_effondrement on {en}; {hint[1]}",
        )
    _check_whole_input(submission, rng, X, c, W, seed)
    # The statement's boundary: collapsed means a measure STRICTLY below the threshold. Two
    # images whose outputs are +v and -v (v of ±1 entries, d = 4 or 16) measure exactly 1 in
    # any precision; the threshold is the student's own measure of them, so detecter must
    # find them not collapsed (m < m is false), where `<=` says collapsed.
    v = rng.choice([-1.0, 1.0], size=int(rng.choice([4, 16])))
    enc = encoder_of_kind.call(submission, "frontiere", v, W, 1.0, 0)
    X2 = X[:2]
    m = as_float(mesure_des_sorties.call(submission, Ref("mesure_effondrement"), enc, Tensor(X2)),
                 "mesure_effondrement(sorties)")
    if _as_bool(
        submission.call("detecter_effondrement", enc, X2, seuil=m),
        "detecter_effondrement(encodeur, X, seuil)",
    ):
        raise CheckFailed(
            "detecter_effondrement déclare effondré un encodeur dont la mesure vaut exactement "
            "le seuil : effondré signifie une mesure STRICTEMENT inférieure au seuil, "
            "mesure < seuil (pas <=)",
            "detecter_effondrement declares collapsed an encoder whose measure is exactly the "
            "threshold: collapsed means a measure STRICTLY below the threshold, measure < seuil "
            "(not <=)",
        )
    # The threshold is a parameter: a healthy encoder is "collapsed" below a huge threshold.
    enc = encoder_of_kind.call(submission, "sain", c, W, 1.0, 0)
    if not _as_bool(
        submission.call("detecter_effondrement", enc, X, seuil=5.0),
        "detecter_effondrement(encodeur, X, seuil=5.0)",
    ):
        raise CheckFailed(
            "detecter_effondrement(encodeur, X, seuil=5.0) doit renvoyer True pour tout encodeur "
            "(la mesure est toujours inférieure à 5) : utilisez le paramètre seuil",
            "detecter_effondrement(encodeur, X, seuil=5.0) must return True for any encoder (the "
            "measure is always below 5): use the parameter seuil",
        )
    # The statement: the outputs of the encoder on X as a float32 tensor. Images that come as
    # float64 (load_digits() / 16 without astype) must go through the notebook's float32 encoder.
    enc = notebook_encoder.call(submission, int(seed % 2**31))
    call = "detecter_effondrement(encodeur, X) avec des images X en float64 et l'encodeur du TP"
    try:
        _as_bool(submission.call("detecter_effondrement", enc, X.astype(np.float64)), call)
    except StudentError as exc:
        raise CheckFailed(
            f"{call} a levé {exc.ename} : {exc.evalue[:160]} ; l'énoncé calcule les sorties sur X "
            "converti en tenseur float32 (torch.as_tensor(X, dtype=torch.float32)) : les poids "
            "de l'encodeur sont en float32, des images float64 non converties le font échouer",
            "detecter_effondrement(encodeur, X) with float64 images X and the TP's encoder raised "
            f"{exc.ename}: {exc.evalue[:160]}; the statement computes the outputs on X converted "
            "to a float32 tensor (torch.as_tensor(X, dtype=torch.float32)): the encoder's "
            "weights are float32, unconverted float64 images make it fail",
        ) from None
    _check_dead_encoder(submission, rng, X, c, W)


def _check_dead_encoder(submission, rng, X: np.ndarray, c, W) -> None:
    """The typical collapse of a ReLU encoder (the notebook's Encodeur ends with one): outputs
    that are all zero (a dead encoder: the same output for every image, measure 0), and a
    constant encoder whose output is zero on one image (measure at most √(p(1 − p)) < 0.06,
    p = 1/N). A zero row has no direction: F.normalize leaves it zero, an unguarded
    Z / ‖Z‖ makes it NaN, and NaN < seuil is False."""
    n = len(X)
    X4 = X.copy()
    X4[int(rng.integers(0, n)), 0, 0] = -3.0  # the one image where the "marque" encoder gives 0
    cases = [
        (encoder_of_kind.call(submission, "constant", np.zeros(len(c)), W, 1.0, 0), X,
         "un encodeur mort (toutes ses sorties nulles, une ReLU qui ne s'active plus)",
         "a dead encoder (all its outputs zero, a ReLU that no longer fires)"),
        (encoder_of_kind.call(submission, "marque", c, W, 0.0, 0), X4,
         "un encodeur constant dont la sortie est nulle pour une seule image",
         "a constant encoder whose output is zero for a single image"),
    ]
    call = "detecter_effondrement(encodeur, X)"
    for enc, images, label_fr, label_en in cases:
        if _as_bool(submission.call("detecter_effondrement", enc, images), call):
            continue
        try:
            m = as_array(mesure_des_sorties.call(submission, Ref("mesure_effondrement"), enc,
                                                 Tensor(images)),
                         "mesure_effondrement(sorties)", dtype=None, allow_nan=True)
            finite = not (m.dtype.kind == "f" and not np.isfinite(m).all())
        except StudentError:
            finite = True
        if not finite:
            raise CheckFailed(
                f"detecter_effondrement sur {label_fr} : non détecté comme effondré, car "
                "mesure_effondrement de ses sorties n'est pas finie (NaN) : la normalisation "
                "Z / ‖z_i‖ n'est pas protégée et divise 0 par 0 sur les lignes nulles, puis "
                "NaN < seuil est faux ; une ligne nulle doit rester nulle : F.normalize(Z, dim=1), "
                "ou Z / max(‖z_i‖, eps) (np.maximum(norme, 1e-12), .clamp_min(1e-12))",
                f"detecter_effondrement on {label_en}: not detected as collapsed, because "
                "mesure_effondrement of its outputs is not finite (NaN): the normalisation "
                "Z / ‖z_i‖ is unguarded and divides 0 by 0 on the zero rows, then NaN < seuil is "
                "false; a zero row must stay zero: F.normalize(Z, dim=1), or Z / max(‖z_i‖, eps) "
                "(np.maximum(norm, 1e-12), .clamp_min(1e-12))",
            )
        raise CheckFailed(
            f"detecter_effondrement sur {label_fr} : non détecté comme effondré ; des sorties "
            "nulles (ou presque toutes identiques) sont effondrées : une ligne nulle reste "
            "nulle après la normalisation (F.normalize(Z, dim=1)), et la décision est "
            "mesure_effondrement(encodeur(X)) < seuil",
            f"detecter_effondrement on {label_en}: not detected as collapsed; zero outputs (or "
            "nearly all identical ones) are collapsed: a zero row stays zero after the "
            "normalisation (F.normalize(Z, dim=1)), and the decision is "
            "mesure_effondrement(encodeur(X)) < seuil",
        )
