"""SendGrid Event Webhook JSON (arrays of events, or one event per line).

Fields per twilio.com/docs/sendgrid/for-developers/tracking-events/event: `email`,
`timestamp` (Unix seconds), `event`, `sg_event_id`, `sg_message_id`, `smtp-id`, and for
bounces `reason`, `status` (may be missing), `type` (`bounce` or `blocked`) and
`bounce_classification`; `response` on delivered/deferred, `reason` on dropped.
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
NAME = "sendgrid"
LABEL = "SendGrid Event Webhook (JSON)"
SCHEMA = pl.Schema(
    {
        "email": pl.String,
        "timestamp": pl.String,
        "event": pl.String,
        "sg_event_id": pl.String,
        "sg_message_id": pl.String,
        "smtp-id": pl.String,
        "reason": pl.String,
        "status": pl.String,
        "type": pl.String,
        "bounce_classification": pl.String,
        "response": pl.String,
    }
)
EVENTS = {
    "processed": "queued",
    "dropped": "dropped",
    "delivered": "delivered",
    "deferred": "deferred",
    "bounce": "bounced",
    "open": "opened",
    "click": "clicked",
    "spamreport": "complained",
    "unsubscribe": "unsubscribed",
    "group_unsubscribe": "unsubscribed",
}
#: Not deliverability events; counted as skipped.
SKIPPED = ("group_resubscribe",)
#: bounce_classification → reason (rule data, see `classify.vendor_reasons`).
CLASSIFICATIONS = vendor_reasons("sendgrid", "bounce_classification")


def sniff(head: str) -> bool:
    return '"sg_event_id"' in head or '"sg_message_id"' in head or '"smtp-id"' in head


def entries(frame: Frame) -> Frame:
    """Records of this format (schema `SCHEMA`) → entries for `finish`."""
    event = pl.col("event").str.to_lowercase()
    kind = pl.col("type").str.to_lowercase()
    mapped = frame.select(
        LINE,
        RAW,
        timestamp=epoch_seconds_text(pl.col("timestamp")),
        # the same for every event of one message and recipient
        message_id=pl.coalesce(pl.col("sg_message_id"), pl.col("smtp-id")),
        recipient="email",
        event=lookup(event, EVENTS),
        __event_raw="event",
        # a "blocked" bounce is a temporary refusal by the receiving server
        bounce_type=pl.when(event == "bounce").then(
            pl.when(kind == "blocked").then(pl.lit("soft")).otherwise(pl.lit("hard"))
        ),
        reason=lookup(pl.col("bounce_classification"), CLASSIFICATIONS),
        smtp_code=pl.coalesce(pl.col("reason"), pl.col("response")),
        status="status",
        diagnostic=pl.coalesce(pl.col("reason"), pl.col("response")),
        event_id="sg_event_id",
        __skip=event.is_in(SKIPPED),
    )
    return mapped


def load(path: Path, timezone: str) -> tuple[pl.DataFrame, pl.DataFrame, FileStats]:
    records = read_json_records(path, SCHEMA)
    return finish_records(entries(records.frame), records, path, NAME, timezone)
