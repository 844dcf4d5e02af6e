"""What every vendor CSV export format shares: reading, named columns, the width check, finish."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from deliverability.errors import InputError
from deliverability.ingest.finish import finish
from deliverability.ingest.generic_csv import _split_records, field_count_problem
from deliverability.ingest.result import FileStats
from deliverability.ingest.text import detect_delimiter, read_text
from deliverability.schema import REJECTS_SCHEMA

Loaded = tuple[pl.DataFrame, pl.DataFrame, FileStats]


def header_name(cell: str) -> str:
    """A header cell as the formats compare it: lower case, no quotes or BOM, single spaces."""
    return " ".join(cell.strip().strip('"').lstrip("\ufeff").lower().split())


def header_sets(head: str, delimiters: Sequence[str] = (",", ";", "\t")) -> list[set[str]]:
    """The names of the first line of `head`, split by each delimiter in turn (for sniffers)."""
    first = head.split("\n", 1)[0].rstrip("\r")
    return [{header_name(cell) for cell in first.split(d)} for d in delimiters]


@dataclass(frozen=True)
class CsvExport:
    """A CSV export read into rows of text (`c0`, `c1` … by position; blank rows removed)."""

    path: Path
    header: list[str]
    names: list[str]
    rows: pl.DataFrame
    blank: int
    encoding: str
    delimiter: str

    def column(self, name: str, empty: Sequence[str] = ("",)) -> pl.Expr:
        """The named column, stripped; the `empty` values (and a missing column) as null."""
        if name not in self.names:
            return pl.lit(None, dtype=pl.String)
        value = pl.col(f"c{self.names.index(name)}").str.strip_chars()
        return pl.when(value.is_in(list(empty))).then(None).otherwise(value)

    def width_problem(self) -> dict[str, pl.Expr]:
        """`__problem` and `__problem_field` for rows with another number of fields."""
        width = pl.col("__fields") != len(self.header)
        return {
            "__problem": field_count_problem(len(self.header)).fill_null(""),
            "__problem_field": pl.when(width).then(pl.lit("(Zeile)")).otherwise(pl.lit("")),
        }

    def finished(self, entries: pl.DataFrame, format_name: str, timezone: str) -> Loaded:
        return finish(
            entries,
            path=self.path,
            format_name=format_name,
            timezone=timezone,
            encoding=self.encoding,
            parse_rejects=pl.DataFrame(schema=REJECTS_SCHEMA),
            blank=self.blank,
            delimiter=self.delimiter,
        )


def read_export(
    path: Path,
    required: Sequence[str],
    rename: Callable[[list[str]], list[str]] = lambda names: names,
) -> CsvExport:
    """Read `path` (any encoding, delimiter); the header names must hold `required` (after
    `rename`), else a German error naming the first missing column."""
    decoded = read_text(path)
    delimiter = detect_delimiter(decoded.text.split("\n", 1)[0], path)
    header, rows = _split_records(decoded.text, delimiter, path)
    names = rename([header_name(cell) for cell in header])
    missing = [name for name in required if name not in names]
    if missing:
        raise InputError(
            f"Spalte „{missing[0]}“ fehlt; vorhanden: {', '.join(header)}.",
            path=path,
            line=1,
            field=missing[0],
        )
    blank = pl.col("__raw").str.strip_chars().str.len_chars() == 0
    return CsvExport(
        path=path,
        header=header,
        names=names,
        rows=rows.filter(~blank),
        blank=int(rows.select(blank.sum()).item()),
        encoding=decoded.encoding,
        delimiter=delimiter,
    )
