"""TP04's code shared by its hidden checks only (never shipped in the release)."""

from __future__ import annotations

import numpy as np

from autograder.checks import CheckFailed, record_margin

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
