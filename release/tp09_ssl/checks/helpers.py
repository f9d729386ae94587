"""TP09's code shared by its public and hidden checks: the grader's encoder, NT-Xent in float64."""

from __future__ import annotations

import numpy as np

from autograder.checks import kernel_side


@kernel_side
def notebook_encoder(graine, dim=32):
    """A copy of the notebook's `Encodeur`, built with the grader's seed: a student who
    redefines that class changes nothing of the grader's encoder."""
    import torch
    from torch import nn

    class Encodeur(nn.Module):
        def __init__(self):
            super().__init__()
            self.dim = dim
            self.reseau = nn.Sequential(
                nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(16, dim, 3, padding=1), nn.ReLU(),
                nn.AdaptiveMaxPool2d(1), nn.Flatten(),
            )

        def forward(self, x):
            return self.reseau(x.reshape(len(x), 1, *x.shape[-2:]))

    torch.manual_seed(int(graine))
    return Encodeur()


@kernel_side
def flat_parameters(module):
    """Every parameter of `module`, flattened into one float64 vector."""
    import torch

    with torch.no_grad():
        return torch.cat([p.detach().reshape(-1).double() for p in module.parameters()])


@kernel_side
def gradient_reached(module):
    """Did a gradient reach any parameter of `module` (a .grad that is not None)?"""
    return any(p.grad is not None for p in module.parameters())


def unit_rows(z: np.ndarray) -> np.ndarray:
    """Rows divided by their L2 norm, as F.normalize does (a zero row stays zero, never NaN)."""
    return z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)


def logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    m = np.max(a, axis=axis, keepdims=True)
    return (m + np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))).squeeze(axis)


def nt_xent_ref(
    z1: np.ndarray,
    z2: np.ndarray,
    tau: float,
    *,
    normalise: bool = True,
    self_sim: bool = False,
    tau_power: int = 1,
    same_view_negatives: bool = True,
    anchors: str = "both",
    reduce: str = "mean",
    self_zero: bool = False,
    positive_in_denominator: bool = True,
) -> float:
    """The reference (default arguments) and the classic mistakes, in float64."""
    n = len(z1)
    z = np.concatenate([z1, z2])
    if normalise:
        z = unit_rows(z)
    s = z @ z.T / tau**tau_power
    if not self_sim:
        np.fill_diagonal(s, 0.0 if self_zero else -np.inf)
    pos = np.concatenate([np.arange(n, 2 * n), np.arange(n)])
    if not positive_in_denominator:  # the "decoupled" loss: the positive left out below
        s_pos = s[np.arange(2 * n), pos].copy()
        denom = s.copy()
        denom[np.arange(2 * n), pos] = -np.inf
        losses = logsumexp(denom, axis=1) - s_pos
        return float(losses.sum() if reduce == "sum" else losses.mean())
    if not same_view_negatives:
        same = np.zeros((2 * n, 2 * n), dtype=bool)
        same[:n, :n] = same[n:, n:] = True
        s = np.where(same, -np.inf, s)
    pos = np.concatenate([np.arange(n, 2 * n), np.arange(n)])
    losses = logsumexp(s, axis=1) - s[np.arange(2 * n), pos]
    if anchors == "first":
        losses = losses[:n]
    return float(losses.sum() if reduce == "sum" else losses.mean())
