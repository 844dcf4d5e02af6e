"""One failed recipient as read from a bounce mail, before classification."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from deliverability.classify.rules import REPLY_IN_TEXT, STATUS_IN_TEXT

_STATUS = re.compile(STATUS_IN_TEXT)
_REPLY = re.compile(REPLY_IN_TEXT, re.MULTILINE)
_SPACE = re.compile(r"\s+")
#: The SMTP command a server answered, as bounce texts name it.
_COMMAND = re.compile(
    r"(?:in reply to|after|while sending|>>>|sent <<<|smtp command\W*)\s*(?:the\s+)?(rcpt to|rcpt|mail from|mail"
    r"|end of data|data|helo|ehlo|initial connection|connect|starttls)\b"
    r"|does not like (recipient)|\[(rcpt_to|mail_from|data)\]",
    re.IGNORECASE,
)
_COMMANDS = {
    "rcpt to": "RCPT",
    "rcpt": "RCPT",
    "recipient": "RCPT",
    "rcpt_to": "RCPT",
    "mail from": "MAIL",
    "mail": "MAIL",
    "mail_from": "MAIL",
    "end of data": "DATA",
    "data": "DATA",
    "helo": "HELO",
    "ehlo": "EHLO",
    "initial connection": "CONN",
    "connect": "CONN",
    "starttls": "STARTTLS",
}


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
            match = _COMMAND.search(text)
            command = _COMMANDS[next(g for g in match.groups() if g).lower()] if match else None
        return replace(self, status=status, reply_code=reply, command=command)


def squeeze(text: str) -> str:
    """One line, single spaces."""
    return _SPACE.sub(" ", text).strip()
