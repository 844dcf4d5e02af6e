"""The general timestamp parser against a reference written with the standard library."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from deliverability.ingest.timestamps import (
    EARLIEST,
    LATEST,
    parse_one,
    parse_timestamp_values,
    with_timestamp,
)

ZONE = "Europe/Berlin"


def _local(naive: datetime) -> datetime | None:
    """A local time in ZONE as UTC: None where it does not exist, the earlier one where it
    is ambiguous (the documented choice)."""
    if not 1900 <= naive.year <= 2200:  # far outside the plausible times anyway
        return None
    zone = ZoneInfo(ZONE)
    first = naive.replace(tzinfo=zone, fold=0)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        return None  # skipped by the spring change
    return first.astimezone(UTC)


def reference(text: str | None) -> datetime | None:
    """What the parser must give, from the documented formats, written independently."""
    if text is None:
        return None
    text = text.strip()
    found = None
    if m := re.fullmatch(r"(\d{10}|\d{13})(?:\.\d{1,6})?", text):
        digits = m.group(1)
        seconds = int(digits) / 1000 if len(digits) == 13 else int(digits)
        found = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    else:
        offset = None
        iso = re.fullmatch(
            r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
            r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?",
            text,
        )
        german = re.fullmatch(
            r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
            r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?",
            text,
        )
        us = re.fullmatch(
            r"(\d{1,2})/(\d{1,2})/(\d{4}),? (\d{1,2}):(\d{2})(?::(\d{2}))? ?([AaPp])\.?[Mm]\.?",
            text,
        )
        try:
            if iso:
                y, mo, d, h, mi, s, frac, offset = iso.groups()
                micro = int((frac or "0")[:6].ljust(6, "0"))
                naive = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
                naive += timedelta(microseconds=micro)
            elif german:
                d, mo, y, h, mi, s, offset = german.groups()
                naive = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
            elif us:
                mo, d, y, h, mi, s, half = us.groups()
                hour = int(h) % 12 + (12 if half.lower() == "p" else 0)
                naive = datetime(int(y), int(mo), int(d), hour, int(mi), int(s or 0))
            else:
                return None
        except ValueError:  # 31.02., hour 25 …
            return None
        if offset is None:
            found = _local(naive)
        else:
            digits = offset.replace(":", "")
            minutes = 0 if offset == "Z" else int(digits[1:3]) * 60 + int(digits[3:5] or 0)
            sign = -1 if digits.startswith("-") else 1
            found = naive.replace(tzinfo=UTC) - timedelta(minutes=sign * minutes)
    if found is None or not EARLIEST <= found < LATEST:
        return None
    return found


EXAMPLES = [
    "2026-11-23T14:05:00+01:00",
    "2026-11-23 14:05",
    "2026-11-23T14:05:00.123456789Z",
    "2026-11-23T14:05:00,5 +0100",
    "2026-11-23T14:05:00-05",
    "2026-11-23",
    " 2026-11-23T10:00:00Z ",
    "2026-03-29 02:30",  # does not exist in Berlin
    "2026-10-25 02:30",  # exists twice: the earlier one
    "23.11.2026 14:05",
    "1.2.2026",
    "23.11.2026, 9:05:03 +01:00",
    "23.11.2026 9:05 Z",  # an offset other than Berlin's
    "31.02.2026 10:00",
    "11/23/2026 2:05:00 PM",
    "12/31/2026 12:00 AM",
    "12/31/2026 12:30 p.m.",
    "05/06/2026 10:00",  # month or day first: not read
    "1794906000",
    "1794906000123",
    "1794906000.25",
    "0001-01-01",
    "0",
    "kaputt",
    "",
    None,
]


def test_the_documented_formats_read_as_the_reference_reads_them():
    got = parse_timestamp_values(pl.Series(EXAMPLES, dtype=pl.String), ZONE).to_list()
    assert got == [reference(text) for text in EXAMPLES]
    assert got[8] == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the earlier 02:30
    assert parse_one("23.11.2026 14:05", ZONE) == datetime(2026, 11, 23, 13, 5, tzinfo=UTC)


_digits = st.integers
_texts = st.one_of(
    st.builds(
        "{:04d}-{:02d}-{:02d}{}{:d}:{:02d}:{:02d}{}".format,
        _digits(1985, 2105), _digits(0, 13), _digits(0, 32), st.sampled_from(["T", " "]),
        _digits(0, 25), _digits(0, 59), _digits(0, 59),
        st.sampled_from(["", "Z", "+01:00", "-0530", "+02", " +01:00"]),
    ),
    st.builds(
        "{:d}.{:d}.{:04d} {:d}:{:02d}{}".format,
        _digits(0, 32), _digits(0, 13), _digits(1985, 2105), _digits(0, 25), _digits(0, 59),
        st.sampled_from(["", " Z", " +03:00", "-0100"]),
    ),
    st.builds(
        "{:d}/{:d}/{:04d} {:d}:{:02d} {}".format,
        _digits(0, 13), _digits(0, 32), _digits(1985, 2105), _digits(0, 13), _digits(0, 59),
        st.sampled_from(["AM", "PM", "am", "p.m."]),
    ),
    st.builds(str, _digits(0, 4_200_000_000_000)),
    st.text(alphabet="0123456789-.:/ TZ+", max_size=25),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_texts, min_size=1, max_size=30))
def test_any_text_reads_as_the_reference_reads_it(texts):
    frame = pl.DataFrame(
        {"t": texts, "other": range(len(texts))}, schema_overrides={"t": pl.String}
    )
    got = with_timestamp(frame.lazy(), "t", ZONE, "ts").collect()
    assert got.columns == ["t", "other", "ts"]  # the helper columns are gone
    assert got.get_column("ts").to_list() == [reference(text) for text in texts]
