"""Raw bounce mails (.eml, Outlook .msg, mbox, Maildir) through the bounce-mail parser: one event per
failed recipient (`bounced`), complaint (`complained`) or auto-reply (`delivered`, reason
`vacation`). Mails that are no bounce are skipped and counted; the time is the mail's
`Date` header (else the DSN's `Arrival-Date`)."""

from __future__ import annotations

import re
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime
from pathlib import Path

import polars as pl

from deliverability.bounces.outlook import OLE_SIGNATURE, is_outlook_msg
from deliverability.bounces.sources import iter_mails
from deliverability.ingest.finish import finish
from deliverability.ingest.result import FileStats
from deliverability.schema import REJECTS_SCHEMA

NAME = "bounce_mails"
LABEL = "Bounce-Mails (.eml, .msg, mbox, Maildir)"
_HEADERS = BytesHeaderParser()


_HEADER_LINE = re.compile(r"^(From |[A-Za-z][A-Za-z0-9-]*:[ \t])")


def sniff(head: str) -> bool:
    """An mbox, or a mail: header lines first, with From and a Subject or Received."""
    if head.startswith("From "):
        return True
    lowered = "\n" + head.split("\n\n", 1)[0].lower()
    return (
        bool(_HEADER_LINE.match(head))
        and "\nfrom:" in lowered
        and ("\nsubject:" in lowered or "\nreceived:" in lowered)
    )


def is_outlook_file(path: Path) -> bool:
    """An Outlook `.msg` (judged by its first bytes; its text cannot be sniffed)."""
    try:
        with path.open("rb") as handle:
            return is_outlook_msg(handle.read(len(OLE_SIGNATURE)))
    except OSError:
        return False


def _date(data: bytes) -> str | None:
    """The mail's Date header, else the time its first Received header was written."""
    headers = _HEADERS.parsebytes(data)
    candidates = [headers.get("Date")] + [
        str(received).rsplit(";", 1)[-1] for received in headers.get_all("Received") or []
    ]
    for value in candidates:
        if not value:
            continue
        try:
            return parsedate_to_datetime(str(value).strip()).isoformat()
        except (TypeError, ValueError, IndexError):
            continue
    return None


def load(path: Path, timezone: str) -> tuple[pl.DataFrame, pl.DataFrame, FileStats]:
    # imported here: the parser and the email package it needs cost every command that
    # only looks at a file's head (`registry.detect_format`) some 20 ms
    from deliverability.bounces.parse import classify_mail

    rows: list[dict[str, object]] = []
    for number, mail in enumerate(iter_mails([path]), start=1):
        result = classify_mail(mail)
        stamp = _date(mail.data)
        base = {"__line": number, "__raw": mail.file, "timestamp": stamp}
        if not result.verdicts:
            rows.append({**base, "__skip": True, "__event_raw": result.kind})
            continue
        for verdict in result.verdicts:
            event = {"feedback": "complained", "vacation": "delivered"}.get(
                verdict.reason, "bounced"
            )
            rows.append(
                {
                    **base,
                    "__skip": False,
                    "recipient": verdict.recipient,
                    "event": event,
                    "__event_raw": result.kind,
                    "bounce_type": verdict.bounce_type if event == "bounced" else None,
                    "reason": verdict.reason,
                    "smtp_code": str(verdict.reply_code) if verdict.reply_code else None,
                    "status": verdict.status,
                    "diagnostic": verdict.diagnostic,
                }
            )
    schema = {
        "__line": pl.Int64,
        "__raw": pl.String,
        "timestamp": pl.String,
        "__skip": pl.Boolean,
        "recipient": pl.String,
        "event": pl.String,
        "__event_raw": pl.String,
        "bounce_type": pl.String,
        "reason": pl.String,
        "smtp_code": pl.String,
        "status": pl.String,
        "diagnostic": pl.String,
    }
    entries = pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)
    return finish(
        entries,
        path=path,
        format_name=NAME,
        timezone=timezone,
        encoding="MIME",
        parse_rejects=pl.DataFrame(schema=REJECTS_SCHEMA),
    )
