"""Bounce mails: every format family with fixtures of our own, containers, CLI contract."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest

from deliverability.bounces.message import header_text
from deliverability.bounces.parse import classify_mail, classify_mails
from deliverability.bounces.sources import RawMail, iter_mails, split_mbox
from deliverability.cli import main

FIXTURES = Path(__file__).parents[1] / "fixtures" / "bounces"

# file, [(recipient, reason, bounce_type, suppress), ...]
EXPECTED = [
    (
        "postfix-dsn.eml",  # RFC 3464 multipart/report, two recipients, one delayed
        [
            ("max.mustermann@beispiel.de", "userunknown", "hard", True),
            ("erika@voll.example", "mailboxfull", "soft", False),
        ],
    ),
    (
        "qmail.eml",  # plain text, no DSN part
        [
            ("niemand@qmail.example", "userunknown", "hard", True),
            ("voll@qmail.example", "mailboxfull", "hard", False),
        ],
    ),
    ("exim.eml", [("info@gibtsnicht-domain.example", "hostunknown", "hard", True)]),
    # "user unknown" answered to DATA: a content filter, never a reason to suppress
    ("sendmail-data.eml", [("gefiltert@filter.example", "filtered", "hard", False)]),
    ("office365.eml", [("anna.berg@fabrikam.example", "userunknown", "hard", True)]),
    # a sender problem under 5.7.26: text and code agree, the address stays valid
    ("gmail.eml", [("paul@fehlerhaft.example", "authfailure", "hard", False)]),
    ("gmx-de.eml", [("jürgen.müller@web.example", "policyviolation", "hard", False)]),
    ("ses-sns.eml", [("lea@kunde.example", "userunknown", "hard", True)]),
    ("arf.eml", [("beschwerde@isp.example", "feedback", "undetermined", False)]),
    ("autoreply.eml", [("sabine.kurz@kunde.example", "vacation", "undetermined", False)]),
    # boundary in the header does not match the parts: read as text
    ("broken-boundary.eml", [("tom@domain-ohne-mx.example", "hostunknown", "hard", True)]),
    # the sending server's own words, no SMTP code: Exchange 2003 NDR, Lotus Domino, Yahoo
    ("exchange2003.eml", [("hans.meier@firma.example", "userunknown", "hard", True)]),
    ("domino.eml", [("lisa.wolf@werk.example", "userunknown", "hard", True)]),
    ("yahoo.eml", [("nina@yahoo.example", "userunknown", "hard", True)]),
    # Deutsche Telekom's Smail-based format: "<a@b>" then the answer; Smail's "a@b ... reason"
    (
        "telekom-smail.eml",
        [
            ("peter.lang@t-online.example", "mailboxfull", "hard", False),
            ("ines@keinhost.example", "hostunknown", "hard", True),
        ],
    ),
    # gateways: Trend Micro InterScan ("Sent <<<" / "Received >>>"), Trustwave MailMarshal
    ("interscan.eml", [("otto@gateway.example", "userunknown", "hard", True)]),
    ("mailmarshal.eml", [("klara@marshal.example", "userunknown", "hard", True)]),
    # T-Online blocks the sending IP at connection: never a reason to suppress
    ("exim-de-block.eml", [("info@t-online.example", "blocked", "hard", False)]),
]


def _summary(result):
    return [(v.recipient, v.reason, v.bounce_type, v.suppress) for v in result.verdicts]


@pytest.mark.parametrize(("name", "expected"), EXPECTED)
def test_format_families(name, expected):
    result = classify_mail(RawMail(name, (FIXTURES / name).read_bytes()))
    assert _summary(result) == expected


def test_verdict_carries_codes_diagnostic_mta_and_german_advice():
    result = classify_mail(RawMail("p", (FIXTURES / "postfix-dsn.eml").read_bytes()))
    first = result.verdicts[0]
    assert (first.status, first.reply_code, first.remote_mta) == ("5.1.1", 550, "mx.beispiel.de")
    assert "User unknown in virtual mailbox table" in first.diagnostic
    assert first.german_label == "Empfänger unbekannt"
    assert first.explanation and first.action
    # the quoted original message ("spam", "virus") never becomes the diagnostic
    assert all("spam" not in (v.diagnostic or "") for v in result.verdicts)


def test_a_normal_mail_is_not_a_bounce():
    result = classify_mail(RawMail("n", (FIXTURES / "normal.eml").read_bytes()))
    assert result.verdicts == ()
    assert result.kind == "keine-bounce"
    assert result.note


@pytest.mark.parametrize("ending", [b"\r\n", b"\r"])
def test_line_endings_do_not_matter(ending):
    for name, expected in EXPECTED:
        data = (FIXTURES / name).read_bytes().replace(b"\n", ending)
        assert _summary(classify_mail(RawMail(name, data))) == expected, name


def test_base64_encoded_report_text():
    text = (
        "<kein.postfach@beispiel.de>: host mx.beispiel.de[192.0.2.10] said: 550 5.1.1\n"
        "    no such user (in reply to RCPT TO command)\n"
    )
    data = (
        "From: MAILER-DAEMON@mail.example (Mail Delivery System)\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(text.encode()).decode()
    ).encode()
    assert _summary(classify_mail(RawMail("b64", data))) == [
        ("kein.postfach@beispiel.de", "userunknown", "hard", True)
    ]


def test_garbage_is_reported_not_guessed():
    for data in (b"", b"\x00\x01\x02 not a mail", b"Subject: hallo\n\n\xff\xfe"):
        result = classify_mail(RawMail("x", data))
        assert result.verdicts == ()


def test_mbox_and_maildir_and_folders(tmp_path):
    names = ["postfix-dsn.eml", "normal.eml", "qmail.eml"]
    mbox = tmp_path / "bounces.mbox"
    chunks = []
    for name in names:
        body = (FIXTURES / name).read_bytes().replace(b"\nFrom ", b"\n>From ")
        chunks.append(b"From MAILER-DAEMON Mon Nov 16 09:12:44 2026\n" + body + b"\n")
    mbox.write_bytes(b"".join(chunks))
    assert len(split_mbox(mbox.read_bytes())) == 3
    labels = [result.file for result in classify_mails([mbox])]
    assert labels == [f"{mbox}#1", f"{mbox}#2", f"{mbox}#3"]

    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    shutil.copy(FIXTURES / "exim.eml", maildir / "new" / "1763280764.M1P1.host")
    shutil.copy(FIXTURES / "qmail.eml", maildir / "cur" / "1763280765.M2P1.host:2,S")
    shutil.copy(FIXTURES / "normal.eml", maildir / "tmp" / "unfinished")
    results = list(classify_mails([maildir]))
    assert [len(r.verdicts) for r in results] == [1, 2]  # tmp/ is not read

    folder = tmp_path / "ordner" / "unter"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "gmail.eml", folder / "a.eml")
    assert len(list(iter_mails([tmp_path / "ordner"]))) == 1


def _run_cli(capsys, *args):
    code = main(["classify", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_jsonl_contract(capsys):
    code, out, err = _run_cli(capsys, str(FIXTURES))
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    fields = [
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
    ]
    assert all(list(record) == fields for record in records)
    assert all(record["rule"] for record in records)
    assert len(records) == sum(len(expected) for _, expected in EXPECTED)
    assert "Keine Bounce-Mail:" in err and "normal.eml" in err


def test_cli_csv_is_excel_safe(capsys, tmp_path):
    mail = (
        (FIXTURES / "postfix-dsn.eml")
        .read_text()
        .replace(
            "Diagnostic-Code: smtp; 452 4.2.2 Mailbox full", "Diagnostic-Code: smtp; =HYPERLINK(1)"
        )
    )
    path = tmp_path / "formel.eml"
    path.write_text(mail)
    code, out, _ = _run_cli(capsys, "--format", "csv", str(path))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("file,recipient,reason,bounce_type,suppress")
    assert ",'=HYPERLINK(1)," in out


def test_cli_missing_path_is_a_german_error(capsys, tmp_path):
    code, out, err = _run_cli(capsys, str(FIXTURES / "qmail.eml"), str(tmp_path / "fehlt"))
    assert code == 1
    assert out == ""  # nothing written before the check
    assert "existiert nicht" in err


def test_the_returned_body_is_left_out_but_its_headers_are_kept():
    from deliverability.bounces.message import parse_mail, without_returned_body

    attachment = b"QUFB" * 19 + b"\n"
    data = (
        b"From: MAILER-DAEMON@mx.example\nTo: absender@example.com\n"
        b"Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="AUSSEN"\n\n'
        b"--AUSSEN\nContent-Type: text/plain\n\nThe mail system\n\n"
        b"<kunde@ziel.example>: host mx.ziel.example said: 550 5.1.1 user unknown\n"
        b"--AUSSEN\nContent-Type: message/rfc822\n\n"
        b"From: absender@example.com\nTo: kunde@ziel.example\nSubject: Newsletter\n"
        b'Content-Type: multipart/mixed; boundary="INNEN"\n\n'
        b"--INNEN\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\n"
        + attachment * 50_000
        + b"--INNEN--\n--AUSSEN--\n"
    )
    cut = without_returned_body(data)
    assert len(cut) < 1_000 < len(data)
    assert cut.endswith(b"--AUSSEN--\n")
    parts = parse_mail(data)
    assert parts.original is not None and header_text(parts.original, "To") == "kunde@ziel.example"
    (verdict,) = classify_mail(RawMail("gross.eml", data)).verdicts
    assert (verdict.recipient, verdict.reason) == ("kunde@ziel.example", "userunknown")


def test_leaving_out_returned_bodies_changes_no_verdict():
    from deliverability.bounces import message

    mails = list(iter_mails([FIXTURES]))
    with_cut = [classify_mail(mail) for mail in mails]
    original = message.without_returned_body
    try:
        message.without_returned_body = lambda data: data
        without_cut = [classify_mail(mail) for mail in mails]
    finally:
        message.without_returned_body = original
    assert with_cut == without_cut


def _plain_bounce(body: bytes) -> bytes:
    return (
        b"From: MAILER-DAEMON@mx.example.de\r\nTo: news@firma.de\r\n"
        b"Subject: Unzustellbar: Ihre Nachricht\r\nDate: Fri, 20 Nov 2026 10:00:00 +0100\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body
    )


_UNKNOWN_USER = "Die Nachricht an folgenden Empfänger konnte nicht zugestellt werden.\r\n\r\n"


@pytest.mark.parametrize(
    ("address", "stray_elsewhere", "expected"),
    [
        # a valid UTF-8 address and one damaged byte elsewhere: the address stays as written
        ("jürgen@gmx.de".encode(), b"Gr\xfc\xdfe", "jürgen@gmx.de"),
        # the damaged byte inside the address: no plausible other address is made up
        (b"j\xfcrgen@gmx.de", b"", None),
    ],
)
def test_a_stray_byte_does_not_change_an_address(address, stray_elsewhere, expected, tmp_path):
    from deliverability.ingest.formats import bounce_mails

    body = (
        _UNKNOWN_USER.encode() + b"<" + address + b">: 550 5.1.1 user unknown\r\n"
        + "Zustellversuch für Jürgen, Grüße\r\n".encode() + stray_elsewhere + b"\r\n"
    )  # fmt: skip
    mail = tmp_path / "bounce.eml"
    mail.write_bytes(_plain_bounce(body))
    events, rejects, _ = bounce_mails.load(mail, "Europe/Berlin")
    recipients = events.get_column("recipient").to_list()
    if expected is not None:
        assert recipients == [expected]
        assert events.get_column("bounce_type").to_list() == ["hard"]
        assert rejects.height == 0
    else:
        assert recipients == []
        assert rejects.height == 1
        reason = rejects.get_column("reason")[0]
        assert "ungültig" in reason and "j\ufffdrgen@gmx.de" in reason
