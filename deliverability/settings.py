"""The analyst's settings: report thresholds, suppression policy, limit profiles.

Every command and notebook reads the same settings, so that nothing an analyst changes in a
notebook silently changes the scheduled report. Where they come from, first match wins:

1. `--settings FILE` (a notebook's `settings_file` parameter);
2. `deliverability.toml` in the working folder;
3. `deliverability.toml` in the project folder (a checkout with `pyproject.toml`);
4. only the shipped defaults (`deliverability/settings.toml`, `suppression/policy.toml`).

A settings file needs only the values that differ; each value is checked, and a mistake stops
with one German sentence naming the file and the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deliverability import config
from deliverability.errors import ConfigError
from deliverability.suppression.policy import (
    SuppressionPolicy,
    load_policy,
    policy_from_mapping,
)

SETTINGS_FILE_NAME = "deliverability.toml"
DEFAULTS_FILE = Path(__file__).with_name("settings.toml")
_SECTIONS = ("report", "suppression", "limits")


@dataclass(frozen=True)
class ReportSettings:
    """Thresholds of the weekly report (shares, not percent)."""

    hard_bounce_warn: float
    bounce_alert: float
    complaint_warn: float
    min_sends_for_attention: int


@dataclass(frozen=True)
class Settings:
    report: ReportSettings
    policy: SuppressionPolicy
    #: event source → limit profile for the report's section on send limits
    limit_profiles: dict[str, str] = field(default_factory=dict)
    #: the analyst's file in force, None when only the shipped defaults apply
    source: Path | None = None


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"Die Einstellungsdatei {path} existiert nicht.") from None
    except OSError as error:
        raise ConfigError(
            f"Die Einstellungsdatei {path} kann nicht gelesen werden ({error.strerror})."
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(
            f"Die Einstellungsdatei {path} ist kein gültiges TOML: {error}."
        ) from None


def find_settings_file(explicit: str | Path | None = None) -> Path | None:
    """The settings file in force (see the module docstring), None for the defaults."""
    if explicit:
        return Path(explicit).resolve()
    for folder in (Path.cwd(), config.PROJECT_DIR):
        candidate = folder / SETTINGS_FILE_NAME
        if candidate.is_file():
            return candidate.resolve()
    return None


def _share(where: str, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise ConfigError(
            f"{where}: „{key}“ muss ein Anteil zwischen 0 und 1 sein (0.02 = 2 %), nicht {value!r}."
        )
    return float(value)


def _report(values: dict[str, Any], where: str) -> ReportSettings:
    unknown = sorted(set(values) - set(ReportSettings.__dataclass_fields__))
    if unknown:
        raise ConfigError(f"{where}: unbekannte Einstellung(en) in [report]: {', '.join(unknown)}.")
    minimum = values["min_sends_for_attention"]
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 1:
        raise ConfigError(f"{where}: „min_sends_for_attention“ muss eine ganze Zahl ab 1 sein.")
    return ReportSettings(
        hard_bounce_warn=_share(where, "hard_bounce_warn", values["hard_bounce_warn"]),
        bounce_alert=_share(where, "bounce_alert", values["bounce_alert"]),
        complaint_warn=_share(where, "complaint_warn", values["complaint_warn"]),
        min_sends_for_attention=minimum,
    )


def _limit_profiles(values: dict[str, Any], where: str) -> dict[str, str]:
    unknown = sorted(set(values) - {"profiles"})
    if unknown:
        raise ConfigError(f"{where}: unbekannte Einstellung(en) in [limits]: {', '.join(unknown)}.")
    profiles = values.get("profiles", {})
    if not isinstance(profiles, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in profiles.items()
    ):
        raise ConfigError(
            f"{where}: [limits] profiles muss Quellen auf Profilnamen abbilden, "
            'z. B. profiles = { zendesk_sell = "zendesk-sell" }.'
        )
    return dict(profiles)


def load_settings(path: str | Path | None = None) -> Settings:
    """The settings in force: the shipped defaults, overlaid with the analyst's file."""
    defaults = _read(DEFAULTS_FILE)
    source = find_settings_file(path)
    own = _read(source) if source else {}
    where = str(source) if source else str(DEFAULTS_FILE)
    unknown = sorted(set(own) - set(_SECTIONS))
    if unknown:
        raise ConfigError(
            f"{where}: unbekannte(r) Abschnitt(e) {', '.join(unknown)}; "
            f"möglich sind {', '.join(f'[{s}]' for s in _SECTIONS)}."
        )
    for section in _SECTIONS:
        if section in own and not isinstance(own[section], dict):
            raise ConfigError(f"{where}: „{section}“ muss ein Abschnitt [{section}] sein.")
    report = _report({**defaults["report"], **own.get("report", {})}, where)
    policy = policy_from_mapping(
        own.get("suppression", {}), f"{where} [suppression]", load_policy()
    )
    limits = _limit_profiles({**defaults["limits"], **own.get("limits", {})}, where)
    return Settings(report=report, policy=policy, limit_profiles=limits, source=source)


def suppression_policy(
    settings: Settings, policy_file: str | Path | None = None
) -> SuppressionPolicy:
    """The policy in force: a `--policy` file replaces the settings' [suppression] section."""
    return load_policy(policy_file) if policy_file else settings.policy
