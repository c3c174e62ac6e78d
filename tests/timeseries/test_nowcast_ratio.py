"""The ratio estimator on a tiny series computed by hand: two past years and two months of
the third, the point with fractions, the intervals with Decimal logarithms and the Cauchy
quantile (a Student t with one degree of freedom), and the forms its result takes."""

from __future__ import annotations

import json
import math
from decimal import Decimal, getcontext
from fractions import Fraction

import pandas as pd
import pytest

from digex.errors import NowcastError, UsageError
from digex.timeseries.nowcast import COLUMNS, FORECAST, INDICATOR, nowcast, to_frame

Y2022 = [10, 12, 14, 13, 15, 16, 15, 14, 17, 18, 19, 27]
Y2023 = [11, 12, 16, 15, 15, 17, 16, 15, 18, 20, 21, 30]
Y2024 = [13, 14]


def monthly(*years: list[int], start: str = "2022-01") -> pd.Series:
    values = [float(v) for year in years for v in year]
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"))


def test_the_point_is_the_year_to_date_times_the_mean_past_ratio() -> None:
    r22 = Fraction(sum(Y2022), sum(Y2022[:2]))  # 210 / 22
    r23 = Fraction(sum(Y2023), sum(Y2023[:2]))  # 226 / 23
    point = sum(Y2024) * (r22 + r23) / 2
    got = nowcast(monthly(Y2022, Y2023, Y2024), 2024, 2, "ratio")
    assert got.value == pytest.approx(float(point), rel=1e-12)
    assert (got.method, got.months, got.member, got.cut) == ("ratio", 2, "_T", "total")


def test_the_intervals_are_t_quantiles_of_the_log_ratios() -> None:
    """n = 2 past years: sd of two logs = |l1 - l2| / sqrt(2), widened by sqrt(1 + 1/2) for
    a new year, t quantiles with 1 degree of freedom: tan(pi (p - 1/2))."""
    getcontext().prec = 40
    r22 = Decimal(sum(Y2022)) / Decimal(sum(Y2022[:2]))
    r23 = Decimal(sum(Y2023)) / Decimal(sum(Y2023[:2]))
    point = Decimal(sum(Y2024)) * (r22 + r23) / 2
    sd = abs(r22.ln() - r23.ln()) / Decimal(2).sqrt()
    scale = sd * (Decimal(3) / 2).sqrt()
    got = nowcast(monthly(Y2022, Y2023, Y2024), 2024, 2, "ratio")
    for level, low, high in (
        (0.80, got.lower_80, got.upper_80),
        (0.95, got.lower_95, got.upper_95),
    ):
        t = Decimal(repr(math.tan(math.pi * ((1 + level) / 2 - 0.5))))
        assert low == pytest.approx(float((point.ln() - t * scale).exp()), rel=1e-12)
        assert high == pytest.approx(float((point.ln() + t * scale).exp()), rel=1e-12)
    assert got.lower_95 < got.lower_80 < got.value < got.upper_80 < got.upper_95
    assert got.predictive.sf(got.value) == pytest.approx(0.5)  # the point is the median


def test_the_estimator_reads_nothing_after_the_months_used() -> None:
    """A month of 2024 after the second changes nothing: a backtest made from the store's
    whole series says what was known then."""
    short = nowcast(monthly(Y2022, Y2023, Y2024), 2024, 2, "ratio")
    longer = nowcast(monthly(Y2022, Y2023, [*Y2024, 1_000, 5]), 2024, 2, "ratio")
    assert longer == short


def test_what_it_cannot_say_is_refused_with_the_reason() -> None:
    with pytest.raises(NowcastError, match="needs 2 complete past years, the store has 1"):
        nowcast(monthly(Y2023, Y2024, start="2023-01"), 2024, 2, "ratio")
    with pytest.raises(NowcastError, match="2024 has 2 complete month"):
        nowcast(monthly(Y2022, Y2023, Y2024), 2024, 3, "ratio")
    with pytest.raises(UsageError, match="months=12"):
        nowcast(monthly(Y2022, Y2023, Y2024), 2023, 12, "ratio")


def test_a_nowcast_row_is_a_forecast_and_holds_no_observed_value() -> None:
    got = nowcast(monthly(Y2022, Y2023, Y2024), 2024, 2, "ratio", unit="MAD")
    frame = to_frame([got])
    assert list(frame.columns) == list(COLUMNS)
    row = frame.iloc[0]
    assert (row["indicator"], row["freq"], row["period"], row["obs_status"]) == (
        INDICATOR,
        "A",
        "2024",
        FORECAST,
    )
    observed = {float(sum(Y2024)), *map(float, Y2024)}
    assert not observed & {float(v) for v in row[["value", "lower_80", "upper_95"]]}
    as_json = json.loads(json.dumps(got.to_json()))
    assert as_json["obs_status"] == "F"
    assert as_json["value"] == got.value
    assert set(as_json) == {*COLUMNS, "spec"}
    assert as_json["spec"] == "mean of 2 past ratios (2022-2023), t(1) on their logs"
