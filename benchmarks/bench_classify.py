"""Benchmark: vectorized classification of log rows vs. a per-row Python loop, same rules.

In one run:
1. builds `--rows` (default 10,000,000) failure rows with realistic, almost always unique
   diagnostics (`diagnostic_templates.py`) and times `classify_codes` on all of them;
2. times the per-row loop (`classify.codes.reason_of` for each row) on the first
   `--loop-rows` (default 200,000) rows and the vectorized path on the same rows;
3. checks that both give identical reasons on those rows, and prints the speed-up.

Goals (issue 3): 10 million rows in under 20 s on this 2-core machine, and at least 10× the
per-row loop.

Usage: .venv/bin/python benchmarks/bench_classify.py [--rows 10000000] [--loop-rows 200000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from diagnostic_templates import diagnostics_frame  # noqa: E402

from deliverability.classify.codes import reason_of  # noqa: E402
from deliverability.classify.vectorized import classify_codes  # noqa: E402


def vectorized(frame: pl.DataFrame) -> tuple[list[str], float]:
    start = time.perf_counter()
    result = classify_codes(frame.lazy()).collect()
    return result["_reason"].to_list(), time.perf_counter() - start


def per_row(frame: pl.DataFrame) -> tuple[list[str], float]:
    start = time.perf_counter()
    reasons = [
        reason_of(status, reply, diagnostic)
        for status, reply, diagnostic in frame.select(
            "status", "smtp_code", "diagnostic"
        ).iter_rows()
    ]
    return reasons, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--loop-rows", type=int, default=200_000)
    args = parser.parse_args()

    frame = diagnostics_frame(args.rows)
    print(f"rows: {frame.height:,}  distinct diagnostics: {frame['diagnostic'].n_unique():,}")
    _, seconds = vectorized(frame)
    print(
        f"vectorized, all rows: {seconds:.1f} s  ({frame.height / seconds:,.0f} rows/s)  goal < 20 s"
    )

    sample = frame.head(args.loop_rows)
    fast, fast_seconds = vectorized(sample)
    slow, slow_seconds = per_row(sample)
    mismatches = [i for i, (a, b) in enumerate(zip(fast, slow, strict=True)) if a != b]
    print(
        f"per-row loop, {sample.height:,} rows: {slow_seconds:.1f} s  ({sample.height / slow_seconds:,.0f} rows/s)"
    )
    print(
        f"vectorized, same rows: {fast_seconds:.2f} s  ({sample.height / fast_seconds:,.0f} rows/s)"
    )
    print(f"speed-up: {slow_seconds / fast_seconds:.1f}×  goal ≥ 10×")
    print(f"identical reasons: {'yes' if not mismatches else f'NO, {len(mismatches)} differ'}")
    for index in mismatches[:10]:
        print("  ", sample.row(index), "vectorized:", fast[index], "loop:", slow[index])
    if mismatches:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
