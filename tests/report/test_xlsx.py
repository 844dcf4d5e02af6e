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


def test_columns_are_as_wide_as_their_longest_value_or_header_word(tmp_path: Path):
    from datetime import datetime

    from deliverability.report.xlsx import (
        COUNT,
        PIXELS_AROUND,
        PIXELS_PER_CHARACTER,
        WIDEST,
        column_widths,
        write_sheets,
    )

    def pixels(characters: int) -> int:
        return characters * PIXELS_PER_CHARACTER + PIXELS_AROUND

    address = "eine.sehr.lange.adresse@beispiel-versand.de"
    frame = pl.DataFrame(
        {
            "Adresse": ["a@b.de", address],
            "versendet": [1_234_567, 3],
            "gesperrt am": [datetime(2026, 11, 16, 8, 30), None],
            "Bounce-Rate 95-%-Intervall von (%)": [0.01, 0.2],
            "Serverantwort": ["x" * 400, None],
        }
    )
    widths = column_widths(frame, {"versendet": COUNT})
    assert widths["Adresse"] == pixels(len(address))
    assert widths["versendet"] == pixels(len("1.234.567"))  # as Excel shows it
    assert widths["gesperrt am"] == pixels(len("16.11.2026 08:30:00"))
    assert widths["Bounce-Rate 95-%-Intervall von (%)"] == pixels(len("95-%-Intervall"))
    assert widths["Serverantwort"] == WIDEST  # Excel's widest column
    empty = column_widths(frame.clear(), {})
    assert empty["Adresse"] == pixels(len("Adresse"))
    book = openpyxl.load_workbook(write_sheets({"Blatt": frame}, tmp_path / "mappe.xlsx"))
    shown = book["Blatt"].column_dimensions["A"].width
    assert abs(shown - len(address)) < 3  # Excel's width unit is about one character
