"""`deliverability load`: any supported export → one Parquet file of canonical events."""

from __future__ import annotations

import io
from pathlib import Path

from deliverability.export import write_bytes_atomic, write_csv
from deliverability.ingest import load_events
from deliverability.ingest.registry import BY_NAME
from deliverability.report import format as fmt


def _label(name: str) -> str:
    if name.startswith("mapping:"):
        return f"CSV mit Zuordnung {name.removeprefix('mapping:')}"
    found = BY_NAME.get(name)
    return found.label if found else name


def run_load(
    inputs: list[str], fmt_name: str | None, out: str, rejects: str | None, timezone: str
) -> int:
    result = load_events(inputs, timezone=timezone, format=fmt_name)
    target = Path(out)
    buffer = io.BytesIO()
    result.events.write_parquet(buffer)
    write_bytes_atomic(buffer.getvalue(), target)
    for stats in result.files:
        how = "vorgegeben" if fmt_name else "erkannt"
        parts = [
            f"{fmt.number(stats.loaded)} geladen",
            f"{fmt.number(stats.rejected)} abgelehnt",
        ]
        if stats.skipped:
            parts.append(f"{fmt.number(stats.skipped)} bewusst übersprungen")
        if stats.duplicates:
            parts.append(f"{fmt.number(stats.duplicates)} doppelt")
        print(
            f"{stats.path}: {_label(stats.format)} ({how}); {fmt.number(stats.read)} Einträge "
            f"gelesen = {' + '.join(parts)}"
        )
    print(f"{fmt.number(result.events.height)} Ereignisse in {target}")
    if result.rejects.height:
        reject_file = (
            Path(rejects) if rejects else target.with_name(f"{target.stem}_abgelehnte_zeilen.csv")
        )
        write_csv(result.rejects, reject_file)
        print(
            f"{fmt.number(result.rejects.height)} abgelehnte Einträge mit Grund in: {reject_file}"
        )
    return 0
