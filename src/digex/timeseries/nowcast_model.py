"""The model-based nowcast: an exponential smoothing (ETS) state-space model of the monthly
series forecasts the months still to come; the full year is the observed year to date plus
their sum.

Two models are fitted and the one with the smaller AIC kept: additive errors and seasonality,
and multiplicative errors and seasonality (a seasonal swing that grows with the level, as
call-centre and IT revenues show), both with a damped additive trend (a trend carried on
forever overshoots). Their likelihoods are of the same data, so their AICs compare. The
initial states come from the classical heuristic (a decomposition of the first two years)
rather than being estimated with the parameters: the optimiser then has four parameters, not
seventeen, which a backtest of a dozen nowcasts per series needs, at the cost of slightly
worse starting values on short series.

The interval of the year is not the sum of the months' intervals: the months' forecast errors
are correlated (a level that drifts up lifts every later month), so the year is simulated:
`REPETITIONS` sample paths of the remaining months from the fitted model (normal errors with
the fitted variance), summed, give the predictive distribution. The generator is seeded, so
the same data give the same intervals.
"""

from __future__ import annotations

import warnings
from typing import Any, Final

import numpy as np

from digex.errors import NowcastError
from digex.timeseries.nowcast import Known
from digex.timeseries.nowcast_predictive import Draws

MIN_MONTHS: Final = 24
"""Months of history the model needs: the heuristic start reads two full seasonal cycles."""
REPETITIONS: Final = 2000
"""Simulated years: the 2.5 % quantile then rests on 50 draws, a Monte Carlo error small
beside the width of the interval; simulating is cheap beside fitting."""
SEED: Final = 20_30
CANDIDATES: Final[tuple[dict[str, Any], ...]] = (
    {"error": "add", "trend": "add", "damped_trend": True, "seasonal": "add"},
    {"error": "mul", "trend": "add", "damped_trend": True, "seasonal": "mul"},
)


def fit(values: np.ndarray) -> Any:
    """The candidate of smaller AIC, fitted to `values` (scaled to a mean of 1: the optimiser
    then works on numbers near 1 whatever the currency)."""
    from statsmodels.tools.sm_exceptions import (  # type: ignore[import-untyped, unused-ignore]
        ConvergenceWarning,
    )
    from statsmodels.tsa.exponential_smoothing.ets import (  # type: ignore[import-untyped, unused-ignore]
        ETSModel,
    )

    best: Any = None
    for spec in CANDIDATES:
        model = ETSModel(values, seasonal_periods=12, initialization_method="heuristic", **spec)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            result = model.fit(disp=False)
        if np.isfinite(result.aic) and (best is None or result.aic < best.aic):
            best = result
    return best


def name(result: Any) -> str:
    """The fitted model's form in the usual ETS(error, trend, season) notation: ETS(M,Ad,M)."""
    model = result.model
    letter = {"add": "A", "mul": "M", None: "N"}
    trend = letter[model.trend] + ("d" if model.damped_trend else "")
    return f"ETS({letter[model.error]},{trend},{letter[model.seasonal]})"


def model_nowcast(what: Known) -> tuple[float, Draws, str]:
    """The point (year to date + the forecast months), the simulated full years, and the
    model kept (its ETS form and AIC)."""
    values = what.history.to_numpy(dtype="float64")
    if len(values) < MIN_MONTHS:
        raise NowcastError(
            f"{what.name}: the model nowcast of {what.year} needs {MIN_MONTHS} months of "
            f"history, the store has {len(values)} up to month {what.months}"
        )
    if (values <= 0).any():
        raise NowcastError(
            f"{what.name}: a month with no positive level before {what.year}-"
            f"{what.months:02d}: the multiplicative model cannot read it"
        )
    scale = float(values.mean())
    result = fit(values / scale)
    if result is None:
        raise NowcastError(f"{what.name}: no ETS model could be fitted to the series")
    ahead = 12 - what.months
    ytd = what.year_to_date
    forecast = np.asarray(result.forecast(ahead), dtype="float64") * scale
    paths = result.simulate(
        ahead, anchor="end", repetitions=REPETITIONS, rng=np.random.default_rng(SEED)
    )
    years = ytd + np.asarray(paths, dtype="float64").reshape(ahead, -1).sum(axis=0) * scale
    spec = f"{name(result)} on {len(values)} months, AIC {result.aic:.1f}"
    return ytd + float(forecast.sum()), Draws(years), spec
