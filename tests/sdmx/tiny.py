"""A hand-made release with a row of every cut, frequency and flow the SDMX key has to place,
two confidential ones among them."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
from sdmx.message import StructureMessage

import sdmx
from digex.profile import load_profile
from digex.publish.figures import ReleaseFigures
from digex.sdmx.structures import Structures, structures, write_structures

COLUMNS = [
    "indicator", "freq", "period", "cut", "member", "flow", "value", "unit", "unit_mult",
    "obs_status", "completeness", "conf_status",
]  # fmt: skip

SECRET = 4_321_987.65
"""Nowhere in the public view: the confidential rows' value is absent (NaN)."""

ROWS: list[tuple[str, str, str, str, str, str, float | None, str, str]] = [
    # indicator, freq, period, cut, member, flow, value, unit, conf_status
    ("LEVEL", "A", "2024", "total", "_T", "X", 26_221_349_995.51, "MAD", "F"),
    ("LEVEL", "A", "2023", "total", "_T", "X", 26_170_000_000.0, "MAD", "F"),
    ("LEVEL", "A", "2024", "total", "_T", "M", 1_234_567.89, "MAD", "F"),
    ("BALANCE", "A", "2024", "total", "_T", "N", 26_220_115_427.62, "MAD", "F"),
    ("LEVEL_USD", "A", "2024", "total", "_T", "X", 2_650_123_456.7, "USD", "F"),
    ("LEVEL", "H", "2024-H1", "total", "_T", "X", 12_900_000_000.25, "MAD", "F"),
    ("LEVEL", "H", "2024-H2", "total", "_T", "X", 13_321_349_995.26, "MAD", "F"),
    ("LEVEL", "Q", "2024-Q1", "total", "_T", "X", 6_400_000_000.5, "MAD", "F"),
    ("LEVEL", "Q", "2024-Q2", "total", "_T", "X", 6_500_000_000.0, "MAD", "F"),
    ("LEVEL", "M", "2024-01", "total", "_T", "X", 2_100_000_000.0, "MAD", "F"),
    ("LEVEL", "M", "2024-02", "total", "_T", "X", 2_150_000_000.0, "MAD", "F"),
    ("LEVEL", "M", "2024-12", "total", "_T", "X", 2_300_000_000.0, "MAD", "F"),
    ("SHARE", "A", "2024", "segment", "ITO", "X", 40.34, "PC", "F"),
    ("LEVEL", "A", "2024", "segment", "KPO", "X", None, "MAD", "C"),
    ("GROWTH_YOY", "A", "2024", "segment", "KPO", "X", -8.05, "PC", "F"),
    ("LEVEL", "A", "2024", "ebops", "SI2", "X", 10_578_000_000.0, "MAD", "F"),
    ("LEVEL", "A", "2024", "partner", "FR", "X", 9_876_543_210.12, "MAD", "F"),
    ("LEVEL", "A", "2024", "partner", "NA", "X", 12_345.5, "MAD", "F"),
    ("LEVEL", "A", "2024", "region", "150", "X", 15_000_000_000.0, "MAD", "F"),
    ("LEVEL", "A", "2024", "region", "_X", "X", 1_000.25, "MAD", "F"),
    ("LEVEL", "A", "2024", "currency", "EUR", "X", 14_000_000_000.0, "MAD", "F"),
    ("LEVEL", "A", "2024", "segment_partner", "KPO.FR", "X", None, "MAD", "C"),
    ("LEVEL", "A", "2024", "segment_region", "ITO.150", "X", 5_000_000_000.75, "MAD", "F"),
    ("JOBS", "A", "2024", "segment", "ITO", "_Z", 48_500.0, "JOBS", ""),
    ("TARGET_PROGRESS", "A", "2024", "target", "exports_2030", "X", 65.55, "PC", "F"),
]


def tiny_sdmx_release(
    rows: list[tuple[str, str, str, str, str, str, float | None, str, str]] = ROWS,
) -> ReleaseFigures:
    frame = pd.DataFrame(
        [
            (i, f, p, cut, m, flow, v, u, 0, "B" if p == "2023" else "P", "complete", c)
            for i, f, p, cut, m, flow, v, u, c in rows
        ],
        columns=COLUMNS,
    )
    meta: dict[str, object] = {
        "release_id": "2024.1",
        "period": "2024",
        "freq": "A",
        "vintage": 1,
        "status": "preliminary",
        "note": "hand-made",
        "created_at": dt.datetime(2025, 3, 24, 8),
        "published_at": dt.datetime(2025, 3, 28, 9),
        "profile": "MA",
    }
    text = load_profile("MA").text
    return ReleaseFigures("2024.1", meta, {"profile.toml": text}, frame, Path("tiny.duckdb"))


# -- fixtures: here, not in a conftest.py, since one in this folder would take the place of
# tests/conftest.py as the module `conftest` (whose classes the demo fixtures pickle) -------


@pytest.fixture(scope="module")
def tiny() -> ReleaseFigures:
    return tiny_sdmx_release()


@pytest.fixture(scope="module")
def tiny_structures(tiny: ReleaseFigures) -> Structures:
    return structures(tiny, "MA1")


@pytest.fixture(scope="module")
def read_structures(tiny_structures: Structures) -> StructureMessage:
    """The structure message as sdmx1 reads it."""
    message = sdmx.read_sdmx(io.BytesIO(write_structures(tiny_structures, "xml")))
    assert isinstance(message, StructureMessage)
    return message
