"""Realistic wrong answers for TP06, as data: each replaces one answer cell of the solution.

`must_fail` names the checks that must lose points; every other check of the same item
must keep its points. `message_contains` are substrings of the French message of at least
one of those checks: the hint that names the fault. `affects` lists other items that may
lose points as a consequence (rnn_sequence calls the student's cellule_rnn, but is graded with
the grader's cell, so a bug of the cell costs the cell's points only).

The training items (memoire, prevision) are measured by the grader: their wrong answers
lose points because the grader's own accuracy or MSE falls, not because a value differs.
"""

from __future__ import annotations

from dataclasses import replace

from autograder.prove import Correct, Scenario, edit, solution_cell, solution_with_docs

_LSTM_CHECK = ("test_cellule_lstm_matches_lstmcell",)


def _lstm(body: str, doc: str) -> str:
    return f'''def cellule_lstm(x_t, h_prec, c_prec, W_ih, W_hh, b_ih, b_hh):
    """{doc}"""
    z = x_t @ W_ih.T + b_ih + h_prec @ W_hh.T + b_hh
{body}
    h = o * torch.tanh(c)
    return h, c
'''


_MEMOIRE_REST = '''

def creer_modele_sequence(genre, d_entree, H, n_classes):
    """Un nouveau modèle, genre "rnn" ou "lstm"."""
    return ModeleSequence(genre, d_entree, H, n_classes)


def entrainer_sequence(modele, X, y, epochs=20, lr=0.01, batch_size=64, seed=0):
    """L'entraînement de la solution."""
    generateur = torch.Generator().manual_seed(seed)
    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)
    modele.train()
    for _ in range(epochs):
        ordre = torch.randperm(len(X), generator=generateur)
        for debut in range(0, len(X), batch_size):
            lot = ordre[debut : debut + batch_size]
            optimiseur.zero_grad()
            F.cross_entropy(modele(X[lot]), y[lot]).backward()
            nn.utils.clip_grad_norm_(modele.parameters(), 1.0)
            optimiseur.step()
    return modele
'''

_SEQUENCE_MODEL = '''class ModeleSequence(nn.Module):
    """{doc}"""

    def __init__(self, genre, d_entree, H, n_classes):
        super().__init__()
        if genre == "lstm":
            self.recurrent = nn.LSTM(d_entree, H, batch_first=True)
            with torch.no_grad():
                self.recurrent.bias_ih_l0[H : 2 * H].fill_(5.0)
                self.recurrent.bias_hh_l0[H : 2 * H].fill_(0.0)
        else:
            self.recurrent = nn.RNN(d_entree, H, batch_first=True)
        self.sortie = nn.Linear(H, n_classes)

    def forward(self, X):
        sorties, _ = self.recurrent(X)
        return self.sortie({readout})
'''


def _sequence(doc: str, readout: str = "sorties[:, -1]", rest: str = _MEMOIRE_REST) -> str:
    return _SEQUENCE_MODEL.format(doc=doc, readout=readout) + rest


_GRU_TORCH = '''def cellule_gru_pytorch(x_t, h_prec, W_ih, W_hh, b_ih, b_hh):
    """{doc}"""
    gi = x_t @ W_ih.T + b_ih
    gh = h_prec @ W_hh.T + b_hh
{body}
    return (1 - z) * n + z * h_prec
'''

SCENARIOS: dict[str, Scenario] = {
    "submission-rnn-missing-recurrent-term": Scenario(
        grade_id="rnn_cell",
        source=edit(solution_with_docs(__file__, 'rnn_cell', 'Oublie le terme récurrent : pas de mémoire.'),
            ('    return torch.tanh(x_t @ W_xh.T + h_prec @ W_hh.T + b_h)\n',
             '    return torch.tanh(x_t @ W_xh.T + b_h)\n')),
        must_fail=("test_cellule_rnn_matches_rnncell",),
        message_contains=("il manque le terme récurrent",),
    ),
    "submission-rnn-sequence-returns-h0-first": Scenario(
        grade_id="rnn_sequence",
        source=edit(solution_with_docs(__file__, 'rnn_sequence', 'Renvoie h_0..h_{T-1} au lieu de h_1..h_T.'),
            ('        h = cellule_rnn(X[t], h, W_xh, W_hh, b_h)\n'
             '        etats.append(h)\n',
             '        etats.append(h)\n'
             '        h = cellule_rnn(X[t], h, W_xh, W_hh, b_h)\n')),
        must_fail=("test_rnn_sequence_matches_nn_rnn",),
        message_contains=("décalés d'un pas",),
    ),
    "submission-lstm-gates-wrong-order": Scenario(
        grade_id="lstm_cell",
        source=_lstm(
            """    i, f, o, g = z.chunk(4, dim=1)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c = f * c_prec + i * g""",
            "Lit les blocs dans l'ordre i, f, o, g.",
        ),
        must_fail=_LSTM_CHECK,
        message_contains=("l'ordre des portes de PyTorch est i, f, g, o",),
    ),
    "submission-lstm-sigmoid-on-candidate": Scenario(
        grade_id="lstm_cell",
        source=_lstm(
            """    i, f, g, o = z.chunk(4, dim=1)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(g), torch.sigmoid(o)
    c = f * c_prec + i * g""",
            "Sigmoïde sur le candidat g.",
        ),
        must_fail=_LSTM_CHECK,
        message_contains=("le candidat g utilise une sigmoïde",),
    ),
    "submission-lstm-forget-gate-missing": Scenario(
        grade_id="lstm_cell",
        source=_lstm(
            """    i, f, g, o = z.chunk(4, dim=1)
    i, g, o = torch.sigmoid(i), torch.tanh(g), torch.sigmoid(o)
    c = c_prec + i * g""",
            "Sans porte d'oubli.",
        ),
        must_fail=_LSTM_CHECK,
        message_contains=("la porte d'oubli f manque",),
    ),
    "submission-gru-pytorch-variant": Scenario(
        grade_id="gru_cell",
        source=edit(solution_with_docs(__file__, 'gru_cell', 'r appliqué après le produit matriciel, comme nn.GRUCell.'),
            ('    h_cand = torch.tanh(x_t @ p["W_xh"].T + (r * h_prec) @ p["W_hh"].T + p["b_h"])\n',
             '    h_cand = torch.tanh(x_t @ p["W_xh"].T + p["b_h"] + r * (h_prec @ p["W_hh"].T))\n')),
        must_fail=("test_cellule_gru_matches_course_formula",),
        message_contains=("c'est la variante de PyTorch",),
    ),
    "submission-lstm-peephole-output-gate-sees-old-cell": Scenario(
        grade_id="lstm_peephole",
        source='''def cellule_lstm_peephole(x_t, h_prec, c_prec, p):
    """La porte de sortie regarde c_{t-1} au lieu de c_t."""
    f = torch.sigmoid(x_t @ p["W_xf"].T + h_prec @ p["W_hf"].T + c_prec @ p["W_cf"].T + p["b_f"])
    i = torch.sigmoid(x_t @ p["W_xi"].T + h_prec @ p["W_hi"].T + c_prec @ p["W_ci"].T + p["b_i"])
    o = torch.sigmoid(x_t @ p["W_xo"].T + h_prec @ p["W_ho"].T + c_prec @ p["W_co"].T + p["b_o"])
    c_cand = torch.tanh(x_t @ p["W_xc"].T + h_prec @ p["W_hc"].T + p["b_c"])
    c = f * c_prec + i * c_cand
    return o * torch.tanh(c), c
''',
        must_fail=("test_cellule_lstm_peephole_matches_course_formula",),
        message_contains=("la porte de sortie regarde l'ancien état c_{t−1}",),
    ),
    "submission-gru-pytorch-course-gate-order": Scenario(
        grade_id="gru_pytorch",
        source=_GRU_TORCH.format(
            doc="Lit les blocs dans l'ordre du cours, z puis r.",
            body="""    i_z, i_r, i_n = gi.chunk(3, dim=1)
    h_z, h_r, h_n = gh.chunk(3, dim=1)
    r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)""",
        ),
        must_fail=(
            "test_cellule_gru_pytorch_shape_and_update_gate",
            "test_cellule_gru_pytorch_matches_grucell",
        ),
        message_contains=("les blocs sont lus dans l'ordre z, r, n",),
    ),
    "submission-gru-pytorch-r-before-product": Scenario(
        grade_id="gru_pytorch",
        source=_GRU_TORCH.format(
            doc="Applique r avant le produit par W_hn, comme la formule du cours.",
            body="""    i_r, i_z, i_n = gi.chunk(3, dim=1)
    h_r, h_z, _ = gh.chunk(3, dim=1)
    r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
    H = h_prec.shape[1]
    n = torch.tanh(i_n + (r * h_prec) @ W_hh[2 * H :].T + b_hh[2 * H :])""",
        ),
        must_fail=("test_cellule_gru_pytorch_matches_grucell",),
        message_contains=("c'est la formule du cours (r appliqué avant le produit)",),
    ),
    "submission-count-one-bias-only": Scenario(
        grade_id="param_counts",
        source='''def nb_params_rnn(d, H):
    """Un seul biais, comme dans la formule du cours."""
    return H * d + H * H + H


def nb_params_lstm(d, H):
    return 4 * (H * d + H * H + H)


def nb_params_gru(d, H):
    return 3 * (H * d + H * H + H)
''',
        must_fail=("test_param_counts_match_torch",),
        message_contains=("un seul vecteur de biais",),
    ),
    "submission-bptt-squared-norm": Scenario(
        grade_id="bptt",
        source=edit(solution_with_docs(__file__, 'bptt', 'Renvoie le carré de la norme.'),
            ('        normes.append(grad.norm())\n',
             '        normes.append((grad**2).sum())\n')),
        must_fail=("test_normes_gradient_match_autograd", "test_gradient_vanishes_and_explodes"),
        message_contains=("c'est le carré de la norme",),
    ),
    "submission-clip-per-parameter-not-global": Scenario(
        grade_id="clip",
        source='''def clipper_gradients(grads, max_norme):
    """Écrête chaque gradient par sa propre norme."""
    return [g * torch.clamp(max_norme / (g.norm() + 1e-6), max=1.0) for g in grads]
''',
        must_fail=("test_clipper_matches_clip_grad_norm",),
        message_contains=("vous écrêtez chaque paramètre séparément",),
    ),
    "submission-memoire-lstm-default-forget-bias": Scenario(
        grade_id="memoire",
        source=edit(_sequence("Garde le biais de la porte d'oubli de PyTorch (près de 0) : f_t ≈ 0,5 au départ."),
            ('        if genre == "lstm":\n'
             '            self.recurrent = nn.LSTM(d_entree, H, batch_first=True)\n'
             '            with torch.no_grad():\n'
             '                self.recurrent.bias_ih_l0[H : 2 * H].fill_(5.0)\n'
             '                self.recurrent.bias_hh_l0[H : 2 * H].fill_(0.0)\n'
             '        else:\n'
             '            self.recurrent = nn.RNN(d_entree, H, batch_first=True)\n',
             '        couche = nn.LSTM if genre == "lstm" else nn.RNN\n'
             '        self.recurrent = couche(d_entree, H, batch_first=True)\n')),
        must_fail=(
            "test_lstm_remembers_the_country",
            "test_vanilla_rnn_misses_what_the_lstm_reaches",
        ),
        message_contains=("le biais de la porte d'oubli vaut en moyenne",),
    ),
    "submission-memoire-genre-always-lstm": Scenario(
        grade_id="memoire",
        source=edit(_sequence('`nn.LSTM if genre` est toujours vrai : le modèle "rnn" est aussi un LSTM.'),
            ('        if genre == "lstm":\n'
             '            self.recurrent = nn.LSTM(d_entree, H, batch_first=True)\n',
             '        couche = nn.LSTM if genre else nn.RNN\n'
             '        self.recurrent = couche(d_entree, H, batch_first=True)\n'
             '        if isinstance(self.recurrent, nn.LSTM):\n'),
            ('        else:\n'
             '            self.recurrent = nn.RNN(d_entree, H, batch_first=True)\n', '')),
        must_fail=(
            "test_modeles_sequence_shapes_and_kinds",
            "test_vanilla_rnn_misses_what_the_lstm_reaches",
        ),
        message_contains=('votre modèle "rnn" contient un nn.LSTM',),
    ),
    "submission-prevision-target-is-last-value": Scenario(
        grade_id="prevision",
        source=edit(solution_with_docs(__file__, 'prevision', 'La cible est la dernière valeur de la fenêtre, pas celle qui la suit.', 'Le modèle de la solution.', "L'entraînement de la solution."),
            ('    return X, serie[L:]\n',
             '    return X, serie[L - 1 : -1]\n'),
            ('            perte = F.mse_loss(modele(X[lot]), y[lot])\n            perte.backward()\n',
             '            F.mse_loss(modele(X[lot]), y[lot]).backward()\n')),
        must_fail=(
            "test_fenetres_small_example",
            "test_fenetres_matches_reference",
            "test_prevision_test_mse",
        ),
        message_contains=("la dernière valeur de la fenêtre",),
    ),
}

# Scenarios graded together: distinct cells, and none affects an item replaced beside it.
GROUPS: dict[str, tuple[str, ...]] = {
    "a": (
        "submission-rnn-missing-recurrent-term",
        "submission-lstm-gates-wrong-order",
        "submission-lstm-peephole-output-gate-sees-old-cell",
        "submission-count-one-bias-only",
        "submission-clip-per-parameter-not-global",
        "submission-memoire-lstm-default-forget-bias",
        "submission-prevision-target-is-last-value",
    ),
    "b": (
        "submission-rnn-sequence-returns-h0-first",
        "submission-lstm-sigmoid-on-candidate",
        "submission-gru-pytorch-variant",
        "submission-gru-pytorch-course-gate-order",
        "submission-memoire-genre-always-lstm",
    ),
    "c": (
        "submission-lstm-forget-gate-missing",
        "submission-bptt-squared-norm",
        "submission-gru-pytorch-r-before-product",
    ),
}

# ---------------------------------------------------------------- issue 12: mechanisms, not outcomes
# Wrong answers that cleared the accuracy bars (or lost points for the wrong reason) before
# the grader cut the recurrence to see which step the model reads, and trained a stand-in
# model to see the loop's batches, zero_grad, clipping and seed.
_MORE_SCENARIOS = {
    "submission-memoire-mean-over-time": Scenario(
        grade_id="memoire",
        source=_sequence("Moyenne des sorties sur le temps au lieu du dernier pas.",
                         readout="sorties.mean(dim=1)"),
        must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
        message_contains=("ne lit pas le dernier pas",),
    ),
    "submission-memoire-no-clipping": Scenario(
        grade_id="memoire",
        source=_sequence("Le modèle de la solution ; l'entraînement n'écrête pas.",
                         rest=_MEMOIRE_REST.replace(
                             "            nn.utils.clip_grad_norm_(modele.parameters(), 1.0)\n", "")),
        must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
        message_contains=("écrêtez-les",),
    ),
    "submission-memoire-order-ignores-seed": Scenario(
        grade_id="memoire",
        source=_sequence("Le modèle de la solution ; l'ordre ne dépend pas de seed.",
                         rest=_MEMOIRE_REST.replace(
                             "torch.randperm(len(X), generator=generateur)", "torch.randperm(len(X))")),
        must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
        message_contains=("argument seed",),
    ),
}
SCENARIOS = {**SCENARIOS, **_MORE_SCENARIOS}
GROUPS = {**GROUPS, **{f"mechanisms-{i}": (name,) for i, name in enumerate(_MORE_SCENARIOS, 1)}}

CORRECT: dict[str, Correct] = {
    "correct-rnn-cell-f-linear": Correct(
        grade_id="rnn_cell",
        source=edit(solution_with_docs(__file__, 'rnn_cell', 'F.linear.'),
            ('    return torch.tanh(x_t @ W_xh.T + h_prec @ W_hh.T + b_h)\n',
             '    return torch.tanh(F.linear(x_t, W_xh) + F.linear(h_prec, W_hh, b_h))\n')),
        why="F.linear instead of @ and .T",
    ),
    "correct-rnn-sequence-preallocated": Correct(
        grade_id="rnn_sequence",
        source='''def rnn_sequence(X, h0, W_xh, W_hh, b_h):
    """Un tenseur pré-alloué rempli pas à pas."""
    T, N = X.shape[0], X.shape[1]
    etats = torch.empty(T, N, h0.shape[1], dtype=h0.dtype)
    h = h0
    for t in range(T):
        h = cellule_rnn(X[t], h, W_xh, W_hh, b_h)
        etats[t] = h
    return etats
''',
        why="a preallocated tensor filled step by step",
    ),
    "correct-lstm-cell-slices": Correct(
        grade_id="lstm_cell",
        source='''def cellule_lstm(x_t, h_prec, c_prec, W_ih, W_hh, b_ih, b_hh):
    """Blocs découpés à la main par tranches de H."""
    H = h_prec.shape[1]
    z = F.linear(x_t, W_ih, b_ih) + F.linear(h_prec, W_hh, b_hh)
    i = torch.sigmoid(z[:, :H])
    f = torch.sigmoid(z[:, H : 2 * H])
    g = torch.tanh(z[:, 2 * H : 3 * H])
    o = torch.sigmoid(z[:, 3 * H :])
    c_t = f * c_prec + i * g
    return o * torch.tanh(c_t), c_t
''',
        why="slices of H instead of chunk, F.linear",
    ),
    "correct-param-counts-helper": Correct(
        grade_id="param_counts",
        source='''def _par_porte(d, H):
    return H * d + H * H + H + H


def nb_params_rnn(d, H):
    """Un bloc."""
    return _par_porte(d, H)


def nb_params_lstm(d, H):
    """Quatre blocs."""
    return 4 * _par_porte(d, H)


def nb_params_gru(d, H):
    """Trois blocs, en comptant avec PyTorch."""
    return sum(p.numel() for p in nn.GRU(d, H).parameters())
''',
        why="a helper, and PyTorch itself counting",
    ),
    "correct-clip-vector-norm": Correct(
        grade_id="clip",
        source='''def clipper_gradients(grads, max_norme):
    """torch.linalg.vector_norm sur la concaténation, facteur en float Python."""
    norme = torch.linalg.vector_norm(torch.cat([g.flatten() for g in grads])).item()
    facteur = min(1.0, max_norme / (norme + 1e-6))
    return [g * facteur for g in grads]
''',
        why="vector_norm over a concatenation, a Python float factor",
    ),
    "correct-memoire-final-state-dataloader": Correct(
        grade_id="memoire",
        source='''from torch.utils.data import DataLoader, TensorDataset


class ModeleSequence(nn.Module):
    """Lit l'état final h_n (le dernier pas), biais d'oubli à 5 par une boucle sur les noms."""

    def __init__(self, genre, d_entree, H, n_classes):
        super().__init__()
        if genre not in ("rnn", "lstm"):
            raise ValueError(genre)
        self.genre = genre
        self.recurrent = (nn.LSTM if genre == "lstm" else nn.RNN)(d_entree, H, batch_first=True)
        if genre == "lstm":
            with torch.no_grad():
                for nom, p in self.recurrent.named_parameters():
                    if nom.startswith("bias_ih"):
                        p[H : 2 * H] = 5.0
                    elif nom.startswith("bias_hh"):
                        p[H : 2 * H] = 0.0
        self.sortie = nn.Linear(H, n_classes)

    def forward(self, X):
        _, etat = self.recurrent(X)
        h_n = etat[0] if self.genre == "lstm" else etat
        return self.sortie(h_n[-1])


def creer_modele_sequence(genre, d_entree, H, n_classes):
    """Un nouveau modèle."""
    return ModeleSequence(genre, d_entree, H, n_classes)


def entrainer_sequence(modele, X, y, epochs=20, lr=0.01, batch_size=64, seed=0):
    """DataLoader(shuffle=True) avec un générateur graine seed."""
    g = torch.Generator()
    g.manual_seed(seed)
    chargeur = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True, generator=g)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    modele.train()
    for epoque in range(epochs):
        for xb, yb in chargeur:
            opt.zero_grad()
            perte = F.cross_entropy(modele(xb), yb)
            perte.backward()
            torch.nn.utils.clip_grad_norm_(modele.parameters(), max_norm=1.0)
            opt.step()
    return modele
''',
        why="the final state h_n instead of sorties[:, -1], a DataLoader",
    ),
    "correct-prevision-loops-lstm": Correct(
        grade_id="prevision",
        source='''def fenetres(serie, L):
    """Une boucle et torch.stack."""
    serie = torch.as_tensor(serie, dtype=torch.float32)
    X = torch.stack([serie[i : i + L] for i in range(len(serie) - L)]).unsqueeze(-1)
    return X, serie[L:].clone()


class ModelePrevision(nn.Module):
    """Un LSTM au lieu du GRU."""

    def __init__(self, H):
        super().__init__()
        self.recurrent = nn.LSTM(1, H, batch_first=True)
        self.sortie = nn.Linear(H, 1)

    def forward(self, X):
        sorties, _ = self.recurrent(X)
        return self.sortie(sorties[:, -1])[:, 0]


def entrainer_prevision(serie, L=20, H=32, epochs=40, lr=0.005, batch_size=64, seed=0):
    """zero_grad en tête de boucle."""
    torch.manual_seed(seed)
    X, y = fenetres(serie, L)
    modele = ModelePrevision(H)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    for epoque in range(epochs):
        ordre = torch.randperm(len(X), generator=g)
        for k in range(0, len(X), batch_size):
            idx = ordre[k : k + batch_size]
            opt.zero_grad()
            F.mse_loss(modele(X[idx]), y[idx]).backward()
            opt.step()
    return modele
''',
        why="loops and torch.stack, an LSTM instead of the GRU",
    ),
}
CORRECT_GROUPS: dict[str, tuple[str, ...]] = {
    "correct-alternatives-1": (
        "correct-rnn-cell-f-linear",
        "correct-lstm-cell-slices",
        "correct-param-counts-helper",
        "correct-clip-vector-norm",
        "correct-memoire-final-state-dataloader",
    ),
    "correct-alternatives-2": ("correct-rnn-sequence-preallocated", "correct-prevision-loops-lstm"),
}

# ---------------------------------------------------------------- issue 12: the forecast's seed
_PREVISION_SEED_AFTER_MODEL = '''def fenetres(serie, L):
    """La solution."""
    serie = torch.as_tensor(serie, dtype=torch.float32)
    return serie.unfold(0, L, 1)[:-1].unsqueeze(-1), serie[L:]


class ModelePrevision(nn.Module):
    """La solution."""

    def __init__(self, H):
        super().__init__()
        self.recurrent = nn.GRU(1, H, batch_first=True)
        self.sortie = nn.Linear(H, 1)

    def forward(self, X):
        sorties, _ = self.recurrent(X)
        return self.sortie(sorties[:, -1]).squeeze(-1)


def entrainer_prevision(serie, L=20, H=32, epochs=40, lr=0.005, batch_size=64, seed=0):
    """Crée le modèle AVANT torch.manual_seed : son initialisation n'est pas reproductible."""
    X, y = fenetres(serie, L)
    modele = ModelePrevision(H)
    torch.manual_seed(seed)
    generateur = torch.Generator().manual_seed(seed)
    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)
    for _ in range(epochs):
        ordre = torch.randperm(len(X), generator=generateur)
        for debut in range(0, len(X), batch_size):
            lot = ordre[debut : debut + batch_size]
            optimiseur.zero_grad()
            F.mse_loss(modele(X[lot]), y[lot]).backward()
            optimiseur.step()
    return modele
'''
SCENARIOS["submission-prevision-model-before-seed"] = Scenario(
    grade_id="prevision",
    source=_PREVISION_SEED_AFTER_MODEL,
    must_fail=("test_prevision_uses_its_seed",),
    message_contains=("AVANT de créer ModelePrevision(H)",),
)
GROUPS["c"] = (*GROUPS["c"], "submission-prevision-model-before-seed")

# Mutants of the solution (`autograder prove --mutants`) that are still correct answers: no
# check can tell them from the solution, and none should.
_DEFAULT = ("a default of the signature line that every call of the notebook passes explicitly "
            "(entrainer_sequence(..., epochs=15)): another value changes nothing the student or the grader sees")
_INDEPENDENT = "two independent statements in the other order: the same values"
_NO_GRAD = "an index or data tensor that carries no gradient: detaching changes nothing"
EQUIVALENT: dict[str, str] = {
    # Defaults (docs/authoring.md, one policy for every TP): the notebook always passes epochs
    # to entrainer_sequence; it relies on the others (entrainer_prevision(serie_app)), which the
    # public checks read.
    **{f"memoire:NumberReplacer@28:44{k}": _DEFAULT for k in ("", "#1")},
    # The genre tests, for the two genres the statement names.
    "memoire:Comparison_Eq_LtE@6:17": "genre <= \"lstm\" is True for \"lstm\" and False for \"rnn\": the same branches",
    "memoire:Comparison_Eq_GtE@11:19": "genre >= \"rnn\" once genre is not \"lstm\": True for \"rnn\", the same branch",
    "memoire:NumberReplacer@10:46": (
        "bias_hh_l0 of the candidate block set to 0 as well: the forget gate's total bias is still 5, "
        "the candidate's bias stays PyTorch's small bias_ih"
    ),
    # Independent statements.
    "gru_cell:SwapStatements@3:4": "z and r computed in the other order: " + _INDEPENDENT,
    "gru_pytorch:SwapStatements@3:4": "the input and hidden projections in the other order: " + _INDEPENDENT,
    "gru_pytorch:SwapStatements@5:4": "r and z computed in the other order: " + _INDEPENDENT,
    "lstm_peephole:SwapStatements@3:4": "f and i computed in the other order: " + _INDEPENDENT,
    "lstm_peephole:SwapStatements@4:4": "i and the candidate computed in the other order: " + _INDEPENDENT,
    "bptt:SwapStatements@4:4": "h = h0 and normes = [] in the other order: " + _INDEPENDENT,
    "memoire:SwapStatements@9:16": "the two bias rows filled in the other order: " + _INDEPENDENT,
    "memoire:SwapStatements@30:4": "the generator and the optimiser built in the other order: " + _INDEPENDENT,
    "memoire:SwapStatements@31:4": "modele.train() before building the optimiser: " + _INDEPENDENT,
    "memoire:SwapStatements@32:4": "N = len(X) before modele.train(): " + _INDEPENDENT,
    "memoire:SwapStatements@37:12": "zero_grad() before slicing the batch: gradients still cleared before backward",
    "prevision:SwapStatements@13:8": "the GRU and the linear layer created in the other order: another valid initialisation",
    "prevision:SwapStatements@23:4": "torch.manual_seed before fenetres (which draws nothing): " + _INDEPENDENT,
    "prevision:SwapStatements@25:4": "the generator (its own stream) built before the model: " + _INDEPENDENT,
    "prevision:SwapStatements@26:4": "the optimiser built before the generator: " + _INDEPENDENT,
    "prevision:SwapStatements@31:12": "zero_grad() before slicing the batch: gradients still cleared before backward",
    "prevision:SwapStatements@32:12": "zero_grad() after the forward pass, still before backward",
    # Unused guards and conversions.
    "memoire:DropStatement@14:12": (
        "the ValueError for an unknown genre: the statement asks for \"rnn\" and \"lstm\" only, "
        "and no check asks for another"
    ),
    "prevision:DropStatement@3:4": "serie is a float32 tensor by the statement: as_tensor converts nothing",
    "clip:DetachValue@3:12": "the norm only scales gradients, which carry no graph: detaching it changes nothing",
    "clip:DetachValue@4:14": "the factor only scales gradients, which carry no graph: detaching it changes nothing",
    "bptt:DetachValue@10:11": "the norms are already detached: a second detach changes nothing",
    "rnn_sequence:SwapStatements@3:4": "h = h0 and etats = [] in the other order: two independent statements in the other order: the same values",
    "memoire:DetachValue@35:16": _NO_GRAD,
    "memoire:DetachValue@37:18": _NO_GRAD,
    "prevision:DetachValue@3:12": _NO_GRAD,
    "prevision:DetachValue@4:8": _NO_GRAD,
    "prevision:DetachValue@29:16": _NO_GRAD,
    "prevision:DetachValue@31:18": _NO_GRAD,
}

# Blind answers (issue 12, second round): written from the student view only; each
# false pass became a scenario, each correct answer a Correct variant.
# The tester's forecast, a correct answer (blind-correct-prevision-loops-global-shuffle);
# four of its wrong answers differ from it by one line.
_BLIND_PREVISION = '''def fenetres(serie, L):
    n = len(serie)
    X = torch.stack([serie[i:i + L] for i in range(n - L)]).unsqueeze(-1)
    y = torch.stack([serie[i + L] for i in range(n - L)])
    return X, y


class ModelePrevision(nn.Module):
    def __init__(self, H):
        super().__init__()
        self.gru = nn.GRU(1, H, batch_first=True)
        self.lin = nn.Linear(H, 1)

    def forward(self, X):
        sortie, _ = self.gru(X)
        return self.lin(sortie[:, -1]).squeeze(-1)


def entrainer_prevision(serie, L=20, H=32, epochs=40, lr=0.005, batch_size=64, seed=0):
    X, y = fenetres(serie, L)
    torch.manual_seed(seed)
    modele = ModelePrevision(H)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    for _ in range(epochs):
        for idx in torch.randperm(len(X)).split(batch_size):
            opt.zero_grad()
            F.mse_loss(modele(X[idx]), y[idx]).backward()
            opt.step()
    return modele
'''

SCENARIOS.update({
    "blind-clip-modifies-grads-in-place": Scenario(
        grade_id="clip",
        source='''def clipper_gradients(grads, max_norme):
    total = torch.sqrt(sum((g ** 2).sum() for g in grads))
    coef = max_norme / (total + 1e-6)
    if coef < 1:
        for g in grads:
            g.mul_(coef)
    return grads
''',
        must_fail=('test_clipper_matches_clip_grad_norm',),
        message_contains=('modifie sur place les gradients',),
    ),
    "blind-prevision-windows-ignore-L": Scenario(
        grade_id="prevision",
        source=edit(_BLIND_PREVISION,
            ('    X, y = fenetres(serie, L)\n',
             '    X, y = fenetres(serie, 20)\n')),
        must_fail=('test_prevision_uses_its_seed',),
        message_contains=('fenêtres de longueur 20',),
    ),
    "blind-prevision-model-ignores-H": Scenario(
        grade_id="prevision",
        source=edit(_BLIND_PREVISION,
            ('        self.gru = nn.GRU(1, H, batch_first=True)\n'
             '        self.lin = nn.Linear(H, 1)\n',
             '        self.gru = nn.GRU(1, 32, batch_first=True)\n'
             '        self.lin = nn.Linear(32, 1)\n')),
        must_fail=('test_prevision_uses_its_seed',),
        message_contains=('doit utiliser son argument H',),
    ),
    "blind-prevision-mean-over-time": Scenario(
        grade_id="prevision",
        source=edit(_BLIND_PREVISION,
            ('        return self.lin(sortie[:, -1]).squeeze(-1)\n',
             '        return self.lin(sortie.mean(dim=1)).squeeze(-1)\n')),
        must_fail=('test_prevision_uses_its_seed',),
        message_contains=('ne lit pas le dernier pas',),
    ),
    "blind-prevision-trains-on-notebook-series": Scenario(
        grade_id="prevision",
        source=edit(_BLIND_PREVISION,
            ('    X, y = fenetres(serie, L)\n',
             '    X, y = fenetres(serie_app, L)\n')),
        must_fail=('test_prevision_uses_its_seed',),
        message_contains=('pas sur une variable du notebook',),
        # Trained on the notebook's series, not the grader's: its forecast misses the grader's
        # test MSE bar for some periods (hidden inputs follow the student).
        may_fail=('test_prevision_test_mse',),
    ),
})
GROUPS["blind-a"] = ('blind-clip-modifies-grads-in-place', 'blind-prevision-windows-ignore-L')
GROUPS["blind-b"] = ('blind-prevision-model-ignores-H',)
GROUPS["blind-c"] = ('blind-prevision-mean-over-time',)
GROUPS["blind-d"] = ('blind-prevision-trains-on-notebook-series',)
CORRECT.update({
    "blind-correct-rnn-cell-matmul-t": Correct(
        grade_id="rnn_cell",
        source='''def cellule_rnn(x_t, h_prec, W_xh, W_hh, b_h):
    a = torch.matmul(h_prec, W_hh.t()) + torch.matmul(x_t, W_xh.t())
    return torch.tanh(a + b_h)
''',
        why='torch.matmul with .t(), terms in another order',
    ),
    "blind-correct-rnn-sequence-preallocated": Correct(
        grade_id="rnn_sequence",
        source='''def rnn_sequence(X, h0, W_xh, W_hh, b_h):
    T = X.shape[0]
    sorties = X.new_zeros((T, h0.shape[0], h0.shape[1]))
    h = h0
    for t in range(T):
        h = cellule_rnn(X[t], h, W_xh, W_hh, b_h)
        sorties[t] = h
    return sorties
''',
        why='output preallocated with new_zeros, filled in a loop',
    ),
    "blind-correct-lstm-fused-chunk": Correct(
        grade_id="lstm_cell",
        source='''def cellule_lstm(x_t, h_prec, c_prec, W_ih, W_hh, b_ih, b_hh):
    portes = F.linear(x_t, W_ih, b_ih) + F.linear(h_prec, W_hh, b_hh)
    i, f, g, o = portes.chunk(4, dim=1)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c = f * c_prec + i * g
    h = o * torch.tanh(c)
    return h, c
''',
        why='F.linear twice then chunk(4, dim=1)',
    ),
    "blind-correct-peephole-helper": Correct(
        grade_id="lstm_peephole",
        source='''def cellule_lstm_peephole(x_t, h_prec, c_prec, p):
    def lin(W, v):
        return v @ W.T
    f = torch.sigmoid(lin(p["W_xf"], x_t) + lin(p["W_hf"], h_prec) + lin(p["W_cf"], c_prec) + p["b_f"])
    i = torch.sigmoid(lin(p["W_xi"], x_t) + lin(p["W_hi"], h_prec) + lin(p["W_ci"], c_prec) + p["b_i"])
    c_tilde = torch.tanh(lin(p["W_xc"], x_t) + lin(p["W_hc"], h_prec) + p["b_c"])
    c = f * c_prec + i * c_tilde
    o = torch.sigmoid(lin(p["W_xo"], x_t) + lin(p["W_ho"], h_prec) + lin(p["W_co"], c) + p["b_o"])
    return o * torch.tanh(c), c
''',
        why='a lin(W, v) helper inside the function',
    ),
    "blind-correct-gru-interpolation-form": Correct(
        grade_id="gru_cell",
        source='''def cellule_gru(x_t, h_prec, p):
    z = torch.sigmoid(x_t @ p["W_xz"].T + h_prec @ p["W_hz"].T + p["b_z"])
    r = torch.sigmoid(x_t @ p["W_xr"].T + h_prec @ p["W_hr"].T + p["b_r"])
    ht = torch.tanh(x_t @ p["W_xh"].T + (r * h_prec) @ p["W_hh"].T + p["b_h"])
    return ht + z * (h_prec - ht)
''',
        why='h = h~ + z (h - h~), algebraically equal',
    ),
    "blind-correct-gru-pytorch-slices": Correct(
        grade_id="gru_pytorch",
        source='''def cellule_gru_pytorch(x_t, h_prec, W_ih, W_hh, b_ih, b_hh):
    H = h_prec.shape[1]
    gi = x_t @ W_ih.T + b_ih
    gh = h_prec @ W_hh.T + b_hh
    r = torch.sigmoid(gi[:, :H] + gh[:, :H])
    z = torch.sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
    n = torch.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
    return (1 - z) * n + z * h_prec
''',
        why='explicit slices with H from h_prec',
    ),
    "blind-correct-param-counts-helper": Correct(
        grade_id="param_counts",
        source='''def _nb(blocs, d, H):
    return blocs * (H * d + H * H + 2 * H)


def nb_params_rnn(d, H):
    return _nb(1, d, H)


def nb_params_lstm(d, H):
    return _nb(4, d, H)


def nb_params_gru(d, H):
    return _nb(3, d, H)
''',
        why='a helper per number of blocks',
    ),
    "blind-correct-bptt-autograd-grad-numpy": Correct(
        grade_id="bptt",
        source='''def normes_gradient_h0(X, h0, W_xh, W_hh, b_h):
    normes = []
    for T in range(1, X.shape[0] + 1):
        h_init = h0.detach().clone().requires_grad_(True)
        h = h_init
        for t in range(T):
            h = torch.tanh(X[t] @ W_xh.T + h @ W_hh.T + b_h)
        (g,) = torch.autograd.grad(h.sum(), h_init)
        normes.append(g.norm().item())
    return np.array(normes)
''',
        why='torch.autograd.grad, fresh leaf per T, NumPy array out',
    ),
    "blind-correct-clip-clamped-coefficient": Correct(
        grade_id="clip",
        source='''def clipper_gradients(grads, max_norme):
    total = torch.sqrt(sum((g.double() ** 2).sum() for g in grads))
    coef = max_norme / (total + 1e-6)
    coef = torch.clamp(coef, max=1.0)
    return [g * coef.to(g.dtype) for g in grads]
''',
        why='coefficient clamped at 1, float64 norm, new tensors',
    ),
    "blind-correct-memoire-h-n-split": Correct(
        grade_id="memoire",
        source='''class ModeleSequence(nn.Module):
    def __init__(self, genre, d_entree, H, n_classes):
        super().__init__()
        self.genre = genre
        if genre == "lstm":
            self.rec = nn.LSTM(d_entree, H, batch_first=True)
            with torch.no_grad():
                self.rec.bias_ih_l0[H:2 * H].fill_(5.0)
                self.rec.bias_hh_l0[H:2 * H].fill_(0.0)
        elif genre == "rnn":
            self.rec = nn.RNN(d_entree, H, batch_first=True)
        else:
            raise ValueError(genre)
        self.sortie = nn.Linear(H, n_classes)

    def forward(self, X):
        if self.genre == "lstm":
            _, (h_n, _) = self.rec(X)
        else:
            _, h_n = self.rec(X)
        return self.sortie(h_n[-1])


def creer_modele_sequence(genre, d_entree, H, n_classes):
    return ModeleSequence(genre, d_entree, H, n_classes)


def entrainer_sequence(modele, X, y, epochs=20, lr=0.01, batch_size=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    modele.train()
    for ep in range(epochs):
        for idx in torch.randperm(len(X), generator=g).split(batch_size):
            opt.zero_grad()
            perte = F.cross_entropy(modele(X[idx]), y[idx])
            perte.backward()
            nn.utils.clip_grad_norm_(modele.parameters(), 1.0)
            opt.step()
    return modele
''',
        why='reads h_n[-1], fill_ for the forget bias, torch.split batches',
    ),
    "blind-correct-prevision-unfold-lstm": Correct(
        grade_id="prevision",
        source='''def fenetres(serie, L):
    X = serie[:-1].unfold(0, L, 1)[: len(serie) - L]
    y = serie[L:]
    return X.unsqueeze(-1).clone(), y.clone()


class ModelePrevision(nn.Module):
    def __init__(self, H):
        super().__init__()
        self.rnn = nn.LSTM(1, H, batch_first=True)
        self.tete = nn.Linear(H, 1)

    def forward(self, X):
        out, _ = self.rnn(X)
        return self.tete(out[:, -1, :]).squeeze(-1)


def entrainer_prevision(serie, L=20, H=32, epochs=40, lr=0.005, batch_size=64, seed=0):
    X, y = fenetres(serie, L)
    torch.manual_seed(seed)
    modele = ModelePrevision(H)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        perm = torch.randperm(len(X), generator=g)
        for i in range(0, len(X), batch_size):
            idx = perm[i:i + batch_size]
            opt.zero_grad()
            perte = ((modele(X[idx]) - y[idx]) ** 2).mean()
            perte.backward()
            opt.step()
    return modele
''',
        why='Tensor.unfold windows, an LSTM, MSE by hand',
    ),
    "blind-correct-prevision-loops-global-shuffle": Correct(
        grade_id="prevision",
        source=_BLIND_PREVISION,
        why='windows by a loop + stack, a GRU, global randperm after torch.manual_seed(seed)',
    ),
})
CORRECT_GROUPS["blind-correct"] = ('blind-correct-rnn-cell-matmul-t', 'blind-correct-lstm-fused-chunk', 'blind-correct-peephole-helper', 'blind-correct-gru-interpolation-form', 'blind-correct-gru-pytorch-slices', 'blind-correct-param-counts-helper', 'blind-correct-bptt-autograd-grad-numpy', 'blind-correct-clip-clamped-coefficient', 'blind-correct-memoire-h-n-split', 'blind-correct-prevision-unfold-lstm')
CORRECT_GROUPS["blind-correct-2"] = ('blind-correct-rnn-sequence-preallocated', 'blind-correct-prevision-loops-global-shuffle')

# Blind answers (issue 12, third session): a bug of cellule_rnn cost rnn_sequence its points
# too. rnn_sequence is now graded with the grader's cell (hidden) or a stand-in of the right
# shape (public): each must keep its points while the cell loses its own.
SCENARIOS.update({
    "blind-rnn-cell-whh-not-transposed": Scenario(
        grade_id="rnn_cell",
        source='''def cellule_rnn(x_t, h_prec, W_xh, W_hh, b_h):
    return torch.tanh(x_t @ W_xh.T + h_prec @ W_hh + b_h)
''',
        must_fail=("test_cellule_rnn_matches_rnncell",),
        message_contains=("cellule_rnn ne donne pas la sortie de nn.RNNCell",),
    ),
    "blind-rnn-cell-no-transpose-crashes": Scenario(
        grade_id="rnn_cell",
        source='''def cellule_rnn(x_t, h_prec, W_xh, W_hh, b_h):
    return torch.tanh(x_t @ W_xh + h_prec @ W_hh + b_h)
''',
        must_fail=("test_cellule_rnn_shape_and_range", "test_cellule_rnn_matches_rnncell"),
        message_contains=("cellule_rnn",),
    ),
})
GROUPS["blind-rnn-cell-a"] = ("blind-rnn-cell-whh-not-transposed",)
GROUPS["blind-rnn-cell-b"] = ("blind-rnn-cell-no-transpose-crashes",)

# Blind answers (third round): rules of the statement that no check enforced. rnn_sequence
# writing its states into the caller's h0 (the statement now says "sans modifier h0 sur
# place"); clipper_gradients returning the list grads itself below the threshold (the
# statement asks for a NEW list).
SCENARIOS.update({
    "blind-r3-rnn-sequence-writes-into-h0": Scenario(
        grade_id="rnn_sequence",
        source='def rnn_sequence(X, h0, W_xh, W_hh, b_h):\n    h = h0\n    sorties = []\n    for t in range(X.shape[0]):\n        h.copy_(cellule_rnn(X[t], h, W_xh, W_hh, b_h))\n        sorties.append(h.clone())\n    return torch.stack(sorties)\n',
        must_fail=("test_rnn_sequence_matches_nn_rnn",),
        message_contains=("modifie sur place ce qu'on lui passe (h0)",),
    ),
    "blind-r3-clip-returns-the-same-list": Scenario(
        grade_id="clip",
        source='def clipper_gradients(grads, max_norme):\n    norme = torch.sqrt(sum((g ** 2).sum() for g in grads))\n    if norme <= max_norme:\n        return grads\n    facteur = max_norme / (norme + 1e-6)\n    return [g * facteur for g in grads]\n',
        must_fail=("test_clipper_matches_clip_grad_norm",),
        message_contains=("renvoie la liste grads elle-même",),
    ),
})
GROUPS["blind-r3-a"] = ("blind-r3-rnn-sequence-writes-into-h0", "blind-r3-clip-returns-the-same-list")

# Blind answers (third round), mechanisms: an "lstm" head reading the cell state c_n (the
# grader now hooks the head's input), and an entrainer_prevision without shuffling (the
# statement's "mini-lots mélangés à chaque époque", now seen in the windows' order).
# The tester's model, right (a base, not graded itself): each answer below changes it once.
_R3_MEMOIRE = 'class ModeleSequence(nn.Module):\n    def __init__(self, genre, d_entree, H, n_classes):\n        super().__init__()\n        if genre == "rnn":\n            self.rec = nn.RNN(d_entree, H, batch_first=True)\n        else:\n            self.rec = nn.LSTM(d_entree, H, batch_first=True)\n            with torch.no_grad():\n                self.rec.bias_ih_l0[H:2 * H] = 5.0\n                self.rec.bias_hh_l0[H:2 * H] = 0.0\n        self.sortie = nn.Linear(H, n_classes)\n\n    def forward(self, X):\n        out, _ = self.rec(X)\n        return self.sortie(out[:, -1])\n\n\ndef creer_modele_sequence(genre, d_entree, H, n_classes):\n    return ModeleSequence(genre, d_entree, H, n_classes)\n\n\ndef entrainer_sequence(modele, X, y, epochs=20, lr=0.01, batch_size=64, seed=0):\n    g = torch.Generator().manual_seed(seed)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    modele.train()\n    for _ in range(epochs):\n        ordre = torch.randperm(len(X), generator=g)\n        for d in range(0, len(X), batch_size):\n            b = ordre[d:d + batch_size]\n            opt.zero_grad()\n            F.cross_entropy(modele(X[b]), y[b]).backward()\n            nn.utils.clip_grad_norm_(modele.parameters(), 1.0)\n            opt.step()\n    return modele\n'
SCENARIOS.update({
    "blind-r3-memoire-lstm-reads-cell-state": Scenario(
        grade_id="memoire",
        source=edit(_R3_MEMOIRE,
            ('        out, _ = self.rec(X)\n',
             '        out, etat = self.rec(X)\n'
             '        if isinstance(etat, tuple):\n'
             '            return self.sortie(etat[1][-1])\n')),
        must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
        message_contains=("ne lit pas la sortie du dernier pas",),
        may_fail=("test_lstm_remembers_the_country",),
    ),
    "blind-r3-prevision-batches-in-time-order": Scenario(
        grade_id="prevision",
        source='def fenetres(serie, L):\n    n = len(serie)\n    X = torch.stack([serie[i:i + L] for i in range(n - L)])[:, :, None]\n    y = torch.stack([serie[i + L] for i in range(n - L)])\n    return X, y\n\n\nclass ModelePrevision(nn.Module):\n    def __init__(self, H):\n        super().__init__()\n        self.gru = nn.GRU(1, H, batch_first=True)\n        self.lin = nn.Linear(H, 1)\n\n    def forward(self, X):\n        out, _ = self.gru(X)\n        return self.lin(out[:, -1]).squeeze(-1)\n\n\ndef entrainer_prevision(serie, L=20, H=32, epochs=40, lr=0.005, batch_size=64, seed=0):\n    X, y = fenetres(serie, L)\n    torch.manual_seed(seed)\n    m = ModelePrevision(H)\n    opt = torch.optim.Adam(m.parameters(), lr=lr)\n    g = torch.Generator().manual_seed(seed)\n    for _ in range(epochs):\n        ordre = torch.arange(len(X))\n        for d in range(0, len(X), batch_size):\n            b = ordre[d:d + batch_size]\n            opt.zero_grad()\n            F.mse_loss(m(X[b]), y[b]).backward()\n            opt.step()\n    return m\n',
        must_fail=("test_prevision_uses_its_seed",),
        message_contains=("ordre chronologique",),
        may_fail=("test_prevision_test_mse",),
    ),
})
GROUPS["blind-r3-b"] = ("blind-r3-memoire-lstm-reads-cell-state", "blind-r3-prevision-batches-in-time-order")
SCENARIOS["blind-r3-memoire-forget-bias-ten"] = Scenario(
    grade_id="memoire",
    source=edit(_R3_MEMOIRE,
        ('                self.rec.bias_hh_l0[H:2 * H] = 0.0\n',
         '                self.rec.bias_hh_l0[H:2 * H] = 5.0\n')),
    must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
    message_contains=("demande 5 au total",),
    may_fail=("test_lstm_remembers_the_country",),
)
GROUPS["blind-r3-c"] = ("blind-r3-memoire-forget-bias-ten",)

# One policy in every TP (docs/authoring.md): a default the notebook relies on is part of the
# answer. entrainer_prevision(serie_app) and entrainer_sequence(..., epochs=15) leave the other
# arguments to their defaults, which were EQUIVALENT mutants here; the public checks read them.
SCENARIOS["submission-prevision-default-lr-changed"] = Scenario(
    grade_id="prevision",
    source=edit(solution_cell(__file__, "prevision"), ("lr=0.005,", "lr=0.05,")),
    must_fail=("test_fenetres_small_example",),
    message_contains=("gardez la signature donnée",),
)
SCENARIOS["submission-sequence-default-seed-changed"] = Scenario(
    grade_id="memoire",
    source=edit(solution_cell(__file__, "memoire"), ("batch_size=64, seed=0):", "batch_size=64, seed=1):")),
    must_fail=("test_modeles_sequence_shapes_and_kinds",),
    message_contains=("gardez la signature donnée",),
)
GROUPS["signature-defaults"] = ("submission-prevision-default-lr-changed", "submission-sequence-default-seed-changed")

# Blind answers (issue 12, fifth round), by class. (1) Arguments modified in place: every
# function that receives tensors is now called in the kernel with its arguments compared
# before and after (dictionaries entry by entry; the statement's conventions say so).
# (2) A cell or an unrolled sequence that cuts the autograd graph (.detach()): section 5
# backpropagates through them, so the grader compares the gradients of their output with its
# own autograd. (3) The forecast's arguments epochs and batch_size, and the hints that blamed
# another fault. (4) The clipping norm and the BPTT norms, with hints that name the mistake.
_R5 = "test_rnn_sequence_matches_nn_rnn"
SCENARIOS.update({
    "blind-r5-rnn-cell-inplace-h": Scenario(
        grade_id="rnn_cell",
        source=edit(solution_cell(__file__, "rnn_cell"),
                    ("    return torch.tanh(x_t @ W_xh.T + h_prec @ W_hh.T + b_h)",
                     "    nouveau = torch.tanh(x_t @ W_xh.T + h_prec @ W_hh.T + b_h)\n"
                     "    return h_prec.copy_(nouveau)")),
        must_fail=("test_cellule_rnn_matches_rnncell",),
        message_contains=("modifie sur place ce qu'on lui passe (h_prec)",),
    ),
    "blind-r5-rnn-cell-detach-h": Scenario(
        grade_id="rnn_cell",
        source=edit(solution_cell(__file__, "rnn_cell"), ("h_prec @ W_hh.T", "h_prec.detach() @ W_hh.T")),
        must_fail=("test_cellule_rnn_matches_rnncell",),
        message_contains=("ne parvient pas (ou pas entièrement) à h_prec",),
    ),
    "blind-r5-rnn-sequence-detach-between-steps": Scenario(
        grade_id="rnn_sequence",
        source=edit(solution_cell(__file__, "rnn_sequence"),
                    ("        etats.append(h)\n", "        etats.append(h)\n        h = h.detach()\n")),
        must_fail=(_R5,),
        message_contains=("un .detach() ou .data coupe le graphe",),
    ),
    "blind-r5-lstm-inplace-c": Scenario(
        grade_id="lstm_cell",
        source=edit(solution_cell(__file__, "lstm_cell"), ("c = f * c_prec + i * g", "c = c_prec.mul_(f).add_(i * g)")),
        must_fail=_LSTM_CHECK,
        message_contains=("modifie sur place ce qu'on lui passe (c_prec)",),
    ),
    "blind-r5-lstm-detach-c": Scenario(
        grade_id="lstm_cell",
        source=edit(solution_cell(__file__, "lstm_cell"),
                    ("    return h, c", "    return h.detach(), c.detach()")),
        must_fail=_LSTM_CHECK,
        message_contains=("détaché du graphe d'autograd",),
    ),
    "blind-r5-peephole-inplace-c": Scenario(
        grade_id="lstm_peephole",
        source=edit(solution_cell(__file__, "lstm_peephole"),
                    ("c = f * c_prec + i * c_cand", "c = c_prec.mul_(f).add_(i * c_cand)")),
        must_fail=("test_cellule_lstm_peephole_matches_course_formula",),
        message_contains=("modifie sur place ce qu'on lui passe (c_prec)",),
    ),
    "blind-r5-gru-cell-inplace-h": Scenario(
        grade_id="gru_cell",
        source=edit(solution_cell(__file__, "gru_cell"),
                    ("return z * h_prec + (1 - z) * h_cand", "return h_prec.mul_(z).add_((1 - z) * h_cand)")),
        must_fail=("test_cellule_gru_matches_course_formula",),
        message_contains=("modifie sur place ce qu'on lui passe (h_prec)",),
    ),
    "blind-r5-gru-pytorch-inplace-h": Scenario(
        grade_id="gru_pytorch",
        source=edit(solution_cell(__file__, "gru_pytorch"),
                    ("return (1 - z) * n + z * h_prec", "return h_prec.copy_((1 - z) * n + z * h_prec)")),
        must_fail=("test_cellule_gru_pytorch_matches_grucell",),
        message_contains=("modifie sur place ce qu'on lui passe (h_prec)",),
    ),
    "blind-r5-bptt-l1-norm": Scenario(
        grade_id="bptt",
        source=edit(solution_cell(__file__, "bptt"), ("normes.append(grad.norm())", "normes.append(grad.abs().sum())")),
        must_fail=("test_normes_gradient_match_autograd", "test_gradient_vanishes_and_explodes"),
        message_contains=("c'est la norme L1",),
    ),
    "blind-r5-bptt-grad-wrt-x0": Scenario(
        grade_id="bptt",
        source='''def normes_gradient_h0(X, h0, W_xh, W_hh, b_h):
    normes = []
    for T in range(1, X.shape[0] + 1):
        X_ = X.detach().clone().requires_grad_(True)
        h = h0
        for t in range(T):
            h = torch.tanh(X_[t] @ W_xh.T + h @ W_hh.T + b_h)
        (g,) = torch.autograd.grad(h.sum(), X_)
        normes.append(g[0].norm().item())
    return torch.tensor(normes)
''',
        must_fail=("test_normes_gradient_match_autograd", "test_gradient_vanishes_and_explodes"),
        message_contains=("vous dérivez par rapport à la première entrée x_1",),
    ),
    "blind-r5-clip-sum-of-norms": Scenario(
        grade_id="clip",
        source='''def clipper_gradients(grads, max_norme):
    total = sum(float(g.norm()) for g in grads)
    if total > max_norme:
        return [g * (max_norme / (total + 1e-6)) for g in grads]
    return [g.clone() for g in grads]
''',
        must_fail=("test_clipper_matches_clip_grad_norm",),
        message_contains=("la somme des normes",),
    ),
    "blind-r5-prevision-epochs-ignored": Scenario(
        grade_id="prevision",
        source=edit(solution_cell(__file__, "prevision"), ("    for _ in range(epochs):", "    for _ in range(10):")),
        must_fail=("test_prevision_uses_its_seed",),
        message_contains=("respectez l'argument epochs",),
        may_fail=("test_prevision_test_mse",),
    ),
    "blind-r5-prevision-batch-size-ignored": Scenario(
        grade_id="prevision",
        source=edit(solution_cell(__file__, "prevision"),
                    ("        for debut in range(0, len(X), batch_size):\n"
                     "            lot = ordre[debut : debut + batch_size]\n",
                     "        for debut in range(0, len(X), 128):\n"
                     "            lot = ordre[debut : debut + 128]\n")),
        must_fail=("test_prevision_uses_its_seed",),
        message_contains=("des lots plus grands que batch_size",),
        may_fail=("test_prevision_test_mse",),
    ),
    "submission-prevision-drops-last-batch": Scenario(
        grade_id="prevision",
        source=edit(solution_cell(__file__, "prevision"),
                    ("for debut in range(0, len(X), batch_size):", "for debut in range(0, len(X) - batch_size, batch_size):")),
        must_fail=("test_prevision_uses_its_seed",),
        message_contains=("ne voit pas toutes les fenêtres",),
        may_fail=("test_prevision_test_mse",),
    ),
    "submission-prevision-not-batch-first": Scenario(
        grade_id="prevision",
        source=edit(solution_cell(__file__, "prevision"), ("nn.GRU(1, H, batch_first=True)", "nn.GRU(1, H)")),
        must_fail=("test_prevision_uses_its_seed", "test_prevision_test_mse"),
        # Its forecasts repeat the last values while fenetres is right (blind round 9): the
        # MSE check's hint no longer blames fenetres.
        message_contains=("n'a pas batch_first=True", "alors que votre fenetres est juste"),
    ),
    "submission-prevision-standardises-series-in-place": Scenario(
        grade_id="prevision",
        source=edit(solution_cell(__file__, "prevision"),
                    ("    X, y = fenetres(serie, L)\n    torch.manual_seed(seed)",
                     "    serie -= serie.mean()\n    X, y = fenetres(serie, L)\n    torch.manual_seed(seed)")),
        must_fail=("test_prevision_uses_its_seed",),
        message_contains=("modifie sur place la série",),
        may_fail=("test_prevision_test_mse",),
    ),
    "submission-memoire-fixed-hidden-size": Scenario(
        grade_id="memoire",
        source=edit(solution_cell(__file__, "memoire"),
                    ("self.recurrent = nn.RNN(d_entree, H, batch_first=True)", "self.recurrent = nn.RNN(d_entree, 16, batch_first=True)"),
                    ("self.sortie = nn.Linear(H, n_classes)", "self.sortie = nn.Linear(self.recurrent.hidden_size, n_classes)")),
        must_fail=("test_modeles_sequence_shapes_and_kinds",),
        message_contains=("utilisez les arguments d_entree et H",),
    ),
    "submission-memoire-loop-standardises-X-in-place": Scenario(
        grade_id="memoire",
        source=edit(solution_cell(__file__, "memoire"),
                    ("    N = len(X)\n", "    N = len(X)\n    X -= X.mean()\n")),
        must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
        message_contains=("modifie sur place les X ou y",),
        may_fail=("test_lstm_remembers_the_country",),
    ),
})
GROUPS["blind-r5-a"] = ("blind-r5-rnn-cell-inplace-h", "blind-r5-lstm-inplace-c", "blind-r5-peephole-inplace-c",
                        "blind-r5-gru-cell-inplace-h", "blind-r5-gru-pytorch-inplace-h", "blind-r5-bptt-l1-norm",
                        "blind-r5-clip-sum-of-norms", "blind-r5-prevision-epochs-ignored",
                        "submission-memoire-fixed-hidden-size")
GROUPS["blind-r5-b"] = ("blind-r5-rnn-cell-detach-h", "blind-r5-lstm-detach-c", "blind-r5-bptt-grad-wrt-x0",
                        "blind-r5-prevision-batch-size-ignored", "submission-memoire-loop-standardises-X-in-place")
GROUPS["blind-r5-c"] = ("blind-r5-rnn-sequence-detach-between-steps", "submission-prevision-drops-last-batch")
GROUPS["blind-r5-d"] = ("submission-prevision-not-batch-first",)
GROUPS["blind-r5-e"] = ("submission-prevision-standardises-series-in-place",)

# Blind correct answers (fifth round): each keeps full marks under the new in-place and
# gradient checks; a float32 LSTM cell proves the gradient tolerance (GRAD_RTOL) on float32 code.
CORRECT.update({
    'blind-r5-correct-rnn-cell-einsum': Correct(
        grade_id='rnn_cell',
        source='def cellule_rnn(x_t, h_prec, W_xh, W_hh, b_h):\n    a = torch.einsum("nd,hd->nh", x_t, W_xh) + torch.einsum("nk,hk->nh", h_prec, W_hh) + b_h\n    return torch.tanh(a)\n',
        why='einsum for both products',
    ),
    'blind-r5-correct-lstm-flinear-blocks': Correct(
        grade_id='lstm_cell',
        source='def cellule_lstm(x_t, h_prec, c_prec, W_ih, W_hh, b_ih, b_hh):\n    H = h_prec.shape[1]\n    def bloc(k):\n        s = slice(k * H, (k + 1) * H)\n        return F.linear(x_t, W_ih[s], b_ih[s]) + F.linear(h_prec, W_hh[s], b_hh[s])\n    i = torch.sigmoid(bloc(0))\n    f = torch.sigmoid(bloc(1))\n    g = torch.tanh(bloc(2))\n    o = torch.sigmoid(bloc(3))\n    c_t = f * c_prec + i * g\n    h_t = o * torch.tanh(c_t)\n    return h_t, c_t\n',
        why='one F.linear per block with explicit row slices',
    ),
    'blind-r5-correct-gru-cell-interpolation-helper': Correct(
        grade_id='gru_cell',
        source='def _lin(x, W):\n    return x @ W.transpose(0, 1)\n\ndef cellule_gru(x_t, h_prec, p):\n    z = torch.sigmoid(_lin(x_t, p["W_xz"]) + _lin(h_prec, p["W_hz"]) + p["b_z"])\n    r = torch.sigmoid(_lin(x_t, p["W_xr"]) + _lin(h_prec, p["W_hr"]) + p["b_r"])\n    h_tilde = torch.tanh(_lin(x_t, p["W_xh"]) + _lin(r * h_prec, p["W_hh"]) + p["b_h"])\n    return h_tilde + z * (h_prec - h_tilde)\n',
        why='algebraic rewrite h = h_tilde + z * (h_prec - h_tilde), with a helper',
    ),
    'blind-r5-correct-bptt-single-unroll-numpy': Correct(
        grade_id='bptt',
        source='def normes_gradient_h0(X, h0, W_xh, W_hh, b_h):\n    h0_feuille = h0.detach().clone().requires_grad_(True)\n    h = h0_feuille\n    etats = []\n    for t in range(X.shape[0]):\n        h = torch.tanh(X[t] @ W_xh.T + h @ W_hh.T + b_h)\n        etats.append(h)\n    normes = []\n    for h_T in etats:\n        (g,) = torch.autograd.grad(h_T.sum(), h0_feuille, retain_graph=True)\n        normes.append(g.norm().item())\n    return np.array(normes)\n',
        why='one unrolling, autograd.grad of each h_T.sum() w.r.t. a leaf copy of h0 with retain_graph; numpy result',
    ),
    'blind-r5-correct-clip-norm-of-norms': Correct(
        grade_id='clip',
        source='def clipper_gradients(grads, max_norme):\n    total = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))\n    facteur = torch.clamp(max_norme / (total + 1e-6), max=1.0)\n    return [g * facteur for g in grads]\n',
        why='global norm as norm of the stacked per-tensor norms; factor clamped to 1; always returns new tensors',
    ),
    'blind-r5-correct-memoire-while-loop-fill': Correct(
        grade_id='memoire',
        source='class ModeleSequence(nn.Module):\n    def __init__(self, genre, d_entree, H, n_classes):\n        super().__init__()\n        self.genre = genre\n        if genre == "rnn":\n            self.rec = nn.RNN(d_entree, H, batch_first=True)\n        elif genre == "lstm":\n            self.rec = nn.LSTM(d_entree, H, batch_first=True)\n            with torch.no_grad():\n                self.rec.bias_ih_l0[H:2 * H].fill_(5.0)\n                self.rec.bias_hh_l0[H:2 * H].fill_(0.0)\n        else:\n            raise ValueError(f"genre inconnu : {genre}")\n        self.tete = nn.Linear(H, n_classes)\n\n    def forward(self, X):\n        sorties, _ = self.rec(X)\n        return self.tete(sorties[:, -1, :])\n\n\ndef creer_modele_sequence(genre, d_entree, H, n_classes):\n    return ModeleSequence(genre, d_entree, H, n_classes)\n\n\ndef entrainer_sequence(modele, X, y, epochs=20, lr=0.01, batch_size=64, seed=0):\n    gen = torch.Generator().manual_seed(seed)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    N = X.shape[0]\n    modele.train()\n    for epoque in range(epochs):\n        ordre = torch.randperm(N, generator=gen)\n        debut = 0\n        while debut < N:\n            idx = ordre[debut:debut + batch_size]\n            debut += batch_size\n            perte = F.cross_entropy(modele(X[idx]), y[idx])\n            opt.zero_grad()\n            perte.backward()\n            nn.utils.clip_grad_norm_(modele.parameters(), 1.0)\n            opt.step()\n    return modele\n',
        why='forget bias via .data slices fill_, out[:, -1, :], explicit batch indices incl. last partial batch, model.train()',
    ),
    'blind-r5-correct-param-counts-blocks-helper': Correct(
        grade_id='param_counts',
        source='def _nb_params(blocs, d, H):\n    return blocs * (H * d + H * H + 2 * H)\n\n\ndef nb_params_rnn(d, H):\n    return _nb_params(1, d, H)\n\n\ndef nb_params_lstm(d, H):\n    return int(_nb_params(4, d, H))\n\n\ndef nb_params_gru(d, H):\n    return 3 * nb_params_rnn(d, H)\n',
        why='generic helper blocks*(H*d + H*H + 2H); gru via 3 * rnn',
    ),
    'blind-r5-correct-prevision-lstm-loops': Correct(
        grade_id='prevision',
        source='def fenetres(serie, L):\n    n = serie.shape[0]\n    X = torch.stack([serie[i:i + L] for i in range(n - L)]).unsqueeze(-1)\n    y = torch.stack([serie[i + L] for i in range(n - L)])\n    return X, y\n\n\nclass ModelePrevision(nn.Module):\n    def __init__(self, H):\n        super().__init__()\n        self.lstm = nn.LSTM(1, H, batch_first=True)\n        self.sortie = nn.Linear(H, 1)\n\n    def forward(self, X):\n        out, (h_n, c_n) = self.lstm(X)\n        return self.sortie(out[:, -1]).squeeze(-1)\n\n\ndef entrainer_prevision(serie, L=20, H=32, epochs=40, lr=0.005, batch_size=64, seed=0):\n    X, y = fenetres(serie, L)\n    torch.manual_seed(seed)\n    modele = ModelePrevision(H)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(epochs):\n        perm = torch.randperm(len(X))\n        for k in range(0, len(X), batch_size):\n            b = perm[k:k + batch_size]\n            perte = F.mse_loss(modele(X[b]), y[b])\n            opt.zero_grad()\n            perte.backward()\n            opt.step()\n    return modele\n',
        why='fenetres by a python loop + stack, LSTM variant, out[:, -1] -> squeeze(-1), DataLoader-free shuffled batches',
    ),
    'blind-r5-correct-rnn-sequence-cat-clone': Correct(
        grade_id='rnn_sequence',
        source='def rnn_sequence(X, h0, W_xh, W_hh, b_h):\n    h = h0.clone()\n    etats = []\n    for x_t in X:\n        h = cellule_rnn(x_t, h, W_xh, W_hh, b_h)\n        etats.append(h.unsqueeze(0))\n    return torch.cat(etats, dim=0)\n',
        why='h0.clone(), list of unsqueezed states, torch.cat along dim 0',
    ),
    "blind-r5-correct-lstm-float32": Correct(
        grade_id="lstm_cell",
        source='''def cellule_lstm(x_t, h_prec, c_prec, W_ih, W_hh, b_ih, b_hh):
    x_t, h_prec, c_prec = x_t.float(), h_prec.float(), c_prec.float()
    z = x_t @ W_ih.float().T + b_ih.float() + h_prec @ W_hh.float().T + b_hh.float()
    i, f, g, o = z.chunk(4, dim=1)
    c = torch.sigmoid(f) * c_prec + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c
''',
        why="float32 throughout: values and gradients within float32 rounding",
    ),
})
CORRECT_GROUPS["blind-r5-correct"] = ('blind-r5-correct-rnn-cell-einsum', 'blind-r5-correct-lstm-flinear-blocks', 'blind-r5-correct-gru-cell-interpolation-helper', 'blind-r5-correct-bptt-single-unroll-numpy', 'blind-r5-correct-clip-norm-of-norms', 'blind-r5-correct-memoire-while-loop-fill', 'blind-r5-correct-param-counts-blocks-helper', 'blind-r5-correct-prevision-lstm-loops')
CORRECT["bptt-float32"] = Correct(
    grade_id="bptt",
    source=edit(solution_cell(__file__, "bptt"),
                ("    h0 = h0.detach().clone().requires_grad_(True)\n",
                 "    X, W_xh, W_hh, b_h = X.float(), W_xh.float(), W_hh.float(), b_h.float()\n"
                 "    h0 = h0.detach().float().requires_grad_(True)\n")),
    why="float32 throughout: norms within float32 rounding of the float64 oracle (NORM_RTOL)",
)
CORRECT_GROUPS["blind-r5-correct-2"] = ('blind-r5-correct-rnn-sequence-cat-clone', 'blind-r5-correct-lstm-float32',
                                        'bptt-float32')

# A model ending with a softmax returns probabilities where the statement asks for logits;
# F.cross_entropy applies a second softmax and the LSTM still learned well enough to keep 20/20
# (found by following blind round 5's TP03 and round 6's TP09 class to this TP).
SCENARIOS["submission-memoire-softmax-output"] = Scenario(
    grade_id="memoire",
    source=edit(solution_cell(__file__, "memoire"),
                ("        return self.sortie(sorties[:, -1])\n",
                 "        return torch.softmax(self.sortie(sorties[:, -1]), dim=1)\n")),
    must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
    message_contains=("au lieu de logits",),
)
GROUPS["blind-r5-e"] = (*GROUPS["blind-r5-e"], "submission-memoire-softmax-output")
CORRECT["correct-memoire-log-softmax-output"] = Correct(
    grade_id="memoire",
    source=edit(solution_cell(__file__, "memoire"),
                ("        return self.sortie(sorties[:, -1])\n",
                 "        return torch.log_softmax(self.sortie(sorties[:, -1]), dim=1)\n")),
    why="log-probabilities are logits: F.cross_entropy gives the same loss and gradients",
)
CORRECT_GROUPS["blind-r5-correct-2"] = (*CORRECT_GROUPS["blind-r5-correct-2"], "correct-memoire-log-softmax-output")


# Blind answers (issue 12, seventh round), by class. (1) An argument replaced by a fixed value:
# the learning rate of entrainer_prevision and entrainer_sequence is now drawn by the grader
# (neither the default nor Adam's own 1e-3) and read from the optimizer's param_groups at every
# step. (2) The head of a model applied to every step, then the last step's outputs kept: a
# Linear acts position by position, so that IS reading the last step (ModeleSequence's "lstm"
# model and ModelePrevision). (3) Hints that check their own premise: an unrolling started from
# a zero state instead of h0 (rnn_sequence, normes_gradient_h0), the squared norm compared with
# the threshold (clipper_gradients, now drawn on purpose where ‖g‖² > τ > ‖g‖), and a target
# inside its window (the forecast's MSE hint names both ways).
# The tester's answers, right (bases, not graded themselves): each answer below changes one once.
_R7_PREVISION = 'def fenetres(serie, L):\n    """(X, y) : X[i, :, 0] = serie[i : i + L], forme (n − L, L, 1) ; y[i] = serie[i + L], forme (n − L,)."""\n    X = torch.stack([serie[i:i + L] for i in range(len(serie) - L)]).unsqueeze(-1)\n    y = serie[L:].clone()\n    return X, y\n\n\nclass ModelePrevision(nn.Module):\n    """Un réseau récurrent (batch_first) de 1 vers H, puis nn.Linear(H, 1) sur le dernier pas : (N, L, 1) -> (N,)."""\n\n    def __init__(self, H):\n        super().__init__()\n        self.gru = nn.GRU(1, H, batch_first=True)\n        self.lin = nn.Linear(H, 1)\n\n    def forward(self, X):\n        out, _ = self.gru(X)\n        return self.lin(out[:, -1, :]).squeeze(-1)\n\n\ndef entrainer_prevision(serie, L=20, H=32, epochs=40, lr=0.005, batch_size=64, seed=0):\n    """Entraîne un ModelePrevision(H) à prédire serie[t + 1] depuis les L valeurs précédentes ; renvoie le modèle."""\n    X, y = fenetres(serie, L)\n    torch.manual_seed(seed)\n    modele = ModelePrevision(H)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(epochs):\n        perm = torch.randperm(len(X))\n        for k in range(0, len(X), batch_size):\n            idx = perm[k:k + batch_size]\n            opt.zero_grad()\n            F.mse_loss(modele(X[idx]), y[idx]).backward()\n            opt.step()\n    return modele\n'
_R7_MEMOIRE = 'class ModeleSequence(nn.Module):\n    """nn.RNN ou nn.LSTM (batch_first=True) de d_entree vers H, puis nn.Linear(H, n_classes) sur le dernier pas."""\n\n    def __init__(self, genre, d_entree, H, n_classes):\n        super().__init__()\n        if genre == "rnn":\n            self.recurrent = nn.RNN(d_entree, H, batch_first=True)\n        elif genre == "lstm":\n            self.recurrent = nn.LSTM(d_entree, H, batch_first=True)\n            with torch.no_grad():\n                self.recurrent.bias_ih_l0[H:2 * H] = 5.0\n                self.recurrent.bias_hh_l0[H:2 * H] = 0.0\n        else:\n            raise ValueError("genre inconnu : " + str(genre))\n        self.tete = nn.Linear(H, n_classes)\n\n    def forward(self, X):\n        sorties, _ = self.recurrent(X)\n        return self.tete(sorties[:, -1, :])\n\n\ndef creer_modele_sequence(genre, d_entree, H, n_classes):\n    """Un nouveau modèle, genre "rnn" ou "lstm"."""\n    return ModeleSequence(genre, d_entree, H, n_classes)\n\n\ndef entrainer_sequence(modele, X, y, epochs=20, lr=0.01, batch_size=64, seed=0):\n    """Adam, entropie croisée, écrêtage à 1, mini-lots mélangés à chaque époque ; renvoie modele."""\n    gen = torch.Generator().manual_seed(seed)\n    optim = torch.optim.Adam(modele.parameters(), lr=lr)\n    N = X.shape[0]\n    modele.train()\n    for epoque in range(epochs):\n        ordre = torch.randperm(N, generator=gen)\n        debut = 0\n        while debut < N:\n            idx = ordre[debut:debut + batch_size]\n            debut += batch_size\n            optim.zero_grad()\n            perte = F.cross_entropy(modele(X[idx]), y[idx])\n            perte.backward()\n            nn.utils.clip_grad_norm_(modele.parameters(), 1.0)\n            optim.step()\n    return modele\n'
SCENARIOS.update({
    "blind-r7-prevision-lr-ignored": Scenario(
        grade_id="prevision",
        source=edit(_R7_PREVISION,
            ('    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n',
             '    opt = torch.optim.Adam(modele.parameters())\n')),
        must_fail=('test_prevision_uses_its_seed',),
        message_contains=("n'utilise pas l'argument lr",),
        may_fail=('test_prevision_test_mse',),
    ),
    "blind-r7-memoire-lr-hardcoded": Scenario(
        grade_id="memoire",
        source=edit(_R7_MEMOIRE,
            ('    optim = torch.optim.Adam(modele.parameters(), lr=lr)\n',
             '    optim = torch.optim.Adam(modele.parameters(), lr=0.01)\n')),
        must_fail=('test_vanilla_rnn_misses_what_the_lstm_reaches',),
        message_contains=("n'utilise pas l'argument lr",),
        may_fail=('test_lstm_remembers_the_country',),
    ),
    "blind-r7-memoire-batch-hardcoded": Scenario(
        grade_id="memoire",
        source=edit(_R7_MEMOIRE,
            ('            idx = ordre[debut:debut + batch_size]\n'
             '            debut += batch_size\n',
             '            idx = ordre[debut:debut + 64]\n'
             '            debut += 64\n')),
        must_fail=('test_vanilla_rnn_misses_what_the_lstm_reaches',),
        message_contains=('des lots plus grands que batch_size',),
        may_fail=('test_lstm_remembers_the_country',),
    ),
    "blind-r7-prevision-batch-hardcoded": Scenario(
        grade_id="prevision",
        source=edit(_R7_PREVISION,
            ('        for k in range(0, len(X), batch_size):\n'
             '            idx = perm[k:k + batch_size]\n',
             '        for k in range(0, len(X), 32):\n'
             '            idx = perm[k:k + 32]\n')),
        must_fail=('test_prevision_uses_its_seed',),
        message_contains=('des lots plus grands que batch_size',),
        may_fail=('test_prevision_test_mse',),
    ),
    "blind-r7-rnn-sequence-h0-ignored": Scenario(
        grade_id="rnn_sequence",
        source=edit(solution_cell(__file__, 'rnn_sequence'),
            ('    h = h0\n',
             '    h = torch.zeros_like(h0)\n')),
        must_fail=('test_rnn_sequence_matches_nn_rnn',),
        message_contains=('le premier pas part de h0',),
    ),
    "blind-r7-bptt-h0-ignored": Scenario(
        grade_id="bptt",
        source=edit(solution_cell(__file__, "bptt"),
                    ("    h0 = h0.detach().clone().requires_grad_(True)\n",
                     "    h0 = torch.zeros_like(h0).requires_grad_(True)\n")),
        must_fail=('test_normes_gradient_match_autograd',),
        message_contains=("parti d'un état nul",),
    ),
    "blind-r7-clip-squared-compare": Scenario(
        grade_id="clip",
        source='def clipper_gradients(grads, max_norme):\n    """Écrête la liste de gradients par leur norme globale (comme clip_grad_norm_)."""\n    carre = sum(float((g ** 2).sum()) for g in grads)\n    if carre > max_norme:\n        facteur = max_norme / (carre ** 0.5 + 1e-6)\n        return [g * facteur for g in grads]\n    return [g.clone() for g in grads]\n',
        must_fail=('test_clipper_matches_clip_grad_norm',),
        message_contains=("ni en comparant ‖g‖² à τ",),
    ),
    "blind-r7-prevision-window-includes-target": Scenario(
        grade_id="prevision",
        source=edit(_R7_PREVISION,
            ('    X = torch.stack([serie[i:i + L] for i in range(len(serie) - L)]).unsqueeze(-1)\n'
             '    y = serie[L:].clone()\n',
             '    n = len(serie)\n'
             '    X = torch.stack([serie[i + 1:i + L + 1] for i in range(n - L)]).unsqueeze(-1)\n'
             '    y = torch.stack([serie[i + L] for i in range(n - L)])\n')),
        must_fail=('test_fenetres_small_example', 'test_fenetres_matches_reference', 'test_prevision_test_mse'),
        message_contains=("la cible n'est pas dans sa fenêtre",),
    ),
})
GROUPS["blind-r7-a"] = ("blind-r7-prevision-lr-ignored", "blind-r7-memoire-lr-hardcoded", "blind-r7-rnn-sequence-h0-ignored",
                        "blind-r7-bptt-h0-ignored", "blind-r7-clip-squared-compare")
GROUPS["blind-r7-b"] = ("blind-r7-prevision-window-includes-target", "blind-r7-memoire-batch-hardcoded")
GROUPS["blind-r7-c"] = ("blind-r7-prevision-batch-hardcoded",)

# Blind correct answers (seventh round): each keeps full marks, the memoire one under the
# head-reads-the-last-step check it failed (a Linear on every step, then [:, -1]; the forget
# bias 5 put in bias_hh_l0, 5 in total as the statement says), and a forecast whose head is
# applied to every step too.
CORRECT.update({
    "blind-r7-correct-rnn-cell-builtin": Correct(
        grade_id="rnn_cell",
        source=edit(solution_cell(__file__, 'rnn_cell'),
            ('    return torch.tanh(x_t @ W_xh.T + h_prec @ W_hh.T + b_h)\n',
             '    return torch.rnn_tanh_cell(x_t, h_prec, W_xh, W_hh, b_h, None)\n')),
        why='torch.rnn_tanh_cell with the bias passed once',
    ),
    "blind-r7-correct-gru-pytorch-flinear": Correct(
        grade_id="gru_pytorch",
        source='def cellule_gru_pytorch(x_t, h_prec, W_ih, W_hh, b_ih, b_hh):\n    """Un pas de GRU comme nn.GRUCell : blocs r, z, n ; r appliqué après le produit par W_hn (biais b_hn compris)."""\n    gi = F.linear(x_t, W_ih, b_ih)\n    gh = F.linear(h_prec, W_hh, b_hh)\n    i_r, i_z, i_n = gi.chunk(3, dim=1)\n    h_r, h_z, h_n = gh.chunk(3, dim=1)\n    r = torch.sigmoid(i_r + h_r)\n    z = torch.sigmoid(i_z + h_z)\n    n = torch.tanh(i_n + r * h_n)\n    return h_prec + (1 - z) * (n - h_prec)\n',
        why='F.linear per product, blocks r, z, n',
    ),
    "blind-r7-correct-bptt-jacobian": Correct(
        grade_id="bptt",
        source='def normes_gradient_h0(X, h0, W_xh, W_hh, b_h):\n    """Normes de dL_T/dh_0, L_T = somme de h_T, pour T = 1..T_max ; forme (T_max,)."""\n    from torch.autograd.functional import jacobian\n    normes = []\n    for T in range(1, X.shape[0] + 1):\n        def perte(h):\n            etats = rnn_sequence(X[:T], h, W_xh, W_hh, b_h)\n            return etats[-1].sum()\n        J = jacobian(perte, h0.detach().clone())\n        normes.append(torch.linalg.vector_norm(J))\n    return torch.stack(normes).to(torch.float64)\n',
        why='torch.autograd.functional.jacobian of h_T.sum() for each T',
    ),
    "blind-r7-correct-clip-clone-inplace": Correct(
        grade_id="clip",
        source='def clipper_gradients(grads, max_norme):\n    """Écrête la liste de gradients par leur norme globale (comme clip_grad_norm_)."""\n    copies = [g.detach().clone() for g in grads]\n    if len(copies) == 0:\n        return []\n    carres = sum((c.double() ** 2).sum() for c in copies)\n    norme = torch.sqrt(carres)\n    facteur = torch.clamp(max_norme / (norme + 1e-6), max=1.0)\n    for c in copies:\n        c.mul_(facteur.to(c.dtype))\n    return copies\n',
        why='clones the gradients, then scales the clones in place',
    ),
    "blind-r7-correct-memoire-bias-hh-head-all-steps": Correct(
        grade_id="memoire",
        source=edit(_R7_MEMOIRE,
            ('                self.recurrent.bias_ih_l0[H:2 * H] = 5.0\n'
             '                self.recurrent.bias_hh_l0[H:2 * H] = 0.0\n',
             '                self.recurrent.bias_ih_l0[H:2 * H] = 0.0\n'
             '                self.recurrent.bias_hh_l0[H:2 * H] = 5.0\n'),
            ('        return self.tete(sorties[:, -1, :])\n',
             '        return self.tete(sorties)[:, -1, :]\n')),
        why="forget bias 5 in bias_hh_l0 (0 in bias_ih_l0); the Linear on every step, then the last step's logits",
    ),
    "blind-r7-correct-prevision-rnn": Correct(
        grade_id="prevision",
        source='def fenetres(serie, L):\n    """(X, y) : X[i, :, 0] = serie[i : i + L], forme (n − L, L, 1) ; y[i] = serie[i + L], forme (n − L,)."""\n    n = serie.shape[0]\n    idx = torch.arange(n - L)[:, None] + torch.arange(L)[None, :]\n    X = serie[idx].unsqueeze(-1).clone()\n    y = serie[L:].clone()\n    return X, y\n\n\nclass ModelePrevision(nn.Module):\n    """Un réseau récurrent (batch_first) de 1 vers H, puis nn.Linear(H, 1) sur le dernier pas : (N, L, 1) -> (N,)."""\n\n    def __init__(self, H):\n        super().__init__()\n        self.rnn = nn.RNN(1, H, batch_first=True)\n        self.lin = nn.Linear(H, 1)\n\n    def forward(self, X):\n        _, h_n = self.rnn(X)\n        return self.lin(h_n[-1])[:, 0]\n\n\ndef entrainer_prevision(serie, L=20, H=32, epochs=40, lr=0.005, batch_size=64, seed=0):\n    """Entraîne un ModelePrevision(H) à prédire serie[t + 1] depuis les L valeurs précédentes ; renvoie le modèle."""\n    X, y = fenetres(serie, L)\n    torch.manual_seed(seed)\n    modele = ModelePrevision(H)\n    gen = torch.Generator().manual_seed(seed)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(epochs):\n        perm = torch.randperm(len(X), generator=gen)\n        for k in range(0, len(X), batch_size):\n            b = perm[k:k + batch_size]\n            opt.zero_grad()\n            F.mse_loss(modele(X[b]), y[b]).backward()\n            opt.step()\n    return modele\n',
        why='nn.RNN forecaster (the statement allows it)',
    ),
    "blind-r7-correct-memoire-head-all-steps": Correct(
        grade_id="memoire",
        source=edit(_R7_MEMOIRE,
            ('        return self.tete(sorties[:, -1, :])\n',
             '        return self.tete(sorties)[:, -1, :]\n')),
        why="the statement's forget bias; the Linear on every step, then [:, -1, :]",
    ),
    "correct-prevision-head-all-steps": Correct(
        grade_id="prevision",
        source=edit(solution_cell(__file__, "prevision"),
                    ("        return self.sortie(sorties[:, -1]).squeeze(-1)\n",
                     "        return self.sortie(sorties)[:, -1, 0]\n")),
        why="the Linear on every step, then the last step's forecast: the same numbers as on sorties[:, -1]",
    ),
})
CORRECT_GROUPS["blind-r7-correct"] = ("blind-r7-correct-rnn-cell-builtin", "blind-r7-correct-gru-pytorch-flinear",
                                      "blind-r7-correct-bptt-jacobian", "blind-r7-correct-clip-clone-inplace",
                                      "blind-r7-correct-memoire-bias-hh-head-all-steps", "blind-r7-correct-prevision-rnn")
CORRECT_GROUPS["blind-r7-correct-2"] = ("blind-r7-correct-memoire-head-all-steps", "correct-prevision-head-all-steps")

# Blind answers (ninth round). False passes: an entrainer_prevision that rebuilds its
# generator at every epoch (the same order every epoch; the recording now runs two epochs), a
# forecaster reading the first step (the MSE check's window now covers three quarters of a
# period, so the first value cannot give the target), a bare .squeeze() giving shape () for
# one window, a normes_gradient_h0 that sets requires_grad on the caller's h0. Hints whose
# premise did not hold: clipping without a test against τ (told it compared ‖g‖²) and the
# squared norm used throughout (generic), a cell without b_h or with a sigmoid (told to check
# the transposes), entrainer_sequence training another model or a fixed number of epochs
# (told "not every example"), SGD (Adam never named), gates chunked along the batch (raw
# English ValueError).
SCENARIOS.update({
    "submission-prevision-same-order-every-epoch": Scenario(
        grade_id="prevision",
        source=edit(solution_cell(__file__, "prevision"),
                    ("    generateur = torch.Generator().manual_seed(seed)\n", ""),
                    ("    for _ in range(epochs):\n",
                     "    for _ in range(epochs):\n        generateur = torch.Generator().manual_seed(seed)\n")),
        must_fail=("test_prevision_uses_its_seed",),
        message_contains=("les deux époques voient les fenêtres dans le même ordre",),
        may_fail=("test_prevision_test_mse",),
    ),
    "submission-prevision-reads-first-step": Scenario(
        grade_id="prevision",
        source=edit(solution_cell(__file__, "prevision"),
                    ("return self.sortie(sorties[:, -1]).squeeze(-1)", "return self.sortie(sorties[:, 0]).squeeze(-1)")),
        must_fail=("test_prevision_uses_its_seed", "test_prevision_test_mse"),
        message_contains=("ne lit pas le dernier pas",),
    ),
    "submission-prevision-squeeze-drops-batch-axis": Scenario(
        grade_id="prevision",
        source=edit(solution_cell(__file__, "prevision"),
                    ("return self.sortie(sorties[:, -1]).squeeze(-1)", "return self.sortie(sorties[:, -1]).squeeze()")),
        must_fail=("test_prevision_uses_its_seed",),
        message_contains=("retire aussi l'axe des exemples quand N = 1",),
    ),
    "submission-bptt-requires-grad-on-callers-h0": Scenario(
        grade_id="bptt",
        source=edit(solution_cell(__file__, "bptt"),
                    ("    h0 = h0.detach().clone().requires_grad_(True)\n", "    h0.requires_grad_(True)\n")),
        must_fail=("test_normes_gradient_match_autograd",),
        message_contains=("requires_grad_ sur l'argument",),
    ),
    "submission-clip-scales-without-testing-the-threshold": Scenario(
        grade_id="clip",
        source=edit(solution_cell(__file__, "clip"),
                    ("    facteur = torch.clamp(max_norme / (norme + 1e-6), max=1.0)\n",
                     "    facteur = max_norme / (norme + 1e-6)\n")),
        must_fail=("test_clipper_shapes_and_small_gradients", "test_clipper_matches_clip_grad_norm"),
        message_contains=("sous le seuil τ et vous multipliez quand même",),
    ),
    "submission-clip-squared-norm-throughout": Scenario(
        grade_id="clip",
        source=edit(solution_cell(__file__, "clip"),
                    ("    norme = torch.sqrt(sum((g**2).sum() for g in grads))\n",
                     "    norme = sum((g**2).sum() for g in grads)\n")),
        must_fail=("test_clipper_matches_clip_grad_norm",),
        message_contains=("sans sa racine",),
        may_fail=("test_clipper_shapes_and_small_gradients",),
    ),
    "submission-rnn-cell-no-bias": Scenario(
        grade_id="rnn_cell",
        source=edit(solution_cell(__file__, "rnn_cell"), (" + b_h)\n", ")\n")),
        must_fail=("test_cellule_rnn_matches_rnncell",),
        message_contains=("il manque le biais b_h",),
        affects=("rnn_sequence",),
    ),
    "submission-rnn-cell-sigmoid": Scenario(
        grade_id="rnn_cell",
        source=edit(solution_cell(__file__, "rnn_cell"), ("return torch.tanh(", "return torch.sigmoid(")),
        must_fail=("test_cellule_rnn_matches_rnncell",),
        message_contains=("votre activation est la sigmoïde",),
        affects=("rnn_sequence",),
    ),
    "submission-lstm-cell-gates-chunked-along-batch": Scenario(
        grade_id="lstm_cell",
        source=edit(solution_cell(__file__, "lstm_cell"),
                    ("    i, f, g, o = z.chunk(4, dim=1)\n", "    i, f, g, o = z.T.chunk(4, dim=1)\n"),
                    ("torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)",
                     "torch.sigmoid(i.T), torch.sigmoid(f.T), torch.tanh(g.T), torch.sigmoid(o.T)")),
        must_fail=("test_cellule_lstm_shapes", "test_cellule_lstm_matches_lstmcell"),
        message_contains=("l'axe du découpage",),
    ),
    "submission-memoire-trains-another-model": Scenario(
        grade_id="memoire",
        source=edit(solution_cell(__file__, "memoire"),
                    ("    generateur = torch.Generator().manual_seed(seed)\n",
                     "    modele = ModeleSequence(\"lstm\", X.shape[2], 32, int(y.max()) + 1)\n"
                     "    generateur = torch.Generator().manual_seed(seed)\n")),
        must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
        message_contains=("doit entraîner le modèle qu'elle reçoit",),
        may_fail=("test_lstm_remembers_the_country",),
    ),
    "submission-memoire-epochs-ignored": Scenario(
        grade_id="memoire",
        source=edit(solution_cell(__file__, "memoire"),
                    ("    for _ in range(epochs):\n", "    for _ in range(20):\n")),
        must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
        message_contains=("ne suit pas l'argument epochs",),
    ),
    "submission-memoire-sgd": Scenario(
        grade_id="memoire",
        source=edit(solution_cell(__file__, "memoire"),
                    ("torch.optim.Adam(modele.parameters(), lr=lr)", "torch.optim.SGD(modele.parameters(), lr=lr)")),
        must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
        message_contains=("l'optimiseur n'est pas Adam",),
        may_fail=("test_lstm_remembers_the_country",),
    ),
})
GROUPS["blind-r9-a"] = ("submission-prevision-same-order-every-epoch", "submission-bptt-requires-grad-on-callers-h0",
                        "submission-clip-scales-without-testing-the-threshold", "submission-rnn-cell-no-bias",
                        "submission-lstm-cell-gates-chunked-along-batch", "submission-memoire-trains-another-model")
GROUPS["blind-r9-b"] = ("submission-prevision-reads-first-step", "submission-clip-squared-norm-throughout",
                        "submission-rnn-cell-sigmoid", "submission-memoire-epochs-ignored")
GROUPS["blind-r9-c"] = ("submission-prevision-squeeze-drops-batch-axis", "submission-memoire-sgd")

# From a seed sweep's mutants (variants 10-14, sample seed 5): the epsilon of the clipping
# factor subtracted survived, as no grader input had a norm under it; one is drawn on purpose.
SCENARIOS.update({
    "submission-clip-epsilon-subtracted": Scenario(
        grade_id="clip",
        source=edit(solution_cell(__file__, "clip"), ("(norme + 1e-6)", "(norme - 1e-6)")),
        must_fail=("test_clipper_matches_clip_grad_norm",),
        message_contains=("plus petite que l'epsilon",),
    ),
})
GROUPS["sweep-clip-epsilon"] = ("submission-clip-epsilon-subtracted",)
CORRECT.update({
    "correct-clip-no-epsilon-under-a-test": Correct(
        grade_id="clip",
        source='''def clipper_gradients(grads, max_norme):
    """Sans epsilon : on ne divise que si la norme dépasse le seuil (donc jamais par 0)."""
    norme = torch.sqrt(sum((g ** 2).sum() for g in grads))
    if norme > max_norme:
        return [g * (max_norme / norme) for g in grads]
    return [g.clone() for g in grads]
''',
        why="no epsilon: the division happens only above the threshold, never by a tiny norm",
    ),
})
CORRECT_GROUPS["sweep-clip-correct"] = ("correct-clip-no-epsilon-under-a-test",)


# Blind answers (twelfth round). False passes: an entrainer_prevision whose seed reached the
# shuffle only (torch.manual_seed(0) hard-coded: two seeds still gave two models), one that
# minimised F.l1_loss (test MSE still under the bar), a ModeleSequence whose forward reset the
# forget bias at every call (never learnt), one that left bias_hh_l0[H:2H] at PyTorch's random
# initialisation (only the mean total was read), an entrainer_sequence summing its losses. The
# recordings now read the starting weights with lr=0, the gradient the loss sends back to the
# predictions (logits), the forget bias unit by unit and the parameters around one forward pass.
# The tester's model and forecast, right (bases; the forecast is
# blind-r12-correct-prevision-global-generator).
_R12_PREVISION = 'def fenetres(serie, L):\n    n = len(serie)\n    X = torch.stack([serie[i:i + L] for i in range(n - L)]).unsqueeze(-1)\n    y = serie[L:].clone()\n    return X, y\n\n\n\nclass ModelePrevision(nn.Module):\n    def __init__(self, H):\n        super().__init__()\n        self.gru = nn.GRU(1, H, batch_first=True)\n        self.lin = nn.Linear(H, 1)\n\n    def forward(self, X):\n        out, _ = self.gru(X)\n        return self.lin(out[:, -1, :]).squeeze(-1)\n\n\n\ndef entrainer_prevision(serie, L=20, H=32, epochs=40, lr=0.005, batch_size=64, seed=0):\n    X, y = fenetres(serie, L)\n    torch.manual_seed(seed)\n    modele = ModelePrevision(H)\n    gen = torch.Generator().manual_seed(seed)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    modele.train()\n    for ep in range(epochs):\n        perm = torch.randperm(X.shape[0])\n        for k in range(0, X.shape[0], batch_size):\n            idx = perm[k:k + batch_size]\n            opt.zero_grad()\n            loss = F.mse_loss(modele(X[idx]), y[idx])\n            loss.backward()\n            opt.step()\n    return modele\n'
_R12_MEMOIRE = 'class ModeleSequence(nn.Module):\n    def __init__(self, genre, d_entree, H, n_classes):\n        super().__init__()\n        if genre == "rnn":\n            self.rec = nn.RNN(d_entree, H, batch_first=True)\n        elif genre == "lstm":\n            self.rec = nn.LSTM(d_entree, H, batch_first=True)\n            with torch.no_grad():\n                self.rec.bias_ih_l0[H:2 * H] = 5.0\n                self.rec.bias_hh_l0[H:2 * H] = 0.0\n        else:\n            raise ValueError(genre)\n        self.lin = nn.Linear(H, n_classes)\n\n    def forward(self, X):\n        out, _ = self.rec(X)\n        return self.lin(out[:, -1, :])\n\n\ndef creer_modele_sequence(genre, d_entree, H, n_classes):\n    return ModeleSequence(genre, d_entree, H, n_classes)\n\n\n\ndef entrainer_sequence(modele, X, y, epochs=20, lr=0.01, batch_size=64, seed=0):\n    gen = torch.Generator().manual_seed(seed)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    modele.train()\n    n = X.shape[0]\n    for ep in range(epochs):\n        perm = torch.randperm(n, generator=gen)\n        for k in range(0, n, batch_size):\n            idx = perm[k:k + batch_size]\n            opt.zero_grad()\n            loss = F.cross_entropy(modele(X[idx]), y[idx])\n            loss.backward()\n            nn.utils.clip_grad_norm_(modele.parameters(), 1.0)\n            opt.step()\n    return modele\n'
SCENARIOS.update({
    "submission-prevision-seed-reaches-only-the-shuffle": Scenario(
        grade_id="prevision",
        source=edit(_R12_PREVISION,
            ('    torch.manual_seed(seed)\n',
             '    torch.manual_seed(0)\n'),
            ('        perm = torch.randperm(X.shape[0])\n',
             '        perm = torch.randperm(X.shape[0], generator=gen)\n')),
        must_fail=("test_prevision_uses_its_seed",),
        message_contains=("la graine n'atteint que le mélange des mini-lots",),
    ),
    "submission-prevision-l1-loss": Scenario(
        grade_id="prevision",
        source=edit(solution_cell(__file__, "prevision"), ("F.mse_loss(modele(X[lot]), y[lot])", "F.l1_loss(modele(X[lot]), y[lot])")),
        must_fail=("test_prevision_uses_its_seed",),
        message_contains=("vous minimisez l'erreur absolue",),
        may_fail=("test_prevision_test_mse",),
    ),
    "submission-memoire-forget-bias-reset-in-forward": Scenario(
        grade_id="memoire",
        source=edit(_R12_MEMOIRE,
            ('    def forward(self, X):\n',
             '    def forward(self, X):\n'
             '        if isinstance(self.rec, nn.LSTM):\n'
             '            H = self.rec.hidden_size\n'
             '            with torch.no_grad():\n'
             '                self.rec.bias_ih_l0[H:2 * H] = 5.0\n'
             '                self.rec.bias_hh_l0[H:2 * H] = 0.0\n')),
        must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
        message_contains=("modifie ses paramètres",),
        may_fail=("test_lstm_remembers_the_country",),
    ),
    "submission-memoire-bias-hh-not-zeroed": Scenario(
        grade_id="memoire",
        source=edit(solution_cell(__file__, "memoire"), ("                self.recurrent.bias_hh_l0[H : 2 * H].fill_(0.0)\n", "")),
        must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
        message_contains=("garde son initialisation aléatoire",),
    ),
    "submission-memoire-sum-loss": Scenario(
        grade_id="memoire",
        source=edit(solution_cell(__file__, "memoire"), ("F.cross_entropy(modele(X[lot]), y[lot])", "F.cross_entropy(modele(X[lot]), y[lot], reduction=\"sum\")")),
        must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
        message_contains=("reduction='sum'",),
        may_fail=("test_lstm_remembers_the_country",),
    ),
})
GROUPS["blind-r12-a"] = ("submission-prevision-seed-reaches-only-the-shuffle", "submission-memoire-forget-bias-reset-in-forward")
GROUPS["blind-r12-b"] = ("submission-prevision-l1-loss", "submission-memoire-bias-hh-not-zeroed")
GROUPS["blind-r12-c"] = ("submission-memoire-sum-loss",)
# Found after round 12 (the lead's list): Huber / smooth L1 keeps the MSE's minimiser and its
# gradient is proportional to the residual, so it passed the MSE/L1/sum reading. Read by the
# shared `read_regression_loss`: half the MSE's gradient below 1, clipped beyond.
SCENARIOS.update({
    "submission-prevision-smooth-l1-loss": Scenario(
        grade_id="prevision",
        source=edit(solution_cell(__file__, "prevision"), ("F.mse_loss(modele(X[lot]), y[lot])", "F.smooth_l1_loss(modele(X[lot]), y[lot])")),
        must_fail=("test_prevision_uses_its_seed",),
        message_contains=("perte de Huber",),
        may_fail=("test_prevision_test_mse",),
    ),
    "submission-prevision-half-squares": Scenario(
        grade_id="prevision",
        source=edit(solution_cell(__file__, "prevision"), ("F.mse_loss(modele(X[lot]), y[lot])", "0.5 * ((modele(X[lot]) - y[lot]) ** 2).mean()")),
        must_fail=("test_prevision_uses_its_seed",),
        message_contains=("la moitié de celui de la MSE",),
        may_fail=("test_prevision_test_mse",),
    ),
})
GROUPS["lead-huber"] = ("submission-prevision-smooth-l1-loss",)
GROUPS["lead-half-squares"] = ("submission-prevision-half-squares",)
CORRECT.update({
    "blind-r12-correct-prevision-global-generator": Correct(
        grade_id="prevision",
        source=_R12_PREVISION,
        why="torch.manual_seed(seed) before the model, then the shuffle drawn from the global generator",
    ),
    "blind-r12-correct-prevision-hand-mse-rnn": Correct(
        grade_id="prevision",
        source=edit(_R12_PREVISION,
            ('        self.gru = nn.GRU(1, H, batch_first=True)\n',
             '        self.gru = nn.RNN(1, H, batch_first=True)\n'),
            ('        perm = torch.randperm(X.shape[0])\n',
             '        perm = torch.randperm(X.shape[0], generator=gen)\n'),
            ("loss = F.mse_loss(modele(X[idx]), y[idx])", "loss = ((modele(X[idx]) - y[idx]) ** 2).mean()")),
        why="nn.RNN forecaster, the mean squared error written by hand",
    ),
    "blind-r12-correct-memoire-bias-row-by-row": Correct(
        grade_id="memoire",
        source=edit(_R12_MEMOIRE,
            ('                self.rec.bias_ih_l0[H:2 * H] = 5.0\n'
             '                self.rec.bias_hh_l0[H:2 * H] = 0.0\n',
             '                for j in range(H, 2 * H):\n'
             '                    self.rec.bias_ih_l0[j] = 5.0\n'
             '                    self.rec.bias_hh_l0[j] = 0.0\n')),
        why="forget bias set row by row in __init__",
    ),
    "blind-r12-correct-memoire-nll-log-softmax": Correct(
        grade_id="memoire",
        source=edit(solution_cell(__file__, "memoire"), ("F.cross_entropy(modele(X[lot]), y[lot])", "F.nll_loss(F.log_softmax(modele(X[lot]), dim=1), y[lot])")),
        why="the mean cross-entropy as nll_loss of log_softmax: the same gradient",
    ),
    "blind-r12-correct-memoire-data-bias": Correct(
        grade_id="memoire",
        source=edit(_R12_MEMOIRE,
            ('            with torch.no_grad():\n'
             '                self.rec.bias_ih_l0[H:2 * H] = 5.0\n'
             '                self.rec.bias_hh_l0[H:2 * H] = 0.0\n',
             '            self.rec.bias_ih_l0.data[H:2 * H] = 5.0\n'
             '            self.rec.bias_hh_l0.data[H:2 * H] = 0.0\n')),
        why="forget bias set through .data",
    ),
})
CORRECT_GROUPS["blind-r12-correct-1"] = ("blind-r12-correct-prevision-global-generator", "blind-r12-correct-memoire-bias-row-by-row")
CORRECT_GROUPS["blind-r12-correct-2"] = ("blind-r12-correct-prevision-hand-mse-rnn", "blind-r12-correct-memoire-nll-log-softmax")
CORRECT_GROUPS["blind-r12-correct-3"] = ("blind-r12-correct-memoire-data-bias",)

# Blind answers (twelfth round), hints: BPTT's message named the T of the largest relative
# error, not the first T whose norm differs (an unrolling one step short is wrong from T = 1);
# a recurrence without X or without b_h and a mean of the examples' norms got the generic hint.
SCENARIOS.update({
    "submission-bptt-one-step-short": Scenario(
        grade_id="bptt",
        source=edit(solution_cell(__file__, "bptt"),
                    ("    for t in range(X.shape[0]):\n        h = torch.tanh(X[t] @ W_xh.T + h @ W_hh.T + b_h)\n"
                     "        (grad,) = torch.autograd.grad(h.sum(), h0, retain_graph=True)\n",
                     "    for t in range(X.shape[0]):\n        (grad,) = torch.autograd.grad(h.sum(), h0, retain_graph=True)\n"
                     "        h = torch.tanh(X[t] @ W_xh.T + h @ W_hh.T + b_h)\n")),
        must_fail=("test_normes_gradient_match_autograd",),
        message_contains=("pour T = 1,", "décalées d'un pas"),
        may_fail=("test_gradient_vanishes_and_explodes",),
    ),
    "submission-bptt-ignores-X": Scenario(
        grade_id="bptt",
        source=edit(solution_cell(__file__, "bptt"), ("torch.tanh(X[t] @ W_xh.T + h @ W_hh.T + b_h)", "torch.tanh(h @ W_hh.T + b_h)")),
        must_fail=("test_normes_gradient_match_autograd",),
        message_contains=("qui ignore les entrées",),
        may_fail=("test_gradient_vanishes_and_explodes",),
    ),
    "submission-bptt-no-bias": Scenario(
        grade_id="bptt",
        source=edit(solution_cell(__file__, "bptt"), ("torch.tanh(X[t] @ W_xh.T + h @ W_hh.T + b_h)", "torch.tanh(X[t] @ W_xh.T + h @ W_hh.T)")),
        must_fail=("test_normes_gradient_match_autograd",),
        message_contains=("sans le biais b_h",),
        may_fail=("test_gradient_vanishes_and_explodes",),
    ),
    "submission-bptt-mean-of-example-norms": Scenario(
        grade_id="bptt",
        source=edit(solution_cell(__file__, "bptt"), ("normes.append(grad.norm())", "normes.append(grad.norm(dim=1).mean())")),
        must_fail=("test_normes_gradient_match_autograd",),
        message_contains=("la moyenne sur le lot des normes",),
        may_fail=("test_gradient_vanishes_and_explodes",),
    ),
})
GROUPS["blind-r12-bptt-a"] = ("submission-bptt-one-step-short",)
GROUPS["blind-r12-bptt-b"] = ("submission-bptt-ignores-X",)
GROUPS["blind-r12-bptt-c"] = ("submission-bptt-no-bias",)
GROUPS["blind-r12-bptt-d"] = ("submission-bptt-mean-of-example-norms",)


# Blind answers (twelfth round), hints: a size written in the code or read from the wrong
# dimension raised a bare shape error; the message now says so when the same function runs on
# the notebook example's sizes (or on sizes all equal). rnn_sequence's sizes are never the
# notebook's (T = 4 written in the code passed one draw in six).
# The tester's cell with H read from h_prec (a base, not graded itself).
_R12_LSTM = 'def cellule_lstm(x_t, h_prec, c_prec, W_ih, W_hh, b_ih, b_hh):\n    H = h_prec.shape[1]\n    a = x_t @ W_ih.T + h_prec @ W_hh.T + b_ih + b_hh\n    i = torch.sigmoid(a[:, 0:H])\n    f = torch.sigmoid(a[:, H:2*H])\n    g = torch.tanh(a[:, 2*H:3*H])\n    o = torch.sigmoid(a[:, 3*H:4*H])\n    c = f * c_prec + i * g\n    h = o * torch.tanh(c)\n    return h, c\n'
SCENARIOS.update({
    "submission-lstm-cell-hidden-size-written-in": Scenario(
        grade_id="lstm_cell",
        source=edit(_R12_LSTM,
            ('    H = h_prec.shape[1]\n',
             '    H = 4\n')),
        must_fail=("test_cellule_lstm_matches_lstmcell",),
        message_contains=("une taille est écrite en dur",),
    ),
    "submission-lstm-cell-hidden-size-from-batch-axis": Scenario(
        grade_id="lstm_cell",
        source=edit(_R12_LSTM,
            ('    H = h_prec.shape[1]\n',
             '    H = h_prec.shape[0]\n')),
        must_fail=("test_cellule_lstm_matches_lstmcell", "test_cellule_lstm_shapes"),
        message_contains=("une taille est lue sur la mauvaise dimension",),
    ),
    "submission-rnn-sequence-length-written-in": Scenario(
        grade_id="rnn_sequence",
        source='def rnn_sequence(X, h0, W_xh, W_hh, b_h):\n    h = h0\n    sorties = []\n    for t in range(4):\n        h = cellule_rnn(X[t], h, W_xh, W_hh, b_h)\n        sorties.append(h)\n    return torch.stack(sorties, dim=0)\n',
        must_fail=("test_rnn_sequence_matches_nn_rnn",),
        message_contains=("une taille est écrite en dur",),
    ),
    "submission-gru-pytorch-hidden-size-from-input-size": Scenario(
        grade_id="gru_pytorch",
        source='def cellule_gru_pytorch(x_t, h_prec, W_ih, W_hh, b_ih, b_hh):\n    H = x_t.shape[1]\n    gi = x_t @ W_ih.T + b_ih\n    gh = h_prec @ W_hh.T + b_hh\n    r = torch.sigmoid(gi[:, :H] + gh[:, :H])\n    z = torch.sigmoid(gi[:, H:2*H] + gh[:, H:2*H])\n    n = torch.tanh(gi[:, 2*H:] + r * gh[:, 2*H:])\n    return (1 - z) * n + z * h_prec\n',
        must_fail=("test_cellule_gru_pytorch_matches_grucell", "test_cellule_gru_pytorch_shape_and_update_gate"),
        message_contains=("une taille est lue sur la mauvaise dimension",),
    ),
})
GROUPS["blind-r12-bptt-a"] = (*GROUPS["blind-r12-bptt-a"], "submission-lstm-cell-hidden-size-written-in",
                              "submission-rnn-sequence-length-written-in",
                              "submission-gru-pytorch-hidden-size-from-input-size")
GROUPS["blind-r12-bptt-b"] = (*GROUPS["blind-r12-bptt-b"], "submission-lstm-cell-hidden-size-from-batch-axis")


# Blind answers (twelfth round), hints: four clipping faults got the generic restatement; each
# is now recomputed by the grader (its premise) and named.
SCENARIOS.update({
    'submission-clip-first-gradient-only': Scenario(
        grade_id="clip",
        source='def clipper_gradients(grads, max_norme):\n    norme = torch.sqrt(sum((g ** 2).sum() for g in grads))\n    out = [g.clone() for g in grads]\n    if norme > max_norme:\n        out[0] = out[0] * max_norme / (norme + 1e-6)\n    return out\n',
        must_fail=("test_clipper_matches_clip_grad_norm",),
        message_contains=('seul le premier gradient est écrêté',),
    ),
    'submission-clip-root-mean-square-norm': Scenario(
        grade_id="clip",
        source='def clipper_gradients(grads, max_norme):\n    tout = torch.cat([g.reshape(-1) for g in grads])\n    norme = tout.pow(2).mean().sqrt()\n    f = min(1.0, max_norme / (float(norme) + 1e-6))\n    return [g * f for g in grads]\n',
        must_fail=("test_clipper_matches_clip_grad_norm",),
        message_contains=('la racine de la MOYENNE des carrés',),
    ),
    'submission-clip-largest-tensor-norm': Scenario(
        grade_id="clip",
        source='def clipper_gradients(grads, max_norme):\n    norme = max(g.norm() for g in grads)\n    coef = min(1.0, max_norme / (float(norme) + 1e-6))\n    return [g * coef for g in grads]\n',
        must_fail=("test_clipper_matches_clip_grad_norm",),
        message_contains=('la plus grande des normes',),
    ),
    'submission-clip-threshold-written-in': Scenario(
        grade_id="clip",
        source='def clipper_gradients(grads, max_norme):\n    total = 0.0\n    for g in grads:\n        total = total + (g ** 2).sum()\n    norme = total.sqrt()\n    coef = 1.0 / (norme + 1e-6)\n    if coef < 1:\n        return [g * coef for g in grads]\n    return [g.clone() for g in grads]\n',
        must_fail=("test_clipper_matches_clip_grad_norm",),
        message_contains=("un seuil fixe, 1, et non à l'argument max_norme",),
    ),
})
GROUPS['blind-r12-bptt-b'] = (*GROUPS['blind-r12-bptt-b'], 'submission-clip-first-gradient-only')
GROUPS['blind-r12-bptt-c'] = (*GROUPS['blind-r12-bptt-c'], 'submission-clip-root-mean-square-norm')
GROUPS['blind-r12-bptt-d'] = (*GROUPS['blind-r12-bptt-d'], 'submission-clip-largest-tensor-norm')
GROUPS['blind-r12-bptt-a'] = (*GROUPS['blind-r12-bptt-a'], 'submission-clip-threshold-written-in')


# Lead, round 14: the statement says entrainer_sequence "entraîne le modèle et le renvoie", and
# the notebook goes on with modele = entrainer_sequence(...); trained in place, None returned.
SCENARIOS["submission-sequence-returns-nothing"] = Scenario(
    grade_id="memoire",
    source=edit(solution_cell(__file__, "memoire"), ("    return modele\n", "")),
    must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
    message_contains=("ne le renvoie pas (None)",),
)
GROUPS["lead-returns-nothing"] = ("submission-sequence-returns-nothing",)


# Blind round 14: the class uses H, entrainer_prevision builds ModelePrevision(32). The hint used
# to send the student to the class; it now names the call.
SCENARIOS["blind-r14-prevision-call-ignores-H"] = Scenario(
    grade_id="prevision",
    source=edit(solution_cell(__file__, "prevision"), ("    modele = ModelePrevision(H)\n",
                                                      "    modele = ModelePrevision(32)\n")),
    must_fail=("test_prevision_uses_its_seed",),
    message_contains=("ne crée pas ModelePrevision(H) avec son argument H",),
)
GROUPS["blind-r14-1"] = ("blind-r14-prevision-call-ignores-H",)


# Blind round 16, hints of memoire. (1) A generator rebuilt inside the epoch loop draws the same
# torch.randperm at every epoch: the hint used to ask for "one torch.randperm per epoch", which
# this loop already has. The grader now records the loop's torch.randperm draws (kernel side)
# and tells "the same draw at every epoch: the generator is rebuilt or reseeded in the loop"
# apart from "one order drawn once, before the loop" (entrainer_sequence and
# entrainer_prevision). (2) A model that keeps its final state and passes it to the next call
# (Keras "stateful"): a fresh model applied twice to the same batch gives other logits; said by
# the mechanism check, and by the LSTM accuracy's hint; ModelePrevision is probed the same way.
_R16_PREVISION_STATEFUL = edit(
    solution_cell(__file__, "prevision"),
    ("        self.sortie = nn.Linear(H, 1)\n",
     "        self.sortie = nn.Linear(H, 1)\n        self.etat = None  # état gardé d'un lot à l'autre\n"),
    ("        sorties, _ = self.recurrent(X)\n        return self.sortie(sorties[:, -1]).squeeze(-1)\n",
     "        init = self.etat if self.etat is not None and self.etat.shape[1] == X.shape[0] else None\n"
     "        sorties, etat = self.recurrent(X, init)\n"
     "        self.etat = etat.detach()\n"
     "        return self.sortie(sorties[:, -1]).squeeze(-1)\n"),
)
SCENARIOS.update({
    "blind-r16-memoire-generator-per-epoch": Scenario(
        grade_id="memoire",
        source=edit(solution_cell(__file__, "memoire"),
            ('    generateur = torch.Generator().manual_seed(seed)\n',
             ''),
            ('    for _ in range(epochs):\n',
             '    for _ in range(epochs):\n'
             '        generateur = torch.Generator().manual_seed(seed)  # mélange reproductible\n')),
        must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
        message_contains=("mais le même à chaque fois : le générateur est recréé",),
        may_fail=("test_lstm_remembers_the_country",),
    ),
    "blind-r16-memoire-stateful-hidden": Scenario(
        grade_id="memoire",
        source=edit(solution_cell(__file__, "memoire"),
            ('        self.sortie = nn.Linear(H, n_classes)\n',
             '        self.sortie = nn.Linear(H, n_classes)\n'
             "        self.etat = None  # état caché gardé d'un lot à l'autre (RNN « stateful »)\n"),
            ('        sorties, _ = self.recurrent(X)\n',
             '        init = self.etat\n'
             '        if init is not None:\n'
             '            taille = init[0].shape[1] if isinstance(init, tuple) else init.shape[1]\n'
             '            if taille != X.shape[0]:\n'
             '                init = None\n'
             '        sorties, etat = self.recurrent(X, init)\n'
             "        # on garde l'état final pour le lot suivant, sans le graphe\n"
             '        self.etat = tuple(e.detach() for e in etat) if isinstance(etat, tuple) else etat.detach()\n')),
        must_fail=("test_lstm_remembers_the_country", "test_vanilla_rnn_misses_what_the_lstm_reaches"),
        message_contains=("un état d'un appel à l'autre : un modèle neuf",),
    ),
    "submission-memoire-order-drawn-once": Scenario(
        grade_id="memoire",
        source=edit(solution_cell(__file__, "memoire"),
                    ("    for _ in range(epochs):\n        ordre = torch.randperm(N, generator=generateur)\n",
                     "    ordre = torch.randperm(N, generator=generateur)\n    for _ in range(epochs):\n")),
        must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
        message_contains=("un seul ordre est tiré",),
        may_fail=("test_lstm_remembers_the_country",),
    ),
    "submission-memoire-manual-seed-every-epoch": Scenario(
        grade_id="memoire",
        source=edit(solution_cell(__file__, "memoire"),
                    ("    generateur = torch.Generator().manual_seed(seed)\n", ""),
                    ("        ordre = torch.randperm(N, generator=generateur)\n",
                     "        torch.manual_seed(seed)\n        ordre = torch.randperm(N)\n")),
        must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
        message_contains=("ré-ensemencé, manual_seed",),
        may_fail=("test_lstm_remembers_the_country",),
    ),
    "submission-prevision-order-drawn-once": Scenario(
        grade_id="prevision",
        source=edit(solution_cell(__file__, "prevision"),
                    ("    for _ in range(epochs):\n        ordre = torch.randperm(len(X), generator=generateur)\n",
                     "    ordre = torch.randperm(len(X), generator=generateur)\n    for _ in range(epochs):\n")),
        must_fail=("test_prevision_uses_its_seed",),
        message_contains=("les deux époques voient les fenêtres dans le même ordre", "un seul ordre est tiré"),
        may_fail=("test_prevision_test_mse",),
    ),
    "submission-prevision-stateful-hidden": Scenario(
        grade_id="prevision",
        source=_R16_PREVISION_STATEFUL,
        must_fail=("test_prevision_uses_its_seed",),
        message_contains=("garde un état d'un appel à l'autre",),
        may_fail=("test_prevision_test_mse",),
    ),
})
SCENARIOS["submission-prevision-same-order-every-epoch"] = replace(
    SCENARIOS["submission-prevision-same-order-every-epoch"],
    message_contains=("les deux époques voient les fenêtres dans le même ordre",
                      "mais le même à chaque fois : le générateur est recréé"),
)
GROUPS["blind-r16-1"] = ("blind-r16-memoire-generator-per-epoch", "submission-prevision-order-drawn-once")
GROUPS["blind-r16-2"] = ("blind-r16-memoire-stateful-hidden", "submission-prevision-stateful-hidden")
GROUPS["blind-r16-3"] = ("submission-memoire-order-drawn-once",)
GROUPS["blind-r16-4"] = ("submission-memoire-manual-seed-every-epoch",)

# Correct variants for the new probes: an initial state of zeros passed explicitly at every
# call (stateless), and a generator created once whose draws come from a DataLoader's sampler.
CORRECT.update({
    "blind-r16-correct-memoire-explicit-zero-state": Correct(
        grade_id="memoire",
        source=edit(solution_cell(__file__, "memoire"),
                    ("        sorties, _ = self.recurrent(X)\n",
                     "        h0 = X.new_zeros(1, X.shape[0], self.recurrent.hidden_size)\n"
                     "        init = (h0, torch.zeros_like(h0)) if isinstance(self.recurrent, nn.LSTM) else h0\n"
                     "        sorties, _ = self.recurrent(X, init)\n")),
        why="the zero initial state passed explicitly at every call: the same logits",
    ),
    "blind-r16-correct-prevision-explicit-zero-state": Correct(
        grade_id="prevision",
        source=edit(solution_cell(__file__, "prevision"),
                    ("        sorties, _ = self.recurrent(X)\n        return self.sortie(sorties[:, -1]).squeeze(-1)\n",
                     "        h0 = torch.zeros(1, X.shape[0], self.recurrent.hidden_size, dtype=X.dtype)\n"
                     "        sorties, _ = self.recurrent(X, h0)\n        return self.sortie(sorties[:, -1]).squeeze(-1)\n")),
        why="the zero initial state passed explicitly at every call",
    ),
    "blind-r16-correct-memoire-sampler-generator": Correct(
        grade_id="memoire",
        source=edit(solution_cell(__file__, "memoire"),
                    ("    for _ in range(epochs):\n        ordre = torch.randperm(N, generator=generateur)\n",
                     "    echantillonneur = torch.utils.data.RandomSampler(range(N), generator=generateur)\n"
                     "    for _ in range(epochs):\n        ordre = torch.tensor(list(echantillonneur))\n")),
        why="a RandomSampler on the generator made once: a new permutation at every epoch",
    ),
})
CORRECT_GROUPS["blind-r16-correct-1"] = ("blind-r16-correct-memoire-explicit-zero-state",
                                         "blind-r16-correct-prevision-explicit-zero-state")
CORRECT_GROUPS["blind-r16-correct-2"] = ("blind-r16-correct-memoire-sampler-generator",)


# Blind round 18. (1) Clipping only when ONE gradient's norm exceeds τ: the check now draws, at
# every variant, gradients each under τ whose global norm is above it. (2) The norm of the first
# gradient alone was told "the largest of the norms" where the first happened to be the largest:
# each single-gradient norm is named, both when they coincide. (3) F.softmax before
# F.cross_entropy (softmax twice): the gradient the loop sends back to a stand-in's logits, kept
# far from saturation, must be (softmax(logits) − one-hot) / B; another loss (nll_loss of
# probabilities) is named too. (4) An Adam built at every epoch (entrainer_sequence, and
# entrainer_prevision: the same fault) is seen by watch_optimisers. (5) A series standardised for
# training and a model returned without the inverse transform: the forecast is judged again on a
# sine moved 2 to 3 away from 0; the units are named where the model forecasts that sine once
# rescaled as its training series (a tanh output is told the general hint). (6) rnn_sequence reading X backwards, or storing its states
# backwards, is named as such. (7) epochs − 1 epochs is said as one fewer, not as a fixed number.
_R18_CLIP_PER_TENSOR = '''def clipper_gradients(grads, max_norme):
    """Écrête la liste de gradients par leur norme globale (comme clip_grad_norm_)."""
    norme = torch.sqrt(sum((g ** 2).sum() for g in grads))
    # on n'écrête que si un des gradients dépasse le seuil
    if any(g.norm() > max_norme for g in grads):
        facteur = max_norme / (norme + 1e-6)
        return [g * facteur for g in grads]
    return [g.clone() for g in grads]
'''
_R18_CLIP_FIRST = '''def clipper_gradients(grads, max_norme):
    """Écrête la liste de gradients par leur norme globale (comme clip_grad_norm_)."""
    norme = torch.sqrt((grads[0] ** 2).sum())
    facteur = torch.clamp(max_norme / (norme + 1e-6), max=1.0)
    return [g * facteur for g in grads]
'''
_R18_SEQUENCE_BACKWARDS = '''def rnn_sequence(X, h0, W_xh, W_hh, b_h):
    """Déroule le RNN sur X (T, N, d) depuis h0 (N, H) ; renvoie les états h_1..h_T, forme (T, N, H)."""
    h = h0
    etats = []
    for x_t in reversed(X):
        h = cellule_rnn(x_t, h, W_xh, W_hh, b_h)
        etats.insert(0, h)
    return torch.stack(etats)
'''
_R18_SEQUENCE_STORED_BACKWARDS = '''def rnn_sequence(X, h0, W_xh, W_hh, b_h):
    """Déroule le RNN sur X (T, N, d) depuis h0 (N, H) ; renvoie les états h_1..h_T, forme (T, N, H)."""
    h = h0
    etats = []
    for t in range(X.shape[0]):
        h = cellule_rnn(X[t], h, W_xh, W_hh, b_h)
        etats.insert(0, h)
    return torch.stack(etats)
'''
_R18_SEQUENCE_ALWAYS_H0 = '''def rnn_sequence(X, h0, W_xh, W_hh, b_h):
    """Déroule le RNN sur X (T, N, d) depuis h0 (N, H) ; renvoie les états h_1..h_T, forme (T, N, H)."""
    etats = []
    for t in range(X.shape[0]):
        h = cellule_rnn(X[t], h0, W_xh, W_hh, b_h)
        etats.append(h)
    return torch.stack(etats)
'''
_R18_LOSS = "            perte = F.cross_entropy(modele(X[lot]), y[lot])\n"
_R18_PREVISION_STANDARDISED = edit(
    solution_cell(__file__, "prevision"),
    ("    X, y = fenetres(serie, L)\n    torch.manual_seed(seed)\n",
     "    serie = torch.as_tensor(serie, dtype=torch.float32)\n"
     "    # on centre-réduit la série pour stabiliser l'apprentissage\n"
     "    serie = (serie - serie.mean()) / serie.std()\n"
     "    X, y = fenetres(serie, L)\n    torch.manual_seed(seed)\n"),
)
_R18_PREVISION_MINMAX = edit(
    solution_cell(__file__, "prevision"),
    ("    X, y = fenetres(serie, L)\n    torch.manual_seed(seed)\n",
     "    serie = torch.as_tensor(serie, dtype=torch.float32)\n"
     "    bas, haut = serie.min(), serie.max()\n"
     "    serie = (serie - bas) / (haut - bas)  # ramenée dans [0, 1]\n"
     "    X, y = fenetres(serie, L)\n    torch.manual_seed(seed)\n"),
)
SCENARIOS.update({
    "blind-r18-clip-per-tensor-condition": Scenario(
        grade_id="clip", source=_R18_CLIP_PER_TENSOR,
        must_fail=("test_clipper_matches_clip_grad_norm",),
        message_contains=("aucun gradient pris seul ne dépasse le seuil τ",),
    ),
    "blind-r18-clip-first-tensor-norm": Scenario(
        grade_id="clip", source=_R18_CLIP_FIRST,
        must_fail=("test_clipper_matches_clip_grad_norm",),
        message_contains=("celle du premier",),
    ),
    "blind-r18-rnn-sequence-reversed-time": Scenario(
        grade_id="rnn_sequence", source=_R18_SEQUENCE_BACKWARDS,
        must_fail=("test_rnn_sequence_matches_nn_rnn",),
        message_contains=("vous parcourez X à l'envers",),
    ),
    "blind-r18-rnn-sequence-states-stored-backwards": Scenario(
        grade_id="rnn_sequence", source=_R18_SEQUENCE_STORED_BACKWARDS,
        must_fail=("test_rnn_sequence_matches_nn_rnn",),
        message_contains=("rangés à l'envers",),
    ),
    "blind-r18-rnn-sequence-always-h0": Scenario(
        grade_id="rnn_sequence", source=_R18_SEQUENCE_ALWAYS_H0,
        must_fail=("test_rnn_sequence_matches_nn_rnn",),
        message_contains=("chaque pas repart de h0",),
    ),
    "blind-r18-memoire-double-softmax": Scenario(
        grade_id="memoire",
        source=edit(solution_cell(__file__, "memoire"),
                    (_R18_LOSS, "            probas = F.softmax(modele(X[lot]), dim=1)\n"
                                "            perte = F.cross_entropy(probas, y[lot])\n")),
        must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
        message_contains=("softmax deux fois",),
        may_fail=("test_lstm_remembers_the_country",),
    ),
    "blind-r18-memoire-nll-of-probabilities": Scenario(
        grade_id="memoire",
        source=edit(solution_cell(__file__, "memoire"),
                    (_R18_LOSS, "            perte = F.nll_loss(F.softmax(modele(X[lot]), dim=1), y[lot])\n")),
        must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
        message_contains=("n'est pas celui de l'entropie croisée des logits",),
        may_fail=("test_lstm_remembers_the_country",),
    ),
    "blind-r18-memoire-adam-per-epoch": Scenario(
        grade_id="memoire",
        source=edit(solution_cell(__file__, "memoire"),
                    ("    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n", ""),
                    ("    for _ in range(epochs):\n",
                     "    for _ in range(epochs):\n"
                     "        optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n")),
        must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
        message_contains=("optimiseurs successifs",),
        may_fail=("test_lstm_remembers_the_country",),
    ),
    "blind-r18-memoire-epochs-minus-one": Scenario(
        grade_id="memoire",
        source=edit(solution_cell(__file__, "memoire"),
                    ("    for _ in range(epochs):\n", "    for epoque in range(1, epochs):\n")),
        must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
        message_contains=("une de moins",),
        may_fail=("test_lstm_remembers_the_country",),
    ),
    "blind-r18-prevision-standardize-no-inverse": Scenario(
        grade_id="prevision", source=_R18_PREVISION_STANDARDISED,
        must_fail=("test_prevision_test_mse",),
        message_contains=("prévoir dans les unités de la série",),
    ),
    "blind-r18-prevision-minmax-no-inverse": Scenario(
        grade_id="prevision", source=_R18_PREVISION_MINMAX,
        must_fail=("test_prevision_test_mse",),
        message_contains=("prévoir dans les unités de la série",),
    ),
    "blind-r18-prevision-adam-per-epoch": Scenario(
        grade_id="prevision",
        source=edit(solution_cell(__file__, "prevision"),
                    ("    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n", ""),
                    ("    for _ in range(epochs):\n",
                     "    for _ in range(epochs):\n"
                     "        optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n")),
        must_fail=("test_prevision_uses_its_seed",),
        message_contains=("optimiseurs successifs",),
        may_fail=("test_prevision_test_mse",),
    ),
    # A bounded output (tanh after the Linear): it fits the centred sine, not one at level 2–3;
    # the model is not a rescaled one, so the general hint, not the units one, is given.
    "blind-r18-prevision-tanh-output": Scenario(
        grade_id="prevision",
        source=edit(solution_cell(__file__, "prevision"),
                    ("        return self.sortie(sorties[:, -1]).squeeze(-1)\n",
                     "        return torch.tanh(self.sortie(sorties[:, -1])).squeeze(-1)\n")),
        must_fail=("test_prevision_test_mse",),
        message_contains=("sans fonction bornée",),
    ),
})
GROUPS["blind-r18-1"] = ("blind-r18-clip-per-tensor-condition", "blind-r18-rnn-sequence-reversed-time",
                         "blind-r18-memoire-double-softmax", "blind-r18-prevision-standardize-no-inverse")
GROUPS["blind-r18-2"] = ("blind-r18-clip-first-tensor-norm", "blind-r18-rnn-sequence-states-stored-backwards",
                         "blind-r18-memoire-adam-per-epoch", "blind-r18-prevision-adam-per-epoch")
GROUPS["blind-r18-3"] = ("blind-r18-rnn-sequence-always-h0", "blind-r18-memoire-epochs-minus-one",
                         "blind-r18-prevision-minmax-no-inverse")
GROUPS["blind-r18-4"] = ("blind-r18-memoire-nll-of-probabilities", "blind-r18-prevision-tanh-output")

# Correct variants for what round 18 touched: a clip that tests the global norm then scales; an
# unrolling written as a recursion; a loop with prints and torch.split; a summed loss divided by
# the batch's own size; a series standardised for training and a returned model that undoes it;
# a DataLoader made once.
_R18_CORRECT_CLIP = '''def clipper_gradients(grads, max_norme):
    """Écrête la liste de gradients par leur norme globale (comme clip_grad_norm_)."""
    tout = torch.cat([g.reshape(-1) for g in grads])
    norme = torch.linalg.vector_norm(tout)
    if norme > max_norme:
        return [g * (max_norme / (norme + 1e-6)) for g in grads]
    else:
        return [g.clone() for g in grads]
'''
_R18_CORRECT_RECURSIVE = '''def rnn_sequence(X, h0, W_xh, W_hh, b_h):
    """Déroule le RNN sur X (T, N, d) depuis h0 (N, H) ; renvoie les états h_1..h_T, forme (T, N, H)."""
    def derouler(t, h):
        if t == X.shape[0]:
            return []
        h_suiv = cellule_rnn(X[t], h, W_xh, W_hh, b_h)
        return [h_suiv] + derouler(t + 1, h_suiv)

    return torch.stack(derouler(0, h0), dim=0)
'''
_R18_CORRECT_SPLIT_PRINTS = edit(
    solution_cell(__file__, "memoire"),
    ("    for _ in range(epochs):\n"
     "        ordre = torch.randperm(N, generator=generateur)\n"
     "        for debut in range(0, N, batch_size):\n"
     "            lot = ordre[debut : debut + batch_size]\n"
     "            optimiseur.zero_grad()\n"
     "            perte = F.cross_entropy(modele(X[lot]), y[lot])\n",
     "    for epoque in range(epochs):\n"
     "        permutation = torch.randperm(N, generator=generateur)\n"
     "        total, nb = 0.0, 0\n"
     "        for lot in torch.split(permutation, batch_size):\n"
     "            logits = modele(X[lot])\n"
     "            perte = F.cross_entropy(logits, y[lot])\n"
     "            optimiseur.zero_grad()\n"
     "            total += perte.item() * len(lot)\n"
     "            nb += len(lot)\n"),
    ("    return modele\n",
     "        if epoque % 5 == 0 or epoque == epochs - 1:\n"
     "            print(f\"époque {epoque + 1}/{epochs} : perte {total / nb:.4f}\")\n"
     "    return modele\n"),
)
_R18_CORRECT_PREVISION_STANDARDISED = edit(
    solution_cell(__file__, "prevision"),
    ("def entrainer_prevision(",
     "class PrevisionNormalisee(nn.Module):\n"
     "    \"\"\"Le modèle entraîné sur la série centrée-réduite, dans les unités de la série.\"\"\"\n\n"
     "    def __init__(self, modele, moyenne, ecart):\n"
     "        super().__init__()\n"
     "        self.modele = modele\n"
     "        self.register_buffer(\"moyenne\", moyenne)\n"
     "        self.register_buffer(\"ecart\", ecart)\n\n"
     "    def forward(self, X):\n"
     "        return self.modele((X - self.moyenne) / self.ecart) * self.ecart + self.moyenne\n\n\n"
     "def entrainer_prevision("),
    ("    X, y = fenetres(serie, L)\n    torch.manual_seed(seed)\n",
     "    serie = torch.as_tensor(serie, dtype=torch.float32)\n"
     "    moyenne, ecart = serie.mean(), serie.std()\n"
     "    X, y = fenetres((serie - moyenne) / ecart, L)\n    torch.manual_seed(seed)\n"),
    ("    return modele\n", "    return PrevisionNormalisee(modele, moyenne, ecart)\n"),
)
_R18_CORRECT_PREVISION_LOADER = '''def fenetres(serie, L):
    """(X, y) : X[i, :, 0] = serie[i : i + L], forme (n − L, L, 1) ; y[i] = serie[i + L], forme (n − L,)."""
    s = np.asarray(serie, dtype=np.float32)
    vues = np.lib.stride_tricks.sliding_window_view(s, L)[:-1]   # (n - L, L)
    X = torch.tensor(vues.copy())[:, :, None]
    y = torch.tensor(s[L:].copy())
    return X, y


class ModelePrevision(nn.Module):
    """Un réseau récurrent (batch_first) de 1 vers H, puis nn.Linear(H, 1) sur le dernier pas : (N, L, 1) -> (N,)."""

    def __init__(self, H):
        super().__init__()
        self.gru = nn.GRU(1, H, batch_first=True)
        self.fc = nn.Linear(H, 1)

    def forward(self, X):
        out, _ = self.gru(X)
        return self.fc(out[:, -1, :]).view(-1)


def entrainer_prevision(serie, L=20, H=32, epochs=40, lr=0.005, batch_size=64, seed=0):
    """Entraîne un ModelePrevision(H) à prédire serie[t + 1] depuis les L valeurs précédentes ; renvoie le modèle."""
    X, y = fenetres(serie, L)
    torch.manual_seed(seed)
    modele = ModelePrevision(H)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    jeu = torch.utils.data.TensorDataset(X, y)
    charge = torch.utils.data.DataLoader(jeu, batch_size=batch_size, shuffle=True,
                                         generator=torch.Generator().manual_seed(seed))
    for _ in range(epochs):
        for xb, yb in charge:
            opt.zero_grad()
            F.mse_loss(modele(xb), yb).backward()
            opt.step()
    return modele
'''
CORRECT.update({
    "blind-r18-correct-clip-cat-ifelse": Correct(
        grade_id="clip", source=_R18_CORRECT_CLIP,
        why="the global norm of the concatenated gradients tested against τ, then the same factor",
    ),
    "blind-r18-correct-rnn-sequence-recursive": Correct(
        grade_id="rnn_sequence", source=_R18_CORRECT_RECURSIVE,
        why="the unrolling as a recursion over t, states in time order",
    ),
    "blind-r18-correct-memoire-split-prints": Correct(
        grade_id="memoire", source=_R18_CORRECT_SPLIT_PRINTS,
        why="torch.split of the permutation, the loss computed before zero_grad, prints",
    ),
    "blind-r18-correct-memoire-sum-over-batch-size": Correct(
        grade_id="memoire",
        source=edit(solution_cell(__file__, "memoire"),
                    (_R18_LOSS, "            perte = F.cross_entropy(modele(X[lot]), y[lot], "
                                "reduction=\"sum\") / len(lot)\n")),
        why="the summed cross-entropy divided by the batch's own size: the mean",
    ),
    "blind-r18-correct-prevision-standardised-and-undone": Correct(
        grade_id="prevision", source=_R18_CORRECT_PREVISION_STANDARDISED,
        why="trained on the standardised series, returned inside a module that standardises its "
            "windows and undoes the transform on its forecasts",
    ),
    "blind-r18-correct-prevision-dataloader": Correct(
        grade_id="prevision", source=_R18_CORRECT_PREVISION_LOADER,
        why="sliding_window_view windows, a DataLoader shuffled by a generator made once",
    ),
})
CORRECT_GROUPS["blind-r18-correct-1"] = ("blind-r18-correct-clip-cat-ifelse", "blind-r18-correct-rnn-sequence-recursive",
                                         "blind-r18-correct-memoire-split-prints",
                                         "blind-r18-correct-prevision-standardised-and-undone")
CORRECT_GROUPS["blind-r18-correct-2"] = ("blind-r18-correct-memoire-sum-over-batch-size",
                                         "blind-r18-correct-prevision-dataloader")

# Blind round 20, by class. (1) A boundary case the statement singles out: gradients all zero
# (global norm 0), which clip_grad_norm_ returns as zeros; a factor τ / ‖g‖ in Python floats
# raised ZeroDivisionError, a tensor 0 / 0 gives NaN, and both kept every point: the case is
# now drawn at every variant. (2) F.nll_loss in the loop on a model that ends in log_softmax:
# the loop is graded with the grader's models, which return logits, so it stays wrong, with a
# message that names nll_loss. (3) The forecast model's (N,) output (a forward returning
# (N, 1) broadcast F.mse_loss to (N, N)); an under-trained forecast (one mini-batch per epoch)
# was told about units and level. (4) Peephole hints: diagonal peepholes, W_cf and W_ci swapped.
_R20_CLIP_FLOAT_DIVISION = '''def clipper_gradients(grads, max_norme):
    """Écrête la liste de gradients par leur norme globale (comme clip_grad_norm_)."""
    norme = torch.cat([g.flatten() for g in grads]).norm().item()
    facteur = min(1.0, max_norme / norme)
    return [g * facteur for g in grads]
'''
_R20_MEMOIRE_LOG_SOFTMAX_NLL = edit(
    solution_cell(__file__, "memoire"),
    ("        sorties, _ = self.recurrent(X)\n        return self.sortie(sorties[:, -1])\n",
     "        _, etat = self.recurrent(X)\n"
     "        if isinstance(etat, tuple):  # LSTM : (h_n, c_n)\n"
     "            etat = etat[0]\n"
     "        return F.log_softmax(self.sortie(etat[-1]), dim=1)\n"),
    (_R18_LOSS, "            perte = F.nll_loss(modele(X[lot]), y[lot])\n"),
)
_R20_PEEPHOLE_DIAGONAL = '''def cellule_lstm_peephole(x_t, h_prec, c_prec, p):
    """Un pas de LSTM du cours : peepholes W_cf, W_ci sur c_{t-1}, W_co sur c_t ; renvoie (h_t, c_t)."""
    w_cf, w_ci, w_co = (torch.diagonal(p[k]) for k in ("W_cf", "W_ci", "W_co"))
    f = torch.sigmoid(x_t @ p["W_xf"].T + h_prec @ p["W_hf"].T + w_cf * c_prec + p["b_f"])
    i = torch.sigmoid(x_t @ p["W_xi"].T + h_prec @ p["W_hi"].T + w_ci * c_prec + p["b_i"])
    c_cand = torch.tanh(x_t @ p["W_xc"].T + h_prec @ p["W_hc"].T + p["b_c"])
    c = f * c_prec + i * c_cand
    o = torch.sigmoid(x_t @ p["W_xo"].T + h_prec @ p["W_ho"].T + w_co * c + p["b_o"])
    return o * torch.tanh(c), c
'''
SCENARIOS.update({
    "blind-r20-clip-zero-norm-division": Scenario(
        grade_id="clip", source=_R20_CLIP_FLOAT_DIVISION,
        must_fail=("test_clipper_matches_clip_grad_norm",),
        message_contains=("divise ici par une norme nulle", "ZeroDivisionError"),
    ),
    "blind-r20-clip-zero-norm-nan": Scenario(
        grade_id="clip",
        source=edit(solution_cell(__file__, "clip"),
                    ("    facteur = torch.clamp(max_norme / (norme + 1e-6), max=1.0)\n"
                     "    return [g * facteur for g in grads]\n",
                     "    return [g / norme * torch.clamp(norme, max=max_norme) for g in grads]\n")),
        must_fail=("test_clipper_matches_clip_grad_norm",),
        message_contains=("renvoie des NaN ou des infinis", "divise ici par une norme nulle"),
    ),
    "blind-r20-memoire-log-softmax-nll-loss": Scenario(
        grade_id="memoire", source=_R20_MEMOIRE_LOG_SOFTMAX_NLL,
        must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
        message_contains=("F.nll_loss attend des log-probabilités : sur des logits, utilisez F.cross_entropy",),
    ),
    "blind-r20-memoire-nll-loss-on-logits": Scenario(
        grade_id="memoire",
        source=edit(solution_cell(__file__, "memoire"),
                    (_R18_LOSS, "            perte = F.nll_loss(modele(X[lot]), y[lot])\n")),
        must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
        message_contains=("F.nll_loss attend des log-probabilités",),
        may_fail=("test_lstm_remembers_the_country",),
    ),
    "blind-r20-peephole-diagonal": Scenario(
        grade_id="lstm_peephole", source=_R20_PEEPHOLE_DIAGONAL,
        must_fail=("test_cellule_lstm_peephole_matches_course_formula",),
        message_contains=("n'utilisent que la diagonale des W_c·",),
    ),
    "blind-r20-peephole-forget-and-input-swapped": Scenario(
        grade_id="lstm_peephole",
        source=edit(solution_cell(__file__, "lstm_peephole"),
                    ('c_prec @ p["W_cf"].T', 'c_prec @ p["W_ci_"].T'),
                    ('c_prec @ p["W_ci"].T', 'c_prec @ p["W_cf"].T'),
                    ('p["W_ci_"]', 'p["W_ci"]')),
        must_fail=("test_cellule_lstm_peephole_matches_course_formula",),
        message_contains=("les peepholes de f et de i sont échangées",),
    ),
    "blind-r20-prevision-output-not-squeezed": Scenario(
        grade_id="prevision",
        source=edit(solution_cell(__file__, "prevision"),
                    ("        return self.sortie(sorties[:, -1]).squeeze(-1)\n",
                     "        return self.sortie(sorties[:, -1])\n")),
        must_fail=("test_prevision_uses_its_seed", "test_prevision_test_mse"),
        message_contains=("F.mse_loss entre une sortie (N, 1) et des cibles y[lot] de forme (N,)",),
    ),
    "blind-r20-prevision-one-batch-per-epoch": Scenario(
        grade_id="prevision",
        source=edit(solution_cell(__file__, "prevision"),
                    ("            optimiseur.step()\n", "            optimiseur.step()\n            break\n")),
        must_fail=("test_prevision_uses_its_seed",),
        message_contains=("ne voit pas toutes les fenêtres",),
        may_fail=("test_prevision_test_mse",),
    ),
    # Two epochs written in the code: the recorded call (epochs=2) cannot tell it, the forecast
    # (40 epochs asked) is under-trained, and its message says so, not units or level.
    "blind-r20-prevision-two-epochs-written-in": Scenario(
        grade_id="prevision",
        source=edit(solution_cell(__file__, "prevision"),
                    ("    for _ in range(epochs):\n", "    for _ in range(2):\n")),
        must_fail=("test_prevision_test_mse",),
        message_contains=("entraînement insuffisant",),
    ),
})
# The tester's ungraded answers, whose hints were generic: h_t from the old cell state, one
# bias of nn.LSTMCell's two, peephole matrices not transposed.
SCENARIOS.update({
    "blind-r20-lstm-h-from-old-cell-state": Scenario(
        grade_id="lstm_cell",
        source=edit(solution_cell(__file__, "lstm_cell"),
                    ("    h = o * torch.tanh(c)\n", "    h = o * torch.tanh(c_prec)\n")),
        must_fail=_LSTM_CHECK,
        message_contains=("h_t utilise l'ancien état c_{t−1}",),
    ),
    "blind-r20-lstm-one-bias-only": Scenario(
        grade_id="lstm_cell",
        source=edit(solution_cell(__file__, "lstm_cell"), (" + h_prec @ W_hh.T + b_hh\n", " + h_prec @ W_hh.T\n")),
        must_fail=_LSTM_CHECK,
        message_contains=("un seul des deux biais est ajouté",),
    ),
    "blind-r20-peephole-not-transposed": Scenario(
        grade_id="lstm_peephole",
        source=edit(solution_cell(__file__, "lstm_peephole"),
                    ('c_prec @ p["W_cf"].T', 'c_prec @ p["W_cf"]'),
                    ('c_prec @ p["W_ci"].T', 'c_prec @ p["W_ci"]'),
                    ('c @ p["W_co"].T', 'c @ p["W_co"]')),
        must_fail=("test_cellule_lstm_peephole_matches_course_formula",),
        message_contains=("les matrices de peephole ne sont pas transposées",),
    ),
})
GROUPS["blind-r20-a"] = ("blind-r20-clip-zero-norm-division", "blind-r20-memoire-log-softmax-nll-loss",
                         "blind-r20-peephole-diagonal", "blind-r20-prevision-output-not-squeezed",
                         "blind-r20-lstm-h-from-old-cell-state")
GROUPS["blind-r20-b"] = ("blind-r20-clip-zero-norm-nan", "blind-r20-memoire-nll-loss-on-logits",
                         "blind-r20-peephole-forget-and-input-swapped",
                         "blind-r20-prevision-one-batch-per-epoch", "blind-r20-lstm-one-bias-only")
GROUPS["blind-r20-c"] = ("blind-r20-prevision-two-epochs-written-in", "blind-r20-peephole-not-transposed")

# Correct variants for what round 20 touched: a clip whose factor is τ / ‖g‖ clamped at 1
# without an epsilon (0 / 0 never formed: τ / 0 is +inf, clamped to 1); a model returning its
# forecasts through [:, 0] and a loss of the batch's mean squared error written by hand.
CORRECT.update({
    "correct-r20-clip-infinite-factor-clamped": Correct(
        grade_id="clip",
        source=edit(solution_cell(__file__, "clip"), ("max_norme / (norme + 1e-6)", "max_norme / norme")),
        why="τ / ‖g‖ clamped at 1: +inf for a zero norm, clamped to 1, zeros stay zeros; "
            "the 1e-6 changes the factor by less than 1e-5 relative on the grader's norms",
    ),
    "correct-r20-prevision-column-then-index": Correct(
        grade_id="prevision",
        source=edit(solution_cell(__file__, "prevision"),
                    ("        return self.sortie(sorties[:, -1]).squeeze(-1)\n",
                     "        return self.sortie(sorties[:, -1])[:, 0]\n"),
                    ("            perte = F.mse_loss(modele(X[lot]), y[lot])\n",
                     "            perte = ((modele(X[lot]) - y[lot]) ** 2).mean()\n")),
        why="the (N,) forecasts through [:, 0], the batch's mean squared error by hand",
    ),
})
CORRECT_GROUPS["correct-r20-a"] = ("correct-r20-clip-infinite-factor-clamped",
                                   "correct-r20-prevision-column-then-index")

# ---------------------------------------------------------------- blind round 22
# Three hints that named something else than the fault: gradients of the forecast loop never
# cleared (the messages blamed the units, the level or a bounded output), a permutation drawn at
# every epoch but never used to index the batches (the hint asked to draw one per epoch), and a
# leaf copy of h0 that the unrolling does not start from (PyTorch's generic graph error).
SCENARIOS.update({
    "blind-r22-bptt-unrolls-from-h0-not-its-copy": Scenario(
        grade_id="bptt",
        source=edit(solution_cell(__file__, "bptt"),
                    ("    h0 = h0.detach().clone().requires_grad_(True)\n",
                     "    h0_feuille = h0.detach().clone().requires_grad_(True)\n"),
                    ("torch.autograd.grad(h.sum(), h0,", "torch.autograd.grad(h.sum(), h0_feuille,")),
        must_fail=("test_normes_gradient_shape", "test_normes_gradient_match_autograd",
                   "test_gradient_vanishes_and_explodes"),
        message_contains=("le déroulement doit partir de la copie de h0",),
    ),
    "blind-r22-memoire-permutation-drawn-not-used": Scenario(
        grade_id="memoire",
        source=edit(solution_cell(__file__, "memoire"),
                    ("            lot = ordre[debut : debut + batch_size]\n",
                     "            lot = slice(debut, debut + batch_size)\n")),
        must_fail=("test_vanilla_rnn_misses_what_the_lstm_reaches",),
        message_contains=("les mini-lots ne s'en servent pas",),
        may_fail=("test_lstm_remembers_the_country",),
    ),
    "blind-r22-prevision-permutation-drawn-not-used": Scenario(
        grade_id="prevision",
        source=edit(solution_cell(__file__, "prevision"),
                    ("            lot = ordre[debut : debut + batch_size]\n",
                     "            lot = slice(debut, debut + batch_size)\n")),
        must_fail=("test_prevision_uses_its_seed",),
        message_contains=("les mini-lots ne s'en servent pas",),
        may_fail=("test_prevision_test_mse",),
    ),
    # The forecast's hint (test_prevision_test_mse, on the centred or the moved sine) and the
    # recorded loop's (test_prevision_uses_its_seed) both name zero_grad.
    "blind-r22-prevision-no-zero-grad": Scenario(
        grade_id="prevision",
        source=edit(solution_cell(__file__, "prevision"), ("            optimiseur.zero_grad()\n", "")),
        must_fail=("test_prevision_uses_its_seed", "test_prevision_test_mse"),
        message_contains=("appelez optimiseur.zero_grad() à chaque étape",
                          "s'ajoutent à ceux de tous les lots précédents"),
    ),
})
GROUPS["blind-r22-a"] = ("blind-r22-bptt-unrolls-from-h0-not-its-copy",
                         "blind-r22-memoire-permutation-drawn-not-used",
                         "blind-r22-prevision-no-zero-grad")
GROUPS["blind-r22-b"] = ("blind-r22-prevision-permutation-drawn-not-used",)

# The tester's set-aside answer (graded 20/20 at seeds 0 and 27): the counts read from PyTorch's
# own modules.
CORRECT.update({
    "correct-r22-param-counts-from-modules": Correct(
        grade_id="param_counts",
        source='''def _compte(module):
    return sum(p.numel() for p in module.parameters())


def nb_params_rnn(d, H):
    """Nombre de paramètres de nn.RNN(d, H)."""
    return _compte(nn.RNN(d, H))


def nb_params_lstm(d, H):
    """Nombre de paramètres de nn.LSTM(d, H)."""
    return _compte(nn.LSTM(d, H))


def nb_params_gru(d, H):
    """Nombre de paramètres de nn.GRU(d, H)."""
    return _compte(nn.GRU(d, H))
''',
        why="the counts of PyTorch's own nn.RNN/LSTM/GRU(d, H), parameters summed",
    ),
})
CORRECT_GROUPS["correct-r22-a"] = ("correct-r22-param-counts-from-modules",)
