"""German number, percent, date and week formats of the presentation (`views.format`)."""

from __future__ import annotations

from datetime import date

import pytest

from deliverability.views import format as fmt


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234.5, 1, "1.234,5"),
        (1234567, 0, "1.234.567"),
        (-0.5, 1, "−0,5"),
        (0, 0, "0"),
        (999.95, 1, "1.000,0"),
        (None, 0, "–"),
    ],
)
def test_german_numbers(value, decimals, expected):
    assert fmt.number(value, decimals) == expected


def test_german_percent_points_dates_weeks():
    assert fmt.percent(0.012345) == "1,2 %"
    assert fmt.percent(0.0011, 2) == "0,11 %"
    assert fmt.points(0.003) == "+0,3 Pp."
    assert fmt.points(-0.056) == "−5,6 Pp."
    assert fmt.day(date(2026, 11, 23)) == "23.11.2026"
    assert fmt.week_title("2026-W47") == "KW 47/2026 (16.11.–22.11.2026)"
    assert fmt.enumeration(["a", "b", "c"]) == "a, b und c"
