"""The classification rule base, loaded from the CSV tables in `rules/`.

One rule base serves both paths (one bounce mail, millions of log rows). Precedence, as
documented in the README and tested:

1. **Specific texts** (`text_patterns.csv`, pass 1): the first matching reason in table order.
   A server's own words beat a generic code: a ``550 5.7.1`` that says "SPF" is `authfailure`,
   "mailbox full" under a 5xx is still `mailboxfull`.
2. **The enhanced status code** (`status_codes.csv`): the exact code (``5.7.515``, ``4.2.1``),
   else its subject and detail for any class (``x.1.1``).
3. When the code gives no reason or only a *weak* one (see `WEAK_REASONS`), **general texts**
   (pass 2: policy, system, expiry, network, security, local mailer) may still decide.
4. Then the weak reason from the code; then what the circumstances say (SMTP command, DSN
   action, see `codes.context_reason`); then the **SMTP reply code** (`reply_codes.csv`).
5. Otherwise `onhold` when there is a diagnostic text nobody recognised, `undefined` when
   there is none.

Afterwards one refinement applies to unknown-address texts. Refused at MAIL FROM, the
unknown user or domain is the *sender's* (`rejected`). A quoted "user unknown" proves a
missing mailbox only when the status code says so too (``x.1.x``) or the server refused the
recipient at RCPT TO; otherwise (after DATA, under a policy code, or when nobody knows the
stage) a recipient-side filter may be answering, and the reason is `filtered`, as Sisimai
rules. Rows marked `final` in the table (a server's own unambiguous statement, such as
Exchange's "The recipient name is not recognized") are exempt. Without this refinement a
filter's generic "user unknown" would suppress valid addresses.
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
#: An SMTP reply code at the start of a text, or after the prefixes servers put before it
#: (a colon as in "said: 550" or "[192.0.2.1]: 550", "smtp;", Sendmail's "<<<", InterScan's
#: ">>>", "(");
#: followed by a space, "-" (multi-line reply) or ":" (Yahoo's "554:").
REPLY_IN_TEXT = r"(?:^|:\s*|smtp;\s*|<<<\s*|>>>\s*|\()\s*([245]\d\d)[\s\-:]"

#: Reasons a status code only hints at: general texts may still override them (step 3).
WEAK_REASONS = frozenset(
    {"systemerror", "securityerror", "expired", "networkerror", "hostunknown", "userunknown"}
)


#: The steps of the precedence for log rows (which know no SMTP command and no DSN action),
#: in order; both vectorized paths (polars and Spark) build their expression from it.
LOG_ROW_PRECEDENCE = (
    "specific_text", "strong_status", "general_text", "status", "reply_code", "fallback",
)  # fmt: skip

#: The SMTP command a server refused → the reason, when nothing more specific is known
#: (a bounce mail's context; log rows do not carry it).
COMMAND_REASONS = {"MAIL": "rejected", "HELO": "blocked", "EHLO": "blocked", "CONN": "blocked"}
#: DSN Action values that mean the message did reach the recipient's server.
DELIVERED_ACTIONS = ("delivered", "relayed", "expanded")


@dataclass(frozen=True)
class TextRule:
    """One reason's patterns (consecutive table rows merged into one alternation).

    `final`: the text is the sending server's own, unambiguous statement (e.g. Exchange's
    "The recipient name is not recognized"); the refinement does not touch it.
    """

    reason: str
    pattern: str
    sources: tuple[str, ...]
    final: bool = False


@dataclass(frozen=True)
class RuleBase:
    #: pass 1: specific texts, checked before any code
    specific_texts: tuple[TextRule, ...]
    #: pass 2: general texts, checked when the code gives no or only a weak reason
    general_texts: tuple[TextRule, ...]
    #: full codes such as "5.7.515" → reason
    status_exact: dict[str, str]
    #: "subject.detail" such as "1.1" → reason (class-independent)
    status_subject_detail: dict[str, str]
    #: "subject" such as "1" → reason, for details the tables do not list (``x.1.*``)
    status_subject: dict[str, str]
    #: reply code → reason
    reply_codes: dict[int, str]

    def status_reason(self, status: str | None) -> str | None:
        """The reason an enhanced status code stands for, exact code first."""
        if not status:
            return None
        reason = self.status_exact.get(status)
        if reason is None and "." in status:
            subject_detail = status.split(".", 1)[1]
            reason = self.status_subject_detail.get(subject_detail)
            if reason is None:
                reason = self.status_subject.get(subject_detail.split(".", 1)[0])
        return reason


def _read(name: str) -> list[dict[str, str]]:
    path = RULES_DIR / name
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for line, row in enumerate(rows, start=2):
        if row["reason"] not in REASON_IDS:
            raise ConfigError(f"{path}, Zeile {line}: unbekannter Grund „{row['reason']}“.")
    return rows


def _merged(rows: list[dict[str, str]]) -> tuple[TextRule, ...]:
    """Consecutive rows of the same reason become one alternation; order is kept."""
    rules: list[TextRule] = []
    for row in rows:
        final = row["final"] == "yes"
        if rules and rules[-1].reason == row["reason"] and rules[-1].final == final:
            last = rules.pop()
            pattern = f"{last.pattern}|{row['pattern']}"
            rules.append(TextRule(last.reason, pattern, (*last.sources, row["source"]), final))
        else:
            rules.append(TextRule(row["reason"], row["pattern"], (row["source"],), final))
    return tuple(rules)


@cache
def rule_base() -> RuleBase:
    """The rule tables, validated against the taxonomy."""
    rows = _read("text_patterns.csv")
    for line, row in enumerate(rows, start=2):
        try:
            re.compile(row["pattern"])
        except re.error as error:
            raise ConfigError(
                f"text_patterns.csv, Zeile {line}: ungültiges Muster {row['pattern']!r} ({error})."
            ) from error
        if re.search(r"[A-Z]", re.sub(r"\\.", "", row["pattern"])):
            raise ConfigError(
                f"text_patterns.csv, Zeile {line}: Muster müssen kleingeschrieben sein "
                "(der Text wird vor dem Vergleich kleingeschrieben)."
            )
        if row.get("final", "") not in ("", "yes"):
            raise ConfigError(f"text_patterns.csv, Zeile {line}: „final“ muss leer oder yes sein.")
        if row["pass"] not in ("1", "2"):
            raise ConfigError(f"text_patterns.csv, Zeile {line}: „pass“ muss 1 oder 2 sein.")
    exact: dict[str, str] = {}
    subject_detail: dict[str, str] = {}
    subject: dict[str, str] = {}
    for row in _read("status_codes.csv"):
        code = row["code"]
        if code.startswith("x.") and code.endswith(".*"):
            subject[code[2:-2]] = row["reason"]
        elif code.startswith("x."):
            subject_detail[code[2:]] = row["reason"]
        else:
            exact[code] = row["reason"]
    replies = {int(row["code"]): row["reason"] for row in _read("reply_codes.csv")}
    return RuleBase(
        specific_texts=_merged([row for row in rows if row["pass"] == "1"]),
        general_texts=_merged([row for row in rows if row["pass"] == "2"]),
        status_exact=exact,
        status_subject_detail=subject_detail,
        status_subject=subject,
        reply_codes=replies,
    )


def refine(reason: str, status_reason: str | None, command: str | None, final: bool = False) -> str:
    """The refinement after the rules: what an unknown-address text really proves."""
    if reason in ("userunknown", "hostunknown") and command == "MAIL":
        return "rejected"
    if reason != "userunknown" or final or status_reason == "userunknown" or command == "RCPT":
        return reason
    return "filtered"
