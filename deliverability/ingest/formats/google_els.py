"""Google Workspace: the e-mail log search (ELS) result exported from the Admin console (CSV).

Columns as in Google's help article "Email log search export fields"
(support.google.com/a/answer/13828463) and in exports quoted by public scripts: `Message ID,
Start date, End date, Sender, Message size, Subject, Direction, Attachments, Recipient
address, Event target, Event date, Event status, Event target IP address, Has encryption,
Event SMTP reply code, Event description, Client Type, Device User Session ID`. Dates are
written `2026/11/23 08:15:02 UTC` (the zone as an abbreviation).

One entry per row (an event of one recipient). Mail the organisation received (Direction
"Received") is skipped and counted: it says nothing about the organisation's sending. The
event status gives the event (VIEWED: the recipient opened it); a bounce's reply code and
description go to the classifier. Statuses other than those below are rejected with their
value, never guessed.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from deliverability.ingest.formats.csv_export import Loaded, header_sets, read_export

NAME = "google_els"
LABEL = "Google Workspace E-Mail-Protokollsuche, Export (CSV)"
STATUSES = {
    "delivered": "delivered",
    "bounced": "bounced",
    "deferred": "deferred",
    "dropped": "dropped",
    "rejected": "bounced",
    "quarantined": "blocked",
    "viewed": "opened",
}
#: The recipient's mailbox filed the message as spam: Gmail's own filter, no complaint and no
#: failure of delivery; skipped and counted.
SKIPPED = ("marked spam",)
#: Abbreviated zones Google writes → UTC offsets (the unambiguous ones only; others reject).
ZONES = {
    "UTC": "+00:00",
    "GMT": "+00:00",
    "CET": "+01:00",
    "MEZ": "+01:00",
    "CEST": "+02:00",
    "MESZ": "+02:00",
    "EET": "+02:00",
    "EEST": "+03:00",
    "PST": "-08:00",
    "PDT": "-07:00",
    "EST": "-05:00",
    "EDT": "-04:00",
}
_NEEDED = ("message id", "recipient address", "event status")


def sniff(head: str) -> bool:
    return any(
        {"message id", "recipient address", "event status", "event target"} <= names
        for names in header_sets(head)
    )


def _iso(stamp: pl.Expr) -> pl.Expr:
    """`2026/11/23 08:15:02 UTC` → `2026-11-23 08:15:02+00:00` (unknown zone: unchanged)."""
    parts = stamp.str.extract_groups(
        r"^(?P<date>\d{4})/(?P<month>\d{1,2})/(?P<day>\d{1,2})\s+(?P<time>\d{1,2}:\d{2}(?::\d{2})?)"
        r"(?:\s+(?P<zone>[A-Za-z]+))?$"
    )
    offset = (
        parts.struct.field("zone")
        .str.to_uppercase()
        .replace_strict(ZONES, default=None, return_dtype=pl.String)
    )
    known = parts.struct.field("date").is_not_null() & (
        parts.struct.field("zone").is_null() | offset.is_not_null()
    )
    iso = pl.concat_str(
        [
            parts.struct.field("date"),
            pl.lit("-"),
            parts.struct.field("month").str.zfill(2),
            pl.lit("-"),
            parts.struct.field("day").str.zfill(2),
            pl.lit(" "),
            parts.struct.field("time"),
            offset.fill_null(""),
        ]
    )
    return pl.when(known).then(iso).otherwise(stamp)


def load(path: Path, timezone: str) -> Loaded:
    export = read_export(path, _NEEDED)
    column = export.column
    status = column("event status")
    code, description = column("event smtp reply code"), column("event description")
    entries = export.rows.select(
        "__line",
        "__raw",
        timestamp=_iso(pl.coalesce(column("event date"), column("start date"))),
        message_id=column("message id"),
        sender=column("sender"),
        recipient=column("recipient address"),
        event=status.str.to_lowercase().replace_strict(
            STATUSES, default=None, return_dtype=pl.String
        ),
        __event_raw=status,
        smtp_code=column("event smtp reply code"),
        status=column("event description"),
        diagnostic=pl.when(description.str.starts_with(code.fill_null("")))
        .then(description)
        .otherwise(pl.concat_str([code, description], separator=" ", ignore_nulls=True))
        .replace("", None),
        __skip=column("direction").str.to_lowercase().eq("received").fill_null(False)
        | status.str.to_lowercase().is_in(SKIPPED).fill_null(False),
        **export.width_problem(),
    )
    return export.finished(entries, NAME, timezone)
