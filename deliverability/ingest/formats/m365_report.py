"""Microsoft 365 / Exchange Online message trace: the enhanced summary report (CSV).

The report the Exchange admin center offers for download ("Enhanced summary") has one row
per message: `origin_timestamp_utc` (when the service received it, UTC), `sender_address`,
`recipient_status`, `message_subject`, `total_bytes`, `message_id`, `network_message_id`,
`original_client_ip`, `directionality` (1 inbound, 2 outbound), `connector_id`,
`delivery_priority`. `recipient_status` holds every recipient with its status,
`address##Receive, Deliver`, several separated by `;`; the last step of the status decides
(Deliver: delivered to the mailbox, Send: handed to the destination's server, Fail, Defer,
Drop, Expand: a distribution group). Each recipient is one entry. Incoming mail (to the
organisation, not sent by it) is skipped and counted. Source: Microsoft, "Message trace in
the Exchange admin center" (learn.microsoft.com/exchange/monitoring/trace-an-email-message/
message-trace-modern-eac), section "Enhanced summary reports". The file is often UTF-16.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from deliverability.ingest.formats.csv_export import CsvExport, Loaded, header_sets, read_export

NAME = "m365_report"
LABEL = "Microsoft 365 Nachrichtenablaufverfolgung (erweiterte Zusammenfassung, CSV)"
#: The last step of a recipient's status → event (Expand: skipped, see above).
STEPS = {
    "deliver": "delivered",
    "send": "delivered",
    "fail": "bounced",
    "defer": "deferred",
    "drop": "dropped",
    "receive": "queued",
}
SKIPPED_STEPS = ("expand",)
#: directionality of mail the organisation received (not sent).
INCOMING = ("1", "incoming")
_NEEDED = ("origin_timestamp_utc", "sender_address", "recipient_status")


def sniff(head: str) -> bool:
    (names,) = header_sets(head, (",",))
    return {"sender_address", "recipient_status"} <= names and (
        "origin_timestamp_utc" in names or "origin_timestamp" in names
    )


def _renamed(names: list[str]) -> list[str]:
    return ["origin_timestamp_utc" if n == "origin_timestamp" else n for n in names]


def message_columns(export: CsvExport) -> dict[str, pl.Expr]:
    """Sender, message id and whether the mail came in: the same in every message trace
    report of the Exchange admin center."""
    column = export.column
    return {
        "sender": column("sender_address"),
        "message_id": pl.coalesce(column("message_id"), column("network_message_id")),
        "__incoming": column("directionality").str.to_lowercase().is_in(INCOMING).fill_null(False),
    }


def load(path: Path, timezone: str) -> Loaded:
    """One entry per recipient of each message; times are UTC whatever `timezone` says."""
    export = read_export(path, _NEEDED, _renamed)
    column = export.column
    messages = export.rows.select(
        "__line",
        "__raw",
        timestamp=column("origin_timestamp_utc"),
        **message_columns(export),
        __parts=column("recipient_status").str.split(";"),
        **export.width_problem(),
    )
    entries = (
        messages.explode("__parts")
        .with_columns(__part=pl.col("__parts").str.strip_chars())
        .filter(pl.col("__part").is_null() | (pl.col("__part") != ""))
        .with_columns(
            recipient=pl.col("__part").str.extract(r"^(.*?)##", 1),
            __status=pl.col("__part").str.extract(r"##(.*)$", 1).str.strip_chars(),
        )
        .with_columns(
            __step=pl.col("__status")
            .str.split(",")
            .list.last()
            .str.strip_chars()
            .str.to_lowercase()
        )
        .select(
            "__line",
            "__raw",
            "timestamp",
            "message_id",
            "sender",
            "recipient",
            "__problem",
            "__problem_field",
            event=pl.col("__step").replace_strict(STEPS, default=None, return_dtype=pl.String),
            __event_raw=pl.col("__status"),
            __skip=pl.col("__incoming") | pl.col("__step").is_in(SKIPPED_STEPS).fill_null(False),
        )
    )
    return export.finished(entries, NAME, "UTC")
