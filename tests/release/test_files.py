"""Release step on a scaffolded TP, with the real nbgrader and real files.

nbgrader costs ~3 s a call, so one built view and one release are shared by the module;
tests that modify a course work on a copy of it.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from autograder.course import Course
from autograder.release.files import VerifyResult, is_up_to_date, release_tp
from autograder.release.scaffold import new_tp
from autograder.release.views import ReleaseError, build_views, check_views, serialise

REPO = Path(__file__).resolve().parents[2]
TP_ID = "tp00_essai"
SOLUTION_LINE = "return x ** 2"
STUB = "raise NotImplementedError()"
HIDDEN_MARK = "test_carre_valeurs_aleatoires"  # a name only the hidden checks contain
SCENARIO_MARK = "carre-doubles-instead-of-squaring"  # a wrong answer of the scaffold's scenarios.py


def make_course(root: Path) -> Course:
    """A course with the repo's nbgrader config, a scaffolded TP and one data file."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    tp_dir = new_tp(root, TP_ID, title_fr="TP d'essai", title_en="Trial TP")
    (tp_dir / "data").mkdir()
    (tp_dir / "data" / "points.csv").write_text("x,y\n1,1\n2,4\n", encoding="utf-8")
    toml = (tp_dir / "tp.toml").read_text(encoding="utf-8")
    (tp_dir / "tp.toml").write_text(
        toml.replace("files = []", 'files = ["data/points.csv"]'), encoding="utf-8"
    )
    # Litter that must not be shipped.
    (tp_dir / "checks" / "public" / "__pycache__").mkdir()
    (tp_dir / "checks" / "public" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    return Course(root)


def ok_verifier(calls: list | None = None):
    def verify(tp, release_nb, solution_nb):
        if calls is not None:
            calls.append((tp.id, release_nb, solution_nb))
        return VerifyResult(ok=True, solution_score=4.0, max_score=4.0, release_score=0.0)

    return verify


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def answer_cell(nb: dict) -> dict:
    (cell,) = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution")]
    return cell


@pytest.fixture(scope="module")
def tmp_course(tmp_path_factory) -> Course:
    return make_course(tmp_path_factory.mktemp("course"))


@pytest.fixture(scope="module")
def views(tmp_course):
    tp = tmp_course.tp(TP_ID)
    return build_views(tp, nbgrader_config=tmp_course.root / "nbgrader_config.py")


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Course:
    course = make_course(tmp_path_factory.mktemp("released"))
    release_tp(course, TP_ID, verify=ok_verifier(), out=lambda _msg: None)
    return course


# --------------------------------------------------------------------------- views


def test_release_view_has_the_stub_and_no_solution(views):
    text = serialise(views.release_nb).decode()
    source = "".join(answer_cell(views.release_nb)["source"])
    assert STUB in source and "# YOUR CODE HERE" in source
    assert SOLUTION_LINE not in text
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text


def test_solution_view_has_the_solution_and_no_markers(views):
    text = serialise(views.solution_nb).decode()
    source = "".join(answer_cell(views.solution_nb)["source"])
    assert SOLUTION_LINE in source
    assert STUB not in text
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    ns: dict = {}
    exec(source, ns)  # the solution cell alone is runnable code
    assert ns["carre"](3) == 9


def test_views_share_cells_and_are_clean(views):
    ids = [c["id"] for c in views.release_nb["cells"]]
    assert ids == [c["id"] for c in views.solution_nb["cells"]] == ["consignes", "donnees", "carre"]
    for nb in (views.release_nb, views.solution_nb):
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None
    ns: dict = {}
    exec("".join(answer_cell(views.release_nb)["source"]), ns)
    with pytest.raises(NotImplementedError):
        ns["carre"](3)


def test_check_views_names_tp_cell_and_grade_id(tmp_course, views):
    tp = tmp_course.tp(TP_ID)
    rel, sol = copy.deepcopy(views.release_nb), copy.deepcopy(views.solution_nb)
    for nb in (rel, sol):  # a second answer cell reusing grade_id "carre"
        dup = copy.deepcopy(nb["cells"][2])
        dup["id"] = "carre-bis"
        nb["cells"].append(dup)
    with pytest.raises(ReleaseError) as err:
        check_views(tp, rel, sol)
    assert TP_ID in err.value.message.fr and "cellule 3" in err.value.message.fr
    assert "carre" in err.value.message.en and "cell 3" in err.value.message.en

    rel = copy.deepcopy(views.release_nb)
    rel["cells"][1]["source"] = "import numpy as np\n"
    with pytest.raises(ReleaseError, match="cell 1 .grade_id 'donnees'"):
        check_views(tp, rel, views.solution_nb)

    rel = copy.deepcopy(views.release_nb)
    rel["cells"].reverse()
    with pytest.raises(ReleaseError, match="same cells"):
        check_views(tp, rel, views.solution_nb)


def test_unmatched_marker_is_a_release_error(tmp_path):
    course = make_course(tmp_path / "c")
    tp = course.tp(TP_ID)
    nb = json.loads(tp.source_notebook.read_text(encoding="utf-8"))
    nb["cells"][2]["source"] = [
        line for line in nb["cells"][2]["source"] if "END SOLUTION" not in line
    ]
    tp.source_notebook.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(ReleaseError, match="generate_assignment failed") as err:
        build_views(tp, nbgrader_config=course.root / "nbgrader_config.py")
    assert "no end solution statement" in err.value.message.en


def test_cells_without_ids_are_refused_before_nbgrader(tmp_path):
    course = make_course(tmp_path / "c")
    tp = course.tp(TP_ID)
    nb = json.loads(tp.source_notebook.read_text(encoding="utf-8"))
    del nb["cells"][1]["id"]
    tp.source_notebook.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(ReleaseError, match="cell 1 .grade_id 'donnees'.: cell without an id"):
        build_views(tp, nbgrader_config=course.root / "nbgrader_config.py")
    nb["cells"][1]["id"] = "consignes"
    tp.source_notebook.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(ReleaseError, match="duplicate id 'consignes'"):
        build_views(tp, nbgrader_config=course.root / "nbgrader_config.py")


# --------------------------------------------------------------------------- writing


def test_release_writes_the_student_and_solution_folders(released):
    tp = released.tp(TP_ID)
    files = tree_bytes(tp.release_dir)
    assert sorted(files) == [
        "checks/test_public.py",
        "data/points.csv",
        "tp.toml",
        f"{TP_ID}.ipynb",
    ]
    assert files["tp.toml"] == (tp.source_dir / "tp.toml").read_bytes()
    assert files["checks/test_public.py"] == (tp.public_checks / "test_public.py").read_bytes()
    assert sorted(tree_bytes(tp.solution_dir)) == [f"{TP_ID}.ipynb"]
    release_nb = json.loads(files[f"{TP_ID}.ipynb"])
    assert STUB in "".join(answer_cell(release_nb)["source"])
    solution_text = tp.solution_notebook.read_text(encoding="utf-8")
    assert SOLUTION_LINE in solution_text and "BEGIN SOLUTION" not in solution_text
    # Normalised form: sorted keys, one-space indent, sources as lines, trailing newline.
    assert files[f"{TP_ID}.ipynb"] == serialise(release_nb)
    assert isinstance(release_nb["cells"][0]["source"], list)
    # Nothing left over from the staged swap, no gradebook in the course.
    assert [p.name for p in (released.root / "release").iterdir()] == [TP_ID]
    assert [p.name for p in (released.root / "solutions").iterdir()] == [TP_ID]
    assert not list(released.root.rglob("gradebook.db"))


def test_hidden_checks_and_scenarios_are_never_released(released):
    tp = released.tp(TP_ID)
    hidden_source = (tp.hidden_checks / "test_hidden.py").read_bytes()
    assert HIDDEN_MARK.encode() in hidden_source
    scenarios = (tp.source_dir / "scenarios.py").read_bytes()
    assert SCENARIO_MARK.encode() in scenarios
    for root in (tp.release_dir, tp.solution_dir):
        for rel, content in tree_bytes(root).items():
            assert "hidden" not in rel and "scenarios" not in rel
            assert content != hidden_source
            assert HIDDEN_MARK.encode() not in content, rel
            assert SCENARIO_MARK.encode() not in content, rel


def test_failed_verification_writes_nothing(released):
    before = tree_bytes(released.root)
    calls: list = []

    def verify(tp, release_nb, solution_nb):
        calls.append(tp.id)
        assert STUB in "".join(answer_cell(release_nb)["source"])
        assert SOLUTION_LINE in "".join(answer_cell(solution_nb)["source"])
        return VerifyResult(
            ok=False,
            solution_score=3.0,
            max_score=4.0,
            release_score=0.0,
            problems=["test_carre_nombre failed on the solution"],
        )

    with pytest.raises(ReleaseError) as err:
        release_tp(released, TP_ID, verify=verify, out=lambda _msg: None)
    assert calls == [TP_ID]
    assert "nothing written" in err.value.message.en and "test_carre_nombre" in err.value.message.en
    assert "3.0/4.0" in err.value.message.fr
    assert tree_bytes(released.root) == before  # same files, same bytes, no staging left


def test_failed_verification_on_a_new_tp_creates_no_folder(tmp_path):
    course = make_course(tmp_path / "c")

    def verify(tp, release_nb, solution_nb):
        return VerifyResult(ok=True, solution_score=4.0, max_score=4.0, release_score=1.0)

    with pytest.raises(ReleaseError, match="earns 1.0 points"):
        release_tp(course, TP_ID, verify=verify, out=lambda _msg: None)
    assert not (course.root / "release").exists()
    assert not (course.root / "solutions").exists()


def test_bad_data_files_are_refused_before_nbgrader(tmp_path):
    course = make_course(tmp_path / "c")
    toml_path = course.tp(TP_ID).source_dir / "tp.toml"
    original = toml_path.read_text(encoding="utf-8")
    for bad in ("checks", "checks/hidden/test_hidden.py", "../../nbgrader_config.py", ".", "scenarios.py"):
        toml_path.write_text(
            original.replace("files = []", f'files = ["{bad}"]').replace(
                'files = ["data/points.csv"]', f'files = ["{bad}"]'
            ),
            encoding="utf-8",
        )
        with pytest.raises(ReleaseError, match="data file"):
            release_tp(course, TP_ID, verify=ok_verifier(), out=lambda _msg: None)
    assert not (course.root / "release").exists()


def test_two_releases_are_byte_identical_and_replace_stale_files(released, tmp_path):
    course = Course(tmp_path / "copy")
    shutil.copytree(released.root, course.root)
    first = tree_bytes(course.root / "release") | {
        f"sol/{k}": v for k, v in tree_bytes(course.root / "solutions").items()
    }
    stale = course.tp(TP_ID).release_dir / "checks" / "old_check.py"
    stale.write_text("# removed from source\n", encoding="utf-8")
    calls: list = []
    release_tp(course, TP_ID, verify=ok_verifier(calls), out=lambda _msg: None)
    second = tree_bytes(course.root / "release") | {
        f"sol/{k}": v for k, v in tree_bytes(course.root / "solutions").items()
    }
    assert second == first
    assert not stale.exists()
    assert len(calls) == 1


def test_is_up_to_date_detects_hand_edits(released, tmp_path):
    course = Course(tmp_path / "copy")
    shutil.copytree(released.root, course.root)
    assert is_up_to_date(course, TP_ID) == []

    tp = course.tp(TP_ID)
    nb = tp.release_notebook.read_text(encoding="utf-8")
    tp.release_notebook.write_text(nb.replace(STUB, "return x * x"), encoding="utf-8")
    (tp.release_dir / "notes.txt").write_text("hand-made\n", encoding="utf-8")
    (tp.solution_dir / tp.config.notebook).unlink()
    diffs = is_up_to_date(course, TP_ID)
    assert diffs == [
        f"release/{TP_ID}/{TP_ID}.ipynb: differs from what source/{TP_ID} releases",
        f"release/{TP_ID}/notes.txt: stale, not produced from source/{TP_ID}",
        f"solutions/{TP_ID}/{TP_ID}.ipynb: missing",
    ]


def test_data_files_reach_the_kernel_at_their_release_path(tmp_course, views, released):
    """data/points.csv is at data/points.csv in release/<tp>/ and in the kernel's work dir."""
    from autograder.config import GradeOptions
    from autograder.grading.grade import grade_notebook_dict

    release_nb, solution_nb = views.release_nb, views.solution_nb
    nb = copy.deepcopy(solution_nb)
    nb["cells"].append(
        {"cell_type": "code", "id": "lire-donnees", "metadata": {}, "execution_count": None,
         "outputs": [], "source": "print(open('data/points.csv').read().replace('\\n', '|'))"}
    )
    graded = grade_notebook_dict(tmp_course.tp(TP_ID), nb, options=GradeOptions(), instructor_nb=release_nb)
    (cell,) = [c for c in graded.executed["cells"] if c.get("id") == "lire-donnees"]
    assert "x,y|1,1|2,4|" in "".join(o.get("text", "") for o in cell["outputs"]), cell["outputs"]
    assert (released.root / "release" / TP_ID / "data" / "points.csv").is_file()


def test_public_helpers_ship_and_hidden_helpers_never_do(tmp_path):
    """Shared check code (issue 16 item 2): a public folder's conftest.py and helper modules
    are released with its checks; the hidden folder's never are."""
    course = make_course(tmp_path / "c")
    tp = course.tp(TP_ID)
    (tp.public_checks / "conftest.py").write_text("import pytest\n", encoding="utf-8")
    (tp.public_checks / "helpers.py").write_text("def close(a, b):\n    return a == b\n", encoding="utf-8")
    (tp.hidden_checks / "conftest.py").write_text("# hidden fixtures\n", encoding="utf-8")
    (tp.hidden_checks / "secret_helpers.py").write_text("SECRET_CASES = [3, 4]\n", encoding="utf-8")
    release_tp(course, TP_ID, verify=ok_verifier(), out=lambda _msg: None)
    shipped = tree_bytes(tp.release_dir)
    assert {"checks/conftest.py", "checks/helpers.py"} <= set(shipped)
    assert not any("secret_helpers" in rel or b"SECRET_CASES" in content for rel, content in shipped.items())
    assert b"# hidden fixtures" not in b"".join(shipped.values())
