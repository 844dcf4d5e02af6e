"""Vectorized timestamp parsing: ISO 8601 (with or without offset), German dates, epoch."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeVar

import polars as pl

from deliverability.text_expr import format_text

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
    text = format_text(
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


Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

#: Helper columns of `with_timestamp`, dropped before it returns.
_PARTS = ("__stamp_iso", "__stamp_german", "__stamp_us", "__stamp_epoch")
_BUILT = ("__stamp_naive", "__stamp_offset")


def with_timestamp(frame: Frame, column: str, timezone: str, name: str) -> Frame:
    """`frame` with column `name`: the text column `column` parsed into UTC datetimes;
    unparseable values become null.

    Times without an offset are local times in `timezone` (DST-correct; a local time that
    does not exist because of the spring change is null, an ambiguous autumn time takes the
    earlier instant).

    Built in steps over columns: each pattern runs once, and the fields of the formats (which
    exclude each other by their separators) are combined before one date and one time-zone
    conversion are made. As one expression, polars evaluated the patterns again for every
    field they gave (ten times the time).
    """
    text = pl.col(column).str.strip_chars()
    iso, german, us, epoch = (pl.col(part) for part in _PARTS)

    def field(groups: pl.Expr, index: int) -> pl.Expr:
        return groups.struct.field(str(index))

    hour12 = field(us, 4).cast(pl.Int32, strict=False) % 12
    hour24 = pl.when(field(us, 7).str.to_lowercase() == "p").then(hour12 + 12).otherwise(hour12)
    micros = (
        pl.when(epoch.str.len_chars() == 13)
        .then(epoch.cast(pl.Int64, strict=False) * 1_000)
        .otherwise(epoch.cast(pl.Int64, strict=False) * 1_000_000)
    )
    from_epoch = pl.from_epoch(micros, time_unit="us").dt.replace_time_zone("UTC")
    from_text = _with_zone(pl.col(_BUILT[0]), pl.col(_BUILT[1]), timezone)
    return (
        frame.with_columns(
            text.str.extract_groups(_ISO).alias(_PARTS[0]),
            text.str.extract_groups(_GERMAN).alias(_PARTS[1]),
            text.str.extract_groups(_US).alias(_PARTS[2]),
            text.str.extract(_EPOCH, 1).alias(_PARTS[3]),
        )
        .with_columns(
            _naive(
                pl.coalesce(field(iso, 1), field(german, 3), field(us, 3)),
                pl.coalesce(field(iso, 2), field(german, 2), field(us, 1)),
                pl.coalesce(field(iso, 3), field(german, 1), field(us, 2)),
                pl.coalesce(field(iso, 4), field(german, 4), hour24.cast(pl.String)),
                pl.coalesce(field(iso, 5), field(german, 5), field(us, 5)),
                pl.coalesce(field(iso, 6), field(german, 6), field(us, 6)),
                field(iso, 7),
            ).alias(_BUILT[0]),
            pl.coalesce(field(iso, 8), field(german, 7)).alias(_BUILT[1]),
        )
        .with_columns(
            plausible(pl.coalesce(from_text, from_epoch).dt.cast_time_unit("us")).alias(name)
        )
        .drop(*_PARTS, *_BUILT)
    )


def parse_timestamp_values(values: pl.Series, timezone: str) -> pl.Series:
    """`with_timestamp` for a series of texts (name kept)."""
    frame = pl.DataFrame({"t": values.cast(pl.String)})
    return with_timestamp(frame, "t", timezone, "ts").get_column("ts").alias(values.name)


def parse_one(text: str, timezone: str) -> datetime | None:
    """`with_timestamp` for one text."""
    value: datetime | None = parse_timestamp_values(pl.Series([text]), timezone).item()
    return value


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
    `with_timestamp` does (None: no single format fits; the general parser is used)."""
    sample = [v.strip() for v in values if v and v.strip()]
    if not sample:
        return None
    frame = pl.DataFrame({"t": sample})
    expected = parse_timestamp_values(frame.get_column("t"), timezone)
    if expected.null_count():
        return None
    for fmt in FAST_FORMATS:
        got = frame.select(strptime_expr(pl.col("t"), fmt, timezone)).to_series()
        if got.null_count() == 0 and got.equals(expected):
            return fmt
    return None


def parse_timestamps(values: pl.Series, timezone: str, *, sample: int = 2000) -> pl.Series:
    """`with_timestamp` for a whole column, fast: the column's own format is detected on its
    first `sample` values and read with strptime; only values it leaves empty go through the
    general parser (the same trust as the streaming loader's fast lane)."""
    text = values.str.strip_chars()
    fmt = detect_timestamp_format(text.head(sample).to_list(), timezone)
    if fmt is None:
        return parse_timestamp_values(text, timezone).alias(values.name)
    frame = pl.DataFrame({"t": text}).with_columns(ts=strptime_expr(pl.col("t"), fmt, timezone))
    missing = frame.get_column("ts").is_null() & (frame.get_column("t").fill_null("") != "")
    if missing.any():
        rest = parse_timestamp_values(frame.filter(missing).get_column("t"), timezone)
        filled = frame.get_column("ts").scatter(missing.arg_true(), rest)
        return filled.alias(values.name)
    return frame.get_column("ts").alias(values.name)
