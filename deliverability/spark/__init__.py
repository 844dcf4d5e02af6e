"""The analyses on Apache Spark, for event logs that do not fit one machine (optional extra).

`pip install 'deliverability[spark]'`. Polars stays the default engine. Nothing here restates
an analysis: Spark distributes the rows so that what belongs together lies in one partition
(by file, message, domain, address or sender account) and runs the project's polars code
there (`frames.per_batch`, `frames.per_bucket`); only results come back to the driver.

- `session`: the Spark session (`--spark-master`, else Spark's own configuration, else
  ``local[*]``);
- `frames`: schemas as DDL (generated from `schema.py`), polars code on partitions;
- `events`: canonical events from Parquet, and every other input format through the
  project's own loader, one file per task;
- `classify`: `classify.vectorized` per batch of rows;
- `rates`: `outcomes.message_outcomes` per bucket of messages, `rates.weekly_rates` per
  bucket of domains or providers;
- `suppression`: `suppression.store.merge_events` and `suppression.state.build_state` per
  bucket of addresses;
- `replay`: `limits.sends.send_requests` per bucket of messages, `limits.replay.replay` per
  sender account.

pyspark is imported only inside these modules, so the package works without it. The pipeline
layer (`deliverability.pipeline.spark_engine`) is the only caller.
"""
