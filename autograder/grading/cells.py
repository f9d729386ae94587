"""The cell loop: a grafted notebook's cells run one by one in the kernel, each within its
budget and the whole within the TP's, outputs capped; what ran, what failed, what was
skipped, and why the kernel died."""

from __future__ import annotations

from typing import Any

from autograder.intake.graft import ORIGIN_SCRATCH
from autograder.intake.nbio import grade_id
from autograder.results import (
    CellRun,
    Message,
    Problem,
)
from autograder.sandbox.kernel import Kernel


def death_reason(cells: list[CellRun]) -> Message:
    for c in cells:
        if c.status in ("kernel-died", "timeout"):
            return Message(
                fr=f"le noyau Python s'est arrêté à la cellule {c.index} : les vérifications suivantes n'ont pas pu appeler votre code",
                en=f"the Python kernel stopped at cell {c.index}: the checks could not call your code",
            )
    return Message(fr="le noyau Python n'a pas démarré", en="the Python kernel did not start")


#: Cells listed one by one in a report; past this, only cells in error are (up to twice as
#: many), so 100k one-line cells cannot turn grade.json into megabytes.
MAX_LISTED_CELLS = 500


class _CellLog:
    """The CellRuns a report lists, with the skipped and unlisted cells counted, not listed."""

    def __init__(self) -> None:
        self.runs: list[CellRun] = []
        self.unlisted = 0
        self.skipped: list[int] = []  # positions of cells not run (budget used up)
        self.unrun_scratch: list[int] = []  # the student's own cells that never ran

    def add(self, run: CellRun) -> None:
        # Not run: skipped, or after the kernel died (the cell it died in carries an error).
        never_ran = run.status == "skipped" or (run.status == "kernel-died" and run.error is None)
        if never_ran and run.origin == ORIGIN_SCRATCH:
            self.unrun_scratch.append(run.index)
        if run.status == "skipped":
            if not self.skipped:
                self.runs.append(run)  # the first one shows where execution stopped
            self.skipped.append(run.index)
            return
        limit = MAX_LISTED_CELLS if run.status == "ok" else 2 * MAX_LISTED_CELLS
        if len(self.runs) < limit:
            self.runs.append(run)
        else:
            self.unlisted += 1

    def problems(self, where: str) -> list[Problem]:
        out = []
        if self.skipped:
            first, last, n = self.skipped[0], self.skipped[-1], len(self.skipped)
            out.append(
                Problem(
                    "cells-skipped",
                    Message(
                        fr=f"{n} cellule(s) non exécutée(s), de la cellule {first} à la cellule {last} : le budget de temps du notebook était épuisé",
                        en=f"{n} cell(s) not run, from cell {first} to cell {last}: the notebook's time budget was used up",
                    ),
                    f"{where}, cell {first}",
                )
            )
        if self.unlisted:
            out.append(
                Problem(
                    "cells-not-listed",
                    Message(
                        fr=f"{self.unlisted} cellule(s) exécutée(s) ne sont pas listées une par une (plus de {MAX_LISTED_CELLS} cellules)",
                        en=f"{self.unlisted} executed cell(s) are not listed one by one (more than {MAX_LISTED_CELLS} cells)",
                    ),
                    where,
                )
            )
        return out


def run_cells(
    kernel: Kernel,
    nb: dict[str, Any],
    origins: tuple[str, ...],
    cell_s: float,
    total_s: float,
    problems: list[Problem],
    where: str,
) -> list[CellRun]:
    """Execute code cells in order; an error does not stop the notebook, a death does."""
    log = _CellLog()
    total = kernel.deadline(total_s)
    count = 0
    for pos, cell in enumerate(nb["cells"], start=1):
        if cell["cell_type"] != "code":
            continue
        origin = origins[pos - 1] if pos - 1 < len(origins) else ORIGIN_SCRATCH
        gid = grade_id(cell)
        label = f"cellule {pos}" + (f" ({gid})" if gid else "")
        label_en = f"cell {pos}" + (f" ({gid})" if gid else "")
        if not kernel.alive():
            log.add(CellRun(pos, cell.get("id", ""), gid, origin, "kernel-died"))
            continue
        left = total.left()
        if left <= 0:
            log.add(CellRun(pos, cell.get("id", ""), gid, origin, "skipped"))
            continue
        limit = min(cell_s, left)
        res = kernel.execute(cell["source"], limit)
        count += 1
        cell["outputs"] = res.outputs
        cell["execution_count"] = count
        err = None
        if res.status == "timeout":
            total_hit = limit < cell_s
            err = Message(
                fr=f"la {label} a dépassé {limit:.0f} s" + (" (budget total du notebook épuisé)" if total_hit else "") + " et a été interrompue",
                en=f"{label_en} exceeded {limit:.0f} s" + (" (notebook time budget used up)" if total_hit else "") + " and was interrupted",
            )
            problems.append(Problem("cell-timeout", err, f"{where}, {label}"))
        elif res.status == "kernel-died":
            err = Message(
                fr=f"le noyau Python s'est arrêté pendant la {label} (mémoire épuisée, os._exit ou plantage) ; les cellules suivantes n'ont pas été exécutées",
                en=f"the Python kernel stopped during {label_en} (out of memory, os._exit or crash); later cells were not run",
            )
            problems.append(Problem("kernel-died", err, f"{where}, {label}"))
        elif res.status == "error":
            if res.ename == "NotImplementedError" and origin == "instructor":
                err = Message(fr=f"{label} : pas encore complétée", en=f"{label_en}: not filled in yet")
            else:
                err = Message(
                    fr=f"{label} : {res.ename}: {res.evalue}"[:600],
                    en=f"{label_en}: {res.ename}: {res.evalue}"[:600],
                )
        log.add(CellRun(pos, cell.get("id", ""), gid, origin, res.status, round(res.duration_s, 3), err))
    problems.extend(log.problems(where))
    _drop_unrun_scratch(nb, log.unrun_scratch)
    return log.runs


def _drop_unrun_scratch(nb: dict[str, Any], positions: list[int]) -> None:
    """Keep executed.ipynb about as large as what ran: past MAX_LISTED_CELLS, the student's
    own cells that never ran (`positions`, in order) are replaced by one note (the student
    still has them)."""
    if len(positions) <= MAX_LISTED_CELLS:
        return
    drop = set(positions)
    note = {
        "cell_type": "markdown",
        "id": "autograder-unrun-cells",
        "metadata": {},
        "source": (
            f"*{len(drop)} cellules ajoutées par l'étudiant·e n'ont pas été exécutées et sont retirées de cette copie "
            f"(à partir de la cellule {positions[0]}). / {len(drop)} cells added by the student were not run and are "
            f"left out of this copy (from cell {positions[0]}).*"
        ),
    }
    kept: list[dict[str, Any]] = []
    for pos, cell in enumerate(nb["cells"], start=1):
        if pos in drop:
            if pos == positions[0]:
                kept.append(note)
            continue
        kept.append(cell)
    nb["cells"] = kept
