"""Mailgun events: webhook bodies (`{"signature": …, "event-data": {…}}`), bare event
objects, or the events API's `{"items": [...]}` pages.

Fields per the django-anymail sources (github.com/anymail/django-anymail, issue 130, PR 131): `event`,
`timestamp` (float seconds), `id`, `recipient`, `message.headers.message-id`, `severity`
(`permanent`/`temporary`), `reason`, `delivery-status` (`code`, `message`, `description`,
`enhanced-code`).
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
NAME = "mailgun"
LABEL = "Mailgun Events/Webhooks (JSON)"
#: The key of the wrapping object whose list holds the records (a page of the API).
CONTAINERS = ("items",)
EVENT = pl.Struct(
    {
        "event": pl.String,
        "timestamp": pl.String,
        "id": pl.String,
        "recipient": pl.String,
        "severity": pl.String,
        "reason": pl.String,
        "message": pl.Struct({"headers": pl.Struct({"message-id": pl.String, "from": pl.String})}),
        "delivery-status": pl.Struct(
            {
                "code": pl.String,
                "message": pl.String,
                "description": pl.String,
                "enhanced-code": pl.String,
            }
        ),
    }
)
SCHEMA = pl.Schema({"event-data": EVENT, **dict(EVENT.to_schema())})
EVENTS = {
    "accepted": "queued",
    "delivered": "delivered",
    "opened": "opened",
    "clicked": "clicked",
    "unsubscribed": "unsubscribed",
    "complained": "complained",
    "rejected": "dropped",
}


#: `reason` of failed events → reason (rule data, see `classify.vendor_reasons`).
REASONS = vendor_reasons("mailgun", "reason")


def sniff(head: str) -> bool:
    return (
        '"event-data"' in head
        or ('"delivery-status"' in head)
        or ('"items"' in head and '"recipient-domain"' in head)
    )


def entries(frame: Frame) -> Frame:
    """Records of this format (schema `SCHEMA`) → entries for `finish`."""
    frame = frame
    data = pl.col("event-data")
    wrapped = data.is_not_null() & data.struct.field("event").is_not_null()

    def field(name: str) -> pl.Expr:
        return pl.when(wrapped).then(data.struct.field(name)).otherwise(pl.col(name))

    event = field("event").str.to_lowercase()
    severity = field("severity").str.to_lowercase()
    reason = field("reason").str.to_lowercase()
    status = field("delivery-status")
    headers = field("message").struct.field("headers")
    failed = event == "failed"
    mapped = frame.select(
        LINE,
        RAW,
        timestamp=epoch_seconds_text(field("timestamp")),
        message_id=headers.struct.field("message-id"),
        sender=headers.struct.field("from"),
        recipient=field("recipient"),
        # a temporary failure is retried (deferred) unless Mailgun gave up ("old")
        event=pl.when(
            failed & reason.is_in(["suppress-bounce", "suppress-complaint", "suppress-unsubscribe"])
        )
        .then(pl.lit("dropped"))
        .when(failed & (severity == "permanent"))
        .then(pl.lit("bounced"))
        .when(failed & (reason == "old"))
        .then(pl.lit("bounced"))
        .when(failed)
        .then(pl.lit("deferred"))
        .otherwise(lookup(event, EVENTS)),
        __event_raw=pl.concat_str([event, severity], separator="/", ignore_nulls=True),
        bounce_type=pl.when(
            failed & (severity == "permanent") & ~reason.str.starts_with("suppress")
        )
        .then(pl.lit("hard"))
        .when(failed & (reason == "old"))
        .then(pl.lit("soft")),
        reason=pl.when(failed).then(lookup(reason, REASONS)),
        smtp_code=status.struct.field("code"),
        status=status.struct.field("enhanced-code"),
        diagnostic=pl.coalesce(
            pl.concat_str(
                [status.struct.field("code"), status.struct.field("message")], separator=" "
            ),
            status.struct.field("description"),
        ),
        event_id=field("id"),
    )
    return mapped


def load(path: Path, timezone: str) -> tuple[pl.DataFrame, pl.DataFrame, FileStats]:
    records = read_json_records(path, SCHEMA, containers=CONTAINERS)
    return finish_records(entries(records.frame), records, path, NAME, timezone)
