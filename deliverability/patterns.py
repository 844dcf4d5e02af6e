"""Telling a receiving server that is down from single bad addresses, per domain or provider.

Four patterns, each computed from the message table with thresholds as parameters:

- `server_down`: on at least one day, most messages to the group were deferred or failed
  temporarily for reasons on the receiving side (network, system, expiry);
- `domain_invalid`: (almost) every message to the domain failed because the domain does not
  exist or takes no mail — typically a typo such as gmial.com;
- `sender_blocked`: a large share failed for reasons that point at the sender or the content
  (block list, reputation, spam filter, policy, authentication) — addresses are fine;
- `bad_addresses`: single hard bounces for unknown users while the rest is delivered.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

REMOTE_SIDES = ("remote",)
SENDER_SIDES = ("sender", "content")
ADDRESS_SIDES = ("address",)
PATTERNS = ("server_down", "domain_invalid", "sender_blocked", "bad_addresses")


FAILED = ("hard", "soft", "undetermined")


def remote_trouble() -> pl.Expr:
    """A message deferred, or failing softly for a reason on the receiving server's side."""
    return pl.col("deferred") | (
        pl.col("outcome").is_in(["soft", "pending"]) & pl.col("reason_side").is_in(REMOTE_SIDES)
    )


def domain_reason() -> pl.Expr:
    """The failure's reason is the domain itself (it does not exist or takes no mail)."""
    return pl.col("reason").is_in(["hostunknown", "notaccept"])


def invalid_domain_failure() -> pl.Expr:
    """A message that failed because its domain does not exist or takes no mail."""
    return pl.col("outcome").is_in(FAILED) & domain_reason()


def sender_side_failure() -> pl.Expr:
    """A message that failed for a reason pointing at the sender or the content."""
    return pl.col("outcome").is_in(FAILED) & pl.col("reason_side").is_in(SENDER_SIDES)


def bad_address_failure() -> pl.Expr:
    """A hard bounce for a reason that lies with the address."""
    return (pl.col("outcome") == "hard") & pl.col("reason_side").is_in(ADDRESS_SIDES)


@dataclass(frozen=True)
class PatternThresholds:
    #: share of a day's messages deferred or soft-failing for remote reasons
    outage_share: float = 0.5
    #: minimum messages on that day
    outage_min_messages: int = 5
    #: share of messages failing for address reasons with domain-level reasons
    invalid_share: float = 0.8
    #: share of sent messages failing for sender/content reasons
    blocked_share: float = 0.05
    blocked_min_messages: int = 5
    #: a group with bad addresses still delivers at least this share
    bad_addresses_delivered_share: float = 0.5


def detect_patterns(
    messages: pl.LazyFrame, by: str, week: str, thresholds: PatternThresholds | None = None
) -> pl.LazyFrame:
    """One row per (group, pattern) found in `week`, with the figures behind it."""
    t = thresholds or PatternThresholds()
    scoped = messages.filter(pl.col("week") == week)
    daily = (
        scoped.group_by(by, "day")
        .agg(messages=pl.len(), troubled=remote_trouble().sum())
        .with_columns(share=pl.col("troubled") / pl.col("messages"))
        .filter((pl.col("messages") >= t.outage_min_messages) & (pl.col("share") >= t.outage_share))
        .group_by(by)
        .agg(
            days=pl.col("day").sort(),
            affected=pl.col("troubled").sum(),
            messages=pl.col("messages").sum(),
        )
        .with_columns(pattern=pl.lit("server_down"), share=pl.col("affected") / pl.col("messages"))
    )
    per_group = (
        scoped.group_by(by)
        .agg(
            messages=pl.col("sent").sum(),
            delivered=(pl.col("outcome") == "delivered").sum(),
            invalid=invalid_domain_failure().sum(),
            sender_side=sender_side_failure().sum(),
            bad_addresses=(bad_address_failure() & ~domain_reason()).sum(),
            bad_recipients=pl.col("recipient")
            .filter(bad_address_failure())
            .str.to_lowercase()
            .n_unique(),
        )
        .filter(pl.col("messages") > 0)
    )
    empty_days = pl.lit(None, dtype=pl.List(pl.Date))
    invalid = per_group.filter(pl.col("invalid") >= t.invalid_share * pl.col("messages")).select(
        by,
        days=empty_days,
        affected=pl.col("invalid"),
        messages=pl.col("messages"),
        pattern=pl.lit("domain_invalid"),
        share=pl.col("invalid") / pl.col("messages"),
    )
    blocked = per_group.filter(
        (pl.col("sender_side") >= t.blocked_min_messages)
        & (pl.col("sender_side") >= t.blocked_share * pl.col("messages"))
    ).select(
        by,
        days=empty_days,
        affected=pl.col("sender_side"),
        messages=pl.col("messages"),
        pattern=pl.lit("sender_blocked"),
        share=pl.col("sender_side") / pl.col("messages"),
    )
    bad = per_group.filter(
        (pl.col("bad_addresses") > 0)
        & (pl.col("delivered") >= t.bad_addresses_delivered_share * pl.col("messages"))
    ).select(
        by,
        days=empty_days,
        affected=pl.col("bad_recipients").cast(pl.UInt32),
        messages=pl.col("messages"),
        pattern=pl.lit("bad_addresses"),
        share=pl.col("bad_addresses") / pl.col("messages"),
    )
    columns = [by, "pattern", "affected", "messages", "share", "days"]
    frames = [
        frame.select(
            pl.col(by),
            pl.col("pattern"),
            pl.col("affected").cast(pl.UInt32),
            pl.col("messages").cast(pl.UInt32),
            pl.col("share").cast(pl.Float64),
            pl.col("days"),
        )
        for frame in (daily, invalid, blocked, bad)
    ]
    return (
        pl.concat(frames)
        .select(columns)
        .sort(
            pl.col("pattern").cast(pl.Enum(list(PATTERNS))),
            pl.col("affected"),
            descending=[False, True],
        )
    )
