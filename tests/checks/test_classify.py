"""checks.classify: the grader's digits, a model's logits checked for shape, its accuracy,
and a student's module run on a batch (through a stand-in for the kernel's agent, with real
torch modules)."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import (
    CheckFailed,
    Handle,
    StudentError,
    Tensor,
    accuracy,
    as_logits,
    digits,
    digits_split,
    eval_outputs,
    input_dtype,
    looks_like_probabilities,
    module_outputs,
    train_classifier,
)
from autograder.results import Message


def test_digits_are_scaled_rows_or_images_with_integer_labels():
    X, y = digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert X.min() == 0.0 and X.max() == 1.0
    assert y.dtype == np.int64 and set(np.unique(y)) == set(range(10))
    images, _ = digits(images=True)
    assert images.shape == (1797, 1, 8, 8)
    assert np.array_equal(images.reshape(len(X), -1), X)


def test_the_split_is_stratified_fixed_by_its_seed_and_in_the_asked_dtype():
    X_train, X_test, y_train, y_test = digits_split(2026)
    assert len(X_test) == 540 and len(X_train) == 1257
    assert np.array_equal(np.bincount(y_test), np.bincount(digits_split(2026)[3]))
    assert abs(np.bincount(y_test)[0] / len(y_test) - np.bincount(y_train)[0] / len(y_train)) < 0.01
    assert not np.array_equal(X_test, digits_split(7)[1]), "another seed, another split"
    images = digits_split(2026, images=True, dtype=np.float32)
    assert images[1].shape == (540, 1, 8, 8) and images[1].dtype == np.float32
    assert np.array_equal(images[3], y_test)


def test_accuracy_counts_the_argmax_and_nan_counts_as_wrong():
    logits = np.array([[2.0, 1.0], [0.0, 3.0], [5.0, 0.0], [0.0, 1.0]])
    assert accuracy(logits, np.array([0, 1, 1, 1])) == 0.75
    logits[0, 0] = np.nan
    assert accuracy(logits, np.array([0, 1, 1, 1])) == 0.0
    logits[0, 0] = np.inf
    assert accuracy(logits, np.array([0, 1, 1, 1])) == 0.0


def test_as_logits_checks_one_row_per_example_and_one_column_per_class():
    got = as_logits([[0.0] * 10] * 4, "creer_cnn", batch_shape=(4, 1, 8, 8), classes=10)
    assert got.shape == (4, 10)
    assert np.isnan(as_logits([[np.nan, 1.0]], "m", batch_shape=(1, 2), classes=2)).any()
    with pytest.raises(CheckFailed) as info:
        as_logits(np.zeros((4, 1, 10)), "creer_cnn", batch_shape=(4, 1, 8, 8), classes=10)
    assert info.value.message.fr == (
        "le modèle de creer_cnn() donne des logits de forme (4, 1, 10) pour un lot (4, 1, 8, 8) : "
        "(4, 10) attendu"
    )
    assert info.value.message.en == (
        "the model from creer_cnn() gives logits of shape (4, 1, 10) for a (4, 1, 8, 8) batch: "
        "(4, 10) expected"
    )
    with pytest.raises(CheckFailed, match="logits de creer_mlp"):
        as_logits("pas un tableau", "creer_mlp", batch_shape=(4, 64), classes=10)


class Kernel:
    """A stand-in for the kernel's agent, in this process: objects behind handles, methods
    called on them, arrays sent as `Tensor` arriving as torch tensors, errors reported."""

    def __init__(self) -> None:
        self.objects: dict[int, object] = {}
        self.calls: list[str] = []

    def handle(self, obj: object) -> Handle:
        self.objects[id(obj)] = obj
        return Handle(self, id(obj), type(obj).__name__)  # type: ignore[arg-type]

    def _request(self, req, args, kwargs, timeout, label):
        import torch

        self.calls.append(req["name"])
        args = [torch.from_numpy(a.array) if isinstance(a, Tensor) else a for a in args]
        try:
            out = getattr(self.objects[req["target"]], req["name"])(*args, **kwargs)
        except Exception as exc:
            ename, evalue = type(exc).__name__, str(exc)
            raise StudentError(
                Message(f"`{label}` a levé {ename} : {evalue}", f"`{label}` raised {ename}: {evalue}"),
                ename,
                evalue,
            ) from None
        if isinstance(out, dict):
            return {k: v.detach().numpy() for k, v in out.items()}
        return out.detach().numpy() if isinstance(out, torch.Tensor) else out


def test_input_dtype_follows_the_first_floating_parameter():
    assert input_dtype({"w": np.zeros(2, np.float64)}) is np.float64
    assert input_dtype({"steps": np.zeros(1, np.int64), "w": np.zeros(2, np.float32)}) is np.float32
    assert input_dtype({}) is np.float32 and input_dtype("not a dict") is np.float32


def test_module_outputs_runs_the_module_in_eval_mode_in_its_own_dtype():
    torch = pytest.importorskip("torch")
    kernel = Kernel()
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Dropout(0.9)).double()
    got = module_outputs(kernel.handle(model), np.ones((4, 3), np.float32), "logits", shape=(4, 2))
    assert got.dtype == np.float64 and got.shape == (4, 2)
    assert not model.training, "evaluation mode: dropout off"
    assert kernel.calls == ["state_dict", "eval", "__call__"]
    with pytest.raises(CheckFailed, match=r"^logits.*\(4, 5\)"):
        module_outputs(kernel.handle(model), np.ones((4, 3)), "logits", shape=(4, 5))


def test_module_outputs_hints_any_error_of_the_module_only_when_asked():
    torch = pytest.importorskip("torch")
    kernel = Kernel()
    model = kernel.handle(torch.nn.Linear(3, 2))
    with pytest.raises(StudentError):
        module_outputs(model, np.ones((4, 5)), "logits")
    with pytest.raises(CheckFailed) as info:
        module_outputs(model, np.ones((4, 5)), "logits", method="forward", hint=("(N, 3)", "(N, 3) en"))
    assert info.value.message.fr.startswith("`Linear.forward` a levé RuntimeError : ")
    assert info.value.message.fr.endswith(" ; (N, 3)") and info.value.message.en.endswith("; (N, 3) en")


def test_eval_outputs_runs_in_eval_mode_without_graph_in_the_parameters_dtype_and_keeps_integer_inputs():
    torch = pytest.importorskip("torch")
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Dropout(0.9)).double()
    out = eval_outputs(model, np.ones((4, 3), np.float32))
    assert out.dtype == torch.float64 and not out.requires_grad and not model.training
    tokens = torch.nn.Embedding(10, 2)
    assert eval_outputs(tokens, torch.arange(4)).shape == (4, 2), "token ids stay integers"
    assert eval_outputs(torch.nn.ReLU(), np.ones(3)).dtype == torch.float32


def test_softmax_outputs_look_like_probabilities_and_logits_do_not():
    """A model ending with a softmax is told from one giving logits on the same batch."""
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(5, 4))
    x = torch.randn(16, 5)
    with torch.no_grad():
        logits = model(x)
        probs = torch.softmax(logits, dim=1).float()
    assert looks_like_probabilities(probs.numpy())
    assert not looks_like_probabilities(logits.numpy())
    assert not looks_like_probabilities(torch.log_softmax(logits, dim=1).numpy())  # log-probabilities are logits
    assert not looks_like_probabilities(np.full((3, 2), np.nan)) and not looks_like_probabilities("x")
    assert not looks_like_probabilities(np.ones((4, 1)))  # one column: nothing to tell


def test_train_classifier_is_seeded_and_learns():
    """The reference training: the same seed gives the same model, another seed another one,
    and a linear model learns the digits (what the TPs' checks rely on when they train a
    student's model with the grader's loop)."""
    torch = pytest.importorskip("torch")
    X, y = digits()
    X, y = torch.tensor(X[:300], dtype=torch.float32), torch.tensor(y[:300])

    def trained(seed: int):
        torch.manual_seed(0)
        return train_classifier(torch.nn.Linear(64, 10), X, y, 3, 0.01, 32, seed)

    a, b, c = trained(1), trained(1), trained(2)
    assert torch.equal(a.weight, b.weight) and not torch.equal(a.weight, c.weight)
    with torch.no_grad():
        assert (a(X).argmax(1) == y).float().mean() > 0.8
