"""Kernel-side helpers of TP08's public and hidden checks (shipped with the release)."""

from __future__ import annotations

from autograder.checks import (
    CheckFailed,
    StudentError,
    kernel_side,
    notebook_data_reads,
    student_failure,
)


@kernel_side
def inspect_model(modele):
    """What the checks read of a model the student built: is it a module, its size, its layers."""
    from torch import nn

    if not isinstance(modele, nn.Module):
        return {"module": False, "type": type(modele).__name__}
    mods = list(modele.modules())
    return {
        "module": True,
        "type": type(modele).__name__,
        "n_params": int(sum(p.numel() for p in modele.parameters() if p.requires_grad)),
        "n_conv": int(sum(isinstance(m, nn.Conv2d) for m in mods)),
        "n_pool": int(sum(isinstance(m, (nn.MaxPool2d, nn.AdaptiveMaxPool2d, nn.AvgPool2d,
                                         nn.AdaptiveAvgPool2d)) for m in mods)),
    }


def reads_notebook_data(submission, name: str) -> tuple[list[str], list[str]]:
    """(notebook arrays read, parameters) of the student's `name`; ([], []) when unreadable."""
    reads = notebook_data_reads(submission, name)
    return list(reads.variables[:6]), list(reads.params[:8])


def globals_message(name: str, read: list[str], params: list[str], what: tuple[str, str]):
    """The (French, English) sentence for `name` reading the notebook's arrays `read` instead of
    its arguments; `what` says what that did on the grader's data."""
    several = len(read) > 1
    shown = ", ".join(read)
    args = ", ".join(params)
    return (
        f"{name} lit {'les variables globales' if several else 'la variable globale'} du "
        f"notebook {shown} au lieu de ses arguments ({args}) : {what[0]} ; une fonction ne "
        "travaille que sur ce qu'on lui passe, utilisez ses arguments (le correcteur l'appelle "
        "sur d'autres données que celles du notebook)",
        f"{name} reads the notebook's global {'variables' if several else 'variable'} {shown} "
        f"instead of its arguments ({args}): {what[1]}; a function works only on what it is "
        "given, use its arguments (the grader calls it on other data than the notebook's)",
    )


def student_call(submission, name: str, *args, **kwargs):
    """submission.call(name, ...), an error the student's code raised turned into the check's
    failure: said in French as usual, or, when `name` reads the notebook's global arrays
    instead of its arguments (the likely cause on grader data of other sizes), saying so."""
    try:
        return submission.call(name, *args, **kwargs)
    except StudentError as exc:
        raise student_error(submission, name, exc) from None


def student_error(submission, name: str, exc):
    """The failure for the StudentError `exc` raised by the student's `name` (see student_call)."""
    if exc.ename not in ("NotImplementedError", "NameError"):
        read, params = reads_notebook_data(submission, name)
        if read:
            return CheckFailed(*globals_message(
                name, read, params,
                (f"sur les données du correcteur elle lève {exc.ename}",
                 f"on the grader's data it raises {exc.ename}"),
            ))
    return student_failure(name, exc)
