"""Thin command-line layer: one verb per module, options generated from typed config."""

from __future__ import annotations

import argparse
import errno
import functools
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

from autograder import __version__
from autograder.config import ConfigError, GradeOptions, load_course_options, option_help
from autograder.errors import AutograderError
from autograder.results import Message

EXIT_OK, EXIT_USAGE, EXIT_REFUSED, EXIT_GRADER_FAULT = 0, 2, 3, 4


def say(text: object, *, err: bool = False) -> None:
    """Print one message for a person: student text in it cannot drive the terminal."""
    from autograder.render.terminal import for_terminal

    print(for_terminal(text), file=sys.stderr if err else sys.stdout)


MAX_CHECKS_PRINTED = 10


def print_grade_summary(report: Any, lang: str, out: Path, files: tuple[Path, ...]) -> None:
    """What `grade` prints of a report: the score, each problem, the checks to review first
    (a CI log shows what to fix; the reports hold all), the report files. Rendered for a
    terminal on a TTY, plain text elsewhere; student text goes through for_terminal."""
    from autograder.render.terminal import grade_view, show

    show(grade_view(report, lang, out, files, limit=MAX_CHECKS_PRINTED))


def _add_grade_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("grading options (defaults: [tool.autograder] in the course's pyproject.toml)")
    for name, default, help_text, choices in option_help(GradeOptions):
        flag = "--" + name.replace("_", "-")
        if isinstance(default, bool):
            g.add_argument(flag, action="store_true", default=None, help=help_text)
        else:
            ftype = next(f.type for f in fields(GradeOptions) if f.name == name)
            conv: Any = int if "int" in str(ftype) else float if "float" in str(ftype) else str
            g.add_argument(
                flag,
                default=None,
                type=conv,
                choices=choices,
                metavar=None if choices else name.upper(),
                help=f"{help_text} (default: {default})",
            )


def _options(args: argparse.Namespace, course_root: Path | None) -> GradeOptions:
    opts = GradeOptions()
    if course_root is not None:
        opts = opts.with_overrides(load_course_options(course_root))
    given = {f.name: getattr(args, f.name) for f in fields(GradeOptions) if getattr(args, f.name, None) is not None}
    return opts.with_overrides(given)


def _course(args: argparse.Namespace):
    from autograder.course import Course

    return Course(Path(args.course).resolve()) if args.course else Course.find()


def cmd_grade(args: argparse.Namespace) -> int:
    from autograder.grading.grade import grade_commit

    course = _course(args)
    options = _options(args, course.root)
    out = Path(args.out)
    say(f"[grade] {args.tp}: {args.repo} @ {args.ref}", err=True)
    graded = grade_commit(
        course, args.tp, repo=args.repo, ref=args.ref, options=options, out_dir=out, notebook_path=args.notebook_path,
        student=args.student,
    )
    r = graded.report
    print_grade_summary(r, options.lang, out, graded.files)
    from autograder.render import REPORT_FILES

    foreign = sorted(p.name for p in out.iterdir() if p.name not in REPORT_FILES)
    if foreign:  # planted by a commit, or left by someone: never part of this grade
        say(f"  note: {out}/ also holds {len(foreign)} file(s) this grading did not write "
            f"(not reports, ignore them): {', '.join(foreign[:5])}{' ...' if len(foreign) > 5 else ''}", err=True)
    from autograder.results import GRADER_FAULTS, is_grader_fault

    if is_grader_fault(r):
        faults = "; ".join(dict.fromkeys(p.message.en for p in r.problems if p.code in GRADER_FAULTS))
        say(f"autograder: grader-side fault ({faults}): this is no grade, whatever the score above says; "
            "run again, and tell the instructor if it persists", err=True)
        return EXIT_GRADER_FAULT
    return EXIT_OK


def cmd_release(args: argparse.Namespace) -> int:
    from autograder.release.files import release_tp
    from autograder.release.verify import make_verifier
    from autograder.release.views import ReleaseError

    course = _course(args)
    options = _options(args, course.root)
    tps = args.tp or course.tp_ids()
    failed = 0
    for tp_id in tps:
        try:
            verify = None if args.no_verify else make_verifier(options, scenarios=not args.skip_scenarios)
            res = release_tp(course, tp_id, verify=verify)
            v = res.verified
            extra = (f" (solution {v.solution_score:g}/{v.max_score:g}, release {v.release_score:g}"
                     f"{', scenarios SKIPPED' if args.skip_scenarios else ''}; proof {v.seconds:.1f} s)"
                     if v else " (NOT verified)")
            say(f"[release] {tp_id}: wrote {len(res.files)} files{extra}")
        except ReleaseError as exc:
            failed += 1
            say(f"[release] {tp_id}: REFUSED\n{exc.message.text(options.lang)}", err=True)
    if failed:
        return EXIT_REFUSED
    if args.template:
        from autograder.release.template_repo import DEFAULT_CHECKER, build_template_repo

        path = build_template_repo(course.root, Path(args.template), tps, checker=args.checker or DEFAULT_CHECKER)
        say(f"[release] student template repo: {path} (commit it as the repo every student forks)")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from autograder.grading.check_local import check_working_copy

    start = Path(args.path).resolve()
    options = _options(args, None)
    out = Path(args.out) if args.out else None
    graded = check_working_copy(args.tp, start, options, out)
    from autograder.render.terminal import report_view, show

    show(report_view(graded.report, options.lang, options.timezone))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from autograder.demo import run_demo

    course = _course(args)
    options = _options(args, course.root)
    run_demo(course, options, Path(args.out).resolve(), Path(args.workdir).resolve() if args.workdir else None)
    return EXIT_OK


def cmd_margins(args: argparse.Namespace) -> int:
    from autograder.prove.margins import margin_report, seeds_from
    from autograder.render import write_atomic
    from autograder.render.margin_report import to_csv, to_markdown

    course = _course(args)
    options = _options(args, course.root)
    tps = args.tp or course.tp_ids()
    out = Path(args.out) if args.out else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    flagged = 0
    for tp_id in tps:
        report = margin_report(
            course.tp(tp_id),
            options,
            seeds=seeds_from(options.seed, args.seeds),
            nbgrader_config=course.root / "nbgrader_config.py",
            progress=lambda msg: say(msg, err=True),
        )
        text = to_markdown(report)
        say(text)
        flagged += sum(r.flagged for r in report.checks)
        if out is not None:
            write_atomic(out / f"margins-{tp_id}.md", text.encode("utf-8"))
            write_atomic(out / f"margins-{tp_id}.csv", to_csv(report).encode("utf-8"))
    if out is not None:
        say(f"[margins] reports in {out}/", err=True)
    return EXIT_REFUSED if flagged and args.strict else EXIT_OK


def cmd_prove(args: argparse.Namespace) -> int:
    from autograder.prove.margins import seeds_from
    from autograder.prove.report import to_json, to_markdown, to_text
    from autograder.prove.run import prove_tps
    from autograder.render import write_atomic

    course = _course(args)
    options = _options(args, course.root)
    tps = args.tp or course.tp_ids()
    for tp_id in tps:
        course.tp(tp_id)  # an unknown TP: refused before anything is graded
    out = Path(args.out) if args.out else None
    reports = Path(args.reports) if args.reports else None
    proofs = []
    for proof in prove_tps(
        course, tps, options, jobs=args.jobs, reports=reports, progress=lambda msg: say(msg, err=True),
        variants=seeds_from(options.seed, args.seeds), mutants=args.mutants, sample_seed=args.sample_seed,
        group_mutants=not args.one_mutant_per_grading, sweep=not args.alone, groups=tuple(args.group or ()),
        budget_s=None if args.budget_minutes is None else 60.0 * args.budget_minutes, rotate=args.rotate,
    ):
        proofs.append(proof)
        proofs.sort(key=lambda p: tps.index(p.tp))  # --jobs: in the order the TPs were asked
        say(to_text(proof))
        if out is not None:  # after each TP: a run stopped by a time limit keeps what it reached
            out.mkdir(parents=True, exist_ok=True)
            write_atomic(out / "prove.json", to_json(proofs).encode("utf-8"))
            write_atomic(out / "prove.md", to_markdown(proofs).encode("utf-8"))
    if out is not None:
        say(f"[prove] reports in {out}/ (prove.json, prove.md)", err=True)
    gradings = [g for p in proofs for g in p.gradings]
    bad = sum(bool(g.findings) for g in gradings)
    say(f"[prove] {len(gradings)} gradings judged, {bad} with findings", err=True)
    partial = [f"{p.tp} ({len(p.not_reached)})" for p in proofs if p.not_reached]
    if partial:
        say(f"[prove] time budget spent: targets not reached in {', '.join(partial)} (rotated by {args.rotate}: "
            "another --rotate proves others)", err=True)
    failed = [p.tp for p in proofs if (p.findings if args.mutation_advisory else p.failed)]
    under = [p.tp for p in proofs if p.mutation is not None and not p.mutation.meets_target]
    if under and args.mutation_advisory:
        say(f"[prove] mutation score under the target (advisory): {', '.join(under)}", err=True)
    say(f"[prove] {'found something in ' + ', '.join(failed) if failed else 'nothing found'}", err=True)
    return EXIT_REFUSED if failed else EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from autograder.release.scaffold import new_tp

    root = Path(args.course).resolve() if args.course else Path.cwd()
    path = new_tp(root, args.tp, title_fr=args.title_fr, title_en=args.title_en or args.title_fr)
    say(f"[new] created {path}; edit the notebook, the checks and scenarios.py (the wrong answers and "
        f"correct variants release grades), then run `autograder release {args.tp}`")
    from autograder.secret import secret_path

    say(f"[new] the course secret is {secret_path(root)} (keep it private: never in release/ or a student repo)")
    return EXIT_OK


def cmd_import_nbgrader(args: argparse.Namespace) -> int:
    from autograder.release.import_nbgrader import import_nbgrader

    root = Path(args.course).resolve() if args.course else Path.cwd()
    for done in import_nbgrader(root, Path(args.source), args.tp):
        say(
            f"[import-nbgrader] {done.origin.name} -> {done.path}: {done.public_checks} public and "
            f"{done.hidden_checks} hidden checks, {done.points:g} points"
            + (f", {done.manual_points:g} points graded by hand" if done.manual_points else "")
            + (f", data files {', '.join(done.data)}" if done.data else "")
        )
        for note in done.notes:
            say(f"[import-nbgrader] {note.en}")
        say(f"[import-nbgrader] next: `autograder release {done.tp_id}`")
    return EXIT_OK


def cmd_secret(args: argparse.Namespace) -> int:
    from autograder.secret import InputKey, create_secret, load_secret, secret_path

    root = Path(args.course).resolve() if args.course else _course(args).root
    if args.init:
        path = create_secret(root, force=args.force)
        say(f"[secret] wrote a new 128-bit secret to {path} (mode 0600); keep it with source/, never in release/")
        return EXIT_OK
    key = InputKey(load_secret(root))
    say(f"[secret] {secret_path(root)}: present, fingerprint {key.fingerprint}")
    return EXIT_OK


def _finish_class(out: Path, course, tp_id: str, lang: str) -> list:
    from autograder.classroom.grade_class import load_results
    from autograder.classroom.gradebook import write_gradebook
    from autograder.classroom.nbgrader_export import GRADEBOOK, write_nbgrader_gradebook
    from autograder.classroom.reviews import apply_reviews, read_reviews
    from autograder.classroom.summary import write_summary

    results = load_results(out)
    tp = course.tp(tp_id)
    # Formgrader reviews (manual scores, comments) of the previous gradebook: checked first
    # (ReviewError writes nothing), applied to the exports, carried into the new gradebook.
    reviews = read_reviews(out / GRADEBOOK, tp_id, results)
    shown = apply_reviews(results, reviews, lang)
    write_gradebook(out, shown, item_name=tp.config.title.text(lang), lang=lang)
    write_nbgrader_gradebook(out, results, tp=tp_id, notebook=tp.config.notebook, reviews=reviews)
    write_summary(out, shown, title=f"{tp_id} — {tp.config.title.text(lang)}", lang=lang)
    if reviews:
        say(f"[{tp_id}] Formgrader reviews applied for {len(reviews.by_student)} student(s): see the review column of grades.csv")
    return shown


def cmd_grade_class(args: argparse.Namespace) -> int:
    from datetime import datetime

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from autograder.classroom.class_result import StudentResult
    from autograder.classroom.deadline import LatePolicy
    from autograder.classroom.grade_class import ClassJob, grade_class
    from autograder.classroom.roster import read_roster, shard
    from autograder.render.formats import fmt_num
    from autograder.render.terminal import for_terminal

    course = _course(args)
    options = _options(args, course.root)
    course.tp(args.tp)  # unknown TP: fail before grading anyone
    try:
        deadline = datetime.fromisoformat(args.deadline)
    except ValueError:
        raise ConfigError(Message(fr=f"--deadline {args.deadline!r} : date ISO attendue, ex. 2026-12-01T23:59:00+01:00", en=f"--deadline {args.deadline!r}: ISO date expected, e.g. 2026-12-01T23:59:00+01:00")) from None
    if deadline.tzinfo is None:
        raise ConfigError(Message(fr="--deadline : précisez le fuseau horaire (ex. +01:00)", en="--deadline: give the time zone (e.g. +01:00)"))
    if options.timezone is None:  # dates in feedback and moodle.csv: the deadline's zone
        from autograder.render.formats import zone_of

        options = options.with_overrides({"timezone": zone_of(deadline)})
    students = read_roster(Path(args.roster))
    if args.shard:
        i, _, n = args.shard.partition("/")
        students = shard(students, int(i), int(n))
    policy = LatePolicy(args.grace_minutes, args.penalty_per_day, args.max_late_days, args.penalty_cap)
    out = Path(args.out).resolve()
    job = ClassJob(course.root, args.tp, deadline, policy, options, out, force=args.force)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.fields[last]}", markup=False)) as bar:
        task = bar.add_task(f"{args.tp}", total=len(students), last="")

        def done(r: StudentResult) -> None:
            tag = "skipped" if r.skipped else r.status
            score = fmt_num(float(r.final_score or 0.0), options.lang)
            bar.update(task, advance=1, last=for_terminal(f"{r.student_id}: {score} ({tag})"))

        grade_class(job, students, jobs=args.jobs, on_result=done)
    results = _finish_class(out, course, args.tp, options.lang)
    from autograder.render.terminal import class_view, show

    show(class_view(results, options.lang))
    say(f"[grade-class] {len(students)} students in this run; {len(results)} in {out}: grades.csv, moodle.csv, summary.html, students/<id>/")
    return EXIT_OK


def cmd_merge_class(args: argparse.Namespace) -> int:
    from autograder.classroom.grade_class import merge_shards

    course = _course(args)
    out = Path(args.out).resolve()
    merge_shards(out, [Path(d).resolve() for d in args.shards])
    results = _finish_class(out, course, args.tp, args.lang or "fr")
    say(f"[merge-class] {len(results)} students merged into {out}")
    return EXIT_OK


def cmd_similarity(args: argparse.Namespace) -> int:
    from autograder.classroom.similarity.classes import Params, run
    from autograder.course import Course
    from autograder.render.terminal import for_terminal

    course = Course(Path(args.course).resolve()) if args.course else Course.find()
    class_dir = Path(args.class_dir).resolve()
    out = Path(args.out).resolve() if args.out else class_dir
    params = Params(
        k=args.k,
        window=args.window,
        min_fingerprints=args.min_fingerprints,
        max_holders=args.max_holders,
        threshold=args.threshold,
        metric=args.metric,
        include_scratch=args.include_scratch,
    )
    report = run(class_dir, args.tp, course, out, params)
    for s in report["skipped"]:
        print(for_terminal(f"[similarity] skipped {s['id']}: {s['reason']}"), file=sys.stderr)
    print(
        f"[similarity] {args.tp}: {len(report['students'])} students, {report['n_pairs']} pairs, "
        f"{len(report['pairs'])} at or above {params.threshold:g} ({params.metric})"
    )
    for p in report["pairs"]:
        cells = ", ".join(f"{c['grade_id']} {c['jaccard']:.2f}" for c in p["cells"])
        print(for_terminal(f"  {p['score']:.3f}  {p['a']} ↔ {p['b']}  ({cells})"))
    print(f"reports: {out / 'similarity.json'}, {out / 'similarity.html'}")
    return 0


def _add_similarity_options(p: argparse.ArgumentParser) -> None:
    from autograder.classroom.similarity.classes import MAX_HOLDERS, MIN_FINGERPRINTS, THRESHOLD
    from autograder.classroom.similarity.winnowing import WINDOW, K

    p.add_argument("--class-dir", required=True, help="class folder written by grade-class")
    p.add_argument("--tp", required=True, help="TP id")
    p.add_argument(
        "--threshold",
        type=float,
        default=THRESHOLD,
        help=f"flag pairs at or above this score (default {THRESHOLD})",
    )
    p.add_argument("--out", help="folder for similarity.json/html (default: the class folder)")
    p.add_argument("--course", help="course root holding source/ and release/")
    p.add_argument(
        "--include-scratch",
        action="store_true",
        help="also compare the students' own extra code cells",
    )
    p.add_argument(
        "--metric",
        choices=("jaccard", "containment"),
        default="jaccard",
        help="overall score (default jaccard)",
    )
    p.add_argument("-k", type=int, default=K, help=f"k-gram length in tokens (default {K})")
    p.add_argument(
        "--window", type=int, default=WINDOW, help=f"winnowing window (default {WINDOW})"
    )
    p.add_argument(
        "--min-fingerprints",
        type=int,
        default=MIN_FINGERPRINTS,
        help=f"cells with fewer fingerprints are not compared (default {MIN_FINGERPRINTS})",
    )
    p.add_argument(
        "--max-holders",
        type=int,
        default=MAX_HOLDERS,
        help=f"ignore fingerprints shared by more students than this (default {MAX_HOLDERS}; 0: never)",
    )


def build_parser() -> argparse.ArgumentParser:
    # No abbreviations: `release --out DIR` must be refused, not read as --output-limit-kb DIR.
    p = argparse.ArgumentParser(
        prog="autograder",
        allow_abbrev=False,
        description="Release deep-learning TP notebooks with nbgrader and grade students' git commits "
        "in a sandboxed Jupyter kernel, with pytest checks run outside the student's process.",
    )
    p.add_argument("--version", action="version", version=f"autograder {__version__}")
    sub = p.add_subparsers(
        dest="command",
        required=True,
        metavar="COMMAND",
        parser_class=functools.partial(argparse.ArgumentParser, allow_abbrev=False),
    )

    g = sub.add_parser("grade", help="grade one commit of a student repo", description="Grade the TP notebook at one commit of a student's git repo and write grade.json, junit.xml, feedback.md/html and executed.ipynb. Exit 0 whenever a grade was produced, whatever the score.")
    g.add_argument("--repo", required=True, help="student repo: a local path or a git URL")
    g.add_argument("--ref", default="HEAD", help="branch, tag or commit sha (default: HEAD)")
    g.add_argument("--tp", required=True, help="TP id, e.g. tp01_gradients")
    g.add_argument("--out", required=True, help="folder for the reports")
    g.add_argument("--notebook-path", help="notebook path in the repo (default: <tp>/<tp>.ipynb)")
    g.add_argument(
        "--student",
        help="who the repo belongs to: the hidden checks' inputs are derived from the course secret AND this "
        "id, so one student's feedback is useless to another (default: the repo URL's project path, as "
        "$CI_PROJECT_PATH; a local folder's absolute path). CI passes $CI_PROJECT_PATH.",
    )
    g.add_argument("--course", help="course root holding source/ (default: found from the current folder)")
    _add_grade_options(g)
    g.set_defaults(func=cmd_grade)

    r = sub.add_parser("release", help="generate release/ and solutions/ from source/", description="Generate the student version (release/<tp>, via nbgrader) and the solution version (solutions/<tp>) of each TP. Refuses (exit 3), writing nothing, unless the solution earns full marks, the untouched release earns 0, and every answer of source/<tp>/scenarios.py is graded as declared (a correct variant keeps every point, a wrong answer loses the points it names).")
    r.add_argument("tp", nargs="*", help="TP ids (default: all TPs in source/)")
    r.add_argument("--course", help="course root holding source/")
    r.add_argument("--no-verify", action="store_true", help="skip grading the solution and the release (not recommended)")
    r.add_argument("--skip-scenarios", action="store_true", help="for drafts: grade the solution and the release but not the wrong answers and correct variants of source/<tp>/scenarios.py (the report says so)")
    r.add_argument("--template", metavar="DIR", help="also build the student template repo (released TPs, student README, requirements.txt, .gitignore, feedback pipeline) in DIR (absent or empty)")
    r.add_argument("--checker", help="requirements.txt line installing the student-side checker, e.g. 'dl-autograder @ git+https://…/autograder.git@v0.1.0'")
    _add_grade_options(r)
    r.set_defaults(func=cmd_release)

    c = sub.add_parser("check", help="run the public checks on your working copy (students)", description="Run the public checks of a TP on the notebook in your working copy, through the same sandbox as the real grading. Feedback only: the real grade also uses hidden checks.")
    c.add_argument("tp", help="TP id, e.g. tp01_gradients")
    c.add_argument("--path", default=".", help="root of your repo (default: current folder)")
    c.add_argument("--out", help="also write the reports into this folder")
    _add_grade_options(c)
    c.set_defaults(func=cmd_check)

    d = sub.add_parser("demo", help="build a demo student repo with 3 commits and grade them", description="Build a throwaway student repo from release/tp01_gradients with three commits (untouched release, buggy attempt, solution), grade each and print a table.")
    d.add_argument("--out", default="demo-out", help="folder for the reports (default: demo-out)")
    d.add_argument("--workdir", help="where to build the student repo (default: a temp folder)")
    d.add_argument("--course", help="course root holding source/")
    _add_grade_options(d)
    d.set_defaults(func=cmd_demo)

    gc = sub.add_parser("grade-class", help="grade a whole class at the deadline", description="Grade every student of a roster: the last commit on or before the deadline (plus grace/late window), in parallel, resumable (a rerun skips students whose graded commit is unchanged), writing grades.csv, moodle.csv, summary.html and students/<id>/.")
    gc.add_argument("--roster", required=True, help="CSV with columns student_id,name,repo[,branch][,email]")
    gc.add_argument("--tp", required=True, help="TP id")
    gc.add_argument("--deadline", required=True, help="ISO 8601 with time zone, e.g. 2026-12-01T23:59:00+01:00")
    gc.add_argument("--out", required=True, help="class output folder")
    gc.add_argument("--jobs", type=int, default=1, help="submissions graded in parallel (default 1)")
    gc.add_argument("--shard", help="grade slice i/n of the roster (1-based, e.g. $CI_NODE_INDEX/$CI_NODE_TOTAL)")
    gc.add_argument("--force", action="store_true", help="grade again even students whose result is up to date")
    gc.add_argument("--grace-minutes", type=float, default=0.0, help="lateness forgiven, in minutes (default 0)")
    gc.add_argument("--penalty-per-day", type=float, default=0.0, help="fraction of the score lost per started late day (default 0)")
    gc.add_argument("--max-late-days", type=float, default=0.0, help="late commits accepted up to this many days after the deadline (default 0: none)")
    gc.add_argument("--penalty-cap", type=float, default=1.0, help="largest fraction lost to lateness (default 1)")
    gc.add_argument("--course", help="course root holding source/")
    _add_grade_options(gc)
    gc.set_defaults(func=cmd_grade_class)

    mc = sub.add_parser("merge-class", help="join grade-class shard outputs, apply Formgrader reviews", description="Merge the outputs of `grade-class --shard i/n` runs into one class folder (none: the class folder as it is) and rebuild grades.csv, moodle.csv and summary.html, with the scores and comments changed in Formgrader (gradebook.db) applied.")
    mc.add_argument("shards", nargs="*", help="shard output folders (none: only apply Formgrader reviews)")
    mc.add_argument("--out", required=True, help="merged class folder")
    mc.add_argument("--tp", required=True, help="TP id")
    mc.add_argument("--course", help="course root holding source/")
    mc.add_argument("--lang", choices=("fr", "en"), help="language of the Moodle feedback column")
    mc.set_defaults(func=cmd_merge_class)

    sm = sub.add_parser("similarity", help="compare the answer cells of a graded class (copy detection)", description="Fingerprint (winnowing) the answer cells of every student's graded commit, with the release's given code and stubs removed and names/whitespace/comments normalised; write similarity.json and similarity.html with the pairs at or above the threshold.")
    _add_similarity_options(sm)
    sm.set_defaults(func=cmd_similarity)

    mg = sub.add_parser("margins", help="how far the solution sits from failing each check (instructors)", description="Grade each TP's solution once per seed (the course's seed, then the next ones) through the sandbox and print, per check, the tightest margin its helpers recorded: how far a metric sits from its threshold, or how much of its tolerance an error uses. Rows under 5 %% of a threshold or over 50 %% of a tolerance are flagged TIGHT: move the bar, or the grade may flip on another seed or GPU.")
    mg.add_argument("tp", nargs="*", help="TP ids (default: all TPs in source/)")
    mg.add_argument("--seeds", type=int, default=3, help="how many grader seeds to grade the solution with (default 3)")
    mg.add_argument("--out", help="also write margins-<tp>.md and margins-<tp>.csv into this folder")
    mg.add_argument("--strict", action="store_true", help="exit 3 when a check is flagged or fails on some seed (for CI)")
    mg.add_argument("--course", help="course root holding source/")
    _add_grade_options(mg)
    mg.set_defaults(func=cmd_margins)

    pv = sub.add_parser(
        "prove",
        help="grade each TP's solution, wrong answers and correct variants under N variants; score mutants (instructors)",
        description="For each TP with a scenarios file (source/<tp>/scenarios.py, else tests/<tpNN>/scenarios.py): "
        "grade the solution, every GROUPS group of wrong answers and every CORRECT_GROUPS group of correct "
        "answers under the grader variants seed, seed+1, ... (--seeds N; the hidden checks' inputs change with "
        "the variant; each notebook runs once and its checks once per variant, a finding under a later variant "
        "being graded again alone before it is reported: --alone grades every variant alone), and report every (variant, group) where a wrong answer keeps a point it must lose, a "
        "correct answer or the solution loses one, or an item no answer touched loses points: the TP tests' "
        "judgement, under every variant. With --mutants K, also mutate the solution's answer cells (cosmic-ray's "
        "operators and domain ones: @ as *, dropped or swapped statements, .detach()), grade K of them drawn "
        "with --sample-seed (0: all) under the first variant, and report per item the share that lose points, "
        "the survivors as diffs, and the TP's EQUIVALENT mutants apart; the target is 90 %. A TP without "
        "scenarios is reported as such. Progress on stderr, a table per TP on stdout. Exit 3 when anything "
        "is found (a finding, or a mutation score under the target), 0 otherwise.",
    )
    pv.add_argument("tp", nargs="*", help="TP ids (default: all TPs in source/)")
    pv.add_argument("--seeds", type=int, default=3, help="how many grader variants, from --seed on (default 3)")
    pv.add_argument("--jobs", type=int, default=1, help="prove this many TPs at once, each in a process of its own (default 1; 2 on a 2-core machine)")
    pv.add_argument("--alone", action="store_true", help="grade every variant in a kernel of its own, as a real grade, instead of running the checks of all variants after one run of the notebook (slower; findings are graded alone either way)")
    pv.add_argument("--mutants", type=int, metavar="K", help="also grade K mutants of the solution (0: all of them; default: none)")
    pv.add_argument("--sample-seed", type=int, default=0, help="seed of the mutant sample (default 0): same seed, same mutants")
    pv.add_argument("--one-mutant-per-grading", action="store_true", help="grade each mutant alone instead of grouping mutants of independent cells (slower)")
    pv.add_argument("--group", action="append", metavar="NAME", help="only this GROUPS or CORRECT_GROUPS group (and the solution), repeatable: re-prove what a fix touched under many --seeds; an unknown name is refused with the TP's groups")
    pv.add_argument("--budget-minutes", type=float, metavar="M", help="share M minutes fairly among the TPs: each TP's solution is always graded under every variant, then its groups until its share is spent, then its mutants; what was not reached is listed, and is not a finding (a CI step with a fixed time proves part of every TP rather than all of the first ones)")
    pv.add_argument("--rotate", type=int, default=0, metavar="N", help="start each TP's groups at the N-th (modulo their number; default 0): runs cut short by --budget-minutes, each with another N, prove other groups")
    pv.add_argument("--mutation-advisory", action="store_true", help="report the mutation score without letting it set the exit code (findings still do)")
    pv.add_argument("--out", help="also write prove.json and prove.md into this folder")
    pv.add_argument("--reports", metavar="DIR", help="also write every scenario grading's report as DIR/<tp>/<variant>/<group>.json, durations and dates removed: run it before and after changing checks and compare with `diff -r` (no grade or message may change)")
    pv.add_argument("--course", help="course root holding source/")
    _add_grade_options(pv)
    pv.set_defaults(func=cmd_prove)

    n = sub.add_parser("new", help="scaffold a new TP in source/", description="Create source/<tp>/ with a notebook, tp.toml and public/hidden checks that release and grade out of the box.")
    n.add_argument("tp", help="new TP id, e.g. tp11_transformers")
    n.add_argument("--title-fr", required=True, help="French title")
    n.add_argument("--title-en", help="English title (default: the French one)")
    n.add_argument("--course", help="course root (default: current folder)")
    n.set_defaults(func=cmd_new)
    im = sub.add_parser(
        "import-nbgrader",
        help="turn an nbgrader source notebook (or assignment folder) into a TP",
        description="Convert an nbgrader source notebook into source/<tp>/: answer cells and their solution "
        "regions kept, each autograder test cell turned into a check worth its points (visible asserts: a "
        "public check; a HIDDEN TESTS region: a hidden check), the other files of the folder as data files, "
        "old nbformat upgraded. A folder with several notebooks gives one TP per notebook (<tp>_<name>). "
        "Whatever cannot be converted is refused, naming the cell.",
    )
    im.add_argument("source", help="nbgrader source notebook (.ipynb) or assignment folder")
    im.add_argument("tp", help="TP id, e.g. tp11_ps1")
    im.add_argument("--course", help="course root (default: current folder)")
    im.set_defaults(func=cmd_import_nbgrader)
    sc = sub.add_parser(
        "secret",
        help="create or check the course's secret (hidden checks' inputs derive from it)",
        description="Hidden checks draw their inputs from an HMAC of the course's 128-bit secret, the student "
        "and the check: without the secret nobody can predict them, and one student's feedback says nothing "
        "about another's inputs. Grading with hidden checks refuses a course without it. It lives in "
        "<course>/.autograder-secret (mode 0600), beside source/, never in release/ or the package. "
        "Without --init: say whether it is there, with a fingerprint that does not reveal it.",
    )
    sc.add_argument("--init", action="store_true", help="write a new random secret")
    sc.add_argument("--force", action="store_true", help="with --init: replace an existing secret (changes every hidden input)")
    sc.add_argument("--course", help="course root (default: found from the current folder)")
    sc.set_defaults(func=cmd_secret)
    return p


def main(argv: list[str] | None = None) -> int:
    from autograder.sandbox.plan import SandboxUnavailable

    args = build_parser().parse_args(argv)
    lang = getattr(args, "lang", None) or "fr"
    try:
        return int(args.func(args))
    except SandboxUnavailable as exc:
        say(f"autograder: {exc.text(lang)}", err=True)
        return EXIT_REFUSED
    except AutograderError as exc:  # a course, option or notebook the grader explains
        say(f"autograder: {exc.text(lang)}", err=True)
        return EXIT_USAGE
    except OSError as exc:  # a full disk, a read-only --out: the grader's side, say so plainly
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        if isinstance(exc, PermissionError):
            fix = "this user may not use that path: pick another --out (or TMPDIR), or run as a user who may"
        elif exc.errno == errno.ENOSPC:
            fix = "the disk is full: free space and run again"
        else:
            fix = "fix the path (--out, TMPDIR) and run again"
        say(f"autograder: cannot use{where}: {exc.strerror or exc}; nothing was graded wrongly; {fix}", err=True)
        return EXIT_GRADER_FAULT
