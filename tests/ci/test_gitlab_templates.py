"""GitLab CI templates in ci/: schema-valid, and run for real with gitlab-ci-local.

Schema: SchemaStore's gitlab-ci schema as vendored (with its sha256) by the PyPI package
check-jsonschema (a dev dependency); nothing is downloaded at test time.

Runs: gitlab-ci-local 4.73.0 (npm; `scripts/setup.sh` installs it into .tools/gcl) with the
shell executor, so `image:` is ignored and jobs run on this machine. The feedback and grade
jobs call this checkout's real `autograder` (AUTOGRADER_CMD, AUTOGRADER_SKIP_INSTALL);
the TP-selection tests use a stub command that only records its arguments.
gitlab-ci-local does not export `artifacts:reports:junit`, so junit.xml is checked in the
job's build folder, at the path the template's `reports: junit:` glob names.
"""

from __future__ import annotations

import argparse
import fnmatch
import functools
import hashlib
import json
import os
import shlex
import shutil
import string
import subprocess
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CI = ROOT / "ci"
TEMPLATES = ["student-feedback.gitlab-ci.yml", "grade.yml", "class.yml"]
TP = "tp01_gradients"
VENV_AUTOGRADER = Path(ROOT / ".venv" / "bin" / "autograder")
GCL_VERSION = "4.73.0"  # 4.74/4.75 crash on Node 20 (TypeError: kW.union is not a function)


def load(name: str) -> dict:
    return yaml.safe_load((CI / name).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- schema


def gitlab_schema() -> dict:
    pytest.importorskip(
        "check_jsonschema", reason="check-jsonschema (dev dependency) vendors the gitlab-ci schema"
    )
    vendor = resources.files("check_jsonschema") / "builtin_schemas" / "vendor"
    raw = (vendor / "gitlab-ci.json").read_bytes()
    expected = (vendor / "sha256" / "gitlab-ci.sha256").read_text().split()[0]
    assert hashlib.sha256(raw).hexdigest() == expected, "vendored schema does not match its sha256"
    return json.loads(raw)


@functools.lru_cache(maxsize=1)
def gitlab_validator():
    import jsonschema

    schema = gitlab_schema()
    return jsonschema.validators.validator_for(schema)(schema)


def schema_errors(doc: dict) -> list[str]:
    validator = gitlab_validator()
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)
    ]


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_is_valid_gitlab_ci(name):
    assert schema_errors(load(name)) == []


def test_schema_check_rejects_a_broken_template():
    """The validation bites: a typo'd keyword and a bad `when` are errors."""
    doc = load("grade.yml")
    doc["grade-cpu"]["rules"][1]["when"] = "sometimes"
    doc["grade-gpu"]["scirpt"] = ["true"]
    errors = schema_errors(doc)
    assert errors, "the schema accepted a broken template"


# ------------------------------------------------------------------ template content


def test_feedback_template_publishes_reports_and_says_it_is_not_the_grade():
    text = (CI / "student-feedback.gitlab-ci.yml").read_text(encoding="utf-8")
    assert "NOT THE GRADE" in text
    job = load("student-feedback.gitlab-ci.yml")["feedback"]
    art = job["artifacts"]
    assert art["when"] == "always"
    assert art["reports"]["junit"] == "reports/*/junit.xml"
    assert "reports/*/feedback.html" in art["paths"] and "reports/*/grade.json" in art["paths"]
    script = "\n".join(job["before_script"] + job["script"])
    assert '-r "$AUTOGRADER_REQUIREMENTS"' in script
    assert '$AUTOGRADER_CMD check "$tp"' in script and '--out "reports/$tp"' in script
    assert "CI_COMMIT_BEFORE_SHA" in script


def test_grade_template_gpu_and_cpu_jobs():
    doc = load("grade.yml")
    gpu, cpu = doc["grade-gpu"], doc["grade-cpu"]
    assert gpu["tags"] == ["gpu"] and gpu["variables"]["AUTOGRADER_DEVICE"] == "cuda"
    assert gpu["rules"] == [{"if": '$AUTOGRADER_GPU_RUNNER == "true"'}]
    assert cpu["variables"]["AUTOGRADER_DEVICE"] == "cpu" and "tags" not in cpu
    assert cpu["rules"][0] == {"if": '$AUTOGRADER_GPU_RUNNER == "true"', "when": "never"}
    script = "\n".join(doc[".grade"]["script"])
    assert '--device "$AUTOGRADER_DEVICE"' in script
    assert doc[".grade"]["artifacts"]["reports"]["junit"] == "grade/*/junit.xml"


@pytest.mark.parametrize("name", TEMPLATES)
def test_templates_never_echo_tokens(name):
    doc = load(name)
    lines = []
    for job in doc.values():
        if isinstance(job, dict):
            for key in ("before_script", "script", "after_script"):
                lines += [ln for entry in job.get(key, []) for ln in entry.splitlines()]
    assert not any("set -x" in ln or "set -o xtrace" in ln for ln in lines)
    secrets = ("CI_JOB_TOKEN", "AUTOGRADER_DEPLOY_TOKEN", "AUTOGRADER_CLASS_TOKEN", "auth")
    echoes = [ln for ln in lines if ln.lstrip().startswith("echo")]
    assert echoes  # the jobs do report what they do...
    for ln in echoes:  # ...but never print a token
        assert not any(f"${s}" in ln or f"${{{s}" in ln for s in secrets), ln


def test_class_template_matches_the_grade_class_cli():
    doc = load("class.yml")
    shard, merge = doc["grade-class"], doc["merge-class"]
    assert isinstance(shard["parallel"], int) and shard["parallel"] >= 2
    cmd = " ".join(shard["script"])
    for part in (
        "$AUTOGRADER_CMD grade-class",
        '--roster "$AUTOGRADER_ROSTER"',
        '--tp "$AUTOGRADER_TP"',
        '--deadline "$AUTOGRADER_DEADLINE"',
        '--jobs "$AUTOGRADER_JOBS"',
        '--shard "$CI_NODE_INDEX/$CI_NODE_TOTAL"',
        '--out "shards/$CI_NODE_INDEX"',
    ):
        assert part in cmd
    assert merge["needs"] == [{"job": "grade-class", "artifacts": True}]
    assert merge["script"] == [
        '$AUTOGRADER_CMD merge-class --tp "$AUTOGRADER_TP" --out gradebook shards/*'
    ]
    assert merge["artifacts"]["paths"] == ["gradebook/"]


def test_class_template_commands_parse_with_the_real_cli():
    """The shard and merge commands, variables filled in, are accepted by `autograder`'s parser."""
    from autograder.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = {"grade-class", "merge-class"} - set(sub.choices)
    if missing:
        pytest.skip(f"this checkout's CLI has no {', '.join(sorted(missing))} yet")
    doc = load("class.yml")
    values = {
        **{k: str(v) for k, v in doc["variables"].items()},
        "AUTOGRADER_TP": TP,
        "AUTOGRADER_DEADLINE": "2026-12-01T23:59:00+01:00",
        "CI_NODE_INDEX": "2",
        "CI_NODE_TOTAL": str(doc["grade-class"]["parallel"]),
    }
    for job, expect in (("grade-class", "shards/2"), ("merge-class", "gradebook")):
        line = string.Template(doc[job]["script"][-1]).substitute(values)
        argv = shlex.split(line.replace("shards/*", "shards/1 shards/2"))
        assert argv[0] == "autograder"
        args = parser.parse_args(argv[1:])
        assert args.command == job and args.tp == TP and args.out == expect
    assert args.shards == ["shards/1", "shards/2"]


# ------------------------------------------------------------------ gitlab-ci-local


def _gcl_binary() -> str | None:
    local = ROOT / ".tools" / "gcl" / "node_modules" / ".bin" / "gitlab-ci-local"
    if local.is_file():
        return str(local)
    return shutil.which("gitlab-ci-local")


def _gcl() -> str:
    gcl = _gcl_binary()
    if gcl is None or shutil.which("node") is None:
        pytest.skip(
            "gitlab-ci-local is not installed: `bash scripts/setup.sh` installs "
            f"gitlab-ci-local@{GCL_VERSION} into .tools/gcl when npm is available"
        )
    if shutil.which("rsync") is None:
        pytest.skip(
            "rsync is missing (gitlab-ci-local --shell-isolation needs it): apt-get install rsync"
        )
    version = subprocess.run([gcl, "--version"], capture_output=True, text=True).stdout.strip()
    if version != GCL_VERSION:
        pytest.skip(f"gitlab-ci-local {version or '?'} found, these tests need {GCL_VERSION}")
    return gcl


@pytest.fixture(scope="module")
def gcl() -> str:
    return _gcl()


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Camille Martin",
        "GIT_AUTHOR_EMAIL": "camille.martin@etu.example.fr",
        "GIT_COMMITTER_NAME": "Camille Martin",
        "GIT_COMMITTER_EMAIL": "camille.martin@etu.example.fr",
    }
    out = subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env
    )
    return out.stdout.strip()


def run_gcl(gcl: str, repo: Path, variables: dict[str, str], *extra: str, file: str | None = None):
    cmd = [gcl, "--force-shell-executor", "--shell-isolation", "--no-color"]
    if file:
        cmd += ["--file", file]
    for k, v in variables.items():
        cmd += ["--variable", f"{k}={v}"]
    proc = subprocess.run([*cmd, *extra], cwd=repo, capture_output=True, text=True, timeout=600)
    return proc, (proc.stdout + proc.stderr)[-6000:]


def student_repo(path: Path, *, second_tp: bool = False) -> dict[str, str]:
    """release/tp01_gradients + the feedback template; returns commit shas by name."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    shutil.copytree(ROOT / "release" / TP, path / TP)
    shutil.copyfile(CI / "student-feedback.gitlab-ci.yml", path / ".gitlab-ci.yml")
    if second_tp:
        (path / "tp02_fake").mkdir()
        (path / "tp02_fake" / "tp.toml").write_text('[tp]\nid = "tp02_fake"\n', encoding="utf-8")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "Sujet")
    return {"release": git(path, "rev-parse", "HEAD")}


def stub_command(tmp_path: Path) -> tuple[Path, Path]:
    """A stand-in for `autograder` that records its arguments, one call a line."""
    log = tmp_path / "calls.log"
    stub = tmp_path / "stub-autograder"
    stub.write_text(f'#!/bin/sh\necho "$*" >> {log}\n', encoding="utf-8")
    stub.chmod(0o755)
    return stub, log


def calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


@pytest.fixture(scope="module")
def selection_repo(tmp_path_factory, gcl):
    """Commits: sujet (two TPs) -> a change in tp02_fake -> a README-only change (HEAD)."""
    base = tmp_path_factory.mktemp("gcl-select")
    repo = base / "student"
    shas = student_repo(repo, second_tp=True)
    (repo / "tp02_fake" / "notes.txt").write_text("v2\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "tp02")
    shas["tp02"] = git(repo, "rev-parse", "HEAD")
    (repo / "README.md").write_text("mes notes\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "readme")
    shas["readme"] = git(repo, "rev-parse", "HEAD")
    return repo, shas


@pytest.mark.parametrize(
    ("before", "tps", "expected"),
    [
        (None, "", ["tp01_gradients", "tp02_fake"]),  # no previous commit: every TP
        ("0" * 40, "", ["tp01_gradients", "tp02_fake"]),  # first push of a branch
        ("f" * 40, "", ["tp01_gradients", "tp02_fake"]),  # previous commit not in the clone
        ("release", "", ["tp02_fake"]),  # README changes are no TP
        ("tp02", "", []),  # README only: nothing to check
        ("tp02", "tp01_gradients", ["tp01_gradients"]),  # AUTOGRADER_TPS wins
    ],
)
def test_feedback_pipeline_checks_the_tps_the_push_touched(
    selection_repo, gcl, tmp_path, before, tps, expected
):
    repo, shas = selection_repo
    stub, log = stub_command(tmp_path)
    variables = {"AUTOGRADER_SKIP_INSTALL": "true", "AUTOGRADER_CMD": str(stub)}
    if before is not None:
        variables["CI_COMMIT_BEFORE_SHA"] = shas.get(before, before)
    if tps:
        variables["AUTOGRADER_TPS"] = tps
    proc, tail = run_gcl(gcl, repo, variables)
    assert proc.returncode == 0, tail
    assert calls(log) == [f"check {tp} --lang fr --out reports/{tp}" for tp in expected], tail


def test_grade_pipeline_grades_only_the_courses_released_tps(selection_repo, gcl, tmp_path):
    """tp02_fake exists in the student's repo but not in the course: never graded."""
    repo, shas = selection_repo
    stub, log = stub_command(tmp_path)
    grade_yml = tmp_path / "grade.yml"
    shutil.copyfile(CI / "grade.yml", grade_yml)
    variables = {
        "AUTOGRADER_COURSE_DIR": str(ROOT),
        "AUTOGRADER_CMD": str(stub),
        "AUTOGRADER_PROTECT_COURSE": "false",
    }
    proc, tail = run_gcl(gcl, repo, variables, file=os.path.relpath(grade_yml, repo))
    assert proc.returncode == 0, tail
    (line,) = calls(log)
    assert line.startswith(f"grade --course {ROOT} --repo ")
    assert f"--ref {shas['readme']} --tp {TP} --device cpu --sandbox auto --lang fr" in line


def test_grade_pipeline_refuses_a_course_inside_the_students_repo(selection_repo, gcl, tmp_path):
    repo, _ = selection_repo
    stub, log = stub_command(tmp_path)
    fake_course = tmp_path / "fake-course-repo"
    shutil.copytree(repo, fake_course, ignore=shutil.ignore_patterns(".gitlab-ci-local"))
    for d in ("source", "release"):  # a student's own "course", checks included
        (fake_course / d).mkdir()
        (fake_course / d / "README").write_text("mine\n", encoding="utf-8")
    git(fake_course, "add", "-A")
    git(fake_course, "commit", "-q", "-m", "my own checks")
    grade_yml = tmp_path / "grade.yml"
    shutil.copyfile(CI / "grade.yml", grade_yml)
    variables = {"AUTOGRADER_COURSE_DIR": ".", "AUTOGRADER_CMD": str(stub)}
    proc, tail = run_gcl(gcl, fake_course, variables, file=os.path.relpath(grade_yml, fake_course))
    assert proc.returncode != 0, tail
    assert "refusing a course folder inside the student's repo" in tail
    assert calls(log) == []


@pytest.mark.parametrize(("gpu", "job"), [("false", "grade-cpu"), ("true", "grade-gpu")])
def test_grade_pipeline_picks_the_gpu_job_when_a_gpu_runner_exists(
    selection_repo, gcl, tmp_path, gpu, job
):
    repo, _ = selection_repo
    grade_yml = tmp_path / "grade.yml"
    shutil.copyfile(CI / "grade.yml", grade_yml)
    variables = {"AUTOGRADER_GPU_RUNNER": gpu}
    proc, tail = run_gcl(gcl, repo, variables, "--list", file=os.path.relpath(grade_yml, repo))
    assert proc.returncode == 0, tail
    jobs = [ln.split()[0] for ln in proc.stdout.splitlines() if ln.startswith("grade-")]
    assert jobs == [job], tail


def test_class_pipeline_lists_shards_and_merge(selection_repo, gcl, tmp_path):
    """Parsed by gitlab-ci-local only (grade-class/merge-class are not run end to end)."""
    repo, _ = selection_repo
    class_yml = tmp_path / "class.yml"
    shutil.copyfile(CI / "class.yml", class_yml)
    rel = os.path.relpath(class_yml, repo)
    variables = {"AUTOGRADER_TP": TP, "CI_PIPELINE_SOURCE": "web"}
    proc, tail = run_gcl(gcl, repo, variables, "--list", file=rel)
    assert proc.returncode == 0, tail
    names = [
        ln.split()[0] for ln in proc.stdout.splitlines() if ln.startswith(("grade-", "merge-"))
    ]
    parallel = load("class.yml")["grade-class"]["parallel"]
    assert names.count("merge-class") == 1
    assert len([n for n in names if n.startswith("grade-class")]) == parallel, tail
    # A push to the grader project, or a pipeline run without a TP: no class job.
    for variables in ({"AUTOGRADER_TP": TP}, {"CI_PIPELINE_SOURCE": "web"}):
        proc, tail = run_gcl(gcl, repo, variables, "--list", file=rel)
        listed = [ln for ln in proc.stdout.splitlines() if ln.startswith(("grade-", "merge-"))]
        assert proc.returncode == 0 and listed == [], tail


# -------------------------------------------------- real pipelines, real autograder


@pytest.fixture(scope="module")
def solution_repo(tmp_path_factory, gcl):
    """The student template (release + feedback .gitlab-ci.yml), then the solution commit."""
    if not VENV_AUTOGRADER.is_file():
        pytest.skip(f"{VENV_AUTOGRADER} is missing: run `bash scripts/setup.sh`")
    repo = tmp_path_factory.mktemp("gcl-real") / "student"
    shas = student_repo(repo)
    shutil.copyfile(ROOT / "solutions" / TP / f"{TP}.ipynb", repo / TP / f"{TP}.ipynb")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "TP01 : version finale")
    shas["solution"] = git(repo, "rev-parse", "HEAD")
    return repo, shas


def test_feedback_pipeline_runs_the_public_checks(solution_repo, gcl):
    repo, shas = solution_repo
    variables = {
        "AUTOGRADER_SKIP_INSTALL": "true",
        "AUTOGRADER_CMD": str(VENV_AUTOGRADER),
        "CI_COMMIT_BEFORE_SHA": shas["release"],
    }
    proc, tail = run_gcl(gcl, repo, variables)
    assert proc.returncode == 0, tail
    assert f"TPs changed since {shas['release'][:8]}: {TP}" in tail

    build = repo / ".gitlab-ci-local" / "builds" / "feedback"
    junit_glob = load("student-feedback.gitlab-ci.yml")["feedback"]["artifacts"]["reports"]["junit"]
    produced = [p.relative_to(build).as_posix() for p in (build / "reports").rglob("*.xml")]
    assert fnmatch.filter(produced, junit_glob) == [f"reports/{TP}/junit.xml"]
    suite = ET.parse(build / "reports" / TP / "junit.xml").getroot()
    assert int(suite.get("tests")) > 0 and suite.get("failures") == "0"

    artifacts = repo / ".gitlab-ci-local" / "artifacts" / "feedback" / "reports" / TP
    assert (artifacts / "feedback.html").is_file()
    report = json.loads((artifacts / "grade.json").read_text(encoding="utf-8"))
    assert report["score"] == report["max_score"] > 0  # the solution passes every public check
    assert {t["visibility"] for t in report["tests"]} == {"visible"}  # public checks only
    assert report["sandbox"]["level"] != "none"


def grader_side(tmp_path: Path) -> tuple[Path, Path]:
    """ci/grade.yml in a grader project of its own, and this course copied to a folder of
    its own like a grader image's /opt/course."""
    grader = tmp_path / "course-grader"  # stands for ci/grade.yml@course/grader
    (grader / "ci").mkdir(parents=True)
    shutil.copyfile(CI / "grade.yml", grader / "ci" / "grade.yml")
    course = tmp_path / "opt-course"
    for d in ("source", "release"):
        shutil.copytree(ROOT / d, course / d, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(ROOT / "pyproject.toml", course / "pyproject.toml")
    shutil.copyfile(ROOT / ".autograder-secret", course / ".autograder-secret")  # travels with source/
    return grader, course


def test_grade_pipeline_gives_the_solution_full_marks(solution_repo, gcl, tmp_path):
    """The job closes the course to other users (AUTOGRADER_PROTECT_COURSE, default)."""
    repo, shas = solution_repo
    grader, course = grader_side(tmp_path)
    variables = {
        "AUTOGRADER_COURSE_DIR": str(course),
        "AUTOGRADER_CMD": str(VENV_AUTOGRADER),
        "CI_COMMIT_BEFORE_SHA": shas["release"],
    }
    file = os.path.relpath(grader / "ci" / "grade.yml", repo)
    proc, tail = run_gcl(gcl, repo, variables, file=file)
    assert proc.returncode == 0, tail
    assert course.stat().st_mode & 0o077 == 0  # closed to the kernel's `nobody`
    out = repo / ".gitlab-ci-local" / "artifacts" / "grade-cpu" / "grade" / TP
    assert sorted(p.name for p in out.iterdir()) == [
        "executed.ipynb",
        "feedback.html",
        "feedback.md",
        "grade.json",
        "junit.xml",
    ]
    report = json.loads((out / "grade.json").read_text(encoding="utf-8"))
    assert report["commit"]["sha"] == shas["solution"]
    assert report["device"] == "cpu"
    assert report["score"] == report["max_score"] > 0
    visibility = {t["visibility"] for t in report["tests"]}
    assert visibility == {"visible", "after_published"}  # public and hidden checks ran
    suite = ET.parse(out / "junit.xml").getroot()
    assert suite.get("failures") == "0" and suite.get("errors") == "0"


FORGED_SUITE = (
    '<?xml version="1.0"?><testsuites><testsuite name="forged" tests="30" failures="0" errors="0">'
    '<testcase name="test_all_passed"/></testsuite></testsuites>'
)


def test_grade_pipeline_ignores_reports_the_commit_planted(gcl, tmp_path):
    """A commit that forces a forged grade/ folder into the repo (`git add -f`): an all-passed
    junit.xml, a folder name with a trailing space, a grade-final.json. The job's artifacts
    and its junit glob hold only what the grader wrote: the untouched release's 0."""
    if not VENV_AUTOGRADER.is_file():
        pytest.skip(f"{VENV_AUTOGRADER} is missing: run `bash scripts/setup.sh`")
    repo = tmp_path / "student"
    shas = student_repo(repo)
    for folder in (TP, f"{TP} ", "tp99_fake"):
        (repo / "grade" / folder).mkdir(parents=True)
        (repo / "grade" / folder / "junit.xml").write_text(FORGED_SUITE, encoding="utf-8")
        (repo / "grade" / folder / "grade.json").write_text('{"score": 20, "max_score": 20}', encoding="utf-8")
    (repo / "grade" / TP / "grade-final.json").write_text('{"score": 20}', encoding="utf-8")
    git(repo, "add", "-f", "grade")
    git(repo, "commit", "-q", "-m", "rendu")
    grader, course = grader_side(tmp_path)
    variables = {
        "AUTOGRADER_COURSE_DIR": str(course),
        "AUTOGRADER_CMD": str(VENV_AUTOGRADER),
        "CI_COMMIT_BEFORE_SHA": shas["release"],
        "AUTOGRADER_TPS": TP,
    }
    proc, tail = run_gcl(gcl, repo, variables, file=os.path.relpath(grader / "ci" / "grade.yml", repo))
    assert proc.returncode == 0, tail
    artifacts = repo / ".gitlab-ci-local" / "artifacts" / "grade-cpu"
    kept = sorted(p.relative_to(artifacts).as_posix() for p in artifacts.rglob("*") if p.is_file())
    assert kept == [f"grade/{TP}/{name}" for name in
                    ("executed.ipynb", "feedback.html", "feedback.md", "grade.json", "junit.xml")]
    build = repo / ".gitlab-ci-local" / "builds" / "grade-cpu"
    junit_glob = load("grade.yml")[".grade"]["artifacts"]["reports"]["junit"]
    produced = [p.relative_to(build).as_posix() for p in (build / "grade").rglob("*.xml")]
    assert fnmatch.filter(produced, junit_glob) == [f"grade/{TP}/junit.xml"]
    report = json.loads((artifacts / "grade" / TP / "grade.json").read_text(encoding="utf-8"))
    assert report["score"] == 0 and report["max_score"] > 0
    suite = ET.parse(artifacts / "grade" / TP / "junit.xml").getroot()
    assert "forged" not in ET.tostring(suite, encoding="unicode")
