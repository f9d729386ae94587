"""callloop: the proxy's calls served inside one execute request, over a unix socket."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from autograder.bridge.callloop import SOCKET_NAME
from autograder.bridge.proxy import Submission
from autograder.bridge.values import BadValue, KernelDied, StudentError, StudentTimeout
from autograder.sandbox.kernel import Kernel
from autograder.sandbox.landlock import exchange_root
from tests.sandbox.test_kernel import start_kernel

STUDENT_CODE = r'''
import gc, os, socket, threading, time
import torch

torch.set_grad_enabled(False)  # the notebook's choice; the checks must see it

def ident(x):
    return x

def parent_request():
    return get_ipython().kernel.get_parent()["header"]["msg_id"]

def where_and_grad():
    return [threading.current_thread() is threading.main_thread(), torch.is_grad_enabled()]

def _loop_socket():
    for o in gc.get_objects():
        if isinstance(o, socket.socket) and o.family == socket.AF_UNIX and o.fileno() >= 0:
            with_peer = o.getpeername()
            if isinstance(with_peer, str) and with_peer.endswith("/loop"):
                return o
    raise LookupError("no loop socket")

def forge_done():
    """Says `done` for the request still running, then answers late."""
    s = _loop_socket()
    # The socket was bound through a descriptor: its name says nothing; the exchange folder
    # lies beside the connection file, as the agent's requests show.
    from ipykernel.kernelapp import IPKernelApp
    import glob
    run = os.path.dirname(IPKernelApp.instance().connection_file)
    exchange = max(glob.glob(os.path.join(run, "exchange", "xchg-*")), key=os.path.getmtime)
    current = max(n for n in os.listdir(exchange) if n.startswith("req-"))
    s.sendall(b"done " + current.encode() + b"\n")
    time.sleep(0.5)
    return 42

def flood():
    _loop_socket().sendall(b"x" * 100_000)
    return 7

def swallow_once():
    try:
        while True:
            pass
    except KeyboardInterrupt:
        return "rattrapé"

def deaf():
    while True:
        try:
            time.sleep(100)
        except KeyboardInterrupt:
            pass
'''


@pytest.fixture
def live(tmp_path) -> Iterator[tuple[Kernel, Submission]]:
    k = start_kernel(tmp_path / "k")
    try:
        assert k.execute(STUDENT_CODE, timeout=60).status == "ok"
        sub = Submission.connect(k, exchange_root(k.runtime_dir), call_timeout=10)
        yield k, sub
        sub.close()
    finally:
        k.shutdown()


def test_calls_share_one_request_until_the_kernel_is_wanted_again(live):
    k, sub = live
    first = {sub.call("parent_request") for _ in range(3)}
    assert len(first) == 1
    res = k.execute("print('cellule')", timeout=10)  # ends the loop first
    assert res.status == "ok" and "cellule" in res.outputs[0]["text"]
    assert sub.call("parent_request") not in first


def test_student_code_runs_on_the_main_thread_with_the_notebooks_grad_mode(live):
    assert live[1].call("where_and_grad") == [True, False]


def test_the_socket_belongs_to_the_kernels_user_alone(live):
    k, sub = live
    sub.call("ident", 1)
    st = os.stat(sub.exchange_dir / SOCKET_NAME)
    assert stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600
    assert st.st_uid == (k.plan.run_as[0] if k.plan.run_as else os.getuid())


def test_a_forged_done_line_decides_nothing_and_does_not_shift_later_calls(live):
    _, sub = live
    with pytest.raises(BadValue) as info:
        sub.call("forge_done")
    assert "réponse absente" in info.value.message.fr
    # The real `done` of that call comes later; it must not pass for the next call's.
    assert [sub.call("ident", i) for i in range(3)] == [0, 1, 2]


def test_garbage_on_the_socket_ends_the_loop_and_the_next_call_works(live):
    _, sub = live
    # The grader may close the socket while the flood is still being written: the
    # student's own call then fails (BrokenPipeError), which is the student's fault.
    with contextlib.suppress(BadValue, StudentError):
        assert sub.call("flood") == 7
    assert sub.call("ident", "après") == "après"


def test_a_call_that_swallows_the_interrupt_times_out_and_the_kernel_goes_on(live):
    k, sub = live
    with pytest.raises(StudentTimeout):
        sub.call("swallow_once", timeout=1.0)
    assert k.alive()
    assert sub.call("ident", 5) == 5


def test_a_call_deaf_to_interrupts_gets_the_kernel_killed(live):
    k, sub = live
    with pytest.raises(StudentTimeout):
        sub.call("deaf", timeout=1.0)
    assert not k.alive()
    with pytest.raises(KernelDied) as info:
        sub.call("ident", 1)
    assert "`deaf` ne répondait plus" in info.value.message.fr


def test_an_agent_replaced_without_serve_gives_a_missing_answer(live):
    k, sub = live
    assert k.execute("__autograder_agent__ = object()", timeout=10).status == "ok"
    with pytest.raises(BadValue) as info:
        sub.call("ident", 1)
    assert "réponse absente" in info.value.message.fr


def test_close_frees_the_kernel_and_removes_the_socket(live):
    k, sub = live
    sub.call("ident", 1)
    sub.close()
    assert not (sub.exchange_dir / SOCKET_NAME).exists()
    assert k.execute("1 + 1", timeout=10).status == "ok"


def test_a_socket_path_too_long_is_a_clear_grader_side_error(live, tmp_path):
    k, _ = live
    deep = Path(k.runtime_dir) / ("x" * 100)
    deep.mkdir()
    sub = Submission(k, deep, call_timeout=10)
    with pytest.raises(KernelDied) as info:
        sub.call("ident", 1)
    assert "canal vers le noyau" in info.value.message.fr
