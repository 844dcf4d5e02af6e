"""Limit profiles: the rules a mail host or receiving provider applies, read from TOML.

A profile is a list of rules. Each rule limits the messages or recipients in a window
(`rolling`: any interval (t - window, t]; `calendar`: fixed periods in the profile's time zone),
how many go out at the same second (`burst`), and the recipients of one message, and says what
happens on excess (`delay`, `next_window`, `reject`, `lockout`). Presets ship in `profiles/`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from deliverability.errors import ConfigError

PRESET_DIR = Path(__file__).with_name("profiles")

SCOPES = ("account", "domain", "provider", "recipient")
KINDS = ("rolling", "calendar")
ACTIONS = ("delay", "next_window", "reject", "lockout")
#: calendar periods by window length in seconds (months are the special value MONTH)
MONTH = -1
CALENDAR_PERIODS = {60: "minute", 3600: "hour", 86400: "day", 604800: "week", MONTH: "month"}
_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}
_RULE_KEYS = {
    "scope",
    "window",
    "kind",
    "max_messages",
    "max_recipients",
    "max_recipients_per_message",
    "burst",
    "on_exceed",
    "lockout",
    "name",
    "source",
    "checked",
    "assumption",
    "note",
}
_SCOPE_LABELS = {
    "account": "Konto",
    "domain": "je Empfängerdomain",
    "provider": "je Anbieter",
    "recipient": "je Empfängerpostfach",
}


class ProfileError(ConfigError):
    """A profile file is broken: names the file, the rule and the field."""

    def __init__(
        self, message: str, path: Path | str, rule: int | None = None, field: str | None = None
    ) -> None:
        where = [f"Profil {path}"]
        if rule is not None:
            where.append(f"Regel {rule}")
        if field:
            where.append(f"Feld „{field}“")
        self.path, self.rule, self.field = str(path), rule, field
        super().__init__(f"{', '.join(where)}: {message}")


def parse_duration(value: object) -> int:
    """`1m`, `1h`, `24h`, `1d`, `1w`, `1mo` or seconds → seconds (`1mo` → MONTH)."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        if value <= 0:
            raise ValueError(value)
        return value
    text = str(value).strip().lower()
    if text in {"1mo", "1month", "month"}:
        return MONTH
    match = re.fullmatch(r"(\d+)\s*(s|min|m|h|d|w)?", text)
    if not match or int(match.group(1)) <= 0:
        raise ValueError(value)
    return int(match.group(1)) * _UNITS[match.group(2) or "s"]


def _count(value: int) -> str:
    """A whole number as German labels write it: 10000 → "10.000"."""
    return f"{value:,}".replace(",", ".")


def duration_text(seconds: int) -> str:
    """German text of a window: `1 Minute`, `24 Stunden`, `7 Tage`, `1 Monat`."""
    if seconds == MONTH:
        return "1 Monat"
    for size, one, many in (
        (604800, "Woche", "Wochen"),
        (86400, "Tag", "Tage"),
        (3600, "Stunde", "Stunden"),
        (60, "Minute", "Minuten"),
        (1, "Sekunde", "Sekunden"),
    ):
        count = seconds // size
        if seconds % size == 0 and count >= 1 and not (size == 86400 and count == 1):
            return f"{_count(count)} {one if count == 1 else many}"
    return f"{_count(seconds)} Sekunden"


@dataclass(frozen=True)
class Rule:
    """One rule of a profile (see the module docstring)."""

    index: int  # 1-based position in the profile
    scope: str = "account"
    window: int | None = None  # seconds, MONTH for calendar months, None: no window limit
    kind: str = "rolling"
    limit: int | None = None
    unit: str = "messages"  # or "recipients"
    burst: int | None = None
    max_recipients_per_message: int | None = None
    on_exceed: str = "delay"
    lockout: int | None = None  # seconds
    name: str | None = None
    source: str = ""
    checked: str = ""
    assumption: bool = False
    note: str = ""

    @property
    def period(self) -> str | None:
        """The calendar period (`minute`, `hour`, `day`, `week`, `month`), or None."""
        if self.kind != "calendar" or self.window is None:
            return None
        return CALENDAR_PERIODS[self.window]

    @property
    def label(self) -> str:
        """A short German description, e.g. `Konto: 300 Mails je 24 Stunden (gleitend)`."""
        if self.name:
            return self.name
        parts = []
        noun = "Empfänger" if self.unit == "recipients" else "Mails"
        if self.limit is not None and self.window is not None:
            if self.kind == "calendar":
                period = {
                    "minute": "Minute",
                    "hour": "Stunde",
                    "day": "Kalendertag",
                    "week": "Kalenderwoche",
                    "month": "Kalendermonat",
                }[self.period or "day"]
                parts.append(f"{_count(self.limit)} {noun} je {period}")
            else:
                parts.append(
                    f"{_count(self.limit)} {noun} je {duration_text(self.window)} (gleitend)"
                )
        if self.burst is not None:
            parts.append(f"{_count(self.burst)} gleichzeitig")
        if self.max_recipients_per_message is not None:
            parts.append(f"{_count(self.max_recipients_per_message)} Empfänger je Mail")
        return f"{_SCOPE_LABELS[self.scope]}: {', '.join(parts)}"

    @property
    def action_text(self) -> str:
        return {
            "delay": "verzögert",
            "next_window": "pausiert bis zum nächsten Zeitraum",
            "reject": "abgelehnt",
            "lockout": f"Konto gesperrt für {duration_text(self.lockout or 0)}",
        }[self.on_exceed]


@dataclass(frozen=True)
class Profile:
    """A named list of rules in a time zone (for calendar periods and daily summaries)."""

    name: str
    rules: tuple[Rule, ...]
    timezone: str = "Europe/Berlin"
    description: str = ""
    key: str = ""  # preset name or file path
    source: str = ""
    checked: str = ""

    def as_delay(self) -> Profile:
        """The same limits, every rule waiting instead of failing (for planning)."""
        rules = []
        for rule in self.rules:
            action = "next_window" if rule.kind == "calendar" else "delay"
            rules.append(_replace(rule, on_exceed=action, lockout=None))
        return Profile(
            self.name, tuple(rules), self.timezone, self.description, self.key, self.source
        )


def _replace(rule: Rule, **changes: Any) -> Rule:
    from dataclasses import replace

    return replace(rule, **changes)


#: The largest count or duration a rule may give (far beyond any host's limit; the replay's
#: 64-bit counters stay exact).
MAX_NUMBER = 10**12
MAX_NUMBER_SHOWN = f"{MAX_NUMBER:,}".replace(",", ".")


def _positive_int(raw: dict[str, Any], key: str, path: Path, index: int) -> int | None:
    if key not in raw:
        return None
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_NUMBER:
        raise ProfileError(
            f"muss eine ganze Zahl von 1 bis {MAX_NUMBER_SHOWN} sein, steht da: {value!r}.",
            path,
            index,
            key,
        )
    return value


def parse_rule(raw: dict[str, Any], index: int, path: Path) -> Rule:
    """One `[[rules]]` table → Rule, with errors that name the rule and the field."""
    unknown = sorted(set(raw) - _RULE_KEYS)
    if unknown:
        raise ProfileError(
            f"unbekannter Schlüssel; erlaubt sind {', '.join(sorted(_RULE_KEYS))}.",
            path,
            index,
            unknown[0],
        )

    def choice(key: str, options: tuple[str, ...], default: str) -> str:
        value = raw.get(key, default)
        if value not in options:
            raise ProfileError(
                f"„{value}“ ist nicht erlaubt; möglich: {', '.join(options)}.", path, index, key
            )
        return str(value)

    scope = choice("scope", SCOPES, "account")
    kind = choice("kind", KINDS, "rolling")
    on_exceed = choice("on_exceed", ACTIONS, "delay")
    window = None
    if "window" in raw:
        try:
            window = parse_duration(raw["window"])
        except ValueError:
            raise ProfileError(
                f"„{raw['window']}“ ist kein Zeitfenster; Beispiele: 1m, 1h, 24h, 1d, 1mo "
                "oder Sekunden.",
                path,
                index,
                "window",
            ) from None
    messages = _positive_int(raw, "max_messages", path, index)
    recipients = _positive_int(raw, "max_recipients", path, index)
    if messages is not None and recipients is not None:
        raise ProfileError(
            "max_messages und max_recipients schließen sich aus; für beide Grenzen zwei Regeln "
            "anlegen.",
            path,
            index,
            "max_recipients",
        )
    limit = messages if messages is not None else recipients
    burst = _positive_int(raw, "burst", path, index)
    per_message = _positive_int(raw, "max_recipients_per_message", path, index)
    if limit is None and burst is None and per_message is None:
        raise ProfileError(
            "Die Regel begrenzt nichts: max_messages, max_recipients, burst oder "
            "max_recipients_per_message angeben.",
            path,
            index,
            "max_messages",
        )
    if limit is not None and window is None:
        raise ProfileError("Zu einer Höchstzahl gehört ein Zeitfenster.", path, index, "window")
    if window == MONTH and kind != "calendar":
        raise ProfileError('Ein Monat geht nur mit kind = "calendar".', path, index, "window")
    if kind == "calendar" and window is not None and window not in CALENDAR_PERIODS:
        raise ProfileError(
            "Kalenderzeiträume sind 1m, 1h, 1d (= 24h), 1w und 1mo.", path, index, "window"
        )
    if on_exceed == "next_window" and kind != "calendar":
        raise ProfileError(
            'next_window (Versand im nächsten Zeitraum) braucht kind = "calendar".',
            path,
            index,
            "on_exceed",
        )
    lockout = None
    if on_exceed == "lockout":
        if "lockout" not in raw:
            raise ProfileError(
                'Bei on_exceed = "lockout" fehlt die Sperrdauer (z. B. lockout = "24h").',
                path,
                index,
                "lockout",
            )
        try:
            lockout = parse_duration(raw["lockout"])
        except ValueError:
            raise ProfileError(
                f"„{raw['lockout']}“ ist keine Dauer.", path, index, "lockout"
            ) from None
        if lockout == MONTH:
            raise ProfileError(
                "Die Sperrdauer bitte in Stunden oder Tagen.", path, index, "lockout"
            )
    assumption = raw.get("assumption", False)
    if not isinstance(assumption, bool):
        raise ProfileError("muss true oder false sein.", path, index, "assumption")
    return Rule(
        index=index,
        scope=scope,
        window=window,
        kind=kind,
        limit=limit,
        unit="recipients" if recipients is not None else "messages",
        burst=burst,
        max_recipients_per_message=per_message,
        on_exceed=on_exceed,
        lockout=lockout,
        name=str(raw["name"]) if "name" in raw else None,
        source=str(raw.get("source", "")),
        checked=str(raw.get("checked", "")),
        assumption=assumption,
        note=str(raw.get("note", "")),
    )


def read_profile(path: Path, key: str | None = None) -> Profile:
    """Read a profile file; every problem is a ProfileError naming file, rule and field."""
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        raise ProfileError("Die Datei wurde nicht gefunden.", path) from None
    except OSError as error:
        raise ProfileError(
            f"Die Datei kann nicht gelesen werden ({error.strerror}).", path
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ProfileError(f"kein gültiges TOML ({error}).", path) from None
    timezone = raw.get("timezone", "Europe/Berlin")
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        raise ProfileError(f"Unbekannte Zeitzone „{timezone}“.", path, field="timezone") from None
    tables = raw.get("rules")
    if not isinstance(tables, list) or not tables:
        raise ProfileError("Das Profil hat keine [[rules]].", path, field="rules")
    rules = []
    for index, table in enumerate(tables, start=1):
        if not isinstance(table, dict):
            raise ProfileError("Jede Regel ist eine Tabelle [[rules]].", path, index)
        rules.append(parse_rule(table, index, path))
    return Profile(
        name=str(raw.get("name", path.stem)),
        rules=tuple(rules),
        timezone=str(timezone),
        description=str(raw.get("description", "")),
        key=key or str(path),
        source=str(raw.get("source", "")),
        checked=str(raw.get("checked", "")),
    )


def preset_names() -> list[str]:
    return sorted(path.stem for path in PRESET_DIR.glob("*.toml"))


@cache
def _preset(name: str) -> Profile:
    return read_profile(PRESET_DIR / f"{name}.toml", key=name)


def load_profile(name_or_path: str | Path) -> Profile:
    """A preset by name (`gmail`, `zendesk-sell` …) or a profile file by path."""
    text = str(name_or_path)
    if text in preset_names():
        return _preset(text)
    path = Path(text)
    if path.suffix.lower() == ".toml" or path.exists():
        return read_profile(path)
    raise ConfigError(
        f"Unbekanntes Profil „{text}“. Vorhanden: {', '.join(preset_names())}; oder den Pfad "
        "einer eigenen TOML-Datei angeben."
    )
