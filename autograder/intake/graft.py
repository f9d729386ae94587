"""Build the notebook that runs: the instructor's cells, with only the student's answers.

Given cells, prose and anything hidden come from the instructor's release notebook,
whatever the student did to them. Answer cells are matched by nbgrader `grade_id`
(then by cell id). The student's extra cells are kept where they stood, after the
instructor cell that preceded them in the student's notebook.

The grader owns every cell's metadata: answer and given cells carry the instructor's,
the student's extra cells none (Formgrader prints nbgrader metadata into its page as is,
so a forged `grade_id` would be HTML in the instructor's browser).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from autograder.intake.nbio import grade_id, is_answer
from autograder.results import Message, Problem

ORIGIN_INSTRUCTOR = "instructor"
ORIGIN_ANSWER = "student-answer"
ORIGIN_SCRATCH = "student-scratch"


@dataclass(frozen=True)
class Grafted:
    notebook: dict[str, Any]
    origins: tuple[str, ...]  # per cell of `notebook`
    problems: tuple[Problem, ...] = field(default_factory=tuple)


def _key(cell: dict[str, Any]) -> tuple[str, str]:
    gid = grade_id(cell)
    return ("gid", gid) if gid else ("id", cell.get("id") or "")


def graft(instructor: dict[str, Any], student: dict[str, Any], where: str = "") -> Grafted:
    """Merge by cell identity; never lets a student cell replace a given cell."""
    inst_cells = instructor["cells"]
    by_gid = {grade_id(c): i for i, c in enumerate(inst_cells) if grade_id(c)}
    by_id = {c.get("id"): i for i, c in enumerate(inst_cells) if c.get("id")}
    problems: list[Problem] = []

    answers: dict[int, dict[str, Any]] = {}
    modified_given: list[int] = []
    scratch_after: dict[int, list[dict[str, Any]]] = {}
    anchor = -1
    for pos, cell in enumerate(student["cells"], start=1):
        gid = grade_id(cell)
        idx = by_gid.get(gid) if gid else None
        if idx is None and cell.get("id") in by_id:
            idx = by_id[cell["id"]]
        if idx is None:
            if cell["cell_type"] == "code" and cell["source"].strip():
                scratch_after.setdefault(anchor, []).append(cell)
            continue
        inst = inst_cells[idx]
        anchor = max(anchor, idx)
        if is_answer(inst):
            if idx in answers:
                problems.append(
                    Problem(
                        "duplicate-answer-cell",
                        Message(
                            fr=f"la cellule réponse « {grade_id(inst)} » apparaît plusieurs fois ; seule la première est notée",
                            en=f"the answer cell '{grade_id(inst)}' appears more than once; only the first one is graded",
                        ),
                        where=f"{where}, cellule {pos}",
                    )
                )
                continue
            if cell["cell_type"] != inst["cell_type"]:
                problems.append(
                    Problem(
                        "answer-cell-converted",
                        Message(
                            fr=f"la cellule réponse « {grade_id(inst)} » a été convertie en {cell['cell_type']} : elle n'est pas exécutée ; remettez-la en cellule de code",
                            en=f"the answer cell '{grade_id(inst)}' was converted to {cell['cell_type']}: it is not run; turn it back into a code cell",
                        ),
                        where=f"{where}, cellule {pos}",
                    )
                )
                answers[idx] = {}
                continue
            answers[idx] = cell
        elif cell["source"] != inst["source"]:
            modified_given.append(idx)

    out_cells: list[dict[str, Any]] = []
    origins: list[str] = []

    def emit_scratch(after: int) -> None:
        for c in scratch_after.get(after, []):
            out_cells.append({**_fresh(c, c["source"]), "metadata": {}})
            origins.append(ORIGIN_SCRATCH)

    emit_scratch(-1)
    for i, inst in enumerate(inst_cells):
        if is_answer(inst):
            got = answers.get(i)
            if got:
                out_cells.append(_fresh(inst, got["source"]))
                origins.append(ORIGIN_ANSWER)
            else:
                if got is None:
                    problems.append(
                        Problem(
                            "answer-cell-missing",
                            Message(
                                fr=f"cellule réponse « {grade_id(inst)} » introuvable (supprimée ou métadonnées effacées) : cet item vaut 0 ; repartez de la cellule du sujet",
                                en=f"answer cell '{grade_id(inst)}' not found (deleted or metadata lost): this item scores 0; start again from the released cell",
                            ),
                            where=where,
                        )
                    )
                out_cells.append(_fresh(inst, inst["source"]))
                origins.append(ORIGIN_INSTRUCTOR)
        else:
            out_cells.append(_fresh(inst, inst["source"]))
            origins.append(ORIGIN_INSTRUCTOR)
        emit_scratch(i)
    if modified_given:
        ids = ", ".join(grade_id(inst_cells[i]) or inst_cells[i].get("id", "?") for i in modified_given[:5])
        problems.append(
            Problem(
                "given-cell-modified",
                Message(
                    fr=f"cellules fournies modifiées ({ids}) : la version de l'enseignant a été utilisée",
                    en=f"given cells modified ({ids}): the instructor's version was used",
                ),
                where=where,
            )
        )
    nb = {**instructor, "cells": out_cells}
    return Grafted(nb, tuple(origins), tuple(problems))


def _fresh(cell: dict[str, Any], source: str) -> dict[str, Any]:
    out = {k: v for k, v in cell.items() if k not in ("outputs", "execution_count", "attachments")}
    out["source"] = source
    if cell.get("cell_type") == "code":
        out["outputs"] = []
        out["execution_count"] = None
    return out


def student_code_digest(nb: dict[str, Any], origins: tuple[str, ...]) -> str:
    """A digest of every cell the student wrote (answers and extra cells) in the notebook
    that runs: hidden inputs derive from it too, so editing the code draws new inputs, and
    an answer hard-coded for inputs a message once showed meets other ones. Outputs, prose
    and given cells are left out: re-running the same code keeps the same inputs (the same
    commit always gets the same grade)."""
    own = [
        [origin, grade_id(cell) or "", cell.get("cell_type", ""), _text(cell.get("source", ""))]
        for cell, origin in zip(nb["cells"], origins, strict=True)
        if origin != ORIGIN_INSTRUCTOR
    ]
    return hashlib.sha256(json.dumps(own, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


def _text(source: Any) -> str:
    return "".join(source) if isinstance(source, list) else str(source)
