"""A classifier measured on grader data: the digits, a model's logits and its accuracy.

The grader's split differs from the notebook's (its own seed), so a model tuned to the
notebook's test set gains nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.bridge.values import Handle, Tensor
from autograder.checks.answers import shape_text
from autograder.checks.errors import CheckFailed
from autograder.checks.hints import call_with_hint
from autograder.checks.kernel_code import kernel_side
from autograder.checks.values import as_array


def digits(*, images: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 digits scaled to [0, 1] (float64) and their labels (int64):
    rows of 64 pixels, or with `images` a batch of (1, 8, 8) images."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    if images:
        X = X.reshape(-1, 1, 8, 8)
    return X, y.astype(np.int64)


def digits_split(
    seed: int, *, images: bool = False, dtype: type = np.float64, test_size: float = 0.3
) -> list[np.ndarray]:
    """`X_train, X_test, y_train, y_test`: `digits` in `dtype`, split stratified by class."""
    from sklearn.model_selection import train_test_split

    X, y = digits(images=images)
    return train_test_split(
        X.astype(dtype, copy=False), y, test_size=test_size, random_state=seed, stratify=y
    )


def as_logits(value: Any, model: str, *, batch_shape: tuple[int, ...], classes: int) -> np.ndarray:
    """The logits a model gave for a batch, one row per example and one column per class.

    `model` names the student's function that built it ("creer_cnn"); NaN and inf are let
    through, for `accuracy` to count as wrong.
    """
    logits = as_array(value, f"logits de {model}", allow_nan=True)
    n = batch_shape[0]
    if logits.shape != (n, classes):
        got, batch = shape_text(logits.shape), shape_text(batch_shape)
        raise CheckFailed(
            f"le modèle de {model}() donne des logits de forme {got} pour un lot {batch} : "
            f"({n}, {classes}) attendu",
            f"the model from {model}() gives logits of shape {got} for a {batch} batch: "
            f"({n}, {classes}) expected",
        )
    return logits


def accuracy(logits: np.ndarray, y: np.ndarray) -> float:
    """The share of rows whose largest logit is the label's; 0 when any logit is NaN or inf."""
    if not np.all(np.isfinite(logits)):
        return 0.0
    return float((logits.argmax(axis=1) == y).mean())


def looks_like_probabilities(outputs: Any, *, atol: float = 1e-4) -> bool:
    """Rows all non-negative that each sum to 1: a model ending with a softmax where the
    statement asks for logits (F.cross_entropy then applies a second softmax, and training
    still works well enough to pass an accuracy bar). A fresh model's logits never look so."""
    try:
        a = np.asarray(outputs, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if a.ndim != 2 or a.shape[0] == 0 or a.shape[1] < 2 or not np.all(np.isfinite(a)):
        return False
    return bool(np.all(a >= 0.0) and np.allclose(a.sum(axis=1), 1.0, rtol=0.0, atol=atol))


def input_dtype(state: object) -> type:
    """The dtype to feed a student's module: float64 when its first floating-point entry of
    `state` (its `state_dict()`) is float64, else float32 (PyTorch's default)."""
    if isinstance(state, dict):
        for value in state.values():
            if isinstance(value, np.ndarray) and value.dtype.kind == "f":
                return np.float64 if value.dtype == np.float64 else np.float32
    return np.float32


@kernel_side
def train_classifier(modele, X_train, y_train, epochs, lr, batch_size, seed):
    """The course's reference classifier training (kernel side), for a check that must not
    depend on the student's loop: Adam, mean cross-entropy, mini-batches of a permutation
    drawn again each epoch from a generator seeded by `seed`. A TP whose statement gives
    defaults wraps it (`@kernel_side(uses=(train_classifier,))`)."""
    import torch
    import torch.nn.functional as F

    generateur = torch.Generator().manual_seed(int(seed))
    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)
    modele.train()
    N = len(X_train)
    for _ in range(epochs):
        ordre = torch.randperm(N, generator=generateur)
        for debut in range(0, N, batch_size):
            lot = ordre[debut : debut + batch_size]
            optimiseur.zero_grad()
            F.cross_entropy(modele(X_train[lot]), y_train[lot]).backward()
            optimiseur.step()
    return modele


@kernel_side
def eval_outputs(modele, X):
    """A student's model on X in the kernel, as an evaluation reads it: evaluation mode, no
    graph, X (an array or a tensor) on the device of the model's parameters and, when it holds
    floats, in their dtype (float32 for a model without parameters). Returns the output as
    the model gives it (a tensor, a tuple...)."""
    import torch

    modele.eval()
    X = torch.as_tensor(X)
    params = list(modele.parameters())
    if params:
        X = X.to(device=params[0].device)
        if X.is_floating_point():
            X = X.to(dtype=params[0].dtype)
    elif X.is_floating_point():
        X = X.to(dtype=torch.float32)
    with torch.no_grad():
        return modele(X)


def module_outputs(
    model: Handle,
    X: np.ndarray,
    what: str,
    *,
    shape: tuple[int | None, ...] | None = None,
    method: str = "__call__",
    hint: tuple[str, str] | None = None,
) -> np.ndarray:
    """What a student's module gives for the batch `X`, in evaluation mode and in the dtype
    of its parameters, checked to be an array (of `shape`; NaN and inf let through).

    With a (French, English) `hint`, any error the module raises fails the check with it
    ("the model takes inputs of shape (N, 2)"); without, it is reported as usual.
    """
    dtype = input_dtype(model.call("state_dict"))
    model.call("eval")
    batch = Tensor(X.astype(dtype))
    if hint is None:
        out = model.call(method, batch)
    else:
        out = call_with_hint(model, method, batch, hint=hint, on=None)
    return as_array(out, what, shape=shape, allow_nan=True)
