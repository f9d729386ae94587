"""Time budgets that a loaded grading machine does not eat into.

A cell's budget is counted on the wall clock, so on a machine busy with other gradings (a CI
runner, `grade-class --jobs`, a shared teaching server) the same notebook could time out on one
push and not on the next: a grade that depends on the machine, not on the work. The kernel's
processes record how long they waited, runnable, for a CPU another process held (the second
field of /proc/<pid>/schedstat). A `Deadline` gives that waiting back, but only as far as the
kernel's own processes did not fill the CPUs themselves (a submission that starts busy threads
or processes waits for its own work: that is not given back), and at most `max_extra_s`.
Sleeping or waiting on I/O is not given back: `time.sleep(10**6)` still times out at its budget.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: How much CPU waiting a deadline gives back, as a multiple of its budget (so a cell can last
#: at most 1 + STALL_FACTOR times its budget on the wall clock).
STALL_FACTOR = 3.0



@dataclass(frozen=True)
class Sample:
    """One look at a kernel's process tree."""

    wall_s: float  # monotonic clock
    waited_s: float = 0.0  # its processes' main threads, runnable but not running, so far
    cpu_s: float = 0.0  # CPU time its processes used so far (their reaped children included)
    cpus: int = 1  # CPUs it may run on


def given_back(before: Sample, after: Sample) -> float:
    """Seconds of waiting between two looks that other work caused: the waiting, bounded by
    the wall time the tree's own CPU use does not explain (a tree that kept every CPU busy
    itself gets nothing back)."""
    waited = after.waited_s - before.waited_s
    idle_capacity = (after.wall_s - before.wall_s) - (after.cpu_s - before.cpu_s) / max(1, after.cpus)
    return max(0.0, min(waited, idle_capacity))


#: A source of samples of one kernel's process tree.
StallClock = Callable[[], Sample]

PROC = Path("/proc")
#: /proc files read at most per look at a kernel's tree: a submission with thousands of
#: threads or processes must not make each look expensive for the grader.
MAX_READS = 512
#: Seconds between two looks once a budget seems spent.
LOOK_EVERY_S = 0.25


def tree_pids(root: int, proc: Path = PROC, max_reads: int = MAX_READS) -> list[int]:
    """`root` and its descendants (through /proc/<pid>/task/<tid>/children), root first;
    at most `max_reads` files read (what lies beyond is not counted)."""
    seen: set[int] = set()
    order: list[int] = []
    todo = [root]
    reads = 0
    while todo and (reads < max_reads or not order):
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        order.append(pid)
        try:
            tasks = (proc / str(pid) / "task").iterdir()
            for task in tasks:
                reads += 1
                if reads > max_reads:
                    break
                try:
                    todo.extend(int(c) for c in (task / "children").read_text().split())
                except (OSError, ValueError):
                    continue
        except OSError:
            continue
    return order


def run_delay_s(pids: list[int], proc: Path = PROC) -> float:
    """Seconds the main thread of each process waited on a run queue, summed."""
    total_ns = 0
    for pid in pids:
        try:
            fields = (proc / str(pid) / "schedstat").read_text().split()
            total_ns += int(fields[1])
        except (OSError, ValueError, IndexError):
            continue
    return total_ns / 1e9


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_s(pids: list[int], proc: Path = PROC) -> float:
    """CPU seconds the processes used, their reaped children included (/proc/<pid>/stat)."""
    ticks = 0
    for pid in pids:
        try:
            # The command name may hold spaces and parentheses: the fields follow the last ")".
            fields = (proc / str(pid) / "stat").read_text().rpartition(")")[2].split()
            ticks += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
        except (OSError, ValueError):
            continue
    return ticks / _TICKS


def sample(pid: int | None, proc: Path = PROC, now: Callable[[], float] = time.monotonic) -> Sample:
    """A look at the process tree under `pid` (None: no process, nothing waited)."""
    if pid is None:
        return Sample(now())
    pids = tree_pids(pid, proc)
    try:
        cpus = len(os.sched_getaffinity(pid))
    except OSError:
        cpus = os.cpu_count() or 1
    return Sample(now(), run_delay_s(pids, proc), cpu_s(pids, proc), cpus)


def process_tree_stall(root: Callable[[], int | None], proc: Path = PROC) -> StallClock:
    """The stall clock of the process tree under `root()`."""
    return lambda: sample(root(), proc)


class Deadline:
    """`seconds` of budget from now, plus the waiting for CPUs other work held that `stall`
    shows meanwhile (`given_back`; at most `max_extra_s`, STALL_FACTOR × seconds by default).
    Without a stall clock, plain wall time."""

    def __init__(
        self,
        seconds: float,
        stall: StallClock | None = None,
        *,
        max_extra_s: float | None = None,
        start: Sample | None = None,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        """`start`: a first look already taken (else one is taken now)."""
        self._now = now
        self._start = now()
        self.seconds = seconds
        self._stall = stall
        self._stall0 = start if start is not None else (stall() if stall is not None else None)
        self._max_extra = STALL_FACTOR * seconds if max_extra_s is None else max_extra_s
        self.extra_s = 0.0  # CPU waiting given back so far
        self._looked_at = float("-inf")

    def left(self) -> float:
        """Seconds left; /proc is read only once the budget seems spent, then every
        LOOK_EVERY_S at most."""
        now = self._now()
        left = self._start + self.seconds + self.extra_s - now
        if left > 0 or self._stall is None or self.extra_s >= self._max_extra or now - self._looked_at < LOOK_EVERY_S:
            return left
        self._looked_at = now
        assert self._stall0 is not None
        self.extra_s = min(given_back(self._stall0, self._stall()), self._max_extra)
        return self._start + self.seconds + self.extra_s - now

    def elapsed(self) -> float:
        return self._now() - self._start
