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

from autograder.sandbox.stall import (
    Deadline,
    Sample,
    cpu_s,
    given_back,
    process_tree_stall,
    run_delay_s,
    tree_pids,
)
from tests.sandbox.test_kernel import start_kernel


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


def test_waiting_caused_by_other_work_is_given_back_not_the_trees_own():
    quiet = Sample(0.0, 0.0, 0.0, 2)
    # Starved by others: waited 7 of 8 s, used 1 CPU-second of 2 CPUs.
    assert given_back(quiet, Sample(8.0, 7.0, 1.0, 2)) == pytest.approx(7.0)
    # Its own busy threads filled both CPUs: its waiting is its own.
    assert given_back(quiet, Sample(8.0, 7.0, 16.0, 2)) == 0.0
    # Both: only the capacity its own use leaves.
    assert given_back(quiet, Sample(8.0, 7.0, 8.0, 2)) == pytest.approx(4.0)


class Starved:
    """A stall clock whose kernel waits `rate` of the wall time and uses `cpu_rate` CPUs."""

    def __init__(self, now: FakeTime, rate: float, cpu_rate: float = 0.0) -> None:
        self.now, self.rate, self.cpu_rate, self.reads = now, rate, cpu_rate, []

    def __call__(self) -> Sample:
        self.reads.append(self.now.t)
        return Sample(self.now.t, self.rate * self.now.t, self.cpu_rate * self.now.t, 2)


def test_deadline_gives_back_cpu_waiting_only_once_spent_and_bounded():
    now = FakeTime()
    clock = Starved(now, rate=0.9)
    d = Deadline(2.0, clock, max_extra_s=3.0, now=now)
    now.t += 1.0
    assert d.left() == pytest.approx(1.0)
    assert len(clock.reads) == 1  # /proc is not read while the plain budget lasts
    now.t += 1.5
    assert d.left() == pytest.approx(2.0 + 0.9 * 2.5 - 2.5)
    now.t += 0.1
    assert d.left() == pytest.approx(2.0 + 0.9 * 2.5 - 2.6)  # looked 0.1 s ago: not again yet
    now.t += 20.0
    assert d.left() == pytest.approx(2.0 + 3.0 - 22.6)  # bounded
    assert d.extra_s == 3.0


def test_deadline_gives_nothing_back_to_a_tree_that_keeps_the_cpus_busy():
    now = FakeTime()
    d = Deadline(2.0, Starved(now, rate=0.9, cpu_rate=2.0), now=now)
    now.t += 2.5
    assert d.left() < 0 and d.extra_s == 0.0


def test_tree_holds_descendants_and_their_run_delay_is_read():
    child = subprocess.Popen([sys.executable, "-c", "import subprocess,sys; subprocess.run(['sleep', '30'])"])
    try:
        for _ in range(100):
            pids = tree_pids(child.pid)
            if len(pids) >= 2:
                break
            subprocess.run(["sleep", "0.05"])
        assert pids[0] == child.pid and len(pids) == 2
        assert run_delay_s(pids) >= 0.0 and cpu_s(pids) >= 0.0
        assert process_tree_stall(lambda: None)().waited_s == 0.0
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
        meter, before = k.waiting_meter(), k.stall()
        res = k.execute(
            "import time\nt = time.process_time()\nwhile time.process_time() - t < 1.0: pass\nprint('done')", 2.0
        )
        assert res.status == "ok", res
        assert res.duration_s > 2.0  # it did need more wall time than its budget
        assert meter() > 1.0  # what TimeBudget gives back too
        assert k.stall().cpu_s - before.cpu_s >= 0.9  # the CPU second it used is seen
        slept = k.execute("import time\ntime.sleep(60)", 1.0)
        assert slept.status == "timeout"  # waiting that is not for a CPU is not given back
    finally:
        k.shutdown()


def test_deadline_may_start_from_a_recent_look():
    now = FakeTime()
    clock = Starved(now, rate=0.9)
    earlier = clock()
    now.t += 0.2
    d = Deadline(2.0, clock, start=earlier, now=now)
    assert len(clock.reads) == 1  # no look of its own at the start
    now.t += 2.5
    assert d.extra_s == 0.0 and d.left() == pytest.approx(2.0 + 0.9 * 2.7 - 2.5)
