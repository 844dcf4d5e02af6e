"""German labels of the sides, suppression triggers and statuses, mail outcomes and events, as data (`labels.toml`),
checked against the taxonomy at load."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from deliverability.errors import ConfigError
from deliverability.schema import EVENTS
from deliverability.taxonomy.reasons import SIDES

_DATA = Path(__file__).with_name("labels.toml")
#: The vocabularies and the ids each must label.
_EXPECTED = {
    "sides": frozenset(SIDES),
    "triggers": frozenset({"hard_bounce", "escalated", "complaint", "unsubscribe", "manual"}),
    "statuses": frozenset({"suppressed", "watch", "restored"}),
    "outcomes": frozenset(
        {"delivered", "hard", "soft", "undetermined", "blocked", "dropped", "pending", "other"}
    ),
    "events": frozenset(EVENTS),
}


@cache
def _labels() -> dict[str, dict[str, str]]:
    with _DATA.open("rb") as handle:
        raw = tomllib.load(handle)
    for name, ids in _EXPECTED.items():
        given = set(raw.get(name, {}))
        if given != ids:
            raise ConfigError(
                f"{_DATA.name} [{name}]: erwartet {', '.join(sorted(ids))}, "
                f"gefunden {', '.join(sorted(given))}."
            )
    return {name: dict(raw[name]) for name in _EXPECTED}


def side_labels() -> dict[str, str]:
    """Side id → German label ("der Adresse", "Ihrem Versand" …)."""
    return _labels()["sides"]


def trigger_labels() -> dict[str, str]:
    """Suppression trigger → German label."""
    return _labels()["triggers"]


def status_labels() -> dict[str, str]:
    """Suppression status → German label."""
    return _labels()["statuses"]


def outcome_labels() -> dict[str, str]:
    """Outcome of a mail → German label."""
    return _labels()["outcomes"]


def event_labels() -> dict[str, str]:
    """Event of the event schema → German label."""
    return _labels()["events"]
