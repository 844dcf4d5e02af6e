"""Mailchimp Transactional (Mandrill): the activity export `activity.csv` (CSV).

Mailchimp's Transactional API reference ("Export activity history", `POST /exports/activity`)
names the fields: `Date, Email Address, Sender, Subject, Status, Tags, Opens, Clicks, Bounce
Detail`, plus custom metadata columns; newer exports seen in public code name the address
column `Recipient` and add `Channel`. One row per message and recipient with its current
state; times `yyyy-MM-dd HH:mm:ss` in UTC (the export API takes its date range in UTC; that
the file's times are UTC too is inferred).

The states are those of Mandrill's messages (`sent` = accepted by the receiving server, which
the activity view shows as "Delivered"; `bounced` = hard bounce, `soft-bounced`, `deferred`,
`rejected` = not sent because of the rejection denylist, `spam`, `unsub`). A complaint or an
unsubscription followed a delivery, so it gives two entries. `Opens` and `Clicks` are counts
without times: more than zero gives one open or click at the time of the row, because the
export keeps no other time. Unknown states are rejected with their value, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from deliverability.errors import InputError
from deliverability.ingest.formats.csv_export import Loaded, header_sets, read_export

NAME = "mandrill_activity"
LABEL = "Mailchimp Transactional (Mandrill) Aktivitätsexport (CSV)"
#: State → the events it stands for, in order.
STATES: dict[str, list[str]] = {
    "queued": ["queued"],
    "scheduled": ["queued"],
    "sent": ["delivered"],
    "delivered": ["delivered"],
    "deferred": ["deferred"],
    "bounced": ["bounced"],
    "hard-bounced": ["bounced"],
    "soft-bounced": ["bounced"],
    "rejected": ["dropped"],
    "invalid": ["dropped"],
    "spam": ["delivered", "complained"],
    "unsub": ["delivered", "unsubscribed"],
}
_SOFT = ("soft-bounced",)
_ADDRESS_NAMES = ("email address", "recipient", "email")
_SIGNATURE = {"date", "sender", "subject", "status", "opens", "clicks", "bounce detail"}
#: The engagement counts and the event each stands for.
_COUNTS = {"opens": "opened", "clicks": "clicked"}


def sniff(head: str) -> bool:
    return any(
        names >= _SIGNATURE and any(a in names for a in _ADDRESS_NAMES)
        for names in header_sets(head)
    )


def _count(text: pl.Expr) -> pl.Expr:
    """A count as the export writes it (`1,234` with a thousands separator), empty = 0."""
    return text.str.replace_all(r"[.,\s]", "").cast(pl.Int64, strict=False).fill_null(0)


def _events(state: pl.Expr, column: Callable[[str], pl.Expr]) -> pl.Expr:
    """The events of one row: those of its state, then an open and a click if counted."""
    from_state = state.replace_strict(
        STATES, default=None, return_dtype=pl.List(pl.String)
    ).fill_null(pl.concat_list(pl.lit(None, dtype=pl.String)))
    counted = [
        pl.when(_count(column(name)) > 0).then(pl.lit(event)) for name, event in _COUNTS.items()
    ]
    return pl.concat_list([from_state, pl.concat_list(counted).list.drop_nulls()])


def load(path: Path, timezone: str) -> Loaded:
    export = read_export(path, ("date", "status"))
    names, column = export.names, export.column
    address = next((n for n in _ADDRESS_NAMES if n in names), None)
    if address is None:
        raise InputError(
            f"Spalte „Email Address“ fehlt; vorhanden: {', '.join(export.header)}.",
            path=path,
            line=1,
            field="Email Address",
        )
    state = column("status").str.to_lowercase()
    failed = pl.col("__event").is_in(["bounced", "deferred", "dropped"])
    entries = (
        export.rows.with_columns(__event=_events(state, column), __state=state)
        .explode("__event")
        .select(
            "__line",
            "__raw",
            timestamp=column("date"),
            sender=column("sender"),
            recipient=column(address),
            event="__event",
            __event_raw=column("status"),
            bounce_type=pl.when(pl.col("__event") == "bounced").then(
                pl.when(pl.col("__state").is_in(_SOFT))
                .then(pl.lit("soft"))
                .otherwise(pl.lit("hard"))
            ),
            diagnostic=pl.when(failed).then(column("bounce detail")),
            **export.width_problem(),
        )
    )
    return export.finished(entries, NAME, "UTC")
