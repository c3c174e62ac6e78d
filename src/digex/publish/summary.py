"""The headline table an office publishes: level, growth and share by segment, and the total.

Growth and shares are recomputed here from the exact levels (`rounding.exact`), so that what
is printed is the exact value rounded half up; each figure carries the completeness of the
periods it reads (`digex.indicators.status`), which the table shows as a mark. Its observation
status is the one the store's figure carries: a level's from LEVEL, a growth's from GROWTH_YOY
(a growth reads two periods, so that it may straddle a series break that neither level is at:
2023-H2 on 2022-H2 compares two definitions when the definition changed on 2023-01-01).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import TYPE_CHECKING

import pandas as pd

from digex.codelists import segments
from digex.indicators import status as st
from digex.indicators.cuts import TOTAL
from digex.indicators.periods import Period, label, parse_period
from digex.indicators.registry import registry
from digex.publish import rounding
from digex.publish.rounding import exact

if TYPE_CHECKING:
    from digex.api import Digex
    from digex.releases.breaks import SeriesBreak

TITLES = {
    "en": "Exports of digital services and outsourcing, {period} (billion {nc})",
    "fr": "Exportations des services numériques et de l'offshoring, {period} (milliards de {nc})",
    "ar": "صادرات الخدمات الرقمية وترحيل الخدمات، {period} (مليار {nc})",
}
TOTAL_NAME = {"en": "Total", "fr": "Total", "ar": "المجموع"}


@dataclass(frozen=True)
class HeadlineRow:
    """One line of the table: money in billions, growth and share in per cent, all exact
    (fractions of the stored minor units), with the completeness of each figure."""

    code: str
    name: str
    previous: Fraction | None
    level: Fraction | None
    growth: Fraction | None
    share: Fraction | None
    previous_completeness: str = st.COMPLETE.value
    level_completeness: str = st.COMPLETE.value
    growth_completeness: str = st.COMPLETE.value
    previous_obs: str = st.NORMAL.value
    level_obs: str = st.NORMAL.value
    """The level's observation status, which its share has too (both read the period alone)."""
    growth_obs: str = st.NORMAL.value
    withheld: frozenset[str] = frozenset()
    """Which of previous, level, share and growth disclosure control withholds (a release's
    CONF_STATUS C): shown as C, never as a missing figure."""


@dataclass(frozen=True)
class Headline:
    period: str
    previous_period: str
    title: str
    rows: list[HeadlineRow]
    obs_status: str
    completeness: str
    """The period's own completeness (`incomplete_period` for January-June of a year)."""
    notes: list[str] = field(default_factory=list)
    breaks: tuple[SeriesBreak, ...] = ()
    """The profile's series breaks that some cell carrying B is at or straddles."""

    @property
    def has_break(self) -> bool:
        """Whether a cell carries OBS_STATUS B (marked, with a note saying what B means)."""
        return any(
            o == st.ObsStatus.BREAK
            for r in self.rows
            for o in (r.previous_obs, r.level_obs, r.growth_obs)
        )

    @property
    def marks(self) -> list[str]:
        """The completeness codes that some cell of the table carries (each needs its note)."""
        used = {
            c
            for r in self.rows
            for c in (r.previous_completeness, r.level_completeness, r.growth_completeness)
        }
        return [c for c in st.COMPLETENESS if c in used and c != st.COMPLETE]


def previous_year(period: Period) -> Period:
    return Period(period.freq, period.year - 1, period.sub)


BILLION = Fraction(10**9)


def headline(
    db: Digex,
    period: str,
    lang: str = "en",
    *,
    release: str | None = None,
    as_of: str | None = None,
) -> Headline:
    """Exports (flow X) by segment for `period` and the same period a year earlier, in bn;
    from a release, or as published at a time, as `Digex.indicators` reads them."""
    p = parse_period(period)
    prev = previous_year(p)
    labels = [p.label, prev.label]
    # levels in units, not billions: growth and shares are computed from their exact values;
    # the growth's own rows for their status
    parts, total = (
        db.indicators(
            labels, by=by, indicators=["LEVEL", "GROWTH_YOY"], release=release, as_of=as_of
        )
        for by in ("segment", "total")
    )
    frame = pd.concat([parts, total], ignore_index=True)
    title = TITLES.get(lang, TITLES["en"]).format(
        period=label(p.freq, p.year, p.sub), nc=db.profile.national_currency
    )
    names = [(s.code, s.name(lang)) for s in segments()]
    names.append((TOTAL, TOTAL_NAME.get(lang, "Total")))
    found = build(frame, p, names, title)
    return replace(found, breaks=touched(found, db.profile.breaks))


def touched(h: Headline, breaks: Sequence[SeriesBreak]) -> tuple[SeriesBreak, ...]:
    """The breaks of `breaks` that a cell of `h` carrying B is at or straddles (what the
    table's notes explain), in the profile's order."""
    from digex.releases.breaks import flags

    cut = {TOTAL: "total"}
    found: set[str] = set()
    for r in h.rows:
        where = (cut.get(r.code, "segment"), r.code)
        cells = (
            ("LEVEL", h.previous_period, r.previous_obs),
            ("LEVEL", h.period, r.level_obs),
            ("GROWTH_YOY", h.period, r.growth_obs),
        )
        for indicator, period, obs in cells:
            if obs == st.ObsStatus.BREAK:
                f = flags(indicator, *where, period, breaks)
                found.update(f.at + f.across)
    return tuple(b for b in breaks if b.id in found)


def _withheld(
    secret: set[tuple[str, str, str]], code: str, now: str, before: str
) -> frozenset[str]:
    """The cells of a member's line that are confidential in the release (a share or a
    growth that reads a withheld level is withheld too)."""
    found = set()
    if ("LEVEL", code, before) in secret:
        found.add("previous")
    if ("LEVEL", code, now) in secret:
        found |= {"level", "share"}
    if ("SHARE", code, now) in secret or ("LEVEL", TOTAL, now) in secret:
        found.add("share")
    if ("GROWTH_YOY", code, now) in secret or found & {"previous", "level"}:
        found.add("growth")
    return frozenset(found)


def build(frame: pd.DataFrame, p: Period, names: list[tuple[str, str]], title: str) -> Headline:
    """The headline from a tidy table of LEVEL rows (unit multiplier 0) of the members and
    the total, for `p` and a year earlier, and the GROWTH_YOY rows of `p` (their status is
    the growth's; without them, a growth takes the worse of its two levels')."""
    prev = previous_year(p)
    rows_of = frame[frame["indicator"] == "LEVEL"]
    levels = {
        (str(m), str(per)): (float(v), str(o), str(c))
        for m, per, v, o, c in zip(
            rows_of["member"],
            rows_of["period"],
            rows_of["value"],
            rows_of["obs_status"],
            rows_of["completeness"],
            strict=True,
        )
    }
    secret = frame[frame["conf_status"] == "C"] if "conf_status" in frame else frame.iloc[:0]
    withheld = {
        (str(i), str(m), str(per))
        for i, m, per in zip(secret["indicator"], secret["member"], secret["period"], strict=True)
    }
    growths = frame[(frame["indicator"] == "GROWTH_YOY") & (frame["period"] == p.label)]
    growth_obs = dict(
        zip(growths["member"].astype(str), growths["obs_status"].astype(str), strict=True)
    )

    def level(member: str, per: str) -> tuple[Fraction | None, str, str]:
        if (member, per) not in levels:
            return None, st.NORMAL.value, st.COMPLETE.value
        value, obs, done = levels[(member, per)]
        if value != value:  # suppressed by disclosure control (NaN in a release's public view)
            return None, obs, done
        return exact(value), obs, done

    total_now, _, _ = level(TOTAL, p.label)
    # the growth on a year earlier reads what GROWTH_YOY reads: its period and that period a
    # year earlier, whose completeness is each level's
    reads = registry().indicators["GROWTH_YOY"].reads
    rows = []
    for code, name in names:
        now, now_o, now_c = level(code, p.label)
        before, before_o, before_c = level(code, prev.label)
        growth = rounding.growth(now, before) if now is not None and before is not None else None
        share = rounding.share(now, total_now) if now is not None and total_now else None
        rows.append(
            HeadlineRow(
                code,
                name,
                None if before is None else before / BILLION,
                None if now is None else now / BILLION,
                growth,
                share,
                before_c,
                now_c,
                st.figure_completeness(
                    reads, {"own": now_c == st.COMPLETE, "yoy": before_c == st.COMPLETE}
                ).value,
                before_o,
                now_o,
                growth_obs.get(code, st.worst_obs((now_o, before_o)).value),
                _withheld(withheld, code, p.label, prev.label),
            )
        )
    here = frame[frame["period"] == p.label]
    obs = st.worst_obs(here["obs_status"].astype(str)).value if len(here) else st.NORMAL.value
    done = st.worst_completeness(here["completeness"].astype(str)).value if len(here) else "empty"
    return Headline(p.label, prev.label, title, rows, obs, done)
