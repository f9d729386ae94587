"""What this machine lets a kernel be confined with: user namespaces, bwrap, unshare, Landlock, seccomp.

`probe()` is asked once per process; `plan()` and the launchers take the `Capabilities` it returns,
so a test passes the machine it wants instead of patching this module."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Capabilities:
    """What the probe found on this machine: `plan` builds from it and nothing else, so a
    caller (a test) can describe another machine by passing other capabilities."""

    is_root: bool
    bwrap: str | None
    unshare: str | None
    setpriv: str | None
    prlimit: str | None
    notes: tuple[str, ...] = ()
    landlock_abi: int = 0  # 0: this Linux has no Landlock
    fork_namespaces: bool = False  # a forked kernel may create its namespaces (root only)


def command_succeeds(argv: list[str]) -> bool:
    try:
        return subprocess.run(argv, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@functools.lru_cache(maxsize=1)
def probe() -> Capabilities:
    """Try each tool for real, once per process (the entry points pass the result on to
    `plan`): being installed is not being allowed."""
    notes: list[str] = []
    is_root = os.geteuid() == 0
    bwrap = shutil.which("bwrap")
    if bwrap and not command_succeeds([bwrap, "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "true"]):
        notes.append("bwrap is installed but cannot create namespaces here")
        bwrap = None
    elif not bwrap:
        notes.append("bwrap (bubblewrap) is not installed: apt-get install bubblewrap")
    unshare = shutil.which("unshare")
    if unshare and not command_succeeds([unshare, "--net", "--pid", "--fork", "true"]):
        notes.append("unshare cannot create network namespaces here (not root?)")
        unshare = None
    setpriv = shutil.which("setpriv") if is_root else None
    if is_root and not setpriv:
        notes.append("setpriv is missing: cannot drop to an unprivileged user")
    prlimit = shutil.which("prlimit")
    if not prlimit:
        notes.append("prlimit is missing: no resource limits on the kernel")
    return Capabilities(
        is_root, bwrap, unshare, setpriv, prlimit, tuple(notes), landlock_abi=landlock_abi(),
        fork_namespaces=is_root and can_fork_namespaces(),
    )


#: Namespaces a forked kernel creates for itself (see kernel_side/zygote.py).
_FORK_NS_FLAGS = 0x00020000 | 0x04000000 | 0x08000000 | 0x20000000 | 0x40000000


_FORK_PROBE = """
import ctypes, os, tempfile
libc = ctypes.CDLL(None, use_errno=True)
if libc.unshare({flags}) != 0:
    os._exit(1)
if libc.mount(None, b"/", None, ctypes.c_ulong((1 << 18) | 16384), None) != 0:
    os._exit(2)
d = tempfile.mkdtemp()
ok = libc.mount(b"tmpfs", d.encode(), b"tmpfs", ctypes.c_ulong(0), b"size=1m") == 0
if ok:
    libc.umount2(d.encode(), 2)
os.rmdir(d)
os._exit(0 if ok else 3)
"""


@functools.lru_cache(maxsize=1)
def can_fork_namespaces() -> bool:
    """Whether a forked kernel may create its own namespaces and mount its new root:
    tried for real (unshare, then a tmpfs mount inside), once per process."""
    if os.geteuid() != 0:
        return False
    return command_succeeds([sys.executable, "-c", _FORK_PROBE.format(flags=_FORK_NS_FLAGS)])


def resolve_launcher(choice: str, caps: Capabilities | None = None) -> str:
    """`--kernel-launch auto`: fork where forked kernels can get their own namespaces (the
    same protection as bwrap, ten times faster to start); else bwrap for each kernel when
    it works here (unprivileged user namespaces); else fork (rlimits either way).
    `caps`: the machine's (default: this one's, probed once)."""
    if choice != "auto":
        return choice
    caps = caps or probe()
    if caps.is_root and caps.fork_namespaces:
        return "fork"
    return "spawn" if caps.bwrap else "fork"


def landlock_abi() -> int:
    """The Landlock ABI of this Linux (0: none); asked once per process."""
    return _landlock_abi()


@functools.lru_cache(maxsize=1)
def _landlock_abi() -> int:
    from autograder.kernel_side.confine import landlock_abi as abi

    try:
        return abi()
    except OSError:
        return 0


def landlock_isolates_network(abi: int) -> bool:
    """TCP refused by Landlock (ABI 4), or every non-unix socket by the seccomp filter."""
    return abi >= 4 or (abi >= 1 and seccomp_supported())


def landlock_scopes_signals(abi: int) -> bool:
    """Signals and abstract sockets kept inside the sandbox (ABI 6): what stands in for the
    user switch in `--sandbox strict`."""
    return abi >= 6


def seccomp_supported() -> bool:
    import platform

    from autograder.kernel_side.confine import _ARCH

    return platform.machine() in _ARCH
