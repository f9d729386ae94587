"""The proxy's call loop: many calls into the kernel inside one execute request.

An execute round trip through ipykernel costs about 3 ms, and a check run makes dozens
of calls. So the first call sends one request, `<agent>.serve(<socket>)`, and the agent
then runs one call per line the grader writes on a unix socket, answering
`done <request folder>` once the answer files are written. The student's code still runs
on the kernel's main thread (interrupts reach it, torch's thread-local grad mode is the
notebook's), the answers still cross as files that `proxy` validates, and a line from the
kernel only wakes the grader up: it decides nothing.

The socket lies in the exchange folder (the grader's, which the kernel cannot change) and
belongs to the kernel's user alone. A call that overruns its time closes the connection
and interrupts the kernel; a kernel that ignores both is killed, as with a cell.
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

from autograder.sandbox.kernel import INTERRUPT_GRACE_S, Kernel
from autograder.sandbox.stall import Deadline

#: The socket's name in the exchange folder (a unix socket path is limited to 107 bytes).
SOCKET_NAME = "loop"
#: How long a loop whose connection the grader closed may take to return.
END_GRACE_S = 2.0
#: Longest line a well-behaved agent writes; more, unterminated, means the line is garbage.
MAX_LINE = 512
#: Sending a request line never waits longer than this (a kernel that stopped reading).
SEND_TIMEOUT_S = 1.0


class CallLoop:
    """The grader's end of one kernel's call loop. `call` starts the loop when needed."""

    def __init__(self, kernel: Kernel, exchange_dir: Path, agent: str):
        self.kernel = kernel
        self.path = exchange_dir / SOCKET_NAME
        self.agent = agent
        self._listener: socket.socket | None = None
        self._conn: socket.socket | None = None
        self._msg_id: str | None = None
        self._buf = b""

    def call(self, request: str, timeout: float) -> str:
        """Have the kernel run the request in folder `request` of the exchange folder.

        Returns "ok" (answered), "ended" (the loop stopped without answering: read what
        the folder holds), "timeout" (interrupted or killed) or "kernel-died".
        Raises OSError when the grader cannot open the socket at all.
        """
        deadline = self.kernel.deadline(timeout)
        if self._conn is None:
            status = self._start(deadline)
            if status != "ok":
                return status
        assert self._conn is not None and self._msg_id is not None
        try:
            self._conn.sendall(request.encode("utf-8") + b"\n")
        except OSError:
            return self._end(END_GRACE_S)
        expected = b"done " + request.encode("utf-8")
        while True:
            got = self.kernel.wait_for(self._conn.fileno(), self._msg_id, deadline)
            if got == "fd":
                try:
                    chunk = self._conn.recv(4096)
                except (BlockingIOError, TimeoutError):
                    continue
                except OSError:
                    chunk = b""
                if not chunk:  # the agent closed its end: the loop is over
                    return self._end(END_GRACE_S)
                *lines, self._buf = (self._buf + chunk).split(b"\n")
                if expected in lines:
                    return "ok"
                if len(self._buf) > MAX_LINE:
                    return self._end(END_GRACE_S)
            elif got == "reply":
                self._forget()
                return "ended"
            elif got == "died":
                self._forget()
                return "kernel-died"
            else:
                return self._end(0.0)

    def close(self) -> None:
        """End the loop (the kernel is free again) and remove the socket."""
        if self._msg_id is not None and self.kernel.alive():
            self.kernel.release()
        self._forget()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
            try:
                self.path.unlink()
            except OSError:
                pass

    # -- steps ------------------------------------------------------------------------------
    def _listen(self) -> socket.socket:
        if self._listener is None:
            if len(os.fsencode(self.path)) > 107:  # the agent connects by this path
                raise OSError(errno.ENAMETOOLONG, "unix socket path too long for the agent", str(self.path))
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            dfd = _grader_dir_fd(self.path.parent)
            try:
                # Bound through the folder's descriptor: no component of a path, however
                # someone renames folders meanwhile, can lead the bind elsewhere.
                s.bind(f"/proc/self/fd/{dfd}/{self.path.name}")
                if self.kernel.plan.run_as:
                    os.chown(self.path.name, *self.kernel.plan.run_as, dir_fd=dfd, follow_symlinks=False)
                os.chmod(f"/proc/self/fd/{dfd}/{self.path.name}", 0o600)
                s.listen(1)
                s.setblocking(False)
            except BaseException:
                s.close()
                raise
            finally:
                os.close(dfd)
            self._listener = s
        return self._listener

    def _start(self, deadline: Deadline) -> str:
        listener = self._listen()
        self._msg_id = self.kernel.occupy(f"{self.agent}.serve({str(self.path)!r})", self._release)
        while True:
            got = self.kernel.wait_for(listener.fileno(), self._msg_id, deadline)
            if got == "fd":
                try:
                    conn, _ = listener.accept()
                except BlockingIOError:
                    continue
                conn.settimeout(SEND_TIMEOUT_S)
                self._conn, self._buf = conn, b""
                return "ok"
            if got == "reply":  # serve() failed at once (the agent was replaced?)
                self._forget()
                return "ended"
            if got == "died":
                self._forget()
                return "kernel-died"
            return self._end(0.0)

    def _release(self) -> None:
        """The kernel is wanted for another request: end the loop politely."""
        self._end(END_GRACE_S)

    def _end(self, wait_s: float) -> str:
        """Close the connection and wait `wait_s` for the loop to return; then interrupt it,
        and kill the kernel if it ignores that too. Returns the call's status."""
        msg_id = self._msg_id
        self._forget()
        if msg_id is None:
            return "ended"
        if wait_s > 0:
            got = self.kernel.wait_for(None, msg_id, Deadline(wait_s))
            if got == "reply":
                return "ended"
            if got == "died":
                return "kernel-died"
        self.kernel.interrupt()
        got = self.kernel.wait_for(None, msg_id, Deadline(INTERRUPT_GRACE_S))
        if got == "died":
            return "kernel-died"
        if got == "deadline":
            self.kernel.kill()
        return "timeout"

    def _forget(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._msg_id = None
        self._buf = b""


def _grader_dir_fd(path: Path) -> int:
    """A descriptor of the grader's own folder `path`: refused when it is a link or belongs
    to someone else (then a sandboxed process could have put it there)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    st = os.fstat(fd)
    if st.st_uid != os.geteuid() or st.st_mode & 0o022:
        os.close(fd)
        raise PermissionError(f"{path} is not the grader's own folder (owner {st.st_uid}, mode {st.st_mode & 0o777:o})")
    return fd
