"""feedback.html: self-contained, bilingual, and never executing student text."""

from __future__ import annotations

from html.parser import HTMLParser

from autograder.render.html import to_html
from autograder.results import GradeReport


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs


def _parse(page: str) -> _Collector:
    parser = _Collector()
    parser.feed(page)
    parser.close()
    return parser


def test_french_by_default(report: GradeReport) -> None:
    page = to_html(report)
    assert page.startswith('<!DOCTYPE html>\n<html lang="fr">')
    assert "Note : 2,5 / 12,5" in page and "Résultats par partie" in page
    assert "Bac à sable : bwrap" in page and "Score:" not in page


def test_english(report: GradeReport) -> None:
    page = to_html(report, "en")
    assert '<html lang="en">' in page
    assert "Score: 2.5 / 12.5" in page and "Results by item" in page
    assert "Lab 1 — Gradients" in page and "Résultats" not in page


def test_hostile_input_is_escaped(report: GradeReport) -> None:
    page = to_html(report)
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<code>s&lt;img src=x onerror=alert(1)&gt;`|</code>" in page
    assert "\x00" not in page and "\x07" not in page and "\x1b" not in page
    parsed = _parse(page)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert not any(name.startswith("on") for name, _ in parsed.attrs)


def test_self_contained(report: GradeReport) -> None:
    page = to_html(report)
    parsed = _parse(page)
    assert "link" not in parsed.tags
    assert not any(name in ("src", "href") for name, _ in parsed.attrs)
    assert "<style>" in page and "Content-Security-Policy" in page


def test_content_matches_markdown(report: GradeReport) -> None:
    page = to_html(report)
    assert 'class="fill low" style="width: 20.0%"' in page  # score bar
    assert '<tr class="partial">' in page and '<tr class="error">' in page
    assert "✔" in page and "◐" in page and "✘" in page and "⊘" in page
    assert "test_hidden_accuracy" in page and "cachée" in page
    assert "gradient faux\nattendu | obtenu &lt;b&gt;" in page
    assert "cell-timeout" in page and "train_loop" in page and "temps dépassé (30 s)" in page
    assert "<code>abc1234d</code>" in page


def test_empty_report(empty_report: GradeReport) -> None:
    page = to_html(empty_report)
    assert "Aucune vérification" in page and 'style="width: 0.0%"' in page
