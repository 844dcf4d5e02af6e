"""Mailjet Event API (webhook) JSON: one event per POST (v1) or arrays of events (v2).

Fields per mailjet/api-documentation `guides/_event-api.md`: `event`, `time` (Unix seconds),
`MessageID`, `Message_GUID`, `email`, `smtp_reply` (sent), `hard_bounce`, `blocked`,
`error_related_to`, `error` (bounce, blocked), `source` (spam).
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import polars as pl

from deliverability.classify.vendor_reasons import vendor_reasons
from deliverability.ingest.formats.common import epoch_seconds_text, lookup, truthy
from deliverability.ingest.jsonrecords import LINE, RAW, finish_records, read_json_records
from deliverability.ingest.result import FileStats

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)
NAME = "mailjet"
LABEL = "Mailjet Event API (JSON)"
SCHEMA = pl.Schema(
    {
        "event": pl.String,
        "time": pl.String,
        "MessageID": pl.String,
        "Message_GUID": pl.String,
        "email": pl.String,
        "smtp_reply": pl.String,
        "hard_bounce": pl.String,
        "blocked": pl.String,
        "error_related_to": pl.String,
        "error": pl.String,
        "mj_campaign_id": pl.String,
    }
)
#: Mailjet's `sent` means the receiving server accepted the message (smtp_reply 250 …).
EVENTS = {
    "sent": "delivered",
    "bounce": "bounced",
    "blocked": "blocked",  # Mailjet did not send it
    "spam": "complained",
    "unsub": "unsubscribed",
    "open": "opened",
    "click": "clicked",
}
#: `error` values → reason of the taxonomy (rule data, see `classify.vendor_reasons`).
ERRORS = vendor_reasons("mailjet", "error")


def sniff(head: str) -> bool:
    return '"event"' in head and (
        "Message_GUID" in head or "mj_campaign_id" in head or '"MessageID"' in head
    )


def entries(frame: Frame) -> Frame:
    """Records of this format (schema `SCHEMA`) → entries for `finish`."""
    event = pl.col("event").str.to_lowercase()
    hard = truthy(pl.col("hard_bounce"))
    mapped = frame.select(
        LINE,
        RAW,
        timestamp=epoch_seconds_text(pl.col("time")),
        message_id=pl.coalesce(pl.col("MessageID"), pl.col("Message_GUID")),
        recipient="email",
        event=lookup(event, EVENTS),
        __event_raw="event",
        bounce_type=pl.when(event == "bounce").then(
            pl.when(hard).then(pl.lit("hard")).otherwise(pl.lit("soft"))
        ),
        reason=lookup(pl.col("error"), ERRORS),
        smtp_code=pl.col("smtp_reply").str.extract(r"\b([2-5]\d\d)\b", 1),
        status=pl.col("smtp_reply"),
        diagnostic=pl.coalesce(
            pl.col("smtp_reply"),
            pl.concat_str([pl.col("error_related_to"), pl.col("error")], separator=": "),
            pl.col("error"),
        ),
    )
    return mapped


def load(path: Path, timezone: str) -> tuple[pl.DataFrame, pl.DataFrame, FileStats]:
    records = read_json_records(path, SCHEMA)
    return finish_records(entries(records.frame), records, path, NAME, timezone)
