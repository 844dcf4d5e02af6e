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
from deliverability.ingest.finish import finish
from deliverability.ingest.generic_csv import _split_records
from deliverability.ingest.result import FileStats
from deliverability.ingest.text import detect_delimiter, read_text
from deliverability.schema import REJECTS_SCHEMA

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


def _names(line: str, delimiter: str) -> list[str]:
    return [
        " ".join(n.strip().strip('"').lstrip("\ufeff").lower().split())
        for n in line.split(delimiter)
    ]


def sniff(head: str) -> bool:
    first = head.split("\n", 1)[0]
    for delimiter in (",", ";", "\t"):
        names = set(_names(first, delimiter))
        if names >= _REQUIRED_FLAGS and any(_SENT_AT.match(n) for n in names):
            return True
    return False


def _zone(name: str, fallback: str) -> str:
    match = _SENT_AT.match(name)
    zone = (match.group("zone") or "").strip() if match else ""
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return fallback
    return zone


def load(path: Path, timezone: str) -> tuple[pl.DataFrame, pl.DataFrame, FileStats]:
    decoded = read_text(path)
    delimiter = detect_delimiter(decoded.text.split("\n", 1)[0], path)
    header, rows = _split_records(decoded.text, delimiter, path)
    names = [" ".join(h.strip().strip('"').lstrip("\ufeff").lower().split()) for h in header]
    sent_at = next((n for n in names if _SENT_AT.match(n)), None)
    address = next((n for n in _ADDRESS_NAMES if n in names), None)
    if sent_at is None or address is None:
        missing = "Sent At" if sent_at is None else "Email"
        raise InputError(
            f"Spalte „{missing}“ fehlt; vorhanden: {', '.join(header)}.",
            path=path,
            line=1,
            field=missing,
        )

    def column(name: str) -> pl.Expr:
        if name not in names:
            return pl.lit(None, dtype=pl.String)
        return pl.col(f"c{names.index(name)}").str.strip_chars().replace("", None)

    blank = pl.col("__raw").str.strip_chars().str.len_chars() == 0
    skipped_blank = int(rows.select(blank.sum()).item())
    flags = [flag for flag in FLAGS if flag in names]
    width = pl.col("__fields") != len(header)
    recipients = rows.filter(~blank).select(
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
        __problem=pl.when(width)
        .then(pl.format(f"Die Zeile hat {{}} statt {len(header)} Felder.", pl.col("__fields")))
        .otherwise(pl.lit("")),
        __problem_field=pl.when(width).then(pl.lit("(Zeile)")).otherwise(pl.lit("")),
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
            event="__flags",
            __event_raw="__flags",
            diagnostic=pl.when(pl.col("__flags") == "bounced").then(pl.col("diagnostic")),
            __skip="__none",
            __problem="__problem",
            __problem_field="__problem_field",
        )
    )
    return finish(
        entries,
        path=path,
        format_name=NAME,
        timezone=_zone(sent_at, timezone),
        encoding=decoded.encoding,
        parse_rejects=pl.DataFrame(schema=REJECTS_SCHEMA),
        blank=skipped_blank,
        delimiter=delimiter,
    )
