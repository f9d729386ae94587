"""checks.errors: errors raised in the student's code, said in French with their likely cause."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from autograder.checks.errors import explain_student_error


def raised(fn) -> tuple[str, str]:
    """(name, text) of the error a real PyTorch/NumPy call raises here."""
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value).__name__, str(info.value)


@pytest.mark.parametrize(
    ("call", "cause_fr", "cause_en"),
    [
        (lambda: torch.zeros(5, 3) @ torch.zeros(4, 2), "formes (shape)", "shapes do not match"),
        (lambda: np.zeros((5, 3)) + np.zeros((4, 2)), "formes (shape)", "shapes do not match"),
        (lambda: torch.zeros(3).sum(dim=2), "formes (shape)", "shapes do not match"),
        (lambda: torch.zeros(2, 3) @ torch.zeros(3, 2, dtype=torch.float64), "dtype", "dtype"),
        (lambda: torch.nn.functional.cross_entropy(torch.zeros(3, 4), torch.zeros(3)), "dtype", "dtype"),
        # float64 images into a float32 model (blind round 6, TP08 and TP09), and their kin
        (lambda: torch.nn.Linear(3, 2)(torch.zeros(4, 3, dtype=torch.float64)), "dtype", "dtype"),
        (lambda: torch.nn.Conv2d(1, 2, 3)(torch.zeros(1, 1, 5, 5, dtype=torch.float64)), "dtype", "dtype"),
        (lambda: torch.zeros(3, dtype=torch.long).add_(torch.ones(3) * 0.5), "dtype", "dtype"),
        (lambda: torch.nn.Embedding(5, 2)(torch.zeros(3)), "dtype", "dtype"),
        (lambda: torch.zeros(3, requires_grad=True).numpy(), "requires_grad", "requires_grad"),
        (lambda: torch.zeros(3).sum().backward(), "requires_grad", "requires_grad"),
        # class labels beyond the outputs: a notebook's 10-class labels on the grader's 3-class
        # model (blind round 8, TP09), and NumPy's index past an axis stays a shape problem
        (lambda: torch.nn.functional.cross_entropy(torch.zeros(4, 3), torch.tensor([0, 1, 2, 3])),
         "étiquette de classe dépasse", "class label is beyond"),
        (lambda: np.zeros(3)[5], "formes (shape)", "shapes do not match"),
        # a BCE target out of [0, 1] or NaN: the prediction and the target swapped, and a
        # training that diverged (blind round 21, TP04: perte_vae(x_hat, lot, ...))
        (lambda: torch.nn.functional.binary_cross_entropy(torch.full((2, 3), 0.5), torch.full((2, 3), float("nan"))),
         "la cible de F.binary_cross_entropy", "the target of F.binary_cross_entropy"),
        (lambda: torch.nn.functional.binary_cross_entropy(torch.full((2, 3), 0.5), torch.full((2, 3), 2.0)),
         "sans doute inversées", "likely swapped"),
        (lambda: torch.nn.functional.binary_cross_entropy(torch.full((2, 3), 3.0), torch.full((2, 3), 0.5)),
         "des logits au lieu de la sortie d'une Sigmoid", "logits instead of a Sigmoid's output"),
    ],
)
def test_real_errors_get_their_cause_in_french_and_keep_the_original(call, cause_fr, cause_en):
    ename, evalue = raised(call)
    message = explain_student_error("ma_fonction", ename, evalue)
    assert message.fr.startswith(f"`ma_fonction` a levé {ename} : ")
    assert cause_fr in message.fr and cause_en in message.en
    assert evalue in message.fr and evalue in message.en, "the original error is kept as a detail"


def test_an_unknown_error_is_reported_as_is():
    message = explain_student_error("f", "ValueError", "x négatif")
    assert (message.fr, message.en) == ("`f` a levé ValueError : x négatif", "`f` raised ValueError: x négatif")


@pytest.mark.parametrize(
    ("call", "cause_fr"),
    [
        (lambda: [].pop(), "un indice dépasse"),
        (lambda: {"a": 1}["b"], "une clé absente"),
        (lambda: 1 / 0, "division par zéro"),
        (lambda: np.zeros(3).detach(), "n'a pas l'attribut"),
        (lambda: len(3), "n'a pas le type attendu"),
        (lambda: 2.0**5000, "déborde"),
    ],
)
def test_an_error_whose_text_says_nothing_known_gets_the_cause_of_its_kind(call, cause_fr):
    ename, evalue = raised(call)
    message = explain_student_error("f", ename, evalue)
    assert message.fr.startswith(f"`f` a levé {ename} : ") and cause_fr in message.fr
    assert message.fr.endswith(f"(message d'origine : {evalue})") and evalue in message.en


def test_a_name_error_in_the_student_code_says_a_name_is_missing():
    message = explain_student_error("f", "NameError", "name 'X_train' is not defined")
    assert "un nom qui n'existe pas" in message.fr and "name 'X_train'" in message.fr


def test_a_convolution_fed_the_wrong_channel_count_is_told_in_french():
    """Blind round 7 (TP10): x.unsqueeze(1) where unsqueeze(0) was meant reached the student
    as PyTorch's English text alone; the grader's images have more than one channel."""
    from autograder.checks.errors import explain_student_error

    msg = explain_student_error(
        "saillance",
        "RuntimeError",
        "Given groups=1, weight of size [7, 3, 3, 3], expected input[30, 1, 10, 8] to have 3 "
        "channels, but got 1 channels instead",
    )
    assert "canaux" in msg.fr and "ne supposez pas C = 1" in msg.fr
    assert "channels" in msg.en and "(original message: Given groups=1" in msg.en


def test_an_unpacking_of_a_split_along_the_wrong_axis_is_told_in_french():
    """Blind round 9 (TP06): an LSTM's gates chunked along the batch axis, `i, f, g, o =
    pre.T.chunk(4, dim=1)` on a 2-row batch, reached the student as Python's English text
    alone; a check's own shape hint still applies to it."""
    from autograder.checks.errors import explained_elsewhere

    def gates():
        i, f, g, o = torch.zeros(2, 12).T.chunk(4, dim=1)

    ename, evalue = raised(gates)
    message = explain_student_error("cellule_lstm", ename, evalue)
    assert "l'axe du découpage" in message.fr and "axis of the split" in message.en
    assert message.fr.endswith(f"(message d'origine : {evalue})")
    assert not explained_elsewhere(evalue)


def test_a_missing_attribute_of_a_model_names_the_statement_not_the_array_types():
    """Blind round 16 (TP10): a forward hook on `modele.conv2`, a layer of the notebook's
    model, raised AttributeError on the grader's model, and was told that a NumPy array has no
    .detach(). An object with attributes of its own (a model, a layer) lacks one the code
    assumes: the statement's guarantee is said, not the array types."""
    from autograder.checks import missing_attribute

    class _Modele(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(2, 2)

    ename, evalue = raised(lambda: _Modele().conv2)
    assert missing_attribute(evalue) == ("_Modele", "conv2")
    message = explain_student_error("grad_cam", ename, evalue)
    assert message.fr.startswith("`grad_cam` a levé AttributeError : ")
    assert "_Modele n'a pas l'attribut `conv2`" in message.fr
    assert "l'énoncé ne garantit pas" in message.fr and "the statement does not guarantee" in message.en
    assert "NumPy" not in message.fr and "NumPy" not in message.en
    assert message.fr.endswith(f"(message d'origine : {evalue})") and evalue in message.en
    # A layer of the grader's (an nn.Sequential's child missing) is an object too.
    _, evalue = raised(lambda: torch.nn.Sequential(torch.nn.ReLU()).features)
    assert missing_attribute(evalue) == ("Sequential", "features")


@pytest.mark.parametrize(
    "call",
    [
        lambda: np.zeros(3).detach(),
        lambda: torch.zeros(3).astype(np.float32),
        lambda: torch.nn.Parameter(torch.zeros(2)).astype(np.float32),
        lambda: np.float64(1.0).detach(),
        lambda: [1, 2].shape,
        lambda: {"a": 1}.a,
        lambda: (3.0).numpy(),
        lambda: torch.zeros(2).shape.numel_(),
        lambda: (lambda: 0).weight,
    ],
)
def test_a_missing_attribute_of_a_value_keeps_the_type_mix_up_cause(call):
    """Arrays, tensors, numbers, containers and functions lack an attribute by a type mix-up:
    their cause stays the NumPy/tensor one."""
    from autograder.checks import missing_attribute

    ename, evalue = raised(call)
    assert ename == "AttributeError"
    assert missing_attribute(evalue) is None
    message = explain_student_error("f", ename, evalue)
    assert "un tableau NumPy n'a pas .detach()" in message.fr and "l'énoncé ne garantit pas" not in message.fr


def test_a_hidden_check_shows_a_shape_error_without_the_sizes_of_its_inputs():
    """Blind round 20 (TP10): "shape '[1, 1, 8, 8]' is invalid for input of size 160" and "The
    size of tensor a (5) must match the size of tensor b (9)" gave the hidden images' C·H·W and
    the grader CNN's numbers of maps; in a hidden check the numbers go, the kind and the French
    cause stay, names with digits (float32, conv2) are kept. A public check shows them all."""
    from autograder.bridge.values import StudentError
    from autograder.checks.errors import expected_values_shown, without_sizes
    from autograder.checks.failures import sizes_hidden, student_failure
    from autograder.results import Message

    def reshape():
        torch.zeros(2, 5, 4).reshape(1, 1, 8, 8)

    def broadcast():
        torch.zeros(5, 1, 1) * torch.zeros(9, 3, 4)

    for call, numbers in ((reshape, ("40", "8")), (broadcast, ("5", "9"))):
        ename, evalue = raised(call)
        exc = StudentError(Message(f"`f` a levé {ename} : {evalue}", f"`f` raised {ename}: {evalue}"),
                           ename, evalue)
        assert sizes_hidden(exc) is exc, "public check: the text as it is"
        with expected_values_shown(False):
            hidden = sizes_hidden(exc)
            failure = student_failure("f", hidden).message
        assert hidden.ename == ename
        for text in (hidden.evalue, hidden.message.fr, hidden.message.en, failure.fr, failure.en):
            assert not any(f"({n})" in text or f" {n}]" in text or f"size {n}" in text for n in numbers), text
        assert "formes (shape)" in failure.fr and f"a levé {ename}" in failure.fr
    assert without_sizes("float32 conv2 x1 1e-5 (12) [3, 4]") == "float32 conv2 x1 1e-5 (n) [n, n]"
