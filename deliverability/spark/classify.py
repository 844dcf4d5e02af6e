"""Classification on Spark: the polars classifier (`classify.vectorized`) on every partition.

The rules, their precedence and the refinement are written once, as polars expressions; Spark
runs that code on its partitions (`spark.frames.per_batch`), up to half a million rows at a
time, so that each batch classifies its distinct server texts once; rows that are no failure
have nothing to classify and stay in Spark. The rule base in force on the driver (the
analyst's `--rules` included) travels with the function to the executors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from deliverability.classify.rules import activate_rules, rule_base
from deliverability.schema import COLUMNS, EVENT_SCHEMA, FAILURE_EVENTS
from deliverability.spark.frames import per_batch

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def classify_events(events: DataFrame) -> DataFrame:
    """Fill `status`, `smtp_code`, `reason` and `bounce_type` where the source did not, as
    `classify.vectorized.classify_events` does (it is that code, run on Spark)."""
    rules = rule_base()

    def classify(frame: pl.DataFrame) -> pl.DataFrame:
        from deliverability.classify.vectorized import classify_events as on_polars

        activate_rules(rules)
        return on_polars(frame.lazy()).collect()

    from pyspark.sql import functions as F

    # only failures have anything to fill in: the other rows do not leave the JVM
    is_failure = F.coalesce(F.col("event").isin(*FAILURE_EVENTS), F.lit(False))
    rows = events.select(*COLUMNS)
    classified = per_batch(rows.filter(is_failure), classify, EVENT_SCHEMA, EVENT_SCHEMA)
    return classified.unionByName(rows.filter(~is_failure))
