"""`autograder prove`: a TP's checks judged against its scenarios under many grader variants,
and scored against mutants of its solution (see judge, scenarios, run, mutation, report).

A TP's `source/<tp>/scenarios.py` imports what it declares from here:
`from autograder.prove import Correct, Scenario`.
"""

from autograder.prove.judge import Correct, Scenario

__all__ = ["Correct", "Scenario"]
