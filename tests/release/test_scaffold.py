"""`new_tp` creates a real TP: valid config and notebook, checks, and views that build."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from autograder.config import TPConfig
from autograder.course import Course
from autograder.release.scaffold import ScaffoldError, new_tp
from autograder.release.views import build_views

REPO = Path(__file__).resolve().parents[2]


def test_new_tp_creates_a_complete_tp(tmp_path):
    tp_dir = new_tp(tmp_path, "tp07_essai", title_fr='Carré « 2 » "x"', title_en="Square $x")
    assert tp_dir == tmp_path / "source" / "tp07_essai"
    assert sorted(p.relative_to(tp_dir).as_posix() for p in tp_dir.rglob("*") if p.is_file()) == [
        "checks/hidden/test_hidden.py",
        "checks/public/test_public.py",
        "scenarios.py",
        "tp.toml",
        "tp07_essai.ipynb",
    ]
    cfg = TPConfig.load(tp_dir / "tp.toml")
    assert (cfg.id, cfg.notebook) == ("tp07_essai", "tp07_essai.ipynb")
    assert (cfg.title_fr, cfg.title_en) == ('Carré « 2 » "x"', "Square $x")

    nb = nbformat.read(tp_dir / "tp07_essai.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat_minor >= 5
    kinds = [
        (c.cell_type, c.id, c.metadata.nbgrader["grade_id"], c.metadata.nbgrader["solution"])
        for c in nb.cells
    ]
    assert kinds == [
        ("markdown", "consignes", "consignes", False),
        ("code", "donnees", "donnees", False),
        ("code", "carre", "carre", True),
    ]
    assert 'Carré « 2 » "x"' in nb.cells[0].source
    assert "### BEGIN SOLUTION" in nb.cells[2].source


@pytest.mark.parametrize("where", ["public", "hidden"])
def test_checks_use_the_check_contract(tmp_path, where):
    tp_dir = new_tp(tmp_path, "tp01", title_fr="Un", title_en="One")
    path = tp_dir / "checks" / where / f"test_{where}.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    tests = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]
    assert tests
    for fn in tests:
        assert "submission" in [a.arg for a in fn.args.args]
        marks = {ast.unparse(d) for d in fn.decorator_list}
        assert any(m.startswith("pytest.mark.item('carre', points=") for m in marks)


def test_new_tp_views_build(tmp_path):
    shutil.copyfile(REPO / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    new_tp(tmp_path, "tp02_base", title_fr="Bases", title_en="Basics")
    tp = Course(tmp_path).tp("tp02_base")
    views = build_views(tp, nbgrader_config=tmp_path / "nbgrader_config.py")
    release_answer = "".join(views.release_nb["cells"][2]["source"])
    solution_answer = "".join(views.solution_nb["cells"][2]["source"])
    assert "raise NotImplementedError()" in release_answer and "x ** 2" not in release_answer
    assert "return x ** 2" in solution_answer and "SOLUTION" not in solution_answer
    ns: dict = {}
    exec(solution_answer, ns)
    assert ns["carre"](-3) == 9


@pytest.mark.parametrize("bad", ["", "TP01", "1tp", "tp-01", "tp 01", "../tp", "tp/01", "é"])
def test_new_tp_refuses_bad_ids(tmp_path, bad):
    with pytest.raises(ScaffoldError, match="invalid TP id"):
        new_tp(tmp_path, bad, title_fr="T", title_en="T")
    assert not (tmp_path / "source").exists() or not any((tmp_path / "source").iterdir())


def test_new_tp_refuses_bad_titles(tmp_path):
    with pytest.raises(ScaffoldError, match="invalid fr title"):
        new_tp(tmp_path, "tp01", title_fr="  ", title_en="T")
    with pytest.raises(ScaffoldError, match="invalid en title"):
        new_tp(tmp_path, "tp01", title_fr="T", title_en="two\nlines")


def test_new_tp_never_overwrites(tmp_path):
    tp_dir = new_tp(tmp_path, "tp01", title_fr="Un", title_en="One")
    (tp_dir / "tp01.ipynb").write_text(json.dumps({"mine": True}), encoding="utf-8")
    with pytest.raises(ScaffoldError, match="already exists"):
        new_tp(tmp_path, "tp01", title_fr="Un", title_en="One")
    assert json.loads((tp_dir / "tp01.ipynb").read_text(encoding="utf-8")) == {"mine": True}
    assert [p.name for p in (tmp_path / "source").iterdir()] == ["tp01"]


def test_scaffolded_tp_releases_and_grades_out_of_the_box(tmp_path):
    """The real verifier grades the solution (full marks) and the blank release (0 points)
    through the sandboxed kernel, and the release is written."""
    from autograder.config import GradeOptions
    from autograder.release.files import release_tp
    from autograder.release.verify import make_verifier

    shutil.copyfile(REPO / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    new_tp(tmp_path, "tp03_pret", title_fr="Prêt à noter", title_en="Ready to grade")
    course = Course(tmp_path)
    lines: list[str] = []
    result = release_tp(
        course,
        "tp03_pret",
        verify=make_verifier(GradeOptions(), out=lines.append),
        out=lines.append,
    )
    v = result.verified
    assert v is not None and v.ok, v
    assert v.max_score > 0 and v.solution_score == v.max_score and v.release_score == 0
    assert (tmp_path / "release" / "tp03_pret" / "tp03_pret.ipynb").is_file()
    assert (tmp_path / "solutions" / "tp03_pret" / "tp03_pret.ipynb").is_file()
