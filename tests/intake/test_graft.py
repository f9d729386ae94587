"""graft: the instructor's cells always; the student's answers by grade_id; scratch kept in place."""

from __future__ import annotations

import copy
from typing import Any

from autograder.intake.graft import (
    ORIGIN_ANSWER,
    ORIGIN_INSTRUCTOR,
    ORIGIN_SCRATCH,
    graft,
    student_code_digest,
)
from autograder.intake.nbio import grade_id, read_notebook
from tests.course_builder import (
    SOLUTION,
    STUBS,
    mini_release,
    nb_bytes,
    scratch_cell,
    student_notebook,
)

WHERE = "commit 0123456789, tp_mini/tp_mini.ipynb"


def parsed(nb: dict[str, Any]) -> dict[str, Any]:
    """Through nbio, as grading does."""
    return read_notebook(nb_bytes(nb), WHERE)


RELEASE = parsed(mini_release())


def run(student: dict[str, Any]):
    return graft(RELEASE, parsed(student), WHERE)


def sources_by_gid(nb: dict[str, Any]) -> dict[str, str]:
    return {grade_id(c): c["source"] for c in nb["cells"] if grade_id(c)}


def codes(grafted) -> list[str]:
    return [p.code for p in grafted.problems]


def cell_index(nb: dict[str, Any], gid: str) -> int:
    return next(i for i, c in enumerate(nb["cells"]) if grade_id(c) == gid)


def test_solution_answers_replace_the_stubs_and_nothing_else_changes():
    g = run(student_notebook(SOLUTION))
    assert g.problems == ()
    got = sources_by_gid(g.notebook)
    for gid, src in SOLUTION.items():
        assert got[gid] == src
    for gid in ("setup", "given_mid", "given_end", "md_intro"):
        assert got[gid] == sources_by_gid(RELEASE)[gid]
    assert len(g.origins) == len(g.notebook["cells"]) == len(RELEASE["cells"])
    assert [o for o in g.origins if o == ORIGIN_ANSWER] == [ORIGIN_ANSWER] * 3
    # The grafted cells carry the instructor's metadata and ids, and no outputs.
    for inst, out in zip(RELEASE["cells"], g.notebook["cells"], strict=True):
        assert out["metadata"] == inst["metadata"] and out["id"] == inst["id"]
        assert out.get("outputs", []) == []


def test_untouched_release_grafts_to_itself_without_problems():
    g = run(mini_release())
    assert g.problems == ()
    assert sources_by_gid(g.notebook) == sources_by_gid(RELEASE)


def test_student_edits_a_given_cell_instructor_version_is_used():
    nb = student_notebook(SOLUTION)
    nb["cells"][cell_index(nb, "setup")]["source"] = "import numpy as np\nOFFSET = 1000\n"
    nb["cells"][cell_index(nb, "md_intro")]["source"] = "# mon TP"
    g = run(nb)
    assert sources_by_gid(g.notebook)["setup"] == "import numpy as np\n\nOFFSET = 0\n"
    assert sources_by_gid(g.notebook)["md_intro"].startswith("# TP mini")
    assert codes(g) == ["given-cell-modified"]
    msg = g.problems[0].message
    assert "setup" in msg.fr and "md_intro" in msg.fr and "enseignant" in msg.fr
    assert g.problems[0].where == WHERE


def test_student_deletes_a_given_cell_it_still_runs():
    nb = student_notebook(SOLUTION)
    del nb["cells"][cell_index(nb, "given_mid")]
    g = run(nb)
    assert sources_by_gid(g.notebook)["given_mid"] == "CONSTANT = 3\n"
    assert g.origins[cell_index(g.notebook, "given_mid")] == ORIGIN_INSTRUCTOR


def test_deleted_answer_cell_keeps_the_stub_and_reports_it():
    nb = student_notebook(SOLUTION)
    del nb["cells"][cell_index(nb, "square")]
    g = run(nb)
    assert codes(g) == ["answer-cell-missing"]
    assert "« square »" in g.problems[0].message.fr and "'square'" in g.problems[0].message.en
    i = cell_index(g.notebook, "square")
    assert g.notebook["cells"][i]["source"] == STUBS["square"]
    assert g.origins[i] == ORIGIN_INSTRUCTOR
    # The other answers are still the student's.
    assert sources_by_gid(g.notebook)["add"] == SOLUTION["add"]


def test_answer_cell_with_wiped_metadata_is_matched_by_its_cell_id():
    nb = student_notebook(SOLUTION)
    nb["cells"][cell_index(nb, "scale")]["metadata"] = {}
    g = run(nb)
    assert g.problems == ()
    assert sources_by_gid(g.notebook)["scale"] == SOLUTION["scale"]


def test_answer_cell_with_wiped_metadata_and_new_id_is_missing():
    nb = student_notebook(SOLUTION)
    cell = nb["cells"][cell_index(nb, "scale")]
    cell["metadata"], cell["id"] = {}, "brand-new-id"
    g = run(nb)
    assert codes(g) == ["answer-cell-missing"]
    assert sources_by_gid(g.notebook)["scale"] == STUBS["scale"]
    # The orphaned code is kept as scratch, right after the cell before it.
    i = cell_index(g.notebook, "square")
    assert g.notebook["cells"][i + 1]["source"] == SOLUTION["scale"]
    assert g.origins[i + 1] == ORIGIN_SCRATCH


def test_answer_converted_to_markdown_is_not_run():
    nb = student_notebook(SOLUTION)
    cell = nb["cells"][cell_index(nb, "add")]
    cell["cell_type"] = "markdown"
    del cell["outputs"], cell["execution_count"]
    g = run(nb)
    assert codes(g) == ["answer-cell-converted"]
    p = g.problems[0]
    assert "« add »" in p.message.fr and "markdown" in p.message.fr
    assert p.where.endswith("cellule 3")
    i = cell_index(g.notebook, "add")
    assert g.notebook["cells"][i]["cell_type"] == "code"
    assert g.notebook["cells"][i]["source"] == STUBS["add"]
    assert g.origins[i] == ORIGIN_INSTRUCTOR


def test_duplicate_answer_cells_first_one_is_graded():
    nb = student_notebook(SOLUTION)
    i = cell_index(nb, "add")
    dup = copy.deepcopy(nb["cells"][i])
    dup["id"] = "copy-of-add"
    dup["source"] = "def add(a, b):\n    return 0\n"
    nb["cells"].insert(i + 2, dup)  # after given_mid
    g = run(nb)
    assert codes(g) == ["duplicate-answer-cell"]
    assert g.problems[0].where == f"{WHERE}, cellule {i + 3}"
    assert sources_by_gid(g.notebook)["add"] == SOLUTION["add"]
    assert sum(1 for c in g.notebook["cells"] if grade_id(c) == "add") == 1
    assert "return 0" not in "".join(c["source"] for c in g.notebook["cells"])


def test_scratch_cells_stay_after_the_preceding_instructor_cell():
    nb = student_notebook(
        SOLUTION,
        scratch_after={"md_intro": ["TOP = 1\n"], "add": ["print(add(1, 2))\n", "X = 2\n"]},
    )
    nb["cells"].insert(0, scratch_cell("FIRST = 0\n", "very-first"))
    nb["cells"].append(scratch_cell("LAST = 9\n", "very-last"))
    # Empty code cells and markdown notes of the student are not run.
    nb["cells"].append(scratch_cell("   \n", "blank"))
    note = scratch_cell("mes notes", "note")
    note["cell_type"] = "markdown"
    nb["cells"].append(note)
    g = run(nb)
    assert g.problems == ()
    layout = [
        (grade_id(c) or c["source"].strip(), o)
        for c, o in zip(g.notebook["cells"], g.origins, strict=True)
    ]
    assert layout == [
        ("FIRST = 0", ORIGIN_SCRATCH),
        ("md_intro", ORIGIN_INSTRUCTOR),
        ("TOP = 1", ORIGIN_SCRATCH),
        ("setup", ORIGIN_INSTRUCTOR),
        ("add", ORIGIN_ANSWER),
        ("print(add(1, 2))", ORIGIN_SCRATCH),
        ("X = 2", ORIGIN_SCRATCH),
        ("given_mid", ORIGIN_INSTRUCTOR),
        ("md_square", ORIGIN_INSTRUCTOR),
        ("square", ORIGIN_ANSWER),
        ("scale", ORIGIN_ANSWER),
        ("given_end", ORIGIN_INSTRUCTOR),
        ("LAST = 9", ORIGIN_SCRATCH),
    ]


def test_match_by_grade_id_when_every_cell_id_changed():
    nb = student_notebook(SOLUTION)
    for n, cell in enumerate(nb["cells"]):
        cell["id"] = f"renamed-{n}"
    g = run(nb)
    assert g.problems == ()
    assert sources_by_gid(g.notebook)["square"] == SOLUTION["square"]
    # The instructor's ids are kept in the notebook that runs.
    assert [c["id"] for c in g.notebook["cells"]] == [c["id"] for c in RELEASE["cells"]]


def test_reordered_answers_run_in_the_instructor_order():
    nb = student_notebook(SOLUTION)
    i, j = cell_index(nb, "square"), cell_index(nb, "scale")
    nb["cells"][i], nb["cells"][j] = nb["cells"][j], nb["cells"][i]
    g = run(nb)
    assert [grade_id(c) for c in g.notebook["cells"]] == [grade_id(c) for c in RELEASE["cells"]]
    assert sources_by_gid(g.notebook)["scale"] == SOLUTION["scale"]


def test_a_scratch_cell_claiming_a_given_grade_id_cannot_replace_it():
    nb = student_notebook(SOLUTION)
    fake = scratch_cell("OFFSET = 1000\n", "fake-setup")
    fake["metadata"] = {"nbgrader": {"grade_id": "setup", "solution": True, "locked": False}}
    nb["cells"].append(fake)
    g = run(nb)
    assert "given-cell-modified" in codes(g)
    assert "OFFSET = 1000" not in "".join(c["source"] for c in g.notebook["cells"])


def test_unknown_grade_id_is_scratch():
    nb = student_notebook(SOLUTION)
    cell = scratch_cell("EXTRA = 1\n", "extra")
    cell["metadata"] = {"nbgrader": {"grade_id": "bonus", "solution": True}}
    nb["cells"].append(cell)
    g = run(nb)
    assert g.problems == ()
    assert g.origins[-1] == ORIGIN_SCRATCH and g.notebook["cells"][-1]["source"] == "EXTRA = 1\n"


def test_scratch_cells_lose_the_nbgrader_metadata_the_student_wrote():
    """Formgrader prints a cell's grade_id into its page unescaped: the grader owns it."""
    nb = student_notebook(SOLUTION)
    cell = scratch_cell("NOTE = 1\n", "note")
    cell["metadata"] = {
        "nbgrader": {"grade_id": 'note"></textarea><img src=x onerror=alert(1)>', "solution": True, "grade": True},
        "tags": ["<script>alert(1)</script>"],
    }
    nb["cells"].append(cell)
    g = run(nb)
    assert g.origins[-1] == ORIGIN_SCRATCH and g.notebook["cells"][-1]["source"] == "NOTE = 1\n"
    assert g.notebook["cells"][-1]["metadata"] == {}
    answers = [c for c, o in zip(g.notebook["cells"], g.origins, strict=True) if o == ORIGIN_ANSWER]
    assert [grade_id(c) for c in answers] == ["add", "square", "scale"]
    inst = {grade_id(c): c["metadata"] for c in RELEASE["cells"]}
    assert all(c["metadata"] == inst[grade_id(c)] for c in answers)


def test_instructor_notebook_is_not_mutated():
    before = copy.deepcopy(RELEASE)
    run(student_notebook(SOLUTION, scratch_after={"add": ["Y = 1\n"]}))
    assert before == RELEASE


def digest(student: dict[str, Any]) -> str:
    g = run(student)
    return student_code_digest(g.notebook, g.origins)


def test_code_digest_follows_the_students_code_only():
    """Hidden inputs derive from it: new code, new inputs; the same code (re-run, other
    outputs, given cells touched) the same inputs, hence the same grade."""
    base = digest(student_notebook(SOLUTION))
    gid = next(iter(SOLUTION))
    edited = {**SOLUTION, gid: SOLUTION[gid] + "\n# relu"}
    assert digest(student_notebook(edited)) != base
    assert digest(student_notebook(SOLUTION, scratch_after={gid: ["print(1)"]})) != base
    rerun = student_notebook(SOLUTION)
    for cell in rerun["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "42\n"}]
            cell["execution_count"] = 7
        elif cell["cell_type"] == "markdown":
            cell["source"] = "notes de l'étudiant"
    assert digest(rerun) == base
