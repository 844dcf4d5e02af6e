"""Accuracy on the shared development corpus (../shared/corpus/bounces/); skipped without it."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from deliverability.bounces.parse import classify_mails

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "bounces"

pytestmark = pytest.mark.skipif(
    not (CORPUS / "expected.jsonl").exists(), reason="shared bounce corpus not available"
)


def test_reason_and_suppress_goals_on_the_development_corpus():
    expected = {
        entry["file"]: entry["expected"]
        for entry in map(json.loads, (CORPUS / "expected.jsonl").read_text().splitlines())
    }
    got = defaultdict(list)
    for result in classify_mails(sorted(CORPUS.glob("*.eml"))):
        got[Path(result.file.split("#")[0]).name].extend(result.verdicts)
    total = reasons = suppress = 0
    for name, entries in expected.items():
        for index, entry in enumerate(entries):
            total += 1
            verdict = got[name][index] if index < len(got[name]) else None
            reasons += bool(verdict and verdict.reason == entry["reason"])
            suppress += bool(verdict and int(verdict.suppress) == entry["hardbounce"])
    assert reasons / total >= 0.95
    assert suppress / total >= 0.98
