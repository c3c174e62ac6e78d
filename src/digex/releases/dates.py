"""The days a reference period covers, for rules stated in days (deadlines, series breaks)."""

from __future__ import annotations

import datetime as dt

from digex.indicators.periods import PER_YEAR, Period


def month_end(year: int, month: int) -> dt.date:
    """The last day of `month` of `year`; a month past 12 runs into the following years."""
    index = year * 12 + month  # the next month, counted from January of year 0
    return dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)


def period_start(period: Period) -> dt.date:
    return dt.date(period.year, period.first_month, 1)


def period_end(period: Period) -> dt.date:
    return month_end(period.year, period.last_month)


def shifted(period: Period, steps: int) -> Period:
    """The period `steps` periods later (earlier when negative) at the same frequency."""
    n = PER_YEAR[period.freq]
    ordinal = period.ordinal + steps
    return Period(period.freq, ordinal // n, ordinal % n + 1)
