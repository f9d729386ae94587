"""Hidden checks, part 1: the RNN, LSTM and GRU cells on grader-chosen weights and inputs.

The references are PyTorch's own modules (nn.RNNCell, nn.RNN, nn.LSTMCell), built in the
grader with its seed, whose weights are sent as arrays; the GRU reference is the course's
formula (r applied before the product by W_hh). Messages name the fault, never a value.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from torch import nn

from autograder.checks import CheckFailed, as_array
from autograder.proxy import Tensor


def _arr(t: torch.Tensor) -> Tensor:
    return Tensor(t.detach().numpy().astype(np.float64))


def _close(a: np.ndarray, b: np.ndarray, tol: float = 1e-6) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=tol, atol=tol))


def _fail(what_fr: str, what_en: str, got, ref, hint_fr: str, hint_en: str):
    err = float(np.abs(got - ref).max())
    raise CheckFailed(
        f"{what_fr} : écart maximal {err:.3g} avec la référence ; {hint_fr}",
        f"{what_en}: maximal difference {err:.3g} with the reference; {hint_en}",
    )


# ---------------------------------------------------------------- RNN


@pytest.mark.item("rnn_cell")
@pytest.mark.points(2.5)
def test_cellule_rnn_matches_rnncell(submission, rng, seed):
    torch.manual_seed(seed)
    for _ in range(3):
        N, d, H = (int(v) for v in rng.integers(2, 7, size=3))
        cell = nn.RNNCell(d, H).double()
        x = torch.from_numpy(rng.normal(size=(N, d)))
        h = torch.from_numpy(rng.normal(size=(N, H)))
        W_xh, W_hh = cell.weight_ih.detach(), cell.weight_hh.detach()
        b_h = (cell.bias_ih + cell.bias_hh).detach()
        with torch.no_grad():
            ref = cell(x, h).numpy()
        raw = submission.call("cellule_rnn", _arr(x), _arr(h), _arr(W_xh), _arr(W_hh), _arr(b_h))
        got = as_array(raw, "cellule_rnn(...)", shape=(N, H))
        if _close(got, ref):
            continue
        sans_rec = torch.tanh(x @ W_xh.T + b_h).numpy()
        sans_tanh = (x @ W_xh.T + h @ W_hh.T + b_h).numpy()
        if _close(got, sans_rec):
            hint = (
                "il manque le terme récurrent W_hh h_{t−1} : sans lui, la cellule n'a pas de mémoire",
                "the recurrent term W_hh h_{t−1} is missing: without it the cell has no memory",
            )
        elif _close(got, sans_tanh):
            hint = ("il manque l'activation tanh", "the tanh activation is missing")
        else:
            hint = (
                "h_t = tanh(x_t W_xhᵀ + h_{t−1} W_hhᵀ + b_h) en lot (vérifiez les transpositions)",
                "h_t = tanh(x_t W_xhᵀ + h_{t−1} W_hhᵀ + b_h) in a batch (check the transposes)",
            )
        _fail(
            f"cellule_rnn ne donne pas la sortie de nn.RNNCell({d}, {H})",
            f"cellule_rnn does not give the output of nn.RNNCell({d}, {H})",
            got,
            ref,
            *hint,
        )


@pytest.mark.item("rnn_sequence")
@pytest.mark.points(2)
def test_rnn_sequence_matches_nn_rnn(submission, rng, seed):
    torch.manual_seed(seed)
    T, N, d, H = int(rng.integers(3, 9)), *(int(v) for v in rng.integers(2, 6, size=3))
    rnn = nn.RNN(d, H).double()
    X = torch.from_numpy(rng.normal(size=(T, N, d)))
    h0 = torch.from_numpy(rng.normal(size=(N, H)))
    b_h = (rnn.bias_ih_l0 + rnn.bias_hh_l0).detach()
    with torch.no_grad():
        ref = rnn(X, h0[None])[0].numpy()
    raw = submission.call(
        "rnn_sequence",
        _arr(X),
        _arr(h0),
        _arr(rnn.weight_ih_l0),
        _arr(rnn.weight_hh_l0),
        _arr(b_h),
    )
    got = as_array(raw, "rnn_sequence(...)", shape=(T, N, H))
    if not _close(got, ref):
        if _close(got[1:], ref[:-1]):
            hint = (
                "les états sont décalés d'un pas : renvoyez h_1..h_T, pas h_0..h_{T−1}",
                "the states are shifted by one step: return h_1..h_T, not h_0..h_{T−1}",
            )
        else:
            hint = (
                "chaque pas doit repartir de l'état précédent, h_t = cellule_rnn(x_t, h_{t−1}, ...)",
                "each step must start from the previous state, h_t = cellule_rnn(x_t, h_{t−1}, ...)",
            )
        _fail(
            f"rnn_sequence ne donne pas les sorties de nn.RNN({d}, {H}) sur {T} pas",
            f"rnn_sequence does not give the outputs of nn.RNN({d}, {H}) over {T} steps",
            got,
            ref,
            *hint,
        )


# ---------------------------------------------------------------- LSTM


def _lstm_variant(x, h, c, W_ih, W_hh, b, order="ifgo", cand=torch.tanh, forget="f"):
    z = x @ W_ih.T + h @ W_hh.T + b
    blocks = dict(zip(order, z.chunk(4, dim=1), strict=True))
    i, f, o = (torch.sigmoid(blocks[k]) for k in "ifo")
    g = cand(blocks["g"])
    kept = {"f": f * c, "none": 0, "one": c}[forget]
    c_new = kept + i * g
    return (o * torch.tanh(c_new)).numpy(), c_new.numpy()


@pytest.mark.item("lstm_cell")
@pytest.mark.points(3)
def test_cellule_lstm_matches_lstmcell(submission, rng, seed):
    torch.manual_seed(seed)
    for _ in range(3):
        N, d, H = (int(v) for v in rng.integers(2, 7, size=3))
        cell = nn.LSTMCell(d, H).double()
        with torch.no_grad():  # larger weights, so that every gate matters
            for p in cell.parameters():
                p.copy_(torch.from_numpy(rng.normal(size=tuple(p.shape))))
        x = torch.from_numpy(rng.normal(size=(N, d)))
        h = torch.from_numpy(rng.normal(size=(N, H)))
        c = torch.from_numpy(rng.normal(size=(N, H)) * 2)
        with torch.no_grad():
            h_ref, c_ref = (t.numpy() for t in cell(x, (h, c)))
        raw = submission.call(
            "cellule_lstm",
            _arr(x),
            _arr(h),
            _arr(c),
            _arr(cell.weight_ih),
            _arr(cell.weight_hh),
            _arr(cell.bias_ih),
            _arr(cell.bias_hh),
        )
        if not isinstance(raw, (list, tuple)) or len(raw) != 2:
            raise CheckFailed(
                "cellule_lstm doit renvoyer le couple (h_t, c_t)",
                "cellule_lstm must return the pair (h_t, c_t)",
            )
        h_got = as_array(raw[0], "h_t", shape=(N, H))
        c_got = as_array(raw[1], "c_t", shape=(N, H))
        if _close(h_got, h_ref) and _close(c_got, c_ref):
            continue
        args = (x, h, c, cell.weight_ih.detach(), cell.weight_hh.detach())
        b = (cell.bias_ih + cell.bias_hh).detach()
        hint = (
            "relisez les formules : portes i, f, o sigmoïdes, candidat g en tanh, "
            "c_t = f ⊙ c_{t−1} + i ⊙ g, h_t = o ⊙ tanh(c_t), les deux biais s'ajoutent",
            "re-read the formulas: sigmoid gates i, f, o, tanh candidate g, "
            "c_t = f ⊙ c_{t−1} + i ⊙ g, h_t = o ⊙ tanh(c_t), both biases are added",
        )
        with torch.no_grad():
            if _close(c_got, _lstm_variant(*args, b, cand=torch.sigmoid)[1]):
                hint = (
                    "le candidat g utilise une sigmoïde : c'est tanh (seules les portes i, f, o "
                    "sont des sigmoïdes)",
                    "the candidate g uses a sigmoid: it is tanh (only the gates i, f, o are "
                    "sigmoids)",
                )
            elif _close(c_got, _lstm_variant(*args, b, forget="none")[1]) or _close(
                c_got, _lstm_variant(*args, b, forget="one")[1]
            ):
                hint = (
                    "la porte d'oubli f manque : c_t = f ⊙ c_{t−1} + i ⊙ g",
                    "the forget gate f is missing: c_t = f ⊙ c_{t−1} + i ⊙ g",
                )
            else:
                for perm in itertools.permutations("ifgo"):
                    order = "".join(perm)
                    if order != "ifgo" and _close(c_got, _lstm_variant(*args, b, order=order)[1]):
                        hint = (
                            f"les blocs sont lus dans l'ordre {', '.join(order)} : l'ordre des "
                            "portes de PyTorch est i, f, g, o (lignes 0:H, H:2H, 2H:3H, 3H:4H)",
                            f"the blocks are read in the order {', '.join(order)}: PyTorch's "
                            "gate order is i, f, g, o (rows 0:H, H:2H, 2H:3H, 3H:4H)",
                        )
                        break
        bad_c = not _close(c_got, c_ref)
        _fail(
            f"cellule_lstm ne donne pas {'c_t' if bad_c else 'h_t'} de nn.LSTMCell({d}, {H})",
            f"cellule_lstm does not give the {'c_t' if bad_c else 'h_t'} of nn.LSTMCell({d}, {H})",
            c_got if bad_c else h_got,
            c_ref if bad_c else h_ref,
            *hint,
        )


# ---------------------------------------------------------------- GRU


def _gru(x, h, p, torch_variant=False, swap_z=False):
    z = torch.sigmoid(x @ p["W_xz"].T + h @ p["W_hz"].T + p["b_z"])
    r = torch.sigmoid(x @ p["W_xr"].T + h @ p["W_hr"].T + p["b_r"])
    if torch_variant:
        cand = torch.tanh(x @ p["W_xh"].T + p["b_h"] + r * (h @ p["W_hh"].T))
    else:
        cand = torch.tanh(x @ p["W_xh"].T + (r * h) @ p["W_hh"].T + p["b_h"])
    if swap_z:
        z = 1 - z
    return (z * h + (1 - z) * cand).numpy()


@pytest.mark.item("gru_cell")
@pytest.mark.points(3)
def test_cellule_gru_matches_course_formula(submission, rng):
    for _ in range(3):
        N, d, H = (int(v) for v in rng.integers(2, 7, size=3))
        p = {}
        for g in "zrh":
            p[f"W_x{g}"] = torch.from_numpy(rng.normal(size=(H, d)))
            p["W_hh" if g == "h" else f"W_h{g}"] = torch.from_numpy(rng.normal(size=(H, H)))
            p[f"b_{g}"] = torch.from_numpy(rng.normal(size=(H,)))
        x = torch.from_numpy(rng.normal(size=(N, d)))
        h = torch.from_numpy(rng.normal(size=(N, H)))
        ref = _gru(x, h, p)
        raw = submission.call("cellule_gru", _arr(x), _arr(h), {k: _arr(v) for k, v in p.items()})
        got = as_array(raw, "cellule_gru(...)", shape=(N, H))
        if _close(got, ref):
            continue
        if _close(got, _gru(x, h, p, torch_variant=True)):
            hint = (
                "c'est la variante de PyTorch (r appliqué après le produit) : le cours écrit "
                "W_hh (r_t ⊙ h_{t−1})",
                "that is PyTorch's variant (r applied after the product): the course writes "
                "W_hh (r_t ⊙ h_{t−1})",
            )
        elif _close(got, _gru(x, h, p, swap_z=True)):
            hint = (
                "z_t et 1 − z_t sont échangés : h_t = z_t ⊙ h_{t−1} + (1 − z_t) ⊙ h̃_t",
                "z_t and 1 − z_t are swapped: h_t = z_t ⊙ h_{t−1} + (1 − z_t) ⊙ h̃_t",
            )
        else:
            hint = (
                "relisez les quatre formules du cours (portes z, r, candidat, état final)",
                "re-read the course's four formulas (gates z, r, candidate, final state)",
            )
        _fail(
            f"cellule_gru ne suit pas les formules du cours (d={d}, H={H})",
            f"cellule_gru does not follow the course's formulas (d={d}, H={H})",
            got,
            ref,
            *hint,
        )
