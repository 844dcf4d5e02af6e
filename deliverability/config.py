"""Paths and defaults as constants. No I/O at import."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
SAMPLE_DIR = PROJECT_DIR / "data" / "sample"
NOTEBOOK_DIR = PROJECT_DIR / "notebooks"
#: Where the notebooks write: the project's reports/ folder, an absolute path, never relative
#: to the kernel's working folder (which is notebooks/ in JupyterLab).
REPORTS_DIR = PROJECT_DIR / "reports"

#: Time zone in which the analyst reads the data: weeks, days and naive timestamps.
DEFAULT_TIMEZONE = "Europe/Berlin"

#: The report's thresholds, the suppression policy and the limit profiles of the report are
#: settings: `deliverability/settings.toml` and the analyst's `deliverability.toml`.


def sample_inputs() -> list[Path]:
    """The bundled sample event files, oldest first."""
    return sorted(SAMPLE_DIR.glob("events-*.csv*"))


def sample_bounce_inputs() -> list[Path]:
    """The bundled sample bounce mailbox (mbox) of the last sample week."""
    return sorted(SAMPLE_DIR.glob("bounces-*.mbox*"))


def sample_address_list() -> Path:
    """The bundled address list for the import check (German Excel CSV, cp1252)."""
    return SAMPLE_DIR / "adressen-import.csv"
