"""Realistic wrong answers for TP06, as data: each replaces one answer cell of the solution.

`must_fail` names the checks that must lose points; every other check of the same item
must keep its points. `message_contains` are substrings of the French message of at least
one of those checks: the hint that names the fault. `affects` lists other items that may
lose points as a consequence (rnn_sequence calls the student's cellule_rnn).
"""

from __future__ import annotations

from tests.tp_harness import Scenario

_LSTM_CHECK = ("test_cellule_lstm_matches_lstmcell",)


def _lstm(body: str, doc: str) -> str:
    return f'''def cellule_lstm(x_t, h_prec, c_prec, W_ih, W_hh, b_ih, b_hh):
    """{doc}"""
    z = x_t @ W_ih.T + b_ih + h_prec @ W_hh.T + b_hh
{body}
    h = o * torch.tanh(c)
    return h, c
'''


SCENARIOS: dict[str, Scenario] = {
    "submission-rnn-missing-recurrent-term": Scenario(
        grade_id="rnn_cell",
        source='''def cellule_rnn(x_t, h_prec, W_xh, W_hh, b_h):
    """Oublie le terme récurrent : pas de mémoire."""
    return torch.tanh(x_t @ W_xh.T + b_h)
''',
        must_fail=("test_cellule_rnn_matches_rnncell",),
        message_contains=("il manque le terme récurrent",),
        affects=("rnn_sequence",),
    ),
    "submission-rnn-sequence-returns-h0-first": Scenario(
        grade_id="rnn_sequence",
        source='''def rnn_sequence(X, h0, W_xh, W_hh, b_h):
    """Renvoie h_0..h_{T-1} au lieu de h_1..h_T."""
    h = h0
    etats = []
    for t in range(X.shape[0]):
        etats.append(h)
        h = cellule_rnn(X[t], h, W_xh, W_hh, b_h)
    return torch.stack(etats)
''',
        must_fail=("test_rnn_sequence_matches_nn_rnn",),
        message_contains=("décalés d'un pas",),
    ),
    "submission-lstm-gates-wrong-order": Scenario(
        grade_id="lstm_cell",
        source=_lstm(
            """    i, f, o, g = z.chunk(4, dim=1)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c = f * c_prec + i * g""",
            "Lit les blocs dans l'ordre i, f, o, g.",
        ),
        must_fail=_LSTM_CHECK,
        message_contains=("l'ordre des portes de PyTorch est i, f, g, o",),
    ),
    "submission-lstm-sigmoid-on-candidate": Scenario(
        grade_id="lstm_cell",
        source=_lstm(
            """    i, f, g, o = z.chunk(4, dim=1)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(g), torch.sigmoid(o)
    c = f * c_prec + i * g""",
            "Sigmoïde sur le candidat g.",
        ),
        must_fail=_LSTM_CHECK,
        message_contains=("le candidat g utilise une sigmoïde",),
    ),
    "submission-lstm-forget-gate-missing": Scenario(
        grade_id="lstm_cell",
        source=_lstm(
            """    i, f, g, o = z.chunk(4, dim=1)
    i, g, o = torch.sigmoid(i), torch.tanh(g), torch.sigmoid(o)
    c = c_prec + i * g""",
            "Sans porte d'oubli.",
        ),
        must_fail=_LSTM_CHECK,
        message_contains=("la porte d'oubli f manque",),
    ),
    "submission-gru-pytorch-variant": Scenario(
        grade_id="gru_cell",
        source='''def cellule_gru(x_t, h_prec, p):
    """r appliqué après le produit matriciel, comme nn.GRUCell."""
    z = torch.sigmoid(x_t @ p["W_xz"].T + h_prec @ p["W_hz"].T + p["b_z"])
    r = torch.sigmoid(x_t @ p["W_xr"].T + h_prec @ p["W_hr"].T + p["b_r"])
    h_cand = torch.tanh(x_t @ p["W_xh"].T + p["b_h"] + r * (h_prec @ p["W_hh"].T))
    return z * h_prec + (1 - z) * h_cand
''',
        must_fail=("test_cellule_gru_matches_course_formula",),
        message_contains=("c'est la variante de PyTorch",),
    ),
    "submission-count-one-bias-only": Scenario(
        grade_id="param_counts",
        source='''def nb_params_rnn(d, H):
    """Un seul biais, comme dans la formule du cours."""
    return H * d + H * H + H


def nb_params_lstm(d, H):
    return 4 * (H * d + H * H + H)


def nb_params_gru(d, H):
    return 3 * (H * d + H * H + H)
''',
        must_fail=("test_param_counts_match_torch",),
        message_contains=("un seul vecteur de biais",),
    ),
    "submission-bptt-squared-norm": Scenario(
        grade_id="bptt",
        source='''def normes_gradient_h0(X, h0, W_xh, W_hh, b_h):
    """Renvoie le carré de la norme."""
    h0 = h0.detach().clone().requires_grad_(True)
    h = h0
    normes = []
    for t in range(X.shape[0]):
        h = torch.tanh(X[t] @ W_xh.T + h @ W_hh.T + b_h)
        (grad,) = torch.autograd.grad(h.sum(), h0, retain_graph=True)
        normes.append((grad**2).sum())
    return torch.stack(normes).detach()
''',
        must_fail=("test_normes_gradient_match_autograd", "test_gradient_vanishes_and_explodes"),
        message_contains=("la norme de ∂L_T/∂h_0 vaut",),
    ),
    "submission-clip-per-parameter-not-global": Scenario(
        grade_id="clip",
        source='''def clipper_gradients(grads, max_norme):
    """Écrête chaque gradient par sa propre norme."""
    return [g * torch.clamp(max_norme / (g.norm() + 1e-6), max=1.0) for g in grads]
''',
        must_fail=("test_clipper_matches_clip_grad_norm",),
        message_contains=("vous écrêtez chaque paramètre séparément",),
    ),
}

# Scenarios graded together: distinct cells, and none affects an item replaced beside it.
GROUPS: dict[str, tuple[str, ...]] = {
    "a": (
        "submission-rnn-missing-recurrent-term",
        "submission-lstm-gates-wrong-order",
        "submission-count-one-bias-only",
        "submission-clip-per-parameter-not-global",
    ),
    "b": (
        "submission-rnn-sequence-returns-h0-first",
        "submission-lstm-sigmoid-on-candidate",
        "submission-gru-pytorch-variant",
    ),
    "c": ("submission-lstm-forget-gate-missing", "submission-bptt-squared-norm"),
}
