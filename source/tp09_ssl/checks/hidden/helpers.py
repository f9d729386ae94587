"""TP09's code shared by its hidden checks (never released)."""

from __future__ import annotations

from autograder.checks import CheckFailed, StudentError


def call_marked(submission, helper: str, *args, name: str, what: str, errors: dict):
    """A trusted kernel helper that runs the student's `name`: a marker of `errors` in the
    error becomes its (French, English) message after `what`; `name` undefined is said so."""
    try:
        return submission.call(helper, *args)
    except StudentError as exc:
        for marker, (fr, en) in errors.items():
            if marker in exc.evalue:
                raise CheckFailed(f"{what} : {fr}", f"{what}: {en}") from None
        if exc.ename == "NameError" and exc.evalue == name:
            raise CheckFailed(
                f"`{name}` n'est pas définie dans votre notebook",
                f"`{name}` is not defined in your notebook",
            ) from None
        raise
