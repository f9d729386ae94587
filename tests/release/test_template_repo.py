"""build_template_repo: the repo every student forks, built, committed, cloned and used.

The end-to-end test proves, offline and without reinstalling torch: the built repo commits
and clones; its requirements.txt installs with pip into a NEW virtualenv (its own prefix,
not this project's .venv), every third-party requirement being already satisfied there and
the checker line (`dl-autograder @ file://...`, the documented local-path option) building
and installing this package from a copy of its source; then the `autograder` that
requirements.txt installed runs `autograder check tp01_gradients` in the fresh clone, in
the real sandbox, and reports full marks on the public checks for the solution notebook.
The third-party packages of the new virtualenv are hard links to this project's .venv
(the stand-in for downloading them from PyPI); pip only adds files there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from autograder.config import ConfigError
from autograder.release.template_repo import DEFAULT_CHECKER, build_template_repo
from autograder.render.formats import fmt_points

ROOT = Path(__file__).resolve().parents[2]
TP = "tp01_gradients"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Camille Martin",
    "GIT_AUTHOR_EMAIL": "camille.martin@etu.example.fr",
    "GIT_COMMITTER_NAME": "Camille Martin",
    "GIT_COMMITTER_EMAIL": "camille.martin@etu.example.fr",
}


def git(cwd: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
    )
    return out.stdout


def files(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_template_repo_content(tmp_path):
    out = build_template_repo(ROOT, tmp_path / "tmpl", [TP])
    release = ROOT / "release" / TP
    expected = {f"{TP}/{f}" for f in files(release)}
    expected |= {"README.md", "requirements.txt", ".gitignore", ".gitlab-ci.yml"}
    assert files(out) == expected  # the release folder and the four repo files, nothing else
    for rel in files(release):
        assert (out / TP / rel).read_bytes() == (release / rel).read_bytes()
    nb = (out / TP / f"{TP}.ipynb").read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in nb
    assert not any("hidden" in f for f in files(out))

    ci = (ROOT / "ci" / "student-feedback.gitlab-ci.yml").read_bytes()
    assert (out / ".gitlab-ci.yml").read_bytes() == ci

    req = (out / "requirements.txt").read_text(encoding="utf-8")
    lines = [ln for ln in req.splitlines() if ln and not ln.startswith("#")]
    names = [ln.split(">=")[0].split(" @ ")[0] for ln in lines]
    assert names == ["jupyterlab", "numpy", "torch", "scikit-learn", "matplotlib", "dl-autograder"]
    assert lines[-1] == DEFAULT_CHECKER and DEFAULT_CHECKER.startswith("dl-autograder @ git+")
    assert "file:///" in req  # the local-path option is documented

    readme = (out / "README.md").read_text(encoding="utf-8")
    for needle in (
        "jupyter lab tp01_gradients/tp01_gradients.ipynb",
        "autograder check tp01_gradients",
        "git push",
        "cellules de réponse",
        "Gardez le notebook à son chemin",
        "pas la note",
        "feedback.html",
    ):
        assert needle in readme, needle
    ignored = (out / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {".venv/", ".ipynb_checkpoints/", "reports/"} <= set(ignored)


def test_template_repo_refusals(tmp_path):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x").write_text("x")
    with pytest.raises(ConfigError, match="not empty"):
        build_template_repo(ROOT, busy, [TP])
    with pytest.raises(ConfigError, match="unknown TP"):
        build_template_repo(ROOT, tmp_path / "a", ["tp99_nope"])
    with pytest.raises(ConfigError, match="no TP"):
        build_template_repo(ROOT, tmp_path / "b", [])

    # A course whose release folder holds hidden checks (a broken release) is refused.
    course = tmp_path / "course"
    (course / "source" / "tpx").mkdir(parents=True)
    (course / "source" / "tpx" / "tp.toml").write_text('[tp]\nid = "tpx"\n')
    rel = course / "release" / "tpx"
    (rel / "checks" / "hidden").mkdir(parents=True)
    (rel / "tp.toml").write_text('[tp]\nid = "tpx"\n')
    (rel / "tpx.ipynb").write_text("{}")
    with pytest.raises(ConfigError, match="hidden"):
        build_template_repo(course, tmp_path / "c", ["tpx"])
    assert not (tmp_path / "c").exists()

    # So is one holding a TP's proof (its wrong answers and the solution's variants).
    shutil.rmtree(rel / "checks" / "hidden")
    (rel / "scenarios.py").write_text("SCENARIOS = {}\n")
    with pytest.raises(ConfigError, match="scenarios.py"):
        build_template_repo(course, tmp_path / "c", ["tpx"])
    assert not (tmp_path / "c").exists()

    # An unreleased TP is refused with the command to run.
    shutil.rmtree(course / "release")
    with pytest.raises(ConfigError, match="autograder release tpx"):
        build_template_repo(course, tmp_path / "d", ["tpx"])


def fresh_venv(path: Path) -> Path:
    """A new virtualenv from the base interpreter, its site-packages filled with hard links
    to this project's .venv minus this package (which requirements.txt must install)."""
    base_python = getattr(sys, "_base_executable", None) or sys.executable
    subprocess.run([base_python, "-m", "venv", "--without-pip", str(path)], check=True)
    shared = Path(sysconfig.get_paths()["purelib"])
    site = path / shared.relative_to(sys.prefix)
    assert site.is_relative_to(path)
    shutil.rmtree(site)
    subprocess.run(["cp", "-al", str(shared), str(site)], check=True)
    for p in site.iterdir():  # this checkout's editable install of dl-autograder
        if p.name.startswith(("__editable__", "dl_autograder-")):
            (shutil.rmtree if p.is_dir() else Path.unlink)(p)
    return path


def test_fresh_clone_installs_the_checker_and_runs_the_public_checks(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is missing")
    # The checker's source, as a course would publish it (the local-path option).
    pkg = tmp_path / "autograder-src"
    pkg.mkdir()
    shutil.copytree(
        ROOT / "autograder", pkg / "autograder", ignore=shutil.ignore_patterns("__pycache__")
    )
    for f in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / f, pkg / f)

    template = build_template_repo(
        ROOT, tmp_path / "template", [TP], checker=f"dl-autograder @ {pkg.as_uri()}"
    )
    git(template, "init", "-q", "-b", "main")
    git(template, "add", "-A")
    git(template, "commit", "-q", "-m", "Modèle des TP")
    clone = tmp_path / "etudiant"
    git(tmp_path, "clone", "-q", str(template), str(clone))

    venv = fresh_venv(tmp_path / "venv")
    python = venv / "bin" / "python"
    # (cwd=tmp_path: `python -c` puts the current folder first on sys.path)
    before = subprocess.run([python, "-c", "import autograder"], cwd=tmp_path, capture_output=True)
    assert before.returncode != 0  # the checker is not there until requirements.txt installs it
    pip = subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--no-index",
            "--no-build-isolation",
            "-r",
            "requirements.txt",
        ],
        cwd=clone,
        capture_output=True,
        text=True,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]
    assert "Successfully installed dl-autograder" in pip.stdout
    where = subprocess.run(
        [python, "-c", "import autograder; print(autograder.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv)

    # The student fills in the notebook (here: the solution), commits, checks.
    shutil.copyfile(ROOT / "solutions" / TP / f"{TP}.ipynb", clone / TP / f"{TP}.ipynb")
    git(clone, "commit", "-q", "-am", "TP01 : version finale")
    check = subprocess.run(
        [venv / "bin" / "autograder", "check", TP, "--out", f"reports/{TP}"],
        cwd=clone,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
    report = json.loads((clone / "reports" / TP / "grade.json").read_text(encoding="utf-8"))
    assert f"Note : {fmt_points(report['score'], report['max_score'], 'fr')}" in check.stdout
    assert report["problems"] == []
    assert report["score"] == report["max_score"] > 0
    assert {t["visibility"] for t in report["tests"]} == {"visible"}  # public checks only
    assert report["sandbox"]["level"] != "none"
    assert git(clone, "status", "--porcelain") == ""  # reports/ is ignored by the repo
