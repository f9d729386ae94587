"""What a student's function raised, as the failure of the check that called it.

TP03 and TP07 turn a `StudentError` into the same three messages: not implemented yet, not
defined, or "`f` a levé …" with the student's error, plus a hint for the errors a wrong shape
raises. This is that mapping, in one wording.
"""

from __future__ import annotations

from collections.abc import Collection

from autograder.bridge.values import StudentError
from autograder.checks.errors import (
    CheckFailed,
    explain_student_error,
    explained_elsewhere,
    show_expected,
    without_sizes,
)
from autograder.results import Message

#: The errors a wrong shape usually raises in PyTorch code.
TORCH_SHAPE_ERRORS = ("RuntimeError", "IndexError", "ValueError", "TypeError")


def sizes_hidden(exc: StudentError) -> StudentError:
    """`exc` as a hidden check may show it: in a hidden check (`show_expected()` is False), a
    copy whose texts have their sizes replaced by `n` (`without_sizes`), since a shape error
    names the sizes of the grader's hidden inputs; in a public check, `exc` itself. Its kind
    (`ename`) is kept, so the French cause it gives (`student_failure`, a TP's own mapping)
    is the same."""
    if show_expected():
        return exc
    message = exc.message
    return StudentError(Message(without_sizes(message.fr), without_sizes(message.en)),
                        exc.ename, without_sizes(exc.evalue))


def student_failure(
    name: str,
    exc: StudentError,
    *,
    hint: tuple[str, str] | None = None,
    on: Collection[str] = TORCH_SHAPE_ERRORS,
) -> CheckFailed:
    """The failure for `exc`, raised by the student's `name`: a NotImplementedError asks to
    fill in the cell, a NameError on `name` itself to define it; otherwise the error's kind
    and text, followed by the (French, English) `hint` when its kind is in `on` (and its text
    shows no other known cause: `if b:` on a tensor, the graph, a dtype, a device), or else by
    its likely cause (`explain_student_error`)."""
    if exc.ename == "NotImplementedError":
        return CheckFailed(
            f"`{name}` n'est pas encore implémentée (NotImplementedError) : complétez la cellule réponse",
            f"`{name}` is not implemented yet (NotImplementedError): fill in the answer cell",
        )
    if exc.ename == "NameError" and exc.evalue == name:
        return CheckFailed(
            f"`{name}` n'est pas défini dans votre notebook : exécutez/complétez la cellule qui le définit",
            f"`{name}` is not defined in your notebook: complete the cell that defines it",
        )
    # The hint is about the shapes: not for an error whose text shows another cause (`if b:` on
    # a tensor, an in-place operation on a leaf that requires grad, a dtype), said instead.
    if hint is not None and exc.ename in on and not explained_elsewhere(exc.evalue):
        return CheckFailed(f"`{name}` a levé {exc.ename} : {exc.evalue} ; {hint[0]}",
                           f"`{name}` raised {exc.ename}: {exc.evalue}; {hint[1]}")
    # No hint of the check's own: the likely cause said in French, the original kept.
    return CheckFailed(explain_student_error(name, exc.ename, exc.evalue))
