# ruff: noqa: E501  (server texts are kept whole, one per line)
"""Realistic SMTP diagnostics for benchmarks: server texts as they appear in ESP and MTA logs.

Each template is (status, reply code, text); `{a}` is replaced by a random recipient address,
`{ip}` by an IP address and `{id}` by a queue or message id, so that, as in real logs, almost
every diagnostic is unique.
"""

from __future__ import annotations

import random

import polars as pl

TEMPLATES: tuple[tuple[str | None, int | None, str], ...] = (
    (
        "5.1.1",
        550,
        "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. {id} - gsmtp",
    ),
    (
        "5.1.1",
        550,
        "550 5.1.1 <{a}>: Recipient address rejected: User unknown in virtual mailbox table",
    ),
    ("5.1.1", 550, "550 5.1.1 <{a}>... User unknown"),
    (
        "5.1.10",
        550,
        "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient {a} not found by SMTP address lookup",
    ),
    (None, 550, "550 Requested action not taken: mailbox unavailable ({id})"),
    (None, 550, "Requested action not taken: mailbox unavailable / Postfach nicht verfügbar {id}"),
    (
        "5.4.4",
        None,
        "Host or domain name not found. Name service error for name=gmial.com type=AAAA: Host not found",
    ),
    ("5.1.2", 550, "550 5.1.2 <{a}>: Recipient address rejected: Domain not found"),
    ("4.4.1", None, "connect to mx.nordwerk-logistik.de[{ip}]:25: Connection timed out"),
    (
        "4.4.7",
        None,
        "4.4.7 Delivery time expired after 5 days: connect to {ip}: Connection refused",
    ),
    (
        "4.2.2",
        452,
        "452-4.2.2 The email account that you tried to reach is over quota. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaTemp {id} - gsmtp",
    ),
    ("5.2.2", 552, "552 5.2.2 Mailbox full / Postfach voll {a}"),
    (None, 552, "552 Requested mail action aborted: exceeded storage allocation"),
    (
        "5.7.1",
        550,
        "550-5.7.1 [{ip}] Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. {id} - gsmtp",
    ),
    (
        "5.7.1",
        550,
        "550 5.7.1 Service unavailable, Client host [{ip}] blocked using Spamhaus. To request removal from this list see https://www.spamhaus.org/query/ip/{ip}",
    ),
    (
        None,
        554,
        "554 IP={ip} - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to clarify.) (BL)",
    ),
    (None, 554, "554 IP={ip} - None/bad reputation. (NOWL) {id}"),
    (
        "5.7.26",
        550,
        "550-5.7.26 This mail is unauthenticated, which poses a security risk to the sender and Gmail users, and has been blocked. The sender must authenticate with at least one of SPF or DKIM. {id} - gsmtp",
    ),
    (
        "5.7.515",
        550,
        "550 5.7.515 Access denied, sending domain example.de doesn't meet the required authentication level. {id}",
    ),
    (
        "5.7.606",
        550,
        "550 5.7.606 Access denied, banned sending IP [{ip}]. To request removal from this list please visit https://sender.office.com/ {id}",
    ),
    (
        None,
        421,
        "421 4.7.0 [TSS04] Messages from {ip} temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
    ),
    (
        "4.2.1",
        450,
        "450-4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered. {id} - gsmtp",
    ),
    (
        None,
        421,
        "421-4.7.0 [{ip}] Our system has detected an unusual rate of unsolicited mail originating from your IP address. {id} - gsmtp",
    ),
    (None, 421, "421 Too many connections from your IP ({ip}), please try again later"),
    (
        None,
        554,
        "554-mx.gmx.net (mxgmx) Nemesis ESMTP Service not available 554-No SMTP service 554-Reject due to policy restrictions. 554 For explanation visit https://postmaster.gmx.net/en/case?c=hi&i=ip&v={ip}&r={id}",
    ),
    ("5.3.4", 552, "552 5.3.4 Error: message file too big"),
    ("5.2.3", 552, "552 5.2.3 Message size exceeds fixed maximum message size"),
    ("5.7.1", 554, "554 5.7.1 <{a}>: Relay access denied"),
    (None, 550, "550 Verification failed for <{a}> Unrouteable address Sender verify failed"),
    ("5.7.1", 550, "550 5.7.1 Mail from {ip} refused: no PTR record / reverse DNS failed"),
    (
        "5.1.6",
        550,
        "550 5.1.6 Recipient addresses in this domain have moved {a} has been replaced by a new address",
    ),
    (None, 550, "550 Message rejected: virus detected (Eicar-Test-Signature) {id}"),
    ("5.2.1", 550, "550 5.2.1 The email account that you tried to reach is disabled. {id} - gsmtp"),
    (
        "5.0.0",
        554,
        "554 30 Sorry, your message to {a} cannot be delivered. This mailbox is disabled (554.30).",
    ),
    (None, 556, "556 5.1.10 Recipient address {a} has null MX"),
    ("5.7.1", 554, "554 5.7.1 Message rejected due to content restrictions {id}"),
    (None, 550, "Fehler 002: Sendelimit überschritten (300 Mails pro Tag) {id}"),
    ("4.3.0", 451, "451 4.3.0 Mail server temporarily rejected message. {id}"),
    (None, None, "Die Nachricht konnte nicht zugestellt werden {id}"),
    ("5.5.1", 503, "503 5.5.1 Error: need RCPT command"),
    (
        None,
        550,
        "550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [{id}.prod.protection.outlook.com]",
    ),
    (
        "5.7.1",
        550,
        "550 5.7.1 Unfortunately, messages from [{ip}] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). {id}",
    ),
    (
        "5.7.9",
        554,
        "554 5.7.9 Message not accepted for policy reasons. See https://help.yahoo.com/kb/postmaster/SLN7253.html",
    ),
    (None, None, None),
)


def diagnostics_frame(rows: int, seed: int = 20261123) -> pl.DataFrame:
    """`rows` failure rows with status, smtp_code and diagnostic drawn from the templates."""
    rng = random.Random(seed)
    picks = [rng.randrange(len(TEMPLATES)) for _ in range(min(rows, 200_000))]
    status, reply, text = [], [], []
    for index in picks:
        template = TEMPLATES[index]
        status.append(template[0])
        reply.append(template[1])
        if template[2] is None:
            text.append(None)
            continue
        text.append(
            template[2]
            .replace("{a}", f"kunde{rng.randrange(10**6)}@beispiel{rng.randrange(500)}.de")
            .replace("{ip}", f"192.0.{rng.randrange(256)}.{rng.randrange(256)}")
            .replace("{id}", f"{rng.getrandbits(64):x}a{rng.randrange(10**6)}")
        )
    block = pl.DataFrame(
        {"status": status, "smtp_code": reply, "diagnostic": text},
        schema={"status": pl.String, "smtp_code": pl.Int16, "diagnostic": pl.String},
    )
    repeats = -(-rows // block.height)
    frame = pl.concat([block] * repeats).head(rows)
    # make every row unique again, as in real logs (ids differ per message)
    return frame.with_columns(
        diagnostic=pl.when(pl.col("diagnostic").is_not_null())
        .then(
            pl.col("diagnostic")
            + pl.lit(" (queue Q7")
            + (pl.int_range(pl.len()) + 10**11).cast(pl.String)
            + pl.lit("x)")
        )
        .otherwise(None)
    )
