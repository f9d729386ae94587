"""The statement's rule "vos fonctions ne doivent pas modifier leurs arguments", checked where
it can be seen: in the student's kernel, on the grader's inputs, each watched argument compared
before and after the call (an argument modified in place never travels back to the grader).
`arguments_after_call` gives back what the same calls left in them, for a hint that names the
write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autograder.bridge.values import Ref, SubmissionError
from autograder.checks.errors import CheckFailed
from autograder.checks.kernel_code import KernelSide, kernel_side
from autograder.checks.references import relabel, with_references


@kernel_side
def other_float(v):
    """v with each float array or tensor in the other float dtype (float32 <-> float64), or
    None when it holds none: the student's float conversion decides whether the caller's array
    is copied (np.asarray(X, dtype=np.float32) copies a float64 X and writes into a float32
    one), so a write is looked for in both."""
    import numpy as np
    import torch

    if isinstance(v, dict):
        out = {k: other_float(x) for k, x in v.items()}
        return None if all(x is None for x in out.values()) else {
            k: v[k] if out[k] is None else out[k] for k in v}
    if isinstance(v, (list, tuple)):
        out = [other_float(x) for x in v]
        return None if all(x is None for x in out) else type(v)(
            a if b is None else b for a, b in zip(v, out, strict=True))
    kind = getattr(v, "dtype", None)
    if hasattr(v, "detach") and kind is not None and v.is_floating_point() and kind in (
            torch.float32, torch.float64):
        return v.detach().clone().to(torch.float64 if kind == torch.float32 else torch.float32
                                     ).requires_grad_(v.requires_grad)
    if isinstance(v, np.ndarray) and kind in (np.float32, np.float64):
        return v.astype(np.float64 if kind == np.float32 else np.float32)
    return None


@kernel_side(uses=(other_float,))
def changed_arguments(fn, args, watch, atol, kwargs=None):
    """Calls fn(*args, **kwargs); returns [index, path] for each watched argument that changed
    (beyond atol): path is "" for the argument itself, "['W']" or "[0]" for an entry of a
    dict, list or tuple of arrays or tensors, compared entry by entry (a dict that lost or
    gained a key, a list that changed length: the container itself)."""
    import copy

    import numpy as np

    kwargs = kwargs or {}

    def as_np(v):
        if hasattr(v, "detach"):
            return v.detach().cpu().numpy()
        return np.asarray(v)

    def diff(a, b, path, out, rtol, tol):
        if isinstance(b, dict):
            if not isinstance(a, dict) or set(a) != set(b):
                out.append(path)
                return
            for k in b:
                diff(a[k], b[k], f"{path}[{k!r}]", out, rtol, tol)
            return
        if isinstance(b, (list, tuple)):
            if not isinstance(a, (list, tuple)) or len(a) != len(b):
                out.append(path)
                return
            for k, (x, y) in enumerate(zip(a, b, strict=True)):
                diff(x, y, f"{path}[{k}]", out, rtol, tol)
            return
        try:
            x, y = as_np(a), as_np(b)
            same = x.shape == y.shape and bool(np.allclose(x, y, rtol=rtol, atol=tol, equal_nan=True))
        except (TypeError, ValueError):
            same = False
        if not same:
            out.append(path)

    def run(args, rtol, tol):
        before = {i: copy.deepcopy(args[i]) for i in watch}
        fn(*args, **kwargs)
        changed = []
        for i in watch:
            paths = []
            diff(args[i], before[i], "", paths, rtol, tol)
            changed.extend([i, p] for p in paths)
        return changed

    # The student's float conversion decides whether the caller's array is copied:
    # np.asarray(X, dtype=np.float32) copies a float64 X and writes into a float32 one. Called
    # again with the watched arrays in the other float dtype, an answer that modifies only the
    # dtype it converts to is seen too (its errors there are not the check's business).
    changed = run(list(args), 0.0, atol)
    if changed:
        return changed
    swapped = {i: other_float(args[i]) for i in watch}
    if all(v is None for v in swapped.values()):
        return changed
    again = [swapped.get(i) if swapped.get(i) is not None else a for i, a in enumerate(args)]
    try:
        # An argument touched and restored (x[i] += h; ...; x[i] -= h) comes back within
        # float32 rounding in float32, not within atol: this call allows that rounding, far
        # below what a write of other values leaves.
        return run(again, 1e-5, max(atol, 1e-6))
    except Exception:  # noqa: BLE001 - the first call's outcome stands
        return changed


@kernel_side(uses=(other_float,))
def watched_after_calls(fn, args, watch, kwargs=None):
    """Calls fn(*args, **kwargs) as changed_arguments does: with the arguments as given, then
    (when a watched one holds floats) with the watched ones in the other float dtype. For each
    call, the watched arguments after it (in the order of `watch`, None: every positional one;
    arrays and tensors as NumPy arrays, dicts, lists and tuples entry by entry), or None where
    the call raised."""
    import numpy as np

    kwargs = kwargs or {}
    watch = range(len(args)) if watch is None else watch

    def as_np(v):
        if isinstance(v, dict):
            return {k: as_np(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [as_np(x) for x in v]
        if hasattr(v, "detach"):
            return v.detach().cpu().numpy()
        return np.asarray(v)

    # The swapped copies are made before the first call can write into the arguments.
    swapped = {i: other_float(args[i]) for i in watch}
    calls = [list(args)]
    if any(v is not None for v in swapped.values()):
        calls.append([swapped.get(i) if swapped.get(i) is not None else a for i, a in enumerate(args)])
    out = []
    for a in calls:
        try:
            fn(*a, **kwargs)
        except Exception:  # noqa: BLE001 - its errors are the other checks' business
            out.append(None)
            continue
        out.append([as_np(a[i]) for i in watch])
    return out


def changed_argument_names(
    submission: Any,
    fn: str,
    args: tuple | list,
    names: dict[int, str],
    *,
    atol: float = 0.0,
    references: Mapping[str, str | KernelSide[Any]] | None = None,
    kwargs: Mapping[str, Any] | None = None,
) -> list[str]:
    """Calls the student's `fn(*args, **kwargs)` in the kernel; the names (index → name in
    `names`) of the arguments it modified in place, an entry of a dict or list named by its
    path ("p['W_xf']", "grads[1]"). For a TP that words the rule itself; the others call
    `assert_arguments_untouched`. `references` as for `with_references`."""
    try:
        if references:
            changed_arguments.install(submission)
            changed = with_references(
                submission, references, fn, Ref(fn), list(args), list(names), atol, dict(kwargs or {}),
                via=changed_arguments.ref_name,
            )
        else:
            changed = changed_arguments.call(submission, Ref(fn), list(args), list(names), atol,
                                             dict(kwargs or {}))
    except SubmissionError as exc:
        raise relabel(exc, changed_arguments.ref_name, fn) from None
    if not isinstance(changed, list):
        return list(names.values())
    out = []
    for entry in changed:
        if isinstance(entry, (list, tuple)) and len(entry) == 2 and int(entry[0]) in names:
            out.append(f"{names[int(entry[0])]}{entry[1]}")
    return out if out or not changed else list(names.values())


def arguments_after_call(
    submission: Any,
    fn: str,
    args: tuple | list,
    watch: tuple[int, ...] | list[int] | None = None,
    *,
    kwargs: Mapping[str, Any] | None = None,
) -> list[list[Any] | None]:
    """What the student's `fn(*args, **kwargs)` left in the arguments `watch` (indices; None:
    every positional argument), seen in the kernel on the calls `changed_argument_names` makes
    (as given, then the floats in the other float dtype): one entry per call, the watched
    arguments after it as arrays (None where the call raised). For a hint that names the write
    (a row shifted, an array divided), once `changed_argument_names` found one. A value that is
    not that list is an empty list. (Without `watch`, the call sends the kernel no number of
    the grader's own: the leak test's record of what the student's code was given stays the
    arguments alone.)"""
    try:
        after = watched_after_calls.call(submission, Ref(fn), list(args),
                                         None if watch is None else list(watch), dict(kwargs or {}))
    except SubmissionError as exc:
        raise relabel(exc, watched_after_calls.ref_name, fn) from None
    if not isinstance(after, list):
        return []
    n = len(args) if watch is None else len(watch)
    return [w if isinstance(w, list) and len(w) == n else None for w in after]


def arguments_changed(
    fn: str,
    changed: list[str],
    hint: tuple[str, str] | Mapping[str, tuple[str, str]],
    *,
    extra: tuple[str, str] | None = None,
) -> CheckFailed:
    """The statement's rule (arguments not modified) broken by `fn` on the arguments `changed`
    names. `hint` is one (fr, en) advice, or an advice per argument name: then only the advice
    of the arguments actually changed is given (an entry "params['W1']" counts for params), not
    a write the student may not have made (`x *= …` told "pas w += …"). `extra`, an observation
    of the write whose premise the caller checked, follows."""
    if isinstance(hint, tuple):
        parts = [hint]
    else:
        hit = [n for n in hint if any(c == n or c.startswith(f"{n}[") for c in changed)]
        parts = [hint[n] for n in hit] or list(hint.values())[:1]
    if extra:
        parts.append(extra)
    which = ", ".join(changed)
    return CheckFailed(
        f"{fn} modifie sur place ce qu'on lui passe ({which}) : la consigne demande de ne pas "
        "modifier les arguments ; " + " ; ".join(fr for fr, _ in parts),
        f"{fn} modifies what it is given in place ({which}): the statement asks not to modify "
        "the arguments; " + "; ".join(en for _, en in parts),
    )


def assert_arguments_untouched(
    submission: Any,
    fn: str,
    args: tuple,
    names: dict[int, str],
    *,
    atol: float = 0.0,
    hint_fr: str = "",
    hint_en: str = "",
    advice: Mapping[str, tuple[str, str]] | None = None,
    references: Mapping[str, str | KernelSide[Any]] | None = None,
) -> None:
    """Fails when `fn(*args)` modifies one of the arguments `names` (index → name) in place.

    The advice is `hint_fr`/`hint_en`, or `advice` per argument name (`arguments_changed`).
    `references` (as for `with_references`) replaces the student's other functions that `fn`
    calls by the grader's for the call: a dependency that modifies its own arguments then costs
    points in its own item only.
    """
    changed = changed_argument_names(submission, fn, args, names, atol=atol, references=references)
    if changed:
        raise arguments_changed(fn, changed, advice if advice else (hint_fr, hint_en))
