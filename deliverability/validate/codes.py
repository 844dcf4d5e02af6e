"""Reason codes of the address check, with their status and German text."""

from __future__ import annotations

from typing import Final

OK, RISKY, INVALID, UNKNOWN = "ok", "risky", "invalid", "unknown"

#: code → (status, German text). Order of severity: invalid before unknown before risky.
REASONS: Final[dict[str, tuple[str, str]]] = {
    "ragged_row": (
        INVALID,
        "Die Zeile hat mehr Felder als die Kopfzeile (ein Trennzeichen in einem Wert ohne "
        "Anführungszeichen?); die Spalten können verschoben sein, bitte die Zeile prüfen.",
    ),
    "empty": (INVALID, "Das Adressfeld ist leer."),
    "syntax_no_at": (INVALID, "Kein @-Zeichen: Das ist keine E-Mail-Adresse."),
    "syntax_double_at": (INVALID, "Mehr als ein @-Zeichen (z. B. Tom@@beispiel.de)."),
    "syntax_space": (INVALID, "Die Adresse enthält ein Leerzeichen."),
    "syntax_dots": (INVALID, "Punkt am Anfang, am Ende oder zwei Punkte hintereinander."),
    "syntax_no_tld": (INVALID, "Die Domain hat keine gültige Endung (z. B. .de fehlt)."),
    "syntax_reserved_domain": (INVALID, "Die Domain ist reserviert und kann keine Mail empfangen."),
    "syntax_quoted": (INVALID, "Anführungszeichen im Namen vor dem @ werden nicht unterstützt."),
    "syntax_too_long": (INVALID, "Die Adresse oder ein Teil davon ist zu lang."),
    "syntax_no_local": (INVALID, "Vor dem @-Zeichen steht nichts."),
    "syntax_no_domain": (INVALID, "Nach dem @-Zeichen steht nichts."),
    "syntax_other": (INVALID, "Die Adresse ist nicht gültig aufgebaut."),
    "duplicate": (INVALID, "Doppelt: dieselbe Adresse steht schon weiter oben in der Liste."),
    "suppressed": (INVALID, "Steht auf der Sperrliste und darf nicht angeschrieben werden."),
    "no_domain": (INVALID, "Die Domain existiert nicht."),
    "null_mx": (INVALID, "Die Domain nimmt ausdrücklich keine E-Mails an (Null-MX)."),
    "no_mail_server": (INVALID, "Die Domain hat keinen Mailserver (weder MX noch A-Eintrag)."),
    "dns_unknown": (
        UNKNOWN,
        "Die DNS-Abfrage ist fehlgeschlagen (Zeitüberschreitung oder Serverfehler); die "
        "Adresse kann gültig sein. Später erneut prüfen.",
    ),
    "dns_untrusted": (
        UNKNOWN,
        "Nicht per DNS geprüft: Der DNS-Server antwortet nicht oder falsch (siehe Warnung); die "
        "Adresse kann gültig sein. Mit einem funktionierenden DNS-Server erneut prüfen.",
    ),
    "typo": (RISKY, "Vermutlich ein Tippfehler in der Domain; siehe Vorschlag."),
    "disposable": (RISKY, "Wegwerf-Adresse (Anbieter für Einmal-Postfächer)."),
    "role": (RISKY, "Funktionsadresse (z. B. info@, noreply@), keine Person."),
    "smtputf8": (
        RISKY,
        "Umlaute oder andere Sonderzeichen vor dem @: Der Versand braucht SMTPUTF8, das nicht "
        "jeder Server kann.",
    ),
    "ok": (OK, "In Ordnung."),
}
_SEVERITY = {INVALID: 0, UNKNOWN: 1, RISKY: 2, OK: 3}


def most_severe(codes: list[str]) -> str:
    """The code that decides the status: invalid before unknown before risky."""
    if not codes:
        return "ok"
    return min(codes, key=lambda code: (_SEVERITY[REASONS[code][0]], list(REASONS).index(code)))
