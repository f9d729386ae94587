"""`autograder demo`: build a throwaway student repo with three commits and grade each.

The three commits are what an instructor sees in a real class: the untouched release, a
plausible buggy attempt, and a correct solution.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import git

from autograder.config import ConfigError, GradeOptions
from autograder.course import Course
from autograder.grading.grade import Graded, grade_commit, pool_for_tp
from autograder.intake.nbio import grade_id
from autograder.results import Message, Status

DEMO_TP = "tp01_gradients"
DEMO_AUTHOR = git.Actor("Camille Martin", "camille.martin@etu.example.fr")


def _attempt(tp_dir: Path, solution: dict) -> dict:
    """The solution with the instructor's demo mistakes (source/<tp>/demo_attempt.json)."""
    mistakes_file = tp_dir / "demo_attempt.json"
    mistakes = json.loads(mistakes_file.read_text(encoding="utf-8")) if mistakes_file.is_file() else {}
    nb = json.loads(json.dumps(solution))
    for cell in nb["cells"]:
        gid = grade_id(cell)
        if gid in mistakes:
            cell["source"] = mistakes[gid]
    return nb


def build_student_repo(course: Course, tp_id: str, repo_dir: Path) -> list[tuple[str, str]]:
    """Three real commits; returns (sha, message) for each."""
    tp = course.tp(tp_id)
    if not tp.release_notebook.is_file() or not tp.solution_notebook.is_file():
        raise ConfigError(
            Message(
                fr=f"release/{tp_id} ou solutions/{tp_id} absent : lancez `autograder release {tp_id}`",
                en=f"release/{tp_id} or solutions/{tp_id} is missing: run `autograder release {tp_id}`",
            )
        )
    repo = git.Repo.init(repo_dir, initial_branch="main")
    target = repo_dir / tp_id
    shutil.copytree(tp.release_dir, target)
    nb_path = target / tp.config.notebook
    solution = json.loads(tp.solution_notebook.read_text(encoding="utf-8"))
    steps = [
        ("Sujet du TP01 (non modifié)", None),
        ("TP01 : première tentative", _attempt(tp.source_dir, solution)),
        ("TP01 : version finale", solution),
    ]
    out = []
    for message, nb in steps:
        if nb is not None:
            nb_path.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        repo.index.add([str(p.relative_to(repo_dir)) for p in target.rglob("*") if p.is_file()])
        c = repo.index.commit(message, author=DEMO_AUTHOR, committer=DEMO_AUTHOR)
        out.append((c.hexsha, message))
    return out


def _short(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def run_demo(course: Course, options: GradeOptions, out_root: Path, workdir: Path | None, echo=print) -> list[Graded]:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    base = workdir or Path(tempfile.mkdtemp(prefix="ag-demo-"))
    repo_dir = base / "student-repo"
    if repo_dir.exists():
        shutil.rmtree(repo_dir)
    repo_dir.mkdir(parents=True)
    commits = build_student_repo(course, DEMO_TP, repo_dir)
    echo(f"[demo] student repo with {len(commits)} commits: {repo_dir}")
    results: list[Graded] = []
    table = Table(title=f"{DEMO_TP} — demo")
    table.add_column("commit", no_wrap=True)
    table.add_column("message")
    table.add_column("score", no_wrap=True, justify="right")
    table.add_column("failing checks", overflow="fold")
    table.add_column("reports", overflow="fold")
    with pool_for_tp(course.tp(DEMO_TP), options) as pool:  # the next kernel starts while one is graded
        for i, (sha, msg) in enumerate(commits, start=1):
            out = out_root / f"{i}-{sha[:8]}"
            echo(f"[demo] grading commit {i}/{len(commits)} {sha[:8]} ({msg})")
            graded = grade_commit(course, DEMO_TP, repo=str(repo_dir), ref=sha, options=options, out_dir=out, pool=pool)
            r = graded.report
            failing = [c.name.removeprefix("test_") for c in r.checks if c.status is not Status.PASSED]
            shown = "\n".join(failing[:3]) + (f"\n… +{len(failing) - 3}" if len(failing) > 3 else "")
            table.add_row(sha[:8], msg, f"{r.score:g}/{r.max_score:g}", shown or "—", _short(out))
            results.append(graded)
    console.print(table)
    sb = results[-1].report.sandbox
    if sb is not None:
        echo(f"[demo] sandbox level: {sb.level} (network isolated: {sb.network_isolated}, user switched: {sb.user_switched}, instructor files hidden: {sb.filesystem_hidden})")
    echo(f"[demo] open {out_root / ('2-' + commits[1][0][:8]) / 'feedback.html'} to see what a student reads about the buggy attempt")
    return results
