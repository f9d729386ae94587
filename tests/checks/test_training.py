"""trained_model and returned_model: the model a student's training function trained."""

from __future__ import annotations

import pytest

from autograder.checks import CheckFailed, Handle, Ref, returned_model, trained_model


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


def test_returned_model_owns_the_return_rule():
    """The one check that owns "… et le renvoie": None fails naming return modele; a model
    returned is the trained one; any other value names the type, as trained_model does."""
    trained = Handle(None, 7, "Sequential")  # type: ignore[arg-type]
    assert returned_model(Recorder(trained), "entrainer", Ref("m")) is trained
    with pytest.raises(CheckFailed) as exc:
        returned_model(Recorder(None), "entrainer", Ref("m"))
    assert "ne renvoie rien (None)" in exc.value.message.fr and "return modele" in exc.value.message.fr
    assert "returns nothing (None)" in exc.value.message.en
    with pytest.raises(CheckFailed, match="int"):
        returned_model(Recorder(3), "entrainer", Ref("m"))
