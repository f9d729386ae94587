"""prove.edits: a scenario written as a change to the solution's answer cell."""

from __future__ import annotations

import json

import pytest

from autograder.prove import EditError, edit, solution_cell, solution_with_docs

CELL = 'def f(x):\n    """Doc."""\n    ### BEGIN SOLUTION\n    return x.sum(axis=1)\n    ### END SOLUTION'


@pytest.fixture
def scenarios_file(tmp_path):
    tp = tmp_path / "tp99_x"
    tp.mkdir()
    (tp / "tp.toml").write_text('[tp]\nid = "tp99_x"\ntitle_fr = "X"\ntitle_en = "X"\nnotebook = "x.ipynb"\n')
    nb = {
        "cells": [
            {"cell_type": "code", "id": "f", "metadata": {"nbgrader": {"grade_id": "f", "solution": True}},
             "source": CELL.splitlines(keepends=True), "outputs": [], "execution_count": None},
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }
    (tp / "x.ipynb").write_text(json.dumps(nb))
    return tp / "scenarios.py"


def test_solution_cell_is_what_a_student_who_solved_it_commits(scenarios_file):
    assert solution_cell(scenarios_file, "f") == 'def f(x):\n    """Doc."""\n    return x.sum(axis=1)\n'


def test_an_unknown_cell_is_named(scenarios_file):
    with pytest.raises(EditError, match="no cell with grade_id 'g'"):
        solution_cell(scenarios_file, "g")


def test_edits_apply_in_turn_and_must_match_once(scenarios_file):
    src = solution_cell(scenarios_file, "f")
    assert "x.mean(axis=0)" in edit(src, ("sum", "mean"), ("axis=1", "axis=0"))
    with pytest.raises(EditError, match="does not occur"):
        edit(src, ("axis=2", "axis=0"))
    with pytest.raises(EditError, match="occurs 2 times"):
        edit(src + src, ("axis=1", "axis=0"))


def test_docstrings_are_rewritten_one_for_one(scenarios_file):
    """A wrong answer keeps the code but not the solution's description of the right method."""
    assert solution_with_docs(scenarios_file, "f", "Somme.") == 'def f(x):\n    """Somme."""\n    return x.sum(axis=1)\n'
    with pytest.raises(EditError, match="1 docstrings in the solution, 2 given"):
        solution_with_docs(scenarios_file, "f", "a", "b")


def test_the_example_tps_edits_fit_its_solution():
    """docs/example/tp11_softmax/scenarios.py loads: every edit fits the solution."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "docs" / "example" / "tp11_softmax" / "scenarios.py"
    spec = importlib.util.spec_from_file_location("tp11_softmax_scenarios_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert "np.sum" in module.SCENARIOS["entropie-sum-not-mean"].source
