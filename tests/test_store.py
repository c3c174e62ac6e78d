"""The store file itself: its storage format."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from tests.conftest import FIRM, TODAY, write_csv

import digex
from digex.errors import StoreError
from digex.indicators import cache
from digex.store import SCHEMA_VERSION, Store
from digex.store.migrations import MIGRATIONS
from digex.store.queries import content
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


def _small_store(tmp_path: Path) -> Path:
    path = tmp_path / "small.duckdb"
    rows = [("D1", "2024-03", FIRM, "ITO", "FR", "MAD", "1000", "X")]
    with digex.init(path) as db:
        db.load(write_csv(tmp_path / "d.csv", rows), today=TODAY)
    return path


def test_a_read_only_store_never_closes_a_connection_in_use(tmp_path: Path) -> None:
    """A read-only store is reopened for writing (e.g. to keep computed indicators) only when
    nothing of it is in use: an engine handed out earlier keeps working (it used to read from
    a closed connection); once it is gone, the write is made."""
    path = _small_store(tmp_path)
    with digex.connect(path, read_only=True) as db:
        engine = db.engine()
        assert not db.store.write_briefly(lambda store: store.set_meta("seen", "yes"))
        assert db.store.meta("seen") is None
        table = engine.backend.table(engine.sources.declarations)
        assert table.count().execute() == 1  # its connection is still open
        del engine, table
        assert db.store.write_briefly(lambda store: store.set_meta("seen", "yes"))
        assert db.store.meta("seen") == "yes"
        assert db.store.read_only
        with pytest.raises(StoreError, match="read-only"):
            db.store.set_meta("again", "no")


def test_results_computed_before_a_commit_are_not_kept_as_current(tmp_path: Path) -> None:
    """Kept indicators are filed under the store content they were computed from: a load that
    committed during the computation makes the write a no-op, not a wrong cache entry."""
    path = _small_store(tmp_path)
    frame = pd.DataFrame(
        {
            "indicator": ["LEVEL"], "freq": ["A"], "period": ["2024"], "cut": ["total"],
            "member": ["_T"], "flow": ["X"], "value": [10.0], "unit": ["MAD"],
            "unit_mult": [0], "obs_status": ["A"], "completeness": ["complete"],
        }
    )  # fmt: skip
    keys = cache.requests("2024", None, "total")
    with digex.connect(path) as db:
        with db.store.reading() as con:
            now = content(con)
        assert now == (1, 1)
        assert not cache.write(db.store, db.profile, keys, frame, computed_on=(0, 0))
        assert cache.read(db.store, db.profile, keys) is None
        # rows are never filed without saying what they were computed on
        with pytest.raises(TypeError, match="computed_on"):
            cache.write(db.store, db.profile, keys, frame)  # type: ignore[call-arg]
        assert cache.read(db.store, db.profile, keys) is None
        assert cache.write(db.store, db.profile, keys, frame, computed_on=now)
        kept = cache.read(db.store, db.profile, keys)
        assert kept is not None
        assert kept["value"].tolist() == [10.0]


def test_a_version_4_store_opens_and_is_read_after_migrating(tmp_path: Path) -> None:
    """A store of schema version 4 (built here by its own migrations) with results kept in the
    older cache layout: refused read-only (with what to do), migrated when opened for writing,
    then read through the store's queries; the old kept results are dropped."""
    path = tmp_path / "v4.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMP)")
        for version, sql in enumerate(MIGRATIONS[:4], start=1):
            con.execute(sql)
            con.execute(f"INSERT INTO schema_version VALUES ({version}, now())")
        con.execute(
            "INSERT INTO loads VALUES (1, 'declarations', 'old.csv', '/old.csv', 'h', 1, 'csv', "
            "NULL, NULL, NULL, now(), 'me', 2, 1, 1, NULL, 'MA', '2026.1', '0')"
        )
        con.execute(
            "INSERT INTO declarations VALUES (1, 2, 'OLD1', DATE '2023-05-01', "
            f"'{FIRM}', 'KPO', NULL, 'DE', 'MAD', 10, 'X', 1, 1000)"
        )
        con.execute(
            "INSERT INTO rejects (load_id, line, reasons, message, declaration_id) "
            "VALUES (1, 3, 'BAD_SEGMENT', 'segment XYZ', 'OLD2')"
        )
        con.execute(
            "INSERT INTO indicator_cache VALUES ('s', 'A|total|2023', 'LEVEL', 'A', '2023', "
            "'total', '_T', 'X', 10, 'MAD', 0, 'A')"
        )
    with pytest.raises(StoreError, match="schema version 4; open it once for writing"):
        Store(path, read_only=True)
    with digex.connect(path) as db:
        assert db.store.schema_version() == SCHEMA_VERSION
        log = db.loads(output="arrow").to_pylist()
        assert [(r["load_id"], r["status"], r["reconverted"]) for r in log] == [(1, "current", 0)]
        assert db.declarations()["declaration_id"].tolist() == ["OLD1"]
        assert db.rejects()[["line", "kind", "reasons"]].values.tolist() == [
            [3, "declarations", "BAD_SEGMENT"]
        ]
        assert cache.kept(db.store, db.profile).empty
