"""The suppression state: one row per address that is suppressed, watched or restored.

Built from the events and the manual actions of the history (restores, manual additions) by
the policy, as a pure function: the same inputs always give the same state, so re-running is
idempotent. A restore lifts what happened before it; a trigger after it suppresses again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

import polars as pl

from deliverability.classify.escalation import escalations, soft_bounce_runs
from deliverability.suppression.addresses import address_key
from deliverability.suppression.policy import SuppressionPolicy
from deliverability.taxonomy import reason_attribute
from deliverability.text_expr import format_text

#: Manual actions, one row each, in the order they were recorded (append-only).
HISTORY_SCHEMA: Final[pl.Schema] = pl.Schema(
    {  # type: ignore[arg-type]
        "recorded_at": pl.Datetime("us", "UTC"),
        "action": pl.String,  # restore | add
        "address": pl.String,  # normalized, lower case
        "email": pl.String,  # as the user wrote it
        "note": pl.String,  # the written reason
        "by": pl.String,  # who
    }
)
ACTIONS: Final[tuple[str, ...]] = ("restore", "add")

STATE_SCHEMA: Final[pl.Schema] = pl.Schema(
    {  # type: ignore[arg-type]
        "address": pl.String,
        "email": pl.String,
        "status": pl.String,  # suppressed | watch | restored
        "trigger": pl.String,  # hard_bounce | escalated | complaint | unsubscribe | manual
        "reason": pl.String,
        "bounce_type": pl.String,
        "first_event": pl.Datetime("us", "UTC"),
        "last_event": pl.Datetime("us", "UTC"),
        "events": pl.Int64,
        "soft_bounces": pl.Int64,  # current run of soft bounces (watch)
        "suppressed_at": pl.Datetime("us", "UTC"),
        "refs": pl.String,  # event references that caused it
        "source": pl.String,
        "restored_at": pl.Datetime("us", "UTC"),
        "restored_by": pl.String,
        "note": pl.String,  # reason of the restore or manual addition
    }
)
STATUSES: Final[tuple[str, ...]] = ("suppressed", "watch", "restored")
#: The events the decisions read (all others change nothing).
RELEVANT_EVENTS: Final[tuple[str, ...]] = ("bounced", "complained", "unsubscribed", "delivered")

TRIGGER_COLUMNS = (
    "address", "email", "timestamp", "trigger", "reason", "bounce_type", "source", "source_ref",
)  # fmt: skip


def empty_history() -> pl.DataFrame:
    return pl.DataFrame(schema=HISTORY_SCHEMA)


def relevant_events(events: pl.LazyFrame) -> pl.LazyFrame:
    """The events the decisions read: bounces, complaints, unsubscribes and deliveries of the
    addresses that had at least one bounce, complaint or unsubscribe (a delivery to any other
    address decides nothing)."""
    kind = pl.col("event").cast(pl.String)
    relevant = events.filter(kind.is_in(RELEVANT_EVENTS)).with_columns(
        _concerned=address_key().str.to_lowercase()
    )
    concerned = relevant.filter(kind != "delivered").select("_concerned").unique()
    kept = relevant.join(concerned, on="_concerned", how="semi", maintain_order="left")
    return kept.drop("_concerned")


def _with_address(events: pl.LazyFrame) -> pl.LazyFrame:
    return events.with_columns(email=address_key()).with_columns(
        address=pl.col("email").str.to_lowercase(),
        event=pl.col("event").cast(pl.String),
        bounce_type=pl.col("bounce_type").cast(pl.String),
    )


def numbered(history: pl.DataFrame) -> pl.DataFrame:
    """The history with `_line`, each row's line in `verlauf.csv` (kept where it is already
    there, so that a part of the history keeps the lines of the whole)."""
    if "_line" in history.columns:
        return history
    return history.with_row_index("_line", offset=2)


def history_rows(history: pl.DataFrame, action: str, **columns: pl.Expr) -> pl.LazyFrame:
    """The history rows of one action as event-like rows, referenced as `verlauf.csv:LINE`."""
    return (
        numbered(history)
        .lazy()
        .filter(pl.col("action") == action)
        .select(
            "address",
            "email",
            timestamp=pl.col("recorded_at"),
            source=pl.lit("verlauf"),
            source_ref=format_text("verlauf.csv:{}", pl.col("_line")),
            **columns,
        )
    )


def restore_events(history: pl.DataFrame) -> pl.LazyFrame:
    """Restores as events that end a run of soft bounces."""
    none = pl.lit(None, dtype=pl.String)
    return history_rows(history, "restore", event=pl.lit("restored"), reason=none, bounce_type=none)


def _triggers(base: pl.LazyFrame, history: pl.DataFrame, policy: SuppressionPolicy) -> pl.LazyFrame:
    sender = list(policy.sender_reasons)
    with_restores = pl.concat([base, restore_events(history)], how="diagonal_relaxed")
    escalated = escalations(
        with_restores,
        policy.consecutive_soft,
        soft_days=policy.soft_days,
        excluded_reasons=sender,
    )
    run_refs = (
        soft_bounce_runs(with_restores, excluded_reasons=sender)
        .filter(pl.col("event") == "bounced")
        .join(
            escalated.select("address", "_run", limit=pl.col("consecutive_soft")),
            on=["address", "_run"],
        )
        .filter(pl.col("consecutive_soft") <= pl.col("limit"))
        .group_by("address", "_run")
        .agg(run_refs=pl.col("source_ref").sort_by("timestamp", "source_ref").str.join(", "))
    )
    escalated = (
        escalated.join(run_refs, on=["address", "_run"], how="left")
        .with_columns(
            trigger=pl.lit("escalated"), bounce_type=pl.lit("hard"), source_ref=pl.col("run_refs")
        )
        .select(TRIGGER_COLUMNS)
    )
    hard = base.filter(
        (pl.col("event") == "bounced")
        & (pl.col("bounce_type") == "hard")
        & reason_attribute("suppress").fill_null(False)
        & ~pl.col("reason").is_in(sender).fill_null(False)
    ).with_columns(trigger=pl.lit("hard_bounce"))
    parts = [hard.select(TRIGGER_COLUMNS), escalated]
    none = pl.lit(None, dtype=pl.String)
    if policy.complaints:
        complaints = base.filter(pl.col("event") == "complained").with_columns(
            trigger=pl.lit("complaint"), reason=pl.lit("feedback"), bounce_type=none
        )
        parts.append(complaints.select(TRIGGER_COLUMNS))
    if policy.unsubscribes:
        unsubscribes = base.filter(pl.col("event") == "unsubscribed").with_columns(
            trigger=pl.lit("unsubscribe"), reason=pl.lit("unsubscribed"), bounce_type=none
        )
        parts.append(unsubscribes.select(TRIGGER_COLUMNS))
    manual = history_rows(
        history, "add", trigger=pl.lit("manual"), reason=pl.lit("manual"), bounce_type=none
    )
    parts.append(manual.select(TRIGGER_COLUMNS))
    return pl.concat(parts, how="vertical_relaxed")


def last_restores(history: pl.DataFrame) -> pl.DataFrame:
    """Per address the last restore: when, by whom and why."""
    return (
        numbered(history)
        .filter(pl.col("action") == "restore")
        .sort("recorded_at", "_line")
        .group_by("address")
        .agg(
            restored_at=pl.col("recorded_at").last(),
            restored_by=pl.col("by").last(),
            restore_note=pl.col("note").last(),
        )
    )


def manual_additions(history: pl.DataFrame) -> pl.DataFrame:
    """Per address the note and spelling of the last manual addition."""
    return (
        history.filter(pl.col("action") == "add")
        .group_by("address", maintain_order=True)
        .agg(add_note=pl.col("note").last(), add_email=pl.col("email").last())
    )


def build_state(
    events: pl.LazyFrame, history: pl.DataFrame, policy: SuppressionPolicy | None = None
) -> pl.DataFrame:
    """One row per suppressed, watched or restored address (schema `STATE_SCHEMA`)."""
    policy = policy or SuppressionPolicy()
    # Collected once: the decisions below read it several times, and it is a small part of
    # the events (a lazy plan would filter all events again for each of them).
    base = _with_address(relevant_events(events)).collect().lazy()
    restores = last_restores(history).lazy()
    triggers = _triggers(base, history, policy).join(restores, on="address", how="left")
    effective = (
        triggers.filter(
            pl.col("restored_at").is_null() | (pl.col("timestamp") > pl.col("restored_at"))
        )
        .sort("timestamp", "source_ref")
        .group_by("address", maintain_order=True)
        .first()
        .select(
            "address",
            trigger_email=pl.col("email"),
            trigger=pl.col("trigger"),
            reason=pl.col("reason"),
            bounce_type=pl.col("bounce_type"),
            suppressed_at=pl.col("timestamp"),
            refs=pl.col("source_ref"),
            trigger_source=pl.col("source"),
        )
    )
    current_run = (
        soft_bounce_runs(
            pl.concat([base, restore_events(history)], how="diagonal_relaxed"),
            excluded_reasons=list(policy.sender_reasons),
        )
        .sort("timestamp", "source_ref")
        .group_by("address", maintain_order=True)
        .last()
        .select(
            "address",
            soft_bounces=pl.when(pl.col("event") == "bounced")
            .then(pl.col("consecutive_soft"))
            .otherwise(0)
            .cast(pl.Int64),
            watch_reason=pl.col("reason"),
        )
    )
    activity = (
        base.filter(pl.col("event").is_in(["bounced", "complained", "unsubscribed"]))
        .sort("timestamp", "source_ref")
        .group_by("address")
        .agg(
            email=pl.col("email").first(),
            first_event=pl.col("timestamp").min(),
            last_event=pl.col("timestamp").max(),
            events=pl.len().cast(pl.Int64),
            source=pl.col("source").last(),
        )
    )
    manual_notes = manual_additions(history).lazy()
    addresses = pl.concat(
        [
            effective.select("address"),
            restores.select("address"),
            current_run.filter(pl.col("soft_bounces") > 0).select("address"),
        ]
    ).unique()
    state = (
        addresses.join(effective, on="address", how="left")
        .join(restores, on="address", how="left")
        .join(current_run, on="address", how="left")
        .join(activity, on="address", how="left")
        .join(manual_notes, on="address", how="left")
        .with_columns(
            status=pl.when(pl.col("trigger").is_not_null())
            .then(pl.lit("suppressed"))
            .when(pl.col("soft_bounces").fill_null(0) > 0)
            .then(pl.lit("watch"))
            .otherwise(pl.lit("restored")),
        )
        .with_columns(
            email=pl.coalesce("email", "trigger_email", "add_email"),
            reason=pl.when(pl.col("status") == "watch")
            .then(pl.col("watch_reason"))
            .otherwise(pl.col("reason")),
            bounce_type=pl.when(pl.col("status") == "watch")
            .then(pl.lit("soft"))
            .otherwise(pl.col("bounce_type")),
            source=pl.coalesce("source", "trigger_source"),
            events=pl.col("events").fill_null(0),
            soft_bounces=pl.col("soft_bounces").fill_null(0),
            note=pl.when(pl.col("trigger") == "manual")
            .then(pl.col("add_note"))
            .otherwise(pl.col("restore_note")),
        )
    )
    return (
        state.select([pl.col(name).cast(dtype) for name, dtype in STATE_SCHEMA.items()])
        .sort("status", "address")
        .collect()
    )


def state_until(
    events: pl.LazyFrame,
    history: pl.DataFrame,
    policy: SuppressionPolicy | None,
    until: datetime,
) -> pl.DataFrame:
    """The state as it stood at `until`: decided only from the events and manual actions
    before it (a report of a past week shows the list as it was at that week's end)."""
    moment = pl.lit(until.astimezone(UTC), dtype=pl.Datetime("us", "UTC"))
    earlier = numbered(history).filter(pl.col("recorded_at") < moment)
    return build_state(events.filter(pl.col("timestamp") < moment), earlier, policy)
