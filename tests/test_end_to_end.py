"""The product as a user runs it: CLI commands on real git repos, in subprocesses."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import git
import pytest

from tests.conftest import ROOT

CLI = [sys.executable, "-m", "autograder"]


def _commit_notebook(repo_dir: Path, tp_id: str, nb_src: Path, message: str) -> str:
    repo = git.Repo.init(repo_dir) if not (repo_dir / ".git").exists() else git.Repo(repo_dir)
    (repo_dir / tp_id).mkdir(parents=True, exist_ok=True)
    shutil.copy2(nb_src, repo_dir / tp_id / nb_src.name)
    repo.index.add([f"{tp_id}/{nb_src.name}"])
    who = git.Actor("Élève Test", "eleve@example.fr")
    return repo.index.commit(message, author=who, committer=who).hexsha


@pytest.mark.slow
@pytest.mark.parametrize("tp_id", [p.name for p in sorted((ROOT / "source").iterdir()) if (p / "tp.toml").is_file()])
def test_solution_commit_gets_full_marks_and_release_commit_zero(tp_id, tmp_path):
    """Every TP: the committed solution earns full marks, the untouched release 0."""
    nb_name = f"{tp_id}.ipynb"
    repo_dir = tmp_path / "repo"
    rel_sha = _commit_notebook(repo_dir, tp_id, ROOT / "release" / tp_id / nb_name, "sujet")
    sol_sha = _commit_notebook(repo_dir, tp_id, ROOT / "solutions" / tp_id / nb_name, "solution")
    scores = {}
    for name, sha in (("release", rel_sha), ("solution", sol_sha)):
        out = tmp_path / name
        proc = subprocess.run(
            # A fixed student: the repo's path (the default key) changes with tmp_path, and
            # the test must grade the same inputs on every run (`prove` varies them).
            [*CLI, "grade", "--repo", str(repo_dir), "--ref", sha, "--tp", tp_id, "--out", str(out),
             "--course", str(ROOT), "--student", "e2e/eleve-test"],
            capture_output=True, text=True, timeout=600,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        grade = json.loads((out / "grade.json").read_text(encoding="utf-8"))
        assert grade["commit"]["sha"] == sha
        assert {"junit.xml", "feedback.md", "feedback.html", "executed.ipynb"} <= {p.name for p in out.iterdir()}
        scores[name] = (grade["score"], grade["max_score"])
        if name == "solution":
            lost = [(t["name"], t["score"], t.get("output", "")[:300]) for t in grade["tests"] if t["score"] < t["max_score"]]
    assert scores["solution"][0] == scores["solution"][1] > 0, (scores, lost)
    assert scores["release"][0] == 0, scores


@pytest.mark.slow
def test_demo_command_grades_three_commits(tmp_path):
    """README command 1: the demo builds a student repo and grades its three commits."""
    out = tmp_path / "demo-out"
    proc = subprocess.run(
        [*CLI, "demo", "--out", str(out), "--workdir", str(tmp_path / "work"), "--course", str(ROOT)],
        capture_output=True, text=True, timeout=900, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    reports = sorted(out.iterdir())
    assert len(reports) == 3
    scores = [json.loads((d / "grade.json").read_text())["score"] for d in reports]
    maxes = [json.loads((d / "grade.json").read_text())["max_score"] for d in reports]
    assert scores[0] == 0
    assert 0 < scores[1] < maxes[1]
    assert scores[2] == maxes[2]
    assert "tp01_gradients" in proc.stdout and "feedback.html" in proc.stdout


def test_student_check_on_a_fresh_copy_of_the_release(tmp_path):
    """`autograder check` in a student's working copy: public checks only, same sandbox."""
    repo = tmp_path / "student"
    shutil.copytree(ROOT / "release" / "tp01_gradients", repo / "tp01_gradients")
    proc = subprocess.run(
        [*CLI, "check", "tp01_gradients", "--out", str(tmp_path / "out")],
        cwd=repo, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    untouched = json.loads((tmp_path / "out" / "grade.json").read_text())
    assert untouched["score"] == 0 and untouched["max_score"] > 0
    assert all(t["visibility"] == "visible" for t in untouched["tests"]), "hidden checks must not run on the student side"
    assert "NotImplementedError" in proc.stdout or "pas encore implémentée" in proc.stdout

    shutil.copy2(ROOT / "solutions" / "tp01_gradients" / "tp01_gradients.ipynb", repo / "tp01_gradients")
    proc = subprocess.run(
        [*CLI, "check", "tp01_gradients", "--out", str(tmp_path / "out2"), "--lang", "en"],
        cwd=repo, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    solved = json.loads((tmp_path / "out2" / "grade.json").read_text())
    assert solved["score"] == solved["max_score"] == untouched["max_score"]


def test_release_builds_the_student_template_repo(tmp_path):
    """`autograder release --template DIR` writes what every student forks."""
    course = tmp_path / "course"
    shutil.copytree(ROOT, course, ignore=shutil.ignore_patterns(".venv", ".git", ".tools", "demo-out", "__pycache__"))
    proc = subprocess.run(
        [*CLI, "release", "tp01_gradients", "--no-verify", "--course", str(course), "--template", str(tmp_path / "tpl")],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    tpl = tmp_path / "tpl"
    assert {".gitignore", ".gitlab-ci.yml", "README.md", "requirements.txt", "tp01_gradients"} <= {p.name for p in tpl.iterdir()}
    assert (tpl / "tp01_gradients" / "tp01_gradients.ipynb").read_bytes() == (ROOT / "release" / "tp01_gradients" / "tp01_gradients.ipynb").read_bytes()
    assert not list(tpl.rglob("hidden")), "hidden checks must never reach the template repo"
    assert "autograder check" in (tpl / "README.md").read_text(encoding="utf-8")
