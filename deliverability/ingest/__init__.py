"""Loading event logs into the canonical schema. Only this package knows source formats."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from deliverability.classify import classify_events
from deliverability.config import DEFAULT_TIMEZONE
from deliverability.ingest.generic_csv import load_generic_csv
from deliverability.ingest.result import FileStats, LoadResult
from deliverability.schema import REJECTS_SCHEMA, empty_events

__all__ = ["FileStats", "LoadResult", "load_events"]


def load_events(
    paths: Iterable[str | Path], *, timezone: str = DEFAULT_TIMEZONE, classify: bool = True
) -> LoadResult:
    """Load event files (generic CSV) into one frame, sorted by time, plus rejects.

    With `classify`, failure events get `reason`, `bounce_type`, `status` and `smtp_code`
    filled from their codes and texts where the source left them empty.
    """
    frames: list[pl.DataFrame] = []
    rejects: list[pl.DataFrame] = []
    stats: list[FileStats] = []
    for path in paths:
        events, bad, file_stats = load_generic_csv(Path(path), timezone=timezone)
        frames.append(events)
        rejects.append(bad)
        stats.append(file_stats)
    events = pl.concat(frames) if frames else empty_events()
    if classify:
        events = classify_events(events.lazy()).collect()
    events = events.sort("timestamp", "source_ref", maintain_order=True)
    all_rejects = pl.concat(rejects) if rejects else pl.DataFrame(schema=REJECTS_SCHEMA)
    return LoadResult(events=events, rejects=all_rejects, files=tuple(stats))
