"""How other engines read a store: never the file itself, but the engine's three inputs copied
out of one state of it, with portable types (text codes, exact DECIMAL money, integer minor
units), under the names the engine reads everywhere (`digex.store.tables.PORTABLE`)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import ibis
import pandas as pd
import pytest
from tests.conftest import FIRM, TODAY, write_csv

import digex
from digex.backends import copy_to, export_parquet
from digex.indicators.engine import Engine, Sources
from digex.store.tables import PORTABLE

ROWS = [
    ("D1", "2024-03", FIRM, "ITO", "FR", "EUR", "1000.5", "X"),
    ("D2", "2024-04", FIRM, "BPO", "US", "MAD", "250", "X"),
    ("D3", "2024-04", FIRM, "BPO", "US", "MAD", "99", "M"),
]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("portable")
    rates = write_csv(
        folder / "rates.csv",
        [("2024-03", "EUR", "10.8")],
        header=("period", "currency", "rate"),
    )
    jobs = write_csv(
        folder / "jobs.csv", [("2024", "_T", "120")], header=("year", "segment", "jobs")
    )
    with digex.init(folder / "s.duckdb") as db:
        db.load(write_csv(folder / "d.csv", ROWS), rates=rates, jobs=jobs, today=TODAY)
    return folder / "s.duckdb"


def _types(con: duckdb.DuckDBPyConnection, relation: str) -> set[str]:
    return {str(t) for (_, t, *_) in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}


def test_a_copy_on_another_backend_holds_the_engine_inputs_with_portable_types(
    store_path: Path,
) -> None:
    other = ibis.duckdb.connect()  # another database, as a PostgreSQL server would be
    with digex.connect(store_path, read_only=True) as db:
        copy_to(db, other)
        here = db.engine().levels("A", "segment").execute()
    assert set(PORTABLE.names()) <= set(other.list_tables())
    for name in PORTABLE.names():
        types = _types(other.con, name)
        assert not any(t.startswith(("ENUM", "HUGEINT")) for t in types), (name, types)
    declarations = other.table(PORTABLE.declarations).to_pandas()
    assert sorted(declarations["declaration_id"]) == ["D1", "D2", "D3"]
    assert declarations.set_index("declaration_id").loc["D1", "value_minor"] == 1080540
    # the same engine on the copy gives the same figures
    there = Engine(Sources(other, minor_units=2)).levels("A", "segment").execute()
    keys = list(here.columns)
    pd.testing.assert_frame_equal(
        here.sort_values(keys, ignore_index=True), there.sort_values(keys, ignore_index=True)
    )


def test_parquet_files_hold_what_the_copy_holds(store_path: Path, tmp_path: Path) -> None:
    other = ibis.duckdb.connect()
    with digex.connect(store_path, read_only=True) as db:
        copy_to(db, other)
        export_parquet(db, tmp_path / "lake")
    con = other.con
    for name, file_name in (
        (PORTABLE.declarations, "declarations.parquet"),
        (PORTABLE.rates, "rates.parquet"),
        (PORTABLE.auxiliary, "auxiliary.parquet"),
    ):
        parquet = f"read_parquet('{tmp_path / 'lake' / file_name}')"
        assert _types(con, parquet) == _types(con, name)
        rows = con.execute(f"SELECT count(*) FROM (FROM {parquet} EXCEPT FROM {name})").fetchone()
        assert rows == (0,)
