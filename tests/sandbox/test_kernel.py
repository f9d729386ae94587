"""kernel: a real ipykernel through the sandbox launcher; deadlines, interrupts, deaths, caps."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from autograder.sandbox.capabilities import probe
from autograder.sandbox.kernel import INTERRUPT_GRACE_S, TRUNCATED, Kernel, KernelDead
from autograder.sandbox.plan import Limits, SandboxPlan, kernel_python, plan
from autograder.sandbox.stall import STALL_FACTOR


def make_dirs(base: Path) -> tuple[Path, Path]:
    base.mkdir(parents=True, exist_ok=True)
    os.chmod(base, 0o755)
    work, runtime = base / "work", base / "run"
    work.mkdir()
    runtime.mkdir(mode=0o755)
    return work, runtime


def start_kernel(base: Path, *, mode: str = "auto", output_limit: int = 4096) -> Kernel:
    work, runtime = make_dirs(base)
    python = kernel_python()
    sb = plan(mode, workdir=work, runtime_dir=runtime, python=python, limits=Limits(memory_mb=4096), caps=probe())
    if sb.run_as:
        os.chown(work, *sb.run_as)  # the runtime folder stays the grader's, as in slot.launch
    k = Kernel(sb, python=python, runtime_dir=runtime, workdir=work, output_limit=output_limit)
    k.__enter__()
    return k


@pytest.fixture(scope="module")
def kernel(tmp_path_factory) -> Iterator[Kernel]:
    k = start_kernel(tmp_path_factory.mktemp("kernel"))
    yield k
    k.shutdown()


@pytest.fixture
def fresh_kernel(tmp_path) -> Iterator[Kernel]:
    k = start_kernel(tmp_path / "k")
    yield k
    k.shutdown()


def text_of(res) -> str:
    out = []
    for o in res.outputs:
        if o["output_type"] == "stream":
            out.append(o["text"])
        elif o["output_type"] in ("execute_result", "display_data"):
            out.append(o["data"].get("text/plain", ""))
    return "".join(out)


def test_kernel_runs_code_and_keeps_state(kernel):
    assert kernel.alive() and kernel.startup_s > 0
    r1 = kernel.execute("x = 20\nprint('bonjour')\nx + 1", timeout=10)
    assert r1.status == "ok" and not r1.interrupted
    assert r1.outputs[0] == {"output_type": "stream", "name": "stdout", "text": "bonjour\n"}
    assert r1.outputs[1]["output_type"] == "execute_result"
    assert r1.outputs[1]["data"]["text/plain"] == "21"
    r2 = kernel.execute("print(x * 2)", timeout=10)
    assert text_of(r2) == "40\n"


def test_first_cell_after_start_gets_only_its_own_outputs(fresh_kernel):
    """Start-up no longer waits for IOPub to fall quiet (0.2 s a kernel): what the kernel
    published while starting stays unread, and the first cell must not take it for its own."""
    res = fresh_kernel.execute("print('premier')", timeout=10)
    assert res.status == "ok"
    assert res.outputs == [{"output_type": "stream", "name": "stdout", "text": "premier\n"}]


def test_kernel_runs_in_the_sandbox_work_dir(kernel):
    res = kernel.execute("import os; print(os.getcwd(), os.getuid())", timeout=10)
    cwd, uid = text_of(res).split()
    assert cwd == kernel.plan.workdir_inside
    assert int(uid) == (kernel.plan.run_as[0] if kernel.plan.run_as else os.getuid())


def test_errors_carry_ename_and_evalue(kernel):
    res = kernel.execute("raise ValueError('mauvaise forme')", timeout=10)
    assert res.status == "error"
    assert res.ename == "ValueError" and res.evalue == "mauvaise forme"
    assert res.traceback and res.outputs[-1]["output_type"] == "error"
    assert kernel.execute("1 + 1", timeout=10).status == "ok"


def test_syntax_error_is_an_error(kernel):
    res = kernel.execute("def f(:\n    pass", timeout=10)
    assert res.status == "error" and res.ename == "SyntaxError"


def test_outputs_are_capped_as_they_arrive(kernel):
    t0 = time.monotonic()
    res = kernel.execute("for i in range(50_000):\n    print('ligne', i)", timeout=30)
    assert res.status == "ok"
    text = text_of(res)
    assert text.endswith(TRUNCATED)
    assert len(text) <= kernel.output_limit + len(TRUNCATED)
    assert text.startswith("ligne 0\nligne 1\n")
    assert time.monotonic() - t0 < 30


def test_big_rich_output_is_dropped_with_a_marker(kernel):
    code = (
        "from IPython.display import display, HTML\n"
        "display(HTML('<b>' + 'x' * 100_000 + '</b>'))\n"
        "display({'image/png': 'A' * 100_000}, raw=True)"
    )
    res = kernel.execute(code, timeout=10)
    assert res.status == "ok"
    html, png = res.outputs
    # The HTML is too big: only its small text/plain form is kept.
    assert html["data"] == {"text/plain": "<IPython.core.display.HTML object>"}
    # Nothing of the image fits: a marker says so.
    assert png["data"] == {"text/plain": TRUNCATED.strip()}
    assert len(str(res.outputs)) < kernel.output_limit


def test_clear_output_and_silent_requests(kernel):
    res = kernel.execute(
        "from IPython.display import clear_output\nprint('avant')\nclear_output()\nprint('après')",
        timeout=10,
    )
    assert text_of(res) == "après\n"
    quiet = kernel.execute("print('caché')", timeout=10, silent=True, keep_outputs=False)
    assert quiet.status == "ok" and quiet.outputs == []


def test_interruptible_loop_times_out_and_kernel_survives(kernel):
    t0 = time.monotonic()
    res = kernel.execute("n = 0\nwhile True:\n    n += 1", timeout=1.0)
    elapsed = time.monotonic() - t0
    assert res.status == "timeout" and res.interrupted
    assert elapsed < 1.0 * (1 + STALL_FACTOR) + INTERRUPT_GRACE_S  # at most 3x given back under load
    assert kernel.alive()
    after = kernel.execute("print(n > 0)", timeout=10)
    assert after.status == "ok" and text_of(after) == "True\n"


def test_sleeping_cell_times_out(kernel):
    res = kernel.execute("import time\ntime.sleep(60)", timeout=0.5)
    assert res.status == "timeout" and kernel.alive()


def test_kernel_output_to_fds_goes_to_the_log_not_the_grader(kernel, capfd):
    kernel.execute(
        "import os\nos.write(1, b'FD1-NOISE\\n')\nos.write(2, b'FD2-NOISE\\n')", timeout=10
    )
    time.sleep(0.2)
    captured = capfd.readouterr()
    assert "FD1-NOISE" not in captured.out + captured.err
    log = (kernel.runtime_dir / "kernel.log").read_bytes()
    assert b"FD1-NOISE" in log and b"FD2-NOISE" in log


def test_loop_that_swallows_interrupts_is_killed(fresh_kernel):
    code = "while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass"
    t0 = time.monotonic()
    res = fresh_kernel.execute(code, timeout=0.5)
    elapsed = time.monotonic() - t0
    assert res.status == "timeout" and res.interrupted
    assert INTERRUPT_GRACE_S <= elapsed < INTERRUPT_GRACE_S + 10
    assert not fresh_kernel.alive()
    assert fresh_kernel.execute("1", timeout=5).status == "kernel-died"


def test_os_exit_is_kernel_died(fresh_kernel):
    t0 = time.monotonic()
    res = fresh_kernel.execute("import os\nos._exit(3)", timeout=20)
    assert res.status == "kernel-died"
    assert time.monotonic() - t0 < 10
    assert not fresh_kernel.alive()
    assert fresh_kernel.execute("1", timeout=5).status == "kernel-died"


def test_kernel_that_cannot_start_raises_kernel_dead(tmp_path):
    work, runtime = make_dirs(tmp_path / "k")
    sb = plan("off", workdir=work, runtime_dir=runtime, python=kernel_python(), limits=Limits(), caps=probe())
    broken = SandboxPlan(("/bin/false",), sb.env, sb.info, sb.workdir_inside)
    k = Kernel(broken, python=kernel_python(), runtime_dir=runtime, workdir=work)
    t0 = time.monotonic()
    with pytest.raises(KernelDead):
        with k:
            pass
    assert time.monotonic() - t0 < 30
    assert not k.alive()


def test_shutdown_is_idempotent_and_kills_the_kernel(tmp_path):
    k = start_kernel(tmp_path / "k", mode="off")
    res = k.execute("import os; print(os.getpid())", timeout=10)
    pid = int(text_of(res))
    k.shutdown()
    k.shutdown()
    assert not k.alive()
    deadline = time.monotonic() + 5
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    status = Path(f"/proc/{pid}/status")
    assert not status.exists() or "zombie" in status.read_text()
