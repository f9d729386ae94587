"""Items graded by hand (tp.toml `[[manual]]`): declared, reported as pending in every
report, never part of the automatic score, refused when misdeclared."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from autograder.config import ConfigError, TPConfig
from autograder.course import Course
from autograder.grading.grade import grade_notebook_dict
from autograder.render import write_reports
from autograder.results import ManualItem, Message
from tests.course_builder import MAX_SCORE, MINI, SOLUTION, build_course, options, with_answers

COMMENT = "commentaire"
COMMENT_POINTS = 2.0
STUDENT_ANSWER = "La courbe baisse : la carte dépend bien des poids."


def _comment_cell(source: str) -> dict:
    return {
        "cell_type": "markdown",
        "id": "cell-commentaire",
        "metadata": {"nbgrader": {
            "grade": False, "grade_id": COMMENT, "locked": False, "schema_version": 3,
            "solution": True, "task": False,
        }},
        "source": source,
    }


def add_manual_item(course_root: Path, tp: str = MINI, grade_id: str = COMMENT) -> Course:
    """tp_mini with a markdown answer cell `commentaire` after `scale`, declared in tp.toml
    as an item graded by hand worth 2 points (the source holds a model answer)."""
    src = course_root / "source" / tp
    for path, text in (
        (src / f"{tp}.ipynb", "Réponse modèle : la carte change avec les poids."),
        (course_root / "release" / tp / f"{tp}.ipynb", "YOUR ANSWER HERE"),
    ):
        nb = json.loads(path.read_text(encoding="utf-8"))
        at = next(i for i, c in enumerate(nb["cells"]) if c["metadata"].get("nbgrader", {}).get("grade_id") == "scale")
        nb["cells"].insert(at + 1, _comment_cell(text))
        path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    manual = textwrap.dedent(
        f"""
        [[manual]]
        grade_id = "{grade_id}"
        points = {COMMENT_POINTS}
        title_fr = "Interpréter la courbe"
        title_en = "Interpret the curve"
        """
    )
    for toml in (src / "tp.toml", course_root / "release" / tp / "tp.toml"):
        toml.write_text(toml.read_text(encoding="utf-8") + manual, encoding="utf-8")
    return Course(course_root)


def student_with_comment(course: Course, answers: dict[str, str], comment: str | None) -> dict:
    nb = json.loads(course.tp(MINI).release_notebook.read_text(encoding="utf-8"))
    return with_answers(nb, {**answers, **({COMMENT: comment} if comment is not None else {})})


@pytest.fixture(scope="module")
def manual_course(tmp_path_factory) -> Course:
    root = tmp_path_factory.mktemp("manual") / "course"
    build_course(root)
    return add_manual_item(root)


@pytest.fixture(scope="module")
def solution_report(manual_course):
    """The solution with a written answer, graded once, and its report files."""
    tp = manual_course.tp(MINI)
    graded = grade_notebook_dict(
        tp, student_with_comment(manual_course, SOLUTION, STUDENT_ANSWER), options=options()
    )
    return graded


# -- tp.toml ---------------------------------------------------------------------------------


def _toml(tmp_path: Path, manual: str) -> Path:
    path = tmp_path / "tp.toml"
    path.write_text('[tp]\nid = "tp_x"\ntitle_fr = "X"\n' + textwrap.dedent(manual), encoding="utf-8")
    return path


def test_tp_toml_declares_items_graded_by_hand(tmp_path):
    cfg = TPConfig.load(_toml(tmp_path, """
        [[manual]]
        grade_id = "interpretation"
        points = 2
        title_fr = "Interpréter la figure"
        title_en = "Interpret the figure"

        [[manual]]
        grade_id = "bilan"
        points = 0.5
        """))
    assert cfg.manual == (
        ManualItem("interpretation", 2.0, Message("Interpréter la figure", "Interpret the figure")),
        ManualItem("bilan", 0.5, Message("bilan", "bilan")),
    )
    assert cfg.manual_points == 2.5
    assert TPConfig.load(_toml(tmp_path, "")).manual == ()


@pytest.mark.parametrize(
    ("manual", "named"),
    [
        ('[[manual]]\npoints = 2\n', "grade_id missing"),
        ('[[manual]]\ngrade_id = "a"\npoints = 0\n', "points of 'a'"),
        ('[[manual]]\ngrade_id = "a"\npoints = "2"\n', "points of 'a'"),
        ('[[manual]]\ngrade_id = "a"\npoints = nan\n', "points of 'a'"),
        ('[[manual]]\ngrade_id = "a"\npoints = 1\npoint = 2\n', "unknown keys ['point']"),
        ('[[manual]]\ngrade_id = "a"\npoints = 1\n[[manual]]\ngrade_id = "a"\npoints = 1\n', "duplicate grade_id 'a'"),
    ],
    ids=["no-grade-id", "zero-points", "text-points", "nan-points", "typo-key", "duplicate"],
)
def test_a_misdeclared_manual_item_is_refused_naming_it(tmp_path, manual, named):
    with pytest.raises(ConfigError) as err:
        TPConfig.load(_toml(tmp_path, manual))
    assert named in err.value.message.en and "[[manual]]" in err.value.message.en


# -- grading ---------------------------------------------------------------------------------


def test_the_manual_item_is_pending_and_the_automatic_score_is_unchanged(solution_report):
    report = solution_report.report
    assert (report.score, report.max_score) == (MAX_SCORE, MAX_SCORE)  # the checks alone
    assert [m.grade_id for m in report.manual] == [COMMENT] and report.manual_pending == COMMENT_POINTS
    assert COMMENT not in {c.item for c in report.checks}
    # The student's written answer reaches the executed notebook the instructor reads
    # (shown literally: the sanitiser renders a student's markdown inert).
    cells = {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in solution_report.executed["cells"]}
    assert STUDENT_ANSWER in cells[COMMENT]["source"]


def test_every_report_lists_the_item_as_to_be_graded_by_hand(solution_report, tmp_path):
    files = write_reports(solution_report.report, tmp_path, lang="fr")
    grade = json.loads(files["grade.json"].read_text(encoding="utf-8"))
    assert (grade["score"], grade["max_score"], grade["manual_pending"]) == (MAX_SCORE, MAX_SCORE, COMMENT_POINTS)
    manual = [t for t in grade["tests"] if t.get("manual")]
    assert manual == [{
        "name": COMMENT, "score": 0.0, "max_score": COMMENT_POINTS,
        "output": "À corriger à la main : Interpréter la courbe", "visibility": "visible",
        "item": COMMENT, "autograder_status": "pending-manual", "manual": True, "duration_s": 0.0,
    }]
    assert "À corriger à la main : 2 pts." in grade["output"]
    md = files["feedback.md"].read_text(encoding="utf-8")
    assert "**Note : 7 / 7** (+ 2 pts à corriger à la main)" in md
    assert "## À corriger à la main" in md and "| `commentaire` Interpréter la courbe | – / 2 | à corriger |" in md
    html = files["feedback.html"].read_text(encoding="utf-8")
    assert "+ 2 pts à corriger à la main" in html and "<code>commentaire</code> Interpréter la courbe" in html
    junit = files["junit.xml"].read_text(encoding="utf-8")
    assert 'classname="tp_mini.commentaire" name="graded_by_hand"' in junit and "<skipped" in junit


def test_the_blank_release_scores_zero_with_the_item_still_pending(manual_course):
    # The blank release: 0 automatic points, the manual item still pending (not a failure).
    tp = manual_course.tp(MINI)
    report = grade_notebook_dict(tp, student_with_comment(manual_course, {}, None), options=options()).report
    assert (report.score, report.max_score, report.manual_pending) == (0.0, MAX_SCORE, COMMENT_POINTS)


def test_a_manual_item_naming_no_answer_cell_is_refused_before_grading(tmp_path):
    course = build_course(tmp_path / "course")
    toml = course.tp(MINI).source_dir / "tp.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[[manual]]\ngrade_id = "given_end"\npoints = 1\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        grade_notebook_dict(Course(course.root).tp(MINI), {"cells": []}, options=options())
    assert "given_end" in err.value.message.en and "answer cells the notebook lacks" in err.value.message.en


def test_a_manual_item_a_check_also_scores_is_refused(tmp_path):
    course = build_course(tmp_path / "course")
    toml = course.tp(MINI).source_dir / "tp.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[[manual]]\ngrade_id = "add"\npoints = 1\n', encoding="utf-8")
    tp = Course(course.root).tp(MINI)
    with pytest.raises(ConfigError) as err:
        grade_notebook_dict(tp, with_answers(json.loads(tp.release_notebook.read_text()), SOLUTION), options=options())
    assert "also scored by checks: add" in err.value.message.en


def test_answer_cell_points_that_disagree_with_tp_toml_are_refused(tmp_path):
    # nbgrader wants a markdown answer to be a grade cell with points; tp.toml decides them.
    course = add_manual_item(build_course(tmp_path / "course").root)
    release = course.tp(MINI).release_notebook
    nb = json.loads(release.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["metadata"]["nbgrader"]["grade_id"] == COMMENT:
            cell["metadata"]["nbgrader"].update(grade=True, points=3)
    release.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        grade_notebook_dict(Course(course.root).tp(MINI), {"cells": []}, options=options())
    assert "cell commentaire is worth 3 points in the notebook, 2 in tp.toml" in err.value.message.en


def test_a_tp_of_manual_items_only_reports_pending_items_not_a_failure(tmp_path):
    """No check by design (an nbgrader notebook of written answers): 0 of 0 automatic, the
    items pending in every report, nothing that reads as a grading failure."""
    import io

    from autograder.render.terminal import report_view, show
    from autograder.results import CommitInfo, GradeReport

    report = GradeReport(
        tp="ps1_problem2", title=Message(fr="problem2", en="problem2"), commit=CommitInfo(repo="r", ref="HEAD"),
        score=0.0, max_score=0.0,
        manual=(ManualItem("part-a", 1.0, Message("Part A", "Part A")), ManualItem("part-b", 2.0, Message("Part B", "Part B"))),
    )
    paths = write_reports(report, tmp_path, lang="fr")
    md, page = paths["feedback.md"].read_text(encoding="utf-8"), paths["feedback.html"].read_text(encoding="utf-8")
    terminal = io.StringIO()
    show(report_view(report, "fr"), file=terminal)
    for text in (md, page, terminal.getvalue()):
        assert "toutes ses parties sont corrigées à la main" in text and "+ 3 pts à corriger à la main" in text
        assert "n'a pu être exécutée" not in text
    assert 'role="progressbar"' not in page  # no automatic score to draw
    grade = json.loads(paths["grade.json"].read_text(encoding="utf-8"))
    assert (grade["score"], grade["max_score"], grade["manual_pending"]) == (0, 0, 3)
    assert [t["autograder_status"] for t in grade["tests"]] == ["pending-manual", "pending-manual"]
