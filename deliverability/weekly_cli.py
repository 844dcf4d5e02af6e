"""`deliverability weekly`: the weekly analyses in one run, on polars or on Spark.

Reads the events once and writes into one folder: the rates per domain and per provider
(`raten_domains.csv`, `raten_anbieter.csv`, as `rates`), with `--state` the updated
suppression list and its export (`sperrliste.csv`, as `suppress`), with `--profile` the
replay of every sender account against the host's limits (`versandlimits.csv` and
`versandlimits_tage.csv`, as `replay`), and the unusable input rows
(`abgelehnte_zeilen.csv`). With `--engine spark` the same files come from a Spark cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from deliverability.errors import ConfigError
from deliverability.export import write_csv
from deliverability.limits.cli import write_replay
from deliverability.limits.profile import load_profile
from deliverability.limits.replay import ReplayResult
from deliverability.rates_cli import GROUPS, write_rates
from deliverability.report import format as fmt
from deliverability.report.weekly import resolve_week
from deliverability.settings import load_settings, suppression_policy
from deliverability.spark.session import check_engine
from deliverability.suppression.exports import FORMATS, write_export
from deliverability.suppression.policy import SuppressionPolicy
from deliverability.suppression.store import StateDir

RATES_FILES = {"domain": "raten_domains.csv", "provider": "raten_anbieter.csv"}
SUPPRESSION_FILE = "sperrliste.csv"
REPLAY_FILE = "versandlimits.csv"
REJECTS_FILE = "abgelehnte_zeilen.csv"


@dataclass(frozen=True)
class WeeklyResult:
    """What one engine computed (written by `run_weekly` alike for both)."""

    week: str
    rates: dict[str, pl.DataFrame]
    state: pl.DataFrame | None
    replay: ReplayResult | None
    rejects: pl.DataFrame


@dataclass(frozen=True)
class WeeklyRequest:
    """What to compute: inputs, week, and the optional suppression and replay parts."""

    inputs: list[str]
    week: str | None
    timezone: str
    store: StateDir | None
    policy: SuppressionPolicy
    profile_name: str | None


def _on_polars(request: WeeklyRequest) -> WeeklyResult:
    from deliverability.ingest import load_events
    from deliverability.limits.replay import replay
    from deliverability.limits.sends import sends_from_events
    from deliverability.outcomes import message_outcomes
    from deliverability.rates_cli import polars_rates

    load = load_events([Path(p) for p in request.inputs], timezone=request.timezone)
    messages = message_outcomes(load.events.lazy(), request.timezone).collect()
    chosen = resolve_week(messages, request.week)
    tables = {by: polars_rates(messages, by, chosen) for by in GROUPS}
    state = None
    if request.store is not None:
        request.store.add_events(load.events)
        state = request.store.rebuild(request.policy)
    result = None
    if request.profile_name:
        result = replay(sends_from_events(load.events), load_profile(request.profile_name))
    return WeeklyResult(chosen, tables, state, result, load.rejects)


def _on_spark(request: WeeklyRequest, master: str | None) -> WeeklyResult:
    from deliverability.rates_cli import spark_rates, spark_weeks
    from deliverability.spark import classify, events, rates, replay, session
    from deliverability.suppression.cli import rebuild_on_spark

    spark = session.spark_session(master)
    loaded = events.read_events(spark, request.inputs, request.timezone)
    classified = classify.classify_events(loaded.events).cache()
    messages = rates.message_outcomes(classified, request.timezone).cache()
    chosen = resolve_week(spark_weeks(messages), request.week)
    tables = {by: spark_rates(messages, by, chosen) for by in GROUPS}
    messages.unpersist()
    state = None
    if request.store is not None:
        state = rebuild_on_spark(spark, request.store, request.policy, classified)
    result = None
    if request.profile_name:
        sends = replay.sends_from_events(classified)
        result = replay.replay_on_spark(sends, load_profile(request.profile_name))
    rejects = events.collect_rejects(loaded.rejects, request.inputs)
    classified.unpersist()
    return WeeklyResult(chosen, tables, state, result, rejects)


def run_weekly(
    inputs: list[str],
    out: str,
    week: str | None,
    timezone: str,
    state_dir: str | None,
    export_format: str,
    policy_file: str | None,
    profile_name: str | None,
    engine: str = "polars",
    spark_master: str | None = None,
    settings_file: str | None = None,
    policy_change: bool = False,
) -> int:
    policy = suppression_policy(load_settings(settings_file), policy_file)
    if export_format not in FORMATS:
        raise ConfigError(
            f"Unbekanntes Exportformat „{export_format}“. Möglich sind: {', '.join(FORMATS)}."
        )
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    store = StateDir(Path(state_dir)) if state_dir else None
    if store is not None:
        store.check_policy(policy, policy_change)  # before anything changes
    request = WeeklyRequest(inputs, week, timezone, store, policy, profile_name)
    if check_engine(engine) == "spark":
        result = _on_spark(request, spark_master)
    else:
        result = _on_polars(request)
    for by, table in result.rates.items():
        write_rates(table, by, result.week, folder / RATES_FILES[by], timezone)
    if result.state is not None and store is not None:
        path, rows = write_export(result.state, export_format, folder / SUPPRESSION_FILE)
        print(
            f"Sperrliste in {store.path} fortgeschrieben; Export "
            f"{FORMATS[export_format].title}: {rows} Adressen in {path}"
        )
    if result.replay is not None:
        write_replay(result.replay, folder / REPLAY_FILE)
    if result.rejects.height:
        write_csv(result.rejects, folder / REJECTS_FILE)
        print(
            f"{fmt.number(result.rejects.height)} Eingabezeilen nicht verwendbar, mit Grund in: {folder / REJECTS_FILE}"
        )
    return 0
