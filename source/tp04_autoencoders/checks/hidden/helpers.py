"""TP04's code shared by its hidden checks only (never shipped in the release)."""

from __future__ import annotations

import numpy as np

from autograder.checks import (
    CheckFailed,
    Handle,
    SubmissionError,
    Tensor,
    kernel_side,
    record_margin,
)

from ..public.helpers import digits_images

SPLIT_SEED = 2026  # the grader's split, different from the notebook's


def digits_split() -> list[np.ndarray]:
    """The grader's (train, test) split of the digits, 70 % / 30 %."""
    from sklearn.model_selection import train_test_split

    return train_test_split(digits_images(), test_size=0.3, random_state=SPLIT_SEED)


#: The second learning rate of `assert_first_adam_steps`, as a multiple of the first.
LR_FACTOR = 3.0


def assert_first_adam_steps(fn: str, runs: list[tuple[float, float]], optimiser: str,
                            one_step: bool = True) -> None:
    """The statement's optimiser, Adam with the lr argument, judged from its first step.

    `runs` holds (lr, largest parameter move) after ONE step of `fn` (one epoch, one batch of
    all of X, the same initial model) for lr and LR_FACTOR · lr. Adam's first step moves each
    parameter with a gradient by lr · g / (|g| + 1e-8) ≈ lr, so both moves are ≈ lr (solution:
    1.00 × lr, 3 times larger at 3 × lr). An lr ignored (Adam's default 1e-3, a fixed 1e-2)
    moves the same for both; another optimiser given lr (SGD: lr · g, about 1e-3 × lr here)
    moves in proportion to lr, but not by lr. `optimiser` is the call to write, as the
    statement spells it. Without `one_step` (the call made several steps, or a pass over X with
    gradients on looked like one), the move is several Adam steps: only an lr ignored (the
    same move for both lr) is judged, since the size of the move is no longer ≈ lr."""
    (lr_a, step_a), (lr_b, step_b) = runs
    for lr, step in runs:
        record_margin(f"{fn}: first Adam step / lr", step / lr, 0.5, higher_is_better=True)
    grows = step_b / step_a if step_a > 0 else float("nan")
    follows = abs(grows / (lr_b / lr_a) - 1) < 0.2  # the move scales with lr
    if follows and all(0.5 * lr <= step <= 1.5 * lr for lr, step in runs):
        return
    if not one_step and abs(grows - 1) >= 0.2:
        return  # the move is not a single step: its size says nothing of lr
    ratio = max(step_a / lr_a, step_b / lr_b)
    moved_fr = (f"après un seul pas (1 époque, un lot de tout X), {fn} a déplacé les paramètres "
                f"de {ratio:.2g} × lr au plus")
    moved_en = (f"after a single step (1 epoch, one batch of all of X), {fn} moved the parameters "
                f"by at most {ratio:.2g} × lr")
    if follows:
        raise CheckFailed(
            f"{moved_fr} : {fn} utilise bien l'argument lr (le déplacement lui est proportionnel), "
            "mais le premier pas d'Adam vaut environ lr : l'optimiseur n'est pas celui de l'énoncé "
            f"(SGD, un lr transformé ?) ; utilisez {optimiser}",
            f"{moved_en}: {fn} does use the lr argument (the move is proportional to it), but "
            "Adam's first step is about lr: the optimiser is not the statement's (SGD, a "
            f"transformed lr?); use {optimiser}",
        )
    if abs(grows - 1) < 0.2:
        raise CheckFailed(
            f"{moved_fr}, et autant pour un lr {LR_FACTOR:g} fois plus grand : l'argument lr est "
            f"ignoré ; le premier pas d'Adam vaut environ lr : passez l'argument lr à "
            f"l'optimiseur, {optimiser}",
            f"{moved_en}, and as much for an lr {LR_FACTOR:g} times larger: the lr argument is "
            f"ignored; Adam's first step is about lr: pass the lr argument to the optimiser, "
            f"{optimiser}",
        )
    raise CheckFailed(
        f"{moved_fr} ; le premier pas d'Adam vaut environ lr, quel que soit lr : utilisez "
        f"{optimiser}, avec l'argument lr tel quel",
        f"{moved_en}; Adam's first step is about lr, whatever lr: use {optimiser}, with the lr "
        "argument as it is",
    )


@kernel_side
def layer_grads(model, X, path):
    """One backward of a loss on model(X) (path "forward") or on model.decode(model.encode(X))
    (path "decode_encode"), on a copy of the model: for each parameter of a layer that ran
    during that call (a module with parameters of its own, called as a module), its name and
    whether it received a gradient ("none": the graph was cut before it, by a .detach(), .data,
    torch.no_grad() or requires_grad_(False); "zero"; "ok"). A parameter of no layer that ran
    (unused, or used through F.linear) is not listed."""
    import copy

    import torch

    try:
        model = copy.deepcopy(model)
    except Exception:  # a model that cannot be copied is probed as it is
        pass
    names = {id(p): n for n, p in model.named_parameters()}
    ran = []
    hooks = [
        m.register_forward_pre_hook(lambda m, entree: ran.append(m))
        for m in model.modules()
        if m is not model and any(True for _ in m.parameters(recurse=False))
    ]
    model.zero_grad(set_to_none=True)
    try:
        with torch.enable_grad():
            out = model(X) if path == "forward" else model.decode(model.encode(X))
    finally:
        for h in hooks:
            h.remove()
    if isinstance(out, (tuple, list)):
        out = out[0]
    if isinstance(out, torch.Tensor) and out.requires_grad:
        ((out.float() - 0.25) ** 2).mean().backward()
    rows, seen = [], set()
    for m in ran:
        for p in m.parameters(recurse=False):
            if id(p) in seen:
                continue
            seen.add(id(p))
            g = p.grad
            status = "none" if g is None else ("ok" if bool((g != 0).any()) else "zero")
            rows.append([names.get(id(p), type(m).__name__), status])
    model.zero_grad(set_to_none=True)
    return rows


def assert_every_layer_learns(submission, model: Handle, X: np.ndarray, what: str,
                              paths: tuple[tuple[str, str, str], ...], fix: tuple[str, str]) -> None:
    """Every layer that runs in each of `paths` ((path, shown fr, shown en)) receives a
    gradient from a loss on its output: a `.detach()` in encode (or `.data`, torch.no_grad(),
    requires_grad_(False)) gives the encoder's layers none, and they never train while the
    decoder still does (the model still reconstructs, worse). `fix` says what to write."""
    for path, shown_fr, shown_en in paths:
        try:
            rows = layer_grads.call(submission, model, Tensor(X), path)
        except SubmissionError:
            return  # the model's own error: the shape checks report it
        try:
            cut = [str(name) for name, status in rows if status == "none"]
        except (TypeError, ValueError):
            return
        if cut:
            shown = ", ".join(cut[:4]) + (f" (+{len(cut) - 4})" if len(cut) > 4 else "")
            raise CheckFailed(
                f"{what} : une perte calculée sur {shown_fr} ne donne aucun gradient à {shown} : "
                "le graphe d'autograd est coupé avant ces couches (un .detach(), "
                ".data, torch.no_grad() ou requires_grad_(False)), qui ne s'entraîneraient "
                f"jamais ; {fix[0]}",
                f"{what}: a loss computed on {shown_en} gives no gradient to {shown}: the "
                "autograd graph is cut before these layers (a .detach(), .data, "
                "torch.no_grad() or requires_grad_(False)), which would never train; "
                f"{fix[1]}",
            )
