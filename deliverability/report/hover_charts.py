"""The weekly report's time charts with hover values, for JupyterLab (plotly).

The scheduled report keeps the matplotlib images of `report.charts`: `show` picks the one or
the other. Hover texts are German strings made here (numbers with decimal comma, weeks as
"KW 47"), so no plotly locale is needed; the renderer is plotly's JupyterLab extension, which
carries plotly.js itself and works without a network.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from IPython.display import HTML, display
from matplotlib.figure import Figure

from deliverability.report.charts import (
    TREND_PROVIDERS,
    daily_rows,
    daily_title,
    to_img_tag,
    trend_values,
)
from deliverability.report.trend import providers_by_volume, trend_weeks
from deliverability.report.weekly import WeeklyReport
from deliverability.views import format as fmt
from deliverability.views.notebook import interactive
from deliverability.views.palette import COLORS

if TYPE_CHECKING:
    import plotly.graph_objects as go

#: plotly's `separators`: decimal comma, thousands dot (German axis labels).
GERMAN_SEPARATORS = ",."
#: The renderer: a mime bundle for JupyterLab's plotly extension, without plotly.js inline.
RENDERER = "plotly_mimetype"
_NO_TRACE_NAME = "<extra></extra>"


def show(static: Callable[[], Figure], hover: Callable[[], go.Figure], description: str) -> None:
    """The chart with hover values in the notebook, the image in the scheduled report."""
    if interactive():
        hover().show(renderer=RENDERER)
    else:
        display(HTML(to_img_tag(static(), description)))


def _layout(figure: go.Figure, title: str, height: int) -> go.Figure:
    figure.update_layout(
        title=title,
        separators=GERMAN_SEPARATORS,
        height=height,
        template="plotly_white",
        hovermode="closest",
        legend={"orientation": "h", "yanchor": "top", "y": -0.15},
        margin={"l": 60, "r": 60, "t": 60, "b": 40},
    )
    return figure


def daily_volume(report: WeeklyReport) -> go.Figure:
    """Sends per day and the daily bounce rate of the report week and the week before; the
    hover names the day, the mails and the rate."""
    from plotly.subplots import make_subplots

    daily = daily_rows(report)
    days = [fmt.short_day(d) for d in daily.get_column("day").to_list()]
    in_week = daily.get_column("in_week").to_list()
    sent = daily.get_column("sent").to_list()
    rate = daily.get_column("rate").to_list()
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    for current, week in ((False, report.previous), (True, report.week)):
        chosen = [i for i, flag in enumerate(in_week) if flag == current]
        figure.add_bar(
            x=[days[i] for i in chosen],
            y=[sent[i] for i in chosen],
            name=f"Versendet in KW {week[-2:]}",
            marker_color=COLORS["sent"] if current else COLORS["previous"],
            customdata=[fmt.number(sent[i]) for i in chosen],
            hovertemplate="%{x}: %{customdata} Mails versendet" + _NO_TRACE_NAME,
        )
    figure.add_scatter(
        x=days,
        y=rate,
        name="Bounce-Rate (hart + weich)",
        mode="lines+markers",
        line_color=COLORS["hard"],
        customdata=[fmt.percent(r) for r in rate],
        hovertemplate="%{x}: Bounce-Rate %{customdata}" + _NO_TRACE_NAME,
        secondary_y=True,
    )
    figure.update_xaxes(categoryorder="array", categoryarray=days)
    figure.update_yaxes(title_text="Versendete Mails pro Tag", tickformat=",d", secondary_y=False)
    figure.update_yaxes(
        title_text="Bounce-Rate", tickformat=".1%", rangemode="tozero", secondary_y=True
    )
    return _layout(figure, daily_title(report), 420)


#: The trend's panels: column, axis title, tick format, hover text of one value.
_TREND_PANELS: tuple[tuple[str, str, str, Callable[[float], str]], ...] = (
    ("sent", "Versendete Mails", ",d", lambda v: f"{fmt.number(v)} Mails versendet"),
    ("bounce_rate", "Bounce-Rate", ".1%", lambda v: f"Bounce-Rate {fmt.percent(v)}"),
    ("complaint_rate", "Beschwerderate", ".2%", lambda v: f"Beschwerderate {fmt.percent(v, 2)}"),
)


def trend(report: WeeklyReport) -> go.Figure:
    """Twelve weeks per provider (the six with the most mail): sent mails, bounce rate and
    complaint rate, one line each; a week without mail stays a gap."""
    from plotly.colors import qualitative
    from plotly.subplots import make_subplots

    weeks = trend_weeks(report.week)
    labels = [f"KW {week[-2:]}" for week in weeks]
    figure = make_subplots(
        rows=len(_TREND_PANELS),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=[title for _, title, _, _ in _TREND_PANELS],
    )
    palette = qualitative.D3  # the colours matplotlib gives the lines of the report's chart
    for index, provider in enumerate(providers_by_volume(report.trend)[:TREND_PROVIDERS]):
        for panel, (column, _, _, said) in enumerate(_TREND_PANELS, start=1):
            values = trend_values(report, provider, column)
            figure.add_scatter(
                x=labels,
                y=values,
                name=provider,
                legendgroup=provider,
                showlegend=panel == 1,
                mode="lines+markers",
                line_color=palette[index % len(palette)],
                connectgaps=False,
                customdata=["" if v is None else said(v) for v in values],
                hovertemplate=f"{provider}, %{{x}}: %{{customdata}}" + _NO_TRACE_NAME,
                row=panel,
                col=1,
            )
    for panel, (_, _, tick, _) in enumerate(_TREND_PANELS, start=1):
        figure.update_yaxes(tickformat=tick, rangemode="tozero", row=panel, col=1)
    return _layout(figure, "Die letzten zwölf Wochen je Anbieter", 720)
