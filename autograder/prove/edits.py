"""Answers written as a change to the solution: the proof of a TP says what the fault is.

A scenario restating a whole answer cell to change one line hides the fault in the copy (and
`duplicates` over a course counts it as repeated code). Instead:

    SOFTMAX = solution_cell(__file__, "softmax")
    "softmax-over-columns": Scenario(grade_id="softmax",
                                     source=edit(SOFTMAX, ("axis=1", "axis=0")), ...)

`solution_cell` reads the answer cell of the TP beside the scenarios file, as a student who
solved it would commit it (the solution markers gone); `solution_with_docs` the same cell with its docstrings rewritten (a
wrong answer whose docstring would still describe the right method); `edit` applies replacements that must
each match exactly once, so an edit the solution no longer fits fails when the file loads.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from autograder.config import TPConfig

#: nbgrader's solution markers (the course's nbgrader_config keeps the defaults).
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


class EditError(ValueError):
    """A scenario's edit that does not fit the solution (an author's mistake)."""


def solution_cell(scenarios_file: str | Path, grade_id: str) -> str:
    """The solution's answer cell `grade_id` of the TP whose folder holds `scenarios_file`."""
    tp_dir = Path(scenarios_file).resolve().parent
    cfg = TPConfig.load(tp_dir / "tp.toml")
    nb = json.loads((tp_dir / cfg.notebook).read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id") == grade_id:
            src = cell.get("source", "")
            text = "".join(src) if isinstance(src, list) else str(src)
            lines = [line for line in text.splitlines() if line.strip() not in MARKERS]
            return "\n".join(lines) + "\n"
    raise EditError(f"{tp_dir / cfg.notebook}: no cell with grade_id {grade_id!r}")


def edit(source: str, *changes: tuple[str, str]) -> str:
    """`source` with each (old, new) applied in turn; each `old` must occur exactly once."""
    for old, new in changes:
        n = source.count(old)
        if n != 1:
            where = "does not occur" if n == 0 else f"occurs {n} times"
            raise EditError(f"edit {old!r} -> {new!r}: {old!r} {where} in\n{source}")
        source = source.replace(old, new)
    return source


def solution_with_docs(scenarios_file: str | Path, grade_id: str, *docs: str) -> str:
    """`solution_cell` with its docstrings replaced, in order, by `docs`: a wrong answer must not
    carry the solution's description of the right method (one per docstring, or EditError)."""
    cell = solution_cell(scenarios_file, grade_id)
    old = re.findall(r'"""[\s\S]*?"""', cell)
    if len(old) != len(docs):
        raise EditError(f"{grade_id}: {len(old)} docstrings in the solution, {len(docs)} given")
    return edit(cell, *((o, f'"""{d}"""') for o, d in zip(old, docs, strict=True)))
