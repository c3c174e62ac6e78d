"""Which months the loads and withdrawals made since an earlier content of the store changed.

Results kept for the store's earlier content stay right for the current one when nothing they
read changed. What changed is known from the store: a declarations file changes the months of
its accepted rows, a rates file the months of its rates (the declarations of those months are
converted again), a jobs or series file every month of the years it gives values for, and a
replacement also the months of the load it replaces. A withdrawal changes the months of the
load withdrawn and of the load it had replaced (current again). Any other change (a load of a
kind not listed here) is not traced to months: the answer is then None, and callers recompute
everything.

Values are written into the SQL text (`digex.sql.literal`): binding a parameter makes DuckDB's
client import pandas, which a load that needs no computation should not pay for.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Final

from digex.sql import literal

if TYPE_CHECKING:
    import duckdb

TRACED: Final = ("declarations", "rates", "jobs", "series")
"""The kinds of load whose changes are known month by month (jobs and series: by year)."""


def months_changed(
    con: duckdb.DuckDBPyConnection, since: tuple[int, int]
) -> frozenset[dt.date] | None:
    """The first days of the months whose data differ between the store's content `since`
    (`digex.store.queries.content` then: newest load id, loads plus withdrawals) and now, or
    None when that cannot be told (a load of another kind, or a content that is not an earlier
    one of this store)."""
    newest, count = since
    row = con.execute(
        f"SELECT count(*) FILTER (WHERE load_id <= {newest:d}), "
        f"count(*) FILTER (WHERE load_id > {newest:d} AND kind NOT IN {_in(TRACED)}), "
        f"(SELECT count(*) FROM withdrawals), coalesce(max(load_id), 0) FROM loads"
    ).fetchone()
    if row is None:
        return None
    loads_then, untraced, withdrawn, last = (int(v) for v in row)
    # loads are never removed and their ids grow: the content then held the loads up to
    # `newest` and, before them in the withdrawals' order of insertion, `count - loads_then`
    # withdrawals (the table is only ever appended to)
    withdrawn_then = count - loads_then
    if untraced or newest > last or not 0 <= withdrawn_then <= withdrawn:
        return None
    if newest == last and withdrawn_then == withdrawn:
        return frozenset()
    changed = (
        f"SELECT load_id FROM loads WHERE load_id > {newest:d} "
        "UNION ALL SELECT load_id FROM (SELECT load_id, row_number() OVER (ORDER BY rowid) AS n "
        f"FROM withdrawals) WHERE n > {withdrawn_then:d}"
    )
    # what a new or withdrawn load replaced is current, or no longer, since
    loads = (
        f"SELECT load_id FROM ({changed}) UNION SELECT replaces FROM loads "
        f"WHERE load_id IN ({changed}) AND replaces IS NOT NULL"
    )
    months = con.execute(
        f"SELECT DISTINCT period FROM declarations WHERE load_id IN ({loads}) "
        f"UNION SELECT DISTINCT period FROM rates WHERE load_id IN ({loads}) "
        f"UNION SELECT DISTINCT make_date(year, m, 1) FROM auxiliary, range(1, 13) t(m) "
        f"WHERE load_id IN ({loads})"
    ).fetchall()
    return frozenset(_first_day(m[0]) for m in months)


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(literal(v) for v in values) + ")"


def _first_day(value: dt.date) -> dt.date:
    return dt.date(value.year, value.month, 1)
