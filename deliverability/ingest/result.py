"""What a load returns: events, rejects and per-file accounting."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import polars as pl


@dataclass(frozen=True)
class FileStats:
    """Accounting for one input file: read = loaded + rejected (blank lines are skipped)."""

    path: str
    format: str
    encoding: str
    delimiter: str
    read: int
    loaded: int
    rejected: int
    skipped_blank: int
    ignored_columns: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class LoadResult:
    """Loaded events in the canonical schema, the rejected rows with reasons, and the stats."""

    events: pl.DataFrame
    rejects: pl.DataFrame
    files: tuple[FileStats, ...]

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files)

    def stats_frame(self) -> pl.DataFrame:
        return pl.DataFrame([f.as_dict() for f in self.files])
