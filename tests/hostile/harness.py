"""Grade corpus entries for real and measure everything the requirements need.

One `Corpus` per test module: a fixture course with planted secrets, a second student's
repo and report to snoop on, a loopback server, and one student repo where each entry is
a branch built from the untouched release. `Corpus.grade(entry)` builds the commit,
grades it (in this process, `grade_commit` as the CLI does, `--sandbox strict`, with a fake
CI_JOB_TOKEN in the environment) and records what the checks of `test_corpus` read:
reports in FR and EN, wall time, processes of the kernel's uid, file snapshots, the
grader's temporary folder and its peak memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import autograder.grading.grade as grade_mod
from autograder.checks.values import fmt_value
from autograder.config import GradeOptions
from autograder.course import Course
from autograder.grading.grade import Graded, grade_commit
from autograder.intake.gitread import read_submission
from autograder.intake.graft import graft, student_code_digest
from autograder.intake.nbio import read_notebook
from autograder.render import to_html, to_json, to_junit, to_markdown
from autograder.results import GradeReport
from autograder.sandbox.plan import SANDBOX_UID_BASE, SANDBOX_UID_SPAN, is_sandbox_uid
from autograder.secret import InputKey, load_secret, student_key
from tests.course_builder import (
    ATTACK,
    FAST,
    MINI,
    SOLUTION,
    LoopbackServer,
    StudentRepo,
    build_course,
    notebook_path,
    student_notebook,
)
from tests.hostile.corpus import FAKE_REPORT, Entry, GitCtx, dumps, student_sources

REPO_ROOT = Path(__file__).resolve().parents[2]
REPORT_FILES = ("grade.json", "junit.xml", "feedback.md", "feedback.html")
#: Seconds granted on top of the notebook budget (kernel start, agent, checks, rendering)
#: on 2 shared cores.
MARGIN_S = 25.0
#: Largest report file, executed notebook apart (its outputs are capped per cell).
MAX_REPORT_BYTES = 1_000_000
MAX_EXECUTED_BYTES = 9_000_000  # kernel.py keeps 8 MiB of outputs per notebook
#: Growth of the grader's resident memory during one grading.
PEAK_MB = 300.0  # 180 MB of it: the first grading's imports (pytest, checks) in a fresh process

#: Filled by Corpus.grade, printed at the end of the session (conftest).
TIMINGS: dict[str, dict[str, float]] = {}


# -- measurements ------------------------------------------------------------------------------


def snapshot(*roots: Path, exclude: tuple[Path, ...] = ()) -> dict[str, tuple]:
    """Every entry under `roots`: mode, size, mtime and (below 1 MB) a content hash."""
    out: dict[str, tuple] = {}
    for root in roots:
        if not root.exists():
            out[str(root)] = ("absent",)
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            here = Path(dirpath)
            dirnames[:] = [d for d in dirnames if here / d not in exclude]
            for name in dirnames + filenames:
                p = here / name
                if p in exclude:
                    continue
                st = p.lstat()
                digest = ""
                if p.is_file() and not p.is_symlink() and st.st_size < 1_000_000:
                    digest = hashlib.sha256(p.read_bytes()).hexdigest()
                out[str(p)] = (st.st_mode, st.st_size, st.st_mtime_ns, digest)
    return out


def diff(before: dict[str, tuple], after: dict[str, tuple]) -> list[str]:
    changed = [f"changed {k}" for k in before if k in after and before[k] != after[k]]
    changed += [f"removed {k}" for k in before if k not in after]
    changed += [f"added {k}" for k in after if k not in before]
    return changed


def sandbox_processes() -> dict[int, tuple[int, str]]:
    """pid -> (real uid, name) of every process owned by a sandbox uid."""
    found: dict[int, tuple[int, str]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            status = (d / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        uid = int(fields.get("Uid", "-1 0").split()[0])
        if is_sandbox_uid(uid):
            found[int(d.name)] = (uid, fields.get("Name", "?").strip())
    return found


def own_uid_block() -> set[int]:
    """The 16 uids `slot.next_uid` hands out in this process."""
    start = SANDBOX_UID_BASE + (os.getpid() % (SANDBOX_UID_SPAN // 16)) * 16
    return set(range(start, start + 16))


def rss_kb(field_name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def outputs_text(nb: dict[str, Any] | None) -> str:
    """Every output of the executed notebook as text (streams, rich text, errors)."""
    if not nb:
        return ""
    parts: list[str] = []
    for cell in nb.get("cells", []):
        for o in cell.get("outputs", []) or []:
            if o.get("output_type") == "stream":
                parts.append(str(o.get("text", "")))
            elif o.get("output_type") == "error":
                parts.append(f"{o.get('ename')}: {o.get('evalue')}")
            else:
                for v in (o.get("data") or {}).values():
                    parts.append(str(v))
    return "\n".join(parts)


def json_strings(data: Any) -> str:
    """All strings of a JSON document, one per line (messages without JSON escapes)."""
    out: list[str] = []

    def walk(v: Any) -> None:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(data)
    return "\n".join(out)


# -- secrets -----------------------------------------------------------------------------------


def hidden_lines(path: Path) -> list[str]:
    """Lines of a hidden check that only its source holds (not imports, decorators, names)."""
    keep = []
    for raw in path.read_text("utf-8").splitlines():
        line = raw.strip()
        if len(line) < 20 or line.startswith(("import ", "from ", "@", "def ", "#", '"""')):
            continue
        keep.append(line)
    return keep


def hidden_expected_values(key: InputKey) -> list[str]:
    """What tp_mini's hidden checks expect on their grader-chosen inputs, as reports would
    print them (6 significant digits, the check library's format)."""
    values: list[float] = []
    rng = np.random.default_rng(key.derive("inputs", "test_square_random"))
    values += list((rng.normal(size=5) ** 2).ravel())
    rng = np.random.default_rng(key.derive("inputs", "test_add_random"))
    a, b = (float(v) for v in rng.normal(size=2))
    values.append(a + b)
    rng = np.random.default_rng(key.derive("inputs", "test_scale_random"))
    v = rng.normal(size=(3, 4))
    k = float(rng.normal())
    values += list((v * k).ravel())
    shown = {fmt_value(x) for x in values}
    return sorted(s for s in shown if len(s.lstrip("-").replace(".", "")) >= 5)


# -- one graded entry --------------------------------------------------------------------------


@dataclass
class Run:
    entry: Entry
    ref: str
    out: Path
    wall_s: float = 0.0
    report: GradeReport | None = None
    executed: dict[str, Any] | None = None
    error: str = ""
    files: dict[str, bytes] = field(default_factory=dict)  # name -> bytes, as written (FR)
    en: dict[str, str] = field(default_factory=dict)  # name -> text rendered in English
    slot_uids: list[int] = field(default_factory=list)
    leftover_processes: dict[int, tuple[int, str]] = field(default_factory=dict)
    changed_files: list[str] = field(default_factory=list)
    host_tmp_leftovers: list[str] = field(default_factory=list)
    grader_tmp_leftovers: list[str] = field(default_factory=list)
    received: list[bytes] = field(default_factory=list)
    peak_mb: float | None = None
    budget_s: float = 0.0
    student_source: str = ""
    expected_values: list[str] = field(default_factory=list)  # hidden checks' expected values on this run's inputs


class Corpus:
    """The course, the repos and the grading of entries (each graded once, then cached)."""

    def __init__(self, base: Path):
        self.base = base
        self.nonce = "hostile-" + secrets.token_hex(6)
        self.token = f"glcbt-64_fake-ci-job-token-{self.nonce}"
        self.course: Course = build_course(base / "course")
        self._preload_numpy_only()
        self.markers = self._plant_secrets()
        self.repo = StudentRepo(base / "students" / "alice")
        self.nb_path = notebook_path(MINI)
        self.base_sha = self.repo.commit({self.nb_path: student_notebook()}, "sujet")
        self._other_student()
        self.out_root = base / "out"
        self.out_root.mkdir()
        self.grader_tmp = base / "gtmp"
        self.grader_tmp.mkdir()
        self.server = LoopbackServer()
        self.options = GradeOptions(**{**FAST, "sandbox": "strict"})
        tp = self.course.tp(MINI)
        self.hidden = [tp.hidden_checks / f"test_{MINI}_hidden.py"]
        self.hidden.append(self.course.tp(ATTACK).hidden_checks / f"test_{ATTACK}_hidden.py")
        self.secret_strings = [*self.all_markers, self.token] + [
            line for h in self.hidden for line in hidden_lines(h)
        ]
        # The key grade_commit derives the hidden inputs from: the course's secret, this
        # student (the repo's path, as `grade` defaults it) and the options' variant.
        self.input_key = InputKey(load_secret(self.course.root), student_key(str(self.repo.path)), self.options.seed)
        self.runs: dict[str, Run] = {}

    # -- setup ---------------------------------------------------------------------------------
    def _preload_numpy_only(self) -> None:
        """The corpus starts ~70 kernels: preloading torch in each costs minutes on 2 cores.

        Only two entries use torch; they import it in a cell given a 30 s cell budget.
        """
        toml = self.course.tp(MINI).source_dir / "tp.toml"
        text = toml.read_text("utf-8")
        if 'preload = ["numpy", "torch"]' in text:
            toml.write_text(
                text.replace('preload = ["numpy", "torch"]', 'preload = ["numpy"]'), "utf-8"
            )
        assert self.course.tp(MINI).config.preload == ("numpy",)

    def _plant_secrets(self) -> list[str]:
        """Markers in every file a student must never see, so a leak is easy to spot."""
        markers = []
        for tp_id in (MINI, ATTACK):
            tp = self.course.tp(tp_id)
            for check in tp.hidden_checks.glob("test_*.py"):
                m = f"HIDDEN-CHECK-MARKER-{tp_id}-{self.nonce}"
                check.write_text(f"# {m}\n" + check.read_text("utf-8"), "utf-8")
                markers.append(m)
            m = f"SOURCE-NOTEBOOK-MARKER-{tp_id}-{self.nonce}"
            nb = json.loads(tp.source_notebook.read_text("utf-8"))
            nb["cells"].insert(
                0, {"cell_type": "markdown", "id": "marker", "metadata": {}, "source": m}
            )
            tp.source_notebook.write_text(json.dumps(nb), "utf-8")
            markers.append(m)
            m = f"SOLUTION-MARKER-{tp_id}-{self.nonce}"
            tp.solution_dir.mkdir(parents=True, exist_ok=True)
            nb["cells"][0]["source"] = m
            tp.solution_notebook.write_text(json.dumps(nb), "utf-8")
            markers.append(m)
        return markers

    def _other_student(self) -> None:
        self.other = StudentRepo(self.base / "students" / "bob")
        m = f"OTHER-STUDENT-MARKER-{self.nonce}"
        nb = student_notebook(SOLUTION)
        nb["cells"].insert(0, {"cell_type": "markdown", "id": "m", "metadata": {}, "source": m})
        self.other.commit({self.nb_path: nb}, "rendu de bob")
        self.other_results = self.base / "out-other" / "grade.json"
        self.other_results.parent.mkdir()
        r = f"OTHER-RESULT-MARKER-{self.nonce}"
        self.other_results.write_text(json.dumps({"score": 7.0, "student": r}), "utf-8")
        self.markers_extra = [m, r]

    @property
    def all_markers(self) -> list[str]:
        return self.markers + self.markers_extra

    def targets(self, entry: Entry) -> dict[str, Any]:
        tp = self.course.tp(MINI)
        return {
            "out_dir": str(self.out_root / entry.name),
            "out_root": str(self.out_root),
            "hidden_check": str(self.hidden[0]),
            "hidden_dir": str(tp.hidden_checks),
            "course_root": str(self.course.root),
            "source_notebook": str(tp.source_notebook),
            "solution_notebook": str(tp.solution_notebook),
            "release_dir": str(tp.release_dir),
            "real_hidden_dir": str(REPO_ROOT / "source" / "tp01_gradients" / "checks" / "hidden"),
            "real_solutions_dir": str(REPO_ROOT / "solutions"),
            "real_source_dir": str(REPO_ROOT / "source"),
            "real_scenarios": str(REPO_ROOT / "source" / "tp01_gradients" / "scenarios.py"),
            "other_repo": str(self.other.path),
            "other_notebook": str(self.other.path / self.nb_path),
            "other_results": str(self.other_results),
            "repo": str(self.repo.path),
            "grader_tmp": str(self.grader_tmp),
            "port": self.server.port,
            "grader_pid": os.getpid(),
            "token": self.token,
            "nonce": self.nonce,
            "fake_report": FAKE_REPORT,
        }

    def build(self, entry: Entry) -> tuple[str, str]:
        """Commit the entry on its own branch; returns (ref, the student's sources)."""
        branch = f"submission-{entry.name}"
        T = self.targets(entry)
        # Start every build from a clean checkout of the base commit, whatever the last did.
        self.repo.git("checkout", "-q", "-f", "--detach", self.base_sha)
        self.repo.git("clean", "-q", "-f", "-d", "-x")
        if entry.git is not None:
            ref = entry.git(GitCtx(self.repo, branch, self.base_sha, self.nb_path, T))
            return ref, ""
        answers, scratch = student_sources(entry, T)
        nb = student_notebook(answers, scratch_after=scratch)
        content = entry.notebook(nb) if entry.notebook is not None else nb
        ref = self.repo.commit(
            {self.nb_path: dumps(content)}, entry.name, branch=branch, start=self.base_sha
        )
        source = "\n".join([*answers.values(), *(s for v in scratch.values() for s in v)])
        return ref, source

    # -- grading -------------------------------------------------------------------------------
    def grade(self, entry: Entry) -> Run:
        if entry.name in self.runs:
            return self.runs[entry.name]
        ref, source = self.build(entry)
        out = self.out_root / entry.name
        run = Run(entry, ref, out, student_source=source)
        watched = (
            self.course.root,
            self.repo.path,
            self.other.path,
            self.other_results.parent,
            self.out_root,
        )
        before = snapshot(*watched, exclude=(out,))
        procs_before = sandbox_processes()
        received_before = len(self.server.received)
        options = self.options
        if entry.options:
            options = GradeOptions(**{**FAST, "sandbox": "strict", **entry.options})

        launched: list[int] = []
        real_launch = grade_mod.launch

        def launch(spec):  # records the uid each kernel runs as
            slot = real_launch(spec)
            if slot.plan.run_as:
                launched.append(slot.plan.run_as[0])
            return slot

        saved_tempdir = tempfile.tempdir
        rss0 = rss_kb("VmRSS")
        measured = reset_peak_rss()
        t0 = time.monotonic()
        grade_mod.launch = launch
        tempfile.tempdir = str(self.grader_tmp)
        try:
            graded: Graded = grade_commit(
                self.course, MINI, repo=str(self.repo.path), ref=ref, options=options, out_dir=out
            )
            run.report, run.executed = graded.report, graded.executed
        except BaseException as exc:  # noqa: BLE001 - a grader crash is what we look for
            if isinstance(exc, KeyboardInterrupt):
                raise
            run.error = "".join(traceback.format_exception(exc))[-3000:]
        finally:
            tempfile.tempdir = saved_tempdir
            grade_mod.launch = real_launch
            run.wall_s = round(time.monotonic() - t0, 2)
        if measured:
            run.peak_mb = round((rss_kb("VmHWM") - rss0) / 1024, 1)
        run.slot_uids = launched

        # Processes: whatever ran as the kernel's uid must go (PID namespace) - give it 10 s.
        watch_uids = set(launched) | own_uid_block()
        deadline = time.monotonic() + 10
        while True:
            left = {
                pid: info
                for pid, info in sandbox_processes().items()
                if info[0] in watch_uids and pid not in procs_before
            }
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        run.leftover_processes = left
        for pid in left:  # never leave them running on a shared machine
            try:
                os.kill(pid, 9)
            except OSError:
                pass

        run.changed_files = diff(before, snapshot(*watched, exclude=(out,)))
        run.host_tmp_leftovers = sorted(p for p in os.listdir("/tmp") if self.nonce in p)
        for name in run.host_tmp_leftovers:  # a leak: remove what the test itself can name
            subprocess.run(["rm", "-rf", "--", f"/tmp/{name}"], check=False)
        run.grader_tmp_leftovers = sorted(os.listdir(self.grader_tmp))
        for name in run.grader_tmp_leftovers:
            # rm copes with any depth (shutil.rmtree does not on Python 3.11).
            subprocess.run(["rm", "-rf", "--", str(self.grader_tmp / name)], check=False)
        run.received = self.server.received[received_before:]
        run.expected_values = hidden_expected_values(self.key_of(ref))

        if out.is_dir():
            run.files = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
        if run.report is not None:
            r = run.report
            run.en = {
                "grade.json": to_json(r, "en"),
                "junit.xml": to_junit(r, "en"),
                "feedback.md": to_markdown(r, "en"),
                "feedback.html": to_html(r, "en"),
            }
        given_back = run.report.durations.get("cpu_wait_given_back", 0.0) if run.report is not None else 0.0
        run.budget_s = self.budget_s(entry, options, given_back)
        TIMINGS[entry.name] = {"wall_s": run.wall_s, "budget_s": run.budget_s, "slow": entry.slow}
        self.runs[entry.name] = run
        return run

    def key_of(self, ref: str) -> InputKey:
        """The key of the hidden inputs `ref` is graded with, worked out here from the course's
        secret, the student and the code the commit holds (its cells grafted onto the release)."""
        try:
            student_nb = read_notebook(read_submission(str(self.repo.path), ref, self.nb_path).data, ref)
        except Exception:  # noqa: BLE001 - an unreadable commit runs nothing: no hidden input is drawn
            return self.input_key
        grafted = graft(json.loads(self.course.tp(MINI).release_notebook.read_text("utf-8")), student_nb)
        digest = student_code_digest(grafted.notebook, grafted.origins)
        return InputKey(self.input_key.secret, self.input_key.student, self.input_key.variant, code=digest)

    @staticmethod
    def budget_s(entry: Entry, options: GradeOptions, given_back: float = 0.0) -> float:
        """The notebook's budget, plus what a loaded machine made the grader give back (the
        report says how much: autograder.sandbox.stall, at most 3x the budgets), the entry's extra
        and a margin."""
        total = options.total_timeout or 30.0
        return total + min(given_back, 3 * total) + entry.extra_s + MARGIN_S

    def close(self) -> None:
        self.server.close()
        # Work dirs are gone already; this only guards against a deep tree left behind.
        subprocess.run(["rm", "-rf", "--", str(self.grader_tmp)], check=False)


def cells_by_selector(report: GradeReport) -> dict[str, Any]:
    """grade_id -> CellRun, plus "scratch", "scratch1", "scratch2"... for student cells."""
    out: dict[str, Any] = {}
    n = 0
    for c in report.cells:
        if c.origin == "student-scratch":
            n += 1
            out[f"scratch{n}"] = c
            out.setdefault("scratch", c)
        elif c.grade_id:
            out[c.grade_id] = c
    return out


def found(pattern: str, text: str) -> bool:
    return re.search(pattern, text) is not None


def rm_tree(path: Path) -> None:
    if path.exists():
        subprocess.run(["rm", "-rf", "--", str(path)], check=False)
    shutil.rmtree(path, ignore_errors=True)
