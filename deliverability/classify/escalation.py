"""Soft→hard escalation: repeated temporary failures make an address undeliverable.

A single soft bounce (mailbox full, server unreachable, greylisting …) says nothing final. But
`threshold` of them in a row (default 5) without a delivery in between show that the address
does not work. Only failures on the recipient's side count (`ESCALATION_SIDES`: the address,
the mailbox, the receiving server): a block of the sender, a content filter or a send limit
says nothing about the address and never counts. Hard bounces that suppress on their own are
not part of a run either; they are handled directly.
"""

from __future__ import annotations

import polars as pl

from deliverability.taxonomy import reason_attribute

#: Failure sides that count towards soft→hard escalation.
ESCALATION_SIDES = ("address", "mailbox", "remote")
DEFAULT_THRESHOLD = 5


def counts_towards_escalation() -> pl.Expr:
    """True for a bounce on the recipient's side that did not suppress by itself."""
    suppresses_alone = (pl.col("bounce_type") == "hard") & reason_attribute("suppress").fill_null(
        False
    )
    return (
        (pl.col("event") == "bounced")
        & reason_attribute("side").is_in(ESCALATION_SIDES)
        & ~suppresses_alone
    )


def escalations(
    events: pl.LazyFrame, threshold: int = DEFAULT_THRESHOLD, key: str = "address"
) -> pl.LazyFrame:
    """The event at which an address reached `threshold` soft bounces in a row.

    `events` needs `key` (a normalized address), `timestamp`, `event`, `reason`,
    `bounce_type` and `source_ref`. Returns those events with `consecutive_soft` (= threshold)
    and `run_started` (the first soft bounce of the run). A delivery resets the count; a
    later run can escalate again.
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    history = (
        events.filter(counts_towards_escalation() | (pl.col("event") == "delivered"))
        .sort("timestamp", "source_ref")
        .with_columns(_run=(pl.col("event") == "delivered").cum_sum().over(key))
        .with_columns(
            consecutive_soft=pl.when(pl.col("event") == "bounced")
            .then(1)
            .otherwise(0)
            .cum_sum()
            .over(key, "_run"),
            run_started=pl.col("timestamp")
            .filter(pl.col("event") == "bounced")
            .min()
            .over(key, "_run"),
        )
    )
    return history.filter(
        (pl.col("event") == "bounced") & (pl.col("consecutive_soft") == threshold)
    ).drop("_run")
