"""The estimates' place in the store (schema 8): which series a release may estimate, the
hash and the snapshot covering the rows, the specs kept per year, and a schema-7 store
migrated with its releases' hashes unchanged. Small data built here: no release is computed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
from tests.releases.freeze import passed
from tests.releases.history_store import utc

import digex
from digex.releases.estimates import ESTIMATE_COLUMNS, published_series
from digex.releases.snapshot import read_release, write_snapshot
from digex.store import releases as rel
from digex.store.migrations import MIGRATIONS

LEVELS = [
    # freq, cut, member, conf_status
    ("M", "total", "_T", "F"),
    ("M", "segment", "ITO", "F"),
    ("M", "segment", "KPO", "A"),  # primary: withheld
    ("M", "segment", "BPO", "F"),
    ("Q", "segment", "BPO", "F"),
    ("Q", "total", "_T", "F"),
]


def _observations() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "indicator": "LEVEL",
                "freq": f,
                "period": "2025-06" if f == "M" else "2025-Q2",
                "cut": c,
                "member": m,
                "flow": "X",
                "conf_status": s,
            }
            for f, c, m, s in LEVELS
        ]
        + [  # a suppressed SHARE is not a LEVEL cell: it does not withhold the series
            {
                "indicator": "SHARE",
                "freq": "M",
                "period": "2025-06",
                "cut": "segment",
                "member": "ITO",
                "flow": "X",
                "conf_status": "D",
            }
        ]
    )


def test_a_series_with_a_suppressed_cell_here_or_earlier_is_not_estimated() -> None:
    earlier = pd.DataFrame(
        [("X", "Q", "2024-Q3", "segment", "BPO", "value", "D")],
        columns=["flow", "freq", "period", "cut", "member", "measure", "conf_status"],
    )
    allowed, withheld = published_series(_observations(), earlier)
    assert allowed == {
        ("M", "total", "_T", "X"),
        ("M", "segment", "ITO", "X"),
        ("M", "segment", "BPO", "X"),
        ("Q", "total", "_T", "X"),
    }
    assert withheld == {("M", "segment", "KPO", "X"), ("Q", "segment", "BPO", "X")}
    # without the earlier pattern, the quarterly BPO is published
    allowed, _ = published_series(_observations(), earlier.iloc[0:0])
    assert ("Q", "segment", "BPO", "X") in allowed


def _estimates(value: float = 26.5e9) -> pa.Table:
    rows = [
        ("LEVEL_SA", "M", "2025-06", "total", "_T", "X", 2.2e9, None, None, None, None,
         "MAD", 0, "E", "S", "x13"),
        ("NOWCAST_LEVEL", "A", "2025", "total", "_T", "X", value, 26e9, 27e9, 25.5e9, 27.5e9,
         "MAD", 0, "F", "N", "ratio"),
    ]  # fmt: skip
    columns = list(zip(*rows, strict=True))
    types = [pa.string()] * 6 + [pa.float64()] * 5 + [pa.string(), pa.int32()] + [pa.string()] * 3
    return pa.table(
        {c: pa.array(v, t) for c, v, t in zip(ESTIMATE_COLUMNS, columns, types, strict=True)}
    )


def _with_estimates(db: digex.Digex, release_id: str, value: float = 26.5e9) -> str:
    """A release of 2025-H1 written through `rel.insert` (the writer every release goes
    through) with one observation and two estimate rows; its content hash."""
    observation = pa.table(
        {
            "indicator": ["LEVEL"], "freq": ["H"], "period": ["2025-H1"], "cut": ["total"],
            "member": ["_T"], "flow": ["X"], "value": pa.array([13.4e9], pa.float64()),
            "unit": ["MAD"], "unit_mult": pa.array([0], pa.int32()), "obs_status": ["P"],
            "completeness": ["complete"], "conf_status": ["F"],
        }
    )  # fmt: skip
    made = utc(2025, 7, 20)
    release = rel.Release(
        release_id, "2025-H1", "H", 1, "preliminary", None, made, "amina", made,
        "1.0", "MA", "2026.2", "ab" * 32, "2026.1", None, None,
    )  # fmt: skip
    with db.store.write() as con:
        con.register("new_obs", observation)
        con.register("new_estimates", _estimates(value))
        try:
            digest = rel.insert(
                con, release, {"estimates.json": "{}"}, "new_obs", None, "new_estimates"
            )
        finally:
            con.unregister("new_obs")
            con.unregister("new_estimates")
        passed(con, release_id, made)
    return digest


def test_the_hash_and_the_snapshot_cover_the_estimates(tmp_path: Path) -> None:
    with digex.init(tmp_path / "s.duckdb") as db:
        digest = _with_estimates(db, "2025-H1.1")
        con = db.store.con
        assert rel.content_hash(con, "2025-H1.1") == digest
        held = rel.estimates(con, "2025-H1.1").to_pylist()
        assert [(r["indicator"], r["obs_status"], r["adjustment"]) for r in held] == [
            ("LEVEL_SA", "E", "S"),
            ("NOWCAST_LEVEL", "F", "N"),
        ]
        # estimates never land among the observations
        assert con.execute(
            "SELECT count(*) FROM release_observations WHERE indicator IN "
            "('LEVEL_SA', 'NOWCAST_LEVEL')"
        ).fetchone() == (0,)
        path = write_snapshot(db.store, "2025-H1.1")
        # tampering with one estimate at SQL level is seen by the hash
        con.execute(
            "UPDATE release_estimates SET upper_95 = 28e9 WHERE indicator = 'NOWCAST_LEVEL'"
        )
        assert rel.content_hash(con, "2025-H1.1") != digest
    snap = read_release(path)
    assert snap.intact
    assert snap.estimates is not None
    assert snap.estimates.to_pylist() == held


def test_the_estimates_change_the_hash(tmp_path: Path) -> None:
    """Two releases alike but for one estimate hash differently (the rows are covered)."""
    hashes = []
    for value in (26.5e9, 26.6e9):
        with digex.init(tmp_path / f"{value:.0f}.duckdb") as db:
            hashes.append(_with_estimates(db, "2025-H1.1", value))
    assert hashes[0] != hashes[1]


def test_a_years_specs_are_kept_once(tmp_path: Path) -> None:
    with digex.init(tmp_path / "s.duckdb") as db, db.store.write() as con:
        key = ("M", "total", "_T", "X")
        rel.insert_seasonal_specs(con, 2025, "2025-H1.1", {key: '{"model": "first"}'})
        rel.insert_seasonal_specs(con, 2025, "2025-Q3.1", {key: '{"model": "later"}'})
        assert rel.seasonal_specs(con, 2025) == {key: '{"model": "first"}'}
        assert rel.seasonal_specs(con, 2026) == {}


def test_a_schema_7_store_is_migrated_and_its_releases_keep_their_hashes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v7.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMP)")
        for version, sql in enumerate(MIGRATIONS[:7], start=1):
            con.execute(sql)
            con.execute(f"INSERT INTO schema_version VALUES ({version}, now())")
        con.execute("INSERT INTO meta VALUES ('profile', 'MA')")
        con.execute("INSERT INTO release_inputs VALUES ('2024.1', 'profile.toml', 'x')")
        con.execute(
            "INSERT INTO release_observations VALUES ('2024.1', 'LEVEL', 'A', '2024', "
            "'total', '_T', 'X', 26.2e9, 'MAD', 0, 'P', 'complete', 'F')"
        )
        con.execute(
            "INSERT INTO releases VALUES ('2024.1', '2024', 'A', 1, 'preliminary', NULL, "
            "TIMESTAMP '2025-02-20 10:00', 'amina', TIMESTAMP '2025-02-20 10:00', '1.0', 'MA', "
            "'2026.2', 'abab', '2026.1', NULL, NULL, 1, 'pending')"
        )
        old = rel.content_hash(con, "2024.1")  # no estimates table: schema 7's hash
        con.execute(f"UPDATE releases SET content_hash = '{old}'")
    with digex.connect(path) as db:
        assert db.store.schema_version() == len(MIGRATIONS) == 8
        con = db.store.con
        assert rel.content_hash(con, "2024.1") == old == rel.stored_hash(con, "2024.1")
        assert rel.estimates(con, "2024.1").num_rows == 0
        assert rel.seasonal_specs(con, 2024) == {}
