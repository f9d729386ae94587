"""Vérifications publiques du TP06 : formes et comportement de base.

These checks are shipped to students: they test shapes, ranges and simple relations only.
The hidden checks compare the values with PyTorch's modules (or the course's formula) on
grader-chosen random weights and inputs.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import CheckFailed, as_array, as_int
from autograder.proxy import Tensor


def _t(rng, *shape, scale=1.0):
    return Tensor(rng.normal(size=shape) * scale)


@pytest.mark.item("rnn_cell")
@pytest.mark.points(0.5)
def test_cellule_rnn_shape_and_range(submission, rng):
    N, d, H = 3, 4, 5
    got = submission.call(
        "cellule_rnn", _t(rng, N, d), _t(rng, N, H), _t(rng, H, d), _t(rng, H, H), _t(rng, H)
    )
    h = as_array(got, "cellule_rnn(...)", shape=(N, H))
    if np.abs(h).max() >= 1:
        raise CheckFailed(
            "les valeurs de h_t doivent être dans ]−1, 1[ : appliquez tanh",
            "the values of h_t must lie in ]−1, 1[: apply tanh",
        )


@pytest.mark.item("rnn_sequence")
@pytest.mark.points(0.5)
def test_rnn_sequence_shape(submission, rng):
    T, N, d, H = 4, 2, 3, 5
    got = submission.call(
        "rnn_sequence", _t(rng, T, N, d), _t(rng, N, H), _t(rng, H, d), _t(rng, H, H), _t(rng, H)
    )
    as_array(got, "rnn_sequence(...) (les états h_1..h_T)", shape=(T, N, H))


@pytest.mark.item("lstm_cell")
@pytest.mark.points(0.5)
def test_cellule_lstm_shapes(submission, rng):
    N, d, H = 2, 3, 4
    got = submission.call(
        "cellule_lstm",
        _t(rng, N, d),
        _t(rng, N, H),
        _t(rng, N, H),
        _t(rng, 4 * H, d),
        _t(rng, 4 * H, H),
        _t(rng, 4 * H),
        _t(rng, 4 * H),
    )
    if not isinstance(got, (list, tuple)) or len(got) != 2:
        raise CheckFailed(
            "cellule_lstm doit renvoyer le couple (h_t, c_t)",
            "cellule_lstm must return the pair (h_t, c_t)",
        )
    h = as_array(got[0], "h_t", shape=(N, H))
    as_array(got[1], "c_t", shape=(N, H))
    if np.abs(h).max() >= 1:
        raise CheckFailed(
            "h_t = o_t ⊙ tanh(c_t) doit être dans ]−1, 1[",
            "h_t = o_t ⊙ tanh(c_t) must lie in ]−1, 1[",
        )


@pytest.mark.item("gru_cell")
@pytest.mark.points(0.5)
def test_cellule_gru_shape(submission, rng):
    N, d, H = 2, 3, 4
    p = {}
    for g in "zrh":
        p[f"W_x{g}"] = _t(rng, H, d)
        p[f"W_h{g}" if g != "h" else "W_hh"] = _t(rng, H, H)
        p[f"b_{g}"] = _t(rng, H)
    got = submission.call("cellule_gru", _t(rng, N, d), _t(rng, N, H), p)
    as_array(got, "cellule_gru(...)", shape=(N, H))


@pytest.mark.item("param_counts")
@pytest.mark.points(0.5)
def test_param_counts_relations(submission):
    for d, H in [(1, 50), (10, 32)]:
        rnn = as_int(submission.call("nb_params_rnn", d, H), f"nb_params_rnn({d}, {H})")
        lstm = as_int(submission.call("nb_params_lstm", d, H), f"nb_params_lstm({d}, {H})")
        gru = as_int(submission.call("nb_params_gru", d, H), f"nb_params_gru({d}, {H})")
        if rnn <= 0 or lstm != 4 * rnn or gru != 3 * rnn:
            raise CheckFailed(
                f"pour d={d}, H={H} : RNN {rnn}, LSTM {lstm}, GRU {gru} ; le LSTM a 4 blocs "
                "et le GRU 3 blocs de la taille de celui du RNN",
                f"for d={d}, H={H}: RNN {rnn}, LSTM {lstm}, GRU {gru}; the LSTM has 4 blocks "
                "and the GRU 3 blocks the size of the RNN's",
            )


@pytest.mark.item("bptt")
@pytest.mark.points(0.5)
def test_normes_gradient_shape(submission, rng):
    T, N, d, H = 6, 2, 3, 4
    got = submission.call(
        "normes_gradient_h0",
        _t(rng, T, N, d),
        _t(rng, N, H),
        _t(rng, H, d),
        _t(rng, H, H, scale=0.3),
        _t(rng, H),
    )
    normes = as_array(got, "normes_gradient_h0(...)", shape=(T,))
    if (normes < 0).any():
        raise CheckFailed("une norme est positive ou nulle", "a norm is non-negative")


@pytest.mark.item("clip")
@pytest.mark.points(0.5)
def test_clipper_shapes_and_small_gradients(submission, rng):
    grads = [rng.normal(size=(3, 2)) * 1e-3, rng.normal(size=(4,)) * 1e-3]
    got = submission.call("clipper_gradients", [Tensor(g) for g in grads], 10.0)
    if not isinstance(got, (list, tuple)) or len(got) != len(grads):
        raise CheckFailed(
            "clipper_gradients doit renvoyer une liste de même longueur que grads",
            "clipper_gradients must return a list as long as grads",
        )
    for k, (g, ref) in enumerate(zip(got, grads, strict=True)):
        arr = as_array(g, f"grads[{k}]", shape=ref.shape)
        if not np.allclose(arr, ref, rtol=1e-4, atol=1e-12):
            raise CheckFailed(
                "des gradients de norme bien inférieure au seuil ne doivent pas être modifiés",
                "gradients whose norm is well below the threshold must be left unchanged",
            )
