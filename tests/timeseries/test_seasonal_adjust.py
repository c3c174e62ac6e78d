"""Seasonal adjustment (`digex.timeseries.adjust`) of series whose parts are known: made here
as trend x seasonal factors x calendar effects x noise, then adjusted with Morocco's calendar.

Tolerances (stated in docs/internals.md): over ten years of a series with 0.4 % noise, the
X-11 trend is within 1.5 % of the true trend in every month (0.6 % on average), the adjusted
series within 2 % of it, and the seasonal factors within 1.5 % of the true ones; the calendar
coefficients within 10 % of those put in.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from digex.errors import AdjustmentFailed, X13Failed
from digex.profile import load_profile
from digex.timeseries import x13
from digex.timeseries.adjust import Adjusted, AdjustmentSpec, adjust
from digex.timeseries.holidays import CalendarEffects, calendar_regressors

EFFECTS = load_profile("MA").calendar_effects
FACTORS = np.array([0.90, 0.92, 1.02, 1.00, 0.98, 1.05, 0.97, 0.85, 1.00, 1.03, 1.04, 1.24])
"""The seasonal pattern put in (December's year-end invoicing, August's holidays), scaled
below to a geometric mean of 1 as X-11's multiplicative factors are."""
WORKING_DAY = 0.01
"""Each working day above the month's long-run mean adds 1 % (on the log scale)."""
RAMADAN_DAY = -0.004
"""Each day of Ramadan above the month's long-run share takes 0.4 % off."""


def _effects() -> CalendarEffects:
    assert EFFECTS is not None
    return EFFECTS


def synthetic(end: str = "2024-12", seed: int = 1) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The series, its true trend and its true seasonal factors, monthly from 2015-01."""
    index = pd.period_range("2015-01", end, freq="M")
    t = np.arange(len(index))
    trend = 1e8 * np.exp(0.004 * t) * (1 + 0.02 * np.sin(2 * np.pi * t / 60))
    factors = FACTORS / np.exp(np.log(FACTORS).mean())
    seasonal = factors[index.month - 1]
    calendar = calendar_regressors(_effects(), index[0], index[-1])
    effect = np.exp(
        WORKING_DAY * calendar["working_days"].to_numpy()
        + RAMADAN_DAY * calendar["ramadan"].to_numpy()
    )
    noise = np.exp(0.004 * np.random.default_rng(seed).standard_normal(len(index)))
    values = trend * seasonal * effect * noise
    return (
        pd.Series(values, index=index, name="synthetic"),
        pd.Series(trend, index=index),
        pd.Series(seasonal, index=index),
    )


@pytest.fixture(scope="module")
def made() -> tuple[pd.Series, pd.Series, pd.Series, Adjusted]:
    series, trend, seasonal = synthetic()
    return series, trend, seasonal, adjust(series, effects=_effects())


def test_the_adjustment_recovers_the_trend_and_the_calendar_effects(
    made: tuple[pd.Series, pd.Series, pd.Series, Adjusted],
) -> None:
    _, trend, seasonal, adjusted = made
    assert adjusted.method == "x13"
    assert adjusted.reason is None
    assert adjusted.spec.transform == "log"
    error = (adjusted.trend / trend - 1).abs()
    assert error.max() < 0.015
    assert error.mean() < 0.006
    assert (adjusted.adjusted / trend - 1).abs().max() < 0.02
    assert (adjusted.seasonal / seasonal - 1).abs().max() < 0.015
    # the regressors put in are kept (|t| >= 1.96) and estimated; the Eids, not put in, dropped
    assert adjusted.spec.regressors == ("working_days", "ramadan")
    assert set(adjusted.tested) == {"working_days", "ramadan", "eid_al_fitr", "eid_al_adha"}
    assert all(abs(adjusted.tested[k]) < 1.96 for k in ("eid_al_fitr", "eid_al_adha"))
    assert adjusted.effects["working_days"].estimate == pytest.approx(WORKING_DAY, rel=0.1)
    assert adjusted.effects["ramadan"].estimate == pytest.approx(RAMADAN_DAY, rel=0.1)
    diagnostics = adjusted.diagnostics
    assert sorted(diagnostics.m, key=lambda k: int(k[1:])) == [f"M{i}" for i in range(1, 12)]
    assert diagnostics.q is not None
    assert diagnostics.q < 1
    assert diagnostics.sliding_spans == "stable"  # ten years form the spans
    assert diagnostics.identifiable_seasonality is True


def test_the_spec_round_trips_and_gives_the_same_factors(
    made: tuple[pd.Series, pd.Series, pd.Series, Adjusted],
) -> None:
    series, _, _, first = made
    spec = first.spec
    assert AdjustmentSpec.from_json(spec.to_json()) == spec
    assert AdjustmentSpec.from_toml(spec.to_toml()) == spec
    again = adjust(series, AdjustmentSpec.from_toml(spec.to_toml()), effects=_effects())
    assert again.spec == spec
    assert again.tested == {}  # given, not chosen
    assert np.array_equal(again.seasonal.to_numpy(), first.seasonal.to_numpy())
    assert np.array_equal(again.adjusted.to_numpy(), first.adjusted.to_numpy())
    # a later run, six more months in, keeps the model instead of choosing another
    longer, _, _ = synthetic("2025-06")
    later = adjust(longer, spec, effects=_effects())
    assert later.spec == spec
    assert later.model == first.model


def test_the_tidy_frame_holds_estimates_apart(
    made: tuple[pd.Series, pd.Series, pd.Series, Adjusted],
) -> None:
    _, _, _, adjusted = made
    frame = adjusted.frame(cut="segment", member="ITO")
    assert list(frame.columns) == [
        "indicator", "freq", "period", "cut", "member", "flow", "value", "adjustment",
        "obs_status",
    ]  # fmt: skip
    assert len(frame) == 3 * 120
    assert set(frame["obs_status"]) == {"E"}
    kinds = frame.groupby("indicator")["adjustment"].unique().map(list).to_dict()
    assert kinds == {"LEVEL_SA": ["S"], "TREND": ["S"], "SEASONAL_FACTOR": ["N"]}
    december = frame[(frame["period"] == "2024-12") & (frame["indicator"] == "LEVEL_SA")]
    assert december["value"].tolist() == [adjusted.adjusted.iloc[-1]]
    record = json.loads(adjusted.to_json())
    assert record["method"] == "x13"
    assert record["spec"] == adjusted.spec.to_dict()
    assert set(record["effects"]) == {"working_days", "ramadan"}
    assert record["diagnostics"]["m"]["M7"] == adjusted.diagnostics.m["M7"]


def test_a_quarterly_series_is_adjusted_with_quarterly_regressors() -> None:
    series, trend, _ = synthetic()
    quarters = series.groupby(series.index.asfreq("Q")).sum()
    true = trend.groupby(trend.index.asfreq("Q")).sum()
    adjusted = adjust(quarters, effects=_effects())
    assert adjusted.method == "x13"
    assert adjusted.spec.freq == "Q"
    assert "ramadan" in adjusted.spec.regressors  # 0.4 % a day: up to 12 % of a quarter
    assert (adjusted.trend / true - 1).abs().max() < 0.015
    assert adjusted.frame()["period"].iloc[-1] == "2024-Q4"


def test_a_series_x13_refuses_is_adjusted_by_stl_and_recorded_so() -> None:
    series, _, _ = synthetic("2017-06")  # 30 months: X-13 wants three full years
    adjusted = adjust(series, effects=_effects())
    assert adjusted.method == "stl"
    assert adjusted.reason is not None
    assert "3 complete years" in adjusted.reason
    assert adjusted.spec.transform == "log"  # a multiplicative pattern: STL on the log
    assert np.allclose(adjusted.adjusted * adjusted.seasonal, series)
    assert adjusted.diagnostics.q is None  # no X-11 statistics for STL
    assert adjusted.diagnostics.seasonal_strength is not None
    assert adjusted.diagnostics.seasonal_strength > 0.5
    assert json.loads(adjusted.to_json())["reason"] == adjusted.reason
    with pytest.raises(AdjustmentFailed, match="two full years"):
        adjust(series.iloc[:20], effects=_effects())


def test_a_zero_stretch_falls_back_to_an_additive_stl() -> None:
    series, _, _ = synthetic("2016-12")
    series.iloc[3:9] = 0.0  # X-13 cannot take the log, nor fit 24 months
    adjusted = adjust(series, effects=_effects())
    assert adjusted.method == "stl"
    assert adjusted.spec.transform == "none"
    assert np.allclose(adjusted.adjusted + adjusted.seasonal, series)


def test_bad_specs_and_a_missing_program_are_refused() -> None:
    with pytest.raises(AdjustmentFailed, match="model"):
        AdjustmentSpec(method="x13", freq="M", transform="log", model="(0 1)(1 1)")
    with pytest.raises(AdjustmentFailed, match="holiday"):
        AdjustmentSpec.from_json(
            '{"method": "stl", "freq": "M", "transform": "log", "regressors": ["holiday"]}'
        )
    series, _, _ = synthetic("2018-12")
    with pytest.raises(X13Failed, match="could not run"):
        x13.fit(series, program=Path("/nonexistent/x13as_html"))
    gap = series.copy()
    gap.iloc[[14, 30]] = np.nan  # a withheld cell: the series is not adjusted, by any method
    with pytest.raises(AdjustmentFailed, match=r"no value for 2016-03, 2017-07 \(withheld"):
        adjust(gap, effects=_effects())
    quarterly = AdjustmentSpec(method="stl", freq="Q", transform="log")
    with pytest.raises(AdjustmentFailed, match="frequency M"):
        adjust(series, quarterly)
