"""Reading an address list in whatever layout it comes, and writing the three result files.

The input keeps its columns: `results.csv` adds `status`, `reason`, `reason_text` and
`suggestion` to every row; `clean.csv` (ready for import) and `held_back.csv` keep the input's
layout. Files are written atomically, in the input's delimiter (UTF-8; with BOM when the
delimiter is `;`, for German Excel). Cells of results.csv and held_back.csv (for people)
cannot start a formula; clean.csv is an import file and carries every value exactly as it
came (a `'` before `+49…@gmx.de` would import a different address).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from deliverability.cells import neutral_cell
from deliverability.errors import InputError
from deliverability.export import write_bytes_atomic
from deliverability.ingest.text import DELIMITERS, check_input, detect_delimiter, read_text
from deliverability.people_csv import CsvForm, table_words

#: Column names that hold the address when --column is not given (compared in lower case).
EMAIL_COLUMNS = (
    "email",
    "e-mail",
    "e_mail",
    "mail",
    "emailadresse",
    "e-mail-adresse",
    "email address",
)
ADDED_COLUMNS = ("status", "reason", "reason_text", "suggestion")


@dataclass(frozen=True)
class ResultFiles:
    """The three files a check writes and how many input rows went into each."""

    results: Path
    clean: Path
    held_back: Path
    clean_rows: int
    held_back_rows: int


@dataclass(frozen=True)
class AddressList:
    path: Path
    header: list[str]
    rows: list[list[str]]
    column: int  # index of the address column
    delimiter: str
    #: False for a bare list of addresses: the first line is data, `header` is made up, and
    #: clean.csv is written without one, like the input.
    has_header: bool = True
    #: Rows (0-based) that had more fields than the header; their surplus was joined back
    #: into the last column, and the check holds them back (`ragged_row`).
    ragged: frozenset[int] = frozenset()

    @property
    def emails(self) -> list[str]:
        return [row[self.column] if self.column < len(row) else "" for row in self.rows]


def _address_index(cells: list[str]) -> int | None:
    """The first cell that holds an address (the list has no header line then)."""
    return next((i for i, cell in enumerate(cells) if "@" in cell.strip(" <>\"'")), None)


def _fit(
    rows: list[list[str]], width: int, delimiter: str
) -> tuple[list[list[str]], frozenset[int]]:
    """Rows cut to `width` fields, a longer row's surplus joined into its last field."""
    ragged = frozenset(i for i, row in enumerate(rows) if len(row) > width)
    fitted = [
        [*row[: width - 1], delimiter.join(row[width - 1 :])] if i in ragged else row
        for i, row in enumerate(rows)
    ]
    return fitted, ragged


def read_address_list(path: Path, column: str | None = None) -> AddressList:
    """Read a CSV of any delimiter and encoding, also a bare one-column list of addresses
    with or without a header line; find the address column."""
    check_input(path, folders=False)
    decoded = read_text(path)
    first = decoded.text.split("\n", 1)[0]
    single = not any(mark in first for mark in DELIMITERS)
    delimiter = "," if single else detect_delimiter(first, path)
    reader = csv.reader(io.StringIO(decoded.text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration as error:
        raise InputError("Die Datei ist leer.", path=path) from error
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    names = [name.strip().lstrip("\ufeff") for name in header]
    lowered = [name.lower() for name in names]
    bare = _address_index(names)
    if not column and bare is not None and not any(n in EMAIL_COLUMNS for n in lowered):
        made_up = [f"Spalte {i + 1}" for i in range(len(names))]
        made_up[bare] = "email"
        fitted, ragged = _fit([names, *rows], len(names), delimiter)
        return AddressList(path, made_up, fitted, bare, delimiter, False, ragged)
    if column:
        if column.lower() not in lowered:
            raise InputError(
                f"Spalte „{column}“ nicht gefunden. Vorhanden: {', '.join(names)}.",
                path=path,
                line=1,
                field=column,
            )
        index = lowered.index(column.lower())
    else:
        matches = [i for i, name in enumerate(lowered) if name in EMAIL_COLUMNS]
        if not matches:
            raise InputError(
                "Keine Adressspalte gefunden; bitte mit --column angeben. "
                f"Vorhanden: {', '.join(names)}.",
                path=path,
                line=1,
            )
        index = matches[0]
    fitted, ragged = _fit(rows, len(names), delimiter)
    return AddressList(path, names, fitted, index, delimiter, True, ragged)


def _csv_bytes(
    header: list[str] | None, rows: list[list[str]], delimiter: str, *, for_people: bool = True
) -> bytes:
    """CSV text; cells that would start a formula are neutralised only `for_people` (an
    import file carries every value exactly as it came, `+49…@` included)."""
    cell = neutral_cell if for_people else str
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    if header is not None:
        writer.writerow([cell(name) for name in header])
    writer.writerows([cell(value or "") for value in row] for row in rows)
    prefix = "\ufeff" if delimiter == ";" else ""
    return (prefix + buffer.getvalue()).encode("utf-8")


def write_results(
    addresses: AddressList,
    results: pl.DataFrame,
    out_dir: Path,
    *,
    include_risky: bool = False,
    apply_suggestions: bool = False,
    form: CsvForm = "excel",
) -> ResultFiles:
    """Write results.csv, clean.csv and held_back.csv into `out_dir`.

    `apply_suggestions`: an address whose findings the typo suggestion repairs goes into
    clean.csv with the suggested domain, its original in an extra column
    `<address column>_original`.
    """
    added = results.select(ADDED_COLUMNS).rows()
    statuses = results.get_column("status").to_list()
    fixable = results.get_column("fixable").to_list()
    normalized = results.get_column("normalized").to_list()
    width = len(addresses.header)
    padded = [row + [""] * (width - len(row)) for row in addresses.rows]
    full = [
        row + [value or "" for value in extra] for row, extra in zip(padded, added, strict=True)
    ]
    allowed = {"ok", "risky"} if include_risky else {"ok"}
    clean_header = list(addresses.header)
    if apply_suggestions:
        clean_header.append(f"{addresses.header[addresses.column]}_original")
    clean, held = [], []
    for row, status, norm, extra, repairable in zip(
        padded, statuses, normalized, added, fixable, strict=True
    ):
        if status in allowed or (apply_suggestions and repairable):
            out = list(row)
            out[addresses.column] = norm or row[addresses.column]
            if apply_suggestions:
                suggestion = extra[3]
                out.append(row[addresses.column] if suggestion else "")
                if suggestion:
                    out[addresses.column] = suggestion
            clean.append(out)
        else:
            held.append(row + [value or "" for value in extra])
    files = ResultFiles(
        out_dir / "results.csv",
        out_dir / "clean.csv",
        out_dir / "held_back.csv",
        len(clean),
        len(held),
    )
    shown_header = clean_header if addresses.has_header else None
    clean_bytes = _csv_bytes(shown_header, clean, addresses.delimiter, for_people=False)
    write_bytes_atomic(clean_bytes, files.clean)
    header = [*addresses.header, *ADDED_COLUMNS]
    for rows, path in ((full, files.results), (held, files.held_back)):
        if form == "excel":
            german_header, german_rows = _in_german(header, rows, len(addresses.header))
            write_bytes_atomic(_csv_bytes(german_header, german_rows, ";"), path)
        else:
            write_bytes_atomic(_csv_bytes(header, rows, addresses.delimiter), path)
    return files


def _in_german(
    header: list[str], rows: list[list[str]], width: int
) -> tuple[list[str], list[list[str]]]:
    """The verdict columns (after the input's `width` columns) with German headers and
    values (`people_csv.toml`, table „validation“); the input's own columns stay."""
    words = table_words("validation")
    keep = [i for i, name in enumerate(header) if i < width or name not in words.drop]
    # column index → German words of its values, for the verdict columns
    values = {i: words.values.get(header[i], {}) for i in keep if i >= width}
    german = [header[i] if i < width else words.columns.get(header[i], header[i]) for i in keep]
    return german, [
        [values[i].get(row[i], row[i]) if i in values else row[i] for i in keep] for row in rows
    ]
