"""`autograder prove`'s results for a person (a plain table, Markdown) and for tools (JSON).

Instructor-only: findings may name hidden checks and show their messages.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from autograder.prove.run import TPProof
from autograder.results import GradeReport


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def to_text(proof: TPProof) -> str:
    """A plain table per TP: each grading's score and findings, then the mutation score."""
    if proof.scenarios_file is None:
        return f"== {proof.tp}: no scenarios (nothing to prove)\n"
    lines = [f"== {proof.tp} ({proof.scenarios_file}; variants {', '.join(map(str, proof.variants))}; {proof.seconds:g} s)"]
    rows = [("variant", "group", "kind", "graded", "score", "findings")]
    rows += [(str(g.variant), g.group, g.kind, g.how, f"{g.score:g}/{g.max_score:g}", str(len(g.findings)) if g.findings else "ok")
             for g in proof.gradings]
    lines += _table(rows)
    found = proof.findings
    lines.append(f"findings: {len(found)}" if found else "findings: none (every variant judged as the TP tests judge it)")
    lines += [f"  variant {g.variant} {g.group}: {f}" for g, f in found]
    if proof.not_reached:
        lines.append(f"not reached (time budget spent; targets rotated by {proof.rotate}): {', '.join(proof.not_reached)}")
    m = proof.mutation
    if m is not None:
        lines.append(
            f"mutation score: {m.caught}/{len(m.results)} = {_pct(m.share)} (target >= {_pct(m.target)}: "
            f"{'met' if m.meets_target else 'NOT met'}); {len(m.results)} of {m.candidates} mutants "
            f"(sample seed {m.sample_seed}), {m.gradings} gradings, {m.seconds:g} s"
        )
        rows = [("item", "mutants", "caught", "share")]
        rows += [(i.item, str(i.mutants), str(i.caught), _pct(i.share)) for i in m.items]
        lines += ["  " + x for x in _table(rows)]
        for r in m.survivors:
            lines.append(f"  survivor {r.id} (cell {r.grade_id}, line {r.line}):")
            lines += [f"      {d}" for d in r.diff.splitlines()]
        for mid, why, present in m.equivalent:
            lines.append(f"  equivalent {mid}: {why}" + ("" if present else " (no such mutant any more)"))
        for mid, err in m.not_graded:
            lines.append(f"  not graded (grader error, left out of the score) {mid}: {err}")
    return "\n".join(lines) + "\n"


def to_markdown(proofs: Sequence[TPProof]) -> str:
    out = ["# autograder prove", ""]
    for p in proofs:
        out.append(f"## {p.tp}")
        out.append("")
        if p.scenarios_file is None:
            out += ["No scenarios.", ""]
            continue
        out += [f"Scenarios: `{p.scenarios_file}`; variants {', '.join(map(str, p.variants))}; {p.seconds:g} s.", "",
                "| variant | group | kind | graded | score | findings |", "|---|---|---|---|---|---|"]
        out += [f"| {g.variant} | {g.group} | {g.kind} | {g.how} | {g.score:g}/{g.max_score:g} | {len(g.findings) or 'ok'} |"
                for g in p.gradings]
        out.append("")
        out += [f"- variant {g.variant}, `{g.group}`: {str(f).replace('|', '/')}" for g, f in p.findings] or ["No finding."]
        if p.not_reached:
            out += ["", f"Not reached (time budget spent; targets rotated by {p.rotate}): "
                    + ", ".join(f"`{t}`" for t in p.not_reached) + "."]
        m = p.mutation
        if m is not None:
            out += ["", f"### Mutation score: {m.caught}/{len(m.results)} = {_pct(m.share)} "
                    f"(target ≥ {_pct(m.target)}: {'met' if m.meets_target else '**not met**'})", "",
                    f"{len(m.results)} of {m.candidates} mutants, sample seed {m.sample_seed}, {m.gradings} gradings, {m.seconds:g} s.",
                    "", "| item | mutants | caught | share |", "|---|---|---|---|"]
            out += [f"| {i.item} | {i.mutants} | {i.caught} | {_pct(i.share)} |" for i in m.items]
            if m.survivors:
                out += ["", "Survivors:", ""]
                for r in m.survivors:
                    out += [f"- `{r.id}` (cell `{r.grade_id}`, line {r.line})", "", "  ```diff",
                            *(f"  {d}" for d in r.diff.splitlines()), "  ```"]
            if m.equivalent:
                out += ["", "Declared equivalent (not scored):", ""]
                out += [f"- `{i}`: {why}" + ("" if ok else " (no such mutant any more)") for i, why, ok in m.equivalent]
            if m.not_graded:
                out += ["", "Not graded (grader error, left out of the score):", ""]
                out += [f"- `{i}`: {err}" for i, err in m.not_graded]
        out.append("")
    return "\n".join(out)


def to_json(proofs: Sequence[TPProof]) -> str:
    def one(p: TPProof) -> dict:
        d = asdict(p)
        d["failed"] = p.failed
        if p.mutation is not None:
            d["mutation"].update(caught=p.mutation.caught, share=p.mutation.share, meets_target=p.mutation.meets_target,
                                 survivors=[r.id for r in p.mutation.survivors])
        for g, src in zip(d["gradings"], p.gradings, strict=True):
            g["findings"] = [dict(asdict(f), text=str(f)) for f in src.findings]
        return d

    return json.dumps({"tps": [one(p) for p in proofs]}, ensure_ascii=False, indent=1) + "\n"


#: Keys of a grade report that change from one run to the next without the grade changing.
UNSTABLE_KEYS = frozenset({"durations", "duration_s", "graded_at", "seconds"})


def comparable_report(report: GradeReport) -> str:
    """A scenario grading's full report as stable JSON (durations and dates removed): two runs of
    `prove --reports` before and after a refactor of the checks compare with `diff -r`."""

    def strip(x: Any) -> Any:
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items() if k not in UNSTABLE_KEYS}
        if isinstance(x, list | tuple):
            return [strip(v) for v in x]
        return x

    return json.dumps(strip(report.to_dict()), ensure_ascii=False, indent=1, sort_keys=True, default=str) + "\n"
