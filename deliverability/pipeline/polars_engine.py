"""The polars engine: everything in one process, on one machine."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from deliverability.ingest import LoadResult, load_events
from deliverability.ingest.result import FileProgress
from deliverability.outcomes import message_outcomes
from deliverability.pipeline.engines import EventSet, SendsQuery
from deliverability.rates import RATE_COLUMNS, Grouping, weekly_rates

#: Events per bucket of messages when the message table is computed in parts.
MESSAGE_BUCKET_ROWS = 1_000_000
#: Events per part of `message_parts`. Rows kept from a part hold on to the part's text
#: buffers, so parts half the size of the buckets keep less (the report on 5 million events:
#: 2.6 instead of 2.8 GB at its peak) for 0.3 s more.
PART_ROWS = 500_000
_SEED = 16

if TYPE_CHECKING:
    from deliverability.limits.profile import Profile
    from deliverability.limits.replay import ReplayResult
    from deliverability.suppression.policy import SuppressionPolicy
    from deliverability.suppression.store import StateDir


@dataclass
class PolarsEvents:
    """Classified events, rejects and per-file figures in memory (`loaded`); the message
    table is made on first use."""

    loaded: LoadResult
    timezone: str

    @property
    def events(self) -> pl.DataFrame:
        return self.loaded.events

    @cached_property
    def messages(self) -> pl.DataFrame:
        return self._per_message(self._message_table)

    @cached_property
    def _rate_messages(self) -> pl.DataFrame:
        """The message table's columns the rates need (the whole table if it exists)."""
        if "messages" in self.__dict__:
            return self.messages
        return self._per_message(
            lambda events: message_outcomes(events, self.timezone, failure_details=False).select(
                RATE_COLUMNS
            )
        )

    def _message_table(self, events: pl.LazyFrame) -> pl.LazyFrame:
        return message_outcomes(events, self.timezone)

    def message_parts(self, folder: Path) -> list[pl.LazyFrame]:
        """The message table in parts that share no message, for a caller that reads them
        one after the other and needs no events afterwards. With many events, the events are
        written to `folder` in buckets of messages and let go, and each part makes one
        bucket's messages from disk, so that neither all events nor all messages need be in
        memory at once; with few events there is one part."""
        events = self.events
        buckets = -(-events.height // PART_ROWS)
        if buckets <= 1:
            self._drop_events()  # the part holds them
            return [self._message_table(events.lazy())]
        key = _bucket_key(events, buckets)
        files = [folder / f"ereignisse-{bucket}.parquet" for bucket in range(buckets)]
        for bucket, file in enumerate(files):
            events.filter(key == bucket).write_parquet(file, compression="lz4")
        # a bucket keeps the events' time order, which Parquet does not record: told so,
        # polars skips the message table's sort by time (a sixth of its work)
        in_time_order = events.get_column("timestamp").flags["SORTED_ASC"]
        del key, events
        self._drop_events()
        scans = [pl.scan_parquet(file) for file in files]
        if in_time_order:
            scans = [scan.with_columns(pl.col("timestamp").set_sorted()) for scan in scans]
        return [self._message_table(scan) for scan in scans]

    def _per_message(self, table: Callable[[pl.LazyFrame], pl.LazyFrame]) -> pl.DataFrame:
        """`table` of the events, computed for one bucket of messages at a time when there
        are many events: a message's events share a bucket, and the working memory of the
        aggregation is that of one bucket instead of all events."""
        events = self.events
        buckets = -(-events.height // MESSAGE_BUCKET_ROWS)
        if buckets <= 1:
            return table(events.lazy()).collect()
        key = _bucket_key(events, buckets)
        return pl.concat(
            [table(events.filter(key == bucket).lazy()).collect() for bucket in range(buckets)]
        )

    def _drop_events(self) -> None:
        """Keep the accounting and the rejects, not the events (no one else holds them)."""
        self.loaded = replace(self.loaded, events=self.loaded.events.clear())
        self.__dict__.pop("_rate_messages", None)

    def weeks(self) -> list[str]:
        return sorted(self._rate_messages.get_column("week").drop_nulls().unique().to_list())

    def weekly_rates(self, by: Grouping, week: str, previous: str) -> pl.DataFrame:
        return weekly_rates(self._rate_messages.lazy(), by, week, previous).collect()

    def replay(self, profile: Profile) -> ReplayResult:
        from deliverability.limits.replay import replay
        from deliverability.limits.sends import sends_from_events

        return replay(sends_from_events(self.events), profile)

    def rejects(self) -> pl.DataFrame:
        return self.loaded.rejects

    def release(self) -> None:
        self.__dict__.pop("messages", None)
        self.__dict__.pop("_rate_messages", None)


def _bucket_key(events: pl.DataFrame, buckets: int) -> pl.Series:
    """Each event's bucket of messages: all events of a message share one."""
    return events.select(
        (pl.coalesce("message_id", "source_ref").hash(_SEED) ^ pl.col("recipient").hash(_SEED))
        % buckets
    ).to_series()


class PolarsEngine:
    name = "polars"

    def __init__(self, progress: FileProgress | None = None):
        self.progress = progress  # told after each file: files done, in all, entries read

    def load(self, inputs: Sequence[str], timezone: str) -> PolarsEvents:
        paths = [Path(p) for p in inputs]
        return PolarsEvents(load_events(paths, timezone=timezone, progress=self.progress), timezone)

    def update_suppression(
        self, store: StateDir, policy: SuppressionPolicy, events: EventSet | None
    ) -> pl.DataFrame:
        with store.changing():  # one transaction: events and state change together
            if events is not None:
                assert isinstance(events, PolarsEvents), "events of another engine"
                store.add_events(events.events)
            return store.rebuild(policy)

    def replay_sends(
        self, query: SendsQuery, profile: Profile
    ) -> tuple[ReplayResult, pl.DataFrame]:
        from deliverability.limits.replay import replay
        from deliverability.limits.sends import load_sends

        sends = load_sends(
            [Path(p) for p in query.inputs],
            profile.timezone,
            need_time=query.mode == "replay",
            sender=query.sender,
            source=query.source,
        )
        return replay(sends.frame, profile, mode=query.mode, start=query.start), sends.rejects
