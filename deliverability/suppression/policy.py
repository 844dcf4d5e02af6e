"""The suppression policy: when a failure puts an address on the suppression list.

Defaults live in `policy.toml` beside this module; a user file with the same keys replaces
them (`load_policy(path)`, `--policy FILE`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from deliverability.errors import ConfigError
from deliverability.taxonomy import REASON_IDS

DEFAULT_POLICY_FILE = Path(__file__).with_name("policy.toml")
_DEFAULT_SENDER_REASONS = (
    "blocked",
    "badreputation",
    "spamdetected",
    "policyviolation",
    "authfailure",
    "securityerror",
    "toomanyconn",
    "speeding",
)


@dataclass(frozen=True)
class SuppressionPolicy:
    """When failures suppress an address (see `policy.toml` for the meaning of each field)."""

    consecutive_soft: int = 5
    soft_days: int = 0
    complaints: bool = True
    unsubscribes: bool = True
    sender_reasons: frozenset[str] = field(
        default_factory=lambda: frozenset(_DEFAULT_SENDER_REASONS)
    )

    def __post_init__(self) -> None:
        if self.consecutive_soft < 1:
            raise ConfigError("consecutive_soft muss mindestens 1 sein.")
        if self.soft_days < 0:
            raise ConfigError("soft_days darf nicht negativ sein (0 schaltet die Regel ab).")
        unknown = sorted(set(self.sender_reasons) - set(REASON_IDS))
        if unknown:
            raise ConfigError(f"Unbekannte Gründe in sender_reasons: {', '.join(unknown)}.")


def load_policy(path: str | Path | None = None) -> SuppressionPolicy:
    """The policy from a TOML file (default: the bundled `policy.toml`)."""
    source = Path(path) if path else DEFAULT_POLICY_FILE
    try:
        with source.open("rb") as handle:
            raw = tomllib.load(handle)
    except OSError as error:
        raise ConfigError(
            f"Die Richtlinie {source} kann nicht gelesen werden: {error.strerror}."
        ) from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"Die Richtlinie {source} ist kein gültiges TOML: {error}.") from error
    known = {"consecutive_soft", "soft_days", "complaints", "unsubscribes", "sender_reasons"}
    extra = sorted(set(raw) - known)
    if extra:
        raise ConfigError(f"{source}: unbekannte Einstellungen {', '.join(extra)}.")
    values = dict(raw)
    if "sender_reasons" in values:
        values["sender_reasons"] = frozenset(values["sender_reasons"])
    try:
        return SuppressionPolicy(**values)
    except TypeError as error:
        raise ConfigError(f"{source}: ungültige Werte ({error}).") from error
