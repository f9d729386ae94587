"""What crosses the bridge: the values a check passes and gets back (Ref, Tensor, Handle), the
read budget, and the errors a call raises (SubmissionError and its kinds)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from autograder.errors import AutograderError
from autograder.results import Message

if TYPE_CHECKING:
    from autograder.bridge.proxy import Submission


MiB = 1024 * 1024
MAX_JSON_BYTES = 16 * MiB
MAX_ARRAY_BYTES = 512 * MiB
DEFAULT_READ_BUDGET = 512 * MiB  # GradeOptions.answer_budget_mb


class SubmissionError(AutograderError):
    """Student code could not give an answer; `.message` is written for the student."""

    str_lang = "fr"


class StudentError(SubmissionError):
    def __init__(self, message: Message, ename: str = "", evalue: str = ""):
        super().__init__(message)
        self.ename, self.evalue = ename, evalue


class StudentTimeout(SubmissionError):
    pass


class KernelDied(SubmissionError):
    pass


class BadValue(SubmissionError):
    pass


@dataclass(frozen=True)
class Ref:
    """A kernel-side global, passed by name (a function the grader defined, say)."""

    name: str


@dataclass(frozen=True)
class Tensor:
    """Send an array that must arrive as a torch.Tensor."""

    array: np.ndarray
    requires_grad: bool = False


class Handle:
    """A kernel-side object that cannot cross as data (an nn.Module, a generator...)."""

    def __init__(self, sub: Submission, hid: int, type_name: str):
        self._sub, self.id, self.type_name = sub, hid, type_name

    def call(self, method: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        return self._sub._request(
            {"op": "method", "target": self.id, "name": method}, args, kwargs, timeout, f"{self.type_name}.{method}"
        )

    def get(self, attr: str) -> Any:
        return self._sub._request({"op": "attr", "target": self.id, "name": attr}, (), {}, None, f"{self.type_name}.{attr}")

    def __repr__(self) -> str:
        return f"<Handle {self.type_name} #{self.id}>"


class ReadBudget:
    """Bytes the grader may still read from one kernel, all calls of all checks together."""

    def __init__(self, total: int = DEFAULT_READ_BUDGET):
        self.total = total
        self.used = 0

    def take(self, n: int, label: str) -> None:
        """Count `n` bytes about to be read, or refuse them (the student's fault)."""
        if self.used + n > self.total:
            self.used = self.total  # spent: every later read is refused too
            mib = max(1, self.total // MiB)
            raise BadValue(
                Message(
                    fr=f"`{label}` : les valeurs renvoyées par votre notebook dépassent le volume total que le correcteur accepte ({mib} Mio pour toutes les vérifications) ; renvoyez des valeurs plus petites (pas de tableaux géants ni répétés)",
                    en=f"`{label}`: the values your notebook returned exceed the total the grader accepts ({mib} MiB for all checks together); return smaller values (no huge or repeated arrays)",
                )
            )
        self.used += n


def bad_value(label: str, fr: str, en: str) -> Message:
    return Message(fr=f"`{label}` a renvoyé une {fr}", en=f"`{label}` returned an {en}")
