"""The headline table an office publishes: level, growth and share by segment, and the total.

Growth and shares are recomputed here from the exact levels (`rounding.exact`), so that what
is printed is the exact value rounded half up; each figure carries the completeness of the
periods it reads (`digex.indicators.status`), which the table shows as a mark.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    # levels in units, not billions: growth and shares are computed from their exact values
    parts, total = (
        db.indicators(labels, by=by, indicators=["LEVEL"], release=release, as_of=as_of)
        for by in ("segment", "total")
    )
    frame = pd.concat([parts, total], ignore_index=True)
    title = TITLES.get(lang, TITLES["en"]).format(
        period=label(p.freq, p.year, p.sub), nc=db.profile.national_currency
    )
    names = [(s.code, s.name(lang)) for s in segments()]
    names.append((TOTAL, TOTAL_NAME.get(lang, "Total")))
    return build(frame, p, names, title)


def build(frame: pd.DataFrame, p: Period, names: list[tuple[str, str]], title: str) -> Headline:
    """The headline from a tidy table of LEVEL rows (unit multiplier 0) of the members and
    the total, for `p` and a year earlier."""
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

    def level(member: str, per: str) -> tuple[Fraction | None, str, str]:
        if (member, per) not in levels:
            return None, st.NORMAL.value, st.COMPLETE.value
        value, obs, done = levels[(member, per)]
        return exact(value), obs, done

    total_now, _, _ = level(TOTAL, p.label)
    # the growth on a year earlier reads what GROWTH_YOY reads: its period and that period a
    # year earlier, whose completeness is each level's
    reads = registry().indicators["GROWTH_YOY"].reads
    rows = []
    for code, name in names:
        now, _, now_c = level(code, p.label)
        before, _, before_c = level(code, prev.label)
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
            )
        )
    here = frame[frame["period"] == p.label]
    obs = st.worst_obs(here["obs_status"].astype(str)).value if len(here) else st.NORMAL.value
    done = st.worst_completeness(here["completeness"].astype(str)).value if len(here) else "empty"
    return Headline(p.label, prev.label, title, rows, obs, done)
