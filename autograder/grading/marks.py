"""What a check is worth and which item it grades, read from its pytest markers.

`@pytest.mark.item("grade_id", points=1)` says both in one line; the older pair
`@pytest.mark.item("grade_id")` + `@pytest.mark.points(1)` still reads the same. A check
without an item grades the item named after its file; without points it is worth 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real
from typing import Protocol

from autograder.results import Message


class _Marked(Protocol):
    def get_closest_marker(self, name: str) -> object | None: ...


@dataclass(frozen=True)
class Marks:
    item: str
    points: float


class MarkError(ValueError):
    """Markers that contradict themselves (an author's mistake, reported on the check), with
    the marks to report beside it (the check scores 0 there): the item as named, the first
    readable points, else 1."""

    def __init__(self, message: Message, marks: Marks) -> None:
        super().__init__(message.en)
        self.message, self.marks = message, marks


def _is_points(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and value >= 0


def check_marks(test: _Marked, default_item: str) -> Marks:
    """The check's item and points; MarkError when `points=` and `@pytest.mark.points` both
    say it and disagree, or when points are not a number ≥ 0."""
    item_m = test.get_closest_marker("item")
    args = getattr(item_m, "args", ()) or ()
    kwargs = getattr(item_m, "kwargs", {}) or {}
    separate = getattr(test.get_closest_marker("points"), "args", ()) or ()
    item = str(args[0]) if args else default_item
    given = [("@pytest.mark.item(points=…)", kwargs["points"])] if "points" in kwargs else []
    given += [("@pytest.mark.points(…)", separate[0])] if separate else []
    readable = [float(v) for _, v in given if _is_points(v)]  # type: ignore[arg-type]
    fallback = Marks(item, readable[0] if readable else 1.0)
    for where, value in given:
        if not _is_points(value):
            raise MarkError(Message(
                fr=f"{where} : les points doivent être un nombre positif ou nul, pas {value!r}",
                en=f"{where}: points must be a number ≥ 0, not {value!r}",
            ), fallback)
    if len(readable) == 2 and readable[0] != readable[1]:
        inline, other = readable
        raise MarkError(Message(
            fr=f"@pytest.mark.item(points={inline:g}) et @pytest.mark.points({other:g}) se "
            "contredisent : gardez l'un des deux",
            en=f"@pytest.mark.item(points={inline:g}) and @pytest.mark.points({other:g}) "
            "disagree: keep one of them",
        ), fallback)
    return fallback
