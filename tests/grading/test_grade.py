"""grade: real commits of a real repo, graded end to end in the sandboxed kernel.

Each scenario is a branch of one student repo; each is graded once (module cache) and
several tests read the same report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from autograder.grading.grade import Graded
from autograder.results import Status
from tests.course_builder import (
    MAX_SCORE,
    MINI,
    POINTS,
    SOLUTION,
    STUBS,
    StudentRepo,
    build_course,
    by_name,
    describe,
    grade,
    item_scores,
    notebook_path,
    problem_codes,
    student_notebook,
)

NB = notebook_path()

SCENARIOS: dict[str, dict[str, Any]] = {
    "submission-solution": {"answers": SOLUTION},
    "submission-untouched-release": {"answers": {}},
    "submission-syntax-error-in-one-cell": {
        "answers": {**SOLUTION, "square": "def square(x)\n    return x ** 2\n"}
    },
    "submission-infinite-loop-in-cell": {
        "answers": {**SOLUTION, "square": "while True:\n    pass\n"}
    },
    "submission-infinite-loop-in-called-function": {
        "answers": {**SOLUTION, "square": "def square(x):\n    while True:\n        pass\n"}
    },
    "submission-os-exit-in-cell": {"answers": {**SOLUTION, "square": "import os\nos._exit(1)\n"}},
    "submission-memory-bomb": {
        "answers": {
            **SOLUTION,
            "square": "blocks = [bytearray(1024**3) for _ in range(20)]  # 20 Go\n",
        },
        "options": {"memory_mb": 2048},  # room for the preloaded torch; the bomb asks 20 GB
    },
    "submission-edits-given-cell": {
        "answers": SOLUTION,
        "edit_given": {"given_mid": "raise RuntimeError('cellule fournie cassée')\n"},
    },
    "submission-uses-up-the-notebook-budget": {
        "answers": SOLUTION,
        "scratch": {"add": ["import time\ntime.sleep(30)\n"]},
        "options": {"total_timeout": 2.0},
    },
}


class Course:
    def __init__(self, base: Path):
        self.course = build_course(base / "course")
        self.repo = StudentRepo(base / "student")
        self.out = base / "out"
        first = self.repo.commit({"README.md": b"# mon depot\n"}, "init")
        for name, spec in SCENARIOS.items():
            nb = student_notebook(spec["answers"], scratch_after=spec.get("scratch"))
            for gid, src in spec.get("edit_given", {}).items():
                cell = next(c for c in nb["cells"] if c["metadata"]["nbgrader"]["grade_id"] == gid)
                cell["source"] = src
            self.repo.commit({NB: nb}, name, branch=name, start=first)
        self.repo.commit(
            {NB: b'{"cells": [\n'}, "broken", branch="submission-invalid-json", start=first
        )
        self.repo.commit(
            {f"{MINI}/copie.ipynb": student_notebook(SOLUTION)},
            "renamed",
            branch="submission-notebook-renamed",
            start=first,
        )
        self.cache: dict[str, Graded] = {}

    def graded(self, ref: str) -> Graded:
        if ref not in self.cache:
            spec = SCENARIOS.get(ref, {})
            self.cache[ref] = grade(
                self.course, self.repo.path, ref, out_dir=self.out / ref, **spec.get("options", {})
            )
        return self.cache[ref]


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> Course:
    return Course(tmp_path_factory.mktemp("grade"))


def report(env: Course, ref: str):
    return env.graded(ref).report


# ---------------------------------------------------------------- the two references


def test_solution_gets_full_marks(env):
    r = report(env, "submission-solution")
    assert (r.score, r.max_score) == (MAX_SCORE, MAX_SCORE), describe(r)
    assert r.problems == ()
    assert all(c.status == Status.PASSED for c in r.checks)
    assert item_scores(r) == POINTS
    assert [c.status for c in r.cells] == ["ok"] * 6
    assert r.tp == MINI and r.title.fr == f"TP {MINI}"


def test_report_records_commit_sandbox_and_timings(env):
    r = report(env, "submission-solution")
    sha = env.repo.git("rev-parse", "submission-solution")
    assert r.commit.sha == sha and r.commit.ref == "submission-solution"
    assert r.commit.author == "Alice Étudiante <alice@example.org>"
    assert r.commit.committer_date == "2026-01-15T10:00:00+01:00"
    assert r.commit.notebook_path == NB
    assert r.sandbox is not None and r.sandbox.level in ("namespaces", "bwrap", "unshare", "rlimits")
    assert set(r.durations) >= {"read", "kernel_start", "execute", "checks", "total", "cpu_wait_given_back"}
    assert 0.0 <= r.durations["cpu_wait_given_back"] <= r.durations["total"]
    assert r.device == "cpu" and r.graded_at and r.grader_version


def test_reports_are_written(env):
    env.graded("submission-solution")
    out = env.out / "submission-solution"
    names = sorted(p.name for p in out.iterdir())
    assert names == ["executed.ipynb", "feedback.html", "feedback.md", "grade.json", "junit.xml"]
    data = json.loads((out / "grade.json").read_text("utf-8"))
    assert data["score"] == MAX_SCORE and data["max_score"] == MAX_SCORE
    assert len(data["tests"]) == 6
    executed = json.loads((out / "executed.ipynb").read_text("utf-8"))
    sources = [c["source"] for c in executed["cells"]]
    assert SOLUTION["square"] in sources
    assert all(
        c["execution_count"] is not None for c in executed["cells"] if c["cell_type"] == "code"
    )


def test_untouched_release_scores_zero_without_crashing(env):
    r = report(env, "submission-untouched-release")
    assert (r.score, r.max_score) == (0.0, MAX_SCORE), describe(r)
    assert r.problems == ()
    assert [c.status for c in r.cells] == ["ok"] * 6
    for c in r.checks:
        assert c.status == Status.ERROR and "pas encore implémentée" in c.message.fr


# ---------------------------------------------------------------- broken answers


def test_syntax_error_only_zeroes_its_item(env):
    r = report(env, "submission-syntax-error-in-one-cell")
    assert item_scores(r) == {**POINTS, "square": 0.0}, describe(r)
    cell = next(c for c in r.cells if c.grade_id == "square")
    assert cell.status == "error" and "SyntaxError" in cell.error.fr
    assert cell.error.fr.startswith("cellule 6 (square)")
    # An error does not stop the notebook: the cells after it ran.
    assert [c.status for c in r.cells if c.index > cell.index] == ["ok", "ok"]


def test_infinite_loop_in_a_cell_is_a_named_timeout(env):
    r = report(env, "submission-infinite-loop-in-cell")
    assert problem_codes(r) == ["cell-timeout"], describe(r)
    p = r.problems[0]
    assert "cellule 6 (square) a dépassé 4 s" in p.message.fr
    assert "cell 6 (square) exceeded 4 s" in p.message.en
    assert p.where.endswith("cellule 6 (square)")
    cell = next(c for c in r.cells if c.grade_id == "square")
    # 4 s of the kernel's own time: on a loaded machine, more on the wall clock (autograder.sandbox.stall)
    assert cell.status == "timeout" and cell.duration_s < 4 + r.durations["cpu_wait_given_back"] + 6
    assert item_scores(r) == {**POINTS, "square": 0.0}
    assert [c.status for c in r.cells if c.index > cell.index] == ["ok", "ok"]


def test_infinite_loop_in_a_called_function_errors_that_check_only(env):
    r = report(env, "submission-infinite-loop-in-called-function")
    checks = by_name(r)
    sq = checks["test_square_random"]
    assert sq.status == Status.ERROR, describe(r)
    assert "`square` n'a pas répondu en 3 s" in sq.message.fr
    # The checks after the timeout still ran against the same kernel.
    names = [c.name for c in r.checks]
    after = names[names.index("test_square_random") + 1 :]
    assert after and all(checks[n].status == Status.PASSED for n in after)
    assert item_scores(r) == {**POINTS, "square": 0.0}
    assert r.problems == ()


def test_os_exit_in_a_cell_is_kernel_death_and_still_a_report(env):
    r = report(env, "submission-os-exit-in-cell")
    assert problem_codes(r) == ["kernel-died"], describe(r)
    p = r.problems[0]
    assert "pendant la cellule 6 (square)" in p.message.fr
    statuses = {c.grade_id: c.status for c in r.cells}
    assert statuses["square"] == "kernel-died"
    assert statuses["scale"] == "kernel-died" and statuses["given_end"] == "kernel-died"
    assert (r.score, r.max_score) == (0.0, MAX_SCORE)
    for c in r.checks:
        assert c.status == Status.ERROR
        assert "noyau Python s'est arrêté à la cellule 6" in c.message.fr
    assert (env.out / "submission-os-exit-in-cell" / "grade.json").is_file()


def test_memory_bomb_is_reported_and_the_grader_survives(env):
    r = report(env, "submission-memory-bomb")
    assert r.sandbox.limits["memory_mb"] == 2048
    cell = next(c for c in r.cells if c.grade_id == "square")
    if cell.status == "error":
        assert "MemoryError" in cell.error.fr, describe(r)
        assert item_scores(r) == {**POINTS, "square": 0.0}
    else:
        assert cell.status == "kernel-died", describe(r)
        assert "kernel-died" in problem_codes(r)
    assert r.max_score == MAX_SCORE


def test_edited_given_cell_runs_the_instructor_version(env):
    r = report(env, "submission-edits-given-cell")
    assert problem_codes(r) == ["given-cell-modified"]
    assert "given_mid" in r.problems[0].message.fr
    assert r.score == MAX_SCORE and all(c.status == "ok" for c in r.cells), describe(r)


def test_notebook_budget_used_up_skips_the_rest(env):
    r = report(env, "submission-uses-up-the-notebook-budget")
    assert problem_codes(r) == ["cell-timeout", "cells-skipped"], describe(r)
    assert "budget total du notebook épuisé" in r.problems[0].message.fr
    statuses = [(c.origin, c.status) for c in r.cells]
    i = statuses.index(("student-scratch", "timeout"))
    # Only the first cell not run is listed; the problem counts them and says why.
    assert [s for _, s in statuses[i + 1 :]] == ["skipped"]
    skipped = r.problems[1]
    first = r.cells[i + 1].index
    assert f"de la cellule {first} à la cellule" in skipped.message.fr
    assert "budget de temps du notebook était épuisé" in skipped.message.fr
    assert statuses[:i] == [("instructor", "ok"), ("student-answer", "ok")]
    # `add` ran before the budget ran out: its checks pass; the others cannot.
    assert item_scores(r)["add"] == POINTS["add"]


# ---------------------------------------------------------------- unreadable submissions


def test_unknown_ref_names_repo_ref_and_path(env):
    r = report(env, "no-such-branch")
    assert problem_codes(r) == ["unknown-ref"]
    p = r.problems[0]
    shown = f"{p.where} {p.message.fr}"
    for part in (str(env.repo.path), "no-such-branch", NB):
        assert part in shown
    assert (r.score, r.max_score) == (0.0, MAX_SCORE)
    assert r.cells == () and r.sandbox is None
    assert all(c.status == Status.ERROR and c.message == p.message for c in r.checks)


def test_invalid_notebook_json_names_the_commit(env):
    r = report(env, "submission-invalid-json")
    assert problem_codes(r) == ["invalid-json"]
    sha = env.repo.git("rev-parse", "submission-invalid-json")
    assert sha[:10] in r.problems[0].message.fr and NB in r.problems[0].message.fr
    assert r.score == 0.0 and r.max_score == MAX_SCORE and r.cells == ()


def test_renamed_notebook_is_missing(env):
    r = report(env, "submission-notebook-renamed")
    assert problem_codes(r) == ["missing-notebook"]
    assert NB in r.problems[0].message.fr
    assert r.commit.sha == env.repo.git("rev-parse", "submission-notebook-renamed")
    assert r.score == 0.0 and (env.out / "submission-notebook-renamed" / "grade.json").is_file()


def test_stub_sources_are_what_the_release_holds():
    # Guard for the scenarios above: the untouched release really holds the stubs.
    nb = student_notebook()
    got = {c["metadata"]["nbgrader"]["grade_id"]: c["source"] for c in nb["cells"]}
    assert all(got[k] == v for k, v in STUBS.items())


def test_cell_log_lists_500_cells_then_counts_and_names_the_skipped_range():
    from autograder.grading.cells import MAX_LISTED_CELLS, _CellLog
    from autograder.results import CellRun

    log = _CellLog()
    for i in range(1, 2 * MAX_LISTED_CELLS + 1):
        log.add(CellRun(i, f"c{i}", None, "student-scratch", "ok"))
    log.add(CellRun(9001, "e", None, "student-scratch", "error"))  # errors still listed
    for i in range(9002, 9100):
        log.add(CellRun(i, f"s{i}", None, "student-scratch", "skipped"))
    assert len(log.runs) == MAX_LISTED_CELLS + 2
    assert [r.status for r in log.runs[-2:]] == ["error", "skipped"]
    codes = [p.code for p in log.problems("commit abc, nb.ipynb")]
    assert codes == ["cells-skipped", "cells-not-listed"]
    skipped, unlisted = log.problems("w")
    assert "98 cellule(s) non exécutée(s), de la cellule 9002 à la cellule 9099" in skipped.message.fr
    assert f"{MAX_LISTED_CELLS} executed cell(s) are not listed" in unlisted.message.en


# ---------------------------------------------------------------- several variants, one notebook run


def variants_of(env: Course, answers: dict[str, str], variants: tuple[int, ...]):
    from autograder.grading.grade import grade_variants, job_for_tp
    from autograder.results import CommitInfo
    from tests.course_builder import nb_bytes, options

    tp = env.course.tp(MINI)
    job = job_for_tp(tp, commit=CommitInfo(repo="sweep", ref="sweep", notebook_path=NB), student_bytes=nb_bytes(student_notebook(answers)))
    return grade_variants(job, options(), variants)


def test_grade_variants_runs_the_checks_of_each_variant_after_one_notebook_run(env):
    """The seed sweep of `autograder prove`: the first variant is the plain grading."""
    graded = variants_of(env, SOLUTION, (0, 1, 2))
    assert [g.report.score for g in graded] == [MAX_SCORE] * 3
    plain = report(env, "submission-solution")
    assert [(c.name, c.score, c.status) for c in graded[0].report.checks] == [(c.name, c.score, c.status) for c in plain.checks]
    executions = {g.report.durations["execute"] for g in graded}
    assert len(executions) == 1  # one run of the notebook, shared


def test_grade_variants_leaves_out_what_follows_a_kernel_an_earlier_variant_ended(env):
    """A student function that ends the kernel during variant 0's checks: the later variants
    cannot be graded in it (None: grade them alone), never a report of a dead kernel."""
    killer = {**SOLUTION, "square": "def square(x):\n    import os\n    os._exit(3)\n"}
    first, *rest = variants_of(env, killer, (0, 1))
    assert first is not None and item_scores(first.report)["square"] == 0.0
    assert rest == [None]
