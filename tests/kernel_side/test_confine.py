"""kernel_side/confine: a process confines itself with Landlock and seccomp, without privileges.

Each test forks a real process that confines itself, tries what a student's code would,
and reports outcomes as JSON on a pipe. Then the whole grader, run as root without
CAP_SYS_ADMIN (`setpriv`, as in a default Docker container), grades at the `landlock`
level: full marks for the solution, nothing for the untouched release.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from autograder.kernel_side.confine import _filter, landlock_abi
from autograder.sandbox.capabilities import command_succeeds, seccomp_supported
from autograder.sandbox.plan import python_roots
from tests.course_builder import (
    MAX_SCORE,
    MINI,
    SOLUTION,
    StudentRepo,
    build_course,
    notebook_path,
    student_notebook,
)

ROOT = Path(__file__).resolve().parents[2]
ABI = landlock_abi()
needs_landlock = pytest.mark.skipif(ABI < 1, reason="this Linux has no Landlock")


def confined(tmp_path: Path, probe: str) -> dict:
    """Run `probe` (Python defining RESULTS) in a child that confined itself first."""
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    secret = tmp_path / "course" / "hidden.txt"
    secret.parent.mkdir(exist_ok=True)
    secret.write_text("hidden check")
    rules = {
        "read": ["/usr", "/lib", "/lib64", "/bin", "/etc", "/proc", *map(str, python_roots(sys.executable))],
        "write": [str(work)],
        "exchange": [],
        "devices": ["/dev/null", "/dev/urandom"],
    }
    code = f"""
import json, os, socket, sys
sys.path.insert(0, {str(ROOT)!r})
from autograder.kernel_side.confine import confine
applied = confine({rules!r})
WORK, SECRET = {str(work)!r}, {str(secret)!r}
RESULTS = {{"applied": applied}}
def attempt(label, fn):
    try:
        fn()
        RESULTS[label] = "ok"
    except OSError as exc:
        RESULTS[label] = type(exc).__name__ + ":" + str(exc.errno)
{probe}
print(json.dumps(RESULTS))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@needs_landlock
def test_reads_and_writes_stay_inside_the_rules(tmp_path):
    got = confined(tmp_path, """
attempt("read-course", lambda: open(SECRET).read())
attempt("list-course", lambda: os.listdir(os.path.dirname(SECRET)))
attempt("write-work", lambda: open(os.path.join(WORK, "x"), "w").write("1"))
attempt("write-tmp", lambda: open("/tmp/ag-confine-probe", "w").write("1"))
attempt("import-numpy", lambda: __import__("numpy"))
attempt("run-a-program", lambda: __import__("subprocess").run(["true"], check=True))
""")
    assert got["applied"]["landlock_abi"] == ABI
    assert got["read-course"].startswith("PermissionError") and got["list-course"].startswith("PermissionError")
    assert got["write-tmp"].startswith("PermissionError")
    assert got["write-work"] == got["import-numpy"] == got["run-a-program"] == "ok"


@needs_landlock
def test_no_network_but_unix_sockets(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    try:
        got = confined(tmp_path, f"""
attempt("tcp", lambda: socket.create_connection(("127.0.0.1", {port}), timeout=2))
attempt("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
attempt("tcp6", lambda: socket.socket(socket.AF_INET6, socket.SOCK_STREAM))
attempt("raw", lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW))
attempt("unix", lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close())
attempt("pair", lambda: socket.socketpair())
""")
    finally:
        server.close()
    if not got["applied"]["seccomp"]:
        pytest.skip("no seccomp filter for this architecture")
    for label in ("tcp", "udp", "tcp6", "raw"):
        assert not got[label].startswith("ok"), (label, got[label])
    assert got["unix"] == got["pair"] == "ok"


@needs_landlock
def test_no_signal_or_ptrace_beyond_the_sandbox(tmp_path):
    outside = subprocess.Popen(["sleep", "60"])
    try:
        got = confined(tmp_path, f"""
import ctypes
attempt("signal-outside", lambda: os.kill({outside.pid}, 15))
libc = ctypes.CDLL(None, use_errno=True)
def ptrace():
    if libc.ptrace(16, {outside.pid}, 0, 0) != 0:  # PTRACE_ATTACH
        raise OSError(ctypes.get_errno(), "ptrace")
attempt("ptrace-outside", ptrace)
child = __import__("subprocess").Popen(["sleep", "60"])
attempt("signal-own-child", lambda: os.kill(child.pid, 9))
""")
    finally:
        outside.kill()
    if ABI >= 6:
        assert got["signal-outside"].startswith("PermissionError"), got
    assert got["ptrace-outside"] != "ok" and got["signal-own-child"] == "ok"


@needs_landlock
def test_the_spawn_launcher_confines_itself_then_runs_the_kernel_command(tmp_path):
    """How a spawned kernel stacks this confinement under bwrap: `confine_launcher` applies
    the rules, then execs the command, which inherits them (no_new_privs, Landlock, seccomp)."""
    from autograder.sandbox.landlock import confine_launcher

    work, outside = tmp_path / "work", tmp_path / "outside"
    work.mkdir()
    outside.mkdir()
    rules = {"read": ["/"], "write": [str(work)], "exchange": [], "devices": ["/dev/null"]}
    probe = f"""
import json, os, socket
def attempt(fn):
    try:
        fn()
        return "ok"
    except OSError as exc:
        return type(exc).__name__
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
print(json.dumps({{
    "write-work": attempt(lambda: open({str(work / "x")!r}, "w").write("1")),
    "write-outside": attempt(lambda: open({str(outside / "x")!r}, "w").write("1")),
    "inet": attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()),
    "seccomp": status["Seccomp"].strip(), "nnp": status["NoNewPrivs"].strip(),
}}))
"""
    out = subprocess.run([*confine_launcher(sys.executable, rules), sys.executable, "-c", probe],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["write-work"] == "ok" and got["write-outside"] == "PermissionError", got
    assert got["nnp"] == "1", got
    if got["seccomp"] != "0":  # an architecture the filter knows
        assert got["seccomp"] == "2" and got["inet"] == "OSError", got
    assert not (outside / "x").exists()


def test_a_launcher_whose_confinement_fails_never_runs_the_command(tmp_path):
    """Whatever stops the confinement (no Landlock, a refused rule, here rules that are not
    a mapping) ends the launcher with an error before the exec: no student code runs
    unconfined, and the kernel's log says why."""
    from autograder.sandbox.landlock import confine_launcher

    marker = tmp_path / "ran"
    cmd = [*confine_launcher(sys.executable, ["not", "rules"]), sys.executable, "-c",  # type: ignore[arg-type]
           f"open({str(marker)!r}, 'w').close()"]
    bad = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and not marker.exists(), bad.stderr[-2000:]


def test_the_seccomp_program_jumps_inside_itself():
    """Every jump of the BPF program lands on an instruction, and the program ends in returns."""
    for arch in ("x86_64", "aarch64"):
        prog = _filter(arch)
        for i, (code, jt, jf, _k) in enumerate(prog):
            if code & 0x07 == 0x05:  # BPF_JMP
                assert i + 1 + jt < len(prog) and i + 1 + jf < len(prog), (arch, i)
        assert prog[-1][0] == 0x06


# -- the whole grader without CAP_SYS_ADMIN ------------------------------------------------------

SETPRIV = shutil.which("setpriv")
needs_setpriv = pytest.mark.skipif(
    not (SETPRIV and os.geteuid() == 0 and ABI >= 1), reason="needs root, setpriv and Landlock to stand for a Docker runner"
)


def grade_without_sys_admin(course_root: Path, repo: Path, ref: str, tp: str, out: Path, *extra: str,
                            wrapper: list[str] | None = None, env: dict[str, str] | None = None,
                            printed: list[str] | None = None) -> dict:
    """`autograder grade` as a Docker runner has it: root without CAP_SYS_ADMIN, or run
    through `wrapper` (the seccomp stand-in for Docker's profile, a non-root user)."""
    if wrapper is None:
        wrapper = [SETPRIV, "--inh-caps=-sys_admin", "--bounding-set=-sys_admin"]
    cmd = [*wrapper, str(ROOT / ".venv" / "bin" / "autograder"), "grade", "--course", str(course_root),
           "--repo", str(repo), "--ref", ref, "--tp", tp, "--out", str(out), *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    if printed is not None:
        printed.append(proc.stdout + proc.stderr)
    return json.loads((out / "grade.json").read_text("utf-8"))


@needs_setpriv
def test_root_without_cap_sys_admin_grades_at_the_landlock_level(tmp_path):
    course = build_course(tmp_path / "course")
    repo = StudentRepo(tmp_path / "student")
    sol = repo.commit({notebook_path(): student_notebook(SOLUTION)}, "rendu")
    blank = repo.commit({notebook_path(): student_notebook()}, "sujet")
    extra = ("--cell-timeout", "30", "--total-timeout", "120", "--sandbox", "strict")
    got = grade_without_sys_admin(course.root, repo.path, sol, MINI, tmp_path / "sol", *extra)
    assert got["sandbox"]["level"] == "landlock", got["sandbox"]
    assert got["sandbox"]["network_isolated"] and got["sandbox"]["filesystem_hidden"]
    assert got["score"] == got["max_score"] == MAX_SCORE
    assert grade_without_sys_admin(course.root, repo.path, blank, MINI, tmp_path / "blank", *extra)["score"] == 0


@pytest.mark.slow
@needs_setpriv
@pytest.mark.parametrize("where", ["no-cap-sys-admin", "seccomp-without-namespaces"])
def test_tp01_solution_full_marks_and_release_zero_without_namespaces(tmp_path, where):
    """Issue 14 item 4 with the real TP01: as a Docker runner has it (root without
    CAP_SYS_ADMIN) and under a seccomp profile refusing new namespaces (Docker's default)."""
    repo = _tp01_repo(tmp_path / "student")
    wrapper = None if where == "no-cap-sys-admin" else [sys.executable, "-c", NO_NAMESPACES]
    sol = grade_without_sys_admin(ROOT, repo, "HEAD", "tp01_gradients", tmp_path / "sol", wrapper=wrapper)
    blank = grade_without_sys_admin(ROOT, repo, "HEAD~1", "tp01_gradients", tmp_path / "blank", wrapper=wrapper)
    assert sol["sandbox"]["level"] == "landlock" and sol["sandbox"]["landlock_abi"] == ABI, sol["sandbox"]
    assert sol["score"] == sol["max_score"] >= 20 and blank["score"] == 0


def _tp01_repo(repo: Path) -> Path:
    """A student repo whose HEAD is TP01's solution and HEAD~1 its untouched release."""
    (repo / "tp01_gradients").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    nb = repo / "tp01_gradients" / "tp01_gradients.ipynb"
    git = ["git", "-C", str(repo), "-c", "user.name=E", "-c", "user.email=e@x"]
    shutil.copyfile(ROOT / "release" / "tp01_gradients" / "tp01_gradients.ipynb", nb)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "sujet"], check=True)
    shutil.copyfile(ROOT / "solutions" / "tp01_gradients" / "tp01_gradients.ipynb", nb)
    subprocess.run([*git, "commit", "-qam", "rendu"], check=True)
    return repo


#: Stands for Docker's default seccomp profile: no new namespaces (unshare, clone with
#: CLONE_NEW* flags: EPERM; clone3: ENOSYS, as Docker answers), everything else allowed.
NO_NAMESPACES = r"""
import ctypes, os, platform, struct, sys
NR = {"x86_64": (0xC000003E, 272, 56, 435), "aarch64": (0xC00000B7, 97, 220, 435)}
audit, unshare, clone, clone3 = NR[platform.machine()]
NEW = 0x7E020000  # CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET
EPERM, ENOSYS, ALLOW = 0x00050001, 0x00050026, 0x7FFF0000
prog = [(0x20, 0, 0, 4), (0x15, 1, 0, audit), (0x06, 0, 0, ALLOW), (0x20, 0, 0, 0),
        (0x15, 0, 1, unshare), (0x06, 0, 0, EPERM),
        (0x15, 0, 1, clone3), (0x06, 0, 0, ENOSYS),
        (0x15, 0, 3, clone), (0x20, 0, 0, 16), (0x45, 0, 1, NEW), (0x06, 0, 0, EPERM),
        (0x06, 0, 0, ALLOW)]
raw = b"".join(struct.pack("HBBI", *i) for i in prog)
buf = ctypes.create_string_buffer(raw, len(raw))
class P(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
libc = ctypes.CDLL(None, use_errno=True)
assert libc.prctl(38, 1, 0, 0, 0) == 0
assert libc.prctl(22, 2, ctypes.byref(P(len(prog), ctypes.cast(buf, ctypes.c_void_p))), 0, 0) == 0
os.execv(sys.argv[1], sys.argv[1:])
"""


@needs_landlock
@pytest.mark.skipif(not shutil.which("unshare"), reason="needs util-linux unshare to show the profile bites")
def test_a_seccomp_profile_refusing_namespaces_grades_at_the_landlock_level(tmp_path):
    """Docker's default profile refuses new namespaces even to root: `auto` must land on
    `landlock`, and the solution still earns full marks."""
    wrapper = [sys.executable, "-c", NO_NAMESPACES]
    refused = subprocess.run([*wrapper, shutil.which("unshare"), "--net", "true"], capture_output=True)
    assert refused.returncode != 0, "the stand-in profile did not refuse unshare"
    course = build_course(tmp_path / "course")
    repo = StudentRepo(tmp_path / "student")
    sol = repo.commit({notebook_path(): student_notebook(SOLUTION)}, "rendu")
    out = tmp_path / "out"
    cmd = [*wrapper, str(ROOT / ".venv" / "bin" / "autograder"), "grade", "--course", str(course.root),
           "--repo", str(repo.path), "--ref", sol, "--tp", MINI, "--out", str(out),
           "--cell-timeout", "30", "--total-timeout", "120"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    got = json.loads((out / "grade.json").read_text("utf-8"))
    assert got["sandbox"]["level"] == "landlock", got["sandbox"]
    assert got["score"] == got["max_score"] == MAX_SCORE
    blank = repo.commit({notebook_path(): student_notebook()}, "sujet")
    cmd[cmd.index(sol)] = blank
    cmd[cmd.index(str(out))] = str(tmp_path / "blank")
    assert subprocess.run(cmd, capture_output=True, text=True, timeout=600).returncode == 0
    assert json.loads((tmp_path / "blank" / "grade.json").read_text("utf-8"))["score"] == 0


@dataclasses.dataclass(frozen=True)
class NewUser:
    """A user created by the test, as a student on a laptop or a JupyterHub has it: no root,
    its own HOME and TMPDIR in `base` (which it owns), nothing written beside them."""

    uid: int
    base: Path

    def prefix(self, where: str = "user-namespaces") -> list[str]:
        """Run as this user; `no-namespaces` adds Docker's stand-in profile (a Linux or a
        JupyterHub whose users may not create user namespaces)."""
        user = [SETPRIV, f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups"]
        return user + ([sys.executable, "-c", NO_NAMESPACES] if where == "no-namespaces" else [])

    def env(self) -> dict[str, str]:
        return {**os.environ, "HOME": str(self.base / "home"), "TMPDIR": str(self.base / "tmp"),
                "PYTHONDONTWRITEBYTECODE": "1"}

    def may_use_bwrap(self, where: str) -> bool:
        """Whether bwrap makes its namespaces for this user (unprivileged user namespaces)."""
        bwrap = shutil.which("bwrap")
        return bool(bwrap) and command_succeeds(
            [*self.prefix(where), bwrap, "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "true"])


@contextlib.contextmanager
def a_new_user() -> Iterator[NewUser]:
    """Create the user (once per machine), give it a folder, and let it reach the interpreter
    for the test only: this machine's Python lives in root's 0700 home (o+x there, no listing,
    put back after). The repo and the venv are world-readable already."""
    from autograder.sandbox.plan import unreachable_for_others

    if os.geteuid() != 0 or not (shutil.which("useradd") and SETPRIV):
        pytest.skip("needs root, useradd and setpriv to create the test's user")
    name = "ag-student-test"
    subprocess.run(["useradd", "--no-create-home", name], capture_output=True)
    uid = int(subprocess.run(["id", "-u", name], capture_output=True, text=True, check=True).stdout)
    base = Path(tempfile.mkdtemp(prefix="ag-test-user-"))  # pytest's own tmp is root's only
    os.chmod(base, 0o755)
    for sub in ("home", "tmp"):
        (base / sub).mkdir()
    try:
        with _traversable(unreachable_for_others(python_roots(sys.executable))):
            yield NewUser(uid, base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def _traversable(folder: Path | None) -> Iterator[None]:
    """Let other users *enter* `folder` (o+x, no listing) for the test, then put it back."""
    if folder is None:
        yield
        return
    mode = folder.stat().st_mode
    os.chmod(folder, mode | 0o001)
    try:
        yield
    finally:
        os.chmod(folder, mode)


def _own(user: NewUser) -> None:
    subprocess.run(["chown", "-R", f"{user.uid}:{user.uid}", str(user.base)], check=True)


@needs_landlock
def test_a_non_root_grader_grades_at_the_landlock_level():
    """A student or a JupyterHub user: no root. Where user namespaces are allowed (here) the
    kernel gets bwrap with Landlock stacked under it; where they are not, the landlock level.
    Its TMPDIR holds a root grader's leftovers (0700 `ag-run-*`, `ag-git-*` of a grader
    killed with -9, as in a shared /tmp): they are not this user's to sweep, and never make
    it fail nor talk of free space (issue 14 item 3)."""
    printed: list[str] = []
    with a_new_user() as user:
        course = build_course(user.base / "course")
        repo = StudentRepo(user.base / "student")
        blank = repo.commit({notebook_path(): student_notebook()}, "sujet")
        sol = repo.commit({notebook_path(): student_notebook(SOLUTION)}, "rendu")
        _own(user)
        roots = [user.base / "tmp" / "ag-run-left-by-root", user.base / "tmp" / "ag-git-left-by-root"]
        for folder in roots:  # root's, 0700, their grader gone (a pid that cannot exist)
            folder.mkdir(mode=0o700)
            (folder / ".ag-owner").write_text("999999999 1\n")
        extra = ("--cell-timeout", "30", "--total-timeout", "120", "--sandbox", "strict")
        got = grade_without_sys_admin(course.root, repo.path, sol, MINI, user.base / "out", *extra,
                                      wrapper=user.prefix(), env=user.env(), printed=printed)
        untouched = grade_without_sys_admin(course.root, repo.path, blank, MINI, user.base / "out-blank", *extra,
                                            wrapper=user.prefix(), env=user.env(), printed=printed)
        assert all(folder.is_dir() and folder.stat().st_uid == 0 for folder in roots)
    assert not any(w in text for text in printed for w in ("free space", "espace", "Permission denied")), printed
    assert got["sandbox"]["level"] in ("landlock", "bwrap"), got["sandbox"]  # bwrap: user namespaces
    assert got["sandbox"]["landlock_abi"] == ABI, got["sandbox"]  # its own level, or stacked under bwrap
    assert not got["sandbox"]["user_switched"] and got["sandbox"]["network_isolated"], got["sandbox"]
    assert got["score"] == MAX_SCORE and untouched["score"] == 0


@pytest.mark.slow
@needs_landlock
@pytest.mark.parametrize("where", ["user-namespaces", "no-namespaces"])
def test_tp01_solution_full_marks_and_release_zero_as_a_non_root_user(where):
    """Issue 14 item 4 for a user who is not root, with the real TP01 and the repo's course:
    with user namespaces (bwrap, Landlock stacked) and without (the landlock level)."""
    with a_new_user() as user:
        repo = _tp01_repo(user.base / "student")
        # The course as the user has it: its own copy (the repo's secret is root's, 0600).
        course = user.base / "course"
        shutil.copytree(ROOT / "source", course / "source")
        shutil.copytree(ROOT / "release" / "tp01_gradients", course / "release" / "tp01_gradients")
        shutil.copyfile(ROOT / ".autograder-secret", course / ".autograder-secret")
        _own(user)
        grade = functools.partial(grade_without_sys_admin, course, repo, tp="tp01_gradients",
                                  wrapper=user.prefix(where), env=user.env())
        sol = grade(ref="HEAD", out=user.base / "sol")
        blank = grade(ref="HEAD~1", out=user.base / "blank")
        level = "bwrap" if user.may_use_bwrap(where) else "landlock"
    assert sol["sandbox"]["level"] == level and sol["sandbox"]["landlock_abi"] == ABI, sol["sandbox"]
    assert sol["sandbox"]["seccomp"] == seccomp_supported() and sol["sandbox"]["network_isolated"], sol["sandbox"]
    assert sol["score"] == sol["max_score"] >= 20 and blank["score"] == 0


@needs_setpriv
def test_a_spawned_kernel_in_a_docker_runner_keeps_uid_0_confined_by_landlock(tmp_path):
    """Issue 14's first command with --kernel-launch spawn: root without CAP_SYS_ADMIN, the
    interpreter in root's 0700 home. The kernel used to die at start (its sandbox uid could
    not run Python), then was refused; now, as a forked kernel does, it keeps uid 0 without
    any capability, confined by Landlock, and the report says why (the refusal, naming the
    folder, is left to a Linux without Landlock: tests/sandbox/test_plan.py)."""
    from autograder.sandbox.plan import unreachable_for_others

    blocked = unreachable_for_others(python_roots(sys.executable))
    course = build_course(tmp_path / "course")
    repo = StudentRepo(tmp_path / "student")
    sol = repo.commit({notebook_path(): student_notebook(SOLUTION)}, "rendu")
    got = grade_without_sys_admin(course.root, repo.path, sol, MINI, tmp_path / "out", "--kernel-launch", "spawn",
                                  "--sandbox", "strict", "--cell-timeout", "30", "--total-timeout", "120")
    sandbox = got["sandbox"]
    assert sandbox["level"] == "landlock" and sandbox["landlock_abi"] == ABI, sandbox
    assert sandbox["user_switched"] == (blocked is None), sandbox
    if blocked is not None:
        assert any("keeps uid 0" in n and str(blocked) in n for n in sandbox["notes"]), sandbox["notes"]
    assert got["score"] == got["max_score"] == MAX_SCORE


#: The hostile corpus's entries that a grader without namespaces must still stop (issue 14
#: item 4): network, file reading, signals and verdict forging.
CORPUS_UNDER_DOCKER_PROFILE = (
    "loopback-server", "external-address", "hidden-check-files", "instructor-source-and-solutions",
    "other-students", "grader-environment", "grader-proc", "kill-everything", "sys-exit-zero",
    "os-exit-zero", "monkeypatch-numpy", "fake-report-output", "write-out-dir",
)


@pytest.mark.slow
@needs_landlock
@pytest.mark.skipif(not shutil.which("unshare"), reason="needs util-linux unshare to show the profile bites")
def test_the_corpus_holds_under_a_seccomp_profile_refusing_namespaces():
    """`bash scripts/test.sh unprivileged` runs the whole corpus without CAP_SYS_ADMIN; here
    its network, reading, signal and forging entries run under Docker's stand-in profile."""
    selection = " or ".join(f"[{name}]" for name in CORPUS_UNDER_DOCKER_PROFILE)
    cmd = [sys.executable, "-c", NO_NAMESPACES, sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
           "-m", "not slow", "tests/hostile/test_corpus.py", "-k", selection]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert f"{len(CORPUS_UNDER_DOCKER_PROFILE)} passed" in proc.stdout, proc.stdout[-2000:]


def _without(tmp_path: Path, *tools: str) -> dict[str, str]:
    """An environment whose PATH finds `tools` broken (they exit 1): how a machine without
    bwrap (or without unshare) looks to the probe, with nothing else changed."""
    fake = tmp_path / "broken-tools"
    fake.mkdir()
    for tool in tools:
        (fake / tool).write_text("#!/bin/sh\nexit 1\n")
        (fake / tool).chmod(0o755)
    return {**os.environ, "PATH": f"{fake}:{os.environ.get('PATH', '/usr/bin:/bin')}"}


@needs_landlock
@pytest.mark.parametrize("level", ["unshare", "landlock"])
def test_a_spawned_kernel_without_bwrap_confines_itself_too(tmp_path, level):
    """Issue 14: `--kernel-launch spawn` stacks Landlock + seccomp under `unshare`, and
    confines itself at the `landlock` level where neither bwrap nor unshare works (it used
    to be the `rlimits` level: no file or network confinement). grade.json says so."""
    from autograder.sandbox.capabilities import probe

    if level == "unshare" and not (os.geteuid() == 0 and probe().unshare):
        pytest.skip("the unshare level needs a root grader that may create namespaces")
    course = build_course(tmp_path / "course")
    repo = StudentRepo(tmp_path / "student")
    # A scratch cell copies what it can of the course to a folder of the grader's: Landlock
    # refuses both the reads and the write (the kernel may keep uid 0 here, see the notes).
    leak = tmp_path / "leak"
    steal = (f"import os\nfor what, fn in (('list', lambda: os.listdir({str(course.root)!r})), "
             f"('write', lambda: 'x')):\n    try:\n        got = fn()\n"
             f"        open({str(leak)!r} + what, 'w').write(str(got))\n    except OSError:\n        pass\n")
    sol = repo.commit({notebook_path(): student_notebook(SOLUTION, scratch_after={"add": [steal]})}, "rendu")
    env = _without(tmp_path, "bwrap") if level == "unshare" else _without(tmp_path, "bwrap", "unshare")

    def grade(ref: str, out: Path) -> dict:
        cmd = [str(ROOT / ".venv" / "bin" / "autograder"), "grade", "--course", str(course.root), "--repo",
               str(repo.path), "--ref", ref, "--tp", MINI, "--out", str(out), "--kernel-launch", "spawn",
               "--sandbox", "strict", "--cell-timeout", "30", "--total-timeout", "120"]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        return json.loads((out / "grade.json").read_text("utf-8"))

    got = grade(sol, tmp_path / "sol")
    sandbox = got["sandbox"]
    assert sandbox["level"] == level and sandbox["landlock_abi"] == ABI, sandbox
    assert sandbox["seccomp"] == seccomp_supported(), sandbox
    assert sandbox["network_isolated"] and sandbox["filesystem_hidden"], sandbox
    assert sandbox["pid_namespace"] == (level == "unshare"), sandbox
    assert any(n.startswith("landlock: Landlock ABI") for n in sandbox["notes"]), sandbox["notes"]
    assert got["score"] == got["max_score"] == MAX_SCORE
    assert not list(tmp_path.glob("leak*")), "the spawned kernel wrote outside its work dir"


@pytest.mark.slow
@needs_landlock
@pytest.mark.parametrize("where", ["user-namespaces", "no-namespaces"])
def test_the_corpus_holds_for_a_non_root_grader(where):
    """Issue 14 item 4: the corpus's network, reading, signal and forging entries, run by a
    user created by the test (pytest itself as that user: its HOME and TMPDIR, no cache, no
    bytecode written in the repo), with user namespaces (bwrap, Landlock stacked) and
    without them (the landlock level; LANDLOCK_DIFFERS says what it stops otherwise)."""
    selection = " or ".join(f"[{name}]" for name in CORPUS_UNDER_DOCKER_PROFILE)
    with a_new_user() as user:
        _own(user)
        # A short --basetemp: pytest's own (TMPDIR/pytest-of-<user>/...) puts the kernels'
        # IPC sockets past Linux's 107-byte path bound (the grader refuses that, naming TMPDIR).
        cmd = [*user.prefix(where), sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
               f"--basetemp={user.base / 'p'}", "-m", "not slow", "tests/hostile/test_corpus.py", "-k", selection]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1200, env=user.env())
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert f"{len(CORPUS_UNDER_DOCKER_PROFILE)} passed" in proc.stdout, proc.stdout[-2000:]
