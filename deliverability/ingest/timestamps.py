"""Vectorized timestamp parsing: ISO 8601 (with or without offset), German dates, epoch."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

_ISO = (
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?$"
)
_GERMAN = r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$"
_EPOCH = r"^(\d{10}|\d{13})(?:\.(\d{1,6}))?$"
#: US date with a 12-hour clock (PowerShell and Exchange in en-US: 11/23/2026 9:15:02 AM); only
#: with AM/PM, which makes month-first certain (a bare 05/06/2026 could be either).
_US = r"^(\d{1,2})/(\d{1,2})/(\d{4}),? (\d{1,2}):(\d{2})(?::(\d{2}))? ?([AaPp])\.?[Mm]\.?$"

ACCEPTED_FORMATS_DE = (
    "ISO 8601 wie 2026-11-23T14:05:00+01:00 oder 2026-11-23 14:05, "
    "deutsches Datum wie 23.11.2026 14:05, US-Datum mit AM/PM wie 11/23/2026 2:05:00 PM "
    "oder Unix-Zeit in Sekunden/Millisekunden, zwischen 1990 und 2099"
)
#: The times an e-mail log can hold. Outside them a value is a placeholder (0001-01-01, Unix
#: second 0) or a typo, and would break every calendar computation after it.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def plausible(stamp: pl.Expr) -> pl.Expr:
    """`stamp` (UTC) where it lies between `EARLIEST` and `LATEST`, else null."""
    return pl.when(stamp.is_between(pl.lit(EARLIEST), pl.lit(LATEST), closed="left")).then(stamp)


def _naive(
    year: pl.Expr,
    month: pl.Expr,
    day: pl.Expr,
    hour: pl.Expr,
    minute: pl.Expr,
    second: pl.Expr,
    fraction: pl.Expr,
) -> pl.Expr:
    text = pl.format(
        "{}-{}-{} {}:{}:{}.{}",
        year,
        month.str.pad_start(2, "0"),
        day.str.pad_start(2, "0"),
        hour.fill_null("0").str.pad_start(2, "0"),
        minute.fill_null("00"),
        second.fill_null("00"),
        fraction.fill_null("0").str.slice(0, 6).str.pad_end(6, "0"),
    )
    return text.str.to_datetime("%Y-%m-%d %H:%M:%S%.6f", strict=False, time_unit="us")


def _offset_minutes(offset: pl.Expr) -> pl.Expr:
    digits = offset.str.replace(":", "", literal=True)
    sign = pl.when(digits.str.starts_with("-")).then(-1).otherwise(1)
    hours = digits.str.slice(1, 2).cast(pl.Int64, strict=False)
    minutes = digits.str.slice(3, 2).cast(pl.Int64, strict=False).fill_null(0)
    return pl.when(offset == "Z").then(0).otherwise(sign * (hours * 60 + minutes))


def _with_zone(naive: pl.Expr, offset: pl.Expr, timezone: str) -> pl.Expr:
    aware = naive.dt.replace_time_zone("UTC") - pl.duration(minutes=_offset_minutes(offset))
    local = naive.dt.replace_time_zone(
        timezone, ambiguous="earliest", non_existent="null"
    ).dt.convert_time_zone("UTC")
    return pl.when(offset.is_not_null()).then(aware).otherwise(local)


def parse_timestamp(column: pl.Expr, timezone: str) -> pl.Expr:
    """Parse a string column into UTC datetimes; unparseable values become null.

    Times without an offset are local times in `timezone` (DST-correct; a local time that
    does not exist because of the spring change is null, an ambiguous autumn time takes the
    earlier instant).
    """
    text = column.str.strip_chars()
    iso = text.str.extract_groups(_ISO)
    german = text.str.extract_groups(_GERMAN)
    epoch = text.str.extract_groups(_EPOCH)

    def field(groups: pl.Expr, index: int) -> pl.Expr:
        return groups.struct.field(str(index))

    from_iso = _with_zone(_naive(*(field(iso, i) for i in range(1, 8))), field(iso, 8), timezone)
    from_german = _with_zone(
        _naive(
            field(german, 3),
            field(german, 2),
            field(german, 1),
            field(german, 4),
            field(german, 5),
            field(german, 6),
            pl.lit(None, dtype=pl.String),
        ),
        field(german, 7),
        timezone,
    )
    us = text.str.extract_groups(_US)
    hour12 = field(us, 4).cast(pl.Int32, strict=False) % 12
    hour24 = pl.when(field(us, 7).str.to_lowercase() == "p").then(hour12 + 12).otherwise(hour12)
    from_us = _with_zone(
        _naive(
            field(us, 3),
            field(us, 1),
            field(us, 2),
            hour24.cast(pl.String),
            field(us, 5),
            field(us, 6),
            pl.lit(None, dtype=pl.String),
        ),
        pl.lit(None, dtype=pl.String),
        timezone,
    )
    digits = field(epoch, 1)
    micros = (
        pl.when(digits.str.len_chars() == 13)
        .then(digits.cast(pl.Int64, strict=False) * 1_000)
        .otherwise(digits.cast(pl.Int64, strict=False) * 1_000_000)
    )
    from_epoch = pl.from_epoch(micros, time_unit="us").dt.replace_time_zone("UTC")
    return plausible(
        pl.coalesce(from_iso, from_german, from_us, from_epoch).dt.cast_time_unit("us")
    )


#: strptime formats tried on a sample of a column (format, whether it carries an offset).
FAST_FORMATS: tuple[tuple[str, bool], ...] = (
    ("%Y-%m-%dT%H:%M:%S%z", True),
    ("%Y-%m-%d %H:%M:%S%z", True),
    ("%Y-%m-%dT%H:%M:%S%.f%z", True),
    ("%Y-%m-%dT%H:%M:%S", False),
    ("%Y-%m-%d %H:%M:%S", False),
    ("%Y-%m-%d %H:%M", False),
    ("%d.%m.%Y %H:%M:%S", False),
    ("%d.%m.%Y %H:%M", False),
)


def strptime_expr(text: pl.Expr, fmt: tuple[str, bool], timezone: str) -> pl.Expr:
    pattern, aware = fmt
    if aware:
        return plausible(
            text.str.to_datetime(pattern, strict=False, time_unit="us", time_zone="UTC")
        )
    return plausible(
        text.str.to_datetime(pattern, strict=False, time_unit="us")
        .dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
    )


def detect_timestamp_format(values: list[str | None], timezone: str) -> tuple[str, bool] | None:
    """The first fast format that reads every non-empty sample value the same way as
    `parse_timestamp` does (None: no single format fits; the general parser is used)."""
    sample = [v.strip() for v in values if v and v.strip()]
    if not sample:
        return None
    frame = pl.DataFrame({"t": sample})
    expected = frame.select(parse_timestamp(pl.col("t"), timezone)).to_series()
    if expected.null_count():
        return None
    for fmt in FAST_FORMATS:
        got = frame.select(strptime_expr(pl.col("t"), fmt, timezone)).to_series()
        if got.null_count() == 0 and got.equals(expected):
            return fmt
    return None


def parse_timestamps(values: pl.Series, timezone: str, *, sample: int = 2000) -> pl.Series:
    """`parse_timestamp` for a whole column, fast: the column's own format is detected on its
    first `sample` values and read with strptime; only values it leaves empty go through the
    general parser (the same trust as the streaming loader's fast lane)."""
    text = values.str.strip_chars()
    fmt = detect_timestamp_format(text.head(sample).to_list(), timezone)
    if fmt is None:
        return pl.select(parse_timestamp(pl.lit(text), timezone)).to_series().alias(values.name)
    frame = pl.DataFrame({"t": text}).with_columns(ts=strptime_expr(pl.col("t"), fmt, timezone))
    missing = frame.get_column("ts").is_null() & (frame.get_column("t").fill_null("") != "")
    if missing.any():
        rest = frame.filter(missing).select(parse_timestamp(pl.col("t"), timezone))
        filled = frame.get_column("ts").scatter(missing.arg_true(), rest.to_series())
        return filled.alias(values.name)
    return frame.get_column("ts").alias(values.name)
