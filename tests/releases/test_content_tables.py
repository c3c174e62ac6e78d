"""A release holds the cells of its profile's tables and nothing else: the default tables give
what `by="all"` computes, the Moroccan ones only their frequencies, members and year to date."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pandas as pd
import pytest
from tests.conftest import TODAY, write_csv

import digex
from digex.api import Digex
from digex.indicators.cuts import CUTS
from digex.indicators.engine import Engine
from digex.indicators.registry import registry
from digex.indicators.service import compute
from digex.indicators.tables import DEFAULT_TABLES, Coarser, PublishedTable
from digex.profile import CountryProfile
from digex.releases import content

ITO, KPO = "000000000000011", "000000000000022"
KPO2 = "000000000000033"


def amount(year: int, month: int, base: int) -> Decimal:
    return Decimal(base * month + year - 2000) + Decimal("0.37")


ROWS = [
    row
    for year in (2023, 2024)
    for month in range(1, 13)
    for row in (
        (f"I{year}{month:02d}", f"{year}-{month:02d}", ITO, "ITO", "FR", "MAD",
         str(amount(year, month, 1000)), "X"),
        (f"K{year}{month:02d}", f"{year}-{month:02d}", KPO, "KPO", "US", "MAD",
         str(amount(year, month, 30)), "X"),
        (f"L{year}{month:02d}", f"{year}-{month:02d}", KPO2, "KPO", "FR", "MAD",
         str(amount(year, month, 20)), "X"),
        (f"M{year}{month:02d}", f"{year}-{month:02d}", ITO, "ITO", "US", "MAD",
         str(amount(year, month, 5)), "M"),
    )
]  # fmt: skip


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Digex]:
    folder = tmp_path_factory.mktemp("tables")
    with digex.init(folder / "s.duckdb") as db:
        db.load(write_csv(folder / "d.csv", ROWS), today=TODAY)
        yield db


@contextmanager
def _engine(db: Digex) -> Iterator[Engine]:
    with db.store.snapshot() as snap:
        yield Engine(snap.sources(db.profile.minor_units))


@pytest.fixture(scope="module")
def default_profile(small: Digex) -> CountryProfile:
    return dataclasses.replace(small.profile, tables=DEFAULT_TABLES)


@pytest.fixture(scope="module")
def by_default(small: Digex, default_profile: CountryProfile) -> pd.DataFrame:
    """A half-year's release with the default tables (three frequencies: a quicker test)."""
    with _engine(small) as engine:
        return content.observations(engine, default_profile, "2024-H1", "preliminary")


@pytest.fixture(scope="module")
def moroccan(small: Digex) -> pd.DataFrame:
    """A year's release with the installed MA profile's tables."""
    with _engine(small) as engine:
        return content.observations(engine, small.profile, "2024", "preliminary")


def test_the_default_tables_give_what_every_single_cut_gives(
    small: Digex, default_profile: CountryProfile, by_default: pd.DataFrame
) -> None:
    """A profile without tables: the release's rows are `compute(by="all")`'s, as before."""
    labels = [p.label for p in content.release_periods("2024-H1")]
    with _engine(small) as engine:
        expected = compute(engine, default_profile, period=labels, by="all")
    columns = list(by_default.columns)
    expected = expected[columns].assign(
        obs_status=content.released_codes(expected["obs_status"], "preliminary"),
        unit_mult=expected["unit_mult"].astype("int32"),
        value=expected["value"].astype("float64"),
    )
    expected = expected.sort_values(columns[:6], ignore_index=True)
    pd.testing.assert_frame_equal(by_default, expected)
    assert set(by_default["cut"]) == set(CUTS)
    assert {"YTD_LEVEL", "YTD_GROWTH"} <= set(
        by_default.loc[by_default["cut"] == "partner", "indicator"]
    )


def test_the_moroccan_tables_publish_only_their_cells(small: Digex, moroccan: pd.DataFrame) -> None:
    found = moroccan
    tables = {t.cut: t for t in small.profile.tables}
    assert set(found["cut"]) == set(tables)
    grid = found[["cut", "freq"]].drop_duplicates()
    for cut, freq in zip(grid["cut"], grid["freq"], strict=True):
        assert freq in tables[cut].freqs, (cut, freq)
    assert set(found.loc[found["cut"] == "partner", "freq"]) == {"A"}
    assert set(found.loc[found["cut"] == "ebops", "freq"]) == {"A", "Q"}
    assert set(found.loc[found["cut"] == "total", "freq"]) == {"A", "H", "Q", "M"}
    # imports only as the sector's total; the balance only there
    assert set(found.loc[found["flow"] == "M", "cut"]) == {"total"}
    assert set(found.loc[found["flow"] == "N", "cut"]) == {"total"}
    # year to date only in the tables that have it
    ytd = found[found["indicator"].isin(["YTD_LEVEL", "YTD_GROWTH"])]
    assert set(ytd["cut"]) == {"total", "segment"}
    # a cell by hand: the French market in 2024 and 2023 (ITO's and KPO's exports)
    level = found[
        (found["indicator"] == "LEVEL")
        & (found["cut"] == "partner")
        & (found["member"] == "FR")
        & (found["flow"] == "X")
    ].set_index("period")["value"]
    for year in (2023, 2024):
        by_hand = sum(amount(year, m, 1000) + amount(year, m, 20) for m in range(1, 13))
        assert Decimal(repr(float(level[str(year)]))) == by_hand


def test_the_rows_kept_are_the_computed_ones_unchanged(
    moroccan: pd.DataFrame, by_default: pd.DataFrame
) -> None:
    """Where both releases hold a figure (single cuts, the half-year's periods), the tables
    only chose rows: the values, units and statuses are the default release's."""
    key = ["indicator", "freq", "period", "cut", "member", "flow"]
    year = moroccan[moroccan["period"].isin(set(by_default["period"]))]
    joined = year.merge(by_default, on=key, how="inner", suffixes=("", "_all"))
    single = year[year["cut"].isin(CUTS)]
    assert len(joined) == len(single) > 0
    for column in ("value", "unit", "obs_status", "completeness"):
        assert (joined[column] == joined[f"{column}_all"]).all(), column
    assert not ((moroccan["cut"] == "partner") & (moroccan["freq"] == "M")).any()
    assert ((by_default["cut"] == "partner") & (by_default["freq"] == "M")).any()


def test_published_keeps_a_table_s_grid_and_the_auxiliary_rows() -> None:
    tables = (
        PublishedTable("total", ("A", "M"), ytd=True),
        PublishedTable("segment_partner", ("A", "H"), False, (Coarser(("KPO.*",), ("A",)),)),
    )
    tables = (
        *tables,
        PublishedTable("region", ("A",), False, (), ("X",)),
    )
    rows = [
        ("LEVEL", "A", "total", "_T", True),
        ("LEVEL", "A", "region", "150", True),
        ("LEVEL", "A", "region", "150", False, "M"),  # exports only
        ("BALANCE", "A", "region", "150", False, "N"),  # a balance needs both flows
        ("BALANCE", "A", "total", "_T", True, "N"),
        ("YTD_LEVEL", "M", "total", "_T", True),
        ("LEVEL", "Q", "total", "_T", False),  # no Q in the total's table
        ("LEVEL", "H", "segment_partner", "ITO.FR", True),
        ("LEVEL", "H", "segment_partner", "KPO.FR", False),  # the coarser grid: A only
        ("SHARE", "A", "segment_partner", "KPO.FR", True),
        ("YTD_GROWTH", "A", "segment_partner", "ITO.FR", False),  # no year to date here
        ("LEVEL", "A", "partner", "FR", False),  # no table for the cut
        ("JOBS", "A", "total", "_T", True),  # the jobs series, as it comes
        ("SERIES_LEVEL", "A", "total", "EXPORTS_3SEG", True),
    ]
    frame = pd.DataFrame(
        [(*r[:4], r[5] if len(r) > 5 else "X") for r in rows],
        columns=["indicator", "freq", "cut", "member", "flow"],
    ).assign(value=range(len(rows)))
    kept = content.published(frame, tables, registry())
    assert kept["value"].tolist() == [n for n, r in enumerate(rows) if r[4]]
    assert content.published(frame.iloc[0:0], tables, registry()).empty
