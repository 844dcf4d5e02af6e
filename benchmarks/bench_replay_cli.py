"""Benchmark: `deliverability replay` as an analyst runs it, against a plain deque program.

It generates one sends CSV (`requested_at,message_id,recipient`; default 1 million sends over
a year: steady sending plus campaign bursts of 500 to 20,000 at one second, ISO times with
offsets) and four limit profiles, one per action: `delay` (minute with burst, hour and day,
rolling), `reject` (hour and 24 hours, rolling), `next_window` (calendar hour and day) and
`lockout` (one hour, rolling, locks for an hour). For each profile it times, each as a fresh
process with start-up, reading and writing included:

- `deliverability replay SENDS.csv --profile P.toml --mode replay --out OUT.csv`;
- the baseline: a plain per-send Python program with a deque per rolling rule and a counter
  per calendar rule, reading with the csv module and writing the same per-send CSV.

Both outputs must be identical (send time, outcome, delay and deciding rule of every send).
Goal (issue 16): the command at least 2x faster than the deque program for every profile.

Usage: .venv/bin/python benchmarks/bench_replay_cli.py [--sends 1000000]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_commands import PYTHON, run  # noqa: E402
from bench_replay import mixed_times  # noqa: E402

from deliverability.limits.profile import load_profile  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
COMMAND = str(ROOT / ".venv" / "bin" / "deliverability")

#: One profile per action: the rules of its TOML file (account scope, messages counted).
PROFILES = {
    "delay": [
        'window = "1m"\nkind = "rolling"\nmax_messages = 200\nburst = 200\non_exceed = "delay"',
        'window = "1h"\nkind = "rolling"\nmax_messages = 5000\non_exceed = "delay"',
        'window = "24h"\nkind = "rolling"\nmax_messages = 50000\non_exceed = "delay"',
    ],
    "reject": [
        'window = "1h"\nkind = "rolling"\nmax_messages = 300\non_exceed = "reject"',
        'window = "24h"\nkind = "rolling"\nmax_messages = 2000\non_exceed = "reject"',
    ],
    "next_window": [
        'window = "1h"\nkind = "calendar"\nmax_messages = 300\non_exceed = "next_window"',
        'window = "24h"\nkind = "calendar"\nmax_messages = 3000\non_exceed = "next_window"',
    ],
    "lockout": [
        'window = "1h"\nkind = "rolling"\nmax_messages = 500\non_exceed = "lockout"\n'
        'lockout = "1h"',
    ],
}

#: The baseline: one pass over the sends in requested order, a deque of send times per
#: rolling rule, a counter per calendar period; the same decisions as the profile semantics
#: (waiting rules first, then a running lockout, then failing rules; failed sends don't count).
DEQUE_PROGRAM = r"""
import csv, json, sys
from collections import deque
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

source, target, spec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
zone = ZoneInfo(spec["timezone"])
rules = spec["rules"]  # [index, label, kind, window, limit, action, lockout]


def period(kind_window, t):
    if kind_window == 3600:
        return t - t % 3600, t - t % 3600 + 3600
    local = datetime.fromtimestamp(t, zone).replace(hour=0, minute=0, second=0, microsecond=0)
    start = local.replace(tzinfo=None)
    return (int(start.replace(tzinfo=zone).timestamp()),
            int((start + timedelta(days=1)).replace(tzinfo=zone).timestamp()))


state = [deque() if kind == "rolling" else [-1, -1, 0] for _, _, kind, *_ in rules]
waiting = [k for k, r in enumerate(rules) if r[5] in ("delay", "next_window")]
failing = [k for k, r in enumerate(rules) if r[5] not in ("delay", "next_window")]
labels = {r[0]: r[1] for r in rules}


def usage(k, t):
    kind, window = rules[k][2], rules[k][3]
    if kind == "rolling":
        times = state[k]
        while times and times[0] <= t - window:
            times.popleft()
        return len(times)
    start, end, used = state[k]
    return used if start <= t < end else 0


def earliest(k, t):
    kind, window, limit = rules[k][2], rules[k][3], rules[k][4]
    if usage(k, t) + 1 <= limit:
        return t
    if kind == "rolling":
        times = state[k]
        return times[len(times) - limit] + window
    return state[k][1]


def fmt(t):
    return datetime.fromtimestamp(t, zone).isoformat()


last_time, last_rule, locked_until, locked_rule = -1, 0, -1, 0
with open(source, newline="", encoding="utf-8") as src, \
        open(target, "w", newline="", encoding="utf-8") as out:
    reader, writer = csv.reader(src), csv.writer(out)
    next(reader)
    writer.writerow(["message_id", "recipient", "requested_at", "sent_at", "outcome",
                     "delay_s", "rule"])
    for when, message_id, recipient in reader:
        requested = datetime.fromisoformat(when)
        r = int(requested.timestamp())
        t = max(r, last_time)
        binding = 0
        for k in waiting:
            e = earliest(k, t)
            if e > t:
                t, binding = e, rules[k][0]
        if locked_until > t:
            writer.writerow([message_id, recipient, fmt(r), "", "blocked", "",
                             labels[locked_rule]])
            continue
        failed = None
        for k in failing:
            if usage(k, t) + 1 > rules[k][4]:
                failed = k
                break
        if failed is not None:
            index, action = rules[failed][0], rules[failed][5]
            if action == "lockout":
                locked_until, locked_rule = t + rules[failed][6], index
            outcome = "blocked" if action == "lockout" else "rejected"
            writer.writerow([message_id, recipient, fmt(r), "", outcome, "", labels[index]])
            continue
        for k, rule in enumerate(rules):
            if rule[2] == "rolling":
                state[k].append(t)
            else:
                if not (state[k][0] <= t < state[k][1]):
                    state[k][:] = [*period(rule[3], t), 0]
                state[k][2] += 1
        rule = (binding or last_rule) if t > r else 0
        writer.writerow([message_id, recipient, fmt(r), fmt(t),
                         "delayed" if t > r else "sent", t - r, labels.get(rule, "")])
        last_time, last_rule = t, rule
"""


def write_sends(n: int, path: Path) -> None:
    times = mixed_times(n, np.random.default_rng(16))
    frame = pl.DataFrame({"t": times}).with_row_index("i")
    frame.select(
        requested_at=pl.from_epoch("t", time_unit="s")
        .dt.replace_time_zone("UTC")
        .dt.convert_time_zone("Europe/Berlin")
        .dt.strftime("%Y-%m-%dT%H:%M:%S%:z"),
        message_id=pl.format("<m{}@news.example.org>", "i"),
        recipient=pl.format("kunde{}@example{}.de", pl.col("i") % 200_000, pl.col("i") % 50),
    ).write_csv(path)


def write_profile(action: str, path: Path) -> dict[str, object]:
    """The profile file and the baseline's description of it."""
    blocks = [f'[[rules]]\nscope = "account"\n{rule}\n' for rule in PROFILES[action]]
    path.write_text(
        f'name = "Benchmark {action}"\ntimezone = "Europe/Berlin"\n\n' + "\n".join(blocks),
        encoding="utf-8",
    )
    profile = load_profile(str(path))
    rules = []
    for rule in profile.rules:
        rules.append(
            [
                rule.index,
                rule.label,
                rule.kind,
                rule.window,
                rule.limit,
                rule.on_exceed,
                rule.lockout or 0,
            ]
        )
        if rule.burst is not None:  # a burst is a rolling one-second limit of the same rule
            rules.append([rule.index, rule.label, "rolling", 1, rule.burst, rule.on_exceed, 0])
    return {"timezone": profile.timezone, "rules": rules}


def same_output(ours: Path, theirs: Path) -> bool:
    read = {"infer_schema": False}
    left = pl.read_csv(ours, **read).fill_null("")
    right = pl.read_csv(theirs, **read).fill_null("")
    return left.columns == right.columns and left.equals(right)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sends", type=int, default=1_000_000)
    args = parser.parse_args()
    folder = DATA / f"replay-{args.sends}"
    folder.mkdir(parents=True, exist_ok=True)
    sends = folder / "sendungen.csv"
    if not sends.exists():
        write_sends(args.sends, sends)
    rows = []
    for action in PROFILES:
        profile = folder / f"profil-{action}.toml"
        spec = write_profile(action, profile)
        ours, theirs = folder / f"ergebnis-{action}.csv", folder / f"deque-{action}.csv"
        baseline = run([PYTHON, "-c", DEQUE_PROGRAM, str(sends), str(theirs), json.dumps(spec)])
        command = [COMMAND, "replay", str(sends), "--profile", str(profile)]
        # the machine form, which the deque program writes too (the German Excel form, the
        # default, formats the same times and words and costs the same)
        command += ["--mode", "replay", "--out", str(ours), "--csv", "standard"]
        measured = run(command)
        equal = same_output(ours, theirs)
        rows.append((action, baseline, measured, equal))
        print(" ".join(command))
    print(
        f"\n{'profile':<12} {'sends':>10} {'deque s':>8} {'command s':>10} {'peak MiB':>9} "
        f"{'speed-up':>9}  identical"
    )
    for action, baseline, measured, equal in rows:
        print(
            f"{action:<12} {args.sends:>10,} {baseline[0]:>8.1f} {measured[0]:>10.1f} "
            f"{measured[1]:>9,.0f} {baseline[0] / measured[0]:>8.1f}x  {equal}"
        )
    if not all(equal for *_, equal in rows):
        raise SystemExit("Die Ergebnisse weichen vom Deque-Programm ab.")


if __name__ == "__main__":
    main()
