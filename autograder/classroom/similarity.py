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

import builtins
import hashlib
import html
import io
import json
import keyword
import re
import sys
import tokenize
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from autograder import __version__
from autograder.config import ConfigError
from autograder.intake.nbio import NotebookError, grade_id, is_answer, read_notebook
from autograder.render.terminal import for_terminal
from autograder.results import Message

K = 5  # noise threshold: shared runs shorter than k tokens are ignored
WINDOW = 4  # winnowing window: shared runs of >= WINDOW + K - 1 = 8 tokens are always found
MIN_FINGERPRINTS = 8  # cells with fewer fingerprints (on either side) are not compared
MAX_HOLDERS = 10  # fingerprints held by more students than this are common knowledge
THRESHOLD = 0.8
SCRATCH = "(scratch)"
PLACEHOLDER = "V"

MODULE_ALIASES = frozenset(
    "np numpy torch nn F optim math random plt scipy sklearn pd tf keras jax jnp".split()
)
KEEP_NAMES = frozenset(keyword.kwlist) | frozenset(dir(builtins)) | MODULE_ALIASES
_FSTRING_START = getattr(tokenize, "FSTRING_START", -1)  # Python >= 3.12 splits f-strings
_FSTRING_PARTS = {getattr(tokenize, n, -1) for n in ("FSTRING_MIDDLE", "FSTRING_END")} - {-1}
_CLOSERS = {")", "]", "}"}


# -- normalisation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    text: str
    line: int  # 1-based line of the cell's source


def _strip_magics(source: str) -> str:
    """IPython magics and shell escapes become blank lines (line numbers are kept)."""
    return "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in source.split("\n"))


def _number(text: str) -> str:
    try:
        return repr(float(text.replace("_", "")))
    except ValueError:
        return text  # hex, complex...


class _Namer:
    """Decides which NAME tokens are kept; the others become the placeholder."""

    def __init__(self) -> None:
        self.brackets: list[str] = []  # "call" | "def" | "other"
        self.prev = ""  # previous emitted token (before mapping)
        self.prev2 = ""
        self.in_import = False

    def name(self, text: str, nxt: str) -> str:
        if self.in_import or text in KEEP_NAMES or self.prev == ".":
            return text
        if nxt == "=" and self.brackets and self.brackets[-1] == "call":
            return text  # keyword argument of a call: part of the API
        return PLACEHOLDER

    def op(self, text: str) -> None:
        if text in ("(", "[", "{"):
            if text == "(" and self.prev2 == "def":
                self.brackets.append("def")
            elif text == "(" and (self.prev.isidentifier() or self.prev in (")", "]")):
                self.brackets.append("call")
            else:
                self.brackets.append("other")
        elif text in _CLOSERS and self.brackets:
            self.brackets.pop()

    def seen(self, raw: str) -> None:
        if raw == ";":
            self.in_import = False
        elif raw in ("import", "from") and self.prev in ("", ";"):
            self.in_import = True
        self.prev2, self.prev = self.prev, raw


def _emit(out: list[Token], text: str, line: int) -> None:
    if text == ";" and (not out or out[-1].text in (";", ":")):
        return  # blank statement, or the newline after "if x:" (same as a one-liner)
    if text in _CLOSERS and out and out[-1].text == ",":
        out.pop()  # magic trailing comma (black)
    out.append(Token(text, line))


def _python_tokens(src: str) -> list[Token]:
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.INDENT, tokenize.DEDENT}
    toks = [t for t in tokenize.generate_tokens(io.StringIO(src).readline) if t.type not in skip]
    toks = [t for t in toks if not (t.type == tokenize.ERRORTOKEN and not t.string.strip())]
    out: list[Token] = []
    namer = _Namer()
    i, stmt_start = 0, True
    while i < len(toks):
        t = toks[i]
        if stmt_start and t.type == tokenize.STRING:  # docstring / bare-string statement
            j = i
            while j < len(toks) and toks[j].type == tokenize.STRING:
                j += 1
            if j == len(toks) or toks[j].type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                i = j + 1
                continue
        stmt_start = t.type == tokenize.NEWLINE or t.string == ";"
        if t.type == tokenize.ENDMARKER or t.type in _FSTRING_PARTS:
            i += 1
            continue
        if t.type == tokenize.NEWLINE or t.string == ";":
            _emit(out, ";", t.start[0])
            namer.seen(";")
        elif t.type in (tokenize.STRING, _FSTRING_START):
            _emit(out, "S", t.start[0])
            namer.seen("S")
        elif t.type == tokenize.NUMBER:
            _emit(out, _number(t.string), t.start[0])
            namer.seen(t.string)
        elif t.type == tokenize.NAME:
            nxt = toks[i + 1].string if i + 1 < len(toks) else ""
            _emit(out, namer.name(t.string, nxt), t.start[0])
            namer.seen(t.string)
        else:
            namer.op(t.string)
            _emit(out, t.string, t.start[0])
            namer.seen(t.string)
        i += 1
    return out


_FALLBACK = re.compile(
    r"""(?P<doc>(?:[rRbBuUfF]{0,2})(?:\"\"\"[\s\S]*?(?:\"\"\"|$)|'''[\s\S]*?(?:'''|$)))"""
    r"""|(?P<str>[rRbBuUfF]{0,2}(?:"[^"\n]*"?|'[^'\n]*'?))"""
    r"|(?P<comment>\#[^\n]*)"
    r"|(?P<num>0[xXoObB][\da-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?[jJ]?)"
    r"|(?P<name>[^\W\d]\w*)"
    r"|(?P<nl>\n)"
    r"|(?P<op>\*\*=?|//=?|->|:=|[-+*/%@&|^<>=!]=|<<|>>|\S)"
)


def _fallback_tokens(src: str) -> list[Token]:
    """For cells `tokenize` rejects: regex tokens, same mapping; whitespace-insensitive."""
    out: list[Token] = []
    namer = _Namer()
    matches = [m for m in _FALLBACK.finditer(src) if m.lastgroup not in ("doc", "comment")]
    line, counted_to = 1, 0  # counted as we go: a 250k-character cell stays linear
    for i, m in enumerate(matches):
        kind, text = m.lastgroup, m.group()
        line += src.count("\n", counted_to, m.start())
        counted_to = m.start()
        if kind == "nl":
            nxt_is_closer = i + 1 < len(matches) and matches[i + 1].group() in _CLOSERS
            if namer.brackets or nxt_is_closer:
                continue  # inside brackets a newline is only layout
            _emit(out, ";", line)
            namer.seen(";")
        elif kind == "str":
            _emit(out, "S", line)
            namer.seen("S")
        elif kind == "num":
            _emit(out, _number(text), line)
            namer.seen(text)
        elif kind == "name":
            nxt = matches[i + 1].group() if i + 1 < len(matches) else ""
            _emit(out, namer.name(text, nxt), line)
            namer.seen(text)
        else:
            namer.op(text)
            _emit(out, ";" if text == ";" else text, line)
            namer.seen(text)
    while out and out[-1].text == ";":
        out.pop()
    return out


def normalize(source: str) -> list[Token]:
    """The normalised token stream of one cell (see the module docstring)."""
    src = _strip_magics(source)
    try:
        toks = _python_tokens(src)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return _fallback_tokens(src)
    while toks and toks[-1].text == ";":
        toks.pop()
    return toks


def normalized_text(source: str) -> str:
    return " ".join(t.text for t in normalize(source))


# -- winnowing -------------------------------------------------------------------------------


def kgram_hashes(tokens: list[str], k: int = K) -> list[int]:
    """64-bit hash of every k-gram (stable across processes, unlike `hash`)."""
    return [
        int.from_bytes(
            hashlib.blake2b("\x1f".join(tokens[i : i + k]).encode(), digest_size=8).digest(), "big"
        )
        for i in range(len(tokens) - k + 1)
    ]


def winnow(hashes: list[int], w: int = WINDOW) -> dict[int, list[int]]:
    """Selected fingerprints: hash -> k-gram start positions (rightmost minimum per window)."""
    selected: dict[int, list[int]] = {}
    last = -1
    for start in range(max(1, len(hashes) - w + 1) if hashes else 0):
        window = hashes[start : start + w]
        low = min(window)
        pos = start + max(i for i, h in enumerate(window) if h == low)
        if pos != last:
            selected.setdefault(low, []).append(pos)
            last = pos
    return selected


def fingerprints(source: str, k: int = K, w: int = WINDOW) -> dict[int, list[int]]:
    return winnow(kgram_hashes([t.text for t in normalize(source)], k), w)


def jaccard(a: set[int] | dict[int, Any], b: set[int] | dict[int, Any]) -> float:
    a, b = set(a), set(b)
    return len(a & b) / len(a | b) if a | b else 0.0


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

CSS = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}
.pair{border-top:3px solid #c0504d;margin-top:2em}.side{display:flex;gap:1em}
.side>div{flex:1;min-width:0}pre{background:#f7f7f7;padding:.4em;overflow-x:auto;font-size:12px;margin:0}
.m{background:#ffd9a8;display:block}.n{color:#999;user-select:none}
.muted{color:#777}h3{margin-bottom:.2em}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _matched_lines(cell: Cell, shared: set[int], k: int) -> set[int]:
    lines: set[int] = set()
    for h in shared:
        for pos in cell.prints.get(h, []):
            lines.update(t.line for t in cell.tokens[pos : pos + k])
    return lines


def _code(cell: Cell, lines: set[int], max_lines: int = 400) -> str:
    rows = []
    for n, text in enumerate(cell.source.split("\n")[:max_lines], start=1):
        row = f'<span class="n">{n:3d} </span>{_e(text)}'
        rows.append(f'<span class="m">{row}</span>' if n in lines else row + "\n")
    return "<pre>" + "".join(rows) + "</pre>"


def render_html(report: dict[str, Any], students: list[Student]) -> str:
    by_id = {s.id: s for s in students}
    k = report["parameters"]["k"]
    p = report["parameters"]
    out = [
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>",
        f"<title>Similarité {_e(report['tp'])}</title><style>{CSS}</style></head><body>",
        f"<h1>Similarité des réponses / answer similarity — {_e(report['tp'])}</h1>",
        f"<p class='muted'>{_e(p['algorithm'])}; k={p['k']}, w={p['window']}, "
        f"cells under {p['min_fingerprints']} fingerprints not compared, metric {_e(p['metric'])}, "
        f"threshold {p['threshold']:g}; {len(students)} students, {report['n_pairs']} pairs. "
        "A high score is a reason to look, not a proof.</p>",
        f"<h2>{len(report['pairs'])} paire(s) signalée(s) / flagged pair(s)</h2>",
        "<table><tr><th>#</th><th>A</th><th>B</th><th>score</th><th>Jaccard</th><th>containment</th></tr>",
    ]
    for i, pair in enumerate(report["pairs"], start=1):
        a, b = by_id[pair["a"]], by_id[pair["b"]]
        out.append(
            f"<tr><td><a href='#p{i}'>{i}</a></td><td>{_e(a.id)} ({_e(a.name)})</td>"
            f"<td>{_e(b.id)} ({_e(b.name)})</td><td>{pair['score']:.3f}</td>"
            f"<td>{pair['jaccard']:.3f}</td><td>{pair['containment']:.3f}</td></tr>"
        )
    out.append("</table>")
    if report["highest_unflagged"]:
        top = report["highest_unflagged"][0]
        out.append(
            f"<p class='muted'>Highest pair below the threshold: {_e(top['a'])} / {_e(top['b'])} "
            f"({top['score']:.3f}).</p>"
        )
    for i, pair in enumerate(report["pairs"], start=1):
        a, b = by_id[pair["a"]], by_id[pair["b"]]
        out.append(
            f"<div class='pair' id='p{i}'><h2>{i}. {_e(a.id)} ({_e(a.name)}, {_e((a.sha or '?')[:10])})"
            f" ↔ {_e(b.id)} ({_e(b.name)}, {_e((b.sha or '?')[:10])}) — {pair['score']:.3f}</h2>"
        )
        if pair["not_compared"]:
            out.append(
                f"<p class='muted'>Too short to compare: {_e(', '.join(pair['not_compared']))}</p>"
            )
        for c in pair["cells"]:
            ca, cb = a.cells[c["grade_id"]], b.cells[c["grade_id"]]
            shared = set(ca.prints) & set(cb.prints)
            out.append(
                f"<h3>{_e(c['grade_id'])}</h3><p class='muted'>Jaccard {c['jaccard']:.3f}, "
                f"containment {c['containment']:.3f}, {c['shared']} shared / "
                f"{c['size_a']} and {c['size_b']} fingerprints</p><div class='side'>"
                f"<div><b>{_e(a.id)}</b>{_code(ca, _matched_lines(ca, shared, k))}</div>"
                f"<div><b>{_e(b.id)}</b>{_code(cb, _matched_lines(cb, shared, k))}</div></div>"
            )
        out.append("</div>")
    if report["skipped"]:
        out.append("<h2>Non analysés / skipped</h2><ul>")
        out += [f"<li>{_e(s['id'])}: {_e(s['reason'])}</li>" for s in report["skipped"]]
        out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out)


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


def run_cli(args) -> int:
    from autograder.course import Course

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


def add_arguments(p) -> None:
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
