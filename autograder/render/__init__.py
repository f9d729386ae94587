"""Renderers: pure functions from a GradeReport to text, and `write_reports` to save them.

Each file is written to a temporary file in the output directory then moved into place, so
a CI job or a gradebook reading the directory never sees a half-written report.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from autograder.render.html import to_html
from autograder.render.json_report import to_json
from autograder.render.junit import to_junit
from autograder.render.markdown import to_markdown
from autograder.results import GradeReport

#: Every file `write_reports` may write: what a report folder holds, and all it holds.
REPORT_FILES = ("grade.json", "junit.xml", "feedback.md", "feedback.html", "executed.ipynb")

__all__ = ["REPORT_FILES", "to_html", "to_json", "to_junit", "to_markdown", "write_reports", "write_atomic"]


def _stage(path: Path, data: bytes) -> str:
    """`data` in a synced temp file beside `path`; returns the temp file's name."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp creates the file 0600; reports are read by other users (CI, web server).
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def write_atomic(path: Path, data: bytes) -> None:
    """Writes `data` to `path` through a temp file in the same directory and os.replace."""
    os.replace(_stage(path, data), path)


def _notebook_bytes(notebook: dict) -> bytes:
    text = json.dumps(notebook, ensure_ascii=False, indent=1) + "\n"
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates (undecodable student output) cannot be UTF-8: \\u-escape them.
        return (json.dumps(notebook, ensure_ascii=True, indent=1) + "\n").encode("ascii")


def write_reports(
    report: GradeReport,
    out_dir: Path,
    *,
    lang: str = "fr",
    tz: str | None = None,
    executed_notebook: dict | None = None,
) -> dict[str, Path]:
    """Writes grade.json, junit.xml, feedback.md, feedback.html (and executed.ipynb).

    `tz` is the time zone the feedback's dates are shown in (GradeOptions.timezone).

    Returns file name -> path. Everything is rendered before anything is written, so a
    renderer error leaves the previous reports untouched.
    """
    out_dir = Path(out_dir)
    contents: dict[str, bytes] = {
        "grade.json": to_json(report, lang).encode("utf-8", "replace"),
        "junit.xml": to_junit(report, lang).encode("utf-8", "replace"),
        "feedback.md": to_markdown(report, lang, tz).encode("utf-8", "replace"),
        "feedback.html": to_html(report, lang, tz).encode("utf-8", "replace"),
    }
    if executed_notebook is not None:
        contents["executed.ipynb"] = _notebook_bytes(executed_notebook)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in REPORT_FILES:
        if name not in contents:  # an older run's file would pass for this run's
            (out_dir / name).unlink(missing_ok=True)
    # All temp files first, then all renames: a full disk leaves the previous set of
    # reports whole, never a mix of new and old files.
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in contents.items():
            staged.append((_stage(out_dir / name, data), out_dir / name))
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    try:
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)  # renamed ones are gone already
    return {path.name: path for _, path in staged}
