"""The release's charts, on a tiny hand-made release: the data are the release's figures
exactly, confidential ones left out and said, the files valid and not blank, Arabic drawn
right to left, and every number in the language's conventions."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import xml.etree.ElementTree as ET
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import vl_convert
from PIL import Image

from digex.errors import UsageError
from digex.publish.chart_words import WORDS, directed
from digex.publish.charts import (
    CHARTS,
    chart_specs,
    register_fonts,
    render,
    spec_text,
    write_charts,
)
from digex.publish.figures import FigureKey, ReleaseFigures

SVG = "{http://www.w3.org/2000/svg}"
NC = "MAD"

# (indicator, period, cut, member, value, unit, conf_status); a None value is withheld (C)
ROWS: list[tuple[str, str, str, str, str | None, str, str]] = [
    ("LEVEL", "2023", "total", "_T", "26169999991.85", NC, "F"),
    ("LEVEL", "2024", "total", "_T", "26221350000", NC, "F"),
    ("GROWTH_YOY", "2024", "total", "_T", "0.19621705", "PC", "F"),
    ("SHARE", "2024", "segment", "ITO", "40.343", "PC", "F"),
    ("SHARE", "2024", "segment", "CRM", "37.364", "PC", "F"),
    ("SHARE", "2024", "segment", "KPO", None, "PC", "C"),
    ("LEVEL", "2023-H1", "total", "_T", "12906560000", NC, "F"),
    ("LEVEL", "2024-H1", "total", "_T", "12930000000", NC, "F"),
    ("LEVEL", "2023-H1", "segment", "ITO", "5027456000", NC, "F"),
    ("LEVEL", "2024-H1", "segment", "ITO", "5236825000", NC, "F"),
    ("LEVEL", "2024-H1", "segment", "KPO", None, NC, "C"),
    ("GROWTH_YOY", "2024-H1", "total", "_T", "0.18157", "PC", "F"),
    ("LEVEL", "2024", "partner", "FR", "11656900000", NC, "F"),
    ("LEVEL", "2024", "partner", "ES", "2843247000", NC, "F"),
    ("LEVEL", "2024", "partner", "TN", None, NC, "C"),
    ("TARGET_LEVEL", "2024", "target", "EXPORTS_2030", "26221350000", NC, "F"),
    ("TARGET_PROGRESS", "2024", "target", "EXPORTS_2030", "65.5533750", "PC", "F"),
    ("CAGR_NEEDED", "2024", "target", "EXPORTS_2030", "7.292037", "PC", "F"),
]
HALF_ROWS: list[tuple[str, str, str, str, str | None, str, str]] = [
    ("LEVEL", "2024-H1", "total", "_T", "12930000000", NC, "F"),
    ("LEVEL", "2025-H1", "total", "_T", "13380000000", NC, "F"),
    ("GROWTH_YOY", "2025-H1", "total", "_T", "3.480278", "PC", "F"),
    ("SHARE", "2025-H1", "segment", "ITO", "41.479821", "PC", "F"),
    ("LEVEL", "2025-H1", "region", "150", "10832320000", NC, "F"),
    ("LEVEL", "2025-H1", "region", "019", "1492420000", NC, "F"),
    ("LEVEL", "2025-H1", "region", "142", "484568400", NC, "F"),
    ("LEVEL", "2025-H1", "region", "009", "20711190", NC, "F"),
]


def release(rows: list[tuple[str, str, str, str, str | None, str, str]], period: str) -> Any:
    """A ReleaseFigures made by hand: MA's profile, the rows above (freq from the period)."""
    frame = pd.DataFrame(
        [
            {
                "indicator": i,
                "freq": "A" if len(p) == 4 else p[5],
                "period": p,
                "cut": c,
                "member": m,
                "flow": "X",
                "value": float("nan") if v is None else float(v),
                "unit": u,
                "unit_mult": 0,
                "obs_status": "P",
                "completeness": "complete",
                "conf_status": conf,
            }
            for i, p, c, m, v, u, conf in rows
        ]
    )
    when = dt.datetime(2025, 3, 31, 9, tzinfo=dt.UTC)
    profile = (files("digex") / "data" / "profiles" / "MA.toml").read_text(encoding="utf-8")
    return ReleaseFigures(
        f"{period}.1",
        {
            "period": period,
            "status": "preliminary",
            "vintage": 1,
            "created_at": when,
            "published_at": when,
        },
        {"profile.toml": profile},
        frame,
        Path(f"{period}.1.duckdb"),
    )


@pytest.fixture(scope="module")
def tiny() -> ReleaseFigures:
    found: ReleaseFigures = release(ROWS, "2024")
    return found


@pytest.fixture(scope="module")
def specs(tiny: ReleaseFigures) -> dict[str, dict[str, dict[str, Any]]]:
    return {lang: chart_specs(tiny, lang) for lang in ("en", "fr", "ar")}


@pytest.fixture(scope="module")
def written(tiny: ReleaseFigures, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("charts")
    return write_charts(tiny, "en", out) + write_charts(tiny, "ar", out)


def data_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every row of the chart's data (the footnotes' lines are the last chart's)."""
    return list(spec["vconcat"][0]["data"]["values"])


def figure_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in data_rows(spec) if "key" in r]


def notes(spec: dict[str, Any]) -> list[str]:
    return [r["note"] for r in spec["vconcat"][1]["data"]["values"]]


def test_every_chart_of_an_annual_release_is_drawn(specs: dict[str, Any]) -> None:
    for lang in ("en", "fr", "ar"):  # no nowcast: a whole year is observed, not forecast
        assert tuple(specs[lang]) == tuple(c for c in CHARTS if c != "nowcast")


def test_the_data_are_the_release_figures_exactly(
    tiny: ReleaseFigures, specs: dict[str, Any]
) -> None:
    seen = set()
    for spec in specs["en"].values():
        for row in figure_rows(spec):
            figure = tiny.figure(*_args(row["key"]))
            assert figure.value is not None
            assert Decimal(repr(row["value"])) == figure.value
            scale = 9 if figure.unit == NC else 0
            assert Decimal(repr(row["shown"])) == figure.value.scaleb(-scale)
            seen.add(row["key"])
    available = {f.key.id for f in tiny if f.available}
    assert seen == available  # each figure of the tiny release is in some chart


def _args(key: str) -> tuple[str, str, str, str, str]:
    k = FigureKey.parse(key)
    return k.indicator, k.period, k.cut, k.member, k.flow


def test_money_is_in_billions_rounded_half_up_only_in_the_label(specs: dict[str, Any]) -> None:
    levels = {
        r["period"]: r for r in figure_rows(specs["en"]["annual"]) if r["indicator"] == "LEVEL"
    }
    assert levels["2024"]["shown"] == 26.22135  # not rounded in the data
    assert levels["2024"]["text"] == "26.2"
    growth = [r for r in figure_rows(specs["fr"]["annual"]) if r["indicator"] == "GROWTH_YOY"]
    assert [r["text"] for r in growth] == ["+0,2\u00a0%"]
    partners = {r["member"]: r["text"] for r in figure_rows(specs["en"]["partners"])}
    assert partners == {"FR": "11.7", "ES": "2.8"}
    shares = {r["member"]: r["text"] for r in figure_rows(specs["ar"]["segments"])}
    assert shares == {"ITO": "40,3\u00a0%", "CRM": "37,4\u00a0%"}


def test_confidential_figures_are_left_out_and_said(specs: dict[str, Any]) -> None:
    for lang, by_name in specs.items():
        for name, spec in by_name.items():
            rows = figure_rows(spec)
            assert all(r["member"] not in ("KPO", "TN") for r in rows), (lang, name)
            assert all(r["shown"] != 0 for r in rows)
    segments = notes(specs["en"]["segments"])
    assert any(n.startswith("C confidential") and "Knowledge process" in n for n in segments)
    halfyear = notes(specs["fr"]["halfyear"])
    assert any(n.startswith("C confidentiel") and "S1 2024" in n for n in halfyear)
    # a ranking says how many markets it left out, never which (their rank would bound them)
    partners = notes(specs["en"]["partners"])
    assert any(n.startswith("C confidential") and "1 markets" in n for n in partners)
    assert not any("Tunisia" in n for n in partners)
    assert [r["member"] for r in figure_rows(specs["en"]["partners"])] == ["FR", "ES"]
    # vl-convert lays lines out left to right: each Arabic line is isolated right to left
    arabic = [n for spec in specs["ar"].values() for n in notes(spec)]
    assert any("(C)" in n for n in arabic)
    assert all(n.startswith("\u2067") and n.endswith("\u2069") for n in arabic)


def test_axes_name_the_currency_and_never_a_dollar(specs: dict[str, Any]) -> None:
    titles = {
        lang: s["annual"]["vconcat"][0]["layer"][0]["encoding"]["y"]["title"]
        for lang, s in specs.items()
    }
    assert titles == {
        "en": "billion MAD",
        "fr": "milliards de dirhams",
        "ar": directed("مليار درهم", "ar"),
    }
    # d3's default currency is the dollar: the locale names MAD, and no text has a `$`
    assert "$" not in str(specs).replace("'$schema'", "")
    assert specs["en"]["annual"]["config"]["locale"]["number"]["currency"] == ["", "\u00a0MAD"]
    number = specs["fr"]["segments"]["config"]["locale"]["number"]
    assert (number["decimal"], number["thousands"]) == (",", "\u202f")
    assert specs["ar"]["segments"]["config"]["locale"]["number"]["decimal"] == ","
    months = specs["ar"]["segments"]["config"]["locale"]["time"]["months"]
    assert months[7:9] == ["غشت", "شتنبر"]  # Moroccan month names (d3 has no ar-MA)


def test_the_target_path_runs_from_the_level_to_the_target(specs: dict[str, Any]) -> None:
    rows = data_rows(specs["en"]["target"])
    path = [r for r in rows if r["indicator"] == "PATH"]
    assert [r["period"] for r in path] == [str(y) for y in range(2024, 2031)]
    assert path[0]["shown"] == 26.22135
    assert path[-1]["shown"] == 40.0
    # each year grows by the growth needed
    grown = Decimal(repr(path[1]["shown"])) / Decimal(repr(path[0]["shown"]))
    assert abs(grown - Decimal("1.07292037")) < Decimal("1e-12")


def test_svg_and_png_files_are_valid_and_not_blank(written: list[Path]) -> None:
    names = sorted(p.name for p in written)
    expected = sorted(
        f"{c}.{lang}.{ext}"
        for c in CHARTS
        if c != "nowcast"  # an annual release
        for lang in ("en", "ar")
        for ext in ("svg", "png", "vl.json")
    )
    assert names == expected
    for path in written:
        if path.suffix == ".svg":
            root = ET.parse(path).getroot()
            assert root.tag == f"{SVG}svg"
            assert root.findall(f".//{SVG}text")
        elif path.suffix == ".png":
            with Image.open(path) as image:
                image.verify()
            with Image.open(path) as image:
                rgb = image.convert("RGB")
            assert rgb.width > 1000  # drawn at twice the spec's width
            colours = rgb.getcolors(maxcolors=1 << 24)
            assert colours is not None
            assert len(colours) > 20, path.name
            ink = (np.asarray(rgb) < 200).any(axis=2).mean()
            assert ink > 0.02, path.name


def test_the_arabic_title_is_drawn_right_to_left(
    specs: dict[str, Any], written: list[Path], tmp_path: Path
) -> None:
    spec = specs["ar"]["annual"]
    title = spec["title"]["text"]
    assert title == directed(WORDS["ar"]["annual"], "ar")  # as written, in logical order
    png = next(p for p in written if p.name == "annual.ar.png")
    kept = Path(shutil.copy(png, tmp_path / png.name))
    if os.environ.get("DIGEX_TEST_ARTEFACTS"):
        folder = Path(os.environ["DIGEX_TEST_ARTEFACTS"])
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(kept, folder / png.name)
    # the SVG keeps the title as logical text, unshaped, anchored at the right
    svg = ET.parse(next(p for p in written if p.name == "annual.ar.svg")).getroot()
    texts = [t for t in svg.iter(f"{SVG}text") if (t.text or "") == title]
    assert len(texts) == 1
    assert texts[0].get("text-anchor") == "end"
    assert texts[0].get("font-family") == "Noto Sans Arabic"
    assert not re.search("[\ufb50-\ufdff\ufe70-\ufeff]", title)  # no presentation forms
    # drawn: the title's first word is its rightmost ink; in a left-to-right layout it would
    # be its leftmost
    at_right, at_left = _first_word(title)
    assert at_right < 0.02
    assert at_left > 5 * at_right


def test_arabic_lines_with_latin_runs_read_right_to_left(specs: dict[str, Any]) -> None:
    """A line holding a Latin run ((C), a release id) keeps its Arabic words in order: its
    first word is drawn at its right end."""
    line = next(n for n in notes(specs["ar"]["segments"]) if "(C)" in n)
    at_right, at_left = _first_word(line)
    assert at_right < 0.02
    assert at_left > 5 * at_right
    source = notes(chart_specs(release(HALF_ROWS, "2025-H1"), "ar")["annual"])[-1]
    assert "2025-H1.1" in source
    at_right, at_left = _first_word(source)
    assert at_right < 0.02
    assert at_left > 5 * at_right
    # the release id reads as written, not as H1.1-2025
    assert 2 * _match(source, "2025-H1.1") < _match(source, "H1.1-2025")


def _match(line: str, part: str) -> float:
    """How far `part`, drawn alone, is from the place of the drawn `line` it best matches."""
    drawn, alone = _ink(_title_png(line)), _ink(_title_png(part))
    columns = np.flatnonzero(alone.any(axis=0))
    width = columns.max() + 1 - columns.min()
    crop = alone[:, columns.min() : columns.max() + 1]
    return float(
        min(np.abs(drawn[:, x : x + width] - crop).mean() for x in range(drawn.shape[1] - width))
    )


def _first_word(text: str) -> tuple[float, float]:
    """How far the drawn `text`'s right end, then its left end, is from its first word drawn
    alone (mean ink difference; 0 is the same pixels)."""
    first = text.strip("\u2067\u2069").split()[0]
    whole, alone = _ink(_title_png(text)), _ink(_title_png(directed(first, "ar")))
    columns = np.flatnonzero(alone.any(axis=0))
    left, right = columns.min(), columns.max() + 1
    start = np.flatnonzero(whole.any(axis=0)).min()
    at_right = np.abs(whole[:, left:right] - alone[:, left:right]).mean()
    at_left = np.abs(whole[:, start : start + right - left] - alone[:, left:right]).mean()
    return float(at_right), float(at_left)


def _title_png(text: str) -> bytes:
    register_fonts()
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "width": 600,
        "height": 1,
        "title": {"text": text, "anchor": "end", "fontSize": 15},
        "mark": "point",
        "data": {"values": []},
        "config": {"font": "Noto Sans Arabic", "view": {"stroke": None}},
    }
    png: bytes = vl_convert.vegalite_to_png(spec, scale=2)
    return png


def _ink(png: bytes) -> np.ndarray[Any, np.dtype[np.float64]]:
    with Image.open(io.BytesIO(png)) as image:
        grey = np.asarray(image.convert("L"), dtype=np.float64)
    return 1 - grey / 255


def test_a_half_year_release_draws_regions_and_no_target() -> None:
    half = release(HALF_ROWS, "2025-H1")
    specs = chart_specs(half, "fr")
    assert tuple(specs) == ("annual", "segments", "halfyear", "partners")
    regions = {r["member"]: (r["name"], r["text"]) for r in figure_rows(specs["partners"])}
    assert regions == {
        "150": ("Europe", "10,8"),
        "019": ("Amériques", "1,5"),
        "142": ("Asie", "0,48"),  # a small region is not written 0,0
        "009": ("Océanie", "0,021"),
    }
    assert specs["partners"]["title"]["text"] == "Exportations par région, S1 2025"
    labels = [r["period_label"] for r in figure_rows(specs["annual"]) if r["indicator"] == "LEVEL"]
    assert labels == ["S1 2024", "S1 2025"]


def test_a_language_the_profile_does_not_publish_in_is_refused(tiny: ReleaseFigures) -> None:
    with pytest.raises(UsageError, match="lang='de'"):
        chart_specs(tiny, "de")


def test_render_gives_svg_text_and_png_bytes(specs: dict[str, Any]) -> None:
    svg, png = render(specs["fr"]["segments"])
    assert svg.startswith("<svg")
    assert "40,3\u00a0%" in svg
    assert png.startswith(b"\x89PNG")


def test_the_files_are_the_same_bytes_each_time(tiny: ReleaseFigures, written: list[Path]) -> None:
    """A release's charts drawn again are the same files (the manifest's hashes hold)."""
    spec = chart_specs(tiny, "ar")["segments"]
    svg, png = render(spec)
    folder = written[0].parent
    assert (folder / "segments.ar.svg").read_text(encoding="utf-8") == svg
    assert (folder / "segments.ar.png").read_bytes() == png
    assert (folder / "segments.ar.vl.json").read_text(encoding="utf-8") == spec_text(spec)


def test_a_folder_that_cannot_be_written_is_named(tiny: ReleaseFigures, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    with pytest.raises(UsageError, match=r"cannot write the charts of release 2024\.1 to"):
        write_charts(tiny, "en", blocked / "charts")
