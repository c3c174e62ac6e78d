"""Releases written into a store by hand, for the tests of release history (list, show, diff,
revision analysis): a few observations each, through `digex.store.releases.insert`, the
writer every release goes through."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from tests.conftest import FIRM, TODAY, write_csv
from tests.releases.freeze import passed

import digex
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
            "conf_status": ["F"] * len(rows),
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
            digest = rel.insert(con, release, inputs or {"profile.toml": "code = 'MA'"}, "obs")
        finally:
            con.unregister("obs")
        passed(con, release_id, published - dt.timedelta(days=1))
    return digest


# -- a pair: a preliminary 2024 release, then corrections, then a revised one ----------------
OLD: list[Obs] = [
    ("LEVEL", "A", "2024", "total", "_T", 26_200_000_000.0),
    ("LEVEL", "A", "2023", "total", "_T", 24_000_000_000.0),
    ("LEVEL", "A", "2024", "segment", "ITO", 10_611_000_000.0),
    ("SHARE", "A", "2024", "segment", "ITO", 40.5),
    ("SHARE", "A", "2024", "segment", "BPO", 20.25),
    ("GROWTH_YOY", "A", "2024", "total", "_T", 9.2),
    ("HHI_PARTNERS", "A", "2024", "total", "_T", 0.1234),
]
NEW: list[Obs] = [
    ("LEVEL", "A", "2024", "total", "_T", 26_204_300_000.0),  # +4.3 million MAD
    ("LEVEL", "A", "2023", "total", "_T", 24_000_000_000.0),  # unchanged
    ("LEVEL", "A", "2024", "segment", "ITO", None),  # became missing
    ("SHARE", "A", "2024", "segment", "ITO", 40.75),  # +0.25 pp
    ("SHARE", "A", "2024", "segment", "KPO", 3.1),  # appeared; BPO vanished
    ("GROWTH_YOY", "A", "2024", "total", "_T", 9.35),  # +0.15 pp
    ("HHI_PARTNERS", "A", "2024", "total", "_T", 0.125),  # +0.0016 points
]
RATES = ("period", "currency", "rate")


def _decl(path: Path, ident: str, amount: str) -> Path:
    return write_csv(path, [(ident, "2024-03", FIRM, "ITO", "FR", "MAD", amount, "X")])


def build_pair(folder: Path) -> Path:
    """Loads 1-3 (rates, d1, e), release 2024.1; e withdrawn, f loaded late, d2 replacing d1;
    release 2024.2; and a 2025 release under embargo. Returns the store's path (closed)."""
    rates = write_csv(folder / "rates.csv", [("2024-03", "EUR", "10.8")], header=RATES)
    with digex.init(folder / "s.duckdb") as db:
        first = [_decl(folder / "d1.csv", "D1", "1000"), _decl(folder / "e.csv", "E1", "7")]
        db.load(first, rates=rates, today=TODAY)
        frozen = {"profile.toml": "p", "codelists.json": "c1"}
        put_release(db, "2024.1", utc(2025, 3, 15), OLD, inputs=frozen, note="first figures")
        db.withdraw(3, reason="sent twice")
        db.load(_decl(folder / "f.csv", "F1", "300"), today=TODAY)
        db.load(_decl(folder / "d2.csv", "D1", "1100"), replace=2, today=TODAY)
        frozen = {"profile.toml": "p", "codelists.json": "c2", "seasonal.json": "s"}
        put_release(db, "2024.2", utc(2025, 9, 30), NEW, status="revised", inputs=frozen)
        put_release(db, "2025.1", utc(2099, 3, 1), [NEW[0]])
        return db.path


# -- vintages: three published releases of half-year exports and one under embargo ----------
BN = 1_000_000_000


def half(period: str, member: str, bn: str) -> Obs:
    """LEVEL of a half-year, in MAD, from a figure in billions."""
    cut = "total" if member == "_T" else "segment"
    return ("LEVEL", "H", period, cut, member, float(Decimal(bn) * BN))


def build_vintages(folder: Path) -> Path:
    """2024.1 (March 2025), 2025-H1.1 (August 2025), 2025.1 (March 2026), each carrying the
    half-years it covers and compares with; 2026-H1.1 under embargo (2099)."""
    with digex.init(folder / "s.duckdb") as db:
        put_release(db, "2024.1", utc(2025, 3, 15), [
            half("2024-H1", "_T", "12.93"), half("2024-H2", "_T", "13.27"),
            half("2024-H1", "ITO", "5.0"),
            ("LEVEL", "A", "2024", "total", "_T", 26.2 * BN),  # another frequency: not read
        ])  # fmt: skip
        put_release(db, "2025-H1.1", utc(2025, 8, 10), [
            half("2024-H1", "_T", "12.95"), half("2025-H1", "_T", "13.38"),
        ])  # fmt: skip
        put_release(db, "2025.1", utc(2026, 3, 10), [
            half("2024-H1", "_T", "12.90"), half("2024-H2", "_T", "13.40"),
            half("2025-H1", "_T", "13.45"), half("2025-H2", "_T", "13.50"),
            half("2024-H1", "ITO", "5.1"), half("2025-H2", "BPO", "2.0"),
        ])  # fmt: skip
        put_release(db, "2026-H1.1", utc(2099, 8, 10), [half("2025-H1", "_T", "99")])
        return db.path


_BUILT: dict[str, Path] = {}


def shared(build: Callable[[Path], Path], factory: pytest.TempPathFactory) -> Path:
    """A store `build` makes once per test process (its tests only read it)."""
    name = build.__name__
    if name not in _BUILT:
        _BUILT[name] = build(factory.mktemp(name))
    return _BUILT[name]
