"""TP02's hidden helpers (never released)."""

from __future__ import annotations

import torch


def torch_adam(params, grads_seq, lr, b1=0.9, b2=0.999, eps=1e-8, dtype=torch.float64):
    """Trajectory of torch.optim.Adam (float64 unless `dtype` says otherwise): a list of
    {name: float64 array}, one per step."""
    tensors = {k: torch.tensor(v, dtype=dtype, requires_grad=True) for k, v in params.items()}
    opt = torch.optim.Adam(list(tensors.values()), lr=lr, betas=(b1, b2), eps=eps)
    out = []
    for grads in grads_seq:
        for k, t in tensors.items():
            t.grad = torch.tensor(grads[k], dtype=dtype)
        opt.step()
        out.append({k: t.detach().double().numpy().copy() for k, t in tensors.items()})
    return out
