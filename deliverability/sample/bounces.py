"""The sample's failures of one week as the bounce mails the sender received.

Every `bounced` event of the sample week becomes the bounce mail its sending system would have
got back, in the format of a common MTA (chosen deterministically per message): Postfix
RFC 3464 DSN, Exim plain text, qmail plain text, Sendmail DSN with transcript, or an
Exchange Online NDR. Complaints become ARF feedback reports. A few out-of-office replies and
ordinary customer replies are mixed in, as in a real bounce mailbox. Written as one
gzip-compressed mbox file; the same seed always gives the same bytes.
"""

from __future__ import annotations

import gzip
import io
import random
from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

from deliverability.sample.events import BERLIN, Event, generate_events

SAMPLE_WEEK = (2026, 47)
_MTA_HOST = "mail.technik-handel.de"


def _dsn_text(event: Event) -> str:
    return event.diagnostic or f"{event.smtp_code} {event.status}".strip()


def _remote(event: Event) -> str:
    return f"mx.{event.recipient.rsplit('@', 1)[1]}"


def _headers(event: Event, sender: str, subject: str, extra: str = "") -> str:
    date = format_datetime(event.timestamp.astimezone(BERLIN))
    return (
        f"Return-Path: <>\nDate: {date}\nFrom: {sender}\nTo: {event.sender}\n"
        f"Subject: {subject}\nMessage-Id: <{event.message_id}.bounce@{_MTA_HOST}>\n{extra}"
    )


def _original(event: Event) -> str:
    return (
        f"From: {event.sender}\nTo: {event.recipient}\nSubject: Neuigkeiten von Technik-Handel\n"
        f"Message-Id: <{event.message_id}@technik-handel.de>\n\nGuten Tag, …\n"
    )


def postfix_dsn(event: Event) -> str:
    boundary = f"{event.message_id}.dsn/{_MTA_HOST}"
    action = "failed" if event.bounce_type == "hard" else "delayed"
    status = event.status or ("5.0.0" if event.bounce_type == "hard" else "4.0.0")
    return (
        _headers(
            event,
            f"MAILER-DAEMON@{_MTA_HOST} (Mail Delivery System)",
            "Undelivered Mail Returned to Sender",
            "Auto-Submitted: auto-replied\nMIME-Version: 1.0\n"
            f'Content-Type: multipart/report; report-type=delivery-status;\n\tboundary="{boundary}"\n',
        )
        + f"\nThis is a MIME-encapsulated message.\n\n--{boundary}\n"
        "Content-Description: Notification\nContent-Type: text/plain; charset=utf-8\n\n"
        f"This is the mail system at host {_MTA_HOST}.\n\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients. It's attached below.\n\n"
        f"<{event.recipient}>: host {_remote(event)}[192.0.2.25] said: {_dsn_text(event)}\n"
        "    (in reply to RCPT TO command)\n\n"
        f"--{boundary}\nContent-Description: Delivery report\nContent-Type: message/delivery-status\n\n"
        f"Reporting-MTA: dns; {_MTA_HOST}\n\n"
        f"Final-Recipient: rfc822; {event.recipient}\nAction: {action}\nStatus: {status}\n"
        f"Remote-MTA: dns; {_remote(event)}\nDiagnostic-Code: smtp; {_dsn_text(event)}\n\n"
        f"--{boundary}\nContent-Description: Undelivered Message\nContent-Type: message/rfc822\n\n"
        f"{_original(event)}\n--{boundary}--\n"
    )


def exim_text(event: Event) -> str:
    kind = (
        "This is a permanent error."
        if event.bounce_type == "hard"
        else "This is a temporary error."
    )
    return (
        _headers(
            event,
            f"Mail Delivery System <Mailer-Daemon@{_MTA_HOST}>",
            "Mail delivery failed: returning message to sender",
            f"X-Failed-Recipients: {event.recipient}\nAuto-Submitted: auto-replied\n",
        )
        + "\nThis message was created automatically by mail delivery software.\n\n"
        "A message that you sent could not be delivered to one or more of its\n"
        f"recipients. {kind} The following address(es) failed:\n\n"
        f"  {event.recipient}\n    host {_remote(event)} [192.0.2.25]\n"
        f"    SMTP error from remote mail server after RCPT TO:<{event.recipient}>:\n"
        f"    {_dsn_text(event)}\n\n"
        "------ This is a copy of the message, including all the headers. ------\n\n"
        + _original(event)
    )


def qmail_text(event: Event) -> str:
    return (
        _headers(event, f"MAILER-DAEMON@{_MTA_HOST}", "failure notice")
        + f"\nHi. This is the qmail-send program at {_MTA_HOST}.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
        f"<{event.recipient}>:\n192.0.2.25 does not like recipient.\n"
        f"Remote host said: {_dsn_text(event)}\nGiving up on 192.0.2.25.\n\n"
        "--- Below this line is a copy of the message.\n\n" + _original(event)
    )


def exchange_ndr(event: Event) -> str:
    boundary = f"ndr_{event.message_id}"
    status = event.status or "5.0.0"
    return (
        _headers(
            event,
            "Microsoft Outlook <postmaster@technikhandel.onmicrosoft.com>",
            "Unzustellbar: Neuigkeiten von Technik-Handel",
            "MIME-Version: 1.0\n"
            f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\n',
        )
        + f"\n--{boundary}\nContent-Type: text/html; charset=utf-8\n\n"
        f"<html><body><p><b>Ihre Nachricht an {event.recipient} konnte nicht zugestellt werden.</b></p>"
        f"<p>Remote Server returned '{_dsn_text(event)}'</p></body></html>\n\n"
        f"--{boundary}\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns;FR0P281MB1234.DEUP281.PROD.OUTLOOK.COM\n\n"
        f"Final-Recipient: rfc822;{event.recipient}\nAction: failed\nStatus: {status}\n"
        f"Diagnostic-Code: smtp;{_dsn_text(event)}\n\n"
        f"--{boundary}\nContent-Type: text/rfc822-headers\n\n{_original(event)}\n--{boundary}--\n"
    )


def arf_report(event: Event) -> str:
    boundary = f"arf_{event.message_id}"
    date = format_datetime(event.timestamp.astimezone(BERLIN))
    return (
        f"From: <feedback@{event.recipient.rsplit('@', 1)[1]}>\nTo: <abuse@technik-handel.de>\n"
        f"Date: {date}\nSubject: Beschwerde über eine E-Mail\nMIME-Version: 1.0\n"
        f'Content-Type: multipart/report; report-type=feedback-report; boundary="{boundary}"\n\n'
        f"--{boundary}\nContent-Type: text/plain; charset=utf-8\n\n"
        "This is an email abuse report.\n\n"
        f"--{boundary}\nContent-Type: message/feedback-report\n\n"
        "Feedback-Type: abuse\nUser-Agent: FeedbackLoop/1.0\nVersion: 1\n"
        f"Original-Mail-From: <{event.sender}>\nOriginal-Rcpt-To: <{event.recipient}>\n"
        f"Arrival-Date: {date}\n\n"
        f"--{boundary}\nContent-Type: message/rfc822\n\n{_original(event)}\n--{boundary}--\n"
    )


def _reply(event: Event, subject: str, body: str, extra: str = "") -> str:
    date = format_datetime(event.timestamp.astimezone(BERLIN))
    return (
        f"From: <{event.recipient}>\nTo: {event.sender}\nDate: {date}\nSubject: {subject}\n"
        f"{extra}Content-Type: text/plain; charset=utf-8\n\n{body}\n"
    )


def auto_reply(event: Event) -> str:
    return _reply(
        event,
        "Automatische Antwort: Neuigkeiten von Technik-Handel",
        "Vielen Dank für Ihre Nachricht. Ich bin bis zum 30.11.2026 nicht im Büro.",
        "Auto-Submitted: auto-replied\n",
    )


def customer_reply(event: Event) -> str:
    return _reply(
        event,
        "Re: Neuigkeiten von Technik-Handel",
        "Bitte schicken Sie mir das Angebot noch einmal als PDF.",
    )


_BOUNCE_FORMATS: tuple[Callable[[Event], str], ...] = (
    postfix_dsn,
    postfix_dsn,
    exim_text,
    qmail_text,
    exchange_ndr,
)


def _in_week(event: Event) -> bool:
    iso = event.timestamp.astimezone(BERLIN).isocalendar()
    return (iso.year, iso.week) == SAMPLE_WEEK


def bounce_mails(events: list[Event], seed: int = 20261123) -> list[str]:
    """The mails of the bounce mailbox for the sample week, in time order."""
    rng = random.Random(seed)
    mails: list[tuple[datetime, str]] = []
    replies = 0
    for event in events:
        if not _in_week(event):
            continue
        if event.event == "bounced":
            mails.append((event.timestamp, rng.choice(_BOUNCE_FORMATS)(event)))
        elif event.event == "complained":
            mails.append((event.timestamp, arf_report(event)))
        elif event.event == "opened" and rng.random() < 0.004:
            replies += 1
            maker = customer_reply if replies % 3 == 0 else auto_reply
            mails.append((event.timestamp, maker(event)))
    return [text for _, text in sorted(mails, key=lambda item: item[0])]


def write_bounce_sample(directory: Path, seed: int = 20261123, scale: float = 1.0) -> Path:
    """Write the sample week's bounce mailbox as `bounces-2026-W47.mbox.gz`."""
    buffer = io.StringIO()
    for text in bounce_mails(generate_events(seed, scale), seed):
        body = text.replace("\nFrom ", "\n>From ")
        buffer.write(f"From MAILER-DAEMON Mon Nov 16 00:00:00 2026\n{body}\n")
    path = directory / f"bounces-{SAMPLE_WEEK[0]}-W{SAMPLE_WEEK[1]}.mbox.gz"
    directory.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(buffer.getvalue().encode("utf-8"), mtime=0))
    return path
