"""Code-to-reason mapping: scalar and vectorized paths agree and follow the precedence."""

from __future__ import annotations

import polars as pl
import pytest

from deliverability.classify import classify_failure
from deliverability.classify.vectorized import classify_events
from deliverability.schema import EVENT_SCHEMA
from deliverability.taxonomy import REASON_IDS, reasons

CASES = [
    # status, reply code, diagnostic, expected reason, expected bounce type
    ("5.1.1", 550, "", "userunknown", "hard"),
    ("5.1.2", None, "", "hostunknown", "hard"),
    ("5.2.2", 552, "", "mailboxfull", "hard"),
    ("4.2.2", 452, "", "mailboxfull", "soft"),
    ("4.4.7", None, "", "expired", "soft"),
    ("5.3.4", 552, "", "mesgtoobig", "hard"),
    ("5.7.1", 550, "", "securityerror", "hard"),
    ("5.7.26", 550, "", "authfailure", "hard"),
    ("5.7.515", 550, "", "authfailure", "hard"),
    ("5.1.10", 550, "", "notaccept", "hard"),
    (
        None,
        550,
        "550-5.1.1 The email account that you tried to reach does not exist.",
        "userunknown",
        "hard",
    ),
    # text beats a generic code
    ("5.7.1", 550, "550 5.7.1 SPF check failed for sender domain", "authfailure", "hard"),
    ("5.0.0", 552, "552 Mailbox full", "mailboxfull", "hard"),
    (None, None, "554 IP=192.0.2.1 - None/bad reputation. (NOWL)", "badreputation", "hard"),
    (
        None,
        None,
        "Host or domain name not found. Name service error for name=gmial.com",
        "hostunknown",
        "hard",
    ),
    (None, None, "Fehler 002: Sendelimit überschritten", "speeding", "soft"),
    (
        None,
        None,
        "4.4.7 Delivery time expired: connect to mx: Connection timed out",
        "expired",
        "soft",
    ),
    # a specific text beats even a specific code
    ("5.1.1", 550, "550 5.1.1 Mailbox full", "mailboxfull", "hard"),
    # a general text beats a weak code (x.7.1 only says "not authorized") ...
    ("5.7.1", 550, "550 5.7.1 Message not accepted for policy reasons", "policyviolation", "hard"),
    # ... but not a strong one
    ("5.2.2", 552, "552 5.2.2 temporary local problem", "mailboxfull", "hard"),
    # "user unknown" under a mailbox or policy code is a filter's answer
    ("5.7.1", 550, "550 5.7.1 <a@b.de>: User unknown", "filtered", "hard"),
    ("5.2.1", 550, "550 5.2.1 User unknown", "filtered", "hard"),
    ("5.1.1", 550, "550 5.1.1 User unknown", "userunknown", "hard"),
    # provider code tables (Orange, Cox)
    (None, 550, "550 5.2.0 Mail rejete. Mail rejected. OFR_506 [506]", "spamdetected", "hard"),
    (None, 554, "554 Rejected - see https://www.cox.com AUP#CXBL", "blocked", "hard"),
    # reply code only
    (None, 452, "", "systemfull", "soft"),
    (None, 556, "", "notaccept", "hard"),
    (None, 421, "", "undefined", "soft"),
    # a text nobody recognises: on hold; nothing at all: undefined
    (None, None, "something odd happened", "onhold", "undetermined"),
    (None, None, "", "undefined", "undetermined"),
]


@pytest.mark.parametrize(("status", "reply", "text", "reason", "bounce_type"), CASES)
def test_scalar_mapping(status, reply, text, reason, bounce_type):
    verdict = classify_failure(status, reply, text)
    assert verdict.reason == reason
    assert verdict.bounce_type == bounce_type


def test_vectorized_path_matches_scalar_path():
    rows = [
        {
            "event": "bounced",
            "status": status,
            "smtp_code": reply,
            "diagnostic": text or None,
            "recipient": "a@b.de",
            "recipient_domain": "b.de",
        }
        for status, reply, text, _, _ in CASES
    ]
    frame = pl.DataFrame(rows).with_columns(
        pl.col("smtp_code").cast(pl.Int16),
        pl.col("event").cast(EVENT_SCHEMA["event"]),
        bounce_type=pl.lit(None, dtype=EVENT_SCHEMA["bounce_type"]),
        reason=pl.lit(None, dtype=pl.String),
    )
    result = classify_events(frame.lazy()).collect()
    expected = [(c[3], c[4]) for c in CASES]
    assert (
        list(zip(result["reason"], result["bounce_type"].cast(pl.String), strict=True)) == expected
    )


def test_non_failure_events_are_not_classified():
    frame = pl.DataFrame(
        {
            "event": ["delivered", "opened"],
            "status": ["2.0.0", None],
            "smtp_code": [250, None],
            "diagnostic": ["250 OK", None],
        }
    ).with_columns(
        pl.col("smtp_code").cast(pl.Int16),
        pl.col("event").cast(EVENT_SCHEMA["event"]),
        bounce_type=pl.lit(None, dtype=EVENT_SCHEMA["bounce_type"]),
        reason=pl.lit(None, dtype=pl.String),
    )
    result = classify_events(frame.lazy()).collect()
    assert result["reason"].to_list() == [None, None]


def test_taxonomy_is_complete_and_german():
    required = {
        "userunknown",
        "hostunknown",
        "mailboxfull",
        "exceedlimit",
        "blocked",
        "spamdetected",
        "policyviolation",
        "securityerror",
        "mesgtoobig",
        "systemerror",
        "networkerror",
        "expired",
        "suspend",
        "hasmoved",
        "notaccept",
        "rejected",
        "toomanyconn",
        "speeding",
        "filtered",
        "contenterror",
        "authfailure",
        "badreputation",
        "norelaying",
        "requireptr",
        "syntaxerror",
        "systemfull",
        "virusdetected",
        "mailererror",
        "onhold",
        "vacation",
        "feedback",
        "delivered",
        "undefined",
    }
    assert required <= set(REASON_IDS)
    for reason in reasons().values():
        assert reason.label and reason.what and reason.meaning and reason.action
    suppressing = {r.id for r in reasons().values() if r.suppress and r.side == "address"}
    assert suppressing == {"userunknown", "hostunknown", "hasmoved", "notaccept"}


def test_shown_replies_mask_bracketed_parts_once_and_mark_a_cut():
    from deliverability.classify.vectorized import clipped, mask_expr

    reply = "550 5.7.1 [192.0.2.1] blocked <max.muster@web.de>, see [AB12CD34EF56GH] or 10.0.0.1"
    frame = pl.DataFrame({"reply": [reply, "x" * 200, "y" * 160]})
    shown = frame.select(clipped(mask_expr(pl.col("reply"), for_display=True), 160)).to_series()
    assert shown[0] == "550 5.7.1 [IP] blocked [Adresse], see [ID] or [IP]"
    assert shown[1] == "x" * 159 + "…" and len(shown[1]) == 160
    assert shown[2] == "y" * 160  # not cut: no mark
    # the masks the rules read are unchanged
    machine = frame.select(mask_expr(pl.col("reply"))).item(0, 0)
    assert machine == "550 5.7.1 [<ip>] blocked <<adresse>>, see [<id>] or <ip>"
