"""nbgrader_export: formgrader's copy of a student's notebook is sanitised, whatever graded it."""

from __future__ import annotations

import json

from autograder.nbgrader_export import read_back, write_nbgrader_gradebook


def test_autograded_copy_of_an_old_unsanitised_notebook_is_inert(tmp_path):
    # A class folder graded before the sanitiser existed: a rerun skips the student and
    # only re-exports their executed.ipynb.
    report = tmp_path / "students" / "s1" / "report"
    report.mkdir(parents=True)
    hostile = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"widgets": {"application/vnd.jupyter.widget-state+json": {}}},
        "cells": [
            {
                "cell_type": "code",
                "id": "n",
                "metadata": {"nbgrader": {"grade_id": 'n"></textarea><img src=x onerror=alert(1)>', "solution": True}},
                "source": "x = 1",
                "outputs": [
                    {"output_type": "display_data", "data": {"text/html": "<script>alert(1)</script>", "text/plain": "p"}, "metadata": {}}
                ],
                "execution_count": 1,
            }
        ],
    }
    (report / "executed.ipynb").write_text(json.dumps(hostile), encoding="utf-8")
    results = [
        {"student_id": "s1", "name": "A B", "status": "graded", "penalty": 0.0,
         "checks": [{"name": "test_x", "item": "x", "score": 1.0, "max_score": 2.0, "status": "failed"}]},
    ]
    db = write_nbgrader_gradebook(tmp_path, results, tp="tp_x", notebook="tp_x.ipynb")
    assert db is not None and read_back(db, "tp_x") == {"s1": 1.0}
    text = (tmp_path / "autograded" / "s1" / "tp_x" / "tp_x.ipynb").read_text(encoding="utf-8")
    got = json.loads(text)
    assert got["metadata"] == {} and got["cells"][0]["metadata"] == {}
    assert [set(o["data"]) for o in got["cells"][0]["outputs"]] == [{"text/plain"}]
    for active in ("<script", "onerror", "text/html\""):
        assert active not in text
