"""prove's judging, on hand-built reports: what a wrong answer, a correct one and the solution
must show, and how mutants sharing a grading are told apart."""

from __future__ import annotations

from pathlib import Path

from autograder.prove import judge
from autograder.prove.judge import (
    Correct,
    Scenario,
    lost_points,
    scenario_findings,
    solution_findings,
)
from autograder.prove.mutate import Mutant
from autograder.prove.mutation import attribute, grade_mutants, item_scores, plan_batches
from autograder.prove.run import judge_grading
from autograder.prove.scenarios import ScenarioSet
from autograder.results import (
    CellRun,
    CheckResult,
    CommitInfo,
    Expected,
    GradeReport,
    Message,
    Problem,
    Status,
    Visibility,
)

BOTH = Message("faux : le signe est inversé", "wrong: the sign is flipped")


def check(name: str, item: str, score: float, max_score: float = 1.0, message: Message | None = None) -> CheckResult:
    status = Status.PASSED if score >= max_score else Status.FAILED
    return CheckResult(name, item, score, max_score, status, Visibility.HIDDEN,
                       message=message if message is not None else (None if status is Status.PASSED else BOTH))


def report(*checks: CheckResult, cells: tuple[CellRun, ...] = (), problems: tuple[Problem, ...] = ()) -> GradeReport:
    return GradeReport(tp="tp_x", title=Message("x"), commit=CommitInfo("r", "r"), score=sum(c.score for c in checks),
                       max_score=sum(c.max_score for c in checks), checks=checks, cells=cells, problems=problems)


SIGN = Scenario("grad", "src", must_fail=("test_grad_value",), message_contains=("signe",), affects=("train",))


def kinds(found) -> list[str]:
    return [f.kind for f in found]


def test_a_wrong_answer_that_loses_its_points_with_the_hint_is_clean():
    r = report(check("test_grad_value", "grad", 0), check("test_grad_shape", "grad", 1),
               check("test_train", "train", 0.5), check("test_other", "other", 1))
    assert scenario_findings({"sign": SIGN}, r) == []


def test_a_wrong_answer_keeping_a_must_fail_point_is_found():
    r = report(check("test_grad_value", "grad", 1), check("test_other", "other", 1))
    found = scenario_findings({"sign": SIGN}, r)
    assert kinds(found) == [judge.KEPT_POINTS, judge.NO_HINT]
    assert str(found[0]) == "sign: test_grad_value should lose points but kept 1/1.0"


def test_an_untouched_item_losing_points_is_found_and_an_affected_one_is_not():
    r = report(check("test_grad_value", "grad", 0), check("test_train", "train", 0), check("test_other", "other", 0.5))
    found = scenario_findings({"sign": SIGN}, r)
    assert kinds(found) == [judge.UNTOUCHED_LOST]
    assert str(found[0]) == (
        "untouched item other: test_other lost points (0.5/1.0) — it said: « faux : le signe est inversé »"
    )


def test_a_refusal_shows_what_the_student_would_read_so_the_author_sees_why():
    """A wrong answer whose hint is missing names the messages searched; a check of the same
    item that lost points names its message. What was said is shown, never compared: the same
    finding under two variants is one finding."""
    r = report(check("test_grad_value", "grad", 0, message=Message("faux : mauvaise forme", "wrong: shape")),
               check("test_grad_shape", "grad", 0))
    found = scenario_findings({"sign": SIGN}, r)
    assert kinds(found) == [judge.NO_HINT, judge.SAME_ITEM_LOST]
    assert str(found[0]).endswith("contains 'signe' — it said: « faux : mauvaise forme »")
    assert str(found[1]).endswith("got 0/1.0 — it said: « faux : le signe est inversé »")
    other_variant = judge.Finding(judge.SAME_ITEM_LOST, "sign", "grad", "test_grad_shape", 0, 1.0, said="autre")
    assert found[1] == other_variant


def test_missing_check_missing_english_and_another_check_of_the_item():
    french_only = Message("le signe est inversé", "")
    r = report(check("test_grad_value", "grad", 0, message=french_only), check("test_grad_shape", "grad", 0))
    sc = Scenario("grad", "src", must_fail=("test_grad_value", "test_gone"), message_contains=("signe",))
    found = scenario_findings({"s": sc}, r)
    assert kinds(found) == [judge.NO_CHECK, judge.NOT_BILINGUAL, judge.SAME_ITEM_LOST]


def test_a_may_fail_check_of_the_item_may_lose_points_or_keep_them():
    """Evidence that sees the fault on some grader draws only: neither outcome is a finding."""
    sc = Scenario("grad", "src", must_fail=("test_grad_value",), may_fail=("test_grad_loss",))
    for loss_score in (0, 1):
        r = report(check("test_grad_value", "grad", 0), check("test_grad_loss", "grad", loss_score))
        assert scenario_findings({"s": sc}, r) == []
    r = report(check("test_grad_value", "grad", 0), check("test_grad_shape", "grad", 0))
    assert kinds(scenario_findings({"s": sc}, r)) == [judge.SAME_ITEM_LOST]


def test_a_correct_variant_losing_a_point_is_found_with_its_message():
    r = report(check("test_grad_value", "grad", 0.5), check("test_other", "other", 1))
    found = lost_points("correct-float32", r)
    assert [str(f) for f in found] == ["grad::test_grad_value 0.5/1.0: faux : le signe est inversé"]
    assert Correct("grad", "src", "float32").why == "float32"


def test_the_solution_must_pass_everything_and_raise_no_problem():
    assert solution_findings(report(check("a", "i", 1))) == []
    problem = Problem("cell-timeout", Message("trop long", "too long"), "cell 3")
    found = solution_findings(report(check("a", "i", 0), problems=(problem,)))
    assert kinds(found) == [judge.LOST_POINTS, judge.PROBLEM]


def mutant(gid: str, n: int = 0) -> Mutant:
    return Mutant(f"{gid}:Op@{n}:0", gid, "Op", n, 0, "src", "-a\n+b")


AFFECTS = {"fwd": ("train",), "loss": ("train",), "other": ()}


def test_mutants_of_independent_cells_share_a_grading_and_uncovered_cells_go_alone():
    ms = [mutant("fwd"), mutant("fwd", 1), mutant("loss"), mutant("other"), mutant("helper")]
    batches = plan_batches(ms, AFFECTS)
    ids = [[m.id for m in b] for b in batches]
    # fwd and loss both affect train: never together; a cell without scenarios is graded alone
    assert ids == [["fwd:Op@0:0", "other:Op@0:0"], ["fwd:Op@1:0"], ["loss:Op@0:0"], ["helper:Op@0:0"]]
    assert [len(b) for b in plan_batches(ms, AFFECTS, group=False)] == [1] * 5


def test_a_shared_grading_credits_each_mutant_with_its_own_zone_only():
    batch = [mutant("fwd"), mutant("other")]
    r = report(check("t_fwd", "fwd", 1), check("t_train", "train", 0), check("t_other", "other", 1))
    results = attribute(batch, r, AFFECTS, r.max_score + 1)  # the solution's max: all checks' points
    assert results is None  # max score differs: cannot say
    results = attribute(batch, r, AFFECTS, r.max_score)
    assert [(x.id, x.caught, x.lost) for x in results] == [
        ("fwd:Op@0:0", True, ("train::t_train 0/1",)), ("other:Op@0:0", False, ())]
    assert [(i.item, i.mutants, i.caught) for i in item_scores(results)] == [("fwd", 1, 1), ("other", 1, 0)]


def test_a_shared_grading_that_cannot_be_attributed_is_refused():
    batch = [mutant("fwd"), mutant("other")]
    outside = report(check("t_fwd", "fwd", 1), check("t_x", "unrelated", 0))
    assert attribute(batch, outside, AFFECTS, outside.max_score) is None
    timeout = CellRun(3, "c3", "fwd", "student-answer", "timeout")
    ok = report(check("t_fwd", "fwd", 0), cells=(timeout,))
    assert attribute(batch, ok, AFFECTS, ok.max_score) is None
    # alone, any lost point (or a lower total) catches it
    assert attribute([mutant("helper")], outside, AFFECTS, outside.max_score)[0].caught


def test_grading_mutants_regrades_an_unattributable_batch_and_sets_grader_errors_apart():
    calls: list[tuple[str, ...]] = []

    def grade(replacements: dict[str, str], label: str) -> GradeReport | str:
        calls.append(tuple(sorted(replacements)))
        if replacements.keys() == {"other"}:
            return "OSError: the grader's exchange folder vanished"
        lost_outside = len(replacements) > 1  # together, an unrelated item loses points
        return report(check("t_fwd", "fwd", 0 if "fwd" in replacements else 1),
                      check("t_x", "unrelated", 0 if lost_outside else 1))

    results, gradings, errors = grade_mutants([[mutant("fwd"), mutant("other")]], grade, AFFECTS, 2.0)
    assert calls == [("fwd", "other"), ("fwd",), ("other",)] and gradings == 3
    assert [(r.id, r.caught, r.batch_size) for r in results] == [("fwd:Op@0:0", True, 1)]
    assert errors == [("other:Op@0:0", "OSError: the grader's exchange folder vanished")]


def test_a_timed_out_cell_is_regraded_alone_and_the_rest_together():
    calls: list[tuple[str, ...]] = []

    def grade(replacements: dict[str, str], label: str) -> GradeReport:
        calls.append(tuple(sorted(replacements)))
        slow = "other" in replacements
        cells = (CellRun(4, "c4", "other", "student-answer", "timeout"),) if slow else ()
        return report(check("t_fwd", "fwd", 0 if "fwd" in replacements else 1),
                      check("t_other", "other", 0 if slow else 1), check("t_loss", "loss", 1), cells=cells)

    batch = [mutant("fwd"), mutant("other"), mutant("helper")]
    results, gradings, errors = grade_mutants([batch], grade, AFFECTS, 3.0)
    assert calls == [("fwd", "helper", "other"), ("other",), ("fwd", "helper")] and gradings == 3
    assert {r.id: r.caught for r in results} == {"other:Op@0:0": True, "fwd:Op@0:0": True, "helper:Op@0:0": False}
    assert not errors


def test_every_judgement_looks_for_leaks_in_hidden_messages():
    """A wrong answer's hint, a correct variant's report and the solution's: each grading is
    searched for a hidden check's expected value (the course seed is the same on every push)."""
    leaky = Message("attendu 26425 paramètres", "expected 26425 parameters")
    c = check("test_grad_value", "grad", 0, message=leaky)
    c = CheckResult(c.name, c.item, c.score, c.max_score, c.status, c.visibility, message=c.message,
                    expected=(Expected("nombre de paramètres", (26425.0,), "value"),))
    r = report(c, check("test_other", "other", 1))
    chosen = ScenarioSet(Path("scenarios.py"), scenarios={"sign": SIGN}, groups={"g": ("sign",)})
    found = judge_grading("wrong", "g", chosen, r, r.max_score)
    assert judge.LEAK in kinds(found)
    assert "g: leak: test_grad_value [fr] nombre de paramètres = 26425.0: '26425'" in [str(f) for f in found]
    assert judge.LEAK in kinds(judge_grading("correct", "g", chosen, r, r.max_score))
    assert kinds(judge.leak_findings("s", report(check("test_other", "other", 0)))) == []
