"""Mailbox providers by recipient domain (static map, v1)."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import polars as pl

_DATA = Path(__file__).with_name("providers.toml")


@cache
def _load() -> tuple[dict[str, str], str]:
    with _DATA.open("rb") as handle:
        raw = tomllib.load(handle)
    other = raw.pop("other")
    mapping = {domain: entry["name"] for entry in raw.values() for domain in entry["domains"]}
    return mapping, other


def provider_map() -> dict[str, str]:
    """Recipient domain → provider name."""
    return dict(_load()[0])


def other_provider() -> str:
    """The name used for domains the map does not know."""
    return _load()[1]


def provider_expr(domain: pl.Expr | str = "recipient_domain") -> pl.Expr:
    """A polars expression mapping a domain column to its provider name."""
    column = pl.col(domain) if isinstance(domain, str) else domain
    mapping, other = _load()
    return column.replace_strict(mapping, default=other, return_dtype=pl.String)
