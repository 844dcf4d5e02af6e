"""Brevo transactional e-mail activity as its API returns it
(`GET /v3/smtp/statistics/events`, JSON).

Fields per Brevo's API reference ("Get all your transactional email activity", model
`GetEmailEventReport`): `{"events": [...]}` with `email`, `date` (ISO 8601 with offset),
`messageId`, `event` (bounces, hardBounces, softBounces, delivered, spam, requests, opened,
clicks, invalid, deferred, blocked, unsubscribed, error, loadedByProxy), `reason` (for
bounces and blocks), `from`, `subject`, `tag`. `bounces` does not say hard or soft: the
classifier reads `reason`.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from deliverability.ingest.formats.common import lookup
from deliverability.ingest.jsonrecords import LINE, RAW, finish_records, read_json_records
from deliverability.ingest.result import FileStats

NAME = "brevo_events"
LABEL = "Brevo E-Mail-Aktivität (API, JSON)"
SCHEMA = pl.Schema(
    {
        "email": pl.String,
        "date": pl.String,
        "messageId": pl.String,
        "event": pl.String,
        "reason": pl.String,
        "from": pl.String,
    }
)
EVENTS = {
    "requests": "sent",
    "delivered": "delivered",
    "deferred": "deferred",
    "bounces": "bounced",
    "hardbounces": "bounced",
    "softbounces": "bounced",
    "blocked": "blocked",
    "invalid": "dropped",
    "error": "dropped",
    "spam": "complained",
    "unsubscribed": "unsubscribed",
    "opened": "opened",
    "loadedbyproxy": "opened",
    "clicks": "clicked",
}
BOUNCE_TYPES = {"hardbounces": "hard", "softbounces": "soft"}


def sniff(head: str) -> bool:
    compact = "".join(head.split())
    return (
        '"messageId"' in compact
        and '"event"' in compact
        and '"email"' in compact
        and ('"events":[' in compact or compact.startswith("[") or compact.startswith('{"email"'))
    )


def load(path: Path, timezone: str) -> tuple[pl.DataFrame, pl.DataFrame, FileStats]:
    records = read_json_records(path, SCHEMA, containers=("events",))
    kind = pl.col("event").str.to_lowercase()
    failed = kind.is_in(["bounces", "hardbounces", "softbounces", "blocked", "deferred"])
    entries = records.frame.select(
        LINE,
        RAW,
        timestamp="date",
        message_id="messageId",
        sender="from",
        recipient="email",
        event=lookup(kind, EVENTS),
        __event_raw="event",
        bounce_type=lookup(kind, BOUNCE_TYPES),
        smtp_code=pl.when(failed).then(pl.col("reason")),
        status=pl.when(failed).then(pl.col("reason")),
        diagnostic=pl.when(failed).then(pl.col("reason")),
    )
    return finish_records(entries, records, path, NAME, timezone)
