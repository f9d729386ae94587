"""Read a notebook from hostile bytes into a plain, validated nbformat-4 dict.

No nbformat import on this path on purpose: it costs ~1.3 s per process and its
validator is not what protects us. This reader accepts only what grading needs and
says precisely what is wrong otherwise.
"""

from __future__ import annotations

import json
import reprlib
from typing import Any

from autograder.errors import AutograderError
from autograder.results import Message

#: Caps on what a notebook may bring into the grader and its reports (executed.ipynb,
#: grade.json...). Past the first two the notebook is refused before it is parsed;
#: sources past the next two are cut with a visible note.
MAX_NOTEBOOK_BYTES = 32 * 1024 * 1024
MAX_CELLS = 2000
MAX_CELL_SOURCE = 256 * 1024  # characters
MAX_TOTAL_SOURCE = 512 * 1024  # characters, all cells together
MAX_GRADE_ID = 64
MAX_META_KEYS = 16
CELL_TYPES = ("code", "markdown", "raw")


class NotebookError(AutograderError):
    """The notebook is not one the grader can read; `code` is the report's problem code."""

    def __init__(self, code: str, message: Message):
        super().__init__(message)
        self.code = code


def _source(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(x, str) for x in value):
        return "".join(value)
    return None


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother, _SHORT.maxlist, _SHORT.maxdict = 2, 40, 40, 4, 4


def _quote(value: Any, limit: int = 60) -> str:
    """A hostile value quoted in a message, cut short (a 5 MB cell_type stays a few words)."""
    text = _SHORT.repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_notebook(raw: bytes, where: str) -> dict[str, Any]:
    """Parse and normalise; outputs are dropped (they are the student's, not evidence)."""
    if len(raw) > MAX_NOTEBOOK_BYTES:
        raise NotebookError(
            "notebook-too-large",
            Message(
                fr=f"{where} : le notebook fait {len(raw) // 1_000_000} Mo (maximum {MAX_NOTEBOOK_BYTES // 1_000_000} Mo) ; effacez les sorties (Edit > Clear All Outputs) et recommitez",
                en=f"{where}: the notebook is {len(raw) // 1_000_000} MB (max {MAX_NOTEBOOK_BYTES // 1_000_000} MB); clear all outputs and commit again",
            ),
        )
    # Before parsing: a million tiny cells cost the grader a GB as Python objects. A key
    # cannot hide an unescaped quote, so this counts every "cell_type" key (the check
    # after parsing catches keys written with \u escapes).
    _check_cell_count(raw.count(b'"cell_type"'), where)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotebookError(
            "notebook-not-utf8",
            Message(
                fr=f"{where} : le fichier n'est pas en UTF-8 (octet {exc.start}) ; rouvrez-le et réenregistrez-le dans JupyterLab",
                en=f"{where}: the file is not UTF-8 (byte {exc.start}); reopen and save it in JupyterLab",
            ),
        ) from None
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(
            "invalid-json",
            Message(
                fr=f"{where} : JSON invalide ligne {exc.lineno}, colonne {exc.colno} ({exc.msg}) ; le fichier a sans doute été modifié hors de Jupyter ou mal fusionné (conflit git ?)",
                en=f"{where}: invalid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg}); the file was probably edited outside Jupyter or badly merged (git conflict?)",
            ),
        ) from None
    except RecursionError:
        raise NotebookError(
            "invalid-json",
            Message(fr=f"{where} : JSON trop imbriqué", en=f"{where}: JSON nested too deeply"),
        ) from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        if isinstance(nb, dict) and isinstance(nb.get("worksheets"), list):
            raise NotebookError(
                "old-nbformat",
                Message(
                    fr=f"{where} : ancien format de notebook (nbformat 3) ; ouvrez-le dans JupyterLab et réenregistrez-le",
                    en=f"{where}: old notebook format (nbformat 3); open it in JupyterLab and save it again",
                ),
            )
        raise NotebookError(
            "not-a-notebook",
            Message(
                fr=f"{where} : ce fichier n'est pas un notebook Jupyter (pas de liste « cells »)",
                en=f"{where}: this file is not a Jupyter notebook (no 'cells' list)",
            ),
        )
    if nb.get("nbformat") != 4:
        raise NotebookError(
            "old-nbformat",
            Message(
                fr=f"{where} : format nbformat {_quote(nb.get('nbformat'))} non pris en charge (4 attendu) ; réenregistrez-le dans JupyterLab",
                en=f"{where}: nbformat {_quote(nb.get('nbformat'))} is not supported (4 expected); save it again in JupyterLab",
            ),
        )
    _check_cell_count(len(nb["cells"]), where)
    cells = []
    source_left = MAX_TOTAL_SOURCE
    for i, cell in enumerate(nb["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") not in CELL_TYPES:
            kind = _quote(cell.get("cell_type") if isinstance(cell, dict) else type(cell).__name__)
            raise NotebookError(
                "invalid-cell",
                Message(
                    fr=f"{where}, cellule {i} : cellule invalide (type {kind})",
                    en=f"{where}, cell {i}: invalid cell (type {kind})",
                ),
            )
        src = _source(cell.get("source", ""))
        if src is None:
            raise NotebookError(
                "invalid-cell",
                Message(
                    fr=f"{where}, cellule {i} : le champ « source » n'est pas du texte",
                    en=f"{where}, cell {i}: the 'source' field is not text",
                ),
            )
        meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        nbg = _nbgrader_meta(meta.get("nbgrader"), i, where)
        cid = cell.get("id") if isinstance(cell.get("id"), str) else ""
        src, source_left = _cut_source(src, cell["cell_type"], source_left)
        out: dict[str, Any] = {
            "cell_type": cell["cell_type"],
            "id": cid[:64],
            "metadata": {"nbgrader": nbg} if nbg else {},
            "source": src,
        }
        if out["cell_type"] == "code":
            out["outputs"] = []
            out["execution_count"] = None
        cells.append(out)
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": cells,
    }


def _check_cell_count(n: int, where: str) -> None:
    if n > MAX_CELLS:
        raise NotebookError(
            "notebook-too-many-cells",
            Message(
                fr=f"{where} : le notebook a {n} cellules (maximum {MAX_CELLS}) ; supprimez les cellules inutiles (ou repartez du sujet) et recommitez",
                en=f"{where}: the notebook has {n} cells (max {MAX_CELLS}); delete the cells you do not need (or start again from the handout) and commit again",
            ),
        )


def _nbgrader_meta(value: Any, i: int, where: str) -> dict[str, Any]:
    """The nbgrader metadata grading reads, as short scalars: nothing else reaches a report."""
    if not isinstance(value, dict):
        return {}
    gid = value.get("grade_id")
    if isinstance(gid, str) and len(gid) > MAX_GRADE_ID:
        raise NotebookError(
            "invalid-grade-id",
            Message(
                fr=f"{where}, cellule {i} : grade_id de {len(gid)} caractères (maximum {MAX_GRADE_ID}) ; les métadonnées nbgrader de cette cellule ont été modifiées : reprenez la cellule depuis le sujet",
                en=f"{where}, cell {i}: grade_id of {len(gid)} characters (max {MAX_GRADE_ID}); this cell's nbgrader metadata was edited: take the cell again from the handout",
            ),
        )
    out: dict[str, Any] = {}
    for key, v in value.items():
        if len(out) >= MAX_META_KEYS:
            break
        if not isinstance(key, str) or len(key) > 32:
            continue
        if v is None or isinstance(v, (bool, int, float)) or (isinstance(v, str) and len(v) <= 256):
            out[key] = v
    return out


def _cut_source(src: str, cell_type: str, left: int) -> tuple[str, int]:
    """The source within the per-cell and whole-notebook caps; a cut one says so."""
    keep = min(MAX_CELL_SOURCE, max(0, left))
    if len(src) <= keep:
        return src, left - len(src)
    fr = f"[autograder] cellule coupée : {len(src)} caractères, {keep} gardés (maximum {MAX_CELL_SOURCE} par cellule, {MAX_TOTAL_SOURCE} pour le notebook)"
    en = f"[autograder] cell cut: {len(src)} characters, {keep} kept (max {MAX_CELL_SOURCE} per cell, {MAX_TOTAL_SOURCE} per notebook)"
    note = f"\n# {fr}\n# {en}\n" if cell_type == "code" else f"\n\n*{fr}*\n\n*{en}*\n"
    return src[:keep] + note, 0 if keep < MAX_CELL_SOURCE else left - keep


def grade_id(cell: dict[str, Any]) -> str | None:
    gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return gid if isinstance(gid, str) and gid else None


def is_answer(cell: dict[str, Any]) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("solution")) if isinstance(meta, dict) else False
