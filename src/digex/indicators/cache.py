"""Computed indicators kept in the store, so a repeated query costs a plain lookup.

Computing the suite needs Ibis (about a second to import and compile) and scans of every
declaration; reading a cached result needs neither. Results are kept per (frequency, cut,
period), so a query is answered from the cache whenever every period it asks for was computed
for its cut, whatever request computed it. An entry is valid only for the store's current
content: the key includes the newest load id and the software and codelist versions, so any new
load, replacement or upgrade makes older entries unused (they are purged on the next write).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from digex import __version__
from digex.codelists import codelists_version
from digex.indicators.cuts import CUTS, check_cut
from digex.sql import literal
from digex.store import SCHEMA_VERSION, Store

if TYPE_CHECKING:
    import pandas as pd

    from digex.profile import CountryProfile

COLUMNS = (
    "indicator, freq, period, cut, member, flow, value, unit, unit_mult, obs_status, completeness"
)
ALL = "*"
FORMAT = "c3"
"""Version of the cache's own layout: changing how results are keyed or what a row holds
changes it (c3: `status` became `obs_status` and `completeness`), so results kept in an older
layout are never read as current."""
_PERIOD = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]|S[12]|0[1-9]|1[0-2]))?$")
"""The labels `digex.indicators.periods.parse_period` accepts (kept equal by a test)."""


def state(store: Store, profile: CountryProfile) -> str:
    """What results are valid for: the store's content, the software, and the country profile
    they were computed with (its national currency enters the values; its code and version
    name the settings a user may change)."""
    row = store.con.execute(
        "SELECT coalesce(max(load_id), 0), count(*) + (SELECT count(*) FROM withdrawals) FROM loads"
    ).fetchone()
    newest, count = (int(row[0]), int(row[1])) if row else (0, 0)
    who = f"{profile.code}@{profile.version}/{profile.national_currency}"
    return f"{FORMAT}:{SCHEMA_VERSION}:{__version__}:{codelists_version()}:{who}:{newest}:{count}"


def requests(period: str | Sequence[str] | None, freq: str | None, by: str) -> list[str]:
    """The cache keys a query needs: one per cut and period ('*' = every period of a freq)."""
    labels = [] if period is None else [period] if isinstance(period, str) else list(period)
    periods = [_period(label) for label in labels]
    if by != "all":
        check_cut(by)
    cuts = CUTS if by == "all" else (by,)
    if period is None:
        return [f"{freq or 'A'}|{cut}|{ALL}" for cut in cuts]
    return [f"{p_freq}|{cut}|{label}" for p_freq, label in periods for cut in cuts]


def _period(text: str) -> tuple[str, str]:
    """The frequency and canonical label of a period, as `parse_period` gives them."""
    m = _PERIOD.match(text.strip().upper())
    if not m:  # let the engine's parser accept it or explain what is wrong
        from digex.indicators.periods import parse_period

        p = parse_period(text)
        return p.freq, p.label
    year, part = int(m.group(1)), m.group(2)
    if part is None:
        return "A", f"{year}"
    if part[0] in "QHS":
        freq = "Q" if part[0] == "Q" else "H"
        return freq, f"{year}-{freq}{part[1]}"
    return "M", f"{year}-{int(part):02d}"


def lookup(store: Store, profile: CountryProfile, keys: list[str]) -> str | None:
    """The cached rows for `keys` as a parenthesised SELECT to narrow, or None unless every key
    was computed for this state.

    The values are written into the SQL text (`literal`) rather than bound: binding a parameter
    makes DuckDB import pandas, which would cost a cached answer most of its time.
    """
    where = f"state = {literal(state(store, profile))} AND list_contains({literal(keys)}, request)"
    found = store.con.execute(
        f"SELECT count(DISTINCT request) FROM indicator_cache_requests WHERE {where}"
    ).fetchone()
    if not found or int(found[0]) < len(set(keys)):
        return None
    return f"(SELECT {COLUMNS} FROM indicator_cache WHERE {where})"


def read(store: Store, profile: CountryProfile, keys: list[str]) -> pd.DataFrame | None:
    """The cached rows for `keys` as they are stored (unordered), or None on a miss."""
    relation = lookup(store, profile, keys)
    if relation is None:
        return None
    frame: pd.DataFrame = store.con.execute(f"SELECT * FROM {relation}").df()
    return frame.astype({"unit_mult": "int64"})


def write(store: Store, profile: CountryProfile, keys: list[str], frame: pd.DataFrame) -> None:
    """Keep `frame` (computed for `keys` with `profile`) for this store state."""
    current = state(store, profile)
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


def kept(store: Store, profile: CountryProfile) -> pd.DataFrame:
    """Every result kept for the store's current state: what later queries (and releases)
    are answered from, for `digex check` to verify as it verifies the engine's."""
    where = f"state = {literal(state(store, profile))}"
    frame: pd.DataFrame = store.con.execute(
        f"SELECT {COLUMNS} FROM indicator_cache WHERE {where}"
    ).df()
    return frame
