"""release/ and solutions/ are generated: they must match what source/ releases to today."""

import pytest

from autograder.course import Course
from autograder.release.files import is_up_to_date
from tests.conftest import ROOT

TPS = Course(ROOT).tp_ids()


@pytest.mark.parametrize("tp_id", TPS)
def test_release_and_solutions_match_source(tp_id):
    diffs = is_up_to_date(Course(ROOT), tp_id)
    assert not diffs, f"release/ or solutions/ out of date for {tp_id}; run `autograder release {tp_id}`:\n" + "\n".join(diffs)


def test_every_tp_is_released():
    assert TPS, "no TP in source/"
    for tp_id in TPS:
        tp = Course(ROOT).tp(tp_id)
        assert tp.release_notebook.is_file() and tp.solution_notebook.is_file(), tp_id
        assert not (tp.release_dir / "checks" / "hidden").exists()
