"""The STL fallback: a robust STL decomposition (statsmodels) where X-13 cannot fit a series.

STL needs no model: it adjusts a series X-13 refuses (shorter than three years, or one whose
model does not converge) as long as it covers two full years. A multiplicative pattern (the
usual one: seasonal swings that grow with the level) is decomposed on the log of the series
and turned back into factors; a series with a zero or negative value is decomposed as it is,
its seasonal component then an additive one. STL has no calendar regressors: its adjusted
series keeps the calendar effects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from digex.errors import AdjustmentFailed
from digex.timeseries.diagnostics import Diagnostics, from_stl

__all__ = ["SEASONAL_WINDOW", "StlFit", "fit"]

SEASONAL_WINDOW = 13
"""The seasonal smoother's span in years (odd): wide enough that one unusual year moves the
factors little, as X-11's default 3x5 filter does."""


@dataclass(frozen=True)
class StlFit:
    transform: str
    """`log` (multiplicative factors) or `none` (additive components)."""
    adjusted: pd.Series
    seasonal: pd.Series
    """Factors around 1 (log) or amounts around 0 (none)."""
    trend: pd.Series
    diagnostics: Diagnostics


def periods_per_year(index: pd.PeriodIndex) -> int:
    return 12 if index.freqstr.startswith("M") else 4


def fit(series: pd.Series, *, transform: str = "auto", window: int = SEASONAL_WINDOW) -> StlFit:
    """Decompose `series` (PeriodIndex, monthly or quarterly); `transform` `auto` takes the
    log when every value is positive."""
    from statsmodels.tsa.seasonal import STL  # type: ignore[import-untyped]

    index = series.index
    assert isinstance(index, pd.PeriodIndex)
    period = periods_per_year(index)
    values = series.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise AdjustmentFailed(f"series {series.name}: missing or non-finite values")
    if len(values) < 2 * period:
        raise AdjustmentFailed(
            f"series {series.name}: {len(values)} periods, and seasonal adjustment needs two "
            f"full years ({2 * period}) at least"
        )
    if transform == "auto":
        transform = "log" if (values > 0).all() else "none"
    if transform == "log" and not (values > 0).all():
        raise AdjustmentFailed(f"series {series.name}: a log transform needs positive values")
    on = np.log(values) if transform == "log" else values
    result = STL(on, period=period, seasonal=window, robust=True).fit()
    seasonal = np.asarray(result.seasonal, dtype=float)
    trend = np.asarray(result.trend, dtype=float)
    remainder = np.asarray(result.resid, dtype=float)
    if transform == "log":
        factors, level = np.exp(seasonal), np.exp(trend)
        adjusted = values / factors
    else:
        factors, level = seasonal, trend
        adjusted = values - seasonal
    return StlFit(
        transform=transform,
        adjusted=pd.Series(adjusted, index=index, dtype=float),
        seasonal=pd.Series(factors, index=index, dtype=float),
        trend=pd.Series(level, index=index, dtype=float),
        diagnostics=from_stl(pd.Series(seasonal), pd.Series(remainder), period),
    )
