"""Files and console lines that several commands write: rates, replay, rejected rows, the
state of the suppression list (German for the analyst, conventions for machines)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from deliverability.config import DEFAULT_TIMEZONE
from deliverability.people_csv import CsvForm, for_workbook, write_people_csv
from deliverability.pipeline.jobs import GROUPS
from deliverability.views import format as fmt

if TYPE_CHECKING:
    from deliverability.limits.replay import ReplayResult


def write_workbook(sheets: dict[str, pl.DataFrame], target: Path) -> Path:
    """The sheets (already for a workbook: `people_csv.for_workbook`) as one Excel workbook,
    and a line that says so."""
    from deliverability.report.xlsx import write_sheets

    write_sheets(sheets, target)
    print(f"Als Excel-Arbeitsmappe: {target}")
    return target


#: What the groups of a rates table are called for people (file lines, sheet names).
GROUP_WORDS = {"domain": "Domains", "provider": "Anbieter"}


def rates_sheet(table: pl.DataFrame, by: str, week: str, timezone: str) -> dict[str, pl.DataFrame]:
    """The rates of one week per group as a workbook sheet, named after the groups."""
    return {GROUP_WORDS[by]: for_workbook(rates_table(table, by, week), timezone)}


def rates_table(table: pl.DataFrame, by: str, week: str) -> pl.DataFrame:
    """The rates of one week per group as the files show them: week, group, counts, rates."""
    return (
        table.rename({GROUPS[by]: by})
        .with_columns(week=pl.lit(week))
        .select("week", by, *[c for c in table.columns if c != GROUPS[by]])
    )


def write_rates(
    table: pl.DataFrame, by: str, week: str, target: Path, timezone: str, form: CsvForm
) -> None:
    """Write the rates CSV (week, group, counts, rates) in `form` and say so."""
    table = rates_table(table, by, week)
    write_people_csv(table, target, form=form, timezone=timezone)
    print(
        f"{fmt.number(table.height)} Zeilen ({GROUP_WORDS[by]}) für "
        f"{fmt.week_title(week, timezone)} in {target}; sortiert nach der Untergrenze des "
        "95-%-Intervalls der Bounce-Rate."
    )


def write_rejects(
    rejects: pl.DataFrame, target: Path, form: CsvForm, timezone: str = DEFAULT_TIMEZONE
) -> None:
    """The unusable input rows with their reason, if there are any, and a line that says so."""
    if rejects.height:
        write_people_csv(rejects, target, form=form, timezone=timezone)
        print(
            f"{fmt.number(rejects.height)} Eingabezeilen nicht verwendbar, mit Grund in: {target}"
        )


def suppression_summary(state: pl.DataFrame) -> str:
    """„12 gesperrt, 3 unter Beobachtung (Softbounces), 1 wieder freigegeben“."""
    counts = dict(state.group_by("status").len().iter_rows())
    return (
        f"{counts.get('suppressed', 0)} gesperrt, {counts.get('watch', 0)} unter Beobachtung "
        f"(Softbounces), {counts.get('restored', 0)} wieder freigegeben"
    )


def _print_replay_summary(result: ReplayResult, days: pl.DataFrame) -> None:
    from deliverability.views.limits import duration

    counts = {o: result.count(o) for o in ("sent", "delayed", "rejected", "blocked")}
    total = result.sends.height
    print(
        f"{fmt.number(total)} Sendungen mit „{result.profile.name}“: "
        f"{fmt.number(counts['sent'])} pünktlich, {fmt.number(counts['delayed'])} verzögert, "
        f"{fmt.number(counts['rejected'])} abgelehnt, {fmt.number(counts['blocked'])} gesperrt."
    )
    troubled = days.filter(pl.col("delayed") + pl.col("rejected") + pl.col("blocked") > 0)
    for row in troubled.head(14).iter_rows(named=True):
        delay = row["max_delay_s"]
        longest = f", längste Verzögerung {duration(delay)}" if delay else ""
        print(
            f"  {fmt.day(row['day'])}: {fmt.number(row['requested'])} angefordert, "
            f"{fmt.number(row['delayed'])} verzögert, {fmt.number(row['rejected'])} abgelehnt, "
            f"{fmt.number(row['blocked'])} gesperrt{longest} – {row['rules']}"
        )
    if troubled.height > 14:
        print(f"  … und {fmt.number(troubled.height - 14)} weitere Tage.")


def replay_sheets(result: ReplayResult) -> dict[str, pl.DataFrame]:
    """The replay's tables for a workbook: per send and per day."""
    from deliverability.limits.replay import RESULT_COLUMNS
    from deliverability.views.limits import by_day

    zone = result.profile.timezone
    return {
        "Je Sendung": for_workbook(result.sends.select(RESULT_COLUMNS), zone, "replay"),
        "Je Tag": for_workbook(by_day(result), zone, "replay"),
    }


def write_replay(result: ReplayResult, target: Path, form: CsvForm) -> None:
    """Write the per-send CSV and `NAME_tage.csv` in `form`, and print the summary."""
    from deliverability.limits.replay import RESULT_COLUMNS
    from deliverability.views.limits import by_day

    zone = result.profile.timezone
    sends = result.sends.select(RESULT_COLUMNS)
    write_people_csv(sends, target, form=form, timezone=zone, table="replay")
    days = by_day(result)
    day_file = target.with_name(f"{target.stem}_tage.csv")
    write_people_csv(days, day_file, form=form, timezone=zone, table="replay")
    _print_replay_summary(result, days)
    print(f"Je Sendung: {target}\nJe Tag: {day_file}")
