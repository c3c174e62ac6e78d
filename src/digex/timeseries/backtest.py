"""How well each nowcast method would have done: every past complete year the store allows,
nowcast after 3, 6 and 9 months from what was known then, compared with the year as observed.

The error is the MAPE (mean absolute percentage error of the point), the coverage of an
interval the share of years whose actual falls inside it (an 80 % interval that is honest
covers about 80 % of years; with five years a coverage reads in steps of 20 points, which the
table says by giving the number of years).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from digex.errors import NowcastError
from digex.timeseries.nowcast import METHODS, Method, nowcast, plain

HORIZONS: Final = (3, 6, 9)
MIN_YEARS: Final = 3
"""Years both methods must have been tried on before one is recommended over the other: with
fewer, a lower MAPE is luck as often as skill, and the ratio estimator is kept."""
TIE: Final = 0.005
"""MAPE points within which two methods are tied (the table shows two decimals)."""
DEFAULT: Final[Method] = "ratio"
"""The method kept on a tie or with too few years: it reads no model, and a reader can redo
it by hand."""


@dataclass(frozen=True)
class Recommendation:
    method: Method
    reason: str
    mape: dict[str, float]
    """Each method's MAPE over the (year, months) pairs both were tried on."""
    years: int
    """Past years both methods were tried on."""

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "reason": self.reason,
            "mape": self.mape,
            "years": self.years,
        }


@dataclass(frozen=True)
class Backtest:
    trials: pd.DataFrame
    """One row per year, months and method: value, actual, ape (per cent), in_80, in_95."""
    recommendation: Recommendation

    def table(self) -> pd.DataFrame:
        """Per method and months: years tried, MAPE, coverage of the 80 % and 95 % intervals
        (per cents)."""
        t = self.trials
        if t.empty:
            return pd.DataFrame(
                columns=["method", "months", "years", "mape", "cover_80", "cover_95"]
            )
        grouped = t.groupby(["method", "months"], sort=True)
        out = grouped.agg(
            years=("year", "count"),
            mape=("ape", "mean"),
            cover_80=("in_80", "mean"),
            cover_95=("in_95", "mean"),
        ).reset_index()
        out["cover_80"] *= 100
        out["cover_95"] *= 100
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "table": [
                {k: plain(v) for k, v in row.items()}
                for row in self.table().to_dict(orient="records")
            ],
            "recommendation": self.recommendation.to_json(),
        }


def backtest(
    monthly: pd.Series,
    before: int,
    *,
    horizons: Sequence[int] = HORIZONS,
    methods: Sequence[Method] = METHODS,
) -> Backtest:
    """Each method's nowcasts of every complete year before `before` in `monthly`, after each
    of `horizons` months. A (year, months, method) the history is too short for is left out
    (the ratio estimator needs two earlier years, the model two years of months)."""
    index = pd.PeriodIndex(monthly.index, freq="M")
    of_month = np.asarray(index.year)
    found, counts = np.unique(of_month, return_counts=True)
    years = [int(y) for y, n in zip(found, counts, strict=True) if n == 12 and y < before]
    rows = []
    for year in years:
        actual = float(monthly[of_month == year].sum())
        for months in horizons:
            for method in methods:
                try:
                    n = nowcast(monthly, year, months, method)
                except NowcastError:
                    continue
                rows.append(
                    {
                        "year": year,
                        "months": months,
                        "method": method,
                        "value": n.value,
                        "actual": actual,
                        "ape": abs(n.value - actual) / abs(actual) * 100,
                        "in_80": n.inside(actual, 0.80),
                        "in_95": n.inside(actual, 0.95),
                    }
                )
    columns = ["year", "months", "method", "value", "actual", "ape", "in_80", "in_95"]
    trials = pd.DataFrame(rows, columns=columns)
    return Backtest(trials, recommend(trials, methods))


def recommend(trials: pd.DataFrame, methods: Sequence[Method] = METHODS) -> Recommendation:
    """The method of smaller MAPE, compared on the (year, months) pairs every method was
    tried on (a method is not favoured for having skipped the hardest, earliest years).

    Ties (within `TIE` points) and fewer than `MIN_YEARS` common years keep `DEFAULT`."""
    wide = trials.pivot_table(index=["year", "months"], columns="method", values="ape")
    both = wide.dropna()
    years = len(set(both.index.get_level_values("year"))) if not both.empty else 0
    mape: dict[str, float] = {
        str(m): float(both[m].mean()) for m in methods if m in both.columns and years
    }
    if len(methods) == 1:
        return Recommendation(methods[0], "the only method asked for", mape, years)
    if years < MIN_YEARS:
        return Recommendation(
            DEFAULT,
            f"{years} past year(s) to compare on, fewer than {MIN_YEARS}: the ratio "
            "estimator is kept",
            mape,
            years,
        )
    ranked = sorted(mape.items(), key=lambda kv: kv[1])
    (first, low), (_, second) = ranked[0], ranked[1]
    if second - low < TIE:
        return Recommendation(
            DEFAULT,
            f"MAPE tied within {TIE} points over {years} years: the ratio estimator is kept",
            mape,
            years,
        )
    chosen: Method = "ratio" if first == "ratio" else "model"
    return Recommendation(
        chosen,
        f"the smaller MAPE over {years} past years ({low:.2f} % against {second:.2f} %)",
        mape,
        years,
    )
