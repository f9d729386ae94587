"""checks.failures: a student's error becomes one of three messages naming the function, with
the hint only for the kinds of error it is about."""

from __future__ import annotations

from autograder.checks import StudentError, student_failure
from autograder.results import Message


def _raised(ename: str, evalue: str) -> StudentError:
    return StudentError(Message("…", "…"), ename, evalue)


HINT = ("vérifiez les formes", "check the shapes")


def test_not_implemented_asks_to_fill_in_the_cell():
    failure = student_failure("conv2d", _raised("NotImplementedError", ""), hint=HINT)
    assert failure.message.fr == (
        "`conv2d` n'est pas encore implémentée (NotImplementedError) : complétez la cellule réponse"
    )
    assert failure.message.en == "`conv2d` is not implemented yet (NotImplementedError): fill in the answer cell"


def test_a_missing_function_is_named_but_another_missing_name_is_the_students_error():
    failure = student_failure("conv2d", _raised("NameError", "conv2d"))
    assert failure.message.fr.startswith("`conv2d` n'est pas défini dans votre notebook")
    failure = student_failure("conv2d", _raised("NameError", "name 'np' is not defined"))
    assert failure.message.fr.startswith("`conv2d` a levé NameError : votre code utilise un nom qui n'existe pas")
    assert "name 'np' is not defined" in failure.message.fr


def test_the_hint_follows_only_the_errors_it_is_about():
    failure = student_failure("conv2d", _raised("RuntimeError", "size mismatch"), hint=HINT)
    assert failure.message.fr == "`conv2d` a levé RuntimeError : size mismatch ; vérifiez les formes"
    assert failure.message.en == "`conv2d` raised RuntimeError: size mismatch; check the shapes"
    failure = student_failure("conv2d", _raised("ZeroDivisionError", "division by zero"), hint=HINT)
    assert "vérifiez les formes" not in failure.message.fr
    assert failure.message.fr.startswith("`conv2d` a levé ZeroDivisionError : division par zéro")
    assert failure.message.fr.endswith("(message d'origine : division by zero)")
    failure = student_failure("conv2d", _raised("KeyError", "'w'"), hint=HINT, on=("KeyError",))
    assert failure.message.en.endswith("; check the shapes")
    failure = student_failure("conv2d", _raised("RuntimeError", "size mismatch"))
    assert failure.message.fr.startswith("`conv2d` a levé RuntimeError : les formes (shape)"), (
        "without a hint of its own, the likely cause in French")
    assert "size mismatch" in failure.message.fr


def test_a_shape_hint_gives_way_to_a_cause_the_error_shows():
    """Blind round 7: `if b:` on a bias tensor was told "vérifiez les formes" after PyTorch's
    English text; the error says what it is, and the shape hint blamed the wrong thing."""
    raised = _raised("RuntimeError", "Boolean value of Tensor with more than one value is ambiguous")
    failure = student_failure("conv2d", raised, hint=HINT)
    assert "vérifiez les formes" not in failure.message.fr
    assert "if b is not None:" in failure.message.fr and "if b is not None:" in failure.message.en
    assert "(message d'origine : Boolean value of Tensor" in failure.message.fr
    numpy_truth = _raised("ValueError", "The truth value of an array with more than one element is ambiguous.")
    assert "valeur de vérité" in student_failure("conv2d", numpy_truth, hint=HINT).message.fr
    dtype = _raised("RuntimeError", "expected scalar type Float but found Double")
    assert "dtype" in student_failure("conv2d", dtype, hint=HINT).message.fr
