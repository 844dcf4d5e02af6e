"""Benchmark: the weekly analyses on polars and on Spark (local mode), 10 million events.

Generates canonical events (Parquet, as `deliverability load` writes them): 4 weeks, 40
sender accounts, 5,000 company domains and the large providers, about 3 % failures with
realistic server texts (`diagnostic_templates.py`, reasons left for the classifier). Then,
per engine, in one run and on the same file, it times
1. load + classification + messages + weekly rates per domain and per provider;
2. the suppression decisions (soft-bounce runs, escalation, hard bounces, complaints);
3. the replay of every sender account against a limit profile (per-account groups);
and checks that both engines give identical results. Spark runs with `--master` (default
``local[2]``, the two cores of this machine): it is expected to be slower here, where it
only adds overhead; the point is that each stage is partitioned (by file, by address, by
account) and scales out. The output ends with a sizing note from the measured throughput.

Usage: .venv/bin/python benchmarks/bench_spark.py [--events 10000000] [--master local[2]]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from diagnostic_templates import diagnostics_frame  # noqa: E402

from deliverability.schema import EVENT_SCHEMA  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
PROFILE = "zendesk-sell"
TIMEZONE = "Europe/Berlin"


def generate(n: int, path: Path) -> None:
    """n canonical events; each message has a send event and an outcome (or an open)."""
    rng = np.random.default_rng(11)
    domains = [f"firma{i:04d}.de" for i in range(5000)] + [
        "gmail.com", "gmx.de", "web.de", "t-online.de", "outlook.com", "yahoo.com",
    ]  # fmt: skip
    weights = np.concatenate([np.full(5000, 1.0), np.full(6, 1500.0)])
    kinds = ["sent", "delivered", "bounced", "deferred", "complained", "unsubscribed", "opened"]
    messages = n // 2
    message = np.arange(n) // 2
    recipient_of = rng.integers(0, 400_000, messages)
    domain_of = rng.choice(len(domains), 400_000, p=weights / weights.sum())
    first_send = 1_793_000_000 + np.sort(rng.integers(0, 28 * 86400, messages))
    outcome = rng.choice([1, 2, 3, 4, 5, 6], messages, p=[0.80, 0.025, 0.01, 0.0005, 0.0015, 0.163])
    kind = np.where(np.arange(n) % 2 == 0, 0, outcome[message])
    failures = diagnostics_frame(int((kind == 2).sum() + (kind == 3).sum()))
    frame = pl.DataFrame(
        {
            "i": np.arange(n),
            "t": first_send[message] + np.where(kind == 0, 0, rng.integers(5, 7200, n)),
            "m": message,
            "r": recipient_of[message],
            "k": kind,
        }
    ).with_columns(d=pl.col("r").map_elements(lambda r: int(domain_of[r]), return_dtype=pl.Int64))
    failed = frame.filter(pl.col("k").is_in([2, 3])).with_columns(failures)
    frame = pl.concat([frame.filter(~pl.col("k").is_in([2, 3])), failed], how="diagonal").sort("i")
    events = frame.select(
        timestamp=pl.from_epoch("t", time_unit="s").dt.replace_time_zone("UTC"),
        message_id=pl.format("<{}@versand.example>", pl.col("m")),
        sender=pl.format("konto{}@technik-handel.de", pl.col("m") % 40),
        recipient=pl.format(
            "kunde{}@{}",
            pl.col("r"),
            pl.col("d").replace_strict(dict(enumerate(domains)), return_dtype=pl.String),
        ),
        recipient_domain=pl.col("d").replace_strict(
            dict(enumerate(domains)), return_dtype=pl.String
        ),
        event=pl.col("k").replace_strict(dict(enumerate(kinds)), return_dtype=pl.String),
        bounce_type=pl.lit(None, dtype=pl.String),
        reason=pl.lit(None, dtype=pl.String),
        smtp_code="smtp_code",
        status="status",
        diagnostic="diagnostic",
        source=pl.lit("esp"),
        source_ref=pl.format("events.csv:{}", pl.col("i") + 2),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    events.cast(EVENT_SCHEMA).write_parquet(path)  # type: ignore[arg-type]


def on_engine(
    engine_name: str, path: Path, master: str | None
) -> tuple[dict[str, object], dict[str, float]]:
    """The three stages through the pipeline layer's engine, as the commands run them
    (the suppression decisions without a state folder: `build_state` of each engine)."""
    from deliverability.limits.profile import load_profile
    from deliverability.periods import previous_week, resolve_week
    from deliverability.pipeline.engines import engine_named
    from deliverability.pipeline.jobs import GROUPS
    from deliverability.suppression.state import build_state, empty_history

    engine = engine_named(engine_name, master)
    times: dict[str, float] = {}
    start = time.perf_counter()
    loaded = engine.load([str(path)], TIMEZONE)
    week = resolve_week(loaded.weeks(), None)
    tables = {
        by: loaded.weekly_rates(grouping, week, previous_week(week))
        for by, grouping in GROUPS.items()
    }
    times["rates"] = time.perf_counter() - start
    start = time.perf_counter()
    if engine_name == "spark":
        from deliverability.spark import suppression

        state = suppression.build_state(loaded.events, empty_history())  # type: ignore[attr-defined]
    else:
        state = build_state(loaded.events.lazy(), empty_history())  # type: ignore[attr-defined]
    times["suppression"] = time.perf_counter() - start
    start = time.perf_counter()
    result = loaded.replay(load_profile(PROFILE))
    times["replay"] = time.perf_counter() - start
    loaded.release()
    return {"rates": tables, "state": state, "replay": result.sends}, times


def same(left: dict[str, object], right: dict[str, object]) -> bool:
    rates_equal = all(
        left["rates"][by].equals(right["rates"][by].cast(left["rates"][by].schema))  # type: ignore[index]
        for by in ("domain", "provider")
    )
    state_equal = left["state"].equals(right["state"])  # type: ignore[attr-defined]
    replay_equal = left["replay"].equals(right["replay"])  # type: ignore[attr-defined]
    print(f"identical: rates {rates_equal}, suppression {state_equal}, replay {replay_equal}")
    return rates_equal and state_equal and replay_equal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    os.environ.setdefault("DELIVERABILITY_SPARK_MEMORY", "12g")
    path = DATA / f"spark-events-{args.events}.parquet"
    if not path.exists():
        started = time.perf_counter()
        generate(args.events, path)
        print(f"generated {path.name} in {time.perf_counter() - started:.0f} s")
    n = pl.scan_parquet(path).select(pl.len()).collect().item()
    print(f"events: {n:,}  ({path.stat().st_size / 2**20:,.0f} MiB Parquet)")

    polars_result, polars_times = on_engine("polars", path, None)
    spark_result, spark_times = on_engine("spark", path, args.master)
    print(f"{'stage':<40}{'polars':>10}{'spark ' + args.master:>22}{'ratio':>8}")
    labels = {
        "rates": "load + classify + weekly rates (2x)",
        "suppression": "suppression decisions",
        "replay": f"replay per account ({PROFILE})",
    }
    for key, label in labels.items():
        ratio = spark_times[key] / polars_times[key]
        print(f"{label:<40}{polars_times[key]:>9.1f}s{spark_times[key]:>21.1f}s{ratio:>7.1f}x")
    total_polars, total_spark = sum(polars_times.values()), sum(spark_times.values())
    print(
        f"{'total':<40}{total_polars:>9.1f}s{total_spark:>21.1f}s{total_spark / total_polars:>7.1f}x"
    )
    ok = same(polars_result, spark_result)

    cores = (
        int(args.master[6:-1])
        if args.master.startswith("local[") and args.master[6:-1].isdigit()
        else os.cpu_count() or 1
    )
    per_core = n / total_spark / cores
    print(
        f"\nSpark throughput here: {n / total_spark:,.0f} events/s on {cores} cores, "
        f"{per_core:,.0f} events/s per core (all three stages)."
    )
    headroom = 2  # shuffles cross the network on a cluster; stragglers
    for weekly in (100_000_000, 500_000_000, 2_000_000_000):
        needed = weekly * headroom / (per_core * 3600)
        print(
            f"  {weekly:>13,} events a week within 1 hour: about {max(2, round(needed + 0.5)):,} "
            f"executor cores with 4 GB each (measured rate per core, {headroom}x headroom)"
        )
    sends = spark_result["replay"]
    per_send = sends.estimated_size() / max(1, sends.height)  # type: ignore[attr-defined]
    print(
        f"  driver: the per-send replay result takes about {per_send:,.0f} bytes per send in "
        f"memory ({sends.height:,} sends here: {sends.estimated_size() / 2**20:,.0f} MiB); "  # type: ignore[attr-defined]
        "rates and suppression state are one row per domain or address"
    )
    if not ok:
        raise SystemExit("the engines disagree")


if __name__ == "__main__":
    main()
