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
    """Markers that contradict themselves (an author's mistake, reported on the check)."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.en)
        self.message = message


def _points(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not value >= 0:
        raise MarkError(Message(
            fr=f"{where} : les points doivent être un nombre positif ou nul, pas {value!r}",
            en=f"{where}: points must be a number ≥ 0, not {value!r}",
        ))
    return float(value)


def check_marks(test: _Marked, default_item: str) -> Marks:
    """The check's item and points; MarkError when `points=` and `@pytest.mark.points` both
    say it and disagree, or when points are not a number ≥ 0."""
    item_m = test.get_closest_marker("item")
    points_m = test.get_closest_marker("points")
    args = getattr(item_m, "args", ()) or ()
    kwargs = getattr(item_m, "kwargs", {}) or {}
    item = str(args[0]) if args else default_item
    from_marker = getattr(points_m, "args", ()) or ()
    inline = _points(kwargs["points"], "@pytest.mark.item(points=…)") if "points" in kwargs else None
    separate = _points(from_marker[0], "@pytest.mark.points(…)") if from_marker else None
    if inline is not None and separate is not None and inline != separate:
        raise MarkError(Message(
            fr=f"@pytest.mark.item(points={inline:g}) et @pytest.mark.points({separate:g}) se "
            "contredisent : gardez l'un des deux",
            en=f"@pytest.mark.item(points={inline:g}) and @pytest.mark.points({separate:g}) "
            "disagree: keep one of them",
        ))
    points = inline if inline is not None else separate
    return Marks(item, 1.0 if points is None else points)


def check_marks_lenient(test: _Marked, default_item: str = "") -> Marks:
    """The item and max points to report beside a MarkError (the check scores 0 there): the
    item as named, 1 point when none is readable."""
    item_m = test.get_closest_marker("item")
    args = getattr(item_m, "args", ()) or ()
    kwargs = getattr(item_m, "kwargs", {}) or {}
    for value in (kwargs.get("points"), *(getattr(test.get_closest_marker("points"), "args", ()) or ())):
        if isinstance(value, Real) and not isinstance(value, bool) and value >= 0:
            return Marks(str(args[0]) if args else default_item, float(value))
    return Marks(str(args[0]) if args else default_item, 1.0)
