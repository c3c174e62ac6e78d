"""Computed indicators kept in the store, so a repeated query costs a plain lookup.

Computing the suite needs Ibis (about a second to import and compile) and scans of every
declaration; reading a cached result needs neither. An entry is valid only for the store's
current content: the cache key includes the newest load id and the software and codelist
versions, so any new load, replacement or upgrade makes older entries unused (they are purged
on the next write).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from digex import __version__
from digex.codelists import codelists_version
from digex.store import SCHEMA_VERSION, Store

COLUMNS = "indicator, freq, period, cut, member, flow, value, unit, unit_mult, status"


def state(store: Store) -> str:
    row = store.con.execute("SELECT coalesce(max(load_id), 0), count(*) FROM loads").fetchone()
    newest, count = (int(row[0]), int(row[1])) if row else (0, 0)
    return f"{SCHEMA_VERSION}:{__version__}:{codelists_version()}:{newest}:{count}"


def request_key(period: str | Sequence[str] | None, freq: str | None, by: str) -> str:
    periods = (
        "*" if period is None else ",".join(sorted([period] if isinstance(period, str) else period))
    )
    return f"{freq or '-'}|{by}|{periods}"


def read(store: Store, key: str) -> pd.DataFrame | None:
    current = state(store)
    hit = store.con.execute(
        "SELECT 1 FROM indicator_cache_requests WHERE state = ? AND request = ?", [current, key]
    ).fetchone()
    if hit is None:
        return None
    frame: pd.DataFrame = store.con.execute(
        f"SELECT {COLUMNS} FROM indicator_cache WHERE state = ? AND request = ?",
        [current, key],
    ).df()
    return frame


def write(store: Store, key: str, frame: pd.DataFrame) -> None:
    """Keep `frame` for this store state (no-op on a read-only store)."""
    if store.read_only:
        return
    current = state(store)
    with store.write() as con:
        con.execute("DELETE FROM indicator_cache WHERE state <> ?", [current])
        con.execute("DELETE FROM indicator_cache_requests WHERE state <> ?", [current])
        con.execute("DELETE FROM indicator_cache WHERE state = ? AND request = ?", [current, key])
        con.register("computed", frame)
        con.execute(
            f"INSERT INTO indicator_cache SELECT ?, ?, {COLUMNS} FROM computed", [current, key]
        )
        con.unregister("computed")
        con.execute("INSERT INTO indicator_cache_requests VALUES (?, ?)", [current, key])
