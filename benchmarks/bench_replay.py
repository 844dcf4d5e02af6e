"""Benchmark: replaying 10 million sends against an account profile (minute, hour, day, burst).

In one run, on the same generated sends, for two data sets:
- "mixed": a year of steady sending with campaign bursts (some sends wait);
- "all delayed": every send requested at the same second (every send but the first waits);
it times the project's `replay()` (the full API: frame in, frame out) and a straightforward
reference (a per-send loop with a deque per rule), checks that both give identical send
times, outcomes and deciding rules, and reports peak memory (RSS of this process).

Goals (issue 4): linear; the project at least 3x faster than the reference in both data
sets; peak memory under 2 GB.

Usage: .venv/bin/python benchmarks/bench_replay.py [--sends 10000000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from deliverability.limits.constraints import constraints_of  # noqa: E402
from deliverability.limits.profile import Profile, Rule  # noqa: E402
from deliverability.limits.replay import replay  # noqa: E402
from deliverability.limits.sends import SENDS_SCHEMA  # noqa: E402

PROFILE = Profile(
    "Benchmark: Minute, Stunde, Tag und Burst",
    (
        Rule(index=1, window=60, limit=200, burst=200, on_exceed="delay"),
        Rule(index=2, window=3600, limit=5_000, on_exceed="delay"),
        Rule(index=3, window=86400, limit=50_000, on_exceed="delay"),
    ),
)
START = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())


def mixed_times(n: int, rng: np.random.Generator) -> np.ndarray:
    """Steady sending over a year plus campaign bursts of 500 to 20,000 at one second."""
    steady = START + rng.integers(0, 365 * 86400, size=n * 7 // 10)
    bursts = []
    remaining = n - len(steady)
    while remaining > 0:
        size = min(remaining, int(rng.integers(500, 20_000)))
        bursts.append(np.full(size, START + int(rng.integers(0, 365 * 86400))))
        remaining -= size
    return np.sort(np.concatenate([steady, *bursts]))


def reference(requested: np.ndarray) -> tuple[list[int], list[int]]:
    """Per send: wait in a deque per rule until every window has room (FIFO, one queue)."""
    limits = [(c.window, c.limit, c.rule.index) for c in constraints_of(PROFILE)]
    queues: list[deque[int]] = [deque() for _ in limits]
    sent: list[int] = []
    rules: list[int] = []
    previous, previous_rule = -(2**62), 0
    for r in requested.tolist():
        t0 = r if r > previous else previous
        t = t0
        imposed = [0] * len(limits)
        changed = True
        while changed:
            changed = False
            for k, (window, limit, _) in enumerate(limits):
                queue = queues[k]
                while queue and queue[0] <= t - window:
                    queue.popleft()
                while len(queue) >= limit:
                    t = queue[0] + window
                    imposed[k] = t
                    changed = True
                    while queue and queue[0] <= t - window:
                        queue.popleft()
        for queue in queues:
            queue.append(t)
        if t == r:
            rule = 0
        elif t > t0:
            rule = next(limits[k][2] for k in range(len(limits)) if imposed[k] == t)
        else:
            rule = previous_rule
        sent.append(t)
        rules.append(rule)
        previous, previous_rule = t, rule
    return sent, rules


def frame_of(requested: np.ndarray) -> pl.DataFrame:
    n = len(requested)
    return (
        pl.DataFrame({"_t": requested})
        .select(
            requested_at=pl.from_epoch("_t", time_unit="s").dt.replace_time_zone("UTC"),
            message_id=pl.int_range(0, n).cast(pl.String),
            recipient=pl.lit("kunde@beispiel.de", dtype=pl.String),
            recipients=pl.lit(1, dtype=pl.Int64),
            account=pl.lit("", dtype=pl.String),
        )
        .cast(dict(SENDS_SCHEMA))  # type: ignore[arg-type]
    )


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_project(requested: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, int]:
    frame = frame_of(requested)
    begin = time.perf_counter()
    result = replay(frame, PROFILE)
    seconds = time.perf_counter() - begin
    sent = result.sends["sent_at"].dt.epoch("s").to_numpy()
    rules = result.sends["rule_index"].to_numpy()
    return seconds, sent, rules, result.count("delayed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=10_000_000)
    args = parser.parse_args()
    rng = np.random.default_rng(20261123)
    print(f"profile: {', '.join(rule.label for rule in PROFILE.rules)} (all: delay)")
    data = {
        "mixed": mixed_times(args.sends, rng),
        "all delayed": np.full(args.sends, START, dtype=np.int64),
    }
    project = {name: run_project(requested) for name, requested in data.items()}
    project_peak = peak_rss_mib()  # data generation and both project runs, before the reference
    for name, requested in data.items():
        seconds, sent, rules, delayed = project[name]
        begin = time.perf_counter()
        ref_sent, ref_rules = reference(requested)
        baseline = time.perf_counter() - begin
        same = np.array_equal(sent, np.array(ref_sent)) and np.array_equal(
            rules, np.array(ref_rules, dtype=np.int32)
        )
        n = len(requested)
        print(f"{name}: {n:,} sends, {delayed:,} delayed ({delayed / n:.1%})")
        print(f"  project replay():            {seconds:6.1f} s  ({n / seconds:,.0f} sends/s)")
        print(f"  reference (deque per rule):  {baseline:6.1f} s  ({n / baseline:,.0f} sends/s)")
        print(
            f"  project is {baseline / seconds:.1f}x faster (goal >= 3x); "
            f"identical results: {'yes' if same else 'NO'}"
        )
    print(
        f"peak memory (RSS) up to the end of the project runs: {project_peak:,.0f} MiB  goal < 2,048 MiB"
    )
    print(f"peak memory (RSS) with the reference runs: {peak_rss_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
