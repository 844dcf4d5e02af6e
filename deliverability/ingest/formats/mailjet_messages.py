"""Mailjet messages as the REST API lists them (`GET /v3/REST/message`, JSON).

Pages are `{"Count", "Data": [...], "Total"}`; one record per message with its current
`Status`. Fields per Mailjet's API reference (dev.mailjet.com/email/reference/messages/):
`ID`, `ArrivedAt`, `ContactAlt` (the recipient's address, given only with
`ShowContactAlt=true`), `Status` (queued, sent, opened, clicked, bounce, spam, unsub, blocked,
hardbounced, softbounced, deferred), `StateID` (why a message was not delivered: 1 user
unknown … 21 spam reporter) and `StatePermanent`. `sent` is Mailjet's word for accepted by
the receiving server, as in its Event API, so it is a delivery; an opened, clicked, spam or
unsubscribed message was delivered first, so it gives two entries.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from deliverability.ingest.formats.common import lookup, truthy
from deliverability.ingest.formats.mailjet import ERRORS
from deliverability.ingest.jsonrecords import LINE, RAW, finish_records, read_json_records
from deliverability.ingest.result import FileStats

NAME = "mailjet_messages"
LABEL = "Mailjet Nachrichtenliste (API, JSON)"
SCHEMA = pl.Schema(
    {
        "ID": pl.String,
        "ArrivedAt": pl.String,
        "ContactAlt": pl.String,
        "Status": pl.String,
        "StateID": pl.String,
        "StatePermanent": pl.String,
    }
)
#: Status → the events it stands for, in order.
STATUSES: dict[str, list[str]] = {
    "queued": ["queued"],
    "deferred": ["deferred"],
    "sent": ["delivered"],
    "opened": ["delivered", "opened"],
    "clicked": ["delivered", "clicked"],
    "spam": ["delivered", "complained"],
    "unsub": ["delivered", "unsubscribed"],
    "bounce": ["bounced"],
    "hardbounced": ["bounced"],
    "softbounced": ["bounced"],
    "blocked": ["blocked"],
}
#: The MessageState ids of the API reference, as the Event API's `error` words.
STATES = {
    "1": "user unknown",
    "2": "mailbox inactive",
    "3": "quota exceeded",
    "4": "invalid domain",
    "5": "no mail host",
    "6": "relay/access denied",
    "7": "sender blocked",
    "8": "content blocked",
    "9": "policy issue",
    "10": "system issue",
    "11": "protocol issue",
    "12": "connection issue",
    "13": "greylisted",
    "14": "preblocked",
    "15": "duplicate in campaign",
    "16": "spam preblocked",
    "17": "bad or empty template",
    "18": "error in template language",
    "19": "typofix",
    "20": "blacklisted",
    "21": "spam reporter",
}


def sniff(head: str) -> bool:
    return '"ArrivedAt"' in head and ('"ContactAlt"' in head or '"StatePermanent"' in head)


def load(path: Path, timezone: str) -> tuple[pl.DataFrame, pl.DataFrame, FileStats]:
    records = read_json_records(path, SCHEMA, containers=("Data",))
    status = pl.col("Status").str.to_lowercase()
    events = status.replace_strict(
        STATUSES, default=None, return_dtype=pl.List(pl.String)
    ).fill_null(pl.concat_list(pl.lit(None, dtype=pl.String)))
    state = pl.col("StateID").replace_strict(STATES, default=None, return_dtype=pl.String)
    failed = pl.col("__event").is_in(["bounced", "blocked"])
    entries = (
        records.frame.with_columns(__event=events, __state=state)
        .explode("__event")
        .select(
            LINE,
            RAW,
            timestamp="ArrivedAt",
            message_id="ID",
            recipient="ContactAlt",
            event="__event",
            __event_raw="Status",
            bounce_type=pl.when(pl.col("__event") == "bounced").then(
                pl.when(status == "hardbounced")
                .then(pl.lit("hard"))
                .when(status == "softbounced")
                .then(pl.lit("soft"))
                .when(truthy(pl.col("StatePermanent")))
                .then(pl.lit("hard"))
                .otherwise(pl.lit("soft"))
            ),
            reason=pl.when(failed).then(lookup(pl.col("__state"), ERRORS)),
            diagnostic=pl.when(failed).then(pl.col("__state")),
            __problem=pl.when(pl.col("ContactAlt").is_null() | (pl.col("ContactAlt") == ""))
            .then(
                pl.lit(
                    "Die Empfängeradresse (ContactAlt) fehlt: die Nachrichtenliste mit "
                    "ShowContactAlt=true abrufen."
                )
            )
            .otherwise(pl.lit("")),
            __problem_field=pl.lit("ContactAlt"),
        )
    )
    return finish_records(entries, records, path, NAME, timezone)
