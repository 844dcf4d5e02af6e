"""Messages, outcomes and weekly rates on Spark: the polars code of `outcomes` and `rates`,
run on Spark's partitions.

The events of one message land in one bucket (by message key and recipient), where
`outcomes.message_outcomes` makes them one row; the messages of one domain or provider land in
one bucket, where `rates.weekly_rates` computes its figures. Only the result (one row per
group) comes back to the driver, which ranks it as the polars path does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from deliverability.outcomes import message_outcomes as messages_on_polars
from deliverability.rates import Grouping, rank_rates
from deliverability.rates import weekly_rates as rates_on_polars
from deliverability.schema import EVENT_SCHEMA
from deliverability.spark.frames import collect_as, per_bucket

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def message_schema(timezone: str) -> pl.Schema:
    """The columns of the message table (as `outcomes.message_outcomes` gives them)."""
    return messages_on_polars(pl.LazyFrame(schema=EVENT_SCHEMA), timezone).collect_schema()


def message_outcomes(events: DataFrame, timezone: str) -> DataFrame:
    """One row per message and recipient with its final outcome, provider and week."""
    from pyspark.sql import functions as F

    def outcomes(frame: pl.DataFrame) -> pl.DataFrame:
        return messages_on_polars(frame.lazy(), timezone).collect()

    key = [F.coalesce(F.col("message_id"), F.col("source_ref")), F.col("recipient")]
    return per_bucket(events, key, outcomes, EVENT_SCHEMA, message_schema(timezone))


def weeks(messages: DataFrame) -> list[str]:
    """The weeks present in a Spark message table."""
    return [row[0] for row in messages.select("week").distinct().collect() if row[0]]


def weekly_rates(
    messages: DataFrame, by: Grouping, week: str, previous: str, timezone: str
) -> pl.DataFrame:
    """Rates of `week` per group with the change to `previous` (as `rates.weekly_rates`),
    ranked as there, on the driver."""
    from pyspark.sql import functions as F

    schema = message_schema(timezone)
    rates_schema = rates_on_polars(pl.LazyFrame(schema=schema), by, week, previous).collect_schema()

    def figures(frame: pl.DataFrame) -> pl.DataFrame:
        return rates_on_polars(frame.lazy(), by, week, previous).collect()

    scoped = messages.filter(F.col("week").isin(week, previous))
    table = collect_as(per_bucket(scoped, [F.col(by)], figures, schema, rates_schema), rates_schema)
    return rank_rates(table.lazy(), by).collect()
