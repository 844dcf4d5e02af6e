"""The API and admin-console exports of issue 17 (HubSpot events, Zoho CRM e-mails, Mailjet
messages, Mailchimp e-mail activity, Mailchimp Transactional activity, Brevo e-mail activity,
Google Workspace log search, Microsoft 365 extended report): each from a fixture written from
the vendor's documentation, with its accounting, and near misses that must not be taken for
it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from deliverability.ingest import load_events
from deliverability.ingest.registry import detect_format

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"
COLUMNS = ["recipient", "event", "bounce_type", "reason", "smtp_code", "status"]


def _load(name: str):
    """Loaded and classified, as every command sees the events."""
    result = load_events([FIXTURES / name], timezone="Europe/Berlin")
    events, rejects, (stats,) = result.events, result.rejects, result.files
    assert stats.balanced, stats
    assert stats.rejected == rejects.height and stats.loaded == events.height
    return events, rejects, stats


def _rows(events: pl.DataFrame) -> list[tuple]:
    return (
        events.select(COLUMNS).with_columns(pl.col("event", "bounce_type").cast(pl.String)).rows()
    )


def _by_message(events: pl.DataFrame) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for row in events.sort("timestamp", maintain_order=True).iter_rows(named=True):
        grouped.setdefault(row["message_id"], []).append(row["event"])
    return grouped


def test_hubspot_events_follow_the_send_they_belong_to():
    events, rejects, stats = _load("hubspot-email-events.json")
    messages = _by_message(events)
    assert messages["s-1"] == ["queued", "sent", "delivered", "opened", "complained"]
    assert messages["s-3"] == ["sent", "deferred", "bounced"]
    hard = events.filter(pl.col("recipient") == "ghost@gmx.de", pl.col("event") == "bounced")
    assert _rows(hard) == [("ghost@gmx.de", "bounced", "hard", "userunknown", 550, "5.1.1")]
    # TEMPORARY_PROBLEM names no hard/soft split: the server's 452 4.2.2 decides
    soft = events.filter(pl.col("recipient") == "voll@t-online.de", pl.col("event") == "bounced")
    assert soft["bounce_type"].cast(pl.String).to_list() == ["soft"]
    dropped = events.filter(pl.col("event") == "dropped").row(0, named=True)
    assert dropped["diagnostic"].startswith("PREVIOUSLY_BOUNCED")
    assert events.filter(pl.col("event") == "unsubscribed")["recipient"].to_list() == [
        "anna@web.de"
    ]
    assert events["timestamp"][0] == datetime(2026, 11, 23, 8, 55, tzinfo=UTC)
    assert (stats.read, stats.loaded, stats.skipped, stats.rejected) == (14, 12, 1, 1)
    assert rejects["line"].to_list() == [18]  # its own line in the pretty-printed page
    assert "REPLY" in rejects["reason"][0]


def test_zoho_crm_mails_one_entry_per_recipient_and_status():
    events, rejects, stats = _load("zoho-crm-emails.json")
    assert sorted(events.filter(pl.col("event") == "sent")["recipient"].to_list()) == [
        "anna@web.de",
        "buero@example.de",
    ]
    permanent = events.filter(pl.col("recipient") == "weg@t-online.de").row(0, named=True)
    assert (permanent["event"], permanent["bounce_type"]) == ("bounced", "hard")
    assert permanent["timestamp"] == datetime(2026, 11, 24, 10, 0, 5, tzinfo=UTC)
    # "Temporarily blocked" is not called soft: Zoho counts some hard bounces as temporary
    temporary = events.filter(pl.col("recipient") == "max@gmx.de").row(0, named=True)
    assert temporary["bounce_type"] != "hard"
    assert "Host not reachable" in temporary["diagnostic"]
    opened = events.filter(pl.col("event") == "opened").row(0, named=True)
    assert opened["timestamp"] == datetime(2026, 11, 25, 11, 30, tzinfo=UTC)
    assert (stats.read, stats.loaded, stats.rejected) == (6, 5, 1)
    assert "archived" in rejects["reason"][0]


def test_mailjet_message_list_final_status_and_missing_address():
    events, rejects, stats = _load("mailjet-messages.json")
    assert _rows(events.filter(pl.col("event").is_in(["bounced", "blocked"]))) == [
        ("ghost@gmx.de", "bounced", "hard", "userunknown", None, None),
        ("voll@t-online.de", "bounced", "soft", "mailboxfull", None, None),
        ("alt@web.de", "blocked", None, "onhold", None, None),
    ]
    assert _by_message(events)["288230376151711744"] == ["delivered", "opened"]
    assert (stats.read, stats.loaded, stats.rejected) == (7, 6, 1)
    assert "ShowContactAlt=true" in rejects["reason"][0]


def test_mailchimp_email_activity_bounce_types_as_given():
    events, rejects, stats = _load("mailchimp-email-activity.json")
    assert _rows(events.filter(pl.col("event") == "bounced")) == [
        ("ghost@gmx.de", "bounced", "hard", "undefined", None, None),
        ("voll@t-online.de", "bounced", "soft", "undefined", None, None),
    ]
    assert _by_message(events)["42694e9e57:62eeb292278cc15f5817cb78f7790b08"] == [
        "opened",
        "clicked",
    ]
    # still@web.de had no activity: no time, skipped and counted; "forward" is unknown
    assert (stats.read, stats.loaded, stats.skipped, stats.rejected) == (6, 4, 1, 1)
    assert "forward" in rejects["reason"][0]


def test_google_log_search_export():
    events, rejects, stats = _load("google-email-log-search.csv")
    assert _rows(events.sort("timestamp")) == [
        ("kunde@t-online.de", "deferred", None, "toomanyconn", 421, None),
        ("anna@web.de", "delivered", None, None, 250, None),
        ("ghost@gmx.de", "bounced", "hard", "userunknown", 550, None),
        ("kollege@firma.de", "opened", None, None, None, None),
    ]
    deferred = events.filter(pl.col("event") == "deferred").row(0, named=True)
    assert deferred["timestamp"] == datetime(2026, 11, 23, 8, 0, 30, tzinfo=UTC)  # 09:00:30 CET
    assert deferred["diagnostic"].startswith("421 Service not available")
    # a received mail skipped; VIEWED (an internal mail) is an open; an unknown zone rejected
    assert (stats.read, stats.loaded, stats.skipped, stats.rejected) == (6, 4, 1, 1)
    assert rejects["line"].to_list() == [7] and rejects["field"][0] == "timestamp"


def test_m365_extended_report_pairs_recipients_and_statuses():
    events, rejects, stats = _load("m365-extended-report.csv")
    assert stats.encoding == "utf-16-le"  # without a byte-order mark
    assert _rows(events.filter(pl.col("event").is_in(["bounced", "deferred", "delivered"]))) == [
        ("anna.mueller@web.de", "delivered", None, None, 250, "2.0.0"),
        ("ghost@gmail.com", "bounced", "hard", "userunknown", 550, "5.1.1"),
        ("kunde@t-online.de", "deferred", None, "onhold", 451, "4.7.0"),
    ]
    assert events.filter(pl.col("event") == "queued").height == 2  # RECEIVE, two recipients
    # AGENTINFO (2 recipients) and incoming mail skipped; PURGE is no documented event type
    assert (stats.read, stats.loaded, stats.skipped, stats.rejected) == (9, 5, 3, 1)
    assert "PURGE" in rejects["reason"][0]


def test_mailchimp_transactional_activity_export():
    """Mandrill's activity.csv: one row per message; the state gives the event (and for a
    bounce its type), a complaint follows a delivery, opens and clicks counted at the row's
    time; the bounce detail goes to the classifier; an unknown state is rejected."""
    events, rejects, stats = _load("mandrill-activity.csv")
    failures = events.filter(pl.col("event").is_in(["bounced", "deferred", "dropped"]))
    assert _rows(failures) == [
        ("ghost@gmx.de", "bounced", "hard", "userunknown", 550, "5.1.1"),
        ("voll@t-online.de", "bounced", "soft", "mailboxfull", 452, "4.2.2"),
        ("alt@gmail.com", "dropped", None, None, None, None),  # the rejection denylist
        ("kunde@outlook.de", "deferred", None, "onhold", 421, "4.7.0"),
    ]
    by_row = {}
    for row in events.iter_rows(named=True):
        by_row.setdefault(row["recipient"], []).append(row["event"])
    assert by_row["anna@web.de"] == ["delivered", "opened", "clicked"]
    assert by_row["boese@gmail.com"] == ["delivered", "complained", "opened"]
    assert events["timestamp"][0] == datetime(2026, 11, 23, 8, 15, 2, tzinfo=UTC)
    assert (stats.read, stats.loaded, stats.rejected) == (11, 10, 1)
    assert rejects["line"].to_list() == [8] and "forwarded" in rejects["reason"][0]


def test_mailchimp_transactional_export_with_recipient_and_channel(tmp_path):
    """Newer exports name the address column "Recipient" and add "Channel"."""
    path = tmp_path / "activity.csv"
    path.write_text(
        'Date,Recipient,Sender,Subject,Status,Channel,Tags,Opens,Clicks,"Bounce Detail"\n'
        '2026-11-24 10:00:00,anna@web.de,info@shop.example,Hallo,sent,email,a;b,"1,204",0,\n',
        encoding="utf-8",
    )
    assert detect_format(path) == "mandrill_activity"
    events = load_events([path]).events
    assert events["recipient"].to_list() == ["anna@web.de", "anna@web.de"]
    assert events["event"].cast(pl.String).to_list() == ["delivered", "opened"]


def test_brevo_email_activity_from_the_api():
    events, rejects, stats = _load("brevo-email-events.json")
    assert _rows(events.filter(pl.col("event") == "bounced")) == [
        ("ghost@gmx.de", "bounced", "hard", "userunknown", 550, "5.1.1"),
        # "bounces" names no type: the reply 452 4.2.2 decides
        ("voll@t-online.de", "bounced", "soft", "mailboxfull", 452, "4.2.2"),
    ]
    assert _by_message(events)["<202611230815.1@smtp-relay.mailin.fr>"] == [
        "sent",
        "delivered",
        "opened",  # loadedByProxy: the mail was fetched, as Brevo counts opens
    ]
    assert (stats.read, stats.loaded, stats.rejected) == (7, 5, 2)
    assert sorted(rejects["field"].to_list()) == ["event", "recipient"]


@pytest.mark.parametrize(
    "content",
    [
        # a HubSpot CRM contact search result: "portalId" but no events
        '{"results": [{"id": "1", "properties": {"email": "a@b.de"}}], "portalId": 1}',
        # Zoho Mail messages (not CRM): no "Emails" list
        '{"data": [{"messageId": "1", "fromAddress": "a@b.de", "status": "1"}]}',
        # Mailjet contacts: no message status
        '{"Count": 1, "Data": [{"Email": "a@b.de", "CreatedAt": "2026-11-23T08:00:00Z"}]}',
        # Mailchimp list members: "email_address" without activity
        '{"members": [{"email_address": "a@b.de", "status": "subscribed"}]}',
        # Brevo contacts: "email" without event and message id
        '{"contacts": [{"email": "a@b.de", "emailBlacklisted": false}], "count": 1}',
    ],
)
def test_near_misses_of_the_api_formats_are_not_taken_for_them(content, tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(json.loads(content), indent=2), encoding="utf-8")
    from deliverability.errors import InputError

    with pytest.raises(InputError, match="nicht erkannt"):
        detect_format(path)


@pytest.mark.parametrize(
    "header",
    [
        # Google's admin audit log export: no event status and target
        "Event,Description,User,Date,IP address",
        # a Message ID and recipient column alone
        "Message ID,Recipient address,Status",
        # an Exchange Server tracking log without the sender column
        "date_time_utc,event_id,recipient_address",
        # Mandrill's rejection denylist export (rejects.csv): addresses, no activity
        "email,reason,detail,created_at,expires_at,last_event_at",
        # a Mailchimp audience export: "Email Address" but no state or bounce detail
        "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,LAST_CHANGED",
    ],
)
def test_near_misses_of_the_console_exports_are_not_taken_for_them(header, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(header + "\n" + ",".join("x" for _ in header.split(",")) + "\n")
    assert detect_format(path) not in {"google_els", "m365_extended", "mandrill_activity"}


@pytest.mark.parametrize(
    "name",
    [
        "google-email-log-search.csv",
        "m365-extended-report.csv",
        "m365-enhanced-summary.csv",
        "brevo-logs-de.csv",
        "hubspot-recipients.csv",
        "mandrill-activity.csv",
    ],
)
def test_an_export_with_only_its_header_loads_empty(name, tmp_path):
    """Nothing exported that week: zero entries, no error (the header alone was a traceback)."""
    text = (FIXTURES / name).read_bytes()
    encoding = "utf-16-le" if b"\x00" in text[:4] else "utf-8"
    header = text.decode(encoding).splitlines()[0]
    only = tmp_path / name
    only.write_bytes((header + "\r\n").encode(encoding))
    result = load_events([only])
    (stats,) = result.files
    assert (stats.read, stats.loaded, result.events.height) == (0, 0, 0)


@pytest.mark.parametrize(
    "name",
    [
        "hubspot-email-events.json",
        "zoho-crm-emails.json",
        "mailjet-messages.json",
        "mailchimp-email-activity.json",
        "brevo-email-events.json",
    ],
)
def test_a_compact_api_page_loads_like_the_pretty_one(name, tmp_path):
    """`curl` saves an API page on one line; it is a page of records, not one record."""
    compact = tmp_path / name
    document = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    compact.write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
    pretty, _, pretty_stats = _load(name)
    result = load_events([compact], timezone="Europe/Berlin")
    assert result.files[0].balanced
    # the same events; ties in time may come in another order (all records are on line 1)
    columns = [c for c in pretty.columns if c != "source_ref"]
    assert (
        result.events.select(columns)
        .sort(columns, nulls_last=True)
        .equals(pretty.select(columns).sort(columns, nulls_last=True))
    )
    assert (result.files[0].read, result.rejects.height) == (
        pretty_stats.read,
        pretty_stats.rejected,
    )
