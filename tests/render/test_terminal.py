"""render.terminal: the CLI prints rendered text (rich on a TTY, plain elsewhere), and student
text in it cannot drive the terminal."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path

import pytest

from autograder.render.terminal import for_terminal, grade_view, make_console, report_view, show
from autograder.results import GradeReport, Message

ATTACKS = {
    "cursor-up-and-erase": "\x1b[1A\x1b[2KNote: 20 / 20",
    "osc52-clipboard": "\x1b]52;c;cm0gLXJmIH4=\x07",
    "osc-with-st": "\x1b]0;title\x1b\\",
    "c1-csi": "\x9b2J",
    "bell-and-backspace": "abc\x08\x08\x08\x07",
    "carriage-return-overwrite": "Note: 0 / 20\rNote: 20 / 20",
    "bidi-override": "grade\u202e02 / 0\u202c",
    "bidi-isolate": "\u2066x\u2069\u200f",
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_no_control_escape_or_bidi_survives(name):
    out = for_terminal(ATTACKS[name])
    assert not any(ord(ch) < 0x20 and ch not in "\n\t" for ch in out), repr(out)
    assert not any(0x7F <= ord(ch) <= 0x9F for ch in out), repr(out)
    assert not any(ch in "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069" for ch in out)


def test_a_carriage_return_cannot_rewrite_the_line():
    out = for_terminal("Note: 0 / 20\rNote: 20 / 20")
    assert out.startswith("Note: 0 / 20") and "\r" not in out


def test_ordinary_french_text_is_kept():
    text = "cellule 3 (grad_f) : ValueError: « forme » attendue (2,)\n\tdétail → ok"
    assert for_terminal(text) == text


def test_non_text_is_printed_as_text():
    assert for_terminal(None) == "" and for_terminal(3.5) == "3.5"


# -- the rendered report: rich on a TTY, plain text elsewhere, student text still inert -------

_SGR = re.compile(r"\x1b\[[0-9;]*m")  # rich's colours: the only sequence allowed on a TTY


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _hostile(report: GradeReport) -> GradeReport:
    attack = "".join(ATTACKS.values())
    checks = tuple(
        replace(c, name=c.name + ATTACKS["osc52-clipboard"], message=Message(fr=attack + " `grad_f`", en=attack))
        for c in report.checks
    )
    return replace(report, checks=checks, commit=replace(report.commit, message=attack))


def _printed(renderable, tty: bool) -> str:
    buf = _Tty() if tty else io.StringIO()
    show(renderable, buf)
    return buf.getvalue()


@pytest.mark.parametrize("tty", [True, False], ids=["tty", "pipe"])
def test_rendered_report_lets_no_student_sequence_through(report, tty):
    bad = _hostile(report)
    for view in (report_view(bad, "fr"), grade_view(bad, "en", Path("out"), ())):
        out = _printed(view, tty)
        if tty:
            assert _SGR.search(out), "a TTY gets colours"
        else:
            assert "\x1b" not in out, "a pipe or CI log gets no escape sequence at all"
        rest = _SGR.sub("", out)
        assert not any(ord(ch) < 0x20 and ch not in "\n\t" for ch in rest), repr(rest[:300])
        assert not any(0x7F <= ord(ch) <= 0x9F for ch in rest)
        assert not _BIDI_CHARS.intersection(rest)


_BIDI_CHARS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def test_check_output_is_rendered_not_markdown_source(report):
    """The issue's `\\`grad\\_f\\` n'est pas encore implémentée`: a reader gets the words."""
    stub = replace(
        report.checks[1],
        message=Message(fr="`grad_f` n'est pas encore implémentée (NotImplementedError)"),
    )
    text = _printed(report_view(replace(report, checks=(stub, *report.checks[2:])), "fr"), False)
    assert "grad_f n'est pas encore implémentée" in text
    assert "\\_" not in text and "\\`" not in text and "**" not in text and "|---" not in text
    assert "Note : 2,5 / 12,5" in text  # French numbers
    assert "du 1er octobre 2024 à 12:34 (UTC+02:00)" in text  # the commit's own zone
    assert "0,5 / 1" in text and "◐ partielle" in text


def test_dates_follow_the_timezone_option(report):
    paris = _printed(report_view(report, "fr", "Europe/Paris"), False)
    assert "Corrigé le 2 octobre 2024 à 10:00 (Europe/Paris)" in paris
    english = _printed(report_view(report, "en", "UTC"), False)
    assert "Graded at 2 October 2024 at 08:00 (UTC)" in english and "Score: 2.5 / 12.5" in english


def test_grade_view_lists_the_checks_to_fix_and_the_reports(report):
    text = _printed(grade_view(report, "fr", Path("out"), (Path("out/junit.xml"),), limit=2), False)
    lines = text.splitlines()
    assert lines[0].startswith("Note : 2,5 / 12,5")
    assert any(line.startswith("reports: out/ (junit.xml)") for line in lines)
    assert "test_grad_f_shape" in text and "test_backward" in text
    assert "test_hidden_accuracy" not in text and "2 de plus" in text  # capped: feedback.md has all


def test_console_is_plain_off_a_tty():
    plain = make_console(io.StringIO())
    assert not plain.is_terminal and plain.color_system is None
    assert make_console(_Tty()).is_terminal


def test_class_view_names_each_zero_with_its_reason():
    from autograder.classroom.class_result import StudentResult
    from autograder.render.terminal import class_view

    results = [StudentResult.from_json(r) for r in (
        {"student_id": "s01", "status": "graded", "final_score": 16.5, "raw_score": 16.5, "max_score": 20, "problems": []},
        {"student_id": "s02\x1b[2J", "status": "no-submission", "reason": "repository unreachable: x",
         "final_score": 0.0, "deadline": "2026-12-01T23:59:00+01:00"},
    )]
    text = _printed(class_view(results, "fr"), False)
    assert "1 notés sur 2 — moyenne des notés : 16,5 / 20" in text
    assert "s02" in text and "[2J" not in text and "dépôt inaccessible" in text and "\x1b" not in text
    assert "s01" not in text  # a real grade needs no attention
