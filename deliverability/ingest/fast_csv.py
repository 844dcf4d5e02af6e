"""The streaming path for large generic CSV files: polars scans the file lazily.

Used when the file is plain (not gzip) UTF-8 with the canonical columns. Rows already in
canonical shape (exact event names, nothing to strip, the file's own time format detected
on a sample) take a fast lane; every other row goes through the same checks as the eager
loader (`generic_csv`), so both give the same events and rejects. Line numbers are record
numbers + 1. Where a record may be short (its last field is empty) or a field holds a line
break, `load_generic_csv_fast` counts the delimiters of every physical line and hands files
with short rows or quoted line breaks to the eager loader (polars cannot tell a missing field
from an empty one), as it does files with lines of too many fields. (The lazy
`scan_events` path skips that check: it counts records, reads short rows with empty
trailing fields, and leaves IDN domains in Unicode.)
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from deliverability.addresses import clean_address, domain_of, normalize_domains
from deliverability.encodings import REPLACED
from deliverability.errors import InputError
from deliverability.ingest import vocabulary
from deliverability.ingest.generic_csv import (
    _RAW,
    FORMAT_NAME,
    _checks,
    _map_columns,
    _stripped,
    field_count_problem,
)
from deliverability.ingest.recipients import CONTROL_CHARACTERS
from deliverability.ingest.result import FileStats
from deliverability.ingest.text import detect_delimiter, wide_encoding
from deliverability.ingest.timestamps import (
    detect_timestamp_format,
    strptime_expr,
    with_timestamp,
)
from deliverability.schema import (
    BOUNCE_TYPES,
    COLUMNS,
    DERIVED_COLUMNS,
    EVENTS,
    REJECTS_SCHEMA,
    conform,
)
from deliverability.taxonomy import REASON_IDS
from deliverability.text_expr import format_text

Loaded = tuple[pl.DataFrame, pl.DataFrame, FileStats]
_SAMPLE_BYTES = 1 << 20
#: Characters `clean_address` strips at either end of an address, the mark of a byte that
#: was invalid in the file's encoding and the control characters (the full checks reject an
#: address with either of the last two).
_EDGE = (" ", "<", ">", REPLACED, *CONTROL_CHARACTERS)
#: Rows of a file's head on which its time format is judged.
_SAMPLE_ROWS = 2000


@dataclass(frozen=True)
class CsvScan:
    """Lazy events and rejects of one file (rejects with record-based line numbers)."""

    events: pl.LazyFrame
    rejects: pl.LazyFrame
    blank_count: pl.LazyFrame
    delimiter: str
    ignored: tuple[str, ...]
    header_width: int
    #: With `read_once`: whether a record may be short or span lines (then the exact check
    #: `irregular_lines` decides); False when the last field of every record is present and
    #: there are as many records as lines.
    suspicious: bool = True


@dataclass(frozen=True)
class Sniffed:
    """What the head of a generic CSV says: separator, header, columns, time format."""

    delimiter: str
    header: list[str]
    mapping: dict[str, str]
    ignored: tuple[str, ...]
    time_format: tuple[str, bool] | None
    #: The fields of the records in the head (up to `_SAMPLE_ROWS` lines), as judged.
    sample: list[list[str]]


def sniff(path: Path, timezone: str) -> Sniffed | None:
    """The shape of the file from its first bytes, or None when it needs the eager loader."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_SAMPLE_BYTES)
    except OSError:
        return None
    if head[:2] == b"\x1f\x8b" or head.startswith(b"\xef\xbb\xbf") or wide_encoding(head):
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not just a character cut at the sample's end
            return None
        text = head[: error.start].decode("utf-8")
    lines = text.split("\n")
    if len(lines) < 2 or "\r" in text.replace("\r\n", "\n"):  # a lone CR: eager loader
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
    return Sniffed(delimiter, header, mapping, ignored, fmt, sample)


def fast_lane(
    raw: pl.LazyFrame, fmt: tuple[str, bool] | None, timezone: str, ragged: pl.Expr
) -> pl.LazyFrame:
    """Mark the rows that are already in canonical shape (`__fast`); `ragged` marks the rows
    with more fields than the header (cut to the header's by the scan, rejected)."""
    # Fast lane: rows already in canonical shape (exact names, nothing to strip, the file's
    # own time format). For them the full checks below would change nothing, so they are
    # taken as they are. Every other row goes through the full checks (slow lane).
    after_at = pl.col("recipient").str.split("@").list.last()
    # no space, control character or angle bracket anywhere: nothing for `clean_address` to
    # strip, and the domain after the @ cannot start with a space either
    plain = ~pl.col("recipient").str.contains_any(list(_EDGE))
    raw = raw.with_columns(
        __fast_ts=strptime_expr(pl.col("timestamp"), fmt, timezone) if fmt else pl.lit(None),
        __fast_domain=pl.when(pl.col("recipient").str.contains("@", literal=True)).then(after_at),
    )
    optional = [
        ("bounce_type", pl.col("bounce_type").is_in(list(BOUNCE_TYPES))),
        ("reason", pl.col("reason").is_in(list(REASON_IDS))),
        ("smtp_code", pl.col("smtp_code").str.contains(r"^[2-5]\d\d$")),
        ("status", pl.col("status").str.contains(r"^[245]\.\d{1,3}\.\d{1,3}$")),
    ]
    fast_ok = (
        pl.col("__fast_ts").is_not_null()
        & pl.col("__fast_domain").is_not_null()
        & (pl.col("__fast_domain").str.len_bytes() > 0)
        & ~pl.col("__fast_domain").str.ends_with(".")
        & plain
        & pl.col("event").is_in(list(EVENTS))
        & pl.all_horizontal([pl.col(c).is_null() | ok for c, ok in optional])
        & ~ragged
    )
    return raw.with_columns(__fast=fast_ok.fill_null(False))


def fast_rows(raw: pl.LazyFrame, path: Path, *, every_row: bool = False) -> pl.LazyFrame:
    """The rows of the fast lane, finished: nothing to check, nothing to clean (`every_row`:
    all rows are known to be in it; then no filter copies the columns)."""
    rows = raw if every_row else raw.filter(pl.col("__fast"))
    return rows.with_columns(
        timestamp=pl.col("__fast_ts"),
        recipient_domain=pl.col("__fast_domain").str.to_lowercase(),
        smtp_code=pl.col("smtp_code").cast(pl.Int16),
        source=pl.coalesce(pl.col("source"), pl.lit(FORMAT_NAME)),
        source_ref=format_text("{}:{}", pl.lit(path.name), pl.col("__line")),
    )


def slow_lane(
    raw: pl.LazyFrame,
    path: Path,
    timezone: str,
    mapping: dict[str, str],
    ragged: dict[int, str],
) -> tuple[pl.LazyFrame, pl.LazyFrame, pl.LazyFrame]:
    """Every other row through the full checks: (good rows, rejects, count of blank lines).
    `ragged`: the German problem of each line with more fields than the header, as the eager
    loader words it (checked first, like there)."""
    named = (
        raw.filter(~pl.col("__fast"))
        .select(
            "__line",
            *[_stripped(c) for c in COLUMNS if c not in DERIVED_COLUMNS],
        )
        .with_columns(
            recipient=clean_address(pl.col("recipient")),
            __event=vocabulary.event_expr(pl.col("event")),
            __bounce_type=vocabulary.bounce_type_expr(pl.col("bounce_type"), pl.col("event")),
            __reason=pl.col("reason").str.to_lowercase(),
        )
        .with_columns(__domain=domain_of(pl.col("recipient")))
    )
    named = with_timestamp(named, "timestamp", timezone, "__ts")
    # A blank line is a record of nulls: skipped and counted like the eager loader does.
    blank = pl.all_horizontal([pl.col(c).is_null() for c in COLUMNS if c in mapping])
    blanks = named.filter(blank).select(pl.len())
    checks = _checks(timezone)
    if ragged:
        problem = pl.col("__line").replace_strict(ragged, default=None, return_dtype=pl.String)
        checks = [("(Zeile)", problem.is_not_null(), problem), *checks]
    bad = pl.any_horizontal([condition for _, condition, _ in checks])
    rejects = (
        named.filter(bad & ~blank)
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
    slow = named.filter(~bad).with_columns(
        timestamp=pl.col("__ts"),
        event=pl.col("__event"),
        bounce_type=pl.col("__bounce_type"),
        reason=pl.col("__reason"),
        smtp_code=pl.col("smtp_code").str.strip_chars().cast(pl.Int16),
        status=pl.col("status").str.strip_chars(),
        recipient_domain=pl.col("__domain"),
        source=pl.coalesce(pl.col("source"), pl.lit(FORMAT_NAME)),
        source_ref=format_text("{}:{}", pl.lit(path.name), pl.col("__line")),
    )
    return slow, rejects, blanks


def raw_rows(
    path: Path, sniffed: Sniffed, timezone: str, ragged: dict[int, str] | None = None
) -> pl.LazyFrame:
    """Every record of the file as text columns of the schema, with its line number
    (`__line`, record number + 1), whether its last field is empty (`__short`) and whether
    it is in canonical shape (`__fast`, `fast_lane`). `ragged`: lines with more fields than
    the header (cut to the header's by the scan, off the fast lane)."""
    header, mapping = sniffed.header, sniffed.mapping
    scan = pl.scan_csv(
        path,
        separator=sniffed.delimiter,
        infer_schema=False,
        empty_string_is_null=True,
        quote_char='"',
        new_columns=[f"c{i}" for i in range(len(header))],
        truncate_ragged_lines=bool(ragged),
    ).with_row_index("__record", offset=2)
    raw = scan.select(
        pl.col("__record").cast(pl.Int64).alias("__line"),
        pl.col(f"c{len(header) - 1}").is_null().alias("__short"),
        *[
            (pl.col(mapping[c]) if c in mapping else pl.lit(None, dtype=pl.String)).alias(c)
            for c in COLUMNS
            if c not in DERIVED_COLUMNS
        ],
    )
    is_ragged = pl.col("__line").is_in(list(ragged)) if ragged else pl.lit(False)
    return fast_lane(raw, sniffed.time_format, timezone, is_ragged)


def scan_generic_csv(
    path: Path,
    timezone: str,
    *,
    read_once: bool = False,
    sniffed: Sniffed | None = None,
    ragged: dict[int, str] | None = None,
) -> CsvScan | None:
    """The lazy plan for a large generic CSV, or None when the file needs the eager loader.

    With `read_once` the file is read and split into lanes once, in memory, and events,
    rejects and the blank-line count are computed from that (instead of three scans).
    `ragged` (from `ragged_lines`): lines with more fields than the header; the scan then
    cuts every row to the header's fields and those lines are rejected.
    """
    ragged = ragged or {}
    sniffed = sniffed or sniff(path, timezone)
    if sniffed is None:
        return None
    raw = raw_rows(path, sniffed, timezone, ragged)
    delimiter, width = sniffed.delimiter, len(sniffed.header)
    suspicious, every_row = True, False
    if read_once:
        collected = raw.collect(engine="streaming")
        suspicious = bool(collected.get_column("__short").any()) or (
            collected.height + 1 != physical_lines(path)  # a record spans lines
        )
        every_row = bool(collected.get_column("__fast").all())
        raw = collected.drop("__short").lazy()
    else:
        raw = raw.drop("__short")
    fast = conform(fast_rows(raw, path, every_row=every_row))
    if every_row:  # no row is blank or wrong: nothing for the slow lane
        rejects = pl.LazyFrame(schema=REJECTS_SCHEMA)
        blanks = pl.LazyFrame({"len": [0]}, schema={"len": pl.UInt32})
        return CsvScan(fast, rejects, blanks, delimiter, sniffed.ignored, width, suspicious)
    slow, rejects, blanks = slow_lane(raw, path, timezone, sniffed.mapping, ragged)
    good = pl.concat([fast, conform(slow)])
    return CsvScan(good, rejects, blanks, delimiter, sniffed.ignored, width, suspicious)


def exact_lines(path: Path, rejects: pl.DataFrame, delimiter: str) -> pl.DataFrame:
    """The raw text of rejected records (their line numbers are record numbers + 1, which
    are the line numbers when no record spans lines; the caller checks that)."""
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


def _raw_lines(path: Path, skip: int = 0) -> pl.LazyFrame:
    """The physical lines of a file after the first `skip`, as one unquoted text column
    `raw` (a last line without a line end counts)."""
    return pl.scan_csv(
        path,
        has_header=False,
        separator="\x1f",
        quote_char=None,
        new_columns=["raw"],
        infer_schema=False,
        skip_rows=skip,
        empty_string_is_null=False,
    )


def physical_lines(path: Path) -> int:
    """The number of lines of a file, which polars counts without parsing them (6x faster
    than counting line ends in Python)."""
    if path.stat().st_size == 0:
        return 0
    return int(physical_lines_query(path).collect().item())


def physical_lines_query(path: Path) -> pl.LazyFrame:
    """`physical_lines` as a query, to run together with others (one row, one column)."""
    return _raw_lines(path).select(pl.len())


def irregular_lines(path: Path, delimiter: str, width: int) -> int:
    """How many physical lines have fewer delimiters than a full row (short rows, or parts of
    records with a quoted line break): then only the eager loader gets every line right."""
    lines = _raw_lines(path, skip=1)
    count = pl.col("raw").str.count_matches(delimiter, literal=True)
    blank = pl.col("raw").str.strip_chars().str.len_bytes() == 0
    return int(
        lines.select(((count < width - 1) & ~blank).sum()).collect(engine="streaming").item()
    )


def ragged_lines(path: Path, delimiter: str, width: int) -> dict[int, str]:
    """The lines with more fields than the header's `width` (number → German problem, as the
    eager loader words it). Lines with more delimiters than a full row are few; each is read
    with the csv module, so that a delimiter inside quotes does not count."""
    count = pl.col("raw").str.count_matches(delimiter, literal=True)
    long = (
        _raw_lines(path, skip=1)
        .with_row_index("line", offset=2)
        .filter(count > width - 1)
        .collect(engine="streaming")
    )
    found = [
        (line, text, len(fields))
        for line, text in long.select("line", "raw").iter_rows()
        for fields in csv.reader([text.rstrip("\r")], delimiter=delimiter)
        if len(fields) > width
    ]
    if not found:
        return {}
    problems = pl.DataFrame(
        {_RAW: [text for _, text, _ in found], "__fields": [n for _, _, n in found]},
        schema={_RAW: pl.String, "__fields": pl.Int64},
    ).select(field_count_problem(width, delimiter))
    return dict(zip([line for line, _, _ in found], problems.to_series().to_list(), strict=True))


def _too_many_fields(error: pl.exceptions.PolarsError) -> bool:
    return "more fields than defined" in str(error)


def load_generic_csv_fast(path: Path, timezone: str) -> Loaded | None:
    """Load a plain UTF-8 generic CSV through the streaming plan (None: use the eager loader)."""
    sniffed = sniff(path, timezone)
    if sniffed is None:
        return None
    try:
        try:
            plan = scan_generic_csv(path, timezone, read_once=True, sniffed=sniffed)
        except pl.exceptions.ComputeError as error:
            if not _too_many_fields(error):
                raise
            # rows with more fields than the header (a delimiter in an unquoted text, as in
            # exports from Excel): cut by the scan and rejected, the rest stays on this path
            ragged = ragged_lines(path, sniffed.delimiter, len(sniffed.header))
            if not ragged:
                return None
            plan = scan_generic_csv(path, timezone, read_once=True, sniffed=sniffed, ragged=ragged)
        if plan is None:
            return None
        if plan.suspicious and irregular_lines(path, sniffed.delimiter, len(sniffed.header)):
            return None
        events, rejects, blanks = pl.collect_all(
            [plan.events, plan.rejects, plan.blank_count], engine="streaming"
        )
    except pl.exceptions.PolarsError:  # too many fields, not UTF-8 after all: eager loader
        return None
    events = normalize_domains(events)
    if rejects.height:
        rejects = exact_lines(path, rejects.sort("line"), plan.delimiter)
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


def decoded_copy(path: Path, folder: Path) -> tuple[Path, str] | None:
    """A plain UTF-8 copy of `path` in `folder` under the same name (it is part of every
    event's reference): decompressed and, where needed, re-encoded chunk by chunk (line ends
    as they are; `text.plain_utf8_copy`), with the encoding as the accounting reports it
    ("cp1252 (gzip)"). None when the file is plain UTF-8 already."""
    from deliverability.ingest.text import plain_utf8_copy

    copy = folder / path.name
    encoding, compressed = plain_utf8_copy(path, copy)
    if encoding == "utf-8" and not compressed:
        return None
    return copy, encoding + (" (gzip)" if compressed else "")


@contextmanager
def named_for(path: Path) -> Iterator[None]:
    """Input errors raised while a decoded copy is read name the analyst's file `path`."""
    try:
        yield
    except InputError as error:
        raise InputError(error.detail, path=path, line=error.line, field=error.field) from error


def load_generic_csv_normalized(path: Path, timezone: str) -> Loaded | None:
    """A generic CSV that is gzip, has a byte-order mark or is not UTF-8 (German Excel:
    cp1252) through the streaming plan: loaded from a `decoded_copy` in a temporary folder
    and accounted to the original file. None: use the eager loader."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="deliverability-") as folder:
        decoded = decoded_copy(path, Path(folder))
        if decoded is None:
            return None  # already plain: the caller tried it
        copy, encoding = decoded
        with named_for(path):
            loaded = load_generic_csv_fast(copy, timezone)
    if loaded is None:
        return None
    events, rejects, stats = loaded
    rejects = rejects.with_columns(file=pl.lit(str(path)))
    return events, rejects, replace(stats, path=str(path), encoding=encoding)
