"""Zoho CRM: the e-mails of a record with their delivery status, as the REST API returns them
(`GET /crm/v7/{module}/{record_id}/Emails`, JSON).

Fields per Zoho's API reference "Get Emails of a Record"
(zoho.com/crm/developer/docs/api/v7/get-email-rel-list.html): `{"Emails": [...], "info"}`;
per e-mail `from.email`, `to[].email`, `time` (or `sent_time` for a single e-mail),
`message_id`, and `status[]` with `type` (`sent`, `bounced`, `opened` …), for bounces
`bounced_time`, `bounced_reason`, `category` and `sub_category`, for opens `first_open`.

One entry per recipient and status. Zoho's bounce `category` says whether Zoho blocked the
address temporarily or permanently: Zoho's help ("Dealing with bounce warnings") counts soft
and some hard bounces as temporary, so only a permanent block gives the bounce type (hard);
for a temporary one the classifier reads `bounced_reason`.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from deliverability.ingest.formats.common import lookup
from deliverability.ingest.jsonrecords import LINE, RAW, finish_records, read_json_records
from deliverability.ingest.result import FileStats

NAME = "zoho_crm"
LABEL = "Zoho CRM E-Mails eines Datensatzes (API, JSON)"
_ADDRESS = pl.Struct({"email": pl.String})
_STATUS = pl.Struct(
    {
        "type": pl.String,
        "bounced_time": pl.String,
        "bounced_reason": pl.String,
        "category": pl.String,
        "sub_category": pl.String,
        "first_open": pl.String,
    }
)
SCHEMA = pl.Schema(
    {  # type: ignore[arg-type]
        "from": _ADDRESS,
        "to": pl.List(_ADDRESS),
        "cc": pl.List(_ADDRESS),
        "time": pl.String,
        "sent_time": pl.String,
        "message_id": pl.String,
        "status": pl.List(_STATUS),
    }
)
EVENTS = {
    "sent": "sent",
    "delivered": "delivered",
    "bounced": "bounced",
    "opened": "opened",
    "clicked": "clicked",
    "unsubscribed": "unsubscribed",
}
#: Statuses that say nothing about delivery (the reply of the recipient): skipped.
SKIPPED = ("replied",)


def sniff(head: str) -> bool:
    compact = "".join(head.split())
    return '"Emails":[' in compact and '"message_id"' in compact and '"status"' in compact


def load(path: Path, timezone: str) -> tuple[pl.DataFrame, pl.DataFrame, FileStats]:
    records = read_json_records(path, SCHEMA, containers=("Emails",))
    sent_at = pl.coalesce(pl.col("time"), pl.col("sent_time"))
    # an e-mail without a status was sent (the API lists sent e-mails)
    statuses = (
        pl.when(pl.col("status").list.len().fill_null(0) == 0)
        .then(pl.concat_list(pl.struct(type=pl.lit("sent")).cast(_STATUS)))
        .otherwise(pl.col("status"))
    )
    recipients = pl.concat_list(
        pl.col("to").fill_null(pl.lit([], dtype=pl.List(_ADDRESS))),
        pl.col("cc").fill_null(pl.lit([], dtype=pl.List(_ADDRESS))),
    )
    # an e-mail without any recipient stays one entry, rejected for the missing address
    recipients = (
        pl.when(recipients.list.len() == 0)
        .then(pl.concat_list(pl.struct(email=pl.lit(None, dtype=pl.String))))
        .otherwise(recipients)
    )
    exploded = (
        records.frame.with_columns(__to=recipients, __status=statuses, __sent_at=sent_at)
        .explode("__to")
        .explode("__status")
        .unnest("__status")
    )
    kind = pl.col("type").str.to_lowercase()
    category = pl.col("category").str.to_lowercase()
    entries = exploded.select(
        LINE,
        RAW,
        timestamp=pl.when(kind == "bounced")
        .then(pl.coalesce("bounced_time", "__sent_at"))
        .when(kind == "opened")
        .then(pl.coalesce("first_open", "__sent_at"))
        .otherwise(pl.col("__sent_at")),
        message_id="message_id",
        sender=pl.col("from").struct.field("email"),
        recipient=pl.col("__to").struct.field("email"),
        event=lookup(kind, EVENTS),
        __event_raw="type",
        bounce_type=pl.when((kind == "bounced") & category.str.contains("perman")).then(
            pl.lit("hard")
        ),
        diagnostic=pl.when(kind == "bounced").then(
            pl.concat_str(
                ["category", "sub_category", "bounced_reason"], separator=": ", ignore_nulls=True
            )
        ),
        __skip=kind.is_in(SKIPPED),
    )
    return finish_records(entries, records, path, NAME, timezone)
