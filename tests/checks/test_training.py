"""trained_model: the model a student's training function trained, returned or in place."""

from __future__ import annotations

import pytest

from autograder.checks import CheckFailed, Handle, Ref, trained_model


class Recorder:
    """A stand-in for the submission: returns `result` and notes how it was called."""

    def __init__(self, result):
        self.result, self.calls = result, []

    def call(self, name, *args, timeout=None, **kwargs):
        self.calls.append((name, args, timeout, kwargs))
        return self.result


def test_the_returned_model_is_the_trained_one():
    trained = Handle(None, 7, "Sequential")  # type: ignore[arg-type]
    sub = Recorder(trained)
    assert trained_model(sub, "entrainer", Ref("m"), 1, 2, epochs=3, timeout=9.0) is trained
    assert sub.calls == [("entrainer", (Ref("m"), 1, 2), 9.0, {"epochs": 3})]


def test_none_means_trained_in_place():
    model = Ref("modele")
    assert trained_model(Recorder(None), "entrainer", model) is model


@pytest.mark.parametrize("value", [3, "modele", [1, 2], {"a": 1}])
def test_any_other_value_names_the_function_and_the_type(value):
    with pytest.raises(CheckFailed) as exc:
        trained_model(Recorder(value), "entrainer_sequence", Ref("m"))
    kind = type(value).__name__
    assert exc.value.message.fr == f"entrainer_sequence doit renvoyer le modèle entraîné, obtenu {kind}"
    assert exc.value.message.en == f"entrainer_sequence must return the trained model, got {kind}"
