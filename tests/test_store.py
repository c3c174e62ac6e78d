"""The store file itself: its storage format."""

from __future__ import annotations

from pathlib import Path

import duckdb

from digex.store import Store
from digex.store.store import STORAGE_VERSION


def test_new_stores_use_the_newer_storage_format(tmp_path: Path) -> None:
    """New stores get DuckDB's newer storage format (dictionary + FSST string compression,
    cheaper to write); an existing store keeps the format it was made with."""
    Store.create(tmp_path / "new.duckdb").close()
    with duckdb.connect(str(tmp_path / "new.duckdb"), read_only=True) as con:
        (tags,) = con.execute(
            "SELECT tags FROM duckdb_databases() WHERE database_name = 'new'"
        ).fetchone() or ({},)
    assert str(tags["storage_version"]).startswith(STORAGE_VERSION)

    duckdb.connect(str(tmp_path / "old.duckdb")).close()  # DuckDB's default format
    Store.create(tmp_path / "old.duckdb").close()
    with duckdb.connect(str(tmp_path / "old.duckdb"), read_only=True) as con:
        (tags,) = con.execute(
            "SELECT tags FROM duckdb_databases() WHERE database_name = 'old'"
        ).fetchone() or ({},)
    assert not str(tags["storage_version"]).startswith(STORAGE_VERSION)
