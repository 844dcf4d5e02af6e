"""The Spark engine: the same analyses, run by Spark on its partitions (`deliverability.spark`).

Events are read and classified on the executors and stay there (cached); only results come
back to the driver: rates per group, one row per address of the suppression list, the replay
per send, the rejected rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import polars as pl

from deliverability.pipeline.engines import EventSet, SendsQuery

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from deliverability.limits.profile import Profile
    from deliverability.limits.replay import ReplayResult
    from deliverability.rates import Grouping
    from deliverability.suppression.policy import SuppressionPolicy
    from deliverability.suppression.store import StateDir


class SparkEvents:
    """Classified events on the cluster; the message table is made (and cached) on first use."""

    def __init__(
        self, events: DataFrame, rejected: DataFrame, inputs: Sequence[str], timezone: str
    ):
        self.events = events.cache()
        self._rejected = rejected
        self._inputs = list(inputs)
        self.timezone = timezone
        self._messages: DataFrame | None = None

    @property
    def messages(self) -> DataFrame:
        from deliverability.spark import rates

        if self._messages is None:
            self._messages = rates.message_outcomes(self.events, self.timezone).cache()
        return self._messages

    def weeks(self) -> list[str]:
        from deliverability.spark import rates

        return sorted(rates.weeks(self.messages))

    def weekly_rates(self, by: Grouping, week: str, previous: str) -> pl.DataFrame:
        from deliverability.spark import rates

        return rates.weekly_rates(self.messages, by, week, previous, self.timezone)

    def replay(self, profile: Profile) -> ReplayResult:
        from deliverability.spark import replay

        return replay.replay_on_spark(replay.sends_from_events(self.events), profile)

    def rejects(self) -> pl.DataFrame:
        from deliverability.spark.events import collect_rejects

        return collect_rejects(self._rejected, self._inputs)

    def release(self) -> None:
        if self._messages is not None:
            self._messages.unpersist()
            self._messages = None
        self.events.unpersist()


class SparkEngine:
    name = "spark"

    def __init__(self, master: str | None = None):
        self.master = master

    @property
    def session(self) -> SparkSession:
        from deliverability.spark.session import spark_session

        return spark_session(self.master)

    def load(self, inputs: Sequence[str], timezone: str) -> SparkEvents:
        from deliverability.spark import classify, events

        loaded = events.read_events(self.session, list(inputs), timezone)
        return SparkEvents(
            classify.classify_events(loaded.events), loaded.rejects, inputs, timezone
        )

    def update_suppression(
        self, store: StateDir, policy: SuppressionPolicy, events: EventSet | None
    ) -> pl.DataFrame:
        assert events is None or isinstance(events, SparkEvents), "events of another engine"
        from deliverability.spark import suppression
        from deliverability.spark.events import from_polars, to_polars

        with store.changing():
            stored = from_polars(self.session, store.events())
            merged = suppression.merge_events(stored, None if events is None else events.events)
            merged = merged.cache()
            state = suppression.build_state(merged, store.history(), policy)
            kept = to_polars(merged).sort("timestamp", "source_ref", maintain_order=True)
            merged.unpersist()
            store.save(kept, state, policy)
        return state

    def replay_sends(
        self, query: SendsQuery, profile: Profile
    ) -> tuple[ReplayResult, pl.DataFrame]:
        from deliverability.spark import replay

        sends, rejects = replay.load_spark_sends(
            self.session,
            list(query.inputs),
            profile.timezone,
            need_time=query.mode == "replay",
            sender=query.sender,
            source=query.source,
        )
        return replay.replay_on_spark(sends, profile, mode=query.mode, start=query.start), rejects
