"""The weekly report as an Excel workbook: one sheet per table, numbers as numbers.

Written with XlsxWriter through polars' `write_excel`: German headers (`people_csv.toml`),
shares as percent and counts with thousands separators in Excel's own number formats (Excel
shows them with the reader's decimal comma), a frozen header row, an autofilter and fitted
column widths on every sheet, times in local time.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from deliverability.people_csv import for_workbook, table_words
from deliverability.report.findings import SEVERITY_LABELS
from deliverability.report.weekly import (
    KEY_FIGURES,
    WeeklyReport,
    affected_table,
    findings,
    pending_domains,
    reasons_labelled,
    suppression_reason_label,
)
from deliverability.report.xlsx import save_sheets, write_sheets
from deliverability.taxonomy.labels import status_labels, trigger_labels
from deliverability.views.funnel import PATTERNS as PENDING_PATTERNS

WORKBOOK_FILE = "wochenbericht.xlsx"


def _rates_sheet(frame: pl.DataFrame, group: str, timezone: str) -> pl.DataFrame:
    keep = [c for c in frame.columns if c in table_words().columns and c != "week"]
    return for_workbook(frame.select(group, *[c for c in keep if c != group]), timezone)


def _reasons_sheet(report: WeeklyReport) -> pl.DataFrame:
    frame = reasons_labelled(report)
    columns = {
        "label": "Grund",
        "side": "Ursache liegt bei",
        "messages": "Mails",
        "hard": "davon Hardbounces",
        "soft": "davon Softbounces",
        "blocked": "vom System blockiert",
        "example_ref": "Beispiel (Datei:Zeile)",
    }
    return frame.select([c for c in columns if c in frame.columns]).rename(columns)


def _affected_sheet(report: WeeklyReport) -> pl.DataFrame:
    """The addresses behind the findings, with the finding they belong to."""
    return for_workbook(affected_table(report), report.timezone, "affected")


def _findings_sheet(report: WeeklyReport) -> pl.DataFrame:
    items = findings(report)
    return pl.DataFrame(
        {
            "Dringlichkeit": [SEVERITY_LABELS[f.severity] for f in items],
            "Auffälligkeit": [f.title for f in items],
            "Was": [f.what for f in items],
            "Bedeutung": [f.meaning for f in items],
            "Nächster Schritt": [f.action for f in items],
        },
        schema={
            c: pl.String
            for c in ("Dringlichkeit", "Auffälligkeit", "Was", "Bedeutung", "Nächster Schritt")
        },
    )


#: The suppression state's columns on the sheets of new suppressions and the watch list.
SUPPRESSION_COLUMNS = {
    "email": "Adresse",
    "status": "Status",
    "trigger": "Auslöser",
    "reason": "Grund",
    "suppressed_at": "gesperrt am",
    "soft_bounces": "Softbounces",
    "events": "Ereignisse",
    "last_event": "letztes Ereignis",
    "source": "Quelle",
}


def _suppression_sheet(state: pl.DataFrame, timezone: str) -> pl.DataFrame:
    frame = state.select(list(SUPPRESSION_COLUMNS)).with_columns(
        pl.col("trigger").replace_strict(trigger_labels(), default=pl.col("trigger")),
        pl.col("status").replace_strict(status_labels(), default=pl.col("status")),
        pl.col("reason").map_elements(suppression_reason_label, return_dtype=pl.String),
    )
    return for_workbook(frame.rename(SUPPRESSION_COLUMNS), timezone)


def _trend_sheet(report: WeeklyReport) -> pl.DataFrame:
    """The twelve weeks per provider, newest week first."""
    frame = report.trend.select(
        "week", "provider", "sent", "delivered", "bounces", "complaints", "bounce_rate",
        "complaint_rate",
    ).sort(["week", "sent"], descending=[True, True])  # fmt: skip
    return for_workbook(frame, report.timezone)


def _pending_sheet(report: WeeklyReport) -> pl.DataFrame:
    """Domains with mail of the week still without a result."""
    frame = pending_domains(report).select(
        "recipient_domain", "messages", "pending", "share", "pattern"
    )
    return frame.with_columns(
        pl.col("pattern").replace_strict(PENDING_PATTERNS, default=pl.col("pattern"))
    ).rename(
        {
            "recipient_domain": "Domain",
            "messages": "Mails",
            "pending": "ohne Ergebnis",
            "share": "Anteil ohne Ergebnis (%)",
            "pattern": "Muster",
        }
    )


def _key_figures_sheet(report: WeeklyReport) -> pl.DataFrame:
    """One row per key figure: this week and the week before (shares in percent)."""
    words = table_words()
    rows = []
    for column, _label, kind in KEY_FIGURES:
        factor = 100 if kind == "share" else 1
        now, before = report.figure(column), report.figure(column, previous=True)
        rows.append(
            (
                words.columns[column],
                None if now is None else round(now * factor, 2),
                None if before is None else round(before * factor, 2),
            )
        )
    return pl.DataFrame(
        rows,
        schema={
            "Kennzahl": pl.String,
            f"KW {report.week[-2:]}": pl.Float64,
            f"KW {report.previous[-2:]}": pl.Float64,
        },
        orient="row",
    )


def workbook_sheets(report: WeeklyReport) -> dict[str, pl.DataFrame]:
    """The workbook's sheets in order: name → table (German headers, numbers as numbers)."""
    watch = report.suppression_state.filter(pl.col("status") == "watch")
    return {
        "Kennzahlen": _key_figures_sheet(report),
        "Anbieter": _rates_sheet(report.providers, "provider", report.timezone),
        "Domains": _rates_sheet(report.domains, "recipient_domain", report.timezone),
        "Gründe": _reasons_sheet(report),
        "Auffälligkeiten": _findings_sheet(report),
        "Betroffene Adressen": _affected_sheet(report),
        "Neue Sperren": _suppression_sheet(report.new_suppressions, report.timezone),
        "Unter Beobachtung": _suppression_sheet(watch, report.timezone),
        "Ohne Ergebnis": _pending_sheet(report),
        "Trend": _trend_sheet(report),
        "Abgelehnte Zeilen": for_workbook(report.load.rejects, report.timezone),
    }


def write_workbook(report: WeeklyReport, path: Path) -> Path:
    """Write the report's tables as one workbook to `path` (atomically)."""
    return write_sheets(workbook_sheets(report), path)


def hand_over_sheets(report: WeeklyReport, folder: Path, target: Path) -> Path:
    """Leave the workbook's tables in `folder` for `xlsx.py` run as its own process, which
    writes them to `target` (the scheduled report, while the notebook goes on)."""
    return save_sheets(workbook_sheets(report), folder, target)
