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

from autograder.prove import Correct, Scenario, edit, solution_cell, solution_with_docs

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


_GNN_TRAIN = solution_cell(__file__, "gnn_train")
_TRANSFORMER = solution_cell(__file__, "transformer")
_TRANSFORMER_TRAIN = solution_cell(__file__, "transformer_train")

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
        source=edit(solution_with_docs(__file__, 'mha', 'Recolle les têtes mais oublie la projection de sortie.'),
            ('    d_t = d // n_tetes\n',
             ''),
            ('        return t.reshape(B, n, n_tetes, d_t).transpose(1, 2)\n',
             '        return t.reshape(B, n, n_tetes, d // n_tetes).transpose(1, 2)\n'),
            ('    sortie = sortie.transpose(1, 2).reshape(B, n, d)\n    return sortie @ W_out.T + b_out\n',
             '    return sortie.transpose(1, 2).reshape(B, n, d)\n')),
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
        source=edit(solution_with_docs(__file__, 'equivariance', "Compare f(X[perm]) à f(X) : c'est l'invariance."),
            ('        return float((f(X[perm]) - f(X)[perm]).abs().max())\n',
             '        return float((f(X[perm]) - f(X)).abs().max())\n')),
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
        source=edit(solution_with_docs(__file__, 'gnn', "Prend pour voisins les nœuds d'indices i - 1 et i + 1, comme dans une suite."),
            ('    M = A @ X\n',
             '    M = torch.roll(X, 1, dims=0) + torch.roll(X, -1, dims=0)\n'),
            ('        M = M / A.sum(dim=1, keepdim=True).clamp(min=1)\n',
             '        M = M / 2\n')),
        must_fail=(
            "test_gnn_shape_on_a_path_graph",
            "test_gnn_values",
            "test_gnn_is_permutation_equivariant",
        ),
        message_contains=("n'est pas équivariante par permutation",),
    ),
    # ------------------------------------------------------------ GNN vs MLP
    "submission-gnn-train-self-loops-only-no-neighbours": Scenario(
        grade_id="gnn_train",
        source=edit(_GNN_TRAIN, ('        H = couche_gnn(X, A, self.W_soi_1, self.W_voisins_1, "moyenne")\n'
            '        H = couche_gnn(H, A, self.W_soi_2, self.W_voisins_2, "moyenne")\n', "        boucles = torch.eye(len(X))  # voulait A + I\n"
            '        H = couche_gnn(X, boucles, self.W_soi_1, self.W_voisins_1, "moyenne")\n'
            '        H = couche_gnn(H, boucles, self.W_soi_2, self.W_voisins_2, "moyenne")\n')),
        must_fail=("test_gnn_accuracy_on_grader_graphs", "test_gnn_beats_features_only_mlp"),
        message_contains=("ne fait pas nettement mieux qu'un modèle qui ignore le graphe",),
    ),
    # ------------------------------------------------------------ character-level Transformer
    "submission-transformer-without-causal-mask": Scenario(
        grade_id="transformer",
        source=edit(_TRANSFORMER, ("        masque = masque_causal(x.shape[1]).to(x.device)\n", "        masque = None  # oubli du masque causal : chaque position voit le futur\n")),
        must_fail=("test_transformer_is_causal",),
        message_contains=("n'est pas causal", "masque_causal(T)"),
        # The trained model is not causal either: its bits per character are not scored.
        affects=("transformer_train",),
    ),
    "submission-transformer-targets-not-shifted": Scenario(
        grade_id="transformer_train",
        source=edit(_TRANSFORMER_TRAIN, ("        y = donnees[debuts + decalages + 1]\n", "        y = donnees[debuts + decalages]\n")),
        must_fail=(
            "test_entrainer_transformer_learns_a_periodic_sequence",
            "test_entrainer_transformer_loop_mechanics",
            "test_transformer_bits_per_char_on_held_out_text",
        ),
        message_contains=("la cible doit être décalée d'un cran",),
    ),
    # ---------------------------------------------------------------- inputs the grader varies
    "submission-attention-bmm-only-3d": Scenario(
        grade_id="attention",
        source=_attention(
            """    scores = torch.bmm(Q, K.transpose(1, 2)) / math.sqrt(Q.shape[-1])
    if masque is not None:
        scores = scores.masked_fill(~masque.bool(), float("-inf"))
    return torch.bmm(torch.softmax(scores, dim=-1), V)
""",
            "torch.bmm : ne marche que pour des entrées (B, n, d).",
        ),
        must_fail=("test_attention_matches_torch_without_mask",),
        message_contains=("4 dimensions",),
        # The public checks of the MHA and the Transformer run the student's own attention.
        affects=("mha", "transformer", "transformer_train"),
    ),
    "submission-attention-mask-by-boolean-indexing": Scenario(
        grade_id="attention",
        source=_attention(
            """    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])
    if masque is not None:
        scores[~masque.bool()] = float("-inf")  # l'indexation ne diffuse pas le masque
    return torch.softmax(scores, dim=-1) @ V
""",
            "Masque appliqué par indexation booléenne.",
        ),
        must_fail=("test_attention_with_padding_mask", "test_attention_with_causal_mask"),
        message_contains=("diffusable vers",),
        affects=("transformer", "transformer_train"),  # its (T, T) mask meets 4-d scores
    ),
    "submission-causal-mask-upper-triangular": Scenario(
        grade_id="attention",
        source=edit(solution_cell(__file__, "attention"), ("torch.tril(", "torch.triu(")),
        # masque_causal builds the Transformer's mask: its causality checks (both items) name
        # masque_causal, not the blocks, as the fault (f12misc).
        must_fail=("test_attention_with_causal_mask", "test_transformer_is_causal",
                   "test_transformer_bits_per_char_on_held_out_text"),
        message_contains=("triangulaire inférieure", "corrigez masque_causal"),
        affects=("transformer", "transformer_train"),
    ),
    "submission-mha-ignores-mask": Scenario(
        grade_id="mha",
        source=edit(solution_cell(__file__, "mha"), ("attention(separer(q), separer(k), separer(v), masque)", "attention(separer(q), separer(k), separer(v))")),
        must_fail=("test_mha_matches_nn_multiheadattention",),
        message_contains=("ignore son argument masque",),
        affects=("transformer_train",),  # modele_car, trained with it, is not causal
    ),
    "submission-mha-single-head": Scenario(
        grade_id="mha",
        source='''def attention_multi_tetes(x, W_in, b_in, W_out, b_out, n_tetes, masque=None):
    """Une seule grande tête : n_tetes n'est pas utilisé."""
    q, k, v = (x @ W_in.T + b_in).chunk(3, dim=-1)
    return attention(q, k, v, masque) @ W_out.T + b_out
''',
        must_fail=("test_mha_matches_nn_multiheadattention",),
        message_contains=("une seule tête",),
        affects=("transformer_train",),
    ),
    "submission-bert-vocab-hardcoded": Scenario(
        grade_id="bert_mask",
        source=edit(solution_cell(__file__, "bert_mask"), ("torch.randint(0, taille_vocab, tokens.shape, generator=g)", "torch.randint(0, 1000, tokens.shape, generator=g)  # vocabulaire de la démo")),
        must_fail=("test_bert_replacement_split",),
        message_contains=("avec l'argument taille_vocab",),
    ),
    "submission-bert-graine-ignored": Scenario(
        grade_id="bert_mask",
        source=edit(solution_cell(__file__, "bert_mask"), ("g = torch.Generator().manual_seed(int(graine))", "g = torch.Generator()\n    g.seed()  # une graine différente à chaque appel")),
        must_fail=("test_bert_selection_rate",),
        message_contains=("même graine",),
    ),
    "submission-bert-2d-only": Scenario(
        grade_id="bert_mask",
        source=edit(solution_cell(__file__, "bert_mask"), ("    selection = torch.rand(tokens.shape, generator=g) < 0.15\n"
            "    u = torch.rand(tokens.shape, generator=g)\n"
            "    aleatoires = torch.randint(0, taille_vocab, tokens.shape, generator=g)\n", "    B, L = tokens.shape\n"
            "    selection = torch.rand(B, L, generator=g) < 0.15\n"
            "    u = torch.rand(B, L, generator=g)\n"
            "    aleatoires = torch.randint(0, taille_vocab, (B, L), generator=g)\n")),
        must_fail=("test_bert_selection_rate", "test_bert_replacement_split"),
        message_contains=("forme quelconque",),
    ),
    "submission-gnn-degree-over-columns": Scenario(
        grade_id="gnn",
        source=edit(solution_cell(__file__, "gnn"), ("A.sum(dim=1, keepdim=True)", "A.sum(dim=0).unsqueeze(1)")),
        must_fail=("test_gnn_values",),
        message_contains=("colonnes de A",),
    ),
    "submission-gnn-train-graine-ignored": Scenario(
        grade_id="gnn_train",
        source=edit(_GNN_TRAIN, ("    torch.manual_seed(int(graine))\n    modele = GNN(", "    modele = GNN(")),
        must_fail=("test_gnn_accuracy_on_grader_graphs",),
        message_contains=("reproductible avec sa graine",),
    ),
    "submission-mlp-never-steps": Scenario(
        grade_id="gnn_train",
        source=edit(_GNN_TRAIN, ("        perte = F.cross_entropy(modele(X)[idx_train], y_train)\n"
            "        optimiseur.zero_grad()\n"
            "        perte.backward()\n"
            "        optimiseur.step()\n", "        perte = F.cross_entropy(modele(X)[idx_train], y_train)\n"
            "        optimiseur.zero_grad()\n"
            "        perte.backward()\n")),
        # An untrained MLP may reach the fairness floor by chance (variant 14): the mechanics
        # check, which counts the optimiser's steps, always sees it.
        must_fail=("test_gnn_and_mlp_training_mechanics",),
        may_fail=("test_gnn_beats_features_only_mlp",),
        message_contains=("optimiseur.step() à chaque époque",),
    ),
    # ---------------------------------------------------------------- mechanisms, not outcomes
    "submission-transformer-no-residual": Scenario(
        grade_id="transformer",
        source=edit(edit(_TRANSFORMER, ("        x = x + attention_multi_tetes(\n", "        x = attention_multi_tetes(\n")), ("        return x + self.mlp(self.norme_2(x))\n", "        return self.mlp(self.norme_2(x))\n")),
        must_fail=("test_transformer_residuals_and_positions",),
        message_contains=("connexion résiduelle",),
        affects=("transformer_train",),
    ),
    "submission-transformer-no-position": Scenario(
        grade_id="transformer",
        source=edit(_TRANSFORMER, ("        x = self.plongement(idx) + self.position(positions)\n", "        x = self.plongement(idx)  # l'attention voit déjà l'ordre ?\n")),
        must_fail=("test_transformer_residuals_and_positions",),
        message_contains=("ignore la position",),
        affects=("transformer_train",),
    ),
    "submission-transformer-train-no-zero-grad": Scenario(
        grade_id="transformer_train",
        source=edit(_TRANSFORMER_TRAIN, ("        optimiseur.zero_grad()\n", "")),
        # modele_car, trained by the same loop, diverges too.
        must_fail=(
            "test_entrainer_transformer_loop_mechanics",
            "test_transformer_bits_per_char_on_held_out_text",
        ),
        message_contains=("zero_grad",),
    ),
    "submission-transformer-train-last-position-loss": Scenario(
        grade_id="transformer_train",
        source=edit(_TRANSFORMER_TRAIN, ("        perte = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))\n", "        perte = F.cross_entropy(logits[:, -1], y[:, -1])  # le caractère suivant\n")),
        must_fail=("test_entrainer_transformer_loop_mechanics",),
        message_contains=("dernière position",),
        # Trained on one position in T, modele_car can fall short of the bits-per-char bar on
        # some of the grader's inputs (0.5/1 for one of them since hidden inputs follow the
        # student): the loss itself is caught by the mechanics check on every input.
        may_fail=("test_transformer_bits_per_char_on_held_out_text",),
    ),
    "submission-transformer-train-graine-ignored": Scenario(
        grade_id="transformer_train",
        source=edit(_TRANSFORMER_TRAIN, ("(taille_lot, 1), generator=generateur)", "(taille_lot, 1))")),
        must_fail=("test_entrainer_transformer_loop_mechanics",),
        message_contains=("graine",),
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
    "inputs-1": (
        "submission-attention-bmm-only-3d",
        "submission-bert-vocab-hardcoded",
        "submission-gnn-degree-over-columns",
        "submission-gnn-train-graine-ignored",
    ),
    "inputs-2": (
        "submission-mha-ignores-mask",
        "submission-bert-graine-ignored",
        "submission-mlp-never-steps",
        "submission-transformer-no-residual",
    ),
    "inputs-3": ("submission-bert-2d-only", "submission-transformer-train-no-zero-grad"),
    "inputs-4": ("submission-mha-single-head", "submission-causal-mask-upper-triangular"),
    "inputs-5": ("submission-transformer-train-last-position-loss",),
    "inputs-6": ("submission-transformer-train-graine-ignored",),
    "inputs-7": ("submission-transformer-no-position",),
    "inputs-8": ("submission-attention-mask-by-boolean-indexing",),
    "guard-attention": ("submission-attention-calls-torch-sdpa",),
    "guard-mha": ("submission-mha-calls-nn-multiheadattention",),
    "transformer-not-causal": ("submission-transformer-without-causal-mask",),
}

# ---------------------------------------------------------------- alternative correct answers
# Written as students write them: each must keep full marks.

CORRECT: dict[str, Correct] = {
    "correct-attention-einsum-manual-softmax-1e9": Correct(
        grade_id="attention",
        source='''def attention(Q, K, V, masque=None):
    """softmax(Q Kᵀ / √d_k) V avec einsum, une softmax écrite à la main et -1e9."""
    d_k = Q.size(-1)
    scores = torch.einsum("...nd,...md->...nm", Q, K) / d_k ** 0.5
    if masque is not None:
        scores = torch.where(masque.bool(), scores, torch.full_like(scores, -1e9))
    scores = scores - scores.max(dim=-1, keepdim=True).values
    poids = torch.exp(scores)
    poids = poids / poids.sum(dim=-1, keepdim=True)
    return poids @ V


def masque_causal(n):
    """Boucle sur les lignes."""
    masque = torch.zeros(n, n, dtype=torch.bool)
    for i in range(n):
        masque[i, : i + 1] = True
    return masque
''',
        why="einsum, softmax by hand with the max subtracted, -1e9 instead of -inf, a loop",
    ),
    "correct-mha-loop-over-heads": Correct(
        grade_id="mha",
        source='''def attention_multi_tetes(x, W_in, b_in, W_out, b_out, n_tetes, masque=None):
    """Une boucle sur les têtes, puis torch.cat."""
    d = x.shape[-1]
    d_t = d // n_tetes
    q = x @ W_in[:d].T + b_in[:d]
    k = x @ W_in[d : 2 * d].T + b_in[d : 2 * d]
    v = x @ W_in[2 * d :].T + b_in[2 * d :]
    tetes = []
    for h in range(n_tetes):
        s = slice(h * d_t, (h + 1) * d_t)
        tetes.append(attention(q[..., s], k[..., s], v[..., s], masque))
    return torch.cat(tetes, dim=-1) @ W_out.T + b_out
''',
        why="a loop over the heads on 3-d slices instead of a reshape to 4-d",
    ),
    "correct-posenc-numpy-float32-loops": Correct(
        grade_id="posenc",
        source='''def encodage_positionnel(n, d):
    """Deux boucles en numpy float32."""
    pe = np.zeros((n, d), dtype=np.float32)
    for pos in range(n):
        for i in range(0, d, 2):
            angle = pos / (10000 ** (i / d))
            pe[pos, i] = math.sin(angle)
            pe[pos, i + 1] = math.cos(angle)
    return torch.from_numpy(pe)
''',
        why="float32, numpy, loops",
    ),
    "correct-equivariance-item-and-print": Correct(
        grade_id="equivariance",
        source='''def erreur_permutation(f, X, perm):
    """Sans no_grad, avec .item() et un affichage."""
    Y = f(X)
    Y_perm = f(X[perm])
    ecart = torch.abs(Y_perm - Y[perm]).max()
    print("écart :", float(ecart))
    return ecart.item()
''',
        why="no torch.no_grad, .item(), a print",
    ),
    "correct-bert-one-uniform": Correct(
        grade_id="bert_mask",
        source='''def masquage_bert(tokens, id_mask, taille_vocab, graine):
    """Un seul tirage uniforme r : r < 0,12 [MASK], 0,12 <= r < 0,135 aléatoire, < 0,15 inchangé."""
    g = torch.Generator()
    g.manual_seed(graine)
    r = torch.rand(tokens.shape, generator=g)
    entrees = tokens.clone()
    cibles = torch.full_like(tokens, -100)
    selection = r < 0.15
    cibles[selection] = tokens[selection]
    entrees[r < 0.12] = id_mask
    aleatoire = (r >= 0.12) & (r < 0.135)
    entrees[aleatoire] = torch.randint(taille_vocab, (int(aleatoire.sum()),), generator=g)
    return entrees, cibles
''',
        why="one uniform draw for the selection and the 80/10/10 split",
    ),
    "correct-gnn-where-degree": Correct(
        grade_id="gnn",
        source='''def couche_gnn(X, A, W_soi, W_voisins, agregation="somme"):
    """Degré protégé par torch.where, clamp au lieu de relu."""
    M = torch.matmul(A, X)
    if agregation == "moyenne":
        deg = A.sum(1)
        deg = torch.where(deg > 0, deg, torch.ones_like(deg))
        M = M / deg.unsqueeze(-1)
    return torch.clamp(X @ W_soi + M @ W_voisins, min=0)
''',
        why="torch.where for the degree, matmul, clamp instead of relu",
    ),
    "correct-gnn-train-xavier-custom-mlp": Correct(
        grade_id="gnn_train",
        source='''class GNN(nn.Module):
    """Initialisation de Xavier, une liste de couches."""

    def __init__(self, d_entree, d_cachee, n_classes):
        super().__init__()
        self.poids = nn.ParameterList()
        for a, b in ((d_entree, d_cachee), (d_cachee, d_cachee)):
            for _ in range(2):
                w = nn.Parameter(torch.empty(a, b))
                nn.init.xavier_uniform_(w)
                self.poids.append(w)
        self.sortie = nn.Linear(d_cachee, n_classes)

    def forward(self, X, A):
        H = X
        for k in range(2):
            H = couche_gnn(H, A, self.poids[2 * k], self.poids[2 * k + 1], agregation="moyenne")
        return self.sortie(H)


class MLP(nn.Module):
    def __init__(self, d, c):
        super().__init__()
        self.c1 = nn.Linear(d, 32)
        self.c2 = nn.Linear(32, c)

    def forward(self, x):
        return self.c2(F.relu(self.c1(x)))


def _entrainer(modele, entree, idx_train, y_train, n_epoques, lr):
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    for epoque in range(n_epoques):
        opt.zero_grad()
        perte = F.cross_entropy(modele(*entree)[idx_train], y_train)
        perte.backward()
        opt.step()
    modele.eval()
    with torch.no_grad():
        return modele(*entree)


def entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):
    torch.manual_seed(graine)
    return _entrainer(GNN(X.shape[1], 32, n_classes), (X, A), idx_train, y_train, n_epoques, lr)


def entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):
    torch.manual_seed(graine)
    return _entrainer(MLP(X.shape[1], n_classes), (X,), idx_train, y_train, n_epoques, lr)
''',
        why="Xavier init, no weight decay, a shared helper, a custom MLP module",
    ),
    "correct-transformer-sequential-gelu-tanh": Correct(
        grade_id="transformer",
        source='''class BlocTransformer(nn.Module):
    """Attributs nommés autrement, GELU approchée par tanh."""

    def __init__(self, d, n_tetes):
        super().__init__()
        self.h = n_tetes
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ff = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(approximate="tanh"), nn.Linear(4 * d, d))

    def forward(self, x):
        T = x.size(1)
        a = attention_multi_tetes(self.ln1(x), self.qkv.weight, self.qkv.bias,
                                  self.proj.weight, self.proj.bias, self.h, masque_causal(T))
        x = x + a
        x = x + self.ff(self.ln2(x))
        return x


class PetitTransformer(nn.Module):
    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):
        super().__init__()
        self.tok = nn.Embedding(taille_vocab, d)
        self.pos = nn.Embedding(contexte, d)
        self.blocs = nn.Sequential(*[BlocTransformer(d, n_tetes) for _ in range(n_couches)])
        self.ln = nn.LayerNorm(d)
        self.tete = nn.Linear(d, taille_vocab, bias=False)

    def forward(self, idx):
        B, T = idx.shape
        x = self.tok(idx) + self.pos(torch.arange(T, device=idx.device)).unsqueeze(0)
        return self.tete(self.ln(self.blocs(x)))
''',
        why="nn.Sequential of blocks, other names, tanh GELU, a head without bias",
    ),
    "correct-transformer-train-stacked-slices": Correct(
        grade_id="transformer_train",
        source='''def entrainer_transformer(modele, donnees, n_etapes, taille_lot, contexte, lr, graine):
    """Fenêtres empilées une à une, zero_grad en tête de boucle, affichages."""
    g = torch.Generator()
    g.manual_seed(graine)
    opt = torch.optim.AdamW(modele.parameters(), lr=lr)
    historique = []
    for etape in range(n_etapes):
        debuts = torch.randint(len(donnees) - contexte, (taille_lot,), generator=g)
        x = torch.stack([donnees[i : i + contexte] for i in debuts])
        y = torch.stack([donnees[i + 1 : i + contexte + 1] for i in debuts])
        opt.zero_grad()
        logits = modele(x)
        B, T, V = logits.shape
        perte = F.cross_entropy(logits.view(B * T, V), y.view(B * T))
        perte.backward()
        opt.step()
        historique.append(float(perte))
        if etape % 100 == 0:
            print(etape, round(historique[-1], 3))
    return historique
''',
        why="windows stacked one by one, zero_grad first, float(perte), prints",
    ),
}

CORRECT_GROUPS: dict[str, tuple[str, ...]] = {
    "correct-1": (
        "correct-attention-einsum-manual-softmax-1e9",
        "correct-posenc-numpy-float32-loops",
        "correct-bert-one-uniform",
        "correct-gnn-train-xavier-custom-mlp",
        "correct-transformer-train-stacked-slices",
    ),
    "correct-2": (
        "correct-mha-loop-over-heads",
        "correct-equivariance-item-and-print",
        "correct-gnn-where-degree",
        "correct-transformer-sequential-gelu-tanh",
    ),
}

# ---------------------------------------------------------------- issue 12: gradients through the GNN
# Mutation survivors written as students write them: the values are right, a gradient is cut.
SCENARIOS["submission-gnn-messages-detached"] = Scenario(
    grade_id="gnn",
    source=edit(solution_cell(__file__, "gnn"), ("    M = A @ X\n", "    M = (A @ X).detach()  # les voisins sont des données\n")),
    must_fail=("test_gnn_gradient_reaches_inputs_and_weights",),
    message_contains=("détachée du graphe",),
)
SCENARIOS["submission-gnn-first-layer-detached"] = Scenario(
    grade_id="gnn_train",
    source=edit(_GNN_TRAIN, ('        H = couche_gnn(X, A, self.W_soi_1, self.W_voisins_1, "moyenne")\n', '        H = couche_gnn(X, A, self.W_soi_1, self.W_voisins_1, "moyenne").detach()\n')),
    # Its first layer's weights never move during entrainer_gnn: the comparison with the MLP
    # names it at every variant (blind r22), instead of passing or failing with the graphs.
    must_fail=("test_gnn_accuracy_on_grader_graphs", "test_gnn_beats_features_only_mlp"),
    message_contains=("ne reçoivent aucun gradient",),
)
GROUPS["inputs-5"] = (*GROUPS["inputs-5"], "submission-gnn-messages-detached")
GROUPS["inputs-6"] = (*GROUPS["inputs-6"], "submission-gnn-first-layer-detached")

# ---------------------------------------------------------------- issue 12: blind answers (fid-c)
# Written by someone who had not read the checks or these scenarios, graded, then kept: the
# wrong ones kept their points before the checks below were added (argument modified in place,
# a hint naming invariance for an inverse permutation, a GNN/MLP training judged by its
# accuracies only: no zero_grad, "somme" instead of "moyenne", an MLP without activation,
# n_epoques and lr ignored).
SCENARIOS['blind-bert_mask-modifies-tokens-in-place'] = Scenario(
    grade_id='bert_mask',
    source='def masquage_bert(tokens, id_mask, taille_vocab, graine):\n    g = torch.Generator().manual_seed(graine)\n    sel = torch.rand(tokens.shape, generator=g) < 0.15\n    u = torch.rand(tokens.shape, generator=g)\n    aleat = torch.randint(0, taille_vocab, tokens.shape, generator=g)\n    cibles = torch.where(sel, tokens, torch.full_like(tokens, -100))\n    entrees = tokens\n    entrees[sel & (u < 0.8)] = id_mask\n    r = sel & (u >= 0.8) & (u < 0.9)\n    entrees[r] = aleat[r]\n    return entrees, cibles\n',
    must_fail=('test_bert_selection_rate',),
    message_contains=('modifie le tenseur tokens',),
)

SCENARIOS['blind-equivariance-inverse-permutation'] = Scenario(
    grade_id='equivariance',
    source='def erreur_permutation(f, X, perm):\n    inv = torch.argsort(perm)\n    return float((f(X[perm]) - f(X)[inv]).abs().max())\n',
    must_fail=('test_erreur_permutation_on_grader_functions',),
    message_contains=('permutation inverse',),
)

SCENARIOS['blind-gnn_train-no-zero-grad'] = Scenario(
    grade_id='gnn_train',
    source='class GNN(nn.Module):\n    def __init__(self, d_entree, d_cachee, n_classes):\n        super().__init__()\n        self.W1s = nn.Parameter(torch.empty(d_entree, d_cachee))\n        self.W1v = nn.Parameter(torch.empty(d_entree, d_cachee))\n        self.W2s = nn.Parameter(torch.empty(d_cachee, d_cachee))\n        self.W2v = nn.Parameter(torch.empty(d_cachee, d_cachee))\n        for w in (self.W1s, self.W1v, self.W2s, self.W2v):\n            nn.init.xavier_uniform_(w)\n        self.sortie = nn.Linear(d_cachee, n_classes)\n\n    def forward(self, X, A):\n        h = couche_gnn(X, A, self.W1s, self.W1v, "moyenne")\n        h = couche_gnn(h, A, self.W2s, self.W2v, "moyenne")\n        return self.sortie(h)\n\n\ndef _boucle(modele, entree, idx_train, y_train, n_epoques, lr):\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(n_epoques):\n        perte = F.cross_entropy(modele(*entree)[idx_train], y_train)\n        perte.backward()\n        opt.step()\n    with torch.no_grad():\n        return modele(*entree)\n\n\ndef entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    torch.manual_seed(graine)\n    modele = GNN(X.shape[1], 32, n_classes)\n    return _boucle(modele, (X, A), idx_train, y_train, n_epoques, lr)\n\n\ndef entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    torch.manual_seed(graine)\n    modele = nn.Sequential(nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Linear(32, n_classes))\n    return _boucle(modele, (X,), idx_train, y_train, n_epoques, lr)\n',
    must_fail=('test_gnn_and_mlp_training_mechanics',),
    message_contains=('zero_grad',),
    may_fail=('test_gnn_accuracy_on_grader_graphs', 'test_gnn_beats_features_only_mlp'),
)

SCENARIOS['blind-gnn_train-sum-aggregation'] = Scenario(
    grade_id='gnn_train',
    source='class GNN(nn.Module):\n    def __init__(self, d_entree, d_cachee, n_classes):\n        super().__init__()\n        self.W1s = nn.Parameter(torch.empty(d_entree, d_cachee))\n        self.W1v = nn.Parameter(torch.empty(d_entree, d_cachee))\n        self.W2s = nn.Parameter(torch.empty(d_cachee, d_cachee))\n        self.W2v = nn.Parameter(torch.empty(d_cachee, d_cachee))\n        for w in (self.W1s, self.W1v, self.W2s, self.W2v):\n            nn.init.xavier_uniform_(w)\n        self.sortie = nn.Linear(d_cachee, n_classes)\n\n    def forward(self, X, A):\n        h = couche_gnn(X, A, self.W1s, self.W1v)\n        h = couche_gnn(h, A, self.W2s, self.W2v)\n        return self.sortie(h)\n\n\ndef _boucle(modele, entree, idx_train, y_train, n_epoques, lr):\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(n_epoques):\n        opt.zero_grad()\n        perte = F.cross_entropy(modele(*entree)[idx_train], y_train)\n        perte.backward()\n        opt.step()\n    with torch.no_grad():\n        return modele(*entree)\n\n\ndef entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    torch.manual_seed(graine)\n    modele = GNN(X.shape[1], 32, n_classes)\n    return _boucle(modele, (X, A), idx_train, y_train, n_epoques, lr)\n\n\ndef entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    torch.manual_seed(graine)\n    modele = nn.Sequential(nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Linear(32, n_classes))\n    return _boucle(modele, (X,), idx_train, y_train, n_epoques, lr)\n',
    must_fail=('test_gnn_and_mlp_training_mechanics',),
    message_contains=('moyenne des voisins',),
    may_fail=('test_gnn_accuracy_on_grader_graphs', 'test_gnn_beats_features_only_mlp'),
)

SCENARIOS['blind-gnn_train-mlp-no-activation'] = Scenario(
    grade_id='gnn_train',
    source='class GNN(nn.Module):\n    def __init__(self, d_entree, d_cachee, n_classes):\n        super().__init__()\n        self.W1s = nn.Parameter(torch.empty(d_entree, d_cachee))\n        self.W1v = nn.Parameter(torch.empty(d_entree, d_cachee))\n        self.W2s = nn.Parameter(torch.empty(d_cachee, d_cachee))\n        self.W2v = nn.Parameter(torch.empty(d_cachee, d_cachee))\n        for w in (self.W1s, self.W1v, self.W2s, self.W2v):\n            nn.init.xavier_uniform_(w)\n        self.sortie = nn.Linear(d_cachee, n_classes)\n\n    def forward(self, X, A):\n        h = couche_gnn(X, A, self.W1s, self.W1v, "moyenne")\n        h = couche_gnn(h, A, self.W2s, self.W2v, "moyenne")\n        return self.sortie(h)\n\n\ndef _boucle(modele, entree, idx_train, y_train, n_epoques, lr):\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(n_epoques):\n        opt.zero_grad()\n        perte = F.cross_entropy(modele(*entree)[idx_train], y_train)\n        perte.backward()\n        opt.step()\n    with torch.no_grad():\n        return modele(*entree)\n\n\ndef entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    torch.manual_seed(graine)\n    modele = GNN(X.shape[1], 32, n_classes)\n    return _boucle(modele, (X, A), idx_train, y_train, n_epoques, lr)\n\n\ndef entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    torch.manual_seed(graine)\n    modele = nn.Sequential(nn.Linear(X.shape[1], 32), nn.Linear(32, n_classes))\n    return _boucle(modele, (X,), idx_train, y_train, n_epoques, lr)\n',
    must_fail=('test_gnn_and_mlp_training_mechanics',),
    message_contains=('fonction affine',),
    may_fail=('test_gnn_beats_features_only_mlp',),
)

SCENARIOS['blind-gnn_train-ignores-epochs-and-lr'] = Scenario(
    grade_id='gnn_train',
    source='class GNN(nn.Module):\n    def __init__(self, d_entree, d_cachee, n_classes):\n        super().__init__()\n        self.W1s = nn.Parameter(torch.empty(d_entree, d_cachee))\n        self.W1v = nn.Parameter(torch.empty(d_entree, d_cachee))\n        self.W2s = nn.Parameter(torch.empty(d_cachee, d_cachee))\n        self.W2v = nn.Parameter(torch.empty(d_cachee, d_cachee))\n        for w in (self.W1s, self.W1v, self.W2s, self.W2v):\n            nn.init.xavier_uniform_(w)\n        self.sortie = nn.Linear(d_cachee, n_classes)\n\n    def forward(self, X, A):\n        h = couche_gnn(X, A, self.W1s, self.W1v, "moyenne")\n        h = couche_gnn(h, A, self.W2s, self.W2v, "moyenne")\n        return self.sortie(h)\n\n\ndef _boucle(modele, entree, idx_train, y_train, n_epoques, lr):\n    n_epoques, lr = 200, 0.01\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(n_epoques):\n        opt.zero_grad()\n        perte = F.cross_entropy(modele(*entree)[idx_train], y_train)\n        perte.backward()\n        opt.step()\n    with torch.no_grad():\n        return modele(*entree)\n\n\ndef entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    torch.manual_seed(graine)\n    modele = GNN(X.shape[1], 32, n_classes)\n    return _boucle(modele, (X, A), idx_train, y_train, n_epoques, lr)\n\n\ndef entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    torch.manual_seed(graine)\n    modele = nn.Sequential(nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Linear(32, n_classes))\n    return _boucle(modele, (X,), idx_train, y_train, n_epoques, lr)\n',
    must_fail=('test_gnn_and_mlp_training_mechanics',),
    message_contains=('n_epoques',),
)

CORRECT['blind-correct-attention-float64-masked-fill'] = Correct(
    grade_id='attention',
    source='def attention(Q, K, V, masque=None):\n    dtype = Q.dtype\n    q, k, v = Q.double(), K.double(), V.double()\n    s = q @ k.transpose(-1, -2) * (1.0 / q.size(-1) ** 0.5)\n    if masque is not None:\n        s = s.masked_fill(~masque.bool(), float("-inf"))\n    out = F.softmax(s, dim=-1) @ v\n    return out.to(dtype)\n\n\ndef masque_causal(n):\n    return torch.ones(n, n).tril().bool()\n',
    why='float64 inside, masked_fill(~masque.bool()), causal mask from ones().tril().bool()',
)

CORRECT['blind-correct-posenc-float64-math-loops'] = Correct(
    grade_id='posenc',
    source='def encodage_positionnel(n, d):\n    pe = torch.zeros(n, d, dtype=torch.float64)\n    for pos in range(n):\n        for i in range(0, d, 2):\n            angle = pos / (10000 ** (i / d))\n            pe[pos, i] = math.sin(angle)\n            pe[pos, i + 1] = math.cos(angle)\n    return pe\n',
    why='double loop with math.sin/cos in float64',
)

CORRECT['blind-correct-equivariance-numpy'] = Correct(
    grade_id='equivariance',
    source='def erreur_permutation(f, X, perm):\n    idx = [int(p) for p in perm]\n    a = f(X[idx]).detach().cpu().numpy()\n    b = f(X).detach().cpu().numpy()[idx]\n    return float(np.abs(a - b).max())\n',
    why='through numpy arrays, index list',
)

CORRECT['blind-correct-bert-two-uniforms'] = Correct(
    grade_id='bert_mask',
    source='def masquage_bert(tokens, id_mask, taille_vocab, graine):\n    g = torch.Generator().manual_seed(graine)\n    sel = torch.rand(tokens.shape, generator=g) < 0.15\n    u = torch.rand(tokens.shape, generator=g)\n    aleat = torch.randint(0, taille_vocab, tokens.shape, generator=g)\n    entrees = tokens.clone()\n    entrees[sel & (u < 0.8)] = id_mask\n    r = sel & (u >= 0.8) & (u < 0.9)\n    entrees[r] = aleat[r]\n    cibles = torch.where(sel, tokens, torch.full_like(tokens, -100))\n    return entrees, cibles\n',
    why='one uniform for the selection, another for the 80/10/10 split',
)

CORRECT['blind-correct-gnn-clamp-einsum'] = Correct(
    grade_id='gnn',
    source='def couche_gnn(X, A, W_soi, W_voisins, agregation="somme"):\n    M = A @ X\n    if agregation == "moyenne":\n        deg = A.sum(dim=1, keepdim=True).clamp(min=1)\n        M = M / deg\n    elif agregation != "somme":\n        raise ValueError(agregation)\n    return torch.relu(torch.einsum("nd,dh->nh", X, W_soi) + M @ W_voisins)\n',
    why='degree clamp(min=1), einsum for the self term, ValueError on unknown aggregation',
)

CORRECT['blind-correct-gnn_train-xavier-shared-loop'] = Correct(
    grade_id='gnn_train',
    source='class GNN(nn.Module):\n    def __init__(self, d_entree, d_cachee, n_classes):\n        super().__init__()\n        self.W1s = nn.Parameter(torch.empty(d_entree, d_cachee))\n        self.W1v = nn.Parameter(torch.empty(d_entree, d_cachee))\n        self.W2s = nn.Parameter(torch.empty(d_cachee, d_cachee))\n        self.W2v = nn.Parameter(torch.empty(d_cachee, d_cachee))\n        for w in (self.W1s, self.W1v, self.W2s, self.W2v):\n            nn.init.xavier_uniform_(w)\n        self.sortie = nn.Linear(d_cachee, n_classes)\n\n    def forward(self, X, A):\n        h = couche_gnn(X, A, self.W1s, self.W1v, "moyenne")\n        h = couche_gnn(h, A, self.W2s, self.W2v, "moyenne")\n        return self.sortie(h)\n\n\ndef _boucle(modele, entree, idx_train, y_train, n_epoques, lr):\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(n_epoques):\n        opt.zero_grad()\n        perte = F.cross_entropy(modele(*entree)[idx_train], y_train)\n        perte.backward()\n        opt.step()\n    with torch.no_grad():\n        return modele(*entree)\n\n\ndef entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    torch.manual_seed(graine)\n    modele = GNN(X.shape[1], 32, n_classes)\n    return _boucle(modele, (X, A), idx_train, y_train, n_epoques, lr)\n\n\ndef entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    torch.manual_seed(graine)\n    modele = nn.Sequential(nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Linear(32, n_classes))\n    return _boucle(modele, (X,), idx_train, y_train, n_epoques, lr)\n',
    why='xavier weights, one loop helper shared by GNN and MLP, nn.Sequential MLP',
)

CORRECT['blind-correct-transformer-sequential-blocks'] = Correct(
    grade_id='transformer',
    source='class BlocTransformer(nn.Module):\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.n_tetes = n_tetes\n        self.ln1 = nn.LayerNorm(d)\n        self.ln2 = nn.LayerNorm(d)\n        self.qkv = nn.Linear(d, 3 * d)\n        self.proj = nn.Linear(d, d)\n        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))\n\n    def forward(self, x):\n        T = x.shape[1]\n        m = masque_causal(T).to(x.device)\n        h = self.ln1(x)\n        x = x + attention_multi_tetes(h, self.qkv.weight, self.qkv.bias, self.proj.weight, self.proj.bias, self.n_tetes, m)\n        return x + self.mlp(self.ln2(x))\n\n\nclass PetitTransformer(nn.Module):\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        self.tok = nn.Embedding(taille_vocab, d)\n        self.pos = nn.Embedding(contexte, d)\n        self.blocs = nn.Sequential(*[BlocTransformer(d, n_tetes) for _ in range(n_couches)])\n        self.ln = nn.LayerNorm(d)\n        self.tete = nn.Linear(d, taille_vocab)\n\n    def forward(self, idx):\n        T = idx.shape[1]\n        x = self.tok(idx) + self.pos(torch.arange(T, device=idx.device))\n        return self.tete(self.ln(self.blocs(x)))\n',
    why='nn.Sequential of blocks and MLP, F-style weights from nn.Linear',
)

GROUPS["blind-1"] = (
    "blind-bert_mask-modifies-tokens-in-place",
    "blind-equivariance-inverse-permutation",
    "blind-gnn_train-no-zero-grad",
)
GROUPS["inputs-7"] = (*GROUPS["inputs-7"], "blind-gnn_train-sum-aggregation")
GROUPS["inputs-8"] = (*GROUPS["inputs-8"], "blind-gnn_train-mlp-no-activation")
GROUPS["transformer-not-causal"] = (*GROUPS["transformer-not-causal"], "blind-gnn_train-ignores-epochs-and-lr")
CORRECT_GROUPS["blind-correct"] = (
    "blind-correct-attention-float64-masked-fill",
    "blind-correct-posenc-float64-math-loops",
    "blind-correct-equivariance-numpy",
    "blind-correct-bert-two-uniforms",
    "blind-correct-gnn-clamp-einsum",
    "blind-correct-gnn_train-xavier-shared-loop",
    "blind-correct-transformer-sequential-blocks",
)

# Mutants of the solution (`autograder prove --mutants`) that are still correct answers: no
# check can tell them from the solution, and none should.
_SIGNATURE = ("a default of PetitTransformer's signature (outside the solution region): every call "
              "of the notebook passes d, n_tetes, n_couches and contexte, so another default changes "
              "nothing a student or the grader sees (docs/authoring.md, one policy for defaults)")
_INDEPENDENT = "two independent statements in the other order: the same values"
_NO_GRAD = "masks, indices and random draws carry no gradient: detaching changes nothing"
EQUIVALENT: dict[str, str] = {
    "posenc:SwapStatements@5:4": "the angles and the zero table built in the other order: " + _INDEPENDENT,
    "bert_mask:Comparison_Lt_LtE@5:54": "u <= 0.15 and u < 0.15 differ on a float draw of probability 0",
    "bert_mask:DropStatement@4:4": "the tokens are integer tensors (int64) by the statement: .long() converts nothing",
    "bert_mask:SwapStatements@3:4": "the generator built after .long(): " + _INDEPENDENT,
    "bert_mask:DetachValue@5:16": _NO_GRAD,
    "bert_mask:DetachValue@7:17": _NO_GRAD,
    "gnn_train:Binary_Div_Sub@6:68": (
        "W_soi_1 drawn with mean −√d instead of scaled by 1/√d: another initialisation, which the "
        "statement does not fix; Adam trains it to the same accuracies"
    ),
    "transformer:NumberReplacer@31:51#1": _SIGNATURE,
    "transformer:NumberReplacer@31:64": _SIGNATURE,
    "transformer:NumberReplacer@31:76": _SIGNATURE,
    "transformer:SwapStatements@6:8": "n_tetes stored after creating the first LayerNorm (no random draw): " + _INDEPENDENT,
    "transformer:Binary_Add_Sub@25:17": (
        "x − MLP(LN₂(x)) is x + MLP′(LN₂(x)) with the last linear layer negated: the same family "
        "of blocks, and a symmetric initialisation (a zero block is still the identity)"
    ),
    "transformer_train:SwapStatements@5:4": "the optimiser built after the offsets: " + _INDEPENDENT,
    "bert_mask:SwapStatements@4:4": "the selection drawn before .long(): " + _INDEPENDENT,
    "gnn_train:SwapStatements@26:8": "zero_grad before computing the loss instead of after: still before backward, the same step",
    "attention:DetachValue@14:11": "a boolean mask carries no gradient: detaching changes nothing",
    "posenc:DetachValue@9:11": "the table is built from constants and carries no gradient: detaching changes nothing",
    "transformer:SwapStatements@10:8": "the MLP built before the second LayerNorm, whose creation draws no random number: " + _INDEPENDENT,
    "transformer_train:DropStatement@7:4": (
        "the statement's Transformer has no dropout nor batch norm: train() changes nothing in what "
        "it computes"
    ),
    "transformer_train:SwapStatements@6:4": "train() called before building the offsets: " + _INDEPENDENT,
    "gnn_train:SwapStatements@8:8": (
        "W_voisins_2 drawn before W_soi_2: the same initialisation (both N(0, 1/d_cachee)), another draw"
    ),
    "bert_mask:SwapStatements@7:4": "the copy of the tokens made before drawing the random tokens: " + _INDEPENDENT,
    "transformer:Binary_Add_Sub@16:14": (
        "x − MHA(LN₁(x)) is x + MHA′(LN₁(x)) with W_out and b_out negated: the same family of blocks, "
        "and a symmetric initialisation (a zero block is still the identity)"
    ),
    "transformer:SwapStatements@35:8": (
        "the final LayerNorm built before the blocks, its creation drawing no random number (the "
        "blocks and the output layer get the same draws): " + _INDEPENDENT
    ),
    "transformer:SwapStatements@36:8": (
        "the output layer built before the final LayerNorm, whose creation draws no random number: " + _INDEPENDENT
    ),
    "transformer_train:SwapStatements@12:8": "the logits computed before slicing the targets: " + _INDEPENDENT,
    "transformer_train:SwapStatements@17:8": (
        "the loss recorded before optimiser.step(): perte.item() is the same number either way"
    ),
    "transformer_train:NumberReplacer@10:31#1": (
        "a start of −1 drawn once in len(donnees) − contexte + 1: that window's first pair wraps "
        "around the text (one pair in contexte), every other window unchanged"
    ),
}

# ---------------------------------------------------------------- issue 12: blind answers (third session)
# False passes of the third blind round: an exact 15 % selection, one random token reused,
# a maximum without |.|, a final LayerNorm built but unused, one block repeated; and a
# couche_gnn bug that also cost gnn_train (now graded with the grader's couche_gnn).
_BLIND_R3 = {
    'blind-r3-bert-exactly-15-percent': Scenario(
        grade_id='bert_mask',
        source='def masquage_bert(tokens, id_mask, taille_vocab, graine):\n    g = torch.Generator().manual_seed(graine)\n    plat = tokens.reshape(-1).clone()\n    cibles = torch.full_like(plat, -100)\n    N = plat.numel()\n    k = int(round(0.15 * N))\n    choisis = torch.randperm(N, generator=g)[:k]\n    cibles[choisis] = plat[choisis]\n    u = torch.rand(k, generator=g)\n    for j, pos in enumerate(choisis.tolist()):\n        if u[j] < 0.8:\n            plat[pos] = id_mask\n        elif u[j] < 0.9:\n            plat[pos] = int(torch.randint(0, taille_vocab, (1,), generator=g))\n    return plat.view(tokens.shape), cibles.view(tokens.shape)\n',
        must_fail=('test_bert_selection_rate',),
        message_contains=('INDÉPENDAMMENT',),
    ),
    'blind-r3-bert-one-random-token-for-all': Scenario(
        grade_id='bert_mask',
        source='def masquage_bert(tokens, id_mask, taille_vocab, graine):\n    g = torch.Generator().manual_seed(graine)\n    entrees = tokens.clone()\n    sel = torch.rand(tokens.shape, generator=g) < 0.15\n    cibles = torch.where(sel, tokens, torch.full_like(tokens, -100))\n    u = torch.rand(tokens.shape, generator=g)\n    tok_alea = int(torch.randint(0, taille_vocab, (1,), generator=g))\n    entrees[sel & (u < 0.8)] = id_mask\n    entrees[sel & (u >= 0.8) & (u < 0.9)] = tok_alea\n    return entrees, cibles\n',
        must_fail=('test_bert_replacement_split',),
        message_contains=('le MÊME token',),
    ),
    'blind-r3-equivariance-max-without-abs': Scenario(
        grade_id='equivariance',
        source='def erreur_permutation(f, X, perm):\n    return float((f(X[perm]) - f(X)[perm]).max())\n',
        must_fail=('test_erreur_permutation_on_grader_functions',),
        message_contains=('écarts SIGNÉS',),
    ),
    'blind-r3-gnn-tests-english-mean': Scenario(
        grade_id='gnn',
        source='def couche_gnn(X, A, W_soi, W_voisins, agregation="somme"):\n    M = A @ X\n    if agregation == "mean":\n        M = M / A.sum(1, keepdim=True).clamp(min=1)\n    return torch.relu(X @ W_soi + M @ W_voisins)\n',
        must_fail=('test_gnn_values',),
        message_contains=('couche_gnn',),
    ),
    'blind-r3-transformer-no-final-layernorm': Scenario(
        grade_id='transformer',
        source='class BlocTransformer(nn.Module):\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.n_tetes = n_tetes\n        self.ln1 = nn.LayerNorm(d)\n        self.ln2 = nn.LayerNorm(d)\n        self.proj_in = nn.Linear(d, 3 * d)\n        self.proj_out = nn.Linear(d, d)\n        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))\n\n    def forward(self, x):\n        T = x.shape[1]\n        h = self.ln1(x)\n        x = x + attention_multi_tetes(h, self.proj_in.weight, self.proj_in.bias, self.proj_out.weight,\n                                      self.proj_out.bias, self.n_tetes, masque_causal(T))\n        return x + self.mlp(self.ln2(x))\n\n\nclass PetitTransformer(nn.Module):\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        self.emb = nn.Embedding(taille_vocab, d)\n        self.pos = nn.Embedding(contexte, d)\n        self.blocs = nn.Sequential(*[BlocTransformer(d, n_tetes) for _ in range(n_couches)])\n        self.ln = nn.LayerNorm(d)\n        self.tete = nn.Linear(d, taille_vocab)\n\n    def forward(self, idx):\n        T = idx.shape[1]\n        x = self.emb(idx) + self.pos(torch.arange(T))\n        return self.tete(self.blocs(x))\n',
        must_fail=('test_transformer_residuals_and_positions',),
        message_contains=('jamais utilisée dans forward',),
    ),
    'blind-r3-transformer-one-shared-block': Scenario(
        grade_id='transformer',
        source='class BlocTransformer(nn.Module):\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.n_tetes = n_tetes\n        self.ln1 = nn.LayerNorm(d)\n        self.ln2 = nn.LayerNorm(d)\n        self.proj_in = nn.Linear(d, 3 * d)\n        self.proj_out = nn.Linear(d, d)\n        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))\n\n    def forward(self, x):\n        T = x.shape[1]\n        h = self.ln1(x)\n        x = x + attention_multi_tetes(h, self.proj_in.weight, self.proj_in.bias, self.proj_out.weight,\n                                      self.proj_out.bias, self.n_tetes, masque_causal(T))\n        return x + self.mlp(self.ln2(x))\n\n\nclass PetitTransformer(nn.Module):\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        self.emb = nn.Embedding(taille_vocab, d)\n        self.pos = nn.Embedding(contexte, d)\n        self.blocs = nn.Sequential(*([BlocTransformer(d, n_tetes)] * n_couches))\n        self.ln = nn.LayerNorm(d)\n        self.tete = nn.Linear(d, taille_vocab)\n\n    def forward(self, idx):\n        T = idx.shape[1]\n        x = self.emb(idx) + self.pos(torch.arange(T))\n        return self.tete(self.ln(self.blocs(x)))\n',
        must_fail=('test_transformer_residuals_and_positions',),
        message_contains=('répète le MÊME',),
    ),
}
SCENARIOS.update(_BLIND_R3)
GROUPS["blind-r3-1"] = ("blind-r3-bert-exactly-15-percent", "blind-r3-equivariance-max-without-abs",
                        "blind-r3-gnn-tests-english-mean", "blind-r3-transformer-no-final-layernorm")
GROUPS["blind-r3-2"] = ("blind-r3-bert-one-random-token-for-all", "blind-r3-transformer-one-shared-block")
SCENARIOS["blind-r3-transformer-train-ignores-lr"] = Scenario(
    grade_id="transformer_train",
    source='def entrainer_transformer(modele, donnees, n_etapes, taille_lot, contexte, lr, graine):\n    g = torch.Generator().manual_seed(graine)\n    opt = torch.optim.AdamW(modele.parameters())\n    pertes = []\n    modele.train()\n    for _ in range(n_etapes):\n        i = torch.randint(0, len(donnees) - contexte - 1, (taille_lot,), generator=g)\n        x = torch.stack([donnees[j:j + contexte] for j in i.tolist()])\n        y = torch.stack([donnees[j + 1:j + contexte + 1] for j in i.tolist()])\n        logits = modele(x)\n        perte = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))\n        opt.zero_grad(); perte.backward(); opt.step()\n        pertes.append(float(perte))\n    return pertes\n',
    must_fail=("test_entrainer_transformer_loop_mechanics",),
    message_contains=("n'utilise pas son argument lr",),
    may_fail=("test_entrainer_transformer_learns_a_periodic_sequence",
              "test_transformer_bits_per_char_on_held_out_text"),
)
GROUPS["blind-r3-3"] = ("blind-r3-transformer-train-ignores-lr",)

# ---------------------------------------------------------------- issue 12: mutants (mut3, sample seed 11)
# The one real survivor of a 60-mutant sample: token and position embeddings multiplied. The
# model still depends on the position and still learns; the structure check now compares the
# first block's input with the sum of the two embeddings.
SCENARIOS["mutants-transformer-embeddings-multiplied"] = Scenario(
    grade_id="transformer",
    source=edit(_TRANSFORMER, ("        x = self.plongement(idx) + self.position(positions)\n", "        x = self.plongement(idx) * self.position(positions)\n")),
    must_fail=("test_transformer_residuals_and_positions",),
    message_contains=("SOMME du plongement du caractère",),
    affects=("transformer_train",),
)
GROUPS["mutants-1"] = ("mutants-transformer-embeddings-multiplied",)

# ---------------------------------------------------------------- issue 12: blind answers (round 5)
# Written by a tester who never saw the checks (/tmp/blind-r5): the false passes (a float or
# int causal mask, the last vocabulary id never drawn, a ReLU or 2d-wide block MLP, a fixed
# sinusoid for the learned positions, a GNN with an input projection and one shared layer or
# a fixed width, Adam for AdamW) and the bad hints (post-norm, inverted mask, columns permuted,
# unchanged tokens without target, generator re-seeded at each step, losses in bits), each a
# scenario; the correct answers, a correct group.
_BLIND_R5 = {
    'blind-r5-attention-causal-mask-float': Scenario(
        grade_id='attention',
        source='def attention(Q, K, V, masque=None):\n    """softmax(Q Kᵀ / √d_k) V. Q (..., n, d_k), K (..., m, d_k), V (..., m, d_v) ;\n    masque booléen diffusable vers (..., n, m), True = position autorisée. Renvoie (..., n, d_v)."""\n    s = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])\n    if masque is not None:\n        s = s.masked_fill(masque == 0, float("-inf"))\n    return torch.softmax(s, dim=-1) @ V\n\n\ndef masque_causal(n):\n    """Masque booléen (n, n) : True en (i, j) si j <= i (la position i ne voit pas le futur)."""\n    return torch.tril(torch.ones(n, n))\n',
        must_fail=('test_attention_with_causal_mask',),
        message_contains=('BOOLÉEN',),
    ),
    'blind-r5-attention-causal-mask-int64': Scenario(
        grade_id='attention',
        source='def attention(Q, K, V, masque=None):\n    """softmax(Q Kᵀ / √d_k) V. Q (..., n, d_k), K (..., m, d_k), V (..., m, d_v) ;\n    masque booléen diffusable vers (..., n, m), True = position autorisée. Renvoie (..., n, d_v)."""\n    s = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])\n    if masque is not None:\n        s = torch.where(masque.bool(), s, torch.tensor(float("-inf"), dtype=s.dtype))\n    return torch.softmax(s, dim=-1) @ V\n\n\ndef masque_causal(n):\n    """Masque booléen (n, n) : True en (i, j) si j <= i (la position i ne voit pas le futur)."""\n    return torch.tril(torch.ones(n, n, dtype=torch.long))\n',
        must_fail=('test_attention_with_causal_mask',),
        message_contains=('BOOLÉEN',),
    ),
    'blind-r5-attention-mask-after-softmax': Scenario(
        grade_id='attention',
        source='def attention(Q, K, V, masque=None):\n    """softmax(Q Kᵀ / √d_k) V. Q (..., n, d_k), K (..., m, d_k), V (..., m, d_v) ;\n    masque booléen diffusable vers (..., n, m), True = position autorisée. Renvoie (..., n, d_v)."""\n    s = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])\n    p = torch.softmax(s, dim=-1)\n    if masque is not None:\n        p = p * masque\n    return p @ V\n\n\ndef masque_causal(n):\n    """Masque booléen (n, n) : True en (i, j) si j <= i (la position i ne voit pas le futur)."""\n    return torch.tril(torch.ones(n, n, dtype=torch.bool))\n',
        must_fail=('test_attention_with_padding_mask', 'test_attention_with_causal_mask'),
        message_contains=('le masque à −∞',),
        affects=('transformer_train',),
    ),
    'blind-r5-bert-random-vocab-off-by-one': Scenario(
        grade_id='bert_mask',
        source='def masquage_bert(tokens, id_mask, taille_vocab, graine):\n    """Masquage de BERT : renvoie (entrees, cibles), cibles = -100 hors des tokens sélectionnés."""\n    g = torch.Generator().manual_seed(graine)\n    sel = torch.rand(tokens.shape, generator=g) < 0.15\n    u = torch.rand(tokens.shape, generator=g)\n    entrees = tokens.clone()\n    entrees[sel & (u < 0.8)] = id_mask\n    alea = sel & (u >= 0.8) & (u < 0.9)\n    entrees[alea] = torch.randint(0, taille_vocab - 1, (int(alea.sum()),), generator=g)\n    cibles = torch.where(sel, tokens, torch.full_like(tokens, -100))\n    return entrees, cibles\n',
        must_fail=('test_bert_replacement_split',),
        message_contains=('ne tire jamais le dernier identifiant',),
    ),
    'blind-r5-bert-unchanged-without-target': Scenario(
        grade_id='bert_mask',
        source='def masquage_bert(tokens, id_mask, taille_vocab, graine):\n    """Masquage de BERT : renvoie (entrees, cibles), cibles = -100 hors des tokens sélectionnés."""\n    g = torch.Generator().manual_seed(graine)\n    sel = torch.rand(tokens.shape, generator=g) < 0.15\n    u = torch.rand(tokens.shape, generator=g)\n    entrees = tokens.clone()\n    entrees[sel & (u < 0.8)] = id_mask\n    alea = sel & (u >= 0.8) & (u < 0.9)\n    entrees[alea] = torch.randint(0, taille_vocab, (int(alea.sum()),), generator=g)\n    cibles = torch.where(sel & (u < 0.9), tokens, torch.full_like(tokens, -100))\n    return entrees, cibles\n',
        must_fail=('test_bert_replacement_split',),
        message_contains=('TOUTES les positions sélectionnées',),
        may_fail=('test_bert_selection_rate',),
    ),
    'blind-r5-transformer-mlp-relu': Scenario(
        grade_id='transformer',
        source='class BlocTransformer(nn.Module):\n    """x + MHA(LN1(x)) avec masque causal, puis x + MLP(LN2(x)) ; MLP d -> 4d -> d avec GELU."""\n\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.n_tetes = n_tetes\n        self.ln1 = nn.LayerNorm(d)\n        self.ln2 = nn.LayerNorm(d)\n        self.entree = nn.Linear(d, 3 * d)\n        self.sortie = nn.Linear(d, d)\n        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.ReLU(), nn.Linear(4 * d, d))\n\n    def forward(self, x):\n        """x (B, T, d) -> (B, T, d)."""\n        m = masque_causal(x.shape[1])\n        x = x + attention_multi_tetes(self.ln1(x), self.entree.weight, self.entree.bias, self.sortie.weight,\n                                      self.sortie.bias, self.n_tetes, m)\n        return x + self.mlp(self.ln2(x))\n\n\nclass PetitTransformer(nn.Module):\n    """Transformer décodeur de caractères : idx (B, T) entiers, T <= contexte -> logits (B, T, taille_vocab)."""\n\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        self.car = nn.Embedding(taille_vocab, d)\n        self.pos = nn.Embedding(contexte, d)\n        self.blocs = nn.Sequential(*[BlocTransformer(d, n_tetes) for _ in range(n_couches)])\n        self.ln = nn.LayerNorm(d)\n        self.tete = nn.Linear(d, taille_vocab)\n\n    def forward(self, idx):\n        """idx (B, T) entiers -> logits (B, T, taille_vocab)."""\n        T = idx.shape[1]\n        x = self.car(idx) + self.pos(torch.arange(T))\n        return self.tete(self.ln(self.blocs(x)))\n',
        must_fail=('test_transformer_residuals_and_positions',),
        message_contains=('utilise une ReLU',),
    ),
    'blind-r5-transformer-mlp-2d': Scenario(
        grade_id='transformer',
        source='class BlocTransformer(nn.Module):\n    """x + MHA(LN1(x)) avec masque causal, puis x + MLP(LN2(x)) ; MLP d -> 4d -> d avec GELU."""\n\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.n_tetes = n_tetes\n        self.ln1 = nn.LayerNorm(d)\n        self.ln2 = nn.LayerNorm(d)\n        self.entree = nn.Linear(d, 3 * d)\n        self.sortie = nn.Linear(d, d)\n        self.mlp = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))\n\n    def forward(self, x):\n        """x (B, T, d) -> (B, T, d)."""\n        m = masque_causal(x.shape[1])\n        x = x + attention_multi_tetes(self.ln1(x), self.entree.weight, self.entree.bias, self.sortie.weight,\n                                      self.sortie.bias, self.n_tetes, m)\n        return x + self.mlp(self.ln2(x))\n\n\nclass PetitTransformer(nn.Module):\n    """Transformer décodeur de caractères : idx (B, T) entiers, T <= contexte -> logits (B, T, taille_vocab)."""\n\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        self.car = nn.Embedding(taille_vocab, d)\n        self.pos = nn.Embedding(contexte, d)\n        self.blocs = nn.Sequential(*[BlocTransformer(d, n_tetes) for _ in range(n_couches)])\n        self.ln = nn.LayerNorm(d)\n        self.tete = nn.Linear(d, taille_vocab)\n\n    def forward(self, idx):\n        """idx (B, T) entiers -> logits (B, T, taille_vocab)."""\n        T = idx.shape[1]\n        x = self.car(idx) + self.pos(torch.arange(T))\n        return self.tete(self.ln(self.blocs(x)))\n',
        must_fail=('test_transformer_residuals_and_positions',),
        message_contains=('largeur 4d',),
    ),
    'blind-r5-transformer-post-norm': Scenario(
        grade_id='transformer',
        source='class BlocTransformer(nn.Module):\n    """x + MHA(LN1(x)) avec masque causal, puis x + MLP(LN2(x)) ; MLP d -> 4d -> d avec GELU."""\n\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.n_tetes = n_tetes\n        self.ln1 = nn.LayerNorm(d)\n        self.ln2 = nn.LayerNorm(d)\n        self.entree = nn.Linear(d, 3 * d)\n        self.sortie = nn.Linear(d, d)\n        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))\n\n    def mha(self, x):\n        m = masque_causal(x.shape[1])\n        return attention_multi_tetes(x, self.entree.weight, self.entree.bias, self.sortie.weight, self.sortie.bias,\n                                     self.n_tetes, m)\n\n    def forward(self, x):\n        """x (B, T, d) -> (B, T, d)."""\n        x = self.ln1(x + self.mha(x))\n        return self.ln2(x + self.mlp(x))\n\n\nclass PetitTransformer(nn.Module):\n    """Transformer décodeur de caractères : idx (B, T) entiers, T <= contexte -> logits (B, T, taille_vocab)."""\n\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        self.car = nn.Embedding(taille_vocab, d)\n        self.pos = nn.Embedding(contexte, d)\n        self.blocs = nn.Sequential(*[BlocTransformer(d, n_tetes) for _ in range(n_couches)])\n        self.ln = nn.LayerNorm(d)\n        self.tete = nn.Linear(d, taille_vocab)\n\n    def forward(self, idx):\n        """idx (B, T) entiers -> logits (B, T, taille_vocab)."""\n        T = idx.shape[1]\n        x = self.car(idx) + self.pos(torch.arange(T))\n        return self.tete(self.ln(self.blocs(x)))\n',
        must_fail=('test_transformer_residuals_and_positions',),
        message_contains=('AVANT chaque sous-couche',),
    ),
    'blind-r5-transformer-fixed-sinusoid-positions': Scenario(
        grade_id='transformer',
        source='class BlocTransformer(nn.Module):\n    """x + MHA(LN1(x)) avec masque causal, puis x + MLP(LN2(x)) ; MLP d -> 4d -> d avec GELU."""\n\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.n_tetes = n_tetes\n        self.ln1 = nn.LayerNorm(d)\n        self.ln2 = nn.LayerNorm(d)\n        self.entree = nn.Linear(d, 3 * d)\n        self.sortie = nn.Linear(d, d)\n        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))\n\n    def forward(self, x):\n        """x (B, T, d) -> (B, T, d)."""\n        m = masque_causal(x.shape[1])\n        x = x + attention_multi_tetes(self.ln1(x), self.entree.weight, self.entree.bias, self.sortie.weight,\n                                      self.sortie.bias, self.n_tetes, m)\n        return x + self.mlp(self.ln2(x))\n\n\nclass PetitTransformer(nn.Module):\n    """Transformer décodeur de caractères : idx (B, T) entiers, T <= contexte -> logits (B, T, taille_vocab)."""\n\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        self.car = nn.Embedding(taille_vocab, d)\n        self.register_buffer("pe", encodage_positionnel(contexte, d).float())\n        self.blocs = nn.Sequential(*[BlocTransformer(d, n_tetes) for _ in range(n_couches)])\n        self.ln = nn.LayerNorm(d)\n        self.tete = nn.Linear(d, taille_vocab)\n\n    def forward(self, idx):\n        """idx (B, T) entiers -> logits (B, T, taille_vocab)."""\n        T = idx.shape[1]\n        x = self.car(idx) + self.pe[:T]\n        return self.tete(self.ln(self.blocs(x)))\n',
        must_fail=('test_transformer_residuals_and_positions',),
        message_contains=('plongement de position appris',),
    ),
    'blind-r5-gnn-train-input-projection-shared-layer': Scenario(
        grade_id='gnn_train',
        source='class GNN(nn.Module):\n    """Deux couches couche_gnn (agrégation « moyenne », largeur d_cachee), puis une couche linéaire."""\n\n    def __init__(self, d_entree, d_cachee, n_classes):\n        super().__init__()\n        self.entree = nn.Linear(d_entree, d_cachee)\n        self.W_soi = nn.Parameter(torch.randn(d_cachee, d_cachee) / math.sqrt(d_cachee))\n        self.W_voisins = nn.Parameter(torch.randn(d_cachee, d_cachee) / math.sqrt(d_cachee))\n        self.sortie = nn.Linear(d_cachee, n_classes)\n\n    def forward(self, X, A):\n        """Logits (n, n_classes) de tous les nœuds."""\n        H = self.entree(X)\n        H = couche_gnn(H, A, self.W_soi, self.W_voisins, "moyenne")\n        H = couche_gnn(H, A, self.W_soi, self.W_voisins, "moyenne")\n        return self.sortie(H)\n\n\ndef _entrainer(modele, appel, idx_train, y_train, n_epoques, lr):\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(n_epoques):\n        opt.zero_grad()\n        F.cross_entropy(appel()[idx_train], y_train).backward()\n        opt.step()\n    with torch.no_grad():\n        return appel()\n\n\ndef entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Entraîne un GNN(d, 32, n_classes) sur les nœuds idx_train (étiquettes y_train) ;\n    renvoie les logits (n, n_classes) de TOUS les nœuds après l\'entraînement."""\n    torch.manual_seed(graine)\n    modele = GNN(X.shape[1], 32, n_classes)\n    return _entrainer(modele, lambda: modele(X, A), idx_train, y_train, n_epoques, lr)\n\n\ndef entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Même protocole avec un MLP d -> 32 -> n_classes qui ne voit que X (pas le graphe)."""\n    torch.manual_seed(graine)\n    modele = nn.Sequential(nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Linear(32, n_classes))\n    return _entrainer(modele, lambda: modele(X), idx_train, y_train, n_epoques, lr)\n',
        must_fail=('test_gnn_accuracy_on_grader_graphs',),
        message_contains=('ne reçoit pas les caractéristiques X',),
    ),
    'blind-r5-gnn-train-hidden-width-ignored': Scenario(
        grade_id='gnn_train',
        source='class GNN(nn.Module):\n    """Deux couches couche_gnn (agrégation « moyenne », largeur d_cachee), puis une couche linéaire."""\n\n    def __init__(self, d_entree, d_cachee, n_classes):\n        super().__init__()\n        h = 64\n        self.W_soi1 = nn.Parameter(torch.randn(d_entree, h) / math.sqrt(d_entree))\n        self.W_vois1 = nn.Parameter(torch.randn(d_entree, h) / math.sqrt(d_entree))\n        self.W_soi2 = nn.Parameter(torch.randn(h, h) / math.sqrt(h))\n        self.W_vois2 = nn.Parameter(torch.randn(h, h) / math.sqrt(h))\n        self.lin = nn.Linear(h, n_classes)\n\n    def forward(self, X, A):\n        """Logits (n, n_classes) de tous les nœuds."""\n        H = couche_gnn(X, A, self.W_soi1, self.W_vois1, "moyenne")\n        H = couche_gnn(H, A, self.W_soi2, self.W_vois2, "moyenne")\n        return self.lin(H)\n\n\ndef entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Entraîne un GNN(d, 32, n_classes) sur les nœuds idx_train (étiquettes y_train) ;\n    renvoie les logits (n, n_classes) de TOUS les nœuds après l\'entraînement."""\n    torch.manual_seed(graine)\n    modele = GNN(X.shape[1], 32, n_classes)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(n_epoques):\n        opt.zero_grad()\n        F.cross_entropy(modele(X, A)[idx_train], y_train).backward()\n        opt.step()\n    with torch.no_grad():\n        return modele(X, A)\n\n\ndef entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Même protocole avec un MLP d -> 32 -> n_classes qui ne voit que X (pas le graphe)."""\n    torch.manual_seed(graine)\n    modele = nn.Sequential(nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Linear(32, n_classes))\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(n_epoques):\n        opt.zero_grad()\n        F.cross_entropy(modele(X)[idx_train], y_train).backward()\n        opt.step()\n    with torch.no_grad():\n        return modele(X)\n',
        must_fail=('test_gnn_accuracy_on_grader_graphs',),
        message_contains=("n'ont pas la largeur d_cachee",),
    ),
    'blind-r5-mha-mask-inverted': Scenario(
        grade_id='mha',
        source='def attention_multi_tetes(x, W_in, b_in, W_out, b_out, n_tetes, masque=None):\n    """Auto-attention multi-têtes de x (B, n, d), comme nn.MultiheadAttention(batch_first=True)."""\n    B, n, d = x.shape\n    dh = d // n_tetes\n    qkv = x @ W_in.T + b_in\n    q, k, v = qkv.split(d, dim=-1)\n    sep = lambda t: t.view(B, n, n_tetes, dh).transpose(1, 2)\n    m = None if masque is None else ~masque.bool()\n    o = attention(sep(q), sep(k), sep(v), m)\n    o = o.transpose(1, 2).reshape(B, n, d)\n    return o @ W_out.T + b_out\n',
        must_fail=('test_mha_matches_nn_multiheadattention',),
        message_contains=('le masque est inversé',),
        affects=('transformer', 'transformer_train'),
    ),
    'blind-r5-equivariance-permutes-columns': Scenario(
        grade_id='equivariance',
        source='def erreur_permutation(f, X, perm):\n    """max |f(X[perm]) - f(X)[perm]| pour X (n, d) et perm une permutation des n positions."""\n    return float((f(X[:, perm]) - f(X)[:, perm]).abs().max())\n',
        must_fail=('test_erreur_permutation_on_grader_functions',),
        message_contains=('colonnes de X',),
    ),
    'blind-r5-transformer-train-adam-not-adamw': Scenario(
        grade_id='transformer_train',
        source='def entrainer_transformer(modele, donnees, n_etapes, taille_lot, contexte, lr, graine):\n    """Entraîne modele à prédire le caractère suivant sur des fenêtres tirées de donnees ;\n    renvoie la liste des pertes (entropie croisée en nats, une par étape)."""\n    g = torch.Generator().manual_seed(graine)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    pertes = []\n    for _ in range(n_etapes):\n        i = torch.randint(0, len(donnees) - contexte, (taille_lot,), generator=g)\n        xb = torch.stack([donnees[j:j + contexte] for j in i])\n        yb = torch.stack([donnees[j + 1:j + contexte + 1] for j in i])\n        logits = modele(xb)\n        perte = F.cross_entropy(logits.flatten(0, 1), yb.flatten())\n        opt.zero_grad()\n        perte.backward()\n        opt.step()\n        pertes.append(perte.item())\n    return pertes\n',
        must_fail=('test_entrainer_transformer_loop_mechanics',),
        message_contains=('AdamW',),
    ),
    'blind-r5-transformer-train-generator-reseeded-each-step': Scenario(
        grade_id='transformer_train',
        source='def entrainer_transformer(modele, donnees, n_etapes, taille_lot, contexte, lr, graine):\n    """Entraîne modele à prédire le caractère suivant sur des fenêtres tirées de donnees ;\n    renvoie la liste des pertes (entropie croisée en nats, une par étape)."""\n    opt = torch.optim.AdamW(modele.parameters(), lr=lr)\n    pertes = []\n    for _ in range(n_etapes):\n        g = torch.Generator().manual_seed(graine)\n        i = torch.randint(0, len(donnees) - contexte, (taille_lot,), generator=g)\n        xb = torch.stack([donnees[j:j + contexte] for j in i])\n        yb = torch.stack([donnees[j + 1:j + contexte + 1] for j in i])\n        logits = modele(xb)\n        perte = F.cross_entropy(logits.flatten(0, 1), yb.flatten())\n        opt.zero_grad()\n        perte.backward()\n        opt.step()\n        pertes.append(perte.item())\n    return pertes\n',
        must_fail=('test_entrainer_transformer_loop_mechanics',),
        message_contains=('UNE fois, avant la boucle',),
        may_fail=('test_transformer_bits_per_char_on_held_out_text',),
    ),
    'blind-r5-transformer-train-losses-in-bits': Scenario(
        grade_id='transformer_train',
        source='def entrainer_transformer(modele, donnees, n_etapes, taille_lot, contexte, lr, graine):\n    """Entraîne modele à prédire le caractère suivant sur des fenêtres tirées de donnees ;\n    renvoie la liste des pertes (entropie croisée en nats, une par étape)."""\n    g = torch.Generator().manual_seed(graine)\n    opt = torch.optim.AdamW(modele.parameters(), lr=lr)\n    pertes = []\n    for _ in range(n_etapes):\n        i = torch.randint(0, len(donnees) - contexte, (taille_lot,), generator=g)\n        xb = torch.stack([donnees[j:j + contexte] for j in i])\n        yb = torch.stack([donnees[j + 1:j + contexte + 1] for j in i])\n        logits = modele(xb)\n        perte = F.cross_entropy(logits.flatten(0, 1), yb.flatten())\n        opt.zero_grad()\n        perte.backward()\n        opt.step()\n        pertes.append(perte.item() / math.log(2))\n    return pertes\n',
        must_fail=('test_entrainer_transformer_loop_mechanics',),
        message_contains=('en nats',),
    ),
}
SCENARIOS.update(_BLIND_R5)
GROUPS["blind-r5-1"] = ("blind-r5-attention-causal-mask-float", "blind-r5-bert-random-vocab-off-by-one",
                        "blind-r5-transformer-mlp-relu", "blind-r5-gnn-train-input-projection-shared-layer",
                        "blind-r5-equivariance-permutes-columns", "blind-r5-transformer-train-adam-not-adamw")
GROUPS["blind-r5-2"] = ("blind-r5-attention-causal-mask-int64", "blind-r5-bert-unchanged-without-target",
                        "blind-r5-transformer-mlp-2d", "blind-r5-gnn-train-hidden-width-ignored",
                        "blind-r5-transformer-train-losses-in-bits")
GROUPS["blind-r5-3"] = ("blind-r5-transformer-post-norm", "blind-r5-transformer-train-generator-reseeded-each-step")
GROUPS["blind-r5-4"] = ("blind-r5-transformer-fixed-sinusoid-positions",)
GROUPS["blind-r5-5"] = ("blind-r5-attention-mask-after-softmax",)
GROUPS["blind-r5-6"] = ("blind-r5-mha-mask-inverted",)
CORRECT.update({
    'blind-r5-correct-attention-neg-large': Correct(
        grade_id='attention',
        source='def _scores(Q, K):\n    return torch.matmul(Q, K.transpose(-2, -1)) / math.sqrt(Q.shape[-1])\n\n\ndef attention(Q, K, V, masque=None):\n    """softmax(Q Kᵀ / √d_k) V. Q (..., n, d_k), K (..., m, d_k), V (..., m, d_v) ;\n    masque booléen diffusable vers (..., n, m), True = position autorisée. Renvoie (..., n, d_v)."""\n    s = _scores(Q, K)\n    if masque is not None:\n        s = s.masked_fill(~masque.bool(), -1e9)\n    poids = torch.softmax(s, dim=-1)\n    return poids @ V\n\n\ndef masque_causal(n):\n    """Masque booléen (n, n) : True en (i, j) si j <= i (la position i ne voit pas le futur)."""\n    pos = torch.arange(n)\n    return pos[None, :] <= pos[:, None]\n',
        why='-1e9 finite fill, causal mask from arange comparison',
    ),
    'blind-r5-correct-bert-bernoulli': Correct(
        grade_id='bert_mask',
        source='def masquage_bert(tokens, id_mask, taille_vocab, graine):\n    """Masquage de BERT : renvoie (entrees, cibles), cibles = -100 hors des tokens sélectionnés."""\n    g = torch.Generator().manual_seed(graine)\n    selection = torch.bernoulli(torch.full(tokens.shape, 0.15), generator=g).bool()\n    u = torch.rand(tokens.shape, generator=g)\n    aleatoires = torch.randint(0, taille_vocab, tokens.shape, generator=g, dtype=tokens.dtype)\n    entrees = tokens.clone()\n    entrees[selection & (u < 0.8)] = id_mask\n    remplace = selection & (u >= 0.8) & (u < 0.9)\n    entrees[remplace] = aleatoires[remplace]\n    cibles = torch.full_like(tokens, -100)\n    cibles[selection] = tokens[selection]\n    return entrees, cibles\n',
        why='selection by torch.bernoulli with the generator',
    ),
    'blind-r5-correct-gnn-loop-nodes': Correct(
        grade_id='gnn',
        source='def couche_gnn(X, A, W_soi, W_voisins, agregation="somme"):\n    """ReLU(X W_soi + M W_voisins), M = A X ("somme") ou A X / max(1, deg) ("moyenne")."""\n    lignes = []\n    for i in range(X.shape[0]):\n        s = (A[i].unsqueeze(1) * X).sum(dim=0)\n        if agregation == "moyenne":\n            s = s / max(1.0, float(A[i].sum()))\n        lignes.append(s)\n    M = torch.stack(lignes)\n    return torch.relu(X @ W_soi + M @ W_voisins)\n',
        why='a loop over the nodes',
    ),
    'blind-r5-correct-mha-chunk-flat-heads': Correct(
        grade_id='mha',
        source='def attention_multi_tetes(x, W_in, b_in, W_out, b_out, n_tetes, masque=None):\n    """Auto-attention multi-têtes de x (B, n, d), comme nn.MultiheadAttention(batch_first=True)."""\n    B, n, d = x.shape\n    dh = d // n_tetes\n    q, k, v = F.linear(x, W_in, b_in).chunk(3, dim=-1)\n\n    def separer(t):\n        return t.reshape(B, n, n_tetes, dh).permute(0, 2, 1, 3).reshape(B * n_tetes, n, dh)\n\n    m = None\n    if masque is not None:\n        m = masque\n        if m.dim() == 3:                       # (B, n, n) -> (B*h, n, n)\n            m = m.repeat_interleave(n_tetes, dim=0)\n    o = attention(separer(q), separer(k), separer(v), m)       # (B*h, n, dh)\n    o = o.reshape(B, n_tetes, n, dh).permute(0, 2, 1, 3).reshape(B, n, d)\n    return F.linear(o, W_out, b_out)\n',
        why='F.linear and chunk, heads flattened into the batch',
    ),
    'blind-r5-correct-posenc-exp-log': Correct(
        grade_id='posenc',
        source='def encodage_positionnel(n, d):\n    """Encodage sinusoïdal (n, d) : sin sur les colonnes paires, cos sur les impaires."""\n    pos = torch.arange(n, dtype=torch.float64).unsqueeze(1)\n    freq = torch.exp(torch.arange(0, d, 2, dtype=torch.float64) * (-math.log(10000.0) / d))\n    pe = torch.zeros(n, d, dtype=torch.float64)\n    pe[:, 0::2] = torch.sin(pos * freq)\n    pe[:, 1::2] = torch.cos(pos * freq)\n    return pe.float()\n',
        why='exp/log frequencies in float64',
    ),
    'blind-r5-correct-transformer-modulelist': Correct(
        grade_id='transformer',
        source='class BlocTransformer(nn.Module):\n    """x + MHA(LN1(x)) avec masque causal, puis x + MLP(LN2(x)) ; MLP d -> 4d -> d avec GELU."""\n\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.n_tetes = n_tetes\n        self.ln1 = nn.LayerNorm(d)\n        self.ln2 = nn.LayerNorm(d)\n        self.qkv = nn.Linear(d, 3 * d)\n        self.proj = nn.Linear(d, d)\n        self.fc1 = nn.Linear(d, 4 * d)\n        self.fc2 = nn.Linear(4 * d, d)\n\n    def forward(self, x):\n        """x (B, T, d) -> (B, T, d)."""\n        T = x.shape[1]\n        m = masque_causal(T).to(x.device)\n        h = self.ln1(x)\n        x = x + attention_multi_tetes(h, self.qkv.weight, self.qkv.bias, self.proj.weight, self.proj.bias,\n                                      self.n_tetes, m)\n        h = self.ln2(x)\n        return x + self.fc2(F.gelu(self.fc1(h)))\n\n\nclass PetitTransformer(nn.Module):\n    """Transformer décodeur de caractères : idx (B, T) entiers, T <= contexte -> logits (B, T, taille_vocab)."""\n\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        self.contexte = contexte\n        self.emb_car = nn.Embedding(taille_vocab, d)\n        self.emb_pos = nn.Embedding(contexte, d)\n        self.blocs = nn.ModuleList(BlocTransformer(d, n_tetes) for _ in range(n_couches))\n        self.ln_f = nn.LayerNorm(d)\n        self.sortie = nn.Linear(d, taille_vocab)\n\n    def forward(self, idx):\n        """idx (B, T) entiers -> logits (B, T, taille_vocab)."""\n        B, T = idx.shape\n        assert T <= self.contexte\n        x = self.emb_car(idx) + self.emb_pos(torch.arange(T, device=idx.device))[None]\n        for bloc in self.blocs:\n            x = bloc(x)\n        return self.sortie(self.ln_f(x))\n',
        why='separate nn.Linear layers, nn.ModuleList, F.gelu',
    ),
    'blind-r5-correct-transformer-train-unfold-prints': Correct(
        grade_id='transformer_train',
        source='def entrainer_transformer(modele, donnees, n_etapes, taille_lot, contexte, lr, graine):\n    """Entraîne modele à prédire le caractère suivant sur des fenêtres tirées de donnees ;\n    renvoie la liste des pertes (entropie croisée en nats, une par étape)."""\n    g = torch.Generator().manual_seed(graine)\n    opt = torch.optim.AdamW(modele.parameters(), lr=lr)\n    decalage = torch.arange(contexte)\n    modele.train()\n    pertes = []\n    for etape in range(n_etapes):\n        debuts = torch.randint(0, len(donnees) - contexte, (taille_lot,), generator=g)\n        pos = debuts[:, None] + decalage[None, :]\n        entree, cible = donnees[pos], donnees[pos + 1]\n        logits = modele(entree)\n        perte = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), cible.reshape(-1))\n        opt.zero_grad()\n        perte.backward()\n        opt.step()\n        pertes.append(perte.item())\n        if etape % 100 == 0:\n            print(f"étape {etape} : {perte.item():.3f}")\n    return pertes\n',
        why='index-matrix windows, prints',
    ),
})
CORRECT_GROUPS["blind-r5-correct"] = (
    'blind-r5-correct-attention-neg-large',
    'blind-r5-correct-bert-bernoulli',
    'blind-r5-correct-gnn-loop-nodes',
    'blind-r5-correct-mha-chunk-flat-heads',
    'blind-r5-correct-posenc-exp-log',
    'blind-r5-correct-transformer-modulelist',
    'blind-r5-correct-transformer-train-unfold-prints',
)

# ---------------------------------------------------------------- issue 12: the statement's rules, by class
# Arguments modified in place (now checked for attention, attention_multi_tetes, couche_gnn,
# erreur_permutation and masquage_bert); the widths the statement prescribes for
# entrainer_gnn's GNN(d, 32, n_classes) and entrainer_mlp's d → 32 → C MLP; the defaults
# n_epoques and lr the notebook relies on (the course's one policy, docs/authoring.md).
_ATTENTION_CELL = solution_cell(__file__, "attention")
_BLIND_R5_RULES = {
    "submission-attention-scales-q-in-place": Scenario(
        grade_id="attention",
        source=edit(_ATTENTION_CELL, ("    scores = Q @ K.transpose(-2, -1) / math.sqrt(d_k)\n", "    Q /= math.sqrt(d_k)  # on divise une fois les requêtes\n    scores = Q @ K.transpose(-2, -1)\n")),
        must_fail=("test_attention_matches_torch_without_mask", "test_attention_with_padding_mask"),
        message_contains=("modifie sur place", "modified by an inplace operation"),
        affects=("transformer_train",),
    ),
    "submission-gnn-train-hidden-width-33": Scenario(
        grade_id="gnn_train",
        source=edit(_GNN_TRAIN, ("    modele = GNN(X.shape[1], 32, n_classes)\n", "    modele = GNN(X.shape[1], 33, n_classes)\n")),
        must_fail=("test_gnn_and_mlp_training_mechanics",),
        message_contains=("largeur cachée n'est pas 32",),
    ),
    "submission-mlp-hidden-width-64": Scenario(
        grade_id="gnn_train",
        source=edit(_GNN_TRAIN, ("    modele = nn.Sequential(nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Linear(32, n_classes))\n", "    modele = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Linear(64, n_classes))\n")),
        must_fail=("test_gnn_and_mlp_training_mechanics",),
        message_contains=("d → 32 → n_classes",),
        may_fail=("test_gnn_beats_features_only_mlp",),
    ),
    "submission-mlp-default-epochs-changed": Scenario(
        grade_id="gnn_train",
        source=edit(_GNN_TRAIN, ("def entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n", "def entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=100, lr=0.01):\n")),
        must_fail=("test_gnn_and_mlp_training_return_logits_for_every_node",),
        message_contains=("n_epoques",),
        may_fail=("test_gnn_beats_features_only_mlp",),
    ),
    "submission-gnn-default-lr-changed": Scenario(
        grade_id="gnn_train",
        source=edit(_GNN_TRAIN, ("def entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n", "def entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.02):\n")),
        must_fail=("test_gnn_and_mlp_training_return_logits_for_every_node",),
        message_contains=("lr",),
        may_fail=("test_gnn_accuracy_on_grader_graphs", "test_gnn_beats_features_only_mlp"),
    ),
}
SCENARIOS.update(_BLIND_R5_RULES)
GROUPS["rules-1"] = ("submission-attention-scales-q-in-place", "submission-gnn-train-hidden-width-33")
GROUPS["rules-2"] = ("submission-mlp-hidden-width-64",)
GROUPS["rules-3"] = ("submission-mlp-default-epochs-changed",)
GROUPS["rules-4"] = ("submission-gnn-default-lr-changed",)

# ---------------------------------------------------------------- issue 12: the block's head count, arguments of the trainings
# A BlocTransformer that ignores its n_tetes (one head, or the notebook's 4 hard-coded) kept
# the transformer item's points: the grader builds blocks with 3 or 6 and 2 or 8 heads and
# records what attention_multi_tetes receives. The trainings' tensor arguments (donnees,
# X, A, idx_train, y_train) are now watched for in-place changes like the TP's other
# functions' (assert_arguments_untouched).
_HEADS = {
    "submission-transformer-block-one-head": Scenario(
        grade_id="transformer",
        source=edit(_TRANSFORMER, ("            self.n_tetes,\n", "            1,  # une seule tête\n")),
        must_fail=("test_transformer_residuals_and_positions",),
        message_contains=("ne transmet pas son argument n_tetes",),
        affects=("transformer_train",),  # modele_car is trained with one head
    ),
    "submission-transformer-block-heads-hardcoded-4": Scenario(
        grade_id="transformer",
        source=edit(_TRANSFORMER, ("        self.n_tetes = n_tetes\n", "        self.n_tetes = 4  # comme dans le notebook\n")),
        must_fail=("test_transformer_residuals_and_positions",),
        # For a grader width that 4 does not divide the block raises a shape error; the
        # message still names n_tetes. The causality probe cannot run then.
        message_contains=("ne transmet pas son argument n_tetes",),
        may_fail=("test_transformer_is_causal",),
    ),
    "submission-transformer-train-shifts-donnees-in-place": Scenario(
        grade_id="transformer_train",
        source=edit(_TRANSFORMER_TRAIN, ("    decalages = torch.arange(contexte)\n", "    donnees -= donnees.min()  # indices à partir de 0\n"
                     "    decalages = torch.arange(contexte)\n")),
        must_fail=("test_entrainer_transformer_loop_mechanics",),
        message_contains=("modifie sur place", "donnees"),
    ),
    "submission-gnn-train-self-loops-added-in-place": Scenario(
        grade_id="gnn_train",
        source=edit(_GNN_TRAIN, ("    modele = GNN(X.shape[1], 32, n_classes)\n", "    A += torch.eye(len(A))  # boucles : chaque nœud se voit lui-même\n"
                     "    modele = GNN(X.shape[1], 32, n_classes)\n")),
        must_fail=("test_gnn_and_mlp_training_mechanics",),
        message_contains=("modifie sur place", "A"),
        may_fail=("test_gnn_accuracy_on_grader_graphs", "test_gnn_beats_features_only_mlp"),
    ),
}
SCENARIOS.update(_HEADS)
GROUPS["heads-1"] = ("submission-transformer-block-one-head", "submission-gnn-train-self-loops-added-in-place")
GROUPS["heads-2"] = ("submission-transformer-block-heads-hardcoded-4",
                     "submission-transformer-train-shifts-donnees-in-place")
CORRECT["correct-transformer-heads-by-keyword"] = Correct(
    grade_id="transformer",
    source=edit(_TRANSFORMER, ("""        x = x + attention_multi_tetes(
            self.norme_1(x),
            self.projection_entree.weight,
            self.projection_entree.bias,
            self.projection_sortie.weight,
            self.projection_sortie.bias,
            self.n_tetes,
            masque,
        )
""", """        x = x + attention_multi_tetes(
            x=self.norme_1(x),
            W_in=self.projection_entree.weight,
            b_in=self.projection_entree.bias,
            W_out=self.projection_sortie.weight,
            b_out=self.projection_sortie.bias,
            n_tetes=self.n_tetes,
            masque=masque,
        )
""")),
    why="every argument of attention_multi_tetes passed by keyword",
)
CORRECT_GROUPS["correct-heads"] = ("correct-transformer-heads-by-keyword",)

# Probabilities where the statement asks for logits: a GNN whose forward ends with a softmax
# (F.cross_entropy then applies a second one) or an entrainer_gnn that returns softmax(logits)
# keeps every accuracy (the argmax is the same) and kept 20/20. Found by following blind round
# 6's TP09 class (a final nn.Softmax) to this TP.
SCENARIOS["submission-gnn-forward-ends-with-softmax"] = Scenario(
    grade_id="gnn_train",
    source=edit(_GNN_TRAIN, ("        return self.sortie(H)\n",
                                  "        return torch.softmax(self.sortie(H), dim=1)\n")),
    must_fail=("test_gnn_and_mlp_training_mechanics",),
    message_contains=("au lieu des logits",),
)
SCENARIOS["submission-gnn-train-returns-probabilities"] = Scenario(
    grade_id="gnn_train",
    source=edit(_GNN_TRAIN, ("    with torch.no_grad():\n        return modele(X, A)\n",
                                  "    with torch.no_grad():\n        return torch.softmax(modele(X, A), dim=1)\n")),
    must_fail=("test_gnn_and_mlp_training_mechanics",),
    message_contains=("renvoie des probabilités",),
)
GROUPS["blind-r3-3"] = (*GROUPS["blind-r3-3"], "submission-gnn-forward-ends-with-softmax")
GROUPS["mutants-1"] = (*GROUPS["mutants-1"], "submission-gnn-train-returns-probabilities")
CORRECT["correct-gnn-train-returns-log-probabilities"] = Correct(
    grade_id="gnn_train",
    source=edit(_GNN_TRAIN, ("    with torch.no_grad():\n        return modele(X, A)\n",
                                  "    with torch.no_grad():\n        return torch.log_softmax(modele(X, A), dim=1)\n")),
    why="log-probabilities are logits (softmax gives back the same probabilities, argmax the same classes)",
)
CORRECT_GROUPS["correct-2"] = (*CORRECT_GROUPS["correct-2"], "correct-gnn-train-returns-log-probabilities")

# ---------------------------------------------------------------- issue 12: blind answers (round 7)
# Written by a tester who never saw the checks (/tmp/blind-r7): the false passes, fixed by
# class. A per-example (B, 1, n) padding mask given to attention_multi_tetes (tiled in the
# heads' wrong order, or dropped); a softmax without the row maximum (scores of a few hundred
# now drawn on purpose); integer outputs and the caller's global random state for
# masquage_bert (and entrainer_transformer's draws); n_classes other than the graphs' 3; GNN
# weights that are not nn.Parameter; one LayerNorm for both sub-layers; consecutive window
# starts. The bad hints (random tokens taken from the input, perm ignored, a position table
# of fixed size, an unused LN1) now name the fault. The correct answers keep full marks, with
# a GNN carrying a helper method, which the width probe (then a stand-in class) broke.
_BLIND_R7 = {
    'blind-r7-mha-mask-repeat-order': Scenario(
        grade_id='mha',
        source='# FAULT: heads flattened into the batch as (B*h) in b-major order, but a per-example mask (B, n, m) is tiled with repeat (h-major): example b gets another example\'s padding mask (right for B=1 or a shared 2-D mask)\ndef attention_multi_tetes(x, W_in, b_in, W_out, b_out, n_tetes, masque=None):\n    """Auto-attention multi-têtes de x (B, n, d), comme nn.MultiheadAttention(batch_first=True)."""\n    B, n, d = x.shape\n    dh = d // n_tetes\n    q, k, v = (x @ W_in.T + b_in).chunk(3, dim=-1)\n\n    def plat(t):\n        return t.reshape(B, n, n_tetes, dh).transpose(1, 2).reshape(B * n_tetes, n, dh)\n\n    m = masque\n    if m is not None and m.dim() == 3:\n        m = m.repeat(n_tetes, 1, 1)\n    o = attention(plat(q), plat(k), plat(v), m)\n    o = o.reshape(B, n_tetes, n, dh).transpose(1, 2).reshape(B, n, d)\n    return o @ W_out.T + b_out\n',
        must_fail=('test_mha_matches_nn_multiheadattention',),
        message_contains=('ne reçoit pas son propre masque',),
    ),
    'blind-r7-mha-drops-batched-mask': Scenario(
        grade_id='mha',
        source='# FAULT: only a 2-D (n, m) mask is used; a per-example mask (B, n, m) / (B, 1, m) is silently dropped\ndef attention_multi_tetes(x, W_in, b_in, W_out, b_out, n_tetes, masque=None):\n    """Auto-attention multi-têtes de x (B, n, d), comme nn.MultiheadAttention(batch_first=True)."""\n    B, n, d = x.shape\n    dh = d // n_tetes\n    q, k, v = (x @ W_in.T + b_in).chunk(3, dim=-1)\n\n    def plat(t):\n        return t.reshape(B, n, n_tetes, dh).transpose(1, 2).reshape(B * n_tetes, n, dh)\n\n    m = masque\n    if m is not None and m.dim() != 2:\n        m = None  # masques de padding par exemple : ignorés\n    o = attention(plat(q), plat(k), plat(v), m)\n    o = o.reshape(B, n_tetes, n, dh).transpose(1, 2).reshape(B, n, d)\n    return o @ W_out.T + b_out\n',
        must_fail=('test_mha_matches_nn_multiheadattention',),
        message_contains=('la sortie est celle sans masque',),
    ),
    'blind-r7-attention-unstable-softmax': Scenario(
        grade_id='attention',
        source='# FAULT: hand-written softmax exp(s) / sum exp(s) WITHOUT subtracting the max (overflows to inf/NaN for large scores); mask applied by zeroing exp\ndef attention(Q, K, V, masque=None):\n    """softmax(Q Kᵀ / √d_k) V. Q (..., n, d_k), K (..., m, d_k), V (..., m, d_v) ;\n    masque booléen diffusable vers (..., n, m), True = position autorisée. Renvoie (..., n, d_v)."""\n    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])\n    e = torch.exp(scores)\n    if masque is not None:\n        e = e * masque\n    poids = e / e.sum(dim=-1, keepdim=True)\n    return poids @ V\n\n\ndef masque_causal(n):\n    """Masque booléen (n, n) : True en (i, j) si j <= i (la position i ne voit pas le futur)."""\n    return torch.tril(torch.ones(n, n)).bool()\n',
        must_fail=('test_attention_matches_torch_without_mask',),
        message_contains=('soustrayez le maximum',),
    ),
    'blind-r7-bert-float-targets': Scenario(
        grade_id='bert_mask',
        source='# FAULT: cibles built with torch.full(shape, -100.0): a FLOAT tensor (statement: two integer tensors; F.cross_entropy would read them as probabilities)\ndef masquage_bert(tokens, id_mask, taille_vocab, graine):\n    """Masquage de BERT : renvoie (entrees, cibles), cibles = -100 hors des tokens sélectionnés."""\n    g = torch.Generator().manual_seed(graine)\n    sel = torch.rand(tokens.shape, generator=g) < 0.15\n    u = torch.rand(tokens.shape, generator=g)\n    aleat = torch.randint(0, taille_vocab, tokens.shape, generator=g)\n    entrees = tokens.clone()\n    entrees[sel & (u < 0.8)] = id_mask\n    r = sel & (u >= 0.8) & (u < 0.9)\n    entrees[r] = aleat[r]\n    cibles = torch.full(tokens.shape, -100.0)\n    cibles[sel] = tokens[sel].float()\n    return entrees, cibles\n',
        must_fail=('test_bert_selection_rate',),
        message_contains=("deux tenseurs d'ENTIERS", 'cibles'),
    ),
    'blind-r7-bert-float-entrees': Scenario(
        grade_id='bert_mask',
        source='# FAULT: entrees returned as a FLOAT tensor (tokens.float() then masked): nn.Embedding would refuse it (statement: integer tensors)\ndef masquage_bert(tokens, id_mask, taille_vocab, graine):\n    """Masquage de BERT : renvoie (entrees, cibles), cibles = -100 hors des tokens sélectionnés."""\n    g = torch.Generator().manual_seed(graine)\n    sel = torch.rand(tokens.shape, generator=g) < 0.15\n    u = torch.rand(tokens.shape, generator=g)\n    aleat = torch.randint(0, taille_vocab, tokens.shape, generator=g)\n    entrees = tokens.float()\n    entrees[sel & (u < 0.8)] = id_mask\n    r = sel & (u >= 0.8) & (u < 0.9)\n    entrees[r] = aleat[r].float()\n    cibles = torch.where(sel, tokens, torch.full_like(tokens, -100))\n    return entrees, cibles\n',
        must_fail=('test_bert_selection_rate',),
        message_contains=("deux tenseurs d'ENTIERS", 'entrees'),
    ),
    'blind-r7-bert-global-manual-seed': Scenario(
        grade_id='bert_mask',
        source='# FAULT: torch.manual_seed(graine) then draws from the GLOBAL RNG (no Generator): reproducible, but resets the caller\'s global random state\ndef masquage_bert(tokens, id_mask, taille_vocab, graine):\n    """Masquage de BERT : renvoie (entrees, cibles), cibles = -100 hors des tokens sélectionnés."""\n    torch.manual_seed(graine)\n    sel = torch.rand(tokens.shape) < 0.15\n    u = torch.rand(tokens.shape)\n    aleat = torch.randint(0, taille_vocab, tokens.shape)\n    entrees = tokens.clone()\n    entrees[sel & (u < 0.8)] = id_mask\n    r = sel & (u >= 0.8) & (u < 0.9)\n    entrees[r] = aleat[r]\n    cibles = torch.where(sel, tokens, torch.full_like(tokens, -100))\n    return entrees, cibles\n',
        must_fail=('test_bert_selection_rate',),
        message_contains=('état aléatoire global',),
    ),
    'blind-r7-bert-random-from-batch': Scenario(
        grade_id='bert_mask',
        source='# FAULT: "random" replacements drawn among the tokens of the input (unigram of the batch) instead of uniformly in {0, ..., V-1}\ndef masquage_bert(tokens, id_mask, taille_vocab, graine):\n    """Masquage de BERT : renvoie (entrees, cibles), cibles = -100 hors des tokens sélectionnés."""\n    g = torch.Generator().manual_seed(graine)\n    sel = torch.rand(tokens.shape, generator=g) < 0.15\n    u = torch.rand(tokens.shape, generator=g)\n    plat = tokens.reshape(-1)\n    hasard = plat[torch.randint(0, plat.numel(), tokens.shape, generator=g)]\n    entrees = tokens.clone()\n    entrees[sel & (u < 0.8)] = id_mask\n    r = sel & (u >= 0.8) & (u < 0.9)\n    entrees[r] = hasard[r]\n    cibles = torch.where(sel, tokens, torch.full_like(tokens, -100))\n    return entrees, cibles\n',
        must_fail=('test_bert_replacement_split',),
        message_contains=("parmi les tokens de l'entrée",),
    ),
    'blind-r7-equivariance-own-perm': Scenario(
        grade_id='equivariance',
        source='# FAULT: argument perm ignored: draws its own torch.randperm (the demo\'s conclusions still look right)\ndef erreur_permutation(f, X, perm):\n    """max |f(X[perm]) - f(X)[perm]| pour X (n, d) et perm une permutation des n positions."""\n    sigma = torch.randperm(X.shape[0])\n    return float((f(X[sigma]) - f(X)[sigma]).abs().max())\n',
        must_fail=('test_erreur_permutation_on_grader_functions',),
        message_contains=("n'utilise pas la permutation perm",),
    ),
    'blind-r7-gnn-train-nclasses-hardcoded': Scenario(
        grade_id='gnn_train',
        source='# FAULT: n_classes argument ignored: both models output 3 logits (the demo\'s C) whatever n_classes\nclass GNN(nn.Module):\n    """Deux couches couche_gnn (agrégation « moyenne », largeur d_cachee), puis une couche linéaire."""\n\n    def __init__(self, d_entree, d_cachee, n_classes):\n        super().__init__()\n        self.Ws1 = nn.Parameter(torch.randn(d_entree, d_cachee) / math.sqrt(d_entree))\n        self.Wv1 = nn.Parameter(torch.randn(d_entree, d_cachee) / math.sqrt(d_entree))\n        self.Ws2 = nn.Parameter(torch.randn(d_cachee, d_cachee) / math.sqrt(d_cachee))\n        self.Wv2 = nn.Parameter(torch.randn(d_cachee, d_cachee) / math.sqrt(d_cachee))\n        self.sortie = nn.Linear(d_cachee, n_classes)\n\n    def forward(self, X, A):\n        """Logits (n, n_classes) de tous les nœuds."""\n        H = couche_gnn(X, A, self.Ws1, self.Wv1, "moyenne")\n        H = couche_gnn(H, A, self.Ws2, self.Wv2, "moyenne")\n        return self.sortie(H)\n\n\ndef entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Entraîne un GNN(d, 32, n_classes) sur les nœuds idx_train (étiquettes y_train) ;\n    renvoie les logits (n, n_classes) de TOUS les nœuds après l\'entraînement."""\n    torch.manual_seed(graine)\n    modele = GNN(X.shape[1], 32, 3)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(n_epoques):\n        opt.zero_grad()\n        F.cross_entropy(modele(X, A)[idx_train], y_train).backward()\n        opt.step()\n    with torch.no_grad():\n        return modele(X, A)\n\n\ndef entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Même protocole avec un MLP d -> 32 -> n_classes qui ne voit que X (pas le graphe)."""\n    torch.manual_seed(graine)\n    modele = nn.Sequential(nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Linear(32, 3))\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(n_epoques):\n        opt.zero_grad()\n        F.cross_entropy(modele(X)[idx_train], y_train).backward()\n        opt.step()\n    with torch.no_grad():\n        return modele(X)\n',
        must_fail=('test_gnn_and_mlp_training_mechanics',),
        message_contains=("n_classes n'est pas l'argument reçu",),
    ),
    'blind-r7-gnn-train-plain-tensors': Scenario(
        grade_id='gnn_train',
        source='# FAULT: GNN weights are plain tensors with requires_grad (not nn.Parameter): GNN.parameters() / state_dict miss them; the optimizer is given them by hand\nclass GNN(nn.Module):\n    """Deux couches couche_gnn (agrégation « moyenne », largeur d_cachee), puis une couche linéaire."""\n\n    def __init__(self, d_entree, d_cachee, n_classes):\n        super().__init__()\n        s1, s2 = 1 / math.sqrt(d_entree), 1 / math.sqrt(d_cachee)\n        self.poids = [\n            (torch.randn(d_entree, d_cachee) * s1).requires_grad_(),\n            (torch.randn(d_entree, d_cachee) * s1).requires_grad_(),\n            (torch.randn(d_cachee, d_cachee) * s2).requires_grad_(),\n            (torch.randn(d_cachee, d_cachee) * s2).requires_grad_(),\n        ]\n        self.sortie = nn.Linear(d_cachee, n_classes)\n\n    def forward(self, X, A):\n        """Logits (n, n_classes) de tous les nœuds."""\n        W1, V1, W2, V2 = self.poids\n        H = couche_gnn(X, A, W1, V1, "moyenne")\n        H = couche_gnn(H, A, W2, V2, "moyenne")\n        return self.sortie(H)\n\n\ndef entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Entraîne un GNN(d, 32, n_classes) sur les nœuds idx_train (étiquettes y_train) ;\n    renvoie les logits (n, n_classes) de TOUS les nœuds après l\'entraînement."""\n    torch.manual_seed(graine)\n    modele = GNN(X.shape[1], 32, n_classes)\n    opt = torch.optim.Adam(list(modele.parameters()) + modele.poids, lr=lr)\n    for _ in range(n_epoques):\n        opt.zero_grad()\n        F.cross_entropy(modele(X, A)[idx_train], y_train).backward()\n        opt.step()\n    with torch.no_grad():\n        return modele(X, A)\n\n\ndef entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Même protocole avec un MLP d -> 32 -> n_classes qui ne voit que X (pas le graphe)."""\n    torch.manual_seed(graine)\n    modele = nn.Sequential(nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Linear(32, n_classes))\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(n_epoques):\n        opt.zero_grad()\n        F.cross_entropy(modele(X)[idx_train], y_train).backward()\n        opt.step()\n    with torch.no_grad():\n        return modele(X)\n',
        must_fail=('test_gnn_accuracy_on_grader_graphs',),
        message_contains=('ne sont pas des paramètres du module',),
    ),
    'blind-r7-transformer-shared-ln': Scenario(
        grade_id='transformer',
        source='# FAULT: one LayerNorm (ln1) used before BOTH sub-layers instead of two separate LN1, LN2\nclass BlocTransformer(nn.Module):\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.n_tetes = n_tetes\n        self.ln1 = nn.LayerNorm(d)\n        self.qkv = nn.Linear(d, 3 * d)\n        self.proj = nn.Linear(d, d)\n        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))\n\n    def forward(self, x):\n        T = x.shape[1]\n        m = masque_causal(T).to(x.device)\n        h = self.ln1(x)\n        x = x + attention_multi_tetes(h, self.qkv.weight, self.qkv.bias, self.proj.weight, self.proj.bias, self.n_tetes, m)\n        return x + self.mlp(self.ln1(x))\n\n\nclass PetitTransformer(nn.Module):\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        self.tok = nn.Embedding(taille_vocab, d)\n        self.pos = nn.Embedding(contexte, d)\n        self.blocs = nn.Sequential(*[BlocTransformer(d, n_tetes) for _ in range(n_couches)])\n        self.ln = nn.LayerNorm(d)\n        self.tete = nn.Linear(d, taille_vocab)\n\n    def forward(self, idx):\n        T = idx.shape[1]\n        x = self.tok(idx) + self.pos(torch.arange(T, device=idx.device))\n        return self.tete(self.ln(self.blocs(x)))\n',
        must_fail=('test_transformer_residuals_and_positions',),
        message_contains=('la même LayerNorm',),
    ),
    'blind-r7-transformer-contexte-hardcoded': Scenario(
        grade_id='transformer',
        source='# FAULT: contexte argument ignored: position table hard-coded to 32 rows (crashes for T > 32, wrong parameter count for contexte != 32)\nclass BlocTransformer(nn.Module):\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.n_tetes = n_tetes\n        self.ln1 = nn.LayerNorm(d)\n        self.ln2 = nn.LayerNorm(d)\n        self.qkv = nn.Linear(d, 3 * d)\n        self.proj = nn.Linear(d, d)\n        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))\n\n    def forward(self, x):\n        T = x.shape[1]\n        m = masque_causal(T).to(x.device)\n        h = self.ln1(x)\n        x = x + attention_multi_tetes(h, self.qkv.weight, self.qkv.bias, self.proj.weight, self.proj.bias, self.n_tetes, m)\n        return x + self.mlp(self.ln2(x))\n\n\nclass PetitTransformer(nn.Module):\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        self.tok = nn.Embedding(taille_vocab, d)\n        self.pos = nn.Embedding(32, d)\n        self.blocs = nn.Sequential(*[BlocTransformer(d, n_tetes) for _ in range(n_couches)])\n        self.ln = nn.LayerNorm(d)\n        self.tete = nn.Linear(d, taille_vocab)\n\n    def forward(self, idx):\n        T = idx.shape[1]\n        x = self.tok(idx) + self.pos(torch.arange(T, device=idx.device))\n        return self.tete(self.ln(self.blocs(x)))\n',
        must_fail=('test_transformer_residuals_and_positions',),
        message_contains=("n'a pas contexte lignes",),
    ),
    'blind-r7-transformer-no-ln1': Scenario(
        grade_id='transformer',
        source='# FAULT: no LayerNorm before the attention (x + MHA(x)); LN1 is created but never used\nclass BlocTransformer(nn.Module):\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.n_tetes = n_tetes\n        self.ln1 = nn.LayerNorm(d)\n        self.ln2 = nn.LayerNorm(d)\n        self.qkv = nn.Linear(d, 3 * d)\n        self.proj = nn.Linear(d, d)\n        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))\n\n    def forward(self, x):\n        T = x.shape[1]\n        m = masque_causal(T).to(x.device)\n        h = x\n        x = x + attention_multi_tetes(h, self.qkv.weight, self.qkv.bias, self.proj.weight, self.proj.bias, self.n_tetes, m)\n        return x + self.mlp(self.ln2(x))\n\n\nclass PetitTransformer(nn.Module):\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        self.tok = nn.Embedding(taille_vocab, d)\n        self.pos = nn.Embedding(contexte, d)\n        self.blocs = nn.Sequential(*[BlocTransformer(d, n_tetes) for _ in range(n_couches)])\n        self.ln = nn.LayerNorm(d)\n        self.tete = nn.Linear(d, taille_vocab)\n\n    def forward(self, idx):\n        T = idx.shape[1]\n        x = self.tok(idx) + self.pos(torch.arange(T, device=idx.device))\n        return self.tete(self.ln(self.blocs(x)))\n',
        must_fail=('test_transformer_residuals_and_positions',),
        message_contains=("d'un BlocTransformer est créée",),
    ),
    'blind-r7-transformer-train-contiguous-starts': Scenario(
        grade_id='transformer_train',
        source='# FAULT: draws ONE start per step and takes the taille_lot consecutive windows i, i+1, ..., i+B-1 (highly correlated batch) instead of taille_lot random starts\ndef entrainer_transformer(modele, donnees, n_etapes, taille_lot, contexte, lr, graine):\n    """Entraîne modele à prédire le caractère suivant sur des fenêtres tirées de donnees ;\n    renvoie la liste des pertes (entropie croisée en nats, une par étape)."""\n    g = torch.Generator().manual_seed(graine)\n    opt = torch.optim.AdamW(modele.parameters(), lr=lr)\n    pertes = []\n    for _ in range(n_etapes):\n        i0 = int(torch.randint(0, len(donnees) - contexte - taille_lot, (1,), generator=g))\n        debuts = torch.arange(i0, i0 + taille_lot)\n        x = torch.stack([donnees[i:i + contexte] for i in debuts])\n        y = torch.stack([donnees[i + 1:i + contexte + 1] for i in debuts])\n        logits = modele(x)\n        perte = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))\n        opt.zero_grad()\n        perte.backward()\n        opt.step()\n        pertes.append(perte.item())\n    return pertes\n',
        must_fail=('test_entrainer_transformer_loop_mechanics',),
        message_contains=("ne tire qu'UN début",),
        may_fail=('test_transformer_bits_per_char_on_held_out_text',),
    ),
}
_BLIND_R7_CORRECT = {
    'blind-r7-correct-attention-logmask': Correct(
        grade_id='attention',
        source='# correct: mask applied additively as log(mask) (0 or -inf) before a torch.softmax; causal mask = ones(bool).tril()\ndef attention(Q, K, V, masque=None):\n    """softmax(Q Kᵀ / √d_k) V. Q (..., n, d_k), K (..., m, d_k), V (..., m, d_v) ;\n    masque booléen diffusable vers (..., n, m), True = position autorisée. Renvoie (..., n, d_v)."""\n    d_k = Q.shape[-1]\n    scores = torch.matmul(Q, K.transpose(-1, -2)) * (1.0 / math.sqrt(d_k))\n    if masque is not None:\n        scores = scores + torch.log(masque.to(scores.dtype))\n    poids = torch.softmax(scores, dim=-1)\n    return torch.matmul(poids, V)\n\n\ndef masque_causal(n):\n    """Masque booléen (n, n) : True en (i, j) si j <= i (la position i ne voit pas le futur)."""\n    return torch.ones(n, n, dtype=torch.bool).tril()\n',
        why='mask added as log(mask) before torch.softmax',
    ),
    'blind-r7-correct-bert-where-chain': Correct(
        grade_id='bert_mask',
        source='# correct: one seeded generator; selection, category and random ids drawn for every position; torch.where chain, no in-place\ndef masquage_bert(tokens, id_mask, taille_vocab, graine):\n    """Masquage de BERT : renvoie (entrees, cibles), cibles = -100 hors des tokens sélectionnés."""\n    g = torch.Generator().manual_seed(graine)\n    choisi = torch.rand(tokens.shape, generator=g) < 0.15\n    categorie = torch.rand(tokens.shape, generator=g)\n    hasard = torch.randint(0, taille_vocab, tokens.shape, generator=g, dtype=tokens.dtype)\n    masque_tok = torch.full_like(tokens, id_mask)\n    remplace = torch.where(categorie < 0.8, masque_tok, torch.where(categorie < 0.9, hasard, tokens))\n    entrees = torch.where(choisi, remplace, tokens)\n    cibles = torch.where(choisi, tokens, torch.full_like(tokens, -100))\n    return entrees, cibles\n',
        why='torch.where chain, one generator, no in-place',
    ),
    'blind-r7-correct-gnn-train-manual-init': Correct(
        grade_id='gnn_train',
        source='# correct: nn.Parameter with randn * sqrt(2/fan_in) (He) init, helper function, logits returned detached, MLP as a custom module\nclass GNN(nn.Module):\n    """Deux couches couche_gnn (agrégation « moyenne », largeur d_cachee), puis une couche linéaire."""\n\n    def __init__(self, d_entree, d_cachee, n_classes):\n        super().__init__()\n        def poids(a, b):\n            return nn.Parameter(torch.randn(a, b) * math.sqrt(2.0 / a))\n        self.W_soi_1, self.W_vois_1 = poids(d_entree, d_cachee), poids(d_entree, d_cachee)\n        self.W_soi_2, self.W_vois_2 = poids(d_cachee, d_cachee), poids(d_cachee, d_cachee)\n        self.lin = nn.Linear(d_cachee, n_classes)\n\n    def forward(self, X, A):\n        """Logits (n, n_classes) de tous les nœuds."""\n        H = couche_gnn(X, A, self.W_soi_1, self.W_vois_1, agregation="moyenne")\n        H = couche_gnn(H, A, self.W_soi_2, self.W_vois_2, agregation="moyenne")\n        return self.lin(H)\n\n\nclass _MLP(nn.Module):\n    def __init__(self, d, h, c):\n        super().__init__()\n        self.l1, self.l2 = nn.Linear(d, h), nn.Linear(h, c)\n\n    def forward(self, X):\n        return self.l2(F.relu(self.l1(X)))\n\n\ndef _entrainer(modele, appel, idx_train, y_train, n_epoques, lr):\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    modele.train()\n    for _ in range(n_epoques):\n        logits = appel()\n        perte = F.cross_entropy(logits[idx_train], y_train)\n        opt.zero_grad()\n        perte.backward()\n        opt.step()\n    modele.eval()\n    with torch.no_grad():\n        return appel().detach()\n\n\ndef entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Entraîne un GNN(d, 32, n_classes) sur les nœuds idx_train (étiquettes y_train) ;\n    renvoie les logits (n, n_classes) de TOUS les nœuds après l\'entraînement."""\n    torch.manual_seed(graine)\n    modele = GNN(X.shape[1], 32, n_classes)\n    return _entrainer(modele, lambda: modele(X, A), idx_train, y_train, n_epoques, lr)\n\n\ndef entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Même protocole avec un MLP d -> 32 -> n_classes qui ne voit que X (pas le graphe)."""\n    torch.manual_seed(graine)\n    modele = _MLP(X.shape[1], 32, n_classes)\n    return _entrainer(modele, lambda: modele(X), idx_train, y_train, n_epoques, lr)\n',
        why='He init, helper training function, custom MLP module',
    ),
    'blind-r7-correct-mha-einsum-4d': Correct(
        grade_id='mha',
        source='# correct: einsum projections, heads as a 4-D (B, h, n, dh) tensor, mask given a head axis when it has a batch axis\ndef attention_multi_tetes(x, W_in, b_in, W_out, b_out, n_tetes, masque=None):\n    """Auto-attention multi-têtes de x (B, n, d), comme nn.MultiheadAttention(batch_first=True)."""\n    B, n, d = x.shape\n    dh = d // n_tetes\n    qkv = torch.einsum("bnd,ed->bne", x, W_in) + b_in\n    q, k, v = qkv.split(d, dim=-1)\n\n    def tetes(t):\n        return t.reshape(B, n, n_tetes, dh).permute(0, 2, 1, 3)\n\n    m = masque\n    if m is not None and m.dim() >= 3:\n        m = m.unsqueeze(-3)\n    o = attention(tetes(q), tetes(k), tetes(v), m)\n    o = o.permute(0, 2, 1, 3).reshape(B, n, d)\n    return torch.einsum("bne,de->bnd", o, W_out) + b_out\n',
        why='einsum projections, 4-D heads, a batched mask given a head axis',
    ),
    'blind-r7-correct-posenc-stack-interleave': Correct(
        grade_id='posenc',
        source='# correct: float64 torch.pow frequencies, sin/cos stacked on a last axis then reshaped to interleave, cast to float32\ndef encodage_positionnel(n, d):\n    """Encodage sinusoïdal (n, d) : sin sur les colonnes paires, cos sur les impaires."""\n    pos = torch.arange(n, dtype=torch.float64)[:, None]\n    i = torch.arange(d // 2, dtype=torch.float64)[None, :]\n    angles = pos / torch.pow(torch.tensor(10000.0, dtype=torch.float64), 2 * i / d)\n    pe = torch.stack([torch.sin(angles), torch.cos(angles)], dim=-1).reshape(n, d)\n    return pe.float()\n',
        why='sin/cos stacked then reshaped',
    ),
    'blind-r7-correct-transformer-train-tensor-losses': Correct(
        grade_id='transformer_train',
        source='# correct: windows by an index matrix, loss via logits.transpose(1, 2), losses kept as detached 0-d tensors (list), set_to_none\ndef entrainer_transformer(modele, donnees, n_etapes, taille_lot, contexte, lr, graine):\n    """Entraîne modele à prédire le caractère suivant sur des fenêtres tirées de donnees ;\n    renvoie la liste des pertes (entropie croisée en nats, une par étape)."""\n    gen = torch.Generator().manual_seed(graine)\n    optim = torch.optim.AdamW(modele.parameters(), lr=lr)\n    decalage = torch.arange(contexte)\n    pertes = []\n    modele.train()\n    for _ in range(n_etapes):\n        debuts = torch.randint(0, len(donnees) - contexte, (taille_lot,), generator=gen)\n        pos = debuts[:, None] + decalage[None, :]\n        x, y = donnees[pos], donnees[pos + 1]\n        logits = modele(x)\n        perte = F.cross_entropy(logits.transpose(1, 2), y)\n        optim.zero_grad(set_to_none=True)\n        perte.backward()\n        optim.step()\n        pertes.append(perte.detach())\n    return pertes\n',
        why='losses kept as detached 0-d tensors',
    ),
    'blind-r7-correct-gnn-train-custom-method': Correct(
        grade_id='gnn_train',
        source='# correct: GNN has an extra helper method perte(X, A, idx, y) that entrainer_gnn calls; everything else as asked\nclass GNN(nn.Module):\n    """Deux couches couche_gnn (agrégation « moyenne », largeur d_cachee), puis une couche linéaire."""\n\n    def __init__(self, d_entree, d_cachee, n_classes):\n        super().__init__()\n        self.Ws1 = nn.Parameter(torch.randn(d_entree, d_cachee) / math.sqrt(d_entree))\n        self.Wv1 = nn.Parameter(torch.randn(d_entree, d_cachee) / math.sqrt(d_entree))\n        self.Ws2 = nn.Parameter(torch.randn(d_cachee, d_cachee) / math.sqrt(d_cachee))\n        self.Wv2 = nn.Parameter(torch.randn(d_cachee, d_cachee) / math.sqrt(d_cachee))\n        self.sortie = nn.Linear(d_cachee, n_classes)\n\n    def forward(self, X, A):\n        """Logits (n, n_classes) de tous les nœuds."""\n        H = couche_gnn(X, A, self.Ws1, self.Wv1, "moyenne")\n        H = couche_gnn(H, A, self.Ws2, self.Wv2, "moyenne")\n        return self.sortie(H)\n\n    def perte(self, X, A, idx, y):\n        """Entropie croisée sur les nœuds idx."""\n        return F.cross_entropy(self(X, A)[idx], y)\n\n\ndef entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Entraîne un GNN(d, 32, n_classes) sur les nœuds idx_train (étiquettes y_train) ;\n    renvoie les logits (n, n_classes) de TOUS les nœuds après l\'entraînement."""\n    torch.manual_seed(graine)\n    modele = GNN(X.shape[1], 32, n_classes)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(n_epoques):\n        opt.zero_grad()\n        modele.perte(X, A, idx_train, y_train).backward()\n        opt.step()\n    with torch.no_grad():\n        return modele(X, A)\n\n\ndef entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Même protocole avec un MLP d -> 32 -> n_classes qui ne voit que X (pas le graphe)."""\n    torch.manual_seed(graine)\n    modele = nn.Sequential(nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Linear(32, n_classes))\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(n_epoques):\n        opt.zero_grad()\n        F.cross_entropy(modele(X)[idx_train], y_train).backward()\n        opt.step()\n    with torch.no_grad():\n        return modele(X)\n',
        why='a helper method perte() on the GNN, called by entrainer_gnn',
    ),
    'blind-r7-correct-gnn-train-linear-weights': Correct(
        grade_id='gnn_train',
        source='# correct: W_soi / W_voisins stored as bias-free nn.Linear(d, h) (their .weight is an nn.Parameter of shape (h, d)), passed as .weight.T to couche_gnn\nclass GNN(nn.Module):\n    """Deux couches couche_gnn (agrégation « moyenne », largeur d_cachee), puis une couche linéaire."""\n\n    def __init__(self, d_entree, d_cachee, n_classes):\n        super().__init__()\n        self.soi1 = nn.Linear(d_entree, d_cachee, bias=False)\n        self.vois1 = nn.Linear(d_entree, d_cachee, bias=False)\n        self.soi2 = nn.Linear(d_cachee, d_cachee, bias=False)\n        self.vois2 = nn.Linear(d_cachee, d_cachee, bias=False)\n        self.sortie = nn.Linear(d_cachee, n_classes)\n\n    def forward(self, X, A):\n        """Logits (n, n_classes) de tous les nœuds."""\n        H = couche_gnn(X, A, self.soi1.weight.T, self.vois1.weight.T, "moyenne")\n        H = couche_gnn(H, A, self.soi2.weight.T, self.vois2.weight.T, "moyenne")\n        return self.sortie(H)\n\n\ndef entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Entraîne un GNN(d, 32, n_classes) sur les nœuds idx_train (étiquettes y_train) ;\n    renvoie les logits (n, n_classes) de TOUS les nœuds après l\'entraînement."""\n    torch.manual_seed(graine)\n    modele = GNN(X.shape[1], 32, n_classes)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(n_epoques):\n        opt.zero_grad()\n        F.cross_entropy(modele(X, A)[idx_train], y_train).backward()\n        opt.step()\n    with torch.no_grad():\n        return modele(X, A)\n\n\ndef entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Même protocole avec un MLP d -> 32 -> n_classes qui ne voit que X (pas le graphe)."""\n    torch.manual_seed(graine)\n    modele = nn.Sequential(nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Linear(32, n_classes))\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(n_epoques):\n        opt.zero_grad()\n        F.cross_entropy(modele(X)[idx_train], y_train).backward()\n        opt.step()\n    with torch.no_grad():\n        return modele(X)\n',
        why='weights as bias-free nn.Linear, passed as .weight.T',
    ),
}
_BLIND_R7.update({
    "blind-r7-equivariance-rounded": Scenario(
        grade_id="equivariance",
        source='# FAULT: returns a tensor (not a float) AND compares f(X)[perm] to f(X[perm]) after rounding both to 4 decimals (hides small gaps)\ndef erreur_permutation(f, X, perm):\n    """max |f(X[perm]) - f(X)[perm]| pour X (n, d) et perm une permutation des n positions."""\n    a = torch.round(f(X[perm]) * 1e4) / 1e4\n    b = torch.round(f(X)[perm] * 1e4) / 1e4\n    return (a - b).abs().max()\n',
        must_fail=("test_erreur_permutation_on_grader_functions",),
        message_contains=("perd la précision",),
    ),
    "submission-transformer-train-global-seed": Scenario(
        grade_id="transformer_train",
        source=edit(_TRANSFORMER_TRAIN, ("    generateur = torch.Generator().manual_seed(int(graine))\n",
                                         "    torch.manual_seed(int(graine))\n    generateur = None  # le générateur global\n")),
        must_fail=("test_entrainer_transformer_loop_mechanics",),
        message_contains=("état aléatoire global",),
    ),
    "submission-mlp-nclasses-hardcoded": Scenario(
        grade_id="gnn_train",
        source=edit(_GNN_TRAIN, ("nn.ReLU(), nn.Linear(32, n_classes))\n", "nn.ReLU(), nn.Linear(32, 3))  # 3 classes\n")),
        must_fail=("test_gnn_and_mlp_training_mechanics",),
        message_contains=("logits par nœud quand n_classes vaut",),
    ),
})
_BLIND_R7_CORRECT.update({
    "correct-attention-manual-stable-softmax": Correct(
        grade_id="attention",
        source=_attention(
            """    s = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])
    if masque is not None:
        s = s.masked_fill(~masque.bool(), float("-inf"))
    s = s - s.max(dim=-1, keepdim=True).values  # stabilité numérique
    e = torch.exp(s)
    return (e / e.sum(dim=-1, keepdim=True)) @ V
""",
            "Softmax écrite à la main, maximum de chaque ligne soustrait.",
        ),
        why="a softmax written by hand with the row maximum subtracted",
    ),
    "correct-gnn-train-old-style-super": Correct(
        grade_id="gnn_train",
        source=edit(_GNN_TRAIN, ("        super().__init__()\n", "        super(GNN, self).__init__()\n")),
        why="super(GNN, self), the class named in its own __init__ (the width probe wraps the class, it does not replace it)",
    ),
})
SCENARIOS.update(_BLIND_R7)
CORRECT.update(_BLIND_R7_CORRECT)
GROUPS["blind-r7-1"] = ("blind-r7-mha-mask-repeat-order", "blind-r7-attention-unstable-softmax",
                        "blind-r7-bert-float-targets", "blind-r7-equivariance-own-perm",
                        "blind-r7-gnn-train-nclasses-hardcoded", "blind-r7-transformer-shared-ln",
                        "blind-r7-transformer-train-contiguous-starts")
GROUPS["blind-r7-2"] = ("blind-r7-mha-drops-batched-mask", "blind-r7-bert-global-manual-seed",
                        "blind-r7-gnn-train-plain-tensors", "blind-r7-transformer-contexte-hardcoded",
                        "submission-transformer-train-global-seed")
GROUPS["blind-r7-3"] = ("blind-r7-bert-float-entrees", "blind-r7-transformer-no-ln1",
                        "submission-mlp-nclasses-hardcoded", "blind-r7-equivariance-rounded")
GROUPS["blind-r7-4"] = ("blind-r7-bert-random-from-batch",)
CORRECT_GROUPS["blind-r7-correct-1"] = (
    "blind-r7-correct-attention-logmask", "blind-r7-correct-bert-where-chain",
    "blind-r7-correct-gnn-train-manual-init", "blind-r7-correct-mha-einsum-4d",
    "blind-r7-correct-posenc-stack-interleave", "blind-r7-correct-transformer-train-tensor-losses",
)
CORRECT_GROUPS["blind-r7-correct-2"] = ("blind-r7-correct-gnn-train-custom-method",
                                        "correct-attention-manual-stable-softmax")
CORRECT_GROUPS["blind-r7-correct-3"] = ("blind-r7-correct-gnn-train-linear-weights",)
CORRECT_GROUPS["blind-r7-correct-4"] = ("correct-gnn-train-old-style-super",)


# ---------------------------------------------------------------- a blind test round (round 8)
# A default of couche_gnn's given signature changed (the statement's docstring: "somme" unless
# asked); the scale of the scores by another factor than √d_k (the dimension of V, d_k without
# the root); the mean of a node without neighbours, 0 / 0; targets kept at part of the
# selection only; a position table always taken whole (T < contexte). The message of a model
# or multi-head attention that fails because of the student's `attention` (in place on the
# heads, 3-D only) names `attention`, which the probe of public/helpers.py runs on its own.
_ROUND_8 = {
    "submission-gnn-default-agregation-moyenne": Scenario(
        grade_id="gnn",
        source=edit(
            solution_with_docs(__file__, "gnn", "Couche de GNN, agrégation par défaut : la moyenne."),
            ('def couche_gnn(X, A, W_soi, W_voisins, agregation="somme"):\n',
             'def couche_gnn(X, A, W_soi, W_voisins, agregation="moyenne"):\n'),
        ),
        must_fail=("test_gnn_shape_on_a_path_graph",),
        message_contains=("agregation='moyenne'", "sans l'argument agregation"),
    ),
    "submission-gnn-mean-without-max-one": Scenario(
        grade_id="gnn",
        source=edit(
            solution_with_docs(__file__, "gnn", "Couche de GNN, moyenne divisée par le degré tel quel."),
            ("        M = M / A.sum(dim=1, keepdim=True).clamp(min=1)\n",
             "        M = M / A.sum(dim=1, keepdim=True)\n"),
        ),
        must_fail=("test_gnn_values", "test_gnn_is_permutation_equivariant"),
        message_contains=("nœud isolé", "max(1, deg i)"),
    ),
    "submission-attention-scale-sqrt-dv": Scenario(
        grade_id="attention",
        source=edit(
            solution_with_docs(__file__, "attention", "Attention divisée par la racine de la dimension des valeurs.",
                               "Masque causal de la solution."),
            ("    d_k = Q.shape[-1]\n", "    d_k = V.shape[-1]\n"),
        ),
        must_fail=_ATTN_VALUES,
        message_contains=("un autre facteur que √d_k", "pas la dimension des valeurs V"),
    ),
    "submission-attention-scale-dk-without-root": Scenario(
        grade_id="attention",
        source=edit(
            solution_with_docs(__file__, "attention", "Attention divisée par d_k.",
                               "Masque causal de la solution."),
            ("    scores = Q @ K.transpose(-2, -1) / math.sqrt(d_k)\n",
             "    scores = Q @ K.transpose(-2, -1) / d_k\n"),
        ),
        must_fail=_ATTN_VALUES,
        message_contains=("un autre facteur que √d_k",),
        affects=("transformer_train",),
    ),
    "submission-bert-targets-at-mask-only": Scenario(
        grade_id="bert_mask",
        source=edit(
            solution_with_docs(__file__, "bert_mask", "Masquage de BERT, cibles aux seuls [MASK]."),
            ("    entrees[selection & (u < 0.8)] = id_mask\n",
             "    masque = selection & (u < 0.8)\n    entrees[masque] = id_mask\n"),
            ("    cibles = torch.where(selection, tokens, torch.full_like(tokens, -100))\n",
             "    cibles = torch.where(masque, tokens, torch.full_like(tokens, -100))\n"),
        ),
        must_fail=("test_bert_shapes_and_unselected_tokens", "test_bert_selection_rate",
                   "test_bert_replacement_split"),
        message_contains=("à des positions dont la cible vaut -100",),
    ),
    "submission-transformer-positions-whole-table": Scenario(
        grade_id="transformer",
        source=edit(
            solution_with_docs(__file__, "transformer", "Bloc de la solution.", "x (B, T, d) -> (B, T, d).",
                               "Transformer qui ajoute toute la table des positions.",
                               "idx (B, T) entiers -> logits (B, T, taille_vocab)."),
            ("        positions = torch.arange(idx.shape[1], device=idx.device)\n",
             "        positions = torch.arange(self.position.num_embeddings, device=idx.device)\n"),
        ),
        # The hidden causality check runs a shorter sequence too (blind round 15).
        must_fail=("test_transformer_output_shape", "test_transformer_is_causal"),
        message_contains=("T ≤ contexte", "torch.arange(T)"),
    ),
}
SCENARIOS.update(_ROUND_8)
GROUPS["dependencies-1"] = ("submission-gnn-default-agregation-moyenne", "submission-attention-scale-sqrt-dv",
                            "submission-bert-targets-at-mask-only", "submission-transformer-positions-whole-table")
GROUPS["dependencies-2"] = ("submission-gnn-mean-without-max-one", "submission-attention-scale-dk-without-root")
# masque_causal without its diagonal: row 0 allows no key, the Transformer built on it gives
# NaN; its checks (transformer, transformer_train) name masque_causal, not the residuals.
SCENARIOS["submission-causal-mask-without-diagonal"] = Scenario(
    grade_id="attention",
    source=edit(
        solution_with_docs(__file__, "attention", "Attention de la solution.", "Masque strictement inférieur."),
        ("    return torch.tril(torch.ones(n, n, dtype=torch.bool))\n",
         "    return torch.tril(torch.ones(n, n, dtype=torch.bool), diagonal=-1)\n"),
    ),
    must_fail=("test_attention_with_causal_mask",),
    message_contains=("diagonale comprise",),
    affects=("transformer", "transformer_train"),
)
GROUPS["dependencies-3"] = ("submission-causal-mask-without-diagonal",)

# ---------------------------------------------------------------- blind answers (r10)
# Written by a tester who had not read the checks; each lost points before, but its message
# named another fault (a draw among the input's tokens, the values a write into tokens spoils,
# bits per character only, a NaN with no function named) or a generic one (the multi-head
# attention's mismatch).
SCENARIOS["submission-bert_mask-random-range-misses-both-ends"] = Scenario(
    grade_id="bert_mask",
    source=edit(solution_cell(__file__, "bert_mask"),
                ("torch.randint(0, taille_vocab, tokens.shape, generator=g)",
                 "torch.randint(1, taille_vocab - 1, tokens.shape, generator=g)")),
    must_fail=("test_bert_replacement_split",),
    message_contains=("ni 0 ni taille_vocab − 1",),
)
SCENARIOS["submission-bert_mask-alias-targets-from-masked-tokens"] = Scenario(
    grade_id="bert_mask",
    source='''def masquage_bert(tokens, id_mask, taille_vocab, graine):
    gen = torch.Generator().manual_seed(graine)
    t = tokens
    sel = torch.rand(t.shape, generator=gen) < 0.15
    r = torch.rand(t.shape, generator=gen)
    hasard = torch.randint(taille_vocab, t.shape, generator=gen)
    entrees = t
    entrees[sel & (r < 0.8)] = id_mask
    entrees = torch.where(sel & (r >= 0.8) & (r < 0.9), hasard, entrees)
    cibles = torch.full_like(t, -100)
    cibles[sel] = t[sel]
    return entrees, cibles
''',
    # The 80/10/10 split of the inputs is right: only the targets, read from the tokens
    # already replaced, are wrong (the checks of the targets name the write into tokens).
    must_fail=("test_bert_shapes_and_unselected_tokens", "test_bert_selection_rate"),
    message_contains=("modifie le tenseur tokens", "entrees = tokens.clone()"),
)
SCENARIOS["submission-transformer_train-start-range-one-too-wide"] = Scenario(
    grade_id="transformer_train",
    source='''def entrainer_transformer(modele, donnees, n_etapes, taille_lot, contexte, lr, graine):
    g = torch.Generator().manual_seed(graine)
    opt = torch.optim.AdamW(modele.parameters(), lr=lr)
    modele.train()
    hist = []
    N = len(donnees)
    for etape in range(n_etapes):
        starts = torch.randint(0, N - contexte + 1, (taille_lot,), generator=g)
        xb = torch.stack([donnees[s:s + contexte] for s in starts.tolist()])
        yb = torch.stack([donnees[s + 1:s + contexte + 1] for s in starts.tolist()])
        logits = modele(xb)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), yb.view(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        hist.append(float(loss))
    return hist
''',
    # The notebook's training (seed 0) draws the start one too far and stops on the error.
    must_fail=("test_entrainer_transformer_loop_mechanics",
               "test_transformer_bits_per_char_on_held_out_text"),
    message_contains=("trop près de la fin", "len(donnees) − contexte − 1"),
)
SCENARIOS["submission-attention-mask-hides-allowed-positions"] = Scenario(
    grade_id="attention",
    source='''def attention(Q, K, V, masque=None):
    dk = K.size(-1)
    s = torch.matmul(Q, K.transpose(-1, -2)) / math.sqrt(dk)
    if masque is not None:
        s = s.masked_fill(masque, float("-inf"))
    p = F.softmax(s, dim=-1)
    return torch.matmul(p, V)


def masque_causal(n):
    i = torch.arange(n)
    return i[:, None] >= i[None, :]
''',
    # Seen from the Transformer, the NaN is sent back to `attention`.
    must_fail=("test_attention_with_padding_mask", "test_attention_with_causal_mask",
               "test_transformer_output_shape"),
    message_contains=("la faute est dans `attention`", "où le masque vaut True"),
    affects=("mha", "transformer", "transformer_train"),
)
SCENARIOS["submission-mha-no-output-bias"] = Scenario(
    grade_id="mha",
    source=edit(solution_cell(__file__, "mha"), ("return sortie @ W_out.T + b_out", "return sortie @ W_out.T")),
    must_fail=("test_mha_matches_nn_multiheadattention",),
    message_contains=("b_out manque",),
)
SCENARIOS["submission-mha-scale-by-full-width"] = Scenario(
    grade_id="mha",
    source='''def attention_multi_tetes(x, W_in, b_in, W_out, b_out, n_tetes, masque=None):
    B, T, d = x.shape
    dh = d // n_tetes
    q, k, v = (x @ W_in.T + b_in).split(d, dim=-1)
    q, k, v = [t.view(B, T, n_tetes, dh).transpose(1, 2) for t in (q, k, v)]
    s = q @ k.transpose(-2, -1) / math.sqrt(d)
    if masque is not None:
        s = s.masked_fill(~masque, float("-inf"))
    o = torch.softmax(s, -1) @ v
    o = o.transpose(1, 2).reshape(B, T, d)
    return o @ W_out.T + b_out
''',
    must_fail=("test_mha_matches_nn_multiheadattention",),
    message_contains=("√(d / n_tetes)",),
)
SCENARIOS["submission-gnn-no-relu"] = Scenario(
    grade_id="gnn",
    source=edit(solution_cell(__file__, "gnn"), ("    return torch.relu(X @ W_soi + M @ W_voisins)\n",
                                                 "    return X @ W_soi + M @ W_voisins\n")),
    must_fail=("test_gnn_values",),
    message_contains=("la ReLU manque",),
    affects=("gnn_train",),
)
SCENARIOS["submission-gnn-mean-by-global-degree"] = Scenario(
    grade_id="gnn",
    source=edit(solution_cell(__file__, "gnn"), ("A.sum(dim=1, keepdim=True).clamp(min=1)",
                                                 "A.sum(dim=1).mean().clamp(min=1)")),
    must_fail=("test_gnn_values",),
    message_contains=("UN degré pour tout le graphe",),
    affects=("gnn_train",),
)
SCENARIOS["submission-gnn_train-labelled-subgraph-only"] = Scenario(
    grade_id="gnn_train",
    source='class GNN(nn.Module):\n    def __init__(self, d_entree, d_cachee, n_classes):\n        super().__init__()\n        self.Ws1 = nn.Parameter(nn.init.xavier_uniform_(torch.empty(d_entree, d_cachee)))\n        self.Wv1 = nn.Parameter(nn.init.xavier_uniform_(torch.empty(d_entree, d_cachee)))\n        self.Ws2 = nn.Parameter(nn.init.xavier_uniform_(torch.empty(d_cachee, d_cachee)))\n        self.Wv2 = nn.Parameter(nn.init.xavier_uniform_(torch.empty(d_cachee, d_cachee)))\n        self.lin = nn.Linear(d_cachee, n_classes)\n\n    def forward(self, X, A):\n        h = couche_gnn(X, A, self.Ws1, self.Wv1, agregation="moyenne")\n        h = couche_gnn(h, A, self.Ws2, self.Wv2, agregation="moyenne")\n        return self.lin(h)\n\n\ndef entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    torch.manual_seed(graine)\n    model = GNN(X.shape[1], 32, n_classes)\n    opt = torch.optim.Adam(model.parameters(), lr=lr)\n    model.train()\n    for ep in range(n_epoques):\n        opt.zero_grad()\n        out = model(X[idx_train], A[idx_train][:, idx_train])\n        loss = F.cross_entropy(out, y_train)\n        loss.backward()\n        opt.step()\n    model.eval()\n    with torch.no_grad():\n        logits = model(X, A)\n    return logits\n\n\nclass MLP(nn.Module):\n    def __init__(self, d, h, c):\n        super().__init__()\n        self.l1 = nn.Linear(d, h)\n        self.l2 = nn.Linear(h, c)\n\n    def forward(self, x):\n        return self.l2(torch.relu(self.l1(x)))\n\n\ndef entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    torch.manual_seed(graine)\n    model = MLP(X.shape[1], 32, n_classes)\n    opt = torch.optim.Adam(model.parameters(), lr=lr)\n    for ep in range(n_epoques):\n        opt.zero_grad()\n        loss = F.cross_entropy(model(X[idx_train]), y_train)\n        loss.backward()\n        opt.step()\n    with torch.no_grad():\n        return model(X)\n',
    # Inductive training on the labelled nodes' subgraph: the accuracy often still clears
    # the bar, sometimes only the partial one.
    must_fail=("test_gnn_and_mlp_training_mechanics",),
    message_contains=("sous-graphe des nœuds étiquetés", "TOUT le graphe"),
    may_fail=("test_gnn_accuracy_on_grader_graphs", "test_gnn_beats_features_only_mlp"),
)
SCENARIOS["submission-transformer_train-returns-loss-tensors"] = Scenario(
    grade_id="transformer_train",
    source='def entrainer_transformer(modele, donnees, n_etapes, taille_lot, contexte, lr, graine):\n    g = torch.Generator().manual_seed(graine)\n    opt = torch.optim.AdamW(modele.parameters(), lr=lr)\n    modele.train()\n    hist = []\n    N = len(donnees)\n    for etape in range(n_etapes):\n        starts = torch.randint(0, N - contexte, (taille_lot,), generator=g)\n        xb = torch.stack([donnees[s:s + contexte] for s in starts.tolist()])\n        yb = torch.stack([donnees[s + 1:s + contexte + 1] for s in starts.tolist()])\n        logits = modele(xb)\n        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), yb.view(-1))\n        opt.zero_grad()\n        loss.backward()\n        opt.step()\n        hist.append(loss)\n    return hist\n',
    # The losses keep their graphs: the notebook's np.mean(pertes[-50:]) raises on them.
    must_fail=("test_entrainer_transformer_loop_mechanics",),
    message_contains=("perte.item()",),
)
SCENARIOS["submission-posenc-exponent-i-over-d"] = Scenario(
    grade_id="posenc",
    source='def encodage_positionnel(n, d):\n    pe = torch.zeros(n, d, dtype=torch.float64)\n    for pos in range(n):\n        for i in range(d // 2):\n            a = pos / (10000 ** (i / d))\n            pe[pos, 2 * i] = math.sin(a)\n            pe[pos, 2 * i + 1] = math.cos(a)\n    return pe\n',
    must_fail=("test_posenc_matches_formula",),
    message_contains=("i/d au lieu de 2i/d",),
)
SCENARIOS["submission-posenc-exponent-integer-division"] = Scenario(
    grade_id="posenc",
    source='def encodage_positionnel(n, d):\n    pe = torch.zeros(n, d, dtype=torch.float64)\n    for pos in range(n):\n        for i in range(d // 2):\n            a = pos / (10000 ** (2 * i // d))\n            pe[pos, 2 * i] = math.sin(a)\n            pe[pos, 2 * i + 1] = math.cos(a)\n    return pe\n',
    must_fail=("test_posenc_matches_formula",),
    message_contains=("division entière",),
)
SCENARIOS["submission-mha-head-count-fixed-at-two"] = Scenario(
    grade_id="mha",
    source='def attention_multi_tetes(x, W_in, b_in, W_out, b_out, n_tetes, masque=None):\n    B, T, d = x.shape\n    n_tetes = 2\n    dh = d // n_tetes\n    qkv = F.linear(x, W_in, b_in)\n    q = qkv[..., :d].view(B, T, n_tetes, dh).permute(0, 2, 1, 3)\n    k = qkv[..., d:2 * d].view(B, T, n_tetes, dh).permute(0, 2, 1, 3)\n    v = qkv[..., 2 * d:].view(B, T, n_tetes, dh).permute(0, 2, 1, 3)\n    o = attention(q, k, v, masque)\n    o = o.permute(0, 2, 1, 3).reshape(B, T, d)\n    return F.linear(o, W_out, b_out)\n',
    # Right whenever n_tetes is 2: the check runs both head counts.
    must_fail=("test_mha_matches_nn_multiheadattention",),
    message_contains=("pas en n_tetes",),
    affects=("transformer", "transformer_train"),
)
GROUPS["blind-r10-1"] = ("submission-bert_mask-random-range-misses-both-ends",
                         "submission-mha-no-output-bias",
                         "submission-transformer_train-start-range-one-too-wide",
                         "submission-gnn_train-labelled-subgraph-only",
                         "submission-posenc-exponent-i-over-d")
GROUPS["blind-r10-2"] = ("submission-bert_mask-alias-targets-from-masked-tokens",
                         "submission-attention-mask-hides-allowed-positions",
                         "submission-gnn-no-relu")
GROUPS["blind-r10-3"] = ("submission-mha-scale-by-full-width", "submission-gnn-mean-by-global-degree")
GROUPS["blind-r10-5"] = ("submission-mha-head-count-fixed-at-two", "submission-posenc-exponent-integer-division")
GROUPS["blind-r10-4"] = ("submission-transformer_train-returns-loss-tensors",)


# Blind round 13: arguments the grader never varied (d_cachee, d, n_couches), state kept
# between calls, blocks outside the module, a fixed mask length, dtypes and return types.
# GNN.__init__ ignores d_cachee (width 16 everywhere): the grader's GNN(d, h, C) never has h = 16.
SCENARIOS['submission-gnn_train-hidden-width-fixed-at-16'] = Scenario(
    grade_id='gnn_train',
    source='class GNN(nn.Module):\n    def __init__(self, d_entree, d_cachee, n_classes):\n        super().__init__()\n        self.W_soi_1 = nn.Parameter(torch.randn(d_entree, 16) / math.sqrt(d_entree))\n        self.W_voisins_1 = nn.Parameter(torch.randn(d_entree, 16) / math.sqrt(d_entree))\n        self.W_soi_2 = nn.Parameter(torch.randn(16, 16) / math.sqrt(16))\n        self.W_voisins_2 = nn.Parameter(torch.randn(16, 16) / math.sqrt(16))\n        self.sortie = nn.Linear(16, n_classes)\n\n    def forward(self, X, A):\n        H = couche_gnn(X, A, self.W_soi_1, self.W_voisins_1, "moyenne")\n        H = couche_gnn(H, A, self.W_soi_2, self.W_voisins_2, "moyenne")\n        return self.sortie(H)\n\n\ndef entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    torch.manual_seed(graine)\n    modele = GNN(X.shape[1], 32, n_classes)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    modele.train()\n    for epoque in range(n_epoques):\n        opt.zero_grad()\n        sortie = modele(X, A)\n        perte = F.cross_entropy(sortie[idx_train], y_train)\n        perte.backward()\n        opt.step()\n    modele.eval()\n    with torch.no_grad():\n        return modele(X, A)\n\n\ndef entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    torch.manual_seed(graine)\n    modele = nn.Sequential(nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Linear(32, n_classes))\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    modele.train()\n    for epoque in range(n_epoques):\n        opt.zero_grad()\n        sortie = modele(X)\n        perte = F.cross_entropy(sortie[idx_train], y_train)\n        perte.backward()\n        opt.step()\n    modele.eval()\n    with torch.no_grad():\n        return modele(X)\n',
    must_fail=('test_gnn_accuracy_on_grader_graphs',),
    message_contains=('pas une largeur fixe',),
)
# PetitTransformer sets d = 32 whatever its argument: the structure probe never uses d = 32.
SCENARIOS['submission-transformer-width-d-ignored'] = Scenario(
    grade_id='transformer',
    source='class BlocTransformer(nn.Module):\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.h = n_tetes\n        self.ln1 = nn.LayerNorm(d)\n        self.ln2 = nn.LayerNorm(d)\n        self.qkv = nn.Linear(d, 3 * d)\n        self.proj = nn.Linear(d, d)\n        self.ff = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))\n\n    def forward(self, x):\n        T = x.size(1)\n        causal = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()\n        a = attention_multi_tetes(self.ln1(x), self.qkv.weight, self.qkv.bias,\n                                  self.proj.weight, self.proj.bias, self.h, masque=causal)\n        x = x + a\n        x = x + self.ff(self.ln2(x))\n        return x\n\n\nclass PetitTransformer(nn.Module):\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        d = 32\n        self.tok = nn.Embedding(taille_vocab, d)\n        self.pos = nn.Embedding(contexte, d)\n        self.blocs = nn.Sequential(*[BlocTransformer(d, n_tetes) for _ in range(n_couches)])\n        self.ln_f = nn.LayerNorm(d)\n        self.lm = nn.Linear(d, taille_vocab)\n        self.register_buffer("positions", torch.arange(contexte), persistent=False)\n\n    def forward(self, idx):\n        B, T = idx.shape\n        h = self.tok(idx) + self.pos(self.positions[:T])[None]\n        h = self.blocs(h)\n        return self.lm(self.ln_f(h))\n',
    must_fail=('test_transformer_residuals_and_positions',),
    message_contains=("n'utilise pas son argument d",),
)
# range(2) instead of range(n_couches): the structure probe asks for 3 or 4 layers.
SCENARIOS['submission-transformer-layers-fixed-at-two'] = Scenario(
    grade_id='transformer',
    source='class BlocTransformer(nn.Module):\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.h = n_tetes\n        self.ln1 = nn.LayerNorm(d)\n        self.ln2 = nn.LayerNorm(d)\n        self.qkv = nn.Linear(d, 3 * d)\n        self.proj = nn.Linear(d, d)\n        self.ff = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))\n\n    def forward(self, x):\n        T = x.size(1)\n        causal = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()\n        a = attention_multi_tetes(self.ln1(x), self.qkv.weight, self.qkv.bias,\n                                  self.proj.weight, self.proj.bias, self.h, masque=causal)\n        x = x + a\n        x = x + self.ff(self.ln2(x))\n        return x\n\n\nclass PetitTransformer(nn.Module):\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        self.tok = nn.Embedding(taille_vocab, d)\n        self.pos = nn.Embedding(contexte, d)\n        self.blocs = nn.Sequential(*[BlocTransformer(d, n_tetes) for _ in range(2)])\n        self.ln_f = nn.LayerNorm(d)\n        self.lm = nn.Linear(d, taille_vocab)\n        self.register_buffer("positions", torch.arange(contexte), persistent=False)\n\n    def forward(self, idx):\n        B, T = idx.shape\n        h = self.tok(idx) + self.pos(self.positions[:T])[None]\n        h = self.blocs(h)\n        return self.lm(self.ln_f(h))\n',
    must_fail=('test_transformer_residuals_and_positions',),
    message_contains=('quel que soit n_couches',),
)
# Blocks in a plain list: not submodules, AdamW never trains them.
SCENARIOS['submission-transformer-blocks-in-python-list'] = Scenario(
    grade_id='transformer',
    source='class BlocTransformer(nn.Module):\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.h = n_tetes\n        self.ln1 = nn.LayerNorm(d)\n        self.ln2 = nn.LayerNorm(d)\n        self.qkv = nn.Linear(d, 3 * d)\n        self.proj = nn.Linear(d, d)\n        self.ff = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))\n\n    def forward(self, x):\n        T = x.size(1)\n        causal = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()\n        a = attention_multi_tetes(self.ln1(x), self.qkv.weight, self.qkv.bias,\n                                  self.proj.weight, self.proj.bias, self.h, masque=causal)\n        x = x + a\n        x = x + self.ff(self.ln2(x))\n        return x\n\n\nclass PetitTransformer(nn.Module):\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        self.tok = nn.Embedding(taille_vocab, d)\n        self.pos = nn.Embedding(contexte, d)\n        self.blocs = [BlocTransformer(d, n_tetes) for _ in range(n_couches)]\n        self.ln_f = nn.LayerNorm(d)\n        self.lm = nn.Linear(d, taille_vocab)\n        self.register_buffer("positions", torch.arange(contexte), persistent=False)\n\n    def forward(self, idx):\n        B, T = idx.shape\n        h = self.tok(idx) + self.pos(self.positions[:T])[None]\n        for b in self.blocs:\n            h = b(h)\n        return self.lm(self.ln_f(h))\n',
    must_fail=('test_transformer_residuals_and_positions',),
    message_contains=('liste Python ordinaire',),
    affects=('transformer_train',),
)
# The causal mask is built for T = 32 whatever the input's length.
SCENARIOS['submission-transformer-mask-fixed-at-32'] = Scenario(
    grade_id='transformer',
    source='class BlocTransformer(nn.Module):\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.h = n_tetes\n        self.ln1 = nn.LayerNorm(d)\n        self.ln2 = nn.LayerNorm(d)\n        self.qkv = nn.Linear(d, 3 * d)\n        self.proj = nn.Linear(d, d)\n        self.ff = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))\n\n    def forward(self, x):\n        T = 32\n        causal = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()\n        a = attention_multi_tetes(self.ln1(x), self.qkv.weight, self.qkv.bias,\n                                  self.proj.weight, self.proj.bias, self.h, masque=causal)\n        x = x + a\n        x = x + self.ff(self.ln2(x))\n        return x\n\n\nclass PetitTransformer(nn.Module):\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        self.tok = nn.Embedding(taille_vocab, d)\n        self.pos = nn.Embedding(contexte, d)\n        self.blocs = nn.Sequential(*[BlocTransformer(d, n_tetes) for _ in range(n_couches)])\n        self.ln_f = nn.LayerNorm(d)\n        self.lm = nn.Linear(d, taille_vocab)\n        self.register_buffer("positions", torch.arange(contexte), persistent=False)\n\n    def forward(self, idx):\n        B, T = idx.shape\n        h = self.tok(idx) + self.pos(self.positions[:T])[None]\n        h = self.blocs(h)\n        return self.lm(self.ln_f(h))\n',
    must_fail=('test_transformer_output_shape', 'test_transformer_is_causal', 'test_transformer_residuals_and_positions'),
    message_contains=('fixé à 32 positions',),
)
# A module-level cache keyed on n only: (n, d2) after (n, d1) returns the stale table.
SCENARIOS['submission-posenc-cache-keyed-on-n'] = Scenario(
    grade_id='posenc',
    source='_cache_pe = {}\n\n\ndef encodage_positionnel(n, d):\n    if n in _cache_pe:\n        return _cache_pe[n]\n    pos = torch.arange(n, dtype=torch.float64)[:, None]\n    angles = pos / 10000 ** (torch.arange(0, d, 2, dtype=torch.float64) / d)\n    pe = torch.zeros(n, d, dtype=torch.float64)\n    pe[:, 0::2] = torch.sin(angles)\n    pe[:, 1::2] = torch.cos(angles)\n    _cache_pe[n] = pe\n    return pe\n',
    must_fail=('test_posenc_matches_formula',),
    message_contains=("garde un état d'un appel à l'autre",),
)
# Returns a 0-d tensor where the statement asks for a float (partial credit).
SCENARIOS['submission-equivariance-returns-tensor'] = Scenario(
    grade_id='equivariance',
    source='def erreur_permutation(f, X, perm):\n    return (f(X[perm]) - f(X)[perm]).abs().max().detach()\n',
    must_fail=('test_erreur_permutation_on_grader_functions',),
    message_contains=('tenseur PyTorch',),
)
# Casts Q, K, V to float32: float64 inputs come back float32 (the MHA then mixes dtypes).
SCENARIOS['submission-attention-casts-to-float32'] = Scenario(
    grade_id='attention',
    source='def attention(Q, K, V, masque=None):\n    Q, K, V = Q.float(), K.float(), V.float()\n    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])\n    if masque is not None:\n        scores = scores.masked_fill(~masque.bool(), float("-inf"))\n    return torch.softmax(scores, dim=-1) @ V\n\n\ndef masque_causal(n):\n    return torch.tril(torch.ones(n, n, dtype=torch.bool))\n',
    must_fail=('test_attention_matches_torch_without_mask',),
    message_contains=('float32 pour des entrées Q, K, V en float64',),
    affects=('mha', 'equivariance'),
)
# contexte = CONTEXTE (the notebook's global) instead of the argument.
SCENARIOS['submission-transformer_train-global-contexte'] = Scenario(
    grade_id='transformer_train',
    source='def entrainer_transformer(modele, donnees, n_etapes, taille_lot, contexte, lr, graine):\n    g = torch.Generator()\n    g.manual_seed(graine)\n    opt = torch.optim.AdamW(modele.parameters(), lr=lr)\n    modele.train()\n    historique = []\n    N = donnees.shape[0]\n    contexte = CONTEXTE\n    for etape in range(n_etapes):\n        debuts = torch.randint(N - contexte, (taille_lot,), generator=g).tolist()\n        xb = torch.stack([donnees[i:i + contexte] for i in debuts])\n        yb = torch.stack([donnees[i + 1:i + contexte + 1] for i in debuts])\n        logits = modele(xb)\n        B, T, C = logits.shape\n        perte = F.cross_entropy(logits.view(B * T, C), yb.view(B * T))\n        opt.zero_grad(set_to_none=True)\n        perte.backward()\n        opt.step()\n        historique.append(float(perte))\n        if etape % 100 == 0:\n            print(etape, float(perte) / math.log(2))\n    return historique\n',
    must_fail=('test_entrainer_transformer_loop_mechanics',),
    message_contains=("n'utilise pas son argument contexte",),
)
# 64 starts per step whatever taille_lot.
SCENARIOS['submission-transformer_train-batch-fixed-at-64'] = Scenario(
    grade_id='transformer_train',
    source='def entrainer_transformer(modele, donnees, n_etapes, taille_lot, contexte, lr, graine):\n    g = torch.Generator()\n    g.manual_seed(graine)\n    opt = torch.optim.AdamW(modele.parameters(), lr=lr)\n    modele.train()\n    historique = []\n    N = donnees.shape[0]\n    for etape in range(n_etapes):\n        debuts = torch.randint(N - contexte, (64,), generator=g).tolist()\n        xb = torch.stack([donnees[i:i + contexte] for i in debuts])\n        yb = torch.stack([donnees[i + 1:i + contexte + 1] for i in debuts])\n        logits = modele(xb)\n        B, T, C = logits.shape\n        perte = F.cross_entropy(logits.view(B * T, C), yb.view(B * T))\n        opt.zero_grad(set_to_none=True)\n        perte.backward()\n        opt.step()\n        historique.append(float(perte))\n        if etape % 100 == 0:\n            print(etape, float(perte) / math.log(2))\n    return historique\n',
    must_fail=('test_entrainer_transformer_loop_mechanics',),
    message_contains=('son argument taille_lot',),
)
GROUPS["blind-r13-1"] = ("submission-gnn_train-hidden-width-fixed-at-16",
                         "submission-transformer-width-d-ignored",
                         "submission-posenc-cache-keyed-on-n",
                         "submission-equivariance-returns-tensor",
                         "submission-transformer_train-global-contexte")
GROUPS["blind-r13-2"] = ("submission-transformer-layers-fixed-at-two",
                         "submission-transformer_train-batch-fixed-at-64")
GROUPS["blind-r13-3"] = ("submission-transformer-blocks-in-python-list",
                         "submission-attention-casts-to-float32")
GROUPS["blind-r13-4"] = ("submission-transformer-mask-fixed-at-32",)



# Blind round 14: a correct GNN training with its own defaults (n_epoques=150, lr=0.02). The
# statement now says the defaults are part of the signature (the notebook calls with them).
SCENARIOS["blind-r14-gnn-train-tuned-defaults"] = Scenario(
    grade_id="gnn_train",
    source='class GNN(nn.Module):\n    """Deux couches couche_gnn (agrégation « moyenne », largeur d_cachee), puis une couche linéaire."""\n\n    def __init__(self, d_entree, d_cachee, n_classes):\n        super().__init__()\n        def param(a, b):\n            w = torch.empty(a, b)\n            nn.init.xavier_uniform_(w)\n            return nn.Parameter(w)\n        self.couches = nn.ParameterList([\n            param(d_entree, d_cachee), param(d_entree, d_cachee),\n            param(d_cachee, d_cachee), param(d_cachee, d_cachee),\n        ])\n        self.lineaire = nn.Linear(d_cachee, n_classes)\n\n    def forward(self, X, A):\n        """Logits (n, n_classes) de tous les nœuds."""\n        W1, V1, W2, V2 = self.couches\n        H = couche_gnn(X, A, W1, V1, agregation="moyenne")\n        H = couche_gnn(H, A, W2, V2, agregation="moyenne")\n        return self.lineaire(H)\n\n\nclass MLP(nn.Module):\n    def __init__(self, d, h, c):\n        super().__init__()\n        self.c1 = nn.Linear(d, h)\n        self.c2 = nn.Linear(h, c)\n\n    def forward(self, X):\n        return self.c2(F.relu(self.c1(X)))\n\n\ndef _boucle(modele, entree, idx_train, y_train, n_epoques, lr):\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for ep in range(n_epoques):\n        modele.train()\n        opt.zero_grad()\n        logits = modele(*entree)\n        perte = F.cross_entropy(logits[idx_train], y_train)\n        perte.backward()\n        opt.step()\n        if ep % 100 == 0:\n            print(f"epoque {ep} perte {perte.item():.3f}")\n    modele.eval()\n    with torch.no_grad():\n        return modele(*entree)\n\n\ndef entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=150, lr=0.02):\n    """Entraîne un GNN(d, 32, n_classes) sur les nœuds idx_train (étiquettes y_train) ;\n    renvoie les logits (n, n_classes) de TOUS les nœuds après l\'entraînement."""\n    torch.manual_seed(graine)\n    modele = GNN(X.shape[1], 32, n_classes)\n    return _boucle(modele, (X, A), idx_train, y_train, n_epoques, lr)\n\n\ndef entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=150, lr=0.02):\n    """Même protocole avec un MLP d -> 32 -> n_classes qui ne voit que X (pas le graphe)."""\n    torch.manual_seed(graine)\n    modele = MLP(X.shape[1], 32, n_classes)\n    return _boucle(modele, (X,), idx_train, y_train, n_epoques, lr)\n',
    must_fail=("test_gnn_and_mlp_training_return_logits_for_every_node",),
    message_contains=("n'a plus la valeur par défaut de l'énoncé",),
)
GROUPS["blind-r14-1"] = ("blind-r14-gnn-train-tuned-defaults",)



# Blind round 15: an input the grader never varied, the length T of the sequence. Every check
# of PetitTransformer used T = contexte, where positions counted from the end of the context,
# arange(contexte − T, contexte), are 0, …, T − 1: test_transformer_is_causal now also compares
# the logits of a shorter sequence with the first ones of a longer one (generer's prompts are
# shorter than contexte). Wrong answers from the tester's answers and spares, then its correct
# spares and variants of the touched items.
_BLIND_R15_TRANSFORMER_LAST_ALIGNED = 'class BlocTransformer(nn.Module):\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.n_tetes = n_tetes\n        self.norme_1 = nn.LayerNorm(d)\n        self.projection_entree = nn.Linear(d, 3 * d)\n        self.projection_sortie = nn.Linear(d, d)\n        self.norme_2 = nn.LayerNorm(d)\n        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))\n\n    def forward(self, x):\n        masque = masque_causal(x.shape[1])\n        x = x + attention_multi_tetes(self.norme_1(x), self.projection_entree.weight, self.projection_entree.bias,\n                                      self.projection_sortie.weight, self.projection_sortie.bias, self.n_tetes, masque)\n        return x + self.mlp(self.norme_2(x))\n\n\nclass PetitTransformer(nn.Module):\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        self.contexte = contexte\n        self.plongement = nn.Embedding(taille_vocab, d)\n        self.position = nn.Embedding(contexte, d)\n        self.blocs = nn.ModuleList([BlocTransformer(d, n_tetes) for _ in range(n_couches)])\n        self.norme = nn.LayerNorm(d)\n        self.tete = nn.Linear(d, taille_vocab)\n\n    def forward(self, idx):\n        T = idx.shape[1]\n        # positions comptées depuis la fin du contexte (la dernière position est toujours contexte-1)\n        positions = torch.arange(self.contexte - T, self.contexte, device=idx.device)\n        x = self.plongement(idx) + self.position(positions)\n        for bloc in self.blocs:\n            x = bloc(x)\n        return self.tete(self.norme(x))\n'
SCENARIOS["blind-r15-transformer-positions-from-end-of-context"] = Scenario(
    grade_id="transformer",
    source=_BLIND_R15_TRANSFORMER_LAST_ALIGNED,
    must_fail=("test_transformer_is_causal",),
    message_contains=("ne reçoit pas les positions 0, …, T − 1",),
)
# The position table read by slicing its weight from the end: the same fault without a call
# of the nn.Embedding (the generic wording).
SCENARIOS["blind-r15-transformer-position-weight-sliced-from-end"] = Scenario(
    grade_id="transformer",
    source=edit(_TRANSFORMER, (
        "        positions = torch.arange(idx.shape[1], device=idx.device)\n"
        "        x = self.plongement(idx) + self.position(positions)\n",
        "        x = self.plongement(idx) + self.position.weight[-idx.shape[1]:]\n",
    )),
    must_fail=("test_transformer_is_causal",),
    message_contains=("positions 0, …, T − 1", "pas du nombre de caractères qui suivent"),
)
# Positions reversed, T − 1 − t: the structure probe (first block's input) sees it too.
SCENARIOS["blind-r15-transformer-positions-reversed"] = Scenario(
    grade_id="transformer",
    source=edit(_TRANSFORMER, ("torch.arange(idx.shape[1], device=idx.device)",
                               "torch.arange(idx.shape[1] - 1, -1, -1, device=idx.device)")),
    must_fail=("test_transformer_is_causal", "test_transformer_residuals_and_positions"),
    message_contains=("ne reçoit pas les positions 0, …, T − 1",),
)
# AdamW(lr=1e-2): the notebook's value written in the code (the hint said "its default").
SCENARIOS["blind-r15-transformer_train-hardcoded-lr"] = Scenario(
    grade_id="transformer_train",
    source='def entrainer_transformer(modele, donnees, n_etapes, taille_lot, contexte, lr, graine):\n    generateur = torch.Generator().manual_seed(int(graine))\n    optimiseur = torch.optim.AdamW(modele.parameters(), lr=1e-2)\n    decalages = torch.arange(contexte)\n    pertes = []\n    for _ in range(n_etapes):\n        debuts = torch.randint(0, len(donnees) - contexte, (taille_lot, 1), generator=generateur)\n        x = donnees[debuts + decalages]\n        y = donnees[debuts + decalages + 1]\n        logits = modele(x)\n        perte = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))\n        optimiseur.zero_grad()\n        perte.backward()\n        optimiseur.step()\n        pertes.append(perte.item())\n    return pertes\n',
    must_fail=("test_entrainer_transformer_loop_mechanics",),
    message_contains=("avec un pas fixe écrit dans le code",),
)
SCENARIOS["blind-r15-equivariance-permutes-input-twice"] = Scenario(
    grade_id="equivariance",
    source='def erreur_permutation(f, X, perm):\n    with torch.no_grad():\n        Xp = X[perm]\n        return float((f(Xp) - f(Xp)[perm]).abs().max())\n',
    must_fail=("test_erreur_permutation_on_grader_functions",),
    message_contains=("permute la sortie de l'entrée DÉJÀ permutée",),
)
SCENARIOS["blind-r15-posenc-positions-from-one"] = Scenario(
    grade_id="posenc",
    source='def encodage_positionnel(n, d):\n    pe = torch.zeros(n, d, dtype=torch.float64)\n    for pos in range(1, n + 1):\n        for i in range(0, d, 2):\n            angle = pos / 10000 ** (i / d)\n            pe[pos - 1, i] = math.sin(angle)\n            pe[pos - 1, i + 1] = math.cos(angle)\n    return pe\n',
    must_fail=("test_posenc_shape_and_first_rows", "test_posenc_matches_formula"),
    message_contains=('les positions commencent à 1',),
)
SCENARIOS["blind-r15-transformer-residual-from-normed-input"] = Scenario(
    grade_id="transformer",
    source='class BlocTransformer(nn.Module):\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.n_tetes = n_tetes\n        self.norme_1 = nn.LayerNorm(d)\n        self.projection_entree = nn.Linear(d, 3 * d)\n        self.projection_sortie = nn.Linear(d, d)\n        self.norme_2 = nn.LayerNorm(d)\n        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))\n\n    def forward(self, x):\n        masque = masque_causal(x.shape[1])\n        x = self.norme_1(x)\n        x = x + attention_multi_tetes(x, self.projection_entree.weight, self.projection_entree.bias,\n                                      self.projection_sortie.weight, self.projection_sortie.bias, self.n_tetes, masque)\n        x = self.norme_2(x)\n        return x + self.mlp(x)\n\nclass PetitTransformer(nn.Module):\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        self.plongement = nn.Embedding(taille_vocab, d)\n        self.position = nn.Embedding(contexte, d)\n        self.blocs = nn.ModuleList([BlocTransformer(d, n_tetes) for _ in range(n_couches)])\n        self.norme = nn.LayerNorm(d)\n        self.tete = nn.Linear(d, taille_vocab)\n\n    def forward(self, idx):\n        positions = torch.arange(idx.shape[1], device=idx.device)\n        x = self.plongement(idx) + self.position(positions)\n        for bloc in self.blocs:\n            x = bloc(x)\n        return self.tete(self.norme(x))\n',
    must_fail=("test_transformer_residuals_and_positions",),
    message_contains=('remplace x par sa version normalisée',),
)
SCENARIOS["blind-r15-transformer_train-global-rng"] = Scenario(
    grade_id="transformer_train",
    source='def entrainer_transformer(modele, donnees, n_etapes, taille_lot, contexte, lr, graine):\n    torch.manual_seed(graine)\n    optimiseur = torch.optim.AdamW(modele.parameters(), lr=lr)\n    pertes = []\n    for _ in range(n_etapes):\n        debuts = torch.randint(0, len(donnees) - contexte, (taille_lot,))\n        x = torch.stack([donnees[i:i + contexte] for i in debuts])\n        y = torch.stack([donnees[i + 1:i + contexte + 1] for i in debuts])\n        logits = modele(x)\n        perte = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))\n        optimiseur.zero_grad()\n        perte.backward()\n        optimiseur.step()\n        pertes.append(perte.item())\n    return pertes\n',
    must_fail=("test_entrainer_transformer_loop_mechanics",),
    message_contains=("modifie l'état aléatoire global de PyTorch",),
)
GROUPS["blind-r15-1"] = ("blind-r15-transformer-positions-from-end-of-context",
                         "blind-r15-transformer_train-hardcoded-lr",
                         "blind-r15-equivariance-permutes-input-twice",
                         "blind-r15-posenc-positions-from-one")
GROUPS["blind-r15-2"] = ("blind-r15-transformer-position-weight-sliced-from-end",
                         "blind-r15-transformer_train-global-rng")
GROUPS["blind-r15-3"] = ("blind-r15-transformer-positions-reversed",)
GROUPS["blind-r15-4"] = ("blind-r15-transformer-residual-from-normed-input",)

_BLIND_R15_CORRECT = {
    "blind-r15-correct-transformer-buffer-mask": Correct(
        grade_id="transformer", source='class BlocTransformer(nn.Module):\n    """x + MHA(LN1(x)) avec masque causal, puis x + MLP(LN2(x)) ; MLP d -> 4d -> d avec GELU."""\n\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.n_tetes = n_tetes\n        self.ln1 = nn.LayerNorm(d)\n        self.qkv = nn.Linear(d, 3 * d)\n        self.proj = nn.Linear(d, d)\n        self.ln2 = nn.LayerNorm(d)\n        self.fc1 = nn.Linear(d, 4 * d)\n        self.fc2 = nn.Linear(4 * d, d)\n        self.register_buffer("causal", masque_causal(512), persistent=False)\n\n    def forward(self, x):\n        T = x.shape[1]\n        h = self.ln1(x)\n        a = attention_multi_tetes(h, self.qkv.weight, self.qkv.bias, self.proj.weight, self.proj.bias,\n                                  self.n_tetes, self.causal[:T, :T])\n        x = x + a\n        h = self.fc2(F.gelu(self.fc1(self.ln2(x))))\n        return x + h\n\n\nclass PetitTransformer(nn.Module):\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        self.contexte = contexte\n        self.tok = nn.Embedding(taille_vocab, d)\n        self.pos = nn.Embedding(contexte, d)\n        self.blocs = nn.Sequential(*[BlocTransformer(d, n_tetes) for _ in range(n_couches)])\n        self.ln_f = nn.LayerNorm(d)\n        self.lm_head = nn.Linear(d, taille_vocab)\n\n    def forward(self, idx):\n        B, T = idx.shape\n        assert T <= self.contexte\n        x = self.tok(idx) + self.pos(torch.arange(T, device=idx.device))[None]\n        x = self.blocs(x)\n        return self.lm_head(self.ln_f(x))\n',
        why="mask sliced [:T, :T] from a 512-row buffer, blocks in an nn.Sequential, F.gelu"),
    "blind-r15-correct-transformer-gelu-tanh": Correct(
        grade_id="transformer", source='class BlocTransformer(nn.Module):\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.n_tetes = n_tetes\n        self.norme_1 = nn.LayerNorm(d)\n        lin_in = nn.Linear(d, 3 * d)\n        lin_out = nn.Linear(d, d)\n        # on garde directement les poids\n        self.W_in, self.b_in = lin_in.weight, lin_in.bias\n        self.W_out, self.b_out = lin_out.weight, lin_out.bias\n        self.norme_2 = nn.LayerNorm(d)\n        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(approximate="tanh"), nn.Linear(4 * d, d))\n\n    def forward(self, x):\n        masque = masque_causal(x.shape[1])\n        y = attention_multi_tetes(self.norme_1(x), self.W_in, self.b_in, self.W_out, self.b_out, self.n_tetes, masque)\n        x = x + y\n        x = x + self.mlp(self.norme_2(x))\n        return x\n\nclass PetitTransformer(nn.Module):\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        self.plongement = nn.Embedding(taille_vocab, d)\n        self.position = nn.Embedding(contexte, d)\n        self.blocs = nn.ModuleList([BlocTransformer(d, n_tetes) for _ in range(n_couches)])\n        self.norme = nn.LayerNorm(d)\n        self.tete = nn.Linear(d, taille_vocab)\n\n    def forward(self, idx):\n        positions = torch.arange(idx.shape[1], device=idx.device)\n        x = self.plongement(idx) + self.position(positions)\n        for bloc in self.blocs:\n            x = bloc(x)\n        return self.tete(self.norme(x))\n',
        why="GELU's tanh approximation, positions and weights of its own"),
    "blind-r15-correct-transformer-position-parameter": Correct(
        grade_id="transformer",
        source=edit(_TRANSFORMER, (
            "        self.position = nn.Embedding(contexte, d)\n",
            "        self.position = nn.Parameter(torch.randn(contexte, d))\n",
        ), (
            "        positions = torch.arange(idx.shape[1], device=idx.device)\n"
            "        x = self.plongement(idx) + self.position(positions)\n",
            "        B, T = idx.shape\n"
            "        x = self.plongement(idx) + self.position[:T].unsqueeze(0).expand(B, T, -1)\n",
        )),
        why="a (contexte, d) nn.Parameter as the learned position table, rows [:T], expanded"),
    "blind-r15-correct-transformer_train-unfold-float32": Correct(
        grade_id="transformer_train", source='def entrainer_transformer(modele, donnees, n_etapes, taille_lot, contexte, lr, graine):\n    gen = torch.Generator().manual_seed(int(graine))\n    fenetres = donnees.unfold(0, contexte + 1, 1)  # (N - contexte, contexte + 1)\n    optimiseur = torch.optim.AdamW(modele.parameters(), lr=lr)\n    pertes = []\n    for _ in range(n_etapes):\n        lignes = torch.randint(len(fenetres), (taille_lot,), generator=gen)\n        lot = fenetres[lignes]\n        x, y = lot[:, :-1], lot[:, 1:]\n        logits = modele(x).float()\n        perte = F.cross_entropy(logits.flatten(0, 1), y.flatten())\n        optimiseur.zero_grad()\n        perte.backward()\n        optimiseur.step()\n        pertes.append(perte.detach().item())\n    return pertes\n',
        why="windows of contexte + 1 from Tensor.unfold, logits cast to float32"),
    "blind-r15-correct-bert-draws-for-selected-only": Correct(
        grade_id="bert_mask", source='def masquage_bert(tokens, id_mask, taille_vocab, graine):\n    g = torch.Generator().manual_seed(int(graine))\n    plat = tokens.reshape(-1).long()\n    N = plat.numel()\n    selection = torch.rand(N, generator=g) < 0.15\n    idx = torch.nonzero(selection).flatten()\n    u = torch.rand(len(idx), generator=g)\n    entrees = plat.clone()\n    a_masquer = idx[u < 0.8]\n    a_remplacer = idx[(u >= 0.8) & (u < 0.9)]\n    entrees[a_masquer] = id_mask\n    entrees[a_remplacer] = torch.randint(0, taille_vocab, (len(a_remplacer),), generator=g)\n    cibles = torch.full_like(plat, -100)\n    cibles[idx] = plat[idx]\n    return entrees.reshape(tokens.shape), cibles.reshape(tokens.shape)\n',
        why="the 80/10/10 draw made for the selected tokens only, on the flattened tokens"),
    "blind-r15-correct-equivariance-loop-rows": Correct(
        grade_id="equivariance", source='def erreur_permutation(f, X, perm):\n    Y = f(X).detach()\n    Yp = f(X[perm]).detach()\n    pire = 0.0\n    for i in range(len(perm)):\n        e = float(torch.max(torch.abs(Yp[i] - Y[perm[i]])))\n        if e > pire:\n            pire = e\n    return pire\n',
        why="the largest gap found row by row in a Python loop"),
    "blind-r15-correct-gnn-loops-clamp": Correct(
        grade_id="gnn", source='def couche_gnn(X, A, W_soi, W_voisins, agregation="somme"):\n    """ReLU(X W_soi + M W_voisins), M = A X ("somme") ou A X / max(1, deg) ("moyenne")."""\n    n = X.shape[0]\n    lignes = []\n    for i in range(n):\n        m_i = (A[i][:, None] * X).sum(dim=0)\n        if agregation == "moyenne":\n            deg = A[i].sum()\n            m_i = m_i / torch.clamp(deg, min=1.0)\n        lignes.append(m_i)\n    M = torch.stack(lignes)\n    return F.relu(X @ W_soi + M @ W_voisins)\n',
        why="messages summed node by node, mean by clamp(deg, min=1)"),
    "blind-r15-correct-gnn_train-dropout": Correct(
        grade_id="gnn_train", source='class GNN(nn.Module):\n    def __init__(self, d_entree, d_cachee, n_classes):\n        super().__init__()\n        self.W_soi_1 = nn.Parameter(nn.init.xavier_uniform_(torch.empty(d_entree, d_cachee)))\n        self.W_voisins_1 = nn.Parameter(nn.init.xavier_uniform_(torch.empty(d_entree, d_cachee)))\n        self.W_soi_2 = nn.Parameter(nn.init.xavier_uniform_(torch.empty(d_cachee, d_cachee)))\n        self.W_voisins_2 = nn.Parameter(nn.init.xavier_uniform_(torch.empty(d_cachee, d_cachee)))\n        self.dropout = nn.Dropout(0.5)\n        self.sortie = nn.Linear(d_cachee, n_classes)\n\n    def forward(self, X, A):\n        H = couche_gnn(self.dropout(X), A, self.W_soi_1, self.W_voisins_1, "moyenne")\n        H = couche_gnn(self.dropout(H), A, self.W_soi_2, self.W_voisins_2, "moyenne")\n        return self.sortie(H)\n\n\nclass MLP(nn.Module):\n    def __init__(self, d, h, c):\n        super().__init__()\n        self.c1 = nn.Linear(d, h)\n        self.c2 = nn.Linear(h, c)\n\n    def forward(self, X):\n        return self.c2(F.relu(self.c1(X)))\n\n\ndef entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    torch.manual_seed(int(graine))\n    modele = GNN(X.shape[1], 32, n_classes)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    modele.train()\n    for _ in range(n_epoques):\n        opt.zero_grad()\n        F.cross_entropy(modele(X, A)[idx_train], y_train).backward()\n        opt.step()\n    modele.eval()\n    with torch.no_grad():\n        logits = modele(X, A)\n    return logits\n\n\ndef entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    torch.manual_seed(int(graine))\n    modele = MLP(X.shape[1], 32, n_classes)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(n_epoques):\n        opt.zero_grad()\n        F.cross_entropy(modele(X[idx_train]), y_train).backward()\n        opt.step()\n    with torch.no_grad():\n        return modele(X)\n',
        why="dropout 0.5 before each couche_gnn, an MLP trained on the labelled rows only"),
    "blind-r15-correct-posenc-exp-log-stack": Correct(
        grade_id="posenc", source='def encodage_positionnel(n, d):\n    """Encodage sinusoïdal (n, d) : sin sur les colonnes paires, cos sur les impaires."""\n    position = torch.arange(0, n, dtype=torch.float32)[:, None]\n    div = torch.exp(torch.arange(0, d, 2, dtype=torch.float32) * (-math.log(10000.0) / d))\n    angles = position * div  # (n, d/2)\n    # on entrelace sin et cos : [sin0, cos0, sin1, cos1, ...]\n    pe = torch.stack([torch.sin(angles), torch.cos(angles)], dim=-1).reshape(n, d)\n    print("encodage :", tuple(pe.shape))\n    return pe\n',
        why="float32, frequencies as exp(−2i ln(10000)/d), sin and cos stacked then interleaved"),
}
CORRECT.update(_BLIND_R15_CORRECT)
CORRECT_GROUPS["blind-r15-correct-1"] = ("blind-r15-correct-transformer-buffer-mask",
                                         "blind-r15-correct-transformer_train-unfold-float32",
                                         "blind-r15-correct-bert-draws-for-selected-only",
                                         "blind-r15-correct-equivariance-loop-rows",
                                         "blind-r15-correct-gnn-loops-clamp",
                                         "blind-r15-correct-gnn_train-dropout",
                                         "blind-r15-correct-posenc-exp-log-stack")
CORRECT_GROUPS["blind-r15-correct-2"] = ("blind-r15-correct-transformer-gelu-tanh",)
CORRECT_GROUPS["blind-r15-correct-3"] = ("blind-r15-correct-transformer-position-parameter",)



# ---------------------------------------------------------------- blind round 17
# Written by a tester who never saw the checks (/tmp/blind/r17-tp07_attention). Fixed by class:
# - the final LayerNorm was judged on a stream of the student's scale: GPT-2's N(0, 0.02)
#   initialisation leaves a stream so small that LayerNorm's eps gives a variance of 0.99;
#   the structure probe now redraws the embedding tables at unit scale first;
# - the blocks' inputs: block k + 1 must read block k's output as it is (the position
#   embedding added again before every block went unseen);
# - an AdamW built at every step (watch_optimisers, the stand-in's optimisers counted);
# - a ReLU on the GNN's logits: negating the output layer must negate the logits;
# - a function f with learned weights (an nn.Module) for erreur_permutation: .numpy() without
#   detach raises on it;
# - a dropout left on in eval mode (F.dropout without training=self.training), named before
#   the causality and the MLP, which random outputs cannot show;
# - the starts drawn once before the loop, told from a generator seeded again at every step
#   by counting the draws;
# - masquage_bert's draws of shape (L,) broadcast over the rows, seen on a batch of identical
#   rows (drawn on purpose).
_BLIND_R17 = {
    "blind-r17-transformer_train-optimiser-in-loop": Scenario(
        grade_id="transformer_train",
        source=edit(_TRANSFORMER_TRAIN,
                    ("    optimiseur = torch.optim.AdamW(modele.parameters(), lr=lr)\n", ""),
                    ("        optimiseur.zero_grad()\n",
                     "        optimiseur = torch.optim.AdamW(modele.parameters(), lr=lr)\n"
                     "        optimiseur.zero_grad()\n")),
        must_fail=("test_entrainer_transformer_loop_mechanics",),
        message_contains=("optimiseurs successifs",),
    ),
    "blind-r17-transformer_train-starts-drawn-once": Scenario(
        grade_id="transformer_train",
        source=edit(_TRANSFORMER_TRAIN, (
            "    for _ in range(n_etapes):\n"
            "        debuts = torch.randint(0, len(donnees) - contexte, (taille_lot, 1), generator=generateur)\n",
            "    debuts = torch.randint(0, len(donnees) - contexte, (taille_lot, 1), generator=generateur)\n"
            "    for _ in range(n_etapes):\n")),
        must_fail=("test_entrainer_transformer_loop_mechanics",
                   "test_transformer_bits_per_char_on_held_out_text"),
        message_contains=("qu'UNE fois, avant la boucle",),
    ),
    "blind-r17-gnn_train-relu-on-logits": Scenario(
        grade_id="gnn_train",
        source=edit(_GNN_TRAIN, ("        return self.sortie(H)\n",
                                 "        return torch.relu(self.sortie(H))  # logits positifs\n")),
        must_fail=("test_gnn_and_mlp_training_mechanics",),
        message_contains=("une ReLU s'applique après la couche de sortie",),
        # A class whose logit the ReLU holds at 0 on every node gets no gradient: on some
        # graphs the training stalls and the accuracy falls.
        may_fail=("test_gnn_accuracy_on_grader_graphs", "test_gnn_beats_features_only_mlp"),
    ),
    "blind-r17-transformer-position-every-block": Scenario(
        grade_id="transformer",
        source=edit(_TRANSFORMER, (
            "        x = self.plongement(idx) + self.position(positions)\n"
            "        for bloc in self.blocs:\n"
            "            x = bloc(x)\n",
            "        x = self.plongement(idx)\n"
            "        for bloc in self.blocs:\n"
            "            x = bloc(x + self.position(positions))  # on rappelle la position à chaque bloc\n")),
        must_fail=("test_transformer_residuals_and_positions",),
        message_contains=("le plongement de position avant chaque bloc",),
    ),
    "blind-r17-transformer-no-final-layernorm": Scenario(
        grade_id="transformer",
        source=edit(_TRANSFORMER, ("        self.norme = nn.LayerNorm(d)\n", ""),
                    ("        return self.tete(self.norme(x))\n", "        return self.tete(x)\n")),
        must_fail=("test_transformer_residuals_and_positions",),
        message_contains=("il manque la LayerNorm finale",),
    ),
    "blind-r17-transformer-functional-dropout-in-eval": Scenario(
        grade_id="transformer",
        source='class BlocTransformer(nn.Module):\n    """x + MHA(LN1(x)) avec masque causal, puis x + MLP(LN2(x)) ; MLP d -> 4d -> d avec GELU."""\n\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.n_tetes = n_tetes\n        self.norme_1 = nn.LayerNorm(d)\n        self.projection_entree = nn.Linear(d, 3 * d)\n        self.projection_sortie = nn.Linear(d, d)\n        self.norme_2 = nn.LayerNorm(d)\n        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))\n\n    def forward(self, x):\n        """x (B, T, d) -> (B, T, d)."""\n        masque = masque_causal(x.shape[1]).to(x.device)\n        a = attention_multi_tetes(\n            self.norme_1(x),\n            self.projection_entree.weight,\n            self.projection_entree.bias,\n            self.projection_sortie.weight,\n            self.projection_sortie.bias,\n            self.n_tetes,\n            masque,\n        )\n        x = x + F.dropout(a, p=0.1)  # dropout résiduel, comme dans GPT\n        return x + F.dropout(self.mlp(self.norme_2(x)), p=0.1)\n\n\nclass PetitTransformer(nn.Module):\n    """Transformer décodeur de caractères : idx (B, T) entiers, T <= contexte -> logits (B, T, taille_vocab)."""\n\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        self.plongement = nn.Embedding(taille_vocab, d)\n        self.position = nn.Embedding(contexte, d)\n        self.blocs = nn.ModuleList([BlocTransformer(d, n_tetes) for _ in range(n_couches)])\n        self.norme = nn.LayerNorm(d)\n        self.tete = nn.Linear(d, taille_vocab)\n\n    def forward(self, idx):\n        """idx (B, T) entiers -> logits (B, T, taille_vocab)."""\n        positions = torch.arange(idx.shape[1], device=idx.device)\n        x = self.plongement(idx) + self.position(positions)\n        for bloc in self.blocs:\n            x = bloc(x)\n        return self.tete(self.norme(x))\n',
        must_fail=("test_transformer_is_causal", "test_transformer_residuals_and_positions"),
        message_contains=("deux sorties différentes pour la même entrée en mode évaluation",
                          "F.dropout(x, p, training=self.training)"),
        affects=("transformer_train",),  # modele_car's outputs are random: not scored
    ),
    "blind-r17-equivariance-numpy-without-detach": Scenario(
        grade_id="equivariance",
        source='def erreur_permutation(f, X, perm):\n    """max |f(X[perm]) - f(X)[perm]| pour X (n, d) et perm une permutation des n positions."""\n    a = f(X[perm]).numpy()\n    b = f(X).numpy()[np.asarray(perm)]\n    return float(np.abs(a - b).max())\n',
        must_fail=("test_erreur_permutation_on_grader_functions",),
        message_contains=("des poids appris",),
    ),
    "blind-r17-bert-same-positions-every-row": Scenario(
        grade_id="bert_mask",
        source='def masquage_bert(tokens, id_mask, taille_vocab, graine):\n    """Masquage de BERT : renvoie (entrees, cibles), cibles = -100 hors des tokens sélectionnés."""\n    g = torch.Generator().manual_seed(int(graine))\n    tokens = tokens.long()\n    L = tokens.shape[-1]  # longueur de la séquence\n    selection = (torch.rand(L, generator=g) < 0.15).expand_as(tokens)\n    u = torch.rand(L, generator=g).expand_as(tokens)\n    aleatoires = torch.randint(0, taille_vocab, tokens.shape, generator=g)\n    entrees = tokens.clone()\n    entrees[selection & (u < 0.8)] = id_mask\n    remplace = selection & (u >= 0.8) & (u < 0.9)\n    entrees[remplace] = aleatoires[remplace]\n    cibles = torch.where(selection, tokens, torch.full_like(tokens, -100))\n    return entrees, cibles\n',
        must_fail=("test_bert_selection_rate",),
        message_contains=("les MÊMES positions dans chaque séquence",),
        # Its categories are broadcast too: seen when enough positions are selected.
        may_fail=("test_bert_replacement_split",),
    ),
    "blind-r17-bert-categories-broadcast-over-rows": Scenario(
        grade_id="bert_mask",
        source=edit(solution_cell(__file__, "bert_mask"), (
            "    u = torch.rand(tokens.shape, generator=g)\n",
            "    u = torch.rand(tokens.shape[-1], generator=g)  # une catégorie par position\n")),
        must_fail=("test_bert_replacement_split",),
        message_contains=("la même catégorie ([MASK] ou non)",),
    ),
}
SCENARIOS.update(_BLIND_R17)
GROUPS["blind-r17-1"] = ("blind-r17-transformer-position-every-block", "blind-r17-gnn_train-relu-on-logits",
                         "blind-r17-equivariance-numpy-without-detach",
                         "blind-r17-bert-same-positions-every-row")
GROUPS["blind-r17-2"] = ("blind-r17-transformer_train-optimiser-in-loop",
                         "blind-r17-bert-categories-broadcast-over-rows")
GROUPS["blind-r17-3"] = ("blind-r17-transformer-functional-dropout-in-eval",)
GROUPS["blind-r17-4"] = ("blind-r17-transformer_train-starts-drawn-once",
                         "blind-r17-transformer-no-final-layernorm")

_BLIND_R17_FUNCTIONAL_DROPOUT = 'class BlocTransformer(nn.Module):\n    """x + MHA(LN1(x)) avec masque causal, puis x + MLP(LN2(x)) ; MLP d -> 4d -> d avec GELU."""\n\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.n_tetes = n_tetes\n        self.norme_1 = nn.LayerNorm(d)\n        self.projection_entree = nn.Linear(d, 3 * d)\n        self.projection_sortie = nn.Linear(d, d)\n        self.norme_2 = nn.LayerNorm(d)\n        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))\n\n    def forward(self, x):\n        """x (B, T, d) -> (B, T, d)."""\n        masque = masque_causal(x.shape[1]).to(x.device)\n        a = attention_multi_tetes(\n            self.norme_1(x),\n            self.projection_entree.weight,\n            self.projection_entree.bias,\n            self.projection_sortie.weight,\n            self.projection_sortie.bias,\n            self.n_tetes,\n            masque,\n        )\n        x = x + F.dropout(a, p=0.1)  # dropout résiduel, comme dans GPT\n        return x + F.dropout(self.mlp(self.norme_2(x)), p=0.1)\n\n\nclass PetitTransformer(nn.Module):\n    """Transformer décodeur de caractères : idx (B, T) entiers, T <= contexte -> logits (B, T, taille_vocab)."""\n\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        self.plongement = nn.Embedding(taille_vocab, d)\n        self.position = nn.Embedding(contexte, d)\n        self.blocs = nn.ModuleList([BlocTransformer(d, n_tetes) for _ in range(n_couches)])\n        self.norme = nn.LayerNorm(d)\n        self.tete = nn.Linear(d, taille_vocab)\n\n    def forward(self, idx):\n        """idx (B, T) entiers -> logits (B, T, taille_vocab)."""\n        positions = torch.arange(idx.shape[1], device=idx.device)\n        x = self.plongement(idx) + self.position(positions)\n        for bloc in self.blocs:\n            x = bloc(x)\n        return self.tete(self.norme(x))\n'
_BLIND_R17_CORRECT = {
    "blind-r17-correct-transformer-gpt2-init": Correct(
        grade_id="transformer", source='class BlocTransformer(nn.Module):\n    """x + MHA(LN1(x)) avec masque causal, puis x + MLP(LN2(x)) ; MLP d -> 4d -> d avec GELU."""\n\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.n_tetes = n_tetes\n        self.norme_1 = nn.LayerNorm(d)\n        self.projection_entree = nn.Linear(d, 3 * d)\n        self.projection_sortie = nn.Linear(d, d)\n        self.norme_2 = nn.LayerNorm(d)\n        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))\n\n    def forward(self, x):\n        """x (B, T, d) -> (B, T, d)."""\n        masque = masque_causal(x.shape[1]).to(x.device)\n        a = attention_multi_tetes(\n            self.norme_1(x),\n            self.projection_entree.weight,\n            self.projection_entree.bias,\n            self.projection_sortie.weight,\n            self.projection_sortie.bias,\n            self.n_tetes,\n            masque,\n        )\n        x = x + a\n        return x + self.mlp(self.norme_2(x))\n\n\nclass PetitTransformer(nn.Module):\n    """Transformer décodeur de caractères : idx (B, T) entiers, T <= contexte -> logits (B, T, taille_vocab)."""\n\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        self.plongement = nn.Embedding(taille_vocab, d)\n        self.position = nn.Embedding(contexte, d)\n        self.blocs = nn.ModuleList([BlocTransformer(d, n_tetes) for _ in range(n_couches)])\n        self.norme = nn.LayerNorm(d)\n        self.tete = nn.Linear(d, taille_vocab)\n        # initialisation de GPT-2 : N(0, 0.02), biais nuls\n        for m in self.modules():\n            if isinstance(m, (nn.Linear, nn.Embedding)):\n                nn.init.normal_(m.weight, mean=0.0, std=0.02)\n                if getattr(m, "bias", None) is not None:\n                    nn.init.zeros_(m.bias)\n\n    def forward(self, idx):\n        """idx (B, T) entiers -> logits (B, T, taille_vocab)."""\n        positions = torch.arange(idx.shape[1], device=idx.device)\n        x = self.plongement(idx) + self.position(positions)\n        for bloc in self.blocs:\n            x = bloc(x)\n        return self.tete(self.norme(x))\n',
        why="GPT-2 initialisation (N(0, 0.02) weights, zero biases): the stream before the final "
            "LayerNorm is tiny, its output still normalised"),
    "blind-r17-correct-transformer-dropout-gpt2-init": Correct(
        grade_id="transformer", source='class BlocTransformer(nn.Module):\n    """x + MHA(LN1(x)) avec masque causal, puis x + MLP(LN2(x)) ; MLP d -> 4d -> d avec GELU."""\n\n    def __init__(self, d, n_tetes):\n        super().__init__()\n        self.n_tetes = n_tetes\n        self.norme_1 = nn.LayerNorm(d)\n        self.projection_entree = nn.Linear(d, 3 * d)\n        self.projection_sortie = nn.Linear(d, d)\n        self.norme_2 = nn.LayerNorm(d)\n        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))\n        self.dropout = nn.Dropout(0.1)\n\n    def forward(self, x):\n        """x (B, T, d) -> (B, T, d)."""\n        masque = masque_causal(x.shape[1]).to(x.device)\n        a = attention_multi_tetes(\n            self.norme_1(x),\n            self.projection_entree.weight,\n            self.projection_entree.bias,\n            self.projection_sortie.weight,\n            self.projection_sortie.bias,\n            self.n_tetes,\n            masque,\n        )\n        x = x + self.dropout(a)  # dropout résiduel, comme dans GPT\n        return x + self.dropout(self.mlp(self.norme_2(x)))\n\n\nclass PetitTransformer(nn.Module):\n    """Transformer décodeur de caractères : idx (B, T) entiers, T <= contexte -> logits (B, T, taille_vocab)."""\n\n    def __init__(self, taille_vocab, d=32, n_tetes=4, n_couches=2, contexte=32):\n        super().__init__()\n        self.plongement = nn.Embedding(taille_vocab, d)\n        self.position = nn.Embedding(contexte, d)\n        self.blocs = nn.ModuleList([BlocTransformer(d, n_tetes) for _ in range(n_couches)])\n        self.norme = nn.LayerNorm(d)\n        self.tete = nn.Linear(d, taille_vocab)\n        # initialisation de GPT-2 : N(0, 0.02), biais nuls\n        for m in self.modules():\n            if isinstance(m, (nn.Linear, nn.Embedding)):\n                nn.init.normal_(m.weight, mean=0.0, std=0.02)\n                if getattr(m, "bias", None) is not None:\n                    nn.init.zeros_(m.bias)\n\n    def forward(self, idx):\n        """idx (B, T) entiers -> logits (B, T, taille_vocab)."""\n        positions = torch.arange(idx.shape[1], device=idx.device)\n        x = self.plongement(idx) + self.position(positions)\n        for bloc in self.blocs:\n            x = bloc(x)\n        return self.tete(self.norme(x))\n',
        why="nn.Dropout on both residual branches (off in eval mode) and GPT-2 initialisation"),
    "blind-r17-correct-transformer-functional-dropout-training-flag": Correct(
        grade_id="transformer",
        source=edit(_BLIND_R17_FUNCTIONAL_DROPOUT,
                    ("F.dropout(a, p=0.1)", "F.dropout(a, p=0.1, training=self.training)"),
                    ("F.dropout(self.mlp(self.norme_2(x)), p=0.1)",
                     "F.dropout(self.mlp(self.norme_2(x)), p=0.1, training=self.training)")),
        why="F.dropout with training=self.training: off in eval mode"),
    "blind-r17-correct-transformer_train-starts-drawn-for-every-step-at-once": Correct(
        grade_id="transformer_train",
        source=edit(_TRANSFORMER_TRAIN, (
            "    for _ in range(n_etapes):\n"
            "        debuts = torch.randint(0, len(donnees) - contexte, (taille_lot, 1), generator=generateur)\n",
            "    tous_debuts = torch.randint(0, len(donnees) - contexte, (n_etapes, taille_lot, 1),\n"
            "                                generator=generateur)\n"
            "    for etape in range(n_etapes):\n"
            "        debuts = tous_debuts[etape]\n")),
        why="the starts of every step drawn in one call before the loop: one draw, other batches"),
    "blind-r17-correct-gnn_train-log-softmax-forward": Correct(
        grade_id="gnn_train",
        source=edit(_GNN_TRAIN, ("        return self.sortie(H)\n",
                                 "        return F.log_softmax(self.sortie(H), dim=1)\n")),
        why="log-probabilities are logits (a shift per node): F.cross_entropy gives the same loss"),
    "blind-r17-correct-gnn_train-class-mlp-uniform-init": Correct(
        grade_id="gnn_train", source='class GNN(nn.Module):\n    """Deux couches couche_gnn (agrégation « moyenne », largeur d_cachee), puis une couche linéaire."""\n\n    def __init__(self, d_entree, d_cachee, n_classes):\n        super().__init__()\n        def poids(a, b):\n            borne = 1 / math.sqrt(a)\n            return nn.Parameter(torch.empty(a, b).uniform_(-borne, borne))\n        self.W_soi_1, self.W_voisins_1 = poids(d_entree, d_cachee), poids(d_entree, d_cachee)\n        self.W_soi_2, self.W_voisins_2 = poids(d_cachee, d_cachee), poids(d_cachee, d_cachee)\n        self.classifieur = nn.Linear(d_cachee, n_classes)\n\n    def forward(self, X, A):\n        """Logits (n, n_classes) de tous les nœuds."""\n        H1 = couche_gnn(X, A, self.W_soi_1, self.W_voisins_1, agregation="moyenne")\n        H2 = couche_gnn(H1, A, self.W_soi_2, self.W_voisins_2, agregation="moyenne")\n        return self.classifieur(H2)\n\n\nclass MLP(nn.Module):\n    def __init__(self, d_entree, d_cachee, n_classes):\n        super().__init__()\n        self.c1 = nn.Linear(d_entree, d_cachee)\n        self.c2 = nn.Linear(d_cachee, n_classes)\n\n    def forward(self, X):\n        return self.c2(torch.relu(self.c1(X)))\n\n\ndef _entrainer(modele, entrees, idx_train, y_train, n_epoques, lr):\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    modele.train()\n    for epoque in range(n_epoques):\n        opt.zero_grad()\n        log_probas = F.log_softmax(modele(*entrees), dim=1)\n        perte = F.nll_loss(log_probas[idx_train], y_train)\n        perte.backward()\n        opt.step()\n    modele.eval()\n    with torch.no_grad():\n        return modele(*entrees)\n\n\ndef entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Entraîne un GNN(d, 32, n_classes) sur les nœuds idx_train (étiquettes y_train) ;\n    renvoie les logits (n, n_classes) de TOUS les nœuds après l\'entraînement."""\n    torch.manual_seed(graine)\n    modele = GNN(X.shape[1], 32, n_classes)\n    return _entrainer(modele, (X, A), idx_train, y_train, n_epoques, lr)\n\n\ndef entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Même protocole avec un MLP d -> 32 -> n_classes qui ne voit que X (pas le graphe)."""\n    torch.manual_seed(graine)\n    modele = MLP(X.shape[1], 32, n_classes)\n    return _entrainer(modele, (X,), idx_train, y_train, n_epoques, lr)\n',
        why="uniform init by a helper, an MLP class, keyword agregation"),
    "blind-r17-correct-equivariance-numpy-detach": Correct(
        grade_id="equivariance", source='def erreur_permutation(f, X, perm):\n    """max |f(X[perm]) - f(X)[perm]| pour X (n, d) et perm une permutation des n positions."""\n    perm = np.asarray(perm)\n    sortie_perm = f(X[perm]).detach().cpu().numpy()\n    sortie = f(X).detach().cpu().numpy()\n    ecart = np.max(np.abs(sortie_perm - sortie[perm]))\n    print("écart :", ecart)\n    return float(ecart)\n',
        why="through NumPy after .detach().cpu(), a print"),
    "blind-r17-correct-equivariance-vector-norm": Correct(
        grade_id="equivariance", source='def erreur_permutation(f, X, perm):\n    """max |f(X[perm]) - f(X)[perm]| pour X (n, d) et perm une permutation des n positions."""\n    perm = torch.as_tensor(perm, dtype=torch.long)\n    sortie_permutee = f(X.index_select(0, perm))   # f(X[σ])\n    permutation_sortie = f(X).index_select(0, perm)  # f(X)[σ]\n    ecart = (sortie_permutee - permutation_sortie).detach()\n    return torch.linalg.vector_norm(ecart, ord=float("inf")).item()\n',
        why="index_select, a detached gap, the inf-norm"),
    "blind-r17-correct-bert-flat-loop": Correct(
        grade_id="bert_mask", source='def masquage_bert(tokens, id_mask, taille_vocab, graine):\n    """Masquage de BERT : renvoie (entrees, cibles), cibles = -100 hors des tokens sélectionnés."""\n    g = torch.Generator().manual_seed(graine)\n    plat = tokens.reshape(-1).tolist()\n    tirages = torch.rand(len(plat), 2, generator=g).tolist()\n    hasard = torch.randint(0, taille_vocab, (len(plat),), generator=g).tolist()\n    entrees, cibles = [], []\n    for t, (p, q), r in zip(plat, tirages, hasard):\n        if p < 0.15:                 # token sélectionné\n            cibles.append(t)\n            if q < 0.8:\n                entrees.append(id_mask)\n            elif q < 0.9:\n                entrees.append(r)\n            else:\n                entrees.append(t)\n        else:\n            cibles.append(-100)\n            entrees.append(t)\n    forme = tokens.shape\n    return (torch.tensor(entrees, dtype=torch.long).reshape(forme),\n            torch.tensor(cibles, dtype=torch.long).reshape(forme))\n',
        why="a Python loop over the flattened tokens, two uniforms per token"),
    "blind-r17-correct-bert-where-chain": Correct(
        grade_id="bert_mask", source='def masquage_bert(tokens, id_mask, taille_vocab, graine):\n    """Masquage de BERT : renvoie (entrees, cibles), cibles = -100 hors des tokens sélectionnés."""\n    gen = torch.Generator()\n    gen.manual_seed(graine)\n    t = tokens.to(torch.int64)\n    # tirages (ordre différent du cours, mais tous avec le générateur)\n    hasard = torch.randint(taille_vocab, t.shape, generator=gen, dtype=torch.int64)\n    choix = torch.rand(t.shape, generator=gen)          # 80 / 10 / 10\n    selection = torch.rand(t.shape, generator=gen) < 0.15\n    entrees = torch.where(selection & (choix < 0.8), torch.full_like(t, id_mask), t)\n    entrees = torch.where(selection & (choix >= 0.8) & (choix < 0.9), hasard, entrees)\n    cibles = t.masked_fill(~selection, -100)\n    print(f"{int(selection.sum())} tokens sélectionnés sur {t.numel()}")\n    return entrees, cibles\n',
        why="torch.where chain"),
    "blind-r17-correct-gnn-mean-maximum": Correct(
        grade_id="gnn",
        source=edit(solution_cell(__file__, "gnn"), (
            "        M = M / A.sum(dim=1, keepdim=True).clamp(min=1)\n",
            "        deg = A.sum(dim=1, keepdim=True)\n"
            "        M = M / torch.maximum(deg, torch.ones_like(deg))\n")),
        why="max(1, deg) as torch.maximum"),
}
CORRECT.update(_BLIND_R17_CORRECT)
CORRECT_GROUPS["blind-r17-correct-1"] = ("blind-r17-correct-transformer-gpt2-init",
                                         "blind-r17-correct-transformer_train-starts-drawn-for-every-step-at-once",
                                         "blind-r17-correct-gnn_train-log-softmax-forward",
                                         "blind-r17-correct-equivariance-numpy-detach",
                                         "blind-r17-correct-bert-flat-loop",
                                         "blind-r17-correct-gnn-mean-maximum")
CORRECT_GROUPS["blind-r17-correct-2"] = ("blind-r17-correct-transformer-dropout-gpt2-init",
                                         "blind-r17-correct-gnn_train-class-mlp-uniform-init",
                                         "blind-r17-correct-equivariance-vector-norm",
                                         "blind-r17-correct-bert-where-chain")
CORRECT_GROUPS["blind-r17-correct-3"] = ("blind-r17-correct-transformer-functional-dropout-training-flag",)



# ---------------------------------------------------------------- blind round 18
# Written by a tester who never saw the checks (/tmp/blind/r18-tp07_attention). Fixed by class:
# - erreur_permutation ignoring perm (its own torch.randperm) kept its points when its random
#   permutation of a few positions happened to give the expected gaps: a deterministic probe
#   now runs on every answer, on 12 positions and a function whose gap tells the permutations
#   apart (the identity must give 0, two permutations with other gaps two other values);
# - logits returned with the dropout still on (no modele.eval()): the trained model, run
#   again on its last inputs, must give them in eval mode when it draws in training mode;
# - a bias missing on V only was told "added to Q only": K's part never shows (softmax is
#   shift-invariant), the hints now name the parts of Q and V only;
# - optimiser.step() between the forward pass and backward: autograd's in-place error is now
#   told as the order zero_grad, backward, step (the steps and forward passes watched);
# - a trained Transformer made non-causal by attention_multi_tetes (heads merged without
#   transposing) was sent to the mask: the grader's attention alone now tells which.
_R18_SEQUENTIAL_DROPOUT_MLP = edit(_GNN_TRAIN, (
    "    modele = nn.Sequential(nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Linear(32, n_classes))\n",
    "    modele = nn.Sequential(nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Dropout(0.5),\n"
    "                           nn.Linear(32, n_classes))\n"))
_BLIND_R18 = {
    "blind-r18-equivariance-own-randperm-no-grad": Scenario(
        grade_id="equivariance",
        source='def erreur_permutation(f, X, perm):\n    """max |f(X[perm]) - f(X)[perm]| pour X (n, d) et perm une permutation des n positions."""\n    sigma = torch.randperm(X.shape[0])  # une permutation quelconque des positions\n    with torch.no_grad():\n        return float((f(X[sigma]) - f(X)[sigma]).abs().max())\n',
        must_fail=("test_erreur_permutation_on_grader_functions",),
        message_contains=("n'utilise pas la permutation perm",),
    ),
    "blind-r18-equivariance-fixed-reversal": Scenario(
        grade_id="equivariance",
        source='def erreur_permutation(f, X, perm):\n    """max |f(X[perm]) - f(X)[perm]| pour X (n, d) et perm une permutation des n positions."""\n    sigma = torch.arange(X.shape[0] - 1, -1, -1)  # on renverse l\'ordre des positions\n    with torch.no_grad():\n        return float((f(X[sigma]) - f(X)[sigma]).abs().max())\n',
        must_fail=("test_erreur_permutation_on_grader_functions",),
        message_contains=("n'utilise pas la permutation perm",),
    ),
    "blind-r18-gnn_train-dropout-without-eval": Scenario(
        grade_id="gnn_train",
        source='class GNN(nn.Module):\n    """Deux couches couche_gnn (agrégation « moyenne », largeur d_cachee), puis une couche linéaire."""\n\n    def __init__(self, d_entree, d_cachee, n_classes):\n        super().__init__()\n        self.W_soi_1 = nn.Parameter(torch.randn(d_entree, d_cachee) / math.sqrt(d_entree))\n        self.W_voisins_1 = nn.Parameter(torch.randn(d_entree, d_cachee) / math.sqrt(d_entree))\n        self.W_soi_2 = nn.Parameter(torch.randn(d_cachee, d_cachee) / math.sqrt(d_cachee))\n        self.W_voisins_2 = nn.Parameter(torch.randn(d_cachee, d_cachee) / math.sqrt(d_cachee))\n        self.sortie = nn.Linear(d_cachee, n_classes)\n\n    def forward(self, X, A):\n        """Logits (n, n_classes) de tous les nœuds."""\n        H = couche_gnn(X, A, self.W_soi_1, self.W_voisins_1, "moyenne")\n        H = F.dropout(H, p=0.5, training=self.training)\n        H = couche_gnn(H, A, self.W_soi_2, self.W_voisins_2, "moyenne")\n        H = F.dropout(H, p=0.5, training=self.training)\n        return self.sortie(H)\n\n\ndef entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Entraîne un GNN(d, 32, n_classes) sur les nœuds idx_train (étiquettes y_train) ;\n    renvoie les logits (n, n_classes) de TOUS les nœuds après l\'entraînement."""\n    torch.manual_seed(int(graine))\n    modele = GNN(X.shape[1], 32, n_classes)\n    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr, weight_decay=5e-4)\n    for _ in range(n_epoques):\n        perte = F.cross_entropy(modele(X, A)[idx_train], y_train)\n        optimiseur.zero_grad()\n        perte.backward()\n        optimiseur.step()\n    with torch.no_grad():\n        return modele(X, A)\n\n\ndef entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Même protocole avec un MLP d -> 32 -> n_classes qui ne voit que X (pas le graphe)."""\n    torch.manual_seed(int(graine))\n    modele = nn.Sequential(nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Linear(32, n_classes))\n    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr, weight_decay=5e-4)\n    for _ in range(n_epoques):\n        perte = F.cross_entropy(modele(X)[idx_train], y_train)\n        optimiseur.zero_grad()\n        perte.backward()\n        optimiseur.step()\n    with torch.no_grad():\n        return modele(X)\n',
        must_fail=("test_gnn_and_mlp_training_mechanics",),
        message_contains=("avec le dropout encore actif", "modele.eval()"),
    ),
    "blind-r18-gnn_train-mlp-dropout-without-eval": Scenario(
        grade_id="gnn_train",
        source=_R18_SEQUENTIAL_DROPOUT_MLP,
        must_fail=("test_gnn_and_mlp_training_mechanics",),
        message_contains=("entrainer_mlp renvoie des logits calculés avec le dropout encore actif",),
        may_fail=("test_gnn_beats_features_only_mlp",),
    ),
    "blind-r18-gnn_train-functional-dropout-always-on": Scenario(
        grade_id="gnn_train",
        source=edit(_GNN_TRAIN,
                    ('        H = couche_gnn(H, A, self.W_soi_2, self.W_voisins_2, "moyenne")\n',
                     '        H = couche_gnn(F.dropout(H, 0.5), A, self.W_soi_2, self.W_voisins_2, "moyenne")\n'),
                    ("    with torch.no_grad():\n        return modele(X, A)\n",
                     "    modele.eval()\n    with torch.no_grad():\n        return modele(X, A)\n")),
        must_fail=("test_gnn_and_mlp_training_mechanics",),
        message_contains=("même en mode évaluation", "training=self.training"),
        may_fail=("test_gnn_accuracy_on_grader_graphs", "test_gnn_beats_features_only_mlp"),
    ),
    "blind-r18-mha-no-v-bias": Scenario(
        grade_id="mha",
        source='def attention_multi_tetes(x, W_in, b_in, W_out, b_out, n_tetes, masque=None):\n    """Auto-attention multi-têtes de x (B, n, d), comme nn.MultiheadAttention(batch_first=True)."""\n    B, n, d = x.shape\n    d_t = d // n_tetes\n    W_q, W_k, W_v = W_in[:d], W_in[d:2 * d], W_in[2 * d:]\n    b_q, b_k = b_in[:d], b_in[d:2 * d]\n    q = x @ W_q.T + b_q\n    k = x @ W_k.T + b_k\n    v = x @ W_v.T\n\n    def separer(t):\n        return t.reshape(B, n, n_tetes, d_t).transpose(1, 2)\n\n    sortie = attention(separer(q), separer(k), separer(v), masque)\n    sortie = sortie.transpose(1, 2).reshape(B, n, d)\n    return sortie @ W_out.T + b_out\n',
        must_fail=("test_mha_matches_nn_multiheadattention",),
        message_contains=("V ne reçoit pas sa part de b_in",),
    ),
    "blind-r18-mha-no-q-bias": Scenario(
        grade_id="mha",
        source=edit(solution_cell(__file__, "mha"), (
            "    q, k, v = (x @ W_in.T + b_in).chunk(3, dim=-1)\n",
            "    q, k, v = (x @ W_in.T).chunk(3, dim=-1)\n"
            "    k, v = k + b_in[d:2 * d], v + b_in[2 * d:]  # biais de K et de V\n")),
        must_fail=("test_mha_matches_nn_multiheadattention",),
        message_contains=("Q ne reçoit pas sa part de b_in",),
    ),
    "blind-r18-mha-merge-no-transpose": Scenario(
        grade_id="mha",
        source='def attention_multi_tetes(x, W_in, b_in, W_out, b_out, n_tetes, masque=None):\n    """Auto-attention multi-têtes de x (B, n, d), comme nn.MultiheadAttention(batch_first=True)."""\n    B, n, d = x.shape\n    d_t = d // n_tetes\n    q, k, v = (x @ W_in.T + b_in).chunk(3, dim=-1)\n    q = q.view(B, n, n_tetes, d_t).transpose(1, 2)\n    k = k.view(B, n, n_tetes, d_t).transpose(1, 2)\n    v = v.view(B, n, n_tetes, d_t).transpose(1, 2)\n    sortie = attention(q, k, v, masque)          # (B, h, n, d_t)\n    sortie = sortie.reshape(B, n, d)             # on recolle les têtes\n    return sortie @ W_out.T + b_out\n',
        must_fail=("test_mha_matches_nn_multiheadattention",
                   "test_transformer_bits_per_char_on_held_out_text"),
        message_contains=("le recollage des têtes est un reshape",
                          "la faute est dans votre attention_multi_tetes",
                          "le découpage ou le recollage des têtes mélange les positions"),
        affects=("transformer_train",),
    ),
    "blind-r18-transformer_train-step-before-backward": Scenario(
        grade_id="transformer_train",
        source='def entrainer_transformer(modele, donnees, n_etapes, taille_lot, contexte, lr, graine):\n    """Entraîne modele à prédire le caractère suivant sur des fenêtres tirées de donnees ;\n    renvoie la liste des pertes (entropie croisée en nats, une par étape)."""\n    generateur = torch.Generator().manual_seed(int(graine))\n    optimiseur = torch.optim.AdamW(modele.parameters(), lr=lr)\n    decalages = torch.arange(contexte)\n    modele.train()\n    pertes = []\n    for _ in range(n_etapes):\n        debuts = torch.randint(0, len(donnees) - contexte, (taille_lot, 1), generator=generateur)\n        x = donnees[debuts + decalages]\n        y = donnees[debuts + decalages + 1]\n        logits = modele(x)\n        perte = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))\n        optimiseur.step()\n        optimiseur.zero_grad()\n        perte.backward()\n        pertes.append(perte.item())\n    return pertes\n',
        must_fail=("test_entrainer_transformer_learns_a_periodic_sequence",
                   "test_entrainer_transformer_loop_mechanics",
                   "test_transformer_bits_per_char_on_held_out_text"),
        message_contains=("appelle optimiseur.step() entre la passe avant et perte.backward()",
                          "optimiseur.zero_grad(), passe avant et perte, perte.backward(), puis "
                          "optimiseur.step()"),
    ),
}
SCENARIOS.update(_BLIND_R18)
GROUPS["blind-r18-1"] = ("blind-r18-equivariance-own-randperm-no-grad",
                         "blind-r18-gnn_train-dropout-without-eval", "blind-r18-mha-no-v-bias",
                         "blind-r18-transformer_train-step-before-backward")
GROUPS["blind-r18-2"] = ("blind-r18-equivariance-fixed-reversal",
                         "blind-r18-gnn_train-mlp-dropout-without-eval",
                         "blind-r18-mha-merge-no-transpose")
GROUPS["blind-r18-3"] = ("blind-r18-gnn_train-functional-dropout-always-on",
                         "blind-r18-mha-no-q-bias")

_BLIND_R18_CORRECT = {
    "blind-r18-correct-equivariance-index-select-amax": Correct(
        grade_id="equivariance", source='def erreur_permutation(f, X, perm):\n    """max |f(X[perm]) - f(X)[perm]| pour X (n, d) et perm une permutation des n positions."""\n    perm = torch.as_tensor(perm, dtype=torch.long)\n    sortie_permutee = f(X.index_select(0, perm)).detach()\n    sortie = f(X).detach()\n    ecart = (sortie_permutee - sortie.index_select(0, perm)).abs().amax()\n    return ecart.item()\n',
        why="index_select on a long tensor, detached outputs, amax, .item()"),
    "blind-r18-correct-equivariance-numpy-float32": Correct(
        grade_id="equivariance",
        source='def erreur_permutation(f, X, perm):\n    """max |f(X[perm]) - f(X)[perm]| pour X (n, d) et perm une permutation des n positions."""\n    p = np.asarray(perm, dtype=np.int64)\n    with torch.no_grad():\n        a = f(X[p]).cpu().numpy()\n        b = f(X).cpu().numpy()[p]\n    return float(np.max(np.abs(a - b)))\n',
        why="perm as a NumPy array, the gap computed in NumPy"),
    "blind-r18-correct-gnn_train-dropout-eval": Correct(
        grade_id="gnn_train", source='class GNN(nn.Module):\n    """Deux couches couche_gnn (agrégation « moyenne », largeur d_cachee), puis une couche linéaire."""\n\n    def __init__(self, d_entree, d_cachee, n_classes, p_dropout=0.5):\n        super().__init__()\n        self.W_soi_1 = nn.Parameter(torch.empty(d_entree, d_cachee))\n        self.W_voisins_1 = nn.Parameter(torch.empty(d_entree, d_cachee))\n        self.W_soi_2 = nn.Parameter(torch.empty(d_cachee, d_cachee))\n        self.W_voisins_2 = nn.Parameter(torch.empty(d_cachee, d_cachee))\n        for W in (self.W_soi_1, self.W_voisins_1, self.W_soi_2, self.W_voisins_2):\n            nn.init.kaiming_uniform_(W, a=math.sqrt(5))\n        self.dropout = nn.Dropout(p_dropout)\n        self.sortie = nn.Linear(d_cachee, n_classes)\n\n    def forward(self, X, A):\n        """Logits (n, n_classes) de tous les nœuds."""\n        H = couche_gnn(self.dropout(X), A, self.W_soi_1, self.W_voisins_1, "moyenne")\n        H = couche_gnn(self.dropout(H), A, self.W_soi_2, self.W_voisins_2, "moyenne")\n        return self.sortie(H)\n\n\ndef entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Entraîne un GNN(d, 32, n_classes) sur les nœuds idx_train (étiquettes y_train) ;\n    renvoie les logits (n, n_classes) de TOUS les nœuds après l\'entraînement."""\n    torch.manual_seed(int(graine))\n    modele = GNN(X.shape[1], 32, n_classes)\n    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr, weight_decay=5e-4)\n    modele.train()\n    for epoque in range(n_epoques):\n        optimiseur.zero_grad()\n        logits = modele(X, A)\n        perte = F.cross_entropy(logits[idx_train], y_train)\n        perte.backward()\n        optimiseur.step()\n    modele.eval()\n    with torch.no_grad():\n        return modele(X, A)\n\n\ndef entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Même protocole avec un MLP d -> 32 -> n_classes qui ne voit que X (pas le graphe)."""\n    torch.manual_seed(int(graine))\n    modele = nn.Sequential(nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Linear(32, n_classes))\n    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr, weight_decay=5e-4)\n    for _ in range(n_epoques):\n        perte = F.cross_entropy(modele(X)[idx_train], y_train)\n        optimiseur.zero_grad()\n        perte.backward()\n        optimiseur.step()\n    with torch.no_grad():\n        return modele(X)\n',
        why="nn.Dropout before each couche_gnn, Kaiming init, modele.eval() before the final pass"),
    "blind-r18-correct-gnn_train-last-training-logits": Correct(
        grade_id="gnn_train",
        source=edit(_GNN_TRAIN,
                    ("    for _ in range(n_epoques):\n        perte = F.cross_entropy(modele(X, A)[idx_train], y_train)\n",
                     "    for _ in range(n_epoques):\n        logits = modele(X, A)\n"
                     "        perte = F.cross_entropy(logits[idx_train], y_train)\n"),
                    ("    with torch.no_grad():\n        return modele(X, A)\n",
                     "    return logits.detach()  # logits de la dernière époque\n")),
        why="no dropout: the logits of the last training pass, detached (no separate final pass)"),
    "blind-r18-correct-gnn_train-sequential-dropout-eval": Correct(
        grade_id="gnn_train",
        source=edit(_R18_SEQUENTIAL_DROPOUT_MLP,
                    ("    with torch.no_grad():\n        return modele(X)\n",
                     "    modele.eval()\n    with torch.no_grad():\n        return modele(X)\n")),
        why="an MLP with nn.Dropout in its nn.Sequential, switched to eval mode before the final pass"),
    "blind-r18-correct-mha-flinear-unflatten": Correct(
        grade_id="mha", source='def attention_multi_tetes(x, W_in, b_in, W_out, b_out, n_tetes, masque=None):\n    """Auto-attention multi-têtes de x (B, n, d), comme nn.MultiheadAttention(batch_first=True)."""\n    B, n, d = x.shape\n    d_t = d // n_tetes\n    qkv = F.linear(x, W_in, b_in)                 # (B, n, 3d)\n    qkv = qkv.unflatten(-1, (3, n_tetes, d_t))    # (B, n, 3, h, d_t)\n    qkv = qkv.permute(2, 0, 3, 1, 4)              # (3, B, h, n, d_t)\n    q, k, v = qkv[0], qkv[1], qkv[2]\n    tetes = attention(q, k, v, masque)            # (B, h, n, d_t)\n    concat = tetes.permute(0, 2, 1, 3).flatten(-2)  # (B, n, d)\n    return F.linear(concat, W_out, b_out)\n',
        why="F.linear, unflatten into (3, heads, d_k), permute, flatten"),
    "blind-r18-correct-transformer_train-unfold": Correct(
        grade_id="transformer_train", source='def entrainer_transformer(modele, donnees, n_etapes, taille_lot, contexte, lr, graine):\n    """Entraîne modele à prédire le caractère suivant sur des fenêtres tirées de donnees ;\n    renvoie la liste des pertes (entropie croisée en nats, une par étape)."""\n    g = torch.Generator().manual_seed(int(graine))\n    donnees = torch.as_tensor(donnees, dtype=torch.long)\n    # toutes les fenêtres de contexte + 1 caractères : (len - contexte, contexte + 1)\n    fenetres = donnees.unfold(0, contexte + 1, 1)\n    optimiseur = torch.optim.AdamW(modele.parameters(), lr=lr)\n    modele.train()\n    pertes = []\n    for etape in range(n_etapes):\n        i = torch.randint(len(fenetres), (taille_lot,), generator=g)\n        lot = fenetres[i]\n        x, y = lot[:, :-1], lot[:, 1:]\n        logits = modele(x)\n        perte = F.cross_entropy(logits.flatten(0, 1), y.flatten())\n        optimiseur.zero_grad(set_to_none=True)\n        perte.backward()\n        optimiseur.step()\n        pertes.append(float(perte))\n        if etape % 100 == 0:\n            print(f"étape {etape} : {float(perte):.3f} nats")\n    return pertes\n',
        why="windows from Tensor.unfold, zero_grad(set_to_none=True), prints"),
    "blind-r18-correct-transformer_train-zero-grad-after-step": Correct(
        grade_id="transformer_train",
        source=edit(_TRANSFORMER_TRAIN, (
            "        optimiseur.zero_grad()\n        perte.backward()\n        optimiseur.step()\n",
            "        perte.backward()\n        optimiseur.step()\n        optimiseur.zero_grad()\n")),
        why="backward, step, then zero_grad at the end of each step (gradients are None before the first)"),
}
CORRECT.update(_BLIND_R18_CORRECT)
CORRECT_GROUPS["blind-r18-correct-1"] = ("blind-r18-correct-equivariance-index-select-amax",
                                         "blind-r18-correct-gnn_train-dropout-eval",
                                         "blind-r18-correct-mha-flinear-unflatten",
                                         "blind-r18-correct-transformer_train-unfold")
CORRECT_GROUPS["blind-r18-correct-2"] = ("blind-r18-correct-equivariance-numpy-float32",
                                         "blind-r18-correct-gnn_train-last-training-logits",
                                         "blind-r18-correct-transformer_train-zero-grad-after-step")
CORRECT_GROUPS["blind-r18-correct-3"] = ("blind-r18-correct-gnn_train-sequential-dropout-eval",)

# ---------------------------------------------------------------- blind test, round 20
# - couche_gnn that zeroes A's diagonal ("no self-loops") passed: the statement defines
#   M = A X and deg i = Σ_j A_ij for any A; test_gnn_values now puts a self-loop in every
#   graph it draws, and names the dropped diagonal;
# - the dependency probe's tip "torch.bmm / transpose(1, 2) only work in 3D" was given for a
#   mask applied by boolean indexing: each tip now needs its evidence (the attention runs in
#   3-d and not in 4-d; it runs without the mask, with a full-shape mask too or not);
# - the position embedding added at the input AND before every block was told "the first
#   block does not receive the SUM": it is now named as added at every block;
# - "BlocTransformer(d, n_tetes) du correcteur" read as the grader's model: the student's
#   classes built by the grader are "votre BlocTransformer(d, n_tetes), construit par le
#   correcteur".
_R20_INDEX_MASK = _attention(
    """    d_k = Q.shape[-1]
    scores = Q @ K.transpose(-2, -1) / math.sqrt(d_k)
    if masque is not None:
        scores[~masque] = float("-inf")
    poids = torch.softmax(scores, dim=-1)
    return poids @ V
""",
    "Attention, masque appliqué par indexation booléenne.",
)
_BLIND_R20 = {
    "blind-r20-gnn-drops-self-loops": Scenario(
        grade_id="gnn",
        source=edit(solution_cell(__file__, "gnn"), (
            "    M = A @ X\n",
            "    A = A * (1 - torch.eye(A.shape[0], dtype=A.dtype))  # pas de boucle sur soi\n"
            "    M = A @ X\n")),
        must_fail=("test_gnn_values",),
        message_contains=("vous retirez les boucles de A",),
    ),
    "blind-r20-attention-index-mask-in-transformer": Scenario(
        grade_id="attention",
        source=_R20_INDEX_MASK,
        must_fail=("test_attention_with_padding_mask", "test_attention_with_causal_mask",
                   "test_transformer_output_shape",
                   "test_transformer_bits_per_char_on_held_out_text"),
        message_contains=("diffusable vers", "que ne fait pas l'indexation booléenne scores[~masque]"),
        affects=("transformer", "transformer_train"),
    ),
    "blind-r20-attention-bmm-in-transformer": Scenario(
        grade_id="attention",
        source=_attention(
            """    scores = torch.bmm(Q, K.transpose(1, 2)) / math.sqrt(Q.shape[-1])
    if masque is not None:
        scores = scores.masked_fill(~masque.bool(), float("-inf"))
    return torch.bmm(torch.softmax(scores, dim=-1), V)
""",
            "torch.bmm : ne marche que pour des entrées (B, n, d).",
        ),
        must_fail=("test_attention_matches_torch_without_mask", "test_transformer_output_shape",
                   "test_transformer_bits_per_char_on_held_out_text"),
        message_contains=("4 dimensions", "elle passe sur des entrées 3D (B, n, d_k) mais pas sur des entrées 4D"),
        affects=("mha", "transformer", "transformer_train"),
    ),
    "blind-r20-attention-mask-indexed-after-batch-axis": Scenario(
        grade_id="attention",
        source=_attention(
            """    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])
    if masque is not None:
        scores[:, ~masque] = float("-inf")  # le même masque pour chaque élément du lot
    return torch.softmax(scores, dim=-1) @ V
""",
            "Masque indexé après l'axe du lot.",
        ),
        # Right on the 3-d inputs of test_attention_with_causal_mask (the mask covers the
        # last two axes there): the padding mask and the Transformer's heads show it.
        must_fail=("test_attention_with_padding_mask",
                   "test_transformer_output_shape",
                   "test_transformer_bits_per_char_on_held_out_text"),
        message_contains=("elle passe sans masque : l'erreur vient de la façon dont elle applique le masque",),
        affects=("transformer", "transformer_train"),
    ),
    "blind-r20-transformer-position-at-input-and-every-block": Scenario(
        grade_id="transformer",
        source=edit(_TRANSFORMER, ("            x = bloc(x)\n",
                                   "            x = bloc(x + self.position(positions))\n")),
        must_fail=("test_transformer_residuals_and_positions",),
        message_contains=("le plongement (embedding) de position est ajouté à chaque bloc",
                          "votre PetitTransformer(vocab, d, n_tetes, n_couches, contexte), "
                          "construit par le correcteur"),
    ),
}
SCENARIOS.update(_BLIND_R20)
# An attention fault reaches the Transformer's items: each alone, or with the GNN.
GROUPS["blind-r20-a"] = ("blind-r20-gnn-drops-self-loops",
                         "blind-r20-transformer-position-at-input-and-every-block")
GROUPS["blind-r20-b"] = ("blind-r20-attention-index-mask-in-transformer",)
GROUPS["blind-r20-c"] = ("blind-r20-attention-bmm-in-transformer",)
GROUPS["blind-r20-d"] = ("blind-r20-attention-mask-indexed-after-batch-axis",)

_BLIND_R20_CORRECT = {
    "correct-r20-gnn-diag-inverse": Correct(
        grade_id="gnn",
        source='def couche_gnn(X, A, W_soi, W_voisins, agregation="somme"):\n    if agregation == "somme":\n        M = A @ X\n    elif agregation == "moyenne":\n        deg = A.sum(dim=1)\n        inv = torch.where(deg > 0, 1.0 / deg.clamp(min=1e-12), torch.zeros_like(deg))\n        M = torch.diag(inv) @ A @ X\n    else:\n        raise ValueError(agregation)\n    return F.relu(X @ W_soi + M @ W_voisins)\n',
        why="mean through D^-1 A, torch.where on degree 0: the self-loop counts in deg as in A X"),
    "correct-r20-gnn-count-neighbours": Correct(
        grade_id="gnn",
        source=edit(solution_cell(__file__, "gnn"), (
            "A.sum(dim=1, keepdim=True).clamp(min=1)", "(A > 0).sum(dim=1, keepdim=True).clamp(min=1)")),
        why="A is 0/1 (A_ij = 1 si j est voisin de i): counting the non-zero entries is Σ_j A_ij, "
            "a self-loop included"),
}
CORRECT.update(_BLIND_R20_CORRECT)
CORRECT_GROUPS["correct-r20-a"] = ("correct-r20-gnn-diag-inverse",)
CORRECT_GROUPS["correct-r20-b"] = ("correct-r20-gnn-count-neighbours",)


# ---------------------------------------------------------------- blind test, round 22
_BLIND_R22_BERT_FIXED_COUNT = '# fault: selects exactly round(15 % of L) tokens in every row (top-k of a uniform draw) instead of each token independently with probability 0.15 (counts have no variance; rate off when 0.15 L is not an integer)\ndef masquage_bert(tokens, id_mask, taille_vocab, graine):\n    """Masquage de BERT : renvoie (entrees, cibles), cibles = -100 hors des tokens sélectionnés."""\n    g = torch.Generator().manual_seed(graine)\n    tokens = tokens.long()\n    L = tokens.shape[-1]\n    k = max(1, round(0.15 * L))\n    bruit = torch.rand(tokens.shape, generator=g)\n    rang = bruit.argsort(dim=-1).argsort(dim=-1)\n    selection = rang < k\n    u = torch.rand(tokens.shape, generator=g)\n    aleatoires = torch.randint(0, taille_vocab, tokens.shape, generator=g)\n    entrees = tokens.clone()\n    entrees[selection & (u < 0.8)] = id_mask\n    remplace = selection & (u >= 0.8) & (u < 0.9)\n    entrees[remplace] = aleatoires[remplace]\n    cibles = torch.where(selection, tokens, torch.full_like(tokens, -100))\n    return entrees, cibles\n'
_BLIND_R22_GNN_TRAIN_PLAIN_TENSORS = '# fault: the four GNN weights are plain tensors with requires_grad (not nn.Parameter): modele.parameters() only holds the final nn.Linear, so both message-passing layers stay at their random initialisation\nclass GNN(nn.Module):\n    """Deux couches couche_gnn (agrégation « moyenne », largeur d_cachee), puis une couche linéaire."""\n\n    def __init__(self, d_entree, d_cachee, n_classes):\n        super().__init__()\n        self.W_soi_1 = (torch.randn(d_entree, d_cachee) / math.sqrt(d_entree)).requires_grad_()\n        self.W_voisins_1 = (torch.randn(d_entree, d_cachee) / math.sqrt(d_entree)).requires_grad_()\n        self.W_soi_2 = (torch.randn(d_cachee, d_cachee) / math.sqrt(d_cachee)).requires_grad_()\n        self.W_voisins_2 = (torch.randn(d_cachee, d_cachee) / math.sqrt(d_cachee)).requires_grad_()\n        self.sortie = nn.Linear(d_cachee, n_classes)\n\n    def forward(self, X, A):\n        """Logits (n, n_classes) de tous les nœuds."""\n        H = couche_gnn(X, A, self.W_soi_1, self.W_voisins_1, "moyenne")\n        H = couche_gnn(H, A, self.W_soi_2, self.W_voisins_2, "moyenne")\n        return self.sortie(H)\n\n\ndef entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Entraîne un GNN(d, 32, n_classes) sur les nœuds idx_train (étiquettes y_train) ;\n    renvoie les logits (n, n_classes) de TOUS les nœuds après l\'entraînement."""\n    torch.manual_seed(int(graine))\n    modele = GNN(X.shape[1], 32, n_classes)\n    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr, weight_decay=5e-4)\n    for _ in range(n_epoques):\n        perte = F.cross_entropy(modele(X, A)[idx_train], y_train)\n        optimiseur.zero_grad()\n        perte.backward()\n        optimiseur.step()\n    with torch.no_grad():\n        return modele(X, A)\n\n\ndef entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Même protocole avec un MLP d -> 32 -> n_classes qui ne voit que X (pas le graphe)."""\n    torch.manual_seed(int(graine))\n    modele = nn.Sequential(nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Linear(32, n_classes))\n    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr, weight_decay=5e-4)\n    for _ in range(n_epoques):\n        perte = F.cross_entropy(modele(X)[idx_train], y_train)\n        optimiseur.zero_grad()\n        perte.backward()\n        optimiseur.step()\n    with torch.no_grad():\n        return modele(X)\n'
_BLIND_R22 = {
    "blind-r22-bert-fixed-count-per-row": Scenario(
        grade_id="bert_mask",
        source=_BLIND_R22_BERT_FIXED_COUNT,
        must_fail=("test_bert_selection_rate",),
        message_contains=("EXACTEMENT le même nombre de tokens dans chaque séquence",
                          "INDÉPENDAMMENT avec probabilité 0,15"),
    ),
    "blind-r22-gnn-mean-divides-by-deg-plus-one": Scenario(
        grade_id="gnn",
        source=edit(solution_cell(__file__, "gnn"), (
            "A.sum(dim=1, keepdim=True).clamp(min=1)", "(A.sum(dim=1, keepdim=True) + 1)")),
        must_fail=("test_gnn_values",),
        message_contains=("vous divisez A X par deg i + 1",),
    ),
    "blind-r22-gnn-train-weights-not-parameters": Scenario(
        grade_id="gnn_train",
        source=_BLIND_R22_GNN_TRAIN_PLAIN_TENSORS,
        must_fail=("test_gnn_accuracy_on_grader_graphs", "test_gnn_beats_features_only_mlp"),
        message_contains=("ne sont pas des paramètres du module",
                          "entrainer_gnn n'entraîne pas les poids W_soi"),
    ),
    "blind-r22-transformer-train-last-position-only": Scenario(
        grade_id="transformer_train",
        source=edit(_TRANSFORMER_TRAIN, (
            "        perte = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))\n",
            "        perte = F.cross_entropy(logits[:, -1, :], y[:, -1])\n")),
        must_fail=("test_entrainer_transformer_loop_mechanics",),
        message_contains=("ne porte que sur la dernière position de chaque fenêtre",),
        # One position in T trained: the held-out bits per character lands near the bar
        # (3.30-3.32 against 3.3 in the blind test), on either side with the variant.
        may_fail=("test_transformer_bits_per_char_on_held_out_text",),
    ),
    "blind-r22-transformer-train-reports-all-minimises-last": Scenario(
        grade_id="transformer_train",
        source=edit(_TRANSFORMER_TRAIN, (
            "        perte = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))\n"
            "        optimiseur.zero_grad()\n"
            "        perte.backward()\n",
            "        perte = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))\n"
            "        optimiseur.zero_grad()\n"
            "        F.cross_entropy(logits[:, -1], y[:, -1]).backward()  # le caractère suivant\n")),
        must_fail=("test_entrainer_transformer_loop_mechanics",),
        message_contains=("ne porte que sur la dernière position de chaque fenêtre",),
        may_fail=("test_transformer_bits_per_char_on_held_out_text",),
    ),
    "blind-r22-transformer-train-drops-last-position": Scenario(
        grade_id="transformer_train",
        source=edit(_TRANSFORMER_TRAIN, (
            "        perte = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))\n",
            "        perte = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]),\n"
            "                                y[:, :-1].reshape(-1))\n")),
        # The last position is never trained, its position embedding stays at its
        # initialisation: the held-out bits per character (windows of 32) lands near 5.4, far
        # above the 3.8 bar for partial credit, at every variant (0, 1, 2).
        must_fail=("test_entrainer_transformer_loop_mechanics",
                   "test_transformer_bits_per_char_on_held_out_text"),
        message_contains=("laisse de côté la dernière position de chaque fenêtre",),
    ),
}
SCENARIOS.update(_BLIND_R22)
# Independent items in a group; the transformer_train answers each alone (one cell).
GROUPS["blind-r22-a"] = ("blind-r22-bert-fixed-count-per-row",
                         "blind-r22-gnn-mean-divides-by-deg-plus-one",
                         "blind-r22-gnn-train-weights-not-parameters",
                         "blind-r22-transformer-train-last-position-only")
GROUPS["blind-r22-b"] = ("blind-r22-transformer-train-reports-all-minimises-last",)
GROUPS["blind-r22-c"] = ("blind-r22-transformer-train-drops-last-position",)
SCENARIOS["blind-r22-transformer-positions-from-one"] = Scenario(
    grade_id="transformer",
    source=edit(_TRANSFORMER, ("nn.Embedding(contexte, d)", "nn.Embedding(contexte + 1, d)"),
                ("torch.arange(idx.shape[1], device=idx.device)", "torch.arange(1, idx.shape[1] + 1, device=idx.device)")),
    must_fail=("test_transformer_residuals_and_positions",),
    message_contains=("la table des positions a contexte + 1 lignes, une de trop",),
)
GROUPS["blind-r22-d"] = ("blind-r22-transformer-positions-from-one",)

_BLIND_R22_CORRECT = {
    "correct-r22-bert-per-selected-uniform": Correct(
        grade_id="bert_mask",
        source='# fault: draws one uniform per selected token only, then a second coin (1/2) to choose random vs unchanged among the non-[MASK] ones; works on a flattened copy\ndef masquage_bert(tokens, id_mask, taille_vocab, graine):\n    """Masquage de BERT : renvoie (entrees, cibles), cibles = -100 hors des tokens sélectionnés."""\n    g = torch.Generator()\n    g.manual_seed(graine)\n    plats = tokens.reshape(-1).to(torch.int64)\n    entrees = plats.clone()\n    cibles = torch.full_like(plats, -100)\n    choisis = torch.nonzero(torch.rand(plats.numel(), generator=g) < 0.15).flatten()\n    cibles[choisis] = plats[choisis]\n    u = torch.rand(len(choisis), generator=g)\n    a_masquer = choisis[u < 0.8]\n    autres = choisis[u >= 0.8]\n    entrees[a_masquer] = id_mask\n    piece = torch.rand(len(autres), generator=g)\n    a_remplacer = autres[piece < 0.5]\n    entrees[a_remplacer] = torch.randint(0, taille_vocab, (len(a_remplacer),), generator=g)\n    return entrees.reshape(tokens.shape), cibles.reshape(tokens.shape)\n',
        why="one uniform per selected token, then a fair coin between random and unchanged: "
            "the same 80/10/10 law, each token selected independently"),
    "correct-r22-gnn-where-einsum": Correct(
        grade_id="gnn",
        source='# fault: degree guarded by torch.where(deg > 0, deg, 1), weights applied with einsum, mean also written as D^-1 A\ndef couche_gnn(X, A, W_soi, W_voisins, agregation="somme"):\n    """ReLU(X W_soi + M W_voisins), M = A X ("somme") ou A X / max(1, deg) ("moyenne")."""\n    if agregation == "moyenne":\n        deg = A.sum(dim=-1)\n        deg = torch.where(deg > 0, deg, torch.ones_like(deg))\n        A_norm = A / deg[:, None]\n        M = A_norm @ X\n    else:\n        M = A @ X\n    H = torch.einsum("nd,dh->nh", X, W_soi) + torch.einsum("nd,dh->nh", M, W_voisins)\n    return F.relu(H)\n',
        why="degree guarded by torch.where(deg > 0, deg, 1), the same max(1, deg i)"),
    "correct-r22-gnn-train-dropout-eval": Correct(
        grade_id="gnn_train",
        source='# fault: GNN with dropout 0.3 between the two layers, train() during the loop and eval() before the final logits; the MLP as a custom nn.Module\nclass GNN(nn.Module):\n    """Deux couches couche_gnn (agrégation « moyenne », largeur d_cachee), puis une couche linéaire."""\n\n    def __init__(self, d_entree, d_cachee, n_classes):\n        super().__init__()\n        self.W_soi_1 = nn.Parameter(torch.randn(d_entree, d_cachee) / math.sqrt(d_entree))\n        self.W_voisins_1 = nn.Parameter(torch.randn(d_entree, d_cachee) / math.sqrt(d_entree))\n        self.W_soi_2 = nn.Parameter(torch.randn(d_cachee, d_cachee) / math.sqrt(d_cachee))\n        self.W_voisins_2 = nn.Parameter(torch.randn(d_cachee, d_cachee) / math.sqrt(d_cachee))\n        self.sortie = nn.Linear(d_cachee, n_classes)\n        self.dropout = nn.Dropout(0.3)\n\n    def forward(self, X, A):\n        """Logits (n, n_classes) de tous les nœuds."""\n        H = couche_gnn(X, A, self.W_soi_1, self.W_voisins_1, "moyenne")\n        H = self.dropout(H)\n        H = couche_gnn(H, A, self.W_soi_2, self.W_voisins_2, "moyenne")\n        return self.sortie(H)\n\n\ndef entrainer_gnn(X, A, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Entraîne un GNN(d, 32, n_classes) sur les nœuds idx_train (étiquettes y_train) ;\n    renvoie les logits (n, n_classes) de TOUS les nœuds après l\'entraînement."""\n    torch.manual_seed(int(graine))\n    modele = GNN(X.shape[1], 32, n_classes)\n    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr, weight_decay=5e-4)\n    modele.train()\n    for _ in range(n_epoques):\n        perte = F.cross_entropy(modele(X, A)[idx_train], y_train)\n        optimiseur.zero_grad()\n        perte.backward()\n        optimiseur.step()\n    modele.eval()\n    with torch.no_grad():\n        logits = modele(X, A)\n    return logits\n\n\nclass MLP(nn.Module):\n    def __init__(self, d_entree, d_cachee, n_classes):\n        super().__init__()\n        self.couche_1 = nn.Linear(d_entree, d_cachee)\n        self.couche_2 = nn.Linear(d_cachee, n_classes)\n\n    def forward(self, X):\n        return self.couche_2(F.relu(self.couche_1(X)))\n\n\ndef entrainer_mlp(X, idx_train, y_train, n_classes, graine, n_epoques=200, lr=0.01):\n    """Même protocole avec un MLP d -> 32 -> n_classes qui ne voit que X (pas le graphe)."""\n    torch.manual_seed(int(graine))\n    modele = MLP(X.shape[1], 32, n_classes)\n    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr, weight_decay=5e-4)\n    for _ in range(n_epoques):\n        perte = F.cross_entropy(modele(X)[idx_train], y_train)\n        optimiseur.zero_grad()\n        perte.backward()\n        optimiseur.step()\n    with torch.no_grad():\n        return modele(X)\n',
        why="dropout while training, modele.eval() before the returned logits"),
    "correct-r22-transformer-train-stack": Correct(
        grade_id="transformer_train",
        source='# fault: windows built by torch.stack of slices (a list comprehension), zero_grad(set_to_none=True) before the forward pass, logits.view(B*T, V)\ndef entrainer_transformer(modele, donnees, n_etapes, taille_lot, contexte, lr, graine):\n    """Entraîne modele à prédire le caractère suivant sur des fenêtres tirées de donnees ;\n    renvoie la liste des pertes (entropie croisée en nats, une par étape)."""\n    generateur = torch.Generator().manual_seed(int(graine))\n    optimiseur = torch.optim.AdamW(modele.parameters(), lr=lr)\n    decalages = torch.arange(contexte)\n    modele.train()\n    pertes = []\n    for _ in range(n_etapes):\n        debuts = torch.randint(len(donnees) - contexte, (taille_lot,), generator=generateur)\n        x = torch.stack([donnees[i : i + contexte] for i in debuts.tolist()])\n        y = torch.stack([donnees[i + 1 : i + contexte + 1] for i in debuts.tolist()])\n        optimiseur.zero_grad(set_to_none=True)\n        logits = modele(x)\n        B, T, V = logits.shape\n        perte = F.cross_entropy(logits.view(B * T, V), y.view(B * T))\n        perte.backward()\n        optimiseur.step()\n        pertes.append(perte.item())\n    return pertes\n',
        why="windows built with torch.stack of slices: the same batches, every position in the loss"),
}
CORRECT.update(_BLIND_R22_CORRECT)
CORRECT_GROUPS["correct-r22-a"] = ("correct-r22-bert-per-selected-uniform",
                                   "correct-r22-gnn-where-einsum",
                                   "correct-r22-gnn-train-dropout-eval",
                                   "correct-r22-transformer-train-stack")
