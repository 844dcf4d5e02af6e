"""Excel-safe atomic CSV export and German formats."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from deliverability import export


def test_formula_injection_is_neutralized(tmp_path: Path):
    frame = pl.DataFrame(
        {
            "email": ['=HYPERLINK("x")', "+49", "-1", "@SUM(A1)", "\tx", "ok@x.de"],
            "events": [1, 2, -3, 4, 5, 6],
        }
    )
    path = export.write_csv(frame, tmp_path / "out.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("\"'=HYPERLINK") or lines[1].startswith("'=HYPERLINK")
    assert lines[2] == "'+49,2"
    assert lines[3] == "'-1,-3"
    assert lines[4] == "'@SUM(A1),4"
    assert lines[6] == "ok@x.de,6"


def test_excel_variant_has_bom_and_semicolon(tmp_path: Path):
    path = export.write_csv(
        pl.DataFrame({"a": ["ä"], "b": ["x"]}), tmp_path / "o.csv", delimiter=";", bom=True
    )
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["a;b", "ä;x"]


def test_crash_during_write_leaves_old_file_and_no_temporary(tmp_path: Path, monkeypatch):
    target = tmp_path / "sperrliste.csv"
    target.write_text("alt\n", encoding="utf-8")

    def broken_fsync(_fd: int) -> None:
        raise OSError("Datenträger voll")

    monkeypatch.setattr(export.os, "fsync", broken_fsync)
    with pytest.raises(Exception, match="Datenträger voll"):
        export.write_csv(pl.DataFrame({"email": ["neu@x.de"]}), target)
    assert target.read_text(encoding="utf-8") == "alt\n"
    assert [p.name for p in tmp_path.iterdir()] == ["sperrliste.csv"]


def test_finding_texts_are_data_with_sources():
    from deliverability.report.findings import SEVERITIES, finding, finding_texts

    texts = finding_texts()
    assert {"bounce_alert", "complaint_warn", "server_down", "limit_exceeded"} <= set(texts)
    assert all(entry["source"] for entry in texts.values())
    made = finding("complaint_warn", rate="0,50 %", threshold="0,1 %")
    assert made.title == "Beschwerderate erhöht" and "0,50 %" in made.what
    assert made.severity in SEVERITIES


def test_the_report_lists_the_latest_new_suppressions_and_the_csv_has_all():
    from deliverability import config
    from deliverability.report import weekly
    from deliverability.views import format as fmt

    report = weekly.build_weekly_report(config.sample_inputs())
    everything = weekly.new_suppressions_table(report, limit=None)
    shown = weekly.new_suppressions_table(report, limit=5)
    assert len(everything) == report.new_suppressions.height > 5
    assert len(shown) == 5
    assert shown.equals(everything.head(5))
    latest = report.new_suppressions.get_column("suppressed_at").max()
    assert shown.iloc[0]["Gesperrt am"] == fmt.timestamp(latest, report.timezone)


def test_a_past_week_shows_its_own_days_and_the_list_as_it_stood_at_its_end(tmp_path: Path):
    from datetime import timedelta

    from deliverability import config
    from deliverability.periods import week_end
    from deliverability.report import weekly

    latest = weekly.build_weekly_report(config.sample_inputs())
    past_week = weekly.previous_week(latest.week)
    past = weekly.build_weekly_report(config.sample_inputs(), past_week)
    end = week_end(past_week, past.timezone)
    days = past.daily.get_column("day")
    assert days.min() == (end - timedelta(days=14)).date()  # the week before, for comparison
    assert days.max() < end.date()
    assert past.suppressions.get_column("suppressed_at").max() < end
    assert 0 < past.suppressions.height < latest.suppressions.height
    written = {
        week: weekly.write_outputs(report, tmp_path)["sperrliste"].read_bytes()
        for week, report in ((latest.week, latest), (past_week, past))
    }
    assert written[latest.week] != written[past_week]


def test_the_explorer_lists_every_failed_mail_of_all_weeks_with_the_full_reply():
    import pandas as pd

    from deliverability import config
    from deliverability.report import weekly

    report = weekly.build_weekly_report(config.sample_inputs())
    table = weekly.failed_mails_table(report)
    failed = report.messages.filter(
        pl.col("outcome").is_in(["hard", "soft", "undetermined", "blocked"])
        | (pl.col("complained") > 0)
    )
    assert len(table) == failed.height
    assert set(table["Woche"]) == {f"KW {w[-2:]}/{w[:4]}" for w in failed["week"].unique()}
    assert len(set(table["Woche"])) > 1
    assert "Beschwerde" in set(table["Ergebnis"])
    longest = failed.get_column("diagnostic").drop_nulls().str.len_chars().max()
    assert table["Serverantwort"].str.len().max() == longest  # never cut
    stamps = pd.to_datetime(table["Versendet am"], format="%d.%m.%Y %H:%M")
    assert stamps.is_monotonic_decreasing
