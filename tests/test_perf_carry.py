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
from typing import Any

import pandas as pd
import pytest
from tests.conftest import TODAY, write_csv

import digex
from digex.api import Digex
from digex.indicators import cache
from digex.indicators.cuts import CUTS
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


def test_a_withdrawal_changes_the_months_of_the_load_and_of_the_one_it_replaced(
    db: Digex, folder: Path
) -> None:
    first = load(db, folder, "2025-04.csv", rows(["2025-04"], "W"))
    loaded = db.load(
        write_csv(folder / "again-05.csv", rows(["2025-05"], "V")), replace=first, today=TODAY
    )[-1].load_id
    before = held(db)
    db.withdraw(loaded, reason="the wrong month")  # the April file is current again
    with db.store.reading() as con:
        assert months_changed(con, before) == {dt.date(2025, 4, 1), dt.date(2025, 5, 1)}
        assert months_changed(con, (before[0], before[1] + 9)) is None  # not an earlier content
        assert months_changed(con, (before[0] + 5, before[1])) is None
    keys = cache.requests(LATEST, None, "all")
    # nothing of 2023-2024 changed: the year is carried
    assert cache.carry(db.store, db.profile, keys, computed_on=held(db)) == keys


def test_a_jobs_file_changes_every_month_of_its_years(db: Digex, folder: Path) -> None:
    before = held(db)
    jobs = write_csv(folder / "jobs.csv", [("2024", "ITO", "100")], header=JOBS_HEADER)
    db.load(jobs=jobs, today=TODAY)
    with db.store.reading() as con:
        assert months_changed(con, before) == {dt.date(2024, m, 1) for m in range(1, 13)}


JOBS_HEADER = ("year", "segment", "jobs")


class Computed:
    """What `Digex._compute` was asked for, each call passed on to the real one (a spy: the
    values kept are the engine's)."""

    def __init__(self, db: Digex, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[list[str], list[str]]] = []
        real = db._compute

        def spy(snap: Any, *, period: Any, by: Any, freq: str | None = None) -> pd.DataFrame:
            periods = [period] if isinstance(period, str) else list(period)
            cuts = [by] if isinstance(by, str) else list(by)
            self.calls.append((periods, cuts))
            return real(snap, period=period, by=by, freq=freq)

        monkeypatch.setattr(db, "_compute", spy)

    def take(self) -> set[tuple[str, str]]:
        """The (period, cut) pairs computed since the last call ('all' stands for the six)."""
        out = {(p, c) for periods, cuts in self.calls for p in periods for c in cuts}
        self.calls.clear()
        return out


def every_kept_is_fresh(db: Digex) -> set[str]:
    """Every result kept for the store's current state equals a computation from scratch of
    the same (frequency, cut, period); returns the keys kept."""
    with db.store.reading() as con:
        keys = cache.kept_rows.requests(con, cache.state(db.store, db.profile))
    periods = sorted({k.split("|")[2] for k in keys})
    scratch = from_scratch(db, periods)
    scratch = scratch[(scratch["freq"] + "|" + scratch["cut"] + "|" + scratch["period"]).isin(keys)]
    same(cache.kept(db.store, db.profile), scratch.reset_index(drop=True))
    return keys


def test_loads_replacements_and_withdrawals_keep_the_kept_results_right(
    db: Digex, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After each change the store's kept results (the latest year and half-year a load keeps,
    and other periods a query kept) are what a computation from scratch gives, and only the
    (period, cut) entries the change reached were computed again."""
    db.indicators(["2023", "2024-Q2"], by="partner", flow=["X", "M"])  # a query's results
    computed = Computed(db, monkeypatch)
    year, half = {("2024", c) for c in CUTS}, {("2024-H2", c) for c in CUTS}
    latest = ["2024", "2024-H2"]

    # a late month of the year: the year and its second half, not the first half's quarter
    late = load(db, folder, "late-12.csv", rows(["2024-12"], "K", amount="700.00"))
    assert db.precompute() == latest
    assert computed.take() == year | half
    assert every_kept_is_fresh(db) >= {"Q|partner|2024-Q2", "A|partner|2023"}

    # rows landing in an old period: every result reads 2023 (growth a year earlier)
    load(db, folder, "old-2023-05.csv", rows(["2023-05"], "O", amount="300.00"))
    assert db.precompute() == latest
    assert computed.take() == year | half
    assert every_kept_is_fresh(db) >= {"H|total|2024-H2"}  # 2023 and 2024-Q2 were reached
    db.indicators(["2023", "2024-Q2"], by="partner", flow=["X", "M"])  # kept again
    computed.take()

    # a month after the kept periods: nothing computed, everything carried
    january = load(db, folder, "2025-01.csv", rows(["2025-01"], "J"))
    assert db.precompute() == latest
    assert computed.take() == set()
    assert every_kept_is_fresh(db) >= {"Q|partner|2024-Q2", "A|partner|2023", "A|total|2024"}

    # January replaced by a file of February: neither reaches 2024
    february = db.load(
        write_csv(folder / "2025-02.csv", rows(["2025-02"], "F")), replace=january, today=TODAY
    )[-1].load_id
    assert db.precompute() == latest
    assert computed.take() == set()

    # the late December file withdrawn: the year and its second half again, not 2024-Q2
    db.withdraw(late, reason="December sent twice")
    assert db.precompute() == latest
    assert computed.take() == year | half
    assert every_kept_is_fresh(db) >= {"Q|partner|2024-Q2", "A|partner|2023"}

    # the replacement withdrawn (January current again): nothing of 2024
    db.withdraw(february, reason="February filed as January")
    assert db.precompute() == latest
    assert computed.take() == set()

    # jobs of 2024: the year's results (exports per job), not 2023's
    jobs = write_csv(folder / "jobs-2024.csv", [("2024", "ITO", "100")], header=JOBS_HEADER)
    db.load(jobs=jobs, today=TODAY)
    assert db.precompute() == latest
    assert computed.take() == year | half
    assert every_kept_is_fresh(db) >= {"A|partner|2023"}


def test_a_load_computes_only_the_cuts_not_kept(
    db: Digex, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cut a query kept after the last load is not computed again by the next load that does
    not reach its period: the others of the period are."""
    load(db, folder, "2025-01.csv", rows(["2025-01"], "P"))
    db.indicators("2024", by="partner", flow=["X", "M"])  # kept; the year's other cuts dropped
    computed = Computed(db, monkeypatch)
    load(db, folder, "2025-02.csv", rows(["2025-02"], "Q"))
    assert db.precompute(YEAR) == LATEST
    assert computed.take() == {("2024", c) for c in CUTS if c != "partner"}
    every_kept_is_fresh(db)
