"""The last step of every format: check, de-duplicate and conform mapped entries.

A format maps its records to these columns (all text unless noted): `__line` (Int64),
`__raw`, `timestamp` (text or UTC datetime), `message_id`, `sender`, `recipient`, `event`
(canonical name, null when the source's event is unknown), `__event_raw`, `bounce_type`,
`reason`, `smtp_code`, `status`, `diagnostic`, `event_id` (the provider's event id, may be
null) and `__skip` (Boolean: left out by design).
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import polars as pl

from deliverability.addresses import clean_address, domain_of, normalize_domains
from deliverability.ingest.recipients import recipient_check
from deliverability.ingest.result import FileStats
from deliverability.ingest.timestamps import ACCEPTED_FORMATS_DE, plausible, with_timestamp
from deliverability.schema import EVENTS, REJECTS_SCHEMA, conform
from deliverability.text_expr import format_text

TEXT_COLUMNS = (
    "message_id",
    "sender",
    "recipient",
    "event",
    "__event_raw",
    "bounce_type",
    "reason",
    "smtp_code",
    "status",
    "diagnostic",
    "event_id",
)


Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)


def _with_time(entries: Frame, timezone: str, lanes: bool) -> Frame:
    """`__ts` from `timestamp`. With `lanes` (large inputs), Unix seconds or milliseconds
    given as digits – the common case in JSON events – are converted directly and only the
    other entries go through the general parser (a second branch of the same scan)."""
    stamp = pl.col("timestamp")
    if entries.collect_schema().get("timestamp", pl.String) != pl.String:
        return entries.with_columns(
            __ts=plausible(stamp.dt.convert_time_zone("UTC").dt.cast_time_unit("us"))
        )
    if not lanes:
        return with_timestamp(entries, "timestamp", timezone, "__ts")
    number = stamp.cast(pl.Int64, strict=False)
    length = stamp.str.len_bytes()
    digits = (number >= 0) & length.is_in([10, 13])
    epoch = plausible(
        pl.from_epoch(
            pl.when(length == 13).then(number * 1000).otherwise(number * 1_000_000), time_unit="us"
        ).dt.replace_time_zone("UTC")
    )
    marked = entries.with_columns(__digits=digits.fill_null(False))
    return pl.concat(
        [
            marked.filter(pl.col("__digits")).with_columns(__ts=epoch),
            with_timestamp(marked.filter(~pl.col("__digits")), "timestamp", timezone, "__ts"),
        ]
    ).drop("__digits")


def prepare(entries: Frame, timezone: str, *, lanes: bool = False) -> Frame:
    """Missing columns as null, the parsed time `__ts`, the cleaned recipient, and the
    problems of each entry (`__fields`, `__reason`; empty when the entry is fine)."""
    names = entries.collect_schema().names()
    for column in TEXT_COLUMNS:
        if column not in names:
            entries = entries.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    if "__skip" not in names:
        entries = entries.with_columns(__skip=pl.lit(False))
    stamp = pl.col("timestamp")
    entries = (
        _with_time(entries, timezone, lanes)
        .with_columns(
            recipient=clean_address(pl.col("recipient").cast(pl.String)),
        )
        .with_columns(
            __domain=domain_of(pl.col("recipient")),
            __skip=pl.col("__skip").fill_null(False),
        )
    )
    problems = [
        (
            "timestamp",
            pl.when(pl.col("__ts").is_null()).then(
                format_text(
                    f"Zeitstempel „{{}}“ fehlt oder ist unlesbar (erwartet: {ACCEPTED_FORMATS_DE}"
                    "; oder Unix-Sekunden/Millisekunden).",
                    stamp.cast(pl.String).fill_null(""),
                )
            ),
        ),
        ("recipient", recipient_check(pl.col("recipient"), pl.col("__domain"))[1]),
        (
            "event",
            pl.when(pl.col("event").is_null() | ~pl.col("event").is_in(EVENTS)).then(
                format_text(
                    "Ereignis „{}“ ist für dieses Format unbekannt.",
                    pl.col("__event_raw").fill_null(""),
                )
            ),
        ),
    ]
    if "__problem" in names:  # checks of the format itself (field, text)
        problems.insert(
            0,
            (
                "__problem_field",
                pl.when(pl.col("__problem").str.len_chars() > 0).then(pl.col("__problem")),
            ),
        )
    # `__bad` says whether an entry fails; the texts are only built where rejects are kept
    # (a lazy scan that keeps only the good entries never computes them)
    failing = [pl.col("__problem").str.len_chars() > 0] if "__problem" in names else []
    failing += [e.is_not_null() for n, e in problems if n != "__problem_field"]
    return entries.with_columns(
        __bad=pl.any_horizontal(failing).fill_null(True),
        __fields=pl.concat_str(
            [
                pl.when(e.is_not_null()).then(
                    pl.col("__problem_field") if n == "__problem_field" else pl.lit(n)
                )
                for n, e in problems
            ],
            separator=", ",
            ignore_nulls=True,
        ),
        __reason=pl.concat_str([e for _, e in problems], separator=" ", ignore_nulls=True),
    )


BAD = pl.col("__bad")


def good_events(checked: Frame, path: Path, format_name: str) -> Frame:
    """The entries without problems as events."""
    good = checked.filter(~BAD).with_columns(
        timestamp=pl.col("__ts"),
        smtp_code=pl.col("smtp_code").cast(pl.String).str.extract(r"^\s*([2-5]\d\d)\b", 1),
        status=pl.col("status").cast(pl.String).str.extract(r"([245]\.\d{1,3}\.\d{1,3})", 1),
        recipient_domain=pl.col("__domain"),
        source=pl.lit(format_name),
        source_ref=format_text("{}:{}", pl.lit(path.name), pl.col("__line")),
    )
    return good


def _key_parts() -> tuple[pl.Expr, list[str], list[str]]:
    """Duplicates: the same provider event id (and recipient), or else the same message,
    recipient, event and time."""
    return (
        pl.col("event_id").is_not_null(),
        ["event_id", "recipient"],
        ["message_id", "recipient", "event", "timestamp"],
    )


def duplicate_key() -> pl.Expr:
    has_id, by_id, by_content = _key_parts()
    return (
        pl.when(has_id)
        .then(pl.concat_str([pl.lit("id"), *[pl.col(c) for c in by_id]], separator="|"))
        .otherwise(
            pl.concat_str(
                [pl.col(c).cast(pl.String).fill_null("") for c in by_content], separator="|"
            )
        )
    )


def duplicate_hash() -> pl.Expr:
    """The same key as a 64-bit hash (for large inputs; no text is built)."""
    has_id, by_id, by_content = _key_parts()
    return pl.when(has_id).then(pl.struct(by_id).hash(1)).otherwise(pl.struct(by_content).hash(2))


def scan_finished(
    entries: pl.LazyFrame, path: Path, format_name: str, timezone: str
) -> pl.LazyFrame:
    """The lazy (streaming) counterpart of `finish`: the events only, de-duplicated."""
    checked = prepare(entries, timezone, lanes=True).filter(~pl.col("__skip"))
    good = good_events(checked, path, format_name).with_columns(__key=duplicate_hash())
    # the first of each key, in input order (cheaper than `unique`: only the key is hashed)
    return conform(good.filter(pl.col("__key").is_first_distinct()))


def finish(
    entries: pl.DataFrame,
    *,
    path: Path,
    format_name: str,
    timezone: str,
    encoding: str,
    parse_rejects: pl.DataFrame,
    blank: int = 0,
    delimiter: str = "",
) -> tuple[pl.DataFrame, pl.DataFrame, FileStats]:
    """Mapped entries → (events in the canonical schema, rejects, accounting)."""
    entries = prepare(entries, timezone)
    skipped = entries.filter(pl.col("__skip"))
    checked = entries.filter(~pl.col("__skip"))
    rejects = pl.concat(
        [
            parse_rejects,
            checked.filter(BAD).select(
                file=pl.lit(str(path)),
                line=pl.col("__line").cast(pl.Int64),
                field="__fields",
                reason="__reason",
                raw=pl.col("__raw").str.slice(0, 2000),
            ),
        ]
    ).cast(REJECTS_SCHEMA)  # type: ignore[arg-type]
    good = good_events(checked, path, format_name).with_columns(__key=duplicate_key())
    before = good.height
    good = good.unique("__key", keep="first", maintain_order=True)
    events = normalize_domains(conform(good.lazy()).collect())
    read = entries.height + parse_rejects.height
    stats = FileStats(
        path=str(path),
        format=format_name,
        encoding=encoding,
        delimiter=delimiter,
        read=read,
        loaded=events.height,
        rejected=rejects.height,
        skipped_blank=blank,
        skipped=skipped.height,
        duplicates=before - good.height,
    )
    return events, rejects, stats
