"""nbio: hostile bytes -> a validated nbformat-4 dict, or a NotebookError naming what is wrong."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.intake.nbio import (
    CELL_TYPES,
    MAX_CELL_SOURCE,
    MAX_CELLS,
    MAX_NOTEBOOK_BYTES,
    MAX_TOTAL_SOURCE,
    NotebookError,
    grade_id,
    is_answer,
    read_notebook,
)
from tests.course_builder import mini_release, nb_bytes

WHERE = "commit abc1234567, tp_mini/tp_mini.ipynb"
CODES = {
    "notebook-too-large",
    "notebook-not-utf8",
    "invalid-json",
    "old-nbformat",
    "not-a-notebook",
    "invalid-cell",
    "notebook-too-many-cells",
    "invalid-grade-id",
}


def error(raw: bytes) -> NotebookError:
    with pytest.raises(NotebookError) as info:
        read_notebook(raw, WHERE)
    err = info.value
    # Every error names where it happened, in both languages.
    assert WHERE in err.message.fr and WHERE in err.message.en
    assert err.code in CODES
    return err


def nb_with_cells(cells: list[Any]) -> bytes:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}).encode()


# ---------------------------------------------------------------- valid notebooks


def test_release_notebook_is_read_and_normalised():
    release = mini_release()
    release["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x"}]
    release["cells"][1]["execution_count"] = 7
    release["cells"][1]["metadata"]["tags"] = ["keep-me-not"]
    release["metadata"]["widgets"] = {"huge": "state"}
    nb = read_notebook(nb_bytes(release), WHERE)
    assert nb["nbformat"] == 4 and nb["metadata"] == {}
    assert [c["cell_type"] for c in nb["cells"]] == [c["cell_type"] for c in release["cells"]]
    setup = nb["cells"][1]
    # Student outputs are not evidence: dropped; only nbgrader metadata is kept.
    assert setup["outputs"] == [] and setup["execution_count"] is None
    assert setup["metadata"] == {"nbgrader": release["cells"][1]["metadata"]["nbgrader"]}
    assert [grade_id(c) for c in nb["cells"]] == [
        "md_intro",
        "setup",
        "add",
        "given_mid",
        "md_square",
        "square",
        "scale",
        "given_end",
    ]
    assert [is_answer(c) for c in nb["cells"]].count(True) == 3
    assert "outputs" not in nb["cells"][0]  # markdown


def test_source_as_list_of_lines_is_joined_and_long_ids_are_cut():
    raw = nb_with_cells(
        [
            {
                "cell_type": "code",
                "id": "x" * 500,
                "metadata": {"nbgrader": "not a dict"},
                "source": ["a = 1\n", "b = 2\n"],
            },
            {"cell_type": "raw", "metadata": [], "source": "raw text", "id": 12},
        ]
    )
    nb = read_notebook(raw, WHERE)
    code, raw_cell = nb["cells"]
    assert code["source"] == "a = 1\nb = 2\n"
    assert code["id"] == "x" * 64
    assert code["metadata"] == {} and grade_id(code) is None
    assert raw_cell["id"] == "" and raw_cell["metadata"] == {}


def test_non_string_grade_id_is_no_grade_id():
    raw = nb_with_cells(
        [{"cell_type": "code", "source": "", "metadata": {"nbgrader": {"grade_id": ["add"]}}}]
    )
    assert grade_id(read_notebook(raw, WHERE)["cells"][0]) is None


# ---------------------------------------------------------------- whole-file errors


def test_invalid_json_names_line_and_column():
    err = error(b'{"cells": [\n  {"cell_type": "code",,}\n]}')
    assert err.code == "invalid-json"
    assert "ligne 2" in err.message.fr and "line 2" in err.message.en


def test_git_conflict_markers_are_invalid_json_with_a_hint():
    raw = b'{\n<<<<<<< HEAD\n "cells": []\n=======\n "cells": [1]\n>>>>>>> theirs\n}'
    err = error(raw)
    assert err.code == "invalid-json"
    assert "conflit git" in err.message.fr


def test_deeply_nested_json_is_invalid_json_not_a_crash():
    err = error(b"[" * 200_000 + b"]" * 200_000)
    assert err.code == "invalid-json"


def test_nbformat_3_is_named_as_such():
    raw = json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": [{"cells": []}]})
    err = error(raw.encode())
    assert err.code == "old-nbformat"
    assert "nbformat 3" in err.message.fr and "nbformat 3" in err.message.en


@pytest.mark.parametrize("version", [None, 5, "4", 3])
def test_other_nbformat_versions_are_refused(version):
    doc: dict[str, Any] = {"cells": []}
    if version is not None:
        doc["nbformat"] = version
    err = error(json.dumps(doc).encode())
    assert err.code == "old-nbformat"
    assert repr(version) in err.message.fr


@pytest.mark.parametrize(
    "doc",
    [[], "a notebook", 42, None, {"cells": "no"}, {"metadata": {}}, {"cells": {"0": {}}}],
    ids=["list", "string", "number", "null", "cells-string", "no-cells", "cells-dict"],
)
def test_json_that_is_not_a_notebook(doc):
    err = error(json.dumps(doc).encode())
    assert err.code == "not-a-notebook"
    assert "cells" in err.message.fr and "cells" in err.message.en


def test_non_utf8_bytes_name_the_byte_offset():
    raw = b'{"cells": [], "nbformat": 4, "x": "caf\xe9"}'
    err = error(raw)
    assert err.code == "notebook-not-utf8"
    pos = raw.index(0xE9)
    assert f"octet {pos}" in err.message.fr and f"byte {pos}" in err.message.en


def test_utf16_notebook_is_not_utf8():
    raw = json.dumps({"cells": [], "nbformat": 4}).encode("utf-16")
    assert error(raw).code == "notebook-not-utf8"


def test_oversized_notebook_is_refused_before_parsing():
    err = error(b" " * (MAX_NOTEBOOK_BYTES + 1))
    assert err.code == "notebook-too-large"
    assert "Clear All Outputs" in err.message.fr


# ---------------------------------------------------------------- cell errors


@pytest.mark.parametrize(
    ("bad", "shown"),
    [
        ("print(1)", "'str'"),
        (["code"], "'list'"),
        (7, "'int'"),
        (None, "'NoneType'"),
        ({"cell_type": "heading", "source": "# x"}, "heading"),
        ({"source": "x = 1"}, "None"),
        ({"cell_type": ["code"], "source": ""}, "['code']"),
    ],
    ids=["string", "list", "int", "null", "heading-v3", "no-type", "type-list"],
)
def test_bad_cell_shape_names_the_cell(bad, shown):
    good = {"cell_type": "markdown", "source": "ok", "metadata": {}}
    err = error(nb_with_cells([good, good, bad]))
    assert err.code == "invalid-cell"
    assert "cellule 3" in err.message.fr and "cell 3" in err.message.en
    assert shown in err.message.fr


@pytest.mark.parametrize("source", [42, None, ["a", 1], {"text": "x"}, [["nested"]]], ids=str)
def test_non_text_source_names_the_cell(source):
    good = {"cell_type": "code", "source": "", "metadata": {}}
    err = error(nb_with_cells([good, {"cell_type": "code", "source": source}]))
    assert err.code == "invalid-cell"
    assert "cellule 2" in err.message.fr and "cell 2" in err.message.en
    assert "source" in err.message.fr


# ---------------------------------------------------------------- fuzzing

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
nbgrader_meta = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "grade_id": st.one_of(st.text(max_size=10), json_values),
            "solution": json_values,
            "locked": json_values,
            "grade": json_values,
            "points": json_values,
        },
    ),
)
cells = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "cell_type": st.one_of(st.sampled_from([*CELL_TYPES, "heading", ""]), json_values),
            "source": st.one_of(st.text(max_size=30), st.lists(st.text(max_size=10)), json_values),
            "metadata": st.one_of(
                json_values,
                st.fixed_dictionaries(
                    {}, optional={"nbgrader": nbgrader_meta, "tags": json_values}
                ),
            ),
            "id": st.one_of(st.text(max_size=80), json_values),
            "outputs": json_values,
            "execution_count": json_values,
            "attachments": json_values,
        },
    ),
)
notebooks = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "cells": st.one_of(st.lists(cells, max_size=6), json_values),
            "nbformat": st.one_of(st.sampled_from([4, 3, 4.0, 5]), json_values),
            "nbformat_minor": json_values,
            "metadata": json_values,
            "worksheets": json_values,
        },
    ),
)


def check_outcome(raw: bytes) -> None:
    """The only outcomes: a well-formed notebook dict, or a NotebookError naming `where`."""
    try:
        nb = read_notebook(raw, WHERE)
    except NotebookError as exc:
        assert exc.code in CODES
        assert WHERE in exc.message.fr and WHERE in exc.message.en
        return
    assert isinstance(nb, dict) and nb["nbformat"] == 4 and nb["metadata"] == {}
    for cell in nb["cells"]:
        assert cell["cell_type"] in CELL_TYPES
        assert isinstance(cell["source"], str)
        assert isinstance(cell["id"], str) and len(cell["id"]) <= 64
        assert set(cell["metadata"]) <= {"nbgrader"}
        assert cell.get("outputs", []) == []
        gid = grade_id(cell)
        assert gid is None or isinstance(gid, str)
        assert isinstance(is_answer(cell), bool)
    # What nbio returns is plain JSON again (it is written as executed.ipynb later).
    json.dumps(nb)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notebooks)
def test_fuzz_notebook_shapes(doc):
    check_outcome(json.dumps(doc).encode("utf-8", "surrogatepass"))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_fuzz_random_bytes(raw):
    check_outcome(raw)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_fuzz_mutated_release_bytes(data):
    """Byte-level damage to a real notebook: truncation, flips, insertions."""
    raw = bytearray(nb_bytes(mini_release()))
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(raw)))
        op = data.draw(st.sampled_from(["flip", "insert", "cut"]))
        if op == "flip" and pos < len(raw):
            raw[pos] = data.draw(st.integers(0, 255))
        elif op == "insert":
            raw[pos:pos] = data.draw(st.binary(min_size=1, max_size=4))
        else:
            del raw[pos:]
    check_outcome(bytes(raw))


# ---------------------------------------------------------------- caps on what reaches reports


def nb_of(cells: list[dict[str, Any]]) -> bytes:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}).encode()


def code(source: str, **nbgrader: Any) -> dict[str, Any]:
    meta = {"nbgrader": nbgrader} if nbgrader else {}
    return {"cell_type": "code", "metadata": meta, "source": source, "outputs": []}


def test_too_many_cells_are_refused_before_parsing():
    raw = nb_of([code("") for _ in range(MAX_CELLS + 1)])
    err = error(raw)
    assert err.code == "notebook-too-many-cells"
    assert f"{MAX_CELLS + 1} cellules" in err.message.fr and "commit again" in err.message.en
    assert len(read_notebook(nb_of([code("") for _ in range(MAX_CELLS)]), WHERE)["cells"]) == MAX_CELLS


def test_cells_hidden_behind_escaped_keys_are_counted_after_parsing():
    raw = nb_of([code("") for _ in range(MAX_CELLS + 1)]).replace(b'"cell_type"', b'"\\u0063ell_type"')
    assert error(raw).code == "notebook-too-many-cells"


def test_a_long_grade_id_is_refused_naming_the_cell():
    raw = nb_of([code("x = 1"), code("y = 2", grade_id="g" * 1_500_000, solution=True)])
    err = error(raw)
    assert err.code == "invalid-grade-id"
    assert "cellule 2" in err.message.fr and "cell 2" in err.message.en and len(err.message.fr) < 500
    ok = read_notebook(nb_of([code("y", grade_id="g" * 64, solution=True)]), WHERE)
    assert grade_id(ok["cells"][0]) == "g" * 64


def test_nbgrader_metadata_keeps_short_scalars_only():
    cell = code("y", grade_id="a", solution=True, points=2, blob="x" * 10_000, nested={"k": [1] * 1000})
    cell["metadata"]["other"] = "z" * 10_000
    meta = read_notebook(nb_of([cell]), WHERE)["cells"][0]["metadata"]
    assert meta == {"nbgrader": {"grade_id": "a", "solution": True, "points": 2}}


def test_a_huge_cell_is_cut_with_a_note_and_the_notebook_total_is_capped():
    big = "# " + "x" * (MAX_CELL_SOURCE + 10_000)
    nb = read_notebook(nb_of([code(big), code("a = 1"), code(big), code(big), code("b = 2")]), WHERE)
    src = [c["source"] for c in nb["cells"]]
    assert src[0].startswith(big[:MAX_CELL_SOURCE]) and "cellule coupée" in src[0] and "cell cut" in src[0]
    assert len(src[0]) < MAX_CELL_SOURCE + 1000
    assert src[1] == "a = 1"
    assert sum(map(len, src)) < MAX_TOTAL_SOURCE + 4000
    assert "cell cut" in src[3] and src[4].startswith("\n# [autograder]")
    md = read_notebook(nb_of([{"cell_type": "markdown", "metadata": {}, "source": big}]), WHERE)
    assert "*[autograder] cellule coupée" in md["cells"][0]["source"]
