"""The class summary an instructor looks at: score histogram, hardest checks, grading times.

Every field is escaped, and a Content Security Policy forbids scripts (the page holds
names and problem codes that come from the class, opened from disk or a web server).
"""

from __future__ import annotations

import html
from collections import defaultdict
from pathlib import Path

from autograder.classroom.class_result import GRADED, StudentResult
from autograder.classroom.gradebook import class_out_of, moodle_comment, out_of
from autograder.render.formats import fmt_num, fmt_percent, fmt_points


def _plots(out: Path, results: list[StudentResult]) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files: dict[str, str] = {}
    graded = [r for r in results if r.status == GRADED]
    scores = [r.final_score for r in results]
    max_score = class_out_of(graded) or 1  # final scores count the points graded by hand

    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.hist(scores, bins=min(20, max(5, len(scores))), range=(0, max_score), color="#3b6ea5", edgecolor="white")
    ax.set_xlabel(f"note finale / final score (/ {max_score:g})")
    ax.set_ylabel("élèves / students")
    ax.set_title("Distribution des notes / score histogram")
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout()
    fig.savefig(out / "scores.png", dpi=110)
    plt.close(fig)
    files["scores"] = "scores.png"

    rates = pass_rates(graded)
    if rates:
        names = [n.removeprefix("test_") for n, _ in rates][:25]
        vals = [v for _, v in rates][:25]
        fig, ax = plt.subplots(figsize=(8, 0.3 * len(names) + 1.4))
        ax.barh(names[::-1], vals[::-1], color="#c0504d")
        ax.set_xlim(0, 1)
        ax.set_xlabel("taux de réussite / pass rate")
        ax.set_title("Les plus difficiles d'abord / hardest first", fontsize=10)
        fig.tight_layout()
        fig.savefig(out / "pass_rates.png", dpi=110)
        plt.close(fig)
        files["pass_rates"] = "pass_rates.png"

    times = [(r.student_id, r.grading_time_s or 0.0) for r in results]
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.bar(range(len(times)), [t for _, t in times], color="#4f8a3c")
    ax.set_xlabel("élève (ordre du roster) / student")
    ax.set_ylabel("s")
    ax.set_title("Temps de correction par élève / grading time per student")
    fig.tight_layout()
    fig.savefig(out / "grading_times.png", dpi=110)
    plt.close(fig)
    files["times"] = "grading_times.png"
    return files


def pass_rates(graded: list[StudentResult]) -> list[tuple[str, float]]:
    """(check, fraction of graded students who passed it), hardest first."""
    passed: dict[str, int] = defaultdict(int)
    seen: dict[str, int] = defaultdict(int)
    for r in graded:
        for c in r.checks:
            seen[c.name] += 1
            passed[c.name] += c.status == "passed"
    return sorted(((n, passed[n] / seen[n]) for n in seen), key=lambda x: (x[1], x[0]))


def _score(r: StudentResult, lang: str) -> str:
    # Items graded by hand count in final_score once scored: out of both totals (a TP made of
    # them only has an automatic total of 0).
    top = out_of(r)
    if top:
        return fmt_points(r.final_score or 0, top, lang)
    return fmt_num(r.final_score or 0, lang)


def _status(r: StudentResult, lang: str) -> str:
    """The status, and for a student without a grade the reason moodle.csv gives them."""
    return r.status if r.status == GRADED else f"{r.status} : {moodle_comment(r, lang)}"


def write_summary(out: Path, results: list[StudentResult], *, title: str, lang: str = "fr") -> Path:
    """summary.html; its numbers are written as readers of `lang` write them (16,5 in French)."""
    files = _plots(out, results)
    graded = [r for r in results if r.status == GRADED]
    counts: defaultdict[str, int] = defaultdict(int)
    for r in results:
        counts[r.status] += 1
    rows = "\n".join(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
            html.escape(str(r.student_id)),
            html.escape(str(r.name) if r.name is not None else ""),
            html.escape(_status(r, lang)),
            html.escape(_score(r, lang)),
            html.escape(fmt_percent(r.penalty or 0, lang)),
            html.escape(" ".join(r.problems)[:200]),
            html.escape(r.review_text),
        )
        for r in results
    )
    rates = "\n".join(
        f"<tr><td>{html.escape(n)}</td><td>{html.escape(fmt_percent(round(v, 2), lang))}</td></tr>"
        for n, v in pass_rates(graded)
    )
    imgs = "\n".join(f'<img src="{html.escape(f)}" alt="{html.escape(k)}">' for k, f in files.items())
    mean = sum(r.final_score for r in graded) / len(graded) if graded else 0.0
    page = f"""<!doctype html>
<html lang="{html.escape(lang)}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src 'self' file:">
<title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.25em .6em;text-align:left}} img{{max-width:100%;margin:.5em 0}}</style></head>
<body><h1>{html.escape(title)}</h1>
<p>{len(results)} élèves / students — {counts['graded']} notés / graded, {counts['no-submission']} sans rendu / no submission,
{counts['grader-error']} erreurs du correcteur / grader errors. Moyenne des notés / mean of graded: {html.escape(fmt_num(mean, lang))}</p>
{imgs}
<h2>Réussite par vérification / pass rate per check (la plus difficile d'abord / hardest first)</h2>
<table><tr><th>check</th><th>pass rate</th></tr>{rates}</table>
<h2>Élèves / students</h2>
<table><tr><th>id</th><th>nom / name</th><th>statut / status</th><th>note / score</th><th>pénalité / penalty</th><th>problèmes / problems</th><th>relecture Formgrader / review</th></tr>
{rows}</table></body></html>
"""
    path = out / "summary.html"
    path.write_text(page, encoding="utf-8")
    return path
