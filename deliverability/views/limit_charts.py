"""Charts and tables of a replay for the notebook (German labels, matplotlib without pyplot)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
import polars as pl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from deliverability.limits.replay import ReplayResult
from deliverability.views import format as fmt
from deliverability.views.limits import duration
from deliverability.views.palette import COLORS

_count_axis = FuncFormatter(lambda value, _: fmt.number(value))


def busiest_day(result: ReplayResult) -> date | None:
    """The day with the most sends that were not sent on time (else the most requested)."""
    zone = result.profile.timezone
    days = result.sends.group_by(
        day=pl.col("requested_at").dt.convert_time_zone(zone).dt.date()
    ).agg(trouble=(pl.col("outcome") != "sent").sum(), requested=pl.len())
    if days.is_empty():
        return None
    return days.sort(["trouble", "requested", "day"], descending=[True, True, False])["day"][0]


def _hourly(result: ReplayResult, day: date | None) -> pl.DataFrame:
    """Per hour (local): requested, went out, and the queue (waiting) at the end of the hour."""
    zone = result.profile.timezone
    frame = result.sends.with_columns(
        requested_local=pl.col("requested_at").dt.convert_time_zone(zone),
        sent_local=pl.col("sent_at").dt.convert_time_zone(zone),
    )
    if day is not None:
        frame = frame.filter(
            (pl.col("requested_local").dt.date() == day) | (pl.col("sent_local").dt.date() == day)
        )
    requested = frame.group_by(hour=pl.col("requested_local").dt.truncate("1h")).agg(
        requested=pl.len()
    )
    went = (
        frame.filter(pl.col("sent_local").is_not_null())
        .group_by(hour=pl.col("sent_local").dt.truncate("1h"))
        .agg(went_out=pl.len(), max_delay_s=pl.col("delay_s").max())
    )
    failed = (
        frame.filter(pl.col("outcome").is_in(["rejected", "blocked"]))
        .group_by(hour=pl.col("requested_local").dt.truncate("1h"))
        .agg(failed=pl.len())
    )
    table = (
        requested.join(went, on="hour", how="full", coalesce=True)
        .join(failed, on="hour", how="full", coalesce=True)
        .sort("hour")
    )
    if table.is_empty():
        return table
    hours = table.select(
        hour=pl.datetime_range(pl.col("hour").min(), pl.col("hour").max(), "1h", time_zone=zone)
    )
    table = hours.join(table, on="hour", how="left").with_columns(
        pl.col("requested", "went_out", "failed").fill_null(0)
    )
    waiting_requested = frame.filter(pl.col("sent_at").is_not_null())
    queue = []
    for hour in table["hour"].to_list():
        end = hour + pd.Timedelta(hours=1)
        queue.append(
            waiting_requested.filter(
                (pl.col("requested_local") < end) & (pl.col("sent_local") >= end)
            ).height
        )
    return table.with_columns(queue=pl.Series(queue))


def _hour_figure(table: pl.DataFrame) -> tuple[Figure, Axes, list[int]]:
    """A figure with one x position per hour of `table`, labelled `19.11. 09h`."""
    figure = Figure(figsize=(10, 4))
    axis = figure.subplots()
    labels = [f"{h:%d.%m. %H}h" for h in table["hour"].to_list()] if table.height else []
    positions = list(range(len(labels)))
    step = max(1, len(labels) // 16)
    axis.set_xticks(positions[::step], labels[::step], rotation=45, ha="right")
    return figure, axis, positions


def hourly_chart(result: ReplayResult, day: date | None = None) -> Figure:
    """Requested and actually sent per hour, with the hourly limits of the profile."""
    table = _hourly(result, day)
    figure, axis, positions = _hour_figure(table)
    axis.bar(
        [p - 0.2 for p in positions],
        table["requested"].to_list() if table.height else [],
        width=0.4,
        color=COLORS["sent"],
        label="angefordert",
    )
    went_out = table["went_out"].to_list() if table.height else []
    axis.bar(
        [p + 0.2 for p in positions],
        went_out,
        width=0.4,
        color=COLORS["current"],
        label="tatsächlich versandt",
    )
    axis.bar(
        [p + 0.2 for p in positions],
        table["failed"].to_list() if table.height else [],
        bottom=went_out,
        width=0.4,
        color=COLORS["hard"],
        label="abgelehnt oder Konto gesperrt",
    )
    for rule in result.profile.rules:
        if rule.scope == "account" and rule.window == 3600 and rule.limit is not None:
            axis.axhline(rule.limit, color=COLORS["hard"], linestyle="--", label=rule.label)
    axis.yaxis.set_major_formatter(_count_axis)
    axis.set_ylabel("Mails pro Stunde")
    title = f"Versand pro Stunde mit „{result.profile.name}“"
    axis.set_title(title + (f" am {fmt.day(day)}" if day else ""))
    axis.legend(loc="upper right", fontsize="small")
    figure.tight_layout()
    return figure


def queue_chart(result: ReplayResult, day: date | None = None) -> Figure:
    """Sends waiting at the end of each hour, and the longest delay of the sends per hour."""
    table = _hourly(result, day)
    figure, axis, positions = _hour_figure(table)
    axis.step(
        positions,
        table["queue"].to_list() if table.height else [],
        where="post",
        color=COLORS["soft"],
        label="wartende Mails (Warteschlange)",
    )
    axis.set_ylabel("wartende Mails")
    axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    axis.yaxis.set_major_formatter(_count_axis)
    axis.set_ylim(0, max([1, *(table["queue"].to_list() if table.height else [])]) * 1.1)
    delays = axis.twinx()
    hours = [
        (value or 0) / 3600 for value in (table["max_delay_s"].to_list() if table.height else [])
    ]
    delays.plot(positions, hours, color=COLORS["line"], marker="o", markersize=3)
    delays.set_ylabel("längste Verzögerung (Stunden)")
    delays.set_ylim(0, max([1.0, *hours]) * 1.1)
    delays.yaxis.set_major_formatter(FuncFormatter(lambda value, _: fmt.number(value, 1)))
    axis.set_title("Warteschlange und Verzögerung" + (f" am {fmt.day(day)}" if day else ""))
    axis.legend(loc="upper left", fontsize="small")
    figure.tight_layout()
    return figure


def comparison(results: Sequence[ReplayResult]) -> pd.DataFrame:
    """Profiles side by side for the same sends."""
    rows = []
    for result in results:
        longest = result.sends["delay_s"].max()
        rows.append(
            {
                "Profil": result.profile.name,
                "pünktlich": fmt.number(result.count("sent")),
                "verzögert": fmt.number(result.count("delayed")),
                "abgelehnt": fmt.number(result.count("rejected")),
                "Konto gesperrt": fmt.number(result.count("blocked")),
                "längste Verzögerung": duration(float(longest)) if longest else "–",  # type: ignore[arg-type]
            }
        )
    return pd.DataFrame(rows)


def comparison_sentences(base: ReplayResult, others: Sequence[ReplayResult]) -> list[str]:
    """`Mit X statt Y wären 0 statt 212 Mails abgelehnt worden.` for each other profile."""
    failed_base = base.count("rejected") + base.count("blocked")
    sentences = []
    for other in others:
        failed = other.count("rejected") + other.count("blocked")
        text = (
            f"Mit „{other.profile.name}“ statt „{base.profile.name}“ wären "
            f"{fmt.number(failed)} statt {fmt.number(failed_base)} Mails abgelehnt oder "
            f"wegen eines gesperrten Kontos nicht versendet worden"
        )
        delayed, delayed_base = other.count("delayed"), base.count("delayed")
        if delayed or delayed_base:
            text += f", {fmt.number(delayed)} statt {fmt.number(delayed_base)} verzögert"
        sentences.append(text + ".")
    return sentences
