"""The suppression list for people: German tables behind `notebooks/sperrliste.ipynb`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import polars as pl

from deliverability.periods import week_expr
from deliverability.suppression.exports import FORMATS, write_export
from deliverability.suppression.store import StateDir
from deliverability.taxonomy import REASON_IDS, get_reason
from deliverability.taxonomy.labels import trigger_labels
from deliverability.views import format as fmt
from deliverability.views import tables as t


def reason_label(reason: str | None) -> str:
    if reason is None:
        return ""
    if reason == "unsubscribed":
        return "Abmeldung"
    if reason == "manual":
        return "manuell"
    return get_reason(reason).label if reason in REASON_IDS else reason


def _in_week(column: str, week: str, timezone: str) -> pl.Expr:
    return week_expr(pl.col(column), timezone) == week


def key_figures(state: pl.DataFrame, week: str, timezone: str) -> pd.DataFrame:
    suppressed = state.filter(pl.col("status") == "suppressed")
    new = suppressed.filter(_in_week("suppressed_at", week, timezone))
    rows = [
        ("Gesperrte Adressen insgesamt", suppressed.height),
        (f"neu gesperrt in {fmt.week_title(week, timezone)}", new.height),
        ("davon nach Softbounces in Folge", new.filter(pl.col("trigger") == "escalated").height),
        (
            "Unter Beobachtung (Softbounces, noch nicht gesperrt)",
            state.filter(pl.col("status") == "watch").height,
        ),
        ("Wieder freigegeben", state.filter(pl.col("status") == "restored").height),
    ]
    return pd.DataFrame(
        {"Kennzahl": [r[0] for r in rows], "Anzahl": [fmt.number(r[1]) for r in rows]}
    )


def _labelled(frame: pl.DataFrame, timezone: str) -> pl.DataFrame:
    return frame.with_columns(
        when=pl.col("suppressed_at").map_elements(
            lambda v: fmt.timestamp(v, timezone) if v else "", return_dtype=pl.String
        ),
        trigger_label=pl.col("trigger").replace_strict(trigger_labels(), default=""),
        reason_label=pl.col("reason").map_elements(reason_label, return_dtype=pl.String),
    )


def new_this_week(state: pl.DataFrame, week: str, timezone: str) -> pd.DataFrame:
    rows = state.filter(
        (pl.col("status") == "suppressed") & _in_week("suppressed_at", week, timezone)
    ).sort("suppressed_at", "address")
    return t.german_table(
        _labelled(rows, timezone),
        (
            ("email", "Adresse", t.text),
            ("when", "Gesperrt am", t.text),
            ("trigger_label", "Auslöser", t.text),
            ("reason_label", "Grund", t.text),
            ("refs", "Nachweis (Datei:Zeile)", t.text),
        ),
    )


def watch_list(state: pl.DataFrame, threshold: int) -> pd.DataFrame:
    rows = state.filter(pl.col("status") == "watch").sort(
        ["soft_bounces", "address"], descending=[True, False]
    )
    return t.german_table(
        rows.with_columns(
            reason_label=pl.col("reason").map_elements(reason_label, return_dtype=pl.String),
            remaining=(threshold - pl.col("soft_bounces")).clip(lower_bound=0),
        ),
        (
            ("email", "Adresse", t.text),
            ("soft_bounces", "Softbounces in Folge", t.integer),
            ("remaining", "bis zur Sperre", t.integer),
            ("reason_label", "letzter Grund", t.text),
        ),
    )


def restores(store: StateDir, timezone: str) -> pd.DataFrame:
    history = store.history().sort("recorded_at")
    return t.german_table(
        history.with_columns(
            when=pl.col("recorded_at").map_elements(
                lambda v: fmt.timestamp(v, timezone), return_dtype=pl.String
            ),
            what=pl.col("action").replace_strict(
                {"restore": "freigegeben", "add": "manuell gesperrt"}, default=""
            ),
        ),
        (
            ("when", "Wann", t.text),
            ("what", "Was", t.text),
            ("email", "Adresse", t.text),
            ("note", "Grund", t.text),
            ("by", "Wer", t.text),
        ),
    )


def write_exports(
    store: StateDir,
    state: pl.DataFrame,
    formats: list[str],
    out_dir: Path,
    *,
    since_last: bool = False,
    excel: bool = False,
    mark: bool = True,
) -> pd.DataFrame:
    """Write one export per format into `out_dir`; a table of what was written.

    The notebook reads `formats` from its parameter with `views.notebook.words`. Without
    `mark` the exports do not count as the last ones (`since_last`): a past week's list is a
    look back, not an import.
    """
    rows = []
    for name in formats:
        now = datetime.now(UTC)
        since = store.last_exports().get(name) if since_last else None
        path, count = write_export(
            state, name, out_dir / f"sperrliste-{name}.csv", since=since, excel=excel
        )
        if mark:
            store.mark_exported(name, now)
        rows.append((FORMATS[name].title, path.name, fmt.number(count)))
    return pd.DataFrame(rows, columns=["Zielsystem", "Datei", "Adressen"])
