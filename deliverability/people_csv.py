"""CSV files meant for people, in one of two forms.

- ``excel`` (the default): what German Excel opens by double-click — UTF-8 with byte-order
  mark, `;` between fields, decimal comma, German headers and values, times in local time as
  ``23.11.2026 14:05:00``, shares as percent; cells cannot start a formula.
- ``standard``: the machine form for scripts — RFC 4180 with `,`, `.` decimals, the English
  column names and ids, times in ISO 8601 with offset.

The headers and words come from `people_csv.toml`. Import files for target systems do not go
through here: they keep their vendor's format exactly.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import polars as pl

from deliverability.export import write_csv
from deliverability.periods import parse_week

CsvForm = Literal["excel", "standard"]
_DATA = Path(__file__).with_name("people_csv.toml")


@dataclass(frozen=True)
class TableWords:
    """The German headers and values of one kind of table."""

    columns: Mapping[str, str]
    values: Mapping[str, Mapping[str, str]]
    percent: frozenset[str]
    drop: tuple[str, ...]


@cache
def table_words(table: str | None = None) -> TableWords:
    """The words of `table` (a section of `people_csv.toml`), over the shared ones."""
    data = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    own = data.get("tables", {}).get(table, {}) if table else {}
    return TableWords(
        columns={**data["columns"], **own.get("columns", {})},
        values=own.get("values", {}),
        percent=frozenset(data["percent"]["columns"]),
        drop=tuple(own.get("drop", ())),
    )


def week_label(week: str) -> str:
    """2026-W47 → "KW 47/2026"."""
    year, number = parse_week(week)
    return f"KW {number}/{year}"


def for_excel(frame: pl.DataFrame, timezone: str, table: str | None = None) -> pl.DataFrame:
    """`frame` with German headers and values, local times and percent (the excel form)."""
    return _for_people(frame, timezone, table, as_text=True)


def for_workbook(frame: pl.DataFrame, timezone: str, table: str | None = None) -> pl.DataFrame:
    """`frame` for an Excel sheet: German headers and values as in the excel form, but
    numbers stay numbers (shares as shares, for Excel's percent format) and times become local
    times without zone (Excel has no zones)."""
    return _for_people(frame, timezone, table, as_text=False)


def _for_people(
    frame: pl.DataFrame, timezone: str, table: str | None, *, as_text: bool
) -> pl.DataFrame:
    """German headers and values; `as_text`: shares in percent and times as German text (a
    CSV file), otherwise shares and times as values (a workbook)."""
    words = table_words(table)
    frame = frame.drop([c for c in words.drop if c in frame.columns])
    changes: list[pl.Expr] = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if name in words.values:
            changes.append(column.cast(pl.String).replace(dict(words.values[name])))
        elif name == "week" and dtype == pl.String:
            changes.append(column.map_elements(week_label, return_dtype=pl.String))
        elif isinstance(dtype, pl.Datetime):
            local = column.dt.convert_time_zone(timezone) if dtype.time_zone else column
            changes.append(
                local.dt.strftime("%d.%m.%Y %H:%M:%S")
                if as_text
                else local.dt.replace_time_zone(None)
            )
        elif as_text and name in words.percent and dtype.is_numeric():
            changes.append((column.cast(pl.Float64) * 100).round(2))
        elif as_text and dtype == pl.Date:
            changes.append(column.dt.strftime("%d.%m.%Y"))
    if changes:
        frame = frame.with_columns(changes)
    return frame.rename({c: words.columns[c] for c in frame.columns if c in words.columns})


def for_scripts(frame: pl.DataFrame, timezone: str) -> pl.DataFrame:
    """`frame` in the standard form: times in ISO 8601 with the offset of `timezone`."""
    changes = [
        (pl.col(name).dt.convert_time_zone(timezone) if dtype.time_zone else pl.col(name))
        .dt.strftime("%Y-%m-%dT%H:%M:%S%:z" if dtype.time_zone else "%Y-%m-%dT%H:%M:%S")
        .alias(name)
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.Datetime)
    ]
    return frame.with_columns(changes) if changes else frame


def write_people_csv(
    frame: pl.DataFrame,
    path: Path,
    *,
    form: CsvForm = "excel",
    timezone: str,
    table: str | None = None,
) -> Path:
    """Write `frame` in `form` to `path` (atomically; formula cells neutralized)."""
    if form == "standard":
        return write_csv(for_scripts(frame, timezone), path)
    return write_csv(
        for_excel(frame, timezone, table), path, delimiter=";", bom=True, decimal_comma=True
    )
