"""The analyses on Apache Spark, for event logs that do not fit one machine (optional extra).

`pip install 'deliverability[spark]'`. Polars stays the default engine; every module here
computes the same results as its polars counterpart from the same data files (rule tables,
taxonomy, policy, limit profiles) and the tests compare both engines on the same inputs:

- `session`: the Spark session (`--spark-master`, else Spark's own configuration, else
  ``local[*]``);
- `events`: canonical events from Parquet, and every other input format through the
  project's own loader, one file per task;
- `classify`: Spark SQL expressions generated from the polars path's rule tables;
- `rates`: messages, outcomes and per-domain/provider rates with Wilson intervals;
- `suppression`: the suppression decisions over the event history;
- `replay`: the send-limit replay, one sender account per group, with the project's code.

pyspark is imported only inside these modules, so the package works without it.
"""
