"""Hidden checks, part 2: the course's MLPDeuxCouches module and parameter counts.

The grader builds the student's module with its own widths, reads its state_dict (arrays)
to count parameters and to run its own float64 forward pass; `nombre_parametres` is
compared with real `nn.Sequential` models built here.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from autograder.checks import (
    CheckFailed,
    Handle,
    Partial,
    SubmissionError,
    Tensor,
    as_array,
    as_int,
    as_module,
    assert_arguments_untouched,
    assert_close,
    assert_param_count,
    call_with_hint,
    count_parameters,
    kernel_side,
    mlp_param_count,
    module_param_breakdown,
    record_expected,
    relabel,
)


def _build(submission, d_in: int, d_cache: int, d_out: int) -> tuple[Handle, dict, str]:
    what = "MLPDeuxCouches(d_in, d_cache, d_out)"
    model = as_module(submission, submission.call("MLPDeuxCouches", d_in, d_cache, d_out), what)
    state = model.call("state_dict")
    if not isinstance(state, dict):
        raise CheckFailed(
            f"{what}.state_dict() doit renvoyer un dictionnaire de tenseurs",
            f"{what}.state_dict() must return a dictionary of tensors",
        )
    return model, state, what


def _distinct_dims(rng, lows, highs) -> tuple[int, ...]:
    while True:
        dims = tuple(int(rng.integers(lo, hi)) for lo, hi in zip(lows, highs, strict=True))
        if len(set(dims)) == len(dims):
            return dims


# ---------------------------------------------------------------- MLPDeuxCouches


@pytest.mark.item("mlp_module", points=0.5)  # 0.5 to test_mlp_module_initial_weights_break_symmetry
def test_mlp_module_param_count_random_widths(submission, rng):
    d_in, d_cache, d_out = _distinct_dims(rng, (20, 8, 2), (300, 200, 20))
    model, _, what = _build(submission, d_in, d_cache, d_out)
    # Counted as model.parameters() counts them (shared layers once, as the course's demo):
    # fc1/fc2 reused in an nn.Sequential or aliased under other names are one set of weights.
    breakdown = module_param_breakdown(submission, model, what)
    # The per-layer table would show the hidden widths (its shapes and counts): only the
    # names of the parameters counted are given.
    names = ", ".join(name for name, _, _ in breakdown[:8]) or "aucun"
    names_en = ", ".join(name for name, _, _ in breakdown[:8]) or "none"
    assert_param_count(
        sum(count for _, _, count in breakdown),
        mlp_param_count([d_in, d_cache, d_out]),
        n_biases=d_cache + d_out,
        name=f"nombre de paramètres de {what}",
        hint_fr="fc1 = nn.Linear(d_in, d_cache) et fc2 = nn.Linear(d_cache, d_out), chacune avec "
        f"son biais (paramètres comptés, comme modele.parameters() : {names})",
        hint_en="fc1 = nn.Linear(d_in, d_cache) and fc2 = nn.Linear(d_cache, d_out), each with its "
        f"bias (parameters counted, as model.parameters() does: {names_en})",
    )


def _weights(state: dict, what: str, dims: tuple[int, int, int]) -> dict[str, np.ndarray]:
    """fc1/fc2 weights (float64) from the state_dict; a missing bias counts as zero."""
    d_in, d_cache, d_out = dims
    shapes = {
        "fc1.weight": (d_cache, d_in),
        "fc1.bias": (d_cache,),
        "fc2.weight": (d_out, d_cache),
        "fc2.bias": (d_out,),
    }
    missing = [k for k in ("fc1.weight", "fc2.weight") if k not in state]
    if missing:
        keys = ", ".join(sorted(state)[:8]) or "aucune"
        raise CheckFailed(
            f"{what} : clés {', '.join(missing)} absentes du state_dict (clés trouvées : {keys}) ; "
            "gardez les noms du cours, self.fc1 et self.fc2 (deux nn.Linear)",
            f"{what}: keys {', '.join(missing)} missing from the state_dict (keys found: {keys}); "
            "keep the course's names, self.fc1 and self.fc2 (two nn.Linear)",
        )
    out = {}
    for key, shape in shapes.items():
        if key in state:
            out[key] = as_array(state[key], f"{what}.{key}", shape=shape)
        else:
            out[key] = np.zeros(shape)
    return out


@pytest.mark.item("mlp_module", points=1)
def test_mlp_module_forward_matches_weights(submission, rng):
    dims = _distinct_dims(rng, (5, 4, 2), (40, 32, 12))
    d_in, d_cache, d_out = dims
    model, state, what = _build(submission, *dims)
    p = _weights(state, what, dims)
    n = int(rng.integers(6, 16))
    X = rng.normal(size=(n, d_in))
    dtype = np.float64 if state["fc1.weight"].dtype == np.float64 else np.float32
    out = call_with_hint(
        model,
        "forward",
        Tensor(X.astype(dtype)),
        hint=(
            "forward reçoit x de forme (N, d_in) et renvoie fc2(ReLU(fc1(x)))",
            "forward receives x of shape (N, d_in) and returns fc2(ReLU(fc1(x)))",
        ),
        on=None,
    )
    got = as_array(out, f"{what}.forward(x) sur des x du correcteur", allow_nan=True)
    if got.shape != (n, d_out):
        raise CheckFailed(
            f"{what}.forward(x) pour x de forme (N, d_in) : la sortie n'est pas de forme "
            "(N, d_out), une ligne de logits par exemple",
            f"{what}.forward(x) for x of shape "
            "(N, d_in): the output is not of shape (N, d_out), one row of logits per example",
        )
    Xr = X.astype(dtype).astype(np.float64)
    Z1 = Xr @ p["fc1.weight"].T + p["fc1.bias"]
    expected = np.maximum(Z1, 0.0) @ p["fc2.weight"].T + p["fc2.bias"]
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-12)

    def close(a, b):
        return a.shape == b.shape and bool(np.allclose(a, b, **tol))

    e = np.exp(expected - expected.max(axis=1, keepdims=True))
    if close(got, Z1 @ p["fc2.weight"].T + p["fc2.bias"]):
        hint_fr = "la ReLU manque : h = torch.relu(self.fc1(x)) avant self.fc2"
        hint_en = "the ReLU is missing: h = torch.relu(self.fc1(x)) before self.fc2"
    elif close(got, e / e.sum(axis=1, keepdims=True)):
        hint_fr = (
            "forward renvoie des probabilités (softmax) : renvoyez les logits, "
            "nn.functional.cross_entropy applique la softmax elle-même"
        )
        hint_en = (
            "forward returns probabilities (softmax): return the logits, "
            "nn.functional.cross_entropy applies the softmax itself"
        )
    elif close(got, np.maximum(expected, 0.0)):
        hint_fr = "pas de ReLU sur la sortie : les logits sont fc2(h), qui peuvent être négatifs"
        hint_en = "no ReLU on the output: the logits are fc2(h), which may be negative"
    elif not close(got, _forward_again(model, X.astype(dtype), got)):
        hint_fr = (
            "forward renvoie deux sorties différentes pour le même x : une opération aléatoire "
            "s'y trouve (un dropout actif, F.dropout(h, p) a training=True par défaut) ; "
            "forward(x) = fc2(ReLU(fc1(x))), rien d'autre"
        )
        hint_en = (
            "forward returns two different outputs for the same x: a random operation is in it "
            "(an active dropout: F.dropout(h, p) has training=True by default); "
            "forward(x) = fc2(ReLU(fc1(x))), nothing else"
        )
    else:
        hint_fr = "forward(x) = fc2(ReLU(fc1(x)))"
        hint_en = "forward(x) = fc2(ReLU(fc1(x)))"
    assert_close(
        got,
        expected,
        name=f"{what}.forward(x) sur des x du correcteur",
        hint_fr=hint_fr,
        hint_en=hint_en,
        **tol,
    )
    _check_large_pre_activations(model, X, p, dtype, what)
    _check_gradients_reach_fc1(submission, model, X.astype(dtype), p, Z1, rng, tol)
    _check_keeps_dimensions(submission, model, X.astype(dtype), dims, what)


def _check_large_pre_activations(model, X, p, dtype, what) -> None:
    """ReLU is max(0, z), with no ceiling. With nn.Linear's default weights the grader's x above
    keep |fc1(x)| around 1 (at most ~2), where ReLU6, clamp(z, 0, 6) or a hardtanh agree with it:
    the same x scaled so that the pre-activations reach tens tell them apart."""
    W1 = p["fc1.weight"]
    spread = float(np.abs(X @ W1.T).max())
    k = min(40.0 / spread, 1e4) if spread > 0 else 1.0
    Xb = (X * k).astype(dtype)
    out = call_with_hint(
        model,
        "forward",
        Tensor(Xb),
        hint=(
            "forward reçoit x de forme (N, d_in) et renvoie fc2(ReLU(fc1(x)))",
            "forward receives x of shape (N, d_in) and returns fc2(ReLU(fc1(x)))",
        ),
        on=None,
    )
    name = f"{what}.forward(x) sur des x du correcteur de grande norme"
    got = as_array(out, name, allow_nan=True)
    Z1 = Xb.astype(np.float64) @ W1.T + p["fc1.bias"]
    expected = np.maximum(Z1, 0.0) @ p["fc2.weight"].T + p["fc2.bias"]
    if got.shape != expected.shape:
        raise CheckFailed(
            f"{name} : la sortie n'est pas de forme (N, d_out)",
            f"{what}.forward(x) on grader x of large norm: the output is not of shape (N, d_out)",
        )
    # Both divided by the output's size (a tolerance from it would print it): float32 rounding
    # of fc1(x) ~ tens, then fc2, stays ~1e-5 of it; a ceiling at 6 moves the output by a
    # sizeable fraction of it (pre-activations up to 40).
    scale = 1.0 + float(np.abs(expected).max())
    rel = 1e-4 if dtype == np.float32 else 1e-9
    assert_close(
        got / scale,
        expected / scale,
        name=f"{name}, rapportée à la taille de la sortie",
        rtol=rel,
        atol=10 * rel,
        hint_fr=(
            "forward(x) est juste quand les pré-activations fc1(x) restent petites, faux quand "
            "elles sont grandes : la ReLU du cours est max(0, z), sans plafond (pas de nn.ReLU6, "
            "de torch.clamp(z, 0, 6) ni de nn.Hardtanh) ; h = torch.relu(self.fc1(x))"
        ),
        hint_en=(
            "forward(x) is right while the pre-activations fc1(x) stay small, wrong when they are "
            "large: the course's ReLU is max(0, z), with no ceiling (no nn.ReLU6, "
            "torch.clamp(z, 0, 6) nor nn.Hardtanh); h = torch.relu(self.fc1(x))"
        ),
    )


def _degenerate_start(p: dict[str, np.ndarray]) -> tuple[str, str] | None:
    """(fr, en) naming why a module with these initial weights cannot learn, or None.

    Simulated on the notebook's section 5 (MLPDeuxCouches(64, 64, 10), SGD, 30 epochs; default
    init 0.97 test accuracy): every weight and bias zero 0.10, fc1 zero 0.10 (every ReLU at
    exactly 0, derivative 0), weights 0.01 and biases 0 0.30 (identical units), weights zero and
    biases random 0.72; accepted: fc2 zero 0.96, constant weights with random biases 0.95."""
    W1, b1, W2 = p["fc1.weight"], p["fc1.bias"], p["fc2.weight"]
    units = np.column_stack([W1, b1])  # one row per hidden unit
    keep_fr = (
        "gardez l'initialisation aléatoire par défaut de nn.Linear (pas de nn.init.zeros_ ni de "
        "constante sur les poids)"
    )
    keep_en = "keep nn.Linear's default random initialisation (no nn.init.zeros_ nor constant weights)"
    if np.all(units == units[0]) and np.all(W2 == W2[:, :1]):
        zero = not np.any(units) and not np.any(W2)
        return (
            "tous ses neurones cachés sont identiques (mêmes poids et même biais dans fc1, mêmes "
            "poids de sortie dans fc2" + (", ici tous nuls" if zero else "") + ") : ils reçoivent "
            "les mêmes gradients et restent identiques à chaque pas (symétrie), le réseau ne peut "
            "pas apprendre plus qu'avec un seul neurone caché"
            + (" ; avec des poids nuls, les gradients de fc1 et de fc2.weight sont même nuls" if zero else "")
            + f" ; {keep_fr}",
            "all its hidden units are identical (same weights and bias in fc1, same outgoing "
            "weights in fc2" + (", here all zero" if zero else "") + "): they get the same "
            "gradients and stay identical at every step (symmetry), the network cannot learn more "
            "than with a single hidden unit"
            + ("; with zero weights, the gradients of fc1 and fc2.weight are even zero" if zero else "")
            + f"; {keep_en}",
        )
    if not np.any(W1) and np.all(b1 <= 0):
        return (
            "fc1 a des poids nuls et des biais nuls ou négatifs : fc1(x) ≤ 0 pour tout x, chaque "
            "ReLU renvoie 0 avec une dérivée nulle (neurones cachés « morts ») ; aucun gradient "
            f"n'atteint fc1 ni fc2.weight, le réseau n'apprend pas ; {keep_fr}",
            "fc1 has zero weights and zero or negative biases: fc1(x) <= 0 for every x, every ReLU "
            "returns 0 with a zero derivative (dead hidden units); no gradient reaches fc1 nor "
            f"fc2.weight, the network does not learn; {keep_en}",
        )
    if not np.any(W1) and not np.any(W2):
        return (
            "les poids de fc1 et de fc2 sont tous nuls : au départ la sortie ne dépend pas de x, fc1 "
            "ne reçoit aucun gradient au premier pas, puis des gradients de même direction pour "
            "tous les neurones cachés (une symétrie que seuls les biais brisent, lentement) ; "
            f"{keep_fr}",
            "the weights of fc1 and fc2 are all zero: at first the output does not depend on x, fc1 "
            "gets no gradient at the first step, then gradients of the same direction for every "
            f"hidden unit (a symmetry only the biases break, slowly); {keep_en}",
        )
    return None


@pytest.mark.item("mlp_module", points=0.5)
def test_mlp_module_initial_weights_break_symmetry(submission, rng):
    """A freshly built module must be trainable (the notebook trains it in sections 5 and 6):
    hidden units all identical at the start (e.g. every weight zero) get the same gradients and
    stay identical; an fc1 at zero leaves every ReLU at exactly 0, where its derivative is 0.
    Such a module's forward and parameter count are right."""
    dims = _distinct_dims(rng, (5, 4, 2), (40, 32, 12))
    _, state, what = _build(submission, *dims)
    fault = _degenerate_start(_weights(state, what, dims))
    if fault is not None:
        raise CheckFailed(f"{what}, tout juste construit : {fault[0]}", f"{what}, just built: {fault[1]}")


def _check_keeps_dimensions(submission, model, X, dims, what) -> None:
    """The statement's shape (N, d_out) on its edge cases, N = 1 and d_out = 1, which a
    .squeeze() (or a reshape to (-1,)) turns into (d_out,) or (N,) and no other input shows."""
    d_in, d_cache, _ = dims
    one = as_array(
        model.call("forward", Tensor(X[:1])), f"{what}.forward(x) pour un seul exemple", allow_nan=True
    )
    narrow = as_module(
        submission, submission.call("MLPDeuxCouches", d_in, d_cache, 1), "MLPDeuxCouches(d_in, d_cache, 1)"
    )
    n = X.shape[0]
    single = as_array(
        narrow.call("forward", Tensor(X)), "MLPDeuxCouches(d_in, d_cache, 1).forward(x)", allow_nan=True
    )
    for got, want, case_fr, case_en in (
        (one, (1, dims[2]), "un seul exemple (N = 1)", "a single example (N = 1)"),
        (single, (n, 1), "une seule sortie (d_out = 1)", "a single output (d_out = 1)"),
    ):
        if got.shape == want:
            continue
        dropped = got.shape == tuple(k for k in want if k != 1)
        why_fr = (
            "une dimension de taille 1 a disparu : pas de .squeeze() ni de .view(-1) sur les "
            "logits, renvoyez fc2(h) tel quel"
            if dropped
            else "renvoyez fc2(ReLU(fc1(x))) tel quel"
        )
        why_en = (
            "a dimension of size 1 was dropped: no .squeeze() or .view(-1) on the logits, "
            "return fc2(h) as it is"
            if dropped
            else "return fc2(ReLU(fc1(x))) as it is"
        )
        raise CheckFailed(
            f"forward(x) pour {case_fr} : la sortie n'est pas de forme (N, d_out) ; {why_fr}",
            f"forward(x) for {case_en}: the output is not of shape (N, d_out); {why_en}",
        )


def _forward_again(model, X, first) -> np.ndarray:
    """forward on the same x a second time (premise of the "random operation" hint); the first
    output back when the second call fails or returns something else."""
    try:
        again = as_array(model.call("forward", Tensor(X)), "forward(x)", allow_nan=True)
    except (CheckFailed, SubmissionError):
        return first
    return again if again.shape == first.shape else first


@kernel_side
def module_gradients(model, x, w):
    """Gradients of Σ w ⊙ model(x) with respect to every parameter (None: no gradient)."""
    model.zero_grad()
    (model(x) * w).sum().backward()
    return {name: None if q.grad is None else q.grad.detach().double().numpy()
            for name, q in model.named_parameters()}


def _check_gradients_reach_fc1(submission, model, X, p, Z1, rng, tol) -> None:
    """The value alone does not show a forward that cuts the graph (.detach(), NumPy, a
    torch.no_grad() block): fc1 would then never learn. Autograd through the student's module
    must give the gradients of fc1 that the grader computes from the same weights."""
    n, d_out = X.shape[0], p["fc2.weight"].shape[0]
    W = rng.normal(size=(n, d_out)).astype(X.dtype)
    try:
        grads = module_gradients.call(submission, model, Tensor(X), Tensor(W))
    except SubmissionError as exc:
        raise relabel(exc, module_gradients.ref_name, "MLPDeuxCouches.forward") from None
    dZ1 = (W.astype(np.float64) @ p["fc2.weight"]) * (Z1 > 0)
    expected = {"fc1.weight": dZ1.T @ X.astype(np.float64), "fc1.bias": dZ1.sum(axis=0)}
    cut_fr = (
        "MLPDeuxCouches : la rétropropagation n'atteint pas fc1 (gradient nul ou absent pour "
        "fc1.weight) : forward coupe le graphe de calcul ; pas de .detach(), de NumPy ni de "
        "torch.no_grad() dans forward, sinon fc1 n'apprend jamais"
    )
    cut_en = (
        "MLPDeuxCouches: backpropagation does not reach fc1 (no or zero gradient for fc1.weight): "
        "forward cuts the computation graph; no .detach(), NumPy or torch.no_grad() in forward, "
        "or fc1 never learns"
    )
    if not isinstance(grads, dict):
        raise CheckFailed(cut_fr, cut_en)
    for key, ref in expected.items():
        if key not in grads:
            continue  # a layer without bias: test_mlp_module_param_count_random_widths says so
        g = grads.get(key)
        if g is None or (np.abs(np.asarray(g, dtype=float)).max() == 0 and np.abs(ref).max() > 0):
            raise CheckFailed(cut_fr, cut_en)
        assert_close(
            as_array(g, f"gradient de {key}", allow_nan=True),
            ref,
            name=f"gradient de {key} par autograd à travers MLPDeuxCouches.forward",
            hint_fr="forward(x) = fc2(ReLU(fc1(x))) en opérations PyTorch, sans couper le graphe",
            hint_en="forward(x) = fc2(ReLU(fc1(x))) in PyTorch operations, without cutting the graph",
            rtol=max(tol["rtol"], 1e-4) if X.dtype == np.float32 else tol["rtol"],
            atol=max(tol["atol"], 1e-4) if X.dtype == np.float32 else 1e-9,
        )


# ---------------------------------------------------------------- nombre_parametres


def _torch_count(widths: list[int]) -> int:
    layers: list[nn.Module] = []
    for a, b in zip(widths[:-1], widths[1:], strict=True):
        layers += [nn.Linear(a, b), nn.ReLU()]
    with torch.device("meta"):  # shapes only: no memory for the weights
        model = nn.Sequential(*layers[:-1])
    return count_parameters(model)


def _distinct_widths(rng, k: int) -> list[int]:
    while True:
        widths = [int(v) for v in rng.integers(2, 301, size=k)]
        if len(set(widths)) == k:
            return widths


def _right_once_widths_distinct(submission, widths: list[int]) -> bool:
    """Premise of the "a repeated width loses a layer" hint: `widths` repeats a width, and the
    answer is right on the same list with every repeat replaced by a width of its own (as many
    layers, sizes of the same order)."""
    if len(set(widths)) == len(widths):
        return False
    distinct, seen = [], set(widths)
    for i, v in enumerate(widths):
        if v in distinct:
            v = max(seen) + 1 + i
            seen.add(v)
        distinct.append(v)
    value = as_int(
        submission.call("nombre_parametres", distinct),
        "nombre_parametres(largeurs) pour une liste de largeurs du correcteur toutes différentes",
    )
    return value == _torch_count(distinct)


@pytest.mark.item("count_params", points=1)
def test_nombre_parametres_matches_torch(submission, rng):
    cases = [[int(v) for v in rng.integers(1, 301, size=int(rng.integers(2, 7)))] for _ in range(4)]
    cases.append([int(rng.integers(2, 50)), int(rng.integers(2, 50))])  # a single layer
    # A width repeated on purpose (the statement allows any list): two layers of the same input
    # width ([h, h, k], [a, b, a, c]) or two identical layers ([h, h, h, k]). Layers kept in a
    # dict keyed by the input width, or in a set of (n, h) pairs, lose one of them there.
    h, k = _distinct_widths(rng, 2)
    a, b, c = _distinct_widths(rng, 3)
    g, m = _distinct_widths(rng, 2)
    cases += [[h, h, k], [a, b, a, c], [g, g, g, m]]
    floats = False
    for widths in cases:
        expected = _torch_count(widths)
        name = "nombre_parametres(largeurs) pour l'une des listes de largeurs du correcteur"
        if len(set(widths)) < len(widths):
            name = (
                "nombre_parametres(largeurs) pour une liste de largeurs du correcteur où une "
                "largeur se répète"
            )
        raw = submission.call("nombre_parametres", widths)
        # np.float64 and np.int64 arrive as Python float and int; a 0-d array as an array.
        floats = floats or isinstance(raw, float) or (isinstance(raw, np.ndarray) and raw.dtype.kind == "f")
        value = as_int(raw, name)
        if value == expected:
            continue
        input_side = sum(a * b + a for a, b in zip(widths[:-1], widths[1:], strict=True))
        if value == input_side and input_side != expected:
            record_expected(name, expected)
            raise CheckFailed(
                f"{name} : obtenu {value}, ce n'est pas le nombre de paramètres du "
                "nn.Sequential de mêmes largeurs ; vous comptez h_i biais par couche : une "
                "couche a un biais par neurone de SORTIE, soit h_{i+1}",
                f"{name}: got {value}, not the parameter count of the nn.Sequential of the "
                "same widths; you count h_i biases per layer: a layer has one bias per "
                "OUTPUT unit, i.e. h_{i+1}",
            )
        if _right_once_widths_distinct(submission, widths):
            record_expected(name, expected)
            raise CheckFailed(
                f"{name} : obtenu {value}, ce n'est pas le nombre de paramètres du "
                "nn.Sequential de mêmes largeurs ; votre compte est juste quand les largeurs "
                "sont toutes différentes, faux quand une largeur se répète (deux couches de même "
                "largeur d'entrée, ou deux couches identiques) : une couche est perdue. Ne rangez "
                "pas les couches dans un dict ou un set indexé par les largeurs (une clé répétée "
                "écrase la précédente) ; parcourez TOUTES les paires consécutives, "
                "zip(largeurs[:-1], largeurs[1:])",
                f"{name}: got {value}, not the parameter count of the nn.Sequential of the same "
                "widths; your count is right when the widths are all different, wrong when a "
                "width repeats (two layers with the same input width, or two identical layers): "
                "a layer is lost. Do not keep the layers in a dict or a set keyed by the widths "
                "(a repeated key overwrites the previous one); walk EVERY consecutive pair, "
                "zip(largeurs[:-1], largeurs[1:])",
            )
        assert_param_count(
            value,
            expected,
            n_biases=sum(widths[1:]),
            name=f"{name} (nombre de paramètres du nn.Sequential de mêmes largeurs)",
            hint_fr="Σ h_i × h_{i+1} + h_{i+1} sur toutes les couches",
            hint_en="Σ h_i × h_{i+1} + h_{i+1} over every layer",
        )
    # The statement: "vos fonctions ne doivent pas modifier leurs arguments" (a right count
    # from largeurs.reverse() or largeurs.pop() empties or reverses the caller's list).
    assert_arguments_untouched(
        submission, "nombre_parametres", (list(cases[0]),), {0: "largeurs"},
        hint_fr="parcourez la liste sans la changer (zip(largeurs[:-1], largeurs[1:]), "
        "largeurs[::-1] crée une copie ; pas de largeurs.reverse(), .pop() ni .sort())",
        hint_en="walk the list without changing it (zip(largeurs[:-1], largeurs[1:]); "
        "largeurs[::-1] makes a copy; no largeurs.reverse(), .pop() nor .sort())",
    )
    if floats:  # every count right, but a float: the statement asks for an integer
        raise Partial(
            0.5,
            "les comptes sont justes, mais nombre_parametres renvoie un flottant (float) : le "
            "sujet demande un entier ; calculez avec des entiers (les largeurs sont des int) ou "
            "convertissez le résultat avec int(...)",
            "the counts are right, but nombre_parametres returns a float: the statement asks for "
            "an integer; compute with integers (the widths are ints) or convert the result with "
            "int(...)",
        )
