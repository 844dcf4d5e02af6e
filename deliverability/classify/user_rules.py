"""The analyst's own classification rules (`--rules FILE.csv`), read and checked.

A CSV with at least the columns `reason` and `pattern` (optional `bounce_type`, `source`),
comma- or semicolon-separated as German Excel saves it, UTF-8 (with or without BOM) or
Windows-1252. `pattern` is a regular expression, matched case-insensitively anywhere in the
server's answer; `reason` one of the taxonomy's reason ids; `bounce_type` `hard`/`soft`
(also `hart`/`weich`) fixes the bounce type, empty leaves it to the codes. Every row is checked
before any is used: a mistake stops with one German sentence naming file, line and field.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import re2

from deliverability.classify.rules import RuleBase, TextRule, with_user_rules
from deliverability.errors import InputError
from deliverability.taxonomy import REASON_IDS

REQUIRED = ("reason", "pattern")
OPTIONAL = ("bounce_type", "source")
_BOUNCE_TYPES = {"hard": "hard", "soft": "soft", "hart": "hard", "weich": "soft", "": None}


def _text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("Die Regeldatei existiert nicht.", path=path) from None
    except IsADirectoryError:
        raise InputError("Das ist ein Ordner, keine Regeldatei (CSV).", path=path) from None
    except OSError as error:
        raise InputError(
            f"Die Regeldatei ist nicht lesbar ({error.strerror}).", path=path
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _pattern_error(pattern: str) -> str | None:
    """Why a pattern cannot be used, in German, or None."""
    try:
        re.compile(pattern)
    except re.error as error:
        return f"Das Muster „{pattern}“ ist kein gültiger regulärer Ausdruck ({error})."
    try:
        re2.compile(pattern)
    except re2.error:
        return (
            f"Das Muster „{pattern}“ nutzt Mittel, die die Regel-Engine nicht kennt "
            "(Rückverweise wie \\1 oder Vor-/Rückschau wie (?=…)); bitte ohne sie schreiben."
        )
    if re.fullmatch(pattern, ""):
        return f"Das Muster „{pattern}“ passt auf jeden Text; es muss etwas verlangen."
    return None


def read_user_rules(path: str | Path) -> tuple[TextRule, ...]:
    """The rules of one analyst's file, in file order; raises InputError on the first mistake."""
    path = Path(path)
    text = _text(path)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise InputError(
            f"Pflichtspalte(n) {', '.join(missing)} fehlen; die Regeldatei braucht die Spalten "
            "reason und pattern (dazu optional bounce_type und source).",
            path=path,
            line=1,
        )
    unknown = [name for name in header if name and name not in REQUIRED + OPTIONAL]
    if unknown:
        raise InputError(
            f"Unbekannte Spalte(n) {', '.join(unknown)}; erlaubt sind reason, pattern, "
            "bounce_type und source.",
            path=path,
            line=1,
        )
    reader.fieldnames = header
    rules: list[TextRule] = []
    for row in reader:
        line = reader.line_num
        values = {name: (row.get(name) or "").strip() for name in REQUIRED + OPTIONAL}
        if not any(values.values()):
            continue  # an empty line (Excel writes ";;;")
        reason = values["reason"].lower()
        if reason not in REASON_IDS:
            raise InputError(
                f"Unbekannter Grund „{values['reason']}“; erlaubt sind: "
                f"{', '.join(sorted(REASON_IDS))}.",
                path=path,
                line=line,
                field="reason",
            )
        pattern = values["pattern"]
        if not pattern:
            raise InputError("Das Muster fehlt.", path=path, line=line, field="pattern")
        problem = _pattern_error(pattern)
        if problem:
            raise InputError(problem, path=path, line=line, field="pattern")
        bounce_type = values["bounce_type"].lower()
        if bounce_type not in _BOUNCE_TYPES:
            raise InputError(
                f"Unbekannte Bounce-Art „{values['bounce_type']}“; erlaubt sind hard oder soft "
                "(hart oder weich), leer lässt die Codes entscheiden.",
                path=path,
                line=line,
                field="bounce_type",
            )
        rules.append(
            TextRule(
                reason,
                f"(?i){pattern}",
                f"user:{path.name}:{line}",
                values["source"],
                final=True,
                bounce_type=_BOUNCE_TYPES[bounce_type],
            )
        )
    if not rules:
        raise InputError("Die Regeldatei enthält keine Regel.", path=path)
    return tuple(rules)


def rules_with(path: str | Path | None) -> RuleBase | None:
    """The shipped rule base with the rules of `path` in front; None without a file."""
    return with_user_rules(read_user_rules(path)) if path else None
