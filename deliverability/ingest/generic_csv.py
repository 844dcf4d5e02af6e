"""Loader for the generic CSV format: the canonical schema as columns.

Accepts UTF-8 (with or without BOM) and cp1252, `,` `;` tab or `|` as delimiter, ISO 8601 or
German dates, gzip-compressed files. Every data line is either loaded or rejected with file,
line, field and a German reason; blank lines are skipped and counted.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl

from deliverability.addresses import clean_address, domain_of, normalize_domains
from deliverability.errors import InputError
from deliverability.ingest import vocabulary
from deliverability.ingest.recipients import recipient_check
from deliverability.ingest.result import FileStats
from deliverability.ingest.text import (
    delimiter_name,
    detect_delimiter,
    read_text,
)
from deliverability.ingest.timestamps import ACCEPTED_FORMATS_DE, with_timestamp
from deliverability.schema import (
    BOUNCE_TYPES,
    COLUMNS,
    DERIVED_COLUMNS,
    EVENTS,
    REJECTS_SCHEMA,
    REQUIRED_INPUT_COLUMNS,
    conform,
)
from deliverability.taxonomy import REASON_IDS
from deliverability.text_expr import format_text

FORMAT_NAME = "generic_csv"

_LINE = "__line"
#: Free-text and identifier columns are kept as written (only empty becomes null): stripping
#: copies every value, and nothing compares them with surrounding spaces.
_UNSTRIPPED = ("diagnostic", "message_id", "sender", "source")

#: German words the loader takes for events (`vocabulary.toml`), named when a value is unknown.
GERMAN_EVENT_EXAMPLES = (
    "versendet, zugestellt, zurückgestellt, unzustellbar, blockiert, verworfen, Beschwerde, "
    "abgemeldet, geöffnet, geklickt"
)


def _stripped(column: str) -> pl.Expr:
    value = pl.col(column) if column in _UNSTRIPPED else pl.col(column).str.strip_chars()
    return value.replace("", None).alias(column)


_RAW = "__raw"


def _split_records(text: str, delimiter: str, path: Path) -> tuple[list[str], pl.DataFrame]:
    """Header and one row of strings per non-blank data record, with its line number and raw text.

    Fast path: polars parses the text when every record is one line. Records spanning lines
    (quoted line breaks) or with more fields than the header go through Python's csv module,
    which knows their exact line numbers.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise InputError("Die Datei ist leer.", path=path)
    header = next(csv.reader([lines[0]], delimiter=delimiter))
    # typed: a file with only its header has no lines to infer the type from
    frame_lines = pl.DataFrame({_RAW: lines[1:]}, schema={_RAW: pl.String}).with_row_index(
        _LINE, offset=2
    )
    quotes_balanced = frame_lines.select(
        (pl.col(_RAW).str.count_matches('"', literal=True) % 2 == 0).all()
    ).item()
    fields_per_line = frame_lines.select(
        pl.col(_RAW).str.replace_all(r'"[^"]*"', "").str.count_matches(delimiter, literal=True) + 1
    ).to_series()
    widest = int(fields_per_line.max() or 0)  # type: ignore[arg-type]
    if quotes_balanced and widest <= len(header):
        try:
            parsed = pl.read_csv(
                io.BytesIO(text.encode("utf-8")),
                separator=delimiter,
                has_header=True,
                infer_schema=False,
                new_columns=[f"c{i}" for i in range(len(header))],
                raise_if_empty=False,
                quote_char='"',
            )
        except pl.exceptions.PolarsError:  # a shape polars reads otherwise: record by record
            parsed = None
        if parsed is not None and parsed.height == frame_lines.height:
            rows = pl.concat(
                [
                    parsed,
                    frame_lines.with_columns(__fields=fields_per_line),
                ],
                how="horizontal",
            )
            return header, rows
    return header, _split_records_slowly(text, delimiter, len(header))


def field_count_problem(width: int, delimiter: str | None = None) -> pl.Expr:
    """The German reason for a row of `_split_records` with another number of fields than
    the header's `width` (null when it has as many): with the delimiter, if given, and the
    usual cause, a quote left open, when the row has one."""
    said = f" (Trennzeichen: {delimiter_name(delimiter)})" if delimiter else ""
    open_quote = pl.col(_RAW).str.count_matches('"', literal=True) % 2 == 1
    return pl.when(pl.col("__fields") != width).then(
        format_text(
            f"Die Zeile hat {{}} statt {width} Felder{said}{{}}",
            pl.col("__fields"),
            pl.when(open_quote)
            .then(pl.lit("; ein Anführungszeichen wird nicht geschlossen."))
            .otherwise(pl.lit(".")),
        )
    )


class _Lines:
    """The text's lines for `csv.reader`, from a position that can be set back."""

    def __init__(self, lines: list[str]) -> None:
        self.lines, self.consumed = lines, 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.consumed >= len(self.lines):
            raise StopIteration
        self.consumed += 1
        return self.lines[self.consumed - 1]


def _split_records_slowly(text: str, delimiter: str, width: int) -> pl.DataFrame:
    """Record by record with the csv module. A record over several lines with the wrong
    number of fields is a quote left open, not a quoted line break: its first line alone is
    the record (rejected for its fields), and reading goes on with the next line, so that one
    stray quote does not swallow every following row."""
    all_lines = text.split("\n")
    ends = [line + "\n" for line in all_lines[:-1]] + ([all_lines[-1]] if all_lines[-1] else [])
    source = _Lines(ends)  # the lines as io.StringIO(text) gives them
    reader = csv.reader(source, delimiter=delimiter)
    next(reader)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    line_numbers: list[int] = []
    raws: list[str] = []
    counts: list[int] = []
    start = source.consumed + 1
    for record in reader:
        end = source.consumed
        if end > start and len(record) != width:
            end = start  # the quote left open on line `start`: that line alone
            record = next(csv.reader([all_lines[start - 1]], delimiter=delimiter), [])
            source.consumed = start  # the reader goes on from the next line
        line_numbers.append(start)
        raws.append("\n".join(all_lines[start - 1 : end]))
        counts.append(len(record) if record else 1)
        for index in range(width):
            value = record[index] if index < len(record) else None
            columns[index].append(value if value != "" else None)
        start = end + 1
    data: dict[str, list[object]] = {f"c{i}": list(col) for i, col in enumerate(columns)}
    data[_RAW] = list(raws)
    data[_LINE] = list(line_numbers)
    data["__fields"] = list(counts)
    return pl.DataFrame(
        data,
        schema={
            **{f"c{i}": pl.String for i in range(width)},
            _RAW: pl.String,
            _LINE: pl.Int64,
            "__fields": pl.Int64,
        },
    )


def _map_columns(header: list[str], path: Path) -> tuple[dict[str, str], tuple[str, ...]]:
    """Canonical column name → positional column, plus the ignored header names."""
    mapping: dict[str, str] = {}
    ignored: list[str] = []
    aliases = vocabulary.column_names()
    for index, name in enumerate(header):
        key = name.strip().strip('"').lower()
        key = key if key in COLUMNS else aliases.get(vocabulary.word_key(name), key)
        if key in COLUMNS and key not in DERIVED_COLUMNS:
            if key in mapping:  # two columns for one field: taking either could be wrong
                first = int(mapping[key][1:])
                raise InputError(
                    f"Die Spalten „{header[first]}“ (Spalte {first + 1}) und „{name}“ (Spalte "
                    f"{index + 1}) meinen beide „{key}“; welche gilt, ist nicht eindeutig. "
                    "Bitte eine davon umbenennen oder entfernen.",
                    path=path,
                    line=1,
                    field=name,
                )
            mapping[key] = f"c{index}"
        else:
            ignored.append(name)
    missing = [column for column in REQUIRED_INPUT_COLUMNS if column not in mapping]
    if missing:
        raise InputError(
            f"Pflichtspalte(n) {', '.join(missing)} fehlen. Vorhandene Spalten: "
            f"{', '.join(header) or '(keine)'}. Erwartet wird eine Kopfzeile mit den Spalten "
            f"des Ereignisschemas ({', '.join(c for c in COLUMNS if c not in DERIVED_COLUMNS)}).",
            path=path,
            line=1,
            field=missing[0],
        )
    return mapping, tuple(ignored)


def _checks(timezone: str) -> list[tuple[str, pl.Expr, pl.Expr]]:
    """(field, condition that the value is bad, German problem text) for every checked field.

    Needs the columns `__ts` (parsed time), `__domain`, `__event`, `__bounce_type`, `__reason`.
    """
    raw_ts = pl.col("timestamp")
    recipient = pl.col("recipient")
    event = pl.col("event")
    quoted = "„{}“"
    return [
        (
            "timestamp",
            raw_ts.is_null() | pl.col("__ts").is_null(),
            pl.when(raw_ts.is_null())
            .then(pl.lit("Zeitstempel fehlt."))
            .otherwise(
                format_text(
                    f"Zeitstempel {quoted} ist kein gültiger Zeitpunkt (erwartet: "
                    f"{ACCEPTED_FORMATS_DE}; Ortszeit {timezone}).",
                    raw_ts,
                )
            ),
        ),
        ("recipient", *recipient_check(recipient, pl.col("__domain"))),
        (
            "event",
            event.is_null() | ~pl.col("__event").is_in(EVENTS),
            pl.when(event.is_null())
            .then(pl.lit("Ereignis fehlt."))
            .otherwise(
                format_text(
                    f"Ereignis {quoted} ist unbekannt; erlaubt sind deutsche Wörter wie "
                    f"{GERMAN_EVENT_EXAMPLES} (alle in „Exporte laden“) oder die Kennungen des "
                    f"Schemas ({', '.join(EVENTS)}).",
                    event,
                )
            ),
        ),
        (
            "bounce_type",
            pl.col("__bounce_type").is_not_null() & ~pl.col("__bounce_type").is_in(BOUNCE_TYPES),
            format_text(
                f"Bounce-Typ {quoted} ist unbekannt; erlaubt sind: hard, soft, "
                "undetermined oder leer.",
                pl.col("bounce_type"),
            ),
        ),
        (
            "reason",
            pl.col("__reason").is_not_null() & ~pl.col("__reason").is_in(REASON_IDS),
            format_text(
                f"Grund {quoted} gehört nicht zur Grund-Taxonomie (z. B. userunknown, "
                "mailboxfull, blocked).",
                pl.col("reason"),
            ),
        ),
        (
            "smtp_code",
            pl.col("smtp_code").is_not_null()
            & ~pl.col("smtp_code").str.contains(r"^\s*[2-5]\d\d\s*$"),
            format_text(
                f"SMTP-Code {quoted} ist keine dreistellige Zahl von 200 bis 599.",
                pl.col("smtp_code"),
            ),
        ),
        (
            "status",
            pl.col("status").is_not_null()
            & ~pl.col("status").str.contains(r"^\s*[245]\.\d{1,3}\.\d{1,3}\s*$"),
            format_text(
                f"Statuscode {quoted} ist kein erweiterter Statuscode wie 5.1.1.",
                pl.col("status"),
            ),
        ),
    ]


def _problems(timezone: str) -> list[tuple[str, pl.Expr]]:
    """(field, expression giving a German problem text or null) for every checked field."""
    return [
        (name, pl.when(condition).then(message)) for name, condition, message in _checks(timezone)
    ]


def load_generic_csv(
    path: Path, *, timezone: str, source_label: str | None = None
) -> tuple[pl.DataFrame, pl.DataFrame, FileStats]:
    """Load one generic CSV file into canonical events and rejects."""
    decoded = read_text(path)
    text = decoded.text
    first_line = text.split("\n", 1)[0]
    delimiter = detect_delimiter(first_line, path)
    header, rows = _split_records(text, delimiter, path)
    mapping, ignored = _map_columns(header, path)

    blank = pl.col(_RAW).str.strip_chars().str.len_chars() == 0
    skipped_blank = rows.select(blank.sum()).item()
    rows = rows.filter(~blank)

    named = rows.select(
        pl.col(_LINE),
        pl.col(_RAW),
        pl.col("__fields"),
        *[
            (pl.col(mapping[c]) if c in mapping else pl.lit(None, dtype=pl.String)).alias(c)
            for c in COLUMNS
            if c not in DERIVED_COLUMNS
        ],
    ).with_columns(_stripped(c) for c in COLUMNS if c not in DERIVED_COLUMNS)
    named = with_timestamp(
        named.with_columns(recipient=clean_address(pl.col("recipient"))),
        "timestamp",
        timezone,
        "__ts",
    ).with_columns(
        __domain=domain_of(pl.col("recipient")),
        __event=vocabulary.event_expr(pl.col("event")),
        __bounce_type=vocabulary.bounce_type_expr(pl.col("bounce_type"), pl.col("event")),
        __reason=pl.col("reason").str.to_lowercase(),
    )
    checks = [("(Zeile)", field_count_problem(len(header), delimiter)), *_problems(timezone)]
    named = named.with_columns(
        __problem_fields=pl.concat_str(
            [pl.when(expr.is_not_null()).then(pl.lit(name)) for name, expr in checks],
            separator=", ",
            ignore_nulls=True,
        ),
        __problem_text=pl.concat_str(
            [expr for _, expr in checks], separator=" ", ignore_nulls=True
        ),
    )
    bad = pl.col("__problem_text").str.len_chars() > 0
    file_label = str(path)
    rejects = (
        named.filter(bad)
        .select(
            file=pl.lit(file_label),
            line=pl.col(_LINE).cast(pl.Int64),
            field=pl.col("__problem_fields"),
            reason=pl.col("__problem_text"),
            raw=pl.col(_RAW),
        )
        .cast(REJECTS_SCHEMA)
    )  # type: ignore[arg-type]

    good = named.filter(~bad).with_columns(
        timestamp=pl.col("__ts"),
        event=pl.col("__event"),
        bounce_type=pl.col("__bounce_type"),
        reason=pl.col("__reason"),
        smtp_code=pl.col("smtp_code").cast(pl.Int16),
        status=pl.col("status").str.strip_chars(),
        recipient_domain=pl.col("__domain"),
        source=pl.coalesce(pl.col("source"), pl.lit(source_label or FORMAT_NAME)),
        source_ref=format_text("{}:{}", pl.lit(path.name), pl.col(_LINE)),
    )
    events = conform(good.lazy()).collect()
    events = normalize_domains(events)
    stats = FileStats(
        path=file_label,
        format=FORMAT_NAME,
        encoding=decoded.encoding + (" (gzip)" if decoded.compressed else ""),
        delimiter=delimiter,
        read=rows.height,
        loaded=events.height,
        rejected=rejects.height,
        skipped_blank=skipped_blank,
        ignored_columns=ignored,
    )
    return events, rejects, stats
