"""summary: the instructor's class page, escaped and script-free, with its plots."""

from __future__ import annotations

from autograder.classroom.class_result import CheckScore, ClassContext, Selection, StudentResult
from autograder.classroom.summary import pass_rates, write_summary

CONTEXT = ClassContext(tp="tp_mini", deadline="2026-12-01T23:59:00+01:00")


def _graded(sid: str, name: str, add: str, square: str, final: float) -> StudentResult:
    return StudentResult(
        sid, name, "graded", raw_score=final, max_score=7.0, final_score=final, context=CONTEXT,
        selection=Selection("a" * 40, None, "committer-date"), grading_time_s=0.4,
        checks=(CheckScore("test_add", "add", 0.0, 3.0, add), CheckScore("test_square", "square", 0.0, 4.0, square)),
    )


CLASS = [
    _graded("s1", "Ada", "passed", "passed", 7.0),
    _graded("s2", "<img src=x onerror=alert(1)>", "failed", "passed", 4.0),
    StudentResult("s3", "Cy", "no-submission", context=CONTEXT, reason="no commit on or before the deadline"),
    StudentResult("s4", "Dee", "grader-error", reason="worker died"),
]


def test_pass_rates_put_the_hardest_check_first():
    assert pass_rates([r for r in CLASS if r.graded]) == [("test_add", 0.5), ("test_square", 1.0)]
    assert pass_rates([]) == []


def test_the_page_escapes_the_class_and_runs_no_script(tmp_path):
    page = write_summary(tmp_path, CLASS, title="TP <mini>", lang="en").read_text(encoding="utf-8")
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<title>TP &lt;mini&gt;</title>" in page
    assert "default-src 'none'" in page and "<script" not in page
    assert "4 élèves / students — 2 notés / graded, 1 sans rendu / no submission,\n1 erreurs du correcteur" in page
    assert "mean of graded: 5.5" in page
    assert "no-submission : no submission before the deadline" in page and "grader-error : no grade: a grader error" in page
    for png in ("scores.png", "pass_rates.png", "grading_times.png"):
        assert (tmp_path / png).read_bytes()[:4] == b"\x89PNG" and f'src="{png}"' in page


def test_a_class_without_any_graded_student_still_gets_its_page(tmp_path):
    page = write_summary(tmp_path, CLASS[2:], title="TP", lang="fr").read_text(encoding="utf-8")
    assert "0 notés / graded" in page and "mean of graded: 0" in page
    assert not (tmp_path / "pass_rates.png").exists()  # no check ran: no pass-rate plot
