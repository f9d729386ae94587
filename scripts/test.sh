#!/usr/bin/env bash
# README command 2: set up if needed, then run the tests.
#   bash scripts/test.sh          the default suite (everything not marked slow), ~15 min on 2 cores
#   bash scripts/test.sh slow     the slow step: full TP solutions graded end to end, and
#                                 the determinism tests (each TP solution graded 3 times, each wrong-answer group twice; in one
#                                 session the first grading is shared with the scenario tests)
#   bash scripts/test.sh determinism  the determinism tests alone
#   bash scripts/test.sh all      everything
#   bash scripts/test.sh unprivileged  the hostile corpus with the grader stripped of CAP_SYS_ADMIN
#   bash scripts/test.sh prove    every TP's scenarios under grader variants 1 to 9 (the slow
#                                 step's TP tests prove variant 0: 10 variants in all) and a sample
#                                 of 10 mutants of each solution (`autograder prove`, prove-out/)
# Extra arguments after the mode go to pytest (e.g. `bash scripts/test.sh fast -x -k graft`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mode=${1:-fast}
shift || true
py=.venv/bin/python
run() {
  # pytest exits 5 when a selection holds no test: that is not a failure of the step.
  set +e
  "$py" -m pytest "$@"
  rc=$?
  set -e
  if [ "$rc" = 5 ]; then echo "(no test selected)"; return 0; fi
  return "$rc"
}
case "$mode" in
  fast) run -m "not slow and not determinism" -q -ra "$@" ;;
  # Two workers (pytest-xdist), one test file or one TP at a time (`loadfile`, which
  # tests/conftest.py refines to split tests/tps/test_scenarios.py by TP: a TP's determinism
  # test reuses its first gradings): the kernels run student code on one thread, so a 2-core
  # CI machine grades two notebooks at once.
  # The determinism test regrades each TP's solution and 2 of its groups (AG_REGRADE_GROUPS),
  # starting at the `--regrade-rotate` one (.ci/run passes prove's rotation): regrading every
  # group twice no longer fits CI's 90 minutes. `determinism` below regrades them all.
  slow) run -m "slow or determinism" -q -ra -n "${AG_TEST_WORKERS:-2}" --dist loadfile \
      --regrade-groups "${AG_REGRADE_GROUPS:-2}" "$@" ;;
  determinism) run -m determinism -q -ra -n "${AG_TEST_WORKERS:-2}" --dist loadfile "$@" ;;
  all) run -q -ra "$@" ;;
  lint) .venv/bin/ruff check autograder tests bench source docs/example ;;
  # Seed findings (a wrong answer keeping a point under another variant, a correct one losing
  # one) fail the step; the mutation score is reported (prove-out/prove.md) without failing it
  # until every TP reaches the 90 % target. Variants 1..9 here, 0 in the slow step (same
  # judgement, tests/tp_harness.py): ten in all. Each target's notebook runs once and its checks
  # once per variant (a finding is graded again alone), two TPs at a time. Extra arguments go to
  # `autograder prove` (`--seed 0 --seeds 3`, `--alone`).
  prove) .venv/bin/autograder prove --seed 1 --seeds 9 --jobs "${AG_TEST_WORKERS:-2}" --mutants 10 --sample-seed 0 --mutation-advisory --out prove-out "$@" ;;
  # The grader as a GitLab Docker runner has it: root without CAP_SYS_ADMIN (no namespaces),
  # so kernels confine themselves at the `landlock` level; the hostile corpus must hold there
  # too (tests/hostile/test_corpus.py LANDLOCK_DIFFERS says what it stops otherwise). ~12 min.
  unprivileged)
    if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null 2>&1; then
      echo "(unprivileged step skipped: needs root and setpriv to drop CAP_SYS_ADMIN)"; exit 0
    fi
    set +e
    setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin "$py" -m pytest -m "not slow" -q -ra \
      tests/hostile/test_corpus.py tests/kernel_side/test_confine.py "$@"
    rc=$?
    set -e
    [ "$rc" = 5 ] && rc=0
    exit "$rc" ;;
  *) echo "usage: bash scripts/test.sh [fast|slow|determinism|all|lint|prove|unprivileged] [pytest or prove args...]" >&2; exit 2 ;;
esac
