"""The workbook writer as its own process: tables handed over as Parquet, written where the
index says; a failure is one German sentence."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import polars as pl

from deliverability.report.xlsx import INDEX_FILE, load_sheets, save_sheets


def test_handed_over_tables_become_the_workbook_in_another_process(tmp_path: Path):
    sheets = {
        "Anbieter": pl.DataFrame({"Anbieter": ["Google", "GMX"], "versendet": [1200, 30]}),
        "Trend": pl.DataFrame({"Kalenderwoche": ["KW 47/2026"], "Bounce-Rate (%)": [0.0123]}),
    }
    target = tmp_path / "bericht" / "wochenbericht.xlsx"
    target.parent.mkdir()
    folder = save_sheets(sheets, tmp_path / "tabellen", target)
    assert (folder / INDEX_FILE).is_file()
    named, loaded = load_sheets(folder)
    assert named == target.resolve() and list(loaded) == list(sheets)
    done = subprocess.run(
        [sys.executable, "-m", "deliverability.report.xlsx", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Anbieter", "Trend"]
    assert book["Anbieter"]["B2"].value == 1200 and book["Anbieter"]["B2"].number_format == "#,##0"
    assert book["Trend"]["B2"].number_format == "0.00%"


def test_missing_tables_are_one_german_sentence(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "deliverability.report.xlsx", str(tmp_path / "fehlt")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert (
        done.stderr.startswith("Die Arbeitsmappe ") and "ließ sich nicht schreiben" in done.stderr
    )
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
