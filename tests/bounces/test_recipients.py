"""The failed recipient in every notice shape: DSN address types (RFC 3464, RFC 3461 xtext,
X.400), Original- vs Final-Recipient, text-only notices, list servers, the sender never."""

from __future__ import annotations

import pytest

from deliverability.bounces.addresses import recipient_address
from deliverability.bounces.parse import classify_mail
from deliverability.bounces.sources import RawMail


def _dsn(recipient_fields: str, extra_text: str = "", original: str = "") -> bytes:
    original_part = f"--B\nContent-Type: text/rfc822-headers\n\n{original}\n" if original else ""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\n"
        "To: sender@example.com\nSubject: Undelivered Mail Returned to Sender\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nThe message could not be delivered.\n"
        f"{extra_text}\n"
        "--B\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.example.net\n\n"
        f"{recipient_fields}\nAction: failed\nStatus: 5.1.1\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\n\n"
        f"{original_part}--B--\n"
    ).encode()


def _verdicts(data: bytes):
    return classify_mail(RawMail("test.eml", data)).verdicts


@pytest.mark.parametrize(
    ("field", "address"),
    [
        ("rfc822; erika@example.de", "erika@example.de"),
        ("RFC822; <erika@example.de>", "erika@example.de"),
        ("rfc822;Erika Muster <erika@example.de>", "erika@example.de"),
        ("utf-8; jürgen@müller.example", "jürgen@müller.example"),
        ("rfc822; a+2Bb@example.de", "a+b@example.de"),  # xtext (RFC 3461 4)
        (
            "x400; /C=DE/ADMD=TELEKOM/PRMD=ACME/S=Muster/DDA.RFC-822=erika(a)acme.example/",
            "erika@acme.example",
        ),  # fmt: skip
        (
            "x400; /C=DE/ADMD=TELEKOM/PRMD=ACME/O=Zentrale/S=Muster/G=Erika/",
            "/C=DE/ADMD=TELEKOM/PRMD=ACME/O=Zentrale/S=Muster/G=Erika/",
        ),  # fmt: skip
        ("", None),
    ],
)
def test_recipient_field_types(field, address):
    assert recipient_address(field) == address


def test_final_and_original_recipient_both_reported():
    (verdict,) = _verdicts(
        _dsn(
            "Original-Recipient: rfc822; info+2Bnews@example.de\n"
            "Final-Recipient: rfc822; erika.muster@example.de"
        )  # fmt: skip
    )
    assert verdict.recipient == "erika.muster@example.de"
    assert verdict.original_recipient == "info+news@example.de"
    assert verdict.reason == "userunknown"


def test_same_original_recipient_is_not_repeated():
    (verdict,) = _verdicts(
        _dsn("Original-Recipient: rfc822;a@example.de\nFinal-Recipient: rfc822;A@example.de")
    )
    assert verdict.recipient == "A@example.de" and verdict.original_recipient is None


def test_x400_final_recipient_falls_back_to_the_internet_original():
    (verdict,) = _verdicts(
        _dsn(
            "Original-Recipient: rfc822; erika@acme.example\n"
            "Final-Recipient: x400; /C=DE/ADMD=TELEKOM/PRMD=ACME/S=Muster/G=Erika/"
        )  # fmt: skip
    )
    assert verdict.recipient == "erika@acme.example"


def test_recipient_only_in_the_text():
    data = (
        b"From: postmaster@mail.example.org\nTo: sender@example.com\n"
        b"Subject: Delivery failure\n\n"
        b"Your message to kunde@example.org could not be delivered. The server said:\n"
        b"550 No such user here\n"
    )
    (verdict,) = _verdicts(data)
    assert verdict.recipient == "kunde@example.org"
    assert verdict.reason == "userunknown"


def test_list_server_notice_never_names_the_list_or_the_sender():
    data = (
        b"From: MAILER-DAEMON@lists.example.org\nTo: news-bounces@lists.example.org\n"
        b"Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain\n\n"
        b"The original message was received from <absender@example.com>.\n"
        b"Delivery to the following recipient failed permanently:\n\n"
        b"    mitglied@example.net\n\n"
        b"550 5.1.1 user unknown\n"
        b"--B\nContent-Type: text/rfc822-headers\n\n"
        b"From: Absender <absender@example.com>\nTo: news@lists.example.org\n"
        b"List-Id: <news.lists.example.org>\nList-Post: <mailto:news@lists.example.org>\n"
        b"Subject: Newsletter\n\n--B--\n"
    )
    (verdict,) = _verdicts(data)
    assert verdict.recipient == "mitglied@example.net"


def test_list_post_without_named_recipient_reports_no_list_address():
    data = (
        b"From: MAILER-DAEMON@lists.example.org\nTo: news-bounces@lists.example.org\n"
        b"Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain\n\n550 5.1.1 user unknown\n"
        b"--B\nContent-Type: text/rfc822-headers\n\n"
        b"From: absender@example.com\nTo: news@lists.example.org\n"
        b"List-Id: <news.lists.example.org>\n\n--B--\n"
    )
    recipients = {v.recipient for v in _verdicts(data)}
    assert "news@lists.example.org" not in recipients
    assert "absender@example.com" not in recipients


def test_transcript_names_the_stage():
    data = (
        b"From: Mail Delivery Subsystem <MAILER-DAEMON@relay.example>\n"
        b"To: sender@example.com\nSubject: Returned mail: see transcript for details\n\n"
        b"   ----- The following addresses had permanent fatal errors -----\n"
        b"<kunde@ziel.example>\n    (reason: 550 5.2.1 <kunde@ziel.example>... User Unknown)\n\n"
        b"   ----- Transcript of session follows -----\n"
        b"... while talking to mx.ziel.example.:\n"
        b">>> RCPT To:<kunde@ziel.example>\n"
        b"<<< 550 5.2.1 <kunde@ziel.example>... User Unknown\n"
    )
    (verdict,) = _verdicts(data)
    # refused when named (RCPT TO): the address is unknown, not filtered
    assert verdict.reason == "userunknown"
    data = data.replace(b">>> RCPT To:<kunde@ziel.example>", b">>> DATA")
    (verdict,) = _verdicts(data)
    assert verdict.reason == "filtered"
    assert verdict.rule.endswith("+refine:after-data") or verdict.rule.endswith(
        "+refine:status-filtered"
    )


def test_one_failed_recipient_takes_the_stage_of_the_sessions_refusal():
    data = (
        b"From: Mail Delivery Subsystem <MAILER-DAEMON@relay.example>\n"
        b"To: sender@example.com\nSubject: Returned mail: see transcript for details\n"
        b"MIME-Version: 1.0\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        b"--B\n\n   ----- Transcript of session follows -----\n"
        b"... while talking to mx.ziel.example.:\n>>> DATA\n<<< 550 Unknown user\n"
        b"554 5.0.0 Service unavailable\n"
        b"--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; relay.example\n\n"
        b"Final-Recipient: RFC822; kunde@ziel.example\nAction: failed\nStatus: 5.0.0\n"
        b"Diagnostic-Code: SMTP; 550 Unknown user\n\n--B--\n"
    )
    (verdict,) = _verdicts(data)
    assert verdict.reason == "filtered" and verdict.rule.endswith("+refine:after-data")
    greeting = data.replace(b">>> DATA\n<<< 550 Unknown user", b"<<< 554 mx.ziel.example")
    greeting = greeting.replace(
        b"Diagnostic-Code: SMTP; 550 Unknown user", b"Diagnostic-Code: SMTP; 554 5.0.0"
    )
    (verdict,) = _verdicts(greeting)
    assert (verdict.reason, verdict.rule) == ("blocked", "context:command-CONN")


@pytest.mark.parametrize(
    ("body", "recipient", "reason"),
    [
        # older Sendmail: address without angle brackets in the transcript
        (
            b"   ----- Transcript of session follows -----\n"
            b"550 kunde@ziel.example... User unknown\n",
            "kunde@ziel.example",
            "userunknown",
        ),
        # Netscape Messaging Server
        (
            b"This Message was undeliverable due to the following reason:\n\n"
            b"Each of the following recipients was rejected by a remote mail server.\n\n"
            b"    Recipient: <kunde@ziel.example>\n"
            b"    Reason:    5.2.2 <kunde@ziel.example>... Mailbox full\n",
            "kunde@ziel.example",
            "mailboxfull",
        ),
        # Domino / Netscape "was not delivered to … because"
        (
            b"Your message\n\n  Subject: Angebot\n\nwas not delivered to:\n\n"
            b"  kunde@ziel.example\n\nbecause:\n\n  No such user here\n",
            "kunde@ziel.example",
            "userunknown",
        ),
    ],
)
def test_plain_text_notices_of_older_servers(body, recipient, reason):
    data = (
        b"From: Mail Delivery Subsystem <MAILER-DAEMON@relay.example>\n"
        b"To: absender@example.com\nSubject: Returned mail: User unknown\n\n" + body
    )
    (verdict,) = _verdicts(data)
    assert (verdict.recipient, verdict.reason) == (recipient, reason)
