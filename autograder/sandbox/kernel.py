"""Run code in a real ipykernel started through the sandbox launcher.

The kernel talks to the grader over IPC sockets in a private runtime folder (no TCP, so
the kernel needs no network at all). Every wait has a deadline; a cell that runs past it
is interrupted over the control channel, and a kernel that ignores the interrupt is
killed. Outputs are capped as they arrive, so a million printed lines cost nothing.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty
from typing import IO, Any

import zmq
from jupyter_client import KernelManager

from autograder.sandbox.forkserver import ForkedKernel, Forker
from autograder.sandbox.landlock import exchange_root
from autograder.sandbox.plan import SandboxPlan
from autograder.sandbox.stall import Deadline, Sample, given_back, process_tree_stall

#: How old the first look at the kernel's tree of a deadline may be (autograder.sandbox.stall).
RECENT_SAMPLE_S = 0.25
#: Seconds to wait for an interrupted cell to stop before the kernel is killed.
INTERRUPT_GRACE_S = 5.0
#: Largest message taken from the kernel. Outputs are cut to a few hundred KiB anyway, but a
#: bigger frame (`print('x' * 300_000_000)`) would first be received and decoded whole in
#: the grader's memory; zmq drops the connection instead, and reconnects for what follows.
MAX_MESSAGE_BYTES = 32 * 1024 * 1024
#: Once the execute reply is in, how long to wait for the kernel's "idle" status (it is lost
#: when it was sent while a refused message had the connection down).
IDLE_AFTER_REPLY_S = 5.0
#: What all cells of one kernel keep together, at least: the per-cell cap alone lets a
#: notebook of many printing cells grow executed.ipynb (and the grader's memory) unbounded.
TOTAL_OUTPUT_FLOOR = 8 * 1024 * 1024
TRUNCATED = "\n[… sortie tronquée / output truncated …]\n"
#: Display data kept from a cell (within its output budget), in this order.
CAPTURED_MIMES = (
    "text/plain", "image/png", "image/jpeg", "text/html", "text/markdown",
    "image/svg+xml", "application/javascript", "text/latex",
)


#: ipykernel's options, the same whether it is spawned or forked.
KERNEL_ARGS = ("--HistoryManager.enabled=False", "--IPKernelApp.parent_handle=0")


class _LaunchThroughSandbox(KernelManager):
    """A KernelManager whose kernel command is prefixed by the sandbox launcher, or whose
    kernel was forked by the fork server (then `forked` answers whether it is alive)."""

    launch_prefix: tuple[str, ...] = ()
    kernel_python: str = ""
    forked: ForkedKernel | None = None

    async def _async_is_alive(self) -> bool:
        if self.forked is not None:
            return self.forked.is_alive()
        return await super()._async_is_alive()

    def is_alive(self) -> bool:  # type: ignore[override]
        if self.forked is not None:
            return self.forked.is_alive()
        return bool(super().is_alive())

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        return [
            *self.launch_prefix,
            self.kernel_python,
            "-s",  # ignore the user site-packages of whoever the kernel runs as
            "-m",
            "ipykernel_launcher",
            "-f",
            self.connection_file,
            *KERNEL_ARGS,
        ]


class Spawn:
    """Launcher: the kernel is a new process, started through the plan's launcher argv
    (bwrap | unshare | rlimits), its stdout/stderr in the runtime folder's log."""

    preloaded = False  # a spawned kernel imports the TP's preload itself

    def start(self, km: _LaunchThroughSandbox, plan: SandboxPlan, *, log_path: Path, workdir: Path) -> IO[bytes] | None:
        log = open(log_path, "ab")  # noqa: SIM115 - closed in Kernel.shutdown
        km.start_kernel(env=dict(plan.env), cwd=str(workdir), stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        return log

    def kill(self, km: _LaunchThroughSandbox) -> None:
        try:
            km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001 - already dead is fine
            pass

    def close(self, km: _LaunchThroughSandbox) -> None:
        pass

    def root_pid(self, km: _LaunchThroughSandbox) -> int | None:
        return getattr(km.provisioner, "pid", None)


class Fork:
    """Launcher: a fork server (which imported the TP's preload once) forks the kernel, which
    confines itself (`isolation`, `confine`); watched through its pidfd."""

    preloaded = True

    def __init__(self, forker: Forker):
        self.forker = forker

    def start(self, km: _LaunchThroughSandbox, plan: SandboxPlan, *, log_path: Path, workdir: Path) -> IO[bytes] | None:
        km.forked = self.forker.spawn(
            {
                "connection_file": km.connection_file,
                "kernel_args": list(KERNEL_ARGS),
                "log": str(log_path),
                "cwd": plan.workdir_inside,
                "env": dict(plan.env),
                "uid": plan.run_as[0] if plan.run_as else None,
                "gid": plan.run_as[1] if plan.run_as else None,
                "rlimits": plan.rlimits,
                "isolation": plan.isolation,
                "confine": plan.confine,
            }
        )
        return None

    def kill(self, km: _LaunchThroughSandbox) -> None:
        if km.forked is not None:
            km.forked.kill()

    def close(self, km: _LaunchThroughSandbox) -> None:
        if km.forked is not None:
            km.forked.close()

    def root_pid(self, km: _LaunchThroughSandbox) -> int | None:
        return km.forked.pid if km.forked is not None else None


#: How a kernel is started: `Spawn()` or `Fork(forker)`.
Launcher = Spawn | Fork


@dataclass
class ExecResult:
    """What one execute request produced."""

    status: str  # "ok" | "error" | "timeout" | "kernel-died"
    outputs: list[dict[str, Any]] = field(default_factory=list)
    ename: str = ""
    evalue: str = ""
    traceback: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    interrupted: bool = False


class KernelDead(Exception):
    pass


def kernel_socket_dir(runtime_dir: Path) -> Path:
    """The one folder of the runtime folder the kernel owns: where it binds its IPC sockets.
    Everything else there (connection file's folder, log, exchange folders, the call loop's
    socket) is the grader's, so no path the grader later walks or binds in can be swapped."""
    return runtime_dir / "kernel"


class Kernel:
    """One sandboxed kernel, used for one submission only. Use as a context manager."""

    def __init__(
        self,
        plan: SandboxPlan,
        *,
        python: str,
        runtime_dir: Path,
        workdir: Path,
        output_limit: int = 256 * 1024,
        launcher: Launcher | None = None,
    ):
        self.plan = plan
        self.launcher: Launcher = launcher or Spawn()
        self.python = python
        self.runtime_dir = runtime_dir
        self.workdir = workdir
        self.output_limit = output_limit
        self.output_left = max(32 * output_limit, TOTAL_OUTPUT_FLOOR)  # across all cells
        self.km: _LaunchThroughSandbox | None = None
        self.kc = None
        self.dead = False
        self._last_sample: Sample | None = None
        self.startup_s = 0.0
        self._log = None
        self._occupied_by: Callable[[], None] | None = None

    def __enter__(self) -> Kernel:
        try:
            self.start()
        except BaseException:
            self.shutdown()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    def start(self, timeout: float = 60.0) -> None:
        t0 = time.monotonic()
        sockets = kernel_socket_dir(self.runtime_dir)
        sockets.mkdir(mode=0o700, exist_ok=True)
        if self.plan.run_as:
            os.chown(sockets, *self.plan.run_as)
        # The grader's; made now, as a Landlock-confined kernel's rules name it before it runs.
        exchange_root(self.runtime_dir).mkdir(mode=0o755, exist_ok=True)
        km = _LaunchThroughSandbox(
            transport="ipc",
            ip=str(sockets / "k"),
            connection_file=str(self.runtime_dir / "kernel.json"),
        )
        km.launch_prefix = self.plan.prefix
        km.kernel_python = self.python
        km.write_connection_file()
        if self.plan.run_as:
            # Only the file: the runtime folder stays the grader's (see kernel_socket_dir).
            os.chown(km.connection_file, *self.plan.run_as)
        self.km = km
        # The kernel's own stdout/stderr go to a log in the runtime folder (size-capped by
        # RLIMIT_FSIZE), not to the grader's console.
        self._log = self.launcher.start(km, self.plan, log_path=self.runtime_dir / "kernel.log", workdir=self.workdir)
        kc = km.client()
        # Default for every channel socket of this client (its own zmq context).
        kc.context.setsockopt(zmq.MAXMSGSIZE, max(MAX_MESSAGE_BYTES, 4 * self.output_limit))
        kc.start_channels()
        self.kc = kc
        try:
            wait_for_ready(kc, timeout, km.is_alive)
        except RuntimeError as exc:
            self.dead = True
            raise KernelDead(str(exc)) from exc
        self.startup_s = time.monotonic() - t0

    def alive(self) -> bool:
        return bool(self.km) and not self.dead and self.km.is_alive()

    def interrupt(self) -> None:
        """Ask ipykernel to raise KeyboardInterrupt (control channel, works through bwrap)."""
        if self.kc is None:
            return
        msg = self.kc.session.msg("interrupt_request", content={})
        self.kc.control_channel.send(msg)

    def kill(self) -> None:
        self.dead = True
        self._occupied_by = None
        if self.km is not None:
            self.launcher.kill(self.km)

    def shutdown(self) -> None:
        """Stop channels and kill the kernel; the PID namespace takes its children along."""
        self._occupied_by = None  # the kernel goes: nothing to end politely
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:  # noqa: BLE001
                pass
            self.kc = None
        if self.km is not None:
            self.launcher.close(self.km)
            try:
                if self.km.has_kernel:
                    self.km.shutdown_kernel(now=True)
            except Exception:  # noqa: BLE001
                pass
            try:
                self.km.cleanup_resources()
            except Exception:  # noqa: BLE001
                pass
            self.km = None
        if self._log is not None:
            self._log.close()
            self._log = None
        self.dead = True

    # -- a long request that others must wait for (the proxy's call loop) ----------------
    def occupy(self, code: str, release: Callable[[], None]) -> str:
        """Send `code` as a silent execute request without waiting for it, and return its
        id. `release` ends it: it runs before the next request this object sends."""
        self.release()
        self._occupied_by = release
        return self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)

    def release(self) -> None:
        """End the request started by `occupy`, if one is running."""
        end, self._occupied_by = self._occupied_by, None
        if end is not None:
            end()

    def root_pid(self) -> int | None:
        """The kernel's outermost process as the grader sees it (launcher or fork), if any."""
        if self.km is None:
            return None
        return self.launcher.root_pid(self.km)

    def stall(self) -> Sample:
        """A look at this kernel's process tree: CPU waited for, CPU used (autograder.sandbox.stall)."""
        return process_tree_stall(self.root_pid)()

    def waiting_meter(self) -> Callable[[], float]:
        """From now: seconds this kernel waited for CPUs that other work held (once it is
        gone, what was last seen)."""
        start, last = self.stall(), [0.0]

        def meter() -> float:
            if self.alive():
                last[0] = given_back(start, self.stall())
            return last[0]

        return meter

    def deadline(self, seconds: float) -> Deadline:
        """`seconds` of this kernel's time: what its processes spent waiting for a CPU that
        other work held is given back (autograder.sandbox.stall), so machine load costs no points.
        Its first look may be up to RECENT_SAMPLE_S old (a check makes dozens of calls a
        second; a look costs about a millisecond): at most that much more is given back."""
        last = self._last_sample
        if last is None or time.monotonic() - last.wall_s > RECENT_SAMPLE_S:
            last = self._last_sample = self.stall()
        return Deadline(seconds, self.stall, start=last)

    def wait_for(self, fd: int | None, msg_id: str, deadline: Deadline) -> str:
        """Wait until `fd` can be read or the request `msg_id` has its reply, dropping the
        outputs meanwhile. Returns "fd", "reply", "died" or "deadline"."""
        kc = self.kc
        if kc is None or not self.alive():
            return "died"
        iopub, shell = kc.iopub_channel.socket, kc.shell_channel.socket
        poller = zmq.Poller()
        poller.register(iopub, zmq.POLLIN)
        poller.register(shell, zmq.POLLIN)
        if fd is not None:
            poller.register(fd, zmq.POLLIN)
        while True:
            left = deadline.left()
            if left <= 0:
                return "deadline"
            ready = dict(poller.poll(min(left, 0.1) * 1000))
            if fd is not None and fd in ready:
                return "fd"
            if not ready:
                if not self.alive():
                    self.dead = True
                    return "died"
                continue
            if iopub in ready:
                _drain(kc.get_iopub_msg)
            if shell in ready and any(
                m.get("parent_header", {}).get("msg_id") == msg_id for m in _drain(kc.get_shell_msg)
            ):
                return "reply"

    def execute(
        self, code: str, timeout: float, *, silent: bool = False, keep_outputs: bool = True
    ) -> ExecResult:
        """Run `code` with a deadline and return its capped outputs and status."""
        self.release()
        if not self.alive():
            return ExecResult(status="kernel-died")
        kc = self.kc
        t0 = time.monotonic()
        deadline = self.deadline(timeout)
        msg_id = kc.execute(code, silent=silent, store_history=not silent, allow_stdin=False)
        result = ExecResult(status="ok")
        budget = _OutputBudget(min(self.output_limit, self.output_left))
        idle = False
        reply = None
        reply_at = 0.0
        interrupt_sent_at: float | None = None
        while not (idle and reply is not None):
            now = time.monotonic()
            if reply is not None and now - reply_at > IDLE_AFTER_REPLY_S:
                # The cell is done but "idle" never came: a refused message took it along.
                if keep_outputs:
                    budget.mark_lost(result.outputs)
                break
            if interrupt_sent_at is None and reply is None and deadline.left() <= 0:
                result.interrupted = True
                interrupt_sent_at = now
                self.interrupt()
            if interrupt_sent_at is not None and now > interrupt_sent_at + INTERRUPT_GRACE_S:
                self.kill()
                result.status = "timeout"
                result.duration_s = time.monotonic() - t0
                return result
            got = False
            if not idle:
                try:
                    msg = kc.get_iopub_msg(timeout=0.05)
                    got = True
                except Empty:
                    msg = None
                if msg is not None and msg.get("parent_header", {}).get("msg_id") == msg_id:
                    idle = self._handle_iopub(msg, result, budget, keep_outputs) or idle
            if reply is None:
                try:
                    smsg = kc.get_shell_msg(timeout=0 if got else 0.02)
                    if smsg.get("parent_header", {}).get("msg_id") == msg_id:
                        reply, reply_at = smsg, time.monotonic()
                except Empty:
                    pass
            if not got and reply is None and not self.alive():
                self.dead = True
                result.status = "kernel-died"
                result.duration_s = time.monotonic() - t0
                return result
        if keep_outputs:
            self.output_left = max(0, self.output_left - budget.used)
        content = reply.get("content", {})
        if result.interrupted:
            result.status = "timeout"
        elif content.get("status") == "error":
            result.status = "error"
            result.ename = result.ename or str(content.get("ename", ""))
            result.evalue = result.evalue or str(content.get("evalue", ""))
        result.duration_s = time.monotonic() - t0
        return result

    @staticmethod
    def _handle_iopub(
        msg: dict[str, Any], result: ExecResult, budget: _OutputBudget, keep: bool
    ) -> bool:
        mtype = msg.get("msg_type")
        content = msg.get("content", {})
        if mtype == "status":
            return content.get("execution_state") == "idle"
        if mtype == "stream" and keep:
            budget.add_stream(result.outputs, str(content.get("name", "stdout")), str(content.get("text", "")))
        elif mtype in ("display_data", "execute_result") and keep:
            budget.add_data(result.outputs, mtype, content)
        elif mtype == "error":
            result.ename = str(content.get("ename", ""))[:200]
            result.evalue = str(content.get("evalue", ""))[:2000]
            tb = [str(line)[:2000] for line in content.get("traceback", [])][:50]
            result.traceback = tb
            if keep:
                budget.add_error(result.outputs, result.ename, result.evalue, tb)
        elif mtype == "clear_output" and keep:
            result.outputs.clear()
        return False


def wait_for_ready(kc: Any, timeout: float, alive: Callable[[], bool]) -> None:
    """Until the kernel answers kernel_info and its IOPub subscription is live.

    jupyter_client's `wait_for_ready` does this, then listens for 0.2 s more until IOPub
    is quiet: half of every kernel start here. `Kernel.execute` and `wait_for` keep only
    the messages of their own request, so what arrives later is dropped there instead.
    """
    deadline = time.monotonic() + timeout
    while True:
        kc.kernel_info()
        try:
            reply = kc.get_shell_msg(timeout=1)
        except Empty:
            pass
        else:
            if reply.get("msg_type") == "kernel_info_reply":
                try:
                    kc.get_iopub_msg(timeout=0.2)  # a message on IOPub: the subscription is live
                except Empty:
                    pass  # subscribed too late for this one: ask again
                else:
                    kc._handle_kernel_info_reply(reply)  # the protocol version, as jupyter_client does
                    return
        if not alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")


def _drain(get: Callable[..., dict[str, Any]], most: int = 1000) -> list[dict[str, Any]]:
    """The messages already waiting on a channel (at most `most`: a flood cannot pin us)."""
    got = []
    for _ in range(most):
        try:
            got.append(get(timeout=0))
        except Empty:
            break
    return got


class _OutputBudget:
    """Keeps at most `limit` bytes of outputs for one cell."""

    def __init__(self, limit: int):
        self.limit = limit
        self.left = limit
        self.truncated = False

    @property
    def used(self) -> int:
        return self.limit - self.left

    def mark_lost(self, outputs: list[dict[str, Any]]) -> None:
        """Some output never arrived (refused as too large): say so, once."""
        if not self.truncated:
            self.truncated, self.left = True, 0
            outputs.append({"output_type": "stream", "name": "stdout", "text": TRUNCATED})

    def _take(self, text: str) -> str:
        if self.left <= 0:
            if not self.truncated:
                self.truncated = True
                return TRUNCATED
            return ""
        if len(text) > self.left:
            out = text[: self.left] + TRUNCATED
            self.left = 0
            self.truncated = True
            return out
        self.left -= len(text)
        return text

    def add_stream(self, outputs: list[dict[str, Any]], name: str, text: str) -> None:
        text = self._take(text)
        if not text:
            return
        if outputs and outputs[-1].get("output_type") == "stream" and outputs[-1].get("name") == name:
            outputs[-1]["text"] += text
        else:
            outputs.append({"output_type": "stream", "name": name, "text": text})

    def add_data(self, outputs: list[dict[str, Any]], mtype: str, content: dict[str, Any]) -> None:
        data = content.get("data", {}) or {}
        kept: dict[str, Any] = {}
        # Script-capable kinds are kept here only so that autograder.grading.sanitize can say
        # what it removed; it leaves text and real raster images.
        for mime in CAPTURED_MIMES:
            value = data.get(mime)
            if isinstance(value, list):
                value = "".join(map(str, value))
            if isinstance(value, str) and len(value) <= self.left:
                kept[mime] = value
                self.left -= len(value)
        if not kept:
            self._take("\x00" * (self.left + 1))  # mark as truncated once
            kept = {"text/plain": TRUNCATED.strip()} if self.truncated else {}
            if not kept:
                return
        out: dict[str, Any] = {"output_type": mtype, "data": kept, "metadata": {}}
        if mtype == "execute_result":
            out["execution_count"] = content.get("execution_count")
        outputs.append(out)

    def add_error(self, outputs: list[dict[str, Any]], ename: str, evalue: str, tb: list[str]) -> None:
        outputs.append({"output_type": "error", "ename": ename, "evalue": evalue, "traceback": tb})
