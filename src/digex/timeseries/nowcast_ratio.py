"""The ratio estimator: this year's year to date times the average, over past complete years,
of full year / year to date after the same number of months.

It assumes that the share of the year earned by the end of month k is stable from one year to
the next, which a seasonal pattern without breaks makes roughly true; it reads no model.

Intervals. A past year's ratio r_j is what this year's ratio would have been had it been that
year; the spread of the n past ratios is all there is to measure uncertainty with, and n is
small (five or six years). The intervals are a prediction interval for a new ratio, built on
the logs: log r is unbounded and its spread multiplicative (a year 5 % above its usual share
is as likely as one 5 % below), and a Student t with n - 1 degrees of freedom accounts for a
standard deviation estimated from n values; the factor sqrt(1 + 1/n) adds the error of the
estimated mean to the new year's own deviation. Empirical quantiles of the ratios were set
aside: with n years the 2.5 % and 97.5 % quantiles are the smallest and largest ratio seen,
an interval that covers a new year only (n - 1)/(n + 1) of the time (67 % with five years),
whatever level it claims.

The interval is centred, in logs, on the point (the mean ratio, as the estimator is defined)
rather than on the mean of the log-ratios: the two differ by about half the variance of the
logs (0.005 % when the ratios vary by 1 %), and the point is then the median of the predictive
distribution.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from digex.errors import NowcastError
from digex.timeseries.nowcast import Known
from digex.timeseries.nowcast_predictive import LogT

MIN_YEARS = 2
"""Past complete years the estimator needs: one gives a point but no spread."""


def past_ratios(what: Known) -> dict[int, float]:
    """Full year / year to date after `what.months` months, for each complete year before
    `what.year` (a year with all twelve months in the history)."""
    h = what.history
    years = what.years
    months = np.asarray(pd.PeriodIndex(h.index, freq="M").month)
    ratios: dict[int, float] = {}
    for y in sorted(set(years[years < what.year])):
        of_year = h[years == y]
        if len(of_year) != 12:
            continue
        ytd = float(of_year[months[years == y] <= what.months].sum())
        full = float(of_year.sum())
        if ytd <= 0 or full <= 0:
            raise NowcastError(
                f"{what.name}: {y} has a year to date of {ytd} after {what.months} months: the "
                "ratio estimator needs positive levels"
            )
        ratios[int(y)] = full / ytd
    return ratios


def ratio_nowcast(what: Known) -> tuple[float, LogT, str]:
    """The point (year to date x mean past ratio), its predictive distribution and what it
    read."""
    ratios = past_ratios(what)
    n = len(ratios)
    if n < MIN_YEARS:
        raise NowcastError(
            f"{what.name}: the ratio estimator of {what.year} needs {MIN_YEARS} complete past "
            f"years, the store has {n} before it"
        )
    ytd = what.year_to_date
    if ytd <= 0:
        raise NowcastError(
            f"{what.name}: the year to date of {what.year} is {ytd}: the ratio estimator needs "
            "a positive level"
        )
    r = np.array(list(ratios.values()))
    point = ytd * float(r.mean())
    scale = float(np.log(r).std(ddof=1)) * math.sqrt(1 + 1 / n)
    spec = f"mean of {n} past ratios ({min(ratios)}-{max(ratios)}), t({n - 1}) on their logs"
    return point, LogT(math.log(point), scale, n - 1), spec
