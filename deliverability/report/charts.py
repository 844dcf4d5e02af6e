"""Charts for the weekly report: matplotlib figures with German labels and number formats.

Figures are made without pyplot, so nothing is shown twice in a notebook and nothing leaks:
the caller displays or saves the returned `Figure`.
"""

from __future__ import annotations

import polars as pl
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from deliverability.periods import week_of_day
from deliverability.report.trend import providers_by_volume, trend_weeks
from deliverability.report.weekly import WeeklyReport
from deliverability.taxonomy import get_reason
from deliverability.views import format as fmt
from deliverability.views.palette import COLORS

_count_axis = FuncFormatter(lambda value, _: fmt.number(value))
_share_axis = FuncFormatter(lambda value, _: fmt.percent(value, 1))


def daily_rows(report: WeeklyReport) -> pl.DataFrame:
    """The daily chart's data (this image and the notebook's hover chart): per day the mails
    sent, the bounce rate (hard + soft) / sent, and whether the day is in the report week
    rather than the week before."""
    return report.daily.with_columns(
        rate=pl.when(pl.col("sent") > 0).then((pl.col("hard") + pl.col("soft")) / pl.col("sent")),
        in_week=week_of_day(pl.col("day")) == report.week,
    )


def daily_title(report: WeeklyReport) -> str:
    return f"Versand und Bounce-Rate pro Tag, KW {report.previous[-2:]} und {report.week[-2:]}"


def trend_values(report: WeeklyReport, provider: str, column: str) -> list[float | None]:
    """One provider's `column` in each week of the trend (None: a week without mail)."""
    rows = report.trend.filter(pl.col("provider") == provider)
    by_week = {row["week"]: row[column] for row in rows.iter_rows(named=True)}
    return [by_week.get(week) for week in trend_weeks(report.week)]


def daily_volume(report: WeeklyReport) -> Figure:
    """Sends per day with the daily bounce rate, in the report week and the week before (its
    bars in the colour of the week before)."""
    daily = daily_rows(report)
    days = daily.get_column("day").to_list()
    figure = Figure(figsize=(10, 4))
    axis = figure.subplots()
    positions = range(len(days))
    in_week = daily.get_column("in_week").to_list()
    axis.bar(
        positions,
        daily.get_column("sent").to_list(),
        color=[COLORS["sent"] if current else COLORS["previous"] for current in in_week],
    )
    axis.set_ylabel("Versendete Mails pro Tag")
    axis.yaxis.set_major_formatter(_count_axis)
    axis.set_xticks(list(positions), [fmt.short_day(d) for d in days], rotation=45, ha="right")
    rate_axis = axis.twinx()
    rate_axis.plot(
        list(positions),
        daily.get_column("rate").to_list(),
        color=COLORS["hard"],
        marker="o",
        markersize=3,
        label="Bounce-Rate",
    )
    rate_axis.set_ylabel("Bounce-Rate")
    rate_axis.yaxis.set_major_formatter(_share_axis)
    rate_axis.set_ylim(bottom=0)
    handles = [
        Patch(color=COLORS["sent"]),
        Patch(color=COLORS["previous"]),
        *rate_axis.get_legend_handles_labels()[0],
    ]
    labels = [
        f"Versendet in KW {report.week[-2:]}",
        f"Versendet in KW {report.previous[-2:]}",
        "Bounce-Rate (hart + weich)",
    ]
    axis.legend(
        handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncols=3, frameon=False
    )
    axis.set_title(daily_title(report))
    figure.tight_layout()
    return figure


def provider_rates(report: WeeklyReport) -> Figure:
    """Bounce rate per provider: this week with its 95 % interval, and the week before."""
    frame = report.providers.sort("bounce_rate", descending=False, nulls_last=False)
    names = frame.get_column("provider").to_list()
    rate = frame.get_column("bounce_rate").fill_null(0).to_list()
    low = frame.get_column("bounce_low").fill_null(0).to_list()
    high = frame.get_column("bounce_high").fill_null(0).to_list()
    before = frame.get_column("bounce_rate_prev").fill_null(0).to_list()
    figure = Figure(figsize=(10, 0.45 * len(names) + 1.5))
    axis = figure.subplots()
    positions = list(range(len(names)))
    axis.barh(
        [p + 0.2 for p in positions],
        before,
        height=0.4,
        color=COLORS["previous"],
        label=f"Vorwoche (KW {report.previous[-2:]})",
    )
    errors = [  # never negative: matplotlib refuses them
        [max(0.0, r - lo) for r, lo in zip(rate, low, strict=True)],
        [max(0.0, hi - r) for r, hi in zip(rate, high, strict=True)],
    ]
    axis.barh(
        [p - 0.2 for p in positions],
        rate,
        height=0.4,
        color=COLORS["current"],
        xerr=errors,
        capsize=3,
        label=f"KW {report.week[-2:]} mit 95-%-Intervall",
    )
    axis.set_yticks(positions, names)
    axis.xaxis.set_major_formatter(_share_axis)
    axis.set_xlabel("Bounce-Rate (hart + weich)")
    axis.set_title("Bounce-Rate nach Anbieter")
    axis.legend(loc="lower right")
    figure.tight_layout()
    return figure


#: The trend chart draws this many providers (those with the most mail in the twelve weeks).
TREND_PROVIDERS = 6


def trend_chart(report: WeeklyReport) -> Figure:
    """Twelve weeks per provider: sent mails, bounce rate and complaint rate, one line each
    for the providers with the most mail; weeks without mail stay gaps."""
    weeks = trend_weeks(report.week)
    top = providers_by_volume(report.trend)[:TREND_PROVIDERS]
    figure = Figure(figsize=(10, 8))
    axes = figure.subplots(3, 1, sharex=True)
    panels = (
        ("sent", "Versendete Mails", _count_axis),
        ("bounce_rate", "Bounce-Rate", _share_axis),
        ("complaint_rate", "Beschwerderate", _share_axis),
    )
    positions = list(range(len(weeks)))
    for provider in top:
        for axis, (column, _, _) in zip(axes, panels, strict=True):
            values = trend_values(report, provider, column)
            axis.plot(
                positions,
                [float("nan") if v is None else v for v in values],
                marker="o",
                markersize=3,
                label=provider,
            )
    for axis, (_, label, formatter) in zip(axes, panels, strict=True):
        axis.set_ylabel(label)
        axis.yaxis.set_major_formatter(formatter)
        axis.set_ylim(bottom=0)
        axis.grid(axis="y", color="#e5e5e5")
    axes[-1].set_xticks(positions, [f"KW {week[-2:]}" for week in weeks], rotation=45)
    axes[0].legend(loc="upper left", fontsize="small", ncols=2)
    axes[0].set_title(f"Die letzten {len(weeks)} Wochen je Anbieter")
    figure.tight_layout()
    return figure


def reasons_chart(report: WeeklyReport) -> Figure:
    """Failed messages of the week by reason, split into hard, soft and blocked."""
    frame = report.reasons.sort("messages", maintain_order=True)
    labels = [get_reason(r).label for r in frame.get_column("reason").to_list()]
    figure = Figure(figsize=(10, 0.45 * max(len(labels), 1) + 1.5))
    axis = figure.subplots()
    left = [0] * len(labels)
    for column, title in (("hard", "hart"), ("soft", "weich"), ("blocked", "vom System blockiert")):
        values = frame.get_column(column).to_list()
        axis.barh(labels, values, left=left, color=COLORS[column], label=title)
        left = [a + b for a, b in zip(left, values, strict=True)]
    axis.xaxis.set_major_formatter(_count_axis)
    axis.set_xlabel("Gescheiterte Mails")
    axis.set_title(f"Gründe der gescheiterten Mails in KW {report.week[-2:]}")
    axis.legend(loc="lower right")
    figure.tight_layout()
    return figure


def to_png(figure: Figure, dpi: int = 100) -> bytes:
    """The figure as PNG bytes (embedded in the HTML report by the notebook)."""
    from io import BytesIO

    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def to_img_tag(figure: Figure, alt: str) -> str:
    """An <img> element with the figure embedded as PNG and a German alternative text."""
    import base64
    import html

    data = base64.b64encode(to_png(figure)).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def bounce_reasons_chart(reasons: pl.DataFrame, title: str) -> Figure:
    """Recipients by reason (German labels), split into hard, soft and the rest.

    `reasons` is `bounces.summary.reasons(...)`: columns label, recipients, hard, soft.
    """
    frame = reasons.sort("recipients", maintain_order=True)
    labels = frame.get_column("label").to_list()
    figure = Figure(figsize=(10, 0.45 * max(len(labels), 1) + 1.5))
    axis = figure.subplots()
    hard = frame.get_column("hard").to_list()
    soft = frame.get_column("soft").to_list()
    rest = [
        t - h - s
        for t, h, s in zip(frame.get_column("recipients").to_list(), hard, soft, strict=True)
    ]
    axis.barh(labels, hard, color=COLORS["hard"], label="hart")
    axis.barh(labels, soft, left=hard, color=COLORS["soft"], label="weich")
    starts = [h + s for h, s in zip(hard, soft, strict=True)]
    axis.barh(labels, rest, left=starts, color=COLORS["blocked"], label="ohne Einstufung")
    axis.xaxis.set_major_formatter(_count_axis)
    axis.set_xlabel("Empfänger")
    axis.set_title(title)
    axis.legend(loc="lower right")
    figure.tight_layout()
    return figure
