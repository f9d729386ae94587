"""feedback.md: the student's feedback, readable raw and rendered by GitLab.

Student-influenced text (messages, grade ids, cell ids, commit data) is escaped so it can
neither inject HTML nor break the tables; multi-line messages go in fenced code blocks,
which render literally.
"""

from __future__ import annotations

import re

from autograder.render.formats import fmt_points
from autograder.render.strings import (
    MARKERS,
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
    short_sha,
    shorten,
    status_label,
    tr,
)
from autograder.results import CheckResult, GradeReport, Status, Visibility

_MESSAGE_LIMIT = 4000
_INLINE_LIMIT = 300
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#!])")


def md_text(text: object, limit: int = _INLINE_LIMIT) -> str:
    """Inline text with every Markdown/HTML-significant character backslash-escaped."""
    s = " ".join(clip(text, 4 * limit).split())
    return _MD_SPECIAL.sub(r"\\\1", shorten(s, limit))


def md_code(text: object, limit: int = _INLINE_LIMIT) -> str:
    """A code span that holds any text: the fence is longer than any backtick run inside.

    Pipes are escaped too, which GitHub/GitLab tables require even inside code spans.
    """
    s = shorten(" ".join(clip(text, 4 * limit).split()), limit)
    if not s:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{fence}{pad}{s}{pad}{fence}".replace("|", "\\|")


def md_block(text: object, indent: str = "") -> str:
    """A message: escaped inline when it fits one line, else a fenced code block."""
    s = shorten(clip(text, 2 * _MESSAGE_LIMIT).strip("\n"), _MESSAGE_LIMIT)
    if "\n" not in s:
        return indent + md_text(s, _MESSAGE_LIMIT)
    longest = max((len(run) for run in re.findall(r"`+", s)), default=0)
    fence = "`" * max(3, longest + 1)
    lines = [fence, *s.split("\n"), fence]
    return "\n".join(indent + line if line else line for line in lines)


def _points(score: float, max_score: float, lang: str) -> str:
    return fmt_points(score, max_score, lang)


def _check_name(check: CheckResult, lang: str) -> str:
    name = md_code(check.name)
    if Visibility(check.visibility) is Visibility.HIDDEN:
        name += f" ({tr('hidden', lang)})"
    return name


def _header(report: GradeReport, lang: str, tz: str | None) -> list[str]:
    title = clean(report.title.text(lang)) or clean(report.tp)
    lines = [f"# {md_text(title)}", "", f"{tr('feedback', lang)} — {md_code(report.tp)}", ""]
    lines += [
        f"**{tr('score_line', lang, score=fmt_num(report.score, lang), max=fmt_num(report.max_score, lang))}**"
        + (f" ({md_text(manual_score_line(report, lang))})" if report.manual else ""),
        "",
    ]
    c = report.commit
    sha = md_code(short_sha(c.sha)) if c.sha else tr("no_commit", lang)
    commit = tr("commit_line", lang, sha=sha)
    if c.committer_date:
        date = fmt_date(clean(c.committer_date), lang, tz)
        commit += " " + tr("commit_date", lang, date=md_text(date))
    lines.append(f"- {commit}")
    message = first_line(clean(c.message))
    if message:
        lines.append(f"- {tr('commit_message', lang, message=md_text(message, 200))}")
    if c.notebook_path:
        lines.append(f"- {tr('notebook', lang, path=md_code(c.notebook_path))}")
    lines.append("")
    return lines


def _results(report: GradeReport, lang: str) -> list[str]:
    lines = [f"## {tr('results', lang)}", ""]
    if not report.checks:
        return [*lines, no_checks_line(report, lang), ""]
    head = [tr("item", lang), tr("check", lang), tr("points", lang), tr("status", lang)]
    for item, checks in group_by_item(report.checks):
        score = sum(c.score for c in checks)
        max_score = sum(c.max_score for c in checks)
        lines += [f"### {md_code(item)} — {_points(score, max_score, lang)} {tr('pts', lang)}", ""]
        lines += ["| " + " | ".join(head) + " |", "|---|---|---:|---|"]
        for c in checks:
            status = f"{MARKERS[Status(c.status)]} {status_label(c.status, lang)}"
            row = [md_code(item), _check_name(c, lang), _points(c.score, c.max_score, lang), status]
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
    return lines


def _manual(report: GradeReport, lang: str) -> list[str]:
    """The items the instructor grades by hand: pending, outside the score."""
    if not report.manual:
        return []
    lines = [f"## {tr('manual', lang)}", "", md_text(tr("manual_note", lang)), ""]
    lines += ["| " + " | ".join([tr("item", lang), tr("points", lang), tr("status", lang)]) + " |", "|---|---:|---|"]
    for gid, title, points in manual_rows(report, lang):
        lines.append(f"| {md_code(gid)} {md_text(title)} | {points} | {md_text(tr('manual_status', lang))} |")
    return [*lines, ""]


def _details(report: GradeReport, lang: str) -> list[str]:
    review = [c for c in report.checks if needs_review(c)]
    if not review:
        return [tr("all_passed", lang), ""] if report.checks else []
    lines = [f"## {tr('details', lang)}", ""]
    for c in review:
        marker = MARKERS[Status(c.status)]
        points = f"{_points(c.score, c.max_score, lang)} {tr('pts', lang)}"
        if Visibility(c.visibility) is Visibility.HIDDEN:
            # Hidden checks: name, points and message only.
            lines.append(f"- {marker} {_check_name(c, lang)} — {points}")
        else:
            lines.append(f"- {marker} {_check_name(c, lang)} ({md_code(c.item)}) — {points}")
        text = c.message.text(lang) if c.message else tr("no_message", lang)
        lines += ["", md_block(text, indent="  "), ""]
    return lines


def _problems(report: GradeReport, lang: str) -> list[str]:
    if not report.problems:
        return []
    lines = [f"## {tr('problems', lang)}", ""]
    problems, more = capped(report.problems)
    for p in problems:
        where = f" ({md_text(p.where)})" if p.where else ""
        lines += [f"- {md_code(p.code)}{where}", "", md_block(p.message.text(lang), "  "), ""]
    if more:
        lines += [f"- {md_text(tr('more_rows', lang, n=more))}", ""]
    return lines


def _cells(report: GradeReport, lang: str) -> list[str]:
    cells, more = capped(bad_cells(report.cells))
    if not cells:
        return []
    head = [tr("cell", lang), tr("grade_id", lang), tr("status", lang), tr("message", lang)]
    lines = [f"## {tr('cells', lang)}", "", "| " + " | ".join(head) + " |", "|---:|---|---|---|"]
    for cell in cells:
        error = md_text(cell.error.text(lang)) if cell.error else ""
        row = [
            str(cell.index),
            md_code(cell.grade_id) if cell.grade_id else md_code(cell.cell_id),
            md_text(cell_status_label(cell.status, lang)),
            error,
        ]
        lines.append("| " + " | ".join(row) + " |")
    if more:
        lines += ["", md_text(tr("more_rows", lang, n=more))]
    return [*lines, ""]


def to_markdown(report: GradeReport, lang: str = "fr", tz: str | None = None) -> str:
    """The student's feedback in Markdown, French by default; dates in zone `tz`."""
    lang = norm_lang(lang)
    lines = _header(report, lang, tz)
    # What to fix comes first: the failed checks and notebook problems, then the full table.
    lines += _details(report, lang)
    lines += _problems(report, lang)
    lines += _results(report, lang)
    lines += _manual(report, lang)
    lines += _cells(report, lang)
    lines += ["---", "", " · ".join(md_text(p) for p in footer_parts(report, lang, tz)), ""]
    return "\n".join(lines)
