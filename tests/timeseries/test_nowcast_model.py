"""The ETS nowcast on a synthetic series whose full year is known: a trend, a strong seasonal
pattern with a December peak, and 1 % noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from digex.errors import NowcastError
from digex.timeseries.nowcast import nowcast

SEASON = np.array([0.90, 0.85, 1.00, 0.98, 0.97, 1.05, 1.02, 0.80, 1.00, 1.05, 1.08, 1.30])
TOLERANCE = 0.015
"""The point may miss the year by 1.5 %: the six months forecast carry 1 % noise each (about
0.2 % of the year) and a trend estimated from five and a half years."""


@pytest.fixture(scope="module")
def synthetic() -> pd.Series:
    rng = np.random.default_rng(7)
    t = np.arange(72)
    values = 100.0 * np.exp(0.004 * t) * np.tile(SEASON, 6) * np.exp(rng.normal(0, 0.01, 72))
    return pd.Series(values, index=pd.period_range("2019-01", periods=72, freq="M"))


def test_the_model_finds_the_full_year_within_the_tolerance(synthetic: pd.Series) -> None:
    actual = float(synthetic["2024"].sum())
    got = nowcast(synthetic, 2024, 6, "model")
    assert abs(got.value - actual) / actual < TOLERANCE
    assert got.lower_95 <= actual <= got.upper_95
    assert got.lower_95 < got.lower_80 < got.value < got.upper_80 < got.upper_95
    # the year to date is observed: the interval of the year is that of the other six months
    assert got.lower_95 > float(synthetic["2024-01":"2024-06"].sum())


def test_it_reads_nothing_after_the_months_used_and_repeats_itself(synthetic: pd.Series) -> None:
    """Seeded simulation: the same history gives the same intervals; later months (here
    doubled) change nothing."""
    changed = synthetic.copy()
    changed["2024-07":] *= 2
    assert nowcast(changed, 2024, 6, "model") == nowcast(synthetic, 2024, 6, "model")


def test_too_short_a_history_is_refused(synthetic: pd.Series) -> None:
    with pytest.raises(NowcastError, match="needs 24 months of history, the store has 15"):
        nowcast(synthetic["2020-01":], 2021, 3, "model")
