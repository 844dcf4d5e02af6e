"""Postmark bounces: bounce webhooks, single bounce records, or the bounce API's
`{"Bounces": [...]}` pages (JSON).

Fields per postmarkapp.com/developer/api/bounce-api: `RecordType`, `ID`, `Type`,
`TypeCode`, `MessageID`, `Description`, `Details`, `Email`, `From`, `BouncedAt`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import polars as pl

from deliverability.classify.vendor_reasons import vendor_reasons
from deliverability.ingest.formats.common import lookup
from deliverability.ingest.jsonrecords import LINE, RAW, finish_records, read_json_records
from deliverability.ingest.result import FileStats

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)
NAME = "postmark"
LABEL = "Postmark Bounces (JSON)"
#: The key of the wrapping object whose list holds the records (a page of the API).
CONTAINERS = ("Bounces",)
SCHEMA = pl.Schema(
    {
        "RecordType": pl.String,
        "ID": pl.String,
        "Type": pl.String,
        "TypeCode": pl.String,
        "MessageID": pl.String,
        "Description": pl.String,
        "Details": pl.String,
        "Email": pl.String,
        "From": pl.String,
        "BouncedAt": pl.String,
    }
)
#: Type → (event, bounce type); the bounce types of the Postmark documentation. The reason
#: each type names is rule data (`classify.vendor_reasons`).
TYPES: dict[str, tuple[str, str | None]] = {
    "HardBounce": ("bounced", "hard"),
    "Transient": ("bounced", "soft"),
    "SoftBounce": ("bounced", "soft"),
    "DnsError": ("bounced", "soft"),
    "Unsubscribe": ("unsubscribed", None),
    "SpamComplaint": ("complained", None),
    "SpamNotification": ("bounced", "soft"),
    "VirusNotification": ("bounced", "soft"),
    "AutoResponder": ("delivered", None),
    "AddressChange": ("bounced", "hard"),
    "BadEmailAddress": ("bounced", "hard"),
    "ManuallyDeactivated": ("dropped", None),
    "Unconfirmed": ("dropped", None),
    "Blocked": ("bounced", "soft"),
    "SMTPApiError": ("dropped", None),
    "InboundError": ("bounced", "soft"),
    "DMARCPolicy": ("bounced", "hard"),
    "TemplateRenderingFailed": ("dropped", None),
    "Unknown": ("bounced", "undetermined"),
}
REASONS = vendor_reasons("postmark", "Type")
#: Not about delivery of a sent message; counted as skipped.
SKIPPED = ("Subscribe", "OpenRelayTest", "ChallengeVerification")


def sniff(head: str) -> bool:
    return '"BouncedAt"' in head or ('"RecordType"' in head and '"TypeCode"' in head)


def entries(frame: Frame) -> Frame:
    """Records of this format (schema `SCHEMA`) → entries for `finish`."""
    kind = pl.col("Type")
    mapped = frame.select(
        LINE,
        RAW,
        timestamp="BouncedAt",
        message_id="MessageID",
        sender="From",
        recipient="Email",
        event=lookup(kind, {k: v[0] for k, v in TYPES.items()}),
        __event_raw="Type",
        bounce_type=lookup(kind, {k: v[1] for k, v in TYPES.items()}),
        reason=lookup(kind, REASONS),
        smtp_code="Details",
        status="Details",
        diagnostic=pl.coalesce(pl.col("Details"), pl.col("Description")),
        event_id="ID",
        __skip=kind.is_in(SKIPPED),
    )
    return mapped


def load(path: Path, timezone: str) -> tuple[pl.DataFrame, pl.DataFrame, FileStats]:
    records = read_json_records(path, SCHEMA, containers=CONTAINERS)
    return finish_records(entries(records.frame), records, path, NAME, timezone)
