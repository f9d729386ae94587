"""TP03's code shared by its public and hidden checks: the guarded calls and their messages,
the kernel-side model helpers, the classic convolution mistakes, the translation."""

from __future__ import annotations

import re

import numpy as np
import torch
import torch.nn.functional as F

from autograder.checks import (
    TORCH_CONVOLUTIONS,
    CheckFailed,
    Handle,
    StudentError,
    Tensor,
    as_int,
    built_module,
    describe_module,
    kernel_side,
    notebook_data_reads,
    student_failure,
)

# PyTorch's own convolution and pooling, switched off in the kernel while the checks call
# `conv2d` and `max_pool2d`, so that they are really written by hand.
GUARD = TORCH_CONVOLUTIONS  # autograder.checks.guards: the same guard in every check file of the TP

@kernel_side(uses=(describe_module,))
def inspect_model(modele):
    """The library's description of a model, and how many convolutions it holds."""
    import torch

    info = describe_module(modele)
    if info["module"]:
        info["n_conv"] = int(sum(isinstance(m, torch.nn.Conv2d) for m in modele.modules()))
        # Blind round 22: layers kept in a plain list, tuple or dict attribute (self.convs = [...])
        # are not registered: modules() and parameters() miss them, so the optimiser never
        # trains them. Named as "attribute (kind): layer types", registered ones left out.
        inscrits = {id(m) for m in modele.modules()}
        caches = []
        for sous in modele.modules():
            for nom, valeur in vars(sous).items():
                if nom.startswith("_") or not isinstance(valeur, (list, tuple, dict)):
                    continue
                elements = list(valeur.values()) if isinstance(valeur, dict) else list(valeur)
                perdus = [type(e).__name__ for e in elements[:50]
                          if isinstance(e, torch.nn.Module) and id(e) not in inscrits]
                if perdus:
                    caches.append(f"{nom} ({type(valeur).__name__} : {', '.join(perdus[:4])})")
        info["unregistered"] = caches[:4]
    return info


def unregistered_failure(name: str, info: dict) -> CheckFailed | None:
    """The model `name()` keeps layers in a plain list, tuple or dict (read by inspect_model):
    PyTorch does not register them, so they hold no parameters() and are never trained."""
    found = info.get("unregistered") if isinstance(info, dict) else None
    if not isinstance(found, list) or not found or not all(isinstance(f, str) for f in found):
        return None
    where = " ; ".join(found)
    return CheckFailed(
        f"{name}() garde des couches dans une liste, un tuple ou un dict Python ordinaire ({where}) : "
        "PyTorch ne les enregistre pas comme sous-modules, si bien que modele.parameters() (donc "
        "l'optimiseur) et modele.modules() ne les voient pas et qu'elles ne sont jamais entraînées ; "
        "rangez-les dans un nn.ModuleList (ou nn.ModuleDict, nn.Sequential), ou en attributs self.conv1 = …",
        f"{name}() keeps layers in a plain Python list, tuple or dict ({where}): PyTorch does not "
        "register them as submodules, so modele.parameters() (hence the optimiser) and "
        "modele.modules() do not see them and they are never trained; put them in an nn.ModuleList "
        "(or nn.ModuleDict, nn.Sequential), or in attributes self.conv1 = ...",
    )


@kernel_side
def plane_sizes(modele, X):
    """Every module that takes and returns maps (N, C, H, W), in the order of one forward pass:
    [type name, is a nn.Conv2d, input (H, W), output (H, W)]."""
    import torch

    vus = []

    def crochet(m, entree, sortie):
        if (entree and torch.is_tensor(entree[0]) and entree[0].dim() == 4
                and torch.is_tensor(sortie) and sortie.dim() == 4):
            vus.append([type(m).__name__, isinstance(m, torch.nn.Conv2d),
                        [int(v) for v in entree[0].shape[-2:]], [int(v) for v in sortie.shape[-2:]]])

    crochets = [m.register_forward_hook(crochet) for m in modele.modules() if m is not modele]
    try:
        modele.eval()
        with torch.no_grad():
            modele(X)
    finally:
        for c in crochets:
            c.remove()
    return vus


@kernel_side
def model_logits(modele, X):
    import torch

    modele.eval()
    with torch.no_grad():
        return modele(X)


SHAPE_HINTS = {
    "conv2d": (
        "vérifiez les formes : x (N, C_in, H, W), w (C_out, C_in, k_y, k_x), et la fenêtre "
        "x̃[:, :, i·s : i·s + k_y, j·s : j·s + k_x] (i pour les lignes, j pour les colonnes)",
        "check the shapes: x (N, C_in, H, W), w (C_out, C_in, k_y, k_x), and the window "
        "x̃[:, :, i·s : i·s + k_y, j·s : j·s + k_x] (i for rows, j for columns)",
    ),
    "max_pool2d": (
        "vérifiez les formes : x (N, C, H, W) et la fenêtre x̃[:, :, i·s : i·s + k, j·s : j·s + k]",
        "check the shapes: x (N, C, H, W) and the window x̃[:, :, i·s : i·s + k, j·s : j·s + k]",
    ),
}


BIAS_AXIS = (
    "le biais b, de forme (C_out,), ajouté tel quel à la sortie (N, C_out, H_out, W_out), "
    "s'aligne sur son DERNIER axe (W_out) et non sur l'axe des filtres : mettez-le en forme, "
    "b.reshape(1, -1, 1, 1) ou b[None, :, None, None], pour ajouter b[f] à toute la sortie du filtre f",
    "the bias b, of shape (C_out,), added as it is to the output (N, C_out, H_out, W_out), lines "
    "up with its LAST axis (W_out), not with the filters' axis: reshape it, b.reshape(1, -1, 1, 1) "
    "or b[None, :, None, None], to add b[f] to the whole output of filter f",
)

_MISMATCH = re.compile(
    r"size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\) at non-singleton dimension (-?\d+)"
)


#: Blind round 20: x_pad[:, :, p:-p, p:-p] = x with padding=0 writes into p:-0 = 0:0, an empty
#: slice ("The expanded size of the tensor (0) must match the existing size (4) ... Target sizes:
#: [1, 1, 0, 0]"): the copy of the padding, not the window.
_EMPTY_TARGET = re.compile(r"expanded size of the tensor \(0\)|Target sizes: \[[^\]]*\b0\]")
EMPTY_PAD_SLICE = (
    "avec padding=0, la tranche p:-p est vide (0:-0 vaut 0:0) : x ne peut pas y être copié ; "
    "écrivez x_pad[:, :, p:p + H, p:p + W] = x, ou ne rembourrez que si padding > 0",
    "with padding=0, the slice p:-p is empty (0:-0 is 0:0): x cannot be copied into it; write "
    "x_pad[:, :, p:p + H, p:p + W] = x, or pad only when padding > 0",
)


#: Blind round 22: .view on the windows of unfold (or after permute/transpose), which are not
#: contiguous in memory: PyTorch's English error alone, told to check the shapes.
VIEW_NONCONTIGUOUS = (
    ".view exige un tenseur contigu en mémoire, et les fenêtres de unfold (comme le résultat de "
    "permute ou transpose) ne le sont pas : les formes peuvent être justes, utilisez .reshape(…) "
    "(ou .contiguous().view(…))",
    ".view needs a tensor contiguous in memory, and the windows of unfold (like the result of "
    "permute or transpose) are not: the shapes may be right, use .reshape(...) (or "
    ".contiguous().view(...))",
)
_VIEW_ERROR = re.compile(r"view size is not compatible with input tensor's size and stride", re.IGNORECASE)


def _argument(args: tuple, kwargs: dict, index: int, key: str):
    if key in kwargs:
        return kwargs[key]
    return args[index] if len(args) > index else None


def shape_hint(name: str, exc: StudentError, args: tuple = (), kwargs: dict | None = None) -> tuple[str, str] | None:
    """The hint that follows a shape error of the student's `name`, called with `args`: for
    conv2d, a broadcast that fails on the last axis of the 4-D output against the number of
    filters is the bias added without reshaping (blind round 16: `y + b` was told to check the
    window); otherwise SHAPE_HINTS."""
    kwargs = kwargs or {}
    if _VIEW_ERROR.search(str(exc.evalue)):
        return VIEW_NONCONTIGUOUS
    padding = _argument(args, kwargs, 4 if name == "conv2d" else 3, "padding")
    if name in SHAPE_HINTS and (padding is None or padding == 0) and _EMPTY_TARGET.search(str(exc.evalue)):
        return EMPTY_PAD_SLICE
    w, b = _argument(args, kwargs, 1, "w"), _argument(args, kwargs, 2, "b")
    found = _MISMATCH.search(str(exc.evalue))
    if (name == "conv2d" and found and b is not None and isinstance(w, Tensor)
            and np.ndim(w.array) == 4 and found.group(3) in ("3", "-1")):
        c_out = int(np.shape(w.array)[0])
        if c_out in (int(found.group(1)), int(found.group(2))):
            return BIAS_AXIS
    return SHAPE_HINTS.get(name)


#: torch.return_types of reductions that give (values, indices): what type(...).__name__ reads.
PAIR_TYPES = frozenset({"max", "min", "sort", "topk", "kthvalue", "median", "mode", "cummax", "cummin"})


def values_indices_failure(name: str, raw: object = None, *, kind: str | None = None) -> CheckFailed | None:
    """`name` returned the pair (values, indices) of torch.max(…, dim=…) (blind round 18: the
    shape (2, N, C, H, W) of the pair read as one array was told to check the default stride):
    seen as the pair of arrays that comes back (floats, then integer indices of the same
    shape), or as the type name `kind` read in the kernel (torch.return_types.max)."""
    if kind is None:
        if not (isinstance(raw, tuple) and len(raw) == 2):
            return None
        values, indices = raw
        if not (isinstance(values, np.ndarray) and isinstance(indices, np.ndarray)
                and indices.dtype.kind in "iu" and values.shape == indices.shape):
            return None
        kind = "tuple"
    elif kind not in PAIR_TYPES:
        return None
    return CheckFailed(
        f"{name} renvoie un couple (valeurs, indices) ({kind}) et non un torch.Tensor : c'est ce que "
        "renvoient torch.max(…, dim=…) et Tensor.max(dim=…) (de même torch.min) ; gardez les "
        "valeurs, ….values, ou utilisez Tensor.amax(dim=…), qui ne renvoie que les maxima",
        f"{name} returns a pair (values, indices) ({kind}), not a torch.Tensor: that is what "
        "torch.max(..., dim=...) and Tensor.max(dim=...) return (torch.min too); keep the values, "
        "....values, or use Tensor.amax(dim=...), which returns the maxima only",
    )


def guarded(submission, name: str, *args, **kwargs):
    """Call a student function through the guard; messages name the student's function."""
    try:
        return GUARD.call(submission, name, *args, **kwargs)
    except StudentError as exc:
        raise student_failure(name, exc, hint=shape_hint(name, exc, args, kwargs)) from None


def build(submission, name: str, seed: int = 0) -> tuple[Handle, dict]:
    """The student's model `name()` built after torch.manual_seed(seed), and what it holds."""
    return built_module(submission, name, seed, inspect_model)


def entrainer_index_failure(exc: StudentError) -> CheckFailed | None:
    """An IndexError out of the examples entrainer received (N written as a number, or taken
    from the notebook's data): said as such, not as a shape error."""
    if exc.ename != "IndexError" or "out of bounds" not in str(exc.evalue):
        return None
    return CheckFailed(
        f"`entrainer` a levé IndexError ({exc.evalue}) : elle prend un indice au-delà des exemples "
        "du X_train qu'elle reçoit ; N doit être len(X_train) de l'argument, pas une taille écrite "
        "en dur ni celle des données du notebook : la correction passe des données d'une autre taille",
        f"`entrainer` raised IndexError ({exc.evalue}): it takes an index beyond the examples of "
        "the X_train it receives; N must be len(X_train) of the argument, not a hard-coded size "
        "nor that of the notebook's data: the grader passes data of another size",
    )


def call_entrainer(submission, *args, **kwargs):
    """submission.call("entrainer", ...) with an index beyond the data said as such."""
    try:
        return submission.call("entrainer", *args, **kwargs)
    except StudentError as exc:
        failure = entrainer_index_failure(exc)
        if failure is None:
            raise
        raise failure from None


def returned_model(submission, model: Handle, *args, **kwargs) -> Handle:
    """The model entrainer(model, ...) returns: the statement says it trains modele AND returns
    it (the notebook's demo reads modeles[nom] = entrainer(creer(), ...))."""
    out = call_entrainer(submission, model, *args, **kwargs)
    if out is None:
        raise CheckFailed(
            "entrainer ne renvoie rien (None) : l'énoncé demande qu'elle entraîne modele ET le "
            "renvoie ; terminez par return modele (le notebook fait modeles[nom] = "
            "entrainer(creer(), X_train, y_train), puis precision(modele, …))",
            "entrainer returns nothing (None): the statement asks it to train modele AND return "
            "it; end with return modele (the notebook does modeles[nom] = entrainer(creer(), "
            "X_train, y_train), then precision(modele, ...))",
        )
    if not isinstance(out, Handle):
        raise CheckFailed(
            f"entrainer doit renvoyer le modèle entraîné, obtenu {type(out).__name__}",
            f"entrainer must return the trained model, got {type(out).__name__}",
        )
    return out


def exact_int(value: object, name: str) -> int:
    """A size or a count the statement asks as an integer: a float (207937.0, from /) fails."""
    if isinstance(value, float) or (isinstance(value, np.ndarray) and value.dtype.kind == "f"):
        raise CheckFailed(
            f"{name} renvoie un nombre à virgule (float) : l'énoncé demande un entier (int) ; "
            "utilisez la division entière // (ou int(…)), pas /",
            f"{name} returns a floating-point number: the statement asks for an integer (int); "
            "use the integer division // (or int(...)), not /",
        )
    return as_int(value, name)


def t64(a: np.ndarray | None) -> torch.Tensor | None:
    return None if a is None else torch.tensor(a, dtype=torch.float64)


CONV_LAYOUT = (
    "la sortie est calculée rangée (N, H_out·W_out, C_out) (ou (N, H_out, W_out, C_out)) puis mise "
    "en forme (N, C_out, H_out, W_out) par reshape ou view, ce qui mélange filtres et positions : "
    "échangez d'abord les axes, .transpose(1, 2) ou .permute(0, 3, 1, 2), avant (ou au lieu de) "
    "ce reshape",
    "the output is computed laid out (N, H_out·W_out, C_out) (or (N, H_out, W_out, C_out)) then "
    "shaped (N, C_out, H_out, W_out) by reshape or view, which mixes filters and positions: swap "
    "the axes first, .transpose(1, 2) or .permute(0, 3, 1, 2), before (or instead of) that reshape",
)


def conv_layout_mistake(ref):
    """The reference output `ref` (N, C_out, H_out, W_out) as a conv2d that computes it laid out
    (N, H_out, W_out, C_out) and reshapes it without permuting gives it (blind round 18)."""
    if isinstance(ref, np.ndarray):
        return np.ascontiguousarray(ref.transpose(0, 2, 3, 1)).reshape(ref.shape)
    return ref.permute(0, 2, 3, 1).reshape(ref.shape)


def conv_mistakes(x, w, b, stride: int, padding: int, *, all_: bool = True):
    """(output, hint_fr, hint_en) of the classic mistakes, to name them in the message: a
    flipped kernel, a missing bias, then (with `all_`) the padding and stride ones."""
    xt, wt, bt = t64(x), t64(w), t64(b)
    out = [
        (
            F.conv2d(xt, wt.flip(-1, -2), bt, stride=stride, padding=padding),
            "vous retournez le noyau (convolution du traitement du signal) : PyTorch calcule une "
            "corrélation croisée, w[f, c, u, v] · x̃[n, c, i·s + u, j·s + v], sans retournement",
            "you flip the kernel (signal-processing convolution): PyTorch computes a "
            "cross-correlation, w[f, c, u, v] · x̃[n, c, i·s + u, j·s + v], without flipping",
        )
    ]
    if wt.shape[0] > 1:
        out.append((conv_layout_mistake(F.conv2d(xt, wt, bt, stride=stride, padding=padding)), *CONV_LAYOUT))
    if bt is not None:
        out.append(
            (
                F.conv2d(xt, wt, None, stride=stride, padding=padding),
                "le biais b manque : ajoutez b[f] à toute la sortie du filtre f",
                "the bias b is missing: add b[f] to the whole output of filter f",
            )
        )
        plain = F.conv2d(xt, wt, None, stride=stride, padding=padding)
        if plain.shape[-1] == bt.shape[0]:  # y + b broadcasts (W_out = C_out) and is wrong
            out.append((plain + bt, *BIAS_AXIS))
    if padding and all_:
        p = padding
        for pads in ((p, 0, p, 0), (0, p, 0, p)):
            out.append(
                (
                    F.conv2d(F.pad(xt, pads), wt, bt, stride=stride),
                    "le padding doit ajouter p zéros de CHAQUE côté (en haut et en bas, à gauche "
                    "et à droite) : F.pad(x, (p, p, p, p))",
                    "the padding must add p zeros on EACH side (top and bottom, left and right): "
                    "F.pad(x, (p, p, p, p))",
                )
            )
        out.append(
            (
                F.conv2d(xt, wt, bt, stride=stride),
                "le padding est ignoré : ajoutez p zéros de chaque côté avant de faire glisser la fenêtre",
                "the padding is ignored: add p zeros on each side before sliding the window",
            )
        )
    if stride > 1 and all_:
        out.append(
            (
                F.conv2d(xt, wt, bt, stride=1, padding=padding),
                "le stride est ignoré : la fenêtre de la position (i, j) commence en (i·s, j·s)",
                "the stride is ignored: the window of position (i, j) starts at (i·s, j·s)",
            )
        )
    return [(o.numpy(), fr, en) for o, fr, en in out]


def pool_mistakes(x, k: int, stride: int | None, padding: int):
    """(output, hint_fr, hint_en) of max-pooling mistakes that the usual ones (zeros for the
    padding, stride 1 by default, a mean) do not name: every channel's maximum taken over all
    channels, the padding put on one side only, the stride argument ignored."""
    xt = t64(x)
    s = k if stride is None else stride
    p = padding
    out = []
    if xt.shape[1] > 1:
        out.append((
            F.max_pool2d(xt, k, stride=s, padding=p).amax(dim=1, keepdim=True).expand(
                -1, xt.shape[1], -1, -1),
            "le maximum est pris sur tous les canaux à la fois : chaque canal est traité "
            "séparément, le maximum porte sur la fenêtre k×k d'un seul canal (amax sur les deux "
            "derniers axes seulement)",
            "the maximum is taken over every channel at once: each channel is treated separately, "
            "the maximum is over the k×k window of one channel (amax over the last two axes only)",
        ))
    if p:
        for pads in ((0, 2 * p, 0, 2 * p), (2 * p, 0, 2 * p, 0), (0, p, 0, p), (p, 0, p, 0)):
            out.append((
                F.max_pool2d(F.pad(xt, pads, value=float("-inf")), k, stride=s),
                "le padding doit ajouter p cases −∞ de CHAQUE côté (en haut et en bas, à gauche et "
                'à droite), pas d\'un seul : F.pad(x, (p, p, p, p), value=float("-inf"))',
                "the padding must add p −∞ cells on EACH side (top and bottom, left and right), not "
                'on one side only: F.pad(x, (p, p, p, p), value=float("-inf"))',
            ))
    if stride is not None and stride != k:
        out.append((
            F.max_pool2d(xt, k, stride=k, padding=p),
            "l'argument stride est ignoré (la fenêtre avance toujours de k) : stride=None seul "
            "signifie stride = k, sinon la fenêtre avance de stride pixels",
            "the stride argument is ignored (the window always moves by k): only stride=None "
            "means stride = k, otherwise the window moves by stride pixels",
        ))
    return [(o.numpy(), fr, en) for o, fr, en in out]


def pool_hint(got: np.ndarray, mistakes) -> tuple[str, str] | None:
    """The hint of the first mistake whose output `got` is (same shape and values)."""
    for out, fr, en in mistakes:
        if out.shape == got.shape and np.allclose(got, out, rtol=1e-6, atol=1e-9):
            return fr, en
    return None


CONV_FORMULA = "y[n, f, i, j] = b[f] + Σ_c Σ_u Σ_v w[f, c, u, v] · x̃[n, c, i·s + u, j·s + v]"


def conv_hint(got: np.ndarray, mistakes) -> tuple[str, str]:
    """The hint of the first classic mistake `got` equals, else the formula."""
    for out, fr, en in mistakes:
        if out.shape == got.shape and np.allclose(got, out, rtol=1e-5, atol=1e-7):
            return fr, en
    return CONV_FORMULA, CONV_FORMULA


def translate(a: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """The notebook's `translater`: content moves dy rows down, dx columns right; zeros come in."""
    H, W = a.shape[-2:]
    out = np.zeros_like(a)
    if abs(dy) >= H or abs(dx) >= W:
        return out
    out[..., max(dy, 0) : H + min(dy, 0), max(dx, 0) : W + min(dx, 0)] = a[
        ..., max(-dy, 0) : H + min(-dy, 0), max(-dx, 0) : W + min(-dx, 0)
    ]
    return out


# erreur_equivariance's classic mistakes: what each wrong measure returns on the grader's f and
# x is computed here, and a mistake is named only when the student's value is that value.
EQ_INVARIANCE = (
    "vous comparez f(T_d x) à f(x) : c'est l'invariance ; l'équivariance compare f(T_d x) à T_d f(x)",
    "you compare f(T_d x) with f(x): that is invariance; equivariance compares f(T_d x) with T_d f(x)",
)
EQ_BOTH_OUTPUTS = (
    "vous translatez aussi la sortie f(T_d x) : comparer T_d f(T_d x) à T_d f(x) revient à comparer "
    "f(T_d x) à f(x) (l'invariance) ; l'équivariance compare f(T_d x), non translatée, à T_d f(x)",
    "you translate the output f(T_d x) too: comparing T_d f(T_d x) with T_d f(x) amounts to "
    "comparing f(T_d x) with f(x) (invariance); equivariance compares f(T_d x), untranslated, with T_d f(x)",
)
EQ_INVARIANCE_OR_BOTH = (
    "vous comparez f(T_d x) à f(x), ou T_d f(T_d x) à T_d f(x) (les deux sorties translatées, la "
    "même chose) : c'est l'invariance ; l'équivariance compare f(T_d x), non translatée, à T_d f(x)",
    "you compare f(T_d x) with f(x), or T_d f(T_d x) with T_d f(x) (both outputs translated, the "
    "same thing): that is invariance; equivariance compares f(T_d x), untranslated, with T_d f(x)",
)
EQ_GENERIC = (
    "max |f(T_d x) − T_d f(x)| sur toutes les composantes, avec translater",
    "max |f(T_d x) − T_d f(x)| over every entry, with translater",
)
EQ_PART = (
    "le maximum ne porte que sur une partie des composantes (la première image, le premier canal, "
    "[0, 0]) : prenez-le sur toutes les composantes de f(T_d x) − T_d f(x), toutes les images et "
    "tous les canaux (l'écart le plus grand peut être ailleurs)",
    "the maximum covers only part of the entries (the first image, the first channel, [0, 0]): "
    "take it over every entry of f(T_d x) − T_d f(x), every image and every channel (the largest "
    "difference may be elsewhere)",
)


def equivariance_mistakes(f, x: np.ndarray, dy: int, dx: int) -> list[tuple[float, str, str]]:
    """(value, hint_fr, hint_en) of erreur_equivariance's classic mistakes for the grader's f
    (float64 arrays in and out) on x: what each wrong measure returns."""
    fx, ftx = f(x), f(translate(x, dy, dx))
    good = ftx - translate(fx, dy, dx)
    return [
        (
            float(np.abs(ftx - translate(ftx, dy, dx)).max()),
            "vous comparez f(T_d x) à T_d f(T_d x) : l'entrée est translatée deux fois ; "
            "l'équivariance compare f(T_d x) à T_d f(x), la sortie de f sur x non translatée",
            "you compare f(T_d x) with T_d f(T_d x): the input is translated twice; "
            "equivariance compares f(T_d x) with T_d f(x), the output of f on the untranslated x",
        ),
        (float(np.abs(ftx - fx).max()), *EQ_INVARIANCE),
        (float(np.abs(translate(ftx, dy, dx) - translate(fx, dy, dx)).max()), *EQ_BOTH_OUTPUTS),
        (
            float(np.abs(ftx - translate(fx, -dy, -dx)).max()),
            "la sortie est translatée dans le mauvais sens : T_d f(x), avec le même (dy, dx) que l'entrée",
            "the output is translated the wrong way: T_d f(x), with the same (dy, dx) as the input",
        ),
        (
            # Blind round 14: f(T_d x) moved back by T_{-d} and compared with f(x); what left
            # the image on the way is lost (0.94 for a convolution, where 0 is expected).
            float(np.abs(translate(ftx, -dy, -dx) - fx).max()),
            "vous ramenez la sortie f(T_d x) en arrière par la translation inverse, T_{-d} f(T_d x), "
            "pour la comparer à f(x) : ce qui sort de l'image en route est perdu ; l'équivariance "
            "compare f(T_d x), telle quelle, à T_d f(x) (translatez f(x), pas f(T_d x))",
            "you move the output f(T_d x) back by the inverse translation, T_{-d} f(T_d x), to "
            "compare it with f(x): what leaves the image on the way is lost; equivariance compares "
            "f(T_d x), as it is, with T_d f(x) (translate f(x), not f(T_d x))",
        ),
        (
            float(np.abs(f(translate(x, dx, dy)) - translate(fx, dx, dy)).max()),
            "dy et dx sont échangés : translater(x, dy, dx) descend de dy lignes et va à droite de dx colonnes",
            "dy and dx are swapped: translater(x, dy, dx) moves dy rows down and dx columns right",
        ),
        (
            float(np.abs(good).mean()),
            "c'est une moyenne : renvoyez le MAXIMUM des écarts absolus",
            "that is a mean: return the MAXIMUM of the absolute differences",
        ),
        (
            float(good.max()),
            "il manque la valeur absolue : max |f(T_d x) − T_d f(x)|",
            "the absolute value is missing: max |f(T_d x) − T_d f(x)|",
        ),
        # Blind round 16: the maximum over the first image's first channel only (or the first
        # image, or the first channel): the same hint, one vote however many of them match.
        (float(np.abs(good[0, 0]).max()), *EQ_PART),
        (float(np.abs(good[0]).max()), *EQ_PART),
        (float(np.abs(good[:, 0]).max()), *EQ_PART),
        *_rescaled_shift_mistakes(fx, ftx, x.shape[-2:], dy, dx),
        # Blind round 22: the maximum taken away from the borders (|dy| rows and |dx| columns on
        # each side, or max(|dy|, |dx|) on every side): where the pixels come in and leave is
        # where f(T_d x) and T_d f(x) differ most, for a convolution only there.
        *_cropped_mistakes(good, dy, dx),
        # Blind round 20: a circular shift (torch.roll) for T_d, on the input, the output or
        # both: what leaves one side comes back on the other (one vote however many match).
        (float(np.abs(f(_roll(x, dy, dx)) - _roll(fx, dy, dx)).max()), *EQ_ROLL),
        (float(np.abs(f(_roll(x, dy, dx)) - translate(fx, dy, dx)).max()), *EQ_ROLL),
        (float(np.abs(ftx - _roll(fx, dy, dx)).max()), *EQ_ROLL),
    ]


EQ_BORDER = (
    "le maximum laisse de côté les bords de l'image : l'erreur d'équivariance est souvent la plus "
    "grande là où des pixels entrent (des zéros) et sortent, et pour une convolution elle n'est "
    "que là ; prenez le maximum sur toutes les composantes de f(T_d x) − T_d f(x), bords compris",
    "the maximum leaves the image's borders out: the equivariance error is often largest where "
    "pixels come in (zeros) and leave, and for a convolution it is only there; take the maximum "
    "over every entry of f(T_d x) − T_d f(x), borders included",
)


def _cropped_mistakes(good: np.ndarray, dy: int, dx: int) -> list[tuple[float, str, str]]:
    """max |f(T_d x) − T_d f(x)| away from the borders (blind round 22), for the crops a student
    may take: |dy| rows and |dx| columns on each side, max(|dy|, |dx|) on every side."""
    H, W = good.shape[-2:]
    out = []
    m = max(abs(dy), abs(dx))
    for ry, rx in {(abs(dy), abs(dx)), (m, m)}:
        inner = good[..., ry : H - ry, rx : W - rx]
        if inner.size:
            out.append((float(np.abs(inner).max()), *EQ_BORDER))
    return out


EQ_ROLL = (
    "vous translatez par un décalage circulaire (torch.roll) : ce qui sort d'un côté de l'image "
    "revient de l'autre ; T_d est `translater`, où les pixels qui entrent valent 0 : "
    "max |f(translater(x, dy, dx)) − translater(f(x), dy, dx)|",
    "you translate by a circular shift (torch.roll): what leaves one side of the image comes back "
    "on the other; T_d is `translater`, where the pixels that come in are 0: "
    "max |f(translater(x, dy, dx)) − translater(f(x), dy, dx)|",
)


def _roll(a: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """torch.roll(a, shifts=(dy, dx), dims=(-2, -1)): the circular shift a student may take for T_d."""
    return np.roll(a, (dy, dx), axis=(-2, -1))


EQ_RESCALED = (
    "vous mettez le décalage de la sortie à l'échelle de sa taille (dy · H_out / H) : la mesure de "
    "l'énoncé, max |f(T_d x) − T_d f(x)|, translate f(x) du MÊME (dy, dx) que l'entrée, même quand f "
    "change la taille des plans (c'est ainsi qu'elle montre qu'un stride 2 n'est pas équivariant)",
    "you rescale the output's shift to its size (dy · H_out / H): the statement's measure, "
    "max |f(T_d x) − T_d f(x)|, translates f(x) by the SAME (dy, dx) as the input, even when f "
    "changes the size of the maps (that is how it shows that a stride 2 is not equivariant)",
)


def _rescaled_shift_mistakes(fx: np.ndarray, ftx: np.ndarray, size, dy: int, dx: int) -> list[tuple[float, str, str]]:
    """When f changes the size of the maps: f(T_d x) compared with f(x) translated by the shift
    rescaled to the output's size (floor, truncation or rounding; blind round 18)."""
    (H, W), (Ho, Wo) = tuple(size), fx.shape[-2:]
    if (Ho, Wo) == (H, W) or min(H, W) == 0:
        return []

    def scaled(d: int, n_out: int, n_in: int) -> set[int]:
        return {d * n_out // n_in, int(d * n_out / n_in), round(d * n_out / n_in)}

    out = []
    for sy in sorted(scaled(dy, Ho, H)):
        for sx in sorted(scaled(dx, Wo, W)):
            if (sy, sx) != (dy, dx):
                out.append((float(np.abs(ftx - translate(fx, sy, sx)).max()), *EQ_RESCALED))
    return out


def equivariance_diagnosis(cases) -> tuple[int, tuple[str, str] | None]:
    """The case to report and the mistake to name, from the failing cases of one grading, each
    (got, expected, tol, mistakes) with `mistakes` from `equivariance_mistakes`.

    A mistake matches a case when the student's value is its value there (and that value is
    not the right one). The student's own mistake matches every failing case; two measures that
    peak on the same pixel (f(T_d x) − f(x) and T_{-d} f(T_d x) − f(x) on a corner) match one
    case by coincidence only. So the mistake named is the one matching the most failing cases,
    a tie names none (but f(T_d x) − f(x) and T_d f(T_d x) − T_d f(x), the same comparison
    moved, are named together), and the case reported is the first one it matches: the same
    code gets the same diagnosis whatever the draw (blind round 14)."""
    votes: dict[tuple[str, str], int] = {}
    matches = []
    for got, expected, tol, mistakes in cases:
        found = {
            (fr, en)
            for value, fr, en in mistakes
            if abs(got - value) <= 1e-6 * max(1e-9, abs(value)) and abs(value - expected) > tol
        }
        matches.append(found)
        for hint in found:
            votes[hint] = votes.get(hint, 0) + 1
    if not votes:
        return 0, None
    top = max(votes.values())
    if 2 * top <= len(cases):
        # Blind round 22: a mistake matched by half the failing cases or fewer is a coincidence
        # (the largest difference, kept by another fault, of the same sign as a signed max on one
        # case), not the student's own mistake, which matches every case where it fails.
        return 0, None
    leaders = {hint for hint, n in votes.items() if n == top}
    if len(leaders) == 1:
        (hint,) = leaders
        named = leaders
    elif leaders == {EQ_INVARIANCE, EQ_BOTH_OUTPUTS}:
        hint, named = EQ_INVARIANCE_OR_BOTH, leaders
    else:
        return 0, None
    index = next(i for i, found in enumerate(matches) if found & named)
    return index, hint


def notebook_data_hint(submission, name: str) -> tuple[str, str] | None:
    """(fr, en) when the student's `name` reads notebook data by global name instead of its
    arguments (the premise read from its bytecode), else None."""
    reads = notebook_data_reads(submission, name)
    if not reads:
        return None
    names = ", ".join(reads.variables)
    params = ", ".join(reads.params) or "ses arguments"
    params_en = ", ".join(reads.params) or "its arguments"
    return (
        f"{name} lit la variable du notebook {names} au lieu de ses arguments : utilisez ceux "
        f"qu'elle reçoit ({params}), la correction l'appelle sur ses propres entrées",
        f"{name} reads the notebook variable {names} instead of its arguments: use the ones it "
        f"receives ({params_en}), the grader calls it on its own inputs",
    )
