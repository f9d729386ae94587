"""workspace: each kernel's folder on its own size-capped tmpfs, and what dead graders left swept."""

from __future__ import annotations

import errno
import os
import subprocess
import sys

import pytest

from autograder.sandbox.workspace import (
    CLASS_PREFIX,
    GIT_PREFIX,
    OWNER_FILE,
    PREFIX,
    ZYGOTE_PREFIX,
    can_mount_tmpfs,
    make_workspace,
    release_workspace,
    sweep_stale,
)

needs_mount = pytest.mark.skipif(
    not can_mount_tmpfs(), reason="this process may not mount a tmpfs (not root, or no CAP_SYS_ADMIN)"
)


@needs_mount
def test_workspace_is_its_own_tmpfs_and_a_full_one_says_enospc():
    space = make_workspace(2)
    try:
        assert space.capped_mb == 2 and os.path.ismount(space.base)
        assert oct(space.base.stat().st_mode & 0o777) == "0o755"
        with pytest.raises(OSError) as info:
            (space.base / "big.bin").write_bytes(b"\0" * (3 << 20))
        assert info.value.errno == errno.ENOSPC
    finally:
        release_workspace(space.base)
    assert not space.base.exists()
    assert str(space.base) not in open("/proc/mounts").read()


def test_a_zero_size_means_the_host_disk():
    space = make_workspace(0)
    try:
        assert space.capped_mb is None and not os.path.ismount(space.base)
        assert (space.base / OWNER_FILE).read_text().split()[0] == str(os.getpid())
    finally:
        release_workspace(space.base)
    assert not space.base.exists()


def test_sweep_releases_only_workspaces_whose_grader_is_gone(tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "from autograder.sandbox.workspace import make_workspace as m; "
         f"import tempfile; tempfile.tempdir = {str(tmp_path)!r}; print(m(1).base)"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    mine = make_workspace(0)
    alive = tmp_path / f"{PREFIX}alive"
    alive.mkdir()
    (alive / OWNER_FILE).write_text((mine.base / OWNER_FILE).read_text())  # this process
    reused = tmp_path / f"{PREFIX}reused-pid"
    reused.mkdir()  # a pid that lives, but started at another time: another process now
    (reused / OWNER_FILE).write_text(f"{os.getpid()} 1\n")
    unmarked = tmp_path / f"{PREFIX}being-made"
    unmarked.mkdir()
    mirror = subprocess.run(  # the git mirror of a grader killed while reading a remote repo
        [sys.executable, "-c", "from autograder.sandbox.workspace import owned_tempdir as o; "
         f"import tempfile; tempfile.tempdir = {str(tmp_path)!r}; d = o(); (d / 'mirror.git').mkdir(); print(d)"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert os.path.basename(mirror).startswith(GIT_PREFIX)
    try:
        swept = sweep_stale(tmp_path)
        assert sorted(map(str, swept)) == sorted([dead, str(reused), mirror])
        assert not os.path.exists(dead) and not reused.exists()
        assert unmarked.exists() and alive.exists()
    finally:
        release_workspace(mine.base)


def test_sweep_releases_a_killed_class_graders_scratch_and_fork_server_home(tmp_path):
    """grade-class killed with -9 (its fork server with it, by the process group) leaves a
    student's scratch folder and the zygote's home: the next grader removes both, and leaves
    a live grader's alone."""
    made = subprocess.run(
        [sys.executable, "-c", "import tempfile; from autograder.sandbox.workspace import owned_tempdir as o, "
         f"CLASS_PREFIX as c, ZYGOTE_PREFIX as z; tempfile.tempdir = {str(tmp_path)!r}; "
         "a, b = o(c), o(z); (b / 'zygote.log').write_text('x'); print(a); print(b)"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    assert os.path.basename(made[0]).startswith(CLASS_PREFIX)
    assert os.path.basename(made[1]).startswith(ZYGOTE_PREFIX)
    live = tmp_path / f"{ZYGOTE_PREFIX}live"
    live.mkdir()
    (live / OWNER_FILE).write_text(f"{os.getpid()} {open(f'/proc/{os.getpid()}/stat').read().rsplit(')', 1)[-1].split()[19]}\n")
    assert sorted(map(str, sweep_stale(tmp_path))) == sorted(made)
    assert live.exists() and not any(os.path.exists(p) for p in made)


def test_sweep_skips_other_users_folders(tmp_path):
    """A stale folder of another user (a root grade-class's, a classmate's on a shared
    machine) is never touched, and one this user cannot even look into never fails it."""
    theirs = tmp_path / f"{PREFIX}someone-else"
    theirs.mkdir()
    (theirs / OWNER_FILE).write_text("999999 1\n")  # its grader is gone
    locked = tmp_path / f"{GIT_PREFIX}locked"
    locked.mkdir(mode=0o700)
    (locked / OWNER_FILE).write_text("999999 1\n")
    other = 65534 if os.geteuid() == 0 else None
    if other is None:
        pytest.skip("needs root to give a folder to another user")
    os.chown(theirs, other, other)
    os.chown(locked, other, other)
    os.chmod(locked, 0o700)
    assert sweep_stale(tmp_path) == []
    assert theirs.exists() and locked.exists()
