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
