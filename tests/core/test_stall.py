"""stall: a cell's budget does not shrink because other work holds the machine's CPUs.

The differential test pins the kernel and three busy processes on one CPU: the cell gets a
quarter of it, so the CPU second it needs takes about four on the wall clock, past its
two-second budget. The waiting is given back; sleeping is not, and the give-back is bounded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from autograder.stall import Deadline, process_tree_stall, run_delay_s, tree_pids
from tests.core.test_kernel import start_kernel


class FakeTime:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_deadline_without_stall_clock_is_wall_time():
    now = FakeTime()
    d = Deadline(2.0, now=now)
    now.t += 1.5
    assert d.left() == pytest.approx(0.5)
    now.t += 1.0
    assert d.left() < 0


def test_deadline_gives_back_cpu_waiting_only_once_spent_and_bounded():
    now, waited = FakeTime(), [10.0]
    reads = []

    def stall() -> float:
        reads.append(now.t)
        return waited[0]

    d = Deadline(2.0, stall, max_extra_s=3.0, now=now)
    now.t += 1.0
    waited[0] += 0.9
    assert d.left() == pytest.approx(1.0)
    assert len(reads) == 1  # /proc is not read while the plain budget lasts
    now.t += 1.5
    assert d.left() == pytest.approx(0.4)  # 0.9 s waited for a CPU came back
    waited[0] += 100.0  # a submission that makes its own threads wait: bounded
    now.t += 0.1
    assert d.left() == pytest.approx(0.3)  # looked 0.1 s ago: not again yet
    now.t += 9.9
    assert d.left() == pytest.approx(2.0 + 3.0 - 12.5)
    assert d.extra_s == 3.0


def test_tree_holds_descendants_and_their_run_delay_is_read():
    child = subprocess.Popen([sys.executable, "-c", "import subprocess,sys; subprocess.run(['sleep', '30'])"])
    try:
        for _ in range(100):
            pids = tree_pids(child.pid)
            if len(pids) >= 2:
                break
            subprocess.run(["sleep", "0.05"])
        assert pids[0] == child.pid and len(pids) == 2
        assert run_delay_s(pids) >= 0.0
        assert process_tree_stall(lambda: None)() == 0.0
        assert tree_pids(child.pid, max_reads=0) == [child.pid]  # the bound holds
    finally:
        child.kill()
        child.wait()


@pytest.fixture
def one_busy_cpu() -> Iterator[int]:
    """Three busy processes pinned on the first CPU this test may use."""
    cpu = min(os.sched_getaffinity(0))
    hogs = [
        # Each in its own session, like the kernel: with autogroup scheduling, one session's
        # processes share one slice of the CPU.
        subprocess.Popen(
            [sys.executable, "-c", f"import os; os.sched_setaffinity(0, {{{cpu}}})\nwhile True: pass"],
            start_new_session=True,
        )
        for _ in range(3)
    ]
    yield cpu
    for h in hogs:
        h.kill()
        h.wait()


def test_cell_starved_of_cpu_keeps_its_budget(tmp_path, one_busy_cpu):
    k = start_kernel(tmp_path / "k")
    try:
        for pid in tree_pids(k.root_pid()):
            try:
                os.sched_setaffinity(pid, {one_busy_cpu})
            except OSError:
                pass
        waited_before = k.cpu_wait_s()
        res = k.execute(
            "import time\nt = time.process_time()\nwhile time.process_time() - t < 1.0: pass\nprint('done')", 2.0
        )
        assert res.status == "ok", res
        assert res.duration_s > 2.0  # it did need more wall time than its budget
        assert k.cpu_wait_s() - waited_before > 1.0  # what TimeBudget gives back too
        slept = k.execute("import time\ntime.sleep(60)", 1.0)
        assert slept.status == "timeout"  # waiting that is not for a CPU is not given back
    finally:
        k.shutdown()
