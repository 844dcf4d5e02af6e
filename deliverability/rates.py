"""Per-domain and per-provider rates with Wilson intervals and week-over-week change."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal

import polars as pl

Grouping = Literal["recipient_domain", "provider"]

#: The columns of the message table that the rates read (a run that needs only rates
#: computes just these).
RATE_COLUMNS = (
    "week", "recipient_domain", "provider", "recipient", "sent", "outcome", "deferred",
    "complained", "unsubscribed", "opened",
)  # fmt: skip

#: z for a two-sided 95 % interval.
Z95 = 1.959963984540054


def wilson_parts(p: Any, n: Any, sqrt: Callable[[Any], Any], z: float = Z95) -> tuple[Any, Any]:
    """Centre and half-width of the Wilson score interval for the share `p` of `n` trials.

    The arithmetic of every engine, in one order (floats, polars expressions, Spark columns
    alike), so that the engines' bounds agree to the last bit.
    """
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    margin = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return centre, margin


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion (scalar version, for checks and text)."""
    if trials <= 0:
        return (0.0, 1.0)
    share = successes / trials
    centre, margin = wilson_parts(share, trials, math.sqrt, z)
    # the interval contains the share; rounding alone must not put it outside (13 of 13:
    # 0.9999999999999999 < 1)
    return (max(0.0, min(share, centre - margin)), min(1.0, max(share, centre + margin)))


def wilson_exprs(successes: pl.Expr, trials: pl.Expr, z: float = Z95) -> tuple[pl.Expr, pl.Expr]:
    """Lower and upper Wilson bounds as polars expressions (null where trials is 0)."""
    n = trials.cast(pl.Float64)
    share = successes.cast(pl.Float64) / n
    centre, margin = wilson_parts(share, n, pl.Expr.sqrt, z)
    valid = trials > 0
    # as `wilson_interval`: the bounds never exclude the share through rounding
    lower = pl.when(valid).then(pl.min_horizontal(centre - margin, share).clip(0.0, 1.0))
    upper = pl.when(valid).then(pl.max_horizontal(centre + margin, share).clip(0.0, 1.0))
    return lower, upper


def _safe_ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return pl.when(denominator > 0).then(numerator / denominator)


def rates(messages: pl.LazyFrame, by: list[str]) -> pl.LazyFrame:
    """Counts and rates per group of the message table.

    sent = messages that left the platform; bounce rate = (hard + soft + undetermined) / sent;
    complaint rate = complaints / delivered. `bounce_low`/`bounce_high` are the Wilson 95 %
    bounds, used to rank groups so that 1 of 3 does not outrank 3,000 of 30,000.
    """
    counts = messages.group_by(by).agg(
        requested=pl.len(),
        sent=pl.col("sent").sum(),
        delivered=(pl.col("outcome") == "delivered").sum(),
        hard=(pl.col("outcome") == "hard").sum(),
        soft=(pl.col("outcome") == "soft").sum(),
        undetermined=(pl.col("outcome") == "undetermined").sum(),
        pending=(pl.col("outcome") == "pending").sum(),
        deferred=pl.col("deferred").sum(),
        blocked=(pl.col("outcome") == "blocked").sum(),
        dropped=(pl.col("outcome") == "dropped").sum(),
        complaints=pl.col("complained").sum(),
        unsubscribes=pl.col("unsubscribed").sum(),
        opened=pl.col("opened").sum(),
        recipients=pl.col("recipient").str.to_lowercase().n_unique(),
    )
    return with_rates(counts)


def with_rates(counts: pl.LazyFrame) -> pl.LazyFrame:
    """The rates and Wilson bounds of counts per group (`sent`, `delivered`, `hard`, `soft`,
    `undetermined`, `complaints`): the same formulas for fresh messages and stored counts."""
    bounces = pl.col("hard") + pl.col("soft") + pl.col("undetermined")
    low, high = wilson_exprs(bounces, pl.col("sent"))
    return counts.with_columns(
        bounces=bounces,
        delivery_rate=_safe_ratio(pl.col("delivered"), pl.col("sent")),
        bounce_rate=_safe_ratio(bounces, pl.col("sent")),
        hard_rate=_safe_ratio(pl.col("hard"), pl.col("sent")),
        soft_rate=_safe_ratio(pl.col("soft"), pl.col("sent")),
        complaint_rate=_safe_ratio(pl.col("complaints"), pl.col("delivered")),
        bounce_low=low,
        bounce_high=high,
    )


def weekly_rates(
    messages: pl.LazyFrame, by: Grouping | None, week: str, previous: str
) -> pl.LazyFrame:
    """Rates of `week` per group (or overall when `by` is None) with the change to `previous`.

    Adds `sent_prev`, `bounce_rate_prev` and `bounce_rate_change` (percentage points as a
    share, e.g. 0.012 = +1.2 points), sorted by the Wilson lower bound, highest first.
    """
    key = by or "__all"
    scoped = messages if by else messages.with_columns(__all=pl.lit("alle"))
    current = rates(scoped.filter(pl.col("week") == week), [key])
    before = rates(scoped.filter(pl.col("week") == previous), [key]).select(
        key,
        sent_prev=pl.col("sent"),
        delivered_prev=pl.col("delivered"),
        bounce_rate_prev=pl.col("bounce_rate"),
        hard_rate_prev=pl.col("hard_rate"),
        delivery_rate_prev=pl.col("delivery_rate"),
        soft_rate_prev=pl.col("soft_rate"),
        complaint_rate_prev=pl.col("complaint_rate"),
    )
    joined = current.join(before, on=key, how="left").with_columns(
        bounce_rate_change=pl.col("bounce_rate") - pl.col("bounce_rate_prev"),
    )
    ranked = rank_rates(joined, key)
    return ranked if by else ranked.drop("__all")


def rank_rates(table: pl.LazyFrame, key: str) -> pl.LazyFrame:
    """Groups by the Wilson lower bound of the bounce rate, highest first, then by volume; the
    key last, so that groups with equal bounds and volume keep a fixed order (on every
    engine)."""
    return table.sort(["bounce_low", "sent", key], descending=[True, True, False], nulls_last=True)


def domain_event_rates(events: pl.LazyFrame) -> pl.LazyFrame:
    """Per recipient domain, straight from events: sends, deliveries, hard and soft bounces,
    and the bounce rate = bounced / (delivered + bounced) events.

    The quick per-domain view of a large event log (no per-message outcome); it works for
    logs with `sent` events and for ESP logs that only report outcomes.
    """
    event = pl.col("event")  # Enum or text: both compare with a string
    bounced = event == "bounced"
    kind = pl.col("bounce_type")
    return (
        events.group_by("recipient_domain")
        .agg(
            sent=(event == "sent").sum(),
            delivered=(event == "delivered").sum(),
            hard=(bounced & (kind == "hard")).sum(),
            soft=(bounced & (kind == "soft")).sum(),
            bounced=bounced.sum(),
        )
        .with_columns(
            bounce_rate=_safe_ratio(pl.col("bounced"), pl.col("delivered") + pl.col("bounced"))
        )
        .sort("recipient_domain")
    )
