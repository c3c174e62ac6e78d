"""A dashboard view: the query's parameters checked against what the release holds, defaults
filled in, and the cut of the release each parameter selects.

The segment picks a member of the segment cut, the area a member of the region cut (an M49
code, all digits) or of the partner cut (an ISO code); the release holds no cross of the two,
so a view naming both is refused (404), as is any value the release does not hold, with the
values it does hold. The unit picks the level's indicator (LEVEL in the national currency,
LEVEL_USD, LEVEL_EUR). Everything is looked up in an index of what the release holds, built
once per served release.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from digex.errors import NotHeld
from digex.indicators.periods import Period, parse_period
from digex.publish.figures import Figure, FigureKey
from digex.web.dashboard import models
from digex.web.dashboard.words import words

if TYPE_CHECKING:
    from digex.publish.figures import ReleaseFigures
    from digex.web.catalogue import Catalogue, Served

TOTAL: Final = "_T"
FOREIGN: Final = {"USD": "LEVEL_USD", "EUR": "LEVEL_EUR"}
"""The level's indicator in a foreign unit (the national currency's is LEVEL)."""
FREQ_ORDER: Final = "AHQM"
SHOWN: Final = 20
"""Values named at most when a parameter names one the release does not hold."""


Key = tuple[str, str, str, str, str]
"""(indicator, period, cut, member, flow): a figure's key, as `FigureKey` orders it."""


@dataclass(frozen=True)
class Held:
    """What one release holds, indexed for the dashboard's lookups: its figures by key, the
    periods of each series, the members of each cut, the flows of each indicator.

    Built with whole columns (`ReleaseFigures.figure` iterates the Arrow-backed frame row
    by row, 0.6 s on the demo release, before its first answer); a `Figure` is made only for
    a key looked up, its value read back as the exact decimal the stored double stands for,
    as `digex.publish.figures` reads it."""

    rows: dict[Key, int]
    values: np.ndarray[Any, Any]
    units: np.ndarray[Any, Any]
    obs: np.ndarray[Any, Any]
    completeness: np.ndarray[Any, Any]
    conf: np.ndarray[Any, Any]
    at: dict[tuple[str, str, str, str], tuple[str, ...]]
    """(indicator, period, cut, flow) -> the members it holds, sorted."""
    periods: dict[tuple[str, str, str, str], tuple[str, ...]]
    """(indicator, cut, member, flow) -> its periods, coarsest frequency first, then in time."""
    members: dict[tuple[str, str], tuple[str, ...]]
    """(indicator, cut) -> its members, sorted."""
    flows: dict[str, tuple[str, ...]]
    """indicator -> its flows."""
    breaks: bool
    """Some figure is at or across a series break (OBS_STATUS B)."""

    def figure(
        self, indicator: str, period: str, cut: str, member: str, flow: str
    ) -> Figure | None:
        at = self.rows.get((indicator, period, cut, member, flow))
        if at is None:
            return None
        value = float(self.values[at])
        return Figure(
            FigureKey(indicator, period, cut, member, flow),
            None if value != value else Decimal(repr(value)),
            str(self.units[at]),
            str(self.obs[at]),
            str(self.completeness[at]),
            str(self.conf[at]),
        )

    def members_of(self, indicator: str, period: str, cut: str, flow: str) -> list[Figure]:
        """The figures of every member of `cut` the release holds, by member."""
        found = (
            self.figure(indicator, period, cut, m, flow)
            for m in self.at.get((indicator, period, cut, flow), ())
        )
        return [f for f in found if f is not None]


@cache
def period_order(label: str) -> tuple[int, int]:
    p = parse_period(label)
    return FREQ_ORDER.index(p.freq), p.ordinal


def end_month(p: Period) -> int:
    """The period's last month, counted from year 0 (to compare periods of any frequency)."""
    return p.year * 12 + p.last_month


def _latest(label: str) -> tuple[int, int]:
    """The latest period first, the coarsest of those ending in the same month."""
    p = parse_period(label)
    return end_month(p), -FREQ_ORDER.index(p.freq)


def held(served: Served) -> Held:
    """The index of `served` (built on first use, kept with the served release)."""
    found = served.__dict__.get("_dashboard_held")
    if isinstance(found, Held):
        return found
    o = served.figures.observations
    text = {
        c: o[c].astype(str).to_numpy(dtype=object)
        for c in ("indicator", "period", "cut", "member", "flow")
    }
    keys: list[Key] = list(
        zip(text["indicator"], text["period"], text["cut"], text["member"], text["flow"],
            strict=True)
    )  # fmt: skip
    series: dict[tuple[str, str, str, str], list[str]] = defaultdict(list)
    at: dict[tuple[str, str, str, str], list[str]] = defaultdict(list)
    members: dict[tuple[str, str], set[str]] = defaultdict(set)
    flows: dict[str, set[str]] = defaultdict(set)
    for indicator, period, cut, member, flow in keys:
        series[(indicator, cut, member, flow)].append(period)
        at[(indicator, period, cut, flow)].append(member)
        members[(indicator, cut)].add(member)
        flows[indicator].add(flow)
    found = Held(
        rows={k: i for i, k in enumerate(keys)},
        values=o["value"].to_numpy(dtype=float, na_value=np.nan),
        units=o["unit"].astype(str).to_numpy(dtype=object),
        obs=o["obs_status"].astype(str).to_numpy(dtype=object),
        completeness=o["completeness"].astype(str).to_numpy(dtype=object),
        conf=o["conf_status"].fillna("").astype(str).to_numpy(dtype=object),
        at={k: tuple(sorted(set(v))) for k, v in at.items()},
        periods={k: tuple(sorted(set(v), key=period_order)) for k, v in series.items()},
        members={k: tuple(sorted(v)) for k, v in members.items()},
        flows={k: tuple(sorted(v)) for k, v in flows.items()},
        breaks=bool((o["obs_status"] == "B").any()),
    )
    served.__dict__["_dashboard_held"] = found
    return found


@dataclass(frozen=True)
class View:
    """One resolved view of one served release."""

    served: Served
    lang: str
    period: Period
    segment: str
    area: str
    flow: str
    unit: str

    @property
    def figures(self) -> ReleaseFigures:
        return self.served.figures

    @property
    def release_id(self) -> str:
        return self.served.entry.release_id

    @property
    def held(self) -> Held:
        return held(self.served)

    @property
    def level(self) -> str:
        """The level's indicator in the view's unit."""
        return level_indicator(self.figures, self.unit)

    @property
    def national(self) -> bool:
        return self.unit == self.figures.profile.national_currency

    @property
    def cut(self) -> str:
        return cut_of(self.segment, self.area)

    @property
    def member(self) -> str:
        return self.segment if self.segment != TOTAL else self.area

    def series(
        self, indicator: str, cut: str | None = None, member: str | None = None
    ) -> tuple[str, ...]:
        """The periods the release holds of `indicator` for the view's member and flow."""
        key = (indicator, cut or self.cut, self.member if member is None else member, self.flow)
        return self.held.periods.get(key, ())

    def query(self) -> models.Query:
        return models.Query(
            release=self.release_id, lang=self.lang, period=self.period.label,
            segment=self.segment, area=self.area, flow=self.flow, unit=self.unit,
        )  # fmt: skip

    def params(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.query().model_dump().items()}


def cut_of(segment: str, area: str) -> str:
    if segment != TOTAL:
        return "segment"
    if area != TOTAL:
        return "region" if area.isdigit() else "partner"
    return "total"


def level_indicator(figures: ReleaseFigures, unit: str) -> str:
    return "LEVEL" if unit == figures.profile.national_currency else FOREIGN.get(unit, "")


def _refuse(name: str, value: str, served: Served, held_values: list[str]) -> NotHeld:
    shown = ", ".join(held_values[:SHOWN]) + (" ..." if len(held_values) > SHOWN else "")
    return NotHeld(
        f"{name}={value}: release {served.entry.release_id} holds no such {name} for this view "
        f"(it holds: {shown or 'none'})"
    ).naming(**{name: value})


def units(served: Served) -> list[str]:
    """The units the release holds the level in: the national currency first."""
    figures = served.figures
    national = figures.profile.national_currency
    flows = held(served).flows
    return [national] + [u for u, i in FOREIGN.items() if i in flows and u != national]


def resolve(
    catalogue: Catalogue,
    release: str | None,
    lang: str | None,
    period: str | None,
    segment: str | None,
    area: str | None,
    flow: str | None,
    unit: str | None,
) -> View:
    """The view these parameters ask for, or `NotHeld` (404) naming the first value the
    release does not hold and the values it does (`UnknownRelease` for the release)."""
    served = catalogue.release(release)
    figures = served.figures
    index = held(served)
    lang = lang or "en"
    languages = list(figures.profile.languages)
    if lang not in languages:
        raise _refuse("lang", lang, served, languages)
    unit = unit or figures.profile.national_currency
    if unit not in units(served):
        raise _refuse("unit", unit, served, units(served))
    level = level_indicator(figures, unit)
    flow = flow or "X"
    flows = [f for f in index.flows.get(level, ()) if f != "_Z"]
    if flow not in flows:
        raise _refuse("flow", flow, served, flows)
    segment = segment or TOTAL
    segments = list(index.members.get((level, "segment"), ()))
    if segment != TOTAL and segment not in segments:
        raise _refuse("segment", segment, served, [TOTAL, *segments])
    area = area or TOTAL
    areas = [*index.members.get((level, "region"), ()), *index.members.get((level, "partner"), ())]
    if area != TOTAL and area not in areas:
        raise _refuse("area", area, served, [TOTAL, *areas])
    if segment != TOTAL and area != TOTAL:
        raise NotHeld(
            f"segment={segment} with area={area}: {words('en')['no_cross']}; choose one of "
            "them and set the other to _T"
        ).naming(segment=segment, area=area)
    cut = cut_of(segment, area)
    periods = list(index.periods.get((level, cut, segment if segment != TOTAL else area, flow), ()))
    own = figures.period.label
    chosen = period or (own if own in periods or not periods else max(periods, key=_latest))
    if chosen not in periods:
        raise _refuse("period", chosen, served, periods)
    return View(served, lang, parse_period(chosen), segment, area, flow, unit)
