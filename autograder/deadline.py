"""Which commit counts: the last one on or before the deadline, and the late policy.

Without GitLab access the committer date is used; it is set by the student's machine and
can be forged, so the record always says which date was used. With GitLab access
(python-gitlab, GITLAB_URL and GITLAB_TOKEN in the environment) the push time is used.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

import git


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
    reason: str = ""  # why no commit was selected


def select_commit(repo: git.Repo, branch: str | None, deadline: datetime, policy: LatePolicy) -> Selected:
    """The newest commit of `branch` (default HEAD) dated on or before the last accepted time."""
    ref = branch or "HEAD"
    limit = deadline + timedelta(minutes=policy.grace_minutes) + timedelta(days=policy.max_late_days)
    try:
        commits = list(repo.iter_commits(ref, first_parent=True))
    except (git.GitCommandError, ValueError):
        return Selected(None, None, "committer-date", reason=f"branch {ref} not found")
    best = None
    for c in commits:
        when = c.committed_datetime
        if when <= limit and (best is None or when > best.committed_datetime):
            best = c
    if best is None:
        return Selected(None, None, "committer-date", reason="no commit on or before the deadline")
    days, pen = policy.penalty(best.committed_datetime - deadline)
    return Selected(best.hexsha, best.committed_datetime.isoformat(), "committer-date", days, pen)


def gitlab_configured() -> bool:
    return bool(os.environ.get("GITLAB_URL") and os.environ.get("GITLAB_TOKEN"))
