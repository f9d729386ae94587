"""config: typed options (defaults < the course's pyproject.toml < flags) and tp.toml, with
every bad value refused by a message that names it."""

from __future__ import annotations

import pytest

from autograder.config import (
    Budget,
    ConfigError,
    GradeOptions,
    TPConfig,
    load_course_options,
    option_help,
)


def test_the_course_pyproject_overrides_the_defaults(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "cours"\n\n[tool.autograder]\nlang = "en"\ncell_timeout = 12.5\nkernel_launch = "spawn"\n',
        encoding="utf-8",
    )
    options = GradeOptions().with_overrides(load_course_options(tmp_path))
    assert (options.lang, options.cell_timeout, options.kernel_launch) == ("en", 12.5, "spawn")
    assert options.sandbox == "auto" and options.call_timeout == 30.0  # untouched defaults
    assert load_course_options(tmp_path / "elsewhere") == {}


def test_an_unknown_option_is_refused_by_name():
    with pytest.raises(ConfigError) as refused:
        GradeOptions().with_overrides({"cell_timout": 3, "lang": "en"})
    assert refused.value.message.en == "unknown options in [tool.autograder]: cell_timout"
    assert "cell_timout" in refused.value.message.fr


@pytest.mark.parametrize("zone", ["Europe/Paris", "UTC", "+01:00"])
def test_a_known_timezone_is_kept(zone):
    assert GradeOptions(timezone=zone).timezone == zone


def test_an_unknown_timezone_is_refused_with_what_is_expected():
    with pytest.raises(ConfigError) as refused:
        GradeOptions().with_overrides({"timezone": "Europe/Pari"})
    assert "unknown timezone 'Europe/Pari'" in refused.value.message.en and "IANA" in refused.value.message.fr


def test_every_option_documents_itself_for_help():
    helps = {name: (default, text, choices) for name, default, text, choices in option_help(GradeOptions)}
    assert set(helps) == {f for f in GradeOptions.__dataclass_fields__}
    assert all(text for _, text, _ in helps.values())
    assert helps["sandbox"][0] == "auto" and helps["sandbox"][2] == ("auto", "strict", "off")


def _tp(tmp_path, text: str):
    path = tmp_path / "tp_x" / "tp.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_tp_toml_is_read_into_its_typed_config(tmp_path):
    cfg = TPConfig.load(_tp(tmp_path, """
[tp]
id = "tp_x"
title_fr = "Rétropropagation"
notebook = "tp_x.ipynb"
[budget]
cpu_seconds = 60
memory_mb = 1024
[data]
files = ["data/train.npz"]
[kernel]
preload = ["numpy", "torch"]
[[manual]]
grade_id = "essay"
points = 2
title_fr = "Rédaction"
"""))
    assert (cfg.id, cfg.notebook, cfg.title.text("fr"), cfg.title.text("en")) == ("tp_x", "tp_x.ipynb", "Rétropropagation", "Rétropropagation")
    assert cfg.budget == Budget(cpu_seconds=60, memory_mb=1024)
    assert cfg.data_files == ("data/train.npz",) and cfg.preload == ("numpy", "torch")
    assert [(m.grade_id, m.points, m.title.en) for m in cfg.manual] == [("essay", 2.0, "Rédaction")]
    assert cfg.manual_points == 2.0


def test_a_minimal_tp_toml_takes_its_folder_name(tmp_path):
    cfg = TPConfig.load(_tp(tmp_path, ""))
    assert (cfg.id, cfg.notebook, cfg.title_en, cfg.preload, cfg.manual) == ("tp_x", "tp_x.ipynb", "tp_x", ("numpy",), ())


def test_an_unreadable_tp_toml_is_named(tmp_path):
    path = _tp(tmp_path, "[tp\nid = 1")
    with pytest.raises(ConfigError) as refused:
        TPConfig.load(path)
    assert str(path) in refused.value.message.en and "illisible" in refused.value.message.fr


@pytest.mark.parametrize(
    ("manual", "named"),
    [
        ('[[manual]]\ngrade_id = "a"\npoints = 0\n', "points of 'a': a number > 0 expected"),
        ('[[manual]]\ngrade_id = "a"\npoints = true\n', "points of 'a': a number > 0 expected"),
        ('[[manual]]\ngrade_id = "a"\npoints = nan\n', "points of 'a': a number > 0 expected"),
        ('[[manual]]\ngrade_id = "a"\npoints = 1\n[[manual]]\ngrade_id = "a"\npoints = 2\n', "#2: duplicate grade_id 'a'"),
        ('[[manual]]\npoints = 1\n', "#1: grade_id missing"),
        ('[[manual]]\ngrade_id = "a"\npoints = 1\npoint = 2\n', "unknown keys ['point']"),
        ('manual = [1]\n', "a table expected"),
    ],
    ids=["zero-points", "boolean-points", "nan-points", "duplicate", "no-grade-id", "typo", "not-a-table"],
)
def test_a_bad_manual_item_is_refused_naming_the_entry(tmp_path, manual, named):
    with pytest.raises(ConfigError) as refused:
        TPConfig.load(_tp(tmp_path, manual))
    assert named in refused.value.message.en and "[[manual]]" in refused.value.message.fr
