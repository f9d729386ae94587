"""Fuzzing the way in: malformed notebooks through read_notebook, graft and grading.

Whatever the bytes of the committed notebook, the only outcomes allowed are a clean report
or a clean error: `read_notebook` returns a normalised notebook or raises `NotebookError`
(known code, bilingual message naming where, of bounded length); `graft` returns a notebook
where every instructor cell is the instructor's; and `grade_job` on a notebook that does
not parse writes a complete 0-point report without ever starting a kernel.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import autograder.grading.grade as grade_mod
from autograder.config import GradeOptions
from autograder.grading.grade import grade_job, job_for_tp
from autograder.intake.graft import ORIGIN_ANSWER, ORIGIN_INSTRUCTOR, ORIGIN_SCRATCH, graft
from autograder.intake.nbio import CELL_TYPES, NotebookError, grade_id, is_answer, read_notebook
from autograder.results import CommitInfo, Status
from tests.course_builder import FAST, MAX_SCORE, MINI, build_course, mini_release, nb_bytes
from tests.hostile.harness import REPORT_FILES, rm_tree

WHERE = "commit 0123456789, tp_mini/tp_mini.ipynb"
NB_CODES = {
    "notebook-too-large",
    "notebook-not-utf8",
    "invalid-json",
    "old-nbformat",
    "not-a-notebook",
    "invalid-cell",
}
GRAFT_CODES = {
    "duplicate-answer-cell",
    "answer-cell-converted",
    "answer-cell-missing",
    "given-cell-modified",
}
#: A message names where the problem is and what is wrong, in a few lines: hostile values
#: quoted in it must be cut short.
MAX_MESSAGE = 2_000
SETTINGS = dict(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- strategies ------------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
)
json_values = st.recursive(
    json_scalars,
    lambda kids: (
        st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=10), kids, max_size=4)
    ),
    max_leaves=20,
)
RELEASE = mini_release()
GIDS = [c["metadata"]["nbgrader"]["grade_id"] for c in RELEASE["cells"]]
IDS = [c["id"] for c in RELEASE["cells"]]


@st.composite
def cells(draw) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)  # not even a dict
    cell: dict[str, Any] = {}
    if draw(st.integers(0, 9)) < 8:  # mostly valid, so that graft gets its share
        cell["cell_type"] = draw(st.sampled_from(CELL_TYPES))
        cell["source"] = draw(
            st.text(max_size=60)
            | st.lists(st.text(max_size=20), max_size=4)
            | st.sampled_from(["def add(a, b):\n    return a + b\n", "while True: pass\n"])
        )
    else:
        cell["cell_type"] = draw(st.sampled_from(["heading", "", None, 3]) | st.text(max_size=5))
        cell["source"] = draw(json_values)
    if draw(st.booleans()):
        nbg = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "grade_id": st.sampled_from(GIDS) | json_values,
                    "solution": st.booleans() | json_values,
                    "locked": st.booleans() | json_values,
                    "grade": st.booleans(),
                },
            )
        )
        cell["metadata"] = draw(st.sampled_from([{"nbgrader": nbg}, nbg, {"nbgrader": [nbg]}]))
    if draw(st.booleans()):
        cell["id"] = draw(st.sampled_from(IDS) | st.text(max_size=80) | json_values)
    if draw(st.booleans()):
        cell["outputs"] = draw(json_values)
    return cell


@st.composite
def notebook_docs(draw) -> Any:
    """Mostly notebook-shaped JSON, with every field free to be wrong."""
    base: dict[str, Any] = {}
    often = draw(st.integers(0, 9)) < 8
    base["nbformat"] = (
        4 if often else draw(st.sampled_from([3, "4", 4.0, None, [4]]) | json_scalars)
    )
    base["nbformat_minor"] = draw(st.integers(0, 10) | json_scalars)
    base["metadata"] = draw(st.sampled_from([RELEASE["metadata"], {}, None, []]) | json_values)
    if draw(st.integers(0, 9)) == 0:
        base["worksheets"] = [{"cells": []}]
    real = [dict(c) for c in RELEASE["cells"]]
    picked = draw(st.lists(st.sampled_from(real), max_size=10))
    extra = draw(st.lists(cells(), max_size=6))
    mixed = draw(st.permutations(picked + extra))
    often = draw(st.integers(0, 9)) < 8
    base["cells"] = mixed if often else draw(st.sampled_from([{"0": mixed}, None, "cells"]))
    if draw(st.integers(0, 19)) == 0:
        return draw(json_values)
    return base


@st.composite
def damaged_bytes(draw) -> bytes:
    """The release notebook's bytes, truncated, flipped, or with bytes inserted."""
    raw = bytearray(nb_bytes(RELEASE))
    for _ in range(draw(st.integers(1, 3))):
        pos = draw(st.integers(0, len(raw)))
        op = draw(st.sampled_from(["flip", "insert", "cut"]))
        if op == "flip" and pos < len(raw):
            raw[pos] = draw(st.integers(0, 255))
        elif op == "insert":
            raw[pos:pos] = draw(st.binary(min_size=1, max_size=4))
        else:
            del raw[pos:]
    return bytes(raw)


def encode(doc: Any) -> bytes:
    # Lone surrogates from st.text() become invalid UTF-8: a notebook-not-utf8 case too.
    return json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass")


submissions = notebook_docs().map(encode) | damaged_bytes() | st.binary(max_size=300)

# -- read_notebook + graft -----------------------------------------------------------------


def check_notebook_error(err: NotebookError) -> None:
    assert err.code in NB_CODES, err.code
    for text in (err.message.fr, err.message.en):
        assert WHERE in text and len(text) <= MAX_MESSAGE, (err.code, len(text), text[:200])


def check_graft(student: dict[str, Any]) -> None:
    instructor = read_notebook(nb_bytes(RELEASE), "release")
    g = graft(instructor, student, WHERE)
    assert len(g.origins) == len(g.notebook["cells"])
    assert {p.code for p in g.problems} <= GRAFT_CODES
    for p in g.problems:
        assert p.message.fr and p.message.en and len(p.message.fr) <= MAX_MESSAGE
    # Every instructor cell is there, in order, and its source is the instructor's unless it
    # is an answer cell filled in by the student.
    mine = [
        (c, o) for c, o in zip(g.notebook["cells"], g.origins, strict=True) if o != ORIGIN_SCRATCH
    ]
    assert [grade_id(c) for c, _ in mine] == [grade_id(c) for c in instructor["cells"]]
    for (cell, origin), inst in zip(mine, instructor["cells"], strict=True):
        assert cell["cell_type"] == inst["cell_type"]
        if origin == ORIGIN_INSTRUCTOR:
            assert cell["source"] == inst["source"]
        else:
            assert origin == ORIGIN_ANSWER and is_answer(inst)
    for cell, origin in zip(g.notebook["cells"], g.origins, strict=True):
        assert isinstance(cell["source"], str)
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
        if origin == ORIGIN_SCRATCH:
            assert cell["cell_type"] == "code" and cell["source"].strip()
    json.dumps(g.notebook)  # written as executed.ipynb later


def outcome(raw: bytes) -> dict[str, Any] | None:
    try:
        nb = read_notebook(raw, WHERE)
    except NotebookError as err:
        check_notebook_error(err)
        event(f"error: {err.code}")
        return None
    check_graft(nb)
    event("parsed and grafted")
    return nb


@settings(max_examples=400, **SETTINGS)
@given(submissions)
def test_fuzz_read_and_graft(raw):
    outcome(raw)


@pytest.mark.parametrize(
    "doc",
    [
        {"nbformat": 4, "cells": [{"cell_type": "x" * 100_000, "source": ""}]},
        {"nbformat": "4" * 100_000, "cells": []},
        {"nbformat": 4, "cells": [["x" * 100_000]]},
    ],
    ids=["huge-cell-type", "huge-nbformat", "huge-non-dict-cell"],
)
def test_hostile_values_in_messages_are_cut_short(doc):
    with pytest.raises(NotebookError) as info:
        read_notebook(encode(doc), WHERE)
    check_notebook_error(info.value)


# -- grading without a kernel ------------------------------------------------------------------


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    return build_course(tmp_path_factory.mktemp("fuzz") / "course").tp(MINI)


unparseable = (
    notebook_docs().map(encode).filter(lambda raw: outcome(raw) is None)
    | damaged_bytes().filter(lambda raw: outcome(raw) is None)
    | st.binary(max_size=100).filter(lambda raw: outcome(raw) is None)
)


@settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(raw=unparseable)
def test_fuzz_grading_a_notebook_that_does_not_parse(mini, raw):
    def no_kernel(spec):
        raise AssertionError("a kernel was started for a notebook that does not parse")

    commit = CommitInfo(
        repo="fuzz", ref="main", sha="0123456789abcdef", notebook_path=f"{MINI}/{MINI}.ipynb"
    )
    out = Path(tempfile.mkdtemp(prefix="hostile-fuzz-"))
    saved = grade_mod.launch
    grade_mod.launch = no_kernel
    try:
        graded = grade_job(
            job_for_tp(mini, commit=commit, student_bytes=raw), GradeOptions(**FAST), out
        )
        r = graded.report
        assert (r.score, r.max_score) == (0.0, MAX_SCORE)
        assert len(r.problems) == 1 and r.problems[0].code in NB_CODES
        assert r.cells == () and r.sandbox is None and graded.executed is None
        assert r.checks and all(c.status == Status.ERROR for c in r.checks)
        assert sorted(p.name for p in out.iterdir()) == sorted(REPORT_FILES)
        data = json.loads((out / "grade.json").read_text("utf-8"))
        assert data["score"] == 0.0 and data["problems"][0]["code"] == r.problems[0].code
        for name in REPORT_FILES:
            assert (out / name).stat().st_size < 200_000, name
    finally:
        grade_mod.launch = saved
        rm_tree(out)
