"""Display tables: German column names and formatted values (pandas at the display edge)."""

from __future__ import annotations

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


def to_html(table: pd.DataFrame) -> str:
    """HTML of a display table without the index, numbers right-aligned."""
    return table.to_html(index=False, escape=True, border=0, classes="tabelle", na_rep="–")
