"""Benchmark: the commands as an analyst runs them, against hand-written polars in the same run.

For each size (default 1 and 5 million events) it generates four plain CSV files in the generic
event schema (ISO timestamps with offsets, one week each, as `bench_ingest.generate` makes
them), plus the same events as German Excel exports (`;`, cp1252, German dates, CRLF, gzip),
and times, each as a fresh process (start-up, reading and writing included), with the peak
memory of all its processes together (psutil, sampled every 20 ms):

- `deliverability rates FILES --by domain --week W --out …` against a hand-written polars
  streaming query of the same per-domain figures (messages sent, delivered, hard, soft in the
  week of their first event); goal: at most 3x the query, and 1M events at most a third of
  the time of 5M (no cliff between paths);
- the same command on the German Excel files; goal: at most 1.5x the plain files;
- `deliverability load FILES --out X.parquet` against a hand-written polars CSV → Parquet
  conversion of the same files; goal: at most 2x;
- `deliverability report --input FILES --week W` (with `--report`); goal: at most 10x the
  query and at most 3 GB for all processes, the notebook kernel included.

The figures of `rates` must equal the query's. Each size runs in `--repeat` rounds (default 3),
every baseline and command once per round, in turn, so that both see the same state of the
machine; the table gives the median time of each and the highest peak memory. Usage:
    .venv/bin/python benchmarks/bench_commands.py [--events 1000000 5000000] [--report] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_ingest import generate  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
WEEK = "2026-W46"

#: The hand-written query: per recipient domain, the messages first sent in WEEK (Berlin
#: time) that were sent, delivered, hard- or soft-bounced (in that order of precedence).
QUERY = """
import sys, polars as pl
files, week, out = sys.argv[1:-2], sys.argv[-2], sys.argv[-1]
event, kind = pl.col("event"), pl.col("bounce_type")
messages = (
    pl.scan_csv(files, infer_schema=False)
    .group_by("message_id", "recipient")
    .agg(
        first=pl.col("timestamp").str.to_datetime("%Y-%m-%dT%H:%M:%S%z", time_zone="UTC").min(),
        sent=event.is_in(["sent", "delivered", "deferred", "bounced"]).any(),
        delivered=(event == "delivered").any(),
        hard=((event == "bounced") & (kind == "hard")).any(),
        soft=((event == "bounced") & (kind == "soft")).any(),
    )
    .filter(pl.col("first").dt.convert_time_zone("Europe/Berlin").dt.strftime("%G-W%V") == week)
)
(
    messages.group_by(domain=pl.col("recipient").str.split("@").list.last().str.to_lowercase())
    .agg(
        sent=pl.col("sent").sum(),
        delivered=pl.col("delivered").sum(),
        hard=(~pl.col("delivered") & pl.col("hard")).sum(),
        soft=(~pl.col("delivered") & ~pl.col("hard") & pl.col("soft")).sum(),
    )
    .sort("domain")
    .sink_csv(out)
)
"""

CONVERT = """
import sys, polars as pl
pl.scan_csv(sys.argv[1:-1], infer_schema=False).sink_parquet(sys.argv[-1])
"""


#: The environment of the timed commands: as on an analyst's machine, Python keeps the
#: compiled modules (a shell or CI that sets PYTHONDONTWRITEBYTECODE would make every run of
#: the package compile its changed modules anew, while polars, installed by pip, is compiled).
AS_INSTALLED = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(command: list[str]) -> tuple[float, float]:
    """Seconds and peak memory (MiB, all processes of the run together) of one command."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=AS_INSTALLED
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        root = psutil.Process(process.pid)
        while not done.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree))
            except psutil.Error:
                pass
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, errors = process.communicate()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{errors.decode()[-2000:]}")
    return elapsed, peak / 2**20


def shown(command: list[str]) -> str:
    """The command line as printed: the hand-written programs by name, paths relative."""
    names = {QUERY: "<QUERY above>", CONVERT: "<CONVERT above>"}
    parts = [names.get(part, part).replace(str(ROOT) + "/", "") for part in command]
    return " ".join(parts)


def timed(command: list[str]) -> tuple[float, float]:
    """`run`, printing the command it times."""
    print("$", shown(command), flush=True)
    return run(command)


def prepare(n: int) -> tuple[list[Path], list[Path]]:
    """Four plain CSV files (one week each) and the same as German Excel exports (gzip)."""
    folder = DATA / f"commands-{n}"
    plain = [folder / f"events-{k}.csv" for k in range(4)]
    german = [folder / f"export-{k}.csv.gz" for k in range(4)]
    if all(p.exists() for p in plain + german):
        return plain, german
    folder.mkdir(parents=True, exist_ok=True)
    whole = folder / "all.csv"
    generate(n, whole)
    frame = pl.read_csv(whole, infer_schema=False)
    quarter = frame.height // 4
    for k in range(4):
        part = frame.slice(k * quarter, quarter if k < 3 else frame.height - 3 * quarter)
        part.write_csv(plain[k])
        excel = part.with_columns(
            timestamp=pl.col("timestamp")
            .str.to_datetime("%Y-%m-%dT%H:%M:%S%z", time_zone="UTC")
            .dt.convert_time_zone("Europe/Berlin")
            .dt.strftime("%d.%m.%Y %H:%M:%S")
        ).write_csv(separator=";", line_terminator="\r\n")
        german[k].write_bytes(gzip.compress(excel.encode("cp1252"), compresslevel=6))
    whole.unlink()
    return plain, german


#: The German headers of the rates file (its default form, for German Excel).
GERMAN = {
    "Domain": "domain",
    "versendet": "sent",
    "zugestellt": "delivered",
    "Hardbounces": "hard",
    "Softbounces": "soft",
}


def same_figures(rates_csv: Path, query_csv: Path) -> bool:
    """Whether the rates file (German Excel form: BOM, `;`) has the query's figures."""
    text = rates_csv.read_bytes().removeprefix(b"\xef\xbb\xbf")
    german = pl.read_csv(text, separator=";", infer_schema=False)
    ours = (
        german.select(list(GERMAN))
        .rename(GERMAN)
        .select(
            "domain", *[pl.col(c).cast(pl.Int64) for c in ("sent", "delivered", "hard", "soft")]
        )
    )
    theirs = pl.read_csv(query_csv).select(
        "domain", *[pl.col(c).cast(pl.Int64) for c in ("sent", "delivered", "hard", "soft")]
    )
    return ours.sort("domain").equals(theirs.sort("domain"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--report", action="store_true", help="also time `report`")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="rounds; each round runs every baseline and command once, in turn (default 3)",
    )
    args = parser.parse_args()
    out = DATA / "commands-out"
    out.mkdir(parents=True, exist_ok=True)
    cli = [PYTHON, "-m", "deliverability"]
    print(f"QUERY (baseline of rates and report):{QUERY}\nCONVERT (baseline of load):{CONVERT}")
    print(f"{args.repeat} rounds; each figure is the median of its runs, memory the highest peak")
    rows: list[tuple[str, int, float, float, str]] = []
    rates_time: dict[int, float] = {}
    for n in args.events:
        plain, german = prepare(n)
        files = [str(p) for p in plain]
        query_csv, rates_csv = out / f"query-{n}.csv", out / f"rates-{n}.csv"
        german_csv = out / f"rates-german-{n}.csv"
        rates = [*cli, "rates", *files, "--by", "domain", "--week", WEEK]
        german_rates = [*cli, "rates", *map(str, german), "--by", "domain", "--week", WEEK]
        jobs = {
            "query": [PYTHON, "-c", QUERY, *files, WEEK, str(query_csv)],
            "rates": [*rates, "--out", str(rates_csv)],
            "german": [*german_rates, "--out", str(german_csv)],
            "convert": [PYTHON, "-c", CONVERT, *files, str(out / "hand.parquet")],
            "load": [*cli, "load", *files, "--out", str(out / f"load-{n}.parquet")],
        }
        if args.report:
            jobs["report"] = [
                *cli, "report", "--input", *files, "--week", WEEK, "--out", str(out / "report")
            ]  # fmt: skip
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in jobs}
        for round_number in range(args.repeat):
            for name, command in jobs.items():
                runs[name].append(timed(command) if round_number == 0 else run(command))
        seconds = {name: statistics.median(t for t, _ in done) for name, done in runs.items()}
        memory = {name: max(m for _, m in done) for name, done in runs.items()}
        ok = same_figures(rates_csv, query_csv) and same_figures(german_csv, query_csv)
        query, convert = seconds["query"], seconds["convert"]
        rates_time[n] = seconds["rates"]
        rows += [
            ("hand-written polars query (baseline)", n, query, memory["query"], ""),
            ("deliverability rates", n, seconds["rates"], memory["rates"],
             f"{seconds['rates'] / query:.2f}x query"),
            ("rates, German Excel gzip", n, seconds["german"], memory["german"],
             f"{seconds['german'] / seconds['rates']:.2f}x plain"),
            ("hand-written CSV -> Parquet (baseline)", n, convert, memory["convert"], ""),
            ("deliverability load", n, seconds["load"], memory["load"],
             f"{seconds['load'] / convert:.2f}x convert"),
        ]  # fmt: skip
        if args.report:
            rows.append(
                (
                    "deliverability report",
                    n,
                    seconds["report"],
                    memory["report"],
                    f"{seconds['report'] / query:.2f}x query",
                )
            )
        print(f"{n:,} events: figures of rates equal the query's (plain and German): {ok}")
    print(f"\n{'command':<40}{'events':>12}{'seconds':>10}{'peak MiB':>10}  ratio")
    for name, n, elapsed, peak, ratio in rows:
        print(f"{name:<40}{n:>12,}{elapsed:>10.2f}{peak:>10,.0f}  {ratio}")
    if len(rates_time) >= 2:
        small, large = min(rates_time), max(rates_time)
        share = rates_time[small] / rates_time[large]
        print(
            f"\nrates on {small:,} events takes {share:.2f} of its time on {large:,} (goal ≤ 0.33)"
        )


if __name__ == "__main__":
    main()
