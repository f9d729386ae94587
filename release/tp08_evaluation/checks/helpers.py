"""Kernel-side helpers of TP08's public and hidden checks (shipped with the release)."""

from __future__ import annotations

from autograder.checks import kernel_side


@kernel_side
def inspect_model(modele):
    """What the checks read of a model the student built: is it a module, its size, its layers."""
    from torch import nn

    if not isinstance(modele, nn.Module):
        return {"module": False, "type": type(modele).__name__}
    mods = list(modele.modules())
    return {
        "module": True,
        "type": type(modele).__name__,
        "n_params": int(sum(p.numel() for p in modele.parameters() if p.requires_grad)),
        "n_conv": int(sum(isinstance(m, nn.Conv2d) for m in mods)),
        "n_pool": int(sum(isinstance(m, (nn.MaxPool2d, nn.AdaptiveMaxPool2d, nn.AvgPool2d,
                                         nn.AdaptiveAvgPool2d)) for m in mods)),
    }


@kernel_side
def eval_logits(modele, X):
    """The model's logits in evaluation mode, X moved to the model's device and dtype."""
    import torch

    modele.eval()
    params = list(modele.parameters())
    if params:
        X = X.to(device=params[0].device, dtype=params[0].dtype)
    with torch.no_grad():
        return modele(X)
