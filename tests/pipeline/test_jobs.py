"""The pipeline layer on the polars engine: one load per run, checks before changes, and the
same figures as the analyses it strings together. (Spark gives the same: tests/spark.)"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from deliverability import config
from deliverability.errors import ConfigError
from deliverability.limits.profile import load_profile
from deliverability.limits.replay import replay
from deliverability.limits.sends import load_sends, sends_from_events
from deliverability.outcomes import message_outcomes
from deliverability.periods import previous_week
from deliverability.pipeline.engines import SendsQuery, engine_named
from deliverability.pipeline.jobs import GROUPS, suppression_run, weekly_run
from deliverability.pipeline.polars_engine import PolarsEngine
from deliverability.rates import weekly_rates
from deliverability.suppression.policy import SuppressionPolicy
from deliverability.suppression.store import StateDir

SAMPLE = [str(p) for p in config.sample_inputs()]


def test_weekly_run_gives_the_rates_state_and_replay_of_the_analyses(tmp_path: Path):
    store = StateDir(tmp_path / "state")
    run = weekly_run(
        PolarsEngine(),
        SAMPLE,
        week=None,
        timezone=config.DEFAULT_TIMEZONE,
        store=store,
        policy=SuppressionPolicy(),
        profile_name="zendesk-sell",
    )
    assert run.week == "2026-W47"  # the latest week of the sample
    events = PolarsEngine().load(SAMPLE, config.DEFAULT_TIMEZONE)
    messages = message_outcomes(events.events.lazy(), config.DEFAULT_TIMEZONE)
    for name, grouping in GROUPS.items():
        expected = weekly_rates(messages, grouping, "2026-W47", previous_week("2026-W47"))
        assert run.rates[name].equals(expected.collect())
    assert run.state is not None and run.state.equals(store.state())
    assert run.state.filter(pl.col("status") == "suppressed").height > 100
    expected_replay = replay(sends_from_events(events.events), load_profile("zendesk-sell"))
    assert run.replay is not None and run.replay.sends.equals(expected_replay.sends)
    assert run.replay.sends.height > 5000
    assert run.rejects.height == 3  # the defective lines of the W47 export


def test_a_changed_policy_is_refused_before_the_state_folder_changes(tmp_path: Path):
    store = StateDir(tmp_path / "state")
    first = suppression_run(PolarsEngine(), SAMPLE[:1], store, SuppressionPolicy(), timezone="UTC")
    events_file = next(store.path.glob("*.parquet"))
    before = {p.name: p.read_bytes() for p in store.path.iterdir() if p.is_file()}
    with pytest.raises(ConfigError):
        weekly_run(
            PolarsEngine(),
            SAMPLE,
            week=None,
            timezone="UTC",
            store=store,
            policy=SuppressionPolicy(consecutive_soft=2),
        )
    after = {p.name: p.read_bytes() for p in store.path.iterdir() if p.is_file()}
    assert after == before and events_file.exists()
    again = suppression_run(PolarsEngine(), [], store, SuppressionPolicy(), timezone="UTC")
    assert again.state.equals(first.state) and again.rejects.is_empty()


def test_an_unknown_week_names_the_weeks_there_are():
    with pytest.raises(ConfigError, match="2026-W44, 2026-W45, 2026-W46, 2026-W47"):
        weekly_run(PolarsEngine(), SAMPLE, week="2026-W30", timezone=config.DEFAULT_TIMEZONE)


@pytest.mark.parametrize(
    "written", ["2026-W46", "KW 46/2026", "KW46 2026", "46/2026", "kw 46 / 2026"]
)
def test_a_week_is_taken_as_every_german_output_writes_it(written):
    run = weekly_run(PolarsEngine(), SAMPLE, week=written, timezone=config.DEFAULT_TIMEZONE)
    assert run.week == "2026-W46"


@pytest.mark.parametrize("written", ["KW 46", "46.2026", "2026-W54"])
def test_a_week_that_is_not_one_is_a_german_error_naming_the_forms(written):
    with pytest.raises(ConfigError, match="Kalenderwoche"):
        weekly_run(PolarsEngine(), SAMPLE, week=written, timezone=config.DEFAULT_TIMEZONE)


def test_replay_sends_is_the_replay_of_the_loaded_sends():
    profile = load_profile("zendesk-sell")
    query = SendsQuery(SAMPLE, source="zendesk_sell")
    result, rejects = PolarsEngine().replay_sends(query, profile)
    sends = load_sends(
        [Path(p) for p in SAMPLE],
        profile.timezone,
        need_time=True,
        sender=None,
        source="zendesk_sell",
    )
    assert result.sends.equals(replay(sends.frame, profile).sends)
    assert rejects.equals(sends.rejects)


def test_an_unknown_engine_is_a_german_error():
    with pytest.raises(ConfigError, match="polars"):
        engine_named("duckdb")


@pytest.mark.parametrize("bucket_rows", [1_000_000, 20_000])
def test_message_parts_make_the_same_table_and_let_the_events_go(
    bucket_rows, monkeypatch, tmp_path
):
    """The report's way to the message table: parts that together are the table `messages`
    gives (one part, or one per bucket of messages through temporary Parquet files), and
    afterwards the events are gone while the accounting and the rejects stay."""
    import deliverability.pipeline.polars_engine as engine_module

    expected = PolarsEngine().load(SAMPLE, config.DEFAULT_TIMEZONE).messages
    monkeypatch.setattr(engine_module, "PART_ROWS", bucket_rows)
    events = PolarsEngine().load(SAMPLE, config.DEFAULT_TIMEZONE)
    read, rejected = events.loaded.read, events.loaded.rejects.height
    buckets = -(-events.events.height // bucket_rows)
    parts = [part.collect() for part in events.message_parts(tmp_path)]
    assert len(parts) == buckets and (buckets == 1) == (bucket_rows == 1_000_000)
    messages = pl.concat(parts)
    order = ["message_key", "recipient"]
    assert messages.sort(order).equals(expected.sort(order))
    assert events.events.height == 0
    assert (events.loaded.read, events.loaded.rejects.height) == (read, rejected) and read > 0
