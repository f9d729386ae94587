"""Items graded by hand in every renderer: pending, outside the automatic score, named by
their grade_id and title, and the student-influenced parts still escaped."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import junitparser
import pytest

from autograder.render import to_html, to_json, to_junit, to_markdown
from autograder.render.terminal import grade_view, report_view, show
from autograder.results import GradeReport, ManualItem, Message

from .junit_check import SCHEMA, junit_keys

INTERPRET = ManualItem("interpretation", 2.0, Message("Interpréter la figure <b>", "Interpret the figure <b>"))
ESSAY = ManualItem("bilan", 1.5, Message("Bilan", "Summary"))


@pytest.fixture
def manual_report(report: GradeReport) -> GradeReport:
    return replace(report, manual=(INTERPRET, ESSAY))


def test_grade_json_keeps_the_automatic_total_and_lists_the_pending_items(manual_report):
    data = json.loads(to_json(manual_report, "en"))
    assert (data["score"], data["max_score"], data["manual_pending"]) == (2.5, 12.5, 3.5)
    manual = {t["name"]: t for t in data["tests"] if t.get("manual")}
    assert set(manual) == {"interpretation", "bilan"}
    assert manual["interpretation"]["output"] == "To be graded by hand: Interpret the figure <b>"
    assert {(t["score"], t["max_score"], t["autograder_status"]) for t in manual.values()} == {
        (0.0, 2.0, "pending-manual"), (0.0, 1.5, "pending-manual")
    }
    # The automatic tests alone sum to max_score; with the manual ones, to the whole TP.
    auto = [t for t in data["tests"] if not t.get("manual")]
    assert sum(t["max_score"] for t in auto) == data["max_score"]
    assert sum(t["max_score"] for t in data["tests"]) == data["max_score"] + data["manual_pending"]
    assert data["output"].endswith("To be graded by hand: 3.5 pts.")


def test_a_report_without_manual_items_has_nothing_pending(report):
    data = json.loads(to_json(report))
    assert data["manual_pending"] == 0 and not any(t.get("manual") for t in data["tests"])
    assert "corriger à la main" not in to_markdown(report) and "corriger à la main" not in to_html(report)


def test_junit_has_one_skipped_case_per_item_with_a_stable_key(manual_report):
    xml = to_junit(manual_report, "fr")
    SCHEMA.validate(xml)
    keys = junit_keys(xml)
    assert keys[("tp01_gradients.interpretation", "graded_by_hand")] == "skipped"
    assert keys[("tp01_gradients.bilan", "graded_by_hand")] == "skipped"
    assert keys == junit_keys(to_junit(manual_report, "en"))  # same keys in either language
    suite = next(iter(junitparser.JUnitXml.fromstring(xml)))
    assert (suite.tests, suite.skipped) == (len(manual_report.checks) + 1 + 2, 2)
    props = {p.name: p.value for p in suite.properties()}
    assert (props["score"], props["max_score"], props["manual_pending"]) == ("2.5", "12.5", "3.5")
    assert 'message="À corriger à la main (1,5 pts): Bilan"' in xml


def test_feedback_md_and_html_show_the_items_beside_the_score(manual_report):
    md = to_markdown(manual_report, "fr")
    assert "**Note : 2,5 / 12,5** (+ 3,5 pts à corriger à la main)" in md
    assert "## À corriger à la main" in md
    assert "| `interpretation` Interpréter la figure \\<b\\> | – / 2 | à corriger |" in md
    html = to_html(manual_report, "en")
    assert "Score: 2.5 / 12.5 <span class=\"tag\">+ 3.5 pts to be graded by hand</span>" in html
    assert "<code>bilan</code> Summary</td><td class=\"num\">– / 1.5</td>" in html
    assert "Interpret the figure &lt;b&gt;" in html and "figure <b>" not in html


def test_the_terminal_shows_the_pending_items(manual_report):
    buf = io.StringIO()
    show(report_view(manual_report, "fr"), buf)
    out = buf.getvalue()
    assert "Note : 2,5 / 12,5  (+ 3,5 pts à corriger à la main)" in out
    assert "À corriger à la main" in out and "… interpretation — Interpréter la figure <b> — – / 2 pts" in out
    buf = io.StringIO()
    show(grade_view(manual_report, "en", Path("out"), ()), buf)
    assert "(+ 3.5 pts to be graded by hand)" in buf.getvalue()
