"""grading.diagnose: a student function that reads the notebook's data instead of its
arguments is named in the feedback of the item that lost points, read in a real kernel from
its bytecode (never called); correct code, constants and what the solution reads by design
are left alone."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from autograder.bridge.proxy import Submission
from autograder.grading.diagnose import (
    DataRead,
    answer_definitions,
    data_reads,
    defined_names,
    solution_reads,
    with_data_read_hints,
)
from autograder.intake.graft import ORIGIN_ANSWER, ORIGIN_INSTRUCTOR
from autograder.results import CheckResult, Message, Status, Visibility
from autograder.sandbox.landlock import exchange_root
from tests.sandbox.test_kernel import start_kernel

NOTEBOOK = """
import numpy as np
X_digits = np.zeros((200, 64))
y_digits = np.zeros(200, dtype=int)
MOYENNE = np.zeros(64)          # a constant: 64 values, not data
params_globaux = {"W1": np.zeros((64, 32)), "b1": np.zeros(32)}
SCHEDULE = np.linspace(0, 1, 500)

def entrainer_args(X_train, y_train, epochs=1):
    return float(X_train.sum()) + epochs

def entrainer_global(X_train, y_train, epochs=1):
    X, y = X_digits, y_digits
    return float(X.sum() - MOYENNE.sum())

def _lots():
    return [X_digits[i:i + 10] for i in range(0, 200, 10)]

def entrainer_via_helper(X_train, y_train):
    return len(_lots())

def backward_global(cache, params):
    return params_globaux["W1"].T

class Modele:
    def forward(self, x):
        return x @ params_globaux["W1"]

def comprehension(X_train):
    return [float(v) for v in X_digits[:, 0]]

def echantillonner(n):
    return SCHEDULE[:n]

pas_une_fonction = 3
"""


@pytest.fixture(scope="module")
def sub(tmp_path_factory) -> Iterator[Submission]:
    k = start_kernel(tmp_path_factory.mktemp("diagnose"))
    assert k.execute(NOTEBOOK, timeout=60).status == "ok"
    s = Submission.connect(k, exchange_root(k.runtime_dir), call_timeout=20)
    yield s
    s.close()
    k.shutdown()


def _vars(reads: list[DataRead]) -> set[str]:
    return {r.variable for r in reads}


def test_a_function_reading_its_arguments_reads_no_notebook_data(sub):
    assert data_reads(sub, ["entrainer_args"]) == []


def test_notebook_data_read_by_global_name_is_found_and_constants_are_not(sub):
    reads = data_reads(sub, ["entrainer_global"])
    assert _vars(reads) == {"X_digits", "y_digits"}


def test_reads_are_followed_through_notebook_helpers_methods_comprehensions_and_dicts(sub):
    assert _vars(data_reads(sub, ["entrainer_via_helper"])) == {"X_digits"}
    assert _vars(data_reads(sub, ["Modele"])) == {"params_globaux"}
    assert _vars(data_reads(sub, ["backward_global"])) == {"params_globaux"}
    assert _vars(data_reads(sub, ["comprehension"])) == {"X_digits"}


def test_names_that_are_not_functions_or_are_undefined_give_nothing(sub):
    assert data_reads(sub, ["pas_une_fonction", "nom_inconnu", "np"]) == []


def _check(item: str, score: float, message: str = "faux") -> CheckResult:
    return CheckResult(f"test_{item}_{score}", item, score, 1.0, Status.PASSED if score == 1 else Status.FAILED,
                       Visibility.HIDDEN, Message(fr=message, en=message))


def test_the_hint_goes_to_the_first_check_that_lost_points_of_that_item_only(sub):
    checks = [_check("train", 1.0), _check("train", 0.0, "lots"), _check("train", 0.5, "autre"),
              _check("forward", 0.0, "faux"), _check("other", 0.0, "rien")]
    defs = {"train": ("entrainer_global",), "forward": ("entrainer_args",), "other": ()}
    out = with_data_read_hints(checks, sub, defs)
    assert out[0] == checks[0] and out[2] == checks[2] and out[3:] == checks[3:]
    fr, en = out[1].message.fr, out[1].message.en
    assert fr.startswith("lots — cause probable : `entrainer_global` lit les variables du notebook")
    assert "`X_digits`" in fr and "`y_digits`" in fr and "(200" not in fr
    assert "reads the notebook variables" in en and out[1].score == 0.0


def test_no_hint_when_every_check_keeps_its_points(sub):
    checks = [_check("train", 1.0)]
    assert with_data_read_hints(checks, sub, {"train": ("entrainer_global",)}) == checks


def test_a_variable_the_solution_reads_too_is_by_design(sub, tmp_path):
    source = tmp_path / "tp.ipynb"
    cell = {"cell_type": "code", "source": "def echantillonner(n):\n    return SCHEDULE[:n]\n",
            "metadata": {"nbgrader": {"grade_id": "sampler", "solution": True}}}
    source.write_text(json.dumps({"cells": [cell]}))
    by_design = solution_reads(source)
    assert "SCHEDULE" in by_design["sampler"]
    checks = [_check("sampler", 0.0, "faux")]
    assert with_data_read_hints(checks, sub, {"sampler": ("echantillonner",)}, by_design) == checks
    hinted = with_data_read_hints(checks, sub, {"sampler": ("echantillonner",)})
    assert "`SCHEDULE`" in hinted[0].message.fr


def test_answer_definitions_are_read_from_the_students_answer_cells_only():
    def cell(src, gid=None):
        meta = {"nbgrader": {"grade_id": gid, "solution": True}} if gid else {}
        return {"cell_type": "code", "source": src, "metadata": meta}

    nb = {"cells": [cell("def donnee(): pass", "given"), cell("def f(x):\n    return x\nclass M: pass\n", "item"),
                    cell("def (:", "broken")]}
    assert answer_definitions(nb, [ORIGIN_INSTRUCTOR, ORIGIN_ANSWER, ORIGIN_ANSWER]) == {
        "item": ("f", "M"), "broken": ()}
    assert defined_names("def f(): pass\ndef f(): pass\nx = 1") == ("f",)


def test_no_second_hint_when_the_check_already_names_the_variables(sub):
    checks = [_check("train", 0.0, "entrainer lit X_digits et y_digits au lieu de X_train, y_train")]
    assert with_data_read_hints(checks, sub, {"train": ("entrainer_global",)}) == checks
