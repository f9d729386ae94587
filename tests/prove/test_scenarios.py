"""scenarios: loading a TP's proof file, and refusing a group that could not be graded whole."""

from __future__ import annotations

import textwrap

import pytest

from autograder.config import ConfigError
from autograder.prove.scenarios import load_scenario_set

HEAD = """
from autograder.prove import Correct, Scenario

SCENARIOS = {
    "submission-a-wrong": Scenario(grade_id="a", source="x = 1\\n", must_fail=("test_a",)),
    "submission-a-other": Scenario(grade_id="a", source="x = 2\\n", must_fail=("test_a",)),
    "submission-b-wrong": Scenario(grade_id="b", source="y = 1\\n", must_fail=("test_b",)),
}
CORRECT = {
    "correct-a-loop": Correct(grade_id="a", source="x = 0\\n", why="a loop"),
    "correct-a-float32": Correct(grade_id="a", source="x = 0.0\\n", why="float32"),
}
"""


def scenarios_file(tmp_path, groups: str):
    path = tmp_path / "tp99_demo" / "scenarios.py"
    path.parent.mkdir()
    path.write_text(textwrap.dedent(HEAD) + textwrap.dedent(groups), encoding="utf-8")
    return path


def test_groups_of_distinct_cells_load(tmp_path):
    path = scenarios_file(tmp_path, """
        GROUPS = {"g1": ("submission-a-wrong", "submission-b-wrong"), "g2": ("submission-a-other",)}
        CORRECT_GROUPS = {"c1": ("correct-a-loop",), "c2": ("correct-a-float32",)}
    """)
    chosen = load_scenario_set(path, tmp_path)
    assert chosen.groups["g1"] == ("submission-a-wrong", "submission-b-wrong")
    assert set(chosen.correct_groups) == {"c1", "c2"}


@pytest.mark.parametrize(
    ("groups", "named"),
    [
        ('GROUPS = {"g1": ("submission-a-wrong", "submission-a-other", "submission-b-wrong")}\n', "'g1'"),
        ('GROUPS = {}\nCORRECT_GROUPS = {"c1": ("correct-a-loop", "correct-a-float32")}\n', "'c1'"),
    ],
)
def test_a_group_replacing_one_cell_twice_is_refused_naming_both(tmp_path, groups, named):
    """Graded as one notebook, the group would keep only its last answer for the cell: the
    other would be proven by nothing, silently."""
    path = scenarios_file(tmp_path, groups)
    with pytest.raises(ConfigError) as caught:
        load_scenario_set(path, tmp_path)
    fr = caught.value.message.fr
    assert named in fr and "cellule 'a'" in fr and "deux groupes" in fr
    assert "two groups" in caught.value.message.en
