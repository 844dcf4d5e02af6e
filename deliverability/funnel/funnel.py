"""The delivery funnel per week and group, the age of mail without an outcome, and the
stuck-at-one-domain pattern (a receiving server down or throttling versus single mailboxes).
"""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import polars as pl

_WINDOWS = Path(__file__).with_name("retry_windows.toml")
#: At least this many pending mails at one domain, and at least this share of the domain's
#: mail of that week, make the domain "stuck" (server down or throttling).
STUCK_MIN = 5
STUCK_SHARE = 0.5

FUNNEL_COLUMNS = (
    "requested",
    "sent",
    "delivered",
    "bounced",
    "dropped_blocked",
    "pending",
    "complained",
)


@cache
def retry_windows() -> dict[str, int]:
    """Hours a platform retries before giving up, by source name (`default` for the rest)."""
    with _WINDOWS.open("rb") as handle:
        return {name: int(entry["hours"]) for name, entry in tomllib.load(handle).items()}


def funnel(messages: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Per group: requested → sent → delivered / bounced / dropped or blocked / pending, and
    complaints (`messages` from `outcomes.message_outcomes`)."""
    outcome = pl.col("outcome").cast(pl.String)
    return (
        messages.group_by(by)
        .agg(
            requested=pl.len(),
            sent=pl.col("sent").sum(),
            delivered=(outcome == "delivered").sum(),
            bounced=outcome.is_in(["hard", "soft", "undetermined"]).sum(),
            dropped_blocked=outcome.is_in(["blocked", "dropped"]).sum(),
            pending=(outcome == "pending").sum(),
            complained=pl.col("complained").sum(),
        )
        .with_columns(pl.col(c).cast(pl.Int64) for c in FUNNEL_COLUMNS)
        .sort(by)
    )


def pending_ages(messages: pl.DataFrame, as_of: datetime) -> pl.DataFrame:
    """Mail without a final outcome: its age in hours at `as_of`, whether it was deferred,
    and when the platform will give up (first event + the platform's retry window)."""
    windows = retry_windows()
    default = windows.get("default", 72)
    pending = messages.filter(pl.col("outcome").cast(pl.String) == "pending")
    window = (
        pl.col("source")
        .replace_strict(windows, default=default, return_dtype=pl.Int64)
        .fill_null(default)
    )
    return pending.select(
        "message_key",
        "recipient",
        "recipient_domain",
        "provider",
        "source",
        "first_ts",
        "deferrals",
        age_hours=((pl.lit(as_of) - pl.col("first_ts")).dt.total_seconds() / 3600),
        gives_up_at=pl.col("first_ts") + pl.duration(hours=window),
    ).sort("first_ts", "message_key", "recipient")


def stuck_domains(messages: pl.DataFrame) -> pl.DataFrame:
    """Per week and domain: pending mail, and whether many addresses of the domain are stuck
    at once (`stuck`: the server is down or throttling) or only single ones."""
    outcome = pl.col("outcome").cast(pl.String)
    return (
        messages.group_by("week", "recipient_domain")
        .agg(messages=pl.len(), pending=(outcome == "pending").sum().cast(pl.Int64))
        .filter(pl.col("pending") > 0)
        .with_columns(share=pl.col("pending") / pl.col("messages"))
        .with_columns(
            pattern=pl.when((pl.col("pending") >= STUCK_MIN) & (pl.col("share") >= STUCK_SHARE))
            .then(pl.lit("domain_stuck"))
            .otherwise(pl.lit("single"))
        )
        .sort(["week", "pending", "recipient_domain"], descending=[False, True, False])
    )


def deferral_to_outcome(events: pl.DataFrame) -> pl.DataFrame:
    """For messages that were deferred and then got a final outcome: hours from the first
    deferral to that outcome (delivered or bounced)."""
    keyed = events.with_columns(
        __key=pl.coalesce(pl.col("message_id"), pl.col("source_ref")),
        __event=pl.col("event").cast(pl.String),
    )
    return (
        keyed.group_by("__key", "recipient")
        .agg(
            first_deferral=pl.col("timestamp").filter(pl.col("__event") == "deferred").min(),
            final=pl.col("timestamp")
            .filter(pl.col("__event").is_in(["delivered", "bounced"]))
            .max(),
            final_event=pl.col("__event")
            .filter(pl.col("__event").is_in(["delivered", "bounced"]))
            .last(),
            recipient_domain=pl.col("recipient_domain").first(),
        )
        .filter(pl.col("first_deferral").is_not_null() & pl.col("final").is_not_null())
        .with_columns(hours=(pl.col("final") - pl.col("first_deferral")).dt.total_seconds() / 3600)
        .rename({"__key": "message_key"})
        .sort("message_key", "recipient")
    )


def age_text(hours: float) -> str:
    """German: "seit 31 Stunden ohne Zustellung" / "seit 3 Tagen …"."""
    if hours < 48:
        return f"seit {int(hours)} Stunden ohne Zustellung"
    return f"seit {int(hours // 24)} Tagen ohne Zustellung"


def as_of_of(events: pl.DataFrame) -> datetime:
    """The moment the data ends (the latest event), for the ages."""
    value = events.get_column("timestamp").max()
    return value if isinstance(value, datetime) else datetime.now(UTC)
