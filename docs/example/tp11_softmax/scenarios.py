"""The proof of tp11_softmax: the solution earns full marks (8 points), the release 0, and each
answer below is graded as declared, or `autograder release tp11_softmax` refuses.

Wrong answers are written as a change to the solution (`edit`): the change is the fault."""

from autograder.prove import Correct, Scenario, edit, solution_cell

SOFTMAX = solution_cell(__file__, "softmax")
ENTROPIE = solution_cell(__file__, "entropie")

SCENARIOS: dict[str, Scenario] = {
    "softmax-over-columns": Scenario(
        grade_id="softmax",
        source=edit(SOFTMAX, ("Z.max(axis=1, keepdims=True)", "Z.max(axis=0)"), ("E.sum(axis=1, keepdims=True)", "E.sum(axis=0)")),
        must_fail=("test_softmax_exemple", "test_softmax_lignes_non_carrees", "test_softmax_grands_logits"),
        message_contains=("axis=1",),
    ),
    "softmax-unstable": Scenario(
        grade_id="softmax",
        source=edit(SOFTMAX, ("np.exp(Z - Z.max(axis=1, keepdims=True))", "np.exp(Z)")),
        must_fail=("test_softmax_grands_logits",),
        message_contains=("soustrayez le maximum",),
    ),
    "softmax-in-place": Scenario(
        grade_id="softmax",
        source=edit(SOFTMAX, ("    E = np.exp(Z - Z.max(axis=1, keepdims=True))", "    Z -= Z.max(axis=1, keepdims=True)\n    E = np.exp(Z)")),
        must_fail=("test_softmax_ne_modifie_pas_Z",),
        message_contains=("travaillez sur une copie",),
    ),
    "entropie-sum-not-mean": Scenario(
        grade_id="entropie",
        source=edit(ENTROPIE, ("np.mean", "np.sum")),
        must_fail=("test_entropie_exemple", "test_entropie_moyenne"),
        message_contains=("la moyenne",),
    ),
    "entropie-whole-columns": Scenario(
        grade_id="entropie",
        source=edit(ENTROPIE, ("P[np.arange(len(y)), y]", "P[:, y]")),
        must_fail=("test_entropie_exemple", "test_entropie_moyenne"),
        message_contains=("P[i, y[i]]",),
    ),
}

GROUPS: dict[str, tuple[str, ...]] = {
    "columns+sum": ("softmax-over-columns", "entropie-sum-not-mean"),
    "unstable+columns": ("softmax-unstable", "entropie-whole-columns"),
    "in-place": ("softmax-in-place",),
}

# Correct variants differ from the solution in more than a line: written whole.
CORRECT: dict[str, Correct] = {
    "softmax-loops": Correct(
        grade_id="softmax",
        source='''def softmax(Z):
    sortie = []
    for ligne in Z:
        e = np.exp(ligne - np.max(ligne))
        sortie.append(e / np.sum(e))
    return np.array(sortie)
''',
        why="a loop over rows",
    ),
    "softmax-logsumexp": Correct(
        grade_id="softmax",
        source='''def softmax(Z):
    m = Z.max(axis=1, keepdims=True)
    lse = m + np.log(np.exp(Z - m).sum(axis=1, keepdims=True))
    print("lse", lse.shape)
    return np.exp(Z - lse)
''',
        why="log-sum-exp, and a print in the cell",
    ),
    "entropie-guarded-loop": Correct(
        grade_id="entropie",
        source='''def entropie_croisee(P, y):
    total = 0.0
    for i in range(len(y)):
        total += -np.log(P[i, y[i]] + 1e-12)
    return total / len(y)
''',
        why="a loop and a guarded log",
    ),
}

CORRECT_GROUPS: dict[str, tuple[str, ...]] = {
    "loops": ("softmax-loops", "entropie-guarded-loop"),
    "logsumexp": ("softmax-logsumexp",),
}

EQUIVALENT: dict[str, str] = {}
