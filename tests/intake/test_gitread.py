"""gitread: one file of one commit of a real repo; no checkout, no hooks, clear errors."""

from __future__ import annotations

import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from autograder.intake.gitread import SubmissionReadError, read_submission
from tests.course_builder import SOLUTION, StudentRepo, nb_bytes, notebook_path, student_notebook

NB = notebook_path()
DATE_1 = "2026-01-15T10:00:00+01:00"
DATE_2 = "2026-02-01T18:30:00-05:00"


class Repos:
    """A student repo with history, branches and tags, plus a bare clone of it."""

    def __init__(self, base: Path):
        self.repo = StudentRepo(base / "student")
        self.v1 = nb_bytes(student_notebook())
        self.v2 = nb_bytes(student_notebook(SOLUTION))
        self.sha1 = self.repo.commit({NB: self.v1}, "premier rendu\n\ndétails", date=DATE_1)
        self.repo.git("tag", "v1")
        self.repo.git("tag", "-a", "rendu-1", "-m", "annotated tag")
        self.sha2 = self.repo.commit({NB: self.v2}, "solution complète", date=DATE_2)
        self.feature = self.repo.commit(
            {"notes.txt": b"notes"}, "feature", branch="feature", start=self.sha1
        )
        self.repo.git("checkout", "-q", "main")
        self.bare = base / "bare.git"
        subprocess.run(
            ["git", "clone", "-q", "--bare", str(self.repo.path), str(self.bare)], check=True
        )
        self.path = str(self.repo.path)


@pytest.fixture(scope="module")
def repos(tmp_path_factory) -> Repos:
    return Repos(tmp_path_factory.mktemp("gitread"))


def read_error(repo: str, ref: str, path: str = NB) -> SubmissionReadError:
    with pytest.raises(SubmissionReadError) as info:
        read_submission(repo, ref, path)
    return info.value


# ---------------------------------------------------------------- resolving refs


@pytest.mark.parametrize(
    ("ref", "which"),
    [
        ("main", 2),
        ("HEAD", 2),
        ("v1", 1),
        ("rendu-1", 1),
        ("feature", 1),
        ("main~1", 1),
        ("sha1", 1),
        ("sha2-short", 2),
    ],
)
def test_refs_resolve_to_the_right_commit(repos, ref, which):
    ref = {"sha1": repos.sha1, "sha2-short": repos.sha2[:8]}.get(ref, ref)
    got = read_submission(repos.path, ref, NB)
    assert got.data == (repos.v1 if which == 1 else repos.v2)
    info = got.commit
    assert info.repo == repos.path and info.ref == ref and info.notebook_path == NB
    if ref == "feature":
        assert info.sha == repos.feature
    else:
        assert info.sha == (repos.sha1 if which == 1 else repos.sha2)


def test_commit_info_records_author_date_and_subject(repos):
    info = read_submission(repos.path, repos.sha1, NB).commit
    assert info.author == "Alice Étudiante <alice@example.org>"
    assert info.committer_date == DATE_1
    assert info.message == "premier rendu"
    info2 = read_submission(repos.path, "main", NB).commit
    assert info2.committer_date == DATE_2


def test_bare_repo(repos):
    got = read_submission(str(repos.bare), "v1", NB)
    assert got.data == repos.v1 and got.commit.sha == repos.sha1


def test_file_url_repo(repos):
    url = f"file://{repos.bare}"
    got = read_submission(url, "main", NB)
    assert got.data == repos.v2 and got.commit.sha == repos.sha2
    assert got.commit.repo == url


def test_no_temporary_mirror_is_left_behind(repos, tmp_path, monkeypatch):
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    assert read_submission(f"file://{repos.bare}", "main", NB).commit.sha == repos.sha2
    with pytest.raises(SubmissionReadError):
        read_submission(f"file://{repos.bare}", "no-such-ref", NB)
    with pytest.raises(SubmissionReadError):
        read_submission(f"file://{tmp_path}/absent.git", "main", NB)
    assert list(private_tmp.iterdir()) == []


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("ref", ["no-such-branch", "deadbeef" * 5, "v1..main", "--help", "-h", ""])
def test_unknown_ref_names_repo_and_ref(repos, ref):
    err = read_error(repos.path, ref)
    assert err.code == "unknown-ref"
    assert repos.path in err.message.fr and repos.path in err.message.en
    assert f"« {ref} »" in err.message.fr and f"'{ref}'" in err.message.en
    assert err.commit.repo == repos.path and err.commit.ref == ref
    assert err.commit.notebook_path == NB and err.commit.sha is None


@pytest.mark.parametrize(
    "path", ["tp_mini/absent.ipynb", "../tp_mini/tp_mini.ipynb", "TP_MINI/tp_mini.ipynb"]
)
def test_missing_path_names_commit_and_path(repos, path):
    err = read_error(repos.path, "main", path)
    assert err.code == "missing-notebook"
    assert path in err.message.fr and repos.sha2[:10] in err.message.fr
    assert "--notebook-path" in err.message.fr
    # What was learnt before the error is kept: the commit did resolve.
    assert err.commit.sha == repos.sha2 and err.commit.ref == "main"
    assert err.commit.notebook_path == path and err.commit.repo == repos.path


def test_symlinked_notebook_is_refused_and_never_followed(tmp_path):
    repo = StudentRepo(tmp_path / "student")
    sha = repo.symlink(NB, "/etc/passwd", "lien vers /etc/passwd")
    mode = repo.git("ls-tree", "HEAD", NB).split()[0]
    assert mode == "120000"
    err = read_error(str(repo.path), "HEAD")
    assert err.code == "notebook-is-symlink"
    assert NB in err.message.fr and sha[:10] in err.message.fr
    assert "root:" not in str(err) and "root:" not in err.message.fr


def test_directory_at_the_notebook_path(tmp_path):
    repo = StudentRepo(tmp_path / "student")
    repo.commit({f"{NB}/inside.txt": b"not a notebook"}, "dossier")
    err = read_error(str(repo.path), "HEAD")
    assert err.code == "notebook-not-a-file"
    assert NB in err.message.fr


@pytest.mark.parametrize("kind", ["missing-path", "not-a-repo", "subdir-of-repo", "bad-url"])
def test_unreachable_repo_names_it(repos, tmp_path, kind):
    target = {
        "missing-path": str(tmp_path / "nowhere"),
        "not-a-repo": str(tmp_path),
        "subdir-of-repo": str(repos.repo.path / "tp_mini"),
        "bad-url": f"file://{tmp_path}/nowhere.git",
    }[kind]
    err = read_error(target, "main")
    assert err.code == "repo-unreachable"
    assert target in err.message.fr and target in err.message.en
    assert err.commit.repo == target and err.commit.ref == "main"
    assert "(')" not in err.message.en  # the reason is git's, not a stray quote
    if kind == "bad-url":
        assert "fatal:" in err.message.en


@pytest.mark.parametrize(
    "template",
    [
        "ext::sh -c touch% {marker} #://",
        "--upload-pack=touch {marker} ://host/x.git",
        "-u touch {marker} ://host/x.git",
    ],
    ids=["ext-transport", "upload-pack-option", "short-option"],
)
def test_hostile_repo_urls_run_nothing_and_are_unreachable(tmp_path, template):
    marker = tmp_path / "ran"
    target = template.format(marker=marker)
    err = read_error(target, "main")
    assert err.code == "repo-unreachable"
    assert target in err.message.en
    assert not marker.exists()


def test_empty_repo_has_no_refs(tmp_path):
    repo = StudentRepo(tmp_path / "empty")
    assert read_error(str(repo.path), "HEAD").code == "unknown-ref"


# ---------------------------------------------------------------- hooks and hostile config


HOOKS = (
    "post-checkout",
    "pre-commit",
    "post-commit",
    "post-merge",
    "pre-push",
    "reference-transaction",
    "pre-auto-gc",
    "post-rewrite",
    "fsmonitor-watchman",
)


def install_hooks(git_dir: Path, marker_dir: Path) -> None:
    hooks = git_dir / "hooks"
    hooks.mkdir(exist_ok=True)
    for name in HOOKS:
        hook = hooks / name
        hook.write_text(f"#!/bin/sh\ntouch {marker_dir}/{name}\n")
        hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    fsmonitor = marker_dir / "fsmonitor.sh"
    fsmonitor.write_text(f"#!/bin/sh\ntouch {marker_dir}/fsmonitor-ran\n")
    fsmonitor.chmod(0o755)
    with open(git_dir / "config", "a", encoding="utf-8") as f:
        f.write(f"[core]\n\tfsmonitor = {fsmonitor}\n\tpager = touch {marker_dir}/pager-ran\n")


def test_hooks_in_the_student_repo_never_run(tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    repo = StudentRepo(tmp_path / "student")
    sha = repo.commit({NB: student_notebook(SOLUTION)}, "rendu")
    repo.git("branch", "rendu")
    repo.git("tag", "v1")
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(bare)], check=True)
    install_hooks(repo.path / ".git", markers)
    install_hooks(bare, markers)
    # The hooks are real: git itself runs them.
    subprocess.run(["git", "-C", str(repo.path), "checkout", "-q", "rendu"], check=True)
    assert (markers / "post-checkout").exists()
    for marker in markers.iterdir():
        if marker.name != "fsmonitor.sh":
            marker.unlink()

    for target, ref in (
        (str(repo.path), "main"),
        (str(repo.path), "v1"),
        (str(repo.path), sha),
        (str(bare), "rendu"),
        (f"file://{bare}", "main"),
    ):
        got = read_submission(target, ref, NB)
        assert got.commit.sha == sha
    for target in (str(repo.path), str(bare)):
        with pytest.raises(SubmissionReadError):
            read_submission(target, "missing-ref", NB)
        with pytest.raises(SubmissionReadError):
            read_submission(target, "main", "missing/path.ipynb")
    assert sorted(p.name for p in markers.iterdir()) == ["fsmonitor.sh"]


def test_reading_does_not_touch_the_work_tree_or_index(tmp_path):
    repo = StudentRepo(tmp_path / "student")
    repo.commit({NB: student_notebook()}, "v1", date=DATE_1)
    sha2 = repo.commit({NB: student_notebook(SOLUTION)}, "v2", date=DATE_2)
    (repo.path / NB).write_bytes(b"uncommitted edit")
    snapshot = {
        p: (p.stat().st_mtime_ns, p.read_bytes()) for p in repo.path.rglob("*") if p.is_file()
    }
    head = repo.git("rev-parse", "HEAD")
    got = read_submission(str(repo.path), "main~1", NB)
    assert got.data == nb_bytes(student_notebook())
    assert repo.git("rev-parse", "HEAD") == head == sha2
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in repo.path.rglob("*") if p.is_file()}
    assert after == snapshot


# ------------------------------------------------- refs and dates a student can forge


def test_a_branch_named_like_another_commits_short_sha_is_refused(tmp_path):
    """`--ref <12 hex>` where the student made a branch of that name pointing elsewhere: git
    would silently take the branch; the grader refuses and names both."""
    repo = StudentRepo(tmp_path / "student")
    real = repo.commit({NB: nb_bytes(student_notebook(SOLUTION))}, "la vraie")
    other = repo.commit({NB: nb_bytes(student_notebook())}, "une autre")
    repo.git("branch", real[:12], other)
    err = read_error(str(repo.path), real[:12])
    assert err.code == "ambiguous-ref"
    for text in (err.message.fr, err.message.en):
        assert f"refs/heads/{real[:12]}" in text and real in text
    # The full sha and the full ref name both say which one is meant.
    assert read_submission(str(repo.path), real, NB).commit.sha == real
    assert read_submission(str(repo.path), f"refs/heads/{real[:12]}", NB).commit.sha == other


def test_a_unique_short_sha_and_a_hex_looking_branch_still_resolve(tmp_path):
    repo = StudentRepo(tmp_path / "student")
    sha = repo.commit({NB: nb_bytes(student_notebook(SOLUTION))}, "rendu")
    assert read_submission(str(repo.path), sha[:8], NB).commit.sha == sha
    repo.git("branch", "cafe1234")  # no commit starts with it (or it is this very commit)
    if not sha.startswith("cafe1234"):
        assert read_submission(str(repo.path), "cafe1234", NB).commit.sha == sha


def _raw_commit(repo: StudentRepo, epoch: int, parent: str) -> str:
    tree = repo.git("rev-parse", f"{parent}^{{tree}}")
    body = (
        f"tree {tree}\nparent {parent}\nauthor A <a@x> {epoch} +0000\n"
        f"committer A <a@x> {epoch} +0000\n\nrendu du futur\n"
    )
    sha = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
        cwd=repo.path, input=body, capture_output=True, text=True, check=True,
    ).stdout.strip()
    repo.git("update-ref", "refs/heads/main", sha)
    return sha


def test_a_commit_dated_past_year_9999_still_gets_a_report(tmp_path):
    repo = StudentRepo(tmp_path / "student")
    base = repo.commit({NB: nb_bytes(student_notebook(SOLUTION))}, "rendu")
    sha = _raw_commit(repo, 253402300800, base)  # 10000-01-01
    got = read_submission(str(repo.path), "main", NB)
    assert got.commit.sha == sha and got.commit.committer_date is None
    assert [p.code for p in got.problems] == ["absurd-commit-date"]
    assert sha[:10] in got.problems[0].message.fr and "horloge" in got.problems[0].message.fr


def test_deadline_selection_ignores_an_impossible_date(tmp_path):
    from datetime import UTC, datetime

    import git

    from autograder.classroom.deadline import LatePolicy, select_commit

    repo = StudentRepo(tmp_path / "student")
    base = repo.commit({NB: nb_bytes(student_notebook(SOLUTION))}, "rendu", date="2026-01-10T10:00:00+00:00")
    _raw_commit(repo, 253402300800, base)
    chosen = select_commit(git.Repo(repo.path), "main", datetime(2026, 1, 20, tzinfo=UTC), LatePolicy())
    assert chosen.sha == base
