"""The weekly notebook's hover charts: German hover texts, the report week and the one before."""

from __future__ import annotations

import pytest

from deliverability import config
from deliverability.report import charts, hover_charts, weekly
from deliverability.views import format as fmt
from deliverability.views import notebook


@pytest.fixture(scope="module")
def report() -> weekly.WeeklyReport:
    return weekly.build_weekly_report(config.sample_inputs())


def test_daily_chart_hovers_say_day_mails_and_rate_in_german(report):
    figure = hover_charts.daily_volume(report)
    before, current, rate = figure.data
    assert (before.name, current.name) == ("Versendet in KW 46", "Versendet in KW 47")
    assert len(before.x) + len(current.x) == report.daily.height
    sent = dict(zip(current.x, current.y, strict=True))
    assert all(
        text == fmt.number(sent[day])
        for day, text in zip(current.x, current.customdata, strict=True)
    )
    assert max(current.y) >= 1000 and any("." in text for text in current.customdata)
    assert all(text.endswith(" %") and "," in text for text in rate.customdata if text != "–")
    assert figure.layout.separators == ",."


def test_trend_chart_has_one_line_per_provider_and_panel_with_gaps(report):
    figure = hover_charts.trend(report)
    providers = {trace.name for trace in figure.data}
    assert len(figure.data) == 3 * len(providers) and len(providers) <= hover_charts.TREND_PROVIDERS
    sent = [t for t in figure.data if t.yaxis == "y"]
    assert all(len(t.x) == 12 and t.x[-1] == f"KW {report.week[-2:]}" for t in sent)
    gaps = [
        (value, text)
        for trace in sent
        for value, text in zip(trace.y, trace.customdata, strict=True)
        if value is None
    ]
    assert gaps and all(text == "" for _, text in gaps)  # weeks without data stay gaps


def test_the_report_gets_the_image(report, monkeypatch):
    monkeypatch.setenv(notebook.STATIC_ENV, "1")
    shown = []
    monkeypatch.setattr(hover_charts, "display", shown.append)
    hover_charts.show(
        lambda: charts.daily_volume(report),
        lambda: pytest.fail("no plotly figure in the report"),
        "Versand pro Tag",
    )
    assert shown and "data:image/png;base64" in shown[0].data
