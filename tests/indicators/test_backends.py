"""Write once, run anywhere: the same indicator suite gives identical results on DuckDB and on
a real PostgreSQL server (Debian's package, started by the test fixture).

The demo store's current declarations, rates and auxiliary series are copied to PostgreSQL
(as a multi-user office would hold them), then every indicator is computed on both backends by
the same Engine and compared value for value.
"""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd
import pytest
from tests.conftest import DemoStore
from tests.pg_fixtures import session_schema

from digex.indicators.consistency import run_checks
from digex.indicators.engine import Engine, Sources
from digex.indicators.suite import Suite
from digex.indicators.targets import target_indicators
from digex.profile import load_profile
from digex.store import offline

pytestmark = pytest.mark.postgres
TABLES = ("current_declarations", "current_rates", "current_auxiliary")


@pytest.fixture(scope="module")
def engines(demo_store: DemoStore, pg_backend: Any) -> tuple[Engine, Engine]:
    con = offline.connect(str(demo_store.path), read_only=True)  # as digex opens it
    for name in TABLES:
        pg_backend.create_table(name, con.table(name).to_arrow_table(), overwrite=True)
    duck = Engine(Sources(ibis.duckdb.from_connection(con), minor_units=2))
    return duck, Engine(Sources(pg_backend, minor_units=2))


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    keys = ["indicator", "flow", "cut", "member", "period"]
    return frame.sort_values(keys, ignore_index=True)


@pytest.mark.parametrize(
    ("freq", "cuts"),
    # every frequency and every kind of cut (the total, segment and currency columns, the
    # partner -> region and segment -> EBOPS mappings): a frequency's cuts in one run, as
    # the service computes them (one query per family for all of them)
    [
        ("A", ("total", "segment", "ebops")),
        ("H", ("segment",)),
        ("Q", ("partner", "currency")),
        ("M", ("region",)),
    ],
    ids=lambda value: ",".join(value) if isinstance(value, tuple) else str(value),
)
def test_suite_identical_on_duckdb_and_postgresql(
    engines: tuple[Engine, Engine], freq: str, cuts: tuple[str, ...]
) -> None:
    duck, pg = engines
    a = canonical(Suite(duck, "MAD").run(freq, list(cuts), flows=("X", "M")))
    b = canonical(Suite(pg, "MAD").run(freq, list(cuts), flows=("X", "M")))
    assert set(a["cut"]) == set(cuts)
    assert len(a) > 0
    # Money and counts are exact integers on both. Ratios agree to the last few bits only:
    # the engines add floating-point terms (squared shares, rates) in different orders.
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12, atol=0)


def test_money_sums_are_exact_on_both(engines: tuple[Engine, Engine]) -> None:
    duck, pg = engines
    a = (
        duck.levels("M", "segment")
        .to_pyarrow()
        .sort_by([("flow", "ascending"), ("ordinal", "ascending"), ("member", "ascending")])
    )
    b = (
        pg.levels("M", "segment")
        .to_pyarrow()
        .sort_by([("flow", "ascending"), ("ordinal", "ascending"), ("member", "ascending")])
    )
    assert a.column("value_minor").to_pylist() == b.column("value_minor").to_pylist()


def test_targets_and_checks_identical(engines: tuple[Engine, Engine]) -> None:
    duck, pg = engines
    profile = load_profile("MA")
    pd.testing.assert_frame_equal(
        target_indicators(duck, profile), target_indicators(pg, profile), rtol=1e-12
    )
    assert all(r.ok for r in run_checks(pg, freqs=("A",)))


def test_postgres_sources_keep_the_planner_off_nested_loops(
    engines: tuple[Engine, Engine], pg_url: str
) -> None:
    """Without it, the monthly suite by region took 33 s on the demo store instead of 2.5 s.
    (`engines` copied the store's tables to this process's schema: a fresh server holds
    them nowhere else.)"""
    from digex.backends import sources_from_url

    backend = sources_from_url(f"{pg_url}?schema={session_schema()}", minor_units=2).backend
    try:
        with backend.raw_sql("SHOW enable_nestloop") as cursor:
            assert cursor.fetchone() == ("off",)
    finally:
        backend.disconnect()
