"""Launcher choice from given capabilities (autograder.sandbox.capabilities): a test
describes a machine instead of patching the probe."""

from __future__ import annotations

from autograder.sandbox.capabilities import (
    Capabilities,
    landlock_isolates_network,
    landlock_scopes_signals,
    resolve_launcher,
)


def machine(**kw) -> Capabilities:
    base = dict(is_root=False, bwrap=None, unshare=None, setpriv=None, prlimit=None)
    return Capabilities(**{**base, **kw})


def test_auto_forks_where_the_grader_may_make_namespaces():
    assert resolve_launcher("auto", machine(is_root=True, fork_namespaces=True, bwrap="/usr/bin/bwrap")) == "fork"


def test_auto_spawns_through_bwrap_otherwise_and_forks_without_it():
    assert resolve_launcher("auto", machine(bwrap="/usr/bin/bwrap")) == "spawn"
    assert resolve_launcher("auto", machine()) == "fork"


def test_an_explicit_choice_is_kept():
    assert resolve_launcher("spawn", machine()) == "spawn"
    assert resolve_launcher("fork", machine(bwrap="/usr/bin/bwrap")) == "fork"


def test_landlock_features_follow_its_abi():
    assert not landlock_isolates_network(0) and not landlock_scopes_signals(0)
    assert landlock_isolates_network(6) and landlock_scopes_signals(6)
