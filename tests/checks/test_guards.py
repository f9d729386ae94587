"""checks.guards: the kernel-side guard, run here in a plain namespace, and its messages.

The generated source is plain Python: exec-ing it in a dict stands for the kernel's
globals, so no kernel is started. The grader side runs on a stand-in submission that does
what the kernel's agent does (exec a definition, call a global, report the error's name
and text).
"""

from __future__ import annotations

import math
import sys
import textwrap
import types

import pytest

from autograder.bridge.proxy import Submission
from autograder.bridge.values import KernelDied, Ref, StudentError
from autograder.checks import CheckFailed, LibraryGuard, without_library_source
from autograder.results import Message

MARK = "TPX_INTERDIT"


def kernel(targets, *, scans=(), student: str = "") -> dict:
    """A namespace standing for the notebook's globals: the guard, then the student's cell."""
    ns: dict = {}
    exec(without_library_source("_garde", targets, MARK, scans=scans), ns)
    exec(textwrap.dedent(student), ns)
    return ns


def forbidden(ns: dict, name: str, *args) -> str:
    with pytest.raises(RuntimeError) as info:
        ns["_garde"](name, *args)
    return str(info.value)


# ---------------------------------------------------------------- the kernel side


def test_a_forbidden_call_raises_the_marker_and_the_function_is_back_after():
    sqrt = math.sqrt
    ns = kernel(
        ["math.sqrt"],
        student="""
        import math
        def racine(x):
            return math.sqrt(x)
        def puissance(x):
            return math.pow(x, 0.5)
        """,
    )
    assert forbidden(ns, "racine", 4.0) == f"{MARK} math.sqrt"
    assert math.sqrt is sqrt
    assert ns["_garde"]("puissance", 4.0) == 2.0, "what is not a target still works"
    assert math.sqrt is sqrt


def test_the_guard_adds_only_its_own_name_to_the_notebook():
    ns: dict = {}
    exec(without_library_source("_garde", ["math.sqrt"], MARK), ns)
    assert set(ns) - {"__builtins__"} == {"_garde"}


def test_an_unknown_name_is_a_name_error_naming_it():
    ns = kernel(["math.sqrt"])
    with pytest.raises(NameError, match="^absente$"):
        ns["_garde"]("absente")


def test_the_shown_name_is_the_one_given():
    ns = kernel([("math.sqrt", "np.sqrt")], student="import math\nf = lambda x: math.sqrt(x)")
    assert forbidden(ns, "f", 1.0) == f"{MARK} np.sqrt"


def test_notebook_names_bound_to_a_target_are_switched_off_and_restored():
    sqrt = math.sqrt
    ns = kernel(
        ["math.sqrt"],
        student="""
        from math import sqrt as racine_carree
        def racine(x):
            return racine_carree(x)
        """,
    )
    assert forbidden(ns, "racine", 4.0) == f"{MARK} math.sqrt"
    assert ns["racine_carree"] is sqrt


def test_the_student_function_itself_bound_to_a_target_is_caught():
    ns = kernel(["math.sqrt"], student="import math\nracine = math.sqrt")
    assert forbidden(ns, "racine", 4.0) == f"{MARK} math.sqrt"
    assert ns["racine"] is math.sqrt


def test_a_forbidden_call_the_student_caught_still_fails():
    ns = kernel(
        ["math.sqrt"],
        student="""
        import math
        def racine(x):
            try:
                return math.sqrt(x)
            except Exception:
                return x ** 0.5
        """,
    )
    assert forbidden(ns, "racine", 4.0) == f"{MARK} math.sqrt"


def test_an_error_after_a_caught_forbidden_call_is_reported_as_the_forbidden_call():
    ns = kernel(
        ["math.sqrt"],
        student="""
        import math
        def racine(x):
            try:
                math.sqrt(x)
            except Exception:
                pass
            raise ValueError("autre chose")
        """,
    )
    assert forbidden(ns, "racine", 4.0) == f"{MARK} math.sqrt"


def test_the_student_error_passes_through_and_everything_is_restored():
    sqrt = math.sqrt
    ns = kernel(
        ["math.sqrt"],
        student="""
        from math import sqrt as r
        def casse(x):
            raise ValueError("division par zéro maison")
        """,
    )
    with pytest.raises(ValueError, match="maison"):
        ns["_garde"]("casse", 1.0)
    assert math.sqrt is sqrt and ns["r"] is sqrt


def test_targets_missing_from_the_installed_version_are_skipped():
    ns = kernel(
        ["math.pas_de_fonction", "module_qui_n_existe_pas.f", "math.sqrt.nope", "math.sqrt"],
        student="import math\nf = lambda x: math.sqrt(x)\ng = lambda x: x + 1",
    )
    assert ns["_garde"]("g", 1) == 2
    assert forbidden(ns, "f", 1.0) == f"{MARK} math.sqrt"
    assert not hasattr(math, "pas_de_fonction")


@pytest.fixture
def fake_library(monkeypatch):
    """A module `fakelib` with functions, a class whose `forward` is inherited, and data."""
    lib = types.ModuleType("fakelib")

    class Base:
        def forward(self, x):
            return x

    class Couche(Base):
        pass

    def fast_attention(x):
        return x

    def TransformerBlock(x):  # noqa: N802 - a library's name, as PyTorch spells them
        return x

    lib.Base, lib.Couche = Base, Couche
    lib.fast_attention, lib.TransformerBlock, lib.norm = fast_attention, TransformerBlock, abs
    lib.attention_table = {"not": "callable"}
    monkeypatch.setitem(sys.modules, "fakelib", lib)
    return lib


def test_scans_switch_off_every_function_whose_name_matches(fake_library):
    table = fake_library.attention_table
    ns = kernel(
        [],
        scans=[("fakelib", ("attention", "transformer"))],
        student="""
        import fakelib
        a = lambda x: fakelib.fast_attention(x)
        b = lambda x: fakelib.TransformerBlock(x)
        c = lambda x: fakelib.norm(x) + len(fakelib.attention_table)
        """,
    )
    assert forbidden(ns, "a", 1) == f"{MARK} fakelib.fast_attention"
    assert forbidden(ns, "b", 1) == f"{MARK} fakelib.TransformerBlock"
    assert ns["_garde"]("c", -1) == 2, "data and other functions are left alone"
    assert fake_library.attention_table is table


def test_an_inherited_method_is_switched_off_and_no_copy_is_left_behind(fake_library):
    ns = kernel(
        [("fakelib.Couche.forward", "fakelib.Couche")],
        student="""
        import fakelib
        def couche(x):
            return fakelib.Couche().forward(x)
        def base(x):
            return fakelib.Base().forward(x)
        """,
    )
    assert forbidden(ns, "couche", 1) == f"{MARK} fakelib.Couche"
    assert ns["_garde"]("base", 3) == 3, "only the named class is switched off"
    assert "forward" not in vars(fake_library.Couche)
    assert fake_library.Couche().forward(5) == 5


def test_a_module_the_notebook_has_not_imported_is_imported_to_be_switched_off(tmp_path, monkeypatch):
    (tmp_path / "guardpkg").mkdir()
    (tmp_path / "guardpkg" / "__init__.py").write_text("")
    (tmp_path / "guardpkg" / "sub.py").write_text("def rang(x):\n    return x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("guardpkg", "guardpkg.sub"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    try:
        ns = kernel(
            ["guardpkg.sub.rang"],
            student="""
            def f(x):
                import guardpkg.sub
                return guardpkg.sub.rang(x)
            """,
        )
        assert forbidden(ns, "f", 1) == f"{MARK} guardpkg.sub.rang"
        assert sys.modules["guardpkg.sub"].rang(7) == 7
    finally:
        for name in ("guardpkg.sub", "guardpkg"):
            sys.modules.pop(name, None)


def test_torch_functions_methods_and_aten_ops_are_switched_off_and_restored():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    conv, forward = F.conv2d, torch.nn.Conv2d.forward
    op = torch.ops.aten.convolution
    ns = kernel(
        [
            ("torch.nn.functional.conv2d", "F.conv2d"),
            ("torch.nn.Conv2d.forward", "nn.Conv2d"),
            "torch.ops.aten.convolution",
            "torch.ops.aten.pas_un_operateur",
        ],
        student="""
        import torch
        from torch.nn.functional import conv2d as c
        x = torch.ones(1, 1, 3, 3)
        w = torch.ones(1, 1, 2, 2)
        module = lambda: torch.nn.Conv2d(1, 1, 2)(x)
        fonction = lambda: c(x, w)
        aten = lambda: torch.ops.aten.convolution(x, w, None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1)
        main = lambda: (x.unfold(2, 2, 1).unfold(3, 2, 1) * w[0, 0]).sum((-1, -2))
        """,
    )
    assert forbidden(ns, "module") == f"{MARK} nn.Conv2d"
    assert forbidden(ns, "fonction") == f"{MARK} F.conv2d"
    assert forbidden(ns, "aten") == f"{MARK} torch.ops.aten.convolution"
    assert ns["_garde"]("main").shape == (1, 1, 2, 2)
    assert F.conv2d is conv and torch.nn.Conv2d.forward is forward and ns["c"] is conv
    assert torch.ops.aten.convolution is op


def test_the_builder_refuses_malformed_guards():
    with pytest.raises(ValueError, match="helper"):
        without_library_source("pas un nom", ["math.sqrt"], MARK)
    with pytest.raises(ValueError, match="marker"):
        without_library_source("_garde", ["math.sqrt"], "TP INTERDIT")
    with pytest.raises(ValueError, match="names no attribute"):
        without_library_source("_garde", ["math"], MARK)
    with pytest.raises(ValueError, match="dotted"):
        without_library_source("_garde", ["math.sqrt; import os"], MARK)
    with pytest.raises(ValueError, match="shown name"):
        without_library_source("_garde", [("math.sqrt", "la racine")], MARK)
    with pytest.raises(ValueError, match="nothing"):
        without_library_source("_garde", [], MARK)
    with pytest.raises(ValueError, match="helper"):
        LibraryGuard(helper="1x", marker=MARK, targets=("math.sqrt",))


# ---------------------------------------------------------------- the grader side

GUARD = LibraryGuard(
    helper="_tpx_sans_bibliotheque",
    marker=MARK,
    targets=(("math.sqrt", "math.sqrt"),),
    hint_fr="calculez la racine par la méthode de Héron",
    hint_en="compute the root with Heron's method",
)


class InProcess:
    """What `submission` does with a kernel, in this process: define, call, report errors."""

    def __init__(self, student: str):
        self.ns: dict = {}
        exec(textwrap.dedent(student), self.ns)

    def define(self, name: str, source: str) -> None:
        exec(source, self.ns)

    def call(self, name: str, *args, timeout=None, **kwargs):
        try:
            return self.ns[name](*args, **kwargs)
        except Exception as exc:
            ename, evalue = type(exc).__name__, str(exc)
            raise StudentError(
                Message(f"`{name}` a levé {ename} : {evalue}", f"`{name}` raised {ename}: {evalue}"),
                ename,
                evalue,
            ) from None


STUDENT = """
import math
def triche(x):
    return math.sqrt(x)
def heron(x):
    r = x
    for _ in range(30):
        r = (r + x / r) / 2
    return r
def casse(x):
    raise ValueError("x négatif")
def modele(x):
    return x
def lance(nom, x):
    return globals()[nom](x)
"""


def test_a_forbidden_call_fails_the_check_naming_the_student_function_and_the_library_one():
    with pytest.raises(CheckFailed) as info:
        GUARD.call(InProcess(STUDENT), "triche", 2.0)
    assert info.value.message == Message(
        "triche appelle math.sqrt : calculez la racine par la méthode de Héron",
        "triche calls math.sqrt: compute the root with Heron's method",
    )


def test_an_answer_computed_by_hand_comes_back():
    assert GUARD.call(InProcess(STUDENT), "heron", 2.0) == pytest.approx(math.sqrt(2.0))


def test_via_calls_a_grader_helper_and_messages_name_the_student_function():
    with pytest.raises(CheckFailed, match="^triche appelle math.sqrt"):
        GUARD.call(InProcess(STUDENT), "triche", "triche", 2.0, via="lance")


def test_other_errors_keep_the_student_s_error_and_name_the_student_function():
    with pytest.raises(StudentError) as info:
        GUARD.call(InProcess(STUDENT), "casse", 2.0)
    exc = info.value
    assert (exc.ename, exc.evalue) == ("ValueError", "x négatif"), "the TP's own mapping reads these"
    assert exc.message == Message("`casse` a levé ValueError : x négatif", "`casse` raised ValueError: x négatif")


def test_a_missing_function_is_reported_as_not_defined():
    with pytest.raises(StudentError) as info:
        GUARD.call(InProcess(STUDENT), "absente", 1.0)
    assert info.value.ename == "NameError" and info.value.evalue == "absente"
    assert "`absente` n'est pas défini dans votre notebook" in info.value.message.fr
    assert "`absente` is not defined" in info.value.message.en


def test_a_kernel_that_is_gone_is_reported_under_the_student_function():
    gone = Submission(
        None,
        None,
        unavailable=Message("impossible d'appeler `_tpx_sans_bibliotheque`", "cannot call `_tpx_sans_bibliotheque`"),
    )
    with pytest.raises(KernelDied) as info:
        GUARD.call(gone, "heron", 2.0)
    assert info.value.message == Message("impossible d'appeler `heron`", "cannot call `heron`")


def test_install_hands_the_guard_to_kernel_side_code():
    """A `@kernel_side` helper (gradients through the guard) receives it as an argument."""
    sub = InProcess(STUDENT)
    ref = GUARD.install(sub)
    assert ref == Ref(GUARD.helper)
    garde = sub.ns[ref.name]
    assert garde("heron", 2.0) == pytest.approx(math.sqrt(2.0))
    with pytest.raises(RuntimeError) as info:
        garde("triche", 2.0)
    failed = GUARD.failure("triche", StudentError(Message("x"), "RuntimeError", str(info.value)))
    assert failed is not None and failed.message.fr.startswith("triche appelle math.sqrt")


def test_failure_reads_the_marker_only():
    assert GUARD.failure("f", StudentError(Message("x"), "ValueError", "autre")) is None
    failed = GUARD.failure("f", StudentError(Message("x"), "RuntimeError", f"{MARK} np.sqrt"))
    assert failed is not None and failed.message.fr.startswith("f appelle np.sqrt : ")
    bare = GUARD.failure("f", StudentError(Message("x"), "RuntimeError", MARK))
    assert bare is not None and "f appelle une fonction désactivée" in bare.message.fr
    assert "f calls a switched-off function" in bare.message.en
