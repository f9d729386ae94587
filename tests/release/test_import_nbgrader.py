"""`autograder import-nbgrader`: nbgrader notebooks become TPs that grade as nbgrader does.

Fast tests take the converter apart (regions, points, refusals, old notebooks, data files,
the kernel-side helper); the slow test imports `nbgrader quickstart`'s ps1, generated at
test time, and grades four students with nbgrader's own autograde and with
`autograder grade` on a git repo: the same score for each notebook.
"""

from __future__ import annotations

import ast
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder.checks.nbgrader_tests import HELPER, HELPER_SOURCE
from autograder.config import TPConfig
from autograder.course import Course
from autograder.release.import_nbgrader import (
    ImportRefused,
    check_files,
    convert_notebook,
    import_nbgrader,
    read_nbgrader_notebook,
    split_hidden,
)
from autograder.release.scaffold import new_tp
from autograder.release.views import ReleaseError, build_views

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "nbgrader_config.py"
CLI = [sys.executable, "-m", "autograder"]

SQUARES = '''def squares(n):
    """Squares of 1..n."""
    ### BEGIN SOLUTION
    if n < 1:
        raise ValueError("n >= 1")
    return [i ** 2 for i in range(1, n + 1)]
    ### END SOLUTION
'''
TEST_VISIBLE = "assert squares(1) == [1]\nassert squares(2) == [1, 4]"
TEST_WITH_HIDDEN = TEST_VISIBLE + "\n### BEGIN HIDDEN TESTS\nassert squares(3) == [1, 4, 9]\n### END HIDDEN TESTS\n"


def _cell(kind: str, source: str, **nbgrader) -> dict:
    cell = {"cell_type": kind, "metadata": {}, "source": source}
    if kind == "code":
        cell.update(outputs=[], execution_count=None)
    if nbgrader:
        cell["metadata"]["nbgrader"] = {"schema_version": 3, "locked": False, "grade": False, "solution": False, **nbgrader}
    return cell


def _nb(*cells: dict, minor: int = 0) -> dict:
    return {"nbformat": 4, "nbformat_minor": minor, "metadata": {}, "cells": list(cells)}


def _answer(gid: str = "squares", source: str = SQUARES) -> dict:
    return _cell("code", source, solution=True, grade_id=gid)


def _test(gid: str, source: str, points: float = 1) -> dict:
    return _cell("code", source, grade=True, grade_id=gid, points=points)


def _convert(nb: dict):
    return convert_notebook(nb, tp_id="tp_demo", nb_name="devoir.ipynb")


# --------------------------------------------------------------------------- regions and points


def test_a_hidden_region_is_cut_from_what_students_see_and_kept_for_grading():
    visible, full = split_hidden(TEST_WITH_HIDDEN, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
    assert visible.strip() == TEST_VISIBLE
    assert "squares(3)" in full and "HIDDEN" not in full and TEST_VISIBLE in full


@pytest.mark.parametrize(
    "text",
    [
        "### BEGIN HIDDEN TESTS\nassert x",  # never closed
        "assert x\n### END HIDDEN TESTS",  # closed, never opened
        "### BEGIN HIDDEN TESTS\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS",
    ],
)
def test_unbalanced_hidden_regions_are_not_split(text):
    assert split_hidden(text, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS") is None


def test_test_cells_become_checks_with_their_points_on_the_answer_above():
    nb = _nb(
        _cell("markdown", "# Série 1\nÉnoncé"),
        _answer(),
        _cell("code", "squares(3)"),  # no nbgrader metadata: given code
        _test("correct_squares", TEST_VISIBLE, points=1.5),
        _test("squares_more", TEST_WITH_HIDDEN, points=2),
    )
    conv = _convert(nb)
    assert conv.title == "Série 1"
    assert [(t.grade_id, t.item, t.points, t.has_hidden) for t in conv.tests] == [
        ("correct_squares", "squares", 1.5, False),
        ("squares_more", "squares", 2.0, True),
    ]
    cells = conv.notebook["cells"]
    # Test cells are replaced in place by locked markdown showing only the visible asserts.
    assert [c["cell_type"] for c in cells] == ["markdown", "code", "code", "markdown", "markdown"]
    shown = cells[4]["source"]
    assert "squares(2) == [1, 4]" in shown and "squares(3)" not in shown and "HIDDEN" not in shown
    for c in cells:
        meta = c["metadata"]["nbgrader"]
        assert meta["grade"] is False and meta["grade_id"] and c["id"]
        assert meta["locked"] is (c is not cells[1]) and meta["solution"] is (c is cells[1])
    assert cells[1]["source"] == SQUARES  # the solution region stays for the release to clear

    files = check_files(conv)
    public = ast.parse(files["checks/public/test_nbgrader_public.py"])
    hidden_text = files["checks/hidden/test_nbgrader_hidden.py"]
    marks = {
        fn.name: sorted(ast.unparse(d) for d in fn.decorator_list)
        for fn in public.body
        if isinstance(fn, ast.FunctionDef)
    }
    assert marks == {
        "test_correct_squares": ["pytest.mark.item('squares', points=1.5)"],
        # the visible half of a cell with hidden tests: shown, but the hidden check holds the points
        "test_squares_more_visible": ["pytest.mark.item('squares', points=0)"],
    }
    assert "squares(3)" not in files["checks/public/test_nbgrader_public.py"]
    assert "squares(3) == [1, 4, 9]" in hidden_text and "pytest.mark.item('squares', points=2)" in hidden_text
    assert "hidden=True" in hidden_text


def test_manual_answers_and_tasks_become_manual_items_with_an_answer_cell(tmp_path):
    nb = _nb(
        _answer(),
        _test("correct_squares", TEST_VISIBLE),
        _cell("markdown", "---\n## Part C (1 point)\nWrite the equation."),
        _cell("markdown", "$\\sum i^2$\n### BEGIN MARK SCHEME\nfull marks\n### END MARK SCHEME",
              grade=True, solution=True, grade_id="equation", points=1),
        _cell("markdown", "## Part E (4 points)\nState the formulae.", task=True, grade_id="task-e", points=4, locked=True),
    )
    conv = _convert(nb)
    assert [(m.grade_id, m.points, m.title) for m in conv.manual] == [
        ("equation", 1.0, "Part C (1 point)"),
        ("task-e-answer", 4.0, "Part E (4 points)"),
    ]
    cells = conv.notebook["cells"]
    kinds = [(c["id"], c["metadata"]["nbgrader"]["solution"], c["metadata"]["nbgrader"]["locked"]) for c in cells]
    # The manual answer stays an answer cell; the task stays a locked statement with an answer cell below.
    assert kinds[3:] == [("equation", True, False), ("task-e", False, True), ("task-e-answer", True, False)]
    assert "MARK SCHEME" in cells[3]["source"]  # the release clears it, as nbgrader does
    # Manual answers keep nbgrader's grade-cell metadata (generate_assignment requires it of a
    # markdown answer); every other cell is no grade cell.
    assert [c["id"] for c in cells if c["metadata"]["nbgrader"]["grade"]] == ["equation", "task-e-answer"]
    assert [c["metadata"]["nbgrader"].get("points") for c in cells[3:]] == [1.0, None, 4.0]
    toml = tmp_path / "tp.toml"
    from autograder.release.import_nbgrader import tp_toml

    toml.write_text(tp_toml(conv, []), encoding="utf-8")
    cfg = TPConfig.load(toml)
    assert [(m.grade_id, m.points, m.title.fr) for m in cfg.manual] == [
        ("equation", 1.0, "Part C (1 point)"),
        ("task-e-answer", 4.0, "Part E (4 points)"),
    ]


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("cells", "index", "says"),
    [
        (
            [_answer(), _cell("markdown", "$x^2$", grade=True, solution=True, grade_id="equation")],
            1,
            "manually graded cell without positive points",
        ),
        (
            [_answer(), _cell("code", "x = 1", task=True, grade_id="task-e", points=4, locked=True)],
            1,
            "task that is not a markdown cell",
        ),
        (
            [_answer(), _cell("code", TEST_WITH_HIDDEN, grade=True, solution=True, grade_id="m", points=1)],
            1,
            "HIDDEN TESTS region in a manually graded cell",
        ),
        ([_test("early", TEST_VISIBLE), _answer()], 0, "before any answer cell"),
        ([_answer(), _test("no_points", TEST_VISIBLE, points=0)], 1, "without positive points"),
        ([_answer(), _test("broken", "### BEGIN HIDDEN TESTS\nassert 1")], 1, "malformed HIDDEN TESTS"),
        ([_answer(), _cell("code", TEST_WITH_HIDDEN)], 1, "HIDDEN TESTS region outside a graded test cell"),
        ([_answer(), _test("auto", "### AUTOTEST squares(3)")], 1, "AUTOTEST"),
        ([_answer(), _cell("code", SQUARES)], 1, "SOLUTION marker in a cell that is not an answer"),
        ([_answer(), _answer()], 1, "grade_id already used by cell 0"),
        ([_answer(), _cell("markdown", "ok?", grade=True, grade_id="md", points=1)], 1, "neither an answer nor code"),
        ([_answer(), _cell("markdown", "?", solution=True, grade_id="essay")], 1, "markdown answer that is not graded"),
        ([_answer(), _test("t", TEST_VISIBLE, points=float("inf"))], 1, "without positive points"),
        ([_answer(), _test("t", TEST_VISIBLE, points="beaucoup")], 1, "without positive points"),
    ],
)
def test_what_cannot_be_converted_is_refused_naming_the_cell(cells, index, says):
    with pytest.raises(ImportRefused) as info:
        _convert(_nb(*cells))
    assert f"devoir.ipynb, cell {index}" in info.value.message.en
    assert says in info.value.message.en
    assert f"cellule {index}" in info.value.message.fr


def test_an_old_notebook_is_upgraded_with_stable_cell_ids(tmp_path):
    v3 = nbformat.v4.upgrade(
        nbformat.v3.new_notebook(
            worksheets=[nbformat.v3.new_worksheet(cells=[nbformat.v3.new_code_cell(input="x = 1")])]
        )
    )
    v3["cells"].append(_answer())
    v3["cells"].append(_test("t", TEST_VISIBLE))
    v3["nbformat_minor"] = 0
    for c in v3["cells"]:
        c.pop("id", None)
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(v3), encoding="utf-8")
    first = _convert(read_nbgrader_notebook(path)).notebook
    again = _convert(read_nbgrader_notebook(path)).notebook
    assert first["nbformat_minor"] >= 5
    nbformat.validate(nbformat.from_dict(first))
    assert [c["id"] for c in first["cells"]] == [c["id"] for c in again["cells"]] == ["cell-0", "squares", "t"]


# --------------------------------------------------------------------------- the folder


def _assignment(folder: Path, *notebooks: tuple[str, dict]) -> Path:
    folder.mkdir(parents=True)
    for name, nb in notebooks:
        (folder / name).write_text(json.dumps(nb), encoding="utf-8")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n")
    (folder / "data").mkdir()
    (folder / "data" / "mesures.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (folder / ".ipynb_checkpoints").mkdir()
    return folder


def test_the_assignment_folder_files_become_data_files(tmp_path):
    course = tmp_path / "course"
    shutil.copyfile(CONFIG, (course.mkdir() or course) / "nbgrader_config.py")
    src = _assignment(tmp_path / "ps1", ("devoir.ipynb", _nb(_answer(), _test("t", TEST_WITH_HIDDEN))))
    (done,) = import_nbgrader(course, src, "tp_ps1")
    tp_dir = course / "source" / "tp_ps1"
    assert done.path == tp_dir and (done.public_checks, done.hidden_checks, done.points) == (1, 1, 1.0)
    cfg = TPConfig.load(tp_dir / "tp.toml")
    assert cfg.notebook == "tp_ps1.ipynb" and set(cfg.data_files) == {"image.png", "data"}
    assert (tp_dir / "data" / "mesures.csv").read_text(encoding="utf-8") == "a,b\n1,2\n"
    assert not (tp_dir / ".ipynb_checkpoints").exists()
    assert (course / ".autograder-secret").is_file()  # hidden checks need the course's secret
    # Imported once: a second import never overwrites the author's TP.
    with pytest.raises(ImportRefused, match="already exists"):
        import_nbgrader(course, src, "tp_ps1")


def test_a_notebook_given_alone_says_which_sibling_notebooks_it_left_out(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    good = _nb(_answer(), _test("t", TEST_VISIBLE))
    src = _assignment(tmp_path / "ps1", ("a.ipynb", good), ("b.ipynb", good))
    (done,) = import_nbgrader(course, src / "a.ipynb", "tp_a")
    assert [n.en for n in done.notes] == [
        "b.ipynb left out: another notebook (import it on its own, or import the folder)"
    ]
    both = import_nbgrader(course, src, "tp_ps")  # the folder: one TP per notebook
    assert [d.tp_id for d in both] == ["tp_ps_a", "tp_ps_b"]


def test_a_refused_notebook_in_a_folder_writes_nothing(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    # b.ipynb has an answer cell but nothing graded, automatically or by hand.
    src = _assignment(
        tmp_path / "ps1", ("a.ipynb", _nb(_answer(), _test("t", TEST_VISIBLE))), ("b.ipynb", _nb(_answer()))
    )
    with pytest.raises(ImportRefused, match=r"b.ipynb: no graded cell") as info:
        import_nbgrader(course, src, "tp_ps")
    assert "b.ipynb : aucune cellule notée" in info.value.message.fr
    assert not (course / "source").exists() or not any((course / "source").iterdir())


def test_a_notebook_of_manual_answers_only_imports_as_manual_items(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    essay = _cell("markdown", "?", grade=True, solution=True, grade_id="essay", points=2)
    (done,) = import_nbgrader(course, _assignment(tmp_path / "ps2", ("essai.ipynb", _nb(essay))), "tp_essai")
    assert (done.public_checks, done.hidden_checks, done.points, done.manual_points) == (0, 0, 0, 2)
    cfg = TPConfig.load(done.path / "tp.toml")
    assert [(m.grade_id, m.points) for m in cfg.manual] == [("essay", 2.0)]
    assert not list((done.path / "checks").rglob("*.py"))  # no check: nothing to grade automatically


# --------------------------------------------------------------------------- the kernel-side helper


def _helper() -> dict:
    ns: dict = {"squares": lambda n: [i**2 for i in range(1, n + 1)]}
    exec(HELPER_SOURCE, ns)  # what submission.define runs in the kernel's namespace
    return ns


def test_a_hidden_cell_leaves_no_name_and_no_text_behind():
    ns = _helper()
    before = set(ns)
    ok = ns[HELPER]("probe = 41\ndef f():\n    return probe\nassert f() == 41", "nbgrader test t", True)
    assert ok == (True, "", "", "") and set(ns) == before
    failed = ns[HELPER]("secret = 3\nassert squares(2) == [9], 'expected [9]'", "nbgrader test t", True)
    assert failed == (False, "AssertionError", "", "") and set(ns) == before
    # Another error of a hidden cell says nothing of it either (its type is the student's choice).
    assert ns[HELPER]("hidden_name = 1\nsquares(None)", "nbgrader test t", True) == (False, "", "", "")
    assert set(ns) == before


def test_a_visible_cell_runs_in_the_notebook_namespace_and_reports_its_assertion():
    ns = _helper()
    assert ns[HELPER]("kept = squares(2)", "nbgrader test t", False) == (True, "", "", "")
    assert ns["kept"] == [1, 4]  # as in nbgrader: a test cell's names stay in the notebook
    # The failing line is named: the student sees the visible asserts anyway.
    assert ns[HELPER]("assert squares(1) == [1]\nassert squares(2) == [9], 'expected [9]'", "nbgrader test t", False) == (
        False,
        "AssertionError",
        "expected [9]",
        "assert squares(2) == [9], 'expected [9]'",
    )
    assert ns[HELPER]("x = 1\nsquares(None)", "nbgrader test t", False)[::3] == (False, "squares(None)")
    assert ns[HELPER]("x = 1\nsquares(None)", "nbgrader test t", False)[1] == "TypeError"


# --------------------------------------------------------------------------- release


def test_release_refuses_hidden_tests_and_nbgrader_test_cells_left_in_a_source(tmp_path):
    new_tp(tmp_path, "tp_essai", title_fr="Essai", title_en="Trial")
    tp = Course(tmp_path).tp("tp_essai")
    nb = json.loads(tp.source_notebook.read_text(encoding="utf-8"))
    pristine = json.dumps(nb)
    for cell, says in (
        ({"id": "t1", **_cell("code", "x = 1\n" + TEST_WITH_HIDDEN)}, "a HIDDEN TESTS region"),
        ({"id": "t1", **_test("correct_carre", "assert carre(2) == 4")}, "an nbgrader test cell (grade: true)"),
    ):
        nb = json.loads(pristine)
        nb["cells"].append(cell)
        tp.source_notebook.write_text(json.dumps(nb), encoding="utf-8")
        with pytest.raises(ReleaseError) as info:
            build_views(tp, nbgrader_config=CONFIG)
        index = len(nb["cells"]) - 1
        assert f"cell {index}" in info.value.message.en and says in info.value.message.en
        assert "autograder import-nbgrader" in info.value.message.en


# --------------------------------------------------------------------------- nbgrader's own course


def _env() -> dict:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["JUPYTER_NO_CONFIG"] = "1"
    return env


def _run(cmd: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, (cmd, proc.stdout[-2000:], proc.stderr[-3000:])
    return proc


# Answers of four students, by answer cell: what each earns is nbgrader's business and ours.
CORRECT_SQUARES = "def squares(n):\n    if n < 1:\n        raise ValueError('n')\n    return [i ** 2 for i in range(1, n + 1)]\n"
CORRECT_SUM = "def sum_of_squares(n):\n    return sum(squares(n))\n"
STUDENTS = {
    "all_correct": {"squares": CORRECT_SQUARES, "sum_of_squares": CORRECT_SUM},
    # squares off by one (0..n-1) but still raising: the correct_squares and sum cells fail
    "wrong_squares": {
        "squares": "def squares(n):\n    if n < 1:\n        raise ValueError('n')\n    return [i ** 2 for i in range(n)]\n",
        "sum_of_squares": CORRECT_SUM,
    },
    # sum_of_squares left as released (raise NotImplementedError)
    "untouched_sum": {"squares": CORRECT_SQUARES},
    # passes the visible asserts of correct_sum_of_squares by hard-coding them: the hidden one fails
    "hardcoded_sum": {
        "squares": CORRECT_SQUARES,
        "sum_of_squares": "def sum_of_squares(n):\n    squares(n)\n    return {1: 1, 2: 5, 10: 385, 11: 506}.get(n, 0)\n",
    },
    # reads the constants of the test code calling it and sends them back in an error: it runs
    # inside the hidden test as under nbgrader, but what it stole must reach no report
    "spy": {
        "squares": CORRECT_SQUARES,
        "sum_of_squares": (
            "import sys\n"
            "def sum_of_squares(n):\n"
            "    stolen = repr(sys._getframe(1).f_code.co_consts)\n"
            "    if n == 12:\n"
            "        raise ValueError('STO' + 'LEN ' + stolen)\n"  # the marker is not in its source
            "    return sum(squares(n))\n"
        ),
    },
}


def _add_hidden_test(nb_path: Path) -> None:
    """A hidden test in problem1's correct_sum_of_squares: a hard-coded sum passes the visible ones."""
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    for c in nb["cells"]:
        if c["metadata"].get("nbgrader", {}).get("grade_id") == "correct_sum_of_squares":
            c["source"] = "".join(c["source"]) + "\n### BEGIN HIDDEN TESTS\nassert sum_of_squares(12) == 650\n### END HIDDEN TESTS\n"
    nb_path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def _answered(nb: dict, answers: dict[str, str]) -> dict:
    nb = json.loads(json.dumps(nb))
    for c in nb["cells"]:
        gid = c["metadata"].get("nbgrader", {}).get("grade_id")
        if gid in answers:
            c["source"] = answers[gid]
    return nb


@pytest.mark.slow
def test_nbgrader_quickstart_grades_the_same_after_import(tmp_path):
    _run([sys.executable, "-m", "nbgrader", "quickstart", "course101"], tmp_path, 300)
    nbg_course = tmp_path / "course101"
    ps1 = nbg_course / "source" / "ps1"
    course = tmp_path / "course"
    course.mkdir()
    shutil.copyfile(CONFIG, course / "nbgrader_config.py")

    _add_hidden_test(ps1 / "problem1.ipynb")
    # problem1 as generated (its manual answers and task: manual items), plus a hidden test.
    out = _run([*CLI, "import-nbgrader", str(ps1 / "problem1.ipynb"), "ps1", "--course", str(course)], course)
    assert "1 hidden checks, 3 points, 7 points graded by hand, data files jupyter.png" in out.stdout
    assert "problem2.ipynb left out" in out.stdout
    assert TPConfig.load(course / "source" / "ps1" / "tp.toml").title_fr == "problem1"  # no level-1 heading
    (ps1 / "problem2.ipynb").unlink()  # nbgrader's side grades problem1 alone too
    _run([*CLI, "release", "ps1", "--course", str(course)], course)
    released = json.loads((course / "release" / "ps1" / "ps1.ipynb").read_text(encoding="utf-8"))
    assert "sum_of_squares(12)" not in json.dumps(released)
    assert (course / "release" / "ps1" / "jupyter.png").is_file()

    # nbgrader's side: its release, the students' submissions, its autograde.
    _run([sys.executable, "-m", "nbgrader", "generate_assignment", "ps1", "--force"], nbg_course)
    nbg_release = json.loads((nbg_course / "release" / "ps1" / "problem1.ipynb").read_text(encoding="utf-8"))
    for sid, answers in STUDENTS.items():
        sub = nbg_course / "submitted" / sid / "ps1"
        sub.mkdir(parents=True)
        (sub / "problem1.ipynb").write_text(json.dumps(_answered(nbg_release, answers)), encoding="utf-8")
    _run([sys.executable, "-m", "nbgrader", "autograde", "ps1", "--force"], nbg_course)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{nbg_course / 'gradebook.db'}") as gb:
        theirs = {sid: gb.find_submission_notebook("problem1", "ps1", sid).score for sid in STUDENTS}

    # Ours: each student's notebook committed to a git repo, graded by `autograder grade`.
    import git

    repo_dir = tmp_path / "repo"
    repo = git.Repo.init(repo_dir)
    (repo_dir / "ps1").mkdir()
    who = git.Actor("Élève Test", "eleve@example.fr")
    ours, messages = {}, {}
    for sid, answers in STUDENTS.items():
        (repo_dir / "ps1" / "ps1.ipynb").write_text(json.dumps(_answered(released, answers)), encoding="utf-8")
        repo.index.add(["ps1/ps1.ipynb"])
        sha = repo.index.commit(sid, author=who, committer=who).hexsha
        dest = tmp_path / "graded" / sid
        _run(
            [*CLI, "grade", "--repo", str(repo_dir), "--ref", sha, "--tp", "ps1", "--out", str(dest),
             "--course", str(course), "--student", f"import/{sid}"],
            course,
        )
        grade = json.loads((dest / "grade.json").read_text(encoding="utf-8"))
        assert (grade["max_score"], grade["manual_pending"]) == (3, 7)  # problem1's 7 manual points wait for Formgrader
        ours[sid] = grade["score"]
        messages[sid] = {t["name"]: t.get("output", "") for t in grade["tests"]}
        reports = " ".join(p.read_text(encoding="utf-8", errors="replace") for p in dest.iterdir() if p.is_file())
        assert "STOLEN" not in reports, sid

    assert theirs == {"all_correct": 3.0, "wrong_squares": 1.5, "untouched_sum": 2.0, "hardcoded_sum": 2.5, "spy": 2.5}
    assert ours == theirs
    # A public test names its failing line; the hidden one names its cell only.
    assert "assert squares(1) == [1]" in messages["wrong_squares"]["test_correct_squares"]
    assert "sum_of_squares(12)" not in json.dumps(messages)
    assert messages["hardcoded_sum"]["test_correct_sum_of_squares"].endswith("« correct_sum_of_squares » a échoué")


def test_the_cli_imports_or_refuses_naming_the_cell(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    good = _assignment(tmp_path / "good", ("devoir.ipynb", _nb(_answer(), _test("t", TEST_WITH_HIDDEN, points=2))))
    done = subprocess.run(
        [*CLI, "import-nbgrader", str(good), "tp_good", "--course", str(course)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "1 public and 1 hidden checks, 2 points, data files data, image.png" in done.stdout
    assert "`autograder release tp_good`" in done.stdout
    bad = tmp_path / "bad.ipynb"
    bad.write_text(json.dumps(_nb(_answer(), _test("t", "### AUTOTEST squares(3)"))), encoding="utf-8")
    refused = subprocess.run(
        [*CLI, "import-nbgrader", str(bad), "tp_bad", "--course", str(course)],
        capture_output=True, text=True, timeout=120,
    )
    assert refused.returncode == 2
    assert "bad.ipynb, cellule 1 (grade_id « t ») : cellule AUTOTEST" in refused.stderr
    assert not (course / "source" / "tp_bad").exists()


# Written answers to problem2's two parts (graded by hand in nbgrader), by student.
ESSAYS = {
    "alice": {"part-a": "It computes Fibonacci numbers recursively.", "part-b": "Negative inputs never reach a base case."},
    "bob": {"part-a": "It sorts the list."},  # part-b left as released
}


@pytest.mark.slow
def test_nbgrader_quickstart_whole_ps1_with_its_all_manual_problem2(tmp_path):
    """ps1 imported whole: problem2 (two written answers, 3 points, no test cell) becomes a
    TP of manual items only. It releases (automatic total 0), grades to 0 of 0 with 3
    points pending, is scored in Formgrader's gradebook, and counts once scored there."""
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    from autograder.classroom.nbgrader_export import read_back
    from tests.course_builder import StudentRepo

    _run([sys.executable, "-m", "nbgrader", "quickstart", "course101"], tmp_path, 300)
    ps1 = tmp_path / "course101" / "source" / "ps1"
    course = tmp_path / "course"
    course.mkdir()
    shutil.copyfile(CONFIG, course / "nbgrader_config.py")
    out = _run([*CLI, "import-nbgrader", str(ps1), "ps1", "--course", str(course)], course).stdout
    assert "problem1.ipynb -> " in out and "3 points, 7 points graded by hand" in out
    assert "problem2.ipynb -> " in out and "0 public and 0 hidden checks, 0 points, 3 points graded by hand" in out
    assert "`autograder release ps1_problem1`" in out and "`autograder release ps1_problem2`" in out
    cfg = TPConfig.load(course / "source" / "ps1_problem2" / "tp.toml")
    assert [(m.grade_id, m.points) for m in cfg.manual] == [("part-a", 1.0), ("part-b", 2.0)]

    # Released: the run of both views is the check (automatic total 0), the answers cleared.
    rel = _run([*CLI, "release", "ps1_problem2", "--course", str(course)], course).stdout
    assert "(automatic; + 3 points graded by hand in Formgrader)" in rel
    released = json.loads((course / "release" / "ps1_problem2" / "ps1_problem2.ipynb").read_text(encoding="utf-8"))
    assert "fibonnaci" not in json.dumps(released)  # the solution's written answer is not released

    # A class of two, graded by grade-class.
    rows = ["student_id,name,repo,branch,email"]
    for sid, answers in ESSAYS.items():
        repo = StudentRepo(tmp_path / "repos" / sid)
        repo.commit({"ps1_problem2/ps1_problem2.ipynb": _answered(released, answers)}, "rendu", date="2026-11-30T18:00:00+01:00")
        rows.append(f"{sid},Élève {sid},{repo.path},main,{sid}@etu.example.fr")
    (tmp_path / "roster.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    klass = tmp_path / "class"
    graded = _run(
        [*CLI, "grade-class", "--roster", str(tmp_path / "roster.csv"), "--tp", "ps1_problem2",
         "--deadline", "2026-12-01T23:59:00+01:00", "--out", str(klass), "--course", str(course)],
        course,
    ).stdout
    assert "2 notés sur 2" in graded and "Sans note ou à zéro" not in graded  # 0 of 0 is no zero to look at

    report = klass / "students" / "alice" / "report"
    grade = json.loads((report / "grade.json").read_text(encoding="utf-8"))
    assert (grade["score"], grade["max_score"], grade["manual_pending"], grade["problems"]) == (0, 0, 3, [])
    assert [(t["name"], t["autograder_status"], t["max_score"]) for t in grade["tests"]] == [
        ("part-a", "pending-manual", 1), ("part-b", "pending-manual", 2)
    ]
    feedback = (report / "feedback.md").read_text(encoding="utf-8")
    assert "(+ 3 pts à corriger à la main)" in feedback and "toutes ses parties sont corrigées à la main" in feedback
    assert "n'a pu être exécutée" not in feedback
    page = (report / "feedback.html").read_text(encoding="utf-8")
    assert "à corriger à la main" in page and 'role="progressbar"' not in page  # no automatic score to draw
    import xml.etree.ElementTree as ET

    suite = ET.parse(report / "junit.xml").getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("skipped"), suite.get("failures")) == ("2", "2", "0")

    # Pending everywhere, out of 3.
    with open(klass / "grades.csv", encoding="utf-8") as f:
        grades = {r["student_id"]: r for r in csv.DictReader(f)}
    alice = grades["alice"]
    assert (alice["final_score"], alice["max_score"], alice["manual_max_score"], alice["final_max_score"]) == ("0", "0", "3", "3")
    assert alice["review"] == "part-a à corriger à la main (1 pts); part-b à corriger à la main (2 pts)"
    with open(klass / "moodle.csv", encoding="utf-8") as f:
        moodle = {r[0]: r for r in csv.reader(f)}
    assert moodle["alice"][4] == "0 / 3 — part-a à corriger à la main (1 pts); part-b à corriger à la main (2 pts)"

    # nbgrader's own autograde of the same answers: 0 automatic points of 3, both to grade by hand.
    nbg_course = ps1.parents[1]
    (ps1 / "problem1.ipynb").unlink()  # problem2 alone on nbgrader's side too
    _run([sys.executable, "-m", "nbgrader", "generate_assignment", "ps1", "--force"], nbg_course)
    nbg_release = json.loads((nbg_course / "release" / "ps1" / "problem2.ipynb").read_text(encoding="utf-8"))
    for sid, answers in ESSAYS.items():
        sub = nbg_course / "submitted" / sid / "ps1"
        sub.mkdir(parents=True)
        (sub / "problem2.ipynb").write_text(json.dumps(_answered(nbg_release, answers)), encoding="utf-8")
    _run([sys.executable, "-m", "nbgrader", "autograde", "ps1", "--force"], nbg_course)
    with Gradebook(f"sqlite:///{nbg_course / 'gradebook.db'}") as gb:
        theirs = {
            sid: (nb.score, nb.max_score, nb.needs_manual_grade)
            for sid in ESSAYS
            for nb in [gb.find_submission_notebook("problem2", "ps1", sid)]
        }
    assert theirs == {sid: (float(grades[sid]["final_score"]), float(grades[sid]["final_max_score"]), True) for sid in ESSAYS}

    # Formgrader: the assignment worth 3, both parts manual grade cells needing grading.
    config = PyFileConfigLoader("nbgrader_config.py", path=str(klass)).load_config()
    api = NbGraderAPI(coursedir=CourseDirectory(config=config))
    (assignment,) = api.get_assignments()
    submissions = api.get_submissions("ps1_problem2")
    assert assignment["max_score"] == 3
    assert sorted((s["student"], s["needs_manual_grade"], s["score"]) for s in submissions) == [
        ("alice", True, 0), ("bob", True, 0)
    ]
    nb = json.loads((klass / "autograded" / "alice" / "ps1_problem2" / "ps1_problem2.ipynb").read_text(encoding="ascii"))
    cells = {c["metadata"]["nbgrader"]["grade_id"]: c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")}
    assert sorted(cells) == ["part-a", "part-b"] and "Fibonacci" in cells["part-a"]["source"]
    assert [cells[g]["metadata"]["nbgrader"]["points"] for g in ("part-a", "part-b")] == [1.0, 2.0]

    # The instructor scores alice in Formgrader's gradebook; merge-class counts it.
    with Gradebook(f"sqlite:///{klass / 'gradebook.db'}") as gb:
        gb.find_grade("part-a", "ps1_problem2", "ps1_problem2", "alice").manual_score = 1.0
        gb.find_grade("part-b", "ps1_problem2", "ps1_problem2", "alice").manual_score = 1.5
        gb.find_comment("part-b", "ps1_problem2", "ps1_problem2", "alice").manual_comment = "and large inputs?"
        gb.db.commit()
    _run([*CLI, "merge-class", "--tp", "ps1_problem2", "--out", str(klass), "--course", str(course)], course)
    with open(klass / "grades.csv", encoding="utf-8") as f:
        grades = {r["student_id"]: r for r in csv.DictReader(f)}
    assert (grades["alice"]["final_score"], grades["alice"]["manual_score"], grades["alice"]["final_max_score"]) == ("2.5", "2.5", "3")
    assert (grades["bob"]["final_score"], grades["bob"]["manual_score"]) == ("0", "0")
    with open(klass / "moodle.csv", encoding="utf-8") as f:
        moodle = {r[0]: r for r in csv.reader(f)}
    assert moodle["alice"][3] == "2.5"
    assert moodle["alice"][4] == "2,5 / 3 — part-a 1 / 1 (à la main); part-b 1,5 / 2 (à la main) « and large inputs? »"
    summary = (klass / "summary.html").read_text(encoding="utf-8")
    assert "<td>2,5 / 3</td>" in summary and "<td>0 / 3</td>" in summary
    assert read_back(klass / "gradebook.db", "ps1_problem2") == {"alice": 2.5, "bob": 0.0}
