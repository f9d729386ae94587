"""`autograder similarity` over a real class folder of git repos (classes, html, the command).

The class is built on the real ``release/tp01_gradients`` notebook of this course: six
students with their own solutions of the same answer cells, one who copied alice and
disguised it, two who handed in the untouched release, one with no submission. Each has a
real git repo and a ``result.json`` naming the graded commit (no grading is run).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from autograder.classroom.similarity import classes, tokens, winnowing
from autograder.cli import main
from tests.classroom.similarity.students import COPIED_FROM, COPY, INDEPENDENT

ROOT = Path(__file__).resolve().parents[3]
TP = "tp01_gradients"
NB_PATH = f"{TP}/{TP}.ipynb"
COPIER = "gaspard"
HOSTILE_NAME = "<b>Gaspard</b> & <script>alert('nom')</script>"




def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        [
            "git",
            "-c",
            "user.name=Élève",
            "-c",
            "user.email=e@etu.example.fr",
            "-c",
            "core.hooksPath=/dev/null",
            *args,
        ],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


STUB_BODIES = (
    "    # YOUR CODE HERE\n    raise NotImplementedError()",
    "# YOUR CODE HERE\nraise NotImplementedError()",
)


def _release() -> dict[str, Any]:
    return json.loads((ROOT / "release" / TP / f"{TP}.ipynb").read_text(encoding="utf-8"))


def _filled(
    release: dict[str, Any], cells: dict[str, str], *, whole: bool, scratch: list[str]
) -> dict[str, Any]:
    """The release notebook with these answer cells written by a student (+ scratch cells)."""
    nb = json.loads(json.dumps(release))
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid not in cells:
            continue
        if whole:
            cell["source"] = cells[gid]
            continue
        stub = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        stub_body = next(s for s in STUB_BODIES if s in stub)
        cell["source"] = stub.replace(stub_body, cells[gid].strip("\n"))
    for i, src in enumerate(scratch):
        nb["cells"].append(
            {
                "cell_type": "code",
                "id": f"brouillon-{i}",
                "metadata": {},
                "source": src,
                "outputs": [],
                "execution_count": None,
            }
        )
    return nb


SCRATCH = {
    "alice": [
        "print(nombre_parametres([784, 256, 10]))\nprint(gradient_numerique(f, np.ones(2)))\n"
    ],
    COPIER: [
        "print(nombre_parametres([784, 256, 10]))\nprint(gradient_numerique(f, np.ones(2)))\n"
    ],
    "david": [  # the given demo cell pasted again: release code, excluded
        'x0 = np.array([1.0, 1.0])\nfor lr in [LR_CONVERGE, LR_DIVERGE]:\n    traj = descente_gradient(grad_f, x0, lr, 20)\n    print(f"lr = {lr:<6} x_20 = {traj[-1]}   f(x_20) = {f(traj[-1]):.3g}")\n'
    ],
    "emma": ["%timeit gradient_numerique(f, np.ones(3))\nerr = erreur_relative(1.0, 1.0 + 1e-9)\n"],
}


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    """Class folder: students/<id>/result.json (+ report/executed.ipynb for most)."""
    root = tmp_path_factory.mktemp("class")
    release = _release()
    notebooks: dict[str, dict[str, Any]] = {}
    for sid, cells in INDEPENDENT.items():
        notebooks[sid] = _filled(release, cells, whole=False, scratch=SCRATCH.get(sid, []))
    copy_cells = {
        **COPY,
        "count_params": COPY["count_params"].replace(
            "# poids", "# </pre><script>alert(1)</script> poids"
        ),
    }
    notebooks[COPIER] = _filled(release, copy_cells, whole=True, scratch=SCRATCH[COPIER])
    notebooks["hugo"] = _filled(release, {}, whole=True, scratch=[])  # untouched release
    notebooks["ines"] = _filled(release, {}, whole=True, scratch=["print('rien')\n"])
    out = root / "out"
    for sid, nb in notebooks.items():
        repo = root / "repos" / sid
        (repo / TP).mkdir(parents=True)
        _git(repo, "init", "-q", "-b", "main")
        (repo / NB_PATH).write_text(json.dumps(release, indent=1), encoding="utf-8")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", "sujet")
        (repo / NB_PATH).write_text(json.dumps(nb, indent=1), encoding="utf-8")
        _git(repo, "commit", "-q", "--allow-empty", "-am", "rendu")
        sha = _git(repo, "rev-parse", "HEAD")
        (repo / NB_PATH).write_text(json.dumps(release), encoding="utf-8")  # later work, not graded
        sdir = out / "students" / sid
        sdir.mkdir(parents=True)
        name = HOSTILE_NAME if sid == COPIER else f"Élève {sid.capitalize()}"
        result = {
            "student_id": sid,
            "name": name,
            "repo": str(repo),
            "sha": sha,
            "tp": TP,
            "status": "graded",
        }
        (sdir / "result.json").write_text(json.dumps(result), encoding="utf-8")
        if sid != "chloe":  # chloe's report is missing: read from git only
            (sdir / "report").mkdir()
            (sdir / "report" / "executed.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    shutil.rmtree(root / "repos" / "bruno")  # bruno's repo is gone: executed.ipynb is used
    (out / "students" / "jules").mkdir()
    (out / "students" / "jules" / "result.json").write_text(
        json.dumps(
            {
                "student_id": "jules",
                "repo": str(root / "repos" / "jules"),
                "sha": None,
                "tp": TP,
                "status": "no-submission",
            }
        ),
        encoding="utf-8",
    )
    return out


@pytest.fixture(scope="module")
def report(klass: Path) -> dict[str, Any]:
    from autograder.course import Course

    return classes.run(klass, TP, Course(ROOT), klass / "sim")


def test_only_the_copied_pair_is_flagged(report):
    flagged = [{p["a"], p["b"]} for p in report["pairs"]]
    assert flagged == [{COPIED_FROM, COPIER}], report["pairs"]
    copied = report["pairs"][0]
    assert copied["score"] >= 0.9 and copied["containment"] >= 0.95
    assert report["highest_unflagged"][0]["score"] < 0.5  # best independent pair, far below
    cells = {c["grade_id"]: c for c in copied["cells"]}
    assert set(cells) == {"mlp_backward", "numerical_gradient", "count_params"}
    assert cells["numerical_gradient"]["jaccard"] == 1.0 and cells["count_params"]["jaccard"] == 1.0
    assert 0.8 <= cells["mlp_backward"]["jaccard"] < 1.0  # np.sum(x, axis=0) for x.sum(axis=0)
    # one-liners everybody writes alike are too short to be compared
    assert {"param_count_784", "grad_f"} <= set(copied["not_compared"])
    assert report["n_pairs"] == 36  # 9 students read, jules skipped


def test_reads_the_graded_commit_and_falls_back_to_executed_notebook(report):
    origin = {s["id"]: s["origin"] for s in report["students"]}
    assert origin["bruno"] == "executed.ipynb"
    assert origin["chloe"] == "git" and origin["alice"] == "git"
    assert report["skipped"] == [{"id": "jules", "reason": "no graded commit"}]
    # the work after the graded commit (the release written back) was not what was read
    prints = {s["id"]: s["fingerprints"] for s in report["students"]}
    assert prints["chloe"]["mlp_backward"] > 20
    # untouched release: stubs and given code are excluded, nothing is left to compare
    assert set(prints["hugo"].values()) == {0} and set(prints["ines"].values()) == {0}
    assert "(scratch)" not in prints["alice"]


def test_reports_are_written_and_escaped(klass, report):
    data = json.loads((klass / "sim" / "similarity.json").read_text(encoding="utf-8"))
    assert data["pairs"] == report["pairs"]
    assert data["parameters"]["k"] == winnowing.K and data["parameters"]["window"] == winnowing.WINDOW
    page = (klass / "sim" / "similarity.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "<b>Gaspard" not in page
    assert "&lt;b&gt;Gaspard&lt;/b&gt; &amp; &lt;script&gt;" in page
    assert "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<span class="m">' in page  # matching lines highlighted
    assert "<link" not in page and "src=" not in page  # self-contained
    assert page.count("class='side'") == 3  # the flagged pair's three compared cells


def test_scratch_cells_are_optional_and_do_not_flag_independent_students(klass):
    from autograder.course import Course

    params = classes.Params(include_scratch=True, min_fingerprints=4)
    rep = classes.run(klass, TP, Course(ROOT), klass / "sim-scratch", params)
    assert [{p["a"], p["b"]} for p in rep["pairs"]] == [{COPIED_FROM, COPIER}]
    prints = {s["id"]: s["fingerprints"] for s in rep["students"]}
    assert prints["alice"]["(scratch)"] > 0
    assert prints["david"]["(scratch)"] == 0  # pasted given code is the release's


def test_cli(klass, capsys, tmp_path):
    code = main(
        [
            "similarity",
            "--class-dir",
            str(klass),
            "--tp",
            TP,
            "--course",
            str(ROOT),
            "--out",
            str(tmp_path),
            "--threshold",
            "0.8",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert f"{COPIED_FROM} ↔ {COPIER}" in out and "1 at or above 0.8" in out
    assert (tmp_path / "similarity.json").is_file() and (tmp_path / "similarity.html").is_file()
    # a threshold low enough flags independent pairs too: the score is what decides
    assert (
        main(
            [
                "similarity",
                "--class-dir",
                str(klass),
                "--tp",
                TP,
                "--course",
                str(ROOT),
                "--out",
                str(tmp_path),
                "--threshold",
                "0.2",
            ]
        )
        == 0
    )
    assert len(json.loads((tmp_path / "similarity.json").read_text(encoding="utf-8"))["pairs"]) > 1


def test_cli_errors(tmp_path, capsys):
    assert (
        main(["similarity", "--class-dir", str(tmp_path), "--tp", TP, "--course", str(ROOT)]) == 2
    )
    assert "students/" in capsys.readouterr().err
    (tmp_path / "students").mkdir()
    assert (
        main(
            ["similarity", "--class-dir", str(tmp_path), "--tp", "tp99_nope", "--course", str(ROOT)]
        )
        == 2
    )


# -- answer cells named by the instructor, huge cells ----------------------------------------


def _clear_solution_flags(nb: dict[str, Any]) -> dict[str, Any]:
    """What a copier does to hide: the answer cells lose their nbgrader `solution` flag
    (grade_id kept, so graft still grades them)."""
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta and meta.get("solution"):
            meta["solution"] = False
    return nb


def _class_of(root: Path, notebooks: dict[str, dict[str, Any]]) -> Path:
    out = root / "out"
    for sid, nb in notebooks.items():
        repo = root / "repos" / sid
        (repo / TP).mkdir(parents=True)
        _git(repo, "init", "-q", "-b", "main")
        (repo / NB_PATH).write_text(json.dumps(nb), encoding="utf-8")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", "rendu")
        sdir = out / "students" / sid
        sdir.mkdir(parents=True)
        result = {"student_id": sid, "repo": str(repo), "sha": _git(repo, "rev-parse", "HEAD"), "tp": TP, "status": "graded"}
        (sdir / "result.json").write_text(json.dumps(result), encoding="utf-8")
    return out


HUGE_BROKEN_CELL = "def gradient_numerique(f, x, h=1e-5):\n" + "".join(
    f"    v{i} = (f(x + {i} * h) - f(x - {i} * h)) / (2 * h)  # étape {i}\n" for i in range(4000)
) + "    return (v1 + \n"  # unbalanced: tokenize fails, the regex fallback reads it


def test_answer_cells_are_the_instructors_grade_ids_not_the_students_flags(tmp_path):
    from autograder.course import Course

    release = _release()
    notebooks = {
        sid: _filled(release, INDEPENDENT[sid], whole=False, scratch=[]) for sid in ("alice", "bruno", "chloe")
    }
    notebooks["flagless"] = _clear_solution_flags(_filled(release, COPY, whole=True, scratch=[]))
    report = classes.run(_class_of(tmp_path, notebooks), TP, Course(ROOT), tmp_path / "sim")
    flagged = [{p["a"], p["b"]} for p in report["pairs"]]
    assert flagged == [{COPIED_FROM, "flagless"}], report["pairs"]
    flagless = next(s for s in report["students"] if s["id"] == "flagless")
    assert all(flagless["fingerprints"].get(gid, 0) > 0 for gid in COPY), flagless["fingerprints"]


def test_a_huge_duplicated_cell_is_read_linearly_and_flagged(tmp_path):
    """Two students share a 250k-character answer cell that does not tokenize: the fallback
    tokenizer counts lines as it goes (it used to recount from the start for every token)."""
    from autograder.course import Course

    assert len(HUGE_BROKEN_CELL) > 250_000
    release = _release()
    notebooks = {sid: _filled(release, INDEPENDENT[sid], whole=False, scratch=[]) for sid in ("alice", "bruno")}
    for sid in ("huge1", "huge2"):
        notebooks[sid] = _filled(release, {"numerical_gradient": HUGE_BROKEN_CELL}, whole=True, scratch=[])
    report = classes.run(_class_of(tmp_path, notebooks), TP, Course(ROOT), tmp_path / "sim")
    assert {"huge1", "huge2"} in [{p["a"], p["b"]} for p in report["pairs"]]
    toks = tokens.normalize(HUGE_BROKEN_CELL)
    assert toks[-1].line == HUGE_BROKEN_CELL.count("\n")  # line numbers still right at the end
