"""TP07's code shared by its hidden checks (never released)."""

# Trusted kernel-side helper: runs a student function with the grader's own `attention`
# (and, with quoi="tout", `attention_multi_tetes`) in place of the student's, so that an
# item built on another one is graded on its own (a bug in `attention` costs points once).
REFS_SRC = """
def _tp07_avec_references(nom, quoi, *args, **kwargs):
    import math
    import torch

    def attention_ref(Q, K, V, masque=None):
        s = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])
        if masque is not None:
            s = s.masked_fill(~masque.bool(), float("-inf"))
        return torch.softmax(s, dim=-1) @ V

    def mha_ref(x, W_in, b_in, W_out, b_out, n_tetes, masque=None):
        B, n, d = x.shape
        q, k, v = (x @ W_in.T + b_in).chunk(3, dim=-1)
        sep = lambda t: t.reshape(B, n, n_tetes, d // n_tetes).transpose(1, 2)
        o = attention_ref(sep(q), sep(k), sep(v), masque).transpose(1, 2).reshape(B, n, d)
        return o @ W_out.T + b_out

    g = globals()
    remplacees = {"attention": attention_ref}
    if quoi == "tout":
        remplacees["attention_multi_tetes"] = mha_ref
    anciennes = {k: g[k] for k in remplacees if k in g}
    g.update(remplacees)
    try:
        return g[nom](*args, **kwargs)
    finally:
        for k in remplacees:
            if k in anciennes:
                g[k] = anciennes[k]
            else:
                g.pop(k, None)
"""

# The grader's couche_gnn: the GNN-training item runs the student's GNN with it, so that a
# bug of couche_gnn costs the gnn item only.
GNN_REFERENCES = {
    "couche_gnn": '''
def couche_gnn(X, A, W_soi, W_voisins, agregation="somme"):
    import torch
    M = A @ X
    if agregation == "moyenne":
        M = M / A.sum(dim=1, keepdim=True).clamp(min=1)
    return torch.relu(X @ W_soi + M @ W_voisins)
''',
}

# The same couche_gnn, recording each call (the shapes and identities of X, W_soi and W_voisins,
# the aggregation): what a GNN's forward really stacks, whatever its attributes are named.
GNN_RECORDING = {
    "couche_gnn": '''
def couche_gnn(X, A, W_soi, W_voisins, agregation="somme"):
    import torch
    couche_gnn.appels.append({"X": tuple(X.shape), "soi": tuple(W_soi.shape),
                              "voisins": tuple(W_voisins.shape), "ids": (W_soi.data_ptr(), W_voisins.data_ptr()),
                              "agregation": str(agregation)})
    couche_gnn.poids.extend([W_soi, W_voisins])
    M = A @ X
    if agregation == "moyenne":
        M = M / A.sum(dim=1, keepdim=True).clamp(min=1)
    return torch.relu(X @ W_soi + M @ W_voisins)


couche_gnn.appels = []
couche_gnn.poids = []
''',
}
