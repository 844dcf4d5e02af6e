"""Option values checked while the command line is read, each refused with a German sentence.

argparse calls these as `type=`; an `ArgumentTypeError` becomes "Angabe --X: <sentence>"
before any file is opened or any state is touched.
"""

from __future__ import annotations

import argparse
import math

#: The longest DNS timeout the address check accepts (a silent server must not hang a run).
MAX_TIMEOUT_SECONDS = 60.0


def timezone_name(value: str) -> str:
    """An IANA time zone such as Europe/Berlin."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise argparse.ArgumentTypeError(
            f"„{value}“ ist keine bekannte Zeitzone (Beispiel: Europe/Berlin, Europe/Vienna, UTC)."
        ) from error
    return value


def timeout_seconds(value: str) -> float:
    """A finite number of seconds above zero, at most `MAX_TIMEOUT_SECONDS`."""
    try:
        seconds = float(value.replace(",", "."))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"„{value}“ ist keine Zahl von Sekunden.") from error
    if not math.isfinite(seconds) or not 0 < seconds <= MAX_TIMEOUT_SECONDS:
        raise argparse.ArgumentTypeError(
            f"„{value}“ geht nicht: erlaubt sind mehr als 0 und höchstens "
            f"{MAX_TIMEOUT_SECONDS:.0f} Sekunden."
        )
    return seconds


def nameserver(value: str) -> str:
    """`IP`, `IP:PORT` or `[IPv6]:PORT` of a DNS server (checked by `parse_nameserver`)."""
    from deliverability.errors import ConfigError
    from deliverability.lookup.domains import parse_nameserver

    try:
        parse_nameserver(value)
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from error
    return value
