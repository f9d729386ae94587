"""With GitLab configured, the push time recorded by GitLab decides which commit counts, not
the committer date the student's machine wrote (and can forge).

python-gitlab is the real client; it talks to a small local HTTP server that implements the
two GitLab REST endpoints it calls here (project by path, project events, paginated the way
GitLab paginates: Link rel="next" and X-Page/X-Next-Page/X-Total headers).
"""

from __future__ import annotations

import csv
import json
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

import git
import pytest

pytest.importorskip("gitlab")

from autograder.classroom.deadline import (  # noqa: E402
    LatePolicy,
    gitlab_project_path,
    select_for_student,
)
from tests.course_builder import (  # noqa: E402
    FAST,
    MAX_SCORE,
    MINI,
    SOLUTION,
    StudentRepo,
    build_course,
    student_notebook,
)

TOKEN = "glpat-test-token"
DEADLINE = datetime.fromisoformat("2026-12-01T23:59:00+01:00")
NB = f"{MINI}/{MINI}.ipynb"
STRICT = LatePolicy()
LATE_OK = LatePolicy(penalty_per_day=0.1, max_late_days=3)


class FakeGitLab:
    """projects: path_with_namespace -> (id, default_branch, [push events])."""

    def __init__(self) -> None:
        self.projects: dict[str, tuple[int, str, list[dict]]] = {}
        self.fail_events: set[int] = set()
        self.requests: list[str] = []
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def add(self, path: str, pushes: list[tuple[str, str, str]], default_branch: str = "main") -> None:
        """pushes: (created_at, ref, commit_to), oldest first, as a student made them."""
        pid = 100 + len(self.projects)
        events = []
        for k, (created_at, ref, sha) in enumerate(pushes):
            events.append(
                {
                    "id": pid * 1000 + k,
                    "project_id": pid,
                    "action_name": "pushed to",
                    "target_type": None,
                    "author": {"id": 7, "username": "student"},
                    "created_at": created_at,
                    "push_data": {
                        "commit_count": 1,
                        "action": "pushed",
                        "ref_type": "tag" if ref.startswith("tag:") else "branch",
                        "commit_from": None,
                        "commit_to": sha,
                        "ref": ref.removeprefix("tag:"),
                        "commit_title": "rendu",
                        "ref_count": None,
                    },
                }
            )
        events.sort(key=lambda e: e["created_at"], reverse=True)  # GitLab: newest first
        self.projects[path] = (pid, default_branch, events)

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, code: int, body, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802 - http.server API
                fake.requests.append(self.path)
                if self.headers.get("PRIVATE-TOKEN") != TOKEN:
                    return self._send(401, {"message": "401 Unauthorized"})
                u = urlsplit(self.path)
                parts = u.path.split("/")  # '', api, v4, projects, <id or encoded path>[, events]
                if parts[:4] != ["", "api", "v4", "projects"] or len(parts) not in (5, 6):
                    return self._send(404, {"error": "404 Not Found"})
                key = unquote(parts[4])
                by_id = {str(p[0]): (path, p) for path, p in fake.projects.items()}
                found = by_id.get(key) or ((key, fake.projects[key]) if key in fake.projects else None)
                if found is None:
                    return self._send(404, {"message": "404 Project Not Found"})
                path, (pid, default_branch, events) = found
                if len(parts) == 5:
                    return self._send(
                        200,
                        {
                            "id": pid,
                            "path_with_namespace": path,
                            "default_branch": default_branch,
                            "web_url": f"{fake.url}/{path}",
                        },
                    )
                if parts[5] != "events":
                    return self._send(404, {"error": "404 Not Found"})
                if pid in fake.fail_events:
                    return self._send(500, {"message": "500 Internal Server Error"})
                q = {k: v[-1] for k, v in parse_qs(u.query).items()}
                if q.get("action") not in (None, "pushed"):
                    return self._send(400, {"error": "action does not have a valid value"})
                selected = [e for e in events if q.get("action") is None or e["action_name"] == "pushed to"]
                per_page = min(int(q.get("per_page", 2)), 100)  # small pages: pagination is exercised
                page = int(q.get("page", 1))
                total_pages = max(1, -(-len(selected) // per_page))
                body = selected[(page - 1) * per_page : page * per_page]
                headers = {
                    "X-Page": str(page),
                    "X-Per-Page": str(per_page),
                    "X-Total": str(len(selected)),
                    "X-Total-Pages": str(total_pages),
                    "X-Prev-Page": str(page - 1) if page > 1 else "",
                    "X-Next-Page": str(page + 1) if page < total_pages else "",
                }

                def link(n: int) -> str:
                    qq = {**q, "page": str(n), "per_page": str(per_page)}
                    query = "&".join(f"{k}={quote(v)}" for k, v in qq.items())
                    return f"{fake.url}{u.path}?{query}"

                links = []
                if page < total_pages:
                    links.append(f'<{link(page + 1)}>; rel="next"')
                if page > 1:
                    links.append(f'<{link(page - 1)}>; rel="prev"')
                links += [f'<{link(1)}>; rel="first"', f'<{link(total_pages)}>; rel="last"']
                headers["Link"] = ", ".join(links)
                return self._send(200, body, headers)

        return Handler

    def __enter__(self) -> FakeGitLab:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def fake_gitlab(monkeypatch):
    with FakeGitLab() as fake:
        monkeypatch.setenv("GITLAB_URL", fake.url)
        monkeypatch.setenv("GITLAB_TOKEN", TOKEN)
        yield fake


def _repos(root: Path) -> dict[str, tuple[StudentRepo, list[str]]]:
    """alice: second commit forged (committer date on time, pushed 4 days late);
    bob: pushed on time; carol: committer date on time, pushed 1 day late (late window)."""
    out = {}
    alice = StudentRepo(root / "alice")
    a1 = alice.commit({NB: student_notebook(SOLUTION)}, "rendu", date="2026-11-28T10:00:00+01:00")
    a2 = alice.commit({NB: student_notebook({})}, "forged", date="2026-12-01T20:00:00+01:00")
    out["alice"] = (alice, [a1, a2])
    bob = StudentRepo(root / "bob")
    b1 = bob.commit({NB: student_notebook(SOLUTION)}, "rendu", date="2026-11-30T18:00:00+01:00")
    out["bob"] = (bob, [b1])
    carol = StudentRepo(root / "carol")
    c1 = carol.commit({NB: student_notebook({})}, "draft", date="2026-11-25T10:00:00+01:00")
    c2 = carol.commit({NB: student_notebook(SOLUTION)}, "rendu", date="2026-12-01T23:00:00+01:00")
    out["carol"] = (carol, [c1, c2])
    return out


def _serve(fake: FakeGitLab, repos) -> None:
    a1, a2 = repos["alice"][1]
    fake.add(
        "course/students-2026/alice",
        [
            ("2026-11-28T09:05:00.000Z", "main", a1),  # on time
            ("2026-11-29T10:00:00.000Z", "v1", a1),  # a tag: ignored
            ("2026-11-30T10:00:00.000Z", "wip", a2),  # another branch: ignored
            ("2026-12-05T08:00:00.000Z", "main", a2),  # after the deadline, forged date
        ],
    )
    fake.add("course/students-2026/bob", [("2026-11-30T17:01:00.000Z", "main", repos["bob"][1][0])])
    c1, c2 = repos["carol"][1]
    fake.add(
        "course/students-2026/carol",
        [("2026-11-25T09:00:00.000Z", "main", c1), ("2026-12-02T19:00:00.000Z", "main", c2)],
    )


def _url(sid: str, base: str = "https://gitlab.example.fr") -> str:
    return f"{base}/course/students-2026/{sid}.git"


def test_project_path_from_clone_urls():
    base = "https://gitlab.example.fr"
    assert gitlab_project_path(_url("alice"), base) == "course/students-2026/alice"
    assert gitlab_project_path("git@gitlab.example.fr:course/students-2026/alice.git", base) == "course/students-2026/alice"
    assert gitlab_project_path("ssh://git@gitlab.example.fr:2222/course/alice.git", base) == "course/alice"
    assert gitlab_project_path("https://gitlab.example.fr/gl/course/alice.git", base + "/gl/") == "course/alice"
    assert gitlab_project_path("https://github.com/course/alice.git", base) is None
    assert gitlab_project_path("git@github.com:course/alice.git", base) is None
    assert gitlab_project_path("/srv/repos/alice", base) is None


def test_push_time_decides_not_the_forged_committer_date(fake_gitlab, tmp_path):
    repos = _repos(tmp_path)

    def U(sid: str) -> str:
        return _url(sid, fake_gitlab.url)

    _serve(fake_gitlab, repos)
    alice, (a1, a2) = repos["alice"]
    repo = git.Repo(alice.path)

    sel = select_for_student(repo, U("alice"), None, DEADLINE, STRICT)
    assert (sel.sha, sel.date_source, sel.late_days, sel.date_note) == (a1, "gitlab-push", 0.0, "")
    assert datetime.fromisoformat(sel.date) == datetime.fromisoformat("2026-11-28T09:05:00+00:00")
    # even with a late window, the late push counts as late: 4 days > 3 accepted
    assert select_for_student(repo, U("alice"), "main", DEADLINE, LATE_OK).sha == a1
    # several pages of events were read, through the Link header
    assert any("page=2" in r for r in fake_gitlab.requests)

    bob, (b1,) = repos["bob"]
    sel = select_for_student(git.Repo(bob.path), U("bob"), "main", DEADLINE, STRICT)
    assert (sel.sha, sel.date_source, sel.penalty) == (b1, "gitlab-push", 0.0)

    carol, (c1, c2) = repos["carol"]
    sel = select_for_student(git.Repo(carol.path), U("carol"), None, DEADLINE, LATE_OK)
    assert (sel.sha, sel.date_source, sel.late_days) == (c2, "gitlab-push", 1.0)
    assert sel.penalty == pytest.approx(0.1)
    assert select_for_student(git.Repo(carol.path), U("carol"), None, DEADLINE, STRICT).sha == c1

    # the roster's gitlab_project is used for a local path
    sel = select_for_student(repo, str(alice.path), None, DEADLINE, STRICT, gitlab_project="course/students-2026/alice")
    assert (sel.sha, sel.date_source) == (a1, "gitlab-push")


def test_without_gitlab_the_committer_date_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv("GITLAB_URL", raising=False)
    monkeypatch.delenv("GITLAB_TOKEN", raising=False)
    repos = _repos(tmp_path)
    alice, (_, a2) = repos["alice"]
    sel = select_for_student(git.Repo(alice.path), _url("alice"), None, DEADLINE, STRICT, gitlab_project="course/students-2026/alice")
    assert (sel.sha, sel.date_source, sel.date_note) == (a2, "committer-date", "")  # forged date wins: the point of push times


def test_fallbacks_are_recorded_never_raised(fake_gitlab, tmp_path, monkeypatch):
    repos = _repos(tmp_path)

    def U(sid: str) -> str:
        return _url(sid, fake_gitlab.url)

    _serve(fake_gitlab, repos)
    alice, (a1, a2) = repos["alice"]
    repo = git.Repo(alice.path)

    sel = select_for_student(repo, "https://github.com/course/alice.git", None, DEADLINE, STRICT)
    assert (sel.sha, sel.date_source) == (a2, "committer-date")
    assert "not on" in sel.date_note and sel.reason == sel.date_note

    sel = select_for_student(repo, U("nobody"), None, DEADLINE, STRICT)
    assert (sel.sha, sel.date_source) == (a2, "committer-date")
    assert "GitLab API failed" in sel.date_note and "404" in sel.date_note

    fake_gitlab.fail_events.add(fake_gitlab.projects["course/students-2026/alice"][0])
    sel = select_for_student(repo, U("alice"), None, DEADLINE, STRICT)
    assert (sel.sha, sel.date_source) == (a2, "committer-date") and "500" in sel.date_note

    monkeypatch.setenv("GITLAB_TOKEN", "wrong")
    sel = select_for_student(repo, U("bob"), None, DEADLINE, STRICT)
    assert sel.date_source == "committer-date" and "401" in sel.date_note

    monkeypatch.setenv("GITLAB_URL", "http://127.0.0.1:9")  # nothing listens: connection refused
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)
    sel = select_for_student(repo, str(alice.path), None, DEADLINE, STRICT, gitlab_project="course/students-2026/alice")
    assert sel.date_source == "committer-date" and "GitLab API failed" in sel.date_note


def test_pushed_commit_missing_from_the_clone_is_not_graded(fake_gitlab, tmp_path):
    repos = _repos(tmp_path)

    def U(sid: str) -> str:
        return _url(sid, fake_gitlab.url)

    bob, _ = repos["bob"]
    fake_gitlab.add("course/students-2026/bob", [("2026-11-30T17:01:00.000Z", "main", "f" * 40)])
    sel = select_for_student(git.Repo(bob.path), U("bob"), None, DEADLINE, STRICT)
    assert sel.sha is None and sel.date_source == "gitlab-push" and "not in the clone" in sel.reason


def test_grade_class_uses_push_times(fake_gitlab, tmp_path):
    from autograder.cli import main

    course = build_course(tmp_path / "course").root
    repos = _repos(tmp_path / "repos")
    _serve(fake_gitlab, repos)
    roster = tmp_path / "roster.csv"
    rows = ["student_id,name,repo,branch,email,gitlab_project"]
    for sid in ("alice", "bob"):
        rows.append(f"{sid},{sid},{repos[sid][0].path},main,{sid}@etu.example.fr,course/students-2026/{sid}")
    rows.append(f"carol,carol,{repos['carol'][0].path},,,")  # no gitlab_project: committer date
    roster.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    rc = main(
        [
            "grade-class", "--roster", str(roster), "--tp", MINI, "--deadline", DEADLINE.isoformat(),
            "--out", str(out), "--course", str(course),
            "--cell-timeout", str(FAST["cell_timeout"]), "--total-timeout", str(FAST["total_timeout"]),
            "--call-timeout", str(FAST["call_timeout"]),
        ]
    )  # fmt: skip
    assert rc == 0
    res = {sid: json.loads((out / "students" / sid / "result.json").read_text()) for sid in ("alice", "bob", "carol")}
    assert res["alice"]["sha"] == repos["alice"][1][0] and res["alice"]["date_source"] == "gitlab-push"
    assert res["alice"]["final_score"] == pytest.approx(MAX_SCORE)  # not the forged empty notebook
    assert res["bob"]["sha"] == repos["bob"][1][0] and res["bob"]["date_source"] == "gitlab-push"
    assert res["carol"]["sha"] == repos["carol"][1][1] and res["carol"]["date_source"] == "committer-date"
    with open(out / "grades.csv", encoding="utf-8") as f:
        grades = {r["student_id"]: r for r in csv.DictReader(f)}
    assert grades["alice"]["date_source"] == "gitlab-push"
