"""HubSpot marketing email: the "export recipients" file of one sent email (CSV).

One row per recipient with TRUE/FALSE columns `Sent, Delivered, Suppressed, Dropped, Bounce,
Spam Report, Opened, Clicked, Unsubscribed`, the texts `Bounce Reason` and `Bounce Message`,
and `Sent At (…)`, whose parentheses name the time zone of the times. Each TRUE becomes one
event of the recipient at that time (the export keeps no other times). What the flags mean:
HubSpot's knowledge base ("What do the email terms in my export mean?"): Sent, Delivered,
Bounce (no further attempt), Dropped (not sent: earlier bounce or unsubscribe), Spam report.
"Bounce" does not say hard or soft: the type is decided by the classifier from the bounce
message where it can, never guessed. The name of the address column was not in the sources
we found: the first of Email, Email Address, E-Mail, Recipient … is taken. The flag and time
columns as quoted from a real export in the project's issue on real exports; the rest
inferred.
"""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from deliverability.errors import InputError
from deliverability.ingest.formats.csv_export import Loaded, header_sets, read_export

NAME = "hubspot_recipients"
LABEL = "HubSpot Marketing-E-Mail, Empfänger-Export (CSV)"
#: TRUE/FALSE column → the event it stands for, in the order of a mail's life.
FLAGS = {
    "sent": "sent",
    "suppressed": "dropped",
    "dropped": "dropped",
    "delivered": "delivered",
    "bounce": "bounced",
    "opened": "opened",
    "clicked": "clicked",
    "spam report": "complained",
    "unsubscribed": "unsubscribed",
}
_REQUIRED_FLAGS = {"sent", "delivered", "bounce", "spam report"}
_ADDRESS_NAMES = (
    "email",
    "email address",
    "e-mail",
    "recipient",
    "recipient email",
    "e-mail-adresse",
)
_SENT_AT = re.compile(r"^sent at(?:\s*\((?P<zone>[^)]*)\))?$")
_TRUE = ("true", "wahr", "yes", "ja", "1")


def sniff(head: str) -> bool:
    return any(
        names >= _REQUIRED_FLAGS and any(_SENT_AT.match(n) for n in names)
        for names in header_sets(head)
    )


def _zone(name: str, fallback: str) -> str:
    match = _SENT_AT.match(name)
    zone = (match.group("zone") or "").strip() if match else ""
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return fallback
    return zone


def load(path: Path, timezone: str) -> Loaded:
    export = read_export(path, ())
    names, column = export.names, export.column
    sent_at = next((n for n in names if _SENT_AT.match(n)), None)
    address = next((n for n in _ADDRESS_NAMES if n in names), None)
    if sent_at is None or address is None:
        missing = "Sent At" if sent_at is None else "Email"
        raise InputError(
            f"Spalte „{missing}“ fehlt; vorhanden: {', '.join(export.header)}.",
            path=path,
            line=1,
            field=missing,
        )
    flags = [flag for flag in FLAGS if flag in names]
    recipients = export.rows.select(
        "__line",
        "__raw",
        timestamp=column(sent_at),
        recipient=column(address),
        diagnostic=pl.concat_str(
            [column("bounce reason"), column("bounce message")], separator=": ", ignore_nulls=True
        ).replace("", None),
        __flags=pl.concat_list(
            [
                pl.when(column(flag).str.to_lowercase().is_in(_TRUE)).then(pl.lit(FLAGS[flag]))
                for flag in flags
            ]
        ).list.drop_nulls(),
        **export.width_problem(),
    )
    # a recipient with no TRUE at all (selected, never sent) is one entry, skipped by design
    entries = (
        recipients.with_columns(
            __none=pl.col("__flags").list.len() == 0,
            __flags=pl.when(pl.col("__flags").list.len() == 0)
            .then(pl.lit([None], dtype=pl.List(pl.String)))
            .otherwise(pl.col("__flags")),
        )
        .explode("__flags")
        .select(
            "__line",
            "__raw",
            "timestamp",
            "recipient",
            "__problem",
            "__problem_field",
            event="__flags",
            __event_raw="__flags",
            diagnostic=pl.when(pl.col("__flags") == "bounced").then(pl.col("diagnostic")),
            __skip="__none",
        )
    )
    return export.finished(entries, NAME, _zone(sent_at, timezone))
