"""The suppression policy: when a failure puts an address on the suppression list.

Defaults live in `policy.toml` beside this module; a user file with the same keys replaces
them (`load_policy(path)`, `--policy FILE`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from deliverability.errors import ConfigError
from deliverability.taxonomy import REASON_IDS

DEFAULT_POLICY_FILE = Path(__file__).with_name("policy.toml")
#: Upper bounds far beyond any real rule (the counts stay within 32-bit integers).
MAX_CONSECUTIVE_SOFT, MAX_SOFT_DAYS = 1000, 3650


def _shipped_defaults() -> dict[str, Any]:
    """The values of the bundled `policy.toml`: the one place the defaults are written."""
    with DEFAULT_POLICY_FILE.open("rb") as handle:
        return tomllib.load(handle)


_SHIPPED = _shipped_defaults()


@dataclass(frozen=True)
class SuppressionPolicy:
    """When failures suppress an address (see `policy.toml` for the meaning of each field)."""

    consecutive_soft: int = _SHIPPED["consecutive_soft"]
    soft_days: int = _SHIPPED["soft_days"]
    complaints: bool = _SHIPPED["complaints"]
    unsubscribes: bool = _SHIPPED["unsubscribes"]
    sender_reasons: frozenset[str] = field(
        default_factory=lambda: frozenset(_SHIPPED["sender_reasons"])
    )

    def __post_init__(self) -> None:
        if self.consecutive_soft < 1:
            raise ConfigError("consecutive_soft muss mindestens 1 sein.")
        if self.consecutive_soft > MAX_CONSECUTIVE_SOFT:
            raise ConfigError(f"consecutive_soft darf höchstens {MAX_CONSECUTIVE_SOFT} sein.")
        if self.soft_days < 0:
            raise ConfigError("soft_days darf nicht negativ sein (0 schaltet die Regel ab).")
        if self.soft_days > MAX_SOFT_DAYS:
            raise ConfigError(f"soft_days darf höchstens {MAX_SOFT_DAYS} Tage sein.")
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
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"Die Richtlinie {source} ist kein gültiges TOML: {error}.") from error
    return policy_from_mapping(raw, str(source))


def policy_from_mapping(
    raw: dict[str, object], where: str, base: SuppressionPolicy | None = None
) -> SuppressionPolicy:
    """A policy from TOML values; keys not given keep the value of `base` (default policy)."""
    known = {"consecutive_soft", "soft_days", "complaints", "unsubscribes", "sender_reasons"}
    extra = sorted(set(raw) - known)
    if extra:
        raise ConfigError(f"{where}: unbekannte Einstellungen {', '.join(extra)}.")
    values = dict(raw)
    if "sender_reasons" in values:
        reasons = values["sender_reasons"]
        if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
            raise ConfigError(f"{where}: sender_reasons muss eine Liste von Gründen sein.")
        values["sender_reasons"] = frozenset(reasons)
    for name in ("consecutive_soft", "soft_days"):
        if name in values and (not isinstance(values[name], int) or isinstance(values[name], bool)):
            raise ConfigError(f"{where}: {name} muss eine ganze Zahl sein.")
    for name in ("complaints", "unsubscribes"):
        if name in values and not isinstance(values[name], bool):
            raise ConfigError(f"{where}: {name} muss true oder false sein.")
    try:
        return replace(base or SuppressionPolicy(), **values)  # type: ignore[arg-type]
    except TypeError as error:
        raise ConfigError(f"{where}: ungültige Werte ({error}).") from error
    except ConfigError as error:
        raise ConfigError(f"{where}: {error}") from error


def policy_record(policy: SuppressionPolicy) -> dict[str, object]:
    """The policy as plain values (what a state folder records)."""
    return {
        "consecutive_soft": policy.consecutive_soft,
        "soft_days": policy.soft_days,
        "complaints": policy.complaints,
        "unsubscribes": policy.unsubscribes,
        "sender_reasons": sorted(policy.sender_reasons),
    }
