"""Reading junit.xml as its consumers do: the Jenkins/Surefire schema, and the keys GitLab
pairs test cases by between two pipelines, read with a real JUnit library (junitparser)."""

from __future__ import annotations

from pathlib import Path

import junitparser
import xmlschema

SCHEMA = xmlschema.XMLSchema(Path(__file__).with_name("junit_schema.xsd"))


def junit_keys(text: str) -> dict[tuple[str, str], str]:
    """(classname, name) -> outcome, read by a real JUnit library, as GitLab keys tests."""
    xml = junitparser.JUnitXml.fromstring(text)
    suites = list(xml) if isinstance(xml, junitparser.JUnitXml) else [xml]
    out: dict[tuple[str, str], str] = {}
    for suite in suites:
        for case in suite:
            key = (case.classname, case.name)
            assert key not in out, f"two test cases share the key {key}"
            out[key] = "passed" if case.is_passed else type(case.result[0]).__name__.lower()
    return out
