"""course: where a course's TPs live, found from any folder inside it."""

from __future__ import annotations

import pytest

from autograder.config import ConfigError
from autograder.course import Course, DataFile


@pytest.fixture
def course(tmp_path) -> Course:
    """Two TPs (a tp.toml each) and a folder of notes without one."""
    for tp, toml in (("tp01", '[tp]\nnotebook = "tp01.ipynb"\n[data]\nfiles = ["data/x.npz", "poids"]\n'), ("tp02", "")):
        (tmp_path / "source" / tp).mkdir(parents=True)
        (tmp_path / "source" / tp / "tp.toml").write_text(toml, encoding="utf-8")
    (tmp_path / "source" / "notes").mkdir()
    return Course(tmp_path)


def test_the_course_is_found_from_a_folder_inside_it(course, tmp_path):
    deep = tmp_path / "release" / "tp01" / "data"
    deep.mkdir(parents=True)
    assert Course.find(deep) == Course(tmp_path.resolve())


def test_outside_any_course_the_error_says_what_to_do(tmp_path):
    with pytest.raises(ConfigError) as refused:
        Course.find(tmp_path)
    assert "no source/ folder found" in refused.value.message.en and "--course" in refused.value.message.fr


def test_only_folders_with_a_tp_toml_are_tps(course):
    assert course.tp_ids() == ["tp01", "tp02"]


def test_a_tp_resolves_its_paths_on_the_instructor_side(course, tmp_path):
    tp = course.tp("tp01")
    assert tp.id == "tp01"
    assert tp.release_notebook == tmp_path / "release" / "tp01" / "tp01.ipynb"
    assert tp.solution_notebook == tmp_path / "solutions" / "tp01" / "tp01.ipynb"
    assert tp.hidden_checks == tmp_path / "source" / "tp01" / "checks" / "hidden"
    assert tp.data_paths() == [DataFile(tmp_path / "source" / "tp01" / "data" / "x.npz", "data/x.npz"),
                               DataFile(tmp_path / "source" / "tp01" / "poids", "poids")]


def test_an_unknown_tp_names_the_known_ones(course):
    with pytest.raises(ConfigError) as refused:
        course.tp("notes")
    assert "unknown TP 'notes'" in refused.value.message.en and "Known TPs: tp01, tp02" in refused.value.message.en
