"""Start kernels by forking a process that has already imported torch & co.

Starting a kernel costs ~3 s of CPU here (interpreter, ipykernel, torch, sklearn), more
than grading the notebook itself. The fork server (`kernel_side/zygote.py`) pays it once
per pool; each kernel is then a fork that confines itself (namespaces, new root, rlimits,
sandbox uid) before any student code runs, in ~0.2 s. This module is the grader's side:
it starts the server, asks it for kernels and watches each one through a pidfd, which
works for a process that is not the grader's child and cannot be fooled by pid reuse.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from autograder.sandbox.stall import cpu_s
from autograder.sandbox.workspace import ZYGOTE_PREFIX, owned_tempdir

ZYGOTE = Path(__file__).resolve().parent.parent / "kernel_side" / "zygote.py"
#: Landlock + seccomp without privileges, handed to the zygote as source (it starts by -c).
CONFINE = ZYGOTE.with_name("confine.py")
READY_TIMEOUT_S = 180.0
#: The zygote's imports are judged by the CPU time it spends, not the clock: on a shared CI
#: machine at a load of 20 (2 cores), torch's import alone took over a minute of wall time, and a
#: fixed 180 s wall limit failed the first kernel of a grading ("no answer from the fork
#: server") while the server was still importing. READY_TIMEOUT_S of the zygote's own CPU time,
#: and READY_WALL_S of wall time whatever the load, before it is called stuck.
READY_WALL_S = 900.0
#: A spawn's reply (the forked kernel's pid) costs the zygote a fork: quick, unless the machine
#: is loaded; a reply that never comes ends the request.
SPAWN_TIMEOUT_S = 120.0
#: How often a wait looks at the zygote (alive? its CPU time?).
POLL_S = 2.0



class ForkServerError(Exception):
    """The fork server could not start or stopped answering."""


class ForkedKernel:
    """A kernel process started by the fork server (not our child): watched by pidfd."""

    def __init__(self, pid: int):
        self.pid = pid
        try:
            self._fd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:
            self._fd = None  # already ended and reaped

    def is_alive(self) -> bool:
        if self._fd is None:
            return False
        ready, _, _ = select.select([self._fd], [], [], 0)
        return not ready  # a pidfd turns readable when its process ends

    def kill(self) -> None:
        if self._fd is not None:
            try:
                signal.pidfd_send_signal(self._fd, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def close(self) -> None:
        """Kill it and wait (briefly) for the end, so its namespace is gone with it."""
        if self._fd is None:
            return
        self.kill()
        select.select([self._fd], [], [], 5.0)
        os.close(self._fd)
        self._fd = None


class Forker:
    """JSON lines to a fork server and back, one request at a time."""

    spawn_timeout = SPAWN_TIMEOUT_S

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def _streams(self) -> tuple[Any, Any]:  # (writable, readable) binary files
        raise NotImplementedError

    def _why(self, what: str) -> str:
        return what

    def _cpu_s(self) -> float | None:
        """The server's CPU time so far (None: not known from here, e.g. through a socket)."""
        return None

    def _read_reply(self, timeout: float, cpu_timeout: float | None = None) -> dict[str, Any]:
        """The next JSON line, waited for up to `timeout` s of wall time, or, with
        `cpu_timeout`, until the server has spent that much CPU time (its own work, whatever
        the load), whichever comes first."""
        _, out = self._streams()
        start = time.monotonic()
        cpu0 = self._cpu_s() if cpu_timeout is not None else None
        while True:
            left = timeout - (time.monotonic() - start)
            ready, _, _ = select.select([out], [], [], max(0.0, min(POLL_S, left)))
            if ready or left <= POLL_S:
                break
            cpu = self._cpu_s() if cpu0 is not None else None
            if cpu is not None and cpu0 is not None and cpu - cpu0 > cpu_timeout:
                break
        line = out.readline() if ready else b""
        if not line:
            waited = time.monotonic() - start
            cpu = self._cpu_s() if cpu0 is not None else None
            spent = f", {cpu - cpu0:.0f} s of its CPU" if cpu is not None and cpu0 is not None else ""
            raise ForkServerError(self._why(f"no answer from the fork server after {waited:.0f} s{spent}"))
        try:
            reply = json.loads(line)
        except ValueError as exc:
            raise ForkServerError(f"the fork server answered {line[:200]!r}") from exc
        if "error" in reply:
            raise ForkServerError(f"fork server: {reply['error']}")
        return reply

    def wait_ready(self) -> float:
        return 0.0

    def spawn(self, request: dict[str, Any]) -> ForkedKernel:
        """Fork one kernel that confines itself as `request` says; see zygote.child."""
        self.wait_ready()
        with self._lock:
            stdin, _ = self._streams()
            try:
                stdin.write(json.dumps({"op": "spawn", **request}).encode() + b"\n")
                stdin.flush()
            except OSError as exc:
                raise ForkServerError(self._why("the fork server is gone")) from exc
            reply = self._read_reply(self.spawn_timeout)
        return ForkedKernel(int(reply["pid"]))


class ForkServer(Forker):
    """One zygote process: `preload` imported once, a kernel forked per `spawn`.

    With `listen`, other grader processes (class workers) may share it through
    `ForkClient(server.address)`, so a class pays the imports once, not once per worker.
    """

    def __init__(self, python: str, preload: tuple[str, ...], env: dict[str, str], *, listen: bool = False):
        super().__init__()
        self.python = python
        self.preload = preload
        # The zygote's HOME/TMPDIR: whatever its imports write goes here, not into /tmp.
        # 0700: kernels cannot reach it; marked with the grader, swept if it is killed -9.
        self._home = owned_tempdir(ZYGOTE_PREFIX)
        self.address = str(self._home / "zygote.sock") if listen else None
        self._log = open(self._home / "zygote.log", "ab")  # noqa: SIM115 - closed in close()
        zenv = dict(env, HOME=str(self._home), TMPDIR=str(self._home), MPLCONFIGDIR=str(self._home / "mpl"),
                    IPYTHONDIR=str(self._home / "ipython"))
        self._proc = subprocess.Popen(
            # The source goes in by -c, not by path: every kernel's PID 1 shows this command
            # line, and the package's path (often inside the course folder) is not theirs to know.
            [python, "-s", "-c", ZYGOTE.read_text(encoding="utf-8"),
             json.dumps({"preload": list(preload), "listen": self.address,
                         "confine_source": CONFINE.read_text(encoding="utf-8")})],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=zenv,
            cwd=self._home,
        )
        self.import_s: float | None = None  # set once the server said it is ready

    def _streams(self) -> tuple[Any, Any]:
        return self._proc.stdin, self._proc.stdout

    def _cpu_s(self) -> float | None:
        return cpu_s([self._proc.pid]) if self._proc.poll() is None else None

    def _why(self, what: str) -> str:
        code = self._proc.poll()
        tail = ""
        try:
            tail = (self._home / "zygote.log").read_text(errors="replace")[-500:].strip()
        except OSError:
            pass
        return what + (f" (exit code {code})" if code is not None else "") + (f": {tail}" if tail else "")

    ready_wall_s = READY_WALL_S
    ready_cpu_s = READY_TIMEOUT_S

    def wait_ready(self) -> float:
        """Block until the imports are done; their duration in seconds."""
        with self._lock:
            if self.import_s is None:
                reply = self._read_reply(self.ready_wall_s, cpu_timeout=self.ready_cpu_s)
                self.import_s = float(reply.get("import_s", 0.0))
        return self.import_s

    def close(self) -> None:
        """Stop the server; kernels it still has are killed by it on the way out."""
        if self._proc.poll() is None:
            try:
                assert self._proc.stdin is not None
                self._proc.stdin.write(b'{"op": "exit"}\n')
                self._proc.stdin.close()
            except OSError:
                pass
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        for stream in (self._proc.stdin, self._proc.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
        self._log.close()
        shutil.rmtree(self._home, ignore_errors=True)

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ForkClient(Forker):
    """Another process's fork server, reached through its socket (class workers)."""

    spawn_timeout = READY_WALL_S  # the first request waits for the server's imports

    def __init__(self, address: str, connect_timeout: float = READY_WALL_S):
        super().__init__()
        self.address = address
        deadline = time.monotonic() + connect_timeout
        while True:  # the server binds its socket a moment after it starts
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(address)
                break
            except (FileNotFoundError, ConnectionRefusedError) as exc:
                sock.close()
                if time.monotonic() > deadline:
                    raise ForkServerError(f"cannot reach the fork server at {address}: {exc}") from exc
                time.sleep(0.05)
        self._sock = sock
        self._w = sock.makefile("wb")
        self._r = sock.makefile("rb")

    def _streams(self) -> tuple[Any, Any]:
        return self._w, self._r

    def wait_ready(self) -> float:
        return 0.0  # requests queue in the socket until the server's imports are done

    def close(self) -> None:
        """Disconnect; the server kills the kernels this client still has."""
        for f in (self._w, self._r, self._sock):
            try:
                f.close()
            except OSError:
                pass


def wait_gone(kernel: ForkedKernel, timeout: float) -> bool:
    """Poll until the kernel has ended (tests, shutdown paths)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not kernel.is_alive():
            return True
        time.sleep(0.02)
    return not kernel.is_alive()
