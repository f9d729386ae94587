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

if [ ! -x .venv/bin/python ]; then
  echo "[setup] creating .venv"
  "$PY" -m venv .venv
fi
if ! .venv/bin/python -c "import autograder, torch, nbgrader, git" >/dev/null 2>&1 \
   || [ pyproject.toml -nt .venv/.installed ]; then
  echo "[setup] installing the package and its dependencies (a few minutes on a fresh machine)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -c constraints.txt -e ".[dev]"
  touch .venv/.installed
fi
echo "[setup] ready: $(.venv/bin/autograder --version 2>/dev/null || echo 'autograder installed')"
