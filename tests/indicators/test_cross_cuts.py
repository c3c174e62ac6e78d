"""The cross cuts (segment x partner, segment x region) against hand computations.

A tiny store in memory: ITO and KPO exporting to France, Germany, the United States and a
partner the code lists give no region (XK here); KPO's French market vanishes in 2024 and its
German one appears, so the cells hold a vanished member (level 0, a negative contribution) and
a new one (no growth, all its value as contribution).
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import ibis
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digex.errors import UnknownCut
from digex.indicators import consistency
from digex.indicators.consistency import CheckResult, run_checks
from digex.indicators.cuts import (
    ALL_CUTS,
    CROSS_CUTS,
    CUTS,
    Mappings,
    check_cut,
    installed_mappings,
    with_member,
)
from digex.indicators.engine import Engine, Sources
from digex.indicators.options import check_query
from digex.indicators.registry import registry
from digex.indicators.service import compute, cuts_of
from digex.profile import load_profile
from digex.releases.diff import filters as diff_filters

REGIONS = (("FR", "150"), ("DE", "150"), ("US", "019"), ("XK", None))
"""FR and DE in Europe, US in the Americas, XK in no region."""
ROWS = [
    # year, month, firm, segment, partner, currency, amount (MAD), flow
    (2023, 3, "F1", "ITO", "FR", "EUR", "100.25", "X"),
    (2023, 5, "F2", "KPO", "FR", "EUR", "50.10", "X"),
    (2023, 7, "F3", "KPO", "US", "USD", "20.00", "X"),
    (2023, 9, "F1", "ITO", "XK", "EUR", "7.50", "X"),
    (2023, 2, "F2", "ITO", "FR", "EUR", "3.00", "M"),
    (2024, 3, "F1", "ITO", "FR", "EUR", "120.00", "X"),
    (2024, 4, "F4", "ITO", "FR", "EUR", "30.00", "X"),
    (2024, 6, "F3", "KPO", "US", "USD", "30.00", "X"),
    (2024, 8, "F5", "KPO", "DE", "EUR", "11.11", "X"),
    (2024, 10, "F1", "ITO", "XK", "EUR", "2.50", "X"),
    (2024, 2, "F2", "ITO", "FR", "EUR", "4.00", "M"),
]
USD_RATE = Decimal(10)


def _exports(year: int) -> Decimal:
    return sum((Decimal(r[6]) for r in ROWS if r[0] == year and r[7] == "X"), Decimal(0))


def _table(rows: list[tuple[object, ...]]) -> pa.Table:
    return pa.table(
        {
            "period": [dt.date(int(r[0]), int(r[1]), 1) for r in rows],  # type: ignore[call-overload]
            "firm_id": [r[2] for r in rows],
            "segment": [r[3] for r in rows],
            "partner": [r[4] for r in rows],
            "currency": [r[5] for r in rows],
            "value_minor": pa.array([int(Decimal(str(r[6])) * 100) for r in rows], pa.int64()),
            "flow": [r[7] for r in rows],
        }
    )


def _engine(con: duckdb.DuckDBPyConnection, rows: list[tuple[object, ...]]) -> Engine:
    con.register("incoming", _table(rows))
    con.execute("CREATE OR REPLACE TABLE current_declarations AS SELECT * FROM incoming")
    con.unregister("incoming")
    con.execute(
        "CREATE OR REPLACE TABLE current_rates (period DATE, currency VARCHAR, rate DECIMAL(18,8))"
    )
    con.execute(
        "INSERT INTO current_rates SELECT make_date(2024, m, 1), 'USD', 10 FROM range(1, 13) t(m)"
    )
    mappings = Mappings(installed_mappings().ebops, REGIONS)
    return Engine(Sources(ibis.duckdb.from_connection(con), minor_units=2, mappings=mappings))


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect()
    yield c
    gc.collect()  # ibis drops its in-memory tables from finalizers: let them run first
    c.close()


@pytest.fixture(scope="module")
def frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    engine = _engine(con, ROWS)
    periods = ["2023", "2024", "2024-Q3", "2024-Q4"]
    return compute(engine, load_profile("MA"), period=periods, by=list(CROSS_CUTS))


def _value(frame: pd.DataFrame, indicator: str, cut: str, member: str, period: str) -> Decimal:
    flow = "N" if indicator in ("BALANCE", "COVERAGE") else "X"
    hit = frame[
        (frame["indicator"] == indicator)
        & (frame["cut"] == cut)
        & (frame["member"] == member)
        & (frame["period"] == period)
        & (frame["flow"] == flow)
    ]
    assert len(hit) == 1, (indicator, cut, member, period, len(hit))
    return Decimal(repr(float(hit["value"].iloc[0])))


def _close(found: Decimal, expected: Decimal) -> bool:
    return abs(found - expected) <= abs(expected) * Decimal("1e-12")


def test_the_cross_cuts_are_known_and_all_stays_the_six_single_cuts() -> None:
    assert CROSS_CUTS == ("segment_partner", "segment_region")
    assert ALL_CUTS == CUTS + CROSS_CUTS
    assert check_cut("segment_region") == "segment_region"
    assert cuts_of("all") == list(CUTS)
    assert cuts_of(["segment_region", "total", "segment_partner", "total"]) == [
        "total",
        "segment_partner",
        "segment_region",
    ]
    assert cuts_of(["all", "segment_partner"]) == [*CUTS, "segment_partner"]
    with pytest.raises(UnknownCut, match="segment_partner, segment_region"):
        cuts_of(["segment_country"])
    with pytest.raises(UnknownCut, match="no cut"):
        cuts_of([])
    check_query("2024", None, "segment_partner", "X", top=3)
    # a release's rows compared by a cross cut (release diff --by)
    assert diff_filters(by="segment_region").cuts == ("segment_region",)


def test_the_cross_cuts_exist_for_the_main_foreign_and_balance_families_only() -> None:
    known = registry()
    for i in known.indicators.values():
        crossed = set(CROSS_CUTS) <= set(i.cuts)
        assert crossed == (i.family in ("main", "foreign", "balance")), i.id


def test_levels_members_and_firms_by_hand(frame: pd.DataFrame) -> None:
    sp, sr = "segment_partner", "segment_region"
    assert _value(frame, "LEVEL", sp, "ITO.FR", "2024") == Decimal("150.00")
    assert _value(frame, "FIRMS", sp, "ITO.FR", "2024") == 2
    assert _value(frame, "AVG_PER_FIRM", sp, "ITO.FR", "2024") == Decimal("75")
    assert _value(frame, "LEVEL", sp, "KPO.DE", "2024") == Decimal("11.11")
    # the partner without a region goes to _X, as in the region cut
    assert _value(frame, "LEVEL", sr, "ITO._X", "2023") == Decimal("7.50")
    assert _value(frame, "LEVEL", sr, "KPO.150", "2023") == Decimal("50.10")
    assert _value(frame, "LEVEL", sr, "KPO.150", "2024") == Decimal("11.11")
    assert _value(frame, "LEVEL", sr, "ITO.150", "2024") == Decimal("150.00")
    members = set(frame.loc[(frame["cut"] == sr) & (frame["period"] == "2024"), "member"])
    assert members == {"ITO.150", "ITO._X", "KPO.019", "KPO.150"}
    assert _value(frame, "LEVEL_USD", sp, "ITO.FR", "2024") == Decimal("150") / USD_RATE
    # imports: the balance and the coverage of ITO's French market
    assert _value(frame, "BALANCE", sp, "ITO.FR", "2024") == Decimal("146.00")
    assert _value(frame, "COVERAGE", sp, "ITO.FR", "2024") == Decimal("3750")


def test_growth_shares_and_contributions_by_hand(frame: pd.DataFrame) -> None:
    sp, sr = "segment_partner", "segment_region"
    total_2023, total_2024 = _exports(2023), _exports(2024)
    assert total_2023 == Decimal("177.85")
    growth = (Decimal("150.00") - Decimal("100.25")) / Decimal("100.25") * 100
    assert _close(_value(frame, "GROWTH_YOY", sp, "ITO.FR", "2024"), growth)
    growth = (Decimal("11.11") - Decimal("50.10")) / Decimal("50.10") * 100
    assert _close(_value(frame, "GROWTH_YOY", sr, "KPO.150", "2024"), growth)
    # the share is of the sector's total, not of the segment's
    assert _close(_value(frame, "SHARE", sp, "ITO.FR", "2024"), 150 / total_2024 * 100)
    # the vanished market: a zero level and its whole loss as contribution
    assert _value(frame, "LEVEL", sp, "KPO.FR", "2024") == 0
    assert _value(frame, "FIRMS", sp, "KPO.FR", "2024") == 0
    lost = -Decimal("50.10") / total_2023 * 100
    assert _close(_value(frame, "CONTRIBUTION", sp, "KPO.FR", "2024"), lost)
    # the new market: no growth, all its value as contribution
    new = frame[(frame["member"] == "KPO.DE") & (frame["period"] == "2024")]
    assert "GROWTH_YOY" not in set(new["indicator"])
    gained = Decimal("11.11") / total_2023 * 100
    assert _close(_value(frame, "CONTRIBUTION", sp, "KPO.DE", "2024"), gained)


def test_year_to_date_carries_a_member_through_the_quarters_it_has_no_declaration(
    frame: pd.DataFrame,
) -> None:
    sp = "segment_partner"
    # KPO.US declares in 2024-Q2 only: Q4 has a zero level and the year to date of Q2
    assert _value(frame, "LEVEL", sp, "KPO.US", "2024-Q4") == 0
    assert _value(frame, "YTD_LEVEL", sp, "KPO.US", "2024-Q4") == Decimal("30.00")
    assert _value(frame, "YTD_LEVEL", "segment_region", "ITO.150", "2024-Q3") == 150
    assert _value(frame, "YTD_LEVEL", sp, "KPO.DE", "2024-Q3") == Decimal("11.11")
    ytd = frame[
        (frame["indicator"] == "YTD_LEVEL")
        & (frame["period"] == "2024-Q3")
        & (frame["flow"] == "X")
    ]
    assert ytd.groupby("cut")["value"].sum().map(lambda v: Decimal(repr(v))).to_dict() == {
        "segment_partner": Decimal("191.11"),
        "segment_region": Decimal("191.11"),
    }


def test_a_sequence_of_cuts_gives_each_cut_s_own_rows(con: duckdb.DuckDBPyConnection) -> None:
    engine = _engine(con, ROWS)
    profile = load_profile("MA")
    periods = ["2024-Q2", "2024-Q3"]
    together = compute(engine, profile, period=periods, by=["segment", "segment_partner"])
    alone = compute(engine, profile, period=periods, by="segment")
    mine = together[together["cut"] == "segment"].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, alone.reset_index(drop=True))
    assert set(together["cut"]) == {"segment", "segment_partner"}


def test_the_consistency_checks_cover_the_cross_cuts(con: duckdb.DuckDBPyConnection) -> None:
    results = run_checks(_engine(con, ROWS), freqs=("A", "Q"))
    assert all(r.ok for r in results), [r for r in results if not r.ok]
    names = {r.name for r in results}
    for freq in ("A", "Q"):
        for cut, side in (
            ("segment_partner", "segment"),
            ("segment_partner", "partner"),
            ("segment_region", "segment"),
            ("segment_region", "region"),
        ):
            assert f"{cut} cells sum to each {side} ({freq})" in names
        assert f"segment_region shares sum to 100 ({freq})" in names


def test_a_cross_cut_that_does_not_add_up_to_its_margins_fails() -> None:
    def cells(rows: list[tuple[str, int]]) -> pd.DataFrame:
        return pd.DataFrame(
            [("X", 2024, m, v, v) for m, v in rows],
            columns=["flow", "ordinal", "member", "value_minor", "ytd_minor"],
        )

    parts = {
        "segment_partner": cells([("ITO.FR", 5), ("KPO.FR", 2), ("KPO.US", 1)]),
        "segment": cells([("ITO", 5), ("KPO", 3)]),
        "partner": cells([("FR", 7), ("US", 2)]),  # US should be 1
    }
    checks: list[CheckResult] = consistency._cross_checks(parts, "A", "segment_partner")
    assert [(c.name, c.ok) for c in checks] == [
        ("segment_partner cells sum to each segment (A)", True),
        ("segment_partner cells sum to each partner (A)", False),
    ]


row = st.tuples(
    st.integers(2023, 2024),
    st.integers(1, 12),
    st.sampled_from(["F1", "F2", "F3", "F4"]),
    st.sampled_from(["ITO", "KPO", "BPO"]),
    st.sampled_from(["FR", "DE", "US", "XK"]),
    st.just("EUR"),
    st.integers(1, 10**9).map(lambda v: str(Decimal(v) / 100)),
    st.sampled_from(["X", "X", "M"]),
)


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(row, min_size=1, max_size=25))
def test_cross_cells_add_up_for_any_declarations(
    con: duckdb.DuckDBPyConnection, rows: list[tuple[object, ...]]
) -> None:
    """Cross cells sum to each segment, partner, region and the total; shares to 100."""
    cuts = ("segment", "partner", "region", *CROSS_CUTS)
    failed = [r for r in run_checks(_engine(con, rows), freqs=("A",), cuts=cuts) if not r.ok]
    assert not failed


def test_the_command_line_names_the_cross_cuts(tmp_path: Path) -> None:
    from tests.inprocess import run_here

    helped = " ".join(run_here(["indicators", "--help"], tmp_path).ok().stdout.split())
    assert "segment_partner (member KPO.FR), segment_region (KPO.150)" in helped
    wrong = run_here(["indicators", "--by", "segment_country", "--db", "x.duckdb"], tmp_path)
    assert wrong.code == 2
    assert "segment_partner, segment_region" in wrong.stderr


@pytest.mark.parametrize(("dialect", "joined"), [("postgres", "||"), ("pyspark", "CONCAT(")])
def test_the_cross_members_compile_for_every_backend(dialect: str, joined: str) -> None:
    """The member is Ibis string concatenation: PostgreSQL and Spark SQL compile it (no
    DuckDB-only function), with the region's fallback as in the region cut."""
    t = ibis.table({"segment": "string", "partner": "string", "value_minor": "int64"}, name="d")
    mappings = Mappings(installed_mappings().ebops, REGIONS)
    for cut in CROSS_CUTS:
        sql = ibis.to_sql(with_member(t, cut, mappings), dialect=dialect)
        assert joined in sql, (cut, sql)
    region = ibis.to_sql(with_member(t, "segment_region", mappings), dialect=dialect)
    assert "'_X'" in region
