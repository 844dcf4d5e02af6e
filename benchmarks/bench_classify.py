"""Benchmark: vectorized classification of log rows vs. a per-row Python loop, same rules.

In one run:
1. builds `--rows` (default 10,000,000) failure rows with realistic, almost always unique
   diagnostics (`diagnostic_templates.py`) and times `classify_codes` on all of them;
2. times the vectorized path on the first `--loop-rows` (default 200,000) rows and two
   per-row loops over the same rules on the same rows (`classify.codes.decide` per row):
   with Python's `re` module, one pattern after the other (the plain per-row approach), and
   with the RE2 pattern sets the project's scalar path uses;
3. checks that all give identical reasons on those rows, and prints the speed-ups.

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

from deliverability.classify.codes import (  # noqa: E402
    PatternSet,
    decide,
    python_pattern_sets,
)
from deliverability.classify.vectorized import classify_codes  # noqa: E402


def vectorized(frame: pl.DataFrame) -> tuple[list[str], float]:
    start = time.perf_counter()
    result = classify_codes(frame.lazy()).collect()
    return result["_reason"].to_list(), time.perf_counter() - start


def per_row(
    frame: pl.DataFrame, patterns: tuple[PatternSet, PatternSet] | None
) -> tuple[list[str], float]:
    start = time.perf_counter()
    rows = frame.select("status", "smtp_code", "diagnostic").iter_rows()
    reasons = [
        decide(status, reply, text, patterns=patterns).reason for status, reply, text in rows
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
    print(
        f"vectorized, first {sample.height:,} rows: {fast_seconds:.2f} s"
        f"  ({sample.height / fast_seconds:,.0f} rows/s)"
    )
    failed = False
    for title, patterns in (
        ("per-row loop, Python re (one pattern after the other)", python_pattern_sets()),
        ("per-row loop, RE2 pattern sets (the project's scalar path)", None),
    ):
        slow, slow_seconds = per_row(sample, patterns)
        mismatches = [i for i, (a, b) in enumerate(zip(fast, slow, strict=True)) if a != b]
        identical = "yes" if not mismatches else f"NO, {len(mismatches)} differ"
        print(f"{title}: {slow_seconds:.1f} s  ({sample.height / slow_seconds:,.0f} rows/s)")
        print(
            f"  vectorized is {slow_seconds / fast_seconds:.1f}× faster (goal ≥ 10×); "
            f"identical reasons: {identical}"
        )
        for index in mismatches[:10]:
            print("  ", sample.row(index), "vectorized:", fast[index], "loop:", slow[index])
        failed = failed or bool(mismatches)
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
