"""The proof of tp11_softmax: the solution earns full marks (8 points), the release 0, and each
answer below is graded as declared, or `autograder release tp11_softmax` refuses."""

from autograder.prove import Correct, Scenario

SOFTMAX = '''def softmax(Z):
    """Probabilités de chaque ligne de Z (n, k) ; stable pour de grands logits."""
{body}
'''
ENTROPIE = '''def entropie_croisee(P, y):
    """Moyenne sur les exemples de -log P[i, y[i]] (P : (n, k), y : (n,) entiers)."""
{body}
'''

SCENARIOS: dict[str, Scenario] = {
    "softmax-over-columns": Scenario(
        grade_id="softmax",
        source=SOFTMAX.format(body="    E = np.exp(Z - Z.max(axis=0))\n    return E / E.sum(axis=0)"),
        must_fail=("test_softmax_exemple", "test_softmax_lignes_non_carrees", "test_softmax_grands_logits"),
        message_contains=("axis=1",),
    ),
    "softmax-unstable": Scenario(
        grade_id="softmax",
        source=SOFTMAX.format(body="    E = np.exp(Z)\n    return E / E.sum(axis=1, keepdims=True)"),
        must_fail=("test_softmax_grands_logits",),
        message_contains=("soustrayez le maximum",),
    ),
    "softmax-in-place": Scenario(
        grade_id="softmax",
        source=SOFTMAX.format(body="    Z -= Z.max(axis=1, keepdims=True)\n    np.exp(Z, out=Z)\n    Z /= Z.sum(axis=1, keepdims=True)\n    return Z"),
        must_fail=("test_softmax_ne_modifie_pas_Z",),
        message_contains=("travaillez sur une copie",),
    ),
    "entropie-sum-not-mean": Scenario(
        grade_id="entropie",
        source=ENTROPIE.format(body="    return float(-np.sum(np.log(P[np.arange(len(y)), y])))"),
        must_fail=("test_entropie_exemple", "test_entropie_moyenne"),
        message_contains=("la moyenne",),
    ),
    "entropie-whole-columns": Scenario(
        grade_id="entropie",
        source=ENTROPIE.format(body="    return float(-np.mean(np.log(P[:, y])))"),
        must_fail=("test_entropie_exemple", "test_entropie_moyenne"),
        message_contains=("P[i, y[i]]",),
    ),
}

GROUPS: dict[str, tuple[str, ...]] = {
    "columns+sum": ("softmax-over-columns", "entropie-sum-not-mean"),
    "unstable+columns": ("softmax-unstable", "entropie-whole-columns"),
    "in-place": ("softmax-in-place",),
}

CORRECT: dict[str, Correct] = {
    "softmax-loops": Correct(
        grade_id="softmax",
        source=SOFTMAX.format(body=(
            "    sortie = []\n    for ligne in Z:\n        e = np.exp((ligne - np.max(ligne)).astype(np.float64))\n"
            "        sortie.append(e / np.sum(e))\n    return np.array(sortie)"
        )),
        why="a loop over rows",
    ),
    "softmax-logsumexp": Correct(
        grade_id="softmax",
        source=SOFTMAX.format(body=(
            "    m = Z.max(axis=1, keepdims=True)\n    lse = m + np.log(np.exp(Z - m).sum(axis=1, keepdims=True))\n"
            "    print('lse', lse.shape)\n    return np.exp(Z - lse)"
        )),
        why="log-sum-exp, and a print in the cell",
    ),
    "entropie-guarded-loop": Correct(
        grade_id="entropie",
        source=ENTROPIE.format(body=(
            "    total = 0.0\n    for i in range(len(y)):\n        total += -np.log(P[i, y[i]] + 1e-12)\n    return total / len(y)"
        )),
        why="a loop and a guarded log",
    ),
}

CORRECT_GROUPS: dict[str, tuple[str, ...]] = {
    "loops": ("softmax-loops", "entropie-guarded-loop"),
    "logsumexp": ("softmax-logsumexp",),
}

EQUIVALENT: dict[str, str] = {}
