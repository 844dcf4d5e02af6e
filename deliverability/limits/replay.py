"""Replay sends against a limit profile, or plan the earliest schedule that breaks no rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import polars as pl

from deliverability.errors import ConfigError
from deliverability.limits import failing
from deliverability.limits.constraints import constraints_of, per_message_rules
from deliverability.limits.engine import replay_account, replay_general
from deliverability.limits.fast import applies, replay_fast
from deliverability.limits.profile import Profile
from deliverability.taxonomy import provider_map

OUTCOMES = ("sent", "delayed", "rejected", "blocked")
OutcomeDtype = pl.Enum(list(OUTCOMES))
RESULT_COLUMNS = (
    "message_id",
    "recipient",
    "requested_at",
    "sent_at",
    "outcome",
    "delay_s",
    "rule",
)


@dataclass(frozen=True)
class ReplayResult:
    """Per send what the host would have done (`sends`), for one profile and mode."""

    profile: Profile
    mode: str
    sends: pl.DataFrame  # RESULT_COLUMNS + account, recipients, rule_index

    @property
    def finish(self) -> datetime | None:
        """When the last send goes out (None when none goes)."""
        value = self.sends.get_column("sent_at").max()
        return value if isinstance(value, datetime) else None

    def count(self, outcome: str) -> int:
        return self.sends.filter(pl.col("outcome") == outcome).height


def _replay_group(
    frame: pl.DataFrame, profile: Profile, provider_of: dict[str, str], general: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    constraints = constraints_of(profile)
    per_message = per_message_rules(profile)
    requested = frame.get_column("_t").to_numpy().astype(np.int64, copy=False)
    weights = frame.get_column("recipients").to_numpy().astype(np.int64, copy=False)
    if applies(constraints) and not general:
        n = len(requested)
        heaviest = int(weights.max()) if n else 0
        if all(heaviest <= (r.max_recipients_per_message or 0) for r in per_message) and all(
            (heaviest if c.by_recipients else 1) <= c.limit for c in constraints
        ):
            return replay_fast(requested, weights, constraints, profile.timezone)
        sent = np.full(n, -1, dtype=np.int64)
        outcome = np.full(n, 2, dtype=np.int8)  # rejected unless it can go
        rule = np.zeros(n, dtype=np.int32)
        usable = np.ones(n, dtype=bool)
        for r in per_message:  # first failing rule decides, in profile order
            over = usable & (weights > (r.max_recipients_per_message or 0))
            rule[over], usable = r.index, usable & ~over
        for c in constraints:
            over = usable & ((weights if c.by_recipients else 1) > c.limit)
            rule[over], usable = c.rule.index, usable & ~over
        s, o, r_ = replay_fast(requested[usable], weights[usable], constraints, profile.timezone)
        sent[usable], outcome[usable], rule[usable] = s, o, r_
        return sent, outcome, rule
    if not general and failing.applies(constraints, per_message, weights):
        return failing.replay_failing(requested, constraints, profile.timezone)
    if not general and all(c.scope == "account" for c in constraints):
        return replay_account(requested, weights, constraints, per_message, profile.timezone)
    recipients = frame.get_column("recipient").str.to_lowercase().to_list()
    domains = [address.rpartition("@")[2] for address in recipients]
    keys = {
        "recipient": recipients,
        "domain": domains,
        "provider": [provider_of.get(domain, domain) for domain in domains],
    }
    return replay_general(requested, weights, keys, constraints, per_message, profile.timezone)


def replay(
    sends: pl.DataFrame,
    profile: Profile,
    *,
    mode: str = "replay",
    start: datetime | None = None,
    general_engine: bool = False,
) -> ReplayResult:
    """What the host would have done with each send (`replay`), or the earliest schedule
    that breaks no rule (`plan`: every rule waits; sends go no earlier than `start`).

    `sends` has the columns of `sends.SENDS_SCHEMA`; each account is replayed on its own.
    `general_engine` skips the fast path (for comparisons; results are the same).
    """
    if mode not in ("replay", "plan"):
        raise ConfigError(f"Unbekannter Modus „{mode}“; möglich: replay, plan.")
    if mode == "plan":
        profile = profile.as_delay()
        if start is None and sends.get_column("requested_at").null_count():
            raise ConfigError("Für die Planung bitte einen Startzeitpunkt angeben (--start).")
        if start is not None:
            moment = pl.lit(start).cast(pl.Datetime("us", "UTC"))
            sends = sends.with_columns(
                requested_at=pl.max_horizontal(pl.col("requested_at").fill_null(moment), moment)
            )
    elif sends.get_column("requested_at").null_count():
        raise ConfigError("Zum Nachspielen braucht jeder Versand einen Zeitpunkt (requested_at).")
    seconds = sends.get_column("requested_at").dt.epoch("s")
    accounts = sends.get_column("account").fill_null("")
    single = accounts.n_unique() <= 1
    order: pl.Series | None = None
    if not (single and seconds.is_sorted()):
        keys = pl.DataFrame({"a": accounts, "t": seconds}).with_row_index("_row")
        order = keys.sort("a", "t", "_row").get_column("_row")
    frame = sends.with_columns(_t=seconds, account=accounts)
    if order is not None:
        frame = frame[order]
    providers = provider_map()
    groups = [frame] if single else frame.partition_by("account", maintain_order=True)
    results = [_replay_group(group, profile, providers, general_engine) for group in groups]
    sent = np.concatenate([r[0] for r in results]) if results else np.zeros(0, np.int64)
    codes = np.concatenate([r[1] for r in results]) if results else np.zeros(0, np.int8)
    rules = np.concatenate([r[2] for r in results]) if results else np.zeros(0, np.int32)
    labels = {rule.index: rule.label for rule in profile.rules}
    result = frame.with_columns(
        _sent=pl.Series(sent), _code=pl.Series(codes), rule_index=pl.Series(rules)
    )
    if order is not None:  # back to the input order
        result = result.with_columns(_row=order).sort("_row")
    never = pl.col("_sent") < 0
    result = result.select(
        "message_id",
        "recipient",
        "requested_at",
        sent_at=pl.when(never)
        .then(None)
        .otherwise(pl.from_epoch("_sent", time_unit="s"))
        .dt.replace_time_zone("UTC")
        .cast(pl.Datetime("us", "UTC")),
        outcome=pl.col("_code").replace_strict(
            dict(enumerate(OUTCOMES)), return_dtype=OutcomeDtype
        ),
        delay_s=pl.when(never).then(None).otherwise(pl.col("_sent") - pl.col("_t")),
        rule=pl.col("rule_index").replace_strict(labels, default=None, return_dtype=pl.Categorical),
        account="account",
        recipients="recipients",
        rule_index="rule_index",
    )
    return ReplayResult(profile, mode, result)


def result_csv(result: ReplayResult) -> pl.DataFrame:
    """The per-send output: times in the profile's time zone, ISO 8601 with offset."""
    zone = result.profile.timezone
    return result.sends.select(RESULT_COLUMNS).with_columns(
        pl.col("requested_at", "sent_at")
        .dt.convert_time_zone(zone)
        .dt.strftime("%Y-%m-%dT%H:%M:%S%:z")
    )
