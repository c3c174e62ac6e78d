"""The dashboard's charts for one view: which figures each draws, its table, its words.

Each chart is built from the release's public view alone, for the view's member, flow and
unit: the annual series (with the path to the exports target when the view is the national
total of exports), the monthly series (quarterly where the cut has no months), the segments'
shares, the largest partner markets (regions for a half-year) and the concentration of
partner markets. A confidential figure is a row of the table holding the mark, and no row of
the chart's data: nothing is drawn for it, and the description names it (a ranking never
names a confidential market, whose rank would bound its value). No value is ever derived
from others to fill a gap, nor a "rest of the world" computed from the ranked markets.

An estimate the release froze (the seasonally adjusted level, `digex.web.dashboard.estimated`)
is drawn beside the observed series, never in it: rows of its own series, a dashed line, a
column of its own, and the legend, the table's header and the description call it an
estimate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from digex.indicators.periods import Period, parse_period
from digex.publish.figures import TARGET_CUT, Figure, FigureKey
from digex.web.dashboard import links, models, specs
from digex.web.dashboard.estimated import estimate
from digex.web.dashboard.text import BILLION, MARK, MISSING, Writer
from digex.web.dashboard.view import TOTAL, View, end_month
from digex.web.dashboard.words import RTL, words

TOP: Final = 10
"""Partner markets ranked at most."""
CHARTS: Final = ("annual", "monthly", "segments", "partners", "concentration")
FORMATS: Final = ("csv", "xlsx")


@dataclass
class Drawn:
    """A chart's rows, table and what it leaves out, before its spec."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)
    shown: list[Figure] = field(default_factory=list)


def figure(
    view: View,
    indicator: str,
    period: str,
    cut: str | None = None,
    member: str | None = None,
    flow: str | None = None,
) -> Figure | None:
    return view.held.figure(
        indicator,
        period,
        cut or view.cut,
        view.member if member is None else member,
        flow or view.flow,
    )


def year_before(label: str) -> str:
    p = parse_period(label)
    return Period(p.freq, p.year - 1, p.sub).label


def growth(
    view: View, period: str, cut: str | None = None, member: str | None = None
) -> Figure | None:
    """Growth on a year earlier in the view's unit: the release's GROWTH_YOY in the national
    currency; in a foreign unit, the change between the release's two levels in that unit
    (both published: nothing withheld is used, and a growth whose level is confidential is
    confidential too)."""
    if view.national:
        return figure(view, "GROWTH_YOY", period, cut, member)
    now = figure(view, view.level, period, cut, member)
    then = figure(view, view.level, year_before(period), cut, member)
    if now is None or then is None:
        return None
    key = FigureKey("GROWTH_YOY", period, now.key.cut, now.key.member, now.key.flow)
    if now.confidential or then.confidential:
        return Figure(key, None, "PC", now.obs_status, now.completeness, "C")
    if now.value is None or then.value is None or not then.value:
        return None
    from fractions import Fraction

    ratio = (Fraction(now.value) - Fraction(then.value)) / Fraction(then.value) * 100
    value = Decimal(ratio.numerator) / Decimal(ratio.denominator)
    return Figure(key, value, "PC", now.obs_status, now.completeness, "F")


def label_decimals(scaled: Decimal) -> int:
    """A bar's label: one decimal from a billion, more below (a small market is not written
    0.0, which would read as nothing)."""
    size = abs(scaled)
    return 1 if size >= 1 else 2 if size >= Decimal("0.1") else 3


def what(view: View) -> str:
    """The view's flow, with its member when it is not the total: `Exports: ITO`."""
    w = words(view.lang)
    flow = w[f"flow_{view.flow}"]
    if view.member == TOTAL:
        return flow
    name = Writer(view.figures, view.lang).member(view.cut, view.member)
    return w["of_member"].format(what=flow, member=name)


def money_column(view: View) -> str:
    w = words(view.lang)
    unit = w["in_billions"].format(unit=view.unit)
    return w["col_level"].format(what=w[f"flow_{view.flow}"], unit=unit)


def _money_row(t: Writer, f: Figure, label: str, **extra: Any) -> dict[str, Any]:
    assert f.value is not None
    scaled = f.value.scaleb(-BILLION)
    return {
        "label": label,
        "value": float(scaled),
        "text": t.number(scaled, label_decimals(scaled)),
        **extra,
    }


def _series(view: View, t: Writer, periods: Sequence[str]) -> Drawn:
    """Level and growth of the view's member over `periods`."""
    drawn = Drawn()
    for p in periods:
        f = figure(view, view.level, p)
        if f is None:
            continue
        label = t.period(p)
        drawn.table.append([label, t.cell(f, "billions"), t.cell(growth(view, p), "growth")])
        if f.confidential:
            drawn.withheld.append(label)
        elif f.available:
            drawn.shown.append(f)
            drawn.rows.append(_money_row(t, f, label, series="level", period=p))
    return drawn


def _ending_by(view: View, periods: Sequence[str]) -> list[str]:
    last = end_month(view.period)
    return [p for p in periods if end_month(parse_period(p)) <= last]


def _target_path(view: View, t: Writer, drawn: Drawn) -> tuple[list[dict[str, Any]], int | None]:
    """The path to the exports target at the growth needed, from the latest year the target's
    progress is measured on (its level: the year's bar) to the target's year (the goal
    itself), when the view is the national total of exports."""
    if not (view.national and view.cut == "total" and view.flow == "X"):
        return [], None
    goal = next((g for g in view.figures.profile.targets if g.measure == "exports"), None)
    if goal is None:
        return [], None
    years = view.held.periods.get(("TARGET_LEVEL", TARGET_CUT, goal.id, "X"), ())
    if not years:
        return [], None
    year = years[-1]
    if not _ending_by(view, [year]):  # the path starts from a year the chart shows
        return [], None
    level = figure(view, "TARGET_LEVEL", year, TARGET_CUT, goal.id, "X")
    needed = figure(view, "CAGR_NEEDED", year, TARGET_CUT, goal.id, "X")
    if level is None or needed is None or level.value is None or needed.value is None:
        return [], None
    if not (level.available and needed.available):
        return [], None
    rows: list[dict[str, Any]] = []
    factor = 1 + needed.value / 100
    path: dict[str, str] = {}
    for k in range(goal.year - int(year) + 1):
        when = int(year) + k
        value = Decimal(goal.value) if when == goal.year else level.value * factor**k
        scaled = value.scaleb(-BILLION)
        text = t.number(scaled, 1)
        label = t.period(str(when))
        rows.append({"series": "path", "period": str(when), "label": label,
                     "value": float(scaled), "text": text})  # fmt: skip
        path[label] = t.number(scaled, 3)
    for line in drawn.table:
        line.append(path.pop(line[0], ""))
    for label, text in path.items():
        drawn.table.append([label, "", "", text])
    return rows, goal.year


def _describe(
    view: View,
    kind: str,
    drawn: Drawn,
    t: Writer,
    *,
    value_text: Callable[[Figure], str],
    subject: str | None = None,
) -> str:
    w = words(view.lang)
    if not drawn.shown:
        text = w["describe_empty"]
    else:
        first, last = drawn.shown[0], drawn.shown[-1]
        text = w[kind].format(
            what=subject or what(view),
            first=t.period(first.key.period),
            last=t.period(last.key.period),
            value=value_text(last),
        )
    if drawn.withheld:
        text += w["describe_withheld"].format(names=", ".join(drawn.withheld))
    return text


def _chart(
    view: View, chart_id: str, title: str, description: str, spec: specs.Spec,
    columns: list[str], drawn: Drawn, sdmx: str | None,
) -> models.Chart:  # fmt: skip
    return models.Chart(
        id=chart_id,
        title=title,
        description=description,
        spec=spec,
        table=models.Table(columns=columns, rows=drawn.table),
        download=models.Downloads(
            csv=links.download(view, chart_id, "csv"), xlsx=links.download(view, chart_id, "xlsx")
        ),
        sdmx=sdmx,
    )


def annual(view: View, t: Writer, locale: dict[str, Any]) -> models.Chart | None:
    """The level by year (a release holding no year: the same half of each year) up to the
    view's period, growth in the table, and the path to the exports target."""
    w = words(view.lang)
    held = view.series(view.level)
    years = [p for p in held if p.isdigit()]
    if not years:
        sub = view.period.sub if view.period.freq == "H" else None
        years = [p for p in held if p[5:7] == f"H{sub}"] if sub else []
    periods = _ending_by(view, years)
    if not periods:
        return None
    drawn = _series(view, t, periods)
    columns = [w["col_period"], money_column(view), w["col_growth"]]
    path, goal_year = _target_path(view, t, drawn)
    if path:
        columns.append(w["col_path"].format(unit=w["in_billions"].format(unit=view.unit)))
    key = "annual_target" if path else "annual" if periods[0].isdigit() else "halves"
    title = w[key].format(what=what(view), year=goal_year)
    currency = view.unit
    description = _describe(
        view,
        "describe_bars",
        drawn,
        t,
        value_text=lambda f: t.money(f.value or Decimal(0), currency),
    )
    if path and goal_year is not None:
        goal = next(g for g in view.figures.profile.targets if g.measure == "exports")
        description += w["describe_target"].format(
            goal=t.money(Decimal(goal.value), view.figures.profile.national_currency),
            year=t.period(str(goal_year)),
        )
    rtl = view.lang in RTL
    spec = specs.time_bars(
        drawn.rows, path, axis_title=w["in_billions"].format(unit=view.unit), locale=locale,
        title=title, rtl=rtl,
    )  # fmt: skip
    freq = parse_period(periods[0]).freq
    sdmx = links.sdmx(view, freq, _sdmx_indicators(view, "GROWTH_YOY"), periods)
    return _chart(view, "annual", title, description, spec, columns, drawn, sdmx)


def _sdmx_indicators(view: View, *more: str) -> list[str]:
    return [view.level, *(more if view.national else ())]


def _adjusted(view: View, t: Writer, periods: Sequence[str]) -> list[tuple[dict[str, Any], str]]:
    """The seasonally adjusted level (LEVEL_SA, an estimate the release froze) of the view's
    member in each of `periods` it has one: a row of its own series ("sa") for the chart,
    carrying its exact value (`exact`, for the description), and its table cell. None for a
    view the release does not adjust (imports, a foreign unit, a market) nor for a series it
    left out (a suppressed cell: `digex.releases.estimates`)."""
    name = words(view.lang)["series_sa"]
    found = []
    for p in periods:
        f = estimate(view, "LEVEL_SA", p)
        if f is None or not f.available or f.value is None:
            continue
        row = _money_row(t, f, t.period(p), series="sa", period=p, name=name)
        found.append(({**row, "exact": f.value}, t.cell(f, "billions")))
    return found


def monthly(view: View, t: Writer, locale: dict[str, Any]) -> models.Chart | None:
    """The level by month up to the view's period (by quarter where the cut has no months),
    and beside it, as a line, a column and rows of its own, the seasonally adjusted level
    the release estimated for it, if any (never merged into the observed rows)."""
    w = words(view.lang)
    held = view.series(view.level)
    found = [
        (freq, key, _ending_by(view, [p for p in held if parse_period(p).freq == freq]))
        for freq, key in (("M", "monthly"), ("Q", "quarterly"))
    ]
    chosen = [f for f in found if f[2]]
    if not chosen:
        return None
    freq, key, periods = chosen[0]
    drawn = _series(view, t, periods)
    title = w[key].format(what=what(view))
    description = _describe(
        view,
        "describe_line",
        drawn,
        t,
        value_text=lambda f: t.money(f.value or Decimal(0), view.unit),
    )
    columns = [w["col_period"], money_column(view), w["col_growth"]]
    adjusted = _adjusted(view, t, periods)
    if adjusted:
        columns.append(w["col_sa"].format(unit=w["in_billions"].format(unit=view.unit)))
        by_label = {row["label"]: text for row, text in adjusted}
        for line in drawn.table:
            line.append(by_label.get(line[0], MISSING))
        last = adjusted[-1][0]
        description += w["describe_sa"].format(
            last=last["label"], value=t.money(last["exact"], view.unit)
        )
    rows = [{k: v for k, v in row.items() if k != "exact"} for row, _ in adjusted]
    spec = specs.time_line(
        drawn.rows, axis_title=w["in_billions"].format(unit=view.unit), locale=locale,
        title=title, rtl=view.lang in RTL, estimates=rows,
        names=(w["series_observed"], w["series_sa"]),
    )  # fmt: skip
    sdmx = links.sdmx(view, freq, _sdmx_indicators(view, "GROWTH_YOY"), periods)
    return _chart(view, "monthly", title, description, spec, columns, drawn, sdmx)


def segments(view: View, t: Writer, locale: dict[str, Any]) -> models.Chart | None:
    """Each segment's share of the view's period (the chosen segment highlighted)."""
    from digex.codelists import segments as codelist

    if view.cut not in ("total", "segment"):
        return None
    w = words(view.lang)
    period = view.period.label
    order = [s.code for s in codelist()]
    found = view.held.members_of("SHARE", period, "segment", view.flow)
    found.sort(key=lambda f: (order.index(f.key.member) if f.key.member in order else 99,
                              f.key.member))  # fmt: skip
    if not found:
        return None
    drawn = Drawn()
    for f in found:
        name = t.member("segment", f.key.member)
        level = figure(view, view.level, period, "segment", f.key.member)
        drawn.table.append([name, t.cell(f, "percent"), t.cell(level, "billions")])
        if f.confidential:
            drawn.withheld.append(name)
        elif f.available:
            assert f.value is not None
            drawn.shown.append(f)
            drawn.rows.append({
                "label": name, "code": f.key.member, "value": float(f.value),
                "text": t.number(f.value, 1), "selected": f.key.member == view.segment,
            })  # fmt: skip
    title = w["segments"].format(period=t.period(period))
    if drawn.shown:
        top = max(drawn.shown, key=lambda f: f.value or 0)
        description = w["describe_shares"].format(
            period=t.period(period), name=t.member("segment", top.key.member),
            value=t.percent(top.value or Decimal(0)),
        )  # fmt: skip
    else:
        description = w["describe_empty"]
    if drawn.withheld:
        description += w["describe_withheld"].format(names=", ".join(drawn.withheld))
    spec = specs.ranked_bars(
        drawn.rows, axis_title=w["col_share"], locale=locale, title=title,
        rtl=view.lang in RTL, fmt=",.0f",
    )  # fmt: skip
    columns = [w["col_segment"], w["col_share"], money_column(view)]
    sdmx = links.sdmx(
        view, view.period.freq, ["SHARE"], [period], cut="segment",
        members=[f.key.member for f in found],
    )  # fmt: skip
    return _chart(view, "segments", title, description, spec, columns, drawn, sdmx)


def partners(view: View, t: Writer, locale: dict[str, Any]) -> models.Chart | None:
    """The largest partner markets of the view's period (its regions where the release has
    no partner rows for it), the chosen market highlighted. Confidential markets are left
    out before ranking, and only counted."""
    if view.cut == "segment":
        return None
    w = words(view.lang)
    period = view.period.label
    for cut in ("partner", "region"):
        members = view.held.members_of(view.level, period, cut, view.flow)
        if members:
            break
    else:
        return None
    available = sorted(
        (f for f in members if f.available), key=lambda f: (-(f.value or 0), f.key.member)
    )
    kept = available[:TOP] if cut == "partner" else available
    secret = [f for f in members if f.confidential]
    drawn = Drawn()
    for f in kept:
        name = t.member(cut, f.key.member)
        share = figure(view, "SHARE", period, cut, f.key.member)
        drawn.table.append([name, t.cell(f, "billions"), t.cell(share, "percent")])
        drawn.shown.append(f)
        drawn.rows.append(_money_row(t, f, name, code=f.key.member,
                                     selected=f.key.member == view.area))  # fmt: skip
    if cut == "region":
        for f in secret:
            name = t.member(cut, f.key.member)
            drawn.table.append([name, MARK, MARK])
            drawn.withheld.append(name)
    key = "partners" if cut == "partner" else "regions"
    title = w[key].format(what=w[f"flow_{view.flow}"], period=t.period(period))
    if kept:
        description = w["describe_markets"].format(
            count=len(kept), period=t.period(period), name=t.member(cut, kept[0].key.member),
            value=t.money(kept[0].value or Decimal(0), view.unit),
        )  # fmt: skip
    else:
        description = w["describe_empty"]
    if cut == "partner" and secret:
        description += w["describe_ranked"].format(count=len(secret))
    elif drawn.withheld:
        description += w["describe_withheld"].format(names=", ".join(drawn.withheld))
    spec = specs.ranked_bars(
        drawn.rows, axis_title=w["in_billions"].format(unit=view.unit), locale=locale,
        title=title, rtl=view.lang in RTL, fmt=",.1~f",
    )  # fmt: skip
    columns = [w["col_market"], money_column(view), w["col_share"]]
    sdmx = links.sdmx(
        view, view.period.freq, [view.level], [period], cut=cut,
        members=[f.key.member for f in kept],
    )  # fmt: skip
    return _chart(view, "partners", title, description, spec, columns, drawn, sdmx)


def concentration(view: View, t: Writer, locale: dict[str, Any]) -> models.Chart | None:
    """The Herfindahl-Hirschman index of partner markets by year, up to the view's period."""
    if view.cut not in ("total", "segment"):
        return None
    w = words(view.lang)
    held = view.series("HHI_PARTNERS")
    periods = _ending_by(view, [p for p in held if p.isdigit()])
    drawn = Drawn()
    for p in periods:
        f = figure(view, "HHI_PARTNERS", p)
        if f is None or not (f.available or f.confidential):
            continue
        label = t.period(p)
        drawn.table.append([label, t.cell(f, "index")])
        if f.confidential:
            drawn.withheld.append(label)
        else:
            assert f.value is not None
            drawn.shown.append(f)
            drawn.rows.append({"label": label, "period": p, "value": float(f.value),
                               "text": t.number(f.value, 4)})  # fmt: skip
    if not drawn.table:
        return None
    title = w["concentration"]
    description = _describe(
        view,
        "describe_line",
        drawn,
        t,
        value_text=lambda f: t.number(f.value or Decimal(0), 4),
        subject=w["hhi"]
        if view.member == TOTAL
        else w["of_member"].format(what=w["hhi"], member=t.member(view.cut, view.member)),
    )
    spec = specs.time_line(
        drawn.rows, axis_title=w["col_index"], locale=locale, title=title,
        rtl=view.lang in RTL, fmt=",.2f", zero=False,
    )  # fmt: skip
    columns = [w["col_period"], w["col_index"]]
    sdmx = links.sdmx(view, "A", ["HHI_PARTNERS"], periods)
    return _chart(view, "concentration", title, description, spec, columns, drawn, sdmx)


BUILDERS: Final[dict[str, Callable[[View, Writer, dict[str, Any]], models.Chart | None]]] = {
    "annual": annual,
    "monthly": monthly,
    "segments": segments,
    "partners": partners,
    "concentration": concentration,
}


def build(
    view: View, t: Writer, locale: dict[str, Any], only: str | None = None
) -> list[models.Chart]:
    """The view's charts in display order (those it has figures for); `only` one of them."""
    found = []
    for name, builder in BUILDERS.items():
        if only is not None and name != only:
            continue
        chart = builder(view, t, locale)
        if chart is not None:
            found.append(chart)
    return found
