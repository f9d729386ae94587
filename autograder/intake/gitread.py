"""Read one file of one commit with gitpython: no checkout, no hooks, no working tree."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import git
from gitdb.exc import BadName, BadObject

from autograder.errors import AutograderError
from autograder.intake.nbio import MAX_NOTEBOOK_BYTES
from autograder.results import CommitInfo, Message, Problem
from autograder.sandbox.workspace import GIT_PREFIX, owned_tempdir

SYMLINK_MODE = 0o120000
MAX_BLOB_BYTES = MAX_NOTEBOOK_BYTES  # checked from the blob's size, before its bytes are read
GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "/bin/true", "SSH_ASKPASS": "/bin/true"}


class SubmissionReadError(AutograderError):
    """The commit or the notebook cannot be read; carries what was learnt so far."""

    def __init__(self, code: str, message: Message, commit: CommitInfo):
        super().__init__(message)
        self.code, self.commit = code, commit


@dataclass(frozen=True)
class ReadResult:
    commit: CommitInfo
    data: bytes
    problems: tuple[Problem, ...] = ()  # what the report should say about the commit itself


_HEX_PREFIX = re.compile(r"[0-9a-fA-F]{4,39}")


def commit_time(commit: git.Commit) -> datetime | None:
    """The committer date, or None when the commit holds one Python cannot represent
    (a year past 9999, an absurd offset): a student's git writes any number there."""
    try:
        return commit.committed_datetime
    except (ValueError, OverflowError, OSError):
        return None


def _named(r: git.Repo, ref: str) -> list[str]:
    """Branches and tags called exactly `ref` (what git would prefer to a sha prefix)."""
    paths = {f"refs/heads/{ref}", f"refs/tags/{ref}", f"refs/remotes/origin/{ref}", f"refs/{ref}"}
    return [x.path for x in r.references if x.path in paths]


def _commits_with_prefix(r: git.Repo, prefix: str) -> list[str]:
    try:
        names = r.git.rev_parse(f"--disambiguate={prefix.lower()}").split()
    except git.GitCommandError:
        return []
    return [sha for sha in names if r.git.cat_file("-t", sha) == "commit"]


def resolve_commit(r: git.Repo, ref: str) -> git.Commit:
    """The commit `ref` names. A short hex ref that is both a branch or tag and the start of
    another commit's sha is refused (AmbiguousRef), never silently taken as the branch."""
    if _HEX_PREFIX.fullmatch(ref):
        named = _named(r, ref)
        by_sha = _commits_with_prefix(r, ref)
        targets = {r.commit(path).hexsha for path in named}
        if len(by_sha) > 1 or (named and by_sha and set(by_sha) != targets):
            raise AmbiguousRef([*named, *by_sha])
    return r.commit(ref)


class AmbiguousRef(Exception):
    def __init__(self, candidates: list[str]):
        super().__init__(", ".join(candidates))
        self.candidates = candidates


def _is_url(repo: str) -> bool:
    return "://" in repo or (repo.startswith("git@") and ":" in repo)


def open_repo(repo: str, workspace: Path) -> git.Repo:
    """A local repo as it is, or a bare mirror of a remote one inside `workspace`."""
    if _is_url(repo):
        target = workspace / "mirror.git"
        git.Repo.clone_from(repo, target, bare=True, env=GIT_ENV, multi_options=["--quiet"])
        return git.Repo(target)
    path = Path(repo)
    if not path.exists():
        raise FileNotFoundError(repo)
    return git.Repo(path, search_parent_directories=False)


def _detail(exc: Exception) -> str:
    """git's own reason ("fatal: ..."), not the quoted tail of GitPython's message."""
    text = str(getattr(exc, "stderr", "") or exc)
    lines = [ln.strip().removeprefix("stderr:").strip().strip("'").strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    fatal = [ln for ln in lines if ln.startswith("fatal:")]
    return ((fatal or lines or [type(exc).__name__])[0])[:300]


def read_submission(repo: str, ref: str, path: str) -> ReadResult:
    """Resolve `ref`, then read `path` at that commit. Errors name repo, ref and path."""
    info = CommitInfo(repo=repo, ref=ref, notebook_path=path)
    workspace = owned_tempdir(GIT_PREFIX)
    try:
        try:
            r = open_repo(repo, workspace)
        except (FileNotFoundError, git.GitError) as exc:  # GitError: also unsafe URLs (ext::...)
            detail = _detail(exc)
            raise SubmissionReadError(
                "repo-unreachable",
                Message(
                    fr=f"dépôt {repo} inaccessible ou invalide ({detail}) ; vérifiez le chemin/l'URL et les droits d'accès",
                    en=f"repository {repo} unreachable or invalid ({detail}); check the path/URL and access rights",
                ),
                info,
            ) from None
        try:
            commit = resolve_commit(r, ref)
        except AmbiguousRef as amb:
            shown = ", ".join(c if c.startswith("refs/") else f"commit {c}" for c in amb.candidates[:4])
            raise SubmissionReadError(
                "ambiguous-ref",
                Message(
                    fr=f"référence « {ref} » ambiguë dans {repo} : elle désigne {shown} ; passez le sha complet (40 caractères) ou le nom complet (refs/heads/…)",
                    en=f"ref '{ref}' is ambiguous in {repo}: it names {shown}; pass the full 40-character sha or the full ref name (refs/heads/...)",
                ),
                info,
            ) from None
        except (BadName, BadObject, ValueError, git.GitCommandError, IndexError):
            raise SubmissionReadError(
                "unknown-ref",
                Message(
                    fr=f"référence « {ref} » introuvable dans {repo} (branche, tag ou sha inexistant) ; vérifiez le nom, et que le commit a bien été poussé",
                    en=f"ref '{ref}' not found in {repo} (no such branch, tag or sha); check the name, and that the commit was pushed",
                ),
                info,
            ) from None
        when = commit_time(commit)
        info = CommitInfo(
            repo=repo,
            ref=ref,
            sha=commit.hexsha,
            # Author and message are the student's to write (any length): cut them short.
            author=f"{commit.author.name} <{commit.author.email}>"[:200],
            committer_date=when.isoformat() if when else None,
            message=commit.message.strip().splitlines()[0][:200] if commit.message.strip() else "",
            notebook_path=path,
        )
        where = f"commit {commit.hexsha[:10]}, {path}"
        problems: tuple[Problem, ...] = ()
        if when is None:
            problems = (
                Problem(
                    "absurd-commit-date",
                    Message(
                        fr=f"commit {commit.hexsha[:10]} : sa date de commit ({commit.committed_date}) n'est pas une date possible ; elle est ignorée. Réglez l'horloge de votre machine et recommitez",
                        en=f"commit {commit.hexsha[:10]}: its committer date ({commit.committed_date}) is not a possible date; it is ignored. Fix your machine's clock and commit again",
                    ),
                    where,
                ),
            )
        try:
            obj = commit.tree / path
        except KeyError:
            raise SubmissionReadError(
                "missing-notebook",
                Message(
                    fr=f"{where} : fichier absent de ce commit ; le notebook doit rester à cet emplacement (ne le renommez pas, ne le déplacez pas), ou passez --notebook-path",
                    en=f"{where}: no such file in this commit; keep the notebook at this path (do not rename or move it), or pass --notebook-path",
                ),
                info,
            ) from None
        if obj.type == "submodule" or obj.type == "commit":
            raise SubmissionReadError(
                "notebook-in-submodule",
                Message(fr=f"{where} : c'est un sous-module git, pas un fichier", en=f"{where}: this is a git submodule, not a file"),
                info,
            )
        if obj.type != "blob":
            raise SubmissionReadError(
                "notebook-not-a-file",
                Message(fr=f"{where} : c'est un dossier, pas un notebook", en=f"{where}: this is a folder, not a notebook"),
                info,
            )
        if obj.mode == SYMLINK_MODE:
            raise SubmissionReadError(
                "notebook-is-symlink",
                Message(
                    fr=f"{where} : le notebook est un lien symbolique ; committez le fichier lui-même",
                    en=f"{where}: the notebook is a symbolic link; commit the file itself",
                ),
                info,
            )
        if obj.size > MAX_BLOB_BYTES:
            raise SubmissionReadError(
                "notebook-too-large",
                Message(
                    fr=f"{where} : notebook de {obj.size // 1_000_000} Mo, trop gros (maximum {MAX_BLOB_BYTES // 1_000_000} Mo) ; effacez les sorties (Edit > Clear All Outputs) et recommitez",
                    en=f"{where}: notebook of {obj.size // 1_000_000} MB, too large (max {MAX_BLOB_BYTES // 1_000_000} MB); clear all outputs and commit again",
                ),
                info,
            )
        return ReadResult(info, obj.data_stream.read(), problems)
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
