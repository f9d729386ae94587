"""The in-memory and on-disk forms of a released notebook (autograder.release.views)."""

from __future__ import annotations

import json

from autograder.release.views import normalise, serialise


def notebook() -> dict:
    return {
        "cells": [
            {"cell_type": "code", "source": ["x = 1\n", "x"], "outputs": [{"output_type": "stream"}],
             "execution_count": 3, "metadata": {"ExecuteTime": {"end": "now"}, "nbgrader": {"solution": True}}},
            {"cell_type": "markdown", "source": "# Titre", "metadata": {"collapsed": True}},
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }


def test_normalising_clears_outputs_and_what_records_when_a_cell_ran():
    nb = notebook()
    out = normalise(nb)
    code, md = out["cells"]
    assert code["source"] == "x = 1\nx" and code["outputs"] == [] and code["execution_count"] is None
    assert code["metadata"] == {"nbgrader": {"solution": True}} and md["metadata"] == {}
    assert nb["cells"][0]["execution_count"] == 3  # a copy: the source is untouched


def test_the_byte_form_is_deterministic_and_splits_sources_into_lines():
    data = serialise(normalise(notebook()))
    assert data == serialise(normalise(notebook())) and data.endswith(b"\n")
    assert json.loads(data)["cells"][0]["source"] == ["x = 1\n", "x"]
