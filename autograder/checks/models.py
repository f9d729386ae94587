"""The model a student's function builds: seeded, checked to be an `nn.Module`, described.

Statements ask for functions that return a new model (`creer_cnn()`, `creer_mlp()`); their
checks all start the same way: seed torch's global generator (so the student's initial
weights are reproducible), call the function, refuse anything that is not an `nn.Module`
with the same message, and read what the TP needs of the model in the kernel. What a TP
reads (convolutions, recurrent layers, a forget-gate bias) is its own `describe`: a
`@kernel_side` function returning a dict with "module" (and "type" when it is not one).
"""

from __future__ import annotations

from typing import Any

from autograder.bridge.proxy import Submission
from autograder.bridge.values import Handle
from autograder.checks.errors import CheckFailed
from autograder.checks.kernel_code import KernelSide, kernel_side


@kernel_side
def seed_torch(graine):
    """torch.manual_seed(graine) in the kernel, before the student's model is built."""
    import torch

    torch.manual_seed(int(graine))


@kernel_side
def describe_module(modele):
    """The least a check reads of a model: is it an nn.Module, its type, its trainable size."""
    import torch

    if not isinstance(modele, torch.nn.Module):
        return {"module": False, "type": type(modele).__name__}
    return {
        "module": True,
        "type": type(modele).__name__,
        "n_params": int(sum(p.numel() for p in modele.parameters() if p.requires_grad)),
    }


def module_info(
    submission: Submission, model: object, what: str, describe: KernelSide[Any] = describe_module
) -> dict:
    """`describe(model)` read in the kernel, or the failure "`what` doit renvoyer un
    nn.Module, obtenu <type>" when the student's value is not a model."""
    info = describe.call(submission, model) if isinstance(model, Handle) else None
    if not isinstance(info, dict) or info.get("module") is not True:
        kind = model.type_name if isinstance(model, Handle) else type(model).__name__
        raise CheckFailed(
            f"{what} doit renvoyer un nn.Module, obtenu {kind}",
            f"{what} must return an nn.Module, got {kind}",
        )
    return info


def built_module(
    submission: Submission, name: str, seed: int, describe: KernelSide[Any] = describe_module
) -> tuple[Handle, dict]:
    """The student's model `name()` built after torch.manual_seed(seed), and `describe`'s
    reading of it; errors raised by `name()` reach the check as `StudentError`."""
    seed_torch.call(submission, seed)
    model = submission.call(name)
    return model, module_info(submission, model, f"{name}()", describe)
