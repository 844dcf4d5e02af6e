"""The report's findings: what needs the analyst's attention, with texts as data
(`findings.toml`, each with its source), checked at load."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from deliverability.errors import ConfigError

_DATA = Path(__file__).with_name("findings.toml")
SEVERITIES = ("alarm", "warnung", "hinweis")
#: How a severity is written for people (a word, not a symbol that needs a font).
SEVERITY_LABELS = {"alarm": "Kritisch", "warnung": "Warnung", "hinweis": "Hinweis"}
_PARTS = ("title", "what", "meaning", "action")


def severity_badge(severity: str) -> str:
    """The severity as a word on a coloured badge (classes of the report's stylesheet)."""
    label = SEVERITY_LABELS[severity]
    return f'<span class="stufe stufe-{label.lower()}">{label}</span>'


@dataclass(frozen=True)
class Finding:
    """One item that needs the analyst's attention, in three parts."""

    title: str
    what: str
    meaning: str
    action: str
    severity: str  # "alarm" | "warnung" | "hinweis"


@cache
def finding_texts() -> dict[str, dict[str, str]]:
    """Kind of finding → its texts, validated."""
    with _DATA.open("rb") as handle:
        raw = tomllib.load(handle)
    for kind, entry in raw.items():
        missing = [key for key in (*_PARTS, "source") if not entry.get(key)]
        unknown = sorted(set(entry) - {*_PARTS, "source", "severity"})
        if missing or unknown:
            raise ConfigError(
                f"{_DATA.name} [{kind}]: fehlt {', '.join(missing) or '–'}; "
                f"unbekannt {', '.join(unknown) or '–'}."
            )
        if entry.get("severity", SEVERITIES[0]) not in SEVERITIES:
            raise ConfigError(
                f"{_DATA.name} [{kind}]: unbekannte Dringlichkeit {entry['severity']}."
            )
    return raw


def finding(kind: str, severity: str | None = None, **fields: object) -> Finding:
    """The finding of one kind with its fields filled in; `severity` where the data leaves it
    to the report."""
    entry = finding_texts()[kind]
    level = severity or entry.get("severity")
    if level not in SEVERITIES:
        raise ConfigError(f"{_DATA.name} [{kind}]: keine Dringlichkeit angegeben.")
    title, what, meaning, action = (entry[part].format(**fields) for part in _PARTS)
    return Finding(title, what, meaning, action, level)
