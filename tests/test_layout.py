"""The package's layering, read from its imports (ast, nothing imported): each stage folder
depends only on the stages below it, so the tree reads as the pipeline (docs/architecture.md)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "autograder"

#: What each part may import from the package (besides itself). The top-level modules
#: (config, course, errors, results, secret) are the shared vocabulary every stage uses.
SHARED = {"autograder", "config", "course", "errors", "results", "secret"}
ALLOWED = {
    "results": set(),
    "errors": {"results"},
    "kernel_side": set(),
    "config": {"errors", "results"},
    "secret": {"errors", "results", "config"},
    "course": {"errors", "results", "config"},
    "intake": SHARED,
    "sandbox": SHARED,
    "bridge": SHARED | {"sandbox", "checks"},
    "checks": SHARED | {"bridge"},
    "render": SHARED,
    "grading": SHARED | {"intake", "sandbox", "bridge", "checks", "render"},
    "release": SHARED | {"intake", "sandbox", "bridge", "checks", "render", "grading", "prove"},
    "prove": SHARED | {"intake", "sandbox", "bridge", "checks", "render", "grading", "release"},
    "classroom": SHARED | {"intake", "sandbox", "bridge", "checks", "render", "grading"},
    "demo": SHARED | {"intake", "sandbox", "bridge", "checks", "render", "grading", "release"},
    "cli": None,  # the top: anything
    "__main__": None,
}
#: Single modules a part may reach outside its layers, each for a stated reason.
EXCEPTIONS = {
    # timestamps in tp.toml are parsed as the reports write them
    "config": {"autograder.render.formats"},
    # the check library hands its authors the grader's device choice (select_device)
    "checks": {"autograder.sandbox.device"},
    # git blobs are read into grader-owned temp folders that the workspace sweeps after a kill -9
    "intake": {"autograder.sandbox.workspace"},
    # the instructor-facing views: a margin report and a class's results on the terminal
    "render": {"autograder.prove.margins", "autograder.classroom.class_result", "autograder.classroom.gradebook"},
    # the capabilities probe asks the kernel-side confinement code what this Linux supports
    "sandbox": {"autograder.kernel_side.confine"},
}


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "templates" not in p.parts)


def part(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imports(path: Path) -> list[str]:
    """Every module an import statement of `path` names, at any depth (lazy imports too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found += [f"{node.module}.{a.name}" for a in node.names]
    return found


def package_part(name: str) -> str | None:
    bits = name.split(".")
    if bits[0] != "autograder":
        return None
    return bits[1] if len(bits) > 1 else "autograder"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_module_imports_only_the_stages_below_it(path):
    here = part(path)
    allowed = ALLOWED.get(here, set()) if here != "__init__" else set()
    if allowed is None:
        return
    wrong = set()
    for name in imports(path):
        other = package_part(name)
        if other is None or other == here or other == "__version__":
            continue
        if other in allowed or any(name == m or name.startswith(m + ".") for m in EXCEPTIONS.get(here, ())):
            continue
        wrong.add(name)
    assert not wrong, f"{path.relative_to(PACKAGE)} ({here}) imports {sorted(wrong)}"


def test_every_part_has_a_place_in_the_layering():
    assert {part(p) for p in modules()} - {"__init__"} <= set(ALLOWED)


def test_kernel_side_is_stdlib_only():
    """Code for the hostile process imports only the standard library when it loads (what the
    kernel has, ipykernel, numpy or torch, only inside functions), and never the grader."""
    for path in (PACKAGE / "kernel_side").glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.Import, ast.ImportFrom)) and getattr(node, "module", "") != "__future__":
                for name in [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]:
                    assert name.split(".")[0] in sys.stdlib_module_names, f"{path.name} imports {name}"
        assert not any(package_part(n) for n in imports(path)), f"{path.name} imports the grader"


def test_only_the_cli_parses_arguments():
    """Every command-line option lives in cli.py (the benches and tests have their own)."""
    users = {str(p.relative_to(PACKAGE)) for p in modules() if "argparse" in imports(p)}
    assert users == {"cli.py"}


def test_the_check_library_never_reaches_the_grading_or_the_kernel_launch():
    for path in (PACKAGE / "checks").glob("*.py"):
        for name in imports(path):
            if package_part(name) == "sandbox":
                assert name.startswith("autograder.sandbox.device"), f"checks/{path.name} imports {name}"
            assert package_part(name) not in ("grading", "classroom", "release", "prove", "cli"), (
                f"checks/{path.name} imports {name}"
            )


def test_no_stage_module_is_a_shim():
    """A moved module left no re-exporting stub at the top level."""
    top = {p.stem for p in PACKAGE.glob("*.py")}
    assert top <= {"__init__", "__main__", "cli", "config", "course", "errors", "results", "secret", "demo"}, top


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def test_no_import_cycle_at_load_time():
    """Module-level imports form no cycle (imports inside functions are how a module reaches
    up, e.g. checks' margins recorder, without one)."""
    names = {module_name(p): p for p in modules()}
    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        deps = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                cands = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                cands = [a.name for a in node.names]
            else:
                continue
            deps |= {c for c in cands if c in names and c != name}
        graph[name] = deps
    state: dict[str, int] = {}

    def visit(n: str, stack: list[str]) -> None:
        state[n] = 1
        for d in sorted(graph[n]):
            if state.get(d) == 1:
                pytest.fail("import cycle: " + " -> ".join(stack[stack.index(d):] + [d]) if d in stack else d)
            if d not in state:
                visit(d, stack + [d])
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n, [n])


def test_check_files_import_only_the_check_library():
    """A TP's checks (source/<tp>/checks, docs/example) reach the grader through
    autograder.checks alone, so the grader's stages can move without touching a TP."""
    root = PACKAGE.parent
    for path in sorted([*root.glob("source/*/checks/**/*.py"), *root.glob("docs/example/*/checks/**/*.py")]):
        for name in imports(path):
            if package_part(name):
                assert name.startswith("autograder.checks"), f"{path.relative_to(root)} imports {name}"
