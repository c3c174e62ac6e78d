"""Public reads give their rows in a stated order, whatever the database's settings: a load
through an open store (`Digex.load`) turns DuckDB's `preserve_insertion_order` off for the whole
database while it runs, and other threads read meanwhile."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
from tests.conftest import FIRM, TODAY, write_csv

import digex
from digex.backends import export_parquet
from digex.store import queries

ROWS = 400_000
"""Enough rows for several row groups, read by parallel threads: unordered, they come out of
the join with the active loads in any order."""


def test_reads_are_ordered_while_insertion_order_is_off(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    rows = [("D1", "2024-03", FIRM, "ITO", "FR", "MAD", "1000", "X")]
    with digex.init(path) as db:
        db.load(write_csv(tmp_path / "d.csv", rows), today=TODAY)
        with db.store.write() as con:  # many rows quickly: copies of the one loaded
            con.execute(
                f"INSERT INTO declarations SELECT d.* REPLACE (r.range + 3 AS line) "
                f"FROM declarations d, range({ROWS}) r"
            )
        # what a load through the open store sets while it runs (database-wide)
        db.store.con.execute("SET preserve_insertion_order = false")
        db.store.con.execute("SET threads = 4")
        lines = db.declarations(output="arrow").column("line").to_pylist()
        assert lines == sorted(lines)
        with db.store.snapshot() as snap:
            tables = queries.portable_tables(snap.con)
        lines = tables["current_declarations"].column("line").to_pylist()
        assert lines == sorted(lines)
        export_parquet(db, tmp_path / "parquet")
        lines = pq.read_table(tmp_path / "parquet" / "declarations.parquet")["line"].to_pylist()
        assert lines == sorted(lines)
        assert len(lines) == ROWS + 1
