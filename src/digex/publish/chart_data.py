"""Which figures of a release each chart shows, as the rows of its Vega-Lite data.

A chart's data is the release's public view, nothing else: each row is one figure, named by
its key (`FigureKey.id`), with the value as stored (`value`, unscaled) and as the chart's axis
reads it (`shown`: money in billions, per cents as they are), both exact, never rounded. The
label drawn beside a bar (`text`) is the figure written as every other output of digex writes
it (half up, from the exact decimal, with the locale's separators, through
`digex.publish.numbers`): d3's own rounding works on the binary double and would write
12 950 000 000 MAD as 12.9 billion where the note says 13.0.

A confidential figure (CONF_STATUS C) has no value in the public view: it is left out of the
data, never drawn as zero, and the chart says which figures it left out (`Plotted.withheld`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Final

from digex.indicators.periods import Period, parse_period
from digex.indicators.registry import registry
from digex.indicators.status import ObsStatus
from digex.publish.chart_words import break_mark, directed, member_name, period_label
from digex.publish.figures import BOUNDS, TARGET_CUT, Figure, FigureKey, ReleaseFigures
from digex.publish.numbers import number, percent
from digex.publish.rounding import round_half_up

if TYPE_CHECKING:
    import pandas as pd

MONEY_SCALE: Final = 9
"""Money is drawn in billions (the axis title says so, naming the currency)."""
TOP_PARTNERS: Final = 10
SIGNED: Final = frozenset({"GROWTH_YOY", "GROWTH_POP", "YTD_GROWTH", "CAGR_NEEDED"})
"""Indicators whose label carries its sign (+0.2 %)."""

Row = dict[str, object]


@dataclass(frozen=True)
class Plotted:
    """The rows of one chart, and what it leaves out."""

    rows: list[Row]
    withheld: list[Figure] = field(default_factory=list)
    """Confidential figures the chart would have shown: absent from `rows`."""
    breaks: bool = False
    """Some row is at or across a series break (OBS_STATUS B): its period label carries the
    break's mark (`chart_words.break_mark`)."""

    def of(self, indicator: str) -> list[Row]:
        return [r for r in self.rows if r["indicator"] == indicator]


@dataclass(frozen=True)
class Reader:
    """A release read for the charts of one language."""

    release: ReleaseFigures
    lang: str

    @cached_property
    def locale(self) -> str:
        return self.release.profile.locale_for(self.lang)

    @cached_property
    def money(self) -> frozenset[str]:
        return frozenset(registry().money_units(self.release.profile.national_currency))

    @property
    def period(self) -> Period:
        return self.release.period

    def held(self, indicator: str, cut: str, freq: str, flow: str = "X") -> pd.DataFrame:
        """The release's rows of `indicator` on `cut` at `freq` (any value, any status)."""
        o = self.release.observations
        return o[
            (o["indicator"] == indicator)
            & (o["cut"] == cut)
            & (o["freq"] == freq)
            & (o["flow"] == flow)
        ]

    def plot(self, keys: Iterable[FigureKey]) -> Plotted:
        """The rows of the figures `keys` the release holds, confidential ones withheld (a
        key the release does not hold, or holds without a value, is not drawn)."""
        found = [f for f in (self.release.get(k) for k in keys) if f is not None]
        withheld = [f for f in found if f.confidential]
        shown = [f for f in found if f.available]
        marked = {f.key.period for f in shown if f.obs_status == ObsStatus.BREAK}
        rows = [self._row(f, f.key.period in marked) for f in shown]
        return Plotted(rows, withheld, bool(marked))

    def _row(self, f: Figure, mark: bool) -> Row:
        assert f.value is not None
        k = f.key
        scaled = f.value.scaleb(-MONEY_SCALE) if f.unit in self.money else f.value
        return {
            "key": k.id,
            "indicator": k.indicator,
            "period": k.period,
            "period_label": directed(
                period_label(k.period, self.lang, self.locale)
                + (f" {break_mark(self.lang)}" if mark else ""),
                self.lang,
            ),
            "cut": k.cut,
            "member": k.member,
            "name": directed(member_name(k.cut, k.member, self.lang, self.locale), self.lang),
            "unit": f.unit,
            "value": float(f.value),
            "shown": float(scaled),
            "text": self.text(k.indicator, scaled, money=f.unit in self.money),
        }

    def text(self, indicator: str, scaled: Decimal, *, money: bool) -> str:
        """The label of a figure already scaled as drawn, half up: per cents and billions to
        one decimal, less than a billion to two and less than 0.1 billion to three (as the
        tables: a small market is not written 0.0, which would read as nothing)."""
        if money:
            size = abs(scaled)
            return number(
                scaled, 1 if size >= 1 else 2 if size >= Decimal("0.1") else 3, self.locale
            )
        written = percent(scaled, 1, self.locale)
        if indicator in SIGNED and round_half_up(scaled, 1) > 0:
            return "+" + written
        return written


def annual(r: Reader) -> Plotted:
    """Levels and growth of the total at the release's frequency, for each year it holds
    (an annual release: its year and those before; a half-year release: that half of each
    year), up to the release's period."""
    p = r.period
    periods = sorted(
        {
            q.label
            for q in map(parse_period, r.held("LEVEL", "total", p.freq)["period"])
            if q.sub == p.sub and q.ordinal <= p.ordinal
        }
    )
    return r.plot(FigureKey(i, period) for period in periods for i in ("LEVEL", "GROWTH_YOY"))


def segments(r: Reader) -> Plotted:
    """The segments' shares of the release's period."""
    period = r.period.label
    return r.plot(f.key for f in r.release.members("SHARE", period, "segment"))


def halfyear(r: Reader) -> Plotted:
    """Half-year levels of the total and the segments against the same half a year earlier
    (an annual release: both halves of its year); growth of the latest halves. Empty when
    the release holds no half-year rows."""
    p = r.period
    if p.freq == "H":
        latest = [p.label]
    elif p.freq == "A":
        latest = [f"{p.year}-H1", f"{p.year}-H2"]
    else:
        return Plotted([])
    earlier = [f"{int(q[:4]) - 1}{q[4:]}" for q in latest]
    keys: list[FigureKey] = []
    for period in (*earlier, *latest):
        keys.append(FigureKey("LEVEL", period))
        keys += (f.key for f in r.release.members("LEVEL", period, "segment"))
    for period in latest:
        keys.append(FigureKey("GROWTH_YOY", period))
        keys += (f.key for f in r.release.members("GROWTH_YOY", period, "segment"))
    return r.plot(keys)


def nowcast(r: Reader) -> tuple[Plotted, list[Row]]:
    """The year-to-date level of each month of the release's year, and of the same months a
    year earlier; the frozen nowcast of the whole year (OBS_STATUS F) with its 80 % and 95 %
    bounds; and the fan between the last month observed and the year's end (computed from
    those figures, not a figure itself: its rows carry no `key`). Empty for an annual release
    and for one frozen without a nowcast, or whose year to date is confidential."""
    p = r.period
    year = str(p.year)
    point = FigureKey("NOWCAST_LEVEL", year)
    if p.freq == "A" or r.release.get(point) is None:
        return Plotted([]), []
    months = [f"{y}-{m:02d}" for y in (p.year - 1, p.year) for m in range(1, p.last_month + 1)]
    bounds = [FigureKey(f"NOWCAST_LEVEL_{b.upper()}", year) for b in BOUNDS]
    found = r.plot([*(FigureKey("YTD_LEVEL", m) for m in months), point, *bounds])
    for row in found.rows:
        period = str(row["period"])
        row["month"] = 12 if len(period) == 4 else int(period[5:])
        row["year"] = period[:4]
    shown = {str(row["indicator"]): float(str(row["shown"])) for row in found.rows}
    last = next(
        (x for x in found.of("YTD_LEVEL") if x["period"] == f"{year}-{p.last_month:02d}"), None
    )
    if last is None or "NOWCAST_LEVEL" not in shown:
        return Plotted([], found.withheld), []
    reached = float(str(last["shown"]))
    ends = {b: shown.get(f"NOWCAST_LEVEL_{b.upper()}", shown["NOWCAST_LEVEL"]) for b in BOUNDS}
    fan: list[Row] = [
        {
            "indicator": "FAN",
            "month": p.last_month,
            "shown": reached,
            **dict.fromkeys(BOUNDS, reached),
        },
        {"indicator": "FAN", "month": 12, "shown": shown["NOWCAST_LEVEL"], **ends},
    ]
    return found, fan


def partners(r: Reader) -> tuple[str, Plotted]:
    """The largest partner markets of the release's period (the partner cut is yearly);
    the regions when the release has no partner rows (a half-year release). Confidential
    markets are never ranked: they are left out before the largest are chosen."""
    period = r.period.label
    for cut in ("partner", "region"):
        members = r.release.members("LEVEL", period, cut)
        if members:
            break
    else:
        return "partner", Plotted([])
    ranked = sorted((f for f in members if f.available), key=lambda f: -(f.value or 0))
    kept = ranked[:TOP_PARTNERS] if cut == "partner" else ranked
    found = r.plot(f.key for f in kept)
    withheld = [f for f in members if f.confidential]
    return cut, Plotted(found.rows, withheld, found.breaks)


def target(r: Reader) -> tuple[Plotted, list[Row]]:
    """Progress toward the profile's (first) exports target: the yearly levels the release
    holds, the level reached, its share of the target and the growth needed; and the path
    that growth implies, year by year, up to the target's year (computed, not a figure of
    the release: its rows carry no `key`)."""
    goal = next((t for t in r.release.profile.targets if t.measure == "exports"), None)
    if goal is None:
        return Plotted([]), []
    rows = r.held("TARGET_LEVEL", TARGET_CUT, "A")
    rows = rows[rows["member"] == goal.id]
    if rows.empty:
        return Plotted([]), []
    year = str(max(rows["period"]))
    years = sorted(
        str(y) for y in r.held("LEVEL", "total", "A")["period"] if int(str(y)) <= int(year)
    )
    keys = [FigureKey("LEVEL", y) for y in years] + [
        FigureKey(i, year, TARGET_CUT, goal.id)
        for i in ("TARGET_LEVEL", "TARGET_PROGRESS", "CAGR_NEEDED")
    ]
    found = r.plot(keys)
    return found, _path(r, found, goal.id, int(year), goal.year, Decimal(goal.value))


def _path(
    r: Reader, found: Plotted, target_id: str, year: int, until: int, goal: Decimal
) -> list[Row]:
    """The level of each year from `year` to `until` growing at CAGR_NEEDED (the goal itself
    in `until`, which that growth reaches up to its float rounding), and the goal (`GOAL`)."""
    level = r.release.get(FigureKey("TARGET_LEVEL", str(year), TARGET_CUT, target_id))
    needed = r.release.get(FigureKey("CAGR_NEEDED", str(year), TARGET_CUT, target_id))
    if level is None or needed is None or not (level.available and needed.available):
        return []
    assert level.value is not None
    assert needed.value is not None
    start = level.value.scaleb(-MONEY_SCALE)
    factor = 1 + needed.value / 100
    rows: list[Row] = []
    for k in range(until - year + 1):
        shown = goal.scaleb(-MONEY_SCALE) if year + k == until else start * factor**k
        rows.append(
            {
                "indicator": "PATH",
                "period": str(year + k),
                "period_label": str(year + k),
                "shown": float(shown),
            }
        )
    rows.append(
        {"indicator": "GOAL", "period": str(until), "shown": float(goal.scaleb(-MONEY_SCALE))}
    )
    return rows
