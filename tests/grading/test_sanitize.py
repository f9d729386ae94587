"""sanitize: nothing a student produced stays active in the notebook an instructor opens."""

from __future__ import annotations

import base64
import json

from autograder.grading.sanitize import (
    nbgrader_metadata,
    raster,
    removed_note,
    sanitize_notebook,
    sanitize_output,
    verbatim_markdown,
)
from autograder.intake.graft import ORIGIN_ANSWER, ORIGIN_INSTRUCTOR, ORIGIN_SCRATCH

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16).decode()
JPEG = base64.b64encode(b"\xff\xd8\xff\xe0" + b"\x00" * 16).decode()
ACTIVE = ("<script", "onerror", "onload", "javascript:")


def display(data: dict, kind: str = "display_data") -> dict:
    out = {"output_type": kind, "data": data, "metadata": {"image/png": {"width": '1" onload="x'}}}
    if kind == "execute_result":
        out["execution_count"] = 3
    return out


def code(outputs: list, **extra) -> dict:
    return {"cell_type": "code", "id": "c", "metadata": {}, "source": "x", "outputs": outputs, "execution_count": 1, **extra}


def test_html_is_replaced_by_a_note_and_the_text_fallback_is_kept():
    got = sanitize_output(display({"text/html": "<img src=x onerror=alert(1)>", "text/plain": "<HTML object>"}))
    assert got == {
        "output_type": "display_data",
        "data": {"text/plain": removed_note(["text/html"]) + "\n<HTML object>"},
        "metadata": {},
    }
    assert "retirée par sécurité" in got["data"]["text/plain"] and "removed for safety" in got["data"]["text/plain"]


def test_every_script_capable_kind_is_removed():
    kinds = {
        "text/html": "<script>alert(1)</script>",
        "application/javascript": "alert(1)",
        "image/svg+xml": "<svg onload='alert(1)'/>",
        "text/markdown": "<img src=x onerror=alert(1)>",
        "text/latex": r"$\href{javascript:alert(1)}{x}$",
        "application/vnd.jupyter.widget-view+json": {"model_id": "x"},
        "application/pdf": "JVBERi0=",
    }
    got = sanitize_output(display(kinds, "execute_result"))
    assert set(got["data"]) == {"text/plain"} and got["execution_count"] == 3
    for mime in kinds:
        assert mime in got["data"]["text/plain"]
    assert not any(a in json.dumps(got) for a in ACTIVE)


def test_real_images_are_kept_forged_ones_removed():
    assert sanitize_output(display({"image/png": PNG}))["data"] == {"image/png": PNG}
    assert sanitize_output(display({"image/jpeg": JPEG}))["data"] == {"image/jpeg": JPEG}
    # Line-wrapped base64 (as Jupyter writes it) comes back canonical.
    assert raster("image/png", PNG[:10] + "\n" + PNG[10:]) == PNG
    forged = 'iVBORw0KGgo="><img src=x onerror=alert(1)>'
    got = sanitize_output(display({"image/png": forged, "text/plain": "img"}))
    assert got["data"] == {"text/plain": removed_note(["image/png"]) + "\nimg"}
    assert raster("image/png", JPEG) is None  # a JPEG is not a PNG
    assert raster("image/png", base64.b64encode(b"<svg onload=alert(1)>").decode()) is None
    assert raster("image/png", 42) is None


def test_streams_and_errors_stay_text():
    assert sanitize_output({"output_type": "stream", "name": "stdout", "text": ["<b>", "x"]}) == {
        "output_type": "stream", "name": "stdout", "text": "<b>x"
    }
    assert sanitize_output({"output_type": "stream", "name": "<img>", "text": "x"})["name"] == "stdout"
    err = sanitize_output({"output_type": "error", "ename": "E", "evalue": "<script>", "traceback": ["a", 3], "x": 1})
    assert err == {"output_type": "error", "ename": "E", "evalue": "<script>", "traceback": ["a"]}
    assert sanitize_output({"output_type": "display_data", "data": {}, "metadata": {}}) is None
    assert sanitize_output("junk") is None
    odd = sanitize_output({"output_type": "update_display_data", "data": {"text/html": "<script>"}})
    assert odd["output_type"] == "stream" and "<script" not in odd["text"]


def test_nbgrader_metadata_keeps_known_keys_and_valid_grade_ids_only():
    good = {"grade": True, "grade_id": "add_1", "points": 2, "solution": True, "locked": False, "extra": "<b>"}
    assert nbgrader_metadata(good) == {k: v for k, v in good.items() if k != "extra"}
    assert nbgrader_metadata({"grade_id": 'a"><img src=x onerror=alert(1)>', "solution": True}) is None
    assert nbgrader_metadata({"points": "<b>"}) is None
    assert nbgrader_metadata("x") is None


def test_verbatim_markdown_cannot_be_closed_from_inside():
    src = "<script>alert(1)</script>\n````\n<img src=x onerror=alert(1)>\n[a](javascript:alert(1))"
    got = verbatim_markdown(src)
    assert got.startswith("`````text\n") and got.endswith("\n`````\n")
    assert got.count("`````") == 2
    assert verbatim_markdown(got) == got  # sanitising twice changes nothing
    assert verbatim_markdown("```text\nx ``` y\n```\n").startswith("````text")


def test_sanitising_a_sanitised_notebook_changes_nothing():
    nb = {
        "cells": [
            {"cell_type": "markdown", "id": "a", "metadata": {"nbgrader": {"grade_id": "a", "solution": True}}, "source": "<b>x</b>"},
            code([display({"text/html": "<b>", "text/plain": "p", "image/png": PNG})]),
        ]
    }
    once = sanitize_notebook(nb)
    assert sanitize_notebook(once) == once


def test_notebook_cells_metadata_ids_and_attachments():
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "env": {"X": "1"}},
            "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}},
            "title": "<script>",
        },
        "cells": [
            {"cell_type": "markdown", "id": "intro", "metadata": {"nbgrader": {"grade_id": "intro"}}, "source": "<b>prof</b>"},
            code([display({"text/html": "<script>x</script>"})], id='x"><script>', metadata={"tags": ["<b>"]}),
            {"cell_type": "markdown", "id": "ans", "metadata": {"nbgrader": {"grade_id": "ans", "solution": True}},
             "source": "<script>alert(1)</script>", "attachments": {"a.svg": {"image/svg+xml": "<svg/>"}}},
            code([], id="intro"),
            {"cell_type": "raw", "id": "r", "metadata": {"raw_mimetype": "text/html"}, "source": "<script>"},
        ],
    }
    origins = (ORIGIN_INSTRUCTOR, ORIGIN_SCRATCH, ORIGIN_ANSWER, ORIGIN_SCRATCH, ORIGIN_SCRATCH)
    got = sanitize_notebook(nb, origins)
    assert got["metadata"] == {"kernelspec": {"name": "python3", "display_name": "Python 3"}}
    cells = got["cells"]
    assert cells[0]["source"] == "<b>prof</b>"  # the instructor's own markdown is trusted
    assert cells[1]["metadata"] == {} and cells[1]["id"] == "cell-1"
    assert cells[2]["source"] == verbatim_markdown("<script>alert(1)</script>") and "attachments" not in cells[2]
    assert cells[3]["id"] != "intro"  # ids stay unique
    assert cells[4]["metadata"] == {} and cells[4]["source"].startswith("```")
    assert len({c["id"] for c in cells}) == len(cells)
    assert "<script" not in json.dumps(cells[1])
    # Without aligned origins (cells dropped after grafting), answer cells are still the student's.
    again = sanitize_notebook(nb, origins[:2])
    assert again["cells"][2]["source"].startswith("```") and again["cells"][0]["source"] == "<b>prof</b>"
    assert nb["cells"][1]["outputs"][0]["data"] == {"text/html": "<script>x</script>"}  # not mutated


def test_nothing_active_survives_any_output():
    hostile = [
        display({"text/html": "<script>a</script>", "text/plain": "p"}),
        display({"image/svg+xml": "<svg onload=a>"}),
        display({"application/javascript": "a"}, "execute_result"),
        display({"image/png": "javascript:alert(1)"}),
        {"output_type": "stream", "name": "stdout", "text": "plain"},
    ]
    got = sanitize_notebook({"cells": [code(hostile)]})
    mimes = {m for o in got["cells"][0]["outputs"] for m in o.get("data", {})}
    assert mimes <= {"text/plain", "image/png", "image/jpeg"}
    assert all(o["metadata"] == {} for o in got["cells"][0]["outputs"] if "metadata" in o)
