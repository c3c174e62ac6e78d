"""A tiny release built in code (no store, no snapshot): exact figures a test can reason
about by hand, in the shape `publish.figures.ReleaseFigures` reads a snapshot into."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

import pandas as pd

from digex.publish.figures import ReleaseFigures

PROFILE = (files("digex") / "data" / "profiles" / "MA.toml").read_text(encoding="utf-8")
COLUMNS = [
    "indicator", "freq", "period", "cut", "member", "flow", "value", "unit", "unit_mult",
    "obs_status", "completeness", "conf_status",
]  # fmt: skip

# (indicator, period, cut, member, value, unit, conf_status[, flow: X when absent])
Row = tuple[str, ...]

GROWTH = Decimal(1338) / Decimal(1293) * 100 - 100
"""13.38 bn against 12.93 bn: +3.48 %."""
H1: list[Row] = [
    ("LEVEL", "2025-H1", "total", "_T", "13380000000", "MAD", "F"),
    ("LEVEL", "2024-H1", "total", "_T", "12930000000", "MAD", "F"),
    ("LEVEL", "2024-H2", "total", "_T", "13290000000", "MAD", "F"),
    ("LEVEL_USD", "2025-H1", "total", "_T", "1338000000", "USD", "F"),
    ("GROWTH_YOY", "2025-H1", "total", "_T", str(GROWTH), "PC", "F"),
    ("LEVEL", "2025-H1", "segment", "ITO", "5550000000", "MAD", "F"),
    ("LEVEL", "2025-H1", "segment", "CRM", "4630000000", "MAD", "F"),
    ("LEVEL", "2025-H1", "segment", "BPO", "2700000000", "MAD", "F"),
    ("LEVEL", "2025-H1", "segment", "KPO", "26123456", "MAD", "C"),
    ("SHARE", "2025-H1", "segment", "ITO", "41.479820627802695", "PC", "F"),
    ("SHARE", "2025-H1", "segment", "CRM", "34.60388639760837", "PC", "F"),
    ("SHARE", "2025-H1", "segment", "KPO", "0.19524257", "PC", "C"),
    ("CONTRIBUTION", "2025-H1", "segment", "ITO", "2.4207", "PP", "F"),
    ("LEVEL", "2025-H1", "total", "_T", "516954500", "MAD", "F", "M"),
]  # fmt: skip
"""Half-year figures as the demo publishes them (13.38 and 12.93 bn: +3.48 %), KPO withheld,
ITO's contribution to growth, the imports (flow M)."""


def release(
    rows: list[Row] = H1, release_id: str = "2025-H1.1", period: str = "2025-H1"
) -> ReleaseFigures:
    frame = pd.DataFrame(
        [
            {
                "indicator": ind,
                "freq": "H" if "-H" in p else "A",
                "period": p,
                "cut": cut,
                "member": member,
                "flow": rest[0] if rest else "X",
                "value": None if conf == "C" else float(value),
                "unit": unit,
                "unit_mult": 0,
                "obs_status": "P",
                "completeness": "complete",
                "conf_status": conf,
            }
            for ind, p, cut, member, value, unit, conf, *rest in rows
        ],
        columns=COLUMNS,
    )
    when = dt.datetime(2025, 8, 8, 9, tzinfo=dt.UTC)
    metadata: dict[str, object] = {
        "period": period, "status": "preliminary", "vintage": 1, "created_at": when,
        "published_at": when,
    }  # fmt: skip
    return ReleaseFigures(release_id, metadata, {"profile.toml": PROFILE}, frame, Path("none"))
