"""cgroup: a kernel's whole process tree under one memory bound, on the real cgroupfs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.sandbox.cgroup import (
    PREFIX,
    MemoryCgroup,
    Parent,
    _own_memory_cgroup,
    create,
    locate,
    sweep_stale,
)

WHERE = locate()
needs_cgroup = pytest.mark.skipif(
    WHERE.parent is None, reason=f"this process may not create memory cgroups here: {WHERE.reason}"
)

#: Allocates and touches N MiB, then says so.
ALLOC = "import sys\nb = bytearray(int(sys.argv[1]) * 2**20)\nb[::4096] = b'x' * len(b[::4096])\nprint('done', flush=True)\n"


@pytest.fixture
def cg():
    assert WHERE.parent is not None
    c = create(WHERE.parent, 100)
    yield c
    assert c.remove()
    assert not c.path.exists()


def run_in(c: MemoryCgroup, *argv: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([*c.join_argv(), *argv], capture_output=True, text=True, timeout=timeout)


def test_parse_v1_v2_and_namespaced_mounts():
    cgroup = "12:memory:/grader/job\n1:cpu:/x\n0::/grader.slice\n"
    mountinfo = (
        "31 23 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
        "32 23 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
        "33 23 0:30 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
    )
    assert _own_memory_cgroup(cgroup, mountinfo) == [
        Parent(Path("/sys/fs/cgroup/unified/grader.slice"), 2),
        Parent(Path("/sys/fs/cgroup/memory/grader/job"), 1),
    ]
    # In a cgroup namespace the mount shows the subtree from its root.
    ns = "40 23 0:31 /grader.slice /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
    assert _own_memory_cgroup("0::/grader.slice/k\n", ns) == [Parent(Path("/sys/fs/cgroup/k"), 2)]
    assert _own_memory_cgroup("0::/\n", "") == []


@needs_cgroup
def test_limits_are_written_and_the_cgroup_starts_empty(cg):
    assert cg.path.parent == WHERE.parent.path and cg.path.name.startswith(f"{PREFIX}{os.getpid()}-")
    if cg.version == 2:
        assert (cg.path / "memory.max").read_text().strip() == str(100 * 2**20)
    else:
        assert abs(int((cg.path / "memory.limit_in_bytes").read_text()) - 100 * 2**20) < 4096
    assert cg.pids() == [] and cg.oom_kills() == 0


@needs_cgroup
def test_a_process_under_the_limit_runs(cg):
    out = run_in(cg, sys.executable, "-c", ALLOC, "20")
    assert out.returncode == 0 and "done" in out.stdout
    assert cg.oom_kills() == 0


@needs_cgroup
def test_one_process_over_the_limit_is_killed(cg):
    out = run_in(cg, sys.executable, "-c", ALLOC, "300")
    assert out.returncode == -9 and "done" not in out.stdout
    assert cg.oom_kills() >= 1


@needs_cgroup
def test_two_processes_each_under_the_limit_are_bounded_together(cg):
    """What RLIMIT_AS cannot do: 2 x 70 MiB, each fine alone, past 100 MiB together."""
    two = (
        "import subprocess, sys, time\n"
        f"code = {ALLOC!r} + 'import time; time.sleep(3)'\n"
        "ps = [subprocess.Popen([sys.executable, '-c', code, '70']) for _ in range(2)]\n"
        "print([p.wait() for p in ps], flush=True)\n"
    )
    out = run_in(cg, sys.executable, "-c", two)
    assert cg.oom_kills() >= 1
    assert "-9" in out.stdout or out.returncode == -9


@needs_cgroup
def test_shared_memory_files_count_against_the_limit(cg):
    name = f"/dev/shm/ag-cgroup-test-{os.getpid()}"
    fill = f"f = open({name!r}, 'wb')\nfor _ in range(150):\n    f.write(b'x' * 2**20)\nf.close()\nprint('done', flush=True)\n"
    try:
        out = run_in(cg, sys.executable, "-c", fill)
        assert "done" not in out.stdout, "150 MiB of /dev/shm fitted in a 100 MiB cgroup"
    finally:
        if os.path.exists(name):
            os.unlink(name)


@needs_cgroup
def test_remove_kills_what_is_left(cg):
    p = subprocess.Popen([*cg.join_argv(), sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        for _ in range(100):
            if cg.pids():
                break
            p.poll()
            time.sleep(0.05)
        assert cg.pids()
        assert cg.remove()
        assert p.wait(timeout=10) == -9
    finally:
        p.kill()
        p.wait()
    assert not cg.path.exists()
    cg.path.mkdir()  # for the fixture's own removal


@needs_cgroup
def test_sweep_removes_cgroups_of_dead_graders():
    assert WHERE.parent is not None
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = WHERE.parent.path / f"{PREFIX}{dead.pid}-0-abcdef"
    stale.mkdir()
    mine = create(WHERE.parent, 50)
    try:
        assert stale.name in sweep_stale(WHERE.parent)
        assert not stale.exists() and mine.path.exists()
    finally:
        mine.remove()
        if stale.exists():
            stale.rmdir()


def test_no_hierarchy_says_why():
    if WHERE.parent is None:
        assert WHERE.reason
    else:
        assert WHERE.reason == ""


# -- a slot's kernel in its cgroup ---------------------------------------------------------

#: Two child processes of 400 MiB and 300 MiB of /dev/shm: each under a 1 GiB RLIMIT_AS
#: (and files under RLIMIT_FSIZE), 1.1 GiB together.
OVER_BUDGET_TOGETHER = """
import subprocess, sys
code = "b = bytearray(400 * 2**20)\\nb[::4096] = b'x' * len(b[::4096])\\nimport time; time.sleep(3)"
ps = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(2)]
for i in range(2):  # two files: RLIMIT_FSIZE caps each
    with open(f"/dev/shm/{NAME}{i}", "wb") as f:
        for _ in range(150):
            f.write(b"x" * 2**20)
print("survived", [p.wait() for p in ps])
"""


@needs_cgroup
@pytest.mark.parametrize("launcher", ["fork", "spawn"])
def test_a_slots_kernel_is_bounded_as_a_whole(launcher):
    from autograder.config import ConfigError
    from autograder.sandbox.plan import Limits
    from autograder.sandbox.slot import SlotSpec, launch

    spec = SlotSpec(sandbox="auto", device="cpu", limits=Limits(memory_mb=1024), output_limit=4096,
                    preload=("numpy",), launcher=launcher)  # fmt: skip
    try:
        slot = launch(spec)
    except ConfigError as exc:  # e.g. spawn where this grader may not switch users
        pytest.skip(f"no {launcher} kernel here: {exc.message.en}")
    try:
        assert slot.error is None, slot.error
        assert slot.memory is not None and slot.plan.info.limits["tree_memory_mb"] == 1024
        assert any("whole process tree" in n for n in slot.plan.info.notes)
        assert slot.memory.pids(), "the kernel's processes are not in its cgroup"
        # (Under bwrap the kernel sees its cgroup as "/": a cgroup namespace.)
        assert slot.memory_exceeded() is None
        # A name of its own: where the kernel has no private /dev/shm (landlock level), the
        # files land in the host's and outlive the kernel.
        name = f"ag-cgroup-test-{os.getpid()}-"
        slot.kernel.execute(OVER_BUDGET_TOGETHER.replace("{NAME}", name), 60)
        msg = slot.memory_exceeded()
        assert msg is not None and "1024 Mo" in msg.fr and "/dev/shm" in msg.en
        assert not slot.kernel.alive()
    finally:
        path = slot.memory.path if slot.memory else None
        slot.close()
        for leftover in Path("/dev/shm").glob(f"ag-cgroup-test-{os.getpid()}-*"):
            leftover.unlink()
    assert path is None or not path.exists()
