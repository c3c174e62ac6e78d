"""The headline cards of a view: the latest year, the latest half-year (or the year to date)
and the national targets, each with its status and the release's date, worded as the note.

The annual card is the latest year the release holds complete up to the view's period (the
period itself when it is a year); the second card is the half-year of the view's period (the
second half of a year), or for a quarter or a month the year to date at its last month (in
the national currency only: the release has no year to date in another unit). The
target cards are the profile's exports and jobs targets as the release measures them (level,
share of the target reached, gap, growth needed per year), whatever the filters.

A release of part of a year adds, between them, the forecast of its whole year for the view's
member (exports of the total or a segment, in the national currency: what the release
forecast), with its 80 % interval: an estimate frozen with the release (OBS_STATUS F), its
card saying it is a forecast and no observation.
"""

from __future__ import annotations

from decimal import Decimal

from digex.indicators.periods import Period, parse_period
from digex.publish.figures import TARGET_CUT, Figure, ReleaseFigures
from digex.web.dashboard import models
from digex.web.dashboard.charts import figure, growth, what, year_before
from digex.web.dashboard.estimated import nowcast
from digex.web.dashboard.text import MARK, MISSING, Writer
from digex.web.dashboard.view import View, end_month
from digex.web.dashboard.words import words


def status_label(figures: ReleaseFigures, lang: str) -> str:
    w = words(lang)
    return w.get(figures.status, figures.status)


def _card(
    view: View, t: Writer, card_id: str, title: str, level: Figure, change: Figure | None,
    currency: str,
) -> models.Card:  # fmt: skip
    w = words(view.lang)
    value = None if not level.available or level.value is None else level.value
    change_text = None
    if change is not None and (change.confidential or change.value is not None):
        change_text = MARK if change.confidential else t.growth(change.value or Decimal(0))
    return models.Card(
        id=card_id,
        title=title,
        period=level.key.period,
        value=None if value is None else float(value),
        value_text=MARK if level.confidential else MISSING if value is None
        else t.money(value, currency),
        confidential=level.confidential,
        change_text=change_text,
        change_label=None if change_text is None
        else w["on_period"].format(period=t.period(year_before(level.key.period))),
        status=level.obs_status,
        status_label=status_label(view.figures, view.lang),
        release_label=w["published"].format(date=t.date(view.figures.published_at)),
    )  # fmt: skip


def _latest_year(view: View) -> str | None:
    last = end_month(view.period)
    years = [
        p for p in view.series(view.level) if p.isdigit() and end_month(parse_period(p)) <= last
    ]
    for year in reversed(years):
        f = figure(view, view.level, year)
        if f is not None and f.completeness == "complete":
            return year
    return None


def _sub_annual(view: View, t: Writer) -> models.Card | None:
    w = words(view.lang)
    p = view.period
    if p.freq in ("A", "H"):
        half = p if p.freq == "H" else Period("H", p.year, 2)
        level = figure(view, view.level, half.label)
        if level is None:
            return None
        title = w["card_title"].format(what=what(view), period=t.period(half.label))
        return _card(view, t, "half_year", title, level, growth(view, half.label), view.unit)
    if not view.national:
        return None  # the year to date is in the national currency only
    month = Period("M", p.year, p.last_month).label
    level = figure(view, "YTD_LEVEL", month)
    if level is None:
        return None
    title = w["ytd"].format(what=what(view), period=t.period(month))
    return _card(view, t, "ytd", title, level, figure(view, "YTD_GROWTH", month), view.unit)


def _nowcast(view: View, t: Writer) -> models.Card | None:
    """The forecast of the year of a release of part of a year (NOWCAST_LEVEL, OBS_STATUS F,
    frozen with it) for the view's member, with its 80 % interval, worded as a forecast
    (`estimated.nowcast`: for a view of that year only)."""
    found = nowcast(view)
    if found is None:
        return None
    w = words(view.lang)
    r = view.figures
    unit = view.unit
    lines = []
    interval = found.interval(80)
    if interval is not None:
        low, high = (t.money(v, unit) for v in interval)
        lines.append(w["nowcast_interval"].format(low=low, high=high))
    lines.append(w["nowcast_note"].format(month=t.period(found.month)))
    return models.Card(
        id="nowcast",
        title=w["nowcast_title"].format(what=what(view), year=t.period(found.year)),
        period=found.year,
        value=float(found.value),
        value_text=t.money(found.value, unit),
        confidential=False,
        change_text=None,
        change_label=None,
        lines=lines,
        status=found.status,
        status_label=status_label(r, view.lang),
        release_label=w["published"].format(date=t.date(r.published_at)),
    )


def _targets(view: View, t: Writer) -> list[models.Card]:
    w = words(view.lang)
    r = view.figures
    national = r.profile.national_currency
    found = []
    for goal in r.profile.targets:
        if goal.measure not in ("exports", "jobs"):
            continue
        flow = "X" if goal.measure == "exports" else "_Z"
        years = view.held.periods.get(("TARGET_LEVEL", TARGET_CUT, goal.id, flow), ())
        if not years:
            continue
        year = years[-1]

        def get(
            indicator: str, goal_id: str = goal.id, flow: str = flow, year: str = year
        ) -> Figure | None:
            return figure(view, indicator, year, TARGET_CUT, goal_id, flow)

        level, progress, gap, needed = (
            get(i) for i in ("TARGET_LEVEL", "TARGET_PROGRESS", "TARGET_GAP", "CAGR_NEEDED")
        )
        if level is None:
            continue
        exports = goal.measure == "exports"

        def amount(value: Decimal, exports: bool = exports) -> str:
            return t.money(value, national) if exports else w["jobs"].format(count=t.count(value))

        lines = []
        if progress is not None and progress.available and progress.value is not None:
            lines.append(
                w["target_progress"].format(
                    progress=t.percent(progress.value), goal=amount(Decimal(goal.value)),
                    year=t.period(str(goal.year)),
                )
            )  # fmt: skip
        if gap is not None and gap.available and gap.value is not None:
            lines.append(
                w["target_gap"].format(year=t.period(str(goal.year)), gap=amount(gap.value))
            )
        if needed is not None and needed.available and needed.value is not None:
            lines.append(w["target_needed"].format(rate=t.percent(needed.value)))
        value = level.value if level.available else None
        found.append(
            models.Card(
                id=f"target_{goal.measure}",
                title=goal.names.get(view.lang) or goal.names.get("en", goal.id),
                period=year,
                value=None if value is None else float(value),
                value_text=MARK
                if level.confidential
                else MISSING
                if value is None
                else amount(value),
                confidential=level.confidential,
                change_text=None,
                change_label=None,
                lines=lines,
                status=level.obs_status,
                status_label=status_label(r, view.lang),
                release_label=w["published"].format(date=t.date(r.published_at)),
            )
        )
    return found


def cards(view: View, t: Writer) -> list[models.Card]:
    found = []
    year = _latest_year(view)
    if year is not None:
        level = figure(view, view.level, year)
        assert level is not None
        title = words(view.lang)["card_title"].format(what=what(view), period=t.period(year))
        found.append(_card(view, t, "annual", title, level, growth(view, year), view.unit))
    second = _sub_annual(view, t)
    if second is not None:
        found.append(second)
    forecast = _nowcast(view, t)
    if forecast is not None:
        found.append(forecast)
    return found + _targets(view, t)
