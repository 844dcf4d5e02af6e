"""Each step of the classification precedence (`classify.rules`), the refinement, the rule
field, and the analyst's own rules (`--rules`), on the mail path and the log-row path."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import polars as pl
import pytest

from deliverability.classify.codes import classify_failure, decide
from deliverability.classify.rules import shipped_rules, use_rules
from deliverability.classify.user_rules import read_user_rules, rules_with
from deliverability.classify.vectorized import classify_codes
from deliverability.cli import main
from deliverability.errors import InputError


def _line_of(reason: str, text: str) -> str:
    """The rule id of the shipped text row that decides `text` (must be of `reason`)."""
    decision = decide(None, None, text)
    assert decision.reason == reason, decision
    assert decision.rule.startswith("text:text_patterns.csv:")
    return decision.rule


# step, status, reply, text, command, action, reason, rule prefix
STEPS = [
    # 1. a text that names a reason beats a generic status code
    ("specific text", "5.0.0", 550, "550 5.0.0 Mailbox full", None, None, "mailboxfull", "text:"),
    (
        "specific text",
        "5.7.1",
        550,
        "550 5.7.1 SPF check failed",
        None,
        None,
        "authfailure",
        "text:",
    ),
    # 2. a specific status code beats a vague text
    (
        "status",
        "5.2.2",
        552,
        "552 5.2.2 temporary local problem",
        None,
        None,
        "mailboxfull",
        "status:x.2.2",
    ),
    ("status", "5.1.2", 550, "550 5.1.2 nope", None, None, "hostunknown", "status:x.1.2"),
    ("status", "5.3.4", 552, "552 5.3.4 whatever", None, None, "mesgtoobig", "status:x.3.4"),
    (
        "status",
        "5.7.515",
        550,
        "550 5.7.515 access denied",
        None,
        None,
        "authfailure",
        "status:5.7.515",
    ),
    # 3. a general text beats a weak code
    (
        "general text",
        "4.4.1",
        451,
        "451 4.4.1 connection timed out",
        None,
        None,
        "expired",
        "text:",
    ),
    # 4. the circumstances, where codes and texts say nothing specific
    ("context", None, None, "550 go figure", "MAIL", None, "rejected", "context:command-MAIL"),
    ("context", None, None, "", None, "delayed", "expired", "context:action-delayed"),
    # 5. weak status code, then the reply code
    ("weak status", "5.1.0", 550, "550 odd", None, None, "userunknown", "status:x.1.0"),
    ("reply code", None, 552, "552 odd", None, None, "mailboxfull", "reply:552"),
    # 6. nothing names a cause
    ("fallback", None, None, "something odd happened", None, None, "onhold", "fallback:onhold"),
    ("fallback", None, None, "", None, None, "undefined", "fallback:undefined"),
]


@pytest.mark.parametrize(
    ("step", "status", "reply", "text", "command", "action", "reason", "rule"), STEPS
)
def test_each_precedence_step(step, status, reply, text, command, action, reason, rule):
    decision = decide(status, reply, text, command=command, dsn_action=action)
    assert decision.reason == reason, step
    assert decision.rule.startswith(rule), (step, decision.rule)


# text, status, command, reason: the refinement only where its condition is in the mail
REFINEMENTS = [
    ("550 Unknown user <a@b.example>", None, None, "userunknown"),  # stage unknown: the text stands
    ("550 <a@b.example>... User not exist", None, None, "userunknown"),
    (
        "550 5.2.1 <a@b.example>... User Unknown",
        "5.2.1",
        "RCPT",
        "userunknown",
    ),  # refused when named
    (
        "550 5.2.1 <a@b.example>... User Unknown",
        "5.2.1",
        None,
        "filtered",
    ),  # mailbox exists but refuses
    ("550 5.7.1 <a@b.example>: User unknown", "5.7.1", None, "filtered"),  # a policy code
    ("550 user unknown", None, "DATA", "filtered"),  # answered to the message: a filter
    ("550 5.1.1 user unknown", "5.1.1", "DATA", "userunknown"),  # the code confirms it
    ("553 user unknown", None, "MAIL", "rejected"),  # the sender is unknown
]

# the stage as MTAs write it (qmail-remote.c, Gmail's "(state N)", Postfix, Exim)
STAGES = [
    ("192.0.2.1 does not like recipient. Remote host said: 550 no such user", "RCPT"),
    ("Connected to 192.0.2.1 but sender was rejected. Remote host said: 553 unknown", "MAIL"),
    ("Connected to 192.0.2.1 but my name was rejected.", "EHLO"),
    ("192.0.2.1 failed after I sent the message. Remote host said: 554 user unknown", "DATA"),
    ("550 550 Unknown user a@b.example (state 18).", "DATA"),
    ("550 550 5.1.1 <a@b.example>... User Unknown (state 14).", "RCPT"),
    ("said: 550 5.1.1 user unknown (in reply to RCPT TO command)", "RCPT"),
    ("SMTP error from remote mail server after end of data: 550 user unknown", "DATA"),
]


@pytest.mark.parametrize(("text", "command"), STAGES)
def test_the_stage_is_read_from_the_text(text, command):
    from deliverability.bounces.failure import Failure

    assert Failure(None, diagnostic=text).with_text_facts().command == command
    frame = pl.DataFrame({"status": [None], "smtp_code": [None], "diagnostic": [text.lower()]})
    from deliverability.classify.vectorized import command_expr

    assert frame.select(command_expr(pl.col("diagnostic"))).item() == command


@pytest.mark.parametrize(("text", "status", "command", "reason"), REFINEMENTS)
def test_refinement_only_where_its_condition_is_present(text, status, command, reason):
    decision = decide(status, None, text, command=command)
    assert decision.reason == reason, decision
    if reason != "userunknown":
        assert "+refine:" in decision.rule


# wordings the rules were not written from (issue 14): families, not single files
FAMILIES = [
    ("The recipient server did not accept our requests to connect.", "expired"),
    ("421 4.7.0 Connection rate limit exceeded", "toomanyconn"),
    ("550 No MX found for domain nirgends.example", "notaccept"),
    ("550 No mail box available for this user", "userunknown"),
    ("550 BAD_RECIPIENT", "userunknown"),
    ("554 Spamming not allowed", "spamdetected"),
    ("550 Recipient address rejected: unknown domain name", "hostunknown"),
    ("553 sender address rejected: not found", "rejected"),
    ("550 rcpt <a@b.example> does not exist", "userunknown"),
    # MTAs' own messages (Exim, qmail, Courier, OpenSMTPD source; Exchange NDR codes)
    ("all relevant MX records point to non-existent hosts", "hostunknown"),
    ("retry timeout exceeded", "expired"),
    ("Sorry, I couldn't find any host named nirgends.example. (#5.1.2)", "hostunknown"),
    ("452 Requested action not taken: mailbox unavailable (not enough free space)", "systemfull"),
    ("Network error on destination MXs", "networkerror"),
    ("550 5.4.4 SMTPSEND.DNS.NonExistentDomain; nonexistent domain", "hostunknown"),
    ("550 4.4.7 QUEUE.Expired; message expired", "expired"),
    ("User Erika (erika@b.example) not listed in Domino Directory", "userunknown"),
]


@pytest.mark.parametrize(("text", "reason"), FAMILIES)
def test_wording_families(text, reason):
    assert decide(None, None, text).reason == reason


def test_log_rows_follow_the_same_refinement():
    rows = pl.DataFrame(
        {
            "status": [None, "5.2.1", None, "5.7.1", "5.1.1"],
            "smtp_code": [550, 550, 550, 550, 550],
            "diagnostic": [
                "550 Unknown user <a@b.example>",
                "550 5.2.1 user unknown",
                "550 user unknown (in reply to end of DATA command)",
                "550 5.7.1 <a@b.example>: User unknown (in reply to RCPT TO command)",
                "550 5.1.1 user unknown (in reply to end of DATA command)",
            ],
        },
        schema={"status": pl.String, "smtp_code": pl.Int16, "diagnostic": pl.String},
    )
    got = classify_codes(rows.lazy()).collect()["_reason"].to_list()
    scalar = [
        decide(s, c, d, command=classify_failure(s, c, d).rule and None).reason
        for s, c, d in rows.iter_rows()
    ]
    assert got == ["userunknown", "filtered", "filtered", "userunknown", "userunknown"]
    assert scalar[0] == got[0] and scalar[1] == got[1]


# --- the analyst's own rules ---------------------------------------------------------------


def _rules_file(tmp_path, text, name="regeln.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_user_rules_win_over_shipped_rules_and_name_their_line(tmp_path):
    path = _rules_file(
        tmp_path,
        "reason,pattern,bounce_type,source\n"
        "mailboxfull,Postfach des Empfängers ist voll,soft,Hausregel\n"
        "blocked,AcmeFilter \\d+,,Firewall des Kunden\n",
    )
    with use_rules(rules_with(path)):
        full = classify_failure("5.1.1", 550, "550 5.1.1 Postfach des Empfängers ist VOLL")
        acme = classify_failure(None, 550, "550 5.1.1 user unknown AcmeFilter 42")
    assert (full.reason, full.bounce_type, full.suppress) == ("mailboxfull", "soft", False)
    assert full.rule == "user:regeln.csv:2"
    assert (acme.reason, acme.rule) == ("blocked", "user:regeln.csv:3")
    # outside the block the shipped rules are back
    assert (
        classify_failure("5.1.1", 550, "550 5.1.1 user unknown AcmeFilter 42").reason
        == "userunknown"
    )


def test_user_rules_on_log_rows_fix_reason_and_bounce_type(tmp_path):
    from deliverability.classify.vectorized import classify_events
    from deliverability.schema import EVENT_SCHEMA

    path = _rules_file(tmp_path, "reason;pattern;bounce_type\nmailboxfull;acme quota;soft\n")
    frame = pl.DataFrame(
        {
            "event": ["bounced"],
            "status": ["5.1.1"],
            "smtp_code": [550],
            "diagnostic": ["550 5.1.1 ACME quota reached"],
        },  # fmt: skip
        schema={
            "event": pl.String,
            "status": pl.String,
            "smtp_code": pl.Int16,
            "diagnostic": pl.String,
        },
    ).with_columns(
        pl.col("event").cast(EVENT_SCHEMA["event"]),
        bounce_type=pl.lit(None, dtype=EVENT_SCHEMA["bounce_type"]),
        reason=pl.lit(None, dtype=pl.String),
    )
    with use_rules(rules_with(path)):
        row = classify_events(frame.lazy()).collect().row(0, named=True)
    assert (row["reason"], row["bounce_type"]) == ("mailboxfull", "soft")


@pytest.mark.parametrize(
    ("content", "line", "field", "words"),
    [
        ("reason,pattern\nnichtda,abc\n", 2, "reason", "Unbekannter Grund"),
        ("reason,pattern\nblocked,abc(\n", 2, "pattern", "kein gültiger regulärer Ausdruck"),
        ("reason,pattern\nblocked,(a)\\1\n", 2, "pattern", "Rückverweise"),
        ("reason,pattern\nblocked,\n", 2, "pattern", "Muster fehlt"),
        ("reason,pattern\nblocked,.*\n", 2, "pattern", "passt auf jeden Text"),
        ("reason,pattern,bounce_type\nblocked,abc,permanent\n", 2, "bounce_type", "Bounce-Art"),
        ("grund,muster\nblocked,abc\n", 1, None, "Pflichtspalte"),
        ("reason,pattern,farbe\nblocked,abc,rot\n", 1, None, "Unbekannte Spalte"),
        ("reason,pattern\n", None, None, "keine Regel"),
    ],
)
def test_bad_rule_files_name_file_line_and_field(tmp_path, content, line, field, words):
    path = _rules_file(tmp_path, content)
    with pytest.raises(InputError) as caught:
        read_user_rules(path)
    error = caught.value
    assert words in str(error)
    assert error.path == str(path)
    assert error.line == line
    assert error.field == field


def test_rules_file_from_german_excel(tmp_path):
    text = "reason;pattern;source\r\nmailboxfull;Speicher überschritten;Excel\r\n"
    path = tmp_path / "excel.csv"
    path.write_bytes(text.encode("cp1252"))
    (rule,) = read_user_rules(path)
    assert rule.reason == "mailboxfull" and "überschritten" in rule.pattern


def test_cli_classify_with_rules_and_bad_rules(tmp_path, capsys):
    mail = tmp_path / "b.eml"
    mail.write_text(
        "From: MAILER-DAEMON@mx.example\nTo: sender@example.com\nSubject: Undelivered Mail\n\n"
        "<kunde@acme.example>: host mx.acme.example said: 550 5.1.1 AcmeGuard says no\n"
    )
    assert main(["classify", str(mail)]) == 0
    shipped = json.loads(capsys.readouterr().out.splitlines()[0])
    assert shipped["reason"] == "userunknown" and shipped["rule"] == "status:x.1.1"
    rules = _rules_file(tmp_path, "reason,pattern\nspamdetected,acmeguard\n")
    assert main(["classify", str(mail), "--rules", str(rules), "--format", "csv"]) == 0
    row = next(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert row["reason"] == "spamdetected" and row["rule"] == "user:regeln.csv:2"
    bad = _rules_file(tmp_path, "reason,pattern\nspam,acmeguard\n", name="kaputt.csv")
    assert main(["classify", str(mail), "--rules", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "kaputt.csv" in err and "Zeile 2" in err and "„reason“" in err
    assert "Traceback" not in err


def test_every_command_that_classifies_takes_rules():
    from deliverability.cli import _parser

    parser = _parser()
    for command in ("classify", "load", "suppress", "report", "weekly", "rates"):
        args = parser.parse_args([command, *_minimal_args(command), "--rules", "r.csv"])
        assert args.rules == "r.csv"


def _minimal_args(command: str) -> list[str]:
    return {
        "classify": ["x.eml"],
        "load": ["x.csv", "--out", "x.parquet"],
        "suppress": ["x.csv", "--state", "s"],
        "report": [],
        "weekly": ["x.csv", "--out", "o"],
        "rates": ["x.csv", "--out", "r.csv"],
    }[command]


def test_shipped_rule_ids_point_at_their_rows():
    rules = shipped_rules()
    for rule in rules.specific_texts + rules.general_texts:
        table, line = rule.rule_id.split(":")[1:]
        assert table == "text_patterns.csv" and int(line) >= 2
    assert _line_of("mailboxfull", "mailbox full") != _line_of("userunknown", "no such user")


def test_vendor_reason_maps_are_rule_data_checked_against_the_taxonomy():
    import csv as csv_module

    from deliverability.bounces.ses_notifications import SUBTYPE_REASONS
    from deliverability.classify.rules import RULES_DIR
    from deliverability.classify.vendor_reasons import vendor_reasons
    from deliverability.ingest.formats import mailjet, postmark, sendgrid
    from deliverability.taxonomy import REASON_IDS

    with (RULES_DIR / "vendor_reasons.csv").open(encoding="utf-8") as handle:
        rows = list(csv_module.DictReader(handle))
    vendors = {row["vendor"] for row in rows}
    assert {"mailjet", "sendgrid", "ses", "postmark", "mailgun", "brevo"} <= vendors
    assert all(row["source"] for row in rows)
    assert all(not row["reason"] or row["reason"] in REASON_IDS for row in rows)
    # the loaders read the table, nothing is restated in code
    assert vendor_reasons("mailjet", "error") == mailjet.ERRORS
    assert vendor_reasons("sendgrid", "bounce_classification") == sendgrid.CLASSIFICATIONS
    assert vendor_reasons("postmark", "Type") == postmark.REASONS
    assert vendor_reasons("ses", "bounceSubType") == SUBTYPE_REASONS
    assert vendor_reasons("mailjet", "error")["quota exceeded"] == "mailboxfull"


def test_load_command_applies_the_analysts_rules(tmp_path, capsys):
    log = Path(__file__).parents[1] / "fixtures" / "formats" / "mail.log"
    out = tmp_path / "ereignisse.parquet"
    assert main(["load", str(log), "--out", str(out)]) == 0
    plain = pl.read_parquet(out).filter(pl.col("recipient") == "ghost@gmail.com")
    rules = _rules_file(tmp_path, "reason,pattern,bounce_type\nsuspend,tried to reach,soft\n")
    assert main(["load", str(log), "--out", str(out), "--rules", str(rules)]) == 0
    own = pl.read_parquet(out).filter(pl.col("recipient") == "ghost@gmail.com")
    capsys.readouterr()
    assert "userunknown" in plain.get_column("reason").to_list()
    assert "suspend" in own.get_column("reason").to_list()
    assert set(own.filter(pl.col("reason") == "suspend").get_column("bounce_type")) == {"soft"}


def test_labels_of_sides_triggers_and_statuses_are_data_checked_against_the_taxonomy():
    from deliverability.taxonomy import reasons
    from deliverability.taxonomy.labels import side_labels, status_labels, trigger_labels

    assert {reason.side for reason in reasons().values()} <= set(side_labels())
    assert trigger_labels()["escalated"] == "Softbounces in Folge"
    assert set(status_labels()) == {"suppressed", "watch", "restored"}


def test_every_shipped_text_pattern_compiles_in_each_engine():
    import re2

    from deliverability.classify.rules import invalid_patterns

    assert invalid_patterns() == []
    rules = shipped_rules()
    for rule in rules.specific_texts + rules.general_texts:
        re2.compile(rule.pattern)  # the scalar classifier (codes.RE2PatternSet)
        pl.select(pl.lit("x").str.contains(rule.pattern))  # the vectorized one (Rust regex)


def test_a_pattern_that_does_not_compile_is_named_with_its_line(tmp_path, monkeypatch):
    from deliverability.classify import rules

    header = "reason,pattern,source,final,pass\n"
    (tmp_path / rules.TEXT_TABLE).write_text(
        header + "mailboxfull,mailbox full,RFC,,1\nuserunknown,(no such,RFC,,1\n", encoding="utf-8"
    )
    monkeypatch.setattr(rules, "RULES_DIR", tmp_path)
    (problem,) = rules.invalid_patterns()
    assert problem.startswith("text_patterns.csv, Zeile 3: ungültiges Muster '(no such'")
