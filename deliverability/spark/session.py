"""The Spark session: from `--spark-master`, else Spark's own configuration, else local[*].

Without a master of its own, pyspark's launcher takes the usual Spark configuration
(`spark-submit --master …`, `spark-defaults.conf`, `PYSPARK_SUBMIT_ARGS`) and falls back to
``local[*]``. On Databricks and under `spark-submit` the running session is reused.
"""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from deliverability.errors import ConfigError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: Logging for local runs: errors only (Spark's own default prints a banner and warnings).
_LOG_CONFIG = Path(__file__).with_name("log4j2.properties")
#: pyspark warns on each use of Arrow that it was not tested with pandas 3; nothing here
#: passes pandas frames to Spark (Arrow and polars only).
_PANDAS_WARNING = "PySpark does not yet fully support pandas"


def require_pyspark() -> None:
    """Raise a readable error when the optional extra is missing (and quiet pyspark's
    pandas-3 warning, which does not concern us)."""
    warnings.filterwarnings("ignore", message=_PANDAS_WARNING, category=FutureWarning)
    try:
        import pyspark  # noqa: F401
    except ImportError as error:
        raise ConfigError(
            "Die Spark-Engine braucht das Zusatzpaket: pip install 'deliverability[spark]' "
            "(und Java 17 oder neuer)."
        ) from error


def _runs_locally(master: str | None) -> bool:
    """Whether the session this process is about to start runs in local mode.

    Under `spark-submit` (or with ``--master`` in `PYSPARK_SUBMIT_ARGS`) the master comes from
    there; otherwise pyspark starts ``local[*]``.
    """
    if master:
        return master.startswith("local")
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # set by spark-submit for the driver
    return not submitted and "--master" not in os.environ.get("PYSPARK_SUBMIT_ARGS", "")


def spark_session(master: str | None = None, app_name: str = "deliverability") -> SparkSession:
    """The running Spark session, or a new one (settings for reproducible results)."""
    require_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and master is None:  # Databricks, spark-submit, a notebook
        _configure(active)
        return active
    local = _runs_locally(master)
    if local and not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise ConfigError(
            "Für die Spark-Engine wird Java 17 oder neuer gebraucht (nicht gefunden); "
            "unter Debian/Ubuntu: apt-get install openjdk-17-jre-headless."
        )
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    if local:
        # local workers run this interpreter (where the package is installed)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYTHONWARNINGS", f"ignore:{_PANDAS_WARNING}:FutureWarning")
        builder = (
            builder.config(
                "spark.driver.memory", os.environ.get("DELIVERABILITY_SPARK_MEMORY", "4g")
            )
            .config(
                "spark.driver.extraJavaOptions",
                f"-Dlog4j2.configurationFile={_LOG_CONFIG.as_uri()}",
            )
            .config("spark.ui.enabled", "false")
            # the driver is this machine: per-send replay results may exceed the 1 GB default
            .config("spark.driver.maxResultSize", "0")
            .config("spark.ui.showConsoleProgress", "false")
            # a few partitions per core: 200 (the cluster default) only adds overhead here
            .config(
                "spark.sql.shuffle.partitions",
                os.environ.get("DELIVERABILITY_SPARK_PARTITIONS", "8"),
            )
        )
    try:
        session = builder.getOrCreate()
    except Exception as error:  # the JVM did not start: pyspark's errors are not typed
        raise ConfigError(f"Spark konnte nicht gestartet werden: {error}") from error
    _configure(session)
    if local:
        session.sparkContext.setLogLevel("ERROR")
    return session


def _configure(session: SparkSession) -> None:
    """Settings every computation here relies on (safe to set on a shared session)."""
    session.conf.set("spark.sql.session.timeZone", "UTC")
    session.conf.set("spark.sql.execution.arrow.pyspark.enabled", "true")
