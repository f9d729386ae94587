"""The two views of a source notebook: the student's (nbgrader generate_assignment) and the
solution (markers stripped), normalised, and checked to have the same skeleton so the
grader can graft answers by cell."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.course import TP
from autograder.errors import AutograderError
from autograder.intake.nbio import is_answer
from autograder.results import Message

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
        if is_answer(s) != is_answer(r):
            raise fail(
                i,
                s,
                "métadonnée nbgrader « solution » différente entre les vues.",
                "nbgrader 'solution' metadata differs between views.",
            )
        if is_answer(s):
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
