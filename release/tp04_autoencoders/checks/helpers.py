"""TP04's code shared by its public and hidden checks: the kernel-side seed and dense
autoencoder, the reference KL, a model's parameters, the grader's digits, the affinity
test, and the statement's signatures."""

from __future__ import annotations

import numpy as np

from autograder.checks import (
    CheckFailed,
    Handle,
    Ref,
    SubmissionError,
    as_array,
    assert_signature_defaults,
    kernel_side,
    record_margin,
)


@kernel_side
def _manual_seed(seed):
    import torch

    torch.manual_seed(int(seed))


# A trusted dense autoencoder (the notebook's architecture), so that the training loops
# are tested on their own, whatever the student's AutoEncodeur class does.
@kernel_side
def _dense_autoencoder(d, k, h, seed):
    import torch
    from torch import nn

    torch.manual_seed(int(seed))

    class AutoEncodeurCorrecteur(nn.Module):
        def __init__(self):
            super().__init__()
            self.encodeur = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, k))
            self.decodeur = nn.Sequential(nn.Linear(k, h), nn.ReLU(), nn.Linear(h, d), nn.Sigmoid())

        def encode(self, x):
            return self.encodeur(x)

        def decode(self, z):
            return self.decodeur(z)

        def forward(self, x):
            return self.decodeur(self.encodeur(x))

    return AutoEncodeurCorrecteur()


# Reference answer of the VAE section: items that use the KL are graded against it. Named as
# the notebook's answer, so that an error in a student's call reads the same as with theirs.
@kernel_side
def kl_gaussienne(mu, logvar):
    import torch

    return -0.5 * torch.sum(1 + logvar - mu**2 - torch.exp(logvar), dim=1)


@kernel_side
def _training_calls(fn, model, X, kwargs):
    """How often, during fn(model, X, **kwargs), the model received was called with gradients
    on, and how often another module carrying its hook was (a copy.deepcopy of it)."""
    import torch

    calls = {"self": 0, "other": 0}

    def note(module, args):
        if torch.is_grad_enabled():
            calls["self" if module is model else "other"] += 1

    handle = model.register_forward_pre_hook(note)
    try:
        fn(model, X, **kwargs)
    finally:
        handle.remove()
    return calls


def unchanged_hint(submission, fn: str, model: Handle, X: np.ndarray, kwargs: dict,
                   step: tuple[str, str]) -> tuple[str, str]:
    """Why the parameters of the model `fn` was given (and returned) did not move: `fn` runs
    again on it with a hook that tells whether the model itself went through the loop (then
    step() is missing), only a copy of it did, or no call reached it (another model trained).
    `step` says where step() goes."""
    try:
        calls = _training_calls.call(submission, Ref(fn), model, X, kwargs, timeout=60)
        own, other = int(calls["self"]), int(calls["other"])
    except (SubmissionError, TypeError, ValueError, KeyError):
        own, other = 1, 0
    if own > 0:
        return (
            f"les paramètres n'ont pas changé : appelez optimiseur.step() {step[0]} "
            "(l'optimiseur construit sur modele.parameters())",
            f"the parameters did not change: call optimiser.step() {step[1]} (the optimiser "
            "built on model.parameters())",
        )
    copy_fr = ("il entraîne une copie (copy.deepcopy ?) et renvoie le modèle reçu intact"
               if other > 0 else "il entraîne un autre modèle (créé dans la fonction ou pris dans le notebook ?)")
    copy_en = ("it trains a copy (copy.deepcopy?) and returns the model it was given untouched"
               if other > 0 else "it trains another model (made in the function or taken from the notebook?)")
    return (
        f"les paramètres du modèle reçu n'ont pas changé et {fn} ne l'a jamais appelé "
        f"pendant l'entraînement : {copy_fr} ; entraînez le modèle reçu lui-même "
        "(optimiseur sur modele.parameters(), modele(lot)) et renvoyez-le",
        f"the parameters of the model it was given did not change and {fn} never called it "
        f"during training: {copy_en}; train the model you are given itself (optimiser on "
        "model.parameters(), model(batch)) and return it",
    )


#: `as_module(..., expected=RETURNS)` for a function that returns the trained model.
RETURNS = ("doit renvoyer un nn.Module", "must return an nn.Module")

# The statement's signatures ("sans changer les signatures"): the notebook and the grader call
# these with some arguments left to their defaults, so a changed default is a changed answer.
STATEMENT_DEFAULTS: dict[str, dict[str, float | int | None]] = {
    "AutoEncodeur": {"d": 64, "k": 2, "h": 32},
    "entrainer_ae": {"epochs": 15, "lr": 1e-2, "batch_size": 64, "seed": 0},
    "AutoEncodeurLineaire": {"d": 64, "k": 2},
    "entrainer_debruiteur": {"sigma": 0.5, "epochs": 15, "lr": 1e-2, "batch_size": 64, "seed": 0},
    "reparametrisation": {"eps": None},
    "perte_vae": {"beta": 1.0},
    # the notebook leaves epochs, lr and batch_size to these defaults
    "entrainer_vae": {"beta": 1.0, "k": 2, "epochs": 10, "lr": 1e-2, "batch_size": 64, "seed": 0},
}


def assert_statement_defaults(submission, name: str, *, missing_apart: bool = True) -> None:
    """Fail when a default value of `name`'s signature differs from the statement's."""
    assert_signature_defaults(
        submission, name, STATEMENT_DEFAULTS[name], missing_apart=missing_apart
    )


def seed_torch(submission, seed: int) -> None:
    """torch.manual_seed(seed) in the kernel, before the student's model is built."""
    _manual_seed.call(submission, seed)


def dense_ae(submission, d: int, k: int, h: int, seed: int) -> Handle:
    """The grader's dense autoencoder d → h → k → h → d, built in the kernel."""
    return _dense_autoencoder.call(submission, d, k, h, seed)


def state(model: Handle, what: str) -> dict[str, np.ndarray]:
    """`model.state_dict()` as arrays (NaN allowed)."""
    got = model.call("state_dict")
    if not isinstance(got, dict):
        raise CheckFailed(
            f"{what}.state_dict() doit renvoyer un dictionnaire de tenseurs",
            f"{what}.state_dict() must return a dictionary of tensors",
        )
    return {str(k): as_array(v, f"{what}.state_dict()[{k!r}]", allow_nan=True) for k, v in got.items()}


def unchanged(before: dict[str, np.ndarray], after: dict[str, np.ndarray]) -> bool:
    """Every parameter of `before` is still there with the same values."""
    return all(k in after and np.array_equal(v, after[k]) for k, v in before.items())


def digits_images() -> np.ndarray:
    """The 1,797 digits as rows of 64 pixels in [0, 1], float32."""
    from sklearn.datasets import load_digits

    return (load_digits().data / 16.0).astype(np.float32)


def digits_sample(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` distinct digits drawn by the grader."""
    X = digits_images()
    return X[rng.choice(len(X), size=n, replace=False)]


def affine_gap(f, A: np.ndarray, B: np.ndarray, t: np.ndarray) -> tuple[float, float]:
    """(max |f(tA + (1 − t)B) − t f(A) − (1 − t) f(B)|, scale): zero for an affine f."""
    shape = (len(t),) + (1,) * (A.ndim - 1)
    tt = t.reshape(shape)
    M = (tt * A + (1 - tt) * B).astype(np.float32)
    fa, fb, fm = (np.asarray(f(V), dtype=np.float64) for V in (A, B, M))
    tf = t.reshape((len(t),) + (1,) * (fa.ndim - 1))
    gap = float(np.max(np.abs(fm - (tf * fa + (1 - tf) * fb))))
    return gap, float(max(np.max(np.abs(fa)), np.max(np.abs(fb)), 1.0))


@kernel_side
def _extra_layers(model):
    """The kinds of the modules `model` holds besides nn.Linear (and the containers), in order:
    what a linear autoencoder should not have (an activation, a Dropout, a BatchNorm)."""
    import torch

    plain = (torch.nn.Linear, torch.nn.Sequential, torch.nn.ModuleList, torch.nn.ModuleDict,
             torch.nn.Identity)
    kinds = []
    for m in model.modules():
        if m is model or isinstance(m, plain):
            continue
        name = type(m).__name__
        if name not in kinds:
            kinds.append(name)
    return kinds


def extra_layers(submission, model: Handle) -> list[str]:
    """_extra_layers in the kernel ([] when it cannot be read)."""
    try:
        kinds = _extra_layers.call(submission, model)
    except SubmissionError:
        return []
    return [str(k)[:40] for k in kinds][:6] if isinstance(kinds, list) else []


BATCH_MIXED = ("batch", "batch")  # _not_affine_fault: the examples of a batch mix


def _not_affine_fault(f, A: np.ndarray, scale: float, layers: list[str],
                      B: np.ndarray | None = None) -> tuple[str, str]:
    """What makes the linear autoencoder not affine, as (fr, en): a random layer (the same
    input twice gives two outputs: a Dropout in training mode), a module other than nn.Linear
    (named), examples that depend on each other (BATCH_MIXED, with another batch B), or an
    activation applied in forward."""
    named = ", ".join(layers)
    try:
        again = [np.asarray(f(A), dtype=np.float64) for _ in range(2)]
        random = again[0].shape == again[1].shape and \
            float(np.max(np.abs(again[0] - again[1]))) > 1e-6 * scale
    except (CheckFailed, SubmissionError, ValueError, TypeError):
        random = False
    if random:
        kind_fr = f" (le modèle contient {named})" if layers else " (un nn.Dropout, du bruit ?)"
        kind_en = f" (the model holds {named})" if layers else " (an nn.Dropout, noise?)"
        return (f"sa sortie change d'un appel à l'autre pour la même entrée : une couche "
                f"aléatoire{kind_fr} ; retirez-la, forward enchaîne seulement les deux nn.Linear",
                f"its output changes from one call to the next for the same input: a random "
                f"layer{kind_en}; remove it, forward chains the two nn.Linear only")
    if layers:
        return (f"le modèle contient {named} en plus des deux nn.Linear ; retirez toute couche "
                "entre l'encodeur et le décodeur",
                f"the model holds {named} besides the two nn.Linear; remove every layer "
                "between the encoder and the decoder")
    if B is not None and _rows_depend_on_each_other(f, A, B, scale):
        return BATCH_MIXED
    return ("retirez toute activation (ReLU, Sigmoid…, torch.relu dans forward)",
            "remove every activation (ReLU, Sigmoid..., torch.relu in forward)")


def _rows_depend_on_each_other(f, A: np.ndarray, B: np.ndarray, scale: float) -> bool:
    """Whether the output of an example depends on the OTHER examples of the batch: the first
    half of A's rows sent with A's second half, then with B's (one batch shape, so that the
    same matrix kernels run). A model applied example by example gives the first half's outputs
    again, to float32 rounding (1e-6 of the scale; the tolerance 1e-4 stays far above it); a
    batch statistic in forward (x − x.mean(0), a BatchNorm in training mode) moves them by the
    change of that statistic, of the order of the inputs."""
    half = len(A) // 2
    other = np.concatenate([A[:half], B[half:]]).astype(np.float32)
    try:
        fa, fo = (np.asarray(f(V), dtype=np.float64) for V in (A, other))
    except (CheckFailed, SubmissionError, ValueError, TypeError):
        return False
    if fa.shape != fo.shape or not (np.all(np.isfinite(fa)) and np.all(np.isfinite(fo))):
        return False
    return float(np.max(np.abs(fa[:half] - fo[:half]))) > 1e-4 * scale


def assert_affine(f, d: int, rng: np.random.Generator, what: str, why: tuple[str, str],
                  record: bool = False, layers=None) -> None:
    """f(tA + (1 − t)B) = t f(A) + (1 − t) f(B) for the linear autoencoder `what` (inputs far
    from 0), with one t per example; `why` ends the message. `layers`: a callable giving the
    kinds of the model's modules other than nn.Linear (extra_layers), read when the test fails
    to name the fault. A forward that mixes the examples of a batch (x − x.mean(0), blind round
    19) fails the same test, one t per row: it is named as such, not as an activation."""
    A = rng.normal(0.0, 3.0, size=(8, d)).astype(np.float32)
    B = rng.normal(0.0, 3.0, size=(8, d)).astype(np.float32)
    t = rng.uniform(0.2, 0.8, size=8).astype(np.float32)
    gap, scale = affine_gap(f, A, B, t)
    if record:
        record_margin("affinity gap of the linear autoencoder", gap, 1e-3 * scale,
                      higher_is_better=False, kind="tolerance")
    if gap > 1e-3 * scale:
        fault = _not_affine_fault(f, A, scale, layers() if layers is not None else [], B)
        if fault is BATCH_MIXED:
            raise CheckFailed(
                f"{what} : la sortie d'un exemple dépend des AUTRES exemples du lot (mêmes 4 "
                "premières lignes de x, 4 dernières changées : leurs sorties changent) ; forward "
                "traite chaque exemple seul, sans statistique du lot (pas de x − x.mean(0) : les "
                "biais des nn.Linear apprennent le centrage) ; forward(x) = "
                "self.decodeur(self.encodeur(x))",
                f"{what}: the output of an example depends on the OTHER examples of the batch "
                "(the same first 4 rows of x, the last 4 changed: their outputs change); forward "
                "treats each example on its own, without a batch statistic (no x − x.mean(0): "
                "the nn.Linear biases learn the centring); forward(x) = "
                "self.decodeur(self.encodeur(x))",
            )
        fault_fr, fault_en = fault
        raise CheckFailed(
            f"{what} n'est pas linéaire (affine) : f(tA + (1 − t)B) s'écarte de "
            f"t·f(A) + (1 − t)·f(B) de {gap:.3g} ; {fault_fr} : " + why[0],
            f"{what} is not linear (affine): f(tA + (1 − t)B) differs from "
            f"t·f(A) + (1 − t)·f(B) by {gap:.3g}; {fault_en}: " + why[1],
        )
