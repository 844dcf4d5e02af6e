"""`deliverability suppress` and `deliverability restore`: German messages only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from deliverability.errors import ConfigError
from deliverability.settings import load_settings, suppression_policy
from deliverability.spark.session import check_engine
from deliverability.suppression.addresses import normalize_address
from deliverability.suppression.exports import FORMATS, write_export
from deliverability.suppression.policy import SuppressionPolicy
from deliverability.suppression.store import StateDir

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def _summary(state: pl.DataFrame) -> str:
    counts = dict(state.group_by("status").len().iter_rows())
    return (
        f"{counts.get('suppressed', 0)} gesperrt, {counts.get('watch', 0)} unter Beobachtung "
        f"(Softbounces), {counts.get('restored', 0)} wieder freigegeben"
    )


def run_suppress(
    events: Sequence[str],
    state_dir: str,
    out: str | None,
    fmt: str,
    since_last: bool,
    excel: bool,
    policy_file: str | None,
    add: str | None,
    reason: str | None,
    by: str | None,
    engine: str = "polars",
    spark_master: str | None = None,
    settings_file: str | None = None,
    policy_change: bool = False,
) -> int:
    from deliverability.ingest import load_events

    on_spark = check_engine(engine) == "spark"
    store = StateDir(Path(state_dir))
    policy = suppression_policy(load_settings(settings_file), policy_file)
    if fmt not in FORMATS:
        raise ConfigError(f"Unbekanntes Exportformat „{fmt}“. Möglich sind: {', '.join(FORMATS)}.")
    if not out and not add:
        raise ConfigError("Bitte mit --out angeben, wohin der Export geschrieben wird.")
    store.check_policy(policy, policy_change)  # before anything changes
    if add:
        store.record("add", add, reason or "", by)
        print(f"Manuell gesperrt: {add} (Grund: {reason})")
    rejected = 0
    if on_spark:
        state, rejected = _rebuild_on_spark(store, policy, events, spark_master)
    else:
        if events:
            result = load_events([Path(p) for p in events])
            store.add_events(result.events)
            rejected = result.rejects.height
        state = store.rebuild(policy)
    if rejected:
        print(f"{rejected} Eingabezeilen abgelehnt (siehe `deliverability report`).")
    print(f"Sperrliste in {store.path}: {_summary(state)}.")
    if out:
        now = datetime.now(UTC)
        since = store.last_exports().get(fmt) if since_last else None
        path, rows = write_export(state, fmt, Path(out), since=since, excel=excel)
        store.mark_exported(fmt, now)
        scope = "neu seit dem letzten Export" if since_last else "insgesamt"
        print(f"Export {FORMATS[fmt].title}: {rows} Adressen ({scope}) in {path}")
    return 0


def rebuild_on_spark(
    spark: SparkSession, store: StateDir, policy: SuppressionPolicy, new: DataFrame | None
) -> pl.DataFrame:
    """Merge `new` (classified Spark events, if any) into the stored events, decide on Spark,
    and store both results; returns the state."""
    from deliverability.spark import events, suppression

    stored = events.from_polars(spark, store.events())
    merged = suppression.merge_events(stored, new).cache()
    state = suppression.build_state(merged, store.history(), policy)
    kept = events.to_polars(merged).sort("timestamp", "source_ref", maintain_order=True)
    merged.unpersist()
    store.save(kept, state, policy)
    return state


def _rebuild_on_spark(
    store: StateDir, policy: SuppressionPolicy, inputs: Sequence[str], master: str | None
) -> tuple[pl.DataFrame, int]:
    from deliverability.config import DEFAULT_TIMEZONE
    from deliverability.spark import classify, events, session

    spark = session.spark_session(master)
    if not inputs:
        return rebuild_on_spark(spark, store, policy, None), 0
    loaded = events.read_events(spark, list(inputs), DEFAULT_TIMEZONE)
    new = classify.classify_events(loaded.events)
    return rebuild_on_spark(spark, store, policy, new), loaded.rejects.count()


def run_restore(
    address: str,
    state_dir: str,
    reason: str,
    by: str | None,
    policy_file: str | None,
    settings_file: str | None = None,
    policy_change: bool = False,
) -> int:
    store = StateDir(Path(state_dir))
    policy = suppression_policy(load_settings(settings_file), policy_file)
    store.check_policy(policy, policy_change)  # before anything changes
    state = store.rebuild(policy)
    key = normalize_address(address)
    row = state.filter(pl.col("address") == key)
    if row.is_empty() or row["status"][0] != "suppressed":
        status = "nicht auf der Sperrliste" if row.is_empty() else f"im Status „{row['status'][0]}“"
        raise ConfigError(f"{address} ist {status}; es gibt nichts freizugeben.")
    store.record("restore", address, reason, by)
    state = store.rebuild(policy)
    print(f"Freigegeben: {address} (Grund: {reason.strip()}).")
    print(f"Sperrliste in {store.path}: {_summary(state)}.")
    return 0
