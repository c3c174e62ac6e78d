"""What the rest of digex reads from a store, as functions of a connection to it.

Every statement naming a store table or view is written in `digex.store` (a test scans the
rest of the package), so a release table, an as-of view or another backend changes this
package only. The functions take a connection (a store's read cursor, a snapshot's, or the
writer's inside its transaction) and return plain values or Arrow tables. Values go into the
SQL text rather than being bound: binding a first parameter makes DuckDB's Python client import
pandas and NumPy (0.7 s), most of what a quick command such as `digex rejects --load 3` takes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Final

from digex.sql import literal
from digex.store.tables import PORTABLE

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa


def content(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """The newest load id, and the number of loads plus withdrawals: any load, replacement or
    withdrawal changes the pair, so results computed from the store are kept under it."""
    row = con.execute(
        "SELECT coalesce(max(load_id), 0), count(*) + (SELECT count(*) FROM withdrawals) FROM loads"
    ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


LOAD_LOG = """
SELECT l.load_id, l.kind, l.file_name, l.file_format, l.encoding, l.loaded_at, l.loaded_by,
       l.rows_read, l.rows_accepted, l.rows_rejected, l.replaces,
       a.load_id IS NOT NULL AS current, l.content_hash,
       CASE WHEN w.load_id IS NOT NULL THEN 'withdrawn'
            WHEN a.load_id IS NOT NULL THEN 'current' ELSE 'replaced' END AS status,
       w.withdrawn_at, w.withdrawn_by, w.reason AS withdraw_reason,
       coalesce(c.rows, 0) AS reconverted, c.months AS reconverted_months
FROM loads l LEFT JOIN active_loads a USING (load_id)
LEFT JOIN withdrawals w USING (load_id)
LEFT JOIN (SELECT load_id, CAST(sum(rows_converted) AS BIGINT) AS rows,
                  string_agg(months, '; ' ORDER BY conversion_id) AS months
           FROM conversions GROUP BY load_id) c USING (load_id)
ORDER BY l.load_id
"""


def load_log(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Every load, with its status (current, replaced, withdrawn) and conversions."""
    return con.execute(LOAD_LOG).to_arrow_table()


def rejects(con: duckdb.DuckDBPyConnection, load_id: int | None = None) -> pa.Table:
    """Rejected rows of current loads of every kind (of `load_id` only, if given)."""
    where = f"WHERE load_id = {int(load_id):d}" if load_id is not None else ""
    return con.execute(
        "SELECT load_id, file_name, line, reasons, message, declaration_id, period, firm_id,"
        " segment, partner, currency, amount, flow, raw, kind, rate, year, jobs "
        f"FROM current_all_rejects {where} ORDER BY load_id, line"
    ).to_arrow_table()


ORDER: Final = {
    PORTABLE.declarations: "load_id, line",
    PORTABLE.rates: "period, currency",
    PORTABLE.auxiliary: "series, year, segment",
}
"""The order every public read of the engine's inputs gives, asked for in the query: a load
through an open store turns DuckDB's `preserve_insertion_order` off for the whole database
while it runs (see `digex.store.target`), so no read may rely on the order rows were stored."""


def _ordered(name: str) -> str:
    return f"SELECT * FROM {name} ORDER BY {ORDER[name]}"


def current_declarations(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """The current accepted declarations, codes as text, by load and line."""
    return con.execute(_ordered(PORTABLE.declarations)).to_arrow_table()


def period_range(con: duckdb.DuckDBPyConnection) -> tuple[dt.date, dt.date] | None:
    """The first and last month of the current declarations (None when there are none)."""
    row = con.execute(f"SELECT min(period), max(period) FROM {PORTABLE.declarations}").fetchone()
    if row is None or row[0] is None:
        return None
    return row[0], row[1]


def portable_tables(con: duckdb.DuckDBPyConnection) -> dict[str, pa.Table]:
    """The engine's three inputs as Arrow tables, under the names the engine reads on any
    backend (`tables.PORTABLE`): codes as text, money as DECIMAL and integer minor units,
    nothing DuckDB-only. Read in one statement each: call it on a snapshot for one state."""
    return {name: con.execute(_ordered(name)).to_arrow_table() for name in PORTABLE.names()}


def export_parquet(con: duckdb.DuckDBPyConnection, files: dict[str, Path]) -> None:
    """Write each of the engine's portable inputs (a name of `tables.PORTABLE`) to its file."""
    for name, path in files.items():
        if name not in PORTABLE.names():
            raise ValueError(f"{name!r} is not one of {PORTABLE.names()}")
        target = literal(str(Path(path).absolute()))
        con.execute(f"COPY ({_ordered(name)}) TO {target} (FORMAT parquet)")
