"""Vérifications publiques du TP06 : formes et comportement de base.

These checks are shipped to students: they test shapes, ranges and simple relations only.
The hidden checks compare the values with PyTorch's modules (or the course's formula) on
grader-chosen random weights and inputs.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import (
    CheckFailed,
    Handle,
    SubmissionError,
    Tensor,
    as_array,
    as_int,
    assert_signature_defaults,
    kernel_side,
    with_references,
)

from .helpers import inspect_model, outputs, pair, states, unrolling_not_from_leaf

# The defaults of the statement's signatures that the notebook relies on
# (entrainer_prevision(serie_app), entrainer_sequence(..., epochs=15)): docs/authoring.md.
STATEMENT_DEFAULTS: dict[str, dict[str, float | int]] = {
    "entrainer_sequence": {"epochs": 20, "lr": 0.01, "batch_size": 64, "seed": 0},
    "entrainer_prevision": {"L": 20, "H": 32, "epochs": 40, "lr": 0.005, "batch_size": 64, "seed": 0},
}


@kernel_side
def cellule_de_forme(x_t, h_prec, W_xh, W_hh, b_h):
    """A stand-in cellule_rnn of the right shape for the shape check of rnn_sequence: a bug of
    the student's cell costs the cell's points, not the sequence's."""
    import torch

    return torch.tanh(h_prec)


def _t(rng, *shape, scale=1.0):
    return Tensor(rng.normal(size=shape) * scale)


@pytest.mark.item("rnn_cell", points=0.5)
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


@pytest.mark.item("rnn_sequence", points=0.5)
def test_rnn_sequence_shape(submission, rng):
    T, N, d, H = 4, 2, 3, 5
    got = with_references(
        submission, {"cellule_rnn": cellule_de_forme},
        "rnn_sequence", _t(rng, T, N, d), _t(rng, N, H), _t(rng, H, d), _t(rng, H, H), _t(rng, H)
    )
    as_array(got, "rnn_sequence(...) (les états h_1..h_T)", shape=(T, N, H))


@pytest.mark.item("lstm_cell", points=0.5)
def test_cellule_lstm_shapes(submission, rng):
    N, d, H = 2, 3, 4
    shapes = ((N, d), (N, H), (N, H), (4 * H, d), (4 * H, H), (4 * H,), (4 * H,))
    got = submission.call("cellule_lstm", *(_t(rng, *s) for s in shapes))
    h, _ = states(got, "cellule_lstm", N, H)
    if np.abs(h).max() >= 1:
        raise CheckFailed(
            "h_t = o_t ⊙ tanh(c_t) doit être dans ]−1, 1[",
            "h_t = o_t ⊙ tanh(c_t) must lie in ]−1, 1[",
        )


@pytest.mark.item("lstm_peephole", points=0.5)
def test_cellule_lstm_peephole_without_peepholes_is_pytorch(submission, rng):
    """With W_cf = W_ci = W_co = 0, the course's cell is PyTorch's (blocks i, f, g=c̃, o)."""
    import torch

    N, d, H = 3, 2, 4
    cell = torch.nn.LSTMCell(d, H).double()
    W_ih, W_hh = cell.weight_ih.detach().chunk(4), cell.weight_hh.detach().chunk(4)
    b = (cell.bias_ih + cell.bias_hh).detach().chunk(4)
    p = {}
    for k, g in enumerate("ifco"):
        p[f"W_x{g}"], p[f"W_h{g}"], p[f"b_{g}"] = W_ih[k], W_hh[k], b[k]
        if g != "c":
            p[f"W_c{g}"] = torch.zeros(H, H, dtype=torch.float64)
    x, h, c = (torch.from_numpy(rng.normal(size=(N, n))) for n in (d, H, H))
    with torch.no_grad():
        h_ref, c_ref = (t.numpy() for t in cell(x, (h, c)))
    got = submission.call(
        "cellule_lstm_peephole",
        *(Tensor(t.numpy()) for t in (x, h, c)),
        {k: Tensor(v.numpy().copy()) for k, v in p.items()},
    )
    h_got, c_got = states(got, "cellule_lstm_peephole", N, H)
    if not (np.allclose(h_got, h_ref, atol=1e-6) and np.allclose(c_got, c_ref, atol=1e-6)):
        raise CheckFailed(
            "avec des peepholes nulles (W_cf = W_ci = W_co = 0), cellule_lstm_peephole doit "
            "redonner nn.LSTMCell : portes f, i, o sigmoïdes, candidat tanh, "
            "c_t = f ⊙ c_{t−1} + i ⊙ c̃_t, h_t = o ⊙ tanh(c_t)",
            "with zero peepholes (W_cf = W_ci = W_co = 0), cellule_lstm_peephole must give "
            "nn.LSTMCell's result: sigmoid gates f, i, o, tanh candidate, "
            "c_t = f ⊙ c_{t−1} + i ⊙ c̃_t, h_t = o ⊙ tanh(c_t)",
        )


@pytest.mark.item("gru_cell", points=0.5)
def test_cellule_gru_shape(submission, rng):
    N, d, H = 2, 3, 4
    p = {}
    for g in "zrh":
        p[f"W_x{g}"] = _t(rng, H, d)
        p[f"W_h{g}" if g != "h" else "W_hh"] = _t(rng, H, H)
        p[f"b_{g}"] = _t(rng, H)
    got = submission.call("cellule_gru", _t(rng, N, d), _t(rng, N, H), p)
    as_array(got, "cellule_gru(...)", shape=(N, H))


@pytest.mark.item("gru_pytorch", points=0.5)
def test_cellule_gru_pytorch_shape_and_update_gate(submission, rng):
    N, d, H = 2, 3, 4
    W_ih, W_hh = rng.normal(size=(3 * H, d)), rng.normal(size=(3 * H, H))
    b_ih, b_hh = rng.normal(size=3 * H), rng.normal(size=3 * H)
    x, h = rng.normal(size=(N, d)), rng.normal(size=(N, H))
    got = submission.call(
        "cellule_gru_pytorch", *(Tensor(a) for a in (x, h, W_ih, W_hh, b_ih, b_hh))
    )
    as_array(got, "cellule_gru_pytorch(...)", shape=(N, H))
    # A huge bias on z (rows H:2H): z_t ≈ 1 and the cell copies h_{t-1}.
    b_z = b_ih.copy()
    b_z[H : 2 * H] = 50.0
    got = submission.call(
        "cellule_gru_pytorch", *(Tensor(a) for a in (x, h, W_ih, W_hh, b_z, b_hh))
    )
    if not np.allclose(as_array(got, "cellule_gru_pytorch(...)", shape=(N, H)), h, atol=1e-6):
        raise CheckFailed(
            "avec un très grand biais sur le bloc z (lignes H:2H), z_t ≈ 1 et la cellule doit "
            "recopier h_{t−1} : ordre des blocs r, z, n et h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}",
            "with a huge bias on the z block (rows H:2H), z_t ≈ 1 and the cell must copy "
            "h_{t−1}: block order r, z, n and h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}",
        )


@pytest.mark.item("param_counts", points=0.5)
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


@pytest.mark.item("bptt", points=0.5)
def test_normes_gradient_shape(submission, rng):
    T, N, d, H = 6, 2, 3, 4
    try:
        got = submission.call(
            "normes_gradient_h0",
            _t(rng, T, N, d),
            _t(rng, N, H),
            _t(rng, H, d),
            _t(rng, H, H, scale=0.3),
            _t(rng, H),
        )
    except SubmissionError as exc:
        raise (unrolling_not_from_leaf(exc) or exc) from None
    normes = as_array(got, "normes_gradient_h0(...)", shape=(T,))
    if (normes < 0).any():
        raise CheckFailed("une norme est positive ou nulle", "a norm is non-negative")


@pytest.mark.item("clip", points=0.5)
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


# ---------------------------------------------------------------- long dependency



@pytest.mark.item("memoire", points=0.5)
def test_modeles_sequence_shapes_and_kinds(submission, rng):
    N, T, d, H, n_classes = 4, 6, 3, 5, 2
    X = rng.normal(size=(N, T, d)).astype(np.float32)
    y = rng.integers(0, n_classes, size=N)
    for genre, want, label in (("rnn", "rnn", "nn.RNN"), ("lstm", "lstm", "nn.LSTM")):
        what = f'creer_modele_sequence("{genre}", {d}, {H}, {n_classes})'
        model = submission.call("creer_modele_sequence", genre, d, H, n_classes)
        info = inspect_model.call(submission, model) if isinstance(model, Handle) else None
        if not isinstance(info, dict) or info.get("module") is not True:
            raise CheckFailed(
                f"{what} doit renvoyer un nn.Module", f"{what} must return an nn.Module"
            )
        others = [k for k in ("rnn", "lstm", "gru") if k != want and info.get(k)]
        if not info.get(want) or others:
            raise CheckFailed(
                f'{what} : le modèle "{genre}" doit contenir un {label} et aucune autre couche '
                'récurrente (testez genre == "rnn" / genre == "lstm")',
                f'{what}: the "{genre}" model must contain an {label} and no other recurrent '
                'layer (test genre == "rnn" / genre == "lstm")',
            )
        layers = info.get("couches") if isinstance(info.get("couches"), list) else []
        if any(list(c) != [d, H, 1, True, False] for c in layers):
            raise CheckFailed(
                f"{what} : la couche récurrente doit être {label}(d_entree, H, batch_first=True), "
                "une seule couche, de d_entree vers H (utilisez les arguments d_entree et H, pas "
                "des tailles fixes), qui lit le lot (N, T, d_entree) exemples d'abord",
                f"{what}: the recurrent layer must be {label}(d_entree, H, batch_first=True), a "
                "single layer from d_entree to H (use the arguments d_entree and H, not fixed "
                "sizes), reading the (N, T, d_entree) batch examples first",
            )
        out = outputs.call(submission, model, Tensor(X))
        as_array(out, f"{what} sur un lot ({N}, {T}, {d}) : logits", shape=(N, n_classes))
    model = submission.call("creer_modele_sequence", "lstm", d, H, n_classes)
    before = as_array(outputs.call(submission, model, Tensor(X)), "logits")
    out = submission.call(
        "entrainer_sequence", model, Tensor(X), Tensor(y), epochs=2, lr=0.05, batch_size=2, seed=0
    )
    after = as_array(
        outputs.call(submission, out if out is not None else model, Tensor(X)),
        "logits après entrainer_sequence",
    )
    if np.allclose(before, after):
        raise CheckFailed(
            "entrainer_sequence ne change pas les prédictions du modèle : appelez "
            "optimiseur.step() après perte.backward(), et renvoyez le modèle",
            "entrainer_sequence does not change the model's predictions: call optimiseur.step() "
            "after perte.backward(), and return the model",
        )
    assert_signature_defaults(submission, "entrainer_sequence", STATEMENT_DEFAULTS["entrainer_sequence"])


# ---------------------------------------------------------------- forecast


@pytest.mark.item("prevision", points=0.5)
def test_fenetres_small_example(submission):
    serie = np.arange(8, dtype=np.float32)
    got = submission.call("fenetres", Tensor(serie), 3)
    X, y = pair(got, "fenetres(serie, L)", ("X", "y"))
    X = as_array(X, "fenetres(arange(8), 3)[0] (X)", shape=(5, 3, 1))
    y = as_array(y, "fenetres(arange(8), 3)[1] (y)", shape=(5,))
    if not np.allclose(X[:, :, 0], [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6]]):
        raise CheckFailed(
            "fenetres(arange(8), 3) : X[:, :, 0] devrait valoir [[0, 1, 2], [1, 2, 3], ..., "
            "[4, 5, 6]]",
            "fenetres(arange(8), 3): X[:, :, 0] should be [[0, 1, 2], [1, 2, 3], ..., [4, 5, 6]]",
        )
    if not np.allclose(y, [3, 4, 5, 6, 7]):
        raise CheckFailed(
            f"fenetres(arange(8), 3) : y = {y.tolist()}, attendu [3, 4, 5, 6, 7] : la valeur qui "
            "suit chaque fenêtre",
            f"fenetres(arange(8), 3): y = {y.tolist()}, expected [3, 4, 5, 6, 7]: the value that "
            "follows each window",
        )
    assert_signature_defaults(submission, "entrainer_prevision", STATEMENT_DEFAULTS["entrainer_prevision"])
