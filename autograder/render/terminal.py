"""Text for a person's terminal: rendered (rich), and nothing from a submission may drive it.

A grade_id, a check message, a commit message or a student's error can carry escape
sequences (cursor moves that overwrite "Note: 0 / 20", OSC 52 that writes the clipboard)
or bidi overrides that show text in another order than it is. Every string the CLI prints
goes through `for_terminal` before rich sees it, and rich is told to read no markup and no
emoji codes in it, so the only escape sequences on the screen are rich's own colours. Files
keep their own escaping (renderers).

On a TTY the report is coloured, with tables; elsewhere (a CI log, a pipe, a file) it is
the same layout in plain text with no escape sequence at all.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from autograder.render.formats import fmt_date, fmt_num, fmt_points
from autograder.render.strings import (
    MARKERS,
    bad_cells,
    capped,
    cell_status_label,
    clean,
    first_line,
    footer_parts,
    group_by_item,
    manual_rows,
    manual_score_line,
    needs_review,
    no_checks_line,
    norm_lang,
    short_sha,
    status_label,
    tr,
)
from autograder.results import CheckResult, GradeReport, Status, Visibility

if TYPE_CHECKING:
    from autograder.classroom.class_result import StudentResult

# Bidi embeddings, overrides and isolates, and the marks that steer them.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Whatever `clean` leaves that a terminal still acts on: every C0 control but tab and
# newline, DEL, and the C1 range (a VT220 reads U+009B as CSI).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

#: Lines of one check's message shown in a terminal; feedback.md holds the rest.
MESSAGE_LINES = 12
#: Width of the plain-text layout when stdout is no terminal (CI logs, pipes).
PLAIN_WIDTH = 100

_STYLE = {
    Status.PASSED: "green",
    Status.PARTIAL: "yellow",
    Status.FAILED: "red",
    Status.ERROR: "magenta",
}


def for_terminal(text: object) -> str:
    """`text` with escape sequences, control and bidi characters removed."""
    return _BIDI.sub("", _CONTROLS.sub("", clean(text)))


def safe(text: object, style: str = "") -> Text:
    """A rich Text of `text` made safe for a terminal: never read as markup."""
    return Text(for_terminal(text), style=style)


_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def inline(text: object, style: str = "") -> Text:
    """A message with its `code` spans shown as code (bold cyan on a TTY), backticks
    dropped, as a reader sees rendered Markdown; made safe first, so only our styles apply."""
    plain = for_terminal(text)
    out = Text(style=style)
    pos = 0
    for m in _CODE_SPAN.finditer(plain):
        out.append(plain[pos : m.start()])
        out.append(m[1], style="bold cyan")
        pos = m.end()
    out.append(plain[pos:])
    return out


def _colon(lang: str) -> str:
    return " : " if lang == "fr" else ": "


def make_console(file: IO[str] | None = None) -> Console:
    """Colours and tables on a TTY; plain text, no escape sequence, anywhere else.

    `file` is looked up at call time (sys.stdout by default), so redirections of stdout
    (pytest's capsys, contextlib.redirect_stdout) are honoured.
    """
    file = file if file is not None else sys.stdout
    tty = bool(getattr(file, "isatty", lambda: False)())
    return Console(
        file=file,
        force_terminal=tty,
        color_system="auto" if tty else None,
        no_color=not tty,
        markup=False,
        emoji=False,
        highlight=False,
        width=None if tty else PLAIN_WIDTH,
        soft_wrap=not tty,
    )


def show(renderable: RenderableType | str, file: IO[str] | None = None) -> None:
    """Print one renderable (a str is made safe first)."""
    if isinstance(renderable, str):
        renderable = safe(renderable)
    make_console(file).print(renderable)


def _message_lines(check: CheckResult, lang: str, limit: int = MESSAGE_LINES) -> str:
    text = check.message.text(lang).strip("\n") if check.message else tr("no_message", lang)
    lines = text.split("\n")
    if len(lines) > limit:
        lines = [*lines[:limit], "…"]
    return "\n".join(line[:300] for line in lines)


def score_line(report: GradeReport, lang: str) -> Text:
    """"Note : 16,5 / 20" (French) / "Score: 16.5 / 20" (English), in bold."""
    score = tr("score_line", lang, score=fmt_num(report.score, lang), max=fmt_num(report.max_score, lang))
    line = safe(score, "bold")
    if report.manual:
        line.append_text(safe(f"  ({manual_score_line(report, lang)})", "yellow"))
    return line


def _header(report: GradeReport, lang: str, tz: str | None) -> list[RenderableType]:
    title = clean(report.title.text(lang)) or clean(report.tp)
    head = Text()
    head.append_text(safe(title, "bold underline"))
    head.append_text(safe(f"  ({report.tp})", "dim"))
    out: list[RenderableType] = [head, score_line(report, lang)]
    c = report.commit
    if c.sha:
        commit = tr("commit_line", lang, sha=short_sha(c.sha))
        if c.committer_date:
            commit += " " + tr("commit_date", lang, date=fmt_date(clean(c.committer_date), lang, tz))
        message = first_line(clean(c.message))
        out.append(safe(commit + (f" — {message[:120]}" if message else ""), "dim"))
    return out


def _review(report: GradeReport, lang: str, limit: int | None) -> list[RenderableType]:
    review = [c for c in report.checks if needs_review(c)]
    if not review:
        return [safe(tr("all_passed", lang), "bold green")] if report.checks else []
    out: list[RenderableType] = [Text(""), safe(tr("details", lang), "bold")]
    shown = review if limit is None else review[:limit]
    for c in shown:
        status = Status(c.status)
        line = Text()  # no base style: each piece keeps its own
        line.append_text(safe(f"{MARKERS[status]} ", _STYLE[status]))
        line.append_text(safe(c.name, f"bold {_STYLE[status]}"))
        if Visibility(c.visibility) is Visibility.HIDDEN:
            line.append_text(safe(f" ({tr('hidden', lang)})", "dim"))
        else:
            line.append_text(safe(f" ({c.item})", "dim"))
        line.append_text(safe(f" — {fmt_points(c.score, c.max_score, lang)} {tr('pts', lang)}"))
        out.append(line)
        lines = 1 if limit is not None else MESSAGE_LINES
        message = _message_lines(c, lang, lines)
        out.append(inline("    " + message.replace("\n", "\n    ")))
    if len(review) > len(shown):
        out.append(safe(tr("more_rows", lang, n=len(review) - len(shown)) + " (feedback.md)", "dim"))
    return out


def _problems(report: GradeReport, lang: str, full: bool) -> list[RenderableType]:
    if not report.problems:
        return []
    out: list[RenderableType] = [Text(""), safe(tr("problems", lang), "bold")]
    problems, more = capped(report.problems)
    for p in problems:
        line = Text()
        line.append_text(safe("! ", "bold red"))
        line.append_text(safe(p.code, "bold"))
        text = p.message.text(lang).strip()
        line.append_text(inline(_colon(lang) + (text if full else first_line(text))))
        if full and p.where:
            line.append_text(safe(f" ({p.where})", "dim"))
        out.append(line)
    if more:
        out.append(safe(tr("more_rows", lang, n=more), "dim"))
    return out


def _results_table(report: GradeReport, lang: str) -> list[RenderableType]:
    if not report.checks:
        return [Text(""), safe(no_checks_line(report, lang))]
    table = Table(title=for_terminal(tr("results", lang)), title_justify="left", expand=False)
    table.add_column(for_terminal(tr("item", lang)))
    table.add_column(for_terminal(tr("check", lang)), overflow="fold")
    table.add_column(for_terminal(tr("points", lang)), justify="right", no_wrap=True)
    table.add_column(for_terminal(tr("status", lang)), no_wrap=True)
    for item, checks in group_by_item(report.checks):
        for i, c in enumerate(checks):
            status = Status(c.status)
            name = safe(c.name)
            if Visibility(c.visibility) is Visibility.HIDDEN:
                name.append_text(safe(f" ({tr('hidden', lang)})", "dim"))
            table.add_row(
                safe(item if i == 0 else ""),
                name,
                safe(fmt_points(c.score, c.max_score, lang)),
                safe(f"{MARKERS[status]} {status_label(status, lang)}", _STYLE[status]),
            )
        table.add_section()
    return [Text(""), table]


def _manual(report: GradeReport, lang: str) -> list[RenderableType]:
    if not report.manual:
        return []
    out: list[RenderableType] = [Text(""), safe(tr("manual", lang), "bold")]
    for gid, title, points in manual_rows(report, lang):
        line = safe(f"… {gid}", "yellow")
        line.append_text(safe(f" — {title} — {points} {tr('pts', lang)}"))
        out.append(line)
    return out


def _cells(report: GradeReport, lang: str) -> list[RenderableType]:
    cells, more = capped(bad_cells(report.cells))
    if not cells:
        return []
    out: list[RenderableType] = [Text(""), safe(tr("cells", lang), "bold")]
    for cell in cells:
        status = cell_status_label(cell.status, lang)
        error = first_line(cell.error.text(lang)) if cell.error else ""
        named = re.search(rf"\b(?:cellule|cell) {int(cell.index)}\b", error, re.IGNORECASE)
        if named:  # the grader's message names the cell already ("cellule 7 (train) : ...")
            out.append(inline(f"{status} — {error}"))
        else:
            ident = cell.grade_id or cell.cell_id
            line = f"{tr('cell', lang)} {int(cell.index)} ({ident}) — {status}"
            out.append(inline(line + (_colon(lang) + error if error else "")))
    if more:
        out.append(safe(tr("more_rows", lang, n=more), "dim"))
    return out


def report_view(report: GradeReport, lang: str = "fr", tz: str | None = None) -> Group:
    """The whole report for a terminal (`autograder check`): what to fix first, with the
    messages, then every check in a table, the cells in error and the footer."""
    lang = norm_lang(lang)
    parts = _header(report, lang, tz)
    parts += _review(report, lang, None)
    parts += _problems(report, lang, True)
    parts += _results_table(report, lang)
    parts += _manual(report, lang)
    parts += _cells(report, lang)
    parts += [Text(""), safe(" · ".join(footer_parts(report, lang, tz)), "dim")]
    return Group(*parts)


def grade_view(
    report: GradeReport, lang: str, out: Path, files: tuple[Path, ...], limit: int = 10
) -> Group:
    """What `grade` prints (a CI log): the score, the problems, the first `limit` checks to
    review with the first line of their message, and where the reports are."""
    lang = norm_lang(lang)
    head = Text()
    head.append_text(score_line(report, lang))
    sha = (report.commit.sha or "?")[:10]
    head.append_text(safe(f"  ({report.tp}, commit {sha})", "dim"))
    parts: list[RenderableType] = [head]
    parts += _problems(report, lang, False)
    parts += _review(report, lang, limit)
    parts.append(safe(f"reports: {out}/ ({', '.join(sorted(p.name for p in files))})"))
    return Group(*parts)


def class_view(results: list[StudentResult], lang: str = "fr", limit: int = 20) -> Group:
    """What `grade-class` prints at the end: how many were graded, the mean, and each
    student left without a real grade (a zero, no submission, a grader error) with the
    reason moodle.csv gives them, so the instructor sees what to look at first."""
    from autograder.classroom.gradebook import class_out_of, moodle_comment

    lang = norm_lang(lang)
    graded = [r for r in results if r.graded]
    scores = [float(r.final_score or 0.0) for r in graded]
    max_score = class_out_of(graded) or 0.0  # final scores count the points graded by hand
    mean = sum(scores) / len(scores) if scores else 0.0
    if lang == "fr":
        head = f"{len(graded)} notés sur {len(results)} — moyenne des notés : {fmt_points(mean, max_score, lang)}"
    else:
        head = f"{len(graded)} of {len(results)} graded — mean of the graded: {fmt_points(mean, max_score, lang)}"
    parts: list[RenderableType] = [safe(head, "bold")]
    # A zero is flagged where there were automatic points to earn (a TP of items graded by
    # hand only is at 0 until Formgrader).
    flagged = [
        r for r in results
        if not r.graded or (not float(r.final_score or 0.0) and float(r.max_score or 0.0) > 0)
    ]
    if flagged:
        title = "Sans note ou à zéro" if lang == "fr" else "No grade or zero"
        table = Table(title=for_terminal(title), title_justify="left")
        table.add_column("id", no_wrap=True)
        table.add_column("note" if lang == "fr" else "score", justify="right", no_wrap=True)
        table.add_column("raison (moodle.csv)" if lang == "fr" else "reason (moodle.csv)", overflow="fold")
        for r in flagged[:limit]:
            style = "red" if r.status == "grader-error" else ""
            table.add_row(
                safe(r.student_id or "?"),
                safe(fmt_num(float(r.final_score or 0.0), lang)),
                safe(moodle_comment(r, lang), style),
            )
        parts.append(table)
        if len(flagged) > limit:
            parts.append(safe(tr("more_rows", lang, n=len(flagged) - limit) + " (grades.csv)", "dim"))
    return Group(*parts)
