"""Hidden checks, part 1: gradient by hand, gradient descent, learning rates, perceptron.

Inputs are drawn from the grader's `rng`; references are computed here (torch autograd in
float64 for the gradient), never in the kernel. Messages may show the random inputs.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from autograder.checks import (
    SHAPE_ERRORS,
    CheckFailed,
    Ref,
    StudentError,
    allclose,
    as_array,
    as_bool,
    as_float,
    assert_arguments_untouched,
    assert_close,
    changed_argument_names,
    kernel_side,
    record_margin,
    with_references,
)

from ..public.helpers import (
    ASARRAY_EN,
    ASARRAY_FR,
    GUARD,
    data_globals_hint,
    float32_tolerances,
    shared_rows_hint,
)

# ---------------------------------------------------------------- grad_f


def _grad_f_autograd(x: np.ndarray) -> np.ndarray:
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    (t[0] ** 2 + 3 * t[1] ** 2).backward()
    return t.grad.numpy().copy()


#: The notebook's f as the grader swaps it for one call of grad_f: f plus a linear term, whose
#: gradient differs from ∇f by (7, −4) at every point (an answer read from f cannot coincide).
_OTHER_F = """
def f(x):
    return x[0] ** 2 + 3 * x[1] ** 2 + 7.0 * x[0] - 4.0 * x[1]
"""


@pytest.mark.item("grad_f", points=1.5)
def test_grad_f_matches_autograd(submission, rng):
    for _ in range(4):
        x = rng.uniform(-3.0, 3.0, size=2)
        expected = _grad_f_autograd(x)
        # "Calculez ∇f à la main": PyTorch's autograd is switched off during the call.
        got = as_array(GUARD.call(submission, "grad_f", x), "grad_f(x) en un point du correcteur", shape=(2,))
        if allclose(got, expected):
            continue
        if allclose(got, -expected):
            hint_fr, hint_en = (
                "le signe est inversé : le gradient pointe vers la plus forte AUGMENTATION de f",
                "the sign is flipped: the gradient points towards the steepest INCREASE of f",
            )
        elif np.all(got == np.trunc(got)) and not np.all(expected == np.trunc(expected)):
            hint_fr, hint_en = (
                "votre résultat ne contient que des entiers : les valeurs sont tronquées (un "
                "tableau d'entiers, np.zeros(2, dtype=int), ou int(…)) ; renvoyez des flottants, "
                "np.array([2.0 * x[0], 6.0 * x[1]])",
                "your result holds integers only: the values are truncated (an integer array, "
                "np.zeros(2, dtype=int), or int(...)); return floats, np.array([2.0 * x[0], 6.0 * x[1]])",
            )
        elif np.all(np.abs(got - expected) <= 5e-3 * np.abs(expected) + 5e-3):
            # Its premise: every entry within 0.5 % (+ 5e-3) of ∇f, beyond 1e-5: the rounding of
            # a float16 computation (~5e-4 relative) or of np.round to 2 or 3 decimals; every
            # derivative mistake (a factor, a sign, a term) is off by 30 % or more.
            hint_fr, hint_en = (
                "vos valeurs sont proches du gradient mais fausses à un arrondi près : la dérivée est "
                "juste, c'est la précision qui se perd (calcul en float16, np.round, valeurs "
                "arrondies ?) ; calculez et renvoyez des flottants float64, sans arrondir",
                "your values are close to the gradient but off by a rounding: the derivative is "
                "right, precision is lost (a float16 computation, np.round, rounded values?); "
                "compute and return float64 floats, without rounding",
            )
        elif allclose(got[:1], expected[:1]):
            hint_fr, hint_en = (
                "la composante x1 est juste ; revoyez la dérivée de 3x2² par rapport à x2",
                "the x1 entry is right; check the derivative of 3x2² with respect to x2",
            )
        else:
            hint_fr, hint_en = (
                "dérivez x1² + 3x2² terme à terme, par rapport à x1 puis à x2",
                "differentiate x1² + 3x2² term by term, with respect to x1 then x2",
            )
        assert_close(
            got,
            expected,
            name="grad_f(x) en un point x du correcteur",
            hint_fr=hint_fr,
            hint_en=hint_en,
        )
    # "Calculez ∇f à la main": a gradient derived by hand never reads the notebook's f (blind
    # answer: central differences on f, right to 1e-10, kept every point). grad_f is called once
    # more at the last x with the global f replaced, for that call only, by another function
    # (with_references swaps it in the kernel and puts the notebook's back, even on an error):
    # an answer computed from f returns that function's gradient, one by hand the same array.
    from_other_f = as_array(
        with_references(submission, {"f": _OTHER_F}, "grad_f", x),
        "grad_f(x) en un point du correcteur", shape=(2,),
    )
    if not allclose(from_other_f, got):
        raise CheckFailed(
            "grad_f dépend de la fonction f du notebook : le correcteur a remplacé f, le temps "
            "d'un appel, par une autre fonction, et grad_f a renvoyé un autre gradient "
            "(différences finies sur f ?) ; l'énoncé demande ∇f calculé à la main : écrivez les "
            "dérivées partielles de x1² + 3x2² que vous avez calculées, sans appeler f",
            "grad_f depends on the notebook's function f: the grader replaced f, for one call, "
            "with another function, and grad_f returned another gradient (finite differences "
            "on f?); the statement asks for ∇f computed by hand: write the partial derivatives "
            "of x1² + 3x2² you derived, without calling f",
        )
    # The statement's rule (arguments not modified), checked on its own: right values computed
    # with x *= … would pass above.
    assert_arguments_untouched(submission, "grad_f", (x,), {0: "x"}, advice={"x": (
        f"calculez dans un nouveau tableau, np.array([2 * x[0], 6 * x[1]]), sans écrire dans x "
        f"(ni x *= …, ni x[i] = … ; {ASARRAY_FR})",
        f"compute into a new array, np.array([2 * x[0], 6 * x[1]]), without writing to x "
        f"(no x *= ..., no x[i] = ...; {ASARRAY_EN})",
    )})


# ---------------------------------------------------------------- descente_gradient


@kernel_side
class QuadraticGradient:
    """A gradient the grader trusts, with its own coefficients, in any dimension d:
    ∇ of (x − m)ᵀ S (x − m), that is 2 S (x − m), S symmetric and NOT diagonal (blind answer: a
    step made coordinate by coordinate, each coordinate with the gradient at the point already
    partly updated, is right when S is diagonal). S·v is summed entry by entry, as the grader's
    copy does: both sides round alike."""

    def __init__(self, s, m):
        self.s, self.m = [list(row) for row in s], list(m)

    def __call__(self, x):
        import numpy as np

        v = np.asarray(x, dtype=float) - np.array(self.m)
        return 2.0 * (np.array(self.s) * v[None, :]).sum(axis=1)


def _quadratic_grad(s: np.ndarray, m: np.ndarray):
    """The grader's copy of QuadraticGradient(s, m)."""
    def grad(x):
        v = np.asarray(x, dtype=float) - m
        return 2.0 * (s * v[None, :]).sum(axis=1)
    return grad


def _coupled(a: np.ndarray, rng) -> np.ndarray:
    """S = Q diag(a) Qᵀ with a rotation Q far from the axes: the eigenvalues are a (the rate
    analysis of each case holds as for a diagonal S), the coordinates coupled. In dimension 2 the
    angle lies between 20° and 70° (±), and a's two entries differ by 0.8 or more, so that S's
    off-diagonal entry (a1 − a2) sin θ cos θ is at least ~0.25; in dimension d > 2, Q is drawn
    (QR of a Gaussian matrix)."""
    d = len(a)
    if d == 2:
        t = float(rng.uniform(0.35, 1.22)) * float(rng.choice([-1.0, 1.0]))
        q = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    else:
        q, r = np.linalg.qr(rng.normal(size=(d, d)))
        q = q * np.sign(np.diag(r))[None, :]
    s = (q * a[None, :]) @ q.T
    return (s + s.T) / 2.0


def _run_gd_coordinatewise(grad, x0: np.ndarray, lr: float, n: int) -> np.ndarray:
    """The blind answer's trajectory: each coordinate updated in turn with the gradient at the
    point already partly updated (for i: x[i] -= lr * grad(x)[i])."""
    xs = [np.array(x0, dtype=float)]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(n):
            x = xs[-1].copy()
            for i in range(len(x)):
                x[i] = x[i] - lr * grad(x)[i]
            xs.append(x)
    return np.array(xs)


def _run_gd(grad, x0: np.ndarray, lr: float, n: int, sign: float = -1.0) -> np.ndarray:
    xs = [np.array(x0, dtype=float)]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(n):
            xs.append(xs[-1] + sign * lr * grad(xs[-1]))
    return np.array(xs)


def _gd_cases(rng):
    """The grader's runs of descente_gradient, each (a, m, x0, lr, n, what_fr, what_en), a the
    curvatures of the quadratic (the eigenvalues of its S, _coupled): d = 2 as in the notebook; then drawn on purpose (blind answers): d > 2 (a trajectory of two
    hard-coded columns), a start at the minimum (the gradient is exactly 0: a loop that stops
    once it has converged returns fewer rows) and a rate that diverges (a loop that stops when
    x grows past a bound)."""
    def draw(d):
        # The curvatures (S's eigenvalues) in [0.5, 3], two of them at least 0.8 apart: with a
        # rotation, S couples the coordinates (drawn on purpose, _coupled).
        a = rng.uniform(0.5, 3.0, size=d)
        a[:2] = rng.permutation([float(rng.uniform(0.5, 1.5)), float(rng.uniform(2.3, 3.0))])
        m = rng.uniform(-2.0, 2.0, size=d)
        return a, m, rng.uniform(-3.0, 3.0, size=d), float(rng.uniform(0.02, 0.12)), int(rng.integers(6, 15))

    base = "descente_gradient(∇g, x0, lr, n_steps) sur une fonction quadratique g du correcteur"
    base_en = "descente_gradient(∇g, x0, lr, n_steps) on a grader quadratic function g"
    cases = [(*draw(2), base, base_en)]
    a, m, x0, lr, n = draw(int(rng.integers(3, 6)))
    cases.append((a, m, x0, lr, n, f"{base}, x0 ayant plus de 2 composantes",
                  f"{base_en}, x0 having more than 2 entries"))
    a, m, _, lr, n = draw(2)
    cases.append((a, m, m.copy(), lr, n, f"{base}, x0 au minimum de g (gradient nul)",
                  f"{base_en}, x0 at the minimum of g (zero gradient)"))
    a, m, x0, _, n = draw(2)
    # |1 − 2 a_k lr| between 6 and 9 for the largest a_k: ‖x‖ passes 1e6 within the run, stays finite.
    lr = float(rng.uniform(3.5, 5.0)) / float(a.max())
    cases.append((a, m, x0, lr, int(rng.integers(12, 18)), f"{base}, avec un taux qui diverge",
                  f"{base_en}, with a diverging rate"))
    # Drawn on purpose (blind answer): a start of integers, np.array([1, -2]) as a student writes
    # it; a trajectory that takes x0's dtype holds truncated points.
    a, m, _, lr, n = draw(2)
    cases.append((a, m, rng.integers(-3, 4, size=2), lr, n, f"{base}, x0 d'entiers",
                  f"{base_en}, x0 of integers"))
    # Drawn on purpose (blind answer): a rate so large that the run overflows (inf, then
    # inf − inf = nan) well before its last step. |1 − 2 a_k lr| ≥ ~100 for every k: inf within
    # ~150 steps, in float64 as in float32; a loop that stops (or clips) once x is no longer
    # finite returns fewer rows, without the inf/nan that diverge() is meant to see.
    a, m, x0, _, _ = draw(2)
    lr = float(rng.uniform(500.0, 5000.0)) / float(a.max())
    cases.append((a, m, x0, lr, int(rng.integers(180, 220)), f"{base}, avec un taux qui fait déborder les calculs (inf, nan)",
                  f"{base_en}, with a rate that makes the computation overflow (inf, nan)"))
    return cases


def _check_overflowing_run(raw: np.ndarray, expected: np.ndarray, what: str, what_en: str) -> None:
    """A run that overflows: n_steps + 1 rows (checked before), the rows before the overflow
    right (those whose entries stay below 1e30, float32 answers included) and the non-finite
    values kept at the end of the trajectory."""
    got = raw.astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        safe = np.all(np.isfinite(expected), axis=1) & (np.abs(np.nan_to_num(expected, nan=np.inf)).max(axis=1) < 1e30)
    f32 = raw.dtype.kind == "f" and raw.dtype.itemsize < 8
    tol = float32_tolerances(expected[safe]) if f32 else {"rtol": 1e-6, "atol": 1e-9}
    assert_close(got[safe], expected[safe], name=f"{what} (points avant le débordement)",
                 hint_fr="la ligne 0 est x0, puis x_{t+1} = x_t − lr · grad(x_t) avec la fonction grad reçue",
                 hint_en="row 0 is x0, then x_{t+1} = x_t − lr · grad(x_t) with the grad function received",
                 **tol)
    if np.all(np.isfinite(got[-1])):
        raise CheckFailed(
            f"{what} : les calculs débordent au cours de cette descente (inf, puis nan), mais le "
            "dernier point de votre trajectoire est fini ; gardez les valeurs telles qu'elles sont "
            "calculées, sans les remplacer ni les borner : c'est ce que diverge() doit détecter",
            f"{what_en}: the computation overflows during this descent (inf, then nan), but the "
            "last point of your trajectory is finite; keep the values as computed, without "
            "replacing or clipping them: that is what diverge() has to detect",
        )


@pytest.mark.item("gradient_descent", points=1)
def test_descente_gradient_on_grader_quadratic(submission, rng):
    for i, (a, m, x0, lr, n, what, what_en) in enumerate(_gd_cases(rng)):
        s = _coupled(a, rng)
        ref = QuadraticGradient.call(submission, s.tolist(), [float(v) for v in m])
        grad = _quadratic_grad(s, m)
        expected = _run_gd(grad, x0, lr, n)
        try:
            raw = as_array(submission.call("descente_gradient", ref, x0, lr, n), what, dtype=None, allow_nan=True)
        except StudentError as exc:
            if _integer_start_explains(submission, ref, x0, lr, n, expected):
                raise CheckFailed(
                    f"{exc.message.fr} ; {what} : {_INT_START_FR}",
                    f"{exc.message.en}; {what_en}: {_INT_START_EN}",
                ) from None
            if len(x0) != 2 and i > 0 and exc.ename in SHAPE_ERRORS:
                # Its premise: the run in dimension 2 (case 0) passed, this one has d > 2
                # (blind answer: np.zeros((n_steps + 1, 2))).
                raise CheckFailed(
                    f"{exc.message.fr} ; {what} : la même fonction passe avec 2 composantes ; la "
                    "dimension d se lit sur x0 : trajectoire de forme (n_steps + 1, len(x0)), pas 2 "
                    "écrit en dur",
                    f"{exc.message.en}; {what_en}: the same function passes with 2 entries; the "
                    "dimension d is read from x0: a trajectory of shape (n_steps + 1, len(x0)), not "
                    "a hard-coded 2",
                ) from None
            raise
        got = raw.astype(np.float64)
        if got.shape != expected.shape:
            _gd_shape_failure(got, expected, what, what_en)
        if not np.all(np.isfinite(expected)):
            _check_overflowing_run(raw, expected, what, what_en)
            continue
        # A float32 trajectory (the statement never asks for float64) is held to float32
        # rounding: at rtol 1e-8 a correct float32 answer failed on some grader variants.
        f32 = raw.dtype.kind == "f" and raw.dtype.itemsize < 8
        tol = float32_tolerances(expected) if f32 else {"rtol": 1e-6, "atol": 1e-9}
        if i == 0 and allclose(got, expected, **tol):
            assert_arguments_untouched(submission, "descente_gradient", (ref, x0, lr, n), {1: "x0"}, advice={"x0": (
                "partez d'une copie, x = np.array(x0, dtype=float), puis x = x − lr · grad(x) ; "
                "x = x0 n'est pas une copie (ni np.asarray(x0), qui ne copie pas un tableau déjà en "
                "flottants) : x -= …, x[i] = … écrivent alors dans le x0 reçu",
                "start from a copy, x = np.array(x0, dtype=float), then x = x − lr · grad(x); "
                "x = x0 is no copy (nor np.asarray(x0), which does not copy an array already of "
                "floats): x -= ..., x[i] = ... then write into the x0 received",
            )})
        if allclose(got, expected, **tol):
            continue
        course = _run_gd(lambda x: np.array([2 * x[0], 6 * x[1]]), x0, lr, n) if len(x0) == 2 else None
        if allclose(got, _run_gd(grad, x0, lr, n, sign=+1.0)):
            hint_fr = "vous montez le gradient : le pas est x_{t+1} = x_t − lr · grad(x_t)"
            hint_en = "you are climbing the gradient: the step is x_{t+1} = x_t − lr · grad(x_t)"
        elif _integer_start_explains(submission, ref, x0, lr, n, expected):
            hint_fr, hint_en = _INT_START_FR, _INT_START_EN
        elif allclose(got, _run_gd_coordinatewise(grad, x0, lr, n), **tol):
            # Its premise: the trajectory is that of coordinates updated one by one, each with
            # the gradient at the point already partly updated (blind answer).
            hint_fr = (
                "votre pas met à jour les composantes une par une en rappelant grad au point déjà "
                "en partie modifié : les composantes suivantes voient un autre gradient (ce qui ne "
                "se voit pas quand chaque dérivée partielle ne dépend que de sa composante, comme "
                "pour f) ; un pas utilise le gradient au point x_t pour TOUTES les composantes : "
                "g = grad(x) une fois par pas, puis x = x − lr · g"
            )
            hint_en = (
                "your step updates the entries one by one, calling grad again at the point already "
                "partly modified: the later entries see another gradient (which does not show when "
                "each partial derivative depends on its own entry only, as for f); a step uses the "
                "gradient at x_t for ALL the entries: g = grad(x) once per step, then x = x − lr · g"
            )
        elif shared_rows_hint(got, expected):
            hint_fr, hint_en = shared_rows_hint(got, expected)
        elif course is not None and allclose(got, course):
            hint_fr = (
                "votre trajectoire suit le gradient de la fonction du cours : utilisez la fonction "
                "`grad` reçue en argument, pas grad_f"
            )
            hint_en = (
                "your trajectory follows the gradient of the course's function: use the `grad` "
                "function passed as an argument, not grad_f"
            )
        else:
            hint_fr, hint_en = data_globals_hint(submission, "descente_gradient") or (
                "la ligne 0 est x0, puis x_{t+1} = x_t − lr · grad(x_t) avec la fonction grad reçue",
                "row 0 is x0, then x_{t+1} = x_t − lr · grad(x_t) with the grad function received",
            )
        assert_close(got, expected, name=what, hint_fr=hint_fr, hint_en=hint_en,
                     **(tol if f32 else {"rtol": 1e-8}))


_INT_START_FR = (
    "le même x0 en flottants donne la bonne trajectoire : avec un x0 d'entiers, votre trajectoire "
    "garde le type entier de x0 (valeurs tronquées) ; partez d'une copie en flottants, "
    "x = np.array(x0, dtype=float)"
)
_INT_START_EN = (
    "the same x0 as floats gives the right trajectory: with an x0 of integers, your trajectory "
    "keeps x0's integer type (truncated values); start from a float copy, x = np.array(x0, dtype=float)"
)


def _integer_start_explains(submission, ref, x0, lr, n, expected) -> bool:
    """The premise of the integer-start hint: x0 holds integers and the same point as floats
    gives the right trajectory."""
    if not np.issubdtype(np.asarray(x0).dtype, np.integer):
        return False
    try:
        as_float_start = submission.call("descente_gradient", ref, np.asarray(x0, dtype=float), lr, n)
        return allclose(as_array(as_float_start, "descente_gradient", allow_nan=True), expected)
    except (StudentError, CheckFailed):
        return False


def _gd_shape_failure(got: np.ndarray, expected: np.ndarray, what: str, what_en: str) -> None:
    """The trajectory's shape is wrong: name the likely cause, each after checking its premise."""
    rows, d = expected.shape
    if got.ndim == 2 and got.shape[0] == rows and got.shape[1] == 2 != d:
        hint_fr = (
            "la trajectoire a 2 colonnes écrites en dur : elle en a une par composante de x0 "
            "(forme (n_steps + 1, len(x0)))"
        )
        hint_en = (
            "the trajectory has 2 hard-coded columns: it has one per entry of x0 "
            "(shape (n_steps + 1, len(x0)))"
        )
    elif (
        got.ndim == 2 and got.shape[1] == d and 0 < got.shape[0] < rows
        and allclose(got, expected[: got.shape[0]])
    ):
        hint_fr = (
            "la trajectoire s'arrête avant le dernier pas : faites exactement n_steps pas, même quand "
            "le gradient s'annule, que x grandit ou que les calculs débordent en inf/nan (pas d'arrêt anticipé)"
        )
        hint_en = (
            "the trajectory stops before the last step: take exactly n_steps steps, even when the "
            "gradient vanishes, x grows or the computation overflows to inf/nan (no early stopping)"
        )
    else:
        hint_fr = "la trajectoire contient x0 puis un point par pas (n_steps + 1 lignes)"
        hint_en = "the trajectory holds x0 then one point per step (n_steps + 1 rows)"
    raise CheckFailed(
        f"{what} : la forme n'est pas (n_steps + 1, d) ; {hint_fr}",
        f"{what_en}: the shape is not (n_steps + 1, d); {hint_en}",
    )


# ---------------------------------------------------------------- learning rates


def _lr_value(submission, name: str) -> float:
    if not submission.has(name):
        raise CheckFailed(
            f"{name} n'est pas défini : complétez la cellule des taux d'apprentissage",
            f"{name} is not defined: fill in the learning-rate cell",
        )
    value = submission.get(name)
    if isinstance(value, bool):
        raise CheckFailed(f"{name} doit être un nombre", f"{name} must be a number")
    lr = as_float(value, name)
    if lr <= 0:
        raise CheckFailed(
            f"{name} = {lr:g} : un taux d'apprentissage est strictement positif",
            f"{name} = {lr:g}: a learning rate is strictly positive",
        )
    return lr


def _factor(lr: float) -> float:
    """Largest |contraction factor| of one GD step on f = x1² + 3x2²."""
    return max(abs(1.0 - 2.0 * lr), abs(1.0 - 6.0 * lr))


_LR_HINT_FR = "à chaque pas x1 est multiplié par (1 − 2η) et x2 par (1 − 6η)"
_LR_HINT_EN = "each step multiplies x1 by (1 − 2η) and x2 by (1 − 6η)"


def _final_norm(lr: float, n: int = 200) -> float:
    traj = _run_gd(lambda x: np.array([2 * x[0], 6 * x[1]]), np.array([1.0, 1.0]), lr, n)
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.linalg.norm(traj[-1]))


@pytest.mark.item("lr_choices", points=0.5)
def test_lr_converge(submission):
    lr = _lr_value(submission, "LR_CONVERGE")
    record_margin(
        "largest absolute contraction factor of a GD step with LR_CONVERGE",
        _factor(lr),
        1.0,
        higher_is_better=False,
    )
    if _factor(lr) < 1.0:
        return
    raise CheckFailed(
        f"LR_CONVERGE = {lr:g} : depuis (1, 1), la descente de gradient sur f ne converge pas "
        f"vers (0, 0) (‖x_200‖ = {_final_norm(lr):.3g}) ; {_LR_HINT_FR} : il faut que ces deux "
        "facteurs soient strictement inférieurs à 1 en valeur absolue",
        f"LR_CONVERGE = {lr:g}: from (1, 1), gradient descent on f does not converge to "
        f"(0, 0) (‖x_200‖ = {_final_norm(lr):.3g}); {_LR_HINT_EN}: both factors must be "
        "strictly below 1 in absolute value",
    )


@pytest.mark.item("lr_choices", points=0.5)
def test_lr_diverge(submission):
    lr = _lr_value(submission, "LR_DIVERGE")
    record_margin(
        "largest absolute contraction factor of a GD step with LR_DIVERGE",
        _factor(lr),
        1.0,
        higher_is_better=True,
    )
    if _factor(lr) > 1.0:
        return
    behaviour_fr, behaviour_en = (
        ("oscille sans diverger", "oscillates without diverging")
        if math.isclose(_factor(lr), 1.0)
        else ("converge", "converges")
    )
    raise CheckFailed(
        f"LR_DIVERGE = {lr:g} : depuis (1, 1), la descente de gradient sur f {behaviour_fr} "
        f"(‖x_200‖ = {_final_norm(lr):.3g}) ; {_LR_HINT_FR} : pour diverger, l'un des deux "
        "facteurs doit dépasser 1 en valeur absolue",
        f"LR_DIVERGE = {lr:g}: from (1, 1), gradient descent on f {behaviour_en} "
        f"(‖x_200‖ = {_final_norm(lr):.3g}); {_LR_HINT_EN}: to diverge, one of the factors "
        "must exceed 1 in absolute value",
    )


# ---------------------------------------------------------------- diverge


def _course_grad(x: np.ndarray) -> np.ndarray:
    return np.array([2 * x[0], 6 * x[1]])


def _diverges_by_definition(traj: np.ndarray) -> bool:
    if not np.all(np.isfinite(traj)):
        return True
    return bool(np.linalg.norm(traj[-1]) > np.linalg.norm(traj[0]))


def _clear_trajectory(rng, lr_range: tuple[float, float], n_range: tuple[int, int]):
    """A finite GD trajectory on f; a diverging one grows clearly (‖x_n‖ > 1.5 ‖x_0‖)."""
    while True:
        x0 = rng.uniform(0.5, 2.0, size=2) * rng.choice([-1.0, 1.0], size=2)
        lr = float(rng.uniform(*lr_range))
        n = int(rng.integers(*n_range))
        traj = _run_gd(_course_grad, x0, lr, n)
        ratio = np.linalg.norm(traj[-1]) / np.linalg.norm(traj[0])
        if np.all(np.isfinite(traj)) and (_factor(lr) < 1.0 or ratio > 1.5):
            return traj, lr, n


def _reading(traj: np.ndarray, rule) -> bool | None:
    """A misreading's answer on a finite trajectory; None on a near tie (the two sides within
    1e-12 relative), where the way a student computes a norm decides by one rounding."""
    with np.errstate(over="ignore", invalid="ignore"):
        lhs, rhs, non_strict = rule(np.asarray(traj, dtype=float))
    if abs(lhs - rhs) <= 1e-12 * max(abs(lhs), abs(rhs)) and not non_strict:
        return None
    return bool(lhs >= rhs) if non_strict else bool(lhs > rhs)


def _rows(t: np.ndarray) -> np.ndarray:
    return np.linalg.norm(t, axis=1)


_ENTRYWISE_FR = (
    "comparez les NORMES euclidiennes ‖x_n‖ et ‖x_0‖, pas les composantes une à une : une "
    "composante peut grandir pendant que la norme diminue"
)
_ENTRYWISE_EN = (
    "compare the Euclidean NORMS ‖x_n‖ and ‖x_0‖, not the entries one by one: an entry may "
    "grow while the norm shrinks"
)

_OTHER_ROW_FR = (
    "la définition compare le dernier point au PREMIER point x_0 = trajectoire[0] : ‖x_n‖ > ‖x_0‖, "
    "pas à un autre point de la trajectoire (une trajectoire peut grandir puis diminuer, ou l'inverse)"
)
_OTHER_ROW_EN = (
    "the definition compares the last point with the FIRST point x_0 = trajectoire[0]: ‖x_n‖ > ‖x_0‖, "
    "not with another point of the trajectory (a trajectory may grow then shrink, or the reverse)"
)

#: Readings of the definition that students write instead of it, each (rule on a finite
#: trajectory: the two sides compared and whether >= is used, hint). A hint is given only when
#: its rule reproduces EVERY answer the student gave on the finite trajectories of the check
#: (near ties aside), and its own answer where the student is wrong: the hint's premise,
#: checked before it blames anything.
_MISREADINGS = (
    (
        lambda t: (_rows(t)[-1], _rows(t)[0], True),
        "la définition du TP demande ‖x_n‖ > ‖x_0‖ (inégalité stricte) ; une trajectoire qui "
        "oscille sans grandir ne diverge pas",
        "the TP's definition asks for ‖x_n‖ > ‖x_0‖ (strict inequality); a trajectory that "
        "oscillates without growing does not diverge",
    ),
    (
        lambda t: (_rows(t)[1:].max(), _rows(t)[0], False),
        "une trajectoire peut monter au-dessus de ‖x_0‖ puis redescendre : la définition compare "
        "le DERNIER point ‖x_n‖ à ‖x_0‖, pas le maximum de la trajectoire",
        "a trajectory may rise above ‖x_0‖ then come back down: the definition compares "
        "the LAST point ‖x_n‖ with ‖x_0‖, not the trajectory's maximum",
    ),
    (
        lambda t: (_rows(t)[-1], _rows(t)[-2], False),
        _OTHER_ROW_FR,
        _OTHER_ROW_EN,
    ),
    (
        # Blind answer: ‖x_n‖ against the SECOND point, trajectoire[1]. One hint for every
        # other reference row (it names the right one, never the student's).
        lambda t: (_rows(t)[-1], _rows(t)[1], False),
        _OTHER_ROW_FR,
        _OTHER_ROW_EN,
    ),
    (
        lambda t: (np.abs(t[-1]).max(), np.abs(t[0]).max(), False),
        "comparez des normes EUCLIDIENNES, np.linalg.norm(x) = √(Σ x_i²), pas le plus grand |x_i|",
        "compare EUCLIDEAN norms, np.linalg.norm(x) = √(Σ x_i²), not the largest |x_i|",
    ),
    (
        lambda t: (np.abs(t[-1]).sum(), np.abs(t[0]).sum(), False),
        "comparez des normes EUCLIDIENNES, np.linalg.norm(x) = √(Σ x_i²), pas la somme des |x_i|",
        "compare EUCLIDEAN norms, np.linalg.norm(x) = √(Σ x_i²), not the sum of the |x_i|",
    ),
    (
        # Blind answer: |x_n[i]| > |x_0[i]| for some i, the points compared entry by entry.
        lambda t: (float(np.any(np.abs(t[-1]) > np.abs(t[0]))), 0.5, False),
        _ENTRYWISE_FR,
        _ENTRYWISE_EN,
    ),
    (
        # Blind answer: norms within np.isclose's tolerance taken as equal (no divergence).
        lambda t: (float(_rows(t)[-1] > _rows(t)[0] and not np.isclose(_rows(t)[-1], _rows(t)[0])), 0.5, False),
        "la définition demande ‖x_n‖ > ‖x_0‖ strictement, sans tolérance : deux normes très proches "
        "mais différentes (np.isclose les dit égales) suffisent, si la dernière est plus grande",
        "the definition asks for ‖x_n‖ > ‖x_0‖ strictly, with no tolerance: two norms very close "
        "but different (np.isclose calls them equal) are enough, when the last one is larger",
    ),
    (
        # The same on the notebook's two entries only, x[0] and x[1] written out.
        lambda t: (float(np.any(np.abs(t[-1, :2]) > np.abs(t[0, :2]))), 0.5, False),
        _ENTRYWISE_FR,
        _ENTRYWISE_EN,
    ),
)


def _check_classification(submission, cases) -> None:
    answers = [as_bool(submission.call("diverge", traj), "diverge") for traj, _, _ in cases]
    wrong = [
        (case, got) for case, got in zip(cases, answers, strict=True)
        if got != _diverges_by_definition(case[0])
    ]
    if not wrong:
        return
    (traj, label_fr, label_en), got = wrong[0]
    finite = bool(np.all(np.isfinite(traj)))
    if finite:
        answered = [(t, a) for (t, _, _), a in zip(cases, answers, strict=True) if np.all(np.isfinite(t))]
        hint_fr = "‖x_0‖ (premier point) et ‖x_n‖ (dernier point) : comparez ces deux normes"
        hint_en = "‖x_0‖ (first point) and ‖x_n‖ (last point): compare these two norms"
        for rule, fr, en in _MISREADINGS:
            if _reading(traj, rule) == got and all(_reading(t, rule) in (None, a) for t, a in answered):
                hint_fr, hint_en = fr, en
                break
    else:
        # What the trajectory holds, observed (the hint names the test that misses it).
        has_inf, has_nan = bool(np.isinf(traj).any()), bool(np.isnan(traj).any())
        if has_inf and not has_nan:
            kind_fr = "la trajectoire contient inf et aucun nan : np.isnan ne voit pas inf"
            kind_en = "the trajectory holds inf and no nan: np.isnan does not see inf"
        elif has_nan and not has_inf:
            kind_fr = (
                "la trajectoire contient nan et aucun inf : np.isinf ne voit pas nan, et toute "
                "comparaison avec nan vaut False"
            )
            kind_en = (
                "the trajectory holds nan and no inf: np.isinf does not see nan, and any "
                "comparison with nan is False"
            )
        else:
            kind_fr = (
                "la trajectoire contient des inf/nan (les calculs ont débordé ; np.isinf ne voit "
                "pas nan, np.isnan ne voit pas inf) et toute comparaison avec nan vaut False"
            )
            kind_en = (
                "the trajectory holds inf/nan (the computation overflowed; np.isinf does not see "
                "nan, np.isnan does not see inf) and any comparison with nan is False"
            )
        hint_fr = (
            f"{kind_fr} ; testez np.isfinite d'abord, qui voit inf et nan, "
            "sur TOUTE la trajectoire (np.all(np.isfinite(trajectoire)))"
        )
        hint_en = (
            f"{kind_en}; test np.isfinite first, which sees inf and nan, on the WHOLE "
            "trajectory (np.all(np.isfinite(trajectoire)))"
        )
    raise CheckFailed(
        f"diverge renvoie {got} pour {label_fr}, à tort ; {hint_fr}",
        f"diverge wrongly returns {got} for {label_en}; {hint_en}",
    )


def _norm_cases(rng) -> list[np.ndarray]:
    """Drawn on purpose (blind answers): trajectories on which the Euclidean norm, the largest
    |x_i| and the sum of the |x_i| disagree, in dimension 2 or 3. With u = (1, …, 1) (‖u‖ = √d,
    max 1, sum d) and v = r e_k: r in (1.1, 0.95 √d) puts ‖v‖ below ‖u‖ but max |v_i| above;
    r in (1.05 √d, 0.95 d) puts ‖v‖ above ‖u‖ but the sum below. The first kind once more
    in dimension 2: v's entry grows from scale to r·scale while ‖v‖ < ‖u‖."""
    out = []
    for low, high, reverse, dim in (
        (1.1, 0.95, False, None),   # u → v: Euclidean False, largest |x_i| True
        (1.1, 0.95, True, None),    # v → u: Euclidean True, largest |x_i| False
        (1.05, 0.95, None, None),   # u → v: Euclidean True, sum of |x_i| False
        # Drawn on purpose (blind answer), in the notebook's dimension 2 whatever the draws
        # above: one entry grows while the norm shrinks (entries compared one by one: True).
        (1.1, 0.95, False, 2),
    ):
        d = int(rng.integers(2, 4)) if dim is None else dim
        scale = float(rng.uniform(0.5, 2.0))
        r = float(rng.uniform(low * np.sqrt(d), high * d)) if reverse is None else float(
            rng.uniform(low, high * np.sqrt(d))
        )
        signs = rng.choice([-1.0, 1.0], size=d)
        u = scale * signs
        v = np.zeros(d)
        v[int(rng.integers(0, d))] = scale * r * float(rng.choice([-1.0, 1.0]))
        start, stop = (v, u) if reverse else (u, v)
        steps = np.linspace(0.0, 1.0, int(rng.integers(3, 7)))[:, None]
        out.append((1.0 - steps) * start[None, :] + steps * stop[None, :])
    return out


def _turning_cases(rng) -> list[np.ndarray]:
    """Drawn on purpose (blind answer): norms that grow then shrink but end above ‖x_0‖, and
    that shrink then grow but end below it (the last step says the opposite of the definition)."""
    x0 = rng.uniform(0.5, 2.0, size=2) * rng.choice([-1.0, 1.0], size=2)
    up_down = np.concatenate([[1.0], rng.uniform(2.0, 3.0, size=2), rng.uniform(1.2, 1.8, size=1)])
    down_up = np.concatenate([[1.0], rng.uniform(0.1, 0.3, size=2), rng.uniform(0.5, 0.8, size=1)])
    return [f[:, None] * x0[None, :] for f in (up_down, down_up)]


@pytest.mark.item("diverges", points=0.5)
def test_diverge_on_grader_trajectories(submission, rng):
    specs = [
        ((0.01, 0.3), (10, 40)),  # converges
        ((0.001, 0.005), (5, 20)),  # converges slowly
        ((0.36, 0.6), (10, 40)),  # diverges
        ((0.34, 0.345), (60, 90)),  # diverges slowly
    ]
    cases = []
    for lr_range, n_range in specs:
        traj, _, _ = _clear_trajectory(rng, lr_range, n_range)
        desc = "une descente de gradient du correcteur sur f"
        desc_en = "a grader gradient descent on f"
        cases.append((traj, desc, desc_en))
    # The boundary the definition singles out, drawn on purpose: from (a, 0) with lr = 1,
    # x1 flips sign at every step (factor 1 − 2·1 = −1) and x2 stays 0, so ‖x_n‖ = ‖x_0‖
    # exactly: not a divergence (‖x_n‖ > ‖x_0‖ is strict).
    a = float(rng.uniform(0.5, 2.0)) * float(rng.choice([-1.0, 1.0]))
    n = int(rng.integers(5, 12))
    cases.append((
        _run_gd(_course_grad, np.array([a, 0.0]), 1.0, n),
        "une descente de gradient du correcteur sur f",
        "a grader gradient descent on f",
    ))
    # Drawn on purpose (blind answer): a trajectory whose norm rises above ‖x_0‖ and ends below
    # it does not diverge; comparing the largest norm with ‖x_0‖ calls it divergent.
    x0 = rng.uniform(0.5, 2.0, size=2) * rng.choice([-1.0, 1.0], size=2)
    factors = np.concatenate([[1.0], rng.uniform(1.5, 3.0, size=3), rng.uniform(0.2, 0.9, size=3)])
    cases.append((factors[:, None] * x0[None, :], "une trajectoire du correcteur",
                  "a grader trajectory"))
    for traj in _norm_cases(rng) + _turning_cases(rng):
        cases.append((traj, "une trajectoire du correcteur", "a grader trajectory"))
    # Drawn on purpose (blind answer): ‖x_n‖ above ‖x_0‖ by a relative 1e-8 to 1e-6, far above
    # any norm's rounding (1e-16) but within np.isclose's tolerance: "strictement plus grande"
    # is True here, a test that calls near-equal norms equal says False.
    x0 = rng.uniform(0.5, 2.0, size=2) * rng.choice([-1.0, 1.0], size=2)
    turn = float(rng.uniform(0.3, 1.2))
    rot = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    grown = (1.0 + float(rng.uniform(1e-8, 1e-6))) * (rot @ rot @ x0)
    cases.append((np.stack([x0, 0.6 * (rot @ x0), grown]), "une trajectoire du correcteur",
                  "a grader trajectory"))
    order = rng.permutation(len(cases))
    _check_classification(submission, [cases[i] for i in order])
    assert_arguments_untouched(
        submission, "diverge", (cases[-1][0].copy(),), {0: "trajectoire"},
        hint_fr="lisez la trajectoire sans l'écrire (np.linalg.norm(trajectoire[0]), …)",
        hint_en="read the trajectory without writing to it (np.linalg.norm(trajectoire[0]), ...)",
    )


@pytest.mark.item("diverges", points=0.5)
def test_diverge_non_finite(submission, rng):
    x0 = rng.uniform(0.5, 2.0, size=2)
    lr = float(rng.uniform(4.0, 6.0))
    overflowed = _run_gd(_course_grad, x0, lr, 400)  # overflows to inf, then inf − inf = nan
    first_inf = int(np.argmax(~np.all(np.isfinite(overflowed), axis=1)))
    ends_with_inf = overflowed[: first_inf + 1]
    converging, _, _ = _clear_trajectory(rng, (0.05, 0.3), (10, 30))
    # Drawn on purpose (issue 12): nan with no inf anywhere (np.isinf alone misses it), and a
    # non-finite point inside a trajectory whose last point is finite (the definition reads
    # "contient une valeur non finie", not "son dernier point").
    k = int(rng.integers(2, 5))
    nan_only = converging.copy()
    nan_only[-k:] = np.nan
    cases = [
        (
            overflowed,
            "une trajectoire qui finit par nan",
            "a trajectory ending in nan",
        ),
        (ends_with_inf, "une trajectoire qui finit par inf", "a trajectory ending in inf"),
        (converging, "une trajectoire finie qui converge", "a finite converging trajectory"),
        (
            nan_only,
            "une trajectoire dont les derniers points valent nan, sans aucun inf",
            "a trajectory whose last points are nan, with no inf anywhere",
        ),
    ]
    # Each structure with an inf AND with a nan, at every grader variant (blind answers: a test
    # with np.isnan alone passed where the draw had put nan in both; np.isinf alone is the
    # mirror): one value in the middle of a converging trajectory whose last point is finite
    # (np.isnan misses an inf there, and the finite norms say "converges"), and one in the FIRST
    # point only (a test on trajectoire[1:] misses it; ‖x_0‖ = inf or nan, and the comparison of
    # the norms is False).
    for value, word in ((float(rng.choice([-1.0, 1.0])) * np.inf, "inf"), (np.nan, "nan")):
        middle = converging.copy()
        middle[int(rng.integers(1, len(middle) - 1)), int(rng.integers(0, 2))] = value
        cases.append((
            middle,
            f"une trajectoire qui contient un {word} au milieu, mais dont le dernier point est fini",
            f"a trajectory holding an {word} in the middle, whose last point is finite",
        ))
        first = converging.copy()
        first[0, int(rng.integers(0, 2))] = value
        cases.append((
            first,
            f"une trajectoire dont seul le PREMIER point contient un {word}",
            f"a trajectory whose FIRST point alone holds an {word}",
        ))
    _check_classification(submission, cases)
    # The statement's rule (arguments not modified), on a trajectory holding inf AND nan: a
    # replacement in place (trajectoire[np.isnan(trajectoire)] = np.inf) only shows on one.
    assert_arguments_untouched(
        submission, "diverge", (overflowed.copy(),), {0: "trajectoire"},
        hint_fr="lisez la trajectoire sans l'écrire : np.all(np.isfinite(trajectoire)) teste inf et "
        "nan à la fois, sans rien remplacer",
        hint_en="read the trajectory without writing to it: np.all(np.isfinite(trajectoire)) tests "
        "inf and nan at once, without replacing anything",
    )


# ---------------------------------------------------------------- perceptron


def _perceptron_ref(w, x, y, alpha, strict: bool = False, sign: float = 1.0, threshold: float = 0.0):
    s = float(w @ x)
    out = 1.0 if (s > threshold if strict else s >= threshold) else 0.0
    return w + sign * alpha * (y - out) * x


def _perceptron_no_bias(w, x, y, alpha):
    """The output read from w[1:]·x[1:]: the bias w0·x0 left out of the weighted sum."""
    out = 1.0 if float(w[1:] @ x[1:]) >= 0 else 0.0
    return w + alpha * (y - out) * x


def _perceptron_y_only(w, x, y, alpha, on_mistakes: bool):
    """The ±1-label habit: w + α y x (on every example, or on mistakes only)."""
    out = 1.0 if float(w @ x) >= 0 else 0.0
    return w + alpha * y * x if (out != y or not on_mistakes) else w.copy()


#: Known mistakes, each (its update, hint). A hint is given only when its update reproduces
#: every answer the student gave in the check (its premise), not on one example alone: at
#: w·x = 0 with y = 0 a strict step and "w + α y x" both leave w unchanged.
_PERCEPTRON_MISTAKES = (
    (
        lambda w, x, y, a: _perceptron_ref(w, x, y, a, sign=-1.0),
        "le signe de la correction est inversé : w ← w + α (y − f(x)) x",
        "the correction has the wrong sign: w ← w + α (y − f(x)) x",
    ),
    (
        # Blind answer: α |y − f(x)| x, right on a false negative, the sign flipped on a false
        # positive. Where every example is a false positive (or well classified) it gives the
        # same answers as the flipped sign: _check_perceptron then words one hint for both.
        lambda w, x, y, a: w + a * abs(y - (1.0 if float(w @ x) >= 0 else 0.0)) * x,
        "la correction est α (y − f(x)) x, avec le signe de y − f(x), pas sa valeur absolue : "
        "pour un faux positif (y = 0, f(x) = 1), y − f(x) = −1 et w DIMINUE de α x",
        "the correction is α (y − f(x)) x, with the sign of y − f(x), not its absolute value: "
        "for a false positive (y = 0, f(x) = 1), y − f(x) = −1 and w DECREASES by α x",
    ),
    (
        lambda w, x, y, a: _perceptron_ref(w, x, y, a, strict=True),
        "ici w·x = 0 : avec la convention du TP, f(x) = 1 quand w·x ≥ 0 (inégalité large)",
        "here w·x = 0: with the TP's convention, f(x) = 1 when w·x ≥ 0 (non-strict)",
    ),
    (
        # Blind answer: f(x) = 1 when w·x ≥ 0.5. test_perceptron_step_convention_at_zero sends
        # w·x = 0 and w·x = 0.25 exactly: any threshold above 0.25 answers as this one there.
        lambda w, x, y, a: _perceptron_ref(w, x, y, a, threshold=0.5),
        "votre sortie vaut 0 pour un w·x positif mais petit : le seuil de la marche est 0, pas une "
        "valeur positive (0.5…) ; f(x) = 1 dès que w·x ≥ 0 (le biais w0 tient déjà lieu de seuil)",
        "your output is 0 for a positive but small w·x: the step's threshold is 0, not a positive "
        "value (0.5...); f(x) = 1 as soon as w·x ≥ 0 (the bias w0 already plays the threshold's part)",
    ),
    (
        lambda w, x, y, a: _perceptron_y_only(w, x, y, a, on_mistakes=True),
        "la correction est α (y − f(x)) x, pas α y x : pour un faux positif (y = 0, f(x) = 1), "
        "y − f(x) = −1 et w diminue de α x",
        "the correction is α (y − f(x)) x, not α y x: for a false positive (y = 0, f(x) = 1), "
        "y − f(x) = −1 and w decreases by α x",
    ),
    (
        lambda w, x, y, a: _perceptron_y_only(w, x, y, a, on_mistakes=False),
        "la correction est α (y − f(x)) x, pas α y x : elle est nulle sur un exemple bien classé "
        "et vaut −α x pour un faux positif (y = 0, f(x) = 1)",
        "the correction is α (y − f(x)) x, not α y x: it is zero on a well-classified example "
        "and −α x for a false positive (y = 0, f(x) = 1)",
    ),
    (
        _perceptron_no_bias,
        "la sortie se calcule avec w·x sur TOUTES les composantes : le biais w0·x0 (x0 = 1) en "
        "fait partie et peut à lui seul décider du signe de w·x",
        "the output is computed from w·x over ALL entries: the bias w0·x0 (x0 = 1) is part of "
        "it and may alone decide the sign of w·x",
    ),
)


def _perceptron_close(got: np.ndarray, expected: np.ndarray, w, x, alpha) -> bool:
    """got is expected up to the rounding of a float32 computation (blind answer: w and x cast
    to float32, a correct update that lost half a point where w_i + α x_i nearly cancels, its
    error ~1e-7 (|w_i| + α |x_i|) on an entry near 0, above allclose's 1e-9). Tolerance
    1e-5 (|w_i| + α |x_i|) + 1e-6 |expected_i|: every known mistake is off by α or more on the
    bias entry (x0 = 1, α >= 0.05)."""
    w, x = np.asarray(w, dtype=float), np.asarray(x, dtype=float)
    if got.shape != expected.shape or not np.all(np.isfinite(got)):
        return False
    scale = np.abs(w) + abs(float(alpha)) * np.abs(x)
    return bool(np.all(np.abs(got - expected) <= 1e-5 * scale + 1e-6 * np.abs(expected) + 1e-9))


def _check_perceptron(submission, cases) -> None:
    """Every case first, then the first wrong one, with a hint whose premise holds on all."""
    what = "maj_perceptron(w, x, y, alpha) pour un exemple du correcteur"
    answers = [
        as_array(submission.call("maj_perceptron", w, x, y, alpha), what, shape=w.shape)
        for w, x, y, alpha in cases
    ]
    for (w, x, y, alpha), got in zip(cases, answers, strict=True):
        expected = _perceptron_ref(w, x, y, alpha)
        if _perceptron_close(got, expected, w, x, alpha):
            continue
        hint_fr = "f(x) = 1 si w·x ≥ 0, 0 sinon ; puis w + α (y − f(x)) x"
        hint_en = "f(x) = 1 if w·x ≥ 0, else 0; then w + α (y − f(x)) x"
        matching = [
            (fr, en) for update, fr, en in _PERCEPTRON_MISTAKES
            if not allclose(update(w, x, y, alpha), expected) and all(
                _perceptron_close(a, update(*c), *c[:2], c[3]) for c, a in zip(cases, answers, strict=True)
            )
        ]
        if len(matching) > 1 and matching[:2] == [m[1:] for m in _PERCEPTRON_MISTAKES[:2]]:
            # The flipped sign and |y − f(x)| agree on every example here (no false negative):
            # the hint names the false positive, where both go wrong, without choosing.
            hint_fr, hint_en = (
                "pour un faux positif (y = 0, f(x) = 1), y − f(x) = −1 : la correction α (y − f(x)) x "
                "fait DIMINUER w de α x, votre mise à jour l'augmente (signe inversé, ou valeur "
                "absolue |y − f(x)| ?)",
                "for a false positive (y = 0, f(x) = 1), y − f(x) = −1: the correction α (y − f(x)) x "
                "DECREASES w by α x, your update increases it (flipped sign, or absolute value "
                "|y − f(x)|?)",
            )
        elif matching:
            hint_fr, hint_en = matching[0]
        assert_close(got, expected, name=what, rtol=1e-9, hint_fr=hint_fr, hint_en=hint_en)


def _clear_side(w: np.ndarray, x: np.ndarray) -> bool:
    """w·x away from 0, absolutely (0.1) and relative to |w| |x| (1e-2)."""
    s = abs(float(w @ x))
    return s > 0.1 and s > 1e-2 * float(np.linalg.norm(w) * np.linalg.norm(x))


@pytest.mark.item("perceptron_update", points=0.5)
def test_perceptron_random_examples(submission, rng):
    d = int(rng.integers(3, 7))
    cases = []
    for want_positive in (True, False):
        for y in (0, 1):
            while True:
                w = rng.normal(size=d)
                x = np.concatenate([[1.0], rng.normal(size=d - 1)])
                # |w·x| clear of 0, also relative to |w| |x| (the rounding of a float32 w·x is
                # ~1e-7 |w| |x|): the step's side is the same for every correct computation.
                if _clear_side(w, x) and (w @ x > 0) == want_positive:
                    break
            cases.append((w, x, y, float(rng.uniform(0.05, 1.0))))
    # Drawn on purpose (blind answer): examples where the bias alone decides the output, the
    # sign of w·x opposite to that of w[1:]·x[1:] (an output read without w0·x0 is wrong there).
    for want_positive in (True, False):
        while True:
            w = rng.normal(size=d)
            x = np.concatenate([[1.0], rng.normal(size=d - 1)])
            rest = float(w[1:] @ x[1:])
            if (abs(rest) > 0.1 and _clear_side(w, x) and (w @ x > 0) == want_positive
                    and (rest > 0) != want_positive):
                break
        cases.append((w, x, int(rng.integers(0, 2)), float(rng.uniform(0.05, 1.0))))
    _check_perceptron(submission, [cases[i] for i in rng.permutation(len(cases))])
    # A misclassified example (y − f(x) ≠ 0), so that `w += …` would show.
    w, x, y, alpha = next(c for c in cases if c[2] == 0 and c[0] @ c[1] > 0)
    assert_arguments_untouched(submission, "maj_perceptron", (w.copy(), x.copy(), y, alpha), {0: "w", 1: "x"}, advice={
        "w": (
            f"renvoyez un NOUVEAU tableau, w + alpha * (y − f) * x, sans écrire dans w (ni w += …, "
            f"ni w[i] = … ; {ASARRAY_FR})",
            f"return a NEW array, w + alpha * (y − f) * x, without writing to w (no w += ..., "
            f"no w[i] = ...; {ASARRAY_EN})",
        ),
        "x": (
            "x est l'entrée de l'exemple, à lire seulement : calculez la correction dans un "
            f"nouveau tableau, alpha * (y − f) * x, sans écrire dans x (ni x *= …, ni x += …, "
            f"ni x[i] = … ; {ASARRAY_FR})",
            "x is the example's input, to be read only: compute the correction into a new array, "
            f"alpha * (y − f) * x, without writing to x (no x *= ..., no x += ..., no x[i] = ...; "
            f"{ASARRAY_EN})",
        ),
    })
    # The statement asks for a NEW array: on a well-classified example (no change), returning
    # the w received itself aliases the caller's weights (blind answer: `return w`).
    w, x, y, alpha = next(c for c in cases if c[2] == 1 and c[0] @ c[1] > 0)
    if returns_its_weights.call(submission, Ref("maj_perceptron"), w, x, y, alpha):
        raise CheckFailed(
            "maj_perceptron renvoie le tableau w reçu lui-même (ou une vue de w) pour un exemple "
            "bien classé : l'énoncé demande un NOUVEAU tableau ; renvoyez w + alpha * (y − f) * x, "
            "qui en crée un même quand la correction est nulle (ou w.copy())",
            "maj_perceptron returns the w it received itself (or a view of w) for a "
            "well-classified example: the statement asks for a NEW array; return "
            "w + alpha * (y − f) * x, which creates one even when the correction is zero (or w.copy())",
        )


@kernel_side
def returns_its_weights(fn, w, x, y, alpha):
    """Whether fn(w, x, y, alpha) returns w itself or an array sharing its memory."""
    import numpy as np

    out = fn(w, x, y, alpha)
    return bool(out is w or (isinstance(out, np.ndarray) and np.shares_memory(out, w)))


@pytest.mark.item("perceptron_update", points=0.5)
def test_perceptron_step_convention_at_zero(submission, rng):
    d = int(rng.integers(3, 7))
    while True:
        x = np.concatenate([[1.0], rng.integers(-3, 4, size=d - 1).astype(float)])
        w = np.concatenate([[0.0], rng.integers(-3, 4, size=d - 1).astype(float)])
        # w[1:]·x[1:] ≥ 0: this check is about the convention at w·x = 0 alone; an output read
        # without the bias is test_perceptron_random_examples' (there, the bias decides).
        if w[1:] @ x[1:] >= 0:
            break
    w[0] = -float(w[1:] @ x[1:])  # integers: w·x is exactly 0
    alpha = float(rng.choice([0.25, 0.5, 1.0]))
    # Drawn on purpose (blind answer: a threshold 0.5, f(x) = 1 when w·x ≥ 0.5, told "inégalité
    # large" from w·x = 0 alone): the same example with w·x = 0.25 exactly (w0 + 0.25, a binary
    # fraction), a false positive: f(x) = 1, w decreases. A strict step answers it rightly, a
    # positive threshold above 0.25 does not: the two hints each keep their premise.
    small = w.copy()
    small[0] += 0.25
    _check_perceptron(submission, [(w, x, 0, alpha), (np.zeros(d), x, 0, alpha), (w, x, 1, alpha),
                                   (small, x, 0, alpha)])
    _check_integer_weights(submission, w, x)


_INT_W_FR = (
    "ici w est un tableau d'ENTIERS (la consigne dit « tableau de forme (d,) », np.array([0, 1, −1]) "
    "en est un) : votre nouveau vecteur garde le type entier de w, et la correction α (y − f(x)) x "
    "est tronquée ou refusée ; calculez en flottants, w + alpha * (y − f) * x (ou partez de "
    "np.array(w, dtype=float))"
)
_INT_W_EN = (
    "here w is an array of INTEGERS (the statement says \"array of shape (d,)\", np.array([0, 1, -1]) "
    "is one): your new vector keeps w's integer type, and the correction α (y − f(x)) x is "
    "truncated or refused; compute in floats, w + alpha * (y − f) * x (or start from "
    "np.array(w, dtype=float))"
)


def _check_integer_weights(submission, w: np.ndarray, x: np.ndarray) -> None:
    """Drawn on purpose (blind answer): the same w (integer values, w·x = 0) as an array of
    integers, a false positive with α = 0.5 (x0 = 1: w0 − 0.5 is no integer). A copy of w filled
    entry by entry keeps the int type. An update made in place (w += …, which NumPy refuses on
    integers) is test_perceptron_random_examples' fault: its premise, w changed by the call, is
    checked first."""
    w_int = w.astype(np.int64)
    if changed_argument_names(submission, "maj_perceptron", (w.copy(), x.copy(), 0, 0.5), {0: "w"}):
        return
    what = "maj_perceptron(w, x, y, alpha) pour un w d'entiers du correcteur"
    expected = _perceptron_ref(w_int, x, 0, 0.5)
    try:
        got = as_array(submission.call("maj_perceptron", w_int, x, 0, 0.5), what, shape=w.shape)
    except StudentError as exc:
        raise CheckFailed(f"{exc.message.fr} ; {_INT_W_FR}", f"{exc.message.en}; {_INT_W_EN}") from None
    if allclose(got, expected):
        return
    truncated = allclose(got, expected.astype(np.int64).astype(float))
    assert_close(got, expected, name=what, rtol=1e-9,
                 hint_fr=_INT_W_FR if truncated else "f(x) = 1 si w·x ≥ 0, 0 sinon ; puis w + α (y − f(x)) x",
                 hint_en=_INT_W_EN if truncated else "f(x) = 1 if w·x ≥ 0, else 0; then w + α (y − f(x)) x")
