"""`deliverability rates`: per-domain or per-provider rates of one week as CSV."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from deliverability.export import write_csv
from deliverability.periods import previous_week
from deliverability.report import format as fmt
from deliverability.report.weekly import resolve_week
from deliverability.spark.session import check_engine

GROUPS = {"domain": "recipient_domain", "provider": "provider"}


def _polars_rates(
    inputs: list[str], by: str, week: str | None, timezone: str
) -> tuple[pl.DataFrame, str, int]:
    from deliverability.ingest import load_events
    from deliverability.outcomes import message_outcomes
    from deliverability.rates import weekly_rates

    load = load_events([Path(p) for p in inputs], timezone=timezone)
    messages = message_outcomes(load.events.lazy(), timezone).collect()
    chosen = resolve_week(messages, week)
    table = weekly_rates(messages.lazy(), GROUPS[by], chosen, previous_week(chosen)).collect()  # type: ignore[arg-type]
    return table, chosen, load.rejects.height


def _spark_rates(
    inputs: list[str], by: str, week: str | None, timezone: str, master: str | None
) -> tuple[pl.DataFrame, str, int]:
    from deliverability.spark import classify, events, rates, session

    spark = session.spark_session(master)
    loaded = events.read_events(spark, inputs, timezone)
    messages = rates.message_outcomes(classify.classify_events(loaded.events), timezone).cache()
    weeks = pl.DataFrame({"week": [row[0] for row in messages.select("week").distinct().collect()]})
    chosen = resolve_week(weeks, week)
    table = rates.weekly_rates(messages, GROUPS[by], chosen, previous_week(chosen))
    result = pl.from_arrow(table.toArrow())
    assert isinstance(result, pl.DataFrame)
    return result, chosen, loaded.rejects.count()


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
        table, chosen, rejected = _spark_rates(inputs, by, week, timezone, spark_master)
    else:
        table, chosen, rejected = _polars_rates(inputs, by, week, timezone)
    table = (
        table.rename({GROUPS[by]: by})
        .with_columns(week=pl.lit(chosen))
        .select("week", by, *[c for c in table.columns if c != GROUPS[by]])
    )
    target = Path(out)
    write_csv(table, target)
    print(
        f"{fmt.number(table.height)} Zeilen ({'Domains' if by == 'domain' else 'Anbieter'}) für "
        f"{fmt.week_title(chosen, timezone)} in {target}; sortiert nach der Untergrenze des "
        "95-%-Intervalls der Bounce-Rate."
    )
    if rejected:
        print(f"{fmt.number(rejected)} Eingabezeilen nicht verwendbar (siehe `load`).")
    return 0
