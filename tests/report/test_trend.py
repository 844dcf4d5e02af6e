"""The twelve-week trend per provider: from the inputs, and from the state folder's weekly
counts when the inputs hold only the latest weeks."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from deliverability.config import sample_inputs
from deliverability.report import weekly
from deliverability.report.trend import TREND_SCHEMA, merge_counts, trend_weeks
from deliverability.views import format as fmt


def test_trend_weeks_are_twelve_consecutive_iso_weeks_across_the_year():
    weeks = trend_weeks("2027-W01")
    assert len(weeks) == 12 and weeks[-1] == "2027-W01"
    assert weeks[-3:] == ["2026-W52", "2026-W53", "2027-W01"]  # 2026 has 53 ISO weeks
    assert trend_weeks("2026-W02")[:2] == ["2025-W43", "2025-W44"]


def test_fresh_counts_replace_their_weeks_and_keep_the_others():
    def counts(week: str, provider: str, sent: int) -> dict[str, object]:
        return {"week": week, "provider": provider, "sent": sent, "delivered": sent,
                "hard": 0, "soft": 0, "undetermined": 0, "complaints": 0}  # fmt: skip

    stored = pl.DataFrame(
        [counts("2026-W45", "Google", 10), counts("2026-W46", "Google", 20)], schema=TREND_SCHEMA
    )
    fresh = pl.DataFrame([counts("2026-W46", "Google", 25)], schema=TREND_SCHEMA)
    merged = merge_counts(stored, fresh)
    assert merged.select("week", "sent").rows() == [("2026-W45", 10), ("2026-W46", 25)]


def test_the_trend_of_the_report_week_agrees_with_its_provider_rates():
    report = weekly.build_weekly_report(sample_inputs())
    now = report.trend.filter(pl.col("week") == report.week)
    joined = now.join(report.providers, on="provider", suffix="_rates")
    assert joined.height == report.providers.height
    for row in joined.iter_rows(named=True):
        assert row["sent"] == row["sent_rates"]
        assert row["bounce_rate"] == pytest.approx(row["bounce_rate_rates"])
        assert row["complaint_rate"] == pytest.approx(row["complaint_rate_rates"])
    table = weekly.trend_table(report)
    assert list(table.columns) == ["Anbieter", *[f"KW {w[-2:]}" for w in trend_weeks(report.week)]]
    assert (table["KW 36"] == "–").all()  # no data that far back
    google = now.row(by_predicate=pl.col("provider") == "Google", named=True)
    assert table.set_index("Anbieter").loc["Google", "KW 47"] == fmt.percent(google["bounce_rate"])


def test_the_state_folder_carries_the_trend_past_the_inputs(tmp_path: Path):
    state = tmp_path / "sperrliste"
    early, late = sample_inputs()[:2], sample_inputs()[2:]
    weekly.build_weekly_report(early, state_dir=state)
    report = weekly.build_weekly_report(late, state_dir=state)
    weeks = set(report.trend.get_column("week"))
    assert weeks == {"2026-W44", "2026-W45", "2026-W46", "2026-W47"}
    alone = weekly.build_weekly_report(late)
    assert set(alone.trend.get_column("week")) == {"2026-W46", "2026-W47"}
    # the stored weeks are the same figures the early run computed from its inputs
    early_only = weekly.build_weekly_report(early).trend.sort("week", "provider")
    kept = report.trend.filter(pl.col("week").is_in(["2026-W44", "2026-W45"])).sort(
        "week", "provider"
    )
    assert kept.select("week", "provider", "sent", "bounces").equals(
        early_only.select("week", "provider", "sent", "bounces")
    )
