"""marks: a check's item and points from either marker form."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from autograder.grading.marks import MarkError, Marks, check_marks


@dataclass
class _Mark:
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


@dataclass
class _Test:
    """What check_marks reads of a pytest item: its closest markers by name."""

    marks: dict

    def get_closest_marker(self, name: str):
        return self.marks.get(name)


def test_one_marker_or_the_pair_read_the_same():
    one = _Test({"item": _Mark(("softmax",), {"points": 1.5})})
    pair = _Test({"item": _Mark(("softmax",)), "points": _Mark((1.5,))})
    assert check_marks(one, "file") == check_marks(pair, "file") == Marks("softmax", 1.5)


def test_defaults_item_from_the_file_and_one_point():
    assert check_marks(_Test({}), "test_tp01") == Marks("test_tp01", 1.0)


def test_zero_points_is_a_visible_half_of_a_hidden_check():
    assert check_marks(_Test({"item": _Mark(("a",), {"points": 0})}), "f").points == 0.0


@pytest.mark.parametrize(
    "marks",
    [
        {"item": _Mark(("a",), {"points": 2}), "points": _Mark((3,))},
        {"item": _Mark(("a",), {"points": -1})},
        {"item": _Mark(("a",), {"points": "2"})},
        {"points": _Mark((True,))},
        {"points": _Mark((float("nan"),))},
    ],
)
def test_contradictions_and_non_numbers_are_the_authors_error(marks):
    with pytest.raises(MarkError) as err:
        check_marks(_Test(marks), "f")
    assert "points" in err.value.message.fr and "points" in err.value.message.en
    assert err.value.marks.item in ("a", "f")
