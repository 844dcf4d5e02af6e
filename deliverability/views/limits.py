"""Summaries of a replay: per day, per rule, and the plain-German recommendation of a plan."""

from __future__ import annotations

import math
from datetime import datetime

import polars as pl

from deliverability.limits.profile import MONTH, Profile
from deliverability.limits.replay import ReplayResult
from deliverability.views import format as fmt

DAY_COLUMNS = (
    "day",
    "requested",
    "sent",
    "delayed",
    "rejected",
    "blocked",
    "went_out",
    "max_delay_s",
    "rules",
)


def by_day(result: ReplayResult) -> pl.DataFrame:
    """Per day (profile time zone, by requested time): requested, sent on time, delayed,
    rejected, blocked, sends that actually went out that day, the longest delay, and the
    rules that decided."""
    zone = result.profile.timezone
    sends = result.sends
    requested = sends.group_by(day=pl.col("requested_at").dt.convert_time_zone(zone).dt.date()).agg(
        requested=pl.len(),
        **{o: (pl.col("outcome") == o).sum() for o in ("sent", "delayed", "rejected", "blocked")},
        max_delay_s=pl.col("delay_s").max(),
        rules=pl.col("rule").drop_nulls().unique().sort().str.join("; "),
    )
    went_out = (
        sends.filter(pl.col("sent_at").is_not_null())
        .group_by(day=pl.col("sent_at").dt.convert_time_zone(zone).dt.date())
        .agg(went_out=pl.len())
    )
    return (
        requested.join(went_out, on="day", how="full", coalesce=True)
        .with_columns(
            pl.col("requested", "sent", "delayed", "rejected", "blocked", "went_out")
            .fill_null(0)
            .cast(pl.Int64),
            pl.col("rules").fill_null(""),
        )
        .select(DAY_COLUMNS)
        .sort("day")
    )


def steady_rate_per_hour(profile: Profile) -> float | None:
    """The highest even rate (messages per hour) that no account rule of the profile stops.

    Recipient limits are read as messages (one recipient each); None without window rules.
    """
    rates = []
    for rule in profile.rules:
        if rule.scope != "account":
            continue
        if rule.limit is not None and rule.window is not None:
            seconds = 30.44 * 86400 if rule.window == MONTH else rule.window
            rates.append(rule.limit / seconds * 3600)
        if rule.burst is not None:
            rates.append(rule.burst * 3600.0)
    return min(rates) if rates else None


def duration(seconds: float, *, dative: bool = False) -> str:
    """A German duration: `90 Sekunden`, `45 Minuten`, `3,5 Stunden`, `2,0 Tage(n)`."""
    if seconds < 120:
        return f"{fmt.number(seconds)} Sekunden"
    if seconds < 2 * 3600:
        return f"{fmt.number(seconds / 60)} Minuten"
    if seconds < 2 * 86400:
        return f"{fmt.number(seconds / 3600, 1)} Stunden"
    return f"{fmt.number(seconds / 86400, 1)} {'Tagen' if dative else 'Tage'}"


def plan_text(result: ReplayResult, start: datetime | None = None) -> str:
    """The plan in one German paragraph: volume, limits, finish, recommended even rate."""
    profile = result.profile
    zone = profile.timezone
    total = result.sends.height
    going = result.sends.filter(pl.col("sent_at").is_not_null())
    limits = "; ".join(rule.label for rule in profile.rules)
    first = start or result.sends.get_column("requested_at").min()
    finish = result.finish
    parts = [f"{fmt.number(total)} Mails mit „{profile.name}“ ({limits})"]
    if isinstance(first, datetime) and finish is not None:
        parts.append(
            f"Start {fmt.timestamp(first, zone)}, letzte Mail {fmt.timestamp(finish, zone)} "
            f"(nach {duration((finish - first).total_seconds(), dative=True)})"
        )
    text = ": ".join(parts[:1]) + (". " + parts[1] + "." if len(parts) > 1 else ".")
    never = total - going.height
    if never:
        text += (
            f" {fmt.number(never)} Mails können nie versandt werden (zu viele Empfänger für "
            "eine Mail)."
        )
    rate = steady_rate_per_hour(profile)
    if rate:
        rate = math.floor(rate * 10) / 10
        decimals = 0 if rate >= 100 or rate == int(rate) else 1
        text += (
            f" Gleichmäßig verteilt gehen höchstens {fmt.number(rate, decimals)} Mails pro "
            f"Stunde (etwa eine alle {duration(3600 / rate)}), ohne dass je ein Limit "
            f"greift; alle {fmt.number(total)} Mails brauchen dann "
            f"{duration(total / rate * 3600)}."
        )
    return text
