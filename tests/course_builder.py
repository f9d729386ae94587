"""A tiny course in a temporary folder, and real git repos holding student notebooks.

The course has two TPs:

* ``tp_mini``: three answer cells (``add``, ``square``, ``scale``) between locked given
  cells, with public and hidden pytest checks written against the `submission` fixture;
* ``tp_attack``: one answer cell (``probe``) where hostile student code records what it
  could reach in a ``PROBES`` dict, and hidden checks that require "denied/not found".

Student notebooks are the release notebook with answer-cell sources replaced (and
optional scratch cells); `StudentRepo` commits them with the git CLI, hooks disabled
while building so that a test can install hooks afterwards.
"""

from __future__ import annotations

import copy
import json
import os
import socket
import subprocess
import textwrap
import threading
from pathlib import Path
from typing import Any

from autograder.config import GradeOptions
from autograder.course import Course
from autograder.grading.grade import Graded, grade_commit
from autograder.secret import create_secret

MINI = "tp_mini"
ATTACK = "tp_attack"

#: Small budgets keep the suite fast; tp.toml holds the same values.
FAST = {"cell_timeout": 4.0, "total_timeout": 30.0, "call_timeout": 3.0}

# -- tp_mini -----------------------------------------------------------------------------

STUBS = {
    "add": "def add(a, b):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n",
    "square": "def square(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n",
    "scale": "def scale(v, k):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n",
}

SOLUTION = {
    "add": "def add(a, b):\n    return a + b\n",
    "square": "def square(x):\n    return np.asarray(x) ** 2\n",
    "scale": "def scale(v, k):\n    return np.asarray(v) * k\n",
}

#: Defined, runs, and wrong on every input the checks use.
WRONG = {
    "add": "def add(a, b):\n    return a - b + 1\n",
    "square": "def square(x):\n    return np.asarray(x) * 2 + 1\n",
    "scale": "def scale(v, k):\n    return np.asarray(v) + k + 1\n",
}

#: Points per item in tp_mini (public + hidden checks).
POINTS = {"add": 3.0, "square": 2.0, "scale": 2.0}
MAX_SCORE = sum(POINTS.values())

MINI_PUBLIC = """
import pytest

from autograder.checks import assert_close


@pytest.mark.item("add")
@pytest.mark.points(1)
def test_add_small(submission):
    assert_close(submission.call("add", 2, 3), 5.0, name="add(2, 3)")
"""

MINI_HIDDEN = """
import numpy as np
import pytest

from autograder.checks import CheckFailed, as_array, assert_close


@pytest.mark.item("square")
@pytest.mark.points(2)
def test_square_random(submission, rng):
    x = rng.normal(size=5)
    assert_close(submission.call("square", x), x**2, name="square(x)")


@pytest.mark.item("add")
@pytest.mark.points(1)
def test_add_random(submission, rng):
    a, b = (float(v) for v in rng.normal(size=2))
    assert_close(submission.call("add", a, b), a + b, name="add(a, b)")


@pytest.mark.item("add")
@pytest.mark.points(1)
def test_add_exact(submission):
    got = submission.call("add", 2, 4)
    assert got == 6


@pytest.mark.item("scale")
@pytest.mark.points(1)
def test_scale_random(submission, rng):
    v = rng.normal(size=(3, 4))
    k = float(rng.normal())
    assert_close(submission.call("scale", v, k), v * k, name="scale(v, k)")


@pytest.mark.item("scale")
@pytest.mark.points(1)
def test_scale_shape(submission):
    got = as_array(submission.call("scale", np.ones((2, 3)), 2.0), "scale(ones, 2)")
    if got.shape != (2, 3) or not np.array_equal(got, np.full((2, 3), 2.0)):
        raise CheckFailed("scale(ones, 2) faux", "scale(ones, 2) is wrong")
"""

# -- tp_attack ---------------------------------------------------------------------------

#: Probe outcomes a check accepts: the sandbox refused, or the thing does not exist there.
#: A `serve` method for a forged agent class: the grader's call-loop protocol (one request
#: folder name per line, `done <name>` once answered), as an attacker who read the grader's
#: source would write it. Forged agents use it to answer with their own `run`.
SERVE_LIKE_THE_AGENT = """
    def serve(self, path):
        import os, socket
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(path)
        pending = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                return
            *lines, pending = (pending + chunk).split(b"\\n")
            for line in lines:
                self.run(os.path.join(os.path.dirname(path), line.decode()))
                conn.sendall(b"done " + line + b"\\n")
"""

DENIED = ("denied", "not-found", "refused", "unreachable", "absent")

PROBE_NAMES = (
    "read_hidden_check",
    "read_source_notebook",
    "list_work",
    "list_course_root",
    "tcp_loopback",
    "env_ci_job_token",
    "write_out_dir",
    "write_hidden_check",
    "write_repo",
)

ATTACK_HIDDEN = f"""
import pytest

from autograder.checks import CheckFailed

DENIED = {DENIED!r}


def _probes(submission):
    probes = submission.get("PROBES")
    if not isinstance(probes, dict):
        raise CheckFailed("PROBES absent", "PROBES missing")
    return probes


@pytest.mark.item("probe")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", {PROBE_NAMES!r})
def test_probe_denied(submission, name):
    got = _probes(submission).get(name)
    if not isinstance(got, str) or got.split(":")[0] not in DENIED:
        raise CheckFailed(f"{{name}}: {{got!r}}", f"{{name}}: {{got!r}}")


@pytest.mark.item("probe")
@pytest.mark.points(1)
def test_probe_uid(submission):
    got = _probes(submission).get("uid")
    if not (got == 65534 or 200000 <= got < 265536):  # nobody or a per-kernel sandbox uid
        raise CheckFailed(f"uid: {{got!r}}", f"uid: {{got!r}}")
"""


def _meta(grade_id: str, *, solution: bool) -> dict[str, Any]:
    return {
        "nbgrader": {
            "grade": False,
            "grade_id": grade_id,
            "locked": not solution,
            "schema_version": 3,
            "solution": solution,
            "task": False,
        }
    }


def _cell(kind: str, gid: str, source: str, *, solution: bool = False) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "cell_type": kind,
        "id": f"cell-{gid.replace('_', '-')}",
        "metadata": _meta(gid, solution=solution),
        "source": source,
    }
    if kind == "code":
        cell["outputs"] = []
        cell["execution_count"] = None
    return cell


def _notebook(cells: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "cells": cells,
    }


def mini_release() -> dict[str, Any]:
    """The student version of tp_mini (what `autograder release` would write)."""
    return _notebook(
        [
            _cell("markdown", "md_intro", "# TP mini\n\nComplétez les cellules réponses."),
            _cell("code", "setup", "import numpy as np\n\nOFFSET = 0\n"),
            _cell("code", "add", STUBS["add"], solution=True),
            _cell("code", "given_mid", "CONSTANT = 3\n"),
            _cell("markdown", "md_square", "## Carré et échelle"),
            _cell("code", "square", STUBS["square"], solution=True),
            _cell("code", "scale", STUBS["scale"], solution=True),
            _cell("code", "given_end", "DONE = True\n"),
        ]
    )


def attack_release() -> dict[str, Any]:
    return _notebook(
        [
            _cell("markdown", "md_intro", "# TP sonde"),
            _cell("code", "setup", "import os\n"),
            _cell("code", "probe", "PROBES = {}\n", solution=True),
            _cell("code", "given_end", "DONE = True\n"),
        ]
    )


def _tp_toml(tp_id: str, title: str) -> str:
    return textwrap.dedent(
        f"""\
        [tp]
        id = "{tp_id}"
        title_fr = "{title}"
        title_en = "{title} (en)"
        notebook = "{tp_id}.ipynb"

        [budget]
        cpu_seconds = 30.0
        gpu_seconds = 30.0
        cell_seconds = 4.0
        memory_mb = 4096

        [kernel]
        # As in a real DL TP: torch is imported before the student's cells, so a cell that
        # imports it is not timed on the import (4 s cells are tight on a loaded machine).
        preload = ["numpy", "torch"]
        """
    )


def _write_tp(
    root: Path, tp_id: str, release: dict[str, Any], public: str | None, hidden: str
) -> None:
    src = root / "source" / tp_id
    (src / "checks" / "public").mkdir(parents=True)
    (src / "checks" / "hidden").mkdir(parents=True)
    (src / "tp.toml").write_text(_tp_toml(tp_id, f"TP {tp_id}"), encoding="utf-8")
    # The instructor notebook: the release with solutions filled in.
    (src / f"{tp_id}.ipynb").write_text(json.dumps(release, indent=1), encoding="utf-8")
    if public is not None:
        (src / "checks" / "public" / f"test_{tp_id}_public.py").write_text(public, "utf-8")
    (src / "checks" / "hidden" / f"test_{tp_id}_hidden.py").write_text(hidden, "utf-8")
    rel = root / "release" / tp_id
    rel.mkdir(parents=True)
    (rel / f"{tp_id}.ipynb").write_text(json.dumps(release, indent=1), encoding="utf-8")
    (rel / "tp.toml").write_text(_tp_toml(tp_id, f"TP {tp_id}"), encoding="utf-8")


def build_course(root: Path) -> Course:
    """Write the course under `root` (with a secret of its own) and return it."""
    root.mkdir(parents=True, exist_ok=True)
    create_secret(root, force=True)
    _write_tp(root, MINI, mini_release(), MINI_PUBLIC, MINI_HIDDEN)
    _write_tp(root, ATTACK, attack_release(), None, ATTACK_HIDDEN)
    # The instructor notebooks hold the solutions (never shipped to students).
    for tp_id, answers in ((MINI, SOLUTION), (ATTACK, {"probe": "PROBES = {}\n"})):
        path = root / "source" / tp_id / f"{tp_id}.ipynb"
        nb = with_answers(json.loads(path.read_text("utf-8")), answers)
        path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return Course(root)


# -- student notebooks -------------------------------------------------------------------


def with_answers(nb: dict[str, Any], answers: dict[str, str]) -> dict[str, Any]:
    """A copy of `nb` whose answer cells with these grade_ids hold these sources."""
    out = copy.deepcopy(nb)
    seen = set()
    for cell in out["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            assert cell["metadata"]["nbgrader"]["solution"], gid
            cell["source"] = answers[gid]
            seen.add(gid)
    assert seen == set(answers), f"no answer cell for {sorted(set(answers) - seen)}"
    return out


def scratch_cell(source: str, cell_id: str) -> dict[str, Any]:
    """A cell the student added: no nbgrader metadata, an id the release does not know."""
    return {
        "cell_type": "code",
        "id": cell_id,
        "metadata": {},
        "source": source,
        "outputs": [],
        "execution_count": None,
    }


def student_notebook(
    answers: dict[str, str] | None = None,
    *,
    tp: str = MINI,
    scratch_after: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """The release of `tp` with `answers`, plus scratch cells after the named grade_ids."""
    base = mini_release() if tp == MINI else attack_release()
    nb = with_answers(base, answers or {})
    if scratch_after:
        cells = []
        for cell in nb["cells"]:
            cells.append(cell)
            gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
            for n, src in enumerate(scratch_after.get(gid, ())):
                cells.append(scratch_cell(src, f"scratch-{gid}-{n}"))
        nb["cells"] = cells
    return nb


def nb_bytes(nb: dict[str, Any]) -> bytes:
    return (json.dumps(nb, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


# -- git ---------------------------------------------------------------------------------

AUTHOR = ("Alice Étudiante", "alice@example.org")
COMMITTER = ("Bob Prof", "bob@example.org")


class StudentRepo:
    """A real git repository (git CLI), committed to without running any hook."""

    def __init__(self, path: Path, *, bare: bool = False):
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main", *(["--bare"] if bare else []))

    def git(self, *args: str, date: str = "2026-01-15T10:00:00+01:00") -> str:
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": AUTHOR[0],
            "GIT_AUTHOR_EMAIL": AUTHOR[1],
            "GIT_COMMITTER_NAME": COMMITTER[0],
            "GIT_COMMITTER_EMAIL": COMMITTER[1],
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_DATE": date,
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        out = subprocess.run(
            ["git", "-c", "core.hooksPath=/dev/null", "-c", "commit.gpgsign=false", *args],
            cwd=self.path,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()

    def commit(
        self,
        files: dict[str, bytes | dict[str, Any] | None],
        message: str,
        *,
        branch: str | None = None,
        start: str | None = None,
        date: str = "2026-01-15T10:00:00+01:00",
    ) -> str:
        """Commit these files (bytes, a notebook dict, or None to delete); returns the sha.

        With `branch`, commit on that branch, created from `start` (default: the
        current HEAD, or an orphan branch in an empty repo).
        """
        if branch is not None:
            if start is not None:
                self.git("checkout", "-q", "-B", branch, start)
            elif self._has_commits():
                self.git("checkout", "-q", "-B", branch)
            else:
                self.git("checkout", "-q", "--orphan", branch)
        for rel, content in files.items():
            path = self.path / rel
            if content is None:
                self.git("rm", "-q", "-r", "--", rel)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            data = nb_bytes(content) if isinstance(content, dict) else content
            path.write_bytes(data)
            self.git("add", "--", rel)
        self.git("commit", "-q", "--allow-empty", "-m", message, date=date)
        return self.git("rev-parse", "HEAD")

    def symlink(self, rel: str, target: str, message: str) -> str:
        """Commit `rel` as a git symlink blob (mode 120000) pointing at `target`."""
        path = self.path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() or path.is_symlink():
            self.git("rm", "-q", "-r", "--", rel)
        os.symlink(target, path)
        self.git("add", "--", rel)
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def _has_commits(self) -> bool:
        try:
            self.git("rev-parse", "-q", "--verify", "HEAD")
        except subprocess.CalledProcessError:
            return False
        return True


def notebook_path(tp: str = MINI) -> str:
    return f"{tp}/{tp}.ipynb"


# -- grading -----------------------------------------------------------------------------


def options(**overrides: Any) -> GradeOptions:
    return GradeOptions(**{**FAST, **overrides})


def grade(
    course: Course,
    repo: Path | str,
    ref: str,
    *,
    tp: str = MINI,
    out_dir: Path | None = None,
    **overrides: Any,
) -> Graded:
    """grade_commit with the suite's small budgets."""
    return grade_commit(
        course, tp, repo=str(repo), ref=ref, options=options(**overrides), out_dir=out_dir
    )


def by_name(report: Any) -> dict[str, Any]:
    """CheckResults of a report by check name (parametrized names included)."""
    return {c.name: c for c in report.checks}


def item_scores(report: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    for c in report.checks:
        out[c.item] = round(out.get(c.item, 0.0) + c.score, 6)
    return out


def problem_codes(report: Any) -> list[str]:
    return [p.code for p in report.problems]


def describe(report: Any) -> str:
    """A compact dump for assertion messages."""
    lines = [f"score {report.score}/{report.max_score}"]
    lines += [f"  problem {p.code}: {p.message.fr} [{p.where}]" for p in report.problems]
    lines += [
        f"  check {c.name} [{c.item}] {c.status} {c.score}/{c.max_score}: "
        f"{c.message.fr if c.message else ''}"
        for c in report.checks
    ]
    lines += [
        f"  cell {c.index} {c.grade_id} {c.origin} {c.status}: {c.error.fr if c.error else ''}"
        for c in report.cells
    ]
    return "\n".join(lines)


# -- network ------------------------------------------------------------------------------


class LoopbackServer:
    """A TCP server in the grader process on 127.0.0.1; records what each connection sent."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    self.received.append(conn.recv(100))
                except OSError:
                    self.received.append(b"")

    def close(self) -> None:
        self._stop.set()
        self.thread.join(5)
        self.sock.close()
