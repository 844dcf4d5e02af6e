"""The send-limit replay on Spark: one group per sender account, replayed by the project's
own code (`limits.replay.replay`) inside the group.

Every rule of a profile applies per account, so accounts are independent and the groups run
in parallel; within an account the sends keep the order the polars path gives them
(requested time, then the first event's reference), which decides who waits at a limit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from deliverability.errors import ConfigError
from deliverability.limits.profile import Profile
from deliverability.limits.replay import OutcomeDtype, ReplayResult, replay
from deliverability.limits.sends import (
    SEND_REQUESTS,
    SENDS_SCHEMA,
    is_sends_csv,
    read_sends_csv,
    send_requests,
)
from deliverability.schema import COLUMNS, EVENT_SCHEMA, REJECTS_SCHEMA
from deliverability.spark.events import collect_rejects, is_remote
from deliverability.spark.frames import (
    arrow_schema,
    collect,
    ddl_names,
    per_bucket,
    to_spark,
    union_all,
)

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

_SENDS_DDL = (
    "requested_at TIMESTAMP, message_id STRING, recipient STRING, recipients BIGINT, "
    "account STRING, _part INT, _time TIMESTAMP, _ref STRING, _row BIGINT"
)
_RESULT_DDL = (
    "message_id STRING, recipient STRING, requested_at TIMESTAMP, sent_at TIMESTAMP, "
    "outcome STRING, delay_s BIGINT, rule STRING, account STRING, recipients BIGINT, "
    "rule_index INT, _part INT, _time TIMESTAMP, _ref STRING, _row BIGINT"
)
#: The order of the sends in the polars path: event sends by requested time, then by their
#: first event; then each sends CSV in file order.
_ORDER = ["_part", "_time", "_ref", "_row"]
_RESULT_COLUMNS = ddl_names(_RESULT_DDL)


def sends_from_events(events: DataFrame) -> DataFrame:
    """One send per message and recipient at its earliest event, account = first sender:
    `limits.sends.send_requests`, run per bucket of messages."""
    from pyspark.sql import functions as F

    requests = per_bucket(
        events.select(*COLUMNS),
        [F.col("message_id"), F.col("recipient")],
        send_requests,
        EVENT_SCHEMA,
        SEND_REQUESTS,
    )
    return requests.select(
        "requested_at",
        "message_id",
        "recipient",
        "recipients",
        "account",
        F.lit(0).alias("_part"),
        F.col("requested_at").alias("_time"),
        "_ref",
        F.lit(0).cast("long").alias("_row"),
    )


def _replay_groups(
    profile: Profile, mode: str, start: datetime | None
) -> Callable[[pa.Table], pa.Table]:
    """The function each group runs: the project's replay on one account's sends."""

    def run(table: pa.Table) -> pa.Table:
        sends = pl.from_arrow(table)
        assert isinstance(sends, pl.DataFrame)
        sends = sends.sort(_ORDER, nulls_last=False, maintain_order=True)
        order = sends.select(_ORDER)
        result = replay(sends.select(SENDS_SCHEMA.names()), profile, mode=mode, start=start)
        out = pl.concat(
            [
                result.sends.with_columns(
                    pl.col("outcome", "rule").cast(pl.String), pl.col("rule_index").cast(pl.Int32)
                ),
                order,
            ],
            how="horizontal",
        )
        return out.select(_RESULT_COLUMNS).to_arrow().cast(arrow_schema(_RESULT_DDL))

    return run


def load_spark_sends(
    spark: SparkSession,
    paths: Sequence[str],
    timezone: str,
    *,
    need_time: bool,
    sender: str | None,
    source: str | None,
) -> tuple[DataFrame, pl.DataFrame]:
    """Sends of event exports (read by Spark) and sends CSVs (small, read here), and the
    rejected rows, as `limits.sends.load_sends`."""
    from pyspark.sql import functions as F

    from deliverability.spark.events import read_events

    csv_files = [
        p
        for p in paths
        if not is_remote(p) and not p.endswith(".parquet") and is_sends_csv(Path(p))
    ]
    event_files = [p for p in paths if p not in csv_files]
    parts: list[DataFrame] = []
    rejects = [pl.DataFrame(schema=REJECTS_SCHEMA)]
    if event_files:
        loaded = read_events(spark, event_files, timezone)
        events = loaded.events
        if source:
            events = events.filter(F.col("source") == source)
        parts.append(sends_from_events(events))
        rejects.append(collect_rejects(loaded.rejects, event_files))
    for index, path in enumerate(csv_files, start=1):
        part = read_sends_csv(Path(path), timezone, need_time=need_time)
        rejects.append(part.rejects)
        frame = part.frame.with_row_index("_row").with_columns(
            _part=pl.lit(index, dtype=pl.Int32),
            _time=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
            _ref=pl.lit(None, dtype=pl.String),
            _row=pl.col("_row").cast(pl.Int64),
        )
        parts.append(to_spark(spark, frame.select(SENDS_SCHEMA.names() + _ORDER), _SENDS_DDL))
    if not parts:
        raise ConfigError("Keine Eingabedateien angegeben.")
    sends = union_all(parts)
    if sender:
        sends = sends.filter(F.lower(F.col("account")) == sender.lower())
    return sends, pl.concat(rejects)


def replay_on_spark(
    sends: DataFrame, profile: Profile, *, mode: str = "replay", start: datetime | None = None
) -> ReplayResult:
    """`limits.replay.replay` per account on Spark; the result comes back in the order the
    polars path gives (as a `ReplayResult`)."""
    if mode == "replay" and sends.filter("requested_at IS NULL").limit(1).count():
        raise ConfigError("Zum Nachspielen braucht jeder Versand einen Zeitpunkt (requested_at).")
    if mode == "plan" and start is None and sends.filter("requested_at IS NULL").limit(1).count():
        raise ConfigError("Für die Planung bitte einen Startzeitpunkt angeben (--start).")
    replayed = sends.groupBy("account").applyInArrow(
        _replay_groups(profile, mode, start), _RESULT_DDL
    )
    collected = collect(replayed)
    if collected.is_empty():
        raise ConfigError("Die Eingabedateien enthalten keine Sendungen.")
    ordered = collected.sort(_ORDER, nulls_last=False, maintain_order=True).drop(_ORDER)
    return ReplayResult(
        profile,
        mode,
        ordered.with_columns(
            outcome=pl.col("outcome").cast(OutcomeDtype),
            rule=pl.col("rule").cast(pl.Categorical),
        ),
    )
