"""Loading event logs into the canonical schema. Only this package knows source formats."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from deliverability.classify import classify_events
from deliverability.classify.vectorized import classify_frame
from deliverability.config import DEFAULT_TIMEZONE
from deliverability.ingest.result import FileProgress, FileStats, LoadResult
from deliverability.schema import REJECTS_SCHEMA, empty_events

__all__ = ["FileStats", "LoadResult", "load", "load_events", "scan_events"]


def load_events(
    paths: Iterable[str | Path],
    *,
    timezone: str = DEFAULT_TIMEZONE,
    classify: bool = True,
    format: str | None = None,
    progress: FileProgress | None = None,
    compact: bool = True,
) -> LoadResult:
    """Load event exports of any supported format into one frame, sorted by time, plus
    rejects and per-file accounting. The format is detected per file unless `format` is
    given (a name of `registry.format_names()` or `mapping:FILE.toml`). `progress` is told
    after each file: files done, files in all, entries read from it.

    With `classify`, failure events get `reason`, `bounce_type`, `status` and `smtp_code`
    filled from their codes and texts where the source left them empty. With `compact`, each
    column is put into one piece of memory (`_one_chunk_per_column`); a caller that only
    writes the events out (`deliverability load`) passes False and saves that copy.
    """
    from deliverability.ingest.registry import load_files

    frames: list[pl.DataFrame] = []
    rejects: list[pl.DataFrame] = []
    stats: list[FileStats] = []
    for events, bad, file_stats in load_files([Path(p) for p in paths], timezone, format, progress):
        frames.append(events)
        rejects.append(bad)
        stats.append(file_stats)
    events = pl.concat(frames) if frames else empty_events()
    frames.clear()  # the concatenated frame is the only holder of the events now
    if classify:  # in place, so that the files' own order survives for `in_time_order`
        events = classify_frame(events)
    if compact:
        _one_chunk_per_column(events)
    events = in_time_order(events)
    all_rejects = pl.concat(rejects) if rejects else pl.DataFrame(schema=REJECTS_SCHEMA)
    return LoadResult(events=events, rejects=all_rejects, files=tuple(stats))


def in_time_order(events: pl.DataFrame) -> pl.DataFrame:
    """`events` sorted by time and reference. Exports are mostly chronological already; then
    only the runs of equal times whose references are out of order are sorted, and the frame
    is put together from slices around them (no copy of the rest)."""
    times = events.get_column("timestamp")
    if events.height < 2 or times.null_count() or not times.is_sorted():
        return events.sort("timestamp", "source_ref", maintain_order=True)
    references = events.get_column("source_ref")  # columns, not the frame: no chunk alignment
    same = (times.to_physical().diff() == 0).fill_null(False)
    flags = pl.DataFrame(
        {
            "run": (~same).cum_sum(),
            "wrong": (same & (references < references.shift())).fill_null(False),
        }
    ).with_row_index("row")
    runs = flags.filter(
        pl.col("run").is_in(flags.filter("wrong").get_column("run").unique().implode())
    )
    if runs.is_empty():
        return _marked_sorted(events)
    bounds = runs.group_by("run").agg(start=pl.col("row").min(), end=pl.col("row").max() + 1)
    pieces, done = [], 0
    for start, end in bounds.sort("start").select("start", "end").iter_rows():
        pieces.append(events.slice(done, start - done))
        run = events.slice(start, end - start)
        pieces.append(run.sort("timestamp", "source_ref", maintain_order=True))
        done = end
    pieces.append(events.slice(done))
    return _marked_sorted(pl.concat(pieces, rechunk=False))


def _marked_sorted(events: pl.DataFrame) -> pl.DataFrame:
    """Tell polars the time column is sorted: later sorts by time then cost nothing. The
    column is replaced as it is (`with_columns` would align the chunks of every column: a
    copy of all events, 0.7 GB at 5 million)."""
    marked = events.clone()  # shallow: the columns are shared, the input stays as it was
    index = marked.get_column_index("timestamp")
    marked.replace_column(index, marked.get_column("timestamp").set_sorted())
    return marked


def _one_chunk_per_column(events: pl.DataFrame) -> None:
    """Rechunk `events` in place, one column after the other. The files and the classifier
    leave the columns in different chunks; every later operation on several columns would
    align them all again (a copy of all events, 0.7 GB at 5 million, each time). Column by
    column, only one column is ever copied at once (when no one else holds the frame)."""
    for index, name in enumerate(events.columns):
        events.replace_column(index, events.get_column(name).rechunk())


#: The name the ingestion issue uses for the same function.
load = load_events


def scan_events(
    paths: Iterable[str | Path],
    *,
    timezone: str = DEFAULT_TIMEZONE,
    classify: bool = True,
    format: str | None = None,
) -> pl.LazyFrame:
    """The events of `paths` as a polars LazyFrame, for large inputs: Parquet, plain generic
    CSV and JSON-lines exports of the vendor formats are scanned lazily (streaming; entries
    that fail the checks are left out — `load_events` returns them as rejects), other inputs
    are loaded first."""
    from deliverability.ingest.fast_csv import scan_generic_csv
    from deliverability.ingest.registry import detect_format
    from deliverability.ingest.stream_json import scan_json_lines

    files = [Path(p) for p in paths]
    frames: list[pl.LazyFrame] = []
    eager: list[Path] = []
    for path in files:
        if path.suffix == ".parquet":
            frames.append(pl.scan_parquet(path))
            continue
        name = format or detect_format(path)
        lazy: pl.LazyFrame | None = None
        if name == "generic_csv":
            plan = scan_generic_csv(path, timezone)
            lazy = plan.events if plan is not None else None
        else:
            lazy = scan_json_lines(path, name, timezone)
        if lazy is None:
            eager.append(path)
            continue
        frames.append(classify_events(lazy) if classify else lazy)
    if eager:
        frames.append(
            load_events(eager, timezone=timezone, classify=classify, format=format).lazy()
        )
    return pl.concat(frames) if frames else empty_events().lazy()
