"""Funnel, pending ageing, stuck domains and accepted-but-not-seen, checked against counts
computed independently from the raw events."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import polars as pl

from deliverability.config import sample_inputs
from deliverability.funnel.engagement import accepted_not_seen
from deliverability.funnel.funnel import (
    age_text,
    as_of_of,
    deferral_to_outcome,
    funnel,
    pending_ages,
    retry_windows,
    stuck_domains,
)
from deliverability.ingest import load_events
from deliverability.outcomes import message_outcomes
from deliverability.schema import EVENT_SCHEMA

T = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)


def _events(rows):
    """rows: (minutes after T, message, recipient, event[, bounce_type]) → canonical events."""
    data = []
    for i, row in enumerate(rows):
        minutes, message, recipient, event = row[:4]
        data.append(
            {
                "timestamp": T + timedelta(minutes=minutes),
                "message_id": message,
                "sender": "news@technik-handel.de",
                "recipient": recipient,
                "recipient_domain": recipient.split("@")[1],
                "event": event,
                "bounce_type": row[4] if len(row) > 4 else None,
                "source": "postfix",
                "source_ref": f"x:{i}",
            }
        )
    return pl.DataFrame(data).select(
        [
            pl.col(c).cast(t) if c in data[0] else pl.lit(None, dtype=t).alias(c)
            for c, t in EVENT_SCHEMA.items()
        ]
    )


def test_funnel_and_ageing_on_a_small_log():
    events = _events(
        [
            (0, "m1", "a@kaputt.de", "sent"),
            (5, "m1", "a@kaputt.de", "deferred"),
            (0, "m2", "b@kaputt.de", "sent"),
            (6, "m2", "b@kaputt.de", "deferred"),
            (0, "m3", "c@web.de", "sent"),
            (1, "m3", "c@web.de", "delivered"),
            (2, "m3", "c@web.de", "opened"),
            (0, "m4", "d@web.de", "sent"),
            (30, "m4", "d@web.de", "deferred"),
            (90, "m4", "d@web.de", "delivered"),
            (0, "m5", "e@gmx.de", "sent"),
            (1, "m5", "e@gmx.de", "bounced", "hard"),
            (0, "m6", "f@gmx.de", "blocked"),
        ]
    )
    messages = message_outcomes(events.lazy(), "Europe/Berlin").collect()
    table = funnel(messages, ["week"])
    assert table.select(
        "requested", "sent", "delivered", "bounced", "dropped_blocked", "pending"
    ).row(0) == (6, 5, 2, 1, 1, 2)
    as_of = T + timedelta(hours=31)
    ages = pending_ages(messages, as_of)
    assert ages["recipient"].to_list() == ["a@kaputt.de", "b@kaputt.de"]
    assert ages["age_hours"].to_list() == [31.0, 31.0]
    assert ages["gives_up_at"][0] == T + timedelta(hours=retry_windows()["postfix"])
    assert age_text(31) == "seit 31 Stunden ohne Zustellung"
    assert age_text(80) == "seit 3 Tagen ohne Zustellung"
    timing = deferral_to_outcome(events)
    assert timing.select("message_key", "hours", "final_event").rows() == [("m4", 1.0, "delivered")]
    assert as_of_of(events) == T + timedelta(minutes=90)


def test_funnel_of_the_sample_matches_a_count_from_the_raw_events():
    events = load_events(sample_inputs()).events
    messages = message_outcomes(events.lazy(), "Europe/Berlin").collect()
    table = funnel(messages, ["week"]).filter(pl.col("week") == "2026-W47").row(0, named=True)
    # independent count straight from the events: one message per (id, recipient),
    # its week from its first event (Berlin time), its outcome by precedence
    first: dict[tuple, datetime] = {}
    kinds: defaultdict[tuple, set] = defaultdict(set)
    bounce: defaultdict[tuple, set] = defaultdict(set)
    for row in events.select(
        "message_id", "recipient", "timestamp", "event", "bounce_type"
    ).iter_rows():
        key = (row[0], row[1])
        first[key] = min(first.get(key, row[2]), row[2])
        kinds[key].add(str(row[3]))
        if str(row[3]) == "bounced":
            bounce[key].add(row[4])
    counts: Counter = Counter()
    for key, started in first.items():
        iso = started.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin")).isocalendar()
        if (iso.year, iso.week) != (2026, 47):
            continue
        k = kinds[key]
        counts["requested"] += 1
        sent = bool(k & {"sent", "delivered", "deferred", "bounced"})
        counts["sent"] += sent
        if "delivered" in k:
            counts["delivered"] += 1
        elif "bounced" in k:
            counts["bounced"] += 1
        elif k & {"blocked", "dropped"}:
            counts["dropped_blocked"] += 1
        elif sent:
            counts["pending"] += 1
    for column in ("requested", "sent", "delivered", "bounced", "dropped_blocked", "pending"):
        assert table[column] == counts[column], column
    # per provider: the same counts, grouped by the provider map of the recipient domain
    from deliverability.taxonomy import provider_map

    providers = provider_map()
    per: Counter = Counter()
    for key, started in first.items():
        iso = started.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin")).isocalendar()
        if (iso.year, iso.week) == (2026, 47) and "delivered" in kinds[key]:
            per[providers.get(key[1].rpartition("@")[2].lower(), "Sonstige")] += 1
    by_provider = funnel(messages.filter(pl.col("week") == "2026-W47"), ["provider"])
    assert dict(by_provider.select("provider", "delivered").iter_rows()) == dict(per)


def test_a_domain_with_many_pending_mails_is_stuck():
    rows = [(0, f"m{i}", f"u{i}@nordwerk.de", "sent") for i in range(6)]
    rows += [(1, "x1", "a@web.de", "sent"), (2, "x1", "a@web.de", "delivered")]
    rows += [(1, "x2", "b@web.de", "sent")]
    messages = message_outcomes(_events(rows).lazy(), "Europe/Berlin").collect()
    patterns = dict(stuck_domains(messages).select("recipient_domain", "pattern").iter_rows())
    assert patterns == {"nordwerk.de": "domain_stuck", "web.de": "single"}


def test_accepted_but_not_seen_flags_a_provider_far_below_the_sender_average():
    def message(provider, seen):
        return {
            "sender": "news@x.de",
            "provider": provider,
            "outcome": "delivered",
            "opened": seen,
            "clicked": False,
        }

    rows = [message("Google", i % 2 == 0) for i in range(400)]  # 50 % seen
    rows += [message("Telekom (T-Online)", i % 20 == 0) for i in range(300)]  # 5 % seen
    rows += [message("Kleinanbieter", False) for i in range(20)]  # too few to judge
    result = accepted_not_seen(pl.DataFrame(rows))
    flags = dict(result.select("provider", "flag").iter_rows())
    assert flags == {"Telekom (T-Online)": True, "Google": False, "Kleinanbieter": False}
    telekom = result.filter(pl.col("provider") == "Telekom (T-Online)").row(0, named=True)
    assert (telekom["delivered"], telekom["seen"]) == (300, 15)
    assert abs(telekom["sender_share"] - (200 + 15) / 720) < 1e-12


def test_bulk_sender_days_and_findings():
    from deliverability.funnel.bulk import bulk_findings, bulk_sender_days

    def rows(provider, day, count, complaints):
        return [
            {
                "sender": "news@Technik-Handel.de",
                "provider": provider,
                "day": day,
                "sent": True,
                "outcome": "delivered",
                "complained": i < complaints,
            }
            for i in range(count)
        ]

    day1, day2 = datetime(2026, 11, 17).date(), datetime(2026, 11, 18).date()
    messages = pl.DataFrame(
        rows("Google", day1, 5200, 3) + rows("Google", day2, 1000, 4) + rows("Yahoo/AOL", day1, 300, 0)
        + rows("Sonstige", day1, 9000, 0)
    )  # fmt: skip
    days = bulk_sender_days(messages)
    assert days.select("provider", "sent", "complaints").rows() == [
        ("Google", 5200, 3),
        ("Google", 1000, 4),
        ("Yahoo/AOL", 300, 0),
    ]
    found = {r["provider"]: r for r in bulk_findings(days).iter_rows(named=True)}
    assert found["Google"]["bulk"] and found["Google"]["days_over_limit"] == 1  # 4/1000 = 0.4 %
    assert found["Google"]["finding"].startswith("An einem Tag lag die Beschwerderate bei Google")
    assert not found["Yahoo/AOL"]["bulk"] and "noch nicht" in found["Yahoo/AOL"]["finding"]


def test_rates_command_writes_a_week_per_provider(tmp_path, capsys):
    from deliverability.cli import main

    out = tmp_path / "raten.csv"
    args = ["rates", *map(str, sample_inputs()), "--by", "provider", "--out", str(out)]
    assert main([*args, "--csv", "standard"]) == 0
    assert "KW 47/2026" in capsys.readouterr().out
    table = pl.read_csv(out)
    assert table.columns[:4] == ["week", "provider", "requested", "sent"]
    assert set(table["week"]) == {"2026-W47"}
    lows = table["bounce_low"].to_list()
    assert lows == sorted(lows, reverse=True)
    events = load_events(sample_inputs()).events
    messages = message_outcomes(events.lazy(), "Europe/Berlin").collect()
    expected = funnel(messages.filter(pl.col("week") == "2026-W47"), ["provider"])
    assert dict(table.select("provider", "sent").iter_rows()) == dict(
        expected.select("provider", "sent").iter_rows()
    )
