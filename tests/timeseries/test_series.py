"""`digex.timeseries.series`: the complete monthly or quarterly series of a cut, from a tiny
store built here (two firms of two segments, amounts in MAD, sums checked by hand)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from tests.disclosure.fixtures import FIRMS, Row, tiny_store

from digex.errors import UsageError
from digex.timeseries.series import series


def _rows(months: list[str]) -> list[Row]:
    """ITO: 1,000 MAD times the month's number; BPO: 500 plus it."""
    rows: list[Row] = []
    for month in months:
        m = int(month[5:])
        for segment, firm, amount in (("ITO", "I1", 1000 * m), ("BPO", "B1", 500 + m)):
            rows.append(
                (f"D{len(rows)}", month, FIRMS[firm], segment, "FR", "MAD", f"{amount}.00", "X")
            )
    return rows


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("series")
    months = [f"2024-{m:02d}" for m in range(1, 7)]
    with tiny_store(folder, _rows(months)) as db:
        path = db.path
    return path


@pytest.fixture(scope="module")
def gapped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("gapped")
    with tiny_store(folder, _rows(["2024-01", "2024-02", "2024-04"])) as db:
        path = db.path
    return path


def test_one_column_per_member_and_the_total(store: Path) -> None:
    total = series(store)
    assert list(total.columns) == ["_T"]
    assert isinstance(total.index, pd.PeriodIndex)
    assert total.index.freqstr == "M"
    # January: ITO 1,000 + BPO 501; June: 6,000 + 506
    assert total["_T"].tolist() == [1501.0, 2502.0, 3503.0, 4504.0, 5505.0, 6506.0]
    by_segment = series(store, by="segment")
    assert sorted(by_segment.columns) == ["BPO", "ITO"]
    assert by_segment.columns.name == "segment"
    assert by_segment.loc[pd.Period("2024-03", "M"), "BPO"] == 503.0


def test_quarters_sum_their_months_and_through_cuts(store: Path) -> None:
    quarters = series(store, freq="Q", by="segment")
    assert [str(p) for p in quarters.index] == ["2024Q1", "2024Q2"]
    assert quarters["ITO"].tolist() == [6000.0, 15000.0]  # 1+2+3, 4+5+6 thousand
    assert quarters["BPO"].tolist() == [1506.0, 1515.0]
    assert len(series(store, through="2024-04")) == 4


def test_a_gap_or_an_annual_frequency_is_refused(store: Path, gapped: Path) -> None:
    with pytest.raises(UsageError, match="2024-03"):
        series(gapped)
    with pytest.raises(UsageError, match="monthly"):
        series(store, freq="A")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="2023-12"):
        series(store, through="2023-12")
