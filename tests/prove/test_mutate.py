"""mutate: cosmic-ray's operators and the domain ones on answer-cell sources, stable ids,
reproducible samples."""

from __future__ import annotations

from autograder.prove.mutate import all_mutants, cell_mutants, line_diff, sample

CELL = '''def forward(X, W, b):
    """Couche dense puis ReLU."""
    import torch
    Z = X @ W + b
    A = torch.relu(Z)
    A = A / A.sum(dim=-1, keepdim=True)
    return A
'''


def by_operator(grade_id: str, source: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in cell_mutants(grade_id, source):
        out.setdefault(m.operator, []).append(m.diff)
    return out


def test_library_and_domain_operators_make_the_mistakes_students_make():
    ops = by_operator("forward", CELL)
    assert any("-    Z = X @ W + b\n+    Z = X @ W - b" in d for d in ops["Binary_Add_Sub"])
    assert any("-    Z = X @ W + b\n+    Z = X * W + b" in d for d in ops["ReplaceMatMulWithMul"])
    assert any("-    return A\n+    return (A).detach()" in d for d in ops["DetachValue"])
    assert any("-    A = torch.relu(Z)\n+    pass" in d for d in ops["DropStatement"])
    assert any("keepdim=False" in d for d in ops["TrueWithFalse"])
    assert any("dim=- 2" in d or "dim=1" in d for d in ops["NumberReplacer"] + ops["Unary_Delete_USub"])
    swapped = ops["SwapStatements"]
    assert any("    A = torch.relu(Z)\n    Z = X @ W + b\n" in m.source
               for m in cell_mutants("forward", CELL) if m.operator == "SwapStatements")
    # the docstring and the import are never dropped or swapped
    assert not any(("-" + '    """Couche') in d or "-    import torch" in d for d in ops["DropStatement"] + swapped)


def test_every_mutant_differs_compiles_and_has_a_stable_unique_id():
    first = cell_mutants("forward", CELL)
    again = cell_mutants("forward", CELL)
    assert [m.id for m in first] == [m.id for m in again]
    assert len({m.id for m in first}) == len(first) == len({m.source for m in first})
    for m in first:
        assert m.source != CELL and m.id.startswith(f"forward:{m.operator}@{m.line}:{m.col}")
        assert m.diff == line_diff(CELL, m.source)
        compile(m.source, m.id, "exec")
    numbers = [m.id for m in first if m.operator == "NumberReplacer"]
    assert any(i.endswith("#1") for i in numbers)  # +1 and -1 at one place: two ids


def test_numpy_cells_get_no_detach_and_magics_give_no_mutant():
    assert "DetachValue" not in by_operator("np", "def f(x):\n    return np.sum(x) + 1\n")
    assert cell_mutants("magic", "%matplotlib inline\nx = 1 + 2\n") == []


def test_a_sample_is_reproducible_from_its_seed_and_zero_means_all():
    mutants = all_mutants([("forward", CELL), ("g", "def g(a):\n    return 2 * a - 1\n")])
    a, b, c = sample(mutants, 7, 0), sample(mutants, 7, 0), sample(mutants, 7, 1)
    assert [m.id for m in a] == [m.id for m in b] and len(a) == 7
    assert [m.id for m in a] != [m.id for m in c]
    assert sample(mutants, 0, 0) == mutants == sample(mutants, len(mutants) + 5, 3)


def test_a_sample_spreads_over_the_cells_so_a_long_cell_does_not_take_it_all():
    """A TP author's report: 20 mutants drawn over a whole TP were 17 of its backward and none
    of its model. Each cell gets its share; what a small cell cannot fill goes to the others."""
    long_cell = "def f(x, y):\n" + "".join(f"    x = x * {i} + y - {i}\n" for i in range(2, 12)) + "    return x\n"
    mutants = all_mutants([("long", long_cell), ("small", "def g(a):\n    return 2 * a - 1\n"),
                           ("tiny", "def h(b):\n    return b + 1\n")])
    cells = {m.grade_id for m in mutants}
    tiny = sum(m.grade_id == "tiny" for m in mutants)
    for seed in range(5):
        drawn = sample(mutants, 9, seed)
        assert len(drawn) == 9 and {m.grade_id for m in drawn} == cells
        assert sum(m.grade_id == "tiny" for m in drawn) == min(3, tiny)
        assert drawn == [m for m in mutants if m in drawn]  # the original order
    big = sample(mutants, 3 * tiny + 2, 0)
    assert sum(m.grade_id == "tiny" for m in big) == tiny  # filled: the rest went elsewhere
    assert len(big) == 3 * tiny + 2
