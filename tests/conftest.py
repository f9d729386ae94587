"""Shared fixtures: the real course in this repo, graded through the real sandboxed kernel."""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autograder.config import GradeOptions
from autograder.course import TP, Course
from autograder.grading.grade import grade_notebook_dict, pool_for_tp
from autograder.prove.run import with_answers
from autograder.results import GradeReport
from autograder.sandbox.slot import KernelPool

ROOT = Path(__file__).resolve().parents[1]


def pytest_addoption(parser: pytest.Parser) -> None:
    """The determinism test's sample: CI's 90 minutes cannot regrade every scenario group of
    every TP (600 groups and growing), so the slow step regrades each TP's solution and a
    rotating few of its groups; `bash scripts/test.sh determinism` regrades them all."""
    group = parser.getgroup("autograder", "autograder TP tests")
    group.addoption(
        "--regrade-groups",
        type=int,
        default=None,
        metavar="N",
        help="determinism test: regrade each TP's solution and only N of its wrong-answer "
        "groups (default: every group)",
    )
    group.addoption(
        "--regrade-rotate",
        type=int,
        default=0,
        metavar="R",
        help="with --regrade-groups: start at each TP's R-th group (modulo their number), "
        "so successive runs regrade other groups (default 0)",
    )


@pytest.fixture(scope="session")
def course() -> Course:
    return Course(ROOT)


@functools.cache
def views(tp_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(release, solution) notebooks of a TP, built from source/ like `autograder release`."""
    from autograder.release.views import build_views

    v = build_views(Course(ROOT).tp(tp_id), nbgrader_config=ROOT / "nbgrader_config.py")
    return v.release_nb, v.solution_nb




class KernelPools:
    """A kernel pool per (TP, options), as `grade-class` uses: the TP tests grade many
    notebooks of one TP in a row. Only the two most recent stay open (memory)."""

    KEEP = 2

    def __init__(self) -> None:
        self._pools: OrderedDict[tuple[str, GradeOptions], KernelPool] = OrderedDict()

    def get(self, tp: TP, options: GradeOptions) -> KernelPool:
        key = (tp.id, options)
        if key in self._pools:
            self._pools.move_to_end(key)
            return self._pools[key]
        pool = self._pools[key] = pool_for_tp(tp, options)
        while len(self._pools) > self.KEEP:
            self._pools.popitem(last=False)[1].close()
        return pool

    def close(self) -> None:
        while self._pools:
            self._pools.popitem()[1].close()


@pytest.fixture(scope="session")
def kernel_pools() -> Iterator[KernelPools]:
    pools = KernelPools()
    yield pools
    pools.close()


@pytest.fixture(scope="session")
def grade_answers(kernel_pools):
    """grade_answers(tp_id, {grade_id: source}) -> GradeReport, from the solution."""

    def run(tp_id: str, replacements: dict[str, str], **opts: Any) -> GradeReport:
        release, solution = views(tp_id)
        nb = with_answers(solution, replacements)
        tp = Course(ROOT).tp(tp_id)
        options = GradeOptions(**opts)
        return grade_notebook_dict(
            tp, nb, options=options, instructor_nb=release, pool=kernel_pools.get(tp, options)
        ).report

    return run


@pytest.fixture(scope="session")
def grade_release(kernel_pools):
    """grade_release(tp_id) -> GradeReport of the untouched student notebook."""

    def run(tp_id: str, **opts: Any) -> GradeReport:
        release, _ = views(tp_id)
        tp = Course(ROOT).tp(tp_id)
        options = GradeOptions(**opts)
        return grade_notebook_dict(
            tp, release, options=options, instructor_nb=release, pool=kernel_pools.get(tp, options)
        ).report

    return run


def _is_tp_test(item: pytest.Item) -> bool:
    return item.path.name == "test_scenarios.py" and item.path.parent.name == "tps"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The TP tests (tests/tps/test_scenarios.py, one module for every TP) run TP by TP, so a
    TP's kernel pool and first gradings serve all its tests before the next TP's."""

    def tp_of(item: pytest.Item) -> str:
        callspec = getattr(item, "callspec", None)
        return callspec.params.get("tp", "") if callspec is not None else ""

    theirs = [item for item in items if _is_tp_test(item)]
    tps = list(dict.fromkeys(tp_of(item) for item in theirs))
    ours = iter(sorted(theirs, key=lambda it: tps.index(tp_of(it))))  # stable within a TP
    # The TP tests take the places they had, TP by TP; every other test keeps its own.
    items[:] = [next(ours) if _is_tp_test(item) else item for item in items]


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadfile` (scripts/test.sh's slow step), with tests/tps/test_scenarios.py split
    by TP: each TP's tests go to one worker (its determinism test reuses the TP's first
    gradings), and two workers grade two TPs at once. Test ids start with the TP
    (`test_scenario_group[tp05_generative-vae-kl]`)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class LoadFileThenTP(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path, _, rest = nodeid.partition("::")
            if path.endswith("tps/test_scenarios.py") and "[" in rest:
                return f"{path}::{rest.split('[', 1)[1].split('-', 1)[0].rstrip(']')}"
            return super()._split_scope(nodeid)

    return LoadFileThenTP(config, log)
