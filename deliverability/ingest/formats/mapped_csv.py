"""Any CSV export (CRM, ESP statistics …) mapped onto the event schema by a mapping file.

A mapping (TOML) names the file's column for each schema column (`[columns]`), fixed values
for columns the file lacks (`[constants]`), and translations of the file's values
(`[values.<schema column>]`, compared without case); `[skip]` lists values whose rows are
left out by design (counted as skipped), `timezone` the zone of times without an offset when
the export has a fixed one (a message trace is in UTC). `detect` lists header columns that
identify the export for auto-detection. Shipped mappings live in `ingest/mappings/`.
A value a translation does not know rejects the row (never guessed). A first line
`#TYPE …` (PowerShell's `Export-Csv`) is not the header and is passed over.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from deliverability.errors import ConfigError, InputError
from deliverability.ingest.finish import TEXT_COLUMNS, finish
from deliverability.ingest.generic_csv import _split_records, field_count_problem
from deliverability.ingest.result import FileStats
from deliverability.ingest.text import detect_delimiter, read_text
from deliverability.schema import REJECTS_SCHEMA
from deliverability.text_expr import format_text

MAPPING_DIR = Path(__file__).resolve().parent.parent / "mappings"
#: Schema columns a mapping can fill (the columns a format hands to `finish`).
TARGETS = ("timestamp", *(c for c in TEXT_COLUMNS if not c.startswith("__")))


@dataclass(frozen=True)
class Mapping:
    name: str
    key: str
    columns: dict[str, str]
    constants: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    detect: tuple[str, ...] = ()
    skip: dict[str, tuple[str, ...]] = field(default_factory=dict)
    timezone: str | None = None


def _table(raw: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"Zuordnungsdatei {path}: „{key}“ muss ein Abschnitt [{key}] sein.")
    return value


def _text(value: object, where: str, path: Path) -> str:
    """A column name, constant or translation: text (a number is taken as written)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ConfigError(f"Zuordnungsdatei {path}: „{where}“ muss ein Text sein.")
    return str(value)


def _texts(value: object, where: str, path: Path) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"Zuordnungsdatei {path}: „{where}“ muss eine Liste von Texten sein.")
    return tuple(_text(item, where, path) for item in value)


def read_mapping(path: Path, key: str | None = None) -> Mapping:
    """A mapping file; every problem (syntax, a value of the wrong type, an unknown target
    column, a missing required column) is one German error naming the file and the key."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Zuordnungsdatei {path} nicht gefunden.") from None
    except OSError as error:
        raise ConfigError(
            f"Zuordnungsdatei {path} kann nicht gelesen werden ({error.strerror})."
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"Zuordnungsdatei {path}: kein gültiges TOML ({error}).") from None
    columns = {
        str(k): _text(v, f"columns.{k}", path) for k, v in _table(raw, "columns", path).items()
    }
    constants = {
        str(k): _text(v, f"constants.{k}", path) for k, v in _table(raw, "constants", path).items()
    }
    unknown = sorted((set(columns) | set(constants)) - set(TARGETS))
    if unknown:
        raise ConfigError(
            f"Zuordnungsdatei {path}: unbekannte Zielspalte „{unknown[0]}“; möglich: "
            f"{', '.join(TARGETS)}."
        )
    for required in ("timestamp", "recipient", "event"):
        if required not in columns and required not in constants:
            raise ConfigError(
                f"Zuordnungsdatei {path}: „{required}“ fehlt unter [columns] oder [constants]."
            )
    values = {}
    for target, table in _table(raw, "values", path).items():
        if not isinstance(table, dict):
            raise ConfigError(
                f"Zuordnungsdatei {path}: „values.{target}“ muss ein Abschnitt "
                f"[values.{target}] sein."
            )
        values[str(target)] = {
            str(k).lower(): _text(v, f"values.{target}.{k}", path) for k, v in table.items()
        }
    skip = {
        str(target): tuple(v.lower() for v in _texts(listed, f"skip.{target}", path))
        for target, listed in _table(raw, "skip", path).items()
    }
    zone = raw.get("timezone")
    if zone is not None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(_text(zone, "timezone", path))
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"Zuordnungsdatei {path}: „{zone}“ ist keine Zeitzone (z. B. UTC, Europe/Berlin)."
            ) from None
    return Mapping(
        name=_text(raw.get("name", path.stem), "name", path),
        key=key or str(path),
        columns=columns,
        constants=constants,
        values=values,
        detect=tuple(c.lower() for c in _texts(raw.get("detect", []), "detect", path)),
        skip=skip,
        timezone=str(zone) if zone else None,
    )


@cache
def shipped_mappings() -> tuple[Mapping, ...]:
    return tuple(read_mapping(p, p.stem) for p in sorted(MAPPING_DIR.glob("*.toml")))


def find_mapping(name_or_path: str) -> Mapping:
    for mapping in shipped_mappings():
        if mapping.key == name_or_path:
            return mapping
    path = Path(name_or_path)
    if path.exists():
        return read_mapping(path)
    raise ConfigError(
        f"Unbekannte Zuordnung „{name_or_path}“. Mitgeliefert: "
        f"{', '.join(m.key for m in shipped_mappings()) or '(keine)'}; oder Pfad einer TOML-Datei."
    )


def detect_mapping(head: str) -> Mapping | None:
    """The shipped mapping whose `detect` columns all appear in the header line."""
    first = _header_line(head).lower()
    for delimiter in (";", ",", "\t"):
        names = {n.strip().strip('"') for n in first.split(delimiter)}
        for mapping in shipped_mappings():
            if mapping.detect and set(mapping.detect) <= names:
                return mapping
    return None


#: The line PowerShell's `Export-Csv` writes before the header (Windows PowerShell 5.1).
_TYPE_LINE = "#TYPE "


def _header_line(text: str) -> str:
    lines = text.lstrip("\ufeff").split("\n", 2)
    first = lines[0]
    if first.startswith(_TYPE_LINE) and len(lines) > 1:
        first = lines[1]
    return first.rstrip("\r")


def load(
    path: Path, timezone: str, mapping: Mapping
) -> tuple[pl.DataFrame, pl.DataFrame, FileStats]:
    decoded = read_text(path)
    text, offset = decoded.text.lstrip("\ufeff"), 0
    if text.startswith(_TYPE_LINE):
        text, offset = text.split("\n", 1)[1] if "\n" in text else "", 1
    delimiter = detect_delimiter(text.split("\n", 1)[0], path)
    header, rows = _split_records(text, delimiter, path)
    rows = rows.with_columns(pl.col("__line") + offset)
    names = [h.strip().strip('"').lstrip("\ufeff").lower() for h in header]
    missing = [c for c in mapping.columns.values() if c.lower() not in names]
    if missing:
        raise InputError(
            f"Spalte „{missing[0]}“ der Zuordnung „{mapping.name}“ fehlt; vorhanden: "
            f"{', '.join(header)}.",
            path=path,
            line=1,
            field=missing[0],
        )
    twice = [c for c in dict.fromkeys(mapping.columns.values()) if names.count(c.lower()) > 1]
    if twice:
        raise InputError(
            f"Die Spalte „{twice[0]}“ steht {names.count(twice[0].lower())}-mal in der "
            "Kopfzeile; welche gilt, ist nicht eindeutig. Bitte die doppelten umbenennen oder "
            "entfernen.",
            path=path,
            line=1,
            field=twice[0],
        )
    blank = pl.col("__raw").str.strip_chars().str.len_chars() == 0
    skipped_blank = int(rows.select(blank.sum()).item())
    rows = rows.filter(~blank)
    columns: dict[str, pl.Expr] = {}
    problems: list[tuple[str, pl.Expr]] = []
    written: dict[str, pl.Expr] = {}  # the values as the file has them (before translation)
    for target in TARGETS:
        if target in mapping.columns:
            source = f"c{names.index(mapping.columns[target].lower())}"
            value = pl.col(source).str.strip_chars().replace("", None)
        elif target in mapping.constants:
            value = pl.lit(mapping.constants[target])
        else:
            continue
        written[target] = value
        if target in mapping.values:
            table = mapping.values[target]
            translated = value.str.to_lowercase().replace_strict(
                table, default=None, return_dtype=pl.String
            )
            problems.append(
                (
                    mapping.columns.get(target, target),
                    pl.when(value.is_not_null() & translated.is_null()).then(
                        format_text(
                            f"Wert „{{}}“ ist in der Zuordnung für {target} nicht vorgesehen "
                            f"({', '.join(sorted(table))}).",
                            value,
                        )
                    ),
                )
            )
            value = translated
        columns[target] = value
    problems.append(("(Zeile)", field_count_problem(len(header))))
    skipped = pl.any_horizontal(
        [
            written[target].str.to_lowercase().is_in(values)
            for target, values in mapping.skip.items()
            if target in written
        ]
        or [pl.lit(False)]
    ).fill_null(False)
    entries = rows.select(
        "__line",
        "__raw",
        **columns,
        __event_raw=columns.get("event", pl.lit(None, dtype=pl.String)),
        __problem_field=pl.concat_str(
            [pl.when(e.is_not_null()).then(pl.lit(n)) for n, e in problems],
            separator=", ",
            ignore_nulls=True,
        ),
        __problem=pl.concat_str([e for _, e in problems], separator=" ", ignore_nulls=True),
        __skip=skipped,
    )
    return finish(
        entries,
        path=path,
        format_name=f"mapping:{mapping.key}",
        timezone=mapping.timezone or timezone,
        encoding=decoded.encoding,
        parse_rejects=pl.DataFrame(schema=REJECTS_SCHEMA),
        blank=skipped_blank,
        delimiter=delimiter,
    )
