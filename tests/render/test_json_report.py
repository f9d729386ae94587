"""grade.json must stay loadable by Gradescope-style tools and keep our extra fields."""

from __future__ import annotations

import json

from autograder.render.json_report import to_json
from autograder.results import GradeReport


def test_gradescope_fields_and_sums(report: GradeReport) -> None:
    data = json.loads(to_json(report))
    for key in ("score", "max_score", "output", "visibility", "execution_time", "tests"):
        assert key in data
    assert data["visibility"] == "visible"
    assert data["execution_time"] == 42.5
    assert data["score"] == sum(t["score"] for t in data["tests"]) == 2.5
    assert data["max_score"] == sum(t["max_score"] for t in data["tests"]) == 12.5
    assert "2,5 / 12,5" in data["output"]  # French numbers in the text a student reads
    for test in data["tests"]:
        assert test["status"] in ("passed", "failed")
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}


def test_statuses_visibility_and_extras(report: GradeReport) -> None:
    tests = {t["name"]: t for t in json.loads(to_json(report))["tests"]}
    assert tests["test_grad_f_matches_autograd"]["status"] == "passed"
    assert "partial" not in tests["test_grad_f_matches_autograd"]
    partial = tests["test_grad_f_shape"]
    assert partial["status"] == "failed" and partial["partial"] is True
    assert partial["autograder_status"] == "partial"
    assert partial["item"] == "grad_f"
    assert tests["test_train_loss"]["status"] == "failed"
    assert tests["test_train_loss"]["autograder_status"] == "error"
    assert tests["test_hidden_accuracy"]["visibility"] == "after_published"
    assert tests["test_backward"]["visibility"] == "visible"


def test_lang_and_extra_sections(report: GradeReport) -> None:
    fr = json.loads(to_json(report))
    en = json.loads(to_json(report, "en"))
    assert fr["lang"] == "fr" and en["lang"] == "en"
    assert fr["title"] == "TP 1 — Gradients" and en["title"] == "Lab 1 — Gradients"
    assert fr["tests"][1]["output"] == "forme presque juste"
    assert en["tests"][1]["output"] == "shape almost right"
    assert en["problems"] == [
        {"code": "cell-timeout", "message": "a cell timed out", "where": fr["problems"][0]["where"]}
    ]
    assert fr["commit"]["sha"].startswith("abc1234")
    assert fr["commit"]["notebook_path"] == "tp01_gradients/tp01_gradients.ipynb"
    assert fr["sandbox"]["level"] == "bwrap"
    assert list(fr["sandbox"]["limits"]) == ["as", "nproc"]
    cell = fr["cells"][1]
    assert list(cell) == [
        "index", "cell_id", "grade_id", "origin", "status", "duration_s", "error",
    ]  # fmt: skip
    assert cell["status"] == "timeout" and cell["error"] == "temps dépassé (30 s)"
    assert fr["cells"][0]["error"] is None
    assert fr["graded_at"] and fr["grader_version"] == "0.1.0" and fr["device"] == "cpu"


def test_deterministic_utf8_and_control_chars_removed(report: GradeReport) -> None:
    text = to_json(report)
    assert text == to_json(report)
    assert list(json.loads(text))[:6] == [
        "score", "max_score", "output", "visibility", "execution_time", "tests",
    ]  # fmt: skip
    assert "é" in text  # not \u-escaped
    assert "\\u0000" not in text and "\\u001b" not in text
    message = json.loads(text)["commit"]["message"]
    assert "<script>alert(1)</script>" in message  # kept as data, JSON needs no escaping
    assert "\x00" not in message and "\x1b" not in message


def test_empty_report(empty_report: GradeReport) -> None:
    data = json.loads(to_json(empty_report, "en"))
    assert data["tests"] == [] and data["score"] == 0 and data["max_score"] == 0
    assert data["commit"]["sha"] is None and data["sandbox"] is None
    assert "Problems: 1" in data["output"]
