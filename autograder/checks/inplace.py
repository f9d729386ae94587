"""The statement's rule "vos fonctions ne doivent pas modifier leurs arguments", checked where
it can be seen: in the student's kernel, on the grader's inputs, each watched argument compared
before and after the call (an argument modified in place never travels back to the grader)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autograder.bridge.values import Ref, SubmissionError
from autograder.checks.errors import CheckFailed
from autograder.checks.kernel_code import KernelSide, kernel_side
from autograder.checks.references import relabel, with_references


@kernel_side
def changed_arguments(fn, args, watch, atol):
    """Calls fn(*args); returns the indices in `watch` whose argument changed (beyond atol)."""
    import copy

    import numpy as np

    def as_np(v):
        if hasattr(v, "detach"):
            return v.detach().cpu().numpy()
        return np.asarray(v)

    def same(a, b):
        # A dict (params, a cache) or a list is compared entry by entry: a key added, removed or
        # rebound, an entry modified, an item popped all count as changes.
        if isinstance(b, dict):
            return isinstance(a, dict) and list(a) == list(b) and all(same(a[k], b[k]) for k in b)
        if isinstance(b, (list, tuple)):
            return (
                isinstance(a, type(b)) and len(a) == len(b) and all(same(u, v) for u, v in zip(a, b, strict=True))
            )
        a, b = as_np(a), as_np(b)
        try:
            return a.shape == b.shape and bool(np.allclose(a, b, rtol=0.0, atol=atol, equal_nan=True))
        except TypeError:
            return False

    before = {i: copy.deepcopy(args[i]) for i in watch}
    fn(*args)
    return [i for i in watch if not same(args[i], before[i])]


def assert_arguments_untouched(
    submission: Any,
    fn: str,
    args: tuple,
    names: dict[int, str],
    *,
    atol: float = 0.0,
    hint_fr: str,
    hint_en: str,
    references: Mapping[str, str | KernelSide[Any]] | None = None,
) -> None:
    """Fails when `fn(*args)` modifies one of the arguments `names` (index → name) in place.

    `references` (as for `with_references`) replaces the student's other functions that `fn`
    calls by the grader's for the call: a dependency that modifies its own arguments then costs
    points in its own item only.
    """
    try:
        if references:
            changed_arguments.install(submission)
            changed = with_references(
                submission, references, fn, Ref(fn), list(args), list(names), atol,
                via=changed_arguments.ref_name,
            )
        else:
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
