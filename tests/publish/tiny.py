"""A hand-made release for the publication tests: a few figures, one of them confidential."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from digex.profile import load_profile
from digex.publish.figures import ReleaseFigures

COLUMNS = [
    "indicator", "freq", "period", "cut", "member", "flow", "value", "unit", "unit_mult",
    "obs_status", "completeness", "conf_status",
]  # fmt: skip

ROWS: list[tuple[str, str, str, str, float | None, str, str]] = [
    # indicator, period, cut, member, value, unit, conf_status
    ("LEVEL", "2024", "total", "_T", 26_221_349_995.51, "MAD", "F"),
    ("LEVEL", "2023", "total", "_T", 26_170_000_000.0, "MAD", "F"),
    ("GROWTH_YOY", "2024", "total", "_T", 0.1962170564615655, "PC", "F"),
    ("LEVEL", "2024", "segment", "ITO", 10_578_000_000.0, "MAD", "F"),
    ("SHARE", "2024", "segment", "ITO", 40.34, "PC", "F"),
    ("GROWTH_YOY", "2024", "segment", "ITO", 3.75, "PC", "F"),
    ("LEVEL", "2024", "segment", "KPO", None, "MAD", "C"),
    ("SHARE", "2024", "segment", "KPO", None, "PC", "C"),
    ("GROWTH_YOY", "2024", "segment", "KPO", -8.05, "PC", "F"),
    ("JOBS", "2024", "total", "_T", 148_500.0, "JOBS", "F"),
]


def tiny_release(
    rows: Sequence[tuple[str, str, str, str, float | None, str, str]] = ROWS,
    *,
    status: str = "preliminary",
    profile_text: str | None = None,
) -> ReleaseFigures:
    frame = pd.DataFrame(
        [
            (i, "A", p, cut, m, "_Z" if i == "JOBS" else "X", v, u, 0, "P", "complete", c)
            for i, p, cut, m, v, u, c in rows
        ],
        columns=COLUMNS,
    )
    meta: dict[str, object] = {
        "release_id": "2024.1",
        "period": "2024",
        "freq": "A",
        "vintage": 1,
        "status": status,
        "note": "hand-made",
        "created_at": dt.datetime(2025, 3, 24, 8),
        "published_at": dt.datetime(2025, 3, 28, 9),
        "profile": "MA",
    }
    text = profile_text if profile_text is not None else load_profile("MA").text
    return ReleaseFigures("2024.1", meta, {"profile.toml": text}, frame, Path("tiny.duckdb"))
