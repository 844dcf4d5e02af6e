"""Brevo (Sendinblue) transactional webhook events (JSON).

Fields per developers.brevo.com/docs/transactional-webhooks: `event`, `email`, `id`
(webhook id), `date` (CET/CEST), `ts` (Unix seconds), `message-id`, `ts_event` (seconds,
UTC), `ts_epoch` (milliseconds, UTC), `reason` (bounces, blocked, deferred), `subject`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import polars as pl

from deliverability.classify.vendor_reasons import vendor_reasons
from deliverability.ingest.formats.common import epoch_seconds_text, lookup
from deliverability.ingest.jsonrecords import LINE, RAW, finish_records, read_json_records
from deliverability.ingest.result import FileStats

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)
NAME = "brevo"
LABEL = "Brevo Webhooks (JSON)"
SCHEMA = pl.Schema(
    {
        "event": pl.String,
        "email": pl.String,
        "id": pl.String,
        "date": pl.String,
        "ts": pl.String,
        "ts_event": pl.String,
        "ts_epoch": pl.String,
        "message-id": pl.String,
        "reason": pl.String,
        "sending_ip": pl.String,
    }
)
EVENTS = {
    "request": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "hard_bounce": "bounced",
    "soft_bounce": "bounced",
    "blocked": "blocked",
    "spam": "complained",
    "invalid_email": "dropped",
    "deferred": "deferred",
    "click": "clicked",
    "opened": "opened",
    "unique_opened": "opened",
    "proxy_open": "opened",
    "unsubscribed": "unsubscribed",
    "error": "dropped",
}


#: events that name a reason (rule data, see `classify.vendor_reasons`).
REASONS = vendor_reasons("brevo", "event")


def sniff(head: str) -> bool:
    return '"ts_event"' in head or '"ts_epoch"' in head or '"X-Mailin-custom"' in head


def entries(frame: Frame) -> Frame:
    """Records of this format (schema `SCHEMA`) → entries for `finish`."""
    event = pl.col("event").str.to_lowercase()
    mapped = frame.select(
        LINE,
        RAW,
        # ts_epoch and ts_event are UTC; `date` is local time (CET/CEST)
        timestamp=pl.coalesce(
            epoch_seconds_text(pl.col("ts_epoch")),
            epoch_seconds_text(pl.col("ts_event")),
            epoch_seconds_text(pl.col("ts")),
            pl.col("date"),
        ),
        message_id="message-id",
        recipient="email",
        event=lookup(event, EVENTS),
        __event_raw="event",
        bounce_type=pl.when(event == "hard_bounce")
        .then(pl.lit("hard"))
        .when(event == "soft_bounce")
        .then(pl.lit("soft")),
        reason=lookup(event, REASONS),
        smtp_code="reason",
        status="reason",
        diagnostic="reason",
    )
    return mapped


def load(path: Path, timezone: str) -> tuple[pl.DataFrame, pl.DataFrame, FileStats]:
    records = read_json_records(path, SCHEMA)
    # Brevo's `date` is CET/CEST whatever the analyst's time zone
    return finish_records(entries(records.frame), records, path, NAME, "Europe/Berlin")
