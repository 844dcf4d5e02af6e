"""What a load returns: events, rejects and per-file accounting."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import polars as pl

#: What a load tells after each input file: files done, files in all, entries read from it.
FileProgress = Callable[[int, int, int], None]


@dataclass(frozen=True)
class FileStats:
    """Accounting for one input file, in entries (a line, record, or one recipient of a
    multi-recipient record): read = loaded + rejected + skipped + duplicates.

    `skipped` are entries left out by design (e.g. Postfix lines that are no deliveries;
    `probes` of them are address verification probes), `duplicates` events delivered twice
    (webhooks deliver at least once); blank lines are not entries and are counted in
    `skipped_blank`.
    """

    path: str
    format: str
    encoding: str
    delimiter: str
    read: int
    loaded: int
    rejected: int
    skipped_blank: int
    ignored_columns: tuple[str, ...] = field(default_factory=tuple)
    skipped: int = 0
    duplicates: int = 0
    probes: int = 0

    @property
    def balanced(self) -> bool:
        return self.read == self.loaded + self.rejected + self.skipped + self.duplicates

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

    def lazy(self) -> pl.LazyFrame:
        return self.events.lazy()
