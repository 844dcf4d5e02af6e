"""The classification rule base, loaded from the CSV tables in `rules/`.

Precedence (documented in the README and tested):
1. a specific text pattern in the server's diagnostic (first matching row wins);
2. the full enhanced status code (e.g. ``5.7.515``);
3. the subject and detail of the enhanced status code, any class (``x.1.1``);
4. the SMTP reply code;
5. otherwise ``undefined``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from deliverability.errors import ConfigError
from deliverability.taxonomy import REASON_IDS

RULES_DIR = Path(__file__).with_name("rules")

#: An enhanced status code anywhere in a text, e.g. "550 5.1.1 <x@y>: ...".
STATUS_IN_TEXT = r"\b([245]\.\d{1,3}\.\d{1,3})\b"
#: An SMTP reply code at the start of a text, or after "said:" / "smtp;" prefixes.
REPLY_IN_TEXT = r"(?:^|said:\s*|smtp;\s*|\()\s*([245]\d\d)[\s\-]"


@dataclass(frozen=True)
class TextRule:
    pattern: str
    reason: str
    source: str


@dataclass(frozen=True)
class RuleBase:
    text_rules: tuple[TextRule, ...]
    #: full codes such as "5.7.515" → reason
    status_exact: dict[str, str]
    #: "subject.detail" such as "1.1" → reason (class-independent)
    status_subject_detail: dict[str, str]
    #: reply code → reason
    reply_codes: dict[int, str]


def _read(name: str) -> list[dict[str, str]]:
    path = RULES_DIR / name
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for line, row in enumerate(rows, start=2):
        if row["reason"] not in REASON_IDS:
            raise ConfigError(f"{path}, Zeile {line}: unbekannter Grund „{row['reason']}“.")
    return rows


@cache
def rule_base() -> RuleBase:
    """The rule tables, validated against the taxonomy."""
    text_rules = []
    for row in _read("text_patterns.csv"):
        try:
            re.compile(row["pattern"])
        except re.error as error:
            raise ConfigError(
                f"Ungültiges Muster in text_patterns.csv: {row['pattern']}"
            ) from error
        text_rules.append(TextRule(row["pattern"], row["reason"], row["source"]))
    exact: dict[str, str] = {}
    subject_detail: dict[str, str] = {}
    for row in _read("status_codes.csv"):
        code = row["code"]
        if code.startswith("x."):
            subject_detail[code[2:]] = row["reason"]
        else:
            exact[code] = row["reason"]
    replies = {int(row["code"]): row["reason"] for row in _read("reply_codes.csv")}
    return RuleBase(tuple(text_rules), exact, subject_detail, replies)
