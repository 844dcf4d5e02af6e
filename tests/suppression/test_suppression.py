"""The suppression list from events alone: hard bounces, escalation, complaints, unsubscribes."""

from __future__ import annotations

import polars as pl

from deliverability.ingest import load_events
from deliverability.suppression import build_state, empty_history, export_frame

from ..conftest import HEADER


def _suppressed(rows: list[str], write_csv) -> pl.DataFrame:
    path = write_csv(HEADER + "\n" + "\n".join(rows) + "\n")
    state = build_state(load_events([path]).events.lazy(), empty_history())
    return state.filter(pl.col("status") == "suppressed")


def _soft(day: int, address: str, n: int) -> str:
    return (
        f"2026-11-{day:02d} 10:00,s{day}{n},a@x.de,{address},bounced,soft,,452,4.2.2,"
        "452 4.2.2 Mailbox full,t"
    )


def test_five_consecutive_soft_bounces_escalate(write_csv):
    rows = [_soft(d, "voll@gmx.de", d) for d in range(2, 7)]
    result = _suppressed(rows, write_csv)
    row = result.row(0, named=True)
    assert row["email"] == "voll@gmx.de"
    assert row["trigger"] == "escalated"
    assert row["reason"] == "mailboxfull"
    assert row["bounce_type"] == "hard"
    assert row["events"] == 5
    assert row["refs"].split(", ")[-1] == "events.csv:6"


def test_a_delivery_in_between_resets_the_count(write_csv):
    rows = [_soft(d, "voll@gmx.de", d) for d in range(2, 6)]
    rows.append("2026-11-06 10:00,ok1,a@x.de,voll@gmx.de,delivered,,,250,,,t")
    rows += [_soft(d, "voll@gmx.de", d) for d in range(7, 11)]
    assert _suppressed(rows, write_csv).is_empty()
    rows.append(_soft(11, "voll@gmx.de", 11))
    assert _suppressed(rows, write_csv).height == 1


def test_sender_side_failures_never_suppress(write_csv):
    rows = [
        f"2026-11-{d:02d} 10:00,b{d},a@x.de,gut@t-online.de,bounced,hard,,554,,"
        "554 IP=192.0.2.1 - None/bad reputation (NOWL),t"
        for d in range(2, 12)
    ]
    rows.append(
        "2026-11-12 10:00,lim,a@x.de,gut2@t-online.de,blocked,,,,,Sendelimit überschritten,t"
    )
    assert _suppressed(rows, write_csv).is_empty()


def test_hard_bounce_complaint_unsubscribe_and_idn(write_csv):
    rows = [
        "2026-11-02 10:00,h1,a@x.de,Weg@Bücher.de,bounced,hard,,550,5.1.1,user unknown,t",
        "2026-11-03 10:00,h2,a@x.de,weg@bücher.de,bounced,hard,,550,5.1.1,user unknown,t",
        "2026-11-04 10:00,c1,a@x.de,boese@web.de,complained,,,,,,t",
        "2026-11-05 10:00,u1,a@x.de,raus@gmx.de,unsubscribed,,,,,,t",
    ]
    result = _suppressed(rows, write_csv)
    by_email = {r["email"]: r for r in result.iter_rows(named=True)}
    assert set(by_email) == {"Weg@xn--bcher-kva.de", "boese@web.de", "raus@gmx.de"}
    assert by_email["Weg@xn--bcher-kva.de"]["events"] == 2
    assert by_email["boese@web.de"]["reason"] == "feedback"
    assert by_email["raus@gmx.de"]["reason"] == "unsubscribed"
    export = export_frame(result, "generic")
    assert export.columns == [
        "email",
        "status",
        "reason",
        "bounce_type",
        "first_seen",
        "last_seen",
        "events",
        "source",
    ]
    assert export.row(0, named=True)["first_seen"] == "2026-11-02T09:00:00Z"
