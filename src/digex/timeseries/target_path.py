"""The target path and the chance of being on it this year.

The path is the level each year would have if exports grew at a constant rate from the
target's base year (the strategy's baseline) to the target in its year: geometric growth. Its
rate is the profile's CAGR_NEEDED measured from the base year, computed by the indicators'
own `progress_rows` (one definition of the rate; the target's numbers are read from the
profile, never written here). The probability of reaching this year's point of the path is
read from the predictive distribution of the nowcast of the year.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from digex.errors import NowcastError
from digex.indicators.targets import progress_rows
from digex.profile import CountryProfile, Target
from digex.timeseries.nowcast import Nowcast
from digex.timeseries.nowcast_predictive import Predictive


@dataclass(frozen=True)
class TargetPath:
    target: str
    base_year: int
    base_level: float
    target_year: int
    goal: float
    rate: float
    """Growth a year along the path, per cent."""

    def value(self, year: int) -> float:
        """The path's level in `year`."""
        return self.base_level * (1 + self.rate / 100) ** (year - self.base_year)


def exports_target(profile: CountryProfile) -> Target:
    """The profile's target of exports (the one a nowcast of exports is measured against)."""
    found = [t for t in profile.targets if t.measure == "exports"]
    if not found:
        raise NowcastError(f"profile {profile.label}: no target of exports ([[targets]])")
    return found[0]


def target_path(target: Target, annual: pd.Series, national_currency: str) -> TargetPath:
    """The path of `target` from the level of its base year in `annual` (complete years'
    exports, indexed by year)."""
    base = target.base_year
    if base is None or base not in annual.index:
        raise NowcastError(
            f"target {target.id}: its base year ({base}) is not a complete year of the store: "
            "the target path starts from that year's level"
        )
    start = pd.Series([float(annual.loc[base])], index=[base])
    rows = progress_rows(target, start, national_currency, "X")
    rate = rows.loc[rows["indicator"] == "CAGR_NEEDED", "value"]
    if rate.empty:
        raise NowcastError(f"target {target.id}: no growth rate from {base} to {target.year}")
    return TargetPath(
        target.id, base, float(start.iloc[0]), target.year, float(target.value), float(rate.iloc[0])
    )


def reach_probability(predictive: Predictive, level: float) -> float:
    """P(full year >= level) under the predictive distribution."""
    return predictive.sf(level)


@dataclass(frozen=True)
class TargetChance:
    """The chance that the year reaches its point of the path, by one method's nowcast."""

    path: TargetPath
    year: int
    level: float
    probability: float
    method: str

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.path.target,
            "base_year": self.path.base_year,
            "base_level": self.path.base_level,
            "target_year": self.path.target_year,
            "rate": self.path.rate,
            "year": self.year,
            "path_level": self.level,
            "probability": self.probability,
            "method": self.method,
        }


def chance(path: TargetPath, nowcast: Nowcast) -> TargetChance:
    level = path.value(nowcast.year)
    return TargetChance(
        path, nowcast.year, level, reach_probability(nowcast.predictive, level), nowcast.method
    )
