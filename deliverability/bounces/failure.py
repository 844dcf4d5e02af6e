"""One failed recipient as read from a bounce mail, before classification."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from deliverability.classify.rules import (
    COMMAND_IN_TEXT,
    COMMAND_NAMES,
    REPLY_IN_TEXT,
    STATUS_IN_TEXT,
)

_STATUS = re.compile(STATUS_IN_TEXT)
_REPLY = re.compile(REPLY_IN_TEXT, re.MULTILINE)
_SPACE = re.compile(r"\s+")
_COMMAND = re.compile(COMMAND_IN_TEXT)  # on the lower-cased text


@dataclass(frozen=True)
class Failure:
    """A recipient and what the bounce says about it."""

    recipient: str | None
    status: str | None = None
    reply_code: int | None = None
    diagnostic: str | None = None
    diagnostic_type: str | None = None
    remote_mta: str | None = None
    dsn_action: str | None = None
    command: str | None = None
    #: a reason the source names itself (e.g. SES bounce sub-type), used when the rules find none
    hint: str | None = None
    #: the reason the kind of mail fixes (ARF report → feedback, auto-reply → vacation)
    forced_reason: str | None = None
    #: the address as the sender wrote it (DSN Original-Recipient), when it differs
    original_recipient: str | None = None

    def with_text_facts(self) -> Failure:
        """Fill status, reply code and SMTP command from the diagnostic where missing."""
        text = self.diagnostic or ""
        status = self.status
        found = _STATUS.search(text)
        if (
            found
            and (status is None or status.endswith(".0.0"))
            and found.group(1)[0] == (status or found.group(1))[0]
        ):
            status = found.group(1)
        reply = self.reply_code
        if reply is None:
            match = _REPLY.search(text)
            reply = int(match.group(1)) if match else None
        command = self.command
        if command is None:
            match = _COMMAND.search(text.lower())
            command = COMMAND_NAMES[next(g for g in match.groups() if g).lower()] if match else None
        return replace(self, status=status, reply_code=reply, command=command)


def squeeze(text: str) -> str:
    """One line, single spaces."""
    return _SPACE.sub(" ", text).strip()
