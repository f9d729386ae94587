"""Hidden checks of TP07: values on grader-chosen random inputs.

Every input (shapes, values, masks, seeds, permutations) is drawn from the grader's `rng`;
references are PyTorch's own `F.scaled_dot_product_attention` and `nn.MultiheadAttention`
(with the grader's weights), the course's formulas, and statistics or permutation tests
the grader computes itself from what the student's functions return. Messages name the
likely fault, never an expected value.

The student's `attention` and `attention_multi_tetes` always run through a kernel-side guard
(GUARD, the same as in the public checks) that switches PyTorch's own attention off
during the call: a submission that calls the references fails with a message saying so.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from autograder.checks import (
    CheckFailed,
    Handle,
    Partial,
    Ref,
    StudentError,
    Tensor,
    as_array,
    as_float,
    assert_arguments_untouched,
    assert_close,
    fmt_order,
    kernel_side,
    record_expected,
    record_margin,
)

from ..public.helpers import (
    GUARD,
    bert_inplace_error,
    call,
    call_kernel_side,
    guarded,
    student_error,
)
from .helpers import grader_attention_call, with_grader_attention


# Trusted kernel-side helper: the grader's test functions for `erreur_permutation`.
@kernel_side
def grader_function(genre, poids, table=None):
    """The grader's function of kind `genre` with weights `poids` (`_grader_function`'s twin),
    built in the kernel for the student's erreur_permutation; "table": z W + table, offsets of
    every position of their own (the permutation probe)."""
    import torch

    if genre == "table":
        return lambda z: z @ poids.to(z.dtype) + table.to(z.dtype)
    if genre == "attention":
        def f(z):
            s = torch.softmax((z @ poids.to(z.dtype)) @ z.T / z.shape[1] ** 0.5, dim=-1)
            return s @ z
        return f
    if genre == "lineaire":
        return lambda z: torch.tanh(z @ poids.to(z.dtype))
    if genre == "cumul":
        return lambda z: torch.cumsum(z, dim=0) @ poids.to(z.dtype)
    if genre == "oppose":
        return lambda z: -(z @ poids.to(z.dtype) + torch.arange(z.shape[0], dtype=z.dtype)[:, None])
    if genre == "petit":
        return lambda z: z @ poids.to(z.dtype) + 3e-5 * torch.arange(z.shape[0], dtype=z.dtype)[:, None]
    if genre == "module":
        # A layer with learned weights (an nn.Module): its output requires grad.
        class Couche(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.W = torch.nn.Parameter(poids.detach().clone().to(torch.float64))

            def forward(self, z):
                return torch.cumsum(torch.tanh(z @ self.W.to(z.dtype)), dim=0)

        return Couche()
    return lambda z: z @ poids.to(z.dtype) + torch.arange(z.shape[0], dtype=z.dtype)[:, None]


def _with_grader_attention(submission, name: str, *args, quoi: str = "attention"):
    """The student's `name` run with the grader's `attention` (and MHA with quoi="tout")."""
    return with_grader_attention(submission, name, name, *args, quoi=quoi)


def _t(a) -> torch.Tensor:
    return torch.as_tensor(a)


# ---------------------------------------------------------------- attention


def _variant(Q, K, V, M=None, *, scale=True, dim=-1, fill=float("-inf"),
             divisor: float | None = None) -> np.ndarray:
    s = _t(Q) @ _t(K).transpose(-2, -1)
    if divisor is not None:
        s = s / divisor
    elif scale:
        s = s / math.sqrt(Q.shape[-1])
    if M is not None:
        s = s.masked_fill(~_t(M), fill)
    return (torch.softmax(s, dim=dim) @ _t(V)).numpy()


def _check_attention(got, Q, K, V, M=None, what: str = "attention") -> None:
    ref = F.scaled_dot_product_attention(
        _t(Q), _t(K), _t(V), attn_mask=None if M is None else _t(M)
    ).numpy()
    got = as_array(got, what, shape=ref.shape)
    if np.allclose(got, ref, rtol=1e-4, atol=1e-6):
        return
    mistakes = [
        (
            dict(scale=False),
            "il manque la division des scores par √d_k (facteur 1/√d_k) : softmax(Q Kᵀ / √d_k) V",
            "the scores are not divided by √d_k (factor 1/√d_k): softmax(Q Kᵀ / √d_k) V",
        ),
        (
            dict(dim=-2),
            "la softmax est prise sur le mauvais axe (celui des requêtes) : elle doit normaliser "
            "sur les clés, le dernier axe des scores (dim=-1)",
            "the softmax is taken over the wrong axis (the queries): it must normalise over the "
            "keys, the last axis of the scores (dim=-1)",
        ),
    ]
    if M is not None:
        mistakes.append(
            (
                dict(fill=0.0),
                "les scores masqués sont remplis avec 0 au lieu de −∞ : e⁰ = 1, la position "
                "interdite garde du poids ; utilisez masked_fill(~masque, float('-inf')) avant la softmax",
                "masked scores are filled with 0 instead of −∞: e⁰ = 1, the forbidden position "
                "keeps some weight; use masked_fill(~mask, float('-inf')) before the softmax",
            )
        )
    # Another factor than √d_k (d_k = Q.shape[-1], the dimension of the queries and keys):
    # the dimension of V, d_k without the root, the lengths of the sequences.
    d_k, d_v, n, m = Q.shape[-1], V.shape[-1], Q.shape[-2], K.shape[-2]
    divisors = {math.sqrt(d_v), float(d_k), float(d_v), math.sqrt(n), math.sqrt(m), float(m),
                float(n)} - {math.sqrt(d_k), 1.0}
    mistakes += [
        (
            dict(divisor=c),
            "les scores sont divisés par un autre facteur que √d_k : d_k est la dimension des "
            "requêtes et des clés, d_k = Q.shape[-1] (pas la dimension des valeurs V, ni la "
            "longueur des suites), et c'est sa racine carrée : softmax(Q Kᵀ / √d_k) V",
            "the scores are divided by another factor than √d_k: d_k is the dimension of the "
            "queries and keys, d_k = Q.shape[-1] (not the dimension of the values V, nor the "
            "length of the sequences), and it is its square root: softmax(Q Kᵀ / √d_k) V",
        )
        for c in sorted(divisors)
    ]
    # The closest variant that matches: on near one-hot rows (Q = K, a large diagonal) several
    # scales can match, the one the answer computes matches best.
    matches = []
    for kw, fr, en in mistakes:
        with np.errstate(invalid="ignore"):
            variant = _variant(Q, K, V, M, **kw)
            if np.allclose(got, variant, rtol=1e-4, atol=1e-6):
                matches.append((float(np.nanmax(np.abs(got - variant), initial=0.0)), fr, en))
    if matches:
        _, fr, en = min(matches, key=lambda t: t[0])
        raise CheckFailed(f"{what} : {fr}", f"{what}: {en}")
    assert_close(
        got,
        ref,
        name=what,
        rtol=1e-4,
        atol=1e-6,
        hint_fr="vérifiez softmax(Q Kᵀ / √d_k) sur le dernier axe, le masque à −∞, puis le produit par V",
        hint_en="check softmax(Q Kᵀ / √d_k) over the last axis, the mask at −∞, then the product with V",
    )


_IN_PLACE_HINT = (
    "Q /= √d_k ou masque[...] = ... modifient le tenseur de l'appelant (dans un Transformer, "
    "les têtes de Q, K, V sont des vues d'un même tenseur, et la rétropropagation échoue : "
    "RuntimeError « … modified by an inplace operation ») ; écrivez "
    "scores = Q @ K.transpose(-2, -1) / math.sqrt(d_k)",
    "Q /= √d_k or masque[...] = ... modify the caller's tensor (in a Transformer, the heads "
    "of Q, K, V are views of one tensor, and backpropagation fails: RuntimeError \"… modified "
    "by an inplace operation\"); write scores = Q @ K.transpose(-2, -1) / math.sqrt(d_k)",
)


def _qkv(rng, B: int, n: int, m: int, d: int, dv: int):
    # Scores of order a few units, so that every classic mistake shows.
    Q = rng.normal(size=(B, n, d)) * 1.5
    K = rng.normal(size=(B, m, d)) * 1.5
    V = rng.normal(size=(B, m, dv))
    return Q, K, V


@pytest.mark.item("attention", points=1.5)
def test_attention_matches_torch_without_mask(submission, rng):
    # (B, n, d_k) inputs, then (B, h, n, d_k) ones: the shapes attention_multi_tetes sends.
    for heads in (None, int(rng.integers(2, 5))):
        B, n, m = (int(v) for v in rng.integers(2, 6, size=3))
        d, dv = int(rng.integers(8, 33)), int(rng.integers(2, 7))
        if heads is None:
            Q, K, V = _qkv(rng, B, n, m, d, dv)
        else:
            Q, K, V = _qkv(rng, B * heads, n, m, d, dv)
            Q, K, V = (a.reshape(B, heads, *a.shape[1:]) for a in (Q, K, V))
        try:
            got = GUARD.call(submission, "attention", Tensor(Q), Tensor(K), Tensor(V))
        except StudentError as exc:
            if heads is None:
                raise student_error("attention", exc) from None
            raise CheckFailed(
                f"attention échoue sur des entrées à 4 dimensions (B, têtes, n, d_k), celles que "
                f"lui passe l'attention multi-têtes ({exc.ename} : {exc.evalue[:200]}) : "
                "transposez avec K.transpose(-2, -1) et multipliez avec @ (torch.matmul), qui "
                "traitent tous les axes de tête ; torch.bmm et transpose(1, 2) ne valent qu'en 3D",
                f"attention fails on 4-dimensional inputs (B, heads, n, d_k), those multi-head "
                f"attention passes to it ({exc.ename}: {exc.evalue[:200]}): transpose with "
                "K.transpose(-2, -1) and multiply with @ (torch.matmul), which handle every head "
                "axis; torch.bmm and transpose(1, 2) only work in 3D",
            ) from None
        _check_attention(got, Q, K, V, what="attention" if heads is None else
                         "attention sur des entrées (B, têtes, n, d_k)")
        if heads is None and getattr(got, "dtype", None) == np.float32:
            raise CheckFailed(
                "attention renvoie des valeurs float32 pour des entrées Q, K, V en float64 : "
                "elle convertit ses entrées (Q.float(), .to(torch.float32) ?) et perd la "
                "précision de l'appelant ; l'attention multi-têtes qui l'appelle mélange alors "
                "float32 et float64 et échoue (RuntimeError « same dtype ») ; calculez dans le "
                "type des entrées, sans conversion",
                "attention returns float32 values for float64 inputs Q, K, V: it converts its "
                "inputs (Q.float(), .to(torch.float32)?) and loses the caller's precision; the "
                "multi-head attention that calls it then mixes float32 and float64 and fails "
                "(RuntimeError \"same dtype\"); compute in the inputs' type, without conversion",
            )
        if heads is not None:
            # The heads attention_multi_tetes passes are views of one tensor: an in-place
            # Q /= √d_k changes the caller's tensor, and under autograd PyTorch refuses it.
            assert_arguments_untouched(
                submission, "attention", (Tensor(Q), Tensor(K), Tensor(V)),
                {0: "Q", 1: "K", 2: "V"},
                hint_fr=_IN_PLACE_HINT[0],
                hint_en=_IN_PLACE_HINT[1],
            )
    _check_large_scores(submission, rng)


def _check_large_scores(submission, rng) -> None:
    """Scores of a few hundred in float32 (drawn on purpose: the other inputs keep them of a
    few units): exp(s) overflows past 88, so a softmax written exp(s) / Σ exp(s) without the
    row maximum subtracted gives inf / inf = NaN where torch.softmax stays exact."""
    B, n, m = int(rng.integers(2, 4)), int(rng.integers(3, 7)), int(rng.integers(3, 7))
    d, dv = 16, int(rng.integers(2, 6))
    Q, K = rng.normal(size=(B, n, d)) * 8, rng.normal(size=(B, m, d)) * 8
    # The largest score set between 300 and 600, whatever the draw (Q negated if every
    # score is negative).
    scores = Q @ K.transpose(0, 2, 1) / math.sqrt(d)
    if scores.max() <= 0:
        Q, scores = -Q, -scores
    Q = (Q * float(rng.uniform(300, 600)) / float(scores.max())).astype(np.float32)
    K = K.astype(np.float32)
    V = rng.normal(size=(B, m, dv)).astype(np.float32)
    try:
        got = GUARD.call(submission, "attention", Tensor(Q), Tensor(K), Tensor(V))
    except StudentError as exc:
        raise student_error("attention", exc) from None
    ref = F.scaled_dot_product_attention(
        *(_t(a.astype(np.float64)) for a in (Q, K, V))
    ).numpy()
    got = as_array(got, "attention", shape=ref.shape, allow_nan=True)
    if not np.isfinite(got).all():
        raise CheckFailed(
            "attention renvoie des NaN ou des inf quand les scores sont grands (quelques "
            "centaines, en float32) : exp(s) déborde au-delà de 88, et exp(s) / Σ exp(s) donne "
            "inf / inf ; soustrayez le maximum de chaque ligne avant l'exponentielle "
            "(s − s.max(dim=-1, keepdim=True).values, ce qui ne change pas la softmax) ou "
            "utilisez torch.softmax(scores, dim=-1)",
            "attention returns NaN or inf when the scores are large (a few hundred, in "
            "float32): exp(s) overflows past 88, and exp(s) / Σ exp(s) gives inf / inf; "
            "subtract each row's maximum before the exponential (s − s.max(dim=-1, "
            "keepdim=True).values, which leaves the softmax unchanged) or use "
            "torch.softmax(scores, dim=-1)",
        )
    # float32 scores of a few hundred carry rounding errors of ~1e-4 in the exponent.
    assert_close(
        got,
        ref,
        name="attention (scores grands, float32)",
        rtol=1e-2,
        atol=1e-2,
        hint_fr="sur des scores de quelques centaines, la softmax doit rester exacte : "
        "soustrayez le maximum de chaque ligne avant l'exponentielle, ou torch.softmax",
        hint_en="on scores of a few hundred the softmax must stay exact: subtract each row's "
        "maximum before the exponential, or use torch.softmax",
    )


@pytest.mark.item("attention", points=1)
def test_attention_with_padding_mask(submission, rng):
    B, n, m = int(rng.integers(2, 5)), int(rng.integers(3, 7)), int(rng.integers(4, 8))
    d, dv = int(rng.integers(8, 25)), int(rng.integers(2, 6))
    Q, K, V = _qkv(rng, B, n, m, d, dv)
    longueurs = rng.integers(1, m, size=B)  # each sequence loses at least one key to padding
    # Drawn on purpose: one sequence keeps several keys. With a single key left in every row the
    # softmax is one-hot whatever the scale, and a missing 1/√d_k went unseen (prove, variant 2).
    longueurs[0] = m - 1
    # A (B, 1, m) padding mask, broadcast over the queries as the statement allows.
    M = (np.arange(m)[None, :] < longueurs[:, None])[:, None, :]
    try:
        got = GUARD.call(submission, "attention", Tensor(Q), Tensor(K), Tensor(V), Tensor(M))
    except StudentError as exc:
        raise CheckFailed(
            f"attention échoue avec un masque de padding de forme (B, 1, m), diffusable vers "
            f"(B, n, m) comme le permet l'énoncé ({exc.ename} : {exc.evalue[:200]}) : "
            "scores.masked_fill(~masque, float('-inf')) diffuse le masque, l'indexation "
            "scores[~masque] ne le fait pas",
            f"attention fails with a padding mask of shape (B, 1, m), broadcastable to (B, n, m) "
            f"as the statement allows ({exc.ename}: {exc.evalue[:200]}): "
            "scores.masked_fill(~mask, float('-inf')) broadcasts the mask, indexing "
            "scores[~mask] does not",
        ) from None
    _check_attention(got, Q, K, V, M, what="attention avec masque de padding")
    assert_arguments_untouched(
        submission, "attention", (Tensor(Q), Tensor(K), Tensor(V), Tensor(M)),
        {0: "Q", 1: "K", 2: "V", 3: "masque"},
        hint_fr=_IN_PLACE_HINT[0],
        hint_en=_IN_PLACE_HINT[1],
    )


@pytest.mark.item("attention", points=1)
def test_attention_with_causal_mask(submission, rng):
    n = int(rng.integers(4, 9))
    causal = as_array(
        call(submission, "masque_causal", n), "masque_causal", shape=(n, n), dtype=None
    )
    want = np.tril(np.ones((n, n), dtype=bool))
    record_expected("masque_causal(n)", want.astype(float))
    if causal.astype(bool).tolist() != want.tolist():
        raise CheckFailed(
            "masque_causal(n) doit valoir True en (i, j) pour j <= i (triangulaire inférieure, "
            "diagonale comprise) et False au-dessus : la position i ne voit pas le futur",
            "masque_causal(n) must be True at (i, j) for j <= i (lower triangular, diagonal "
            "included) and False above: position i does not see the future",
        )
    if causal.dtype != np.bool_:
        # The statement: "masque booléen". A float or integer 0/1 matrix works with an attention
        # that tests masque == 0, but PyTorch ADDS a non-boolean attn_mask to the scores.
        raise CheckFailed(
            f"masque_causal(n) renvoie un tableau de type {causal.dtype} : le masque doit être "
            "BOOLÉEN (torch.bool), comme le demande l'énoncé ; un masque de nombres 0/1 passé à "
            "F.scaled_dot_product_attention ou à nn.MultiheadAttention est AJOUTÉ aux scores au "
            "lieu d'interdire des positions : torch.tril(torch.ones(n, n, dtype=torch.bool))",
            f"masque_causal(n) returns an array of type {causal.dtype}: the mask must be BOOLEAN "
            "(torch.bool), as the statement asks; a 0/1 mask of numbers given to "
            "F.scaled_dot_product_attention or nn.MultiheadAttention is ADDED to the scores "
            "instead of forbidding positions: torch.tril(torch.ones(n, n, dtype=torch.bool))",
        )
    B, d, dv = int(rng.integers(2, 4)), int(rng.integers(8, 25)), int(rng.integers(2, 6))
    X, _, V = _qkv(rng, B, n, n, d, dv)
    try:
        got = GUARD.call(submission, "attention", Tensor(X), Tensor(X), Tensor(V), Tensor(want))
    except StudentError as exc:
        if exc.ename in ("NotImplementedError", "NameError"):
            raise student_error("attention", exc) from None
        # The error text would repeat the mask's shape: name the error, not its details.
        raise CheckFailed(
            f"attention a levé {exc.ename} avec un masque causal (n, n) pour des scores "
            "(B, n, n) : le masque doit être diffusable vers les scores ; "
            "scores.masked_fill(~masque, float('-inf')) le diffuse, l'indexation "
            "scores[~masque] ne le fait pas",
            f"attention raised {exc.ename} with an (n, n) causal mask for (B, n, n) scores: "
            "the mask must be broadcastable to the scores; "
            "scores.masked_fill(~mask, float('-inf')) broadcasts it, indexing scores[~mask] "
            "does not",
        ) from None
    _check_attention(got, X, X, V, want, what="attention avec masque causal")


# ---------------------------------------------------------------- multi-head attention


@pytest.mark.item("mha", points=1.5)
def test_mha_matches_nn_multiheadattention(submission, rng, seed):
    torch.manual_seed(seed)
    # Both head counts, in a drawn order: a count fixed in the code (n_tetes = 2) passes on
    # its own value only.
    first = int(rng.choice([2, 4]))
    _mha_matches(submission, rng, first, full=True)
    _mha_matches(submission, rng, 6 - first, full=False)


def _mha_matches(submission, rng, h: int, full: bool) -> None:
    d = h * int(rng.integers(2, 5))
    B, n = int(rng.integers(2, 4)), int(rng.integers(3, 7))
    mha = nn.MultiheadAttention(d, h, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        mha.in_proj_bias.normal_()
        mha.out_proj.bias.normal_()
    x = rng.normal(size=(B, n, d))
    W_in, b_in = mha.in_proj_weight.detach().numpy(), mha.in_proj_bias.detach().numpy()
    W_out, b_out = mha.out_proj.weight.detach().numpy(), mha.out_proj.bias.detach().numpy()
    with torch.no_grad():
        ref = mha(_t(x), _t(x), _t(x), need_weights=False)[0].numpy()
    weights = (Tensor(W_in), Tensor(b_in), Tensor(W_out), Tensor(b_out), h)
    # Run with the grader's `attention`: a fault of the student's `attention` costs points
    # in its own item, not here.
    got = as_array(
        _with_grader_attention(submission, "attention_multi_tetes", Tensor(x), *weights),
        "attention_multi_tetes",
        shape=ref.shape,
    )
    if np.allclose(got, ref, rtol=1e-4, atol=1e-6):
        if not full:
            return
        _check_mha_mask(submission, mha, x, weights, ref, rng)
        try:
            assert_arguments_untouched(
                submission, "attention_multi_tetes", (Tensor(x), *weights),
                {0: "x", 1: "W_in", 2: "b_in", 3: "W_out", 4: "b_out"},
                hint_fr="travaillez sur de nouveaux tenseurs (q = x @ W_in.T + b_in), sans "
                "opération en place (+=, *=, .add_()) sur x ou sur les poids",
                hint_en="work on new tensors (q = x @ W_in.T + b_in), without in-place operations "
                "(+=, *=, .add_()) on x or the weights",
            )
        except StudentError:
            pass  # run with the student's own attention, which failed: its own checks say why
        return
    q, k, v = (_t(x) @ _t(W_in).T + _t(b_in)).chunk(3, dim=-1)

    def sep(t):
        return t.reshape(B, n, h, d // h).transpose(1, 2)

    concat = F.scaled_dot_product_attention(sep(q), sep(k), sep(v)).transpose(1, 2).reshape(B, n, d)
    one_head = F.scaled_dot_product_attention(q, k, v) @ _t(W_out).T + _t(b_out)
    if np.allclose(got, concat.numpy(), rtol=1e-4, atol=1e-6):
        raise CheckFailed(
            "attention_multi_tetes : la projection de sortie manque : appliquez W_out et b_out "
            "aux têtes recollées (Concat(têtes) W_outᵀ + b_out)",
            "attention_multi_tetes: the output projection is missing: apply W_out and b_out to "
            "the concatenated heads (Concat(heads) W_outᵀ + b_out)",
        )
    if np.allclose(got, one_head.numpy(), rtol=1e-4, atol=1e-6):
        raise CheckFailed(
            "attention_multi_tetes : vous calculez une seule tête de dimension d : découpez Q, K, V "
            "en n_tetes têtes de dimension d / n_tetes avant l'attention",
            "attention_multi_tetes: you compute a single head of dimension d: split Q, K, V into "
            "n_tetes heads of dimension d / n_tetes before the attention",
        )
    for variant, fr, en in _mha_variants(x, W_in, b_in, W_out, b_out, h):
        if np.allclose(got, variant, rtol=1e-4, atol=1e-6):
            raise CheckFailed(f"attention_multi_tetes : {fr}", f"attention_multi_tetes: {en}")
    assert_close(
        got,
        ref,
        name="attention_multi_tetes",
        rtol=1e-4,
        atol=1e-6,
        hint_fr="vérifiez l'ordre Q, K, V dans W_in, le découpage en têtes, le recollage et la projection de sortie",
        hint_en="check the Q, K, V order in W_in, the split into heads, the concatenation and the output projection",
    )


def _mha_variants(x, W_in, b_in, W_out, b_out, h: int):
    """Multi-head attentions with one known fault each, computed here in float64, with the
    (French, English) words naming it: a student output equal to one of them is told which
    (the premise of each hint is this equality, on the grader's random weights)."""
    X, Wi, bi, Wo, bo = (_t(a) for a in (x, W_in, b_in, W_out, b_out))
    B, n, d = X.shape

    def heads(q, k, v, hh=h, scale=None, split_t=True, merge_t=True):
        dh = d // hh
        if split_t:
            q, k, v = (t.reshape(B, n, hh, dh).transpose(1, 2) for t in (q, k, v))
        else:
            q, k, v = (t.reshape(B, hh, n, dh) for t in (q, k, v))
        s = q @ k.transpose(-2, -1) / math.sqrt(scale or dh)
        o = torch.softmax(s, dim=-1) @ v
        return (o.transpose(1, 2) if merge_t else o).reshape(B, n, d)

    q, k, v = (X @ Wi.T + bi).chunk(3, dim=-1)
    q0, k0, v0 = (X @ Wi.T).chunk(3, dim=-1)
    bq = bi[:d]
    out = []

    def add(o, fr, en):
        out.append((o.numpy(), fr, en))

    add(heads(q, k, v) @ Wo.T, "le biais de sortie b_out manque : la projection de sortie est "
        "Concat(têtes) W_outᵀ + b_out", "the output bias b_out is missing: the output projection "
        "is Concat(heads) W_outᵀ + b_out")
    add(heads(q, k, v) @ Wo + bo, "W_out est appliquée sans transposition : la projection de "
        "sortie est Concat(têtes) W_outᵀ + b_out (les poids de nn.Linear, F.linear(o, W_out, "
        "b_out))", "W_out is applied without transposing: the output projection is "
        "Concat(heads) W_outᵀ + b_out (nn.Linear's weights, F.linear(o, W_out, b_out))")
    add(heads(q, k, v, scale=d) @ Wo.T + bo, "les scores sont divisés par √d (toute la largeur) "
        "au lieu de √(d / n_tetes), la dimension d'UNE tête", "the scores are divided by √d (the "
        "whole width) instead of √(d / n_tetes), the dimension of ONE head")
    add(heads(k, q, v) @ Wo.T + bo, "Q et K sont échangés : W_in empile les poids de Q, puis de "
        "K, puis de V (lignes 0:d, d:2d, 2d:3d)", "Q and K are swapped: W_in stacks the weights "
        "of Q, then K, then V (rows 0:d, d:2d, 2d:3d)")
    # K's part of b_in adds q·b_k to every score of a query: the softmax ignores it, so only
    # the parts of Q and V show in the output, and the hints name those two only (an answer
    # that forgets V's part gives the same output whether it added K's or not).
    add(heads(q0, k0, v0) @ Wo.T + bo, "le biais d'entrée b_in manque (ni Q ni V ne reçoivent "
        "leur part) : Q, K, V = x W_inᵀ + b_in", "the input bias b_in is missing (neither Q "
        "nor V gets its part): Q, K, V = x W_inᵀ + b_in")
    add(heads(q0 + bq, k0, v0) @ Wo.T + bo, "V ne reçoit pas sa part de b_in (b_in[2d:3d]) : le "
        "biais s'ajoute à Q, K et V (x W_inᵀ + b_in, puis le découpage en trois)", "V does not "
        "get its part of b_in (b_in[2d:3d]): the bias is added to Q, K and V (x W_inᵀ + b_in, "
        "then the split in three)")
    add(heads(q0, k0, v0 + bi[2 * d:]) @ Wo.T + bo, "Q ne reçoit pas sa part de b_in (b_in[:d]) : "
        "le biais s'ajoute à Q, K et V (x W_inᵀ + b_in, puis le découpage en trois)", "Q does "
        "not get its part of b_in (b_in[:d]): the bias is added to Q, K and V (x W_inᵀ + b_in, "
        "then the split in three)")
    add(heads(q, k, v, split_t=False) @ Wo.T + bo, "le découpage en têtes est un reshape (B, "
        "n_tetes, T, d_k) sans transposition : il mélange les positions ; découpez en (B, T, "
        "n_tetes, d_k) puis .transpose(1, 2)", "the split into heads is a (B, n_tetes, T, d_k) "
        "reshape without transposing: it mixes the positions; split into (B, T, n_tetes, d_k) "
        "then .transpose(1, 2)")
    add(heads(q, k, v, merge_t=False) @ Wo.T + bo, "le recollage des têtes est un reshape (B, "
        "T, d) sans transposition : remettez l'axe des têtes après celui des positions, "
        ".transpose(1, 2) puis .reshape(B, T, d)", "the heads are concatenated with a (B, T, d) "
        "reshape without transposing: put the heads axis back after the positions axis, "
        ".transpose(1, 2) then .reshape(B, T, d)")
    for hh in range(1, d + 1):
        if d % hh == 0 and hh not in (1, h):
            add(heads(q, k, v, hh=hh) @ Wo.T + bo, f"le calcul découpe en {hh} têtes, pas en "
                "n_tetes : le nombre de têtes est l'argument n_tetes (d_k = d / n_tetes), ne le "
                "fixez pas", f"the computation splits into {hh} heads, not n_tetes: the number "
                "of heads is the argument n_tetes (d_k = d / n_tetes), do not fix it")
    return out


def _mha_manual(x: np.ndarray, weights, allowed: np.ndarray) -> np.ndarray:
    """Multi-head attention with a mask that broadcasts to (B, heads, n, n), an (n, n) one
    included, True = allowed (rows all False give NaN)."""
    W_in, b_in, W_out, b_out = (_t(w.array) for w in weights[:4])
    h = weights[4]
    B, n, d = x.shape
    q, k, v = (_t(x) @ W_in.T + b_in).chunk(3, dim=-1)

    def sep(t):
        return t.reshape(B, n, h, d // h).transpose(1, 2)

    s = sep(q) @ sep(k).transpose(-2, -1) / math.sqrt(d // h)
    s = s.masked_fill(~_t(allowed), float("-inf"))
    o = (torch.softmax(s, dim=-1) @ sep(v)).transpose(1, 2).reshape(B, n, d)
    return (o @ W_out.T + b_out).numpy()


def _check_mha_mask(submission, mha, x: np.ndarray, weights, plain: np.ndarray, rng) -> None:
    """The masque argument must reach the attention: a causal (n, n) mask, then a random one."""
    n = x.shape[1]
    random_mask = (rng.random((n, n)) < 0.5) | np.eye(n, dtype=bool)
    for label, M in (("causal", np.tril(np.ones((n, n), dtype=bool))), ("quelconque", random_mask)):
        with torch.no_grad():
            ref = mha(_t(x), _t(x), _t(x), attn_mask=~_t(M), need_weights=False)[0].numpy()
        got = as_array(
            _with_grader_attention(
                submission, "attention_multi_tetes", Tensor(x), *weights, Tensor(M)
            ),
            f"attention_multi_tetes (masque {label})",
            shape=ref.shape,
            allow_nan=True,
        )
        if np.allclose(got, ref, rtol=1e-4, atol=1e-6):
            continue
        # ~masque (nn.MultiheadAttention's boolean attn_mask is True where FORBIDDEN): the rows
        # a causal mask leaves one key become rows with every key forbidden, hence NaN.
        inverted = _mha_manual(x, weights, ~M)
        if np.allclose(got, inverted, rtol=1e-4, atol=1e-6, equal_nan=True) or (
            not np.isfinite(got).all()
        ):
            raise CheckFailed(
                f"attention_multi_tetes (masque {label}) : le masque est inversé (ou des lignes "
                "entières sont interdites, d'où des NaN) : ici masque vaut True là où la requête "
                "PEUT regarder la clé (convention de attention et de "
                "F.scaled_dot_product_attention, l'inverse du attn_mask booléen de "
                "nn.MultiheadAttention) ; passez masque tel quel à attention, sans ~",
                f"attention_multi_tetes ({label} mask): the mask is inverted (or whole rows are "
                "forbidden, hence NaN): here masque is True where the query MAY look at the key "
                "(the convention of attention and F.scaled_dot_product_attention, the opposite "
                "of nn.MultiheadAttention's boolean attn_mask); pass masque to attention as it "
                "is, without ~",
            )
        if np.allclose(got, plain, rtol=1e-4, atol=1e-6):
            raise CheckFailed(
                f"attention_multi_tetes ignore son argument masque : avec un masque {label}, la "
                "sortie est celle sans masque ; transmettez masque à attention dans chaque tête",
                f"attention_multi_tetes ignores its masque argument: with a {label} mask, the "
                "output is the unmasked one; pass masque on to attention in every head",
            )
        assert_close(
            got,
            ref,
            name=f"attention_multi_tetes (masque {label})",
            rtol=1e-4,
            atol=1e-6,
            hint_fr="le masque (n, n) doit s'appliquer à chaque tête : passez-le tel quel à "
            "attention sur les têtes de forme (B, têtes, n, d / têtes)",
            hint_en="the (n, n) mask applies to every head: pass it unchanged to attention on "
            "the heads of shape (B, heads, n, d / heads)",
        )
    _check_mha_batch_mask(submission, mha, weights, rng)


def _check_mha_batch_mask(submission, mha, weights, rng) -> None:
    """A padding mask of its own for each example, (B, 1, n), against nn.MultiheadAttention's
    key_padding_mask: B = 3 examples of distinct lengths, never equal to the head count (2 or
    4), so that a mask tiled in the heads' wrong order, or given to the wrong example, shows.
    The statement does not require this mask shape: an answer that raises on it keeps its
    points (the solution, which passes the mask to (B, h, n, n) scores, raises); one that
    returns an output must return the right one."""
    h = weights[4]
    B, n, d = 3, int(rng.integers(3, 7)), int(weights[2].array.shape[0])
    x = rng.normal(size=(B, n, d))
    lengths = rng.choice(np.arange(1, n + 1), size=B, replace=False)
    pad = np.arange(n)[None, :] < lengths[:, None]  # (B, n), True = a real token
    M = pad[:, None, :]
    with torch.no_grad():
        ref = mha(_t(x), _t(x), _t(x), key_padding_mask=~_t(pad), need_weights=False)[0].numpy()
    try:
        raw = grader_attention_call(submission, "attention_multi_tetes", "attention_multi_tetes",
                                    Tensor(x), *weights, Tensor(M))
    except StudentError:
        return  # a mask shape the statement leaves open: refusing it costs nothing
    label = "attention_multi_tetes (masque de padding (B, 1, n), un par exemple)"
    got = as_array(raw, label, shape=ref.shape, allow_nan=True)
    if np.allclose(got, ref, rtol=1e-4, atol=1e-6):
        return
    plain = _mha_manual(x, weights, np.ones((1, 1, n, n), dtype=bool))
    tiled = pad[(np.arange(B)[:, None] * h + np.arange(h)[None, :]) % B][:, :, None, :]
    if np.allclose(got, _mha_manual(x, weights, tiled), rtol=1e-4, atol=1e-6):
        raise CheckFailed(
            f"{label} : l'exemple b ne reçoit pas son propre masque : vos têtes sont rangées "
            "exemple par exemple (B·h lignes, l'exemple b occupe les lignes b·h à b·h + h − 1), "
            "mais masque.repeat(n_tetes, 1, 1) range les copies du masque tête par tête ; "
            "répétez-le avec masque.repeat_interleave(n_tetes, dim=0), ou gardez les têtes sur "
            "un axe à part (B, h, n, d / h) et donnez au masque un axe de tête, masque.unsqueeze(1)",
            f"{label}: example b does not get its own mask: your heads are stored example by "
            "example (B·h rows, example b on rows b·h to b·h + h − 1), but "
            "masque.repeat(n_tetes, 1, 1) stores the mask's copies head by head; repeat it with "
            "masque.repeat_interleave(n_tetes, dim=0), or keep the heads on an axis of their own "
            "(B, h, n, d / h) and give the mask a head axis, masque.unsqueeze(1)",
        )
    if np.allclose(got, plain, rtol=1e-4, atol=1e-6):
        raise CheckFailed(
            f"{label} : la sortie est celle sans masque : un masque à 3 dimensions (un par "
            "exemple) est ignoré ; s'il est accepté, il doit s'appliquer, à chaque tête de son "
            "exemple (masque.unsqueeze(1) sur des têtes (B, h, n, d / h))",
            f"{label}: the output is the unmasked one: a 3-dimensional mask (one per example) "
            "is ignored; if it is accepted, it must apply, to every head of its example "
            "(masque.unsqueeze(1) on heads of shape (B, h, n, d / h))",
        )
    assert_close(
        got,
        ref,
        name=label,
        rtol=1e-4,
        atol=1e-6,
        hint_fr="chaque exemple b garde son masque, appliqué à toutes ses têtes : "
        "masque.unsqueeze(1) sur des têtes (B, h, n, d / h), ou "
        "masque.repeat_interleave(n_tetes, dim=0) sur des têtes (B·h, n, d / h)",
        hint_en="each example b keeps its mask, applied to all of its heads: masque.unsqueeze(1) "
        "on heads of shape (B, h, n, d / h), or masque.repeat_interleave(n_tetes, dim=0) on "
        "heads of shape (B·h, n, d / h)",
    )


# ---------------------------------------------------------------- positional encoding


def _posenc(n: int, d: int, swap: bool = False) -> np.ndarray:
    pos = np.arange(n)[:, None]
    angles = pos / 10000 ** (np.arange(0, d, 2) / d)
    pe = np.zeros((n, d))
    pe[:, 0::2], pe[:, 1::2] = (
        (np.cos(angles), np.sin(angles)) if swap else (np.sin(angles), np.cos(angles))
    )
    return pe


def _posenc_variants(n: int, d: int):
    """Encodings with one known fault each and the (French, English) words naming it (the
    formula, its base 10000 included, is the statement's: naming it gives nothing away)."""
    pos = np.arange(n)[:, None]
    k = np.arange(0, d, 2)  # 2i, the even column

    def table(sin_angles, cos_angles):
        pe = np.zeros((n, d))
        pe[:, 0::2], pe[:, 1::2] = np.sin(sin_angles), np.cos(cos_angles)
        return pe

    right = pos / 10000 ** (k / d)
    halves = np.concatenate([np.sin(right), np.cos(right)], axis=1)
    return [
        (table(pos / 10000 ** (k / 2 / d), pos / 10000 ** (k / 2 / d)),
         "l'exposant vaut i/d au lieu de 2i/d : les colonnes 2i et 2i + 1 utilisent "
         "10000^(2i/d), où 2i est l'indice de la colonne paire",
         "the exponent is i/d instead of 2i/d: columns 2i and 2i + 1 use 10000^(2i/d), where "
         "2i is the index of the even column"),
        (table(pos + 0.0 * k, pos + 0.0 * k),
         "l'exposant 2i/d est calculé en division entière (2 * i // d vaut 0) : toutes les "
         "colonnes ont la même fréquence ; utilisez une division réelle, 2 * i / d",
         "the exponent 2i/d is computed with integer division (2 * i // d is 0): every column "
         "has the same frequency; use a true division, 2 * i / d"),
        (table(pos / 1000 ** (k / d), pos / 1000 ** (k / d)),
         "la base de la puissance n'est pas celle de l'énoncé, 10000 : pos / 10000^(2i/d)",
         "the base of the power is not the statement's 10000: pos / 10000^(2i/d)"),
        (table(right, pos / 10000 ** ((k + 1) / d)),
         "la colonne impaire 2i + 1 utilise l'exposant (2i + 1)/d : son cosinus prend le MÊME "
         "angle que le sinus de la colonne 2i, pos / 10000^(2i/d)",
         "the odd column 2i + 1 uses the exponent (2i + 1)/d: its cosine takes the SAME angle "
         "as the sine of column 2i, pos / 10000^(2i/d)"),
        (table((pos + 1) / 10000 ** (k / d), (pos + 1) / 10000 ** (k / d)),
         "les positions commencent à 1 : la première ligne est la position 0 (sin 0 = 0, "
         "cos 0 = 1)",
         "the positions start at 1: the first row is position 0 (sin 0 = 0, cos 0 = 1)"),
        (halves,
         "les sinus occupent la première moitié des colonnes et les cosinus la seconde : ils "
         "s'entrelacent, sinus en colonnes paires (2i), cosinus en colonnes impaires (2i + 1)",
         "the sines fill the first half of the columns and the cosines the second: they "
         "interleave, sines in the even columns (2i), cosines in the odd ones (2i + 1)"),
    ]


@pytest.mark.item("posenc", points=1)
def test_posenc_matches_formula(submission, rng):
    n, d = int(rng.integers(10, 60)), 2 * int(rng.integers(3, 17))
    got = as_array(
        call(submission, "encodage_positionnel", n, d), "encodage_positionnel", shape=(n, d)
    )
    ref = _posenc(n, d)
    if np.allclose(got, ref, atol=1e-5):
        _check_posenc_again(submission, rng, n, d)
        return
    if np.allclose(got, _posenc(n, d, swap=True), atol=1e-5):
        raise CheckFailed(
            "encodage_positionnel : sin et cos sont inversés : le sinus va sur les colonnes "
            "paires (2i), le cosinus sur les impaires (2i + 1)",
            "encodage_positionnel: sin and cos are swapped: the sine goes to the even columns "
            "(2i), the cosine to the odd ones (2i + 1)",
        )
    for variant, fr, en in _posenc_variants(n, d):
        if np.allclose(got, variant, atol=1e-5):
            raise CheckFailed(f"encodage_positionnel : {fr}", f"encodage_positionnel: {en}")
    assert_close(
        got,
        ref,
        name="encodage_positionnel",
        atol=1e-5,
        hint_fr="PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d))",
        hint_en="PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d))",
    )


def _check_posenc_again(submission, rng, n: int, d: int) -> None:
    """The encoding depends on (n, d) only, not on earlier calls: called again with the SAME n
    and another d, then with another n and the same d (drawn on purpose: a cache keyed on n
    alone, or on d alone, returns the earlier table)."""
    d2 = 2 * int(rng.choice([k for k in range(3, 17) if 2 * k != d]))
    n2 = int(rng.choice([k for k in range(10, 60) if k != n]))
    for m, e in ((n, d2), (n2, d)):
        raw = as_array(call(submission, "encodage_positionnel", m, e), "encodage_positionnel")
        if raw.shape != (m, e) or not np.allclose(raw, _posenc(m, e), atol=1e-5):
            same = "le même n" if m == n else "le même d"
            same_en = "the same n" if m == n else "the same d"
            raise CheckFailed(
                f"encodage_positionnel, juste après un appel correct, rappelé avec {same} et "
                "une autre valeur de l'autre argument, ne renvoie pas l'encodage de ces "
                "nouveaux arguments : votre fonction garde un état d'un appel à l'autre (un "
                "cache indexé par une partie seulement des arguments, une variable globale ?) ; "
                "l'encodage ne dépend que de n et de d, calculez-le à chaque appel",
                f"encodage_positionnel, right after a correct call, called again with {same_en} "
                "and another value of the other argument, does not return the encoding of these "
                "new arguments: your function keeps a state from one call to the next (a cache "
                "keyed on part of the arguments only, a global variable?); the encoding depends "
                "on n and d only, compute it at every call",
            )


# ---------------------------------------------------------------- permutation equivariance


def _grader_function(genre: str, poids: np.ndarray):
    w = _t(poids)
    if genre == "attention":
        return lambda z: torch.softmax((z @ w) @ z.T / z.shape[1] ** 0.5, dim=-1) @ z
    if genre == "lineaire":
        return lambda z: torch.tanh(z @ w)
    if genre == "cumul":
        return lambda z: torch.cumsum(z, dim=0) @ w
    if genre == "oppose":
        return lambda z: -(z @ w + torch.arange(z.shape[0], dtype=z.dtype)[:, None])
    if genre == "petit":
        return lambda z: z @ w + 3e-5 * torch.arange(z.shape[0], dtype=z.dtype)[:, None]
    if genre == "module":
        return lambda z: torch.cumsum(torch.tanh(z @ w), dim=0)
    return lambda z: z @ w + torch.arange(z.shape[0], dtype=z.dtype)[:, None]


@pytest.mark.item("equivariance", points=1)
def test_erreur_permutation_on_grader_functions(submission, rng):
    ambiguous = False  # a wrong value that two hints both explain: decided after the loop
    # "petit": a gap of a few 1e-5, drawn on purpose, that rounding to 4 decimals loses.
    # "module": a layer with learned weights, whose output requires grad (f may be any
    # function of X, a trained layer too): .numpy() on it raises.
    for i, genre in enumerate(("attention", "lineaire", "cumul", "position", "petit", "module")):
        n, d = int(rng.integers(4, 9)), int(rng.integers(3, 7))
        poids = rng.normal(size=(d, d))
        X = rng.normal(size=(n, d))
        perm = rng.permutation(n)
        # never an involution: the inverse permutation must differ from perm itself
        while (perm[perm] == np.arange(n)).all() or (
            genre == "position" and (np.arange(n) - perm).max() == -(np.arange(n) - perm).min()
        ):
            perm = rng.permutation(n)
        if genre == "position" and (np.arange(n) - perm).max() > -(np.arange(n) - perm).min():
            # The position term gives f(X[perm]) − f(X)[perm] = i − perm[i]: its sign is chosen
            # so that the largest gap is NEGATIVE, where a maximum without |·| is wrong.
            genre = "oppose"
        fn = grader_function.call(submission, genre, Tensor(poids))
        try:
            raw = submission.call("erreur_permutation", fn, Tensor(X), Tensor(perm))
        except StudentError as exc:
            if genre == "module" and "grad" in exc.evalue:
                raise CheckFailed(
                    "erreur_permutation échoue sur une fonction f du correcteur qui a des poids "
                    f"appris (un nn.Module, dont la sortie demande un gradient) : {exc.ename} "
                    f"({exc.evalue[:160]}) ; f peut être n'importe quelle fonction de X, une "
                    "couche entraînable comprise : calculez l'écart sous torch.no_grad(), ou "
                    "détachez la sortie (.detach()) avant .numpy()",
                    "erreur_permutation fails on a grader function f that has learned weights "
                    f"(an nn.Module, whose output requires grad): {exc.ename} ({exc.evalue[:160]}); "
                    "f may be any function of X, a trainable layer included: compute the gap "
                    "under torch.no_grad(), or detach the output (.detach()) before .numpy()",
                ) from None
            if exc.ename in ("RuntimeError", "IndexError") and _permutes_columns(
                submission, fn, _grader_function(genre, poids), rng, d
            ):
                raise _columns_error(f"{exc.ename} : {exc.evalue[:200]}") from None
            raise student_error("erreur_permutation", exc) from None
        got = as_float(raw, "erreur_permutation")
        f = _grader_function(genre, poids)
        Xt = _t(X)
        want = float((f(Xt[perm]) - f(Xt)[perm]).abs().max())
        record_expected(f"erreur_permutation ({genre})", want)
        record_margin(f"absolute error of erreur_permutation vs grader ({genre})", abs(got - want),
                      1e-6 + 1e-4 * abs(want), higher_is_better=False, kind="tolerance")
        if abs(got - want) <= 1e-6 + 1e-4 * abs(want):
            if i == 0:
                assert_arguments_untouched(
                    submission, "erreur_permutation", (fn, Tensor(X), Tensor(perm)),
                    {1: "X", 2: "perm"},
                    hint_fr="indexez X[perm] (une copie) sans rien écrire dans X ni dans perm",
                    hint_en="index X[perm] (a copy) without writing into X or perm",
                )
            continue
        # An answer that draws its own permutation gives a random gap, which may happen to
        # fit one of the wrong formulas below: the permutation probe tells it first.
        if (fault := _perm_fault(submission, rng)) is not None:
            raise fault
        if genre == "petit" and abs(got - want) <= 2e-4:
            raise CheckFailed(
                "erreur_permutation perd la précision sur une fonction du correcteur dont "
                "l'écart est de quelques 1e-5 (la valeur renvoyée s'en écarte de plus que "
                "l'arrondi du calcul) : renvoyez l'écart exact, float((f(X[perm]) - "
                "f(X)[perm]).abs().max()), sans arrondir ni seuiller",
                "erreur_permutation loses precision on a grader function whose gap is a few "
                "1e-5 (the value returned is further from it than the computation's rounding): "
                "return the exact gap, float((f(X[perm]) - f(X)[perm]).abs().max()), without "
                "rounding or thresholding",
            )
        if n == d:  # X[:, perm] only runs on a square X: there it gives a wrong value
            columns = float((f(Xt[:, perm]) - f(Xt)[:, perm]).abs().max())
            if abs(got - columns) <= 1e-6 + 1e-4 * abs(columns):
                raise _columns_error()
        signed = float((f(Xt[perm]) - f(Xt)[perm]).max())
        if abs(got - signed) <= 1e-6 + 1e-4 * abs(signed):
            raise CheckFailed(
                "erreur_permutation prend le maximum des écarts SIGNÉS : sur une fonction du "
                "correcteur dont le plus grand écart est négatif, il faut max |f(X[perm]) − "
                "f(X)[perm]|, la valeur absolue avant le maximum",
                "erreur_permutation takes the maximum of the SIGNED gaps: on a grader function "
                "whose largest gap is negative, it must be max |f(X[perm]) − f(X)[perm]|, the "
                "absolute value before the maximum",
            )
        inverse = float((f(Xt[perm]) - f(Xt)[np.argsort(perm)]).abs().max())
        invariance = float((f(Xt[perm]) - f(Xt)).abs().max())
        # f(X[perm]) against f(X[perm])[perm]: on an equivariant f the same rows as the
        # invariance gap (Y[perm] − Y[perm][perm] and Y[perm] − Y pair the same rows).
        twice = float((f(Xt[perm]) - f(Xt[perm])[perm]).abs().max())
        is_inverse = abs(got - inverse) <= 1e-6 + 1e-4 * abs(inverse)
        is_invariance = abs(got - invariance) <= 1e-6 + 1e-4 * abs(invariance)
        is_twice = abs(got - twice) <= 1e-6 + 1e-4 * abs(twice)
        if is_inverse + is_invariance + is_twice > 1:  # another function tells them apart
            ambiguous = True
            continue
        if is_twice:
            raise CheckFailed(
                "erreur_permutation compare f(X[perm]) à f(X[perm])[perm] : elle permute la "
                "sortie de l'entrée DÉJÀ permutée ; la référence est la sortie de X lui-même, "
                "permutée ensuite, f(X)[perm]",
                "erreur_permutation compares f(X[perm]) with f(X[perm])[perm]: it permutes the "
                "output of the input ALREADY permuted; the reference is the output of X itself, "
                "permuted afterwards, f(X)[perm]",
            )
        if is_inverse:
            raise CheckFailed(
                "erreur_permutation permute la sortie par la permutation inverse (f(X)[argsort(perm)]) : "
                "la sortie se permute comme l'entrée, f(X)[perm], à comparer à f(X[perm])",
                "erreur_permutation permutes the output by the inverse permutation "
                "(f(X)[argsort(perm)]): the output is permuted like the input, f(X)[perm], to be "
                "compared with f(X[perm])",
            )
        if is_invariance:
            raise CheckFailed(
                "erreur_permutation compare f(X[perm]) à f(X) : c'est l'invariance ; "
                "l'équivariance compare f(X[perm]) à f(X)[perm]",
                "erreur_permutation compares f(X[perm]) with f(X): that is invariance; "
                "equivariance compares f(X[perm]) with f(X)[perm]",
            )
        raise _permutation_error()
    # Every value above may fit by chance when the answer ignores perm (its own randperm on
    # a few positions often has the same largest displacement): the probe does not.
    if (fault := _perm_fault(submission, rng)) is not None:
        raise fault
    if ambiguous:
        raise _permutation_error()
    kind = result_kind.call(submission, Ref("erreur_permutation"), fn, Tensor(X), Tensor(perm))
    if kind == "tenseur":
        raise Partial(
            0.5,
            "erreur_permutation renvoie un tenseur PyTorch (à 0 dimension) : l'énoncé demande "
            "un float ; convertissez l'écart, float((f(X[perm]) - f(X)[perm]).abs().max()) ou "
            ".item()",
            "erreur_permutation returns a PyTorch tensor (0-dimensional): the statement asks for "
            "a float; convert the gap, float((f(X[perm]) - f(X)[perm]).abs().max()) or .item()",
        )


# Trusted kernel-side helper: what kind of value the student's function returns.
@kernel_side
def result_kind(fn, *args):
    """fn(*args), read in the kernel: "tenseur" for a torch.Tensor, "autre" otherwise."""
    import torch

    return "tenseur" if isinstance(fn(*args), torch.Tensor) else "autre"


def _permutes_columns(submission, fn: Handle, f, rng, d: int) -> bool:
    """On a square X (d, d), where X[:, perm] runs, does the student's value match it?"""
    X = rng.normal(size=(d, d))
    perm = rng.permutation(d)
    while (perm == np.arange(d)).all():
        perm = rng.permutation(d)
    try:
        got = float(submission.call("erreur_permutation", fn, Tensor(X), Tensor(perm)))
    except (StudentError, TypeError, ValueError):
        return False
    Xt = _t(X)
    columns = float((f(Xt[:, perm]) - f(Xt)[:, perm]).abs().max())
    return abs(got - columns) <= 1e-6 + 1e-4 * abs(columns)


def _columns_error(detail: str = "") -> CheckFailed:
    fr = en = ""
    if detail:
        fr, en = f" (erreur levée : {detail})", f" (error raised: {detail})"
    return CheckFailed(
        "erreur_permutation permute les colonnes de X (X[:, perm]) : perm permute les POSITIONS, "
        "c'est-à-dire les lignes de X (n, d) ; comparez f(X[perm]) à f(X)[perm]" + fr,
        "erreur_permutation permutes the columns of X (X[:, perm]): perm permutes the POSITIONS, "
        "that is the rows of X (n, d); compare f(X[perm]) with f(X)[perm]" + en,
    )


#: Positions of the permutation probe: a permutation the answer draws itself (torch.randperm)
#: is the identity with probability 1 / 12! (about 2e-9), whatever the grader's variant.
PROBE_POSITIONS = 12


def _perm_fault(submission, rng) -> CheckFailed | None:
    """Whether erreur_permutation uses the perm it receives, told the same way under every
    variant: on a grader function f(z) = z W + T, whose table T gives every position its own
    offsets (f(X[perm]) − f(X)[perm] = T − T[perm], a gap that tells the permutations apart),
    the identity permutation must give exactly 0 (an answer drawing its own permutation on 12
    positions does not, but with probability 1 / 12!), and three other permutations three
    different values. These three are the shifts i → i + k (k = 1, 2, 3) of a random
    numbering of the positions: the pairs of positions (i, perm[i]) that each compares, and
    those of the usual wrong formulas (f(X) for the invariance, the inverse permutation,
    perm applied twice), are disjoint from one shift to the next, so that a maximum over them
    takes the same value for two shifts by chance with probability 0; an answer that ignores
    perm gives one value for all three. None when the probe cannot run (the main check says
    why) or sees nothing wrong."""
    n, d = PROBE_POSITIONS, int(rng.integers(3, 7))
    poids, table, X = rng.normal(size=(d, d)), 3.0 * rng.normal(size=(n, d)), rng.normal(size=(n, d))
    fn = grader_function.call(submission, "table", Tensor(poids), Tensor(table))
    numbering = rng.permutation(n)
    where = np.argsort(numbering)
    shifts = [numbering[(where + k) % n] for k in (1, 2, 3)]
    got = []
    for perm in (np.arange(n), *shifts):
        try:
            got.append(float(submission.call("erreur_permutation", fn, Tensor(X), Tensor(perm))))
        except (StudentError, TypeError, ValueError, OverflowError):
            return None
    if not all(np.isfinite(got)):
        return None
    if not abs(got[0]) <= 1e-9:
        return _own_permutation_error()
    want = [float(np.abs(table - table[perm]).max()) for perm in shifts]
    apart = min(abs(a - b) for a, b in ((want[0], want[1]), (want[0], want[2]), (want[1], want[2])))
    same = all(abs(g - got[1]) <= 1e-6 + 1e-4 * abs(got[1]) for g in got[2:])
    if apart > 1e-3 * max(want) and same:
        return CheckFailed(
            "erreur_permutation renvoie le même écart pour trois permutations perm différentes, "
            "sur une fonction du correcteur qui n'est pas équivariante et dont les écarts pour "
            "ces permutations diffèrent : le résultat ne dépend pas de l'argument perm ; "
            "indexez X et f(X) avec perm, f(X[perm]) − f(X)[perm]",
            "erreur_permutation returns the same gap for three different permutations perm, on "
            "a grader function that is not equivariant and whose gaps for these permutations "
            "differ: the result does not depend on the perm argument; index X and f(X) with "
            "perm, f(X[perm]) − f(X)[perm]",
        )
    return None


def _own_permutation_error() -> CheckFailed:
    return CheckFailed(
        "erreur_permutation n'utilise pas la permutation perm qu'elle reçoit : avec la "
        "permutation identité, f(X[perm]) − f(X)[perm] vaut 0 pour toute fonction f, et votre "
        "fonction renvoie un écart non nul (une permutation tirée au hasard, torch.randperm, "
        "à la place de perm ?) ; indexez X et f(X) avec l'argument perm",
        "erreur_permutation does not use the permutation perm it receives: with the identity "
        "permutation, f(X[perm]) − f(X)[perm] is 0 for every function f, and your function "
        "returns a non-zero gap (a permutation drawn at random, torch.randperm, instead of "
        "perm?); index X and f(X) with the perm argument",
    )


def _permutation_error() -> CheckFailed:
    return CheckFailed(
        "erreur_permutation ne renvoie pas max |f(X[perm]) − f(X)[perm]| sur une fonction du "
        "correcteur : permutez l'entrée ET la sortie, puis prenez le maximum des écarts absolus",
        "erreur_permutation does not return max |f(X[perm]) − f(X)[perm]| on one of the "
        "grader's functions: permute the input AND the output, then take the maximum "
        "absolute difference",
    )


def _self_attention(submission, Z: np.ndarray) -> np.ndarray:
    got = guarded(submission, "attention", Tensor(Z[None]), Tensor(Z[None]), Tensor(Z[None]))
    return as_array(got, "attention", shape=(1, *Z.shape))[0]


@pytest.mark.item("equivariance", points=0.5)
def test_student_self_attention_is_permutation_equivariant(submission, rng):
    n, d = int(rng.integers(5, 10)), int(rng.integers(4, 13))
    X = rng.normal(size=(n, d))
    perm = rng.permutation(n)
    err = np.abs(_self_attention(submission, X[perm]) - _self_attention(submission, X)[perm]).max()
    record_margin("permutation-equivariance gap of self-attention", err, 1e-6,
                  higher_is_better=False, kind="tolerance")
    if err > 1e-6:
        raise CheckFailed(
            f"votre auto-attention sans encodage de position n'est pas équivariante par "
            f"permutation (écart {fmt_order(err)}) : elle ne doit dépendre que du contenu des positions, "
            "pas de leur ordre",
            f"your self-attention without positional encoding is not permutation-equivariant "
            f"(gap {fmt_order(err)}): it must depend only on the content of the positions, not their order",
        )


@pytest.mark.item("equivariance", points=0.5)
def test_positional_encoding_breaks_equivariance(submission, rng):
    n, d = int(rng.integers(5, 10)), 2 * int(rng.integers(2, 7))
    X = rng.normal(size=(n, d))
    perm = rng.permutation(n)
    while (perm == np.arange(n)).all():
        perm = rng.permutation(n)
    # The grader's encoding: the student's is graded in its own item (posenc), and a fault
    # there must not cost points here.
    pe = _posenc(n, d)
    plain = np.abs(
        _self_attention(submission, X[perm]) - _self_attention(submission, X)[perm]
    ).max()
    with_pe = np.abs(
        _self_attention(submission, X[perm] + pe) - _self_attention(submission, X + pe)[perm]
    ).max()
    record_margin("equivariance gap with the positional encoding added", with_pe,
                  1e-3 + 10 * plain, higher_is_better=True)
    if not with_pe > 1e-3 + 10 * plain:
        raise CheckFailed(
            "même avec l'encodage positionnel (celui du correcteur) ajouté à son entrée, votre "
            "auto-attention reste équivariante par permutation : sa sortie ne dépend pas de ce "
            "que contient chaque position (des poids qui ne viennent pas des scores Q Kᵀ ?) ; "
            "softmax(Q Kᵀ / √d_k) V",
            "even with the positional encoding (the grader's) added to its input, your "
            "self-attention stays permutation-equivariant: its output does not depend on what "
            "each position holds (weights that do not come from the scores Q Kᵀ?); "
            "softmax(Q Kᵀ / √d_k) V",
        )


# ---------------------------------------------------------------- BERT masking

# The grader varies what the statement leaves free: the vocabulary size, the [MASK] id and
# the shape of `tokens` ("de forme quelconque"), 2048 tokens per run.
_VOCABS = (1000, 50, 30000)
_SHAPES = ((32, 64), (2048,), (8, 16, 16))


def _bert_call(submission, tokens, id_mask: int, vocab: int, graine: int):
    try:
        out = submission.call("masquage_bert", Tensor(tokens), id_mask, vocab, graine)
    except StudentError as exc:
        if tokens.ndim == 2:
            raise student_error("masquage_bert", exc) from None
        raise CheckFailed(
            f"masquage_bert échoue sur des tokens à {tokens.ndim} dimensions ({exc.ename} : "
            f"{exc.evalue[:200]}) : tokens est un tenseur de forme quelconque ; tirez avec "
            "torch.rand(tokens.shape, generator=g), sans supposer deux dimensions",
            f"masquage_bert fails on {tokens.ndim}-dimensional tokens ({exc.ename}: {exc.evalue[:200]}): "
            "tokens is a tensor of any shape; draw with torch.rand(tokens.shape, generator=g), "
            "without assuming two dimensions",
        ) from None
    if not isinstance(out, (list, tuple)) or len(out) != 2:
        raise CheckFailed(
            "masquage_bert doit renvoyer le couple (entrees, cibles)",
            "masquage_bert must return the pair (entrees, cibles)",
        )
    entrees = as_array(out[0], "entrees", shape=tokens.shape, dtype=np.int64)
    cibles = as_array(out[1], "cibles", shape=tokens.shape, dtype=np.int64)
    return entrees, cibles


def _bert_runs(submission, rng, n_seeds: int = 6):
    """[(tokens, entrees, cibles)], [(taille_vocab, id_mask)] over grader seeds and shapes."""
    runs, params = [], []
    for i, graine in enumerate(rng.choice(10**6, size=n_seeds, replace=False)):
        vocab, shape = _VOCABS[i % len(_VOCABS)], _SHAPES[i % len(_SHAPES)]
        id_mask = int(rng.integers(0, 5))
        tokens = rng.integers(5, vocab, size=shape)
        entrees, cibles = _bert_call(submission, tokens, id_mask, vocab, int(graine))
        runs.append((tokens, entrees, cibles))
        params.append((vocab, id_mask))
    return runs, params


# A batch of identical rows, drawn on purpose: every token is selected (and given its
# category) independently, so the rows' masks differ; a draw of shape (L,) broadcast over the
# rows gives them all the same one. 200 rows of 64 tokens: about 30 selected tokens per
# column; a vocabulary of 30000 keeps a random token equal to [MASK] rare.
_ROWS, _ROW_LENGTH, _ROWS_VOCAB = 200, 64, 30000
_MIN_SELECTED = 20  # a column's category test needs this many selected rows


def _bert_identical_rows(submission, rng):
    """masquage_bert on a grader batch of identical rows: (selected, masked) boolean arrays."""
    id_mask = int(rng.integers(0, 5))
    row = rng.integers(5, _ROWS_VOCAB, size=_ROW_LENGTH)
    tokens = np.tile(row, (_ROWS, 1))
    entrees, cibles = _bert_call(submission, tokens, id_mask, _ROWS_VOCAB, int(rng.choice(10**6)))
    return cibles != -100, entrees == id_mask


def _check_rows_selected_independently(submission, rng) -> None:
    """Each token is selected independently: on identical rows, the rows' selections differ
    (two rows of 64 tokens coincide with probability 0.745^64 < 1e-8), and no row is
    selected whole or not at all (0.85^64 + 0.15^64 < 3e-5 per row, 200 rows)."""
    selected, _ = _bert_identical_rows(submission, rng)
    if not selected.any():
        return  # nothing selected: the rate check says so
    if (selected == selected[:1]).all():
        raise CheckFailed(
            "masquage_bert sélectionne les MÊMES positions dans chaque séquence d'un lot (sur un "
            "lot du correcteur fait de séquences identiques, toutes reçoivent le même masque) : "
            "la sélection est tirée pour une seule séquence, de forme (L,), puis diffusée aux "
            "autres ; chaque token est sélectionné indépendamment : tirez la sélection (et le "
            "tirage 80/10/10) de la forme de tokens, torch.rand(tokens.shape, generator=g)",
            "masquage_bert selects the SAME positions in every sequence of a batch (on a grader "
            "batch of identical sequences, all get the same mask): the selection is drawn for "
            "one sequence, of shape (L,), then broadcast to the others; each token is selected "
            "independently: draw the selection (and the 80/10/10 draw) with the shape of "
            "tokens, torch.rand(tokens.shape, generator=g)",
        )
    if (selected == selected[:, :1]).all():
        raise CheckFailed(
            "masquage_bert sélectionne des séquences entières (tous les tokens d'une ligne, ou "
            "aucun) : la sélection est tirée une fois par séquence puis diffusée à ses tokens ; "
            "chaque token est sélectionné indépendamment : tirez-la de la forme de tokens, "
            "torch.rand(tokens.shape, generator=g)",
            "masquage_bert selects whole sequences (every token of a row, or none): the "
            "selection is drawn once per sequence then broadcast to its tokens; each token is "
            "selected independently: draw it with the shape of tokens, "
            "torch.rand(tokens.shape, generator=g)",
        )
    _check_row_counts_spread(selected)


# Blind r22: exactly round(0.15 L) tokens per row (a top-k of a uniform draw, a fixed number
# of positions per sequence) has the right mean and independent rows, but the statement
# selects each token independently: the count per row of L tokens is Binomial(L, p), of
# variance L p (1 − p). The bar is a share of that variance, p the rate measured on the same
# batch: a fixed count gives 0. Measured (200 rows of 64, the solution and the correct
# variants, variants 0 and 10–14, 60 draws in all): the ratio lies in 0.77–1.28 (its
# standard deviation over 200 rows is about 0.1); the fixed count gives 0 exactly.
_ROW_SPREAD_BAR = 0.4


def _check_row_counts_spread(selected: np.ndarray) -> None:
    counts = selected.sum(axis=1).astype(float)
    p = float(selected.mean())
    if not 0.02 <= p <= 0.5:
        return  # the rate check says what is wrong
    binomial = selected.shape[1] * p * (1 - p)
    ratio = float(counts.var(ddof=1)) / binomial
    record_margin("spread of the per-row selected count / Binomial(L, p) variance", ratio,
                  _ROW_SPREAD_BAR, higher_is_better=True)
    if ratio >= _ROW_SPREAD_BAR:
        return
    same = bool((counts == counts[0]).all())
    what = (("sélectionne EXACTEMENT le même nombre de tokens dans chaque séquence",
             "selects EXACTLY the same number of tokens in every sequence") if same else
            ("sélectionne presque le même nombre de tokens dans chaque séquence (ce nombre "
             "varie bien moins d'une séquence à l'autre que pour des tirages indépendants)",
             "selects nearly the same number of tokens in every sequence (that number varies "
             "far less from one sequence to the next than with independent draws)"))
    raise CheckFailed(
        f"masquage_bert {what[0]}, sur un lot du correcteur : un nombre fixe de positions par "
        "séquence (round(0,15·L), un top-k ou une permutation tronquée) n'est pas le masquage "
        "de l'énoncé ; chaque token est sélectionné INDÉPENDAMMENT avec probabilité 0,15, si "
        "bien que le nombre de tokens sélectionnés varie d'une séquence à l'autre (loi "
        "binomiale) : selection = torch.rand(tokens.shape, generator=g) < 0.15",
        f"masquage_bert {what[1]}, on a grader batch: a fixed number of positions per "
        "sequence (round(0.15·L), a top-k or a truncated permutation) is not the statement's "
        "masking; each token is selected INDEPENDENTLY with probability 0.15, so the number "
        "of selected tokens varies from one sequence to the next (binomial law): "
        "selection = torch.rand(tokens.shape, generator=g) < 0.15",
    )


def _check_rows_split_independently(submission, rng) -> None:
    """Each selected token gets its category independently: on identical rows, a position
    selected in many rows is [MASK] in about 80 % of them. A draw u of shape (L,) broadcast
    over the rows makes every column all [MASK] or all not (one random token equal to [MASK]
    allowed). A correct draw makes such a column of k ≥ 20 selected rows with probability
    0.8^k + k 0.8^(k−1) 0.2 < 0.07, and every column (about 60) has k ≥ 20 and is tested."""
    selected, masked = _bert_identical_rows(submission, rng)
    share = float(masked[selected].mean()) if selected.any() else 0.0
    if not 0.3 <= share <= 0.95:
        return  # (nearly) all [MASK] or none: the split's own messages say more
    pure, eligible = 0, 0
    for j in range(selected.shape[1]):
        k = int(selected[:, j].sum())
        if k < _MIN_SELECTED:
            continue
        eligible += 1
        m = int(masked[selected[:, j], j].sum())
        pure += int(m <= 1 or m >= k - 1)
    if eligible and pure == eligible:
        raise CheckFailed(
            "masquage_bert donne à une position la même catégorie ([MASK] ou non) dans toutes "
            "les séquences où elle est sélectionnée (sur un lot du correcteur fait de séquences "
            "identiques) : le tirage u de la répartition 80/10/10 est fait pour une seule "
            "séquence, de forme (L,), puis diffusé ; chaque token sélectionné tire sa catégorie "
            "indépendamment : tirez u de la forme de tokens, torch.rand(tokens.shape, "
            "generator=g)",
            "masquage_bert gives a position the same category ([MASK] or not) in every sequence "
            "where it is selected (on a grader batch of identical sequences): the draw u of the "
            "80/10/10 split is made for one sequence, of shape (L,), then broadcast; each "
            "selected token draws its category independently: draw u with the shape of tokens, "
            "torch.rand(tokens.shape, generator=g)",
        )


@kernel_side
def bert_leaves_tokens(fn, tokens, id_mask, vocab, graine):
    """Runs in the student's kernel: tokens modified in place never travel back."""
    import torch

    tokens = torch.as_tensor(tokens).clone()
    before = tokens.clone()
    fn(tokens, id_mask, vocab, graine)
    return bool(torch.equal(tokens, before))


@kernel_side
def bert_contract(fn, tokens, id_mask, vocab, graine):
    """Runs in the student's kernel: the dtypes of (entrees, cibles), and whether the call
    left the caller's global random state as it was (the statement: every draw through
    torch.Generator().manual_seed(graine); torch.manual_seed(graine) resets the caller's)."""
    import torch

    # One draw first: an identical call just before (the same seed) would otherwise leave
    # exactly the state that torch.manual_seed(graine) and the same draws give again.
    torch.rand(1)
    etat = torch.get_rng_state()
    out = fn(torch.as_tensor(tokens).clone(), id_mask, vocab, graine)
    intact = bool(torch.equal(etat, torch.get_rng_state()))
    types = [str(getattr(t, "dtype", type(t).__name__)) for t in out] if isinstance(
        out, (list, tuple)) else []

    def entier(t):
        if isinstance(t, torch.Tensor):
            return not (t.is_floating_point() or t.is_complex() or t.dtype == torch.bool)
        kind = getattr(getattr(t, "dtype", None), "kind", None)  # a NumPy array
        return kind is None or kind in "iu"

    entiers = [entier(t) for t in out] if isinstance(out, (list, tuple)) else []
    return {"rng_intact": intact, "types": types, "entiers": entiers}


def _check_bert_contract(submission, tokens, id_mask: int, vocab: int, graine: int) -> None:
    try:
        info = bert_contract.call(submission, Ref("masquage_bert"), Tensor(tokens), id_mask,
                                  vocab, graine)
    except StudentError as exc:
        raise student_error("masquage_bert", exc) from None
    if not isinstance(info, dict):
        return
    wrong = [(name, str(kind)[:30]) for name, kind, ok in
             zip(("entrees", "cibles"), info.get("types") or [], info.get("entiers") or [],
                 strict=False) if not ok]
    if wrong:
        which = ", ".join(f"{name} ({kind})" for name, kind in wrong)
        raise CheckFailed(
            f"masquage_bert renvoie {which} : l'énoncé demande deux tenseurs d'ENTIERS ; "
            "nn.Embedding refuse des entrées flottantes, et F.cross_entropy lit des cibles "
            "flottantes comme des probabilités (ou refuse : « expected target dtype to be "
            "Long ») ; partez de tokens (tokens.clone(), torch.full_like(tokens, -100)) ou "
            "écrivez -100 sans virgule dans torch.full(..., -100, dtype=torch.long)",
            f"masquage_bert returns {which}: the statement asks for two INTEGER tensors; "
            "nn.Embedding refuses float inputs, and F.cross_entropy reads float targets as "
            "probabilities (or refuses: \"expected target dtype to be Long\"); start from "
            "tokens (tokens.clone(), torch.full_like(tokens, -100)) or write -100 without a "
            "decimal point in torch.full(..., -100, dtype=torch.long)",
        )
    if info.get("rng_intact") is False:
        raise CheckFailed(
            "masquage_bert modifie l'état aléatoire global de PyTorch (torch.manual_seed(graine) "
            "puis des tirages sans generator) : l'appelant voit sa suite de nombres aléatoires "
            "remise à zéro ; l'énoncé demande torch.Generator().manual_seed(graine) pour TOUS "
            "les tirages, g = torch.Generator().manual_seed(graine) puis "
            "torch.rand(tokens.shape, generator=g), torch.randint(..., generator=g)",
            "masquage_bert changes PyTorch's global random state (torch.manual_seed(graine) then "
            "draws without a generator): the caller's random sequence is reset; the statement "
            "asks for torch.Generator().manual_seed(graine) for EVERY draw, "
            "g = torch.Generator().manual_seed(graine) then torch.rand(tokens.shape, "
            "generator=g), torch.randint(..., generator=g)",
        )


def _bert_modifies_tokens(submission, tokens, id_mask: int, vocab: int, graine: int) -> bool:
    """The statement's rule seen in the kernel: does masquage_bert write into `tokens`?"""
    try:
        intact = bert_leaves_tokens.call(submission, Ref("masquage_bert"), Tensor(tokens), id_mask,
                                         vocab, graine)
    except StudentError as exc:
        raise student_error("masquage_bert", exc) from None
    return not intact


def _named_if_in_place(submission, rng, check) -> None:
    """Run `check`; when it fails on values and masquage_bert writes into its argument, the
    failure is that write (an alias entrees = tokens: the targets are read from the tokens
    already replaced), not the values it spoils."""
    try:
        check()
    except CheckFailed as failed:
        tokens = rng.integers(5, 1000, size=(32, 64))
        try:
            modified = _bert_modifies_tokens(submission, tokens, int(rng.integers(0, 5)), 1000,
                                             int(rng.choice(10**6)))
        except CheckFailed:
            raise failed from None  # the probe fails too: the first failure says more
        if modified:
            raise bert_inplace_error() from None
        raise


@pytest.mark.item("bert_mask", points=0.5)
def test_bert_selection_rate(submission, rng):
    _named_if_in_place(submission, rng, lambda: _check_bert_selection(submission, rng))


def _check_bert_selection(submission, rng) -> None:
    runs, params = _bert_runs(submission, rng)
    _check_rows_selected_independently(submission, rng)
    selected = np.concatenate([(c != -100).ravel() for _, _, c in runs])
    rate = selected.mean()
    record_margin("share of tokens selected by masquage_bert (lower bar)", rate, 0.13,
                  higher_is_better=True)
    record_margin("share of tokens selected by masquage_bert (upper bar)", rate, 0.17,
                  higher_is_better=False)
    if not 0.13 <= rate <= 0.17:
        raise CheckFailed(
            f"masquage_bert sélectionne {100 * rate:.1f} % des tokens sur plusieurs graines du "
            "correcteur, il en faut 15 % (chaque token indépendamment avec probabilité 0,15) ; "
            "les cibles valent -100 hors des tokens sélectionnés",
            f"masquage_bert selects {100 * rate:.1f} % of the tokens over several grader seeds, it "
            "must select 15 % (each token independently with probability 0.15); the targets are "
            "-100 outside the selected tokens",
        )
    for tokens, entrees, cibles in runs:
        sel = cibles != -100
        if (cibles[sel] != tokens[sel]).any() or (entrees[~sel] != tokens[~sel]).any():
            raise CheckFailed(
                "masquage_bert : les cibles doivent valoir le token d'origine aux positions "
                "sélectionnées, et les entrées non sélectionnées rester inchangées",
                "masquage_bert: the targets must hold the original token at the selected "
                "positions, and the unselected inputs must stay unchanged",
            )
    # Each token independently: the number selected varies from one draw to the next. A
    # fixed count round(0.15 · N) (randperm(N)[:k]) in every draw is not the statement's draw.
    counts = [int((c != -100).sum()) for _, _, c in runs]
    fixed = [(int(np.floor(0.15 * c.size)), int(np.ceil(0.15 * c.size))) for _, _, c in runs]
    if all(lo <= k <= hi for k, (lo, hi) in zip(counts, fixed, strict=True)):
        raise CheckFailed(
            "masquage_bert sélectionne exactement 15 % des tokens à chaque tirage : chaque token "
            "doit être sélectionné INDÉPENDAMMENT avec probabilité 0,15 (torch.rand(tokens.shape, "
            "generator=g) < 0.15), le nombre de tokens sélectionnés varie donc d'un tirage à "
            "l'autre",
            "masquage_bert selects exactly 15 % of the tokens in every draw: each token must be "
            "selected INDEPENDENTLY with probability 0.15 (torch.rand(tokens.shape, generator=g) "
            "< 0.15), so the number of selected tokens varies from one draw to the next",
        )
    masks = {np.packbits(c != -100).tobytes() for _, _, c in runs}
    if len(masks) < len(runs):
        raise CheckFailed(
            "masquage_bert donne la même sélection pour des graines différentes : tirez avec "
            "torch.Generator().manual_seed(graine)",
            "masquage_bert gives the same selection for different seeds: draw with "
            "torch.Generator().manual_seed(graine)",
        )
    # The same seed must give the same masking (a grader seed drawn again, same tokens).
    tokens, entrees, cibles = runs[0]
    vocab, id_mask = params[0]
    graine = int(rng.choice(10**6))
    first = _bert_call(submission, tokens, id_mask, vocab, graine)
    again = _bert_call(submission, tokens, id_mask, vocab, graine)
    if not all(np.array_equal(a, b) for a, b in zip(first, again, strict=True)):
        raise CheckFailed(
            "masquage_bert appelé deux fois avec la même graine et les mêmes tokens donne deux "
            "masquages différents : tous les tirages doivent passer par "
            "torch.Generator().manual_seed(graine) (generator=g dans torch.rand et torch.randint)",
            "masquage_bert called twice with the same seed and tokens gives two different "
            "maskings: every draw must go through torch.Generator().manual_seed(graine) "
            "(generator=g in torch.rand and torch.randint)",
        )
    if _bert_modifies_tokens(submission, tokens, id_mask, vocab, graine):
        raise bert_inplace_error()
    _check_bert_contract(submission, tokens, id_mask, vocab, graine)


def _check_vocabulary_ends(submission, rng) -> None:
    """On an 8-token vocabulary whose tokens are 1 and 3 and whose [MASK] is 2, the ids 0 and 7
    can only come from the uniform draw: both ends must come up (each misses ~245 draws with
    probability (7/8)^245 < 1e-14 in a correct answer); randint(0, taille_vocab - 1) never
    draws the last one, randint(1, taille_vocab) never the first. The ids 4 to 6 are neither
    in the input nor an end: a draw among the input's tokens gives none of them, a range
    that only misses an end gives them, so the two hints each check their premise."""
    vocab, id_mask = 8, 2
    tokens = rng.choice([1, 3], size=(64, 256))
    entrees, cibles = _bert_call(submission, tokens, id_mask, vocab, int(rng.choice(10**6)))
    drawn = set(np.unique(entrees[cibles != -100]).tolist())
    missing = [v for v in (0, vocab - 1) if v not in drawn]
    if missing and drawn <= {1, 2, 3}:
        # Every id drawn is a token of the input or [MASK]: the "random" ids come from the
        # input itself (its tokens sampled, or shuffled), not from the whole vocabulary.
        raise CheckFailed(
            "masquage_bert ne tire ses tokens aléatoires que parmi les tokens de l'entrée "
            "(sur un petit vocabulaire du correcteur dont l'entrée n'utilise que quelques "
            "identifiants, aucun autre identifiant n'apparaît) : le token aléatoire se tire "
            "uniformément dans TOUT le vocabulaire {0, …, taille_vocab − 1}, "
            "torch.randint(0, taille_vocab, tokens.shape, generator=g), pas parmi les tokens "
            "présents",
            "masquage_bert only draws its random tokens among the tokens of the input (on a "
            "small grader vocabulary whose input uses only a few ids, no other id appears): the "
            "random token is drawn uniformly from the WHOLE vocabulary {0, …, taille_vocab − 1}, "
            "torch.randint(0, taille_vocab, tokens.shape, generator=g), not among the tokens "
            "present",
        )
    if missing:
        which_fr = "le dernier identifiant (taille_vocab − 1)" if missing == [vocab - 1] else (
            "l'identifiant 0" if missing == [0] else "ni 0 ni taille_vocab − 1")
        which_en = "the last id (taille_vocab − 1)" if missing == [vocab - 1] else (
            "id 0" if missing == [0] else "neither 0 nor taille_vocab − 1")
        raise CheckFailed(
            f"masquage_bert ne tire jamais {which_fr} parmi les tokens aléatoires, sur un petit "
            "vocabulaire du correcteur et de nombreux tokens : le tirage doit couvrir tout "
            "{0, …, taille_vocab − 1} ; torch.randint(0, taille_vocab, ...) exclut déjà sa borne "
            "haute (pas taille_vocab − 1) et commence à 0",
            f"masquage_bert never draws {which_en} among the random tokens, on a small grader "
            "vocabulary and many tokens: the draw must cover all of {0, …, taille_vocab − 1}; "
            "torch.randint(0, taille_vocab, ...) already excludes its upper bound (not "
            "taille_vocab − 1) and starts at 0",
        )


@pytest.mark.item("bert_mask", points=1)
def test_bert_replacement_split(submission, rng):
    _named_if_in_place(submission, rng, lambda: _check_bert_split(submission, rng))


def _check_bert_split(submission, rng) -> None:
    runs, params = _bert_runs(submission, rng)
    # Inputs replaced ([MASK] or a random token) where the target is -100: the split is done,
    # but the target was kept at only part of the selected positions (at the [MASK] ones, say).
    if any(((e != t) & (c == -100)).any() for t, e, c in runs):
        raise CheckFailed(
            "masquage_bert remplace des tokens (par [MASK] ou par un token aléatoire) à des "
            "positions dont la cible vaut -100 : la cible vaut le token d'origine à TOUTES les "
            "positions sélectionnées, qu'elles reçoivent [MASK], un token aléatoire ou restent "
            "inchangées (cibles = torch.where(selection, tokens, -100), calculé depuis la "
            "sélection, pas depuis les positions remplacées par [MASK])",
            "masquage_bert replaces tokens (with [MASK] or a random token) at positions whose "
            "target is -100: the target is the original token at EVERY selected position, "
            "whether it gets [MASK], a random token or stays unchanged (cibles = "
            "torch.where(selection, tokens, -100), computed from the selection, not from the "
            "positions replaced with [MASK])",
        )
    _check_rows_split_independently(submission, rng)
    sel_in = np.concatenate([e[c != -100] for _, e, c in runs])
    sel_tok = np.concatenate([t[c != -100] for t, _, c in runs])
    sel_mask = np.concatenate([e[c != -100] == m for (_, e, c), (_, m) in zip(runs, params, strict=True)])
    if sel_in.size < 500:
        raise CheckFailed(
            "masquage_bert sélectionne trop peu de tokens pour mesurer la répartition 80/10/10",
            "masquage_bert selects too few tokens to measure the 80/10/10 split",
        )
    masked = sel_mask.mean()
    unchanged = (sel_in == sel_tok).mean()
    random_ = 1 - masked - unchanged
    record_margin(
        "deviation of the [MASK] share of selected tokens from 0.8",
        abs(masked - 0.8),
        0.04,
        higher_is_better=False,
    )
    record_margin(
        "deviation of the unchanged share of selected tokens from 0.1",
        abs(unchanged - 0.1),
        0.03,
        higher_is_better=False,
    )
    record_margin(
        "deviation of the random share of selected tokens from 0.1",
        abs(random_ - 0.1),
        0.03,
        higher_is_better=False,
    )
    ok = abs(masked - 0.8) <= 0.04 and abs(unchanged - 0.1) <= 0.03 and abs(random_ - 0.1) <= 0.03
    if ok:
        out_of_range = any(
            e[c != -100].min(initial=0) < 0 or e[c != -100].max(initial=0) >= v
            for (_, e, c), (v, _) in zip(runs, params, strict=True)
        )
        # One uniform draw per replaced token: a single random token reused for every
        # "random" position is not the statement's draw.
        for (t, e, c), (_v, m) in zip(runs, params, strict=True):
            rnd = e[(c != -100) & (e != t) & (e != m)]
            if rnd.size >= 8 and len(np.unique(rnd)) == 1:
                raise CheckFailed(
                    "masquage_bert remplace toutes les positions « aléatoires » par le MÊME token : "
                    "tirez un token uniforme pour chaque position remplacée (torch.randint(0, "
                    "taille_vocab, tokens.shape, generator=g), puis prenez-en les positions voulues)",
                    'masquage_bert replaces every "random" position with the SAME token: draw '
                    "a uniform token for each replaced position (torch.randint(0, taille_vocab, "
                    "tokens.shape, generator=g), then take the positions needed)",
                )
        if out_of_range:
            raise CheckFailed(
                "masquage_bert : les tokens aléatoires doivent être tirés dans {0, …, taille_vocab − 1}, "
                "avec l'argument taille_vocab (le correcteur fait varier sa valeur)",
                "masquage_bert: random tokens must be drawn from {0, …, taille_vocab − 1}",
            )
        _check_vocabulary_ends(submission, rng)
        return
    if unchanged < 0.03 and abs(masked - 8 / 9) <= 0.04 and abs(random_ - 1 / 9) <= 0.03:
        # 80/10 of the selection seen, the 10 % left unchanged missing: they were selected
        # (the selection is read from the targets) but given the target -100.
        raise CheckFailed(
            "masquage_bert : les tokens sélectionnés puis laissés inchangés (les 10 %) ont la "
            "cible -100 : la cible vaut le token d'origine à TOUTES les positions sélectionnées, "
            "celles laissées inchangées comprises (cibles = torch.where(selection, tokens, -100)) ; "
            f"parmi les positions qui ont une cible : {100 * masked:.0f} % [MASK], "
            f"{100 * random_:.0f} % aléatoires, {100 * unchanged:.0f} % inchangés",
            "masquage_bert: the tokens selected then left unchanged (the 10 %) have the target "
            "-100: the target is the original token at EVERY selected position, those left "
            "unchanged included (cibles = torch.where(selection, tokens, -100)); among the "
            f"positions with a target: {100 * masked:.0f} % [MASK], {100 * random_:.0f} % random, "
            f"{100 * unchanged:.0f} % unchanged",
        )
    fr = (
        f"parmi les tokens sélectionnés : {100 * masked:.0f} % [MASK], {100 * random_:.0f} % "
        f"aléatoires, {100 * unchanged:.0f} % inchangés ; il faut 80 % [MASK], 10 % aléatoires, "
        "10 % inchangés"
    )
    en = (
        f"among the selected tokens: {100 * masked:.0f} % [MASK], {100 * random_:.0f} % random, "
        f"{100 * unchanged:.0f} % unchanged; it must be 80 % [MASK], 10 % random, 10 % unchanged"
    )
    if masked > 0.95:
        fr += " : vous remplacez tous les tokens sélectionnés par [MASK]"
        en += ": you replace every selected token with [MASK]"
    raise CheckFailed(f"masquage_bert : {fr}", f"masquage_bert: {en}")


# ---------------------------------------------------------------- GNN


def _graph(rng, n: int, directed: bool = False) -> np.ndarray:
    if directed:  # A_ij = 1: j sends to i; the row of i lists its neighbours
        A = (rng.random((n, n)) < 0.35).astype(float)
        np.fill_diagonal(A, 0)
    else:
        A = np.triu((rng.random((n, n)) < 0.35).astype(float), 1)
        A = A + A.T
    A[0] = 0  # an isolated node: the mean must not divide by zero
    A[:, 0] = 0
    return A


def _gnn_ref(X, A, W1, W2, agregation):
    M = A @ X
    if agregation == "moyenne":
        M = M / np.maximum(A.sum(axis=1, keepdims=True), 1)
    return np.maximum(X @ W1 + M @ W2, 0)


def _gnn_variants(X, A, W1, W2, agregation):
    """Layers with one known fault each and the (French, English) words naming it: a student
    output equal to one of them on the grader's random graph and weights is told which."""
    deg = np.maximum(A.sum(axis=1, keepdims=True), 1)
    M = A @ X / deg if agregation == "moyenne" else A @ X
    out = [
        (X @ W1 + M @ W2, "la ReLU manque : H = ReLU(X W_soi + M W_voisins)",
         "the ReLU is missing: H = ReLU(X W_soi + M W_voisins)"),
        (X @ W1 + np.maximum(M @ W2, 0), "la ReLU ne s'applique qu'au terme des voisins : elle "
         "s'applique à la SOMME, H = ReLU(X W_soi + M W_voisins)", "the ReLU is only applied to "
         "the neighbours' term: it applies to the SUM, H = ReLU(X W_soi + M W_voisins)"),
    ]
    loops = A + np.eye(len(A))
    for Ml in (loops @ X, loops @ X / deg, loops @ X / loops.sum(axis=1, keepdims=True)):
        out.append((np.maximum(X @ W1 + (Ml if agregation == "moyenne" else loops @ X) @ W2, 0),
                    "vous ajoutez une boucle sur soi (A + I) : le nœud lui-même passe déjà par "
                    "X W_soi, l'agrégation ne porte que sur les voisins, M = A X",
                    "you add a self-loop (A + I): the node itself already goes through X W_soi, "
                    "the aggregation covers the neighbours only, M = A X"))
    if np.diag(A).any():  # the grader's graphs carry a self-loop (test_gnn_values)
        A0 = A * (1 - np.eye(len(A)))
        M0 = A0 @ X
        for Md in ((M0 / np.maximum(A0.sum(axis=1, keepdims=True), 1), M0 / deg)
                   if agregation == "moyenne" else (M0,)):
            out.append((np.maximum(X @ W1 + Md @ W2, 0),
                        "vous retirez les boucles de A (sa diagonale) : quand A_ii = 1, le nœud i "
                        "est listé parmi ses propres voisins et compte dans M = A X comme dans "
                        "deg i = Σ_j A_ij ; l'énoncé applique la formule à A telle qu'elle est "
                        "donnée, sans la modifier",
                        "you remove the self-loops of A (its diagonal): when A_ii = 1, node i is "
                        "listed among its own neighbours and counts in M = A X as in "
                        "deg i = Σ_j A_ij; the statement applies the formula to A as it is "
                        "given, without changing it"))
    if agregation == "somme":
        out.append((np.maximum(X @ W1 + (A @ X / deg) @ W2, 0), "vous calculez la moyenne même "
                    "quand agregation vaut \"somme\" : lisez l'argument agregation",
                    "you compute the mean even when agregation is \"somme\": read the "
                    "agregation argument"))
    else:
        out.append((np.maximum(X @ W1 + (A @ X) @ W2, 0), "vous calculez la somme quand "
                    "agregation vaut \"moyenne\" : divisez A X par max(1, deg i)",
                    "you compute the sum when agregation is \"moyenne\": divide A X by "
                    "max(1, deg i)"))
        # Blind r20/r22: the GCN habit of dividing by deg + 1 (the node counted among its
        # neighbours) without adding the self-loop to A X.
        out.append((np.maximum(X @ W1 + (A @ X / (A.sum(axis=1, keepdims=True) + 1)) @ W2, 0),
                    "vous divisez A X par deg i + 1 (l'habitude du GCN, qui compte le nœud "
                    "parmi ses propres voisins) : ici le nœud passe déjà par X W_soi, et "
                    "l'énoncé divise par max(1, deg i), deg i = Σ_j A_ij "
                    "(A.sum(dim=1, keepdim=True).clamp(min=1)), sans + 1",
                    "you divide A X by deg i + 1 (the GCN habit, which counts the node among "
                    "its own neighbours): here the node already goes through X W_soi, and the "
                    "statement divides by max(1, deg i), deg i = Σ_j A_ij "
                    "(A.sum(dim=1, keepdim=True).clamp(min=1)), without + 1"))
        mean_deg = max(float(A.sum(axis=1).mean()), 1.0)
        out.append((np.maximum(X @ W1 + (A @ X / mean_deg) @ W2, 0), "vous divisez par UN degré "
                    "pour tout le graphe (la moyenne des degrés) : chaque nœud i divise par son "
                    "propre degré, deg i = Σ_j A_ij (A.sum(dim=1, keepdim=True))",
                    "you divide by ONE degree for the whole graph (the mean degree): each node i "
                    "divides by its own degree, deg i = Σ_j A_ij (A.sum(dim=1, keepdim=True))"))
    return out


def _gnn_case(rng, directed: bool = False):
    n, d, h = int(rng.integers(6, 11)), int(rng.integers(3, 7)), int(rng.integers(2, 6))
    return (_graph(rng, n, directed), rng.normal(size=(n, d)), rng.normal(size=(d, h)),
            rng.normal(size=(d, h)))


def _dense_graph(rng, n: int, directed: bool) -> np.ndarray:
    """A graph for the mean: node 0 isolated (max(1, deg)), the others of mean degree at
    least 2 and of different degrees, drawn on purpose: on a sparse graph (mean degree ≤ 1)
    dividing by one degree for the whole graph, clamped at 1, leaves the sum unchanged."""
    while True:
        if directed:
            A = (rng.random((n, n)) < 0.6).astype(float)
            np.fill_diagonal(A, 0)
        else:
            A = np.triu((rng.random((n, n)) < 0.6).astype(float), 1)
            A = A + A.T
        A[0] = 0
        A[:, 0] = 0
        deg = A.sum(axis=1)
        if deg.mean() >= 2 and len(set(deg[1:].tolist())) > 1:
            return A


def _gnn_mean_case(rng, directed: bool):
    n, d, h = int(rng.integers(7, 12)), int(rng.integers(3, 7)), int(rng.integers(2, 6))
    return (_dense_graph(rng, n, directed), rng.normal(size=(n, d)), rng.normal(size=(d, h)),
            rng.normal(size=(d, h)))


def _gnn(submission, X, A, W1, W2, agregation):
    got = call(submission, "couche_gnn", Tensor(X), Tensor(A), Tensor(W1), Tensor(W2), agregation)
    got = as_array(got, "couche_gnn", shape=(X.shape[0], W1.shape[1]), allow_nan=True)
    if np.isfinite(got).all():
        return got
    if agregation == "moyenne" and (A.sum(axis=1) == 0).any():
        # The graphs have an isolated node (deg 0): 0 / 0 without max(1, deg).
        raise CheckFailed(
            "couche_gnn (moyenne) renvoie des valeurs non finies (NaN ou inf) sur un graphe qui "
            "a un nœud isolé : son degré est 0, et A X / deg y fait 0 / 0 ; divisez par "
            "max(1, deg i), comme dans l'énoncé : A.sum(dim=1, keepdim=True).clamp(min=1)",
            "couche_gnn (mean) returns non-finite values (NaN or inf) on a graph with an "
            "isolated node: its degree is 0, and A X / deg gives 0 / 0 there; divide by "
            "max(1, deg i), as in the statement: A.sum(dim=1, keepdim=True).clamp(min=1)",
        )
    raise CheckFailed(
        f"couche_gnn ({agregation}) renvoie des valeurs non finies (NaN ou inf)",
        f"couche_gnn ({agregation}) returns non-finite values (NaN or inf)",
    )


@pytest.mark.item("gnn", points=0.5)
def test_gnn_values(submission, rng):
    # Symmetric graphs, then directed ones (A_ij ≠ A_ji): only these tell rows from columns.
    for directed, agregation in ((False, "somme"), (False, "moyenne"), (True, "somme"),
                                 (True, "moyenne")):
        A, X, W1, W2 = (_gnn_mean_case(rng, directed) if agregation == "moyenne"
                        else _gnn_case(rng, directed))
        # A self-loop at every draw: the statement's M = A X and deg i = Σ_j A_ij hold for
        # any A, a node listed as its own neighbour (A_ii = 1) included; a layer that drops
        # the diagonal of A agrees with the formula on loop-free graphs only (blind r20).
        # Node 0 stays isolated (the mean's max(1, deg)).
        loop = int(rng.integers(1, len(A)))
        A[loop, loop] = 1.0
        got = _gnn(submission, X, A, W1, W2, agregation)
        if directed and not np.allclose(got, _gnn_ref(X, A, W1, W2, agregation), rtol=1e-4,
                                        atol=1e-6):
            # Aᵀ X or degrees summed over the columns: the same on every symmetric graph.
            at = np.maximum(X @ W1 + (A.T @ X) @ W2, 0)
            col_deg = np.maximum(
                X @ W1 + (A @ X) / np.maximum(A.sum(axis=0)[:, None], 1) @ W2, 0
            )
            cands = [_gnn_ref(X, A.T, W1, W2, agregation), col_deg, at]
            if any(np.allclose(got, c, rtol=1e-4, atol=1e-6) for c in cands):
                raise CheckFailed(
                    f"couche_gnn ({agregation}) sur un graphe orienté (A non symétrique) : vous "
                    "agrégez sur les colonnes de A (Aᵀ X, ou le degré A.sum(dim=0)) ; le nœud i "
                    "reçoit de ses voisins j tels que A_ij = 1 : M_i = Σ_j A_ij X_j et "
                    "deg i = Σ_j A_ij, la somme sur la LIGNE i (A.sum(dim=1))",
                    f"couche_gnn ({agregation}) on a directed graph (A not symmetric): you "
                    "aggregate over the columns of A (Aᵀ X, or the degree A.sum(dim=0)); node i "
                    "receives from the neighbours j with A_ij = 1: M_i = Σ_j A_ij X_j and "
                    "deg i = Σ_j A_ij, the sum over ROW i (A.sum(dim=1))",
                )
        ref = _gnn_ref(X, A, W1, W2, agregation)
        for variant, fr, en in _gnn_variants(X, A, W1, W2, agregation):
            if not np.allclose(got, ref, rtol=1e-4, atol=1e-6) and np.allclose(
                    got, variant, rtol=1e-4, atol=1e-6):
                raise CheckFailed(f"couche_gnn ({agregation}) : {fr}", f"couche_gnn ({agregation}): {en}")
        assert_close(
            got,
            _gnn_ref(X, A, W1, W2, agregation),
            name=f"couche_gnn ({agregation})",
            rtol=1e-4,
            atol=1e-6,
            hint_fr="H = ReLU(X W_soi + M W_voisins) avec M = A X (somme) ou A X / max(1, deg) (moyenne)",
            hint_en="H = ReLU(X W_soi + M W_voisins) with M = A X (sum) or A X / max(1, deg) (mean)",
        )
    for agregation in ("somme", "moyenne"):
        A, X, W1, W2 = _gnn_case(rng, directed=True)
        assert_arguments_untouched(
            submission, "couche_gnn", (Tensor(X), Tensor(A), Tensor(W1), Tensor(W2), agregation),
            {0: "X", 1: "A", 2: "W_soi", 3: "W_voisins"},
            hint_fr="calculez M = A @ X puis M = M / deg dans de nouveaux tenseurs, sans opération "
            "en place (/=, +=, .fill_diagonal_()) sur X, A ou les poids : un GNN réutilise A à "
            "chaque couche et à chaque époque",
            hint_en="compute M = A @ X then M = M / deg into new tensors, without in-place "
            "operations (/=, +=, .fill_diagonal_()) on X, A or the weights: a GNN reuses A at "
            "every layer and every epoch",
        )


@pytest.mark.item("gnn", points=0.75)
def test_gnn_is_permutation_equivariant(submission, rng):
    for agregation in ("somme", "moyenne"):
        A, X, W1, W2 = _gnn_case(rng)
        H = _gnn(submission, X, A, W1, W2, agregation)
        for _ in range(2):
            p = rng.permutation(len(X))
            Hp = _gnn(submission, X[p], A[p][:, p], W1, W2, agregation)
            err = np.abs(Hp - H[p]).max()
            record_margin(f"permutation-equivariance gap of couche_gnn ({agregation})", err,
                          1e-6 * (1 + np.abs(H).max()), higher_is_better=False, kind="tolerance")
            if err > 1e-6 * (1 + np.abs(H).max()):
                raise CheckFailed(
                    f"couche_gnn ({agregation}) n'est pas équivariante par permutation : après une "
                    f"renumérotation des nœuds, f(PX, PAPᵀ) ≠ P f(X, A) (écart {fmt_order(err)}) ; les "
                    "voisins doivent venir de A seule, jamais de l'ordre des indices des nœuds",
                    f"couche_gnn ({agregation}) is not permutation-equivariant: after relabelling "
                    f"the nodes, f(PX, PAPᵀ) ≠ P f(X, A) (gap {fmt_order(err)}); neighbours must come "
                    "from A only, never from the order of the node indices",
                )


# Trusted kernel-side helper: the gradients of Σ R ⊙ couche_gnn(X, A, W_soi, W_voisins)
# with respect to X, W_soi and W_voisins (None where the result carries no graph).
@kernel_side
def gnn_gradients(couche_gnn, X, A, W_soi, W_voisins, R, agregation):
    """The student's couche_gnn on fresh leaves X, W_soi, W_voisins: its value H and the
    gradients of Σ R ⊙ H in each leaf (None when H carries no graph)."""
    import torch

    feuilles = [t.detach().clone().requires_grad_(True) for t in (X, W_soi, W_voisins)]
    H = couche_gnn(feuilles[0], A, feuilles[1], feuilles[2], agregation)
    if not isinstance(H, torch.Tensor) or not H.requires_grad:
        return {"H": H, "grads": None}
    (H * R.to(H.dtype)).sum().backward()
    return {"H": H.detach(), "grads": [torch.zeros_like(t) if t.grad is None else t.grad for t in feuilles]}


@pytest.mark.item("gnn", points=0.25)
def test_gnn_gradient_reaches_inputs_and_weights(submission, rng):
    """The GNN trains through couche_gnn: the gradient must reach X (the previous layer's
    output), W_soi and W_voisins, through the messages M as well as the node itself."""
    names = ("X", "W_soi", "W_voisins")
    for agregation in ("somme", "moyenne"):
        A, X, W1, W2 = _gnn_case(rng, directed=True)
        R = rng.normal(size=(X.shape[0], W1.shape[1]))
        leaves = [torch.tensor(t, requires_grad=True) for t in (X, W1, W2)]
        A_t = torch.tensor(A)
        M = A_t @ leaves[0]
        if agregation == "moyenne":
            M = M / A_t.sum(dim=1, keepdim=True).clamp(min=1)
        (torch.relu(leaves[0] @ leaves[1] + M @ leaves[2]) * torch.tensor(R)).sum().backward()
        # Errors named as they always were (the helper's former kernel name).
        out = call_kernel_side(submission, gnn_gradients, "_tp07_gradients_gnn", Ref("couche_gnn"),
                               Tensor(X), Tensor(A), Tensor(W1), Tensor(W2), Tensor(R), agregation)
        value = as_array(out["H"], "couche_gnn", allow_nan=True)
        if value.shape != (X.shape[0], W1.shape[1]) or not np.allclose(
            value, _gnn_ref(X, A, W1, W2, agregation), rtol=1e-4, atol=1e-6
        ):
            return  # a wrong value: test_gnn_values says so, the gradient is judged on right values only
        got = out["grads"]
        if got is None:
            raise CheckFailed(
                f"couche_gnn ({agregation}) renvoie un résultat sans gradient quand X, W_soi et "
                "W_voisins en demandent un (un .detach(), .numpy() ou torch.tensor(...) dans le "
                "calcul) : le GNN s'entraîne à travers cette couche",
                f"couche_gnn ({agregation}) returns a result without a gradient when X, W_soi and "
                "W_voisins require one (a .detach(), .numpy() or torch.tensor(...) in the "
                "computation): the GNN trains through this layer",
            )
        bad = [
            name for name, g, leaf in zip(names, got, leaves, strict=True)
            if not np.allclose(as_array(g, f"gradient par rapport à {name}", shape=leaf.shape),
                               leaf.grad.numpy(), rtol=1e-4, atol=1e-6)
        ]
        if bad:
            raise CheckFailed(
                f"couche_gnn ({agregation}) : le gradient par rapport à {', '.join(bad)} n'est pas "
                "celui de ReLU(X W_soi + M W_voisins) ; une partie du calcul est détachée du "
                "graphe (.detach() sur M = A X, ou des valeurs recopiées) : le gradient doit "
                "passer par les messages des voisins comme par le nœud lui-même",
                f"couche_gnn ({agregation}): the gradient with respect to {', '.join(bad)} is not "
                "that of ReLU(X W_soi + M W_voisins); part of the computation is detached from the "
                "graph (.detach() on M = A X, or copied values): the gradient must flow through "
                "the neighbours' messages as through the node itself",
            )
