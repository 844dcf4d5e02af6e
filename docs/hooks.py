"""MkDocs hook: reference tables generated from the package's data files.

A page asks for a table with a marker line `<!-- tabelle: NAME -->`; the hook replaces it with
a Markdown table built from the data the package itself uses, so the documentation cannot
drift from the rules. `<!-- tabelle: formatbeispiele -->` shows each export format with the
start of its test file and what `load` makes of it, loaded while the site is built.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

_MARKER = re.compile(r"<!-- tabelle: ([a-z]+) -->")
_YES_NO = {True: "ja", False: "nein"}


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def _glossary() -> str:
    from deliverability.glossary import glossary

    rows: list[list[object]] = [
        [t.term, t.meaning, ", ".join(t.forbidden) or "–"] for t in glossary()
    ]
    return _table(["Begriff", "Bedeutung", "nicht"], rows)


def _reasons() -> str:
    from deliverability.taxonomy import reasons

    rows: list[list[object]] = [
        [f"`{r.id}`", r.label, r.side, r.nature, _YES_NO[r.suppress], r.action]
        for r in reasons().values()
    ]
    return _table(["Kennung", "Bezeichnung", "Seite", "Art", "sperrt", "Was tun?"], rows)


def _vendor_reasons() -> str:
    from deliverability.classify.rules import RULES_DIR

    with (RULES_DIR / "vendor_reasons.csv").open(encoding="utf-8", newline="") as handle:
        rows: list[list[object]] = [
            [r["vendor"], f"`{r['field']}`", r["value"], f"`{r['reason']}`" if r["reason"] else "–",
             r["source"]]
            for r in csv.DictReader(handle)
        ]  # fmt: skip
    return _table(["Anbieter", "Feld", "Wert", "Grund", "Quelle"], rows)


def _export_formats() -> str:
    from deliverability.suppression.exports import FORMATS

    rows: list[list[object]] = [
        [f"`{name}`", spec.title, ", ".join(f"`{column}`" for column, _ in spec.columns),
         _YES_NO[spec.header], spec.source]
        for name, spec in FORMATS.items()
    ]  # fmt: skip
    return _table(["Format", "Zielsystem", "Spalten", "Kopfzeile", "Beleg"], rows)


def _limit_profiles() -> str:
    from deliverability.limits.profile import load_profile, preset_names

    rows: list[list[object]] = []
    for key in preset_names():
        profile = load_profile(key)
        for rule in profile.rules:
            marker = " (Annahme)" if rule.assumption else ""
            rows.append([f"`{key}`", profile.name, f"{rule.label} → {rule.action_text}{marker}",
                         rule.source])  # fmt: skip
    return _table(["Profil", "Name", "Regel", "Quelle"], rows)


_FIXTURES = Path(__file__).parents[1] / "tests" / "fixtures"
_SAMPLE_LINES, _SAMPLE_WIDTH = 8, 150


def _sample_text(path: Path) -> str:
    """The first lines of a text fixture (any encoding `load` reads), long lines cut."""
    from deliverability.ingest.text import read_text

    lines = read_text(path).text.lstrip("\ufeff").splitlines()
    shown = [line if len(line) <= _SAMPLE_WIDTH else line[:_SAMPLE_WIDTH] + " …" for line in lines]
    more = len(lines) - _SAMPLE_LINES
    rest = [f"… ({more} weitere {'Zeile' if more == 1 else 'Zeilen'})"] if more > 0 else []
    return "\n".join(shown[:_SAMPLE_LINES] + rest)


def _format_samples() -> str:
    from deliverability.ingest import load_events
    from deliverability.ingest.registry import detect_format, format_label

    sections = []
    paths = sorted((_FIXTURES / "formats").iterdir()) + [_FIXTURES / "outlook" / "ndr-german.msg"]
    for path in paths:
        name = detect_format(path)
        result = load_events([path], timezone="Europe/Berlin")
        (stats,) = result.files
        sample = (
            "(Outlook-Nachricht, binär: eine Unzustellbarkeitsnachricht, wie Outlook sie speichert)"
            if path.suffix == ".msg"
            else _sample_text(path)
        )
        events = result.events.head(4).select("recipient", "event", "bounce_type", "reason")
        rows: list[list[object]] = [
            [value if value is not None else "–" for value in row] for row in events.rows()
        ]
        sections.append(
            f"### {format_label(name)}\n\n"
            f"Format `{name}`, Datei `tests/fixtures/{path.parent.name}/{path.name}`:\n\n"
            f"```text\n{sample}\n```\n\n"
            f"`deliverability load` liest {stats.read} "
            f"{'Eintrag' if stats.read == 1 else 'Einträge'}: {stats.loaded} geladen, "
            f"{stats.rejected} abgelehnt, {stats.skipped} bewusst übersprungen, "
            f"{stats.duplicates} doppelt. Die ersten Ereignisse:\n\n"
            + _table(["Empfänger", "Ereignis", "Bounce-Typ", "Grund"], rows)
        )
    return "\n\n".join(sections)


TABLES: dict[str, Callable[[], str]] = {
    "glossar": _glossary,
    "gruende": _reasons,
    "anbietergruende": _vendor_reasons,
    "exportformate": _export_formats,
    "limitprofile": _limit_profiles,
    "formatbeispiele": _format_samples,
}


def on_page_markdown(markdown: str, **_: Any) -> str:
    def table(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in TABLES:
            raise ValueError(f"Unbekannte Tabelle „{name}“ in der Dokumentation.")
        return TABLES[name]()

    return _MARKER.sub(table, markdown)
