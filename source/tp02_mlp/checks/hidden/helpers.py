"""TP02's hidden helpers (never released)."""

from __future__ import annotations

from typing import Any

import torch

from autograder.checks import CheckFailed, Ref, SubmissionError, kernel_side, relabel


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


# The statement's rule "vos fonctions ne doivent pas modifier leurs arguments" (issue 12), as in TP01.
@kernel_side
def changed_arguments(fn, args, watch, atol):
    """Calls fn(*args); returns the indices in `watch` whose argument changed (beyond atol)."""
    import copy

    import numpy as np

    def as_np(v):
        if hasattr(v, "detach"):
            return v.detach().cpu().numpy()
        return np.asarray(v)

    before = {i: copy.deepcopy(args[i]) for i in watch}
    fn(*args)
    changed = []
    for i in watch:
        a, b = as_np(args[i]), as_np(before[i])
        try:
            same = a.shape == b.shape and bool(
                np.allclose(a, b, rtol=0.0, atol=atol, equal_nan=True)
            )
        except TypeError:
            same = False
        if not same:
            changed.append(i)
    return changed


def assert_arguments_untouched(
    submission: Any,
    fn: str,
    args: tuple,
    names: dict[int, str],
    *,
    atol: float = 0.0,
    hint_fr: str,
    hint_en: str,
) -> None:
    """Fails when `fn(*args)` modifies one of the arguments `names` (index → name) in place."""
    try:
        changed = changed_arguments.call(submission, Ref(fn), list(args), list(names), atol)
    except SubmissionError as exc:
        raise relabel(exc, changed_arguments.ref_name, fn) from None
    if not isinstance(changed, list):
        changed = list(names)
    if changed:
        which = ", ".join(names[int(i)] for i in changed if int(i) in names) or "ses arguments"
        raise CheckFailed(
            f"{fn} modifie sur place ce qu'on lui passe ({which}) : la consigne demande de ne pas "
            f"modifier les arguments ; {hint_fr}",
            f"{fn} modifies what it is given in place ({which}): the statement asks not to modify "
            f"the arguments; {hint_en}",
        )
