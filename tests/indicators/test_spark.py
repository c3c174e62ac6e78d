"""Write once, run anywhere, at scale: the same indicator suite gives identical results on the
DuckDB store and on PySpark (local mode, the machine's Java) reading the store's Parquet export.

The demo store's current declarations, rates and auxiliary series are written to Parquet with
`export_parquet` (as an office would move them to its cluster), read by Spark through the Ibis
PySpark backend, and every indicator is computed on both by the same Engine and compared.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
import pytest
from tests.conftest import DemoStore
from tests.spark_fixtures import spark_session  # noqa: F401

import digex
from digex.backends import (
    TABLES,
    EngineURLError,
    export_parquet,
    sources_from_url,
    spark_sources,
)
from digex.errors import SourceNotFound
from digex.indicators.engine import Engine, Sources
from digex.indicators.suite import Suite
from digex.indicators.targets import jobs_indicators, target_indicators
from digex.profile import load_profile
from digex.store import offline

pytestmark = [
    pytest.mark.spark,
    pytest.mark.slow,
    # PySpark reads every result through a local socket that it leaves to the garbage collector
    # ("The socket will be automatically closed when garbage-collected", pyspark/util.py).
    pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning"),
]

EXACT = {"LEVEL", "YTD_LEVEL", "BALANCE", "FIRMS", "FIRM_ENTRIES", "FIRM_EXITS"}
"""Money (integer minor units / 10**2) and counts: bit-identical, not just close."""


@pytest.fixture(scope="module")
def parquet_dir(demo_store: DemoStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("parquet")
    with digex.connect(demo_store.path, read_only=True) as db:
        export_parquet(db, folder)
    return folder


@pytest.fixture(scope="module")
def engines(
    spark_session: Any,  # noqa: F811 (first: skips before the demo data is made)
    demo_store: DemoStore,
    parquet_dir: Path,
) -> tuple[Engine, Engine]:
    # not closed at teardown: Ibis drops its in-memory tables (codelists) when collected
    con = offline.connect(str(demo_store.path), read_only=True)  # as digex opens it
    duck = Engine(Sources(ibis.duckdb.from_connection(con), minor_units=2))
    return duck, Engine(spark_sources(parquet_dir, session=spark_session, minor_units=2))


def b_count(engine: Engine, table: str) -> int:
    return int(engine.backend.table(table).count().execute())


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    keys = ["indicator", "flow", "member", "period"]
    return frame.sort_values(keys, ignore_index=True)


def assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    exact = a["indicator"].isin(EXACT)
    pd.testing.assert_frame_equal(a[exact], b[exact], check_exact=True)
    # Ratios agree to the last few bits only: the engines add floating-point terms (squared
    # shares, rates) in different orders.
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12, atol=0)


def test_export_has_the_store_views_columns_and_types(
    engines: tuple[Engine, Engine], parquet_dir: Path
) -> None:
    duck, spark = engines
    assert sorted(p.name for p in parquet_dir.iterdir()) == sorted(TABLES.values())
    for table in TABLES:
        a = duck.backend.table(table).schema()
        b = spark.backend.table(table).schema()
        # Spark reads every Parquet column as nullable; names and types must match exactly.
        assert list(a.names) == list(b.names)
        assert [t.copy(nullable=True) for t in a.types] == [t.copy(nullable=True) for t in b.types]
        assert b_count(duck, table) == b_count(spark, table)


@pytest.mark.parametrize(
    ("freq", "cut"),
    # every frequency grid but the month's and the three kinds of cut (the total, a segment
    # column, the partner -> region mapping), in three suites: each is seven Spark queries
    # (measured under load: 26 s each with the fixture's SMALL_DATA settings, 81 s without)
    [("A", "segment"), ("H", "total"), ("Q", "region")],
)
def test_suite_identical_on_duckdb_and_spark(
    engines: tuple[Engine, Engine], freq: str, cut: str
) -> None:
    duck, spark = engines
    a = canonical(Suite(duck, "MAD").run(freq, cut, flows=("X", "M")))
    started = time.perf_counter()
    b = canonical(Suite(spark, "MAD").run(freq, cut, flows=("X", "M")))
    print(f"Spark suite {freq}/{cut}: {len(b)} rows in {time.perf_counter() - started:.1f} s")
    assert len(a) > 0
    assert_same(a, b)


def test_money_sums_are_exact_on_both(engines: tuple[Engine, Engine]) -> None:
    duck, spark = engines
    keys = [("flow", "ascending"), ("ordinal", "ascending"), ("member", "ascending")]
    a = duck.levels("M", "segment").to_pyarrow().sort_by(keys)
    b = spark.levels("M", "segment").to_pyarrow().sort_by(keys)
    assert a.column("value_minor").to_pylist() == b.column("value_minor").to_pylist()


def test_targets_and_jobs_identical(engines: tuple[Engine, Engine]) -> None:
    duck, spark = engines
    profile = load_profile("MA")
    a = target_indicators(duck, profile)
    assert len(a) > 0
    pd.testing.assert_frame_equal(a, target_indicators(spark, profile), rtol=1e-12)
    pd.testing.assert_frame_equal(
        jobs_indicators(duck, profile), jobs_indicators(spark, profile), rtol=1e-12
    )


def test_engine_urls(
    spark_session: Any,  # noqa: F811
    demo_store: DemoStore,
    parquet_dir: Path,
) -> None:
    # a spark:// URL reuses the session already running in the process
    spark = sources_from_url(f"spark://{parquet_dir}", minor_units=2)
    assert spark.backend._session is spark_session
    duck = sources_from_url(f"duckdb://{demo_store.path}", minor_units=2)
    assert b_count(Engine(spark), "current_declarations") == b_count(
        Engine(duck), "current_declarations"
    )
    with pytest.raises(EngineURLError, match="unknown engine 'mysql'"):
        sources_from_url("mysql://host/db", minor_units=2)
    with pytest.raises(EngineURLError, match=r"master=spark://host:7077"):
        sources_from_url("spark://host:7077/data", minor_units=2)
    with pytest.raises(EngineURLError, match="unknown option 'mastr'"):
        sources_from_url(f"spark://{parquet_dir}?mastr=yarn", minor_units=2)
    with pytest.raises(FileNotFoundError, match=r"declarations\.parquet"):
        sources_from_url(f"spark://{parquet_dir / 'missing'}", minor_units=2)


def test_a_folder_spark_cannot_read_is_source_not_found(
    spark_session: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A URI is not checked on this machine (it may be a cluster's): Spark's own refusal,
    an AnalysisException through py4j, is translated where the backend is built. (Here with
    the other Spark tests: under `pytest -n 2` a file runs on one worker, which starts one JVM.)"""
    with pytest.raises(SourceNotFound, match=r"^Spark cannot read file://.*declarations\.parquet"):
        spark_sources(f"file://{tmp_path}/missing", session=spark_session, minor_units=2)
