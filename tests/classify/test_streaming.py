"""`classify_in_stream`: the same values as `classify_frame`, batch by batch, rows in order."""

from __future__ import annotations

import polars as pl
import pytest

from deliverability.classify import streaming
from deliverability.classify.rules import use_rules
from deliverability.classify.streaming import classify_in_stream
from deliverability.classify.user_rules import rules_with
from deliverability.classify.vectorized import classify_frame
from deliverability.config import sample_inputs
from deliverability.ingest import load_events


@pytest.fixture(scope="module")
def unclassified() -> pl.DataFrame:
    """The sample's events as the files give them (the bounce mails' texts included)."""
    return load_events(sample_inputs(), classify=False).events


def _in_batches(events: pl.DataFrame, rows: int) -> pl.DataFrame:
    """`classify_in_stream` over `events` handed over in batches of `rows`."""
    parts = [events.slice(start, rows).lazy() for start in range(0, events.height, rows)]
    return classify_in_stream(pl.concat(parts)).collect(engine="streaming")


def test_batches_give_what_the_whole_frame_gives(unclassified):
    expected = classify_frame(unclassified)
    assert not expected.equals(unclassified)  # there are gaps to fill
    for rows in (97, 5_000):
        assert _in_batches(unclassified, rows).equals(expected)


def test_each_distinct_failure_row_is_classified_once(unclassified, monkeypatch):
    classified_rows = []
    original = streaming.classify_failures

    def counting(rows: pl.LazyFrame) -> pl.LazyFrame:
        collected = rows.collect()
        classified_rows.append(collected.height)
        return original(collected.lazy())

    monkeypatch.setattr(streaming, "classify_failures", counting)
    _in_batches(unclassified, 211)
    failures = unclassified.filter(pl.col("event").is_in(["bounced", "deferred", "blocked"]))
    distinct = failures.select(streaming.INPUTS).unique().height
    assert sum(classified_rows) == distinct < failures.height


def test_the_analysts_rules_apply_in_the_stream_as_in_the_frame(unclassified, tmp_path):
    path = tmp_path / "regeln.csv"
    path.write_text("reason,pattern,bounce_type\nblocked,user unknown,soft\n", encoding="utf-8")
    with use_rules(rules_with(path)):
        expected = classify_frame(unclassified)
        got = _in_batches(unclassified, 1_000)
    assert got.equals(expected)
    assert got.filter(pl.col("reason") == "blocked").height > 0
