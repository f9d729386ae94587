"""Hidden checks, part 3: Adam from scratch, step by step against torch.optim.Adam.

The grader draws parameters and a sequence of gradients, runs `torch.optim.Adam` on them
in float64 and chains the student's `adam_step` over the same gradients, passing back the
state it returned. Two variants are correct: ε outside the square root (PyTorch, the
original paper) and ε inside (the course). With gradients far above 1e-4 they agree to
~1e-9; with tiny gradients they differ, and the student's trajectory must follow one of
them from start to end. Classic mistakes are recognised by replaying them here. A correct Adam
computed in float32 is correct too (the statement asks no dtype): the tiny-gradient check
draws parameters of size ~0.01 and a tolerance above the float32 rounding of both variants
on its own problem, below the gap of an Adam without ε.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from autograder.checks import CheckFailed, StudentError, allclose, as_array, record_expected

from .helpers import torch_adam

B1, B2, EPS = 0.9, 0.999, 1e-8
N_STEPS = 6


def _variant(
    params,
    grads_seq,
    lr,
    *,
    eps_inside=False,
    bias_correction=True,
    reset_state=False,
    betas=(B1, B2),
    sign=1.0,
    t_offset=0,
    store_corrected=False,
    correction_betas_swapped=False,
    v_from_m=False,
    dtype=np.float64,
):
    """Adam as written by hand, with switches that replay the classic mistakes (computed in
    `dtype`, returned in float64)."""
    b1, b2 = betas
    p = {k: np.array(v, dtype=dtype) for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v = {k: np.zeros_like(x) for k, x in p.items()}
    out = []
    for t, grads in enumerate(grads_seq, start=1):
        if reset_state:
            m = {k: np.zeros_like(x) for k, x in p.items()}
            v = {k: np.zeros_like(x) for k, x in p.items()}
        tt = t + t_offset
        for k in p:
            g = np.asarray(grads[k], dtype=dtype)
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * (m[k] * m[k] if v_from_m else g * g)
            c1, c2 = (1 - b2**tt, 1 - b1**tt) if correction_betas_swapped else (1 - b1**tt, 1 - b2**tt)
            mh = m[k] / c1 if bias_correction else m[k]
            vh = v[k] / c2 if bias_correction else v[k]
            denom = np.sqrt(vh + EPS) if eps_inside else np.sqrt(vh) + EPS
            p[k] = (p[k] - sign * lr * mh / denom).astype(dtype)
            if store_corrected:  # m̂ and v̂ kept in the state, read back as m and v next step
                m[k], v[k] = mh, vh
        out.append({k: x.astype(np.float64) for k, x in p.items()})
    return out


_CORRECT = {
    "torch": ("ε après la racine (PyTorch)", "ε outside the square root (PyTorch)"),
    "course": ("ε sous la racine (cours)", "ε inside the square root (course)"),
}

_MISTAKES = [
    (
        {"bias_correction": False},
        "la correction du biais manque : m̂ = m / (1 − β1^t) et v̂ = v / (1 − β2^t) ; sans elle "
        "les premiers pas sont faussés (au premier pas, m = 0.1·g et v = 0.001·g²)",
        "the bias correction is missing: m̂ = m / (1 − β1^t) and v̂ = v / (1 − β2^t); without "
        "it the first steps are wrong (at the first step, m = 0.1·g and v = 0.001·g²)",
    ),
    (
        {"reset_state": True},
        "seul le premier pas est juste : m et v repartent de zéro à chaque appel ; ils doivent "
        "être conservés d'un pas à l'autre dans state (renvoyez-les, et relisez-les au pas suivant)",
        "only the first step is right: m and v restart from zero at every call; they must be "
        "carried from one step to the next in state (return them, and read them back next step)",
    ),
    (
        {"betas": (B2, B1)},
        "β1 et β2 sont inversés : β1 = 0.9 pour le moment m, β2 = 0.999 pour v",
        "β1 and β2 are swapped: β1 = 0.9 for the momentum m, β2 = 0.999 for v",
    ),
    (
        {"store_corrected": True},
        "le premier pas est juste, les suivants non : l'état garde les moments CORRIGÉS m̂ et v̂ ; "
        "gardez dans state les moyennes glissantes m et v elles-mêmes, et calculez m̂ = m / (1 − "
        "β1^t), v̂ = v / (1 − β2^t) à part, pour le pas seulement",
        "the first step is right, the next ones are not: the state keeps the CORRECTED moments m̂ "
        "and v̂; keep the running averages m and v themselves in state, and compute m̂ = m / (1 − "
        "β1^t), v̂ = v / (1 − β2^t) apart, for the step only",
    ),
    (
        {"correction_betas_swapped": True},
        "la correction du biais mélange β1 et β2 : m̂ = m / (1 − β1^t) et v̂ = v / (1 − β2^t) "
        "(β1 pour m, β2 pour v)",
        "the bias correction mixes up β1 and β2: m̂ = m / (1 − β1^t) and v̂ = v / (1 − β2^t) "
        "(β1 for m, β2 for v)",
    ),
    (
        {"v_from_m": True},
        "v est la moyenne glissante du CARRÉ DU GRADIENT : v = β2·v + (1 − β2)·g², pas du carré "
        "du moment m",
        "v is the running average of the SQUARED GRADIENT: v = β2·v + (1 − β2)·g², not of the "
        "squared momentum m",
    ),
    (
        {"sign": -1.0},
        "le signe du pas est inversé : θ ← θ − η · m̂ / (√v̂ + ε)",
        "the step has the wrong sign: θ ← θ − η · m̂ / (√v̂ + ε)",
    ),
    (
        {"t_offset": 1},
        "la correction du biais est décalée d'un pas : t vaut 1 au premier appel, utilisez-le tel quel",
        "the bias correction is off by one step: t is 1 at the first call, use it as is",
    ),
]


def _traj_close(got, ref, upto: int, keys, rtol, atol) -> bool:
    return all(allclose(got[s][k], ref[s][k], rtol=rtol, atol=atol) for s in range(upto) for k in keys)


_OUTSIDE_STATE = (
    "adam_step garde quelque chose d'un appel à l'autre EN DEHORS de state (m et v dans des "
    "variables globales, par exemple) : deux appels avec exactement les mêmes arguments "
    "(state=None, t=1) ne donnent pas le même résultat ; lisez m et v dans l'argument state "
    "(des zéros quand il vaut None) et renvoyez-les dans le nouvel état, sans rien garder "
    "ailleurs (deux optimisations indépendantes doivent pouvoir alterner)",
    "adam_step keeps something from one call to the next OUTSIDE state (m and v in global "
    "variables, say): two calls with exactly the same arguments (state=None, t=1) do not give "
    "the same result; read m and v from the state argument (zeros when it is None) and return "
    "them in the new state, keeping nothing elsewhere (two independent optimisations must be "
    "able to alternate)",
)


def _keeps_state_outside(submission, params, grads, lr) -> bool:
    """Premise of _OUTSIDE_STATE: the same first step (state=None, t=1), asked three times,
    raises at some calls only or gives different parameters. Under keys of its own (any names
    are parameters' names), so that what a global kept under the usual keys, of other shapes,
    does not make every call raise."""
    def key(k, v):
        return f"sonde_{k}_" + "x".join(str(d) for d in np.shape(v))

    grads = {key(k, params[k]): v for k, v in grads.items()}
    params = {key(k, v): v for k, v in params.items()}
    outcomes = []
    for _ in range(3):
        try:
            res = submission.call(
                "adam_step", {k: v.copy() for k, v in params.items()},
                {k: v.copy() for k, v in grads.items()}, None, lr, 1,
            )
            new = res[0] if isinstance(res, (tuple, list)) and len(res) == 2 else None
            outcomes.append(
                {k: np.asarray(new[k], dtype=float) for k in params}
                if isinstance(new, dict) and all(k in new for k in params)
                else None
            )
        except StudentError:
            outcomes.append("raised")
        except (TypeError, ValueError):
            outcomes.append(None)
    done = [o for o in outcomes if isinstance(o, dict)]
    if not done:
        return False
    if len(done) < len(outcomes):
        return True
    return not all(
        np.array_equal(o[k], done[0][k], equal_nan=True) for o in done[1:] for k in params
    )


def _run_student(submission, params, grads_seq, lr, what_fr, what_en):
    """Chain the student's adam_step; returns the list of parameter dicts after each step (in
    float64), and whether any was handed back in float32 or float16."""
    state = None
    current = {k: v.copy() for k, v in params.items()}
    out = []
    low_precision = False
    for t, grads in enumerate(grads_seq, start=1):
        try:
            res = submission.call("adam_step", current, grads, state, lr, t)
        except StudentError as exc:
            if not _keeps_state_outside(submission, params, grads_seq[0], lr):
                raise
            raise CheckFailed(
                f"adam_step a levé {exc.ename} au pas t = {t} ({what_fr}) ; {_OUTSIDE_STATE[0]}",
                f"adam_step raised {exc.ename} at step t = {t} ({what_en}); {_OUTSIDE_STATE[1]}",
            ) from None
        if not isinstance(res, (tuple, list)) or len(res) != 2 or not isinstance(res[0], dict):
            raise CheckFailed(
                "adam_step doit renvoyer le couple (nouveaux_params, nouvel_etat)",
                "adam_step must return the pair (new_params, new_state)",
            )
        new, state = res
        step = {}
        for k, v in params.items():
            if k not in new:
                raise CheckFailed(
                    f'au pas t = {t}, les nouveaux paramètres n\'ont pas la clé "{k}" de params',
                    f'at step t = {t}, the new parameters lack the key "{k}" of params',
                )
            value = as_array(
                new[k],
                f'params["{k}"] après le pas t = {t} ({what_fr})',
                shape=v.shape,
                dtype=None,
                allow_nan=True,
            )
            low_precision = low_precision or value.dtype in (np.float32, np.float16)
            step[k] = value.astype(np.float64)
        out.append(step)
        current = step
    return out, low_precision


def _check_trajectory(submission, params, grads_seq, lr, rtol, atol, what_fr, what_en) -> None:
    keys = list(params)
    refs = {
        "torch": torch_adam(params, grads_seq, lr),
        "course": _variant(params, grads_seq, lr, eps_inside=True),
    }
    got, low_precision = _run_student(submission, params, grads_seq, lr, what_fr, what_en)
    n = len(grads_seq)
    for name, traj in refs.items():
        record_expected(f"adam {name}", [traj[s][k] for s in range(n) for k in keys])
    if any(_traj_close(got, ref, n, keys, rtol, atol) for ref in refs.values()):
        return
    # First step where the student leaves both correct variants.
    first_bad = next(
        s
        for s in range(n)
        if not any(_traj_close(got, ref, s + 1, keys, rtol, atol) for ref in refs.values())
    )
    hint_fr = hint_en = ""
    if _keeps_state_outside(submission, params, grads_seq[0], lr):
        hint_fr, hint_en = _OUTSIDE_STATE
    for switches, fr, en in [] if hint_fr else _MISTAKES:
        for inside in (False, True):
            wrong = _variant(params, grads_seq, lr, eps_inside=inside, **switches)
            if _traj_close(got, wrong, n, keys, rtol, atol) and not _traj_close(
                wrong, refs["torch"], n, keys, rtol, atol
            ):
                hint_fr, hint_en = fr, en
                break
        if hint_fr:
            break
    if not hint_fr and low_precision:
        # Premise: the answer hands back float32 (or float16) arrays; the tolerance already
        # covers float32 rounding, so say precision rather than recite the formula.
        hint_fr = (
            "les paramètres renvoyés sont en float32 (ou moins) : même à cette précision, l'écart "
            "dépasse l'arrondi attendu sur ces très petits pas ; calculez en float64 "
            "(np.asarray(p, dtype=float)) et vérifiez la place de ε"
        )
        hint_en = (
            "the returned parameters are float32 (or less): even at that precision, the gap "
            "exceeds the expected rounding on these tiny steps; compute in float64 "
            "(np.asarray(p, dtype=float)) and check where ε goes"
        )
    if not hint_fr:
        hint_fr = (
            "m = β1·m + (1 − β1)·g, v = β2·v + (1 − β2)·g², m̂ = m / (1 − β1^t), "
            "v̂ = v / (1 − β2^t), θ ← θ − η·m̂ / (√v̂ + ε) (ou √(v̂ + ε))"
        )
        hint_en = (
            "m = β1·m + (1 − β1)·g, v = β2·v + (1 − β2)·g², m̂ = m / (1 − β1^t), "
            "v̂ = v / (1 − β2^t), θ ← θ − η·m̂ / (√v̂ + ε) (or √(v̂ + ε))"
        )
    ref = refs["torch"][first_bad]
    worst_k = max(
        keys,
        key=lambda k: (
            float(np.nanmax(np.abs(got[first_bad][k] - ref[k]))) if got[first_bad][k].size else 0.0
        ),
    )
    diff = np.abs(got[first_bad][worst_k] - ref[worst_k])
    idx = np.unravel_index(int(np.nanargmax(np.where(np.isnan(diff), np.inf, diff))), diff.shape)
    where = "[" + ", ".join(str(int(i)) for i in idx) + "]"
    # Hidden inputs: where the trajectory leaves Adam's, never the value it should have had.
    raise CheckFailed(
        f"adam_step ({what_fr}) : les paramètres s'écartent de torch.optim.Adam dès le pas "
        f't = {first_bad + 1} sur {n} ; pire écart sur params["{worst_k}"]{where} ; {hint_fr}',
        f"adam_step ({what_en}): the parameters leave torch.optim.Adam at step t = "
        f'{first_bad + 1} of {n}; worst gap at params["{worst_k}"]{where}; {hint_en}',
    )


def _problem(rng, magnitude, scale=1.0):
    a, b = int(rng.integers(2, 6)), int(rng.integers(2, 6))
    params = {"W": scale * rng.normal(size=(a, b)), "b": scale * rng.normal(size=b)}
    grads_seq = [
        {
            k: magnitude(rng, v.shape) * rng.choice([-1.0, 1.0], size=v.shape)
            for k, v in params.items()
        }
        for _ in range(N_STEPS)
    ]
    lr = float(10.0 ** rng.uniform(-3.0, -2.0))
    return params, grads_seq, lr, (a, b)


@pytest.mark.item("adam", points=1.5)
def test_adam_matches_torch_step_by_step(submission, rng):
    # |g| ≥ 0.1: v̂ ≥ 0.01 ≫ ε, so both placements of ε agree to ~1e-9 here.
    params, grads_seq, lr, _ = _problem(rng, lambda r, s: r.uniform(0.1, 2.0, size=s))
    _check_trajectory(
        submission,
        params,
        grads_seq,
        lr,
        rtol=1e-6,
        atol=1e-7,
        what_fr=f"W et b de formes du correcteur, lr du correcteur, {N_STEPS} pas, |g| entre 0.1 et 2",
        what_en=f"W and b of the grader's shapes, the grader's lr, {N_STEPS} steps, |g| between 0.1 and 2",
    )


def _tiny_tolerance(params, grads_seq, lr) -> float:
    """Absolute tolerance of the tiny-gradient trajectory: above the float32 rounding of both
    correct variants on this very problem (computed and returned in float32: at most 3.4e-6·lr
    over 300 draws), below the smallest gap of an Adam without ε (or ε² under the root) to the
    nearer of them (at least 5.8e-4·lr): parameters of size ~0.01 keep the float32 rounding of
    θ (an ulp of |θ|) far below a step of ~lr."""
    exact = (torch_adam(params, grads_seq, lr), _variant(params, grads_seq, lr, eps_inside=True))
    single = (
        torch_adam(params, grads_seq, lr, dtype=torch.float32),
        _variant(params, grads_seq, lr, eps_inside=True, dtype=np.float32),
    )
    rounding = max(
        float(np.max(np.abs(a[s][k] - b[s][k])))
        for a, b in zip(exact, single, strict=True)
        for s in range(len(grads_seq))
        for k in params
    )
    return max(3e-5 * lr, 10.0 * rounding)


@pytest.mark.item("adam", points=1)
def test_adam_tiny_gradients_either_epsilon(submission, rng):
    # |g| ~ 1e-5..1e-4: v̂ is comparable to ε and the two placements of ε differ by up to
    # ~40 % of a step; the trajectory must follow one of them all along. Parameters of size
    # ~0.01: the float32 rounding of θ stays far below the gap ε makes (see _tiny_tolerance).
    params, grads_seq, lr, _ = _problem(
        rng, lambda r, s: 10.0 ** r.uniform(-5.0, -4.0, size=s), scale=0.01
    )
    _check_trajectory(
        submission,
        params,
        grads_seq,
        lr,
        rtol=0.0,
        atol=_tiny_tolerance(params, grads_seq, lr),
        what_fr=f"W et b de formes du correcteur, lr du correcteur, {N_STEPS} pas, "
        "très petits gradients (|g| entre 1e-5 et 1e-4) : ε sous ou après la racine sont acceptés",
        what_en=f"W and b of the grader's shapes, the grader's lr, {N_STEPS} steps, "
        "tiny gradients (|g| between 1e-5 and 1e-4): ε inside or outside the root are accepted",
    )
