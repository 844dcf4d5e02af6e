"""Display tables and a chart of an address check (German labels, pandas at the edge)."""

from __future__ import annotations

import pandas as pd
import polars as pl
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from deliverability.taxonomy.providers import other_provider
from deliverability.validate.codes import INVALID, OK, RISKY, UNKNOWN
from deliverability.validate.job import ValidationRun
from deliverability.views import format as fmt
from deliverability.views.tables import german_table, integer, share, text

#: status → German label, in the order tables and charts show them
STATUS_LABELS = {OK: "in Ordnung", RISKY: "riskant", INVALID: "ungültig", UNKNOWN: "unklar (DNS)"}
STATUS_COLORS = {OK: "#27ae60", RISKY: "#e67e22", INVALID: "#c0392b", UNKNOWN: "#7f8c8d"}


def _status_label(value: object) -> str:
    return STATUS_LABELS.get(str(value), str(value))


def key_figures(run: ValidationRun) -> pd.DataFrame:
    """Addresses per status with their share, the domains and what goes into the import."""
    total = run.results.height
    rows: list[tuple[str, int, float | None]] = [("Adressen gelesen", total, None)]
    for status, label in STATUS_LABELS.items():
        count = run.count(status)
        rows.append((f"davon {label}", count, count / total if total else None))
    domains = run.results.get_column("domain").drop_nulls().n_unique()
    suggestions = run.results.get_column("suggestion").drop_nulls().len()
    clean = run.files.clean_rows
    rows += [
        ("verschiedene Domains", domains, None),
        ("mit Korrekturvorschlag", suggestions, suggestions / total if total else None),
        ("in der Importdatei (clean.csv)", clean, clean / total if total else None),
    ]
    return pd.DataFrame(
        {
            "Kennzahl": [name for name, _, _ in rows],
            "Adressen": [fmt.number(count) for _, count, _ in rows],
            "Anteil": ["" if part is None else fmt.percent(part) for _, _, part in rows],
        }
    )


def reasons(results: pl.DataFrame) -> pd.DataFrame:
    """Addresses per reason (the reason that decides the status), most frequent first."""
    total = max(results.height, 1)
    frame = (
        results.group_by("status", "reason", "reason_text")
        .agg(addresses=pl.len())
        .with_columns(part=pl.col("addresses") / total)
        .sort(["addresses", "reason"], descending=[True, False])
    )
    return german_table(
        frame,
        [
            ("status", "Status", _status_label),
            ("reason", "Grund (Code)", text),
            ("reason_text", "Erklärung", text),
            ("addresses", "Adressen", integer),
            ("part", "Anteil", share),
        ],
    )


def by_provider(results: pl.DataFrame, limit: int = 12) -> pl.DataFrame:
    """Addresses per mailbox provider and status; small and unknown providers as one group."""
    other = other_provider()
    grouped = results.with_columns(provider=pl.coalesce(pl.col("provider"), pl.lit(other)))
    top = (
        grouped.group_by("provider")
        .len()
        .filter(pl.col("provider") != other)
        .sort(["len", "provider"], descending=[True, False])
        .head(limit)
        .get_column("provider")
    )
    grouped = grouped.with_columns(
        provider=pl.when(pl.col("provider").is_in(top.implode()))
        .then(pl.col("provider"))
        .otherwise(pl.lit(other))
    )
    counts = [(pl.col("status") == status).sum().alias(status) for status in STATUS_LABELS]
    return (
        grouped.group_by("provider")
        .agg(pl.len().alias("addresses"), *counts)
        .sort(
            [pl.col("provider") == other, "addresses", "provider"],
            descending=[False, True, False],
        )
    )


def providers_table(results: pl.DataFrame, limit: int = 12) -> pd.DataFrame:
    frame = by_provider(results, limit)
    return german_table(
        frame,
        [("provider", "Anbieter", text), ("addresses", "Adressen", integer)]
        + [(status, label, integer) for status, label in STATUS_LABELS.items()],
    )


def _with_originals(run: ValidationRun) -> pl.DataFrame:
    return run.results.with_columns(
        original=pl.Series(run.addresses.emails, dtype=pl.String),
        line=pl.int_range(2, run.results.height + 2),
    )


def suggestions(run: ValidationRun, limit: int = 50) -> pd.DataFrame:
    """Addresses with a suggested correction (never applied without the option)."""
    frame = _with_originals(run).filter(pl.col("suggestion").is_not_null()).head(limit)
    return german_table(
        frame,
        [
            ("line", "Zeile", integer),
            ("original", "Adresse in der Liste", text),
            ("suggestion", "Vorschlag", text),
            ("status", "Status", _status_label),
            ("reason_text", "Grund", text),
        ],
    )


def held_back(
    run: ValidationRun, include_risky: bool = False, limit: int | None = 50
) -> pd.DataFrame:
    """The first `limit` (None: all) held-back addresses with the line of the input file
    and the reason."""
    allowed = [OK, RISKY] if include_risky else [OK]
    frame = _with_originals(run).filter(~pl.col("status").is_in(allowed))
    frame = frame if limit is None else frame.head(limit)
    return german_table(
        frame,
        [
            ("line", "Zeile", integer),
            ("original", "Adresse in der Liste", text),
            ("status", "Status", _status_label),
            ("reason_text", "Grund", text),
            ("flags", "alle Befunde", text),
        ],
    )


def provider_chart(results: pl.DataFrame, limit: int = 12) -> Figure:
    """Stacked horizontal bars: addresses per provider, coloured by status."""
    frame = by_provider(results, limit).reverse()
    labels = frame.get_column("provider").to_list()
    figure = Figure(figsize=(10, 0.45 * max(len(labels), 1) + 1.5))
    axis = figure.subplots()
    left = [0] * len(labels)
    for status, label in STATUS_LABELS.items():
        values = frame.get_column(status).to_list()
        axis.barh(labels, values, left=left, color=STATUS_COLORS[status], label=label)
        left = [a + b for a, b in zip(left, values, strict=True)]
    axis.xaxis.set_major_formatter(FuncFormatter(lambda value, _: fmt.number(value)))
    axis.set_xlabel("Adressen")
    axis.set_title("Adressen nach Anbieter und Ergebnis der Prüfung")
    axis.legend(loc="lower right")
    figure.tight_layout()
    return figure
