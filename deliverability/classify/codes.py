"""Scalar classification of one failure from its codes and text (same rules as `vectorized`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Protocol

import re2

from deliverability.classify.rules import (
    COMMAND_REASONS,
    DELIVERED_ACTIONS,
    REPLY_IN_TEXT,
    STATUS_IN_TEXT,
    WEAK_REASONS,
    RuleBase,
    TextRule,
    refine,
    rule_base,
)
from deliverability.taxonomy import get_reason

_STATUS = re.compile(STATUS_IN_TEXT)
_REPLY = re.compile(REPLY_IN_TEXT)


@dataclass(frozen=True)
class Verdict:
    reason: str
    bounce_type: str
    status: str | None
    reply_code: int | None
    suppress: bool = False
    #: the rule that decided (see `classify.rules`), e.g. ``status:x.1.1``
    rule: str = ""


@dataclass(frozen=True)
class Decision:
    """A reason and the rule that decided it; `bounce_type` when an analyst's rule fixes it."""

    reason: str
    rule: str
    bounce_type: str | None = None


class PatternSet(Protocol):
    """Finds the first rule of one pass whose pattern occurs in a (lower-case) text."""

    def first(self, text: str | None) -> TextRule | None: ...


class RE2PatternSet:
    """All patterns of one pass in one RE2 automaton: one scan finds every matching rule.

    RE2 (like polars' Rust regex engine) guarantees linear time; the lowest matching index
    is the first rule in table order.
    """

    def __init__(self, rules: tuple[TextRule, ...]) -> None:
        options = re2.Options()
        options.max_mem = 256 << 20
        self._set = re2.Set.SearchSet(options)
        for rule in rules:
            self._set.Add(rule.pattern)
        self._set.Compile()
        self._rules = rules

    def first(self, text: str | None) -> TextRule | None:
        """The first rule in table order whose pattern occurs in `text`."""
        if not text or not self._rules:
            return None
        matches = self._set.Match(text)
        return self._rules[min(matches)] if matches else None


class PythonPatternSet:
    """The same with Python's `re`, one pattern after the other (for comparisons)."""

    def __init__(self, rules: tuple[TextRule, ...]) -> None:
        self._compiled = tuple((re.compile(rule.pattern), rule) for rule in rules)

    def first(self, text: str | None) -> TextRule | None:
        if text:
            for pattern, rule in self._compiled:
                if pattern.search(text):
                    return rule
        return None


@cache
def _compiled(rules: RuleBase) -> tuple[PatternSet, PatternSet, PatternSet]:
    """The RE2 pattern sets of one rule base: the analyst's, pass 1 and pass 2."""
    return (
        RE2PatternSet(rules.user_texts),
        RE2PatternSet(rules.specific_texts),
        RE2PatternSet(rules.general_texts),
    )


def warm_up() -> None:
    """Compile the pattern sets of the rule base in force (before work is spread out)."""
    _compiled(rule_base())


def python_pattern_sets() -> tuple[PatternSet, PatternSet]:
    """Pattern sets on Python's `re` module, e.g. as the baseline of a benchmark."""
    rules = rule_base()
    return PythonPatternSet(rules.specific_texts), PythonPatternSet(rules.general_texts)


def extract_status(text: str | None) -> str | None:
    match = _STATUS.search(text or "")
    return match.group(1) if match else None


def extract_reply_code(text: str | None) -> int | None:
    match = _REPLY.search(text or "")
    return int(match.group(1)) if match else None


def context_reason(
    command: str | None, dsn_action: str | None, diagnostic_type: str | None
) -> tuple[str, str] | None:
    """What the circumstances of a failure say when its codes and text do not.

    A bounce mail knows more than a log row: the SMTP command the server answered and the
    DSN's Action field. A refusal at MAIL FROM concerns the sender (`rejected`), one at
    connection or HELO/EHLO the sending host (`blocked`); a delayed or expired delivery is
    `expired`; a local delivery program's failure (X-Unix) is `mailererror`. Returns the
    reason and what decided it.
    """
    if diagnostic_type and diagnostic_type.startswith("X-UNIX"):
        return "mailererror", "x-unix"
    if dsn_action in ("delayed", "expired"):
        return "expired", f"action-{dsn_action}"
    reason = COMMAND_REASONS.get(command or "")
    return (reason, f"command-{command}") if reason else None


def decide(
    status: str | None,
    reply_code: int | None,
    diagnostic: str | None,
    *,
    command: str | None = None,
    dsn_action: str | None = None,
    diagnostic_type: str | None = None,
    patterns: tuple[PatternSet, PatternSet] | None = None,
) -> Decision:
    """The reason and the deciding rule, by the documented precedence (`classify.rules`).

    `patterns` replaces the RE2 pattern sets of passes 1 and 2 (see `python_pattern_sets`).
    """
    rules = rule_base()
    user, specific, general = _compiled(rules)
    if patterns is not None:
        specific, general = patterns
    text = diagnostic.lower() if diagnostic else diagnostic  # patterns are lower case
    own = user.first(text)
    if own is not None:
        return Decision(own.reason, own.rule_id, own.bounce_type)
    by_status = rules.status_rule(status)
    status_reason = by_status[0] if by_status else None
    rule = specific.first(text)
    decision: Decision | None = None
    if rule is not None:
        decision = Decision(rule.reason, rule.rule_id)
    elif by_status is not None and status_reason not in WEAK_REASONS:
        decision = Decision(by_status[0], f"status:{by_status[1]}")
    else:
        rule = general.first(text)
        context = context_reason(command, dsn_action, diagnostic_type)
        if rule is not None:
            decision = Decision(rule.reason, rule.rule_id)
        elif context is not None:
            decision = Decision(context[0], f"context:{context[1]}")
        elif by_status is not None:
            decision = Decision(by_status[0], f"status:{by_status[1]}")
        elif reply_code is not None and reply_code in rules.reply_codes:
            decision = Decision(rules.reply_codes[reply_code], f"reply:{reply_code}")
        else:
            fallback = "onhold" if text and text.strip() else "undefined"
            decision = Decision(fallback, f"fallback:{fallback}")
    reason, refinement = refine(
        decision.reason, status_reason, command, final=bool(rule and rule.final), status=status
    )
    if refinement is None:
        return decision
    return Decision(reason, f"{decision.rule}+refine:{refinement}")


def classify_failure(
    status: str | None = None,
    reply_code: int | None = None,
    diagnostic: str | None = None,
    *,
    command: str | None = None,
    dsn_action: str | None = None,
    diagnostic_type: str | None = None,
    hint: str | None = None,
    reason: str | None = None,
    reason_rule: str = "",
) -> Verdict:
    """Reason, hard/soft, `suppress` and the deciding rule for one failure.

    `hint` is a reason the source names itself (an SES bounce sub-type, a Google Group),
    taken when the rules find none (`onhold`, `undefined`). `reason` forces the reason
    (feedback reports, auto-replies; `reason_rule` says why); the codes still decide hard or
    soft.
    """
    status = status or extract_status(diagnostic)
    reply_code = reply_code or extract_reply_code(diagnostic)
    fixed_type: str | None = None
    if reason is not None:
        rule = reason_rule or f"source:{reason}"
    elif (status or "").startswith("2.") or dsn_action in DELIVERED_ACTIONS:
        reason, rule = "delivered", f"status:{status}" if status else f"context:action-{dsn_action}"
    else:
        decision = decide(
            status,
            reply_code,
            diagnostic,
            command=command,
            dsn_action=dsn_action,
            diagnostic_type=diagnostic_type,
        )
        reason, rule, fixed_type = decision.reason, decision.rule, decision.bounce_type
        if hint and reason in ("onhold", "undefined"):
            reason, rule = hint, f"hint:{hint}"
    bounce_type = fixed_type or bounce_type_of(status, reply_code, reason, dsn_action)
    suppress = get_reason(reason).suppress and bounce_type == "hard"
    return Verdict(reason, bounce_type, status, reply_code, suppress, rule)


def bounce_type_of(
    status: str | None, reply_code: int | None, reason: str, dsn_action: str | None = None
) -> str:
    """hard for permanent (5xx), soft for temporary (4xx); without codes the DSN action
    (failed → hard, delayed → soft), else the reason's nature."""
    leading = (status or "")[:1] or str(reply_code or "")[:1]
    if leading == "5" or (not leading and dsn_action == "failed"):
        return "hard"
    if leading == "4" or (not leading and dsn_action == "delayed"):
        return "soft"
    return get_reason(reason).nature
