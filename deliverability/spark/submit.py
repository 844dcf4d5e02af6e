"""The script for `spark-submit`: the `deliverability` command inside a Spark driver.

    spark-submit --master yarn "$(python -m deliverability.spark.submit --path)" \\
        weekly s3a://logs/events/2026-W47/ --engine spark --out wochenanalyse

`--path` prints this file's location (spark-submit needs a file, not a module).
"""

from __future__ import annotations

import sys

from deliverability.cli import main

if __name__ == "__main__":
    if sys.argv[1:] == ["--path"]:
        print(__file__)
        raise SystemExit(0)
    raise SystemExit(main(sys.argv[1:]))
