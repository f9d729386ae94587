"""Grade a TP's solution, wrong answers and correct variants under several grader variants.

One kernel pool per TP serves every grading (the variant only changes the hidden checks'
inputs, not the kernel). Each grading is judged by `autograder.prove.judge`, the same
judgement as the TP tests; mutants of the solution are graded under the first variant.
"""

from __future__ import annotations

import copy
import functools
import multiprocessing
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from autograder.config import ConfigError, GradeOptions
from autograder.course import Course
from autograder.intake.nbio import grade_id
from autograder.prove.judge import (
    GRADER_ERROR,
    WRONG_TOTAL,
    Finding,
    leak_findings,
    lost_points,
    scenario_findings,
    solution_findings,
)
from autograder.prove.mutation import MutationScore, grade_mutants, item_scores, plan_batches
from autograder.prove.scenarios import ScenarioSet, find_scenarios, load_scenario_set
from autograder.results import GradeReport, Message

SOLUTION = "solution"


@dataclass(frozen=True)
class Grading:
    """One graded notebook: a variant, what replaced the solution's cells, and what is wrong."""

    variant: int  # the grader seed (GradeOptions.seed)
    group: str  # "solution", a GROUPS name or a CORRECT_GROUPS name
    kind: str  # "solution" | "wrong" | "correct"
    score: float
    max_score: float
    seconds: float
    findings: tuple[Finding, ...]
    #: "alone": graded in a kernel of its own (exactly the grade); "sweep": its checks ran after
    #: an earlier variant's in the same kernel and found nothing (a finding there is graded
    #: again alone, and only that grading counts)
    how: str = "alone"


@dataclass(frozen=True)
class TPProof:
    tp: str
    scenarios_file: str | None  # None: the TP has no scenarios ("no scenarios", not an error)
    variants: tuple[int, ...]
    gradings: tuple[Grading, ...]
    mutation: MutationScore | None
    seconds: float
    #: targets (and "mutants") a time budget left ungraded: the run is partial, not failed
    not_reached: tuple[str, ...] = ()
    #: where the targets after the solution started (`rotated`): a partial run says which part it proved
    rotate: int = 0

    @property
    def findings(self) -> list[tuple[Grading, Finding]]:
        return [(g, f) for g in self.gradings for f in g.findings]

    @property
    def failed(self) -> bool:
        """Anything to look at: a finding, or a mutation score under the target."""
        return bool(self.findings) or (self.mutation is not None and not self.mutation.meets_target)


def with_answers(nb: dict[str, Any], replacements: dict[str, str]) -> dict[str, Any]:
    """A copy of `nb` whose answer cells with these grade_ids hold the given sources."""
    out = copy.deepcopy(nb)
    seen = set()
    for cell in out["cells"]:
        gid = grade_id(cell)
        if gid in replacements:
            cell["source"] = replacements[gid]
            seen.add(gid)
    missing = sorted(set(replacements) - seen)
    if missing:
        raise KeyError(f"no answer cell with grade_id {missing}")
    return out


def answer_cells(nb: dict[str, Any]) -> list[tuple[str, str]]:
    """(grade_id, source) of the notebook's code answer cells, in order."""
    out = []
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and meta.get("solution") and grade_id(cell):
            src = cell["source"]
            out.append((grade_id(cell), "".join(src) if isinstance(src, list) else src))
    return out


def judge_grading(kind: str, group: str, chosen: ScenarioSet, report: GradeReport, solution_max: float | None) -> list[Finding]:
    """The one judgement of a grading (`prove`, `release` and the TP tests): the solution
    keeps every point, a correct group too, a wrong group loses exactly what it names, and
    no hidden message shows what its check expected."""
    leaks = leak_findings(group, report)
    if kind == "solution":
        return solution_findings(report) + leaks
    found: list[Finding] = []
    if solution_max is not None and report.max_score != solution_max:
        found.append(Finding(WRONG_TOTAL, group, detail=f"max score {report.max_score:g}, the solution's {solution_max:g}"))
    if kind == "correct":
        return found + lost_points(group, report) + leaks
    names = chosen.groups[group]
    return found + scenario_findings({n: chosen.scenarios[n] for n in names}, report) + leaks


def replacements_for(chosen: ScenarioSet, group: str, kind: str) -> dict[str, str]:
    """grade_id -> source of the answers a target puts in the solution (none for the solution)."""
    if kind == "solution":
        return {}
    if kind == "correct":
        return {chosen.correct[n].grade_id: chosen.correct[n].source for n in chosen.correct_groups[group]}
    return {chosen.scenarios[n].grade_id: chosen.scenarios[n].source for n in chosen.groups[group]}


def targets_of(chosen: ScenarioSet) -> list[tuple[str, str]]:
    """(group, kind) of every grading a TP's proof needs: the solution first."""
    return [(SOLUTION, "solution")] + [(g, "wrong") for g in chosen.groups] + [
        (g, "correct") for g in chosen.correct_groups
    ]


def rotated(targets: list[tuple[str, str]], rotate: int) -> list[tuple[str, str]]:
    """The solution first, then the other targets starting from the `rotate`-th (modulo their
    number): runs cut short by a time budget, each with another `rotate`, prove different
    groups instead of the first ones again and again."""
    head = [t for t in targets if t[1] == "solution"]
    rest = [t for t in targets if t[1] != "solution"]
    if not rest:
        return head
    k = rotate % len(rest)
    return head + rest[k:] + rest[:k]


def fair_deadline(end: float, now: float, index: int, count: int, jobs: int) -> float:
    """When the `index`-th of `count` TPs, starting `now`, must stop so that the ones after it
    still get their share of the time left before `end` (wall clock, seconds): the time left,
    times the TPs proved at once, shared among this TP and those not started yet (and the
    others still running). A TP that finishes early leaves its time to the next ones."""
    left = max(0.0, end - now)
    waiting = max(1, count - index + max(0, jobs - 1))
    return now + min(left, left * max(1, jobs) / waiting)


def only_groups(targets: list[tuple[str, str]], groups: Sequence[str], tp_id: str) -> list[tuple[str, str]]:
    """The solution and the named groups of `targets` (all of them when none is named); a
    name the TP does not have is refused with the names it has."""
    if not groups:
        return targets
    known = [g for g, kind in targets if kind != "solution"]
    unknown = sorted(set(groups) - set(known))
    if unknown:
        raise ConfigError(Message(
            fr=f"{tp_id} n'a pas de groupe {', '.join(unknown)} ; ses groupes : {', '.join(known)}",
            en=f"{tp_id} has no group {', '.join(unknown)}; its groups: {', '.join(known)}",
        ))
    return [(g, kind) for g, kind in targets if kind == "solution" or g in groups]


def prove_tp(
    course: Course,
    tp_id: str,
    options: GradeOptions,
    *,
    variants: Sequence[int],
    mutants: int | None = None,
    sample_seed: int = 0,
    group_mutants: bool = True,
    progress: Callable[[str], object] = lambda _m: None,
    keep_report: Callable[[int, str, GradeReport], object] | None = None,
    sweep: bool = True,
    groups: Sequence[str] = (),
    deadline: float | None = None,
    rotate: int = 0,
) -> TPProof:
    """Grade `tp_id`'s solution, scenario groups and correct groups under each variant, and
    (mutants not None: how many, 0 for all) its solution's mutants under the first variant.
    `keep_report(variant, group, report)` sees every scenario grading's full report (the
    before/after comparison of a refactor of the checks).

    `sweep`: each target's notebook runs once and its checks once per variant
    (`grade_variants`: the first variant is the plain grading); a later variant with a
    finding, or whose kernel an earlier variant's checks ended, is graded again alone, and
    that grading is the one judged. Off: every variant is graded alone (slower).

    `groups`: only these scenario or correct groups (and the solution), the loop of someone
    fixing a check; empty: every group.

    `deadline` (wall clock, `time.time()`): no target after the solution starts once it has
    passed, nor the mutants; what was left is `TPProof.not_reached` (a CI step with a fixed
    budget proves part of every TP instead of all of the first TPs). `rotate`: where the
    targets after the solution start (`rotated`)."""
    from autograder.grading.grade import (
        grade_notebook_dict,
        grade_variants,
        notebook_job,
        pool_for_tp,
    )
    from autograder.release.views import build_views

    if mutants is not None:
        try:
            from autograder.prove.mutate import all_mutants, sample
        except ImportError as exc:
            raise ConfigError(Message(
                fr=f"--mutants demande cosmic-ray ({exc}) : pip install 'dl-autograder[prove]'",
                en=f"--mutants needs cosmic-ray ({exc}): pip install 'dl-autograder[prove]'",
            )) from exc

    started = time.monotonic()
    tp = course.tp(tp_id)
    short = tp_id.split("_", 1)[0]
    path = find_scenarios(course.root, tp_id)
    if path is None:
        progress(f"[prove] {short}: no scenarios")
        return TPProof(tp_id, None, tuple(variants), (), None, 0.0)
    chosen = load_scenario_set(path, course.root)
    views = build_views(tp, nbgrader_config=course.root / "nbgrader_config.py")
    targets = rotated(only_groups(targets_of(chosen), groups, tp_id), rotate)
    total = len(targets) * len(variants)
    gradings: list[Grading] = []
    mutation: MutationScore | None = None
    with pool_for_tp(tp, options) as pool:

        def grade(replacements: dict[str, str], label: str, seed: int) -> GradeReport | str:
            """The report, or the grader's own error as text: one fault must not end a long run."""
            nb = with_answers(views.solution_nb, replacements)
            try:
                return grade_notebook_dict(
                    tp, nb, options=replace(options, seed=seed), instructor_nb=views.release_nb, label=label, pool=pool
                ).report
            except Exception as exc:  # noqa: BLE001 - reported as a grader-error finding
                progress(f"[prove] {short} {label}: grader error: {type(exc).__name__}: {exc}")
                return f"{type(exc).__name__}: {exc}"

        def sweep_of(replacements: dict[str, str], label: str) -> list[GradeReport | str | None]:
            """One report (or grader error, or None: grade it alone) per variant, one notebook run."""
            if not sweep or len(variants) == 1:
                return [None] * len(variants)
            job = notebook_job(tp, with_answers(views.solution_nb, replacements), instructor_nb=views.release_nb, label=label)
            try:
                return [g.report if g is not None else None for g in grade_variants(job, options, tuple(variants), pool)]
            except Exception as exc:  # noqa: BLE001 - reported as a grader-error finding
                progress(f"[prove] {short} {label}: grader error: {type(exc).__name__}: {exc}")
                return [f"{type(exc).__name__}: {exc}"] * len(variants)

        done = 0
        solution_max: float | None = None
        not_reached: list[str] = []

        def out_of_time() -> bool:
            return deadline is not None and time.time() >= deadline

        for group, kind in targets:
            if kind != "solution" and out_of_time():
                not_reached.append(group)
                continue
            replacements = replacements_for(chosen, group, kind)
            t0 = time.monotonic()
            swept = sweep_of(replacements, group)
            share = round((time.monotonic() - t0) / len(variants), 2)
            for k, seed in enumerate(variants):
                done += 1
                progress(f"[prove] {short} group {group} variant {k + 1}/{len(variants)} ({done}/{total})")
                report, how, seconds = swept[k], "sweep" if k else "alone", share
                findings = judge_grading(kind, group, chosen, report, solution_max) if isinstance(report, GradeReport) else []
                if k and findings:
                    report = None  # a finding in the sweep: only a grading of its own may report it
                if report is None:
                    t1 = time.monotonic()
                    report, how = grade(replacements, group, seed), "alone"
                    seconds = round(time.monotonic() - t1, 2)
                    if isinstance(report, GradeReport):
                        findings = judge_grading(kind, group, chosen, report, solution_max)
                if isinstance(report, str):
                    gradings.append(Grading(seed, group, kind, 0.0, 0.0, seconds,
                                            (Finding(GRADER_ERROR, group, detail=report),), how))
                    continue
                if keep_report is not None:
                    keep_report(seed, group, report)
                if kind == "solution" and solution_max is None:  # judged first: the others' total
                    solution_max = report.max_score
                gradings.append(Grading(seed, group, kind, report.score, report.max_score, seconds,
                                        tuple(findings), how))
        gradings.sort(key=lambda g: variants.index(g.variant))  # variant by variant, targets in order
        maxima = [g.max_score for g in gradings if g.kind == "solution" and g.max_score > 0]
        if not_reached:
            progress(f"[prove] {short}: time budget spent, {len(not_reached)} of {len(targets)} targets not reached")
        if mutants is not None and not maxima:
            progress(f"[prove] {short} mutants: not graded, the solution was never graded")
        if mutants is not None and maxima and out_of_time():
            progress(f"[prove] {short} mutants: not graded, the time budget is spent")
            not_reached.append("mutants")
        elif mutants is not None and maxima:
            t0 = time.monotonic()
            everything = all_mutants(answer_cells(views.solution_nb))
            known = {m.id for m in everything}
            pool_of = [m for m in everything if m.id not in chosen.equivalent]
            drawn = sample(pool_of, mutants, sample_seed)
            affects = chosen.affects()
            batches = plan_batches(drawn, affects, group=group_mutants)
            first = variants[0]
            max_score = maxima[0]
            progress(f"[prove] {short} mutants: {len(drawn)} of {len(pool_of)} in {len(batches)} gradings (variant {first})")
            results, count, errors = grade_mutants(
                batches, lambda r, label: grade(r, label, first), affects, max_score,
                progress=lambda m: progress(f"[prove] {short} {m}"),
            )
            mutation = MutationScore(
                candidates=len(pool_of), sample_size=mutants, sample_seed=sample_seed, results=tuple(results),
                equivalent=tuple((i, why, i in known) for i, why in sorted(chosen.equivalent.items())),
                gradings=count, seconds=round(time.monotonic() - t0, 1), items=item_scores(results),
                not_graded=tuple(errors),
            )
    return TPProof(tp_id, str(path.relative_to(course.root)) if path.is_relative_to(course.root) else str(path),
                   tuple(variants), tuple(gradings), mutation, round(time.monotonic() - started, 1),
                   tuple(not_reached), rotate)


def _to_stderr(message: str) -> None:
    """Progress of a worker process: straight to the terminal, made inert like the CLI's."""
    from autograder.render.terminal import for_terminal

    print(for_terminal(message), file=sys.stderr, flush=True)


def _write_comparable(reports: str, tp_id: str, variant: int, group: str, report: GradeReport) -> None:
    from autograder.prove.report import comparable_report
    from autograder.render import write_atomic

    folder = Path(reports) / tp_id / str(variant)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / f"{group}.json", comparable_report(report).encode("utf-8"))


def _die_with_parent() -> None:
    """A worker ends with the `prove` that started it (killed by a time limit, say), instead of
    grading on alone: the parent-death signal, on Linux."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _prove_one(course_root: str, tp_id: str, options: GradeOptions, reports: str | None, kwargs: dict[str, Any],
               share: tuple[float, int, int, int] | None = None) -> TPProof:
    """One TP in a worker; `share` (end, index, count, jobs): its deadline, computed when it
    starts (`fair_deadline`), so that time a TP before it left unused goes to it."""
    keep = functools.partial(_write_comparable, reports, tp_id) if reports is not None else None
    deadline = None if share is None else fair_deadline(share[0], time.time(), *share[1:])
    return prove_tp(Course(Path(course_root)), tp_id, options, progress=_to_stderr, keep_report=keep,
                    deadline=deadline, **kwargs)


def prove_tps(
    course: Course,
    tp_ids: Sequence[str],
    options: GradeOptions,
    *,
    jobs: int = 1,
    reports: Path | None = None,
    progress: Callable[[str], object] = lambda _m: None,
    budget_s: float | None = None,
    **kwargs: Any,
) -> Iterator[TPProof]:
    """`prove_tp` for each TP; `jobs` > 1 proves that many TPs at once, each in a process of
    its own (its own kernel pool: the kernels run student code on one thread, so a 2-core
    machine proves two TPs in about the time of one), and yields each proof as soon as it is
    done (a run stopped by a time limit keeps every TP it finished). `reports`: every scenario
    grading's comparable report under reports/<tp>/<variant>/<group>.json. `budget_s`: the
    whole run's time, shared fairly among the TPs (`fair_deadline`): each TP's solution is
    always graded, then as many of its targets as its share allows."""
    end = None if budget_s is None else time.time() + budget_s
    count = len(tp_ids)
    if jobs <= 1 or count <= 1:
        for index, tp_id in enumerate(tp_ids):
            keep = functools.partial(_write_comparable, str(reports), tp_id) if reports is not None else None
            deadline = None if end is None else fair_deadline(end, time.time(), index, count, 1)
            yield prove_tp(course, tp_id, options, progress=progress, keep_report=keep, deadline=deadline, **kwargs)
        return
    # spawn, not fork: this process holds threads (a kernel pool's) that a fork would copy half-way.
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_die_with_parent
    ) as pool:
        futures = [
            pool.submit(_prove_one, str(course.root), tp_id, options, str(reports) if reports is not None else None,
                        kwargs, None if end is None else (end, index, count, jobs))
            for index, tp_id in enumerate(tp_ids)
        ]
        for future in as_completed(futures):
            yield future.result()
