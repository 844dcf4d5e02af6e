"""The verdict for one failed recipient: the contract of `deliverability classify`."""

from __future__ import annotations

from dataclasses import dataclass

#: Field order of the CLI output (JSON lines and CSV).
VERDICT_FIELDS: tuple[str, ...] = (
    "file",
    "recipient",
    "reason",
    "bounce_type",
    "suppress",
    "status",
    "reply_code",
    "diagnostic",
    "remote_mta",
    "german_label",
    "explanation",
    "action",
    "rule",
    "original_recipient",
)


@dataclass(frozen=True)
class BounceVerdict:
    """Which recipient failed, hard or soft, why, and what the analyst can do about it."""

    file: str
    recipient: str | None
    reason: str
    bounce_type: str
    suppress: bool
    status: str | None
    reply_code: int | None
    diagnostic: str | None
    remote_mta: str | None
    german_label: str
    explanation: str
    action: str
    #: the rule that decided the reason (see `classify.rules`), e.g. ``status:x.1.1``
    rule: str = ""
    #: the address as the sender wrote it (DSN Original-Recipient), when it differs
    original_recipient: str | None = None

    def as_dict(self) -> dict[str, object]:
        """The fields in the order of `VERDICT_FIELDS` (flat values: no deep copy needed)."""
        return {name: getattr(self, name) for name in VERDICT_FIELDS}


@dataclass(frozen=True)
class MailResult:
    """All verdicts of one mail, or why it is not a bounce (`kind` = "keine-bounce")."""

    file: str
    kind: str
    verdicts: tuple[BounceVerdict, ...]
    note: str = ""
