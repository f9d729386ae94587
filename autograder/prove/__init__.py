"""`autograder prove`: a TP's checks judged against its scenarios under many grader variants,
and scored against mutants of its solution (see judge, scenarios, run, mutation, report).

A TP's `source/<tp>/scenarios.py` imports what it declares from here:
`from autograder.prove import Correct, Scenario` (and `solution_cell`, `solution_with_docs`, `edit` to write an
answer as a change to the solution).
"""

from autograder.prove.edits import EditError, edit, solution_cell, solution_with_docs
from autograder.prove.judge import Correct, Scenario

__all__ = ["Correct", "EditError", "Scenario", "edit", "solution_cell", "solution_with_docs"]
