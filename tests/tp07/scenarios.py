"""Realistic wrong answers for TP07, as data: each replaces one answer cell of the solution.

`must_fail` names the checks that must lose points (failed, or partial credit);
every other check of the same item must keep its points, so each scenario shows exactly
which check catches the mistake. `message_contains` are substrings that must appear in
the French message of at least one of those checks: the hint that names the fault.
`affects` lists other items that may lose points as a consequence (the multi-head
attention reuses the student's own `attention`, the Transformer reuses both, and the
training of the GNN reuses `couche_gnn`).
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.tp_harness import Scenario

_CAUSAL = '''

def masque_causal(n):
    """Masque causal de la solution."""
    return torch.tril(torch.ones(n, n, dtype=torch.bool))
'''


def _attention(body: str, doc: str) -> str:
    return (
        f'''def attention(Q, K, V, masque=None):
    """{doc}"""
{body}'''
        + _CAUSAL
    )


_NOTEBOOK = (
    Path(__file__).resolve().parents[2] / "source" / "tp07_attention" / "tp07_attention.ipynb"
)


def _solution_cell(grade_id: str) -> str:
    """The solution's answer cell, markers removed: scenarios change one line of it."""
    nb = json.loads(_NOTEBOOK.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            lines = "".join(cell["source"]).split("\n")
            return "\n".join(
                ln
                for ln in lines
                if "### BEGIN SOLUTION" not in ln and "### END SOLUTION" not in ln
            )
    raise KeyError(grade_id)


def _edit(source: str, old: str, new: str) -> str:
    """`source` with its one occurrence of `old` replaced (fails loudly if the solution changed)."""
    assert source.count(old) == 1, f"the solution no longer contains {old!r}"
    return source.replace(old, new)


_GNN_TRAIN = _solution_cell("gnn_train")
_TRANSFORMER = _solution_cell("transformer")
_TRANSFORMER_TRAIN = _solution_cell("transformer_train")

_ATTN_VALUES = (
    "test_attention_matches_torch_without_mask",
    "test_attention_with_padding_mask",
    "test_attention_with_causal_mask",
)

SCENARIOS: dict[str, Scenario] = {
    # ------------------------------------------------------------ attention
    "submission-attention-missing-sqrt-dk": Scenario(
        grade_id="attention",
        source=_attention(
            """    scores = Q @ K.transpose(-2, -1)
    if masque is not None:
        scores = scores.masked_fill(~masque.bool(), float("-inf"))
    return torch.softmax(scores, dim=-1) @ V
""",
            "Oublie la division par la racine de d_k.",
        ),
        must_fail=_ATTN_VALUES,
        message_contains=("facteur 1/√d_k",),
        affects=("mha",),
    ),
    "submission-softmax-wrong-axis": Scenario(
        grade_id="attention",
        source=_attention(
            """    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])
    if masque is not None:
        scores = scores.masked_fill(~masque.bool(), float("-inf"))
    return torch.softmax(scores, dim=-2) @ V
""",
            "Softmax sur l'axe des requêtes au lieu de celui des clés.",
        ),
        must_fail=("test_attention_shape_and_uniform_weights", *_ATTN_VALUES),
        message_contains=("la softmax est prise sur le mauvais axe",),
        # Normalising over the queries mixes in the later positions: the Transformer built on
        # it is no longer causal.
        affects=("mha", "transformer", "transformer_train"),
    ),
    "submission-mask-filled-with-zero-not-minus-inf": Scenario(
        grade_id="attention",
        source=_attention(
            """    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])
    if masque is not None:
        scores = scores.masked_fill(~masque.bool(), 0.0)
    return torch.softmax(scores, dim=-1) @ V
""",
            "Remplit les scores masqués avec 0.",
        ),
        must_fail=("test_attention_with_padding_mask", "test_attention_with_causal_mask"),
        message_contains=("remplis avec 0 au lieu de −∞",),
        affects=("transformer", "transformer_train"),  # the causal mask no longer hides the future
    ),
    "submission-attention-calls-torch-sdpa": Scenario(
        grade_id="attention",
        source="""from torch.nn.functional import scaled_dot_product_attention


def attention(Q, K, V, masque=None):
    \"\"\"Délègue le calcul à PyTorch, importé sous un autre nom.\"\"\"
    return scaled_dot_product_attention(Q, K, V, attn_mask=masque)
"""
        + _CAUSAL,
        must_fail=("test_attention_shape_and_uniform_weights", *_ATTN_VALUES),
        message_contains=(
            "appelle F.scaled_dot_product_attention",
            "programmez le calcul vous-même",
        ),
        # Everything built on the student's attention runs through the same guard.
        affects=("mha", "equivariance", "transformer", "transformer_train"),
    ),
    # ------------------------------------------------------------ multi-head attention
    "submission-mha-forgets-out-proj": Scenario(
        grade_id="mha",
        source='''def attention_multi_tetes(x, W_in, b_in, W_out, b_out, n_tetes, masque=None):
    """Recolle les têtes mais oublie la projection de sortie."""
    B, n, d = x.shape
    q, k, v = (x @ W_in.T + b_in).chunk(3, dim=-1)

    def separer(t):
        return t.reshape(B, n, n_tetes, d // n_tetes).transpose(1, 2)

    sortie = attention(separer(q), separer(k), separer(v), masque)
    return sortie.transpose(1, 2).reshape(B, n, d)
''',
        must_fail=("test_mha_matches_nn_multiheadattention",),
        message_contains=("la projection de sortie manque",),
    ),
    "submission-mha-calls-nn-multiheadattention": Scenario(
        grade_id="mha",
        source='''def attention_multi_tetes(x, W_in, b_in, W_out, b_out, n_tetes, masque=None):
    """Copie les poids dans nn.MultiheadAttention et l'appelle."""
    d = x.shape[-1]
    mha = nn.MultiheadAttention(d, n_tetes, batch_first=True, dtype=x.dtype)
    with torch.no_grad():
        mha.in_proj_weight.copy_(W_in)
        mha.in_proj_bias.copy_(b_in)
        mha.out_proj.weight.copy_(W_out)
        mha.out_proj.bias.copy_(b_out)
    interdit = None if masque is None else ~masque.bool()
    return mha(x, x, x, attn_mask=interdit, need_weights=False)[0]
''',
        must_fail=("test_mha_shape", "test_mha_matches_nn_multiheadattention"),
        message_contains=("appelle nn.MultiheadAttention", "programmez le calcul vous-même"),
        affects=("transformer", "transformer_train"),
    ),
    # ------------------------------------------------------------ positional encoding
    "submission-posenc-sin-cos-swapped": Scenario(
        grade_id="posenc",
        source='''def encodage_positionnel(n, d):
    """Cosinus sur les colonnes paires, sinus sur les impaires."""
    pos = torch.arange(n, dtype=torch.float64).unsqueeze(1)
    angles = pos / 10000 ** (torch.arange(0, d, 2, dtype=torch.float64) / d)
    pe = torch.zeros(n, d, dtype=torch.float64)
    pe[:, 0::2] = torch.cos(angles)
    pe[:, 1::2] = torch.sin(angles)
    return pe
''',
        must_fail=("test_posenc_shape_and_first_rows", "test_posenc_matches_formula"),
        message_contains=("sin et cos sont inversés",),
    ),
    # ------------------------------------------------------------ equivariance
    "submission-permutation-error-measures-invariance": Scenario(
        grade_id="equivariance",
        source='''def erreur_permutation(f, X, perm):
    """Compare f(X[perm]) à f(X) : c'est l'invariance."""
    with torch.no_grad():
        return float((f(X[perm]) - f(X)).abs().max())
''',
        must_fail=("test_erreur_permutation_on_grader_functions",),
        message_contains=("c'est l'invariance",),
    ),
    # ------------------------------------------------------------ BERT masking
    "submission-bert-mask-all-masked": Scenario(
        grade_id="bert_mask",
        source='''def masquage_bert(tokens, id_mask, taille_vocab, graine):
    """Sélectionne 15 % des tokens mais les remplace tous par [MASK]."""
    g = torch.Generator().manual_seed(int(graine))
    tokens = tokens.long()
    selection = torch.rand(tokens.shape, generator=g) < 0.15
    entrees = tokens.masked_fill(selection, id_mask)
    cibles = torch.where(selection, tokens, torch.full_like(tokens, -100))
    return entrees, cibles
''',
        must_fail=("test_bert_replacement_split",),
        message_contains=("vous remplacez tous les tokens sélectionnés par [MASK]",),
    ),
    # ------------------------------------------------------------ GNN
    "submission-gnn-not-permutation-equivariant": Scenario(
        grade_id="gnn",
        source='''def couche_gnn(X, A, W_soi, W_voisins, agregation="somme"):
    """Prend pour voisins les nœuds d'indices i - 1 et i + 1, comme dans une suite."""
    M = torch.roll(X, 1, dims=0) + torch.roll(X, -1, dims=0)
    if agregation == "moyenne":
        M = M / 2
    return torch.relu(X @ W_soi + M @ W_voisins)
''',
        must_fail=(
            "test_gnn_shape_on_a_path_graph",
            "test_gnn_values",
            "test_gnn_is_permutation_equivariant",
        ),
        message_contains=("n'est pas équivariante par permutation",),
        affects=("gnn_train",),  # the GNN trained on the graphs uses couche_gnn
    ),
    # ------------------------------------------------------------ GNN vs MLP
    "submission-gnn-train-self-loops-only-no-neighbours": Scenario(
        grade_id="gnn_train",
        source=_edit(
            _GNN_TRAIN,
            '        H = couche_gnn(X, A, self.W_soi_1, self.W_voisins_1, "moyenne")\n'
            '        H = couche_gnn(H, A, self.W_soi_2, self.W_voisins_2, "moyenne")\n',
            "        boucles = torch.eye(len(X))  # voulait A + I\n"
            '        H = couche_gnn(X, boucles, self.W_soi_1, self.W_voisins_1, "moyenne")\n'
            '        H = couche_gnn(H, boucles, self.W_soi_2, self.W_voisins_2, "moyenne")\n',
        ),
        must_fail=("test_gnn_accuracy_on_grader_graphs", "test_gnn_beats_features_only_mlp"),
        message_contains=("ne fait pas nettement mieux qu'un modèle qui ignore le graphe",),
    ),
    # ------------------------------------------------------------ character-level Transformer
    "submission-transformer-without-causal-mask": Scenario(
        grade_id="transformer",
        source=_edit(
            _TRANSFORMER,
            "        masque = masque_causal(x.shape[1]).to(x.device)\n",
            "        masque = None  # oubli du masque causal : chaque position voit le futur\n",
        ),
        must_fail=("test_transformer_is_causal",),
        message_contains=("n'est pas causal", "masque_causal(T)"),
        # The trained model is not causal either: its bits per character are not scored.
        affects=("transformer_train",),
    ),
    "submission-transformer-targets-not-shifted": Scenario(
        grade_id="transformer_train",
        source=_edit(
            _TRANSFORMER_TRAIN,
            "        y = donnees[debuts + decalages + 1]\n",
            "        y = donnees[debuts + decalages]\n",
        ),
        must_fail=(
            "test_entrainer_transformer_learns_a_periodic_sequence",
            "test_transformer_bits_per_char_on_held_out_text",
        ),
        message_contains=("la cible doit être décalée d'un cran",),
    ),
}

# Scenarios graded together in one notebook: within a group they touch different items
# whose checks are independent (the grader computes every reference itself), so one
# grading run serves them all. A scenario whose fault reaches another item (`affects`)
# is never grouped with a scenario of that item.
GROUPS: dict[str, tuple[str, ...]] = {
    "mistakes-1": (
        "submission-attention-missing-sqrt-dk",
        "submission-posenc-sin-cos-swapped",
        "submission-permutation-error-measures-invariance",
        "submission-bert-mask-all-masked",
        "submission-gnn-not-permutation-equivariant",
        "submission-transformer-targets-not-shifted",
    ),
    "mistakes-2": (
        "submission-softmax-wrong-axis",
        "submission-gnn-train-self-loops-only-no-neighbours",
    ),
    "mistakes-3": (
        "submission-mask-filled-with-zero-not-minus-inf",
        "submission-mha-forgets-out-proj",
    ),
    "guard-attention": ("submission-attention-calls-torch-sdpa",),
    "guard-mha": ("submission-mha-calls-nn-multiheadattention",),
    "transformer-not-causal": ("submission-transformer-without-causal-mask",),
}
