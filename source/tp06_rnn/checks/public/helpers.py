"""Kernel-side helpers of TP06's public and hidden checks (shipped with the release)."""

from __future__ import annotations

import numpy as np

from autograder.checks import CheckFailed, as_array, kernel_side


@kernel_side
def inspect_model(modele):
    """What the checks read of a model the student built: is it a module, which recurrent
    layers it holds (their sizes, batch_first) and, for an nn.LSTM, its mean forget-gate bias."""
    from torch import nn

    if not isinstance(modele, nn.Module):
        return {"module": False, "type": type(modele).__name__}
    mods = list(modele.modules())
    info = {
        "module": True,
        "type": type(modele).__name__,
        "rnn": any(isinstance(m, (nn.RNN, nn.RNNCell)) for m in mods),
        "lstm": any(isinstance(m, (nn.LSTM, nn.LSTMCell)) for m in mods),
        "gru": any(isinstance(m, (nn.GRU, nn.GRUCell)) for m in mods),
        "couches": [
            [int(m.input_size), int(m.hidden_size), int(m.num_layers), bool(m.batch_first),
             bool(m.bidirectional)]
            for m in mods if isinstance(m, nn.RNNBase)
        ],
        "batch_first": all(m.batch_first for m in mods if isinstance(m, nn.RNNBase)),
        "biais_oubli": None,
    }
    lstms = [m for m in mods if isinstance(m, nn.LSTM) and m.bias]
    if lstms:
        m, H = lstms[0], lstms[0].hidden_size
        b = (m.bias_ih_l0[H : 2 * H] + m.bias_hh_l0[H : 2 * H]).detach().double()
        info["biais_oubli"] = float(b.mean())
    return info


@kernel_side
def outputs(modele, X):
    """The model's outputs for X, without a graph (the model's mode left as it is)."""
    import torch

    with torch.no_grad():
        return modele(X)


def pair(got, name: str, parts: tuple[str, str] = ("h_t", "c_t")) -> tuple:
    """What `name` returned, when it is the couple the statement asks for."""
    if not isinstance(got, (list, tuple)) or len(got) != 2:
        couple = f"({parts[0]}, {parts[1]})"
        raise CheckFailed(f"{name} doit renvoyer le couple {couple}", f"{name} must return the pair {couple}")
    return tuple(got)


def states(got, name: str, N: int, H: int) -> tuple[np.ndarray, np.ndarray]:
    """The (h_t, c_t) an LSTM cell returned, as arrays of shape (N, H)."""
    h, c = pair(got, name)
    return as_array(h, "h_t", shape=(N, H)), as_array(c, "c_t", shape=(N, H))


#: PyTorch's words when the loss differentiated has no path to the tensor asked for: h_T.sum()
#: depends on no tensor that requires a gradient, or not on the one given to autograd.grad.
_NO_PATH = ("does not require grad and does not have a grad_fn",
            "appears to not have been used in the graph")


def unrolling_not_from_leaf(exc) -> CheckFailed | None:
    """The fault behind a normes_gradient_h0 that raised because autograd found no path from
    h_T to the tensor it differentiates with respect to (blind round 22: a copy h0_feuille that
    requires a gradient, and an unrolling that starts from h0 itself, h = h0): said as that
    fault, not as PyTorch's generic graph error. None for any other error."""
    said = str(getattr(exc, "evalue", "") or "").lower()
    if not any(n in said for n in _NO_PATH):
        return None
    return CheckFailed(
        "normes_gradient_h0 : autograd ne trouve aucun chemin de calcul entre L_T = Σ h_T et le "
        "tenseur par rapport auquel vous dérivez : le déroulement doit partir de la copie de h0 "
        "qui demande le gradient, h0_copie = h0.detach().clone().requires_grad_(True), puis "
        "h = h0_copie (et non h = h0), et l'état ne doit pas être détaché en chemin (ni "
        ".detach(), ni torch.no_grad, ni passage par NumPy) ; dérivez ensuite par rapport à "
        "h0_copie",
        "normes_gradient_h0: autograd finds no computation path between L_T = Σ h_T and the "
        "tensor you differentiate with respect to: the unrolling must start from the copy of h0 "
        "that requires the gradient, h0_copy = h0.detach().clone().requires_grad_(True), then "
        "h = h0_copy (not h = h0), and the state must not be detached on the way (no .detach(), "
        "no torch.no_grad, no trip through NumPy); then differentiate with respect to h0_copy",
    )
