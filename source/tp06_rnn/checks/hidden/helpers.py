"""Shared by TP06's hidden checks: the two rules the statement sets for every function that
receives tensors (its conventions): the arguments are never modified in place, and a cell or
an unrolled sequence stays differentiable (section 5 backpropagates through them, section 6
trains them), so the gradient of its output reaches every input and every weight.

Both are seen in the student's kernel, on grader inputs: the library's
`changed_argument_names` calls the function once on plain tensors (each argument compared
before and after, dictionaries entry by entry), then `sonder` calls it on fresh leaves that
require a gradient and returns the gradients of a grader-weighted sum of the outputs. The
grader compares them with its own autograd of the course's formula.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch

from autograder.checks import (
    CheckFailed,
    KernelSide,
    Ref,
    SubmissionError,
    Tensor,
    as_array,
    changed_argument_names,
    kernel_side,
    record_margin,
    relabel,
    with_references,
)


# The grader's cellule_rnn and rnn_sequence: an item that may call them (rnn_sequence,
# normes_gradient_h0) is graded with these, so a bug of the cell costs the cell's points only.
# The checks also call them here, as the oracle of the course's formula.
@kernel_side
def cellule_rnn(x_t, h_prec, W_xh, W_hh, b_h):
    import torch

    return torch.tanh(x_t @ W_xh.T + h_prec @ W_hh.T + b_h)


@kernel_side
def rnn_sequence(X, h0, W_xh, W_hh, b_h):
    import torch

    h, etats = h0, []
    for t in range(X.shape[0]):
        h = torch.tanh(X[t] @ W_xh.T + h @ W_hh.T + b_h)
        etats.append(h)
    return torch.stack(etats)


CELL_REFERENCE = {"cellule_rnn": cellule_rnn}
SEQUENCE_REFERENCES = {"cellule_rnn": cellule_rnn, "rnn_sequence": rnn_sequence}

# Gradients: float32 answers (x.float() inside) stay within 1e-6 relative of the float64
# oracle; a cut graph (.detach() on h_{t-1}, on c_t, on the state between steps) loses a whole
# term, an error of order 1 relative to the gradient's size.
GRAD_RTOL = 1e-4


@kernel_side
def sonder(fn, args, noms, poids):
    """Runs in the kernel: fn(*args) on fresh leaves; whether its outputs stay in the graph
    and the gradients of sum_k <output_k, poids_k> with respect to every floating input
    (zero where it is not in the graph)."""
    import torch

    chemins, feuilles = [], []

    def feuille(v, nom):
        if isinstance(v, torch.Tensor) and v.is_floating_point():
            t = v.detach().clone().requires_grad_(True)
            chemins.append(nom)
            feuilles.append(t)
            return t
        if isinstance(v, dict):
            return {k: feuille(x, f"{nom}[{k!r}]") for k, x in v.items()}
        return v

    try:
        sortie = fn(*[feuille(a, nom) for a, nom in zip(args, noms, strict=False)])
    except Exception as exc:  # e.g. an in-place op on a tensor of the graph: not differentiable
        return {"graphe": False, "erreur": f"{type(exc).__name__}: {exc}"[:300]}
    sorties = list(sortie) if isinstance(sortie, (list, tuple)) else [sortie]
    if len(sorties) != len(poids) or not all(
        isinstance(s, torch.Tensor) and s.requires_grad for s in sorties
    ):
        return {"graphe": False}
    perte = sum(
        (s.double() * torch.as_tensor(w, dtype=torch.float64)).sum() for s, w in zip(sorties, poids, strict=False)
    )
    grads = torch.autograd.grad(perte, feuilles, allow_unused=True)
    return {
        "graphe": True,
        "grads": {
            c: (torch.zeros_like(f) if g is None else g).detach().double()
            for c, g, f in zip(chemins, grads, feuilles, strict=False)
        },
    }


def _send(v: Any) -> Any:
    if isinstance(v, torch.Tensor):
        return Tensor(v.detach().numpy().astype(np.float64))
    if isinstance(v, dict):
        return {k: _send(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_send(x) for x in v]
    return v


def _leaves(v: Any, name: str, paths: list[str], leaves: list[torch.Tensor]) -> Any:
    if isinstance(v, torch.Tensor):
        t = v.detach().clone().requires_grad_(True)
        paths.append(name)
        leaves.append(t)
        return t
    if isinstance(v, dict):
        return {k: _leaves(x, f"{name}[{k!r}]", paths, leaves) for k, x in v.items()}
    return v


def check_arguments_and_graph(
    submission: Any,
    fn: str,
    args: Sequence[Any],
    names: Sequence[str],
    rng: np.random.Generator,
    *,
    reference: Callable[..., Any] | None,
    inplace_fr: str,
    inplace_en: str,
    references: Mapping[str, str | KernelSide[Any]] | None = None,
) -> None:
    """`fn(*args)` leaves its arguments as they were and, when `reference` (the course's
    formula in torch) is given, its output carries the reference's gradients to every input."""
    poids = None
    ref_grads: dict[str, np.ndarray] = {}
    if reference is not None:
        paths: list[str] = []
        leaves: list[torch.Tensor] = []
        out = reference(*[_leaves(a, n, paths, leaves) for a, n in zip(args, names, strict=True)])
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        poids = [torch.from_numpy(rng.normal(size=tuple(o.shape))) for o in outs]
        loss = sum((o * w).sum() for o, w in zip(outs, poids, strict=True))
        grads = torch.autograd.grad(loss, leaves, allow_unused=True)
        ref_grads = {
            p: (np.zeros(tuple(leaf.shape)) if g is None else g.numpy())
            for p, g, leaf in zip(paths, grads, leaves, strict=True)
        }
    sent = [_send(a) for a in args]
    modified = changed_argument_names(submission, fn, sent, dict(enumerate(names)), references=references)
    if modified:
        raise CheckFailed(
            f"{fn} modifie sur place ce qu'on lui passe ({', '.join(modified)}) : l'énoncé demande "
            f"de ne jamais modifier les arguments ; {inplace_fr}",
            f"{fn} modifies what it is given in place ({', '.join(modified)}): the statement asks "
            f"never to modify the arguments; {inplace_en}",
        )
    if reference is None:
        return
    sent_poids = [_send(w) for w in poids]
    try:
        if references:
            res = with_references(submission, references, fn, Ref(fn), sent, list(names),
                                  sent_poids, via=sonder.install(submission).name)
        else:
            res = sonder.call(submission, Ref(fn), sent, list(names), sent_poids)
    except SubmissionError as exc:
        raise relabel(exc, sonder.ref_name, fn) from None
    if not isinstance(res, dict):
        return
    if res.get("graphe") is not True and isinstance(res.get("erreur"), str):
        raise CheckFailed(
            f"{fn} lève une erreur quand ses entrées demandent un gradient (requires_grad=True), "
            "souvent une opération sur place (sigmoid_, +=, mul_) sur un tenseur du graphe "
            "d'autograd ; écrivez i = torch.sigmoid(i) plutôt que i.sigmoid_() (message "
            f"d'origine : {res['erreur']})",
            f"{fn} raises an error when its inputs require a gradient (requires_grad=True), "
            "often an in-place operation (sigmoid_, +=, mul_) on a tensor of the autograd graph; "
            f"write i = torch.sigmoid(i) rather than i.sigmoid_() (original message: {res['erreur']})",
        )
    if res.get("graphe") is not True:
        raise CheckFailed(
            f"{fn} renvoie un résultat détaché du graphe d'autograd (.detach(), .data, "
            "torch.no_grad(), un passage par numpy ou torch.tensor(...)) : un RNN s'entraîne en "
            "rétropropageant à travers chaque pas (section 5), la sortie doit rester dérivable "
            "par rapport aux entrées et aux poids",
            f"{fn} returns a result detached from the autograd graph (.detach(), .data, "
            "torch.no_grad(), a round trip through numpy or torch.tensor(...)): an RNN is trained "
            "by backpropagating through every step (section 5), the output must stay "
            "differentiable with respect to the inputs and the weights",
        )
    got = res.get("grads") if isinstance(res.get("grads"), dict) else {}
    cut, worst = [], 0.0
    for path, want in ref_grads.items():
        g = as_array(got.get(path), f"gradient par rapport à {path}", shape=want.shape, allow_nan=True)
        scale = float(np.abs(want).max()) + 1e-12
        err = float(np.abs(g - want).max()) / scale if np.all(np.isfinite(g)) else np.inf
        worst = max(worst, err)
        if err > GRAD_RTOL:
            cut.append(path)
    record_margin(f"{fn}: relative error of the gradients through the output", worst, GRAD_RTOL,
                  higher_is_better=False, kind="tolerance")
    if cut:
        raise CheckFailed(
            f"les valeurs de {fn} sont justes, mais le gradient de sa sortie ne parvient pas (ou "
            f"pas entièrement) à {', '.join(cut)} : un .detach() ou .data coupe le graphe "
            "(la rétropropagation dans le temps passe par chaque état précédent) ; n'en mettez pas "
            "dans la cellule ni entre les pas",
            f"the values of {fn} are right, but the gradient of its output does not reach (or not "
            f"fully) {', '.join(cut)}: a .detach() or .data cuts the graph (backpropagation "
            "through time goes through every previous state); put none in the cell nor between "
            "the steps",
        )
