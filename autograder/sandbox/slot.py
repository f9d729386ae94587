"""A sandboxed kernel ready for one submission, and a pool that starts the next one early.

A slot is never reused: each kernel serves exactly one submission, then dies with its
work dir. With the "fork" launcher, kernels are forked from a fork server that imported
the TP's preload modules (numpy, torch...) once; with "spawn", each kernel imports them
itself. The pool keeps one fork server for all its kernels and starts the next slot in
the background while the current submission is graded.
"""

from __future__ import annotations

import functools
import itertools
import os
import shutil
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from autograder.course import DataFile
from autograder.errors import AutograderError
from autograder.results import Message
from autograder.sandbox import cgroup
from autograder.sandbox.capabilities import Capabilities, probe
from autograder.sandbox.forkserver import ForkedKernel, Forker, ForkServer
from autograder.sandbox.kernel import Fork, Kernel, KernelDead, Spawn
from autograder.sandbox.plan import (
    SANDBOX_UID_BASE,
    SANDBOX_UID_SPAN,
    Limits,
    SandboxPlan,
    kernel_python,
    plan,
    scrubbed_env,
    too_small_to_start,
)
from autograder.sandbox.workspace import (
    Workspace,
    make_workspace,
    release_workspace,
    sweep_stale,
)

PRELOAD_TIMEOUT_S = 120.0
_launched = itertools.count()


def next_uid() -> int:
    """A uid no other live kernel of this machine uses (per process, 16 in rotation)."""
    return SANDBOX_UID_BASE + ((os.getpid() % (SANDBOX_UID_SPAN // 16)) * 16 + next(_launched) % 16)


@dataclass(frozen=True)
class SlotSpec:
    """Everything a kernel for one TP needs; submissions with equal specs share a pool."""

    sandbox: str
    device: str
    limits: Limits
    output_limit: int
    data_files: tuple[DataFile, ...] = ()  # copied into the work dir at their dest
    preload: tuple[str, ...] = ()  # module names imported (trusted) before the student's code
    keep_workdir: bool = False
    launcher: str = "spawn"  # "fork": from a fork server; "spawn": a fresh interpreter
    # What this machine offers the sandbox (probed once per process by default); `plan`
    # builds the kernel's launcher from it alone.
    caps: Capabilities = field(default_factory=probe)


@dataclass
class Slot:
    base: Path
    workdir: Path
    runtime: Path
    plan: SandboxPlan
    kernel: Kernel
    startup_s: float = 0.0
    error: Message | None = None  # the kernel could not start
    own_forkserver: ForkServer | None = None  # started for this slot alone (no pool)
    memory: cgroup.MemoryCgroup | None = None  # the kernel's whole tree, when one could be made

    def memory_exceeded(self) -> Message | None:
        """When the kernel's tree went past its memory budget (the OOM killer ended one of
        its processes): stop the whole kernel and say why, for the student."""
        if self.memory is None or self.memory.oom_kills() == 0:
            return None
        self.kernel.kill()
        self.memory.kill()
        mb = self.memory.limit_bytes // (1024 * 1024)
        return Message(
            fr=f"le notebook a dépassé sa mémoire de {mb} Mo (tous ses processus et ses fichiers en mémoire, /dev/shm compris) : le noyau a été arrêté ; libérez les grands tableaux (del), réduisez les tailles de lots, n'écrivez pas de gros fichiers dans /dev/shm",
            en=f"the notebook went past its {mb} MB of memory (all its processes and in-memory files, /dev/shm included): the kernel was stopped; free large arrays (del), use smaller batches, do not write large files to /dev/shm",
        )

    def close(self, keep: bool = False) -> None:
        self.kernel.shutdown()
        if self.memory is not None:
            self.memory.remove()
        if self.own_forkserver is not None:
            self.own_forkserver.close()
        if not keep:
            release_workspace(self.base)


@functools.cache
def _sweep_once() -> None:
    """Once per grader process: release what graders killed with -9 left in $TMPDIR."""
    sweep_stale()


def with_workspace_info(sb: SandboxPlan, space: Workspace) -> SandboxPlan:
    """Record in the report whether the work dir is size-capped, and by how much."""
    info = sb.info
    if space.capped_mb is not None:
        limits = {**info.limits, "work_mb": space.capped_mb}
        notes = [*info.notes, f"work dir: its own tmpfs of {space.capped_mb} MB"]
    else:
        limits = dict(info.limits)
        notes = [*info.notes, "work dir on the host disk, each file capped by RLIMIT_FSIZE but not their total (a size-capped tmpfs needs a grader allowed to mount: root with CAP_SYS_ADMIN)"]
    return replace(sb, info=replace(info, limits=limits, notes=notes))


@functools.cache
def _cgroup_parent() -> cgroup.Where:
    """Once per grader process: where kernel cgroups go, after removing dead graders' ones."""
    where = cgroup.locate()
    if where.parent is not None:
        cgroup.sweep_stale(where.parent)
    return where


def with_memory_bound(sb: SandboxPlan, memory_mb: int) -> tuple[SandboxPlan, cgroup.MemoryCgroup | None]:
    """Put the kernel's whole tree in a memory cgroup when the grader may make one, and
    record in the report which bound holds: whole tree, or per process only."""
    info = sb.info
    where = _cgroup_parent()
    cg, why = None, where.reason
    if where.parent is not None:
        try:
            cg = cgroup.create(where.parent, memory_mb)
        except OSError as exc:
            why = f"cannot create a cgroup in {where.parent.path}: {exc}"
    if cg is not None:
        limits = {**info.limits, "tree_memory_mb": memory_mb}
        note = (
            f"memory: the kernel's whole process tree (its /dev/shm and tmpfs files included) is "
            f"bounded to {memory_mb} MB by its own cgroup v{cg.version}, without swap"
        )
        sb = replace(sb, prefix=(*cg.join_argv(), *sb.prefix))  # spawned kernels join first
    else:
        limits = dict(info.limits)
        note = (
            f"memory: {memory_mb} MB is an address-space limit per process (RLIMIT_AS), not for "
            f"the kernel as a whole: several processes and /dev/shm can use more together "
            f"(no cgroup: {why})"
        )
    return replace(sb, info=replace(info, limits=limits, notes=[*info.notes, note])), cg


class _JoinCgroup(Forker):
    """A fork server's client whose kernels join `cg` first thing (see zygote.child)."""

    def __init__(self, inner: Forker, cg: cgroup.MemoryCgroup):
        super().__init__()
        self.inner, self.cg = inner, cg

    def spawn(self, request: dict) -> ForkedKernel:
        return self.inner.spawn({**request, "cgroup": str(self.cg.procs)})


def _chown_tree(path: Path, uid: int, gid: int) -> None:
    os.chown(path, uid, gid)
    for root, dirs, files_ in os.walk(path):
        for name in dirs + files_:
            os.chown(os.path.join(root, name), uid, gid, follow_symlinks=False)


def new_forkserver(spec: SlotSpec, *, listen: bool = False) -> ForkServer:
    """A fork server for kernels of `spec`: its imports start now, in the background.
    With `listen`, other processes may share it (`ForkClient(server.address)`)."""
    python = kernel_python()
    return ForkServer(python, spec.preload, scrubbed_env(home="/tmp", python=python, device=spec.device), listen=listen)


def launch(spec: SlotSpec, forkserver: Forker | None = None) -> Slot:
    """Make the work dirs, plan the sandbox, start the kernel and run the preload.

    With the fork launcher and no `forkserver` given, the slot starts one of its own.
    """
    t0 = time.monotonic()
    _sweep_once()
    own = None
    if spec.launcher == "fork" and forkserver is None:
        forkserver = own = new_forkserver(spec)
    space = make_workspace(spec.limits.work_mb)
    base = space.base
    workdir, runtime, new_root = base / "work", base / "run", base / "root"
    workdir.mkdir()
    runtime.mkdir(mode=0o755)
    new_root.mkdir(mode=0o755)
    for src, dest in spec.data_files:
        dst = workdir / dest  # the same relative path as in release/<tp>/, folders included
        dst.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dst)
    python = kernel_python()
    try:
        sb = plan(
            spec.sandbox, workdir=workdir, runtime_dir=runtime, python=python, limits=spec.limits, device=spec.device,
            uid=next_uid(), launcher=spec.launcher, new_root=new_root, caps=spec.caps,
        )
    except BaseException:
        if own is not None:
            own.close()
        release_workspace(base)
        raise
    sb = with_workspace_info(sb, space)
    sb, memory = with_memory_bound(sb, spec.limits.memory_mb)
    if sb.run_as:
        # The runtime folder stays the grader's (Kernel.start gives the kernel its socket
        # folder there), so the kernel cannot swap the exchange folder made later for a link.
        _chown_tree(workdir, *sb.run_as)
    kernel = Kernel(
        sb, python=python, runtime_dir=runtime, workdir=workdir, output_limit=spec.output_limit,
        launcher=Spawn() if forkserver is None else Fork(_JoinCgroup(forkserver, memory) if memory is not None else forkserver),
    )
    slot = Slot(base, workdir, runtime, sb, kernel, own_forkserver=own, memory=memory)
    try:
        kernel.start()
        if spec.preload and not kernel.launcher.preloaded:  # forked kernels have them from the server
            tops = sorted({m.split(".")[0] for m in spec.preload})  # sklearn.a, sklearn.b -> sklearn once
            code = "\n".join(f"import {m}" for m in spec.preload) + "\ndel " + ", ".join(tops)
            res = kernel.execute(code, PRELOAD_TIMEOUT_S, silent=True, keep_outputs=False)
            if res.status != "ok":
                hint = ""
                if res.ename == "MemoryError" or "failed to map" in res.evalue:
                    hint = f" — memory_mb = {spec.limits.memory_mb} is too small for {', '.join(spec.preload)}: raise [budget] memory_mb in tp.toml"
                raise KernelDead(f"preload failed: {res.ename}: {res.evalue}{hint}")
    except Exception as exc:  # noqa: BLE001 - any start failure is the grader's, reported as such
        mb = spec.limits.memory_mb
        if spec.device != "cuda" and "too small" not in str(exc) and too_small_to_start(python, spec.preload, mb):
            exc = KernelDead(f"{exc} — memory_mb = {mb} is too small to start the kernel "
                             f"({', '.join(('ipykernel', *spec.preload))}): raise [budget] memory_mb in tp.toml")
        slot.error = Message(
            fr=f"le noyau Python n'a pas pu démarrer ({exc}) : erreur du correcteur, prévenez l'enseignant",
            en=f"the Python kernel could not start ({exc}): grader error, tell the instructor",
        )
        kernel.shutdown()
    slot.startup_s = round(time.monotonic() - t0, 3)
    return slot


class PoolMismatch(AutograderError):
    """A grading was handed a kernel pool made for other options: a grader bug, not the student's."""

    def __init__(self, pool: SlotSpec, wanted: SlotSpec):
        differ = ", ".join(f.name for f in fields(SlotSpec) if getattr(pool, f.name) != getattr(wanted, f.name))
        super().__init__(
            Message(
                fr=f"erreur du correcteur : le pool de noyaux a été préparé pour d'autres options ({differ}) ; "
                "préparez-le avec les options de la notation (pool_for_tp(tp, options))",
                en=f"grader error: the kernel pool was made for other options ({differ}); "
                "make it with the grading's options (pool_for_tp(tp, options))",
            )
        )
        self.differ = differ


class KernelPool:
    """Keeps one slot starting in the background. Use as a context manager."""

    def __init__(self, spec: SlotSpec, forkserver: Forker | None = None):
        """`forkserver`: one shared with other pools (not closed here); by default the pool
        starts its own when `spec.launcher` is "fork"."""
        self.spec = spec
        self._own_forkserver = forkserver is None
        if forkserver is None and spec.launcher == "fork":
            forkserver = new_forkserver(spec)
        self.forkserver = forkserver
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ag-kernel")
        self._next: Future[Slot] | None = self._executor.submit(launch, spec, self.forkserver)

    def acquire(self, spec: SlotSpec | None = None) -> Slot:
        """The next warm slot. `spec`, when given, is the kernel the caller needs: a pool
        started for another one (other limits, data, device, launcher) is the caller's
        mistake, said as such, never quietly replaced by a kernel started on the side."""
        if spec is not None and spec != self.spec:
            raise PoolMismatch(self.spec, spec)
        assert self._next is not None, "pool closed"
        slot = self._next.result()
        self._next = self._executor.submit(launch, self.spec, self.forkserver)
        return slot

    def close(self) -> None:
        if self._next is not None:
            try:
                self._next.result().close(keep=False)
            except Exception:  # noqa: BLE001 - a failed warm slot has nothing to clean
                pass
            self._next = None
        self._executor.shutdown(wait=True)
        if self.forkserver is not None and self._own_forkserver:
            self.forkserver.close()
        self.forkserver = None

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
