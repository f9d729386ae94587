"""Vérifications publiques du TP07 : formes et comportement de base sur de petits exemples.

These checks are shipped to students: they test shapes and properties anyone can redo by
hand (a uniform attention when the queries are zero, the first row of the encoding, the
unselected tokens left unchanged...). The hidden checks test the same items on
grader-chosen random inputs against PyTorch and the formulas.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import CheckFailed, as_array, assert_close
from autograder.proxy import StudentError, Tensor


def _call(submission, name: str, *args, **kwargs):
    try:
        return submission.call(name, *args, **kwargs)
    except StudentError as exc:
        if exc.ename == "NotImplementedError":
            raise CheckFailed(
                f"`{name}` n'est pas encore implémentée (NotImplementedError) : complétez la cellule réponse",
                f"`{name}` is not implemented yet (NotImplementedError): fill in the answer cell",
            ) from None
        raise CheckFailed(
            f"`{name}` a levé {exc.ename} : {exc.evalue}",
            f"`{name}` raised {exc.ename}: {exc.evalue}",
        ) from None


@pytest.mark.item("attention")
@pytest.mark.points(1)
def test_attention_shape_and_uniform_weights(submission):
    # Q = 0: every score is 0, each query spreads its weight evenly over the 4 keys.
    Q = np.zeros((2, 3, 4))
    K = np.arange(32.0).reshape(2, 4, 4) / 10
    V = np.arange(16.0).reshape(2, 4, 2)
    got = as_array(
        _call(submission, "attention", Tensor(Q), Tensor(K), Tensor(V)),
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


@pytest.mark.item("mha")
@pytest.mark.points(1)
def test_mha_shape(submission):
    rng = np.random.default_rng(0)
    d, h = 6, 2
    x = rng.normal(size=(2, 5, d))
    out = _call(
        submission,
        "attention_multi_tetes",
        Tensor(x),
        Tensor(rng.normal(size=(3 * d, d))),
        Tensor(np.zeros(3 * d)),
        Tensor(rng.normal(size=(d, d))),
        Tensor(np.zeros(d)),
        h,
    )
    as_array(out, "attention_multi_tetes", shape=(2, 5, d))


@pytest.mark.item("posenc")
@pytest.mark.points(1)
def test_posenc_shape_and_first_rows(submission):
    pe = as_array(
        _call(submission, "encodage_positionnel", 5, 8), "encodage_positionnel", shape=(5, 8)
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


@pytest.mark.item("bert_mask")
@pytest.mark.points(1)
def test_bert_shapes_and_unselected_tokens(submission):
    tokens = np.random.default_rng(0).integers(5, 100, size=(8, 50))
    out = _call(submission, "masquage_bert", Tensor(tokens), 1, 100, 0)
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
        raise CheckFailed(
            "masquage_bert : hors sélection, l'entrée reste le token d'origine ; aux positions "
            "sélectionnées, la cible est le token d'origine",
            "masquage_bert: outside the selection, the input stays the original token; at the "
            "selected positions, the target is the original token",
        )


@pytest.mark.item("gnn")
@pytest.mark.points(1)
def test_gnn_shape_on_a_path_graph(submission):
    A = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float)
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    W = np.eye(2)
    got = as_array(
        _call(submission, "couche_gnn", Tensor(X), Tensor(A), Tensor(W), Tensor(W), "somme"),
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
