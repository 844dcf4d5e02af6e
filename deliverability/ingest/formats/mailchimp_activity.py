"""Mailchimp campaign e-mail activity as the Marketing API returns it
(`GET /3.0/reports/{campaign_id}/email-activity`, JSON).

Fields per Mailchimp's API reference ("List email activity"): `{"emails": [...],
"campaign_id", "total_items"}`; per recipient `email_address`, `campaign_id`, `email_id` and
`activity[]` with `action` (`open`, `click` or `bounce`), `type` (for a bounce: `hard` or
`soft`), `timestamp` and `url`. One entry per activity; a recipient without activity has no
time of its own and is skipped (counted).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from deliverability.ingest.formats.common import lookup
from deliverability.ingest.jsonrecords import LINE, RAW, finish_records, read_json_records
from deliverability.ingest.result import FileStats

NAME = "mailchimp_activity"
LABEL = "Mailchimp Kampagnenaktivität (API, JSON)"
_ACTIVITY = pl.Struct({"action": pl.String, "type": pl.String, "timestamp": pl.String})
SCHEMA = pl.Schema(
    {  # type: ignore[arg-type]
        "campaign_id": pl.String,
        "email_id": pl.String,
        "email_address": pl.String,
        "activity": pl.List(_ACTIVITY),
    }
)
ACTIONS = {"open": "opened", "click": "clicked", "bounce": "bounced"}


def sniff(head: str) -> bool:
    compact = "".join(head.split())
    return '"email_address"' in compact and '"activity":' in compact and '"action"' in compact


def load(path: Path, timezone: str) -> tuple[pl.DataFrame, pl.DataFrame, FileStats]:
    records = read_json_records(path, SCHEMA, containers=("emails",))
    exploded = (
        records.frame.with_columns(__none=pl.col("activity").list.len().fill_null(0) == 0)
        # a recipient without activity stays one entry (explode drops empty lists)
        .with_columns(
            activity=pl.when("__none")
            .then(pl.concat_list(pl.lit(None, dtype=_ACTIVITY)))
            .otherwise("activity")
        )
        .explode("activity")
        .with_columns(pl.col("activity").struct.unnest())
    )
    action = pl.col("action").str.to_lowercase()
    bounce_type = pl.col("type").str.to_lowercase()
    entries = exploded.select(
        LINE,
        RAW,
        timestamp="timestamp",
        # one message per campaign and recipient
        message_id=pl.concat_str(["campaign_id", "email_id"], separator=":"),
        recipient="email_address",
        event=lookup(action, ACTIONS),
        __event_raw="action",
        bounce_type=pl.when(action == "bounce").then(
            pl.when(bounce_type.is_in(["hard", "soft"]))
            .then(bounce_type)
            .otherwise(pl.lit("undetermined"))
        ),
        __skip="__none",
    )
    return finish_records(entries, records, path, NAME, timezone)
