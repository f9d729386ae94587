"""Vérifications publiques du TP07 : formes et comportement de base sur de petits exemples.

These checks are shipped to students: they test shapes and properties anyone can redo by
hand (a uniform attention when the queries are zero, the first row of the encoding, the
unselected tokens left unchanged, a grader bigram model learning a periodic sequence...).
The hidden checks test the same items on grader-chosen random inputs against PyTorch and
the formulas, and measure the trainings themselves (node accuracy, bits per character).

Every call into `attention`, `attention_multi_tetes` and the Transformer goes through a
kernel-side guard that switches PyTorch's own attention off during the call.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import (
    CheckFailed,
    Ref,
    StudentError,
    Tensor,
    as_array,
    assert_close,
    assert_signature_defaults,
    with_references,
)

from .helpers import (
    GUARD,
    attention_dtype_fault,
    bert_inplace_error,
    bert_modifies_tokens,
    build_transformer,
    call,
    call_kernel_side,
    causal_mask_is_wrong,
    dependency_error,
    dependency_fault,
    fixed_length_fault,
    grader_bigram,
    guarded,
    mask_nan_error,
    model_logits,
    sbm,
    step_order_call,
    student_error,
)


@pytest.mark.item("attention", points=0.5)
def test_attention_shape_and_uniform_weights(submission):
    # Q = 0: every score is 0, each query spreads its weight evenly over the 4 keys.
    Q = np.zeros((2, 3, 4))
    K = np.arange(32.0).reshape(2, 4, 4) / 10
    V = np.arange(16.0).reshape(2, 4, 2)
    got = as_array(
        guarded(submission, "attention", Tensor(Q), Tensor(K), Tensor(V)),
        "attention",
        shape=(2, 3, 2),
    )
    assert_close(
        got,
        np.broadcast_to(V.mean(axis=1, keepdims=True), (2, 3, 2)),
        name="attention (Q = 0)",
        hint_fr="avec Q = 0 tous les scores sont nuls : chaque requête renvoie la moyenne des valeurs "
        "(softmax sur les clés, dernier axe)",
        hint_en="with Q = 0 every score is zero: each query returns the mean of the values "
        "(softmax over the keys, last axis)",
    )


@pytest.mark.item("mha", points=0.5)
def test_mha_shape(submission):
    rng = np.random.default_rng(0)
    d, h = 6, 2
    x = rng.normal(size=(2, 5, d))
    args = (Tensor(x), Tensor(rng.normal(size=(3 * d, d))), Tensor(np.zeros(3 * d)),
            Tensor(rng.normal(size=(d, d))), Tensor(np.zeros(d)), h)
    try:
        out = GUARD.call(submission, "attention_multi_tetes", *args)
    except StudentError as exc:
        fault = attention_dtype_fault(submission, exc) or dependency_error(
            submission, "attention_multi_tetes", exc, ("attention",))
        raise (fault or student_error("attention_multi_tetes", exc)) from None
    as_array(out, "attention_multi_tetes", shape=(2, 5, d))


@pytest.mark.item("posenc", points=0.5)
def test_posenc_shape_and_first_rows(submission):
    pe = as_array(
        call(submission, "encodage_positionnel", 5, 8), "encodage_positionnel", shape=(5, 8)
    )
    assert_close(
        pe[0],
        np.tile([0.0, 1.0], 4),
        name="encodage_positionnel(5, 8)[0]",
        atol=1e-6,
        hint_fr="en pos = 0 : sin(0) = 0 sur les colonnes paires, cos(0) = 1 sur les impaires",
        hint_en="at pos = 0: sin(0) = 0 on the even columns, cos(0) = 1 on the odd ones",
    )
    assert_close(
        pe[1, :2],
        [np.sin(1.0), np.cos(1.0)],
        name="encodage_positionnel(5, 8)[1, :2]",
        atol=1e-6,
        hint_fr="colonnes 0 et 1 : sin(pos) et cos(pos) (i = 0)",
        hint_en="columns 0 and 1: sin(pos) and cos(pos) (i = 0)",
    )


@pytest.mark.item("bert_mask", points=0.5)
def test_bert_shapes_and_unselected_tokens(submission):
    tokens = np.random.default_rng(0).integers(5, 100, size=(8, 50))
    out = call(submission, "masquage_bert", Tensor(tokens), 1, 100, 0)
    if not isinstance(out, (list, tuple)) or len(out) != 2:
        raise CheckFailed(
            "masquage_bert doit renvoyer le couple (entrees, cibles)",
            "masquage_bert must return the pair (entrees, cibles)",
        )
    entrees = as_array(out[0], "entrees", shape=tokens.shape, dtype=np.int64)
    cibles = as_array(out[1], "cibles", shape=tokens.shape, dtype=np.int64)
    sel = cibles != -100
    if not sel.any():
        raise CheckFailed(
            "masquage_bert ne sélectionne aucun token (toutes les cibles valent -100)",
            "masquage_bert selects no token (every target is -100)",
        )
    if (entrees[~sel] != tokens[~sel]).any() or (cibles[sel] != tokens[sel]).any():
        if bert_modifies_tokens(submission, tokens, 1, 100, 0):
            raise bert_inplace_error()
        raise CheckFailed(
            "masquage_bert : hors sélection, l'entrée reste le token d'origine ; aux positions "
            "sélectionnées, la cible est le token d'origine",
            "masquage_bert: outside the selection, the input stays the original token; at the "
            "selected positions, the target is the original token",
        )


@pytest.mark.item("gnn", points=0.5)
def test_gnn_shape_on_a_path_graph(submission):
    A = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float)
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    W = np.eye(2)
    got = as_array(
        call(submission, "couche_gnn", Tensor(X), Tensor(A), Tensor(W), Tensor(W), "somme"),
        "couche_gnn",
        shape=(3, 2),
    )
    assert_close(
        got,
        X + A @ X,
        name="couche_gnn (chemin 0 – 1 – 2, poids identité, somme)",
        hint_fr="H = ReLU(X W_soi + (A X) W_voisins)",
        hint_en="H = ReLU(X W_soi + (A X) W_voisins)",
    )
    # The statement's signature and docstring: couche_gnn(X, A, W_soi, W_voisins) sums.
    assert_signature_defaults(
        submission,
        "couche_gnn",
        {"agregation": "somme"},
        advice=(
            "gardez la signature donnée : sans l'argument agregation, couche_gnn fait la somme "
            "M = A X (« somme »), la moyenne seulement si on la demande",
            "keep the given signature: without the agregation argument, couche_gnn sums "
            "M = A X (\"somme\"), the mean only when asked for",
        ),
    )


# ---------------------------------------------------------------- GNN vs MLP

# The course's policy, in every TP: a default the notebook relies on is part of the answer.
# The notebook calls entrainer_gnn(X_g, A_g, idx_train, y, 3, graine=0) and entrainer_mlp(...)
# without n_epoques and lr: their defaults train the models it shows. (PetitTransformer's
# defaults are not read: every call passes d, n_tetes, n_couches and contexte.)
STATEMENT_DEFAULTS: dict[str, dict[str, float | int]] = {
    "entrainer_gnn": {"n_epoques": 200, "lr": 0.01},
    "entrainer_mlp": {"n_epoques": 200, "lr": 0.01},
}


@pytest.mark.item("gnn_train", points=0.5)
def test_gnn_and_mlp_training_return_logits_for_every_node(submission):
    rng = np.random.default_rng(0)
    n, c = 90, 3
    X, A, y = sbm(rng, n, c, 8)
    idx = np.sort(np.concatenate([np.flatnonzero(y == k)[:5] for k in range(c)]))
    y_idx = y[idx].astype(np.int64)
    calls = [
        ("entrainer_gnn", (Tensor(X), Tensor(A), Tensor(idx), Tensor(y_idx), c, 0)),
        ("entrainer_mlp", (Tensor(X), Tensor(idx), Tensor(y_idx), c, 0)),
    ]
    for name, args in calls:
        got = as_array(call(submission, name, *args, n_epoques=30), name)
        if got.shape != (n, c):
            raise CheckFailed(
                f"{name} sur un graphe de {n} nœuds et {c} classes renvoie un tableau de forme "
                f"{got.shape} : les logits ({n}, {c}) de TOUS les nœuds sont attendus (pas seulement "
                "ceux de idx_train)",
                f"{name} on a graph of {n} nodes and {c} classes returns an array of shape "
                f"{got.shape}: the ({n}, {c}) logits of ALL the nodes are expected (not only "
                "those of idx_train)",
            )
    for name, defaults in STATEMENT_DEFAULTS.items():
        assert_signature_defaults(submission, name, defaults)


# ---------------------------------------------------------------- character-level Transformer


@pytest.mark.item("transformer", points=0.5)
def test_transformer_output_shape(submission):
    vocab, contexte = 11, 12
    model = build_transformer(submission, "PetitTransformer(...)", 0, vocab, d=16, n_tetes=2,
                              n_couches=1, contexte=contexte)
    rng = np.random.default_rng(1)
    for length in (contexte, 5):
        X = rng.integers(0, vocab, size=(3, length))
        try:
            raw = GUARD.call(submission, "PetitTransformer", model, Tensor(X),
                             via=model_logits.install(submission).name)
        except StudentError as exc:
            blamed = dependency_error(submission, "PetitTransformer", exc,
                                      ("attention", "attention_multi_tetes"))
            if blamed is not None:
                raise blamed from None
            if (fixed := fixed_length_fault(submission)) is not None:
                raise fixed from None
            if length < contexte and exc.ename not in ("NotImplementedError", "NameError") and (
                "TP07_" not in exc.evalue  # the grader's own markers (an output's shape)
            ):
                # The full context worked: something is sized by contexte, not by T.
                raise CheckFailed(
                    f"PetitTransformer(11, d=16, n_tetes=2, n_couches=1, contexte=12) marche sur "
                    f"des indices (3, 12) mais lève {exc.ename} sur des indices (3, {length}) : "
                    "le modèle doit accepter toute longueur T ≤ contexte ; prenez T = "
                    "idx.shape[1], les positions torch.arange(T) (pas arange(contexte)) et un "
                    "masque causal (T, T)",
                    f"PetitTransformer(11, d=16, n_tetes=2, n_couches=1, contexte=12) works on "
                    f"indices (3, 12) but raises {exc.ename} on indices (3, {length}): the model "
                    "must accept any length T ≤ contexte; take T = idx.shape[1], the positions "
                    "torch.arange(T) (not arange(contexte)) and a (T, T) causal mask",
                ) from None
            raise student_error("PetitTransformer", exc) from None
        label = "PetitTransformer(taille_vocab=11, d=16, n_tetes=2, n_couches=1, contexte=12)(idx)"
        got = as_array(raw, label, allow_nan=True)
        if not np.isfinite(got).all():
            if causal_mask_is_wrong(submission, length):
                raise mask_nan_error(label)
            fault = dependency_fault(submission, ("attention", "attention_multi_tetes"))
            if fault is not None:
                raise CheckFailed(f"{label} donne des valeurs non finies (NaN ou inf) : {fault[0]}",
                                  f"{label} gives non-finite values (NaN or inf): {fault[1]}")
        got = as_array(got, label)
        if got.shape != (3, length, vocab):
            raise CheckFailed(
                f"PetitTransformer(11, d=16, n_tetes=2, n_couches=1, contexte=12) appliqué à des "
                f"indices de forme (3, {length}) donne des logits de forme {got.shape}, "
                f"(3, {length}, 11) attendu : un logit par caractère du vocabulaire et par position",
                f"PetitTransformer(11, d=16, n_tetes=2, n_couches=1, contexte=12) applied to "
                f"indices of shape (3, {length}) gives logits of shape {got.shape}, (3, {length}, 11) "
                "expected: one logit per vocabulary character and per position",
            )


@pytest.mark.item("transformer_train", points=0.5)
def test_entrainer_transformer_learns_a_periodic_sequence(submission):
    """A grader bigram model (causal by construction) trained on 0 1 2 ... 6 0 1 2 ...

    After training, the character after k is k + 1 (mod 7): the model must predict it.
    """
    period = 7
    model = grader_bigram(submission, "public", 0, 7)
    data = np.arange(700) % period
    # Through step_order_call: a loop that steps between the forward pass and backward is
    # told as the order of a step, not as PyTorch's in-place error.
    try:
        losses = with_references(
            submission,
            {},
            "entrainer_transformer",
            Ref("entrainer_transformer"),
            model,
            Tensor(data),
            n_etapes=60,
            taille_lot=16,
            contexte=8,
            lr=0.05,
            graine=0,
            via=step_order_call.install(submission).name,
        )
    except StudentError as exc:
        raise student_error("entrainer_transformer", exc) from None
    losses = as_array(losses, "entrainer_transformer(...) (liste des pertes)", dtype=np.float64)
    if losses.shape != (60,):
        raise CheckFailed(
            f"entrainer_transformer(n_etapes=60) doit renvoyer la liste des 60 pertes, obtenu un "
            f"tableau de forme {losses.shape}",
            f"entrainer_transformer(n_etapes=60) must return the list of the 60 losses, got an "
            f"array of shape {losses.shape}",
        )
    logits = as_array(
        call_kernel_side(submission, model_logits, "_tp07_logits", model,
                         Tensor(np.arange(period)[None, :])),
        "logits du modèle bigramme",
        shape=(1, period, period),
    )[0]
    predicted = logits.argmax(axis=1)
    if (predicted == (np.arange(period) + 1) % period).all():
        return
    if (predicted == np.arange(period)).all():
        raise CheckFailed(
            "après entrainer_transformer sur la suite 0 1 2 … 6 0 1 …, le modèle prédit le "
            "caractère courant au lieu du suivant : la cible doit être décalée d'un cran, "
            "y = donnees[i + 1 : i + contexte + 1]",
            "after entrainer_transformer on the sequence 0 1 2 … 6 0 1 …, the model predicts the "
            "current character instead of the next one: the target must be shifted by one, "
            "y = donnees[i + 1 : i + contexte + 1]",
        )
    raise CheckFailed(
        "après entrainer_transformer sur la suite 0 1 2 … 6 0 1 … (60 étapes, lr = 0,05), un "
        "modèle bigramme du correcteur ne prédit pas le caractère suivant : vérifiez zero_grad, "
        "backward et step à chaque étape, sur modele.parameters(), et l'entropie croisée sur "
        "toutes les positions (logits (B·T, V) contre cibles (B·T,))",
        "after entrainer_transformer on the sequence 0 1 2 … 6 0 1 … (60 steps, lr = 0.05), a "
        "grader bigram model does not predict the next character: check zero_grad, backward "
        "and step at every step, on modele.parameters(), and the cross-entropy over every "
        "position (logits (B·T, V) against targets (B·T,))",
    )
