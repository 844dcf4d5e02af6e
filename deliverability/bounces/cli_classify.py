"""`deliverability classify`: verdicts for bounce mails as JSON lines or CSV on stdout."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from deliverability.bounces.parse import classify_mails
from deliverability.bounces.verdict import VERDICT_FIELDS, BounceVerdict
from deliverability.cells import neutral_cell
from deliverability.errors import InputError

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


def write_verdicts(
    paths: Sequence[str | Path], fmt: str, out: TextIO, err: TextIO
) -> tuple[int, int, int]:
    """Classify the mails under `paths`; one record per failed recipient to `out`.

    Mails that are not bounces are listed on `err`. Returns (mails, records, not bounces).
    """
    writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
    if writer is not None:
        writer.writerow(VERDICT_FIELDS)
    mails = records = skipped = 0
    for result in classify_mails(paths):
        mails += 1
        failures = [v for v in result.verdicts if v.reason != "delivered"]
        if not failures:
            skipped += 1
            note = result.note or _NOTES.get(result.kind, "keine fehlgeschlagenen Empfänger")
            print(f"Keine Bounce-Mail: {result.file} ({note})", file=err)
            continue
        for verdict in failures:
            records += 1
            if writer is not None:
                writer.writerow(_csv_row(verdict))
            else:
                out.write(json.dumps(verdict.as_dict(), ensure_ascii=False) + "\n")
    return mails, records, skipped


def run(paths: Sequence[str], fmt: str) -> int:
    for path in paths:  # every path is checked before the first record is written
        if not Path(path).exists():
            raise InputError("Die Datei oder der Ordner existiert nicht.", path=path)
    mails, records, skipped = write_verdicts(paths, fmt, sys.stdout, sys.stderr)
    print(
        f"{mails} Mails gelesen, {records} fehlgeschlagene Empfänger, "
        f"{skipped} ohne Unzustellbarkeit.",
        file=sys.stderr,
    )
    return 0
