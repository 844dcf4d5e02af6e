"""The classification rule base, loaded from the CSV tables in `rules/`.

One rule base serves both paths (one bounce mail, millions of log rows). The precedence is
documented here and nowhere else; every step is tested (`tests/test_precedence.py`):

0. **The analyst's own rules** (`--rules FILE.csv`, see `user_rules`): the first matching row
   of that file wins over everything shipped, as the local rule files of MTA bounce
   classifiers do. Rule id ``user:FILE:LINE``.
1. **Specific texts** (`text_patterns.csv`, pass 1): the first matching row in table order.
   A text that names a reason beats a generic status code: a ``550 5.7.1`` that says "SPF"
   is `authfailure`, "mailbox full" under a 5xx is still `mailboxfull`.
   Rule id ``text:text_patterns.csv:LINE``.
2. **A specific enhanced status code** (`status_codes.csv`): the exact code (``5.7.515``,
   ``4.2.1``), else its subject and detail for any class (``x.1.1``, ``x.2.2``, ``x.3.4``,
   ``x.4.7``, ``x.7.1`` …). A specific code beats a vague text. Codes that only hint at a
   reason (`WEAK_REASONS`, e.g. ``x.1.0``, ``5.3.0``, ``x.4.0``) wait for step 5.
   Rule id ``status:CODE`` with the table's key (``status:x.1.1``, ``status:5.7.515``).
3. **General texts** (pass 2: policy, system, expiry, network, security, local mailer).
4. **The circumstances** a bounce mail knows and a log row does not (`codes.context_reason`):
   the refused SMTP command, the DSN action, a local delivery program. Rule id ``context:…``.
5. The weak reason from the status code, then the **SMTP reply code** (`reply_codes.csv`,
   rule id ``reply:550``).
6. Otherwise `onhold` when there is a diagnostic text nobody recognised, `undefined` when
   there is none (rule id ``fallback:onhold`` / ``fallback:undefined``).

Afterwards one refinement, only where its condition is in the mail (`refine`): an unknown
user or domain refused at MAIL FROM is the *sender's* (`rejected`); a "user unknown" answered
to the message itself (after DATA) and not confirmed by an ``x.1.x`` code is a recipient-side
filter (`filtered`), as Sisimai rules; so is one under a code that contradicts it, a mailbox
status (``x.2.x``: the mailbox exists) or a policy status (``x.7.x``), unless the server
refused the recipient when it was named (RCPT TO). Where the stage is unknown (a log row without the command) the text
stands. Rows marked `final` (a server's own unambiguous statement) and the
analyst's rules are exempt. The rule id then ends in ``+refine:mail-from``,
``+refine:after-data`` or ``+refine:status-filtered``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from deliverability.errors import ConfigError
from deliverability.taxonomy import REASON_IDS

RULES_DIR = Path(__file__).with_name("rules")
TEXT_TABLE = "text_patterns.csv"

#: An enhanced status code anywhere in a text, e.g. "550 5.1.1 <x@y>: ...".
STATUS_IN_TEXT = r"\b([245]\.\d{1,3}\.\d{1,3})\b"
#: An SMTP reply code at the start of a text, or after the prefixes servers put before it
#: (a colon as in "said: 550" or "[192.0.2.1]: 550", "smtp;", Sendmail's "<<<", InterScan's
#: ">>>", "(");
#: followed by a space, "-" (multi-line reply) or ":" (Yahoo's "554:").
REPLY_IN_TEXT = r"(?:^|:\s*|smtp;\s*|<<<\s*|>>>\s*|\()\s*([245]\d\d)[\s\-:]"
#: How a (lower-case) bounce text names the SMTP command the server answered: one of the
#: groups holds "mail from"/"rcpt to"/"data"/… or a phrase of `COMMAND_NAMES`, as Postfix
#: ("in reply to end of DATA command"), Sendmail (">>> DATA"), Exim ("after RCPT TO"),
#: Exchange ("while sending"), qmail-remote.c ("Connected to … but sender was rejected",
#: "does not like recipient", "failed on DATA command") and Gmail ("(state 14)": the SMTP
#: state of Google's outbound session) write it.
COMMAND_IN_TEXT = (
    r"(?:in reply to|after|while sending|>>>|sent <<<|smtp command\W*)\s*(?:the\s+)?"
    r"(rcpt to|rcpt|mail from|mail|end of data|data|helo|ehlo|initial connection|connect"
    r"|starttls)\b"
    r"|does not like (recipient)|\[(rcpt_to|mail_from|data)\]"
    r"|(but sender was rejected|but my name was rejected|but greeting failed"
    r"|failed on data command|failed after i sent the message)"
    r"|\(state (6|13|14|15|17|18)\)"
)
#: The groups of `COMMAND_IN_TEXT`, for the vectorized paths.
COMMAND_GROUPS = (1, 2, 3, 4, 5)
#: The command names and phrases of `COMMAND_IN_TEXT` → the SMTP verb.
COMMAND_NAMES = {
    "rcpt to": "RCPT", "rcpt": "RCPT", "recipient": "RCPT", "rcpt_to": "RCPT",
    "mail from": "MAIL", "mail": "MAIL", "mail_from": "MAIL",
    "end of data": "DATA", "data": "DATA",
    "helo": "HELO", "ehlo": "EHLO", "initial connection": "CONN", "connect": "CONN",
    "starttls": "STARTTLS",
    "but sender was rejected": "MAIL", "but my name was rejected": "EHLO",
    "but greeting failed": "CONN", "failed on data command": "DATA",
    "failed after i sent the message": "DATA",
    "6": "MAIL", "13": "EHLO", "14": "RCPT", "15": "DATA", "17": "DATA", "18": "DATA",
}  # fmt: skip

#: Reasons a status code only hints at: general texts may still override them (step 3).
WEAK_REASONS = frozenset(
    {"systemerror", "securityerror", "expired", "networkerror", "hostunknown", "userunknown"}
)


#: The steps of the precedence for log rows (which know no SMTP command and no DSN action),
#: in order; both vectorized paths (polars and Spark) build their expression from it.
LOG_ROW_PRECEDENCE = (
    "user_text", "specific_text", "strong_status", "general_text", "status", "reply_code",
    "fallback",
)  # fmt: skip

#: The SMTP command a server refused → the reason, when nothing more specific is known
#: (a bounce mail's context; log rows do not carry it).
COMMAND_REASONS = {"MAIL": "rejected", "HELO": "blocked", "EHLO": "blocked", "CONN": "blocked"}
#: DSN Action values that mean the message did reach the recipient's server.
DELIVERED_ACTIONS = ("delivered", "relayed", "expanded")
#: Bounce types an analyst's rule may fix.
BOUNCE_TYPES = ("hard", "soft")


@dataclass(frozen=True)
class TextRule:
    """One row of a text-pattern table.

    `rule_id` names the row (``text:text_patterns.csv:42``, ``user:regeln.csv:3``).
    `final`: the text is the sending server's own, unambiguous statement (e.g. Exchange's
    "The recipient name is not recognized"); the refinement does not touch it.
    `bounce_type`: hard or soft fixed by an analyst's rule, else decided by the codes.
    """

    reason: str
    pattern: str
    rule_id: str
    source: str = ""
    final: bool = False
    bounce_type: str | None = None


@dataclass(frozen=True, eq=False)
class RuleBase:
    """All rule tables. Compared and hashed by identity (compiled pattern sets are cached
    per rule base)."""

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
    #: step 0: the analyst's own rules (`--rules`), checked before everything shipped
    user_texts: tuple[TextRule, ...] = ()

    def status_rule(self, status: str | None) -> tuple[str, str] | None:
        """(reason, table key) for an enhanced status code, exact code first."""
        if not status:
            return None
        reason = self.status_exact.get(status)
        if reason is not None:
            return reason, status
        if "." in status:
            subject_detail = status.split(".", 1)[1]
            reason = self.status_subject_detail.get(subject_detail)
            if reason is not None:
                return reason, f"x.{subject_detail}"
            subject = subject_detail.split(".", 1)[0]
            reason = self.status_subject.get(subject)
            if reason is not None:
                return reason, f"x.{subject}.*"
        return None

    def status_reason(self, status: str | None) -> str | None:
        """The reason an enhanced status code stands for, exact code first."""
        found = self.status_rule(status)
        return found[0] if found else None


def _read(name: str) -> list[dict[str, str]]:
    path = RULES_DIR / name
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for line, row in enumerate(rows, start=2):
        if row["reason"] not in REASON_IDS:
            raise ConfigError(f"{path}, Zeile {line}: unbekannter Grund „{row['reason']}“.")
    return rows


def _text_rules(rows: list[tuple[int, dict[str, str]]]) -> tuple[TextRule, ...]:
    return tuple(
        TextRule(
            row["reason"],
            row["pattern"],
            f"text:{TEXT_TABLE}:{line}",
            row["source"],
            final=row["final"] == "yes",
        )
        for line, row in rows
    )


@cache
def shipped_rules() -> RuleBase:
    """The rule tables shipped with the package, validated against the taxonomy."""
    rows = list(enumerate(_read(TEXT_TABLE), start=2))
    # whether each pattern compiles is checked by the tests (`invalid_patterns`): compiling
    # them all here would cost every command some 80 ms for a table that ships unchanged
    for line, row in rows:
        if re.search(r"[A-Z]", re.sub(r"\\.", "", row["pattern"])):
            raise ConfigError(
                f"{TEXT_TABLE}, Zeile {line}: Muster müssen kleingeschrieben sein "
                "(der Text wird vor dem Vergleich kleingeschrieben)."
            )
        if row.get("final", "") not in ("", "yes"):
            raise ConfigError(f"{TEXT_TABLE}, Zeile {line}: „final“ muss leer oder yes sein.")
        if row["pass"] not in ("1", "2"):
            raise ConfigError(f"{TEXT_TABLE}, Zeile {line}: „pass“ muss 1 oder 2 sein.")
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
        specific_texts=_text_rules([(n, row) for n, row in rows if row["pass"] == "1"]),
        general_texts=_text_rules([(n, row) for n, row in rows if row["pass"] == "2"]),
        status_exact=exact,
        status_subject_detail=subject_detail,
        status_subject=subject,
        reply_codes=replies,
    )


def invalid_patterns() -> list[str]:
    """Why rows of the shipped text table cannot be used, in German: patterns that do not
    compile as Python regular expressions (the tests see that this stays empty)."""
    problems = []
    for line, row in enumerate(_read(TEXT_TABLE), start=2):
        try:
            re.compile(row["pattern"])
        except re.error as error:
            problems.append(
                f"{TEXT_TABLE}, Zeile {line}: ungültiges Muster {row['pattern']!r} ({error})."
            )
    return problems


def merged(rules: tuple[TextRule, ...]) -> tuple[TextRule, ...]:
    """Consecutive rules of the same reason (and `final`, bounce type) as one alternation.

    The first match in table order gives the same reason either way; the vectorized engines
    test far fewer expressions. The merged rule keeps the first row's id.
    """
    result: list[TextRule] = []
    for rule in rules:
        last = result[-1] if result else None
        if last is not None and (last.reason, last.final, last.bounce_type) == (
            rule.reason,
            rule.final,
            rule.bounce_type,
        ):
            result[-1] = replace(last, pattern=f"{last.pattern}|{rule.pattern}")
        else:
            result.append(rule)
    return tuple(result)


_active: list[RuleBase] = []


def rule_base() -> RuleBase:
    """The rule base in force: the shipped one, or the one `use_rules` put in force."""
    return _active[-1] if _active else shipped_rules()


@contextmanager
def use_rules(rules: RuleBase) -> Iterator[RuleBase]:
    """Put a rule base (e.g. with the analyst's rules) in force for the calls inside."""
    _active.append(rules)
    try:
        yield rules
    finally:
        _active.remove(rules)


def activate_rules(rules: RuleBase | None) -> None:
    """Put a rule base in force until the next call (a notebook's parameters cell)."""
    _active.clear()
    if rules is not None:
        _active.append(rules)


def with_user_rules(user_rules: tuple[TextRule, ...]) -> RuleBase:
    """The shipped rule base with the analyst's rules in front (step 0)."""
    return replace(shipped_rules(), user_texts=user_rules)


#: Status code subjects that contradict an unknown user: the mailbox exists but refuses
#: (x.2.x mailbox status) or a policy refused the message (x.7.x security or policy status).
FILTER_SUBJECTS = ("2", "7")


def status_subject(status: str | None) -> str | None:
    """The subject of an enhanced status code ("7" for 5.7.1), None without a code."""
    parts = (status or "").split(".")
    return parts[1] if len(parts) == 3 else None


@dataclass(frozen=True)
class Refinement:
    """One step of the refinement after the rules: an unknown-address verdict whose context
    proves something else. Both paths (`refine` here, `vectorized.refinement_expr`) read
    these steps; the first that applies wins."""

    name: str
    reasons: tuple[str, ...]  # the verdicts it may change
    result: str
    commands: tuple[str, ...] = ()  # only after one of these SMTP commands
    not_commands: tuple[str, ...] = ()  # never after one of these
    status_subjects: tuple[str, ...] = ()  # only under a status code of these subjects
    unless_status_says: str | None = None  # not where the status code itself says this

    def applies(
        self, reason: str, status_reason: str | None, command: str | None, status: str | None
    ) -> bool:
        return (
            reason in self.reasons
            and (not self.commands or command in self.commands)
            and command not in self.not_commands
            and (not self.status_subjects or status_subject(status) in self.status_subjects)
            and (self.unless_status_says is None or status_reason != self.unless_status_says)
        )


#: The refinement: refused at MAIL FROM, the sender was refused, not the address; an
#: "unknown user" after DATA, or under a mailbox (x.2.x) or policy (x.7.x) status unless the
#: server refused the recipient at RCPT TO, is a filter speaking, not a missing mailbox.
REFINEMENTS = (
    Refinement("mail-from", ("userunknown", "hostunknown"), "rejected", commands=("MAIL",)),
    Refinement(
        "after-data",
        ("userunknown",),
        "filtered",
        commands=("DATA",),
        unless_status_says="userunknown",
    ),
    Refinement(
        "status-filtered",
        ("userunknown",),
        "filtered",
        not_commands=("RCPT",),
        status_subjects=FILTER_SUBJECTS,
        unless_status_says="userunknown",
    ),
)


def refine(
    reason: str,
    status_reason: str | None,
    command: str | None,
    final: bool = False,
    status: str | None = None,
) -> tuple[str, str | None]:
    """The refinement after the rules (`REFINEMENTS`): what an unknown-address text really
    proves. Returns the reason and the name of the step that applied (None when none did)."""
    if final:
        return reason, None
    for step in REFINEMENTS:
        if step.applies(reason, status_reason, command, status):
            return step.result, step.name
    return reason, None
