"""Message outcomes, per-domain rates, Wilson ranking and outage vs bad-address patterns."""

from __future__ import annotations

import math
from decimal import Decimal, getcontext

import polars as pl
import pytest

from deliverability.ingest import load_events
from deliverability.outcomes import message_outcomes
from deliverability.patterns import detect_patterns
from deliverability.rates import rates, weekly_rates, wilson_exprs, wilson_interval

from .conftest import HEADER


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        (1, 3, 0.0615, 0.7923),
        (3000, 30000, 0.0966, 0.1034),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_interval_known_values(successes, trials, low, high):
    lower, upper = wilson_interval(successes, trials)
    assert lower == pytest.approx(low, abs=5e-4)
    assert upper == pytest.approx(high, abs=5e-4)


def test_wilson_expression_equals_scalar():
    frame = pl.DataFrame({"k": [0, 1, 7, 3000, 5], "n": [10, 3, 50, 30000, 0]})
    low, high = wilson_exprs(pl.col("k"), pl.col("n"))
    result = frame.select(low=low, high=high)
    for (k, n), (lo, hi) in zip(frame.iter_rows(), result.iter_rows(), strict=True):
        if n == 0:
            assert lo is None and hi is None
        else:
            exp_lo, exp_hi = wilson_interval(k, n)
            assert math.isclose(lo, exp_lo) and math.isclose(hi, exp_hi)


def _wilson_reference(successes: int, trials: int) -> tuple[Decimal, Decimal]:
    """The Wilson score interval in 50-digit decimal arithmetic (the textbook formula)."""
    getcontext().prec = 50
    z = Decimal("1.959963984540054")  # the 97.5 % quantile of the normal distribution
    n, p = Decimal(trials), Decimal(successes) / Decimal(trials)
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    margin = z * (p * (1 - p) / n + z * z / (4 * n * n)).sqrt() / denominator
    return max(Decimal(0), centre - margin), min(Decimal(1), centre + margin)


@pytest.mark.parametrize("trials", [*range(1, 31), 47, 100, 1000, 30000])
def test_wilson_bounds_match_a_reference_and_always_contain_the_share(trials):
    """Small groups, 0 % and 100 % included: every bound agrees with exact arithmetic to
    1e-12, and rounding never puts the share outside (13 of 13 gave an upper bound of
    0.9999999999999999, which stopped the report's chart)."""
    counts = sorted({0, 1, trials // 3, trials // 2, trials - 1, trials} - {-1})
    frame = pl.DataFrame({"k": counts, "n": [trials] * len(counts)})
    low, high = wilson_exprs(pl.col("k"), pl.col("n"))
    vectorized = frame.select(low=low, high=high).rows()
    for k, (v_low, v_high) in zip(counts, vectorized, strict=True):
        ref_low, ref_high = _wilson_reference(k, trials)
        lower, upper = wilson_interval(k, trials)
        share = k / trials
        for got_low, got_high in ((lower, upper), (v_low, v_high)):
            assert abs(Decimal(got_low) - ref_low) < Decimal("1e-12")
            assert abs(Decimal(got_high) - ref_high) < Decimal("1e-12")
            assert 0.0 <= got_low <= share <= got_high <= 1.0
        assert (lower, upper) == (v_low, v_high)  # both paths to the last bit


def _events(rows: list[str], write_csv):
    path = write_csv(HEADER + "\n" + "\n".join(rows) + "\n")
    return load_events([path]).events


def _sends(domain: str, count: int, bounces: int, day: str = "2026-11-17") -> list[str]:
    rows = []
    for i in range(count):
        rid = f"{domain}-{i}"
        rows.append(f"{day} 10:00:{i % 60:02d},{rid},a@x.de,u{i}@{domain},sent,,,,,,t")
        if i < bounces:
            rows.append(
                f"{day} 10:01:{i % 60:02d},{rid},a@x.de,u{i}@{domain},bounced,hard,,550,5.1.1,"
                "550 5.1.1 user unknown,t"
            )
        else:
            rows.append(
                f"{day} 10:01:{i % 60:02d},{rid},a@x.de,u{i}@{domain},delivered,,,250,2.0.0,"
                "250 OK,t"
            )
    return rows


def test_small_domain_with_one_bounce_does_not_outrank_large_domain(write_csv):
    rows = _sends("klein.de", 3, 1) + _sends("gross.de", 600, 60)
    events = _events(rows, write_csv)
    messages = message_outcomes(events.lazy(), "Europe/Berlin")
    ranked = weekly_rates(messages, "recipient_domain", "2026-W47", "2026-W46").collect()
    assert ranked.get_column("recipient_domain").to_list() == ["gross.de", "klein.de"]
    small = ranked.filter(pl.col("recipient_domain") == "klein.de").row(0, named=True)
    assert small["sent"] == 3 and small["hard"] == 1
    assert small["bounce_rate"] == pytest.approx(1 / 3)
    large = ranked.filter(pl.col("recipient_domain") == "gross.de").row(0, named=True)
    assert large["bounce_rate"] == pytest.approx(0.1)
    assert large["bounce_low"] > small["bounce_low"]


def test_messages_count_once_and_week_over_week_change(write_csv):
    rows = [
        # W46: 2 messages, 1 hard bounce
        "2026-11-10 09:00,m1,a@x.de,p@gmx.de,sent,,,,,,t",
        "2026-11-10 09:01,m1,a@x.de,p@gmx.de,bounced,hard,,550,5.1.1,,t",
        "2026-11-10 09:00,m2,a@x.de,q@gmx.de,sent,,,,,,t",
        "2026-11-10 09:01,m2,a@x.de,q@gmx.de,delivered,,,250,,,t",
        # W47: deferred three times, then delivered: one delivered message
        "2026-11-17 09:00,m3,a@x.de,q@gmx.de,sent,,,,,,t",
        "2026-11-17 09:10,m3,a@x.de,q@gmx.de,deferred,,,421,4.4.1,,t",
        "2026-11-17 10:10,m3,a@x.de,q@gmx.de,deferred,,,421,4.4.1,,t",
        "2026-11-17 12:10,m3,a@x.de,q@gmx.de,deferred,,,421,4.4.1,,t",
        "2026-11-17 16:10,m3,a@x.de,q@gmx.de,delivered,,,250,,,t",
        "2026-11-17 17:00,m3,a@x.de,q@gmx.de,opened,,,,,,t",
        # sent on Sunday 23:30 local (W47), delivered Monday: belongs to W47
        "2026-11-22 23:30,m4,a@x.de,r@web.de,sent,,,,,,t",
        "2026-11-23 00:30,m4,a@x.de,r@web.de,bounced,soft,,452,4.2.2,,t",
    ]
    messages = message_outcomes(_events(rows, write_csv).lazy(), "Europe/Berlin")
    overall = weekly_rates(messages, None, "2026-W47", "2026-W46").collect().row(0, named=True)
    assert overall["sent"] == 2
    assert overall["delivered"] == 1
    assert overall["soft"] == 1
    assert overall["deferred"] == 1
    assert overall["opened"] == 1
    assert overall["bounce_rate"] == pytest.approx(0.5)
    assert overall["bounce_rate_prev"] == pytest.approx(0.5)
    assert overall["sent_prev"] == 2
    providers = weekly_rates(messages, "provider", "2026-W47", "2026-W46").collect()
    assert set(providers.get_column("provider")) == {"United Internet (GMX, WEB.DE, 1&1)"}


def test_provider_map_groups_google_and_united_internet(write_csv):
    rows = (
        _sends("gmail.com", 2, 0)
        + _sends("googlemail.com", 2, 1)
        + _sends("gmx.net", 1, 0)
        + _sends("web.de", 1, 0)
        + _sends("firma-beispiel.de", 1, 0)
    )
    messages = message_outcomes(_events(rows, write_csv).lazy(), "Europe/Berlin")
    table = rates(messages, ["provider"]).collect()
    sent = dict(zip(table["provider"], table["sent"], strict=True))
    assert sent == {"Google": 4, "United Internet (GMX, WEB.DE, 1&1)": 2, "Sonstige": 1}


def test_outage_is_told_apart_from_bad_addresses(write_csv):
    rows = []
    for i in range(12):  # every message to down.de deferred, then soft-bounced
        rows += [
            f"2026-11-17 10:00:{i:02d},d{i},a@x.de,u{i}@down.de,sent,,,,,,t",
            f"2026-11-17 10:10:{i:02d},d{i},a@x.de,u{i}@down.de,deferred,,,,4.4.1,"
            "connect to mx.down.de: Connection timed out,t",
            f"2026-11-18 10:00:{i:02d},d{i},a@x.de,u{i}@down.de,bounced,soft,,,4.4.7,"
            "Delivery time expired,t",
        ]
    rows += _sends("bad.de", 40, 2)
    rows += _sends("gmial.com", 3, 3)
    rows[-6:] = [
        r.replace("5.1.1,550 5.1.1 user unknown", "5.4.4,Host or domain name not found")
        for r in rows[-6:]
    ]
    messages = message_outcomes(_events(rows, write_csv).lazy(), "Europe/Berlin")
    found = detect_patterns(messages, "recipient_domain", "2026-W47").collect()
    patterns = {(r["recipient_domain"], r["pattern"]) for r in found.iter_rows(named=True)}
    assert patterns == {
        ("down.de", "server_down"),
        ("bad.de", "bad_addresses"),
        ("gmial.com", "domain_invalid"),
    }
    outage = found.filter(pl.col("pattern") == "server_down").row(0, named=True)
    assert outage["affected"] == 12 and outage["messages"] == 12
    assert [d.isoformat() for d in outage["days"]] == ["2026-11-17"]
