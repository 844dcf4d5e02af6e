"""`deliverability rates`: per-domain or per-provider rates of one week as CSV."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from deliverability.export import write_csv
from deliverability.ingest import load_events
from deliverability.outcomes import message_outcomes
from deliverability.periods import previous_week
from deliverability.rates import weekly_rates
from deliverability.report import format as fmt
from deliverability.report.weekly import resolve_week

GROUPS = {"domain": "recipient_domain", "provider": "provider"}


def run_rates(inputs: list[str], by: str, week: str | None, out: str, timezone: str) -> int:
    load = load_events([Path(p) for p in inputs], timezone=timezone)
    messages = message_outcomes(load.events.lazy(), timezone).collect()
    chosen = resolve_week(messages, week)
    table = weekly_rates(messages.lazy(), GROUPS[by], chosen, previous_week(chosen)).collect()  # type: ignore[arg-type]
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
    if load.rejects.height:
        print(f"{fmt.number(load.rejects.height)} Eingabezeilen nicht verwendbar (siehe `load`).")
    return 0
