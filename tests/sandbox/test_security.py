"""Security: hostile student code, graded for real, must not see, reach or change anything.

Two kinds of scenarios:

* probes (TP ``tp_attack``): the student's answer cell tries to read the hidden checks and
  the instructor notebook, list the course, connect to a TCP server of the grader, read
  its environment, write into the reports, the course and the repo, and leave processes
  behind. It records each outcome in ``PROBES``; the hidden checks require "denied/not
  found". A control run with ``--sandbox off`` shows the same probes succeed unconfined.
* verdict attacks (TP ``tp_mini``, wrong answers): exits, monkeypatching numpy/torch,
  fake reports, a fake grader agent, objects equal to everything. The grade stays 0.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.results import Status
from autograder.sandbox.capabilities import landlock_abi, probe, resolve_launcher, seccomp_supported
from autograder.sandbox.plan import (
    SandboxUnavailable,
    is_sandbox_uid,
    strict_available,
    strict_level,
)
from tests.course_builder import (
    ATTACK,
    MAX_SCORE,
    MINI,
    PROBE_NAMES,
    SERVE_LIKE_THE_AGENT,
    SOLUTION,
    WRONG,
    LoopbackServer,
    StudentRepo,
    build_course,
    by_name,
    describe,
    grade,
    notebook_path,
    student_notebook,
)

CAPS = probe()
DEFAULT_LAUNCHER = resolve_launcher("auto")
STRICT_OK = strict_available(DEFAULT_LAUNCHER)
UNAVAILABLE = "bwrap or root unavailable here ({}): the strict sandbox cannot be tested".format(
    "; ".join(CAPS.notes) or "not root"
)
TOKEN = "glcbt-64_fake-ci-job-token-for-the-test"
FAKE_REPORT = "Note : 7 / 7  (tp_mini, commit deadbeef00)"  # what `grade` prints, forged

# -- the probing student code ------------------------------------------------------------

PROBE_BODY = r"""
import errno, os, socket, subprocess, sys, time

PROBES = {}


def _outcome(fn):
    try:
        return "ok:" + repr(fn())[:200]
    except PermissionError:
        return "denied"
    except FileNotFoundError:
        return "not-found"
    except ConnectionRefusedError:
        return "refused"
    except OSError as exc:
        if exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL, errno.ETIMEDOUT):
            return "unreachable"
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return "denied"
        if exc.errno == errno.EAFNOSUPPORT:  # the kernel's seccomp filter: no such socket at all
            return "denied"
        return "error:" + repr(exc)
    except Exception as exc:
        return "error:" + repr(exc)


def _read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read(200)


def _write(path, text):
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)
    return "written"


def _connect():
    s = socket.create_connection(("127.0.0.1", T["port"]), timeout=3)
    s.sendall(b"hello from the student kernel")
    s.close()
    return "connected"


PROBES["read_hidden_check"] = _outcome(lambda: _read(T["hidden_check"]))
PROBES["read_source_notebook"] = _outcome(lambda: _read(T["source_notebook"]))
PROBES["list_work"] = _outcome(lambda: os.listdir("/work"))
PROBES["list_course_root"] = _outcome(lambda: os.listdir(T["course_root"]))
PROBES["tcp_loopback"] = _outcome(_connect)
leaked = [k for k, v in os.environ.items() if k == "CI_JOB_TOKEN" or T["token"] in v]
PROBES["env_ci_job_token"] = "ok:" + ",".join(leaked) if leaked else "absent"
PROBES["uid"] = os.getuid()

if T["attack"]:
    PROBES["write_out_dir"] = _outcome(
        lambda: (_write(os.path.join(T["out_dir"], "pwned.txt"), "PWNED"),
                 _write(os.path.join(T["out_dir"], "grade.json"), '{"score": 7}'))
    )
    PROBES["write_hidden_check"] = _outcome(
        lambda: _write(T["hidden_check"], "\ndef test_pwned():\n    pass\n")
    )
    PROBES["write_repo"] = _outcome(
        lambda: _write(os.path.join(T["repo"], ".git", "hooks", "post-checkout"), "#!/bin/sh\n")
    )
    child = subprocess.Popen(["sleep", "1000"], start_new_session=True)
    os.system("setsid nohup sleep 1000 >/dev/null 2>&1 &")
    time.sleep(0.2)
    print("spawned", child.pid, "alive" if child.poll() is None else "dead")
    print("runtime", os.path.dirname(sys.argv[sys.argv.index("-f") + 1]))
    # Inside its own network namespace an INET socket can be made (connecting is what fails):
    # refused here only by the seccomp filter stacked under the namespaces.
    print("inet-socket", _outcome(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()))
    status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
    print("seccomp-mode", status.get("Seccomp", "?").strip(), "no-new-privs", status.get("NoNewPrivs", "?").strip())
"""


def probe_source(targets: dict) -> str:
    return f"T = {targets!r}\n{PROBE_BODY}"


def snapshot(*roots: Path) -> dict[str, tuple]:
    """Every file and folder under `roots`: mtime, mode, size and content hash."""
    out: dict[str, tuple] = {}
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                p = Path(dirpath) / name
                st = p.lstat()
                digest = ""
                if p.is_file() and not p.is_symlink():
                    digest = hashlib.sha256(p.read_bytes()).hexdigest()
                out[str(p)] = (st.st_mtime_ns, st.st_mode, st.st_size, digest)
    return out


def nobody_sleepers() -> set[int]:
    """PIDs of `sleep 1000` processes owned by nobody."""
    found = set()
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            cmd = (d / "cmdline").read_bytes().split(b"\0")
            status = (d / "status").read_text()
        except OSError:
            continue
        uid_line = next((line for line in status.splitlines() if line.startswith("Uid:")), "")
        uid = uid_line.split()[1:2]
        if cmd[:2] == [b"sleep", b"1000"] and uid and is_sandbox_uid(int(uid[0])):
            found.add(int(d.name))
    return found


def outputs_text(executed: dict) -> str:
    return "".join(
        o.get("text", "")
        for c in executed["cells"]
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
    )


# -- the probe runs ------------------------------------------------------------------------


class Probed:
    def __init__(self, base: Path):
        self.base = base
        self.course = build_course(base / "course")
        self.repo = StudentRepo(base / "student")
        self.out = base / "out"
        self.out.mkdir()
        self.tp = self.course.tp(ATTACK)
        self.hidden_check = self.tp.hidden_checks / f"test_{ATTACK}_hidden.py"
        self.server = LoopbackServer()
        targets = {
            "hidden_check": str(self.hidden_check),
            "source_notebook": str(self.tp.source_notebook),
            "course_root": str(self.course.root),
            "out_dir": str(self.out),
            "repo": str(self.repo.path),
            "port": self.server.port,
            "token": TOKEN,
        }
        assert self.hidden_check.is_file() and self.tp.source_notebook.is_file()
        nb_path = notebook_path(ATTACK)
        attack = student_notebook({"probe": probe_source({**targets, "attack": True})}, tp=ATTACK)
        readonly = student_notebook(
            {"probe": probe_source({**targets, "attack": False})}, tp=ATTACK
        )
        self.repo.commit({nb_path: attack}, "sondes", branch="submission-probes-the-sandbox")
        self.repo.commit({nb_path: readonly}, "sondes", branch="submission-probes-unconfined")


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    p = Probed(tmp_path_factory.mktemp("security"))
    yield p
    p.server.close()


@pytest.fixture(scope="module", params=["fork", "spawn"])
def attacked(probed, request):
    """The probing submission graded under --sandbox strict, with a CI token in the env,
    by a kernel forked from the fork server and by one spawned through bwrap."""
    launcher = request.param
    if not strict_available(launcher):
        with pytest.raises(SandboxUnavailable):
            grade(
                probed.course,
                probed.repo.path,
                "submission-probes-the-sandbox",
                tp=ATTACK,
                sandbox="strict",
                kernel_launch=launcher,
            )
        pytest.skip(UNAVAILABLE)
    before = snapshot(probed.course.root, probed.repo.path)
    sleepers_before = nobody_sleepers()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CI_JOB_TOKEN", TOKEN)
        graded = grade(
            probed.course,
            probed.repo.path,
            "submission-probes-the-sandbox",
            tp=ATTACK,
            out_dir=probed.out,
            sandbox="strict",
            kernel_launch=launcher,
        )
    deadline = time.monotonic() + 5
    while nobody_sleepers() - sleepers_before and time.monotonic() < deadline:
        time.sleep(0.1)
    return {
        "launcher": launcher,
        "graded": graded,
        "report": graded.report,
        "before": before,
        "after": snapshot(probed.course.root, probed.repo.path),
        "leftover_sleepers": nobody_sleepers() - sleepers_before,
        "received": list(probed.server.received),
        "output": outputs_text(graded.executed),
    }


def probe_check(report, name: str):
    return by_name(report)[f"test_probe_denied[{name}]"]


def test_strict_sandbox_was_used_and_switched_user(attacked):
    r = attacked["report"]
    assert r.sandbox.level == strict_level(attacked["launcher"]) and r.sandbox.user_switched, describe(r)
    assert r.sandbox.network_isolated and r.sandbox.filesystem_hidden and r.sandbox.pid_namespace
    assert by_name(r)["test_probe_uid"].status == Status.PASSED, describe(r)
    # The probe cell ran to its end (else PROBES would be incomplete).
    assert "spawned" in attacked["output"], attacked["output"]


def test_landlock_and_seccomp_stack_under_the_namespaces(attacked):
    """Defence in depth: under the namespaces (fork) and bwrap (spawn) levels the kernel
    also confines itself with Landlock and seccomp, and the report says so."""
    r = attacked["report"]
    if landlock_abi() < 1:
        assert r.sandbox.landlock_abi == 0 and any("no Landlock" in n for n in r.sandbox.notes), r.sandbox
        pytest.skip("this Linux has no Landlock: nothing to stack")
    assert r.sandbox.landlock_abi == landlock_abi() and r.sandbox.seccomp == seccomp_supported(), r.sandbox
    assert any(n.startswith(f"stacked under the {r.sandbox.level} level") for n in r.sandbox.notes), r.sandbox.notes
    out = attacked["output"]
    assert "no-new-privs 1" in out, out
    if seccomp_supported():
        assert "inet-socket denied" in out and "seccomp-mode 2" in out, out


@pytest.mark.parametrize("name", ["read_hidden_check", "read_source_notebook"])
def test_student_cannot_read_instructor_files(attacked, name):
    res = probe_check(attacked["report"], name)
    assert res.status == Status.PASSED, res.message


@pytest.mark.parametrize("name", ["list_work", "list_course_root"])
def test_student_cannot_list_the_grader_folders(attacked, name):
    res = probe_check(attacked["report"], name)
    assert res.status == Status.PASSED, res.message


def test_student_cannot_reach_a_loopback_server_of_the_grader(attacked):
    res = probe_check(attacked["report"], "tcp_loopback")
    assert res.status == Status.PASSED, res.message
    assert attacked["received"] == []


def test_student_does_not_see_grader_environment(attacked):
    res = probe_check(attacked["report"], "env_ci_job_token")
    assert res.status == Status.PASSED, res.message


def test_student_cannot_write_reports_course_or_repo(attacked, probed):
    r = attacked["report"]
    for name in ("write_out_dir", "write_hidden_check", "write_repo"):
        res = probe_check(r, name)
        assert res.status == Status.PASSED, res.message
    assert sorted(p.name for p in probed.out.iterdir()) == [
        "executed.ipynb",
        "feedback.html",
        "feedback.md",
        "grade.json",
        "junit.xml",
    ]
    data = json.loads((probed.out / "grade.json").read_text("utf-8"))
    assert data["score"] == r.score and data["max_score"] == r.max_score
    assert "PWNED" not in (probed.out / "grade.json").read_text("utf-8")


def test_no_file_of_the_course_or_repo_changed(attacked):
    assert attacked["after"] == attacked["before"]


def test_every_probe_is_denied_so_full_marks(attacked):
    r = attacked["report"]
    assert r.score == r.max_score == len(PROBE_NAMES) + 1, describe(r)


def test_spawned_processes_are_gone_after_grading(attacked):
    assert "alive" in attacked["output"], attacked["output"]
    assert attacked["leftover_sleepers"] == set()


def test_sandbox_work_folders_are_removed(attacked):
    line = next(x for x in attacked["output"].splitlines() if x.startswith("runtime "))
    runtime = Path(line.split(" ", 1)[1])
    assert runtime.is_absolute() and str(runtime) != "/tmp"
    assert not runtime.exists()
    if runtime.parent.name.startswith("ag-run-"):  # the per-submission base folder
        assert not runtime.parent.exists()


def test_control_the_same_probes_succeed_unconfined(probed):
    """With --sandbox off (debugging only) the probes do read and connect: they are real."""
    if os.geteuid() != 0:
        pytest.skip("the control compares with a root grader")
    before = len(probed.server.received)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CI_JOB_TOKEN", TOKEN)
        r = grade(
            probed.course,
            probed.repo.path,
            "submission-probes-unconfined",
            tp=ATTACK,
            sandbox="off",
        ).report
    assert r.sandbox.level == "none" and not r.sandbox.user_switched
    checks = by_name(r)
    for name in ("read_hidden_check", "read_source_notebook", "list_course_root", "tcp_loopback"):
        res = checks[f"test_probe_denied[{name}]"]
        assert res.status == Status.FAILED and "ok:" in res.message.fr, (name, res.message)
    # Even unconfined, the environment is scrubbed.
    assert checks["test_probe_denied[env_ci_job_token]"].status == Status.PASSED
    assert checks["test_probe_uid"].status == Status.FAILED  # root
    assert len(probed.server.received) == before + 1
    assert probed.server.received[-1] == b"hello from the student kernel"


def test_strict_refuses_where_the_sandbox_is_unavailable(probed):
    if STRICT_OK:
        pytest.skip("bwrap, root and setpriv are available: strict grading is tested above")
    with pytest.raises(SandboxUnavailable) as info:
        grade(
            probed.course,
            probed.repo.path,
            "submission-probes-the-sandbox",
            tp=ATTACK,
            sandbox="strict",
        )
    assert "--sandbox strict" in info.value.message.fr


# -- attacks on the verdict ------------------------------------------------------------------

FAKE_AGENT = '''
import json, os

class _FakeAgent:
    """Answers every request of the grader with 'ok', without running anything."""
    def run(self, d):
        with open(os.path.join(d, "result.json"), "w") as f:
            json.dump({"ok": True, "value": True}, f)
''' + SERVE_LIKE_THE_AGENT + '''
__autograder_agent__ = _FakeAgent()

def _reinstall(*args, **kwargs):
    get_ipython().user_ns["__autograder_agent__"] = _FakeAgent()

# Survive the grader re-injecting its agent after the notebook.
get_ipython().events.register("pre_execute", _reinstall)
get_ipython().events.register("post_execute", _reinstall)
'''

MONKEYPATCH = """
import numpy as np
import numpy.testing
import torch

np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.shape(b), dtype=bool)
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_equal = lambda *a, **k: None
torch.allclose = lambda *a, **k: True
torch.equal = lambda *a, **k: True
torch.testing.assert_close = lambda *a, **k: None
"""

ALWAYS_EQUAL = {
    "add": (
        "class AlwaysEqual:\n"
        "    def __eq__(self, other):\n        return True\n"
        "    def __ne__(self, other):\n        return False\n"
        "    def __float__(self):\n        return 5.0\n"
        "    __hash__ = object.__hash__\n\n"
        "def add(a, b):\n    return AlwaysEqual()\n"
    ),
    "square": (
        "class F(float):\n    def __eq__(self, other):\n        return True\n\n"
        "def square(x):\n    return F(1.0)\n"
    ),
    "scale": (
        "class Evil(np.ndarray):\n"
        "    def __eq__(self, other):\n        return np.ones(np.shape(other), dtype=bool)\n"
        "    def __array_ufunc__(self, *args, **kwargs):\n        return np.zeros(3)\n\n"
        "def scale(v, k):\n    return np.zeros(np.shape(v)).view(Evil)\n"
    ),
}

FAKE_PRINT = f"""
import os, sys
print({FAKE_REPORT!r})
print('{{"score": 7.0, "max_score": 7.0}}')
os.write(1, b{FAKE_REPORT!r} + b"\\n")
os.write(2, b{FAKE_REPORT!r} + b"\\n")
sys.__stdout__.write({FAKE_REPORT!r} + "\\n")
sys.__stdout__.flush()
"""

VERDICT_ATTACKS = {
    "submission-sys-exit-zero-in-cell": (WRONG, {"given_mid": ["import sys\nsys.exit(0)\n"]}),
    "submission-os-exit-zero-in-cell": (WRONG, {"given_end": ["import os\nos._exit(0)\n"]}),
    "submission-monkeypatches-numpy-and-torch": (WRONG, {"setup": [MONKEYPATCH]}),
    "submission-redefines-grader-agent": (WRONG, {"given_end": [FAKE_AGENT]}),
    "submission-returns-always-equal-objects": (ALWAYS_EQUAL, {}),
    "submission-prints-fake-passing-report": (WRONG, {"given_end": [FAKE_PRINT]}),
}


@pytest.fixture(scope="module")
def verdict(tmp_path_factory):
    base = tmp_path_factory.mktemp("verdict")
    course = build_course(base / "course")
    repo = StudentRepo(base / "student")
    first = repo.commit({"README.md": b"depot\n"}, "init")
    for name, (answers, scratch) in VERDICT_ATTACKS.items():
        nb = student_notebook(answers, scratch_after=scratch)
        repo.commit({notebook_path(): nb}, name, branch=name, start=first)
    return course, repo, base


def graded_attack(verdict, name: str):
    course, repo, base = verdict
    r = grade(course, repo.path, name, out_dir=base / "out" / name).report
    assert (r.score, r.max_score) == (0.0, MAX_SCORE), describe(r)
    assert not any(c.status == Status.PASSED for c in r.checks), describe(r)
    return r


def test_sys_exit_zero_in_a_cell_changes_nothing(verdict):
    r = graded_attack(verdict, "submission-sys-exit-zero-in-cell")
    scratch = next(c for c in r.cells if c.origin == "student-scratch")
    assert scratch.status == "error" and "SystemExit" in scratch.error.fr
    # The notebook went on: the answers after it ran, and were checked (and are wrong).
    assert all(c.status == "ok" for c in r.cells if c.index > scratch.index)
    assert all(c.status == Status.FAILED for c in r.checks)


def test_os_exit_zero_is_a_death_not_a_success(verdict):
    r = graded_attack(verdict, "submission-os-exit-zero-in-cell")
    assert [p.code for p in r.problems] == ["kernel-died"]
    assert all(c.status == Status.ERROR for c in r.checks)


def test_monkeypatching_numpy_and_torch_in_the_kernel_changes_nothing(verdict):
    r = graded_attack(verdict, "submission-monkeypatches-numpy-and-torch")
    assert all(c.status == "ok" for c in r.cells), describe(r)
    assert by_name(r)["test_square_random"].status == Status.FAILED


def test_redefining_the_grader_agent_does_not_raise_the_grade(verdict):
    r = graded_attack(verdict, "submission-redefines-grader-agent")
    assert all(c.status == "ok" for c in r.cells), describe(r)


def test_objects_equal_to_everything_still_fail(verdict):
    r = graded_attack(verdict, "submission-returns-always-equal-objects")
    checks = by_name(r)
    assert checks["test_add_exact"].status == Status.FAILED  # `got == 6` with a bare assert
    assert "Handle" in checks["test_add_small"].message.fr
    assert checks["test_scale_random"].status == Status.FAILED
    assert checks["test_scale_shape"].status == Status.FAILED


def test_printing_a_fake_report_changes_nothing(verdict):
    course, repo, base = verdict
    out = base / "out-cli"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade",
            "--course",
            str(course.root),
            "--repo",
            str(repo.path),
            "--ref",
            "submission-prints-fake-passing-report",
            "--tp",
            MINI,
            "--out",
            str(out),
            "--cell-timeout",
            "4",
            "--total-timeout",
            "30",
            "--call-timeout",
            "3",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    notes = [line for line in proc.stdout.splitlines() if line.startswith("Note")]
    assert len(notes) == 1 and notes[0].startswith("Note : 0 / 7"), proc.stdout
    assert FAKE_REPORT not in proc.stdout + proc.stderr
    data = json.loads((out / "grade.json").read_text("utf-8"))
    assert data["score"] == 0.0 and data["max_score"] == MAX_SCORE
    for name in ("grade.json", "junit.xml", "feedback.md", "feedback.html"):
        assert "7 / 7" not in (out / name).read_text("utf-8")
    # The student's print is kept where it belongs: in the executed notebook's outputs.
    assert FAKE_REPORT in (out / "executed.ipynb").read_text("utf-8")


SQUAT_EXCHANGE = """
import os, sys
runtime = os.path.dirname(sys.argv[sys.argv.index("-f") + 1])
done = []
for name in ("xchg", "exchange", "req-00001"):
    try:
        os.mkdir(os.path.join(runtime, name))
        done.append(name)
    except OSError:  # refused, or the grader's already
        pass
try:
    os.symlink("/etc", os.path.join(runtime, "xchg-etc"))
    done.append("xchg-etc")
except PermissionError:
    pass
print("squatted", done or "nothing: the runtime folder is the grader's")
"""


def test_squatting_the_grader_exchange_folder_does_not_break_grading(tmp_path):
    """The runtime folder is the grader's (the kernel owns only its socket folder there):
    the kernel can neither plant names in it nor stop the grader."""
    course = build_course(tmp_path / "course")
    repo = StudentRepo(tmp_path / "student")
    nb = student_notebook(SOLUTION, scratch_after={"given_end": [SQUAT_EXCHANGE]})
    repo.commit({notebook_path(): nb}, "squat", branch="submission-squats-the-exchange-folder")
    graded = grade(course, repo.path, "submission-squats-the-exchange-folder")
    r = graded.report
    text = outputs_text(graded.executed)
    assert "squatted" in text, describe(r)
    if graded.report.sandbox.user_switched:  # the kernel runs as another user than the grader
        assert "nothing: the runtime folder is the grader's" in text, text
    assert r.score == r.max_score == MAX_SCORE, describe(r)


SWAP_AGENT = """
import json, os

class _SwapAgent:
    '''Moves the grader's request folder away and puts a symlink to a grader-side folder.'''
    def run(self, d):
        try:
            os.rename(d, d + ".moved")
            os.symlink({host!r}, d)
            SWAPS.append("swapped")
        except OSError as exc:
            SWAPS.append(type(exc).__name__)
""" + SERVE_LIKE_THE_AGENT + """
SWAPS = []
__autograder_agent__ = _SwapAgent()

def _reinstall(*args, **kwargs):
    get_ipython().user_ns["__autograder_agent__"] = _SwapAgent()

get_ipython().events.register("post_execute", _reinstall)
"""


def test_swapping_the_request_folder_for_a_symlink_reads_nothing_outside(tmp_path):
    """The grader must read the answer from the folder it made, never through a link."""
    host = tmp_path / "grader-side"
    host.mkdir()
    # Any grader-side file that happens to look like an answer must stay out of reach.
    (host / "result.json").write_text('{"ok": true, "value": 5.0}', encoding="utf-8")
    course = build_course(tmp_path / "course")
    repo = StudentRepo(tmp_path / "student")
    nb = student_notebook(WRONG, scratch_after={"given_end": [SWAP_AGENT.format(host=str(host))]})
    repo.commit({notebook_path(): nb}, "swap", branch="submission-swaps-the-request-folder")
    r = grade(course, repo.path, "submission-swaps-the-request-folder").report
    assert r.score == 0.0, describe(r)
    assert by_name(r)["test_add_small"].status != Status.PASSED, describe(r)


SWAP_EXCHANGE = """
import os

class _SwapExchange:
    '''Renames the grader's exchange folder and leaves a symlink to a grader-side folder.'''
    def run(self, d):
        exchange = os.path.dirname(d)
        try:
            os.rename(exchange, exchange + ".moved")
            os.symlink({host!r}, exchange)
            SWAPS.append("swapped")
        except OSError as exc:
            SWAPS.append(type(exc).__name__)
""" + SERVE_LIKE_THE_AGENT + """
SWAPS = []
__autograder_agent__ = _SwapExchange()

def _reinstall(*args, **kwargs):
    get_ipython().user_ns["__autograder_agent__"] = _SwapExchange()

get_ipython().events.register("post_execute", _reinstall)
"""


def test_swapping_the_exchange_folder_for_a_symlink_writes_nothing_outside(tmp_path):
    """The grader (root) must not create request folders where the kernel points it."""
    host = tmp_path / "grader-side"
    host.mkdir()
    (host / "keep.txt").write_text("instructor file")
    before = snapshot(host)
    course = build_course(tmp_path / "course")
    repo = StudentRepo(tmp_path / "student")
    nb = student_notebook(
        WRONG, scratch_after={"given_end": [SWAP_EXCHANGE.format(host=str(host))]}
    )
    repo.commit({notebook_path(): nb}, "swap", branch="submission-swaps-the-exchange-folder")
    r = grade(course, repo.path, "submission-swaps-the-exchange-folder").report
    assert snapshot(host) == before, sorted(p.name for p in host.iterdir())
    assert r.score == 0.0, describe(r)
    # The exchange folder's parent is the grader's: the rename is refused (the forged agent
    # then answers nothing). Where the kernel runs as the grader's own user (levels without a
    # user switch) the swap succeeds and every call says the folder was tampered with.
    messages = [c.message.fr for c in r.checks if c.message]
    said = ("dossier d'échange du correcteur a été modifié", "réponse absente")
    assert messages and all(any(x in m for x in said) for m in messages), describe(r)
