"""Make the executed notebook inert before anyone opens it.

`executed.ipynb` (and its copy in a class folder's `autograded/`) is read by instructors in
nbgrader's Formgrader, which renders HTML, SVG, Markdown and JavaScript outputs and prints
nbgrader metadata into its page without escaping, under the instructor's Jupyter session.
The student's code ran before every output (it can patch `display` in given cells too), so
every output is hostile: only text and real raster images are kept; anything else becomes
a short text note (the text fallback kept). Text the student wrote in a Markdown answer cell
is shown verbatim in a code block; cell metadata is reduced to nbgrader's (which graft sets
from the instructor's notebook), cell ids to what nbformat allows, attachments dropped.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from typing import Any

from autograder.intake.graft import ORIGIN_INSTRUCTOR

#: Raster images and the bytes they start with: a data: URL of these cannot carry a script.
RASTER_MAGIC = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
#: nbgrader cell metadata the grader keeps, with the type each value must have.
NBGRADER_KEYS: dict[str, type | tuple[type, ...]] = {
    "grade": bool,
    "solution": bool,
    "locked": bool,
    "task": bool,
    "schema_version": int,
    "grade_id": str,
    "points": (int, float),
}
#: nbgrader's own rule for grade ids, and nbformat 4.5's for cell ids.
GRADE_ID = re.compile(r"[A-Za-z0-9_-]+")
CELL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
NOTEBOOK_METADATA = ("kernelspec", "language_info")
STREAM_NAMES = ("stdout", "stderr")


def removed_note(mimes: Sequence[str]) -> str:
    """The text that stands where outputs were removed (French then English)."""
    kinds = ", ".join(sorted(set(mimes))) or "?"
    return (
        f"[sortie retirée par sécurité par le correcteur : {kinds} / "
        f"output removed for safety by the grader: {kinds}]"
    )


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(x, str) for x in value):
        return "".join(value)
    return None


def raster(mime: str, value: Any) -> str | None:
    """`value` re-encoded as canonical base64 if it really is an image of type `mime`."""
    text = _text(value)
    if text is None or mime not in RASTER_MAGIC:
        return None
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    if not raw.startswith(RASTER_MAGIC[mime]):
        return None
    return base64.b64encode(raw).decode("ascii")


def sanitize_output(output: Any) -> dict[str, Any] | None:
    """An inert copy of one output (None when nothing is left to show)."""
    if not isinstance(output, dict):
        return None
    kind = output.get("output_type")
    if kind == "stream":
        text = _text(output.get("text"))
        name = output.get("name") if output.get("name") in STREAM_NAMES else "stdout"
        return {"output_type": "stream", "name": name, "text": text} if text else None
    if kind == "error":
        tb = output.get("traceback")
        return {
            "output_type": "error",
            "ename": _text(output.get("ename")) or "",
            "evalue": _text(output.get("evalue")) or "",
            "traceback": [t for t in tb if isinstance(t, str)] if isinstance(tb, list) else [],
        }
    if kind not in ("display_data", "execute_result"):
        return {"output_type": "stream", "name": "stdout", "text": removed_note([str(kind)[:40]]) + "\n"}
    data = output.get("data") if isinstance(output.get("data"), dict) else {}
    kept: dict[str, str] = {}
    removed: list[str] = []
    for mime, value in data.items():
        mime = str(mime)[:80]
        if mime == "text/plain":
            text = _text(value)
            if text is not None:
                kept[mime] = text
        elif (image := raster(mime, value)) is not None:
            kept[mime] = image
        else:
            removed.append(mime)
    if removed:
        note = removed_note(removed)
        kept["text/plain"] = note + ("\n" + kept["text/plain"] if kept.get("text/plain") else "")
    if not kept:
        return None
    out: dict[str, Any] = {"output_type": kind, "data": kept, "metadata": {}}
    if kind == "execute_result":
        count = output.get("execution_count")
        out["execution_count"] = count if isinstance(count, int) and not isinstance(count, bool) else None
    return out


def sanitize_outputs(outputs: Any) -> list[dict[str, Any]]:
    if not isinstance(outputs, list):
        return []
    return [o for o in map(sanitize_output, outputs) if o is not None]


def nbgrader_metadata(meta: Any) -> dict[str, Any] | None:
    """Known nbgrader keys with values of the right type; None unless the grade_id is valid."""
    if not isinstance(meta, dict):
        return None
    out = {k: v for k, v in meta.items() if k in NBGRADER_KEYS and isinstance(v, NBGRADER_KEYS[k])}
    if "grade_id" in out and not GRADE_ID.fullmatch(out["grade_id"]):
        return None
    return out or None


_VERBATIM = re.compile(r"(`{3,})text\n(.*)\n\1\n", re.DOTALL)


def verbatim_markdown(source: str) -> str:
    """Markdown that shows `source` as text: a fenced block no line of it can close.

    Idempotent: a block this function wrote is returned as is.
    """
    done = _VERBATIM.fullmatch(source)
    if done and all(len(r) < len(done[1]) for r in re.findall(r"`+", done[2])):
        return source
    runs = [len(r) for r in re.findall(r"`+", source)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return f"{fence}text\n{source.rstrip(chr(10))}\n{fence}\n"


def _is_answer(cell: dict[str, Any]) -> bool:
    nbg = cell.get("metadata", {}).get("nbgrader") if isinstance(cell.get("metadata"), dict) else None
    return bool(isinstance(nbg, dict) and nbg.get("solution"))


def sanitize_notebook(nb: dict[str, Any], origins: Sequence[str] | None = None) -> dict[str, Any]:
    """An inert copy of the notebook that ran (`origins`: per cell, as graft returned them).

    Text cells are the instructor's unless they are answer cells or `origins` says otherwise
    (when cells were dropped after grafting, `origins` no longer lines up and only answer
    cells count as the student's: graft keeps no other text cell of theirs).
    """
    cells = nb.get("cells") if isinstance(nb.get("cells"), list) else []
    aligned = origins is not None and len(origins) == len(cells)
    used: set[str] = set()
    out_cells: list[dict[str, Any]] = []
    for i, cell in enumerate(cells):
        kind = cell.get("cell_type")
        source = _text(cell.get("source")) or ""
        meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        nbg = nbgrader_metadata(meta.get("nbgrader"))
        cid = cell.get("id") if isinstance(cell.get("id"), str) else ""
        if not CELL_ID.fullmatch(cid) or cid in used:
            cid = _fresh_id(i, used)
        used.add(cid)
        out: dict[str, Any] = {
            "cell_type": kind if kind in ("code", "markdown", "raw") else "raw",
            "id": cid,
            "metadata": {"nbgrader": nbg} if nbg else {},
            "source": source,
        }
        if out["cell_type"] == "code":
            count = cell.get("execution_count")
            out["outputs"] = sanitize_outputs(cell.get("outputs"))
            out["execution_count"] = count if isinstance(count, int) and not isinstance(count, bool) else None
        else:
            student = _is_answer(cell) or (aligned and origins[i] != ORIGIN_INSTRUCTOR)  # type: ignore[index]
            if student and source.strip():
                out["source"] = verbatim_markdown(source)
        out_cells.append(out)
    meta = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {k: _plain(meta[k]) for k in NOTEBOOK_METADATA if isinstance(meta.get(k), dict)},
        "cells": out_cells,
    }


def _plain(d: dict[str, Any]) -> dict[str, Any]:
    """kernelspec / language_info: string fields only."""
    return {str(k): v for k, v in d.items() if isinstance(v, str)}


def _fresh_id(i: int, used: set[str]) -> str:
    n = i
    while f"cell-{n}" in used:
        n += 1
    return f"cell-{n}"


__all__ = [
    "nbgrader_metadata",
    "raster",
    "removed_note",
    "sanitize_notebook",
    "sanitize_output",
    "sanitize_outputs",
    "verbatim_markdown",
]
