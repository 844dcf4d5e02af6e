"""The suppression list on Spark: the polars code of `suppression.store` and
`suppression.state`, run per bucket of addresses.

Every decision concerns one address (its soft-bounce runs, escalation, hard bounces,
complaints, unsubscribes, restores and manual additions), so the events are split by address
into buckets and each bucket runs `merge_events` and `build_state` as the polars path does.
The manual history (`verlauf.csv`) is small: its addresses travel as marker rows, so that a
bucket also learns of addresses it has no events for, and each bucket takes its part of the
history, with the line numbers of the whole. Only one row per address comes back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from deliverability.schema import COLUMNS, EVENT_SCHEMA
from deliverability.spark.frames import collect_as, per_bucket, to_spark, union_all
from deliverability.suppression.policy import SuppressionPolicy
from deliverability.suppression.state import STATE_SCHEMA, numbered
from deliverability.suppression.state import build_state as state_on_polars
from deliverability.suppression.store import RELEVANT_EVENTS
from deliverability.suppression.store import merge_events as merge_on_polars

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

#: Kernel input: the events, a flag for new ones and the marker rows of the history.
_MARKED = pl.Schema([*EVENT_SCHEMA.items(), ("_new", pl.Boolean), ("_history_address", pl.String)])


def _address() -> Column:
    """The comparison key of an event's address (`suppression.addresses.address_key`, lower
    case), or the address of a history marker row: what puts an address in its bucket."""
    from pyspark.sql import functions as F

    local = F.regexp_replace(F.col("recipient"), "@[^@]*$", "")
    email = F.concat(local, F.lit("@"), F.col("recipient_domain"))
    return F.coalesce(F.col("_history_address"), F.lower(email))


def _marked(frame: DataFrame, new: bool) -> DataFrame:
    from pyspark.sql import functions as F

    return frame.select(*COLUMNS).withColumns(
        {"_new": F.lit(new), "_history_address": F.lit(None).cast("string")}
    )


def merge_events(stored: DataFrame, new: DataFrame | None) -> DataFrame:
    """What `StateDir.add_events` keeps, computed per bucket of addresses (the stored copy of
    an event first, new events by their reference); the caller sorts them on the driver."""
    from pyspark.sql import functions as F

    parts = [_marked(stored, False)]
    if new is not None:
        parts.append(_marked(new.filter(F.col("event").isin(*RELEVANT_EVENTS)), True))

    def merge(frame: pl.DataFrame) -> pl.DataFrame:
        ordered = frame.sort("_new", "source_ref", maintain_order=True)
        stored_part = ordered.filter(~pl.col("_new")).select(COLUMNS)
        new_part = ordered.filter(pl.col("_new")).select(COLUMNS)
        return merge_on_polars(stored_part, new_part)

    return per_bucket(union_all(parts), [_address()], merge, _MARKED, EVENT_SCHEMA)


def build_state(
    events: DataFrame, history: pl.DataFrame, policy: SuppressionPolicy | None = None
) -> pl.DataFrame:
    """One row per suppressed, watched or restored address (schema `STATE_SCHEMA`), as
    `suppression.state.build_state` decides it."""
    spark = events.sparkSession
    policy = policy or SuppressionPolicy()
    lines = numbered(history)
    markers = to_spark(
        spark,
        history.select(pl.col("address").unique().alias("_history_address")),
        "_history_address STRING",
    )
    rows = _marked(events, False).unionByName(markers, allowMissingColumns=True)

    def decide(frame: pl.DataFrame) -> pl.DataFrame:
        own = frame.get_column("_history_address").drop_nulls()
        part = lines.filter(pl.col("address").is_in(own.to_list()))
        bucket_events = frame.filter(pl.col("_history_address").is_null()).select(COLUMNS)
        return state_on_polars(bucket_events.lazy(), part, policy)

    state = per_bucket(rows, [_address()], decide, _MARKED, STATE_SCHEMA)
    return collect_as(state, STATE_SCHEMA).sort("status", "address")
