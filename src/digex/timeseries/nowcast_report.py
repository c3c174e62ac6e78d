"""Everything `digex nowcast` says about a year, computed from a store: each series' nowcasts,
its backtest and the method it recommends, the chance of reaching the target path, and the
observed year to date the nowcasts start from, kept apart from them.

The total is always nowcast (the target is one of total exports); `by` adds each member of a
cut. The recommended method is the backtest's, series by series.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import pandas as pd

from digex.errors import NowcastError, UsageError
from digex.timeseries.backtest import Backtest, backtest
from digex.timeseries.nowcast import (
    FORECAST,
    METHODS,
    Method,
    Nowcast,
    nowcast,
    plain,
    to_frame,
)
from digex.timeseries.series import series
from digex.timeseries.target_path import TargetChance, chance, exports_target, target_path

if TYPE_CHECKING:
    from digex.api import Digex

Choice = Literal["ratio", "model", "best", "all"]
CHOICES: Final[tuple[str, ...]] = ("ratio", "model", "best", "all")
OBSERVED: Final = ("indicator", "freq", "period", "cut", "member", "value", "unit", "obs_status")


@dataclass(frozen=True)
class NowcastReport:
    year: int
    months: int
    by: str
    unit: str
    nowcasts: tuple[Nowcast, ...]
    backtests: dict[str, Backtest]
    """Member -> its backtest (and recommendation)."""
    observed: pd.DataFrame
    """The store's YTD_LEVEL rows of the last month used, with their own status."""
    target: TargetChance | None
    notes: tuple[str, ...] = field(default=())
    """What could not be computed, and why."""

    def frame(self) -> pd.DataFrame:
        return to_frame(self.nowcasts)

    def to_json(self) -> dict[str, Any]:
        observed = [
            {k: plain(v) for k, v in row.items()} for row in self.observed.to_dict(orient="records")
        ]
        return {
            "year": self.year,
            "months": self.months,
            "by": self.by,
            "unit": self.unit,
            "source": "live",
            "estimates": {
                "obs_status": FORECAST,
                "label": "forecast: an estimate of the full year, not an observation",
                "nowcasts": [n.to_json() for n in self.nowcasts],
                "backtest": {m: b.to_json() for m, b in self.backtests.items()},
                "target": self.target.to_json() if self.target else None,
            },
            "observed": observed,
            "notes": list(self.notes),
        }


def _members(store_path: Path, by: str) -> dict[tuple[str, str], pd.Series]:
    """(cut, member) -> monthly series: the total first, then the cut's members."""
    found = {("total", "_T"): series(store_path, by="total")["_T"]}
    if by != "total":
        wide = series(store_path, by=by)
        found.update({(by, str(m)): wide[m] for m in wide.columns if m != "_T"})
    return found


def _default_months(total: pd.Series, year: int) -> int:
    index = pd.PeriodIndex(total.index, freq="M")
    have = int((index.year == year).sum())
    if have == 0:
        raise NowcastError(f"the store has no complete month of {year} to nowcast it from")
    if have == 12:
        raise UsageError(
            f"{year} is complete in the store: its figures are observed, not nowcast; ask "
            "months=K to see what K months would have said"
        ).naming(months="K")
    return have


def check_request(months: int | None, method: str) -> None:
    """Refuse what no store could answer, before one is read."""
    if method not in CHOICES:
        raise UsageError(f"method={method}: give one of {', '.join(CHOICES)}").naming(method=method)
    if months is not None and not 1 <= months <= 11:
        raise UsageError(
            f"months={months}: a nowcast is made after 1 to 11 months of the year (after 12 "
            "the year is observed)"
        ).naming(months=months)


def nowcast_report(
    store_path: Path,
    year: int,
    *,
    months: int | None = None,
    by: str = "total",
    method: str = "all",
) -> NowcastReport:
    """The nowcasts of `year` after `months` months (default: every complete month of it in
    the store), by `method` (ratio, model, the backtest's best, or all)."""
    from digex.api import Digex

    check_request(months, method)
    members = _members(store_path, by)
    total = members[("total", "_T")]
    k = months if months is not None else _default_months(total, year)
    with Digex.open(store_path, read_only=True) as store:
        profile = store.profile
        observed = _observed(store, year, k, by)
    unit = profile.national_currency
    nowcasts: list[Nowcast] = []
    backtests: dict[str, Backtest] = {}
    notes: list[str] = []
    best_total: Nowcast | None = None
    for (cut, member), monthly in members.items():
        tested = backtest(monthly, year)
        backtests[member] = tested
        best = tested.recommendation.method
        wanted = _wanted(method, best)
        made = {}
        for m in dict.fromkeys((*wanted, best) if member == "_T" else wanted):
            try:
                made[m] = nowcast(monthly, year, k, m, cut=cut, member=member, unit=unit)
            except NowcastError as e:
                if method in ("ratio", "model") and m == method:
                    raise
                notes.append(str(e))
        nowcasts.extend(made[m] for m in wanted if m in made)
        if member == "_T":
            best_total = made.get(best)
    if not nowcasts:
        raise NowcastError(f"no nowcast of {year} could be made: {'; '.join(notes)}")
    target = _target(profile, total, best_total, unit, notes)
    return NowcastReport(
        year, k, by, unit, tuple(nowcasts), backtests, observed, target, tuple(notes)
    )


def _wanted(method: str, best: Method) -> tuple[Method, ...]:
    if method == "all":
        return METHODS
    if method == "best":
        return (best,)
    return ("ratio",) if method == "ratio" else ("model",)


def _target(
    profile: Any, total: pd.Series, best: Nowcast | None, unit: str, notes: list[str]
) -> TargetChance | None:
    if best is None:
        return None
    index = pd.PeriodIndex(total.index, freq="M")
    sums = total.groupby(index.year).agg(["sum", "count"])
    annual = sums.loc[sums["count"] == 12, "sum"]
    try:
        path = target_path(exports_target(profile), annual, unit)
    except NowcastError as e:
        notes.append(str(e))
        return None
    return chance(path, best)


def _observed(store: Digex, year: int, months: int, by: str) -> pd.DataFrame:
    period = f"{year}-{months:02d}"
    parts = [store.indicators(period, freq="M", by="total", indicators=["YTD_LEVEL"])]
    if by != "total":
        parts.append(store.indicators(period, freq="M", by=by, indicators=["YTD_LEVEL"]))
    rows = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(rows[list(OBSERVED)]).reset_index(drop=True)
