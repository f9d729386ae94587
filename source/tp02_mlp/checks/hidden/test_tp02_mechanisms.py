"""Hidden checks, part 6: what the outcome checks never vary.

- adam_step with non-default β1, β2 and ε (passed by keyword) against torch.optim.Adam
  with the same values (either placement of ε): hard-coded 0.9 / 0.999 / 1e-8 fail here.
- adam_step leaves the caller's params, grads and state unmodified: it returns NEW
  dictionaries and arrays.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import CheckFailed, Ref, SubmissionError, as_array, kernel_side, relabel

from .helpers import torch_adam


@kernel_side
def adam_inplace(adam_step, params, grads, lr, b1, b2, eps):
    """Two steps of the student's adam_step on copies: did it change what it was given?"""
    import copy

    import numpy as np

    params = {k: np.array(v, dtype=float) for k, v in params.items()}
    grads = {k: np.array(v, dtype=float) for k, v in grads.items()}
    p0, g0 = copy.deepcopy(params), copy.deepcopy(grads)
    _, state = adam_step(params, grads, None, lr, 1, beta1=b1, beta2=b2, eps=eps)
    s0 = copy.deepcopy(state)
    adam_step(params, grads, state, lr, 2, beta1=b1, beta2=b2, eps=eps)

    def same(a, b):
        if isinstance(a, dict):
            return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
        if isinstance(a, (list, tuple)):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=False))
        try:
            return bool(np.array_equal(np.asarray(a), np.asarray(b)))
        except Exception:
            return a is b

    return {"params": same(params, p0), "grads": same(grads, g0), "state": same(state, s0)}


def _eps_inside_traj(params, grads_seq, lr, b1, b2, eps):
    p = {k: np.array(v, dtype=float) for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v = {k: np.zeros_like(x) for k, x in p.items()}
    out = []
    for t, grads in enumerate(grads_seq, start=1):
        for k in p:
            m[k] = b1 * m[k] + (1 - b1) * grads[k]
            v[k] = b2 * v[k] + (1 - b2) * grads[k] ** 2
            p[k] = p[k] - lr * (m[k] / (1 - b1**t)) / np.sqrt(v[k] / (1 - b2**t) + eps)
        out.append({k: x.copy() for k, x in p.items()})
    return out


@pytest.mark.item("adam", points=0.5)
def test_adam_uses_its_hyperparameters_and_copies(submission, rng):
    b1, b2 = float(rng.uniform(0.6, 0.8)), float(rng.uniform(0.9, 0.98))
    eps = float(10.0 ** rng.uniform(-4.0, -3.0))
    params = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}
    grads_seq = [{k: rng.uniform(0.1, 1.0, size=v.shape) * rng.choice([-1.0, 1.0], size=v.shape)
                  for k, v in params.items()} for _ in range(4)]
    lr = 0.01

    def student(reorder=False, **kwargs):
        state, current, got = None, {k: v.copy() for k, v in params.items()}, []
        for t, grads in enumerate(grads_seq, start=1):
            if reorder:  # the same gradients, the keys listed in the other order than params
                grads = {k: grads[k] for k in reversed(list(grads))}
            res = submission.call("adam_step", current, grads, state, lr, t, **kwargs)
            if not isinstance(res, (tuple, list)) or len(res) != 2 or not isinstance(res[0], dict):
                raise CheckFailed("adam_step doit renvoyer le couple (nouveaux_params, nouvel_etat)",
                                  "adam_step must return the pair (new_params, new_state)")
            current = {k: as_array(res[0].get(k), f'params["{k}"] (t = {t})', shape=v.shape,
                                   allow_nan=True) for k, v in params.items()}
            state = res[1]
            got.append(current)
        return got

    def matches(got, b1_, b2_, eps_):
        refs = (torch_adam(params, grads_seq, lr, b1_, b2_, eps_),
                _eps_inside_traj(params, grads_seq, lr, b1_, b2_, eps_))
        # atol 1e-7: a correct Adam computed in float32 lands up to 0.21 of this tolerance (a
        # parameter ending near 0 carries the rounding of |θ| ~ 1: atol 1e-9 refused it); one
        # with eps hard-coded at 1e-8 at least 5 times it (500 draws).
        return any(all(np.allclose(got[s][k], ref[s][k], rtol=1e-6, atol=1e-7)
                       for s in range(len(got)) for k in params) for ref in refs)

    # A wrong Adam fails the step-by-step checks; this one only asks whether an Adam that is
    # right with the defaults also follows the values it is given.
    right = matches(student(), 0.9, 0.999, 1e-8)
    if right and not matches(student(beta1=b1, beta2=b2, eps=eps), b1, b2, eps):
        raise CheckFailed(
            "avec des beta1, beta2 et eps du correcteur passés en arguments, "
            "adam_step s'écarte de torch.optim.Adam réglé de même : utilisez les arguments "
            "beta1, beta2 et eps, pas les valeurs par défaut écrites en dur",
            "with grader values of beta1, beta2 and eps passed as arguments, "
            "adam_step leaves torch.optim.Adam set the same way: use the beta1, beta2 and eps "
            "arguments, not hard-coded default values",
        )
    # The statement: params and grads have "mêmes clés", not the same order. Right with grads
    # listed as params are (the premise), wrong with the other order: paired by position.
    if right:
        try:
            reordered = matches(student(reorder=True), 0.9, 0.999, 1e-8)
        except (CheckFailed, SubmissionError):
            reordered = False
        if not reordered:
            raise CheckFailed(
                "adam_step est juste quand grads liste ses clés dans le même ordre que params, "
                "faux dans l'autre ordre : les gradients sont appariés aux paramètres par "
                "position (zip(params.values(), grads.values()), une liste d'états) ; "
                "appariez-les par NOM : pour chaque clé k de params, grads[k] et l'état de k",
                "adam_step is right when grads lists its keys in the same order as params, wrong "
                "in the other order: gradients are paired with parameters by position "
                "(zip(params.values(), grads.values()), a list of states); pair them by NAME: for "
                "every key k of params, grads[k] and the state of k",
            )
    try:
        out = adam_inplace.call(submission, Ref("adam_step"), {k: v.tolist() for k, v in params.items()},
                                {k: v.tolist() for k, v in grads_seq[0].items()}, lr, b1, b2, eps)
    except SubmissionError as exc:
        raise relabel(exc, adam_inplace.ref_name, "adam_step") from None
    changed = [name for name in ("params", "grads", "state") if not (isinstance(out, dict) and out.get(name) is True)]
    if changed:
        raise CheckFailed(
            f"adam_step modifie sur place ce qu'on lui passe ({', '.join(changed)}) : "
            "renvoyez de NOUVEAUX dictionnaires et tableaux (p - lr * …, pas p -= …)",
            f"adam_step modifies what it is given in place ({', '.join(changed)}): return NEW "
            "dictionaries and arrays (p - lr * ..., not p -= ...)",
        )
