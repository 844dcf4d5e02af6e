"""`deliverability rates`: per-domain or per-provider rates of one week as CSV."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from deliverability.export import write_csv
from deliverability.periods import previous_week
from deliverability.report import format as fmt
from deliverability.report.weekly import resolve_week
from deliverability.spark.session import check_engine

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

GROUPS = {"domain": "recipient_domain", "provider": "provider"}


def polars_rates(messages: pl.DataFrame, by: str, week: str) -> pl.DataFrame:
    """The rates of `week` per group from the polars message table."""
    from deliverability.rates import weekly_rates

    return weekly_rates(messages.lazy(), GROUPS[by], week, previous_week(week)).collect()  # type: ignore[arg-type]


def spark_weeks(messages: DataFrame) -> pl.DataFrame:
    """The weeks present in a Spark message table (for `resolve_week`)."""
    return pl.DataFrame({"week": [row[0] for row in messages.select("week").distinct().collect()]})


def spark_rates(messages: DataFrame, by: str, week: str) -> pl.DataFrame:
    """The rates of `week` per group, computed on Spark, as a polars frame."""
    from deliverability.spark import rates
    from deliverability.spark.frames import collect

    return collect(rates.weekly_rates(messages, GROUPS[by], week, previous_week(week)))


def write_rates(table: pl.DataFrame, by: str, week: str, target: Path, timezone: str) -> None:
    """Write the rates CSV (week, group, counts, rates) and say so."""
    table = (
        table.rename({GROUPS[by]: by})
        .with_columns(week=pl.lit(week))
        .select("week", by, *[c for c in table.columns if c != GROUPS[by]])
    )
    write_csv(table, target)
    print(
        f"{fmt.number(table.height)} Zeilen ({'Domains' if by == 'domain' else 'Anbieter'}) für "
        f"{fmt.week_title(week, timezone)} in {target}; sortiert nach der Untergrenze des "
        "95-%-Intervalls der Bounce-Rate."
    )


def run_rates(
    inputs: list[str],
    by: str,
    week: str | None,
    out: str,
    timezone: str,
    engine: str = "polars",
    spark_master: str | None = None,
) -> int:
    if check_engine(engine) == "spark":
        from deliverability.spark import classify, events, rates, session

        spark = session.spark_session(spark_master)
        loaded = events.read_events(spark, inputs, timezone)
        messages = rates.message_outcomes(classify.classify_events(loaded.events), timezone)
        messages = messages.cache()
        chosen = resolve_week(spark_weeks(messages), week)
        table, rejected = spark_rates(messages, by, chosen), loaded.rejects.count()
    else:
        from deliverability.ingest import load_events
        from deliverability.outcomes import message_outcomes

        load = load_events([Path(p) for p in inputs], timezone=timezone)
        frame = message_outcomes(load.events.lazy(), timezone).collect()
        chosen = resolve_week(frame, week)
        table, rejected = polars_rates(frame, by, chosen), load.rejects.height
    write_rates(table, by, chosen, Path(out), timezone)
    if rejected:
        print(f"{fmt.number(rejected)} Eingabezeilen nicht verwendbar (siehe `load`).")
    return 0
