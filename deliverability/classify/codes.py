"""Scalar classification of one failure from its codes and text (same rules as `vectorized`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from deliverability.classify.rules import REPLY_IN_TEXT, STATUS_IN_TEXT, rule_base
from deliverability.taxonomy import get_reason


@dataclass(frozen=True)
class Verdict:
    reason: str
    bounce_type: str
    status: str | None
    reply_code: int | None


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(rule.pattern), rule.reason) for rule in rule_base().text_rules)


def extract_status(text: str | None) -> str | None:
    match = re.search(STATUS_IN_TEXT, text or "")
    return match.group(1) if match else None


def extract_reply_code(text: str | None) -> int | None:
    match = re.search(REPLY_IN_TEXT, text or "")
    return int(match.group(1)) if match else None


def classify_failure(
    status: str | None = None, reply_code: int | None = None, diagnostic: str | None = None
) -> Verdict:
    """Reason and hard/soft for one failure, by the documented precedence."""
    rules = rule_base()
    status = status or extract_status(diagnostic)
    reply_code = reply_code or extract_reply_code(diagnostic)
    reason = None
    for pattern, candidate in _compiled():
        if diagnostic and pattern.search(diagnostic):
            reason = candidate
            break
    if reason is None and status:
        reason = rules.status_exact.get(status)
        if reason is None:
            reason = rules.status_subject_detail.get(status.split(".", 1)[1])
    if reason is None and reply_code is not None:
        reason = rules.reply_codes.get(reply_code)
    reason = reason or "undefined"
    return Verdict(reason, bounce_type_of(status, reply_code, reason), status, reply_code)


def bounce_type_of(status: str | None, reply_code: int | None, reason: str) -> str:
    """hard for permanent (5xx), soft for temporary (4xx), else the reason's nature."""
    leading = (status or "")[:1] or str(reply_code or "")[:1]
    if leading == "5":
        return "hard"
    if leading == "4":
        return "soft"
    return get_reason(reason).nature
