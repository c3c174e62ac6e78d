"""The note's paragraph on what the first months say about the full year: the frozen nowcast
with its 80 % and 95 % ranges and the seasonally adjusted change of the last month, each
labelled as an estimate in the three languages and each tagged, so that the number check
covers it (a figure the release did not freeze stops the note)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from tests.publish.tiny import COLUMNS

from digex.errors import DigexError
from digex.profile import load_profile
from digex.publish.figures import ReleaseFigures
from digex.publish.note import render
from digex.releases.estimates import ESTIMATE_COLUMNS

OBSERVED = [
    # indicator, freq, period, value, unit
    ("LEVEL", "H", "2025-H1", 13_412_345_678.9, "MAD"),
    ("LEVEL", "H", "2024-H1", 12_958_000_000.0, "MAD"),
    ("GROWTH_YOY", "H", "2025-H1", 3.5041, "PC"),
]
ESTIMATED = [
    # indicator, freq, period, value, low80, high80, low95, high95, unit, status, adjustment
    ("NOWCAST_LEVEL", "A", "2025", 27_096_472_787.3, 26_897_075_214.5, 27_297_348_565.1,
     26_750_125_766.9, 27_447_304_132.7, "MAD", "F", "N"),
    ("LEVEL_SA", "M", "2025-06", 2_250_000_000.0, None, None, None, None, "MAD", "E", "S"),
    ("GROWTH_POP_SA", "M", "2025-06", 0.8612, None, None, None, None, "PC", "E", "S"),
]  # fmt: skip


def _release(estimated: list[tuple[object, ...]] = ESTIMATED) -> ReleaseFigures:
    frame = pd.DataFrame(
        [
            (i, f, p, "total", "_T", "X", v, u, 0, "P", "complete", "F")
            for i, f, p, v, u in OBSERVED
        ],
        columns=COLUMNS,
    )
    estimates = pd.DataFrame(
        [
            (i, f, p, "total", "_T", "X", v, lo8, hi8, lo9, hi9, u, 0, s, a, "ratio")
            for i, f, p, v, lo8, hi8, lo9, hi9, u, s, a in estimated
        ],
        columns=list(ESTIMATE_COLUMNS),
    )
    meta: dict[str, object] = {
        "release_id": "2025-H1.1",
        "period": "2025-H1",
        "freq": "H",
        "vintage": 1,
        "status": "preliminary",
        "note": None,
        "created_at": dt.datetime(2025, 7, 20, 8),
        "published_at": dt.datetime(2025, 7, 21, 9),
        "profile": "MA",
    }
    inputs = {"profile.toml": load_profile("MA").text}
    return ReleaseFigures(
        "2025-H1.1", meta, inputs, frame, Path("tiny.duckdb"), estimates=estimates
    )


@pytest.fixture(scope="module")
def notes() -> dict[str, str]:
    release = _release()
    return {lang: render(release, lang).text for lang in ("en", "fr", "ar")}


def test_the_nowcast_and_its_ranges_are_stated_as_an_estimate(notes: dict[str, str]) -> None:
    en = notes["en"]
    assert "What the first months say about the full year" in en
    for shown in ("27.1", "26.9", "27.3", "26.8", "27.4"):
        assert shown in en, shown
    assert "an estimate (a forecast), not an observed figure" in en
    assert "Seasonally adjusted (an estimate)" in en
    assert "+0.9" in en
    assert "estimation" in notes["fr"]
    assert "27,1" in notes["fr"]
    assert "تقدير" in notes["ar"]


def test_a_release_without_estimates_has_no_such_paragraph() -> None:
    text = render(_release([]), "en").text
    assert "first months" not in text


def test_an_estimate_the_release_did_not_freeze_stops_the_note() -> None:
    release = _release()
    template = "{{ t.money(f.outlook.nowcast) }} and 27.5 bn MAD\n"
    with pytest.raises(DigexError):
        render(release, "en", template=template)
    # the frozen figure itself passes the check
    assert "27.1" in render(release, "en", template="{{ t.money(f.outlook.nowcast) }}\n").text
    # the estimates are not observations: no table or breakdown reads them
    assert "NOWCAST_LEVEL" not in set(release.observations["indicator"])
