"""The headline table an office publishes: level, growth and share by segment, and the total."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from digex.codelists import segments
from digex.indicators.periods import Period, label, parse_period

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
    code: str
    name: str
    previous: float | None
    level: float | None
    growth: float | None
    share: float | None


@dataclass(frozen=True)
class Headline:
    period: str
    previous_period: str
    title: str
    rows: list[HeadlineRow]
    status: str
    notes: list[str] = field(default_factory=list)


def previous_year(period: Period) -> Period:
    return Period(period.freq, period.year - 1, period.sub)


def headline(db: Digex, period: str, lang: str = "en") -> Headline:
    """Exports (flow X) by segment for `period` and the same period a year earlier, in bn."""
    p = parse_period(period)
    prev = previous_year(p)
    labels = [p.label, prev.label]
    wanted = ["LEVEL", "GROWTH_YOY", "SHARE"]
    parts = db.indicators(labels, by="segment", indicators=wanted, unit_mult=9)
    total = db.indicators(labels, by="total", indicators=wanted, unit_mult=9)
    frame = pd.concat([parts, total], ignore_index=True)

    def get(ind: str, member: str, per: str) -> float | None:
        hit = frame[
            (frame["indicator"] == ind) & (frame["member"] == member) & (frame["period"] == per)
        ]
        return float(hit["value"].iloc[0]) if len(hit) else None

    rows = [
        HeadlineRow(
            s.code,
            s.name(lang),
            get("LEVEL", s.code, prev.label),
            get("LEVEL", s.code, p.label),
            get("GROWTH_YOY", s.code, p.label),
            get("SHARE", s.code, p.label),
        )
        for s in segments()
    ]
    rows.append(
        HeadlineRow(
            "_T",
            TOTAL_NAME.get(lang, "Total"),
            get("LEVEL", "_T", prev.label),
            get("LEVEL", "_T", p.label),
            get("GROWTH_YOY", "_T", p.label),
            100.0 if get("LEVEL", "_T", p.label) else None,
        )
    )
    status = frame.loc[frame["period"] == p.label, "status"]
    title = TITLES.get(lang, TITLES["en"]).format(
        period=label(p.freq, p.year, p.sub), nc=db.profile.national_currency
    )
    return Headline(p.label, prev.label, title, rows, status.iloc[0] if len(status) else "empty")
