"""Helpers shared by the JSON formats."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl


def lookup(column: pl.Expr, mapping: Mapping[str, str | None]) -> pl.Expr:
    """Map text values (case-insensitive); values not in the mapping become null."""
    lowered = {key.lower(): value for key, value in mapping.items()}
    return (
        column.cast(pl.String)
        .str.to_lowercase()
        .replace_strict(lowered, default=None, return_dtype=pl.String)
    )


def truthy(column: pl.Expr) -> pl.Expr:
    """JSON booleans read as text: true/1/yes → True."""
    return column.cast(pl.String).str.to_lowercase().is_in(["true", "1", "yes"])


def epoch_seconds_text(column: pl.Expr) -> pl.Expr:
    """A Unix time given as a number (seconds or milliseconds, possibly with a fraction) as
    text; the timestamp parser reads 10 or 13 digits with an optional fraction."""
    return column.cast(pl.String)
