"""From one raw mail to verdicts: detect the kind of mail, read its failures, classify them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from email.utils import getaddresses, parseaddr
from pathlib import Path

from deliverability.bounces.addresses import is_internet_address, recipient_address
from deliverability.bounces.failure import Failure, squeeze
from deliverability.bounces.message import MailParts, header_text, parse_field_blocks, parse_mail
from deliverability.bounces.plaintext import (
    FIRST_REFUSAL,
    addresses_in,
    text_blocks,
    transcript_commands,
)
from deliverability.bounces.ses_notifications import ses_notification
from deliverability.bounces.sources import RawMail, iter_mails, normalize_line_endings
from deliverability.bounces.verdict import BounceVerdict, MailResult
from deliverability.classify.codes import classify_failure
from deliverability.classify.rules import COMMAND_NAMES, REPLY_IN_TEXT, STATUS_IN_TEXT
from deliverability.taxonomy import get_reason

NOT_A_BOUNCE = "keine-bounce"

_BOUNCE_SENDER = re.compile(
    r"mailer-daemon|postmaster|mail delivery (?:subsystem|system|service)|maildelivery|mdaemon"
    r"|mail administrator|\bbounces?\b|nobody@|mail-?router|mta@|post_master",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|delivery (?:status|failure|notification|has failed|failed|report|problem|error)"
    r"|failure notice|returned mail|mail delivery failed|could ?n[o']t be delivered|unzustellbar"
    r"|nicht zustellbar|non remis|non recapitabile|returned to sender|unable to deliver"
    r"|mail system error|could not send message|nondeliverable|non-?delivery|delayed mail"
    r"|failed delivery|mail failure|message not delivered|rejected:|delivery notification"
    r"|notice of delay|warning: message|mail could not|problem delivering|is not reachable"
    r"|\bdsn\b|delivery-status|delivery error|メールエラー|エラー通知|配信エラー|不達",
    re.IGNORECASE,
)
_AUTO_REPLY_SUBJECT = re.compile(
    r"out of (?:the )?office|auto(?:matic)?[ -]?(?:reply|response|antwort)|abwesenheit"
    r"|automatische antwort|vacation|réponse automatique|^auto:|urlaub|away from",
    re.IGNORECASE,
)
_HOST = r"([a-z0-9][a-z0-9.-]*\.[a-z]{2,})"
#: Where bounce texts name the remote server: (literal that must occur, pattern), in order;
#: both on the lower-cased text, the literal check first because it is cheap.
_REMOTE_MTA_IN_TEXT = (
    ("host ", re.compile(rf"\bhost\s+{_HOST}\.?\s*\[")),
    ("talking to ", re.compile(rf"while talking to {_HOST}")),
    ("by ", re.compile(rf"\bby {_HOST}\.? \[\d")),
    ("remote-mta:", re.compile(r"remote-mta:\s*dns;\s*([a-z0-9.-]+)")),
)
_DSN_FIELD_IN_TEXT = re.compile(
    r"^\s*(?:final|original)-recipient\s*:", re.IGNORECASE | re.MULTILINE
)
#: How a bounce without DSN part says whether it will retry (the DSN Action it would carry);
#: matched against the lower-cased text (faster than IGNORECASE).
_PERMANENT_TEXT = re.compile(
    r"permanent (?:fatal )?error|failed permanently|i've given up|dauerhaft|endgültig"
)
_DELAYED_TEXT = re.compile(
    r"has been delayed|delivery (?:is )?delayed|will (?:be )?retr(?:y|ied)|still trying"
    r"|warning message only|temporär|vorübergehend"
)
_ANY_CODE = re.compile(r"\b[245]\d\d\b")
#: A server answer: a reply code where servers put it, or an enhanced status code.
_CODE_IN_TEXT = re.compile(f"{REPLY_IN_TEXT}|{STATUS_IN_TEXT}", re.MULTILINE)
#: Phrases with which a bounce's own text says that a message was not delivered.
_BOUNCE_TEXT = re.compile(
    r"could ?n[o']t be delivered|undeliverable|was not delivered|delivery (?:has )?failed"
    r"|permanent (?:fatal )?error|unable to deliver|not be delivered to|delivery to the following"
    r"|nicht zugestellt werden|unzustellbar|n'a pas pu être remis",
    re.IGNORECASE,
)
#: Domains whose bounces always mean one reason, whatever the language of the text.
RECIPIENT_DOMAIN_HINTS = {
    "googlegroups.com": "rejected",  # Google Groups refuses posts by non-members
}


def _typed(value: str | None) -> tuple[str | None, str | None]:
    """Split "smtp; 550 …" into its type and text."""
    if not value:
        return None, None
    kind, sep, text = value.partition(";")
    if sep and re.fullmatch(r"\s*[A-Za-z][\w-]*\s*", kind):
        return kind.strip().upper(), squeeze(text) or None
    return None, squeeze(value) or None


def _remote_mta(text: str) -> str | None:
    lower = text.lower()
    for literal, pattern in _REMOTE_MTA_IN_TEXT:
        if literal in lower:
            match = pattern.search(lower)
            if match:
                return match.group(1).rstrip(".")
    return None


def mail_kind(parts: MailParts) -> str:
    """bounce, feedback, vacation or not a bounce — judged from structure and headers."""
    headers = parts.headers
    if parts.feedback is not None or parts.report_type == "feedback-report":
        return "feedback"
    if parts.dsn_recipients or parts.report_type in ("delivery-status", "global-delivery-status"):
        return "bounce"
    sender = header_text(headers, "From")
    subject = header_text(headers, "Subject")
    if (
        headers.get("X-Failed-Recipients")
        or _BOUNCE_SENDER.search(sender)
        or _BOUNCE_SUBJECT.search(subject)
    ):
        return "bounce"
    if _BOUNCE_TEXT.search(parts.text) and text_blocks(parts.text, _own_addresses(parts))[1]:
        return "bounce"  # the text says so and names the failed address
    auto = header_text(headers, "Auto-Submitted").lower()
    if (
        auto.startswith("auto-replied")
        or headers.get("X-Autoreply")
        or headers.get("X-Autorespond")
        or header_text(headers, "Precedence").lower() == "auto_reply"
        or _AUTO_REPLY_SUBJECT.search(subject)
    ):
        return "vacation"
    return NOT_A_BOUNCE


def _own_addresses(parts: MailParts) -> frozenset[str]:
    """Addresses that are never the failed recipient: the bounce's own sender and recipient,
    the original message's sender, and a mailing list's own addresses (List-Post, List-Id)."""
    values = [header_text(parts.headers, name) for name in ("From", "To", "Return-Path", "Sender")]
    if parts.original is not None:
        values += [
            header_text(parts.original, name)
            for name in ("From", "Return-Path", "Sender", "Reply-To", "List-Post", "Errors-To")
        ]
        values += [a for a in _list_addresses(parts)]
    return frozenset(addresses_in(" ".join(values)))


def _list_addresses(parts: MailParts) -> list[str]:
    """The list's own address when the returned message was a mailing-list post."""
    if parts.original is None:
        return []
    post = header_text(parts.original, "List-Post") + " " + header_text(parts.original, "List-Id")
    found = addresses_in(post.replace("<", " ").replace(">", " ").replace("mailto:", " "))
    list_id = re.search(r"<([^<>@\s.]+)\.([^<>\s]+\.[a-z]{2,})>", post)
    if list_id:  # List-Id: <name.example.org> stands for name@example.org
        found.append(f"{list_id.group(1)}@{list_id.group(2)}".lower())
    return found


def _dsn_failures(parts: MailParts) -> list[Failure]:
    failures = []
    reporting = _typed(parts.dsn_message.get("reporting-mta"))[1]
    for fields in parts.dsn_recipients:
        final = recipient_address(fields.get("final-recipient"))
        original = recipient_address(fields.get("original-recipient"))
        diagnostic_type, diagnostic = _typed(fields.get("diagnostic-code"))
        actual = _typed(fields.get("x-actual-recipient"))[1] or ""
        if actual.startswith(("|", '"|')):
            diagnostic_type = diagnostic_type or "X-UNIX"  # delivered to a program: a local mailer
        status = (fields.get("status") or "").split(" ")[0].strip() or None
        if status and not re.fullmatch(r"[245]\.\d{1,3}\.\d{1,3}", status):
            status = None
        failures.append(
            Failure(
                recipient=final
                if is_internet_address(final) or not is_internet_address(original)
                else original,
                status=status,
                diagnostic=diagnostic,
                diagnostic_type=diagnostic_type,
                remote_mta=_typed(fields.get("remote-mta"))[1] or reporting,
                dsn_action=(fields.get("action") or "").lower() or None,
                original_recipient=original
                if original and final and original.lower() != final.lower()
                else None,
            )
        )
    return failures


def _merge_text(
    failure: Failure,
    blocks: dict[str, str],
    preamble: str,
    commands: dict[str, str],
    only_one: bool = False,
) -> Failure:
    """Fill the diagnostic from the human-readable text where the DSN gave none.

    `preamble` is the text before the first recipient; it is only used for bounces without
    a DSN part (a DSN's preamble is boilerplate).
    """
    text = blocks.get((failure.recipient or "").lower(), "")
    diagnostic = failure.diagnostic
    if not diagnostic:
        if preamble and not _CODE_IN_TEXT.search(text) and _ANY_CODE.search(preamble):
            text = f"{preamble} {text}".strip()  # the error stands above the address
        diagnostic = text or preamble or None
    merged = replace(
        failure,
        diagnostic=diagnostic,
        remote_mta=failure.remote_mta or _remote_mta(text or preamble),
    ).with_text_facts()
    if merged.command is None and text and text != diagnostic:
        command = Failure(None, diagnostic=text).with_text_facts().command
        merged = replace(merged, command=command)
    if merged.command is None:
        sent = commands.get((failure.recipient or "").lower())
        if sent is None and only_one:  # one failed recipient: the session's refusal is its
            sent = commands.get(FIRST_REFUSAL)
        if sent:
            merged = replace(merged, command=COMMAND_NAMES[sent])
    return merged


def read_failures(parts: MailParts) -> list[Failure]:
    """The failed recipients of a bounce, from its DSN part and its text."""
    ignore = _own_addresses(parts)
    preamble, blocks = text_blocks(parts.text, ignore)
    by_address = {block.recipient.lower(): block.diagnostic for block in blocks}
    failures = _dsn_failures(parts)
    lower = parts.text.lower()
    inline_dsn = _DSN_FIELD_IN_TEXT.search(parts.text)  # its position cuts the original text
    if not failures and inline_dsn:
        # DSN fields pasted into the text (older Sendmail, some gateways)
        parts.dsn_recipients = [
            block
            for block in parse_field_blocks(parts.text[inline_dsn.start() :])
            if "final-recipient" in block or "original-recipient" in block
        ]
        failures = _dsn_failures(parts)
    if failures:
        preamble = ""
    else:
        action = (
            "delayed"
            if _DELAYED_TEXT.search(lower)
            else "failed"
            if _PERMANENT_TEXT.search(lower)
            else None
        )
        failures = [Failure(block.recipient, dsn_action=action) for block in blocks]
    if not failures:
        if parts.dsn_message:  # a DSN without recipients: its text is only boilerplate
            preamble = ""
        failures = [Failure(address) for address in _fallback_recipients(parts, ignore)]
    commands = transcript_commands(parts.text)
    merged = [
        _merge_text(failure, by_address, preamble, commands, only_one=len(failures) == 1)
        for failure in failures
    ]
    return [_with_domain_hint(failure) for failure in merged]


def _with_domain_hint(failure: Failure) -> Failure:
    domain = (failure.recipient or "").rpartition("@")[2].lower()
    hint = RECIPIENT_DOMAIN_HINTS.get(domain)
    return replace(failure, hint=hint) if hint and not failure.hint else failure


def _fallback_recipients(parts: MailParts, ignore: frozenset[str]) -> list[str]:
    failed = header_text(parts.headers, "X-Failed-Recipients")
    if failed:
        return [address for _, address in getaddresses([failed]) if address]
    in_text = [address for address in addresses_in(parts.text) if address not in ignore]
    if len(in_text) == 1:
        return in_text
    if parts.original is not None:
        to = [
            address
            for _, address in getaddresses([header_text(parts.original, "To")])
            if address and address.lower() not in ignore
        ]
        if len(to) == 1:
            return to
    return [in_text[0]] if in_text else [""]


def _feedback_failures(parts: MailParts) -> list[Failure]:
    fields = parts.feedback or {}
    recipient = recipient_address(fields.get("original-rcpt-to"))
    if recipient is None and parts.original is not None:
        recipient = parseaddr(header_text(parts.original, "To"))[1] or None
    kind = fields.get("feedback-type", "abuse")
    mta = _typed(fields.get("reporting-mta"))[1]
    return [
        Failure(
            recipient, diagnostic=f"feedback-type: {kind}", remote_mta=mta, forced_reason="feedback"
        )
    ]


@dataclass(frozen=True)
class MailRead:
    """What one mail says, before classification."""

    file: str
    kind: str
    failures: tuple[Failure, ...]
    note: str = ""


def read_mail(mail: RawMail) -> MailRead:
    """Detect the kind of mail and read its failed recipients. Never raises on bad input."""
    try:
        parts = parse_mail(normalize_line_endings(mail.data))
    except (ValueError, LookupError, IndexError) as error:  # the email package's failures
        return MailRead(mail.file, NOT_A_BOUNCE, (), f"nicht lesbar: {error}")
    ses = ses_notification(parts.text)
    if ses is not None:
        kind, failures = ses
        if kind == "feedback":
            failures = [replace(failure, forced_reason="feedback") for failure in failures]
        return MailRead(mail.file, kind, tuple(failures))
    kind = mail_kind(parts)
    if kind == NOT_A_BOUNCE:
        return MailRead(
            mail.file,
            kind,
            (),
            "weder Unzustellbarkeitsmeldung noch Beschwerde oder Abwesenheitsnotiz",
        )
    if kind == "feedback":
        return MailRead(mail.file, kind, tuple(_feedback_failures(parts)))
    if kind == "vacation":
        sender = parseaddr(header_text(parts.headers, "From"))[1] or None
        subject = header_text(parts.headers, "Subject") or None
        return MailRead(
            mail.file, kind, (Failure(sender, diagnostic=subject, forced_reason="vacation"),)
        )
    failures = [
        failure for failure in read_failures(parts) if failure.recipient or failure.diagnostic
    ]
    if not failures:
        return MailRead(
            mail.file, NOT_A_BOUNCE, (), "kein Empfänger und keine Fehlermeldung gefunden"
        )
    return MailRead(mail.file, kind, tuple(failures))


#: Why a kind of mail fixes its reason, as the verdict's rule field says it.
_FORCED_RULES = {"feedback": "source:feedback-report", "vacation": "source:auto-reply"}


def verdict_of(file: str, failure: Failure) -> BounceVerdict:
    """Classify one failure and attach the German explanation from the taxonomy."""
    verdict = classify_failure(
        failure.status,
        failure.reply_code,
        failure.diagnostic,
        command=failure.command,
        dsn_action=failure.dsn_action,
        diagnostic_type=failure.diagnostic_type,
        hint=failure.hint,
        reason=failure.forced_reason,
        reason_rule=_FORCED_RULES.get(failure.forced_reason or "", ""),
    )
    taxonomy = get_reason(verdict.reason)
    return BounceVerdict(
        file=file,
        recipient=failure.recipient or None,
        reason=verdict.reason,
        bounce_type=verdict.bounce_type,
        suppress=verdict.suppress,
        status=verdict.status,
        reply_code=verdict.reply_code,
        diagnostic=failure.diagnostic,
        remote_mta=failure.remote_mta,
        german_label=taxonomy.label,
        explanation=f"{taxonomy.what} {taxonomy.meaning}",
        action=taxonomy.action,
        rule=verdict.rule,
        original_recipient=failure.original_recipient,
    )


def classify_mail(mail: RawMail) -> MailResult:
    """All verdicts of one mail. A mail that is not a bounce gets no verdict and a note."""
    read = read_mail(mail)
    verdicts = tuple(verdict_of(read.file, failure) for failure in read.failures)
    return MailResult(read.file, read.kind, verdicts, read.note)


def classify_mails(paths: Iterable[str | Path]) -> Iterator[MailResult]:
    """Classify every mail under `paths` (files, folders, mbox files, Maildirs), in order."""
    for mail in iter_mails(paths):
        yield classify_mail(mail)
