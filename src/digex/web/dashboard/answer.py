"""The dashboard's data answer for one view: everything the page shows, already worded.

Assembles the parts (cards, charts, the selector of releases, the filters with the values the
release holds, what changed since the previous release, the calendar's next date, the locale
Vega needs, the notes) from one served release and, for the changes, the one it revises.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from digex.indicators.periods import parse_period
from digex.web.dashboard import models
from digex.web.dashboard.cards import cards, status_label
from digex.web.dashboard.changes import changes
from digex.web.dashboard.charts import build
from digex.web.dashboard.text import MARK, Writer, d3_number, d3_time
from digex.web.dashboard.view import FREQ_ORDER, TOTAL, View, cut_of, held, level_indicator, units
from digex.web.dashboard.words import RTL, words

if TYPE_CHECKING:
    from digex.web.catalogue import Catalogue


def locale_of(view: View) -> dict[str, Any]:
    locale = view.figures.profile.locale_for(view.lang)
    return {"number": d3_number(locale, view.unit), "time": d3_time(locale)}


def _release(catalogue: Catalogue, view: View, t: Writer) -> models.ReleaseInfo:
    from digex.web.dashboard.changes import previous

    r = view.figures
    published = r.published_at.astimezone(dt.UTC)
    return models.ReleaseInfo(
        id=view.release_id,
        period=r.period.label,
        status=r.status,
        status_label=status_label(r, view.lang),
        published_at=published.strftime("%Y-%m-%dT%H:%M:%SZ"),
        published_label=t.date(r.published_at),
        previous=previous(catalogue, view),
    )


def _releases(catalogue: Catalogue, view: View, t: Writer) -> list[models.ReleaseOption]:
    w = words(view.lang)
    found = []
    for e in reversed(catalogue.published()):
        status = w.get(e.status, e.status)
        found.append(
            models.ReleaseOption(
                id=e.release_id,
                label=w["release_option"].format(
                    period=t.period(e.period), status=status.lower(), id=e.release_id
                ),
                status_label=status,
                selected=e.release_id == view.release_id,
            )
        )
    return found


def _filters(view: View, t: Writer) -> list[models.Filter]:
    """The filters with the values the release holds for the view: the periods of its
    series; the segments while no market is chosen and the markets while no segment is (the
    release has no figure of one segment in one market)."""
    w = words(view.lang)
    index = held(view.served)
    level = view.level
    member = view.segment if view.segment != TOTAL else view.area
    periods = index.periods.get((level, cut_of(view.segment, view.area), member, view.flow), ())
    period_options = sorted(
        periods, key=lambda p: (FREQ_ORDER.index(parse_period(p).freq), -parse_period(p).ordinal)
    )
    segments = index.members.get((level, "segment"), ())
    regions = index.members.get((level, "region"), ())
    partners = index.members.get((level, "partner"), ())
    flows = [f for f in index.flows.get(level, ()) if f != "_Z"]
    flows.sort(key=lambda f: "XMN".find(f) % 9)
    partner_options = sorted(
        (models.Option(value=p, label=t.member("partner", p)) for p in partners),
        key=lambda o: o.label,
    )

    def option(value: str, label: str) -> models.Option:
        return models.Option(value=value, label=label)

    return [
        models.Filter(
            name="period", label=w["filter_period"], value=view.period.label,
            options=[option(p, t.period(p)) for p in period_options],
        ),
        models.Filter(
            name="segment", label=w["filter_segment"], value=view.segment,
            options=[option(TOTAL, w["all_segments"])]
            + [option(s, t.member("segment", s)) for s in _segment_order(segments)
               if view.area == TOTAL],
        ),
        models.Filter(
            name="area", label=w["filter_area"], value=view.area,
            options=[option(TOTAL, w["all_areas"])]
            + ([option(r, t.member("region", r)) for r in regions] + partner_options
               if view.segment == TOTAL else []),
        ),
        models.Filter(
            name="flow", label=w["filter_flow"], value=view.flow,
            options=[option(f, w[f"flow_{f}"]) for f in flows],
        ),
        models.Filter(
            name="unit", label=w["filter_unit"], value=view.unit,
            options=[option(u, w.get(f"unit_{u}", u)) for u in units(view.served)
                     if level_indicator(view.figures, u)],
        ),
    ]  # fmt: skip


def _segment_order(codes: tuple[str, ...]) -> list[str]:
    from digex.codelists import segments

    order = [s.code for s in segments()]
    return sorted(codes, key=lambda c: (order.index(c) if c in order else len(order), c))


def _calendar(catalogue: Catalogue, view: View, t: Writer) -> models.CalendarNext:
    """The next release the calendar of the view's release's profile announces, from the
    releases served now (`digex.releases.calendar`, as `/api/calendar` reads it)."""
    from digex.releases import calendar as cal

    rules = view.figures.profile.calendar
    if rules is None:
        return models.CalendarNext(next_label=None)
    made = [
        cal.Made(e.period, e.status, e.published_at, e.release_id) for e in catalogue.published()
    ]
    due = [
        e
        for e in cal.window(rules, made, catalogue.now())
        if e.state == cal.State.DUE and e.due is not None and e.published is None
    ]
    if not due:
        return models.CalendarNext(next_label=None)
    first = min(due, key=lambda e: (e.due or dt.date.max, e.period))
    w = words(view.lang)
    assert first.due is not None
    return models.CalendarNext(
        next_label=w["next_release"].format(
            period=t.period(first.period),
            status=w.get(first.status, first.status).lower(),
            date=t.date(first.due),
        )
    )


def _notes(view: View, t: Writer) -> list[str]:
    from digex.publish.explanation import of_release
    from digex.publish.rounding import ROUNDING_NOTE

    w = words(view.lang)
    notes = []
    if view.served.figures.synthetic:
        notes.append(w["synthetic"])
    if view.held.breaks:
        for b in view.figures.profile.breaks:
            explanation = of_release(
                b.explanation.get(view.lang) or b.explanation.get("en", ""),
                view.figures,
                view.lang,
            )  # the figures it names, as this release publishes them
            notes.append(f"{t.date(b.day)}: {explanation}")
    notes.append(ROUNDING_NOTE.get(view.lang, ROUNDING_NOTE["en"]))
    return notes


def dashboard(catalogue: Catalogue, view: View) -> models.Dashboard:
    t = Writer(view.figures, view.lang)
    locale = locale_of(view)
    w = words(view.lang)
    return models.Dashboard(
        query=view.query(),
        lang=view.lang,
        dir="rtl" if view.lang in RTL else "ltr",
        release=_release(catalogue, view, t),
        releases=_releases(catalogue, view, t),
        filters=_filters(view, t),
        cards=cards(view, t),
        charts=build(view, t, locale),
        changes=changes(catalogue, view, t),
        calendar=_calendar(catalogue, view, t),
        locale=models.Locale(number=locale["number"], time=locale["time"]),
        confidential_mark=MARK,
        confidential_label=w["confidential"],
        notes=_notes(view, t),
    )
