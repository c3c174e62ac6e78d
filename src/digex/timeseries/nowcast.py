"""The nowcast of a full year from its first months: the result every method returns, its
tidy and JSON forms, and the one entry point that dispatches to a method.

A nowcast is an estimate, not an observation: its rows carry the indicator NOWCAST_LEVEL and
the SDMX observation status F (forecast), and never hold an observed value. The year to date
it starts from is observed and is reported apart (`digex.timeseries.nowcast_report`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from digex.errors import NowcastError, UsageError
from digex.timeseries.nowcast_predictive import Predictive

INDICATOR: Final = "NOWCAST_LEVEL"
FORECAST: Final = "F"
"""SDMX OBS_STATUS of a forecast: the status of every nowcast row, and of no observed one."""
LEVELS: Final = (0.80, 0.95)
Method = Literal["ratio", "model"]
METHODS: Final[tuple[Method, ...]] = ("ratio", "model")
COLUMNS: Final = (
    "indicator",
    "freq",
    "period",
    "cut",
    "member",
    "value",
    "lower_80",
    "upper_80",
    "lower_95",
    "upper_95",
    "unit",
    "obs_status",
    "method",
    "months",
)


@dataclass(frozen=True)
class Nowcast:
    """One method's estimate of one series' full year after `months` months.

    `value` is the point; the intervals are central (the year falls below `lower_80` with
    probability 10 %). `predictive` is the distribution they come from, kept for the
    probability of reaching a level; it is not part of the tidy or JSON forms."""

    year: int
    cut: str
    member: str
    method: Method
    months: int
    value: float
    lower_80: float
    upper_80: float
    lower_95: float
    upper_95: float
    unit: str
    spec: str
    """What the method read and chose, in a few words (the ratios' years, the ETS form): what
    a frozen nowcast needs beside its numbers to be understood."""
    predictive: Predictive = field(repr=False, compare=False)

    def row(self) -> dict[str, Any]:
        return {
            "indicator": INDICATOR,
            "freq": "A",
            "period": str(self.year),
            "cut": self.cut,
            "member": self.member,
            "value": self.value,
            "lower_80": self.lower_80,
            "upper_80": self.upper_80,
            "lower_95": self.lower_95,
            "upper_95": self.upper_95,
            "unit": self.unit,
            "obs_status": FORECAST,
            "method": self.method,
            "months": self.months,
        }

    def to_json(self) -> dict[str, Any]:
        """The row with plain JSON types (floats, strings, an int), and the method's `spec`."""
        return {**{k: plain(v) for k, v in self.row().items()}, "spec": self.spec}

    def inside(self, actual: float, level: float) -> bool:
        """Whether `actual` falls in the interval at `level` (0.80 or 0.95), bounds included."""
        low, high = (
            (self.lower_80, self.upper_80) if level == 0.80 else (self.lower_95, self.upper_95)
        )
        return low <= actual <= high


def plain(value: Any) -> Any:
    """A value JSON writes as itself: numpy scalars as Python ones, a missing number as null."""
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and math.isnan(value) else value


def to_frame(nowcasts: Iterable[Nowcast]) -> pd.DataFrame:
    """Nowcasts as tidy rows (COLUMNS), one per series and method."""
    return pd.DataFrame([n.row() for n in nowcasts], columns=list(COLUMNS))


def with_intervals(predictive: Predictive) -> dict[str, float]:
    """The 80 % and 95 % central intervals of a predictive distribution."""
    out: dict[str, float] = {}
    for level in LEVELS:
        tail = (1 - level) / 2
        name = round(level * 100)
        out[f"lower_{name}"] = predictive.quantile(tail)
        out[f"upper_{name}"] = predictive.quantile(1 - tail)
    return out


@dataclass(frozen=True)
class Known:
    """What a method starts from: the series up to the last month used, and which year."""

    history: pd.Series
    """Monthly values (PeriodIndex, freq M) up to and including month `months` of `year`."""
    year: int
    months: int
    name: str
    """How messages name the series (its cut and member)."""

    @property
    def years(self) -> np.ndarray:
        """The year of each month of `history`."""
        return np.asarray(pd.PeriodIndex(self.history.index, freq="M").year)

    @property
    def year_to_date(self) -> float:
        return float(self.history[self.years == self.year].sum())


def known(monthly: pd.Series, year: int, months: int, name: str = "the series") -> Known:
    """The part of `monthly` a nowcast of `year` after `months` months may read: nothing
    later, so that a backtest made from it is what would have been said at the time."""
    if not 1 <= months <= 11:
        raise UsageError(
            f"months={months}: a nowcast is made after 1 to 11 months of the year (after 12 "
            "the year is observed)"
        ).naming(months=months)
    index = pd.PeriodIndex(monthly.index, freq="M")
    series = pd.Series(monthly.to_numpy(dtype="float64"), index=index)
    last = pd.Period(f"{year}-{months:02d}", freq="M")
    history = series[series.index <= last]
    have = int((np.asarray(pd.PeriodIndex(history.index, freq="M").year) == year).sum())
    if have == 0:
        raise NowcastError(f"{name}: the store has no complete month of {year} to nowcast it from")
    if have < months:
        raise NowcastError(
            f"{name}: {year} has {have} complete month(s) in the store, the nowcast asks for "
            f"{months}: load the missing months or ask for fewer (months={have})"
        ).naming(months=have)
    return Known(history, year, months, name)


def nowcast(
    monthly: pd.Series,
    year: int,
    months: int,
    method: Method,
    *,
    cut: str = "total",
    member: str = "_T",
    unit: str = "",
) -> Nowcast:
    """`method`'s nowcast of `year` from its first `months` months of `monthly`."""
    from digex.timeseries.nowcast_model import model_nowcast
    from digex.timeseries.nowcast_ratio import ratio_nowcast

    runners: Mapping[str, Callable[[Known], tuple[float, Predictive, str]]] = {
        "ratio": ratio_nowcast,
        "model": model_nowcast,
    }
    if method not in runners:
        raise UsageError(f"method={method}: the nowcast methods are {', '.join(METHODS)}").naming(
            method=method
        )
    what = known(monthly, year, months, f"{cut} {member}")
    point, predictive, spec = runners[method](what)
    return Nowcast(
        year,
        cut,
        member,
        method,
        months,
        point,
        **with_intervals(predictive),
        unit=unit,
        spec=spec,
        predictive=predictive,
    )
