"""TP01's code shared by its public and hidden checks."""

from __future__ import annotations

from autograder.checks import LibraryGuard, StudentError, kernel_side, notebook_data_reads

# Questions 1 and 8 ask for gradients computed by hand ("Calculez ∇f à la main",
# "Rétropropagation à la main", a TP "en NumPy et sans framework"): PyTorch's autograd is
# switched off while the grader calls grad_f and backward (blind answers: x.grad of a
# .backward(), returned as .numpy(); a forward rebuilt in torch and its .grad). Every reverse- or
# forward-mode entry point a student reaches: Tensor.backward, torch.autograd.backward / grad
# (which torch.autograd.functional and torch.func call in turn), and their own names.
GUARD = LibraryGuard(
    helper="_tp01_sans_autograd",
    marker="TP01_AUTOGRAD_INTERDIT",
    targets=(
        ("torch.Tensor.backward", "Tensor.backward"),
        "torch.autograd.backward",
        "torch.autograd.grad",
        *(f"torch.autograd.functional.{f}" for f in ("jacobian", "hessian", "vjp", "jvp", "vhp", "hvp")),
        *(f"torch.func.{f}" for f in ("grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian")),
    ),
    hint_fr="l'énoncé demande un gradient calculé à la main (TP « en NumPy et sans framework ») : "
    "écrivez ses formules avec NumPy (les dérivées, la règle de la chaîne du cours), sans "
    "l'autograd de PyTorch ; le correcteur désactive Tensor.backward, torch.autograd et "
    "torch.func pendant qu'il appelle votre fonction",
    hint_en="the statement asks for a gradient computed by hand (a TP \"in NumPy, without a "
    "framework\"): write its formulas with NumPy (the derivatives, the course's chain rule), "
    "without PyTorch's autograd; the grader switches Tensor.backward, torch.autograd and "
    "torch.func off while it calls your function",
)


@kernel_side
def returned_type(fn, *args):
    """The module-qualified type of what fn(*args) returns, read in the kernel (a torch tensor
    travels back to the grader as an array)."""
    out = fn(*args)
    return f"{type(out).__module__}.{type(out).__qualname__}"

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
    from autograder.checks import SHAPE_ERRORS, CheckFailed, sizes_hidden

    try:
        return submission.call(name, *args)
    except StudentError as exc:
        # In a hidden check the error is shown without its sizes, those of the grader's hidden
        # inputs (`sizes_hidden`; a public check keeps them); the hint reads them first.
        shown = sizes_hidden(exc)
        if exc.ename not in SHAPE_ERRORS:
            raise shown from None
        fr, en = keepdims_hint(exc) or data_globals_hint(submission, name) or hint
        raise CheckFailed(f"{shown.message.fr} ; {fr}", f"{shown.message.en}; {en}") from None


#: Float32 rounding: a product of a few dozen terms of order 1 is known to ~1e-6 of its scale.
F32_RTOL, F32_ATOL = 1e-4, 1e-5


def float32_tolerances(expected) -> dict:
    """`rtol`/`atol` for a float32 answer compared with float64 `expected` (atol at its scale)."""
    import numpy as np

    expected = np.asarray(expected)
    scale = max(1.0, float(np.abs(expected).max())) if expected.size else 1.0
    return {"rtol": F32_RTOL, "atol": F32_ATOL * scale}

PRECISION_FR = (
    "précision (float32 ?) : votre résultat n'est faux qu'à l'arrondi d'un calcul en simple "
    "précision près ; calculez en float64 (np.float64, le type par défaut de NumPy)"
)
PRECISION_EN = (
    "precision (float32?): your result is off only by the rounding of a single-precision "
    "computation; compute in float64 (np.float64, NumPy's default type)"
)


def assert_close_float32_aware(got, expected, *, name: str, rtol: float = 1e-5, atol: float = 1e-8,
                               hint_fr: str = "", hint_en: str = "") -> None:
    """`assert_close` at float64 tolerances, except that a float32 (or float16) result is held
    to float32 ones (the statement never asks for float64 in NumPy), and that a float64 result
    right to float32 rounding only is told "précision (float32 ?)", not a wrong formula (its
    premise: it passes at float32 tolerances)."""
    import numpy as np

    from autograder.checks import as_array, assert_close

    expected = np.asarray(expected, dtype=np.float64)
    raw = as_array(got, name, shape=expected.shape, dtype=None, allow_nan=True)
    loose = float32_tolerances(expected)
    if raw.dtype.kind == "f" and raw.dtype.itemsize < 8:
        assert_close(raw, expected, name=name, hint_fr=hint_fr, hint_en=hint_en, **loose)
        return
    x = raw.astype(np.float64)
    if (
        x.shape == expected.shape and np.all(np.isfinite(x))
        and not np.allclose(x, expected, rtol=rtol, atol=atol)
        and np.allclose(x, expected, **loose)
    ):
        hint_fr, hint_en = PRECISION_FR, PRECISION_EN
    assert_close(x, expected, name=name, rtol=rtol, atol=atol, hint_fr=hint_fr, hint_en=hint_en)


def keepdims_hint(exc) -> tuple[str, str] | None:
    """(fr, en) when the student's error is NumPy's broadcast of an (N, C) array with an (N,)
    one (its premise, read from the error's text): a row reduction (max, sum over axis=1)
    without keepdims=True, subtracted or divided row by row. None otherwise."""
    import re

    text = f"{getattr(exc, 'evalue', '')} {getattr(exc.message, 'en', '')}"
    m = re.search(r"broadcast together with shapes \((\d+),\s*(\d+)\)\s*\((\d+),\)", text)
    m2 = re.search(r"broadcast together with shapes \((\d+),\)\s*\((\d+),\s*(\d+)\)", text)
    if not ((m and m.group(1) == m.group(3)) or (m2 and m2.group(1) == m2.group(2))):
        return None
    return (
        "une réduction par ligne (max ou somme sur axis=1) a la forme (N,) et ne se retranche pas "
        "ligne par ligne d'un tableau (N, C) : gardez l'axe, logits.max(axis=1, keepdims=True)",
        "a row reduction (max or sum over axis=1) has shape (N,) and is not subtracted row by row "
        "from an (N, C) array: keep the axis, logits.max(axis=1, keepdims=True)",
    )


#: np.asarray(v, dtype=float) is no copy of an array already of floats: a frequent premise of an
#: in-place write ("je travaille sur une copie").
ASARRAY_FR = "np.asarray(…, dtype=float) ne copie pas un tableau déjà en flottants"
ASARRAY_EN = "np.asarray(..., dtype=float) does not copy an array already of floats"


def missing_key_hint(exc, given: dict[str, tuple[str, ...]]) -> tuple[str, str] | None:
    """(fr, en) when the student's error is a KeyError on a key that none of the dictionaries
    the grader passed holds (`given`: argument name → its keys), the premise read from the
    error's text (blind answer: a forward that also stores X in its cache, and a backward that
    reads cache["X"] instead of its argument X; the grader passes the statement's cache, Z1 and
    A1 only). None otherwise. The key shown is the student's own string."""
    import re

    if getattr(exc, "ename", "") != "KeyError":
        return None
    m = re.fullmatch(r"""\s*(['"])(.{1,40})\1\s*""", str(getattr(exc, "evalue", "")))
    if not m:
        return None
    key = m.group(2)
    if any(key in keys for keys in given.values()):
        return None
    listed_fr = " ; ".join(f"{name} : {', '.join(keys)}" for name, keys in given.items())
    listed_en = "; ".join(f"{name}: {', '.join(keys)}" for name, keys in given.items())
    return (
        f"la clé '{key}' n'est dans aucun des dictionnaires que reçoit votre fonction ({listed_fr}) : "
        "le cache est celui de l'énoncé, {\"Z1\": Z1, \"A1\": A1}, sans ce que votre propre forward "
        "y range en plus ; ce qui n'y est pas (X, y, probs) se lit sur les arguments de la fonction",
        f"the key '{key}' is in none of the dictionaries your function receives ({listed_en}): the "
        "cache is the statement's, {\"Z1\": Z1, \"A1\": A1}, without what your own forward adds to "
        "it; what is not in it (X, y, probs) is read from the function's arguments",
    )


#: The dictionaries backward receives, by the statement: cache = {"Z1", "A1"}, params.
BACKWARD_DICTS = {"cache": ("Z1", "A1"), "params": ("W1", "b1", "W2", "b2")}
