"""junit.xml for GitLab's `artifacts:reports:junit`, so results show in merge requests.

Built with ElementTree so every attribute and text is escaped; control characters that XML
1.0 forbids are stripped first, since GitLab rejects the whole file on one of them.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from autograder.render.strings import clean, fmt_num, norm_lang, shorten, tr
from autograder.results import CheckResult, GradeReport, Problem, Status

_MESSAGE_ATTR_LIMIT = 500


def _time(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return "0.000"
    return f"{seconds:.3f}"


def _check_case(suite: ET.Element, tp: str, check: CheckResult, lang: str) -> None:
    status = Status(check.status)
    points = f"{fmt_num(check.score)}/{fmt_num(check.max_score)} {tr('pts', lang)}"
    case = ET.SubElement(
        suite,
        "testcase",
        classname=f"{tp}.{clean(check.item)}",
        name=f"{clean(check.name)} [{points}]",
        time=_time(check.duration_s),
    )
    if status is Status.PASSED:
        return
    text = clean(check.message.text(lang)) if check.message else tr("no_message", lang)
    message = shorten(f"{tr(status.value, lang)} ({points}): {text}", _MESSAGE_ATTR_LIMIT)
    tag = "error" if status is Status.ERROR else "failure"
    elem = ET.SubElement(case, tag, message=message, type=status.value)
    elem.text = text


def _problem_case(suite: ET.Element, tp: str, problem: Problem, lang: str) -> None:
    code = clean(problem.code)
    where = clean(problem.where)
    case = ET.SubElement(
        suite,
        "testcase",
        classname=f"{tp}.problems",
        name=f"{code} ({where})" if where else code,
        time=_time(0.0),
    )
    text = clean(problem.message.text(lang))
    elem = ET.SubElement(
        case, "error", message=shorten(text, _MESSAGE_ATTR_LIMIT), type=code or "problem"
    )
    elem.text = f"{text}\n{where}" if where else text


def to_junit(report: GradeReport, lang: str = "fr") -> str:
    """One <testsuite> for the TP, one <testcase> per check and per notebook problem."""
    lang = norm_lang(lang)
    tp = clean(report.tp) or "tp"
    statuses = [Status(c.status) for c in report.checks]
    failures = sum(s in (Status.FAILED, Status.PARTIAL) for s in statuses)
    errors = sum(s is Status.ERROR for s in statuses) + len(report.problems)
    tests = len(report.checks) + len(report.problems)
    total = report.durations.get("total")
    if total is None:
        total = sum(c.duration_s for c in report.checks)
    attrs = {
        "name": tp,
        "tests": str(tests),
        "failures": str(failures),
        "errors": str(errors),
        "skipped": "0",
        "time": _time(total),
    }
    root = ET.Element("testsuites", attrs)
    suite = ET.SubElement(root, "testsuite", attrs)
    if report.graded_at:
        suite.set("timestamp", clean(report.graded_at))
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("score", fmt_num(report.score)),
        ("max_score", fmt_num(report.max_score)),
        ("commit", clean(report.commit.sha)),
        ("ref", clean(report.commit.ref)),
        ("device", clean(report.device)),
        ("sandbox", clean(report.sandbox.level) if report.sandbox else ""),
        ("grader_version", clean(report.grader_version)),
    ):
        ET.SubElement(props, "property", name=name, value=value)
    for check in report.checks:
        _check_case(suite, tp, check, lang)
    for problem in report.problems:
        _problem_case(suite, tp, problem, lang)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
