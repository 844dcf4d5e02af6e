"""`classify_frame`: the in-memory classifier fills gaps only and leaves the rest as it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from deliverability.classify.rules import use_rules
from deliverability.classify.user_rules import rules_with
from deliverability.classify.vectorized import classify_events, classify_frame
from deliverability.schema import conform

T0 = datetime(2026, 11, 2, 8, tzinfo=UTC)


def _events(**columns: list) -> pl.DataFrame:
    rows = len(columns["event"])
    return conform(
        pl.DataFrame(
            {
                "timestamp": [T0 + timedelta(seconds=s) for s in range(rows)],
                "recipient": [f"r{i}@x.de" for i in range(rows)],
                "source_ref": [f"f.csv:{i + 2}" for i in range(rows)],
                **columns,
            }
        )
    )


FILLED_BY_THE_SOURCE = {
    "event": ["sent", "bounced", "deferred"],
    "status": [None, "5.1.1", "4.2.2"],
    "smtp_code": [None, 550, 452],
    "reason": [None, "mailboxfull", "mailboxfull"],  # the text says otherwise
    "bounce_type": [None, "soft", None],
    "diagnostic": [None, "550 5.1.1 user unknown", "452 4.2.2 mailbox full"],
}


def test_values_the_source_gave_stay_and_the_frame_is_returned_as_it_was():
    events = _events(**FILLED_BY_THE_SOURCE)
    assert classify_frame(events).equals(events)
    # the same as the lazy classifier, which looks at every failure row
    lazy = classify_events(events.lazy()).collect().sort("source_ref")
    assert lazy.equals(events)


def test_one_gap_is_filled_and_nothing_else_changes():
    columns = {name: list(values) for name, values in FILLED_BY_THE_SOURCE.items()}
    columns["reason"][2] = None
    classified = classify_frame(_events(**columns))
    assert classified.get_column("reason").to_list() == [None, "mailboxfull", "mailboxfull"]
    columns["bounce_type"][1] = None  # a bounce without its type
    classified = classify_frame(_events(**columns))
    assert classified.get_column("bounce_type").to_list() == [None, "hard", None]
    assert classified.get_column("status").to_list() == FILLED_BY_THE_SOURCE["status"]
    # only the rows with a gap are classified; the lazy classifier, which looks at every
    # failure row, gives the same
    everything = classify_events(_events(**columns).lazy()).collect().sort("source_ref")
    assert classified.equals(everything)


def test_the_analysts_rules_apply_even_where_the_source_filled_everything(tmp_path):
    path = tmp_path / "regeln.csv"
    path.write_text("reason,pattern,bounce_type\nblocked,user unknown,soft\n", encoding="utf-8")
    with use_rules(rules_with(path)):
        classified = classify_frame(_events(**FILLED_BY_THE_SOURCE))
    assert classified.get_column("reason").to_list() == [None, "blocked", "mailboxfull"]
    assert classified.get_column("bounce_type").to_list() == [None, "soft", None]
