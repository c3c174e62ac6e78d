"""Running a recorded indicator plan on a store cursor (`digex.indicators.plans`).

A plan is the SQL text an indicator suite pass runs, as Ibis compiled it for DuckDB: temporary
tables made one after the other, then the queries whose results the suite shapes. It reads the
engine's inputs (`digex.store.tables`) and the code-list correspondences, registered here as
in-memory relations. The statements run here, in the store package that owns every statement
on a store connection, without Ibis.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    import pyarrow as pa


def run(
    con: duckdb.DuckDBPyConnection,
    statements: Iterable[tuple[str, str | None]],
    *,
    registered: Mapping[str, pa.Table],
    temporary: Sequence[str],
) -> dict[str, pa.Table]:
    """Run `statements` in order on `con` (a store cursor), with `registered` readable under
    their names; each statement with a role gives that role's result as an Arrow table.

    The plan's temporary tables (`temporary`) and the registered relations are dropped
    afterwards, whatever happens: the cursor may run another pass (another frequency) next."""
    from digex.sql import identifier

    for name, table in registered.items():
        con.register(name, table)
    out: dict[str, pa.Table] = {}
    try:
        for sql, role in statements:
            if role is None:
                con.execute(sql)
            else:
                out[role] = con.execute(sql).to_arrow_table()
    finally:
        try:
            for name in temporary:
                con.execute(f"DROP TABLE IF EXISTS {identifier(name)}")
            for name in registered:
                con.unregister(name)
        except duckdb.Error:  # a failed statement aborted the transaction: its end drops them
            pass
    return out
