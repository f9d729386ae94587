"""After the checks: a diagnosis no single check can make, added to the feedback of an item
that lost points.

A student function that reads a notebook variable holding data (`X_digits`, `X_pento`)
instead of its arguments fails on the grader's data in ways each check explains by its own
symptom ("des exemples apparaissent dans plusieurs lots", an IndexError, too few steps per
epoch). The cause is visible in the function itself: its bytecode loads that global. For
every item that lost points, the functions and classes its answer cell defines are read in
the kernel (never called), and the first check of the item that lost points says which
notebook data they read. A hint only: the score is the checks'.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from autograder.bridge.values import Ref
from autograder.checks.kernel_code import kernel_side
from autograder.intake.graft import ORIGIN_ANSWER
from autograder.intake.nbio import grade_id
from autograder.results import CheckResult, Message

#: A notebook global counts as data from this many rows (first dimension) and 100 values:
#: a dataset or its labels, not a normalisation constant or a small table.
MIN_ROWS = 32
#: At most this many variables named per item, and functions read per item.
MAX_NAMED = 3
MAX_FUNCTIONS = 8


@kernel_side
def notebook_data_reads(obj, min_rows):
    """The notebook globals holding data (NumPy arrays, tensors, a dict of them) that `obj` (a
    function, or a class's methods) loads by global name, following the notebook functions it calls. Reads
    bytecode and dictionaries only: nothing of the student's runs."""
    import dis
    import types

    try:
        import numpy as np
    except Exception:  # noqa: BLE001
        np = None
    try:
        import torch
    except Exception:  # noqa: BLE001
        torch = None

    def shape_of(value):
        if np is not None and isinstance(value, np.ndarray):
            shape = value.shape
        elif torch is not None and isinstance(value, torch.Tensor):
            shape = tuple(value.shape)
        else:
            return None
        size = 1
        for d in shape:
            size *= int(d)
        if len(shape) >= 1 and int(shape[0]) >= min_rows and size >= 100:
            return [int(d) for d in shape]
        return None

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

    found = {}
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
            shape = shape_of(value)
            if shape is None and type(value) is dict and len(value) <= 50:
                # A dict of arrays (the notebook's parameters): the first data-like value's shape.
                shape = next((s for s in map(shape_of, list(value.values())) if s is not None), None)
            if shape is not None:
                found[name] = shape
            elif depth < 3 and isinstance(value, types.FunctionType) and value.__globals__ is g:
                todo.append((value, depth + 1))
    return sorted([name, shape] for name, shape in found.items())


@dataclass(frozen=True)
class DataRead:
    """A notebook variable holding data that a function of an answer cell reads."""

    function: str
    variable: str
    shape: tuple[int, ...]


def defined_names(source: str) -> tuple[str, ...]:
    """The functions and classes a cell defines at top level (none when it does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return ()
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return tuple(dict.fromkeys(n.name for n in tree.body if isinstance(n, kinds)))


def answer_definitions(nb: Mapping[str, Any], origins: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """grade_id -> the names its answer cell (the student's) defines."""
    out: dict[str, tuple[str, ...]] = {}
    for cell, origin in zip(nb.get("cells", []), origins, strict=False):
        gid = grade_id(cell)
        if origin != ORIGIN_ANSWER or not gid or cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        out[gid] = defined_names(src)
    return out


def _valid(row: Any) -> tuple[str, tuple[int, ...]] | None:
    """A row from the kernel, checked: every byte from there is the student's."""
    if not (isinstance(row, list) and len(row) == 2):
        return None
    name, shape = row
    if not (isinstance(name, str) and name.isidentifier() and len(name) <= 60):
        return None
    if not (isinstance(shape, list) and 1 <= len(shape) <= 8 and all(type(d) is int and d >= 0 for d in shape)):
        return None
    return name, tuple(shape)


def data_reads(submission: Any, names: Iterable[str], min_rows: int = MIN_ROWS) -> list[DataRead]:
    """What each named function or class of the student reads of the notebook's data.

    A name the kernel cannot resolve, or a call that fails, gives nothing: a diagnosis never
    costs a grade."""
    out: list[DataRead] = []
    for name in list(names)[:MAX_FUNCTIONS]:
        try:
            rows = notebook_data_reads.call(submission, Ref(name), min_rows, timeout=10)
        except Exception:  # noqa: BLE001 - a student name that is not a function, a dead kernel
            continue
        for row in rows if isinstance(rows, list) else []:
            ok = _valid(row)
            if ok is not None:
                out.append(DataRead(name, ok[0], ok[1]))
    return out


def data_read_message(reads: Sequence[DataRead]) -> Message:
    """The hint: which function reads which notebook variables."""
    by_fn: dict[str, list[DataRead]] = {}
    for r in reads:
        by_fn.setdefault(r.function, []).append(r)
    fr, en = [], []
    for fn, rs in by_fn.items():
        # Names only: a shape could print a number a hidden check expects (tests/leaks.py).
        variables = ", ".join(f"`{r.variable}`" for r in rs[:MAX_NAMED])
        plural = len(rs[:MAX_NAMED]) > 1
        fr.append(f"`{fn}` lit {'les variables' if plural else 'la variable'} du notebook {variables}")
        en.append(f"`{fn}` reads the notebook variable{'s' if plural else ''} {variables}")
    return Message(
        fr="cause probable : " + " ; ".join(fr) + " au lieu des données reçues en argument : les vérifications "
        "appellent votre code avec leurs propres données, utilisez les arguments",
        en="likely cause: " + "; ".join(en) + " instead of the data it receives as arguments: the checks call "
        "your code with their own data, use the arguments",
    )


def names_read(source: str) -> frozenset[str]:
    """Every name a cell's code loads (an over-approximation of the globals it reads)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return frozenset()
    return frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))


def solution_reads(source_nb: Path) -> dict[str, frozenset[str]]:
    """grade_id -> the names the instructor's solution cell loads: a notebook variable the
    solution reads too is read by design (a schedule, a vocabulary), never hinted at."""
    try:
        nb = json.loads(source_nb.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out: dict[str, frozenset[str]] = {}
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        gid = grade_id(cell) if isinstance(cell, dict) else None
        if gid and cell.get("cell_type") == "code":
            src = cell.get("source", "")
            out[gid] = names_read("".join(src) if isinstance(src, list) else str(src))
    return out


def with_data_read_hints(
    checks: Sequence[CheckResult],
    submission: Any,
    definitions: Mapping[str, tuple[str, ...]],
    source_nb: Path | None = None,
) -> list[CheckResult]:
    """The checks, the first that lost points of each answer item whose functions read
    notebook data (that the solution, `source_nb`, does not read) carrying the hint after
    its own message."""
    lost_items = list(dict.fromkeys(c.item for c in checks if c.score < c.max_score and definitions.get(c.item)))
    named: dict[str, list[DataRead]] = {}
    by_design: dict[str, frozenset[str]] | None = None
    for item in lost_items:
        reads = data_reads(submission, definitions[item])
        if reads:
            if by_design is None:
                by_design = solution_reads(source_nb) if source_nb is not None else {}
            reads = [r for r in reads if r.variable not in by_design.get(item, frozenset())]
        if reads:
            named[item] = reads
    out, done = [], set()
    for c in checks:
        if c.item in named and c.item not in done and c.score < c.max_score:
            done.add(c.item)
            own = c.message or Message(fr="", en="")
            # A check that already names them (a TP's own premise-checked hint) keeps its message.
            if not all(r.variable in own.fr for r in named[c.item]):
                hint = data_read_message(named[c.item])
                c = replace(c, message=Message(
                    fr=f"{own.fr} — {hint.fr}" if own.fr else hint.fr,
                    en=f"{own.en or own.fr} — {hint.en}" if (own.en or own.fr) else hint.en,
                ))
        out.append(c)
    return out
