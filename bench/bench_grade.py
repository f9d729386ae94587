"""Grade N copies of a TP's solution and print the per-submission overhead, beside nbgrader.

    .venv/bin/python bench/bench_grade.py [--tp tp01_gradients] [-n 10]

Overhead = total grading time of a submission minus the kernel's execution time of the
notebook cells (kernel start and stop, graft, checks, reports). In the same run,
`nbgrader autograde` grades the same N notebooks serially, as the baseline.
Prints figures only: no target is asserted here or in the tests.
"""

from __future__ import annotations

import argparse
import json
import os
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


def make_repos(course: Course, tp_id: str, n: int, base: Path) -> list[Path]:
    import git

    tp = course.tp(tp_id)
    repos = []
    for i in range(n):
        d = base / f"student{i:03d}"
        shutil.copytree(tp.release_dir, d / tp_id)
        shutil.copy2(tp.solution_notebook, d / tp_id / tp.config.notebook)
        r = git.Repo.init(d)
        r.index.add([str(p.relative_to(d)) for p in (d / tp_id).rglob("*") if p.is_file()])
        who = git.Actor(f"student{i}", f"s{i}@example.fr")
        r.index.commit("rendu", author=who, committer=who)
        repos.append(d)
    return repos


def bench_ours(course: Course, tp_id: str, repos: list[Path], out: Path, pooled: bool) -> dict[str, float]:
    totals, execs, starts, checks = [], [], [], []
    opts = GradeOptions()
    # Warm the grader process once (imports), as a class run does.
    grade_commit(course, tp_id, repo=str(repos[0]), ref="HEAD", options=opts, out_dir=out / "warmup")
    pool = pool_for_tp(course.tp(tp_id), opts) if pooled else None
    if pool is not None:
        pool.acquire().close()  # let the first background start finish before timing
    t_all = time.perf_counter()
    for i, repo in enumerate(repos):
        t0 = time.perf_counter()
        g = grade_commit(course, tp_id, repo=str(repo), ref="HEAD", options=opts, out_dir=out / repo.name, pool=pool)
        totals.append(time.perf_counter() - t0)
        d = g.report.durations
        execs.append(d.get("execute", 0.0))
        starts.append(d.get("kernel_start", 0.0))
        checks.append(d.get("checks", 0.0))
        assert g.report.score == g.report.max_score, f"solution copy {i} did not get full marks"
    wall = time.perf_counter() - t_all
    if pool is not None:
        pool.close()
    return {
        "wall": wall,
        "per_sub": wall / len(repos),
        "exec": statistics.median(execs),
        "overhead": statistics.median([t - e for t, e in zip(totals, execs, strict=True)]),
        "kernel_start": statistics.median(starts),
        "checks": statistics.median(checks),
    }


def bench_nbgrader(course: Course, tp_id: str, n: int, base: Path) -> dict[str, float] | None:
    tp = course.tp(tp_id)
    cdir = base / "nbgrader-course"
    (cdir / "source" / tp_id).mkdir(parents=True)
    shutil.copy2(tp.source_notebook, cdir / "source" / tp_id / tp.config.notebook)
    cfg = cdir / "nbgrader_config.py"
    cfg.write_text(
        "c = get_config()\nc.CourseDirectory.root = {!r}\nc.CourseDirectory.db_url = {!r}\n".format(str(cdir), f"sqlite:///{cdir / 'gradebook.db'}"),
        encoding="utf-8",
    )
    nbg = [sys.executable, "-m", "nbgrader"]
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    subprocess.run([*nbg, "generate_assignment", tp_id, "--force", "--log-level=ERROR"], cwd=cdir, check=True, env=env)
    students = [f"student{i:03d}" for i in range(n)]
    for s in students:
        d = cdir / "submitted" / s / tp_id
        d.mkdir(parents=True)
        shutil.copy2(tp.solution_notebook, d / tp.config.notebook)
        (d / "timestamp.txt").write_text("2026-11-22 10:00:00.000000 UTC", encoding="utf-8")
    t0 = time.perf_counter()
    proc = subprocess.run([*nbg, "autograde", tp_id, "--force", "--create", "--log-level=ERROR"], cwd=cdir,
                          capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        print("nbgrader autograde failed:\n" + proc.stderr[-2000:], file=sys.stderr)
        return None
    return {"wall": wall, "per_sub": wall / n}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tp", default="tp01_gradients")
    ap.add_argument("-n", type=int, default=10, help="number of submissions (default 10)")
    ap.add_argument("--skip-nbgrader", action="store_true")
    args = ap.parse_args()
    course = Course(ROOT)
    base = Path(tempfile.mkdtemp(prefix="ag-bench-"))
    try:
        repos = make_repos(course, args.tp, args.n, base / "repos")
        results = {}
        print(f"\n== {args.tp}: {args.n} solution copies, graded serially in one process ==")
        for pooled in (False, True):
            ours = bench_ours(course, args.tp, repos, base / f"out-{pooled}", pooled)
            results["pooled" if pooled else "cold"] = ours
            label = "autograder, kernel pool" if pooled else "autograder, cold kernels"
            print(f"{label:24s}: {ours['wall']:.1f} s total, {ours['per_sub']:.2f} s/submission")
            print(f"{'':24s}  median kernel execution of the notebook {ours['exec']:.2f} s")
            print(f"{'':24s}  median per-submission overhead {ours['overhead']:.2f} s "
                  f"(kernel start on the critical path {ours['kernel_start'] if not pooled else 0:.2f} s, "
                  f"checks incl. calls into student code {ours['checks']:.2f} s; target <= 0.5 s)")
        if not args.skip_nbgrader:
            nbg = bench_nbgrader(course, args.tp, args.n, base)
            if nbg:
                print(f"{'nbgrader autograde':24s}: {nbg['wall']:.1f} s total, {nbg['per_sub']:.2f} s/submission (serial)")
                for k, v in results.items():
                    print(f"ratio nbgrader / autograder ({k}) = {nbg['per_sub'] / v['per_sub']:.2f}x")
        print(json.dumps(results, indent=1))
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
