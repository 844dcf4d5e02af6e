"""Benchmark: `deliverability classify FOLDER` against Sisimai on the same 2,500 bounce mails.

Both run as a user runs them, start-up, reading and writing the output included:
- the project: `deliverability classify FOLDER > verdicts.jsonl` (JSON lines; many mails are
  spread over all cores);
- the baseline: Sisimai, the long-standing open-source bounce classifier (Debian package
  `libsisimai-perl`), `perl -MSisimai -e 'print Sisimai->dump($ARGV[0])' FOLDER > out.json`.

The folder holds 2,500 files cycled from a corpus folder of `*.eml` files (`--corpus`; by default
the development corpus beside the checkout, an extract of Sisimai's public set-of-emails,
https://github.com/sisimai/set-of-emails); without it, the mails of the bundled sample's bounce
mailbox.
Each command runs `--runs` times, alternating; the medians are compared.

Goal (issue 14): the project at least 2× faster than Sisimai.

Usage: .venv/bin/python benchmarks/bench_classify_cli.py [--corpus DIR] [--mails 2500] [--runs 5]
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "bounces"
CLI = Path(sys.executable).with_name("deliverability")
SISIMAI = ["perl", "-MSisimai", "-e", "print Sisimai->dump($ARGV[0])"]


def _sources(corpus: Path) -> tuple[str, list[bytes]]:
    """The mails to cycle and where they come from: the corpus, else the sample mailbox."""
    files = sorted(corpus.glob("*.eml"))
    if files:
        return f"corpus {corpus}", [path.read_bytes() for path in files]
    sys.path.insert(0, str(ROOT))
    from deliverability.bounces.sources import split_mbox

    mbox = next((ROOT / "data" / "sample").glob("bounces-*.mbox.gz"))
    return "sample mailbox", split_mbox(gzip.decompress(mbox.read_bytes()))


def build_folder(folder: Path, corpus: Path, count: int) -> str:
    origin, sources = _sources(corpus)
    for index in range(count):
        (folder / f"{index:05d}.eml").write_bytes(sources[index % len(sources)])
    return origin


def timed(command: list[str], out: Path) -> float:
    start = time.perf_counter()
    with out.open("wb") as handle:
        subprocess.run(command, stdout=handle, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--mails", type=int, default=2500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if (
        shutil.which("perl") is None
        or subprocess.run(["perl", "-MSisimai", "-e", "1"], capture_output=True).returncode
    ):
        raise SystemExit(
            "Sisimai fehlt: apt-get install libsisimai-perl (der Vergleich braucht es)."
        )
    version = subprocess.run(
        ["perl", "-MSisimai", "-e", "print $Sisimai::VERSION"], capture_output=True, text=True
    ).stdout
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "mails"
        folder.mkdir()
        origin = build_folder(folder, args.corpus, args.mails)
        ours_out, theirs_out = Path(temp) / "ours.jsonl", Path(temp) / "sisimai.json"
        ours, theirs = [], []
        for _ in range(args.runs):
            ours.append(timed([str(CLI), "classify", str(folder)], ours_out))
            theirs.append(timed([*SISIMAI, str(folder)], theirs_out))
        records = sum(1 for _ in ours_out.open(encoding="utf-8"))
        sisimai_records = len(json.loads(theirs_out.read_text(encoding="utf-8")))
    ours_median, theirs_median = statistics.median(ours), statistics.median(theirs)
    print(f"mails: {args.mails:,} ({origin}), runs: {args.runs}, medians")
    print(
        f"deliverability classify: {ours_median:6.2f} s  ({args.mails / ours_median:,.0f} "
        f"mails/s, {records:,} records)"
    )
    print(
        f"Sisimai {version:<15} {theirs_median:6.2f} s  ({args.mails / theirs_median:,.0f} "
        f"mails/s, {sisimai_records:,} records)"
    )
    print(f"speed-up: {theirs_median / ours_median:.2f}×  goal ≥ 2×")


if __name__ == "__main__":
    main()
