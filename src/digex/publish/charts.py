"""The release's charts: one Vega-Lite spec each (Altair), drawn as SVG and PNG by vl-convert.

One spec serves every medium: the files written here, and later the web page (vega-embed
reads the same JSON). So a spec carries everything it needs to be read right: its data (the
release's figures, `chart_data`), its words in the language (`chart_words`), and its number
and date conventions as a Vega locale (`config.locale`, built from CLDR through Babel, the
same conventions the note is written in: `26,2` in French and Moroccan Arabic, `26.2` in
English).

Arabic is drawn with the vendored Noto Sans Arabic, named in the spec (a font only installed on
the system is not there on the office's machines, and an unnamed one loses the bold), and
given to vl-convert as it is: vl-convert shapes Arabic and lays it out right to left itself,
so text shaped beforehand would come out reversed; each Arabic text is only isolated as right
to left (`chart_words.directed`), since vl-convert lays lines out with a left-to-right base.
The layout is mirrored for Arabic: titles anchored right, value axes on the right, categories
and years running from right to left.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Final, Literal

import altair as alt
from babel import Locale
from babel.numbers import get_decimal_symbol, get_group_symbol

from digex.errors import UsageError
from digex.publish import chart_data as data
from digex.publish.chart_data import Plotted, Reader, Row
from digex.publish.chart_words import (
    CONFIDENTIAL,
    PARTS,
    RTL,
    break_mark,
    code,
    directed,
    member_name,
    money_title,
    period_label,
    words,
)
from digex.publish.figures import ReleaseFigures
from digex.publish.numbers import number

CHARTS: Final = ("annual", "nowcast", "segments", "halfyear", "partners", "target")
"""Every chart's stable name, in the order a note shows them; a release that holds no data
for one (a half-year release has no target progress) has no such chart."""
WIDTH: Final = 520
HEIGHT: Final = 300
FONTS: Final = ("Noto Sans", "Noto Sans Arabic")
"""The vendored fonts (`data/fonts`): Latin scripts, and Arabic (which also covers Latin)."""
INK: Final = "#1f4e79"
ACCENT: Final = "#c0504d"
PALE: Final = ("#9dc3e6", "#f4b183")
DARK: Final = ("#1f4e79", "#c55a11")
"""The year before and the latest year, first and second half."""
PNG_SCALE: Final = 2
NOTE_WIDTH: Final = 90
"""Characters per footnote line (a line of 11 px text about as wide as the chart)."""
NOTE_LEADING: Final = 15
LABEL_LIMIT: Final = 280
"""Pixels a category's name may take (French segment names are long)."""

Spec = dict[str, Any]


@dataclass(frozen=True)
class Drawn:
    """A chart before its page furniture: the marks, its title and its own notes."""

    chart: alt.LayerChart | alt.Chart
    title: str
    notes: list[str]
    plotted: Plotted
    ranked: bool = False
    """The chart ranks its members (the top partners): it says how many confidential ones it
    left out, never which (a rank would bound their values)."""


def chart_specs(release: ReleaseFigures, lang: str) -> dict[str, Spec]:
    """One Vega-Lite spec per chart the release has data for, keyed by its name (`CHARTS`)."""
    if lang not in release.profile.languages:
        raise UsageError(
            f"lang={lang!r}: release {release.release_id}'s profile publishes in "
            f"{', '.join(release.profile.languages)}"
        ).naming(lang=lang)
    r = Reader(release, lang)
    specs = {}
    for name in CHARTS:
        drawn = BUILDERS[name](r)
        if drawn is not None:
            specs[name] = _finish(drawn, r).to_dict()
    return specs


def write_charts(release: ReleaseFigures, lang: str, out_dir: Path) -> list[Path]:
    """`<name>.<lang>.svg`, `.png` (twice the spec's size) and `.vl.json` for each chart of
    `chart_specs`, in `out_dir` (created if need be); the paths written, in that order."""
    return write_specs(release, lang, chart_specs(release, lang), out_dir)


def write_specs(
    release: ReleaseFigures, lang: str, specs: Mapping[str, Spec], out_dir: Path
) -> list[Path]:
    """`write_charts` for specs already built (the publisher builds them first, to name the
    charts in the notes it checks before drawing anything)."""
    written: list[Path] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, spec in specs.items():
            svg, png = render(spec)
            stem = f"{name}.{lang}"
            paths = (out_dir / f"{stem}.svg", out_dir / f"{stem}.png", out_dir / f"{stem}.vl.json")
            paths[0].write_text(svg, encoding="utf-8")
            paths[1].write_bytes(png)
            paths[2].write_text(spec_text(spec), encoding="utf-8")
            written += paths
    except OSError as e:
        raise UsageError(
            f"cannot write the charts of release {release.release_id} to {out_dir}: "
            f"{e.strerror or e}; give a folder you can write to"
        ).naming(out_dir=out_dir) from e
    return written


def spec_text(spec: Spec) -> str:
    """The spec as the file holds it: stable bytes for the same release (sorted keys)."""
    return json.dumps(spec, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def render(spec: Spec) -> tuple[str, bytes]:
    """The spec drawn as SVG text and as PNG bytes, with the locale it carries."""
    import vl_convert

    register_fonts()
    locale = spec.get("config", {}).get("locale", {})
    options = {"format_locale": locale.get("number"), "time_format_locale": locale.get("time")}
    svg = vl_convert.vegalite_to_svg(spec, **options)
    # the PNG drawn from that SVG: the same bytes as compiling the spec again, at a third of
    # the cost (measured: 0.05 s against 0.12-0.17 s a chart)
    png = vl_convert.svg_to_png(svg, scale=PNG_SCALE)
    return svg, png


@cache
def register_fonts() -> None:
    """Give vl-convert the vendored fonts, once per process."""
    import vl_convert

    vl_convert.register_font_directory(str(Path(str(files("digex") / "data" / "fonts"))))


def number_locale(locale: str, currency: str) -> dict[str, Any]:
    """A d3-format locale from CLDR: the note's separators, and a currency suffix that names
    the currency (a chart never writes a bare `$`)."""
    return {
        "decimal": get_decimal_symbol(locale),
        "thousands": get_group_symbol(locale),
        "grouping": [3],
        "currency": ["", f"\u00a0{currency}"],
        "minus": "\u2212",
    }


def time_locale(locale: str) -> dict[str, Any]:
    """A d3-time-format locale from CLDR (d3 has none for ar-MA: Moroccan month names come
    from Babel, as the note's do)."""
    loc = Locale.parse(locale)
    months = loc.months["stand-alone"]
    days = loc.days["stand-alone"]
    order = (6, 0, 1, 2, 3, 4, 5)  # d3 weeks start on Sunday, CLDR's day 0 is Monday
    periods = loc.periods
    return {
        "dateTime": "%x %X",
        "date": "%d/%m/%Y",
        "time": "%H:%M:%S",
        "periods": [str(periods.get("am", "AM")), str(periods.get("pm", "PM"))],
        "days": [str(days["wide"][d]) for d in order],
        "shortDays": [str(days["abbreviated"][d]) for d in order],
        "months": [str(months["wide"][m]) for m in range(1, 13)],
        "shortMonths": [str(months["abbreviated"][m]) for m in range(1, 13)],
    }


def _finish(drawn: Drawn, r: Reader) -> alt.VConcatChart:
    """Title, footnotes (confidential figures left out, series breaks, the source) and the
    language's fonts, locale and direction."""
    rtl = r.lang in RTL
    anchor: Literal["start", "end"] = "end" if rtl else "start"
    body = drawn.chart.properties(width=WIDTH, height=HEIGHT)
    locale = r.locale
    currency = r.release.profile.national_currency
    page: alt.VConcatChart = (
        alt.vconcat(body, _footnotes(_notes(drawn, r), r.lang), spacing=14)
        .properties(title=alt.TitleParams(directed(drawn.title, r.lang), anchor=anchor))
        .configure(
            font=FONTS[1] if rtl else FONTS[0],
            background="white",
            padding=12,
            locale=alt.Locale(number=number_locale(locale, currency), time=time_locale(locale)),
        )
        .configure_title(anchor=anchor, fontSize=15, offset=14)
        .configure_axis(labelFontSize=11, titleFontSize=11, labelColor="#202020")
        .configure_legend(orient="left" if rtl else "right", labelFontSize=11, title=None)
        .configure_view(stroke=None)
    )
    return page


def _notes(drawn: Drawn, r: Reader) -> list[str]:
    w = words(r.lang)
    release = r.release
    notes = list(drawn.notes)
    if drawn.plotted.breaks:
        notes.append(w["break"].format(mark=break_mark(r.lang)))
    withheld = drawn.plotted.withheld
    if withheld and not drawn.ranked:
        names = sorted(
            {f"{_name(r, f.key.cut, f.key.member)} ({_when(r, f.key.period)})" for f in withheld}
        )
        notes.append(w["confidential"].format(mark=CONFIDENTIAL, members=", ".join(names)))
    notes.append(
        w["source"].format(
            source=release.profile.data_source.get(r.lang, ""),
            release=code(release.release_id, r.lang),
            status=w.get(release.status, release.status),
        )
    )
    return notes


def _footnotes(notes: Sequence[str], lang: str) -> alt.Chart:
    """The notes under the chart, one text mark per line: a multi-line title or subtitle is
    drawn with SVG tspans, which vl-convert lays over each other in right-to-left text."""
    rtl = lang in RTL
    lines = [line for note in notes for line in textwrap.wrap(note, NOTE_WIDTH)]
    rows = [{"note": directed(line, lang), "y": i * NOTE_LEADING} for i, line in enumerate(lines)]
    notes_chart: alt.Chart = (
        alt.Chart(_inline(rows))
        .mark_text(align="right" if rtl else "left", baseline="top", fontSize=11, color="#404040")
        .encode(
            x=alt.value(WIDTH if rtl else 0),
            y=alt.Y("y:Q", scale=None, axis=None),
            text="note:N",
        )
        .properties(width=WIDTH, height=len(lines) * NOTE_LEADING)
    )
    return notes_chart


def _name(r: Reader, cut: str, member: str) -> str:
    return member_name(cut, member, r.lang, r.locale)


def _when(r: Reader, period: str) -> str:
    return period_label(period, r.lang, r.locale)


def _inline(rows: Sequence[Row]) -> alt.Data:
    """Rows written into the spec itself (not a named dataset): the spec is its own record."""
    return alt.Data(values=list(rows))  # type: ignore[no-untyped-call]


def _is(indicator: str) -> str:
    return f"datum.indicator === {json.dumps(indicator)}"


def _headroom(rows: Sequence[Row], share: float = 1.2) -> list[float]:
    """A value scale from 0 with room above the largest bar for its labels."""
    top = max((float(str(r["shown"])) for r in rows), default=1.0)
    return [0.0, top * share]


def _periods_x(r: Reader, title: str | None = None) -> alt.X:
    return alt.X(
        "period_label:N",
        sort=alt.EncodingSortField("period", op="min"),
        title=title,
        axis=alt.Axis(labelAngle=0),
        scale=alt.Scale(reverse=r.lang in RTL),
    )


def _annual(r: Reader) -> Drawn | None:
    found = data.annual(r)
    levels = found.of("LEVEL")
    if not levels:
        return None
    w = words(r.lang)
    rtl = r.lang in RTL
    y = alt.Y(
        "shown:Q",
        title=money_title(r.release.profile.national_currency, r.lang),
        axis=alt.Axis(format=",.1~f", orient="right" if rtl else "left"),
        scale=alt.Scale(domain=_headroom(levels, 1.25)),
    )
    x = _periods_x(r)
    bars = alt.Chart().transform_filter(_is("LEVEL")).mark_bar(color=INK, width={"band": 0.6})
    bars = bars.encode(x=x, y=y)
    values = bars.mark_text(baseline="bottom", dy=-4, fontSize=12, color="#202020").encode(
        text="text:N"
    )
    growth = (
        alt.Chart()
        .transform_calculate(bar=f"{_is('LEVEL')} ? datum.shown : null")
        .transform_joinaggregate(top="max(bar)", groupby=["period"])
        .transform_filter(_is("GROWTH_YOY"))
        .mark_text(baseline="bottom", dy=-20, fontSize=12, fontWeight="bold", color=ACCENT)
        .encode(
            x=x, y=alt.Y("top:Q", scale=alt.Scale(domain=_headroom(levels, 1.25))), text="text:N"
        )
    )
    chart = alt.LayerChart(layer=[bars, values, growth], data=_inline(found.rows))
    notes = [w["growth_note"]]
    if r.period.freq != "A":
        part = PARTS.get(r.lang, PARTS["en"])[r.period.freq]
        notes.insert(0, w["annual_sub"].format(part=part))
    return Drawn(chart, w["annual"], notes, found)


def _nowcast(r: Reader) -> Drawn | None:
    """The year so far (cumulated months, against the same months a year earlier) and the
    forecast of the whole year as a fan: shaded from the last month observed to December,
    its 95 % interval pale and its 80 % interval darker."""
    found, fan = data.nowcast(r)
    if not fan:
        return None
    w = words(r.lang)
    rtl = r.lang in RTL
    year = r.period.year
    names = Locale.parse(r.locale).months["format"]["abbreviated"]
    labels = json.dumps([directed(str(names[m]), r.lang) for m in range(1, 13)])
    x = alt.X(
        "month:O",
        title=None,
        scale=alt.Scale(domain=list(range(1, 13)), reverse=rtl),
        axis=alt.Axis(labelAngle=0, labelExpr=f"{labels}[datum.value - 1]"),
    )
    top = max(float(str(row["upper_95"])) for row in fan)
    y_scale = alt.Scale(domain=[0.0, top * 1.15])
    title = money_title(r.release.profile.national_currency, r.lang)
    axis = alt.Axis(format=",.0f", orient="right" if rtl else "left")
    y = alt.Y("shown:Q", title=title, axis=axis, scale=y_scale)

    def band(level: str, opacity: float) -> alt.Chart:
        shaded: alt.Chart = (
            alt.Chart()
            .transform_filter(_is("FAN"))
            .mark_area(color=ACCENT, opacity=opacity)
            .encode(
                x=x,
                y=alt.Y(f"lower_{level}:Q", title=title, axis=axis, scale=y_scale),
                y2=f"upper_{level}:Q",
            )
        )
        return shaded

    def so_far(which: int, colour: str, width: float) -> alt.Chart:
        line: alt.Chart = (
            alt.Chart()
            .transform_filter(f"{_is('YTD_LEVEL')} && datum.year === {json.dumps(str(which))}")
            .mark_line(color=colour, strokeWidth=width, point=alt.OverlayMarkDef(color=colour))
            .encode(x=x, y=y)
        )
        return line

    last = f"{year}-{r.period.last_month:02d}"
    point = found.of("NOWCAST_LEVEL")[0]
    layers = [
        band("95", 0.14),
        band("80", 0.3),
        alt.Chart()
        .transform_filter(_is("FAN"))
        .mark_line(color=ACCENT, strokeDash=[6, 4])
        .encode(x=x, y=y),
        so_far(year - 1, PALE[0], 2),
        so_far(year, INK, 3),
        alt.Chart()
        .transform_filter(_is("NOWCAST_LEVEL"))
        .mark_point(color=ACCENT, filled=True, size=80, opacity=1)
        .encode(x=x, y=y),
        alt.Chart()
        .transform_filter(_is("NOWCAST_LEVEL"))
        .mark_text(
            text=directed(w["forecast"].format(year=year, value=point["text"]), r.lang),
            dy=-12,
            fontSize=12,
            fontWeight="bold",
            color=ACCENT,
            align="left" if rtl else "right",
        )
        .encode(x=x, y=y),
        alt.Chart()
        .transform_filter(f"datum.period === {json.dumps(last)}")
        .mark_text(
            dx=8 if rtl else -8, dy=-8, fontSize=12, color=INK, align="left" if rtl else "right"
        )
        .encode(x=x, y=y, text="text:N"),
    ]
    before = [row for row in found.of("YTD_LEVEL") if row["year"] == str(year - 1)]
    if before:
        layers.append(
            alt.Chart()
            .transform_filter(f"datum.period === {json.dumps(str(before[-1]['period']))}")
            .mark_text(dy=14, fontSize=11, color="#606060", align="right" if rtl else "left")
            .encode(x=x, y=y, text=alt.value(str(year - 1)))
        )
    chart = alt.LayerChart(layer=layers, data=_inline([*found.rows, *fan]))
    frozen = r.release.estimates
    methods = frozen.loc[frozen["indicator"] == "NOWCAST_LEVEL", "method"]
    how = w.get(f"method_{methods.iloc[0]}", "") if not methods.empty else ""
    months = r.period.last_month
    first = w["first_month"] if months == 1 else w["first_months"].format(months=months)
    notes = [
        w["so_far"].format(year=year, before=year - 1),
        w["fan"].format(first=first, method=how),
    ]
    return Drawn(chart, w["nowcast"].format(year=year), notes, found)


def _horizontal(
    r: Reader, found: Plotted, title: str, axis_title: str, axis_format: str
) -> alt.LayerChart:
    """Bars from the value axis, largest first, labelled at their end (mirrored in Arabic)."""
    rtl = r.lang in RTL
    y = alt.Y(
        "name:N",
        sort=alt.EncodingSortField("shown", order="descending"),
        title=None,
        axis=alt.Axis(orient="right" if rtl else "left", labelLimit=LABEL_LIMIT),
    )
    x = alt.X(
        "shown:Q",
        title=axis_title,
        axis=alt.Axis(format=axis_format),
        scale=alt.Scale(domain=_headroom(found.rows, 1.15), reverse=rtl),
    )
    bars = alt.Chart().mark_bar(color=INK, height={"band": 0.7}).encode(x=x, y=y)
    labels = bars.mark_text(
        align="right" if rtl else "left", dx=-4 if rtl else 4, fontSize=11, color="#202020"
    ).encode(text="text:N")
    return alt.LayerChart(layer=[bars, labels], data=_inline(found.rows))


def _segments(r: Reader) -> Drawn | None:
    found = data.segments(r)
    if not found.rows:
        return None
    w = words(r.lang)
    title = w["segments"].format(period=_when(r, r.period.label))
    chart = _horizontal(r, found, title, directed(w["share"], r.lang), ",.0f")
    return Drawn(chart, title, [], found)


def _partners(r: Reader) -> Drawn | None:
    cut, found = data.partners(r)
    if not found.rows:
        return None
    w = words(r.lang)
    key = "partners" if cut == "partner" else "regions"
    title = w[key].format(period=_when(r, r.period.label))
    money = money_title(r.release.profile.national_currency, r.lang)
    chart = _horizontal(r, found, title, money, ",.1~f")
    notes = []
    ranked = cut == "partner"
    if found.withheld and ranked:
        notes.append(w["confidential_ranked"].format(mark=CONFIDENTIAL, count=len(found.withheld)))
    return Drawn(chart, title, notes, found, ranked=ranked)


def _halfyear(r: Reader) -> Drawn | None:
    found = data.halfyear(r)
    levels = found.of("LEVEL")
    if not levels:
        return None
    w = words(r.lang)
    rtl = r.lang in RTL
    periods = sorted({str(row["period"]) for row in levels}, key=lambda p: (p[5:], p[:4]))
    labels = [next(str(x["period_label"]) for x in levels if x["period"] == p) for p in periods]
    colours = [c for half in range(2) for c in (PALE[half], DARK[half])][: len(periods)]
    if len(periods) == 2 and periods[0].endswith("H2"):
        colours = [PALE[1], DARK[1]]
    order = list(dict.fromkeys(str(x["name"]) for x in sorted(levels, key=_member_order)))
    y = alt.Y(
        "name:N",
        sort=order,
        title=None,
        axis=alt.Axis(orient="right" if rtl else "left", labelLimit=LABEL_LIMIT),
    )
    offset = alt.YOffset("period_label:N", sort=labels)
    x_scale = alt.Scale(domain=_headroom(levels, 1.15), reverse=rtl)
    x = alt.X(
        "shown:Q",
        title=money_title(r.release.profile.national_currency, r.lang),
        axis=alt.Axis(format=",.1~f"),
        scale=x_scale,
    )
    colour = alt.Color("period_label:N", sort=labels, scale=alt.Scale(domain=labels, range=colours))
    bars = (
        alt.Chart()
        .transform_filter(_is("LEVEL"))
        .mark_bar()
        .encode(y=y, yOffset=offset, x=x, color=colour)
    )
    growth = (
        alt.Chart()
        .transform_calculate(bar=f"{_is('LEVEL')} ? datum.shown : null")
        .transform_joinaggregate(top="max(bar)", groupby=["period", "member"])
        .transform_filter(_is("GROWTH_YOY"))
        .mark_text(align="right" if rtl else "left", dx=-4 if rtl else 4, fontSize=10, color=ACCENT)
        .encode(y=y, yOffset=offset, x=alt.X("top:Q", scale=x_scale), text="text:N")
    )
    chart = alt.LayerChart(layer=[bars, growth], data=_inline(found.rows))
    return Drawn(chart, w["halfyear"], [w["growth_beside"]], found)


def _member_order(row: Row) -> tuple[int, str]:
    from digex.codelists import segments

    codes = ["_T", *(s.code for s in segments())]
    member = str(row["member"])
    return (codes.index(member) if member in codes else len(codes), member)


def _target(r: Reader) -> Drawn | None:
    found, path = data.target(r)
    levels = found.of("LEVEL")
    if not levels and not path:
        return None
    goal = next(t for t in r.release.profile.targets if t.measure == "exports")
    w = words(r.lang)
    rtl = r.lang in RTL
    years = sorted({str(x["period"]) for x in (*levels, *path) if x["indicator"] != "GOAL"})
    x = alt.X(
        "period:O",
        sort=years,
        title=None,
        axis=alt.Axis(labelAngle=0),
        scale=alt.Scale(domain=years, reverse=rtl),
    )
    y_scale = alt.Scale(domain=_headroom([*levels, *path], 1.15))
    y = alt.Y(
        "shown:Q",
        title=money_title(r.release.profile.national_currency, r.lang),
        axis=alt.Axis(format=",.0f", orient="right" if rtl else "left"),
        scale=y_scale,
    )
    rows = [*found.rows, *path]
    reached = (
        alt.Chart()
        .transform_filter(_is("LEVEL"))
        .mark_line(color=INK, strokeWidth=3, point=alt.OverlayMarkDef(color=INK, size=60))
        .encode(x=x, y=y)
    )
    needed = (
        alt.Chart()
        .transform_filter(_is("PATH"))
        .mark_line(color=ACCENT, strokeDash=[6, 4], point=alt.OverlayMarkDef(color=ACCENT, size=30))
        .encode(x=x, y=y)
    )
    layers: list[alt.Chart] = [reached, needed]
    goal_rows = [p for p in path if p["indicator"] == "GOAL"]
    if goal_rows:
        shown = float(str(goal_rows[0]["shown"]))
        layers.append(
            alt.Chart()
            .transform_filter(_is("GOAL"))
            .mark_rule(color="#606060", strokeDash=[2, 3])
            .encode(y=alt.Y("shown:Q", scale=y_scale))
        )
        caption = f"{w['goal']} {goal.year}: {number(shown, 1, r.locale)}"
        layers.append(_caption(directed(caption, r.lang), "GOAL", x, y, dy=-8, colour="#404040"))
    progress = found.of("TARGET_PROGRESS")
    if progress and levels:
        text = w["reached"].format(value=progress[0]["text"])
        layers.append(
            _caption(directed(text, r.lang), "TARGET_LEVEL", x, y, dy=18, colour=INK, rtl=rtl)
        )
    cagr = found.of("CAGR_NEEDED")
    if cagr and len(path) > 2:
        text = w["needed"].format(value=cagr[0]["text"])
        middle = str(path[len(path) // 2]["period"])
        layers.append(
            alt.Chart()
            .transform_filter(f"{_is('PATH')} && datum.period === {json.dumps(middle)}")
            .mark_text(
                text=directed(text, r.lang), dy=20, fontSize=11, color=ACCENT, align="center"
            )
            .encode(x=x, y=y)
        )
    chart = alt.LayerChart(layer=layers, data=_inline(rows))
    title = w["target"].format(target=goal.names.get(r.lang) or goal.names.get("en", goal.id))
    return Drawn(chart, title, [], found)


def _caption(
    text: str, indicator: str, x: alt.X, y: alt.Y, *, dy: int, colour: str, rtl: bool = False
) -> alt.Chart:
    """A sentence written beside the point of `indicator`."""
    caption: alt.Chart = (
        alt.Chart()
        .transform_filter(_is(indicator))
        .mark_text(text=text, dy=dy, fontSize=11, color=colour, align="right" if rtl else "left")
        .encode(x=x, y=y)
    )
    return caption


BUILDERS: Final[dict[str, Callable[[Reader], Drawn | None]]] = {
    "annual": _annual,
    "nowcast": _nowcast,
    "segments": _segments,
    "halfyear": _halfyear,
    "partners": _partners,
    "target": _target,
}
"""How each chart is drawn, by name (`CHARTS`' order)."""
