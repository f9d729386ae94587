"""secret: a course's own 128-bit secret, keyed per-check seeds, and a course without one refused."""

from __future__ import annotations

import stat

import pytest

from autograder.cli import EXIT_OK, EXIT_USAGE, main
from autograder.config import ConfigError
from autograder.secret import (
    SECRET_FILE,
    InputKey,
    MissingSecret,
    create_secret,
    load_secret,
    public_key,
    student_key,
)
from tests.course_builder import (
    MINI,
    SOLUTION,
    StudentRepo,
    build_course,
    notebook_path,
    student_notebook,
)


def test_a_new_secret_is_128_random_bits_readable_only_by_its_owner(tmp_path):
    path = create_secret(tmp_path)
    assert path == tmp_path / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(load_secret(tmp_path)) == 16
    other = tmp_path / "other"
    other.mkdir()
    create_secret(other)
    assert load_secret(other) != load_secret(tmp_path)


def test_an_existing_secret_is_never_replaced_silently(tmp_path):
    create_secret(tmp_path)
    before = load_secret(tmp_path)
    with pytest.raises(ConfigError) as info:
        create_secret(tmp_path)
    assert "--force" in info.value.message.fr and "--force" in info.value.message.en
    assert load_secret(tmp_path) == before
    create_secret(tmp_path, force=True)
    assert load_secret(tmp_path) != before


@pytest.mark.parametrize("content", [None, "", "20261122\n", "zz" * 16])
def test_a_missing_or_weak_secret_is_refused_with_the_fix(tmp_path, content):
    if content is not None:
        (tmp_path / SECRET_FILE).write_text(content, encoding="ascii")
    with pytest.raises(MissingSecret) as info:
        load_secret(tmp_path)
    assert "autograder secret --init" in info.value.message.fr
    assert "autograder secret --init" in info.value.message.en


def test_derived_seeds_are_keyed_by_secret_student_purpose_check_and_variant():
    key = InputKey(bytes(16), "group/alice", 0)
    base = key.derive("inputs", "test_x")
    assert base == InputKey(bytes(16), "group/alice", 0).derive("inputs", "test_x")
    others = {
        InputKey(bytes([1] * 16), "group/alice", 0).derive("inputs", "test_x"),
        InputKey(bytes(16), "group/bob", 0).derive("inputs", "test_x"),
        InputKey(bytes(16), "group/alice", 1).derive("inputs", "test_x"),
        key.derive("student", "test_x"),
        key.derive("inputs", "test_y"),
    }
    assert base not in others and len(others) == 5
    assert all(0 <= v < 2**32 for v in (base, *others))
    assert key.fingerprint != bytes(16).hex()[:12] and len(key.fingerprint) == 12
    assert public_key(0).derive("inputs", "test_x") != base


@pytest.mark.parametrize(
    ("repo", "expected"),
    [
        ("https://gitlab.example.fr/l3-dl/2026/alice.git", "l3-dl/2026/alice"),
        ("https://gitlab.example.fr/l3-dl/2026/alice", "l3-dl/2026/alice"),
        ("ssh://git@gitlab.example.fr:2222/l3-dl/2026/alice.git", "l3-dl/2026/alice"),
        ("git@gitlab.example.fr:l3-dl/2026/alice.git", "l3-dl/2026/alice"),
    ],
)
def test_student_key_of_a_url_is_its_project_path_as_in_ci(repo, expected):
    assert student_key(repo) == expected


def test_student_key_of_a_folder_is_its_absolute_path(tmp_path):
    assert student_key(str(tmp_path / "a" / ".." / "alice")) == str((tmp_path / "alice").resolve())


def _grade(course_root, repo, out, *extra):
    return main(
        ["grade", "--course", str(course_root), "--repo", str(repo.path), "--ref", "HEAD", "--tp", MINI,
         "--out", str(out), "--cell-timeout", "4", "--total-timeout", "30", "--call-timeout", "3", *extra]
    )


def test_grading_a_course_without_its_secret_is_refused(tmp_path, capsys):
    course = build_course(tmp_path / "course")
    (course.root / SECRET_FILE).unlink()
    repo = StudentRepo(tmp_path / "student")
    repo.commit({notebook_path(): student_notebook(SOLUTION)}, "rendu")
    rc = _grade(course.root, repo, tmp_path / "out")
    err = capsys.readouterr().err
    assert rc == EXIT_USAGE
    assert "autograder secret --init" in err and SECRET_FILE in err
    assert not (tmp_path / "out").exists()  # no grade from predictable inputs
    assert main(["secret", "--init", "--course", str(course.root)]) == EXIT_OK
    assert _grade(course.root, repo, tmp_path / "out") == EXIT_OK
    assert main(["secret", "--course", str(course.root)]) == EXIT_OK
    assert "fingerprint" in capsys.readouterr().out


def test_the_same_commit_of_the_same_student_gets_the_same_grade(tmp_path, capsys):
    """--student keys the hidden inputs; the grade and its messages do not move between runs."""
    import json

    course = build_course(tmp_path / "course")
    repo = StudentRepo(tmp_path / "student")
    repo.commit({notebook_path(): student_notebook(SOLUTION)}, "rendu")
    reports = []
    for n in range(2):
        assert _grade(course.root, repo, tmp_path / f"out{n}", "--student", "l3/alice") == EXIT_OK
        data = json.loads((tmp_path / f"out{n}" / "grade.json").read_text("utf-8"))
        reports.append([(t["name"], t["score"], t.get("message")) for t in data["tests"]])
    assert reports[0] == reports[1]


def test_hidden_inputs_follow_the_students_code_and_stay_put_for_the_same_code():
    key = InputKey(bytes(16), "group/alice", 0)
    edited = InputKey(bytes(16), "group/alice", 0, code="a" * 32)
    assert edited.derive("inputs", "test_x") != key.derive("inputs", "test_x")
    assert edited.derive("inputs", "test_x") == InputKey(bytes(16), "group/alice", 0, code="a" * 32).derive("inputs", "test_x")
    assert edited.derive("inputs", "test_x") != InputKey(bytes(16), "group/alice", 0, code="b" * 32).derive("inputs", "test_x")
