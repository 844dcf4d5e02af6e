"""Reasons that ESPs name themselves, as data (`rules/vendor_reasons.csv`).

Mailjet's `error`, SendGrid's `bounce_classification`, Amazon SES's `bounceSubType`,
Postmark's bounce `Type` … are the vendor's own classification. They live in one table with
the other rule data and their sources, checked against the taxonomy like the other tables,
so that one place decides reasons; the loaders only look them up. An empty reason means the
vendor's value names no single reason: the server's text decides.
"""

from __future__ import annotations

import csv
from functools import cache

from deliverability.classify.rules import RULES_DIR
from deliverability.errors import ConfigError
from deliverability.taxonomy import REASON_IDS

TABLE = "vendor_reasons.csv"


@cache
def _table() -> dict[tuple[str, str], dict[str, str | None]]:
    path = RULES_DIR / TABLE
    maps: dict[tuple[str, str], dict[str, str | None]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            reason = row["reason"] or None
            if reason is not None and reason not in REASON_IDS:
                raise ConfigError(f"{TABLE}, Zeile {line}: unbekannter Grund „{reason}“.")
            if not row["source"].strip():
                raise ConfigError(f"{TABLE}, Zeile {line}: die Quelle fehlt.")
            values = maps.setdefault((row["vendor"], row["field"]), {})
            if row["value"] in values:
                raise ConfigError(f"{TABLE}, Zeile {line}: „{row['value']}“ steht doppelt.")
            values[row["value"]] = reason
    return maps


def vendor_reasons(vendor: str, field: str) -> dict[str, str | None]:
    """The vendor's value of `field` → reason id (None: the value names no single reason)."""
    try:
        return dict(_table()[(vendor, field)])
    except KeyError:
        raise ConfigError(f"{TABLE}: keine Gründe für {vendor}.{field}.") from None
