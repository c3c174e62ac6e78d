"""Which months the loads made since an earlier content of the store changed.

Results kept for the store's earlier content stay right for the current one when nothing they
read changed. What a load changes is known from the store: a declarations file changes the
months of its accepted rows, a rates file the months of its rates (the declarations of those
months are converted again), and a replacement also the months of the load it replaces. Any
other change (a jobs or series file, a withdrawal) is not traced to months: the answer is then
None, and callers recompute everything.

Values are written into the SQL text (`digex.sql.literal`): binding a parameter makes DuckDB's
client import pandas, which a load that needs no computation should not pay for.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Final

from digex.sql import literal

if TYPE_CHECKING:
    import duckdb

TRACED: Final = ("declarations", "rates")
"""The kinds of load whose changes are known month by month."""


def months_changed(
    con: duckdb.DuckDBPyConnection, since: tuple[int, int]
) -> frozenset[dt.date] | None:
    """The first days of the months whose data differ between the store's content `since`
    (`digex.store.queries.content` then: newest load id, loads plus withdrawals) and now, or
    None when that cannot be told (a withdrawal since, a load of another kind, or a content
    that is not an earlier one of this store)."""
    newest, count = since
    row = con.execute(
        "SELECT (SELECT count(*) FROM loads) + (SELECT count(*) FROM withdrawals), "
        f"count(*) FILTER (WHERE load_id > {newest:d}), "
        f"count(*) FILTER (WHERE load_id > {newest:d} AND kind NOT IN {_in(TRACED)}) FROM loads"
    ).fetchone()
    if row is None:
        return None
    now, added, untraced = (int(v) for v in row)
    # every change since is one of the loads after `newest`: no withdrawal, nothing removed
    if untraced or now - count != added or now < count:
        return None
    if not added:
        return frozenset()
    loads = (
        f"SELECT load_id FROM loads WHERE load_id > {newest:d} "
        f"UNION SELECT replaces FROM loads WHERE load_id > {newest:d} AND replaces IS NOT NULL"
    )
    months = con.execute(
        f"SELECT DISTINCT period FROM declarations WHERE load_id IN ({loads}) "
        f"UNION SELECT DISTINCT period FROM rates WHERE load_id IN ({loads})"
    ).fetchall()
    return frozenset(_first_day(m[0]) for m in months)


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(literal(v) for v in values) + ")"


def _first_day(value: dt.date) -> dt.date:
    return dt.date(value.year, value.month, 1)
