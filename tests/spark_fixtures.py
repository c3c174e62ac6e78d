"""Pytest fixtures for the Spark engine (import the fixture into the test module that uses it:
``from tests.spark_fixtures import spark_session  # noqa: F401``).

- ``spark_session`` (session): one local-mode SparkSession (``local[2]``, the settings of
  `digex.backends.new_spark_session` and `SMALL_DATA`'s) shared by every Spark test: the JVM
  costs ~5-10 s to start, so it starts once and stops at the end of the session.

When PySpark or Java is missing, or Spark cannot start: the tests skip with the reason, except
in CI (``$CI`` set), where they fail, so a CI run never passes without the Spark tests.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

MASTER = "local[2]"
SMALL_DATA = {
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
    "spark.sql.shuffle.partitions": "1",
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
}
"""Settings for the tests' small inputs (the demo store: 10,000 rows), on top of
`digex.backends.new_spark_session`'s. How a plan runs, not what it computes (the tests compare
every value with DuckDB's): each setting removes a cost that only pays back on large data or
long-lived JVMs, and the test session's queries are many, small and run once.

- adaptive execution re-plans a query at each of its many shuffles;
- whole-stage code generation compiles Java for each stage, and `factoryMode=NO_CODEGEN`
  interprets each expression instead of compiling it too (Janino, a class per projection or
  predicate: the largest part of a small query's time);
- one shuffle partition: a stage of one task instead of two, on 10,000 rows;
- the driver JVM (local mode: the only one) with the C1 compiler alone and the serial
  collector: C2 and the parallel collectors spend their CPU on code and heaps that the
  session does not live long enough to repay.

Measured on the 2-core machine, the three suites of `test_spark.py` (JVM start included): the
JVM's CPU 66 s -> 23 s and their wall time 57 s -> 14 s against adaptive and whole-stage code
generation off alone (which took the file from 81 s to 26 s before)."""


def in_ci() -> bool:
    # the same rule as tests/pg_fixtures.py
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(message: str) -> None:
    if in_ci():
        pytest.fail(f"Spark tests cannot run in CI: {message}", pytrace=False)
    pytest.skip(f"Spark unavailable: {message}")


def java_missing() -> str | None:
    """Why no Java runtime can be found, or None when there is one."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return None
    if shutil.which("java"):
        return None
    return "no Java runtime (apt-get install --no-install-recommends openjdk-17-jre-headless)"


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    if importlib.util.find_spec("pyspark") is None:
        unavailable("pyspark is not installed (pip install -r requirements/lock-spark.txt)")
    if (reason := java_missing()) is not None:
        unavailable(reason)
    from digex.backends import SparkUnavailable, new_spark_session

    try:
        session = new_spark_session(MASTER, conf=SMALL_DATA)
    except SparkUnavailable as exc:
        unavailable(str(exc))
    try:
        yield session
    finally:
        session.stop()
