"""The runs the commands, notebooks and the scheduled report ask for, on either engine.

Each job checks what can be checked before it changes anything, then loads once and asks the
engine; writing files and speaking to the analyst is left to the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from deliverability.periods import previous_week, resolve_week
from deliverability.suppression.policy import SuppressionPolicy

if TYPE_CHECKING:
    from deliverability.limits.replay import ReplayResult
    from deliverability.pipeline.engines import Engine
    from deliverability.rates import Grouping
    from deliverability.suppression.store import StateDir

#: The groupings of the rates, by the name the commands use.
GROUPS: dict[str, Grouping] = {"domain": "recipient_domain", "provider": "provider"}


@dataclass(frozen=True)
class WeeklyRun:
    """What a weekly run computed: the week, rates per grouping, the suppression state (with a
    state folder), the replay (with a profile) and the unusable input rows."""

    week: str
    rates: dict[str, pl.DataFrame]
    state: pl.DataFrame | None
    replay: ReplayResult | None
    rejects: pl.DataFrame


def weekly_run(
    engine: Engine,
    inputs: Sequence[str],
    *,
    week: str | None,
    timezone: str,
    groups: Sequence[str] = tuple(GROUPS),
    store: StateDir | None = None,
    policy: SuppressionPolicy | None = None,
    profile_name: str | None = None,
    policy_change: bool = False,
) -> WeeklyRun:
    """Load `inputs` once; rates of the week (the latest if `week` is None) per grouping; with
    `store`, the suppression list brought up to date by `policy`; with `profile_name`, the
    replay of every sender account against that profile."""
    from deliverability.limits.profile import load_profile

    profile = load_profile(profile_name) if profile_name else None  # checked first
    policy = policy or SuppressionPolicy()
    if store is not None:
        store.check_policy(policy, policy_change)  # before any change
    events = engine.load(inputs, timezone)
    try:
        chosen = resolve_week(events.weeks(), week)
        before = previous_week(chosen)
        tables = {name: events.weekly_rates(GROUPS[name], chosen, before) for name in groups}
        replayed = events.replay(profile) if profile is not None else None
        state = None
        if store is not None:  # last: every step that can fail has run
            state = engine.update_suppression(store, policy, events)
        return WeeklyRun(chosen, tables, state, replayed, events.rejects())
    finally:
        events.release()


@dataclass(frozen=True)
class SuppressionRun:
    state: pl.DataFrame
    rejects: pl.DataFrame


def suppression_run(
    engine: Engine,
    inputs: Sequence[str],
    store: StateDir,
    policy: SuppressionPolicy,
    *,
    timezone: str,
) -> SuppressionRun:
    """Add the events of `inputs` (if any) to the state folder and decide again."""
    if not inputs:
        return SuppressionRun(engine.update_suppression(store, policy, None), _no_rejects())
    events = engine.load(inputs, timezone)
    try:
        return SuppressionRun(engine.update_suppression(store, policy, events), events.rejects())
    finally:
        events.release()


def _no_rejects() -> pl.DataFrame:
    from deliverability.schema import REJECTS_SCHEMA

    return pl.DataFrame(schema=REJECTS_SCHEMA)
