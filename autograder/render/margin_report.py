"""The instructor's margin report as a Markdown table and as CSV (one row per check)."""

from __future__ import annotations

import csv
import io

from autograder.prove.margins import CheckMargin, MarginReport
from autograder.render.markdown import md_text


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _describe(row: CheckMargin) -> tuple[str, str, str, str]:
    """(what, value vs bar, slack, verdict) for one row."""
    if row.tightest is None:
        return ("—", "exact comparisons only", "—", "FAILED" if not row.passed_every_seed else "ok")
    m = row.tightest
    cmp = "≥" if m.higher_is_better else "≤"
    if m.kind == "tolerance":
        slack = f"{100 * (1 - m.slack):.2g} % of the tolerance used"
    else:
        slack = f"{100 * m.slack:+.1f} %"
    verdict = "FAILED" if not row.passed_every_seed else ("TIGHT" if row.flagged else "ok")
    return (m.what, f"{_fmt(m.value)} vs {cmp} {_fmt(m.threshold)}", slack, verdict)


def to_markdown(report: MarginReport) -> str:
    scores = ", ".join(f"{s:g}" for s in report.scores)
    lines = [
        f"# Margins of {report.tp}",
        "",
        f"Solution graded with seeds {', '.join(map(str, report.seeds))}: "
        f"scores {scores} / {report.max_score:g}. Each row is the tightest comparison of the "
        "check over every seed: for a threshold, how far above (or below) the bar the solution "
        "sits, relative to the bar; for a tolerance, how much of it the solution's error uses.",
        "",
        "| check | item | compared | solution vs bar | margin | seed | verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in report.checks:
        what, vs, slack, verdict = _describe(row)
        seed = "" if row.seed_of_tightest is None else str(row.seed_of_tightest)
        # Labels are the TP author's free text: a `|` in one would split the table's cell.
        lines.append(f"| `{row.check}` | {md_text(row.item)} | {md_text(what)} | {vs} | {slack} | {seed} | {verdict} |")
    flagged = [r.check for r in report.checks if r.flagged]
    lines += ["", f"Flagged: {', '.join(flagged)}" if flagged else "No check is flagged."]
    return "\n".join(lines) + "\n"


def to_csv(report: MarginReport) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["tp", "check", "item", "visibility", "kind", "what", "value", "threshold",
                "higher_is_better", "slack", "seed", "passed_every_seed", "flagged"])
    for row in report.checks:
        m = row.tightest
        w.writerow([
            report.tp, row.check, row.item, row.visibility.value,
            m.kind if m else "", m.what if m else "", m.value if m else "", m.threshold if m else "",
            m.higher_is_better if m else "", f"{m.slack:.6g}" if m else "",
            row.seed_of_tightest if row.seed_of_tightest is not None else "",
            row.passed_every_seed, row.flagged,
        ])
    return buf.getvalue()
