"""Grade 10 and 30 TP01 submissions as a class, with --jobs 1 and --jobs 2, beside nbgrader.

    .venv/bin/python bench/bench_class.py [--sizes 10 30] [--tp tp01_gradients]

Each size builds that many real student repos (copies of the solution, committed before
the deadline), grades them with `grade_class` (kernel pool, one kernel per submission) and
with `nbgrader autograde` on the same notebooks, and prints seconds per submission.
The limit to compare with is the notebook's own execution time in the kernel.
Prints figures only; nothing here is asserted in tests.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.classroom.deadline import LatePolicy  # noqa: E402
from autograder.classroom.grade_class import ClassJob, grade_class, load_results  # noqa: E402
from autograder.classroom.roster import Student  # noqa: E402
from autograder.config import GradeOptions  # noqa: E402
from autograder.course import Course  # noqa: E402
from bench.bench_grade import bench_nbgrader, make_repos  # noqa: E402

DEADLINE = datetime.fromisoformat("2100-01-01T00:00:00+00:00")


def run_ours(course: Course, tp_id: str, repos: list[Path], out: Path, jobs: int) -> dict[str, float]:
    students = [Student(p.name, p.name, str(p)) for p in repos]
    job = ClassJob(course.root, tp_id, DEADLINE, LatePolicy(), GradeOptions(), out, force=True)
    t0 = time.perf_counter()
    grade_class(job, students, jobs=jobs)
    wall = time.perf_counter() - t0
    results = load_results(out)
    assert all(r.final_score == r.max_score for r in results), "a solution copy lost points"
    execs = []
    for sid in (s.id for s in students):
        import json

        g = json.loads((out / "students" / sid / "report" / "grade.json").read_text())
        execs.append(g["durations"].get("execute", 0.0))
    return {"wall": wall, "per_sub": wall / len(repos), "exec": statistics.median(execs)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tp", default="tp01_gradients")
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 30])
    ap.add_argument("--skip-nbgrader", action="store_true")
    args = ap.parse_args()
    course = Course(ROOT)
    rows = []
    for n in args.sizes:
        base = Path(tempfile.mkdtemp(prefix=f"ag-bench-class-{n}-"))
        try:
            repos = make_repos(course, args.tp, n, base / "repos")
            for jobs in (1, 2):
                r = run_ours(course, args.tp, repos, base / f"out-j{jobs}", jobs)
                rows.append((n, f"autograder --jobs {jobs}", r["wall"], r["per_sub"], r["exec"]))
                print(f"[bench] n={n} jobs={jobs}: {r['wall']:.1f} s", flush=True)
            if not args.skip_nbgrader:
                nb = bench_nbgrader(course, args.tp, n, base)
                if nb:
                    rows.append((n, "nbgrader autograde", nb["wall"], nb["per_sub"], float("nan")))
                    print(f"[bench] n={n} nbgrader: {nb['wall']:.1f} s", flush=True)
        finally:
            shutil.rmtree(base, ignore_errors=True)
    print(f"\n== class grading of {args.tp} (solution copies), this machine ==")
    print(f"{'n':>4}  {'grader':24s} {'total s':>8} {'s/sub':>7} {'notebook exec s (median)':>25}")
    for n, name, wall, per, ex in rows:
        print(f"{n:>4}  {name:24s} {wall:8.1f} {per:7.2f} {ex:25.2f}")
    for n in args.sizes:
        nbg = [r for r in rows if r[0] == n and r[1].startswith("nbgrader")]
        for r in rows:
            if r[0] == n and nbg and not r[1].startswith("nbgrader"):
                print(f"n={n}: nbgrader / {r[1]} = {nbg[0][3] / r[3]:.2f}x faster")


if __name__ == "__main__":
    main()
