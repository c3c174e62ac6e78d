"""The backtest's table and its recommendation on tiny hand-made data (the demo's backtest is
in test_nowcast_demo.py)."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest

from digex.timeseries.backtest import MIN_YEARS, backtest, recommend

SHAPE = [Fraction(v) for v in (8, 8, 9, 8, 8, 9, 8, 7, 8, 9, 9, 11)]
OTHER = [Fraction(v) for v in (7, 8, 9, 8, 8, 9, 8, 7, 8, 9, 9, 12)]


def ratio(year: list[Fraction], k: int = 3) -> Fraction:
    return sum(year, Fraction(0)) / sum(year[:k], Fraction(0))


def tiny() -> tuple[pd.Series, dict[int, list[Fraction]]]:
    """2019 and 2020 of two shapes; 2021 whose full year is exactly what the estimator says
    after 3 months; 2022 whose last nine months are half again what they should be."""
    y19 = [v * 10 for v in SHAPE]
    y20 = [v * 11 for v in OTHER]
    mean = (ratio(y19) + ratio(y20)) / 2
    first = [v * 12 for v in SHAPE[:3]]
    rest = [v * 12 for v in SHAPE[3:]]
    wanted = sum(first, Fraction(0)) * mean - sum(first, Fraction(0))
    y21 = first + [v * wanted / sum(rest, Fraction(0)) for v in rest]
    y22 = [v * 13 for v in SHAPE[:3]] + [v * 13 * Fraction(3, 2) for v in SHAPE[3:]]
    years = {2019: y19, 2020: y20, 2021: y21, 2022: y22}
    values = [float(v) for y in years.values() for v in y]
    return pd.Series(values, index=pd.period_range("2019-01", periods=48, freq="M")), years


def test_the_table_of_the_ratio_estimator_by_hand() -> None:
    monthly, years = tiny()
    done = backtest(monthly, 2023, horizons=(3,), methods=("ratio",))
    past = [years[2019], years[2020], years[2021]]
    point22 = sum(years[2022][:3], Fraction(0)) * sum(map(ratio, past), Fraction(0)) / 3
    actual22 = sum(years[2022], Fraction(0))
    ape22 = abs(point22 - actual22) / actual22 * 100
    trials = done.trials.set_index("year")
    assert list(trials.index) == [2021, 2022]  # 2019 and 2020 have too few earlier years
    assert trials.loc[2021, "ape"] == pytest.approx(0, abs=1e-9)
    assert trials.loc[2022, "ape"] == pytest.approx(float(ape22), rel=1e-12)
    table = done.table()
    assert len(table) == 1
    row = table.iloc[0]
    assert (row["method"], row["months"], row["years"]) == ("ratio", 3, 2)
    assert row["mape"] == pytest.approx(float(ape22 / 2), rel=1e-9)
    # 2021 is the interval's median, 2022 far above it (ratios of 2019-2021 differ by 1 %)
    assert (row["cover_80"], row["cover_95"]) == (50.0, 50.0)
    assert done.recommendation.method == "ratio"


def trials(*rows: tuple[int, int, str, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["year", "months", "method", "ape"])


def test_the_smaller_mape_is_recommended_on_the_pairs_both_were_tried_on() -> None:
    rows = [(y, k, "ratio", 2.0) for y in (2021, 2022, 2023) for k in (3, 6, 9)]
    rows += [(y, k, "model", 1.0) for y in (2021, 2022, 2023) for k in (3, 6, 9)]
    rows += [(2020, 3, "model", 50.0)]  # a year the ratio could not be tried on: not counted
    got = recommend(trials(*rows))
    assert (got.method, got.years) == ("model", 3)
    assert got.mape == {"ratio": 2.0, "model": 1.0}


def test_a_tie_or_too_few_years_keep_the_ratio_estimator() -> None:
    tied = [
        (y, 3, m, 1.0 + (0.001 if m == "model" else 0))
        for y in (1, 2, 3)
        for m in ("ratio", "model")
    ]
    assert recommend(trials(*tied)).method == "ratio"
    assert "tied" in recommend(trials(*tied)).reason
    few = [(y, 3, "ratio", 5.0) for y in range(1, MIN_YEARS)]
    few += [(y, 3, "model", 1.0) for y in range(1, MIN_YEARS)]
    got = recommend(trials(*few))
    assert (got.method, got.years) == ("ratio", MIN_YEARS - 1)
    assert f"fewer than {MIN_YEARS}" in got.reason
