"""Releases written into a store by hand, for the tests of release history (list, show, diff,
revision analysis): a few observations each, through `digex.store.releases.insert`, the
writer every release goes through."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import pyarrow as pa

from digex.api import Digex
from digex.store import releases as rel

Obs = tuple[str, str, str, str, str, float | None]
"""indicator, freq, period, cut, member, value (flow X, unit by indicator, unit_mult 0)."""
UNITS = {"LEVEL": "MAD", "SHARE": "PC", "GROWTH_YOY": "PC", "HHI_PARTNERS": "INDEX"}


def utc(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    """A time as the release tables hold it (naive, UTC)."""
    return dt.datetime(year, month, day, hour)


def put_release(
    db: Digex,
    release_id: str,
    published: dt.datetime,
    rows: Sequence[Obs],
    *,
    status: str = "preliminary",
    inputs: Mapping[str, str] | None = None,
    note: str | None = None,
    by: str = "amina",
) -> str:
    """Write a release of the period its id names (`2024.1`: period 2024, vintage 1),
    created a day before `published` (an embargo), and return its content hash."""
    period, vintage = release_id.rsplit(".", 1)
    freq = "A" if "-" not in period else period.split("-")[1][0]
    table = pa.table(
        {
            "indicator": [r[0] for r in rows],
            "freq": [r[1] for r in rows],
            "period": [r[2] for r in rows],
            "cut": [r[3] for r in rows],
            "member": [r[4] for r in rows],
            "flow": ["X"] * len(rows),
            "value": pa.array([r[5] for r in rows], pa.float64()),
            "unit": [UNITS[r[0]] for r in rows],
            "unit_mult": pa.array([0] * len(rows), pa.int32()),
            "obs_status": ["P" if status == "preliminary" else "A"] * len(rows),
            "completeness": ["complete"] * len(rows),
        }
    )
    release = rel.Release(
        release_id, period, freq, int(vintage), status, note,
        published - dt.timedelta(days=1), by, published,
        "1.0", "MA", "2026.2", "ab" * 32, "2026.1", None, None,
    )  # fmt: skip
    with db.store.write() as con:
        con.register("obs", table)
        try:
            return rel.insert(con, release, inputs or {"profile.toml": "code = 'MA'"}, "obs")
        finally:
            con.unregister("obs")
