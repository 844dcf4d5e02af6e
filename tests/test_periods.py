"""ISO weeks in the analyst's time zone: where a week ends."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from deliverability.periods import week_end, week_start


@pytest.mark.parametrize(
    ("week", "monday_after"),
    [
        ("2026-W47", datetime(2026, 11, 23)),
        ("2026-W13", datetime(2026, 3, 30)),  # summer time starts on Sunday 29.03.
        ("2026-W43", datetime(2026, 10, 26)),  # summer time ends on Sunday 25.10.
        ("2026-W53", datetime(2027, 1, 4)),
    ],
)
def test_a_week_ends_at_local_midnight_of_the_monday_after(week, monday_after):
    berlin = ZoneInfo("Europe/Berlin")
    end = week_end(week, "Europe/Berlin")
    assert end.replace(tzinfo=None) == monday_after
    assert end.utcoffset() == monday_after.replace(tzinfo=berlin).utcoffset()
    assert week_start(week, "Europe/Berlin") < end
