"""ISO weeks in the analyst's time zone."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from deliverability.errors import ConfigError, InputError

#: The ways a week is written: ISO (``2026-W47``) and German (``KW 47/2026``, ``KW47 2026``,
#: ``47/2026``), as every German output writes it.
_WEEK_FORMS = (
    re.compile(r"^(?P<year>\d{4})-?W(?P<week>\d{1,2})$", re.I),
    re.compile(r"^(?:KW\s*)?(?P<week>\d{1,2})\s*[/ ]\s*(?P<year>\d{4})$", re.I),
)
#: The forms named in error messages.
WEEK_EXAMPLES = "2026-W47, KW 47/2026, KW47 2026 oder 47/2026"


def parse_week(text: str) -> tuple[int, int]:
    """(year, week) of an ISO week written as ``2026-W47``, ``KW 47/2026``, ``KW47 2026`` or
    ``47/2026``."""
    cleaned = " ".join(text.split())
    match = next((m for form in _WEEK_FORMS if (m := form.match(cleaned))), None)
    if not match:
        raise ConfigError(f"„{text}“ ist keine Kalenderwoche; erwartet wird z. B. {WEEK_EXAMPLES}.")
    year, week = int(match.group("year")), int(match.group("week"))
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError as error:
        raise ConfigError(f"Die Kalenderwoche {text} gibt es nicht.") from error
    return year, week


def week_label(year: int, week: int) -> str:
    return f"{year}-W{week:02d}"


def normalize_week(text: str) -> str:
    """The ISO label (``2026-W47``) of a week written in any of the accepted forms."""
    return week_label(*parse_week(text))


def previous_week(text: str) -> str:
    year, week = parse_week(text)
    monday = date.fromisocalendar(year, week, 1) - timedelta(days=7)
    iso = monday.isocalendar()
    return week_label(iso.year, iso.week)


def week_start(text: str, timezone: str) -> datetime:
    """Monday 00:00 of the week, in `timezone`."""
    year, week = parse_week(text)
    return datetime.combine(
        date.fromisocalendar(year, week, 1), datetime.min.time(), tzinfo=ZoneInfo(timezone)
    )


def week_end(text: str, timezone: str) -> datetime:
    """Monday 00:00 of the week after, in `timezone`: the first moment not in the week (local
    clock arithmetic, so a change to or from summer time inside the week does not shift it)."""
    return week_start(text, timezone) + timedelta(days=7)


def week_expr(timestamp: pl.Expr, timezone: str) -> pl.Expr:
    """ISO week label (``2026-W47``) of UTC timestamps, in local time."""
    return week_of_day(day_expr(timestamp, timezone))


def week_of_day(day: pl.Expr) -> pl.Expr:
    """ISO week label (``2026-W47``) of local calendar days."""
    return day.dt.strftime("%G-W%V")


def day_expr(timestamp: pl.Expr, timezone: str) -> pl.Expr:
    """Local calendar day of UTC timestamps."""
    return timestamp.dt.convert_time_zone(timezone).dt.date()


def resolve_week(weeks: Iterable[str | None], week: str | None) -> str:
    """The requested week, or the latest of `weeks` (the weeks in the data); an unknown week
    is an error that names the weeks there are."""
    present = sorted({w for w in weeks if w})
    if not present:
        raise InputError("Die Eingabedateien enthalten keine verwertbaren Ereignisse.")
    if not week:
        return present[-1]
    week = normalize_week(week)
    if week not in present:
        raise ConfigError(
            f"Für die Woche {week} gibt es keine Daten. Vorhandene Wochen: {', '.join(present)}."
        )
    return week
