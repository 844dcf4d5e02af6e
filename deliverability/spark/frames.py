"""Small pieces every Spark module uses: schemas as DDL strings, polars ↔ Spark frames, map
lookups from the project's data tables, unions, and the two ways the Spark engine runs the
project's polars code on its partitions (`per_batch`, `per_bucket`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
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
    pl.UInt32: "BIGINT", pl.UInt64: "BIGINT",
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
        "DATE": pa.date32(),
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


#: A piece of the project's polars code that the Spark engine runs on a part of the rows.
Kernel = Callable[[pl.DataFrame], pl.DataFrame]


def _kernel_input(table: pa.Table, schema: pl.Schema) -> pl.DataFrame:
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame.select(schema.names()).cast(dict(schema))  # type: ignore[arg-type]


def _kernel_output(frame: pl.DataFrame, schema: pl.Schema) -> pa.Table:
    wire = frame.select(schema.names()).with_columns(
        pl.col(pl.Enum, pl.Categorical).cast(pl.String)
    )
    return wire.to_arrow().cast(arrow_schema(ddl_of(schema)))


def _apply(
    kernel: Kernel, table: pa.Table, schema_in: pl.Schema, schema_out: pl.Schema
) -> pa.Table:
    """`kernel` on an Arrow table from Spark, its result as the Arrow table Spark expects."""
    return _kernel_output(kernel(_kernel_input(table, schema_in)), schema_out)


def per_batch(
    frame: DataFrame,
    kernel: Kernel,
    schema_in: pl.Schema,
    schema_out: pl.Schema,
    rows: int = 500_000,
) -> DataFrame:
    """`kernel` (polars code for independent rows) on every partition of `frame`, on up to
    `rows` rows at a time; the result has the columns and types of `schema_out`."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        pending: list[pa.RecordBatch] = []
        count = 0
        for batch in batches:
            pending.append(batch)
            count += batch.num_rows
            if count >= rows:
                yield from _run_kernel(pending, kernel, schema_in, schema_out)
                pending, count = [], 0
        if pending:
            yield from _run_kernel(pending, kernel, schema_in, schema_out)

    return frame.mapInArrow(run, ddl_of(schema_out))


def _run_kernel(
    batches: list[pa.RecordBatch], kernel: Kernel, schema_in: pl.Schema, schema_out: pl.Schema
) -> Iterator[pa.RecordBatch]:
    import pyarrow as pa

    yield from _apply(kernel, pa.Table.from_batches(batches), schema_in, schema_out).to_batches()


def per_bucket(
    frame: DataFrame,
    keys: Sequence[Column],
    kernel: Kernel,
    schema_in: pl.Schema,
    schema_out: pl.Schema,
) -> DataFrame:
    """`kernel` (polars code for rows that belong together) on each bucket of `frame`: rows
    with equal `keys` land in the same bucket, and a bucket holds many keys (as many buckets as
    `spark.sql.shuffle.partitions`), so that the kernel runs as often as there are partitions,
    not keys. The result has the columns and types of `schema_out`."""
    from pyspark.sql import functions as F

    buckets = int(frame.sparkSession.conf.get("spark.sql.shuffle.partitions") or "200")
    keyed = frame.withColumn("_bucket", F.pmod(F.xxhash64(*keys), F.lit(buckets)))

    def run(table: pa.Table) -> pa.Table:
        return _apply(kernel, table, schema_in, schema_out)

    return keyed.groupBy("_bucket").applyInArrow(run, ddl_of(schema_out))


def collect_as(frame: DataFrame, schema: pl.Schema) -> pl.DataFrame:
    """A Spark result of a kernel on the driver, with the polars types of `schema`."""
    return collect(frame).cast(dict(schema))  # type: ignore[arg-type]
