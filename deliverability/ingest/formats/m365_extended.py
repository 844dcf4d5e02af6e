"""Microsoft 365 / Exchange Online message trace: the extended report (CSV).

The extended report of the Exchange admin center lists every event of every message, with
the fields of Exchange's message tracking log: `date_time_utc`, `client_ip`,
`server_hostname`, `source`, `event_id`, `message_id`, `network_message_id`,
`recipient_address`, `recipient_status`, `total_bytes`, `recipient_count`, `message_subject`,
`sender_address`, `return_path`, `directionality`, … (Microsoft, "Message trace in the
Exchange admin center", section "Extended reports", and "Message tracking" for the fields
and event types). `recipient_address` and `recipient_status` may hold several recipients,
separated by `;`, in the same order. The file is often UTF-16.

Events that end a recipient's delivery give events (DELIVER, SEND: delivered; FAIL: bounced;
DEFER: deferred; DROP: dropped; RECEIVE: queued). The transport's own steps (SUBMIT,
RESOLVE, EXPAND, AGENTINFO …) and incoming mail are skipped and counted; an event type not
documented is rejected with its value.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from deliverability.ingest.formats.csv_export import Loaded, header_sets, read_export
from deliverability.ingest.formats.m365_report import STEPS, message_columns

NAME = "m365_extended"
LABEL = "Microsoft 365 Nachrichtenablaufverfolgung (erweiterter Bericht, CSV)"
#: The event types are the steps the summary report names, in upper case.
EVENTS = STEPS
#: Message tracking event types that are steps inside the transport (Microsoft, "Event
#: types in the message tracking log").
TRANSPORT_STEPS = (
    "agentinfo", "badmail", "clientsubmission", "dsn", "duplicatedeliver", "duplicateexpand",
    "duplicateredirect", "expand", "hadiscard", "hareceive", "haredirect", "haredirectfail",
    "initmessagecreated", "load", "moderationexpire", "moderatorapprove", "moderatorreject",
    "moderatorsallndr", "notifymapi", "notifyshadow", "poisonmessage", "process",
    "processmeetingmessage", "redirect", "resolve", "resubmit", "resubmitdefer",
    "resubmitfail", "submit", "submitdefer", "submitfail", "suppressed", "throttle", "transfer",
)  # fmt: skip
_NEEDED = ("date_time_utc", "event_id", "recipient_address")


def sniff(head: str) -> bool:
    return any(
        {"date_time_utc", "event_id", "recipient_address", "sender_address"} <= names
        for names in header_sets(head)
    )


def load(path: Path, timezone: str) -> Loaded:
    """One entry per recipient of each event; times are UTC whatever `timezone` says."""
    export = read_export(path, _NEEDED)
    column = export.column
    rows = export.rows.select(
        "__line",
        "__raw",
        timestamp=column("date_time_utc"),
        **message_columns(export),
        __kind=column("event_id").str.to_lowercase(),
        __event_raw=column("event_id"),
        __recipients=column("recipient_address").fill_null("").str.split(";"),
        __statuses=column("recipient_status").fill_null("").str.split(";"),
        **export.width_problem(),
    )
    # the n-th status belongs to the n-th recipient; else the whole status to each of them
    entries = (
        rows.with_columns(
            __paired=pl.col("__statuses").list.len() == pl.col("__recipients").list.len(),
            __whole=pl.col("__statuses").list.join(";").str.strip_chars().replace("", None),
            __pos=pl.int_ranges(0, pl.col("__recipients").list.len()),
        )
        .explode("__recipients", "__pos")
        .with_columns(
            __detail=pl.when("__paired")
            .then(pl.col("__statuses").list.get(pl.col("__pos")).str.strip_chars())
            .otherwise("__whole")
            .replace("", None)
        )
        .select(
            "__line",
            "__raw",
            "timestamp",
            "sender",
            "message_id",
            "__event_raw",
            "__problem",
            "__problem_field",
            recipient=pl.col("__recipients").str.strip_chars(),
            event=pl.col("__kind").replace_strict(EVENTS, default=None, return_dtype=pl.String),
            smtp_code=pl.col("__detail").str.extract(r"\b([245]\d\d)[ -][245]\.\d", 1),
            status=pl.col("__detail"),
            diagnostic=pl.when(pl.col("__kind").is_in(["fail", "defer", "drop"])).then(
                pl.col("__detail")
            ),
            __skip=pl.col("__incoming") | pl.col("__kind").is_in(TRANSPORT_STEPS).fill_null(False),
        )
    )
    return export.finished(entries, NAME, "UTC")
