"""Call a student's function with some of their OTHER answers replaced by the grader's.

An item that uses another of the student's functions (a training loop calling their loss,
a loss calling their KL) would lose points for a bug in that dependency, with a hint about
the wrong item. Graded through `with_references`, it runs against the grader's reference
of each dependency, so one bug costs points once, where it is. The references are
self-contained sources (their own imports) defining the notebook global of the same name,
or `@kernel_side` declarations (linted, callable here as an oracle) bound to that name;
they are swapped into the notebook's globals for the length of the call, then put back.
A reference may use the notebook's other names (its imports, a given class to subclass).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autograder.bridge.proxy import Submission
from autograder.bridge.values import SubmissionError
from autograder.checks.guards import _renamed
from autograder.checks.kernel_code import KernelSide

HELPER = "_ag_avec_references"

_KERNEL_SOURCE = '''
def _ag_avec_references(_ag_sources, _ag_name, *args, **kwargs):
    """Call the global `_ag_name` with each name of `_ag_sources` bound to its reference."""
    _g = globals()
    _ns = dict(_g)  # references may use the notebook's other names (imports, given classes)
    for _src in _ag_sources.values():
        exec(_src, _ns)
    _missing = object()
    _saved = {_n: _g.get(_n, _missing) for _n in _ag_sources}
    try:
        for _n in _ag_sources:
            _g[_n] = _ns[_n]
        if _ag_name not in _g:
            raise NameError(_ag_name)
        return _g[_ag_name](*args, **kwargs)
    finally:
        for _n, _v in _saved.items():
            if _v is _missing:
                _g.pop(_n, None)
            else:
                _g[_n] = _v
'''


def references_source() -> str:
    """The kernel source of the helper (for tests, or a TP helper that calls it itself)."""
    return _KERNEL_SOURCE


def reference_source(name: str, reference: str | KernelSide[Any]) -> str:
    """The source that defines the notebook global `name` as `reference`.

    A `@kernel_side` reference brings its `uses` along and is bound to `name` whatever its
    own name (`reference_kl` can stand for the student's `kl`)."""
    if isinstance(reference, str):
        return reference
    if isinstance(reference, KernelSide):
        body = reference.definitions()
        return body if reference.name == name else f"{body}\n{name} = {reference.name}\n"
    raise ValueError(f"with_references: bad reference for {name!r}: {reference!r}")


def with_references(
    submission: Submission,
    references: Mapping[str, str | KernelSide[Any]],
    name: str,
    *args: Any,
    via: str | None = None,
    timeout: float | None = None,
    **kwargs: Any,
) -> Any:
    """`submission.call(name, ...)` with the globals named in `references` replaced.

    `references` maps a notebook global (a function or class the student wrote) to a
    source defining it, or to a `@kernel_side` declaration; sources share one namespace, so references may call one another.
    `via` calls another kernel function instead (a grader helper that runs `name` itself).
    Errors are the submission's usual ones, labelled `name` rather than the helper.
    """
    sources = {}
    for ref_name, reference in references.items():
        if not isinstance(ref_name, str) or not ref_name.isidentifier():
            raise ValueError(f"with_references: bad reference {ref_name!r}")
        sources[ref_name] = reference_source(ref_name, reference)
    try:
        # Defined again before every call: the student's code may have rebound the name.
        submission.define(HELPER, _KERNEL_SOURCE)
        return submission.call(
            HELPER, sources, via or name, *args, timeout=timeout, **kwargs
        )
    except SubmissionError as exc:
        raise relabel(relabel(exc, HELPER, name), via or name, name) from None


def relabel(exc: SubmissionError, helper: str, name: str) -> SubmissionError:
    """`exc`, raised while a grader helper ran the student's `name`, labelled `name`."""
    return _renamed(exc, helper, name, name)
