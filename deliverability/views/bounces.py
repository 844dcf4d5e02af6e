"""German display tables and the CSV export for the bounce-mail notebook."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import polars as pl

from deliverability.addresses import domain_of
from deliverability.bounces.summary import (
    BounceMailbox,
    failures_of,
    not_bounces,
    providers,
    reasons,
)
from deliverability.bounces.summary import overview as overview_frame
from deliverability.bounces.summary import top_diagnostics as diagnostics_frame
from deliverability.bounces.verdict import VERDICT_FIELDS
from deliverability.export import write_csv
from deliverability.views.tables import german_table, integer, share, text


def overview_table(box: BounceMailbox) -> pd.DataFrame:
    return german_table(
        overview_frame(box), [("figure", "Kennzahl", text), ("value", "Anzahl", integer)]
    )


def reasons_table(box: BounceMailbox) -> pd.DataFrame:
    return german_table(
        reasons(box),
        [
            ("label", "Grund", text),
            ("reason", "Kennung", text),
            ("recipients", "Empfänger", integer),
            ("share", "Anteil", share),
            ("hard", "hart", integer),
            ("soft", "weich", integer),
            ("suppress", "zu sperren", integer),
        ],
    )


def providers_table(box: BounceMailbox) -> pd.DataFrame:
    return german_table(
        providers(box),
        [
            ("provider", "Anbieter", text),
            ("recipients", "Empfänger", integer),
            ("hard", "hart", integer),
            ("soft", "weich", integer),
            ("suppress", "zu sperren", integer),
            ("top_reason", "häufigster Grund", text),
        ],
    )


def diagnostics_table(box: BounceMailbox, limit: int = 15) -> pd.DataFrame:
    return german_table(
        diagnostics_frame(box, limit),
        [
            ("message", "Serverantwort (Adressen, IPs und IDs ausgeblendet)", text),
            ("recipients", "Empfänger", integer),
            ("domains", "Domains", integer),
            ("label", "Grund", text),
        ],
    )


def details_table(box: BounceMailbox, limit: int | None = 200) -> pd.DataFrame:
    """One row per failed recipient with the rule that decided its verdict (first `limit`,
    None: all)."""
    failures = failures_of(box)
    frame = (failures if limit is None else failures.head(limit)).with_columns(
        mail=pl.col("file").str.split("/").list.last(),
        domain=domain_of(pl.col("recipient")),
        suppress=pl.when(pl.col("suppress")).then(pl.lit("ja")).otherwise(pl.lit("nein")),
        bounce_type=pl.col("bounce_type").replace({"hard": "hart", "soft": "weich"}),
    )
    return german_table(
        frame,
        [
            ("mail", "Mail", text),
            ("recipient", "Empfänger", text),
            ("domain", "Domain", text),
            ("german_label", "Grund", text),
            ("bounce_type", "hart/weich", text),
            ("suppress", "sperren", text),
            ("status", "Status", text),
            ("rule", "Entschieden durch Regel", text),
            ("diagnostic", "Serverantwort", text),
        ],
    )


_KIND = {"keine-bounce": "keine Bounce-Mail", "delivered": "Zustellbestätigung"}


def not_bounces_table(box: BounceMailbox) -> pd.DataFrame:
    frame = not_bounces(box).with_columns(pl.col("kind").replace(_KIND))
    return german_table(
        frame, [("file", "Mail", text), ("kind", "Art", text), ("note", "Warum", text)]
    )


def write_verdicts_csv(box: BounceMailbox, path: Path) -> Path:
    """All verdicts as CSV (the columns of `deliverability classify --format csv`), Excel-safe."""
    frame = box.verdicts.select(VERDICT_FIELDS).with_columns(
        pl.col("suppress").cast(pl.String).str.to_lowercase()
    )
    return write_csv(frame, Path(path))
