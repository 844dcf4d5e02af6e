"""One row per message and recipient: what finally happened to it.

A message is identified by (`message_id`, `recipient`); rows without a message id stand alone.
All later figures count messages, not events, so that a message deferred five times and then
delivered counts once as delivered. Each message belongs to the week and day of its first
event (its send time), like a campaign report.
"""

from __future__ import annotations

import polars as pl

from deliverability.periods import day_expr, week_of_day
from deliverability.schema import ATTEMPT_EVENTS
from deliverability.taxonomy import provider_expr, reason_attribute

#: Final outcomes, best first; a message gets the first that applies.
OUTCOMES = ("delivered", "hard", "soft", "undetermined", "blocked", "dropped", "pending", "other")
#: Each outcome and the per-message flag that gives it, in the order of `OUTCOMES`; a message
#: with none of the flags is "other". Both engines build their expression from this.
OUTCOME_FLAGS = (
    ("delivered", "delivered"), ("hard", "hard"), ("soft", "soft"),
    ("undetermined", "undetermined"), ("blocked", "blocked"), ("dropped", "dropped"),
    ("pending", "sent"),
)  # fmt: skip
FALLBACK_OUTCOME = "other"


#: Text columns with few distinct values (senders, domains, sources).
_FEW_VALUES = ("sender", "recipient_domain", "source")
#: The message table's columns after the key, in order.
_MESSAGE_FLAGS = (
    "sender", "recipient_domain", "source", "sent", "delivered", "hard", "soft", "undetermined",
    "deferred", "deferrals", "blocked", "dropped", "complained", "unsubscribed", "opened",
    "clicked", "reason", "status", "diagnostic", "failure_ref",
)  # fmt: skip


#: Columns of a message's last failure (bounce or block) that the message table keeps.
FAILURE_COLUMNS = {"reason": "reason", "status": "status", "diagnostic": "diagnostic",
                   "failure_ref": "source_ref"}  # fmt: skip


def _has(event: str) -> pl.Expr:
    return (pl.col("event") == event).any()


def message_outcomes(
    events: pl.LazyFrame, timezone: str, *, failure_details: bool = True
) -> pl.LazyFrame:
    """Aggregate events (sorted by time) into one row per message with its final outcome.

    The message id and the event reference are group keys (a row without a message id stands
    alone), so that no value has to be picked per group; the last failure's reason, status,
    text and reference come from the failures alone (a few per cent of the rows). Without
    `failure_details` those four stay empty (what the rates need is computed sooner).
    """
    bounced = pl.col("event") == "bounced"
    keyed = events.with_columns(
        __alone=pl.when(pl.col("message_id").is_null()).then(pl.col("source_ref")),
        __bounce_hard=bounced & (pl.col("bounce_type") == "hard"),
        __bounce_soft=bounced & (pl.col("bounce_type") == "soft"),
        __bounce_other=bounced
        & (pl.col("bounce_type").is_null() | (pl.col("bounce_type") == "undetermined")),
        # few distinct values: picked per message as categories, far cheaper than text
        **{name: pl.col(name).cast(pl.Categorical) for name in _FEW_VALUES},
    ).sort("timestamp")
    keys = ["message_id", "__alone", "recipient"]
    messages = keyed.group_by(keys).agg(
        first_ts=pl.col("timestamp").min(),
        last_ts=pl.col("timestamp").max(),
        sender=pl.col("sender").drop_nulls().first(),
        recipient_domain=pl.col("recipient_domain").first(),
        source=pl.col("source").first(),
        sent=pl.col("event").is_in(ATTEMPT_EVENTS).any(),
        delivered=_has("delivered"),
        hard=pl.col("__bounce_hard").any(),
        soft=pl.col("__bounce_soft").any(),
        undetermined=pl.col("__bounce_other").any(),
        deferred=_has("deferred"),
        deferrals=(pl.col("event") == "deferred").sum(),
        blocked=_has("blocked"),
        dropped=_has("dropped"),
        complained=_has("complained"),
        unsubscribed=_has("unsubscribed"),
        opened=_has("opened"),
        clicked=_has("clicked"),
    )
    if failure_details:
        last_failures = (
            keyed.filter(pl.col("event").is_in(["bounced", "blocked"]))
            .group_by(keys)
            .agg(**{name: pl.col(column).last() for name, column in FAILURE_COLUMNS.items()})
        )
        messages = messages.join(last_failures, on=keys, how="left", nulls_equal=True)
    else:
        messages = messages.with_columns(
            pl.lit(None, dtype=pl.String).alias(name) for name in FAILURE_COLUMNS
        )
    messages = messages.select(
        message_key=pl.coalesce("message_id", "__alone"),
        recipient="recipient",
        first_ts="first_ts",
        last_ts="last_ts",
        message_id="message_id",
        **{name: name for name in _MESSAGE_FLAGS},
    ).with_columns(pl.col(_FEW_VALUES).cast(pl.String))
    outcome: pl.Expr = pl.lit(FALLBACK_OUTCOME)
    for name, flag in reversed(OUTCOME_FLAGS):
        outcome = pl.when(pl.col(flag)).then(pl.lit(name)).otherwise(outcome)
    return (
        messages.with_columns(
            outcome=outcome.cast(pl.Enum(list(OUTCOMES))),
            reason_side=reason_attribute("side"),
            provider=provider_expr("recipient_domain"),
            day=day_expr(pl.col("first_ts"), timezone),
        )
        .with_columns(week=week_of_day(pl.col("day")))
        .select(pl.exclude("day"), "day")
    )
