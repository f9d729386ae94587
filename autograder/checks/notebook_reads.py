"""Which of the notebook's data a student's function reads by global name.

A function graded on grader data that reads `X_digits`, `pv` or `y_app_rot` instead of its
arguments fails in ways each check explains by its own symptom (a shape error, examples seen
twice, a wrong accuracy). The cause is visible in the function itself: its bytecode loads
that global. One reader serves the engine's diagnosis (`autograder.grading.diagnose`, large
arrays only) and the TPs' premise-checked hints (any array): what counts as data is the
caller's `min_rows` and `min_size`, never a second implementation. The same walk finds the
notebook's models (`notebook_model_reads`): a function handed `modele` that uses the notebook's
trained `model` instead is the same fault with another kind of value.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograder.bridge.values import Ref
from autograder.checks.kernel_code import kernel_side

#: At most this many variables and parameters come back per function.
MAX_VARIABLES = 8
MAX_PARAMS = 12


@kernel_side
def read_notebook_data(obj, min_rows, min_size, kind="data"):
    """The notebook globals of `kind` that `obj` (a function, or a class's methods) loads by
    global name, following the notebook functions it calls, and its parameters. "data": a NumPy
    array or tensor with at least `min_rows` rows (0: any) and `min_size` values, or a dict,
    list or tuple holding one; "models": a torch nn.Module. Reads bytecode and dictionaries
    only: nothing of the student's runs."""
    import dis
    import inspect
    import sys
    import types

    # No array or tensor exists unless its library was imported: never import one here (torch
    # costs a second in a NumPy-only kernel, for a hint).
    np = sys.modules.get("numpy")
    torch = sys.modules.get("torch")

    def is_array_data(value):
        if np is not None and isinstance(value, np.ndarray):
            shape = value.shape
        elif torch is not None and isinstance(value, torch.Tensor):
            shape = tuple(value.shape)
        else:
            return False
        size = 1
        for d in shape:
            size *= int(d)
        if min_rows > 0 and (len(shape) < 1 or int(shape[0]) < min_rows):
            return False
        return size >= min_size

    def is_data(value):
        if kind == "models":
            return torch is not None and isinstance(value, torch.nn.Module)
        if is_array_data(value):
            return True
        if type(value) is dict and len(value) <= 50:
            return any(is_array_data(v) for v in list(value.values()))
        if type(value) in (list, tuple) and len(value) <= 50:
            return any(is_array_data(v) for v in value)
        return False

    def functions_of(o):
        if isinstance(o, types.FunctionType):
            return [o]
        if isinstance(o, type):
            out = []
            for v in type.__dict__["__dict__"].__get__(o).values():
                v = getattr(v, "__func__", v) if isinstance(v, (staticmethod, classmethod)) else v
                if isinstance(v, types.FunctionType):
                    out.append(v)
            return out
        return []

    def global_loads(code, seen_codes):
        if id(code) in seen_codes or len(seen_codes) > 200:
            return
        seen_codes.add(id(code))
        for ins in dis.get_instructions(code):
            if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME") and isinstance(ins.argval, str):
                yield ins.argval
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                yield from global_loads(const, seen_codes)

    found = []
    todo = [(f, 0) for f in functions_of(obj)]
    seen = set()
    while todo:
        fn, depth = todo.pop()
        if id(fn) in seen or len(seen) > 50:
            continue
        seen.add(id(fn))
        g = fn.__globals__
        for name in global_loads(fn.__code__, set()):
            if name in found or not name.isidentifier() or len(name) > 60:
                continue
            value = g.get(name) if isinstance(g, dict) else None
            if is_data(value):
                # A private name is the notebook's plumbing, not its data.
                if not name.startswith("_"):
                    found.append(name)
            elif depth < 3 and isinstance(value, types.FunctionType) and value.__globals__ is g:
                todo.append((value, depth + 1))
    try:
        params = (
            list(inspect.signature(obj).parameters) if isinstance(obj, types.FunctionType) else []
        )
    except (TypeError, ValueError):
        params = []
    return {"variables": sorted(found), "params": [str(p) for p in params]}


@dataclass(frozen=True)
class NotebookReads:
    """The notebook data (or models) a student's function reads by global name, and its
    parameters (what it should use instead)."""

    function: str
    variables: tuple[str, ...]
    params: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.variables)


def _names(raw: object, limit: int) -> tuple[str, ...]:
    """Identifiers from the kernel, checked: every byte from there is the student's."""
    if not isinstance(raw, list):
        return ()
    ok = [v for v in raw if isinstance(v, str) and v.isidentifier() and len(v) <= 60]
    return tuple(dict.fromkeys(ok))[:limit]


def _reads(
    submission: object, name: str, min_rows: int, min_size: int, kind: str, timeout: float | None
) -> NotebookReads:
    try:
        out = read_notebook_data.call(
            submission, Ref(name), int(min_rows), int(min_size), kind, timeout=timeout
        )
    except Exception:  # noqa: BLE001 - a student name that is not a function, a dead kernel
        return NotebookReads(name, ())
    if not isinstance(out, dict):
        return NotebookReads(name, ())
    return NotebookReads(
        name, _names(out.get("variables"), MAX_VARIABLES), _names(out.get("params"), MAX_PARAMS)
    )


def notebook_data_reads(
    submission: object,
    name: str,
    *,
    min_rows: int = 0,
    min_size: int = 1,
    timeout: float | None = 10,
) -> NotebookReads:
    """What the student's `name` (a function or a class) reads of the notebook's data instead
    of its arguments. A name the kernel cannot resolve, or a call that fails, reads nothing:
    a hint built on it never costs a grade."""
    return _reads(submission, name, min_rows, min_size, "data", timeout)


def notebook_model_reads(
    submission: object, name: str, *, timeout: float | None = 10
) -> NotebookReads:
    """The notebook's models (torch `nn.Module` globals) that the student's `name` uses by
    global name, where it should use the model it is handed. Reads nothing on any failure, as
    `notebook_data_reads`."""
    return _reads(submission, name, 0, 1, "models", timeout)
