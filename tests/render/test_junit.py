"""junit.xml must parse and count failures the way GitLab shows them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.render.junit import to_junit
from autograder.results import GradeReport, Message, Status, Visibility


def _suite(text: str) -> ET.Element:
    root = ET.fromstring(text.encode("utf-8"))
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    assert len(suites) == 1
    return suites[0]


def test_counts_and_cases(report: GradeReport) -> None:
    suite = _suite(to_junit(report))
    assert suite.get("name") == "tp01_gradients"
    # 5 checks + 1 problem; failed + partial + hidden failed; error check + problem.
    assert suite.get("tests") == "6"
    assert suite.get("failures") == "3"
    assert suite.get("errors") == "2"
    assert float(suite.get("time")) == 42.5
    cases = suite.findall("testcase")
    assert len(cases) == 6
    assert len([c for c in cases if c.find("failure") is not None]) == 3
    assert len([c for c in cases if c.find("error") is not None]) == 2
    first = cases[0]
    assert first.get("classname") == "tp01_gradients.grad_f"
    assert first.get("name") == "test_grad_f_matches_autograd [2/2 pts]"
    assert list(first) == []
    partial = cases[1].find("failure")
    assert partial is not None and partial.get("type") == "partial"
    assert "forme presque juste" in partial.get("message")
    problem = cases[-1]
    assert problem.get("classname") == "tp01_gradients.problems"
    assert problem.get("name").startswith("cell-timeout")


def test_english(report: GradeReport) -> None:
    suite = _suite(to_junit(report, "en"))
    failure = suite.findall("testcase")[1].find("failure")
    assert "shape almost right" in failure.get("message")


def test_hostile_text_is_escaped_and_legal(report: GradeReport) -> None:
    hostile = "<script>alert(1)</script> ]]> \x00\x0b\x1b[0m & \"'"
    check = report.checks[2]
    bad = type(check)(
        name="test_x\x00",
        item="it<em>",
        score=0.0,
        max_score=1.0,
        status=Status.FAILED,
        visibility=Visibility.VISIBLE,
        message=Message(fr=hostile),
    )
    text = to_junit(type(report)(**{**report.__dict__, "checks": (bad,)}))
    assert "\x00" not in text and "\x0b" not in text and "\x1b" not in text
    assert "<script>" not in text
    case = _suite(text).find("testcase")
    assert case.get("classname") == "tp01_gradients.it<em>"
    assert case.get("name").startswith("test_x [")
    assert "<script>alert(1)</script>" in case.find("failure").text


def test_empty_report(empty_report: GradeReport) -> None:
    suite = _suite(to_junit(empty_report))
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("1", "0", "1")


# The report fixture is immutable, so sharing it between examples is safe.
@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(), name=st.text())
def test_any_text_gives_parseable_xml(report: GradeReport, text: str, name: str) -> None:
    check = type(report.checks[0])(
        name=name,
        item=text,
        score=0.0,
        max_score=1.0,
        status=Status.ERROR,
        visibility=Visibility.HIDDEN,
        message=Message(fr=text, en=text),
    )
    bad = type(report)(**{**report.__dict__, "checks": (check,), "tp": text})
    suite = _suite(to_junit(bad))
    assert suite.get("errors") == "2"
