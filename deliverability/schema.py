"""The canonical event schema: the single source of truth for columns and dtypes.

One row per event. Every loader produces exactly these columns in this order; every analysis
reads only these. pandas frames are made from it at the display edge only.
"""

from __future__ import annotations

from typing import Final

import polars as pl

#: Event kinds, in the order of a message's life.
EVENTS: Final[tuple[str, ...]] = (
    "queued",
    "sent",
    "delivered",
    "deferred",
    "bounced",
    "blocked",
    "dropped",
    "complained",
    "unsubscribed",
    "opened",
    "clicked",
)

#: hard = permanent failure, soft = temporary, undetermined = the source cannot tell.
BOUNCE_TYPES: Final[tuple[str, ...]] = ("hard", "soft", "undetermined")

EventDtype = pl.Enum(list(EVENTS))
BounceTypeDtype = pl.Enum(list(BOUNCE_TYPES))

EVENT_SCHEMA: Final[pl.Schema] = pl.Schema(
    {  # type: ignore[arg-type]
        "timestamp": pl.Datetime("us", "UTC"),
        "message_id": pl.String,
        "sender": pl.String,
        "recipient": pl.String,
        "recipient_domain": pl.String,
        "event": EventDtype,
        "bounce_type": BounceTypeDtype,
        "reason": pl.String,
        "smtp_code": pl.Int16,
        "status": pl.String,
        "diagnostic": pl.String,
        "source": pl.String,
        "source_ref": pl.String,
    }
)

COLUMNS: Final[tuple[str, ...]] = tuple(EVENT_SCHEMA.names())

#: Columns an input file must have; the others may be missing and are then null.
REQUIRED_INPUT_COLUMNS: Final[tuple[str, ...]] = ("timestamp", "recipient", "event")

#: Columns the loader derives itself; an input column of that name is ignored.
DERIVED_COLUMNS: Final[tuple[str, ...]] = ("recipient_domain", "source_ref")

#: Events that mean a message left the sending platform towards the recipient's server.
ATTEMPT_EVENTS: Final[tuple[str, ...]] = ("sent", "delivered", "deferred", "bounced")

#: Failure events whose reason and bounce type the classifier fills in.
FAILURE_EVENTS: Final[tuple[str, ...]] = ("deferred", "bounced", "blocked")

REJECTS_SCHEMA: Final[pl.Schema] = pl.Schema(
    {
        "file": pl.String,
        "line": pl.Int64,
        "field": pl.String,
        "reason": pl.String,
        "raw": pl.String,
    }
)


def empty_events() -> pl.DataFrame:
    """An event frame with no rows and the canonical schema."""
    return pl.DataFrame(schema=EVENT_SCHEMA)


def conform(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Select the canonical columns in order with their dtypes (missing ones as null)."""
    present = set(frame.collect_schema().names())
    return frame.select(
        [
            (pl.col(name) if name in present else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in EVENT_SCHEMA.items()
        ]
    )
