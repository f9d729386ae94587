"""checks.kernel_code: kernel-side code declared as Python runs in the student's kernel in a
namespace of its own, whatever the student named their globals; the grader can run it too."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from autograder.bridge.proxy import Submission
from autograder.checks import KernelSideError, Ref, kernel_side
from autograder.sandbox.landlock import exchange_root
from tests.checks import kernel_side_decls as decls
from tests.sandbox.test_kernel import start_kernel

#: A student whose globals shadow what helpers usually rely on, and one of their names.
HOSTILE_STUDENT = """
np = None
numpy = None
Doubler = 'not a class'
def doubled(x, k=1):
    return "student"
def f(x):
    return 10 * x
"""


@pytest.fixture(scope="module")
def sub(tmp_path_factory) -> Iterator[Submission]:
    k = start_kernel(tmp_path_factory.mktemp("kernel_code"))
    assert k.execute(HOSTILE_STUDENT, timeout=60).status == "ok"
    s = Submission.connect(k, exchange_root(k.runtime_dir), call_timeout=20)
    yield s
    s.close()
    k.shutdown()


def test_runs_in_the_kernel_beside_a_student_who_shadowed_its_names(sub):
    got = decls.doubled.call(sub, [1.0, 2.0], k=3)
    np.testing.assert_allclose(got, [6.0, 12.0])
    assert sub.call("doubled", 1) == "student"  # the student's own name is untouched


def test_the_grader_runs_the_same_declaration(sub):
    np.testing.assert_allclose(decls.doubled([1.0, 2.0], k=3), [6.0, 12.0])


def test_student_objects_come_as_arguments(sub):
    assert decls.call_students.call(sub, Ref("f"), 2) == 21


def test_installed_once_per_submission_under_a_name_no_student_writes(sub):
    sub.memo.pop(f"kernel_side:{decls.doubled.ref_name}", None)
    ref = decls.doubled.install(sub)
    assert ref.name.startswith("_ag_") and ref.name.endswith("_doubled")
    defined = []
    original = sub.define
    sub.define = lambda name, source: defined.append(name) or original(name, source)  # type: ignore[method-assign]
    try:
        decls.doubled.call(sub, [1.0])
        decls.doubled.call(sub, [2.0])
    finally:
        del sub.define
    assert defined == []


def test_annotations_need_nothing_in_the_kernel(sub):
    assert "kernel_side" not in decls.square.source
    assert decls.square.call(sub, 7) == 49


def test_other_decorators_are_refused_when_declared(tmp_path, monkeypatch):
    mod = tmp_path / "decorated_decls.py"
    mod.write_text(
        "import functools\nfrom autograder.checks import kernel_side\n\n"
        "@kernel_side\n@functools.lru_cache(maxsize=None)\ndef cached(x):\n    return x\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(KernelSideError, match="other decorators .@functools.lru_cache"):
        __import__("decorated_decls")


def test_a_closure_is_refused_when_declared():
    with pytest.raises(KernelSideError, match="add_y uses y"):
        kernel_side(decls.make_closure())


def test_the_name_follows_the_source():
    assert decls.doubled.ref_name != decls.Doubler.ref_name
    assert len({decls.doubled.ref_name, decls.call_students.ref_name, decls.square.ref_name}) == 3


def test_source_read_from_the_module_matches_inspect_for_every_declaration():
    """The module's parsed definitions (read once per module text, the fast path) give the
    same source as inspect.getsource, decorators and all, for classes and functions."""
    import ast
    import inspect
    import textwrap

    from autograder.checks.kernel_code import KernelSide

    declared = [v for v in vars(decls).values() if isinstance(v, KernelSide)]
    assert {d.name for d in declared} >= {"Doubler", "doubled", "square"}
    for d in declared:
        src = textwrap.dedent(inspect.getsource(d.obj))
        line = ast.parse(src).body[0].lineno
        assert d.source == "\n".join(src.splitlines()[line - 1 :]) + "\n", d.name
