"""HubSpot e-mail events as the legacy Email Events API returns them (JSON).

`GET /email/public/v1/events` pages are `{"hasMore", "offset", "events": [...]}`; single
events, arrays and JSON lines load too. Fields per HubSpot's Email Events API guide
(developers.hubspot.com/docs/api-reference/legacy/email-analytics-v1/guide): every event has
`id` and `created` (milliseconds since the epoch), all but UNBOUNCE `type`, `recipient`,
`emailCampaignId` and `sentBy` (`id` of the SENT event the event follows); SENT has `from`;
BOUNCE has `category`, `status` and `response` (the receiving server's reply); DEFERRED
`response`; DROPPED `dropReason` and `dropMessage`; STATUSCHANGE `portalSubscriptionStatus`.

The events of one send share `sentBy.id`, which is taken as the message id. HubSpot's bounce
`category` is a best guess whose hard/soft split the guide does not give (third-party
integrations disagree on it): the bounce type is left to the classifier, which reads
`response`; only categories that name one reason unambiguously give it (`vendor_reasons.csv`).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from deliverability.classify.vendor_reasons import vendor_reasons
from deliverability.ingest.formats.common import lookup
from deliverability.ingest.jsonrecords import LINE, RAW, finish_records, read_json_records
from deliverability.ingest.result import FileStats

NAME = "hubspot_events"
LABEL = "HubSpot E-Mail-Ereignisse (API, JSON)"
SCHEMA = pl.Schema(
    {  # type: ignore[arg-type]
        "id": pl.String,
        "created": pl.String,
        "type": pl.String,
        "recipient": pl.String,
        "from": pl.String,
        "sentBy": pl.Struct({"id": pl.String}),
        "category": pl.String,
        "status": pl.String,
        "response": pl.String,
        "dropReason": pl.String,
        "dropMessage": pl.String,
        "portalSubscriptionStatus": pl.String,
    }
)
#: Event types of the guide → events of the schema.
EVENTS = {
    "PROCESSED": "queued",
    "SENT": "sent",
    "DELIVERED": "delivered",
    "DEFERRED": "deferred",
    "BOUNCE": "bounced",
    "DROPPED": "dropped",
    "SUPPRESSED": "dropped",
    "SPAMREPORT": "complained",
    "OPEN": "opened",
    "CLICK": "clicked",
}
#: Not about delivery (printing, forwarding, an address taken off the bounce list): skipped.
SKIPPED = ("PRINT", "FORWARD", "UNBOUNCE")
CATEGORIES = vendor_reasons("hubspot", "category")


def sniff(head: str) -> bool:
    compact = head.replace(" ", "")
    return '"portalId"' in head and '"recipient"' in head and '"type":' in compact


def load(path: Path, timezone: str) -> tuple[pl.DataFrame, pl.DataFrame, FileStats]:
    records = read_json_records(path, SCHEMA, containers=("events",))
    kind = pl.col("type").str.to_uppercase()
    unsubscribed = kind.eq("STATUSCHANGE") & pl.col(
        "portalSubscriptionStatus"
    ).str.to_uppercase().eq("UNSUBSCRIBED")
    entries = records.frame.select(
        LINE,
        RAW,
        timestamp="created",
        message_id=pl.coalesce(pl.col("sentBy").struct.field("id"), pl.col("id")),
        sender="from",
        recipient="recipient",
        event=pl.when(unsubscribed).then(pl.lit("unsubscribed")).otherwise(lookup(kind, EVENTS)),
        __event_raw="type",
        reason=pl.when(kind == "BOUNCE").then(lookup(pl.col("category"), CATEGORIES)),
        smtp_code="response",
        status=pl.coalesce(pl.col("status"), pl.col("response")),
        diagnostic=pl.coalesce(
            pl.col("response"),
            pl.concat_str([pl.col("dropReason"), pl.col("dropMessage")], separator=": "),
            pl.col("dropReason"),
        ),
        event_id="id",
        # a STATUSCHANGE that is no unsubscription (a resubscription) says nothing of delivery
        __skip=kind.is_in(SKIPPED) | (kind.eq("STATUSCHANGE") & ~unsubscribed.fill_null(False)),
    )
    return finish_records(entries, records, path, NAME, timezone)
