"""TP04's code shared by its public and hidden checks: the kernel-side seed and dense
autoencoder, the reference KL, a model's parameters, and the statement's signatures."""

from __future__ import annotations

import numpy as np

from autograder.checks import CheckFailed, Handle, as_array, assert_signature_defaults, kernel_side


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


# Reference answer of the VAE section: items that use the KL are graded against it.
REF_KL = """
def kl_gaussienne(mu, logvar):
    import torch
    return -0.5 * torch.sum(1 + logvar - mu**2 - torch.exp(logvar), dim=1)
"""

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
