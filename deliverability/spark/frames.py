"""Small pieces every Spark module uses: schemas as DDL strings, polars ↔ Spark frames, map
lookups from the project's data tables, unions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import reduce
from typing import TYPE_CHECKING, Any

import polars as pl

from deliverability.taxonomy import reasons

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import Column, DataFrame, SparkSession


#: polars types → Spark SQL types (enums travel as strings, times as UTC timestamps).
_SPARK_TYPES = {
    pl.String: "STRING", pl.Enum: "STRING", pl.Categorical: "STRING",
    pl.Datetime: "TIMESTAMP", pl.Date: "DATE", pl.Boolean: "BOOLEAN",
    pl.Int16: "SMALLINT", pl.Int32: "INT", pl.Int64: "BIGINT", pl.Float64: "DOUBLE",
}  # fmt: skip


def ddl_of(schema: pl.Schema) -> str:
    """A polars schema as a Spark DDL string: the schema is written once, in `schema.py`."""
    return ", ".join(f"{name} {_SPARK_TYPES[dtype.base_type()]}" for name, dtype in schema.items())


def ddl_fields(ddl: str) -> list[tuple[str, str]]:
    """`"a STRING, b BIGINT"` → `[("a", "STRING"), ("b", "BIGINT")]`."""
    pairs = [part.strip().split(" ", 1) for part in ddl.split(",")]
    return [(name, kind.strip()) for name, kind in pairs]


def ddl_names(ddl: str) -> list[str]:
    return [name for name, _ in ddl_fields(ddl)]


def arrow_schema(ddl: str) -> pa.Schema:
    """The Arrow types Spark expects back from Python for a DDL schema string."""
    import pyarrow as pa

    types = {
        "STRING": pa.string(),
        "TIMESTAMP": pa.timestamp("us", tz="UTC"),
        "BIGINT": pa.int64(),
        "INT": pa.int32(),
        "SMALLINT": pa.int16(),
        "DOUBLE": pa.float64(),
        "BOOLEAN": pa.bool_(),
    }
    return pa.schema([(name, types[kind]) for name, kind in ddl_fields(ddl)])


def to_spark(spark: SparkSession, frame: pl.DataFrame | pl.LazyFrame, ddl: str) -> DataFrame:
    """A (small) polars frame as a Spark DataFrame with the schema `ddl`."""
    data = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
    arrow = data.to_arrow(compat_level=pl.CompatLevel.oldest())
    return spark.createDataFrame(arrow, ddl)  # type: ignore[arg-type]


def collect(frame: DataFrame) -> pl.DataFrame:
    """A Spark result on the driver as a polars frame (through Arrow)."""
    collected = pl.from_arrow(frame.toArrow())
    assert isinstance(collected, pl.DataFrame)
    return collected


def union_all(frames: Sequence[DataFrame]) -> DataFrame:
    """The rows of all frames, matched by column name."""
    return reduce(lambda left, right: left.unionByName(right), frames)


def lookup(mapping: Mapping[Any, Any], key: Column) -> Column:
    """`mapping[key]`, null for a missing or null key (as polars' `replace_strict(default=None)`)."""
    from pyspark.sql import functions as F

    literal = F.create_map(*[F.lit(item) for pair in mapping.items() for item in pair])
    return F.when(key.isNotNull(), F.try_element_at(literal, key))


def reason_attribute(name: str, reason: Column) -> Column:
    """One attribute of the taxonomy (`side`, `nature`, `suppress` …) per reason id, as
    `taxonomy.reason_attribute`."""
    return lookup({entry.id: getattr(entry, name) for entry in reasons().values()}, reason)
