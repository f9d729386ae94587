"""A real GradeReport with every case the renderers must handle, hostile input included."""

from __future__ import annotations

import pytest

from autograder.results import (
    CellRun,
    CheckResult,
    CommitInfo,
    GradeReport,
    Message,
    Problem,
    SandboxInfo,
    Status,
    Visibility,
)

HOSTILE = 'fix <script>alert(1)</script> & "quotes"\x00\x07 done\x1b[31m red\x1b[0m'


def make_report() -> GradeReport:
    checks = (
        CheckResult(
            name="test_grad_f_matches_autograd",
            item="grad_f",
            score=2.0,
            max_score=2.0,
            status=Status.PASSED,
            visibility=Visibility.VISIBLE,
            duration_s=0.25,
        ),
        CheckResult(
            name="test_grad_f_shape",
            item="grad_f",
            score=0.5,
            max_score=1.0,
            status=Status.PARTIAL,
            visibility=Visibility.VISIBLE,
            message=Message(fr="forme presque juste", en="shape almost right"),
        ),
        CheckResult(
            name="test_backward",
            item="backward",
            score=0.0,
            max_score=3.0,
            status=Status.FAILED,
            visibility=Visibility.VISIBLE,
            message=Message(
                fr="gradient faux\nattendu | obtenu <b>\x00",
                en="wrong gradient\nexpected | got <b>\x00",
            ),
        ),
        CheckResult(
            name="test_train_loss",
            item="train",
            score=0.0,
            max_score=4.0,
            status=Status.ERROR,
            visibility=Visibility.VISIBLE,
            message=Message(fr="le code a levé ValueError", en="the code raised ValueError"),
        ),
        CheckResult(
            name="test_hidden_accuracy",
            item="train",
            score=0.0,
            max_score=2.5,
            status=Status.FAILED,
            visibility=Visibility.HIDDEN,
            message=Message(fr="la vérification a échoué", en="the check failed"),
        ),
    )
    cells = (
        CellRun(0, "intro", None, "instructor", "ok", 0.01),
        CellRun(
            7,
            "c<img src=x onerror=alert(1)>",
            "train_loop",
            "student-answer",
            "timeout",
            30.0,
            Message(fr="temps dépassé (30 s)", en="timed out (30 s)"),
        ),
        CellRun(
            9,
            "s<img src=x onerror=alert(1)>`|",
            None,
            "student-scratch",
            "error",
            0.2,
            Message(
                fr="NameError: name 'x' is not defined", en="NameError: name 'x' is not defined"
            ),
        ),
    )
    problems = (
        Problem(
            code="cell-timeout",
            message=Message(fr="une cellule a dépassé le temps", en="a cell timed out"),
            where="commit abc1234, tp01/tp01.ipynb, cell 7",
        ),
    )
    return GradeReport(
        tp="tp01_gradients",
        title=Message(fr="TP 1 — Gradients", en="Lab 1 — Gradients"),
        commit=CommitInfo(
            repo="/srv/git/alice.git",
            ref="main",
            sha="abc1234def5678900000000000000000deadbeef",
            author="Alice <alice@example.org>",
            committer_date="2024-10-01T12:34:56+02:00",
            message=HOSTILE + "\nsecond line",
            notebook_path="tp01_gradients/tp01_gradients.ipynb",
        ),
        score=2.5,
        max_score=12.5,
        checks=checks,
        cells=cells,
        problems=problems,
        sandbox=SandboxInfo(
            level="bwrap",
            network_isolated=True,
            user_switched=False,
            filesystem_hidden=True,
            pid_namespace=True,
            limits={"nproc": 64, "as": 4 << 30},
            notes=["ok"],
        ),
        device="cpu",
        durations={"read": 0.1, "execute": 40.0, "checks": 2.0, "total": 42.5},
        graded_at="2024-10-02T08:00:00+00:00",
        grader_version="0.1.0",
    )


@pytest.fixture
def report() -> GradeReport:
    return make_report()


@pytest.fixture
def empty_report() -> GradeReport:
    """What an invalid notebook gives: no checks, one problem."""
    return GradeReport(
        tp="tp02",
        title=Message(fr="TP 2", en="Lab 2"),
        commit=CommitInfo(repo="r", ref="nope"),
        score=0.0,
        max_score=0.0,
        problems=(Problem("unknown-ref", Message(fr="référence inconnue", en="unknown ref")),),
    )
