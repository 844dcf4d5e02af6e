"""German number, percent and date formats for everything an analyst reads."""

from __future__ import annotations

import math
from datetime import date, datetime
from zoneinfo import ZoneInfo

from deliverability.periods import parse_week, week_start

MINUS = "−"


def _group(digits: str) -> str:
    parts: list[str] = []
    while len(digits) > 3:
        parts.insert(0, digits[-3:])
        digits = digits[:-3]
    parts.insert(0, digits)
    return ".".join(parts)


def number(value: float | int | None, decimals: int = 0, *, sign: bool = False) -> str:
    """1234.5 → "1.234,5"; None/NaN → "–"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    rounded = round(float(value), decimals)
    negative = rounded < 0
    text = f"{abs(rounded):.{decimals}f}"
    whole, _, fraction = text.partition(".")
    result = _group(whole) + ("," + fraction if fraction else "")
    if negative:
        return MINUS + result
    if sign and rounded > 0:
        return "+" + result
    return result


def percent(share: float | None, decimals: int = 1) -> str:
    """0.012345 → "1,2 %"."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return f"{number(share * 100, decimals)} %"


def points(change: float | None, decimals: int = 1) -> str:
    """Change of a share in percentage points: 0.003 → "+0,3 Pp."."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return "–"
    return f"{number(change * 100, decimals, sign=True)} Pp."


def day(value: date | datetime) -> str:
    """23.11.2026"""
    return f"{value:%d.%m.%Y}"


#: German weekday abbreviations, Monday first (Duden: Mo., Di., …).
WEEKDAYS = ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So.")


def short_day(value: date | datetime) -> str:
    """Weekday and day, as in "Mo. 16.11." (chart axes)."""
    return f"{WEEKDAYS[value.weekday()]} {value:%d.%m.}"


def timestamp(value: datetime, timezone: str) -> str:
    """23.11.2026 14:05 in local time."""
    return f"{value.astimezone(ZoneInfo(timezone)):%d.%m.%Y %H:%M}"


def week_title(week: str, timezone: str = "Europe/Berlin") -> str:
    """2026-W47 → "KW 47/2026 (16.11.–22.11.2026)"."""
    year, number_ = parse_week(week)
    start = week_start(week, timezone)
    end = date.fromordinal(start.date().toordinal() + 6)
    return f"KW {number_}/{year} ({start:%d.%m.}–{day(end)})"


def enumeration(items: list[str]) -> str:
    """["a", "b", "c"] → "a, b und c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " und " + items[-1]
