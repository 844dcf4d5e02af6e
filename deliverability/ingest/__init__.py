"""Loading event logs into the canonical schema. Only this package knows source formats."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from deliverability.classify import classify_events
from deliverability.config import DEFAULT_TIMEZONE
from deliverability.ingest.result import FileStats, LoadResult
from deliverability.schema import REJECTS_SCHEMA, empty_events

__all__ = ["FileStats", "LoadResult", "load", "load_events", "scan_events"]


def load_events(
    paths: Iterable[str | Path],
    *,
    timezone: str = DEFAULT_TIMEZONE,
    classify: bool = True,
    format: str | None = None,
) -> LoadResult:
    """Load event exports of any supported format into one frame, sorted by time, plus
    rejects and per-file accounting. The format is detected per file unless `format` is
    given (a name of `registry.format_names()` or `mapping:FILE.toml`).

    With `classify`, failure events get `reason`, `bounce_type`, `status` and `smtp_code`
    filled from their codes and texts where the source left them empty.
    """
    from deliverability.ingest.registry import load_files

    frames: list[pl.DataFrame] = []
    rejects: list[pl.DataFrame] = []
    stats: list[FileStats] = []
    for events, bad, file_stats in load_files([Path(p) for p in paths], timezone, format):
        frames.append(events)
        rejects.append(bad)
        stats.append(file_stats)
    events = pl.concat(frames) if frames else empty_events()
    if classify:
        events = classify_events(events.lazy()).collect()
    events = events.sort("timestamp", "source_ref", maintain_order=True)
    all_rejects = pl.concat(rejects) if rejects else pl.DataFrame(schema=REJECTS_SCHEMA)
    return LoadResult(events=events, rejects=all_rejects, files=tuple(stats))


#: The name the ingestion issue uses for the same function.
load = load_events


def scan_events(
    paths: Iterable[str | Path],
    *,
    timezone: str = DEFAULT_TIMEZONE,
    classify: bool = True,
    format: str | None = None,
) -> pl.LazyFrame:
    """The events of `paths` as a polars LazyFrame (Parquet files are scanned lazily)."""
    files = [Path(p) for p in paths]
    if files and all(p.suffix == ".parquet" for p in files):
        return pl.scan_parquet(files)
    return load_events(files, timezone=timezone, classify=classify, format=format).lazy()
