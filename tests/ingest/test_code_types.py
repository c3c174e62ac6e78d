"""The coded columns are stored as ENUM types that follow the code lists; readers see text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from tests.conftest import FIRM, TODAY, counts, write_csv

from digex.api import Digex
from digex.errors import NotReconciled
from digex.store import codes
from digex.store.migrations import MIGRATIONS
from digex.store.store import STORAGE_VERSION

ROWS = [
    ("D1", "2024-01", FIRM, "ITO", "FR", "EUR", "1000.50", "X"),
    ("D2", "2024-02", FIRM, "SI2", "NA", "MAD", "2500", "M"),
]


def _types(db: Digex) -> dict[str, str]:
    rows = db.store.con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE table_name = 'declarations' AND column_name IN "
        "('segment', 'ebops', 'partner', 'currency', 'flow')"
    ).fetchall()
    return {str(name): str(kind) for name, kind in rows}


def test_codes_are_stored_as_enums_and_read_as_text(
    store: Digex, rates_file: Path, tmp_path: Path
) -> None:
    store.load(write_csv(tmp_path / "d.csv", ROWS), rates=rates_file, today=TODAY)
    types = _types(store)
    assert all(kind.startswith("ENUM(") for kind in types.values()), types
    assert "'NA'" in types["partner"]
    assert "'SI2'" in types["ebops"]
    rows = store.declarations(output="arrow")
    for column in ("segment", "ebops", "partner", "currency", "flow"):
        assert str(rows.schema.field(column).type) == "string"
    frame = store.declarations().sort_values("line")
    assert frame["partner"].tolist() == ["FR", "NA"]
    assert frame["ebops"].isna().tolist() == [True, False]
    assert frame["ebops"].tolist()[1] == "SI2"
    assert str(frame["segment"].dtype) != "category"


def test_a_store_of_schema_3_keeps_its_rows_when_its_columns_become_enums(
    tmp_path: Path, rates_file: Path
) -> None:
    """A store written before the ENUM types (text columns, rows already in) is converted by
    its next load, and the rows it held read the same."""
    path = tmp_path / "old.duckdb"
    # an empty file, as a store of schema 3 began (`_create_file` now writes the whole schema)
    duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_VERSION}).close()
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMP)")
        for version, sql in enumerate(MIGRATIONS[:3], start=1):
            con.execute(sql)
            con.execute("INSERT INTO schema_version VALUES (?, ?)", [version, datetime.now(UTC)])
        con.execute(
            "INSERT INTO loads VALUES (1, 'declarations', 'old.csv', '/old.csv', 'h', 1, 'csv', "
            "NULL, NULL, NULL, now(), 'me', 1, 1, 0, NULL, 'MA', '2026.1', '0')"
        )
        con.execute(
            "INSERT INTO declarations VALUES (1, 2, 'OLD1', DATE '2023-05-01', ?, 'KPO', NULL, "
            "'DE', 'MAD', 10, 'X', 1, 1000)",
            [FIRM],
        )
    with Digex.open(path) as db:
        assert _types(db)["partner"] == "VARCHAR"
        db.load(write_csv(tmp_path / "d.csv", ROWS), rates=rates_file, today=TODAY)
        assert _types(db)["partner"].startswith("ENUM(")
        frame = db.declarations().sort_values(["period", "line"])
        assert frame["declaration_id"].tolist() == ["OLD1", "D1", "D2"]
        assert frame["partner"].tolist() == ["DE", "FR", "NA"]
        assert frame["segment"].tolist() == ["KPO", "ITO", "ITO"]


def test_a_code_added_to_a_list_widens_the_type_and_keeps_the_rows(
    store: Digex, rates_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.load(write_csv(tmp_path / "a.csv", ROWS), rates=rates_file, today=TODAY)
    assert "'QZ'" not in _types(store)["partner"]
    countries: Callable[[], set[str]] = codes.CODED["partner"]
    monkeypatch.setitem(codes.CODED, "partner", lambda: countries() | {"QZ"})
    with store.store.write() as con:
        widened = codes.follow_codelists(con)
        assert codes.follow_codelists(con) == widened  # nothing more to widen
    assert widened["partner"] == "code_partner_v2"
    assert widened["segment"] == "code_segment_v1"
    assert "'QZ'" in _types(store)["partner"]
    kept = store.store.con.execute(
        "SELECT type_name FROM duckdb_types() WHERE starts_with(type_name, 'code_partner_')"
    ).fetchall()
    assert kept == [("code_partner_v2",)]  # the narrower type is gone
    assert store.declarations().sort_values("line")["partner"].tolist() == ["FR", "NA"]


def test_a_failed_load_stores_nothing_and_a_later_one_is_typed_the_same(
    store: Digex, rates_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The types are widened before validation, in a transaction of their own: a load that
    then fails stores no row, and its widened types are those the next load would make."""
    from digex.ingest import load

    counted = load._rows_read
    with monkeypatch.context() as patch:
        patch.setattr(load, "_rows_read", lambda con, staged: counted(con, staged) + 1)
        before = counts(store)
        with pytest.raises(NotReconciled):
            store.load(write_csv(tmp_path / "d.csv", ROWS), rates=rates_file, today=TODAY)
        assert counts(store) == before
    typed = _types(store)
    store.load(write_csv(tmp_path / "d.csv", ROWS), rates=rates_file, today=TODAY)
    assert _types(store) == typed
    assert len(store.declarations()) == 2
