"""Brevo (Sendinblue) transactional log export (CSV from the "Logs" page of the app).

Columns `st_text` (the status as the app shows it, in the exporting user's language),
`ts` (`dd-MM-yyyy HH:mm:ss`, the account's time), `sub` (subject), `frm` (sender), `email`
(recipient), `tag`, `mid` (message id), `link`; `NA` stands for an empty value. The status
words are read with the shared vocabulary (`ingest/vocabulary.toml`) plus Brevo's own:
"Invalid email" is a send Brevo refused (dropped), like the webhook's `invalid_email`;
"Soft bounce"/"Hard bounce" also give the bounce type. The column names and the date form
are those of a real export (as quoted in the project's issue on real exports); the status
words of the other languages are inferred.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from deliverability.errors import InputError
from deliverability.ingest import vocabulary
from deliverability.ingest.finish import finish
from deliverability.ingest.generic_csv import _split_records
from deliverability.ingest.result import FileStats
from deliverability.ingest.text import detect_delimiter, read_text
from deliverability.schema import REJECTS_SCHEMA

NAME = "brevo_log"
LABEL = "Brevo Log-Export (CSV)"
_COLUMNS = ("st_text", "ts", "email")
#: Brevo's own status words (all languages compared like the vocabulary: lower case, "-"
#: and "_" as spaces) that the shared vocabulary does not hold.
STATUS_WORDS = {
    "invalid email": "dropped",
    "ungültige e mail": "dropped",
    "e mail invalide": "dropped",
    "email non valida": "dropped",
    "email no válido": "dropped",
    "error": "dropped",
    "fehler": "dropped",
    "request": "sent",
    "requested": "sent",
    "loaded by proxy": "opened",
    "first opening": "opened",
    "erste öffnung": "opened",
}
_NA = "NA"


def _names(line: str, delimiter: str) -> list[str]:
    return [n.strip().strip('"').lstrip("\ufeff").lower() for n in line.split(delimiter)]


def sniff(head: str) -> bool:
    first = head.split("\n", 1)[0]
    names = {n for d in (",", ";", "\t") for n in _names(first, d)}
    return {"st_text", "ts", "email", "mid"} <= names


def load(path: Path, timezone: str) -> tuple[pl.DataFrame, pl.DataFrame, FileStats]:
    decoded = read_text(path)
    delimiter = detect_delimiter(decoded.text.split("\n", 1)[0], path)
    header, rows = _split_records(decoded.text, delimiter, path)
    names = [n.strip().strip('"').lstrip("\ufeff").lower() for n in header]
    missing = [n for n in _COLUMNS if n not in names]
    if missing:
        raise InputError(
            f"Spalte „{missing[0]}“ fehlt; vorhanden: {', '.join(header)}.",
            path=path,
            line=1,
            field=missing[0],
        )

    def column(name: str) -> pl.Expr:
        if name not in names:
            return pl.lit(None, dtype=pl.String)
        value = pl.col(f"c{names.index(name)}").str.strip_chars()
        return pl.when((value == "") | (value == _NA)).then(None).otherwise(value)

    blank = pl.col("__raw").str.strip_chars().str.len_chars() == 0
    skipped_blank = int(rows.select(blank.sum()).item())
    status = column("st_text")
    words = vocabulary.event_words() | STATUS_WORDS
    width = pl.col("__fields") != len(header)
    entries = rows.filter(~blank).select(
        "__line",
        "__raw",
        # dd-MM-yyyy as the export writes it, read as the German date it is
        timestamp=column("ts").str.replace(r"^(\d{1,2})-(\d{1,2})-(\d{4})", "$1.$2.$3"),
        message_id=column("mid"),
        sender=column("frm"),
        recipient=column("email"),
        event=vocabulary.translated(status, words),
        __event_raw=status,
        bounce_type=vocabulary.bounce_type_expr(pl.lit(None, dtype=pl.String), status),
        __problem=pl.when(width)
        .then(pl.format(f"Die Zeile hat {{}} statt {len(header)} Felder.", pl.col("__fields")))
        .otherwise(pl.lit("")),
        __problem_field=pl.when(width).then(pl.lit("(Zeile)")).otherwise(pl.lit("")),
    )
    return finish(
        entries,
        path=path,
        format_name=NAME,
        timezone=timezone,
        encoding=decoded.encoding,
        parse_rejects=pl.DataFrame(schema=REJECTS_SCHEMA),
        blank=skipped_blank,
        delimiter=delimiter,
    )
