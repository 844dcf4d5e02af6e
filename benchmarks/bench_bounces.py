"""Benchmark: bounce-mail classifier accuracy on a labelled corpus, in-sample and set aside.

Scores `deliverability.bounces` on a folder of bounce mails with expected verdicts
(default: the shared development corpus `../shared/corpus/bounces/`, see its README):
- reason accuracy: share of expected recipients whose reason matches (in order per file),
- suppress accuracy: share whose `suppress` equals the expected `hardbounce`.

The corpus is split by a hash of the file name (`corpus_split.is_set_aside`): every file whose
SHA-256 falls into one fifth is *set aside*. Rules are written from documentation and the
development part only; the set-aside part judges them. Its misses are not printed unless
`--show-set-aside` is given, so that nobody writes a rule for one of its files by accident.

Baselines in the same run: the reason from the DSN status code alone (RFC 3463 table, no text
rules), and, for speed, parsing each mail with the standard library's `email` package.

Goals (issue 14): set-aside part within 3 points of the development part, and at least
90 % reason / 97 % suppress.

Usage: .venv/bin/python benchmarks/bench_bounces.py [CORPUS] [--repeat 20] [--show-set-aside]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_split import is_set_aside  # noqa: E402

from deliverability.bounces.parse import classify_mail  # noqa: E402
from deliverability.bounces.sources import RawMail, iter_mails  # noqa: E402
from deliverability.bounces.verdict import BounceVerdict  # noqa: E402
from deliverability.classify.rules import rule_base  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "bounces"


def _base(label: str) -> str:
    return Path(label.split("#", 1)[0]).name


@dataclass
class Score:
    """Hits and misses of one part of the corpus."""

    name: str
    total: int = 0
    reasons: int = 0
    suppress: int = 0
    status_only: int = 0
    misses: list[tuple[str, dict, BounceVerdict | None]] = field(default_factory=list)
    suppress_misses: list[tuple[str, dict, BounceVerdict | None]] = field(default_factory=list)

    def add(self, name: str, entry: dict, verdict: BounceVerdict | None) -> None:
        self.total += 1
        if verdict is not None and verdict.reason == entry["reason"]:
            self.reasons += 1
        else:
            self.misses.append((name, entry, verdict))
        if verdict is not None and int(verdict.suppress) == entry["hardbounce"]:
            self.suppress += 1
        else:
            self.suppress_misses.append((name, entry, verdict))
        if rule_base().status_reason(verdict.status if verdict else None) == entry["reason"]:
            self.status_only += 1

    def summary(self) -> str:
        if not self.total:
            return f"{self.name}: keine Empfänger"
        return (
            f"{self.name:<22} reason {self.reasons / self.total:6.1%} ({self.reasons}/{self.total})"
            f"   suppress {self.suppress / self.total:6.1%} ({self.suppress}/{self.total})"
            f"   status code alone {self.status_only / self.total:6.1%}"
        )

    def print_misses(self) -> None:
        print(f"misses, {self.name} ({len(self.misses)}):")
        for name, entry, verdict in self.misses:
            found = (
                f"{verdict.reason} (status {verdict.status}, rule {verdict.rule})"
                if verdict
                else "nichts"
            )
            print(
                f"  {name}: erwartet {entry['reason']} (status {entry['status']}), erkannt {found}"
            )
        print(f"suppress misses, {self.name} ({len(self.suppress_misses)}):")
        for name, entry, verdict in self.suppress_misses:
            found = f"{verdict.suppress} ({verdict.reason})" if verdict else "nichts"
            print(
                f"  {name}: erwartet {bool(entry['hardbounce'])} ({entry['reason']}), erkannt {found}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=20, help="passes for the speed figure")
    parser.add_argument(
        "--show-set-aside", action="store_true", help="also print the misses of the set-aside part"
    )
    args = parser.parse_args()
    expected_path = args.corpus / "expected.jsonl"
    if not expected_path.exists():
        raise SystemExit(f"Kein Korpus mit expected.jsonl unter {args.corpus}")
    expected = {
        entry["file"]: entry["expected"]
        for entry in map(json.loads, expected_path.read_text().splitlines())
    }
    mails = list(iter_mails(sorted(args.corpus.glob("*.eml"))))
    got: dict[str, list[BounceVerdict]] = defaultdict(list)
    for mail in mails:
        got[_base(mail.file)].extend(classify_mail(mail).verdicts)

    development, set_aside, whole = (
        Score("development part"),
        Score("set-aside part"),
        Score("whole corpus"),
    )
    for name, entries in sorted(expected.items()):
        part = set_aside if is_set_aside(name) else development
        for index, entry in enumerate(entries):
            verdict = got[name][index] if index < len(got[name]) else None
            part.add(name, entry, verdict)
            whole.add(name, entry, verdict)

    print(f"corpus: {args.corpus}  mails: {len(mails)}  expected recipients: {whole.total}")
    for score in (development, set_aside, whole):
        print(score.summary())
    gap = development.reasons / development.total - set_aside.reasons / set_aside.total
    print(
        f"gap development − set aside (reason): {gap:+.1%} points"
        "   goal: ≤ 3 points, set aside ≥ 90 % reason and ≥ 97 % suppress"
    )
    development.print_misses()
    if args.show_set_aside:
        set_aside.print_misses()

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
    )
    print(f"baseline, stdlib email parsing only: {len(raw) / parse_only:,.0f} mails/s")


if __name__ == "__main__":
    main()
