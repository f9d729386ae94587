"""The class roster: one CSV row per student (id, name, repo, optional branch)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from autograder.config import ConfigError
from autograder.results import Message

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$")


@dataclass(frozen=True)
class Student:
    id: str
    name: str
    repo: str
    branch: str | None = None
    email: str = ""
    gitlab_project: str | None = None  # group/project on $GITLAB_URL, when the repo URL does not say it


def read_roster(path: Path) -> list[Student]:
    """Columns: student_id (or id), name, repo, branch (optional), email (optional),
    gitlab_project (optional: path with namespace on $GITLAB_URL, for push times)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(Message(fr=f"roster {path} illisible : {exc}", en=f"cannot read roster {path}: {exc}")) from exc
    rows = list(csv.DictReader(text.splitlines()))
    students: list[Student] = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        sid = row.get("student_id") or row.get("id") or ""
        repo = row.get("repo") or row.get("repository") or ""
        if not ID_RE.match(sid) or not repo:
            raise ConfigError(
                Message(
                    fr=f"{path}, ligne {line} : il faut un identifiant (lettres, chiffres, . _ @ -) et un dépôt ; colonnes attendues : student_id,name,repo[,branch][,email]",
                    en=f"{path}, line {line}: a student id (letters, digits, . _ @ -) and a repo are required; expected columns: student_id,name,repo[,branch][,email]",
                )
            )
        if sid in seen:
            raise ConfigError(Message(fr=f"{path}, ligne {line} : identifiant {sid} en double", en=f"{path}, line {line}: duplicate id {sid}"))
        seen.add(sid)
        if not ("://" in repo or repo.startswith("git@")) and not Path(repo).is_absolute():
            repo = str((path.parent / repo).resolve())
        students.append(Student(sid, row.get("name", ""), repo, row.get("branch") or None, row.get("email", ""), row.get("gitlab_project") or None))
    if not students:
        raise ConfigError(Message(fr=f"roster {path} vide", en=f"roster {path} is empty"))
    return students


def shard(students: list[Student], index: int, total: int) -> list[Student]:
    """Deterministic slice i/n (1-based, like GitLab's CI_NODE_INDEX) of the roster sorted by id."""
    if total < 1 or not 1 <= index <= total:
        raise ConfigError(Message(fr=f"--shard {index}/{total} invalide (1 ≤ i ≤ n)", en=f"invalid --shard {index}/{total} (1 ≤ i ≤ n)"))
    ordered = sorted(students, key=lambda s: s.id)
    return [s for k, s in enumerate(ordered) if k % total == index - 1]
