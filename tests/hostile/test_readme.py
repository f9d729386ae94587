"""README.md is the corpus table: regenerate it with `python -m tests.hostile.make_readme`."""

from __future__ import annotations

from tests.hostile.make_readme import README, render


def test_readme_matches_the_corpus():
    assert README.read_text(encoding="utf-8") == render(), (
        "tests/hostile/README.md is out of date: run `python -m tests.hostile.make_readme`"
    )
