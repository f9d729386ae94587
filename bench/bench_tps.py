"""Grade every TP's solution once cold (the `autograder grade` command) and pooled (as in a class).

    .venv/bin/python bench/bench_tps.py [TP ...] [--repeat 2]

Cold: one `autograder grade` process, imports and fork server included, as a student's CI
job runs it. Pooled: the same commit graded in this process with the TP's kernel pool
warm, as `grade-class` grades the second and later submissions (median of --repeat).
These are the times of README's TP table. Prints figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.config import GradeOptions  # noqa: E402
from autograder.course import Course  # noqa: E402
from autograder.grading.grade import grade_commit, pool_for_tp  # noqa: E402
from bench.bench_grade import make_repos  # noqa: E402


def cold(tp_id: str, repo: Path, out: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "autograder", "grade", "--repo", str(repo), "--tp", tp_id, "--out", str(out),
         "--course", str(ROOT)],
        check=True, capture_output=True,
    )
    return time.perf_counter() - t0


def pooled(course: Course, tp_id: str, repo: Path, out: Path, repeat: int) -> tuple[float, float]:
    opts = GradeOptions()
    pool = pool_for_tp(course.tp(tp_id), opts)
    try:
        times, full = [], True
        for i in range(repeat + 1):  # the first one warms this process's imports
            t0 = time.perf_counter()
            g = grade_commit(course, tp_id, repo=str(repo), ref="HEAD", options=opts, out_dir=out / str(i), pool=pool)
            if i:
                times.append(time.perf_counter() - t0)
            full = full and g.report.score == g.report.max_score
        assert full, f"{tp_id}: the solution lost points"
        return statistics.median(times), g.report.durations.get("execute", 0.0)
    finally:
        pool.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tps", nargs="*", help="TP ids (default: every TP of the course)")
    ap.add_argument("--repeat", type=int, default=2, help="pooled gradings per TP, median shown (default 2)")
    args = ap.parse_args()
    course = Course(ROOT)
    tps = args.tps or course.tp_ids()
    base = Path(tempfile.mkdtemp(prefix="ag-bench-tps-"))
    try:
        print(f"{'TP':24s} {'cold s':>8s} {'pooled s':>9s} {'notebook exec s':>16s}")
        for tp_id in tps:
            (repo,) = make_repos(course, tp_id, 1, base / tp_id)
            c = cold(tp_id, repo, base / f"{tp_id}-cold")
            p, ex = pooled(course, tp_id, repo, base / f"{tp_id}-pooled", args.repeat)
            print(f"{tp_id:24s} {c:8.1f} {p:9.1f} {ex:16.1f}", flush=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
