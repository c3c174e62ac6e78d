"""Computed indicators kept in the store (`indicator_cache`, `indicator_cache_requests`).

What is kept and under which key is decided by `digex.indicators.cache`; this module holds the
statements on the two tables. A `state` string names what the rows are valid for; a request is
one (frequency, cut, period) key. Values are written into the SQL text on the read paths (a
cached answer must not import pandas, which binding a parameter does).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from digex.sql import literal

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

T = TypeVar("T")

COLUMNS = (
    "indicator, freq, period, cut, member, flow, value, unit, unit_mult, obs_status, completeness"
)
ALL = "*"
KEY = "indicator, freq, period, cut, member, flow"
"""What identifies a kept row: reads give them in this order, whatever the engine's settings
(a load through an open store turns insertion order off database-wide while it runs)."""


def _where(state: str, keys: list[str]) -> str:
    return f"state = {literal(state)} AND list_contains({literal(keys)}, request)"


def lookup(con: duckdb.DuckDBPyConnection, state: str, keys: list[str]) -> str | None:
    """The kept rows for `keys` as a parenthesised SELECT, or None unless every key was kept
    for `state`."""
    found = con.execute(
        f"SELECT count(DISTINCT request) FROM indicator_cache_requests WHERE {_where(state, keys)}"
    ).fetchone()
    if not found or int(found[0]) < len(set(keys)):
        return None
    return f"(SELECT {COLUMNS} FROM indicator_cache WHERE {_where(state, keys)})"


def answer(
    con: duckdb.DuckDBPyConnection,
    state: str,
    keys: list[str],
    query: Callable[[str], str],
    fetch: Callable[[duckdb.DuckDBPyConnection], T],
) -> T | None:
    """`query(relation)` run over the kept rows for `keys` and fetched, or None on a miss.

    Run it on a snapshot: a cache write by another thread deletes rows of older states, and
    the lookup and the read must see the same rows."""
    relation = lookup(con, state, keys)
    if relation is None:
        return None
    con.execute(query(relation))
    return fetch(con)


def read(con: duckdb.DuckDBPyConnection, state: str, keys: list[str]) -> pd.DataFrame | None:
    """The kept rows for `keys` as they are stored (unordered), or None on a miss."""
    relation = lookup(con, state, keys)
    if relation is None:
        return None
    frame: pd.DataFrame = con.execute(f"SELECT * FROM {relation} ORDER BY {KEY}").df()
    return frame.astype({"unit_mult": "int64"})


def every(con: duckdb.DuckDBPyConnection, state: str) -> pd.DataFrame:
    """Every row kept for `state`."""
    frame: pd.DataFrame = con.execute(
        f"SELECT {COLUMNS} FROM indicator_cache WHERE state = {literal(state)} ORDER BY {KEY}"
    ).df()
    return frame


def keep(
    con: duckdb.DuckDBPyConnection,
    state: str,
    keys: list[str],
    frame: pd.DataFrame | Sequence[pd.DataFrame],
) -> None:
    """Keep `frame` (computed for `keys`; or the frames computed for them apart, which are
    kept together) under `state`, inside the writer's transaction `con`; rows of any other
    state are dropped (no query can use them any more)."""
    import pandas as pd
    import pyarrow as pa

    # handed to the engine as Arrow, each row's request made there: scanning a pandas frame
    # holds Python's lock, the request column cost a pandas string operation per column, and
    # concatenating the frames of two periods in pandas cost more than keeping them
    frames = [frame] if isinstance(frame, pd.DataFrame) else list(frame)
    tables = [pa.Table.from_pandas(f, preserve_index=False) for f in frames if len(f)]
    everything = [k for k in keys if k.endswith("|" + ALL)]
    con.execute("DELETE FROM indicator_cache WHERE state <> ?", [state])
    con.execute("DELETE FROM indicator_cache_requests WHERE state <> ?", [state])
    con.execute(
        "DELETE FROM indicator_cache WHERE state = ? AND list_contains(?, request)",
        [state, keys],
    )
    con.execute(
        "DELETE FROM indicator_cache_requests WHERE state = ? AND list_contains(?, request)",
        [state, keys],
    )
    if tables:
        rows = pa.concat_tables(tables, promote_options="permissive")
        con.register("computed", rows)
        # rows of a whole-frequency request are kept under '*' so that request finds them
        con.execute(
            f"""INSERT INTO indicator_cache
            SELECT ?, CASE WHEN list_contains(?, freq || '|' || cut || '|*')
                           THEN freq || '|' || cut || '|*'
                           ELSE freq || '|' || cut || '|' || period END, {COLUMNS}
            FROM computed""",
            [state, everything],
        )
        con.unregister("computed")
    con.executemany(
        "INSERT INTO indicator_cache_requests VALUES (?, ?)", [[state, k] for k in keys]
    )


def states(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The states some rows are kept for (one, unless a write failed midway)."""
    rows = con.execute("SELECT DISTINCT state FROM indicator_cache_requests").fetchall()
    return [str(r[0]) for r in rows]


def requests(con: duckdb.DuckDBPyConnection, state: str) -> set[str]:
    """The requests kept for `state`."""
    rows = con.execute(
        f"SELECT request FROM indicator_cache_requests WHERE state = {literal(state)}"
    ).fetchall()
    return {str(r[0]) for r in rows}


def carry(con: duckdb.DuckDBPyConnection, old: str, new: str, keys: list[str]) -> None:
    """File the rows kept for `keys` under `old` under `new` as well, inside the writer's
    transaction `con` (the caller knows they are right for `new`)."""
    if not keys:
        return
    where = _where(old, keys)
    con.execute(
        f"INSERT INTO indicator_cache SELECT {literal(new)}, request, {COLUMNS} "
        f"FROM indicator_cache WHERE {where}"
    )
    con.execute(
        f"INSERT INTO indicator_cache_requests SELECT DISTINCT {literal(new)}, request "
        f"FROM indicator_cache_requests WHERE {where}"
    )
