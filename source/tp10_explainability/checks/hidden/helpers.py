"""TP10's code shared by its hidden checks (never released)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from autograder.checks import (
    CheckFailed,
    Handle,
    KernelSide,
    Ref,
    Tensor,
    assert_arguments_untouched,
    kernel_side,
    with_references,
)

from ..public.helpers import build_model, cnn_class


class RefCNN(cnn_class()):
    """The grader's float64 copy of the kernel model."""

    def margin(self, X: torch.Tensor) -> float:
        """Smallest distance of a pre-activation, or of a max-pooling winner, to a kink."""
        z1 = self.conv1(X)
        a1 = torch.relu(z1)
        windows = a1.unfold(2, 2, 2).unfold(3, 2, 2).reshape(*a1.shape[:2], -1, 4)
        top = windows.topk(2, dim=-1).values
        gaps = (top[..., 0] - top[..., 1])[top[..., 0] > 0]
        z2 = self.conv2(F.max_pool2d(a1, 2))
        z3 = self.fc1(torch.relu(z2).flatten(1))
        parts = [z1.abs().min(), z2.abs().min(), z3.abs().min()]
        if gaps.numel():
            parts.append(gaps.min())
        return float(min(parts))


@kernel_side
def x_touched(fn, args, i):
    """Runs in the kernel: whether fn(*args) left args[i] requiring a gradient, or a .grad."""
    args = list(args)
    args[i] = args[i].detach().clone()
    fn(*args)
    return bool(args[i].requires_grad or args[i].grad is not None)


def leaves_its_arguments(submission, fn: str, args: tuple, names: dict[int, str],
                         hint: tuple[str, str],
                         references: Mapping[str, str | KernelSide[Any]] | None = None) -> None:
    """The conventions' rule: fn(*args) neither modifies its array arguments in place nor
    makes the image args[1] require a gradient (the gradient is taken on a copy).
    `references` as for `with_references`: fn's other dependencies replaced by the grader's."""
    assert_arguments_untouched(submission, fn, args, names, hint_fr=hint[0], hint_en=hint[1],
                               references=references)
    if references:
        touched = with_references(submission, references, fn, Ref(fn), list(args), 1,
                                  via=x_touched.install(submission).name)
    else:
        touched = x_touched.call(submission, Ref(fn), list(args), 1)
    if touched is True:
        x = names[1]
        raise CheckFailed(
            f"{fn} rend le {x} de l'appelant « requires_grad » ou lui laisse un .grad : prenez le "
            f"gradient sur une copie, {x}.detach().clone().requires_grad_(True)",
            f"{fn} makes the caller's {x} require a gradient, or leaves a .grad on it: take the "
            f"gradient on a copy, {x}.detach().clone().requires_grad_(True)",
        )


def draw_weights(model: torch.nn.Module, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Grader weights for `model`'s parameters, in float32: He-normal weights, N(0, 0.1²) biases."""
    weights = {}
    for name, p in model.named_parameters():
        std = np.sqrt(2.0 / p[0].numel()) if name.endswith("weight") else 0.1
        weights[name] = rng.normal(0.0, std, size=tuple(p.shape)).astype(np.float32)
    return weights


class KernelCNN:
    """A grader-drawn CNN (`dims`, `weights`) that the checks build in the kernel."""

    dims: list[int]
    weights: dict[str, np.ndarray]

    def kernel(self, submission) -> Handle:
        return build_model.call(submission, "cnn", self.dims,
                                {k: Tensor(v) for k, v in self.weights.items()})
