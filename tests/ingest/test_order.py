"""Loaded events come out sorted by time and reference, whatever the files' order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from deliverability.classify.vectorized import classify_events, classify_frame
from deliverability.ingest import in_time_order
from deliverability.schema import conform

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def frame(rows: list[tuple[int, int]]) -> pl.DataFrame:
    """Events at T0 + seconds with references `f.csv:line` (line numbers of any width)."""
    return pl.DataFrame(
        {
            "timestamp": [T0 + timedelta(seconds=s) for s, _ in rows],
            "source_ref": [f"f.csv:{line}" for _, line in rows],
            "recipient": [f"a{line}@x.de" for _, line in rows],
        }
    )


def test_ties_across_line_number_widths_are_put_in_reference_order():
    # "f.csv:10" sorts before "f.csv:9": the run at second 1 is out of order, the rest not
    events = frame([(0, 8), (1, 9), (1, 10), (2, 11), (3, 12)])
    result = in_time_order(events)
    assert result.get_column("source_ref").to_list() == [
        "f.csv:8", "f.csv:10", "f.csv:9", "f.csv:11", "f.csv:12",
    ]  # fmt: skip
    assert result.equals(events.sort("timestamp", "source_ref", maintain_order=True))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(1, 200)), max_size=40), st.booleans())
def test_in_time_order_equals_a_full_sort(rows, chronological):
    if chronological:
        rows = sorted(rows, key=lambda row: row[0])
    events = frame(rows)
    expected = events.sort("timestamp", "source_ref", maintain_order=True)
    assert in_time_order(events).equals(expected)


def test_classify_frame_keeps_the_row_order():
    events = conform(
        pl.DataFrame(
            {
                "timestamp": [T0 + timedelta(seconds=s) for s in range(4)],
                "recipient": ["a@x.de", "b@x.de", "c@x.de", "d@x.de"],
                "event": ["sent", "bounced", "delivered", "deferred"],
                "diagnostic": [None, "550 5.1.1 user unknown", None, "451 4.7.1 try later"],
                "source_ref": [f"f.csv:{i}" for i in range(2, 6)],
            }
        )
    )
    classified = classify_frame(events)
    assert classified.get_column("source_ref").to_list() == events["source_ref"].to_list()
    assert classified.get_column("status").to_list() == [None, "5.1.1", None, "4.7.1"]
    assert classified.get_column("bounce_type").to_list() == [None, "hard", None, None]
    reordered = classify_events(events.lazy()).collect().sort("source_ref")
    assert classified.sort("source_ref").equals(reordered)
