"""Arithmetic identities of the indicators, for arbitrary declarations (hypothesis)."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator

import duckdb
import ibis
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digex.indicators.consistency import run_checks
from digex.indicators.engine import Engine, Sources
from digex.indicators.periods import PER_YEAR, Period, latest_complete

row = st.tuples(
    st.integers(2022, 2024),  # year
    st.integers(1, 12),  # month
    st.sampled_from([f"{i:015d}" for i in range(1, 9)]),  # firm
    st.sampled_from(["ITO", "CRM", "ESO", "BPO", "KPO"]),
    st.sampled_from(["FR", "ES", "US", "GB", "NA", "MA"]),
    st.sampled_from(["EUR", "USD", "MAD"]),
    st.integers(1, 10**13),  # value in minor units (up to 100 bn)
    st.sampled_from(["X", "X", "X", "M"]),
)
declarations = st.lists(row, min_size=1, max_size=60)


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect()
    yield c
    gc.collect()  # ibis drops its in-memory tables from finalizers: let them run first
    c.close()


def engine_for(con: duckdb.DuckDBPyConnection, rows: list[tuple[object, ...]]) -> Engine:
    table = pa.table(
        {
            "period": [dt.date(int(r[0]), int(r[1]), 1) for r in rows],  # type: ignore[call-overload]
            "firm_id": [r[2] for r in rows],
            "segment": [r[3] for r in rows],
            "partner": [r[4] for r in rows],
            "currency": [r[5] for r in rows],
            "value_minor": pa.array([r[6] for r in rows], pa.int64()),
            "flow": [r[7] for r in rows],
        }
    )
    con.register("incoming", table)
    con.execute("CREATE OR REPLACE TABLE current_declarations AS SELECT * FROM incoming")
    con.unregister("incoming")
    con.execute(
        "CREATE OR REPLACE TABLE current_rates (period DATE, currency VARCHAR, rate DECIMAL(18,8))"
    )
    return Engine(Sources(ibis.duckdb.from_connection(con), minor_units=2))


SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(declarations)
def test_identities_hold_for_any_declarations(
    con: duckdb.DuckDBPyConnection, rows: list[tuple[object, ...]]
) -> None:
    """Parts sum to totals, shares to 100, contributions to growth, months to years."""
    engine = engine_for(con, rows)
    failed = [r for r in run_checks(engine, freqs=("A",), cuts=("segment", "partner")) if not r.ok]
    assert not failed


@SETTINGS
@given(declarations)
def test_hhi_between_one_over_n_and_one(
    con: duckdb.DuckDBPyConnection, rows: list[tuple[object, ...]]
) -> None:
    engine = engine_for(con, rows)
    for by in ("partner", "firm_id"):
        frame = engine.concentration("A", "segment", by).execute()
        assert ((frame["hhi"] >= 1 / frame["units"] - 1e-12) & (frame["hhi"] <= 1 + 1e-12)).all()
        assert (frame["top5"] <= 100 + 1e-9).all()
        assert (frame["top10"] >= frame["top5"] - 1e-9).all()


@SETTINGS
@given(declarations)
def test_annual_level_is_the_sum_of_months_exactly(
    con: duckdb.DuckDBPyConnection, rows: list[tuple[object, ...]]
) -> None:
    engine = engine_for(con, rows)
    annual = engine.levels("A", "total").execute().set_index(["flow", "ordinal"])["value_minor"]
    expected: dict[tuple[str, int], int] = {}
    for r in rows:
        key = (str(r[7]), int(r[0]))  # type: ignore[call-overload]
        expected[key] = expected.get(key, 0) + int(r[6])  # type: ignore[call-overload]
    assert annual.to_dict() == expected


@SETTINGS
@given(declarations)
def test_growth_matches_levels_and_shares_sum_to_100(
    con: duckdb.DuckDBPyConnection, rows: list[tuple[object, ...]]
) -> None:
    engine = engine_for(con, rows)
    main = engine.main("A", "partner").execute()
    # a flow without declarations in a period (every member's level 0) has no shares
    shares = main[main["total_minor"] != 0].groupby(["flow", "ordinal"])["share"].sum()
    assert ((shares - 100).abs() < 1e-9).all()
    lv = main.set_index(["flow", "member", "ordinal"])["value_minor"].to_dict()
    for r in main.dropna(subset=["growth_yoy"]).itertuples():
        prev = lv[(r.flow, r.member, r.ordinal - 1)]
        assert r.growth_yoy == pytest.approx((r.value_minor / prev - 1) * 100, rel=1e-12)


@given(st.dates(dt.date(1990, 1, 1), dt.date(2999, 12, 31)), st.sampled_from(["A", "H", "Q", "M"]))
def test_latest_complete_period_is_complete_and_latest(day: dt.date, freq: str) -> None:
    """Its last month is at or before the newest month; the next period's is after it."""
    newest = day.replace(day=1)
    period = latest_complete(freq, newest)
    last = dt.date(period.year, period.last_month, 1)
    assert last <= newest
    n = period.ordinal + 1
    after = Period(freq, n // PER_YEAR[freq], n % PER_YEAR[freq] + 1)
    assert dt.date(after.year, after.last_month, 1) > newest
