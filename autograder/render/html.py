"""feedback.html: the student's feedback as one self-contained page.

No external assets (it is opened from a CI artifact or an e-mail), and a Content Security
Policy that forbids scripts, as a second line behind escaping every student-influenced
string: commit messages, error text and cell ids are hostile input.
"""

from __future__ import annotations

from html import escape

from autograder.render.formats import fmt_points
from autograder.render.strings import (
    MARKERS,
    STRINGS,
    bad_cells,
    capped,
    cell_status_label,
    clean,
    clip,
    first_line,
    fmt_date,
    fmt_num,
    footer_parts,
    group_by_item,
    manual_rows,
    manual_score_line,
    needs_review,
    no_checks_line,
    norm_lang,
    percent,
    short_sha,
    status_label,
    tr,
)
from autograder.results import CheckResult, GradeReport, Status, Visibility

_MESSAGE_LIMIT = 4000
_INLINE_LIMIT = 300

_CSS = """
:root { --ok: #1a7f37; --partial: #9a6700; --bad: #cf222e; --err: #8250df; --muted: #57606a;
  --line: #d0d7de; --bg-ok: #dafbe1; --bg-partial: #fff8c5; --bg-bad: #ffebe9; --bg-err: #fbefff; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328;
  margin: 0; background: #f6f8fa; }
main { max-width: 60rem; margin: 2rem auto; padding: 1.5rem 2rem; background: #fff;
  border: 1px solid var(--line); border-radius: 8px; }
h1 { margin: 0 0 .25rem; font-size: 1.6rem; }
h2 { margin-top: 2rem; font-size: 1.25rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; }
code { font: .9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  background: #eff1f3; padding: .1em .3em; border-radius: 4px; overflow-wrap: anywhere; }
.sub, .meta, footer { color: var(--muted); }
.meta { list-style: none; padding: 0; margin: .5rem 0; }
.score-line { font-size: 1.3rem; font-weight: 600; margin: 1rem 0 .4rem; }
.bar { height: .9rem; background: #eaeef2; border-radius: 999px; overflow: hidden; }
.fill { height: 100%; background: var(--ok); }
.fill.mid { background: var(--partial); }
.fill.low { background: var(--bad); }
table { border-collapse: collapse; width: 100%; margin: .25rem 0 1rem; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr.passed td.st { color: var(--ok); }
tr.partial { background: var(--bg-partial); } tr.partial td.st { color: var(--partial); }
tr.failed { background: var(--bg-bad); } tr.failed td.st { color: var(--bad); }
tr.error { background: var(--bg-err); } tr.error td.st { color: var(--err); }
.st { font-weight: 600; white-space: nowrap; }
.tag { font-size: .8em; color: var(--muted); border: 1px solid var(--line); border-radius: 999px;
  padding: 0 .45em; margin-left: .3em; white-space: nowrap; overflow-wrap: normal; }
.review { list-style: none; padding: 0; }
.review li { border-left: 4px solid var(--bad); padding: .3rem .8rem; margin: .6rem 0;
  background: var(--bg-bad); }
.review li.partial { border-color: var(--partial); background: var(--bg-partial); }
.review li.error { border-color: var(--err); background: var(--bg-err); }
.msg { white-space: pre-wrap; overflow-wrap: anywhere; margin: .3rem 0 0;
  font: .9em/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.ok { color: var(--ok); font-weight: 600; }
footer { margin-top: 2rem; padding-top: .6rem; border-top: 1px solid var(--line);
  font-size: .85rem; }
.wide { overflow-x: auto; }
h1, h2, h3, li, td, th, p { overflow-wrap: anywhere; }
@media (max-width: 40rem) {
  body { background: #fff; font-size: 14px; }
  main { margin: 0; padding: 1rem .75rem; border: 0; border-radius: 0; }
  h1 { font-size: 1.35rem; }
  .it { display: none; }
  th, td { padding: .3rem .35rem; }
  .review li { padding: .3rem .5rem; }
}
""".strip()


def esc(text: object, limit: int = _INLINE_LIMIT) -> str:
    """Cleaned, length-capped and HTML-escaped (quotes included, for attributes)."""
    return escape(clip(text, limit), quote=True)


def trh(key: str, lang: str, **html_fields: str) -> str:
    """A UI string escaped, then filled with fields that are already HTML."""
    return escape(STRINGS[lang][key], quote=True).format(**html_fields)


def _code(text: object) -> str:
    return f"<code>{esc(text)}</code>"


def _points(score: float, max_score: float, lang: str) -> str:
    return esc(fmt_points(score, max_score, lang))


def _css_class(status: Status | str) -> str:
    return Status(status).value


def _check_name(check: CheckResult, lang: str) -> str:
    name = _code(check.name)
    if Visibility(check.visibility) is Visibility.HIDDEN:
        name += f'<span class="tag">{esc(tr("hidden", lang))}</span>'
    return name


def _message(text: object) -> str:
    return f'<div class="msg">{esc(str(text).strip(), _MESSAGE_LIMIT)}</div>'


def _header(report: GradeReport, lang: str, tz: str | None) -> list[str]:
    title = clean(report.title.text(lang)) or clean(report.tp)
    pct = percent(report.score, report.max_score)
    level = "" if pct >= 80 else " mid" if pct >= 50 else " low"
    score_line = tr(
        "score_line", lang, score=fmt_num(report.score, lang), max=fmt_num(report.max_score, lang)
    )
    out = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="sub">{esc(tr("feedback", lang))} — {_code(report.tp)}</p>',
        f'<p class="score-line">{esc(score_line)}'
        + (f' <span class="tag">{esc(manual_score_line(report, lang))}</span>' if report.manual else "")
        + "</p>",
    ]
    if report.max_score > 0 or not report.manual:  # a TP of manual items only has no automatic score to draw
        out.append(
            f'<div class="bar" role="progressbar" aria-label="{esc(tr("score_bar", lang))}" '
            f'aria-valuemin="0" aria-valuemax="100" aria-valuenow="{pct:.0f}">'
            f'<div class="fill{level}" style="width: {pct:.1f}%"></div></div>'
        )
    c = report.commit
    sha = _code(short_sha(c.sha)) if c.sha else esc(tr("no_commit", lang))
    commit = trh("commit_line", lang, sha=sha)
    if c.committer_date:
        date = fmt_date(clean(c.committer_date), lang, tz)
        commit += " " + trh("commit_date", lang, date=esc(date))
    meta = [commit]
    message = first_line(clean(c.message))
    if message:
        meta.append(trh("commit_message", lang, message=esc(message, 200)))
    if c.notebook_path:
        meta.append(trh("notebook", lang, path=_code(c.notebook_path)))
    out.append('<ul class="meta">' + "".join(f"<li>{m}</li>" for m in meta) + "</ul>")
    return out


def _results(report: GradeReport, lang: str) -> list[str]:
    out = [f"<h2>{esc(tr('results', lang))}</h2>"]
    if not report.checks:
        return [*out, f"<p>{esc(no_checks_line(report, lang))}</p>"]
    head = (
        f'<tr><th class="it">{esc(tr("item", lang))}</th><th>{esc(tr("check", lang))}</th>'
        f'<th class="num">{esc(tr("points", lang))}</th><th>{esc(tr("status", lang))}</th></tr>'
    )
    for item, checks in group_by_item(report.checks):
        score = sum(c.score for c in checks)
        max_score = sum(c.max_score for c in checks)
        out.append(
            f"<section><h3>{_code(item)} — {_points(score, max_score, lang)} {tr('pts', lang)}</h3>"
        )
        out.append(f'<div class="wide"><table><thead>{head}</thead><tbody>')
        for c in checks:
            status = f"{MARKERS[Status(c.status)]} {esc(status_label(c.status, lang))}"
            out.append(
                f'<tr class="{_css_class(c.status)}"><td class="it">{_code(item)}</td>'
                f"<td>{_check_name(c, lang)}</td>"
                f'<td class="num">{_points(c.score, c.max_score, lang)}</td>'
                f'<td class="st">{status}</td></tr>'
            )
        out.append("</tbody></table></div></section>")
    return out


def _manual(report: GradeReport, lang: str) -> list[str]:
    """The items the instructor grades by hand: pending, outside the score."""
    if not report.manual:
        return []
    out = [f"<h2>{esc(tr('manual', lang))}</h2>", f"<p>{esc(tr('manual_note', lang))}</p>"]
    out.append(
        f'<div class="wide"><table><thead><tr><th>{esc(tr("item", lang))}</th>'
        f'<th class="num">{esc(tr("points", lang))}</th><th>{esc(tr("status", lang))}</th></tr></thead><tbody>'
    )
    for gid, title, points in manual_rows(report, lang):
        out.append(
            f'<tr class="manual"><td>{_code(gid)} {esc(title)}</td><td class="num">{esc(points)}</td>'
            f'<td class="st">{esc(tr("manual_status", lang))}</td></tr>'
        )
    return [*out, "</tbody></table></div>"]


def _details(report: GradeReport, lang: str) -> list[str]:
    review = [c for c in report.checks if needs_review(c)]
    if not review:
        return [f'<p class="ok">{esc(tr("all_passed", lang))}</p>'] if report.checks else []
    out = [f"<h2>{esc(tr('details', lang))}</h2>", '<ul class="review">']
    for c in review:
        marker = MARKERS[Status(c.status)]
        points = f"{_points(c.score, c.max_score, lang)} {tr('pts', lang)}"
        head = f"{marker} {_check_name(c, lang)}"
        if Visibility(c.visibility) is not Visibility.HIDDEN:
            # Hidden checks: name, points and message only.
            head += f" ({_code(c.item)})"
        text = c.message.text(lang) if c.message else tr("no_message", lang)
        out.append(
            f'<li class="{_css_class(c.status)}"><strong>{head}</strong> — {points}'
            f"{_message(text)}</li>"
        )
    return [*out, "</ul>"]


def _problems(report: GradeReport, lang: str) -> list[str]:
    if not report.problems:
        return []
    out = [f"<h2>{esc(tr('problems', lang))}</h2>", '<ul class="review">']
    problems, more = capped(report.problems)
    for p in problems:
        where = f" ({esc(p.where)})" if p.where else ""
        out.append(
            f'<li class="error"><strong>{_code(p.code)}</strong>{where}'
            f"{_message(p.message.text(lang))}</li>"
        )
    if more:
        out.append(f'<li class="error">{esc(tr("more_rows", lang, n=more))}</li>')
    return [*out, "</ul>"]


def _cells(report: GradeReport, lang: str) -> list[str]:
    cells, more = capped(bad_cells(report.cells))
    if not cells:
        return []
    out = [
        f"<h2>{esc(tr('cells', lang))}</h2>",
        f'<div class="wide"><table><thead><tr><th class="num">{esc(tr("cell", lang))}</th>'
        f"<th>{esc(tr('grade_id', lang))}</th><th>{esc(tr('status', lang))}</th>"
        f"<th>{esc(tr('message', lang))}</th></tr></thead><tbody>",
    ]
    for cell in cells:
        ident = _code(cell.grade_id) if cell.grade_id else _code(cell.cell_id)
        error = _message(cell.error.text(lang)) if cell.error else ""
        out.append(
            f'<tr class="error"><td class="num">{int(cell.index)}</td><td>{ident}</td>'
            f'<td class="st">{esc(cell_status_label(cell.status, lang))}</td>'
            f"<td>{error}</td></tr>"
        )
    if more:
        out.append(f'<tr><td colspan="4">{esc(tr("more_rows", lang, n=more))}</td></tr>')
    return [*out, "</tbody></table></div>"]


def to_html(report: GradeReport, lang: str = "fr", tz: str | None = None) -> str:
    """The student's feedback as a standalone HTML page, French by default; dates in `tz`."""
    lang = norm_lang(lang)
    title = clean(report.title.text(lang)) or clean(report.tp)
    body = _header(report, lang, tz)
    # What to fix comes first: the failed checks and notebook problems, then the full table.
    body += _details(report, lang)
    body += _problems(report, lang)
    body += _results(report, lang)
    body += _manual(report, lang)
    body += _cells(report, lang)
    footer = " · ".join(esc(p) for p in footer_parts(report, lang, tz))
    lines = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{esc(tr('feedback', lang))} — {esc(title)}</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        "<main>",
        *body,
        f"<footer>{footer}</footer>",
        "</main>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(lines)
