"""Faults of the grader itself: killed mid-grading, a full output disk, two class graders.

* kill -9 of `autograder grade` while the kernel runs: the kernel and everything it started
  die with it (bwrap --die-with-parent, PID namespace), the previous report in --out is
  untouched, and a rerun completes with a whole report.
* a full disk in the output folder (a 64 KiB tmpfs, mounted as root; skipped otherwise):
  no half-written file; a clean error and an intact previous report are known bugs.
* two `grade-class` runs on one class folder: the second is refused cleanly (exit 2) and
  the first finishes unharmed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograder.sandbox.capabilities import probe
from autograder.sandbox.plan import SANDBOX_UID_BASE, SANDBOX_UID_SPAN
from tests.course_builder import (
    FAST,
    MAX_SCORE,
    MINI,
    SOLUTION,
    WRONG,
    StudentRepo,
    build_course,
    notebook_path,
    student_notebook,
)
from tests.hostile.harness import REPORT_FILES, rm_tree, sandbox_processes

CAPS = probe()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (CAPS.bwrap and CAPS.is_root and CAPS.setpriv),
        reason="needs root, bwrap and setpriv (the kernel's processes are tracked by sandbox uid)",
    ),
]
NB = notebook_path()
ALL_FILES = sorted([*REPORT_FILES, "executed.ipynb"])
CLI = [sys.executable, "-m", "autograder"]
BUDGET = ["--cell-timeout", "4", "--total-timeout", "30", "--call-timeout", "3"]
SLEEPY = "import time\ntime.sleep(3.5)\n"

BUG_FULL_DISK_TRACEBACK = (
    "cli.main re-raises an OSError from write_reports: a full output disk gives a Python "
    "traceback and exit 1 instead of a one-line error"
)
BUG_FULL_DISK_MIXED = (
    "render.write_reports replaces the files one by one: when the disk fills up midway, "
    "--out holds the new grade.json/junit/feedback next to the previous executed.ipynb"
)


def uid_block(pid: int) -> set[int]:
    """The uids `slot.next_uid` hands out in the process `pid`."""
    start = SANDBOX_UID_BASE + (pid % (SANDBOX_UID_SPAN // 16)) * 16
    return set(range(start, start + 16))


def kernels_of(pid: int) -> dict[int, tuple[int, str]]:
    block = uid_block(pid)
    return {p: info for p, info in sandbox_processes().items() if info[0] in block}


def wait_for(cond, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def grade_cli(course: Path, repo: Path, ref: str, out: Path) -> list[str]:
    return [
        *CLI,
        "grade",
        "--course",
        str(course),
        "--repo",
        str(repo),
        "--ref",
        ref,
        "--tp",
        MINI,
        "--out",
        str(out),
        *BUDGET,
    ]


def env_with_tmp(tmpdir: Path) -> dict[str, str]:
    tmpdir.mkdir(exist_ok=True)
    return {**os.environ, "TMPDIR": str(tmpdir)}


def report_set(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def whole(name: str, data: bytes) -> bool:
    """Does this report file look complete (parses / ends as its renderer ends it)?"""
    try:
        if name in ("grade.json", "executed.ipynb"):
            json.loads(data)
        elif name == "junit.xml":
            ET.fromstring(data)
        elif name == "feedback.html":
            return data.rstrip().endswith(b"</html>")
        else:
            return data.endswith(b"\n") and b"autograder" in data
    except ValueError:
        return False
    return True


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    base = tmp_path_factory.mktemp("faults")
    course = build_course(base / "course")
    repo = StudentRepo(base / "student")
    refs = {
        "solution": repo.commit({NB: student_notebook(SOLUTION)}, "solution", branch="solution"),
        "sleepy": repo.commit(
            {NB: student_notebook(WRONG, scratch_after={"given_mid": [SLEEPY] * 4})},
            "lent",
            branch="sleepy",
        ),
        "loud": repo.commit(
            {NB: student_notebook(WRONG, scratch_after={"given_end": ["print('w' * 200_000)\n"]})},
            "bavard",
            branch="loud",
        ),
    }
    yield base, course, repo, refs
    rm_tree(base / "gtmp")


# -- kill -9 ---------------------------------------------------------------------------------


def test_kill_9_mid_grading_then_rerun(setup):
    base, course, repo, refs = setup
    out, tmp = base / "out-killed", base / "gtmp"
    env = env_with_tmp(tmp)
    first = subprocess.run(
        grade_cli(course.root, repo.path, refs["solution"], out),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert first.returncode == 0, first.stderr[-2000:]
    before = report_set(out)
    assert sorted(before) == ALL_FILES and json.loads(before["grade.json"])["score"] == MAX_SCORE

    proc = subprocess.Popen(
        grade_cli(course.root, repo.path, refs["sleepy"], out),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        # Wait until its kernel runs the sleeping cells, then kill the grader alone.
        wait_for(lambda: kernels_of(proc.pid), 120, "the grader's kernel")
        time.sleep(2.0)
        kernels = kernels_of(proc.pid)
        assert kernels, "the kernel was gone before the kill"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        # bwrap --die-with-parent: the kernel and its PID namespace go with the grader.
        wait_for(
            lambda: not kernels_of(proc.pid), 15, f"the kernel to die with the grader ({kernels})"
        )
    finally:
        try:
            os.killpg(
                proc.pid, signal.SIGKILL
            )  # the session this test started, if anything is left
        except ProcessLookupError:
            pass

    # Nothing half-written: the previous report is exactly as it was, no temp file left.
    assert report_set(out) == before

    again = subprocess.run(
        grade_cli(course.root, repo.path, refs["sleepy"], out),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr[-2000:]
    after = report_set(out)
    assert sorted(after) == ALL_FILES
    assert all(whole(n, d) for n, d in after.items())
    data = json.loads(after["grade.json"])
    assert data["commit"]["sha"] == refs["sleepy"] and data["score"] == 0.0


# -- a full output disk ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def full_disk(setup):
    base, course, repo, refs = setup
    mnt = base / "tiny"
    mnt.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a 64 KiB tmpfs here: {mounted.stderr.strip()}")
    try:
        out, tmp = mnt / "out", base / "gtmp"
        env = env_with_tmp(tmp)
        first = subprocess.run(
            grade_cli(course.root, repo.path, refs["solution"], out),
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert first.returncode == 0, first.stderr[-2000:]
        before = report_set(out)
        assert sorted(before) == ALL_FILES
        # 200 KB of output in executed.ipynb cannot fit in what is left.
        second = subprocess.run(
            grade_cli(course.root, repo.path, refs["loud"], out),
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        yield {
            "before": before,
            "after": report_set(out),
            "proc": second,
            "entries": sorted(os.listdir(out)),
        }
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


def test_full_disk_leaves_no_half_written_file(full_disk):
    assert full_disk["proc"].returncode != 0, "a report cannot have been written"
    after, before = full_disk["after"], full_disk["before"]
    assert full_disk["entries"] == ALL_FILES, f"stray files: {full_disk['entries']}"
    for name, data in after.items():
        assert data == before[name] or whole(name, data), f"{name} is half-written"


def test_full_disk_is_a_clean_error(full_disk):
    proc = full_disk["proc"]
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr, proc.stderr[-1500:]
    assert "No space left on device" in proc.stderr and "autograder:" in proc.stderr


def test_full_disk_keeps_the_previous_report_whole(full_disk):
    assert full_disk["after"] == full_disk["before"]


# -- two class graders on one output folder ------------------------------------------------------


def test_second_class_grader_on_the_same_out_is_refused(setup):
    base, course, repo, refs = setup
    roster = base / "roster.csv"
    roster.write_text(
        f"student_id,name,repo,branch\ns1,Élève Lent,{repo.path},sleepy\n", encoding="utf-8"
    )
    out, tmp = base / "class-out", base / "gtmp"
    env = env_with_tmp(tmp)
    cmd = [
        *CLI, "grade-class", "--roster", str(roster), "--tp", MINI, "--deadline", "2030-01-01T00:00:00+01:00",
        "--out", str(out), "--course", str(course.root), "--cell-timeout", str(FAST["cell_timeout"]),
        "--total-timeout", str(FAST["total_timeout"]), "--call-timeout", str(FAST["call_timeout"]),
    ]  # fmt: skip
    log = base / "first-grader.log"
    with log.open("wb") as err:
        first = subprocess.Popen(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True
        )
    try:
        # The lock is taken before the first kernel starts: once a kernel runs, it is held.
        wait_for(
            lambda: kernels_of(first.pid) or first.poll() is not None,
            120,
            "the first grader's kernel",
        )
        assert first.poll() is None, "the first grader ended before the second could start"
        second = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        assert second.returncode == 2, second.stderr[-2000:]
        assert "déjà utilisé par un autre correcteur" in second.stderr
        assert "Traceback" not in second.stderr
        assert not (out / "grades.csv").exists(), "the refused grader wrote the gradebook"
        first.wait(timeout=300)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert first.returncode == 0, log.read_text("utf-8", "replace")[-2000:]
    result = json.loads((out / "students" / "s1" / "result.json").read_text("utf-8"))
    assert (
        result["status"] == "graded"
        and result["raw_score"] == 0.0
        and result["max_score"] == MAX_SCORE
    )
    assert (out / "grades.csv").is_file()
