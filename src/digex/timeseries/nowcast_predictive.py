"""The predictive distribution of a full year: what its intervals and the probability of
reaching a level are both read from, so that the two never disagree.

Two shapes: a Student t on the log of the year (the ratio estimator, whose spread is estimated
from a handful of past years) and a sample of simulated years (the model, whose full-year sum
of correlated monthly errors has no closed form).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from scipy import stats


class Predictive(Protocol):
    """A distribution of the full year's level."""

    def quantile(self, p: float) -> float:
        """The level the year stays below with probability `p`."""
        ...

    def sf(self, level: float) -> float:
        """P(year >= level): the chance of reaching `level`."""
        ...


@dataclass(frozen=True)
class LogT:
    """log(year) = loc + scale * T, T a Student t with `df` degrees of freedom.

    A scale of 0 (every past ratio equal) is a point mass at exp(loc)."""

    loc: float
    scale: float
    df: int

    def quantile(self, p: float) -> float:
        if self.scale == 0:
            return math.exp(self.loc)
        return math.exp(self.loc + self.scale * float(stats.t.ppf(p, self.df)))

    def sf(self, level: float) -> float:
        if level <= 0:
            return 1.0
        z = math.log(level) - self.loc
        if self.scale == 0:
            return 1.0 if z <= 0 else 0.0
        return float(stats.t.sf(z / self.scale, self.df))


@dataclass(frozen=True)
class Draws:
    """Simulated full years, read as an empirical distribution."""

    values: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", np.sort(np.asarray(self.values, dtype="float64")))

    def quantile(self, p: float) -> float:
        return float(np.quantile(self.values, p))

    def sf(self, level: float) -> float:
        """The share of draws at or above `level` (searchsorted on the sorted draws: exact and
        monotone in `level`)."""
        below = int(np.searchsorted(self.values, level, side="left"))
        return (len(self.values) - below) / len(self.values)
