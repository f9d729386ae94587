"""Confine this process without privileges: Landlock file-system, network and scope rules,
and a seccomp filter. Standard library only: it runs in the kernel (the fork server hands it
its source) before the first line of student code.

Linux lets an unprivileged process do both under `no_new_privs`, so a grader that may not
create namespaces (a GitLab Docker runner, a laptop, a shared JupyterHub) still hides the
course and other students' files and cuts the network:

* Landlock (ABI 1+): reads only beneath the OS folders, the Python install and the venv;
  writes only beneath the work dir and the kernel's own runtime folders; within the
  exchange folder files only (no folder made, removed, renamed or linked: an exchange
  folder cannot be swapped). ABI 4+: no TCP bind or connect. ABI 6+: no signal to, and no
  abstract unix socket of, a process outside the sandbox. Landlock also keeps ptrace and
  /proc/<pid>/environ, mem... of outside processes out of reach.
* seccomp: `socket`/`socketpair` for AF_UNIX and AF_NETLINK only (no TCP, UDP or raw
  sockets: netlink reads interfaces, changing them needs a capability the kernel lacks), no
  ptrace, process_vm_readv/writev or io_uring; the x32 ABI and foreign architectures are
  refused.
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct

_libc = ctypes.CDLL(None, use_errno=True)

# Landlock syscalls share numbers on every architecture (generic table).
SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH, RULE_NET_PORT = 1, 2

FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_REMOVE_DIR = 1 << 4
FS_REMOVE_FILE = 1 << 5
FS_MAKE_CHAR = 1 << 6
FS_MAKE_DIR = 1 << 7
FS_MAKE_REG = 1 << 8
FS_MAKE_SOCK = 1 << 9
FS_MAKE_FIFO = 1 << 10
FS_MAKE_BLOCK = 1 << 11
FS_MAKE_SYM = 1 << 12
FS_REFER = 1 << 13  # ABI 2
FS_TRUNCATE = 1 << 14  # ABI 3
FS_IOCTL_DEV = 1 << 15  # ABI 5
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1  # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6

READ = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
#: Beneath the exchange folder: files come and go, folders never move (no swap for a link).
EXCHANGE = FS_READ_FILE | FS_READ_DIR | FS_WRITE_FILE | FS_MAKE_REG | FS_REMOVE_FILE | FS_TRUNCATE


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class ConfineError(OSError):
    """The process could not confine itself: it must not run student code."""


def landlock_abi() -> int:
    """The Landlock ABI this kernel offers; 0 when it has none (or it is switched off)."""
    _libc.syscall.restype = ctypes.c_long
    abi = _libc.syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION))
    return max(0, int(abi))


def _handled_fs(abi: int) -> int:
    rights = (1 << 13) - 1  # ABI 1: EXECUTE .. MAKE_SYM
    if abi >= 2:
        rights |= FS_REFER
    if abi >= 3:
        rights |= FS_TRUNCATE
    if abi >= 5:
        rights |= FS_IOCTL_DEV
    return rights


def _fail(what: str) -> None:
    err = ctypes.get_errno()
    raise ConfineError(err, f"{what}: {os.strerror(err)}")


def apply_landlock(rules: dict) -> int:
    """Restrict this process (and all it starts) to `rules`; returns the ABI used.

    rules: {"read": [paths], "write": [paths], "exchange": [paths], "devices": [paths]}.
    Paths that do not exist are skipped (a container without /lib64, say).
    """
    abi = landlock_abi()
    if abi < 1:
        raise ConfineError(38, "Landlock is not available in this Linux kernel")
    handled = _handled_fs(abi)
    attr = _RulesetAttr(handled, NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0,
                        SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    fd = _libc.syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if fd < 0:
        _fail("landlock_create_ruleset")
    try:
        groups = (("read", READ), ("write", handled), ("exchange", EXCHANGE & handled),
                  ("devices", (FS_READ_FILE | FS_WRITE_FILE | FS_IOCTL_DEV) & handled))
        for key, rights in groups:
            for path in rules.get(key, ()):
                try:
                    pfd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    continue
                try:
                    allowed = rights
                    if not os.path.isdir(path):  # a rule on a file takes file rights only
                        allowed &= FILE_RIGHTS
                    rule = _PathBeneath(allowed, pfd)
                    if _libc.syscall(SYS_ADD_RULE, ctypes.c_int(fd), ctypes.c_int(RULE_PATH_BENEATH),
                                     ctypes.byref(rule), ctypes.c_uint32(0)) != 0:
                        _fail(f"landlock_add_rule {path}")
                finally:
                    os.close(pfd)
        if _libc.prctl(38, ctypes.c_ulong(1), 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            _fail("no_new_privs")
        if _libc.syscall(SYS_RESTRICT_SELF, ctypes.c_int(fd), ctypes.c_uint32(0)) != 0:
            _fail("landlock_restrict_self")
    finally:
        os.close(fd)
    return abi


# -- seccomp -----------------------------------------------------------------------------------

_ARCH = {  # audit arch, socket, socketpair, ptrace, process_vm_readv, process_vm_writev, io_uring_setup
    "x86_64": (0xC000003E, 41, 53, 101, 310, 311, 425),
    "aarch64": (0xC00000B7, 198, 199, 117, 270, 271, 425),
}
AF_UNIX = 1
AF_NETLINK = 16  # libzmq reads the interfaces (getifaddrs) and aborts without it; no egress
_LD, _JEQ, _JGE, _RET = 0x20, 0x15, 0x35, 0x06
RET_ALLOW = 0x7FFF0000
RET_EACCES = 0x00050000 | 13
RET_EAFNOSUPPORT = 0x00050000 | 97
RET_KILL = 0x80000000  # SECCOMP_RET_KILL_PROCESS: a foreign architecture's call


def _filter(arch: str) -> list[tuple[int, int, int, int]]:
    audit, nr_socket, nr_pair, *denied = _ARCH[arch]
    prog: list[tuple[int, int, int, int]] = [(_LD, 0, 0, 4), (_JEQ, 1, 0, audit), (_RET, 0, 0, RET_KILL), (_LD, 0, 0, 0)]
    if arch == "x86_64":
        prog.append((_JGE, 0, 1, 0x40000000))  # the x32 ABI: its own numbers, refused
        prog.append((_RET, 0, 0, RET_EACCES))
    # Another family answers "not supported", as where it does not exist. Netlink stays:
    # libzmq lists the interfaces (getifaddrs) for each socket and aborts when it cannot.
    tail = [(_LD, 0, 0, 16), (_JEQ, 1, 0, AF_UNIX), (_JEQ, 0, 1, AF_NETLINK), (_RET, 0, 0, RET_ALLOW),
            (_RET, 0, 0, RET_EAFNOSUPPORT)]
    checks = [nr_socket, nr_pair, *denied]
    # Each check jumps to the family test (socket calls) or to "refuse" (the others).
    n = len(checks)
    for i, nr in enumerate(checks):
        after = n - i - 1  # checks left after this one
        if nr in (nr_socket, nr_pair):
            prog.append((_JEQ, after + 1, 0, nr))  # skip the rest and the ALLOW: to the family test
        else:
            prog.append((_JEQ, after + 1 + len(tail), 0, nr))  # past the family test: to "refuse"
    prog.append((_RET, 0, 0, RET_ALLOW))
    prog += tail
    prog.append((_RET, 0, 0, RET_EACCES))  # ptrace, process_vm_*, io_uring: "refuse"
    return prog


def apply_seccomp() -> bool:
    """Install the filter; False (nothing installed) on an architecture it does not know."""
    arch = platform.machine()
    if arch not in _ARCH:
        return False
    prog = _filter(arch)
    raw = b"".join(struct.pack("HBBI", *ins) for ins in prog)
    buf = ctypes.create_string_buffer(raw, len(raw))

    class _Prog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = _Prog(len(prog), ctypes.cast(buf, ctypes.c_void_p))
    if _libc.prctl(38, ctypes.c_ulong(1), 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        _fail("no_new_privs")
    if _libc.prctl(22, ctypes.c_ulong(2), ctypes.byref(fprog), 0, 0) != 0:  # PR_SET_SECCOMP, FILTER
        _fail("seccomp")
    return True


def confine(rules: dict) -> dict:
    """Landlock then seccomp; returns what was applied (for the kernel log)."""
    abi = apply_landlock(rules)
    filtered = apply_seccomp()
    return {"landlock_abi": abi, "seccomp": filtered}
