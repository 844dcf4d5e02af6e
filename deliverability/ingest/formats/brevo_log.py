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

from deliverability.ingest import vocabulary
from deliverability.ingest.formats.csv_export import Loaded, header_sets, read_export

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


def sniff(head: str) -> bool:
    return any(names >= {"st_text", "ts", "email", "mid"} for names in header_sets(head))


def load(path: Path, timezone: str) -> Loaded:
    export = read_export(path, _COLUMNS)

    def column(name: str) -> pl.Expr:
        return export.column(name, empty=("", _NA))

    status = column("st_text")
    words = vocabulary.event_words() | STATUS_WORDS
    entries = export.rows.select(
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
        **export.width_problem(),
    )
    return export.finished(entries, NAME, timezone)
