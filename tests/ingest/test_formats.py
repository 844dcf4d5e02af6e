"""Every source format from a fixture written from its documentation: mapping field by field,
detection, accounting (read = loaded + rejected + skipped + duplicates), bad input."""

from __future__ import annotations

import gzip
import os
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from deliverability.errors import InputError
from deliverability.ingest import load_events, scan_events
from deliverability.ingest.registry import detect_format, load_files

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"
COLUMNS = ["recipient", "event", "bounce_type", "reason", "smtp_code", "status"]


def _load(name: str, fmt: str | None = None):
    ((events, rejects, stats),) = load_files([FIXTURES / name], "Europe/Berlin", fmt)
    assert stats.balanced, stats  # the accounting identity holds for every load
    assert stats.rejected == rejects.height and stats.loaded == events.height
    return events, rejects, stats


def _rows(events: pl.DataFrame) -> list[tuple]:
    return (
        events.select(COLUMNS).with_columns(pl.col("event", "bounce_type").cast(pl.String)).rows()
    )


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("mailjet-events.json", "mailjet"),
        ("sendgrid-events.json", "sendgrid"),
        ("ses-sns.jsonl", "ses"),
        ("mailgun-webhooks.jsonl", "mailgun"),
        ("brevo-webhooks.jsonl", "brevo"),
        ("postmark-bounces.json", "postmark"),
        ("mail.log", "postfix"),
        ("zoho-campaigns-bounces.csv", "mapping:zoho-campaigns-bounces"),
        ("m365-get-messagetrace-de.csv", "mapping:m365-message-trace"),
        ("m365-get-messagetrace-us.csv", "mapping:m365-message-trace"),
        ("m365-enhanced-summary.csv", "m365_report"),
        ("brevo-logs-de.csv", "brevo_log"),
        ("mailchimp-cleaned.csv", "mapping:mailchimp-cleaned"),
        ("hubspot-recipients.csv", "hubspot_recipients"),
        ("hubspot-email-events.json", "hubspot_events"),
        ("zoho-crm-emails.json", "zoho_crm"),
        ("mailjet-messages.json", "mailjet_messages"),
        ("mailchimp-email-activity.json", "mailchimp_activity"),
        ("google-email-log-search.csv", "google_els"),
        ("m365-extended-report.csv", "m365_extended"),
        ("brevo-email-events.json", "brevo_events"),
        ("mandrill-activity.csv", "mandrill_activity"),
    ],
)
def test_formats_are_detected_by_content(name, fmt, tmp_path):
    assert detect_format(FIXTURES / name) == fmt
    renamed = tmp_path / "export.dat"  # the name does not matter
    renamed.write_bytes(gzip.compress((FIXTURES / name).read_bytes()))
    assert detect_format(renamed) == fmt


def test_mailjet_events():
    events, rejects, stats = _load("mailjet-events.json")
    assert _rows(events) == [
        ("anna@web.de", "delivered", None, None, 250, "2.0.0"),
        ("ghost@gmx.de", "bounced", "hard", "userunknown", None, None),
        ("voll@t-online.de", "bounced", "soft", "mailboxfull", None, None),
        ("alt@web.de", "blocked", None, "onhold", None, None),
        ("boese@gmail.com", "complained", None, None, None, None),
        ("raus@gmail.com", "unsubscribed", None, None, None, None),
        ("anna@web.de", "opened", None, None, None, None),
    ]
    first = events.row(0, named=True)
    assert first["timestamp"] == at(2026, 11, 17, 9, 0)
    assert first["message_id"] == "19421777835146490"
    assert first["diagnostic"].startswith("sent (250 2.0.0 OK")
    assert events["diagnostic"][1] == "recipient: user unknown"
    assert (stats.read, stats.duplicates) == (10, 1)  # the open event came twice
    assert sorted(rejects["line"].to_list()) == [10, 11]  # unknown "forward", a bare 42
    assert "forward" in rejects.filter(pl.col("line") == 10)["reason"][0]


def test_sendgrid_events():
    events, _, stats = _load("sendgrid-events.json")
    assert _rows(events) == [
        ("anna@web.de", "queued", None, None, None, None),
        ("anna@web.de", "delivered", None, None, 250, None),
        ("ghost@example.de", "bounced", "hard", "userunknown", 500, "5.0.0"),
        ("kunde@t-online.de", "bounced", "soft", "badreputation", 554, None),
        ("later@gmx.de", "deferred", None, None, 400, None),
        ("old@web.de", "dropped", None, None, None, "5.0.0"),
        ("boese@gmail.com", "complained", None, None, None, None),
    ]
    assert events["message_id"][0] == "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0"
    assert events["diagnostic"][5] == "Bounced Address"
    assert (stats.skipped, stats.duplicates) == (1, 1)  # group_resubscribe; sg-3 twice


def test_ses_notifications_raw_sns_and_sqs():
    events, rejects, stats = _load("ses-sns.jsonl")
    assert _rows(events) == [
        ("ghost@example.de", "bounced", "hard", None, 550, "5.1.1"),
        ("voll@example.de", "bounced", "hard", None, 552, "5.2.2"),
        ("angry@gmx.de", "complained", None, None, None, None),
        ("kunde@web.de", "delivered", None, None, 250, None),
        ("voll2@example.de", "bounced", "soft", "mailboxfull", None, None),
    ]
    assert events["sender"].unique().to_list() == ["newsletter@technik-handel.de"]
    assert events["timestamp"][0] == at(2026, 11, 17, 9, 15, 2)
    assert events["diagnostic"][0] == "smtp; 550 5.1.1 user unknown"
    assert stats.duplicates == 2  # the first notification delivered twice (2 recipients)
    assert rejects["line"].to_list() == [6] and "JSON" in rejects["reason"][0]


def test_mailgun_events():
    events, rejects, _ = _load("mailgun-webhooks.jsonl")
    assert _rows(events) == [
        ("anna@web.de", "delivered", None, None, 250, None),
        ("ghost@gmx.de", "bounced", "hard", None, 550, "5.1.1"),
        ("voll@web.de", "deferred", None, None, 452, None),
        ("nomx@keinmx.de", "bounced", "soft", "expired", 498, None),
        ("weg@gmx.de", "dropped", None, None, None, None),
        ("boese@gmail.com", "complained", None, None, None, None),
        ("raus@gmail.com", "unsubscribed", None, None, None, None),
    ]
    assert events["sender"][0] == "newsletter@technik-handel.de"
    assert events["timestamp"][0] == at(2026, 11, 17, 9, 0)
    assert rejects.row(0, named=True)["field"] == "timestamp"


def test_brevo_events():
    events, _, _ = _load("brevo-webhooks.jsonl")
    assert _rows(events) == [
        ("anna@web.de", "sent", None, None, None, None),
        ("anna@web.de", "delivered", None, None, None, None),
        ("ghost@gmx.de", "bounced", "hard", None, 550, "5.1.1"),
        ("voll@web.de", "bounced", "soft", None, 452, "4.2.2"),
        ("boese@gmail.com", "complained", None, None, None, None),
        ("tom@@beispiel.de", "dropped", None, "syntaxerror", None, None),
        ("raus@gmail.com", "unsubscribed", None, None, None, None),
    ]
    # ts_epoch (UTC, ms) first; the spam event has only `date`, which is CET
    assert events["timestamp"][0] == datetime(2026, 11, 17, 9, 0, 0, 123000, tzinfo=UTC)
    assert events["timestamp"][4] == at(2026, 11, 17, 9, 3)


def test_postmark_bounces():
    events, _, stats = _load("postmark-bounces.json")
    assert _rows(events) == [
        ("ghost@example.de", "bounced", "hard", None, None, "5.1.1"),
        ("boese@gmail.com", "complained", None, "feedback", None, None),
    ]
    assert events["timestamp"][0] == at(2026, 11, 17, 15, 0)  # -05:00 in the source
    assert events["sender"][0] == "vertrieb@technik-handel.de"
    assert stats.skipped == 1  # a Subscribe record


def test_postfix_log_joins_message_sender_and_expiry():
    events, rejects, stats = _load("mail.log")
    assert _rows(events) == [
        ("anna.mueller@example.de", "delivered", None, None, None, "2.0.0"),
        ("ghost@gmail.com", "bounced", "hard", None, 550, "5.1.1"),
        ("kunde@t-online.de", "deferred", None, None, 554, "4.7.0"),
        ("kunde@t-online.de", "bounced", "soft", "expired", None, None),
    ]
    assert set(events["sender"]) == {"newsletter@technik-handel.de"}
    assert set(events["message_id"]) == {"20261117091501.4F9D195432C@technik-handel.de"}
    assert events["timestamp"][0] == at(2026, 11, 17, 8, 15, 2)  # 09:15:02 local (CET)
    assert "NOWL" in events["diagnostic"][2]
    assert (stats.read, stats.skipped) == (10, 5)  # pickup, cleanup, qmgr ×2, dovecot
    assert rejects["line"].to_list() == [9]


def test_postfix_joins_across_rotated_files_and_takes_the_year_from_context(tmp_path):
    old = tmp_path / "mail.log.1"
    new = tmp_path / "mail.log"
    old.write_text(
        "Dec 31 23:59:58 mx1 postfix/qmgr[812]: ABCDEF1234: from=<alt@technik-handel.de>, "
        "size=100, nrcpt=1 (queue active)\n",
        encoding="utf-8",
    )
    new.write_text(
        "Jan  1 00:00:01 mx1 postfix/smtp[9]: ABCDEF1234: to=<neu@web.de>, relay=x[1.2.3.4]:25, "
        "dsn=2.0.0, status=sent (250 ok)\n",
        encoding="utf-8",
    )
    january = datetime(2027, 1, 1, 12, 0).timestamp()
    for path in (old, new):
        os.utime(path, (january, january))
    result = load_events([old, new])
    assert result.events["sender"].to_list() == ["alt@technik-handel.de"]
    assert result.events["timestamp"].to_list() == [at(2026, 12, 31, 23, 0, 1)]
    assert [f.skipped for f in result.files] == [1, 0]


def test_postfix_local_lines_without_brackets_load_and_probes_are_counted(tmp_path):
    """local(8)/pipe(8) lines may write `to=user@host` without brackets; verify(8) probes
    (`status=deliverable|undeliverable`) sent no mail: skipped and counted as probes."""
    log = tmp_path / "mail.log"
    log.write_text(
        "Nov 17 09:15:02 mx1 postfix/local[31]: 4F9D195432C: to=anna@example.de, "
        "orig_to=<info@example.de>, relay=local, delay=0.1, dsn=2.0.0, status=sent "
        "(delivered to mailbox)\n"
        "Nov 17 09:15:03 mx1 postfix/pipe[32]: 5A0E2A6543D: to=bernd@example.de, relay=dovecot, "
        "dsn=2.0.0, status=sent (delivered via dovecot service)\n"
        "Nov 17 09:15:04 mx1 postfix/smtp[33]: 6B1F3B7654E: to=<ghost@gmail.com>, "
        "relay=gmail-smtp-in.l.google.com[142.250.1.26]:25, dsn=5.1.1, status=undeliverable "
        "(host gmail-smtp-in.l.google.com[142.250.1.26] said: 550 5.1.1 The email account "
        "that you tried to reach does not exist (in reply to RCPT TO command))\n"
        "Nov 17 09:15:05 mx1 postfix/smtp[34]: 7C2A4C8765F: to=<kunde@web.de>, "
        "relay=mx-ha03.web.de[212.227.15.17]:25, dsn=2.1.5, status=deliverable (250 OK)\n",
        encoding="utf-8",
    )
    ((events, rejects, stats),) = load_files([log], "Europe/Berlin")
    assert events["recipient"].to_list() == ["anna@example.de", "bernd@example.de"]
    assert set(events["event"].cast(pl.String)) == {"delivered"}
    assert rejects.is_empty()
    assert (stats.read, stats.loaded, stats.skipped, stats.probes) == (4, 2, 2, 2)
    assert stats.balanced


def test_m365_message_trace_as_powershell_exports_it():
    """Get-MessageTrace | Export-Csv in German Windows PowerShell 5.1: a "#TYPE" line, UTF-16,
    German dates; times are UTC; "Expanded" (a distribution group) is skipped; "Failed" is a
    bounce whose type the export does not say."""
    result = load_events([FIXTURES / "m365-get-messagetrace-de.csv"])
    events, stats = result.events, result.files[0]
    assert [(r["recipient"], r["event"]) for r in events.iter_rows(named=True)] == [
        ("anna.mueller@web.de", "delivered"),
        ("ghost@gmail.com", "bounced"),
        ("kunde@t-online.de", "deferred"),
        ("einkauf@beispiel.de", "blocked"),
    ]
    assert events["timestamp"][0] == at(2026, 11, 23, 8, 15, 2)  # UTC as written
    assert events.filter(pl.col("event") == "bounced")["bounce_type"].to_list() == ["undetermined"]
    assert set(events["sender"]) == {"vertrieb@technik-handel.de"}
    assert (stats.read, stats.loaded, stats.skipped, stats.rejected) == (6, 4, 1, 1)
    assert stats.encoding.startswith("utf-16")
    assert result.rejects["line"].to_list() == [8]  # the "#TYPE" line and the header count
    assert result.rejects["field"].to_list() == ["timestamp"]


def test_m365_message_trace_in_us_english():
    events = load_events([FIXTURES / "m365-get-messagetrace-us.csv"]).events
    assert events["timestamp"].to_list() == [
        at(2026, 11, 23, 8, 15, 2),
        at(2026, 11, 23, 13, 40, 11),
    ]
    assert events["event"].cast(pl.String).to_list() == ["delivered", "blocked"]


def test_m365_enhanced_summary_report_one_entry_per_recipient(tmp_path):
    """recipient_status lists every recipient as address##Receive, <last step>; an expanded
    distribution group and incoming mail (directionality 1) are skipped; an unknown step is
    rejected with its text. UTF-16 with and without byte-order mark."""
    with_bom = FIXTURES / "m365-enhanced-summary.csv"
    without = tmp_path / "trace.csv"
    without.write_bytes(with_bom.read_bytes()[2:])  # as exported without a mark
    for path in (with_bom, without):
        result = load_events([path])
        events, stats = result.events, result.files[0]
        assert [(r["recipient"], r["event"]) for r in events.iter_rows(named=True)] == [
            ("anna.mueller@web.de", "delivered"),
            ("ghost@gmail.com", "bounced"),
            ("kunde@t-online.de", "deferred"),
            ("kollegin@technik-handel.de", "delivered"),
        ]
        assert events["timestamp"][0] == datetime(2026, 11, 23, 8, 15, 2, 183000, tzinfo=UTC)
        assert (stats.read, stats.loaded, stats.skipped, stats.rejected) == (7, 4, 2, 1)
        assert result.rejects["line"].to_list() == [6]
        assert "Receive, Quarantine" in result.rejects["reason"][0]


def test_brevo_log_export_in_the_users_language(tmp_path):
    """Status words in German (fixture) and English; dd-MM-yyyy in the account's time; NA
    is empty; an unknown status is rejected with its word."""
    result = load_events([FIXTURES / "brevo-logs-de.csv"])
    rows = [
        (r["recipient"], r["event"], r["bounce_type"]) for r in result.events.iter_rows(named=True)
    ]
    assert rows == [
        ("anna@web.de", "sent", None),
        ("anna@web.de", "delivered", None),
        ("ghost@gmx.de", "bounced", "hard"),
        ("voll@t-online.de", "bounced", "soft"),
        ("kaputt@@web.de", "dropped", None),
        ("anna@web.de", "opened", None),
        ("anna@web.de", "clicked", None),
    ]
    assert result.events["timestamp"][0] == at(2026, 11, 23, 8, 15, 2)  # 09:15:02 CET
    assert result.rejects.select("line", "field").rows() == [(9, "event")]
    english = tmp_path / "logs.csv"
    english.write_text(
        "st_text,ts,sub,frm,email,tag,mid,link\n"
        "Delivered,23-11-2026 09:15:04,Order,shop@x.de,anna@web.de,NA,<m1@x>,NA\n"
        "Hard bounce,23-11-2026 09:16:10,Order,shop@x.de,ghost@gmx.de,NA,<m2@x>,NA\n"
        "Invalid email,23-11-2026 09:18:00,Order,shop@x.de,kaputt@web.de,NA,<m3@x>,NA\n",
        encoding="utf-8",
    )
    events = load_events([english]).events
    assert events["event"].cast(pl.String).to_list() == ["delivered", "bounced", "dropped"]


def test_mailchimp_cleaned_and_unsubscribed_members(tmp_path):
    """Cleaned members bounced, but the export does not say hard or soft: undetermined."""
    cleaned = load_events([FIXTURES / "mailchimp-cleaned.csv"]).events
    assert cleaned.select("recipient", "event", "bounce_type").rows() == [
        ("ghost@gmx.de", "bounced", "undetermined"),
        ("voll@t-online.de", "bounced", "undetermined"),
    ]
    assert cleaned["timestamp"][0] == at(2026, 11, 17, 9, 15, 2)  # UTC
    unsubscribed = tmp_path / "unsubscribed_members_export.csv"
    unsubscribed.write_text(
        '"Email Address","First Name",OPTIN_TIME,UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,'
        "UNSUB_CAMPAIGN_ID,UNSUB_REASON,UNSUB_REASON_OTHER,LEID,EUID\n"
        'raus@web.de,Rita,"2025-01-01 10:00:00","2026-11-19 07:30:00",Newsletter,a1b2c3d4e5,'
        '"I no longer want to receive these emails",,1,x\n',
        encoding="utf-8",
    )
    assert detect_format(unsubscribed) == "mapping:mailchimp-unsubscribed"
    events = load_events([unsubscribed]).events
    assert events.select("recipient", "event").rows() == [("raus@web.de", "unsubscribed")]


def test_hubspot_recipients_export_one_event_per_true_flag():
    """Each TRUE flag is one event at "Sent At" in the zone the header names; the bounce type
    comes from the bounce message (here 550 5.1.1), not from the export; a recipient with no
    flag set (selected, never sent) is skipped and counted."""
    result = load_events([FIXTURES / "hubspot-recipients.csv"])
    events, stats = result.events, result.files[0]
    by_recipient: dict[str, list[str]] = {}
    for row in events.iter_rows(named=True):
        by_recipient.setdefault(row["recipient"], []).append(row["event"])
    assert by_recipient == {
        "anna@web.de": ["sent", "delivered", "opened", "clicked"],
        "ghost@gmx.de": ["sent", "bounced"],
        "alt@t-online.de": ["dropped"],
        "boese@gmail.com": ["sent", "delivered", "opened", "complained", "unsubscribed"],
    }
    assert events["timestamp"][0] == at(2026, 11, 23, 8, 15)  # 09:15 Europe/Berlin
    bounce = events.filter(pl.col("event") == "bounced").row(0, named=True)
    assert (bounce["bounce_type"], bounce["reason"]) == ("hard", "userunknown")
    assert bounce["diagnostic"].startswith("UNKNOWN_USER: 550 5.1.1")
    assert (stats.read, stats.loaded, stats.skipped, stats.rejected) == (13, 12, 1, 0)


def test_a_csv_with_some_message_trace_columns_is_not_taken_for_one(tmp_path):
    near = tmp_path / "export.csv"
    near.write_text(
        "Received,SenderAddress,RecipientAddress,Status\n"
        "23.11.2026 08:15:02,a@b.de,c@d.de,Delivered\n",
        encoding="utf-8",
    )
    assert detect_format(near) == "generic_csv"  # which names the columns it misses
    with pytest.raises(InputError, match="Pflichtspalte"):
        load_events([near])


def test_a_mapping_with_an_unknown_time_zone_is_a_clear_error(tmp_path):
    from deliverability.errors import ConfigError
    from deliverability.ingest.formats.mapped_csv import read_mapping

    broken = tmp_path / "zuordnung.toml"
    broken.write_text(
        'timezone = "Mars/Olympus"\n[columns]\ntimestamp = "t"\nrecipient = "r"\nevent = "e"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="keine Zeitzone"):
        read_mapping(broken)


def test_bounce_mails_become_events():
    fixtures = Path(__file__).parents[1] / "fixtures" / "bounces"
    result = load_events(
        [fixtures / "postfix-dsn.eml", fixtures / "arf.eml", fixtures / "normal.eml"]
    )
    frame = result.events.sort("recipient")
    assert frame["event"].cast(pl.String).to_list().count("complained") == 1
    assert {"bounced"} <= set(frame["event"].cast(pl.String))
    assert all(f.balanced for f in result.files)
    assert result.files[2].skipped == 1  # not a bounce


def test_mapped_csv_export():
    events, rejects, _ = _load("zoho-campaigns-bounces.csv")
    assert _rows(events) == [
        ("weg@beispiel.de", "bounced", "hard", None, 550, "5.1.1"),
        ("voll@gmx.de", "bounced", "soft", None, 452, "4.2.2"),
    ]
    assert events["timestamp"][0] == at(2026, 11, 17, 9, 0)  # epoch milliseconds, UTC
    assert rejects.select("line", "field").rows() == [(4, "bounce_type"), (5, "recipient")]


def test_a_mapping_column_that_is_missing_is_named(tmp_path):
    export = tmp_path / "zoho.csv"
    export.write_text("contact_email;bounce_type;action_time\nx@web.de;hard;1794906000000\n")
    with pytest.raises(InputError) as error:
        load_files([export], "Europe/Berlin", "mapping:zoho-campaigns-bounces")
    assert "bounce_code" in str(error.value) and "Zeile 1" in str(error.value)


def test_unknown_format_lists_what_was_tried(tmp_path):
    unknown = tmp_path / "export.json"
    unknown.write_text('{"foo": 1, "bar": "x"}\n', encoding="utf-8")
    with pytest.raises(InputError) as error:
        detect_format(unknown)
    message = str(error.value)
    assert "nicht erkannt" in message and "SendGrid" in message and "Postfix" in message


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", gzip.compress(b"")])
def test_an_empty_file_is_named_as_empty(tmp_path, content):
    empty = tmp_path / "export.csv"
    empty.write_bytes(content)
    with pytest.raises(InputError) as error:
        detect_format(empty)
    assert "Die Datei ist leer" in str(error.value) and "export.csv" in str(error.value)


def test_a_utf16_export_loads_like_its_utf8_original(tmp_path):
    utf16 = tmp_path / "sendgrid-events.json"
    utf16.write_bytes((FIXTURES / "sendgrid-events.json").read_text().encode("utf-16"))
    wide, plain = load_events([utf16]), load_events([FIXTURES / "sendgrid-events.json"])
    assert wide.events.drop("source_ref").equals(plain.events.drop("source_ref"))
    assert wide.files[0].encoding.startswith("utf-16")


def test_a_wrong_encoding_is_not_guessed(tmp_path):
    """Bytes that are no text in any supported encoding are an error, not a guess."""
    broken = tmp_path / "events.json"
    wide = (FIXTURES / "sendgrid-events.json").read_text().encode("utf-16")
    broken.write_bytes(wide[:-1])  # cut inside a character: no UTF-16 any more
    with pytest.raises(InputError, match="UTF-16"):
        load_events([broken])


def test_a_truncated_json_array_is_a_clear_error(tmp_path):
    cut = tmp_path / "sendgrid.json"
    cut.write_text((FIXTURES / "sendgrid-events.json").read_text()[:700], encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_events([cut])
    assert "abgeschnitten" in str(error.value) and str(cut) in str(error.value)


def test_format_option_overrides_detection():
    with pytest.raises(InputError) as error:
        load_events([FIXTURES / "sendgrid-events.json"], format="generic_csv")
    assert "Pflichtspalte" in str(error.value) or "Trennzeichen" in str(error.value)


def test_cli_load_writes_parquet_and_accounts_for_every_entry(tmp_path, capsys):
    from deliverability.cli import main

    out = tmp_path / "events.parquet"
    paths = [str(p) for p in sorted(FIXTURES.iterdir())]
    assert main(["load", *paths, "--out", str(out), "--rejects", str(tmp_path / "rej.csv")]) == 0
    printed = capsys.readouterr().out
    assert "SendGrid Event Webhook (JSON) (erkannt)" in printed
    assert "10 Einträge gelesen = 4 geladen + 1 abgelehnt + 5 bewusst übersprungen" in printed
    events = pl.read_parquet(out)
    lazy = scan_events([out])
    # 72 of the older fixtures; hubspot events 12, zoho crm 5, mailjet messages 6, mailchimp
    # activity 4, google els 4, m365 extended 5, brevo events 5, mandrill activity 10
    assert lazy.collect().height == events.height == 123
    # brevo log 1, mail.log 1, m365 (German) 1, m365 report 1, mailgun 1, mailjet 2, ses 1,
    # zoho 2; hubspot events 1, zoho crm 1, mailjet messages 1, mailchimp activity 1,
    # google els 1, m365 extended 1, brevo events 2, mandrill activity 1
    # for German Excel: byte-order mark, `;`, German headers
    written = (tmp_path / "rej.csv").read_bytes()
    assert written.startswith("\ufeffDatei;Zeile;Feld;Grund;Zeileninhalt\n".encode())
    assert pl.read_csv(written[3:], separator=";").height == 19


def test_suppression_works_from_a_vendor_export(tmp_path):
    from deliverability.cli import main

    out = tmp_path / "sperre.csv"
    assert (
        main(
            [
                "suppress",
                str(FIXTURES / "sendgrid-events.json"),
                "--state",
                str(tmp_path / "s"),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    text = out.read_text(encoding="utf-8")
    assert "ghost@example.de" in text and "boese@gmail.com" in text
    assert "kunde@t-online.de" not in text  # a reputation block points at the sender


@pytest.mark.parametrize(
    "name", ["ses-sns.jsonl", "mailgun-webhooks.jsonl", "brevo-webhooks.jsonl"]
)
def test_streaming_json_lines_gives_the_same_events(name, tmp_path):
    """`scan_events` streams JSON lines; for clean input it equals the full reader."""
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    clean = tmp_path / name
    clean.write_text(
        "\n".join(line for line in lines if line.endswith("}") and "gestern" not in line) + "\n",
        encoding="utf-8",
    )
    eager = load_events([clean], classify=False).events
    lazy = scan_events([clean], classify=False).collect(engine="streaming")
    order = ["source_ref", "recipient", "event"]
    assert lazy.height == eager.height > 0
    assert lazy.sort(order).equals(eager.sort(order))


def test_streaming_api_pages_one_a_line_loses_no_event(tmp_path):
    """Mailgun's events API saved page by page (`{"items": [...]}` a line) looks like JSON
    lines; `scan_events` must read the records inside the pages, not the pages as records."""
    import json

    records = [
        json.loads(line)
        for line in (FIXTURES / "mailgun-webhooks.jsonl").read_text(encoding="utf-8").splitlines()
        if line.endswith("}") and "gestern" not in line
    ]
    items = [r.get("event-data", r) for r in records]
    pages = tmp_path / "mailgun-pages.json"
    pages.write_text(
        "\n".join(
            json.dumps({"items": items[i : i + 2], "paging": {}}) for i in range(0, len(items), 2)
        )
        + "\n",
        encoding="utf-8",
    )
    eager = load_events([pages], classify=False).events
    lazy = scan_events([pages], classify=False).collect()
    assert lazy.height == eager.height == len(items)


def test_parquet_written_by_load_is_read_back(tmp_path):
    from deliverability.cli import main

    out = tmp_path / "events.parquet"
    assert main(["load", str(FIXTURES / "sendgrid-events.json"), "--out", str(out)]) == 0
    assert detect_format(out) == "parquet"
    again = load_events([out], classify=False)
    assert again.events.height == 7 and again.files[0].balanced
    broken = tmp_path / "other.parquet"
    pl.DataFrame({"x": [1]}).write_parquet(broken)
    with pytest.raises(InputError) as error:
        load_events([broken])
    assert "Ereignisschema" in str(error.value)
