"""`--xlsx`: rates, replay, weekly and validate write the same tables as an Excel workbook,
with German headers and values and numbers as numbers."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest

from deliverability.cli import main
from deliverability.config import sample_inputs


def _sheet(path: Path, name: str) -> list[dict[str, object]]:
    rows = list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_rates_write_the_csv_and_the_same_figures_as_a_workbook(tmp_path: Path, capsys):
    out = tmp_path / "raten.csv"
    args = ["rates", *map(str, sample_inputs()), "--by", "provider", "--week", "2026-W47"]
    assert main([*args, "--out", str(out), "--csv", "standard", "--xlsx"]) == 0
    assert "Als Excel-Arbeitsmappe:" in capsys.readouterr().out
    csv_rows = {row["provider"]: row for row in pl.read_csv(out).iter_rows(named=True)}
    sheet = _sheet(out.with_suffix(".xlsx"), "Anbieter")
    assert len(sheet) == len(csv_rows)
    for row in sheet:
        expected = csv_rows[str(row["Anbieter"])]
        assert row["Kalenderwoche"] == "KW 47/2026"
        assert row["versendet"] == expected["sent"]  # a number, not text
        assert row["Bounce-Rate (%)"] == pytest.approx(expected["bounce_rate"], rel=1e-12)
    book = openpyxl.load_workbook(out.with_suffix(".xlsx"))
    header = [cell.value for cell in book["Anbieter"][1]]
    cell = book["Anbieter"].cell(row=2, column=header.index("Bounce-Rate (%)") + 1)
    assert cell.number_format == "0.00%"


def test_replay_writes_sends_and_days_as_sheets(tmp_path: Path):
    lines = ["requested_at;message_id;recipient;recipients"]
    lines += [f"23.11.2026 10:00;m{i};kunde{i}@beispiel.de;1" for i in range(350)]
    source = tmp_path / "sendungen.csv"
    source.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "nachspielen.csv"
    args = ["replay", str(source), "--profile", "zendesk-sell", "--out", str(out), "--xlsx"]
    assert main(args) == 0
    sends = _sheet(out.with_suffix(".xlsx"), "Je Sendung")
    assert len(sends) == 350
    assert sum(row["Ergebnis"] == "abgelehnt" for row in sends) == 50
    assert sends[0]["angefordert um"].hour == 10  # local time, a date Excel can sort
    days = _sheet(out.with_suffix(".xlsx"), "Je Tag")
    assert days[0]["abgelehnt"] == 50


def test_weekly_and_validate_write_their_workbooks(tmp_path: Path):
    folder = tmp_path / "woche"
    args = ["weekly", *map(str, sample_inputs()), "--week", "2026-W47", "--out", str(folder)]
    assert main([*args, "--xlsx"]) == 0
    book = openpyxl.load_workbook(folder / "woche.xlsx")
    assert {"Domains", "Anbieter", "Abgelehnte Zeilen"} <= set(book.sheetnames)
    source = tmp_path / "liste.csv"
    source.write_text("E-Mail;Name\nanna@beispiel.de;Anna\nkaputt;Bernd\n", encoding="utf-8")
    out = tmp_path / "pruefung"
    assert main(["validate", str(source), "--no-dns", "--out", str(out), "--xlsx"]) == 0
    results = _sheet(out / "pruefung.xlsx", "Ergebnisse")
    assert [row["Name"] for row in results] == ["Anna", "Bernd"]
    assert results[1]["Ergebnis"] == "ungültig"
    assert _sheet(out / "pruefung.xlsx", "Zurückgehalten")[0]["E-Mail"] == "kaputt"
