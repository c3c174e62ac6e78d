"""Indicator metadata and the SQL the definitions compile to."""

from __future__ import annotations

import os
import re
from pathlib import Path

import ibis
import pytest

from digex.api import Digex
from digex.indicators.consistency import ConsistencyError, verify_frame
from digex.indicators.engine import Engine, Sources
from digex.indicators.registry import definitions

SNAPSHOTS = Path(__file__).parent / "snapshots"


def test_every_indicator_is_defined_in_three_languages() -> None:
    """(That every computed indicator is in the registry is checked on the demo store with
    every frequency and cut, in test_registry.)"""
    known = definitions()
    for d in known.values():
        assert all(d.names.get(lang) for lang in ("ar", "fr", "en")), d.id
        assert all(d.definitions.get(lang) for lang in ("ar", "fr", "en")), d.id
        assert d.unit in {"NC", "USD", "EUR", "PC", "PP", "FIRMS", "INDEX", "JOBS"}


def test_tidy_columns_and_arrow(demo_db: Digex) -> None:
    frame = demo_db.indicators("2024", by="segment")
    assert list(frame.columns) == [
        "indicator",
        "freq",
        "period",
        "cut",
        "member",
        "flow",
        "value",
        "unit",
        "unit_mult",
        "obs_status",
        "completeness",
    ]
    table = demo_db.indicators("2024", by="segment", output="arrow")
    assert table.num_rows == len(frame)
    assert set(frame.loc[frame["indicator"] == "LEVEL", "unit"]) == {"MAD"}


def test_a_broken_result_is_stopped() -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {"indicator": ["SHARE", "SHARE"], "cut": "segment", "flow": "X", "period": "2024"}
        | {"value": [60.0, 30.0]}
    )
    with pytest.raises(ConsistencyError, match="add up to 90"):
        verify_frame(frame)


@pytest.mark.parametrize(("freq", "cut"), [("A", "segment"), ("H", "partner")])
def test_compiled_sql_snapshot(freq: str, cut: str) -> None:
    """The SQL each definition compiles to is reviewed like code (DIGEX_UPDATE_SNAPSHOTS=1)."""
    con = ibis.duckdb.connect()
    con.raw_sql(
        "CREATE TABLE current_declarations (load_id INTEGER, line BIGINT, declaration_id VARCHAR,"
        " period DATE, firm_id VARCHAR, segment VARCHAR, ebops VARCHAR, partner VARCHAR,"
        " currency VARCHAR, amount DECIMAL(18,4), flow VARCHAR, rate DECIMAL(18,8),"
        " value_minor BIGINT)"
    )
    engine = Engine(Sources(con, minor_units=2))
    check_snapshot(f"main_{freq}_{cut}.sql", engine.main(freq, cut))
    # main reads the materialised firm cells: their definition is reviewed too
    check_snapshot(f"firm_cells_{freq}_{cut}.sql", engine.firm_cell_sums(freq, (cut,)))


def check_snapshot(name: str, expr: ibis.Table) -> None:
    sql = str(ibis.to_sql(expr, dialect="duckdb"))
    # in-memory tables get random names and ibis lists dropped columns in set order (which
    # changes with the hash seed); neither is part of the definition
    sql = re.sub(r"ibis_pandas_memtable_\w+", "MEMTABLE", sql) + "\n"
    sql = re.sub(r"ibis_cache\w*", "CACHED", sql)
    sql = re.sub(
        r"EXCLUDE \(([^)]*)\)",
        lambda m: "EXCLUDE (" + ", ".join(sorted(m.group(1).split(", "))) + ")",
        sql,
    )
    path = SNAPSHOTS / name
    if os.environ.get("DIGEX_UPDATE_SNAPSHOTS") or not path.exists():
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(sql, encoding="utf-8")
        if not os.environ.get("DIGEX_UPDATE_SNAPSHOTS"):
            pytest.fail(f"snapshot {path.name} was missing and has been written; commit it")
    assert sql == path.read_text(encoding="utf-8")
