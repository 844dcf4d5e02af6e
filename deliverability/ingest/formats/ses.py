"""Amazon SES notifications (SNS) and event publishing records, raw or in SNS/SQS envelopes.

Fields per docs.aws.amazon.com/ses/latest/dg/notification-contents.html: `notificationType`
(event publishing: `eventType`), `mail` (`timestamp`, `messageId`, `source`, `destination`),
`bounce` (`bounceType`, `bounceSubType`, `bouncedRecipients[]` with `emailAddress`,
`status`, `diagnosticCode`; `timestamp`, `feedbackId`), `complaint`
(`complainedRecipients[]`, `complaintFeedbackType`), `delivery` (`recipients[]`,
`smtpResponse`). One entry per recipient. Unknown keys are ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import polars as pl

from deliverability.bounces.ses_notifications import SUBTYPE_REASONS
from deliverability.ingest.formats.common import lookup
from deliverability.ingest.jsonrecords import LINE, RAW, finish_records, read_json_records
from deliverability.ingest.result import FileStats

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)
NAME = "ses"
LABEL = "Amazon SES (SNS/SQS, JSON)"
_RECIPIENT = pl.Struct(
    {"emailAddress": pl.String, "status": pl.String, "diagnosticCode": pl.String}
)
_STAMP = pl.Struct({"timestamp": pl.String})
NOTIFICATION = pl.Struct(
    {
        "notificationType": pl.String,
        "eventType": pl.String,
        "mail": pl.Struct(
            {
                "timestamp": pl.String,
                "messageId": pl.String,
                "source": pl.String,
                "destination": pl.List(pl.String),
            }
        ),
        "bounce": pl.Struct(
            {
                "bounceType": pl.String,
                "bounceSubType": pl.String,
                "timestamp": pl.String,
                "feedbackId": pl.String,
                "bouncedRecipients": pl.List(_RECIPIENT),
            }
        ),
        "complaint": pl.Struct(
            {
                "timestamp": pl.String,
                "feedbackId": pl.String,
                "complaintFeedbackType": pl.String,
                "complainedRecipients": pl.List(pl.Struct({"emailAddress": pl.String})),
            }
        ),
        "delivery": pl.Struct(
            {"timestamp": pl.String, "recipients": pl.List(pl.String), "smtpResponse": pl.String}
        ),
        "deliveryDelay": pl.Struct(
            {
                "timestamp": pl.String,
                "delayType": pl.String,
                "delayedRecipients": pl.List(_RECIPIENT),
            }
        ),
        "reject": pl.Struct({"reason": pl.String}),
        "open": _STAMP,
        "click": _STAMP,
    }
)
#: Envelope fields (SNS `Message`, SQS `Body`) and the notification's own fields.
SCHEMA = pl.Schema(
    {
        "Type": pl.String,
        "Message": pl.String,
        "Body": pl.String,
        "MessageId": pl.String,
        **dict(NOTIFICATION.to_schema()),
    }
)
EVENTS = {
    "bounce": "bounced",
    "complaint": "complained",
    "delivery": "delivered",
    "send": "sent",
    "reject": "dropped",
    "deliverydelay": "deferred",
    "open": "opened",
    "click": "clicked",
}
BOUNCE_TYPES = {"Permanent": "hard", "Transient": "soft", "Undetermined": "undetermined"}


def sniff(head: str) -> bool:
    return ("notificationType" in head or "eventType" in head) and (
        '"mail"' in head or '\\"mail\\"' in head
    )


def _as_recipients(values: pl.Expr) -> pl.Expr:
    """A list of addresses → list of recipient structs."""
    return values.list.eval(
        pl.struct(
            emailAddress=pl.element(),
            status=pl.lit(None, dtype=pl.String),
            diagnosticCode=pl.lit(None, dtype=pl.String),
        )
    )


def entries(frame: Frame) -> Frame:
    """Records of this format (schema `SCHEMA`) → entries for `finish`."""
    envelope = pl.col("Body").str.json_decode(pl.Struct({"Message": pl.String}))
    wrapped = pl.coalesce(pl.col("Message"), envelope.struct.field("Message"), pl.col("Body"))
    direct = pl.struct([pl.col(name) for name in NOTIFICATION.to_schema()])
    frame = frame.with_columns(
        note=pl.when(wrapped.is_not_null())
        .then(wrapped.str.json_decode(NOTIFICATION))
        .otherwise(direct)
    )
    note = pl.col("note")
    kind = pl.coalesce(
        note.struct.field("notificationType"), note.struct.field("eventType")
    ).str.to_lowercase()
    mail, bounce = note.struct.field("mail"), note.struct.field("bounce")
    complaint, delivery = note.struct.field("complaint"), note.struct.field("delivery")
    delay = note.struct.field("deliveryDelay")
    complained = complaint.struct.field("complainedRecipients").list.eval(
        pl.struct(
            emailAddress=pl.element().struct.field("emailAddress"),
            status=pl.lit(None, dtype=pl.String),
            diagnosticCode=pl.lit(None, dtype=pl.String),
        )
    )
    recipients = (
        pl.when(kind == "bounce")
        .then(bounce.struct.field("bouncedRecipients"))
        .when(kind == "complaint")
        .then(complained)
        .when(kind == "delivery")
        .then(_as_recipients(delivery.struct.field("recipients")))
        .when(kind == "deliverydelay")
        .then(delay.struct.field("delayedRecipients"))
        .otherwise(_as_recipients(mail.struct.field("destination")))
    )
    stamp = pl.coalesce(
        pl.when(kind == "bounce").then(bounce.struct.field("timestamp")),
        pl.when(kind == "complaint").then(complaint.struct.field("timestamp")),
        pl.when(kind == "delivery").then(delivery.struct.field("timestamp")),
        pl.when(kind == "deliverydelay").then(delay.struct.field("timestamp")),
        pl.when(kind == "open").then(note.struct.field("open").struct.field("timestamp")),
        pl.when(kind == "click").then(note.struct.field("click").struct.field("timestamp")),
        mail.struct.field("timestamp"),
    )
    expanded = (
        frame.with_columns(
            __kind=kind,
            __recipients=recipients,
            timestamp=stamp,
            message_id=mail.struct.field("messageId"),
            sender=mail.struct.field("source"),
            bounce_type=pl.when(kind == "bounce").then(
                lookup(bounce.struct.field("bounceType"), BOUNCE_TYPES)
            ),
            reason=pl.when(kind == "bounce").then(
                lookup(bounce.struct.field("bounceSubType"), SUBTYPE_REASONS)
            ),
            event_id=pl.coalesce(
                bounce.struct.field("feedbackId"), complaint.struct.field("feedbackId")
            ),
            __smtp=pl.coalesce(
                delivery.struct.field("smtpResponse"),
                note.struct.field("reject").struct.field("reason"),
            ),
            __event_raw=pl.coalesce(
                note.struct.field("notificationType"), note.struct.field("eventType")
            ),
        )
        .with_columns(
            pl.when(pl.col("__recipients").list.len() > 0)
            .then(pl.col("__recipients"))
            .otherwise(pl.lit([None], dtype=pl.List(_RECIPIENT)))
        )
        .explode("__recipients")
    )
    person = pl.col("__recipients")
    mapped = expanded.select(
        LINE,
        RAW,
        "timestamp",
        "message_id",
        "sender",
        recipient=person.struct.field("emailAddress"),
        event=lookup(pl.col("__kind"), EVENTS),
        __event_raw="__event_raw",
        bounce_type="bounce_type",
        reason="reason",
        smtp_code=pl.coalesce(person.struct.field("diagnosticCode"), pl.col("__smtp")).str.extract(
            r"\b([2-5]\d\d)\b", 1
        ),
        status=person.struct.field("status"),
        diagnostic=pl.coalesce(person.struct.field("diagnosticCode"), pl.col("__smtp")),
        event_id="event_id",
    )
    return mapped


def load(path: Path, timezone: str) -> tuple[pl.DataFrame, pl.DataFrame, FileStats]:
    records = read_json_records(path, SCHEMA)
    return finish_records(entries(records.frame), records, path, NAME, timezone)
