"""Notebook-aware similarity of the answer cells of a class (`autograder similarity`).

What is compared
    For each student of a graded class folder (``students/<id>/result.json``), the TP
    notebook is re-read at the graded commit (``sha`` in ``repo``, with gitpython, no
    checkout); when that fails (repo moved or deleted) ``report/executed.ipynb`` is used.
    Only the **answer cells** (nbgrader ``solution: true``, keyed by ``grade_id``) are
    compared, answer cell with answer cell; optionally the student's **scratch cells**
    (code cells with no nbgrader metadata) as one extra unit ``(scratch)``. Every k-gram
    of the release notebook (given cells *and* answer-cell stubs) is removed first, as
    MOSS does with a base file, so the given code, the ``def f(x):`` header of a stub, its
    docstring or ``raise NotImplementedError()`` never count as a match.

Normalisation (a renamed, reformatted, commented copy gives the same token stream)
    Cells are tokenized with Python's ``tokenize``. Dropped: comments, blank lines,
    indentation, docstrings and every other bare-string statement, a trailing comma
    before a closing bracket, a newline right after ``:``. Newlines and ``;`` become
    ``;``; string literals become ``S``; numbers their float value (``2`` = ``2.0``).
    NAME tokens: **keywords, builtins, attribute names (after ``.``), keyword-argument
    names in calls, names in import statements and the usual module aliases** (``np``,
    ``torch``, ``nn``, ``F``...) are kept as they are, because a copier cannot rename them
    without breaking the code and they tell independent solutions apart (``np.eye`` vs
    ``np.zeros_like``); **every other identifier becomes ``V``** (one placeholder, not
    numbered, so reordering first uses does not matter). IPython magics (``%``/``!``
    lines) are ignored. A cell that does not tokenize (unterminated bracket, bad
    indentation) falls back to a regular-expression tokenizer over the same rules,
    which is insensitive to whitespace.

Fingerprints: winnowing (Schleimer, Wilkerson & Aiken, SIGMOD 2003)
    Hash every k-gram of normalised tokens (blake2b, 64 bits: stable across runs); in
    every window of ``w`` consecutive hashes keep the minimum (the rightmost one on
    ties), recording each selected position once. Any shared run of at least
    ``w + k - 1`` tokens is guaranteed to be found, runs shorter than ``k`` never are.

Scores
    Per answer cell: Jaccard ``|A∩B| / |A∪B|`` and containment ``|A∩B| / min(|A|, |B|)``
    of the two fingerprint sets. Fingerprints held by more than ``max_holders`` students
    for a cell (common knowledge, as MOSS's ``-m``) are dropped. A cell where either side
    has fewer than ``min_fingerprints`` fingerprints is **not compared** (an unanswered
    cell, or ``return a + b``: similar by nature). Overall score of a pair: the cells'
    scores weighted by their size, i.e. ``Σ|A∩B| / Σ|A∪B|`` (Jaccard, default) or
    ``Σ|A∩B| / Σmin`` (containment). Pairs at or above the threshold are flagged.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from autograder import __version__
from autograder.classroom.similarity.html import render_html
from autograder.classroom.similarity.tokens import Token, normalize
from autograder.classroom.similarity.winnowing import (
    WINDOW,
    K,
    kgram_hashes,
    winnow,
)
from autograder.config import ConfigError
from autograder.intake.nbio import NotebookError, grade_id, is_answer, read_notebook
from autograder.results import Message

MIN_FINGERPRINTS = 8  # cells with fewer fingerprints (on either side) are not compared
MAX_HOLDERS = 10  # fingerprints held by more students than this are common knowledge
THRESHOLD = 0.8
SCRATCH = "(scratch)"


# -- normalisation ---------------------------------------------------------------------------


# -- winnowing -------------------------------------------------------------------------------


# -- a class ---------------------------------------------------------------------------------


@dataclass
class Cell:
    source: str
    tokens: list[Token]
    prints: dict[int, list[int]]  # hash -> k-gram start positions


@dataclass
class Student:
    id: str
    name: str
    sha: str | None
    origin: str  # "git" | "executed.ipynb"
    cells: dict[str, Cell] = field(default_factory=dict)


@dataclass(frozen=True)
class Params:
    k: int = K
    window: int = WINDOW
    min_fingerprints: int = MIN_FINGERPRINTS
    max_holders: int = MAX_HOLDERS
    threshold: float = THRESHOLD
    metric: str = "jaccard"  # or "containment"
    include_scratch: bool = False


def _cell_sources(nb: dict[str, Any], answer_ids: set[str] | None, scratch: bool) -> dict[str, str]:
    """Answer cells by the instructor's grade_ids (`answer_ids`, from the release), whatever
    flags the student's copy carries: clearing `solution` on a copied answer keeps its
    grade_id, and graft still grades it. Only without a release do the cells' flags decide."""
    out: dict[str, list[str]] = {}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        gid = grade_id(cell)
        answer = gid in answer_ids if answer_ids is not None else bool(is_answer(cell) and gid)
        if answer and gid:
            out.setdefault(gid, []).append(cell["source"])
        elif scratch and not cell.get("metadata", {}).get("nbgrader"):
            out.setdefault(SCRATCH, []).append(cell["source"])
    return {gid: "\n".join(srcs) for gid, srcs in out.items()}


def _release_base(release_nb: dict[str, Any] | None, k: int) -> set[int]:
    """Every k-gram hash of the release notebook: given code and answer-cell stubs."""
    base: set[int] = set()
    for cell in (release_nb or {"cells": []})["cells"]:
        if cell["cell_type"] == "code":
            base.update(kgram_hashes([t.text for t in normalize(cell["source"])], k))
    return base


def _read_student(sdir: Path, tp: str, nb_path: str) -> tuple[dict[str, Any], bytes, str]:
    """(result.json, notebook bytes, origin); raises ValueError with the reason to skip."""
    from autograder.intake.gitread import SubmissionReadError, read_submission

    try:
        result = json.loads((sdir / "result.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"unreadable result.json ({exc})") from None
    if not isinstance(result, dict):
        raise ValueError("result.json is not an object")
    if result.get("tp") not in (None, tp):
        raise ValueError(f"result.json is for TP {result.get('tp')!r}")
    sha, repo, why = result.get("sha"), result.get("repo"), "no graded commit"
    if isinstance(sha, str) and isinstance(repo, str) and sha and repo:
        try:
            return result, read_submission(repo, sha, nb_path).data, "git"
        except SubmissionReadError as exc:
            why = exc.message.en or exc.message.fr
    executed = sdir / "report" / "executed.ipynb"
    if executed.is_file():
        return result, executed.read_bytes(), "executed.ipynb"
    raise ValueError(why)


def load_class(
    class_dir: Path,
    tp: str,
    nb_path: str,
    release_nb: dict[str, Any] | None,
    params: Params = Params(),
) -> tuple[list[Student], list[dict[str, str]]]:
    """Students with fingerprinted cells (release k-grams removed), and those skipped."""
    base = _release_base(release_nb, params.k)
    answer_ids = (
        {g for c in release_nb["cells"] if is_answer(c) and (g := grade_id(c))}
        if release_nb
        else None
    )
    students: list[Student] = []
    skipped: list[dict[str, str]] = []
    for sdir in sorted(p for p in (class_dir / "students").iterdir() if p.is_dir()):
        if not (sdir / "result.json").is_file():
            continue
        try:
            result, raw, origin = _read_student(sdir, tp, nb_path)
            nb = read_notebook(raw, f"{sdir.name}: {nb_path} ({origin})")
        except ValueError as exc:
            skipped.append({"id": sdir.name, "reason": str(exc)})
            continue
        except NotebookError as exc:
            skipped.append({"id": sdir.name, "reason": exc.message.en or exc.message.fr})
            continue
        sha = result.get("sha") if isinstance(result.get("sha"), str) else None
        st = Student(sdir.name, str(result.get("name") or sdir.name), sha, origin)
        for gid, src in _cell_sources(nb, answer_ids, params.include_scratch).items():
            tokens = normalize(src)
            prints = winnow(kgram_hashes([t.text for t in tokens], params.k), params.window)
            prints = {h: pos for h, pos in prints.items() if h not in base}
            st.cells[gid] = Cell(src, tokens, prints)
        students.append(st)
    _drop_common(students, params.max_holders)
    return students, skipped


def _drop_common(students: list[Student], max_holders: int) -> None:
    if max_holders <= 0:
        return
    holders: dict[tuple[str, int], int] = {}
    for st in students:
        for gid, cell in st.cells.items():
            for h in cell.prints:
                holders[gid, h] = holders.get((gid, h), 0) + 1
    for st in students:
        for gid, cell in st.cells.items():
            cell.prints = {h: p for h, p in cell.prints.items() if holders[gid, h] <= max_holders}


def compare(a: Student, b: Student, params: Params = Params()) -> dict[str, Any]:
    """Per-cell and overall scores of one pair."""
    cells, skipped = [], []
    inter = union = smaller = 0
    for gid in sorted(set(a.cells) & set(b.cells)):
        fa, fb = set(a.cells[gid].prints), set(b.cells[gid].prints)
        if min(len(fa), len(fb)) < params.min_fingerprints:
            if fa or fb:  # (both empty: unanswered, or only the release's code)
                skipped.append(gid)
            continue
        n = len(fa & fb)
        inter, union, smaller = inter + n, union + len(fa | fb), smaller + min(len(fa), len(fb))
        cells.append(
            {
                "grade_id": gid,
                "jaccard": round(n / len(fa | fb), 4),
                "containment": round(n / min(len(fa), len(fb)), 4),
                "shared": n,
                "size_a": len(fa),
                "size_b": len(fb),
            }
        )
    jac = inter / union if union else 0.0
    con = inter / smaller if smaller else 0.0
    cells.sort(key=lambda c: (-c["shared"], c["grade_id"]))
    return {
        "a": a.id,
        "b": b.id,
        "score": round(jac if params.metric == "jaccard" else con, 4),
        "jaccard": round(jac, 4),
        "containment": round(con, 4),
        "cells": cells,
        "not_compared": skipped,
    }


def analyze(
    class_dir: Path,
    tp: str,
    nb_path: str,
    release_nb: dict[str, Any] | None,
    params: Params = Params(),
) -> tuple[dict[str, Any], list[Student]]:
    students, skipped = load_class(class_dir, tp, nb_path, release_nb, params)
    pairs = [compare(a, b, params) for a, b in combinations(students, 2)]
    pairs.sort(key=lambda p: (-p["score"], p["a"], p["b"]))
    flagged = [p for p in pairs if p["score"] >= params.threshold]
    report = {
        "tool": f"autograder {__version__} similarity",
        "tp": tp,
        "notebook": nb_path,
        "release_excluded": release_nb is not None,
        "parameters": {
            "algorithm": "winnowing (Schleimer, Wilkerson & Aiken 2003) over normalised Python tokens",
            "k": params.k,
            "window": params.window,
            "guarantee_tokens": params.window + params.k - 1,
            "min_fingerprints": params.min_fingerprints,
            "max_holders": params.max_holders,
            "metric": params.metric,
            "threshold": params.threshold,
            "include_scratch": params.include_scratch,
            "names": "identifiers -> V; keywords, builtins, attributes, keyword arguments, imports and module aliases kept",
        },
        "students": [
            {
                "id": s.id,
                "name": s.name,
                "sha": s.sha,
                "origin": s.origin,
                "fingerprints": {g: len(c.prints) for g, c in sorted(s.cells.items())},
            }
            for s in students
        ],
        "skipped": skipped,
        "n_pairs": len(pairs),
        "pairs": flagged,
        "highest_unflagged": pairs[len(flagged) : len(flagged) + 10],
    }
    return report, students


# -- HTML ------------------------------------------------------------------------------------


# -- command ---------------------------------------------------------------------------------


def run(
    class_dir: Path,
    tp_id: str,
    course,
    out: Path,
    params: Params = Params(),
) -> dict[str, Any]:
    """Analyse a class folder and write similarity.json and similarity.html into `out`."""
    from autograder.classroom.grade_class import write_json_atomic

    if not (class_dir / "students").is_dir():
        raise ConfigError(
            Message(
                fr=f"{class_dir} : pas de dossier students/ (lancez d'abord grade-class)",
                en=f"{class_dir}: no students/ folder (run grade-class first)",
            )
        )
    tp = course.tp(tp_id)
    release_nb = None
    if tp.release_notebook.is_file():
        release_nb = read_notebook(tp.release_notebook.read_bytes(), str(tp.release_notebook))
    else:
        print(
            f"[similarity] warning: {tp.release_notebook} missing; given code is not excluded",
            file=sys.stderr,
        )
    report, students = analyze(
        class_dir, tp_id, f"{tp_id}/{tp.config.notebook}", release_nb, params
    )
    out.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out / "similarity.json", report)
    (out / "similarity.html").write_text(render_html(report, students), encoding="utf-8")
    return report
