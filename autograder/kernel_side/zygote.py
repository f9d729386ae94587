"""Fork server: import the heavy modules once, then fork one confined kernel per request.

Run by the grader as ``python -s zygote.py CONFIG_JSON`` with the kernel interpreter; it
imports only the standard library, ipykernel and the TP's preload list (trusted code),
so it works whatever the kernel's environment holds. Requests and replies are JSON
lines on stdin/stdout. Nothing a kernel does ever reaches this process: the kernels are
its grandchildren, confined before the first line of student code runs.

Each spawned kernel is three processes:

    outer  (forked here; new mount/net/ipc/uts namespaces; the pid the grader watches)
      └─ init (pid 1 of a new PID namespace: builds the new root, then reaps)
           └─ kernel (own session, rlimits, sandbox uid, no_new_privs, ipykernel)

Killing `outer` kills `init` (parent-death signal), and the end of `init` kills every
process left in its PID namespace, so the grader needs only the one pid. With a `cgroup`
in the request, `outer` first joins that memory cgroup (made by the grader, see
autograder/sandbox/cgroup.py), so every process of the kernel is in it from the start.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import os
import resource
import select
import shutil
import signal
import socket
import struct
import sys
import time

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
RLIMITS = {
    "as": resource.RLIMIT_AS,
    "cpu": resource.RLIMIT_CPU,
    "nproc": resource.RLIMIT_NPROC,
    "fsize": resource.RLIMIT_FSIZE,
    "nofile": resource.RLIMIT_NOFILE,
    "core": resource.RLIMIT_CORE,
}

_libc = ctypes.CDLL(None, use_errno=True)


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(src: str | None, dst: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _check(
        _libc.mount(
            None if src is None else src.encode(),
            dst.encode(),
            None if fstype is None else fstype.encode(),
            ctypes.c_ulong(flags),
            None if data is None else data.encode(),
        ),
        f"mount {src} on {dst}",
    )


def _bind(src: str, dst: str, *, writable: bool) -> None:
    _mount(src, dst, None, MS_BIND | MS_REC)
    flags = MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | (0 if writable else MS_RDONLY)
    _mount(None, dst, None, flags)


def _inside(root: str, path: str) -> str:
    return root + "/" + path.lstrip("/")


def _loopback_up() -> None:
    """A new network namespace has only `lo`, and down: bring it up (as bwrap does)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifr = struct.pack("16sH", b"lo", 0)
        flags = struct.unpack("16sH", fcntl.ioctl(s, 0x8913, ifr)[:18])[1]  # SIOCGIFFLAGS
        fcntl.ioctl(s, 0x8914, struct.pack("16sH", b"lo", flags | 1))  # SIOCSIFFLAGS, IFF_UP


def build_root(iso: dict) -> None:
    """Mount a new root holding only what `iso` lists, then pivot into it (in `init`)."""
    root = iso["root"]
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")

    def mkdirs(path: str) -> None:
        # Parents are traversable, not listable: the kernel must not browse /work, /root...
        cur = root
        for part in path.strip("/").split("/"):
            cur = cur + "/" + part
            if not os.path.isdir(cur):
                os.mkdir(cur, 0o711)

    # Private /tmp and /dev first: the binds below may lie inside them (the runtime folder).
    mkdirs("/dev")
    _mount("tmpfs", _inside(root, "/dev"), "tmpfs", MS_NOSUID, "size=64k,mode=0755")
    for path in ("/tmp", "/dev/shm"):
        mkdirs(path)
        _mount("tmpfs", _inside(root, path), "tmpfs", MS_NOSUID | MS_NODEV, f"size={iso['tmpfs_bytes']},mode=1777")
    for link, target in iso["symlinks"]:
        os.symlink(target, _inside(root, link))
    for path in iso["ro"]:
        mkdirs(path)
        _bind(path, _inside(root, path), writable=False)
    for src, dst in iso["rw"]:
        mkdirs(dst)
        _bind(src, _inside(root, dst), writable=True)
    for dev in [f"/dev/{name}" for name in DEVICES] + list(iso.get("devices", [])):  # GPUs last
        if not os.path.exists(dev):
            continue  # a container without /dev/tty, say
        node = _inside(root, dev)
        if os.path.isdir(dev):  # /dev/nvidia-caps
            mkdirs(dev)
            _mount(dev, node, None, MS_BIND | MS_REC)
            continue
        open(node, "w").close()  # noqa: SIM115 - an empty file to bind the device onto
        _mount(dev, node, None, MS_BIND)
    for i, name in enumerate(("stdin", "stdout", "stderr")):
        os.symlink(f"/proc/self/fd/{i}", _inside(root, f"/dev/{name}"))
    os.symlink("/proc/self/fd", _inside(root, "/dev/fd"))
    mkdirs("/proc")
    _mount("proc", _inside(root, "/proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.chdir(root)
    _check(_libc.syscall(SYS_PIVOT_ROOT[os.uname().machine], b".", b"."), "pivot_root")
    _check(_libc.umount2(b".", MNT_DETACH), "umount old root")
    os.chdir("/")


def _prctl(option: int, arg: int) -> None:
    _check(_libc.prctl(option, ctypes.c_ulong(arg), 0, 0, 0), f"prctl {option}")


_CONFINE: dict = {}  # the namespace of kernel_side/confine.py, run once in serve()
SYS_CAPSET = {"x86_64": 126, "aarch64": 91}


def _drop_capabilities() -> None:
    """Empty the bounding set and every capability set: what the kernel execs stays powerless."""
    for cap in range(64):
        if _libc.prctl(24, ctypes.c_ulong(cap), 0, 0, 0) != 0 and ctypes.get_errno() == 22:  # PR_CAPBSET_DROP
            break  # EINVAL: past the last capability this kernel knows
    header = struct.pack("Ii", 0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = ctypes.create_string_buffer(24)  # two {effective, permitted, inheritable}, all 0
    _check(_libc.syscall(SYS_CAPSET[os.uname().machine], ctypes.c_char_p(header), data), "capset")


def become_kernel(req: dict, log_fd: int) -> None:
    """Last step before student code: descriptors, limits, user, environment."""
    os.setsid()
    devnull = os.open("/dev/null", os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.closerange(3, 65536)
    for name, value in req["rlimits"].items():
        resource.setrlimit(RLIMITS[name], (value, value))
    if req.get("uid") is not None:
        os.setgroups([])
        os.setresgid(req["gid"], req["gid"], req["gid"])
        os.setresuid(req["uid"], req["uid"], req["uid"])  # drops every capability
    elif os.geteuid() == 0 and req.get("confine"):
        _drop_capabilities()  # uid 0 kept (see sandbox.py), but none of root's powers
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # after setuid, which clears it
    if req.get("confine"):
        # Landlock + seccomp (kernel_side/confine.py, given as source in the config): the
        # `landlock` level, where this grader may not create namespaces.
        _CONFINE["confine"](req["confine"])
    os.chdir(req["cwd"])
    os.environ.clear()
    os.environ.update(req["env"])
    if req.get("confine"):  # no private /tmp at that level: the work dir holds its own
        os.makedirs(os.environ.get("TMPDIR", ".tmp"), exist_ok=True)
    import tempfile

    tempfile.tempdir = None  # computed again from the kernel's TMPDIR
    np = sys.modules.get("numpy")
    if np is not None:
        np.random.seed()  # fresh entropy: every fork would otherwise share the zygote's state
    if sys.path and sys.path[0] in ("", os.path.dirname(os.path.abspath(globals().get("__file__", "")))):
        sys.path.pop(0)  # started by -c ('') or by path (the grader's folder): the kernel puts its own
    sys.argv = ["ipykernel_launcher", "-f", req["connection_file"], *req["kernel_args"]]  # as when spawned


def run_kernel(req: dict) -> None:
    from ipykernel.kernelapp import IPKernelApp

    IPKernelApp.launch_instance(argv=["-f", req["connection_file"], *req["kernel_args"]])


def _wait_for(pid: int) -> int:
    """Reap every child (init adopts orphans) until `pid` ends; its exit status."""
    while True:
        try:
            got, status = os.waitpid(-1, 0)
        except ChildProcessError:
            return 1
        except InterruptedError:
            continue
        if got == pid:
            return os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


def child(req: dict) -> None:
    """In `outer`, forked from the zygote; never returns."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        if req.get("cgroup"):
            # First thing, before any other process of this kernel exists: the whole tree
            # (and the tmpfs pages it writes) is then charged to the kernel's memory cgroup.
            # No kernel at all when joining fails: never one without its bound.
            with open(req["cgroup"], "w") as f:
                f.write("0")
        log_fd = os.open(req["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        iso = req.get("isolation")
        if iso is None:
            become_kernel(req, log_fd)
            run_kernel(req)
            code = 0
        else:
            _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWPID), "unshare")
            _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing below propagates to the host
            socket.sethostname(iso["hostname"])
            _loopback_up()
            # init cannot see its parent's pid (another PID namespace): a pipe's end tells
            # it whether outer died before the parent-death signal was armed.
            alive_r, alive_w = os.pipe()
            init = os.fork()
            if init == 0:
                _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
                os.close(alive_w)
                if select.select([alive_r], [], [], 0)[0]:
                    os._exit(1)  # EOF: outer is gone
                os.close(alive_r)
                build_root(iso)
                kernel = os.fork()
                if kernel == 0:
                    become_kernel(req, log_fd)
                    run_kernel(req)
                    os._exit(0)
                os.closerange(0, 65536)
                os._exit(_wait_for(kernel))
            os.closerange(0, alive_w)  # keeps alive_w open until outer ends
            os.closerange(alive_w + 1, 65536)
            code = _wait_for(init)
    except BaseException as exc:  # noqa: BLE001 - report to the kernel log, never to the zygote's stdout
        try:
            os.write(2 if "log_fd" not in locals() else log_fd, f"autograder zygote: {type(exc).__name__}: {exc}\n".encode())
        except OSError:
            pass
    finally:
        os._exit(code)


class _Channel:
    """Where requests come from: the owner (stdin/stdout) or a grader worker (a socket)."""

    def __init__(self, rfd: int, wfd: int, conn: socket.socket | None = None):
        self.rfd, self.wfd, self.conn = rfd, wfd, conn
        self.buf = b""
        self.kids: set[int] = set()

    def reply(self, obj: dict) -> None:
        data = (json.dumps(obj) + "\n").encode()
        while data:
            data = data[os.write(self.wfd, data):]


def serve(config: dict) -> None:
    t0 = time.monotonic()
    listener = None
    if config.get("listen"):
        # Bound before the imports, so that workers can connect (and queue) early. The
        # folder is the grader's (0700): kernels, run as other uids, cannot reach it.
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(config["listen"])
        listener.listen(64)
    if config.get("confine_source"):
        exec(compile(config["confine_source"], "autograder-confine", "exec"), _CONFINE)
    # Imports happen here, once: each kernel forked below finds them in sys.modules.
    for name in config.get("preload", []):
        __import__(name)
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401 - the kernel's own start-up imports

    try:
        import ipykernel.debugger  # noqa: F401 - debugpy: 0.08 s of every kernel's start
    except Exception:  # noqa: BLE001 - optional
        pass

    sys.stdout.flush()
    owner = _Channel(0, 1)
    owner.reply({"ready": True, "import_s": round(time.monotonic() - t0, 3)})
    channels = [owner]
    try:
        _loop(owner, channels, listener)
    finally:
        for ch in channels:  # the grader is gone or done: so are its kernels
            _kill_all(ch.kids)
        home = os.environ.get("HOME", "")
        if os.path.basename(home).startswith("ag-zygote-"):  # made for us by the grader
            shutil.rmtree(home, ignore_errors=True)  # even when the grader was killed -9


def _kill_all(pids: set[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _loop(owner: _Channel, channels: list[_Channel], listener: socket.socket | None) -> None:
    parent = os.getppid()
    while True:
        while True:  # reap whatever ended; the grader watches each outer pid itself
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            for ch in channels:
                ch.kids.discard(pid)
        if os.getppid() != parent:
            return  # the grader died
        fds = [ch.rfd for ch in channels] + ([listener.fileno()] if listener else [])
        ready, _, _ = select.select(fds, [], [], 0.5)
        for fd in ready:
            if listener is not None and fd == listener.fileno():
                conn, _ = listener.accept()
                channels.append(_Channel(conn.fileno(), conn.fileno(), conn))
                continue
            ch = next(c for c in channels if c.rfd == fd)
            data = os.read(fd, 65536)
            if not data:
                if ch is owner:
                    return
                _kill_all(ch.kids)  # a worker that is gone leaves no kernel behind
                channels.remove(ch)
                if ch.conn is not None:
                    ch.conn.close()
                continue
            ch.buf += data
            while b"\n" in ch.buf:
                line, ch.buf = ch.buf.split(b"\n", 1)
                req = json.loads(line)
                if req.get("op") == "exit":
                    if ch is owner:
                        return
                    continue
                pid = os.fork()
                if pid == 0:
                    child(req)
                ch.kids.add(pid)
                ch.reply({"pid": pid})


def main() -> None:
    # No parent-death signal here: it fires when the grader *thread* that started us ends.
    # The grader's end closes our stdin instead, and the loop then stops every kernel.
    config = json.loads(sys.argv[1])
    try:
        serve(config)
    except BaseException as exc:  # noqa: BLE001 - say why on stdout, where the grader waits
        sys.stdout.write(json.dumps({"error": f"{type(exc).__name__}: {exc}"}) + "\n")
        sys.stdout.flush()
        raise SystemExit(1) from None
    # Its kernels are killed and its home removed: what is left is the interpreter's teardown
    # of torch and the other preloads, half a second the grader's close would wait for.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
