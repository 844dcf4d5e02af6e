"""Soft→hard escalation: repeated temporary failures make an address undeliverable.

A single soft bounce (mailbox full, server unreachable, greylisting …) says nothing final. But
`threshold` of them in a row (the policy's `consecutive_soft`) without a delivery in between
show that the address does not work; optionally so do `soft_days` days of nothing but soft
bounces. Only failures on the recipient's side count (`ESCALATION_SIDES`: the address, the mailbox, the receiving
server): a block of the sender, a content filter or a send limit says nothing about the
address and never counts (`excluded_reasons` adds more). Hard bounces that suppress on their
own are not part of a run either; they are handled directly. A delivery, or a restore of the
address (event `restored`), starts a new run.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from deliverability.taxonomy import reason_attribute

#: Failure sides that count towards soft→hard escalation.
ESCALATION_SIDES = ("address", "mailbox", "remote")
#: Events that end a run of soft bounces.
RESET_EVENTS = ("delivered", "restored")


def counts_towards_escalation(excluded_reasons: Iterable[str] = ()) -> pl.Expr:
    """True for a bounce on the recipient's side that did not suppress by itself."""
    suppresses_alone = (pl.col("bounce_type") == "hard") & reason_attribute("suppress").fill_null(
        False
    )
    return (
        (pl.col("event") == "bounced")
        & reason_attribute("side").is_in(ESCALATION_SIDES)
        & ~pl.col("reason").is_in(list(excluded_reasons)).fill_null(False)
        & ~suppresses_alone
    )


def soft_bounce_runs(
    events: pl.LazyFrame, key: str = "address", excluded_reasons: Iterable[str] = ()
) -> pl.LazyFrame:
    """Counted soft bounces and resets in time order, numbered by run (`_run`) per `key`,
    with `consecutive_soft` (position in the run) and `run_started`."""
    return (
        events.filter(
            counts_towards_escalation(excluded_reasons) | pl.col("event").is_in(RESET_EVENTS)
        )
        .sort("timestamp", "source_ref")
        .with_columns(_run=pl.col("event").is_in(RESET_EVENTS).cum_sum().over(key))
        .with_columns(
            consecutive_soft=(pl.col("event") == "bounced")
            .cast(pl.Int32)
            .cum_sum()
            .over(key, "_run"),
            run_started=pl.col("timestamp")
            .filter(pl.col("event") == "bounced")
            .min()
            .over(key, "_run"),
        )
    )


def escalations(
    events: pl.LazyFrame,
    threshold: int,
    key: str = "address",
    *,
    soft_days: int = 0,
    excluded_reasons: Iterable[str] = (),
) -> pl.LazyFrame:
    """The event at which an address reached `threshold` soft bounces in a row, or (if
    `soft_days` > 0) `soft_days` days of only soft bounces, whichever comes first.

    `events` needs `key` (a normalized address), `timestamp`, `event`, `reason`,
    `bounce_type` and `source_ref`. Returns those events with `consecutive_soft`,
    `run_started` and `_run`. One escalation per run; a later run can escalate again.
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    runs = soft_bounce_runs(events, key, excluded_reasons)
    due = (pl.col("event") == "bounced") & (pl.col("consecutive_soft") >= threshold)
    if soft_days > 0:
        span = pl.col("timestamp") - pl.col("run_started")
        due = due | ((pl.col("event") == "bounced") & (span >= pl.duration(days=soft_days)))
    return (
        runs.with_columns(_due=due)
        .with_columns(
            _first=pl.col("_due") & (pl.col("_due").cast(pl.Int32).cum_sum().over(key, "_run") == 1)
        )
        .filter(pl.col("_first"))
        .drop("_due", "_first")
    )
