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


def test_an_ambiguous_truth_value_is_said_as_such_not_blamed_on_the_shapes():
    """Blind round 7 (TP03): `if b:` on a bias tensor raised PyTorch's English text followed by
    the shape hint; the hint's premise (a shape error) does not hold, the cause is said."""
    text = "Boolean value of Tensor with more than one value is ambiguous"
    failure = student_failure("conv2d", _raised("RuntimeError", text), hint=HINT)
    assert "vérifiez les formes" not in failure.message.fr
    assert failure.message.fr.startswith("`conv2d` a levé RuntimeError : la valeur de vérité d'un tenseur")
    assert "`if b is not None:`" in failure.message.fr and "`if b is not None:`" in failure.message.en
    assert failure.message.fr.endswith(f"(message d'origine : {text})")
    numpy_text = "The truth value of an array with more than one element is ambiguous. Use a.any() or a.all()"
    failure = student_failure("f", _raised("ValueError", numpy_text), hint=HINT)
    assert "check the shapes" not in failure.message.en
    assert "`if b is not None:`" in failure.message.en


def test_the_shape_hint_checks_its_premise_first():
    """An error whose text shows another known cause (an in-place operation on a leaf that
    requires grad, a dtype) gets that cause, not the shape hint; a shape error keeps it."""
    leaf = "a leaf Variable that requires grad is being used in an in-place operation."
    failure = student_failure("max_pool2d", _raised("RuntimeError", leaf), hint=HINT)
    assert "vérifiez les formes" not in failure.message.fr
    assert "problème de graphe de calcul (requires_grad)" in failure.message.fr
    dtype = "expected scalar type Double but found Float"
    failure = student_failure("conv2d", _raised("RuntimeError", dtype), hint=HINT)
    assert "check the shapes" not in failure.message.en and "incompatible data types" in failure.message.en
    shape = "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"
    failure = student_failure("conv2d", _raised("RuntimeError", shape), hint=HINT)
    assert failure.message.fr.endswith("; vérifiez les formes")
    failure = student_failure("conv2d", _raised("RuntimeError", "something else"), hint=HINT)
    assert failure.message.fr.endswith("; vérifiez les formes"), "no known cause: the hint stays"


def test_a_tensor_modified_in_place_is_said_alone_without_detach_advice():
    """Blind round 21 (TP09): `z /= z.norm(...)` in nt_xent made backward() raise "modified by
    an inplace operation"; the message named NumPy, a loss not depending on the parameters and
    ".detach()" too. That text now gets its one cause, the in-place operation."""
    text = (
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.FloatTensor [16, 4]], which is output 0 of DivBackward0, is at version 1"
    )
    failure = student_failure("nt_xent", _raised("RuntimeError", text), hint=HINT)
    assert "une opération sur place" in failure.message.fr and "in-place operation" in failure.message.en
    assert ".detach()" not in failure.message.fr and "NumPy" not in failure.message.fr
    assert "vérifiez les formes" not in failure.message.fr
    leaf = "a leaf Variable that requires grad is being used in an in-place operation."
    assert "problème de graphe de calcul" in student_failure("f", _raised("RuntimeError", leaf)).message.fr
