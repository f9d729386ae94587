"""Late policy and GitLab project paths (autograder.classroom.deadline)."""

from __future__ import annotations

from datetime import timedelta

from autograder.classroom.deadline import LatePolicy, gitlab_project_path


def test_a_late_day_is_every_started_day_past_the_grace():
    policy = LatePolicy(grace_minutes=10, penalty_per_day=0.2, cap=0.5)
    assert policy.penalty(timedelta(minutes=9)) == (0.0, 0.0)
    assert policy.penalty(timedelta(minutes=11)) == (1.0, 0.2)
    assert policy.penalty(timedelta(days=1, minutes=11)) == (2.0, 0.4)
    assert policy.penalty(timedelta(days=5)) == (5.0, 0.5)  # capped


def test_a_clone_url_names_its_project_on_that_gitlab_only():
    gl = "https://gitlab.example.org"
    assert gitlab_project_path("https://gitlab.example.org/m1/dl/alice.git", gl) == "m1/dl/alice"
    assert gitlab_project_path("git@gitlab.example.org:m1/dl/alice.git", gl) == "m1/dl/alice"
    assert gitlab_project_path("https://github.com/m1/alice.git", gl) is None
    assert gitlab_project_path("/srv/repos/alice", gl) is None
