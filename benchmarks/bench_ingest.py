"""Benchmark: loading 10 million events and computing per-domain rates.

In one run, on the same generated data (a generic CSV of about 1.5 GB, and the same events
as Parquet), it measures "load + per-domain rates" (sends, hard and soft bounces, bounce
rate per recipient domain, after the loader's checks) for:
- the project: `scan_events()` + `rates.domain_event_rates()`, streaming;
- a straightforward pandas implementation (pyarrow CSV engine) of the same checks and counts;
- a hand-written polars streaming query of the same checks and counts, knowing the data's
  formats (the ceiling);
and checks that all three give identical results. Peak memory of the Parquet run is measured
in a fresh process (RSS).

Goals (issue 7): at least 2x faster than pandas; within 1.25x of the hand-written query;
under 1 GB peak memory for 10M events from Parquet.

Usage: .venv/bin/python benchmarks/bench_ingest.py [--events 10000000]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from deliverability.ingest import scan_events  # noqa: E402
from deliverability.rates import domain_event_rates  # noqa: E402
from deliverability.schema import BOUNCE_TYPES, EVENTS  # noqa: E402
from deliverability.taxonomy import REASON_IDS  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
ISO = "%Y-%m-%dT%H:%M:%S%z"


def generate(n: int, csv_path: Path) -> None:
    """n events over four weeks: 5,000 company domains and five large providers."""
    rng = np.random.default_rng(7)
    domains = [f"firma{i:04d}.de" for i in range(5000)] + [
        "gmail.com", "gmx.de", "web.de", "t-online.de", "outlook.com",
    ]  # fmt: skip
    weights = np.concatenate([np.full(5000, 1.0), np.full(5, 2000.0)])
    kinds = ["sent", "delivered", "bounced", "deferred", "opened"]
    frame = pl.DataFrame(
        {
            "t": np.sort(1_793_000_000 + rng.integers(0, 28 * 86400, n)),
            "d": rng.choice(len(domains), n, p=weights / weights.sum()),
            "k": rng.choice(5, n, p=[0.45, 0.4, 0.03, 0.02, 0.10]),
        }
    ).with_row_index("i")
    bounce = pl.col("k") == 2
    frame.select(
        timestamp=pl.from_epoch("t", time_unit="s")
        .dt.replace_time_zone("UTC")
        .dt.convert_time_zone("Europe/Berlin")
        .dt.strftime("%Y-%m-%dT%H:%M:%S%:z"),
        message_id=pl.format("<{}@technik-handel.de>", pl.col("i") // 2),
        sender=pl.lit("newsletter@technik-handel.de"),
        recipient=pl.format(
            "kunde{}@{}",
            pl.col("i") % 100_000,
            pl.col("d").replace_strict(dict(enumerate(domains)), return_dtype=pl.String),
        ),
        event=pl.col("k").replace_strict(dict(enumerate(kinds)), return_dtype=pl.String),
        bounce_type=pl.when(bounce).then(
            pl.when(pl.col("i") % 3 == 0).then(pl.lit("soft")).otherwise(pl.lit("hard"))
        ),
        reason=pl.lit(None, dtype=pl.String),
        smtp_code=pl.when(bounce).then(pl.lit("550")).when(pl.col("k") == 1).then(pl.lit("250")),
        status=pl.when(bounce).then(pl.lit("5.1.1")).when(pl.col("k") == 1).then(pl.lit("2.0.0")),
        diagnostic=pl.when(bounce)
        .then(pl.lit("550 5.1.1 <kunde@x.de>: Recipient address rejected: User unknown"))
        .when(pl.col("k") == 1)
        .then(pl.lit("250 2.0.0 Ok: queued as 4F9D195432C")),
        source=pl.lit("mailjet"),
    ).write_csv(csv_path)


SENDGRID_EVENTS = {"processed": "queued", "delivered": "delivered", "bounce": "bounced",
                   "deferred": "deferred", "open": "opened"}  # fmt: skip


def hand_counts(event: pl.Expr, kind: pl.Expr) -> dict[str, pl.Expr]:
    """The counts per domain, written out by hand (shared by the hand-written queries)."""
    bounced = event == "bounced"
    return {
        "sent": (event == "sent").sum(),
        "delivered": (event == "delivered").sum(),
        "hard": (bounced & (kind == "hard")).sum(),
        "soft": (bounced & (kind == "soft")).sum(),
        "bounced": bounced.sum(),
    }


def write_sendgrid_lines(csv_path: Path, json_path: Path) -> None:
    """The same events as a SendGrid Event Webhook export, one JSON object per line."""
    back = {"sent": "processed", "delivered": "delivered", "bounced": "bounce",
            "deferred": "deferred", "opened": "open"}  # fmt: skip
    (
        pl.scan_csv(csv_path, infer_schema=False)
        .with_row_index("i")
        .select(
            email="recipient",
            timestamp=pl.col("timestamp").str.to_datetime(ISO, time_zone="UTC").dt.epoch("s"),
            event=pl.col("event").replace_strict(back, return_dtype=pl.String),
            sg_event_id=pl.format("ev{}", pl.col("i")),
            sg_message_id=pl.format("{}.filter0001", pl.col("message_id").str.strip_chars("<>")),
            type=pl.when(pl.col("event") == "bounced").then(pl.lit("bounce")),
            status=pl.when(pl.col("event") == "bounced").then(pl.col("status")),
            reason=pl.when(pl.col("event") == "bounced").then(pl.col("diagnostic")),
            response=pl.when(pl.col("event") == "delivered").then(pl.col("diagnostic")),
        )
        .sink_ndjson(json_path)
    )


def project_json(path: Path) -> pl.DataFrame:
    return domain_event_rates(scan_events([path], classify=False)).collect(engine="streaming")


def hand_polars_json(path: Path) -> pl.DataFrame:
    schema = {name: pl.String for name in ("email", "timestamp", "event", "type", "status")}
    event = pl.col("event").replace_strict(SENDGRID_EVENTS, default=None, return_dtype=pl.String)
    kind = pl.when(pl.col("type") == "blocked").then(pl.lit("soft")).otherwise(pl.lit("hard"))
    return (
        pl.scan_ndjson(path, schema=schema)
        .filter(
            pl.col("timestamp").cast(pl.Int64, strict=False).is_not_null()
            & pl.col("email").str.contains("@", literal=True)
            & event.is_not_null()
        )
        .group_by(recipient_domain=pl.col("email").str.split("@").list.last().str.to_lowercase())
        .agg(**hand_counts(event, kind))
        .sort("recipient_domain")
        .collect(engine="streaming")
    )


def pandas_json(path: Path) -> pl.DataFrame:
    frame = pd.read_json(path, lines=True, engine="pyarrow")
    event = frame["event"].map(SENDGRID_EVENTS)
    valid = frame["timestamp"].notna() & frame["email"].str.contains("@") & event.notna()
    good, event = frame[valid], event[valid]
    bounced = event == "bounced"
    hard = bounced & (good["type"].fillna("bounce") != "blocked")
    counts = (
        pd.DataFrame(
            {
                "recipient_domain": good["email"].str.rsplit("@", n=1).str[-1].str.lower(),
                "sent": event == "sent",
                "delivered": event == "delivered",
                "hard": hard,
                "soft": bounced & ~hard,
                "bounced": bounced,
            }
        )
        .groupby("recipient_domain", as_index=False)
        .sum()
    )
    return pl.from_pandas(counts).sort("recipient_domain")


def project(path: Path) -> pl.DataFrame:
    events = scan_events([path], classify=False)
    return domain_event_rates(events).collect(engine="streaming")


def hand_polars(path: Path) -> pl.DataFrame:
    """The same checks and counts, written for this data's known formats."""
    frame = pl.scan_csv(path, infer_schema=False)
    domain = pl.col("recipient").str.split("@").list.last().str.to_lowercase()
    event, kind = pl.col("event"), pl.col("bounce_type")
    valid = (
        pl.col("timestamp").str.to_datetime(ISO, strict=False).is_not_null()
        & pl.col("recipient").str.contains("@", literal=True)
        & event.is_in(list(EVENTS))
        & (kind.is_null() | kind.is_in(list(BOUNCE_TYPES)))
        & (pl.col("reason").is_null() | pl.col("reason").is_in(list(REASON_IDS)))
        & (pl.col("smtp_code").is_null() | pl.col("smtp_code").str.contains(r"^[2-5]\d\d$"))
        & (pl.col("status").is_null() | pl.col("status").str.contains(r"^[245]\.\d{1,3}\.\d{1,3}$"))
    )
    return (
        frame.filter(valid)
        .group_by(recipient_domain=domain)
        .agg(**hand_counts(event, kind))
        .with_columns(bounce_rate=pl.col("bounced") / (pl.col("delivered") + pl.col("bounced")))
        .sort("recipient_domain")
        .collect(engine="streaming")
    )


def pandas_version(path: Path) -> pl.DataFrame:
    """The same checks and counts with pandas (pyarrow CSV engine)."""
    frame = pd.read_csv(path, engine="pyarrow", dtype=str, keep_default_na=False, na_values=[""])
    stamp = pd.to_datetime(frame["timestamp"], format=ISO, utc=True, errors="coerce")
    smtp = frame["smtp_code"]
    status = frame["status"]
    valid = (
        stamp.notna()
        & frame["recipient"].str.contains("@", regex=False, na=False)
        & frame["event"].isin(EVENTS)
        & (frame["bounce_type"].isna() | frame["bounce_type"].isin(BOUNCE_TYPES))
        & (frame["reason"].isna() | frame["reason"].isin(REASON_IDS))
        & (smtp.isna() | smtp.str.fullmatch(r"[2-5]\d\d", na=False))
        & (status.isna() | status.str.fullmatch(r"[245]\.\d{1,3}\.\d{1,3}", na=False))
    )
    good = frame[valid]
    domain = good["recipient"].str.rsplit("@", n=1).str[-1].str.lower()
    bounced = good["event"] == "bounced"
    counts = (
        pd.DataFrame(
            {
                "recipient_domain": domain,
                "sent": good["event"] == "sent",
                "delivered": good["event"] == "delivered",
                "hard": bounced & (good["bounce_type"] == "hard"),
                "soft": bounced & (good["bounce_type"] == "soft"),
                "bounced": bounced,
            }
        )
        .groupby("recipient_domain", as_index=False)
        .sum()
    )
    counts["bounce_rate"] = counts["bounced"] / (counts["delivered"] + counts["bounced"])
    return pl.from_pandas(counts).sort("recipient_domain")


def _same(a: pl.DataFrame, b: pl.DataFrame) -> bool:
    cols = ["recipient_domain", "sent", "delivered", "hard", "soft", "bounced"]
    return (
        a.select(cols)
        .cast({c: pl.Int64 for c in cols[1:]})
        .equals(b.select(cols).cast({c: pl.Int64 for c in cols[1:]}))
    )


def timed(function, path: Path, repeat: int = 2) -> tuple[float, pl.DataFrame]:
    """The best of `repeat` runs (the first one also pays for imports and warm-up)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        begin = time.perf_counter()
        result = function(path)
        best = min(best, time.perf_counter() - begin)
    assert result is not None
    return best, result


def print_figures(
    t_project: float,
    t_hand: float,
    t_pandas: float,
    ours: pl.DataFrame,
    hand: pl.DataFrame,
    theirs: pl.DataFrame,
) -> None:
    same = "yes" if _same(ours, hand) and _same(ours, theirs) else "NO"
    print(f"project (scan_events + domain_event_rates): {t_project:6.2f} s")
    print(
        f"hand-written polars streaming query:        {t_hand:6.2f} s  "
        f"project/hand = {t_project / t_hand:.2f} (goal <= 1.25)"
    )
    print(
        f"pandas (pyarrow engine):                    {t_pandas:6.2f} s  "
        f"pandas/project = {t_pandas / t_project:.2f} (goal >= 2)"
    )
    print(f"identical results: {same}  domains: {ours.height:,}")


def interleaved(first, second, path: Path, rounds: int = 3):
    """Both functions in turns (first, second, first, …), the best time of each: drift of
    the machine affects both alike."""
    best = [float("inf"), float("inf")]
    results: list[pl.DataFrame | None] = [None, None]
    for _ in range(rounds):
        for k, function in enumerate((first, second)):
            begin = time.perf_counter()
            results[k] = function(path)
            best[k] = min(best[k], time.perf_counter() - begin)
    assert results[0] is not None and results[1] is not None
    return (best[0], results[0]), (best[1], results[1])


def parquet_child(path: str) -> None:
    """In a fresh process: the project and the hand-written query on Parquet, then peak RSS."""
    target = Path(path)

    def ours(p: Path) -> pl.DataFrame:
        return domain_event_rates(scan_events([p], classify=False)).collect(engine="streaming")

    def hand(p: Path) -> pl.DataFrame:
        event, kind = pl.col("event"), pl.col("bounce_type")
        return (
            pl.scan_parquet(p)
            .group_by("recipient_domain")
            .agg(**hand_counts(event, kind))
            .sort("recipient_domain")
            .collect(engine="streaming")
        )

    t_ours, result = timed(ours, target)
    t_hand, expected = timed(hand, target)
    same = "yes" if _same(result, expected) else "NO"
    print(f"{t_ours:.2f} {t_hand:.2f} {peak_rss_mib():.0f} {same}")


def peak_rss_mib() -> float:
    """This process's peak resident memory (VmHWM; unlike ru_maxrss it starts anew at exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--parquet-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.parquet_child:
        parquet_child(args.parquet_child)
        return
    DATA.mkdir(parents=True, exist_ok=True)
    csv_path = DATA / f"events-{args.events}.csv"
    if not csv_path.exists():
        generate(args.events, csv_path)
    size = csv_path.stat().st_size / 1e9
    print(f"events: {args.events:,}  CSV: {size:.2f} GB")
    (t_project, ours), (t_hand, hand) = interleaved(project, hand_polars, csv_path)
    t_pandas, theirs = timed(pandas_version, csv_path, repeat=1)
    print("best of three interleaved runs (pandas: one run)")
    print_figures(t_project, t_hand, t_pandas, ours, hand, theirs)
    json_path = DATA / f"sendgrid-{args.events}.jsonl"
    if not json_path.exists():
        write_sendgrid_lines(csv_path, json_path)
    print(f"\nSendGrid JSON lines: {json_path.stat().st_size / 1e9:.2f} GB")
    (t_project, ours), (t_hand, hand) = interleaved(project_json, hand_polars_json, json_path)
    t_pandas, theirs = timed(pandas_json, json_path, repeat=1)
    print_figures(t_project, t_hand, t_pandas, ours, hand, theirs)
    print()
    parquet = DATA / f"events-{args.events}.parquet"
    if not parquet.exists():
        scan_events([csv_path], classify=False).sink_parquet(parquet)
    child = subprocess.run(
        [sys.executable, __file__, "--parquet-child", str(parquet)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    t_ours, t_hand, peak, same = child.stdout.split()
    print(
        f"from Parquet ({parquet.stat().st_size / 1e9:.2f} GB): project {float(t_ours):.2f} s, "
        f"hand-written {float(t_hand):.2f} s (project/hand = {float(t_ours) / float(t_hand):.2f}), "
        f"identical: {same}; peak RSS {float(peak):,.0f} MiB (goal < 1,024 MiB)"
    )


if __name__ == "__main__":
    main()
