"""TP07's code shared by its hidden checks (never released)."""

from __future__ import annotations

from autograder.checks import StudentError, kernel_side, with_references

from ..public.helpers import GUARD, student_error, transformer_error


# The grader's `attention` and `attention_multi_tetes`: a student function (or a kernel-side
# helper of the checks that runs the student's model) is run with them in place of the
# student's, so that an item built on another one is graded on its own (a bug in `attention`
# costs points once).
@kernel_side
def attention_reference(Q, K, V, masque=None):
    """softmax(Q Kᵀ / √d_k) V, positions where `masque` is False at −∞."""
    import math

    import torch

    s = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])
    if masque is not None:
        s = s.masked_fill(~masque.bool(), float("-inf"))
    return torch.softmax(s, dim=-1) @ V


@kernel_side(uses=(attention_reference,))
def mha_reference(x, W_in, b_in, W_out, b_out, n_tetes, masque=None):
    """Multi-head self-attention of x (B, n, d) on the grader's attention."""
    B, n, d = x.shape
    q, k, v = (x @ W_in.T + b_in).chunk(3, dim=-1)

    def sep(t):
        return t.reshape(B, n, n_tetes, d // n_tetes).transpose(1, 2)

    o = attention_reference(sep(q), sep(k), sep(v), masque).transpose(1, 2).reshape(B, n, d)
    return o @ W_out.T + b_out


GRADER_ATTENTION = {"attention": attention_reference}
GRADER_ATTENTION_AND_MHA = {**GRADER_ATTENTION, "attention_multi_tetes": mha_reference}


def grader_attention_call(submission, label: str, target: str, *args, quoi: str = "attention"):
    """The kernel global `target` (the student's function, or a helper's `ref_name`) called
    through GUARD with the grader's `attention` (and MHA with quoi="tout") in place of the
    student's: a forbidden call fails naming `label`, other errors are StudentErrors."""
    references = GRADER_ATTENTION_AND_MHA if quoi == "tout" else GRADER_ATTENTION
    try:
        return with_references(submission, references, label, target, *args,
                               via=GUARD.install(submission).name)
    except StudentError as exc:
        raise (GUARD.failure(label, exc) or exc) from None


def with_grader_attention(submission, label: str, target: str, *args, quoi: str = "attention"):
    """`grader_attention_call`, the student's errors mapped by `student_error`."""
    try:
        return grader_attention_call(submission, label, target, *args, quoi=quoi)
    except StudentError as exc:
        if "Transformer" in label:
            raise transformer_error(submission, label, exc) from None
        raise student_error(label, exc) from None


@kernel_side
def notebook_namespace(objet):
    """The globals where the student's function or class (its own methods) looks names up:
    the notebook's, where `with_references` puts the grader's references ({} if none)."""
    import inspect

    if inspect.isfunction(objet):
        return objet.__globals__
    for valeur in vars(objet).values() if isinstance(objet, type) else ():
        if inspect.isfunction(valeur):
            return valeur.__globals__
    return {}


# The grader's couche_gnn: the GNN-training item runs the student's GNN with it, so that a
# bug of couche_gnn costs the gnn item only.
@kernel_side
def couche_gnn_reference(X, A, W_soi, W_voisins, agregation="somme"):
    """ReLU(X W_soi + M W_voisins), M = A X, divided by the degrees with "moyenne"."""
    import torch

    M = A @ X
    if agregation == "moyenne":
        M = M / A.sum(dim=1, keepdim=True).clamp(min=1)
    return torch.relu(X @ W_soi + M @ W_voisins)


GNN_REFERENCES = {"couche_gnn": couche_gnn_reference}


# The same couche_gnn, recording each call (the shapes and identities of X, W_soi and W_voisins,
# the aggregation): what a GNN's forward really stacks, whatever its attributes are named.
@kernel_side
def recording_couche_gnn(X, A, W_soi, W_voisins, agregation="somme"):
    """The grader's couche_gnn that appends each call to its attribute `appels` and the
    weights it received to `poids` (lists that readers create the same way, `setdefault`)."""
    import torch

    enregistrement = vars(recording_couche_gnn)
    enregistrement.setdefault("appels", []).append({
        "X": tuple(X.shape), "soi": tuple(W_soi.shape), "voisins": tuple(W_voisins.shape),
        "ids": (W_soi.data_ptr(), W_voisins.data_ptr()), "agregation": str(agregation)})
    enregistrement.setdefault("poids", []).extend([W_soi, W_voisins])
    M = A @ X
    if agregation == "moyenne":
        M = M / A.sum(dim=1, keepdim=True).clamp(min=1)
    return torch.relu(X @ W_soi + M @ W_voisins)


GNN_RECORDING = {"couche_gnn": recording_couche_gnn}


# The same couche_gnn, keeping a copy of the weights of each call with their storage address:
# whether the weights a GNN gives it move during a training.
@kernel_side
def copying_couche_gnn(X, A, W_soi, W_voisins, agregation="somme"):
    """The grader's couche_gnn that appends (address, copy) of W_soi and W_voisins to its
    attribute `copies` at each call."""
    import torch

    copies = vars(copying_couche_gnn).setdefault("copies", [])
    for W in (W_soi, W_voisins):
        copies.append((int(W.data_ptr()), W.detach().clone()))
    M = A @ X
    if agregation == "moyenne":
        M = M / A.sum(dim=1, keepdim=True).clamp(min=1)
    return torch.relu(X @ W_soi + M @ W_voisins)


GNN_COPYING = {"couche_gnn": copying_couche_gnn}


@kernel_side
def gnn_records(espace):
    """The lists `appels` and `poids` of the recording couche_gnn in the namespace `espace`,
    emptied ((None, None) when its couche_gnn is not a function)."""
    import inspect

    couche = espace.get("couche_gnn")
    if not inspect.isfunction(couche):
        return None, None
    appels = vars(couche).setdefault("appels", [])
    poids = vars(couche).setdefault("poids", [])
    del appels[:]
    del poids[:]
    return appels, poids
