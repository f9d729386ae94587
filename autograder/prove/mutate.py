"""Mutants of a solution's answer cells: small wrong answers the checks should all catch.

The operators are cosmic-ray's (a maintained mutation-testing library whose `mutate_code`
turns one source string into another, one occurrence of one operator at a time), narrowed
to those that make meaningful numerical mistakes, plus a few it lacks that deep-learning
answers get wrong: `@` read as `*`, a dropped or swapped statement, a value detached from
the autograd graph. Each mutant has a stable id, `<grade_id>:<operator>@<line>:<col>`
(`#k` for the k-th mutation at the same place), so a TP can declare equivalent mutants.
"""

from __future__ import annotations

import difflib
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import parso
import parso.python.tree as pt
from cosmic_ray.ast import ast_nodes, get_ast
from cosmic_ray.mutating import mutate_code
from cosmic_ray.operators.operator import Example, Operator
from cosmic_ray.plugins import get_operator

# Arithmetic is where answers go wrong; bitwise/shift targets only crash on floats (an
# easy catch that would inflate the score), `is` comparisons are not numerical mistakes.
_ARITH = ("Add", "Sub", "Mul", "Div", "FloorDiv", "Pow")
_COMPARE = ("Eq", "NotEq", "Lt", "LtE", "Gt", "GtE")
LIBRARY_OPERATORS: tuple[str, ...] = (
    *(f"ReplaceBinaryOperator_{a}_{b}" for a in _ARITH for b in _ARITH if a != b),
    *(f"ReplaceComparisonOperator_{a}_{b}" for a in _COMPARE for b in _COMPARE if a != b),
    "ReplaceUnaryOperator_Delete_USub",
    "ReplaceUnaryOperator_Delete_Not",
    "AddNot",
    "ReplaceTrueWithFalse",
    "ReplaceFalseWithTrue",
    "ReplaceAndWithOr",
    "ReplaceOrWithAnd",
    "ReplaceBreakWithContinue",
    "ReplaceContinueWithBreak",
    "NumberReplacer",  # constants, axes and indices, +1 / -1
    "RemoveDecorator",  # @torch.no_grad() forgotten
    "ZeroIterationForLoop",
)


def _is_docstring_or_trivial(stmt: pt.BaseNode | pt.Leaf) -> bool:
    first = stmt.children[0] if isinstance(stmt, pt.BaseNode) else stmt
    return first.type in ("string", "import_name", "import_from") or (
        first.type == "keyword" and first.value in ("pass", "global", "nonlocal")
    )


def _replaceable_statements(node) -> list:
    """The simple statements of a block (a suite or the cell), docstrings and imports aside."""
    if node.type not in ("suite", "file_input"):
        return []
    return [c for c in node.children if c.type == "simple_stmt" and not _is_docstring_or_trivial(c)]


def _pass_like(stmt):
    """`pass` in place of `stmt`, keeping its indentation and newline."""
    new = parso.parse("pass\n").children[0]
    new.children[0].prefix = stmt.get_first_leaf().prefix
    return new


class ReplaceMatMulWithMul(Operator):
    """`A @ B` written `A * B`: an element-wise product where a matrix product was meant."""

    def mutation_positions(self, node):
        if isinstance(node, pt.Operator) and node.value == "@" and node.parent.type == "term":
            yield (node.start_pos, node.end_pos)

    def mutate(self, node, index):
        node.value = "*"
        return node

    @classmethod
    def examples(cls):
        return (Example("y = x @ w", "y = x * w"),)


class DropStatement(Operator):
    """A statement left out (a step of an update, a normalisation, an accumulation)."""

    def mutation_positions(self, node):
        for stmt in _replaceable_statements(node):
            yield (stmt.start_pos, stmt.end_pos)

    def mutate(self, node, index):
        stmt = _replaceable_statements(node)[index]
        node.children[node.children.index(stmt)] = _pass_like(stmt)
        return node

    @classmethod
    def examples(cls):
        return (Example("x = 1\ny = 2\n", "pass\ny = 2\n"),)


class SwapStatements(Operator):
    """Two neighbouring statements in the wrong order (zero_grad after backward, update before use)."""

    @staticmethod
    def _pairs(node) -> list[tuple[int, int]]:
        if node.type not in ("suite", "file_input"):
            return []
        kids = node.children
        return [
            (i, i + 1) for i in range(len(kids) - 1)
            if kids[i].type == "simple_stmt" and kids[i + 1].type == "simple_stmt"
            and not _is_docstring_or_trivial(kids[i]) and not _is_docstring_or_trivial(kids[i + 1])
        ]

    def mutation_positions(self, node):
        for i, _ in self._pairs(node):
            yield (node.children[i].start_pos, node.children[i + 1].end_pos)

    def mutate(self, node, index):
        i, j = self._pairs(node)[index]
        a, b = node.children[i], node.children[j]
        pa, pb = a.get_first_leaf().prefix, b.get_first_leaf().prefix
        a.get_first_leaf().prefix, b.get_first_leaf().prefix = pb, pa
        node.children[i], node.children[j] = b, a
        return node

    @classmethod
    def examples(cls):
        return (Example("x = 1\ny = 2\n", "y = 2\nx = 1\n"),)


class DetachValue(Operator):
    """A value cut from the autograd graph: `return (expr).detach()`, `v = (expr).detach()`."""

    @staticmethod
    def _value(node):
        if node.type == "return_stmt" and len(node.children) == 2:
            return node.children[1]
        if node.type == "expr_stmt" and len(node.children) == 3 and node.children[1].type == "operator" \
                and node.children[1].value == "=":
            return node.children[2]
        return None

    def mutation_positions(self, node):
        value = self._value(node)
        if value is not None and value.type not in ("number", "string", "keyword", "testlist", "testlist_star_expr"):
            yield (value.start_pos, value.end_pos)

    def mutate(self, node, index):
        value = self._value(node)
        prefix = value.get_first_leaf().prefix
        new = parso.parse(f"({value.get_code(include_prefix=False)}).detach()", error_recovery=False).children[0]
        new.get_first_leaf().prefix = prefix
        node.children[node.children.index(value)] = new
        return node

    @classmethod
    def examples(cls):
        return (Example("y = x * 2", "y = (x * 2).detach()"),)


#: The domain operators, by the name a mutant id carries.
DOMAIN_OPERATORS: dict[str, type[Operator]] = {
    "ReplaceMatMulWithMul": ReplaceMatMulWithMul,
    "DropStatement": DropStatement,
    "SwapStatements": SwapStatements,
    "DetachValue": DetachValue,
}


def operator_set(*, torch_cell: bool) -> list[tuple[str, Operator]]:
    """(short name, operator instance) in a fixed order; DetachValue only where torch is used."""
    ops: list[tuple[str, Operator]] = [
        (name.removeprefix("Replace").replace("Operator_", "_"), get_operator(f"core/{name}")())
        for name in LIBRARY_OPERATORS
    ]
    for name, cls in DOMAIN_OPERATORS.items():
        if name == "DetachValue" and not torch_cell:
            continue
        ops.append((name, cls()))
    return ops


@dataclass(frozen=True)
class Mutant:
    """One mutation of one answer cell."""

    id: str  # "<grade_id>:<operator>@<line>:<col>[#k]", stable while the cell is unchanged
    grade_id: str
    operator: str
    line: int  # 1-based, in the cell
    col: int  # 0-based
    source: str  # the whole mutated cell
    diff: str  # the changed lines, unified-diff style without headers


def line_diff(before: str, after: str) -> str:
    """The lines that differ, as `-old` / `+new` with one line of context (no file headers)."""
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=1)
    return "\n".join(x for x in lines if not x.startswith(("---", "+++", "@@")))


def _positions(tree, op: Operator) -> Iterator[tuple[int, int]]:
    for node in ast_nodes(tree):
        for (start, _end) in op.mutation_positions(node):
            yield start


def cell_mutants(grade_id: str, source: str) -> list[Mutant]:
    """Every mutant of one answer cell, in a fixed order (operators, then positions).

    A cell parso cannot read (IPython magics) gives none; a mutation that changes nothing,
    or repeats an earlier mutant's code, is left out.
    """
    try:
        compile(source, grade_id, "exec")
        tree = get_ast(source)
    except SyntaxError:
        return []
    out: list[Mutant] = []
    seen = {source}
    for short, op in operator_set(torch_cell="torch" in source):
        counts: dict[tuple[int, int], int] = {}
        for occurrence, (line, col) in enumerate(list(_positions(tree, op))):
            k = counts.get((line, col), 0)
            counts[(line, col)] = k + 1
            mutated = mutate_code(source, op, occurrence)
            if mutated is None or mutated in seen:
                continue
            seen.add(mutated)
            mid = f"{grade_id}:{short}@{line}:{col}" + (f"#{k}" if k else "")
            out.append(Mutant(mid, grade_id, short, line, col, mutated, line_diff(source, mutated)))
    return out


def all_mutants(cells: Iterable[tuple[str, str]]) -> list[Mutant]:
    """Mutants of every (grade_id, source) answer cell, cell by cell."""
    return [m for gid, src in cells for m in cell_mutants(gid, src)]


def sample(mutants: Sequence[Mutant], k: int, seed: int) -> list[Mutant]:
    """k mutants drawn without replacement by a seeded generator (all when k <= 0 or k >= n),
    spread over the answer cells: each cell gets k / cells of them (what a small cell cannot
    fill goes to the others), so that a long cell never takes the whole sample and leaves an
    item unmutated. In their original order: the same seed and cells give the same sample."""
    if k <= 0 or k >= len(mutants):
        return list(mutants)
    rnd = random.Random(seed)
    by_cell: dict[str, list[int]] = {}
    for i, m in enumerate(mutants):
        by_cell.setdefault(m.grade_id, []).append(i)
    share = dict.fromkeys(by_cell, 0)
    left = k
    while left:
        open_cells = [g for g in by_cell if share[g] < len(by_cell[g])]
        if left >= len(open_cells):
            for g in open_cells:
                share[g] += 1
            left -= len(open_cells)
        else:  # the remainder goes to cells drawn by the same generator
            for g in rnd.sample(open_cells, left):
                share[g] += 1
            left = 0
    chosen = {i for g, idx in by_cell.items() for i in rnd.sample(idx, share[g])}
    return [m for i, m in enumerate(mutants) if i in chosen]
