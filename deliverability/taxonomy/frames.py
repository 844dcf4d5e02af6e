"""The reason taxonomy as polars expressions and frames (kept apart from the data loader,
so that reading one bounce mail does not import polars)."""

from __future__ import annotations

import polars as pl

from deliverability.taxonomy.reasons import reasons


def reason_attribute(
    attribute: str, reason: pl.Expr | str = "reason", default: str | None = None
) -> pl.Expr:
    """A polars expression mapping reason ids to one attribute of the taxonomy (`side` …)."""
    column = pl.col(reason) if isinstance(reason, str) else reason
    return column.replace_strict(
        {r.id: getattr(r, attribute) for r in reasons().values()}, default=default
    )


def reasons_frame() -> pl.DataFrame:
    """The taxonomy as a frame, for joins in analyses."""
    return pl.DataFrame([r.as_dict() for r in reasons().values()]).rename({"id": "reason"})
