"""Grade one submission: the steps in order, each a module of its own.

    read (gitread) -> parse (nbio) -> graft -> sandbox plan -> kernel: run cells
    -> agent -> checks (plugin, in this process) -> report -> render

Whatever goes wrong with the submission becomes a `Problem` in a report with score 0
for what could not be checked; only a grader misconfiguration raises.
"""

from __future__ import annotations

import importlib
import json
import os
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from autograder import __version__
from autograder.bridge.proxy import Submission
from autograder.bridge.values import MiB
from autograder.config import ConfigError, GradeOptions, TPConfig
from autograder.course import TP, Course, DataFile
from autograder.grading.cells import death_reason, run_cells
from autograder.grading.diagnose import answer_definitions, solution_reads, with_data_read_hints
from autograder.grading.plugin import CheckRun, run_checks
from autograder.grading.sanitize import sanitize_notebook
from autograder.intake.gitread import SubmissionReadError, read_submission
from autograder.intake.graft import ORIGIN_ANSWER, graft, student_code_digest
from autograder.intake.nbio import NotebookError, read_notebook
from autograder.render import write_reports
from autograder.results import (
    CellRun,
    CheckResult,
    CommitInfo,
    GradeReport,
    Message,
    Problem,
    Visibility,
    total_score,
)
from autograder.sandbox.capabilities import probe, resolve_launcher
from autograder.sandbox.device import select_device
from autograder.sandbox.forkserver import Forker
from autograder.sandbox.landlock import exchange_root
from autograder.sandbox.plan import Limits
from autograder.sandbox.slot import KernelPool, SlotSpec, launch
from autograder.secret import InputKey, InputKeys, load_secret, public_key, student_key


@dataclass(frozen=True)
class Assignment:
    """The instructor's side of a TP's gradings: built once and shared by every submission
    of a class (config, release notebook, checks, data files, the course's secret)."""

    tp: TPConfig
    tp_dir: Path  # instructor folder (data files, grader-side references)
    instructor_nb: dict[str, Any] | None  # None: run the student's notebook as is (student-side check)
    check_dirs: tuple[tuple[Path, Visibility], ...]
    data_files: tuple[DataFile, ...] = ()
    secret: bytes | None = None  # the course's; None: public checks only
    #: grade_id -> the names the instructor's solution cell reads (a notebook variable read by
    #: design is never hinted at, autograder.grading.diagnose); read once for a class.
    read_by_design: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class GradeJob:
    """One submission to grade: the shared assignment and what is the student's."""

    assignment: Assignment
    commit: CommitInfo
    student_bytes: bytes | None  # None when reading failed (see problems)
    problems: tuple[Problem, ...] = field(default_factory=tuple)
    student: str = ""  # whose submission: hidden inputs differ from one student to the next


@dataclass
class Graded:
    report: GradeReport
    executed: dict[str, Any] | None
    files: tuple[Path, ...] = ()  # the report files this grading wrote (none without out_dir)


def assignment_for_tp(
    tp: TP, *, instructor_nb: dict[str, Any] | None = None, public_only: bool = False
) -> Assignment:
    """The assignment of an instructor-side TP: checks from source/, notebook from release/
    (or the in-memory `instructor_nb`). Hidden checks need the course's secret: a course
    without one is refused here, as is a [[manual]] item the notebook contradicts."""
    secret = None if public_only else load_secret(tp.source_dir.parent.parent)
    if instructor_nb is None:
        if not tp.release_notebook.is_file():
            raise ConfigError(
                Message(
                    fr=f"{tp.release_notebook} absent : lancez d'abord `autograder release {tp.id}`",
                    en=f"{tp.release_notebook} is missing: run `autograder release {tp.id}` first",
                )
            )
        instructor_nb = read_notebook(tp.release_notebook.read_bytes(), str(tp.release_notebook))
    else:
        # In-memory views may hold sources as lists of lines: normalise like a file.
        instructor_nb = read_notebook(json.dumps(instructor_nb).encode("utf-8"), f"{tp.id} (instructor)")
    dirs = [(tp.public_checks, Visibility.VISIBLE)]
    if not public_only:
        dirs.append((tp.hidden_checks, Visibility.HIDDEN))
    assignment = Assignment(
        tp=tp.config,
        tp_dir=tp.source_dir,
        instructor_nb=instructor_nb,
        check_dirs=tuple(dirs),
        data_files=tuple(tp.data_paths()),
        secret=secret,
        read_by_design=solution_reads(tp.source_notebook),
    )
    _check_manual_cells(assignment)
    return assignment


def job_for_tp(
    tp: TP,
    *,
    commit: CommitInfo,
    student_bytes: bytes | None,
    problems: tuple[Problem, ...] = (),
    instructor_nb: dict[str, Any] | None = None,
    public_only: bool = False,
    student: str = "",
) -> GradeJob:
    """One submission of an instructor-side TP, with an assignment of its own (a class
    builds the assignment once: `assignment_for_tp`)."""
    assignment = assignment_for_tp(tp, instructor_nb=instructor_nb, public_only=public_only)
    return GradeJob(assignment, commit=commit, student_bytes=student_bytes, problems=problems, student=student)


def _time_budget(tp: TPConfig, options: GradeOptions, device: str) -> tuple[float, float]:
    """(whole notebook, one cell) in seconds: the option if given, else the TP's budget."""
    total_s = options.total_timeout or (tp.budget.gpu_seconds if device == "cuda" else tp.budget.cpu_seconds)
    return total_s, options.cell_timeout or tp.budget.cell_seconds


def slot_spec(tp: TPConfig, data_files: tuple[DataFile, ...], options: GradeOptions, device: str) -> SlotSpec:
    """The kernel a TP needs; its submissions graded with the same options share a pool."""
    total_s, _ = _time_budget(tp, options, device)
    limits = Limits(
        memory_mb=options.memory_mb or tp.budget.memory_mb,
        cpu_seconds=int(total_s * max(1, os.cpu_count() or 1) + 120),
    )
    caps = probe()  # this machine's, once per process
    return SlotSpec(
        sandbox=options.sandbox,
        device=device,
        limits=limits,
        output_limit=options.output_limit_kb * 1024,
        data_files=data_files,
        preload=tp.preload,
        keep_workdir=options.keep_workdir,
        launcher=resolve_launcher(options.kernel_launch, caps),
        caps=caps,
    )


def grade_job(
    job: GradeJob, options: GradeOptions, out_dir: Path | None = None, pool: KernelPool | None = None
) -> Graded:
    """Run every step; returns the report (and writes it when `out_dir` is given)."""
    graded = grade_variants(job, options, (options.seed,), pool)[0]
    assert graded is not None  # the first variant is always graded: it is a plain grading
    if out_dir is not None:
        files = write_reports(
            graded.report, out_dir, lang=options.lang, tz=options.timezone, executed_notebook=graded.executed
        )
        graded = Graded(graded.report, graded.executed, tuple(files.values()))
    return graded


def grade_variants(
    job: GradeJob, options: GradeOptions, variants: tuple[int, ...], pool: KernelPool | None = None
) -> list[Graded | None]:
    """Grade one submission under several grader variants (`GradeOptions.seed`) from one run
    of its notebook: the checks run once per variant, in order, in the same kernel.

    The first variant is exactly `grade_job`'s grading. A later one sees the kernel as the
    earlier variants' checks left it (a seed sweep's screen: `autograder prove` grades any
    finding again on its own before reporting it); it is None when the kernel did not
    survive an earlier variant's checks (a call that timed out ends it): grade it alone.
    """
    a = job.assignment
    t0 = time.monotonic()
    durations: dict[str, float] = {}
    device = select_device(options.device)
    problems = list(job.problems)
    where = f"commit {(job.commit.sha or job.commit.ref or '?')[:10]}, {job.commit.notebook_path or a.tp.notebook}"

    run_nb: dict[str, Any] | None = None
    origins: tuple[str, ...] = ()
    if job.student_bytes is not None:
        try:
            student_nb = read_notebook(job.student_bytes, where)
            if a.instructor_nb is not None:
                grafted = graft(a.instructor_nb, student_nb, where)
                run_nb, origins = grafted.notebook, grafted.origins
                problems.extend(grafted.problems)
            else:
                run_nb = student_nb
                origins = tuple(ORIGIN_ANSWER for _ in student_nb["cells"])
        except NotebookError as exc:
            problems.append(Problem(exc.code, exc.message, where))
    durations["read"] = round(time.monotonic() - t0, 3)
    code = student_code_digest(run_nb, origins) if run_nb is not None else ""
    definitions = answer_definitions(run_nb, origins) if run_nb is not None else {}

    def keys(seed: int) -> InputKeys:
        return InputKeys(
            public=public_key(seed),
            hidden=InputKey(a.secret, job.student, seed, code=code) if a.secret else None,
        )

    cells: list[CellRun] = []
    sandbox_info = None
    outcomes: list[tuple[list[CheckResult], list[Problem], dict[str, float]] | None] = []
    with ExitStack() as stack:
        given_back: Callable[[], float] | None = None
        connect: Callable[[], Submission]
        if run_nb is None:
            reason = problems[-1].message if problems else Message(fr="pas de notebook", en="no notebook")
            connect = lambda: Submission(None, None, unavailable=reason)  # noqa: E731
            alive: Callable[[], bool] = lambda: True  # noqa: E731 - nothing runs: every variant is the same
        else:
            spec = slot_spec(a.tp, a.data_files, options, device)
            slot = pool.acquire(spec) if pool is not None else launch(spec)
            stack.callback(slot.close, options.keep_workdir)
            kernel, sb, runtime = slot.kernel, slot.plan, slot.runtime
            sandbox_info = sb.info
            total_s, cell_s = _time_budget(a.tp, options, device)
            t_exec = time.monotonic()
            given_back = kernel.waiting_meter()
            if slot.error is not None:
                problems.append(Problem("kernel-start-failed", slot.error, where))
            durations["kernel_start"] = slot.startup_s
            if kernel.alive():
                cells = run_cells(kernel, run_nb, origins, cell_s, total_s, problems, where)
            oom = slot.memory_exceeded()  # the whole tree went past its budget: kernel stopped
            if oom is not None:
                problems.append(Problem("out-of-memory", oom, where))
            durations["execute"] = round(time.monotonic() - t_exec, 3)
            ran_checks = kernel.alive()

            def connect() -> Submission:
                if not ran_checks:
                    return Submission(None, None, unavailable=oom or death_reason(cells))
                submission = Submission.connect(
                    kernel, exchange_root(runtime), call_timeout=options.call_timeout,
                    read_budget=options.answer_budget_mb * MiB,
                )
                stack.callback(submission.close)  # before the slot's close: the exit stack unwinds in reverse
                return submission

            alive = lambda: not ran_checks or kernel.alive()  # noqa: E731
        for k, seed in enumerate(variants):
            if k and not alive():
                outcomes.append(None)  # an earlier variant's checks ended the kernel
                continue
            t_checks = time.monotonic()
            submission = connect()
            checks, collect_errors = run_checks(
                CheckRun(
                    submission=submission,
                    check_dirs=a.check_dirs,
                    keys=keys(seed),
                    device=device,
                    lang=options.lang,
                    tp_dir=a.tp_dir,
                    threads=options.check_threads,
                )
            )
            # Ordering constraint: the diagnosis reads the kernel through the submission, so it
            # runs after the checks and before the submission closes.
            if definitions:
                checks = with_data_read_hints(checks, submission, definitions, a.read_by_design)
            submission.close()
            own = [Problem("check-collection-error", msg, a.tp.id) for msg in collect_errors]
            timing = {"checks": round(time.monotonic() - t_checks, 3)}
            if given_back is not None:
                # What the budgets gave back for a loaded machine (autograder.sandbox.stall): why a grading
                # took longer than its budgets on the wall clock.
                timing["cpu_wait_given_back"] = round(given_back(), 3)
            outcomes.append((checks, own, timing))

    # Every consumer (executed.ipynb, autograded/, Formgrader) gets the inert copy.
    executed = sanitize_notebook(run_nb, origins) if run_nb is not None else None
    out: list[Graded | None] = []
    for outcome in outcomes:
        if outcome is None:
            out.append(None)
            continue
        checks, own, timing = outcome
        _check_manual_items(a, checks)
        score, max_score = total_score(checks)
        report = GradeReport(
            tp=a.tp.id,
            title=a.tp.title,
            commit=job.commit,
            score=score,
            max_score=max_score,
            checks=tuple(checks),
            cells=tuple(cells),
            problems=(*problems, *own),
            sandbox=sandbox_info,
            device=device,
            durations={**durations, **timing, "total": round(time.monotonic() - t0, 3)},
            graded_at=datetime.now(UTC).isoformat(timespec="seconds"),
            grader_version=__version__,
            manual=a.tp.manual,  # pending: graded by hand in Formgrader, outside score/max_score
        )
        out.append(Graded(report, executed))
    return out


def _check_manual_items(a: Assignment, checks: list[CheckResult]) -> None:
    """No check scores a manual item: its points would be counted twice."""
    ids = {m.grade_id for m in a.tp.manual}
    if not ids:
        return
    scored = sorted(ids & {c.item for c in checks})
    if scored:
        raise ConfigError(Message(
            fr=f"TP {a.tp.id} : items à corriger à la main aussi notés par des vérifications : {', '.join(scored)}",
            en=f"TP {a.tp.id}: items graded by hand are also scored by checks: {', '.join(scored)}",
        ))


def _check_manual_cells(a: Assignment) -> None:
    """Before anything runs: each manual item names an answer cell of the release notebook."""
    ids = {m.grade_id for m in a.tp.manual}
    if not ids or a.instructor_nb is None:  # a student's own notebook (check): nothing to compare
        return
    metas = [c.get("metadata", {}).get("nbgrader", {}) for c in a.instructor_nb["cells"]]
    answers = {m.get("grade_id"): m for m in metas if m.get("solution")}
    missing = sorted(ids - set(answers))
    if missing:
        raise ConfigError(Message(
            fr=f"TP {a.tp.id} : tp.toml [[manual]] nomme des cellules réponses absentes du notebook : {', '.join(missing)}",
            en=f"TP {a.tp.id}: tp.toml [[manual]] names answer cells the notebook lacks: {', '.join(missing)}",
        ))
    # nbgrader wants a markdown answer to be a grade cell with points: they must be tp.toml's.
    for item in a.tp.manual:
        cell_points = answers[item.grade_id].get("points")
        if cell_points is not None and float(cell_points) != item.points:
            raise ConfigError(Message(
                fr=f"TP {a.tp.id} : la cellule {item.grade_id} vaut {cell_points} points dans le notebook, {item.points:g} dans tp.toml [[manual]]",
                en=f"TP {a.tp.id}: cell {item.grade_id} is worth {cell_points} points in the notebook, {item.points:g} in tp.toml [[manual]]",
            ))


# -- entry points --------------------------------------------------------------------------------


def grade_commit(
    course: Course,
    tp_id: str,
    *,
    repo: str,
    ref: str,
    options: GradeOptions,
    out_dir: Path | None = None,
    notebook_path: str | None = None,
    pool: KernelPool | None = None,
    student: str | None = None,
    assignment: Assignment | None = None,
) -> Graded:
    """Grade the TP notebook of one commit of a student repo. `student` keys the hidden
    inputs (default: the repo's project path, see `secret.student_key`); `assignment` is
    the TP's, built once for a class (default: built here)."""
    tp = course.tp(tp_id)
    if assignment is None:
        assignment = assignment_for_tp(tp)
    elif assignment.tp.id != tp.id:
        raise ValueError(f"assignment of {assignment.tp.id} given to grade {tp.id}")
    path = notebook_path or f"{tp.id}/{tp.config.notebook}"
    who = student or student_key(repo)
    try:
        got = read_submission(repo, ref, path)
        job = GradeJob(assignment, commit=got.commit, student_bytes=got.data, problems=got.problems, student=who)
    except SubmissionReadError as exc:
        job = GradeJob(
            assignment,
            commit=exc.commit,
            student_bytes=None,
            problems=(Problem(exc.code, exc.message, f"{repo} @ {ref}, {path}"),),
            student=who,
        )
    return grade_job(job, options, out_dir, pool)


def spec_for_tp(tp: TP, options: GradeOptions) -> SlotSpec:
    """The kernel every submission of `tp` graded with `options` gets."""
    return slot_spec(tp.config, tuple(tp.data_paths()), options, select_device(options.device))


def pool_for_tp(tp: TP, options: GradeOptions, forkserver: Forker | None = None) -> KernelPool:
    """A pool of pre-started kernels for grading many submissions of one TP in a row
    (`forkserver`: one shared between class workers).

    While the fork server imports the TP's preload modules, this process imports them too
    (the checks use the same numpy/torch/sklearn): both costs overlap, instead of the
    first checks paying theirs after the first kernel is ready.
    """
    pool = KernelPool(spec_for_tp(tp, options), forkserver)
    warm_imports(tp.config.preload)
    return pool


def warm_imports(modules: tuple[str, ...]) -> None:
    """Import trusted modules now; one that is missing here is the checks' problem, later."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - only a warm-up
            pass


def grade_notebook_dict(
    tp: TP,
    nb: dict[str, Any],
    *,
    options: GradeOptions,
    instructor_nb: dict[str, Any] | None = None,
    label: str = "local",
    pool: KernelPool | None = None,
) -> Graded:
    """Grade an in-memory notebook (release verification, tests)."""
    return grade_job(notebook_job(tp, nb, instructor_nb=instructor_nb, label=label), options, pool=pool)


def notebook_job(tp: TP, nb: dict[str, Any], *, instructor_nb: dict[str, Any] | None = None, label: str = "local") -> GradeJob:
    """The job of an in-memory notebook, as if `label` had committed it."""
    raw = json.dumps(nb, ensure_ascii=False).encode("utf-8")
    commit = CommitInfo(repo=label, ref=label, notebook_path=f"{tp.id}/{tp.config.notebook}")
    return job_for_tp(tp, commit=commit, student_bytes=raw, instructor_nb=instructor_nb)
