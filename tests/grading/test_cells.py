"""The cell loop's account of a dead kernel (autograder.grading.cells)."""

from __future__ import annotations

from autograder.grading.cells import death_reason
from autograder.results import CellRun


def test_the_checks_are_told_which_cell_stopped_the_kernel():
    cells = [CellRun(1, "a", None, "instructor", "ok"), CellRun(2, "b", "f", "student-answer", "timeout")]
    assert death_reason(cells).en == "the Python kernel stopped at cell 2: the checks could not call your code"


def test_a_kernel_that_never_ran_a_cell_did_not_start():
    assert death_reason([]).fr == "le noyau Python n'a pas démarré"
