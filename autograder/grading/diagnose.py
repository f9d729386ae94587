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

from autograder.checks.notebook_reads import notebook_data_reads
from autograder.intake.graft import ORIGIN_ANSWER
from autograder.intake.nbio import grade_id
from autograder.results import CheckResult, Message

#: A notebook global counts as data from this many rows (first dimension) and 100 values:
#: a dataset or its labels, not a normalisation constant or a small table.
MIN_ROWS = 32
MIN_SIZE = 100
#: At most this many variables named per item, and functions read per item.
MAX_NAMED = 3
MAX_FUNCTIONS = 8


@dataclass(frozen=True)
class DataRead:
    """A notebook variable holding data that a function of an answer cell reads."""

    function: str
    variable: str


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


def data_reads(submission: Any, names: Iterable[str], min_rows: int = MIN_ROWS) -> list[DataRead]:
    """What each named function or class of the student reads of the notebook's data (arrays
    of `min_rows` rows and 100 values or more, or dicts of them)."""
    out: list[DataRead] = []
    for name in list(names)[:MAX_FUNCTIONS]:
        reads = notebook_data_reads(submission, name, min_rows=min_rows, min_size=MIN_SIZE)
        out.extend(DataRead(name, v) for v in reads.variables)
    return out


def data_read_message(reads: Sequence[DataRead]) -> Message:
    """The hint: which function reads which notebook variables."""
    by_fn: dict[str, list[DataRead]] = {}
    for r in reads:
        by_fn.setdefault(r.function, []).append(r)
    fr, en = [], []
    for fn, rs in by_fn.items():
        # Names only: a shape could print a number a hidden check expects (autograder/prove/leaks.py).
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
    by_design: Mapping[str, frozenset[str]] | None = None,
) -> list[CheckResult]:
    """The checks, the first that lost points of each answer item whose functions read
    notebook data (that the solution does not read: `by_design`, from `solution_reads`)
    carrying the hint after its own message."""
    lost_items = list(dict.fromkeys(c.item for c in checks if c.score < c.max_score and definitions.get(c.item)))
    named: dict[str, list[DataRead]] = {}
    by_design = by_design or {}
    for item in lost_items:
        reads = data_reads(submission, definitions[item])
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
