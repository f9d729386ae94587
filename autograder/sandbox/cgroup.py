"""A memory cgroup per kernel: its whole process tree, and the tmpfs pages it writes, under one bound.

RLIMIT_AS bounds each process's address space, not their sum: two interpreters and files
in /dev/shm add up past any per-process limit. A cgroup counts what the kernel's tree
really uses (anonymous memory, page cache, tmpfs/shm pages) and the kernel's OOM killer
stops it at the limit, with no swap to hide in. The grader makes one below its own
cgroup (cgroup v2, or the v1 memory hierarchy), the kernel joins it before any student
code runs (`join_argv` for a spawned kernel, the fork server's `cgroup` request field for
a forked one), and the grader removes it once the kernel has ended.

Where the grader may not create one (not root, no memory controller delegated to it), the
kernel keeps only its per-process RLIMIT_AS, and the report says so.
"""

from __future__ import annotations

import errno
import itertools
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

PREFIX = "ag-kernel-"
_made = itertools.count()


@dataclass(frozen=True)
class Parent:
    """Where kernel cgroups go: a folder of the memory hierarchy the grader may write."""

    path: Path
    version: int  # 1 or 2


@dataclass(frozen=True)
class Where:
    """The memory hierarchy this process is in, or why none is usable."""

    parent: Parent | None
    reason: str = ""  # why there is none


def _own_memory_cgroup(proc_cgroup: str, mountinfo: str) -> list[Parent]:
    """Candidates from /proc/self/cgroup and /proc/self/mountinfo, v2 first."""
    v1_path = v2_path = None
    for line in proc_cgroup.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        hid, controllers, path = parts
        if hid == "0" and controllers == "":
            v2_path = path
        elif "memory" in controllers.split(","):
            v1_path = path
    out: list[Parent] = []
    for line in mountinfo.splitlines():
        left, _, right = line.partition(" - ")
        fields, rfields = left.split(), right.split()
        if len(fields) < 5 or len(rfields) < 3:
            continue
        root, mount, fstype, opts = fields[3], fields[4], rfields[0], rfields[2].split(",")
        path = v2_path if fstype == "cgroup2" else v1_path if fstype == "cgroup" and "memory" in opts else None
        if path is None:
            continue
        if root != "/":  # a cgroup namespace: the mount shows a subtree
            if not (path == root or path.startswith(root.rstrip("/") + "/")):
                continue
            path = path[len(root.rstrip("/")) :]
        out.append(Parent(Path(mount) / path.lstrip("/"), 2 if fstype == "cgroup2" else 1))
    out.sort(key=lambda p: -p.version)
    return out


def _v2_usable(parent: Path) -> bool:
    """Children of `parent` get a memory controller (enabled for them, or enabled now)."""
    try:
        if "memory" in (parent / "cgroup.subtree_control").read_text().split():
            return True
        if "memory" not in (parent / "cgroup.controllers").read_text().split():
            return False
        # Refused (EBUSY) when `parent` holds processes and is not the root: v2's rule.
        (parent / "cgroup.subtree_control").write_text("+memory")
        return True
    except OSError:
        return False


def locate() -> Where:
    """Find the folder kernel cgroups are made in: below the grader's own cgroup."""
    try:
        proc_cgroup = Path("/proc/self/cgroup").read_text()
        mountinfo = Path("/proc/self/mountinfo").read_text()
    except OSError as exc:
        return Where(None, f"cannot read /proc/self/cgroup: {exc}")
    candidates = _own_memory_cgroup(proc_cgroup, mountinfo)
    if not candidates:
        return Where(None, "no memory cgroup hierarchy mounted")
    why = []
    for cand in candidates:
        if cand.version == 2 and not _v2_usable(cand.path):
            why.append(f"cgroup v2 {cand.path}: no memory controller for its children")
            continue
        if not os.access(cand.path, os.W_OK):
            why.append(f"cgroup v{cand.version} {cand.path}: not writable by this grader")
            continue
        return Where(cand)
    return Where(None, "; ".join(why))


def _write(path: Path, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class MemoryCgroup:
    """One kernel's cgroup: `limit_bytes` for the whole tree, no swap."""

    def __init__(self, path: Path, version: int, limit_bytes: int):
        self.path, self.version, self.limit_bytes = path, version, limit_bytes

    @property
    def procs(self) -> Path:
        """The file a process writes "0" into to join (with every child it makes later)."""
        return self.path / "cgroup.procs"

    def pids(self) -> list[int]:
        try:
            return [int(x) for x in self.procs.read_text().split()]
        except (OSError, ValueError):
            return []

    def oom_kills(self) -> int:
        """Processes the kernel's OOM killer ended in this cgroup."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            for line in (self.path / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def peak_bytes(self) -> int | None:
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        try:
            return int((self.path / name).read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def kill(self) -> None:
        """SIGKILL every process in it (a fork loop included: repeat until empty)."""
        if self.version == 2 and (self.path / "cgroup.kill").exists():
            try:
                _write(self.path / "cgroup.kill", "1")
                return
            except OSError:
                pass
        for _ in range(50):
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.02)

    def remove(self, timeout: float = 5.0) -> bool:
        """Kill what is left and remove the folder; False when it could not be removed."""
        end = time.monotonic() + timeout
        while True:
            self.kill()
            try:
                os.rmdir(self.path)
                return True
            except FileNotFoundError:
                return True
            except OSError as exc:
                if exc.errno != errno.EBUSY or time.monotonic() > end:
                    return False
            time.sleep(0.05)

    def join_argv(self) -> tuple[str, ...]:
        """A launcher prefix that moves itself into the cgroup, then execs the rest: the
        spawned kernel is in it from its first instruction (no window)."""
        return ("/bin/sh", "-c", 'echo 0 > "$0" && exec "$@"', str(self.procs))


def create(parent: Parent, limit_mb: int) -> MemoryCgroup:
    """A new cgroup below `parent` limited to `limit_mb` MiB, swap included. Raises OSError."""
    path = parent.path / f"{PREFIX}{os.getpid()}-{next(_made)}-{os.urandom(3).hex()}"
    os.mkdir(path, 0o755)
    limit = limit_mb * 1024 * 1024
    cg = MemoryCgroup(path, parent.version, limit)
    try:
        if parent.version == 2:
            _write(path / "memory.max", str(limit))
            if (path / "memory.swap.max").exists():
                _write(path / "memory.swap.max", "0")
            if (path / "memory.oom.group").exists():
                _write(path / "memory.oom.group", "1")  # the whole kernel goes, not one child
        else:
            _write(path / "memory.limit_in_bytes", str(limit))
            if (path / "memory.memsw.limit_in_bytes").exists():  # absent without swap accounting
                _write(path / "memory.memsw.limit_in_bytes", str(limit))
            try:
                _write(path / "memory.swappiness", "0")
            except OSError:
                pass
    except BaseException:
        cg.remove(timeout=1.0)
        raise
    return cg


def sweep_stale(parent: Parent) -> list[str]:
    """Remove the kernel cgroups of graders that are gone (killed with -9)."""
    removed = []
    try:
        names = [p.name for p in parent.path.iterdir() if p.name.startswith(PREFIX) and p.is_dir()]
    except OSError:
        return removed
    for name in names:
        try:
            pid = int(name[len(PREFIX) :].split("-")[0])
        except ValueError:
            continue
        if pid == os.getpid() or _alive(pid):
            continue
        if MemoryCgroup(parent.path / name, parent.version, 0).remove(timeout=1.0):
            removed.append(name)
    return removed
