"""The target path (geometric growth from the base year to the target) and the probability of
reaching this year's point of it: by hand, and monotone in the target."""

from __future__ import annotations

import dataclasses
from decimal import Decimal, getcontext
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digex.errors import NowcastError
from digex.profile import load_profile
from digex.timeseries.nowcast import nowcast
from digex.timeseries.nowcast_predictive import Draws, LogT
from digex.timeseries.target_path import (
    chance,
    exports_target,
    reach_probability,
    target_path,
)

PROFILE = load_profile("MA")
TARGET = exports_target(PROFILE)
BASE = 26_170_000_000.0


def annual(level: float = BASE) -> pd.Series:
    assert TARGET.base_year is not None
    return pd.Series([level * 0.9, level], index=[TARGET.base_year - 1, TARGET.base_year])


def test_the_path_grows_geometrically_from_the_base_year_to_the_target() -> None:
    getcontext().prec = 40
    path = target_path(TARGET, annual(), "MAD")
    assert TARGET.base_year is not None
    span = TARGET.year - TARGET.base_year
    growth = Decimal(TARGET.value) / Decimal(repr(BASE))
    two_years = Decimal(repr(BASE)) * (growth.ln() * 2 / span).exp()
    assert path.value(TARGET.base_year + 2) == pytest.approx(float(two_years), rel=1e-9)
    assert path.value(TARGET.base_year) == BASE
    assert path.value(TARGET.year) == pytest.approx(TARGET.value, rel=1e-9)
    rate = (growth.ln() / span).exp() - 1
    assert path.rate == pytest.approx(float(rate * 100), rel=1e-9)


def test_without_the_base_year_there_is_no_path() -> None:
    with pytest.raises(NowcastError, match=r"base year \(2023\) is not a complete year"):
        target_path(TARGET, pd.Series([BASE], index=[2021]), "MAD")


def test_the_probability_on_a_normal_predictive_by_hand() -> None:
    """2,000 draws at the normal's quantiles (i - 1/2)/2000: half are at or above the mean,
    10 % above mean + 1.2816 sd; a log-t with a huge df is a log-normal."""
    normal = NormalDist(mu=100.0, sigma=5.0)
    draws = Draws(np.array([normal.inv_cdf((i - 0.5) / 2000) for i in range(1, 2001)]))
    assert reach_probability(draws, 100.0) == 0.5
    assert reach_probability(draws, normal.inv_cdf(0.9)) == pytest.approx(0.1, abs=1 / 2000)
    assert reach_probability(draws, 90.0) == pytest.approx(1 - normal.cdf(90.0), abs=1 / 2000)
    log_normal = LogT(loc=np.log(100.0), scale=0.05, df=10**9)
    for level in (90.0, 100.0, 104.0, 110.0):
        by_hand = 1 - NormalDist(np.log(100.0), 0.05).cdf(float(np.log(level)))
        assert reach_probability(log_normal, level) == pytest.approx(by_hand, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(
    loc=st.floats(0, 30),
    scale=st.floats(0, 2),
    df=st.integers(1, 50),
    a=st.floats(1e-3, 1e13),
    b=st.floats(1e-3, 1e13),
)
def test_the_probability_falls_as_the_level_rises(
    loc: float, scale: float, df: int, a: float, b: float
) -> None:
    low, high = sorted((a, b))
    t = LogT(loc, scale, df)
    assert reach_probability(t, low) >= reach_probability(t, high)
    draws = Draws(np.random.default_rng(int(loc * 1000)).lognormal(loc, scale, 300))
    assert reach_probability(draws, low) >= reach_probability(draws, high)


@pytest.fixture(scope="module")
def ratio_nowcast() -> object:
    months = [2.0, 2.1, 2.3, 2.2, 2.2, 2.4, 2.3, 1.8, 2.2, 2.4, 2.5, 2.9]
    values = [v * 1e9 * g for g in (0.95, 1.0) for v in months] + [2.05e9, 2.2e9, 2.5e9]
    index = pd.period_range(f"{TARGET.base_year - 1}-01", periods=len(values), freq="M")
    return nowcast(pd.Series(values, index=index), TARGET.base_year + 1, 3, "ratio")


@settings(max_examples=8, deadline=None)
@given(goals=st.lists(st.integers(20_000_000_000, 80_000_000_000), min_size=2, max_size=3))
def test_the_chance_falls_as_the_target_rises(ratio_nowcast: object, goals: list[int]) -> None:
    """The target's value read through the profile's own rate computation: a higher target
    puts the path higher and the chance lower."""
    chances = [
        chance(target_path(dataclasses.replace(TARGET, value=g), annual(), "MAD"), ratio_nowcast)
        for g in sorted(goals)
    ]
    levels = [c.level for c in chances]
    probabilities = [c.probability for c in chances]
    assert levels == sorted(levels)
    assert probabilities == sorted(probabilities, reverse=True)
    for c in chances:
        assert c.probability == ratio_nowcast.predictive.sf(c.level)  # type: ignore[attr-defined]
