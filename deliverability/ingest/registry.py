"""All source formats, auto-detection by content, and loading a mixed set of files."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import TypeVar

import polars as pl

from deliverability.bounces.sources import is_maildir, iter_mail_files
from deliverability.errors import InputError
from deliverability.ingest.fast_csv import load_generic_csv_fast, load_generic_csv_normalized
from deliverability.ingest.formats import (
    bounce_mails,
    brevo,
    brevo_events,
    brevo_log,
    google_els,
    hubspot_events,
    hubspot_recipients,
    m365_extended,
    m365_report,
    mailchimp_activity,
    mailgun,
    mailjet,
    mailjet_messages,
    mandrill_activity,
    mapped_csv,
    postfix,
    postmark,
    sendgrid,
    ses,
    zoho_crm,
)
from deliverability.ingest.generic_csv import load_generic_csv
from deliverability.ingest.result import FileProgress, FileStats
from deliverability.ingest.text import check_input, read_head
from deliverability.schema import COLUMNS, REJECTS_SCHEMA, conform

Loaded = tuple[pl.DataFrame, pl.DataFrame, FileStats]


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    sniff: Callable[[str], bool]
    load: Callable[[Path, str], Loaded] | None = None
    load_group: Callable[[list[Path], str], list[Loaded]] | None = None

    @classmethod
    def of(cls, module: ModuleType) -> Format:
        """The format a module of `ingest.formats` defines (`NAME`, `LABEL`, `sniff` and
        `load`, or `load_group` for formats whose files belong together)."""
        return cls(
            module.NAME,
            module.LABEL,
            module.sniff,
            getattr(module, "load", None),
            getattr(module, "load_group", None),
        )


def _parquet_sniff(head: str) -> bool:
    return head.startswith("PAR1")


def _parquet_load(path: Path, timezone: str) -> Loaded:
    """Events written by `deliverability load` (the canonical schema as Parquet)."""
    try:
        frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as error:
        raise InputError(f"Die Parquet-Datei ist nicht lesbar ({error}).", path=path) from None
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"Die Parquet-Datei hat nicht das Ereignisschema; es fehlen: {', '.join(missing)}.",
            path=path,
            field=missing[0],
        )
    events = conform(frame.lazy()).collect()
    stats = FileStats(
        path=str(path),
        format="parquet",
        encoding="Parquet",
        delimiter="",
        read=events.height,
        loaded=events.height,
        rejected=0,
        skipped_blank=0,
    )
    return events, pl.DataFrame(schema=REJECTS_SCHEMA), stats


def _generic_sniff(head: str) -> bool:
    first = head.split("\n", 1)[0].lower().lstrip("\ufeff")
    return all(name in first for name in ("timestamp", "recipient", "event"))


def _generic_load(path: Path, timezone: str) -> Loaded:
    """Every generic CSV takes the streaming path (`fast_csv`), gzip and German Excel files
    (cp1252, byte-order mark) through a decoded copy; files it cannot read exactly (short
    rows, quoted line breaks, too many fields) take the eager loader."""
    if path.is_file():
        loaded = load_generic_csv_fast(path, timezone) or load_generic_csv_normalized(
            path, timezone
        )
        if loaded is not None:
            return loaded
    return load_generic_csv(path, timezone=timezone)


#: In detection order: the most specific content first.
FORMATS: tuple[Format, ...] = (
    Format("parquet", "Parquet (Ereignisschema)", _parquet_sniff, _parquet_load),
    Format.of(bounce_mails),
    Format.of(ses),
    Format.of(sendgrid),
    Format.of(mailgun),
    Format.of(postmark),
    Format.of(brevo),
    Format.of(brevo_events),
    Format.of(mailjet),
    Format.of(mailjet_messages),
    Format.of(hubspot_events),
    Format.of(zoho_crm),
    Format.of(mailchimp_activity),
    Format.of(postfix),
    Format.of(m365_report),
    Format.of(m365_extended),
    Format.of(google_els),
    Format.of(brevo_log),
    Format.of(hubspot_recipients),
    Format.of(mandrill_activity),
    Format("generic_csv", "Generisches CSV (Ereignisschema)", _generic_sniff, _generic_load),
)
BY_NAME = {f.name: f for f in FORMATS}


def format_label(name: str) -> str:
    """The German name of a format (or of a shipped mapping) as the commands print it."""
    if name.startswith("mapping:"):
        return f"CSV mit Zuordnung {name.removeprefix('mapping:')}"
    found = BY_NAME.get(name)
    return found.label if found else name


def format_names() -> list[str]:
    return [f.name for f in FORMATS] + [f"mapping:{m.key}" for m in mapped_csv.shipped_mappings()]


def _is_mail(path: Path) -> bool:
    """Whether detection takes the file for a bounce mail (one it cannot judge is none)."""
    try:
        return detect_format(path) == bounce_mails.NAME
    except InputError:
        return False


def expand_folders(paths: Iterable[Path]) -> list[Path]:
    """A folder stands for every file in it, as Spark lists them (subfolders too, hidden files
    left out, in name order, each real file once), so that a folder of exports is read in
    full. A Maildir, or a folder that holds only mails, stays one bounce source."""
    expanded: list[Path] = []
    for path in paths:
        if not path.is_dir() or is_maildir(path):
            expanded.append(path)
            continue
        files = list(iter_mail_files([path]))
        if all(_is_mail(file) for file in files):
            expanded.append(path)
        else:
            expanded += files
    return expanded


def detect_format(path: Path) -> str:
    """The format of a file (or Maildir folder), judged from its content."""
    if path.is_dir() or bounce_mails.is_outlook_file(path):
        return bounce_mails.NAME
    head = read_head(path)
    if not head.strip():
        raise InputError("Die Datei ist leer; es gibt nichts zu laden.", path=path)
    for candidate in FORMATS:
        if candidate.sniff(head):
            return candidate.name
    mapping = mapped_csv.detect_mapping(head)
    if mapping is not None:
        return f"mapping:{mapping.key}"
    first = head.split("\n", 1)[0].strip()
    if first and first[0] not in "{[" and any(d in first for d in ",;\t"):
        # a CSV of no known export: the generic loader names the missing columns
        return "generic_csv"
    tried = "; ".join(
        [f.label for f in FORMATS] + [f"Zuordnung {m.key}" for m in mapped_csv.shipped_mappings()]
    )
    raise InputError(
        f"Das Format wurde nicht erkannt. Geprüft: {tried}. Bitte mit --format angeben "
        "(oder für eigene CSV-Exporte eine Zuordnungsdatei mit --format mapping:DATEI.toml).",
        path=path,
    )


T = TypeVar("T")


def _guarded(path: Path, load: Callable[[], T]) -> T:
    """`load()`, with nesting too deep for the parsers (3,000 levels of MIME parts or JSON
    arrays) named as an input error of `path` instead of a crash."""
    try:
        return load()
    except RecursionError as error:
        raise InputError(
            "Die Datei ist zu tief verschachtelt (MIME-Teile oder JSON-Ebenen), um sie zu lesen; "
            "so sieht kein Export und keine Bounce-Mail aus.",
            path=path,
        ) from error


#: Files loaded at the same time: while polars reads one file on every core, the next one's
#: Python work (detection, sniffing, planning) runs beside it.
PARALLEL_FILES = 2


def load_files(
    paths: Iterable[Path],
    timezone: str,
    fmt: str | None = None,
    progress: FileProgress | None = None,
) -> list[Loaded]:
    """Load every file with its format (`fmt` for all, else detected per file), in order;
    `progress` is told after each file (files done, files in all, entries read). Files are
    loaded `PARALLEL_FILES` at a time; the first error in file order is raised."""
    paths = list(paths)
    for path in paths:
        check_input(path)
    paths = expand_folders(paths)
    chosen = [(path, fmt or detect_format(path)) for path in paths]
    results: dict[Path, Loaded] = {}
    groups: dict[str, list[Path]] = {}
    single: list[tuple[Path, Callable[[], Loaded]]] = []

    def loaded(path: Path, result: Loaded) -> None:
        results[path] = result
        if progress is not None:
            progress(len(results), len(chosen), result[2].read)

    for path, name in chosen:
        if name.startswith("mapping:"):
            mapping = mapped_csv.find_mapping(name.removeprefix("mapping:"))
            single.append((path, partial(mapped_csv.load, path, timezone, mapping)))
            continue
        if name not in BY_NAME:
            raise InputError(
                f"Unbekanntes Format „{name}“; möglich: {', '.join(format_names())} oder "
                "mapping:DATEI.toml.",
                path=path,
            )
        found = BY_NAME[name]
        if found.load_group is not None:
            groups.setdefault(name, []).append(path)
        elif found.load is not None:
            single.append((path, partial(found.load, path, timezone)))
    pool = ThreadPoolExecutor(PARALLEL_FILES)
    try:
        results_in_order = pool.map(lambda task: _guarded(*task), single)
        for (path, _), result in zip(single, results_in_order, strict=True):
            loaded(path, result)
    finally:
        pool.shutdown(cancel_futures=True)
    for name, members in groups.items():
        loader = BY_NAME[name].load_group
        assert loader is not None
        group = _guarded(members[0], partial(loader, members, timezone))
        for path, result in zip(members, group, strict=True):
            loaded(path, result)
    return [results[path] for path, _ in chosen]
