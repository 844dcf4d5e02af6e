"""Bounce verdicts as records: JSON lines or CSV rows, one per failed recipient, many mails on
all cores (what `deliverability classify` writes)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TextIO

from deliverability.bounces.parallel import map_mails
from deliverability.bounces.parse import classify_mail
from deliverability.bounces.sources import RawMail
from deliverability.bounces.verdict import VERDICT_FIELDS, BounceVerdict
from deliverability.cells import neutral_cell

#: German words for the kinds of mail that carry no failure.
_NOTES = {"delivered": "Zustellbestätigung, kein Fehler"}


def _csv_row(verdict: BounceVerdict) -> list[str]:
    values = verdict.as_dict()
    row = []
    for name in VERDICT_FIELDS:
        value = values[name]
        if value is None:
            row.append("")
        elif isinstance(value, bool):
            row.append("true" if value else "false")
        else:
            row.append(neutral_cell(str(value)))
    return row


@dataclass(frozen=True)
class Rendered:
    """One mail's output: its records as text, or why it has none."""

    lines: tuple[str, ...]
    skipped: str | None = None


def render_mail(mail: RawMail, fmt: str) -> Rendered:
    """Classify one mail and write its records (runs in the worker processes)."""
    try:
        result = classify_mail(mail)
    except RecursionError:  # thousands of nested MIME parts: no bounce looks like that
        return Rendered((), f"Nicht lesbar: {mail.file} (zu tief verschachtelte MIME-Teile)")
    failures = [v for v in result.verdicts if v.reason != "delivered"]
    if not failures:
        note = result.note or _NOTES.get(result.kind, "keine fehlgeschlagenen Empfänger")
        return Rendered((), f"Keine Bounce-Mail: {result.file} ({note})")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows(_csv_row(verdict) for verdict in failures)
        return Rendered(tuple(buffer.getvalue().splitlines(keepends=True)))
    return Rendered(tuple(json.dumps(v.as_dict(), ensure_ascii=False) + "\n" for v in failures))


def write_verdicts(
    paths: Sequence[str | Path], fmt: str, out: TextIO, err: TextIO
) -> tuple[int, int, int]:
    """Classify the mails under `paths`; one record per failed recipient to `out`.

    Mails that are not bounces are listed on `err`; many mails are read on all cores.
    Returns (mails, records, not bounces).
    """
    if fmt == "csv":
        csv.writer(out, lineterminator="\n").writerow(VERDICT_FIELDS)
    mails = records = skipped = 0
    for rendered in map_mails(partial(render_mail, fmt=fmt), paths):
        mails += 1
        if rendered.skipped is not None:
            skipped += 1
            print(rendered.skipped, file=err)
            continue
        records += len(rendered.lines)
        out.writelines(rendered.lines)
    return mails, records, skipped
