"""forkserver + kernel_side/zygote: kernels forked from a server that imported once.

Real processes throughout: a zygote per test module, kernels forked from it, confined
(namespaces when the grader may create them), watched through pidfds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from autograder.sandbox.capabilities import can_fork_namespaces
from autograder.sandbox.forkserver import (
    ForkClient,
    ForkedKernel,
    ForkServer,
    ForkServerError,
    wait_gone,
)
from autograder.sandbox.plan import Limits, kernel_python, scrubbed_env
from autograder.sandbox.slot import KernelPool, Slot, SlotSpec, launch

LIMITS = Limits(memory_mb=4096, open_files=200, file_size_mb=8)
SPEC = SlotSpec(sandbox="auto", device="cpu", limits=LIMITS, output_limit=64 * 1024, preload=("numpy",), launcher="fork")
ISOLATED = os.geteuid() == 0 and can_fork_namespaces()
COURSE_SOURCE = Path(__file__).resolve().parents[2] / "source"  # the instructor's files


def run(slot: Slot, code: str) -> str:
    res = slot.kernel.execute(code, 30)
    assert res.status == "ok", (res.ename, res.evalue)
    return "".join(o.get("text", "") for o in res.outputs if o["output_type"] == "stream")


def probe(slot: Slot, expr: str) -> object:
    return json.loads(run(slot, f"import json\nprint(json.dumps({expr}))"))


@pytest.fixture(scope="module")
def pool() -> Iterator[KernelPool]:
    with KernelPool(SPEC) as p:
        yield p


@pytest.fixture
def slot(pool: KernelPool) -> Iterator[Slot]:
    s = pool.acquire()
    assert s.error is None, s.error
    yield s
    s.close()


def test_forked_kernel_has_the_preload_without_a_name_for_it(slot):
    got = probe(slot, "['numpy' in __import__('sys').modules, 'numpy' in dir()]")
    assert got == [True, False]


def test_a_pool_made_for_other_options_is_refused_not_replaced(pool):
    """A grading that needs another kernel (here a tighter memory budget) says the pool is
    wrong; it used to start a kernel on the side and pay a cold start per student."""
    import dataclasses

    from autograder.errors import AutograderError
    from autograder.sandbox.slot import PoolMismatch

    other = dataclasses.replace(SPEC, limits=dataclasses.replace(LIMITS, memory_mb=1024))
    with pytest.raises(PoolMismatch) as info:
        pool.acquire(other)
    assert isinstance(info.value, AutograderError) and info.value.differ == "limits"
    assert "erreur du correcteur" in info.value.text("fr") and "(limits)" in info.value.text("en")
    same = pool.acquire(SPEC)  # the pool's own spec is served as before
    same.close()


def test_each_fork_gets_its_own_numpy_random_state(pool):
    a, b = pool.acquire(), pool.acquire()
    try:
        draws = [probe(s, "__import__('numpy').random.randint(0, 2**31)") for s in (a, b)]
    finally:
        a.close()
        b.close()
    assert draws[0] != draws[1], "two kernels forked from one server drew the same numbers"


def test_forked_kernel_has_the_limits_and_a_scrubbed_environment(slot):
    got = probe(
        slot,
        "[__import__('resource').getrlimit(__import__('resource').RLIMIT_NOFILE)[0], "
        "__import__('resource').getrlimit(__import__('resource').RLIMIT_FSIZE)[0], "
        "sorted(__import__('os').environ), __import__('os').getcwd()]",
    )
    nofile, fsize, env, cwd = got
    assert nofile == LIMITS.open_files and fsize == LIMITS.file_size_mb * 1024 * 1024
    allowed = set(scrubbed_env(home="/tmp", python=kernel_python(), device="cpu"))
    allowed |= {"TERM", "PAGER", "GIT_PAGER", "CLICOLOR", "CLICOLOR_FORCE"}  # set by ipykernel itself
    leaked = (set(env) & set(os.environ)) - allowed
    assert not leaked, f"grader variables reached the kernel: {sorted(leaked)}"
    assert cwd == slot.plan.workdir_inside


@pytest.mark.skipif(not ISOLATED, reason="needs root allowed to create namespaces")
def test_forked_kernel_lives_in_its_own_namespaces_as_a_sandbox_uid(slot):
    host_names = sorted(os.listdir("/"))
    got = probe(
        slot,
        "[__import__('socket').gethostname(), __import__('os').getuid(), __import__('os').getpid(), "
        f"sorted(__import__('os').listdir('/')), __import__('os').path.exists({str(COURSE_SOURCE)!r})]",
    )
    hostname, uid, pid, names, source_visible = got
    assert hostname == "sandbox" and uid == slot.plan.run_as[0] and uid != 0
    assert pid == 2, "the kernel is the first child of its namespace's init"
    assert not source_visible and "sandbox" in names and names != host_names
    assert slot.plan.info.level == "namespaces"


def test_no_command_line_the_kernel_sees_names_the_package_folder(slot):
    """PID 1 of the kernel's namespace and the kernel itself are forks of the zygote: their
    command lines must not show where the grader's package (often the course) lives."""
    import autograder

    got = probe(
        slot,
        "[open(f'/proc/{p}/cmdline', 'rb').read().decode('utf-8', 'replace') for p in (1, 'self') "
        "if __import__('os').path.exists(f'/proc/{p}/cmdline')]",
    )
    package = str(Path(autograder.__file__).resolve().parent)
    assert got and not any(package in cmd for cmd in got), [c[:200] for c in got]


@pytest.mark.skipif(not ISOLATED, reason="needs root allowed to create namespaces")
def test_closing_a_forked_kernel_ends_what_it_started(pool):
    s = pool.acquire()
    pid = probe(s, "__import__('subprocess').Popen(['sleep', '1000'], start_new_session=True).pid")
    assert isinstance(pid, int)
    kernel_proc = s.kernel.km.forked
    s.close()
    assert wait_gone(kernel_proc, 5)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _sleepers():
        time.sleep(0.05)
    assert not _sleepers(), "a process the student started outlived the kernel"


def _sleepers() -> list[int]:
    found = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/cmdline", "rb") as f:
                    cmd = f.read().split(b"\0")
                st = os.stat(f"/proc/{d}")
            except OSError:
                continue
            if cmd[:2] == [b"sleep", b"1000"] and st.st_uid != os.geteuid():
                found.append(int(d))
    return found


def test_a_kernel_that_exits_is_seen_dead(pool):
    s = pool.acquire()
    try:
        res = s.kernel.execute("import os; os._exit(3)", 10)
        assert res.status == "kernel-died"
        assert not s.kernel.alive()
    finally:
        s.close()


def test_stopping_the_server_stops_its_kernels():
    spec = SlotSpec(sandbox="auto", device="cpu", limits=LIMITS, output_limit=4096, launcher="fork")
    server = ForkServer(kernel_python(), (), scrubbed_env(home="/tmp", python=kernel_python(), device="cpu"))
    s = launch(spec, server)
    try:
        assert s.error is None and s.kernel.alive()
        proc = s.kernel.km.forked
        server.close()
        assert wait_gone(proc, 5), "a kernel outlived its fork server"
    finally:
        s.close()


def test_a_preload_that_fails_names_the_module():
    server = ForkServer(kernel_python(), ("no_such_module_for_the_test",), {"PATH": "/usr/bin"})
    try:
        with pytest.raises(ForkServerError, match="no_such_module_for_the_test"):
            server.wait_ready()
    finally:
        server.close()


def test_a_slot_whose_server_failed_reports_a_grader_error():
    spec = SlotSpec(sandbox="auto", device="cpu", limits=LIMITS, output_limit=4096,
                    preload=("no_such_module_for_the_test",), launcher="fork")
    s = launch(spec)
    try:
        assert s.error is not None and "no_such_module_for_the_test" in s.error.en
        assert not s.kernel.alive()
    finally:
        s.close()


def test_workers_share_one_server_and_a_lost_worker_leaves_no_kernel():
    """grade-class --jobs N: one server, reached by each worker through its socket."""
    env = scrubbed_env(home="/tmp", python=kernel_python(), device="cpu")
    with ForkServer(kernel_python(), ("numpy",), env, listen=True) as server:
        assert server.address is not None
        a, b = ForkClient(server.address), ForkClient(server.address)
        slots = [launch(SPEC, a), launch(SPEC, b)]
        try:
            assert all(s.error is None for s in slots), [s.error for s in slots]
            assert [probe(s, "1 + 1") for s in slots] == [2, 2]
            orphan = slots[0].kernel.km.forked
            a.close()  # the worker is gone, without closing its kernel
            assert wait_gone(orphan, 5), "a kernel outlived the worker that asked for it"
            assert slots[1].kernel.alive(), "another worker's kernel was stopped too"
        finally:
            for s in slots:
                s.close()
            b.close()


GRADER_SCRIPT = """
import json, sys
from autograder.sandbox.plan import Limits
from autograder.sandbox.slot import KernelPool, SlotSpec
spec = SlotSpec(sandbox="auto", device="cpu", limits=Limits(), output_limit=4096, launcher="fork")
pool = KernelPool(spec)
slot = pool.acquire()
assert slot.error is None, slot.error
print(json.dumps({"kernel": slot.kernel.km.forked.pid, "zygote": pool.forkserver._proc.pid,
                  "home": str(pool.forkserver._home)}), flush=True)
sys.stdin.read()  # wait to be killed
"""


def test_a_grader_killed_9_leaves_no_server_no_kernel_no_folder():
    proc = subprocess.Popen([sys.executable, "-c", GRADER_SCRIPT], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            cwd=Path(__file__).resolve().parents[2])
    try:
        line = proc.stdout.readline()
        assert line, "the grader script did not start a kernel"
        info = json.loads(line)
        kernel = ForkedKernel(info["kernel"])
        assert kernel.is_alive()
        proc.kill()  # kill -9: no cleanup code runs in the grader
        proc.wait()
        assert wait_gone(kernel, 10), "the kernel outlived a grader killed with -9"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (Path(f"/proc/{info['zygote']}").exists() or Path(info["home"]).exists()):
            time.sleep(0.05)
        assert not Path(info["home"]).exists(), "the fork server's folder stayed behind"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _server_importing(tmp_path, body: str, *, cpu_s: float, wall_s: float) -> ForkServer:
    """A fork server whose one preload module runs `body` at import (a slow import)."""
    (tmp_path / "slow_import_for_the_test.py").write_text(body, encoding="utf-8")
    server = ForkServer(kernel_python(), ("slow_import_for_the_test",), {"PATH": "/usr/bin", "PYTHONPATH": str(tmp_path)})
    server.ready_cpu_s, server.ready_wall_s = cpu_s, wall_s
    return server


def test_a_slow_import_on_a_loaded_machine_is_waited_for_by_the_servers_cpu_time(tmp_path):
    """On a loaded CI machine the imports take minutes of wall time but the same CPU time: the
    readiness wait counts the server's CPU, so a server that is slow without working is not
    declared stuck (here 4 s of wall time, almost no CPU, against a 1 s CPU limit)."""
    server = _server_importing(tmp_path, "import time\ntime.sleep(4)\n", cpu_s=1.0, wall_s=60.0)
    try:
        assert server.wait_ready() >= 4.0
    finally:
        server.close()


def test_a_server_that_keeps_busy_without_being_ready_is_stuck_and_says_how_long(tmp_path):
    server = _server_importing(tmp_path, "while True:\n    pass\n", cpu_s=1.0, wall_s=60.0)
    try:
        t0 = time.monotonic()
        with pytest.raises(ForkServerError, match=r"no answer from the fork server after \d+ s, \d+ s of its CPU"):
            server.wait_ready()
        assert time.monotonic() - t0 < 30
    finally:
        server.close()
