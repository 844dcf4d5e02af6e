"""Benchmark: bounce-mail classifier accuracy and speed on a labelled corpus.

Scores `deliverability.bounces` on a folder of bounce mails with expected verdicts
(default: the shared development corpus `../shared/corpus/bounces/`, see its README):
- reason accuracy: share of expected recipients whose reason matches (in order per file),
- suppress accuracy: share whose `suppress` equals the expected `hardbounce`,
and prints every miss. Baselines in the same run: the reason from the DSN status code alone
(RFC 3463 table, no text rules), and, for speed, parsing each mail with the standard
library's `email` package and nothing else.

Goals (issue 3): reason ≥ 95 %, suppress ≥ 98 %, ≥ 2,000 mails per second on one core.

Usage: .venv/bin/python benchmarks/bench_bounces.py [CORPUS] [--repeat 20]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import time
from collections import defaultdict
from pathlib import Path

from deliverability.bounces.parse import classify_mail
from deliverability.bounces.sources import RawMail, iter_mails
from deliverability.classify.rules import rule_base

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "bounces"


def _base(label: str) -> str:
    return Path(label.split("#", 1)[0]).name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=20, help="passes for the speed figure")
    args = parser.parse_args()
    expected_path = args.corpus / "expected.jsonl"
    if not expected_path.exists():
        raise SystemExit(f"Kein Korpus mit expected.jsonl unter {args.corpus}")
    expected = {
        entry["file"]: entry["expected"]
        for entry in map(json.loads, expected_path.read_text().splitlines())
    }
    mails = list(iter_mails(sorted(args.corpus.glob("*.eml"))))

    got: dict[str, list] = defaultdict(list)
    notes: dict[str, str] = {}
    for mail in mails:
        result = classify_mail(mail)
        got[_base(result.file)].extend(result.verdicts)
        notes[_base(result.file)] = result.note or result.kind

    rules = rule_base()
    total = reason_hits = suppress_hits = status_only_hits = 0
    misses = []
    suppress_misses = []
    for name, entries in sorted(expected.items()):
        for index, entry in enumerate(entries):
            total += 1
            verdict = got[name][index] if index < len(got[name]) else None
            if verdict is not None and verdict.reason == entry["reason"]:
                reason_hits += 1
            else:
                misses.append((name, entry, verdict))
            if verdict is not None and int(verdict.suppress) == entry["hardbounce"]:
                suppress_hits += 1
            else:
                suppress_misses.append((name, entry, verdict))
            if rules.status_reason(verdict.status if verdict else None) == entry["reason"]:
                status_only_hits += 1

    print(f"corpus: {args.corpus}  mails: {len(mails)}  expected recipients: {total}")
    print(f"reason accuracy:   {reason_hits / total:6.1%}  ({reason_hits}/{total})  goal ≥ 95 %")
    print(
        f"suppress accuracy: {suppress_hits / total:6.1%}  ({suppress_hits}/{total})  goal ≥ 98 %"
    )
    print(f"baseline, reason from the status code alone: {status_only_hits / total:6.1%}")
    print(f"misses ({len(misses)}):")
    for name, entry, verdict in misses:
        found = (
            f"{verdict.reason} (status {verdict.status}, suppress {verdict.suppress})"
            if verdict
            else f"nichts ({notes.get(name, '')})"
        )
        print(f"  {name}: erwartet {entry['reason']} (status {entry['status']}), erkannt {found}")

    print(f"suppress misses ({len(suppress_misses)}):")
    for name, entry, verdict in suppress_misses:
        found = f"{verdict.suppress} ({verdict.reason})" if verdict else "nichts"
        print(
            f"  {name}: erwartet {bool(entry['hardbounce'])} ({entry['reason']}), erkannt {found}"
        )

    raw = [RawMail(mail.file, mail.data) for mail in mails] * args.repeat
    start = time.perf_counter()
    for mail in raw:
        email.message_from_bytes(mail.data, policy=email.policy.compat32)
    parse_only = time.perf_counter() - start
    start = time.perf_counter()
    for mail in raw:
        classify_mail(mail)
    seconds = time.perf_counter() - start
    print(
        f"speed: {len(raw) / seconds:,.0f} mails/s on one core ({len(raw):,} mails, {seconds:.2f} s)"
        "  goal ≥ 2,000"
    )
    print(f"baseline, stdlib email parsing only: {len(raw) / parse_only:,.0f} mails/s")


if __name__ == "__main__":
    main()
