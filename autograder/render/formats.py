"""Numbers, points and dates as a reader of each language writes them.

One module for every renderer (feedback.md/html, the terminal, summary.html, moodle.csv's
comments), so a French student reads "16,5 / 20" and "3 décembre 2026 à 18:05" everywhere,
and an English one "16.5 / 20" and "3 December 2026 at 18:05". Machine-read files
(grade.json, junit.xml's properties, grades.csv, Moodle's grade column) keep the dot.

Dates are shown in one time zone: the course's `timezone` option (an IANA name such as
Europe/Paris, or a fixed offset such as +01:00), else the deadline's zone for a class, else
the zone the date was written in.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_MONTHS = {
    "fr": (
        "janvier", "février", "mars", "avril", "mai", "juin",
        "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}
_OFFSET = re.compile(r"^(?:UTC)?([+-])(\d{1,2})(?::?(\d{2}))?$")


def _lang(lang: str | None) -> str:
    return "en" if lang == "en" else "fr"


def fmt_num(x: float | None, lang: str | None = None) -> str:
    """12.5 -> "12.5" ("12,5" in French), 20.0 -> "20", 1/3 -> "0.33".

    Without `lang` the dot is kept: for files a program reads.
    """
    if x is None or not math.isfinite(x):
        return str(x)
    r = round(float(x), 2)
    text = str(int(r)) if r == int(r) else f"{r:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "fr" else text


def fmt_points(score: float | None, max_score: float | None, lang: str | None = None) -> str:
    """"16,5 / 20": a score out of its maximum."""
    return f"{fmt_num(score, lang)} / {fmt_num(max_score, lang)}"


def fmt_percent(fraction: float, lang: str | None = None) -> str:
    """0.1 -> "10 %" in French (a space before %), "10%" in English."""
    value = fmt_num(100 * fraction, lang)
    return f"{value} %" if _lang(lang) == "fr" else f"{value}%"


def parse_zone(name: str) -> tzinfo:
    """An IANA zone ("Europe/Paris"), "UTC", or a fixed offset ("+01:00", "UTC-05:00").

    Raises ValueError with the accepted forms when `name` is none of them.
    """
    text = name.strip()
    if text.upper() in ("UTC", "Z"):
        return UTC
    m = _OFFSET.match(text)
    if m:
        sign = -1 if m[1] == "-" else 1
        delta = timedelta(hours=int(m[2]), minutes=int(m[3] or 0))
        if delta >= timedelta(hours=24):
            raise ValueError(f"offset out of range: {name!r}")
        return timezone(sign * delta)
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}: an IANA name (Europe/Paris), UTC, or an offset (+01:00)"
        ) from None


def zone_of(when: datetime) -> str:
    """The name `parse_zone` reads back for the zone of an aware datetime ("+01:00")."""
    offset = when.utcoffset() or timedelta(0)
    if isinstance(when.tzinfo, ZoneInfo):
        return when.tzinfo.key
    if offset == timedelta(0):
        return "UTC"
    return _offset_label(offset).removeprefix("UTC")


def _offset_label(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    h, m = divmod(abs(minutes), 60)
    return f"UTC{sign}{h:02d}:{m:02d}"


def _zone_label(when: datetime) -> str:
    if isinstance(when.tzinfo, ZoneInfo):
        return when.tzinfo.key
    offset = when.utcoffset() or timedelta(0)
    return "UTC" if offset == timedelta(0) else _offset_label(offset)


def fmt_date(value: str | datetime | None, lang: str | None = None, tz: str | None = None) -> str:
    """ISO 8601 -> "3 décembre 2026 à 18:05 (Europe/Paris)" / "3 December 2026 at 18:05 (...)".

    `tz` converts the date to that zone first (see `parse_zone`); without it the date keeps
    the zone it was written in. Text that is no ISO date is returned as it is (it may come
    from a commit: the caller escapes it).
    """
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        when = value
    else:
        try:
            when = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            return str(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if tz:
        try:
            when = when.astimezone(parse_zone(tz))
        except ValueError:
            pass  # an unchecked zone never hides the date
    lang = _lang(lang)
    month = _MONTHS[lang][when.month - 1]
    zone = _zone_label(when)
    if lang == "fr":
        day = "1er" if when.day == 1 else str(when.day)
        return f"{day} {month} {when.year} à {when:%H:%M} ({zone})"
    return f"{when.day} {month} {when.year} at {when:%H:%M} ({zone})"
