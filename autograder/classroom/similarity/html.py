"""similarity.html: the flagged pairs side by side, the shared lines marked."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autograder.classroom.similarity.classes import Cell, Student



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
