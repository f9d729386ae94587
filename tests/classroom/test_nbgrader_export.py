"""nbgrader_export: formgrader's copy of a student's notebook is sanitised, whatever graded it."""

from __future__ import annotations

import csv
import json
from contextlib import contextmanager
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder.classroom.class_result import StudentResult
from autograder.classroom.grade_class import read_result
from autograder.classroom.nbgrader_export import read_back, write_nbgrader_gradebook
from autograder.classroom.reviews import ItemReview, Reviews, apply_reviews
from autograder.cli import main
from tests.course_builder import (
    MAX_SCORE,
    MINI,
    POINTS,
    SOLUTION,
    build_course,
    student_notebook,
)


def test_autograded_copy_of_an_old_unsanitised_notebook_is_inert(tmp_path):
    # A class folder graded before the sanitiser existed: a rerun skips the student and
    # only re-exports their executed.ipynb.
    report = tmp_path / "students" / "s1" / "report"
    report.mkdir(parents=True)
    hostile = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"widgets": {"application/vnd.jupyter.widget-state+json": {}}},
        "cells": [
            {
                "cell_type": "code",
                "id": "n",
                "metadata": {"nbgrader": {"grade_id": 'n"></textarea><img src=x onerror=alert(1)>', "solution": True}},
                "source": "x = 1",
                "outputs": [
                    {"output_type": "display_data", "data": {"text/html": "<script>alert(1)</script>", "text/plain": "p"}, "metadata": {}}
                ],
                "execution_count": 1,
            }
        ],
    }
    (report / "executed.ipynb").write_text(json.dumps(hostile), encoding="utf-8")
    results = [StudentResult.from_json(
        {"student_id": "s1", "name": "A B", "status": "graded", "penalty": 0.0,
         "checks": [{"name": "test_x", "item": "x", "score": 1.0, "max_score": 2.0, "status": "failed"}]},
    )]
    db = write_nbgrader_gradebook(tmp_path, results, tp="tp_x", notebook="tp_x.ipynb")
    assert db is not None and read_back(db, "tp_x") == {"s1": 1.0}
    text = (tmp_path / "autograded" / "s1" / "tp_x" / "tp_x.ipynb").read_text(encoding="utf-8")
    got = json.loads(text)
    assert got["metadata"] == {} and got["cells"][0]["metadata"] == {}
    assert [set(o["data"]) for o in got["cells"][0]["outputs"]] == [{"text/plain"}]
    for active in ("<script", "onerror", "text/html\""):
        assert active not in text


# -- a class folder made of results (no grading): Formgrader's view and the reviews read back


def _checks(add: float, square: float, scale: float) -> list[dict]:
    got = {"add": add, "square": square, "scale": scale}
    return [
        {"name": f"test_{item}", "item": item, "score": got[item], "max_score": POINTS[item],
         "status": "passed" if got[item] == POINTS[item] else "failed"}
        for item in POINTS
    ]


def _result(sid: str, checks: list[dict], *, penalty: float = 0.0) -> StudentResult:
    raw = sum(c["score"] for c in checks)
    return StudentResult.from_json({
        "student_id": sid, "name": f"Prénom {sid}", "email": f"{sid}@etu.example.fr", "tp": MINI,
        "status": "graded", "penalty": penalty, "late_days": 0.0, "checks": checks, "problems": [],
        "raw_score": raw, "max_score": MAX_SCORE, "final_score": round(raw * (1 - penalty), 4),
        "sha": "0123456789abcdef0123456789abcdef01234567", "commit_date": "2026-11-30T18:05:00+01:00",
    })


@pytest.fixture
def graded_class(tmp_path):
    """A course, and a class folder holding three students' results and executed notebooks
    (s1 full marks, s2 wrong `add`, s3 a day late with a 10% penalty), exported once."""
    course = build_course(tmp_path / "course").root
    out = tmp_path / "class"
    results = [
        _result("s1", _checks(3, 2, 2)),
        _result("s2", _checks(0, 2, 2)),
        _result("s3", _checks(3, 2, 1), penalty=0.1),
    ]
    for r in results:
        report = out / "students" / r.student_id / "report"
        report.mkdir(parents=True)
        (report.parent / "result.json").write_text(json.dumps(r.to_json()), encoding="utf-8")
        (report / "executed.ipynb").write_text(json.dumps(student_notebook(SOLUTION)), encoding="utf-8")
    _merge(course, out)
    return course, out


def _merge(course: Path, out: Path, lang: str = "fr") -> int:
    return main(["merge-class", "--tp", MINI, "--out", str(out), "--course", str(course), "--lang", lang])


def _rows(out: Path, name: str = "grades.csv") -> dict[str, dict[str, str]]:
    with open(out / name, encoding="utf-8") as f:
        return {r.get("student_id") or r["ID number"]: r for r in csv.DictReader(f)}


@contextmanager
def _gradebook(out: Path):
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        yield gb
        gb.db.commit()


def test_formgrader_sees_auto_scores_as_reviewed_grade_cells(graded_class):
    _, out = graded_class
    config = (out / "nbgrader_config.py").read_text(encoding="utf-8")
    assert str(out) not in config  # the folder can be moved
    assert (out / "source" / MINI).is_dir()  # Formgrader lists assignments from source/
    with _gradebook(out) as gb:
        sub = gb.find_submission(MINI, "s2")
        grades = {g.name: (g.auto_score, g.max_score, g.needs_manual_grade) for g in sub.notebooks[0].grades}
        comments = {c.name: c.auto_comment for c in sub.notebooks[0].comments}
        assert not sub.needs_manual_grade
    assert grades == {"add": (0.0, 3.0, False), "square": (2.0, 2.0, False), "scale": (2.0, 2.0, False)}
    assert comments["add"] == "test_add: 0/3 (failed)"
    nb = json.loads((out / "autograded" / "s2" / MINI / f"{MINI}.ipynb").read_text(encoding="ascii"))
    graded = {c["metadata"]["nbgrader"]["grade_id"]: c["metadata"]["nbgrader"]["points"]
              for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")}
    assert graded == POINTS  # one score input per item, in the student's answer cell


def test_nbgrader_api_lists_the_assignment_and_its_graded_submissions(graded_class, tmp_path):
    # What Formgrader's pages show, from nbgrader's own API, on the folder moved elsewhere.
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    _, out = graded_class
    moved = tmp_path / "unpacked" / "class"
    moved.parent.mkdir()
    out.rename(moved)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(moved)).load_config()
    assert config.CourseDirectory.root == str(moved)
    api = NbGraderAPI(coursedir=CourseDirectory(config=config))
    assignments = api.get_assignments()
    submissions = api.get_submissions(MINI)
    assert [(a["name"], a["num_submissions"], a["max_score"]) for a in assignments] == [(MINI, 3, MAX_SCORE)]
    assert [(s["student"], s["autograded"], s["needs_manual_grade"], s["score"]) for s in submissions] == [
        ("s1", True, False, 7.0), ("s2", True, False, 4.0), ("s3", True, False, 5.4)
    ]


def _submission_ids(out: Path) -> dict[str, tuple[str, str, list[str]]]:
    """Student -> (submission id, notebook submission id, grade ids): what Formgrader's links name."""
    with _gradebook(out) as gb:
        return {
            s.student.id: (s.id, s.notebooks[0].id, sorted(g.id for g in s.notebooks[0].grades))
            for s in gb.assignment_submissions(MINI)
        }


def test_formgrader_links_stay_the_same_when_the_gradebook_is_rebuilt(graded_class, tmp_path):
    course, out = graded_class
    before = _submission_ids(out)
    assert _merge(course, out) == 0  # rebuilt from the results
    assert _submission_ids(out) == before
    # The same class exported to another folder gives the same links; another student's differ.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    results = [read_result(out / "students" / sid / "result.json") for sid in before]
    write_nbgrader_gradebook(elsewhere, results, tp=MINI, notebook=f"{MINI}.ipynb")
    assert _submission_ids(elsewhere) == before
    ids = [i for sub, nb, grades in before.values() for i in (sub, nb, *grades)]
    assert len(set(ids)) == len(ids) and all(len(i) == 32 for i in ids)


def test_nbgrader_steps_run_on_the_class_folder_stop_before_writing(graded_class):
    """Formgrader's Generate and Autograde buttons (nbgrader's API calls behind them) match no
    notebook and write nothing; Release and Collect are not offered (no exchange)."""
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    _, out = graded_class
    autograded = out / "autograded" / "s2" / MINI / f"{MINI}.ipynb"
    kept = (autograded.read_bytes(), (out / "gradebook.db").read_bytes())
    config = PyFileConfigLoader("nbgrader_config.py", path=str(out)).load_config()
    api = NbGraderAPI(coursedir=CourseDirectory(config=config))
    (assignment,) = api.get_assignments()
    assert (assignment["releaseable"], assignment["release_path"]) == (False, None)  # no Release, no Collect
    for step in (lambda: api.generate_assignment(MINI), lambda: api.autograde(MINI, "s2"),
                 lambda: api.generate_feedback(MINI, "s2")):
        done = step()
        assert not done["success"] and "graded-by-autograder" in done["log"], done
    assert (autograded.read_bytes(), (out / "gradebook.db").read_bytes()) == kept
    assert not (out / "release").exists() and not (out / "feedback").exists()


def test_override_and_comment_flow_into_the_exports_beside_the_automatic_score(graded_class):
    course, out = graded_class
    with _gradebook(out) as gb:
        gb.find_grade("add", MINI, MINI, "s2").manual_score = 2.5
        gb.find_comment("add", MINI, MINI, "s2").manual_comment = "idée juste,\nsigne inversé"
        gb.find_comment("scale", MINI, MINI, "s1").manual_comment = "très propre"
        gb.find_grade("scale", MINI, MINI, "s3").extra_credit = 0.5
    assert _merge(course, out) == 0
    rows = _rows(out)
    assert (rows["s2"]["final_score"], rows["s2"]["auto_final_score"]) == ("6.5", "4")
    assert rows["s2"]["review"] == "add 0 → 2,5 « idée juste, signe inversé »"
    assert (rows["s1"]["final_score"], rows["s1"]["auto_final_score"], rows["s1"]["review"]) == ("7", "7", "scale « très propre »")
    # s3's items are scored after the 10% penalty: 0.9 for scale, plus 0.5 of extra credit.
    assert (rows["s3"]["final_score"], rows["s3"]["auto_final_score"]) == ("5.9", "5.4")
    with open(out / "moodle.csv", encoding="utf-8") as f:
        moodle = {row[0]: row for row in csv.reader(f)}
    assert moodle["s2"][3] == "6.5"  # the grade column
    assert moodle["s2"][4].endswith(" — add 0 → 2,5 « idée juste, signe inversé »")  # its feedback
    assert "add 0 → 2,5" in (out / "summary.html").read_text(encoding="utf-8")
    # The rebuilt gradebook still holds the review (a rerun of grade-class loses nothing).
    assert read_back(out / "gradebook.db", MINI)["s2"] == 6.5
    assert _merge(course, out) == 0 and _rows(out)["s2"]["final_score"] == "6.5"


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (lambda gb: setattr(gb.find_grade("add", MINI, MINI, "s2"), "manual_score", 4.0), ["'s2'", "'add'", "4", "[0, 3]"]),
        (lambda gb: setattr(gb.find_grade("square", MINI, MINI, "s1"), "manual_score", -1.0), ["'s1'", "'square'", "-1"]),
        (lambda gb: setattr(gb.find_grade("scale", MINI, MINI, "s3"), "extra_credit", -2.0), ["'s3'", "'scale'", "-2"]),
        (lambda gb: _ghost(gb), ["'ghost'", "'add'", "not in the class"]),
    ],
    ids=["above-max", "negative", "negative-extra-credit", "unknown-student"],
)
def test_inconsistent_gradebook_is_refused_naming_student_and_item(graded_class, capsys, edit, named):
    course, out = graded_class
    before = {p: p.read_bytes() for p in (out / "grades.csv", out / "moodle.csv", out / "summary.html")}
    with _gradebook(out) as gb:
        edit(gb)
    db_before = (out / "gradebook.db").read_bytes()
    assert _merge(course, out, lang="en") != 0
    err = capsys.readouterr().err
    for word in named:
        assert word in err, err
    assert "nothing was written" in err
    # Nothing lost: the exports, the edited gradebook and every result are as they were.
    assert {p: p.read_bytes() for p in before} == before
    assert (out / "gradebook.db").read_bytes() == db_before
    assert json.loads((out / "students" / "s2" / "result.json").read_text())["final_score"] == 4


def test_a_damaged_gradebook_is_refused_and_nothing_is_lost(graded_class, capsys):
    course, out = graded_class
    before = {p: p.read_bytes() for p in (out / "grades.csv", out / "moodle.csv", out / "summary.html")}
    (out / "gradebook.db").write_bytes(b"not a database, edited by hand\n" * 64)
    assert _merge(course, out, lang="en") != 0
    err = capsys.readouterr().err
    assert "gradebook.db cannot be read" in err and "the automatic results (students/) are untouched" in err
    assert {p: p.read_bytes() for p in before} == before
    assert (out / "gradebook.db").read_bytes().startswith(b"not a database")
    assert json.loads((out / "students" / "s2" / "result.json").read_text())["final_score"] == 4


def _ghost(gb) -> None:
    gb.add_student("ghost")
    gb.add_submission(MINI, "ghost")
    gb.find_grade("add", MINI, MINI, "ghost").manual_score = 1.0


def test_unknown_item_is_refused_after_the_checks_changed(graded_class, capsys):
    course, out = graded_class
    with _gradebook(out) as gb:
        gb.find_comment("add", MINI, MINI, "s1").manual_comment = "ok"
    for p in (out / "students").glob("*/result.json"):  # the TP renamed its item `add` to `plus`
        r = json.loads(p.read_text())
        for c in r["checks"]:
            c["item"] = "plus" if c["item"] == "add" else c["item"]
        p.write_text(json.dumps(r))
    assert _merge(course, out, lang="en") != 0
    err = capsys.readouterr().err
    assert "'s1'" in err and "'add'" in err and "no check of tp_mini grades this item" in err


def test_apply_reviews_keeps_unreviewed_results_untouched():
    results = [_result("s1", _checks(3, 2, 2)), _result("s2", _checks(0, 1, 2))]
    reviews = Reviews({"s2": (ItemReview("square", 1.0, 2.0, None, None),)})
    got = apply_reviews(results, reviews)
    assert got[0] is results[0]
    assert (got[1].final_score, got[1].review.auto_final_score, got[1].review_text) == (4.0, 3.0, "square 1 → 2")
    assert results[1].final_score == 3.0  # a copy, not the result read from disk


def test_an_override_made_before_a_regrade_says_the_automatic_score_changed():
    results = [_result("s1", _checks(3, 2, 2))]
    reviews = Reviews({"s1": (ItemReview("add", 1.0, 2.0, None, "vu"),)})  # reviewed when add scored 1
    got = apply_reviews(results, reviews, lang="en")[0]
    assert got.final_score == 6.0
    assert got.review_text == 'add 3 → 2 (reviewed when the automatic score was 1) "vu"'


def test_an_item_whose_answer_cell_is_missing_still_gets_a_score_input(tmp_path):
    nb = student_notebook(SOLUTION)
    nb["cells"] = [c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") != "scale"]
    report = tmp_path / "students" / "s1" / "report"
    report.mkdir(parents=True)
    (report / "executed.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    assert write_nbgrader_gradebook(tmp_path, [_result("s1", _checks(3, 2, 0))], tp=MINI, notebook=f"{MINI}.ipynb")
    got = json.loads((tmp_path / "autograded" / "s1" / MINI / f"{MINI}.ipynb").read_text(encoding="ascii"))
    graded = [c for c in got["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
    assert [c["metadata"]["nbgrader"]["grade_id"] for c in graded] == ["add", "square", "scale"]
    assert graded[-1]["cell_type"] == "markdown" and "missing" in graded[-1]["source"]


# -- items graded by hand: a real grade-class run, Formgrader's manual grade cell, read back


@pytest.fixture(scope="module")
def manual_class(tmp_path_factory):
    """tp_mini with a written answer `commentaire` (2 points, graded by hand) and a class of
    two real repos graded by grade-class: s1 the solution and an answer, s2 the solution
    without one."""
    from tests.course_builder import FAST, StudentRepo
    from tests.grading.test_manual_items import (
        STUDENT_ANSWER,
        add_manual_item,
        student_with_comment,
    )

    root = tmp_path_factory.mktemp("manual-class")
    course = add_manual_item(build_course(root / "course").root)
    nb = f"{MINI}/{MINI}.ipynb"
    rows = ["student_id,name,repo,branch,email"]
    for sid, comment in (("s1", STUDENT_ANSWER), ("s2", None)):
        repo = StudentRepo(root / "repos" / sid)
        repo.commit({nb: student_with_comment(course, SOLUTION, comment)}, "rendu", date="2026-11-30T18:00:00+01:00")
        rows.append(f"{sid},Élève {sid},{repo.path},main,{sid}@etu.example.fr")
    roster = root / "roster.csv"
    roster.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = root / "class"
    assert main([
        "grade-class", "--roster", str(roster), "--tp", MINI, "--deadline", "2026-12-01T23:59:00+01:00",
        "--out", str(out), "--course", str(course.root),
        "--cell-timeout", str(FAST["cell_timeout"]), "--total-timeout", str(FAST["total_timeout"]),
        "--call-timeout", str(FAST["call_timeout"]),
    ]) == 0
    return course.root, out


def test_a_manual_item_is_pending_in_the_class_outputs_until_graded(manual_class):
    _, out = manual_class
    result = json.loads((out / "students" / "s1" / "result.json").read_text(encoding="utf-8"))
    assert (result["raw_score"], result["max_score"], result["final_score"]) == (MAX_SCORE, MAX_SCORE, MAX_SCORE)
    assert result["manual"] == [{"item": "commentaire", "max_score": 2.0, "title_fr": "Interpréter la courbe",
                                 "title_en": "Interpret the curve"}]
    rows = _rows(out)
    assert (rows["s1"]["final_score"], rows["s1"]["max_score"]) == ("7", "7")  # the automatic total
    assert (rows["s1"]["manual_score"], rows["s1"]["manual_max_score"]) == ("0", "2")
    assert rows["s1"]["review"] == "commentaire à corriger à la main (2 pts)"
    with open(out / "moodle.csv", encoding="utf-8") as f:
        moodle = {row[0]: row for row in csv.reader(f)}
    # Moodle's grade and its comment are out of the automatic total plus the points graded by hand.
    assert rows["s1"]["final_max_score"] == "9"
    assert moodle["s1"][3] == "7" and moodle["s1"][4] == "7 / 9 — commentaire à corriger à la main (2 pts)"


def test_formgrader_has_a_manual_grade_cell_for_the_item(manual_class):
    _, out = manual_class
    with _gradebook(out) as gb:
        cell = gb.find_grade_cell("commentaire", MINI, MINI)
        assert (cell.max_score, cell.cell_type) == (2.0, "markdown")
        sub = gb.find_submission(MINI, "s1")
        grades = {g.name: (g.auto_score, g.manual_score, g.needs_manual_grade) for g in sub.notebooks[0].grades}
        assert sub.needs_manual_grade and gb.assignment_submissions(MINI)[0].max_score == MAX_SCORE + 2
    assert grades["commentaire"] == (None, None, True)  # no automatic score: Manual Grading lists it
    assert grades["add"] == (3.0, None, False)
    # The student's written answer carries the score input in the notebook Formgrader opens.
    nb = json.loads((out / "autograded" / "s1" / MINI / f"{MINI}.ipynb").read_text(encoding="ascii"))
    cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "commentaire")
    assert cell["cell_type"] == "markdown" and cell["metadata"]["nbgrader"]["points"] == 2.0
    assert "la carte d\\u00e9pend bien des poids" in json.dumps(cell["source"], ensure_ascii=True)
    # What Formgrader's pages show, from nbgrader's own API: both need manual grading.
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(out)).load_config()
    api = NbGraderAPI(coursedir=CourseDirectory(config=config))
    submissions = api.get_submissions(MINI)
    (assignment,) = api.get_assignments()
    assert [(s["student"], s["needs_manual_grade"], s["score"]) for s in submissions] == [
        ("s1", True, MAX_SCORE), ("s2", True, MAX_SCORE)
    ]
    assert assignment["max_score"] == MAX_SCORE + 2


def test_a_manual_score_set_in_the_gradebook_counts_in_the_class_outputs(manual_class, tmp_path):
    course, graded = manual_class
    out = tmp_path / "class"
    import shutil

    shutil.copytree(graded, out)
    with _gradebook(out) as gb:
        gb.find_grade("commentaire", MINI, MINI, "s1").manual_score = 1.5
        gb.find_comment("commentaire", MINI, MINI, "s1").manual_comment = "juste, mais sans les chiffres"
    assert _merge(course, out) == 0
    rows = _rows(out)
    assert (rows["s1"]["final_score"], rows["s1"]["auto_final_score"], rows["s1"]["max_score"]) == ("8.5", "7", "7")
    assert (rows["s1"]["manual_score"], rows["s1"]["manual_max_score"]) == ("1.5", "2")
    assert rows["s1"]["review"] == "commentaire 1,5 / 2 (à la main) « juste, mais sans les chiffres »"
    assert (rows["s2"]["final_score"], rows["s2"]["review"]) == ("7", "commentaire à corriger à la main (2 pts)")
    with open(out / "moodle.csv", encoding="utf-8") as f:
        moodle = {row[0]: row for row in csv.reader(f)}
    assert moodle["s1"][3] == "8.5"
    assert moodle["s1"][4] == "8,5 / 9 — commentaire 1,5 / 2 (à la main) « juste, mais sans les chiffres »"
    assert moodle["s2"][4] == "7 / 9 — commentaire à corriger à la main (2 pts)"
    assert (rows["s1"]["final_max_score"], rows["s2"]["final_max_score"]) == ("9", "9")
    summary = (out / "summary.html").read_text(encoding="utf-8")
    assert "commentaire 1,5 / 2 (à la main)" in summary and "<td>8,5 / 9</td>" in summary
    # The rebuilt gradebook keeps the score, and Formgrader's total agrees with final_score.
    with _gradebook(out) as gb:
        assert not gb.find_grade("commentaire", MINI, MINI, "s1").needs_manual_grade
        assert gb.find_grade("commentaire", MINI, MINI, "s2").needs_manual_grade
    assert read_back(out / "gradebook.db", MINI) == {"s1": 8.5, "s2": 7.0}


def test_a_manual_score_above_the_item_points_is_refused(manual_class, tmp_path, capsys):
    course, graded = manual_class
    out = tmp_path / "class"
    import shutil

    shutil.copytree(graded, out)
    with _gradebook(out) as gb:
        gb.find_grade("commentaire", MINI, MINI, "s2").manual_score = 3.0
    assert _merge(course, out, lang="en") != 0
    err = capsys.readouterr().err
    assert "'s2'" in err and "'commentaire'" in err and "[0, 2]" in err


@pytest.mark.slow
def test_the_manual_item_is_scored_in_formgrader_in_a_browser(manual_class, tmp_path):
    """Formgrader in headless Chromium: s1 needs manual grading, the written answer has an
    empty score input (no automatic score), the instructor types 1.5, and merge-class counts it."""
    import shutil

    from selenium.webdriver.common.by import By

    from tests.classroom.test_formgrader_browser import (
        TOKEN,
        _api,
        _browser,
        _jupyter_server,
        _skip_reason,
        _wait,
    )

    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    course, graded = manual_class
    out = tmp_path / "class"
    shutil.copytree(graded, out)
    driver = None
    with _jupyter_server(out, tmp_path) as base:
        try:
            driver = _browser(tmp_path / "chromium-profile")
            driver.set_page_load_timeout(60)
            driver.get(f"{base}/formgrader?token={TOKEN}")
            driver.get(f"{base}/formgrader/manage_submissions/{MINI}")
            _wait(driver, "s1's submission needing manual grading", lambda: [
                r for r in driver.find_elements(By.CSS_SELECTOR, "tbody tr")
                if "s1" in r.text and "needs manual grading" in r.text])
            (sub,) = [n for n in _api(base, f"/formgrader/api/submitted_notebooks/{MINI}/{MINI}") if n["student"] == "s1"]
            driver.get(f"{base}/formgrader/submissions/{sub['id']}")
            score = _wait(driver, "the empty score input of the written answer", lambda: (
                (e := driver.find_element(By.ID, "commentaire")).get_attribute("placeholder") in ("", None) and e))
            assert "la carte dépend bien des poids" in driver.page_source
            score.send_keys("1.5")
            driver.execute_script("arguments[0].blur()", score)
            _wait(driver, "the saved manual score", lambda: [
                g for g in _api(base, f"/formgrader/api/grades?submission_id={sub['id']}")
                if g["name"] == "commentaire" and g["manual_score"] == 1.5 and g["auto_score"] is None])
        finally:
            if driver is not None:
                driver.quit()
    assert _merge(course, out) == 0
    row = _rows(out)["s1"]
    assert (row["final_score"], row["manual_score"], row["review"]) == ("8.5", "1.5", "commentaire 1,5 / 2 (à la main)")


def test_the_export_needs_no_alembic_on_path_and_leaves_the_environment_alone(tmp_path, monkeypatch):
    """nbgrader stamps a new gradebook by running `alembic` from PATH: the export stamps it
    itself (the same head, from alembic's library), so a grader whose venv is not on PATH
    exports all the same, and no process-wide variable is changed to do it."""
    import os
    import sqlite3

    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    db = write_nbgrader_gradebook(tmp_path, [_result("s1", _checks(3, 2, 2))], tp=MINI, notebook=f"{MINI}.ipynb")
    assert os.environ["PATH"] == "/usr/bin:/bin"
    assert db is not None and read_back(db, MINI) == {"s1": MAX_SCORE}
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (ScriptDirectory(ALEMBIC_DIR).get_current_head(),)
        ]
    finally:
        con.close()
