"""TP02's hidden helpers (never released)."""

from __future__ import annotations

import torch


def torch_adam(params, grads_seq, lr, b1=0.9, b2=0.999, eps=1e-8):
    """Trajectory of torch.optim.Adam (float64): a list of {name: array}, one per step."""
    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    opt = torch.optim.Adam(list(tensors.values()), lr=lr, betas=(b1, b2), eps=eps)
    out = []
    for grads in grads_seq:
        for k, t in tensors.items():
            t.grad = torch.tensor(grads[k], dtype=torch.float64)
        opt.step()
        out.append({k: t.detach().numpy().copy() for k, t in tensors.items()})
    return out
