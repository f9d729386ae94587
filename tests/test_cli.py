"""cli: `autograder grade` in-process, options from flags and the course's pyproject.toml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autograder.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, main
from autograder.sandbox.capabilities import probe, resolve_launcher
from autograder.sandbox.plan import strict_available, strict_level
from tests.course_builder import (
    MAX_SCORE,
    MINI,
    SOLUTION,
    StudentRepo,
    build_course,
    notebook_path,
    student_notebook,
)

CAPS = probe()
DEFAULT_LAUNCHER = resolve_launcher("auto")
STRICT_OK = strict_available(DEFAULT_LAUNCHER)
REPORTS = ["executed.ipynb", "feedback.html", "feedback.md", "grade.json", "junit.xml"]


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    base = tmp_path_factory.mktemp("cli")
    course = build_course(base / "course")
    # Course-wide defaults: English feedback unless a flag says otherwise.
    (course.root / "pyproject.toml").write_text(
        '[tool.autograder]\nlang = "en"\nsandbox = "auto"\n', encoding="utf-8"
    )
    repo = StudentRepo(base / "student")
    repo.commit({notebook_path(): student_notebook(SOLUTION)}, "solution")
    repo.git("tag", "rendu-final")
    return course, repo, base


def grade_cli(setup, name: str, *extra: str, ref: str = "rendu-final") -> tuple[int, Path]:
    course, repo, base = setup
    out = base / "out" / name
    argv = [
        "grade",
        "--course",
        str(course.root),
        "--repo",
        str(repo.path),
        "--ref",
        ref,
        "--tp",
        MINI,
        "--out",
        str(out),
        "--cell-timeout",
        "4",
        "--total-timeout",
        "30",
        "--call-timeout",
        "3",
        *extra,
    ]
    return main(argv), out


def grade_json(out: Path) -> dict:
    return json.loads((out / "grade.json").read_text("utf-8"))


def test_grade_writes_every_report_and_exits_0(setup, capsys):
    rc, out = grade_cli(setup, "default")
    captured = capsys.readouterr()
    assert rc == EXIT_OK, captured.err
    assert sorted(p.name for p in out.iterdir()) == REPORTS
    data = grade_json(out)
    assert data["score"] == MAX_SCORE and data["max_score"] == MAX_SCORE
    assert data["commit"]["ref"] == "rendu-final" and len(data["commit"]["sha"]) == 40
    # pyproject.toml's lang = "en" applies.
    assert data["lang"] == "en"
    assert f"Score: {MAX_SCORE:g} / {MAX_SCORE:g}" in captured.out
    assert "junit.xml" in captured.out
    junit = (out / "junit.xml").read_text("utf-8")
    assert 'failures="0"' in junit and 'errors="0"' in junit
    assert "Score" in (out / "feedback.md").read_text("utf-8") or "score" in (
        out / "feedback.md"
    ).read_text("utf-8")
    assert (out / "feedback.html").read_text("utf-8").lstrip().lower().startswith("<!doctype html")


def test_sandbox_off_still_grades_and_records_none(setup, capsys):
    rc, out = grade_cli(setup, "off", "--sandbox", "off")
    assert rc == EXIT_OK, capsys.readouterr().err
    data = grade_json(out)
    assert data["score"] == MAX_SCORE
    assert data["sandbox"]["level"] == "none"
    assert (
        data["sandbox"]["user_switched"] is False and data["sandbox"]["network_isolated"] is False
    )


def test_sandbox_strict_grades_as_nobody_here(setup, capsys):
    rc, out = grade_cli(setup, "strict", "--sandbox", "strict", "--lang", "fr")
    captured = capsys.readouterr()
    if not STRICT_OK:
        assert rc == EXIT_REFUSED
        assert "--sandbox strict" in captured.err
        pytest.skip("bwrap, root or setpriv unavailable: strict is refused (exit 3)")
    assert rc == EXIT_OK, captured.err
    data = grade_json(out)
    assert data["score"] == MAX_SCORE
    assert data["sandbox"]["level"] == strict_level(DEFAULT_LAUNCHER) and data["sandbox"]["user_switched"] is True
    assert data["sandbox"]["filesystem_hidden"] is True
    # The flag wins over pyproject.toml's lang = "en".
    assert data["lang"] == "fr" and f"Note : {MAX_SCORE:g} / {MAX_SCORE:g}" in captured.out


def test_unknown_ref_still_produces_a_grade(setup, capsys):
    rc, out = grade_cli(setup, "bad-ref", ref="pas-de-branche")
    captured = capsys.readouterr()
    assert rc == EXIT_OK
    assert "unknown-ref" in captured.out
    data = grade_json(out)
    assert data["score"] == 0.0 and data["max_score"] == MAX_SCORE
    assert data["problems"][0]["code"] == "unknown-ref"
    assert "pas-de-branche" in data["problems"][0]["where"]


def test_unknown_tp_is_a_usage_error(setup, capsys):
    course, repo, base = setup
    rc = main(
        [
            "grade",
            "--course",
            str(course.root),
            "--repo",
            str(repo.path),
            "--tp",
            "tp_nope",
            "--out",
            str(base / "x"),
        ]
    )
    err = capsys.readouterr().err
    assert rc == EXIT_USAGE
    assert "tp_nope" in err and MINI in err
    assert not (base / "x").exists()


def test_unknown_option_in_pyproject_is_a_usage_error(tmp_path, capsys):
    course = build_course(tmp_path / "course")
    (course.root / "pyproject.toml").write_text("[tool.autograder]\ncell_timout = 3\n")
    rc = main(
        [
            "grade",
            "--course",
            str(course.root),
            "--repo",
            str(tmp_path),
            "--tp",
            MINI,
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert rc == EXIT_USAGE
    assert "cell_timout" in capsys.readouterr().err


def test_bad_flag_value_is_refused_by_argparse(setup, capsys):
    with pytest.raises(SystemExit) as info:
        grade_cli(setup, "bad-flag", "--sandbox", "maybe")
    assert info.value.code == 2
    assert "maybe" in capsys.readouterr().err


def test_an_abbreviated_option_is_refused_not_guessed(capsys):
    """`release --out DIR` once ran as --output-limit-kb DIR: a prefix is not an option."""
    from autograder.cli import main

    with pytest.raises(SystemExit) as info:
        main(["release", "--out", "/tmp/x", "tp01_gradients"])
    assert info.value.code == 2
    assert "unrecognized arguments: --out" in capsys.readouterr().err


def test_grade_help_documents_every_option(capsys):
    with pytest.raises(SystemExit) as info:
        main(["grade", "--help"])
    assert info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    for flag in (
        "--sandbox",
        "--cell-timeout",
        "--memory-mb",
        "--call-timeout",
        "--seed",
        "--lang",
        "--timezone",
    ):
        assert flag in text
    assert "strict" in text and "refuses to grade" in text
    assert "Europe/Paris" in text and "deadline's zone" in text  # the timezone option's own help


def test_student_text_cannot_drive_the_terminal(setup, capsys):
    """A scratch cell whose grade_id holds escape sequences, then a kernel death: the
    problem line quotes the cell, but nothing printed can move the cursor or set the clipboard."""
    course, repo, base = setup
    forged = "x\x1b[1A\x1b[2KNote: 20 / 20\x1b]52;c;cHduZWQ=\x07\u202e"
    nb = student_notebook(SOLUTION, scratch_after={"add": ["import os\nos._exit(1)"]})
    for cell in nb["cells"]:
        if cell["id"].startswith("scratch-"):
            cell["metadata"]["nbgrader"] = {"grade_id": forged, "solution": False, "grade": False}
    repo.commit({notebook_path(): nb}, "fin\x1b[2J\u202e")
    rc, out = grade_cli(setup, "escapes", ref="HEAD")
    captured = capsys.readouterr()
    assert rc == EXIT_OK, captured.err
    printed = captured.out + captured.err
    assert "kernel-died" in printed
    assert not any(ch in printed for ch in "\x1b\x07\x9b\u202e"), repr(printed)
    repo.git("reset", "-q", "--hard", "rendu-final")


def test_planted_files_are_not_listed_as_reports(setup, capsys):
    """Files in --out that this grading did not write (a forged grade-final.json, an older
    run's executed.ipynb) are never listed as its reports, and the stale notebook goes."""
    rc, out = grade_cli(setup, "planted")
    assert rc == EXIT_OK
    capsys.readouterr()
    (out / "grade-final.json").write_text('{"score": 20}', encoding="utf-8")
    rc, out = grade_cli(setup, "planted", ref="pas-de-branche")  # no notebook runs this time
    captured = capsys.readouterr()
    assert rc == EXIT_OK
    reports_line = next(ln for ln in captured.out.splitlines() if ln.startswith("reports:"))
    assert "grade-final.json" not in reports_line and "executed.ipynb" not in reports_line
    assert not (out / "executed.ipynb").exists()  # the earlier run's notebook is gone
    assert "grade-final.json" in captured.err and "did not write" in captured.err


def test_an_out_folder_this_user_may_not_use_says_so_not_free_space(setup, capsys):
    course, repo, base = setup
    argv = ["grade", "--course", str(course.root), "--repo", str(repo.path), "--ref", "rendu-final",
            "--tp", MINI, "--out", "/sys/autograder-out", "--cell-timeout", "4", "--total-timeout", "30"]
    from autograder.cli import EXIT_GRADER_FAULT

    rc = main(argv)
    err = capsys.readouterr().err
    assert rc == EXIT_GRADER_FAULT
    assert "pick another --out" in err and "free space" not in err and "/sys/autograder-out" in err


def test_junit_keys_match_between_two_commits_of_one_student(setup, tmp_path):
    """The untouched release then a partly fixed notebook, graded as `grade` does in CI:
    junit.xml names each check the same on both commits (no score in the name), so GitLab's
    comparison of the two pipelines pairs every check and lists the fixed ones."""
    from tests.course_builder import WRONG
    from tests.render.junit_check import SCHEMA, junit_keys

    course, _, _ = setup
    repo = StudentRepo(tmp_path / "student")
    repo.commit({notebook_path(): student_notebook()}, "sujet")
    repo.git("tag", "sujet")
    repo.commit({notebook_path(): student_notebook({**SOLUTION, "add": WRONG["add"]})}, "rendu")
    keys = {}
    for ref in ("sujet", "HEAD"):
        out = tmp_path / f"out-{ref}"
        argv = ["grade", "--course", str(course.root), "--repo", str(repo.path), "--ref", ref,
                "--tp", MINI, "--out", str(out), "--cell-timeout", "4", "--total-timeout", "30",
                "--call-timeout", "3"]
        assert main(argv) == EXIT_OK
        text = (out / "junit.xml").read_text("utf-8")
        SCHEMA.validate(text)
        keys[ref] = junit_keys(text)
    assert keys["sujet"] and set(keys["sujet"]) == set(keys["HEAD"])
    fixed = {name for (cls, name), v in keys["HEAD"].items() if v == "passed" and keys["sujet"][(cls, name)] != "passed"}
    still = {cls for (cls, name), v in keys["HEAD"].items() if v != "passed"}
    assert fixed and all("add" not in name for name in fixed)
    assert still == {f"{MINI}.add"}


def test_timezone_option_dates_the_feedback_and_a_wrong_one_is_refused(setup, capsys):
    rc, out = grade_cli(setup, "tz", "--timezone", "America/New_York")
    assert rc == EXIT_OK, capsys.readouterr().err
    page = (out / "feedback.html").read_text("utf-8")
    assert "Graded at " in page and "(America/New_York)" in page  # lang = "en" from pyproject.toml
    rc, _ = grade_cli(setup, "tz-bad", "--timezone", "Europe/Pariss")
    assert rc == EXIT_USAGE and "Europe/Pariss" in capsys.readouterr().err


def test_a_check_file_that_does_not_import_is_no_grade(tmp_path, capsys):
    """Its points are out of the score and the total alike (a wrong answer got 15/15 that
    way): the grading says it is no grade (exit 4) instead of a full mark on a smaller total."""
    from autograder.cli import EXIT_GRADER_FAULT

    course = build_course(tmp_path / "course")
    hidden = course.root / "source" / MINI / "checks" / "hidden"
    (hidden / "test_casse.py").write_text("import module_qui_n_existe_pas\n\ndef test_x():\n    pass\n", "utf-8")
    repo = StudentRepo(tmp_path / "student")
    repo.commit({notebook_path(): student_notebook(SOLUTION)}, "solution")
    rc = main(["grade", "--course", str(course.root), "--repo", str(repo.path), "--ref", "HEAD", "--tp", MINI,
               "--out", str(tmp_path / "out"), "--lang", "en"])
    err = capsys.readouterr().err
    assert rc == EXIT_GRADER_FAULT
    assert "grader-side fault (error in the TP's checks" in err and "test_casse.py" in err
    assert "this is no grade" in err
    problems = [p["code"] for p in grade_json(tmp_path / "out")["problems"]]
    assert "check-collection-error" in problems
