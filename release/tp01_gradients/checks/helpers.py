"""TP01's code shared by its public and hidden checks."""

from __future__ import annotations

from autograder.checks import StudentError, notebook_data_reads

# The grader's forward, loss and backward: `entrainer` is graded with these in place of the
# student's (graded in their own items), so that a mistake there costs points once.
MLP_REFERENCES = {
    "forward": """
def forward(X, params):
    import numpy as np
    Z1 = X @ params["W1"] + params["b1"]
    A1 = np.maximum(Z1, 0.0)
    return A1 @ params["W2"] + params["b2"], {"Z1": Z1, "A1": A1}
""",
    "softmax_cross_entropy": """
def softmax_cross_entropy(logits, y):
    import numpy as np
    N = logits.shape[0]
    decales = logits - logits.max(axis=1, keepdims=True)
    log_probs = decales - np.log(np.exp(decales).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(N), y].mean()), np.exp(log_probs)
""",
    "backward": """
def backward(X, y, params, cache, probs):
    import numpy as np
    N = X.shape[0]
    Y = np.zeros_like(probs)
    Y[np.arange(N), y] = 1.0
    dZ2 = (probs - Y) / N
    dZ1 = (dZ2 @ params["W2"].T) * (cache["Z1"] > 0)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": cache["A1"].T @ dZ2, "b2": dZ2.sum(axis=0)}
""",
}


def data_globals_hint(submission, name: str) -> tuple[str, str] | None:
    """(fr, en) naming the notebook variables holding data (an array, a dict or list of
    arrays) that `name` reads instead of its arguments (the statement: no dependence on the
    notebook's variables), or None when it reads none (the hint's premise)."""
    reads = notebook_data_reads(submission, name)
    if not reads:
        return None
    listed = ", ".join(reads.variables[:4])
    return (
        f"{name} lit la ou les variables du notebook {listed} au lieu de ses arguments : une "
        "fonction ne travaille que sur ce qu'elle reçoit (la correction l'appelle sur ses propres entrées)",
        f"{name} reads the notebook variable(s) {listed} instead of its arguments: a function "
        "works only on what it receives (the grader calls it on its own inputs)",
    )


def shared_rows_hint(got, expected) -> tuple[str, str] | None:
    """(fr, en) when the rows of a trajectory, from some row on, all equal its last point while
    the right trajectory moves there (its premise): one array appended at every step, then
    modified in place (x -= ...), so that every row shows its final value. None otherwise."""
    import numpy as np

    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if got.shape != expected.shape or got.ndim != 2 or len(got) < 3:
        return None
    with np.errstate(invalid="ignore", over="ignore"):
        same = [bool(np.allclose(row, got[-1], rtol=0.0, atol=0.0, equal_nan=True)) for row in got]
    first = len(same)
    while first > 0 and same[first - 1]:
        first -= 1
    if first > len(got) - 3 or np.allclose(expected[first:], expected[-1], equal_nan=True):
        return None
    fr = (
        f"les lignes {first} à {len(got) - 1} de la trajectoire sont toutes identiques à la "
        "dernière : vous ajoutez le MÊME tableau x à chaque pas, puis le modifiez sur place "
        "(x -= …) ; ajoutez une copie (trajectoire.append(x.copy())) ou écrivez "
        "x = x − lr * grad(x), qui crée un nouveau tableau"
    )
    en = (
        f"rows {first} to {len(got) - 1} of the trajectory are all equal to the last one: you "
        "append the SAME array x at every step, then modify it in place (x -= ...); append a "
        "copy (trajectoire.append(x.copy())) or write x = x − lr * grad(x), which creates a new array"
    )
    if first == 0:
        fr += " ; x = x0 sans copie modifie aussi le x0 reçu : partez de x = np.array(x0, dtype=float)"
        en += "; x = x0 without a copy also modifies the x0 received: start from x = np.array(x0, dtype=float)"
    return fr, en


def call_hinted(submission, name: str, *args, hint: tuple[str, str]):
    """`call_with_hint`, the hint naming the notebook variables `name` reads instead of its
    arguments when it reads any (their shapes are the notebook's, hence the error), `hint`
    otherwise."""
    from autograder.checks import SHAPE_ERRORS, CheckFailed

    try:
        return submission.call(name, *args)
    except StudentError as exc:
        if exc.ename not in SHAPE_ERRORS:
            raise
        fr, en = data_globals_hint(submission, name) or hint
        raise CheckFailed(f"{exc.message.fr} ; {fr}", f"{exc.message.en}; {en}") from None
