"""Suppression list v1: who must not be mailed again, and why.

An address is suppressed by
- a hard bounce whose reason shows the address itself is undeliverable (taxonomy `suppress`),
- `consecutive` soft bounces in a row (default 5) without a delivery in between, counting
  only failures on the recipient's side (address, mailbox, receiving server) — a block of the
  sender, the content or a send limit never counts against a valid address
  (`classify.escalation`),
- a complaint, or an unsubscribe.
Addresses are compared case-insensitively with the IDNA form of their domain.
"""

from __future__ import annotations

import polars as pl

from deliverability.classify.escalation import escalations
from deliverability.schema import BounceTypeDtype
from deliverability.taxonomy import reason_attribute

GENERIC_COLUMNS = (
    "email",
    "status",
    "reason",
    "bounce_type",
    "first_seen",
    "last_seen",
    "events",
    "source",
)
TRIGGERS = ("hard_bounce", "escalated", "complaint", "unsubscribe")


def address_key() -> pl.Expr:
    """Normalized address: local part as written, IDNA domain; lower-cased for comparison."""
    local = pl.col("recipient").str.replace(r"@[^@]*$", "")
    return pl.format("{}@{}", local, pl.col("recipient_domain"))


def suppression_events(events: pl.LazyFrame, consecutive: int = 5) -> pl.LazyFrame:
    """The events that trigger a suppression, one or more per address, with `trigger`."""
    base = events.with_columns(email=address_key()).with_columns(
        address=pl.col("email").str.to_lowercase()
    )
    escalated = escalations(base, consecutive).with_columns(
        trigger=pl.lit("escalated"), bounce_type=pl.lit("hard").cast(BounceTypeDtype)
    )
    hard = base.filter(
        (pl.col("event") == "bounced")
        & (pl.col("bounce_type") == "hard")
        & reason_attribute("suppress").fill_null(False)
    ).with_columns(trigger=pl.lit("hard_bounce"))
    no_type = pl.lit(None, dtype=BounceTypeDtype)
    complaints = base.filter(pl.col("event") == "complained").with_columns(
        trigger=pl.lit("complaint"), reason=pl.lit("feedback"), bounce_type=no_type
    )
    unsubscribes = base.filter(pl.col("event") == "unsubscribed").with_columns(
        trigger=pl.lit("unsubscribe"), reason=pl.lit("unsubscribed"), bounce_type=no_type
    )
    columns = [
        "email",
        "address",
        "timestamp",
        "trigger",
        "reason",
        "bounce_type",
        "smtp_status",
        "diagnostic",
        "source",
        "source_ref",
    ]
    return pl.concat(
        [
            frame.rename({"status": "smtp_status"}).select(columns)
            for frame in (hard, escalated, complaints, unsubscribes)
        ]
    )


def suppression_list(events: pl.LazyFrame, consecutive: int = 5) -> pl.LazyFrame:
    """One row per suppressed address: the first trigger decides reason and date."""
    triggers = suppression_events(events, consecutive).sort("timestamp", "source_ref")
    related = (
        events.with_columns(address=address_key().str.to_lowercase())
        .filter(pl.col("event").is_in(["bounced", "complained", "unsubscribed"]))
        .group_by("address")
        .agg(
            first_seen=pl.col("timestamp").min(),
            last_seen=pl.col("timestamp").max(),
            events=pl.len(),
        )
    )
    first = triggers.group_by("address", maintain_order=True).agg(
        pl.all().first(), triggers=pl.col("trigger").unique(maintain_order=True).str.join(", ")
    )
    return (
        first.join(related, on="address", how="left")
        .with_columns(status=pl.lit("suppressed"), suppressed_at=pl.col("timestamp"))
        .drop("timestamp")
        .sort("suppressed_at", "email")
    )


def generic_export_frame(suppressed: pl.DataFrame) -> pl.DataFrame:
    """The generic export columns, timestamps as ISO 8601 UTC."""
    iso = "%Y-%m-%dT%H:%M:%SZ"
    return suppressed.select(
        pl.col("email"),
        pl.col("status"),
        pl.col("reason"),
        pl.col("bounce_type").cast(pl.String),
        pl.col("first_seen").dt.strftime(iso),
        pl.col("last_seen").dt.strftime(iso),
        pl.col("events").cast(pl.Int64),
        pl.col("source"),
    )


def normalize_email(email: str) -> str:
    """One address as the suppression list writes it: local part as written, IDNA domain."""
    from deliverability.ingest.addresses import clean_address, domain_of, normalize_domains

    frame = pl.DataFrame({"recipient": [email]}).with_columns(
        recipient=clean_address(pl.col("recipient"))
    )
    frame = normalize_domains(frame.with_columns(recipient_domain=domain_of(pl.col("recipient"))))
    return str(frame.select(address_key()).item())


def normalize_address(email: str) -> str:
    """The comparison key of one address: `normalize_email`, lower case."""
    return normalize_email(email).lower()
