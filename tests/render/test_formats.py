"""render.formats: French readers get 16,5 and French dates, English ones 16.5."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from autograder.config import ConfigError, GradeOptions
from autograder.render.formats import (
    fmt_date,
    fmt_num,
    fmt_percent,
    fmt_points,
    parse_zone,
    zone_of,
)


@pytest.mark.parametrize(
    ("x", "fr", "en", "machine"),
    [(16.5, "16,5", "16.5", "16.5"), (20.0, "20", "20", "20"), (1 / 3, "0,33", "0.33", "0.33"),
     (0.0, "0", "0", "0"), (-1.25, "-1,25", "-1.25", "-1.25")],
)
def test_numbers(x, fr, en, machine):
    assert fmt_num(x, "fr") == fr and fmt_num(x, "en") == en and fmt_num(x) == machine


def test_points_and_percent():
    assert fmt_points(16.5, 20, "fr") == "16,5 / 20" and fmt_points(16.5, 20, "en") == "16.5 / 20"
    assert fmt_percent(0.1, "fr") == "10 %" and fmt_percent(0.125, "en") == "12.5%"


def test_french_date_in_the_zone_asked():
    assert fmt_date("2026-12-03T17:05:00+00:00", "fr", "Europe/Paris") == "3 décembre 2026 à 18:05 (Europe/Paris)"
    assert fmt_date("2026-12-01T08:00:00Z", "fr", "Europe/Paris") == "1er décembre 2026 à 09:00 (Europe/Paris)"
    # Summer time: the IANA zone knows it.
    assert fmt_date("2026-07-14T10:00:00+00:00", "fr", "Europe/Paris") == "14 juillet 2026 à 12:00 (Europe/Paris)"


def test_english_date_and_a_fixed_offset():
    assert fmt_date("2026-12-03T17:05:00+00:00", "en", "+01:00") == "3 December 2026 at 18:05 (UTC+01:00)"
    assert fmt_date("2026-12-03T17:05:00+00:00", "en") == "3 December 2026 at 17:05 (UTC)"


def test_without_a_zone_the_date_keeps_its_own():
    assert fmt_date("2024-10-01T12:34:56+02:00", "fr") == "1er octobre 2024 à 12:34 (UTC+02:00)"


def test_text_that_is_no_date_is_kept():
    assert fmt_date("pas une date", "fr") == "pas une date" and fmt_date(None) == ""


def test_zones_accepted_and_read_back():
    assert parse_zone("UTC") is UTC
    assert parse_zone("-05:30").utcoffset(None) == -timedelta(hours=5, minutes=30)
    deadline = datetime.fromisoformat("2026-12-01T23:59:00+01:00")
    assert parse_zone(zone_of(deadline)).utcoffset(None) == timedelta(hours=1)
    assert zone_of(datetime(2026, 1, 1, tzinfo=UTC)) == "UTC"
    for bad in ("Mars/Olympus", "+25:00", ""):
        with pytest.raises(ValueError):
            parse_zone(bad)


def test_timezone_option_is_checked_and_documented():
    assert GradeOptions(timezone="Europe/Paris").timezone == "Europe/Paris"
    with pytest.raises(ConfigError) as info:
        GradeOptions().with_overrides({"timezone": "Europe/Pariss"})
    assert "Europe/Pariss" in info.value.message.fr
