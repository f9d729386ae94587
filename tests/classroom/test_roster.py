"""roster: the class list read from CSV, and its deterministic shards."""

from __future__ import annotations

import pytest

from autograder.classroom.roster import Student, read_roster, shard
from autograder.config import ConfigError


def _roster(tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding=encoding)
    return path


def test_a_spreadsheet_export_is_read_as_written(tmp_path):
    """A BOM, headers in any case with spaces, `id` for student_id, a relative repo (beside
    the roster), URLs kept as they are, an empty branch meaning the default one."""
    path = _roster(tmp_path, " ID , Name ,Repo,Branch,Email,GitLab_Project\n"
                             "s1,Ada Lovelace,repos/ada,,ada@x.fr,\n"
                             "s2,Bob,https://gitlab.example/g/bob.git,rendu,,g/bob\n"
                             "s3,Cy,git@gitlab.example:g/cy.git,,,\n", encoding="utf-8-sig")
    assert read_roster(path) == [
        Student("s1", "Ada Lovelace", str(tmp_path / "repos" / "ada"), None, "ada@x.fr", None),
        Student("s2", "Bob", "https://gitlab.example/g/bob.git", "rendu", "", "g/bob"),
        Student("s3", "Cy", "git@gitlab.example:g/cy.git", None, "", None),
    ]


@pytest.mark.parametrize(
    ("rows", "named"),
    [
        ("student_id,name,repo\ns1,A,/r/a\ns1,B,/r/b\n", "line 3: duplicate id s1"),
        ("student_id,name,repo\n../etc,A,/r/a\n", "line 2: a student id"),
        ("student_id,name,repo\ns1,A,\n", "line 2: a student id (letters, digits, . _ @ -) and a repo are required"),
        ("student_id,name,repo\n", "is empty"),
    ],
    ids=["duplicate-id", "id-with-a-slash", "no-repo", "no-student"],
)
def test_a_bad_roster_is_refused_naming_the_line(tmp_path, rows, named):
    with pytest.raises(ConfigError) as refused:
        read_roster(_roster(tmp_path, rows))
    assert named in refused.value.message.en and refused.value.message.fr


def test_a_missing_roster_is_named(tmp_path):
    with pytest.raises(ConfigError) as refused:
        read_roster(tmp_path / "nope.csv")
    assert "cannot read roster" in refused.value.message.en and "nope.csv" in refused.value.message.fr


def test_shards_split_the_class_once_whatever_the_roster_order():
    students = [Student(f"s{k:02d}", "", f"/r/{k}") for k in range(10)]
    parts = [shard(students, i, 3) for i in (1, 2, 3)]
    assert sorted(s.id for p in parts for s in p) == sorted(s.id for s in students)
    assert [len(p) for p in parts] == [4, 3, 3]
    assert shard(list(reversed(students)), 2, 3) == parts[1]


@pytest.mark.parametrize(("index", "total"), [(0, 3), (4, 3), (1, 0)])
def test_an_impossible_shard_is_refused(index, total):
    with pytest.raises(ConfigError) as refused:
        shard([Student("s1", "", "/r")], index, total)
    assert f"--shard {index}/{total}" in refused.value.message.en
