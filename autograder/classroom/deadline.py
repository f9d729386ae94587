"""Which commit counts: the last one on or before the deadline, and the late policy.

Without GitLab access the committer date is used; it is set by the student's machine and
can be forged, so the record always says which date was used. With GitLab access
(python-gitlab, GITLAB_URL and GITLAB_TOKEN in the environment) the push time is used.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import git

from autograder.intake.gitread import commit_time


@dataclass(frozen=True)
class LatePolicy:
    grace_minutes: float = 0.0  # late by less than this counts as on time
    penalty_per_day: float = 0.0  # fraction of the score lost per started late day
    max_late_days: float = 0.0  # commits later than this are not considered
    cap: float = 1.0  # largest fraction lost

    def penalty(self, late: timedelta) -> tuple[float, float]:
        """(late days counted, fraction lost)."""
        late_s = late.total_seconds() - self.grace_minutes * 60
        if late_s <= 0:
            return 0.0, 0.0
        days = math.ceil(late_s / 86400)
        return float(days), min(self.cap, days * self.penalty_per_day)


@dataclass(frozen=True)
class Selected:
    sha: str | None
    date: str | None  # ISO 8601 of the date used
    date_source: str  # "committer-date" | "gitlab-push"
    late_days: float = 0.0
    penalty: float = 0.0
    reason: str = ""  # why no commit was selected, or why the push time could not be used
    date_note: str = ""  # with "committer-date" while GitLab is configured: why push times were not used


def select_commit(repo: git.Repo, branch: str | None, deadline: datetime, policy: LatePolicy) -> Selected:
    """The newest commit of `branch` (default HEAD) dated on or before the last accepted time."""
    ref = branch or "HEAD"
    limit = deadline + timedelta(minutes=policy.grace_minutes) + timedelta(days=policy.max_late_days)
    try:
        commits = list(repo.iter_commits(ref, first_parent=True))
    except (git.GitCommandError, ValueError):
        return Selected(None, None, "committer-date", reason=f"branch {ref} not found")
    best, best_when, absurd = None, None, 0
    for c in commits:
        when = commit_time(c)
        if when is None:  # a date no clock gives cannot be on time
            absurd += 1
            continue
        if when <= limit and (best_when is None or when > best_when):
            best, best_when = c, when
    if best is None or best_when is None:
        why = "no commit on or before the deadline"
        if absurd:
            why += f" ({absurd} commit(s) with an impossible committer date were ignored)"
        return Selected(None, None, "committer-date", reason=why)
    days, pen = policy.penalty(best_when - deadline)
    return Selected(best.hexsha, best_when.isoformat(), "committer-date", days, pen)


def gitlab_configured() -> bool:
    return bool(os.environ.get("GITLAB_URL") and os.environ.get("GITLAB_TOKEN"))


# -- GitLab push times: the date a student cannot forge ---------------------------------------

_NULL_SHA = "0" * 40
_SCP_RE = re.compile(r"^[\w.+-]+@(?P<host>[^:/]+):(?P<path>.+)$")  # git@host:group/project.git


def gitlab_project_path(repo_url: str, gitlab_url: str) -> str | None:
    """`group/.../project` of a clone URL (https, ssh:// or git@host:path) on the GitLab at
    `gitlab_url`; None when the URL is not on that GitLab (another host, or a local path)."""
    base = urlsplit(gitlab_url)
    if not base.hostname:
        return None
    m = _SCP_RE.match(repo_url)
    if m and "://" not in repo_url:
        host, path = m["host"], m["path"]
    else:
        u = urlsplit(repo_url)
        if u.scheme not in ("http", "https", "ssh", "git") or not u.hostname:
            return None
        host, path = u.hostname, u.path
        prefix = base.path.rstrip("/")  # GitLab served under a sub-path (https only)
        if u.scheme in ("http", "https") and prefix:
            if not path.startswith(prefix + "/"):
                return None
            path = path[len(prefix):]
    if host.lower() != base.hostname.lower():
        return None
    path = path.strip("/").removesuffix(".git").strip("/")
    return path if "/" in path else None


def _parse_time(value: str) -> datetime:
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if when.tzinfo is None:
        raise ValueError(f"push time without time zone: {value!r}")
    return when


def _has_commit(repo: git.Repo, sha: str) -> bool:
    try:
        return repo.commit(sha).hexsha == sha
    except (ValueError, git.GitCommandError, git.BadName):
        return False


def select_by_push(
    repo: git.Repo, project_path: str, branch: str | None, deadline: datetime, policy: LatePolicy, gl=None
) -> Selected:
    """The head of the last push to `branch` (the project's default branch when None) that
    GitLab recorded on or before the last accepted time. Raises on any API problem; the
    caller falls back to committer dates."""
    if gl is None:
        import gitlab  # optional dependency: the `gitlab` extra

        gl = gitlab.Gitlab(os.environ["GITLAB_URL"], private_token=os.environ["GITLAB_TOKEN"], timeout=30)
    project = gl.projects.get(project_path)
    ref = branch or project.default_branch
    if not ref:
        return Selected(None, None, "gitlab-push", reason=f"GitLab project {project_path} has no default branch")
    limit = deadline + timedelta(minutes=policy.grace_minutes) + timedelta(days=policy.max_late_days)
    pushes: list[tuple[datetime, str]] = []
    for ev in project.events.list(action="pushed", iterator=True):
        data = ev.attributes.get("push_data") or {}
        sha = data.get("commit_to")
        if data.get("ref_type", "branch") != "branch" or data.get("ref") != ref or not sha or sha == _NULL_SHA:
            continue  # a tag, another branch, or the branch deleted
        when = _parse_time(ev.attributes["created_at"])
        if when <= limit:
            pushes.append((when, sha))
    if not pushes:
        return Selected(None, None, "gitlab-push", reason=f"no push to {ref} on or before the deadline (GitLab {project_path})")
    pushes.sort(key=lambda p: p[0], reverse=True)
    when, sha = pushes[0]
    if not _has_commit(repo, sha):
        try:  # force-pushed away since: GitLab still serves it by sha
            repo.git.fetch("origin", sha)
        except git.GitCommandError:
            pass
    if not _has_commit(repo, sha):
        return Selected(None, None, "gitlab-push", reason=f"pushed commit {sha[:12]} ({when.isoformat()}) is not in the clone")
    days, pen = policy.penalty(when - deadline)
    return Selected(sha, when.isoformat(), "gitlab-push", days, pen)


def select_for_student(
    repo: git.Repo,
    repo_url: str,
    branch: str | None,
    deadline: datetime,
    policy: LatePolicy,
    gitlab_project: str | None = None,
) -> Selected:
    """Push time when GitLab is configured and the project is on it; committer date otherwise,
    with the reason recorded in `date_note` (and `reason`). Never raises for GitLab problems."""
    if not gitlab_configured():
        return select_commit(repo, branch, deadline, policy)
    gitlab_url = os.environ["GITLAB_URL"]
    project = gitlab_project or gitlab_project_path(repo_url, gitlab_url)
    note = ""
    if not project:
        note = f"repository is not on {gitlab_url}: committer date used"
    else:
        try:
            return select_by_push(repo, project, branch, deadline, policy)
        except ImportError:
            note = "python-gitlab is not installed (pip install 'autograder[gitlab]'): committer date used"
        except Exception as exc:  # noqa: BLE001 - any API failure: fall back, never crash
            detail = (str(exc).strip().splitlines() or [type(exc).__name__])[-1][:200]
            note = f"GitLab API failed for {project} ({type(exc).__name__}: {detail}): committer date used"
    sel = select_commit(repo, branch, deadline, policy)
    return replace(sel, date_note=note, reason=f"{sel.reason}; {note}" if sel.reason else note)
