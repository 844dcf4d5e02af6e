"""The fuzz and fault suites, long: thousands of examples per target instead of `./dev test`'s
few dozen, with fresh random inputs each run (not the fixed ones of the test run).

    .venv/bin/python benchmarks/fuzz_long.py                 # 2,000 examples per target
    .venv/bin/python benchmarks/fuzz_long.py --examples 20000

Prints the command it ran, the examples per target, the time and the outcome; exit status 0
only if every target passed. A failing input is printed by hypothesis in full: add it to the
test as an `@example` when the cause is fixed.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=2000, help="examples per target")
    parser.add_argument(
        "--with-faults",
        action="store_true",
        help="also the fault suite with its slow cases (kill -9 at many points)",
    )
    args = parser.parse_args()
    selection = ["tests", "-m", "fuzz"]
    if args.with_faults:
        selection = ["tests", "-m", "fuzz or faults"]
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *selection]
    environment = {
        **os.environ,
        "DELIVERABILITY_FUZZ_EXAMPLES": str(args.examples),
        "DELIVERABILITY_FUZZ_RANDOM": "1",
    }
    print("Befehl:", f"DELIVERABILITY_FUZZ_EXAMPLES={args.examples}", *command, flush=True)
    started = time.monotonic()
    status = subprocess.call(command, cwd=PROJECT, env=environment)
    elapsed = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"{args.examples} Beispiele je Ziel, {elapsed:.0f} s, Spitzenspeicher {peak:.0f} MiB: "
        + ("bestanden" if status == 0 else "FEHLGESCHLAGEN")
    )
    return status


if __name__ == "__main__":
    raise SystemExit(main())
