"""junit.xml must parse and count failures the way GitLab shows them, validate against the
Jenkins/Surefire schema, and name each test the same way on every commit."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

import junitparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.render.junit import to_junit
from autograder.results import GradeReport, Message, Status, Visibility

from .junit_check import SCHEMA, junit_keys


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
    assert first.get("name") == "test_grad_f_matches_autograd"
    assert list(first) == []
    partial = cases[1].find("failure")
    assert partial is not None and partial.get("type") == "partial"
    assert "forme presque juste" in partial.get("message")
    assert "(0,5 / 1 pts)" in partial.get("message")  # the points, in the reader's language
    problem = cases[-1]
    assert problem.get("classname") == "tp01_gradients.problems"
    assert problem.get("name") == "cell-timeout"  # `where` names the commit: not in the key
    assert "commit abc1234" in problem.find("error").text


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
    assert case.get("name") == "test_x"
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
    xml = to_junit(bad)
    suite = _suite(xml)
    assert suite.get("errors") == "2"
    SCHEMA.validate(xml)


def test_valid_against_the_jenkins_surefire_schema(report: GradeReport, empty_report) -> None:
    for r in (report, empty_report):
        for lang in ("fr", "en"):
            SCHEMA.validate(to_junit(r, lang))
    root = ET.fromstring(to_junit(report))
    assert root.tag == "testsuites" and "skipped" not in root.attrib


def test_the_schema_rejects_what_jenkins_rejects() -> None:
    """The schema file is strict where the issue found the old junit.xml wrong."""
    assert not SCHEMA.is_valid('<testsuites skipped="0"/>')
    assert not SCHEMA.is_valid(
        '<testsuites><testsuite name="a" tests="1" failures="0" errors="0">'
        '<testcase name="t"><properties/></testcase></testsuite></testsuites>'
    )


def test_points_are_suite_properties_readable_by_junitparser(report: GradeReport) -> None:
    xml = junitparser.JUnitXml.fromstring(to_junit(report, "fr"))
    suite = next(iter(xml))
    props = {p.name: p.value for p in suite.properties()}
    assert props["score"] == "2.5" and props["max_score"] == "12.5"
    assert props["points:tp01_gradients.grad_f::test_grad_f_shape"] == "0.5/1"
    assert props["points:tp01_gradients.train::test_hidden_accuracy"] == "0/2.5"
    keys = junit_keys(to_junit(report))
    assert keys[("tp01_gradients.grad_f", "test_grad_f_shape")] == "failure"


def _regraded(report: GradeReport, outcomes: dict[str, tuple[float, Status]]) -> GradeReport:
    checks = tuple(
        replace(c, score=outcomes[c.name][0], status=outcomes[c.name][1], message=None)
        if c.name in outcomes
        else c
        for c in report.checks
    )
    return replace(report, checks=checks, score=sum(c.score for c in checks), problems=())


def test_same_keys_whatever_the_scores(report: GradeReport) -> None:
    """Two commits of one student: the keys match, so GitLab pairs every check and shows
    which got fixed and which newly fail (tests/test_cli.py does it on real gradings)."""
    before = junit_keys(to_junit(report))
    after_report = _regraded(
        report,
        {
            "test_backward": (3.0, Status.PASSED),
            "test_grad_f_shape": (1.0, Status.PASSED),
            "test_grad_f_matches_autograd": (0.0, Status.FAILED),
        },
    )
    after = junit_keys(to_junit(after_report, "en"))
    checks = {k: v for k, v in before.items() if not k[0].endswith(".problems")}
    assert set(checks) == set(after)
    fixed = {k[1] for k in after if checks[k] != "passed" and after[k] == "passed"}
    broken = {k[1] for k in after if checks[k] == "passed" and after[k] != "passed"}
    assert fixed == {"test_backward", "test_grad_f_shape"}
    assert broken == {"test_grad_f_matches_autograd"}


@pytest.mark.parametrize("item", ["grad_f", "other_item"])
def test_two_checks_of_one_name_keep_two_keys(report: GradeReport, item: str) -> None:
    twin = replace(report.checks[0], item=item)
    keys = junit_keys(to_junit(replace(report, checks=(report.checks[0], twin))))
    assert len([k for k in keys if k[1].startswith("test_grad_f_matches_autograd")]) == 2
