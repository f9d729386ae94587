"""proxy: checks call student code in a live sandboxed kernel; values cross as JSON + .npy."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from autograder.bridge.callloop import SOCKET_NAME
from autograder.bridge.exchange import make_request_dir, read_array, read_json
from autograder.bridge.proxy import AGENT_UNANSWERED, Submission
from autograder.bridge.values import (
    MAX_JSON_BYTES,
    BadValue,
    Handle,
    KernelDied,
    Ref,
    StudentError,
    StudentTimeout,
    Tensor,
)
from autograder.results import Message
from autograder.sandbox.kernel import Kernel
from autograder.sandbox.landlock import exchange_root
from tests.sandbox.test_kernel import start_kernel

STUDENT_CODE = """
import numpy as np
import torch

def ident(*args, **kwargs):
    return [list(args), kwargs] if kwargs else (args[0] if len(args) == 1 else args)

def kinds(*args):
    return [type(a).__module__ + "." + type(a).__name__ for a in args]

def dtype_of(a):
    return str(a.dtype)

def requires_grad(t):
    return bool(t.requires_grad)

def double_tensor(t):
    return (t * 2).requires_grad_(True) * 1

def half():
    return torch.ones(3, dtype=torch.bfloat16)

def np_scalars():
    return [np.float32(1.5), np.int64(7), np.bool_(True)]

def non_finite():
    return [float("nan"), float("inf"), -float("inf")]

class Model:
    def __init__(self, w):
        self.w = w
    def forward(self, x):
        return self.w * x
    def boom(self):
        raise ArithmeticError("dans la méthode")

def make_model(w):
    return Model(w)

def apply(fn, x):
    return fn(x)

def not_done(x):
    raise NotImplementedError()

def crashes(x):
    return [1, 2][x]

def forever():
    while True:
        pass

def object_array():
    return np.array([{"a": 1}, None], dtype=object)

def string_array():
    return np.array(["a", "b"])

def deep():
    v = 1
    for _ in range(50):
        v = [v]
    return v

def weird_keys():
    return {1: "int key"}

GLOBAL_VALUE = {"lr": 0.1, "layers": [2, 3]}
"""


def exchange_dir(k: Kernel) -> Path:
    """A second exchange folder for the live kernel, made as `Submission.connect` makes one."""
    exchange = Path(tempfile.mkdtemp(prefix="xchg-", dir=exchange_root(k.runtime_dir)))
    os.chmod(exchange, 0o755)
    return exchange


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[tuple[Kernel, Submission]]:
    k = start_kernel(tmp_path_factory.mktemp("proxy"))
    assert k.execute(STUDENT_CODE, timeout=60).status == "ok"
    sub = Submission.connect(k, exchange_root(k.runtime_dir), call_timeout=10)
    assert sub.unavailable is None
    assert k.execute("_REAL_AGENT = __autograder_agent__", timeout=10).status == "ok"
    yield k, sub
    k.shutdown()


@pytest.fixture
def sub(live) -> Submission:
    return live[1]


# ---------------------------------------------------------------- values both ways


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        0,
        -(2**62),
        3.25,
        "café ∑",
        [1, [2, "x"]],
        (1, (2.5, None)),
        {"a": [1, {"b": ()}]},
    ],
    ids=repr,
)
def test_json_values_round_trip(sub, value):
    assert sub.call("ident", value) == value


def test_kwargs_and_several_args(sub):
    assert sub.call("ident", 1, 2, k=3) == [[1, 2], {"k": 3}]
    assert sub.call("ident", 1, "b") == (1, "b")


def test_keyword_arguments_carry_arrays_tensors_and_refs(sub):
    x = np.arange(6.0).reshape(2, 3)
    assert sub.call("kinds", x) == ["numpy.ndarray"]
    got = sub.call("ident", a=x, t=Tensor(x), r=Ref("GLOBAL_VALUE"), n=(1, np.float64(2.5)))
    args, kwargs = got
    assert args == []
    np.testing.assert_array_equal(kwargs["a"], x)
    np.testing.assert_array_equal(kwargs["t"], x)  # a tensor there, an array back
    assert kwargs["r"] == {"lr": 0.1, "layers": [2, 3]}
    assert kwargs["n"] == (1, 2.5)
    assert sub.call("requires_grad", t=Tensor(x, requires_grad=True)) is True


def test_non_finite_floats_both_ways(sub):
    back = sub.call("ident", [math.nan, math.inf, -math.inf])
    assert math.isnan(back[0]) and back[1:] == [math.inf, -math.inf]
    got = sub.call("non_finite")
    assert math.isnan(got[0]) and got[1:] == [math.inf, -math.inf]


def test_arrays_arrive_as_ndarrays_and_come_back_as_ndarrays(sub):
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert sub.call("kinds", x, np.int16(3)) == ["numpy.ndarray", "builtins.int"]
    assert sub.call("dtype_of", x) == "float32"
    back = sub.call("ident", x)
    assert type(back) is np.ndarray and back.dtype == np.float32
    np.testing.assert_array_equal(back, x)
    non_contiguous = np.arange(20.0).reshape(4, 5)[:, ::2]
    np.testing.assert_array_equal(sub.call("ident", non_contiguous), non_contiguous)


def test_tensors_arrive_as_tensors_and_come_back_as_arrays(sub):
    x = np.linspace(0, 1, 5)
    assert sub.call("kinds", Tensor(x)) == ["torch.Tensor"]
    assert sub.call("requires_grad", Tensor(x, requires_grad=True)) is True
    assert sub.call("requires_grad", Tensor(x)) is False
    got = sub.call("double_tensor", Tensor(x, requires_grad=True))
    assert type(got) is np.ndarray
    np.testing.assert_allclose(got, 2 * x)
    half = sub.call("half")
    assert half.dtype == np.float32 and half.tolist() == [1.0, 1.0, 1.0]


def test_numpy_scalars_become_python_numbers(sub):
    assert sub.call("np_scalars") == [1.5, 7, True]
    assert [type(v) for v in sub.call("np_scalars")] == [float, int, bool]


def test_objects_come_back_as_handles(sub):
    model = sub.call("make_model", 3.0)
    assert isinstance(model, Handle) and model.type_name == "Model"
    assert "Model" in repr(model)
    assert model.get("w") == 3.0
    np.testing.assert_allclose(model.call("forward", np.ones(2)), [3.0, 3.0])
    assert sub.call("apply", Ref("make_model"), 2.0).get("w") == 2.0
    with pytest.raises(StudentError) as info:
        model.call("boom")
    assert info.value.ename == "ArithmeticError"
    assert "Model.boom" in info.value.message.fr


def test_handles_can_be_passed_back(sub):
    model = sub.call("make_model", 5.0)
    assert sub.call("kinds", model) == ["__main__.Model"]
    assert sub.call("apply", Ref("ident"), model).get("w") == 5.0


def test_define_runs_grader_code_and_ref_passes_it(sub):
    ref = sub.define("_grader_sq", "def _grader_sq(x):\n    return x * x\n")
    assert ref == Ref("_grader_sq")
    assert sub.call("apply", ref, 7) == 49


def test_has_and_get(sub):
    assert sub.has("ident") is True
    assert sub.has("nope_not_defined") is False
    assert sub.get("GLOBAL_VALUE") == {"lr": 0.1, "layers": [2, 3]}


def test_grader_side_unsendable_argument_is_a_type_error(sub):
    with pytest.raises(TypeError):
        sub.call("ident", object())


# ---------------------------------------------------------------- student errors


def test_missing_function_says_so(sub):
    with pytest.raises(StudentError) as info:
        sub.call("grad_f", 1)
    assert "`grad_f` n'est pas défini" in info.value.message.fr
    assert "is not defined" in info.value.message.en
    with pytest.raises(StudentError):
        sub.get("UNDEFINED_GLOBAL")


def test_not_implemented_says_fill_in_the_cell(sub):
    with pytest.raises(StudentError) as info:
        sub.call("not_done", 1)
    assert info.value.ename == "NotImplementedError"
    assert "pas encore implémentée" in info.value.message.fr


def test_student_exception_is_named(sub):
    with pytest.raises(StudentError) as info:
        sub.call("crashes", 5)
    assert info.value.ename == "IndexError"
    assert "`crashes` a levé IndexError" in info.value.message.fr


def test_key_error_inside_student_code_is_not_a_missing_name(sub):
    sub.define("_ke", "def _ke(d):\n    return d['absent']\n")
    with pytest.raises(StudentError) as info:
        sub.call("_ke", {"x": 1})
    assert info.value.ename == "KeyError"
    assert "n'est pas défini" not in info.value.message.fr


@pytest.mark.parametrize(
    ("fn", "ename"),
    [("object_array", "TypeError"), ("string_array", "TypeError"), ("deep", "ValueError")],
)
def test_values_that_cannot_cross_are_refused(sub, fn, ename):
    with pytest.raises(StudentError) as info:
        sub.call(fn)
    assert info.value.ename == ename


def test_dict_with_non_string_keys_stays_in_the_kernel(sub):
    got = sub.call("weird_keys")
    assert isinstance(got, Handle) and got.type_name == "dict"


def test_timeout_then_the_kernel_still_answers(sub):
    with pytest.raises(StudentTimeout) as info:
        sub.call("forever", timeout=1.0)
    assert "n'a pas répondu en 1 s" in info.value.message.fr
    assert sub.call("ident", 42) == 42


def test_unavailable_submission_raises_kernel_died_with_its_reason():
    reason = Message(fr="le noyau s'est arrêté à la cellule 4", en="stopped at cell 4")
    sub = Submission(None, None, unavailable=reason)
    for call in (lambda: sub.call("f"), lambda: sub.get("x"), lambda: sub.has("x")):
        with pytest.raises(KernelDied) as info:
            call()
        assert info.value.message == reason


def test_kernel_dying_during_a_call(tmp_path):
    k = start_kernel(tmp_path / "k")
    try:
        assert k.execute("import os\ndef die():\n    os._exit(1)\n", timeout=30).status == "ok"
        sub = Submission.connect(k, exchange_root(k.runtime_dir), call_timeout=10)
        with pytest.raises(KernelDied) as info:
            sub.call("die")
        assert "pendant l'appel à `die`" in info.value.message.fr
        with pytest.raises(KernelDied) as again:
            sub.call("die")
        assert "s'est arrêté plus tôt" in again.value.message.fr
    finally:
        k.shutdown()


# ---------------------------------------------------------------- a hostile agent


def with_fake_agent(live, body: str) -> None:
    """Student code replaces the agent by one writing whatever it likes."""
    k, _ = live
    code = (
        "import json, os\n"
        "class _Fake(type(_REAL_AGENT)):  # the real call loop, a forged answer\n"
        "    def run(self, d):\n"
        + "".join(f"        {line}\n" for line in body.splitlines())
        + "\n"
        "__autograder_agent__ = _Fake()\n"
    )
    assert k.execute(code, timeout=10).status == "ok"


@pytest.fixture
def restore_agent(live):
    yield
    assert live[0].execute("__autograder_agent__ = _REAL_AGENT", timeout=10).status == "ok"


W = "open(os.path.join(d, 'result.json'), 'w').write({!r})"


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ('{"ok": true, "value": {"__nd__": "../../../etc/passwd"}}', "référence de tableau"),
        ('{"ok": true, "value": {"__nd__": ".hidden.npy"}}', "référence de tableau"),
        ('{"ok": true, "value": {"__nd__": "missing.npy"}}', "réponse absente"),
        ('{"ok": true, "value": {"__float__": "1e999"}}', "nombre illisible"),
        ('{"ok": true, "value": {"__handle__": "1", "type": "x"}}', "type inattendu"),
        ('{"ok": true, "value": {"__pickle__": "gASV"}}', "type inattendu"),
        ('{"ok": true, "value": ' + "[" * 25 + "1" + "]" * 25 + "}", "trop profonde"),
        ('{"value": 1}', "réponse illisible"),
        ("[1, 2]", "réponse illisible"),
        ("not json", "réponse illisible"),
    ],
)
def test_hostile_answers_are_bad_values(live, restore_agent, payload, words):
    with_fake_agent(live, W.format(payload))
    with pytest.raises(BadValue) as info:
        live[1].call("ident", 1)
    assert words in info.value.message.fr


def test_agent_that_writes_nothing(live, restore_agent):
    with_fake_agent(live, "pass")
    with pytest.raises(BadValue) as info:
        live[1].call("ident", 1)
    assert "réponse absente" in info.value.message.fr


def test_result_symlink_to_a_grader_file_is_not_followed(live, restore_agent, tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text('{"ok": true, "value": "instructor secret"}')
    with_fake_agent(live, f"os.symlink({str(secret)!r}, os.path.join(d, 'result.json'))")
    with pytest.raises(BadValue) as info:
        live[1].call("ident", 1)
    assert "pas un fichier" in info.value.message.fr


def test_pickled_array_is_refused(live, restore_agent):
    body = (
        "import numpy as np\n"
        "np.save(os.path.join(d, 'r1.npy'), np.array([{'x': 1}], dtype=object), allow_pickle=True)\n"
        + W.format('{"ok": true, "value": {"__nd__": "r1.npy"}}')
    )
    with_fake_agent(live, body)
    with pytest.raises(BadValue) as info:
        live[1].call("ident", 1)
    assert "tableau illisible" in info.value.message.fr


# ---------------------------------------------------------------- reading hostile files


def test_read_json_refuses_oversized_fifo_and_symlink(tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(MAX_JSON_BYTES + 1)
    with pytest.raises(BadValue, match="trop grande"):
        read_json(big, "f")
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    with pytest.raises(BadValue, match="pas un fichier"):
        read_json(fifo, "f")
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "ok.json")
    (tmp_path / "ok.json").write_text(json.dumps({"ok": True}))
    with pytest.raises(BadValue, match="pas un fichier"):
        read_json(link, "f")
    assert read_json(tmp_path / "ok.json", "f") == {"ok": True}


def test_read_array_only_plain_numeric_arrays(tmp_path):
    np.save(tmp_path / "ok.npy", np.arange(3))
    np.save(tmp_path / "str.npy", np.array(["a"]))
    np.save(tmp_path / "rec.npy", np.zeros(2, dtype=[("a", "f8")]))
    assert read_array(tmp_path, "ok.npy", "f").tolist() == [0, 1, 2]
    for name in ("str.npy", "rec.npy"):
        with pytest.raises(BadValue):
            read_array(tmp_path, name, "f")
    for name in ("../ok.npy", "sub/ok.npy", "ok.txt", 3):
        with pytest.raises(BadValue, match="référence de tableau"):
            read_array(tmp_path, name, "f")
    (tmp_path / "junk.npy").write_bytes(b"\x93NUMPY garbage")
    with pytest.raises(BadValue, match="tableau illisible"):
        read_array(tmp_path, "junk.npy", "f")


def test_request_folder_is_never_made_through_a_link(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = tmp_path / "xchg-link"
    link.symlink_to(elsewhere)
    with pytest.raises(BadValue, match="dossier d'échange"):
        make_request_dir(link, "req-00001", "f")
    assert list(elsewhere.iterdir()) == []


def test_request_folder_taken_beforehand_is_refused(tmp_path):
    (tmp_path / "req-00001").symlink_to("/etc")
    with pytest.raises(BadValue, match="dossier d'échange"):
        make_request_dir(tmp_path, "req-00001", "f")
    fd = make_request_dir(tmp_path, "req-00002", "f")
    try:
        assert os.path.samestat(os.fstat(fd), os.stat(tmp_path / "req-00002"))
    finally:
        os.close(fd)


def test_each_calls_exchange_folder_is_removed_once_read(sub):
    """Space left by one answer (a 256 MB file cut by the size limit, say) cannot starve
    the next call: nothing of a finished call stays in the exchange folder."""
    arr = np.arange(12.0).reshape(3, 4)
    assert np.array_equal(sub.call("ident", arr), arr)
    with pytest.raises(StudentError):
        sub.call("crashes", arr)
    assert [p.name for p in sub.exchange_dir.iterdir()] == [SOCKET_NAME]


# ---------------------------------------------------------------- the grader's memory

#: A fake agent's answer: one sparse 40 MiB float64 array, named six times and hard-linked.
SPARSE_REPEATED = (
    "import numpy as np\n"
    "p = os.path.join(d, 'r1.npy')\n"
    "with open(p, 'wb') as f:\n"
    "    np.lib.format.write_array_header_1_0(f, {'descr': '<f8', 'fortran_order': False, 'shape': (5 * 2**20,)})\n"
    "    f.truncate(f.tell() + 40 * 2**20)\n"
    "for i in (2, 3):\n"
    "    os.link(p, os.path.join(d, f'r{i}.npy'))\n"
    "names = ['r1.npy'] * 4 + ['r2.npy', 'r3.npy']\n"
    "open(os.path.join(d, 'result.json'), 'w').write(json.dumps({'ok': True, 'value': [{'__nd__': n} for n in names]}))\n"
)


@pytest.fixture
def own_sub(live) -> Iterator[object]:
    """A Submission of its own (its own budget) on the live kernel."""
    made: list[Submission] = []

    def make(budget_mib: int) -> Submission:
        live[1].close()
        s = Submission(live[0], exchange_dir(live[0]), call_timeout=10, read_budget=budget_mib * 2**20)
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


def test_a_file_named_many_times_is_read_once(live, restore_agent, own_sub):
    with_fake_agent(live, SPARSE_REPEATED)
    s = own_sub(100)
    got = s.call("ident", 1)
    assert len(got) == 6 and all(a is got[0] for a in got)
    assert got[0].shape == (5 * 2**20,) and not got[0].any()
    assert 40 * 2**20 <= s.budget.used < 41 * 2**20


def test_reads_past_the_budget_fail_the_call_naming_it(live, restore_agent, own_sub):
    with_fake_agent(live, SPARSE_REPEATED)
    s = own_sub(60)
    s.call("ident", 1)
    with pytest.raises(BadValue) as info:
        s.call("ident", 2)
    m = info.value.message
    assert "`ident`" in m.fr and "60 Mio" in m.fr and "`ident`" in m.en and "60 MiB" in m.en
    live[0].execute("__autograder_agent__ = _REAL_AGENT", timeout=10)
    with pytest.raises(BadValue, match="volume total"):  # spent: even a small answer
        s.call("ident", 3)


def test_header_that_does_not_match_the_file_size_is_refused(tmp_path):
    with open(tmp_path / "big.npy", "wb") as f:
        np.lib.format.write_array_header_1_0(f, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)})
        f.write(b"\0" * 64)
    with pytest.raises(BadValue, match="tableau illisible"):
        read_array(tmp_path, "big.npy", "f")
    np.save(tmp_path / "f.npy", np.asfortranarray(np.arange(6).reshape(2, 3)))
    assert read_array(tmp_path, "f.npy", "f").tolist() == [[0, 1, 2], [3, 4, 5]]


def test_a_notebook_that_breaks_the_agent_makes_every_call_say_so(tmp_path):
    """`Submission.connect` installs the agent after the notebook ran: when the notebook's
    code left the kernel unable to define it, calls fail with that reason (no hang, no crash)."""
    k = start_kernel(tmp_path / "k")
    try:
        assert k.execute("import sys\nsys.modules['json'] = None\n", timeout=30).status == "ok"
        sub = Submission.connect(k, exchange_root(k.runtime_dir), call_timeout=10)
        assert sub.unavailable == AGENT_UNANSWERED
        with pytest.raises(KernelDied) as info:
            sub.call("f")
        assert info.value.message == AGENT_UNANSWERED
    finally:
        k.shutdown()
