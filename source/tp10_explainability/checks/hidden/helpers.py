"""TP10's code shared by its hidden checks (never released)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from autograder.checks import (
    CheckFailed,
    Handle,
    KernelSide,
    Ref,
    StudentError,
    Tensor,
    changed_argument_names,
    kernel_side,
    with_references,
)

from ..public.helpers import build_model, cnn_class, explained_failure


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


@kernel_side
def model_changes(fn, args, i):
    """Runs in the kernel: calls fn(*args); what the call changed in the model args[i], as
    words among "parametres", "dtype", "device", "requires_grad", "mode", "valeurs" (its
    parameters' .grad is not watched: backward() fills it, which the statement allows)."""
    import torch

    modele = args[i]

    def state():
        tensors = {("p", n): t for n, t in modele.named_parameters()}
        tensors.update({("b", n): t for n, t in modele.named_buffers()})
        return ({k: (t.dtype, str(t.device), bool(t.requires_grad), t.detach().cpu().clone())
                 for k, t in tensors.items()},
                {n: bool(m.training) for n, m in modele.named_modules()})

    before, modes = state()
    fn(*args)
    after, modes_after = state()
    out = []
    if set(before) != set(after):
        out.append("parametres")
    common = [k for k in before if k in after]
    for word, j in (("dtype", 0), ("device", 1), ("requires_grad", 2)):
        if any(before[k][j] != after[k][j] for k in common):
            out.append(word)
    if modes != modes_after:
        out.append("mode")
    if any(before[k][3].shape != after[k][3].shape
           or not torch.equal(before[k][3].double(), after[k][3].double()) for k in common):
        out.append("valeurs")
    return out


_MODEL_FAULTS = {
    "dtype": (
        "convertit le modèle de l'appelant (ses paramètres changent de dtype) : modele.double(), "
        "modele.float() ou modele.to(…) convertissent le module SUR PLACE ; calculez avec le "
        "modèle tel qu'il est, ou sur une copie (copy.deepcopy(modele))",
        "converts the caller's model (its parameters change dtype): modele.double(), "
        "modele.float() or modele.to(…) convert the module IN PLACE; compute with the model as "
        "it is, or on a copy (copy.deepcopy(modele))",
    ),
    "device": (
        "déplace le modèle de l'appelant sur un autre appareil : modele.to(device) déplace le "
        "module SUR PLACE ; calculez sur l'appareil où est le modèle",
        "moves the caller's model to another device: modele.to(device) moves the module IN "
        "PLACE; compute on the model's device",
    ),
    "requires_grad": (
        "change requires_grad des paramètres du modèle de l'appelant (p.requires_grad_(False) "
        "le gèle pour la suite) : torch.autograd.grad(y_c, x) ne calcule que le gradient "
        "demandé, sans toucher aux paramètres",
        "changes requires_grad of the caller's model parameters (p.requires_grad_(False) "
        "freezes it for what follows): torch.autograd.grad(y_c, x) computes only the gradient "
        "asked for, without touching the parameters",
    ),
    "mode": (
        "laisse le modèle de l'appelant dans un autre mode que celui reçu (modele.train() ou "
        "modele.eval()) : le gradient par rapport à l'entrée ne demande pas modele.train() ; "
        "ne changez pas le mode du modèle reçu",
        "leaves the caller's model in another mode than the one it received (modele.train() or "
        "modele.eval()): the gradient with respect to the input does not need modele.train(); "
        "do not change the mode of the model received",
    ),
    "valeurs": (
        "modifie les poids du modèle de l'appelant : ne modifiez jamais ses paramètres (pas "
        "d'optimiseur, pas de p.data…) ; travaillez sur une copie si besoin "
        "(copy.deepcopy(modele))",
        "modifies the weights of the caller's model: never modify its parameters (no "
        "optimiser, no p.data…); work on a copy if needed (copy.deepcopy(modele))",
    ),
    "parametres": (
        "ajoute ou retire des paramètres au modèle de l'appelant : ne modifiez pas modele, "
        "travaillez sur une copie (copy.deepcopy(modele))",
        "adds parameters to the caller's model or removes some: do not modify modele, work on "
        "a copy (copy.deepcopy(modele))",
    ),
}


def assert_model_untouched(submission, fn: str, args: tuple, i: int = 0,
                           references: Mapping[str, str | KernelSide[Any]] | None = None) -> None:
    """The conventions' rule for `modele` (args[i]): fn(*args) leaves its parameters (values,
    dtype, device, requires_grad) and its mode (train/eval) as they were."""
    try:
        if references:
            changes = with_references(submission, references, fn, Ref(fn), list(args), i,
                                      via=model_changes.install(submission).name)
        else:
            changes = model_changes.call(submission, Ref(fn), list(args), i)
    except StudentError as exc:
        raise explained_failure(fn, exc) from None
    for word, (fr, en) in _MODEL_FAULTS.items():
        if isinstance(changes, list) and word in changes:
            raise CheckFailed(
                f"{fn} {fr} ; la consigne demande de ne pas modifier modele",
                f"{fn} {en}; the statement asks not to modify modele",
            )


def leaves_its_arguments(submission, fn: str, args: tuple, names: dict[int, str],
                         hint: tuple[str, str] | Callable[[list[str]], tuple[str, str]],
                         references: Mapping[str, str | KernelSide[Any]] | None = None) -> None:
    """The conventions' rule: fn(*args) neither modifies its array arguments in place nor
    makes the image args[1] require a gradient (the gradient is taken on a copy), nor
    changes the model args[0] (a model the grader has just built: one an earlier call
    converted in place would show no change). `hint` is (fr, en), or a function of the
    names of the arguments modified giving it, to name only what was modified.
    `references` as for `with_references`: fn's other dependencies replaced by the grader's."""
    # The model first: the calls below may change it (args[0] is a model fresh from the grader).
    assert_model_untouched(submission, fn, args, 0, references=references)
    changed = changed_argument_names(submission, fn, args, names, references=references)
    if changed:
        which = ", ".join(changed)
        fr, en = hint(changed) if callable(hint) else hint
        raise CheckFailed(
            f"{fn} modifie sur place ce qu'on lui passe ({which}) : la consigne demande de ne pas "
            f"modifier les arguments ; {fr}",
            f"{fn} modifies what it is given in place ({which}): the statement asks not to modify "
            f"the arguments; {en}",
        )
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
