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
unchanged. Bits per character: the grader cuts windows of CONTEXTE characters from held-out
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
    TORCH_ATTENTION,
    CheckFailed,
    Partial,
    as_array,
    once_per_submission,
    record_margin,
    score_threshold,
    tolerance_for,
)
from autograder.proxy import Handle, Ref, StudentError, Tensor

# PyTorch's own attention, switched off in the kernel while the checks call `attention`,
# `attention_multi_tetes` or the Transformer, so that they are really computed by hand
# (names the student's cell bound to these functions are switched off too).
GUARD = TORCH_ATTENTION  # autograder.checks.guards: the same guard in every check file of the TP

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
"""

TRAIN_TIMEOUT = 120.0
# GNN vs MLP
N_GRAPHS, PER_CLASS, N_CLASSES = 2, 15, 3
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


def _student_error(name: str, exc: StudentError) -> CheckFailed:
    if "TP07_FORME" in exc.evalue:
        shape = exc.evalue.split("TP07_FORME", 1)[1].strip()[:60]
        return CheckFailed(
            f"{name} renvoie une sortie de forme {shape} pour une entrée (B, T) : des logits "
            "(B, T, taille_vocab) sont attendus, un vecteur par position",
            f"{name} returns an output of shape {shape} for a (B, T) input: logits "
            "(B, T, taille_vocab) are expected, one vector per position",
        )
    if "TP07_PAS_MODULE" in exc.evalue:
        kind = exc.evalue.split()[-1][:60]
        return CheckFailed(
            f"{name} doit être un nn.Module, obtenu {kind}",
            f"{name} must be an nn.Module, got {kind}",
        )
    if exc.ename == "NotImplementedError":
        return CheckFailed(
            f"`{name}` n'est pas encore implémentée (NotImplementedError) : complétez la cellule réponse",
            f"`{name}` is not implemented yet (NotImplementedError): fill in the answer cell",
        )
    if exc.ename == "NameError" and exc.evalue == name:
        return CheckFailed(
            f"`{name}` n'est pas défini dans votre notebook : exécutez/complétez la cellule qui le définit",
            f"`{name}` is not defined in your notebook: complete the cell that defines it",
        )
    return CheckFailed(
        f"`{name}` a levé {exc.ename} : {exc.evalue}",
        f"`{name}` raised {exc.ename}: {exc.evalue}",
    )


def _call(submission, name: str, *args, **kwargs):
    try:
        return submission.call(name, *args, **kwargs)
    except StudentError as exc:
        raise _student_error(name, exc) from None


def _guarded(submission, name: str, *args, via: str | None = None, **kwargs):
    """Call `via` (default: the student's `name`) with PyTorch's attention switched off."""
    try:
        return GUARD.call(submission, name, *args, via=via, **kwargs)
    except StudentError as exc:
        raise _student_error(name, exc) from None


def _with_hint(exc: Partial | CheckFailed, fr: str, en: str) -> Partial | CheckFailed:
    if isinstance(exc, Partial):
        return Partial(exc.fraction, f"{exc.message.fr} ; {fr}", f"{exc.message.en}; {en}")
    return CheckFailed(f"{exc.message.fr} ; {fr}", f"{exc.message.en}; {en}")


def _score(value: float, hint: tuple[str, str], **kwargs) -> None:
    try:
        score_threshold(value, **kwargs)
    except (Partial, CheckFailed) as exc:
        raise _with_hint(exc, *hint) from None


# ---------------------------------------------------------------- GNN vs MLP


def _sbm(
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


@dataclass(frozen=True)
class NodeResults:
    n_test: int
    gnn: float
    mlp: float
    logreg: float


def _accuracy(logits: np.ndarray, y: np.ndarray, test: np.ndarray) -> float:
    return float((logits.argmax(axis=1)[test] == y[test]).mean())


def _node_logits(submission, name: str, args, n: int) -> np.ndarray:
    got = as_array(_call(submission, name, *args, timeout=TRAIN_TIMEOUT), name, allow_nan=True)
    if got.shape != (n, N_CLASSES):
        raise CheckFailed(
            f"{name} sur un graphe de {n} nœuds et {N_CLASSES} classes renvoie un tableau de "
            f"forme {got.shape} : les logits ({n}, {N_CLASSES}) de TOUS les nœuds sont attendus",
            f"{name} on a graph of {n} nodes and {N_CLASSES} classes returns an array of shape "
            f"{got.shape}: the ({n}, {N_CLASSES}) logits of ALL the nodes are expected",
        )
    if not np.isfinite(got).all():
        raise CheckFailed(
            f"{name} renvoie des logits non finis (NaN ou inf) : l'entraînement a divergé",
            f"{name} returns non-finite logits (NaN or inf): the training diverged",
        )
    return got


def _train_nodes(submission, seed: int) -> NodeResults:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    gnn, mlp, logreg, n_test = [], [], [], 0
    for _ in range(N_GRAPHS):
        n, d = int(rng.integers(280, 321)), int(rng.integers(12, 21))
        X, A, y = _sbm(rng, n, N_CLASSES, d)
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


@pytest.mark.item("gnn_train")
@pytest.mark.points(1)
def test_gnn_accuracy_on_grader_graphs(submission, seed):
    r = _nodes(submission, seed)
    _score(
        r.gnn,
        _GNN_HINT,
        full=GNN_FULL,
        partial=[(GNN_PARTIAL, 0.5)],
        what_fr=f"précision moyenne du GNN sur les {r.n_test} nœuds non étiquetés de "
        f"{N_GRAPHS} graphes à communautés du correcteur",
        what_en=f"mean accuracy of the GNN on the {r.n_test} unlabelled nodes of "
        f"{N_GRAPHS} grader community graphs",
    )


@pytest.mark.item("gnn_train")
@pytest.mark.points(1.5)
def test_gnn_beats_features_only_mlp(submission, seed):
    r = _nodes(submission, seed)
    record_margin(f"MLP accuracy vs the grader's logistic regression − {MLP_FLOOR_GAP:g}",
                  r.mlp, r.logreg - MLP_FLOOR_GAP, higher_is_better=True)
    if r.mlp < r.logreg - MLP_FLOOR_GAP:
        raise CheckFailed(
            f"votre MLP n'atteint que {r.mlp:.3f} de précision sur les nœuds non étiquetés, bien "
            f"moins qu'une régression logistique du correcteur sur les mêmes caractéristiques "
            f"({r.logreg:.3f}) : la comparaison avec le GNN n'est pas équitable ; entraînez le MLP "
            "d → 32 → n_classes comme le GNN (Adam, 200 époques, perte sur idx_train)",
            f"your MLP only reaches {r.mlp:.3f} accuracy on the unlabelled nodes, far below a "
            f"grader logistic regression on the same features ({r.logreg:.3f}): the comparison "
            "with the GNN is not fair; train the d → 32 → n_classes MLP like the GNN (Adam, 200 "
            "epochs, loss on idx_train)",
        )
    _score(
        r.gnn - r.mlp,
        (
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


def _causality_gap(submission, label: str, model, X: np.ndarray, t: int, rng, vocab: int, device):
    """(largest change of the logits up to t, scale) when the characters after t change."""
    X2 = X.copy()
    future = X2[:, t + 1 :]
    X2[:, t + 1 :] = (future + rng.integers(1, vocab, size=future.shape)) % vocab
    both = np.concatenate([X, X2])
    logits = as_array(
        _guarded(submission, label, model, Tensor(both), via="_tp07_logits"), label, allow_nan=True
    )
    B = len(X)
    if logits.shape[:2] != both.shape or logits.ndim != 3 or logits.shape[2] != vocab:
        raise CheckFailed(
            f"{label} donne des logits de forme {logits.shape} pour une entrée {both.shape} : "
            f"({both.shape[0]}, {both.shape[1]}, {vocab}) attendu",
            f"{label} gives logits of shape {logits.shape} for a {both.shape} input: "
            f"({both.shape[0]}, {both.shape[1]}, {vocab}) expected",
        )
    if not np.isfinite(logits).all():
        raise CheckFailed(
            f"{label} donne des logits non finis (NaN ou inf)",
            f"{label} gives non-finite logits (NaN or inf)",
        )
    gap = float(np.abs(logits[:B, : t + 1] - logits[B:, : t + 1]).max())
    tol = tolerance_for(device, "float32") * (1.0 + float(np.abs(logits).max()))
    return gap, tol


def _not_causal(label: str, t: int, gap: float) -> CheckFailed:
    return CheckFailed(
        f"{label} n'est pas causal : en changeant les caractères après la position {t}, les "
        f"logits des positions 0 à {t} changent (écart {gap:.2e}) ; le modèle lit le futur, "
        "donc le caractère qu'il doit prédire : passez masque_causal(T) à attention_multi_tetes "
        "dans chaque bloc (softmax sur les clés, positions interdites à −∞)",
        f"{label} is not causal: changing the characters after position {t} changes the logits "
        f"of positions 0 to {t} (gap {gap:.2e}); the model reads the future, hence the character "
        "it must predict: pass masque_causal(T) to attention_multi_tetes in every block "
        "(softmax over the keys, forbidden positions at −∞)",
    )


@pytest.mark.item("transformer")
@pytest.mark.points(1)
def test_transformer_is_causal(submission, rng, seed, device):
    submission.define("_tp07_construire", MODEL_SRC)
    for _ in range(2):
        vocab, heads = int(rng.integers(8, 21)), int(rng.choice([2, 4]))
        d, layers = heads * int(rng.integers(4, 9)), int(rng.integers(1, 3))
        T = int(rng.integers(10, 21))
        label = (
            f"PetitTransformer({vocab}, d={d}, n_tetes={heads}, n_couches={layers}, contexte={T})"
        )
        model = _guarded(
            submission,
            "PetitTransformer",
            int(rng.integers(0, 2**31)),
            vocab,
            d=d,
            n_tetes=heads,
            n_couches=layers,
            contexte=T,
            via="_tp07_construire",
        )
        if not isinstance(model, Handle):
            raise CheckFailed(
                f"{label} doit construire un nn.Module, obtenu {type(model).__name__}",
                f"{label} must build an nn.Module, got {type(model).__name__}",
            )
        graine = int(rng.integers(0, 2**31))
        _guarded(submission, label, model, graine, REINIT_SCALE, via="_tp07_reinitialiser")
        X = rng.integers(0, vocab, size=(4, T))
        t = int(rng.integers(1, T // 3 + 1))
        gap, tol = _causality_gap(submission, label, model, X, t, rng, vocab, device)
        record_margin("causality gap of a re-drawn PetitTransformer", gap, tol,
                      higher_is_better=False, kind="tolerance")
        if gap > tol:
            raise _not_causal(label, t, gap)


def _texts(tp_dir) -> tuple[str, str]:
    train = (tp_dir / "texte_fr.txt").read_text(encoding="utf-8")
    raw = (tp_dir / "checks" / "hidden" / VALIDATION).read_bytes()
    if (
        hashlib.sha256(raw).hexdigest() != VALIDATION_SHA256
    ):  # a bug in the course, not the student's
        raise RuntimeError(f"{VALIDATION} changed: update VALIDATION_SHA256 and the thresholds")
    return train, raw.decode("utf-8")


@pytest.mark.item("transformer_train")
@pytest.mark.points(1.5)
def test_transformer_bits_per_char_on_held_out_text(submission, rng, device, tp_dir):
    train, held_out = _texts(tp_dir)
    chars = sorted(set(train))  # the notebook's `caracteres`
    index = {c: i for i, c in enumerate(chars)}
    codes = np.array([index[c] for c in held_out], dtype=np.int64)
    vocab = len(chars)
    if not submission.has("modele_car"):
        raise CheckFailed(
            "modele_car n'existe pas : la cellule qui crée et entraîne le Transformer a échoué "
            "(voir le notebook exécuté) ; complétez PetitTransformer et entrainer_transformer",
            "modele_car does not exist: the cell that builds and trains the Transformer failed "
            "(see the executed notebook); complete PetitTransformer and entrainer_transformer",
        )
    submission.define("_tp07_logits", MODEL_SRC)
    model = Ref("modele_car")
    # The bits per character only mean something for a causal model: check it first.
    starts = rng.choice(len(codes) - CONTEXTE, size=8, replace=False)
    X = np.stack([codes[s : s + CONTEXTE] for s in starts])
    t = int(rng.integers(4, CONTEXTE // 2))
    gap, tol = _causality_gap(submission, "modele_car", model, X, t, rng, vocab, device)
    record_margin("causality gap of modele_car", gap, tol, higher_is_better=False,
                  kind="tolerance")
    if gap > tol:
        exc = _not_causal("modele_car (votre Transformer entraîné)", t, gap)
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
        _guarded(
            submission, "modele_car", model, Tensor(windows), dernier=True, via="_tp07_logits"
        ),
        "logits de modele_car",
        allow_nan=True,
    )
    if last.shape != (N_WINDOWS, vocab):
        raise CheckFailed(
            f"modele_car donne, à la dernière position, des logits de forme {last.shape} : "
            f"({N_WINDOWS}, {vocab}) attendu, un logit par caractère de `caracteres`",
            f"modele_car gives last-position logits of shape {last.shape}: ({N_WINDOWS}, "
            f"{vocab}) expected, one logit per character of `caracteres`",
        )
    if not np.isfinite(last).all():
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
    else:
        hint = (
            "vérifiez entrainer_transformer (zero_grad, backward et step à chaque étape, cible "
            "décalée d'un cran, entropie croisée sur toutes les positions) et PetitTransformer "
            "(plongements, blocs avec connexions résiduelles, LayerNorm finale)",
            "check entrainer_transformer (zero_grad, backward and step at every step, target "
            "shifted by one, cross-entropy over every position) and PetitTransformer (embeddings, "
            "blocks with residual connections, final LayerNorm)",
        )
    _score(
        bits,
        hint,
        full=BPC_FULL,
        partial=[(BPC_PARTIAL, 0.5)],
        higher_is_better=False,
        what_fr=f"perte de modele_car sur {N_WINDOWS} fenêtres de {CONTEXTE} caractères d'un texte "
        "gardé par le correcteur, en bits par caractère",
        what_en=f"loss of modele_car on {N_WINDOWS} windows of {CONTEXTE} characters of a text the "
        "grader keeps, in bits per character",
        fmt="{:.2f}",
    )
