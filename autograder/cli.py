"""Thin command-line layer: one verb per module, options generated from typed config."""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

from autograder import __version__
from autograder.config import ConfigError, GradeOptions, load_course_options, option_help
from autograder.results import Message

EXIT_OK, EXIT_USAGE, EXIT_REFUSED = 0, 2, 3


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
    from autograder.grade import grade_commit

    course = _course(args)
    options = _options(args, course.root)
    out = Path(args.out)
    print(f"[grade] {args.tp}: {args.repo} @ {args.ref}", file=sys.stderr)
    graded = grade_commit(
        course, args.tp, repo=args.repo, ref=args.ref, options=options, out_dir=out, notebook_path=args.notebook_path
    )
    r = graded.report
    label = "Note" if options.lang == "fr" else "Score"
    print(f"{label}: {r.score:g} / {r.max_score:g}  ({r.tp}, commit {(r.commit.sha or '?')[:10]})")
    for p in r.problems:
        print(f"  ! {p.code}: {p.message.text(options.lang)}")
    print(f"reports: {out}/ ({', '.join(sorted(p.name for p in out.iterdir()))})")
    return EXIT_OK


def cmd_release(args: argparse.Namespace) -> int:
    from autograder.release import ReleaseError, release_tp
    from autograder.verify import make_verifier

    course = _course(args)
    options = _options(args, course.root)
    tps = args.tp or course.tp_ids()
    failed = 0
    for tp_id in tps:
        try:
            res = release_tp(course, tp_id, verify=None if args.no_verify else make_verifier(options))
            v = res.verified
            extra = f" (solution {v.solution_score:g}/{v.max_score:g}, release {v.release_score:g})" if v else " (NOT verified)"
            print(f"[release] {tp_id}: wrote {len(res.files)} files{extra}")
        except ReleaseError as exc:
            failed += 1
            print(f"[release] {tp_id}: REFUSED\n{exc.message.text(options.lang)}", file=sys.stderr)
    return EXIT_REFUSED if failed else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from autograder.check_local import check_working_copy

    start = Path(args.path).resolve()
    options = _options(args, None)
    out = Path(args.out) if args.out else None
    graded = check_working_copy(args.tp, start, options, out)
    from autograder.render.markdown import to_markdown

    print(to_markdown(graded.report, options.lang))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from autograder.demo import run_demo

    course = _course(args)
    options = _options(args, course.root)
    run_demo(course, options, Path(args.out).resolve(), Path(args.workdir).resolve() if args.workdir else None)
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from autograder.scaffold import new_tp

    root = Path(args.course).resolve() if args.course else Path.cwd()
    path = new_tp(root, args.tp, title_fr=args.title_fr, title_en=args.title_en or args.title_fr)
    print(f"[new] created {path}; edit the notebook, then run `autograder release {args.tp}`")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="autograder",
        description="Release deep-learning TP notebooks with nbgrader and grade students' git commits "
        "in a sandboxed Jupyter kernel, with pytest checks run outside the student's process.",
    )
    p.add_argument("--version", action="version", version=f"autograder {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    g = sub.add_parser("grade", help="grade one commit of a student repo", description="Grade the TP notebook at one commit of a student's git repo and write grade.json, junit.xml, feedback.md/html and executed.ipynb. Exit 0 whenever a grade was produced, whatever the score.")
    g.add_argument("--repo", required=True, help="student repo: a local path or a git URL")
    g.add_argument("--ref", default="HEAD", help="branch, tag or commit sha (default: HEAD)")
    g.add_argument("--tp", required=True, help="TP id, e.g. tp01_gradients")
    g.add_argument("--out", required=True, help="folder for the reports")
    g.add_argument("--notebook-path", help="notebook path in the repo (default: <tp>/<tp>.ipynb)")
    g.add_argument("--course", help="course root holding source/ (default: found from the current folder)")
    _add_grade_options(g)
    g.set_defaults(func=cmd_grade)

    r = sub.add_parser("release", help="generate release/ and solutions/ from source/", description="Generate the student version (release/<tp>, via nbgrader) and the solution version (solutions/<tp>) of each TP. Refuses, writing nothing, unless the solution earns full marks and the untouched release earns 0.")
    r.add_argument("tp", nargs="*", help="TP ids (default: all TPs in source/)")
    r.add_argument("--course", help="course root holding source/")
    r.add_argument("--no-verify", action="store_true", help="skip grading the solution and the release (not recommended)")
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

    n = sub.add_parser("new", help="scaffold a new TP in source/", description="Create source/<tp>/ with a notebook, tp.toml and public/hidden checks that release and grade out of the box.")
    n.add_argument("tp", help="new TP id, e.g. tp11_transformers")
    n.add_argument("--title-fr", required=True, help="French title")
    n.add_argument("--title-en", help="English title (default: the French one)")
    n.add_argument("--course", help="course root (default: current folder)")
    n.set_defaults(func=cmd_new)
    return p


def _error_message(exc: Exception) -> Message | None:
    msg = getattr(exc, "message", None)
    return msg if isinstance(msg, Message) else None


def main(argv: list[str] | None = None) -> int:
    from autograder.sandbox import SandboxUnavailable

    args = build_parser().parse_args(argv)
    lang = getattr(args, "lang", None) or "fr"
    try:
        return int(args.func(args))
    except SandboxUnavailable as exc:
        print(f"autograder: {exc.message.text(lang)}", file=sys.stderr)
        return EXIT_REFUSED
    except ConfigError as exc:
        print(f"autograder: {exc.message.text(lang)}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - errors with a student/instructor message
        msg = _error_message(exc)
        if msg is None:
            raise
        print(f"autograder: {msg.text(lang)}", file=sys.stderr)
        return EXIT_USAGE
