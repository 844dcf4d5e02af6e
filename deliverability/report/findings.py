"""The report's findings: what needs the analyst's attention, with texts as data
(`findings.toml`, each with its source), checked at load."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from deliverability.errors import ConfigError

if TYPE_CHECKING:
    import polars as pl

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
    #: the addresses behind it, one row per address (`report.affected`); None where a
    #: finding is about the sending, not about addresses
    affected: pl.DataFrame | None = None


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


def finding(
    kind: str,
    severity: str | None = None,
    listed: pl.DataFrame | None = None,
    **fields: object,
) -> Finding:
    """The finding of one kind with its fields filled in; `severity` where the data leaves it
    to the report; `listed` the addresses behind it."""
    entry = finding_texts()[kind]
    level = severity or entry.get("severity")
    if level not in SEVERITIES:
        raise ConfigError(f"{_DATA.name} [{kind}]: keine Dringlichkeit angegeben.")
    title, what, meaning, action = (entry[part].format(**fields) for part in _PARTS)
    return Finding(title, what, meaning, action, level, listed)


def as_markdown(item: Finding, listed_in: str) -> str:
    """A finding for the report: severity badge and title, its three parts, and the addresses
    behind it (`listed_in` says where the whole list is)."""
    from deliverability.report.affected import affected_summary

    text = (
        f"### {severity_badge(item.severity)} {item.title}\n\n"
        f"**Was ist passiert?** {item.what}\n\n"
        f"**Was bedeutet das?** {item.meaning}\n\n"
        f"**Was können Sie tun?** {item.action}"
    )
    if item.affected is not None and not item.affected.is_empty():
        text += f"\n\n**Betroffen:** {affected_summary(item.affected, listed_in)}"
    return text
