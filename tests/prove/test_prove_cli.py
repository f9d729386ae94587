"""`autograder prove` through the CLI, grading for real: a tiny course whose scenarios file sits
beside its TP (fast), and TP01 of this course under two variants (slow)."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from autograder.cli import EXIT_OK, EXIT_REFUSED, main
from tests.course_builder import ATTACK, MINI, WRONG, build_course

ROOT = Path(__file__).resolve().parents[2]

MINI_SCENARIOS = textwrap.dedent(
    f'''
    from autograder.prove.judge import Correct, Scenario

    SCENARIOS = {{
        "add-wrong": Scenario("add", {WRONG["add"]!r}, must_fail=("test_add_small", "test_add_random", "test_add_exact")),
        # wrong on floats only: test_add_exact (2 + 4) keeps its point, so this promise is broken
        "add-rounds": Scenario("add", "def add(a, b):\\n    return round(a) + round(b)\\n",
                               must_fail=("test_add_random", "test_add_exact")),
        "square-wrong": Scenario("square", {WRONG["square"]!r}, must_fail=("test_square_random",)),
    }}
    GROUPS = {{"g1": ("add-wrong", "square-wrong"), "g2": ("add-rounds",)}}
    CORRECT = {{"scale-loop": Correct("scale", "def scale(v, k):\\n    return np.asarray(v) * float(k)\\n", "float(k)")}}
    CORRECT_GROUPS = {{"c1": ("scale-loop",)}}
    EQUIVALENT = {{"add:Binary_Add_Sub@2:13": "declared to show it is left out", "add:Gone@9:9": "stale"}}
    '''
)


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> Path:
    course = build_course(tmp_path_factory.mktemp("prove") / "course")
    shutil.copyfile(ROOT / "nbgrader_config.py", course.root / "nbgrader_config.py")
    (course.root / "source" / MINI / "scenarios.py").write_text(MINI_SCENARIOS, encoding="utf-8")
    return course.root


FAST = ["--cell-timeout", "30", "--total-timeout", "120", "--call-timeout", "30"]  # a loaded machine


def test_help_explains_variants_mutants_and_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["prove", "--help"])
    text = capsys.readouterr().out
    for needle in ("--seeds", "--mutants", "--sample-seed", "EQUIVALENT", "Exit 3", "scenarios.py", "90 %"):
        assert needle in text


def test_a_tp_without_scenarios_is_reported_not_an_error(mini, capsys):
    assert main(["prove", ATTACK, "--course", str(mini), "--seeds", "2"]) == EXIT_OK
    assert f"{ATTACK}: no scenarios" in capsys.readouterr().out


def test_reports_of_two_runs_compare_equal_without_durations(mini, tmp_path, capsys):
    """`--reports`: every scenario grading's report, durations and dates removed, so that a
    refactor of the checks is proven not to change a grade or a message with `diff -r`."""
    runs = []
    for name in ("before", "after"):
        out = tmp_path / name
        main(["prove", MINI, "--course", str(mini), "--seeds", "1", "--reports", str(out), *FAST])
        runs.append({p.relative_to(out).as_posix(): p.read_text("utf-8") for p in sorted(out.rglob("*.json"))})
    capsys.readouterr()
    before, after = runs
    assert sorted(before) == [f"{MINI}/0/{g}.json" for g in ("c1", "g1", "g2", "solution")]
    assert before == after
    report = json.loads(before[f"{MINI}/0/g1.json"])
    assert "durations" not in report and "graded_at" not in report
    assert report["score"] < report["max_score"] and any(c["message"] for c in report["checks"])


def test_group_grades_only_the_named_groups_and_the_solution(mini, tmp_path, capsys):
    """`--group`: a fixer re-proves what they touched under many variants, nothing else."""
    out = tmp_path / "reports"
    code = main(["prove", MINI, "--course", str(mini), "--seeds", "1", "--group", "g2", "--reports", str(out), *FAST])
    capsys.readouterr()
    assert code == EXIT_REFUSED  # g2's broken promise
    assert sorted(p.name for p in (out / MINI / "0").iterdir()) == ["g2.json", "solution.json"]


def test_an_unknown_group_is_refused_with_the_tps_groups(mini, capsys):
    assert main(["prove", MINI, "--course", str(mini), "--group", "g9"]) != EXIT_OK
    err = capsys.readouterr().err
    assert "g9" in err and "g1, g2, c1" in err


@pytest.mark.slow  # about 40 s quiet (nbgrader, 8 gradings, mutants), 2 min under load
def test_prove_finds_a_broken_promise_under_every_variant_and_scores_mutants(mini, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["prove", MINI, "--course", str(mini), "--seeds", "2", "--mutants", "5", "--sample-seed", "0",
                 "--out", str(out), *FAST])
    captured = capsys.readouterr()
    assert code == EXIT_REFUSED, captured.out + captured.err
    assert "[prove] tp group c1 variant 2/2 (8/8)" in captured.err
    data = json.loads((out / "prove.json").read_text("utf-8"))
    (tp,) = data["tps"]
    assert tp["variants"] == [0, 1] and tp["scenarios_file"] == f"source/{MINI}/scenarios.py"
    bad = {(g["variant"], g["group"], f["kind"], f["check"]) for g in tp["gradings"] for f in g["findings"]}
    # the broken promise, under both variants; nothing else
    texts = "\n".join(f["text"] for g in tp["gradings"] for f in g["findings"])
    assert bad == {(0, "g2", "kept-points", "test_add_exact"), (1, "g2", "kept-points", "test_add_exact")}, texts
    # Each notebook ran once, its checks once per variant; the finding under variant 1 was
    # graded again alone before it was reported.
    how = {(g["variant"], g["group"]): g["how"] for g in tp["gradings"]}
    assert how == {**{(0, g): "alone" for g in ("solution", "g1", "g2", "c1")},
                   **{(1, g): "sweep" for g in ("solution", "g1", "c1")}, (1, "g2"): "alone"}, how
    m = tp["mutation"]
    assert len(m["results"]) == 5 and m["candidates"] > 5
    assert "add:Binary_Add_Sub@2:13" not in {r["id"] for r in m["results"]}
    assert [e[0] for e in m["equivalent"]] == ["add:Binary_Add_Sub@2:13", "add:Gone@9:9"]
    assert [e[2] for e in m["equivalent"]] == [True, False]
    assert m["gradings"] < 5  # mutants of independent cells shared gradings
    assert "mutation score:" in captured.out and len(m["survivors"]) == 5 - m["caught"]
    md = (out / "prove.md").read_text("utf-8")
    assert "### Mutation score" in md and "test_add_exact should lose points but kept" in md


@pytest.mark.slow
def test_prove_tp01_under_two_variants(tmp_path, capsys):
    """The real TP01: its scenarios hold under variants 0 and 1, and mutants are graded."""
    code = main(["prove", "tp01_gradients", "--course", str(ROOT), "--seeds", "2", "--mutants", "4",
                 "--out", str(tmp_path)])
    captured = capsys.readouterr()
    data = json.loads((tmp_path / "prove.json").read_text("utf-8"))
    (tp,) = data["tps"]
    findings = [f["text"] for g in tp["gradings"] for f in g["findings"]]
    assert not findings, "\n".join(findings)
    assert {g["variant"] for g in tp["gradings"]} == {0, 1}
    assert len(tp["mutation"]["results"]) == 4
    assert code == (EXIT_OK if tp["mutation"]["meets_target"] else EXIT_REFUSED), captured.out


def test_a_spent_time_budget_grades_each_solution_and_lists_what_it_did_not_reach(mini, tmp_path, capsys):
    """`--budget-minutes`: a CI step with a fixed time proves part of every TP; the solution is
    always graded, what was left is listed (not a finding: g2's broken promise is not reached),
    and `--rotate` says where the next run starts."""
    out = tmp_path / "out"
    code = main(["prove", MINI, "--course", str(mini), "--seeds", "1", "--budget-minutes", "0", "--rotate", "1",
                 "--mutants", "3", "--out", str(out), *FAST])
    captured = capsys.readouterr()
    assert code == EXIT_OK, captured.out + captured.err
    (tp,) = json.loads((out / "prove.json").read_text("utf-8"))["tps"]
    assert [g["group"] for g in tp["gradings"]] == ["solution"]
    assert tp["not_reached"] == ["g2", "c1", "g1", "mutants"] and tp["rotate"] == 1
    assert tp["mutation"] is None
    assert "not reached (time budget spent; targets rotated by 1): g2, c1, g1, mutants" in captured.out
    assert "time budget spent: targets not reached in" in captured.err
    assert "Not reached (time budget spent; targets rotated by 1)" in (out / "prove.md").read_text("utf-8")
