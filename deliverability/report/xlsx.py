"""Tables to an Excel workbook: one sheet per table, numbers as numbers.

Written with XlsxWriter through polars' `write_excel`: shares as percent and counts with
thousands separators in Excel's own number formats (Excel shows them with the reader's
decimal comma), a frozen header row, an autofilter and fitted column widths on every sheet.

XlsxWriter writes some 130,000 cells a second; a large week's report (lists of 25,000
addresses) takes seconds. The scheduled report therefore hands the tables over as Parquet
files (`save_sheets`) and writes the workbook in a process of its own
(`python -m deliverability.report.xlsx TABELLEN`) while the notebook goes on.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from deliverability.errors import DeliverabilityError, ReportError
from deliverability.export import write_atomic, write_bytes_atomic
from deliverability.people_csv import table_words
from deliverability.views import format as fmt

PERCENT, COUNT = "0.00%", "#,##0"
#: Column widths in pixels per character and around the text (Calibri 11, Excel's default
#: font, as XlsxWriter's autofit measures it), and Excel's widest column (255 characters).
PIXELS_PER_CHARACTER, PIXELS_AROUND, WIDEST = 7, 14, 1790

#: Rows of data an Excel sheet holds (1,048,576 rows with the header).
EXCEL_ROWS = 1_048_575
#: The list of the handed-over tables, written last: once it exists, all tables are there.
INDEX_FILE = "blaetter.json"


def _formats(frame: pl.DataFrame) -> dict[str, str]:
    """Excel number formats: percent for shares, thousands separators for counts."""
    shares = {table_words().columns[c] for c in table_words().percent}
    formats: dict[str, str] = {}
    for name, dtype in frame.schema.items():
        if name in shares or name.endswith("(%)"):
            formats[name] = PERCENT
        elif dtype.is_integer():
            formats[name] = COUNT
        elif isinstance(dtype, pl.Datetime):
            formats[name] = "dd.mm.yyyy hh:mm:ss"
    return formats


def _shown_length(name: str, dtype: pl.DataType, number_format: str | None) -> pl.Expr:
    """The characters of the column's longest value as Excel shows it."""
    if isinstance(dtype, pl.Datetime):
        return pl.lit(len("31.12.2026 23:59:59"))
    if isinstance(dtype, pl.Date):
        return pl.lit(len("31.12.2026"))
    if number_format == PERCENT:
        return pl.lit(len("100.00%"))
    column = pl.col(name)
    if dtype.is_float():  # shown with two decimals
        return column.abs().floor().cast(pl.Int64).cast(pl.String).str.len_chars().max() + 3
    digits = column.cast(pl.String).str.len_chars().max()
    if number_format == COUNT:  # with thousands separators
        return digits + (digits - 1) // 3
    return digits


def column_widths(frame: pl.DataFrame, formats: dict[str, str]) -> dict[str, int]:
    """Each column as wide as its longest value as Excel shows it, and at least as its
    header's longest word (the header wraps), in pixels. Measured by polars on whole columns:
    XlsxWriter's autofit measures cell by cell, a fifth of a large workbook's time."""
    if not frame.columns:
        return {}
    shown = frame.select(
        _shown_length(name, dtype, formats.get(name)).fill_null(0).cast(pl.Int64).alias(name)
        for name, dtype in frame.schema.items()
    ).row(0, named=True)
    widths = {}
    for name in frame.columns:
        characters = max(shown[name], *(len(word) for word in name.split()))
        widths[name] = min(WIDEST, characters * PIXELS_PER_CHARACTER + PIXELS_AROUND)
    return widths


def write_sheets(sheets: dict[str, pl.DataFrame], path: Path) -> Path:
    """Write `sheets` (name → table, in order) as one workbook to `path` (atomically). A
    sheet named "Kennzahlen" keeps its decimals as they are."""
    from xlsxwriter import Workbook

    too_long = [name for name, frame in sheets.items() if frame.height > EXCEL_ROWS]
    if too_long:
        raise ReportError(
            f"Das Blatt „{too_long[0]}“ hätte {fmt.number(sheets[too_long[0]].height)} Zeilen; "
            f"ein Excel-Blatt fasst höchstens {fmt.number(EXCEL_ROWS)}. Die CSV-Dateien "
            f"enthalten alle Zeilen; {path} wurde nicht geschrieben."
        )

    def write(stream: object) -> None:
        with Workbook(stream, {"in_memory": True}) as book:
            for name, frame in sheets.items():
                formats = _formats(frame)
                frame.write_excel(
                    book,
                    worksheet=name,
                    header_format={"bold": True, "text_wrap": True, "valign": "top"},
                    column_formats=formats,  # type: ignore[arg-type]
                    dtype_formats={pl.Float64: "0.00"} if name != "Kennzahlen" else None,
                    autofilter=True,
                    column_widths=column_widths(frame, formats),  # type: ignore[arg-type]
                    freeze_panes=(1, 0),
                    table_style=None,
                    include_header=True,
                )

    write_atomic(path, write)  # type: ignore[arg-type]
    return path


def save_sheets(sheets: dict[str, pl.DataFrame], folder: Path, target: Path) -> Path:
    """Save `sheets` as Parquet files in `folder`, then the index that lists them and names
    the workbook to write (`target`)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for number, (name, frame) in enumerate(sheets.items()):
        file = f"{number:02d}.parquet"
        frame.write_parquet(folder / file, compression="lz4")
        files.append([file, name])
    index = {"target": str(target.resolve()), "sheets": files}
    write_bytes_atomic(json.dumps(index).encode("utf-8"), folder / INDEX_FILE)
    return folder


def load_sheets(folder: Path) -> tuple[Path, dict[str, pl.DataFrame]]:
    """The workbook to write and the tables `save_sheets` left in `folder`, in order."""
    index = json.loads((folder / INDEX_FILE).read_text(encoding="utf-8"))
    sheets = {name: pl.read_parquet(folder / file) for file, name in index["sheets"]}
    return Path(index["target"]), sheets


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m deliverability.report.xlsx TABELLEN`: the handed-over tables as the workbook
    their index names; a failure is one German sentence on stderr and exit status 1."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("Aufruf: python -m deliverability.report.xlsx TABELLENORDNER", file=sys.stderr)
        return 2
    folder = Path(args[0])
    target = folder / INDEX_FILE
    try:
        target, sheets = load_sheets(folder)
        write_sheets(sheets, target)
    except (OSError, ValueError, KeyError, DeliverabilityError) as error:
        print(f"Die Arbeitsmappe {target} ließ sich nicht schreiben: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
