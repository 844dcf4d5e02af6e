"""The words of generic CSV exports for events, bounce types and columns (`vocabulary.toml`)."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

import polars as pl

_FILE = Path(__file__).with_name("vocabulary.toml")
_SEPARATORS = re.compile(r"[\s_-]+")


def word_key(text: str) -> str:
    """A word as the vocabulary compares it: lower case, spaces, "-" and "_" as one space."""
    return _SEPARATORS.sub(" ", text.strip().strip('"').lower()).strip()


@cache
def _tables() -> dict[str, dict[str, str]]:
    with _FILE.open("rb") as handle:
        raw = tomllib.load(handle)
    return {name: {word_key(k): v for k, v in table.items()} for name, table in raw.items()}


def event_words() -> dict[str, str]:
    return _tables()["events"]


def bounce_type_words() -> dict[str, str]:
    return _tables()["bounce_types"]


def column_names() -> dict[str, str]:
    return _tables()["columns"]


def _keyed(column: pl.Expr) -> pl.Expr:
    return column.str.to_lowercase().str.replace_all(r"[\s_-]+", " ").str.strip_chars()


def translated(column: pl.Expr, words: dict[str, str]) -> pl.Expr:
    """The canonical name of each value: the vocabulary's word, else the value in lower case."""
    key = _keyed(column)
    return key.replace_strict(words, default=column.str.to_lowercase(), return_dtype=pl.String)


def event_expr(event: pl.Expr) -> pl.Expr:
    return translated(event, event_words())


def bounce_type_expr(bounce_type: pl.Expr, event: pl.Expr) -> pl.Expr:
    """The bounce type as written, else the one the event word says ("Hardbounce")."""
    implied = _keyed(event).replace_strict(
        _tables()["event_bounce_types"], default=None, return_dtype=pl.String
    )
    return pl.coalesce(translated(bounce_type, bounce_type_words()), implied)
