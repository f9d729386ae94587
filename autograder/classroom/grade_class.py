"""Grade a whole class at the deadline: resumable, parallel, one student never stops the rest.

Each student's result is written atomically (`students/<id>/result.json`) as soon as it is
known, so a kill -9 loses nothing already graded, and a rerun skips students whose graded
commit and grading setup are unchanged. The gradebook files are always rebuilt from those
per-student results.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import multiprocessing
import os
import shutil
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from autograder import __version__
from autograder.classroom.class_result import (
    GRADED,
    GRADER_ERROR,
    NO_SUBMISSION,
    CheckScore,
    ClassContext,
    ManualItem,
    Selection,
    StudentResult,
)
from autograder.classroom.deadline import (
    LatePolicy,
    Selected,
    gitlab_configured,
    select_for_student,
)
from autograder.classroom.roster import Student
from autograder.config import ConfigError, GradeOptions
from autograder.course import Course
from autograder.grading.grade import (
    Assignment,
    assignment_for_tp,
    grade_commit,
    pool_for_tp,
    spec_for_tp,
)
from autograder.intake.gitread import open_repo
from autograder.render import write_atomic
from autograder.results import GRADER_FAULTS, Message, is_grader_fault
from autograder.sandbox.forkserver import ForkClient
from autograder.sandbox.slot import new_forkserver
from autograder.sandbox.workspace import CLASS_PREFIX, owned_tempdir
from autograder.secret import InputKey, load_secret, student_key

RESULT = "result.json"


@dataclass(frozen=True)
class ClassJob:
    """What `grade-class` was asked to do; identical jobs give identical gradebooks."""

    course_root: Path
    tp: str
    deadline: datetime
    policy: LatePolicy
    options: GradeOptions
    out: Path
    force: bool = False


def write_json_atomic(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))


def _secret_fingerprint(course_root: Path) -> str:
    try:
        return InputKey(load_secret(course_root)).fingerprint
    except ConfigError:
        return "no-secret"


def fingerprint(job: ClassJob) -> str:
    """Changes when anything that decides a grade changes (checks, release, seed, policy)."""
    course = Course(job.course_root)
    tp = course.tp(job.tp)
    h = hashlib.sha256()
    # Push times (GitLab configured) and committer dates can select or date commits differently.
    h.update(f"{__version__}|{job.options.seed}|{_secret_fingerprint(job.course_root)}|{job.deadline.isoformat()}|{asdict(job.policy)}|gitlab={gitlab_configured()}".encode())
    files = [tp.release_notebook, tp.source_dir / "tp.toml"]
    # Every file of the checks (held-out data beside them included) and every data file.
    roots = [tp.public_checks, tp.hidden_checks, *(f.source for f in tp.data_paths())]
    for root in roots:
        if root.is_dir():
            files += sorted(p for p in root.rglob("*") if "__pycache__" not in p.parts)
        else:
            files.append(root)
    for p in files:
        if p.is_file():
            h.update(str(p.relative_to(tp.source_dir) if p.is_relative_to(tp.source_dir) else p.name).encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """One grader per output folder: a second one is refused, not interleaved."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(
                Message(
                    fr=f"{out} est déjà utilisé par un autre correcteur en cours ; attendez sa fin ou choisissez un autre --out",
                    en=f"{out} is in use by another running grader; wait for it or choose another --out",
                )
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _select(student: Student, job: ClassJob, workspace: Path) -> tuple[Selected, str]:
    """The commit to grade and the repo path to read it from (a local mirror for URLs)."""
    repo = open_repo(student.repo, workspace)
    sel = select_for_student(repo, student.repo, student.branch, job.deadline, job.policy, student.gitlab_project)
    return sel, repo.git_dir if repo.bare else repo.working_tree_dir


def grade_student(
    student: Student, job: ClassJob, fp: str, pool=None, assignment: Assignment | None = None
) -> StudentResult:
    """Grade one student and write their result; any failure is recorded, never raised.
    `pool` and `assignment`: the TP's, built once for the class (default: per student)."""
    sdir = job.out / "students" / student.id
    result_path = sdir / RESULT
    t0 = time.monotonic()
    context = ClassContext(
        email=student.email, repo=student.repo, branch=student.branch, tp=job.tp, deadline=job.deadline.isoformat(),
        timezone=job.options.timezone, late_policy=asdict(job.policy), fingerprint=fp,
    )
    base = StudentResult(student.id, student.name, GRADER_ERROR, context=context)
    workspace = owned_tempdir(CLASS_PREFIX)  # swept by the next grader if this one is killed -9
    try:
        try:
            sel, repo_path = _select(student, job, workspace)
        except Exception as exc:  # noqa: BLE001 - unreachable repo: recorded for this student only
            detail = (str(exc).strip().splitlines() or [type(exc).__name__])[-1][:300]
            sel, repo_path = Selected(None, None, "committer-date", reason=f"repository unreachable: {detail}"), None
        base = replace(base, selection=Selection(
            sha=sel.sha, commit_date=sel.date, date_source=sel.date_source, late_days=sel.late_days, penalty=sel.penalty,
            date_note=getattr(sel, "date_note", ""),
        ))
        if not job.force and result_path.is_file():
            old = read_result(result_path)
            if old is not None and old.sha == sel.sha and old.context is not None and old.context.fingerprint == fp \
                    and old.status != GRADER_ERROR:
                return replace(old, skipped=True)
        if sel.sha is None:
            result = replace(base, status=NO_SUBMISSION, reason=sel.reason, problems=("no-submission",))
        else:
            r = _grade_with_retry(job, repo_path, sel.sha, sdir / "report", pool, student_key(student.repo), assignment)
            result = replace(
                base,
                status=GRADED,
                author=r.commit.author,
                raw_score=r.score,
                max_score=r.max_score,
                final_score=round(r.score * (1 - sel.penalty), 4),
                checks=tuple(CheckScore(c.name, c.item, c.score, c.max_score, str(c.status)) for c in r.checks),
                problems=tuple(p.code for p in r.problems),
                sandbox=r.sandbox.level if r.sandbox else None,
                # Graded by hand in Formgrader: outside raw/max/final until then.
                manual=tuple(ManualItem(m.grade_id, m.points, m.title.fr, m.title.en) for m in r.manual),
                manual_max_score=r.manual_pending if r.manual else None,
            )
    except Exception as exc:  # noqa: BLE001 - a grader bug for one student must not stop the class
        result = replace(
            base,
            status=GRADER_ERROR,
            reason=f"{type(exc).__name__}: {exc}"[:500],
            traceback=traceback.format_exc()[-3000:],
            problems=("grader-error",),
        )
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    result = replace(result, grading_time_s=round(time.monotonic() - t0, 3))
    write_result(result_path, result)
    return result


def write_result(path: Path, result: StudentResult) -> None:
    """students/<id>/result.json, atomically: a kill -9 leaves the old one or the new one."""
    write_json_atomic(path, result.to_json())


def read_result(path: Path) -> StudentResult | None:
    """A student's result as written by `write_result`; None when missing or damaged."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return StudentResult.from_json(data) if isinstance(data, dict) else None


def _grade_with_retry(
    job: ClassJob, repo_path: str, sha: str, out_dir: Path, pool, who: str, assignment: Assignment | None
) -> Any:
    """Grade; on a grader-side fault (the kernel did not start), once more with a fresh
    kernel. A fault that persists raises: the student gets `grader-error`, never a 0.
    `who` keys the hidden inputs as CI's grade job does (the repo's project path)."""
    course = Course(job.course_root)
    report = grade_commit(
        course, job.tp, repo=repo_path, ref=sha, options=job.options, out_dir=out_dir, pool=pool, student=who,
        assignment=assignment,
    ).report
    if is_grader_fault(report):
        report = grade_commit(
            course, job.tp, repo=repo_path, ref=sha, options=job.options, out_dir=out_dir, student=who,
            assignment=assignment,
        ).report
    if is_grader_fault(report):
        faults = "; ".join(p.message.en for p in report.problems if p.code in GRADER_FAULTS)
        raise RuntimeError(f"grader fault, twice: {faults}")
    return report


# -- parallel workers: one process per job slot, each with its own kernel pool ---------------

_worker: dict[str, Any] = {}


def _init_worker(job: ClassJob, fp: str, forkserver_address: str | None, assignment: Assignment) -> None:
    _worker["job"], _worker["fp"], _worker["assignment"] = job, fp, assignment
    shared = ForkClient(forkserver_address) if forkserver_address else None
    _worker["pool"] = pool_for_tp(Course(job.course_root).tp(job.tp), job.options, shared)


def _work(student: Student) -> StudentResult:
    return grade_student(student, _worker["job"], _worker["fp"], _worker["pool"], _worker["assignment"])


def grade_class(
    job: ClassJob,
    students: list[Student],
    *,
    jobs: int = 1,
    on_result: Callable[[StudentResult], None] | None = None,
) -> list[StudentResult]:
    """Grade every student (in parallel with `jobs` > 1); returns results in roster order."""
    fp = fingerprint(job)
    results: dict[str, StudentResult] = {}
    tp = Course(job.course_root).tp(job.tp)
    # The TP's side, read once for the class: a missing release or secret stops the class
    # here, with its message, instead of failing every student one by one.
    assignment = assignment_for_tp(tp)
    with output_lock(job.out), ExitStack() as stack:
        if jobs <= 1:
            pool = stack.enter_context(pool_for_tp(tp, job.options))
            for s in students:
                results[s.id] = grade_student(s, job, fp, pool, assignment)
                if on_result:
                    on_result(results[s.id])
            return [results[s.id] for s in students]
        # One fork server for all workers, started before them: the class pays its imports once.
        spec = spec_for_tp(tp, job.options)
        shared = stack.enter_context(new_forkserver(spec, listen=True)) if spec.launcher == "fork" else None
        address = shared.address if shared is not None else None
        # Workers are forked from multiprocessing's fork server (a fresh, single-threaded
        # process, never this one, which may hold threads): it imports the grader and the
        # TP's modules once for all workers.
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["autograder.classroom.grade_class", *tp.config.preload])
        ex = stack.enter_context(
            ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=(job, fp, address, assignment))
        )
        futures = {ex.submit(_work, s): s for s in students}
        for fut in as_completed(futures):
            s = futures[fut]
            try:
                results[s.id] = fut.result()
            except Exception as exc:  # noqa: BLE001 - a dead worker: record, go on
                results[s.id] = StudentResult(s.id, s.name, GRADER_ERROR, reason=str(exc)[:500], problems=("grader-error",))
                write_result(job.out / "students" / s.id / RESULT, results[s.id])
            if on_result:
                on_result(results[s.id])
    return [results[s.id] for s in students]


def load_results(out: Path) -> list[StudentResult]:
    """Every student result in a class folder, sorted by student id."""
    found = [r for p in sorted((out / "students").glob(f"*/{RESULT}")) if (r := read_result(p)) is not None]
    return sorted(found, key=lambda r: r.student_id)


def merge_shards(out: Path, shard_dirs: list[Path]) -> list[StudentResult]:
    """Join shard outputs into one class folder (per-student folders copied as they are)."""
    with output_lock(out):
        for d in shard_dirs:
            for sdir in sorted((d / "students").glob("*")):
                if not (sdir / RESULT).is_file():
                    continue
                target = out / "students" / sdir.name
                if target.resolve() == sdir.resolve():
                    continue
                tmp = out / "students" / f".{sdir.name}.merge"
                shutil.rmtree(tmp, ignore_errors=True)
                shutil.copytree(sdir, tmp)
                shutil.rmtree(target, ignore_errors=True)
                os.replace(tmp, target)
    return load_results(out)
