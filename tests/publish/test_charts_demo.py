"""The charts of the demo's releases state the reference figures (DESIGN.md) and hold
exactly the releases' values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from tests.publish.conftest import DemoReleases

from digex.publish.charts import chart_specs
from digex.publish.figures import FigureKey, ReleaseFigures


@pytest.fixture(scope="module")
def demo(demo_releases: DemoReleases) -> dict[str, tuple[ReleaseFigures, dict[str, Any]]]:
    found = {}
    for which in ("2024", "2025-H1"):
        release = demo_releases.open(which)
        found[which] = (release, chart_specs(release, "en"))
    return found


def _rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in spec["vconcat"][0]["data"]["values"] if "key" in r]


def _texts(spec: dict[str, Any], indicator: str) -> dict[tuple[str, str], str]:
    return {
        (r["period"], r["member"]): r["text"] for r in _rows(spec) if r["indicator"] == indicator
    }


def test_the_charts_state_the_reference_figures(demo: dict[str, Any]) -> None:
    _, specs = demo["2024"]
    assert _texts(specs["annual"], "LEVEL")[("2024", "_T")] == "26.2"
    assert _texts(specs["annual"], "GROWTH_YOY")[("2024", "_T")] == "+0.2%"
    shares = {m: t for (_, m), t in _texts(specs["segments"], "SHARE").items()}
    assert shares == {"ITO": "40.3%", "CRM": "37.4%", "ESO": "13.2%", "BPO": "8.9%", "KPO": "0.2%"}
    _, half = demo["2025-H1"]
    levels = _texts(half["halfyear"], "LEVEL")
    assert (levels[("2025-H1", "_T")], levels[("2024-H1", "_T")]) == ("13.4", "12.9")
    assert _texts(half["halfyear"], "GROWTH_YOY")[("2025-H1", "_T")] == "+3.5%"
    assert "target" in demo["2024"][1]
    assert "target" not in half  # a half-year release holds no complete year


def test_the_chart_data_are_the_release_values(demo: dict[str, Any]) -> None:
    for release, specs in demo.values():
        rows = [r for spec in specs.values() for r in _rows(spec)]
        assert rows
        for row in rows:
            figure = release.get(FigureKey.parse(row["key"]))
            assert figure is not None
            assert figure.available
            assert Decimal(repr(row["value"])) == figure.value
            shown = figure.value.scaleb(-9 if figure.unit == "MAD" else 0)
            if row["indicator"].startswith("NOWCAST_LEVEL"):  # a model's double, not cents
                assert row["shown"] == float(shown)
            else:
                assert Decimal(repr(row["shown"])) == shown


def test_the_forecast_is_drawn_apart_from_the_observations_with_its_intervals(
    demo: dict[str, Any],
) -> None:
    release, half = demo["2025-H1"]
    assert "nowcast" not in demo["2024"][1]  # an annual release forecasts nothing
    rows = half["nowcast"]["vconcat"][0]["data"]["values"]
    observed = [r for r in rows if r["indicator"] == "YTD_LEVEL"]
    assert [r["period"] for r in observed] == [
        f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 7)
    ]
    assert observed[-1]["text"] == "13.4"  # January to June 2025, as the note says
    (point,) = [r for r in rows if r["indicator"] == "NOWCAST_LEVEL"]
    frozen = release.estimates.set_index(["indicator", "cut", "period"]).loc[
        ("NOWCAST_LEVEL", "total", "2025")
    ]
    assert frozen["obs_status"] == "F"
    assert point["value"] == frozen["value"]
    assert point["text"] == "27.1"  # 27,096,472,791 MAD, as the note states it
    # the fan: closed at the last month observed, open on the frozen bounds in December
    start, end = (r for r in rows if r["indicator"] == "FAN")
    assert (start["month"], end["month"]) == (6, 12)
    bounds = ("lower_95", "lower_80", "upper_80", "upper_95")
    assert {start[b] for b in bounds} == {observed[-1]["shown"]}
    assert [end[b] for b in bounds] == [
        float(Decimal(repr(float(frozen[b]))).scaleb(-9)) for b in bounds
    ]
    assert end["lower_95"] < end["lower_80"] < point["shown"] < end["upper_80"] < end["upper_95"]
    # the forecast is no observation of the release: it comes from the frozen estimates
    assert "NOWCAST_LEVEL" not in set(release.observations["indicator"])
    notes = [r["note"] for r in half["nowcast"]["vconcat"][1]["data"]["values"]]
    text = " ".join(notes)
    assert "four times in five" in text
    assert "not an observed figure" in text
    assert "first 6 months" in text
