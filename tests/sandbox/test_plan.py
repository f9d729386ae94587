"""sandbox: the probe, the launcher it builds, and what a process started through it can do."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from autograder.sandbox.capabilities import (
    can_fork_namespaces,
    landlock_abi,
    probe,
    resolve_launcher,
)
from autograder.sandbox.plan import (
    NOBODY_UID,
    SANDBOX_WORKDIR,
    Limits,
    SandboxUnavailable,
    kernel_python,
    plan,
    python_roots,
    scrubbed_env,
    strict_level,
)

ROOT_DIR = Path(__file__).resolve().parents[2]
CAPS = probe()
STRICT_OK = bool(CAPS.bwrap and CAPS.is_root and CAPS.setpriv)
#: Without root, Landlock's signal scope (ABI 6) stacked under bwrap stands in for the user switch.
STRICT_SPAWN = strict_level("spawn")
needs_strict = pytest.mark.skipif(
    not STRICT_OK, reason=f"bwrap + root + setpriv unavailable here: {'; '.join(CAPS.notes)}"
)


@pytest.fixture
def dirs(tmp_path):
    base = tmp_path / "run-base"
    base.mkdir()
    os.chmod(tmp_path, 0o755)
    os.chmod(base, 0o755)
    work, runtime = base / "work", base / "run"
    work.mkdir()
    runtime.mkdir()
    return work, runtime


def chown_for(p, *paths: Path) -> None:
    if p.run_as:
        for path in paths:
            os.chown(path, *p.run_as)


INSPECT = r"""
import json, os, resource, socket, sys
out = {"uid": os.getuid(), "gid": os.getgid(), "cwd": os.getcwd(), "env": dict(os.environ)}
def attempt(fn):
    try:
        return "ok:" + repr(fn())[:300]
    except Exception as exc:
        return type(exc).__name__
targets = json.loads(sys.argv[1])
out["list"] = {p: attempt(lambda p=p: os.listdir(p)) for p in targets["list"]}
out["read"] = {p: attempt(lambda p=p: open(p).read(50)) for p in targets["read"]}
def connect():
    s = socket.create_connection(("127.0.0.1", targets["port"]), timeout=2)
    s.close()
out["connect"] = attempt(connect)
def write_work():
    with open("probe.txt", "w") as f:
        f.write("x")
    return "written"
out["write_work"] = attempt(write_work)
out["rlimit_as"] = resource.getrlimit(resource.RLIMIT_AS)[0]
out["rlimit_nofile"] = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
out["pid"] = os.getpid()
print(json.dumps(out))
"""


def run_inside(p, python: str, targets: dict, cwd: Path) -> dict:
    proc = subprocess.run(
        [*p.prefix, python, "-c", INSPECT, json.dumps(targets)],
        env=p.env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture
def loopback_server():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(5)
    yield srv.getsockname()[1]
    srv.close()


def test_probe_records_what_it_found():
    assert CAPS.is_root == (os.geteuid() == 0)
    if CAPS.bwrap:
        assert Path(CAPS.bwrap).is_file()
    if not CAPS.bwrap:
        assert any("bwrap" in n for n in CAPS.notes)
    assert probe() is CAPS  # probed once per process
    assert CAPS.landlock_abi == landlock_abi() and CAPS.fork_namespaces == (CAPS.is_root and can_fork_namespaces())


def test_limits_become_prlimit_arguments():
    lim = Limits(memory_mb=1024, cpu_seconds=60, nproc=64, file_size_mb=8, open_files=32)
    args = lim.prlimit_args(address_space=True)
    assert args[0] == f"--as={1024 * 1024 * 1024}"
    assert "--cpu=60" in args and "--nproc=64" in args and "--nofile=32" in args
    assert f"--fsize={8 * 1024 * 1024}" in args and "--core=0" in args
    assert not any(a.startswith("--as") for a in lim.prlimit_args(address_space=False))
    assert lim.as_dict()["memory_mb"] == 1024


def test_scrubbed_env_drops_grader_secrets(monkeypatch):
    monkeypatch.setenv("CI_JOB_TOKEN", "glcbt-secret")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy:3128")
    monkeypatch.setenv("PYTHONPATH", "/work/main")
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    env = scrubbed_env(home="/tmp", python=sys.executable, device="cpu")
    assert "CI_JOB_TOKEN" not in env and "AWS_SECRET_ACCESS_KEY" not in env
    assert "HTTPS_PROXY" not in env and "PYTHONPATH" not in env
    assert not any("secret" in v for v in env.values())
    assert env["LANG"] == "fr_FR.UTF-8" and env["HOME"] == "/tmp"
    assert env["PYTHONNOUSERSITE"] == "1" and env["CUDA_VISIBLE_DEVICES"] == ""
    assert env["PATH"].split(":")[0] == str(Path(sys.executable).parent)
    assert (
        scrubbed_env(home="/h", python=sys.executable, device="cuda")["CUDA_VISIBLE_DEVICES"] == "0"
    )


def test_python_roots_are_the_install_and_the_venv_never_usr():
    roots = python_roots(kernel_python())
    assert Path(sys.prefix) in roots or str(sys.prefix).startswith("/usr")
    assert not any(str(r).startswith("/usr") for r in roots)


def test_sandbox_off_is_unconfined_and_says_so(dirs):
    work, runtime = dirs
    p = plan("off", workdir=work, runtime_dir=runtime, python=kernel_python(), limits=Limits(), caps=CAPS)
    assert p.prefix == () and p.run_as is None
    assert p.info.level == "none" and p.info.limits == {}
    assert not (p.info.network_isolated or p.info.user_switched or p.info.filesystem_hidden)
    assert any("off" in n for n in p.info.notes)
    assert p.workdir_inside == str(work)
    assert "CI_JOB_TOKEN" not in p.env  # the environment is scrubbed even when off


@needs_strict
def test_auto_uses_bwrap_as_nobody_with_limits(dirs):
    work, runtime = dirs
    lim = Limits(memory_mb=2048, open_files=128)
    p = plan("auto", workdir=work, runtime_dir=runtime, python=kernel_python(), limits=lim, caps=CAPS)
    info = p.info
    assert info.level == "bwrap"
    assert info.network_isolated and info.user_switched and info.filesystem_hidden
    assert info.pid_namespace and info.limits["memory_mb"] == 2048
    assert p.run_as == (NOBODY_UID, NOBODY_UID)
    assert p.workdir_inside == SANDBOX_WORKDIR
    argv = list(p.prefix)
    for flag in ("--unshare-net", "--unshare-pid", "--die-with-parent", "--new-session"):
        assert flag in argv
    assert f"--reuid={NOBODY_UID}" in argv and "--no-new-privs" in argv
    if landlock_abi() >= 1:  # Landlock + seccomp stacked: the last launcher confines, then execs
        assert argv[-6:-2] == [kernel_python(), "-I", "-S", "-c"] and "def confine(" in argv[-2]
        rules = json.loads(argv[-1])
        assert rules["read"] == ["/"] and SANDBOX_WORKDIR in rules["write"] and "/tmp" in rules["write"]
        assert info.landlock_abi == landlock_abi() and any(n.startswith("stacked under the bwrap") for n in info.notes)
    else:
        assert info.landlock_abi == 0 and not info.seccomp


@needs_strict
def test_a_process_started_through_bwrap_is_confined(dirs, loopback_server, tmp_path, monkeypatch):
    monkeypatch.setenv("CI_JOB_TOKEN", "glcbt-must-not-leak")
    work, runtime = dirs
    secret = tmp_path / "secret.txt"
    secret.write_text("instructor only")
    secret.chmod(0o644)
    python = kernel_python()
    lim = Limits(memory_mb=1536, open_files=100)
    p = plan("strict", workdir=work, runtime_dir=runtime, python=python, limits=lim, caps=CAPS)
    chown_for(p, work, runtime)
    course_dir = Path(__file__).resolve().parents[2]
    targets = {
        "list": ["/work", str(course_dir), str(tmp_path), "/root", SANDBOX_WORKDIR],
        "read": [str(secret), str(Path(__file__).resolve()), "/etc/hostname"],
        "port": loopback_server,
    }
    out = run_inside(p, python, targets, work)
    assert out["uid"] == NOBODY_UID and out["gid"] == NOBODY_UID
    assert out["cwd"] == SANDBOX_WORKDIR
    assert "CI_JOB_TOKEN" not in out["env"]
    assert not any("glcbt" in v for v in out["env"].values())
    for path in ("/work", str(course_dir), str(tmp_path), "/root"):
        assert out["list"][path] in ("PermissionError", "FileNotFoundError"), (path, out["list"])
    assert out["list"][SANDBOX_WORKDIR].startswith("ok:")
    assert out["read"][str(secret)] == "FileNotFoundError"
    assert out["read"][str(Path(__file__).resolve())] in ("FileNotFoundError", "PermissionError")
    assert out["connect"] != "ok:None" and not out["connect"].startswith("ok")
    assert out["write_work"] == "ok:'written'"
    assert (work / "probe.txt").read_text() == "x"  # the work dir is the real one, shared
    assert out["rlimit_as"] == 1536 * 1024 * 1024
    assert out["rlimit_nofile"] == 100
    assert out["pid"] < 10  # own PID namespace


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to compare with an unconfined run")
def test_the_same_process_unconfined_sees_everything(dirs, loopback_server, tmp_path):
    """Control for the test above: without the sandbox, the same probes succeed."""
    work, runtime = dirs
    secret = tmp_path / "secret.txt"
    secret.write_text("instructor only")
    python = kernel_python()
    p = plan("off", workdir=work, runtime_dir=runtime, python=python, limits=Limits(), caps=CAPS)
    out = run_inside(
        p, python, {"list": [str(tmp_path)], "read": [str(secret)], "port": loopback_server}, work
    )
    assert out["uid"] == 0
    assert out["read"][str(secret)] == "ok:'instructor only'"
    assert out["list"][str(tmp_path)].startswith("ok:")
    assert out["connect"] == "ok:None"


def test_strict_refuses_when_isolation_is_missing(dirs):
    work, runtime = dirs
    if STRICT_SPAWN is not None:
        p = plan("strict", workdir=work, runtime_dir=runtime, python=kernel_python(), limits=Limits(), caps=CAPS)
        assert p.info.level == STRICT_SPAWN and (p.info.user_switched or p.info.landlock_abi >= 6)
        assert p.info.user_switched or not STRICT_OK  # root with setpriv switches
        pytest.skip(f"strict is granted here at the {STRICT_SPAWN} level (checked above)")
    with pytest.raises(SandboxUnavailable) as info:
        plan("strict", workdir=work, runtime_dir=runtime, python=kernel_python(), limits=Limits(), caps=CAPS)
    assert "--sandbox strict" in info.value.message.fr


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="prlimit is not installed")
def test_every_confined_level_applies_rlimits(dirs):
    work, runtime = dirs
    p = plan("auto", workdir=work, runtime_dir=runtime, python=kernel_python(), limits=Limits(), caps=CAPS)
    assert CAPS.prlimit in p.prefix
    assert p.info.limits == Limits().as_dict()


def test_auto_launcher_forks_where_forked_kernels_get_namespaces():
    assert resolve_launcher("spawn") == "spawn" and resolve_launcher("fork") == "fork"
    if os.geteuid() == 0 and can_fork_namespaces():
        assert resolve_launcher("auto") == "fork"
    else:
        assert resolve_launcher("auto") == ("spawn" if CAPS.bwrap else "fork")


def test_the_launcher_follows_the_capabilities_passed_in():
    """Each machine `auto` meets, described by its capabilities rather than probed here."""
    from autograder.sandbox.capabilities import Capabilities

    assert resolve_launcher("auto", Capabilities(True, "/usr/bin/bwrap", None, None, None, fork_namespaces=True)) == "fork"
    assert resolve_launcher("auto", Capabilities(False, "/usr/bin/bwrap", None, None, None)) == "spawn"
    assert resolve_launcher("auto", Capabilities(True, None, None, None, None)) == "fork"
    assert resolve_launcher("spawn", Capabilities(True, None, None, None, None, fork_namespaces=True)) == "spawn"
    # --sandbox strict with forked kernels and no namespaces: Landlock ABI 6 scopes signals.
    assert strict_level("fork", Capabilities(False, None, None, None, None, landlock_abi=6)) == "landlock"
    assert strict_level("fork", Capabilities(False, None, None, None, None, landlock_abi=5)) is None


def test_fork_plan_lists_the_new_root_and_the_limits(dirs):
    work, runtime = dirs
    lim = Limits(memory_mb=2048, open_files=128)
    new_root = work.parent / "root"
    new_root.mkdir()
    p = plan("auto", workdir=work, runtime_dir=runtime, python=kernel_python(), limits=lim, uid=200123,
             launcher="fork", new_root=new_root, caps=CAPS)
    assert p.prefix == () and p.rlimits["nofile"] == 128 and p.rlimits["as"] == 2048 * 1024 * 1024
    assert "CI_JOB_TOKEN" not in p.env
    if os.geteuid() == 0 and can_fork_namespaces():
        iso = p.isolation
        assert p.info.level == "namespaces" and p.run_as == (200123, 200123)
        assert (str(work), SANDBOX_WORKDIR) in [tuple(b) for b in iso["rw"]]
        assert "/usr" in iso["ro"] and iso["root"] == str(new_root)
        assert not any(str(ROOT_DIR / "source") in r for r in iso["ro"]), "the course must not be in the new root"
        if landlock_abi() >= 1:  # stacked under the namespaces, with paths inside the new root
            assert p.confine is not None and p.confine["read"] == ["/"], p.confine
            assert set(p.confine["write"]) >= {SANDBOX_WORKDIR, "/tmp", "/dev/shm"}
            assert str(work) not in p.confine["write"] and p.info.landlock_abi == landlock_abi()
            assert p.env["TMPDIR"] == "/tmp"  # the private /tmp, not the work dir's .tmp
        else:
            assert p.confine is None and p.info.landlock_abi == 0
    else:
        assert p.isolation is None and p.info.level in ("landlock", "rlimits", "none")


def test_an_address_space_limit_too_small_for_the_kernel_is_named():
    """A kernel that died at start under `memory_mb`: the grader asks whether the kernel's
    own imports fit under it (issue 14 item 3), so the error names the limit and its fix."""
    from autograder.sandbox.plan import too_small_to_start

    assert too_small_to_start(kernel_python(), ("numpy",), 48)
    assert not too_small_to_start(kernel_python(), ("numpy",), 4096)


def test_a_linux_without_landlock_falls_back_and_says_why(dirs):
    """Issue 14, bad input: an old kernel (no Landlock) where namespaces are not allowed
    either. It cannot be had for real here (ABI 7), so the capabilities passed in describe
    such a machine."""
    work, runtime = dirs
    old = replace(CAPS, landlock_abi=0, fork_namespaces=False)
    p = plan("auto", workdir=work, runtime_dir=runtime, python=kernel_python(), limits=Limits(), launcher="fork",
             new_root=work.parent / "root", caps=old)
    assert p.info.level == "rlimits" and p.confine is None and p.info.landlock_abi == 0 and not p.info.seccomp
    assert not (p.info.network_isolated or p.info.filesystem_hidden)
    assert any("no Landlock" in n for n in p.info.notes), p.info.notes
    with pytest.raises(SandboxUnavailable) as refused:
        plan("strict", workdir=work, runtime_dir=runtime, python=kernel_python(), limits=Limits(), launcher="fork",
             new_root=work.parent / "root", caps=old)
    assert "network isolation" in refused.value.message.en and "no Landlock" in refused.value.message.en
    assert strict_level("fork", old) is None


@pytest.mark.skipif(not (CAPS.is_root and CAPS.fork_namespaces), reason="needs a grader that may create namespaces")
def test_namespaces_without_landlock_say_nothing_is_stacked(dirs):
    import autograder.sandbox.landlock as landlock

    work, runtime = dirs
    (work.parent / "root").mkdir()
    p = plan("strict", workdir=work, runtime_dir=runtime, python=kernel_python(), limits=Limits(), launcher="fork",
             new_root=work.parent / "root", caps=replace(CAPS, landlock_abi=0))
    assert p.info.level == "namespaces" and p.confine is None and p.info.landlock_abi == 0
    assert landlock.NOTHING_STACKED in p.info.notes


@pytest.fixture
def private_python(tmp_path) -> tuple[str, Path]:
    """A real interpreter (a venv) inside a folder other users cannot enter, as in root's
    0700 home: a sandbox uid could not load it. Returns (python, that folder)."""
    import venv

    private = tmp_path / "home-0700"
    private.mkdir(mode=0o700)
    venv.EnvBuilder(symlinks=True, with_pip=False).create(private / "venv")
    return str(private / "venv" / "bin" / "python"), private


def _no_namespaces(abi: int):
    """A root grader without namespaces (a Docker runner), on a Linux of Landlock `abi`."""
    from autograder.sandbox.capabilities import Capabilities

    return Capabilities(True, None, None, "/usr/bin/setpriv", shutil.which("prlimit"), landlock_abi=abi)


def test_spawn_without_namespaces_confines_itself_with_landlock(dirs, private_python):
    """--kernel-launch spawn where neither bwrap nor unshare works: the launcher confines
    itself (Landlock + seccomp, host paths) and keeps uid 0 without any capability where a
    sandbox uid could not reach the interpreter, as a forked kernel does."""
    from autograder.config import ConfigError
    from autograder.sandbox.plan import unreachable_for_others

    work, runtime = dirs
    python, _ = private_python
    blocked = unreachable_for_others(python_roots(python))
    assert blocked is not None  # that folder, one above it, or (a Python built in a home) that home
    p = plan("strict", workdir=work, runtime_dir=runtime, python=python, limits=Limits(), launcher="spawn",
             caps=_no_namespaces(7))
    assert p.info.level == "landlock" and p.info.landlock_abi == 7 and p.info.filesystem_hidden
    assert p.info.network_isolated and not p.info.user_switched and p.run_as is None
    assert "--bounding-set=-all" in p.prefix and not any(a.startswith("--reuid") for a in p.prefix)
    assert p.env["TMPDIR"] == str(work / ".tmp") and p.env["HOME"] == str(work)
    assert any("keeps uid 0" in n and str(blocked) in n for n in p.info.notes), p.info.notes
    # An old Linux: nothing can stand for the user switch.
    with pytest.raises(ConfigError) as refused:
        plan("auto", workdir=work, runtime_dir=runtime, python=python, limits=Limits(), launcher="spawn",
             caps=_no_namespaces(0))
    assert str(blocked) in refused.value.message.en and "chmod o+x" in refused.value.message.en


def test_a_temporary_folder_too_deep_for_the_kernel_sockets_is_named(tmp_path):
    """A TMPDIR so deep that the kernel's IPC socket paths pass Linux's 107 bytes: the kernel
    used to fail at start with zmq's 'File name too long'; now the grader names it first."""
    from autograder.config import ConfigError

    deep = tmp_path / ("d" * 60) / ("e" * 60)
    for launcher in ("fork", "spawn"):
        with pytest.raises(ConfigError) as refused:
            plan("auto", workdir=deep / "work", runtime_dir=deep / "run", python=kernel_python(), limits=Limits(),
                 launcher=launcher, new_root=deep / "root", caps=CAPS)
        assert "TMPDIR" in refused.value.message.fr and "107" in refused.value.message.en
