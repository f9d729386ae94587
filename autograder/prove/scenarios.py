"""A TP's proof material: its scenarios file, found beside the TP or in the course's tests.

`source/<tp>/scenarios.py` when the TP ships one, else `<course>/tests/<tpNN>/scenarios.py`
(tpNN: the TP id before its first "_"). The file defines SCENARIOS and GROUPS, optionally
CORRECT and CORRECT_GROUPS (alternative correct answers) and EQUIVALENT (mutant id -> why
the mutant cannot be told from the solution).
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autograder.config import ConfigError
from autograder.prove.judge import Correct, Scenario
from autograder.results import Message


@dataclass(frozen=True)
class ScenarioSet:
    """What one scenarios file declares (names as in the file)."""

    path: Path
    scenarios: dict[str, Scenario]
    groups: dict[str, tuple[str, ...]]
    correct: dict[str, Correct] = field(default_factory=dict)
    correct_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    equivalent: dict[str, str] = field(default_factory=dict)

    def affects(self) -> dict[str, tuple[str, ...]]:
        """grade_id -> the other items its scenarios may make lose points (their union)."""
        out: dict[str, set[str]] = {}
        for sc in self.scenarios.values():
            out.setdefault(sc.grade_id, set()).update(sc.affects)
        return {gid: tuple(sorted(items - {gid})) for gid, items in out.items()}


def scenario_paths(tp_dir: Path) -> tuple[Path, Path]:
    """Where a TP's proof may lie in source/<tp>/ (a file, or a folder of the TP's own): never
    in release/, a student template repo or a kernel (they hold the solution's variants)."""
    return tp_dir / "scenarios.py", tp_dir / "scenarios"


def find_scenarios(course_root: Path, tp_id: str) -> Path | None:
    """The scenarios file of a TP, or None when it has none."""
    beside = scenario_paths(course_root / "source" / tp_id)[0]
    if beside.is_file():
        return beside
    in_tests = course_root / "tests" / tp_id.split("_", 1)[0] / "scenarios.py"
    return in_tests if in_tests.is_file() else None


def load_scenario_set(path: Path, course_root: Path) -> ScenarioSet:
    """Execute a scenarios file (again at each call) under the name `<folder>_scenarios`.

    Such a file imports Scenario and Correct from `autograder.prove` (older ones from
    `tests.tp_harness`: the course root is put on sys.path while it loads). Registered in sys.modules, as dataclasses need.
    """
    name = f"{path.parent.name}_scenarios"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    root = str(course_root.resolve())
    added = root not in sys.path
    if added:
        sys.path.insert(0, root)
    previous = sys.modules.get(name)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)  # every call: the author may have edited the file
    except BaseException:
        if previous is None:
            del sys.modules[name]
        else:
            sys.modules[name] = previous
        raise
    finally:
        if added:
            sys.path.remove(root)
    chosen = ScenarioSet(
        path=path,
        scenarios=dict(module.SCENARIOS),
        groups={k: tuple(v) for k, v in module.GROUPS.items()},
        correct=dict(getattr(module, "CORRECT", {})),
        correct_groups={k: tuple(v) for k, v in getattr(module, "CORRECT_GROUPS", {}).items()},
        equivalent=dict(getattr(module, "EQUIVALENT", {})),
    )
    _one_answer_per_cell(chosen)
    return chosen


def _one_answer_per_cell(chosen: ScenarioSet) -> None:
    """A group is one grading with each of its answers in its cell: two answers for one cell
    would leave only the last one graded, and the other proven by nothing."""
    for kind, groups, table in (
        ("GROUPS", chosen.groups, chosen.scenarios),
        ("CORRECT_GROUPS", chosen.correct_groups, chosen.correct),
    ):
        for group, names in groups.items():
            seen: dict[str, str] = {}
            for name in names:
                answer = table.get(name)
                if answer is None:
                    continue  # an unknown name: the TP's tests name it (groups cover every scenario)
                if answer.grade_id in seen:
                    raise ConfigError(Message(
                        fr=f"{chosen.path} : le groupe {group!r} de {kind} remplace deux fois la cellule "
                        f"{answer.grade_id!r} ({seen[answer.grade_id]!r} et {name!r}) ; une seule serait "
                        "notée. Mettez-les dans deux groupes",
                        en=f"{chosen.path}: group {group!r} of {kind} replaces cell {answer.grade_id!r} "
                        f"twice ({seen[answer.grade_id]!r} and {name!r}); only one would be graded. Put "
                        "them in two groups",
                    ))
                seen[answer.grade_id] = name
