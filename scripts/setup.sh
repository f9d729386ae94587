#!/usr/bin/env bash
# Sets up a fresh machine: system sandbox tools, a virtualenv in .venv, the package and its deps.
# Idempotent: a second run only checks what is there.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

if ! command -v bwrap >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "[setup] installing bubblewrap (the strongest sandbox level)"
    (apt-get install -y -q bubblewrap >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q bubblewrap >/dev/null; }) \
      || echo "[setup] WARNING: could not install bubblewrap; grading falls back to a weaker sandbox level"
  else
    echo "[setup] NOTE: bubblewrap (bwrap) is not installed; ask an admin for it, or grading uses a weaker sandbox level"
  fi
fi

# Chromium drives the real Formgrader in tests/classroom/test_formgrader_browser.py (a student's
# output must not run script in the instructor's browser). Optional: without it that test skips.
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "[setup] installing chromium and chromium-driver (for the Formgrader browser test)"
    (apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium chromium-driver >/dev/null; }) \
      || echo "[setup] NOTE: could not install chromium; the Formgrader browser test will be skipped"
  else
    echo "[setup] NOTE: chromium/chromedriver not installed; the Formgrader browser test will be skipped"
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "[setup] creating .venv"
  "$PY" -m venv .venv
fi
# -I: the import must come from the install, not from this folder (python -c puts the current
# folder first): a venv whose editable install points at another checkout (a worktree sharing
# .venv, a moved course) imported this folder's package while the `autograder` command ran the
# other one.
if ! .venv/bin/python -I -c 'import pathlib, sys, autograder, torch, nbgrader, git
sys.exit(pathlib.Path(autograder.__file__).resolve().parent != pathlib.Path(sys.argv[1]).resolve() / "autograder")' "$PWD" >/dev/null 2>&1 \
   || [ pyproject.toml -nt .venv/.installed ]; then
  echo "[setup] installing the package and its dependencies (a few minutes on a fresh machine)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -c constraints.txt -e ".[dev]"
  touch .venv/.installed
fi
# gitlab-ci-local runs the GitLab CI templates of ci/ in tests/ci (shell executor, no Docker).
# Optional: without npm those tests skip. 4.74/4.75 crash on Node 20, hence the pin. It needs rsync.
GCL_VERSION=4.73.0
if command -v npm >/dev/null 2>&1; then
  if ! grep -qs "\"version\": \"$GCL_VERSION\"" .tools/gcl/node_modules/gitlab-ci-local/package.json; then
    echo "[setup] installing gitlab-ci-local $GCL_VERSION into .tools/gcl (for tests/ci)"
    npm install --prefix .tools/gcl --no-audit --no-fund --loglevel=error "gitlab-ci-local@$GCL_VERSION" >/dev/null 2>&1 \
      || echo "[setup] NOTE: could not install gitlab-ci-local; the pipeline tests in tests/ci will be skipped"
  fi
  if ! command -v rsync >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "[setup] installing rsync (gitlab-ci-local needs it)"
      (apt-get install -y -q rsync >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q rsync >/dev/null; }) \
        || echo "[setup] NOTE: could not install rsync; the pipeline tests in tests/ci will be skipped"
    else
      echo "[setup] NOTE: rsync is not installed; the pipeline tests in tests/ci will be skipped"
    fi
  fi
else
  echo "[setup] NOTE: npm not found: gitlab-ci-local is not installed and the pipeline tests in tests/ci will be skipped"
fi

echo "[setup] ready: $(.venv/bin/autograder --version 2>/dev/null || echo 'autograder installed')"
