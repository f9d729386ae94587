"""write_reports: every file written whole, nothing left behind."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import autograder.render as render
from autograder.render import write_reports
from autograder.results import GradeReport


def test_writes_all_files(report: GradeReport, tmp_path: Path) -> None:
    out = tmp_path / "a" / "b"
    notebook = {"cells": [{"source": "x = 'é'"}], "nbformat": 4, "nbformat_minor": 5}
    paths = write_reports(report, out, lang="en", executed_notebook=notebook)
    names = {"grade.json", "junit.xml", "feedback.md", "feedback.html", "executed.ipynb"}
    assert set(paths) == names
    assert {p.name for p in out.iterdir()} == names  # no temp files left
    assert all(paths[n] == out / n for n in names)
    assert json.loads(paths["grade.json"].read_text("utf-8"))["lang"] == "en"
    ET.parse(paths["junit.xml"])
    assert "Score: 2.5 / 12.5" in paths["feedback.md"].read_text("utf-8")
    assert '<html lang="en">' in paths["feedback.html"].read_text("utf-8")
    nb_text = paths["executed.ipynb"].read_text("utf-8")
    assert "'é'" in nb_text and json.loads(nb_text) == notebook


def test_without_notebook_and_overwrite(report: GradeReport, tmp_path: Path) -> None:
    (tmp_path / "grade.json").write_text("old")
    paths = write_reports(report, tmp_path)
    assert "executed.ipynb" not in paths
    assert json.loads((tmp_path / "grade.json").read_text("utf-8"))["lang"] == "fr"
    assert sorted(os.listdir(tmp_path)) == sorted(paths)


def test_failed_write_leaves_old_file_and_no_temp(
    report: GradeReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "grade.json").write_text("old")

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(render.os, "replace", boom)
    with pytest.raises(OSError):
        write_reports(report, tmp_path)
    assert os.listdir(tmp_path) == ["grade.json"]
    assert (tmp_path / "grade.json").read_text() == "old"


def test_notebook_with_lone_surrogate(report: GradeReport, tmp_path: Path) -> None:
    notebook = {"cells": [{"outputs": ["bad \udcff byte"]}]}
    paths = write_reports(report, tmp_path, executed_notebook=notebook)
    assert json.loads(paths["executed.ipynb"].read_text("utf-8")) == notebook


def test_no_student_facing_report_shows_a_checks_margin(report: GradeReport, tmp_path) -> None:
    """Margins reveal a hidden check's bar: they are for `autograder margins` only."""
    import dataclasses

    from autograder.render import to_html, to_json, to_junit, to_markdown
    from autograder.results import Margin

    bar = Margin("accuracy on hidden data", 0.912345, 0.876543, True)
    checks = tuple(dataclasses.replace(c, margins=(bar,)) for c in report.checks)
    with_margins = dataclasses.replace(report, checks=checks)
    for to_text in (to_json, to_junit, to_markdown, to_html):
        for lang in ("fr", "en"):
            text = to_text(with_margins, lang)
            assert "0.876543" not in text and "876543" not in text and "hidden data" not in text


def test_every_report_stays_under_1_mb_whatever_the_notebook_holds(report: GradeReport) -> None:
    """2,000 failing cells with long errors and megabyte ids, 1,000 long problems, a
    megabyte commit message: each report file stays under 1 MB and says what it left out."""
    from dataclasses import replace

    from autograder.render import to_html, to_json, to_junit, to_markdown
    from autograder.results import CellRun, Message, Problem

    huge = "g" * 1_500_000
    long_msg = Message(fr="é" * 50_000, en="e" * 50_000)
    cells = tuple(
        CellRun(i, huge, huge, "student-scratch", "error", 0.1, long_msg) for i in range(2000)
    )
    problems = tuple(Problem(huge, long_msg, huge) for _ in range(1000))
    commit = replace(report.commit, message=huge, ref=huge, repo=huge, notebook_path=huge)
    big = replace(report, cells=cells, problems=problems, commit=commit)
    for lang in ("fr", "en"):
        for render_fn in (to_json, to_junit, to_markdown, to_html):
            text = render_fn(big, lang)
            assert len(text.encode("utf-8")) < 1_000_000, (render_fn.__name__, lang, len(text))
    data = json.loads(to_json(big, "en"))
    assert data["problems_omitted"] == 950 and data["cells_omitted"] == 1800
    assert "and 1970 more" in to_markdown(big, "en") and "et 970 de plus" in to_html(big, "fr")
    ET.fromstring(to_junit(big, "fr"))
