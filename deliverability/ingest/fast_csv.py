"""The streaming path for large generic CSV files: polars scans the file lazily.

Used when the file is plain (not gzip) UTF-8 with the canonical columns. The checks are the
same as in the eager loader (`generic_csv`); timestamps in the file's own format (detected
on a sample) are read by one strptime. Line numbers are record numbers + 1; `load_events`
re-reads the exact lines of rejected records (and falls back to the eager loader if polars
cannot parse the file at all, e.g. a line with too many fields).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from deliverability.ingest.addresses import clean_address, domain_of, normalize_domains
from deliverability.ingest.generic_csv import (
    _UNSTRIPPED,
    BOUNCE_TYPE_ALIASES,
    EVENT_ALIASES,
    FORMAT_NAME,
    _checks,
    _map_columns,
)
from deliverability.ingest.result import FileStats
from deliverability.ingest.text import detect_delimiter
from deliverability.ingest.timestamps import detect_timestamp_format, parse_timestamp_fast
from deliverability.schema import COLUMNS, DERIVED_COLUMNS, REJECTS_SCHEMA, conform

Loaded = tuple[pl.DataFrame, pl.DataFrame, FileStats]
_SAMPLE_BYTES = 1 << 20
_SAMPLE_ROWS = 2000


def _translated(column: pl.Expr, aliases: dict[str, str]) -> pl.Expr:
    """Lower case, then the canonical name of an alias (like `.replace`, but one lookup)."""
    lowered = column.str.to_lowercase()
    return lowered.replace_strict(aliases, default=lowered, return_dtype=pl.String)


def _column(name: str, mapping: dict[str, str]) -> pl.Expr:
    """A schema column from the file (empty fields are null already, see `scan_csv`)."""
    if name not in mapping:
        return pl.lit(None, dtype=pl.String).alias(name)
    source = pl.col(mapping[name])
    if name in _UNSTRIPPED or name in ("recipient", "timestamp"):  # stripped where parsed
        return source.alias(name)
    return source.str.strip_chars().replace("", None).alias(name)


@dataclass(frozen=True)
class CsvScan:
    """Lazy events and rejects of one file (rejects with record-based line numbers)."""

    events: pl.LazyFrame
    rejects: pl.LazyFrame
    blank_count: pl.LazyFrame
    delimiter: str
    ignored: tuple[str, ...]
    header_width: int


def scan_generic_csv(path: Path, timezone: str) -> CsvScan | None:
    """The lazy plan for a large generic CSV, or None when the file needs the eager loader."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_SAMPLE_BYTES)
    except OSError:
        return None
    if head[:2] == b"\x1f\x8b" or head.startswith(b"\xef\xbb\xbf"):
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not just a character cut at the sample's end
            return None
        text = head[: error.start].decode("utf-8")
    lines = text.split("\n")
    if len(lines) < 2:
        return None
    first = lines[0].rstrip("\r")
    delimiter = detect_delimiter(first, path)
    header = next(csv.reader([first], delimiter=delimiter))
    mapping, ignored = _map_columns(header, path)
    if len(set(header)) != len(header):
        return None
    sample = [
        next(csv.reader([line.rstrip("\r")], delimiter=delimiter), [])
        for line in lines[1:_SAMPLE_ROWS]
    ]
    position = int(mapping["timestamp"][1:])
    fmt = detect_timestamp_format(
        [row[position] if position < len(row) else None for row in sample], timezone
    )
    scan = pl.scan_csv(
        path,
        separator=delimiter,
        infer_schema=False,
        empty_string_is_null=True,
        quote_char='"',
        new_columns=[f"c{i}" for i in range(len(header))],
    ).with_row_index("__record", offset=2)
    named = (
        scan.select(
            pl.col("__record").cast(pl.Int64).alias("__line"),
            *[_column(c, mapping) for c in COLUMNS if c not in DERIVED_COLUMNS],
        )
        .with_columns(
            recipient=clean_address(pl.col("recipient")),
            __ts=parse_timestamp_fast(pl.col("timestamp"), timezone, fmt),
            __event=pl.col("event").str.to_lowercase().replace(EVENT_ALIASES),
            __bounce_type=pl.col("bounce_type").str.to_lowercase().replace(BOUNCE_TYPE_ALIASES),
            __reason=pl.col("reason").str.to_lowercase(),
        )
        .with_columns(__domain=domain_of(pl.col("recipient")))
    )
    # a blank line is a record of nulls: skipped like the eager loader does
    blank = pl.all_horizontal([pl.col(c).is_null() for c in COLUMNS if c in mapping])
    blanks = named.filter(blank).select(pl.len())
    named = named.filter(~blank)
    checks = _checks(timezone)
    bad = pl.any_horizontal([condition for _, condition, _ in checks])
    rejects = (
        named.filter(bad)
        .select(
            file=pl.lit(str(path)),
            line="__line",
            field=pl.concat_str(
                [pl.when(condition).then(pl.lit(name)) for name, condition, _ in checks],
                separator=", ",
                ignore_nulls=True,
            ),
            reason=pl.concat_str(
                [pl.when(condition).then(message) for _, condition, message in checks],
                separator=" ",
                ignore_nulls=True,
            ),
            raw=pl.lit(None, dtype=pl.String),
        )
        .cast(REJECTS_SCHEMA)
    )  # type: ignore[arg-type]
    good = named.filter(~bad).with_columns(
        timestamp=pl.col("__ts"),
        event=pl.col("__event"),
        bounce_type=pl.col("__bounce_type"),
        reason=pl.col("__reason"),
        smtp_code=pl.col("smtp_code").str.strip_chars().cast(pl.Int16),
        status=pl.col("status").str.strip_chars(),
        recipient_domain=pl.col("__domain"),
        source=pl.coalesce(pl.col("source"), pl.lit(FORMAT_NAME)),
        source_ref=pl.format("{}:{}", pl.lit(path.name), pl.col("__line")),
    )
    return CsvScan(conform(good), rejects, blanks, delimiter, ignored, len(header))


def exact_lines(path: Path, rejects: pl.DataFrame, delimiter: str) -> pl.DataFrame:
    """Replace record-based line numbers of rejects by the real line and raw text (records
    may span lines when a quoted field holds a line break)."""
    wanted = set(rejects.get_column("line").to_list())
    found: dict[int, tuple[int, str]] = {}
    last = max(wanted)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        next(reader, None)
        record, start = 2, reader.line_num + 1
        for row in reader:
            if record in wanted:
                found[record] = (start, delimiter.join(row))
            if record >= last:
                break
            record, start = record + 1, reader.line_num + 1
    return rejects.with_columns(
        line=pl.col("line").replace_strict(
            {k: v[0] for k, v in found.items()}, default=pl.col("line")
        ),
        raw=pl.col("line").replace_strict(
            {k: v[1] for k, v in found.items()}, default=None, return_dtype=pl.String
        ),
    )


def load_generic_csv_fast(path: Path, timezone: str) -> Loaded | None:
    """Load a large generic CSV through the streaming plan (None: use the eager loader)."""
    plan = scan_generic_csv(path, timezone)
    if plan is None:
        return None
    try:
        events, rejects, blanks = pl.collect_all(
            [plan.events, plan.rejects, plan.blank_count], engine="streaming"
        )
    except pl.exceptions.PolarsError:  # e.g. a line with too many fields: eager loader
        return None
    events = normalize_domains(events)
    if rejects.height:
        rejects = exact_lines(path, rejects, plan.delimiter)
    stats = FileStats(
        path=str(path),
        format=FORMAT_NAME,
        encoding="utf-8",
        delimiter=plan.delimiter,
        read=events.height + rejects.height,
        loaded=events.height,
        rejected=rejects.height,
        skipped_blank=int(blanks.item()),
        ignored_columns=plan.ignored,
    )
    return events, rejects, stats
