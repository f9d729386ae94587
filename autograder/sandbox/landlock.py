"""The Landlock rules a kernel confines itself with, and the trampoline that applies them before
the kernel's own code runs (kernel_side/confine.py)."""

from __future__ import annotations

import json
from pathlib import Path

from autograder.sandbox.capabilities import (
    seccomp_supported,
)

#: What a kernel confined by Landlock may read (beside the Python install and the venv).
LANDLOCK_SYSTEM = ("/usr", "/lib", "/lib32", "/lib64", "/bin", "/sbin", "/etc", "/proc", "/sys")


LANDLOCK_DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty")


def landlock_rules(workdir: Path, runtime_dir: Path, roots: list[Path], device: str) -> dict[str, list[str]]:
    """The `landlock` level's view (confine.apply_landlock): the course, other students,
    the reports and the grader's home lie outside it, so reads there fail."""
    from autograder.sandbox.kernel import kernel_socket_dir

    devices = list(LANDLOCK_DEVICES)
    if device == "cuda":
        devices += [str(p) for p in sorted(Path("/dev").glob("nvidia*"))]
    return {
        "read": [*LANDLOCK_SYSTEM, *map(str, roots), str(runtime_dir / "kernel.json")],
        # Not the host's /dev/shm: it is shared by every kernel and outlives them (POSIX shared
        # memory, e.g. DataLoader workers, is unavailable at this level; the report says so).
        "write": [str(workdir), str(kernel_socket_dir(runtime_dir))],
        "exchange": [str(exchange_root(runtime_dir))],
        "devices": devices,
    }


def stacked_rules(workdir_inside: Path, runtime_dir: Path, device: str) -> dict[str, list[str]]:
    """Landlock rules under the `namespaces` and `bwrap` levels, for paths inside the new
    root: that root already holds only what the kernel may read, so reads are allowed
    beneath it; writes only in the work dir, the private /tmp and /dev/shm and the kernel's
    socket folder; in the exchange folder files only, as at the `landlock` level."""
    from autograder.sandbox.kernel import kernel_socket_dir

    devices = list(LANDLOCK_DEVICES)
    if device == "cuda":
        devices += [str(p) for p in sorted(Path("/dev").glob("nvidia*"))]
    return {
        "read": ["/"],
        "write": [str(workdir_inside), "/tmp", "/dev/shm", str(kernel_socket_dir(runtime_dir))],
        "exchange": [str(exchange_root(runtime_dir))],
        "devices": devices,
    }


NOTHING_STACKED = "this Linux has no Landlock: the namespaces alone confine the kernel (no Landlock or seccomp stacked under them)"


def _stack_note(level: str, abi: int) -> str | None:
    """What stacking Landlock + seccomp under `level` adds (the report's note); None where
    this Linux (of Landlock ABI `abi`) has none, which the note then says instead."""
    if abi < 1:
        return None
    return (
        f"stacked under the {level} level: Landlock ABI {abi}"
        + (" and a seccomp filter" if seccomp_supported() else "")
        + ", set by the kernel on itself inside its new root: writes only in its work dir, private /tmp and "
        "/dev/shm and runtime folders"
        + ("; no TCP, UDP or raw socket even inside its network namespace (AF_UNIX and AF_NETLINK only); "
           "no ptrace, process_vm_readv/writev or io_uring" if seccomp_supported() else "")
        + ("; no signal or abstract socket beyond the sandbox" if abi >= 6 else "")
    )


#: Runs in the kernel's interpreter (-I -S: no site, no cwd on the path) after the spawn
#: launcher and before ipykernel: confine.py's source, then `confine(rules)` and exec the
#: kernel's command, which inherits the confinement (no_new_privs, Landlock, seccomp).
_TRAMPOLINE = """
import json as _json, sys as _sys
confine(_json.loads(_sys.argv[1]))
if os.environ.get("TMPDIR"):  # on the host (no private /tmp) it lies in the work dir
    os.makedirs(os.environ["TMPDIR"], exist_ok=True)
os.execv(_sys.argv[2], _sys.argv[2:])
"""


def confine_launcher(python: str, rules: dict[str, list[str]]) -> list[str]:
    """A launcher prefix that confines itself with `rules`, then execs the rest of the
    command: how a spawned kernel stacks the `landlock` confinement under bwrap. A kernel
    that cannot confine itself exits (its log says why) and never runs student code."""
    source = (Path(__file__).parent.parent / "kernel_side" / "confine.py").read_text(encoding="utf-8")
    return [python, "-I", "-S", "-c", source + _TRAMPOLINE, json.dumps(rules)]


def exchange_root(runtime_dir: Path) -> Path:
    """Where the grader makes each submission's exchange folder: the one place beneath the
    runtime folder where a Landlock-confined kernel may write files (never move folders)."""
    return runtime_dir / "exchange"
