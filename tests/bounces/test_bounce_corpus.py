"""Accuracy on the shared development corpus (../shared/corpus/bounces/); skipped without it.

The corpus is split as `benchmarks/bench_bounces.py` splits it (`benchmarks/corpus_split.py`):
one fifth, chosen by a hash of the file name, is set aside and judges the rules (issue 14).
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from deliverability.bounces.parse import classify_mails

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "bounces"
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus_split import is_set_aside  # noqa: E402

pytestmark = pytest.mark.skipif(
    not (CORPUS / "expected.jsonl").exists(), reason="shared bounce corpus not available"
)


def _scores() -> dict[str, tuple[float, float]]:
    expected = {
        entry["file"]: entry["expected"]
        for entry in map(json.loads, (CORPUS / "expected.jsonl").read_text().splitlines())
    }
    got = defaultdict(list)
    for result in classify_mails(sorted(CORPUS.glob("*.eml"))):
        got[Path(result.file.split("#")[0]).name].extend(result.verdicts)
    counts = {part: [0, 0, 0] for part in ("development", "set_aside", "whole")}
    for name, entries in expected.items():
        part = "set_aside" if is_set_aside(name) else "development"
        for index, entry in enumerate(entries):
            verdict = got[name][index] if index < len(got[name]) else None
            hits = (
                1,
                int(bool(verdict and verdict.reason == entry["reason"])),
                int(bool(verdict and int(verdict.suppress) == entry["hardbounce"])),
            )
            for key in (part, "whole"):
                counts[key] = [a + b for a, b in zip(counts[key], hits, strict=True)]
    return {part: (r / total, s / total) for part, (total, r, s) in counts.items()}


def test_set_aside_part_meets_the_goals_of_issue_14():
    scores = _scores()
    reason, suppress = scores["set_aside"]
    assert reason >= 0.90
    assert suppress >= 0.97
    # the rules are not fitted to the part they were written on
    assert reason >= scores["development"][0] - 0.03


def test_whole_corpus_reason_accuracy():
    assert _scores()["whole"][0] >= 0.95


def test_split_is_one_fifth_and_stable():
    names = sorted(path.name for path in CORPUS.glob("*.eml"))
    aside = [name for name in names if is_set_aside(name)]
    assert 0.15 <= len(aside) / len(names) <= 0.25
    assert is_set_aside("lhost-postfix-01.eml") == is_set_aside("lhost-postfix-01.eml")
