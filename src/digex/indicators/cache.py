"""Computed indicators kept in the store, so a repeated query costs a plain lookup.

Computing the suite needs Ibis (about a second to import and compile) and scans of every
declaration; reading a cached result needs neither. Results are kept per (frequency, cut,
period), so a query is answered from the cache whenever every period it asks for was computed
for its cut, whatever request computed it. An entry is valid only for the store's current
content: the key includes the newest load id and the software and codelist versions, so any new
load, replacement or upgrade makes older entries unused (they are purged on the next write).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from digex import __version__
from digex.codelists import codelists_version
from digex.store import SCHEMA_VERSION, Store

COLUMNS = "indicator, freq, period, cut, member, flow, value, unit, unit_mult, status"
ALL = "*"
FORMAT = "c2"
"""Version of the cache's own layout: changing how results are keyed changes it."""


def state(store: Store) -> str:
    row = store.con.execute("SELECT coalesce(max(load_id), 0), count(*) FROM loads").fetchone()
    newest, count = (int(row[0]), int(row[1])) if row else (0, 0)
    return f"{FORMAT}:{SCHEMA_VERSION}:{__version__}:{codelists_version()}:{newest}:{count}"


def requests(period: str | Sequence[str] | None, freq: str | None, by: str) -> list[str]:
    """The cache keys a query needs: one per cut and period ('*' = every period of a freq)."""
    from digex.indicators.cuts import CUTS
    from digex.indicators.periods import parse_period

    cuts = CUTS if by == "all" else (by,)
    if period is None:
        return [f"{freq or 'A'}|{cut}|{ALL}" for cut in cuts]
    labels = [period] if isinstance(period, str) else list(period)
    keys = []
    for label in labels:
        p = parse_period(label)
        keys += [f"{p.freq}|{cut}|{p.label}" for cut in cuts]
    return keys


def read(store: Store, keys: list[str]) -> pd.DataFrame | None:
    """The cached rows for `keys`, or None unless every key was computed for this state."""
    current = state(store)
    found = store.con.execute(
        "SELECT count(DISTINCT request) FROM indicator_cache_requests "
        "WHERE state = ? AND list_contains(?, request)",
        [current, keys],
    ).fetchone()
    if not found or int(found[0]) < len(set(keys)):
        return None
    frame: pd.DataFrame = store.con.execute(
        f"SELECT {COLUMNS} FROM indicator_cache WHERE state = ? AND list_contains(?, request)",
        [current, keys],
    ).df()
    return frame.astype({"unit_mult": "int64"})


def write(store: Store, keys: list[str], frame: pd.DataFrame) -> None:
    """Keep `frame` (computed for `keys`) for this store state."""
    current = state(store)
    rows = frame.assign(request=frame["freq"] + "|" + frame["cut"] + "|" + frame["period"])
    everything = [k for k in keys if k.endswith("|" + ALL)]
    with store.write() as con:
        con.execute("DELETE FROM indicator_cache WHERE state <> ?", [current])
        con.execute("DELETE FROM indicator_cache_requests WHERE state <> ?", [current])
        con.execute(
            "DELETE FROM indicator_cache WHERE state = ? AND list_contains(?, request)",
            [current, keys],
        )
        con.execute(
            "DELETE FROM indicator_cache_requests WHERE state = ? AND list_contains(?, request)",
            [current, keys],
        )
        con.register("computed", rows)
        # rows of a whole-frequency request are kept under '*' so that request finds them
        con.execute(
            f"""INSERT INTO indicator_cache
            SELECT ?, CASE WHEN list_contains(?, freq || '|' || cut || '|*')
                           THEN freq || '|' || cut || '|*' ELSE request END, {COLUMNS}
            FROM computed""",
            [current, everything],
        )
        con.unregister("computed")
        con.executemany(
            "INSERT INTO indicator_cache_requests VALUES (?, ?)", [[current, k] for k in keys]
        )
