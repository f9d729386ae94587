"""Hidden checks, part 3: the mechanism, not only the outcome.

A model can reach a good loss with a wrong mechanism (an encoder without its ReLU, noise
drawn uniform, the notebook's data instead of the argument), so these checks look at it:
- AutoEncodeur / AutoEncodeurConv on grader sizes: parameter count of d → h → k → h → d
  (and of the statement's 3×3 layers for the convolutional one, whose maps must have the
  statement's sizes 8×8 → 4×4 → 2×2 → 4×4 → 8×8 after each convolution: no resizing in
  forward),
  the encoder is not affine (an activation), the decoder's logit is not affine either.
- entrainer_ae / entrainer_debruiteur: a grader-built model that records every input
  it is given; the rows must be the grader's X (plus σ·N(0, 1) noise for the denoiser:
  mean, standard deviation, kurtosis, fresh noise every batch), X left unmodified, the
  same seed giving the same model and another seed another one, the first step of
  Adam with the lr argument (≈ lr, for two values of lr), and ONE Adam for the whole
  training (watch_optimisers: an Adam built in the epoch loop restarts its moments).
- reparametrisation without ε (σ = 1): one ε per example (rows not sharing one noise), z over
  20,000 draws after torch.manual_seed has the law N(μ, 1) (moments, tails) and is
  reproducible under torch's seed.
- kl_gaussienne and perte_vae: differentiable (autograd against central differences of
  the student's own function); perte_vae runs against the grader's KL, so a KL bug costs
  points in `kl` only.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import (
    CheckFailed,
    Ref,
    SubmissionError,
    Tensor,
    as_array,
    assert_one_optimiser,
    assert_seed_used,
    check_fresh_gradients,
    kernel_side,
    module_param_breakdown,
    note_fresh_gradients,
    notebook_data_reads,
    read_regression_loss,
    record_margin,
    relabel,
    watch_optimisers,
    with_references,
)

from ..public.helpers import affine_gap, kl_gaussienne, seed_torch
from .helpers import (
    LR_FACTOR,
    assert_every_layer_learns,
    assert_first_adam_steps,
)


@kernel_side(uses=(watch_optimisers, note_fresh_gradients))
def record_training(fn, X, kwargs, seeds, d, k, h, init_seed, wide=False):
    """The student's training loop `fn` on a dense autoencoder that records every input of
    forward (rows flattened, float32) and its dtype, built anew for each run with the given
    seeds, whether each backward's gradients were fresh (note_fresh_gradients: zero_grad) and
    the optimisers that stepped it (watch_optimisers). With `wide`, X is handed over as a
    float64 array (the model computes in float32 and answers in its input's dtype, so that a
    loop that keeps float64 runs and is seen)."""
    import numpy as np
    import torch
    from torch import nn

    class _TP04Enregistreur(nn.Module):
        def __init__(self):
            super().__init__()
            self.encodeur = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, k))
            self.decodeur = nn.Sequential(nn.Linear(k, h), nn.ReLU(), nn.Linear(h, d), nn.Sigmoid())
            self.vus = []
            self.lots = []
            self.types = []
            self.sondes = []
            self.cumuls = []
            note_fresh_gradients(self, self.cumuls)

        def encode(self, x):
            return self.encodeur(x)

        def decode(self, z):
            return self.decodeur(z)

        def forward(self, x):
            self.vus.append(x.detach().reshape(len(x), -1).float().clone())
            self.types.append(str(x.dtype))
            if torch.is_grad_enabled():  # evaluation under no_grad is not a training batch
                self.lots.append(len(x))
            out = self.decodeur(self.encodeur(x.float()))
            out = out if out.dtype == x.dtype else out.to(x.dtype)
            if torch.is_grad_enabled() and out.requires_grad and len(self.sondes) < 4:
                # The loss read from the gradient the loop sends back to this output: the
                # statement's F.mse_loss sends 2 (x̂ − x) / (N·d).
                sonde = {"x": x.detach().reshape(len(x), -1).double().clone(),
                         "out": out.detach().reshape(len(x), -1).double().clone(), "grad": None}
                self.sondes.append(sonde)

                def _tp04_grad(gr, sonde=sonde):
                    if sonde["grad"] is None:
                        sonde["grad"] = gr.detach().reshape(sonde["out"].shape).double().clone()

                out.register_hook(_tp04_grad)
            return out

    runs = []
    for i, s in enumerate(seeds):
        torch.manual_seed(int(init_seed))
        model = _TP04Enregistreur()
        init = torch.cat([p.detach().reshape(-1).clone() for p in model.parameters()])
        torch.manual_seed(7919 * (i + 1))  # a different global state on each run
        Xi = np.array(X, dtype=np.float64 if wide else np.float32)
        stop = watch_optimisers()
        try:
            ret = fn(model, Xi, seed=int(s), **kwargs)
        finally:
            optimiseurs = stop()
        trained = ret if isinstance(ret, nn.Module) else model
        vus = getattr(trained, "vus", None) or model.vus
        lots = getattr(trained, "lots", None) or model.lots
        sondes = [v for v in (getattr(trained, "sondes", None) or model.sondes) if v["grad"] is not None]
        runs.append({
            "seen": torch.cat(vus) if vus else torch.zeros(0, d),
            "batches": [int(v) for v in lots],
            "params": torch.cat([p.detach().reshape(-1) for p in trained.parameters()]),
            "modified": not np.array_equal(Xi, np.asarray(X, dtype=Xi.dtype)),
            "init": init,
            "dtypes": sorted(set(getattr(trained, "types", None) or model.types)),
            "probe": sondes[0] if sondes else None,
            "optimisers": optimiseurs,
            "fresh": [bool(c) for c in model.cumuls],
        })
    return runs


@kernel_side
def reparam_noise(reparametrisation, m, lv, n, seeds):
    """z = reparametrisation(μ, log σ²) without eps for n rows, after each torch seed."""
    import torch

    runs = []
    for s in seeds:
        mu = (torch.zeros(n, len(m), dtype=torch.float64) + torch.tensor(m, dtype=torch.float64)).requires_grad_(True)
        logvar = (torch.zeros(n, len(lv), dtype=torch.float64) + torch.tensor(lv, dtype=torch.float64)).requires_grad_(True)
        torch.manual_seed(int(s))
        z = reparametrisation(mu, logvar)
        if not isinstance(z, torch.Tensor):
            return {"status": "not_tensor"}
        if tuple(z.shape) != tuple(mu.shape):
            return {"status": "shape", "shape": list(z.shape)}
        runs.append({"z": z.detach().double()})
    return {"status": "ok", "runs": runs}


@kernel_side
def grad_vs_fd(fn, args, kwargs, wrt, h):
    """Autograd of sum(fn(*args)) with respect to the arguments listed in `wrt`, and central
    differences of the same student function (float64 inputs)."""
    import torch

    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=(i in wrt)) for i, a in enumerate(args)]
    out = fn(*ts, **kwargs)
    if not isinstance(out, torch.Tensor):
        return {"status": "not_tensor", "type": type(out).__name__}
    if not out.requires_grad:
        return {"status": "no_graph"}
    out.double().sum().backward()
    auto = [ts[i].grad if ts[i].grad is not None else torch.zeros_like(ts[i]) for i in wrt]
    num = []
    with torch.no_grad():
        for i in wrt:
            g = torch.zeros_like(ts[i])
            flat = g.view(-1)
            for j in range(flat.numel()):
                plus = [t.detach().clone() for t in ts]
                minus = [t.detach().clone() for t in ts]
                plus[i].view(-1)[j] += h
                minus[i].view(-1)[j] -= h
                flat[j] = (fn(*plus, **kwargs).double().sum() - fn(*minus, **kwargs).double().sum()) / (2 * h)
            num.append(g)
    return {"status": "ok", "auto": auto, "num": num}


@kernel_side
def conv_trace(modele, X, inputs):
    """For each convolution and transposed convolution, in call order: the height × width of
    its output, or with `inputs` the smallest value entering it, then the smallest value of
    encode(x) (every layer after the first is fed through a ReLU, and the code itself ends with
    one: 4 channels 2×2 after a ReLU)."""
    import torch

    vus = []
    couches = [m for m in modele.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d))]
    if inputs:
        crochets = [m.register_forward_pre_hook(lambda m, entree: vus.append(float(entree[0].min())))
                    for m in couches]
    else:
        crochets = [m.register_forward_hook(lambda m, entree, sortie: vus.append([int(v) for v in sortie.shape[-2:]]))
                    for m in couches]
    try:
        with torch.no_grad():
            modele(X)
    finally:
        for c in crochets:
            c.remove()
    if not inputs:
        return vus
    with torch.no_grad():
        code = float(modele.encode(X).min())
    return {"mins": vus, "code": code}


def _outputs(model, method: str, what: str, logit: bool = False):
    """V ↦ model.<method>(V) as an array, or its logit when the model ends with a Sigmoid (the
    output itself when there is none: a missing Sigmoid is the shape check's fault)."""

    def f(V):
        p = as_array(model.call(method, Tensor(V)), what, allow_nan=True)
        if not logit or not np.all((p > 0.0) & (p < 1.0)):
            return p.astype(np.float64)
        p = p.astype(np.float64)
        return np.log(p) - np.log1p(-p)

    return f


def _assert_nonlinear(f, A, B, t, what_fr: str, what_en: str, hint_fr: str, hint_en: str) -> None:
    gap, scale = affine_gap(f, A, B, t)
    record_margin(f"nonlinearity gap of {what_en}", gap, 1e-3 * scale, higher_is_better=True)
    if gap <= 1e-3 * scale:
        fa, fb = (np.asarray(f(V), dtype=np.float64) for V in (A, B))
        if fa.shape == fb.shape and float(np.max(np.abs(fa - fb))) <= 1e-6 * scale:
            # Constant is affine too, but no activation is missing: one too many clipped it all.
            raise CheckFailed(
                f"{what_fr} ne dépend pas de l'entrée (la même valeur pour toutes les entrées "
                "du correcteur) : une activation de trop écrase tout (une ReLU juste avant la "
                f"Sigmoid ?) ; {hint_fr}",
                f"{what_en} does not depend on the input (the same value for every grader "
                "input): one activation too many flattens everything (a ReLU right before the "
                f"Sigmoid?); {hint_en}",
            )
        raise CheckFailed(
            f"{what_fr} est affine (f(tA + (1 − t)B) = t·f(A) + (1 − t)·f(B)) : il manque une "
            f"activation ; {hint_fr}",
            f"{what_en} is affine (f(tA + (1 − t)B) = t·f(A) + (1 − t)·f(B)): an activation is "
            f"missing; {hint_en}",
        )


def _assert_count(submission, model, what: str, expected: int, layers: tuple[str, str],
                  weights: tuple[int, int, str, str] | None = None) -> None:
    """`what` has `expected` parameters, counted as model.parameters() counts them (a layer
    registered twice, by name and in an nn.Sequential, once), else `layers` say which. With
    `weights` = (number of layers, ndim of their weight, the chain fr, en): when the model has
    another number of weights of that ndim, a layer is missing or extra (its sizes are not
    the fault: the hint about d, k, h would blame arguments the model does use)."""
    breakdown = module_param_breakdown(submission, model, what)
    count = sum(n for _, _, n in breakdown)
    if count != expected and weights is not None:
        n_layers, ndim, chain_fr, chain_en = weights
        found = sum(1 for _, shape, _ in breakdown if len(shape) == ndim)
        if found != n_layers:
            fr_more, en_more = ("en trop", "extra") if found > n_layers else ("manquante", "missing")
            raise CheckFailed(
                f"{what} a {count} paramètres et {found} couches à poids ({ndim}D) au lieu de "
                f"{n_layers} : une couche {fr_more} ; {chain_fr}",
                f"{what} has {count} parameters and {found} weighted layers ({ndim}D weights) "
                f"instead of {n_layers}: a layer is {en_more}; {chain_en}",
            )
        biases = sum(1 for _, shape, _ in breakdown if len(shape) == 1)
        if biases < n_layers:
            raise CheckFailed(
                f"{what} a {count} paramètres : {found} couches à poids mais {biases} biais "
                f"seulement : des couches sont sans biais (bias=False) ; chaque couche garde son "
                f"biais (l'option par défaut) ; {chain_fr}",
                f"{what} has {count} parameters: {found} weighted layers but only {biases} "
                f"biases: some layers have no bias (bias=False); every layer keeps its bias (the "
                f"default); {chain_en}",
            )
    if count != expected:
        raise CheckFailed(
            f"{what} a {count} paramètres, ce qui ne correspond pas {layers[0]}",
            f"{what} has {count} parameters, which does not match {layers[1]}",
        )


# ---------------------------------------------------------------- architectures


@kernel_side
def linear_inputs(model, method, V):
    """The smallest value entering each nn.Linear, in call order, during model.<method>(V)."""
    import torch

    mins = []
    hooks = [
        m.register_forward_pre_hook(lambda m, entree: mins.append(float(entree[0].min())))
        for m in model.modules()
        if isinstance(m, torch.nn.Linear)
    ]
    try:
        with torch.no_grad():
            getattr(model, method)(V)
    finally:
        for h in hooks:
            h.remove()
    return mins


@kernel_side
def layer_io(model, method, V, kind):
    """The input and the output of each layer of `kind` ("linear" or "conv": Conv2d and
    ConvTranspose2d) in call order during model.<method>(V), under no_grad, each copied when it
    was made (an in-place activation after a layer changes its output afterwards)."""
    import torch

    types = (torch.nn.Linear,) if kind == "linear" else (torch.nn.Conv2d, torch.nn.ConvTranspose2d)
    seen = []
    hooks = [
        m.register_forward_hook(
            lambda m, entree, sortie: seen.append([entree[0].detach().clone(), sortie.detach().clone()]))
        for m in model.modules()
        if isinstance(m, types)
    ]
    try:
        with torch.no_grad():
            getattr(model, method)(V)
    finally:
        for h in hooks:
            h.remove()
    return seen


def _assert_relu_between(submission, model, method: str, V: np.ndarray, kind: str, count: int,
                         names: tuple[tuple[str, str], ...], what: str, chain: tuple[str, str]) -> None:
    """Each of the `count` layers of `kind` that model.<method>(V) runs, after the first,
    receives the ReLU of the previous one's output, exactly (the statement's activation between
    them: a Sigmoid or a Tanh there keeps the model non-linear, a Sigmoid even keeps every
    input positive). `names` are the layers after the first, as the message names them."""
    try:
        io = layer_io.call(submission, model, method, Tensor(V), kind)
        pairs = [(as_array(i, what, allow_nan=True).astype(np.float64),
                  as_array(o, what, allow_nan=True).astype(np.float64)) for i, o in io]
    except (TypeError, ValueError, CheckFailed, SubmissionError):
        return  # not what the hooks return: the other checks judge the model
    if len(pairs) != count:
        return
    for (_, prev), (inp, _), (name_fr, name_en) in zip(pairs, pairs[1:], names, strict=False):
        if prev.size != inp.size or not (np.all(np.isfinite(prev)) and np.all(np.isfinite(inp))):
            return
        expected = np.maximum(prev, 0.0).reshape(inp.shape)
        gap = float(np.max(np.abs(inp - expected)))
        scale = max(1.0, float(np.max(np.abs(prev))))
        record_margin(f"{what}: input of {name_en} vs ReLU of the layer before", gap, 1e-5 * scale,
                      higher_is_better=False, kind="tolerance")
        if gap > 1e-5 * scale:
            raise CheckFailed(
                f"{what} : l'entrée de {name_fr} n'est pas la ReLU de la sortie de la couche "
                "précédente : l'activation entre les deux n'est pas la ReLU de l'énoncé (une "
                f"Sigmoid, une Tanh… ?) ; {chain[0]}",
                f"{what}: the input of {name_en} is not the ReLU of the previous layer's output: "
                f"the activation between them is not the statement's ReLU (a Sigmoid, a Tanh...?); "
                f"{chain[1]}",
            )


@kernel_side
def last_layer(model, method, V, kind):
    """model.<method>(V) under no_grad, and the output of the last layer of `kind` ("linear",
    "conv", "convT") that ran during the call (None when none ran), copied when it was made
    (an in-place activation after it changes it afterwards). On a copy of the model whose last
    layer's bias is first moved by the median of its outputs on V, unit by unit: about half of
    its outputs are then negative, whatever the initialisation drew (a ReLU after it would
    otherwise change nothing when the bias happens to keep them all positive)."""
    import copy

    import torch

    types = {"linear": torch.nn.Linear, "conv": torch.nn.Conv2d,
             "convT": torch.nn.ConvTranspose2d}[kind]
    try:
        model = copy.deepcopy(model)
        centre = True
    except Exception:  # a model that cannot be copied is probed as it is
        centre = False
    ran = []
    hooks = [
        m.register_forward_hook(lambda m, entree, sortie: ran.append((m, sortie.detach().clone())))
        for m in model.modules()
        if isinstance(m, types)
    ]
    try:
        with torch.no_grad():
            out = getattr(model, method)(V)
            if centre and ran and isinstance(getattr(ran[-1][0], "bias", None), torch.Tensor):
                m, u = ran[-1]
                if isinstance(m, torch.nn.Linear):
                    med = u.reshape(-1, u.shape[-1]).median(dim=0).values
                else:
                    med = u.transpose(0, 1).reshape(u.shape[1], -1).median(dim=1).values
                if med.shape == m.bias.shape:
                    m.bias.sub_(med)
                    ran.clear()
                    out = getattr(model, method)(V)
    finally:
        for h in hooks:
            h.remove()
    return {"out": out, "last": ran[-1][1] if ran else None}


def _after_last_layer(submission, model, method: str, V: np.ndarray, kind: str, what: str):
    """(output of model.<method>(V), output of the last `kind` layer it ran), float64 and of the
    same shape, or None when the model cannot be followed that way (no such layer called as a
    module, F.linear on its weights, another shape: the other checks judge it)."""
    try:
        out = last_layer.call(submission, model, method, Tensor(V), kind)
    except SubmissionError:
        return None  # the model's own error: the shape checks report it
    if not isinstance(out, dict) or out.get("last") is None:
        return None
    got = as_array(out["out"], what, allow_nan=True).astype(np.float64)
    last = as_array(out["last"], f"{what} (dernière couche)", allow_nan=True).astype(np.float64)
    if got.shape != last.shape:
        if got.size != last.size or got.shape[:1] != last.shape[:1]:
            return None
        got = got.reshape(last.shape)  # a code returned flattened: the same values
    if not (np.all(np.isfinite(got)) and np.all(np.isfinite(last))):
        return None
    return got, last


def _sigmoid(v: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * v))


def _assert_sigmoid_of_last(submission, model, method: str, V: np.ndarray, kind: str,
                            what: str, layer: str, chain: tuple[str, str]) -> None:
    """The statement's output: the Sigmoid of the last (transposed) linear layer, nothing
    between them (a ReLU there clips every output to ≥ 0.5). Outputs outside [0, 1] (no
    Sigmoid at all) are the shape check's fault."""
    pair = _after_last_layer(submission, model, method, V, kind, what)
    if pair is None:
        return
    got, last = pair
    if not np.all((got >= 0.0) & (got <= 1.0)):
        return
    expected = _sigmoid(last)
    gap = float(np.max(np.abs(got - expected)))
    record_margin(f"{what} vs Sigmoid(last {kind})", gap, 1e-4, higher_is_better=False, kind="tolerance")
    if gap <= 1e-4:
        return
    if np.all(got >= 0.5 - 1e-6) and np.any(expected < 0.5 - 1e-3):
        raise CheckFailed(
            f"toutes les sorties de {what} sont ≥ 0.5 : une ReLU (ou une autre activation) s'est "
            f"glissée entre {layer} et la Sigmoid, et la Sigmoid d'une valeur ≥ 0 vaut au moins "
            f"0.5 (un pixel noir devient impossible) ; {chain[0]}, rien entre la dernière couche "
            "et la Sigmoid",
            f"every output of {what} is ≥ 0.5: a ReLU (or another activation) slipped in between "
            f"{layer} and the Sigmoid, and the Sigmoid of a value ≥ 0 is at least 0.5 (a black "
            f"pixel becomes impossible); {chain[1]}, nothing between the last layer and the Sigmoid",
        )
    raise CheckFailed(
        f"{what} n'est pas la Sigmoid de la sortie de {layer} : une opération s'est glissée entre "
        f"les deux ; {chain[0]}, rien entre la dernière couche et la Sigmoid",
        f"{what} is not the Sigmoid of the output of {layer}: an operation slipped in between; "
        f"{chain[1]}, nothing between the last layer and the Sigmoid",
    )


@pytest.mark.item("ae_classe", points=0.5)
def test_ae_classe_architecture(submission, rng, seed):
    # Sizes never the statement's (64, 2, 32), (64, 16, 64) nor the public check's (64, 3, 16),
    # at every variant (blind round 21: a size hard-coded to the notebook's passes a variant
    # that draws it): k from 4 to 7, h from 8 to 24 but never 16.
    d, k = int(rng.integers(20, 41)), int(rng.integers(4, 8))
    h = int(rng.choice([8, 9, 10, 11, 12, 13, 14, 15, 17, 18, 19, 20, 21, 22, 23, 24]))
    what = f"AutoEncodeur({d}, {k}, {h})"
    seed_torch(submission, int(seed % 2**31))
    model = submission.call("AutoEncodeur", d, k, h)
    _assert_count(submission, model, what, (d * h + h) + (h * k + k) + (k * h + h) + (h * d + d), (
        "à d → h → k → h → d avec biais : utilisez les arguments d, k et h du constructeur "
        "(pas des tailles fixes)",
        "d → h → k → h → d with biases: use the constructor's arguments d, k and h (not fixed sizes)",
    ), (4, 2, "encodeur Linear(d, h), ReLU, Linear(h, k) ; décodeur Linear(k, h), ReLU, "
              "Linear(h, d), Sigmoid (quatre nn.Linear)",
        "encoder Linear(d, h), ReLU, Linear(h, k); decoder Linear(k, h), ReLU, Linear(h, d), "
        "Sigmoid (four nn.Linear)"))
    encode = _outputs(model, "encode", f"{what}.encode(x)")
    decode_logit = _outputs(model, "decode", f"{what}.decode(z)", logit=True)

    A, B = (rng.normal(0.0, 3.0, size=(8, d)).astype(np.float32) for _ in range(2))
    t = rng.uniform(0.2, 0.8, size=8).astype(np.float32)
    Za, Zb = (rng.normal(0.0, 2.0, size=(8, k)).astype(np.float32) for _ in range(2))
    # The code z is the output of Linear(h, k) itself (the statement: Linear(d, h), ReLU,
    # Linear(h, k), nothing after): a ReLU or a Sigmoid after it clips the code (z ≥ 0, or in
    # (0, 1)) and the map stays non-linear, so the checks below cannot see it.
    V = np.concatenate([A, B, 3.0 * A]).astype(np.float32)
    pair = _after_last_layer(submission, model, "encode", V, "linear", f"{what}.encode(x)")
    if pair is not None:
        code, last = pair
        gap = float(np.max(np.abs(code - last)))
        record_margin("code vs output of the encoder's last Linear", gap,
                      1e-5 * max(1.0, float(np.max(np.abs(last)))), higher_is_better=False,
                      kind="tolerance")
        if gap > 1e-5 * max(1.0, float(np.max(np.abs(last)))):
            clipped_fr = (" (le code n'a aucune valeur négative)" if np.all(code >= 0.0)
                          and np.any(last < 0.0) else "")
            clipped_en = (" (the code has no negative value)" if clipped_fr else "")
            raise CheckFailed(
                f"{what}.encode(x) n'est pas la sortie de la dernière couche nn.Linear de "
                f"l'encodeur{clipped_fr} : une activation après Linear(h, k) (ReLU, Sigmoid…) "
                "restreint le code z ; l'encodeur est Linear(d, h), ReLU, Linear(h, k), sans "
                "activation après la dernière couche",
                f"{what}.encode(x) is not the output of the encoder's last nn.Linear layer"
                f"{clipped_en}: an activation after Linear(h, k) (ReLU, Sigmoid...) restricts the "
                "code z; the encoder is Linear(d, h), ReLU, Linear(h, k), with no activation "
                "after the last layer",
            )
    _assert_sigmoid_of_last(
        submission, model, "decode", np.concatenate([Za, Zb]), "linear", f"{what}.decode(z)",
        "Linear(h, d)", ("le décodeur est Linear(k, h), ReLU, Linear(h, d), Sigmoid",
                         "the decoder is Linear(k, h), ReLU, Linear(h, d), Sigmoid"),
    )
    _assert_nonlinear(
        encode, A, B, t, f"{what}.encode", f"{what}.encode",
        "encodeur Linear(d, h) → ReLU → Linear(h, k)", "encoder Linear(d, h) → ReLU → Linear(h, k)",
    )
    _assert_nonlinear(
        decode_logit, Za, Zb, t, f"le logit de {what}.decode", f"the logit of {what}.decode",
        "décodeur Linear(k, h) → ReLU → Linear(h, d) → Sigmoid",
        "decoder Linear(k, h) → ReLU → Linear(h, d) → Sigmoid",
    )
    # The statement's activation is a ReLU: every nn.Linear after the first of encode (fed x)
    # and of decode (fed z) receives the output of a ReLU, never a negative value (a Tanh or a
    # LeakyReLU is still non-linear, and passes the tests above).
    for method, V, part_fr, part_en in (("encode", A, "l'encodeur", "the encoder"),
                                        ("decode", Za, "le décodeur", "the decoder")):
        try:
            mins = [float(v) for v in linear_inputs.call(submission, model, method, Tensor(V))]
        except (TypeError, ValueError, SubmissionError):
            continue  # not what the hooks return: the checks above judge the model
        if any(m < 0.0 for m in mins[1:]):
            raise CheckFailed(
                f"{what} : dans {part_fr}, une couche nn.Linear cachée reçoit des valeurs "
                "négatives : l'activation cachée n'est pas la ReLU de l'énoncé (Tanh, LeakyReLU… ?) ; "
                "nn.ReLU() entre les couches nn.Linear",
                f"{what}: in {part_en}, a hidden nn.Linear layer receives negative values: the "
                "hidden activation is not the statement's ReLU (Tanh, LeakyReLU...?); nn.ReLU() "
                "between the nn.Linear layers",
            )
    # The activation itself, layer by layer: a Sigmoid between two nn.Linear keeps every input
    # positive (the test above) and the model non-linear.
    for method, V, part_fr, part_en, chain in (
            ("encode", A, "de l'encodeur", "the encoder",
             ("l'encodeur est Linear(d, h), ReLU, Linear(h, k)",
              "the encoder is Linear(d, h), ReLU, Linear(h, k)")),
            ("decode", Za, "du décodeur", "the decoder",
             ("le décodeur est Linear(k, h), ReLU, Linear(h, d), Sigmoid",
              "the decoder is Linear(k, h), ReLU, Linear(h, d), Sigmoid"))):
        _assert_relu_between(submission, model, method, V, "linear", 2,
                             ((f"la seconde couche nn.Linear {part_fr}",
                               f"the second nn.Linear layer of {part_en}"),),
                             what, chain)
    # Every layer learns: one backward of a loss on forward(x), and on decode(encode(x)), gives
    # a gradient to every layer that ran (encode returning self.encodeur(x).detach() keeps the
    # encoder at its initialisation while the decoder still learns: every check above passes).
    assert_every_layer_learns(
        submission, model, A, what,
        (("forward", "forward(x)", "forward(x)"),
         ("decode_encode", "decode(encode(x))", "decode(encode(x))")),
        ("encode(x) renvoie self.encodeur(x) tel quel, sans .detach() : l'encodeur s'entraîne "
         "avec le décodeur", "encode(x) returns self.encodeur(x) as it is, without .detach(): "
         "the encoder trains with the decoder"),
    )


@pytest.mark.item("ae_conv", points=0.5)
def test_ae_conv_architecture(submission, rng, seed):
    what = "AutoEncodeurConv()"
    seed_torch(submission, int(seed % 2**31))
    model = submission.call("AutoEncodeurConv")
    # The statement fixes the layers: 3×3 kernels, channels 1 → 8 → 4, then 4 → 8 → 1, biases.
    _assert_count(submission, model, what, (9 * 1 * 8 + 8) + (9 * 8 * 4 + 4) + (9 * 4 * 8 + 8) + (9 * 8 * 1 + 1), (
        "aux couches de l'énoncé : des noyaux 3×3 partout (Conv2d(1, 8, 3, …), Conv2d(8, 4, 3, …), "
        "puis ConvTranspose2d(4, 8, 3, …), ConvTranspose2d(8, 1, 3, …)), avec biais",
        "the statement's layers: 3×3 kernels everywhere (Conv2d(1, 8, 3, ...), Conv2d(8, 4, 3, ...), "
        "then ConvTranspose2d(4, 8, 3, ...), ConvTranspose2d(8, 1, 3, ...)), with biases",
    ), (4, 4, "encodeur Conv2d(1, 8, 3, …), ReLU, Conv2d(8, 4, 3, …), ReLU ; décodeur "
              "ConvTranspose2d(4, 8, 3, …), ReLU, ConvTranspose2d(8, 1, 3, …), Sigmoid",
        "encoder Conv2d(1, 8, 3, ...), ReLU, Conv2d(8, 4, 3, ...), ReLU; decoder "
        "ConvTranspose2d(4, 8, 3, ...), ReLU, ConvTranspose2d(8, 1, 3, ...), Sigmoid"))

    # The statement's encoder: 8×8 → 4×4 → 2×2 (stride 2, padding 1); the decoder's, below.
    X0 = rng.uniform(0.0, 1.0, size=(2, 1, 8, 8)).astype(np.float32)
    sizes = conv_trace.call(submission, model, Tensor(X0), False)
    try:
        sizes = [(int(h), int(w)) for h, w in sizes]
    except (TypeError, ValueError):
        sizes = []
    if len(sizes) == 4 and sizes[:2] != [(4, 4), (2, 2)]:
        shown = " → ".join(f"{h}×{w}" for h, w in [(8, 8), *sizes[:2]])
        raise CheckFailed(
            f"{what} : dans l'encodeur, les plans passent par {shown} au lieu des tailles de "
            "l'énoncé (8×8 → 4×4 → 2×2) : stride 2 et padding 1 dans chaque convolution",
            f"{what}: in the encoder the maps go through {shown} instead of the statement's "
            "sizes (8×8 → 4×4 → 2×2): stride 2 and padding 1 in every convolution",
        )

    # The decoder's sizes come from its transposed convolutions alone (the statement: the right
    # output_padding "pour revenir exactement à 2×2 → 4×4 → 8×8"). With a wrong output_padding
    # and an output of the wrong size, test_ae_conv_shapes says so; here the output has the right
    # size all the same: forward resized it (F.interpolate, F.pad, a crop...).
    if len(sizes) == 4 and sizes[:2] == [(4, 4), (2, 2)] and sizes[2:] != [(4, 4), (8, 8)]:
        out = as_array(model.call("forward", Tensor(X0)), f"{what}(x)", allow_nan=True)
        shown = " → ".join(f"{h}×{w}" for h, w in [(2, 2), *sizes[2:]])
        if out.shape == X0.shape and sizes[3] == (8, 8):
            # The last transposed convolution reaches 8×8 itself: nothing was resized, the
            # intermediate size is off (another padding / output_padding in each layer).
            raise CheckFailed(
                f"{what} : dans le décodeur, les ConvTranspose2d donnent {shown} au lieu de "
                "2×2 → 4×4 → 8×8 : la sortie revient bien à 8×8, mais le plan intermédiaire n'a "
                "pas la taille de l'énoncé (le padding et l'output_padding des deux couches se "
                "compensent) ; chaque ConvTranspose2d double la taille : stride=2, padding=1, "
                "output_padding=1 dans chacune (W_out = (W_in − 1)·s − 2p + k + output_padding)",
                f"{what}: in the decoder the ConvTranspose2d layers give {shown} instead of "
                "2×2 → 4×4 → 8×8: the output does come back to 8×8, but the intermediate map does "
                "not have the statement's size (the padding and output_padding of the two layers "
                "make up for each other); each ConvTranspose2d doubles the size: stride=2, "
                "padding=1, output_padding=1 in each (W_out = (W_in − 1)·s − 2p + k + output_padding)",
            )
        if out.shape == X0.shape:
            raise CheckFailed(
                f"{what} : dans le décodeur, les ConvTranspose2d donnent {shown} au lieu de "
                "2×2 → 4×4 → 8×8 ; la sortie n'a la taille 8×8 que parce que forward la "
                "redimensionne (F.interpolate, F.pad, découpage…) : les convolutions transposées "
                "doivent revenir exactement à 8×8 d'elles-mêmes, avec output_padding=1 dans "
                "chacune (W_out = (W_in − 1)·s − 2p + k + output_padding), sans redimensionnement",
                f"{what}: in the decoder the ConvTranspose2d layers give {shown} instead of "
                "2×2 → 4×4 → 8×8; the output is 8×8 only because forward resizes it "
                "(F.interpolate, F.pad, a crop...): the transposed convolutions must come back to "
                "exactly 8×8 themselves, with output_padding=1 in each "
                "(W_out = (W_in − 1)·s − 2p + k + output_padding), without resizing",
            )

    encode = _outputs(model, "encode", f"{what}.encode(x)")
    forward_logit = _outputs(model, "forward", f"{what}(x)", logit=True)

    A, B = (rng.normal(0.5, 1.0, size=(8, 1, 8, 8)).astype(np.float32) for _ in range(2))
    t = rng.uniform(0.2, 0.8, size=8).astype(np.float32)
    hint_fr = "une ReLU après chaque convolution (sauf la dernière, suivie de la Sigmoid)"
    hint_en = "a ReLU after every convolution (except the last one, followed by the Sigmoid)"
    # The output is the Sigmoid of the last ConvTranspose2d (8 → 1 canal, Sigmoid): a ReLU
    # between them clips every pixel to ≥ 0.5 (and makes the logit look affine below).
    _assert_sigmoid_of_last(
        submission, model, "forward", np.concatenate([A, B]), "convT", f"{what}(x)",
        "la dernière ConvTranspose2d", (
            "le décodeur finit par ConvTranspose2d(8, 1, 3, …) puis Sigmoid",
            "the decoder ends with ConvTranspose2d(8, 1, 3, ...) then Sigmoid",
        ),
    )
    _assert_nonlinear(forward_logit, A, B, t, f"le logit de {what}(x)", f"the logit of {what}(x)",
                      hint_fr, hint_en)
    _assert_nonlinear(encode, A, B, t, f"{what}.encode", f"{what}.encode", hint_fr, hint_en)

    # Every layer learns (encode returning self.encodeur(x).detach() freezes the encoder).
    assert_every_layer_learns(
        submission, model, A, what, (("forward", "forward(x)", "forward(x)"),),
        ("encode(x) renvoie self.encodeur(x) tel quel, sans .detach() : l'encodeur s'entraîne "
         "avec le décodeur", "encode(x) returns self.encodeur(x) as it is, without .detach(): "
         "the encoder trains with the decoder"),
    )

    # The activations themselves (the map stays non-linear with one ReLU missing): every
    # convolution after the first receives the output of a ReLU, and so does the code.
    inputs = conv_trace.call(submission, model, Tensor(A), True)
    try:
        mins = [float(v) for v in inputs["mins"]]
        code = float(inputs["code"])
    except (TypeError, ValueError, KeyError):
        return
    layers_fr = ("la seconde Conv2d", "la première ConvTranspose2d", "la seconde ConvTranspose2d")
    layers_en = ("the second Conv2d", "the first ConvTranspose2d", "the second ConvTranspose2d")
    if len(mins) == 4:
        for m, lfr, len_ in zip(mins[1:], layers_fr, layers_en, strict=True):
            if m < 0.0:
                raise CheckFailed(
                    f"{what} : {lfr} reçoit des valeurs négatives : il manque la ReLU juste avant "
                    f"elle ; {hint_fr}",
                    f"{what}: {len_} receives negative values: the ReLU just before it is "
                    f"missing; {hint_en}",
                )
    if code < 0.0:
        raise CheckFailed(
            f"{what}.encode(x) renvoie des valeurs négatives : l'encodeur se termine par une ReLU "
            "après la seconde Conv2d (Conv2d(8, 4, 3, stride=2, padding=1), ReLU)",
            f"{what}.encode(x) returns negative values: the encoder ends with a ReLU after the "
            "second Conv2d (Conv2d(8, 4, 3, stride=2, padding=1), ReLU)",
        )
    # The code is ReLU(second Conv2d) itself (encodeur: …, Conv2d(8, 4, 3, …), ReLU): another
    # activation after the ReLU (a Sigmoid) keeps it ≥ 0 and non-linear, so only this sees it.
    pair = _after_last_layer(submission, model, "encode", A, "conv", f"{what}.encode(x)")
    if pair is not None:
        got, last = pair
        gap = float(np.max(np.abs(got - np.maximum(last, 0.0))))
        record_margin("conv code vs ReLU(last Conv2d)", gap, 1e-5 * max(1.0, float(np.max(np.abs(last)))),
                      higher_is_better=False, kind="tolerance")
        if gap > 1e-5 * max(1.0, float(np.max(np.abs(last)))):
            raise CheckFailed(
                f"{what}.encode(x) n'est pas la ReLU de la sortie de la seconde Conv2d : une "
                "opération s'ajoute après (une autre activation, une Sigmoid…) ; l'encodeur se "
                "termine par Conv2d(8, 4, 3, stride=2, padding=1), ReLU, rien après",
                f"{what}.encode(x) is not the ReLU of the output of the second Conv2d: an "
                "operation comes after it (another activation, a Sigmoid...); the encoder ends "
                "with Conv2d(8, 4, 3, stride=2, padding=1), ReLU, nothing after",
            )
    _assert_relu_between(
        submission, model, "forward", A, "conv", 4,
        tuple(zip(layers_fr, layers_en, strict=True)), what,
        ("encodeur Conv2d(1, 8, …), ReLU, Conv2d(8, 4, …), ReLU ; décodeur "
         "ConvTranspose2d(4, 8, …), ReLU, ConvTranspose2d(8, 1, …), Sigmoid",
         "encoder Conv2d(1, 8, ...), ReLU, Conv2d(8, 4, ...), ReLU; decoder "
         "ConvTranspose2d(4, 8, ...), ReLU, ConvTranspose2d(8, 1, ...), Sigmoid"),
    )


# ---------------------------------------------------------------- training loops


@kernel_side
def record_image_shapes(fn, X, kwargs, seed):
    """The student's training loop `fn` on image-shaped X (N, 1, 8, 8), as the notebook calls
    it for AutoEncodeurConv, with a small model that takes any shape of 64 values per example
    and answers in its input's shape: the shapes of the batches it received with gradients on."""
    import numpy as np
    import torch
    from torch import nn

    class _TP04Images(nn.Module):
        def __init__(self):
            super().__init__()
            self.couche = nn.Linear(64, 64)
            self.formes = []

        def forward(self, x):
            if torch.is_grad_enabled():
                self.formes.append([int(v) for v in x.shape])
            out = torch.sigmoid(self.couche(x.float().reshape(len(x), -1)))
            return out.reshape(x.shape).to(x.dtype)

    torch.manual_seed(int(seed))
    model = _TP04Images()
    fn(model, np.array(X, dtype=np.float32), seed=int(seed), **kwargs)
    return model.formes


def _check_image_input(submission, fn: str, X: np.ndarray, kwargs: dict, s: int) -> None:
    """The statement: X has shape (N, ...), and the notebook trains AutoEncodeurConv with
    entrainer_ae(AutoEncodeurConv(), X_train.reshape(-1, 1, 8, 8)): the batches keep the
    examples' shape (a loop that flattens X, or views each batch as (-1, 64), breaks that call)."""
    images = X.reshape(len(X), 1, 8, 8)
    try:
        shapes = record_image_shapes.call(submission, Ref(fn), images, kwargs, s, timeout=60)
    except SubmissionError as exc:
        raise relabel(exc, record_image_shapes.ref_name, fn) from None
    try:
        shapes = [tuple(int(v) for v in sh) for sh in shapes]
    except (TypeError, ValueError):
        return
    flat = [sh for sh in shapes if sh[1:] != (1, 8, 8)]
    if flat:
        shown = "(" + ", ".join(str(v) for v in flat[0]) + ")"
        raise CheckFailed(
            f"{fn}(modele, X) avec X d'images de forme (N, 1, 8, 8), comme le notebook l'appelle "
            f"pour AutoEncodeurConv : le modèle a reçu des lots de forme {shown} au lieu de "
            "(taille du lot, 1, 8, 8) ; X est de forme (N, ...) : ne l'aplatissez pas, les lots "
            "gardent la forme des exemples (lot = X[ordre[debut : debut + batch_size]])",
            f"{fn}(modele, X) with X of images of shape (N, 1, 8, 8), as the notebook calls it for "
            f"AutoEncodeurConv: the model received batches of shape {shown} instead of "
            "(batch size, 1, 8, 8); X has shape (N, ...): do not flatten it, the batches keep the "
            "examples' shape (batch = X[order[start : start + batch_size]])",
        )


def _record(submission, fn: str, X: np.ndarray, kwargs: dict, seeds: list[int], init_seed: int,
            wide: bool = False):
    try:
        runs = record_training.call(submission, Ref(fn), X, kwargs, seeds, 64, 8, 32, init_seed, wide,
                                    timeout=60)
    except SubmissionError as exc:
        raise relabel(exc, record_training.ref_name, fn) from None
    out = []
    for r in runs:
        out.append({
            "seen": as_array(r["seen"], f"entrées vues par le modèle dans {fn}", allow_nan=True),
            "params": as_array(r["params"], f"paramètres du modèle entraîné par {fn}", allow_nan=True),
            "modified": r["modified"] is True,
            "untrained": np.array_equal(as_array(r["init"], "paramètres initiaux", allow_nan=True),
                                        as_array(r["params"], "paramètres", allow_nan=True)),
            "init": as_array(r["init"], "paramètres initiaux", allow_nan=True),
            "batches": _sizes(r.get("batches") if isinstance(r, dict) else None),
            "dtypes": [str(v) for v in r.get("dtypes", [])] if isinstance(r, dict) else [],
            "probe": _probe(r.get("probe") if isinstance(r, dict) else None, fn),
            "optimisers": r.get("optimisers") if isinstance(r, dict) else None,
            "fresh": r.get("fresh") if isinstance(r, dict) and isinstance(r.get("fresh"), list) else [],
        })
    return out


def _probe(value, fn: str) -> dict | None:
    """The first training batch's input, output and the gradient the loss sent back to that
    output, as float64 arrays of one shape (None when the loop sent none back)."""
    if not isinstance(value, dict):
        return None
    try:
        arrays = {key: as_array(value[key], f"lot vu par le modèle dans {fn}", allow_nan=True)
                  .astype(np.float64) for key in ("x", "out", "grad")}
    except (KeyError, TypeError, ValueError, CheckFailed):
        return None
    if len({a.shape for a in arrays.values()}) != 1 or arrays["x"].ndim != 2 \
            or not all(np.all(np.isfinite(a)) for a in arrays.values()):
        return None
    return arrays


def _check_mse_loss(fn: str, probe: dict | None, target: np.ndarray | None, noisy_target: bool) -> None:
    """The statement's loss, F.mse_loss(x̂, x), the mean over the N·d values of the batch, read
    from the gradient the loop sent back to the output x̂ of the recording model on its first
    batch (`read_regression_loss`). `target` is the clean batch the loss must compare x̂ with
    (None: the input itself); with `noisy_target`, a gradient that follows the noisy input
    instead is named so."""
    if probe is None:
        return  # no gradient came back to forward's output: the other checks judge the loop
    x, out, grad = probe["x"], probe["out"], probe["grad"]
    n, d = x.shape
    tgt = x if target is None else target
    reading = read_regression_loss(out, tgt, grad, bounded=True)
    if reading is None:
        return
    # Float32 rounding leaves off at about 1e-6 for the MSE; the BCE's gradient, r / (x̂ (1 − x̂)),
    # differs from proportional by the spread of 1 / (x̂ (1 − x̂)) around x̂ ≈ 0.5 (about 1e-2).
    record_margin(f"{fn}: gradient of the loss vs the MSE's (off the residual)", reading.off, 1e-3,
                  higher_is_better=False, kind="tolerance")
    record_margin(f"{fn}: gradient of the loss / the MSE's, minus 1", abs(reading.scale - 1.0), 0.05,
                  higher_is_better=False, kind="tolerance")
    if reading.is_mean_squared():
        return
    cible_fr = ("l'image propre x (F.mse_loss(modele(x̃), x))" if target is not None
                else "le lot x (F.mse_loss(modele(lot), lot))")
    cible_en = ("the clean image x (F.mse_loss(model(x̃), x))" if target is not None
                else "the batch x (F.mse_loss(model(batch), batch))")
    intro_fr = (f"sur le premier lot de {fn}, le gradient que la perte renvoie à la sortie x̂ du "
                "modèle du correcteur n'est pas celui de la MSE de l'énoncé, 2 (x̂ − x) / (N·d)")
    intro_en = (f"on the first batch of {fn}, the gradient the loss sends back to the output x̂ "
                "of the grader's model is not that of the statement's MSE, 2 (x̂ − x) / (N·d)")
    if noisy_target and target is not None:
        noisy = read_regression_loss(out, x, grad)
        if noisy is not None and noisy.form == "squared" and reading.form != "squared":
            raise CheckFailed(
                f"{intro_fr} : la perte compare x̂ à l'entrée BRUITÉE x̃ au lieu de l'image propre ; "
                f"la cible est {cible_fr}",
                f"{intro_en}: the loss compares x̂ with the NOISY input x̃ instead of the clean "
                f"image; the target is {cible_en}",
            )
    if reading.form == "sign":
        what_fr, what_en = ("il vaut ± la même valeur partout, le signe du résidu : c'est la "
                            "perte L1 (F.l1_loss, |x̂ − x|)",
                            "it is ± the same value everywhere, the sign of the residual: this "
                            "is the L1 loss (F.l1_loss, |x̂ − x|)")
    elif reading.form == "bce":
        what_fr, what_en = ("il vaut (x̂ − x) / (x̂ (1 − x̂)) : c'est l'entropie croisée binaire "
                            "(F.binary_cross_entropy), pas l'erreur quadratique",
                            "it is (x̂ − x) / (x̂ (1 − x̂)): this is the binary cross-entropy "
                            "(F.binary_cross_entropy), not the squared error")
    elif reading.form == "other":
        what_fr, what_en = ("il n'est pas proportionnel au résidu x̂ − x : la perte n'est pas "
                            "une erreur quadratique (L1, BCE, Huber… ?)",
                            "it is not proportional to the residual x̂ − x: the loss is not a "
                            "squared error (L1, BCE, Huber...?)")
    elif reading.form == "huber" or reading.scaled_by(0.5):
        what_fr, what_en = ("il vaut la moitié de celui de la MSE : c'est la perte de Huber / "
                            "smooth L1 (F.smooth_l1_loss, F.huber_loss, quadratique avec un "
                            "facteur 1/2 près de 0), ou (x̂ − x)²/2",
                            "it is half the MSE's: this is the Huber / smooth L1 loss "
                            "(F.smooth_l1_loss, F.huber_loss, quadratic with a factor 1/2 near "
                            "0), or (x̂ − x)²/2")
    elif reading.scaled_by(d):
        what_fr, what_en = (f"il est d = {d} fois trop grand : l'erreur est sommée sur les pixels "
                            "de chaque image (.sum(dim=1).mean()) au lieu d'être moyennée sur "
                            "les N·d valeurs",
                            f"it is d = {d} times too large: the error is summed over the pixels "
                            "of each image (.sum(dim=1).mean()) instead of averaged over the N·d "
                            "values")
    elif reading.scaled_by(n * d):
        what_fr, what_en = ("il est N·d fois trop grand : l'erreur est sommée sur tout le lot "
                            "(reduction='sum') au lieu d'être moyennée",
                            "it is N·d times too large: the error is summed over the whole batch "
                            "(reduction='sum') instead of averaged")
    elif reading.scaled_by(n):
        what_fr, what_en = ("il est N fois trop grand : l'erreur est sommée sur les exemples du "
                            "lot au lieu d'être moyennée",
                            "it is N times too large: the error is summed over the batch's "
                            "examples instead of averaged")
    else:
        what_fr, what_en = ("il est proportionnel au résidu, mais avec un autre facteur : la perte "
                            "est multipliée ou divisée par une constante",
                            "it is proportional to the residual, but with another factor: the "
                            "loss is multiplied or divided by a constant")
    raise CheckFailed(
        f"{intro_fr} : {what_fr} ; la perte de l'énoncé est la moyenne des carrés sur les N·d "
        f"valeurs, F.mse_loss(x̂, x), avec pour cible {cible_fr}",
        f"{intro_en}: {what_en}; the statement's loss is the mean of the squares over the N·d "
        f"values, F.mse_loss(x̂, x), with the target {cible_en}",
    )


def _check_float32(submission, fn: str, X: np.ndarray, kwargs: dict, s: int) -> None:
    """The statement: "X est un tableau NumPy (ou un tenseur) … convertissez-le en tenseur
    float32". One epoch on X handed over as a float64 array: the model must receive float32
    batches (torch.as_tensor(X) alone keeps float64, and nn.Linear then refuses them)."""
    run = _record(submission, fn, X, {**kwargs, "epochs": 1, "batch_size": 32}, [s], s, wide=True)[0]
    wide = [t for t in run["dtypes"] if t != "torch.float32"]
    if wide:
        raise CheckFailed(
            f"{fn}(modele, X) avec un tableau X de float64 : le modèle a reçu des lots de type "
            f"{', '.join(wide)} au lieu de float32 ; l'énoncé demande de convertir X en tenseur "
            "float32, torch.as_tensor(X, dtype=torch.float32) (torch.as_tensor(X) seul garde "
            "le float64, que les couches nn.Linear refusent)",
            f"{fn}(modele, X) with a float64 array X: the model received batches of type "
            f"{', '.join(wide)} instead of float32; the statement asks to convert X to a "
            "float32 tensor, torch.as_tensor(X, dtype=torch.float32) (torch.as_tensor(X) alone "
            "keeps float64, which nn.Linear layers refuse)",
        )


def _sizes(value) -> list[int]:
    """The sizes of the batches the recording model was trained on (a list of ints)."""
    try:
        return [int(v) for v in value]
    except (TypeError, ValueError):
        return []


def _training_batches(sizes: list[int], n: int, batch_size: int) -> list[int]:
    """The training batches among the calls made with gradients on: a call on all n examples
    while batch_size < n is a pass over the whole set (a loss printed each epoch), unless every
    call is one (then they are the batches)."""
    if batch_size < n:
        return [v for v in sizes if v != n] or sizes
    return sizes


def _check_batch_structure(fn: str, sizes: list[int], n: int, epochs: int, batch_size: int) -> None:
    """Steps of batch_size examples, epochs passes over X: the number of steps follows the
    epochs and batch_size arguments (a loop that ignores either still trains, and its first
    move is then several Adam steps: not an lr fault)."""
    batches = _training_batches(sizes, n, batch_size)
    if not batches:
        return  # never called with gradients: the other checks say so
    call = f"{fn}(…, epochs={epochs}, batch_size={batch_size}) sur {n} exemples"
    call_en = f"{fn}(..., epochs={epochs}, batch_size={batch_size}) on {n} examples"
    if max(batches) > batch_size:
        raise CheckFailed(
            f"{call} : le modèle est entraîné sur des lots de {max(batches)} exemples ; un pas "
            "d'optimisation par lot de batch_size exemples (lot = ordre[debut : debut + "
            "batch_size]), soit ⌈N / batch_size⌉ pas par époque : utilisez l'argument batch_size",
            f"{call_en}: the model is trained on batches of {max(batches)} examples; one "
            "optimisation step per batch of batch_size examples (batch = order[start : start + "
            "batch_size]), that is ⌈N / batch_size⌉ steps per epoch: use the batch_size argument",
        )
    total = sum(batches)
    if total > epochs * n:
        raise CheckFailed(
            f"{call} : le modèle a reçu {total} exemples en entraînement, {total / n:.3g} fois X, "
            f"au lieu de {epochs} passages (un par époque) : utilisez l'argument epochs "
            "(for _ in range(epochs)) et appelez le modèle une fois par lot",
            f"{call_en}: the model received {total} training examples, {total / n:.3g} times X, "
            f"instead of {epochs} passes (one per epoch): use the epochs argument "
            "(for _ in range(epochs)) and call the model once per batch",
        )


def _one_epoch_fewer(submission, fn: str, X: np.ndarray, kwargs: dict, s: int, epochs: int) -> bool:
    """The premise of "one epoch fewer" (range(1, epochs)): a run with another `epochs` trains
    on X `epochs` − 1 times too, counted over the training batches (gradients on), where a
    fixed number of epochs (range(1), range(15)) gives the same count for both."""
    run = _record(submission, fn, X, {**kwargs, "epochs": epochs}, [s], s)[0]
    return sum(_training_batches(run["batches"], len(X), kwargs.get("batch_size", 32))) \
        == (epochs - 1) * len(X)


def _check_lr(submission, fn: str, X: np.ndarray, kwargs: dict, s: int, lr: float) -> None:
    """One Adam step (one epoch, one batch of all of X) from the same model, with lr and
    LR_FACTOR · lr: the largest move tells the learning rate and the optimiser actually used
    (assert_first_adam_steps)."""
    runs = []
    one_step = True
    for call_lr in (lr, LR_FACTOR * lr):
        run = _record(submission, fn, X, {**kwargs, "epochs": 1, "lr": call_lr, "batch_size": len(X)},
                      [s], s)[0]
        if run["untrained"] or run["params"].shape != run["init"].shape:
            return  # no step at all: the training checks say so
        # The premise of the lr diagnosis: ONE step (one epoch, one batch). Several steps move
        # the parameters by several × lr with the right lr and the right optimiser (the batch
        # structure check of the main run names epochs / batch_size ignored; a pass over X
        # with gradients on, for a printed loss, looks like a second batch here).
        one_step = one_step and len(_training_batches(run["batches"], len(X), len(X))) <= 1
        runs.append((call_lr, float(np.max(np.abs(run["params"].astype(np.float64) - run["init"])))))
    assert_first_adam_steps(fn, runs, "torch.optim.Adam(modele.parameters(), lr=lr)", one_step=one_step)


def _check_untouched(fn: str, runs: list[dict]) -> None:
    """The statement's rule: the X handed over is left as it is (a float32 array shares its
    memory with torch.as_tensor(X, dtype=torch.float32): X += … or X.add_(…) on that tensor
    changes the caller's data). Judged first: what the model saw follows from it."""
    if runs and runs[0]["modified"]:
        raise CheckFailed(
            f"{fn} modifie sur place le tableau X reçu (torch.as_tensor(X, dtype=torch.float32) "
            "partage la mémoire d'un tableau float32 : X += …, X.add_(…) ou X[...] = … changent "
            "les données de l'appelant) : travaillez sur une copie, ou sans opération en place "
            "(bruite = lot + sigma * bruit crée un nouveau tenseur)",
            f"{fn} modifies the X it is given in place (torch.as_tensor(X, dtype=torch.float32) "
            "shares the memory of a float32 array: X += ..., X.add_(...) or X[...] = ... change "
            "the caller's data): work on a copy, or without in-place operations (noisy = batch + "
            "sigma * noise makes a new tensor)",
        )


def _check_rows_and_seed(fn: str, runs: list[dict], X: np.ndarray, epochs: int) -> None:
    first = runs[0]
    _check_untouched(fn, runs)
    if first["untrained"]:
        return  # parameters never updated: the training checks say so, not this one
    assert_seed_used(*(r["params"] for r in runs[:3]), same=(
        f"deux appels de {fn} avec le même seed et le même modèle de départ donnent des "
        "modèles différents : tirez l'ordre des lots (et le bruit) avec "
        "torch.Generator().manual_seed(seed), ou appelez torch.manual_seed(seed) au début",
        f"two calls of {fn} with the same seed and the same initial model give different "
        "models: draw the batch order (and the noise) with torch.Generator().manual_seed(seed), "
        "or call torch.manual_seed(seed) first",
    ), ignored=(
        f"{fn} donne exactement le même modèle pour deux seeds différents : utilisez l'argument seed",
        f"{fn} gives exactly the same model for two different seeds: use the seed argument",
    ))


@pytest.mark.item("ae_entrainement", points=0.5)
def test_entrainer_ae_uses_its_arguments(submission, rng, seed):
    n, epochs = 100, 3  # not a multiple of batch_size: the incomplete last batch counts
    X = rng.uniform(0.0, 1.0, size=(n, 64)).astype(np.float32)
    s = int(seed % 2**31)
    runs = _record(
        submission, "entrainer_ae", X, {"epochs": epochs, "lr": 1e-2, "batch_size": 32},
        [s, s, s + 1], s,
    )
    _check_untouched("entrainer_ae", runs)
    seen = runs[0]["seen"]
    rows = {row.tobytes(): i for i, row in enumerate(X)}
    if seen.shape[1:] != (64,) or len(seen) == 0:
        raise CheckFailed(
            "entrainer_ae n'a jamais appelé le modèle reçu sur des lots de X",
            "entrainer_ae never called the given model on batches of X",
        )
    counts = np.zeros(n, dtype=int)
    foreign = 0
    for row in seen.astype(np.float32):
        i = rows.get(row.tobytes())
        if i is None:
            foreign += 1
        else:
            counts[i] += 1
    if foreign:
        # The premise of "a notebook variable": the function reads one by global name;
        # otherwise X itself was transformed on its way to the model (rescaled, normalised).
        reads = notebook_data_reads(submission, "entrainer_ae")
        if reads:
            listed = ", ".join(reads.variables[:4])
            raise CheckFailed(
                f"le modèle a reçu {foreign} lignes qui ne viennent pas du X reçu en argument : "
                f"entrainer_ae lit la ou les variables du notebook {listed} ; entraînez sur X",
                f"the model received {foreign} rows that do not come from the X given as "
                f"argument: entrainer_ae reads the notebook variable(s) {listed}; train on X",
            )
        raise CheckFailed(
            f"le modèle a reçu {foreign} lignes qui ne sont pas des lignes du X reçu en argument : "
            "X est transformé avant d'entrer dans le modèle (divisé, normalisé, bruité… ?) ; "
            "les lots sont des lignes de X telles quelles (X est déjà dans [0, 1]), seulement "
            "converties en float32",
            f"the model received {foreign} rows that are not rows of the X given as argument: X is "
            "transformed before it enters the model (divided, normalised, noised...?); the "
            "batches are rows of X as they are (X is already in [0, 1]), only converted to float32",
        )
    _check_batch_structure("entrainer_ae", runs[0]["batches"], n, epochs, 32)
    check_fresh_gradients(runs[0]["fresh"], "entrainer_ae", unit="lot")
    assert_one_optimiser(runs[0]["optimisers"],
                         f"entrainer_ae(…, epochs={epochs}, batch_size=32) sur {n} exemples",
                         f"entrainer_ae(..., epochs={epochs}, batch_size=32) on {n} examples")
    if counts.min() < epochs and counts.min() == counts.max():
        # Every example seen the same number of times, fewer than epochs: whole epochs missing.
        # One fewer, and one fewer again for epochs − 1: range(1, epochs) (blind round 19: it
        # was told "the epochs argument is ignored"); the same count for both is a fixed number.
        if counts.min() == epochs - 1 and _one_epoch_fewer(
                submission, "entrainer_ae", X, {"lr": 1e-2, "batch_size": 32}, s, epochs - 1):
            raise CheckFailed(
                f"en {epochs} époques, chaque exemple de X n'a été vu que {counts.min()} fois, et "
                f"{epochs - 2} fois en {epochs - 1} époques : la boucle fait une époque de moins "
                "que demandé (range(1, epochs) ou range(epochs - 1) fait epochs − 1 tours) ; "
                "bouclez sur range(epochs)",
                f"in {epochs} epochs every example of X was seen only {counts.min()} times, and "
                f"{epochs - 2} times in {epochs - 1} epochs: the loop runs one epoch fewer than "
                "asked (range(1, epochs) or range(epochs - 1) runs epochs − 1 times); loop over "
                "range(epochs)",
            )
        raise CheckFailed(
            f"en {epochs} époques, chaque exemple de X n'a été vu que {counts.min()} fois : "
            "l'argument epochs est ignoré ; la boucle des époques tourne epochs fois, avec "
            "l'argument reçu (for _ in range(epochs))",
            f"in {epochs} epochs every example of X was seen only {counts.min()} times: the "
            "epochs argument is ignored; the epoch loop runs epochs times, with the argument "
            "received (for _ in range(epochs))",
        )
    if counts.min() < epochs:
        raise CheckFailed(
            f"en {epochs} époques, certains exemples de X n'ont été vus que {counts.min()} fois : "
            "chaque époque parcourt TOUS les exemples (le dernier lot peut être incomplet)",
            f"in {epochs} epochs some examples of X were seen only {counts.min()} times: "
            "every epoch goes through ALL the examples (the last batch may be smaller)",
        )
    # Reshuffled at every epoch (the statement: "mélangés à chaque époque"): a permutation
    # drawn once before the epoch loop, or none, still trains as well.
    order = [rows[r.tobytes()] for r in seen.astype(np.float32) if r.tobytes() in rows]
    epochs_seen = [order[e * n:(e + 1) * n] for e in range(epochs)]
    if len(order) == epochs * n and epochs_seen[0] == sorted(epochs_seen[0]):
        raise CheckFailed(
            "entrainer_ae parcourt les exemples dans leur ordre, sans mélange : mélangez à chaque "
            "époque, ordre = torch.randperm(N, generator=g)",
            "entrainer_ae goes through the examples in their order, unshuffled: shuffle at every "
            "epoch, ordre = torch.randperm(N, generator=g)",
        )
    if len(order) == epochs * n and epochs_seen[0] == epochs_seen[1]:
        raise CheckFailed(
            "entrainer_ae voit les exemples dans le même ordre à chaque époque : tirez une "
            "nouvelle permutation à CHAQUE époque (torch.randperm(N, generator=g) dans la boucle "
            "des époques, g créé une fois avant)",
            "entrainer_ae sees the examples in the same order at every epoch: draw a new "
            "permutation at EVERY epoch (torch.randperm(N, generator=g) inside the epoch loop, "
            "g made once before it)",
        )
    _check_rows_and_seed("entrainer_ae", runs, X, epochs)
    _check_mse_loss("entrainer_ae", runs[0]["probe"], None, False)
    _check_lr(submission, "entrainer_ae", X, {}, s, float(rng.uniform(3e-3, 3e-2)))
    _check_float32(submission, "entrainer_ae", X, {"lr": 1e-2}, s)
    _check_image_input(submission, "entrainer_ae", X, {"epochs": 1, "lr": 1e-2, "batch_size": 32}, s)


def _noisy_rows(seen: np.ndarray) -> tuple[np.ndarray, np.ndarray | float]:
    """The noisy rows the recording model received (its inputs on the constant rows 0.1 and 0.9,
    less the clean ones) and each one's clean value: a noisy row's mean is c + σ·N(0, 1/64),
    far from 0.5 either way."""
    seen = seen.astype(np.float64)
    if seen.ndim != 2:
        return seen[:0], 0.5
    clean_row = (np.all(seen == np.float64(np.float32(0.1)), axis=1)
                 | np.all(seen == np.float64(np.float32(0.9)), axis=1))
    noisy = seen[~clean_row]
    c = np.where(noisy.mean(axis=1, keepdims=True) < 0.5, np.float64(np.float32(0.1)),
                 np.float64(np.float32(0.9))) if len(noisy) else 0.5
    return noisy, c


def _noise_law(r: np.ndarray) -> dict:
    """The moments of the noise r = (x̃ − x)/σ that test_entrainer_debruiteur_noise bounds, and
    whether one is out of its band."""
    mean, std = float(r.mean()), float(r.std())
    kurt = float(np.mean((r - mean) ** 4) / max(std**4, 1e-12))
    tails = float(np.mean(np.abs(r) > 2.0))
    off = abs(mean) > 0.05 or abs(std - 1) > 0.05 or abs(kurt - 3) > 0.4 or not 0.03 < tails < 0.065
    return {"mean": mean, "std": std, "kurt": kurt, "tails": tails, "off": off}


def _noise_law_confirmed(submission, X: np.ndarray, kwargs: dict, s: int, sigma: float) -> bool:
    """Whether a law found out of its band is the loop's and not the luck of one seed: the same
    call with a fresh seed must be out of band too. A correct noise is out of band with
    probability about 2 × 10⁻¹⁰ per seed, so both: about 4 × 10⁻²⁰; a wrong law (σ², uniform,
    clamped) is off at every seed, and one that ignores the seed gives the same noise again."""
    run = _record(submission, "entrainer_debruiteur", X, kwargs, [(s + 7919) % 2**31], s)[0]
    noisy, c = _noisy_rows(run["seen"])
    if not len(noisy):
        return True
    return _noise_law((noisy - c) / sigma)["off"]


def _check_noise_layout(r: np.ndarray, batch_size: int) -> None:
    """ε ~ N(0, I) has one independent value per pixel of each image (torch.randn(lot.shape)),
    judged on the noise r = (x̃ − x)/σ of the noisy rows, in the order the model received them,
    before its law (blind round 19: one value per image was told "not centred, not of standard
    deviation sigma"):
    - shared along the pixels (torch.randn(len(lot), 1), broadcast): each row of r is
      constant, the spread within the rows about 0 against the spread of all r; independent
      pixels give a ratio of 63/64 (±0.01 over 256 rows): below 0.5 it is never;
    - shared along the images of a batch (torch.randn(1, 64), torch.randn(lot.shape[1:])): the
      rows of one batch of `batch_size` are all alike; independent draws give as many distinct
      rows as images (two 64-value Gaussian rows never agree to 1e-4)."""
    if r.ndim != 2 or len(r) < 2 or not np.all(np.isfinite(r)):
        return
    total = float(r.var())
    within = float(r.var(axis=1).mean())
    record_margin("denoiser noise: spread within an image / spread of all values", within,
                  0.5 * total, higher_is_better=True)
    if total > 0 and within < 0.5 * total:
        raise CheckFailed(
            "le bruit ajouté par entrainer_debruiteur est le même pour tous les pixels d'une "
            "image (une seule valeur par image, répétée sur ses 64 pixels : un bruit de forme "
            "(taille du lot, 1) diffusé) ; ε ~ N(0, I) a une valeur indépendante pour CHAQUE "
            "pixel : torch.randn(lot.shape, generator=g), de la forme du lot",
            "the noise added by entrainer_debruiteur is the same for every pixel of an image "
            "(one value per image, repeated over its 64 pixels: noise of shape (batch size, 1) "
            "broadcast); ε ~ N(0, I) has an independent value for EVERY pixel: "
            "torch.randn(batch.shape, generator=g), of the batch's shape",
        )
    rounded = np.round(r, 4)
    batches = [rounded[i:i + batch_size] for i in range(0, len(rounded), batch_size)]
    alike = [len(b) > 1 and len({row.tobytes() for row in b}) <= len(b) // 2 for b in batches]
    if sum(alike) > len(batches) // 2:
        raise CheckFailed(
            "les images d'un même lot reçoivent le même bruit (un vecteur de 64 valeurs tiré "
            "par lot, de forme (1, 64), diffusé sur les images) ; ε ~ N(0, I) a une valeur "
            "indépendante pour chaque pixel de CHAQUE image : torch.randn(lot.shape, "
            "generator=g), de la forme du lot",
            "the images of one batch receive the same noise (a vector of 64 values drawn per "
            "batch, of shape (1, 64), broadcast over the images); ε ~ N(0, I) has an "
            "independent value for every pixel of EVERY image: torch.randn(batch.shape, "
            "generator=g), of the batch's shape",
        )


@pytest.mark.item("debruiteur", points=0.5)
def test_entrainer_debruiteur_noise(submission, rng, seed):
    """The noise of the denoiser, seen by a recording model on constant rows (0.1 and 0.9):
    its layout (one value per pixel and per image, _check_noise_layout), then its law over the
    16,384 values of two epochs of 128 images: |mean| ≤ 0.05, |std − 1| ≤ 0.05, |kurtosis − 3|
    ≤ 0.4, 3 % to 6.5 % beyond 2 (a Gaussian gives 4.55 %). The noise is the student's draw,
    from the grader's seed, which changes at every edit of the notebook: each bound is 6.4 to
    12 standard errors of a correct draw away (mean: 1/128 = 0.0078; std: 0.0055; kurtosis:
    √(24/16384) = 0.038; tails: 0.0016), so a correct noise is out of band with probability about
    2 × 10⁻¹⁰ (the mean's 6.4 standard errors; the others are below 10⁻¹⁸), and an out-of-band
    law costs the point only when a fresh seed confirms it (_noise_law_confirmed): about
    4 × 10⁻²⁰ for a correct noise. A wrong law (uniform, σ², clamped) is off by far more at every
    seed; a shared noise is told by its layout first. The clamp hint needs 5 % of the values at
    exactly 0 or 1, which a Gaussian noise never gives."""
    # Constant rows, at 0.1 and at 0.9: near the edges of [0, 1], so that a noisy input clamped
    # to [0, 1] (not the statement's x̃ = x + σ·ε) shows in the noise's law.
    n, epochs, sigma = 128, 2, float(rng.uniform(0.15, 0.25))
    X = np.repeat(np.where(np.arange(n) % 2 == 0, 0.1, 0.9)[:, None], 64, axis=1).astype(np.float32)
    s = int(seed % 2**31)
    runs = _record(
        submission, "entrainer_debruiteur", X,
        {"sigma": sigma, "epochs": epochs, "lr": 1e-2, "batch_size": 32}, [s, s, s + 1], s,
    )
    _check_untouched("entrainer_debruiteur", runs)
    noisy, c = _noisy_rows(runs[0]["seen"])
    # The epochs argument first (range(1), a fixed number of epochs): fewer training batches
    # than epochs passes over X is not a noise fault.
    trained_on = sum(_training_batches(runs[0]["batches"], n, 32))
    if trained_on == 0:
        raise CheckFailed(
            "entrainer_debruiteur n'a jamais appelé le modèle reçu sur des lots (avec les "
            "gradients activés) : entraînez le modèle reçu lui-même, pas une copie ni un autre "
            "modèle, et renvoyez-le",
            "entrainer_debruiteur never called the given model on batches (with gradients on): "
            "train the model you are given itself, not a copy or another model, and return it",
        )
    if trained_on < epochs * n:
        if trained_on == (epochs - 1) * n and _one_epoch_fewer(
                submission, "entrainer_debruiteur", X, {"sigma": sigma, "lr": 1e-2, "batch_size": 32},
                s, epochs + 1):
            raise CheckFailed(
                f"entrainer_debruiteur(…, epochs={epochs}, batch_size=32) sur {n} images : le "
                f"modèle n'a reçu que {trained_on // n} fois X en entraînement au lieu de {epochs}, "
                f"et {epochs} fois avec epochs={epochs + 1} : la boucle fait une époque de moins "
                "que demandé (range(1, epochs) ou range(epochs - 1) fait epochs − 1 tours) ; "
                "bouclez sur range(epochs)",
                f"entrainer_debruiteur(..., epochs={epochs}, batch_size=32) on {n} images: the "
                f"model received X only {trained_on // n} times in training instead of {epochs}, "
                f"and {epochs} times with epochs={epochs + 1}: the loop runs one epoch fewer than "
                "asked (range(1, epochs) or range(epochs - 1) runs epochs − 1 times); loop over "
                "range(epochs)",
            )
        raise CheckFailed(
            f"entrainer_debruiteur(…, epochs={epochs}, batch_size=32) sur {n} images : le modèle "
            f"n'a reçu que {trained_on / n:.3g} fois X en entraînement au lieu de {epochs} "
            "passages (un par époque) : utilisez l'argument epochs (for _ in range(epochs)) et "
            "parcourez TOUS les lots de chaque époque, y compris le dernier s'il est incomplet",
            f"entrainer_debruiteur(..., epochs={epochs}, batch_size=32) on {n} images: the model "
            f"received only {trained_on / n:.3g} times X in training instead of {epochs} passes "
            "(one per epoch): use the epochs argument (for _ in range(epochs)) and go through "
            "EVERY batch of every epoch, the last one included when it is incomplete",
        )
    if len(noisy) < epochs * n:
        raise CheckFailed(
            f"en {epochs} époques sur {n} images, le modèle n'a reçu que {len(noisy)} images "
            "bruitées : son entrée est x̃ = x + σ·ε, un nouveau bruit à chaque lot",
            f"in {epochs} epochs over {n} images the model received only {len(noisy)} noisy "
            "images: its input is x̃ = x + σ·ε, fresh noise for every batch",
        )
    _check_batch_structure("entrainer_debruiteur", runs[0]["batches"], n, epochs, 32)
    check_fresh_gradients(runs[0]["fresh"], "entrainer_debruiteur", unit="lot")
    assert_one_optimiser(runs[0]["optimisers"],
                         f"entrainer_debruiteur(…, epochs={epochs}, batch_size=32) sur {n} images",
                         f"entrainer_debruiteur(..., epochs={epochs}, batch_size=32) on {n} images")
    r = (noisy - c) / sigma
    _check_noise_layout(r, 32)
    law = _noise_law(r)
    mean, std, kurt = law["mean"], law["std"], law["kurt"]
    record_margin("denoiser noise: |mean| / σ", abs(mean), 0.05, higher_is_better=False)
    record_margin("denoiser noise: |std / σ − 1|", abs(std - 1), 0.05, higher_is_better=False)
    edges = float(np.mean((noisy == 0.0) | (noisy == 1.0))) if len(noisy) else 0.0
    if (abs(mean) > 0.05 or abs(std - 1) > 0.05) and edges > 0.05 and noisy.min() >= 0.0 \
            and noisy.max() <= 1.0:
        raise CheckFailed(
            "l'entrée bruitée de entrainer_debruiteur est bornée à [0, 1] (clamp) : "
            f"{100 * edges:.0f} % de ses valeurs valent exactement 0 ou 1 et le bruit n'est plus "
            "σ·N(0, 1) près des bords ; l'énoncé donne x̃ = x + σ·ε, sans clamp",
            "the noisy input of entrainer_debruiteur is clamped to [0, 1]: "
            f"{100 * edges:.0f} % of its values are exactly 0 or 1 and the noise is no longer "
            "σ·N(0, 1) near the edges; the statement gives x̃ = x + σ·ε, without a clamp",
        )
    if law["off"] and _noise_law_confirmed(
            submission, X, {"sigma": sigma, "epochs": epochs, "lr": 1e-2, "batch_size": 32}, s, sigma):
        # σ is the grader's, drawn at random: no statistic that scales with it is shown (the
        # mean or standard deviation of (x̃ − x)/σ against a fixed noise scale would give σ
        # back); only which property fails, and the kurtosis, which does not depend on σ.
        wrong_fr, wrong_en = [], []
        if abs(mean) > 0.05:
            wrong_fr.append("n'est pas centré (moyenne non nulle)")
            wrong_en.append("is not centred (nonzero mean)")
        if abs(kurt - 3) > 0.4:
            wrong_fr.append(f"n'est pas gaussien (kurtosis {kurt:.2f} au lieu de 3)")
            wrong_en.append(f"is not Gaussian (kurtosis {kurt:.2f} instead of 3)")
        if abs(std - 1) > 0.05 and not wrong_fr:
            side_fr, side_en = ("plus petit", "smaller") if std < 1 else ("plus grand", "larger")
            raise CheckFailed(
                "le bruit ajouté par entrainer_debruiteur(…, sigma=…) est bien gaussien et "
                f"centré, mais son écart type n'est pas l'argument sigma (il est {side_fr}) : "
                "x̃ = x + sigma * torch.randn(...), avec l'argument sigma lui-même (pas une "
                "valeur fixe, ni sigma ** 2, ni sqrt(sigma))",
                "the noise added by entrainer_debruiteur(..., sigma=...) is Gaussian and "
                f"centred, but its standard deviation is not the sigma argument (it is {side_en}): "
                "x̃ = x + sigma * torch.randn(...), with the sigma argument itself (not a fixed "
                "value, nor sigma ** 2, nor sqrt(sigma))",
            )
        if abs(std - 1) > 0.05:
            wrong_fr.append("n'a pas l'écart type sigma")
            wrong_en.append("does not have standard deviation sigma")
        if not wrong_fr:
            wrong_fr.append("n'a pas les queues d'une gaussienne")
            wrong_en.append("does not have the tails of a Gaussian")
        raise CheckFailed(
            "le bruit ajouté par entrainer_debruiteur(…, sigma=…) n'est pas σ·N(0, 1) : "
            f"sur {r.size} valeurs, il {', '.join(wrong_fr)} ; bruit gaussien "
            "sigma * torch.randn(...) avec l'argument sigma",
            "the noise added by entrainer_debruiteur(..., sigma=...) is not σ·N(0, 1): "
            f"over {r.size} values, it {', '.join(wrong_en)}; Gaussian noise "
            "sigma * torch.randn(...) with the sigma argument",
        )
    distinct = len({row.tobytes() for row in noisy.astype(np.float32)})
    # The noise itself, row by row (to 1e-4: the same ε added to 0.1 and to 0.9 rounds apart
    # in float32): one ε drawn per epoch and added to every batch of that epoch comes back
    # within the epoch, from batch to batch.
    first_epoch = np.round((noisy - c) / sigma, 4)[:n] if len(noisy) >= n else noisy[:0]
    per_epoch = len({row.tobytes() for row in first_epoch})
    if len(first_epoch) and per_epoch < 0.6 * n:
        raise CheckFailed(
            f"dans une même époque, le modèle reçoit {len(first_epoch)} images bruitées mais "
            f"seulement {per_epoch} bruits ε distincts : le même bruit est ajouté à chaque lot "
            "de l'époque (tiré une fois par époque, avant la boucle des lots) ; tirez un nouveau "
            "bruit à chaque lot, dans la boucle des lots (torch.randn(lot.shape, generator=g))",
            f"within one epoch the model receives {len(first_epoch)} noisy images but only "
            f"{per_epoch} distinct noises ε: the same noise is added to every batch of the epoch "
            "(drawn once per epoch, before the batch loop); draw fresh noise for every batch, "
            "inside the batch loop (torch.randn(batch.shape, generator=g))",
        )
    if distinct < 0.9 * len(noisy):
        raise CheckFailed(
            f"les mêmes images bruitées reviennent d'une époque à l'autre ({distinct} distinctes "
            f"sur {len(noisy)}) : tirez un nouveau bruit à chaque lot, dans la boucle",
            f"the same noisy images come back from one epoch to the next ({distinct} distinct "
            f"out of {len(noisy)}): draw fresh noise for every batch, inside the loop",
        )
    _check_rows_and_seed("entrainer_debruiteur", runs, X, epochs)
    probe = runs[0]["probe"]
    if probe is not None:
        # The clean image of each noisy row of the first batch: its mean is c + σ·N(0, 1/64).
        clean = np.where(probe["x"].mean(axis=1, keepdims=True) < 0.5,
                         np.float64(np.float32(0.1)), np.float64(np.float32(0.9)))
        _check_mse_loss("entrainer_debruiteur", probe, np.broadcast_to(clean, probe["x"].shape), True)
    _check_lr(submission, "entrainer_debruiteur", X, {"sigma": sigma}, s, float(rng.uniform(3e-3, 3e-2)))
    _check_float32(submission, "entrainer_debruiteur", X, {"sigma": sigma, "lr": 1e-2}, s)


# ---------------------------------------------------------------- VAE


def _reparam_law(u: np.ndarray) -> tuple[float, float, float, float, bool]:
    """Mean, standard deviation, kurtosis and share beyond 2 of the noise (z − μ)/σ, and whether
    one is out of the band of test_reparametrisation_draws_normal_noise."""
    mean, std = float(u.mean()), float(u.std())
    kurt = float(np.mean((u - mean) ** 4) / max(std**4, 1e-12))
    tails = float(np.mean(np.abs(u) > 2.0))
    off = not (abs(mean) < 0.03 and abs(std - 1) < 0.03 and abs(kurt - 3) < 0.3 and 0.035 < tails < 0.057)
    return mean, std, kurt, tails, off


def _reparam_law_confirmed(submission, m: np.ndarray, lv: np.ndarray, n: int, s: int) -> bool:
    """Whether a law out of its band is the function's and not one seed's luck: the same call
    after a fresh torch seed must be out of band too (a correct ε: about 2 × 10⁻⁹ per seed, both
    about 4 × 10⁻¹⁸; a wrong law is off at every seed, a seed ignored gives the same z again)."""
    try:
        out = reparam_noise.call(submission, Ref("reparametrisation"), m.tolist(), lv.tolist(), n,
                                 [(s + 7919) % 2**31])
        z = as_array(out["runs"][0]["z"], "reparametrisation(mu, logvar)", shape=(n, 2), allow_nan=True)
    except (SubmissionError, CheckFailed, KeyError, IndexError, TypeError):
        return True
    u = (z - m) / np.exp(0.5 * lv)
    return not np.all(np.isfinite(u)) or _reparam_law(u)[4]


@pytest.mark.item("reparametrisation", points=0.5)
def test_reparametrisation_draws_normal_noise(submission, rng, seed):
    """reparametrisation without eps, σ = 1, over 20,000 rows of two latent dimensions, after
    torch seeds the grader draws (new at every edit of the notebook). One ε per example and per
    dimension first (layout: never fails a correct ε; the correlation of the two columns is
    14 standard errors, 1/√20000, below its bound 0.1). Then the law of the 40,000 values:
    |mean| < 0.03 (6 standard errors of 0.005), |std − 1| < 0.03 (8.5), |kurtosis − 3| < 0.3
    (12), 3.5 % to 5.7 % beyond 2 (10 and 11): a correct ε is out of band with probability about
    2 × 10⁻⁹, and an out-of-band law costs the point only when a fresh seed confirms it
    (_reparam_law_confirmed): about 4 × 10⁻¹⁸. Then the seed: the same torch seed, the same z
    exactly, another seed another z."""
    n = 20_000
    m = rng.normal(size=2)
    lv = np.zeros(2)  # σ = 1: the noise alone is tested (σ's formula is the values check's)
    s = int(seed % 2**31)
    try:
        out = reparam_noise.call(submission, Ref("reparametrisation"), m.tolist(), lv.tolist(), n,
                                 [s, s, s + 1])
    except SubmissionError as exc:
        raise relabel(exc, reparam_noise.ref_name, "reparametrisation") from None
    status = out.get("status") if isinstance(out, dict) else None
    if status != "ok":
        raise CheckFailed(
            f"reparametrisation(mu, logvar) sans eps, pour des tenseurs ({n}, 2), doit renvoyer "
            "un tenseur de la même forme que mu",
            f"reparametrisation(mu, logvar) without eps, for ({n}, 2) tensors, must return a "
            "tensor of the same shape as mu",
        )
    zs = [as_array(r["z"], "reparametrisation(mu, logvar)", shape=(n, 2), allow_nan=True)
          for r in out["runs"]]
    u = (zs[0] - m) / np.exp(0.5 * lv)
    # One ε per example (torch.randn_like(mu), shape (N, k)), judged before the law of the
    # pooled values: a vector of k values drawn once and broadcast over the rows (torch.randn(k),
    # torch.randn(1, k), torch.randn(1)) gives every example the same noise, and the n rows of
    # (z − μ)/σ then hold k values only (not a Gaussian sample whatever their own law). The
    # premise that noise was drawn at all: another torch seed gives another z.
    if np.all(np.isfinite(u)) and zs[0].shape == zs[2].shape and not np.array_equal(zs[0], zs[2]):
        distinct = len(np.unique(u, axis=0))
        if distinct < n // 2:
            raise CheckFailed(
                "sans eps, les lignes de (z − μ)/σ (une par exemple) contiennent "
                "bien moins de bruits distincts que d'exemples : le même ε est partagé par tous "
                "les exemples (un vecteur de k valeurs tiré une fois, torch.randn(k) ou "
                "torch.randn(mu.shape[-1]), diffusé sur les lignes) ; il faut un ε par exemple : "
                "torch.randn_like(mu), de forme (N, k)",
                "without eps, the rows of (z − μ)/σ (one per example) hold far fewer "
                "distinct noises than examples: the same ε is shared by every example (a "
                "vector of k values drawn once, torch.randn(k) or torch.randn(mu.shape[-1]), "
                "broadcast over the rows); one ε per example is needed: torch.randn_like(mu), of "
                "shape (N, k)",
            )
    mean, std, kurt, tails, off = _reparam_law(u)
    record_margin("reparametrisation noise: |mean|", abs(mean), 0.03, higher_is_better=False)
    if off and _reparam_law_confirmed(submission, m, lv, n, s):
        # Which part is wrong: the law of the noise (its shape, kurtosis 3 for a Gaussian
        # whatever its scale; 1.8 for torch.rand_like's uniform), or how it is combined.
        # Per coordinate (each has its own μ_j): a noise scaled by μ mixes scales across them,
        # which raises the pooled kurtosis of a Gaussian noise.
        cols = (u - u.mean(axis=0)) / np.maximum(u.std(axis=0), 1e-12)
        kurt_cols = float(np.mean(np.mean(cols**4, axis=0)))
        if std <= 1e-6:
            fix_fr = ("z ne dépend pas du bruit ici (σ = 1, logvar = 0) : σ = exp(logvar / 2) "
                      "multiplie ε, z = μ + σ ⊙ ε")
            fix_en = ("z does not depend on the noise here (σ = 1, logvar = 0): σ = exp(logvar / 2) "
                      "multiplies ε, z = μ + σ ⊙ ε")
        elif abs(kurt_cols - 3) >= 0.3:
            fix_fr = ("le bruit tiré n'est pas gaussien : tirez eps = torch.randn_like(mu) "
                      "(torch.rand_like est uniforme) et appliquez z = μ + σ ⊙ ε aussi dans ce cas")
            fix_en = ("the noise drawn is not Gaussian: draw eps = torch.randn_like(mu) "
                      "(torch.rand_like is uniform) and apply z = μ + σ ⊙ ε in this case too")
        else:
            fix_fr = ("le bruit a bien la forme d'une gaussienne, mais il n'est pas combiné comme "
                      "z = μ + σ ⊙ ε, σ = exp(logvar / 2) (μ ajouté, pas multiplié ; σ qui "
                      "multiplie ε, pas ajouté)")
            fix_en = ("the noise does have a Gaussian shape, but it is not combined as "
                      "z = μ + σ ⊙ ε, σ = exp(logvar / 2) (μ added, not multiplied; σ multiplying "
                      "ε, not added)")
        raise CheckFailed(
            f"sans eps, (z − μ)/σ sur {u.size} tirages a une moyenne {mean:.3f}, un écart type "
            f"{std:.3f}, un kurtosis {kurt:.2f} et {100 * tails:.1f} % de valeurs au-delà de 2 : "
            f"ce n'est pas N(0, 1) ; {fix_fr}",
            f"without eps, (z − μ)/σ over {u.size} draws has mean {mean:.3f}, standard deviation "
            f"{std:.3f}, kurtosis {kurt:.2f} and {100 * tails:.1f} % of values beyond 2: "
            f"this is not N(0, 1); {fix_en}",
        )
    # One ε per entry (torch.randn_like(mu)): a noise drawn once per row and shared by the k
    # latent dimensions (torch.randn(N, 1), .expand_as(mu)) has the law N(0, 1) in each
    # column, but the columns are then equal (correlation 1); independent draws give a
    # correlation of about ±1/√n (±0.007 here).
    if np.all(np.isfinite(u)) and float(np.min(u.std(axis=0))) > 1e-6:
        corr = float(np.corrcoef(u[:, 0], u[:, 1])[0, 1])
        record_margin("reparametrisation noise: |correlation between latent dimensions|",
                      abs(corr), 0.1, higher_is_better=False)
        if abs(corr) > 0.1:
            raise CheckFailed(
                "sans eps, pour mu et logvar à deux dimensions latentes, le bruit (z − μ)/σ de la première "
                "dimension latente et celui de la seconde sont le même tirage (ou fortement "
                "corrélés) : ε est tiré une fois par exemple et partagé entre les dimensions "
                "(torch.randn(N, 1), expand_as…) ; ε ~ N(0, I) a une valeur indépendante pour "
                "chaque entrée de mu : eps = torch.randn_like(mu), de forme (N, k)",
                "without eps, for mu and logvar with two latent dimensions, the noise (z − μ)/σ of the "
                "first latent dimension and that of the second are the same draw (or strongly "
                "correlated): ε is drawn once per example and shared by the dimensions "
                "(torch.randn(N, 1), expand_as...); ε ~ N(0, I) has an independent value for "
                "every entry of mu: eps = torch.randn_like(mu), of shape (N, k)",
            )
    assert_seed_used(*zs[:3], same=(
        "après le même torch.manual_seed, reparametrisation(mu, logvar) tire un z différent : "
        "tirez eps avec torch (torch.randn_like(mu)), pas avec NumPy ou random",
        "after the same torch.manual_seed, reparametrisation(mu, logvar) draws a different z: "
        "draw eps with torch (torch.randn_like(mu)), not with NumPy or random",
    ), ignored=(
        "reparametrisation(mu, logvar) renvoie le même z pour deux graines différentes : "
        "eps doit être tiré à chaque appel",
        "reparametrisation(mu, logvar) returns the same z for two different seeds: "
        "eps must be drawn on every call",
    ))


def _grad_vs_fd(submission, fn: str, args: list, kwargs: dict, wrt: list[int], refs: dict):
    grad_vs_fd.install(submission)
    return with_references(
        submission, refs, fn, Ref(fn), [np.asarray(a).tolist() for a in args], kwargs, wrt, 1e-3,
        via=grad_vs_fd.ref_name,
    )


def _assert_grads(out, fn: str, names: list[str]) -> None:
    status = out.get("status") if isinstance(out, dict) else None
    if status == "not_tensor":
        raise CheckFailed(
            f"{fn} doit renvoyer un tenseur torch (pas un {out.get('type')} : ni .item(), ni "
            "float(), ni NumPy) : l'entraînement en a besoin pour backward()",
            f"{fn} must return a torch tensor (not a {out.get('type')}: no .item(), float() or "
            "NumPy): training needs it for backward()",
        )
    if status == "no_graph":
        raise CheckFailed(
            f"le résultat de {fn} ne dépend pas de ses entrées pour autograd (détaché, passé par "
            "NumPy ou recréé avec torch.tensor) : aucun gradient ne peut remonter ; calculez-le "
            "en opérations torch",
            f"the result of {fn} does not depend on its inputs for autograd (detached, through "
            "NumPy or rebuilt with torch.tensor): no gradient can flow back; compute it with "
            "torch operations",
        )
    if status != "ok":
        raise CheckFailed(f"les gradients de {fn} n'ont pas pu être calculés",
                          f"the gradients of {fn} could not be computed")
    for name, a, b in zip(names, out["auto"], out["num"], strict=True):
        auto = as_array(a, f"gradient de {fn} par rapport à {name}", allow_nan=True)
        num = as_array(b, f"différences finies de {fn}", allow_nan=True)
        err = float(np.linalg.norm(auto - num))
        tol = 1e-2 * float(np.linalg.norm(num)) + 1e-3
        record_margin(f"{fn}: autograd vs finite differences ({name})", err, tol,
                      higher_is_better=False, kind="tolerance")
        if not np.isfinite(err) or err > tol:
            raise CheckFailed(
                f"le gradient de {fn} par rapport à {name} (autograd) ne correspond pas aux "
                "différences finies de votre propre fonction : une partie du calcul est "
                "détachée du graphe (.detach(), .data, NumPy) ; restez en opérations torch",
                f"the gradient of {fn} with respect to {name} (autograd) does not match the "
                "finite differences of your own function: part of the computation is detached "
                "from the graph (.detach(), .data, NumPy); stay with torch operations",
            )


@pytest.mark.item("kl", points=0.5)
def test_kl_gradients(submission, rng):
    n, k = int(rng.integers(2, 5)), int(rng.integers(2, 4))
    mu, logvar = rng.normal(size=(n, k)), rng.uniform(-1.5, 1.0, size=(n, k))
    out = _grad_vs_fd(submission, "kl_gaussienne", [mu, logvar], {}, [0, 1], {})
    _assert_grads(out, "kl_gaussienne", ["mu", "logvar"])


@pytest.mark.item("elbo", points=0.5)
def test_perte_vae_gradients(submission, rng):
    n, d, k = int(rng.integers(2, 4)), int(rng.integers(3, 6)), 2
    x = rng.uniform(0.0, 1.0, size=(n, d))
    x_hat = rng.uniform(0.1, 0.9, size=(n, d))
    mu, logvar = rng.normal(size=(n, k)), rng.uniform(-1.0, 1.0, size=(n, k))
    beta = float(rng.uniform(0.5, 4.0))
    out = _grad_vs_fd(
        submission, "perte_vae", [x, x_hat, mu, logvar], {"beta": beta}, [1, 2, 3],
        {"kl_gaussienne": kl_gaussienne},
    )
    _assert_grads(out, "perte_vae", ["x_hat", "mu", "logvar"])
