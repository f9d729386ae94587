"""One base for every error the grader explains to a person.

An instructor, a student or a CI admin reads these: each carries a bilingual `Message`, the
place it is about (commit, notebook, cell, check) and, when the message does not already say
it, the fix. The CLI turns any of them into one line and an exit code without knowing its
class; typed subclasses (ConfigError, ReleaseError, SubmissionError...) let callers react.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograder.results import Message


@dataclass(frozen=True)
class Place:
    """Where an error is: the parts that are known, the others empty."""

    commit: str = ""
    notebook: str = ""
    cell: str = ""
    check: str = ""

    def text(self, lang: str = "fr") -> str:
        labels = {"commit": "commit", "notebook": "notebook", "cell": "cellule" if lang == "fr" else "cell", "check": "test" if lang == "fr" else "check"}
        parts = [f"{labels[name]} {value}" for name, value in vars(self).items() if value]
        return ", ".join(parts)


class AutograderError(Exception):
    """An error with a message for people: what went wrong, where, and how to fix it.

    `str(exc)` stays one language (English by default, for logs and tracebacks); renderers
    and the CLI call `text(lang)`.
    """

    #: The language of `str(exc)`: English for grader-side errors, French for the student's.
    str_lang = "en"

    def __init__(self, message: Message, *, place: Place | None = None, fix: Message | None = None):
        self.message = message
        self.place = place or Place()
        self.fix = fix
        super().__init__(self.text(self.str_lang))

    def __reduce__(self) -> tuple:
        """Pickled by its fields, not by `args` (the one-language text): an error raised in a
        worker process (`prove --jobs 2`) reaches the parent whole, with its FR/EN message,
        whatever the subclass's own __init__ takes."""
        return (_rebuilt, (type(self), self.message, self.place, self.fix), self.__dict__)

    def text(self, lang: str = "fr") -> str:
        """The message, then the place and the fix when they were given apart from it."""
        out = self.message.text(lang)
        where = self.place.text(lang)
        if where:
            out = f"{out} ({where})"
        if self.fix is not None:
            out = f"{out} — {self.fix.text(lang)}"
        return out


def _rebuilt(cls: type[AutograderError], message: Message, place: Place, fix: Message | None) -> AutograderError:
    """An AutograderError (or subclass) from its fields, without calling the subclass's
    __init__ (see `AutograderError.__reduce__`); its other attributes come back as state."""
    exc = cls.__new__(cls)
    AutograderError.__init__(exc, message, place=place, fix=fix)
    return exc
