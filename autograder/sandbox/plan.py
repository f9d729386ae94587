"""Confine the student's kernel: probe what this machine offers, then build the launcher.

Levels, strongest first (the reached level is recorded in every report):

* ``namespaces`` – kernels forked from the grader's fork server (``--kernel-launch fork``,
  the default) confine themselves with the same protections as ``bwrap``: new mount, net,
  PID, IPC and UTS namespaces, a new root holding only the OS, the Python install and the
  virtualenv, private /tmp and /dev, a sandbox uid, no_new_privs. Needs root.
* ``bwrap``   – bubblewrap: a new root holding only the OS, the Python install and the
  virtualenv (the course, other students and the grader's files do not exist there),
  private /tmp, no network, own PID namespace, run as ``nobody`` when the grader is root.
* ``unshare`` – util-linux unshare: no network and own PID namespace, user switch when
  root, but the file system is visible (protected only by file permissions).
* ``rlimits`` – resource limits, user switch when root, scrubbed environment only.
* ``none``    – ``--sandbox off``: nothing but the scrubbed environment (debugging).

Every level applies rlimits (address space, CPU seconds, processes, file size, open files)
(through ``prlimit`` when spawned, ``setrlimit`` in the forked kernel) and starts the kernel
with a scrubbed environment. Where Linux has Landlock, the `landlock` level's confinement
(kernel_side/confine.py: Landlock and a seccomp filter) also stacks under ``namespaces`` and
``bwrap``, with rules for the new root (`stacked_rules`): defence in depth, should a
namespace or the new root ever leak.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.errors import AutograderError
from autograder.results import Message, SandboxInfo
from autograder.sandbox.capabilities import (
    Capabilities,
    command_succeeds,
    landlock_isolates_network,
    landlock_scopes_signals,
    probe,
    seccomp_supported,
)
from autograder.sandbox.landlock import (
    NOTHING_STACKED,
    _stack_note,
    confine_launcher,
    landlock_rules,
    stacked_rules,
)

NOBODY_UID = 65534
NOBODY_GID = 65534
#: Kernels run as a uid of their own from this range (no passwd entry needed): RLIMIT_NPROC
#: counts per uid, so a fork bomb in one submission cannot starve another's kernel.
SANDBOX_UID_BASE = 200000
SANDBOX_UID_SPAN = 65536


#: Environment variables the kernel may see; everything else (CI tokens, ...) is dropped.
ENV_ALLOW = ("LANG", "LC_ALL", "TZ")
#: Where the submission's work directory appears inside a bwrap sandbox.
SANDBOX_WORKDIR = "/sandbox/work"


def is_sandbox_uid(uid: int) -> bool:
    return uid == NOBODY_UID or SANDBOX_UID_BASE <= uid < SANDBOX_UID_BASE + SANDBOX_UID_SPAN


class SandboxUnavailable(AutograderError):
    """`--sandbox strict` was asked for and this machine cannot provide it."""


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 4096
    cpu_seconds: int = 600
    nproc: int = 512  # threads count here: torch starts a few per core
    file_size_mb: int = 256
    open_files: int = 256
    tmpfs_mb: int = 512  # size of the sandbox's private /tmp and /dev/shm (they live in RAM)
    work_mb: int = 1024  # size of the work dir's own tmpfs, where the grader may mount one

    def prlimit_args(self, *, address_space: bool) -> list[str]:
        args = [
            f"--cpu={self.cpu_seconds}",
            f"--nproc={self.nproc}",
            f"--fsize={self.file_size_mb * 1024 * 1024}",
            f"--nofile={self.open_files}",
            "--core=0",
        ]
        if address_space:
            args.insert(0, f"--as={self.memory_mb * 1024 * 1024}")
        return args

    def rlimits(self, *, address_space: bool) -> dict[str, int]:
        """The same limits for `setrlimit` in a forked kernel (names as in zygote.RLIMITS)."""
        out = {
            "cpu": self.cpu_seconds,
            "nproc": self.nproc,
            "fsize": self.file_size_mb * 1024 * 1024,
            "nofile": self.open_files,
            "core": 0,
        }
        if address_space:
            out["as"] = self.memory_mb * 1024 * 1024
        return out

    def as_dict(self) -> dict[str, int]:
        return {
            "memory_mb": self.memory_mb,
            "cpu_seconds": self.cpu_seconds,
            "nproc": self.nproc,
            "file_size_mb": self.file_size_mb,
            "open_files": self.open_files,
            "tmpfs_mb": self.tmpfs_mb,
        }


@dataclass(frozen=True)
class SandboxPlan:
    """How to launch one kernel: a command prefix, its environment and what it protects."""

    prefix: tuple[str, ...]
    env: dict[str, str]
    info: SandboxInfo
    workdir_inside: str  # the kernel's working directory as the kernel sees it
    run_as: tuple[int, int] | None = None  # (uid, gid) owning writable dirs, or None
    extra: dict[str, str] = field(default_factory=dict)
    # Forked kernels (launcher "fork"): what the kernel sets on itself, and the new root
    # it builds (None: no namespaces). See kernel_side/zygote.py.
    rlimits: dict[str, int] = field(default_factory=dict)
    isolation: dict[str, Any] | None = None
    # The `landlock` level: the rules the forked kernel confines itself with (confine.py).
    confine: dict[str, Any] | None = None


#: The level each launcher reaches when nothing is missing (what `--sandbox strict` needs).
STRICT_LEVEL = {"fork": "namespaces", "spawn": "bwrap"}


def strict_level(launcher: str, caps: Capabilities | None = None) -> str | None:
    """The level `--sandbox strict` grades at on this machine with `launcher` (None: refused).
    Forked kernels fall back to `landlock` where namespaces are not allowed, provided it
    isolates the network and scopes signals (ABI 6): it needs no privilege. Spawned ones
    get what `plan` grants; the same Landlock signal scope stands in for the user switch
    where the grader is not root. `caps`: the machine's (default: this one's)."""
    caps = caps or probe()
    if launcher == "fork":
        if caps.is_root and caps.fork_namespaces:
            return "namespaces"
        abi = caps.landlock_abi
        return "landlock" if landlock_isolates_network(abi) and landlock_scopes_signals(abi) else None
    # Spawned kernels: what `plan` itself grants (bwrap, unshare or landlock, each needing
    # network isolation, hidden files and a user switch or Landlock's signal scope).
    try:
        return plan("strict", workdir=Path("/nonexistent/work"), runtime_dir=Path("/nonexistent/run"),
                    python=kernel_python(), limits=Limits(), launcher="spawn", caps=caps).info.level
    except SandboxUnavailable:
        return None
    except Exception:  # noqa: BLE001 - e.g. ConfigError: an interpreter no sandbox uid can reach
        return None


def strict_available(launcher: str, caps: Capabilities | None = None) -> bool:
    """Whether `--sandbox strict` can be granted on this machine with `launcher`."""
    return strict_level(launcher, caps) is not None


def _fork_isolation(
    new_root: Path, workdir: Path, runtime_dir: Path, python_roots: list[Path], device: str, tmpfs_mb: int
) -> dict[str, Any]:
    """The new root a forked kernel builds: the same view as `_bwrap_prefix` gives."""
    system, symlinks = _system_view()
    return {
        "root": str(new_root),
        "hostname": "sandbox",
        "ro": system + [str(r) for r in python_roots],
        "symlinks": symlinks,
        "rw": [(str(runtime_dir), str(runtime_dir)), (str(workdir), SANDBOX_WORKDIR)],
        "tmpfs_bytes": tmpfs_mb * 1024 * 1024,
        "devices": _gpu_devices(device),
    }


def _system_view() -> tuple[list[str], list[tuple[str, str]]]:
    """What of the OS both launchers show the kernel: folders bound read-only, and the
    top-level links (`/bin -> usr/bin` on merged-/usr systems) as (path, target)."""
    ro = ["/usr", "/etc"]
    symlinks = []
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        p = Path("/") / name
        if p.is_symlink():
            symlinks.append((str(p), os.readlink(p)))
        elif p.is_dir():
            ro.append(str(p))
    return ro, symlinks


def _gpu_devices(device: str) -> list[str]:
    return [str(d) for d in sorted(Path("/dev").glob("nvidia*"))] if device == "cuda" else []


def _parents(path: Path) -> list[Path]:
    """Ancestors of `path` below /, outermost first."""
    return [p for p in reversed(path.parents) if str(p) != "/"]


def _bwrap_prefix(
    bwrap: str, workdir: Path, runtime_dir: Path, python_roots: list[Path], device: str, tmpfs_mb: int
) -> list[str]:
    argv = [
        bwrap,
        "--die-with-parent",
        "--new-session",
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--hostname",
        "sandbox",
    ]
    system, symlinks = _system_view()
    for path in system:
        argv += ["--ro-bind", path, path]
    for path, target in symlinks:
        argv += ["--symlink", target, path]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    size = str(tmpfs_mb * 1024 * 1024)
    argv += ["--perms", "1777", "--size", size, "--tmpfs", "/tmp"]
    argv += ["--perms", "1777", "--size", size, "--tmpfs", "/dev/shm"]
    for dev in _gpu_devices(device):
        argv += ["--dev-bind", dev, dev]
    made: set[Path] = {Path("/tmp")}  # folders that exist in the new root (tmpfs or --dir)
    bound: set[Path] = {Path("/usr"), Path("/etc")}  # read-only views of real folders
    binds = [(r, r, "--ro-bind") for r in python_roots]
    binds += [(runtime_dir, runtime_dir, "--bind"), (workdir, Path(SANDBOX_WORKDIR), "--bind")]
    for src, dst, how in binds:
        for parent in _parents(dst):
            inside_bound = any(parent == b or b in parent.parents for b in bound)
            if parent not in made and not inside_bound:
                # bwrap copies the mode of the source's parents (e.g. /root is 0700): make them
                # traversable, but not listable (the kernel must not browse /work, /root...).
                argv += ["--perms", "0711", "--dir", str(parent)]
                made.add(parent)
        argv += [how, str(src), str(dst)]
        bound.add(dst)
    argv += ["--chdir", SANDBOX_WORKDIR]
    return argv


def python_roots(python: str) -> list[Path]:
    """Folders the kernel's interpreter needs: its install prefix and its virtualenv."""
    return list(_python_roots(python))


@functools.lru_cache(maxsize=8)
def _python_roots(python: str) -> tuple[Path, ...]:
    """Asked once per interpreter: a subprocess per kernel start costs ~30 ms."""
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print(sys.base_prefix); print(sys.prefix)"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout.split()
    except (OSError, subprocess.SubprocessError) as exc:
        from autograder.config import ConfigError

        raise ConfigError(
            Message(
                fr=f"l'interpréteur des noyaux {python} ne démarre pas ({exc}) ; vérifiez AUTOGRADER_KERNEL_PYTHON ou l'installation",
                en=f"the kernels' interpreter {python} does not run ({exc}); check AUTOGRADER_KERNEL_PYTHON or the install",
            )
        ) from exc
    roots: list[Path] = []
    for r in map(Path, out):
        if r not in roots and not str(r).startswith("/usr"):
            roots.append(r)
    return tuple(roots)


def scrubbed_env(*, home: str, python: str, device: str) -> dict[str, str]:
    """A minimal environment: no tokens, no CI variables, no proxies, no user site."""
    env = {k: os.environ[k] for k in ENV_ALLOW if k in os.environ}
    env.setdefault("LANG", "C.UTF-8")
    env.update(
        {
            "PATH": f"{Path(python).parent}:/usr/local/bin:/usr/bin:/bin",
            "HOME": home,
            "TMPDIR": "/tmp",
            "PYTHONNOUSERSITE": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": "/tmp/mpl",
            "JUPYTER_PLATFORM_DIRS": "1",
            "IPYTHONDIR": "/tmp/ipython",
            "OMP_NUM_THREADS": str(max(1, min(4, os.cpu_count() or 1))),
        }
    )
    if device == "cuda" and "CUDA_VISIBLE_DEVICES" in os.environ:
        env["CUDA_VISIBLE_DEVICES"] = os.environ["CUDA_VISIBLE_DEVICES"]
    if device != "cuda":
        env["CUDA_VISIBLE_DEVICES"] = ""
    return env


def plan(
    mode: str,
    *,
    caps: Capabilities,
    workdir: Path,
    runtime_dir: Path,
    python: str,
    limits: Limits,
    device: str = "cpu",
    uid: int = NOBODY_UID,
    launcher: str = "spawn",
    new_root: Path | None = None,
) -> SandboxPlan:
    """Choose the strongest level allowed by `mode` and build the launcher for it.

    `launcher` "spawn" gives a command prefix (bwrap/unshare/setpriv/prlimit); "fork" gives
    what a kernel forked from the fork server sets up itself (`rlimits`, `isolation`),
    with `new_root` an empty folder to mount its root on. `caps`: what the machine offers
    (`probe()`), passed in by the caller.
    """
    _refuse_long_socket_paths(runtime_dir)
    if launcher == "fork":
        return _plan_fork(mode, caps=caps, workdir=workdir, runtime_dir=runtime_dir, python=python, limits=limits,
                          device=device, uid=uid, new_root=new_root)
    abi = caps.landlock_abi
    notes = list(caps.notes)
    prefix: list[str] = []
    level = "none"
    net = pid = fs = switched = False
    workdir_inside = str(workdir)
    host_confined = False  # Landlock + seccomp on the host's paths (no new root)
    if mode != "off":
        if caps.bwrap:
            roots = python_roots(python)
            prefix = _bwrap_prefix(caps.bwrap, workdir, runtime_dir, roots, device, limits.tmpfs_mb)
            level, net, pid, fs = "bwrap", True, True, True
            workdir_inside = SANDBOX_WORKDIR
            if caps.is_root:
                prefix += ["--cap-add", "CAP_SETUID,CAP_SETGID"]
        elif caps.unshare and caps.is_root:
            prefix = [caps.unshare, "--net", "--pid", "--fork", "--kill-child", "--mount-proc"]
            level, net, pid = "unshare", True, True
            if abi < 1:
                notes.append("files outside the work dir are protected by permissions only")
        elif abi >= 1:
            # No namespaces here (a Docker runner, a user without user namespaces): the
            # launcher confines itself with Landlock + seccomp, as a forked kernel does.
            level, net = "landlock", landlock_isolates_network(abi)
        else:
            level = "rlimits"
        prefix.append("--")
        # On the host's file system (no new root): the `landlock` level's rules, host paths.
        host_confined = level in ("unshare", "landlock") and abi >= 1
        keep_root = False
        if caps.is_root and caps.setpriv and level != "bwrap":
            # bwrap binds the interpreter in; here the sandbox user must reach it on the host.
            blocked = unreachable_for_others(python_roots(python))
            if blocked is not None and host_confined:
                keep_root = True  # as a forked kernel: uid 0 without any capability, Landlock-confined
                notes.append(
                    f"the kernel keeps uid 0 without any capability: {blocked} is not reachable by other "
                    "users, so a sandbox uid could not load Python (install Python and the venv outside a "
                    "private home, or chmod o+x the folders on the way, to get a user switch)"
                )
            elif blocked is not None:
                from autograder.config import ConfigError

                raise ConfigError(
                    Message(
                        fr=f"le noyau ne pourrait pas démarrer : il tourne sous un autre utilisateur (uid {uid}), qui ne peut pas entrer dans {blocked} "
                        f"où se trouve l'interpréteur {python}. Installez Python et le venv hors d'un dossier privé (ou chmod o+x sur {blocked}), "
                        "ou laissez --kernel-launch auto/fork (niveau landlock, sans changement d'utilisateur)",
                        en=f"the kernel could not start: it runs as another user (uid {uid}), who cannot enter {blocked}, "
                        f"where the interpreter {python} lives. Install Python and the venv outside a private folder (or chmod o+x {blocked}), "
                        "or keep --kernel-launch auto/fork (the landlock level, no user switch)",
                    )
                )
        if keep_root:
            prefix += [caps.setpriv, "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
        elif caps.is_root and caps.setpriv:
            prefix += [
                caps.setpriv,
                f"--reuid={uid}",
                f"--regid={uid if uid != NOBODY_UID else NOBODY_GID}",
                "--clear-groups",
                "--inh-caps=-all",
                "--bounding-set=-all",
                "--no-new-privs",
                "--",
            ]
            switched = True
        elif caps.is_root:
            notes.append("the kernel runs as root: setpriv is missing")
        if caps.prlimit:
            # CUDA reserves huge virtual address ranges: an address-space cap breaks it.
            prefix += [caps.prlimit, *limits.prlimit_args(address_space=device != "cuda"), "--"]
            if device == "cuda":
                notes.append("no address-space limit on CUDA (the driver reserves virtual memory)")
        if level == "bwrap":
            stacked = _stack_note(level, abi)
            if stacked is not None:
                rules = stacked_rules(Path(SANDBOX_WORKDIR), runtime_dir, device)
                prefix += confine_launcher(python, rules)
                notes.append(stacked)
            else:
                notes.append(NOTHING_STACKED)
        elif host_confined:
            # The same rules a forked kernel sets at the `landlock` level, on host paths.
            prefix += confine_launcher(python, landlock_rules(workdir, runtime_dir, python_roots(python), device))
            fs = True
            notes.append(_host_landlock_note(level, net, abi))
        if prefix == ["--"]:
            prefix = []
        elif prefix[0] == "--":
            prefix = prefix[1:]
    else:
        notes.append("sandbox off: the kernel runs unconfined")

    confined = (level == "bwrap" and abi >= 1) or host_confined
    # Landlock's signal and ptrace scoping (ABI 6) stands in for the user switch, as for fork
    # (under bwrap without root, the kernel keeps the grader's uid in its own user namespace).
    scoped = confined and landlock_scopes_signals(abi)
    _refuse_if_strict(mode, net=net, fs=fs, switched=switched or scoped, notes=caps.notes)
    info = SandboxInfo(
        level=level,
        network_isolated=net,
        user_switched=switched,
        filesystem_hidden=fs,
        pid_namespace=pid,
        limits=limits.as_dict() if mode != "off" and caps.prlimit else {},
        notes=notes,
        landlock_abi=abi if confined else 0,
        seccomp=confined and seccomp_supported(),
    )
    env, run_as = _env_and_owner(info, workdir=workdir, python=python, device=device, uid=uid)
    if confined and level != "bwrap":  # no private /tmp on the host: the work dir holds its own
        _private_tmp_in_workdir(env, workdir)
    return SandboxPlan(tuple(prefix), env, info, workdir_inside, run_as)


def _private_tmp_in_workdir(env: dict[str, str], workdir: Path) -> None:
    """A Landlock-confined kernel on the host may write only in its work dir: its HOME and
    temporary files live there (the launcher or the fork server makes `.tmp`)."""
    private = str(workdir / ".tmp")
    env.update(HOME=str(workdir), TMPDIR=private, MPLCONFIGDIR=f"{private}/mpl", IPYTHONDIR=f"{private}/ipython")


def _host_landlock_note(level: str, isolated: bool, abi: int) -> str:
    """What Landlock + seccomp give a kernel that has no new root (the `landlock` level, and
    stacked under `unshare`): the report's note, the same for both launchers."""
    where = "no namespaces here" if level == "landlock" else f"stacked under the {level} level"
    return (
        f"landlock: Landlock ABI {abi}" + (" and a seccomp filter" if seccomp_supported() else "")
        + f", set by the kernel on itself ({where}): "
        "reads only beneath the OS, the Python install and the venv; writes only in its work and runtime folders; "
        + ("no TCP, UDP or raw sockets; " if isolated else "network NOT isolated (Landlock ABI < 4, unknown architecture); ")
        + ("no signal or abstract socket beyond the sandbox (ABI 6); " if abi >= 6 else "")
        + ("no PID namespace: the kernel sees the machine's process list; " if level == "landlock" else "")
        + "no /dev/shm (POSIX shared memory)"
    )


#: Linux's bound on a unix socket's path (sun_path: 108 bytes with the final NUL).
SOCKET_PATH_MAX = 107


def _refuse_long_socket_paths(runtime_dir: Path) -> None:
    """The kernel's IPC sockets (`<socket folder>/k-<n>`) must fit in a unix socket path:
    under a deep TMPDIR they do not, and the kernel would fail to start with only zmq's
    'File name too long' to say why. Named before any start, with the fix."""
    from autograder.sandbox.kernel import kernel_socket_dir

    longest = f"{kernel_socket_dir(runtime_dir) / 'k'}-99"
    if len(os.fsencode(longest)) <= SOCKET_PATH_MAX:
        return
    from autograder.config import ConfigError

    raise ConfigError(
        Message(
            fr=f"le dossier temporaire du correcteur est trop profond : les sockets du noyau ({longest}) dépasseraient "
            f"les {SOCKET_PATH_MAX} octets d'un chemin de socket unix. Donnez à TMPDIR un chemin plus court (par exemple /tmp)",
            en=f"the grader's temporary folder is too deep: the kernel's sockets ({longest}) would exceed the "
            f"{SOCKET_PATH_MAX} bytes of a unix socket path. Give TMPDIR a shorter path (e.g. /tmp)",
        )
    )


def _env_and_owner(
    info: SandboxInfo, *, workdir: Path, python: str, device: str, uid: int
) -> tuple[dict[str, str], tuple[int, int] | None]:
    """The kernel's environment (HOME in its private /tmp when the file system is hidden)
    and who owns its writable folders (None: no user switch)."""
    env = scrubbed_env(home="/tmp" if info.filesystem_hidden else str(workdir), python=python, device=device)
    run_as = (uid, uid if uid != NOBODY_UID else NOBODY_GID) if info.user_switched else None
    return env, run_as


def _plan_fork(
    mode: str, *, caps: Capabilities, workdir: Path, runtime_dir: Path, python: str, limits: Limits, device: str,
    uid: int, new_root: Path | None,
) -> SandboxPlan:
    notes: list[str] = []
    is_root = caps.is_root
    abi = caps.landlock_abi
    level, isolated, switched, hidden = "none", False, False, False
    isolation = confine = None
    rlimits: dict[str, int] = {}
    workdir_inside = str(workdir)
    if mode != "off":
        level = "rlimits"
        rlimits = limits.rlimits(address_space=device != "cuda")
        if device == "cuda":
            notes.append("no address-space limit on CUDA (the driver reserves virtual memory)")
        switched = is_root
        if is_root and new_root is not None and caps.fork_namespaces:
            isolation = _fork_isolation(new_root, workdir, runtime_dir, python_roots(python), device, limits.tmpfs_mb)
            level, isolated, hidden, workdir_inside = "namespaces", True, True, SANDBOX_WORKDIR
            stacked = _stack_note(level, abi)
            if stacked is not None:  # applied after pivot_root: paths as the kernel sees them
                confine = stacked_rules(Path(SANDBOX_WORKDIR), runtime_dir, device)
                notes.append(stacked)
            else:
                notes.append(NOTHING_STACKED)
        elif abi >= 1:
            roots = python_roots(python)
            confine = landlock_rules(workdir, runtime_dir, roots, device)
            level, hidden = "landlock", True
            isolated = landlock_isolates_network(abi)
            notes.append(_host_landlock_note(level, isolated, abi))
            if is_root:
                blocked = unreachable_for_others(roots)
                if blocked is not None:  # the sandbox uid could not even import from the venv
                    switched = False
                    notes.append(
                        f"the kernel keeps uid 0 without any capability: {blocked} is not reachable by other "
                        "users, so a sandbox uid could not load Python (install Python and the venv outside a "
                        "private home, or chmod o+x the folders on the way, to get a user switch)"
                    )
        elif is_root:
            notes.append("this grader may not create namespaces and this Linux has no Landlock: no network or "
                         "file-system isolation (use --kernel-launch spawn with bwrap, or a container that allows unshare)")
        else:
            notes.append("the grader is not root and this Linux has no Landlock: the kernel runs as the grader's "
                         "user, without isolation")
    else:
        notes.append("sandbox off: the kernel runs unconfined")
    # Landlock's signal and ptrace scoping (ABI 6) stands in for the user switch.
    scoped = level == "landlock" and landlock_scopes_signals(abi)
    _refuse_if_strict(mode, net=isolated, fs=hidden, switched=switched or scoped, notes=tuple(notes))
    info = SandboxInfo(
        level=level,
        network_isolated=isolated,
        user_switched=switched,
        filesystem_hidden=hidden,
        pid_namespace=isolation is not None,
        limits=limits.as_dict() if mode != "off" else {},
        notes=notes,
        landlock_abi=abi if confine is not None else 0,
        seccomp=confine is not None and seccomp_supported(),
    )
    env, run_as = _env_and_owner(info, workdir=workdir, python=python, device=device, uid=uid)
    if level == "landlock":  # no private /tmp here: temporary files stay in the work dir
        _private_tmp_in_workdir(env, workdir)
    return SandboxPlan((), env, info, workdir_inside, run_as, rlimits=rlimits, isolation=isolation, confine=confine)


def too_small_to_start(python: str, preload: tuple[str, ...], memory_mb: int) -> bool:
    """Whether `memory_mb` of address space (RLIMIT_AS) is too little for the kernel's own
    imports (ipykernel and the TP's preload): asked after a kernel died at start, so the
    error can name the limit and its fix rather than 'grader error'. Trusted code only:
    the same imports, once under the limit and once without it."""
    imports = "".join(f"import {m}\n" for m in ("ipykernel.kernelapp", *preload))
    limit = memory_mb * 1024 * 1024
    capped = f"import resource\nresource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))\n" + imports

    def runs(code: str) -> bool:
        return command_succeeds([python, "-s", "-c", code])

    return not runs(capped) and runs(imports)


def unreachable_for_others(roots: list[Path]) -> Path | None:
    """The first folder on the way to `roots` that a user other than its owner and group
    cannot enter (no o+x): there a sandbox uid could not load Python."""
    for root in roots:
        for folder in [*reversed(root.parents), root]:
            try:
                if not folder.stat().st_mode & 0o001:
                    return folder
            except OSError:
                return folder
    return None


def _refuse_if_strict(mode: str, *, net: bool, fs: bool, switched: bool, notes: tuple[str, ...] | list[str]) -> None:
    if mode == "strict" and not (net and fs and switched):
        missing = [
            name
            for name, ok in (("network isolation", net), ("hidden instructor files", fs), ("user switch", switched))
            if not ok
        ]
        raise SandboxUnavailable(
            Message(
                fr="--sandbox strict : impossible d'établir "
                + ", ".join(missing)
                + " sur cette machine ("
                + "; ".join(notes or ("lancez le correcteur en root avec bubblewrap installé",))
                + ")",
                en="--sandbox strict: cannot establish "
                + ", ".join(missing)
                + " on this machine ("
                + "; ".join(notes or ("run the grader as root with bubblewrap installed",))
                + ")",
            )
        )


def kernel_python() -> str:
    """The interpreter that runs student kernels: the grader's own, unless overridden."""
    return os.environ.get("AUTOGRADER_KERNEL_PYTHON", sys.executable)
