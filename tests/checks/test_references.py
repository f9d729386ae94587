"""checks.references: the kernel-side swap, run here in a plain namespace standing for the
notebook's globals, and the grader side's error labels."""

from __future__ import annotations

import textwrap

import pytest

from autograder.bridge.proxy import Submission
from autograder.bridge.values import KernelDied
from autograder.checks.references import (
    HELPER,
    reference_source,
    references_source,
    with_references,
)
from autograder.results import Message

STUDENT = """
def kl(x):
    return -x  # the student's bug
def perte(x):
    return 10 + kl(x)
"""
REF_KL = "def kl(x):\n    return abs(x)\n"


def notebook() -> dict:
    ns: dict = {}
    exec(references_source(), ns)
    exec(textwrap.dedent(STUDENT), ns)
    return ns


def test_the_student_function_runs_against_the_reference_and_the_student_one_is_back():
    ns = notebook()
    student_kl = ns["kl"]
    assert ns["perte"](-3) == 13, "the student's own kl"
    assert ns[HELPER]({"kl": REF_KL}, "perte", -3) == 13
    assert ns[HELPER]({"kl": REF_KL}, "perte", 3) == 13, "the reference kl during the call"
    assert ns["kl"] is student_kl and ns["perte"](3) == 7


def test_references_call_one_another_and_a_missing_name_is_removed_after():
    ns = notebook()
    refs = {"aide": "def aide(x):\n    return 2 * x\n", "kl": "def kl(x):\n    return aide(x) + 1\n"}
    assert ns[HELPER](refs, "perte", 1) == 13
    assert "aide" not in ns


def test_a_reference_may_subclass_a_notebook_class():
    ns = notebook()
    exec("class Modele:\n    def f(self):\n        return 1\ndef construit():\n    return Modele().f()\n", ns)
    refs = {"Modele": "class Modele(Modele):\n    def f(self):\n        return super().f() + 1\n"}
    assert ns[HELPER](refs, "construit") == 2
    assert ns["construit"]() == 1


def test_a_student_error_passes_through_and_everything_is_restored():
    ns = notebook()
    exec("def casse(x):\n    kl(x)\n    raise ValueError('non')\n", ns)
    student_kl = ns["kl"]
    with pytest.raises(ValueError, match="non"):
        ns[HELPER]({"kl": REF_KL}, "casse", 1)
    assert ns["kl"] is student_kl


def test_an_undefined_function_is_a_name_error_naming_it():
    with pytest.raises(NameError, match="^absente$"):
        notebook()[HELPER]({"kl": REF_KL}, "absente")


def test_errors_name_the_student_function_not_the_helper():
    gone = Submission(None, None, unavailable=Message(f"impossible d'appeler `{HELPER}`", f"cannot call `{HELPER}`"))
    with pytest.raises(KernelDied) as info:
        with_references(gone, {"kl": REF_KL}, "perte", 1.0)
    assert info.value.message == Message("impossible d'appeler `perte`", "cannot call `perte`")


def test_a_bad_reference_name_is_refused_here():
    with pytest.raises(ValueError):
        with_references(Submission(None, None, unavailable=Message("x")), {"not a name": ""}, "f")


def test_a_kernel_side_reference_stands_for_the_student_function_under_its_name():
    from tests.checks.kernel_side_decls import kl, reference_kl

    ns = notebook()
    sources = {"kl": reference_source("kl", reference_kl)}
    assert ns[HELPER](sources, "perte", 3) == 13 == 10 + reference_kl(3), "the oracle runs here too"
    assert "reference_kl" not in ns and ns["perte"](3) == 7
    # What it uses comes along, and its own name needs no alias.
    assert ns[HELPER]({"kl": reference_source("kl", kl)}, "perte", 2) == 14


def test_a_reference_that_is_neither_source_nor_kernel_side_is_refused_here():
    with pytest.raises(ValueError, match="bad reference for 'kl'"):
        with_references(Submission(None, None, unavailable=Message("x")), {"kl": len}, "perte")
