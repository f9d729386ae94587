"""TP07's code shared by its public and hidden checks: the attention guard, the kernel-side
helpers that build and run the student's Transformer, the mapping of the student's errors
to messages, and the notebook's community graph drawn on the grader's side."""

from __future__ import annotations

import numpy as np

from autograder.checks import TORCH_ATTENTION, CheckFailed, Handle, StudentError, student_failure

# PyTorch's own attention, switched off in the kernel while the checks call `attention`,
# `attention_multi_tetes` or the Transformer, so that they are really computed by hand
# (names the student's cell bound to these functions are switched off too).
GUARD = TORCH_ATTENTION

# Trusted kernel-side helpers: build the student's Transformer with a given seed, redraw its
# parameters at a given scale, run a model on a batch of character indices, and a grader
# bigram model (causal by construction) to test the student's training loop on its own.
MODEL_SRC = """
def _tp07_construire(graine, *args, **kwargs):
    import torch
    torch.manual_seed(int(graine))
    return PetitTransformer(*args, **kwargs)


def _tp07_reinitialiser(modele, graine, echelle):
    import torch
    g = torch.Generator().manual_seed(int(graine))
    with torch.no_grad():
        for p in modele.parameters():
            bruit = torch.randn(tuple(p.shape), generator=g, dtype=torch.float64) * echelle
            if p.ndim > 1:
                bruit /= p.shape[-1] ** 0.5
            p.copy_(bruit.to(p.dtype))


def _tp07_logits(modele, X, dernier=False, lot=512):
    import torch
    if not isinstance(modele, torch.nn.Module):
        raise TypeError("TP07_PAS_MODULE " + type(modele).__name__)
    modele.eval()
    try:
        appareil = next(modele.parameters()).device
    except StopIteration:
        appareil = torch.device("cpu")
    sorties = []
    with torch.no_grad():
        for i in range(0, len(X), lot):
            x = X[i : i + lot]
            s = modele(x.to(appareil))
            if not isinstance(s, torch.Tensor) or s.ndim != 3 or tuple(s.shape[:2]) != tuple(x.shape):
                raise ValueError("TP07_FORME " + str(tuple(getattr(s, "shape", ()))))
            sorties.append((s[:, -1] if dernier else s).float().cpu())
    return torch.cat(sorties)


def _tp07_bigramme(graine, taille_vocab):
    import torch
    torch.manual_seed(int(graine))
    return torch.nn.Sequential(torch.nn.Embedding(taille_vocab, 16), torch.nn.Linear(16, taille_vocab))
"""


def student_error(name: str, exc: StudentError) -> CheckFailed:
    """The student's error as a message naming `name` (the kernel helpers' markers read)."""
    # "TP07_FORME" also matches "TP07_FORMES_LOTS", so the branch after it is never reached:
    # kept in this order, as before, so that no message changes (a fix would change one).
    if "TP07_FORME" in exc.evalue:
        shape = exc.evalue.split("TP07_FORME", 1)[1].strip()[:60]
        return CheckFailed(
            f"{name} renvoie une sortie de forme {shape} pour une entrée (B, T) : des logits "
            "(B, T, taille_vocab) sont attendus, un vecteur par position",
            f"{name} returns an output of shape {shape} for a (B, T) input: logits "
            "(B, T, taille_vocab) are expected, one vector per position",
        )
    if "TP07_FORMES_LOTS" in exc.evalue:
        shapes = exc.evalue.split("TP07_FORMES_LOTS", 1)[1].strip()[:120]
        return CheckFailed(
            f"{name} donne au modèle des lots de formes différentes d'une étape à l'autre "
            f"({shapes}) : chaque étape doit lui passer un lot (taille_lot, contexte)",
            f"{name} feeds the model batches of different shapes from one step to the next "
            f"({shapes}): every step must pass it one (taille_lot, contexte) batch",
        )
    if "TP07_PAS_MODULE" in exc.evalue:
        kind = exc.evalue.split()[-1][:60]
        return CheckFailed(
            f"{name} doit être un nn.Module, obtenu {kind}",
            f"{name} must be an nn.Module, got {kind}",
        )
    return student_failure(name, exc)


def call(submission, name: str, *args, **kwargs):
    """The student's `name`, its errors mapped by `student_error`."""
    try:
        return submission.call(name, *args, **kwargs)
    except StudentError as exc:
        raise student_error(name, exc) from None


def guarded(submission, name: str, *args, via: str | None = None, **kwargs):
    """Call `via` (default: the student's `name`) with PyTorch's attention switched off."""
    try:
        return GUARD.call(submission, name, *args, via=via, **kwargs)
    except StudentError as exc:
        raise student_error(name, exc) from None


def sbm(
    rng,
    n: int,
    n_classes: int,
    d: int,
    deg_in: float = 8.0,
    deg_out: float = 1.5,
    separation: float = 1.1,
):
    """The notebook's `graphe_sbm`, on the grader's side (numpy)."""
    y = rng.permutation(np.arange(n) % n_classes)
    same = y[:, None] == y[None, :]
    size = n / n_classes
    p = np.where(same, deg_in / size, deg_out / (n - size))
    A = np.triu(rng.random((n, n)) < p, 1).astype(np.float32)
    A = A + A.T
    means = rng.normal(size=(n_classes, d))
    means *= separation / np.linalg.norm(means, axis=1, keepdims=True)
    X = (means[y] + rng.normal(size=(n, d))).astype(np.float32)
    return X, A, y


def build_transformer(submission, label: str, graine: int, *args, **kwargs) -> Handle:
    """The student's `PetitTransformer(*args, **kwargs)` built under `graine` (`label` names it)."""
    submission.define("_tp07_construire", MODEL_SRC)
    model = guarded(submission, "PetitTransformer", graine, *args, via="_tp07_construire", **kwargs)
    if not isinstance(model, Handle):
        raise CheckFailed(
            f"{label} doit construire un nn.Module, obtenu {type(model).__name__}",
            f"{label} must build an nn.Module, got {type(model).__name__}",
        )
    return model
