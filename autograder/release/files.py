"""Release step: source/<tp> -> release/<tp> (student view) + solutions/<tp> (solution view).

Both views come from the one source notebook in one pass: the student view is what the
real `nbgrader generate_assignment` produces, the solution view is the source with the
solution markers removed. The two must agree cell for cell, otherwise a student's answers
could not be grafted onto the notebook the grader runs. A caller-supplied verifier then
grades both views before anything is written, so a release that cannot be graded (the
solution misses points, the blank notebook earns some) never reaches students.

Files are written deterministically (sorted JSON, no execution metadata) so that
`is_up_to_date` can compare bytes and release/ never drifts from source/.
"""

from __future__ import annotations

import filecmp
import fnmatch
import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from autograder.config import ConfigError
from autograder.course import TP, Course
from autograder.prove.scenarios import scenario_paths
from autograder.release.views import ReleaseError, Views, build_views, serialise
from autograder.results import Message

# What is never copied from the TP folder (mirrors CourseDirectory.ignore in nbgrader_config.py).
IGNORED = ("__pycache__", ".ipynb_checkpoints", "*.pyc")


@dataclass
class VerifyResult:
    """What the verifier found when grading the solution and the untouched release."""

    ok: bool
    solution_score: float
    max_score: float
    release_score: float
    problems: list[str] = field(default_factory=list)
    # Points of the TP's items graded by hand (tp.toml [[manual]]): outside both scores. A TP
    # made only of them has an automatic total of 0 and is released on its run alone.
    manual_points: float = 0.0
    #: What the proof covered beyond the two views: the scenarios graded, "no scenarios", or
    #: that they were skipped (a draft); and how long the whole verification took.
    proof: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class ReleaseResult:
    tp: str
    release_dir: Path
    solution_dir: Path
    files: tuple[Path, ...]  # every file written, release then solutions
    verified: VerifyResult | None  # None when the caller skipped verification


Verifier = Callable[[TP, dict, dict], VerifyResult]
Files = dict[str, bytes | Path]  # relative path -> content, or the source file to copy


# --------------------------------------------------------------------------- files


def _ignored(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pat) for pat in IGNORED)


def _tree_files(root: Path, *, tp: TP) -> list[Path]:
    """Regular files under root, minus litter; refuses symlinks (they could point at hidden checks)."""
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not _ignored(d))
        names = [n for n in filenames if not _ignored(n)]
        for path in [Path(dirpath) / n for n in (*dirnames, *names)]:
            if path.is_symlink():
                raise ReleaseError(
                    Message(
                        fr=f"TP {tp.id} : lien symbolique refusé ({path}) : copiez le fichier.",
                        en=f"TP {tp.id}: symlink refused ({path}): copy the file instead.",
                    )
                )
        files += [Path(dirpath) / n for n in sorted(names)]
    return files


def _release_files(tp: TP) -> Files:
    """release/<tp> minus the notebook: tp.toml, checks/public as checks/, the data files.

    Checked before nbgrader runs, so a bad tp.toml fails fast. checks/hidden/ is never read.
    """
    release: Files = {"tp.toml": tp.source_dir / "tp.toml"}
    public = tp.public_checks
    if public.is_dir():
        for path in _tree_files(public, tp=tp):
            release[(Path("checks") / path.relative_to(public)).as_posix()] = path
    src_root = tp.source_dir.resolve()
    # The proof (scenarios.py or scenarios/: the solution's variants and the wrong answers)
    # is instructor-only like the hidden checks and the solutions.
    forbidden = (
        tp.hidden_checks.resolve(),
        tp.source_notebook.resolve(),
        *(p.resolve() for p in scenario_paths(tp.source_dir)),
    )
    for rel in tp.config.data_files:
        path = (tp.source_dir / rel).resolve()
        # Neither inside nor above checks/hidden/ or the notebook: a data folder "." or
        # "checks" would otherwise ship the hidden checks or the solutions.
        bad = (
            Path(rel).is_absolute()
            or not path.is_relative_to(src_root)
            or any(path.is_relative_to(f) or f.is_relative_to(path) for f in forbidden)
        )
        if bad:
            raise ReleaseError(
                Message(
                    fr=f"TP {tp.id} : fichier de données refusé « {rel} » dans tp.toml : il doit être dans "
                    f"source/{tp.id}/, hors de checks/hidden/, différent du notebook source et des scénarios.",
                    en=f"TP {tp.id}: data file '{rel}' in tp.toml refused: it must be inside "
                    f"source/{tp.id}/, outside checks/hidden/, not the source notebook nor the scenarios.",
                )
            )
        if path.is_dir():
            for f in _tree_files(path, tp=tp):
                release[f.relative_to(src_root).as_posix()] = f
        elif path.is_file():
            release[path.relative_to(src_root).as_posix()] = path
        else:
            raise ReleaseError(
                Message(
                    fr=f"TP {tp.id} : fichier de données « {rel} » (tp.toml) introuvable dans source/{tp.id}/.",
                    en=f"TP {tp.id}: data file '{rel}' (tp.toml) not found in source/{tp.id}/.",
                )
            )
    if tp.config.notebook in release:
        raise ReleaseError(
            Message(
                fr=f"TP {tp.id} : un fichier de données porte le nom du notebook {tp.config.notebook}.",
                en=f"TP {tp.id}: a data file has the notebook's name {tp.config.notebook}.",
            )
        )
    return release


def _plan(tp: TP, nbgrader_config: Path) -> tuple[Views, Files, Files]:
    """Everything release/<tp> and solutions/<tp> must hold, built in memory."""
    files = _release_files(tp)
    views = build_views(tp, nbgrader_config=nbgrader_config)
    release = {**files, tp.config.notebook: serialise(views.release_nb)}
    return views, release, {tp.config.notebook: serialise(views.solution_nb)}


def _write_atomic(dst: Path, content: bytes | Path) -> None:
    """Write through a temporary sibling and os.replace, so a reader never sees half a file."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.tmp-{secrets.token_hex(4)}")
    try:
        if isinstance(content, Path):
            shutil.copyfile(content, tmp)
        else:
            with open(tmp, "xb") as fh:
                fh.write(content)
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)


def _replace_dir(target: Path, files: Files) -> list[Path]:
    """Build the folder next to `target`, then swap it in: stale files cannot survive."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.new-{secrets.token_hex(4)}")
    staged.mkdir()
    try:
        for rel, content in sorted(files.items()):
            _write_atomic(staged / rel, content)
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old-{secrets.token_hex(4)}")
            os.replace(target, old)
        os.replace(staged, target)
        if old is not None:
            shutil.rmtree(old)
    finally:
        if staged.exists():
            shutil.rmtree(staged)
    return [target / rel for rel in sorted(files)]


# --------------------------------------------------------------------------- entry points


def _course_nbgrader_config(course: Course) -> Path:
    return course.root / "nbgrader_config.py"


def _tp(course: Course, tp_id: str) -> TP:
    try:
        return course.tp(tp_id)
    except ConfigError as exc:
        raise ReleaseError(exc.message) from exc


def release_tp(
    course: Course,
    tp_id: str,
    *,
    verify: Verifier | None,
    out: Callable[[str], object] = print,
) -> ReleaseResult:
    """Build, verify, then write release/<tp> and solutions/<tp>; nothing is written on failure.

    `verify(tp, release_nb, solution_nb)` grades both views; None skips it (say so loudly).
    """
    tp = _tp(course, tp_id)
    out(f"[release] {tp.id}: nbgrader generate_assignment")
    views, release_files, solution_files = _plan(tp, _course_nbgrader_config(course))
    verified: VerifyResult | None = None
    if verify is None:
        out(f"[release] {tp.id}: WARNING not verified (no verifier): the solution was not graded")
    else:
        verified = verify(tp, views.release_nb, views.solution_nb)
        if verified.proof:
            out(f"[release] {tp.id}: proof: {verified.proof}")
        out(f"[release] {tp.id}: the proof took {verified.seconds:.1f} s")
        problems = _verify_problems(verified)
        if problems:
            listing = "\n".join(f"  - {p}" for p in problems)
            raise ReleaseError(
                Message(
                    fr=f"TP {tp.id} : publication refusée, rien n'a été écrit. Solution "
                    f"{verified.solution_score}/{verified.max_score}, énoncé vierge "
                    f"{verified.release_score}/{verified.max_score} (attendu : note maximale et 0, "
                    f"et chaque scénario noté comme déclaré).\n{listing}",
                    en=f"TP {tp.id}: release refused, nothing written. Solution "
                    f"{verified.solution_score}/{verified.max_score}, blank release "
                    f"{verified.release_score}/{verified.max_score} (expected: full marks and 0, "
                    f"and every scenario graded as declared).\n{listing}",
                )
            )
        out(
            f"[release] {tp.id}: solution {verified.solution_score}/{verified.max_score}, "
            f"blank release {verified.release_score}/{verified.max_score}"
            + (
                f" (automatic; + {verified.manual_points:g} points graded by hand in Formgrader)"
                if verified.manual_points
                else ""
            )
        )

    written = _replace_dir(tp.release_dir, release_files)
    written += _replace_dir(tp.solution_dir, solution_files)
    out(f"[release] {tp.id}: wrote {tp.release_dir} and {tp.solution_dir}")
    return ReleaseResult(
        tp=tp.id,
        release_dir=tp.release_dir,
        solution_dir=tp.solution_dir,
        files=tuple(written),
        verified=verified,
    )


def _verify_problems(v: VerifyResult) -> list[str]:
    """The verifier's problems, plus any its numbers contradict (a verifier bug must not release)."""
    problems = list(v.problems)
    if v.max_score <= 0 and v.manual_points <= 0:
        problems.append("max score is 0: no graded check was found")
    if v.solution_score < v.max_score:
        problems.append(f"the solution earns {v.solution_score}/{v.max_score}, not full marks")
    if v.release_score > 0:
        problems.append(f"the untouched release earns {v.release_score} points, not 0")
    if not v.ok and not problems:
        problems.append("the verifier reported a failure")
    return problems


def is_up_to_date(course: Course, tp_id: str) -> list[str]:
    """Differences between what source/<tp> releases to and what release/ and solutions/ hold.

    Empty when up to date. Rebuilds the views in memory; writes nothing.
    """
    tp = _tp(course, tp_id)
    _, release_files, solution_files = _plan(tp, _course_nbgrader_config(course))
    diffs: list[str] = []
    for target, files in ((tp.release_dir, release_files), (tp.solution_dir, solution_files)):
        shown = target.relative_to(course.root) if target.is_relative_to(course.root) else target
        if not target.is_dir():
            diffs.append(f"{shown}/: missing")
            continue
        present = {p.relative_to(target).as_posix() for p in _tree_files(target, tp=tp)}
        for rel in sorted(files):
            path = target / rel
            if rel not in present:
                diffs.append(f"{shown}/{rel}: missing")
            elif not _same(path, files[rel]):
                diffs.append(f"{shown}/{rel}: differs from what source/{tp.id} releases")
        for rel in sorted(present - set(files)):
            diffs.append(f"{shown}/{rel}: stale, not produced from source/{tp.id}")
    return diffs


def _same(path: Path, content: bytes | Path) -> bool:
    if isinstance(content, Path):
        return filecmp.cmp(path, content, shallow=False)
    return path.read_bytes() == content
