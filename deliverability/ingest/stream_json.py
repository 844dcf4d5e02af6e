"""The streaming path for large JSON-lines exports of the vendor formats.

polars scans the file lazily against the format's schema; the format's own mapping and the
common checks run as one lazy query (`finish.scan_finished`). Used by `scan_events` for
large inputs: it yields the events only (entries that fail the checks are left out; line
numbers count records). `load_events` keeps reading JSON fully, with rejects and exact
lines.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import polars as pl

from deliverability.ingest.finish import scan_finished
from deliverability.ingest.formats import brevo, mailgun, mailjet, postmark, sendgrid, ses
from deliverability.ingest.jsonrecords import LINE, RAW, is_page

MODULES: dict[str, ModuleType] = {
    module.NAME: module for module in (mailjet, sendgrid, ses, mailgun, brevo, postmark)
}


def is_json_lines(path: Path, containers: tuple[str, ...] = ()) -> bool:
    """A plain (not gzip) file whose first line is a whole JSON object that is a record, not
    a page of records (an object whose `containers` key holds a list, as APIs return them)."""
    try:
        with path.open("rb") as handle:
            first = handle.readline(1 << 20)
    except OSError:
        return False
    if first[:2] == b"\x1f\x8b" or not first.strip().startswith(b"{"):
        return False
    try:
        value = json.loads(first)
    except ValueError:
        return False
    return isinstance(value, dict) and not is_page(value, containers)


def scan_json_lines(path: Path, format_name: str, timezone: str) -> pl.LazyFrame | None:
    """The lazy events of a JSON-lines export, or None when it needs the full reader."""
    module = MODULES.get(format_name)
    if module is None or not is_json_lines(path, getattr(module, "CONTAINERS", ())):
        return None
    records = pl.scan_ndjson(path, schema=module.SCHEMA).with_row_index(LINE, offset=1)
    records = records.with_columns(
        pl.col(LINE).cast(pl.Int64), pl.lit(None, dtype=pl.String).alias(RAW)
    )
    zone = "Europe/Berlin" if module is brevo else timezone  # Brevo's `date` is CET/CEST
    return scan_finished(module.entries(records), path, format_name, zone)
