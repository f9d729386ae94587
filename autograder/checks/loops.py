"""What a recording stand-in model saw of a student's training loop, judged the same way in
every TP: fresh gradients at every step (zero_grad), and an order of examples drawn from the
seed the function receives.

The TP's kernel-side recorder (a small grader model whose hooks note, per step, whether the
gradients were added to the previous step's, and which examples it received) gives the
values: `note_fresh_gradients` installs those hooks (`@kernel_side(uses=(note_fresh_gradients,))`
on the recorder); the other helpers judge what they noted, with one wording for the course.
"""

from __future__ import annotations

import numpy as np

from autograder.checks.errors import CheckFailed
from autograder.checks.kernel_code import kernel_side

#: How a TP calls one optimiser step: (French "of a …", French "of the previous …", English).
UNITS = {
    "lot": ("d'un lot", "du lot précédent", "batch"),
    "étape": ("d'une étape", "de l'étape précédente", "step"),
}


@kernel_side
def note_fresh_gradients(module, cumuls):
    """Hooks on every parameter of `module` (kernel side) that append to `cumuls`, at each
    backward, whether the accumulated gradient is that backward's own: False when the previous
    step's gradient was not zeroed. Returns the dict of each parameter's fresh gradient (by
    position), as backward computed it, before any clipping."""
    import torch

    frais = {}
    for i, p in enumerate(module.parameters()):
        p.register_hook(lambda g, i=i: frais.__setitem__(i, g.detach().clone()))
        p.register_post_accumulate_grad_hook(
            lambda p, i=i: cumuls.append(bool(torch.allclose(p.grad, frais[i])))
        )
    return frais


def check_fresh_gradients(cumuls: object, call: str, *, unit: str = "étape") -> None:
    """Fails when a step's gradients were added to the previous step's (`cumuls`: one bool per
    parameter and step, True when the gradient was fresh), naming zero_grad."""
    of_one, of_previous, en = UNITS[unit]
    if not all(bool(c) for c in cumuls):  # type: ignore[union-attr]
        raise CheckFailed(
            f"{call} : les gradients {of_one} s'ajoutent à ceux {of_previous} : appelez "
            "optimiseur.zero_grad() à chaque étape, avant perte.backward()",
            f"{call}: the gradients of a {en} are added to those of the previous {en}: call "
            "optimiseur.zero_grad() at every step, before perte.backward()",
        )


def check_seeded_order(
    first: np.ndarray,
    again: np.ndarray,
    other: np.ndarray,
    call: str,
    *,
    what: tuple[str, str] = ("exemples", "examples"),
    n: str = "N",
) -> None:
    """Fails unless the same seed gave the same order of examples (`again`) and another seed
    another one (`other`); the hint draws the permutation of `n` from the seed."""
    if not np.array_equal(again, first) or np.array_equal(other, first):
        draw = f"torch.randperm({n}, generator=torch.Generator().manual_seed(seed))"
        raise CheckFailed(
            f"{call} ne tire pas l'ordre des {what[0]} avec son argument seed : la même graine "
            f"doit donner les mêmes lots, une autre graine d'autres lots ; {draw}",
            f"{call} does not draw the order of the {what[1]} from its seed argument: the same "
            f"seed must give the same batches, another seed other batches; {draw}",
        )
