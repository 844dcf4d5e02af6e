"""Canonical events as a Spark DataFrame.

Parquet files and folders in the canonical schema (as `deliverability load` writes them, or a
partitioned lake of them) are read natively. Every other input (vendor CSV and JSON exports,
Postfix logs, bounce mails …) is read by the project's own loader inside Spark tasks, distributed by file,
so that every format gives exactly the events and rejects of the polars path. Rotated
Postfix logs are then joined by queue id within each file only; load such logs with
`deliverability load` to Parquet first when deliveries span two files.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from deliverability.classify.rules import activate_rules, rule_base
from deliverability.errors import InputError
from deliverability.ingest.text import check_input
from deliverability.schema import COLUMNS, EVENT_SCHEMA, REJECTS_SCHEMA
from deliverability.spark.frames import (
    arrow_schema,
    collect,
    ddl_fields,
    ddl_names,
    ddl_of,
    to_spark,
    union_all,
)

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

#: The canonical schema and the rejects in Spark SQL types, generated from `schema.py`.
EVENT_DDL = ddl_of(EVENT_SCHEMA)
REJECTS_DDL = ddl_of(REJECTS_SCHEMA)
_LOADED_DDL = f"{EVENT_DDL}, _kind STRING, {REJECTS_DDL.replace('reason', '_reject_reason')}"
_LOADED_COLUMNS = ddl_names(_LOADED_DDL)


@dataclass(frozen=True)
class SparkEvents:
    """Events in the canonical schema and the rejected rows (file, line, field, reason, raw)."""

    events: DataFrame
    rejects: DataFrame


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")  # two letters at least: not a drive


def is_remote(path: str) -> bool:
    """A URI of a cluster file system (``s3a://``, ``abfss://``, ``dbfs:/``, ``hdfs://`` …),
    not a local path (``file:`` URIs are local)."""
    return bool(_SCHEME.match(path)) and not path.startswith("file:")


def list_files(spark: SparkSession, paths: Sequence[str]) -> list[str]:
    """Every file under `paths` (files, folders, globs; local or on a cluster file system),
    as Spark lists them; hidden files and Spark's own markers (``_SUCCESS``) are left out."""
    for path in paths:
        if not is_remote(path):
            check_input(Path(path.removeprefix("file:")))
    try:
        listing = (
            spark.read.format("binaryFile")
            .option("recursiveFileLookup", "true")
            .load(list(paths))
            .select("path")  # the content is not read
            .collect()
        )
    except Exception as error:  # AnalysisException: a remote path that does not exist
        raise InputError(f"Die Eingaben können nicht gelesen werden: {error}") from error
    files = sorted(str(row[0]) for row in listing)
    if not files:
        raise InputError(f"Unter {', '.join(paths)} liegen keine Dateien.")
    return files


def canonical(frame: DataFrame) -> DataFrame:
    """Select the canonical columns in order with their Spark types (missing ones as null)."""
    from pyspark.sql import functions as F

    types = dict(ddl_fields(EVENT_DDL))
    present = set(frame.columns)
    return frame.select(
        [
            (F.col(name) if name in present else F.lit(None)).cast(types[name]).alias(name)
            for name in COLUMNS
        ]
    )


def _as_given(paths: Sequence[str]) -> dict[str, str]:
    """Absolute local paths (as Spark lists them) → the path as the user wrote it, so that
    rejects name files as the polars path does; folders map as prefixes."""
    names: dict[str, str] = {}
    for path in paths:
        if not is_remote(path):
            names[str(Path(path.removeprefix("file:")).absolute())] = path
    return names


def _shown(listed: str, given: dict[str, str]) -> str:
    absolute = listed.removeprefix("file:")
    if absolute in given:
        return given[absolute]
    for prefix, name in given.items():
        if absolute.startswith(prefix.rstrip("/") + "/"):
            return name.rstrip("/") + absolute[len(prefix.rstrip("/")) :]
    return absolute if listed.startswith("file:") else listed


def _load_file_batches(
    timezone: str, given: dict[str, str]
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The function each Spark task runs: the project's loader on whole files.

    The rule base in force on the driver (the analyst's `--rules` included) travels with the
    function, so bounce mails are classified on the executors as on the driver.
    """
    rules = rule_base()

    def load(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from deliverability.errors import DeliverabilityError
        from deliverability.ingest import load_events

        activate_rules(rules)
        for batch in batches:
            for row in batch.to_pylist():
                shown = _shown(str(row["path"]), given)
                name = Path(shown).name or "eingabe"
                with tempfile.TemporaryDirectory(prefix="deliverability-") as folder:
                    copy = Path(folder) / name
                    copy.write_bytes(row["content"])
                    mtime = row["modificationTime"].timestamp()
                    os.utime(copy, (mtime, mtime))  # Postfix takes the year from it
                    try:
                        loaded = load_events([copy], timezone=timezone, classify=False)
                        events = loaded.events
                        # a reject may quote the file it came from: name the original
                        rejects = loaded.rejects.with_columns(
                            pl.col("raw").str.replace_all(str(copy), shown, literal=True)
                        )
                        kind = "reject"
                    except DeliverabilityError as error:  # the file as a whole is unusable
                        events, kind = pl.DataFrame(schema=EVENT_SCHEMA), "fatal"
                        detail = str(getattr(error, "detail", error)).replace(str(copy), shown)
                        rejects = pl.DataFrame(
                            {
                                "file": [shown],
                                "line": [getattr(error, "line", None)],
                                "field": [getattr(error, "field", None)],
                                "reason": [detail],
                                "raw": [None],
                            },
                            schema=REJECTS_SCHEMA,
                        )
                out = pl.concat(
                    [
                        events.with_columns(
                            pl.col("event", "bounce_type").cast(pl.String), _kind=pl.lit("event")
                        ),
                        rejects.with_columns(file=pl.lit(shown), _kind=pl.lit(kind)).rename(
                            {"reason": "_reject_reason"}
                        ),
                    ],
                    how="diagonal_relaxed",
                ).select(_LOADED_COLUMNS)
                yield from out.to_arrow().cast(arrow_schema(_LOADED_DDL)).to_batches()

    return load


def _raise_unusable_file(loaded: DataFrame) -> None:
    """A file the loader refused as a whole stops the run, as on polars (file, line, field)."""
    fatal = loaded.filter("_kind = 'fatal'").select("file", "line", "field", "_reject_reason")
    first = fatal.orderBy("file").limit(1).collect()
    if first:
        file, line, field, reason = first[0]
        raise InputError(str(reason), path=file, line=line, field=field)


def read_events(spark: SparkSession, paths: Sequence[str], timezone: str) -> SparkEvents:
    """Events of `paths` (local paths or URIs such as ``s3://…``), unclassified sources left
    as they are; classify with `spark.classify.classify_events`."""
    from pyspark.sql import functions as F

    files = list_files(spark, paths)
    parquet = [f for f in files if f.endswith(".parquet")]
    others = [f for f in files if not f.endswith(".parquet")]
    frames: list[DataFrame] = []
    rejects = spark.createDataFrame([], REJECTS_DDL)
    if parquet:
        frames.append(canonical(spark.read.parquet(*parquet)))
    if others:
        contents = spark.read.format("binaryFile").load(others).repartition("path")
        loaded = contents.mapInArrow(
            _load_file_batches(timezone, _as_given(paths)), _LOADED_DDL
        ).cache()
        _raise_unusable_file(loaded)
        frames.append(canonical(loaded.filter(F.col("_kind") == "event")))
        rejects = loaded.filter(F.col("_kind") == "reject").select(
            "file", "line", "field", F.col("_reject_reason").alias("reason"), "raw"
        )
    return SparkEvents(union_all(frames), rejects)


def from_polars(spark: SparkSession, frame: pl.DataFrame) -> DataFrame:
    """A (small) polars event frame as a Spark DataFrame in the canonical schema."""
    return to_spark(
        spark, frame.with_columns(pl.col("event", "bounce_type").cast(pl.String)), EVENT_DDL
    )


def to_polars(frame: DataFrame) -> pl.DataFrame:
    """Spark events back as a polars frame with the canonical dtypes (enums included)."""
    return collect(canonical(frame)).cast(dict(EVENT_SCHEMA))  # type: ignore[arg-type]


def collect_rejects(rejects: DataFrame, paths: Sequence[str]) -> pl.DataFrame:
    """The rejected rows on the driver, in the order of the polars path: by input file as
    given on the command line, within a file as the loader found them (one task reads a
    whole file, and Spark keeps the order of a task's rows)."""
    collected = collect(rejects)
    position = {str(path): index for index, path in enumerate(paths)}
    return (
        collected.cast(REJECTS_SCHEMA)
        .with_columns(_position=pl.col("file").replace_strict(position, default=len(paths)))
        .sort("_position", "file", maintain_order=True)  # within a file: the loader's order
        .drop("_position")
    )
