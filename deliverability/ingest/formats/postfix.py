"""Postfix `mail.log` / journal lines: deliveries joined with their message by queue id.

The `smtp`/`lmtp`/`local`/`virtual`/`error` lines with `to=<…>` and `status=sent|deferred|
bounced` are deliveries (`dsn=`, and the server's reply in parentheses); the `qmgr` line
`from=<…>` gives the sender and the `cleanup` line `message-id=<…>` the message id of the
same queue id; a `qmgr` line `status=expired` ends every recipient still deferred. All files
of one load are joined together, so a message whose lines are spread over rotated logs is
still complete. Syslog times without a year take it from the file's modification time (a
December line in a file written in January belongs to the year before).

Lines of other programs and Postfix lines that are not deliveries are skipped (and counted),
among them address verification probes (`status=deliverable|undeliverable`: no mail was
sent, counted as `probes`); lines that are no syslog lines at all are rejected.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import polars as pl

from deliverability.ingest.finish import finish
from deliverability.ingest.result import FileStats
from deliverability.ingest.text import read_text
from deliverability.schema import REJECTS_SCHEMA
from deliverability.text_expr import format_text

NAME = "postfix"
LABEL = "Postfix mail.log / Journal"
_MONTHS = {m: i for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
)}  # fmt: skip
_LINE = (
    r"^(?:(?P<mon>[A-Z][a-z]{2}) +(?P<day>\d{1,2}) (?P<clock>\d{2}:\d{2}:\d{2})"
    r"|(?P<iso>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?))"
    r" (?P<host>\S+) (?P<program>[\w./-]+?)(?:\[(?P<pid>\d+)\])?: (?P<message>.*)$"
)
_QUEUED = r"^(?P<qid>[0-9A-F]{6,12}|[0-9A-Za-z]{10,16}): (?P<body>.*)$"


def sniff(head: str) -> bool:
    return "postfix/" in head and ("status=" in head or "qmgr" in head or "smtpd" in head)


def _lines(path: Path) -> tuple[pl.DataFrame, str, int]:
    decoded = read_text(path)
    pieces = decoded.text.split("\n")
    if pieces and pieces[-1] == "":
        pieces.pop()
    frame = pl.DataFrame({"__raw": pieces}, schema={"__raw": pl.String}).with_row_index(
        "__line", offset=1
    )
    frame = frame.with_columns(pl.col("__line").cast(pl.Int64), __file=pl.lit(str(path)))
    blank = frame.get_column("__raw").str.strip_chars().str.len_chars() == 0
    mtime = datetime.fromtimestamp(path.stat().st_mtime)
    frame = frame.filter(~blank).with_columns(
        __year=pl.lit(mtime.year), __file_month=pl.lit(mtime.month)
    )
    return frame, decoded.encoding, int(blank.sum())


def _parsed(lines: pl.DataFrame) -> pl.DataFrame:
    """Syslog lines taken apart: time, service, queue id and the fields of a delivery line."""
    parsed = lines.with_columns(pl.col("__raw").str.extract_groups(_LINE).alias("__m")).unnest(
        "__m"
    )
    parsed = parsed.with_columns(pl.col("message").str.extract_groups(_QUEUED).alias("__q")).unnest(
        "__q"
    )
    month = pl.col("mon").replace_strict(_MONTHS, default=None, return_dtype=pl.Int32)
    year = (
        pl.when(month > pl.col("__file_month"))
        .then(pl.col("__year") - 1)
        .otherwise(pl.col("__year"))
    )
    parsed = parsed.with_columns(
        __service=pl.col("program").str.extract(r"postfix[\w.-]*/([\w-]+)$", 1),
        timestamp=pl.coalesce(
            pl.col("iso"),
            format_text(
                "{}-{}-{} {}",
                year,
                month.cast(pl.String).str.pad_start(2, "0"),
                pl.col("day").str.pad_start(2, "0"),
                pl.col("clock"),
            ),
        ),
        # `to=<user@host>`, and in some local/pipe lines `to=user@host` without brackets
        __to=pl.coalesce(
            pl.col("body").str.extract(r"\bto=<([^>]*)>", 1),
            pl.col("body").str.extract(r"\bto=([^\s,<>]+)", 1),
        ),
        __status=pl.col("body").str.extract(r"\bstatus=(\w+)", 1),
        __dsn=pl.col("body").str.extract(r"\bdsn=(\d\.\d{1,3}\.\d{1,3})", 1),
        __text=pl.col("body").str.extract(r"\bstatus=\w+ \((.*)\)\s*$", 1),
        __from=pl.col("body").str.extract(r"\bfrom=<([^>]*)>", 1),
        __mid=pl.col("body").str.extract(r"\bmessage-id=<([^>]*)>", 1),
    )
    return parsed


#: A syslog line; an address verification probe (verify(8): `status=deliverable` or
#: `undeliverable`, no mail was sent); a delivery line of a Postfix service; a message qmgr
#: gave up on.
_SYSLOG = pl.col("host").is_not_null()
_POSTFIX = pl.col("__service").is_not_null()
PROBE_STATUSES = ("deliverable", "undeliverable")
_PROBE = (
    _POSTFIX & pl.col("__to").is_not_null() & pl.col("__status").is_in(PROBE_STATUSES)
).fill_null(False)
_DELIVERY = _POSTFIX & pl.col("__to").is_not_null() & pl.col("__status").is_not_null() & ~_PROBE
_EXPIRED = (
    _POSTFIX & (pl.col("__service") == "qmgr") & (pl.col("__status") == "expired")
).fill_null(False)
#: Postfix delivery statuses → events of the schema.
_STATUS_EVENTS = {
    "sent": "delivered",
    "deferred": "deferred",
    "bounced": "bounced",
    "expired": "bounced",
}


def _entries(parsed: pl.DataFrame) -> pl.DataFrame:
    """One entry per delivery attempt, with sender and message id of the queue id; a message
    that expired in the queue counts for every recipient that was still waiting."""
    syslog, delivery, expired = _SYSLOG, _DELIVERY, _EXPIRED
    senders = (
        parsed.filter(_POSTFIX & (pl.col("__service") == "qmgr") & pl.col("__from").is_not_null())
        .group_by("qid")
        .agg(sender=pl.col("__from").first())
    )
    message_ids = (
        parsed.filter(pl.col("__mid").is_not_null())
        .group_by("qid")
        .agg(message_id=pl.col("__mid").first())
    )
    deliveries = parsed.filter(syslog & delivery)
    waiting = (
        deliveries.filter(pl.col("__status") == "deferred")
        .group_by("qid")
        .agg(__waiting=pl.col("__to").unique(maintain_order=True))
    )
    ends = (
        parsed.filter(syslog & expired)
        .join(waiting, on="qid", how="left")
        .with_columns(
            pl.when(pl.col("__waiting").list.len() > 0)
            .then(pl.col("__waiting"))
            .otherwise(pl.lit([None], dtype=pl.List(pl.String)))
        )
        .explode("__waiting")
        .with_columns(__to=pl.col("__waiting"))
        .drop("__waiting")
    )
    status = pl.col("__status")
    said = pl.col("__text").str.extract(r"(?:said|talk to me): ([2-5]\d\d)\b", 1)
    entries = (
        pl.concat([deliveries, ends], how="diagonal_relaxed")
        .join(senders, on="qid", how="left")
        .join(message_ids, on="qid", how="left")
        .select(
            "__file",
            "__line",
            "__raw",
            "timestamp",
            message_id=pl.coalesce(pl.col("message_id"), pl.col("qid")),
            sender="sender",
            recipient="__to",
            event=status.replace_strict(_STATUS_EVENTS, default=None, return_dtype=pl.String),
            __event_raw=format_text("status={}", status),
            bounce_type=pl.when(status == "bounced")
            .then(
                pl.when(pl.col("__dsn").str.starts_with("4"))
                .then(pl.lit("soft"))
                .otherwise(pl.lit("hard"))
            )
            .when(status == "expired")
            .then(pl.lit("soft")),
            reason=pl.when(status == "expired").then(pl.lit("expired")),
            smtp_code=said,
            status="__dsn",
            diagnostic="__text",
        )
    )
    return entries


def load_group(
    paths: list[Path], timezone: str
) -> list[tuple[pl.DataFrame, pl.DataFrame, FileStats]]:
    """Load several Postfix logs together (joins across files); results per file."""
    read = [_lines(path) for path in paths]
    parsed = _parsed(pl.concat([frame for frame, _, _ in read]))
    entries = _entries(parsed)
    syslog, delivery, expired = _SYSLOG, _DELIVERY, _EXPIRED
    skipped = (
        parsed.filter(syslog & ~delivery & ~expired)
        .group_by("__file")
        .agg(n=pl.len(), probes=_PROBE.sum())
    )
    rejected = (
        parsed.filter(~syslog)
        .select(
            file="__file",
            line="__line",
            field=pl.lit("(Zeile)"),
            reason=pl.lit(
                "Keine Syslog-Zeile (erwartet: „Nov 17 09:15:02 host postfix/smtp[123]: …“)."
            ),
            raw="__raw",
        )
        .cast(REJECTS_SCHEMA)
    )  # type: ignore[arg-type]
    results = []
    for path, (_, encoding, blank) in zip(paths, read, strict=True):
        name = str(path)
        events, rejects, stats = finish(
            entries.filter(pl.col("__file") == name).drop("__file"),
            path=path,
            format_name=NAME,
            timezone=timezone,
            encoding=encoding,
            parse_rejects=rejected.filter(pl.col("file") == name),
            blank=blank,
        )
        mine = skipped.filter(pl.col("__file") == name)
        count, probes = int(mine.get_column("n").sum()), int(mine.get_column("probes").sum())
        stats = replace(
            stats, read=stats.read + count, skipped=stats.skipped + count, probes=probes
        )
        results.append((events, rejects, stats))
    return results
