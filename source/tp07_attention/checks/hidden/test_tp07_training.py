"""Hidden checks, part 2: the two trainings, measured by the grader.

GNN vs MLP. The grader draws its own stochastic block model graphs (3 communities, about 8
neighbours inside one's community and 1.5 outside, features = community mean + strong
noise), labels 15 nodes per class, and calls the student's `entrainer_gnn` and
`entrainer_mlp` with the features, the graph and those labels only. Both return the logits
of every node; the accuracies on the other nodes are computed here (their labels never
enter the kernel), with a grader-side logistic regression on the features as a floor for
the MLP, so that a sabotaged MLP cannot widen the margin.

Character-level Transformer. Causality is tested on a fresh `PetitTransformer` of
grader-chosen sizes whose parameters the grader redraws at a larger scale (a causal
architecture is causal whatever its weights, and sharper attention makes a leak from the
future show far above float32 rounding: without the mask, with the softmax over the queries
or a mask filled with 0, the change is 8 to 50 times `tolerance_for(device, float32)` on
CUDA, 5 times more on the CPU; a causal model gives exactly 0), then on the trained
`modele_car`: changing the characters after position t must leave the logits up to t
unchanged. The re-drawn model also runs a sequence shorter than its contexte (as generer's
prompts): its logits must be the first ones of the longer sequence, which positions counted
from the end of the context (arange(contexte − T, contexte)) fail, as every other check runs
T = contexte, where those are 0, …, T − 1. Bits per character: the grader cuts windows of CONTEXTE characters from held-out
text the student never had (texte_validation.txt, beside this file) and sends only the
windows; the model's logits at the last position are scored here against the character that
follows each window, which stays grader-side. Every call into the student's model goes
through the guard that switches PyTorch's own attention off.

Measured on the solution (grader protocol, 16 seeds, 1 CPU thread): GNN accuracy 0.79–0.96
per graph (mean of the 2 graphs 0.83–0.92), MLP 0.49–0.58, logistic regression 0.50–0.59
(the MLP never trails it by more than 0.03), GNN − MLP margin 0.30–0.41; held-out bits per
character 2.5–2.75 over training seeds (the notebook trains with seed 0: 2.69; character
frequencies alone give 4.5, the previous character 3.5). A GNN that does not aggregate over
the neighbours scores like the MLP (margin within ± 0.06); a Transformer trained on
unshifted targets scores above 10 bits per character. The thresholds (0.70, margin 0.12,
3.3 bits) sit far from the solution.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np
import pytest

from autograder.checks import (
    CheckFailed,
    OptimiserWords,
    Ref,
    StudentError,
    SubmissionError,
    Tensor,
    as_array,
    assert_arguments_untouched,
    assert_one_optimiser,
    check_fresh_gradients,
    fmt_order,
    kernel_side,
    looks_like_probabilities,
    note_fresh_gradients,
    once_per_submission,
    record_expected,
    record_margin,
    relabel,
    score_threshold,
    tolerance_for,
    watch_draws,
    watch_optimisers,
    with_references,
)

from ..public.helpers import (
    build_transformer,
    built_by_grader,
    causal_mask_is_wrong,
    dependency_fault,
    grader_bigram,
    guarded,
    label_en,
    mask_nan_error,
    model_logits,
    redraw_parameters,
    sbm,
    step_before_backward,
    step_order_call,
    student_error,
    transformer_error,
)
from .helpers import (
    GNN_COPYING,
    GNN_RECORDING,
    GNN_REFERENCES,
    gnn_records,
    grader_attention_call,
    notebook_namespace,
    with_grader_attention,
)


# Trusted kernel-side helpers for the Transformer's own checks: a block whose parameters
# are all zero (with residual connections it is the identity), and a grader stand-in model
# that records what the student's training loop does with it (inputs, outputs, parameters,
# and whether the gradients of a step were added to those of the previous one).
@kernel_side
def zeroed_block(BlocTransformer, graine, d, n_tetes, x, normes=False):
    """A fresh BlocTransformer(d, n_tetes) with every parameter at 0 (with normes=True, the
    LayerNorm weights at 1, their biases at 0), applied to x."""
    import torch

    torch.manual_seed(int(graine))
    bloc = BlocTransformer(d, n_tetes)
    bloc.eval()
    with torch.no_grad():
        for p in bloc.parameters():
            p.zero_()
        if normes:
            for m in bloc.modules():
                if isinstance(m, torch.nn.LayerNorm) and m.weight is not None:
                    m.weight.fill_(1.0)
        return bloc(x.to(torch.float32))


@kernel_side
def block_twice(BlocTransformer, graine, d, n_tetes, x):
    """A fresh BlocTransformer(d, n_tetes) in eval mode applied twice to the same x."""
    import torch

    torch.manual_seed(int(graine))
    bloc = BlocTransformer(d, n_tetes)
    bloc.eval()
    with torch.no_grad():
        return bloc(x.to(torch.float32)), bloc(x.to(torch.float32))


@kernel_side(uses=(notebook_namespace,))
def block_heads(BlocTransformer, graine, d, n_tetes, x):
    """The n_tetes that each attention_multi_tetes call of a fresh BlocTransformer(d, n_tetes)
    receives (the notebook's attention_multi_tetes wrapped for the call, then put back)."""
    import torch

    g = notebook_namespace(BlocTransformer)
    mha = g.get("attention_multi_tetes")
    recues = []

    def enregistreuse(*args, **kwargs):
        recues.append(kwargs["n_tetes"] if "n_tetes" in kwargs else (args[5] if len(args) > 5 else None))
        return mha(*args, **kwargs)

    torch.manual_seed(int(graine))
    bloc = BlocTransformer(d, n_tetes)
    bloc.eval()
    g["attention_multi_tetes"] = enregistreuse
    try:
        with torch.no_grad():
            bloc(x.to(torch.float32))
    except Exception:
        if not recues:
            raise
    finally:
        g["attention_multi_tetes"] = mha
    return [int(v) if isinstance(v, int) and not isinstance(v, bool) else str(v)[:30] for v in recues]


@kernel_side(uses=(note_fresh_gradients, watch_optimisers, watch_draws, step_order_call))
def record_transformer_training(entrainer_transformer, graine_modele, taille_vocab, donnees,
                                n_etapes, taille_lot, contexte, lr, graine):
    """entrainer_transformer(stand-in model, donnees, ...) and what the stand-in recorded:
    the batches, its outputs, whether its parameters moved and its gradients were fresh, the
    optimisers and learning rates (and how many optimiser objects updated a parameter, from
    watch_optimisers), how many random draws torch.randint, torch.randperm, torch.rand and
    torch.multinomial made during the call (watch_draws), and whether torch's global random state was
    left as it was."""
    import torch

    class Enregistreur(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.plongement = torch.nn.Embedding(taille_vocab, 8)
            self.tete = torch.nn.Linear(8, taille_vocab)
            self.entrees, self.sorties, self.poids, self.cumuls = [], [], [], []
            # Per step, which positions' logits got a non-zero gradient: the positions the
            # minimised loss covers, whatever loss the loop reports.
            self.positions = []
            note_fresh_gradients(self, self.cumuls)

        def forward(self, x):
            self.entrees.append(x.detach().long().cpu().clone())
            self.poids.append(torch.cat([p.detach().flatten() for p in self.parameters()]).clone())
            s = self.tete(self.plongement(x))
            self.sorties.append(s.detach().clone())
            if s.requires_grad and s.ndim == 3:
                s.register_hook(lambda g: self.positions.append(
                    [bool(v) for v in (g.detach().abs().sum(dim=(0, 2)) > 0)]))
            return s

    torch.manual_seed(int(graine_modele))
    modele = Enregistreur()
    from torch.optim.optimizer import register_optimizer_step_pre_hook

    lrs, types = [], []

    def avant_pas(opt, a, k):
        types.append(type(opt).__name__)
        lrs.extend(float(g.get("lr", float("nan"))) for g in opt.param_groups)

    crochet = register_optimizer_step_pre_hook(avant_pas)
    etat = torch.get_rng_state()
    # The draws of the call, counted: one draw before the loop and a generator seeded again
    # at every step both give the same batch at every step; only the count tells them apart.
    arret_tirages = watch_draws(also=("randint", "rand", "multinomial"))
    arret = watch_optimisers()
    note_optimiseurs = note_tirages = None
    try:
        pertes = step_order_call(entrainer_transformer, modele, donnees, n_etapes, taille_lot,
                                 contexte, lr, graine)
    finally:
        note_optimiseurs = arret()
        note_tirages = arret_tirages()
        crochet.remove()
    rng_intact = bool(torch.equal(etat, torch.get_rng_state()))
    formes = {tuple(x.shape) for x in modele.entrees}
    if len(formes) > 1:
        raise ValueError("TP07_FORMES_LOTS " + " ".join(str(f) for f in sorted(formes))[:120])
    vide = torch.zeros((0, taille_lot, contexte), dtype=torch.long)
    return {
        "pertes": [float(p) for p in pertes],
        "entrees": torch.stack(modele.entrees) if modele.entrees else vide,
        "sorties": torch.stack(modele.sorties).double() if modele.sorties else vide.double(),
        "change": [bool((a != b).any()) for a, b in zip(modele.poids, modele.poids[1:], strict=False)],
        "cumuls": modele.cumuls,
        "lrs": sorted(set(lrs)),
        "optimiseurs": sorted(set(types)),
        "rng_intact": rng_intact,
        "tirages": len(note_tirages["draws"]),
        "note_optimiseurs": note_optimiseurs,
        "graphes": any(isinstance(p, torch.Tensor) and p.requires_grad for p in pertes),
        "positions": modele.positions,
    }


TRAIN_TIMEOUT = 120.0
# GNN vs MLP
N_GRAPHS, PER_CLASS, N_CLASSES = 2, 15, 3
N_PROBE_CLASSES = 5  # n_classes passed on purpose where the graph's labels only use 0, 1, 2
GNN_FULL, GNN_PARTIAL = 0.70, 0.60
MARGIN_FULL, MARGIN_PARTIAL = 0.12, 0.06
MLP_FLOOR_GAP = 0.15  # the MLP may trail the grader's logistic regression by this much
# Transformer
CONTEXTE = 32  # the notebook's CONTEXTE
REINIT_SCALE = 2.0  # weights ~ N(0, (2 / √fan_in)²), other parameters ~ N(0, 2²)
N_WINDOWS = 1500
BPC_FULL, BPC_PARTIAL = 3.3, 3.8
VALIDATION = "texte_validation.txt"
VALIDATION_SHA256 = "292091540de3650b2a6c387f8b6d7dbc993f1d48f6c0c494f35d523b721e8c84"


# ---------------------------------------------------------------- GNN vs MLP


@dataclass(frozen=True)
class NodeResults:
    n_test: int
    gnn: float
    mlp: float
    logreg: float


def _accuracy(logits: np.ndarray, y: np.ndarray, test: np.ndarray) -> float:
    return float((logits.argmax(axis=1)[test] == y[test]).mean())


def _gnn_refs(name: str) -> dict[str, str]:
    """The grader's couche_gnn for what builds a GNN (the MLP uses none)."""
    return GNN_REFERENCES if name in ("entrainer_gnn", "GNN") else {}


def _node_logits(submission, name: str, args, n: int) -> np.ndarray:
    try:
        raw = with_references(submission, _gnn_refs(name), name, Ref(name), *args,
                              via=step_order_call.install(submission).name, timeout=TRAIN_TIMEOUT)
    except StudentError as exc:
        raise student_error(name, exc) from None
    got = as_array(raw, name, allow_nan=True)
    if got.shape != (n, N_CLASSES):
        raise CheckFailed(
            f"{name} sur un graphe du correcteur ne renvoie pas un tableau (n_noeuds, n_classes) : "
            "les logits de TOUS les nœuds sont attendus, une ligne par nœud",
            f"{label_en(name)} on a grader graph does not return an (n_nodes, n_classes) array: the "
            "logits of ALL the nodes are expected, one row per node",
        )
    if not np.isfinite(got).all():
        raise CheckFailed(
            f"{name} renvoie des logits non finis (NaN ou inf) : l'entraînement a divergé",
            f"{label_en(name)} returns non-finite logits (NaN or inf): the training diverged",
        )
    return got


def _train_nodes(submission, seed: int) -> NodeResults:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    gnn, mlp, logreg, n_test = [], [], [], 0
    for _ in range(N_GRAPHS):
        n, d = int(rng.integers(280, 321)), int(rng.integers(12, 21))
        X, A, y = sbm(rng, n, N_CLASSES, d)
        idx = np.sort(
            np.concatenate(
                [rng.permutation(np.flatnonzero(y == c))[:PER_CLASS] for c in range(N_CLASSES)]
            )
        )
        test = np.ones(n, dtype=bool)
        test[idx] = False
        y_idx = y[idx].astype(np.int64)
        graine = int(rng.integers(0, 2**31))
        lg = _node_logits(
            submission,
            "entrainer_gnn",
            (Tensor(X), Tensor(A), Tensor(idx), Tensor(y_idx), N_CLASSES, graine),
            n,
        )
        lm = _node_logits(
            submission,
            "entrainer_mlp",
            (Tensor(X), Tensor(idx), Tensor(y_idx), N_CLASSES, graine),
            n,
        )
        gnn.append(_accuracy(lg, y, test))
        mlp.append(_accuracy(lm, y, test))
        reg = LogisticRegression(max_iter=1000).fit(X[idx], y_idx)
        logreg.append(float((reg.predict(X[test]) == y[test]).mean()))
        n_test += int(test.sum())
    return NodeResults(n_test, float(np.mean(gnn)), float(np.mean(mlp)), float(np.mean(logreg)))


def _nodes(submission, seed: int) -> NodeResults:
    """Train once per graded submission; a failure is reported by every check that needs it."""
    return once_per_submission(submission, "tp07-nodes", lambda: _train_nodes(submission, seed))


@kernel_side(uses=(notebook_namespace, gnn_records))
def gnn_gradients(GNN, graine, d, h, c, X, A, R):
    """Which parameters of a fresh GNN(d, h, c) get a non-zero gradient from Σ R ⊙ logits, run
    with the grader's recording couche_gnn: its calls, and the weights given to it that are
    not parameters of the module (trainable or not)."""
    import torch

    torch.manual_seed(int(graine))
    modele = GNN(d, h, c)
    appels, poids = gnn_records(notebook_namespace(GNN))
    sortie = modele(X, A)
    (sortie * R.to(sortie.dtype)).sum().backward()
    # Weights given to couche_gnn that are tensors of their own (no autograd history) but not
    # parameters of the module: modele.parameters() misses them. A view of a parameter
    # (lineaire.weight.T) has a history and counts as a parameter.
    inscrits = {id(p) for p in modele.parameters()}
    isoles = [W for W in (poids or []) if isinstance(W, torch.Tensor) and W.grad_fn is None
              and id(W) not in inscrits]
    libres = sum(1 for W in isoles if W.requires_grad)
    figes = len(isoles) - libres
    return {"gradients": {nom: bool(p.grad is not None and p.grad.abs().sum() > 0)
                          for nom, p in modele.named_parameters()},
            "appels": list(appels or []), "libres": libres, "figes": figes}


# Trusted kernel-side helper: entrainer_gnn run with the student's GNN class, whose __init__
# is wrapped for the call (then put back) to record the arguments of every GNN it builds
# (mapped to the first three parameters of the student's own __init__, keywords included),
# and the shape of the logits it returns.
@kernel_side(uses=(notebook_namespace,))
def gnn_built(entrainer_gnn, *args, **kwargs):
    """entrainer_gnn(*args, **kwargs): the (d_entree, d_cachee, n_classes) of every GNN it
    builds (None: the notebook has no GNN class) and the shape of what it returns."""
    import inspect

    classe = notebook_namespace(entrainer_gnn).get("GNN")
    construits = []
    if not isinstance(classe, type):
        sortie = entrainer_gnn(*args, **kwargs)
        return {"construits": None, "forme": list(getattr(sortie, "shape", []))}
    avant = classe.__dict__.get("__init__")
    init = classe.__init__

    def enregistreur(self, *a, **k):
        if type(self) is classe:
            try:
                lies = inspect.signature(init).bind(self, *a, **k)
                lies.apply_defaults()
                valeurs = list(lies.arguments.values())[1:4]
                construits.append([int(v) for v in valeurs])
            except (TypeError, ValueError):
                construits.append(None)
        init(self, *a, **k)

    classe.__init__ = enregistreur
    try:
        sortie = entrainer_gnn(*args, **kwargs)
    finally:
        if avant is None:
            del classe.__init__
        else:
            classe.__init__ = avant
    return {"construits": construits, "forme": list(getattr(sortie, "shape", []))}


# Trusted kernel-side helper: entrainer_gnn run with the grader's recording couche_gnn; the
# numbers of rows of the X each layer received during the whole call.
@kernel_side(uses=(notebook_namespace, gnn_records))
def gnn_rows(entrainer_gnn, *args, **kwargs):
    """entrainer_gnn(*args, **kwargs): the numbers of rows of the X that couche_gnn received."""
    appels, _ = gnn_records(notebook_namespace(entrainer_gnn))
    entrainer_gnn(*args, **kwargs)
    return sorted({int(a["X"][0]) for a in (appels or [])})


def _check_whole_graph(submission, X, A, idx, y_idx, graine: int, lr: float) -> None:
    """The statement's transductive learning: the model sees every node's features and the
    whole graph at every epoch, the loss only reads the labelled nodes' logits. A GNN trained
    on the labelled nodes' subgraph (X[idx_train], A[idx_train][:, idx_train]) still clears
    the accuracy bar on these graphs: what its layers received tells it."""
    n = X.shape[0]
    try:
        rows = with_references(submission, GNN_RECORDING, "entrainer_gnn", Ref("entrainer_gnn"),
                               Tensor(X), Tensor(A), Tensor(idx), Tensor(y_idx), N_CLASSES, graine,
                               2, lr, via=gnn_rows.install(submission).name, timeout=TRAIN_TIMEOUT)
    except StudentError as exc:
        raise student_error("entrainer_gnn", exc) from None
    if isinstance(rows, list) and any(isinstance(r, int) and r < n for r in rows):
        raise CheckFailed(
            "entrainer_gnn passe au GNN une partie seulement des nœuds (le sous-graphe des nœuds "
            "étiquetés, X[idx_train] et A[idx_train][:, idx_train] ?) : le modèle voit TOUTES "
            "les caractéristiques et TOUT le graphe à chaque époque (apprentissage transductif), "
            "seule la perte se limite aux nœuds étiquetés, "
            "F.cross_entropy(modele(X, A)[idx_train], y_train)",
            "entrainer_gnn gives the GNN only part of the nodes (the labelled nodes' subgraph, "
            "X[idx_train] and A[idx_train][:, idx_train]?): the model sees ALL the features and "
            "the WHOLE graph at every epoch (transductive learning), only the loss is limited to "
            "the labelled nodes, F.cross_entropy(modele(X, A)[idx_train], y_train)",
        )


def _check_layers(calls: list, n: int, d: int, h: int) -> None:
    """The statement's GNN(d_entree, d_cachee, n_classes): two couche_gnn layers, the first on
    the features X with weights (d_entree, d_cachee), the second with (d_cachee, d_cachee),
    four distinct weight matrices (two layers of their own), then the linear layer."""
    # The class is the student's; the grader builds it with its own sizes.
    fr, en = "votre GNN(d_entree, d_cachee, n_classes)", "your GNN(d_entree, d_cachee, n_classes)"
    built_fr, built_en = "construit par le correcteur", "built by the grader"
    if len(calls) != 2:
        raise CheckFailed(
            f"{fr}, {built_fr}, appelle couche_gnn {len(calls)} fois dans forward : l'énoncé demande deux "
            "couches couche_gnn, puis une couche linéaire",
            f"{en}, {built_en}, calls couche_gnn {len(calls)} times in forward: the statement asks for two "
            "couche_gnn layers, then a linear layer",
        )
    first, second = calls
    if tuple(first["X"]) != (n, d):
        raise CheckFailed(
            f"dans {fr} {built_fr}, la première couche couche_gnn ne reçoit pas les caractéristiques X "
            "elles-mêmes (une projection d'entrée les précède ?) : l'énoncé demande deux couches "
            "couche_gnn sur X, de poids W_soi, W_voisins de forme (d_entree, d_cachee) puis "
            "(d_cachee, d_cachee), puis une couche linéaire",
            f"in {en} {built_en}, the first couche_gnn layer does not receive the features X themselves "
            "(an input projection before it?): the statement asks for two couche_gnn layers on "
            "X, with weights W_soi, W_voisins of shape (d_entree, d_cachee) then (d_cachee, "
            "d_cachee), then a linear layer",
        )
    shapes = [tuple(c[k]) for c in calls for k in ("soi", "voisins")]
    if shapes != [(d, h), (d, h), (h, h), (h, h)]:
        raise CheckFailed(
            f"dans {fr} {built_fr}, les poids des couches couche_gnn n'ont pas la largeur d_cachee : "
            "W_soi et W_voisins sont de forme (d_entree, d_cachee) dans la première couche, "
            "(d_cachee, d_cachee) dans la seconde ; utilisez l'argument d_cachee, pas une "
            "largeur fixe",
            f"in {en} {built_en}, the weights of the couche_gnn layers do not have the width d_cachee: "
            "W_soi and W_voisins are (d_entree, d_cachee) in the first layer, (d_cachee, "
            "d_cachee) in the second; use the d_cachee argument, not a fixed width",
        )
    ids = [i for c in calls for i in c["ids"]]
    if len(set(ids)) != 4:
        raise CheckFailed(
            f"dans {fr} {built_fr}, les deux couches couche_gnn partagent des poids (ou W_soi et "
            "W_voisins sont le même tenseur) : chaque couche a ses propres nn.Parameter W_soi "
            "et W_voisins, quatre matrices en tout",
            f"in {en} {built_en}, the two couche_gnn layers share weights (or W_soi and W_voisins are "
            "the same tensor): each layer has its own nn.Parameter W_soi and W_voisins, four "
            "matrices in all",
        )


def _check_built_width(submission, seed: int) -> None:
    """entrainer_gnn builds GNN(d, 32, n_classes), as the statement says: the student's GNN
    class, its __init__ wrapped, records what it is built with (2 epochs). n_classes is
    passed as 5 on purpose while the labels stay in {0, 1, 2} (a class may have no labelled
    node): every grader graph has 3 classes, the notebook's value, and a model hard-coding 3
    outputs went unseen there. entrainer_mlp is run the same way: its logits must have
    n_classes columns."""
    rng = np.random.default_rng([seed, 10])
    n, d = 45, int(rng.integers(6, 11))
    X, A, y = sbm(rng, n, N_CLASSES, d)
    idx = np.sort(np.concatenate([np.flatnonzero(y == c)[:3] for c in range(N_CLASSES)]))
    y_idx = Tensor(y[idx].astype(np.int64))
    classes = N_PROBE_CLASSES
    graine = int(rng.integers(0, 2**31 - 1))
    try:
        out = with_references(submission, GNN_REFERENCES, "entrainer_gnn", Ref("entrainer_gnn"),
                              Tensor(X), Tensor(A), Tensor(idx), y_idx, classes, graine,
                              n_epoques=2, lr=0.01, via=gnn_built.install(submission).name,
                              timeout=TRAIN_TIMEOUT)
    except StudentError as exc:
        raise student_error("entrainer_gnn", exc) from None
    if not isinstance(out, dict):
        return
    built = out.get("construits")
    if isinstance(built, list) and not built:
        raise CheckFailed(
            "entrainer_gnn ne crée aucun GNN : l'énoncé demande d'entraîner un "
            "GNN(X.shape[1], 32, n_classes), la classe GNN du notebook",
            "entrainer_gnn builds no GNN: the statement asks to train a "
            "GNN(X.shape[1], 32, n_classes), the notebook's GNN class",
        )
    if isinstance(built, list) and isinstance(built[-1], list) and len(built[-1]) == 3:
        args = [int(v) for v in built[-1]]
        if args != [d, 32, classes]:
            wrong_fr = "sa largeur cachée n'est pas 32" if args[1] != 32 else (
                "d_entree n'est pas X.shape[1]" if args[0] != d else
                "n_classes n'est pas l'argument reçu (une valeur fixe ?)")
            wrong_en = "its hidden width is not 32" if args[1] != 32 else (
                "d_entree is not X.shape[1]" if args[0] != d else
                "n_classes is not the argument (a fixed value?)")
            raise CheckFailed(
                f"entrainer_gnn crée un GNN dont {wrong_fr} : l'énoncé demande "
                "GNN(X.shape[1], 32, n_classes)",
                f"entrainer_gnn builds a GNN whose {wrong_en}: the statement asks for "
                "GNN(X.shape[1], 32, n_classes)",
            )
    mlp = None
    try:
        mlp = as_array(with_references(submission, {}, "entrainer_mlp", Tensor(X), Tensor(idx),
                                       y_idx, classes, graine, n_epoques=2, lr=0.01,
                                       timeout=TRAIN_TIMEOUT), "entrainer_mlp", allow_nan=True)
    except StudentError as exc:
        raise student_error("entrainer_mlp", exc) from None
    for name, shape in (("entrainer_gnn", tuple(out.get("forme") or ())), ("entrainer_mlp",
                                                                        mlp.shape)):
        if len(shape) == 2 and shape[0] == n and shape[1] != classes:
            raise CheckFailed(
                f"{name} renvoie {shape[1]} logits par nœud quand n_classes vaut {classes} : "
                "le modèle doit avoir n_classes sorties, l'argument reçu et non une valeur "
                "fixe (GNN(X.shape[1], 32, n_classes), nn.Linear(32, n_classes))",
                f"{label_en(name)} returns {shape[1]} logits per node when n_classes is {classes}: the "
                "model must have n_classes outputs, the argument it receives, not a fixed value "
                "(GNN(X.shape[1], 32, n_classes), nn.Linear(32, n_classes))",
            )


def _gnn_gradient_probe(submission, seed: int) -> object:
    """gnn_gradients on a fresh GNN built by the grader (once per submission: two checks read
    it)."""
    return once_per_submission(submission, "tp07-gnn-gradients",
                               lambda: _run_gnn_gradient_probe(submission, seed))


def _run_gnn_gradient_probe(submission, seed: int) -> object:
    rng = np.random.default_rng([seed, 8])
    # d_cachee: never the 32 entrainer_gnn uses, and drawn, so that a width fixed in
    # GNN.__init__ (any value) shows.
    n, d, h = 40, int(rng.integers(6, 11)), int(rng.choice([12, 20, 24]))
    X, A, _ = sbm(rng, n, N_CLASSES, d)
    R = rng.normal(size=(n, N_CLASSES)).astype(np.float32)
    try:
        out = with_references(submission, GNN_RECORDING, "GNN", Ref("GNN"),
                              int(rng.integers(0, 2**31 - 1)), d, h, N_CLASSES, Tensor(X),
                              Tensor(A), Tensor(R), via=gnn_gradients.install(submission).name)
    except StudentError as exc:
        raise student_error("GNN", exc) from None
    if isinstance(out, dict):
        out = {**out, "taille": (n, d, h)}
    return out


def _check_every_parameter_learns(submission, seed: int) -> None:
    """GNN.forward keeps every parameter in the graph: a .detach() between the layers leaves
    the first layer untrained while the accuracy can still clear the bar."""
    out = _gnn_gradient_probe(submission, seed)
    if not isinstance(out, dict):
        return
    _check_layers(out.get("appels") or [], *out["taille"])
    _check_weights_train(out)


def _check_weights_train(out: dict) -> None:
    """The GNN's weights given to couche_gnn are parameters that get a gradient."""
    if int(out.get("libres") or 0) > 0:
        raise CheckFailed(
            "dans votre GNN(d, h, n_classes), construit par le correcteur, des poids W_soi, W_voisins passés à "
            "couche_gnn ne sont pas des paramètres du module (des tenseurs ordinaires, même avec "
            "requires_grad=True, dans une liste ou un attribut) : modele.parameters(), "
            "state_dict() et .to(appareil) ne les voient pas ; l'énoncé demande des "
            "nn.Parameter, self.W_soi_1 = nn.Parameter(torch.randn(d_entree, d_cachee) / "
            "math.sqrt(d_entree))",
            "in your GNN(d, h, n_classes), built by the grader, some weights W_soi, W_voisins given to couche_gnn "
            "are not parameters of the module (plain tensors, even with requires_grad=True, in a "
            "list or an attribute): modele.parameters(), state_dict() and .to(device) do not see "
            "them; the statement asks for nn.Parameter, self.W_soi_1 = "
            "nn.Parameter(torch.randn(d_entree, d_cachee) / math.sqrt(d_entree))",
        )
    if int(out.get("figes") or 0) > 0:
        raise CheckFailed(
            "dans votre GNN(d, h, n_classes), construit par le correcteur, des poids W_soi, W_voisins passés à "
            "couche_gnn ne s'entraînent pas : ce ne sont pas des paramètres du module et ils ne "
            "demandent pas de gradient (un .detach(), ou un tenseur ordinaire) ; déclarez-les "
            "nn.Parameter dans __init__ et passez-les tels quels à couche_gnn",
            "in your GNN(d, h, n_classes), built by the grader, some weights W_soi, W_voisins given to couche_gnn "
            "do not train: they are not parameters of the module and require no gradient (a "
            ".detach(), or a plain tensor); declare them nn.Parameter in __init__ and pass them "
            "as they are to couche_gnn",
        )
    got = out.get("gradients")
    if not isinstance(got, dict) or not got:
        return  # no parameters: the accuracy checks say what is wrong
    dead = sorted(str(k) for k, v in got.items() if not v)
    if dead:
        raise CheckFailed(
            f"dans votre GNN(d, h, n_classes), construit par le correcteur, les paramètres {', '.join(dead[:6])} ne reçoivent "
            "aucun gradient des logits : une couche est détachée du graphe (.detach() entre les "
            "couches, ou un paramètre inutilisé dans forward) et ne s'entraîne pas",
            f"in your GNN(d, h, n_classes), built by the grader, the parameters {', '.join(dead[:6])} get no gradient "
            "from the logits: a layer is detached from the graph (.detach() between the layers, "
            "or a parameter unused in forward) and does not train",
        )


def _check_seed_is_used(submission, seed: int) -> None:
    """Same graine, same logits; another graine, other logits (short trainings, one graph)."""
    rng = np.random.default_rng([seed, 7])
    n, d = 90, int(rng.integers(6, 11))
    X, A, y = sbm(rng, n, N_CLASSES, d)
    idx = np.sort(np.concatenate([np.flatnonzero(y == c)[:5] for c in range(N_CLASSES)]))
    y_idx = y[idx].astype(np.int64)
    graine = int(rng.integers(0, 2**31 - 1))
    for name, args in (
        ("entrainer_gnn", (Tensor(X), Tensor(A), Tensor(idx), Tensor(y_idx), N_CLASSES)),
        ("entrainer_mlp", (Tensor(X), Tensor(idx), Tensor(y_idx), N_CLASSES)),
    ):
        first, again, other = (
            _node_logits(submission, name, (*args, g, 20), n) for g in (graine, graine, graine + 1)
        )
        if not np.array_equal(first, again) or np.array_equal(first, other):
            raise CheckFailed(
                f"{name} n'est pas reproductible avec sa graine : la même graine doit donner les "
                "mêmes logits, une autre graine d'autres logits ; fixez torch.manual_seed(graine) "
                "au début, avant de créer le modèle",
                f"{label_en(name)} is not reproducible with its seed: the same seed must give the same "
                "logits, another seed other logits; call torch.manual_seed(graine) first, before "
                "building the model",
            )


_GNN_HINT = (
    "le GNN doit agréger les caractéristiques des voisins : chaque couche appelle "
    'couche_gnn(H, A, W_soi, W_voisins, "moyenne") avec la matrice d\'adjacence A reçue '
    "(ni une matrice nulle ni l'identité), et l'entropie croisée ne porte que sur les nœuds "
    "idx_train, comparés à y_train",
    "the GNN must aggregate the neighbours' features: each layer calls "
    'couche_gnn(H, A, W_soi, W_voisins, "moyenne") with the adjacency matrix A it receives '
    "(neither a zero matrix nor the identity), and the cross-entropy only covers the nodes "
    "idx_train, compared with y_train",
)


@pytest.mark.item("gnn_train", points=1)
def test_gnn_accuracy_on_grader_graphs(submission, seed):
    _check_every_parameter_learns(submission, seed)
    _check_seed_is_used(submission, seed)
    r = _nodes(submission, seed)
    score_threshold(
        r.gnn,
        hint=_GNN_HINT,
        full=GNN_FULL,
        partial=[(GNN_PARTIAL, 0.5)],
        what_fr=f"précision moyenne du GNN sur les {r.n_test} nœuds non étiquetés de "
        f"{N_GRAPHS} graphes à communautés du correcteur",
        what_en=f"mean accuracy of the GNN on the {r.n_test} unlabelled nodes of "
        f"{N_GRAPHS} grader community graphs",
    )


@kernel_side(uses=(step_order_call,))
def training_mechanics(fn, *args):
    """Runs in the student's kernel: `fn(*args)` with a global optimiser hook recording, from
    the second step on, whether each parameter's gradient was fresh (False: it was added to the
    previous step's, no zero_grad), the number of optimiser steps and the learning rates; and a
    global forward pre-hook noting the last module called at the top (the model, not one of
    its layers) and its inputs. After the call, that trained model is run on those inputs
    twice in eval mode and twice in training mode, without gradient and with the random state
    put back ("sonde": the four outputs, None when it cannot run): the logits returned must be
    the eval-mode ones when the model draws at random in training mode (a dropout)."""
    import torch
    from torch.nn.modules.module import register_module_forward_pre_hook
    from torch.optim.optimizer import register_optimizer_step_pre_hook

    cumuls, lrs, seen, fresh, handles, steps = [], [], set(), {}, [], [0]
    kinds, shapes = [], []
    derniers, compteur = {}, [0]

    def before_forward(module, entrees):
        compteur[0] += 1
        derniers[id(module)] = (compteur[0], module, entrees)

    def before_step(opt, args_, kwargs_):
        steps[0] += 1
        kinds.append(type(opt).__name__)
        if steps[0] == 1:
            shapes.extend(list(p.shape) for g in opt.param_groups for p in g["params"])
        for group in opt.param_groups:
            lrs.append(float(group.get("lr", float("nan"))))
            for p in group["params"]:
                if id(p) in seen or not p.requires_grad:
                    continue
                key = id(p)
                seen.add(key)
                handles.append(p.register_hook(
                    lambda g, i=key: fresh.__setitem__(i, g.detach().clone())))
                handles.append(p.register_post_accumulate_grad_hook(
                    lambda q, i=key: cumuls.append(bool(torch.allclose(q.grad, fresh[i])))))

    hook = register_optimizer_step_pre_hook(before_step)
    passes = register_module_forward_pre_hook(before_forward)
    try:
        out = step_order_call(fn, *args)
    finally:
        hook.remove()
        passes.remove()
        for h in handles:
            h.remove()
    if isinstance(out, torch.Tensor):
        out = out.detach().cpu()
    sonde = None
    inclus = {id(s) for _, m, _ in derniers.values() for s in m.modules() if s is not m}
    hauts = [v for k, v in derniers.items() if k not in inclus]
    if hauts:
        _, modele, entrees = max(hauts, key=lambda v: v[0])
        etat = modele.training
        try:
            with torch.no_grad(), torch.random.fork_rng(devices=[]):
                modele.eval()
                sorties = [modele(*entrees), modele(*entrees)]
                modele.train()
                sorties += [modele(*entrees), modele(*entrees)]
            sonde = [s.detach().float().cpu() for s in sorties]
        except Exception:  # noqa: BLE001 - a model that cannot run again says nothing here
            sonde = None
        finally:
            modele.train(etat)
    return {"cumuls": cumuls, "steps": steps[0], "lrs": lrs, "logits": out,
            "optimiseurs": sorted(set(kinds)), "formes": shapes, "sonde": sonde}


def _check_evaluation_logits(name: str, out: dict) -> None:
    """The logits returned after training are the trained model's predictions, the ones the
    grader scores: a model that draws at random in training mode (a dropout, which the
    statement allows) must give them in eval mode. training_mechanics ran the trained model
    again on the inputs of its last pass: returned logits other than its eval-mode ones, from
    a model whose two training-mode passes differ, were computed with the dropout on (no
    modele.eval()); a model whose two eval-mode passes differ keeps drawing in eval mode
    (F.dropout(x, p) without training=self.training). Returned logits other than the eval-mode
    ones from a model that never draws (the last training pass's logits, before the last
    step) are not this fault: nothing is said here."""
    probe, logits = out.get("sonde"), out.get("logits")
    if not isinstance(probe, (list, tuple)) or len(probe) != 4 or logits is None:
        return
    try:
        returned = as_array(logits, name, allow_nan=True)
        first, again, train, train_again = (as_array(p, name, allow_nan=True) for p in probe)
    except CheckFailed:
        return
    arrays = (returned, first, again, train, train_again)
    if any(a.shape != returned.shape for a in arrays) or not all(
            np.isfinite(a).all() for a in arrays):
        return
    tol = 1e-4 * (1.0 + float(np.abs(first).max()))
    gap = float(np.abs(returned - first).max())
    record_margin(f"{name}: returned logits vs the trained model's eval-mode logits", gap, tol,
                  higher_is_better=False, kind="tolerance")
    if gap <= tol:
        return
    if float(np.abs(first - again).max()) > tol:
        raise CheckFailed(
            f"{name} : le modèle entraîné donne deux sorties différentes pour la même entrée même "
            "en mode évaluation (modele.eval(), sans gradient) : un dropout écrit F.dropout(x, p) "
            "tire toujours (training=True par défaut), et les logits renvoyés sont tirés au "
            "hasard ; utilisez nn.Dropout(p), que modele.eval() désactive, ou F.dropout(x, p, "
            "training=self.training), puis modele.eval() avant la passe finale",
            f"{label_en(name)}: the trained model gives two different outputs for the same input even in "
            "evaluation mode (modele.eval(), no gradient): a dropout written F.dropout(x, p) "
            "always draws (training=True by default), and the returned logits are drawn at "
            "random; use nn.Dropout(p), which modele.eval() switches off, or F.dropout(x, p, "
            "training=self.training), then modele.eval() before the final pass",
        )
    if float(np.abs(train - train_again).max()) > tol:
        raise CheckFailed(
            f"{name} renvoie des logits calculés avec le dropout encore actif : le modèle est "
            "resté en mode entraînement pour la passe finale, et ses logits changent à chaque "
            "passe ; les logits renvoyés après l'entraînement sont les prédictions du modèle "
            "entraîné, celles que le correcteur évalue : appelez modele.eval() avant la passe "
            "finale (sous torch.no_grad()), qui désactive le dropout",
            f"{label_en(name)} returns logits computed with the dropout still on: the model stayed in "
            "training mode for the final pass, and its logits change at every pass; the logits "
            "returned after training are the trained model's predictions, the ones the grader "
            "scores: call modele.eval() before the final pass (under torch.no_grad()), which "
            "switches the dropout off",
        )


@kernel_side
def gnn_scaled_adjacency(GNN, graine, d, h, c, X, A):
    """Runs in the student's kernel: a fresh GNN's logits on (X, A) and on (X, 2 A), in eval
    mode as an evaluation reads them (a GNN with dropout, which the statement allows, gives
    other logits at every call in training mode)."""
    import torch

    torch.manual_seed(int(graine))
    modele = GNN(d, h, c)
    modele.eval()
    with torch.no_grad():
        return modele(X, A), modele(X, 2 * A)


@kernel_side
def gnn_output_negated(GNN, graine, d, h, c, X, A):
    """Runs in the student's kernel: a fresh GNN(d, h, c)'s logits on (X, A) in eval mode, then
    the same with its output layer negated (every parameter of shape (c, k), (k, c) or (c,):
    the weights and bias of the linear layer k → c, whatever its input width k; no other
    width of the grader's GNN is c), and how many weight matrices were negated (0: no output
    layer found, nothing to judge). A linear output layer gives exactly the opposite logits;
    an activation after it does not."""
    import torch

    torch.manual_seed(int(graine))
    modele = GNN(d, h, c)
    modele.eval()
    sortie = [p for p in modele.parameters()
              if (p.ndim == 2 and int(c) in tuple(p.shape)) or tuple(p.shape) == (int(c),)]
    matrices = sum(1 for p in sortie if p.ndim == 2)
    with torch.no_grad():
        avant = modele(X, A)
        if not matrices:
            return avant, avant, 0
        for p in sortie:
            p.neg_()
        apres = modele(X, A)
    return avant, apres, matrices


def _check_linear_output(submission, graine: int, d: int, h: int, X: np.ndarray,
                         A: np.ndarray) -> None:
    """The statement's GNN ends with a linear layer giving the logits: negating that layer's
    parameters negates them (up to a shift per node, which log_softmax adds and the
    cross-entropy ignores). A ReLU on the logits (torch.relu(self.sortie(H))) clips them at
    0: relu(z) and relu(−z) are not opposite; the accuracy checks do not see it."""
    n = X.shape[0]
    try:
        plain, negated, count = with_references(
            submission, GNN_REFERENCES, "GNN", Ref("GNN"), graine, d, h, N_CLASSES, Tensor(X),
            Tensor(A), via=gnn_output_negated.install(submission).name)
    except StudentError as exc:
        raise student_error("GNN", exc) from None
    if not isinstance(count, int) or count == 0:
        return  # no weight matrix of the output layer's shapes: the other checks judge it
    plain = as_array(plain, "GNN", shape=(n, N_CLASSES), allow_nan=True)
    negated = as_array(negated, "GNN", shape=(n, N_CLASSES), allow_nan=True)
    if not (np.isfinite(plain).all() and np.isfinite(negated).all()):
        return
    centred = (plain - plain.mean(axis=1, keepdims=True)) + (
        negated - negated.mean(axis=1, keepdims=True))
    gap = float(np.abs(centred).max())
    tol = 1e-4 * (1.0 + float(np.abs(plain).max()))
    record_margin("GNN logits plus those of the negated output layer (centred per node)", gap,
                  tol, higher_is_better=False, kind="tolerance")
    if gap <= tol:
        return
    never_negative = float(min(plain.min(), negated.min())) >= 0.0
    what = (("les logits ne sont jamais négatifs : une ReLU s'applique après la couche de "
             "sortie (torch.relu(self.sortie(H)))",
             "the logits are never negative: a ReLU is applied after the output layer "
             "(torch.relu(self.sortie(H)))") if never_negative else
            ("une activation s'applique après la couche de sortie",
             "an activation is applied after the output layer"))
    raise CheckFailed(
        f"GNN(d, h, n_classes) : les logits ne sont pas une fonction linéaire de la dernière "
        f"couche cachée ; {what[0]} : l'énoncé demande une couche linéaire vers les n_classes "
        "logits, return self.sortie(H), sans activation ni softmax après elle (un logit négatif "
        "est un logit comme un autre, F.cross_entropy applique lui-même le softmax)",
        f"GNN(d, h, n_classes): the logits are not a linear function of the last hidden layer; "
        f"{what[1]}: the statement asks for a linear layer to the n_classes logits, return "
        "self.sortie(H), with no activation or softmax after it (a negative logit is a logit "
        "like any other, F.cross_entropy applies the softmax itself)",
    )


def _mechanics(submission, name: str, args) -> dict:
    try:
        out = with_references(submission, _gnn_refs(name), name, Ref(name), *args,
                              via=training_mechanics.install(submission).name,
                              timeout=TRAIN_TIMEOUT)
    except StudentError as exc:
        raise student_error(name, exc) from None
    if not isinstance(out, dict):
        raise CheckFailed(f"{name} : résultat inattendu", f"{label_en(name)}: unexpected result")
    return out


@pytest.mark.item("gnn_train", points=0.5)
def test_gnn_and_mlp_training_mechanics(submission, seed):
    """The mechanism behind the accuracies, which a faulty loop can still reach: fresh
    gradients at every step (zero_grad), n_epoques and lr used, a GNN that averages over the
    neighbours ("moyenne": doubling A changes nothing when every node has a neighbour) and an
    MLP that is not affine in X (its activation)."""
    rng = np.random.default_rng([seed, 9])
    n, d = 60, int(rng.integers(6, 11))
    X, A, y = sbm(rng, n, N_CLASSES, d)
    ring = np.roll(np.eye(n, dtype=A.dtype), 1, axis=1)
    A = np.maximum(A, np.maximum(ring, ring.T))  # every node has a neighbour
    idx = np.sort(np.concatenate([np.flatnonzero(y == c)[:5] for c in range(N_CLASSES)]))
    y_idx = y[idx].astype(np.int64)
    graine = int(rng.integers(0, 2**31 - 1))
    lr = float(rng.choice([0.003, 0.02, 0.05]))
    for name, args in (
        ("entrainer_gnn", (Tensor(X), Tensor(A), Tensor(idx), Tensor(y_idx), N_CLASSES)),
        ("entrainer_mlp", (Tensor(X), Tensor(idx), Tensor(y_idx), N_CLASSES)),
    ):
        short = _mechanics(submission, name, (*args, graine, 3, lr))
        long = _mechanics(submission, name, (*args, graine, 6, lr))
        if looks_like_probabilities(long.get("logits")):
            raise CheckFailed(
                f"{name} renvoie des probabilités (des lignes positives de somme 1) au lieu des "
                "logits : retirez le softmax (du forward ou du résultat) ; F.cross_entropy attend "
                "des logits et applique lui-même le softmax",
                f"{label_en(name)} returns probabilities (non-negative rows summing to 1) instead of the "
                "logits: remove the softmax (from forward or from the result); F.cross_entropy "
                "expects logits and applies the softmax itself",
            )
        check_fresh_gradients(long["cumuls"], name)
        if not 0 < short["steps"] < long["steps"]:
            raise CheckFailed(
                f"{name} fait {short['steps']} pas d'optimisation avec n_epoques=3 et "
                f"{long['steps']} avec n_epoques=6 : entraînez pendant n_epoques époques "
                "(l'argument reçu, pas une valeur fixe), avec optimiseur.step() à chaque époque",
                f"{label_en(name)} makes {short['steps']} optimiser steps with n_epoques=3 and "
                f"{long['steps']} with n_epoques=6: train for n_epoques epochs (the argument, not "
                "a fixed value), with optimiser.step() at every epoch",
            )
        if not long["lrs"] or abs(long["lrs"][0] - lr) > 1e-12 * max(1.0, lr):
            raise CheckFailed(
                f"{name} n'utilise pas son argument lr : créez l'optimiseur avec "
                "torch.optim.Adam(modele.parameters(), lr=lr)",
                f"{label_en(name)} does not use its lr argument: build the optimiser with "
                "torch.optim.Adam(modele.parameters(), lr=lr)",
            )
        kinds = [str(k) for k in long.get("optimiseurs") or []]
        if kinds and not set(kinds) <= {"Adam", "AdamW"}:
            raise CheckFailed(
                f"{name} entraîne avec {', '.join(kinds)[:60]} : l'énoncé demande Adam, "
                "torch.optim.Adam(modele.parameters(), lr=lr)",
                f"{label_en(name)} trains with {', '.join(kinds)[:60]}: the statement asks for Adam, "
                "torch.optim.Adam(modele.parameters(), lr=lr)",
            )
        if name == "entrainer_mlp":
            mats = sorted(tuple(int(v) for v in f) for f in long.get("formes") or [] if len(f) == 2)
            layouts = (sorted([(32, d), (N_CLASSES, 32)]), sorted([(d, 32), (32, N_CLASSES)]))
            if mats and mats not in layouts:
                raise CheckFailed(
                    "entrainer_mlp n'entraîne pas un MLP d → 32 → n_classes : ses matrices de "
                    "poids n'ont pas ces largeurs (une couche cachée de 32 neurones, "
                    "nn.Linear(X.shape[1], 32) puis nn.Linear(32, n_classes))",
                    "entrainer_mlp does not train a d → 32 → n_classes MLP: its weight matrices "
                    "do not have these widths (one hidden layer of 32 units, "
                    "nn.Linear(X.shape[1], 32) then nn.Linear(32, n_classes))",
                )
            logits = as_array(long["logits"], name, shape=(n, N_CLASSES), allow_nan=True)
            if np.isfinite(logits).all():
                design = np.hstack([X.astype(np.float64), np.ones((n, 1))])
                coef = np.linalg.lstsq(design, logits.astype(np.float64), rcond=None)[0]
                spread = np.linalg.norm(logits - logits.mean(axis=0)) + 1e-12
                residual = float(np.linalg.norm(design @ coef - logits) / spread)
                record_margin("non-affine part of the MLP's logits (relative)", residual, 1e-3,
                              higher_is_better=True)
                if residual < 1e-3:
                    raise CheckFailed(
                        "les logits de entrainer_mlp sont une fonction affine de X : le MLP "
                        "d → 32 → n_classes n'a pas d'activation entre ses deux couches linéaires "
                        "(ajoutez nn.ReLU()) ; sans elle, il n'est qu'une régression linéaire",
                        "the logits of entrainer_mlp are an affine function of X: the "
                        "d → 32 → n_classes MLP has no activation between its two linear layers "
                        "(add nn.ReLU()); without it, it is only a linear regression",
                    )
        _check_evaluation_logits(name, long)
    _check_built_width(submission, seed)
    _check_whole_graph(submission, X, A, idx, y_idx, graine, lr)
    for name, args, names in (
        ("entrainer_gnn", (Tensor(X), Tensor(A), Tensor(idx), Tensor(y_idx), N_CLASSES, graine, 2, lr),
         {0: "X", 1: "A", 2: "idx_train", 3: "y_train"}),
        ("entrainer_mlp", (Tensor(X), Tensor(idx), Tensor(y_idx), N_CLASSES, graine, 2, lr),
         {0: "X", 1: "idx_train", 2: "y_train"}),
    ):
        try:
            assert_arguments_untouched(
                submission, name, args, names, references=_gnn_refs(name) or None,
                hint_fr="calculez sur de nouveaux tenseurs (A_boucles = A + torch.eye(n), "
                "X_norm = (X - X.mean(0)) / X.std(0)), sans opération en place (+=, -=, /=, "
                ".fill_diagonal_()) sur X, A, idx_train ou y_train : le notebook les réutilise "
                "pour l'autre modèle et pour mesurer la précision",
                hint_en="compute on new tensors (A_loops = A + torch.eye(n), "
                "X_norm = (X - X.mean(0)) / X.std(0)), without in-place operations (+=, -=, /=, "
                ".fill_diagonal_()) on X, A, idx_train or y_train: the notebook reuses them for "
                "the other model and to measure the accuracy",
            )
        except StudentError as exc:
            raise student_error(name, exc) from None
    try:
        plain, doubled = with_references(submission, GNN_REFERENCES, "GNN", Ref("GNN"), graine,
                                         d, int(rng.choice([12, 20, 24])), N_CLASSES, Tensor(X),
                                         Tensor(A),
                                         via=gnn_scaled_adjacency.install(submission).name)
    except StudentError as exc:
        raise student_error("GNN", exc) from None
    plain = as_array(plain, "GNN", shape=(n, N_CLASSES), allow_nan=True)
    doubled = as_array(doubled, "GNN", shape=(n, N_CLASSES), allow_nan=True)
    gap = float(np.abs(plain - doubled).max())
    tol = 1e-4 * (1.0 + float(np.abs(plain).max()))
    record_margin("change of the GNN's logits when A is doubled", gap, tol, higher_is_better=False,
                  kind="tolerance")
    if not gap <= tol:
        raise CheckFailed(
            "GNN(d, h, n_classes) : sur un graphe où chaque nœud a au moins un voisin, "
            "doubler A change les logits : les couches n'agrègent pas par la moyenne des voisins ; "
            'appelez couche_gnn(H, A, W_soi, W_voisins, "moyenne") dans chaque couche',
            "GNN(d, h, n_classes): on a graph where every node has a neighbour, doubling A "
            "changes the logits: the layers do not average over the neighbours; call "
            'couche_gnn(H, A, W_soi, W_voisins, "moyenne") in every layer',
        )
    _check_linear_output(submission, graine, d, int(rng.choice([12, 20, 24])), X, A)


@kernel_side(uses=(notebook_namespace,))
def gnn_weights_moved(entrainer_gnn, *args):
    """entrainer_gnn(*args) run with the copying couche_gnn: the number of weight tensors
    given to couche_gnn more than once (the same storage) and how many of them end the
    training as they began (None when couche_gnn is not a function)."""
    import inspect

    import torch

    couche = notebook_namespace(entrainer_gnn).get("couche_gnn")
    if not inspect.isfunction(couche):
        return None
    copies = vars(couche).setdefault("copies", [])
    del copies[:]
    entrainer_gnn(*args)
    premieres, dernieres, vues = {}, {}, {}
    for adresse, W in copies:
        premieres.setdefault(adresse, W)
        dernieres[adresse] = W
        vues[adresse] = vues.get(adresse, 0) + 1
    suivis = [a for a, n in vues.items() if n > 1]
    figes = sum(1 for a in suivis if premieres[a].shape == dernieres[a].shape
                and bool(torch.equal(premieres[a], dernieres[a])))
    del copies[:]
    return {"suivis": len(suivis), "figes": figes}


def _check_weights_move(submission, seed: int) -> None:
    """Blind r22: a GNN whose message-passing weights never train (plain tensors left out of
    the optimiser, a .detach() between the layers) trails the MLP by a margin that depends on
    the grader's graphs: this check passed on some variants and failed on others with a hint
    about the adjacency matrix. What the training does to the weights given to couche_gnn is
    read directly (a few epochs on a small grader graph): they must move. Plain tensors that
    the optimiser receives by hand do train (blind r7's answer): only the rule on
    nn.Parameter, in test_gnn_accuracy_on_grader_graphs, costs them points."""
    rng = np.random.default_rng([seed, 9])
    n, d = 60, int(rng.integers(6, 11))
    X, A, y = sbm(rng, n, N_CLASSES, d)
    idx = np.sort(np.concatenate([np.flatnonzero(y == c)[:5] for c in range(N_CLASSES)]))
    try:
        out = with_references(submission, GNN_COPYING, "entrainer_gnn", Ref("entrainer_gnn"),
                              Tensor(X), Tensor(A), Tensor(idx), Tensor(y[idx].astype(np.int64)),
                              N_CLASSES, int(rng.integers(0, 2**31 - 1)), 3, 0.01,
                              via=gnn_weights_moved.install(submission).name,
                              timeout=TRAIN_TIMEOUT)
    except SubmissionError:
        return  # the accuracy checks say what fails
    if not isinstance(out, dict) or not int(out.get("figes") or 0):
        return
    raise CheckFailed(
        "le GNN ne peut pas battre le MLP : entrainer_gnn n'entraîne pas les poids W_soi, "
        "W_voisins de ses couches couche_gnn (sur un graphe du correcteur, "
        f"{int(out['figes'])} d'entre eux finissent l'entraînement tels qu'ils l'ont commencé) : "
        "ils ne sont pas dans modele.parameters() (des tenseurs ordinaires au lieu de "
        "nn.Parameter) ou ne reçoivent aucun gradient (un .detach()) ; seule la couche de sortie "
        "apprend, sur des caractéristiques agrégées au hasard",
        "the GNN cannot beat the MLP: entrainer_gnn does not train the weights W_soi, W_voisins "
        "of its couche_gnn layers (on a grader graph, "
        f"{int(out['figes'])} of them end the training as they began): they are not in "
        "modele.parameters() (plain tensors instead of nn.Parameter) or get no gradient (a "
        ".detach()); only the output layer learns, on randomly aggregated features",
    )


@pytest.mark.item("gnn_train", points=1)
def test_gnn_beats_features_only_mlp(submission, seed):
    _check_weights_move(submission, seed)
    r = _nodes(submission, seed)
    record_margin(f"MLP accuracy vs the grader's logistic regression − {MLP_FLOOR_GAP:g}",
                  r.mlp, r.logreg - MLP_FLOOR_GAP, higher_is_better=True)
    if r.mlp < r.logreg - MLP_FLOOR_GAP:
        raise CheckFailed(
            f"votre MLP n'atteint que {r.mlp:.3f} de précision sur les nœuds non étiquetés, bien "
            "moins qu'une régression logistique du correcteur sur les mêmes caractéristiques : "
            "la comparaison avec le GNN n'est pas équitable ; entraînez le MLP "
            "d → 32 → n_classes comme le GNN (Adam, 200 époques, perte sur idx_train)",
            f"your MLP only reaches {r.mlp:.3f} accuracy on the unlabelled nodes, far below a "
            "grader logistic regression on the same features: the comparison "
            "with the GNN is not fair; train the d → 32 → n_classes MLP like the GNN (Adam, 200 "
            "epochs, loss on idx_train)",
        )
    score_threshold(
        r.gnn - r.mlp,
        hint=(
            f"votre GNN ne fait pas nettement mieux qu'un modèle qui ignore le graphe ; {_GNN_HINT[0]}",
            f"your GNN does not clearly beat a model that ignores the graph; {_GNN_HINT[1]}",
        ),
        full=MARGIN_FULL,
        partial=[(MARGIN_PARTIAL, 0.5)],
        what_fr=f"écart de précision GNN − MLP sur les nœuds non étiquetés (GNN {r.gnn:.3f}, "
        f"MLP {r.mlp:.3f})",
        what_en=f"accuracy gap GNN − MLP on the unlabelled nodes (GNN {r.gnn:.3f}, MLP {r.mlp:.3f})",
        fmt="{:+.3f}",
    )


# ---------------------------------------------------------------- character-level Transformer


def _logits(submission, label: str, model, X: np.ndarray, references: bool,
            shorter: bool = False, quoi: str = "tout") -> np.ndarray:
    """The model's logits on X; with `references`, run with the grader's attention and MHA
    (the grader's attention only with quoi="attention"). `shorter`: X is shorter than the
    model's contexte, which the same model has just run on; an error there is named as the
    length's."""
    if not references:
        got = guarded(submission, label, model, Tensor(X), via=model_logits.install(submission).name,
                      uses=("attention", "attention_multi_tetes"))
    elif not shorter:
        got = with_grader_attention(submission, label, model_logits.install(submission).name,
                                    model, Tensor(X), quoi=quoi)
    else:
        try:
            got = grader_attention_call(submission, label, model_logits.install(submission).name,
                                        model, Tensor(X), quoi="tout")
        except StudentError as exc:
            if exc.ename in ("NotImplementedError", "NameError") or "TP07_" in exc.evalue:
                raise transformer_error(submission, label, exc) from None
            raise CheckFailed(
                f"{label} marche sur une suite de contexte caractères mais lève {exc.ename} sur "
                "une suite plus courte : le modèle doit accepter toute longueur T ≤ contexte "
                "(generer lui donne des débuts plus courts) ; prenez T = idx.shape[1], les "
                "positions 0, …, T − 1, torch.arange(T) (pas arange(contexte)), et un masque "
                "causal (T, T)",
                f"{label_en(label)} works on a sequence of contexte characters but raises {exc.ename} on "
                "a shorter one: the model must accept any length T ≤ contexte (generer gives it "
                "shorter prompts); take T = idx.shape[1], the positions 0, …, T − 1, "
                "torch.arange(T) (not arange(contexte)), and a (T, T) causal mask",
            ) from None
    return as_array(got, label, allow_nan=True)


def _causality_gap(submission, label: str, model, X: np.ndarray, t: int, rng, vocab: int, device,
                   references: bool = False, quoi: str = "tout"):
    """(largest change of the logits up to t, scale) when the characters after t change."""
    X2 = X.copy()
    future = X2[:, t + 1 :]
    X2[:, t + 1 :] = (future + rng.integers(1, vocab, size=future.shape)) % vocab
    both = np.concatenate([X, X2])
    logits = _finite_logits(submission, label, model, both, vocab, references, quoi=quoi)
    B = len(X)
    gap = float(np.abs(logits[:B, : t + 1] - logits[B:, : t + 1]).max())
    tol = tolerance_for(device, "float32") * (1.0 + float(np.abs(logits).max()))
    return gap, tol


def _finite_logits(submission, label: str, model, X: np.ndarray, vocab: int,
                   references: bool, shorter: bool = False, quoi: str = "tout") -> np.ndarray:
    """The model's logits on X, of shape (B, T, vocab) and finite (else the check fails)."""
    logits = _logits(submission, label, model, X, references, shorter, quoi)
    if logits.shape[:2] != X.shape or logits.ndim != 3 or logits.shape[2] != vocab:
        raise CheckFailed(
            f"{label} donne des logits de forme {logits.shape} pour une entrée (B, T) : "
            "(B, T, vocab) attendu",
            f"{label_en(label)} gives logits of shape {logits.shape} for a (B, T) input: "
            "(B, T, vocab) expected",
        )
    if not np.isfinite(logits).all():
        if causal_mask_is_wrong(submission, X.shape[1]):
            raise mask_nan_error(label)
        fault = None if references else dependency_fault(
            submission, ("attention", "attention_multi_tetes"))
        if fault is not None:
            raise CheckFailed(f"{label} donne des logits non finis (NaN ou inf) : {fault[0]}",
                              f"{label_en(label)} gives non-finite logits (NaN or inf): {fault[1]}")
        raise CheckFailed(
            f"{label} donne des logits non finis (NaN ou inf)",
            f"{label_en(label)} gives non-finite logits (NaN or inf)",
        )
    return logits


def _prefix_gap(submission, label: str, model, X: np.ndarray, short: int, vocab: int, device):
    """(largest gap between the logits of X[:, :short] and the first `short` logits of X,
    scale). The output at t reads the characters 0, …, t only: a sequence shorter than
    contexte gives the same first outputs as a longer one that starts alike. A correct model
    differs by float32 rounding only (other matrix sizes): 1e-6 of the logits' scale, with
    masks sliced from a buffer, blocks in an nn.Sequential or GELU's tanh form alike; the
    tolerance is tolerance_for(device, float32) of that scale (1e-3 on the CPU). Positions
    counted from the end of the context, arange(contexte − T, contexte), or reversed, give
    every short position another embedding: a gap of the order of the logits themselves."""
    full = _finite_logits(submission, label, model, X, vocab, references=True)
    part = _finite_logits(submission, label, model, X[:, :short], vocab, references=True,
                          shorter=True)
    gap = float(np.abs(part - full[:, :short]).max())
    tol = tolerance_for(device, "float32") * (1.0 + float(np.abs(full).max()))
    return gap, tol


@kernel_side
def position_indices(modele, idx, contexte):
    """Runs in the student's kernel: what each nn.Embedding of `contexte` rows (the position
    table) receives in one forward pass on idx (B, T): "zero" when every row it is given is
    0, …, T − 1, "autres" when one is not, None when no such table runs (a position table
    kept as an nn.Parameter) or the model raises."""
    import torch

    tables = [m for m in modele.modules()
              if isinstance(m, torch.nn.Embedding) and m.num_embeddings == int(contexte)]
    recues = []
    crochets = [m.register_forward_pre_hook(
        lambda m, e: recues.append(e[0].detach().cpu()) if e and isinstance(e[0], torch.Tensor) else None)
        for m in tables]
    try:
        appareil = next(modele.parameters()).device
    except StopIteration:
        appareil = torch.device("cpu")
    modele.eval()
    try:
        with torch.no_grad():
            modele(idx.to(appareil))
    except Exception:  # noqa: BLE001 - the check itself reports the model's errors
        return None
    finally:
        for c in crochets:
            c.remove()
    if not recues:
        return None
    T = int(idx.shape[1])
    for r in recues:
        if r.ndim == 0 or r.shape[-1] != T or not bool((r.reshape(-1, T) == torch.arange(T)).all()):
            return "autres"
    return "zero"


def _prefix_fault(submission, label: str, model, X: np.ndarray, contexte: int,
                  gap: float) -> CheckFailed:
    """The message for a model whose first outputs change with the length of the sequence:
    the position table's indices named when the probe sees them."""
    try:
        seen = with_grader_attention(submission, label, position_indices.install(submission).name,
                                     model, Tensor(X), contexte, quoi="tout")
    except (CheckFailed, SubmissionError):
        seen = None
    if seen == "autres":
        return CheckFailed(
            f"{label} : sur une suite de T < contexte caractères, les logits des premières "
            f"positions ne sont pas ceux d'une suite plus longue qui commence pareil (écart "
            f"{fmt_order(gap)}) : votre plongement de position ne reçoit pas les positions "
            "0, …, T − 1 ; le caractère en position t reçoit le plongement de la position t, "
            "self.position(torch.arange(T)) avec T = idx.shape[1], quel que soit contexte (pas "
            "des positions comptées depuis la fin du contexte) : la sortie en t ne dépend que "
            "des caractères 0, …, t, pas du nombre de caractères qui suivent (generer donne au "
            "modèle des débuts plus courts que contexte)",
            f"{label_en(label)}: on a sequence of T < contexte characters, the logits of the first "
            f"positions are not those of a longer sequence that starts alike (gap "
            f"{fmt_order(gap)}): your position embedding does not receive the positions "
            "0, …, T − 1; the character at position t gets the embedding of position t, "
            "self.position(torch.arange(T)) with T = idx.shape[1], whatever contexte (not "
            "positions counted from the end of the context): the output at t depends on the "
            "characters 0, …, t only, not on how many characters follow (generer gives the "
            "model prompts shorter than contexte)",
        )
    return CheckFailed(
        f"{label} : sur une suite de T < contexte caractères, les logits des premières "
        f"positions ne sont pas ceux d'une suite plus longue qui commence pareil (écart "
        f"{fmt_order(gap)}) : la sortie en position t ne doit dépendre que des caractères "
        "0, …, t, pas du nombre de caractères qui suivent ni de contexte ; prenez T = "
        "idx.shape[1], le plongement des positions 0, …, T − 1, self.position(torch.arange(T)), "
        "et un masque causal (T, T) (generer donne au modèle des débuts plus courts que "
        "contexte)",
        f"{label_en(label)}: on a sequence of T < contexte characters, the logits of the first positions "
        f"are not those of a longer sequence that starts alike (gap {fmt_order(gap)}): the "
        "output at position t must depend on the characters 0, …, t only, not on how many "
        "characters follow nor on contexte; take T = idx.shape[1], the embedding of the "
        "positions 0, …, T − 1, self.position(torch.arange(T)), and a (T, T) causal mask "
        "(generer gives the model prompts shorter than contexte)",
    )


def _wrong_causal_mask(submission, T: int) -> bool:
    """Whether the student's masque_causal(T) lets a position see the future (or hides the
    past): its True entries are not the lower triangle j <= i."""
    try:
        raw = submission.call("masque_causal", T)
        mask = as_array(raw, "masque_causal", shape=(T, T), dtype=None)
    except (StudentError, CheckFailed):
        return False
    return not np.array_equal(mask != 0, np.tril(np.ones((T, T), dtype=bool)))


def _random_in_eval(label: str) -> CheckFailed:
    """A model (or block) whose eval-mode outputs change from one call to the next: a dropout
    that stays on outside training (F.dropout's training=True by default), named before the
    causality or the MLP, which such outputs cannot show."""
    return CheckFailed(
        f"{label} donne deux sorties différentes pour la même entrée en mode évaluation "
        "(modele.eval(), sans gradient) : un tirage aléatoire reste actif hors de "
        "l'entraînement, sans doute un dropout écrit F.dropout(x, p), qui tire toujours "
        "(training=True par défaut) ; utilisez nn.Dropout(p), que modele.eval() désactive, ou "
        "F.dropout(x, p, training=self.training) : en évaluation, le modèle doit être "
        "déterministe",
        f"{label_en(label)} gives two different outputs for the same input in evaluation mode "
        "(modele.eval(), no gradient): a random draw stays active outside training, probably "
        "a dropout written F.dropout(x, p), which always draws (training=True by default); use "
        "nn.Dropout(p), which modele.eval() switches off, or F.dropout(x, p, "
        "training=self.training): in evaluation, the model must be deterministic",
    )


def _check_model_deterministic(submission, label: str, model, X: np.ndarray, vocab: int, device,
                               references: bool) -> None:
    """The model run twice on X in eval mode gives the same logits (float32 rounding apart)."""
    first = _finite_logits(submission, label, model, X, vocab, references)
    again = _finite_logits(submission, label, model, X, vocab, references)
    gap = float(np.abs(first - again).max())
    tol = tolerance_for(device, "float32") * (1.0 + float(np.abs(first).max()))
    record_margin("gap between two eval-mode runs of a model on the same input", gap, tol,
                  higher_is_better=False, kind="tolerance")
    if gap > tol:
        raise _random_in_eval(label)


def _not_causal(label: str, t: int, gap: float, mask_wrong: bool = False) -> CheckFailed:
    if mask_wrong:
        return CheckFailed(
            f"{label} n'est pas causal : en changeant les caractères après la position {t}, les "
            f"logits des positions 0 à {t} changent (écart {fmt_order(gap)}) ; votre masque_causal(T) "
            "n'est pas la matrice triangulaire inférieure (True en (i, j) si j <= i) : il laisse "
            "les positions voir le futur ; corrigez masque_causal (torch.tril, voir sa "
            "vérification)",
            f"{label_en(label)} is not causal: changing the characters after position {t} changes the logits "
            f"of positions 0 to {t} (gap {fmt_order(gap)}); your masque_causal(T) is not the lower "
            "triangular matrix (True at (i, j) when j <= i): it lets the positions see the "
            "future; fix masque_causal (torch.tril, see its check)",
        )
    return CheckFailed(
        f"{label} n'est pas causal : en changeant les caractères après la position {t}, les "
        f"logits des positions 0 à {t} changent (écart {fmt_order(gap)}) ; le modèle lit le futur, "
        "donc le caractère qu'il doit prédire : passez masque_causal(T) à attention_multi_tetes "
        "dans chaque bloc (softmax sur les clés, positions interdites à −∞)",
        f"{label_en(label)} is not causal: changing the characters after position {t} changes the logits "
        f"of positions 0 to {t} (gap {fmt_order(gap)}); the model reads the future, hence the character "
        "it must predict: pass masque_causal(T) to attention_multi_tetes in every block "
        "(softmax over the keys, forbidden positions at −∞)",
    )


def _redrawn(submission, label: str, rng, vocab: int, d: int, heads: int, layers: int, T: int):
    """A fresh PetitTransformer whose parameters the grader redraws at REINIT_SCALE."""
    model = build_transformer(submission, label, int(rng.integers(0, 2**31)), vocab, d=d,
                              n_tetes=heads, n_couches=layers, contexte=T)
    guarded(submission, label, model, int(rng.integers(0, 2**31)), REINIT_SCALE,
            via=redraw_parameters.install(submission).name)
    return model


_SMALL_TRANSFORMER = built_by_grader("PetitTransformer(vocab, d, n_tetes, n_couches, contexte)")


@pytest.mark.item("transformer", points=0.5)
def test_transformer_is_causal(submission, rng, seed, device):
    for _ in range(2):
        vocab, heads = int(rng.integers(8, 21)), int(rng.choice([2, 4]))
        d, layers = heads * int(rng.integers(4, 9)), int(rng.integers(1, 3))
        T = int(rng.integers(10, 21))
        if vocab == T:  # the position table is then the one nn.Embedding of contexte rows
            vocab += 1
        label = _SMALL_TRANSFORMER
        model = _redrawn(submission, label, rng, vocab, d, heads, layers, T)
        X = rng.integers(0, vocab, size=(4, T))
        t = int(rng.integers(1, T // 3 + 1))
        _check_model_deterministic(submission, label, model, X, vocab, device, references=True)
        # With the grader's attention and MHA: a fault there costs points in their own items.
        gap, tol = _causality_gap(submission, label, model, X, t, rng, vocab, device,
                                  references=True)
        record_margin("causality gap of a re-drawn PetitTransformer", gap, tol,
                      higher_is_better=False, kind="tolerance")
        if gap > tol:
            raise _not_causal(label, t, gap, _wrong_causal_mask(submission, T))
        # The same model on a shorter sequence (T' < contexte, as generer's prompt): its
        # outputs are the first T' outputs of the longer one.
        short = int(rng.integers(2, T - 1))
        gap, tol = _prefix_gap(submission, label, model, X, short, vocab, device)
        record_margin("gap between a shorter sequence's logits and the first ones of a longer",
                      gap, tol, higher_is_better=False, kind="tolerance")
        if gap > tol:
            raise _prefix_fault(submission, label, model, X[:, :short], T, gap)


@pytest.mark.item("transformer", points=0.5)
def test_transformer_residuals_and_positions(submission, rng):
    """The architecture, not the training: residual connections, then position embeddings.

    A block x + MHA(LN1(x)), then x + MLP(LN2(x)), whose parameters are all zero is the
    identity; without a residual connection it gives 0 (or LN(x) after a post-norm). A
    PetitTransformer fed one character repeated T times gives the same logits at every
    position unless it adds the embedding of the position.
    """
    heads = int(rng.choice([2, 4]))
    d, B, T = heads * int(rng.integers(4, 9)), int(rng.integers(2, 4)), int(rng.integers(5, 11))
    x = rng.normal(size=(B, T, d)).astype(np.float32) * 2
    label = built_by_grader("BlocTransformer(d, n_tetes)")
    graine = int(rng.integers(0, 2**31))
    _check_block_deterministic(submission, label, graine, d, heads, x)
    try:
        out = as_array(
            with_grader_attention(submission, label, zeroed_block.install(submission).name,
                                  Ref("BlocTransformer"), graine, d, heads, Tensor(x), quoi="tout"),
            label,
            shape=x.shape,
            allow_nan=True,
        )
    except CheckFailed as failed:
        # A block that hard-codes its head count fails on a width that count does not
        # divide, with a shape error: name the cause when the heads probe finds it.
        try:
            wrong = _heads_passed_on(submission, np.random.default_rng(graine))
        except CheckFailed:
            wrong = None  # the probe fails too: the first error says more
        if wrong is None:
            raise failed from None
        raise _heads_failure(wrong) from None
    if not np.isfinite(out).all() and causal_mask_is_wrong(submission, T):
        raise mask_nan_error(label)
    err = float(np.abs(out - x).max()) if np.isfinite(out).all() else math.inf
    record_margin("gap to the identity of a zeroed block", err, 1e-4 * (1 + np.abs(x).max()),
                  higher_is_better=False, kind="tolerance")
    if err > 1e-4 * (1 + np.abs(x).max()):
        # Post-norm, x = LN(x + sous_couche(x)): the zeroed block gives 0 as a block without
        # residual does; with the LayerNorm weights at 1 it gives LN(x), the block without
        # residual still 0 and a pre-norm block x.
        normed = as_array(
            with_grader_attention(submission, label, zeroed_block.install(submission).name,
                                  Ref("BlocTransformer"), int(rng.integers(0, 2**31)), d, heads,
                                  Tensor(x), True, quoi="tout"),
            label, shape=x.shape, allow_nan=True,
        )
        z = (x - x.mean(axis=-1, keepdims=True)) / np.sqrt(x.var(axis=-1, keepdims=True) + 1e-5)
        if np.isfinite(normed).all() and np.abs(normed - z).max() <= 1e-3 * (1 + np.abs(z).max()):
            # A post-norm block and one that normalises x itself before the sum (x = LN1(x),
            # then x + MHA(x)) both give LN(x) here.
            raise CheckFailed(
                f"{label} : la LayerNorm s'applique AVANT chaque sous-couche (pre-norm), sur "
                "l'entrée de la sous-couche seulement : x = x + MHA(LN1(x)) puis "
                "x = x + MLP(LN2(x)) ; votre bloc remplace x par sa version normalisée (il "
                "calcule LN(x + sous_couche(x)) en post-norm, ou x = LN1(x) avant la somme), si "
                "bien que sa sortie est toujours normalisée et que x n'est plus transmis tel quel",
                f"{label_en(label)}: the LayerNorm comes BEFORE each sub-layer (pre-norm), on the "
                "sub-layer's input only: x = x + MHA(LN1(x)) then x = x + MLP(LN2(x)); your "
                "block replaces x by its normalised version (it computes LN(x + sublayer(x)) "
                "post-norm, or x = LN1(x) before the sum), so its output is always normalised "
                "and x is no longer passed through unchanged",
            )
        raise CheckFailed(
            f"{label} dont tous les paramètres valent 0 devrait renvoyer son entrée x (chaque "
            "sous-couche ajoute 0) : il manque une connexion résiduelle, x = x + MHA(LN1(x)) "
            "puis x = x + MLP(LN2(x)) (normalisation AVANT la sous-couche, somme après)",
            f"{label_en(label)} with every parameter at 0 should return its input x (each sub-layer adds "
            "0): a residual connection is missing, x = x + MHA(LN1(x)) then "
            "x = x + MLP(LN2(x)) (normalisation BEFORE the sub-layer, sum after)",
        )
    vocab, layers = int(rng.integers(8, 21)), int(rng.integers(1, 3))
    label = _SMALL_TRANSFORMER
    model = _redrawn(submission, label, rng, vocab, d, heads, layers, T)
    same = np.full((1, T), int(rng.integers(0, vocab)))
    logits = _logits(submission, label, model, same, references=True)
    if logits.shape != (1, T, vocab) or not np.isfinite(logits).all():
        raise CheckFailed(
            f"{label} donne des logits de forme {logits.shape} (ou non finis) : (1, contexte, "
            "vocab) attendu",
            f"{label_en(label)} gives logits of shape {logits.shape} (or non-finite): (1, contexte, vocab) "
            "expected",
        )
    spread = float(np.abs(logits[0] - logits[0, :1]).max())
    record_margin("spread of the logits over positions for a repeated character", spread,
                  1e-3 * (1 + float(np.abs(logits).max())), higher_is_better=True)
    if spread <= 1e-3 * (1 + float(np.abs(logits).max())):
        raise CheckFailed(
            f"{label} donne les mêmes logits à toutes les positions d'une suite faite d'un seul "
            "caractère répété : le modèle ignore la position ; ajoutez au plongement du caractère "
            "celui de sa position, self.position(torch.arange(T))",
            f"{label_en(label)} gives the same logits at every position of a sequence of one repeated "
            "character: the model ignores the position; add the embedding of the position, "
            "self.position(torch.arange(T)), to that of the character",
        )
    _check_structure(submission, rng, d, heads, T)
    _check_mlp(submission, rng, d, heads)
    _check_heads(submission, rng)


def _check_block_deterministic(submission, label: str, graine: int, d: int, heads: int,
                               x: np.ndarray) -> None:
    """A fresh block in eval mode, run twice on x, gives the same output: otherwise the
    probes below (a zeroed block, the MLP) would read its random draws as a fault."""
    try:
        out = with_grader_attention(submission, label, block_twice.install(submission).name,
                                    Ref("BlocTransformer"), graine, d, heads, Tensor(x),
                                    quoi="tout")
    except CheckFailed:
        return  # the block fails to run: the probes below say why
    if not isinstance(out, (list, tuple)) or len(out) != 2:
        return
    try:
        first, again = (as_array(o, label, shape=x.shape, allow_nan=True) for o in out)
    except CheckFailed:
        return
    if not (np.isfinite(first).all() and np.isfinite(again).all()):
        return
    gap = float(np.abs(first - again).max())
    tol = 1e-4 * (1.0 + float(np.abs(first).max()))
    record_margin("gap between two eval-mode runs of a block on the same input", gap, tol,
                  higher_is_better=False, kind="tolerance")
    if gap > tol:
        raise _random_in_eval(label)


def _check_heads(submission, rng) -> None:
    """BlocTransformer(d, n_tetes) passes its n_tetes to attention_multi_tetes: built with
    head counts other than the notebook's 4 (and than 1), a block that hard-codes its count
    gives it away. A block that never calls attention_multi_tetes is judged by the other
    checks."""
    wrong = _heads_passed_on(submission, rng)
    if wrong is not None:
        raise _heads_failure(wrong)


def _heads_passed_on(submission, rng) -> object | None:
    """The head count a fresh BlocTransformer(d, n_tetes) passes to attention_multi_tetes
    instead of its n_tetes (None: it passes n_tetes, or never calls it)."""
    d, B, T = 24, 2, int(rng.integers(4, 8))
    for heads in (int(rng.choice([3, 6])), int(rng.choice([2, 8]))):
        x = rng.normal(size=(B, T, d)).astype(np.float32)
        got = with_grader_attention(submission, "BlocTransformer", block_heads.install(submission).name,
                                    Ref("BlocTransformer"), int(rng.integers(0, 2**31)), d, heads,
                                    Tensor(x), quoi="tout")
        if not isinstance(got, list):
            return None
        wrong = [v for v in got if v != heads]
        if wrong:
            return wrong[0]
    return None


def _heads_failure(wrong: object) -> CheckFailed:
    label = built_by_grader("BlocTransformer(d, n_tetes)")
    return CheckFailed(
        f"{label} ne transmet pas son argument n_tetes à attention_multi_tetes (il lui "
        f"passe {str(wrong)[:30]}, quel que soit le nombre de têtes demandé) : "
        "gardez self.n_tetes = n_tetes dans __init__ et passez self.n_tetes à "
        "attention_multi_tetes, sans nombre de têtes fixe",
        f"{label_en(label)} does not pass its n_tetes argument on to attention_multi_tetes (it "
        f"passes {str(wrong)[:30]}, whatever number of heads is asked for): keep "
        "self.n_tetes = n_tetes in __init__ and pass self.n_tetes to "
        "attention_multi_tetes, with no fixed number of heads",
    )


@kernel_side
def transformer_structure(petit, bloc, graine, vocab, d, heads, layers, T, idx):
    """Runs in the student's kernel: a fresh PetitTransformer's distinct blocks, its
    LayerNorm parameters that the logits do not depend on, the rows the output layer
    (the nn.Linear d → vocab) reads, the gap between what the first block reads and the
    sum of the character and position embeddings, and what each later block reads beyond
    the previous block's output, for one forward pass.

    The embedding tables are redrawn ~ N(0, 1) first: the residual stream then has unit
    scale whatever the student's initialisation (GPT-2's N(0, 0.02) leaves a stream of std
    0.03, which LayerNorm's eps = 1e-5 normalises to a variance of 0.99 only)."""
    import torch

    torch.manual_seed(int(graine))
    modele = petit(vocab, d=d, n_tetes=heads, n_couches=layers, contexte=T)
    g = torch.Generator().manual_seed(int(graine))
    with torch.no_grad():
        for m in modele.modules():
            if isinstance(m, torch.nn.Embedding):
                m.weight.copy_(torch.randn(tuple(m.weight.shape), generator=g).to(m.weight.dtype))
    modele.eval()  # a dropout between the blocks is off, as in an evaluation
    blocs = [m for m in modele.modules() if isinstance(m, bloc)]
    entrees, sorties_blocs = [], []
    crochets = [b.register_forward_pre_hook(lambda m, e: entrees.append(e[0].detach()) if e and isinstance(e[0], torch.Tensor) else None) for b in blocs]
    crochets += [b.register_forward_hook(lambda m, e, s: sorties_blocs.append(s.detach()) if isinstance(s, torch.Tensor) else None) for b in blocs]
    tetes = [m for m in modele.modules() if isinstance(m, torch.nn.Linear)
             and m.in_features == d and m.out_features == vocab]
    lues = []
    crochet = tetes[0].register_forward_pre_hook(lambda m, e: lues.append(e[0].detach())) \
        if len(tetes) == 1 else None
    # How many times each LayerNorm module runs in one forward pass (the blocks are distinct:
    # checked first): a block's LayerNorm that runs twice serves both of its sub-layers.
    appels_normes = {}
    noms_normes = {id(m): n for n, m in modele.named_modules() if isinstance(m, torch.nn.LayerNorm)}
    crochets_normes = [m.register_forward_pre_hook(
        lambda m, e: appels_normes.__setitem__(id(m), appels_normes.get(id(m), 0) + 1))
        for m in modele.modules() if isinstance(m, torch.nn.LayerNorm)]
    # Every BlocTransformer that runs in the forward pass, registered in the model or not (a
    # block kept in a plain Python list is no submodule: its parameters are not the model's).
    executes = []
    global_ = torch.nn.modules.module.register_module_forward_pre_hook(
        lambda m, e: executes.append(id(m)) if isinstance(m, bloc) else None)
    try:
        modele(idx).float().sum().backward()
    finally:
        global_.remove()
        if crochet is not None:
            crochet.remove()
        for c in crochets + crochets_normes:
            c.remove()
    inscrits = {id(b) for b in blocs}
    noms_blocs = [n for n, m in modele.named_modules() if isinstance(m, bloc) and n]
    plongements = [m for m in modele.modules() if isinstance(m, torch.nn.Embedding)]
    jetons = [m for m in plongements if m.num_embeddings == vocab]
    places = [m for m in plongements if m.num_embeddings == T]
    # A learned position table: nn.Embedding(contexte, d), or a (contexte, d) nn.Parameter.
    apprise = bool(places) or any(p.ndim in (2, 3) and tuple(p.shape[-2:]) == (T, d)
                                  for p in modele.parameters())
    somme, position_double = None, False
    if entrees and len(jetons) == 1 and len(places) == 1 and entrees[0].shape == (*idx.shape, d):
        with torch.no_grad():
            attendu = (jetons[0](idx) + places[0](torch.arange(idx.shape[1]))).double()
            pos0 = places[0](torch.arange(idx.shape[1])).double()
        somme = float((entrees[0].double() - attendu).abs().max() / (1 + attendu.abs().max()))
        # The first block reads the character plus the position embedding TWICE (added at the
        # input, then again before each block).
        position_double = float((entrees[0].double() - attendu - pos0).abs().max()
                                / (1 + attendu.abs().max())) <= 1e-5
    # Block k + 1 reads block k's output as it is (x = bloc(x)): what it reads beyond it, as a
    # share of the stream's scale, and whether that is the position embedding added again.
    entre_blocs, position_encore = None, False
    if len(entrees) == len(sorties_blocs) and len(entrees) > 1:
        ecarts = []
        for avant, apres in zip(sorties_blocs[:-1], entrees[1:], strict=True):
            if avant.shape != apres.shape:
                ecarts = []
                break
            ecarts.append(apres.double() - avant.double())
        if ecarts:
            echelle = 1 + max(float(s.double().abs().max()) for s in sorties_blocs)
            entre_blocs = max(float(e.abs().max()) for e in ecarts) / echelle
            if len(places) == 1 and entre_blocs > 1e-5:
                with torch.no_grad():
                    pos = places[0](torch.arange(idx.shape[1])).double()
                position_encore = all(
                    tuple(e.shape[-2:]) == tuple(pos.shape)
                    and float((e - pos).abs().max()) <= 1e-5 * echelle for e in ecarts)
    normes = [n for n, m in modele.named_modules() if isinstance(m, torch.nn.LayerNorm)
              and any(p.grad is None for p in m.parameters())]
    dans_bloc = [any(n.startswith(b + ".") for b in noms_blocs) for n in normes]
    doubles = [noms_normes[k] for k, v in appels_normes.items() if v > 1 and k in noms_normes]
    autres_tables = [int(m.num_embeddings) for m in plongements
                     if m.num_embeddings not in (vocab, T)]
    lignes = lues[0].reshape(-1, d).double() if lues else None
    largeurs = sorted({int(m.embedding_dim) for m in jetons})
    return {
        "blocs": len(blocs),
        "appels_blocs": len(executes),
        "blocs_hors_module": len(set(executes) - inscrits),
        "largeurs_plongement": largeurs,
        "normes_inutilisees": normes,
        "moyenne": None if lignes is None else float(lignes.mean(dim=1).abs().max()),
        "variance": None if lignes is None else float(
            (lignes.var(dim=1, unbiased=False) - 1).abs().max()),
        "somme": somme,
        "position_double": position_double,
        "entre_blocs": entre_blocs,
        "position_entre_blocs": position_encore,
        "position_apprise": apprise,
        "normes_dans_bloc": dans_bloc,
        "normes_doubles": doubles,
        "autres_tables": autres_tables,
    }


@kernel_side
def bloc_mlp_probe(bloc, graine, d, heads, x, W):
    """Runs in the student's kernel: a fresh BlocTransformer(d, heads) whose parameters are
    set by shape, whatever their names: every (d,) vector at 1 (LayerNorm weights and biases,
    output biases), the (4d, d) matrix at W and the (d, 4d) one at Wᵀ (the MLP, stored as
    nn.Linear or as x @ W: both read the same), everything else at 0 (the attention, whose
    output is then its bias). Returns the block's output on x and whether a 4d-wide matrix
    exists."""
    import torch

    torch.manual_seed(int(graine))
    modele = bloc(d, heads)
    modele.eval()
    large = False
    with torch.no_grad():
        for p in modele.parameters():
            forme = tuple(p.shape)
            if forme == (4 * d, d):
                p.copy_(W.to(p.dtype))
                large = True
            elif forme == (d, 4 * d):
                p.copy_(W.T.to(p.dtype))
                large = True
            elif forme == (d,):
                p.fill_(1.0)
            else:
                p.zero_()
        sortie = modele(x.to(torch.float32))
    return {"sortie": sortie.double(), "large": large}


def _gelu(z: np.ndarray) -> np.ndarray:
    return 0.5 * z * (1.0 + np.vectorize(math.erf)(z / math.sqrt(2.0)))


def _check_mlp(submission, rng, d: int, heads: int) -> None:
    """The block's MLP by behaviour: d → 4d → d with a GELU. On the probe of bloc_mlp_probe,
    a pre-norm block gives x + 1 + act(LN(x) + 1) Wᵀ... exactly: y = x + 2 + act(n Wᵀ) W with
    n = normalise(x) + 1. GELU's tanh approximation is within 1e-3 of the exact GELU here, a
    ReLU 0.1 to 0.5 away: the tolerance is 0.02 (float32 rounding: 1e-6)."""
    B, T = 2, int(rng.integers(4, 8))
    x = rng.normal(size=(B, T, d)).astype(np.float32)
    W = rng.normal(size=(4 * d, d)) / math.sqrt(d)
    label = built_by_grader("BlocTransformer(d, n_tetes)")
    try:
        out = with_grader_attention(submission, "BlocTransformer", bloc_mlp_probe.install(submission).name,
                                    Ref("BlocTransformer"), int(rng.integers(0, 2**31 - 1)), d, heads,
                                    Tensor(x), Tensor(W), quoi="tout")
    except StudentError as exc:
        raise student_error("BlocTransformer", exc) from None
    if not isinstance(out, dict):
        return
    if not out.get("large"):
        raise CheckFailed(
            f"{label} : le MLP du bloc n'a pas de couche de largeur 4d : l'énoncé demande un MLP "
            "d → 4d → d, nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))",
            f"{label_en(label)}: the block's MLP has no layer of width 4d: the statement asks for a "
            "d → 4d → d MLP, nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))",
        )
    got = as_array(out["sortie"], label, shape=x.shape, allow_nan=True)
    x64 = x.astype(np.float64)
    n = (x64 - x64.mean(axis=-1, keepdims=True)) / np.sqrt(x64.var(axis=-1, keepdims=True) + 1e-5) + 1
    h = n @ W.T
    want = x64 + 2 + _gelu(h) @ W
    relu = x64 + 2 + np.maximum(h, 0) @ W
    record_expected("output of the MLP probe block", want)
    err = float(np.abs(got - want).max()) if np.isfinite(got).all() else math.inf
    record_margin("gap of the MLP probe block to a GELU MLP d → 4d → d", err, 0.02,
                  higher_is_better=False, kind="tolerance")
    if err <= 0.02:
        return
    if np.isfinite(got).all() and float(np.abs(got - relu).max()) <= 0.02:
        raise CheckFailed(
            f"{label} : le MLP du bloc utilise une ReLU : l'énoncé demande une GELU entre ses "
            "deux couches linéaires (nn.GELU() ou F.gelu)",
            f"{label_en(label)}: the block's MLP uses a ReLU: the statement asks for a GELU between its "
            "two linear layers (nn.GELU() or F.gelu)",
        )
    raise CheckFailed(
        f"{label} : le MLP du bloc ne calcule pas Linear(d, 4d) → GELU → Linear(4d, d) sur "
        "LN2(x) : vérifiez son activation (une GELU, pas une autre), ses deux couches et la "
        "somme x + MLP(LN2(x))",
        f"{label_en(label)}: the block's MLP does not compute Linear(d, 4d) → GELU → Linear(4d, d) on "
        "LN2(x): check its activation (a GELU, no other), its two layers and the sum "
        "x + MLP(LN2(x))",
    )


def _check_structure(submission, rng, d: int, heads: int, T: int) -> None:
    """n_couches distinct blocks, every LayerNorm used, the position embedding added once
    (block k + 1 reads block k's output as it is), and a final LayerNorm before the output
    layer (at creation its output rows have mean 0 and variance 1, on a stream of unit scale:
    the probe redraws the embedding tables, whatever the student's initialisation)."""
    # Never the notebook's 2 layers nor its width 32: a count or a width hard-coded to the
    # notebook's values shows only on other ones.
    layers = int(rng.integers(3, 5))
    if d == 32:
        d = 6 * heads
    vocab = int(rng.integers(8, 21))
    while T in (d, 3 * d, 4 * d):  # a (T, d) parameter is then the position table only
        T += 1
    while vocab in (d, 3 * d, 4 * d, T):
        vocab += 1
    idx = rng.integers(0, vocab, size=(2, T))
    label = _SMALL_TRANSFORMER
    try:
        info = with_grader_attention(submission, "PetitTransformer",
                                     transformer_structure.install(submission).name,
                                     Ref("PetitTransformer"), Ref("BlocTransformer"),
                                     int(rng.integers(0, 2**31 - 1)), vocab, d, heads, layers, T,
                                     Tensor(idx), quoi="tout")
    except StudentError as exc:
        raise student_error("PetitTransformer", exc) from None
    if not isinstance(info, dict):
        return
    if int(info.get("blocs_hors_module") or 0) > 0:
        raise CheckFailed(
            f"{label} : des BlocTransformer qui servent dans forward ne sont pas des sous-modules "
            "du modèle (rangés dans une liste Python ordinaire) : leurs paramètres ne sont pas "
            "dans modele.parameters(), si bien que l'optimiseur ne les entraîne jamais (ni "
            "state_dict() ni .to(appareil) ne les voient) ; rangez les blocs dans un "
            "nn.ModuleList([BlocTransformer(d, n_tetes) for _ in range(n_couches)])",
            f"{label_en(label)}: some BlocTransformer used in forward are not submodules of the model "
            "(kept in a plain Python list): their parameters are not in modele.parameters(), so "
            "the optimiser never trains them (nor do state_dict() and .to(device) see them); "
            "keep the blocks in an nn.ModuleList([BlocTransformer(d, n_tetes) for _ in "
            "range(n_couches)])",
        )
    widths = [int(v) for v in info.get("largeurs_plongement") or []]
    if widths and any(w != d for w in widths):
        raise CheckFailed(
            f"{label} : le plongement des caractères n'a pas la largeur d demandée (il en a "
            f"{widths[0]}) : le modèle n'utilise pas son argument d (une largeur fixe, d = 32 ?) ; "
            "construisez les plongements, les blocs et les LayerNorm avec le d reçu",
            f"{label_en(label)}: the character embedding does not have the width d asked for (it has "
            f"{widths[0]}): the model does not use its d argument (a fixed width, d = 32?); build "
            "the embeddings, the blocks and the LayerNorms with the d it receives",
        )
    calls = int(info.get("appels_blocs") or 0)
    if calls and calls != layers and int(info.get("blocs", 0)) == calls:
        raise CheckFailed(
            f"{label} crée et applique {calls} BlocTransformer quel que soit n_couches : le "
            "nombre de blocs est l'argument n_couches (pas une valeur fixe), "
            "nn.ModuleList([BlocTransformer(d, n_tetes) for _ in range(n_couches)])",
            f"{label_en(label)} builds and applies {calls} BlocTransformer(s) whatever n_couches: the "
            "number of blocks is the n_couches argument (not a fixed value), "
            "nn.ModuleList([BlocTransformer(d, n_tetes) for _ in range(n_couches)])",
        )
    if 0 < int(info.get("blocs", 0)) < layers:
        raise CheckFailed(
            f"{label} ne contient que {int(info['blocs'])} BlocTransformer distinct(s) pour "
            "n_couches plus grand : [BlocTransformer(d, n_tetes)] * n_couches répète le MÊME "
            "bloc (mêmes poids) ; créez un nouveau bloc par couche, nn.ModuleList("
            "[BlocTransformer(d, n_tetes) for _ in range(n_couches)])",
            f"{label_en(label)} holds only {int(info['blocs'])} distinct BlocTransformer(s) for a larger "
            "n_couches: [BlocTransformer(d, n_tetes)] * n_couches repeats the SAME block (same "
            "weights); build a new block per layer, nn.ModuleList([BlocTransformer(d, n_tetes) "
            "for _ in range(n_couches)])",
        )
    tables = [int(v) for v in info.get("autres_tables") or []]
    if info.get("position_apprise") is False and tables and tables[0] == T + 1:
        # Blind r22: positions numbered 1 … T need a table of contexte + 1 rows; the
        # message for a fixed size did not name it.
        raise CheckFailed(
            f"{label} : la table des positions a contexte + 1 lignes, une de trop : les "
            "positions se numérotent à partir de 0, torch.arange(T) donne 0, …, T − 1, que "
            "nn.Embedding(contexte, d) couvre toutes ; numérotées à partir de 1 "
            "(torch.arange(1, T + 1)), elles demandent une ligne de plus et la ligne 0 de la "
            "table ne sert jamais",
            f"{label_en(label)}: the position table has contexte + 1 rows, one too many: the "
            "positions are numbered from 0, torch.arange(T) gives 0, …, T − 1, which "
            "nn.Embedding(contexte, d) covers; numbered from 1 (torch.arange(1, T + 1)), they "
            "need one more row and row 0 of the table is never used",
        )
    if info.get("position_apprise") is False and tables:
        raise CheckFailed(
            f"{label} : la table des positions n'a pas contexte lignes (elle en a "
            f"{tables[0]} pour un contexte d'une autre taille) : créez nn.Embedding(contexte, d) "
            "avec l'argument contexte reçu, pas une taille fixe ; avec une table fixe, une "
            "suite plus longue qu'elle fait échouer le modèle",
            f"{label_en(label)}: the position table does not have contexte rows (it has {tables[0]} for "
            "a context of another size): build nn.Embedding(contexte, d) with the contexte "
            "argument, not a fixed size; with a fixed table, a sequence longer than it makes "
            "the model fail",
        )
    if info.get("position_apprise") is False:
        raise CheckFailed(
            f"{label} n'a pas de plongement de position appris : l'énoncé demande "
            "nn.Embedding(contexte, d), entraîné avec le reste du modèle, et non un encodage "
            "fixe (l'encodage sinusoïdal en tampon, register_buffer, ne s'apprend pas)",
            f"{label_en(label)} has no learned position embedding: the statement asks for "
            "nn.Embedding(contexte, d), trained with the rest of the model, not a fixed "
            "encoding (the sinusoidal encoding as a buffer, register_buffer, is not learned)",
        )
    unused = [str(n) for n in info.get("normes_inutilisees") or []][:4]
    in_block = [bool(v) for v in info.get("normes_dans_bloc") or []][:4]
    if unused and len(in_block) == len(unused) and all(in_block):
        raise CheckFailed(
            f"{label} : la couche LayerNorm {', '.join(unused)} d'un BlocTransformer est créée "
            "mais jamais utilisée dans forward (les logits n'en dépendent pas) : chaque "
            "sous-couche lit l'entrée normalisée, x = x + MHA(LN1(x)) puis x = x + MLP(LN2(x))",
            f"{label_en(label)}: the LayerNorm layer {', '.join(unused)} of a BlocTransformer is built but "
            "never used in forward (the logits do not depend on it): each sub-layer reads the "
            "normalised input, x = x + MHA(LN1(x)) then x = x + MLP(LN2(x))",
        )
    if unused:
        raise CheckFailed(
            f"{label} : la couche LayerNorm {', '.join(unused)} est créée mais jamais utilisée "
            "dans forward (les logits n'en dépendent pas) ; la dernière normalisation s'applique "
            "avant la couche de sortie, self.tete(self.norme(x))",
            f"{label_en(label)}: the LayerNorm layer {', '.join(unused)} is built but never used in "
            "forward (the logits do not depend on it); the final normalisation comes before "
            "the output layer, self.tete(self.norme(x))",
        )
    twice = [str(n) for n in info.get("normes_doubles") or []][:4]
    if twice:
        raise CheckFailed(
            f"{label} : la même LayerNorm ({', '.join(twice)}) sert avant les deux sous-couches "
            "d'un bloc : l'énoncé demande deux normalisations distinctes, chacune avec ses "
            "propres paramètres, LN1 avant l'attention et LN2 avant le MLP "
            "(self.norme_1 = nn.LayerNorm(d), self.norme_2 = nn.LayerNorm(d))",
            f"{label_en(label)}: the same LayerNorm ({', '.join(twice)}) comes before both sub-layers of a "
            "block: the statement asks for two distinct normalisations, each with its own "
            "parameters, LN1 before the attention and LN2 before the MLP "
            "(self.norme_1 = nn.LayerNorm(d), self.norme_2 = nn.LayerNorm(d))",
        )
    gap = info.get("somme")
    if isinstance(gap, float):
        record_margin("gap between the first block's input and token + position embeddings", gap, 1e-5,
                      higher_is_better=False, kind="tolerance")
        if not gap <= 1e-5 and (info.get("position_double") is True
                                or info.get("position_entre_blocs") is True):
            # Blind r20: the embedding added at the input AND before every block was told
            # "not the SUM", which the student's input line is; name the repeated addition.
            every = info.get("position_entre_blocs") is True
            what = (("le plongement (embedding) de position est ajouté à chaque bloc, en plus de "
                     "l'entrée (x = bloc(x + self.position(positions)))",
                     "the position embedding is added at every block, on top of the input "
                     "(x = bloc(x + self.position(positions)))") if every else
                    ("le plongement (embedding) de position est ajouté deux fois avant le premier "
                     "bloc", "the position embedding is added twice before the first block"))
            raise CheckFailed(
                f"{label} : {what[0]}, si bien que le premier bloc reçoit deux fois la position ; "
                "il s'ajoute UNE seule fois, à l'entrée, x = self.plongement(idx) + "
                "self.position(torch.arange(T)), puis chaque bloc transforme x, x = bloc(x)",
                f"{label_en(label)}: {what[1]}, so the first block receives the position twice; it is "
                "added ONCE, at the input, x = self.plongement(idx) + "
                "self.position(torch.arange(T)), then each block transforms x, x = bloc(x)",
            )
        if not gap <= 1e-5:
            raise CheckFailed(
                f"{label} : le premier bloc ne reçoit pas la SOMME du plongement du caractère et "
                "de celui de sa position ; x = self.plongement(idx) + self.position(torch.arange(T)) "
                "(ni produit, ni concaténation, ni facteur d'échelle)",
                f"{label_en(label)}: the first block does not receive the SUM of the character embedding and "
                "of its position's embedding; x = self.plongement(idx) + self.position(torch.arange(T)) "
                "(no product, concatenation or scale factor)",
            )
    between = info.get("entre_blocs")
    if isinstance(between, float):
        record_margin("what a block reads beyond the previous block's output (relative)",
                      between, 1e-5, higher_is_better=False, kind="tolerance")
        if not between <= 1e-5:
            if info.get("position_entre_blocs") is True:
                what = ("vous ajoutez de nouveau le plongement de position avant chaque bloc "
                        "(x = bloc(x + self.position(positions)))",
                        "you add the position embedding again before every block "
                        "(x = bloc(x + self.position(positions)))")
            else:
                what = ("quelque chose est ajouté ou appliqué entre deux blocs",
                        "something is added or applied between two blocks")
            raise CheckFailed(
                f"{label} : un bloc ne reçoit pas tel quel la sortie du bloc précédent ; "
                f"{what[0]} : le plongement de position s'ajoute UNE seule fois, à l'entrée, "
                "x = self.plongement(idx) + self.position(torch.arange(T)), puis chaque bloc "
                "transforme x, x = bloc(x)",
                f"{label_en(label)}: a block does not receive the previous block's output as it is; "
                f"{what[1]}: the position embedding is added ONCE, at the input, "
                "x = self.plongement(idx) + self.position(torch.arange(T)), then each block "
                "transforms x, x = bloc(x)",
            )
    mean, var = info.get("moyenne"), info.get("variance")
    if isinstance(mean, float) and isinstance(var, float) and (mean > 1e-3 or var > 1e-2):
        raise CheckFailed(
            f"{label} : la couche de sortie ne lit pas des vecteurs normalisés ; il manque la "
            "LayerNorm finale, self.tete(self.norme(x)) après le dernier bloc",
            f"{label_en(label)}: the output layer does not read normalised vectors; the final LayerNorm "
            "is missing, self.tete(self.norme(x)) after the last block",
        )


def _ce(logits: np.ndarray, targets: np.ndarray) -> float:
    z = logits.reshape(-1, logits.shape[-1])
    m = z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    return float(np.mean(lse - z[np.arange(len(z)), targets.reshape(-1)]))


def _record_training(submission, *args) -> object:
    """record_transformer_training on the student's entrainer_transformer; errors named as
    they always were (the helper's former kernel name)."""
    try:
        return record_transformer_training.call(submission, Ref("entrainer_transformer"), *args,
                                                timeout=TRAIN_TIMEOUT)
    except SubmissionError as exc:
        raise relabel(exc, record_transformer_training.ref_name, "_tp07_enregistrer") from None


#: The statement's AdamW, built before the loop over the steps. One built at every step still
#: trains and the outcome checks pass, but each update is then ±lr per weight.
ADAMW = OptimiserWords(
    build="torch.optim.AdamW(modele.parameters(), lr=lr)",
    restarts=("ses moyennes mobiles m et v et sa correction de biais repartent de zéro, et "
              "chaque pas ne vaut plus que ±lr par poids",
              "its moving averages m and v and its bias correction start from zero again, and "
              "each step is only ±lr per weight"),
    reset=("l'état de l'optimiseur AdamW (son compteur de pas, ses moyennes mobiles m et v) est "
           "remis à zéro en cours d'entraînement : sa correction de biais repart de zéro",
           "the state of the AdamW optimiser (its step count, its moving averages m and v) is "
           "reset during training: its bias correction starts from zero again"),
    loop=("la boucle des étapes", "the loop over the steps"),
    inside=("dans la boucle des étapes", "inside the loop over the steps"),
    every=("chaque étape (zero_grad, backward, step)", "every step (zero_grad, backward, step)"),
)


def _start_range_error(submission, rng) -> StudentError | None:
    """The error entrainer_transformer raises on some draws only, on a text two characters
    longer than the context (the starts with a full target are 0 and 1): a range of starts
    one too wide, randint(0, len(donnees) - contexte + 1), draws 2 one time in three and its
    target window is a character short. One window per call, over 24 grader seeds: a correct
    loop never fails; a range too wide fails on some seeds and passes on others (all of them
    alike with probability (2/3)^24 + (1/3)^24 < 1e-4); an error of any other kind fails on
    every seed. None unless some seeds pass and others fail."""
    context = int(rng.integers(5, 10))
    V = context + 2
    data = rng.permutation(V)
    failed, passed = None, 0
    for g in rng.choice(10**6, size=24, replace=False):
        try:
            _record_training(submission, 0, V, Tensor(data), 1, 1, context, 0.05, int(g))
        except StudentError as exc:
            if exc.ename in ("NotImplementedError", "NameError") or "TP07_" in exc.evalue:
                return None
            failed = failed or exc
        else:
            passed += 1
        if failed is not None and passed:
            return failed
    return None


def _start_range_text(exc: StudentError) -> tuple[str, str]:
    return (
        f"entrainer_transformer lève {exc.ename} ({exc.evalue[:120]}) pour certains débuts "
        "tirés seulement, sur un texte du correcteur à peine plus long que le contexte : un "
        "début tiré trop près de la fin donne une cible donnees[i + 1 : i + contexte + 1] trop "
        "courte ; tirez les débuts i dans {0, …, len(donnees) − contexte − 1}, "
        "torch.randint(0, len(donnees) − contexte, (taille_lot,), generator=g) (borne haute "
        "exclue)",
        f"entrainer_transformer raises {exc.ename} ({exc.evalue[:120]}) for some drawn starts "
        "only, on a grader text barely longer than the context: a start drawn too close to the "
        "end gives a target donnees[i + 1 : i + contexte + 1] that is too short; draw the "
        "starts i in {0, …, len(donnees) − contexte − 1}, torch.randint(0, len(donnees) − "
        "contexte, (taille_lot,), generator=g) (upper bound excluded)",
    )


def _check_loss_covers_every_position(positions: object, context: int, name: str) -> None:
    """Blind r22: the loss the loop MINIMISES, read from the gradient that reaches the
    stand-in model's logits at each position (a hook on its output), not from the losses it
    reports. A loss on the last position only (the next character after the window) trains
    one position in T: the held-out bits per character then lands near the bar, passing on
    some variants only. A cross-entropy over the positions gives every logit a gradient
    softmax − one-hot, never exactly zero."""
    if not isinstance(positions, list) or not positions:
        return  # no backward through the outputs: the checks below say so
    rows = [r for r in positions if isinstance(r, list) and len(r) == context]
    if len(rows) != len(positions):
        return
    reached = [any(bool(r[t]) for r in rows) for t in range(context)]
    dead = [t for t in range(context) if not reached[t]]
    if not dead or len(dead) == context:
        return
    if reached == [False] * (context - 1) + [True]:
        fr = ("la perte qu'elle minimise ne porte que sur la dernière position de chaque fenêtre "
              "(seuls ses logits reçoivent un gradient) : le modèle n'apprend à prédire qu'un "
              "caractère sur contexte")
        en = ("the loss it minimises only covers the LAST position of each window (only its "
              "logits get a gradient): the model learns to predict one character in contexte")
    elif dead == [context - 1]:
        fr = ("la perte qu'elle minimise laisse de côté la dernière position de chaque fenêtre "
              "(ses logits ne reçoivent aucun gradient) : la cible de la position t est "
              "donnees[i + t + 1], qui existe aussi pour t = contexte − 1")
        en = ("the loss it minimises leaves out the last position of each window (its logits "
              "get no gradient): the target of position t is donnees[i + t + 1], which exists "
              "for t = contexte − 1 too")
    else:
        fr = (f"la perte qu'elle minimise laisse de côté {len(dead)} position(s) sur "
              f"{context} de chaque fenêtre (leurs logits ne reçoivent aucun gradient)")
        en = (f"the loss it minimises leaves out {len(dead)} position(s) out of {context} of "
              "each window (their logits get no gradient)")
    raise CheckFailed(
        f"{name} : {fr} ; l'entropie croisée se prend sur TOUTES les positions de la fenêtre, "
        "logits (B·T, V) contre cibles (B·T,), F.cross_entropy(logits.reshape(-1, V), "
        "y.reshape(-1))",
        f"{label_en(name)}: {en}; the cross-entropy is taken over EVERY position of the window, "
        "logits (B·T, V) against targets (B·T,), F.cross_entropy(logits.reshape(-1, V), "
        "y.reshape(-1))",
    )


@pytest.mark.item("transformer_train", points=0.5)
def test_entrainer_transformer_loop_mechanics(submission, rng):
    """entrainer_transformer on a grader stand-in model that records every step.

    The data is a permutation of the vocabulary, so each window tells where it starts and
    the grader knows the target of every position; the stand-in model's logits give the
    loss the student should report. The stand-in also sees whether the gradients of a step
    were added to the previous step's (no zero_grad) and whether its parameters moved.
    """
    V = int(rng.integers(300, 500))
    data = rng.permutation(V)
    where = np.argsort(data)
    steps, batch, context = 6, int(rng.integers(3, 7)), int(rng.integers(5, 10))
    graine = int(rng.integers(0, 2**31))
    # The last start with a full target, drawn on purpose: a long text reaches it too rarely.
    if (exc := _start_range_error(submission, rng)) is not None:
        fr, en = _start_range_text(exc)
        raise CheckFailed(fr, en)

    def run(g: int) -> dict:
        try:
            out = _record_training(submission, 0, V, Tensor(data), steps, batch, context, 0.05, g)
        except StudentError as exc:
            raise student_error("entrainer_transformer", exc) from None
        if not isinstance(out, dict):
            raise CheckFailed("entrainer_transformer : résultat inattendu",
                              "entrainer_transformer: unexpected result")
        return out

    out = run(graine)
    inputs = as_array(out["entrees"], "lots passés au modèle", dtype=np.int64)
    logits = as_array(out["sorties"], "sorties du modèle", allow_nan=True)
    losses = as_array(out["pertes"], "pertes renvoyées", allow_nan=True)
    name = "entrainer_transformer"
    if inputs.ndim == 3 and inputs.shape[0] == steps and inputs.shape[1:] != (batch, context):
        unused = [(fr, en) for used, fr, en in (
            (inputs.shape[1] == batch, "taille_lot", "taille_lot"),
            (inputs.shape[2] == context, "contexte (la variable globale CONTEXTE, ou une valeur "
             "fixe, à sa place ?)", "contexte (the global CONTEXTE, or a fixed value, instead?)"),
        ) if not used]
        raise CheckFailed(
            f"{name}(n_etapes, taille_lot, contexte) passe au modèle des lots de forme "
            f"{tuple(inputs.shape[1:])} qui ne suivent pas ses arguments : il n'utilise pas son "
            f"argument {' ni son argument '.join(fr for fr, _ in unused)} ; chaque lot est "
            "(taille_lot, contexte), les arguments reçus",
            f"{label_en(name)}(n_etapes, taille_lot, contexte) gives the model batches of shape "
            f"{tuple(inputs.shape[1:])} that do not follow its arguments: it does not use its "
            f"{' nor its '.join(en for _, en in unused)} argument; every batch is "
            "(taille_lot, contexte), the arguments it receives",
        )
    if inputs.shape != (steps, batch, context) or losses.shape != (steps,):
        raise CheckFailed(
            f"{name}(n_etapes, taille_lot, contexte) appelle le modèle "
            f"{inputs.shape[0]} fois sur des lots de forme {tuple(inputs.shape[1:])} et renvoie "
            f"{losses.size} pertes : une passe avant par étape sur un lot (taille_lot, contexte), "
            "une perte par étape",
            f"{label_en(name)}(n_etapes, taille_lot, contexte) calls the model "
            f"{inputs.shape[0]} times on batches of shape {tuple(inputs.shape[1:])} and returns "
            f"{losses.size} losses: one forward pass per step on a (taille_lot, contexte) batch, "
            "one loss per step",
        )
    starts = where[inputs[:, :, 0]]
    windows = data[np.minimum(starts[..., None] + np.arange(context), V - 1)]
    if not (windows == inputs).all() or (starts + context >= V).any():
        raise CheckFailed(
            f"{name} : les lots passés au modèle ne sont pas des fenêtres donnees[i : i + contexte] "
            "de caractères consécutifs dont le caractère suivant existe (i < len(donnees) − contexte)",
            f"{label_en(name)}: the batches given to the model are not windows donnees[i : i + contexte] of "
            "consecutive characters whose next character exists (i < len(donnees) − contexte)",
        )
    if all(sorted(starts[k].tolist()) == sorted(starts[0].tolist()) for k in range(1, steps)):
        draws = out.get("tirages")
        if isinstance(draws, int) and 0 < draws < steps:
            # Fewer draws than steps: the starts were drawn once, before the loop.
            raise CheckFailed(
                f"{name} ne tire les débuts de fenêtres qu'UNE fois, avant la boucle des "
                f"étapes ({draws} tirage(s) pour {steps} étapes), puis réutilise ce lot : le "
                "modèle voit le même lot à chaque étape ; tirez de nouveaux débuts DANS la "
                "boucle, à chaque étape, avec le générateur créé une fois avant elle, "
                "torch.randint(0, len(donnees) − contexte, (taille_lot,), generator=g)",
                f"{label_en(name)} draws the window starts only ONCE, before the loop over the steps "
                f"({draws} draw(s) for {steps} steps), then reuses that batch: the model sees "
                "the same batch at every step; draw new starts INSIDE the loop, at every step, "
                "with the generator created once before it, torch.randint(0, len(donnees) − "
                "contexte, (taille_lot,), generator=g)",
            )
        if isinstance(draws, int) and draws >= steps:
            raise CheckFailed(
                f"{name} tire les mêmes débuts de fenêtres à chaque étape : le générateur est "
                "recréé (manual_seed(graine)) dans la boucle, si bien que le modèle voit le même "
                "lot à chaque étape ; créez le générateur UNE fois, avant la boucle, puis tirez "
                "avec lui à chaque étape",
                f"{label_en(name)} draws the same window starts at every step: the generator is re-created "
                "(manual_seed(graine)) inside the loop, so the model sees the same batch at "
                "every step; create the generator ONCE, before the loop, then draw from it at "
                "every step",
            )
        raise CheckFailed(
            f"{name} donne au modèle le même lot à chaque étape : soit les débuts sont tirés une "
            "seule fois, avant la boucle, soit le générateur est recréé (manual_seed(graine)) à "
            "chaque étape ; créez le générateur UNE fois, avant la boucle, et tirez de nouveaux "
            "débuts avec lui à chaque étape",
            f"{label_en(name)} gives the model the same batch at every step: either the starts are drawn "
            "only once, before the loop, or the generator is re-created (manual_seed(graine)) at "
            "every step; create the generator ONCE, before the loop, and draw new starts from "
            "it at every step",
        )
    if all(np.array_equal(np.sort(starts[k]), starts[k].min() + np.arange(batch))
           for k in range(steps)):
        raise CheckFailed(
            f"{name} ne tire qu'UN début par étape et prend les taille_lot fenêtres qui le "
            "suivent (débuts i, i + 1, …, i + taille_lot − 1) : un lot de fenêtres presque "
            "identiques ; tirez taille_lot débuts indépendants à chaque étape, "
            "torch.randint(0, len(donnees) − contexte, (taille_lot,), generator=g)",
            f"{label_en(name)} draws only ONE start per step and takes the taille_lot windows that follow "
            "it (starts i, i + 1, …, i + taille_lot − 1): a batch of nearly identical windows; "
            "draw taille_lot independent starts at every step, torch.randint(0, len(donnees) − "
            "contexte, (taille_lot,), generator=g)",
        )
    _check_loss_covers_every_position(out.get("positions"), context, name)
    targets = data[starts[..., None] + 1 + np.arange(context)]
    want = np.array([_ce(logits[k], targets[k]) for k in range(steps)])
    record_expected(f"{name}: the batches' cross-entropy", want)
    tol = 1e-4 * (1 + np.abs(want))
    record_margin("gap between the reported losses and the grader's cross-entropy",
                  float((np.abs(losses - want) / tol).max()), 1.0, higher_is_better=False,
                  kind="tolerance")
    if not (np.abs(losses - want) <= tol).all():
        unshifted = np.array([_ce(logits[k], inputs[k]) for k in range(steps)])
        last = np.array([_ce(logits[k][:, -1:], targets[k][:, -1:]) for k in range(steps)])
        if np.allclose(losses, unshifted, rtol=1e-4, atol=1e-4):
            hint = ("la cible est l'entrée elle-même : elle doit être décalée d'un cran, "
                    "donnees[i + 1 : i + contexte + 1]",
                    "the target is the input itself: it must be shifted by one, "
                    "donnees[i + 1 : i + contexte + 1]")
        elif np.allclose(losses, want / math.log(2), rtol=1e-4, atol=1e-4):
            hint = ("elles sont divisées par ln 2 (en bits) : renvoyez-les en nats, la valeur de "
                    "F.cross_entropy telle quelle (perte.item()) ; les bits par caractère se "
                    "calculent à part",
                    "they are divided by ln 2 (in bits): return them in nats, the value of "
                    "F.cross_entropy as it is (perte.item()); bits per character are computed "
                    "separately")
        elif np.allclose(losses, last, rtol=1e-4, atol=1e-4):
            hint = ("la perte ne porte que sur la dernière position : l'entropie croisée se prend "
                    "sur toutes les positions, logits (B·T, V) contre cibles (B·T,)",
                    "the loss only covers the last position: the cross-entropy is taken over "
                    "every position, logits (B·T, V) against targets (B·T,)")
        else:
            hint = ("renvoyez à chaque étape la perte F.cross_entropy du lot, sur toutes les "
                    "positions, avec la cible décalée d'un cran (perte.item())",
                    "return at every step the batch's F.cross_entropy loss, over every position, "
                    "with the target shifted by one (perte.item())")
        raise CheckFailed(
            f"{name} : les pertes renvoyées ne sont pas l'entropie croisée des sorties du modèle "
            f"contre le caractère suivant ; {hint[0]}",
            f"{label_en(name)}: the returned losses are not the cross-entropy of the model's outputs "
            f"against the next character; {hint[1]}",
        )
    if out.get("graphes") is True:
        raise CheckFailed(
            f"{name} renvoie des pertes qui sont des tenseurs attachés à leur graphe de calcul "
            "(pertes.append(perte) au lieu de perte.item()) : chaque étape garde son graphe en "
            "mémoire, et la cellule du notebook qui en fait la moyenne (np.mean(pertes[-50:])) "
            "échoue ; renvoyez des nombres, perte.item()",
            f"{label_en(name)} returns losses that are tensors attached to their computation graph "
            "(pertes.append(perte) instead of perte.item()): every step keeps its graph in "
            "memory, and the notebook cell that averages them (np.mean(pertes[-50:])) fails; "
            "return numbers, perte.item()",
        )
    check_fresh_gradients(out["cumuls"], name)
    if not all(bool(c) for c in out["change"]):
        raise CheckFailed(
            f"{name} : les paramètres du modèle ne changent pas entre deux étapes : appelez "
            "perte.backward() puis optimiseur.step() à chaque étape, sur modele.parameters()",
            f"{label_en(name)}: the model's parameters do not change between two steps: call "
            "perte.backward() then optimiseur.step() at every step, on modele.parameters()",
        )
    lrs = [float(v) for v in out.get("lrs") or []]
    if lrs and not any(abs(v - 0.05) <= 1e-12 for v in lrs):
        # AdamW's own default is 1e-3: an optimiser built without lr= shows it; any other
        # value the loop never received is written in the code.
        if all(abs(v - 1e-3) <= 1e-12 for v in lrs):
            how = ("sans lr= : AdamW prend alors sa propre valeur par défaut",
                   "without lr=: AdamW then takes its own default")
        else:
            how = ("avec un pas fixe écrit dans le code, pas celui qu'elle reçoit",
                   "with a fixed step written in the code, not the one it receives")
        raise CheckFailed(
            f"{name} n'utilise pas son argument lr : l'optimiseur est créé {how[0]} ; créez-le "
            "avec torch.optim.AdamW(modele.parameters(), lr=lr) (ni valeur fixe, ni valeur par "
            "défaut)",
            f"{label_en(name)} does not use its lr argument: the optimiser is built {how[1]}; build it "
            "with torch.optim.AdamW(modele.parameters(), lr=lr) (no fixed value, no default)",
        )
    kinds = [str(k) for k in out.get("optimiseurs") or []]
    if kinds and kinds != ["AdamW"]:
        raise CheckFailed(
            f"{name} entraîne avec {', '.join(kinds)[:60]} : l'énoncé demande "
            "torch.optim.AdamW(modele.parameters(), lr=lr) (Adam sans W n'applique pas la "
            "décroissance des poids découplée d'AdamW)",
            f"{label_en(name)} trains with {', '.join(kinds)[:60]}: the statement asks for "
            "torch.optim.AdamW(modele.parameters(), lr=lr) (Adam without W does not apply "
            "AdamW's decoupled weight decay)",
        )
    assert_one_optimiser(out.get("note_optimiseurs"), name, name, optimiser=ADAMW)
    again = as_array(run(graine)["entrees"], "lots passés au modèle", dtype=np.int64)
    other = as_array(run(graine + 1)["entrees"], "lots passés au modèle", dtype=np.int64)
    if not np.array_equal(again, inputs) or np.array_equal(other, inputs):
        raise CheckFailed(
            f"{name} ne tire pas ses fenêtres avec la graine reçue : la même graine doit donner "
            "les mêmes lots, une autre graine d'autres lots ; tirez les débuts avec "
            "torch.randint(..., generator=torch.Generator().manual_seed(graine))",
            f"{label_en(name)} does not draw its windows with the seed it receives: the same seed must "
            "give the same batches, another seed other batches; draw the starts with "
            "torch.randint(..., generator=torch.Generator().manual_seed(graine))",
        )
    if out.get("rng_intact") is False:
        raise CheckFailed(
            f"{name} modifie l'état aléatoire global de PyTorch (torch.manual_seed(graine), ou "
            "des tirages sans generator) : l'appelant voit sa suite de nombres aléatoires "
            "changée ; l'énoncé demande de tirer les débuts avec "
            "torch.Generator().manual_seed(graine), g = torch.Generator().manual_seed(graine) "
            "puis torch.randint(..., generator=g)",
            f"{label_en(name)} changes PyTorch's global random state (torch.manual_seed(graine), or draws "
            "without a generator): the caller's random sequence changes; the statement asks to "
            "draw the starts with torch.Generator().manual_seed(graine), "
            "g = torch.Generator().manual_seed(graine) then torch.randint(..., generator=g)",
        )
    # The statement's rule on arguments: donnees is the caller's text (the notebook's `donnees`,
    # reused for every training). A text that does not use character 0, as any text may not.
    text = rng.integers(1, V, size=4 * V)
    model = grader_bigram(submission, "intact", 0, V)
    try:
        assert_arguments_untouched(
            submission, name, (model, Tensor(text), 3, batch, context, 0.05, graine),
            {1: "donnees"},
            hint_fr="lisez les fenêtres dans donnees sans y écrire : donnees[i : i + contexte] est "
            "une vue du texte de l'appelant, et une opération en place (-=, .clamp_(), "
            "donnees[...] = ...) sur elle ou sur donnees modifie ce texte",
            hint_en="read the windows from donnees without writing into it: donnees[i : i + "
            "contexte] is a view of the caller's text, and an in-place operation (-=, .clamp_(), "
            "donnees[...] = ...) on it or on donnees modifies that text",
        )
    except StudentError as exc:
        raise student_error(name, exc) from None


# The notebook's training cell (given, locked): entrainer_transformer(modele_car, donnees,
# n_etapes=400, taille_lot=64, contexte=CONTEXTE, lr=1e-2, graine=0).
NOTEBOOK_TRAINING = (400, 64, CONTEXTE, 1e-2, 0)


def _notebook_training_error(submission, train: str, index: dict, vocab: int,
                             rng) -> tuple[str, str] | None:
    """Why modele_car is barely trained when the notebook's training cell stopped on an error:
    entrainer_transformer called as that cell calls it (the same text, seed and sizes: the
    same starts drawn) on a grader bigram model; None when that call runs."""
    codes = np.array([index[c] for c in train], dtype=np.int64)
    model = grader_bigram(submission, "rejeu", 0, vocab)
    try:
        with_references(submission, {}, "entrainer_transformer", Ref("entrainer_transformer"),
                        model, Tensor(codes), *NOTEBOOK_TRAINING,
                        via=step_order_call.install(submission).name, timeout=TRAIN_TIMEOUT)
    except StudentError as exc:
        if exc.ename in ("NotImplementedError", "NameError"):
            return None
        fr = (f"entrainer_transformer, appelé comme le fait la cellule d'entraînement du "
              f"notebook (même texte, même graine), lève {exc.ename} : cette cellule s'arrête "
              "en cours d'entraînement et modele_car reste à peine entraîné")
        en = (f"entrainer_transformer, called as the notebook's training cell calls it (same "
              f"text, same seed), raises {exc.ename}: that cell stops during training and "
              "modele_car stays barely trained")
        if "TP07_PAS_AVANT_BACKWARD" in exc.evalue:
            order = step_before_backward("entrainer_transformer", exc.evalue).message
            return f"{fr} ; {order.fr}", f"{en}; {order.en}"
        cause = _start_range_error(submission, rng)
        if cause is not None:
            more = _start_range_text(cause)
            return f"{fr} ; {more[0]}", f"{en}; {more[1]}"
        return (f"{fr} ({exc.evalue[:150]})", f"{en} ({exc.evalue[:150]})")
    except SubmissionError:  # a replay too slow says nothing of an error
        return None
    return None


def _mha_not_causal_why(submission, rng) -> tuple[str, str]:
    """Why the student's attention_multi_tetes, run with the grader's attention, lets a
    position see the next ones: called with a causal mask on x (B, n, d), then on x with the
    positions after t changed, then without mask. The mask ignored gives the unmasked output;
    a mask applied but the outputs up to t still changed mean positions mixed by the heads'
    split or merge (a reshape without transpose)."""
    B, h, n, t = 2, 2, 6, 2
    d = h * int(rng.integers(2, 5))
    x = rng.normal(size=(B, n, d))
    x2 = x.copy()
    x2[:, t + 1 :] = rng.normal(size=(B, n - t - 1, d))
    weights = (Tensor(rng.normal(size=(3 * d, d)) / math.sqrt(d)), Tensor(rng.normal(size=3 * d)),
               Tensor(rng.normal(size=(d, d)) / math.sqrt(d)), Tensor(rng.normal(size=d)), h)
    mask = Tensor(np.tril(np.ones((n, n), dtype=bool)))
    generic = (
        "elle transmet masque tel quel à attention, et le découpage comme le recollage des têtes "
        "gardent l'axe des positions (.transpose(1, 2) avant chaque reshape)",
        "it passes masque to attention unchanged, and the split into heads and their "
        "concatenation keep the positions axis (.transpose(1, 2) before each reshape)",
    )
    try:
        masked, changed, plain = (
            as_array(grader_attention_call(submission, "attention_multi_tetes",
                                           "attention_multi_tetes", Tensor(xx), *weights, *m),
                     "attention_multi_tetes", shape=(B, n, d), allow_nan=True)
            for xx, m in ((x, (mask,)), (x2, (mask,)), (x, ())))
    except (StudentError, CheckFailed):
        return generic
    if not (np.isfinite(masked).all() and np.isfinite(changed).all() and np.isfinite(plain).all()):
        return generic
    scale = 1.0 + float(np.abs(masked).max())
    if float(np.abs(masked[:, : t + 1] - changed[:, : t + 1]).max()) <= 1e-6 * scale:
        return generic
    if np.allclose(masked, plain, rtol=1e-6, atol=1e-8 * scale):
        return (
            "avec un masque causal, sa sortie est celle sans masque : elle ne transmet pas "
            "masque à attention ; passez-le tel quel à attention dans chaque tête",
            "with a causal mask, its output is the unmasked one: it does not pass masque on to "
            "attention; pass it unchanged to attention in every head",
        )
    return (
        "même avec le masque causal appliqué, sa sortie en position t dépend des positions "
        "suivantes : le découpage ou le recollage des têtes mélange les positions (un reshape "
        "sans transposition) ; découpez (B, T, d) en (B, T, n_tetes, d_k) puis .transpose(1, "
        "2), et recollez par .transpose(1, 2) puis .reshape(B, T, d)",
        "even with the causal mask applied, its output at position t depends on the next "
        "positions: the split or the concatenation of the heads mixes the positions (a reshape "
        "without transposing); split (B, T, d) into (B, T, n_tetes, d_k) then .transpose(1, 2), "
        "and concatenate with .transpose(1, 2) then .reshape(B, T, d)",
    )


def _texts(tp_dir) -> tuple[str, str]:
    train = (tp_dir / "texte_fr.txt").read_text(encoding="utf-8")
    raw = (tp_dir / "checks" / "hidden" / VALIDATION).read_bytes()
    if (
        hashlib.sha256(raw).hexdigest() != VALIDATION_SHA256
    ):  # a bug in the course, not the student's
        raise RuntimeError(f"{VALIDATION} changed: update VALIDATION_SHA256 and the thresholds")
    return train, raw.decode("utf-8")


@pytest.mark.item("transformer_train", points=1)
def test_transformer_bits_per_char_on_held_out_text(submission, rng, device, tp_dir):
    train, held_out = _texts(tp_dir)
    chars = sorted(set(train))  # the notebook's `caracteres`
    index = {c: i for i, c in enumerate(chars)}
    codes = np.array([index[c] for c in held_out], dtype=np.int64)
    vocab = len(chars)
    if not submission.has("modele_car"):
        fault = dependency_fault(submission, ("attention", "attention_multi_tetes"))
        if fault is not None:
            raise CheckFailed(
                f"modele_car n'existe pas : la cellule qui crée et entraîne le Transformer a "
                f"échoué ; {fault[0]}",
                f"modele_car does not exist: the cell that builds and trains the Transformer "
                f"failed; {fault[1]}",
            )
        raise CheckFailed(
            "modele_car n'existe pas : la cellule qui crée et entraîne le Transformer a échoué "
            "(voir le notebook exécuté) ; complétez PetitTransformer et entrainer_transformer",
            "modele_car does not exist: the cell that builds and trains the Transformer failed "
            "(see the executed notebook); complete PetitTransformer and entrainer_transformer",
        )
    model = Ref("modele_car")
    # The bits per character only mean something for a causal model: check it first.
    starts = rng.choice(len(codes) - CONTEXTE, size=8, replace=False)
    X = np.stack([codes[s : s + CONTEXTE] for s in starts])
    t = int(rng.integers(4, CONTEXTE // 2))
    _check_model_deterministic(submission, "modele_car (votre Transformer entraîné)", model, X,
                               vocab, device, references=False)
    gap, tol = _causality_gap(submission, "modele_car", model, X, t, rng, vocab, device)
    record_margin("causality gap of modele_car", gap, tol, higher_is_better=False,
                  kind="tolerance")
    if gap > tol:
        ref_gap, ref_tol = _causality_gap(submission, "modele_car", model, X, t, rng, vocab, device,
                                          references=True)
        if ref_gap <= ref_tol:
            # Which of the two: the student's attention_multi_tetes kept, the grader's attention
            # in place of the student's.
            mha_gap, mha_tol = _causality_gap(submission, "modele_car", model, X, t, rng, vocab,
                                              device, references=True, quoi="attention")
            if mha_gap <= mha_tol:
                where = (
                    "il le devient quand l'attention du correcteur remplace la vôtre : la faute "
                    "est dans votre attention (voir sa vérification) ; le masque s'applique aux "
                    "scores AVANT la softmax (positions interdites à −∞), la softmax sur les clés",
                    "it becomes causal when the grader's attention replaces yours: the fault is "
                    "in your attention (see its check); the mask applies to the scores BEFORE the "
                    "softmax (forbidden positions at −∞), the softmax over the keys",
                )
            else:
                why = _mha_not_causal_why(submission, rng)
                where = (
                    "il le reste avec l'attention du correcteur et ne le devient qu'avec son "
                    f"attention multi-têtes : la faute est dans votre attention_multi_tetes (voir "
                    f"sa vérification) ; {why[0]}",
                    "it stays so with the grader's attention and only becomes causal with its "
                    "multi-head attention: the fault is in your attention_multi_tetes (see its "
                    f"check); {why[1]}",
                )
            raise CheckFailed(
                f"modele_car (votre Transformer entraîné) n'est pas causal ; {where[0]} ; les "
                "bits par caractère d'un modèle qui voit le futur ne mesurent rien, ils ne sont "
                "pas évalués",
                f"modele_car (your trained Transformer) is not causal; {where[1]}; the bits per "
                "character of a model that sees the future measure nothing, they are not scored",
            )
        exc = _not_causal("modele_car (votre Transformer entraîné)", t, gap,
                          _wrong_causal_mask(submission, CONTEXTE))
        raise CheckFailed(
            f"{exc.message.fr} ; les bits par caractère d'un modèle qui voit le futur ne "
            "mesurent rien, ils ne sont pas évalués",
            f"{exc.message.en}; the bits per character of a model that sees the future measure "
            "nothing, they are not scored",
        )
    ends = np.sort(rng.choice(np.arange(CONTEXTE, len(codes)), size=N_WINDOWS, replace=False))
    windows = np.stack([codes[e - CONTEXTE : e] for e in ends])
    targets = codes[ends]  # never sent to the kernel
    last = as_array(
        guarded(
            submission, "modele_car", model, Tensor(windows), dernier=True,
            via=model_logits.install(submission).name,
            uses=("attention", "attention_multi_tetes"),
        ),
        "logits de modele_car",
        allow_nan=True,
    )
    if last.shape != (N_WINDOWS, vocab):
        raise CheckFailed(
            "modele_car ne donne pas, à la dernière position, des logits de forme (B, "
            "len(caracteres)) pour des fenêtres (B, contexte) : un logit par caractère de "
            "`caracteres`",
            "modele_car does not give last-position logits of shape (B, len(caracteres)) for "
            "(B, contexte) windows: one logit per character of `caracteres`",
        )
    if not np.isfinite(last).all():
        if causal_mask_is_wrong(submission, CONTEXTE):
            raise mask_nan_error("modele_car")
        fault = dependency_fault(submission, ("attention", "attention_multi_tetes"))
        if fault is not None:
            raise CheckFailed(f"modele_car donne des logits non finis (NaN ou inf) : {fault[0]}",
                              f"modele_car gives non-finite logits (NaN or inf): {fault[1]}")
        raise CheckFailed(
            "modele_car donne des logits non finis (NaN ou inf) : l'entraînement a divergé",
            "modele_car gives non-finite logits (NaN or inf): the training diverged",
        )
    z = last.astype(np.float64)
    m = z.max(axis=1, keepdims=True)
    log_norm = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    bits = float(np.mean(log_norm - z[np.arange(N_WINDOWS), targets]) / math.log(2))
    copies = float((z.argmax(axis=1) == windows[:, -1]).mean())
    if copies > 0.3:
        hint = (
            f"votre modèle prédit le plus souvent le caractère qu'il vient de lire ({100 * copies:.0f} % "
            "des fenêtres) : dans entrainer_transformer, la cible doit être décalée d'un cran, "
            "y = donnees[i + 1 : i + contexte + 1]",
            f"your model mostly predicts the character it has just read ({100 * copies:.0f} % of "
            "the windows): in entrainer_transformer, the target must be shifted by one, "
            "y = donnees[i + 1 : i + contexte + 1]",
        )
    elif (fault := dependency_fault(submission, ("attention", "attention_multi_tetes"))) is not None:
        # The notebook's training backpropagates through them: its cell stopped on their error.
        hint = (
            f"modele_car n'a sans doute pas pu être entraîné : {fault[0]}",
            f"modele_car could probably not be trained: {fault[1]}",
        )
    elif bits > BPC_FULL and (
            stopped := _notebook_training_error(submission, train, index, vocab, rng)) is not None:
        hint = stopped
    else:
        hint = (
            "vérifiez entrainer_transformer (zero_grad, backward et step à chaque étape, cible "
            "décalée d'un cran, entropie croisée sur toutes les positions) et PetitTransformer "
            "(plongements, blocs avec connexions résiduelles, LayerNorm finale)",
            "check entrainer_transformer (zero_grad, backward and step at every step, target "
            "shifted by one, cross-entropy over every position) and PetitTransformer (embeddings, "
            "blocks with residual connections, final LayerNorm)",
        )
    score_threshold(
        bits,
        hint=hint,
        full=BPC_FULL,
        partial=[(BPC_PARTIAL, 0.5)],
        higher_is_better=False,
        what_fr=f"perte de modele_car sur {N_WINDOWS} fenêtres de {CONTEXTE} caractères d'un texte "
        "gardé par le correcteur, en bits par caractère",
        what_en=f"loss of modele_car on {N_WINDOWS} windows of {CONTEXTE} characters of a text the "
        "grader keeps, in bits per character",
        fmt="{:.2f}",
    )
