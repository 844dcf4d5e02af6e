"""Suppression exports in the import format of each target system.

Each format is a row of `FORMATS`: the columns with their header names, whether a header is
written, and where the format is documented. `[V]` verified in the vendor's documentation,
`[U]` not confirmed by the vendor (each row names its source); the documentation (Sperrliste) says
which is which. Every export writes only suppressed addresses, atomically.

Formula neutralisation (a `'` before a cell that starts with `=`, `+`, `-`, `@`) belongs to
files people open: the project's own `generic` format and every export written `--excel`.
The target systems' import files carry each address exactly as it is, because the system
would otherwise suppress `'+49123@gmx.de` instead of `+49123@gmx.de`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from deliverability.errors import ConfigError
from deliverability.export import write_csv

_ISO = "%Y-%m-%dT%H:%M:%SZ"
#: The one format meant to be read by people as well as machines.
FOR_PEOPLE = "generic"


@dataclass(frozen=True)
class ExportFormat:
    name: str
    title: str
    columns: tuple[tuple[str, Callable[[], pl.Expr]], ...]  # header name, value
    header: bool
    source: str
    #: rows of the state to export (default: all suppressed addresses)
    keep: Callable[[], pl.Expr] = lambda: pl.lit(True)


def _email() -> pl.Expr:
    return pl.col("email")


def _generic_reason() -> pl.Expr:
    return pl.coalesce(pl.col("reason"), pl.col("trigger"))


def _ses_reason() -> pl.Expr:
    return (
        pl.when(pl.col("trigger") == "complaint")
        .then(pl.lit("COMPLAINT"))
        .otherwise(pl.lit("BOUNCE"))
    )


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "generic",
            "Allgemein",
            (
                ("email", _email),
                ("status", lambda: pl.col("status")),
                ("reason", _generic_reason),
                ("bounce_type", lambda: pl.col("bounce_type")),
                ("first_seen", lambda: pl.col("first_event").dt.strftime(_ISO)),
                ("last_seen", lambda: pl.col("last_event").dt.strftime(_ISO)),
                ("events", lambda: pl.col("events")),
                ("source", lambda: pl.col("source")),
            ),
            True,
            "Projektformat (Dokumentation: Sperrliste); Zeiten ISO 8601 UTC",
        ),
        ExportFormat(
            "mailjet",
            "Mailjet (Ausschlussliste)",
            (("email", _email),),
            True,
            "[V] Mailjet Campaign Exclusion List: nur die Adressen werden gelesen",
        ),
        ExportFormat(
            "sendgrid",
            "SendGrid (Global Unsubscribes)",
            (("email", _email),),
            True,
            "[U] Kopfzeile „email“ verbreitet, in der SendGrid-Doku nicht bestätigt",
        ),
        ExportFormat(
            "brevo",
            "Brevo (Blockliste)",
            (("EMAIL", _email),),
            True,
            "[V] Brevo: Spalte dem Attribut EMAIL zuordnen, „Blocklist the imported contacts“",
        ),
        ExportFormat(
            "mailchimp",
            "Mailchimp (Status cleaned/unsubscribed)",
            (("Email Address", _email),),
            True,
            "[U] Mailchimp-Import mit Status beim Import; Spaltenname wie im Mailchimp-Export",
        ),
        ExportFormat(
            "hubspot",
            "HubSpot (Opt-out-Liste)",
            (("Email", _email),),
            True,
            "[V] HubSpot „Import an opt-out list“: Spalte Email",
        ),
        ExportFormat(
            "zoho_crm",
            "Zoho CRM (Email Opt Out)",
            (("Email", _email), ("Email Opt Out", lambda: pl.lit("true"))),
            True,
            "[U] kein Sperrlisten-Import dokumentiert; Kontakt-Update mit dem Feld Email Opt Out",
        ),
        ExportFormat(
            "ses",
            "Amazon SES (Massenimport, account-level suppression list)",
            (("email", _email), ("reason", _ses_reason)),
            False,
            "[V] SES CreateImportJob CSV: ohne Kopfzeile, email,BOUNCE|COMPLAINT; "
            "Abmeldungen gehören nicht auf die SES-Liste",
            keep=lambda: pl.col("trigger") != "unsubscribe",
        ),
        ExportFormat(
            "zendesk_sell",
            "Zendesk Sell",
            (("email", _email),),
            True,
            "[U] kein Importformat für Sperrlisten gefunden; eine Spalte email",
        ),
    )
}


def export_frame(state: pl.DataFrame, fmt: str, since: datetime | None = None) -> pl.DataFrame:
    """The rows and columns of one export format (suppressed addresses only)."""
    if fmt not in FORMATS:
        raise ConfigError(f"Unbekanntes Exportformat „{fmt}“. Möglich sind: {', '.join(FORMATS)}.")
    spec = FORMATS[fmt]
    rows = state.filter((pl.col("status") == "suppressed") & spec.keep())
    if since is not None:
        rows = rows.filter(pl.col("suppressed_at") > since)
    return rows.sort("suppressed_at", "address").select(
        [value().cast(pl.String).alias(title) for title, value in spec.columns]
    )


def write_export(
    state: pl.DataFrame,
    fmt: str,
    path: Path,
    *,
    since: datetime | None = None,
    excel: bool = False,
) -> tuple[Path, int]:
    """Write one export atomically; `excel`: `;` and UTF-8 with BOM for German Excel.
    Formulas are neutralised in `generic` and `excel` files only (module docstring)."""
    frame = export_frame(state, fmt, since)
    written = write_csv(
        frame,
        Path(path),
        delimiter=";" if excel else ",",
        bom=excel,
        header=FORMATS[fmt].header,
        excel_safe=excel or fmt == FOR_PEOPLE,
    )
    return written, frame.height
