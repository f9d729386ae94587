"""Print how long each corpus entry took against its budget (the issue asks for timings)."""

from __future__ import annotations


def pytest_terminal_summary(terminalreporter) -> None:
    from tests.hostile.harness import TIMINGS

    if not TIMINGS:
        return
    tr = terminalreporter
    tr.section("hostile corpus: grading wall time / budget (s)")
    for name, t in sorted(TIMINGS.items(), key=lambda kv: -kv[1]["wall_s"]):
        tag = " [slow]" if t.get("slow") else ""
        tr.write_line(f"{t['wall_s']:7.1f} / {t['budget_s']:5.0f}  {name}{tag}")
    fast = sum(t["wall_s"] for t in TIMINGS.values() if not t.get("slow"))
    slow = sum(t["wall_s"] for t in TIMINGS.values() if t.get("slow"))
    tr.write_line(f"total grading time: {fast:.0f} s (not slow), {slow:.0f} s (slow)")
