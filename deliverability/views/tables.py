"""Display tables: German column names and formatted values (pandas at the display edge)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import polars as pl

from deliverability.views import format as fmt

Column = tuple[str, str, Callable[[Any], str]]


def german_table(frame: pl.DataFrame, columns: Sequence[Column]) -> pd.DataFrame:
    """Select and rename columns, formatting each value with its German formatter."""
    data = {
        title: [formatter(value) for value in frame.get_column(source).to_list()]
        for source, title, formatter in columns
    }
    return pd.DataFrame(data)


def text(value: Any) -> str:
    return "" if value is None else str(value)


def integer(value: Any) -> str:
    return fmt.number(value)


def share(value: Any) -> str:
    return fmt.percent(value)


def share_change(value: Any) -> str:
    return fmt.points(value)


#: A value as `views.format` writes numbers, shares, changes and counts ("1.234", "−5,6 Pp.",
#: "95,8 %", "+265"), and as it writes days and times ("17.11.2026", "17.11.2026 12:06").
_NUMBER = re.compile(r"[+−-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?(?: %| Pp\.)?")
_DATE = re.compile(r"\d{2}\.\d{2}\.\d{4}(?: \d{2}:\d{2}(?::\d{2})?)?")
#: Cells that hold no value.
_EMPTY = {"", "–"}
#: Tables with this many columns take the page's whole width in print (class "breit").
WIDE = 6


def column_kind(values: Sequence[object]) -> str:
    """ "zahl" for a column of numbers, "datum" for one of days or times, "text" otherwise:
    numbers and dates are right-aligned and never wrap, text is left-aligned."""
    cells = [cell for cell in map(_cell, values) if cell not in _EMPTY]
    if not cells:
        return "zahl"
    if all(_NUMBER.fullmatch(cell) for cell in cells):
        return "zahl"
    if all(_DATE.fullmatch(cell) for cell in cells):
        return "datum"
    return "text"


def to_html(table: pd.DataFrame) -> str:
    """HTML of a display table without the index; each cell carries its column's kind
    (`column_kind`) as class, for alignment and line breaks in the report's stylesheet."""
    kinds = [column_kind(table[column].tolist()) for column in table.columns]
    head = "".join(
        f'<th class="{kind}">{html.escape(str(column))}</th>'
        for column, kind in zip(table.columns, kinds, strict=True)
    )
    rows = [
        "<tr>"
        + "".join(
            f'<td class="{kind}">{html.escape(_cell(value))}</td>'
            for value, kind in zip(row, kinds, strict=True)
        )
        + "</tr>"
        for row in table.itertuples(index=False, name=None)
    ]
    wide = " breit" if len(kinds) >= WIDE else ""
    return (
        f'<table class="tabelle{wide}">\n<thead><tr>'
        + head
        + "</tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>"
    )


def _cell(value: object) -> str:
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return "–"
    return str(value)
