"""The store file itself: its storage format."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from digex.store import Store
from digex.store.store import STORAGE_VERSION, load_memory_limit


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


def test_large_loads_get_more_memory_within_half_of_what_is_available(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DIGEX_MEMORY_LIMIT", raising=False)
    pages = {"SC_AVPHYS_PAGES": 4 * 2**20, "SC_PAGE_SIZE": 4096}  # 16 GiB available
    monkeypatch.setattr("os.sysconf", pages.__getitem__)
    assert load_memory_limit(600 * 10**6) == "1500MB"  # 10M rows of CSV: the default
    assert load_memory_limit(6 * 10**9) == "4291MB"  # 100M rows: 0.75 byte per byte
    assert load_memory_limit(60 * 10**9) == "8192MB"  # never more than half the available
    monkeypatch.setenv("DIGEX_MEMORY_LIMIT", "2GB")
    assert load_memory_limit(60 * 10**9) == "2GB"  # the user's word wins


def test_quick_commands_do_not_import_pandas(tmp_path: Path) -> None:
    """Creating a store and listing a load's rejected rows stay quick: binding a parameter in
    DuckDB's Python package imports pandas and NumPy (0.7 s, more than the work itself)."""
    code = f"""
import sys
from digex.api import Digex
with Digex.create({str(tmp_path / "s.duckdb")!r}) as store:
    store.rejects(load_id=1, output="arrow")
    store.loads(output="arrow")
print(sorted(m for m in ("pandas", "ibis") if m in sys.modules))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]", done.stderr
