"""Findings one can act on: each names the addresses behind it, the outage advice agrees with
the suppression rules, and counts that differ are explained."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

from deliverability.config import sample_inputs
from deliverability.report import weekly
from deliverability.report.findings import SEVERITY_LABELS, as_markdown


@pytest.fixture(scope="module")
def report() -> weekly.WeeklyReport:
    return weekly.build_weekly_report(sample_inputs())


def _by_title(report: weekly.WeeklyReport, part: str):
    return next(item for item in weekly.findings(report) if part in item.title)


def _week(report: weekly.WeeklyReport) -> pl.DataFrame:
    return report.messages.filter(pl.col("week") == report.week)


def test_every_finding_about_addresses_lists_them(report):
    items = weekly.findings(report)
    assert len(items) >= 4
    for item in items:
        assert item.affected is not None and not item.affected.is_empty(), item.title
        assert item.affected.get_column("recipient").is_unique().all()


def test_the_outage_lists_the_domains_deferred_addresses_and_when_they_will_be_blocked(report):
    outage = _by_title(report, "Empfangsserver gestört")
    domain = outage.title.split(":")[0]
    assert set(outage.affected.get_column("recipient_domain")) == {domain}
    # every listed address had mail deferred or softly failing at that domain
    troubled = set(
        _week(report)
        .filter(
            (pl.col("recipient_domain") == domain)
            & (pl.col("deferred") | (pl.col("outcome") == "soft"))
        )
        .get_column("recipient")
        .str.to_lowercase()
    )
    assert set(outage.affected.get_column("recipient")) <= troubled
    # the advice says how many are watched or already blocked by the rules, as the state has it
    listed = outage.affected.get_column("recipient")
    state = report.suppression_state.filter(pl.col("address").is_in(listed.implode()))
    watched = state.filter(pl.col("status") == "watch").height
    limit = report.policy.consecutive_soft
    assert watched > 0
    assert f"{watched} stehen unter Beobachtung" in outage.action
    assert f"sobald sie {limit} Softbounces in Folge" in outage.action
    assert "Adressen nicht sperren." not in outage.action  # the old advice that contradicted


def test_invalid_domains_and_bad_addresses_list_exactly_their_hard_bounces(report):
    invalid = _by_title(report, "Domains, die es nicht gibt")
    named = {name.strip() for name in invalid.what.split("an ", 1)[1].split(" sind")[0].split(",")}
    assert set(invalid.affected.get_column("recipient_domain")) == named
    bad = _by_title(report, "Einzelne ungültige Adressen")
    assert set(bad.affected.get_column("outcome")) == {"hard"}
    assert f"({bad.affected.height} Adressen)" in bad.what


def test_the_limit_finding_explains_why_the_replay_and_the_system_differ(report):
    limit = _by_title(report, "Versandlimit überschritten")
    if "das System selbst meldete" in limit.what:
        assert "Unterschied" in limit.what and "Zeitfenster" in limit.what
    assert "deliverability replay" not in limit.action  # words, not a shell command
    sender = limit.title.split(":")[0]
    assert set(limit.affected.get_column("sender")) == {sender}


def test_a_usually_soft_reason_says_why_some_of_its_mails_count_as_hard(report):
    explained = {label: meaning for label, _, _, meaning, _ in weekly.reason_explanations(report)}
    mixed = report.reasons.filter((pl.col("reason") == "mailboxfull") & (pl.col("hard") > 0))
    if mixed.is_empty():
        pytest.skip("no mailbox-full hard bounces in this sample")
    hard, messages = mixed.row(0, named=True)["hard"], mixed.row(0, named=True)["messages"]
    assert (
        f"{hard} der {messages} Mails zählen trotzdem als Hardbounce" in explained["Postfach voll"]
    )


def test_the_markdown_names_the_first_addresses_and_links_the_list(report):
    item = _by_title(report, "Einzelne ungültige Adressen")
    text = as_markdown(item, "[liste.csv](liste.csv)")
    first = item.affected.get_column("recipient")[0]
    assert SEVERITY_LABELS[item.severity] in text and 'class="stufe' in text
    assert f"**Betroffen:** {item.affected.height} Adressen bei" in text
    assert first in text and "[liste.csv](liste.csv)" in text and "weitere" in text


def test_the_affected_csv_is_for_german_excel_and_holds_every_listed_address(report, tmp_path):
    written = weekly.write_outputs(report, tmp_path)
    path = written["betroffen"]
    assert path.name == weekly.AFFECTED_FILE
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    expected = sum(
        item.affected.height for item in weekly.findings(report) if item.affected is not None
    )
    assert len(rows) == expected
    assert list(rows[0])[:4] == ["Dringlichkeit", "Auffälligkeit", "Adresse", "Domain"]
    assert {row["Dringlichkeit"] for row in rows} <= set(SEVERITY_LABELS.values())
    assert {row["Ergebnis"] for row in rows} <= {
        "zugestellt", "Hardbounce", "Softbounce", "Bounce ohne Art", "vom System blockiert",
        "verworfen", "ohne Ergebnis", "sonstiges",
    }  # fmt: skip
    assert all("_" not in row["Grund"] for row in rows)  # words, not reason ids
    assert Path(written["arbeitsmappe"]).is_file()
