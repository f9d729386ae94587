"""Scaffold: a new, minimal but complete TP in source/<tp>, from templates in the package.

The scaffold is a working example of the contract between a TP and the grader (nbgrader
metadata, cell ids, checks with item/points markers, and scenarios.py: a wrong answer and a
correct variant release proves), so a TP author starts from something that releases and
grades, and edits it rather than writing it from scratch.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from importlib import resources
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

import nbformat

from autograder.config import ConfigError, TPConfig
from autograder.errors import AutograderError
from autograder.results import Message
from autograder.secret import create_secret, secret_path

if TYPE_CHECKING:  # importlib.resources.abc is 3.11+; only the annotation needs it
    from importlib.resources.abc import Traversable

TEMPLATE_DIR = ("templates", "new_tp")
TEMPLATE_SUFFIX = ".tmpl"
NOTEBOOK_TEMPLATE = "notebook.ipynb"  # renamed to <tp_id>.ipynb
TP_ID_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")


class ScaffoldError(AutograderError):
    """The TP cannot be created; `.message` says why and what to do."""


def new_tp(course_root: Path, tp_id: str, *, title_fr: str, title_en: str) -> Path:
    """Create source/<tp_id>/ (tp.toml, notebook, public and hidden checks, and scenarios.py:
    the proof `autograder release` grades, one wrong and one correct answer); returns its path.
    A course without a secret gets one (`.autograder-secret`, random, 0600).

    Refuses an invalid id, an empty or multi-line title, or an existing folder: a scaffold
    never overwrites an author's work. The folder is built aside and moved in whole.
    """
    _check_inputs(tp_id, title_fr, title_en)
    source = Path(course_root) / "source"
    target = source / tp_id
    if target.exists():
        raise ScaffoldError(
            Message(
                fr=f"{target} existe déjà : choisissez un autre identifiant ou supprimez ce dossier.",
                en=f"{target} already exists: pick another id or remove that folder.",
            )
        )
    source.mkdir(parents=True, exist_ok=True)
    staged = source / f".{tp_id}.new-{secrets.token_hex(4)}"
    staged.mkdir()
    try:
        values = _values(tp_id, title_fr, title_en)
        for rel, template in _templates():
            dest = staged / _output_name(rel, tp_id)
            dest.parent.mkdir(parents=True, exist_ok=True)
            text = Template(template.read_text(encoding="utf-8")).substitute(values)
            dest.write_text(text, encoding="utf-8")
        _validate(staged, tp_id)
        os.rename(staged, target)  # fails rather than merging if target appeared meanwhile
    finally:
        if staged.exists():
            shutil.rmtree(staged)
    if not secret_path(course_root).exists():  # a new course: hidden inputs need a secret of its own
        create_secret(course_root)
    return target


def _check_inputs(tp_id: str, title_fr: str, title_en: str) -> None:
    if not TP_ID_RE.fullmatch(tp_id):
        raise ScaffoldError(
            Message(
                fr=f"identifiant de TP invalide « {tp_id} » : lettres minuscules, chiffres et _, "
                "commençant par une lettre (ex. tp03_convolutions).",
                en=f"invalid TP id '{tp_id}': lowercase letters, digits and _, starting with a "
                "letter (e.g. tp03_convolutions).",
            )
        )
    for lang, title in (("fr", title_fr), ("en", title_en)):
        if not title.strip() or any(ord(ch) < 32 for ch in title):
            raise ScaffoldError(
                Message(
                    fr=f"titre {lang} invalide {title!r} : une ligne non vide.",
                    en=f"invalid {lang} title {title!r}: one non-empty line.",
                )
            )


def _values(tp_id: str, title_fr: str, title_en: str) -> dict[str, str]:
    """Template values, escaped for the file they land in (TOML string, JSON string body)."""

    def toml(s: str) -> str:  # a JSON string literal is a valid TOML basic string here
        return json.dumps(s, ensure_ascii=False)

    def json_body(s: str) -> str:
        return json.dumps(s, ensure_ascii=False)[1:-1]

    return {
        "tp_id": tp_id,
        "tp_id_toml": toml(tp_id),
        "notebook_toml": toml(f"{tp_id}.ipynb"),
        "title_fr_toml": toml(title_fr.strip()),
        "title_en_toml": toml(title_en.strip()),
        "title_fr_json": json_body(title_fr.strip()),
        "title_en_json": json_body(title_en.strip()),
    }


def _templates() -> list[tuple[Path, Traversable]]:
    """(relative path, template) for every *.tmpl file under autograder/templates/new_tp/."""
    root = resources.files("autograder").joinpath(*TEMPLATE_DIR)
    found: list[tuple[Path, Traversable]] = []

    def walk(node: Traversable, rel: Path) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.is_dir():
                walk(child, rel / child.name)
            elif child.name.endswith(TEMPLATE_SUFFIX):
                found.append((rel / child.name, child))

    walk(root, Path())
    if not found:
        raise ScaffoldError(
            Message(
                fr=f"modèles de TP introuvables dans {root} : réinstallez le paquet (scripts/setup.sh).",
                en=f"TP templates not found in {root}: reinstall the package (scripts/setup.sh).",
            )
        )
    return found


def _output_name(rel: Path, tp_id: str) -> Path:
    out = rel.with_name(rel.name.removesuffix(TEMPLATE_SUFFIX))
    return out.with_name(f"{tp_id}.ipynb") if out.name == NOTEBOOK_TEMPLATE else out


def _validate(folder: Path, tp_id: str) -> None:
    """The rendered files load as the grader will load them (a broken template fails here)."""
    try:
        cfg = TPConfig.load(folder / "tp.toml")
    except ConfigError as exc:
        raise ScaffoldError(exc.message) from exc
    nb_path = folder / cfg.notebook
    try:
        nbformat.validate(nbformat.reads(nb_path.read_text(encoding="utf-8"), as_version=4))
    except (OSError, ValueError, nbformat.ValidationError) as exc:
        raise ScaffoldError(
            Message(
                fr=f"le notebook généré {nb_path.name} est invalide : {exc}",
                en=f"the generated notebook {nb_path.name} is invalid: {exc}",
            )
        ) from exc
    if cfg.id != tp_id:
        raise ScaffoldError(
            Message(
                fr=f"tp.toml généré incohérent : id {cfg.id!r} au lieu de {tp_id!r}",
                en=f"generated tp.toml is inconsistent: id {cfg.id!r} instead of {tp_id!r}",
            )
        )
