"""Send-limit replay: hand-computed cases, profile errors, and property-based semantics."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deliverability.limits.calendar import Periods
from deliverability.limits.constraints import constraints_of
from deliverability.limits.profile import (
    Profile,
    ProfileError,
    Rule,
    load_profile,
    preset_names,
    read_profile,
)
from deliverability.limits.replay import replay
from deliverability.limits.sends import SENDS_SCHEMA, read_sends_csv

from ..notebook_output import shown_text

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Berlin


def sends(times, recipients=None, domains=None, account=""):
    n = len(times)
    domains = domains or ["x.de"] * n
    return pl.DataFrame(
        {
            "requested_at": times,
            "message_id": [f"m{i}" for i in range(n)],
            "recipient": [f"r{i}@{domains[i]}" for i in range(n)],
            "recipients": recipients or [1] * n,
            "account": [account] * n,
        },
        schema=SENDS_SCHEMA,
    )


def profile(*rules: dict, timezone: str = "Europe/Berlin") -> Profile:
    return Profile("Test", tuple(Rule(index=i, **r) for i, r in enumerate(rules, 1)), timezone)


def outcomes(result) -> dict[str, int]:
    return dict(result.sends.group_by("outcome").len().iter_rows())


# --- hand-computed cases from the issue ---------------------------------------------------


def test_350_at_once_against_300_per_rolling_day_with_reject():
    limits = profile(dict(window=86400, limit=300, on_exceed="reject"))
    later = [T0 + timedelta(hours=23, minutes=59), T0 + timedelta(hours=24)]
    result = replay(sends([T0] * 350 + later), limits)
    frame = result.sends
    assert frame["outcome"].head(300).to_list() == ["sent"] * 300
    assert frame["outcome"].slice(300, 50).to_list() == ["rejected"] * 50
    assert frame["sent_at"].slice(300, 50).null_count() == 50
    # still inside the rolling 24 h: rejected; exactly 24 h later the window is free again
    assert frame["outcome"].tail(2).to_list() == ["rejected", "sent"]
    assert frame["rule"][300] == "Konto: 300 Mails je 24 Stunden (gleitend)"


def test_450_on_a_monday_against_200_per_calendar_day_with_next_window():
    monday = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)
    limits = profile(dict(window=86400, kind="calendar", limit=200, on_exceed="next_window"))
    frame = replay(sends([monday] * 450), limits).sends
    local = frame["sent_at"].dt.convert_time_zone("Europe/Berlin")
    days = local.dt.strftime("%Y-%m-%d %H:%M").value_counts().sort("sent_at")
    assert days.rows() == [
        ("2026-11-23 08:30", 200),
        ("2026-11-24 00:00", 200),
        ("2026-11-25 00:00", 50),
    ]
    assert outcomes(replay(sends([monday] * 450), limits)) == {"sent": 200, "delayed": 250}
    last = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)  # Wednesday 00:00 in Berlin
    assert frame["delay_s"][449] == (last - monday).total_seconds()


def test_400_at_once_against_100_per_hour_and_500_per_day_with_delay():
    limits = profile(
        dict(window=3600, limit=100, on_exceed="delay"),
        dict(window=86400, limit=500, on_exceed="delay"),
    )
    frame = replay(sends([T0] * 400), limits).sends
    hours = frame["sent_at"].value_counts().sort("sent_at").rows()
    assert hours == [(T0 + timedelta(hours=h), 100) for h in range(4)]
    assert frame["delay_s"].max() == 3 * 3600
    assert set(frame["rule"].drop_nulls()) == {"Konto: 100 Mails je 1 Stunde (gleitend)"}


def test_a_burst_over_the_limit_locks_the_account_for_24_hours():
    example = load_profile(_example_file())
    times = [T0] * 400 + [T0 + timedelta(hours=23), T0 + timedelta(hours=24, seconds=1)]
    frame = replay(sends(times), example).sends
    assert frame["outcome"].head(200).to_list() == ["sent"] * 200
    assert frame["outcome"].slice(200, 200).to_list() == ["blocked"] * 200
    assert frame["outcome"].tail(2).to_list() == ["blocked", "sent"]
    assert frame["rule"][200] == "Konto: 200 Mails je 1 Minute (gleitend), 200 gleichzeitig"


def test_calendar_days_follow_daylight_saving_time():
    # 25.10.2026: clocks go back, the day has 25 hours; the next day starts 23:00 UTC
    before = datetime(2026, 10, 25, 21, 30, tzinfo=UTC)  # 22:30 local on the long day
    limits = profile(dict(window=86400, kind="calendar", limit=1, on_exceed="next_window"))
    frame = replay(sends([before, before]), limits).sends
    assert frame["sent_at"][1] == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)


def test_recipients_count_per_message_and_too_many_recipients_are_rejected():
    limits = profile(
        dict(window=3600, limit=10, unit="recipients", on_exceed="delay"),
        dict(max_recipients_per_message=5, on_exceed="reject"),
    )
    frame = replay(sends([T0] * 5, recipients=[3, 3, 3, 3, 6]), limits).sends
    assert frame["outcome"].to_list() == ["sent", "sent", "sent", "delayed", "rejected"]
    assert frame["sent_at"][3] == T0 + timedelta(hours=1)
    assert frame["rule"][4] == "Konto: 5 Empfänger je Mail"


def test_domain_queues_do_not_hold_up_other_domains():
    limits = profile(dict(scope="domain", window=60, limit=2, on_exceed="delay"))
    frame = replay(sends([T0] * 4 + [T0], domains=["a.de"] * 4 + ["b.de"]), limits).sends
    assert frame["sent_at"].to_list() == [T0, T0, T0 + timedelta(minutes=1)] * 1 + [
        T0 + timedelta(minutes=1),
        T0,
    ]


def test_accounts_are_replayed_separately():
    limits = profile(dict(window=86400, limit=1, on_exceed="reject"))
    both = pl.concat([sends([T0], account="a@x.de"), sends([T0], account="b@x.de")])
    assert outcomes(replay(both, limits)) == {"sent": 2}


def test_plan_mode_waits_instead_of_failing_and_starts_at_start():
    example = load_profile(_example_file())
    start = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    unscheduled = sends([None] * 400)
    plan = replay(unscheduled, example, mode="plan", start=start)
    assert outcomes(plan) == {"sent": 200, "delayed": 200}
    assert plan.sends["sent_at"].min() == start
    # 200 at once (burst and minute), 100 a minute later (300 per 24 h), the rest a day later
    assert plan.sends["sent_at"].value_counts().sort("sent_at").rows() == [
        (start, 200),
        (start + timedelta(minutes=1), 100),
        (start + timedelta(hours=24), 100),
    ]
    assert plan.finish == start + timedelta(hours=24)


# --- profiles -------------------------------------------------------------------------------

EXAMPLE = """\
name = "Beispiel-Host"
timezone = "Europe/Berlin"

[[rules]]
scope = "account"
window = "24h"
kind = "rolling"
max_messages = 300
on_exceed = "reject"

[[rules]]
scope = "account"
window = "1m"
kind = "rolling"
max_messages = 200
burst = 200
on_exceed = "lockout"
lockout = "24h"        # how long the account stays blocked
"""


def _example_file():
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "beispiel.toml"
    path.write_text(EXAMPLE, encoding="utf-8")
    return path


def test_the_example_profile_of_the_issue_reads_as_written():
    example = read_profile(_example_file())
    assert example.name == "Beispiel-Host"
    first, second = example.rules
    assert (first.window, first.limit, first.on_exceed) == (86400, 300, "reject")
    assert (second.window, second.burst, second.lockout) == (60, 200, 86400)


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ('window = "3x"\nmax_messages = 5', "window"),
        ('window = "1h"\nmax_messages = 0', "max_messages"),
        ('window = "1h"\nmax_messages = 5\non_exceed = "explode"', "on_exceed"),
        ('window = "1h"\nmax_messages = 5\non_exceed = "lockout"', "lockout"),
        ('window = "1h"\nmax_messages = 5\non_exceed = "next_window"', "on_exceed"),
        ('window = "2h"\nkind = "calendar"\nmax_messages = 5', "window"),
        ("max_messages = 5", "window"),
        ('window = "1h"\nmax_mesages = 5', "max_mesages"),
        ('scope = "planet"\nwindow = "1h"\nmax_messages = 5', "scope"),
    ],
)
def test_a_broken_profile_names_file_rule_and_field(tmp_path, rule, field):
    path = tmp_path / "kaputt.toml"
    path.write_text(
        f'name = "x"\n[[rules]]\nwindow = "1d"\nmax_messages = 9\n[[rules]]\n{rule}\n',
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as error:
        read_profile(path)
    message = str(error.value)
    assert str(path) in message and "Regel 2" in message and f"„{field}“" in message


def test_every_preset_loads_with_sources():
    required = {
        "gmail", "google-workspace", "outlook-com", "microsoft-365", "yahoo", "icloud", "gmx",
        "web-de", "t-online", "ionos", "strato", "mailjet-free", "brevo-free", "zendesk-sell",
        "zendesk-sell-max", "empfang-grossanbieter",
    }  # fmt: skip
    assert required <= set(preset_names())
    for name in preset_names():
        for rule in load_profile(name).rules:
            assert rule.source and rule.checked, (name, rule.index)
    sell = load_profile("zendesk-sell").rules[0]
    assert (sell.limit, sell.window, sell.on_exceed) == (300, 86400, "reject")
    assert load_profile("zendesk-sell-max").rules[0].limit == 1000


# --- property-based semantics ---------------------------------------------------------------

WINDOWS = st.sampled_from([1, 5, 60, 600, 3600, 86400])


@st.composite
def rule_specs(draw, scopes=("account",), actions=("delay",)):
    kind = draw(st.sampled_from(["rolling", "calendar"]))
    window = draw(st.sampled_from([60, 3600, 86400])) if kind == "calendar" else draw(WINDOWS)
    action = draw(st.sampled_from(actions))
    if action == "next_window" and kind != "calendar":
        action = "delay"
    spec = dict(
        scope=draw(st.sampled_from(scopes)),
        window=window,
        kind=kind,
        limit=draw(st.integers(1, 12)),
        unit=draw(st.sampled_from(["messages", "recipients"])),
        on_exceed=action,
    )
    if draw(st.booleans()):
        spec["burst"] = draw(st.integers(1, 6))
    if action == "lockout":
        spec["lockout"] = draw(st.sampled_from([30, 600, 7200]))
    return spec


@st.composite
def send_lists(draw, max_size=60):
    offsets = draw(st.lists(st.integers(0, 3 * 86400), min_size=1, max_size=max_size))
    weights = draw(st.lists(st.integers(1, 4), min_size=len(offsets), max_size=len(offsets)))
    domains = draw(
        st.lists(
            st.sampled_from(["a.de", "b.de", "gmx.de"]),
            min_size=len(offsets),
            max_size=len(offsets),
        )
    )
    base = datetime(2026, 10, 24, 20, 0, tzinfo=UTC)  # spans the DST change of 25.10.
    return sends([base + timedelta(seconds=o) for o in sorted(offsets)], weights, domains)


def assert_same_as_the_general_engine(specs, batch):
    """The path `replay` picks for the profile decides every send as the general engine does."""
    limits = profile(*specs)
    chosen = replay(batch, limits).sends
    general = replay(batch, limits, general_engine=True).sends
    assert chosen.select("sent_at", "outcome", "rule").equals(
        general.select("sent_at", "outcome", "rule")
    )


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(rule_specs(actions=("delay", "next_window")), min_size=1, max_size=3), send_lists())
def test_fast_path_equals_the_general_engine(specs, batch):
    assert_same_as_the_general_engine(specs, batch)


@SETTINGS
@given(
    st.lists(
        rule_specs(actions=("delay", "next_window", "reject", "lockout")), min_size=1, max_size=3
    ),
    send_lists(),
)
def test_account_loop_equals_the_general_engine(specs, batch):
    """Account-only profiles with any action take a plain loop; it decides like the heap."""
    assert_same_as_the_general_engine(specs, batch)


@st.composite
def failing_rule_specs(draw):
    """Account rules that only fail, large enough for the block recursion (limits >= 48)."""
    kind = draw(st.sampled_from(["rolling", "calendar"]))
    window = draw(st.sampled_from([60, 3600, 86400] if kind == "calendar" else [1, 60, 600, 3600]))
    spec = dict(
        window=window,
        kind=kind,
        limit=draw(st.integers(48, 70)),
        unit=draw(st.sampled_from(["messages", "recipients"])),
        on_exceed=draw(st.sampled_from(["reject", "lockout"])),
    )
    if draw(st.booleans()):
        spec["burst"] = draw(st.integers(48, 60))
    if spec["on_exceed"] == "lockout":
        spec["lockout"] = draw(st.sampled_from([0, 30, 600, 7200]))
    return spec


@st.composite
def crowded_sends(draw):
    """Up to about 600 one-recipient sends in bursts at the same second (up to 120 each) and
    single sends between them, over the autumn DST change."""
    bursts = draw(
        st.lists(st.tuples(st.integers(0, 3 * 3600), st.integers(1, 120)), min_size=1, max_size=5)
    )
    singles = draw(st.lists(st.integers(0, 3 * 3600), max_size=60))
    offsets = sorted([t for t, size in bursts for _ in range(size)] + singles)
    base = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    return sends([base + timedelta(seconds=o) for o in offsets])


@SETTINGS
@given(st.lists(failing_rule_specs(), min_size=1, max_size=3), crowded_sends())
def test_block_recursion_for_failing_rules_equals_the_general_engine(specs, batch):
    """Profiles whose rules only reject or lock out take the block recursion (failing.py)."""
    assert_same_as_the_general_engine(specs, batch)


def _seconds(value: datetime) -> int:
    return int(value.timestamp())


def _scope_key(scope: str, row: dict) -> str:
    from deliverability.taxonomy import provider_map

    address = row["recipient"].lower()
    domain = address.rpartition("@")[2]
    return {
        "account": "",
        "domain": domain,
        "provider": provider_map().get(domain, domain),
        "recipient": address,
    }[scope]


def _usage(placed, constraint, periods, t):
    if constraint.period:
        start = periods.start_one(t)
        return sum(w for s, w in placed if periods.start_one(s) == start)
    return sum(w for s, w in placed if t - constraint.window < s <= t)


@SETTINGS
@given(
    st.lists(
        rule_specs(
            scopes=("account", "domain", "provider", "recipient"),
            actions=("delay", "next_window", "reject", "lockout"),
        ),
        min_size=1,
        max_size=3,
    ),
    send_lists(),
)
def test_replay_semantics_hold(specs, batch):
    limits = profile(*specs)
    result = replay(batch, limits).sends
    rows = result.with_columns(recipients=batch["recipients"]).to_dicts()
    constraints = constraints_of(limits)
    waiting = [c for c in constraints if c.waits]
    periods = {
        c.period: Periods(c.period, limits.timezone, _seconds(rows[0]["requested_at"]))
        for c in constraints
        if c.period
    }
    sent_rows = [r for r in rows if r["sent_at"] is not None]
    # 1. nothing goes before its requested time; sent and delayed are told apart correctly
    for r in rows:
        if r["sent_at"] is not None:
            assert r["sent_at"] >= r["requested_at"]
            assert (r["outcome"] == "delayed") == (r["sent_at"] > r["requested_at"])
        else:
            assert r["outcome"] in ("rejected", "blocked") and r["rule"]
    # 2. no window of any rule is ever over its limit
    for c in constraints:
        groups = defaultdict(list)
        for r in sent_rows:
            groups[_scope_key(c.scope, r)].append(
                (_seconds(r["sent_at"]), r["recipients"] if c.by_recipients else 1)
            )
        for placed in groups.values():
            for t, _ in placed:
                assert _usage(placed, c, periods.get(c.period), t) <= c.limit
    # 3. FIFO within each queue, and each delayed send could not have gone a second earlier
    from deliverability.limits.engine import queue_scope

    qscope = queue_scope(constraints)
    last: dict[str, int] = {}
    for r in sorted(sent_rows, key=lambda r: (r["requested_at"], int(r["message_id"][1:]))):
        key, t = _scope_key(qscope, r), _seconds(r["sent_at"])
        assert t >= last.get(key, t)
        last[key] = t
    by_queue = defaultdict(list)
    for r in rows:
        by_queue[_scope_key(qscope, r)].append(r)
    for r in sent_rows:
        if r["outcome"] != "delayed":
            continue
        t = _seconds(r["sent_at"]) - 1
        before = [
            x for x in by_queue[_scope_key(qscope, r)]
            if x["sent_at"] is not None and int(x["message_id"][1:]) < int(r["message_id"][1:])
        ]  # fmt: skip
        fifo_bound = max((_seconds(x["sent_at"]) for x in before), default=-1)
        blocked_by_rule = False
        for c in waiting:
            placed = [
                (_seconds(x["sent_at"]), x["recipients"] if c.by_recipients else 1)
                for x in sent_rows
                if _scope_key(c.scope, x) == _scope_key(c.scope, r) and _seconds(x["sent_at"]) <= t
            ]
            weight = r["recipients"] if c.by_recipients else 1
            if _usage(placed, c, periods.get(c.period), t) + weight > c.limit:
                blocked_by_rule = True
        assert blocked_by_rule or t < fifo_bound, r


def _oracle(rows, limits: Profile):
    """Reject/lockout without waiting rules, straight from the definition (quadratic)."""
    constraints = constraints_of(limits)
    periods = {c.period: Periods(c.period, limits.timezone, 0) for c in constraints if c.period}
    accepted: list[dict] = []
    locked: dict[tuple[str, str], int] = {}
    result = []
    for r in rows:
        t, w = _seconds(r["requested_at"]), r["recipients"]
        per_message = [
            x
            for x in limits.rules
            if x.max_recipients_per_message and w > x.max_recipients_per_message
        ]
        if per_message:
            result.append("rejected")
            continue
        if any(
            locked.get((s, _scope_key(s, r)), -1) > t
            for s in ("account", "domain", "provider", "recipient")
        ):
            result.append("blocked")
            continue
        outcome = "sent"
        for c in constraints:
            placed = [
                (_seconds(x["requested_at"]), x["recipients"] if c.by_recipients else 1)
                for x in accepted
                if _scope_key(c.scope, x) == _scope_key(c.scope, r)
            ]
            if (
                _usage(placed, c, periods.get(c.period), t) + (w if c.by_recipients else 1)
                > c.limit
            ):
                outcome = "blocked" if c.action == "lockout" else "rejected"
                if c.action == "lockout":
                    locked[(c.scope, _scope_key(c.scope, r))] = t + (c.rule.lockout or 0)
                break
        if outcome == "sent":
            accepted.append(r)
        result.append(outcome)
    return result


@SETTINGS
@given(
    st.lists(
        rule_specs(scopes=("account", "domain"), actions=("reject", "lockout")),
        min_size=1,
        max_size=3,
    ),
    send_lists(),
)
def test_reject_and_lockout_fail_exactly_the_sends_the_rule_says(specs, batch):
    limits = profile(*specs)
    result = replay(batch, limits).sends
    rows = result.with_columns(recipients=batch["recipients"]).to_dicts()
    assert result["outcome"].to_list() == _oracle(rows, limits)


# --- command line ---------------------------------------------------------------------------


ODD_SENDS = (
    "requested_at;message_id;recipient;recipients;note\n"
    "2026-11-23T09:00:00+01:00;m1;a@x.de;2;\n"
    "\n"
    "2026-11-23T09:01:00+01:00;m2;b@x.de\n"  # short row
    "2026-11-23 09:02;m3;c@x.de;a@x.de;b@x.de;extra;fields\n"  # too many fields
    ";;;;\n"  # blank cells only
    '"2026-11-23T09:03:00+01:00";"m;4";" d@x.de ";1;"quoted"\n'
    "gestern;m5;e@x.de;1;\n"  # unreadable time
    "23.11.2026 09:05;m6;;1;\n"  # recipient missing
    "2026-11-23T09:06:00+01:00;m7;f@x.de;0;\n"  # no recipient
)


def test_sends_read_quickly_match_the_csv_module_row_by_row():
    """The polars reader of sends CSVs gives the cells, line numbers and raw rejected rows of
    Python's csv module; a quoted line break sends the file to the csv module."""
    from deliverability.limits.sends import _cells_quickly, _cells_slowly

    header = ["requested_at", "message_id", "recipient", "recipients", "note"]
    quick = _cells_quickly(ODD_SENDS, ";", header)
    slow = _cells_slowly(ODD_SENDS, ";", header)
    assert quick is not None
    assert quick.drop("raw").equals(slow.drop("raw"))
    assert quick.get_column("line").to_list() == [2, 4, 5, 7, 8, 9, 10]
    broken = ODD_SENDS + '2026-11-23T09:07:00+01:00;m8;g@x.de;1;"two\nlines"\n'
    assert _cells_quickly(broken, ";", header) is None


def test_rejected_sends_keep_line_and_raw_row(tmp_path):
    path = tmp_path / "sendungen.csv"
    path.write_text(ODD_SENDS, encoding="utf-8")
    sends = read_sends_csv(path, "Europe/Berlin")
    assert sends.frame.get_column("message_id").to_list() == ["m1", "m2", "m3", "m;4"]
    assert sends.frame.get_column("recipients").to_list() == [2, 1, 1, 1]
    rejects = sends.rejects.select("line", "field", "raw").rows()
    assert rejects == [
        (8, "requested_at", "gestern;m5;e@x.de;1;"),
        (9, "recipient", "23.11.2026 09:05;m6;;1;"),
        (10, "recipients", "2026-11-23T09:06:00+01:00;m7;f@x.de;0;"),
    ]


def test_cli_replays_a_sends_csv_and_sets_bad_rows_aside(tmp_path, capsys):
    import csv

    from deliverability.cli import main

    lines = ["requested_at;message_id;recipient;recipients"]
    lines += [f"23.11.2026 10:00;m{i};kunde{i}@beispiel.de;1" for i in range(350)]
    lines += ["gestern;kaputt;x@beispiel.de;1", "23.11.2026 10:00;leer;;1"]
    source = tmp_path / "sendungen.csv"
    source.write_bytes("\r\n".join(lines).encode("cp1252"))
    out = tmp_path / "ergebnis" / "replay.csv"
    args = ["replay", str(source), "--profile", "zendesk-sell", "--out", str(out)]
    assert main([*args, "--csv", "standard"]) == 0
    printed = capsys.readouterr().out
    assert "350 Sendungen" in printed and "50 abgelehnt" in printed and "23.11.2026" in printed
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "message_id", "recipient", "requested_at", "sent_at", "outcome", "delay_s", "rule",
    ]  # fmt: skip
    assert rows[0]["requested_at"] == "2026-11-23T10:00:00+01:00"
    assert [r["outcome"] for r in rows].count("rejected") == 50
    assert rows[-1]["sent_at"] == "" and rows[-1]["delay_s"] == ""
    days = (tmp_path / "ergebnis" / "replay_tage.csv").read_text(encoding="utf-8").splitlines()
    assert days[0].startswith("day,requested,sent,delayed,rejected,blocked,went_out")
    assert days[1].startswith("2026-11-23,350,300,0,50,0,300")
    rejects = (tmp_path / "ergebnis" / "replay_abgelehnte_zeilen.csv").read_text(encoding="utf-8")
    assert ",352,requested_at," in rejects and ",353,recipient," in rejects


def test_cli_plans_a_campaign_from_a_start_time(tmp_path, capsys):
    from deliverability.cli import main

    source = tmp_path / "kampagne.csv"
    source.write_text(
        "message_id,recipient\n" + "".join(f"k{i},kunde{i}@beispiel.de\n" for i in range(450)),
        encoding="utf-8",
    )
    out = tmp_path / "plan.csv"
    args = ["replay", str(source), "--profile", "mailjet-free", "--mode", "plan"]
    assert main([*args, "--start", "23.11.2026 09:00", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "letzte Mail 25.11.2026 00:00" in printed
    assert "Gleichmäßig verteilt gehen höchstens 8,2 Mails pro Stunde" in printed
    assert main([*args, "--out", str(out)]) == 1  # no start time for rows without one
    assert "--start" in capsys.readouterr().err


def test_cli_replays_event_exports_per_sender(tmp_path, capsys):
    from deliverability.cli import main
    from deliverability.config import sample_inputs

    out = tmp_path / "weber.csv"
    week = [str(p) for p in sample_inputs() if "W47" in p.name]
    sender = "j.weber@technik-handel.de"
    assert (
        main(["replay", *week, "--profile", "zendesk-sell", "--sender", sender, "--out", str(out)])
        == 0
    )
    printed = capsys.readouterr().out
    assert "19.11.2026" in printed and "abgelehnt" in printed


def test_cli_lists_profiles_and_reports_a_broken_profile(tmp_path, capsys):
    from deliverability.cli import main

    assert main(["profiles"]) == 0
    listing = capsys.readouterr().out
    assert "zendesk-sell: Zendesk Sell" in listing and "[Annahme]" in listing
    assert main(["profiles", "google-workspace"]) == 0
    assert "support.google.com/a/answer/166852" in capsys.readouterr().out
    broken = tmp_path / "host.toml"
    broken.write_text('[[rules]]\nwindow = "1h"\nmax_messages = "viele"\n', encoding="utf-8")
    sends_file = tmp_path / "s.csv"
    sends_file.write_text("requested_at,message_id,recipient\n2026-11-23T10:00,m,a@b.de\n")
    code = main(
        ["replay", str(sends_file), "--profile", str(broken), "--out", str(tmp_path / "o.csv")]
    )
    assert code == 1
    error = capsys.readouterr().err
    assert f"Profil {broken}, Regel 1, Feld „max_messages“" in error


# --- weekly report --------------------------------------------------------------------------


def test_limit_incidents_of_the_sample_week_match_a_rolling_count():
    from collections import deque

    from deliverability.config import sample_inputs
    from deliverability.settings import load_settings

    LIMIT_PROFILES = load_settings().limit_profiles
    from deliverability.ingest import load_events
    from deliverability.limits.incidents import limit_incidents
    from deliverability.limits.sends import sends_from_events

    events = load_events(sample_inputs()).events
    incidents = limit_incidents(events, "2026-W47", "Europe/Berlin", LIMIT_PROFILES)
    assert incidents.select("sender", "day").rows() == [
        ("j.weber@technik-handel.de", datetime(2026, 11, 19).date())
    ]
    row = incidents.row(0, named=True)
    assert row["observed"] == 165  # the CRM's own "Sendelimit überschritten" errors that day
    # an independent count: 300 accepted sends per rolling 24 hours, rejected ones do not count
    crm = events.filter(
        (pl.col("source") == "zendesk_sell") & (pl.col("sender") == "j.weber@technik-handel.de")
    )
    times = sorted(int(t.timestamp()) for t in sends_from_events(crm)["requested_at"])
    accepted: deque[int] = deque()
    rejected_on_day = 0
    for t in times:
        while accepted and accepted[0] <= t - 86400:
            accepted.popleft()
        if len(accepted) >= 300:
            local = datetime.fromtimestamp(t, UTC) + timedelta(hours=1)  # CET, no DST in Nov
            rejected_on_day += local.date() == datetime(2026, 11, 19).date()
        else:
            accepted.append(t)
    assert row["rejected"] == rejected_on_day > 0


# --- notebook -------------------------------------------------------------------------------


@pytest.mark.slow
def test_sendelimits_notebook_runs_with_papermill(tmp_path):

    import papermill

    from deliverability.config import NOTEBOOK_DIR

    executed = tmp_path / "sendelimits.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK_DIR / "sendelimits.ipynb"),
        str(executed),
        parameters={
            "profile": str(_example_file()),
            "compare": "zendesk-sell, google-workspace",
            "sender": "j.weber@technik-handel.de",
            "out_dir": str(tmp_path / "aus"),
        },
        cwd=str(tmp_path),
        log_output=False,
        progress_bar=False,
    )
    shown = shown_text(executed)
    assert "Beispiel-Host" in shown and "19.11.2026" in shown
    assert shown.count("data:image/png;base64") == 2
    assert "Mit „Google Workspace“ statt „Beispiel-Host“ wären 0 statt" in shown
    assert (
        (tmp_path / "aus" / "sendelimits.csv")
        .read_text(encoding="utf-8")
        .startswith("message_id,recipient,requested_at,sent_at,outcome,delay_s,rule")
    )


def test_sendelimits_notebook_is_committed_without_outputs():
    import json

    from deliverability.config import NOTEBOOK_DIR

    notebook = json.loads((NOTEBOOK_DIR / "sendelimits.ipynb").read_text())
    assert all(not cell.get("outputs") for cell in notebook["cells"] if cell["cell_type"] == "code")
    assert ["parameters"] in [cell["metadata"].get("tags", []) for cell in notebook["cells"]]


def test_a_plan_without_a_start_begins_at_the_next_full_minute():
    from datetime import UTC, datetime

    from deliverability.limits.sends import plan_start

    now = datetime(2026, 11, 30, 18, 44, 31, 500, tzinfo=UTC)
    assert plan_start("", "Europe/Berlin", now) == datetime(2026, 11, 30, 18, 45, tzinfo=UTC)
    given = plan_start("24.11.2026 08:00", "Europe/Berlin", now)
    assert given == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


@pytest.mark.slow
def test_sendelimits_notebook_plans_from_now_without_a_start(tmp_path):
    from datetime import UTC, datetime

    import polars as pl

    from deliverability.views import format as fmt

    from ..notebook_output import run_notebook, shown_text

    before = datetime.now(UTC).replace(second=0, microsecond=0)
    executed = run_notebook(
        "sendelimits.ipynb",
        tmp_path,
        {"mode": "plan", "compare": "", "out_dir": str(tmp_path / "aus")},
    )
    planned = pl.read_csv(tmp_path / "aus" / "sendelimits.csv", try_parse_dates=True)
    first = planned.get_column("sent_at").drop_nulls().min()
    assert first is not None and first >= before  # not in the weeks of the sample data
    assert f"Start {fmt.timestamp(first, 'Europe/Berlin')}" in shown_text(executed)
