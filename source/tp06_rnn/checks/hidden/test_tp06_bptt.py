"""Hidden checks, part 2: parameter counts against PyTorch's modules, BPTT gradient norms
against the grader's own autograd computation, and clipping against clip_grad_norm_.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from autograder.checks import (
    CheckFailed,
    SubmissionError,
    Tensor,
    as_array,
    as_int,
    record_expected,
    record_margin,
    relabel,
)

# ---------------------------------------------------------------- parameter counts


@pytest.mark.item("param_counts")
@pytest.mark.points(0.5)
def test_param_counts_match_torch(submission, rng):
    for _ in range(3):
        d, H = (int(v) for v in rng.integers(1, 40, size=2))
        for name, fn, module, blocks in (
            ("RNN", "nb_params_rnn", nn.RNN, 1),
            ("LSTM", "nb_params_lstm", nn.LSTM, 4),
            ("GRU", "nb_params_gru", nn.GRU, 3),
        ):
            want = sum(p.numel() for p in module(d, H).parameters())
            got = as_int(submission.call(fn, d, H), f"{fn}(d, H)")
            if got == want:
                continue
            if got == blocks * (H * d + H * H + H):
                hint = (
                    "c'est le compte avec un seul vecteur de biais par bloc : PyTorch en a deux "
                    "(bias_ih et bias_hh)",
                    "that is the count with a single bias vector per block: PyTorch has two "
                    "(bias_ih and bias_hh)",
                )
            elif got == blocks * (H * d + H * H):
                hint = ("c'est le compte sans les biais", "that is the count without the biases")
            else:
                hint = (
                    f"{name} a {blocks} bloc(s), chacun avec une matrice H×d, une matrice H×H et "
                    "deux biais de taille H",
                    f"{name} has {blocks} block(s), each with an H×d matrix, an H×H matrix and "
                    "two biases of size H",
                )
            raise CheckFailed(
                f"{fn}(d, H) ne donne pas le nombre de paramètres de nn.{name}(d, H) pour une "
                f"des tailles du correcteur ; {hint[0]}",
                f"{fn}(d, H) does not give the number of parameters of nn.{name}(d, H) for one "
                f"of the grader's sizes; {hint[1]}",
            )


# ---------------------------------------------------------------- BPTT


def _ref_norms(X, h0, W_xh, W_hh, b_h) -> np.ndarray:
    h0 = h0.clone().requires_grad_(True)
    h, out = h0, []
    for t in range(X.shape[0]):
        h = torch.tanh(X[t] @ W_xh.T + h @ W_hh.T + b_h)
        (g,) = torch.autograd.grad(h.sum(), h0, retain_graph=True)
        out.append(float(g.norm()))
    return np.array(out)


def _call_norms(submission, X, h0, W_xh, W_hh, b_h) -> np.ndarray:
    raw = submission.call(
        "normes_gradient_h0", *(Tensor(t.numpy().copy()) for t in (X, h0, W_xh, W_hh, b_h))
    )
    return as_array(raw, "normes_gradient_h0(...)", shape=(X.shape[0],))


@pytest.mark.item("bptt")
@pytest.mark.points(1)
def test_normes_gradient_match_autograd(submission, rng):
    T, N, d, H = int(rng.integers(5, 12)), *(int(v) for v in rng.integers(2, 6, size=3))
    X = torch.from_numpy(rng.normal(size=(T, N, d)) * 0.5)
    h0 = torch.from_numpy(rng.normal(size=(N, H)) * 0.5)
    W_xh = torch.from_numpy(rng.normal(size=(H, d)) * 0.5)
    W_hh = torch.from_numpy(rng.normal(size=(H, H)) / np.sqrt(H))
    b_h = torch.from_numpy(rng.normal(size=(H,)) * 0.1)
    ref = _ref_norms(X, h0, W_xh, W_hh, b_h)
    got = _call_norms(submission, X, h0, W_xh, W_hh, b_h)
    record_expected("norms of ∂L_T/∂h_0", ref)
    if not np.allclose(got, ref, rtol=1e-5, atol=1e-10):
        k = int(np.argmax(np.abs(got - ref) / (np.abs(ref) + 1e-12)))
        raise CheckFailed(
            f"pour T = {k + 1}, la norme de ∂L_T/∂h_0 vaut {got[k]:.4g}, ce n'est pas la valeur "
            "du calcul par autograd du correcteur ; L_T est la somme de h_T, déroulé sur les T "
            "premiers pas depuis h_0",
            f"for T = {k + 1}, the norm of ∂L_T/∂h_0 is {got[k]:.4g}, not the value of the "
            "grader's autograd computation; L_T is the sum of h_T, unrolled over the first T "
            "steps from h_0",
        )


@pytest.mark.item("bptt")
@pytest.mark.points(0.5)
def test_gradient_vanishes_and_explodes(submission, rng):
    T, d, H = int(rng.integers(20, 31)), int(rng.integers(2, 5)), int(rng.integers(4, 9))
    Q, _ = np.linalg.qr(rng.normal(size=(H, H)))
    X = torch.zeros(T, 1, d, dtype=torch.float64)
    h0 = torch.zeros(1, H, dtype=torch.float64)
    W_xh = torch.from_numpy(rng.normal(size=(H, d)))
    b_h = torch.zeros(H, dtype=torch.float64)
    for scale, kind_fr, kind_en in (
        (float(rng.uniform(0.3, 0.6)), "évanescent", "vanishing"),
        (float(rng.uniform(1.4, 1.8)), "explosif", "exploding"),
    ):
        W_hh = torch.from_numpy(scale * Q)
        ref = _ref_norms(X, h0, W_xh, W_hh, b_h)
        got = _call_norms(submission, X, h0, W_xh, W_hh, b_h)
        ratio = got[-1] / max(got[0], 1e-300)
        record_margin(f"gradient-norm ratio T = {T} / T = 1 ({kind_en})", ratio,
                      1e-4 if scale < 1 else 1e4, higher_is_better=scale >= 1)
        good = ratio < 1e-4 if scale < 1 else ratio > 1e4
        if not good or not np.allclose(got, ref, rtol=1e-5, atol=1e-12):
            raise CheckFailed(
                f"avec W_hh = s × (matrice orthogonale), s {'< 1' if scale < 1 else '> 1'}, "
                f"entrées nulles et h_0 = 0, le gradient devrait être {kind_fr} (un facteur s "
                f"par pas) : vos normes passent de {got[0]:.3g} (T = 1) à {got[-1]:.3g} "
                "(dernier pas)",
                f"with W_hh = s × (orthogonal matrix), s {'< 1' if scale < 1 else '> 1'}, zero "
                f"inputs and h_0 = 0, the gradient should be {kind_en} (a factor s per step): "
                f"your norms go from {got[0]:.3g} (T = 1) to {got[-1]:.3g} (last step)",
            )


# ---------------------------------------------------------------- clipping


# The student's clipper on tensors of the kernel whose global norm exceeds the threshold:
# which of the gradients it changed in place (clip_grad_norm_ does so on .grad, but the
# statement's function returns the clipped list and leaves `grads` as they were).
CLIP_INPLACE_SRC = """
def _tp06_clip_inplace(grads, tau):
    import torch
    gs = [torch.tensor(g, dtype=torch.float64) for g in grads]
    before = [g.clone() for g in gs]
    clipper_gradients(gs, tau)
    return [not torch.equal(a, b) for a, b in zip(gs, before)]
"""


@pytest.mark.item("clip")
@pytest.mark.points(0.5)
def test_clipper_matches_clip_grad_norm(submission, rng):
    for big in (True, False, True):
        shapes = [
            tuple(int(v) for v in rng.integers(1, 6, size=int(rng.integers(1, 3))))
            for _ in range(int(rng.integers(2, 5)))
        ]
        grads = [rng.normal(size=s) * rng.uniform(0.5, 5) for s in shapes]
        total = float(np.sqrt(sum((g**2).sum() for g in grads)))
        tau = total * (rng.uniform(0.1, 0.5) if big else rng.uniform(1.5, 3))
        params = [torch.zeros(s, dtype=torch.float64, requires_grad=True) for s in shapes]
        for p, g in zip(params, grads, strict=True):
            p.grad = torch.from_numpy(g.copy())
        nn.utils.clip_grad_norm_(params, tau)
        ref = [p.grad.numpy() for p in params]
        raw = submission.call("clipper_gradients", [Tensor(g) for g in grads], tau)
        if not isinstance(raw, (list, tuple)) or len(raw) != len(grads):
            raise CheckFailed(
                "clipper_gradients doit renvoyer une liste de même longueur que grads",
                "clipper_gradients must return a list as long as grads",
            )
        got = [
            as_array(g, f"grads[{k}]", shape=s)
            for k, (g, s) in enumerate(zip(raw, shapes, strict=True))
        ]
        if all(np.allclose(a, b, rtol=1e-5, atol=1e-9) for a, b in zip(got, ref, strict=True)):
            continue
        per_param = [g * min(1.0, tau / (np.linalg.norm(g) + 1e-6)) for g in grads]
        if all(
            np.allclose(a, b, rtol=1e-5, atol=1e-9) for a, b in zip(got, per_param, strict=True)
        ):
            hint = (
                "vous écrêtez chaque paramètre séparément : la norme est globale, "
                "√(Σ_k ‖g_k‖²) sur tous les paramètres, et tous sont multipliés par le même facteur",
                "you clip each parameter separately: the norm is global, √(Σ_k ‖g_k‖²) over "
                "all parameters, and all are multiplied by the same factor",
            )
        else:
            hint = (
                "si la norme globale dépasse le seuil τ, multipliez tous les gradients par "
                "τ / (‖g‖ + 1e-6), sinon laissez-les inchangés",
                "if the global norm exceeds the threshold τ, multiply every gradient by "
                "τ / (‖g‖ + 1e-6), otherwise leave them unchanged",
            )
        raise CheckFailed(
            "clipper_gradients ne donne pas le résultat de clip_grad_norm_ sur une des entrées "
            f"du correcteur ; {hint[0]}",
            "clipper_gradients does not give the result of clip_grad_norm_ on one of the "
            f"grader's inputs; {hint[1]}",
        )
    grads = [rng.normal(size=(3, 4)) * 5, rng.normal(size=4) * 5]
    tau = 0.2 * float(np.sqrt(sum((g**2).sum() for g in grads)))
    helper = submission.define("_tp06_clip_inplace", CLIP_INPLACE_SRC)
    try:
        changed = submission.call(helper.name, [g.tolist() for g in grads], tau)
    except SubmissionError as exc:
        raise relabel(exc, helper.name, "clipper_gradients") from None
    if isinstance(changed, list) and any(c is True for c in changed):
        raise CheckFailed(
            "clipper_gradients modifie sur place les gradients reçus (mul_, *=…) : renvoyez une "
            "nouvelle liste de tenseurs écrêtés et laissez grads inchangée",
            "clipper_gradients modifies the gradients it is given in place (mul_, *=...): return a "
            "new list of clipped tensors and leave grads unchanged",
        )
