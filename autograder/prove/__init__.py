"""`autograder prove`: a TP's checks judged against its scenarios under many grader variants,
and scored against mutants of its solution (see judge, scenarios, run, mutation, report)."""
