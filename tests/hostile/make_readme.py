"""Write tests/hostile/README.md from corpus.py: `python -m tests.hostile.make_readme`.

`test_readme.py` fails when the README and the corpus disagree.
"""

from __future__ import annotations

from pathlib import Path

from tests.hostile.corpus import CATEGORIES, ENTRIES, GAPS, REQUIREMENTS

README = Path(__file__).with_name("README.md")

INTRO = """\
# Hostile and broken submissions

A corpus of {n} submissions that try to forge the verdict, read what must stay hidden,
escape the sandbox, exhaust resources or break the notebook. Each one is a real git commit
of the fixture TP `tp_mini` (`tests/course_builder.py`), graded for real under
`--sandbox strict` with a fake `CI_JOB_TOKEN` in the grader's environment. The expected
outcome of each entry is data in `corpus.py`; `test_corpus.py` holds every grading to all
of these requirements:

{requirements}

Entries marked *slow* run in CI's slow step (`bash scripts/test.sh slow`); the rest run in
the default suite. An entry with a *known bug* must still show that bug (the test fails
when it is fixed, so the corpus gets updated) and is reported as xfail.

Also here: `test_fuzz.py` (hypothesis: malformed notebooks through `read_notebook`, `graft`
and grading without a kernel: a clean report or a clean error, nothing else) and
`test_grader_faults.py` (kill -9 of the grader mid-grading, a full output disk, two class
graders on one output folder).

This file is generated: `python -m tests.hostile.make_readme`.
"""

REQ_TEXT = {
    "terminal": "what `autograder grade` prints of the report (score, problems, report files) holds no control, escape or bidi character",
    "report": "the grader returns and writes grade.json, junit.xml, feedback.md/html (and executed.ipynb when a notebook ran), nothing else, in the out dir",
    "score": "no point the code did not earn: score <= the entry's maximum (0 for most), max_score unchanged",
    "secrets": "no CI token, hidden check source line, instructor/solution notebook, other student's file (planted markers) in any report, FR or EN, nor in the kernel's outputs",
    "expected-values": "no value a hidden check expects (recomputed from the grader's seed) in any report",
    "says": "the FR and the EN grade.json say what was stopped (problem codes, cell and check messages)",
    "codes": "the expected problem codes and cell statuses",
    "evidence": "the executed notebook's outputs show the attempt and how it failed",
    "time": "the grading ends within the notebook budget + the entry's call timeouts + 25 s",
    "processes": "no process of the kernel's sandbox uid is left after grading",
    "files": "course, repos, other reports and host /tmp unchanged; the loopback server received nothing",
    "cleanup": "the grader's temporary folder is empty after grading",
    "report-size": "each report file stays under 1 MB (executed.ipynb under 9 MB: outputs are capped at 256 KiB a cell, 8 MiB a notebook)",
    "grader-memory": "the grader's peak RSS grows by less than 300 MB during the grading (an entry may say otherwise): answers read back from the kernel share one byte budget (`--answer-budget-mb`, 512 MiB), a file named twice is read once, failed checks keep no frame",
    "kernel-memory": "where the grader may make memory cgroups, the kernel's whole process tree (its /dev/shm and tmpfs files included) is in one limited to the TP's memory budget, without swap, and the report's sandbox notes say so; elsewhere the notes say the bound (RLIMIT_AS) holds per process only",
    "inert": "nothing active in what an instructor opens: executed.ipynb holds only text and real PNG/JPEG outputs (no output metadata), nbgrader-only cell metadata with valid grade_ids, valid cell ids, no attachments, and no student Markdown with script outside a verbatim block; feedback.html (FR and EN) has no script, iframe, object, embed or svg element, no on* attribute and no javascript:/data: URL",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    reqs = "\n".join(f"- **{r}**: {REQ_TEXT[r]}" for r in REQUIREMENTS)
    lines = [INTRO.format(n=len(ENTRIES), requirements=reqs), ""]
    lines += [
        "| category | entry | what it tries | what stopped it | notes |",
        "|---|---|---|---|---|",
    ]
    for cat in CATEGORIES:
        for e in (e for e in ENTRIES if e.category == cat):
            notes = []
            if e.slow:
                notes.append("slow")
            if e.needs_gpu:
                notes.append("needs a GPU")
            if e.needs_mount:
                notes.append("needs a grader allowed to mount")
            if e.needs_cgroup:
                notes.append("needs a grader allowed to make memory cgroups")
            if e.score is not None:
                notes.append(f"earns {e.score:g}")
            if e.known_bugs:
                notes.append("known bug: " + ", ".join(sorted(e.known_bugs)))
            lines.append(
                f"| {cat} | `{e.name}` | {_cell(e.tries)} | {_cell(e.stopped_by)} | {'; '.join(notes)} |"
            )
    bugs: dict[str, list[str]] = {}
    for e in ENTRIES:
        for req, text in e.known_bugs.items():
            bugs.setdefault(text, []).append(f"`{e.name}` ({req})")
    if bugs:
        lines += ["", "## Known bugs", ""]
        for text, where in bugs.items():
            lines.append(f"- {text}. Seen in: {', '.join(where)}.")
    lines += ["", "## Known limits (not held as requirements)", ""]
    lines += [f"- {gap}" for gap in GAPS]
    return "\n".join(lines) + "\n"


def main() -> None:
    README.write_text(render(), encoding="utf-8")
    print(f"wrote {README}")


if __name__ == "__main__":
    main()
