"""docs/authoring.md's worked example, followed as written: `autograder new`, the example's
files over the scaffold, then `autograder release` proves it (solution full marks, release 0,
every wrong answer loses its points, every correct variant keeps them) and writes it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "docs" / "example" / "tp11_softmax"


def autograder(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autograder", *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )


def test_the_worked_example_releases_as_the_doc_says(tmp_path):
    shutil.copyfile(REPO / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    made = autograder("new", "tp11_softmax", "--title-fr", "Softmax et entropie croisée", "--course", str(tmp_path), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    shutil.copytree(EXAMPLE, tmp_path / "source" / "tp11_softmax", dirs_exist_ok=True)

    done = autograder("release", "tp11_softmax", "--course", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout + done.stderr
    assert "solution 8/8" in out and "untouched release 0/8" in out
    assert "5 wrong answers in 3 gradings, 3 correct variants in 2" in out and "the proof took" in out
    release = tmp_path / "release" / "tp11_softmax"
    assert sorted(p.name for p in (release / "checks").iterdir()) == ["test_public.py"]  # hidden never ships
    nb = json.loads((release / "tp11_softmax.ipynb").read_text(encoding="utf-8"))
    assert not any("BEGIN SOLUTION" in "".join(c["source"]) for c in nb["cells"])
