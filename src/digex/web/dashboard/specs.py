"""The dashboard's Vega-Lite v6 specs, as plain dictionaries (no Altair: a spec is a few
hundred bytes built in microseconds, and Altair's import alone costs most of a second).

A spec carries only what its chart draws: its rows inline (`data.values`), each with the
value on the axis (`value`, money in billions) and the label already written by the server
(`text`, the note's rounding and separators), which the tooltip shows, so the script and Vega
never write a figure but the axis ticks (which follow the locale in `config.locale`). A
confidential figure has no row: nothing is drawn for it, and the chart's description says so.
Arabic mirrors the layout (value axis on the right, time and bars running right to left).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

SCHEMA: Final = "https://vega.github.io/schema/vega-lite/v6.json"
INK: Final = "#1f4e79"
ACCENT: Final = "#c0504d"
PALE: Final = "#9dc3e6"
Spec = dict[str, Any]
Row = dict[str, Any]


def _base(rows: Sequence[Row], locale: Mapping[str, Any], title: str) -> Spec:
    return {
        "$schema": SCHEMA,
        "description": title,
        "width": "container",
        "height": 260,
        "autosize": {"type": "fit", "contains": "padding"},
        "data": {"values": list(rows)},
        "config": {"locale": dict(locale), "view": {"stroke": None}},
    }


def _tooltip() -> list[dict[str, str]]:
    return [
        {"field": "label", "type": "nominal", "title": " "},
        {"field": "text", "type": "nominal", "title": " "},
    ]


def _time_x(rtl: bool, periods: Sequence[str]) -> dict[str, Any]:
    return {
        "field": "label",
        "type": "ordinal",
        "sort": list(periods),
        "title": None,
        "axis": {"labelAngle": 0, "labelOverlap": True},
        "scale": {"reverse": rtl},
    }


def headroom(rows: Sequence[Row], share: float) -> list[float]:
    """A value scale from 0 with room beyond the largest value for its label."""
    top = max((float(r["value"]) for r in rows), default=1.0)
    return [0.0, top * share if top > 0 else 1.0]


def _value_y(title: str, rtl: bool, fmt: str) -> dict[str, Any]:
    return {
        "field": "value",
        "type": "quantitative",
        "title": title,
        "axis": {"format": fmt, "orient": "right" if rtl else "left"},
    }


def time_bars(
    rows: Sequence[Row],
    path: Sequence[Row],
    *,
    axis_title: str,
    locale: Mapping[str, Any],
    title: str,
    rtl: bool,
) -> Spec:
    """Bars of a level over time, labelled; with `path`, a dashed line of the level each
    later year would reach on the way to a target (rows of `series` "path")."""
    periods = [str(r["label"]) for r in [*rows, *path]]
    periods = list(dict.fromkeys(periods))
    x = _time_x(rtl, periods)
    y = _value_y(axis_title, rtl, ",.1~f")
    y["scale"] = {"domain": headroom([*rows, *path], 1.12)}
    level = {"filter": "datum.series === 'level'"}
    layers: list[Spec] = [
        {
            "transform": [level],
            "mark": {"type": "bar", "color": INK},
            "encoding": {"x": x, "y": y, "tooltip": _tooltip()},
        },
        {
            "transform": [level],
            "mark": {"type": "text", "baseline": "bottom", "dy": -4, "fontSize": 11},
            "encoding": {"x": x, "y": y, "text": {"field": "text", "type": "nominal"}},
        },
    ]
    if path:
        layers.append(
            {
                "transform": [{"filter": "datum.series === 'path'"}],
                "mark": {"type": "line", "color": ACCENT, "strokeDash": [6, 4], "point": True},
                "encoding": {"x": x, "y": y, "tooltip": _tooltip()},
            }
        )
    spec = _base([*rows, *path], locale, title)
    spec["layer"] = layers
    return spec


def time_line(
    rows: Sequence[Row], *, axis_title: str, locale: Mapping[str, Any], title: str, rtl: bool,
    fmt: str = ",.1~f", zero: bool = True, estimates: Sequence[Row] = (),
    names: tuple[str, str] = ("", ""),
) -> Spec:  # fmt: skip
    """A line with a point on each period (a monthly, quarterly or yearly series); with
    `estimates` (rows of `series` "sa", each with its `name`), a second line, dashed and in
    the accent colour, and a legend naming both lines (`names`: the observed, the
    estimated), so that an estimate is never read as an observation."""
    periods = list(dict.fromkeys(str(r["label"]) for r in [*rows, *estimates]))
    y = _value_y(axis_title, rtl, fmt)
    y["scale"] = {"zero": zero}
    spec = _base([*rows, *estimates], locale, title)
    if not estimates:
        spec["mark"] = {"type": "line", "color": INK, "point": {"color": INK}}
        spec["encoding"] = {"x": _time_x(rtl, periods), "y": y, "tooltip": _tooltip()}
        return spec
    x = _time_x(rtl, periods)
    domain = list(names)
    legend = {
        "title": None, "orient": "bottom", "symbolType": "stroke", "symbolStrokeWidth": 2,
        "labelLimit": 360,
    }  # fmt: skip
    colour = {"domain": domain, "range": [INK, ACCENT]}
    dash = {"domain": domain, "range": [[1, 0], [6, 4]]}

    def layer(series: str, name: str, tooltip: list[dict[str, str]]) -> Spec:
        return {
            "transform": [{"filter": f"datum.series === {json.dumps(series)}"}],
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": x, "y": y, "tooltip": tooltip,
                "color": {"datum": name, "scale": colour, "legend": legend},
                "strokeDash": {"datum": name, "scale": dash, "legend": legend},
            },
        }  # fmt: skip

    named = [{"field": "name", "type": "nominal", "title": " "}]
    spec["layer"] = [
        layer("level", names[0], _tooltip()),
        layer("sa", names[1], [_tooltip()[0], *named, _tooltip()[1]]),
    ]
    return spec


def ranked_bars(
    rows: Sequence[Row], *, axis_title: str, locale: Mapping[str, Any], title: str, rtl: bool,
    fmt: str,
) -> Spec:  # fmt: skip
    """Horizontal bars of members, largest on top, the selected member in the accent colour,
    each labelled at its end."""
    y = {
        "field": "label",
        "type": "nominal",
        "sort": {"field": "value", "order": "descending"},
        "title": None,
        "axis": {"orient": "right" if rtl else "left", "labelLimit": 220},
    }
    x = {
        "field": "value",
        "type": "quantitative",
        "title": axis_title,
        "axis": {"format": fmt},
        "scale": {"reverse": rtl, "domain": headroom(rows, 1.25)},
    }
    colour = {"condition": {"test": "datum.selected", "value": ACCENT}, "value": INK}
    spec = _base(rows, locale, title)
    spec["height"] = {"step": 24}
    spec["layer"] = [
        {
            "mark": {"type": "bar"},
            "encoding": {"x": x, "y": y, "color": colour, "tooltip": _tooltip()},
        },
        {
            "mark": {
                "type": "text",
                "align": "right" if rtl else "left",
                "dx": -4 if rtl else 4,
                "fontSize": 11,
            },
            "encoding": {"x": x, "y": y, "text": {"field": "text", "type": "nominal"}},
        },
    ]
    return spec
