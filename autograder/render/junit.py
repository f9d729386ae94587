"""junit.xml for GitLab's `artifacts:reports:junit`, so results show in merge requests.

Built with ElementTree so every attribute and text is escaped; control characters that XML
1.0 forbids are stripped first, since GitLab rejects the whole file on one of them.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from autograder.render.formats import fmt_points
from autograder.render.strings import capped, clean, clip, fmt_num, norm_lang, shorten, tr
from autograder.results import CheckResult, GradeReport, ManualItem, Problem, Status

_MESSAGE_ATTR_LIMIT = 500
#: Caps that keep junit.xml under 1 MB whatever the notebook holds (see json_report).
_ID_LIMIT = 120
_MESSAGE_LIMIT = 2000
MAX_PROBLEMS = 50


def _id(text: object) -> str:
    return clip(text, _ID_LIMIT)


def _time(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return "0.000"
    return f"{seconds:.3f}"


def _unique(taken: set[tuple[str, str]], classname: str, name: str) -> str:
    """`name`, or `name #2`, `name #3`...: GitLab keys a test by (classname, name), so two
    cases with one key would hide each other."""
    candidate, n = name, 1
    while (classname, candidate) in taken:
        n += 1
        candidate = f"{name} #{n}"
    taken.add((classname, candidate))
    return candidate


def _check_case(
    suite: ET.Element, tp: str, check: CheckResult, lang: str, taken: set[tuple[str, str]]
) -> tuple[str, str]:
    """One <testcase> named by the check alone, so its key is the same on every commit and
    GitLab's comparison of two pipelines shows what got fixed or newly failed. The score is
    in the suite's properties and in the failure's message, never in the name."""
    status = Status(check.status)
    classname = f"{tp}.{_id(check.item)}"
    name = _unique(taken, classname, _id(check.name) or "check")
    case = ET.SubElement(
        suite, "testcase", classname=classname, name=name, time=_time(check.duration_s)
    )
    if status is not Status.PASSED:
        points = f"{fmt_points(check.score, check.max_score, lang)} {tr('pts', lang)}"
        text = (
            clip(check.message.text(lang), _MESSAGE_LIMIT)
            if check.message
            else tr("no_message", lang)
        )
        message = shorten(f"{tr(status.value, lang)} ({points}): {text}", _MESSAGE_ATTR_LIMIT)
        tag = "error" if status is Status.ERROR else "failure"
        elem = ET.SubElement(case, tag, message=message, type=status.value)
        elem.text = text
    return classname, name


def _problem_case(
    suite: ET.Element, tp: str, problem: Problem, lang: str, taken: set[tuple[str, str]]
) -> None:
    code = _id(problem.code) or "problem"
    where = _id(problem.where)
    classname = f"{tp}.problems"
    # The code alone: `where` names the commit, which would change the key on every commit.
    case = ET.SubElement(
        suite, "testcase", classname=classname, name=_unique(taken, classname, code), time=_time(0.0)
    )
    text = clip(problem.message.text(lang), _MESSAGE_LIMIT)
    elem = ET.SubElement(
        case, "error", message=shorten(text, _MESSAGE_ATTR_LIMIT), type=code
    )
    elem.text = f"{text}\n{where}" if where else text


def _manual_case(suite: ET.Element, tp: str, item: ManualItem, lang: str, taken: set[tuple[str, str]]) -> None:
    """An item graded by hand: a skipped <testcase> (pending, neither passed nor failed),
    keyed by its grade_id so the key is the same on every commit."""
    classname = f"{tp}.{_id(item.grade_id)}"
    case = ET.SubElement(
        suite, "testcase", classname=classname, name=_unique(taken, classname, "graded_by_hand"), time=_time(0.0)
    )
    text = f"{tr('manual', lang)} ({fmt_num(item.points, lang)} {tr('pts', lang)}): {clean(item.title.text(lang))}"
    ET.SubElement(case, "skipped", message=shorten(text, _MESSAGE_ATTR_LIMIT))


def to_junit(report: GradeReport, lang: str = "fr") -> str:
    """One <testsuite> for the TP, one <testcase> per check and per notebook problem.

    Valid against the Jenkins/Surefire JUnit schema (tests/render/junit_schema.xsd): no
    `skipped` on <testsuites>, no <properties> inside a <testcase>. Each check's points are
    a suite property `points:<classname>::<name>` = "score/max" (numbers with a dot).
    """
    lang = norm_lang(lang)
    tp = _id(report.tp) or "tp"
    problems, problems_left = capped(report.problems, MAX_PROBLEMS)
    statuses = [Status(c.status) for c in report.checks]
    failures = sum(s in (Status.FAILED, Status.PARTIAL) for s in statuses)
    errors = sum(s is Status.ERROR for s in statuses) + len(problems)
    tests = len(report.checks) + len(problems) + len(report.manual)
    total = report.durations.get("total")
    if total is None:
        total = sum(c.duration_s for c in report.checks)
    counts = {
        "name": tp,
        "tests": str(tests),
        "failures": str(failures),
        "errors": str(errors),
        "time": _time(total),
    }
    root = ET.Element("testsuites", counts)
    suite = ET.SubElement(root, "testsuite", {**counts, "skipped": str(len(report.manual))})
    if report.graded_at:
        suite.set("timestamp", clean(report.graded_at))
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("score", fmt_num(report.score)),
        ("max_score", fmt_num(report.max_score)),
        ("commit", _id(report.commit.sha)),
        ("ref", _id(report.commit.ref)),
        ("device", clean(report.device)),
        ("sandbox", clean(report.sandbox.level) if report.sandbox else ""),
        ("grader_version", clean(report.grader_version)),
    ):
        ET.SubElement(props, "property", name=name, value=value)
    if problems_left:
        ET.SubElement(props, "property", name="problems_omitted", value=str(problems_left))
    if report.manual:  # points graded by hand, outside score/max_score
        ET.SubElement(props, "property", name="manual_pending", value=fmt_num(report.manual_pending))
    taken: set[tuple[str, str]] = set()
    for check in report.checks:
        classname, name = _check_case(suite, tp, check, lang, taken)
        ET.SubElement(
            props,
            "property",
            name=f"points:{classname}::{name}",
            value=f"{fmt_num(check.score)}/{fmt_num(check.max_score)}",
        )
    for problem in problems:
        _problem_case(suite, tp, problem, lang, taken)
    for item in report.manual:
        _manual_case(suite, tp, item, lang, taken)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
