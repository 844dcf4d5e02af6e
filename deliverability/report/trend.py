"""The last twelve weeks per provider: sent mails, bounce rate and complaint rate.

The weeks come from the inputs and, with a state folder, from the weekly counts it keeps
(`StateDir.weekly_counts`): weekly runs on weekly exports build a quarter's trend.
"""

from __future__ import annotations

import polars as pl

from deliverability.periods import previous_week
from deliverability.rates import with_rates

#: Weeks the trend shows, the report's week last.
TREND_WEEKS = 12
#: The counts kept per week and provider; the rates follow from them (`rates.with_rates`).
TREND_COUNTS = ("sent", "delivered", "hard", "soft", "undetermined", "complaints")
TREND_SCHEMA = {"week": pl.String, "provider": pl.String} | dict.fromkeys(TREND_COUNTS, pl.Int64)


def trend_weeks(week: str, count: int = TREND_WEEKS) -> list[str]:
    """`count` weeks up to and including `week`, oldest first."""
    weeks = [week]
    while len(weeks) < count:
        weeks.append(previous_week(weeks[-1]))
    return weeks[::-1]


def weekly_counts(messages: pl.LazyFrame, weeks: list[str]) -> pl.DataFrame:
    """The trend's counts per week and provider of the messages in `weeks`."""
    return (
        messages.filter(pl.col("week").is_in(weeks))
        .group_by("week", "provider")
        .agg(
            sent=pl.col("sent").sum(),
            delivered=(pl.col("outcome") == "delivered").sum(),
            hard=(pl.col("outcome") == "hard").sum(),
            soft=(pl.col("outcome") == "soft").sum(),
            undetermined=(pl.col("outcome") == "undetermined").sum(),
            complaints=pl.col("complained").sum(),
        )
        .cast(TREND_SCHEMA)  # type: ignore[arg-type]
        .collect()
    )


def added_counts(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """The weekly counts of message tables that share no message, added up."""
    return (
        pl.concat(parts)
        .group_by("week", "provider")
        .agg(pl.col(TREND_COUNTS).sum())
        .cast(TREND_SCHEMA)  # type: ignore[arg-type]
    )


def merge_counts(stored: pl.DataFrame, fresh: pl.DataFrame) -> pl.DataFrame:
    """Stored weekly counts with the fresh ones: a week in `fresh` replaces that week."""
    kept = stored.cast(TREND_SCHEMA).filter(  # type: ignore[arg-type]
        ~pl.col("week").is_in(fresh.get_column("week").unique().implode())
    )
    return pl.concat([kept, fresh.select(list(TREND_SCHEMA))]).sort("week", "provider")


def provider_trend(counts: pl.DataFrame, week: str) -> pl.DataFrame:
    """Per week (of the twelve up to `week`) and provider: the counts with their rates."""
    weeks = trend_weeks(week)
    return (
        with_rates(counts.lazy().filter(pl.col("week").is_in(weeks)))
        .sort("week", "provider")
        .collect()
    )


def providers_by_volume(trend: pl.DataFrame) -> list[str]:
    """The trend's providers, most mail over the weeks first (then by name)."""
    volume = trend.group_by("provider").agg(pl.col("sent").sum())
    return (
        volume.sort(["sent", "provider"], descending=[True, False]).get_column("provider").to_list()
    )
