"""checks.notebook_reads: which notebook data a student's function reads by global name, in a
real kernel, from its bytecode (never called). What counts as data is the caller's threshold:
the engine's diagnosis asks for datasets, a TP's hint for any array."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from autograder.bridge.proxy import Submission
from autograder.checks import NotebookReads, notebook_data_reads, notebook_model_reads
from autograder.sandbox.landlock import exchange_root
from tests.sandbox.test_kernel import start_kernel

NOTEBOOK = """
import numpy as np
import torch
X_digits = np.zeros((200, 64))
y_tenseur = torch.zeros(200, dtype=torch.long)
pv = {"W1": np.zeros((4, 3)), "b1": np.zeros(3)}
couches = [np.zeros((2, 2)), np.zeros(2)]
_cache_prive = np.zeros((300, 3))
noms = ["a", "b"]
lr = 0.1

def propre(X, y, lr=0.1):
    return X.sum() + y.sum() * lr

def lit_tout(X, params):
    return X_digits.sum() + pv["W1"].sum() + couches[0].sum() + float(y_tenseur.sum()) + lr + len(noms)

def lit_le_prive(X):
    return _cache_prive.sum()

def _aide():
    return X_digits[:10]

def via_aide(X):
    return _aide()

def imbrique(X):
    def interne():
        return [v for v in X_digits[:, 0]]
    return interne()

class Modele:
    def __init__(self, d):
        self.d = d

    def forward(self, x):
        return x @ pv["W1"]

    @staticmethod
    def aide():
        return y_tenseur

entier = 3

modele_entraine = torch.nn.Linear(64, 10)
_modele_prive = torch.nn.Linear(2, 2)

def explique(modele, x):
    return modele(x)

def explique_le_global(modele, x):
    return _predire(x) + modele_entraine(x).sum()

def _predire(x):
    return _modele_prive(x) + modele_entraine(x)
"""


@pytest.fixture(scope="module")
def sub(tmp_path_factory) -> Iterator[Submission]:
    k = start_kernel(tmp_path_factory.mktemp("notebook_reads"))
    assert k.execute(NOTEBOOK, timeout=120).status == "ok"
    s = Submission.connect(k, exchange_root(k.runtime_dir), call_timeout=30)
    yield s
    s.close()
    k.shutdown()


def test_a_function_that_uses_its_arguments_reads_nothing_and_gives_its_parameters(sub):
    reads = notebook_data_reads(sub, "propre")
    assert reads == NotebookReads("propre", (), ("X", "y", "lr"))
    assert not reads


def test_arrays_tensors_and_containers_of_arrays_are_data_scalars_and_lists_of_words_are_not(sub):
    reads = notebook_data_reads(sub, "lit_tout")
    assert reads.variables == ("X_digits", "couches", "pv", "y_tenseur")
    assert reads.params == ("X", "params")


def test_the_threshold_is_the_callers_a_dataset_or_any_array(sub):
    big = notebook_data_reads(sub, "lit_tout", min_rows=32, min_size=100)
    assert big.variables == ("X_digits", "y_tenseur")


def test_private_names_are_plumbing_not_data(sub):
    assert notebook_data_reads(sub, "lit_le_prive").variables == ()


def test_reads_are_followed_through_helpers_nested_functions_comprehensions_and_methods(sub):
    assert notebook_data_reads(sub, "via_aide").variables == ("X_digits",)
    assert notebook_data_reads(sub, "imbrique").variables == ("X_digits",)
    modele = notebook_data_reads(sub, "Modele")
    assert modele.variables == ("pv", "y_tenseur") and modele.params == ()


def test_what_is_not_a_function_or_not_defined_reads_nothing(sub):
    for name in ("entier", "nom_inconnu", "np", "X_digits"):
        assert notebook_data_reads(sub, name) == NotebookReads(name, ())


def test_the_notebooks_models_are_found_as_its_data_is_and_data_is_not_a_model(sub):
    assert notebook_model_reads(sub, "explique") == NotebookReads("explique", (), ("modele", "x"))
    reads = notebook_model_reads(sub, "explique_le_global")
    assert reads.variables == ("modele_entraine",) and reads.params == ("modele", "x")
    assert notebook_model_reads(sub, "lit_tout").variables == ()
    assert notebook_data_reads(sub, "explique_le_global").variables == ()
    assert notebook_model_reads(sub, "entier") == NotebookReads("entier", ())
