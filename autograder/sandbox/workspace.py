"""The folder one kernel works in: a size-capped tmpfs when the grader may mount one.

RLIMIT_FSIZE bounds each file the student writes, not how many: on the host disk, a
notebook writing many files could fill the grader's disk within its time budget. When
the grader runs as root with the right to mount (a CI runner's container, a VM), each
kernel gets its own tmpfs of `work_mb`; elsewhere the folder stays on the host disk and
the report says so. A marker naming the owning process lets the next grader sweep what a
grader killed with -9 left behind (mounts and files, and its git mirrors), so nothing
accumulates.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autograder.sandbox.capabilities import command_succeeds

PREFIX = "ag-run-"
#: Folders of a grader's own (git mirrors of remote student repos) swept like workspaces.
GIT_PREFIX = "ag-git-"
#: A class grader's per-student scratch folder, and a fork server's home: swept the same way.
CLASS_PREFIX = "ag-class-"
ZYGOTE_PREFIX = "ag-zygote-"
#: The copies of a TP's checks pytest runs (plugin.py) where the cache below is unavailable:
#: one per grading, removed after it.
CHECKS_PREFIX = "ag-pytest-"
#: This user's cache of those copies in the user's cache folder, not in /tmp (plugin.checks_home):
#: one per content of the checks, each removed by the next grader once unused for a day.
CHECKS_CACHE_PREFIX = "ag-checks-"
#: Every grader-made folder of /tmp that `sweep_stale` may release once its owner is gone.
SWEPT_PREFIXES = (PREFIX, GIT_PREFIX, CLASS_PREFIX, ZYGOTE_PREFIX, CHECKS_PREFIX)
OWNER_FILE = ".ag-owner"


@dataclass(frozen=True)
class Workspace:
    base: Path
    capped_mb: int | None  # the tmpfs size, or None when on the host disk


@functools.lru_cache(maxsize=1)
def can_mount_tmpfs() -> bool:
    """Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN); probed once."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    probe = Path(tempfile.mkdtemp(prefix="ag-probe-"))
    try:
        if not command_succeeds(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(probe)]):
            return False
        command_succeeds(["umount", "-l", str(probe)])
        return True
    finally:
        shutil.rmtree(probe, ignore_errors=True)


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (field 22 of /proc/pid/stat)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]


def _owner_alive(base: Path) -> bool:
    try:
        pid_s, start = (base / OWNER_FILE).read_text().split()
        return _start_time(int(pid_s)) == start
    except (OSError, ValueError):
        return True  # no marker yet (being made) or unreadable: not ours to judge


def _is_mount(path: Path) -> bool:
    try:
        return os.path.ismount(path)
    except OSError:
        return False


def _mark_owner(base: Path) -> None:
    me = os.getpid()
    (base / OWNER_FILE).write_text(f"{me} {_start_time(me)}\n")


def owned_tempdir(prefix: str = GIT_PREFIX) -> Path:
    """A fresh private temporary folder marked with this process, so that the next grader
    removes it if this one is killed with -9 before it could."""
    base = Path(tempfile.mkdtemp(prefix=prefix))
    _mark_owner(base)
    return base


def make_workspace(work_mb: int) -> Workspace:
    """A fresh root-owned folder (0755) for one kernel, on its own tmpfs when possible."""
    base = Path(tempfile.mkdtemp(prefix=PREFIX))
    os.chmod(base, 0o755)
    capped = None
    if work_mb > 0 and can_mount_tmpfs():
        opts = f"size={work_mb}m,mode=0755,nosuid,nodev"
        if command_succeeds(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(base)]):
            capped = work_mb
    _mark_owner(base)  # after the mount: the marker must be on the tmpfs that is swept
    return Workspace(base, capped)


def remove_tree(path: Path) -> None:
    """Delete a tree the student wrote into; never raises (a 3000-level tree makes
    shutil.rmtree recurse past Python's limit, so `rm -rf` takes over)."""
    try:
        shutil.rmtree(path, ignore_errors=True)
    except RecursionError:
        pass
    if path.exists():
        subprocess.run(["rm", "-rf", "--one-file-system", "--", str(path)], check=False, capture_output=True)


def release_workspace(base: Path) -> None:
    """Unmount (lazily: a process may still hold a file) and delete; never raises."""
    if _is_mount(base):
        command_succeeds(["umount", "-l", str(base)])
    remove_tree(base)


def sweep_stale(tmp: Path | None = None) -> list[Path]:
    """Release the workspaces, git mirrors, class scratch folders and fork-server homes of
    graders that are gone (killed with -9); returns them."""
    root = Path(tmp or tempfile.gettempdir())
    swept = []
    try:
        candidates = [p for p in root.iterdir() if p.name.startswith(SWEPT_PREFIXES) and p.is_dir()]
    except OSError:
        return swept
    me = os.geteuid()
    for base in candidates:
        try:
            # Another user's folder (a root class grader's, a classmate's on a shared
            # JupyterHub) is theirs to sweep: never stat inside it, never fail because of it.
            if base.lstat().st_uid != me or not (base / OWNER_FILE).exists() or _owner_alive(base):
                continue
        except OSError:
            continue
        release_workspace(base)
        swept.append(base)
    return swept
