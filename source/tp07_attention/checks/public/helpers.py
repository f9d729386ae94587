"""TP07's code shared by its public and hidden checks: the attention guard, the kernel-side
helpers that build and run the student's Transformer, the mapping of the student's errors
to messages, and the notebook's community graph drawn on the grader's side."""

from __future__ import annotations

import numpy as np

from autograder.checks import (
    TORCH_ATTENTION,
    CheckFailed,
    Handle,
    Ref,
    StudentError,
    SubmissionError,
    Tensor,
    kernel_side,
    relabel,
    student_failure,
)

# PyTorch's own attention, switched off in the kernel while the checks call `attention`,
# `attention_multi_tetes` or the Transformer, so that they are really computed by hand
# (names the student's cell bound to these functions are switched off too).
GUARD = TORCH_ATTENTION

# Trusted kernel-side helpers: build the student's Transformer with a given seed, redraw its
# parameters at a given scale, run a model on a batch of character indices, and a grader
# bigram model (causal by construction) to test the student's training loop on its own.
@kernel_side
def build_seeded(PetitTransformer, graine, *args, **kwargs):
    """The student's PetitTransformer(*args, **kwargs), built after torch.manual_seed(graine)."""
    import torch

    torch.manual_seed(int(graine))
    return PetitTransformer(*args, **kwargs)


@kernel_side
def redraw_parameters(modele, graine, echelle):
    """Every parameter of `modele` redrawn ~ N(0, echelle²) (weights divided by √fan_in)."""
    import torch

    g = torch.Generator().manual_seed(int(graine))
    with torch.no_grad():
        for p in modele.parameters():
            bruit = torch.randn(tuple(p.shape), generator=g, dtype=torch.float64) * echelle
            if p.ndim > 1:
                bruit /= p.shape[-1] ** 0.5
            p.copy_(bruit.to(p.dtype))


@kernel_side
def model_logits(modele, X, dernier=False, lot=512):
    """`modele`'s logits on X in eval mode, by batches of `lot` (the last position only with
    `dernier`); markers TP07_PAS_MODULE, TP07_FORME for student_error."""
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


# Trusted kernel-side wrapper of a student's training function: the order of its optimiser
# steps and its models' forward passes, read when it raises.
@kernel_side
def step_order_call(fn, *args, **kwargs):
    """fn(*args, **kwargs), watching the modules' forward passes and the optimiser steps
    that have gradients to apply. When fn raises autograd's "modified by an inplace operation"
    and such a step ran after the last forward pass (optimiser.step() between the forward
    pass and perte.backward(): the step writes into the weights backward still has to read),
    raises RuntimeError("TP07_PAS_AVANT_BACKWARD " + the start of the original text)."""
    from torch.nn.modules.module import register_module_forward_pre_hook
    from torch.optim.optimizer import register_optimizer_step_pre_hook

    note = {"n": 0, "passe": 0, "pas": 0}

    def avant_passe(module, entrees):
        note["n"] += 1
        note["passe"] = note["n"]

    def avant_pas(opt, a, k):
        if any(getattr(p, "grad", None) is not None
               for g in opt.param_groups for p in g.get("params", [])):
            note["n"] += 1
            note["pas"] = note["n"]

    passes = register_module_forward_pre_hook(avant_passe)
    pas = register_optimizer_step_pre_hook(avant_pas)
    try:
        return fn(*args, **kwargs)
    except RuntimeError as exc:
        texte = str(exc)
        if "modified by an inplace operation" in texte and note["pas"] > note["passe"] > 0:
            raise RuntimeError(
                "TP07_PAS_AVANT_BACKWARD " + texte.split(" Hint:")[0][:160]) from None
        raise
    finally:
        passes.remove()
        pas.remove()


def step_before_backward(name: str, detail: str) -> CheckFailed:
    """The training loop of `name` steps between the forward pass and backward (seen by
    step_order_call), said as the order of a step; PyTorch's text kept as a detail."""
    detail = detail.split("TP07_PAS_AVANT_BACKWARD", 1)[-1].split(": [", 1)[0].strip()[:120]
    return CheckFailed(
        f"{name} appelle optimiseur.step() entre la passe avant et perte.backward() : le pas "
        "modifie sur place les poids que la rétropropagation doit encore lire, et PyTorch "
        "refuse de rétropropager ; à chaque étape, dans cet ordre : optimiseur.zero_grad(), "
        "passe avant et perte, perte.backward(), puis optimiseur.step() (détail de PyTorch : "
        f"{detail})",
        f"{label_en(name)} calls optimiseur.step() between the forward pass and perte.backward(): the "
        "step modifies in place the weights backpropagation still has to read, and PyTorch "
        "refuses to backpropagate; at every step, in this order: optimiseur.zero_grad(), "
        "forward pass and loss, perte.backward(), then optimiseur.step() (PyTorch's detail: "
        f"{detail})",
    )


@kernel_side
def bigram_model(graine, taille_vocab):
    """A grader bigram model (causal by construction), built after torch.manual_seed(graine)."""
    import torch

    torch.manual_seed(int(graine))
    return torch.nn.Sequential(torch.nn.Embedding(taille_vocab, 16), torch.nn.Linear(16, taille_vocab))


# Trusted kernel-side probe: runs the student's `attention` (quoi="attention") or
# `attention_multi_tetes` (quoi="mha") as a Transformer does, on (B, têtes, n, d_k) views of
# one projected tensor that requires grad, with a causal (n, n) mask, then backpropagates.
# Returns None when it runs, else a short code: "en_place" (an argument modified in place,
# or PyTorch refusing it), "forme <shape>", "non_fini" (NaN or inf with the causal mask),
# "non_fini_inverse" (still with a mask that allows everything), or "erreur <exception name>".
PROBE_SRC = """
def _tp07_sonde(quoi):
    import torch
    g = torch.Generator().manual_seed(0)
    B, h, n, dk = 2, 2, 5, 3
    d = h * dk
    x = torch.randn(B, n, d, generator=g, dtype=torch.float64, requires_grad=True)
    W = torch.randn(3 * d, d, generator=g, dtype=torch.float64) / d ** 0.5
    b = torch.randn(3 * d, generator=g, dtype=torch.float64)
    W_out = torch.randn(d, d, generator=g, dtype=torch.float64) / d ** 0.5
    b_out = torch.randn(d, generator=g, dtype=torch.float64)
    masque = torch.tril(torch.ones(n, n, dtype=torch.bool))
    try:
        if quoi == "attention":
            q, k, v = ((x @ W.T + b).chunk(3, dim=-1))
            q, k, v = (t.reshape(B, n, h, dk).transpose(1, 2) for t in (q, k, v))
            avant = [t.detach().clone() for t in (q, k, v, masque)]
            sortie = attention(q, k, v, masque)
            attendue = (B, h, n, dk)
            args = (q, k, v, masque)
        else:
            avant = [t.detach().clone() for t in (x, W, b, W_out, b_out, masque)]
            sortie = attention_multi_tetes(x, W, b, W_out, b_out, h, masque)
            attendue = (B, n, d)
            args = (x, W, b, W_out, b_out, masque)
        if any(not torch.equal(t.detach(), a) for t, a in zip(args, avant)):
            return "en_place"
        if not isinstance(sortie, torch.Tensor) or tuple(sortie.shape) != attendue:
            return "forme " + str(tuple(getattr(sortie, "shape", ())))[:40]
        if not bool(torch.isfinite(sortie).all()):
            # A causal mask leaves every row a key (the diagonal): NaN comes from the function.
            # All allowed (a mask of ones): still NaN when the True entries are the ones hidden.
            plein = torch.ones(n, n, dtype=torch.bool)
            with torch.no_grad():
                if quoi == "attention":
                    encore = attention(q, k, v, plein)
                else:
                    encore = attention_multi_tetes(x, W, b, W_out, b_out, h, plein)
            if isinstance(encore, torch.Tensor) and not bool(torch.isfinite(encore).all()):
                return "non_fini_inverse"
            return "non_fini"
        sortie.sum().backward()
    except Exception as exc:
        texte = str(exc)
        if "inplace" in texte or "in-place" in texte or "in place" in texte:
            return "en_place"
        return "erreur " + type(exc).__name__ + "|" + _tp07_indice(quoi, B, h, n, dk)
    return None


def _tp07_indice(quoi, B, h, n, dk):
    # What the failing attention still runs on: without the mask ("masque", and with the mask
    # already of the scores' full shape: "masque_diffusion"), or only on 3-d inputs ("4d").
    import torch
    if quoi != "attention":
        return ""
    g = torch.Generator().manual_seed(1)
    q, k, v = (torch.randn(B, h, n, dk, generator=g, dtype=torch.float64) for _ in range(3))
    masque = torch.tril(torch.ones(n, n, dtype=torch.bool))

    def passe(*args):
        try:
            with torch.no_grad():
                sortie = attention(*args)
            return isinstance(sortie, torch.Tensor)
        except Exception:
            return False

    if passe(q, k, v):
        return "masque_diffusion" if passe(q, k, v, masque.expand(B, h, n, n).clone()) else "masque"
    if passe(*(t.reshape(B * h, n, dk) for t in (q, k, v))):
        return "4d"
    return ""
"""


BUILT_FR, BUILT_EN = ", construit par le correcteur", ", built by the grader"


def built_by_grader(what: str) -> str:
    """The label of the student's class `what` (its arguments written out) that the grader
    builds itself: "votre BlocTransformer(d, n_tetes), construit par le correcteur" (blind
    r20: "… du correcteur" read as the grader's own model)."""
    return f"votre {what}{BUILT_FR}"


def label_en(label: str) -> str:
    """The English of a `built_by_grader` label; any other label as it is."""
    if label.startswith("votre ") and label.endswith(BUILT_FR):
        return f"your {label[len('votre '):-len(BUILT_FR)]}{BUILT_EN}"
    return label


def dependency_fault(submission, uses: tuple[str, ...]) -> tuple[str, str] | None:
    """Why the student's `attention` or `attention_multi_tetes` (those in `uses`, in that
    order) cannot run inside a Transformer: a (French, English) message naming the function
    and sending the student to its own check, or None when each runs."""
    labels = {"attention": "attention", "attention_multi_tetes": "mha"}
    submission.define("_tp07_sonde", PROBE_SRC)
    for name in uses:
        try:
            code = submission.call("_tp07_sonde", labels[name])
        except Exception:  # noqa: BLE001 - a probe that cannot run says nothing
            continue
        if not isinstance(code, str):
            continue
        inputs_fr, inputs_en = (
            ("des têtes (B, têtes, n, d_k) découpées dans un même tenseur, avec un masque causal "
             "(n, n)", "heads (B, heads, n, d_k) cut from one tensor, with an (n, n) causal mask")
            if name == "attention"
            else ("x (B, n, d) avec un masque causal (n, n)", "x (B, n, d) with an (n, n) causal mask")
        )
        see_fr = f"la faute est dans `{name}` : corrigez-la d'abord (voir sa propre vérification)"
        see_en = f"the fault is in `{name}`: fix it first (see its own check)"
        if code == "en_place":
            return (
                f"votre `{name}` modifie ses arguments en place (Q /= …, +=, masked_fill_…) : "
                f"sur {inputs_fr}, PyTorch refuse de rétropropager (RuntimeError « … modified "
                "by an inplace operation ») ; la cellule d'entraînement du notebook s'arrête sur "
                f"cette erreur ; {see_fr}, et calculez sur de nouveaux tenseurs "
                "(scores = Q @ K.transpose(-2, -1) / math.sqrt(d_k))",
                f"your `{name}` modifies its arguments in place (Q /= …, +=, masked_fill_…): on "
                f"{inputs_en}, PyTorch refuses to backpropagate (RuntimeError \"… modified by an "
                "inplace operation\"); the notebook's training cell stops on that error; "
                f"{see_en}, and compute on new tensors (scores = Q @ K.transpose(-2, -1) / "
                "math.sqrt(d_k))",
            )
        if code.startswith("non_fini"):
            why_fr, why_en = (
                ("même quand le masque autorise toutes les positions : vous masquez les positions "
                 "où le masque vaut True, alors que True = position autorisée "
                 "(masked_fill(~masque, -inf) ou masked_fill(masque == 0, -inf))",
                 "even when the mask allows every position: you hide the positions where the "
                 "mask is True, whereas True = allowed position (masked_fill(~masque, -inf) or "
                 "masked_fill(masque == 0, -inf))")
                if code == "non_fini_inverse"
                else ("une ligne dont toutes les clés sont masquées donne une softmax 0 / 0",
                      "a row whose keys are all masked gives a 0 / 0 softmax")
            )
            return (
                f"votre `{name}` donne des valeurs non finies (NaN ou inf) sur {inputs_fr}, "
                f"{why_fr} ; {see_fr}",
                f"your `{name}` gives non-finite values (NaN or inf) on {inputs_en}, {why_en}; "
                f"{see_en}",
            )
        if code.startswith("forme"):
            shape = code.split(" ", 1)[1] if " " in code else "?"
            return (
                f"votre `{name}` renvoie une sortie de forme {shape} sur {inputs_fr} ; {see_fr}",
                f"your `{name}` returns an output of shape {shape} on {inputs_en}; {see_en}",
            )
        if code.startswith("erreur"):
            kind, _, evidence = (code.split(" ", 1)[1] if " " in code else "une erreur").partition("|")
            kind = kind[:60]
            tip_fr = tip_en = ""
            # Each tip only on its evidence (blind r20: a mask applied by boolean indexing was
            # sent to torch.bmm): the attention runs on 3-d inputs and not on 4-d ones, or it
            # runs without the mask, or with a mask of the scores' full shape only.
            if name == "attention" and evidence == "4d":
                tip_fr = (" ; elle passe sur des entrées 3D (B, n, d_k) mais pas sur des entrées "
                          "4D : K.transpose(-2, -1) et @ (torch.matmul) traitent tous les axes de "
                          "tête, torch.bmm et transpose(1, 2) ne valent qu'en 3D")
                tip_en = ("; it runs on 3-d inputs (B, n, d_k) but not on 4-d ones: "
                          "K.transpose(-2, -1) and @ (torch.matmul) handle every head axis, "
                          "torch.bmm and transpose(1, 2) only work in 3D")
            elif name == "attention" and evidence == "masque_diffusion":
                tip_fr = (" ; elle passe sans masque, et avec un masque déjà de la forme complète "
                          "des scores (B, têtes, n, n) : le masque (n, n) doit se diffuser sur "
                          "les scores, ce que fait scores.masked_fill(~masque, float(\"-inf\")) "
                          "et que ne fait pas l'indexation booléenne scores[~masque]")
                tip_en = ("; it runs without a mask, and with a mask already of the scores' full "
                          "shape (B, heads, n, n): the (n, n) mask must broadcast over the "
                          "scores, which scores.masked_fill(~masque, float(\"-inf\")) does and "
                          "boolean indexing scores[~masque] does not")
            elif name == "attention" and evidence == "masque":
                tip_fr = (" ; elle passe sans masque : l'erreur vient de la façon dont elle "
                          "applique le masque (n, n) à des scores (B, têtes, n, n)")
                tip_en = ("; it runs without a mask: the error comes from the way it applies "
                          "the (n, n) mask to (B, heads, n, n) scores")
            return (
                f"votre `{name}` lève {kind} sur {inputs_fr} ; {see_fr}{tip_fr}",
                f"your `{name}` raises {kind} on {inputs_en}; {see_en}{tip_en}",
            )
    return None


# Trusted kernel-side probe: does masquage_bert write into the tokens it receives? (A tensor
# modified in place in the kernel never travels back to the grader's copy.)
BERT_INTACT_SRC = """
def _tp07_bert_intact(tokens, id_mask, taille_vocab, graine):
    import torch
    tokens = torch.as_tensor(tokens).clone()
    avant = tokens.clone()
    masquage_bert(tokens, id_mask, taille_vocab, graine)
    return bool(torch.equal(tokens, avant))
"""


def bert_inplace_error() -> CheckFailed:
    """masquage_bert writing into its argument, named (the statement's rule)."""
    return CheckFailed(
        "masquage_bert modifie le tenseur tokens qu'il reçoit (entrees = tokens puis "
        "entrees[...] = id_mask) : l'appelant perd ses tokens d'origine, et des cibles lues "
        "ensuite dans tokens valent déjà [MASK] ou un token aléatoire ; travaillez sur une "
        "copie, entrees = tokens.clone()",
        "masquage_bert modifies the tokens tensor it receives (entrees = tokens then "
        "entrees[...] = id_mask): the caller loses its original tokens, and targets read from "
        "tokens afterwards already hold [MASK] or a random token; work on a copy, "
        "entrees = tokens.clone()",
    )


def bert_modifies_tokens(submission, tokens, id_mask: int, vocab: int, graine: int) -> bool:
    """Whether masquage_bert writes into `tokens`, seen in the kernel (its errors mapped)."""
    submission.define("_tp07_bert_intact", BERT_INTACT_SRC)
    try:
        intact = submission.call("_tp07_bert_intact", Tensor(tokens), id_mask, vocab, graine)
    except StudentError as exc:
        raise student_error("masquage_bert", exc) from None
    return intact is False


def causal_mask_is_wrong(submission, T: int) -> bool:
    """Whether the student's masque_causal(T) is not the lower triangle j <= i (diagonal
    included): the statement's definition, public. False when it cannot be read."""
    try:
        mask = np.asarray(submission.call("masque_causal", T))
    except Exception:  # noqa: BLE001 - its own check says why
        return False
    if mask.shape != (T, T):
        return False
    return not np.array_equal(mask != 0, np.tril(np.ones((T, T), dtype=bool)))


def mask_nan_error(label: str) -> CheckFailed:
    """Non-finite outputs of a model built on a wrong masque_causal, blamed on it."""
    return CheckFailed(
        f"{label} donne des valeurs non finies (NaN ou inf) : votre masque_causal(T) n'est pas la "
        "matrice triangulaire inférieure, diagonale comprise (True en (i, j) si j <= i) ; une "
        "ligne sans aucune position autorisée donne une softmax 0 / 0 ; la faute est dans "
        "masque_causal : corrigez-le d'abord (voir sa vérification)",
        f"{label_en(label)} gives non-finite values (NaN or inf): your masque_causal(T) is not the lower "
        "triangular matrix, diagonal included (True at (i, j) when j <= i); a row with no "
        "allowed position gives a 0 / 0 softmax; the fault is in masque_causal: fix it first "
        "(see its check)",
    )


def student_error(name: str, exc: StudentError) -> CheckFailed:
    """The student's error as a message naming `name` (the kernel helpers' markers read)."""
    # "TP07_FORME" also matches "TP07_FORMES_LOTS", so the branch after it is never reached:
    # kept in this order, as before, so that no message changes (a fix would change one).
    if "TP07_FORME" in exc.evalue:
        shape = exc.evalue.split("TP07_FORME", 1)[1].strip()[:60]
        return CheckFailed(
            f"{name} renvoie une sortie de forme {shape} pour une entrée (B, T) : des logits "
            "(B, T, taille_vocab) sont attendus, un vecteur par position",
            f"{label_en(name)} returns an output of shape {shape} for a (B, T) input: logits "
            "(B, T, taille_vocab) are expected, one vector per position",
        )
    if "TP07_FORMES_LOTS" in exc.evalue:
        shapes = exc.evalue.split("TP07_FORMES_LOTS", 1)[1].strip()[:120]
        return CheckFailed(
            f"{name} donne au modèle des lots de formes différentes d'une étape à l'autre "
            f"({shapes}) : chaque étape doit lui passer un lot (taille_lot, contexte)",
            f"{label_en(name)} feeds the model batches of different shapes from one step to the next "
            f"({shapes}): every step must pass it one (taille_lot, contexte) batch",
        )
    if "TP07_PAS_AVANT_BACKWARD" in exc.evalue:
        return step_before_backward(name, exc.evalue)
    if "TP07_PAS_MODULE" in exc.evalue:
        kind = exc.evalue.split()[-1][:60]
        return CheckFailed(
            f"{name} doit être un nn.Module, obtenu {kind}",
            f"{label_en(name)} must be an nn.Module, got {kind}",
        )
    return student_failure(name, exc)


def call(submission, name: str, *args, **kwargs):
    """The student's `name`, its errors mapped by `student_error`."""
    try:
        return submission.call(name, *args, **kwargs)
    except StudentError as exc:
        raise student_error(name, exc) from None


def grader_bigram(submission, role: str, graine: int, taille_vocab: int) -> Ref:
    """A grader bigram model bound to a kernel global named after `role`, built by a
    definition rather than a call: its sizes are not inputs given to the student's code."""
    bigram_model.install(submission)
    name = f"{bigram_model.ref_name}_{role}"
    submission.define(name, f"{name} = {bigram_model.ref_name}({int(graine)}, {int(taille_vocab)})")
    return Ref(name)


def call_kernel_side(submission, helper, label: str, *args, **kwargs):
    """A kernel-side `helper` of the checks called with `args`, its errors named `label` and
    mapped by `student_error`."""
    try:
        return helper.call(submission, *args, **kwargs)
    except StudentError as exc:
        raise student_error(label, relabel(exc, helper.ref_name, label)) from None
    except SubmissionError as exc:
        raise relabel(exc, helper.ref_name, label) from None


def dependency_error(submission, name: str, exc: StudentError,
                     uses: tuple[str, ...]) -> CheckFailed | None:
    """The failure of `name` (which raised `exc`) blamed on a function it calls, those in
    `uses`, when one of them fails on its own; None otherwise."""
    if not uses or exc.ename in ("NotImplementedError", "NameError") or "TP07_" in exc.evalue:
        return None
    fault = dependency_fault(submission, uses)
    if fault is None:
        return None
    return CheckFailed(f"`{name}` a levé {exc.ename} en appelant vos fonctions : {fault[0]}",
                       f"`{label_en(name)}` raised {exc.ename} when calling your functions: {fault[1]}")


def guarded(submission, name: str, *args, via: str | None = None,
            uses: tuple[str, ...] = (), **kwargs):
    """Call `via` (default: the student's `name`) with PyTorch's attention switched off.

    `uses`: the student's functions `name` calls (attention, attention_multi_tetes); when
    `name` raises and one of them fails on its own, the message names that one."""
    try:
        return GUARD.call(submission, name, *args, via=via, **kwargs)
    except StudentError as exc:
        raise (dependency_error(submission, name, exc, uses) or student_error(name, exc)) from None


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
    model = guarded(submission, "PetitTransformer", Ref("PetitTransformer"), graine, *args,
                    via=build_seeded.install(submission).name, **kwargs)
    if not isinstance(model, Handle):
        raise CheckFailed(
            f"{label} doit construire un nn.Module, obtenu {type(model).__name__}",
            f"{label_en(label)} must build an nn.Module, got {type(model).__name__}",
        )
    return model


# Trusted kernel-side probe: a fresh BlocTransformer on sequences of the notebook's length
# CONTEXTE (32) and on shorter ones; "fixe" when the first run and the second raises.
@kernel_side
def block_lengths(BlocTransformer, d, n_tetes):
    """'fixe' when BlocTransformer(d, n_tetes) runs on (1, 32, d) and raises on (1, 7, d)."""
    import torch

    torch.manual_seed(0)
    bloc = BlocTransformer(d, n_tetes)
    with torch.no_grad():
        try:
            bloc(torch.randn(1, 32, d))
        except Exception:  # noqa: BLE001 - the student's error: nothing to say here
            return "autre"
        try:
            bloc(torch.randn(1, 7, d))
        except Exception:  # noqa: BLE001
            return "fixe"
    return "ok"


def fixed_length_fault(submission) -> CheckFailed | None:
    """The failure of a Transformer whose block is sized for the notebook's 32 positions (a
    causal mask built with T = 32 or CONTEXTE, not x.shape[1]); None when the probe sees none."""
    try:
        kind = block_lengths.call(submission, Ref("BlocTransformer"), 16, 2)
    except (StudentError, SubmissionError):
        return None
    if kind != "fixe":
        return None
    return CheckFailed(
        "BlocTransformer marche sur des suites de 32 positions (le CONTEXTE du notebook) mais "
        "échoue sur des suites plus courtes : son masque causal (ou une autre taille) est fixé "
        "à 32 positions au lieu de suivre l'entrée ; construisez-le à chaque appel avec la "
        "longueur de x, masque_causal(x.shape[1]) (T ≤ contexte varie : génération, "
        "dernières fenêtres)",
        "BlocTransformer works on sequences of 32 positions (the notebook's CONTEXTE) but fails "
        "on shorter ones: its causal mask (or another size) is fixed at 32 positions instead of "
        "following the input; build it at every call from the length of x, "
        "masque_causal(x.shape[1]) (T ≤ contexte varies: generation, last windows)",
    )


def transformer_error(submission, label: str, exc: StudentError) -> CheckFailed:
    """`student_error`, or the fixed-length fault when the block is sized for 32 positions."""
    if exc.ename not in ("NotImplementedError", "NameError") and "TP07_" not in exc.evalue:
        fault = fixed_length_fault(submission)
        if fault is not None:
            return fault
    return student_error(label, exc)


# Trusted kernel-side probe: the dtype `attention` returns for float64 inputs.
@kernel_side
def attention_dtype(attention):
    """str(dtype) of attention(Q, K, V) on float64 inputs; '' when it raises or returns no tensor."""
    import torch

    g = torch.Generator().manual_seed(0)
    Q, K, V = (torch.randn(1, 2, 3, 4, generator=g, dtype=torch.float64) for _ in range(3))
    try:
        sortie = attention(Q, K, V)
    except Exception:  # noqa: BLE001 - its own check says why
        return ""
    return str(sortie.dtype) if isinstance(sortie, torch.Tensor) else ""


def attention_dtype_fault(submission, exc: StudentError) -> CheckFailed | None:
    """A dtype error of attention_multi_tetes sent back to `attention` when the student's
    attention returns another dtype than its float64 inputs'."""
    if exc.ename != "RuntimeError" or "dtype" not in exc.evalue:
        return None
    try:
        kind = attention_dtype.call(submission, Ref("attention"))
    except (StudentError, SubmissionError):
        return None
    if kind in ("", "torch.float64"):
        return None
    return CheckFailed(
        f"attention_multi_tetes lève RuntimeError (types de données incompatibles) parce que "
        f"votre `attention` renvoie {kind[6:]} pour des entrées Q, K, V en float64 : elle "
        "convertit ses entrées ; la faute est dans `attention` : calculez dans le type des "
        "entrées, sans conversion (voir sa vérification)",
        f"attention_multi_tetes raises RuntimeError (incompatible dtypes) because your "
        f"`attention` returns {kind[6:]} for float64 inputs Q, K, V: it converts its inputs; the "
        "fault is in `attention`: compute in the inputs' type, without conversion (see its check)",
    )
