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

import copy
import filecmp
import fnmatch
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.config import ConfigError
from autograder.course import TP, Course
from autograder.errors import AutograderError
from autograder.prove.scenarios import scenario_paths
from autograder.results import Message

# What is never copied from the TP folder (mirrors CourseDirectory.ignore in nbgrader_config.py).
IGNORED = ("__pycache__", ".ipynb_checkpoints", "*.pyc")
# Cell metadata that records when a cell ran: time-dependent, never part of a release.
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime", "collapsed", "scrolled")
NBGRADER_TIMEOUT_S = 180


class ReleaseError(AutograderError):
    """The TP cannot be released; `.message` says where and what to fix."""


@dataclass(frozen=True)
class Views:
    """The two views of one source notebook: nbformat v4 dicts, in-memory form (`normalise`)."""

    release_nb: dict[str, Any]
    solution_nb: dict[str, Any]


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


# --------------------------------------------------------------------------- views


def build_views(tp: TP, *, nbgrader_config: Path) -> Views:
    """Run nbgrader for the student view, strip markers for the solution view, check they agree."""
    source = _read_source(tp)
    markers = _Markers.load(nbgrader_config)
    refuse_nbgrader_tests(tp, source, markers)
    release_nb = normalise(_run_nbgrader(tp, nbgrader_config))
    solution_nb = normalise(_solution_view(source, markers, tp))
    check_views(tp, release_nb, solution_nb, markers=markers)
    return Views(release_nb=release_nb, solution_nb=solution_nb)


def normalise(nb: dict[str, Any]) -> dict[str, Any]:
    """A copy in nbformat's in-memory form (sources as strings), outputs cleared and
    time-dependent metadata dropped, so the same source always gives the same notebook."""
    out = copy.deepcopy(nb)
    for cell in out.get("cells", []):
        cell["source"] = _text(cell)
        meta = cell.setdefault("metadata", {})
        for key in VOLATILE_CELL_METADATA:
            meta.pop(key, None)
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return out


def serialise(nb: dict[str, Any]) -> bytes:
    """The one byte form of a notebook in release/ and solutions/: sorted keys and sources
    split into lines as Jupyter writes them, so it is deterministic and diffs line by line."""
    on_disk = copy.deepcopy(nb)
    for cell in on_disk.get("cells", []):
        cell["source"] = _text(cell).splitlines(keepends=True)
    return (json.dumps(on_disk, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode()


@dataclass(frozen=True)
class _Markers:
    """The delimiters nbgrader is configured with, read from the same nbgrader_config.py."""

    begin_solution: str = "BEGIN SOLUTION"
    end_solution: str = "END SOLUTION"
    begin_hidden: str = "BEGIN HIDDEN TESTS"
    end_hidden: str = "END HIDDEN TESTS"
    begin_scheme: str = "BEGIN MARK SCHEME"
    end_scheme: str = "END MARK SCHEME"

    @classmethod
    def load(cls, nbgrader_config: Path) -> _Markers:
        from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

        path = Path(nbgrader_config)
        try:
            cfg = PyFileConfigLoader(path.name, str(path.parent)).load_config()
        except (ConfigFileNotFound, OSError) as exc:
            raise ReleaseError(
                Message(
                    fr=f"configuration nbgrader introuvable : {path} ({exc}). Placez nbgrader_config.py à la racine du cours.",
                    en=f"nbgrader config not found: {path} ({exc}). Put nbgrader_config.py at the course root.",
                )
            ) from exc
        d = cls()
        sol, hid, sch = cfg.ClearSolutions, cfg.ClearHiddenTests, cfg.ClearMarkScheme
        return cls(
            begin_solution=sol.get("begin_solution_delimeter", d.begin_solution),
            end_solution=sol.get("end_solution_delimeter", d.end_solution),
            begin_hidden=hid.get("begin_test_delimeter", d.begin_hidden),
            end_hidden=hid.get("end_test_delimeter", d.end_hidden),
            begin_scheme=sch.get("begin_mark_scheme_delimeter", d.begin_scheme),
            end_scheme=sch.get("end_mark_scheme_delimeter", d.end_scheme),
        )

    def all(self) -> tuple[str, ...]:
        return (
            self.begin_solution,
            self.end_solution,
            self.begin_hidden,
            self.end_hidden,
            self.begin_scheme,
            self.end_scheme,
        )


def _text(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _nbgrader_meta(cell: dict[str, Any]) -> dict[str, Any]:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def _is_answer(cell: dict[str, Any]) -> bool:
    return bool(_nbgrader_meta(cell).get("solution", False))


def _where(tp: TP, index: int, cell: dict[str, Any] | None = None) -> tuple[str, str]:
    grade_id = _nbgrader_meta(cell).get("grade_id") if cell else None
    gid_fr = f" (grade_id « {grade_id} »)" if grade_id else ""
    gid_en = f" (grade_id '{grade_id}')" if grade_id else ""
    nb = f"source/{tp.id}/{tp.config.notebook}"
    return f"TP {tp.id}, {nb}, cellule {index}{gid_fr}", f"TP {tp.id}, {nb}, cell {index}{gid_en}"


def _read_source(tp: TP) -> dict[str, Any]:
    """The source notebook as a dict; every cell must carry a stable id (nbformat >= 4.5)."""
    path = tp.source_notebook
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReleaseError(
            Message(
                fr=f"TP {tp.id} : notebook source illisible {path} : {exc}",
                en=f"TP {tp.id}: cannot read source notebook {path}: {exc}",
            )
        ) from exc
    if not isinstance(nb, dict) or nb.get("nbformat") != 4 or nb.get("nbformat_minor", 0) < 5:
        raise ReleaseError(
            Message(
                fr=f"TP {tp.id} : {path} doit être au format nbformat 4.5 ou plus (identifiants de cellules). "
                "Ouvrez-le et enregistrez-le avec JupyterLab 3+.",
                en=f"TP {tp.id}: {path} must be nbformat 4.5 or later (cell ids). "
                "Open and save it with JupyterLab 3+.",
            )
        )
    seen: set[str] = set()
    for i, cell in enumerate(nb.get("cells", [])):
        cell_id = cell.get("id") if isinstance(cell, dict) else None
        if not cell_id or cell_id in seen:
            # nbformat would repair a missing or duplicate id with a random one: the
            # release would change at every run and drift from the solution.
            fr, en = _where(tp, i, cell if isinstance(cell, dict) else None)
            raise ReleaseError(
                Message(
                    fr=f"{fr} : cellule sans identifiant ou identifiant {cell_id!r} en double ; "
                    "enregistrez le notebook avec JupyterLab 3+.",
                    en=f"{en}: cell without an id or with duplicate id {cell_id!r}; "
                    "save the notebook with JupyterLab 3+.",
                )
            )
        seen.add(cell_id)
    return nb


def refuse_nbgrader_tests(tp: TP, source: dict[str, Any], markers: _Markers) -> None:
    """nbgrader's own tests have no effect here (checks live in checks/): a HIDDEN TESTS
    region or an autograder test cell (grade: true, not an answer) left in the notebook
    would be cut or ignored at grading, and its points given away. Refused, naming the cell."""
    for i, cell in enumerate(source.get("cells", [])):
        meta = _nbgrader_meta(cell)
        hidden = any(m in _text(cell) for m in (markers.begin_hidden, markers.end_hidden))
        test = cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")
        if hidden or test:
            fr, en = _where(tp, i, cell)
            what_fr = "une région HIDDEN TESTS" if hidden else "une cellule de test nbgrader (grade: true)"
            what_en = "a HIDDEN TESTS region" if hidden else "an nbgrader test cell (grade: true)"
            raise ReleaseError(
                Message(
                    fr=f"{fr} : {what_fr}, que la notation de ce projet ignorerait (ses points seraient "
                    "donnés sans vérification). Convertissez le notebook nbgrader avec "
                    "`autograder import-nbgrader`, ou écrivez ces tests dans checks/.",
                    en=f"{en}: {what_en}, which this project's grading would ignore (its points given "
                    "away unchecked). Convert the nbgrader notebook with `autograder import-nbgrader`, "
                    "or write these tests in checks/.",
                )
            )


def _run_nbgrader(tp: TP, nbgrader_config: Path) -> dict[str, Any]:
    """The student view, from the real `nbgrader generate_assignment` in a throw-away course.

    Only the notebook and the config are copied there, so nothing else of the TP (hidden
    checks included) can leak, and nbgrader's gradebook.db never lands in the course.
    """
    if not Path(nbgrader_config).is_file():
        raise ReleaseError(
            Message(
                fr=f"configuration nbgrader introuvable : {nbgrader_config}. Placez nbgrader_config.py à la racine du cours.",
                en=f"nbgrader config not found: {nbgrader_config}. Put nbgrader_config.py at the course root.",
            )
        )
    with tempfile.TemporaryDirectory(prefix="autograder-release-") as tmp_str:
        tmp = Path(tmp_str)
        course = tmp / "course"
        src = course / "source" / tp.id
        src.mkdir(parents=True)
        shutil.copyfile(tp.source_notebook, src / tp.config.notebook)
        shutil.copyfile(nbgrader_config, course / "nbgrader_config.py")
        env = dict(os.environ)
        # nbgrader shells out to `alembic` from the same environment: put its bin/ first.
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        env["JUPYTER_NO_CONFIG"] = "1"  # ignore ~/.jupyter and system configs: same result anywhere
        env["TMPDIR"] = str(tmp)  # jupyter_core's scratch config dir goes away with `tmp`
        cmd = [
            sys.executable,
            "-m",
            "nbgrader",
            "generate_assignment",
            tp.id,
            "--force",
            "--no-db",  # generate_assignment needs no gradebook; a db costs ~3 s of alembic
        ]
        try:
            proc = subprocess.run(
                cmd,
                cwd=course,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=NBGRADER_TIMEOUT_S,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ReleaseError(
                Message(
                    fr=f"TP {tp.id} : nbgrader n'a pas pu être lancé ({exc}). Lancez scripts/setup.sh.",
                    en=f"TP {tp.id}: could not run nbgrader ({exc}). Run scripts/setup.sh.",
                )
            ) from exc
        out_nb = course / "release" / tp.id / tp.config.notebook
        if proc.returncode != 0 or not out_nb.is_file():
            log = _nbgrader_errors(proc.stdout + proc.stderr)
            raise ReleaseError(
                Message(
                    fr=f"TP {tp.id} : nbgrader generate_assignment a échoué sur source/{tp.id}/{tp.config.notebook} "
                    f"(code {proc.returncode}). Vérifiez les marqueurs ### BEGIN/END SOLUTION et les métadonnées nbgrader.\n{log}",
                    en=f"TP {tp.id}: nbgrader generate_assignment failed on source/{tp.id}/{tp.config.notebook} "
                    f"(exit {proc.returncode}). Check the ### BEGIN/END SOLUTION markers and the nbgrader metadata.\n{log}",
                )
            )
        return json.loads(out_nb.read_text(encoding="utf-8"))


def _nbgrader_errors(log: str, keep: int = 15) -> str:
    """The informative tail of nbgrader's log: its ERROR lines, else its last lines."""
    lines = [ln for ln in log.splitlines() if ln.strip()]
    errors = [ln for ln in lines if "ERROR" in ln or "Error" in ln]
    return "\n".join((errors or lines)[-keep:])


def _strip_regions(text: str, begin: str, end: str, *, keep_inside: bool) -> str:
    """Drop the marker lines of begin/end regions (nbgrader's rule: a line containing the
    delimiter), and the region's body too unless keep_inside."""
    out, inside = [], False
    for line in text.split("\n"):
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif keep_inside or not inside:
            out.append(line)
    return "\n".join(out)


def _solution_view(source: dict[str, Any], markers: _Markers, tp: TP) -> dict[str, Any]:
    """The source with solution markers removed and hidden-test/mark-scheme regions cut."""
    nb = copy.deepcopy(source)
    for cell in nb.get("cells", []):
        text = _text(cell)
        text = _strip_regions(text, markers.begin_hidden, markers.end_hidden, keep_inside=False)
        text = _strip_regions(text, markers.begin_scheme, markers.end_scheme, keep_inside=False)
        text = _strip_regions(text, markers.begin_solution, markers.end_solution, keep_inside=True)
        cell["source"] = text
    nb.get("metadata", {}).pop("celltoolbar", None)
    return nb


def check_views(
    tp: TP,
    release_nb: dict[str, Any],
    solution_nb: dict[str, Any],
    *,
    markers: _Markers | None = None,
) -> None:
    """The grader grafts student answers by cell: both views must have the same skeleton.

    Same cell ids in the same order, identical non-answer cells, unique answer grade_ids,
    no marker left; raises ReleaseError naming the TP, the cell index and its grade_id.
    """
    markers = markers or _Markers()

    def fail(index: int, cell: dict[str, Any] | None, fr: str, en: str) -> ReleaseError:
        wfr, wen = _where(tp, index, cell)
        return ReleaseError(Message(fr=f"{wfr} : {fr}", en=f"{wen}: {en}"))

    rel, sol = release_nb.get("cells", []), solution_nb.get("cells", [])
    for i in range(max(len(rel), len(sol))):
        if i >= len(rel) or i >= len(sol) or rel[i].get("id") != sol[i].get("id"):
            ids = (
                rel[i].get("id") if i < len(rel) else None,
                sol[i].get("id") if i < len(sol) else None,
            )
            raise fail(
                i,
                sol[i] if i < len(sol) else None,
                f"les deux vues n'ont pas les mêmes cellules (id release {ids[0]!r}, id solution {ids[1]!r}).",
                f"the two views do not have the same cells (release id {ids[0]!r}, solution id {ids[1]!r}).",
            )
    seen: dict[str, int] = {}
    for i, (r, s) in enumerate(zip(rel, sol, strict=True)):
        for view, cell in (("release", r), ("solution", s)):
            if any(m in _text(cell) for m in markers.all()):
                raise fail(
                    i,
                    s,
                    f"un marqueur nbgrader reste dans la vue {view} : chaque ### BEGIN doit avoir son ### END.",
                    f"an nbgrader marker is left in the {view} view: every ### BEGIN needs its ### END.",
                )
        if r.get("cell_type") != s.get("cell_type"):
            raise fail(
                i,
                s,
                "type de cellule différent entre les vues.",
                "cell type differs between views.",
            )
        if _is_answer(s) != _is_answer(r):
            raise fail(
                i,
                s,
                "métadonnée nbgrader « solution » différente entre les vues.",
                "nbgrader 'solution' metadata differs between views.",
            )
        if _is_answer(s):
            grade_id = _nbgrader_meta(s).get("grade_id")
            if not grade_id:
                raise fail(
                    i,
                    s,
                    "cellule réponse sans grade_id : donnez-lui un identifiant nbgrader.",
                    "answer cell without a grade_id: give it an nbgrader id.",
                )
            if grade_id in seen:
                raise fail(
                    i,
                    s,
                    f"grade_id déjà utilisé par la cellule {seen[grade_id]} : les grade_id des réponses doivent être uniques.",
                    f"grade_id already used by cell {seen[grade_id]}: answer grade_ids must be unique.",
                )
            seen[grade_id] = i
        elif _text(r) != _text(s):
            raise fail(
                i,
                s,
                "cellule non-réponse différente entre l'énoncé et la solution (région HIDDEN TESTS, "
                "AUTOTEST ou marqueur hors cellule réponse ?). Mettez les vérifications dans checks/.",
                "non-answer cell differs between the release and the solution (HIDDEN TESTS region, "
                "AUTOTEST or a marker outside an answer cell?). Put checks in checks/.",
            )


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
