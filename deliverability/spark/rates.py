"""Messages, outcomes and weekly rates on Spark, as `outcomes` and `rates` compute them.

Same definitions, same arithmetic order (so that the doubles are bit-identical), same sort
order; the tests compare the CSV files of both engines byte by byte.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from deliverability.outcomes import FALLBACK_OUTCOME, OUTCOME_FLAGS
from deliverability.rates import Z95, wilson_parts
from deliverability.schema import ATTEMPT_EVENTS
from deliverability.spark.frames import lookup
from deliverability.taxonomy import provider_map
from deliverability.taxonomy.providers import other_provider

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame


def _any(condition: Column) -> Column:
    from pyspark.sql import functions as F

    return F.coalesce(F.bool_or(condition), F.lit(False))


def week_col(timestamp: Column, timezone: str) -> Column:
    """ISO week label (``2026-W47``) of UTC timestamps, in local time (as `periods.week_expr`)."""
    from pyspark.sql import functions as F

    local = F.to_date(F.from_utc_timestamp(timestamp, timezone))
    thursday = F.date_add(local, 3 - F.weekday(local))  # its year is the ISO year
    return F.concat(
        F.year(thursday).cast("string"),
        F.lit("-W"),
        F.lpad(F.weekofyear(local).cast("string"), 2, "0"),
    )


def provider_col(domain: Column) -> Column:
    """The mailbox provider of a recipient domain (static map, as `taxonomy.provider_expr`)."""
    from pyspark.sql import functions as F

    return F.coalesce(lookup(provider_map(), domain), F.lit(other_provider()))


def message_outcomes(events: DataFrame, timezone: str) -> DataFrame:
    """One row per message and recipient with its final outcome, provider and week (the
    columns the rates need; see `outcomes.message_outcomes`)."""
    from pyspark.sql import functions as F

    event = F.col("event")
    bounced = event == "bounced"
    kind = F.col("bounce_type")
    messages = (
        events.withColumn("_key", F.coalesce(F.col("message_id"), F.col("source_ref")))
        .groupBy("_key", "recipient")
        .agg(
            F.min("timestamp").alias("first_ts"),
            F.min("recipient_domain").alias("recipient_domain"),
            _any(event.isin(*ATTEMPT_EVENTS)).alias("sent"),
            _any(event == "delivered").alias("delivered"),
            _any(bounced & (kind == "hard")).alias("hard"),
            _any(bounced & (kind == "soft")).alias("soft"),
            _any(bounced & (kind.isNull() | (kind == "undetermined"))).alias("undetermined"),
            _any(event == "deferred").alias("deferred"),
            _any(event == "blocked").alias("blocked"),
            _any(event == "dropped").alias("dropped"),
            _any(event == "complained").alias("complained"),
            _any(event == "unsubscribed").alias("unsubscribed"),
            _any(event == "opened").alias("opened"),
        )
    )
    (first, flag), *rest = OUTCOME_FLAGS
    outcome = F.when(F.col(flag), first)
    for name, flag in rest:
        outcome = outcome.when(F.col(flag), name)
    outcome = outcome.otherwise(FALLBACK_OUTCOME)
    return messages.withColumns(
        {
            "outcome": outcome,
            "provider": provider_col(F.col("recipient_domain")),
            "week": week_col(F.col("first_ts"), timezone),
        }
    )


def wilson_cols(successes: Column, trials: Column, z: float = Z95) -> tuple[Column, Column]:
    """Lower and upper Wilson bounds (null where trials is 0), as `rates.wilson_exprs`."""
    from pyspark.sql import functions as F

    n = trials.cast("double")
    centre, margin = wilson_parts(successes.cast("double") / n, n, F.sqrt, z)

    def clipped(value: Column) -> Column:
        return F.when(trials > 0, F.least(F.greatest(value, F.lit(0.0)), F.lit(1.0)))

    return clipped(centre - margin), clipped(centre + margin)


def _ratio(numerator: Column, denominator: Column) -> Column:
    from pyspark.sql import functions as F

    return F.when(denominator > 0, numerator / denominator)


def rates(messages: DataFrame, by: str) -> DataFrame:
    """Counts and rates per group (as `rates.rates`)."""
    from pyspark.sql import functions as F

    def count(condition: Column) -> Column:
        return F.sum(condition.cast("long"))

    outcome = F.col("outcome")
    counts = messages.groupBy(by).agg(
        F.count(F.lit(1)).alias("requested"),
        count(F.col("sent")).alias("sent"),
        *[
            count(outcome == name).alias(name)
            for name in ("delivered", "hard", "soft", "undetermined", "pending")
        ],
        count(F.col("deferred")).alias("deferred"),
        *[count(outcome == name).alias(name) for name in ("blocked", "dropped")],
        count(F.col("complained")).alias("complaints"),
        count(F.col("unsubscribed")).alias("unsubscribes"),
        count(F.col("opened")).alias("opened"),
        F.count_distinct(F.lower(F.col("recipient"))).alias("recipients"),
    )
    bounces = F.col("hard") + F.col("soft") + F.col("undetermined")
    low, high = wilson_cols(bounces, F.col("sent"))
    return counts.withColumns(
        {
            "bounces": bounces,
            "delivery_rate": _ratio(F.col("delivered"), F.col("sent")),
            "bounce_rate": _ratio(bounces, F.col("sent")),
            "hard_rate": _ratio(F.col("hard"), F.col("sent")),
            "soft_rate": _ratio(F.col("soft"), F.col("sent")),
            "complaint_rate": _ratio(F.col("complaints"), F.col("delivered")),
            "bounce_low": low,
            "bounce_high": high,
        }
    )


def weekly_rates(messages: DataFrame, by: str, week: str, previous: str) -> DataFrame:
    """Rates of `week` per group with the change to `previous` (as `rates.weekly_rates`)."""
    from pyspark.sql import functions as F

    current = rates(messages.filter(F.col("week") == week), by)
    before = rates(messages.filter(F.col("week") == previous), by).select(
        by,
        *[
            F.col(name).alias(f"{name}_prev")
            for name in (
                "sent",
                "delivered",
                "bounce_rate",
                "hard_rate",
                "delivery_rate",
                "soft_rate",
                "complaint_rate",
            )  # fmt: skip
        ],
    )
    joined = current.join(before, on=by, how="left").withColumn(
        "bounce_rate_change", F.col("bounce_rate") - F.col("bounce_rate_prev")
    )
    return joined.orderBy(
        F.col("bounce_low").desc_nulls_last(),
        F.col("sent").desc_nulls_last(),
        F.col(by).asc_nulls_last(),
    )
