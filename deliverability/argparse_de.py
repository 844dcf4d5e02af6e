"""German messages for argparse (its own texts are English gettext strings)."""

from __future__ import annotations

import argparse

_GERMAN = {
    "usage: ": "Aufruf: ",
    "positional arguments": "Argumente",
    "options": "Optionen",
    "show this help message and exit": "diese Hilfe anzeigen und beenden",
    "%(prog)s: error: %(message)s\n": "%(prog)s: Fehler: %(message)s\n",
    "the following arguments are required: %s": "diese Angaben fehlen: %s",
    "expected one argument": "erwartet einen Wert",
    "expected at least one argument": "erwartet mindestens einen Wert",
    "expected at most one argument": "erwartet höchstens einen Wert",
    "unrecognized arguments: %s": "unbekannte Angaben: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "ungültige Auswahl: %(value)r (möglich: %(choices)s)",
    "invalid %(type)s value: %(value)r": "ungültiger Wert: %(value)r",
    "argument %(argument_name)s: %(message)s": "Angabe %(argument_name)s: %(message)s",
    "ambiguous option: %(option)s could match %(matches)s": "mehrdeutige Option: %(option)s passt zu %(matches)s",
    "not allowed with argument %s": "nicht zusammen mit %s erlaubt",
    "one of the arguments %s is required": "eine dieser Angaben ist nötig: %s",
    "show program's version number and exit": "Versionsnummer anzeigen und beenden",
}


def _translate(message: str) -> str:
    return _GERMAN.get(message, message)


def _translate_plural(singular: str, plural: str, count: int) -> str:
    german = {
        "expected %s argument": "erwartet %s Wert",
        "expected %s arguments": "erwartet %s Werte",
    }
    return german.get(singular if count == 1 else plural, singular if count == 1 else plural)


def install() -> None:
    """Make argparse speak German (idempotent)."""
    argparse._ = _translate  # type: ignore[attr-defined]
    argparse.ngettext = _translate_plural  # type: ignore[attr-defined]
