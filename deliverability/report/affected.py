"""The addresses behind a finding of the report: which mails, to whom, with which reply."""

from __future__ import annotations

import polars as pl

from deliverability.views import format as fmt

#: The columns of an affected-addresses table, one row per address.
AFFECTED_COLUMNS = (
    "recipient", "recipient_domain", "sender", "messages", "day", "outcome", "reason",
    "diagnostic",
)  # fmt: skip
#: So many addresses are named in the report's text; all are in the CSV and the workbook.
NAMED = 5


def affected_addresses(messages: pl.DataFrame, week: str, predicate: pl.Expr) -> pl.DataFrame:
    """Per address (lower case): the week's messages that match `predicate`, the first day,
    and the latest outcome, reason and server reply."""
    return (
        messages.lazy()
        .filter((pl.col("week") == week) & predicate)
        .sort("first_ts")
        .group_by(pl.col("recipient").str.to_lowercase())
        .agg(
            recipient_domain=pl.col("recipient_domain").first(),
            sender=pl.col("sender").drop_nulls().last(),
            messages=pl.len().cast(pl.Int64),
            day=pl.col("day").min(),
            outcome=pl.col("outcome").cast(pl.String).last(),
            reason=pl.col("reason").drop_nulls().last(),
            diagnostic=pl.col("diagnostic").drop_nulls().last(),
        )
        .sort("recipient_domain", "recipient")
        .select(AFFECTED_COLUMNS)
        .collect()
    )


def _counted(count: int, one: str, many: str) -> str:
    return f"{fmt.number(count)} {one if count == 1 else many}"


def affected_summary(affected: pl.DataFrame, listed_in: str) -> str:
    """One German sentence: how many addresses at how many domains, the first few by name,
    and where the whole list is."""
    if affected.is_empty():
        return ""
    domains = affected.get_column("recipient_domain").n_unique()
    named = affected.get_column("recipient").head(NAMED).to_list()
    rest = affected.height - len(named)
    examples = ", ".join(named) + (f" und {fmt.number(rest)} weitere" if rest else "")
    return (
        f"{_counted(affected.height, 'Adresse', 'Adressen')} bei "
        f"{_counted(domains, 'Domain', 'Domains')}: {examples}. Die vollständige Liste steht "
        f"in {listed_in}."
    )
