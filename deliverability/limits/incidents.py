"""Send-limit incidents of a week: days on which a sender went over its host's limits."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from deliverability.limits.profile import load_profile
from deliverability.limits.replay import replay
from deliverability.limits.sends import sends_from_events
from deliverability.periods import week_expr

INCIDENT_SCHEMA = {
    "sender": pl.String,
    "source": pl.String,
    "profile": pl.String,
    "day": pl.Date,
    "requested": pl.Int64,
    "delayed": pl.Int64,
    "rejected": pl.Int64,
    "blocked": pl.Int64,
    "observed": pl.Int64,
    "rules": pl.String,
}
#: Reasons under which a sending platform reports its own limit (observed in the data).
LIMIT_REASONS = ("speeding",)


def incident_events(events: pl.DataFrame, profiles: Mapping[str, str]) -> pl.DataFrame:
    """The events `limit_incidents` reads: those of sources with a limit profile, and only the
    columns the replay and the observed errors need (the texts stay behind)."""
    return events.filter(pl.col("source").is_in(list(profiles))).select(
        "timestamp", "message_id", "recipient", "sender", "event", "reason", "source",
        "source_ref",
    )  # fmt: skip


def limit_incidents(
    events: pl.DataFrame, week: str, timezone: str, profiles: Mapping[str, str]
) -> pl.DataFrame:
    """Per sender and day of `week`: what the profile of the sender's source says about the
    requested sends (delayed, rejected, blocked), next to the limit errors the platform itself
    logged (`observed`). Only days with something to report. The whole history is replayed,
    so rolling windows reach back into the week before."""
    rows = []
    columns = incident_events(events, profiles)
    for source, name in profiles.items():
        subset = columns.filter(pl.col("source") == source)
        if subset.is_empty():
            continue
        profile = load_profile(name)
        result = replay(sends_from_events(subset), profile)
        local_day = pl.col("requested_at").dt.convert_time_zone(timezone).dt.date()
        replayed = (
            result.sends.filter(week_expr(pl.col("requested_at"), timezone) == week)
            .group_by(sender="account", day=local_day)
            .agg(
                requested=pl.len(),
                **{
                    o: (pl.col("outcome") == o).sum().cast(pl.Int64)
                    for o in ("delayed", "rejected", "blocked")
                },
                rules=pl.col("rule").cast(pl.String).drop_nulls().unique().sort().str.join("; "),
            )
        )
        observed = (
            subset.filter(
                pl.col("reason").is_in(LIMIT_REASONS)
                & (week_expr(pl.col("timestamp"), timezone) == week)
            )
            .group_by("sender", day=pl.col("timestamp").dt.convert_time_zone(timezone).dt.date())
            .agg(observed=pl.len().cast(pl.Int64))
        )
        joined = replayed.join(observed, on=["sender", "day"], how="left").with_columns(
            pl.col("observed").fill_null(0),
            source=pl.lit(source),
            profile=pl.lit(profile.name),
        )
        rows.append(
            joined.filter(
                pl.col("delayed") + pl.col("rejected") + pl.col("blocked") + pl.col("observed") > 0
            )
        )
    if not rows:
        return pl.DataFrame(schema=INCIDENT_SCHEMA)
    return pl.concat(rows).select(list(INCIDENT_SCHEMA)).cast(INCIDENT_SCHEMA).sort("day", "sender")  # type: ignore[arg-type]
