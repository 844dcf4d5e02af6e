"""Calendar periods (minute, hour, day, week, month) in a time zone, as epoch-second bounds."""

from __future__ import annotations

import bisect

import numpy as np

_FREQ = {"hour": "h", "day": "D", "week": "W-MON", "month": "MS"}
_HORIZON = {"hour": 86400 * 40, "day": 86400 * 800, "week": 86400 * 3000, "month": 86400 * 9000}


class Periods:
    """Start times of consecutive calendar periods; grows on demand towards later times.

    Days start at local midnight (DST-aware), weeks on Monday, months on the 1st.
    """

    def __init__(self, period: str, timezone: str, start: int) -> None:
        self.period = period
        self.timezone = timezone
        self.first = start
        self.bounds = np.empty(0, dtype=np.int64)
        self._list: list[int] = []
        if period != "minute":
            self._extend(start + _HORIZON[period])

    def _extend(self, until: int) -> None:
        import pandas as pd  # only where calendar periods are needed (start-up time)

        begin = pd.Timestamp(self.first - 40 * 86400, unit="s", tz="UTC").tz_convert(self.timezone)
        begin = begin.normalize().replace(day=1)
        end = pd.Timestamp(until, unit="s", tz="UTC").tz_convert(self.timezone) + pd.Timedelta(
            days=40
        )
        index = pd.date_range(begin, end, freq=_FREQ[self.period])
        self.bounds = index.as_unit("s").asi8.astype(np.int64)
        self._list = self.bounds.tolist()

    def _ensure(self, latest: int) -> None:
        while latest >= self._list[-1]:
            span = self._list[-1] - self.first
            self._extend(self.first + 2 * span)

    def next_start(self, times: np.ndarray) -> np.ndarray:
        """For each time, the start of the following period."""
        if self.period == "minute":
            return (times // 60 + 1) * 60
        if len(times):
            self._ensure(int(times.max()))
        return self.bounds[np.searchsorted(self.bounds, times, side="right")]

    def next_start_one(self, time: int) -> int:
        if self.period == "minute":
            return (time // 60 + 1) * 60
        self._ensure(time)
        return self._list[bisect.bisect_right(self._list, time)]

    def start_one(self, time: int) -> int:
        """The start of the period that holds `time`."""
        if self.period == "minute":
            return time // 60 * 60
        self._ensure(time)
        return self._list[bisect.bisect_right(self._list, time) - 1]
