"""One text cell made safe for Excel and LibreOffice (no polars needed)."""

from __future__ import annotations

#: Characters that make Excel or LibreOffice treat a cell as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutral_cell(value: str) -> str:
    """One text cell made safe for Excel (same rule as `export.neutralize_formulas`)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value
