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
    Ref,
    StudentError,
    SubmissionError,
    Tensor,
    as_array,
    as_int,
    changed_argument_names,
    kernel_side,
    record_expected,
    record_margin,
    relabel,
    with_references,
)

from ..public.helpers import unrolling_not_from_leaf
from .helpers import SEQUENCE_REFERENCES, check_arguments_and_graph

# ---------------------------------------------------------------- parameter counts


@pytest.mark.item("param_counts", points=0.5)
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


def _ref_norms(X, h0, W_xh, W_hh, b_h, *, wrt="h0", norm="l2", start="h0", drop=None) -> np.ndarray:
    """The norms of ∂L_T/∂h_0 (or, for the hints, of ∂L_T/∂x_1, another norm, unrolled
    from a zero state instead of h0, or without the inputs X or the bias b_h: drop="X", "b")."""
    if drop == "X":
        X = torch.zeros_like(X)
    if drop == "b":
        b_h = torch.zeros_like(b_h)
    h0 = (torch.zeros_like(h0) if start == "zeros" else h0.clone()).requires_grad_(True)
    X = X.clone().requires_grad_(True)
    h, out = h0, []
    for t in range(X.shape[0]):
        h = torch.tanh(X[t] @ W_xh.T + h @ W_hh.T + b_h)
        (g,) = torch.autograd.grad(h.sum(), h0 if wrt == "h0" else X, retain_graph=True,
                                   allow_unused=True)
        g = torch.zeros_like(h0) if g is None else (g if wrt == "h0" else g[0])
        out.append(float({"l2": g.norm(), "l2sq": (g**2).sum(), "l1": g.abs().sum(),
                          "rows": g.norm(dim=-1).mean()}[norm]))
    return np.array(out)


# Norms computed in float32 (h0.float() inside) differ from the float64 oracle by up to
# 1.2e-4 relative (200 draws of the inputs below, small norms after 10 steps); the mistakes
# the hints name are off by a factor (the L1 norm, the square away from 1, another variable).
NORM_RTOL = 1e-3

# The norms that classic mistakes return, each with the hint that names it.
_NORM_MISTAKES = (
    (dict(norm="l2sq"), "c'est le carré de la norme : prenez la racine, grad.norm()",
     "that is the squared norm: take the square root, grad.norm()"),
    (dict(norm="l1"), "c'est la norme L1 (somme des |·|) : la norme euclidienne est √(Σ g²), "
     "grad.norm()", "that is the L1 norm (sum of |·|): the Euclidean norm is √(Σ g²), grad.norm()"),
    (dict(wrt="x1"), "vous dérivez par rapport à la première entrée x_1 (X[0]) : la question "
     "porte sur ∂L_T/∂h_0, le gradient par rapport à l'état initial h0",
     "you differentiate with respect to the first input x_1 (X[0]): the question is about "
     "∂L_T/∂h_0, the gradient with respect to the initial state h0"),
    (dict(start="zeros"), "vos normes sont celles d'un déroulement parti d'un état nul : "
     "déroulez depuis h0, l'argument (une copie h0.detach().clone().requires_grad_(True)), pas "
     "depuis torch.zeros", "your norms are those of an unrolling started from a zero state: "
     "unroll from h0, the argument (a copy h0.detach().clone().requires_grad_(True)), not from "
     "torch.zeros"),
    (dict(drop="X"), "vos normes sont celles d'une récurrence qui ignore les entrées : chaque "
     "pas lit X[t], h_t = tanh(X[t] W_xhᵀ + h_{t−1} W_hhᵀ + b_h)", "your norms are those of a "
     "recurrence that ignores the inputs: every step reads X[t], h_t = tanh(X[t] W_xhᵀ + "
     "h_{t−1} W_hhᵀ + b_h)"),
    (dict(drop="b"), "vos normes sont celles d'une récurrence sans le biais b_h : h_t = "
     "tanh(X[t] W_xhᵀ + h_{t−1} W_hhᵀ + b_h)", "your norms are those of a recurrence without the "
     "bias b_h: h_t = tanh(X[t] W_xhᵀ + h_{t−1} W_hhᵀ + b_h)"),
    (dict(norm="rows"), "c'est la moyenne sur le lot des normes de chaque exemple : la norme "
     "euclidienne porte sur tout le gradient (N, H), grad.norm()", "that is the mean over the "
     "batch of each example's norm: the Euclidean norm is over the whole (N, H) gradient, "
     "grad.norm()"),
)
_NORM_HINT = (
    "L_T est la somme de h_T, déroulé sur les T premiers pas depuis h_0, et la norme est "
    "euclidienne, pour chaque T = 1..T_max",
    "L_T is the sum of h_T, unrolled over the first T steps from h_0, and the norm is "
    "Euclidean, for every T = 1..T_max",
)


def _norm_hint(got, X, h0, W_xh, W_hh, b_h) -> tuple[str, str]:
    ref = _ref_norms(X, h0, W_xh, W_hh, b_h)
    if len(got) > 2 and np.allclose(got[1:], ref[:-1], rtol=NORM_RTOL, atol=1e-10):
        return ("vos normes sont décalées d'un pas : la première est celle de L_0 = Σ h_0 ; la "
                "première attendue est celle de T = 1, après un pas de la récurrence",
                "your norms are shifted by one step: the first is that of L_0 = Σ h_0; the "
                "first expected is that of T = 1, after one step of the recurrence")
    for kwargs, fr, en in _NORM_MISTAKES:
        if np.allclose(got, _ref_norms(X, h0, W_xh, W_hh, b_h, **kwargs), rtol=NORM_RTOL, atol=1e-10):
            return fr, en
    return _NORM_HINT


@kernel_side
def gradient_flags_set(fn, args, noms):
    """Runs in the kernel: fn(*args) on tensors that do not require a gradient; the names of
    the arguments that require one afterwards (fn called requires_grad_ on the caller's
    tensor). An error is left to the other checks."""
    import torch

    tenseurs = [a if isinstance(a, torch.Tensor) else torch.as_tensor(a) for a in args]
    tenseurs = [t.detach() for t in tenseurs]
    try:
        fn(*tenseurs)
    except Exception:  # noqa: BLE001 - the other checks report it
        return []
    return [nom for nom, t in zip(noms, tenseurs, strict=False) if t.requires_grad]


def _call_norms(submission, X, h0, W_xh, W_hh, b_h) -> np.ndarray:
    # With the grader's cellule_rnn and rnn_sequence, should the student's call them: a bug of
    # those costs their own items' points, not this one's.
    try:
        raw = with_references(
            submission, SEQUENCE_REFERENCES,
            "normes_gradient_h0", *(Tensor(t.numpy().copy()) for t in (X, h0, W_xh, W_hh, b_h)),
        )
    except SubmissionError as exc:
        # Blind round 22: no path from h_T to the leaf copy of h0 (the unrolling starts from h0
        # itself) is said as that fault, not as PyTorch's generic graph error.
        raise (unrolling_not_from_leaf(exc) or exc) from None
    return as_array(raw, "normes_gradient_h0(...)", shape=(X.shape[0],))


@pytest.mark.item("bptt", points=1)
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
    record_margin("norms of ∂L_T/∂h_0: relative error", float(np.max(np.abs(got - ref) / (np.abs(ref) + 1e-7))),
                  NORM_RTOL, higher_is_better=False, kind="tolerance")
    if not np.allclose(got, ref, rtol=NORM_RTOL, atol=1e-10):
        # The first T whose norm differs: a later one may only inherit its mistake.
        k = int(np.argmax(~np.isclose(got, ref, rtol=NORM_RTOL, atol=1e-10)))
        hint = _norm_hint(got, X, h0, W_xh, W_hh, b_h)
        raise CheckFailed(
            f"pour T = {k + 1}, votre norme de ∂L_T/∂h_0 n'est pas celle du calcul par autograd "
            f"du correcteur ; {hint[0]}",
            f"for T = {k + 1}, your norm of ∂L_T/∂h_0 is not that of the grader's autograd "
            f"computation; {hint[1]}",
        )
    check_arguments_and_graph(
        submission, "normes_gradient_h0", [X, h0, W_xh, W_hh, b_h], ["X", "h0", "W_xh", "W_hh", "b_h"],
        rng, reference=None, references=SEQUENCE_REFERENCES,
        inplace_fr="dérivez par rapport à une copie, h0.detach().clone().requires_grad_(True), "
        "sans écrire dans h0 ni dans X",
        inplace_en="differentiate with respect to a copy, h0.detach().clone().requires_grad_(True), "
        "without writing into h0 or X",
    )
    # requires_grad_ is in place too: the caller's h0 would then require a gradient (its
    # .numpy() fails, every later computation on it builds a graph).
    names = ["X", "h0", "W_xh", "W_hh", "b_h"]
    sent = [Tensor(t.numpy().copy()) for t in (X, h0, W_xh, W_hh, b_h)]
    flagged = with_references(submission, SEQUENCE_REFERENCES, "normes_gradient_h0",
                              Ref("normes_gradient_h0"), sent, names,
                              via=gradient_flags_set.install(submission).name)
    if isinstance(flagged, list) and flagged:
        shown = ", ".join(str(v) for v in flagged[:5])
        raise CheckFailed(
            f"normes_gradient_h0 modifie sur place ce qu'on lui passe ({shown}) : après l'appel, "
            "le tenseur de l'appelant demande un gradient (requires_grad_ sur l'argument "
            "lui-même) ; l'énoncé demande de ne jamais modifier les arguments : dérivez par "
            "rapport à une copie, h0.detach().clone().requires_grad_(True)",
            f"normes_gradient_h0 modifies what it is given in place ({shown}): after the call, "
            "the caller's tensor requires a gradient (requires_grad_ on the argument itself); "
            "the statement asks never to modify the arguments: differentiate with respect to a "
            "copy, h0.detach().clone().requires_grad_(True)",
        )


@pytest.mark.item("bptt", points=0.5)
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
        # With zero inputs and h_0 = 0 every state is 0, so each step multiplies the norm by
        # exactly `scale`: ratio = scale^(T−1), at most 0.6^19 ≈ 6e-5 (vanishing) or at least
        # 1.4^19 ≈ 600 (exploding). The bars 1e-2 and 1e2 sit far from both (1e4 failed
        # correct code for scale 1.47, T = 24: 1.47^23 ≈ 7e3).
        ratio = got[-1] / max(got[0], 1e-300)
        record_margin(f"gradient-norm ratio T = {T} / T = 1 ({kind_en})", ratio,
                      1e-2 if scale < 1 else 1e2, higher_is_better=scale >= 1)
        good = ratio < 1e-2 if scale < 1 else ratio > 1e2
        case_fr = (f"avec W_hh = s × (matrice orthogonale), s {'< 1' if scale < 1 else '> 1'}, "
                   "entrées nulles et h_0 = 0")
        case_en = (f"with W_hh = s × (orthogonal matrix), s {'< 1' if scale < 1 else '> 1'}, "
                   "zero inputs and h_0 = 0")
        if not good:
            raise CheckFailed(
                f"{case_fr}, le gradient devrait être {kind_fr} (un facteur s par pas), et vos "
                f"normes ne le sont pas ; {_NORM_HINT[0]}",
                f"{case_en}, the gradient should be {kind_en} (a factor s per step), and your "
                f"norms are not; {_NORM_HINT[1]}",
            )
        if not np.allclose(got, ref, rtol=NORM_RTOL, atol=1e-12):
            hint = _norm_hint(got, X, h0, W_xh, W_hh, b_h)
            raise CheckFailed(
                f"{case_fr}, vos normes sont bien {'évanescentes' if scale < 1 else 'explosives'}, "
                "mais ce ne sont pas celles de ∂L_T/∂h_0 calculées par autograd ; "
                f"{hint[0]}",
                f"{case_en}, your norms are indeed {kind_en}, but they are not those of "
                f"∂L_T/∂h_0 computed by autograd; {hint[1]}",
            )


# ---------------------------------------------------------------- clipping


@kernel_side
def same_list_returned(clipper, grads, tau):
    """Runs in the kernel: whether clipper(grads, tau) returns the very list it was given."""
    import torch

    gs = [torch.tensor(g, dtype=torch.float64) for g in grads]
    return clipper(gs, tau) is gs


def _check_all_zero_gradients(submission, rng) -> None:
    """The boundary case clip_grad_norm_ handles and the statement singles out with its 1e-6:
    gradients all zero (a global norm of exactly 0, common for a parameter no example of the
    batch reaches) come back zero. Drawn at every variant (blind round 20: a factor
    min(1, τ / ‖g‖) in Python floats raises ZeroDivisionError there, a tensor 0 / 0 gives
    NaN, and both kept every point since no input had a zero global norm)."""
    shapes = [
        tuple(int(v) for v in rng.integers(1, 6, size=int(rng.integers(1, 3))))
        for _ in range(int(rng.integers(2, 5)))
    ]
    tau = float(rng.uniform(0.5, 2.0))
    zeros = [np.zeros(s) for s in shapes]
    what = ("sur des gradients tous nuls (norme globale ‖g‖ = 0), clipper_gradients",
            "on gradients that are all zero (global norm ‖g‖ = 0), clipper_gradients")
    fix = ("clip_grad_norm_ les laisse nuls ; le facteur τ / ‖g‖ divise ici par une norme nulle : "
           "ajoutez 1e-6 au dénominateur, τ / (‖g‖ + 1e-6) comme l'énoncé, ou n'écrêtez que si "
           "‖g‖ > τ",
           "clip_grad_norm_ leaves them zero; the factor τ / ‖g‖ divides by a zero norm here: "
           "add 1e-6 to the denominator, τ / (‖g‖ + 1e-6) as in the statement, or clip only "
           "when ‖g‖ > τ")
    try:
        raw = submission.call("clipper_gradients", [Tensor(g) for g in zeros], tau)
    except StudentError as exc:
        raise CheckFailed(
            f"{what[0]} lève {exc.ename} ({exc.evalue[:120]}) ; {fix[0]}",
            f"{what[1]} raises {exc.ename} ({exc.evalue[:120]}); {fix[1]}",
        ) from None
    if not isinstance(raw, (list, tuple)) or len(raw) != len(zeros):
        raise CheckFailed(
            "clipper_gradients doit renvoyer une liste de même longueur que grads",
            "clipper_gradients must return a list as long as grads",
        )
    got = [as_array(g, f"grads[{k}]", shape=s, allow_nan=True)
           for k, (g, s) in enumerate(zip(raw, shapes, strict=True))]
    if all(np.all(g == 0) for g in got):
        return
    found = (("renvoie des NaN ou des infinis (0 / 0)", "returns NaN or infinite values (0 / 0)")
             if not all(np.all(np.isfinite(g)) for g in got) else
             ("renvoie des gradients non nuls", "returns non-zero gradients"))
    raise CheckFailed(f"{what[0]} {found[0]} ; {fix[0]}", f"{what[1]} {found[1]}; {fix[1]}")


@pytest.mark.item("clip", points=0.5)
def test_clipper_matches_clip_grad_norm(submission, rng):
    # "tiny", drawn on purpose: a global norm under the 1e-6 of τ / (‖g‖ + 1e-6), which must
    # leave the gradients unchanged (a factor τ / (‖g‖ - 1e-6) turns negative there).
    # "split", drawn on purpose at every variant (blind round 18): 3 to 5 gradients, EACH of
    # norm below τ, whose global norm is above τ: a condition on each ‖g_k‖ (any(g.norm() >
    # τ)) leaves them unchanged where clip_grad_norm_ scales them.
    for big, tiny, split in ((True, False, False), (False, False, False), (True, False, False),
                             (False, True, False), (False, False, True)):
        n_grads = int(rng.integers(3, 6)) if split else int(rng.integers(2, 5))
        shapes = [
            tuple(int(v) for v in rng.integers(1, 6, size=int(rng.integers(1, 3))))
            for _ in range(n_grads)
        ]
        grads = [rng.normal(size=s) * rng.uniform(0.5, 5) for s in shapes]
        if split:
            # Norms 0.7 to 1 (times a scale): the largest is under 1, the global norm above
            # 0.7·√3 ≈ 1.21; τ sits between the two, 5 % away from each.
            scale = float(rng.uniform(0.5, 5))
            grads = [g * (scale * rng.uniform(0.7, 1.0) / max(float(np.linalg.norm(g)), 1e-12))
                     for g in grads]
        total = float(np.sqrt(sum((g**2).sum() for g in grads)))
        largest = max(float(np.linalg.norm(g)) for g in grads)
        if split:
            tau = float(rng.uniform(1.05 * largest, 0.95 * total))
        elif tiny:
            grads = [g * (rng.uniform(1e-7, 5e-7) / total) for g in grads]
            total = float(np.sqrt(sum((g**2).sum() for g in grads)))
        elif not big and total < 4.0:
            # On purpose, a norm above 4 under a threshold 1.5-3 times larger: ‖g‖² exceeds τ
            # there, so comparing the squared norm with τ clips what must stay unchanged.
            grads = [g * (4.0 / total) for g in grads]
            total = float(np.sqrt(sum((g**2).sum() for g in grads)))
        if not split:
            tau = float(rng.uniform(0.5, 2)) if tiny else total * (rng.uniform(0.1, 0.5) if big else rng.uniform(1.5, 3))
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
        if all(np.allclose(a, b, rtol=1e-5, atol=1e-9 * (total if tiny else 1.0)) for a, b in zip(got, ref, strict=True)):
            continue
        if tiny:
            raise CheckFailed(
                "clipper_gradients change des gradients dont la norme globale est minuscule "
                "(plus petite que l'epsilon 1e-6) et bien sous le seuil τ : ils doivent rester "
                "inchangés ; le facteur est τ / (‖g‖ + 1e-6), plafonné à 1, jamais négatif",
                "clipper_gradients changes gradients whose global norm is tiny (smaller than "
                "the epsilon 1e-6) and far under the threshold τ: they must stay unchanged; "
                "the factor is τ / (‖g‖ + 1e-6), capped at 1, never negative",
            )
        summed = sum(float(np.linalg.norm(g)) for g in grads)
        mistakes: tuple = ()
        if split:
            # The premise holds by construction: every ‖g_k‖ < τ < ‖g‖, and nothing was scaled.
            mistakes += (
                ([g.copy() for g in grads],
                 "aucun gradient pris seul ne dépasse le seuil τ, mais leur norme globale "
                 "√(Σ_k ‖g_k‖²) le dépasse, et vous les laissez inchangés : la condition d'écrêtage "
                 "porte sur la norme globale de tous les gradients ensemble, pas sur chaque ‖g_k‖ "
                 "(ni any(...) ni max(...) des normes)",
                 "no gradient alone exceeds the threshold τ, but their global norm √(Σ_k ‖g_k‖²) "
                 "does, and you leave them unchanged: the clipping condition is on the global norm "
                 "of all the gradients together, not on each ‖g_k‖ (neither any(...) nor max(...) "
                 "of the norms)"),
            )
        mistakes += (
            ([g * min(1.0, tau / (summed + 1e-6)) for g in grads],
             "votre norme globale est la somme des normes Σ_k ‖g_k‖ : c'est la racine de la "
             "somme des carrés, √(Σ_k ‖g_k‖²), la norme de tous les gradients mis bout à bout",
             "your global norm is the sum of the norms Σ_k ‖g_k‖: it is the square root of the "
             "sum of squares, √(Σ_k ‖g_k‖²), the norm of all the gradients end to end"),
            ([g * min(1.0, tau / (np.linalg.norm(g) + 1e-6)) for g in grads],
             "vous écrêtez chaque paramètre séparément : la norme est globale, "
             "√(Σ_k ‖g_k‖²) sur tous les paramètres, et tous sont multipliés par le même facteur",
             "you clip each parameter separately: the norm is global, √(Σ_k ‖g_k‖²) over "
             "all parameters, and all are multiplied by the same factor"),
            # The squared norm throughout (no square root): compared and divided by.
            ([g * min(1.0, tau / (total**2 + 1e-6)) for g in grads],
             "vous utilisez le carré de la norme globale ‖g‖² = Σ_k ‖g_k‖² sans sa racine : la "
             "norme est √(Σ_k ‖g_k‖²), comparée au seuil τ et dans le facteur τ / ‖g‖",
             "you use the squared global norm ‖g‖² = Σ_k ‖g_k‖² without its square root: the "
             "norm is √(Σ_k ‖g_k‖²), compared with τ and in the factor τ / ‖g‖"),
        )
        rms = total / np.sqrt(sum(g.size for g in grads))
        first = float(np.linalg.norm(grads[0]))
        largest = max(float(np.linalg.norm(g)) for g in grads)
        # The norm of one gradient only: the first's, or the largest's. Where the first IS the
        # largest both give the same numbers, and the hint names both.
        if np.isclose(first, largest, rtol=1e-12):
            single = (([g * min(1.0, tau / (largest + 1e-6)) for g in grads],
                       "votre norme est celle d'un seul gradient, celle du premier ‖g_0‖ ou la plus "
                       "grande des normes ‖g_k‖ : la norme globale réunit tous les gradients, "
                       "√(Σ_k ‖g_k‖²)",
                       "your norm is that of one gradient only, the first's ‖g_0‖ or the largest of "
                       "the norms ‖g_k‖: the global norm gathers every gradient, √(Σ_k ‖g_k‖²)"),)
        else:
            single = (
                ([g * min(1.0, tau / (first + 1e-6)) for g in grads],
                 "votre norme est celle du premier gradient seul, ‖g_0‖ : la norme globale "
                 "réunit tous les gradients, √(Σ_k ‖g_k‖²)",
                 "your norm is that of the first gradient only, ‖g_0‖: the global norm gathers "
                 "every gradient, √(Σ_k ‖g_k‖²)"),
                ([g * min(1.0, tau / (largest + 1e-6)) for g in grads],
                 "votre norme est la plus grande des normes ‖g_k‖ : la norme globale réunit tous "
                 "les gradients, √(Σ_k ‖g_k‖²)",
                 "your norm is the largest of the norms ‖g_k‖: the global norm gathers every "
                 "gradient, √(Σ_k ‖g_k‖²)"),
            )
        mistakes += (
            ([ref[0], *grads[1:]],
             "seul le premier gradient est écrêté : multipliez TOUS les gradients de la liste "
             "par le même facteur τ / ‖g‖",
             "only the first gradient is clipped: multiply EVERY gradient of the list by the "
             "same factor τ / ‖g‖"),
            ([g * min(1.0, tau / (rms + 1e-6)) for g in grads],
             "votre norme est une moyenne, la racine de la MOYENNE des carrés : la norme globale "
             "est la racine de leur SOMME, √(Σ_k ‖g_k‖²)",
             "your norm is a mean, the root of the MEAN of the squares: the global norm is the "
             "root of their SUM, √(Σ_k ‖g_k‖²)"),
            *single,
            ([g * min(1.0, 1.0 / (total + 1e-6)) for g in grads],
             "vous écrêtez à un seuil fixe, 1, et non à l'argument max_norme : le facteur est "
             "max_norme / (‖g‖ + 1e-6)",
             "you clip at a fixed threshold, 1, not at the max_norme argument: the factor is "
             "max_norme / (‖g‖ + 1e-6)"),
        )
        if total < tau:
            # Scaled although the norm is under the threshold (no test against τ, or a test of
            # ‖g‖² > τ, which this input, ‖g‖ > 1, cannot tell apart): the premise holds here.
            mistakes += (
                ([g * (tau / (total + 1e-6)) for g in grads],
                 "la norme globale est sous le seuil τ et vous multipliez quand même les "
                 "gradients par τ / ‖g‖ : n'écrêtez que si la norme elle-même dépasse le seuil, "
                 "√(Σ_k ‖g_k‖²) > τ (ni sans test, ni en comparant ‖g‖² à τ)",
                 "the global norm is under the threshold τ and you still multiply the gradients "
                 "by τ / ‖g‖: clip only when the norm itself exceeds the threshold, "
                 "√(Σ_k ‖g_k‖²) > τ (neither without a test, nor comparing ‖g‖² with τ)"),
            )
        hint = next(
            ((fr, en) for want, fr, en in mistakes
             if all(np.allclose(a, b, rtol=1e-5, atol=1e-9) for a, b in zip(got, want, strict=True))),
            ("si la norme globale dépasse le seuil τ, multipliez tous les gradients par "
             "τ / (‖g‖ + 1e-6), sinon laissez-les inchangés",
             "if the global norm exceeds the threshold τ, multiply every gradient by "
             "τ / (‖g‖ + 1e-6), otherwise leave them unchanged"),
        )
        raise CheckFailed(
            "clipper_gradients ne donne pas le résultat de clip_grad_norm_ sur une des entrées "
            f"du correcteur ; {hint[0]}",
            "clipper_gradients does not give the result of clip_grad_norm_ on one of the "
            f"grader's inputs; {hint[1]}",
        )
    _check_all_zero_gradients(submission, rng)
    grads = [rng.normal(size=(3, 4)) * 5, rng.normal(size=4) * 5]
    tau = 0.2 * float(np.sqrt(sum((g**2).sum() for g in grads)))
    # The global norm exceeds the threshold: clip_grad_norm_ would scale .grad in place, the
    # statement's function returns the clipped list and leaves `grads` as they were.
    if changed_argument_names(submission, "clipper_gradients", ([Tensor(g) for g in grads], tau),
                              {0: "grads"}):
        raise CheckFailed(
            "clipper_gradients modifie sur place les gradients reçus (mul_, *=…) : renvoyez une "
            "nouvelle liste de tenseurs écrêtés et laissez grads inchangée",
            "clipper_gradients modifies the gradients it is given in place (mul_, *=...): return a "
            "new list of clipped tensors and leave grads unchanged",
        )
    # The statement: a NEW list, also when the norm is below the threshold.
    small = [rng.normal(size=(2, 3)), rng.normal(size=3)]
    tau_big = 3.0 * float(np.sqrt(sum((g**2).sum() for g in small)))
    try:
        same = same_list_returned.call(submission, Ref("clipper_gradients"),
                                       [g.tolist() for g in small], tau_big)
    except SubmissionError as exc:
        raise relabel(exc, same_list_returned.ref_name, "clipper_gradients") from None
    if same is True:
        raise CheckFailed(
            "sous le seuil, clipper_gradients renvoie la liste grads elle-même : l'énoncé demande "
            "une NOUVELLE liste dans tous les cas (par exemple [g.clone() for g in grads], ou "
            "[g * 1.0 for g in grads])",
            "below the threshold, clipper_gradients returns the list grads itself: the statement "
            "asks for a NEW list in every case (e.g. [g.clone() for g in grads], or "
            "[g * 1.0 for g in grads])",
        )
