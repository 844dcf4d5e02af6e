"""What an engine does, and the two engines: polars on one machine, Spark on a cluster.

An engine loads input files into an `EventSet` (classified events and the rejected rows) and
answers the questions of a run on it: which weeks it holds, the weekly rates per domain or
provider, the suppression decisions, the replay against a limit profile. Results come back as
polars frames, the same on both engines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from deliverability.errors import ConfigError
from deliverability.ingest.result import FileProgress

if TYPE_CHECKING:  # the replay's modules load pandas: only where a run replays
    import polars as pl

    from deliverability.limits.profile import Profile
    from deliverability.limits.replay import ReplayResult
    from deliverability.rates import Grouping
    from deliverability.suppression.policy import SuppressionPolicy
    from deliverability.suppression.store import StateDir

#: The engines, by the name `--engine` takes.
ENGINES = ("polars", "spark")


@dataclass(frozen=True)
class SendsQuery:
    """Which sends to replay: files (event exports or sends CSVs), replay or plan (from
    `start`), optionally only one sender account or one event source."""

    inputs: Sequence[str]
    mode: str = "replay"
    start: datetime | None = None
    sender: str | None = None
    source: str | None = None


class EventSet(Protocol):
    """Loaded and classified events of one run, held by an engine."""

    def weeks(self) -> list[str]:
        """The weeks the messages were sent in, sorted."""
        ...

    def weekly_rates(self, by: Grouping, week: str, previous: str) -> pl.DataFrame:
        """`rates.weekly_rates` of `week` per group, ranked."""
        ...

    def replay(self, profile: Profile) -> ReplayResult:
        """Every sender account's sends replayed against `profile`."""
        ...

    def rejects(self) -> pl.DataFrame:
        """The unusable input rows (file, line, field, reason, raw)."""
        ...

    def release(self) -> None:
        """Free what the engine keeps in memory for this set."""
        ...


class Engine(Protocol):
    """Loads events and sends, and makes the suppression decisions."""

    name: str

    def load(self, inputs: Sequence[str], timezone: str) -> EventSet:
        """The events of `inputs`, classified (the analyst's rules in force included)."""
        ...

    def update_suppression(
        self, store: StateDir, policy: SuppressionPolicy, events: EventSet | None
    ) -> pl.DataFrame:
        """Add `events` to the state folder and decide again; returns the state."""
        ...

    def replay_sends(
        self, query: SendsQuery, profile: Profile
    ) -> tuple[ReplayResult, pl.DataFrame]:
        """Sends (event files or sends CSVs) replayed or planned; with the rejected rows."""
        ...


def engine_named(
    name: str,
    spark_master: str | None = None,
    progress: FileProgress | None = None,
) -> Engine:
    """The engine `name` ("polars" or "spark"); an unknown name is a German error.
    `progress` is told after each input file the polars engine loads (Spark shows its own)."""
    if name not in ENGINES:
        raise ConfigError(f"Unbekannte Engine „{name}“; möglich: {', '.join(ENGINES)}.")
    if name == "spark":
        from deliverability.pipeline.spark_engine import SparkEngine

        return SparkEngine(spark_master)
    from deliverability.pipeline.polars_engine import PolarsEngine

    return PolarsEngine(progress)
