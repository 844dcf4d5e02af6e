"""The sends to replay: from a CSV `requested_at,message_id,recipient[,recipients]` or events."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from deliverability.errors import ConfigError, InputError
from deliverability.ingest import load_events
from deliverability.ingest.formats.csv_export import header_sets
from deliverability.ingest.text import check_input, detect_delimiter, read_head, read_text
from deliverability.ingest.timestamps import parse_one, parse_timestamps
from deliverability.schema import REJECTS_SCHEMA

SENDS_SCHEMA = pl.Schema(
    {  # type: ignore[arg-type]
        "requested_at": pl.Datetime("us", "UTC"),
        "message_id": pl.String,
        "recipient": pl.String,
        "recipients": pl.Int64,
        "account": pl.String,
    }
)
#: Events that show a send was requested (the earliest one per message and recipient counts).
REQUEST_EVENTS = ("queued", "sent", "delivered", "deferred", "bounced", "blocked", "dropped")


@dataclass(frozen=True)
class Sends:
    """Sends to replay, plus rows that could not be used (file, line, field, reason, raw)."""

    frame: pl.DataFrame
    rejects: pl.DataFrame


#: The columns of a sends CSV as text, one row per non-blank record (`raw`: None until needed).
_CELLS = {
    "line": pl.Int64,
    "raw": pl.String,
    "time_text": pl.String,
    "message_id": pl.String,
    "recipient": pl.String,
    "count_text": pl.String,
}
_WANTED = {
    "time_text": "requested_at",
    "message_id": "message_id",
    "recipient": "recipient",
    "count_text": "recipients",
}


#: The most recipients one send can have: SMTP servers take at least 100 per transaction
#: (RFC 5321, 4.5.3.1.8) and hosts cap them far below this; more is a broken cell.
MAX_RECIPIENTS = 100_000
MAX_RECIPIENTS_SHOWN = "100.000"


def _cells_quickly(text: str, delimiter: str, header: list[str]) -> pl.DataFrame | None:
    """The cells read by polars, when every physical line is one record (None otherwise:
    quoted line breaks, or a file polars reads differently from Python's csv module)."""
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    width = len(header)
    try:
        table = pl.read_csv(
            text.encode("utf-8"),
            has_header=False,
            skip_rows=1,
            separator=delimiter,
            schema={f"c{i}": pl.String for i in range(width)},
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError:
        return None
    if table.height != lines - 1:
        return None
    first = {name: header.index(name) for name in header}
    columns = {
        key: pl.col(f"c{first[name]}").fill_null("").str.strip_chars()
        if name in first
        else pl.lit("")
        for key, name in _WANTED.items()
    }
    blank = pl.all_horizontal(
        [pl.col(c).fill_null("").str.strip_chars() == "" for c in table.columns]
    )
    return (
        table.with_row_index("line", offset=2)
        .filter(~blank)
        .select(pl.col("line").cast(pl.Int64), raw=pl.lit(None, dtype=pl.String), **columns)
        .cast(_CELLS)  # type: ignore[arg-type]
    )


def _cells_slowly(text: str, delimiter: str, header: list[str]) -> pl.DataFrame:
    """The cells read record by record with Python's csv module (any quoting)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    next(reader)
    position = {name: header.index(name) for name in header}
    rows: list[dict[str, object]] = []
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in position.items()}
        rows.append({"line": line, "raw": delimiter.join(row), **cells})
    return pl.DataFrame(
        {
            "line": [r["line"] for r in rows],
            "raw": [r["raw"] for r in rows],
            **{key: [r.get(name, "") for r in rows] for key, name in _WANTED.items()},
        },
        schema=_CELLS,
    )


def _with_raw(bad: pl.DataFrame, text: str, delimiter: str) -> pl.DataFrame:
    """Fill `raw` of rejected rows read quickly: their line, as the csv module splits it."""
    missing = bad.filter(pl.col("raw").is_null())
    if missing.is_empty():
        return bad
    lines = text.split("\n")
    raw = {
        n: delimiter.join(next(csv.reader([lines[n - 1]], delimiter=delimiter), []))
        for n in missing.get_column("line").to_list()
    }
    return bad.with_columns(
        raw=pl.coalesce(
            "raw", pl.col("line").replace_strict(raw, default=None, return_dtype=pl.String)
        )
    )


def read_sends_csv(path: Path, timezone: str, *, need_time: bool = True) -> Sends:
    """Read a sends CSV (any delimiter, UTF-8 or cp1252); bad rows go to the rejects."""
    check_input(path, folders=False)
    text = read_text(path).text
    delimiter = detect_delimiter(text.split("\n", 1)[0], path)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [name.strip().lstrip("\ufeff").lower() for name in next(reader)]
    except StopIteration:
        raise InputError("Die Datei ist leer.", path=path) from None
    required = ["message_id", "recipient"] + (["requested_at"] if need_time else [])
    missing = [name for name in required if name not in header]
    if missing:
        raise InputError(
            f"Spalte fehlt: {', '.join(missing)}. Erwartet: requested_at,message_id,recipient"
            f"[,recipients]; vorhanden: {', '.join(header)}.",
            path=path,
            line=1,
            field=missing[0],
        )
    cells = _cells_quickly(text, delimiter, header)
    if cells is None:
        cells = _cells_slowly(text, delimiter, header)
    frame = cells.with_columns(
        requested_at=parse_timestamps(cells.get_column("time_text"), timezone)
    )
    count = pl.col("count_text")
    frame = frame.with_columns(
        recipients=pl.when(count == "")
        .then(1)
        .when(count.str.contains(r"^\d+$"))
        .then(count.cast(pl.Int64, strict=False))  # too long for 64 bits: null, rejected
        .when(count.str.contains(r"^[+-]?[\d.,]+$"))
        .then(-1)  # a negative or broken number is not a list of one address
        .otherwise(count.str.split(";").list.len().cast(pl.Int64)),
    )
    problems = [
        ("recipient", pl.col("recipient") == "", "Empfänger fehlt."),
        (
            "requested_at",
            (pl.col("time_text") != "") & pl.col("requested_at").is_null(),
            "Zeitpunkt nicht lesbar (erwartet z. B. 2026-11-23T09:30:00+01:00 oder "
            "23.11.2026 09:30).",
        ),
        (
            "recipients",
            pl.col("recipients").is_null() | ~pl.col("recipients").is_between(1, MAX_RECIPIENTS),
            f"Empfängerzahl muss eine ganze Zahl von 1 bis {MAX_RECIPIENTS_SHOWN} sein (oder "
            "eine Liste von Adressen mit ; dazwischen).",
        ),
    ]
    if need_time:
        problems.insert(1, ("requested_at", pl.col("time_text") == "", "Zeitpunkt fehlt."))
    reason = pl.lit(None, dtype=pl.String)
    field = pl.lit(None, dtype=pl.String)
    for name, condition, text_ in reversed(problems):
        reason = pl.when(condition).then(pl.lit(text_)).otherwise(reason)
        field = pl.when(condition).then(pl.lit(name)).otherwise(field)
    frame = frame.with_columns(reason=reason, field=field)
    bad = _with_raw(frame.filter(pl.col("reason").is_not_null()), text, delimiter)
    rejects = bad.select(
        file=pl.lit(str(path)),
        line="line",
        field="field",
        reason="reason",
        raw="raw",
    ).cast(dict(REJECTS_SCHEMA))  # type: ignore[arg-type]
    good = frame.filter(pl.col("reason").is_null()).select(
        "requested_at", "message_id", "recipient", "recipients", account=pl.lit("")
    )
    return Sends(good.cast(dict(SENDS_SCHEMA)), rejects)  # type: ignore[arg-type]


#: One row per message and recipient with the reference of its first event (`_ref`).
SEND_REQUESTS = pl.Schema([*SENDS_SCHEMA.items(), ("_ref", pl.String)])


def send_requests(events: pl.DataFrame) -> pl.DataFrame:
    """One send per message and recipient, requested at its earliest event; account = the
    sender of that event, `_ref` its reference (schema `SEND_REQUESTS`, in no order)."""
    first = ["timestamp", "source_ref"]
    return (
        events.filter(pl.col("event").cast(pl.String).is_in(REQUEST_EVENTS))
        .group_by("message_id", "recipient")
        .agg(
            requested_at=pl.col("timestamp").min(),
            account=pl.col("sender").sort_by(first).first().fill_null(""),
            _ref=pl.col("source_ref").sort_by(first).first(),
        )
        .select(
            "requested_at",
            pl.col("message_id").fill_null(""),
            "recipient",
            recipients=pl.lit(1, dtype=pl.Int64),
            account="account",
            _ref="_ref",
        )
    )


def sends_from_events(events: pl.DataFrame) -> pl.DataFrame:
    """The sends of `send_requests` in request order. Sends requested in the same instant keep
    the order of their first events' references, whatever the order of the input rows (the
    Spark engine runs the same code per bucket of messages and sorts alike)."""
    return send_requests(events).sort("requested_at", "_ref", nulls_last=False).drop("_ref")


def is_sends_csv(path: Path) -> bool:
    """True for a sends CSV (a header with `message_id` and `recipient` and no `event`); every
    other input — an event export of any format, a folder of bounce mails — holds events."""
    if not path.is_file():
        return False
    try:
        head = read_head(path)
    except InputError:
        return False
    if head.lstrip("\ufeff \t\r\n")[:1] in ("{", "[", "<"):
        return False
    return any(
        {"message_id", "recipient"} <= names and "event" not in names for names in header_sets(head)
    )


def load_sends(
    paths: list[Path],
    timezone: str,
    *,
    need_time: bool = True,
    sender: str | None = None,
    source: str | None = None,
) -> Sends:
    """Sends from event exports (any format `load` reads) and sends CSVs, in one frame.

    `sender` keeps one account; `source` keeps the events of one source (event exports only).
    """
    send_files = [p for p in paths if is_sends_csv(p)]
    event_files = [p for p in paths if p not in send_files]
    frames, rejects = [], []
    if event_files:
        loaded = load_events(event_files, timezone=timezone, classify=False)
        events = loaded.events
        if source:
            events = events.filter(pl.col("source") == source)
        frames.append(sends_from_events(events))
        rejects.append(loaded.rejects)
    for path in send_files:
        part = read_sends_csv(path, timezone, need_time=need_time)
        frames.append(part.frame)
        rejects.append(part.rejects)
    frame = pl.concat(frames) if frames else pl.DataFrame()
    if sender:
        frame = frame.filter(pl.col("account").str.to_lowercase() == sender.lower())
    if frame.is_empty():
        raise ConfigError(
            "Die Eingabedateien enthalten keine Sendungen"
            + (f" des Absenders {sender}" if sender else "")
            + (f" aus der Quelle {source}" if source else "")
            + "."
        )
    bad = pl.concat(rejects) if rejects else pl.DataFrame(schema=REJECTS_SCHEMA)
    return Sends(frame, bad)


def plan_start(text: str | None, timezone: str, now: datetime | None = None) -> datetime:
    """The earliest send of a plan: `text` read in `timezone`, else the next full minute
    (a plan is for mail still to be sent, never for past weeks)."""
    given = parse_start(text, timezone)
    if given is not None:
        return given
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.replace(second=0, microsecond=0) + timedelta(minutes=1)


def parse_start(text: str | None, timezone: str) -> datetime | None:
    if not text:
        return None
    value = parse_one(text, timezone)
    if value is None:
        raise ConfigError(
            f"Startzeit „{text}“ nicht lesbar; Beispiele: 2026-11-24T08:00 oder 24.11.2026 08:00."
        )
    return value
