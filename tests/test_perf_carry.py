"""A load leaves the kept indicators of the periods it does not reach as they were (issue 19).

Months a load changes (`digex.store.changes`), which kept results they make stale
(`cache.untouched`), and the results carried to the store's new state: the same as a
computation from scratch gives. A tiny store of MAD declarations (no rates needed).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from tests.conftest import TODAY, write_csv

import digex
from digex.api import Digex
from digex.indicators import cache
from digex.indicators.engine import Engine
from digex.indicators.service import compute
from digex.store.changes import months_changed
from digex.store.queries import content

FIRMS = ("001234567000089", "001234567000090", "001234567000091")
LATEST = ["2024"]
YEAR = ("A",)
HALF = ["2024-H1"]
"""The latest complete year, the one period the tests keep (computing is what they cost)."""


def rows(months: list[str], tag: str, amount: str = "1000.00") -> list[tuple[str, ...]]:
    """Three firms' exports (and one import) in each month, in MAD."""
    out = []
    for month in months:
        for i, (firm, segment) in enumerate(zip(FIRMS, ("ITO", "CRM", "BPO"), strict=True)):
            out.append((f"{tag}{month}-{i}", month, firm, segment, "FR", "MAD", amount, "X"))
        out.append((f"{tag}{month}-m", month, FIRMS[0], "ITO", "US", "MAD", "250.50", "M"))
    return out


def months_of(*years: int) -> list[str]:
    return [f"{y}-{m:02d}" for y in years for m in range(1, 13)]


def load(db: Digex, folder: Path, name: str, data: list[tuple[str, ...]]) -> int:
    result = db.load(write_csv(folder / name, data), today=TODAY)
    return result[-1].load_id


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("carry")


@pytest.fixture(scope="module")
def pristine(folder: Path) -> Path:
    """Two years loaded; the year 2024 (as a load computes it) and the half-year 2024-H1 (as a
    query does) computed and kept. Made once."""
    path = folder / "pristine.duckdb"
    with digex.init(path) as store:
        load(store, folder, "2023-2024.csv", rows(months_of(2023, 2024), "D"))
        assert store.precompute(YEAR) == LATEST
        store.indicators(HALF, by="all", flow=["X", "M"])
    return path


@pytest.fixture
def db(pristine: Path, folder: Path, request: pytest.FixtureRequest) -> Iterator[Digex]:
    path = folder / f"{request.node.name}.duckdb"
    shutil.copy(pristine, path)
    with digex.connect(path) as store:
        yield store


def held(db: Digex) -> tuple[int, int]:
    with db.store.reading() as con:
        return content(con)


def from_scratch(db: Digex, periods: list[str]) -> pd.DataFrame:
    with db.store.snapshot() as snap:
        frame = compute(Engine(snap.sources(2)), db.profile, period=periods, by="all")
    return frame.sort_values(cache.kept_rows.KEY.split(", "), ignore_index=True)


def kept(db: Digex, periods: list[str]) -> pd.DataFrame:
    frame = cache.read(db.store, db.profile, cache.requests(periods, None, "all"))
    assert frame is not None
    return frame


def same(kept_rows: pd.DataFrame, computed: pd.DataFrame) -> None:
    columns = cache.COLUMNS.split(", ")
    pd.testing.assert_frame_equal(
        kept_rows[columns].reset_index(drop=True),
        computed[columns].astype({"unit_mult": "int64"}).reset_index(drop=True),
        check_dtype=False,
    )


def test_the_months_a_result_reads() -> None:
    """A period's result reads the year before and its own year up to its last month; a
    request of a whole frequency reads everything."""
    assert cache.reads_months("A|segment|2024") == (dt.date(2023, 1, 1), dt.date(2024, 12, 1))
    assert cache.reads_months("H|total|2025-H1") == (dt.date(2024, 1, 1), dt.date(2025, 6, 1))
    assert cache.reads_months("Q|ebops|2025-Q3") == (dt.date(2024, 1, 1), dt.date(2025, 9, 1))
    assert cache.reads_months("M|partner|2025-06") == (dt.date(2024, 1, 1), dt.date(2025, 6, 1))
    assert cache.reads_months("Q|total|*") is None
    june, july, jan_2023 = dt.date(2025, 6, 1), dt.date(2025, 7, 1), dt.date(2023, 1, 1)
    assert cache.untouched("A|total|2024", frozenset({june}))
    assert not cache.untouched("H|total|2025-H1", frozenset({june}))
    assert cache.untouched("H|total|2025-H1", frozenset({july}))
    assert not cache.untouched("A|total|2024", frozenset({july, jan_2023}))  # a base month
    assert cache.untouched("A|total|2024", frozenset({dt.date(2022, 12, 1)}))
    assert not cache.untouched("A|total|*", frozenset({july}))
    assert cache.untouched("A|total|*", frozenset())


def test_a_later_month_leaves_the_kept_periods_as_they_were(db: Digex, folder: Path) -> None:
    before = held(db)
    load(db, folder, "2025-01.csv", rows(["2025-01"], "N"))
    with db.store.reading() as con:
        assert months_changed(con, before) == {dt.date(2025, 1, 1)}
    keys = cache.requests(LATEST, None, "all")
    # nothing of 2023-2024 changed: every result of the year is carried
    assert cache.carry(db.store, db.profile, keys, computed_on=held(db)) == keys
    assert db.precompute(YEAR) == LATEST
    same(kept(db, LATEST), from_scratch(db, LATEST))


def test_a_month_of_the_year_makes_the_year_stale(db: Digex, folder: Path) -> None:
    """A late file of 2024-07 changes the year, not the first half-year, whose results are
    carried and are what a computation from scratch gives (nothing looks forward)."""
    before = held(db)
    load(db, folder, "late.csv", rows(["2024-07"], "L", amount="5000.00"))
    with db.store.reading() as con:
        assert months_changed(con, before) == {dt.date(2024, 7, 1)}
    year, half = cache.requests(LATEST, None, "all"), cache.requests(HALF, None, "all")
    assert cache.carry(db.store, db.profile, year + half, computed_on=held(db)) == half
    same(kept(db, HALF), from_scratch(db, HALF))
    assert db.precompute(YEAR) == LATEST
    level = kept(db, LATEST).query("indicator == 'LEVEL' and cut == 'total' and flow == 'X'")
    assert level.set_index("period")["value"]["2024"] == 36 * 1000 + 3 * 5000


def test_a_replacement_changes_the_months_of_both_loads(db: Digex, folder: Path) -> None:
    first = load(db, folder, "2025-02.csv", rows(["2025-02"], "R"))
    before = held(db)
    # the office sends February again, filed under March by mistake: both months change
    db.load(write_csv(folder / "again.csv", rows(["2025-03"], "S")), replace=first, today=TODAY)
    with db.store.reading() as con:
        assert months_changed(con, before) == {dt.date(2025, 2, 1), dt.date(2025, 3, 1)}


def test_a_withdrawal_is_not_traced_to_months(db: Digex, folder: Path) -> None:
    loaded = load(db, folder, "2025-04.csv", rows(["2025-04"], "W"))
    before = held(db)
    db.withdraw(loaded, reason="the wrong month")
    with db.store.reading() as con:
        assert months_changed(con, before) is None
        assert months_changed(con, (before[0], before[1] + 9)) is None  # not an earlier content
    keys = cache.requests(LATEST, None, "all")
    assert cache.carry(db.store, db.profile, keys, computed_on=held(db)) == []
