"""Soft→hard escalation helper: runs of recipient-side soft bounces without a delivery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from deliverability.classify.escalation import escalations

# one letter per event of one address, in time order:
# S soft bounce, mailbox full (counts)   D delivery (resets)
# B hard block of the sender (never counts, never resets)
# U hard "user unknown" (suppresses on its own, not part of a run)
CASES = [
    ("SSSSS", 5, [5]),
    ("SSSS", 5, []),
    ("SSDSSSS", 5, []),
    ("SSDSSSSS", 5, [8]),
    ("SSBSSS", 5, [6]),
    ("SSUSS", 5, []),
    ("SSSSSSSSSS", 5, [5]),  # a run escalates once ...
    ("SSSSSDSSSSS", 5, [5, 11]),  # ... and again after a delivery
    ("SS", 2, [2]),
]
KINDS = {
    "S": ("bounced", "soft", "mailboxfull"),
    "D": ("delivered", None, None),
    "B": ("bounced", "hard", "blocked"),
    "U": ("bounced", "hard", "userunknown"),
}


def _history(pattern: str) -> pl.LazyFrame:
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    rows = [
        {
            "address": "kunde@beispiel.de",
            "timestamp": start + timedelta(days=index),
            "event": KINDS[letter][0],
            "bounce_type": KINDS[letter][1],
            "reason": KINDS[letter][2],
            "source_ref": f"events.csv:{index + 1}",
        }
        for index, letter in enumerate(pattern)
    ]
    return pl.DataFrame(rows).lazy()


@pytest.mark.parametrize(("pattern", "threshold", "escalating_events"), CASES)
def test_escalation_runs(pattern, threshold, escalating_events):
    result = escalations(_history(pattern), threshold).collect()
    assert [int(ref.split(":")[1]) for ref in result["source_ref"]] == escalating_events
    assert result["consecutive_soft"].to_list() == [threshold] * len(escalating_events)


def test_run_start_is_reported():
    result = escalations(_history("DSSBSSS"), 5).collect()
    assert result["run_started"].to_list() == [datetime(2026, 11, 3, 9, tzinfo=UTC)]


def test_threshold_must_be_positive():
    with pytest.raises(ValueError):
        escalations(_history("S"), 0)
