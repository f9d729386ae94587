"""Print how long each corpus entry took against its budget (the issue asks for timings).

The figures travel on each test's report (`user_properties`), so the table is printed by
the process that prints the summary, with or without pytest-xdist workers.
"""

from __future__ import annotations

import pytest

_PROPERTY = "corpus_timing"
_sent: set[str] = set()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when != "teardown":
        return
    from tests.hostile.harness import TIMINGS

    report = outcome.get_result()
    for name, timing in TIMINGS.items():
        if name not in _sent:
            _sent.add(name)
            report.user_properties.append((_PROPERTY, {"name": name, **timing}))


def pytest_terminal_summary(terminalreporter) -> None:
    tr = terminalreporter
    timings: dict[str, dict] = {}
    for reports in tr.stats.values():
        for report in reports:
            for key, value in getattr(report, "user_properties", ()):
                if key == _PROPERTY:
                    timings[value["name"]] = value
    if not timings:
        return
    tr.section("hostile corpus: grading wall time / budget (s)")
    for name, t in sorted(timings.items(), key=lambda kv: -kv[1]["wall_s"]):
        tag = " [slow]" if t.get("slow") else ""
        tr.write_line(f"{t['wall_s']:7.1f} / {t['budget_s']:5.0f}  {name}{tag}")
    fast = sum(t["wall_s"] for t in timings.values() if not t.get("slow"))
    slow = sum(t["wall_s"] for t in timings.values() if t.get("slow"))
    tr.write_line(f"total grading time: {fast:.0f} s (not slow), {slow:.0f} s (slow)")
