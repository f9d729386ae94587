"""margins: the solution graded over several seeds, folded into one tightest margin per check."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.prove.margins import CheckMargin, combine, seeds_from
from autograder.render.margin_report import to_csv, to_markdown
from autograder.results import (
    CheckResult,
    CommitInfo,
    GradeReport,
    Margin,
    Message,
    Status,
    Visibility,
)

ROOT = Path(__file__).resolve().parents[2]


def _check(name: str, *margins: Margin, status: Status = Status.PASSED) -> CheckResult:
    score = 1.0 if status is Status.PASSED else 0.0
    return CheckResult(name, "item", score, 1.0, status, Visibility.HIDDEN, margins=margins)


def _report(*checks: CheckResult) -> GradeReport:
    return GradeReport(
        tp="tp_x", title=Message("x"), commit=CommitInfo("solution", "solution"),
        score=sum(c.score for c in checks), max_score=float(len(checks)), checks=checks,
    )


def test_seeds_start_with_the_course_seed():
    assert seeds_from(7, 3) == (7, 8, 9)
    assert seeds_from(7, 0) == (7,)


def test_combine_keeps_the_tightest_margin_over_seeds_and_flags_it():
    loose, tight = Margin("accuracy", 0.95, 0.8, True), Margin("accuracy", 0.82, 0.8, True)
    reports = [
        (1, _report(_check("test_acc", loose), _check("test_exact"))),
        (2, _report(_check("test_acc", tight), _check("test_exact"))),
    ]
    folded = combine(reports)
    acc, exact = folded.checks
    assert acc.tightest == tight and acc.seed_of_tightest == 2 and acc.recorded == 2
    assert acc.flagged  # 2.5 % above the bar: a seed or a GPU could flip it
    assert exact.tightest is None and not exact.flagged
    assert folded.seeds == (1, 2) and folded.scores == (2.0, 2.0)


def test_a_check_failing_on_one_seed_is_flagged():
    reports = [
        (1, _report(_check("test_acc", Margin("acc", 0.95, 0.8, True)))),
        (2, _report(_check("test_acc", Margin("acc", 0.7, 0.8, True), status=Status.FAILED))),
    ]
    (row,) = combine(reports).checks
    assert not row.passed_every_seed and row.flagged


def test_tolerance_flags_past_half_of_the_tolerance():
    row = CheckMargin("t", "i", Visibility.HIDDEN, True, Margin("e", 0.6, 1.0, False, "tolerance"), 1, 1)
    assert row.flagged
    row = CheckMargin("t", "i", Visibility.HIDDEN, True, Margin("e", 0.01, 1.0, False, "tolerance"), 1, 1)
    assert not row.flagged


def test_renderers_name_every_check_and_the_verdict():
    folded = combine([(5, _report(_check("test_acc", Margin("accuracy", 0.82, 0.8, True)), _check("test_exact")))])
    md = to_markdown(folded)
    assert "| `test_acc` | item | accuracy | 0.82 vs ≥ 0.8 | +2.5 % | 5 | TIGHT |" in md
    assert "exact comparisons only" in md and "Flagged: test_acc" in md
    rows = list(csv.DictReader(io.StringIO(to_csv(folded))))
    assert [r["check"] for r in rows] == ["test_acc", "test_exact"]
    assert rows[0]["flagged"] == "True" and float(rows[0]["slack"]) == pytest.approx(0.025)


def test_a_pipe_in_a_label_stays_in_its_cell():
    folded = combine([(5, _report(_check("test_sp", Margin("|spearman − scipy|", 1e-9, 1e-6, False, "tolerance"))))])
    row = next(line for line in to_markdown(folded).splitlines() if "test_sp" in line)
    assert row.count("|") - row.count("\\|") == 8  # the 8 separators of 7 columns
    assert "\\|spearman − scipy\\|" in row


def test_margins_cli_grades_the_real_tp01_solution(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "autograder", "margins", "tp01_gradients", "--seeds", "1", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "test_entrainer_reaches_test_accuracy" in proc.stdout
    assert "accuracy on the grader's test set" in proc.stdout
    rows = list(csv.DictReader((tmp_path / "margins-tp01_gradients.csv").open(encoding="utf-8")))
    acc = next(r for r in rows if r["check"] == "test_entrainer_reaches_test_accuracy")
    assert acc["kind"] == "threshold" and float(acc["slack"]) > 0.05
    assert all(r["passed_every_seed"] == "True" for r in rows)
