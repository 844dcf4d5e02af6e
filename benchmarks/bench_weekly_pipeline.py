"""Benchmark: load + classify + per-domain weekly rates, project vs. a plain pandas baseline.

Generates a scaled sample (default: 10 × the bundled sample, about 700,000 events) with the
project's generator, then times in one run
- the project: `load_events` (validation, rejects, classification) → `message_outcomes` →
  `weekly_rates` per domain;
- a baseline: pandas `read_csv` (pyarrow engine) and groupby over the same files computing
  sent / hard / soft per domain for the last week, without validation or classification;
and checks that both give the same sent/hard/soft counts per domain.

Usage: .venv/bin/python benchmarks/bench_weekly_pipeline.py [--scale 10]
"""

from __future__ import annotations

import argparse
import gzip
import time
import tracemalloc
from pathlib import Path

import idna
import pandas as pd

from deliverability.ingest import load_events
from deliverability.outcomes import message_outcomes
from deliverability.rates import weekly_rates
from deliverability.sample import write_sample

DATA = Path(__file__).resolve().parent / "data"


def project(paths: list[Path], week: str, previous: str) -> pd.DataFrame:
    events = load_events(paths).events
    messages = message_outcomes(events.lazy(), "Europe/Berlin")
    frame = weekly_rates(messages, "recipient_domain", week, previous).collect()
    return frame.select("recipient_domain", "sent", "hard", "soft").to_pandas()


def baseline(paths: list[Path], week: str) -> pd.DataFrame:
    frames = []
    for path in paths:
        with gzip.open(path, "rb") as handle:
            header = handle.read(400)
        sep = ";" if header.count(b";") > header.count(b",") else ","
        encoding = "cp1252" if sep == ";" else "utf-8"
        frame = pd.read_csv(
            path,
            sep=sep,
            encoding=encoding,
            dtype=str,
            engine="python" if sep == ";" else "pyarrow",
            on_bad_lines="skip",
        )
        frames.append(frame)
    df = pd.concat(frames, ignore_index=True)
    ts = pd.to_datetime(df["timestamp"], format="ISO8601", errors="coerce", utc=True)
    german = pd.to_datetime(df["timestamp"], format="%d.%m.%Y %H:%M:%S", errors="coerce")
    german = german.dt.tz_localize(
        "Europe/Berlin", ambiguous="NaT", nonexistent="NaT"
    ).dt.tz_convert("UTC")
    df["ts"] = ts.fillna(german)
    df = df.dropna(subset=["ts", "recipient"])
    df = df[df["recipient"].str.contains("@")]
    df["domain"] = df["recipient"].str.rsplit("@", n=1).str[-1].str.lower()
    unique = {
        d: idna.encode(d, uts46=True).decode() if not d.isascii() else d
        for d in df["domain"].unique()
    }
    df["domain"] = df["domain"].map(unique)
    df["key"] = df["message_id"].fillna("") + "|" + df["recipient"]
    first = df.groupby("key")["ts"].transform("min").dt.tz_convert("Europe/Berlin")
    iso = first.dt.isocalendar()
    df["week"] = iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
    df = df[df["week"] == week]
    per_message = df.groupby(["key", "domain"]).agg(
        sent=("event", lambda e: e.isin(["sent", "delivered", "deferred", "bounced"]).any()),
        delivered=("event", lambda e: (e == "delivered").any()),
    )
    bounced = df[df["event"] == "bounced"].groupby("key")["bounce_type"].agg(set)
    per_message = per_message.join(bounced, on="key")
    hard = ~per_message["delivered"] & per_message["bounce_type"].apply(
        lambda s: isinstance(s, set) and "hard" in s
    )
    soft = (
        ~per_message["delivered"]
        & ~hard
        & per_message["bounce_type"].apply(lambda s: isinstance(s, set) and "soft" in s)
    )
    per_message = per_message.assign(hard=hard, soft=soft).reset_index()
    return (
        per_message.groupby("domain")[["sent", "hard", "soft"]]
        .sum()
        .reset_index()
        .rename(columns={"domain": "recipient_domain"})
    )


def timed(label: str, function, *args):
    tracemalloc.start()
    start = time.perf_counter()
    result = function(*args)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"{label:<42} {seconds:8.2f} s   Python-Spitzenspeicher {peak:8.1f} MiB")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    args = parser.parse_args()
    target = DATA / f"scale-{args.scale:g}"
    if not target.exists():
        start = time.perf_counter()
        write_sample(target, scale=args.scale)
        print(f"Daten erzeugt in {time.perf_counter() - start:.1f} s")
    paths = sorted(target.glob("events-*.csv.gz"))
    ours, t_ours = timed(
        "Projekt (laden, prüfen, klassifizieren, Raten)", project, paths, "2026-W47", "2026-W46"
    )
    theirs, t_base = timed("pandas-Basis (nur zählen, ohne Prüfung)", baseline, paths, "2026-W47")
    merged = ours.merge(theirs, on="recipient_domain", suffixes=("", "_pandas"))
    same = all(
        (merged[c].astype(int) == merged[f"{c}_pandas"].astype(int)).all()
        for c in ("sent", "hard", "soft")
    ) and len(merged) == len(ours) == len(theirs)
    print(f"Domains: {len(ours)}; Ergebnisse gleich: {'ja' if same else 'NEIN'}")
    print(f"Verhältnis pandas/Projekt: {t_base / t_ours:.2f}×")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
