"""Hidden checks, part 1: the RNN, LSTM and GRU cells on grader-chosen weights and inputs.

The references are PyTorch's own modules (nn.RNNCell, nn.RNN, nn.LSTMCell, nn.GRUCell),
built in the grader with its seed, whose weights are sent as arrays, and the course's
formulas computed here in float64: the LSTM with peepholes (W_cf, W_ci on c_{t-1}, W_co on
c_t) and the GRU with r applied before the product by W_hh. Messages name the fault,
never a value.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from torch import nn

from autograder.checks import (
    CheckFailed,
    StudentError,
    Tensor,
    as_array,
    fmt_order,
    with_references,
)

from ..public.helpers import states
from .helpers import CELL_REFERENCE, cellule_rnn, check_arguments_and_graph, rnn_sequence

# rnn_sequence is graded with the grader's cellule_rnn (CELL_REFERENCE), so a bug of the
# cell costs the cell's point only (the sequence item is about unrolling, h_t from h_{t-1}).


def _arr(t: torch.Tensor) -> Tensor:
    return Tensor(t.detach().numpy().astype(np.float64))


# Float32 cells (x.float() inside) reach at most 0.6e-6 of |a − b| / (1 + |b|) on these inputs
# (300 draws of every cell's check); the wrong formulas the hints name are off by 0.1 or more.
def _close(a: np.ndarray, b: np.ndarray, tol: float = 1e-5) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=tol, atol=tol))


def _torch_cell(module, rng, scale: float = 1.0):
    """(N, d, H, cell): a PyTorch cell of grader-drawn sizes in float64, with larger weights
    than PyTorch's initialisation, so that every gate matters."""
    N, d, H = (int(v) for v in rng.integers(2, 7, size=3))
    cell = module(d, H).double()
    with torch.no_grad():
        for p in cell.parameters():
            p.copy_(torch.from_numpy(rng.normal(size=tuple(p.shape)) * scale))
    return N, d, H, cell


_SHAPE_ERRORS = ("IndexError", "RuntimeError", "ValueError")


def _sized_call(name: str, call, args: list, shapes, sizes: dict[str, int], notebook: dict[str, int]):
    """call(args): the student's `name` on the grader's arguments, of sizes `sizes`. A shape
    error there (the other sizes' arguments drawn from shapes(**sizes), a list of shapes),
    when the same function runs on the notebook example's sizes, or on sizes all equal, names
    the likely fault (a size written in the code, a size read from the wrong dimension)
    instead of the bare error; otherwise the error stands as it is."""
    try:
        return call(args)
    except StudentError as exc:
        if exc.ename not in _SHAPE_ERRORS:
            raise
        equal = dict.fromkeys(sizes, 7)  # never all the grader's sizes (N, d, H ≤ 6)
        for other, fr, en in (
            (notebook, "une taille est écrite en dur (celle de l'exemple du notebook ?) : lisez "
             "chaque taille sur les tenseurs reçus", "a size is written in the code (the "
             "notebook example's?): read every size from the tensors it receives"),
            (equal, "une taille est lue sur la mauvaise dimension (ou un produit attend une "
             "transposée) : H = h_prec.shape[1] (ou W_hh.shape[1]), T = X.shape[0]",
             "a size is read from the wrong dimension (or a product needs a transpose): "
             "H = h_prec.shape[1] (or W_hh.shape[1]), T = X.shape[0]"),
        ):
            try:
                call(_random_args(shapes(**other)))
            except StudentError:
                continue
            shown = ", ".join(f"{k} = {v}" for k, v in other.items())
            raise CheckFailed(
                f"`{name}` a levé {exc.ename} sur les tailles du correcteur ({exc.evalue[:160]}), "
                f"alors qu'il tourne avec {shown} : {fr}",
                f"`{name}` raised {exc.ename} on the grader's sizes ({exc.evalue[:160]}), while "
                f"it runs with {shown}: {en}",
            ) from None
        raise


def _random_args(shapes) -> list[torch.Tensor]:
    r = np.random.default_rng(0)
    return [torch.from_numpy(r.normal(size=s)) for s in shapes]


def _fail(what_fr: str, what_en: str, got, ref, hint_fr: str, hint_en: str):
    err = float(np.abs(got - ref).max())
    raise CheckFailed(
        f"{what_fr} : écart maximal {fmt_order(err)} avec la référence ; {hint_fr}",
        f"{what_en}: maximal difference {fmt_order(err)} with the reference; {hint_en}",
    )


# ---------------------------------------------------------------- RNN


@pytest.mark.item("rnn_cell", points=1)
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
        elif _close(got, torch.tanh(x @ W_xh.T + h @ W_hh.T).numpy()):
            hint = (
                "il manque le biais b_h dans la pré-activation : h_t = tanh(x_t W_xhᵀ + "
                "h_{t−1} W_hhᵀ + b_h)",
                "the bias b_h is missing from the pre-activation: h_t = tanh(x_t W_xhᵀ + "
                "h_{t−1} W_hhᵀ + b_h)",
            )
        elif _close(got, torch.sigmoid(torch.from_numpy(sans_tanh)).numpy()):
            hint = (
                "votre activation est la sigmoïde (sorties dans ]0, 1[) : la cellule d'Elman "
                "utilise tanh, à valeurs dans ]−1, 1[",
                "your activation is the sigmoid (outputs in ]0, 1[): the Elman cell uses tanh, "
                "with values in ]−1, 1[",
            )
        elif _close(got, np.maximum(sans_tanh, 0.0)):
            hint = (
                "votre activation est ReLU : la cellule d'Elman utilise tanh, à valeurs dans "
                "]−1, 1[",
                "your activation is ReLU: the Elman cell uses tanh, with values in ]−1, 1[",
            )
        elif _close(got, torch.tanh(x @ W_xh.T + h @ W_hh + b_h).numpy()) or (
                d == H and _close(got, torch.tanh(x @ W_xh + h @ W_hh.T + b_h).numpy())):
            hint = (
                "une des matrices n'est pas transposée : en lot (une ligne par exemple), "
                "h_t = tanh(x_t W_xhᵀ + h_{t−1} W_hhᵀ + b_h)",
                "one of the matrices is not transposed: in a batch (one row per example), "
                "h_t = tanh(x_t W_xhᵀ + h_{t−1} W_hhᵀ + b_h)",
            )
        else:
            hint = (
                "h_t = tanh(x_t W_xhᵀ + h_{t−1} W_hhᵀ + b_h) en lot : vérifiez chaque terme, "
                "le biais, l'activation tanh et les transpositions",
                "h_t = tanh(x_t W_xhᵀ + h_{t−1} W_hhᵀ + b_h) in a batch: check each term, the "
                "bias, the tanh activation and the transposes",
            )
        _fail(
            "cellule_rnn ne donne pas la sortie de nn.RNNCell sur une des entrées du correcteur",
            "cellule_rnn does not give the output of nn.RNNCell on one of the grader's inputs",
            got,
            ref,
            *hint,
        )
    check_arguments_and_graph(
        submission, "cellule_rnn", [x, h, W_xh, W_hh, b_h], ["x_t", "h_prec", "W_xh", "W_hh", "b_h"],
        rng, reference=cellule_rnn,
        inplace_fr="renvoyez un nouveau tenseur, torch.tanh(...), sans écrire dans h_prec "
        "(h_prec.copy_(…), h_prec[...] = …)",
        inplace_en="return a new tensor, torch.tanh(...), without writing into h_prec "
        "(h_prec.copy_(...), h_prec[...] = ...)",
    )


@pytest.mark.item("rnn_sequence", points=1)
def test_rnn_sequence_matches_nn_rnn(submission, rng, seed):
    torch.manual_seed(seed)
    T, N, d, H = int(rng.integers(3, 9)), *(int(v) for v in rng.integers(2, 6, size=3))
    # Never one of the notebook example's sizes (T = 4, N = 2, d = 3, H = 5): a size written
    # in the code would then pass.
    T, N, d, H = (v + 1 if v == nb else v for v, nb in zip((T, N, d, H), (4, 2, 3, 5), strict=True))
    rnn = nn.RNN(d, H).double()
    X = torch.from_numpy(rng.normal(size=(T, N, d)))
    h0 = torch.from_numpy(rng.normal(size=(N, H)))
    b_h = (rnn.bias_ih_l0 + rnn.bias_hh_l0).detach()
    with torch.no_grad():
        ref = rnn(X, h0[None])[0].numpy()
    raw = _sized_call(
        "rnn_sequence",
        lambda a: with_references(submission, CELL_REFERENCE, "rnn_sequence", *(_arr(t) for t in a)),
        [X, h0, rnn.weight_ih_l0, rnn.weight_hh_l0, b_h],
        lambda T, N, d, H: ((T, N, d), (N, H), (H, d), (H, H), (H,)),
        dict(T=T, N=N, d=d, H=H), dict(T=4, N=2, d=3, H=5),
    )
    try:
        got = as_array(raw, "rnn_sequence(...)", shape=(T, N, H))
    except CheckFailed:
        # The premise of "a size written in the code": on the notebook example's sizes, the
        # same function returns the shape it should.
        try:
            small = with_references(submission, CELL_REFERENCE, "rnn_sequence",
                                    *(_arr(t) for t in _random_args(((4, 2, 3), (2, 5), (5, 3), (5, 5), (5,)))))
            right = as_array(small, "rnn_sequence(...)", allow_nan=True).shape == (4, 2, 5)
        except (CheckFailed, StudentError):
            right = False
        if not right:
            raise
        raise CheckFailed(
            "rnn_sequence renvoie une forme fausse sur les séquences du correcteur, alors qu'il "
            "renvoie la bonne avec T = 4, N = 2, d = 3, H = 5 : une taille est écrite en dur "
            "(celle de l'exemple du notebook ?) : lisez T = X.shape[0] et les autres tailles "
            "sur les tenseurs reçus",
            "rnn_sequence returns a wrong shape on the grader's sequences, while it returns the "
            "right one with T = 4, N = 2, d = 3, H = 5: a size is written in the code (the "
            "notebook example's?): read T = X.shape[0] and the other sizes from the tensors it "
            "receives",
        ) from None
    if not _close(got, ref):
        with torch.no_grad():  # the unrolling from a zero state: h0 (never zero here) ignored
            from_zeros = rnn(X, torch.zeros_like(h0)[None])[0].numpy()
            # X read from its last step to its first (reversed(X), X.flip(0)), the states kept
            # in the order computed or put back in time order (blind round 18), and every step
            # started from h0 instead of the previous state.
            backwards = rnn(X.flip(0), h0[None])[0].numpy()
            from_h0 = torch.tanh(X @ rnn.weight_ih_l0.T + h0 @ rnn.weight_hh_l0.T + b_h).numpy()
        if _close(got[1:], ref[:-1]):
            hint = (
                "les états sont décalés d'un pas : renvoyez h_1..h_T, pas h_0..h_{T−1}",
                "the states are shifted by one step: return h_1..h_T, not h_0..h_{T−1}",
            )
        elif _close(got, from_zeros):
            hint = (
                "vos états sont ceux d'un déroulement parti d'un état nul : le premier pas part "
                "de h0, l'argument (h = h0 avant la boucle), pas de torch.zeros",
                "your states are those of an unrolling started from a zero state: the first step "
                "starts from h0, the argument (h = h0 before the loop), not from torch.zeros",
            )
        elif _close(got, backwards) or _close(got, backwards[::-1]):
            hint = (
                "vous parcourez X à l'envers, de son dernier pas vers le premier : le premier pas "
                "lit X[0], h_1 = cellule_rnn(X[0], h0, ...), le suivant X[1] à partir de h_1, et "
                "ainsi de suite ; renvoyez h_1..h_T dans l'ordre du temps",
                "you walk through X backwards, from its last step to its first: the first step "
                "reads X[0], h_1 = cellule_rnn(X[0], h0, ...), the next one X[1] from h_1, and so "
                "on; return h_1..h_T in time order",
            )
        elif _close(got, ref[::-1]):
            hint = (
                "vos états sont les bons, mais rangés à l'envers (h_T en premier) : renvoyez "
                "h_1..h_T dans l'ordre du temps",
                "your states are the right ones, but stored backwards (h_T first): return "
                "h_1..h_T in time order",
            )
        elif _close(got, from_h0):
            hint = (
                "chaque pas repart de h0 : il doit repartir de l'état précédent, "
                "h_t = cellule_rnn(X[t], h_{t−1}, ...) (h remplacé par le nouvel état à chaque pas)",
                "every step starts from h0: it must start from the previous state, "
                "h_t = cellule_rnn(X[t], h_{t−1}, ...) (h replaced with the new state at every step)",
            )
        else:
            hint = (
                "vérifiez le déroulement : X lu dans l'ordre du temps (X[0] d'abord), chaque pas "
                "repart de l'état précédent, h_t = cellule_rnn(X[t], h_{t−1}, ...), et les états "
                "h_1..h_T renvoyés dans cet ordre",
                "check the unrolling: X read in time order (X[0] first), every step starts from "
                "the previous state, h_t = cellule_rnn(X[t], h_{t−1}, ...), and the states "
                "h_1..h_T returned in that order",
            )
        _fail(
            "rnn_sequence ne donne pas les sorties de nn.RNN sur une des séquences du correcteur "
            "(votre rnn_sequence est appelé avec la cellule_rnn du correcteur)",
            "rnn_sequence does not give the outputs of nn.RNN on one of the grader's sequences "
            "(your rnn_sequence is called with the grader's cellule_rnn)",
            got,
            ref,
            *hint,
        )
    check_arguments_and_graph(
        submission, "rnn_sequence",
        [X, h0, rnn.weight_ih_l0.detach(), rnn.weight_hh_l0.detach(), b_h],
        ["X", "h0", "W_xh", "W_hh", "b_h"], rng, reference=rnn_sequence,
        references=CELL_REFERENCE,
        inplace_fr="partez de h = h0 et remplacez h par le nouvel état à chaque pas "
        "(h = cellule_rnn(...)), sans écrire dans h0 (h.copy_(…) ou h[...] = … avec h = h0)",
        inplace_en="start from h = h0 and replace h with the new state at every step "
        "(h = cellule_rnn(...)), without writing into h0 (h.copy_(...) or h[...] = ... with h = h0)",
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


@pytest.mark.item("lstm_cell", points=1.5)
def test_cellule_lstm_matches_lstmcell(submission, rng, seed):
    torch.manual_seed(seed)
    for _ in range(3):
        N, d, H, cell = _torch_cell(nn.LSTMCell, rng)
        x = torch.from_numpy(rng.normal(size=(N, d)))
        h = torch.from_numpy(rng.normal(size=(N, H)))
        c = torch.from_numpy(rng.normal(size=(N, H)) * 2)
        with torch.no_grad():
            h_ref, c_ref = (t.numpy() for t in cell(x, (h, c)))
        raw = _sized_call(
            "cellule_lstm", lambda a: submission.call("cellule_lstm", *(_arr(t) for t in a)),
            [x, h, c, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh],
            lambda N, d, H: ((N, d), (N, H), (N, H), (4 * H, d), (4 * H, H), (4 * H,), (4 * H,)),
            dict(N=N, d=d, H=H), dict(N=2, d=3, H=4),
        )
        h_got, c_got = states(raw, "cellule_lstm", N, H)
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
            # h_t from the old state (blind round 20): the gates right, o ⊙ tanh(c_{t−1}).
            o_gate = torch.sigmoid((x @ args[3].T + h @ args[4].T + b).chunk(4, dim=1)[3])
            h_old = (o_gate * torch.tanh(c)).numpy()
            if _close(c_got, c_ref) and _close(h_got, h_old):
                hint = (
                    "h_t utilise l'ancien état c_{t−1} : h_t = o ⊙ tanh(c_t), avec le NOUVEL état "
                    "de cellule calculé juste avant",
                    "h_t uses the old state c_{t−1}: h_t = o ⊙ tanh(c_t), with the NEW cell state "
                    "computed just before",
                )
            elif _close(c_got, _lstm_variant(*args, cell.bias_ih.detach())[1]) or _close(
                c_got, _lstm_variant(*args, cell.bias_hh.detach())[1]
            ):
                # One of the two biases only (blind round 20).
                hint = (
                    "un seul des deux biais est ajouté : nn.LSTMCell ajoute b_ih ET b_hh à la "
                    "pré-activation, x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh",
                    "only one of the two biases is added: nn.LSTMCell adds b_ih AND b_hh to the "
                    "pre-activation, x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh",
                )
            elif _close(c_got, _lstm_variant(*args, b, cand=torch.sigmoid)[1]):
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
            f"cellule_lstm ne donne pas {'c_t' if bad_c else 'h_t'} de nn.LSTMCell sur une des "
            "entrées du correcteur",
            f"cellule_lstm does not give the {'c_t' if bad_c else 'h_t'} of nn.LSTMCell on one of "
            "the grader's inputs",
            c_got if bad_c else h_got,
            c_ref if bad_c else h_ref,
            *hint,
        )
    check_arguments_and_graph(
        submission, "cellule_lstm",
        [x, h, c, *(p.detach() for p in (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh))],
        ["x_t", "h_prec", "c_prec", "W_ih", "W_hh", "b_ih", "b_hh"], rng, reference=_lstm_cell,
        inplace_fr="c_t = f * c_prec + i * g crée un nouveau tenseur ; c_prec.mul_(…), "
        "c_prec *= … ou c_prec[...] = … écrivent dans le c_{t−1} de l'appelant",
        inplace_en="c_t = f * c_prec + i * g creates a new tensor; c_prec.mul_(...), "
        "c_prec *= ... or c_prec[...] = ... write into the caller's c_{t−1}",
    )


def _lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = (x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(4, dim=1)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_new), c_new


# ---------------------------------------------------------------- LSTM with peepholes (the course)

_PEEP_KEYS = (
    ("f", True),
    ("i", True),
    ("c", False),
    ("o", True),
)


def _peephole_params(rng, d: int, H: int) -> dict[str, torch.Tensor]:
    p = {}
    for g, peep in _PEEP_KEYS:
        p[f"W_x{g}"] = torch.from_numpy(rng.normal(size=(H, d)) * 0.7)
        p[f"W_h{g}"] = torch.from_numpy(rng.normal(size=(H, H)) * 0.7)
        if peep:
            p[f"W_c{g}"] = torch.from_numpy(rng.normal(size=(H, H)) * 0.7)
        p[f"b_{g}"] = torch.from_numpy(rng.normal(size=(H,)) * 0.5)
    return p


def _peephole(x, h, c, p, *, o_sees="new", peepholes=True, cand=torch.tanh, swap_fi=False,
              diagonal=False, swap_peep=False, transposed=True, tensors=False):
    """The course's LSTM, or one of the classic mistakes: (h_t, c_t) as arrays. `diagonal`:
    the literature's diagonal peepholes, c ⊙ diag(W_c·), where the course writes full H×H
    matrices (blind round 20); `swap_peep`: W_ci in the forget gate and W_cf in the input
    gate (a copy-paste, blind round 20); `transposed=False`: state @ W_c· (blind round 20)."""

    def pre(g, state):
        z = x @ p[f"W_x{g}"].T + h @ p[f"W_h{g}"].T + p[f"b_{g}"]
        if not peepholes or state is None:
            return z
        key = "W_c" + ({"f": "i", "i": "f"}.get(g, g) if swap_peep else g)
        if diagonal:
            return z + state * torch.diagonal(p[key])
        return z + state @ (p[key].T if transposed else p[key])

    f, i = torch.sigmoid(pre("f", c)), torch.sigmoid(pre("i", c))
    if swap_fi:
        f, i = i, f
    c_new = f * c + i * cand(pre("c", None))
    o = torch.sigmoid(pre("o", c_new if o_sees == "new" else c))
    if tensors:
        return o * torch.tanh(c_new), c_new
    return (o * torch.tanh(c_new)).numpy(), c_new.numpy()


@pytest.mark.item("lstm_peephole", points=1.5)
def test_cellule_lstm_peephole_matches_course_formula(submission, rng):
    for _ in range(3):
        N, d, H = (int(v) for v in rng.integers(2, 7, size=3))
        p = _peephole_params(rng, d, H)
        x = torch.from_numpy(rng.normal(size=(N, d)))
        h = torch.from_numpy(rng.normal(size=(N, H)))
        c = torch.from_numpy(rng.normal(size=(N, H)) * 1.5)
        h_ref, c_ref = _peephole(x, h, c, p)
        raw = submission.call(
            "cellule_lstm_peephole", _arr(x), _arr(h), _arr(c), {k: _arr(v) for k, v in p.items()}
        )
        h_got, c_got = states(raw, "cellule_lstm_peephole", N, H)
        if _close(h_got, h_ref) and _close(c_got, c_ref):
            continue
        got = (h_got, c_got)
        variants = [
            (
                dict(o_sees="old"),
                "la porte de sortie regarde l'ancien état c_{t−1} : dans le cours, o_t est calculée "
                "après la mise à jour et sa peephole voit le nouvel état, W_co c_t",
                "the output gate looks at the old state c_{t−1}: in the course, o_t is computed "
                "after the update and its peephole sees the new state, W_co c_t",
            ),
            (
                dict(peepholes=False),
                "les peepholes manquent (c'est la variante de PyTorch) : ajoutez W_cf c_{t−1} à f_t, "
                "W_ci c_{t−1} à i_t et W_co c_t à o_t",
                "the peepholes are missing (that is PyTorch's variant): add W_cf c_{t−1} to f_t, "
                "W_ci c_{t−1} to i_t and W_co c_t to o_t",
            ),
            (
                dict(cand=torch.sigmoid),
                "le candidat c̃_t utilise une sigmoïde : c'est tanh (seules les portes f, i, o sont "
                "des sigmoïdes)",
                "the candidate c̃_t uses a sigmoid: it is tanh (only the gates f, i, o are sigmoids)",
            ),
            (
                dict(diagonal=True),
                "vos peepholes n'utilisent que la diagonale des W_c· (un vecteur multiplié terme à "
                "terme, la convention de la littérature) : le cours les écrit comme des matrices "
                "pleines H×H, W_cf c_{t−1} s'écrit c_prec @ W_cf.T en lot (de même W_ci, et "
                "W_co avec c_t)",
                "your peepholes use only the diagonal of the W_c· (a vector multiplied elementwise, "
                "the literature's convention): the course writes them as full H×H matrices, "
                "W_cf c_{t−1} is c_prec @ W_cf.T in a batch (likewise W_ci, and W_co with c_t)",
            ),
            (
                dict(transposed=False),
                "les matrices de peephole ne sont pas transposées : en lot (une ligne par exemple), "
                "W_cf c_{t−1} s'écrit c_prec @ W_cf.T (de même W_ci, et c_t @ W_co.T)",
                "the peephole matrices are not transposed: in a batch (one row per example), "
                "W_cf c_{t−1} is c_prec @ W_cf.T (likewise W_ci, and c_t @ W_co.T)",
            ),
            (
                dict(swap_peep=True),
                "les peepholes de f et de i sont échangées : la porte d'oubli f_t voit W_cf c_{t−1}, "
                "la porte d'entrée i_t voit W_ci c_{t−1}",
                "the peepholes of f and i are swapped: the forget gate f_t sees W_cf c_{t−1}, the "
                "input gate i_t sees W_ci c_{t−1}",
            ),
            (
                dict(swap_fi=True),
                "les portes f et i sont échangées : f_t multiplie c_{t−1}, i_t multiplie c̃_t",
                "the gates f and i are swapped: f_t multiplies c_{t−1}, i_t multiplies c̃_t",
            ),
        ]
        hint = (
            "relisez les six formules du cours : f_t et i_t voient c_{t−1}, le candidat n'a pas "
            "de peephole, o_t voit c_t, et chaque produit s'écrit state @ W.T en lot",
            "re-read the course's six formulas: f_t and i_t see c_{t−1}, the candidate has no "
            "peephole, o_t sees c_t, and every product is state @ W.T in a batch",
        )
        for kwargs, fr, en in variants:
            h_v, c_v = _peephole(x, h, c, p, **kwargs)
            if _close(got[0], h_v) and _close(got[1], c_v):
                hint = (fr, en)
                break
        bad_c = not _close(c_got, c_ref)
        _fail(
            f"cellule_lstm_peephole ne donne pas le {'c_t' if bad_c else 'h_t'} des formules du "
            "cours sur une des entrées du correcteur",
            f"cellule_lstm_peephole does not give the {'c_t' if bad_c else 'h_t'} of the "
            "course's formulas on one of the grader's inputs",
            c_got if bad_c else h_got,
            c_ref if bad_c else h_ref,
            *hint,
        )
    check_arguments_and_graph(
        submission, "cellule_lstm_peephole", [x, h, c, p], ["x_t", "h_prec", "c_prec", "p"], rng,
        reference=lambda *a: _peephole(*a, tensors=True),
        inplace_fr="c_t = f * c_prec + i * c̃ crée un nouveau tenseur ; c_prec.mul_(…), "
        "c_prec *= … ou une entrée de p remplacée écrivent dans les données de l'appelant",
        inplace_en="c_t = f * c_prec + i * c̃ creates a new tensor; c_prec.mul_(...), "
        "c_prec *= ... or a replaced entry of p write into the caller's data",
    )


# ---------------------------------------------------------------- GRU


def _gru(x, h, p, torch_variant=False, swap_z=False, tensors=False):
    z = torch.sigmoid(x @ p["W_xz"].T + h @ p["W_hz"].T + p["b_z"])
    r = torch.sigmoid(x @ p["W_xr"].T + h @ p["W_hr"].T + p["b_r"])
    if torch_variant:
        cand = torch.tanh(x @ p["W_xh"].T + p["b_h"] + r * (h @ p["W_hh"].T))
    else:
        cand = torch.tanh(x @ p["W_xh"].T + (r * h) @ p["W_hh"].T + p["b_h"])
    if swap_z:
        z = 1 - z
    out = z * h + (1 - z) * cand
    return out if tensors else out.numpy()


@pytest.mark.item("gru_cell", points=1)
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
            "cellule_gru ne suit pas les formules du cours sur une des entrées du correcteur",
            "cellule_gru does not follow the course's formulas on one of the grader's inputs",
            got,
            ref,
            *hint,
        )
    check_arguments_and_graph(
        submission, "cellule_gru", [x, h, p], ["x_t", "h_prec", "p"], rng,
        reference=lambda *a: _gru(*a, tensors=True),
        inplace_fr="renvoyez z * h_prec + (1 − z) * h̃, un nouveau tenseur, sans h_prec.mul_(…), "
        "h_prec *= … ni h_prec.copy_(…)",
        inplace_en="return z * h_prec + (1 − z) * h̃, a new tensor, without h_prec.mul_(...), "
        "h_prec *= ... nor h_prec.copy_(...)",
    )


# ---------------------------------------------------------------- GRU, PyTorch's variant


def _gru_torch_variant(
    x, h, W_ih, W_hh, b_ih, b_hh, *, order="rzn", r_before=False, b_hn_outside=False, swap_z=False,
    tensors=False,
):
    gi = dict(zip(order, (x @ W_ih.T + b_ih).chunk(3, dim=1), strict=True))
    gh = dict(zip(order, (h @ W_hh.T + b_hh).chunk(3, dim=1), strict=True))
    r = torch.sigmoid(gi["r"] + gh["r"])
    z = torch.sigmoid(gi["z"] + gh["z"])
    W_hn = dict(zip(order, W_hh.chunk(3, dim=0), strict=True))["n"]
    b_hn = dict(zip(order, b_hh.chunk(3), strict=True))["n"]
    if r_before:
        n = torch.tanh(gi["n"] + (r * h) @ W_hn.T + b_hn)
    elif b_hn_outside:
        n = torch.tanh(gi["n"] + b_hn + r * (h @ W_hn.T))
    else:
        n = torch.tanh(gi["n"] + r * gh["n"])
    if swap_z:
        z = 1 - z
    out = (1 - z) * n + z * h
    return out if tensors else out.numpy()


@pytest.mark.item("gru_pytorch", points=1)
def test_cellule_gru_pytorch_matches_grucell(submission, rng, seed):
    torch.manual_seed(seed)
    for _ in range(3):
        N, d, H, cell = _torch_cell(nn.GRUCell, rng, scale=0.8)
        x = torch.from_numpy(rng.normal(size=(N, d)))
        h = torch.from_numpy(rng.normal(size=(N, H)))
        with torch.no_grad():
            ref = cell(x, h).numpy()
        params = [p.detach() for p in (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)]
        raw = _sized_call(
            "cellule_gru_pytorch",
            lambda a: submission.call("cellule_gru_pytorch", *(_arr(t) for t in a)),
            [x, h, *params],
            lambda N, d, H: ((N, d), (N, H), (3 * H, d), (3 * H, H), (3 * H,), (3 * H,)),
            dict(N=N, d=d, H=H), dict(N=2, d=3, H=4),
        )
        got = as_array(raw, "cellule_gru_pytorch(...)", shape=(N, H))
        if _close(got, ref):
            continue
        variants = [
            (
                dict(order="zrn"),
                "les blocs sont lus dans l'ordre z, r, n (celui du cours) : PyTorch range r, puis z, "
                "puis n (lignes 0:H, H:2H, 2H:3H)",
                "the blocks are read in the order z, r, n (the course's): PyTorch stores r, then z, "
                "then n (rows 0:H, H:2H, 2H:3H)",
            ),
            (
                dict(r_before=True),
                "c'est la formule du cours (r appliqué avant le produit) : nn.GRUCell applique r_t "
                "après le produit, r_t ⊙ (W_hn h_{t−1} + b_hn)",
                "that is the course's formula (r applied before the product): nn.GRUCell applies "
                "r_t after the product, r_t ⊙ (W_hn h_{t−1} + b_hn)",
            ),
            (
                dict(b_hn_outside=True),
                "le biais b_hn est hors de la porte : il est multiplié par r_t avec le produit, "
                "r_t ⊙ (W_hn h_{t−1} + b_hn)",
                "the bias b_hn is outside the gate: it is multiplied by r_t together with the "
                "product, r_t ⊙ (W_hn h_{t−1} + b_hn)",
            ),
            (
                dict(swap_z=True),
                "z_t et 1 − z_t sont échangés : chez PyTorch h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}",
                "z_t and 1 − z_t are swapped: in PyTorch h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}",
            ),
        ]
        hint = (
            "relisez les quatre formules de nn.GRUCell (blocs r, z, n, deux biais par bloc)",
            "re-read nn.GRUCell's four formulas (blocks r, z, n, two biases per block)",
        )
        for kwargs, fr, en in variants:
            if _close(got, _gru_torch_variant(x, h, *params, **kwargs)):
                hint = (fr, en)
                break
        _fail(
            "cellule_gru_pytorch ne donne pas la sortie de nn.GRUCell sur une des entrées du "
            "correcteur",
            "cellule_gru_pytorch does not give the output of nn.GRUCell on one of the grader's "
            "inputs",
            got,
            ref,
            *hint,
        )
    check_arguments_and_graph(
        submission, "cellule_gru_pytorch", [x, h, *params],
        ["x_t", "h_prec", "W_ih", "W_hh", "b_ih", "b_hh"], rng,
        reference=lambda *a: _gru_torch_variant(*a, tensors=True),
        inplace_fr="renvoyez (1 − z) * n + z * h_prec, un nouveau tenseur, sans h_prec.copy_(…), "
        "h_prec.mul_(…) ni h_prec *= …",
        inplace_en="return (1 − z) * n + z * h_prec, a new tensor, without h_prec.copy_(...), "
        "h_prec.mul_(...) nor h_prec *= ...",
    )
