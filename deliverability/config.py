"""Paths and defaults as constants. No I/O at import."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
SAMPLE_DIR = PROJECT_DIR / "data" / "sample"
NOTEBOOK_DIR = PROJECT_DIR / "notebooks"
REPORTS_DIR = Path("reports")

#: Time zone in which the analyst reads the data: weeks, days and naive timestamps.
DEFAULT_TIMEZONE = "Europe/Berlin"

#: Alert thresholds for the weekly report (shares, not percent). Sources in README.
HARD_BOUNCE_WARN = 0.02
BOUNCE_ALERT = 0.05
COMPLAINT_WARN = 0.001
#: Below this many sends in a week a domain is not singled out.
MIN_SENDS_FOR_ATTENTION = 20


def sample_inputs() -> list[Path]:
    """The bundled sample event files, oldest first."""
    return sorted(SAMPLE_DIR.glob("events-*.csv*"))


def sample_bounce_inputs() -> list[Path]:
    """The bundled sample bounce mailbox (mbox) of the last sample week."""
    return sorted(SAMPLE_DIR.glob("bounces-*.mbox*"))


def sample_address_list() -> Path:
    """The bundled address list for the import check (German Excel CSV, cp1252)."""
    return SAMPLE_DIR / "adressen-import.csv"


#: Limit profile per event source for the weekly report's section on send limits
#: (source column → preset name or profile file). Sources not listed are not replayed.
LIMIT_PROFILES: dict[str, str] = {"zendesk_sell": "zendesk-sell"}
