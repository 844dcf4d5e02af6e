"""The report reads the message table in parts and keeps only what it shows: its figures must
be those of the whole table, in one piece or in buckets, for the latest week and a past one,
and also when the latest event falls in a week in which no mail was sent."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import deliverability.pipeline.polars_engine as engine_module
from deliverability import config
from deliverability.periods import previous_week
from deliverability.pipeline.polars_engine import PolarsEngine
from deliverability.rates import weekly_rates
from deliverability.report import weekly
from deliverability.report.trend import weekly_counts

FIGURES = ("overall", "providers", "domains", "domain_patterns", "provider_patterns", "daily")


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


def _whole_table(inputs: list[Path]) -> pl.DataFrame:
    return PolarsEngine().load([str(p) for p in inputs], config.DEFAULT_TIMEZONE).messages


@pytest.fixture(scope="module")
def whole() -> pl.DataFrame:
    return _whole_table(config.sample_inputs())


@pytest.mark.parametrize("past", [False, True])
def test_figures_and_kept_messages_are_those_of_the_whole_message_table(whole, past):
    latest = whole.get_column("week").max()
    week = previous_week(latest) if past else latest
    report = weekly.build_weekly_report(config.sample_inputs(), week if past else None)
    assert report.week == week
    for by, frame in ((None, report.overall), ("provider", report.providers),
                      ("recipient_domain", report.domains)):  # fmt: skip
        expected = weekly_rates(whole.lazy(), by, week, previous_week(week)).collect()
        assert frame.equals(expected), by
    kept = whole.filter((pl.col("week") == week) | weekly.failed_or_complained())
    assert _sorted(report.messages).equals(_sorted(kept))
    assert report.messages.height < whole.height  # the other weeks' delivered mail is not kept
    weeks = sorted(whole.get_column("week").unique().to_list())
    counts = weekly_counts(whole.lazy(), weeks)
    trend = report.trend.select(counts.columns)
    expected_trend = counts.filter(pl.col("week").is_in(trend.get_column("week").unique()))
    assert _sorted(trend).equals(_sorted(expected_trend))


@pytest.mark.parametrize("week", [None, "2026-W46"])
def test_the_report_in_buckets_equals_the_report_in_one_piece(week, monkeypatch):
    one = weekly.build_weekly_report(config.sample_inputs(), week)
    monkeypatch.setattr(engine_module, "PART_ROWS", 15_000)
    buckets = weekly.build_weekly_report(config.sample_inputs(), week)
    for name in FIGURES:
        assert _sorted(getattr(buckets, name)).equals(_sorted(getattr(one, name))), name
    assert _sorted(buckets.messages).equals(_sorted(one.messages))
    assert _sorted(buckets.reasons.drop("example_ref")).equals(
        _sorted(one.reasons.drop("example_ref"))
    )
    assert _sorted(buckets.trend).equals(_sorted(one.trend))
    assert _sorted(buckets.suppression_state).equals(_sorted(one.suppression_state))


HEADER = (
    "timestamp,message_id,sender,recipient,event,bounce_type,reason,smtp_code,status,diagnostic"
)


def _late_bounce_log(folder: Path) -> Path:
    """Mails sent in 2026-W45 and W46; the last event is a bounce notice on the Monday of
    W47 for a mail of W46, so no mail was sent in the week of the latest event."""
    rows = [HEADER]
    for day, week in ((2, 45), (9, 46), (10, 46), (11, 46)):
        for n in range(3):
            rows.append(
                f"2026-11-{day:02d}T09:0{n}:00+01:00,<{week}-{day}-{n}@shop.example>,"
                f"news@shop.example,kunde{n}@beispiel.de,sent,,,,,"
            )
            if (day, n) != (11, 2):  # this one bounces, the Monday after
                rows.append(
                    f"2026-11-{day:02d}T09:1{n}:00+01:00,<{week}-{day}-{n}@shop.example>,"
                    f"news@shop.example,kunde{n}@beispiel.de,delivered,,,250,2.0.0,250 ok"
                )
    rows.append(
        "2026-11-16T07:00:00+01:00,<46-11-2@shop.example>,news@shop.example,"
        "kunde2@beispiel.de,bounced,hard,,550,5.1.1,550 5.1.1 user unknown"
    )
    path = folder / "spaeter_bounce.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_latest_event_in_a_week_without_sent_mail_reports_the_week_before(tmp_path):
    log = _late_bounce_log(tmp_path)
    latest = weekly.build_weekly_report([log])
    assert latest.week == "2026-W46"  # the week of the last mail sent, not of the last event
    asked = weekly.build_weekly_report([log], "2026-W46")
    for name in FIGURES:
        assert getattr(latest, name).equals(getattr(asked, name)), name
    assert _sorted(latest.messages).equals(_sorted(asked.messages))
    assert latest.figure("sent") == 9 and latest.figure("sent", previous=True) == 3
    assert latest.figure("hard") == 1
    whole = _whole_table([log])
    assert latest.overall.equals(weekly_rates(whole.lazy(), None, "2026-W46", "2026-W45").collect())
