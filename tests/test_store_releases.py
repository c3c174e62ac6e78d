"""The release tables' writer: a release is written whole with a hash that any change to one of
its rows alters, and the hash is the same computed in the store and in a copy of its rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from digex.store import Store
from digex.store import releases as rel

T0 = dt.datetime(2025, 2, 20, 10, 0)


def _release(rid: str, period: str, vintage: int) -> rel.Release:
    return rel.Release(
        rid, period, "A", vintage, "preliminary", "first figures", T0, "amina", T0,
        "1.0", "MA", "2026.2", "ab" * 32, "2026.1", None, None,
    )  # fmt: skip


OBS = pa.table(
    {
        "indicator": ["exports", "exports"],
        "freq": ["A", "A"],
        "period": ["2024", "2023"],
        "cut": ["total", "total"],
        "member": ["_T", "_T"],
        "flow": ["X", "X"],
        "value": [26.2e9, None],
        "unit": ["MAD", "MAD"],
        "unit_mult": [0, 0],
        "obs_status": ["P", "A"],
        "completeness": ["complete", "complete"],
    }
)


def test_a_release_is_written_whole_and_its_hash_sees_any_change(tmp_path: Path) -> None:
    with Store.create(tmp_path / "s.duckdb") as store:
        with store.write() as con:
            assert rel.next_vintage(con, "2024") == 1
            con.register("obs", OBS)
            digest = rel.insert(con, _release("2024.1", "2024", 1), {"profile.toml": "x"}, "obs")
            con.unregister("obs")
            assert rel.next_vintage(con, "2024") == 2
        with store.reading() as con:
            assert rel.stored_hash(con, "2024.1") == digest == rel.content_hash(con, "2024.1")
            assert rel.stored_hash(con, "2099.1") is None
            listed = rel.listing(con).to_pylist()
            assert [(r["release_id"], r["observations"]) for r in listed] == [("2024.1", 2)]
            assert rel.observations(con, "2024.1")["period"].to_pylist() == ["2023", "2024"]
            assert rel.inputs(con, "2024.1") == {"profile.toml": "x"}
        # a change made with SQL, from outside digex, is seen
        store.con.execute("UPDATE release_observations SET value = 26.3e9 WHERE period = '2024'")
        with store.reading() as con:
            assert rel.content_hash(con, "2024.1") != digest


@pytest.mark.parametrize("table", ["release_inputs", "release_observations"])
def test_the_hash_is_the_same_on_a_copy_of_the_rows(tmp_path: Path, table: str) -> None:
    with Store.create(tmp_path / "s.duckdb") as store:
        with store.write() as con:
            con.register("obs", OBS)
            digest = rel.insert(con, _release("2024.1", "2024", 1), {"p": "é'\n"}, "obs")
        copy = duckdb.connect(str(tmp_path / "copy.duckdb"))
        for name in rel.TABLES:
            rows = store.con.execute(f"SELECT * FROM {name}").to_arrow_table()
            copy.register("rows", rows)
            copy.execute(f"CREATE TABLE {name} AS SELECT * FROM rows")
            copy.unregister("rows")
        assert rel.content_hash(copy, "2024.1") == digest
        copy.execute(f"DELETE FROM {table} WHERE true")
        assert rel.content_hash(copy, "2024.1") != digest


@pytest.mark.parametrize(
    ("note", "loads"),
    [(None, (3, None)), ("é'|\\N\n", (None, 7)), ("", (12, 40))],
)
def test_the_hash_computed_before_the_row_is_written_is_the_row_s(
    tmp_path: Path, note: str | None, loads: tuple[int | None, int | None]
) -> None:
    """The `releases` row is hashed from its values before it is inserted (nothing updates a
    release): the stored row must give the same hash, whatever its missing values and text."""
    release = dataclasses.replace(
        _release("2024-H1.3", "2024-H1", 3),
        note=note,
        last_load_id=loads[0],
        last_conversion_id=loads[1],
        created_at=dt.datetime(2025, 8, 4, 8, 0, 0, 123456),
    )
    with Store.create(tmp_path / "s.duckdb") as store:
        with store.write() as con:
            con.register("obs", OBS)
            digest = rel.insert(con, release, {}, "obs")
            con.unregister("obs")
        with store.reading() as con:
            assert rel.stored_hash(con, "2024-H1.3") == digest == rel.content_hash(con, "2024-H1.3")
