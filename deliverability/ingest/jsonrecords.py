"""Reading JSON event exports: one document per line (JSON lines), a JSON array, or one object.

Records are parsed by polars against a schema of the fields a format uses (unknown fields
are ignored, scalars are read as text). A line that is not a JSON object is rejected with
its line number and raw text; the rest loads. Line numbers are kept for every record.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from deliverability.errors import InputError
from deliverability.ingest.finish import finish
from deliverability.ingest.result import FileStats
from deliverability.ingest.text import read_text
from deliverability.schema import REJECTS_SCHEMA

LINE, RAW = "__line", "__raw"


@dataclass(frozen=True)
class JsonRecords:
    """Parsed records (schema columns plus `__line` and `__raw`), rejects, and counts."""

    frame: pl.DataFrame
    rejects: pl.DataFrame
    read: int  # records (non-blank lines or array elements)
    blank: int
    encoding: str


def _reject_frame(path: Path, rows: list[tuple[int, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "file": [str(path)] * len(rows),
            "line": [line for line, _, _ in rows],
            "field": ["(Datensatz)"] * len(rows),
            "reason": [reason for _, reason, _ in rows],
            "raw": [raw for _, _, raw in rows],
        },
        schema=REJECTS_SCHEMA,
    )


def _parse(lines: pl.DataFrame, schema: pl.Schema) -> pl.DataFrame:
    payload = "\n".join(lines.get_column(RAW).to_list()).encode("utf-8")
    parsed = pl.read_ndjson(io.BytesIO(payload), schema=schema)
    return parsed.with_columns(lines.get_column(LINE), lines.get_column(RAW))


def _parse_pairs(pairs: list[tuple[int, str]], schema: pl.Schema) -> pl.DataFrame:
    """Records given as (line, JSON text) → the schema's columns plus line and raw text."""
    lines = pl.DataFrame(
        {LINE: [line for line, _ in pairs], RAW: [raw for _, raw in pairs]},
        schema={LINE: pl.Int64, RAW: pl.String},
    )
    if not lines.height:
        return pl.DataFrame(schema={**schema, LINE: pl.Int64, RAW: pl.String})
    return _parse(lines, schema)


def _array_elements(text: str, path: Path, start: int | None = None) -> list[tuple[int, Any, str]]:
    """(line, value, raw) of each element of the JSON array that opens at `start` (default:
    the first "[" of `text`). Lines are counted on from the previous element (linear)."""
    decoder = json.JSONDecoder()
    position = (text.index("[") if start is None else start) + 1
    counted_to, line_no = 0, 1
    elements: list[tuple[int, Any, str]] = []
    while True:
        while position < len(text) and text[position] in " \t\n\r,":
            position += 1
        if position >= len(text):
            raise InputError("Die JSON-Liste endet ohne „]“ (Datei abgeschnitten?).", path=path)
        if text[position] == "]":
            return elements
        line_no += text.count("\n", counted_to, position)
        counted_to, line = position, line_no
        try:
            value, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise InputError(
                f"Kein gültiges JSON ({error.msg}); die Datei ist vermutlich abgeschnitten.",
                path=path,
                line=text.count("\n", 0, error.pos) + 1,
            ) from None
        elements.append((line, value, text[position:end]))
        position = end


def _container_elements(
    text: str, key: str, count: int, path: Path
) -> list[tuple[int, Any, str]] | None:
    """The elements of the list under `key` of a pretty-printed document with their own line
    numbers, when the first `"key": [` of the text is that list (`count` elements)."""
    found = re.search(r'"' + re.escape(key) + r'"\s*:\s*\[', text)
    if found is None:
        return None
    try:
        elements = _array_elements(text, path, start=found.end() - 1)
    except InputError:
        return None
    return elements if len(elements) == count else None


def is_page(value: Any, containers: tuple[str, ...]) -> bool:
    """True for a wrapping object (an API page) whose `containers` key holds a list."""
    return isinstance(value, dict) and any(isinstance(value.get(k), list) for k in containers)


def _page_lines(text: str, path: Path) -> list[tuple[int, Any, str]]:
    """(line, value, raw) of each non-blank line of a file of compact JSON pages."""
    pages = []
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            pages.append((number, json.loads(raw), raw))
        except ValueError as error:
            raise InputError(
                f"Kein gültiges JSON ({error}); die Zeile ist vermutlich abgeschnitten.",
                path=path,
                line=number,
            ) from None
    return pages


def read_json_records(
    path: Path, schema: pl.Schema, containers: tuple[str, ...] = ()
) -> JsonRecords:
    """Read every record of a JSON export. `containers` are keys of a wrapping object whose
    list holds the records (e.g. Mailgun's `items`, Postmark's `Bounces`)."""
    decoded = read_text(path)
    text = decoded.text
    stripped = text.lstrip()
    if not stripped:
        raise InputError("Die Datei ist leer.", path=path)
    elements: list[tuple[int, Any, str]] | None = None
    if stripped.startswith("["):
        elements = _array_elements(text, path)
    else:
        first = stripped.split("\n", 1)[0]
        try:
            first_value = json.loads(first)
            single_line = True
        except ValueError:
            single_line = False
        if single_line and is_page(first_value, containers):
            elements = _page_lines(text, path)  # compact pages, one a line (as curl saves them)
        elif not single_line:  # one pretty-printed document
            try:
                document = json.loads(text)
            except json.JSONDecodeError as error:
                raise InputError(
                    f"Kein gültiges JSON ({error.msg}); die Datei ist vermutlich abgeschnitten "
                    "oder keine JSON-Datei.",
                    path=path,
                    line=error.lineno,
                ) from None
            elements = [(text.count("\n", 0, len(text) - len(stripped)) + 1, document, stripped)]
    if elements is not None:
        unwrapped: list[tuple[int, Any, str]] = []
        for line, value, raw in elements:
            key = next(
                (
                    k
                    for k in containers
                    if isinstance(value, dict) and isinstance(value.get(k), list)
                ),
                None,
            )
            if key is None:
                unwrapped.append((line, value, raw))
                continue
            inner: list[Any] = value[key]
            placed = _container_elements(raw, key, len(inner), path) if len(elements) == 1 else None
            if placed is not None:
                unwrapped += [(line + at - 1, item, item_raw) for at, item, item_raw in placed]
            else:
                unwrapped += [(line, item, json.dumps(item, ensure_ascii=False)) for item in inner]
        good = [
            (line, json.dumps(v, ensure_ascii=False))
            for line, v, _ in unwrapped
            if isinstance(v, dict)
        ]
        bad = [
            (line, "Der Datensatz ist kein JSON-Objekt.", raw[:2000])
            for line, v, raw in unwrapped
            if not isinstance(v, dict)
        ]
        frame = _parse_pairs(good, schema)
        return JsonRecords(frame, _reject_frame(path, bad), len(unwrapped), 0, decoded.encoding)
    # JSON lines: one record per non-blank line
    pieces = text.split("\n")
    if pieces and pieces[-1] == "":
        pieces.pop()  # the newline at the end of the file
    all_lines = pl.DataFrame({RAW: pieces}).with_row_index(LINE, offset=1)
    all_lines = all_lines.with_columns(pl.col(LINE).cast(pl.Int64))
    blank = all_lines.get_column(RAW).str.strip_chars().str.len_chars() == 0
    lines = all_lines.filter(~blank)
    try:
        frame = _parse(lines, schema)
        rejected: list[tuple[int, str, str]] = []
    except pl.exceptions.ComputeError:
        valid, rejected = [], []
        for line, raw in lines.iter_rows():
            try:
                value = json.loads(raw)
            except ValueError as error:
                rejected.append(
                    (line, f"Kein gültiges JSON ({error}); Zeile abgeschnitten oder Müll?", raw)
                )
                continue
            if isinstance(value, dict):
                valid.append((line, raw))
            else:
                rejected.append((line, "Der Datensatz ist kein JSON-Objekt.", raw))
        frame = _parse_pairs(valid, schema)
    return JsonRecords(
        frame,
        _reject_frame(path, rejected),
        lines.height,
        int(blank.sum()),
        decoded.encoding,
    )


def finish_records(
    entries: pl.DataFrame, records: JsonRecords, path: Path, format_name: str, timezone: str
) -> tuple[pl.DataFrame, pl.DataFrame, FileStats]:
    """`finish` for a JSON format: the parse rejects and blank lines of `records` included."""
    return finish(
        entries,
        path=path,
        format_name=format_name,
        timezone=timezone,
        encoding=records.encoding,
        parse_rejects=records.rejects,
        blank=records.blank,
    )
