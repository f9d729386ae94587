"""`autograder import-nbgrader`: an nbgrader source notebook (or assignment folder) becomes a TP.

An nbgrader course keeps its tests in the notebook: autograder test cells (asserts, with
`points`), optionally with a `### BEGIN HIDDEN TESTS` region the student never sees. This
project keeps them out of the notebook, as pytest checks. The import therefore:

- keeps answer cells (`solution: true`) and their `### BEGIN/END SOLUTION` regions as they are;
- turns each test cell into a check worth its `points` that runs the cell's source in the
  student's kernel (`autograder.checks.nbgrader_tests`), on the answer cell above it: a
  public check when the cell is all visible, a hidden check running the whole cell (visible
  and hidden asserts, all or nothing as nbgrader scores it) when it has a hidden region,
  plus a 0-point public check of its visible asserts, so a student still sees them fail;
- leaves in the notebook, in place of each test cell, a locked markdown cell showing its
  visible asserts (the cell id is kept);
- gives every other cell the metadata this project expects (locked given cells, a unique
  grade_id, a cell id), upgrading notebooks older than nbformat 4.5;
- makes each manually graded answer a manual item (tp.toml `[[manual]]`, scored in
  Formgrader), and each task a locked statement with a markdown answer cell added below it
  (a manual item needs an answer cell to carry its score input);
- copies the other files of the assignment folder and lists them as the TP's data files.

Whatever it cannot carry over faithfully (a graded markdown cell that is no answer, markers
outside the cells nbgrader allows them in, AUTOTEST cells, missing points, a notebook with
no graded cell at all) is refused with a message naming the notebook and the cell: nothing is
dropped silently. The TP folder is built aside and moved in whole, or not at all.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from autograder.errors import AutograderError
from autograder.release.files import IGNORED
from autograder.release.scaffold import TP_ID_RE
from autograder.release.views import _Markers
from autograder.results import Message

CELL_ID_RE = re.compile(r"[a-zA-Z0-9_-]{1,64}")
AUTOTEST_RE = re.compile(r"^\s*#+\s*(HASHED\s+)?AUTOTEST\b", re.MULTILINE)
RESERVED = ("tp.toml", "checks", "demo_attempt.json")


class ImportRefused(AutograderError):
    """The notebook cannot be imported faithfully; `.message` names the notebook and cell."""


@dataclass(frozen=True)
class TestCell:
    """One nbgrader autograder test cell, as checks will run it."""

    grade_id: str
    item: str  # the answer cell it tests: the nearest answer cell above it
    points: float
    visible: str  # what the student sees (hidden region cut)
    full: str  # what nbgrader runs at autograde (markers removed, hidden region kept)

    @property
    def has_hidden(self) -> bool:
        return self.full != self.visible


@dataclass(frozen=True)
class ManualCell:
    """A cell nbgrader leaves to the instructor: a manual item of the TP (tp.toml `[[manual]]`)."""

    grade_id: str  # the answer cell Formgrader scores
    points: float
    title: str


@dataclass
class Conversion:
    """One notebook converted: what source/<tp>/ will hold."""

    tp_id: str
    notebook: dict[str, Any]
    tests: list[TestCell]
    title: str
    origin: str
    data: list[Path] = field(default_factory=list)  # files and folders beside the notebook
    notes: list[Message] = field(default_factory=list)  # what was left out, and why
    manual: list[ManualCell] = field(default_factory=list)


# --------------------------------------------------------------------------- reading


def read_nbgrader_notebook(path: Path) -> dict[str, Any]:
    """The notebook as nbformat 4.5 (cell ids), whatever version nbgrader saved it in."""
    try:
        node = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
    except (OSError, ValueError) as exc:
        raise ImportRefused(
            Message(fr=f"{path} illisible : {exc}", en=f"cannot read {path}: {exc}")
        ) from exc
    nb = json.loads(json.dumps(node))  # plain dicts from here on
    nb["nbformat"], nb["nbformat_minor"] = 4, max(5, int(nb.get("nbformat_minor", 0)))
    for cell in nb.get("cells", []):
        src = cell.get("source", "")
        cell["source"] = "".join(src) if isinstance(src, list) else str(src)
    return nb


def _meta(cell: dict[str, Any]) -> dict[str, Any]:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def _where(nb_name: str, index: int, gid: str | None) -> tuple[str, str]:
    fr = f"{nb_name}, cellule {index}" + (f" (grade_id « {gid} »)" if gid else "")
    en = f"{nb_name}, cell {index}" + (f" (grade_id '{gid}')" if gid else "")
    return fr, en


def _refuse(nb_name: str, index: int, gid: str | None, fr: str, en: str) -> ImportRefused:
    wfr, wen = _where(nb_name, index, gid)
    return ImportRefused(Message(fr=f"{wfr} : {fr}", en=f"{wen}: {en}"))


def split_hidden(text: str, begin: str, end: str) -> tuple[str, str] | None:
    """(visible, full) of a test cell: the hidden region cut, or kept without its marker
    lines (nbgrader's rule: a line containing the delimiter). None when regions are unbalanced."""
    visible, full, inside = [], [], False
    for line in text.split("\n"):
        if begin in line:
            if inside:
                return None
            inside = True
        elif end in line:
            if not inside:
                return None
            inside = False
        else:
            full.append(line)
            if not inside:
                visible.append(line)
    if inside:
        return None
    return "\n".join(visible), "\n".join(full)


def _points(meta: dict[str, Any]) -> float | None:
    p = meta.get("points")
    if isinstance(p, bool) or not isinstance(p, (int, float)):
        try:
            p = float(str(p))
        except ValueError:
            return None
    return float(p) if 0 < p < math.inf else None  # nan and inf are no points


# --------------------------------------------------------------------------- converting


def convert_notebook(
    nb: dict[str, Any], *, tp_id: str, nb_name: str, markers: _Markers | None = None
) -> Conversion:
    """The TP's notebook and test cells, from an nbgrader source notebook (not written)."""
    markers = markers or _Markers()
    out = copy.deepcopy(nb)
    tests: list[TestCell] = []
    manual: list[ManualCell] = []
    inserts: list[tuple[int, dict[str, Any]]] = []  # answer cells added below tasks
    heading: str | None = None
    last_answer: str | None = None
    gids: dict[str, int] = {}
    ids: set[str] = set()
    solution_marks = (markers.begin_solution, markers.end_solution)
    hidden_marks = (markers.begin_hidden, markers.end_hidden)
    scheme_marks = (markers.begin_scheme, markers.end_scheme)
    for i, cell in enumerate(out.get("cells", [])):
        meta = _meta(cell)
        gid = meta.get("grade_id") if isinstance(meta.get("grade_id"), str) else None
        text = cell.get("source", "")
        kind = cell.get("cell_type")
        if kind == "markdown" and not meta:
            heading = _heading(text, level=None) or heading
        solution, grade, task = bool(meta.get("solution")), bool(meta.get("grade")), bool(meta.get("task"))

        def refuse(fr: str, en: str, i: int = i, gid: str | None = gid) -> ImportRefused:
            return _refuse(nb_name, i, gid, fr, en)

        if gid is not None:
            if gid in gids:
                raise refuse(
                    f"grade_id déjà utilisé par la cellule {gids[gid]}",
                    f"grade_id already used by cell {gids[gid]}",
                )
            gids[gid] = i
        if AUTOTEST_RE.search(text):
            raise refuse(
                "cellule AUTOTEST : écrivez ses tests sous forme d'assertions",
                "AUTOTEST cell: write its tests as asserts",
            )
        if task or (grade and solution):
            manual.append(_manual_item(cell, i, gid, meta, heading, markers, refuse, inserts))
            continue
        if any(m in text for m in scheme_marks):
            raise refuse(
                "région MARK SCHEME hors d'une réponse notée à la main",
                "MARK SCHEME region outside a manually graded answer",
            )
        if grade:
            if kind != "code":
                raise refuse(
                    "cellule notée sans réponse qui n'est pas du code : rien à vérifier automatiquement",
                    "graded cell that is neither an answer nor code: nothing to check automatically",
                )
            points = _points(meta)
            if points is None:
                raise refuse(
                    f"cellule de test sans points positifs (points = {meta.get('points')!r})",
                    f"test cell without positive points (points = {meta.get('points')!r})",
                )
            if any(m in text for m in solution_marks):
                raise refuse(
                    "marqueur SOLUTION dans une cellule de test",
                    "SOLUTION marker in a test cell",
                )
            parts = split_hidden(text, *hidden_marks)
            if parts is None:
                raise refuse(
                    "régions HIDDEN TESTS mal formées : chaque ### BEGIN HIDDEN TESTS a son ### END HIDDEN TESTS",
                    "malformed HIDDEN TESTS regions: every ### BEGIN HIDDEN TESTS needs its ### END HIDDEN TESTS",
                )
            if last_answer is None:
                raise refuse(
                    "cellule de test avant toute cellule réponse : à quelle réponse appartient-elle ?",
                    "test cell before any answer cell: which answer does it test?",
                )
            if not gid:
                raise refuse("cellule de test sans grade_id", "test cell without a grade_id")
            tests.append(TestCell(gid, last_answer, points, parts[0], parts[1]))
            cell.clear()
            cell.update(_shown_test(gid, points, parts[0], has_hidden=parts[0] != parts[1]))
            cell["id"] = nb["cells"][i].get("id")
        else:
            if any(m in text for m in hidden_marks):
                raise refuse(
                    "région HIDDEN TESTS hors d'une cellule de test notée (grade: true)",
                    "HIDDEN TESTS region outside a graded test cell (grade: true)",
                )
            if not solution and any(m in text for m in solution_marks):
                raise refuse(
                    "marqueur SOLUTION dans une cellule qui n'est pas une réponse (solution: false)",
                    "SOLUTION marker in a cell that is not an answer (solution: false)",
                )
            if solution:
                if not gid:
                    raise refuse("cellule réponse sans grade_id", "answer cell without a grade_id")
                if kind != "code":  # nbgrader's own rule: a written answer is graded by hand
                    raise refuse(
                        "réponse markdown non notée (solution: true sans grade: true) : déclarez ses points "
                        "pour qu'elle soit notée à la main",
                        "markdown answer that is not graded (solution: true without grade: true): give it "
                        "points to grade it by hand",
                    )
                if kind == "code":
                    last_answer = gid
                cell["metadata"]["nbgrader"] = _nb_meta(gid, solution=True)
            else:
                cell.setdefault("metadata", {})["nbgrader"] = _nb_meta(gid or "", solution=False)
    for at, answer in reversed(inserts):
        if answer["metadata"]["nbgrader"]["grade_id"] in gids:
            raise _refuse(
                nb_name, at, None,
                f"la cellule réponse ajoutée sous la tâche prendrait le grade_id « {answer['metadata']['nbgrader']['grade_id']} », déjà utilisé",
                f"the answer cell added below the task would take grade_id '{answer['metadata']['nbgrader']['grade_id']}', already used",
            )
        out["cells"].insert(at + 1, answer)
    _name_cells(out, gids, ids)
    title = _title(out) or nb_name.removesuffix(".ipynb")
    return Conversion(tp_id=tp_id, notebook=out, tests=tests, title=title, origin=nb_name, manual=manual)


def _manual_item(
    cell: dict[str, Any],
    index: int,
    gid: str | None,
    meta: dict[str, Any],
    heading: str | None,
    markers: _Markers,
    refuse: Any,
    inserts: list[tuple[int, dict[str, Any]]],
) -> ManualCell:
    """A manually graded answer stays an answer cell; a task (a locked statement the student
    answers below) gets a markdown answer cell of its own below it: a manual item (tp.toml
    `[[manual]]`) needs an answer cell, where Formgrader puts its score input."""
    points = _points(meta)
    if points is None:
        raise refuse(
            f"cellule notée à la main sans points positifs (points = {meta.get('points')!r})",
            f"manually graded cell without positive points (points = {meta.get('points')!r})",
        )
    if not gid:
        raise refuse("cellule notée à la main sans grade_id", "manually graded cell without a grade_id")
    text = cell.get("source", "")
    if any(m in text for m in (markers.begin_hidden, markers.end_hidden)):
        raise refuse(
            "région HIDDEN TESTS dans une cellule notée à la main",
            "HIDDEN TESTS region in a manually graded cell",
        )
    title = heading or gid
    # nbgrader's own metadata of a manual cell (grade and solution, with points): the release's
    # generate_assignment refuses a markdown answer cell that is not a grade cell.
    manual_meta = {"grade": True, "locked": False, "points": points, "schema_version": 3, "solution": True}
    if not meta.get("task"):
        cell["metadata"]["nbgrader"] = {**manual_meta, "grade_id": gid}
        return ManualCell(gid, points, title)
    if cell.get("cell_type") != "markdown" or any(m in text for m in markers.all()):
        raise refuse(
            "tâche qui n'est pas une cellule markdown sans marqueurs",
            "task that is not a markdown cell without markers",
        )
    cell["metadata"]["nbgrader"] = _nb_meta(gid, solution=False)
    answer_id = f"{gid}-answer"
    inserts.append(
        (
            index,
            {
                "cell_type": "markdown",
                "id": re.sub(r"[^a-zA-Z0-9_-]", "-", answer_id)[:64],
                "metadata": {"nbgrader": {**manual_meta, "grade_id": answer_id}},
                "source": "Votre réponse à la tâche ci-dessus (notée à la main), ici ou dans des cellules "
                "ajoutées sous celle-ci. / Your answer to the task above (graded by hand), here or in "
                "cells added below this one.",
            },
        )
    )
    return ManualCell(answer_id, points, _heading(text, level=None) or title)


def _nb_meta(gid: str, *, solution: bool) -> dict[str, Any]:
    return {"grade": False, "grade_id": gid, "locked": not solution, "schema_version": 3, "solution": solution}


def _shown_test(gid: str, points: float, visible: str, *, has_hidden: bool) -> dict[str, Any]:
    """The locked markdown cell left where a test cell was: its visible asserts, for students."""
    pts = f"{points:g}"
    lines = [
        f"**Test `{gid}`** ({pts} point{'s' if points > 1 else ''}) — "
        "vérifié par `autograder check` et à la notation / checked by `autograder check` and at grading.",
    ]
    if visible.strip():
        lines += ["", "```python", visible.strip("\n"), "```"]
    if has_hidden:
        lines += ["", "_Des tests cachés s'ajoutent à ceux-ci à la notation. / Hidden tests are added at grading._"]
    return {
        "cell_type": "markdown",
        "metadata": {"nbgrader": _nb_meta(gid, solution=False)},
        "source": "\n".join(lines),
    }


def _name_cells(nb: dict[str, Any], gids: dict[str, int], ids: set[str]) -> None:
    """Every cell gets a unique grade_id and a stable cell id (kept when valid): the release
    refuses cells without them, and a random id would change at every import."""
    taken = set(gids) | {c["metadata"]["nbgrader"]["grade_id"] for c in nb.get("cells", [])}
    for i, cell in enumerate(nb.get("cells", [])):
        meta = cell["metadata"]["nbgrader"]
        if not meta["grade_id"]:
            gid, n = f"cell-{i}", 1
            while gid in taken:
                gid, n = f"cell-{i}-{n}", n + 1
            meta["grade_id"] = gid
            taken.add(gid)
    for cell in nb.get("cells", []):
        cid = cell.get("id")
        if not (isinstance(cid, str) and CELL_ID_RE.fullmatch(cid)) or cid in ids:
            base = re.sub(r"[^a-zA-Z0-9_-]", "-", cell["metadata"]["nbgrader"]["grade_id"])[:60] or "cell"
            cid, n = base, 1
            while cid in ids:
                cid, n = f"{base[:56]}-{n}", n + 1
        cell["id"] = cid
        ids.add(cid)
        if cell.get("cell_type") == "code":
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)


def _heading(text: str, *, level: int | None) -> str | None:
    """The first markdown heading of `text` (of that level, or any)."""
    hashes = "#" * level if level else "#+"
    for line in text.splitlines():
        m = re.match(hashes + r"\s+(.+)", line.strip())
        if m:
            return m.group(1).strip()[:200]
    return None


def _title(nb: dict[str, Any]) -> str | None:
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            found = _heading(cell["source"], level=1)
            if found:
                return found
    return None


# --------------------------------------------------------------------------- check files


def _literal(src: str) -> str:
    if "'''" not in src and "\\" not in src and not src.endswith("'") and "\r" not in src:
        return "'''" + src + "'''"
    return repr(src)


def _py_name(gid: str, taken: set[str]) -> str:
    name = re.sub(r"\W", "_", gid.lower()).strip("_") or "cell"
    name, n, base = f"test_{name}", 2, f"test_{name}"
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def check_files(conv: Conversion) -> dict[str, str]:
    """checks/public and checks/hidden test files for the conversion's test cells."""
    public, hidden = [], []
    taken: set[str] = set()
    for t in conv.tests:
        name = _py_name(t.grade_id, taken)
        if t.has_hidden:
            hidden.append((name, t, t.full, t.points, True))
            if t.visible.strip():
                public.append((f"{name}_visible", t, t.visible, 0.0, False))
        else:
            public.append((name, t, t.visible, t.points, False))
    files = {}
    for rel, entries, what in (
        ("checks/public/test_nbgrader_public.py", public, "Public"),
        ("checks/hidden/test_nbgrader_hidden.py", hidden, "Hidden"),
    ):
        if not entries:
            continue
        body = [
            f'"""{what} checks of {conv.tp_id}: the nbgrader test cells of {conv.origin}, '
            "imported by `autograder import-nbgrader`.",
            "",
            "Each check runs its cell's source in the student's kernel, after the student's cells",
            "(autograder.checks.nbgrader_tests): any failed assert or error costs the cell's points.",
        ]
        if what == "Public":
            body.append("A check worth 0 points shows the visible asserts of a cell a hidden check grades.")
        body += ['"""', "", "import pytest", "", "from autograder.checks.nbgrader_tests import run_test_cell", ""]
        for name, t, src, pts, is_hidden in entries:
            const = name.upper().removeprefix("TEST_") + "_SOURCE"
            body += [
                "",
                f"{const} = {_literal(src)}",
                "",
                "",
                f"@pytest.mark.item({t.item!r}, points={pts:g})",
                f"def {name}(submission):",
                f"    run_test_cell(submission, {t.grade_id!r}, {const}, hidden={is_hidden})",
                "",
            ]
        files[rel] = "\n".join(body)
    return files


def tp_toml(conv: Conversion, data: list[str]) -> str:
    def s(v: str) -> str:
        return json.dumps(v, ensure_ascii=False)

    lines = [
        f"# Imported from the nbgrader notebook {conv.origin} by `autograder import-nbgrader`.",
        "[tp]",
        f"id = {s(conv.tp_id)}",
        f"title_fr = {s(conv.title)}",
        f"title_en = {s(conv.title)}",
        f"notebook = {s(conv.tp_id + '.ipynb')}",
        "",
        "[budget]",
        "cpu_seconds = 300",
        "gpu_seconds = 120",
        "cell_seconds = 60",
        "memory_mb = 4096",
        "",
        "[kernel]",
        'preload = ["numpy"]',
        "",
    ]
    if data:
        lines += ["[data]", f"files = [{', '.join(s(d) for d in data)}]", ""]
    for m in conv.manual:
        lines += [
            "[[manual]]  # graded by hand in nbgrader: scored in Formgrader",
            f"grade_id = {s(m.grade_id)}",
            f"points = {m.points:g}",
            f"title_fr = {s(m.title)}",
            f"title_en = {s(m.title)}",
            "",
        ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- the command


@dataclass(frozen=True)
class Imported:
    """One TP written by the import."""

    tp_id: str
    path: Path
    origin: Path
    public_checks: int
    hidden_checks: int
    points: float
    data: tuple[str, ...]
    notes: tuple[Message, ...]
    manual_points: float = 0.0


def _ignored(name: str) -> bool:
    import fnmatch

    return any(fnmatch.fnmatch(name, pat) for pat in IGNORED)


def _plan(source: Path, tp_id: str) -> list[tuple[str, Path, list[Path], list[Message]]]:
    """(tp id, notebook, data entries, notes) for each notebook to import."""
    source = Path(source)
    if source.is_dir():
        folder, notebooks = source, sorted(p for p in source.glob("*.ipynb") if p.is_file())
        if not notebooks:
            raise ImportRefused(
                Message(fr=f"aucun notebook dans {source}", en=f"no notebook in {source}")
            )
    elif source.is_file() and source.suffix == ".ipynb":
        folder, notebooks = source.parent, [source]
    else:
        raise ImportRefused(
            Message(
                fr=f"{source} n'est ni un notebook nbgrader (.ipynb) ni un dossier de devoir",
                en=f"{source} is neither an nbgrader notebook (.ipynb) nor an assignment folder",
            )
        )
    notes: list[Message] = []
    data: list[Path] = []
    for entry in sorted(folder.iterdir()):
        if _ignored(entry.name) or entry in notebooks:
            continue
        if entry.is_symlink():
            raise ImportRefused(
                Message(
                    fr=f"lien symbolique refusé ({entry}) : copiez le fichier",
                    en=f"symlink refused ({entry}): copy the file instead",
                )
            )
        if entry.suffix == ".ipynb":
            notes.append(
                Message(
                    fr=f"{entry.name} laissé de côté : un autre notebook (importez-le à part ou importez le dossier)",
                    en=f"{entry.name} left out: another notebook (import it on its own, or import the folder)",
                )
            )
            continue
        if entry.name in RESERVED:
            raise ImportRefused(
                Message(
                    fr=f"{entry} : ce nom est réservé dans un TP ({', '.join(RESERVED)}) ; renommez-le",
                    en=f"{entry}: this name is reserved in a TP ({', '.join(RESERVED)}); rename it",
                )
            )
        data.append(entry)
    if len(notebooks) == 1:
        return [(tp_id, notebooks[0], data, notes)]
    plan = []
    for nb in notebooks:
        stem = re.sub(r"[^a-z0-9_]", "_", nb.stem.lower()).strip("_") or "nb"
        plan.append((f"{tp_id}_{stem}", nb, data, notes))
    return plan


def import_nbgrader(course_root: Path, source: Path, tp_id: str) -> list[Imported]:
    """Import an nbgrader notebook, or every notebook of an assignment folder (one TP each,
    `<tp>_<notebook>` when there are several), into course_root/source/. Every notebook is
    converted before anything is written; an existing TP folder is never overwritten."""
    if not TP_ID_RE.fullmatch(tp_id):
        raise ImportRefused(
            Message(
                fr=f"identifiant de TP invalide « {tp_id} » : lettres minuscules, chiffres et _, commençant par une lettre",
                en=f"invalid TP id '{tp_id}': lowercase letters, digits and _, starting with a letter",
            )
        )
    course_root = Path(course_root)
    cfg = course_root / "nbgrader_config.py"
    markers = _Markers.load(cfg) if cfg.is_file() else _Markers()
    conversions = []
    for tid, nb_path, data, notes in _plan(source, tp_id):
        if not TP_ID_RE.fullmatch(tid):
            raise ImportRefused(
                Message(fr=f"identifiant de TP invalide « {tid} » (depuis {nb_path.name})", en=f"invalid TP id '{tid}' (from {nb_path.name})")
            )
        target = course_root / "source" / tid
        if target.exists():
            raise ImportRefused(
                Message(
                    fr=f"{target} existe déjà : choisissez un autre identifiant ou supprimez ce dossier",
                    en=f"{target} already exists: pick another id or remove that folder",
                )
            )
        conv = convert_notebook(read_nbgrader_notebook(nb_path), tp_id=tid, nb_name=nb_path.name, markers=markers)
        if not conv.tests and not conv.manual:
            raise ImportRefused(
                Message(
                    fr=f"{nb_path.name} : aucune cellule notée (ni test grade: true, ni réponse ou tâche notée "
                    "à la main) : rien à noter",
                    en=f"{nb_path.name}: no graded cell (neither a test cell with grade: true nor an answer "
                    "or task graded by hand): nothing to grade",
                )
            )
        conv.data, conv.notes = data, notes
        conversions.append((conv, nb_path))
    out = [_write(course_root, conv, nb_path) for conv, nb_path in conversions]
    from autograder.secret import create_secret, secret_path

    if not secret_path(course_root).exists():  # hidden checks need the course's secret
        create_secret(course_root)
    return out


def _write(course_root: Path, conv: Conversion, origin: Path) -> Imported:
    from autograder.release.views import serialise

    source = course_root / "source"
    source.mkdir(parents=True, exist_ok=True)
    target = source / conv.tp_id
    staged = source / f".{conv.tp_id}.import-{secrets.token_hex(4)}"
    staged.mkdir()
    try:
        names = [p.name for p in conv.data]
        (staged / "tp.toml").write_text(tp_toml(conv, names), encoding="utf-8")
        nbformat.validate(nbformat.from_dict(conv.notebook))
        (staged / f"{conv.tp_id}.ipynb").write_bytes(serialise(conv.notebook))
        for d in ("checks/public", "checks/hidden"):
            (staged / d).mkdir(parents=True, exist_ok=True)
        files = check_files(conv)
        for rel, text in files.items():
            (staged / rel).write_text(text, encoding="utf-8")
        for entry in conv.data:
            if entry.is_dir():
                shutil.copytree(entry, staged / entry.name, symlinks=True, ignore=shutil.ignore_patterns(*IGNORED))
            else:
                shutil.copyfile(entry, staged / entry.name)
        os.rename(staged, target)
    finally:
        if staged.exists():
            shutil.rmtree(staged)
    return Imported(
        tp_id=conv.tp_id,
        path=target,
        origin=origin,
        public_checks=sum(1 for t in conv.tests if not t.has_hidden or t.visible.strip()),
        hidden_checks=sum(1 for t in conv.tests if t.has_hidden),
        points=round(sum(t.points for t in conv.tests), 6),
        data=tuple(p.name for p in conv.data),
        notes=tuple(conv.notes),
        manual_points=round(sum(m.points for m in conv.manual), 6),
    )
