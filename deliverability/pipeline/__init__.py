"""The pipeline layer: the analyses of a run, on either engine.

`engines` defines what an engine does (load, rates, suppression decisions, replay) and gives
the polars and the Spark engine; `jobs` strings those steps together for the commands, the
notebooks and the scheduled report, which call nothing below it directly for that. Both
engines run the same analysis code: the Spark engine runs the polars code of `outcomes`,
`rates`, `classify`, `suppression` and `limits` on its partitions.
"""
