"""The suppression decisions on Spark, as `suppression.state.build_state` makes them.

The event history (bounces, complaints, unsubscribes, deliveries) is the large part and stays
in Spark: soft-bounce runs, escalations, hard bounces, complaints and unsubscribes are window
functions and aggregations per address. The manual history (`verlauf.csv`: restores and
manual additions) is small and is prepared by the polars code of `suppression.state`. Only
the result, one row per affected address, comes back to the driver.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from deliverability.classify.escalation import ESCALATION_SIDES, RESET_EVENTS
from deliverability.schema import COLUMNS
from deliverability.spark.frames import collect, reason_attribute, to_spark, union_all
from deliverability.suppression.policy import SuppressionPolicy
from deliverability.suppression.state import (
    STATE_SCHEMA,
    TRIGGER_COLUMNS,
    history_rows,
    last_restores,
    manual_additions,
    restore_events,
)
from deliverability.suppression.store import EVENT_KEY, RELEVANT_EVENTS

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession
    from pyspark.sql.window import WindowSpec

_ORDER = ("timestamp", "source_ref")


def _email() -> Column:
    """The address as the list writes it: local part as written, IDNA domain
    (`suppression.addresses.address_key`)."""
    from pyspark.sql import functions as F

    local = F.regexp_replace(F.col("recipient"), "@[^@]*$", "")
    return F.concat(local, F.lit("@"), F.col("recipient_domain"))


def _with_address(events: DataFrame) -> DataFrame:
    """`email` and the lower-case comparison key `address`."""
    from pyspark.sql import functions as F

    return events.withColumn("email", _email()).withColumn("address", F.lower(F.col("email")))


def _window(*keys: str, ordered: bool = True) -> WindowSpec:
    from pyspark.sql import Window

    window = Window.partitionBy(*keys)
    if not ordered:
        return window
    return window.orderBy(*_ORDER).rowsBetween(Window.unboundedPreceding, Window.currentRow)


def _counts_towards_escalation(excluded: list[str]) -> Column:
    from pyspark.sql import functions as F

    reason = F.col("reason")
    suppresses_alone = (F.col("bounce_type") == "hard") & F.coalesce(
        reason_attribute("suppress", reason), F.lit(False)
    )
    return (
        (F.col("event") == "bounced")
        & reason_attribute("side", reason).isin(*ESCALATION_SIDES)
        & ~F.coalesce(reason.isin(*excluded), F.lit(False))
        & ~suppresses_alone
    )


def soft_bounce_runs(events: DataFrame, excluded: list[str]) -> DataFrame:
    """Counted soft bounces and resets per address, numbered by run (as the polars path)."""
    from pyspark.sql import functions as F

    bounced = F.col("event") == "bounced"
    runs = events.filter(
        _counts_towards_escalation(excluded) | F.col("event").isin(*RESET_EVENTS)
    ).withColumn(
        "_run", F.sum(F.col("event").isin(*RESET_EVENTS).cast("long")).over(_window("address"))
    )
    return runs.withColumns(
        {
            "consecutive_soft": F.sum(bounced.cast("int")).over(_window("address", "_run")),
            "run_started": F.min(F.when(bounced, F.col("timestamp"))).over(
                _window("address", "_run", ordered=False)
            ),
        }
    )


def escalations(runs: DataFrame, threshold: int, soft_days: int) -> DataFrame:
    """The event at which a run reached `threshold` (or `soft_days` days), once per run."""
    from pyspark.sql import functions as F

    bounced = F.col("event") == "bounced"
    due = bounced & (F.col("consecutive_soft") >= threshold)
    if soft_days > 0:
        span = F.unix_micros(F.col("timestamp")) - F.unix_micros(F.col("run_started"))
        due = due | (bounced & (span >= soft_days * 86_400 * 1_000_000))
    marked = runs.withColumn("_due", due).withColumn(
        "_dues", F.sum(F.col("_due").cast("int")).over(_window("address", "_run"))
    )
    return marked.filter(F.col("_due") & (F.col("_dues") == 1)).drop("_due", "_dues")


def _triggers(
    spark: SparkSession,
    base: DataFrame,
    runs: DataFrame,
    history: pl.DataFrame,
    policy: SuppressionPolicy,
) -> DataFrame:
    from pyspark.sql import functions as F

    sender = sorted(policy.sender_reasons)
    escalated = escalations(runs, policy.consecutive_soft, policy.soft_days)
    run_refs = (
        runs.filter(F.col("event") == "bounced")
        .join(
            escalated.select("address", "_run", F.col("consecutive_soft").alias("limit")),
            on=["address", "_run"],
        )
        .filter(F.col("consecutive_soft") <= F.col("limit"))
        .groupBy("address", "_run")
        .agg(F.sort_array(F.collect_list(F.struct(*_ORDER))).alias("_refs"))
        .select("address", "_run", F.array_join(F.col("_refs.source_ref"), ", ").alias("run_refs"))
    )
    escalated = (
        escalated.join(run_refs, on=["address", "_run"], how="left")
        .withColumns(
            {
                "trigger": F.lit("escalated"),
                "bounce_type": F.lit("hard"),
                "source_ref": F.col("run_refs"),
            }
        )
        .select(*TRIGGER_COLUMNS)
    )
    reason = F.col("reason")
    hard = base.filter(
        (F.col("event") == "bounced")
        & (F.col("bounce_type") == "hard")
        & F.coalesce(reason_attribute("suppress", reason), F.lit(False))
        & ~F.coalesce(reason.isin(*sender), F.lit(False))
    ).withColumn("trigger", F.lit("hard_bounce"))
    parts = [hard.select(*TRIGGER_COLUMNS), escalated]
    none = F.lit(None).cast("string")
    kinds = [("complained", "complaint", "feedback", policy.complaints)]
    kinds.append(("unsubscribed", "unsubscribe", "unsubscribed", policy.unsubscribes))
    for event, trigger, why, enabled in kinds:
        if enabled:
            rows = base.filter(F.col("event") == event).withColumns(
                {"trigger": F.lit(trigger), "reason": F.lit(why), "bounce_type": none}
            )
            parts.append(rows.select(*TRIGGER_COLUMNS))
    manual = history_rows(
        history,
        "add",
        trigger=pl.lit("manual"),
        reason=pl.lit("manual"),
        bounce_type=pl.lit(None, dtype=pl.String),
    ).select(TRIGGER_COLUMNS)
    parts.append(to_spark(spark, manual, _TRIGGER_DDL))
    return union_all(parts)


_TRIGGER_DDL = (
    "address STRING, email STRING, timestamp TIMESTAMP, trigger STRING, reason STRING, "
    "bounce_type STRING, source STRING, source_ref STRING"
)
_RESTORE_EVENT_DDL = (
    "address STRING, email STRING, timestamp TIMESTAMP, source STRING, source_ref STRING, "
    "event STRING, reason STRING, bounce_type STRING"
)


def _first_per_address(frame: DataFrame, last: bool = False) -> DataFrame:
    """The first (or last) row per address in time order."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    order = [F.col(name).desc() if last else F.col(name).asc() for name in _ORDER]
    ranked = frame.withColumn(
        "_rank", F.row_number().over(Window.partitionBy("address").orderBy(*order))
    )
    return ranked.filter(F.col("_rank") == 1).drop("_rank")


def build_state(
    events: DataFrame, history: pl.DataFrame, policy: SuppressionPolicy | None = None
) -> pl.DataFrame:
    """One row per suppressed, watched or restored address (schema `STATE_SCHEMA`)."""
    from pyspark.sql import functions as F

    spark = events.sparkSession
    policy = policy or SuppressionPolicy()
    base = _with_address(events.select(*COLUMNS))
    restored = to_spark(spark, restore_events(history), _RESTORE_EVENT_DDL)
    runs = soft_bounce_runs(
        base.unionByName(restored, allowMissingColumns=True), sorted(policy.sender_reasons)
    ).cache()
    restores = to_spark(
        spark,
        last_restores(history),
        "address STRING, restored_at TIMESTAMP, restored_by STRING, restore_note STRING",
    )
    triggers = _triggers(spark, base, runs, history, policy).join(
        restores, on="address", how="left"
    )
    effective = _first_per_address(
        triggers.filter(F.col("restored_at").isNull() | (F.col("timestamp") > F.col("restored_at")))
    ).select(
        "address",
        F.col("email").alias("trigger_email"),
        "trigger",
        "reason",
        "bounce_type",
        F.col("timestamp").alias("suppressed_at"),
        F.col("source_ref").alias("refs"),
        F.col("source").alias("trigger_source"),
    )
    current_run = _first_per_address(runs, last=True).select(
        "address",
        F.when(F.col("event") == "bounced", F.col("consecutive_soft"))
        .otherwise(0)
        .cast("long")
        .alias("soft_bounces"),
        F.col("reason").alias("watch_reason"),
    )
    order = F.struct(*_ORDER)
    activity = (
        base.filter(F.col("event").isin("bounced", "complained", "unsubscribed"))
        .groupBy("address")
        .agg(
            F.min_by("email", order).alias("email"),
            F.min("timestamp").alias("first_event"),
            F.max("timestamp").alias("last_event"),
            F.count(F.lit(1)).alias("events"),
            F.max_by("source", order).alias("source"),
        )
    )
    manual_notes = to_spark(
        spark, manual_additions(history), "address STRING, add_note STRING, add_email STRING"
    )
    addresses = (
        effective.select("address")
        .union(restores.select("address"))
        .union(current_run.filter(F.col("soft_bounces") > 0).select("address"))
        .distinct()
    )
    joined = (
        addresses.join(effective, on="address", how="left")
        .join(restores, on="address", how="left")
        .join(current_run, on="address", how="left")
        .join(activity, on="address", how="left")
        .join(manual_notes, on="address", how="left")
    )
    status = (
        F.when(F.col("trigger").isNotNull(), "suppressed")
        .when(F.coalesce(F.col("soft_bounces"), F.lit(0)) > 0, "watch")
        .otherwise("restored")
    )
    watch = F.col("status") == "watch"
    state = joined.withColumn("status", status).withColumns(
        {
            "email": F.coalesce("email", "trigger_email", "add_email"),
            "reason": F.when(watch, F.col("watch_reason")).otherwise(F.col("reason")),
            "bounce_type": F.when(watch, F.lit("soft")).otherwise(F.col("bounce_type")),
            "source": F.coalesce("source", "trigger_source"),
            "events": F.coalesce(F.col("events"), F.lit(0)),
            "soft_bounces": F.coalesce(F.col("soft_bounces"), F.lit(0)),
            "note": F.when(F.col("trigger") == "manual", F.col("add_note")).otherwise(
                F.col("restore_note")
            ),
        }
    )
    collected = collect(state.select(*STATE_SCHEMA.names()))
    runs.unpersist()
    return collected.cast(dict(STATE_SCHEMA)).sort("status", "address")  # type: ignore[arg-type]


def merge_events(stored: DataFrame, new: DataFrame | None) -> DataFrame:
    """What `StateDir.add_events` keeps: the relevant events of addresses that ever bounced,
    complained or unsubscribed, one per event key (the stored copy first, else the smallest
    reference); the caller sorts them on the driver."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    parts = [stored.withColumn("_prio", F.lit(0))]
    if new is not None:
        relevant = new.filter(F.col("event").isin(*RELEVANT_EVENTS))
        parts.append(relevant.withColumn("_prio", F.lit(1)))
    merged = union_all(parts)
    with_address = merged.withColumn("_address", F.lower(_email()))
    bouncing = with_address.filter(F.col("event") != "delivered").select("_address").distinct()
    first = Window.partitionBy(*EVENT_KEY).orderBy("_prio", F.col("source_ref").asc_nulls_first())
    return (
        with_address.join(bouncing, on="_address", how="left_semi")
        .withColumn("_rank", F.row_number().over(first))
        .filter(F.col("_rank") == 1)
        .select(*COLUMNS)
    )
