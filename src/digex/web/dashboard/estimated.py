"""The estimates a served release froze beside its observations, indexed for the dashboard.

Kept apart from `digex.web.dashboard.view.Held` on purpose: an estimate (a seasonally adjusted
level, OBS_STATUS E; the nowcast of the year, F) is never an observation, so no lookup of an
observed figure can ever return one, and a chart or card shows an estimate only where it asks
for it by name. `ReleaseFigures.get` finds the estimates too, but only after indexing every
observation row by row (0.6 s on the demo release, which `Held` exists to avoid); the
estimates are a few thousand rows, read here as whole columns.

The estimates are of exports (flow X) in the national currency, of the total and of the
segments (`digex.releases.estimates`): their key names no unit, so the views that may show
them are checked by `shows_estimates`, never by the key alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from digex.publish.figures import BOUNDS, Figure, FigureKey

if TYPE_CHECKING:
    from digex.web.catalogue import Served
    from digex.web.dashboard.view import Key, View

FLOW: Final = "X"
CUTS: Final = frozenset({"total", "segment"})


@dataclass(frozen=True)
class Estimated:
    """The frozen estimates of one release by key (each nowcast's bounds under the indicator
    with the bound's suffix, `NOWCAST_LEVEL_LOWER_80`, as `ReleaseFigures.get` names them)."""

    figures: dict[Key, Figure]

    def figure(
        self, indicator: str, period: str, cut: str, member: str, flow: str
    ) -> Figure | None:
        return self.figures.get((indicator, period, cut, member, flow))


def _figure(key: Key, value: object, unit: str, status: str) -> Figure:
    number = None
    if isinstance(value, float) and value == value:
        number = Decimal(repr(value))  # the stored double's exact decimal, as figures reads it
    return Figure(FigureKey(*key), number, unit, status, "complete", "F")


def estimated(served: Served) -> Estimated:
    """The index of `served`'s estimates (built on first use, kept with the served release)."""
    found = served.__dict__.get("_dashboard_estimated")
    if isinstance(found, Estimated):
        return found
    e = served.figures.estimates
    figures: dict[Key, Figure] = {}
    columns = {c: e[c].astype(str).tolist() for c in ("indicator", "period", "cut", "member",
                                                       "flow", "unit", "obs_status")}  # fmt: skip
    values = {c: e[c].astype(float).tolist() for c in ("value", *BOUNDS)}
    for i, indicator in enumerate(columns["indicator"]):
        period, cut, member, flow = (columns[c][i] for c in ("period", "cut", "member", "flow"))
        unit, status = columns["unit"][i], columns["obs_status"][i]
        parts = [(indicator, values["value"][i])]
        if indicator == "NOWCAST_LEVEL":
            parts += [(f"NOWCAST_LEVEL_{b.upper()}", values[b][i]) for b in BOUNDS]
        for name, value in parts:
            key = (name, period, cut, member, flow)
            figures[key] = _figure(key, value, unit, status)
    found = Estimated(figures)
    served.__dict__["_dashboard_estimated"] = found
    return found


def shows_estimates(view: View) -> bool:
    """The view is one the release estimates: exports of the total or a segment, in the
    national currency."""
    return view.national and view.flow == FLOW and view.cut in CUTS


def estimate(view: View, indicator: str, period: str) -> Figure | None:
    """The frozen estimate `indicator` of the view's member in `period`, when the view is
    one the release estimates (None otherwise, or when it froze none: a series with a
    suppressed cell is neither adjusted nor forecast)."""
    if not shows_estimates(view):
        return None
    return estimated(view.served).figure(indicator, period, view.cut, view.member, view.flow)


@dataclass(frozen=True)
class Nowcast:
    """The forecast of the whole year a release of part of a year froze for a view's member,
    and its bounds (those it holds: `LOWER_80`, `UPPER_80`, `LOWER_95`, `UPPER_95`)."""

    year: str
    month: str
    """The release's last month: the forecast read the months up to it."""
    value: Decimal
    bounds: dict[str, Decimal]
    status: str
    """The forecast's OBS_STATUS (F)."""

    def interval(self, level: int) -> tuple[Decimal, Decimal] | None:
        low, high = self.bounds.get(f"LOWER_{level}"), self.bounds.get(f"UPPER_{level}")
        return None if low is None or high is None else (low, high)


def nowcast(view: View) -> Nowcast | None:
    """The forecast of the year of the view's release, for a view of that year (a view of an
    earlier year has its observed figures) the release estimates; None for an annual
    release, or one that froze no forecast of the view's member."""
    from digex.indicators.periods import Period

    p = view.figures.period
    if p.freq == "A" or view.period.year != p.year:
        return None
    year = str(p.year)
    point = estimate(view, "NOWCAST_LEVEL", year)
    if point is None or not point.available or point.value is None:
        return None
    bounds = {}
    for bound in BOUNDS:
        found = estimate(view, f"NOWCAST_LEVEL_{bound.upper()}", year)
        if found is not None and found.available and found.value is not None:
            bounds[bound.upper()] = found.value
    month = Period("M", p.year, p.last_month).label
    return Nowcast(year, month, point.value, bounds, point.obs_status)
