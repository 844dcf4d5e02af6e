"""The weekly report's workbook: one sheet per table, German headers, Excel number formats."""

from __future__ import annotations

import openpyxl
import polars as pl
import pytest

from deliverability.config import sample_inputs
from deliverability.report import weekly
from deliverability.report.weekly import build_weekly_report
from deliverability.report.workbook import write_workbook


@pytest.fixture(scope="module")
def report():
    return build_weekly_report(sample_inputs())


def test_workbook_has_a_sheet_per_table_with_numbers_as_numbers(report, tmp_path):
    book = openpyxl.load_workbook(write_workbook(report, tmp_path / "wochenbericht.xlsx"))
    assert book.sheetnames == [
        "Kennzahlen",
        "Anbieter",
        "Domains",
        "Gründe",
        "Auffälligkeiten",
        "Betroffene Adressen",
        "Neue Sperren",
        "Unter Beobachtung",
        "Ohne Ergebnis",
        "Trend",
        "Abgelehnte Zeilen",
    ]
    for sheet in book.worksheets:
        header = [cell.value for cell in sheet[1]]
        assert all(name and "_" not in name for name in header), sheet.title  # German
        assert sheet.freeze_panes == "A2", sheet.title  # the header stays in view
        if sheet.title != "Kennzahlen" or sheet.max_row > 1:
            (table,) = sheet.tables.values()  # an Excel table: filter and sort per column
            assert table.autoFilter is not None
    providers = book["Anbieter"]
    header = [cell.value for cell in providers[1]]
    rows = {
        row[0]: dict(zip(header, row, strict=True))
        for row in providers.iter_rows(min_row=2, values_only=True)
    }
    expected = report.providers.row(by_predicate=pl.col("provider") == "Google", named=True)
    assert rows["Google"]["versendet"] == expected["sent"]
    assert rows["Google"]["Bounce-Rate (%)"] == pytest.approx(expected["bounce_rate"])
    column = header.index("Bounce-Rate (%)")
    assert providers.cell(row=2, column=column + 1).number_format == "0.00%"
    assert providers.cell(row=2, column=header.index("versendet") + 1).number_format == "#,##0"
    new = book["Neue Sperren"]
    assert new.max_row - 1 == report.new_suppressions.height
    assert {cell.value for cell in new["B"][1:]} == {"Adresse gesperrt"}
    assert isinstance(new["E"][1].value.year, int)  # a date Excel can sort, in local time
    watch = book["Unter Beobachtung"]
    assert watch.max_row - 1 == report.suppression_state.filter(pl.col("status") == "watch").height
    assert book["Abgelehnte Zeilen"].max_row - 1 == report.load.rejects.height == 3
    trend = book["Trend"]
    assert trend.max_row - 1 == report.trend.height > 0
    assert {row[0] for row in trend.iter_rows(min_row=2, values_only=True)} == {
        f"KW {w[-2:]}/2026" for w in report.trend.get_column("week").unique()
    }
    pending = weekly.pending_domains(report)
    assert book["Ohne Ergebnis"].max_row - 1 == pending.height
    affected = book["Betroffene Adressen"]
    assert affected.max_row - 1 == weekly.affected_table(report).height > 0
    assert [cell.value for cell in affected[1]][:3] == ["Dringlichkeit", "Auffälligkeit", "Adresse"]
    severities = {row[0] for row in book["Auffälligkeiten"].iter_rows(min_row=2, values_only=True)}
    assert severities and severities <= {"Kritisch", "Warnung", "Hinweis"}
