"""Read a notebook from hostile bytes into a plain, validated nbformat-4 dict.

No nbformat import on this path on purpose: it costs ~1.3 s per process and its
validator is not what protects us. This reader accepts only what grading needs and
says precisely what is wrong otherwise.
"""

from __future__ import annotations

import json
import reprlib
from typing import Any

from autograder.results import Message

MAX_NOTEBOOK_BYTES = 100 * 1024 * 1024
CELL_TYPES = ("code", "markdown", "raw")


class NotebookError(Exception):
    def __init__(self, code: str, message: Message):
        super().__init__(message.en or message.fr)
        self.code = code
        self.message = message


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
    cells = []
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
        nbg = meta.get("nbgrader") if isinstance(meta.get("nbgrader"), dict) else {}
        cid = cell.get("id") if isinstance(cell.get("id"), str) else ""
        out: dict[str, Any] = {
            "cell_type": cell["cell_type"],
            "id": cid[:64],
            "metadata": {"nbgrader": dict(nbg)} if nbg else {},
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


def grade_id(cell: dict[str, Any]) -> str | None:
    gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return gid if isinstance(gid, str) and gid else None


def is_answer(cell: dict[str, Any]) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution"))
